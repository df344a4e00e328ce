"""An executed notebook's reader-facing outputs as an HTML fragment: no code, styled tables, anchored headings.

nbconvert's minimal ``basic`` template with code, prompts, analyst notes, papermill parameters
and stderr left out; tables get classes for numbers, one-line tokens and width (:mod:`.tables`; the CSS in
``templates/`` uses them); headings get stable ids for the contents. A Chinese body gets
:func:`~crmreport.core.i18n.zh_typography` on every text, the data values of its tables included.
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

from ..core.i18n import Language, t, zh_typography
from .tables import style_table

#: cells carrying one of these tags never reach a reader
HIDDEN_TAGS = frozenset({"analyst-only", "parameters", "injected-parameters"})
#: image outputs that get the catalog's alt text when the notebook gave none
IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})
#: the nbconvert wrappers unwrapped so that outputs are siblings (page breaks and named pages need that)
WRAPPERS = ("cell", "inner_cell", "text_cell_render", "output_wrapper", "output", "output_area", "output_markdown")
#: text-only results such as ``[<matplotlib.lines.Line2D at 0x7f...>]`` or ``Text(0.5, 1.0, 'x')``
_REPR_NOISE = re.compile(r"^\[?<[^>]+>\]?$|^Text\(.*\)$", re.DOTALL)
#: the ``lang`` attribute per report language: zh-Hans makes CJK fonts pick Simplified Chinese glyph forms
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
#: a heading is kept on the page of at most this many following paragraphs (or lists) and the block after them
KEEP_PARAGRAPHS = 2
#: the blocks of running text: paragraphs and lists ("What to do" is a heading and a list)
TEXT_BLOCKS = ("p", "ul", "ol")
#: a list of at most this many items is kept with its heading (a longer one flows from page to page)
KEEP_LIST_ITEMS = 3


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
    if language == "zh":  # data values in tables too ('"欢迎回来"礼包' -> '“欢迎回来”礼包')
        for text in soup.find_all(string=True):
            if text.parent.name not in ("style", "script") and zh_typography(text) != text:
                text.replace_with(zh_typography(text))
    for table in soup.find_all("table"):
        style_table(soup, table)
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


def _keep_headings_with_content(soup: BeautifulSoup) -> None:
    """Wrap each heading with its introduction and the block after it in ``div.keep``, so no page ends on a heading.

    The group is a run of headings, up to :data:`KEEP_PARAGRAPHS` paragraphs or a short list (which ends it)
    and the next chart or table with its takeaway paragraph (a table only when it is short enough to keep
    whole: otherwise the group is marked ``lead`` and the PDF keeps it with the table's first rows). Any other chart
    or short table keeps its takeaway too, so no page holds a lone paragraph. Landscape groups keep
    their own page, and a group of text only right after one (a chapter's closing "What to do") joins its
    page rather than standing alone on a portrait one.
    """
    top = [tag for tag in soup.children if isinstance(tag, Tag)]
    i = 0
    while i < len(top):
        if not re.fullmatch(r"h[1-6]", top[i].name) or "landscape" in top[i].get("class", []):
            i += 1
            continue
        group, j, listed = [], i, False  # a heading, its intro and any subheading; a list closes the group
        while j < len(top) and re.fullmatch(r"h[1-6]", top[j].name) and not listed:
            group.append(top[j])
            j += 1
            paragraphs = 0
            while j < len(top) and paragraphs < KEEP_PARAGRAPHS and not listed and (
                    top[j].name == "p" or top[j].name in TEXT_BLOCKS and _short_list(top[j])):
                group.append(top[j])
                paragraphs, j, listed = paragraphs + 1, j + 1, top[j].name != "p"
        lead = False
        if not listed and j < len(top) and top[j].name == "div" and "landscape" not in top[j].get("class", []):
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
        # a section of text only ('What to do') right after a landscape table shares its page, when it is all
        # in the group (no longer list left to follow on a portrait page)
        after_landscape = i > 0 and "landscape" in top[i - 1].get("class", []) and not lead and all(
            tag.name in TEXT_BLOCKS or re.fullmatch(r"h[1-6]", tag.name) for tag in group) and (
            j == len(top) or top[j].name not in TEXT_BLOCKS)
        _wrap_keep(soup, group, "keep lead" if lead else "keep landscape" if after_landscape else "keep")
        i = j
    top = [tag for tag in soup.children if isinstance(tag, Tag)]
    for block, after in zip(top, top[1:], strict=False):  # a chart or short table keeps its takeaway
        if block.name == "div" and _whole(block) and after.name == "p" and "landscape" not in block.get("class", []):
            _wrap_keep(soup, [block, after], "keep")
    _keep_closing_with_content(soup)


def _keep_closing_with_content(soup: BeautifulSoup) -> None:
    """The notebook's closing section of text ('What to do': a heading and a short list) never stands alone on a
    page: it joins the kept chart or short table before it (both move to the next page together), or, after a long
    table, is marked ``closing`` so the PDF carries the table's last rows over with it."""
    top = [tag for tag in soup.children if isinstance(tag, Tag)]
    if len(top) < 2 or not {"keep"} <= set(top[-1].get("class", [])) or {"landscape", "lead"} & set(
            top[-1].get("class", [])) or not all(
            tag.name in TEXT_BLOCKS or re.fullmatch(r"h[1-6]", tag.name) for tag in top[-1].find_all(recursive=False)):
        return
    before = top[-2]
    kept = before.name == "div" and "landscape" not in before.get("class", []) and (
        "keep" in before.get("class", []) and "lead" not in before.get("class", []) or _whole(before))
    if kept:
        _wrap_keep(soup, [before, top[-1]], "keep")
        return
    tail = [top[-1]]  # and the paragraphs between the table and the section (its takeaway, a note)
    while len(tail) <= KEEP_PARAGRAPHS and top[-len(tail) - 1].name == "p":
        tail.append(top[-len(tail) - 1])
    for tag in tail:
        tag["class"] = [*tag.get("class", []), "closing"]


def _short_list(block: Tag) -> bool:
    """True for a list of at most :data:`KEEP_LIST_ITEMS` items: it stays with its heading; a longer one flows."""
    return len(block.find_all("li", recursive=False)) <= KEEP_LIST_ITEMS


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
