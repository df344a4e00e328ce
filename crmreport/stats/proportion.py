"""Intervals of a share: the Wilson score interval, clamped to contain its share.

The Wilson bounds of 0/n and n/n are 0 and 1 exactly, but floating point can put them a rounding
error on the wrong side of the share (a lower bound of 1e-17 above a share of 0); the clamp puts
them back, so an error bar never gets a negative length and a table never shows an interval that
misses its own estimate.
"""

from __future__ import annotations

import numpy as np
from statsmodels.stats.proportion import proportion_confint


def wilson_interval(successes: object, trials: object, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """The ``1 - alpha`` Wilson score interval of ``successes / trials``, clamped to contain the share.

    Parameters
    ----------
    successes, trials
        Counts: scalars or array-likes of the same length.
    alpha
        One minus the confidence level.

    Returns
    -------
    tuple of numpy.ndarray
        ``(low, high)`` as float arrays (0-d for scalar input); NaN where ``trials`` is 0.
    """
    successes, trials = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    rated = trials > 0
    share = np.divide(successes, trials, out=np.full(np.broadcast(successes, trials).shape, np.nan), where=rated)
    low, high = proportion_confint(successes, np.where(rated, trials, 1.0), alpha=alpha, method="wilson")
    low = np.where(rated, np.minimum(low, share), np.nan)
    high = np.where(rated, np.maximum(high, share), np.nan)
    return low, high
