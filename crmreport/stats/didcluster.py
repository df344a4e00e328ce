"""The interaction coefficient of ``value ~ treated + after + treated:after`` with a cluster-robust (CR1)
interval, from per-cell and per-cluster sums instead of an n x 4 regression.

The design is saturated (one parameter per treated x after cell), so ``X'X`` is the cell counts
arranged by the cells' design rows, the residuals are the values minus their cell mean, and each
cluster's score ``X_g' e_g`` adds up its residuals per cell. The covariance is statsmodels'
``cov_type="cluster"``: ``G / (G - 1) * (N - 1) / (N - K) * (X'X)^-1 (sum_g s_g s_g') (X'X)^-1``, with
a normal interval and p-value. Memory and time are linear in the observations (a few arrays of n).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

#: design row of each cell: intercept, treated, after, treated x after (cell = 2 * treated + after)
_ROWS = np.array([[1.0, 0, 0, 0], [1.0, 0, 1, 0], [1.0, 1, 0, 0], [1.0, 1, 1, 1]])


def did_cluster(y: np.ndarray, treated: np.ndarray, after: np.ndarray, clusters: np.ndarray,
                alpha: float = 0.05) -> tuple[float, float, float, float]:
    """Interaction estimate, interval (1 - ``alpha``) and two-sided p-value, clustered by ``clusters``.

    Every cell needs at least one observation; ``clusters`` are integer codes 0..G-1 or any labels.
    """
    y = np.asarray(y, dtype=float)
    cell = 2 * np.asarray(treated, dtype=np.int64) + np.asarray(after, dtype=np.int64)
    groups = np.unique(np.asarray(clusters), return_inverse=True)[1].ravel()
    counts = np.bincount(cell, minlength=4).astype(float)
    xtx = _ROWS.T @ (counts[:, None] * _ROWS)
    means = np.bincount(cell, weights=y, minlength=4) / counts
    beta = np.linalg.solve(xtx, _ROWS.T @ (counts * means))
    residuals = y - _ROWS[cell] @ beta
    n_groups = int(groups.max()) + 1
    per_cell = np.bincount(groups * 4 + cell, weights=residuals, minlength=4 * n_groups).reshape(n_groups, 4)
    scores = per_cell @ _ROWS
    inverse = np.linalg.inv(xtx)
    n, k = len(y), 4
    correction = n_groups / (n_groups - 1) * (n - 1) / (n - k)
    covariance = correction * inverse @ (scores.T @ scores) @ inverse
    estimate, se = float(beta[3]), float(np.sqrt(covariance[3, 3]))
    z = stats.norm.ppf(1 - alpha / 2)
    p_value = float(2 * stats.norm.sf(abs(estimate / se))) if se > 0 else np.nan
    return estimate, estimate - z * se, estimate + z * se, p_value
