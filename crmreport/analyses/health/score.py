"""Customer health score: weighted 0-100 measure scores, bands, trend arrow, missing flag, churn outcome.

Measure scores (0-100, higher = healthier; docs/health.md), as of ``as_of``:

- recency: ``100 * 0.5 ** (days since the last order / recency_half_life_days)`` (0 without orders);
- spend_trend: the arc growth of spend (:mod:`crmreport.measures.features`, -2..2) mapped to 0-100;
- rqi and emotional_account: as computed (:mod:`.rqi`, :mod:`.emotional`);
- complaints: ``100 * 0.5 ** complaints`` in the 6 months ending ``as_of`` (needs interactions or tickets);
- sla_breaches: ``100 * 0.5 ** breaches``: tickets opened in the lookback whose first response or resolution
  missed notebook 05's service level (:func:`sla_breaches`; needs tickets);
- outreach_response: share of outbound contacts in the last 180 days answered, x 100 (needs interactions).

The health score is the weighted mean of the measures a customer has (weights renormalised, fitted by
:mod:`.weights_model`); fewer than ``min_measures`` measures set ``few_measures``.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ...ingest.dataset import Dataset
from ...measures.features import contact_features, transaction_features
from ...measures.slaclock import breaches_per_customer
from ...settings.execution import ExecutionParams
from ...settings.health import HEALTH_MEASURES, Health
from ...settings.period import Window
from .rqi import signed_customers, weighted_mean

BANDS: tuple[str, ...] = ("red", "yellow", "green")


def sla_breaches(data: Dataset, as_of: date, lookback_days: int, service: ExecutionParams) -> pd.Series:
    """Tickets per customer opened in the ``lookback_days`` ending ``as_of`` that breached a service level by
    the end of ``as_of``: the first response or the resolution later than its limit, or still missing past it.

    The rules and the clock are notebook 05's (:func:`crmreport.measures.slaclock.ticket_outcomes`: first
    response within ``execution.first_response_limit_hours`` of the priority, resolution within
    ``execution.resolution_hours``); answers given after ``as_of`` are not known yet, so a ticket still open
    then is breached only once its limit has passed.
    """
    window = Window.trailing(as_of, lookback_days)
    return breaches_per_customer(data, window, pd.Timestamp(window.stop), service)


def measure_scores(data: Dataset, as_of: date, settings: Health, service: ExecutionParams,
                   rqi: pd.DataFrame, emotional: pd.DataFrame) -> pd.DataFrame:
    """Per customer signed up by ``as_of``: the raw measures and their 0-100 scores (``score_<measure>``)."""
    frame = signed_customers(data, as_of)[["customer_id"]]
    spend = transaction_features(data.tables["transactions"], as_of, engine=data.engine)[
        ["customer_id", "recency_days", "trend"]]
    frame = frame.merge(spend, on="customer_id", how="left")
    frame = frame.merge(rqi[["customer_id", "rqi"]], on="customer_id", how="left")
    frame = frame.merge(emotional[["customer_id", "emotional_account"]], on="customer_id", how="left")
    contact = data.has("interactions") or data.has("tickets")
    if contact:
        frame = frame.merge(contact_features(data, as_of)[["customer_id", "complaints_6m", "response_rate"]],
                            on="customer_id", how="left")
        frame["complaints_6m"] = frame["complaints_6m"].fillna(0)
    else:
        frame["complaints_6m"], frame["response_rate"] = np.nan, np.nan
    if data.has("tickets"):
        breaches = sla_breaches(data, as_of, settings.lookback_days, service)
        frame["sla_breaches"] = frame["customer_id"].map(breaches).fillna(0).astype("float64")
    else:
        frame["sla_breaches"] = np.nan
    recency = np.power(0.5, frame["recency_days"].astype("float64") / settings.recency_half_life_days)
    frame["score_recency"] = (100 * recency).fillna(0.0)
    frame["score_spend_trend"] = 25 * (frame["trend"].astype("float64").fillna(0.0) + 2)
    frame["score_rqi"] = frame["rqi"]
    frame["score_emotional_account"] = frame["emotional_account"]
    frame["score_complaints"] = 100 * np.power(0.5, frame["complaints_6m"].astype("float64"))
    frame["score_sla_breaches"] = 100 * np.power(0.5, frame["sla_breaches"].astype("float64"))
    frame["score_outreach_response"] = 100 * frame["response_rate"].astype("float64")
    return frame


def score_columns() -> list[str]:
    return [f"score_{m}" for m in HEALTH_MEASURES]


def health_score(measures: pd.DataFrame, weights: dict[str, float], settings: Health) -> pd.DataFrame:
    """customer_id, health_score (0-100), health_band, measures (count) and few_measures per customer."""
    scores = measures[score_columns()].rename(columns=lambda c: c.removeprefix("score_"))
    present = scores.notna()
    used = present[[m for m, w in weights.items() if w > 0]].sum(axis=1)
    result = measures[["customer_id"]].copy()
    result["health_score"] = weighted_mean(scores, weights)
    result["health_band"] = band(result["health_score"], settings.band_cuts)
    result["measures"] = used.astype("int64").to_numpy()
    result["few_measures"] = (used < settings.min_measures).to_numpy()
    return result


def band(score: pd.Series, cuts: tuple[float, float]) -> pd.Series:
    """red below ``cuts[0]``, green from ``cuts[1]``, yellow between; empty scores stay empty."""
    values = score.to_numpy(dtype="float64")
    named = np.where(values < cuts[0], "red", np.where(values >= cuts[1], "green", "yellow"))
    return pd.Series(np.where(np.isnan(values), None, named), index=score.index, dtype="object")


def trend(current: pd.DataFrame, previous: pd.DataFrame, step: float) -> pd.Series:
    """Arrow per customer of ``current``: up / down (a change of at least ``step`` points), flat, or new."""
    before = current["customer_id"].map(previous.set_index("customer_id")["health_score"])
    change = current["health_score"] - before
    arrow = np.where(change >= step, "up", np.where(change <= -step, "down", "flat"))
    return pd.Series(np.where(before.isna() | current["health_score"].isna(), "new", arrow), index=current.index)
