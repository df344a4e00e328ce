"""Campaign evaluation tables: contract, families, degenerate campaigns, and the planted demo effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmreport.analyses.abtests import campaigns as cp
from crmreport.analyses.abtests import outreach
from crmreport.core.i18n import catalog
from crmreport.core.verdicts import VERDICTS
from crmreport.settings import AbTests
from crmreport.stats import abchecks, sequential
from crmreport.stats import abtest as ab

SETTINGS = AbTests(min_n_per_segment=30)


def simulate(rng: np.random.Generator, campaign: str, arms: dict[str, tuple[int, float]],
             segments: tuple[str, ...] = ("x", "y")) -> pd.DataFrame:
    """Per-customer outcomes: ``arms`` maps arm -> (customers, conversion rate)."""
    parts = []
    for arm, (n, rate) in arms.items():
        converted = (rng.random(n) < rate).astype(int)
        responded = np.maximum(converted, (rng.random(n) < 0.1).astype(int))
        pre = rng.lognormal(6, 1, n)
        parts.append(pd.DataFrame({
            "campaign_id": campaign, "customer_id": [f"{campaign}-{arm}-{i}" for i in range(n)], "arm": arm,
            "segment": rng.choice(segments, n), "responded": responded, "converted": converted,
            "revenue": converted * (pre + rng.lognormal(5, 0.8, n)), "pre_revenue": pre}))
    return pd.concat(parts, ignore_index=True)


def sums_of(customers: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (outreach.arm_sums(customers, ["campaign_id", "arm"]),
            outreach.arm_sums(customers, ["campaign_id", "segment", "arm"]))


def simulated_evaluation():
    """Two simulated campaigns (A: a winning and a null arm; B: three segments) and their evaluation:
    (customers, sums, segment sums, tests)."""
    rng = np.random.default_rng(8)
    customers = pd.concat([simulate(rng, "A", {"control": (600, 0.1), "t1": (600, 0.16), "t2": (590, 0.1)}),
                           simulate(rng, "B", {"control": (200, 0.2), "t": (210, 0.2)}, segments=("x", "y", "z"))])
    sums, segment_sums = sums_of(customers)
    return customers, sums, segment_sums, cp.evaluate(sums, segment_sums, "control", SETTINGS)


@pytest.fixture(scope="module")
def evaluated():
    return simulated_evaluation()


def test_tests_table_has_the_contract_columns_and_one_row_per_slice_metric_arm(evaluated):
    _, _, _, tests = evaluated
    assert cp.TEST_COLUMNS == [
        "campaign_id", "segment", "metric", "arm", "control_arm", "n_arm", "n_control", "value_arm", "value_control",
        "abs_diff", "ci_low", "ci_high", "rel_lift", "rel_ci_low", "rel_ci_high", "p_value", "p_adjusted",
        "significant", "seq_ci_low", "seq_ci_high", "seq_p_value", "seq_p_adjusted", "prob_beat_control", "method",
        "message"]
    assert list(tests.columns[: len(cp.TEST_COLUMNS)]) == cp.TEST_COLUMNS
    # A: 2 arms x 4 metrics x (all + 2 segments); B: 1 arm x 4 metrics x (all + 3 segments)
    assert len(tests) == 24 + 16
    assert not tests.duplicated(["campaign_id", "segment", "metric", "arm"]).any()
    assert set(tests["metric"]) == set(cp.METRICS) and (tests["control_arm"] == "control").all()
    methods = tests.drop_duplicates("metric").set_index("metric")["method"].to_dict()
    assert methods == {"response_rate": "z_test_score", "conversion_rate": "z_test_score",
                       "revenue_per_customer": "welch_t", "revenue_per_converter": "delta_z"}


def test_p_values_are_adjusted_per_campaign_family(evaluated):
    _, _, _, tests = evaluated
    for (campaign, is_all), family in tests.groupby([tests["campaign_id"], tests["segment"] == "all"]):
        # the campaign's correction over its arms x metrics; Benjamini-Hochberg across its segment slices
        correction = "holm" if is_all else "bh"
        for raw, adjusted in (("p_value", "p_adjusted"), ("seq_p_value", "seq_p_adjusted")):
            np.testing.assert_allclose(family[adjusted], abchecks.adjust_p_values(family[raw], correction),
                                       rtol=1e-12, err_msg=f"{campaign} {is_all} {adjusted}")
        assert len(family) == (8 if campaign == "A" else 4) * (1 if is_all else (2 if campaign == "A" else 3))
    assert (tests["significant"] == (tests["p_adjusted"] < 0.05)).all()
    bh = cp.evaluate(*evaluated[1:3], "control", AbTests(correction="bh", min_n_per_segment=30))
    first = bh[(bh["campaign_id"] == "A") & (bh["segment"] == "all")]
    np.testing.assert_allclose(first["p_adjusted"], abchecks.adjust_p_values(first["p_value"], "bh"), rtol=1e-12)


def test_rows_equal_the_statistics_functions(evaluated):
    customers, _, _, tests = evaluated
    row = tests[(tests["campaign_id"] == "A") & (tests["segment"] == "x") & (tests["arm"] == "t1")
                & (tests["metric"] == "conversion_rate")].iloc[0]
    part = customers[(customers["campaign_id"] == "A") & (customers["segment"] == "x")]
    control, arm = (part[part["arm"] == a]["converted"] for a in ("control", "t1"))
    expected = ab.compare_rates(ab.Proportion(len(control), int(control.sum())),
                                ab.Proportion(len(arm), int(arm.sum())))
    assert (row["n_arm"], row["n_control"]) == (len(arm), len(control))
    assert (row["abs_diff"], row["ci_low"], row["p_value"]) == pytest.approx(
        (expected.abs_diff, expected.ci_low, expected.p_value), rel=1e-12)
    assert 0 <= row["prob_beat_control"] <= 1
    seq = sequential.sequential(expected, 0.05, SETTINGS.sequential_tuning)
    assert (row["seq_ci_low"], row["seq_ci_high"], row["seq_p_value"]) == pytest.approx(
        (seq.ci_low, seq.ci_high, seq.p_value), rel=1e-12)
    # a campaign's own tuning (its planned customers) replaces the default
    tuned = cp.evaluate(*evaluated[1:3], "control", SETTINGS, tuning={"A": 800.0})
    again = tuned.loc[row.name]
    assert again["seq_p_value"] == pytest.approx(sequential.sequential(expected, 0.05, 800.0).p_value, rel=1e-12)
    assert again["p_value"] == row["p_value"]


def test_degenerate_campaigns_give_messages(evaluated):
    rng = np.random.default_rng(2)
    customers = pd.concat([
        simulate(rng, "ONE", {"treat": (50, 0.2)}),
        simulate(rng, "NOCTL", {"a": (50, 0.2), "b": (50, 0.2)}),
        simulate(rng, "ZERO", {"control": (80, 0.0), "t": (80, 0.0)}, segments=("x",)),
        simulate(rng, "THIN", {"control": (100, 0.3), "t": (100, 0.3)}, segments=("x", "y", "y", "y", "y", "y")),
    ])
    tests = cp.evaluate(*sums_of(customers), "control", SETTINGS, srm_flagged={"THIN"})
    by = tests.set_index(["campaign_id", "segment", "metric", "arm"])["message"]
    assert by[("ONE", "all", "conversion_rate", "treat")] == ab.SINGLE_ARM
    assert tests.loc[tests["campaign_id"] == "ONE", "n_control"].eq(0).all()
    assert by[("NOCTL", "all", "response_rate", "b")] == ab.NO_CONTROL
    assert by[("ZERO", "all", "conversion_rate", "t")] == ab.NO_CONVERSIONS
    assert by[("ZERO", "all", "revenue_per_customer", "t")] == ab.ZERO_VARIANCE
    assert by[("ZERO", "all", "revenue_per_converter", "t")] == ab.NO_CONVERSIONS
    assert by[("THIN", "x", "conversion_rate", "t")] == f"{ab.BELOW_MIN_N};{ab.SRM}"  # ~17 customers per arm
    assert by[("THIN", "all", "conversion_rate", "t")] == ab.SRM
    thin = tests[(tests["campaign_id"] == "THIN") & (tests["segment"] == "x")]
    assert thin["p_value"].isna().all() and thin["abs_diff"].notna().all()
    verdicts = cp.with_verdicts(tests, 0.05).set_index(["campaign_id", "segment", "metric", "arm"])["verdict"]
    assert verdicts[("THIN", "all", "conversion_rate", "t")] == "untrustworthy"
    assert verdicts[("ZERO", "all", "conversion_rate", "t")] == "insufficient_data"
    assert verdicts[("ONE", "all", "conversion_rate", "treat")] == "insufficient_data"


def test_srm_table_uses_the_planned_split():
    sums = pd.DataFrame({"campaign_id": ["A", "A", "B", "B"], "arm": ["control", "t", "control", "new"],
                         "n": [700, 300, 500, 40]})
    srm = cp.srm_table(sums, {"A": {"control": 7, "t": 3}, "B": {"control": 0.5, "t": 0.5}})
    assert list(srm.columns) == cp.SRM_COLUMNS
    a = srm[srm["campaign_id"] == "A"]
    assert a["expected_share"].tolist() == [0.7, 0.3] and a["srm_p_value"].eq(1.0).all()
    b = srm[srm["campaign_id"] == "B"].set_index("arm")
    assert b["n"].to_dict() == {"control": 500, "t": 0, "new": 40}  # planned but empty, present but unplanned
    assert b.loc["new", "expected_share"] == 0 and b["srm_p_value"].eq(0).all()
    assert cp.srm_flagged(srm, 0.001) == {"B"}
    equal = cp.srm_table(sums, {})
    assert equal.loc[equal["campaign_id"] == "A", "expected_share"].tolist() == [0.5, 0.5]


def test_every_code_column_and_verdict_has_a_label_in_both_languages():
    messages = catalog()
    verdicts = (*VERDICTS, cp.BEFORE_ADJUSTMENT)
    names = [f"ab_msg_{code}" for code in ab.MESSAGES] + [f"ab_verdict_{v}" for v in verdicts] + [
        f"ab_metric_{m}" for m in cp.METRICS] + [f"ab_{c}" for c in cp.TEST_COLUMNS + cp.SRM_COLUMNS]
    assert [n for n in names if set(messages.get(f"label.{n}", {})) != {"en", "zh"}] == []


def test_message_codes_compared_rows_and_cuped_skips_are_read_one_way():
    assert cp.message_codes("below_min_n;srm") == ["below_min_n", "srm"]
    assert cp.message_codes(None) == [] and cp.message_codes(float("nan")) == []
    messages = pd.Series([None, "empty_covariate;srm", "no_covariate_variance", "srm"])
    assert cp.has_code(messages, "srm").tolist() == [False, True, False, True]
    skipped, codes = cp.cuped_skipped(messages)
    assert skipped.tolist() == [False, True, True, False]
    assert codes == ["empty_covariate", "no_covariate_variance"]
    tests = pd.DataFrame({"segment": ["all", "all", "all", "x"], "arm": ["control", "sms", "sms", "sms"],
                          "control_arm": "control", "n_control": [10, 10, 0, 10]})
    assert cp.compared(tests).index.tolist() == [1]


def test_verdicts_say_when_only_the_unadjusted_test_is_significant_and_the_forest_marks_follow_them():
    tests = pd.DataFrame({"campaign_id": "A", "arm": "sms", "metric": "conversion_rate", "rel_lift": 0.1,
                          "rel_ci_low": 0.0, "rel_ci_high": 0.2, "significant": False,
                          "abs_diff": [0.02, 0.02, -0.02, 0.02, 0.0],
                          "p_value": [0.001, 0.01, 0.001, 0.3, np.nan],
                          "p_adjusted": [0.01, 0.2, 0.01, 0.5, np.nan],
                          "message": [None, None, None, "srm", "no_conversions"]})
    shown = cp.with_verdicts(tests, 0.05)
    assert shown["verdict"].tolist() == ["significant_improvement", "significant_before_adjustment",
                                         "significant_deterioration", "untrustworthy", "insufficient_data"]
    assert cp.forest_frame(shown, 0.05)["mark"].tolist() == [
        "significant", "significant_before_adjustment", "significant", "untrustworthy", "insufficient_data"]
