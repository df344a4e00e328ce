"""The order-statistic median bootstrap against exact bootstrap distributions and the resampling bootstrap."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from crmreport.stats import beforeafter as ba
from crmreport.stats.medianboot import median_difference_interval, median_draws


def exact_bootstrap_medians(values: np.ndarray) -> dict[float, float]:
    """Every resample with replacement enumerated (n^n equally likely): probability of each median."""
    counts: dict[float, int] = {}
    for draw in itertools.product(values, repeat=len(values)):
        median = float(np.median(draw))
        counts[median] = counts.get(median, 0) + 1
    total = len(values) ** len(values)
    return {median: count / total for median, count in counts.items()}


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
