"""Rendering executed notebooks to HTML and PDF: what a reader sees, and what they must not see."""

from __future__ import annotations

import base64
import io
import logging
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd
import pytest
import seaborn as sns
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from pypdf import PdfReader

from crmreport.reporting.body import notebook_body
from crmreport.reporting.meta import ReportMeta
from crmreport.reporting.plots import setup_plotting
from crmreport.reporting.render import quiet_weasyprint, write_html, write_pdf
from crmreport.reporting.tables import LANDSCAPE_COLUMNS

matplotlib.use("Agg")

CODE = "SECRET_SOURCE_LINE = build_segments(customers)"
STDERR = "FutureWarning: STDERR_SHOULD_NOT_SHOW"
ANALYST_NOTE = "ANALYST NOTE: recheck the join on customer_id"
PARAMETER = "PARAMETER_CELL_SOURCE"
HEADINGS = {
    "en": ("Customer segmentation", "Segment overview", "Customer table", "Outreach results"),
    "zh": ("客户分层分析", "客户分层概览", "客户信息分析表", "触达效果"),
}
A4 = (595, 842)


def _markdown(text: str) -> nbformat.NotebookNode:
    return new_output("display_data", data={"text/markdown": text, "text/plain": "<IPython.core.display.Markdown>"})


def _chart(title: str) -> nbformat.NotebookNode:
    """A seaborn bar chart with ``title`` as a base64 PNG display output."""
    with matplotlib.rc_context():
        setup_plotting("zh")
        fig, ax = plt.subplots()
        sns.barplot(x=["核心客户", "增长型客户", "流失预警客户"], y=[120, 80, -15], ax=ax)
        ax.set_title(title)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    return new_output("display_data", data={"image/png": png, "text/plain": "<Figure size 1200x675>"})


def _wide_table() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    columns = {
        "customer_id": [f"C{i:04d}" for i in range(18)],
        "name": ["*经理", "*Manager", "*总监"] * 6,
        "industry": ["manufacturing", "retail", "services"] * 6,
        "size_tier": ["large", "medium", "small"] * 6,
    }
    for name in ("months", "amount", "aov", "orders", "csat", "nps", "complaints", "visits", "rqi", "health", "clv"):
        columns[name] = rng.normal(1000, 400, 18).round(1)
    return pd.DataFrame(columns)


def sample_notebook(language: str) -> nbformat.NotebookNode:
    """An executed-looking notebook with everything a reader should and should not see."""
    title, overview, table, outreach = HEADINGS[language]
    long = pd.DataFrame(
        {"segment": [f"S{i}" for i in range(45)], "customers": range(45), "share": np.linspace(0, 1, 45)}
    )
    styled = pd.DataFrame({"arm": ["A", "B"], "conversion": [0.121, 0.148]}).style.format({"conversion": "{:.1%}"})
    nb = new_notebook()
    nb.cells = [
        new_code_cell(f"{PARAMETER} = 1", metadata={"tags": ["parameters"]}),
        new_code_cell(f"{PARAMETER}_injected = 2", metadata={"tags": ["injected-parameters"]}),
        new_markdown_cell(ANALYST_NOTE, metadata={"tags": ["analyst-only"]}),
        new_code_cell(
            CODE,
            outputs=[
                _markdown(f"# {title}\n\n## {overview}\n\nCore customers grew **12%** / 核心客户增长 12%。"),
                new_output("stream", name="stderr", text=STDERR + "\n"),
                _chart(f"{overview}（万元）"),
                new_output(
                    "execute_result", data={"text/plain": "[<matplotlib.lines.Line2D at 0x7f3a>]"}, execution_count=1
                ),
            ],
        ),
        new_code_cell(
            "show(customers)",
            outputs=[
                _markdown(f"## {table}"),
                new_output(
                    "execute_result", data={"text/html": _wide_table().to_html(), "text/plain": "df"}, execution_count=2
                ),
                new_output("display_data", data={"text/html": long.to_html(index=False), "text/plain": "df"}),
            ],
        ),
        new_code_cell(
            "show(ab)",
            outputs=[
                _markdown(f"## {outreach}\n\n### A/B\n\nThe tiered copy converted better."),
                new_output("display_data", data={"text/html": styled.to_html(), "text/plain": "styler"}),
            ],
        ),
    ]
    return nb


def sample_meta(language: str, masking: bool = False) -> ReportMeta:
    return ReportMeta(
        title="Customer segmentation" if language == "en" else "客户分层分析报告",
        company="Acme Industrial" if language == "en" else "示例制造有限公司",
        period="2025Q3",
        period_start=date(2025, 7, 1),
        period_end=date(2025, 9, 30),
        language=language,
        generated=datetime(2025, 10, 3, 9, 30),
        masking=masking,
        version="0.1.0",
        as_of=date(2025, 10, 1),
    )


