"""How the report shows a notebook's table: numbers right-aligned, words kept whole, width classes and landscape pages.

Part of :mod:`~crmreport.reporting.body`: each table of a notebook's HTML gets classes for its numbers
(``num``), its one-line cells (``token``), its sentences (``prose``) and its width in columns
(``cols``, ``cols-compact``, ``cols-wide``: a landscape page in the PDF), its one column of sentences when it has
only one (``sole``: wider), and whether the PDF keeps it whole
(``short``); the CSS in ``templates/`` uses them.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

#: in the PDF, tables with at least this many columns get a small font ...
COMPACT_COLUMNS = 8
#: ... and tables with at least this many columns get a landscape page of their own
LANDSCAPE_COLUMNS = 11
#: ... together with at most this many paragraphs between the table and its heading
LANDSCAPE_INTRO_PARAGRAPHS = 3
#: ... as do narrower tables whose narrowest layout (:func:`_narrowest`) is wider than the text block: its width in
#: ems of the table's font (A4 portrait less 2 x 16 mm: 8.5 pt, or 7.5 pt for cols-compact), and the cell padding
BODY_EMS, PADDING_EMS = {"cols": 59.4, "cols-compact": 67.3}, {"cols": 1.2, "cols-compact": 0.9}
#: ... the estimate runs up to this much wider than WeasyPrint's layout (the demo book's tables, en and zh)
NARROWEST_SLACK = 1.03
_NUMBER = re.compile(r"^[<>]?[-+−]?[¥$€£]?\s?\d[\d,]*(\.\d+)?\s?(%|pp|个百分点|[kKMB]|万|亿)?$")
_MISSING = {"", "NaN", "nan", "<NA>", "NaT", "None", "—", "–", "-"}
TOKEN_LENGTH = 16
#: a column whose Latin cells are all phrases this short ('Done on time', 'SMS text A') keeps them on one line
SHORT_PHRASE_LENGTH = 12
#: cells of Chinese text up to this many characters without spaces (a word: 已完成, 无显著变化, 低价值稳定客户)
#: stay on one line ...
CJK_WORD_LENGTH = 7
#: ... and masked company names (天*有限公司) up to this many; longer Chinese text wraps between characters
CJK_NAME_LENGTH = 12
#: ... and Chinese table headers up to this many characters
CJK_HEADER_LENGTH = 6
_CJK = re.compile(r"[\u3400-\u9fff]")
#: ... and the headers of number columns up to this many characters, in a table of fewer than COMPACT_COLUMNS
NUMBER_HEADER_LENGTH = 12
#: a cell longer than this (Latin characters, or Chinese ones) is a sentence: its column is never narrow
PROSE_LENGTH, PROSE_CJK_LENGTH = 24, 12
#: a results file with its row, as the executive summary cites it ('kpi_changes.csv:17'): never split
_FILE_REF = re.compile(r"^(?:\d{4}Q\d/)?[\w.-]+\.(?:csv|xlsx)(?::\d+)?$")
#: a table with at most this many body rows is kept on one page (the PDF moves it whole to the next); a longer one
#: may break, so it starts under the section before it instead of leaving that section's last rows alone on a page
SHORT_TABLE_ROWS = 10
#: ... and at most this many estimated lines (rows of long text wrap: such a table may be taller than a page)
SHORT_TABLE_LINES = 30
#: characters of a text cell per line, for that estimate
CELL_LINE_CHARS = 25
#: ... at most: the characters of a line across the page, shared by the columns (10 columns: 14 a cell)
PAGE_LINE_CHARS = 140
#: ... a longer one keeps at least this many rows together at its start and its end
KEEP_ROWS = 3


def style_table(soup: BeautifulSoup, table: Tag) -> None:
    """Mark numbers, then wrap the table by its width in columns (scrolling in HTML, font and page in the PDF)."""
    table.attrs.pop("border", None)
    for row in table.select("thead tr"):
        row.attrs.pop("style", None)
    _mark_numbers(table)
    _mark_tokens(table)
    prose = {i for row in table.select("tbody tr") for i, cell in enumerate(row.find_all(["th", "td"], recursive=False))
             if "prose" in cell.get("class", [])}
    if len(prose) == 1:  # the one column of sentences (a verdict) gets the room the others leave: two lines, not four
        for cell in table.select("tbody td.prose"):
            cell["class"] = [*cell["class"], "sole"]
    columns = max(
        (sum(int(cell.get("colspan", 1)) for cell in row.find_all(["th", "td"])) for row in table.find_all("tr")),
        default=0,
    )
    width = "cols-wide" if columns >= LANDSCAPE_COLUMNS else "cols-compact" if columns >= COMPACT_COLUMNS else "cols"
    if width == "cols":  # a short header over numbers stays on one line ('Done on time', not 'Done/on/time')
        for cell in table.select("thead th.num"):
            if len(cell.get_text(strip=True)) <= NUMBER_HEADER_LENGTH:
                cell["class"] = [*cell.get("class", []), "token"]
    if width != "cols-wide" and _narrowest(table, PADDING_EMS[width]) > BODY_EMS[width] * NARROWEST_SLACK:
        width = "cols-wide"  # it would run over the right margin, where the PDF cuts it
    rows = table.select("tbody tr")
    # a landscape table is never kept whole: its wide, wrapping rows rarely fit under its heading and
    # introduction, and moving it whole would leave them alone on a page
    lines = _lines(rows, columns)
    short = " short" if width != "cols-wide" and len(rows) <= SHORT_TABLE_ROWS and lines <= SHORT_TABLE_LINES else ""
    few_tall = len(rows) <= 2 * KEEP_ROWS and lines > SHORT_TABLE_LINES  # a page's worth of wrapped text in few rows
    if not short and not few_tall:  # a long table may break, but never leaves its first or last rows alone on a
        # page; a few tall rows may break between any two, or the table leaves half a page empty before it
        for row in rows[1:KEEP_ROWS] + rows[-KEEP_ROWS + 1:]:
            row["class"] = [*row.get("class", []), "keep-with-previous"]
    table.wrap(soup.new_tag("div", attrs={"class": f"table-wrap {width}{short}"}))
    block = table.find_parent(lambda tag: tag.parent is not None and tag.parent.name == "[document]")
    if width == "cols-wide" and block is not None:
        _to_landscape(block)


def _lines(rows: list[Tag], columns: int) -> int:
    """Estimated printed lines of table rows: each row as high as its longest cell wraps (Chinese characters
    counting double), a cell's line being narrower the more columns share the page."""
    per_line = min(CELL_LINE_CHARS, PAGE_LINE_CHARS // max(columns, 1))
    return sum(max((-(-_width(cell.get_text(strip=True)) // per_line) for cell in row.find_all(["th", "td"])),
                   default=1) or 1 for row in rows)


def _narrowest(table: Tag, padding: float) -> float:
    """The narrowest the table can be laid out, in ems of its font: each column as wide as its widest one-line
    cell (``num``, ``token``), longest word, or text cell's minimum width (``min-width`` in pdf.css.j2), plus
    padding."""
    columns: dict[int, float] = {}
    for row in table.find_all("tr"):
        for column, cell in enumerate(row.find_all(["th", "td"], recursive=False)):
            columns[column] = max(columns.get(column, 0.0), _cell_ems(cell))
    return sum(width + padding for width in columns.values())


def _cell_ems(cell: Tag) -> float:
    """A cell's narrowest width in ems: a Latin character is about 0.55 em, a Chinese one 1 em (Chinese text breaks
    between any two characters)."""
    classes, text = cell.get("class", []), cell.get_text(" ", strip=True)
    if "token" in classes or ("num" in classes and cell.name == "td"):  # one line
        chinese = len(_CJK.findall(text))
        return chinese + (len(text) - chinese) * 0.55
    longest = max((2.0 if _CJK.search(word) else len(word) * 0.55 for word in text.split()), default=0.0)
    floor = 0 if cell.name == "th" else 11 if "sole" in classes else 8 if "prose" in classes else 6
    return max(longest, floor)


def _width(text: str) -> int:
    """The width of ``text`` in Latin characters: a Chinese character is about two."""
    return len(text) + len(_CJK.findall(text))


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

    That is every cell of a column holding only short single words (ids, dates, tiers) or only short Latin
    phrases ('Done on time', 'SMS text A': never 'Done / on / time'), any short
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
        whole = all(_word(text) for text in texts) or all(
            len(text) <= SHORT_PHRASE_LENGTH and not _CJK.search(text) for text in texts)
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
