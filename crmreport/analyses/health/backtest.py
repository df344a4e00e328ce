"""Backtest of the health score: scored at the baseline end, judged against churn in the period.

- discrimination: AUC of ``-health_score`` for churn (DeLong interval, :mod:`crmreport.stats.discrimination`),
  beside the simple baselines of :mod:`.baselines` on the same customers and label, and DeLong's paired
  test of the health score against the best of them;
- ranking: churn rate and lift per score group (group 1 = the lowest scores);
- calibration: churn probability from the score (a one-variable logistic regression fitted on the
  previous period's outcome) against the observed churn rate, per score group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...stats.discrimination import binomial_interval, delong_auc
from .baselines import comparison

BACKTEST_COLUMNS: tuple[str, ...] = ("row", "score", "decile", "score_low", "score_high", "customers", "churned",
                                     "churn_rate", "lift", "auc", "ci_low", "ci_high", "p_value")


def _scored(scores: pd.DataFrame, outcome: pd.DataFrame, baselines: pd.DataFrame | None = None) -> pd.DataFrame:
    frame = outcome.merge(scores[["customer_id", "health_score"]], on="customer_id", how="inner")
    if baselines is not None:
        frame = frame.merge(baselines, on="customer_id", how="left")
    return frame.dropna(subset=["health_score"]).reset_index(drop=True)


def score_groups(score: pd.Series, groups: int) -> pd.Series:
    """Group 1..``groups`` by rank of ``score`` (1 = lowest), equal sizes up to ties broken by order."""
    ranks = score.rank(method="first")
    return np.ceil(ranks / len(score) * groups).astype("int64").clip(1, groups)


def backtest(scores: pd.DataFrame, outcome: pd.DataFrame, groups: int = 10, alpha: float = 0.05,
             baselines: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``health_backtest.csv`` contract: the health score's ``auc`` row, with ``baselines`` (customer_id and
    the 0-100 scores of :func:`.baselines.baseline_scores`) a ``baseline`` row each and the ``difference``
    row (:func:`.baselines.comparison`), then one ``decile`` row per health-score group.

    ``scores`` holds customer_id and health_score as of the baseline end; ``outcome`` customer_id and
    churned (:func:`.churnlabel.churn_outcome`). Customers in both count.
    """
    frame = _scored(scores, outcome, baselines)
    if frame.empty:
        return pd.DataFrame(columns=list(BACKTEST_COLUMNS))
    churned = frame["churned"].to_numpy(dtype="bool")
    auc = delong_auc(-frame["health_score"].to_numpy(), churned, alpha)
    overall = churned.mean()
    rows = [{"row": "auc", "score": "health", "decile": np.nan, "score_low": frame["health_score"].min(),
             "score_high": frame["health_score"].max(), "customers": len(frame), "churned": int(churned.sum()),
             "churn_rate": overall, "lift": 1.0, "auc": auc.auc, "ci_low": auc.ci_low, "ci_high": auc.ci_high,
             "p_value": np.nan}]
    if baselines is not None:
        rows += comparison(frame, alpha)
    frame["decile"] = score_groups(frame["health_score"], min(groups, len(frame)))
    for decile, group in frame.groupby("decile"):
        rate = group["churned"].mean()
        low, high = binomial_interval(int(group["churned"].sum()), len(group), alpha)
        rows.append({"row": "decile", "score": "health", "decile": int(decile),
                     "score_low": group["health_score"].min(), "score_high": group["health_score"].max(),
                     "customers": len(group),
                     "churned": int(group["churned"].sum()), "churn_rate": rate,
                     "lift": rate / overall if overall > 0 else np.nan, "auc": np.nan, "ci_low": float(low),
                     "ci_high": float(high), "p_value": np.nan})
    return pd.DataFrame(rows, columns=list(BACKTEST_COLUMNS)).astype({"customers": "int64", "churned": "int64"})


def churn_probability_model(scores: pd.DataFrame, outcome: pd.DataFrame):
    """Logistic regression of churn on the health score (scikit-learn); ``None`` with too few of either class."""
    from sklearn.linear_model import LogisticRegression

    frame = _scored(scores, outcome)
    y = frame["churned"].to_numpy(dtype="bool")
    if len(frame) == 0 or min(y.sum(), (~y).sum()) < 5:
        return None
    return LogisticRegression(C=1e6, max_iter=1000).fit(frame[["health_score"]].to_numpy() / 100, y)


def churn_probability(model, score: pd.Series) -> np.ndarray:
    """Churn probability of each score under ``model`` (``nan`` where the score is empty or no model)."""
    values = score.to_numpy(dtype="float64")
    out = np.full(len(values), np.nan)
    known = np.isfinite(values)
    if model is not None and known.any():
        out[known] = model.predict_proba(values[known].reshape(-1, 1) / 100)[:, 1]
    return out


def calibration(scores: pd.DataFrame, outcome: pd.DataFrame, model, groups: int = 10,
                alpha: float = 0.05) -> pd.DataFrame:
    """Per score group: customers, mean predicted churn probability, observed churn rate and its interval."""
    frame = _scored(scores, outcome)
    if frame.empty or model is None:
        return pd.DataFrame(columns=["decile", "customers", "predicted", "observed", "ci_low", "ci_high"])
    frame["predicted"] = churn_probability(model, frame["health_score"])
    frame["decile"] = score_groups(frame["health_score"], min(groups, len(frame)))
    table = frame.groupby("decile").agg(customers=("churned", "size"), churned=("churned", "sum"),
                                        predicted=("predicted", "mean"), observed=("churned", "mean")).reset_index()
    table["ci_low"], table["ci_high"] = binomial_interval(table["churned"], table["customers"], alpha)
    return table.drop(columns="churned")
