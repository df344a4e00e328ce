"""Segmentation rules by hand, tier shares equal to the cut points, and the demo's planted segments."""

import json
from datetime import date
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from conftest import params_for
from hypothesis import given, settings
from hypothesis import strategies as st

from crmreport.analyses.segments import segmentation as seg
from crmreport.ingest.dataset import prepare_dataset
from crmreport.settings.segmentation import RfmRule, Segmentation

DEFAULTS = Segmentation()


@pytest.fixture(scope="module")
def demo():
    params = params_for("")
    data = prepare_dataset(params)
    segments = seg.segment_customers(data, params.end, params.segmentation)
    truth = json.loads(resources.files("crmreport").joinpath("data/demo/ground_truth.json").read_text())
    return data, params, segments, truth


def features(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {"customer_id": [f"C{i}" for i in range(n)], "recency_days": [10.0] * n, "frequency": [5] * n,
            "monetary": [100.0] * n, "annual_amount": [500.0] * n, "trend": [0.0] * n, "tenure_months": [24.0] * n,
            "complaints_6m": [0] * n, "response_rate": [0.5] * n, "interaction_gap_days": [5.0] * n,
            "enquiries_3m": [0] * n}
    return pd.DataFrame(base | columns)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from([0.0, -50.0, 100.0, 250.0, 1000.0]) | st.floats(-1e6, 1e7, allow_nan=False),
                min_size=1, max_size=300),
       st.tuples(st.floats(0.05, 0.45), st.floats(0.5, 0.95)))
def test_tiers_follow_the_tie_rule_and_never_exceed_the_cut_points(amounts, cuts):
    values = pd.Series(amounts)
    tiers = seg.value_tiers(values, cuts)
    n = len(amounts)
    # equal amounts, equal tier; no spend is low value
    assert (tiers.groupby(values).nunique() == 1).all()
    assert (tiers[values <= 0] == "low").all()
    # a tie straddling a cut goes down, so each tier holds at most its nominal number of ranks
    assert (tiers == "high").sum() <= round(cuts[0] * n)
    assert (tiers.isin(["high", "medium"])).sum() <= round(cuts[1] * n)
    # and no more than the ties require: the first customer below a tier's last member is tied with
    # someone past the cut, or has not spent
    order = values.sort_values(ascending=False, kind="stable")
    for tier, cut in (("high", round(cuts[0] * n)), ("medium", round(cuts[1] * n))):
        inside = tiers.isin(["high"] if tier == "high" else ["high", "medium"])
        taken = int(inside.sum())
        if taken < cut:
            nxt = order.iloc[taken]
            assert nxt <= 0 or (values == nxt).sum() > cut - taken
    if (tiers == "high").any() and (tiers == "low").any():
        assert values[tiers == "high"].min() > values[tiers == "low"].max()


def test_distinct_amounts_give_the_nominal_shares_and_the_report_names_the_achieved_ones():
    values = pd.Series(np.arange(1.0, 101.0))
    tiers = seg.value_tiers(values, (0.2, 0.5))
    assert tiers.value_counts().to_dict() == {"low": 50, "medium": 30, "high": 20}
    tied = pd.Series([500.0] * 30 + [100.0] * 30 + [0.0] * 40)  # 30 tied at the top straddle the 20% cut
    shares = seg.tier_shares(seg.value_tiers(tied, (0.2, 0.5)), (0.2, 0.5)).set_index("value_tier")
    assert shares["customers"].to_dict() == {"high": 0, "medium": 30, "low": 70}
    assert shares["share"].to_dict() == pytest.approx({"high": 0.0, "medium": 0.3, "low": 0.7})
    assert shares["nominal_share"].to_dict() == pytest.approx({"high": 0.2, "medium": 0.3, "low": 0.5})


def test_demo_tiers_are_close_to_20_30_50(demo):
    _, params, segments, _ = demo
    shares = seg.tier_shares(segments["value_tier"], params.segmentation.value_cuts).set_index("value_tier")
    assert (shares["share"] <= shares["nominal_share"] + 0.02).loc[["high"]].all()
    assert shares["share"].to_dict() == pytest.approx({"high": 0.2, "medium": 0.3, "low": 0.5}, abs=0.03)


