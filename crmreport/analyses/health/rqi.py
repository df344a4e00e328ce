"""Relationship Quality Index: RQI = 30% trust + 30% satisfaction + 40% loyalty (weights in params).

Each component is on 0-100 over the ``lookback_days`` ending ``as_of`` (docs/health.md):

- trust: mean survey ``trust`` (1-5) mapped linearly, 1 -> 0 and 5 -> 100;
- satisfaction: mean of all CSAT answers (surveys) and ticket satisfaction ratings (1-5), pooled, mapped the same way;
- loyalty: mean of the parts a customer has: NPS (mean answer x 10), repurchase (repeat purchase days in the
  lookback, capped at ``repeat_full_days``, as a share of it) and tenure (months, capped at ``tenure_full_months``).

A missing component is left out and the weights of the others renormalised; ``rqi_components``
counts the components behind each customer's RQI (0 = no RQI).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from ...ingest.dataset import Dataset
from ...measures.features import tenure_months
from ...settings.health import Health
from ...stats.discrimination import mean_interval

COMPONENTS: tuple[str, ...] = ("trust", "satisfaction", "loyalty")


def signed_customers(data: Dataset, as_of: date) -> pd.DataFrame:
    """Customers signed up by ``as_of`` (an empty signup date counts as signed up), sorted by id."""
    customers = data.tables["customers"]
    keep = customers["signup_date"].isna() | (customers["signup_date"] < pd.Timestamp(as_of + timedelta(days=1)))
    return customers.loc[keep, ["customer_id", "signup_date"]].sort_values("customer_id", ignore_index=True)


def _between(frame: pd.DataFrame, column: str, start: date, as_of: date) -> pd.DataFrame:
    return frame[(frame[column] >= pd.Timestamp(start)) & (frame[column] < pd.Timestamp(as_of + timedelta(days=1)))]


def _five_point(values: pd.Series) -> pd.Series:
    return (values.astype("float64") - 1) / 4 * 100


def rqi_components(data: Dataset, as_of: date, settings: Health) -> pd.DataFrame:
    """Per customer signed up by ``as_of``: trust, satisfaction, loyalty (0-100), rqi and rqi_components."""
    start = as_of - timedelta(days=settings.lookback_days - 1)
    frame = signed_customers(data, as_of)
    ids = frame["customer_id"]
    trust = pd.Series(np.nan, index=ids)
    satisfaction_answers = []
    nps = pd.Series(np.nan, index=ids)
    if data.has("surveys"):
        surveys = _between(data.tables["surveys"], "response_time", start, as_of)
        trust = _five_point(surveys.groupby("customer_id")["trust"].mean()).reindex(ids)
        nps = (surveys.groupby("customer_id")["nps"].mean().astype("float64") * 10).reindex(ids)
        satisfaction_answers.append(surveys[["customer_id", "csat"]].rename(columns={"csat": "score"}))
    if data.has("tickets"):
        tickets = _between(data.tables["tickets"], "opened_at", start, as_of)
        satisfaction_answers.append(tickets[["customer_id", "satisfaction"]].rename(columns={"satisfaction": "score"}))
    satisfaction = pd.Series(np.nan, index=ids)
    if satisfaction_answers:
        answers = pd.concat(satisfaction_answers).dropna(subset=["score"])
        satisfaction = _five_point(answers.groupby("customer_id")["score"].mean()).reindex(ids)
    orders = _between(data.tables["transactions"], "transaction_date", start, as_of)
    orders = orders[orders["amount"] >= 0]
    repeat_days = (orders.assign(day=orders["transaction_date"].dt.normalize()).groupby("customer_id")["day"]
                   .nunique().sub(1).reindex(ids).fillna(0))
    repurchase = repeat_days.clip(upper=settings.repeat_full_days) / settings.repeat_full_days * 100
    tenure = (tenure_months(frame["signup_date"], as_of).clip(lower=0, upper=settings.tenure_full_months)
              / settings.tenure_full_months * 100)
    loyalty = pd.concat([nps, repurchase, pd.Series(tenure.to_numpy(), index=ids)], axis=1).mean(axis=1)
    parts = pd.DataFrame({"trust": trust.to_numpy(), "satisfaction": satisfaction.to_numpy(),
                          "loyalty": loyalty.to_numpy()})
    result = pd.concat([frame[["customer_id"]], parts], axis=1)
    result["rqi"] = weighted_mean(parts, settings.rqi_weights)
    result["rqi_components"] = parts.notna().sum(axis=1).astype("int64")
    return result


def weighted_mean(scores: pd.DataFrame, weights: dict[str, float]) -> np.ndarray:
    """Row-wise weighted mean over the columns named in ``weights``, renormalised over the non-empty ones."""
    columns = [c for c in weights if c in scores.columns]
    values = scores[columns].to_numpy(dtype="float64")
    w = np.array([weights[c] for c in columns], dtype="float64")
    present = np.isfinite(values)
    total = (present * w).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.nansum(values * w, axis=1) / total, np.nan)


def rqi_by_segment(health: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Per segment: customers, customers with an RQI, mean RQI with a t interval, mean components."""
    rows = []
    for segment, group in health.groupby("segment", sort=False):
        mean, low, high = mean_interval(group["rqi"].to_numpy(), alpha)
        rows.append({"segment": segment, "customers": len(group), "with_rqi": int(group["rqi"].notna().sum()),
                     "rqi": mean, "ci_low": low, "ci_high": high,
                     **{c: group[c].mean() for c in COMPONENTS if c in group}})
    return pd.DataFrame(rows).sort_values("rqi", ascending=False, ignore_index=True)


def component_counts(rqi: pd.DataFrame) -> pd.DataFrame:
    """How many customers had 0, 1, 2 or 3 components behind their RQI, and which ones were present."""
    counts = rqi["rqi_components"].value_counts().reindex(range(len(COMPONENTS) + 1), fill_value=0)
    return pd.DataFrame({"components": counts.index, "customers": counts.to_numpy(),
                         "share": counts.to_numpy() / max(len(rqi), 1)})
