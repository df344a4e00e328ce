"""Health weights fitted on the churn label: a regularised logistic regression with its own holdout.

The seven measure scores (0-100, :mod:`.score`) of the customers active at the fit date explain their
churn over the following window (:mod:`.churnlabel`). A stratified ``holdout_share`` of them is set
aside; on the rest the scores are standardised (empty ones filled with the mean) and an L2-penalised
logistic regression (scikit-learn) is fitted, its penalty chosen by 5-fold cross-validated log loss.
The weight of a measure is its coefficient per score point, negated and clipped at 0 (a measure whose
higher score does not lower churn gets 0), normalised to sum 1; the health score is the weighted mean
of :func:`.score.health_score`. The holdout, never seen by the fit, gets the score's AUC (DeLong) and
the mean churn probability from the score (:func:`.backtest.churn_probability_model`, fitted on the
training part) against the observed rate: the fit's own check of discrimination and calibration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...settings.health import HEALTH_MEASURES, Health
from ...stats.discrimination import binomial_interval, delong_auc
from .backtest import churn_probability, churn_probability_model
from .score import health_score, score_columns

#: penalties (inverse regularisation strength) tried by the cross-validation, on at most PENALTY_SAMPLE customers
PENALTIES: tuple[float, ...] = tuple(float(c) for c in np.logspace(-3, 2, 11))
PENALTY_SAMPLE = 20_000
MIN_CLASS = 10
FIT_COLUMNS: tuple[str, ...] = ("part", "customers", "churned", "churn_rate", "ci_low", "ci_high", "predicted",
                                "auc", "auc_low", "auc_high")


@dataclass(frozen=True)
class WeightFit:
    """The weights, where they come from, the coefficients and the fit's check on its holdout.

    ``source`` is ``fitted`` or why the params weights are used (``params``, ``too_few_churned``,
    ``no_signal``); ``coefficients`` has measure, coefficient (log-odds per standard deviation of the
    score) and weight; ``check`` has one ``training`` and one ``holdout`` row (:data:`FIT_COLUMNS`).
    """

    weights: dict[str, float]
    source: str
    penalty: float
    coefficients: pd.DataFrame
    check: pd.DataFrame


def _params(settings: Health, source: str) -> WeightFit:
    weights = dict(settings.health_weights)
    total = sum(weights.values())
    table = pd.DataFrame({"measure": list(HEALTH_MEASURES), "coefficient": np.nan,
                          "weight": [weights.get(m, 0.0) / total for m in HEALTH_MEASURES]})
    return WeightFit(weights, source, np.nan, table, pd.DataFrame(columns=list(FIT_COLUMNS)))


def _penalty(x: np.ndarray, y: np.ndarray, seed: int) -> float:
    """The penalty with the least 5-fold cross-validated log loss (on a stratified sample of large fits)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

    if len(y) > PENALTY_SAMPLE:
        x, _, y, _ = train_test_split(x, y, train_size=PENALTY_SAMPLE, stratify=y, random_state=seed)

    folds = StratifiedKFold(n_splits=min(5, int(y.sum()), int((~y).sum())), shuffle=True, random_state=seed)
    losses = [cross_val_score(LogisticRegression(C=c, max_iter=2000), x, y, cv=folds, scoring="neg_log_loss").mean()
              for c in PENALTIES]
    return PENALTIES[int(np.argmax(losses))]


def _check_row(part: str, scores: pd.DataFrame, churned: np.ndarray, model, alpha: float) -> dict:
    """Customers, churn and its interval, mean predicted churn and the score's AUC for one part of the fit."""
    auc = delong_auc(-scores["health_score"].to_numpy(dtype="float64"), churned, alpha)
    low, high = binomial_interval(int(churned.sum()), len(churned), alpha)
    return {"part": part, "customers": len(churned), "churned": int(churned.sum()), "churn_rate": churned.mean(),
            "ci_low": float(low), "ci_high": float(high),
            "predicted": float(np.nanmean(churn_probability(model, scores["health_score"]))),
            "auc": auc.auc, "auc_low": auc.ci_low, "auc_high": auc.ci_high}


def fit_weights(measures: pd.DataFrame, outcome: pd.DataFrame, settings: Health, seed: int = 0) -> WeightFit:
    """Weights from the churn ``outcome`` (customer_id, churned) of the customers in ``measures``.

    Falls back to the params weights with ``weights: params``, with fewer than 10 churned or retained
    customers in the training part, or when no measure lowers churn.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    if settings.weights == "params":
        return _params(settings, "params")
    frame = measures.merge(outcome, on="customer_id")
    columns = [c for c in score_columns() if frame[c].notna().any()]
    y = frame["churned"].to_numpy(dtype=bool)
    if not columns or min(y.sum(), (~y).sum()) * (1 - settings.holdout_share) < MIN_CLASS:
        return _params(settings, "too_few_churned")
    train, holdout = train_test_split(np.arange(len(frame)), test_size=settings.holdout_share, stratify=y,
                                      random_state=seed)
    x = frame[columns].astype("float64")
    mean, sd = x.iloc[train].mean(), x.iloc[train].std().replace(0, 1.0).fillna(1.0)
    z = ((x.fillna(mean) - mean) / sd).to_numpy()
    penalty = _penalty(z[train], y[train], seed)
    model = LogisticRegression(C=penalty, max_iter=5000, tol=1e-8).fit(z[train], y[train])
    raw = np.clip(-model.coef_[0] / sd.to_numpy(), 0, None)
    if raw.sum() <= 0:
        return _params(settings, "no_signal")
    weights = {m: 0.0 for m in HEALTH_MEASURES}
    weights.update({c.removeprefix("score_"): float(w / raw.sum()) for c, w in zip(columns, raw, strict=True)})
    coefficient = dict(zip((c.removeprefix("score_") for c in columns), model.coef_[0], strict=True))
    table = pd.DataFrame({"measure": list(HEALTH_MEASURES),
                          "coefficient": [coefficient.get(m, np.nan) for m in HEALTH_MEASURES],
                          "weight": [weights[m] for m in HEALTH_MEASURES]})
    scores = health_score(frame, weights, settings)
    parts = {"training": train, "holdout": holdout}
    probability = churn_probability_model(scores.iloc[train], frame.iloc[train][["customer_id", "churned"]])
    check = pd.DataFrame([_check_row(name, scores.iloc[rows], y[rows], probability, settings.alpha)
                          for name, rows in parts.items()], columns=list(FIT_COLUMNS))
    return WeightFit(weights, "fitted", penalty, table, check)


def weights_table(fit: WeightFit, params_weights: dict[str, float]) -> pd.DataFrame:
    """Per measure: the coefficient, the weight used and the params weight (normalised)."""
    total = sum(params_weights.values())
    return fit.coefficients.assign(params_weight=[params_weights.get(m, 0.0) / total for m in HEALTH_MEASURES])
