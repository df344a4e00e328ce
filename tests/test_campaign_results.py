"""Derived campaign tables (CUPED, power, planning, business, heterogeneity, board) and the planted demo effects."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_confint, proportion_effectsize
from test_campaigns import SETTINGS, simulate, simulated_evaluation, sums_of

from crmreport.analyses.abtests import campaign_results as cr
from crmreport.analyses.abtests import campaigns as cp
from crmreport.analyses.abtests import life, tiertests
from crmreport.analyses.abtests import planning as pl
from crmreport.core.i18n import catalog
from crmreport.ingest.dataset import prepare_dataset
from crmreport.settings import AbTests, load_params
from crmreport.stats import abchecks
from crmreport.stats import abtest as ab
from crmreport.stats.cuped import cuped


@pytest.fixture(scope="module")
def evaluated():
    return simulated_evaluation()


def test_cuped_table_adjusts_with_pre_period_revenue(evaluated):
    customers, sums, _, tests = evaluated
    table = cr.cuped_table(sums, tests, "control", SETTINGS)
    assert table[["campaign_id", "arm"]].values.tolist() == [["A", "t1"], ["A", "t2"], ["B", "t"]]
    part = customers[customers["campaign_id"] == "A"]

    def bivariate(arm):
        rows = part[part["arm"] == arm]
        y, x = rows["revenue"].to_numpy(), rows["pre_revenue"].to_numpy()
        return ab.Bivariate(len(y), y.sum(), (y**2).sum(), x.sum(), (x**2).sum(), (x * y).sum())

    expected = cuped(bivariate("control"), bivariate("t1"))
    row = table.iloc[0]
    assert (row["theta"], row["abs_diff"], row["p_value"], row["variance_reduction"]) == pytest.approx(
        (expected.theta, expected.adjusted.abs_diff, expected.adjusted.p_value, expected.variance_reduction), rel=1e-9)
    assert row["variance_reduction"] > 0.02  # converters' revenue is built on their pre-period revenue
    family = tests[(tests["campaign_id"] == "A") & (tests["segment"] == "all")]
    p = family["p_value"].to_numpy().copy()
    swap = (family["metric"] == "revenue_per_customer").to_numpy()
    p[swap] = table.loc[table["campaign_id"] == "A", "p_value"].to_numpy()
    assert table.loc[table["campaign_id"] == "A", "p_adjusted"].tolist() == pytest.approx(
        abchecks.adjust_p_values(p, "holm")[swap].tolist(), rel=1e-12)


def test_business_table_scales_differences_and_prices_contacts(evaluated):
    _, _, _, tests = evaluated
    settings = AbTests(cost_per_contact={"sms": 0.5, "A": 2.0})
    table = cr.business_table(tests, {"A": "call", "B": "sms"}, settings).set_index(["campaign_id", "arm"])
    conv = tests[(tests["campaign_id"] == "A") & (tests["segment"] == "all") & (tests["arm"] == "t1")
                 & (tests["metric"] == "conversion_rate")].iloc[0]
    row = table.loc[("A", "t1")]
    assert row["incremental_conversions"] == pytest.approx(conv["abs_diff"] * 600)
    assert row["incremental_conversions_low"] == pytest.approx(conv["ci_low"] * 600)
    assert row["cost_per_contact"] == 2.0 and row["cost"] == 1200  # the campaign id wins over the channel
    assert row["cost_per_incremental_conversion"] == pytest.approx(1200 / (conv["abs_diff"] * 600))
    assert table.loc[("B", "t"), "cost_per_contact"] == 0.5
    assert np.isnan(cr.business_table(tests, {"A": "call", "B": "sms"}, AbTests())["cost"]).all()


def test_heterogeneity_table_flags_a_segment_that_differs():
    rng = np.random.default_rng(4)
    same = simulate(rng, "SAME", {"control": (3000, 0.1), "t": (3000, 0.15)}, segments=("x", "y", "z"))
    other = pd.concat([simulate(rng, "DIFF", {"control": (1500, 0.1), "t": (1500, 0.1)}, segments=("x",)),
                       simulate(rng, "DIFF", {"control": (1500, 0.1), "t": (1500, 0.3)}, segments=("y",))])
    tests = cp.evaluate(*sums_of(pd.concat([same, other])), "control", SETTINGS)
    table = cr.heterogeneity_table(tests).set_index(["campaign_id", "metric"])
    assert table.loc[("DIFF", "conversion_rate"), "p_value"] < 1e-6
    assert table.loc[("SAME", "conversion_rate"), "p_value"] > 0.01
    assert table.loc[("SAME", "conversion_rate"), "segments"] == 3


def test_board_has_wilson_intervals(evaluated):
    _, _, segment_sums, _ = evaluated
    board = cr.board_table(segment_sums)
    for _, row in board.iterrows():
        low, high = proportion_confint(row["conversions"], row["n"], method="wilson")
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-12)
        assert row["ci_low"] <= row["conversion_rate"] <= row["ci_high"]  # the clamp of stats.proportion


def test_power_and_planning_tables(evaluated):
    _, sums, _, tests = evaluated
    power = pl.power_table(tests, SETTINGS)
    assert len(power) == 12 and (power["mde_abs"] > 0).all()
    planning = pl.planning_table(sums, "control", AbTests(target_lifts=[0.1, 0.5]))
    assert len(planning) == 2 * 3 * 2 and planning["n_per_arm"].dtype == "Int64"
    rows = planning.set_index(["campaign_id", "metric", "target_lift"])
    assert rows.loc[("A", "conversion_rate", 0.1), "n_per_arm"] > rows.loc[("A", "conversion_rate", 0.5), "n_per_arm"]
    assert rows["enough"].dtype == bool


def test_planning_says_what_every_customer_could_detect_when_a_lift_needs_more(evaluated):
    _, sums, _, _ = evaluated
    settings = AbTests(target_lifts=[0.1, 0.5])
    arms = sums.groupby("campaign_id")["arm"].nunique()
    planning = pl.planning_table(sums, "control", settings, customers=3001)
    assert (planning["n_per_arm_max"] == planning["campaign_id"].map(3001 // arms)).all()
    assert (planning["possible"] == (planning["n_per_arm"] <= planning["n_per_arm_max"])).all()
    # oracle (statsmodels): at the smallest lift detectable with every customer, that many customers per arm
    # give the planned power
    for row in planning[planning["metric"] != "revenue_per_customer"].itertuples(index=False):
        h = proportion_effectsize(row.baseline * (1 + row.mde_rel_max), row.baseline)
        power = NormalIndPower().power(h, nobs1=row.n_per_arm_max, alpha=settings.alpha, ratio=1.0)
        assert power == pytest.approx(settings.power, abs=1e-6), row
    assert pl.planning_table(sums, "control", settings)["n_per_arm_max"].isna().all()  # base unknown


@pytest.fixture(scope="module")
def demo_truth() -> dict:
    text = resources.files("crmreport").joinpath("data/demo/ground_truth.json").read_text(encoding="utf-8")
    return json.loads(text)


def _evaluate_demo(period: str) -> cr.CampaignResults:
    params = load_params(period, overrides={"as_of": "2025-10-15"})
    return cr.evaluate_period(prepare_dataset(params), params)


@pytest.fixture(scope="module")
def demo_q3() -> cr.CampaignResults:
    return _evaluate_demo("2025Q3")


def test_demo_campaigns_of_the_period(demo_q3):
    overview = demo_q3.overview.set_index("campaign_id")
    assert demo_q3.active == ["PILOT-2025Q2", "CALL-2025Q3", "SMS-2025Q3"]
    assert overview.loc["EMAIL-2025Q2", "reason"] == life.CONCLUDED_BEFORE
    # both Q3 campaigns start and conclude in the quarter: read once, with the fixed-horizon tests
    assert overview.loc[["CALL-2025Q3", "SMS-2025Q3"], ["status", "look", "inference"]].values.tolist() == [
        ["concluded", 1, "fixed_horizon"]] * 2
    assert demo_q3.srm["srm_p_value"].gt(0.001).all()


@pytest.mark.parametrize("period", ["2025Q3", "2025Q2"])
def test_demo_planted_effects_lie_inside_the_95_percent_intervals(period, demo_q3, demo_truth):
    results = demo_q3 if period == "2025Q3" else _evaluate_demo(period)
    tests = results.contract
    whole = tests[tests["segment"] == "all"].set_index(["campaign_id", "arm", "metric"])
    checked = 0
    for campaign_id in results.active:
        truth = demo_truth["campaigns"][campaign_id]
        control = truth["arms"][truth["control_arm"]]
        for arm, effects in truth["effects"].items():
            planted = {**effects, "revenue_per_converter": truth["arms"][arm]["revenue_per_converter"]
                       - control["revenue_per_converter"]}
            for metric, effect in planted.items():
                row = whole.loc[(campaign_id, arm, metric)]
                assert row["ci_low"] <= effect <= row["ci_high"], (campaign_id, arm, metric, effect, row.to_dict())
                assert row["n_arm"] == truth["n_assigned"][arm]
                checked += 1
    assert checked == (16 if period == "2025Q3" else 8)


def test_a_campaign_spanning_two_quarters_is_read_running_then_concluded_with_the_same_customers(demo_q3):
    pilot = "PILOT-2025Q2"  # assigned by agents from 2025-06-09 to 06-29; outcomes need 28 days
    q2 = _evaluate_demo("2025Q2")
    before, after = (r.overview.set_index("campaign_id").loc[pilot] for r in (q2, demo_q3))
    assert (before["status"], before["look"], before["inference"]) == ("running", 1, "sequential")
    assert (after["status"], after["look"], after["inference"]) == ("concluded", 2, "sequential")
    assert before["since"] == after["since"] == date(2025, 6, 9) and before["customers"] == after["customers"]
    arms = [r.sums[r.sums["campaign_id"] == pilot].set_index("arm")["n"].to_dict() for r in (q2, demo_q3)]
    assert arms[0] == arms[1]
    decided = {name: r.decisions.set_index("campaign_id").loc[pilot] for name, r in (("q2", q2), ("q3", demo_q3))}
    assert decided["q2"]["decision"] in ("continue", "stop_winner") and decided["q3"]["decision"] == "concluded"
    weeks = q2.path[q2.path["campaign_id"] == pilot]
    assert weeks["week"].tolist() == [1, 2, 3, 4] and weeks["customers"].iloc[-1] == before["customers"]
    # the Q3 reading's always-valid columns are those of the same customers at the Q2 reading
    rows = [r.contract[(r.contract["campaign_id"] == pilot) & (r.contract["segment"] == "all")]
            .set_index(["arm", "metric"])[["abs_diff", "seq_ci_low", "seq_ci_high"]] for r in (q2, demo_q3)]
    pd.testing.assert_frame_equal(rows[0], rows[1])


def test_demo_significance_follows_the_planted_effects(demo_q3):
    tests = demo_q3.contract
    whole = tests[tests["segment"] == "all"].set_index(["campaign_id", "arm", "metric"])
    assert whole.loc[("CALL-2025Q3", "call", "response_rate"), "significant"]
    assert whole.loc[("CALL-2025Q3", "call", "conversion_rate"), "significant"]
    assert whole.loc[("SMS-2025Q3", "sms_a", "response_rate"), "significant"]
    assert not whole.loc[("SMS-2025Q3", "sms_b")]["significant"].any()  # no planted effect
    assert whole.loc[("CALL-2025Q3", "call", "response_rate"), "prob_beat_control"] > 0.99


def test_headlines_quote_the_tables(evaluated):
    _, sums, segment_sums, tests = evaluated
    board = cr.board_table(segment_sums)
    best = cr.board_headline(board, "control")
    treated = board[board["arm"] != "control"]
    assert best["rate"] == treated["conversion_rate"].max()
    control = board[(board["campaign_id"] == best["campaign"]) & (board["segment"] == best["segment"])
                    & (board["arm"] == "control")]
    assert best["control_rate"] == control["conversion_rate"].iloc[0]
    assert cr.board_headline(board[board["arm"] == "control"], "control") == {}
    # a tier with fewer than min_n customers in the arm or its control arm is never the headline
    tested = cr.board_headline(board, "control", min_n=50)
    cell = board.set_index(["campaign_id", "segment", "arm"])
    assert cell.loc[(tested["campaign"], tested["segment"], tested["arm"]), "n"] >= 50
    assert cell.loc[(tested["campaign"], tested["segment"], "control"), "n"] >= 50
    eligible = [(c, g, a) for (c, g, a), n in cell["n"].items() if a != "control" and n >= 50
                and cell["n"].get((c, g, "control"), 50) >= 50]
    assert tested["rate"] == max(cell.loc[key, "conversion_rate"] for key in eligible)
    # the headline carries its own tier's test, so a higher rate that its test does not show reads as such
    row = tests.set_index(["campaign_id", "segment", "arm", "metric"]).loc[
        (tested["campaign"], tested["segment"], tested["arm"], "conversion_rate")]
    words = tiertests.tier_test(tested, tests, "en")
    assert words.startswith("significant" if row["significant"] else "not significant")
    assert f"adjusted p = {row['p_adjusted']:.3f}" in words
    assert tiertests.tier_test({**tested, "segment": "nowhere"}, tests, "zh") == "该层未单独检验"
    headline = cr.campaign_headline(tests, "A", 0.05)
    conv = tests[(tests["campaign_id"] == "A") & (tests["segment"] == "all") & (tests["metric"] == "conversion_rate")]
    assert headline["arm"] == conv.loc[conv["abs_diff"].idxmax(), "arm"]
    assert headline["tests"] == 8 and 0 <= headline["significant_metrics"] <= 8
    assert cr.campaign_headline(tests, "missing", 0.05) == {}
    cuped = cr.cuped_table(sums, tests, "control", SETTINGS)
    flipped = cuped.assign(p_adjusted=np.where(cuped["arm"] == "t2", 0.0, cuped["p_adjusted"]))
    plain = tests.set_index(["campaign_id", "segment", "metric", "arm"])["p_adjusted"]
    expected = ["A t2"] if plain[("A", "all", "revenue_per_customer", "t2")] >= 0.05 else []
    assert cr.cuped_changes(flipped, tests, 0.05) == expected


def test_column_headers_are_unique_within_every_result_table(evaluated):
    _, sums, segment_sums, tests = evaluated
    settings = AbTests(cost_per_contact={"A": 1.0})
    frames = {"tests": tests[cp.TEST_COLUMNS], "srm": cp.srm_table(sums, {}),
              "cuped": cr.cuped_table(sums, tests, "control", settings), "power": pl.power_table(tests, settings),
              "planning": pl.planning_table(sums, "control", settings),
              "business": cr.business_table(tests, {}, settings), "heterogeneity": cr.heterogeneity_table(tests),
              "board": cr.board_table(segment_sums)}
    messages = catalog()
    for name, frame in frames.items():
        for language in ("en", "zh"):
            shown = [messages[f"label.ab_{column}"][language] for column in frame.columns]
            assert len(set(shown)) == len(shown), (name, language, shown)


def test_a_period_without_campaigns_gives_empty_tables_with_their_columns():
    params = load_params("2025Q3", overrides={"as_of": "2025-10-15"})
    data = prepare_dataset(params)
    data.tables.pop("outreach")
    results = cr.evaluate_period(data, params)
    assert results.active == [] and results.overview.empty
    expected = {"srm": cp.SRM_COLUMNS, "cuped": cr.CUPED_COLUMNS, "power": pl.POWER_COLUMNS,
                "planning": pl.PLANNING_COLUMNS, "business": cr.BUSINESS_COLUMNS,
                "heterogeneity": cr.HETEROGENEITY_COLUMNS, "board": cr.BOARD_COLUMNS}
    for name, columns in expected.items():
        frame = getattr(results, name)
        assert frame.empty and list(frame.columns) == columns, name
    assert list(results.contract.columns) == cp.TEST_COLUMNS and results.contract.empty
