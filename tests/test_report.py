"""Report: what a reader sees of a table (formats, translated labels) and the CSV saved behind it."""

from types import SimpleNamespace

import pandas as pd
import pytest
from openpyxl import load_workbook

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


def labelled_report(tmp_path, language):
    from crmreport.settings.params import Labels

    labels = Labels(industries={"consumer": {"zh": "个人消费者"}},
                    arms={"sms_a": {"en": "SMS text A", "zh": "短信文案一"}},
                    tags={"fast delivery": {"zh": "快速交付"}, "training": {"zh": "培训"}},
                    roles={"Director": {"zh": "总监"}})
    params = SimpleNamespace(labels=labels, currency="CNY")
    return Report(SimpleNamespace(language=language, results_dir=tmp_path, data=None, params=params))


def test_data_values_show_their_params_labels_and_enumerations_their_catalog_labels(tmp_path, shown):
    rep = labelled_report(tmp_path, "zh")
    assert rep.value("industry", "consumer") == "个人消费者" and rep.value("industry", "retail") == "retail"
    assert rep.value("arm_names", "control, sms_a") == "control、短信文案一"
    assert rep.value("need_tags", "fast delivery; training") == "快速交付、培训"
    assert rep.value("key_contact", "*Director") == "*总监" and rep.value("key_contact", "*经理") == "*经理"
    assert rep.value("direction", "outbound") == "主动触达" and rep.value("size_tier", None) == "–"
    assert rep.currency == "元" and labelled_report(tmp_path, "en").currency == "CNY"
    frame = pd.DataFrame({"arm": ["sms_a"], "channel": ["phone"], "share": [0.0123], "completeness": [0.95]})
    rep.table(frame, "arms")
    html = shown[0].to_html()
    assert "短信文案一" in html and "电话" in html and ">1.2%<" in html and ">95.0%<" in html
    assert pd.read_csv(tmp_path / "arms.csv")["arm"].tolist() == ["sms_a"]


def test_messages_agree_in_number_and_drop_empty_lists():
    from crmreport.core.i18n import t

    accounting = {"read": 10, "kept": 9, "quarantined": 0}
    one = t("profiling.accounting.takeaway", "en", tables=1, duplicates=1, **accounting)
    two = t("profiling.accounting.takeaway", "en", tables=2, duplicates=0, **accounting)
    assert "from 1 table:" in one and "1 exact duplicate removed" in one
    assert "from 2 tables:" in two and "0 exact duplicates removed" in two
    verdicts = {f"{v}_count": n for v, n in [("significant_improvement", "1"), ("significant_deterioration", "0"),
                                               ("no_significant_change", "1"), ("insufficient_data", "0")]}
    text = t("kpis.template5.takeaway", "en", total=2, significant_improvement="NPS", significant_deterioration="–",
             no_significant_change="CSAT", insufficient_data="–", **verdicts)
    assert "1 improved significantly (NPS), 0 deteriorated significantly, 1 shows" in text and "(–)" not in text


def test_bullets_list_the_lines_or_say_there_are_none(tmp_path, shown):
    report = make_report(tmp_path)
    report.bullets(["first", "second"], "summary.nothing")
    report.bullets([], "summary.nothing")
    assert shown[0].data == "- first\n- second"
    assert shown[1].data == report.t("summary.nothing") != "summary.nothing"


def test_a_table_shows_a_bounded_number_of_rows_and_saves_them_all(tmp_path, shown, monkeypatch):
    monkeypatch.setattr(report_module, "SHOWN_ROWS", 4)
    frame = pd.DataFrame({"customer_id": [f"C{i:03d}" for i in range(10)], "orders": range(10)})
    rep = make_report(tmp_path)
    rep.table(frame, "long")
    note, table = shown
    assert "Showing 4 of 10 rows" in note.data and "results/long.csv" in note.data
    assert table.to_html().count("<tr>") == 5  # header + 4 rows
    assert len(pd.read_csv(tmp_path / "long.csv")) == 10
    rep.table(frame.head(4), "short")
    assert len(shown) == 3  # no note when every row is shown


