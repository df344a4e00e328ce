"""Always-valid inference for a campaign read at every report: the asymptotic confidence sequence.

A fixed-horizon interval holds at one pre-chosen look; a campaign evaluated in every report from
its first assignment to its end is looked at many times, and checking a 95% interval at each look
declares far more than 5% of null campaigns significant at some look. The asymptotic confidence
sequence of Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas ("Time-uniform central limit theory
and asymptotic confidence sequences", arXiv 2103.06476v7) covers the true difference at *every*
look at once with probability ``1 - alpha``, however often and whenever the data are looked at.

With ``d`` the difference of the two arms' means, ``se`` its standard error, ``N = n_arm + n_control``
and ``s2 = se^2 N`` (the per-customer variance of the difference), the half-width at ``N`` is
(eq. 9)::

    h(N) = sqrt(s2) sqrt(2 (N rho^2 + 1) / (N rho)^2 * log(sqrt(N rho^2 + 1) / alpha))

with the mixing parameter (eq. 161) ``rho = sqrt((-2 log alpha + log(-2 log alpha + 1)) / tuning)``:
the sequence is tightest when ``N`` is near ``tuning``. The always-valid p-value is ``min(1, 1/E)``
with the e-value (eq. 155) ``E = exp(rho^2 S / (2 (N rho^2 + 1))) / sqrt(N rho^2 + 1)``,
``S = N d^2 / se^2``; ``p < alpha`` exactly when the sequence excludes 0. These are the formulas
of GrowthBook's gbstats ``SequentialTwoSidedTTest`` with ``difference_type="absolute"``; the
variances are those of :mod:`crmreport.stats.abtest` (``p (1 - p)`` for rates, the ddof-1 sample
variance for means, the delta method for ratios), as gbstats computes them for rates and means.

Pure functions over arrays (a simulation reads thousands of campaigns at once) and one wrapper
over a :class:`~crmreport.stats.abtest.Comparison`. ``docs/ab-tests.md`` gives the tuning rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .abtest import Comparison

#: GrowthBook's default tuning parameter (the total sample size the sequence is tightest at)
DEFAULT_TUNING = 5000.0
NAN = float("nan")


@dataclass(frozen=True)
class Sequential:
    """The confidence sequence of one comparison at its current look."""

    ci_low: float
    ci_high: float
    p_value: float
    half_width: float


def _check(alpha: float, tuning: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}; use e.g. 0.05")
    if not tuning > 0:
        raise ValueError(f"sequential_tuning must be a positive number of customers, got {tuning}; "
                         f"use the planned total of both arms, e.g. {DEFAULT_TUNING:.0f}")


def mixing_rho(alpha: float = 0.05, tuning: float = DEFAULT_TUNING) -> float:
    """The mixing parameter ``rho`` of eq. 161 (two-sided), tightest at ``tuning`` customers in total."""
    _check(alpha, tuning)
    log_term = -2 * np.log(alpha)
    return float(np.sqrt((log_term + np.log(log_term + 1)) / tuning))


def half_width(se, n_total, alpha: float = 0.05, tuning: float = DEFAULT_TUNING, factor=1.0) -> np.ndarray:
    """Half-width of the confidence sequence (eq. 9) for a difference with standard error ``se``.

    Parameters
    ----------
    se
        Standard error(s) of the difference at the current look.
    n_total
        Customers of both arms at the current look.
    alpha, tuning
        Level and tuning parameter (see :func:`mixing_rho`).
    factor
        A multiple-testing adjustment's factor ``c >= 1`` (adjusted p / raw p): the half-width at level
        ``alpha / c`` with ``rho`` kept at ``alpha``'s, the one that excludes 0 exactly when
        :func:`always_valid_p` times ``c`` is below ``alpha``.

    Returns
    -------
    numpy.ndarray
        Half-widths; NaN where ``se`` or ``n_total`` is not positive.
    """
    rho = mixing_rho(alpha, tuning)
    se, n = np.asarray(se, dtype=float), np.asarray(n_total, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = n * rho**2 + 1
        level = np.log(np.sqrt(spread) * np.asarray(factor, dtype=float) / alpha)
        width = np.sqrt(se**2 * n) * np.sqrt(2 * spread / (n * rho) ** 2 * level)
    return np.where((se > 0) & (n > 0), width, np.nan)


def always_valid_p(diff, se, n_total, alpha: float = 0.05, tuning: float = DEFAULT_TUNING) -> np.ndarray:
    """Always-valid p-value ``min(1, 1 / E)`` of a zero difference (eq. 155); NaN without a standard error.

    ``alpha`` enters only through ``rho``, which the level of the sequence fixes: the p-value is below
    ``alpha`` exactly when the sequence of that level excludes 0.
    """
    rho = mixing_rho(alpha, tuning)
    diff, se, n = (np.asarray(v, dtype=float) for v in (diff, se, n_total))
    ok = (se > 0) & (n > 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        spread = n * rho**2 + 1
        log_e = rho**2 * (diff**2 * n / se**2) / (2 * spread) - 0.5 * np.log(spread)
        p = np.minimum(np.exp(-log_e), 1.0)
    return np.where(ok, p, np.nan)


def sequential(comparison: Comparison, alpha: float = 0.05, tuning: float = DEFAULT_TUNING) -> Sequential:
    """The confidence sequence and always-valid p-value of one arm-against-control comparison.

    Uses the comparison's ``abs_diff``, ``std_error`` and customer counts; a comparison without a
    standard error (thin data, zero variance) gives NaN everywhere, and its ``message`` says why.
    """
    n_total = comparison.n_arm + comparison.n_control
    width = float(half_width(comparison.std_error, n_total, alpha, tuning))
    p = float(always_valid_p(comparison.abs_diff, comparison.std_error, n_total, alpha, tuning))
    if np.isnan(width) or np.isnan(comparison.abs_diff):
        return Sequential(NAN, NAN, NAN, NAN)
    return Sequential(comparison.abs_diff - width, comparison.abs_diff + width, p, width)


def detectable_difference(unit_sd, n_total, alpha: float = 0.05, tuning: float = DEFAULT_TUNING) -> np.ndarray:
    """The smallest true difference the sequence could still declare by ``n_total`` customers in total.

    ``unit_sd`` is ``sqrt(s2) = se sqrt(N)`` at the current look (the per-customer spread of the
    difference, which does not shrink with more customers). A difference equal to the half-width at
    ``n_total`` is the one whose estimate, if it came out at its true value, would just exclude 0 at
    the planned end: smaller true lifts are out of reach (the futility statement of the decision).
    """
    n = np.asarray(n_total, dtype=float)
    return half_width(np.asarray(unit_sd, dtype=float) / np.sqrt(n), n, alpha, tuning)
