"""The percentile bootstrap of a median difference without resampling whole samples.

Resampling ``n`` values ``B`` times costs ``B x n`` draws and partitions (2,000 x 290,000 per window
for the tickets of a million customers). The median of a resample depends only on one or two of
its order statistics, and the ``k``-th smallest of ``n`` draws with replacement from the sorted
values ``s`` is ``s[ceil(n * U_(k))]``, where ``U_(k)`` is the ``k``-th smallest of ``n`` uniforms:
``Beta(k, n - k + 1)``; the next one is ``U_(k) + (1 - U_(k)) * Beta(1, n - k)``. Drawing those
gives medians with exactly the distribution of the resampling bootstrap (another random stream,
the same law) in ``O(n log n + B)``.
"""

from __future__ import annotations

import numpy as np


def median_draws(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``n_boot`` medians of bootstrap resamples of ``values`` (same law as ``np.median(values[idx])``)."""
    s = np.sort(np.asarray(values, dtype=float))
    n = len(s)
    k = (n + 1) // 2  # the middle rank (odd n), the lower of the two middle ranks (even n)
    lower = rng.beta(k, n - k + 1, n_boot)
    first = s[_index(lower, n)]
    if n % 2:
        return first
    upper = lower + (1.0 - lower) * rng.beta(1, n - k, n_boot)
    return (first + s[_index(upper, n)]) / 2


def _index(uniform: np.ndarray, n: int) -> np.ndarray:
    """0-based position of the value drawn by ``ceil(n * u)`` (u = 0 maps to the smallest)."""
    return np.clip(np.ceil(n * uniform).astype(np.int64), 1, n) - 1


def median_difference_interval(before: np.ndarray, after: np.ndarray, alpha: float = 0.05, n_boot: int = 2000,
                               seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of ``median(after) - median(before)``, each window resampled.

    The interval of :func:`crmreport.stats.beforeafter.bootstrap_interval` with ``numpy.median``, in
    distribution; the same ``seed`` gives the same interval.
    """
    rng = np.random.default_rng(seed)
    draws = median_draws(after, n_boot, rng) - median_draws(before, n_boot, rng)
    low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)
