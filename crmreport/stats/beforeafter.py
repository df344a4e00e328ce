"""Before/after comparisons of one KPI: pure statistics over sufficient statistics.

Every test compares a *before* sample (the baseline window) with an *after* sample (the period)
and returns a :class:`Change`: both values, ``after - before`` with a confidence interval, the test
statistic, its two-sided p-value and the name of the test. Thin data (an empty window, a sample of
one) and degenerate data (no variance) give a :class:`Change` carrying a coded ``message``, never
an error; :func:`crmreport.core.verdicts.verdict` turns one comparison into a direction-aware verdict, and
families of p-values are adjusted by :func:`crmreport.stats.abchecks.adjust_p_values`. The z and Welch
primitives are those of :mod:`crmreport.stats.abtest`, so A/B tests and before/after KPIs compute them one way.

Independent windows: :func:`two_proportions` (pooled z, Newcombe hybrid-score interval),
:func:`welch` (Welch t), :func:`ratio_difference` (ratio of sums, delta method with customers as
clusters), :func:`growth_difference` (change of a ratio's growth, delta method),
:func:`mann_whitney_median` (Mann-Whitney U, bootstrap interval of the median difference),
:func:`poisson_rates` (score test and interval of a rate difference) and :func:`nps_difference`
(multinomial variance of promoters minus detractors). The same units in both windows (a panel)
are compared in :mod:`crmreport.stats.paired`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep
from statsmodels.stats.rates import confint_poisson_2indep, test_poisson_2indep

from ..core.verdicts import INSUFFICIENT
from .abtest import two_proportion_z, two_sided_p, z_critical
from .abtest import welch as welch_arrays
from .medianboot import median_difference_interval

log = logging.getLogger("crmreport")

TESTS: tuple[str, ...] = ("two_proportion_z", "welch_t", "ratio_delta_z", "growth_delta_z", "mann_whitney",
                          "poisson_rate", "nps_multinomial_z", "mcnemar", "paired_t", "wilcoxon")
#: message codes: too few observations (:data:`~crmreport.core.verdicts.INSUFFICIENT`, the verdict it leads
#: to); no variation at all (the p-value is then 1 or 0 by definition)
ZERO_VARIANCE = "zero_variance"


@dataclass(frozen=True)
class Change:
    """One before/after comparison; ``abs_change = after - before`` and its interval at 1 - alpha."""

    test: str
    before: float
    after: float
    abs_change: float
    ci_low: float
    ci_high: float
    statistic: float
    p_value: float
    n_before: int
    n_after: int
    message: str | None = None

    @property
    def rel_change(self) -> float:
        """``abs_change / |before|``; NaN when ``before`` is 0 or missing."""
        return self.abs_change / abs(self.before) if self.before and np.isfinite(self.before) else np.nan


def insufficient(test: str, n_before: int, n_after: int, before: float = np.nan, after: float = np.nan) -> Change:
    """The result of a comparison that cannot be made: values if known, no interval, no p-value."""
    return Change(test, before, after, after - before, np.nan, np.nan, np.nan, np.nan, int(n_before), int(n_after),
                  INSUFFICIENT)


def normal_change(test: str, before: float, after: float, estimate: float, se: float, alpha: float,
                 n_before: int, n_after: int) -> Change:
    """Wald z-test and interval of ``estimate``; a zero ``se`` gives p = 1 (no change) or 0 (a sure change)."""
    z = z_critical(alpha)
    if not se > 0:
        p = 1.0 if estimate == 0 else 0.0
        return Change(test, before, after, estimate, estimate, estimate, np.nan, p, n_before, n_after, ZERO_VARIANCE)
    statistic = estimate / se
    return Change(test, before, after, estimate, estimate - z * se, estimate + z * se, statistic,
                  float(two_sided_p(statistic)), n_before, n_after)


def two_proportions(x_before: int, n_before: int, x_after: int, n_after: int, alpha: float = 0.05) -> Change:
    """Two independent proportions: pooled two-proportion z-test, Newcombe hybrid-score interval.

    Parameters
    ----------
    x_before, n_before, x_after, n_after
        Successes and trials in each window.
    alpha
        1 - coverage of the interval.

    Returns
    -------
    Change
        Shares before and after; the interval is Newcombe's method 10 (from the two Wilson
        intervals), as ``statsmodels`` ``confint_proportions_2indep(method="newcomb")`` computes it.
    """
    if n_before < 1 or n_after < 1:
        return insufficient("two_proportion_z", n_before, n_after)
    p_b, p_a = x_before / n_before, x_after / n_after
    low, high = confint_proportions_2indep(x_after, n_after, x_before, n_before, method="newcomb", compare="diff",
                                           alpha=alpha)
    diff = p_a - p_b
    low, high = max(float(low), -1.0), min(float(high), 1.0)  # the Wilson limits can overshoot by rounding
    statistic, p_value = two_proportion_z(x_after, n_after, x_before, n_before)
    if np.isnan(statistic):  # pooled share 0 or 1: nothing varies
        return Change("two_proportion_z", p_b, p_a, diff, low, high, np.nan, 1.0, n_before, n_after, ZERO_VARIANCE)
    return Change("two_proportion_z", p_b, p_a, diff, low, high, float(statistic), float(p_value), n_before, n_after)


def welch(mean_before: float, var_before: float, n_before: int, mean_after: float, var_after: float, n_after: int,
          alpha: float = 0.05) -> Change:
    """Difference of two means, Welch t-test with Satterthwaite degrees of freedom.

    ``var_*`` are sample variances (ddof = 1). Fewer than 2 observations in a window is
    ``insufficient_data``; two constant samples are ``zero_variance``.
    """
    if n_before < 2 or n_after < 2:
        return insufficient("welch_t", n_before, n_after, mean_before if n_before else np.nan,
                            mean_after if n_after else np.nan)
    test = {key: float(value) for key, value in
            welch_arrays(mean_after, var_after, n_after, mean_before, var_before, n_before, alpha).items()}
    if not test["se"] > 0:
        return normal_change("welch_t", mean_before, mean_after, test["diff"], 0.0, alpha, n_before, n_after)
    return Change("welch_t", mean_before, mean_after, test["diff"], test["ci_low"], test["ci_high"], test["t"],
                  test["p_value"], n_before, n_after)


def _ratio_parts(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ratios ``sum(y) / sum(x)`` per column and the influence on them (delta method) of each cluster
    with observations (clusters with ``x == 0`` throughout are dropped, so they do not count in G)."""
    active = x.sum(axis=1) > 0
    y, x = y[active], x[active]
    totals = x.sum(axis=0)
    ratio = y.sum(axis=0) / totals
    return ratio, (y - ratio * x) / totals


