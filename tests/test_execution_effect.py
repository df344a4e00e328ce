"""Communication log, improvements and the stratified comparison of outcomes, against hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import dataset_of
from scipy.stats import norm

from crmreport.analyses.execution import commlog, effect
from crmreport.ingest.dataset import Dataset
from crmreport.settings import Window

T = pd.Timestamp
UNTIL = T("2025-10-01")


def test_follow_ups_kept_past_due_and_open():
    log = pd.DataFrame({
        "interaction_id": ["L1", "L2", "L3", "L4"], "customer_id": ["C1", "C2", "C3", "C4"],
        "interaction_time": pd.to_datetime(["2025-07-01 10:00", "2025-07-01 10:00", "2025-09-20 10:00",
                                            "2025-07-01 10:00"]),
        "direction": "inbound", "channel": ["phone", "phone", "email", "visit"],
        "topic": ["price", "delivery", "price", None], "urgency": ["high", "low", "high", None],
        "owner": ["A", "A", "B", None], "due_date": pd.to_datetime(["2025-07-03", "2025-07-03", "2025-10-10", None]),
        "follow_up": ["call back", "send quote", "visit", None]})
    replies = pd.DataFrame({"interaction_id": ["R1", "R2"], "customer_id": ["C1", "C2"], "direction": "outbound",
                            "interaction_time": pd.to_datetime(["2025-07-03 17:00", "2025-07-04 09:00"]),
                            "channel": "phone"})
    everything = pd.concat([log, replies], ignore_index=True)
    agreed = commlog.follow_ups(log, dataset_of(interactions=everything), UNTIL).set_index("interaction_id")
    assert agreed["state"].to_dict() == {"L1": "kept", "L2": "past_due", "L3": "open"}  # L4: nothing agreed
    assert agreed.loc["L2", "days_past_due"] == (UNTIL - T("2025-07-03")).days  # as days overdue count a task
    summary = commlog.follow_up_summary(agreed.reset_index()).set_index("owner")
    assert summary.loc["all", ["agreed", "kept", "past_due", "open"]].tolist() == [3, 1, 1, 1]
    assert summary.loc["all", "kept_rate"] == 0.5 and summary.loc["B", "kept_rate"] != summary.loc["B", "kept_rate"]
    urgency = commlog.by_channel(log, "urgency")
    assert urgency.values.tolist() == [["email", "high", 1, 1.0], ["phone", "high", 1, 0.5], ["phone", "low", 1, 0.5]]
    assert commlog.has_column(log, "topic") and not commlog.has_column(log.assign(topic=None), "topic")


def test_improvement_status_by_hand():
    improvements = pd.DataFrame({
        "improvement_id": ["P1", "P2", "P3", "P4"], "problem": "x", "measure": "y", "department": "d", "owner": "o",
        "customers_affected": pd.array([10, 20, 30, None], dtype="Int64"),
        "planned_date": pd.to_datetime(["2025-07-10", "2025-07-10", "2025-08-01", "2025-12-01"]),
        "actual_date": pd.to_datetime(["2025-07-10", "2025-07-20", None, None]),
        "verification_score": pd.array([5, 3, None, None], dtype="Int64")})
    status = commlog.improvement_status(improvements, UNTIL)
    assert status["status"].tolist() == ["done_on_time", "done_late", "open_past_due", "open"]
    summary = commlog.improvement_summary(status).set_index("status")
    assert summary.loc["all", ["improvements", "customers_affected", "verified"]].tolist() == [4, 60, 2]
    assert summary.loc["all", "verification_mean"] == 4.0


def wald_difference(a, b, c, d):
    z = norm.ppf(0.975)
    p1, p0 = a / (a + b), c / (c + d)
    se = np.sqrt(p1 * (1 - p1) / (a + b) + p0 * (1 - p0) / (c + d))
    return p1 - p0, p1 - p0 - z * se, p1 - p0 + z * se


def test_mantel_haenszel_risk_difference_one_stratum_is_the_wald_difference():
    assert effect.mh_risk_difference([np.array([[10, 90], [30, 70]])]) == pytest.approx(wald_difference(10, 90, 30, 70))


def test_mantel_haenszel_risk_difference_two_strata_by_hand():
    tables = [np.array([[2, 8], [6, 14]]), np.array([[5, 45], [10, 40]])]
    # weights n1 n0 / N: 10*20/30 and 50*50/100; numerators (a n0 - c n1) / N
    weights = [200 / 30, 2500 / 100]
    numerators = [(2 * 20 - 6 * 10) / 30, (5 * 50 - 10 * 50) / 100]
    estimate = sum(numerators) / sum(weights)
    variance = ((2 * 8 * 20**3 + 6 * 14 * 10**3) / (10 * 20 * 30**2)
                + (5 * 45 * 50**3 + 10 * 40 * 50**3) / (50 * 50 * 100**2)) / sum(weights) ** 2
    half = norm.ppf(0.975) * np.sqrt(variance)
    assert effect.mh_risk_difference(tables) == pytest.approx((estimate, estimate - half, estimate + half))
    assert np.isnan(effect.mh_risk_difference([np.array([[0, 0], [3, 4]])])[0])


def _customers(segment, execution, churned, csat):
    return pd.DataFrame({"segment": segment, "execution": execution, "churned": churned, "csat": csat})


def test_execution_effects_are_stratified_by_segment():
    # within each segment on-time customers churn 10 points less, but segments differ in mix (Simpson's trap)
    rows = [_customers("core", "on_time", [1.0] * 2 + [0.0] * 78, 4.5),
            _customers("core", "not_done", [1.0] * 2 + [0.0] * 18, 4.0),
            _customers("churn_warning", "on_time", [1.0] * 8 + [0.0] * 12, 3.5),
            _customers("churn_warning", "not_done", [1.0] * 40 + [0.0] * 40, 3.0)]
    frame = pd.concat(rows, ignore_index=True)
    frame["customer_id"] = [f"C{i}" for i in range(len(frame))]
    table = effect.execution_effects(frame)
    churn = table[(table["outcome"] == "churn") & (table["exposed"] == "on_time")
                  & (table["reference"] == "not_done")].iloc[0]
    tables = [np.array([[2, 78], [2, 18]]), np.array([[8, 12], [40, 40]])]
    assert (churn["difference"], churn["ci_low"], churn["ci_high"]) == pytest.approx(effect.mh_risk_difference(tables))
    assert churn["rate_exposed"] == pytest.approx(10 / 100) and churn["rate_reference"] == pytest.approx(42 / 100)
    assert churn["strata"] == 2 and churn["odds_ratio"] < 1 and 0 <= churn["p_value"] <= 1
    csat = table[(table["outcome"] == "csat") & (table["exposed"] == "on_time")
                 & (table["reference"] == "not_done")].iloc[0]
    assert csat["difference"] == pytest.approx(0.5)  # the same +0.5 in both segments
    summary = effect.class_summary(frame)
    assert summary.set_index("execution").loc["late", "customers"] == 0


def test_outcomes_define_churn_on_customers_active_before():
    bought = pd.to_datetime(["2025-05-01", "2025-08-01", "2025-05-02", "2025-08-05", "2025-05-03"])
    answered = pd.to_datetime(["2025-07-02", "2025-09-01", "2025-04-01"])
    # B's refund in the period is not a purchase (B churned), nor is D's refund before it (D was not active)
    tx = pd.DataFrame({"customer_id": ["A", "A", "B", "B", "D"], "transaction_date": bought,
                       "amount": [120.0, 80.0, 50.0, -50.0, -10.0]})
    data = Dataset({"transactions": tx,
                    "surveys": pd.DataFrame({"customer_id": ["A", "A", "C"], "csat": [4, 5, 2],
                                             "response_time": answered})}, {}, {}, "test", False)
    execution = pd.DataFrame({"customer_id": ["A", "B", "C", "D"], "segment": "core", "execution": "on_time"})
    frame = effect.outcomes(execution, data, Window(start="2025-07-01", end="2025-09-30"),
                            Window(start="2025-04-01", end="2025-06-30")).set_index("customer_id")
    assert frame.loc[["A", "B"], "churned"].tolist() == [0.0, 1.0]
    assert np.isnan(frame.loc["C", "churned"]) and np.isnan(frame.loc["D", "churned"])  # never bought: no churn
    assert frame.loc["A", "csat"] == 4.5 and np.isnan(frame.loc["C", "csat"])


def _effects(on_time_vs_not: tuple[float, float], late_vs_not: tuple[float, float],
             on_time_vs_late: tuple[float, float]) -> pd.DataFrame:
    """Churn rows of an execution_effects table: (difference, p-value) per comparison."""
    pairs = zip(effect.COMPARISONS, (on_time_vs_not, late_vs_not, on_time_vs_late), strict=True)
    return pd.DataFrame([{"outcome": "churn", "exposed": a, "reference": b, "difference": d, "p_value": p}
                         for (a, b), (d, p) in pairs])


def test_reading_says_what_the_churn_comparisons_show():
    # the demo's pattern: late vs not done significant, on time vs not done not, on time vs late flat
    assert effect.reading(_effects((-0.056, 0.092), (-0.095, 0.034), (0.019, 0.63))) == "done_matters"
    assert effect.reading(_effects((-0.10, 0.01), (0.02, 0.7), (-0.12, 0.004))) == "timing_helps"
    assert effect.reading(_effects((0.01, 0.8), (-0.09, 0.02), (0.10, 0.03))) == "timing_hurts"
    assert effect.reading(_effects((0.06, 0.01), (0.05, 0.04), (0.01, 0.9))) == "done_worse"
    assert effect.reading(_effects((-0.02, 0.5), (-0.03, 0.4), (0.01, 0.9))) == "no_difference"
    assert effect.reading(_effects((np.nan, np.nan), (np.nan, np.nan), (np.nan, np.nan))) == "too_few"
