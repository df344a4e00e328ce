"""How well a score ranks a binary outcome: AUC with DeLong's interval, exact binomial intervals.

Pure functions over arrays. ``delong_auc`` uses the midrank algorithm of Sun and Xu (2014), which
gives DeLong, DeLong and Clarke-Pearson's (1988) variance in O(n log n).
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
    rank_all = stats.rankdata(np.concatenate([positive, negative]))
    rank_pos, rank_neg = stats.rankdata(positive), stats.rankdata(negative)
    v10 = (rank_all[:m] - rank_pos) / n          # per positive: share of negatives ranked below it
    v01 = 1.0 - (rank_all[m:] - rank_neg) / m    # per negative: share of positives ranked above it
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