def test_potential_rules_by_hand():
    frame = features(trend=[0.5, 0.2, 0.1, 0.1, -0.2, 0.5, 0.0],
                     recency_days=[10.0, 10.0, 10.0, 10.0, 10.0, 200.0, np.nan],
                     enquiries_3m=[0, 0, 0, 2, 0, 0, 0])
    settings = Segmentation(potential_high=0.2, potential_low=-0.2)
    assert seg.potential_tiers(frame, settings).tolist() == ["high", "high", "medium", "high", "low", "low", "low"]
    strict = Segmentation(potential_high=0.2, potential_low=-0.2, enquiry_upgrade=False)
    assert seg.potential_tiers(frame, strict).tolist()[3] == "medium"


def test_nine_box_names_every_pair():
    value = pd.Series(["high", "high", "high", "medium", "medium", "medium", "low", "low", "low"])
    potential = pd.Series(["high", "medium", "low"] * 3)
    assert seg.nine_box(value, potential).tolist() == list(seg.SEGMENTS)


def test_quintile_scores_share_ties_and_split_evenly():
    scores = seg.quintile_scores(pd.Series(np.arange(100.0)))
    assert scores.value_counts().to_dict() == {1: 20, 2: 20, 3: 20, 4: 20, 5: 20}
    tied = seg.quintile_scores(pd.Series([0.0] * 6 + [1.0, 2.0, 3.0, 4.0]))
    assert tied.iloc[:6].nunique() == 1
    recency = seg.quintile_scores(pd.Series([1.0, 400.0, np.nan]), higher_is_better=False)
    assert recency.tolist()[0] > recency.tolist()[1] and recency.tolist()[2] == 1


def test_no_orders_score_1_as_documented():
    # docs/segmentation.md: "no orders = 1" for R, F and M, even when most customers have none
    frame = features(frequency=[0] * 7 + [1, 3, 8], recency_days=[np.nan] * 5 + [400.0, 500.0, 20.0, 10.0, 5.0],
                     monetary=[np.nan] * 7 + [50.0, 80.0, 120.0])
    scores = seg.rfm_scores(frame)
    assert (scores.loc[:6, ["f_score", "m_score"]] == 1).all().all()
    assert (scores.loc[:4, "r_score"] == 1).all()
    assert scores["f_score"].tolist()[7:] == [2, 4, 5]


SEGMENT_RESULTS = ["value_tier", "potential_tier", "segment", "r_score", "f_score", "m_score", "t_score", "rfm_score",
                   "rfm_segment", "lifecycle_stage", "risk_flags", "churn_risk"]


