"""Result tables written to Excel and read back with openpyxl."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from conftest import params_for
from openpyxl import load_workbook

import crmreport.reporting.excel as excel_module
from crmreport.analyses.profiling.quality import quality_issues, table_scorecard
from crmreport.core.i18n import label
from crmreport.ingest.dataset import prepare_dataset
from crmreport.reporting.excel import MAX_WIDTH, write_workbook

LONG_NAME = "customer_profile_with_a_very_long_sheet_name"


@pytest.fixture
def frames() -> dict[str, pd.DataFrame]:
    return {
        LONG_NAME: pd.DataFrame({
            "customer_id": ["C1", "C2", "C3"],
            "cumulative_amount": [15000.5, 0.0, -20.0],
            "orders": pd.array([3, None, 1], dtype="Int64"),
            "share": [0.5, 0.25, float("nan")],
            "last_transaction_date": pd.to_datetime(["2025-09-15", None, "2025-07-03"]),
            "opened_at": pd.to_datetime(["2025-09-15 10:30:00", "2025-08-01 08:00:00", None]),
            "industry": ["制造业" * 30, None, "consumer"],
        }),
    }


def test_workbook_layout_formats_and_values(frames, tmp_path):
    path = write_workbook(frames, tmp_path / "out" / "results.xlsx", language="zh")
    book = load_workbook(path)
    assert book.sheetnames == [LONG_NAME[:31]]
    sheet = book[LONG_NAME[:31]]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:G4"
    header = [cell.value for cell in sheet[1]]
    assert header == [label(c, "zh") for c in frames[LONG_NAME].columns]
    assert header[1] != "cumulative_amount" and all(cell.font.bold for cell in sheet[1])
    assert sheet["B2"].number_format == "#,##0.00"
    assert sheet["C2"].number_format == "#,##0"
    assert sheet["D2"].number_format == "0.0%"
    assert sheet["E2"].number_format == "yyyy-mm-dd"
    assert sheet["F2"].number_format == "yyyy-mm-dd hh:mm"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert rows == [
        ["C1", 15000.5, 3, 0.5, datetime(2025, 9, 15), datetime(2025, 9, 15, 10, 30), "制造业" * 30],
        ["C2", 0, None, 0.25, None, datetime(2025, 8, 1, 8), None],
        ["C3", -20, 1, None, datetime(2025, 7, 3), None, "consumer"],
    ]
    assert sheet.column_dimensions["G"].width == MAX_WIDTH
    assert 8 <= sheet.column_dimensions["A"].width < MAX_WIDTH


def test_english_headers_and_number_format_overrides(frames, tmp_path):
    path = write_workbook(frames, tmp_path / "results.xlsx", number_formats={"cumulative_amount": "#,##0"})
    sheet = load_workbook(path).worksheets[0]
    assert [cell.value for cell in sheet[1]][:2] == [label("customer_id"), label("cumulative_amount")]
    assert sheet["B2"].number_format == "#,##0"


def test_scorecards_round_trip(tiny, tmp_path):
    data = prepare_dataset(params_for(tiny))
    tables, issues = table_scorecard(data, date(2025, 9, 30)), quality_issues(data, date(2025, 9, 30))
    path = write_workbook({"tables": tables, "issues": issues, "empty": issues.iloc[:0]}, tmp_path / "q.xlsx",
                          language="zh")
    book = load_workbook(path)
    assert book.sheetnames == ["tables", "issues", "empty"]
    sheet = book["tables"]
    assert [cell.value for cell in sheet[1]][-3:] == ["新鲜度（天）", "孤立记录", "负责人覆盖率"]
    assert sheet.auto_filter.ref == f"A1:I{len(tables) + 1}"
    completeness = [cell for cell in sheet[1] if cell.value == "完整率"][0].column_letter
    assert sheet[f"{completeness}2"].number_format == "0.0%"
    back = pd.read_excel(path, sheet_name="tables")
    assert back.iloc[:, 0].tolist() == tables["table"].tolist()
    assert back["完整率"].tolist() == pytest.approx(tables["completeness"].tolist())
    assert back["孤立记录"].isna().tolist() == tables["orphan_keys"].isna().tolist()
    issues_back = pd.read_excel(path, sheet_name="issues")
    assert issues_back["受影响行数"].tolist() == issues["rows_affected"].tolist()
    assert book["empty"].auto_filter.ref == "A1:F1"


def test_no_frames_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="no tables"):
        write_workbook({}, tmp_path / "x.xlsx")


def test_a_table_longer_than_a_sheet_continues_on_the_next_sheets(tmp_path, monkeypatch):
    monkeypatch.setattr(excel_module, "SHEET_ROWS", 3)
    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(7)], "orders": range(7)})
    workbook = load_workbook(write_workbook({"actions": frame}, tmp_path / "long.xlsx"))
    assert workbook.sheetnames == ["actions", "actions (2)", "actions (3)"]
    rows = [[cell.value for cell in row] for name in workbook.sheetnames for row in workbook[name].iter_rows()]
    headers = [row for row in rows if row[0] == label("customer_id", "en")]
    assert len(headers) == 3
    assert [row[1] for row in rows if row not in headers] == list(range(7))