def _pages(path: Path) -> list[str]:
    """Text of every page, by poppler's pdftotext when installed (it is the stricter extractor), else pypdf."""
    reader = PdfReader(path)
    if shutil.which("pdftotext") is None:
        return [page.extract_text() for page in reader.pages]
    return [
        subprocess.run(
            ["pdftotext", "-f", str(i), "-l", str(i), "-layout", str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for i in range(1, len(reader.pages) + 1)
    ]


@pytest.fixture(scope="module", params=["en", "zh"])
def pdf(request, tmp_path_factory):
    language = request.param
    path = write_pdf(sample_notebook(language), tmp_path_factory.mktemp(language) / "report.pdf", sample_meta(language))
    return language, path, _pages(path)


@pytest.fixture(scope="module", params=["en", "zh"])
def html(request, tmp_path_factory):
    language = request.param
    path = write_html(
        sample_notebook(language),
        tmp_path_factory.mktemp(language) / "report.html",
        sample_meta(language, masking=True),
    )
    return language, path.read_text(encoding="utf-8")


def test_body_keeps_reader_outputs_only():
    body = notebook_body(sample_notebook("en"), "en")
    assert [h.text for h in body.headings] == [
        "Customer segmentation",
        "Segment overview",
        "Customer table",
        "Outreach results",
        "A/B",
    ]
    assert len({h.id for h in body.headings}) == len(body.headings)
    for hidden in (CODE, STDERR, ANALYST_NOTE, PARAMETER, "Line2D", "In&nbsp;[", "Out["):
        assert hidden not in body.html
    assert 'src="data:image/png;base64,' in body.html
    assert 'class="table-wrap cols-wide"' in body.html
    assert re.search(r'<td class="num token">1?\d{3}\.\d</td>', body.html)


def test_heading_ids_are_stable_and_unique():
    nb = new_notebook(cells=[new_code_cell("x", outputs=[_markdown("## 概览\n\n## 概览\n\n## Plan & results")])])
    first, second = notebook_body(nb, "zh"), notebook_body(nb, "zh")
    assert first.headings == second.headings
    ids = [h.id for h in first.headings]
    assert ids[2] == "sec-plan-results" and ids[1] == f"{ids[0]}-2"


def test_pdf_is_a4_with_cover_contents_and_numbered_pages(pdf):
    language, path, pages = pdf
    reader = PdfReader(path)
    width, height = (round(float(v)) for v in reader.pages[0].mediabox[2:])
    assert (width, height) == A4
    assert any((round(float(p.mediabox[2])), round(float(p.mediabox[3]))) == A4[::-1] for p in reader.pages), (
        "the 15-column table should get a landscape page"
    )
    meta, n = sample_meta(language), len(pages)
    cover = " ".join(pages[0].split())
    assert meta.company in cover and meta.title in cover and "2025Q3" in cover
    assert ("NOT masked" if language == "en" else "个人信息未脱敏") in cover
    # the cover gives the period, the data's as-of date and the render date
    assert ("Data as of 1 October 2025" if language == "en" else "数据截止日 2025-10-01") in cover
    assert ("3 October 2025" if language == "en" else "2025-10-03") in cover
    assert ("Contents" if language == "en" else "目录") in pages[1]
    for number in range(2, n + 1):
        footer = f"Page {number} of {n}" if language == "en" else f"第 {number} 页，共 {n} 页"
        assert footer in pages[number - 1]
    assert "Page 1 of" not in pages[0] and "第 1 页" not in pages[0], "the cover has no footer"


def test_pdf_contents_page_numbers_point_at_headings(pdf):
    language, _, pages = pdf
    for heading in HEADINGS[language]:
        entry = re.search(re.escape(heading) + r"[ .]*?(\d+)\s*$", pages[1], re.MULTILINE)
        assert entry, f"{heading} missing from the contents"
        assert heading in pages[int(entry.group(1)) - 1].replace("\n", " ")


def test_pdf_has_no_code_stderr_or_analyst_notes(pdf):
    language, _, pages = pdf
    text = "\n".join(pages)
    for hidden in (CODE, "SECRET_SOURCE_LINE", "STDERR_SHOULD_NOT_SHOW", "ANALYST NOTE", PARAMETER, "Line2D"):
        assert hidden not in text
    assert HEADINGS[language][1] in text, "heading text must be extractable (CJK glyphs with a ToUnicode map)"


def test_html_has_contents_links_and_no_code(html):
    language, text = html
    for heading in HEADINGS[language]:
        anchor = re.search(r'<a href="#([^"]+)">' + re.escape(heading) + "</a>", text)
        assert anchor, f"no contents link to {heading}"
        assert f'id="{anchor.group(1)}"' in text
    for hidden in (CODE, STDERR, ANALYST_NOTE, PARAMETER):
        assert hidden not in text
    assert not re.search(r'(src|href)="(https?:)?//', text), "the page must be self-contained"
    assert ("Personal data masked" if language == "en" else "个人信息已脱敏") in text


def test_labels_follow_the_language(html):
    language, text = html
    assert ("Contents" if language == "en" else "目录") in text
    assert ("1 July 2025 – 30 September 2025" if language == "en" else "2025-07-01 至 2025-09-30") in text


def test_quiet_weasyprint_restores_log_level():
    weasy = logging.getLogger("weasyprint")
    weasy.setLevel(logging.INFO)
    with quiet_weasyprint():
        assert not weasy.isEnabledFor(logging.WARNING)
    assert weasy.level == logging.INFO


def test_p_values_placeholders_and_zh_points_are_right_aligned_numbers():
    from bs4 import BeautifulSoup

    from crmreport.reporting.tables import _mark_numbers

    soup = BeautifulSoup("<table><thead><tr><th>p</th><th>change</th><th>verdict</th></tr></thead><tbody>"
                         "<tr><td>&lt;0.001</td><td>+3.4 个百分点</td><td>显著改善</td></tr>"
                         "<tr><td>0.250</td><td>–</td><td>无显著变化</td></tr></tbody></table>", "html.parser")
    _mark_numbers(soup.table)
    header = [th.get("class") for th in soup.select("thead th")]
    assert header == [["num"], ["num"], None]
    # the '–' of a missing change sits right-aligned with the numbers of its column
    assert [td.get("class") for td in soup.select("tbody td")] == [["num"], ["num"], None, ["num"], ["num"], None]

    bands = BeautifulSoup("<table><thead><tr><th>days</th><th>tasks</th></tr></thead><tbody><tr><td>1-7</td>"
                          "<td>21</td></tr><tr><td>&gt;90</td><td>9</td></tr></tbody></table>", "html.parser")
    _mark_numbers(bands.table)
    assert [td.get("class") for td in bands.select("tbody td")] == [None, ["num"], None, ["num"]], "'>90' is a band"


def _html_table(rows: int) -> nbformat.NotebookNode:
    frame = pd.DataFrame({"名称": [f"天*有限公司{'甲乙丙'[i % 3]}" for i in range(rows)], "amount": range(rows)})
    return new_output("display_data", data={"text/html": frame.to_html(index=False), "text/plain": "table"})


def test_pdf_page_rules_are_marked_in_the_body():
    cells = [new_code_cell("x", outputs=[_markdown("## Short table\n\nIntro."), _html_table(5), _markdown("Takeaway."),
                                         _markdown("## Long table"), _html_table(40), _markdown("After.")])]
    soup = BeautifulSoup(notebook_body(new_notebook(cells=cells), "zh").html, "html.parser")
    keeps = soup.select("div.keep")
    short = keeps[0]
    assert [child.name for child in short.find_all(recursive=False)] == ["h2", "p", "div", "p"]
    assert short.select_one("div.table-wrap.short") and short.p.get_text() == "Intro."
    lead = soup.select_one("div.keep.lead")
    assert [child.name for child in lead.find_all(recursive=False)] == ["h2"], "a long table is not kept whole"
    long_rows = soup.select("div.table-wrap:not(.short) tbody tr")
    marked = [i for i, row in enumerate(long_rows) if "keep-with-previous" in row.get("class", [])]
    assert marked == [1, 2, 38, 39], "first and last rows never stand alone on a page"
    assert all("token" in td["class"] for td in soup.select("tbody td:first-child")), "short CJK names do not wrap"


def test_a_closing_what_to_do_never_stands_alone_on_a_page():
    closing = _markdown("## What to do\n\n- one\n- two")
    after_short = [new_code_cell("x", outputs=[_markdown("## Owners\n\nIntro."), _html_table(5), _markdown("Note."),
                                               closing])]
    soup = BeautifulSoup(notebook_body(new_notebook(cells=after_short), "en").html, "html.parser")
    last = [tag for tag in soup.select_one("div.notebook").find_all(recursive=False)][-1]
    assert "keep" in last["class"] and last.select_one("div.table-wrap.short") and last.find("ul"), \
        "the closing steps move to the next page with the short table before them"
    after_long = [new_code_cell("x", outputs=[_markdown("## Owners\n\nIntro."), _html_table(40), _markdown("Note."),
                                              closing])]
    soup = BeautifulSoup(notebook_body(new_notebook(cells=after_long), "en").html, "html.parser")
    assert [tag.get_text(" ", strip=True)[:12] for tag in soup.select(".closing")] == ["Note.", "What to do o"], \
        "after a long table the steps and its takeaway take the table's last rows with them"


def test_a_few_tall_rows_may_break_between_any_two_and_an_11_row_table_may_break():
    soup = BeautifulSoup(notebook_body(new_notebook(cells=[new_code_cell("x", outputs=[
        _markdown("## Tall"), _html_table(11)])]), "en").html, "html.parser")
    assert not soup.select_one("div.table-wrap.short"), "more than 10 rows: it may start under the section before"
    action = "维护型客户：7 天内挽留电话，了解需求下降原因并记录在客户档案中" * 3
    frame = pd.DataFrame({"action": [action] * 5, "n": range(5)})
    table = new_output("display_data", data={"text/html": frame.to_html(index=False), "text/plain": "table"})
    soup = BeautifulSoup(notebook_body(new_notebook(cells=[new_code_cell("x", outputs=[table])]), "zh").html,
                         "html.parser")
    assert not soup.select_one("div.table-wrap.short"), "Chinese text counts double: five tall rows are not short"
    assert not soup.select("tr.keep-with-previous"), "a table of a few tall rows may break between any two"


def test_a_table_s_only_column_of_sentences_gets_room():
    frame = pd.DataFrame({"arm": ["SMS text A"] * 3, "verdict": ["significant before adjustment only"] * 3})
    table = new_output("display_data", data={"text/html": frame.to_html(index=False), "text/plain": "table"})
    soup = BeautifulSoup(notebook_body(new_notebook(cells=[new_code_cell("x", outputs=[table])]), "en").html,
                         "html.parser")
    assert all("sole" in td["class"] for td in soup.select("tbody td:nth-of-type(2)"))
    assert all("token" in td["class"] for td in soup.select("tbody td:nth-of-type(1)")), "never 'SMS text / A'"


def test_a_table_of_few_columns_too_wide_for_the_portrait_page_goes_landscape():
    # eight columns of short text (at least 6 em each, plus 0.9 em of padding, at 7.5 pt) fit the 178 mm text
    # block (8 x 6.9 = 55 em of 67); eight columns of sentences (at least 8 em each) do not (8 x 8.9 = 71 em)
    def styled(frame: pd.DataFrame) -> list[str]:
        table = new_output("display_data", data={"text/html": frame.to_html(index=False), "text/plain": "table"})
        soup = BeautifulSoup(notebook_body(new_notebook(cells=[new_code_cell("x", outputs=[table])]), "en").html,
                             "html.parser")
        return soup.select_one("div.table-wrap")["class"]
    words = pd.DataFrame({f"c{i}": ["two words"] * 3 for i in range(8)})
    assert "cols-compact" in styled(words)
    sentences = words.assign(**{f"c{i}": ["a sentence of several words that wraps"] * 3 for i in range(7)},
                             c7=["significant before adjustment only, so not shown"] * 3)
    assert "cols-wide" in styled(sentences)


def test_a_landscape_table_may_split_so_its_heading_never_stands_alone():
    wide = pd.DataFrame({f"column {i}": range(5) for i in range(LANDSCAPE_COLUMNS)})
    table = new_output("display_data", data={"text/html": wide.to_html(index=False), "text/plain": "table"})
    cells = [new_code_cell("x", outputs=[_markdown("## Template 4\n\nIntro."), table])]
    soup = BeautifulSoup(notebook_body(new_notebook(cells=cells), "en").html, "html.parser")
    assert soup.select_one("div.table-wrap.cols-wide") and not soup.select_one("div.table-wrap.short")
    rows = soup.select("tbody tr")
    assert [i for i, row in enumerate(rows) if "keep-with-previous" in row.get("class", [])] == [1, 2, 3, 4]


def test_a_column_of_short_phrases_stays_on_one_line_and_a_column_of_sentences_wraps():
    frame = pd.DataFrame({"group": ["Done on time", "Done late", "Not done"],
                          "verdict": ["no significant change", "insufficient data", "significant improvement"],
                          "customers": [329, 121, 689]})
    table = new_output("display_data", data={"text/html": frame.to_html(index=False), "text/plain": "table"})
    soup = BeautifulSoup(notebook_body(new_notebook(cells=[new_code_cell("x", outputs=[table])]), "en").html,
                         "html.parser")
    assert all("token" in td["class"] for td in soup.select("tbody td:nth-of-type(1)")), "never 'Done / on / time'"
    assert not any("token" in td.get("class", []) for td in soup.select("tbody td:nth-of-type(2)"))
