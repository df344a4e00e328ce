"""Before/after comparisons of the same units in both windows (a panel): McNemar, paired t, Wilcoxon.

Each returns a :class:`~crmreport.stats.beforeafter.Change` like the independent-window tests.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar

from .abtest import z_critical
from .beforeafter import ZERO_VARIANCE, Change, bootstrap_interval, insufficient, normal_change

#: McNemar uses the exact binomial test below this many discordant pairs
MCNEMAR_EXACT_BELOW = 25


def mcnemar_pairs(n00: int, n01: int, n10: int, n11: int, alpha: float = 0.05) -> Change:
    """The same units' yes/no outcome in both windows: McNemar's test, Wald interval of the paired difference.

    ``nXY`` counts units with outcome X before and Y after. The exact binomial test is used below
    :data:`MCNEMAR_EXACT_BELOW` discordant pairs, else the chi-square test with continuity correction
    (``statistic`` is then chi-square, otherwise the smaller discordant count).
    """
    n = n00 + n01 + n10 + n11
    if n < 2:
        return insufficient("mcnemar", n, n)
    z = z_critical(alpha)
    before, after = (n10 + n11) / n, (n01 + n11) / n
    diff = (n01 - n10) / n
    if n01 + n10 == 0:
        return Change("mcnemar", before, after, 0.0, 0.0, 0.0, np.nan, 1.0, n, n, ZERO_VARIANCE)
    result = mcnemar([[n00, n01], [n10, n11]], exact=n01 + n10 < MCNEMAR_EXACT_BELOW, correction=True)
    se = np.sqrt(max(n01 + n10 - (n01 - n10) ** 2 / n, 0.0)) / n
    return Change("mcnemar", before, after, diff, diff - z * se, diff + z * se, float(result.statistic),
                  float(result.pvalue), n, n)


def paired_t(n: int, mean_before: float, mean_after: float, var_difference: float, alpha: float = 0.05) -> Change:
    """The same units measured twice: paired t-test on ``after - before`` (sample variance ``var_difference``)."""
    if n < 2:
        return insufficient("paired_t", n, n, mean_before if n else np.nan, mean_after if n else np.nan)
    z_critical(alpha)
    diff = mean_after - mean_before
    se = np.sqrt(var_difference / n)
    if not se > 0:
        return normal_change("paired_t", mean_before, mean_after, diff, 0.0, alpha, n, n)
    statistic = diff / se
    half = stats.t.ppf(1 - alpha / 2, n - 1) * se
    return Change("paired_t", mean_before, mean_after, diff, diff - half, diff + half, statistic,
                  float(2 * stats.t.sf(abs(statistic), n - 1)), n, n)


def wilcoxon_pairs(before: np.ndarray, after: np.ndarray, alpha: float = 0.05, n_boot: int = 2000,
                   seed: int = 0) -> Change:
    """The same units measured twice: Wilcoxon signed-rank test, seeded bootstrap interval of the mean difference.

    Zero differences are dropped by the test (scipy's default); pairs are resampled together.
    """
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    n = len(before)
    if n < 2:
        return insufficient("wilcoxon", n, n)
    z_critical(alpha)
    differences = after - before
    m_b, m_a = float(before.mean()), float(after.mean())
    if not np.any(differences):
        return Change("wilcoxon", m_b, m_a, 0.0, 0.0, 0.0, np.nan, 1.0, n, n, ZERO_VARIANCE)
    result = stats.wilcoxon(differences)
    low, high = bootstrap_interval(np.zeros(1), differences, np.mean, alpha, n_boot, seed)
    return Change("wilcoxon", m_b, m_a, m_a - m_b, low, high, float(result.statistic), float(result.pvalue), n, n)
