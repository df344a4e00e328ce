"""The report book of the demo period (en and zh, from the session's end-to-end run) read as a manager and an
auditor would: contents entries on their chapter's start page, continuous page numbers, no near-empty page, every
summary figure equal to its CSV; and a two-period backfill whose second summary compares with the first."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from PIL import Image
from pypdf import PdfReader

from crmreport.analyses.summary import claims
from crmreport.analyses.summary.sources import Results, source_value
from crmreport.measures.glossary import MEASURES
from crmreport.reporting.meta import report_title

#: a page's body lies between its running header and its page number (mm from the top and from the bottom: the
#: margins are 20 mm and 18 mm); a page whose content ends above MIN_FILL of the body is near-empty
BODY_TOP_MM, BODY_BOTTOM_MM, MIN_FILL = 22, 20, 0.2
#: the side margins of every page (crmreport/reporting/templates/pdf.css.j2: @page margin ... 16mm), in points
SIDE_MARGIN_PT = 16 * 72 / 25.4
PAGE = {"en": re.compile(r"Page (\d+) of (\d+)"), "zh": re.compile(r"第 (\d+) 页，共 (\d+) 页")}


def _pages(pdf) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(pdf).pages]


def _layout_pages(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def test_book_exists_beside_the_notebook_pdfs(report):
    language, out = report
    folder = out / "2025Q3"
    book = folder / ("report-2025Q3-zh.pdf" if language == "zh" else "report-2025Q3.pdf")
    assert book.is_file() and (folder / "01_profiling.pdf").is_file()
    assert (folder / "07_executive_summary.html").is_file()


@pytest.fixture
def book(report):
    language, out = report
    return language, out / "2025Q3" / ("report-2025Q3-zh.pdf" if language == "zh" else "report-2025Q3.pdf")


def test_page_numbers_are_continuous_after_the_cover(book):
    language, pdf = book
    pages = _pages(pdf)
    numbers = [PAGE[language].search(text) for text in pages[1:]]
    assert all(numbers), "every page after the cover shows page N of M"
    assert [int(m.group(1)) for m in numbers] == list(range(2, len(pages) + 1))
    assert {int(m.group(2)) for m in numbers} == {len(pages)}
    assert not PAGE[language].search(pages[0]), "the cover has no page number"


def test_contents_entries_point_at_their_chapter_start(book):
    language, pdf = book
    pages = _layout_pages(pdf)
    contents = next(i for i, text in enumerate(pages) if ("Contents" if language == "en" else "目录") in text[:400])
    listing = "\n".join(pages[contents:contents + 4])  # the contents may run over several pages
    entries = re.findall(r"^\s*(\d)\s+(.+?)\s*(?:\. )+\.?\s*(\d+)\s*$", listing, re.MULTILINE)
    assert len(entries) >= 4, listing
    for number, title, page in entries:
        start = pages[int(page) - 1]
        assert re.search(rf"^\s*{number}\s+{re.escape(title.strip())}", start, re.MULTILINE), (title, page)
        assert not re.search(rf"^\s*{number}\s+{re.escape(title.strip())}\s*$", pages[int(page) - 2], re.MULTILINE)
    summary = "Executive summary" if language == "en" else "管理摘要"
    assert re.search(rf"{summary}\s*(?:\. )+\.?\s*2\s*$", listing, re.MULTILINE)
    status = "Run status" if language == "en" else "运行状态"
    page = int(re.search(rf"^\s*{status}\s*(?:\. )+\.?\s*(\d+)\s*$", listing, re.MULTILINE).group(1))
    assert status in pages[page - 1] and report_title("01_profiling", language) in pages[page - 1]
    # every notebook of the run is listed, the executive summary (07) too
    assert report_title("07_executive_summary", language) in " ".join(pages[page - 1].split())


def page_fill(pdf) -> list[float]:
    """How far down each page's body its content reaches (0 empty, 1 full), from the page drawn at 20 dpi: the
    lowest dark pixel between the running header and the page number, over the height between them."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-r", "20", "-gray", str(pdf), f"{folder}/p"], check=True)
        fills = []
        for image in sorted(Path(folder).glob("p-*.pgm"), key=lambda f: int(f.stem.split("-")[-1])):
            pixels = np.asarray(Image.open(image))
            height = pixels.shape[0]
            mm = height / (210 if pixels.shape[1] > height else 297)  # pixels per mm, A4 landscape or portrait
            body = pixels[int(BODY_TOP_MM * mm):int(height - BODY_BOTTOM_MM * mm)]
            dark = np.flatnonzero((body < 200).any(axis=1))
            fills.append((dark.max() + 1) / len(body) if dark.size else 0.0)
        return fills


