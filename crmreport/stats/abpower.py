"""Power of outreach tests: the minimum detectable effect at a sample size, and the sample size for a lift.

Pure functions over the numbers a test already has (control rate or mean, standard deviation,
arm sizes), built on statsmodels' power classes. Two-sided tests; ``power`` is the chance of a
significant result when the true effect equals the MDE.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import proportion_effectsize

from .abtest import NO_CONVERSIONS, NO_CUSTOMERS, TOO_FEW_CUSTOMERS, ZERO_VARIANCE

NAN = float("nan")


@dataclass(frozen=True)
class Mde:
    """Smallest true difference (arm - control) detected with the given power at the achieved sizes."""

    n_arm: int
    n_control: int
    baseline: float
    mde_abs: float
    mde_rel: float
    message: str | None = None


@dataclass(frozen=True)
class SampleSize:
    """Customers needed per arm (equal arms) to detect ``target_lift`` (relative) with the given power."""

    baseline: float
    target_lift: float
    target_value: float
    n_per_arm: float
    message: str | None = None


def _check(alpha: float, power: float) -> None:
    if not 0 < alpha < power < 1:
        raise ValueError(f"alpha and power must satisfy 0 < alpha < power < 1, got alpha={alpha}, power={power}")


def _solve(power_of, target: float, low: float, high: float) -> float:
    """The argument at which the increasing function ``power_of`` reaches ``target`` (brentq to 1e-12).

    statsmodels' ``solve_power`` stops about 1e-6 short of the target power; this root is exact
    to rounding, on statsmodels' own power functions.
    """
    while power_of(high) < target:  # grow the bracket gently: far-off values can make nct return NaN
        low, high = high, high * 1.5
    return float(brentq(lambda v: power_of(v) - target, low, high, xtol=1e-12, rtol=1e-14, maxiter=500))


def _effect(n_arm: int, n_control: int, alpha: float, power: float, t_test: bool) -> float:
    """Standardised effect (Cohen's h or d) detected with ``power`` at the given arm sizes."""
    engine = TTestIndPower() if t_test else NormalIndPower()
    return _solve(lambda e: engine.power(e, nobs1=n_arm, alpha=alpha, ratio=n_control / n_arm), power, 1e-9, 0.01)


def _size(effect: float, alpha: float, power: float, t_test: bool) -> float:
    """Customers per arm (equal arms, not rounded) for ``effect`` with ``power``."""
    engine = TTestIndPower() if t_test else NormalIndPower()
    return _solve(lambda n: engine.power(effect, nobs1=n, alpha=alpha, ratio=1.0), power, 2.0, 4.0)


def mde_rate(p_control: float, n_arm: int, n_control: int, alpha: float = 0.05, power: float = 0.8) -> Mde:
    """MDE of a rate (an increase over ``p_control``), from Cohen's h of a two-sample normal power analysis.

    ``h`` solves ``NormalIndPower().power(h, n_arm, alpha, ratio=n_control / n_arm) = power``; the
    detectable rate is ``sin(asin(sqrt(p0)) + h / 2)^2`` (capped at 1).
    """
    _check(alpha, power)
    if n_arm < 2 or n_control < 2:
        return Mde(n_arm, n_control, p_control, NAN, NAN, TOO_FEW_CUSTOMERS if n_arm and n_control else NO_CUSTOMERS)
    h = _effect(n_arm, n_control, alpha, power, t_test=False)
    angle = min(math.asin(math.sqrt(p_control)) + h / 2, math.pi / 2)
    mde = math.sin(angle) ** 2 - p_control
    return Mde(n_arm, n_control, p_control, mde, mde / p_control if p_control > 0 else NAN,
               NO_CONVERSIONS if p_control == 0 else None)


def mde_rate_forecast(p_forecast: float, n: int, alpha: float = 0.05, power: float = 0.8) -> Mde:
    """MDE of a rate against a forecast taken as known (one group, no hold-out): an increase over ``p_forecast``.

    Cohen's ``h`` solves statsmodels' one-sample normal power, ``NormalIndPower().power(h, n, alpha, ratio=0)``;
    the detectable rate is ``sin(asin(sqrt(p0)) + h / 2)^2``. ``n_control`` is 0; a forecast of 1 leaves no room
    (NaN, :data:`~crmreport.stats.abtest.ZERO_VARIANCE`).
    """
    _check(alpha, power)
    if n < 2:
        return Mde(n, 0, p_forecast, NAN, NAN, TOO_FEW_CUSTOMERS if n else NO_CUSTOMERS)
    if not 0 <= p_forecast < 1:
        return Mde(n, 0, p_forecast, NAN, NAN, ZERO_VARIANCE)
    h = _solve(lambda e: NormalIndPower().power(e, nobs1=n, alpha=alpha, ratio=0), power, 1e-9, 0.01)
    mde = math.sin(min(math.asin(math.sqrt(p_forecast)) + h / 2, math.pi / 2)) ** 2 - p_forecast
    return Mde(n, 0, p_forecast, mde, mde / p_forecast if p_forecast > 0 else NAN,
               NO_CONVERSIONS if p_forecast == 0 else None)


def mde_mean(mean_control: float, std_error: float, n_arm: int, n_control: int, alpha: float = 0.05,
             power: float = 0.8, t_test: bool = True) -> Mde:
    """MDE of a mean (or a delta-method ratio) from the standard error of the observed difference.

    The per-customer standard deviation is ``sigma = se / sqrt(1/n_arm + 1/n_control)``; Cohen's d
    solves statsmodels' two-sample t power (``t_test``, for Welch means) or normal power (ratios)
    at the achieved sizes, and ``mde = d * sigma``.
    """
    _check(alpha, power)
    if n_arm < 2 or n_control < 2:
        return Mde(n_arm, n_control, mean_control, NAN, NAN,
                   TOO_FEW_CUSTOMERS if n_arm and n_control else NO_CUSTOMERS)
    if not np.isfinite(std_error) or std_error <= 0:
        return Mde(n_arm, n_control, mean_control, NAN, NAN, ZERO_VARIANCE)
    sigma = std_error / math.sqrt(1 / n_arm + 1 / n_control)
    mde = _effect(n_arm, n_control, alpha, power, t_test) * sigma
    return Mde(n_arm, n_control, mean_control, mde, mde / mean_control if mean_control else NAN)


def sample_size_rate(p_control: float, target_lift: float, alpha: float = 0.05, power: float = 0.8) -> SampleSize:
    """Customers per arm to detect a rate moving from ``p_control`` to ``p_control * (1 + target_lift)``."""
    _check(alpha, power)
    target = p_control * (1 + target_lift)
    if p_control <= 0 or target_lift == 0 or not 0 < target <= 1:
        message = NO_CONVERSIONS if p_control <= 0 else ZERO_VARIANCE
        return SampleSize(p_control, target_lift, target, NAN, message)
    h = abs(float(proportion_effectsize(target, p_control)))
    return SampleSize(p_control, target_lift, target, float(math.ceil(_size(h, alpha, power, t_test=False))))


def sample_size_mean(mean_control: float, sd: float, target_lift: float, alpha: float = 0.05,
                     power: float = 0.8) -> SampleSize:
    """Customers per arm to detect a mean moving by ``target_lift`` (relative), two-sample t test, sd ``sd``."""
    _check(alpha, power)
    target = mean_control * (1 + target_lift)
    if not np.isfinite(sd) or sd <= 0 or mean_control == 0 or target_lift == 0:
        return SampleSize(mean_control, target_lift, target, NAN, ZERO_VARIANCE)
    d = abs(target - mean_control) / sd
    return SampleSize(mean_control, target_lift, target, float(math.ceil(_size(d, alpha, power, t_test=True))))
