"""A/B test statistics against statsmodels/scipy and hand formulas, invariants, thin data, and an A/A simulation."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats
from statsmodels.stats.proportion import proportions_ztest
from statsmodels.stats.proportion import test_proportions_2indep as score_test

from crmreport.stats import abtest as ab
from crmreport.stats.cuped import cuped

RATE_CASES = [(400, 20, 400, 35), (1000, 61, 980, 95), (37, 3, 41, 0), (5000, 4990, 5100, 5080), (120, 60, 80, 30)]
TIGHT = {"rel": 1e-9, "abs": 1e-12}


def moments(values: np.ndarray) -> ab.Moments:
    return ab.Moments(len(values), float(values.sum()), float((values**2).sum()))


def bivariate(y: np.ndarray, x: np.ndarray) -> ab.Bivariate:
    return ab.Bivariate(len(y), y.sum(), (y**2).sum(), x.sum(), (x**2).sum(), (x * y).sum())


def revenue(rng: np.random.Generator, n: int, rate: float, median: float) -> np.ndarray:
    return (rng.random(n) < rate) * np.round(median * np.exp(0.8 * rng.standard_normal(n)), 2)


@pytest.mark.parametrize(("n0", "x0", "n1", "x1"), RATE_CASES)
def test_rate_p_value_equals_statsmodels_proportions_ztest(n0, x0, n1, x1):
    result = ab.compare_rates(ab.Proportion(n0, x0), ab.Proportion(n1, x1))
    _, expected = proportions_ztest([x1, x0], [n1, n0])
    assert result.p_value == pytest.approx(expected, **TIGHT)
    assert result.abs_diff == pytest.approx(x1 / n1 - x0 / n0, **TIGHT)
    assert (result.value_arm, result.value_control, result.n_arm, result.n_control) == (x1 / n1, x0 / n0, n1, n0)


@pytest.mark.parametrize(("n0", "x0", "n1", "x1"), [c for c in RATE_CASES if c[1] > 0])
@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_rate_intervals_invert_the_score_tests_at_their_ends(n0, x0, n1, x1, alpha):
    # oracle: statsmodels' score *tests* (not its interval code): at each end of an interval the test
    # of that difference / ratio has p-value exactly alpha, and at difference 0 it is the pooled z test
    result = ab.compare_rates(ab.Proportion(n0, x0), ab.Proportion(n1, x1), alpha=alpha)
    for compare, ends, shift in (("diff", (result.ci_low, result.ci_high), 0.0),
                                 ("ratio", (result.rel_ci_low, result.rel_ci_high), 1.0)):
        for end in ends:
            if math.isfinite(end) and -1 < end < 1e6 and (compare == "diff" or end > -1):
                test = score_test(x1, n1, x0, n0, value=end + shift, method="score", compare=compare,
                                               correction=False)
                assert test.pvalue == pytest.approx(alpha, abs=1e-6), (compare, end)
    assert result.rel_ci_low >= -1
    at_zero = score_test(x1, n1, x0, n0, value=0, method="score", compare="diff", correction=False)
    assert at_zero.pvalue == pytest.approx(result.p_value, rel=1e-9)


def _fieller_by_root_finding(a, va, c, vc, k):
    # the ratios r whose t statistic (a - r c) / sqrt(va + r^2 vc) equals +-k, found numerically
    def stat(r):
        return (a - r * c) / math.sqrt(va + r * r * vc)
    ratio = a / c
    low = optimize.brentq(lambda r: stat(r) - k, ratio - 50 * abs(ratio) - 50, ratio)
    high = optimize.brentq(lambda r: stat(r) + k, ratio, ratio + 50 * abs(ratio) + 50)
    return low - 1, high - 1


@pytest.mark.parametrize(("n0", "x0", "n1", "x1"), RATE_CASES)
def test_rate_interval_excludes_zero_exactly_when_the_pooled_z_test_rejects(n0, x0, n1, x1):
    result = ab.compare_rates(ab.Proportion(n0, x0), ab.Proportion(n1, x1))
    if math.isnan(result.p_value):
        return
    rejects = result.p_value < 0.05
    assert (result.ci_low > 0 or result.ci_high < 0) == rejects
    if math.isfinite(result.rel_ci_low):
        assert (result.rel_ci_low > 0 or result.rel_ci_high < 0) == rejects


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("alpha", [0.05, 0.01])
def test_welch_equals_scipy_ttest_ind_on_the_raw_values(seed, alpha):
    rng = np.random.default_rng(seed)
    control, arm = revenue(rng, 373, 0.06, 15000), revenue(rng, 352, 0.12, 18000)
    result = ab.compare_means(moments(control), moments(arm), alpha=alpha)
    expected = stats.ttest_ind(arm, control, equal_var=False)
    interval = expected.confidence_interval(1 - alpha)
    assert result.p_value == pytest.approx(expected.pvalue, **TIGHT)
    assert (result.ci_low, result.ci_high) == pytest.approx((interval.low, interval.high), **TIGHT)
    assert result.abs_diff == pytest.approx(arm.mean() - control.mean(), **TIGHT)
    assert result.std_error == pytest.approx(math.sqrt(arm.var(ddof=1) / 352 + control.var(ddof=1) / 373), **TIGHT)
    k = stats.t.ppf(1 - alpha / 2, expected.df)
    assert (result.rel_ci_low, result.rel_ci_high) == pytest.approx(_fieller_by_root_finding(
        arm.mean(), arm.var(ddof=1) / 352, control.mean(), control.var(ddof=1) / 373, k), rel=1e-7)
    assert (result.rel_ci_low > 0 or result.rel_ci_high < 0) == (result.p_value < alpha)


def test_ratio_metric_delta_variance_equals_the_linearised_values():
    rng = np.random.default_rng(11)
    rows = []
    for n, rate in ((398, 0.03), (398, 0.045)):
        converted = (rng.random(n) < rate).astype(float)
        rows.append((converted * np.round(300 * np.exp(0.6 * rng.standard_normal(n)), 2), converted))
    (y0, x0), (y1, x1) = rows
    result = ab.compare_ratios(bivariate(y0, x0), bivariate(y1, x1))
    variances = []
    for y, x in rows:
        ratio = y.sum() / x.sum()
        # the delta method linearises R around the sample: R_hat - R ~ mean(y - R x) / mean(x)
        variances.append(np.var(y - ratio * x, ddof=1) / (len(y) * x.mean() ** 2))
    se = math.sqrt(sum(variances))
    diff = y1.sum() / x1.sum() - y0.sum() / x0.sum()
    assert result.value_arm == pytest.approx(y1[x1 == 1].mean(), **TIGHT)
    assert result.abs_diff == pytest.approx(diff, **TIGHT)
    assert result.std_error == pytest.approx(se, **TIGHT)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(abs(diff) / se), **TIGHT)
    assert (result.ci_low, result.ci_high) == pytest.approx(stats.norm.interval(0.95, diff, se), **TIGHT)
    r1, r0 = y1.sum() / x1.sum(), y0.sum() / x0.sum()
    assert (result.rel_ci_low, result.rel_ci_high) == pytest.approx(_fieller_by_root_finding(
        r1, variances[1], r0, variances[0], stats.norm.ppf(0.975)), rel=1e-7)


def test_cuped_equals_welch_on_the_adjusted_values():
    rng = np.random.default_rng(5)
    x0, x1 = rng.lognormal(6, 1, 500), rng.lognormal(6, 1, 480)
    y0 = (rng.random(500) < 0.3) * (x0 + rng.lognormal(5, 0.8, 500))
    y1 = (rng.random(480) < 0.35) * (x1 + rng.lognormal(5, 0.8, 480))
    result = cuped(bivariate(y0, x0), bivariate(y1, x1))
    x, y = np.concatenate([x0, x1]), np.concatenate([y0, y1])
    theta = np.cov(x, y)[0, 1] / np.var(x, ddof=1)
    a1, a0 = y1 - theta * (x1 - x.mean()), y0 - theta * (x0 - x.mean())
    expected = stats.ttest_ind(a1, a0, equal_var=False)
    interval = expected.confidence_interval(0.95)
    assert result.theta == pytest.approx(theta, **TIGHT)
    assert (result.adjusted.value_arm, result.adjusted.value_control) == pytest.approx((a1.mean(), a0.mean()), **TIGHT)
    assert result.adjusted.p_value == pytest.approx(expected.pvalue, **TIGHT)
    assert (result.adjusted.ci_low, result.adjusted.ci_high) == pytest.approx((interval.low, interval.high), **TIGHT)
    plain = stats.ttest_ind(y1, y0, equal_var=False)
    assert result.unadjusted.p_value == pytest.approx(plain.pvalue, **TIGHT)
    reduction = 1 - (a1.var(ddof=1) / 480 + a0.var(ddof=1) / 500) / (y1.var(ddof=1) / 480 + y0.var(ddof=1) / 500)
    assert result.variance_reduction == pytest.approx(reduction, **TIGHT)
    assert result.variance_reduction > 0.1 and result.message is None


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 3000), st.integers(1, 3000), st.data(), st.sampled_from([0.01, 0.05, 0.2]))
def test_rate_invariants(n0, n1, data, alpha):
    x0, x1 = data.draw(st.integers(0, n0)), data.draw(st.integers(0, n1))
    result = ab.compare_rates(ab.Proportion(n0, x0), ab.Proportion(n1, x1), alpha=alpha)
    assert result.ci_low - 1e-12 <= result.abs_diff <= result.ci_high + 1e-12
    assert result.ci_low >= -1 and result.ci_high <= 1
    if result.message is None:
        assert 0 <= result.p_value <= 1
    else:
        assert math.isnan(result.p_value) and result.message in (ab.NO_CONVERSIONS, ab.ZERO_VARIANCE)
    if x0 > 0 and math.isfinite(result.rel_ci_low):
        assert -1 <= result.rel_ci_low <= result.rel_lift + 1e-12 and result.rel_lift <= result.rel_ci_high + 1e-12
    if result.message is None and abs(result.p_value - alpha) > 1e-9:
        # the difference, its interval and the relative interval tell one story
        assert (result.ci_low > 0 or result.ci_high < 0) == (result.p_value < alpha)
        if math.isfinite(result.rel_ci_low) and math.isfinite(result.rel_ci_high):
            assert (result.rel_ci_low > 0 or result.rel_ci_high < 0) == (result.p_value < alpha)


@settings(max_examples=100, deadline=None)
@given(*[st.lists(st.integers(0, 10**7), min_size=2, max_size=60)] * 2)
def test_mean_invariants(control, arm):
    # amounts in cents up to 100,000.00
    result = ab.compare_means(moments(np.array(control) / 100), moments(np.array(arm) / 100))
    if result.message is None:
        assert 0 <= result.p_value <= 1
        assert result.ci_low <= result.abs_diff <= result.ci_high
        if math.isfinite(result.rel_ci_low) and abs(result.p_value - 0.05) > 1e-9:
            assert (result.rel_ci_low > 0 or result.rel_ci_high < 0) == (result.p_value < 0.05)
    else:
        assert result.message == ab.ZERO_VARIANCE and math.isnan(result.p_value)


def test_thin_data_gives_messages_not_errors():
    assert ab.compare_rates(ab.Proportion(0, 0), ab.Proportion(10, 1)).message == ab.NO_CUSTOMERS
    none = ab.compare_rates(ab.Proportion(50, 0), ab.Proportion(50, 0), no_events=ab.NO_RESPONSES)
    assert none.message == ab.NO_RESPONSES and math.isnan(none.p_value) and none.abs_diff == 0
    assert ab.compare_rates(ab.Proportion(50, 0), ab.Proportion(50, 0)).message == ab.NO_CONVERSIONS
    assert ab.compare_rates(ab.Proportion(5, 5), ab.Proportion(7, 7)).message == ab.ZERO_VARIANCE
    assert ab.compare_means(ab.Moments(0, 0, 0), ab.Moments(5, 5, 5)).message == ab.NO_CUSTOMERS
    one = ab.compare_means(ab.Moments(1, 3, 9), ab.Moments(5, 5, 5))
    assert one.message == ab.TOO_FEW_CUSTOMERS and one.abs_diff == -2 and math.isnan(one.p_value)
    flat = ab.compare_means(ab.Moments(10, 0, 0), ab.Moments(12, 0, 0))
    assert flat.message == ab.ZERO_VARIANCE and math.isnan(flat.p_value)
    no_conv = ab.compare_ratios(ab.Bivariate(10, 0, 0, 0, 0, 0), ab.Bivariate(10, 50, 2500, 1, 1, 50))
    assert no_conv.message == ab.NO_CONVERSIONS and no_conv.value_arm == 50 and math.isnan(no_conv.value_control)
    few = ab.compare_ratios(ab.Bivariate(10, 20, 400, 1, 1, 20), ab.Bivariate(10, 50, 1300, 2, 2, 50))
    assert few.message == ab.TOO_FEW_CONVERSIONS and few.abs_diff == 5
    constant = cuped(ab.Bivariate(4, 2, 2, 8, 16, 4), ab.Bivariate(4, 3, 3, 8, 16, 6))
    assert constant.message == ab.NO_COVARIATE_VARIANCE and constant.theta == 0
    assert math.isnan(constant.variance_reduction)  # nothing removed because nothing was tried
    empty = cuped(ab.Bivariate(4, 2, 2, 0, 0, 0), ab.Bivariate(4, 3, 3, 0, 0, 0))
    assert empty.message == ab.EMPTY_COVARIATE and math.isnan(empty.variance_reduction)
    assert empty.adjusted.p_value == pytest.approx(empty.unadjusted.p_value)
    assert constant.adjusted.p_value == pytest.approx(constant.unadjusted.p_value)
    assert cuped(ab.Bivariate(0, 0, 0, 0, 0, 0), ab.Bivariate(4, 3, 3, 8, 16, 6)).message == ab.NO_CUSTOMERS


def test_bad_input_raises():
    with pytest.raises(ValueError, match="events"):
        ab.Proportion(10, 11)
    with pytest.raises(ValueError, match="n >= 0"):
        ab.Moments(-1, 0, 0)
    with pytest.raises(ValueError, match="alpha"):
        ab.compare_rates(ab.Proportion(10, 1), ab.Proportion(10, 2), alpha=5)


def _load_benchmark():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_ab_aa.py"
    spec = importlib.util.spec_from_file_location("bench_ab_aa", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_aa_simulation_keeps_every_false_positive_rate_near_alpha():
    # 10,000 A/A runs of 1,000 customers per arm (about a second, vectorised): the share of
    # significant results estimates each test's size; the standard error is 0.0022 at 0.05.
    rates = _load_benchmark().aa_rates(runs=10_000, n=1000, alpha=0.05, seed=20250930)
    for test in ("z_rates", "welch_means", "cuped", "delta_ratio"):
        assert 0.035 <= rates[test] <= 0.065, (test, rates[test])
    assert rates["cuped_variance_reduction"] > 0.05
