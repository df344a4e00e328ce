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

import duckdb
import numpy as np
import pandas as pd

from ...ingest.dataset import Dataset
from ...measures.features import tenure_months
from ...measures.relations import register_table
from ...measures.scores import PURCHASE_SQL
from ...settings.health import Health
from ...settings.period import Window
from ...stats.discrimination import mean_interval

COMPONENTS: tuple[str, ...] = ("trust", "satisfaction", "loyalty")


def signed_customers(data: Dataset, as_of: date) -> pd.DataFrame:
    """Customers signed up by ``as_of`` (an empty signup date counts as signed up), sorted by id."""
    customers = data.tables["customers"]
    keep = customers["signup_date"].isna() | (customers["signup_date"] < pd.Timestamp(as_of + timedelta(days=1)))
    return customers.loc[keep, ["customer_id", "signup_date"]].sort_values("customer_id", ignore_index=True)


def _five_point(values: pd.Series) -> pd.Series:
    return (values.astype("float64") - 1) / 4 * 100


def rqi_components(data: Dataset, as_of: date, settings: Health) -> pd.DataFrame:
    """Per customer signed up by ``as_of``: trust, satisfaction, loyalty (0-100), rqi and rqi_components."""
    window = Window.trailing(as_of, settings.lookback_days)
    frame = signed_customers(data, as_of)
    parts = _lookback_means(data, frame["customer_id"], pd.Timestamp(window.start), pd.Timestamp(window.stop))
    trust, satisfaction = _five_point(parts["trust"]), _five_point(parts["satisfaction"])
    nps = parts["nps"].astype("float64") * 10
    repeat_days = (parts["purchase_days"].astype("float64") - 1).fillna(0)
    repurchase = repeat_days.clip(upper=settings.repeat_full_days) / settings.repeat_full_days * 100
    tenure = (tenure_months(frame["signup_date"], as_of).clip(lower=0, upper=settings.tenure_full_months)
              / settings.tenure_full_months * 100)
    loyalty = pd.concat([nps, repurchase, pd.Series(tenure.to_numpy())], axis=1).mean(axis=1)
    parts = pd.DataFrame({"trust": trust.to_numpy(), "satisfaction": satisfaction.to_numpy(),
                          "loyalty": loyalty.to_numpy()})
    result = pd.concat([frame[["customer_id"]], parts], axis=1)
    result["rqi"] = weighted_mean(parts, settings.rqi_weights)
    result["rqi_components"] = parts.notna().sum(axis=1).astype("int64")
    return result


def _lookback_means(data: Dataset, ids: pd.Series, start: pd.Timestamp, stop: pd.Timestamp) -> pd.DataFrame:
    """Per id of ``ids`` (in order), over ``start <= t < stop``: mean survey trust and NPS, mean satisfaction
    (CSAT answers and ticket ratings pooled) and the number of purchase days (purchases, ``amount > 0``).

    Grouped in DuckDB. The answers are whole numbers, so the means (exact sums divided by counts) are the
    same as pandas' to the last bit.
    """
    answers, selects, joins = [], [], []
    with duckdb.connect() as connection:
        connection.register("ids_frame", pd.DataFrame({"customer_id": ids.to_numpy(dtype=object),
                                                       "pos": np.arange(len(ids))}))
        if data.has("surveys"):
            register_table(connection, data, "surveys")
            joins.append("LEFT JOIN (SELECT customer_id, AVG(trust) AS trust, AVG(nps) AS nps FROM surveys "
                         "WHERE response_time >= $start AND response_time < $stop GROUP BY customer_id) "
                         "AS s USING (customer_id)")
            selects += ["s.trust", "s.nps"]
            answers.append("SELECT customer_id, CAST(csat AS DOUBLE) AS score FROM surveys "
                           "WHERE response_time >= $start AND response_time < $stop")
        else:
            selects += ["CAST(NULL AS DOUBLE) AS trust", "CAST(NULL AS DOUBLE) AS nps"]
        if data.has("tickets"):
            register_table(connection, data, "tickets")
            answers.append("SELECT customer_id, CAST(satisfaction AS DOUBLE) AS score FROM tickets "
                           "WHERE opened_at >= $start AND opened_at < $stop")
        if answers:
            pooled = " UNION ALL ".join(answers)
            joins.append(f"LEFT JOIN (SELECT customer_id, AVG(score) AS satisfaction FROM ({pooled}) "
                         "WHERE score IS NOT NULL GROUP BY customer_id) AS a USING (customer_id)")
            selects.append("a.satisfaction")
        else:
            selects.append("CAST(NULL AS DOUBLE) AS satisfaction")
        register_table(connection, data, "transactions")
        joins.append("LEFT JOIN (SELECT customer_id, COUNT(DISTINCT CAST(transaction_date AS DATE)) AS purchase_days "
                     f"FROM transactions WHERE {PURCHASE_SQL} AND transaction_date >= $start "
                     "AND transaction_date < $stop "
                     "GROUP BY customer_id) AS o USING (customer_id)")
        selects.append("o.purchase_days")
        sql = f"SELECT {', '.join(selects)} FROM ids_frame {' '.join(joins)} ORDER BY ids_frame.pos"
        frame = connection.execute(sql, {"start": start.to_pydatetime(), "stop": stop.to_pydatetime()}).df()
    return frame.astype({"trust": "float64", "nps": "float64", "satisfaction": "float64",
                         "purchase_days": "float64"})


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
