"""Intervals of a relative lift ``arm / control - 1`` that agree with the test of the difference.

A symmetric delta-method interval of a ratio can reach below -100% (a conversion rate cannot fall by
more than all of it) and can exclude 0 while the test of the difference does not reject, or the
other way round. The intervals here invert the same statistic as the difference's test, so the
relative interval excludes 0 exactly when that test rejects at the same level:

- rates: the score interval of the ratio of two proportions (Koopman; Miettinen-Nurminen without
  the small-sample variance factor), whose statistic at ratio 1 is the pooled two-proportion z; it
  lies within [-100%, +inf); the difference gets the matching score interval (Mee);
- means and delta-method ratios: Fieller's interval, whose statistic at ratio 1 is the unpooled
  difference over its standard error (Welch's t with the Welch critical value, or z).
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, stats

NAN = float("nan")
_FAR = 25.0  # log-ratio search range: ratios beyond e^25 count as 0 or unbounded


def fieller(value_arm: float, var_arm: float, value_control: float, var_control: float,
            critical: float) -> tuple[float, float, float]:
    """``value_arm / value_control - 1`` and Fieller's interval for independent estimates.

    The interval holds every ratio ``r`` with ``(a - r c)^2 <= k^2 (var_a + r^2 var_c)`` (``a`` arm,
    ``c`` control, ``k`` = ``critical``); it excludes ratio 1 exactly when
    ``|a - c| / sqrt(var_a + var_c) > k``, i.e. when the test of the difference rejects.

    Parameters
    ----------
    value_arm, var_arm, value_control, var_control
        The two estimates and the variances of the estimates (not of single observations).
    critical
        Critical value of the difference's test: ``z(1 - alpha/2)``, or Welch's ``t(1 - alpha/2, df)``.

    Returns
    -------
    tuple of float
        Relative lift, lower and upper bound. Bounds are NaN when the set is unbounded (the control
        value is not distinguishable from 0 at this level: ``c^2 <= k^2 var_c``); all NaN when ``c`` is 0.
    """
    a, va, c, vc, k = (float(v) for v in (value_arm, var_arm, value_control, var_control, critical))
    if not c or not np.isfinite(c):
        return NAN, NAN, NAN
    rel = a / c - 1
    q = c * c - k * k * vc
    discriminant = k * k * (a * a * vc + c * c * va - k * k * va * vc)
    if not q > 0 or not discriminant >= 0:
        return rel, NAN, NAN
    root = np.sqrt(discriminant)
    return rel, (a * c - root) / q - 1, (a * c + root) / q - 1


def _crossing(statistic, target: float, start: float, stop: float) -> float:
    """The end of the confidence set from the estimate ``start`` towards ``stop``: the furthest ``x``
    with ``|statistic(x)| <= |target|``, refined where the statistic reaches ``target``; ``stop`` if none.

    The statistic is 0 at the estimate. A grid of 400 steps (NaN values, where the restricted
    variance vanishes, count as rejected) finds the last accepted step, and Brent's method the
    crossing after it. Taking the furthest accepted value (the convex hull of the set) keeps the
    interval an interval where the statistic is not monotone (tiny arms with rates near 0 or 1),
    and 0 is always checked, so the interval holds 0 exactly when the test at 0 does not reject.
    """
    def gap(x: float) -> float:
        return -target if x == start else statistic(x) - target

    grid = np.linspace(start, stop, 401)[1:-1]
    values = np.array([gap(x) for x in grid])
    accepted = np.flatnonzero(np.isfinite(values) & (np.abs(values + target) <= abs(target)))
    last = accepted[-1] if len(accepted) else -1
    if min(start, stop) < 0 < max(start, stop) and abs(statistic(0.0)) <= abs(target):
        last = max(last, int(np.searchsorted(grid, 0.0) if stop > start else np.searchsorted(-grid, 0.0)) - 1)
    if last == len(grid) - 1:
        return float(stop)
    inside, outside = (grid[last] if last >= 0 else start), grid[last + 1]
    if not np.isfinite(values[last + 1]) or (gap(inside) if inside != start else -target) * values[last + 1] > 0:
        return float(outside)
    return float(optimize.brentq(gap, min(inside, outside), max(inside, outside), xtol=1e-13, rtol=1e-13))


def ratio_score(ratio: float, events_arm: int, n_arm: int, events_control: int, n_control: int) -> float:
    """Score statistic of ``arm rate / control rate = ratio`` (Farrington-Manning restricted estimates).

    ``(p1 - R p0) / sqrt(q1 (1 - q1) / n1 + R^2 q0 (1 - q0) / n0)`` with ``q0`` the smaller root of
    ``R N q^2 - (R n1 + n0 + x1 + R x0) q + (x1 + x0) = 0`` and ``q1 = R q0``; at ``R = 1`` this is
    the pooled two-proportion z. Decreasing in ``R``.
    """
    x1, n1, x0, n0, r = float(events_arm), float(n_arm), float(events_control), float(n_control), float(ratio)
    total, events = n1 + n0, x1 + x0
    b = r * n1 + n0 + x1 + r * x0
    q0 = (b - np.sqrt(max(b * b - 4 * r * total * events, 0.0))) / (2 * r * total)
    q1 = r * q0
    spread = q1 * (1 - q1) / n1 + r * r * q0 * (1 - q0) / n0
    return (x1 / n1 - r * x0 / n0) / np.sqrt(spread) if spread > 0 else NAN


def rate_ratio(events_arm: int, n_arm: int, events_control: int, n_control: int,
               alpha: float) -> tuple[float, float, float]:
    """Relative lift of a rate with the score interval of the ratio (inverts :func:`ratio_score`).

    Returns
    -------
    tuple of float
        Relative lift, lower and upper bound: every ratio whose score test does not reject at
        ``alpha``, minus 1. The lower bound is -1 when the arm has no event, the upper bound
        ``inf`` when the control has none; all NaN when neither arm has an event, bounds NaN when
        every customer of both arms has one.
    """
    if n_arm == 0 or n_control == 0 or events_control == 0 and events_arm == 0:
        return NAN, NAN, NAN
    if events_arm == n_arm and events_control == n_control:
        return 0.0, NAN, NAN
    k = float(stats.norm.ppf(1 - alpha / 2))
    counts = (events_arm, n_arm, events_control, n_control)
    point = (events_arm / n_arm) / (events_control / n_control) if events_control else np.inf

    def score(log_ratio: float) -> float:
        return ratio_score(np.exp(log_ratio), *counts)

    centre = np.log(point) if 0 < point < np.inf else (_FAR if point == np.inf else -_FAR)
    low = 0.0 if events_arm == 0 else np.exp(_crossing(score, k, min(centre, _FAR), -_FAR))
    high = np.inf if events_control == 0 else np.exp(_crossing(score, -k, max(centre, -_FAR), _FAR))
    low, high = (0.0 if low <= np.exp(-_FAR) else low), (np.inf if high >= np.exp(_FAR) else high)
    return float(point - 1), float(low - 1), float(high - 1)


def difference_score(delta: float, events_arm: int, n_arm: int, events_control: int, n_control: int) -> float:
    """Score statistic of ``arm rate - control rate = delta`` (Mee; Miettinen-Nurminen's restricted estimates).

    ``(p1 - p0 - delta) / sqrt(q1 (1 - q1) / n1 + q0 (1 - q0) / n0)`` with ``q1 = q0 + delta`` the
    rates that maximise the likelihood under the hypothesis (the root of a cubic, in closed form);
    at ``delta = 0`` the pooled z.
    """
    x1, n1, x0, n0, d = float(events_arm), float(n_arm), float(events_control), float(n_control), float(delta)
    total, events = n1 + n0, x1 + x0
    if d == 0:
        q0 = events / total
    else:
        c3, c2 = total, (n1 + 2 * n0) * d - total - events
        c1, c0 = (x0 * d - total - 2 * x0) * d + events, x0 * d * (1 - d)
        v = (c2 / (3 * c3)) ** 3 - c1 * c2 / (6 * c3**2) + c0 / (2 * c3)
        u = np.sign(v) * np.sqrt(max((c2 / (3 * c3)) ** 2 - c1 / (3 * c3), 0.0))
        angle = np.arccos(np.clip(v / u**3, -1.0, 1.0)) if u else np.pi / 2
        q0 = 2 * u * np.cos((np.pi + angle) / 3) - c2 / (3 * c3)
    spread = _spread(q0, d, n1, n0)
    if not spread > 1e-300:  # the closed form breaks down at some edges (no event in a tiny arm): maximise directly
        low, high = max(0.0, -d), min(1.0, 1.0 - d)

        def minus(q: float) -> float:
            return -_loglik(q + d, x1, n1) - _loglik(q, x0, n0)

        inner = optimize.minimize_scalar(minus, bounds=(low, high), method="bounded", options={"xatol": 1e-14}).x
        spread = _spread(min((low, high, inner), key=minus), d, n1, n0)
    return (x1 / n1 - x0 / n0 - d) / np.sqrt(spread) if spread > 1e-300 else NAN


def _spread(q0: float, d: float, n1: float, n0: float) -> float:
    q1 = q0 + d
    return q1 * (1 - q1) / n1 + q0 * (1 - q0) / n0 if np.isfinite(q0) else NAN


def _loglik(q: float, events: float, n: float) -> float:
    terms = ((events, q), (n - events, 1 - q))
    return sum(count * np.log(max(p, 1e-300)) for count, p in terms if count > 0)


def rate_difference(events_arm: int, n_arm: int, events_control: int, n_control: int,
                    alpha: float) -> tuple[float, float]:
    """Score interval of a difference of rates (Mee: Miettinen-Nurminen without the variance factor).

    Every difference whose score test (:func:`difference_score`) does not reject at ``alpha``; at
    difference 0 that test is the pooled two-proportion z, so the interval excludes 0 exactly when
    the pooled z test rejects. NaN when the pooled rate is 0 or 1.
    """
    if n_arm == 0 or n_control == 0 or events_arm + events_control in (0, n_arm + n_control):
        return NAN, NAN
    k = float(stats.norm.ppf(1 - alpha / 2))
    counts = (events_arm, n_arm, events_control, n_control)
    point = events_arm / n_arm - events_control / n_control

    def score(delta: float) -> float:
        return difference_score(delta, *counts)

    low = -1.0 if point <= -1 else _crossing(score, k, point, -1.0)
    high = 1.0 if point >= 1 else _crossing(score, -k, point, 1.0)
    return low, high