def _cluster_se(influence: np.ndarray) -> float:
    """Cluster-robust standard error from per-cluster influences, with the G / (G - 1) correction."""
    g = len(influence)
    return float(np.sqrt(g / (g - 1) * np.sum(influence**2)))


def ratio_difference(y_before: np.ndarray, x_before: np.ndarray, y_after: np.ndarray, x_after: np.ndarray,
                     alpha: float = 0.05) -> Change:
    """Difference of two ratios of sums, e.g. average order value = amount / orders, with clustered variance.

    Parameters
    ----------
    y_before, x_before, y_after, x_after
        Per-cluster (customer) sums, aligned on the same customers (0 where a customer has no
        orders in a window). Customers present in both windows make the two ratios correlated;
        the delta method over clusters accounts for it (the same as the cluster-robust OLS
        standard error of ``amount ~ after`` grouped by customer, with the G / (G - 1) correction).

    Returns
    -------
    Change
        ``n_before``/``n_after`` are the summed ``x`` (orders), Wald z-test and interval.
    """
    y = np.column_stack([y_before, y_after]).astype(float)
    x = np.column_stack([x_before, x_after]).astype(float)
    n_b, n_a = int(x[:, 0].sum()), int(x[:, 1].sum())
    clusters = int((x.sum(axis=1) > 0).sum())
    if n_b < 2 or n_a < 2 or clusters < 2:
        return insufficient("ratio_delta_z", n_b, n_a)
    ratio, influence = _ratio_parts(y, x)
    se = _cluster_se(influence[:, 1] - influence[:, 0])
    return normal_change("ratio_delta_z", ratio[0], ratio[1], ratio[1] - ratio[0], se, alpha, n_b, n_a)


def growth_difference(y: np.ndarray, x: np.ndarray, alpha: float = 0.05) -> Change:
    """Change in the growth of a ratio of sums: ``(R3 / R2 - 1) - (R1 / R0 - 1)``, delta method over clusters.

    Parameters
    ----------
    y, x
        (clusters, 4) per-cluster sums in four windows: the one before the baseline, the
        baseline, the one before the period and the period. When the period follows the
        baseline, columns 1 and 2 are the same window and the shared sums enter both growths.

    Returns
    -------
    Change
        ``before`` = growth of the baseline over its preceding window, ``after`` = growth of the
        period over its preceding window (fractions, 0.08 = +8%); ``n_*`` are the summed ``x`` of
        the baseline and the period.
    """
    y, x = np.asarray(y, dtype=float), np.asarray(x, dtype=float)
    counts = x.sum(axis=0)
    n_b, n_a = int(counts[1]), int(counts[3])
    if (counts < 2).any() or int((x.sum(axis=1) > 0).sum()) < 2:
        return insufficient("growth_delta_z", n_b, n_a)
    ratio, influence = _ratio_parts(y, x)
    before, after = ratio[1] / ratio[0] - 1, ratio[3] / ratio[2] - 1
    gradient = np.array([ratio[1] / ratio[0] ** 2, -1 / ratio[0], -ratio[3] / ratio[2] ** 2, 1 / ratio[2]])
    se = _cluster_se(influence @ gradient)
    return normal_change("growth_delta_z", before, after, after - before, se, alpha, n_b, n_a)


