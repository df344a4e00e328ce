"""Simple scores the health score must beat, and which score ranks the customers.

Three baselines, each on 0-100 with higher = healthier like the health score:

- ``recency``: the recency measure, ``100 x 0.5 ** (days since the last order / recency_half_life_days)``
  (ranks exactly as the days do);
- ``rfm``: notebook 02's quintile scores, ``100 x (R + F + M - 3) / 12``;
- ``p_alive``: ``100 x P(alive)`` of the BG/NBD model (:mod:`.value`), i.e. 1 - P(alive) ranks churn.

On the backtest's customers and label each gets its AUC with DeLong's interval, and the health score
is tested against the best of them with DeLong's paired test
(:func:`crmreport.stats.discrimination.delong_difference`). The health score **beats** the best
baseline when the whole interval of the difference is above 0; otherwise the best baseline ranks the
customers (its 0-100 score sets the bands): a composite that does not measurably add to a simple
score is not worth its complexity.

A ranking score is chosen on the backtest's customers (an order in the ``activity_days`` before the
window), so :func:`band_rankers` bands the customers it cannot judge by recency instead: those without
an order in the last ``activity_days`` and, under ``p_alive``, those with a single purchase day (BG/NBD
gives them P(alive) = 1 however long their silence). A customer who has not bought for longer than
``activity_days`` is therefore always red.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...stats.discrimination import delong_auc, delong_difference

BASELINES: tuple[str, ...] = ("recency", "rfm", "p_alive")
RANKERS: tuple[str, ...] = ("health", *BASELINES)


def baseline_scores(segments: pd.DataFrame, value: pd.DataFrame, recency_half_life_days: float) -> pd.DataFrame:
    """customer_id and the three 0-100 baselines, from notebook 02's segments (recency_days, r/f/m_score)
    and the CLV model's per-customer frame (p_alive), both as of the same date."""
    frame = segments[["customer_id", "recency_days", "r_score", "f_score", "m_score"]].merge(
        value[["customer_id", "p_alive"]], on="customer_id", how="left")
    recency = 100 * np.power(0.5, frame["recency_days"].astype("float64") / recency_half_life_days)
    return pd.DataFrame({
        "customer_id": frame["customer_id"].to_numpy(dtype=object),
        "recency": recency.fillna(0.0).to_numpy(),
        "rfm": (100 * (frame[["r_score", "f_score", "m_score"]].sum(axis=1) - 3) / 12).to_numpy(dtype="float64"),
        "p_alive": (100 * frame["p_alive"].astype("float64")).to_numpy(),
    })


def comparison(frame: pd.DataFrame, alpha: float = 0.05) -> list[dict]:
    """Backtest rows of the baselines: one ``baseline`` row each (those with a value for every customer of
    ``frame``) and one ``difference`` row, AUC(health) - AUC(best baseline) with its paired interval and
    p-value, ``score`` naming that baseline. ``frame`` holds churned, health_score and the baselines."""
    churned = frame["churned"].to_numpy(dtype=bool)
    present = [b for b in BASELINES if b in frame and len(frame) and frame[b].notna().all()]
    common = {"decile": np.nan, "customers": len(frame), "churned": int(churned.sum()),
              "churn_rate": churned.mean() if len(frame) else np.nan, "lift": np.nan}
    rows = []
    for name in present:
        auc = delong_auc(-frame[name].to_numpy(dtype="float64"), churned, alpha)
        rows.append({"row": "baseline", "score": name, **common, "score_low": frame[name].min(),
                     "score_high": frame[name].max(), "auc": auc.auc, "ci_low": auc.ci_low, "ci_high": auc.ci_high,
                     "p_value": np.nan})
    aucs = [row["auc"] for row in rows]
    if rows and np.isfinite(aucs).any():
        best = present[int(np.nanargmax(aucs))]
        test = delong_difference(-frame["health_score"].to_numpy(dtype="float64"),
                                 -frame[best].to_numpy(dtype="float64"), churned, alpha)
        rows.append({"row": "difference", "score": best, **common, "score_low": np.nan, "score_high": np.nan,
                     "auc": test.difference, "ci_low": test.ci_low, "ci_high": test.ci_high, "p_value": test.p_value})
    return rows


def ranker(comparison_rows: pd.DataFrame) -> str:
    """``health`` when it beats the best baseline (difference interval above 0), else that baseline's name."""
    difference = comparison_rows[comparison_rows["row"] == "difference"]
    if difference.empty or difference["ci_low"].iloc[0] > 0:
        return "health"
    return str(difference["score"].iloc[0])


def band_rankers(ranked_by: str, recency_days: pd.Series, frequency: pd.Series, activity_days: int) -> pd.Series:
    """Per customer, the score that sets the band: ``ranked_by``, or ``recency`` for the customers it cannot judge.

    ``recency_days`` (days since the last order, NaN without one) and ``frequency`` (BG/NBD repeat purchase
    days, NaN without a purchase) are aligned with the customers. Customers without an order keep
    ``ranked_by``: no recency to band them by.
    """
    lapsed = recency_days > activity_days
    if ranked_by == "p_alive":
        lapsed |= frequency.eq(0) & recency_days.notna()
    return pd.Series(np.where(lapsed, "recency", ranked_by), index=recency_days.index, dtype=object)
