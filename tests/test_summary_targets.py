"""The actions' targets (:mod:`crmreport.analyses.summary.targets`), the lever's hold-out outside the other actions
and the plan's fit in the next period: numbers against statsmodels' power classes and hand counts."""

from __future__ import annotations

import math
from datetime import date

import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from test_summary import ACTIONS, _write, run  # noqa: F401  (run: the fixture)

from crmreport.analyses.summary import actions, capacity, targets
from crmreport.analyses.summary.sources import Ledger, Results, source_value

Z = stats.norm.ppf(0.975)


def _one_sample_mde(p: float, n: int) -> float:
    """Customers above a forecast rate ``p`` that one group of ``n`` shows with 80% power (arcsine scale)."""
    h = NormalIndPower().solve_power(nobs1=n, alpha=0.05, power=0.8, ratio=0)
    return (math.sin(math.asin(math.sqrt(p)) + h / 2) ** 2 - p) * n


def test_an_order_target_asks_for_the_lever_lift_where_the_group_can_detect_it():
    # 1,000 customers, 500 forecast: the call's +25 pp on the other 500 adds 125, far above the ~44 detectable
    text = targets.order_target(targets.Outlook(1000, 500.0, 480.0), 0.25, 0.05, "2025Q3", "2025Q4", "en")
    assert _one_sample_mde(0.5, 1000) < 125
    band = round(Z * math.sqrt(1000 * 0.5 * 0.5))  # 31
    assert text == (f"480 ordered in 2025Q3; model: 500 of 1,000 in 2025Q4 (±{band}). Target ≥ 625: the lever's "
                    "+25.0 pp on the other 500")


def test_an_order_target_says_when_the_group_is_too_small_to_judge_the_lift():
    # the demo's Maintain: 125 customers, 63 bought last quarter, the model expects 79; +5.9 pp on 46 adds 3
    text = targets.order_target(targets.Outlook(125, 79.0, 63.0), 0.059, 0.05, "2025Q3", "2025Q4", "zh")
    p = 79 / 125
    band = Z * math.sqrt(125 * p * (1 - p))
    mde = math.ceil(_one_sample_mde(p, 125))
    goal = math.floor(79 + band) + 1
    assert (round(band), mde, goal) == (11, 15, 90)
    assert text == ("2025Q3 下单 63 位；模型预计 2025Q4 125 位中 79 位下单（±11）。"
                    f"已证实措施提升 5.9 个百分点仅增加 3 位，低于该组可检测的 +{mde} 位："
                    f"≥ {goal} 位下单才超出随机波动")


def test_an_order_target_counts_from_last_periods_buyers_when_the_model_expects_fewer():
    # the demo's Core: all 193 bought last quarter, the model (which under-predicts frequent buyers) expects 174;
    # chance spans 1.96 sqrt(193 x 174/193 x 19/193) = 8.1: no gain over 193 can show, so the target is to keep them
    text = targets.order_target(targets.Outlook(193, 174.0, 193.0), 0.059, 0.05, "2025Q3", "2025Q4", "en")
    assert Z * math.sqrt(174 * 19 / 193) == pytest.approx(8.11, abs=0.01)
    assert text == ("193 ordered in 2025Q3; model: 174 of 193 in 2025Q4 (±8); counted from 193. No gain can be told "
                    "from chance: keep ≥ 184 ordering")


def test_an_untested_action_splits_all_its_customers_and_states_the_detectable_difference():
    # the demo's Observe: 256 customers, the model expects 80 (31.3%) to order; 128 against 128
    text = targets.test_target(targets.Outlook(256, 80.0, 61.0), 0.05, "2025Q3", "2025Q4", "en")
    p = 80 / 256
    h = NormalIndPower().solve_power(nobs1=128, alpha=0.05, power=0.8, ratio=1.0)
    mde = math.sin(math.asin(math.sqrt(p)) + h / 2) ** 2 - p
    assert text == (f"Test first: 128 get it, 128 held out at random; detects ≥ {mde * 100:.1f} pp more ordering "
                    "(61 ordered in 2025Q3; model: 80 of 256 in 2025Q4)")


def test_the_spread_per_customer_is_read_back_from_the_tests_interval():
    # +-1,004 at 372 / 373: se = 1,004 / 1.96, sd = se / sqrt(1/372 + 1/373)
    sd = targets.spread_per_customer(1265.0 - 1004.0, 1265.0 + 1004.0, 372, 373, 0.05)
    assert sd == pytest.approx(1004.0 / Z / math.sqrt(1 / 372 + 1 / 373))


