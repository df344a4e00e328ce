"""``crmreport init DIR``: a starter project with params, an example period, the notebooks and reports/."""

from __future__ import annotations

import logging
from pathlib import Path

from ..core.errors import CrmReportError
from ..settings.params import DEMO_AS_OF_AFTER_END
from ..settings.stock import stock_defaults, stock_notebooks

log = logging.getLogger("crmreport")

PERIOD_FILE = """\
# Parameters of period {period}. Every key here overrides params/defaults.yaml; the reference of
# every key is docs/params.md of crmreport. A quarter label alone sets the dates
# ({start} .. {end}) and the baseline (the quarter before).
period: {period}

# Your CRM exports for this period: a folder of CSV/Parquet/XLSX files (one per table, see the data
# contract), one .xlsx workbook (a sheet per table) or a SQLAlchemy URL such as
# postgresql+psycopg://user@host/crm. Relative paths are relative to this project folder.
# Until `data:` is set, `crmreport run --period {period}` stops and asks for a data source;
# `crmreport run --period {period} --demo` renders the demo data that ships with crmreport.
# data: exports/{period}

# Pin "today" for the future-date check, so a re-run gives the same report.
# as_of: {as_of}
"""

REPORTS_README = """\
# reports/

`crmreport run --period P` writes the report of period P here, in `reports/P/`:

- `NN_<notebook>.html` (analysts) and `.pdf` (management), and the executed `.ipynb`;
- `results/*.csv`: the tidy table behind every table and chart (`.xlsx` workbooks for account managers);
- `quarantine/<table>.csv`: rows set aside, with their source row and reason;
- `params.yaml` (the resolved parameters), `manifest.json` (data fingerprints, row accounting,
  versions, timings, notebook statuses) and `run.log`.

A run is built in a hidden staging folder and renamed into place at the end, so an interrupted run
leaves the previous report untouched. Notebooks opened in JupyterLab write their results to
`reports/lab/P/results/`. A failed command keeps its log in `reports/logs/`.
"""


def starter_files(period: str = "2025Q3") -> dict[str, bytes]:
    """The files of a starter project, by path relative to the project folder."""
    from ..settings.period import period_window

    window = period_window(period)
    files = {"params/defaults.yaml": stock_defaults().read_bytes()}
    files[f"params/{period}.yaml"] = PERIOD_FILE.format(
        period=period, start=window.start, end=window.end, as_of=window.end + DEMO_AS_OF_AFTER_END).encode("utf-8")
    for notebook in sorted(stock_notebooks().glob("*.ipynb")):
        files[f"notebooks/{notebook.name}"] = notebook.read_bytes()
    files["reports/README.md"] = REPORTS_README.encode("utf-8")
    return files


def write_starter(folder: Path, period: str = "2025Q3") -> list[Path]:
    """Write a starter project into ``folder`` (created when missing); never overwrite a file.

    Raises
    ------
    CrmReportError
        When ``folder`` already holds any of the starter's files (nothing is written then).
    """
    try:
        files = starter_files(period)
    except ValueError:
        raise CrmReportError(f"--period {period}: a starter project needs a period label like 2025Q3") from None
    existing = [name for name in files if (folder / name).exists()]
    if folder.exists() and not folder.is_dir():
        raise CrmReportError(f"{folder} is a file; crmreport init needs a new or existing folder")
    if existing:
        raise CrmReportError(f"{folder} already holds {', '.join(existing)}; crmreport init never overwrites files: "
                             "choose a new folder or move these files away")
    written = []
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    log.debug("wrote %d files into %s", len(written), folder)
    return written
