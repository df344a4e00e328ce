"""AUC with DeLong's interval and exact binomial intervals (crmreport.stats.discrimination)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.metrics import roc_auc_score

from crmreport.stats.discrimination import binomial_interval, delong_auc, delong_difference, mean_interval


def _delong_by_pairs(score: np.ndarray, outcome: np.ndarray) -> tuple[float, float]:
    """DeLong (1988) by brute force: placement values from every positive-negative pair."""
    pos, neg = score[outcome], score[~outcome]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    return psi.mean(), np.sqrt(v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg))


def _paired_by_pairs(a: np.ndarray, b: np.ndarray, outcome: np.ndarray) -> tuple[float, float]:
    """DeLong, DeLong and Clarke-Pearson (1988), section 3, by brute force: the difference of the two AUCs
    and its standard error from the 2 x 2 covariance matrices of the pairwise placement values."""
    components = []
    for score in (a, b):
        pos, neg = score[outcome], score[~outcome]
        psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
        components.append((psi.mean(axis=1), psi.mean(axis=0)))
    s10 = np.cov([components[0][0], components[1][0]])
    s01 = np.cov([components[0][1], components[1][1]])
    contrast = np.array([1.0, -1.0])
    var = contrast @ s10 @ contrast / outcome.sum() + contrast @ s01 @ contrast / (~outcome).sum()
    return components[0][0].mean() - components[1][0].mean(), np.sqrt(var)


def test_paired_difference_matches_the_pairwise_definition():
    rng = np.random.default_rng(5)
    outcome = rng.random(300) < 0.3
    shared = rng.normal(size=300)
    a = np.round(shared + 0.9 * outcome + rng.normal(scale=0.5, size=300), 1)  # ties included
    b = np.round(shared + 0.5 * outcome + rng.normal(scale=0.5, size=300), 1)
    result = delong_difference(a, b, outcome)
    difference, se = _paired_by_pairs(a, b, outcome)
    assert result.difference == pytest.approx(difference) and result.std_error == pytest.approx(se)
    assert result.auc_a == pytest.approx(roc_auc_score(outcome, a)) and result.auc_b == pytest.approx(
        roc_auc_score(outcome, b))
    assert result.ci_low == pytest.approx(difference - stats.norm.ppf(0.975) * se)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(abs(difference) / se))
    # the pairing matters: the unpaired standard errors would add up to far more
    assert result.std_error < np.hypot(delong_auc(a, outcome).std_error, delong_auc(b, outcome).std_error) / 2


def test_paired_difference_of_equally_good_scores_rejects_about_5_percent_of_the_time():
    rng = np.random.default_rng(17)
    rejected = 0
    for _ in range(300):
        outcome = rng.random(300) < 0.3
        shared = rng.normal(size=300) + 0.6 * outcome
        a, b = shared + rng.normal(size=300), shared + rng.normal(size=300)
        rejected += delong_difference(a, b, outcome).p_value < 0.05
    assert 5 <= rejected <= 28  # binomial(300, 0.05): 15 expected


def test_paired_difference_with_one_class_or_identical_scores():
    assert delong_difference(np.arange(5.0), np.arange(5.0), np.zeros(5, bool)).message == "one_class"
    same = delong_difference(np.arange(6.0), np.arange(6.0), np.array([0, 1, 0, 1, 1, 0], bool))
    assert same.difference == 0 and same.message == "no_variance"


def test_auc_and_standard_error_match_sklearn_and_the_pairwise_definition():
    rng = np.random.default_rng(3)
    outcome = rng.random(400) < 0.25
    score = np.round(rng.normal(size=400) + 0.7 * outcome, 1)  # ties included
    result = delong_auc(score, outcome)
    auc, se = _delong_by_pairs(score, outcome)
    assert result.auc == pytest.approx(roc_auc_score(outcome, score), abs=1e-12)
    assert result.auc == pytest.approx(auc) and result.std_error == pytest.approx(se)
    assert result.ci_low < result.auc < result.ci_high


def test_interval_covers_the_true_auc_about_95_percent_of_the_time():
    rng = np.random.default_rng(11)
    true_auc = stats.norm.cdf(0.8 / np.sqrt(2))  # binormal with shift 0.8
    covered = 0
    for _ in range(300):
        outcome = rng.random(300) < 0.3
        result = delong_auc(rng.normal(size=300) + 0.8 * outcome, outcome)
        covered += result.ci_low <= true_auc <= result.ci_high
    assert 0.91 <= covered / 300 <= 0.98


def test_one_class_gives_a_coded_empty_result():
    result = delong_auc(np.array([1.0, 2.0]), np.array([True, True]))
    assert np.isnan(result.auc) and result.message == "one_class"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-5, 5), st.booleans()), min_size=4, max_size=60))
def test_auc_interval_is_inside_0_1_and_contains_the_estimate(pairs):
    score = np.array([s for s, _ in pairs])
    outcome = np.array([o for _, o in pairs])
    result = delong_auc(score, outcome)
    if result.message:
        return
    assert 0 <= result.ci_low <= result.auc <= result.ci_high <= 1


def test_binomial_interval_is_clopper_pearson():
    low, high = binomial_interval(np.array([0, 3, 10]), np.array([10, 10, 10]))
    for k, lo, hi in zip([0, 3, 10], low, high, strict=True):
        ci = stats.binomtest(k, 10).proportion_ci(method="exact")
        assert lo == pytest.approx(ci.low) and hi == pytest.approx(ci.high)
    assert np.isnan(binomial_interval(0, 0)[0])


def test_mean_interval_is_the_t_interval():
    values = np.array([1.0, 4.0, 6.0, np.nan, 9.0])
    mean, low, high = mean_interval(values)
    ci = stats.t.interval(0.95, 3, loc=5.0, scale=stats.sem([1, 4, 6, 9]))
    assert mean == 5.0 and (low, high) == pytest.approx(ci)
