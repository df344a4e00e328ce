"""The decision per running campaign and the effect's path week by week, on simulated campaigns."""

from __future__ import annotations

import math
from datetime import date
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from test_campaigns import simulate, sums_of

from crmreport.analyses.abtests import campaigns as cp
from crmreport.analyses.abtests import decisions, life, path
from crmreport.core.i18n import catalog
from crmreport.reporting.abwords import decision_lines
from crmreport.reporting.report import Report
from crmreport.settings import AbTests, Window
from crmreport.settings.params import Labels
from crmreport.stats import sequential

Q3 = Window(start=date(2025, 7, 1), end=date(2025, 9, 30))


def overview(**states: tuple[str, int, str]) -> pd.DataFrame:
    """A campaign_life frame: campaign -> (status, arms, inference), since 2025-07-01, look 1."""
    return pd.DataFrame([{"campaign_id": c, "status": status, "arms": arms, "look": 1, "inference": inference,
                          "since": date(2025, 7, 1), "has_control": True}
                         for c, (status, arms, inference) in states.items()])


def report(language: str) -> Report:
    """A report without a period: the stock labels (arm names shown as they are)."""
    return Report(SimpleNamespace(language=language, results_dir=None, data=None,
                                  params=SimpleNamespace(labels=Labels(), currency="CNY")))


@pytest.fixture(scope="module")
def simulated():
    rng = np.random.default_rng(23)
    customers = pd.concat([simulate(rng, "WIN", {"control": (1500, 0.10), "t": (1500, 0.16)}),
                           simulate(rng, "NULL", {"control": (1500, 0.10), "t": (1500, 0.10)}),
                           simulate(rng, "DONE", {"control": (400, 0.10), "t": (400, 0.16)})])
    # assignment spread over six weeks from 2025-07-01
    customers["assigned_at"] = pd.Timestamp("2025-07-01 09:00") + pd.to_timedelta(
        rng.integers(0, 42, len(customers)), unit="D")
    tests = cp.evaluate(*sums_of(customers), "control", AbTests(min_n_per_segment=30))
    return customers, tests


def test_running_campaigns_stop_for_a_winner_or_continue_and_concluded_ones_say_so(simulated):
    _, tests = simulated
    states = overview(WIN=("running", 2, "sequential"), NULL=("running", 2, "sequential"),
                      DONE=("concluded", 2, "fixed_horizon"))
    table = decisions.decide(tests, states, AbTests()).set_index("campaign_id")
    assert table["decision"].to_dict() == {"WIN": "stop_winner", "NULL": "continue", "DONE": "concluded"}
    assert table["reason"].to_dict() == {"WIN": "better", "NULL": "holds_zero", "DONE": "concluded"}
    win = tests[(tests["campaign_id"] == "WIN") & (tests["segment"] == "all") & (tests["metric"] == "conversion_rate")]
    assert table.loc["WIN", "seq_p_adjusted"] == win["seq_p_adjusted"].iloc[0] < 0.05
    assert (table["metric"] == "conversion_rate").all() and set(table["decision"]) <= set(decisions.DECISIONS)


def test_futility_when_the_planned_lift_is_ruled_out_or_out_of_reach(simulated):
    _, tests = simulated
    states = overview(NULL=("running", 2, "sequential"))
    null = tests[(tests["campaign_id"] == "NULL") & (tests["segment"] == "all")
                 & (tests["metric"] == "conversion_rate")].iloc[0]
    # a lift of +100% lies above the whole sequence at the campaign's adjustment: ruled out
    ruled_out = decisions.decide(tests, states, AbTests(campaigns={"NULL": {"min_lift": 1.0}})).iloc[0]
    assert null["seq_adjusted_high"] < 1.0 * null["value_control"] and ruled_out["decision"] == "stop_futility"
    assert ruled_out["reason"] == "ruled_out" and ruled_out["ci_high"] == null["seq_adjusted_high"]
    # +20% is inside the sequence, but 3,200 planned customers cannot detect it any more: out of reach
    assert null["seq_adjusted_low"] < 0.2 * null["value_control"] < null["seq_adjusted_high"]
    plan = {"NULL": {"min_lift": 0.2, "planned_customers": 3200}}
    reach = decisions.decide(tests, states, AbTests(campaigns=plan)).iloc[0]
    unit_sd = null["std_error"] * math.sqrt(null["n_arm"] + null["n_control"])
    expected = float(sequential.detectable_difference(unit_sd, 3200, 0.05, 3200))
    assert reach["detectable_lift_abs"] == pytest.approx(expected, rel=1e-12)
    assert reach["detectable_lift_abs"] > 0.2 * null["value_control"] and reach["decision"] == "stop_futility"
    assert reach["reason"] == "out_of_reach"
    # with 30,000 planned customers the same lift is still within reach: continue
    far = decisions.decide(tests, states, AbTests(campaigns={"NULL": {"min_lift": 0.2,
                                                                      "planned_customers": 30_000}})).iloc[0]
    assert far["detectable_lift"] < 0.2 and far["decision"] == "continue"


