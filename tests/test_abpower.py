"""Power: MDE and sample sizes against statsmodels' power functions and the normal-approximation formula."""

from __future__ import annotations

import math

import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower, TTestIndPower

from crmreport.stats import abpower
from crmreport.stats import abtest as ab


@pytest.mark.parametrize(("p0", "n1", "n0"), [(0.05, 400, 400), (0.18, 372, 373), (0.0276, 398, 398),
                                              (0.3, 5000, 2500)])
def test_rate_mde_has_the_requested_power(p0, n1, n0):
    mde = abpower.mde_rate(p0, n1, n0, alpha=0.05, power=0.8)
    h = 2 * math.asin(math.sqrt(p0 + mde.mde_abs)) - 2 * math.asin(math.sqrt(p0))
    achieved = NormalIndPower().power(h, nobs1=n1, alpha=0.05, ratio=n0 / n1)
    assert achieved == pytest.approx(0.8, abs=1e-9)
    # by hand, ignoring the far tail: h = (z_0.975 + z_0.8) * sqrt(1/n1 + 1/n0)
    hand = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * math.sqrt(1 / n1 + 1 / n0)
    assert h == pytest.approx(hand, rel=1e-4)
    assert mde.mde_rel == pytest.approx(mde.mde_abs / p0)


@pytest.mark.parametrize(("n1", "n0"), [(372, 373), (398, 398), (60, 90)])
def test_mean_mde_has_the_requested_power(n1, n0):
    se = 510.0
    mde = abpower.mde_mean(1194.0, se, n1, n0)
    sigma = se / math.sqrt(1 / n1 + 1 / n0)
    achieved = TTestIndPower().power(mde.mde_abs / sigma, nobs1=n1, alpha=0.05, ratio=n0 / n1)
    assert achieved == pytest.approx(0.8, abs=1e-9)
    normal = abpower.mde_mean(1194.0, se, n1, n0, t_test=False)
    assert normal.mde_abs == pytest.approx((stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * se, rel=1e-4)
    assert normal.mde_abs < mde.mde_abs  # t quantiles are wider


@pytest.mark.parametrize(("p0", "lift"), [(0.05, 0.1), (0.18, 0.2), (0.4, -0.1)])
def test_rate_sample_size_is_the_smallest_with_enough_power(p0, lift):
    size = abpower.sample_size_rate(p0, lift)
    h = abs(2 * math.asin(math.sqrt(p0 * (1 + lift))) - 2 * math.asin(math.sqrt(p0)))
    assert NormalIndPower().power(h, nobs1=size.n_per_arm, alpha=0.05, ratio=1) >= 0.8
    assert NormalIndPower().power(h, nobs1=size.n_per_arm - 1, alpha=0.05, ratio=1) < 0.8
    hand = 2 * (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) ** 2 / h**2
    assert size.n_per_arm == pytest.approx(hand, abs=1.5)
    assert size.target_value == pytest.approx(p0 * (1 + lift))


def test_mean_sample_size_is_the_smallest_with_enough_power():
    size = abpower.sample_size_mean(1194.0, 7000.0, 0.2)
    d = 0.2 * 1194.0 / 7000.0
    assert TTestIndPower().power(d, nobs1=size.n_per_arm, alpha=0.05) >= 0.8
    assert TTestIndPower().power(d, nobs1=size.n_per_arm - 1, alpha=0.05) < 0.8


def test_power_thin_data():
    assert abpower.mde_rate(0.05, 0, 10).message == ab.NO_CUSTOMERS
    assert abpower.mde_rate(0.05, 1, 10).message == ab.TOO_FEW_CUSTOMERS
    zero = abpower.mde_rate(0.0, 100, 100)
    assert zero.message == ab.NO_CONVERSIONS and zero.mde_abs > 0 and math.isnan(zero.mde_rel)
    assert abpower.mde_mean(10.0, 0.0, 100, 100).message == ab.ZERO_VARIANCE
    assert abpower.sample_size_rate(0.0, 0.1).message == ab.NO_CONVERSIONS
    assert math.isnan(abpower.sample_size_rate(0.9, 0.2).n_per_arm)  # a rate above 1 cannot be planned
    assert abpower.sample_size_mean(10.0, 0.0, 0.1).message == ab.ZERO_VARIANCE
    with pytest.raises(ValueError, match="power"):
        abpower.mde_rate(0.05, 100, 100, power=80)


@pytest.mark.parametrize(("p0", "n"), [(0.63, 125), (0.3, 256), (0.9, 20), (0.05, 1000)])
def test_rate_mde_against_a_forecast_has_the_requested_power_by_hand(p0, n):
    """One group against a known forecast: on the arcsine scale the two-sided power is
    Phi(h sqrt(n) - z) + Phi(-h sqrt(n) - z), h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p0)), z = Phi^-1(1 - alpha / 2)."""
    mde = abpower.mde_rate_forecast(p0, n, alpha=0.05, power=0.8)
    h = 2 * math.asin(math.sqrt(p0 + mde.mde_abs)) - 2 * math.asin(math.sqrt(p0))
    z = stats.norm.ppf(0.975)
    assert stats.norm.cdf(h * math.sqrt(n) - z) + stats.norm.cdf(-h * math.sqrt(n) - z) == pytest.approx(0.8, abs=1e-9)
    assert mde.n_control == 0 and mde.mde_rel == pytest.approx(mde.mde_abs / p0)
    # a hold-out of the same size needs about sqrt(2) times the difference
    assert abpower.mde_rate(p0, n, n).mde_abs > mde.mde_abs


def test_rate_mde_against_a_certain_forecast_is_undefined():
    assert math.isnan(abpower.mde_rate_forecast(1.0, 50).mde_abs)
    assert abpower.mde_rate_forecast(0.5, 1).message == ab.TOO_FEW_CUSTOMERS