def _mde(n: int, size: int, sd: float) -> float:
    """The difference in means 80% power detects with ``n - size`` against ``size`` (statsmodels' t power)."""
    d = TTestIndPower().solve_power(nobs1=n - size, ratio=size / (n - size), alpha=0.05, power=0.8)
    return d * sd  # Cohen's d is the difference over the per-customer sd


def test_the_hold_out_is_the_smallest_that_detects_the_tests_difference():
    n, sd, diff = 400, 2000.0, 700.0
    plan = targets.size_holdout(n, n, sd, diff, 0.05)
    smallest = next(h for h in range(40, 201) if _mde(n, h, sd) <= diff)  # by brute force
    assert plan.size == smallest and plan.detectable
    assert plan.mde == pytest.approx(_mde(n, smallest, sd), rel=1e-4)
    # the demo's call: 373 customers, sd ~ 7,000 a customer, +1,265 measured: even 186 against 187 cannot see it
    small = targets.size_holdout(373, 373, 7000.0, 1265.0, 0.05)
    assert (small.size, small.detectable) == (38, False)
    assert small.mde == pytest.approx(_mde(373, 38, 7000.0), rel=1e-4) and _mde(373, 186, 7000.0) > 1265.0
    assert targets.lever_target(small, "en") == ("Reach 335, hold out 38 at random. Detects only ≥ 3,366 a customer "
                                                 "(test: 1,265): pool with next period")


def test_the_lever_hold_out_is_drawn_outside_the_actions_that_contact_its_customers_anyway(run):  # noqa: F811
    # 100 of the call test's 300 control customers were core at its start: the core visits and calls (action 2)
    # reach them anyway, so the hold-out comes from the other 200
    _write(run.folder, ab_segments_conversion={"campaign_id": ["C1", "C1"], "segment": ["core", "churn_warning"],
                                               "arm": ["call", "call"], "n_arm": [90, 40], "n_control": [100, 40]})
    ledger = Ledger()
    table, chosen = actions.next_actions(run, ledger, "en", next_period="2025Q4", start=date(2025, 10, 1),
                                         alpha=0.05)
    lever = table.iloc[0]
    assert lever["summary_target"].startswith("Reach 270, hold out 30 at random of the 200 not in action 2 (100). "
                                              "Detects only ≥ ")
    figures = ledger.frame()
    overlap = figures[figures["figure"].str.contains("hold-out not from action 2")]
    assert overlap["value"].tolist() == [100.0]
    assert source_value(run.folder, overlap.iloc[0]) == 100.0  # the churn-warning e-mail is no call: its 40 stay


def test_the_plan_line_counts_what_fits_in_the_next_period_and_what_falls_later(run):  # noqa: F811
    _write(run.folder, action_list={**ACTIONS, "segment": ["core", "core", "churn_warning", "opportunity"],
                                    "due_date": ["2025-10-07", "2026-01-05", "2026-02-01", "2025-12-31"]})
    _write(run.folder, action_capacity={"owner": ["王芳"], "tasks": [3], "weekly_pace": [0.1],
                                        "pace_measured": [True]})
    ledger = Ledger()
    line = capacity.plan_fit(run, ledger, "en", next_period="2025Q4", start=date(2025, 10, 1))
    # 2 due by 2025-12-31 (the last day counts), 2 after; 1 of those is churn warning, a low-value segment;
    # 2 tasks at 0.1 a week in the 91 days to 2025-12-31 (1.3 each) need 2 more people
    assert line.startswith("Of 4 planned actions, 2 fit in 2025Q4 at last period's pace; 2 fall later [")
    assert "To fit them: 2 more people at the median pace of 0.1 a week, or automate the work of the low-value " \
           "segments (Opportunity, Low-value-stable, Churn-warning: 1 of the 2 [" in line
    assert "first contact only" in line
    for _, figure in ledger.frame().iterrows():
        assert source_value(run.folder, figure) == figure["value"]
    assert "均可" in capacity.plan_fit(Results(_write(run.folder, action_list=ACTIONS)), Ledger(), "zh",
                                      next_period="2025Q4", start=date(2025, 10, 1))
    assert capacity.plan_fit(Results(run.folder / "none"), Ledger(), "en", next_period="2025Q4",
                             start=date(2025, 10, 1)) == ""
