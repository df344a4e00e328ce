"""Executed notebooks -> a styled HTML page for analysts and an A4 PDF for management.

The notebook body comes from nbconvert's minimal ``basic`` template with code, prompts,
analyst notes, papermill parameters and stderr left out; the page around it (cover,
contents, running header and footer, table and chart styling) comes from the Jinja and
CSS templates in ``crmreport/templates``. Every label a reader sees is a ``render.*``
message of the catalog.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import NamedTuple

import jinja2
import nbformat
import weasyprint
from bs4 import BeautifulSoup, Tag
from nbconvert import HTMLExporter

from crmreport.errors import ParamsError, RenderError
from crmreport.i18n import LANGUAGES, Language, t

logger = logging.getLogger("crmreport")

#: cells carrying one of these tags never reach a reader
HIDDEN_TAGS = frozenset({"analyst-only", "parameters", "injected-parameters"})
#: headings down to this level are listed in the contents
TOC_DEPTH = 3
#: in the PDF, tables with at least this many columns get a small font ...
COMPACT_COLUMNS = 8
#: ... and tables with at least this many columns get a landscape page of their own
LANDSCAPE_COLUMNS = 11
#: ... together with at most this many paragraphs between the table and its heading
LANDSCAPE_INTRO_PARAGRAPHS = 3
#: image outputs that get the catalog's alt text when the notebook gave none
IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})
#: the nbconvert wrappers unwrapped so that outputs are siblings (page breaks and named pages need that)
WRAPPERS = ("cell", "inner_cell", "text_cell_render", "output_wrapper", "output", "output_area", "output_markdown")
#: the PDF never reaches the network: charts are embedded, a configured CJK font is a local file
LOCAL_URLS = frozenset({"data", "file"})
#: loggers that report unsupported CSS and font subsetting details while a PDF is written
WEASYPRINT_LOGGERS = ("weasyprint", "fontTools")

_NUMBER = re.compile(r"^[<>]?[-+−]?[¥$€£]?\s?\d[\d,]*(\.\d+)?\s?(%|pp|个百分点|[kKMB]|万|亿)?$")
_MISSING = {"", "NaN", "nan", "<NA>", "NaT", "None", "—", "–", "-"}
#: text-only results such as ``[<matplotlib.lines.Line2D at 0x7f...>]`` or ``Text(0.5, 1.0, 'x')``
_REPR_NOISE = re.compile(r"^\[?<[^>]+>\]?$|^Text\(.*\)$", re.DOTALL)
#: the ``lang`` attribute per report language: zh-Hans makes CJK fonts pick Simplified Chinese glyph forms
HTML_LANG = {"en": "en", "zh": "zh-Hans"}


@dataclass(frozen=True)
class ReportMeta:
    """What the cover, the page header and the page title say about one report."""

    title: str
    company: str
    period: str
    period_start: date
    period_end: date
    language: Language
    generated: datetime
    masking: bool
    version: str

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ParamsError(f"report language {self.language!r} is not supported; use one of {', '.join(LANGUAGES)}")


class Heading(NamedTuple):
    """One heading of a rendered notebook: level 1-6, its anchor id and its text."""

    level: int
    id: str
    text: str


@dataclass(frozen=True)
class ReportBody:
    """The reader-facing part of a notebook as an HTML fragment, and its headings in order."""

    html: str
    headings: list[Heading]


def notebook_body(nb: nbformat.NotebookNode, language: Language = "en") -> ReportBody:
    """Render the reader-facing outputs of an executed notebook as an HTML fragment.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook; it is not modified.
    language : {'en', 'zh'}
        Language of the report, set as the fragment's ``lang`` so CJK text gets Chinese glyph forms.

    Returns
    -------
    ReportBody
        The fragment (no code, prompts, analyst notes, parameters or stderr; images embedded
        as base64 PNG) and its headings, each with a stable id unique within the fragment.
    """
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    html, _ = exporter.from_notebook_node(_reader_notebook(nb, language))
    soup = BeautifulSoup(html, "html.parser")
    for wrapper in soup.find_all("div", class_=WRAPPERS):
        wrapper.unwrap()
    for table in soup.find_all("table"):
        _style_table(soup, table)
    headings = _anchor_headings(soup)
    return ReportBody(html=f'<div class="notebook" lang="{HTML_LANG[language]}">{soup}</div>', headings=headings)


def write_html(nb: nbformat.NotebookNode, path: str | Path, meta: ReportMeta) -> Path:
    """Write the analysts' report: one self-contained HTML file with contents, styled tables and charts.

    Returns
    -------
    Path
        The file written.
    """
    return _write(Path(path), _page("report.html.j2", nb, meta).encode("utf-8"))


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


def _reader_notebook(nb: nbformat.NotebookNode, language: Language) -> nbformat.NotebookNode:
    """A copy of ``nb`` without hidden cells, stderr streams and text-only object reprs; images get alt text."""
    reader = copy.deepcopy(nb)
    reader.cells = [cell for cell in reader.cells if not HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", []))]
    for cell in reader.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = [out for out in cell.outputs if not _is_noise(out)]
        for out in cell.outputs:
            for mimetype in IMAGE_TYPES & set(out.get("data", {})):
                out.setdefault("metadata", {}).setdefault(mimetype, {}).setdefault("alt", t("render.chart", language))
    return reader


def _is_noise(output: nbformat.NotebookNode) -> bool:
    if output.output_type == "stream":
        return output.name == "stderr"
    data = output.get("data", {})
    return (
        output.output_type == "execute_result"
        and set(data) == {"text/plain"}
        and bool(_REPR_NOISE.match(data["text/plain"].strip()))
    )


TOKEN_LENGTH = 16


def _style_table(soup: BeautifulSoup, table: Tag) -> None:
    """Mark numbers, then wrap the table by its width in columns (scrolling in HTML, font and page in the PDF)."""
    table.attrs.pop("border", None)
    for row in table.select("thead tr"):
        row.attrs.pop("style", None)
    _mark_numbers(table)
    _mark_tokens(table)
    columns = max(
        (sum(int(cell.get("colspan", 1)) for cell in row.find_all(["th", "td"])) for row in table.find_all("tr")),
        default=0,
    )
    width = "cols-wide" if columns >= LANDSCAPE_COLUMNS else "cols-compact" if columns >= COMPACT_COLUMNS else "cols"
    table.wrap(soup.new_tag("div", attrs={"class": f"table-wrap {width}"}))
    block = table.find_parent(lambda tag: tag.parent is not None and tag.parent.name == "[document]")
    if width == "cols-wide" and block is not None:
        _to_landscape(block)


def _mark_numbers(table: Tag) -> None:
    """Class ``num`` (right-aligned) on numeric cells, and on the header of columns holding only numbers."""
    numeric: dict[int, bool] = {}
    for row in table.select("tbody tr"):
        for column, cell in enumerate(row.find_all(["th", "td"], recursive=False)):
            text = cell.get_text(strip=True)
            if cell.name == "td" and _NUMBER.match(text):
                cell["class"] = [*cell.get("class", []), "num"]
                numeric.setdefault(column, True)
            elif text not in _MISSING:
                numeric[column] = False
    header = table.select("thead tr")
    for column, cell in enumerate(header[-1].find_all(["th", "td"], recursive=False) if header else []):
        if numeric.get(column):
            cell["class"] = [*cell.get("class", []), "num"]


def _mark_tokens(table: Tag) -> None:
    """Class ``token`` (kept on one line) on cells of columns holding only short single words: ids, dates, tiers."""
    cells: dict[int, list[Tag]] = {}
    for row in table.select("tbody tr"):
        for column, cell in enumerate(row.find_all(["th", "td"], recursive=False)):
            cells.setdefault(column, []).append(cell)
    for column_cells in cells.values():
        texts = [cell.get_text(strip=True) for cell in column_cells]
        if all(len(text) <= TOKEN_LENGTH and not any(ch.isspace() for ch in text) for text in texts):
            for cell in column_cells:
                cell["class"] = [*cell.get("class", []), "token"]


def _to_landscape(block: Tag) -> None:
    """Put a top-level block, with the headings and the short paragraphs introducing it, on a landscape page."""
    group, heading_seen = [block], False
    for sibling in block.find_previous_siblings():
        if re.fullmatch(r"h[1-6]", sibling.name):
            heading_seen = True
        elif heading_seen or sibling.name != "p" or len(group) > LANDSCAPE_INTRO_PARAGRAPHS:
            break
        group.append(sibling)
    for tag in group:
        tag["class"] = [*tag.get("class", []), "landscape"]


def _anchor_headings(soup: BeautifulSoup) -> list[Heading]:
    """Give every heading an id derived from its text (hash for non-Latin text), unique in the page."""
    headings: list[Heading] = []
    seen: set[str] = set()
    for tag in soup.find_all(re.compile(r"^h[1-6]$")):
        text = tag.get_text(" ", strip=True)
        words = re.findall(r"[a-z0-9]+", text.lower())
        base = "sec-" + ("-".join(words)[:48] if words else hashlib.sha1(text.encode()).hexdigest()[:8])
        anchor, n = base, 1
        while anchor in seen:
            n += 1
            anchor = f"{base}-{n}"
        seen.add(anchor)
        tag["id"] = anchor
        headings.append(Heading(int(tag.name[1]), anchor, text))
    return headings


@cache
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("crmreport", "templates"),
        autoescape=jinja2.select_autoescape(["html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["css_string"] = _css_string
    return env


def _page(name: str, nb: nbformat.NotebookNode, meta: ReportMeta) -> str:
    body = notebook_body(nb, meta.language)
    font = os.environ.get("CRMREPORT_CJK_FONT")  # the font plots.py also gives matplotlib
    template = _templates().get_template(name)
    return template.render(
        meta=meta,
        body=body,
        toc=[h for h in body.headings if h.level <= TOC_DEPTH],
        labels=_labels(meta),
        lang=HTML_LANG[meta.language],
        page_of=_css_counters("render.page_of", meta.language, "page", "pages"),
        cjk_font_url=Path(font).resolve().as_uri() if font else None,
    )


def _labels(meta: ReportMeta) -> dict[str, str]:
    lang = meta.language
    start, end = (t("render.date", lang, value=day) for day in (meta.period_start, meta.period_end))
    labels = {key: t(f"render.{key}", lang) for key in ("contents", "period", "generated", "version")}
    return labels | {
        "dates": t("render.period_dates", lang, start=start, end=end),
        "generated_at": t("render.datetime", lang, value=meta.generated),
        "masking": t("render.masked" if meta.masking else "render.not_masked", lang),
        "masking_warning": "" if meta.masking else t("render.not_masked_warning", lang),
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
