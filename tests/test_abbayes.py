"""Bayesian view: Beta-Binomial against the exact finite sum, normal approximation against integration."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from scipy.special import betaln

from crmreport.stats import abbayes
from crmreport.stats import abtest as ab


def exact_prob_beat(a1: int, b1: int, a0: int, b0: int) -> float:
    """P(p1 > p0) for Beta(a1, b1) vs Beta(a0, b0) with integer a1: the closed-form finite sum
    (Evan Miller, "Formulas for Bayesian A/B testing")."""
    total = 0.0
    for i in range(a1):
        total += math.exp(betaln(a0 + i, b0 + b1) - math.log(b1 + i) - betaln(1 + i, b1) - betaln(a0, b0))
    return total


@pytest.mark.parametrize(("n0", "x0", "n1", "x1"), [(40, 3, 40, 7), (100, 10, 90, 5), (25, 0, 30, 2),
                                                     (200, 20, 200, 20), (60, 59, 60, 60)])
def test_prob_beat_control_equals_the_exact_sum(n0, x0, n1, x1):
    result = abbayes.bayes_rates(ab.Proportion(n0, x0), ab.Proportion(n1, x1))
    assert result.prob_beat_control == pytest.approx(exact_prob_beat(1 + x1, 1 + n1 - x1, 1 + x0, 1 + n0 - x0),
                                                     rel=1e-9, abs=1e-12)
    assert result.method == "beta_binomial" and result.message is None


def test_expected_losses_equal_a_seeded_monte_carlo_and_differ_by_the_posterior_means():
    control, arm = ab.Proportion(400, 20), ab.Proportion(400, 35)
    result = abbayes.bayes_rates(control, arm)
    rng = np.random.default_rng(0)
    draws = 2_000_000
    p1, p0 = rng.beta(36, 366, draws), rng.beta(21, 381, draws)
    # Monte Carlo standard errors are below 1e-5 for the losses and 2e-4 for the probability
    assert result.prob_beat_control == pytest.approx((p1 > p0).mean(), abs=1e-3)
    assert result.expected_loss_arm == pytest.approx(np.maximum(p0 - p1, 0).mean(), abs=5e-5)
    assert result.expected_loss_control == pytest.approx(np.maximum(p1 - p0, 0).mean(), abs=5e-5)
    assert result.expected_loss_control - result.expected_loss_arm == pytest.approx(36 / 402 - 21 / 402, rel=1e-9)


def test_large_counts_stay_accurate():
    # 100,000 customers per arm: a sharp posterior; compare with the normal limit of the difference
    control, arm = ab.Proportion(100_000, 2000), ab.Proportion(100_000, 2100)
    result = abbayes.bayes_rates(control, arm)
    m1, m0 = 2101 / 100_002, 2001 / 100_002
    v1, v0 = m1 * (1 - m1) / 100_003, m0 * (1 - m0) / 100_003
    assert result.prob_beat_control == pytest.approx(stats.norm.cdf((m1 - m0) / math.sqrt(v1 + v0)), abs=2e-3)


def test_normal_view_equals_direct_integration():
    comparison = ab.compare_means(ab.Moments(373, 445_385.0, 4.2e9), ab.Moments(372, 914_864.0, 9.9e9))
    result = abbayes.bayes_normal(comparison)
    d, s = comparison.abs_diff, comparison.std_error
    assert result.prob_beat_control == pytest.approx(stats.norm.sf(0, d, s), rel=1e-9)
    shortfall = integrate.quad(lambda v: -v * stats.norm.pdf(v, d, s), d - 40 * s, 0, epsabs=1e-12)[0]
    assert result.expected_loss_arm == pytest.approx(shortfall, rel=1e-7)
    assert result.expected_loss_control == pytest.approx(result.expected_loss_arm + d, rel=1e-9)


def test_thin_data_messages():
    assert abbayes.bayes_rates(ab.Proportion(0, 0), ab.Proportion(5, 1)).message == ab.NO_CUSTOMERS
    flat = ab.compare_means(ab.Moments(10, 0, 0), ab.Moments(10, 0, 0))
    result = abbayes.bayes_normal(flat)
    assert result.message == ab.ZERO_VARIANCE and math.isnan(result.prob_beat_control)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5000), st.integers(1, 5000), st.data())
def test_posterior_invariants(n0, n1, data):
    x0, x1 = data.draw(st.integers(0, n0)), data.draw(st.integers(0, n1))
    result = abbayes.bayes_rates(ab.Proportion(n0, x0), ab.Proportion(n1, x1))
    assert 0 <= result.prob_beat_control <= 1
    assert result.expected_loss_arm >= 0 and result.expected_loss_control >= 0
    assert result.expected_loss_arm <= 1 and result.expected_loss_control <= 1
