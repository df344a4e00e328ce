"""Graded evidence of the summary: adjusted intervals, claim rules and the capacity check of actions."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests

from crmreport.analyses.summary import claims
from crmreport.analyses.summary.capacity import Workload, typical_rate, weekly_throughput
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


def test_capacity_check_against_a_hand_computed_fixture() -> None:
    # last period: 13 weeks; A did 26 tasks (2 a week), B 6.5 (0.5 a week), C 39 (3 a week)
    rates = weekly_throughput({"A": 26, "B": 6.5, "C": 39}, weeks=13)
    assert rates == {"A": 2.0, "B": 0.5, "C": 3.0}
    assert typical_rate(rates) == 2.0
    load = Workload(rates, start=date(2025, 10, 1))
    # action 1, due in 2 weeks: A 10 tasks (can do 4), B 8 (can do 1) -> 13 do not fit
    first = load.check({"A": 10, "B": 8}, due=date(2025, 10, 15))
    assert (first.tasks, first.capacity, first.shortfall, first.fits) == (18, 5.0, 13, False)
    # B needs 8 / 0.5 = 16 weeks = 112 days; 13 more tasks at 2 a week for 2 weeks: ceil(13 / 4) = 4 people
    assert first.finish == date(2026, 1, 21)
    assert first.extra_hands == 4
    # action 2, due in 4 weeks: A already owes 10 of its 8 -> its 2 tasks do not fit; done by (10 + 2) / 2 = 6 weeks
    second = load.check({"A": 2}, due=date(2025, 10, 29))
    assert (second.capacity, second.shortfall, second.finish, second.extra_hands) == (0.0, 2, date(2025, 11, 12), 1)
    # action 3: C does 6 in 2 weeks, 3 asked: fits, nobody extra
    third = load.check({"C": 3}, due=date(2025, 10, 15))
    assert third.fits and third.extra_hands == 0 and third.finish == date(2025, 10, 15)
    # an owner without any done task last period never finishes alone
    fourth = load.check({"D": 5}, due=date(2025, 10, 15))
    assert fourth.finish is None and fourth.shortfall == 5 and fourth.extra_hands == 2


def test_capacity_check_when_the_due_date_has_passed() -> None:
    load = Workload({"A": 1.0}, start=date(2025, 10, 15))
    late = load.check({"A": 3}, due=date(2025, 10, 3))
    assert late.shortfall == 3 and late.extra_hands is None and late.finish == date(2025, 11, 5)


def test_automated_work_takes_no_persons_time() -> None:
    # A does 1 task a week; 100 automated e-mails due in 1 week fit and book nothing of A's time
    load = Workload({"A": 1.0}, start=date(2025, 10, 1))
    mail = load.check({"A": 100}, due=date(2025, 10, 8), automated=True)
    assert (mail.tasks, mail.capacity, mail.shortfall, mail.fits, mail.automated) == (100, 100.0, 0, True, True)
    assert mail.finish == date(2025, 10, 8) and mail.extra_hands == 0 and load.used == {}
    # so A's 2 calls in the next 2 weeks still fit (2 x 1 a week); had the e-mails been A's tasks, none would
    calls = load.check({"A": 2}, due=date(2025, 10, 15))
    assert calls.fits and load.used == {"A": 2.0}
    manual = Workload({"A": 1.0}, start=date(2025, 10, 1))
    manual.check({"A": 100}, due=date(2025, 10, 8))
    assert manual.check({"A": 2}, due=date(2025, 10, 15)).shortfall == 2


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
    # the fixed-horizon interval excludes zero, the always-valid one (as chapter 3 reads it) does not
    pd.DataFrame({"campaign_id": ["SEQ", "ONCE"], "inference": ["sequential", "fixed_horizon"]}).to_csv(
        tmp_path / "ab_campaigns.csv", index=False)
    results = Results(tmp_path)
    assert claims.reads_sequential(results, "SEQ") and not claims.reads_sequential(results, "ONCE")
    assert not claims.reads_sequential(results, "ABSENT")
    row = pd.Series({"metric": "conversion_rate", "abs_diff": 0.05, "ci_low": 0.02, "ci_high": 0.08,
                     "p_value": 0.001, "p_adjusted": 0.002, "seq_adjusted_low": -0.004, "seq_adjusted_high": 0.104})
    fixed, always_valid = claims.ab_reading(row, 0.05), claims.ab_reading(row, 0.05, sequential=True)
    assert fixed.claim == claims.WORKED and fixed.low > 0
    assert always_valid.claim == claims.DID_NOT_WORK
    assert (always_valid.low, always_valid.high) == (-0.004, 0.104)