def test_group_sequential_decisions_use_the_boundary_and_srm_never_stops(simulated):
    _, tests = simulated
    states = overview(WIN=("running", 2, "group_sequential"))
    win = tests[(tests["campaign_id"] == "WIN") & (tests["segment"] == "all") & (tests["metric"] == "conversion_rate")]
    z = float(win["abs_diff"].iloc[0] / win["std_error"].iloc[0])
    crossed = decisions.decide(tests, states, AbTests(), {"WIN": z - 0.01}).iloc[0]
    assert (crossed["decision"], crossed["reason"]) == ("stop_winner", "crossed_up")
    below = decisions.decide(tests, states, AbTests(), {"WIN": z + 0.01}).iloc[0]
    assert (below["decision"], below["reason"]) == ("continue", "holds_zero")
    # a WIN arm made worse than control crosses the lower boundary
    flipped = tests.assign(abs_diff=np.where(tests["campaign_id"] == "WIN", -tests["abs_diff"], tests["abs_diff"]))
    down = decisions.decide(flipped, states, AbTests(), {"WIN": z - 0.01}).iloc[0]
    assert (down["decision"], down["reason"]) == ("stop_futility", "crossed_down")
    flagged = tests.assign(message=np.where(tests["campaign_id"] == "WIN", "srm", tests["message"]))
    srm = decisions.decide(flagged, overview(WIN=("running", 2, "sequential")), AbTests()).iloc[0]
    assert (srm["decision"], srm["reason"]) == ("continue", "srm")


def test_each_arm_shows_the_interval_its_campaign_is_read_with_and_it_agrees_with_the_decision(simulated):
    _, tests = simulated
    states = overview(WIN=("running", 2, "sequential"), NULL=("running", 2, "sequential"),
                      DONE=("concluded", 2, "fixed_horizon"))
    table = decisions.decide(tests, states, AbTests()).set_index("campaign_id")
    whole = tests[(tests["segment"] == "all") & (tests["metric"] == "conversion_rate")].set_index("campaign_id")
    # read once as planned: the fixed-horizon interval; otherwise the always-valid one at the campaign's correction
    assert table.loc["DONE", ["ci_low", "ci_high"]].tolist() == whole.loc["DONE", ["ci_low", "ci_high"]].tolist()
    for running in ("WIN", "NULL"):
        assert table.loc[running, ["ci_low", "ci_high"]].tolist() == whole.loc[
            running, ["seq_adjusted_low", "seq_adjusted_high"]].tolist()
        excludes_zero = table.loc[running, "ci_low"] > 0 or table.loc[running, "ci_high"] < 0
        assert excludes_zero == (table.loc[running, "decision"] != "continue")


def test_an_arm_significantly_worse_than_control_stops_and_its_sentence_says_worse(simulated):
    _, tests = simulated
    flipped = tests.assign(abs_diff=-tests["abs_diff"], seq_adjusted_low=-tests["seq_adjusted_high"],
                           seq_adjusted_high=-tests["seq_adjusted_low"])
    worse = decisions.decide(flipped, overview(WIN=("running", 2, "sequential")), AbTests()).iloc[0]
    assert (worse["decision"], worse["reason"]) == ("stop_futility", "worse") and worse["ci_high"] < 0
    en = report("en")
    assert decision_lines(en, pd.DataFrame([worse])) == [
        f"WIN, t: stop, the arm does worse than control. Campaign conversion rate: the always-valid interval "
        f"({en.points(worse['ci_low'])} to {en.points(worse['ci_high'])}) lies below zero."]


def test_every_reason_is_worded_in_both_languages_and_concluded_campaigns_need_no_words(simulated):
    _, tests = simulated
    messages = catalog()
    reasons = [r for d in decisions.DECISIONS for r in decisions.REASONS[d]]
    assert set(reasons) >= {"holds_zero", "srm", "better", "crossed_up", "worse", "crossed_down", "ruled_out",
                            "out_of_reach", "concluded"}
    assert [r for r in reasons if r != "concluded" and set(messages.get(f"abtest.decision.{r}", {})) != {"en", "zh"}
            ] == []
    states = overview(WIN=("running", 2, "sequential"), NULL=("running", 2, "sequential"),
                      DONE=("concluded", 2, "fixed_horizon"))
    table = decisions.decide(tests, states, AbTests())
    for language in ("en", "zh"):
        lines = decision_lines(report(language), table)
        assert sorted(line.split(",")[0].split("，")[0] for line in lines) == ["NULL", "WIN"]
        assert not any("{" in line for line in lines)


