"""What a notebook works with: the run's parameters, its dataset and where results go."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..ingest.dataset import Dataset, prepare_dataset
from ..settings import Params, load_params

log = logging.getLogger("crmreport")


@dataclass
class PeriodContext:
    """The parameters, the prepared data and the results folder of one period."""

    params: Params
    data: Dataset
    results_dir: Path

    @property
    def language(self) -> str:
        return self.params.language


def open_period(period: str = "2025Q3", params_file: str | None = None, data: str | None = None,
                prepared: str | None = None, results_dir: str | None = None,
                language: str | None = None) -> PeriodContext:
    """Open a period for a notebook.

    Under ``crmreport run`` the runner passes ``prepared`` (the validated, masked tables it wrote)
    and ``results_dir``. Run by hand in JupyterLab, the notebook validates the source itself
    (the embedded demo data when ``data`` is empty) and writes results to a temporary folder.
    """
    params = load_params(period, params_file, overrides={"data": data, "language": language})
    dataset = Dataset.load(Path(prepared)) if prepared else prepare_dataset(params)
    folder = Path(results_dir) if results_dir else Path(tempfile.mkdtemp(prefix=f"crmreport-{period}-"))
    folder.mkdir(parents=True, exist_ok=True)
    log.info("period %s (%s..%s), results in %s", params.period, params.start, params.end, folder)
    return PeriodContext(params, dataset, folder)