def test_no_page_holds_only_a_heading_a_list_or_a_few_leftover_rows(book):
    language, pdf = book
    fills = page_fill(pdf)  # the cover is empty by design; the last page ends the appendix's long table anywhere
    sparse = [(number, round(fill, 2)) for number, fill in enumerate(fills[1:-1], start=2) if fill < MIN_FILL]
    assert not sparse, f"pages (number, share of the body used) that hold almost nothing: {sparse}"


def words_past_the_right_margin(pdf) -> list[tuple[int, str]]:
    """(page number, word) of every word that ends inside the page's right margin or beyond its edge: a table
    wider than the text block (WeasyPrint lets it run over the margin and clips it at the paper's edge)."""
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    over = []
    for number, page in enumerate(boxes.split("<page ")[1:], start=1):
        right = float(re.search(r'width="([\d.]+)"', page).group(1)) - SIDE_MARGIN_PT + 1  # 1 pt of rounding
        over += [(number, word) for x_max, word in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)<', page)
                 if float(x_max) > right]
    return over


def test_no_table_runs_past_the_right_margin(book):
    language, pdf = book
    over = words_past_the_right_margin(pdf)
    assert not over, f"words (page, word) beyond the text block, in the margin or cut at the paper's edge: {over[:12]}"


def test_every_summary_figure_equals_its_csv_and_is_in_the_appendix(book):
    language, pdf = book
    results = pdf.parent / "results"
    figures = pd.read_csv(results / "summary_figures.csv", encoding="utf-8-sig")
    assert len(figures) >= 20
    for _, figure in figures.iterrows():
        assert source_value(results, figure) == pytest.approx(figure["value"], rel=1e-9), figure["figure"]
    text = " ".join(_pages(pdf))
    assert all(ref in text for ref in figures["ref"]), "every figure is listed in the appendix of sources"
    headline = pd.read_csv(results / "summary_headline.csv", encoding="utf-8-sig")
    flat = re.sub(r"\s+", "", text)
    assert all(re.sub(r"\s+", "", value) in flat for value in headline["summary_value"])
    # the appendix of definitions lists the glossary: the four churns, each under its own name
    churns = ("churn_rate", "lifecycle_churned_share", "monthly_churn_rate", "backtest_churn_rate")
    assert all(re.sub(r"\s+", "", MEASURES[m].label(language)) in flat for m in churns), "definitions appendix"


def test_the_summary_reads_each_campaign_with_the_interval_of_its_decision(book):
    """One reading rule: the summary claims an arm on the interval chapter 3's decision reads it with
    (``ab_decisions.csv``); for a campaign read once, as planned, that fixed-horizon interval is widened for the
    test's comparisons (the adjusted interval), so it holds the decision's interval."""
    language, pdf = book
    results = Results(pdf.parent / "results")
    decided = results.rows("ab_decisions")
    tests = results.rows("ab_tests", segment="all")
    assert not decided.empty and set(decided["inference"]) >= {"fixed_horizon", "sequential"}  # both readings shown
    for _, decision in decided.iterrows():
        row = tests[(tests["campaign_id"] == decision["campaign_id"]) & (tests["arm"] == decision["arm"])
                    & (tests["metric"] == decision["metric"])].iloc[0]
        sequential = claims.reads_sequential(results, decision["campaign_id"])
        assert sequential == (decision["inference"] != "fixed_horizon")
        reading = claims.ab_reading(row, 0.05, sequential)
        if sequential:
            assert (reading.low, reading.high) == pytest.approx((decision["ci_low"], decision["ci_high"]), rel=1e-12)
        else:
            assert reading.low <= decision["ci_low"] and reading.high >= decision["ci_high"]
            assert (reading.low, reading.high) == pytest.approx((decision["ci_low"], decision["ci_high"]), rel=1e-9) \
                or row["p_adjusted"] > row["p_value"]


def test_backfill_shows_since_last_period_in_the_second(demo_folder, tmp_path):
    out = tmp_path / "reports"
    done = subprocess.run(
        [sys.executable, "-m", "crmreport.cli", "run", "--period", "2025Q2..2025Q3", "--data", str(demo_folder),
         "--out", str(out), "--format", "html"], cwd=ROOT, capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, done.stdout + done.stderr
    first = (out / "2025Q2" / "07_executive_summary.html").read_text(encoding="utf-8")
    second = (out / "2025Q3" / "07_executive_summary.html").read_text(encoding="utf-8")
    assert "There is no report of the previous period (2025Q1)" in first
    assert "Compared with the report of 2025Q2" in second and "Key figures, last period and this period" in second
    assert "Nine-box segments, customers last period and this period" in second
    figures = pd.read_csv(out / "2025Q3" / "results" / "summary_figures.csv", encoding="utf-8-sig")
    earlier = figures[figures["period"] == "2025Q2"]
    assert len(earlier) > 5
    for _, figure in earlier.iterrows():
        assert source_value(out / "2025Q2" / "results", figure) == pytest.approx(figure["value"])
