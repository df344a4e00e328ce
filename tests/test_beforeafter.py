"""Before/after tests against scipy/statsmodels, published values and hand calculations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
from statsmodels.stats.rates import confint_poisson_2indep

from crmreport.stats import beforeafter as ba
from crmreport.stats import paired
from crmreport.stats.abchecks import adjust_p_values

EXACT = 1e-9


def test_two_proportions_match_the_pooled_z_test_and_newcombe_1998():
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 vs 48/80, method 10: 0.0524 to 0.3339
    change = ba.two_proportions(48, 80, 56, 70)
    assert (change.before, change.after, change.abs_change) == pytest.approx((0.6, 0.8, 0.2), abs=EXACT)
    assert (round(change.ci_low, 4), round(change.ci_high, 4)) == (0.0524, 0.3339)
    z, p = proportions_ztest([56, 48], [70, 80])
    assert (change.statistic, change.p_value) == pytest.approx((z, p), rel=EXACT)
    assert change.test == "two_proportion_z" and change.message is None


@pytest.mark.parametrize(("x_b", "n_b", "x_a", "n_a", "alpha"), [(130, 400, 110, 420, 0.05), (3, 40, 9, 35, 0.1),
                                                                   (990, 1000, 1000, 1000, 0.01)])
def test_two_proportions_against_statsmodels(x_b, n_b, x_a, n_a, alpha):
    change = ba.two_proportions(x_b, n_b, x_a, n_a, alpha)
    z, p = proportions_ztest([x_a, x_b], [n_a, n_b])
    low, high = confint_proportions_2indep(x_a, n_a, x_b, n_b, method="newcomb", compare="diff", alpha=alpha)
    assert (change.statistic, change.p_value, change.ci_low, change.ci_high) == pytest.approx((z, p, low, high),
                                                                                              rel=EXACT)


def test_two_proportions_thin_and_degenerate_data():
    assert ba.two_proportions(0, 0, 3, 10).message == ba.INSUFFICIENT
    flat = ba.two_proportions(0, 50, 0, 60)
    assert (flat.p_value, flat.abs_change, flat.message) == (1.0, 0.0, ba.ZERO_VARIANCE)
    assert flat.ci_low < 0 < flat.ci_high  # the Wilson-based interval still says how small a change could hide


def test_welch_matches_scipy():
    rng = np.random.default_rng(1)
    before, after = rng.normal(3.9, 0.9, 300), rng.normal(4.1, 1.1, 250)
    change = ba.welch(before.mean(), before.var(ddof=1), 300, after.mean(), after.var(ddof=1), 250, alpha=0.1)
    ref = stats.ttest_ind(after, before, equal_var=False)
    ci = ref.confidence_interval(confidence_level=0.9)
    assert (change.statistic, change.p_value, change.ci_low, change.ci_high) == pytest.approx(
        (ref.statistic, ref.pvalue, ci.low, ci.high), rel=EXACT)
    assert change.abs_change == pytest.approx(after.mean() - before.mean(), rel=EXACT)


def test_welch_thin_and_constant_samples():
    assert ba.welch(4.0, np.nan, 1, 4.2, 0.5, 10).message == ba.INSUFFICIENT
    same = ba.welch(4.0, 0.0, 10, 4.0, 0.0, 12)
    assert (same.p_value, same.message) == (1.0, ba.ZERO_VARIANCE)
    moved = ba.welch(4.0, 0.0, 10, 5.0, 0.0, 12)
    assert (moved.p_value, moved.abs_change) == (0.0, 1.0)


def _orders(seed: int = 3) -> pd.DataFrame:
    """Orders of 60 customers in two windows; customers differ a lot in order size (clustering matters)."""
    rng = np.random.default_rng(seed)
    rows = []
    for customer in range(60):
        level = rng.lognormal(6, 1.2)
        for after in (0, 1):
            for _ in range(rng.poisson(2.5)):
                rows.append((customer, after, level * rng.lognormal(0, 0.4)))
    return pd.DataFrame(rows, columns=["customer", "after", "amount"])


def _sums(orders: pd.DataFrame, window: int, customers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    part = orders[orders["after"] == window].groupby("customer")["amount"]
    return (part.sum().reindex(customers, fill_value=0).to_numpy(),
            part.size().reindex(customers, fill_value=0).to_numpy())


def test_ratio_difference_equals_the_cluster_robust_ols_of_amount_on_after():
    orders = _orders()
    customers = np.arange(60)
    (y_b, x_b), (y_a, x_a) = _sums(orders, 0, customers), _sums(orders, 1, customers)
    change = ba.ratio_difference(y_b, x_b, y_a, x_a)
    means = orders.groupby("after")["amount"].mean()
    assert (change.before, change.after) == pytest.approx((means[0], means[1]), rel=EXACT)
    fit = sm.OLS(orders["amount"], sm.add_constant(orders["after"].astype(float))).fit(
        cov_type="cluster", cov_kwds={"groups": orders["customer"]})
    n, k = len(orders), 2
    # statsmodels' CR1 factor is G/(G-1) * (N-1)/(N-K); the delta method carries G/(G-1) only
    se = fit.bse["after"] * math.sqrt((n - k) / (n - 1))
    assert change.abs_change == pytest.approx(fit.params["after"], rel=EXACT)
    assert (change.ci_high - change.ci_low) / (2 * stats.norm.ppf(0.975)) == pytest.approx(se, rel=EXACT)
    assert (change.n_before, change.n_after) == (int(x_b.sum()), int(x_a.sum()))


def test_growth_difference_equals_the_delta_method_on_cluster_totals():
    rng = np.random.default_rng(11)
    g = 80
    x = rng.poisson(3, (g, 3)).astype(float)
    y = x * rng.lognormal(5, 1, (g, 1)) * rng.lognormal(0, 0.3, (g, 3))
    # windows: before the baseline, the baseline, the period; the baseline also precedes the period
    y4, x4 = y[:, [0, 1, 1, 2]], x[:, [0, 1, 1, 2]]
    change = ba.growth_difference(y4, x4)

    def f(totals: np.ndarray) -> float:
        ratio = totals[:3] / totals[3:]
        return (ratio[2] / ratio[1] - 1) - (ratio[1] / ratio[0] - 1)

    totals = np.concatenate([y.sum(axis=0), x.sum(axis=0)])
    gradient = np.array([(f(totals + h) - f(totals - h)) / (2 * h[i]) for i, h in
                         enumerate(np.diag(totals * 1e-6))])
    covariance = g * np.cov(np.hstack([y, x]), rowvar=False)  # Cov of the totals, with the G/(G-1) factor
    se = math.sqrt(gradient @ covariance @ gradient)
    ratio = y.sum(axis=0) / x.sum(axis=0)
    assert (change.before, change.after) == pytest.approx((ratio[1] / ratio[0] - 1, ratio[2] / ratio[1] - 1),
                                                          rel=EXACT)
    assert change.abs_change == pytest.approx(f(totals), rel=EXACT)
    assert (change.ci_high - change.ci_low) / (2 * stats.norm.ppf(0.975)) == pytest.approx(se, rel=1e-6)
    assert ba.growth_difference(y4[:1], x4[:1]).message == ba.INSUFFICIENT


def test_mann_whitney_matches_scipy_and_the_bootstrap_is_seeded():
    rng = np.random.default_rng(5)
    before, after = rng.lognormal(np.log(7), 1, 300), rng.lognormal(np.log(5.2), 1, 280)
    change = ba.mann_whitney_median(before, after, n_boot=4000, seed=9)
    ref = stats.mannwhitneyu(after, before, alternative="two-sided")
    assert (change.statistic, change.p_value) == pytest.approx((ref.statistic, ref.pvalue), rel=EXACT)
    assert change.abs_change == pytest.approx(np.median(after) - np.median(before), rel=EXACT)
    assert ba.mann_whitney_median(before, after, n_boot=4000, seed=9) == change
    boot = stats.bootstrap((before, after), lambda b, a, axis: np.median(a, axis=axis) - np.median(b, axis=axis),
                           n_resamples=4000, method="percentile", rng=np.random.default_rng(1))
    width = change.ci_high - change.ci_low
    assert change.ci_low == pytest.approx(boot.confidence_interval.low, abs=0.1 * width)
    assert change.ci_high == pytest.approx(boot.confidence_interval.high, abs=0.1 * width)
    assert ba.mann_whitney_median(before[:1], after).message == ba.INSUFFICIENT
    assert ba.mann_whitney_median(np.ones(5), np.ones(4)).message == ba.ZERO_VARIANCE


def test_poisson_rates_score_test_by_hand_and_interval_from_statsmodels():
    change = ba.poisson_rates(193, 1957, 130, 2000, scale=100)
    pooled = (193 + 130) / (1957 + 2000)
    z = (130 / 2000 - 193 / 1957) / math.sqrt(pooled / 2000 + pooled / 1957)
    assert (change.before, change.after) == pytest.approx((100 * 193 / 1957, 100 * 130 / 2000), rel=EXACT)
    assert (change.statistic, change.p_value) == pytest.approx((z, 2 * stats.norm.sf(abs(z))), rel=EXACT)
    low, high = confint_poisson_2indep(130, 2000, 193, 1957, compare="diff", method="score")
    assert (change.ci_low, change.ci_high) == pytest.approx((100 * low, 100 * high), rel=EXACT)
    assert ba.poisson_rates(0, 100, 0, 120).message == ba.ZERO_VARIANCE
    assert ba.poisson_rates(3, 0, 2, 100).message == ba.INSUFFICIENT


def test_nps_difference_by_hand():
    # before 400 answers: 140 promoters, 160 passives, 100 detractors; after 420: 180 / 150 / 90
    change = ba.nps_difference((140, 160, 100), (180, 150, 90))
    var_b = (0.35 + 0.25 - 0.1**2) / 400
    var_a = (180 / 420 + 90 / 420 - (90 / 420) ** 2) / 420
    se = 100 * math.sqrt(var_b + var_a)
    assert (change.before, change.after) == pytest.approx((10.0, 100 * 90 / 420), rel=EXACT)
    assert change.statistic == pytest.approx((100 * 90 / 420 - 10) / se, rel=EXACT)
    assert (change.ci_low, change.ci_high) == pytest.approx(
        (change.abs_change - 1.959963984540054 * se, change.abs_change + 1.959963984540054 * se), rel=EXACT)
    assert ba.nps_difference((1, 0, 0), (5, 5, 5)).message == ba.INSUFFICIENT
    assert ba.nps_difference((5, 0, 0), (7, 0, 0)).message == ba.ZERO_VARIANCE


@pytest.mark.parametrize(("table", "exact"), [((300, 40, 22, 580), False), ((50, 9, 4, 60), True)])
def test_mcnemar_matches_statsmodels_and_the_paired_wald_interval(table, exact):
    n00, n01, n10, n11 = table
    n = sum(table)
    change = paired.mcnemar_pairs(*table)
    ref = mcnemar([[n00, n01], [n10, n11]], exact=exact, correction=True)
    assert (change.statistic, change.p_value) == pytest.approx((ref.statistic, ref.pvalue), rel=EXACT)
    assert (change.before, change.after) == pytest.approx(((n10 + n11) / n, (n01 + n11) / n), rel=EXACT)
    se = math.sqrt(n01 + n10 - (n01 - n10) ** 2 / n) / n
    assert (change.ci_low, change.ci_high) == pytest.approx(
        ((n01 - n10) / n - 1.959963984540054 * se, (n01 - n10) / n + 1.959963984540054 * se), rel=EXACT)
    assert paired.mcnemar_pairs(10, 0, 0, 5).message == ba.ZERO_VARIANCE


def test_paired_t_matches_scipy():
    rng = np.random.default_rng(8)
    before = rng.normal(4, 1, 90)
    after = before + rng.normal(0.2, 0.6, 90)
    d = after - before
    change = paired.paired_t(90, before.mean(), after.mean(), d.var(ddof=1))
    ref = stats.ttest_rel(after, before)
    ci = ref.confidence_interval()
    assert (change.statistic, change.p_value, change.ci_low, change.ci_high) == pytest.approx(
        (ref.statistic, ref.pvalue, ci.low, ci.high), rel=EXACT)
    assert paired.paired_t(1, 4.0, 4.5, np.nan).message == ba.INSUFFICIENT


def test_wilcoxon_matches_scipy():
    rng = np.random.default_rng(4)
    before = rng.integers(1, 6, 120).astype(float)
    after = np.clip(before + rng.choice([-1, 0, 0, 1, 1], 120), 1, 5)
    change = paired.wilcoxon_pairs(before, after, seed=3)
    ref = stats.wilcoxon(after - before)
    assert (change.statistic, change.p_value) == pytest.approx((ref.statistic, ref.pvalue), rel=EXACT)
    assert change.ci_low <= change.abs_change <= change.ci_high
    assert paired.wilcoxon_pairs(before, after, seed=3) == change
    assert paired.wilcoxon_pairs(before, before).message == ba.ZERO_VARIANCE


def test_adjust_matches_multipletests_and_skips_missing_values():
    p = np.array([0.01, np.nan, 0.04, 0.03, 0.2])
    assert adjust_p_values([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])  # Holm by hand
    holm = adjust_p_values(p, "holm")
    bh = adjust_p_values(p, "bh")
    assert np.isnan(holm[1]) and np.isnan(bh[1])
    finite = ~np.isnan(p)
    assert holm[finite] == pytest.approx(multipletests(p[finite], method="holm")[1])
    assert bh[finite] == pytest.approx(multipletests(p[finite], method="fdr_bh")[1])
    assert np.isnan(adjust_p_values([np.nan])).all()


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 500), st.integers(1, 500), st.data())
def test_proportion_p_values_are_probabilities_and_intervals_hold_the_estimate(n_b, n_a, data):
    x_b, x_a = data.draw(st.integers(0, n_b)), data.draw(st.integers(0, n_a))
    change = ba.two_proportions(x_b, n_b, x_a, n_a)
    assert 0 <= change.p_value <= 1
    assert change.ci_low - 1e-12 <= change.abs_change <= change.ci_high + 1e-12
    assert change.ci_low >= -1 and change.ci_high <= 1


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=40), st.lists(st.floats(-1e3, 1e3), min_size=2,
                                                                         max_size=40))
def test_welch_p_values_are_probabilities_and_intervals_hold_the_estimate(before, after):
    b, a = np.array(before), np.array(after)
    change = ba.welch(b.mean(), b.var(ddof=1), len(b), a.mean(), a.var(ddof=1), len(a))
    assert 0 <= change.p_value <= 1
    assert change.ci_low <= change.abs_change <= change.ci_high