def _random_base(draw_values, n: int, zero_share: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    spend = rng.random(n) >= zero_share
    frequency = np.where(spend, rng.choice([1, 2, 3, 5], n), 0)
    amount = np.where(spend, rng.choice(draw_values, n), 0.0)
    return features(frequency=frequency.tolist(), annual_amount=amount.tolist(),
                    monetary=np.where(spend, amount / np.maximum(frequency, 1), np.nan).tolist(),
                    recency_days=np.where(spend, rng.choice([5.0, 40.0, 200.0], n),
                                          rng.choice([np.nan, 500.0], n)).tolist(),
                    trend=np.where(spend, rng.choice([-2.0, 0.0, 0.6], n), 0.0).tolist(),
                    tenure_months=rng.choice([3.0, 24.0], n).tolist(),
                    complaints_6m=rng.choice([0, 1], n).tolist(),
                    response_rate=rng.choice([0.1, 0.5, np.nan], n).tolist())


@settings(max_examples=25, deadline=None)
@given(st.integers(20, 400), st.floats(0.0, 0.9), st.integers(0, 10**6), st.randoms(use_true_random=False))
def test_permuting_customer_ids_changes_no_tier_score_or_segment(n, zero_share, seed, random):
    base = _random_base([100.0, 250.0, 1000.0, 4000.0], n, zero_share, seed)
    before = seg.segment_features(base, DEFAULTS, clusters=False).set_index("customer_id")
    ids = base["customer_id"].tolist()
    shuffled = ids.copy()
    random.shuffle(shuffled)
    renamed = base.assign(customer_id=shuffled).sort_values("customer_id").reset_index(drop=True)
    after = seg.segment_features(renamed, DEFAULTS, clusters=False).set_index("customer_id")
    moved = after.loc[shuffled, SEGMENT_RESULTS].set_axis(pd.Index(ids, name="customer_id"))
    pd.testing.assert_frame_equal(moved, before[SEGMENT_RESULTS], check_dtype=False)


def test_a_cdnow_like_base_gives_identical_customers_identical_tiers():
    # CDNOW: most customers spent nothing in the trailing year; ties among the zeros and at round
    # amounts must not be broken by customer id
    base = _random_base([15.0, 30.0, 30.0, 60.0, 120.0], 3000, 0.646, 11)
    segments = seg.segment_features(base, DEFAULTS, clusters=False)
    features_only = [c for c in base.columns if c != "customer_id"]
    groups = segments.groupby([segments[c].astype(str) for c in features_only])
    for column in SEGMENT_RESULTS:
        assert (groups[column].nunique() == 1).all(), column
    assert (segments.loc[segments["annual_amount"] <= 0, "value_tier"] == "low").all()
    shares = seg.tier_shares(segments["value_tier"], DEFAULTS.value_cuts).set_index("value_tier")["share"]
    assert shares["high"] <= 0.2 and shares["high"] + shares["medium"] <= 0.5


def test_rfm_rules_first_match_wins():
    scores = pd.DataFrame({"r_score": [5, 5, 1, 3], "f_score": [5, 1, 5, 3], "m_score": [5, 2, 5, 1]})
    rules = (RfmRule(name="best", r=(4, 5), f=(4, 5), m=(4, 5)), RfmRule(name="recent", r=(4, 5)),
             RfmRule(name="lapsed_big", r=(1, 2), m=(5, 5)))
    assert seg.rfm_segments(scores, rules).tolist() == ["best", "recent", "lapsed_big", "others"]


def test_lifecycle_and_churn_risk_by_hand():
    frame = features(tenure_months=[3.0, 24.0, 24.0, 24.0, 24.0, 24.0],
                     recency_days=[10.0, 10.0, 200.0, 400.0, np.nan, 120.0],
                     response_rate=[0.5, 0.1, 0.5, 0.2, np.nan, 0.1],
                     complaints_6m=[0, 1, 0, 0, 0, 0], trend=[0.0, -0.5, 0.0, 0.0, 0.0, 0.0])
    assert seg.lifecycle_stages(frame, DEFAULTS).tolist() == ["new", "active", "dormant", "churned", "churned",
                                                              "active"]
    risk = seg.churn_risk(frame, DEFAULTS)
    assert risk["risk_inactive_unresponsive"].tolist() == [False, False, False, True, False, True]
    assert risk["risk_flags"].tolist() == [0, 2, 0, 1, 0, 1]
    assert risk["churn_risk"].tolist() == ["low", "high", "low", "high", "low", "high"]


def test_kmeans_finds_planted_clusters_and_is_stable():
    rng = np.random.default_rng(3)
    centres = np.array([[0, 0, 0, 0], [6, 6, 0, 0], [0, 6, 6, 6]])
    matrix = np.vstack([centre + rng.normal(0, 0.5, (150, 4)) for centre in centres])
    labels, scores = seg.choose_clusters(matrix, Segmentation(k_range=(2, 6)))
    assert int(scores.loc[scores["chosen"], "k"].iloc[0]) == 3
    truth = np.repeat([0, 1, 2], 150)
    assert pd.crosstab(truth, labels).max(axis=1).sum() == len(truth)  # each planted blob is one cluster
    again, _ = seg.choose_clusters(matrix, Segmentation(k_range=(2, 6)))
    assert (labels == again).all()


def test_segments_contract_and_fixed_seed_stability(demo):
    data, params, segments, _ = demo
    assert list(segments.columns) == list(seg.SEGMENT_COLUMNS)
    assert segments["customer_id"].is_unique and segments["cluster"].notna().all()
    again = seg.segment_customers(data, params.end, params.segmentation)
    pd.testing.assert_frame_equal(segments, again)


def test_planted_segments_are_recovered_on_demo(demo):
    _, _, segments, truth = demo
    planted = segments["customer_id"].map(truth["segments"])
    tiers = {name: index // 3 for index, name in enumerate(seg.SEGMENTS)}
    value_agreement = (planted.map(tiers) == segments["segment"].map(tiers)).mean()
    segment_agreement = (planted == segments["segment"]).mean()
    # stated in docs/segmentation.md: value tier 88%, nine-box segment 44% (chance: about 12%)
    assert value_agreement >= 0.85
    assert segment_agreement >= 0.40
    matrix = pd.crosstab(planted, segments["segment"])
    assert matrix.loc["churn_warning"].idxmax() == "churn_warning"
    assert matrix.loc["core"].idxmax() == "core"


def test_planted_lifecycle_is_recovered_on_demo(demo):
    _, _, segments, truth = demo
    planted = segments["customer_id"].map(truth["lifecycle"])
    assert (planted == segments["lifecycle_stage"]).mean() >= 0.80  # stated: 82%
    assert (segments.loc[planted == "new", "lifecycle_stage"] == "new").all()


def test_summary_and_migration_add_up(demo):
    data, params, segments, _ = demo
    summary = seg.segment_summary(segments)
    assert summary["customers"].sum() == len(segments)
    assert summary["revenue_share"].sum() == pytest.approx(1.0)
    grid = seg.nine_box_grid(summary, "customers")
    assert grid.loc["high", "high"] == (segments["segment"] == "core").sum()
    previous = seg.segment_customers(data, params.baseline_window.end, params.segmentation, clusters=False)
    moves = seg.migration(previous, segments)
    assert moves["customers"].sum() == len(segments)
    newcomers = set(segments["customer_id"]) - set(previous["customer_id"])
    assert moves.loc[moves["from_segment"] == "new", "customers"].sum() == len(newcomers)
    stayed = segments.merge(previous, on="customer_id", suffixes=("", "_before"))
    core_stayed = ((stayed["segment"] == "core") & (stayed["segment_before"] == "core")).sum()
    assert moves.set_index(["from_segment", "to_segment"]).loc[("core", "core"), "customers"] == core_stayed


def test_cluster_profiles_cover_every_customer(demo):
    _, _, segments, _ = demo
    profiles = seg.cluster_profiles(segments)
    assert profiles["customers"].sum() == len(segments)
    assert profiles["share"].sum() == pytest.approx(1.0)


def test_as_of_before_any_signup_gives_an_empty_frame(demo):
    data, params, _, _ = demo
    empty = seg.segment_customers(data, date(2000, 1, 1), params.segmentation)
    assert empty.empty and list(empty.columns) == list(seg.SEGMENT_COLUMNS)


def test_summaries_by_hand():
    segments = pd.DataFrame({
        "customer_id": ["A", "B", "C", "D"], "lifecycle_stage": ["active", "active", "dormant", "churned"],
        "annual_amount": [100.0, 50.0, 30.0, 0.0], "churn_risk": ["low", "high", "high", "medium"],
        "rfm_segment": ["loyal", "loyal", "slipping", "hibernating"],
        "risk_inactive_unresponsive": [False, True, True, False], "risk_complaints": [False, True, False, True],
        "risk_falling_trend": [False, False, True, False], "risk_flags": [0, 2, 2, 1],
        "segment": ["core", "core", "observe", "churn_warning"], "recency_days": [5.0, 100.0, 200.0, 400.0],
        "response_rate": [0.5, 0.1, 0.0, np.nan], "complaints_6m": [0, 1, 0, 1], "trend": [0.1, -0.1, -1.0, 0.0]})
    stages = seg.lifecycle_summary(segments, {"active": {"en": "monthly", "zh": "每月"}}, "zh").set_index("stage")
    assert stages.loc["active", "customers"] == 2 and stages.loc["active", "cadence"] == "每月"
    assert stages.loc["new", "customers"] == 0 and stages["share"].sum() == pytest.approx(1.0)
    risky = seg.at_risk_list(segments)
    assert risky["customer_id"].tolist() == ["B", "C"]  # same flags: larger amount first; churned D left out
    risk = seg.risk_summary(segments).set_index("churn_risk")
    assert risk.loc["high", "customers"] == 2 and risk.loc["high", "risk_inactive_unresponsive"] == 2
    rfm = seg.rfm_summary(segments)
    assert rfm.iloc[0]["rfm_segment"] == "loyal" and rfm.iloc[0]["revenue_share"] == pytest.approx(150 / 180)
    previous = pd.DataFrame({"customer_id": ["A", "B", "C"], "segment": ["growth", "core", "core"],
                             "annual_amount": [10.0, 60.0, 40.0]})
    before = seg.lifecycle_summary(segments, {}, "en", previous).set_index("stage")["net_annual_amount_previous"]
    assert before.to_dict() == {"new": 0.0, "active": 70.0, "dormant": 40.0, "churned": 0.0}  # D was not there
    # amounts in whole units, so the text's sum of stages is the table's 12 + -6 = 6, not 12.4 - 5.6 = 6.8 -> 7
    cents = segments.assign(annual_amount=[0.0, 0.0, 12.4, -5.6])
    amounts = seg.lifecycle_summary(cents, {}, "en").set_index("stage")["net_annual_amount"]
    assert amounts[["dormant", "churned"]].tolist() == [12.0, -6.0] and amounts[["dormant", "churned"]].sum() == 6.0
    moves = seg.migration(previous, segments)
    summary = seg.migration_summary(moves)
    # core_before: B and C were core last period (one of them left)
    assert summary == {"stayed": pytest.approx(1 / 3), "up": 1, "down": 1, "core_out": 1, "core_in": 1,
                       "core_before": 2}
