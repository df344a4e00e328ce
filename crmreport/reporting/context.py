"""What a notebook works with: the run's parameters, its dataset and where results go."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..core.i18n import t
from ..ingest.dataset import ACCOUNTING_FILE, Dataset, TableAccount, prepare_dataset
from ..settings import Params, find_project_root, load_params, uses_demo_data

log = logging.getLogger("crmreport")
#: where notebooks opened without a runner write their results (tests point it at a temporary folder)
LAB_ENV = "CRMREPORT_LAB_DIR"


@dataclass
class PeriodContext:
    """The parameters, the prepared data and the results folder of one period."""

    params: Params
    data: Dataset
    results_dir: Path

    @property
    def language(self) -> str:
        return self.params.language


def lab_results_dir(period: str) -> Path:
    """``reports/lab/<period>/results/`` under the project root (or ``$CRMREPORT_LAB_DIR/<period>/results/``)."""
    base = os.environ.get(LAB_ENV)
    folder = Path(base) if base else (find_project_root() or Path.cwd()) / "reports" / "lab"
    return (folder / period / "results").resolve()


def open_period(period: str = "2025Q3", params_file: str | None = None, data: str | None = None,
                prepared: str | None = None, results_dir: str | None = None,
                language: str | None = None) -> PeriodContext:
    """Open a period for a notebook.

    Under ``crmreport run`` the runner passes ``prepared`` (the validated, masked tables it wrote)
    and ``results_dir``. Opened in JupyterLab, the notebook validates the source itself (the
    embedded demo data when neither ``data`` nor params name one), writes results to
    :func:`lab_results_dir`, and its first output says both.
    """
    params = load_params(period, params_file, overrides={"data": data, "language": language})
    dataset = load_prepared(Path(prepared)) if prepared else prepare_dataset(params)
    folder = Path(results_dir) if results_dir else lab_results_dir(params.period)
    folder.mkdir(parents=True, exist_ok=True)
    log.info("period %s (%s..%s), results in %s", params.period, params.start, params.end, folder)
    if prepared is None:
        _announce(params, folder)
    return PeriodContext(params, dataset, folder)


class PreparedTables(Mapping[str, pd.DataFrame]):
    """The run's prepared tables, each read from its Parquet file when a notebook first uses it.

    A notebook holds only the tables it reads (notebook 03 never loads the interactions), once.
    """

    def __init__(self, folder: Path, names: list[str]):
        self.folder, self.names, self.loaded = folder, names, {}
        self.partial: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self.names:
            raise KeyError(name)
        if name not in self.loaded:
            self.loaded[name] = pd.read_parquet(self.folder / f"{name}.parquet")
            self.partial.pop(name, None)
        return self.loaded[name]

    def parquet_file(self, name: str) -> Path | None:
        """The Parquet file of table ``name`` while it is not in memory whole (see ``Dataset.parquet_file``)."""
        return None if name not in self.names or name in self.loaded else self.folder / f"{name}.parquet"

    def read_columns(self, name: str, columns: list[str]) -> pd.DataFrame:
        """A frame of table ``name`` with at least ``columns``: the whole table when it is loaded, else the
        columns read so far plus the missing ones (read alone from the Parquet file); see ``Dataset.columns``."""
        if name not in self.names:
            raise KeyError(name)
        if name in self.loaded:
            return self.loaded[name]
        have = self.partial.get(name)
        missing = [c for c in dict.fromkeys(columns) if have is None or c not in have.columns]
        if missing:
            read = pd.read_parquet(self.folder / f"{name}.parquet", columns=missing)
            self.partial[name] = read if have is None else pd.concat([have, read], axis=1)
        return self.partial[name]

    def __contains__(self, name: object) -> bool:
        return name in self.names  # without reading the table (Mapping's default would)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


def load_prepared(folder: Path) -> Dataset:
    """The dataset a run prepared in ``folder`` (``Dataset.save``), its tables read on first use."""
    meta = json.loads((folder / ACCOUNTING_FILE).read_text(encoding="utf-8"))
    accounting = {name: TableAccount(**account) for name, account in meta["accounting"].items()}
    return Dataset(PreparedTables(folder, list(accounting)), {}, accounting, meta["source"], meta["masked"])


def _announce(params: Params, folder: Path) -> None:
    """The first output of a notebook opened without the runner: its data source and results folder."""
    from IPython import get_ipython
    from IPython.display import Markdown, display

    lines = [t("context.lab_results", params.language, folder=folder.as_posix())]
    if uses_demo_data(params):
        lines.insert(0, t("context.lab_demo", params.language, period=params.period))
    if get_ipython() is not None:
        display(Markdown("> " + "\n>\n> ".join(lines)))
    for line in lines:
        log.info(line)