def test_a_workbook_over_the_row_budget_holds_its_first_rows_with_a_note(tmp_path, shown):
    frame = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "amount": [1.5, 2.0, 3.25]})
    rep = Report(SimpleNamespace(language="zh", results_dir=tmp_path, data=None,
                                 params=SimpleNamespace(excel_max_rows=2)))
    assert rep.workbook({"sheet": frame}, "actions") is True
    sheet = load_workbook(tmp_path / "actions.xlsx").active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["C1", "C2"]  # the first rows
    note = shown[0].data
    assert "actions.xlsx" in note and "results/actions.csv" in note and "3 行中的前 2 行" in note
    assert not any(p.suffix == ".csv" for p in tmp_path.iterdir())  # the notebook saves the CSV, not the workbook
    rep = Report(SimpleNamespace(language="en", results_dir=tmp_path, data=None,
                                 params=SimpleNamespace(excel_max_rows=3)))
    assert rep.workbook({"sheet": frame}, "actions") is True
    assert load_workbook(tmp_path / "actions.xlsx").active.max_row == 4 and len(shown) == 1  # no note: all fit


def test_amounts_and_small_shares_get_the_decimals_they_need(tmp_path):
    rep = make_report(tmp_path, "zh")
    # each cell by its own size: whole currency from 100 up, one decimal below, two under 1 (B27: never 333.09
    # because its column also holds 9.21), and no sign on a zero
    assert [Report.amount(v) for v in (9.21, 333.09, 1194.06, 0.42, -0.04)] == ["9.2", "333", "1,194", "0.42", "-0.04"]
    assert [Report.amount(v, signed=True) for v in (-120.0, 340.0, -0.001)] == ["-120", "+340", "0.00"]
    assert Report.amount(float("nan")) == "–"
    assert [rep.short_amount(v) for v in (865_459.6, 74_214_740, 420.4)] == ["86.5万", "7,421.5万", "420"]
    assert [make_report(tmp_path).short_amount(v) for v in (865_459.6, 1_695_854)] == ["865,460", "1.7M"]
    assert [Report.signed_amount(v) for v in (0.771, -12.34, 14.1, 1234.5)] == ["+0.77", "-12.3", "+14.1", "+1,234"]
    assert rep.share_points(0.0012) == "0.12 个百分点" and rep.share_points(float("nan")) == "–"


def test_a_header_prefix_labels_every_column(tmp_path, shown):
    frame = pd.DataFrame({"campaign_id": ["SMS"], "arm": ["sms"]})
    make_report(tmp_path).table(frame, "arms", headers="ab_", values=[])
    html = shown[0].to_html()
    assert ">Campaign<" in html and "campaign_id" not in html


def test_a_notebook_that_reads_no_table_opens_its_period_without_reading_the_source(tmp_path, monkeypatch):
    from crmreport.reporting import context

    monkeypatch.setenv(context.LAB_ENV, str(tmp_path))
    monkeypatch.setattr(context, "prepare_dataset", lambda params: pytest.fail("the source was read"))
    ctx = context.open_period("2025Q3", tables=False)
    assert ctx.demo and ctx.data.tables == {} and not ctx.data.has("customers")
    assert ctx.results_dir == tmp_path.resolve() / "2025Q3" / "results"
    assert Report(ctx).source == Report(ctx).t("report.source_demo")


def test_money_in_whole_units_with_its_currency_and_no_signed_zero(tmp_path, shown):
    frame = pd.DataFrame({"segment": ["core", "regular"], "annual_amount": [3727622.08, 9.4],
                          "spend_trend": [-0.001, 0.004], "clv": [1234.5, float("nan")]})
    context = SimpleNamespace(language="zh", results_dir=tmp_path, data=None, params=SimpleNamespace(currency="CNY"))
    Report(context).table(frame, "money")
    html = shown[0].to_html()
    for text in ["3,727,622", ">9<", "1,234", ">0.00<", "近 12 个月金额（元）"]:
        assert text in html, text
    assert "-0.00" not in html and "3,727,622.08" not in html
    assert pd.read_csv(tmp_path / "money.csv")["annual_amount"].tolist() == [3727622.08, 9.4]


def test_a_sample_of_a_landscape_table_shows_at_most_ten_rows(tmp_path, shown):
    wide = pd.DataFrame({f"c{k}": range(30) for k in range(11)})  # 11 columns: a landscape page
    rep = make_report(tmp_path)
    rep.table(wide, "wide_sample", max_rows=15)
    note, table = shown
    assert "Showing 10 of 30 rows" in note.data and table.to_html().count("<tr>") == 11
    rep.table(wide.head(12), "wide_whole", max_rows=15)  # every row shown: not a sample, not cut
    assert len(shown) == 3 and shown[2].to_html().count("<tr>") == 13
