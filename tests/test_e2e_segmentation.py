"""End to end, notebook 02: the rendered segmentation report and its results contract."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from conftest import pdf_text
from openpyxl import load_workbook

from crmreport.analyses.segments.segmentation import SEGMENT_COLUMNS, SEGMENTS

SECTION_TITLES = {
    "en": ["Value x potential nine-box (template 2)", "RFM(T) scores",
           "Lifecycle stage (as of the period end) and follow-up cadence", "Churn risk",
           "Data-driven clusters (k-means)", "Segment migration since the previous period",
           "Service strategy matching (template 3)", "Action list"],
    "zh": ["价值 × 潜力九宫格（客户分层分类表）", "RFM 评分与消费趋势", "生命周期阶段（截至本期末）与跟进节奏",
           "流失风险", "数据驱动聚类（k-means）", "与上期相比的分层迁移", "服务策略匹配表", "行动清单"],
}


def test_segmentation_pdf_has_every_section_in_the_report_language(report):
    language, out = report
    text = pdf_text(out / "2025Q3" / "02_segmentation.pdf")
    for title in SECTION_TITLES[language]:
        assert title in text, title
    names = {"en": ["Core", "Churn-warning", "Mature-stable"], "zh": ["核心客户", "流失预警客户", "成熟稳定客户"]}
    assert all(name in text for name in names[language])
    assert "churn_warning" not in text and "mature_stable" not in text  # codes never reach a reader
    assert "Traceback" not in text and "import " not in text


def test_customer_segments_contract_covers_every_customer(report, demo_folder):
    _, out = report
    segments = pd.read_csv(out / "2025Q3" / "results" / "customer_segments.csv", dtype={"customer_id": str})
    customers = pd.read_csv(demo_folder / "customers.csv", dtype={"customer_id": str}, parse_dates=["signup_date"])
    signed = customers.loc[customers["signup_date"] <= "2025-09-30", "customer_id"].drop_duplicates()
    assert list(segments.columns) == list(SEGMENT_COLUMNS)
    assert set(segments["customer_id"]) <= set(signed) and segments["customer_id"].is_unique
    assert set(segments["segment"]) <= set(SEGMENTS)
    summary = pd.read_csv(out / "2025Q3" / "results" / "segment_summary.csv")
    assert summary["customers"].sum() == len(segments)
    counts = segments["segment"].value_counts()
    assert summary.set_index("segment")["customers"].to_dict() == {s: counts.get(s, 0) for s in SEGMENTS}


def test_action_list_csv_and_workbook_agree(report):
    language, out = report
    results = out / "2025Q3" / "results"
    actions = pd.read_csv(results / "action_list.csv", dtype={"customer_id": str})
    segments = pd.read_csv(results / "customer_segments.csv", dtype={"customer_id": str})
    assert sorted(actions["customer_id"]) == sorted(segments["customer_id"])
    assert actions["owner"].notna().all() and actions["due_date"].notna().all()
    sheet = load_workbook(results / "action_list.xlsx", read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == len(actions) + 1
    assert rows[0][0] == {"en": "Customer ID", "zh": "客户编号"}[language]


def test_no_printed_or_exported_due_date_lies_on_or_before_the_as_of_date(report):
    _, out = report
    period = out / "2025Q3"
    as_of = pd.Timestamp(yaml.safe_load((period / "params.yaml").read_text(encoding="utf-8"))["as_of"])
    actions = pd.read_csv(period / "results" / "action_list.csv", parse_dates=["due_date"])
    assert (actions["due_date"].dropna() > as_of).all()  # the CSV and the workbook beside it
    summary = pd.read_csv(period / "results" / "summary_actions.csv", encoding="utf-8-sig", parse_dates=["summary_due"])
    assert len(summary) and (summary["summary_due"] > as_of).all()  # the summary's five actions


@pytest.mark.parametrize("name", ["segment_migration", "cluster_profiles", "rfm_segments", "lifecycle_stages",
                                  "churn_risk_summary", "at_risk_customers", "strategy_table", "feature_summary"])
def test_every_segmentation_table_has_its_csv(report, name):
    _, out = report
    assert (out / "2025Q3" / "results" / f"{name}.csv").is_file()


def test_no_owner_has_more_tasks_due_than_their_measured_pace_allows(report):
    _, out = report
    period = out / "2025Q3"
    as_of = pd.Timestamp(yaml.safe_load((period / "params.yaml").read_text(encoding="utf-8"))["as_of"])
    actions = pd.read_csv(period / "results" / "action_list.csv", parse_dates=["due_date"], encoding="utf-8-sig")
    lines = pd.read_csv(period / "results" / "action_capacity.csv", encoding="utf-8-sig", parse_dates=["last_due"])
    strategies = pd.read_csv(period / "results" / "strategy_table.csv", encoding="utf-8-sig")
    automated = strategies.loc[strategies["automated"].astype(str) == "True", "segment"]
    people = actions[~actions["segment"].isin(automated)]  # automated messages keep the playbook's date
    assert len(lines) and (lines["weekly_pace"] > 0).all()
    for line in lines.itertuples():
        due = people.loc[people["owner"].astype(str) == line.owner, "due_date"].sort_values()
        assert len(due) == line.tasks and due.max() == line.last_due
        days = (due - as_of).dt.days.to_numpy()
        assert all(k + 1 <= line.weekly_pace * day / 7 + 1e-9 for k, day in enumerate(days)), line.owner


def test_the_summary_due_date_of_a_segment_action_is_the_latest_in_the_action_list(report):
    _, out = report
    results = out / "2025Q3" / "results"
    actions = pd.read_csv(results / "action_list.csv", parse_dates=["due_date"], encoding="utf-8-sig")
    figures = pd.read_csv(results / "summary_figures.csv", encoding="utf-8-sig").set_index("ref")["figure"]
    summary = pd.read_csv(results / "summary_actions.csv", encoding="utf-8-sig")
    checked = 0
    for row in summary.itertuples():
        kind, key, *_ = figures[row.summary_source.split()[0]].split()
        if kind == "segment":
            assert row.summary_due == actions.loc[actions["segment"] == key, "due_date"].max().date().isoformat()
            checked += 1
    assert checked