def test_the_path_ends_on_the_campaigns_reading_and_grows_week_by_week(simulated):
    customers, tests = simulated
    states = overview(WIN=("running", 2, "sequential"))
    frame = path.effect_path(customers, states, Window(start=date(2025, 7, 1), end=date(2025, 8, 15)), "control",
                             AbTests())
    assert list(frame.columns) == path.PATH_COLUMNS and frame["week"].tolist() == list(range(1, 8))
    assert frame["customers"].is_monotonic_increasing and frame["customers"].iloc[-1] == 3000
    last = frame.iloc[-1]
    whole = tests[(tests["campaign_id"] == "WIN") & (tests["segment"] == "all")
                  & (tests["metric"] == "conversion_rate")].iloc[0]
    assert (last["abs_diff"], last["seq_ci_low"], last["seq_ci_high"]) == pytest.approx(
        (whole["abs_diff"], whole["seq_ci_low"], whole["seq_ci_high"]), rel=1e-12)
    assert (frame["seq_ci_low"] <= frame["ci_low"]).all() and (frame["ci_high"] <= frame["seq_ci_high"]).all()
    assert frame["week_end"].iloc[-1] == date(2025, 8, 15) and frame["look"].isna().all()


def test_a_campaign_read_once_as_planned_has_no_path(simulated):
    customers, _ = simulated
    states = overview(WIN=("running", 2, "sequential"), DONE=("concluded", 2, "fixed_horizon"))
    frame = path.effect_path(customers, states, Window(start=date(2025, 7, 1), end=date(2025, 8, 15)), "control",
                             AbTests())
    assert set(frame["campaign_id"]) == {"WIN"}


def test_a_group_sequential_path_marks_each_report_look_with_its_boundary(simulated):
    customers, _ = simulated
    mine = customers[customers["campaign_id"] == "WIN"]
    settings = AbTests(campaigns={"WIN": {"planned_customers": 3000, "planned_looks": 2}})
    states = overview(WIN=("running", 2, "group_sequential"))
    frame = path.effect_path(mine, states, Window(start=date(2025, 8, 1), end=date(2025, 8, 31)), "control", settings)
    marked = frame.dropna(subset=["look"])
    assert marked["look"].tolist() == [1, 2]  # the July report and the August one
    assert marked["week"].tolist() == [5, 9]  # the weeks holding July 31 and August 31
    assert (marked["boundary_high"] > 0).all() and (marked["boundary_low"] == -marked["boundary_high"]).all()
    assert marked["boundary_high"].iloc[0] / marked["boundary_high"].iloc[1] > 1  # the early look is stricter


def test_every_state_decision_and_column_has_a_label_in_both_languages():
    messages = catalog()
    names = ([f"ab_status_{s}" for s in (life.RUNNING, life.CONCLUDED, life.SKIPPED, life.STARTS_AFTER,
                                          life.CONCLUDED_BEFORE)]
             + [f"ab_inference_{i}" for i in (life.FIXED, life.SEQUENTIAL, life.GROUP_SEQUENTIAL)]
             + [f"ab_decision_{d}" for d in decisions.DECISIONS]
             + [f"ab_{c}" for c in life.LIFE_COLUMNS + decisions.DECISION_COLUMNS + path.PATH_COLUMNS])
    assert [n for n in names if set(messages.get(f"label.{n}", {})) != {"en", "zh"}] == []


def test_a_campaign_read_at_more_than_one_look_takes_its_verdicts_from_the_always_valid_p_values(simulated):
    _, tests = simulated
    fixed, always = cp.with_verdicts(tests, 0.05), cp.with_verdicts(tests, 0.05, ["WIN"])
    win, others = tests["campaign_id"] == "WIN", tests["campaign_id"] != "WIN"
    assert always.loc[others, "verdict"].tolist() == fixed.loc[others, "verdict"].tolist()
    # the always-valid reading of WIN is the fixed-horizon one with seq_p_* in place of p_*
    swapped = cp.with_verdicts(tests.assign(p_adjusted=tests["seq_p_adjusted"], p_value=tests["seq_p_value"]), 0.05)
    assert always.loc[win, "verdict"].tolist() == swapped.loc[win, "verdict"].tolist()
    # wider at every look: a difference significant by the sequence is significant at the fixed horizon
    seq_significant = win & (tests["seq_p_adjusted"] < 0.05)
    assert seq_significant.any() and (tests.loc[seq_significant, "p_adjusted"] < 0.05).all()
