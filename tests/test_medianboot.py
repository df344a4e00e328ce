"""The order-statistic bootstrap draws (medians of notebook 04, SLA quantiles of notebook 05) against exact
bootstrap distributions, hand formulas and the resampling bootstrap."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from crmreport.stats import beforeafter as ba
from crmreport.stats.medianboot import median_difference_interval, median_draws, quantile_draws


def exact_bootstrap_medians(values: np.ndarray, q: float = 0.5) -> dict[float, float]:
    """Every resample with replacement enumerated (n^n equally likely): probability of each ``q`` quantile
    (numpy's, rounded to 9 decimals)."""
    counts: dict[float, int] = {}
    for draw in itertools.product(values, repeat=len(values)):
        value = round(float(np.quantile(draw, q)), 9)
        counts[value] = counts.get(value, 0) + 1
    total = len(values) ** len(values)
    return {value: count / total for value, count in counts.items()}


@pytest.mark.parametrize("values", [np.array([3.0, 1.0, 7.0, 2.0, 10.0]), np.array([5.0, 1.0, 4.0, 9.0]),
                                    np.array([2.0, 2.0, 6.0, 1.0, 8.0, 3.0])])
def test_median_draws_follow_the_exact_bootstrap_distribution(values):
    exact = exact_bootstrap_medians(values)
    draws = median_draws(values, 400_000, np.random.default_rng(11))
    assert set(np.unique(draws)) <= set(exact)
    for median, probability in exact.items():
        assert (draws == median).mean() == pytest.approx(probability, abs=0.004)


def test_odd_sample_median_cdf_is_the_binomial_formula():
    values = np.arange(1.0, 52.0)  # n = 51: P(median* <= s_i) = P(Bin(51, i/51) >= 26)
    draws = median_draws(values, 300_000, np.random.default_rng(2))
    for i in (20, 24, 26, 28, 32):
        assert (draws <= values[i - 1]).mean() == pytest.approx(stats.binom.sf(25, 51, i / 51), abs=0.004)


def test_interval_agrees_with_the_resampling_bootstrap():
    rng = np.random.default_rng(5)
    before, after = rng.exponential(10.0, 1500), rng.exponential(12.0, 1700)
    resampled = ba.bootstrap_interval(before, after, np.median, 0.05, 20_000, seed=1)
    direct = median_difference_interval(before, after, 0.05, 20_000, seed=1)
    assert direct == pytest.approx(resampled, abs=0.12)  # a width of about 2.5: Monte Carlo error only
    assert median_difference_interval(before, after, 0.05, 2000, seed=3) == median_difference_interval(
        before, after, 0.05, 2000, seed=3)


def test_large_samples_use_the_direct_draws_close_to_resampling():
    rng = np.random.default_rng(8)
    before, after = rng.exponential(10.0, 15_000), rng.exponential(10.0, 15_000) + 2.0
    change = ba.mann_whitney_median(before, after, n_boot=2000, seed=4)
    assert (change.ci_low, change.ci_high) == median_difference_interval(before, after, 0.05, 2000, 4)
    assert change.ci_low < change.abs_change < change.ci_high
    resampled = ba.bootstrap_interval(before, after, np.median, 0.05, 2000, seed=4)
    assert (change.ci_low, change.ci_high) == pytest.approx(resampled, abs=0.08)  # width about 0.37


@pytest.mark.parametrize(("values", "q"), [(np.array([3.0, 1.0, 7.0, 2.0, 10.0]), 0.9),
                                           (np.array([5.0, 1.0, 4.0, 9.0]), 0.25),
                                           (np.array([2.0, 2.0, 6.0, 1.0, 8.0, 3.0]), 0.75)])
def test_interpolated_quantile_draws_follow_the_exact_bootstrap_distribution(values, q):
    exact = exact_bootstrap_medians(values, q)
    draws = np.round(quantile_draws(np.sort(values), (q,), 400_000, np.random.default_rng(5))[0], 9)
    assert set(np.unique(draws)) <= set(exact)
    for value, probability in exact.items():
        assert (draws == value).mean() == pytest.approx(probability, abs=0.004)


def test_a_whole_rank_is_drawn_alone_so_the_median_of_an_odd_sample_takes_one_beta():
    values = np.arange(1.0, 8.0)  # n = 7: the median is the 4th smallest, Beta(4, 4)
    draws = quantile_draws(values, (0.5,), 1000, np.random.default_rng(9))[0]
    expected = values[np.minimum((7 * np.random.default_rng(9).beta(4, 4, 1000)).astype(np.int64), 6)]
    assert (draws == expected).all()


def test_order_statistics_of_a_resample_follow_their_beta_law():
    # P(k-th smallest of a resample of 0..n-1 <= j) = P(Binomial(n, (j + 1) / n) >= k), a hand formula;
    # with n = 11 the minimum and the median are the 1st and the 6th smallest (no interpolation), drawn in a chain
    from scipy.stats import binom
    n, draws = 11, 20000
    low, median = quantile_draws(np.arange(n, dtype=float), (0.0, 0.5), draws, np.random.default_rng(0))
    for j in (1, 3, 6):
        assert (low <= j).mean() == pytest.approx(binom.sf(0, n, (j + 1) / n), abs=0.015)
    for j in (3, 5, 7):
        assert (median <= j).mean() == pytest.approx(binom.sf(5, n, (j + 1) / n), abs=0.015)
