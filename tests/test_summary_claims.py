"""Graded evidence of the summary: adjusted intervals, claim rules and the capacity check of actions."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests

from crmreport.analyses.abtests import decisions
from crmreport.analyses.segments.workload import (
    assumed_pace,
    fit_due_dates,
    owner_capacity,
    typical_rate,
    weekly_throughput,
)
from crmreport.analyses.summary import capacity, claims
from crmreport.analyses.summary.sources import Results
from crmreport.stats.abchecks import adjust_p_values
from crmreport.stats.adjusted import adjusted_interval, improving_side


def _normal_family(estimates: np.ndarray, se: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = estimates / se
    return z, 2 * norm.sf(np.abs(z))


def test_bonferroni_adjusted_interval_is_the_simultaneous_interval() -> None:
    estimates, se = np.array([1.0, 2.5, -0.4, 3.1]), np.array([0.5, 1.0, 0.3, 1.2])
    _, p = _normal_family(estimates, se)
    p_bonf = multipletests(p, method="bonferroni")[1]
    z_simultaneous = norm.ppf(1 - 0.05 / (2 * len(p)))
    for d, s, pv, pa in zip(estimates, se, p, p_bonf, strict=True):
        if pa >= 1:  # capped: the factor is no longer m
            continue
        low, high = adjusted_interval(d, d - 1.959964 * s, d + 1.959964 * s, pv, pa)
        assert low == pytest.approx(d - z_simultaneous * s, rel=1e-5)
        assert high == pytest.approx(d + z_simultaneous * s, rel=1e-5)


def test_adjusted_interval_agrees_with_the_holm_verdict() -> None:
    rng = np.random.default_rng(7)
    estimates, se = rng.normal(0, 2.5, 200), rng.uniform(0.5, 1.5, 200)
    _, p = _normal_family(estimates, se)
    p_adj = adjust_p_values(p, "holm")
    for d, s, pv, pa in zip(estimates, se, p, p_adj, strict=True):
        low, high = adjusted_interval(d, d - norm.ppf(0.975) * s, d + norm.ppf(0.975) * s, pv, pa)
        assert (improving_side(low, high, "higher") != "both") == (pa < 0.05)


def test_improving_side_follows_the_direction() -> None:
    assert improving_side(0.1, 0.4, "higher") == "better"
    assert improving_side(0.1, 0.4, "lower") == "worse"
    assert improving_side(-0.4, -0.1, "lower") == "better"
    assert improving_side(-0.1, 0.4, "higher") == "both"


def _ab_rows(metric_rows: list[tuple[str, float, float, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(metric_rows, columns=["metric", "abs_diff", "ci_low", "ci_high", "p_value", "p_adjusted"])


def test_sms_text_a_wins_on_response_but_not_on_revenue() -> None:
    # the demo's SMS-2025Q3 sms_a rows (ab_tests.csv, all customers)
    rows = _ab_rows([("response_rate", 0.055276, 0.017406, 0.094527, 0.004687, 0.037497),
                     ("conversion_rate", 0.015075, -0.011140, 0.042648, 0.248345, 1.0),
                     ("revenue_per_customer", 3.289472, -5.943215, 12.522160, 0.484517, 1.0)])
    named, revenue = claims.arm_claim(rows, alpha=0.05)
    assert named.metric == "response_rate" and named.claim == claims.WORKED
    assert named.low > 0
    assert revenue.claim == claims.DID_NOT_WORK
    assert claims.carries_to_revenue(named, revenue) is False


def test_call_arm_worked_on_revenue_with_its_adjusted_interval() -> None:
    rows = _ab_rows([("response_rate", 0.126827, 0.065841, 0.186639, 0.000054, 0.000218),
                     ("revenue_per_customer", 1265.250033, 261.046662, 2269.453404, 0.013609, 0.027218)])
    named, revenue = claims.arm_claim(rows, alpha=0.05)
    assert named.metric == "revenue_per_customer" and named.claim == claims.WORKED
    # adjusted by Holm's factor 2 = 0.027218 / 0.013609: level 1 - 0.05 / 2, wider than the 95% interval
    half = (2269.453404 - 1265.250033) * norm.ppf(1 - 0.025 / 2) / norm.ppf(0.975)
    assert named.high == pytest.approx(1265.250033 + half)
    assert 0 < named.low < 261.046662
    assert claims.carries_to_revenue(named, revenue) is None


def test_an_arm_without_any_adjusted_win_did_not_work() -> None:
    rows = _ab_rows([("response_rate", -0.005, -0.037, 0.027, 0.75, 1.0),
                     ("revenue_per_customer", -4.39, -11.9, 3.17, 0.25, 1.0)])
    named, _ = claims.arm_claim(rows, alpha=0.05)
    assert named.metric == "revenue_per_customer" and named.claim == claims.DID_NOT_WORK


def test_before_after_moves_and_pre_trend() -> None:
    assert claims.kpi_claim("significant_improvement") == claims.MOVED
    assert claims.kpi_claim("significant_deterioration") == claims.WATCH
    assert claims.kpi_claim("no_significant_change") is None
    assert claims.pre_trend(pd.Series({"level_p_value": 0.20}), 0.05) == "trend"
    assert claims.pre_trend(pd.Series({"level_p_value": 0.01}), 0.05) == "jump"
    assert claims.pre_trend(None, 0.05) is None


def _list(owners: list[str], segments: list[str], due: list[str]) -> pd.DataFrame:
    """An action list in priority order (the playbook's dates)."""
    return pd.DataFrame({"customer_id": [f"C{k}" for k in range(len(owners))], "segment": segments,
                         "churn_risk": ["high"] * len(owners), "annual_amount": [1.0] * len(owners),
                         "strategy": ["Call"] * len(owners), "owner": owners, "due_date": pd.to_datetime(due)})


def test_capacity_check_against_a_hand_computed_fixture() -> None:
    # last period: 13 weeks; A did 26 tasks (2 a week), B 6.5 (0.5 a week), C 39 (3 a week)
    rates = weekly_throughput({"A": 26, "B": 6.5, "C": 39}, weeks=13)
    assert rates == {"A": 2.0, "B": 0.5, "C": 3.0}
    assert typical_rate(rates) == 2.0
    start = date(2025, 10, 1)
    # A: 5 calls, the playbook asks for all by 10-08; A's k-th call can be done ceil(7 k / 2) days after 10-01:
    # 4, 7, 11, 14, 18 days -> 10-08, 10-08, 10-12, 10-15, 10-19. B: 2 calls by 10-29; at 0.5 a week the
    # 1st needs 14 days (10-15: the playbook's 10-29 stands), the 2nd 28 days (10-29). D has no task record:
    # the median pace of the list's measured owners A and B (1.25 a week; C has nothing in the list) is assumed,
    # its one call can be done by 10-07 and is due on 10-08.
    actions = _list(["A"] * 5 + ["B"] * 2 + ["D"], ["s"] * 8, ["2025-10-08"] * 5 + ["2025-10-29"] * 2 + ["2025-10-08"])
    fitted = fit_due_dates(actions, pd.Series([False] * 8), rates, start)
    assert [d.date().isoformat() for d in fitted["due_date"]] == [
        "2025-10-08", "2025-10-08", "2025-10-12", "2025-10-15", "2025-10-19", "2025-10-29", "2025-10-29",
        "2025-10-08"]
    lines = owner_capacity(actions, fitted, pd.Series([False] * 8), rates).set_index("owner")
    assert lines.loc["A", ["tasks", "by_playbook", "weekly_pace"]].tolist() == [5, 2, 2.0]
    assert lines.loc["A", "last_due"] == pd.Timestamp("2025-10-19") and lines.loc["D", "pace_measured"] == False  # noqa: E712
    assert lines.loc["D", "weekly_pace"] == 1.25 and assumed_pace(lines.reset_index()) == 1.25
    assert list(lines.index) == ["A", "B", "D"]  # the largest workload first
    # the summary's check of A's action: 2 of 5 by the playbook's 10-08, all by 10-19; 3 more tasks in 7 days at
    # the median 2 a week need ceil(3 / 2) = 2 people, more than a quarter of its 1 owner: none proposed
    plan = capacity.from_list(fitted[fitted["owner"] == "A"], date(2025, 10, 8))
    assert (plan.tasks, plan.kept, plan.due, plan.owners) == (5, 2, date(2025, 10, 19), 1)
    text = capacity.capacity_text(plan, start, 2.0, "en")
    assert text.startswith("2 of 5 by 2025-10-08") and "all by 2025-10-19" in text
    assert "keeping 2025-10-08 needs 2 more people, over 25% of 1 owners: not proposed" in text
    # 8 owners short of 3 tasks: 2 people are within a quarter of 8, so they are proposed
    assert "or 2 more people to keep 2025-10-08 (cap: 25% of 8 owners)" in capacity.capacity_text(
        capacity.Schedule(5, date(2025, 10, 8), date(2025, 10, 19), 2, 8), start, 2.0, "en")


def test_no_owner_has_more_tasks_due_than_their_pace_allows() -> None:
    rates = {"A": 1.5, "B": 0.25}
    start = date(2025, 10, 15)
    actions = _list(["A"] * 30 + ["B"] * 4, ["s"] * 34, ["2025-10-18"] * 20 + ["2025-11-20"] * 14)
    fitted = fit_due_dates(actions, pd.Series([False] * 34), rates, start)
    for owner, rate in rates.items():
        due = fitted.loc[fitted["owner"] == owner, "due_date"]
        for day in due:
            weeks = (day - pd.Timestamp(start)).days / 7
            assert (due <= day).sum() <= rate * weeks + 1e-9
    assert (fitted["due_date"] >= actions["due_date"]).all()  # never before the playbook's date


def test_no_measured_pace_is_assumed_and_said() -> None:
    # 20 tasks at an assumed 4 a week from 10-01: done after 35 days (11-05), later than the playbook's 10-15;
    # by 10-15 (2 weeks) 8 of them
    plan = capacity.at_pace(20, date(2025, 10, 15), date(2025, 10, 1), 4.0, "median")
    assert (plan.due, plan.kept, plan.pace) == (date(2025, 11, 5), 8, 4.0)
    text = capacity.capacity_text(plan, date(2025, 10, 1), 4.0, "en")
    assert text == "No measured pace: median 4.0 a week assumed; 8 of 20 by 2025-10-15, all by 2025-11-05"
    assert "无实测速度" in capacity.capacity_text(plan, date(2025, 10, 1), 4.0, "zh")


def test_automated_work_takes_no_persons_time() -> None:
    # A does 1 task a week; 100 automated e-mails keep the playbook's date, A's 2 calls after them are not delayed
    actions = _list(["A"] * 102, ["mail"] * 100 + ["call"] * 2, ["2025-10-08"] * 100 + ["2025-10-15"] * 2)
    automated = actions["segment"] == "mail"
    fitted = fit_due_dates(actions, automated, {"A": 1.0}, date(2025, 10, 1))
    assert (fitted["due_date"] == actions["due_date"]).all()
    assert owner_capacity(actions, fitted, automated, {"A": 1.0})["tasks"].tolist() == [2]
    mail = capacity.from_list(fitted[automated], date(2025, 10, 8), automated=True)
    assert capacity.capacity_text(mail, date(2025, 10, 1), 1.0, "en") == (
        "Automated (100 messages by 2025-10-08): takes no person's time")


def test_an_arm_of_a_running_campaign_counts_only_once_stopped_as_the_winner(tmp_path) -> None:
    pd.DataFrame({"campaign_id": ["RUN", "DONE"], "status": ["running", "concluded"], "look": [2, 3]}).to_csv(
        tmp_path / "ab_campaigns.csv", index=False)
    pd.DataFrame({"metric": ["conversion_rate"] * 3, "campaign_id": ["RUN", "RUN", "DONE"], "arm": ["a", "b", "a"],
                  "decision": ["stop_winner", "continue", "concluded"]}).to_csv(tmp_path / "ab_decisions.csv",
                                                                                  index=False)
    results = Results(tmp_path)
    assert claims.still_running(results, "RUN", "a") is None  # stopped, the arm wins: its reading stands
    assert claims.still_running(results, "RUN", "b") == 2  # still running at look 2: not yet a result
    assert claims.still_running(results, "DONE", "a") is None
    assert claims.still_running(Results(tmp_path / "older"), "RUN", "b") is None  # a report without life states


def test_a_campaign_read_at_several_looks_is_claimed_on_its_adjusted_always_valid_interval(tmp_path) -> None:
    # the fixed-horizon interval excludes zero, the always-valid one (as chapter 3 reads it) does not; how a
    # campaign was read is its decision rows' record (ab_decisions.csv), not rebuilt from the campaign states
    pd.DataFrame({"campaign_id": ["SEQ", "ONCE"], "inference": ["fixed_horizon", "sequential"]}).to_csv(
        tmp_path / "ab_campaigns.csv", index=False)
    pd.DataFrame({"metric": ["conversion_rate"] * 3, "campaign_id": ["SEQ", "SEQ", "ONCE"], "arm": ["a", "b", "a"],
                  "inference": ["sequential", "sequential", "fixed_horizon"]}).to_csv(
        tmp_path / "ab_decisions.csv", index=False)
    results = Results(tmp_path)
    assert claims.reads_sequential(results, "SEQ") and not claims.reads_sequential(results, "ONCE")
    assert not claims.reads_sequential(results, "ABSENT")
    assert claims.reads_sequential(Results(tmp_path), "SEQ") == decisions.reads_always_valid("sequential")
    assert decisions.reads_always_valid("group_sequential") and not decisions.reads_always_valid("fixed_horizon")
    row = pd.Series({"metric": "conversion_rate", "abs_diff": 0.05, "ci_low": 0.02, "ci_high": 0.08,
                     "p_value": 0.001, "p_adjusted": 0.002, "seq_adjusted_low": -0.004, "seq_adjusted_high": 0.104})
    fixed, always_valid = claims.ab_reading(row, 0.05), claims.ab_reading(row, 0.05, sequential=True)
    assert fixed.claim == claims.WORKED and fixed.low > 0
    assert always_valid.claim == claims.DID_NOT_WORK
    assert (always_valid.low, always_valid.high) == (-0.004, 0.104)
