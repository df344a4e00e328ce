"""Group-sequential boundaries: Lan-DeMets alpha spending with the O'Brien-Fleming-type function.

When a campaign declares its planned final size, each look ``k`` has the information fraction
``t_k = n_k / N`` (customers so far over customers planned, capped at 1). The O'Brien-Fleming-type
spending function of Lan and DeMets (1983) says how much of the two-sided ``alpha`` may be spent by
``t``::

    alpha*(t) = 4 (1 - Phi(z_{1 - alpha/4} / sqrt(t)))        (alpha/2 on each side; alpha at t = 1)

and the boundary ``b_k`` of look ``k`` is the one at which the probability, under no difference, of
first crossing ``|Z| >= b`` at look ``k`` equals ``alpha*(t_k) - alpha*(t_{k-1})``. The z statistics
of the looks are those of a Brownian motion read at ``t_1 < t_2 < ...``: the increments are
independent with variance ``t_k - t_{k-1}``. The crossing probabilities are computed as R's
``ldbounds`` (Reboussin, DeMets, Kim and Lan 2000; ported to Python by Spotify's ``confidence``)
does: the density of the not-yet-stopped process is carried from look to look on a grid by
numerical convolution with the increment's normal density, here with Simpson's rule on a finer grid
and each boundary found by a root search instead of ldbounds' step search. Published values are
reproduced to their three decimals (``tests/test_groupseq.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import integrate, optimize, stats

#: grid points per standard deviation of an increment (ldbounds uses 20, trapezoids)
POINTS_PER_SD = 60
#: boundaries beyond this z are reported as infinite (no alpha spent at that look)
Z_MAX = 8.0


def obrien_fleming_spending(t, alpha: float = 0.05) -> np.ndarray:
    """Cumulative two-sided alpha spent by information fraction(s) ``t`` (O'Brien-Fleming type)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}; use e.g. 0.05")
    t = np.clip(np.asarray(t, dtype=float), 0, 1)
    with np.errstate(divide="ignore"):
        return np.where(t > 0, 4 * stats.norm.sf(stats.norm.isf(alpha / 4) / np.sqrt(t)), 0.0)


def _fractions(t: Sequence[float]) -> np.ndarray:
    fractions = np.minimum(np.asarray(t, dtype=float), 1.0)
    if fractions.ndim != 1 or not len(fractions) or (fractions <= 0).any() or (np.diff(fractions) < 0).any():
        raise ValueError(f"information fractions must be positive and increasing (customers so far / planned "
                         f"final customers at each look), got {list(np.asarray(t))}")
    return fractions


def _grid(bound: float, sd: float) -> np.ndarray:
    """An odd number of equally spaced points on ``[-bound, bound]`` (Simpson's rule needs an odd count)."""
    count = 2 * int(np.ceil(bound / sd * POINTS_PER_SD / 2)) + 1
    return np.linspace(-bound, bound, max(count, 3))


def lan_demets_bounds(t: Sequence[float], alpha: float = 0.05) -> np.ndarray:
    """Two-sided z boundaries at looks with information fractions ``t`` (O'Brien-Fleming-type spending).

    Parameters
    ----------
    t
        Information fraction of each look so far, increasing; values above 1 (more customers than
        planned) count as 1. A look that adds no information repeats the previous boundary.
    alpha
        Two-sided level spent by ``t = 1``.

    Returns
    -------
    numpy.ndarray
        ``b_k``: the difference is declared at look ``k`` when ``|z_k| >= b_k`` (``inf`` when the
        look may spend no alpha). Equally spaced looks at 0.05 give 3.471, 2.454, 2.004 (3 looks)
        and 4.877, 3.357, 2.680, 2.290, 2.031 (5 looks).
    """
    fractions = _fractions(t)
    spent = obrien_fleming_spending(fractions, alpha)
    bounds = np.empty(len(fractions))
    grid = density = None  # the process's position sqrt(t) z and its density while not stopped
    previous_t, previous_spent = 0.0, 0.0
    for k, (t_k, spent_k) in enumerate(zip(fractions, spent, strict=True)):
        if t_k - previous_t <= 1e-9:
            bounds[k] = bounds[k - 1]
            continue
        sd = np.sqrt(t_k - previous_t)
        step = spent_k - previous_spent
        if grid is None:
            bound = float(stats.norm.isf(step / 2)) if step > 0 else np.inf
        else:
            bound = _solve(grid, density, sd, np.sqrt(t_k), step)
        bounds[k] = bound if bound < Z_MAX else np.inf
        limit = min(bound, Z_MAX) * np.sqrt(t_k)
        new_grid = _grid(limit, sd)
        if grid is None:
            density = stats.norm.pdf(new_grid, scale=sd)
        else:
            kernel = stats.norm.pdf((new_grid[:, None] - grid[None, :]) / sd) / sd
            density = integrate.simpson(kernel * density[None, :], x=grid, axis=1)
        grid, previous_t, previous_spent = new_grid, t_k, spent_k
    return bounds


def _solve(grid: np.ndarray, density: np.ndarray, sd: float, scale: float, step: float) -> float:
    """The z boundary whose first-crossing probability at this look is ``step``."""
    def crossing(z: float) -> float:
        c = z * scale
        outside = stats.norm.sf((c - grid) / sd) + stats.norm.cdf((-c - grid) / sd)
        return float(integrate.simpson(density * outside, x=grid)) - step

    if step <= 0 or crossing(Z_MAX) > 0:
        return np.inf
    return float(optimize.brentq(crossing, 0.0, Z_MAX, xtol=1e-10))
