"""Executed notebooks -> a styled HTML page for analysts and an A4 PDF for management.

The notebook body comes from nbconvert's minimal ``basic`` template with code, prompts,
analyst notes, papermill parameters and stderr left out; the page around it (cover,
contents, running header and footer, table and chart styling) comes from the Jinja and
CSS templates in ``crmreport/templates``. Every label a reader sees is a ``render.*``
message of the catalog.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import cache
from pathlib import Path

import jinja2
import nbformat
import weasyprint

from ..core.errors import RenderError
from ..core.i18n import Language, t
from .body import HTML_LANG, notebook_body
from .fonts import CUSTOM_CJK_FAMILY, cjk_override, font_stack
from .meta import ReportMeta

logger = logging.getLogger("crmreport")

#: headings down to this level are listed in the contents
TOC_DEPTH = 3
#: the PDF never reaches the network: charts are embedded, a configured CJK font is a local file
LOCAL_URLS = frozenset({"data", "file"})
#: loggers that report unsupported CSS and font subsetting details while a PDF is written
WEASYPRINT_LOGGERS = ("weasyprint", "fontTools")


def write_html(nb: nbformat.NotebookNode, path: str | Path, meta: ReportMeta) -> Path:
    """Write the analysts' report: one self-contained HTML file with contents, styled tables and charts.

    Returns
    -------
    Path
        The file written.
    """
    return _write(Path(path), link_results(_page("report.html.j2", nb, meta)).encode("utf-8"))


_RESULT_FILE = re.compile(r"(<a\b[^>]*>.*?</a>)|(?<![\w/\"'=])(<code>)?(results/[\w-]+\.(?:csv|xlsx))(</code>)?",
                          re.DOTALL)


def link_results(html: str) -> str:
    """Make every ``results/<name>.csv`` (or ``.xlsx``) the text mentions a link to that file of the report."""
    def link(match: re.Match[str]) -> str:
        if match[1]:
            return match[1]  # already a link
        return f'<a href="{match[3]}">{match[2] or ""}{match[3]}{match[4] or ""}</a>'

    return _RESULT_FILE.sub(link, html)


def write_pdf(nb: nbformat.NotebookNode, path: str | Path, meta: ReportMeta, *, quiet: bool = True) -> Path:
    """Write the management report: an A4 PDF with cover, contents with page numbers, header and footer.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.
    path : str or Path
        Where to write the PDF; missing folders are created.
    meta : ReportMeta
        Cover and header facts.
    quiet : bool
        Keep WeasyPrint's warnings (unsupported CSS in notebook outputs) out of the run log.

    Returns
    -------
    Path
        The file written.
    """
    html = _page("report_pdf.html.j2", nb, meta)
    with quiet_weasyprint() if quiet else nullcontext():
        pdf = weasyprint.HTML(string=html, url_fetcher=weasyprint.URLFetcher(allowed_protocols=LOCAL_URLS)).write_pdf()
    return _write(Path(path), pdf)


@contextmanager
def quiet_weasyprint(level: int = logging.ERROR) -> Iterator[None]:
    """Raise WeasyPrint's (and fontTools') log level inside the block, then restore it."""
    loggers = [logging.getLogger(name) for name in WEASYPRINT_LOGGERS]
    previous = [each.level for each in loggers]
    for each in loggers:
        each.setLevel(level)
    try:
        yield
    finally:
        for each, old in zip(loggers, previous, strict=True):
            each.setLevel(old)


@cache
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("crmreport.reporting", "templates"),
        autoescape=jinja2.select_autoescape(["html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["css_string"] = _css_string
    return env


def _page(name: str, nb: nbformat.NotebookNode, meta: ReportMeta) -> str:
    body = notebook_body(nb, meta.language)
    template = _templates().get_template(name)
    return template.render(
        meta=meta,
        body=body,
        toc=[h for h in body.headings if h.level <= TOC_DEPTH],
        labels=_labels(meta),
        lang=HTML_LANG[meta.language],
        page_of=_css_counters("render.page_of", meta.language, "page", "pages"),
        **_font_context(meta.language, pdf=name == "report_pdf.html.j2"),
    )


def _font_context(language: Language, pdf: bool = True) -> dict[str, object]:
    """What the templates need to name the report fonts: the stack, and a ``CRMREPORT_CJK_FONT`` file.

    The PDF names the fonts only; the HTML ends on ``sans-serif`` as a browser may lack them.
    """
    font = cjk_override()  # the file plots.py also gives matplotlib
    return {"fonts": font_stack(language, css=True), "generic_font": "" if pdf else "sans-serif",
            "cjk_font_url": font.as_uri() if font else None, "custom_cjk_family": CUSTOM_CJK_FAMILY}


def _labels(meta: ReportMeta) -> dict[str, str]:
    lang = meta.language
    start, end = (t("render.date", lang, value=day) for day in (meta.period_start, meta.period_end))
    labels = {key: t(f"render.{key}", lang) for key in ("contents", "period", "generated", "version", "as_of")}
    return labels | {
        "as_of_date": t("render.date", lang, value=meta.as_of) if meta.as_of else "",
        "dates": t("render.period_dates", lang, start=start, end=end),
        "generated_at": t("render.datetime", lang, value=meta.generated),
        "masking": t("render.masked" if meta.masking else "render.not_masked", lang),
        "masking_warning": "" if meta.masking else t("render.not_masked_warning", lang),
        "demo": t("render.demo_data", lang) if meta.demo else "",
    }


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string, safe inside a ``<style>`` element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ").replace("<", "\\3C ")
    return f'"{escaped}"'


def _css_counters(key: str, language: Language, *counters: str) -> str:
    """A catalog message whose placeholders are CSS counters, as a ``content`` value.

    ``Page {page} of {pages}`` becomes ``"Page " counter(page) " of " counter(pages)``.
    """
    text = t(key, language, **{name: f"\0{name}\0" for name in counters})
    parts = text.split("\0")
    return " ".join(f"counter({part})" if i % 2 else _css_string(part) for i, part in enumerate(parts) if part)


def _write(path: Path, content: bytes) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as exc:
        raise RenderError(f"cannot write the report to {path}: {exc.strerror}; check the folder is writable") from exc
    logger.debug("wrote %s", path)
    return path
