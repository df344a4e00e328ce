"""The runner's last step: the report book of the run (crmreport/reporting/book.py) from its notebooks."""

from __future__ import annotations

import logging

from ..core.errors import CrmReportError
from ..core.i18n import t
from ..measures.glossary import ranked_by
from ..reporting.book import Chapter, book_path, write_book
from ..reporting.meta import report_meta, report_title
from ..settings import Params, uses_demo_data
from .outcome import NotebookRun
from .paths import ReportPaths

log = logging.getLogger("crmreport")


def write_run_book(paths: ReportPaths, params: Params, runs: list[NotebookRun], source: str) -> str | None:
    """Write ``report-<period>.pdf`` into the run folder; its file name, or None when PDF is off or it failed.

    A failure to render the book is logged and does not fail the run: every notebook's own PDF stays.
    """
    if "pdf" not in params.formats:
        return None
    language = params.language
    meta = report_meta(params, t("book.title", language))
    chapters = [Chapter(run.name, report_title(run.name, language), run.status, paths.output(run.name, ".ipynb"),
                        run.error, run.failed_cell, run.seconds) for run in runs]
    shown_source = t("book.demo_source", language) if uses_demo_data(params) else source
    path = book_path(paths.root, params.period, language)
    try:
        write_book(path, chapters, meta, source=shown_source, log_file=paths.log.name,
                   segmentation=params.segmentation, ranked_by=ranked_by(paths.results))
    except (CrmReportError, OSError) as exc:
        log.error("the report book could not be written: %s", exc)
        return None
    log.info("wrote %s", path.name)
    return path.name
