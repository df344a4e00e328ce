"""The period's report book: one management PDF with the executive summary and every notebook as a chapter.

``reports/<period>/report-<period>.pdf`` (``report-<period>-zh.pdf`` for a Chinese run): a cover
(company, period, date, data source, masking status), the executive summary (notebook 07 without
its table of sources), one contents list with page numbers, each notebook as a chapter with
continuous "page N of M", and an appendix: the run status (a failed notebook says what failed and where its log
is), the glossary of measures (:mod:`~crmreport.measures.glossary`) and the segmentation rules, and
the sources of the summary's figures. The per-notebook PDFs stay; this reuses their body
(:func:`~crmreport.reporting.body.notebook_body`) and page machinery (:mod:`~crmreport.reporting.render`).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import weasyprint

from ..core.i18n import label, t
from ..measures.glossary import GLOSSARY
from ..settings.segmentation import Segmentation
from .body import HTML_LANG, ReportBody, notebook_body
from .meta import ReportMeta
from .render import LOCAL_URLS, _css_counters, _font_context, _labels, _templates, _write, quiet_weasyprint

#: the code cell of notebook 07 holding the table of sources: the book moves it to its appendix
SOURCES_TAG = "summary-sources"
SUMMARY_PREFIX = "07_executive_summary"
#: chapter headings down to this level are listed in the contents
BOOK_TOC_DEPTH = 2
#: segmentation settings the appendix leaves out: shown elsewhere (cadence, RFM rules) or technical (seeds)
RULES_NOT_LISTED = ("cadence", "rfm_rules", "seed", "silhouette_sample")
#: the nine-box: (value tier, potential tier) -> segment, as segmentation.nine_box assigns them
NINE_BOX = (("high", "high", "core"), ("high", "medium", "mature_stable"), ("high", "low", "maintain"),
            ("medium", "high", "growth"), ("medium", "medium", "regular"), ("medium", "low", "observe"),
            ("low", "high", "opportunity"), ("low", "medium", "low_value_stable"), ("low", "low", "churn_warning"))


@dataclass(frozen=True)
class Chapter:
    """One notebook of the run as the book shows it."""

    name: str
    title: str
    status: str  # ok | failed
    notebook: Path | None  # the executed notebook, when it exists
    error: str | None = None
    failed_cell: int | None = None
    seconds: float = 0.0


def book_path(report_dir: Path, period: str, language: str) -> Path:
    """``report-<period>.pdf``, or ``report-<period>-zh.pdf`` for a Chinese report."""
    return report_dir / f"report-{period}{'-zh' if language == 'zh' else ''}.pdf"


def _split(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """Notebook 07 as (summary without its sources, the sources cell alone)."""
    main, sources = copy.deepcopy(nb), copy.deepcopy(nb)
    tagged = [SOURCES_TAG in cell.get("metadata", {}).get("tags", []) for cell in nb.cells]
    main.cells = [cell for cell, is_sources in zip(main.cells, tagged, strict=True) if not is_sources]
    sources.cells = [cell for cell, is_sources in zip(sources.cells, tagged, strict=True) if is_sources]
    return main, sources


def _scoped(body: ReportBody, prefix: str) -> ReportBody:
    """Heading ids made unique across chapters (``sec-x`` -> ``<prefix>-sec-x``), links included."""
    html = re.sub(r'(id="|href="#)(sec-)', rf"\1{prefix}-\2", body.html)
    return ReportBody(html, [h._replace(id=f"{prefix}-{h.id}") for h in body.headings])


def _rule_value(name: str, value: object, language: str) -> str:
    """A segmentation setting for a reader: shares as percentages, yes/no, ranges with a dash, choices through the
    catalog (``book.rule_value.<name>.<choice>``); the spend-trend thresholds are signed numbers, not shares."""
    if isinstance(value, str):
        return t(f"book.rule_value.{name}.{value}", language)
    if isinstance(value, bool):
        return t(f"book.{'yes' if value else 'no'}", language)
    if isinstance(value, tuple):
        parts = [_rule_value(name, v, language) for v in value]
        return " – ".join(parts) if all(isinstance(v, int) for v in value) else ", ".join(parts)
    if isinstance(value, float) and 0 <= value <= 1 and not name.startswith("potential_"):
        return f"{value:.0%}"
    return f"{value:+g}" if isinstance(value, float) else f"{value:,}"


def _definitions(language: str, segmentation: Segmentation, chapters: dict[str, int],
                 ranked_by: str | None = None) -> dict[str, list[dict[str, str]]]:
    """The appendix tables: the glossary of measures, the nine-box rule and the segmentation thresholds, in words.

    Measures come from :data:`~crmreport.measures.glossary.GLOSSARY` (label, definition, unit, window and direction
    through the catalog's ``measure.*`` keys; ``chapters`` maps a notebook name to its chapter number; the health
    bands' definitions name the run's ranking score ``ranked_by``), rule names and meanings from
    ``book.rule.<name>`` and ``book.rule_meaning.<name>``.
    """
    measures = [{"name": m.label(language), "definition": m.definition(language, ranked_by),
                 "unit": t(f"measure.unit.{m.unit}", language), "window": t(f"measure.window.{m.window}", language),
                 "direction": t(f"measure.direction.{m.direction}", language),
                 "chapter": str(chapters.get(m.notebook, "–"))} for m in GLOSSARY]
    boxes = [{"value": t(f"book.tier_{value}", language), "potential": t(f"book.tier_{potential}", language),
              "segment": label(f"segment_{segment}", language)} for value, potential, segment in NINE_BOX]
    rules = [{"name": t(f"book.rule.{name}", language),
              "value": _rule_value(name, getattr(segmentation, name), language),
              "meaning": t(f"book.rule_meaning.{name}", language)}
             for name in type(segmentation).model_fields if name not in RULES_NOT_LISTED]
    return {"measures": measures, "nine_box": boxes, "rules": rules}


def book_html(chapters: list[Chapter], meta: ReportMeta, *, source: str, log_file: str,
              segmentation: Segmentation, ranked_by: str | None = None) -> str:
    """The book as one HTML document for WeasyPrint (also useful to inspect the layout)."""
    summary = sources = None
    parts = []
    for index, chapter in enumerate(chapters, 1):
        nb = nbformat.read(chapter.notebook, as_version=4) if chapter.notebook and chapter.notebook.is_file() else None
        if chapter.name.startswith(SUMMARY_PREFIX) and nb is not None and chapter.status == "ok":
            main, cited = _split(nb)
            summary = _scoped(notebook_body(main, meta.language), "summary")
            sources = _scoped(notebook_body(cited, meta.language), "sources")
            continue
        body = _scoped(notebook_body(nb, meta.language), f"ch{index}") if nb is not None and \
            chapter.status == "ok" else None
        parts.append({"anchor": f"chapter-{index}", "number": len(parts) + 1, "chapter": chapter, "body": body,
                      "toc": [h for h in (body.headings if body else []) if 1 < h.level <= BOOK_TOC_DEPTH]})
    lang = meta.language
    labels = _labels(meta) | {key: t(f"book.{key}", lang) for key in (
        "title", "source", "summary", "run_status", "appendix", "definitions", "nine_box", "rules",
        "sources", "chapter_failed", "status_ok", "status_failed", "notebook", "status", "seconds", "detail",
        "measures", "measure", "definition", "unit", "window", "direction", "chapter", "value_tier", "potential_tier",
        "segment", "rule", "value", "meaning", "definitions_note", "no_summary")}
    return _templates().get_template("book_pdf.html.j2").render(
        meta=meta, labels=labels, lang=HTML_LANG[lang], summary=summary, sources=sources, chapters=parts, runs=chapters,
        definitions=_definitions(lang, segmentation, {part["chapter"].name: part["number"] for part in parts},
                                 ranked_by),
        source=source, log_file=log_file,
        page_of=_css_counters("render.page_of", lang, "page", "pages"),
        **_font_context(lang))


def write_book(path: Path, chapters: list[Chapter], meta: ReportMeta, *, source: str, log_file: str,
               segmentation: Segmentation, ranked_by: str | None = None) -> Path:
    """Write the report book PDF.

    Parameters
    ----------
    path : Path
        The PDF to write (see :func:`book_path`).
    chapters : list of Chapter
        Every notebook of the run in run order, failed ones included (they get a page saying so).
    meta : ReportMeta
        Cover and header facts; ``meta.title`` is the book's title.
    source : str
        The data source named on the cover (never a password: callers pass a described source).
    log_file : str
        Where the run's log is, named on the run-status page.
    segmentation : Segmentation
        The run's segmentation rules, listed in the appendix.
    ranked_by : str, optional
        The score that ranks the run's customers into retention bands (``customer_health.csv``), named by the
        definitions of the measures built on the bands.

    Returns
    -------
    Path
        The file written.
    """
    html = book_html(chapters, meta, source=source, log_file=log_file, segmentation=segmentation,
                     ranked_by=ranked_by)
    with quiet_weasyprint():
        pdf = weasyprint.HTML(string=html, url_fetcher=weasyprint.URLFetcher(allowed_protocols=LOCAL_URLS)).write_pdf()
    return _write(path, pdf)
