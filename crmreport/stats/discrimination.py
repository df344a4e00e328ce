"""How well a score ranks a binary outcome: AUC with DeLong's interval, exact binomial intervals.

Pure functions over arrays. ``delong_auc`` uses the midrank algorithm of Sun and Xu (2014), which
gives DeLong, DeLong and Clarke-Pearson's (1988) variance in O(n log n); ``delong_difference`` is their
test of two correlated AUCs (two scores of the same customers and outcome).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Auc:
    """Area under the ROC curve of a score for an outcome, with a (1 - alpha) interval."""

    auc: float
    std_error: float
    ci_low: float
    ci_high: float
    positives: int
    negatives: int
    message: str = ""


@dataclass(frozen=True)
class AucDifference:
    """AUC of score ``a`` minus AUC of score ``b`` on the same cases, with DeLong's paired interval and p-value."""

    auc_a: float
    auc_b: float
    difference: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float
    message: str = ""


def _components(score: np.ndarray, outcome: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DeLong's structural components by midranks: per positive the share of negatives ranked below it
    (ties half), per negative the share of positives ranked above it."""
    positive, negative = score[outcome], score[~outcome]
    m, n = len(positive), len(negative)
    rank_all = stats.rankdata(np.concatenate([positive, negative]))
    v10 = (rank_all[:m] - stats.rankdata(positive)) / n
    v01 = 1.0 - (rank_all[m:] - stats.rankdata(negative)) / m
    return v10, v01


def delong_auc(score: np.ndarray, outcome: np.ndarray, alpha: float = 0.05) -> Auc:
    """AUC of ``score`` (higher = more likely ``outcome`` is 1) with DeLong's standard error.

    The interval is computed on the logit scale and mapped back, so it stays inside [0, 1].
    With no positives or no negatives the result carries ``nan`` and the message ``one_class``.
    """
    score = np.asarray(score, dtype="float64")
    outcome = np.asarray(outcome).astype(bool)
    positive, negative = score[outcome], score[~outcome]
    m, n = len(positive), len(negative)
    if m == 0 or n == 0:
        return Auc(np.nan, np.nan, np.nan, np.nan, m, n, "one_class")
    v10, v01 = _components(score, outcome)
    auc = float(v10.mean())
    var = (v10.var(ddof=1) / m if m > 1 else 0.0) + (v01.var(ddof=1) / n if n > 1 else 0.0)
    se = float(np.sqrt(var))
    z = stats.norm.ppf(1 - alpha / 2)
    if 0 < auc < 1 and se > 0:
        logit, se_logit = np.log(auc / (1 - auc)), se / (auc * (1 - auc))
        low, high = 1 / (1 + np.exp(-(logit - z * se_logit))), 1 / (1 + np.exp(-(logit + z * se_logit)))
    else:
        low, high = max(0.0, auc - z * se), min(1.0, auc + z * se)
    return Auc(auc, se, float(low), float(high), m, n)


def delong_difference(score_a: np.ndarray, score_b: np.ndarray, outcome: np.ndarray,
                      alpha: float = 0.05) -> AucDifference:
    """DeLong, DeLong and Clarke-Pearson's (1988) test of AUC(a) - AUC(b), both scores on the same cases.

    Higher scores mean ``outcome`` is more likely for both. The variance of the difference uses the
    covariance of the two scores' structural components, so a shared signal does not count twice; the
    interval is normal on the difference scale, the p-value two-sided. With one class only (or a
    zero variance) the result carries ``nan`` and the message ``one_class`` (``no_variance``).
    """
    a, b = np.asarray(score_a, dtype="float64"), np.asarray(score_b, dtype="float64")
    outcome = np.asarray(outcome).astype(bool)
    m, n = int(outcome.sum()), int((~outcome).sum())
    if m < 2 or n < 2:
        return AucDifference(np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, "one_class")
    (a10, a01), (b10, b01) = _components(a, outcome), _components(b, outcome)
    s10, s01 = np.cov(np.vstack([a10, b10])), np.cov(np.vstack([a01, b01]))
    var = (s10[0, 0] + s10[1, 1] - 2 * s10[0, 1]) / m + (s01[0, 0] + s01[1, 1] - 2 * s01[0, 1]) / n
    auc_a, auc_b = float(a10.mean()), float(b10.mean())
    difference = auc_a - auc_b
    if not var > 0:
        return AucDifference(auc_a, auc_b, difference, 0.0, difference, difference, np.nan, "no_variance")
    se = float(np.sqrt(var))
    half = stats.norm.ppf(1 - alpha / 2) * se
    p_value = float(2 * stats.norm.sf(abs(difference) / se))
    return AucDifference(auc_a, auc_b, difference, se, difference - half, difference + half, p_value)


def binomial_interval(successes: np.ndarray | int, trials: np.ndarray | int,
                      alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Clopper-Pearson) interval of a proportion; ``nan`` where ``trials`` is 0."""
    k = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(k > 0, stats.beta.ppf(alpha / 2, k, n - k + 1), 0.0)
        high = np.where(k < n, stats.beta.ppf(1 - alpha / 2, k + 1, n - k), 1.0)
    empty = n <= 0
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def mean_interval(values: np.ndarray, alpha: float = 0.05) -> tuple[float, float, float]:
    """Mean of ``values`` (empty ones ignored) with a t interval; ``nan`` bounds with fewer than 2 values."""
    x = np.asarray(values, dtype="float64")
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return np.nan, np.nan, np.nan
    mean = float(x.mean())
    if len(x) < 2:
        return mean, np.nan, np.nan
    half = stats.t.ppf(1 - alpha / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return mean, float(mean - half), float(mean + half)
