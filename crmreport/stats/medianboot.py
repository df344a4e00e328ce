"""Bootstrap quantiles without resampling whole samples: the order-statistic draws.

Resampling ``n`` values ``B`` times costs ``B x n`` draws and partitions (2,000 x 290,000 per window
for the tickets of a million customers). A quantile of a resample depends only on one or two of its
order statistics. A resample of the sorted values ``s`` is ``s[floor(n U)]`` for ``n`` uniforms
``U``, so its ``k``-th smallest value is ``s[floor(n U_(k))]``, where ``U_(k)``, the ``k``-th smallest
of ``n`` uniforms, is ``Beta(k, n - k + 1)``; given the ``m``-th smallest ``w``, the ``k``-th
(``k > m``) is ``w + (1 - w) Beta(k - m, n - k + 1)``. Drawing the ranks a quantile needs, in
increasing order, gives replicates with exactly the distribution of the resampling bootstrap
(another random stream, the same law) in ``O(n log n + B)``. The SLA intervals of notebook 05
(:func:`crmreport.analyses.execution.sla.bootstrap_quantiles`) and the median changes of notebook
04 (:func:`crmreport.stats.beforeafter.mann_whitney_median`) both draw them here, above a size
(4.2M resampled values; 20,000 values): below it both resample explicitly. Both paths stay because
they agree in law, not in numbers: one path would change every bootstrap interval already published
for small samples, or cost ``B x n`` draws for large ones.
"""

from __future__ import annotations

import numpy as np


def quantile_draws(ordered: np.ndarray, qs: tuple[float, ...], resamples: int,
                   rng: np.random.Generator) -> np.ndarray:
    """``resamples`` bootstrap replicates (columns) of each quantile of ``qs`` (rows) of the sorted ``ordered``.

    A replicate has the law of ``np.quantile(ordered[idx], q)`` (numpy's ``linear`` method) for
    ``idx`` drawn with replacement. Only the ranks a quantile interpolates between are drawn (one
    rank where ``q (n - 1)`` is whole, as for the median of an odd sample), in increasing order.
    """
    n = len(ordered)
    spots = [(q * (n - 1), int(np.floor(q * (n - 1)))) for q in qs]  # numpy's "linear" virtual index
    ranks = sorted({k for h, low in spots for k in ((low + 1, min(low + 2, n)) if h > low else (low + 1,))})
    picked, rank, below = {}, 0, np.zeros(resamples)
    for k in ranks:  # 1-based ranks
        below = below + (1 - below) * rng.beta(k - rank, n - k + 1, resamples)
        rank = k
        picked[k] = ordered[np.minimum((n * below).astype(np.int64), n - 1)]
    draws = np.empty((len(qs), resamples))
    for row, (h, low) in enumerate(spots):
        if h == low:
            draws[row] = picked[low + 1]
            continue
        a, b, gamma = picked[low + 1], picked[min(low + 2, n)], h - low
        diff = b - a  # numpy's interpolation: from below under gamma 0.5, from above from it
        draws[row] = b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma
    return draws


def median_draws(values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``n_boot`` medians of bootstrap resamples of ``values`` (same law as ``np.median(values[idx])``)."""
    return quantile_draws(np.sort(np.asarray(values, dtype=float)), (0.5,), n_boot, rng)[0]


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
