"""An executed notebook's reader-facing outputs as an HTML fragment: no code, styled tables, anchored headings.

nbconvert's minimal ``basic`` template with code, prompts, analyst notes, papermill parameters
and stderr left out; tables get classes for numbers, one-line tokens and width (the CSS in
``templates/`` uses them); headings get stable ids for the contents.
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from typing import NamedTuple

import nbformat
from bs4 import BeautifulSoup, Tag
from nbconvert import HTMLExporter

from ..core.i18n import Language, t

#: cells carrying one of these tags never reach a reader
HIDDEN_TAGS = frozenset({"analyst-only", "parameters", "injected-parameters"})
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
_NUMBER = re.compile(r"^[<>]?[-+−]?[¥$€£]?\s?\d[\d,]*(\.\d+)?\s?(%|pp|个百分点|[kKMB]|万|亿)?$")
_MISSING = {"", "NaN", "nan", "<NA>", "NaT", "None", "—", "–", "-"}
#: text-only results such as ``[<matplotlib.lines.Line2D at 0x7f...>]`` or ``Text(0.5, 1.0, 'x')``
_REPR_NOISE = re.compile(r"^\[?<[^>]+>\]?$|^Text\(.*\)$", re.DOTALL)
#: the ``lang`` attribute per report language: zh-Hans makes CJK fonts pick Simplified Chinese glyph forms
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
TOKEN_LENGTH = 16
#: cells of Chinese text up to this many characters without spaces (a word: 已完成, 无显著变化) stay on one line ...
CJK_WORD_LENGTH = 6
#: ... and masked company names (天*有限公司) up to this many; longer Chinese text wraps between characters
CJK_NAME_LENGTH = 12
#: ... and Chinese table headers up to this many characters
CJK_HEADER_LENGTH = 6
_CJK = re.compile(r"[\u3400-\u9fff]")
#: a cell longer than this (Latin characters, or Chinese ones) is a sentence: its column is never narrow
PROSE_LENGTH, PROSE_CJK_LENGTH = 24, 12
#: a results file with its row, as the executive summary cites it ('kpi_changes.csv:17'): never split
_FILE_REF = re.compile(r"^(?:\d{4}Q\d/)?[\w.-]+\.(?:csv|xlsx)(?::\d+)?$")
#: a table with at most this many body rows is kept on one page (the PDF moves it whole to the next)
SHORT_TABLE_ROWS = 15
#: ... and at most this many estimated lines (rows of long text wrap: such a table may be taller than a page)
SHORT_TABLE_LINES = 30
#: characters of a text cell per line, for that estimate
CELL_LINE_CHARS = 25
#: ... a longer one keeps at least this many rows together at its start and its end
KEEP_ROWS = 3
#: a heading is kept on the page of at most this many following paragraphs and the block after them
KEEP_PARAGRAPHS = 2


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
    _keep_headings_with_content(soup)
    headings = _anchor_headings(soup)
    return ReportBody(html=f'<div class="notebook" lang="{HTML_LANG[language]}">{soup}</div>', headings=headings)


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
    rows = table.select("tbody tr")
    # a landscape table is never kept whole: its wide, wrapping rows rarely fit under its heading and
    # introduction, and moving it whole would leave them alone on a page
    short = " short" if width != "cols-wide" and len(rows) <= SHORT_TABLE_ROWS \
        and _lines(rows) <= SHORT_TABLE_LINES else ""
    if not short:  # a long table may break, but never leaves its first or last rows alone on a page
        for row in rows[1:KEEP_ROWS] + rows[-KEEP_ROWS + 1:]:
            row["class"] = [*row.get("class", []), "keep-with-previous"]
    table.wrap(soup.new_tag("div", attrs={"class": f"table-wrap {width}{short}"}))
    block = table.find_parent(lambda tag: tag.parent is not None and tag.parent.name == "[document]")
    if width == "cols-wide" and block is not None:
        _to_landscape(block)


def _lines(rows: list[Tag]) -> int:
    """Estimated printed lines of table rows: each row as high as its longest cell wraps."""
    return sum(max((-(-len(cell.get_text(strip=True)) // CELL_LINE_CHARS) for cell in row.find_all(["th", "td"])),
                   default=1) or 1 for row in rows)


def _mark_numbers(table: Tag) -> None:
    """Class ``num`` (right-aligned) on the cells and header of columns holding only numbers (and '–').

    A column of bands such as '1-7', '8-30', '>90' holds text, so its '>90' stays left-aligned with the others."""
    numeric: dict[int, bool] = {}
    for row in table.select("tbody tr"):
        for column, cell in enumerate(row.find_all(["th", "td"], recursive=False)):
            text = cell.get_text(strip=True)
            if cell.name == "td" and _NUMBER.match(text):
                numeric.setdefault(column, True)
            elif text not in _MISSING:
                numeric[column] = False
    header = table.select("thead tr")
    for column, cell in enumerate(header[-1].find_all(["th", "td"], recursive=False) if header else []):
        if numeric.get(column):
            cell["class"] = [*cell.get("class", []), "num"]
    for row in table.select("tbody tr"):  # the '–' of a missing number sits where the numbers are
        for column, cell in enumerate(row.find_all(["th", "td"], recursive=False)):
            if numeric.get(column) and cell.name == "td":
                cell["class"] = [*cell.get("class", []), "num"]


def _mark_tokens(table: Tag) -> None:
    """Class ``token`` (kept on one line) on cells that must not wrap.

    That is every cell of a column holding only short single words (ids, dates, tiers), any short
    Chinese word or masked company name without spaces (已完成, 天*有限公司), and a results file
    reference ('customer_base_summary.csv:2'). Longer Chinese phrases wrap between characters, so a
    table of Chinese text fits the page.
    """
    cells: dict[int, list[Tag]] = {}
    for row in table.select("tbody tr"):
        for column, cell in enumerate(row.find_all(["th", "td"], recursive=False)):
            cells.setdefault(column, []).append(cell)
    for cell in table.select("thead th"):  # a short Chinese header is one word: 读取行数, not 读取行/数
        text = cell.get_text(strip=True)
        if len(text) <= CJK_HEADER_LENGTH and _CJK.search(text) and not any(c.isspace() for c in text):
            cell["class"] = [*cell.get("class", []), "token"]
    for column_cells in cells.values():
        texts = [cell.get_text(strip=True) for cell in column_cells]
        whole = all(_word(text) for text in texts)
        for cell, text in zip(column_cells, texts, strict=True):
            if len(text) > (PROSE_CJK_LENGTH if _CJK.search(text) else PROSE_LENGTH):
                cell["class"] = [*cell.get("class", []), "prose"]  # a sentence: its column gets room to read
            if whole or _FILE_REF.match(text) or _word(text, cjk_only=True) or (
                    "*" in text and len(text) <= CJK_NAME_LENGTH and _CJK.search(text)
                    and not any(c.isspace() for c in text)):
                cell["class"] = [*cell.get("class", []), "token"]


def _word(text: str, cjk_only: bool = False) -> bool:
    """True for a single word: no space, at most :data:`TOKEN_LENGTH` characters (:data:`CJK_WORD_LENGTH` for Chinese,
    whose phrases have no spaces to break at). ``cjk_only`` asks for a Chinese word only."""
    if any(ch.isspace() for ch in text):
        return False
    if _CJK.search(text):
        return len(text) <= CJK_WORD_LENGTH
    return not cjk_only and len(text) <= TOKEN_LENGTH


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


def _keep_headings_with_content(soup: BeautifulSoup) -> None:
    """Wrap each heading with its introduction and the block after it in ``div.keep``, so no page ends on a heading.

    The group is a run of headings, up to :data:`KEEP_PARAGRAPHS` paragraphs and the next chart or
    table with its takeaway paragraph (a table only when it is short enough to keep whole: otherwise
    the group is marked ``lead`` and the PDF keeps it with the table's first rows). Any other chart
    or short table keeps its takeaway too, so no page holds a lone paragraph. Landscape groups keep
    their own page.
    """
    top = [tag for tag in soup.children if isinstance(tag, Tag)]
    i = 0
    while i < len(top):
        if not re.fullmatch(r"h[1-6]", top[i].name) or "landscape" in top[i].get("class", []):
            i += 1
            continue
        group, j = [], i
        while j < len(top) and re.fullmatch(r"h[1-6]", top[j].name):  # a heading, its intro, and any subheading
            group.append(top[j])
            j += 1
            paragraphs = 0
            while j < len(top) and top[j].name == "p" and paragraphs < KEEP_PARAGRAPHS:
                group.append(top[j])
                paragraphs, j = paragraphs + 1, j + 1
        lead = False
        if j < len(top) and top[j].name == "div" and "landscape" not in top[j].get("class", []):
            if _whole(top[j]):
                group.append(top[j])
                j += 1
                if j < len(top) and top[j].name == "p":  # the takeaway under a chart or table
                    group.append(top[j])
                    j += 1
            else:
                lead = True
        if any("landscape" in tag.get("class", []) for tag in group):
            i = j
            continue
        _wrap_keep(soup, group, "keep lead" if lead else "keep")
        i = j
    top = [tag for tag in soup.children if isinstance(tag, Tag)]
    for block, after in zip(top, top[1:], strict=False):  # a chart or short table keeps its takeaway
        if block.name == "div" and _whole(block) and after.name == "p" and "landscape" not in block.get("class", []):
            _wrap_keep(soup, [block, after], "keep")


def _whole(block: Tag) -> bool:
    """True for a chart or a short table: a block the PDF never splits."""
    return block.find("table") is None or block.find(class_="short") is not None


def _wrap_keep(soup: BeautifulSoup, group: list[Tag], classes: str) -> None:
    keep = soup.new_tag("div", attrs={"class": classes})
    group[0].insert_before(keep)
    for tag in group:
        keep.append(tag.extract())


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