def bootstrap_interval(before: np.ndarray, after: np.ndarray, statistic, alpha: float = 0.05,
                       n_boot: int = 2000, seed: int = 0, batch: int = 250) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic(after) - statistic(before)``, resampling each window.

    ``statistic`` takes a 2-D array and reduces along ``axis=1`` (``numpy.median``, ``numpy.mean``).
    The same ``seed`` gives the same interval.
    """
    rng = np.random.default_rng(seed)
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    draws = []
    for start in range(0, n_boot, batch):
        k = min(batch, n_boot - start)
        b = before[rng.integers(0, len(before), (k, len(before)))]
        a = after[rng.integers(0, len(after), (k, len(after)))]
        draws.append(statistic(a, axis=1) - statistic(b, axis=1))
    low, high = np.quantile(np.concatenate(draws), [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


#: beyond this many values in both windows together the median interval draws order statistics directly
RESAMPLE_MAX = 20_000


def mann_whitney_median(before: np.ndarray, after: np.ndarray, alpha: float = 0.05, n_boot: int = 2000,
                        seed: int = 0) -> Change:
    """Skewed values (response times): Mann-Whitney U test, seeded bootstrap interval of the median difference.

    ``statistic`` is U of the after sample. Fewer than 2 values in a window is ``insufficient_data``.
    Beyond :data:`RESAMPLE_MAX` values the bootstrap draws the resamples' middle order statistics
    directly (:mod:`crmreport.stats.medianboot`: the same distribution, linear in the sample size).
    """
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    if len(before) < 2 or len(after) < 2:
        return insufficient("mann_whitney", len(before), len(after),
                            float(np.median(before)) if len(before) else np.nan,
                            float(np.median(after)) if len(after) else np.nan)
    z_critical(alpha)
    m_b, m_a = float(np.median(before)), float(np.median(after))
    if np.ptp(np.concatenate([before, after])) == 0:
        return Change("mann_whitney", m_b, m_a, 0.0, 0.0, 0.0, np.nan, 1.0, len(before), len(after), ZERO_VARIANCE)
    result = stats.mannwhitneyu(after, before, alternative="two-sided")
    if len(before) + len(after) > RESAMPLE_MAX:  # same law, without n_boot x n draws (medianboot)
        low, high = median_difference_interval(before, after, alpha, n_boot, seed)
    else:
        low, high = bootstrap_interval(before, after, np.median, alpha, n_boot, seed)
    return Change("mann_whitney", m_b, m_a, m_a - m_b, low, high, float(result.statistic), float(result.pvalue),
                  len(before), len(after))


def poisson_rates(count_before: int, exposure_before: float, count_after: int, exposure_after: float,
                  scale: float = 1.0, alpha: float = 0.05) -> Change:
    """Difference of two Poisson rates (events per unit of exposure), score test and score interval.

    Values and interval are multiplied by ``scale`` (100 for "per 100 customers"); ``n_*`` are the exposures.
    """
    if exposure_before <= 0 or exposure_after <= 0:
        return insufficient("poisson_rate", int(exposure_before), int(exposure_after))
    z_critical(alpha)
    r_b, r_a = scale * count_before / exposure_before, scale * count_after / exposure_after
    n_b, n_a = int(round(exposure_before)), int(round(exposure_after))
    if count_before + count_after == 0:
        return Change("poisson_rate", r_b, r_a, 0.0, 0.0, 0.0, np.nan, 1.0, n_b, n_a, ZERO_VARIANCE)
    test = test_poisson_2indep(count_after, exposure_after, count_before, exposure_before, compare="diff",
                               method="score")
    low, high = confint_poisson_2indep(count_after, exposure_after, count_before, exposure_before, compare="diff",
                                       method="score", alpha=alpha)
    return Change("poisson_rate", r_b, r_a, r_a - r_b, scale * float(low), scale * float(high),
                  float(test.statistic), float(test.pvalue), n_b, n_a)


def nps_difference(before: tuple[int, int, int], after: tuple[int, int, int], alpha: float = 0.05) -> Change:
    """Difference of two net promoter scores (points, -100..100) with the multinomial variance.

    Parameters
    ----------
    before, after
        (promoters, passives, detractors) answer counts. The variance of one NPS is
        ``(p+ + p- - (p+ - p-)^2) / n``; the two windows are independent.
    """
    n_b, n_a = sum(before), sum(after)
    if n_b < 2 or n_a < 2:
        return insufficient("nps_multinomial_z", n_b, n_a)

    def score(counts: tuple[int, int, int], n: int) -> tuple[float, float]:
        plus, minus = counts[0] / n, counts[2] / n
        return plus - minus, (plus + minus - (plus - minus) ** 2) / n

    (s_b, v_b), (s_a, v_a) = score(before, n_b), score(after, n_a)
    return normal_change("nps_multinomial_z", 100 * s_b, 100 * s_a, 100 * (s_a - s_b), 100 * np.sqrt(v_b + v_a),
                        alpha, n_b, n_a)

