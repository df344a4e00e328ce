"""Each chapter's "What to do": steps with numbers computed from the chapter's own results, in en and zh."""

from __future__ import annotations

import pandas as pd
import pytest

from crmreport.analyses.abtests import nextsteps as ab_steps
from crmreport.analyses.execution import nextsteps as execution_steps
from crmreport.analyses.health import nextsteps as health_steps
from crmreport.analyses.kpi import nextsteps as kpi_steps
from crmreport.analyses.profiling import nextsteps as profiling_steps
from crmreport.analyses.segments import nextsteps as segment_steps


def _write(folder, **tables):
    for name, frame in tables.items():
        pd.DataFrame(frame).to_csv(folder / f"{name}.csv", index=False, encoding="utf-8-sig")
    return folder


def test_profiling_steps(tmp_path):
    folder = _write(tmp_path, concentration={"top_share_of_customers": [0.1, 0.2], "customers": [10, 20],
                                             "share_of_amount": [0.6, 0.8]},
                    data_quality={"table": ["customers", "tasks"], "completeness": [0.99, 0.85]},
                    outbound_response_rates={"channel": ["sms", "phone", "app"], "outbound": [100, 200, 10],
                                             "response_rate": [0.2, 0.7, 0.01]})
    steps = profiling_steps.next_steps(folder, "en")
    assert len(steps) == 3 and "these 20 customers bring 80% of revenue" in steps[0]
    assert "Tasks table: only 85%" in steps[1] and "SMS outreach: 20% of its 100" in steps[2] and "70%" in steps[2]


def test_segment_steps(tmp_path):
    folder = _write(tmp_path, action_list={"customer_id": list("ABC"), "segment": ["core", "maintain", "maintain"],
                                           "churn_risk": ["high"] * 3, "due_date": ["2025-10-07", "2025-10-09",
                                                                                    "2025-10-08"]},
                    churn_risk_summary={"churn_risk": ["high"], "risk_complaints": [2]},
                    strategy_checks={"segment": [], "problem": []})
    steps = segment_steps.next_steps(folder, "zh")
    # a step within the segment with most high-risk customers (which segment first is the summary's ranking)
    assert len(steps) == 2 and "在维护型客户内，先处理其中 2 位高流失风险客户" in steps[0]
    assert "2025-10-08 至 2025-10-09" in steps[0] and "管理摘要" in steps[0]
    assert segment_steps.next_steps(folder, "en")[0].startswith("Within Maintain, take the 2 high-churn-risk")


def test_ab_test_steps_scale_the_revenue_win_and_size_the_small_test(tmp_path):
    folder = _write(tmp_path, ab_tests={
        "campaign_id": ["C1", "C2"], "segment": ["all"] * 2, "metric": ["revenue_per_customer"] * 2,
        "arm": ["call", "sms"], "abs_diff": [120.0, 1.0], "ci_low": [40.0, -5.0], "ci_high": [200.0, 7.0],
        "p_value": [0.003, 0.7], "p_adjusted": [0.006, 1.0], "n_control": [300, 40]},
        ab_planning={"metric": ["conversion_rate"], "campaign_id": ["C2"], "target_lift": [0.25], "n_per_arm": [5000],
                     "n_per_arm_now": [40], "enough": [False]},
        ab_business={"campaign_id": ["C1"], "arm": ["call"], "cost": [None]})
    steps = ab_steps.next_steps(folder, "en", 0.05)
    assert steps[0].startswith("Scale C1 · call: it raised revenue per customer by 120") and "300 control" in steps[0]
    assert steps[1].startswith("Size the next test like C2") and "needs 5,000 customers per arm; C2 had 40" in steps[1]
    assert "1 arms have none" in steps[2]
    # a base too small for the lift: say what every customer could detect, and whether response rate fits
    _write(tmp_path, ab_planning={"metric": ["conversion_rate", "response_rate"], "campaign_id": ["C2", "C2"],
                                  "target_lift": [0.25, 0.25], "n_per_arm": [5000, 600], "n_per_arm_now": [40, 40],
                                  "enough": [False, False], "n_per_arm_max": [1000, 1000], "possible": [False, True],
                                  "mde_rel_max": [0.57, 0.19]})
    beyond = ab_steps.next_steps(tmp_path, "en", 0.05)[1]
    assert beyond.startswith("Do not repeat a test like C2") and "at most 1,000" in beyond and "is 57%" in beyond
    assert "read response rate instead (a 25% lift needs 600 per arm)" in beyond
    assert "不要为了" in ab_steps.next_steps(tmp_path, "zh", 0.05)[1]


def test_kpi_steps_name_deteriorations_trends_and_a_holdout(tmp_path):
    folder = _write(tmp_path, kpi_changes={"kpi": ["nps", "csat_mean", "revenue_per_customer"], "segment": ["all"] * 3,
                                           "verdict": ["significant_deterioration", "significant_improvement",
                                                       "no_significant_change"], "n_after": [300, 300, 2000]},
                    kpi_segmented_regression={"kpi": ["csat_mean"], "level_p_value": [0.4]})
    steps = kpi_steps.next_steps(folder, "en", 0.05)
    assert "NPS" in steps[0] and "CSAT (mean, 1-5) (p = 0.400)" in steps[1]
    assert "random 10% of customers (about 200 of the 2,000 customers the period's KPIs observe)" in steps[2]


def test_execution_steps(tmp_path):
    folder = _write(tmp_path, plan_vs_actual={"segment": ["core", "opportunity", "regular", "all"],
                                              "planned": [100, 200, 10, 310], "with_task": [90, 30, 0, 120]},
                    task_execution={"owner": ["A", "all"], "overdue": [5, 5]},
                    overdue_ages={"age_bucket": ["1-7", "8-30", "31-90", ">90"], "tasks": [1, 1, 2, 1]},
                    sla_by_department={"rule": ["resolution"] * 3, "department": ["all", "sales", "support"],
                                       "tickets": [30, 10, 20], "breached": [6, 1, 5],
                                       "compliance_rate": [0.8, 0.9, 0.75]})
    steps = execution_steps.next_steps(folder, "en")
    assert "170 planned Opportunity customers" in steps[0] and "only 15% of the 200" in steps[0]
    assert "5 overdue tasks, 3 of them overdue by more than 30 days" in steps[1]
    assert "In support, raise the share of tickets resolved within the limit: 75%; 5 of its 20" in steps[2]


def test_health_steps(tmp_path):
    folder = _write(tmp_path, customer_health={
        "customer_id": list("ABCD"), "health_trend": ["down", "down", "up", "down"],
        "health_band": ["red", "yellow", "red", "green"], "clv": [100.0, 50.0, 10.0, None],
        "expected_loss": [40.0, 10.0, 5.0, None]},
        health_watch_list={"customer_id": list("ABC"), "owner": ["Li", "Wang", "Li"],
                           "expected_loss": [40.0, 10.0, 5.0]})
    steps = health_steps.next_steps(folder, "en")
    assert steps[0] == "Review the 2 largest accounts whose health fell (1 of them red): 50 of expected loss."
    assert "Li's 2 red and yellow customers: 45 of expected loss, 82%" in steps[1]
    assert "the 1 customers without CLV" in steps[2]


@pytest.mark.parametrize("module", [profiling_steps, segment_steps, execution_steps, health_steps])
def test_no_results_no_steps(tmp_path, module):
    assert module.next_steps(tmp_path, "en") == []
