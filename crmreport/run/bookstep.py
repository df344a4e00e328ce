"""The runner's last step: the report book of the run (crmreport/reporting/book.py) from its notebooks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from ..core.errors import CrmReportError
from ..core.i18n import t
from ..core.version import __version__
from ..reporting.book import Chapter, book_path, write_book
from ..reporting.render import ReportMeta
from ..settings import Params
from .outcome import NotebookRun
from .paths import ReportPaths

log = logging.getLogger("crmreport")


def write_run_book(paths: ReportPaths, params: Params, runs: list[NotebookRun], source: str,
                   title_of: Callable[[str, str], str]) -> str | None:
    """Write ``report-<period>.pdf`` into the run folder; its file name, or None when PDF is off or it failed.

    A failure to render the book is logged and does not fail the run: every notebook's own PDF stays.
    """
    if "pdf" not in params.formats:
        return None
    language = params.language
    meta = ReportMeta(title=t("book.title", language), company=params.company, period=params.period,
                      period_start=params.start, period_end=params.end, language=language,
                      generated=datetime.now(), masking=params.masking, version=__version__,
                      as_of=params.as_of)
    chapters = [Chapter(run.name, title_of(run.name, language), run.status, paths.output(run.name, ".ipynb"),
                        run.error, run.failed_cell, run.seconds) for run in runs]
    shown_source = t("book.demo_source", language) if source == "embedded demo data" else source
    path = book_path(paths.root, params.period, language)
    try:
        write_book(path, chapters, meta, source=shown_source, log_file=paths.log.name,
                   segmentation=params.segmentation)
    except (CrmReportError, OSError) as exc:
        log.error("the report book could not be written: %s", exc)
        return None
    log.info("wrote %s", path.name)
    return path.name
