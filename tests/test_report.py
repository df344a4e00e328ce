"""Report: what a reader sees of a table (formats, translated labels) and the CSV saved behind it."""

from types import SimpleNamespace

import pandas as pd
import pytest

import crmreport.reporting.report as report_module
from crmreport.reporting.report import Report


@pytest.fixture
def shown(monkeypatch):
    """Objects the report displays, in order."""
    objects = []
    monkeypatch.setattr(report_module, "display", objects.append)
    return objects


def make_report(tmp_path, language="en"):
    return Report(SimpleNamespace(language=language, results_dir=tmp_path, data=None))


def test_row_formats_give_each_row_its_unit_and_csv_keeps_numbers(tmp_path, shown):
    frame = pd.DataFrame({"metric": ["csat_top2_share", "responses"], "before": [0.729, 400.0],
                          "after": [0.799, 442.0], "change": [0.07, 42.0]})
    rep = make_report(tmp_path)
    rep.table(frame, "voice", row_formats={"csat_top2_share": ("{:.1%}", rep.points),
                                           "responses": ("{:,.0f}", "{:+,.0f}")})
    html = shown[0].to_html()
    for text in ["72.9%", "79.9%", "+7.0 pp", "400", "442", "+42"]:
        assert f">{text}<" in html
    assert "400.00" not in html
    saved = pd.read_csv(tmp_path / "voice.csv")
    pd.testing.assert_frame_equal(saved, frame)


def test_points_follow_the_language(tmp_path):
    assert make_report(tmp_path).points(-0.034) == "-3.4 pp"
    assert make_report(tmp_path, "zh").points(0.059) == "+5.9 个百分点"
    assert make_report(tmp_path).points(float("nan")) == "–"


def test_translated_values_and_headers_but_codes_in_csv(tmp_path, shown):
    frame = pd.DataFrame({"table": ["customers"], "rows": [3]})
    make_report(tmp_path, "zh").table(frame, "tables", translate={"table": "table_"})
    html = shown[0].to_html()
    assert "customers" not in html
    assert pd.read_csv(tmp_path / "tables.csv")["table"].tolist() == ["customers"]


def test_headers_override_the_column_label(tmp_path, shown):
    frame = pd.DataFrame({"kpi": ["nps"], "before": [24.0]})
    make_report(tmp_path, "zh").table(frame, "kpis", headers={"before": "interactions"})
    html = shown[0].to_html()
    assert "沟通次数" in html and "上期" not in html and ">24.00<" in html
    assert list(pd.read_csv(tmp_path / "kpis.csv").columns) == ["kpi", "before"]


def test_p_values_lists_and_notes_follow_the_language(tmp_path):
    en, zh = make_report(tmp_path), make_report(tmp_path, "zh")
    assert [en.p_value(v) for v in (0.0004, 0.0123, float("nan"))] == ["<0.001", "0.012", "–"]
    assert en.join(["a", "b"]) == "a, b" and zh.join(["甲", "乙"]) == "甲、乙"
    assert en.join(["a", "b"], clauses=True) == "a; b" and zh.join(["甲", "乙"], clauses=True) == "甲；乙"
    assert en.noted("NPS", "up") == "NPS (up)" and zh.noted("净推荐值", "上升") == "净推荐值（上升）"
