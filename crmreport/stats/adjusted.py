"""Confidence intervals widened for the multiplicity adjustment that the test's p-value received.

A family of tests adjusted by Holm or Bonferroni multiplies each p-value by a factor ``c`` (the
Bonferroni factor ``m``, or Holm's step-down factor ``m - k + 1``, then made monotone). The interval
that goes with the adjusted verdict is the one at level ``1 - alpha / c``: it excludes zero exactly
when ``p * c < alpha`` for a test on the normal scale, so a chart or sentence that shows it never
contradicts the adjusted verdict. With Bonferroni it is the simultaneous Bonferroni interval.

The unadjusted interval ``(low, high)`` at ``level`` gives each side's half-width; each side is
scaled by ``z(1 - alpha / (2c)) / z(1 - (1 - level) / 2)``, so an asymmetric interval (a score
interval of a proportion) keeps its shape.
"""

from __future__ import annotations

import math

from scipy.stats import norm


def adjustment_factor(p_value: float, p_adjusted: float) -> float:
    """The factor ``c >= 1`` the adjustment applied to ``p_value`` (1 when either is missing or zero)."""
    if not all(math.isfinite(x) for x in (p_value, p_adjusted)) or p_value <= 0 or p_adjusted <= 0:
        return 1.0
    return max(1.0, p_adjusted / p_value)


def adjusted_interval(estimate: float, low: float, high: float, p_value: float, p_adjusted: float,
                      alpha: float = 0.05, level: float = 0.95) -> tuple[float, float]:
    """The interval around ``estimate`` that matches the adjusted p-value's verdict at ``alpha``.

    Parameters
    ----------
    estimate, low, high : float
        The estimate and its unadjusted interval at ``level``.
    p_value, p_adjusted : float
        The test's p-value before and after the family's adjustment.
    alpha : float
        Significance level of the adjusted verdicts.
    level : float
        Confidence level of ``(low, high)``.

    Returns
    -------
    tuple of float
        ``(low, high)`` at level ``1 - alpha / c``; NaN when the inputs are missing.
    """
    if not all(math.isfinite(x) for x in (estimate, low, high)):
        return math.nan, math.nan
    c = adjustment_factor(p_value, p_adjusted)
    scale = norm.ppf(1 - alpha / (2 * c)) / norm.ppf(1 - (1 - level) / 2)
    return estimate - (estimate - low) * scale, estimate + (high - estimate) * scale


def improving_side(low: float, high: float, better: str) -> str:
    """Where an interval of a change lies: ``better``, ``worse`` (entirely on one side of zero) or ``both``.

    ``better`` is ``higher`` or ``lower``: the direction in which the measure improves.
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return "both"
    sign = 1.0 if better == "higher" else -1.0
    ends = sorted((low * sign, high * sign))
    if ends[0] > 0:
        return "better"
    if ends[1] < 0:
        return "worse"
    return "both"
