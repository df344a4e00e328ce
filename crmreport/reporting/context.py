"""What a notebook works with: the run's parameters, its dataset and where results go."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from ..core.i18n import t
from ..engine import Engine
from ..ingest.dataset import Dataset, load_prepared, prepare_dataset
from ..ingest.sources import describe_source
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

    @property
    def demo(self) -> bool:
        """Whether the period reads the embedded demo data (:func:`crmreport.settings.uses_demo_data`)."""
        return uses_demo_data(self.params)


def lab_results_dir(period: str) -> Path:
    """``reports/lab/<period>/results/`` under the project root (or ``$CRMREPORT_LAB_DIR/<period>/results/``)."""
    base = os.environ.get(LAB_ENV)
    folder = Path(base) if base else (find_project_root() or Path.cwd()) / "reports" / "lab"
    return (folder / period / "results").resolve()


def open_period(period: str = "2025Q3", params_file: str | None = None, data: str | None = None,
                prepared: str | None = None, results_dir: str | None = None,
                language: str | None = None, tables: bool = True) -> PeriodContext:
    """Open a period for a notebook.

    Under ``crmreport run`` the runner passes ``prepared`` (the validated, masked tables it wrote)
    and ``results_dir``. Opened in JupyterLab, the notebook validates the source itself (the
    embedded demo data when neither ``data`` nor params name one), writes results to
    :func:`lab_results_dir`, and its first output says both. A notebook that reads no table (the
    executive summary reads the other notebooks' results) passes ``tables=False``: without
    ``prepared`` its dataset then holds no table and the source is not read.
    """
    params = load_params(period, params_file, overrides={"data": data, "language": language})
    if prepared:
        dataset = load_prepared(Path(prepared))
    elif tables:
        dataset = prepare_dataset(params)
    else:
        dataset = Dataset({}, {}, {}, describe_source(params.data), params.masking)
    dataset.engine = Engine.of(params)
    folder = Path(results_dir) if results_dir else lab_results_dir(params.period)
    folder.mkdir(parents=True, exist_ok=True)
    log.info("period %s (%s..%s), results in %s", params.period, params.start, params.end, folder)
    if prepared is None:
        _announce(params, folder)
    return PeriodContext(params, dataset, folder)


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
