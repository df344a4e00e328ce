"""The emotional account: +1 per satisfying event, -3 per dissatisfying one, decayed, scaled to 0-100.

Events up to ``as_of`` (docs/health.md):

- an interaction with ``sentiment`` +1 is satisfying; one with sentiment -1 or of type ``complaint`` is dissatisfying;
- a survey answer is satisfying with CSAT 4-5 (NPS 9-10 when CSAT is empty), dissatisfying with CSAT 1-2 (NPS 0-6);
- a ticket rated 4-5 is satisfying, 1-2 dissatisfying; without an interactions table a ticket of category
  ``complaint`` is a dissatisfying event too.

An event ``d`` days before ``as_of`` weighs ``0.5 ** (d / half_life_days)``. The balance
``B = sum(weight x points)`` becomes ``100 / (1 + exp(-B / emotional_scale))``: 50 with no net
feeling, 80 at ``B = 1.39 x scale``. Customers without any event have no account (empty).
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from ...ingest.dataset import Dataset
from ...measures.relations import register_table
from ...measures.scores import CSAT_TOP2_MIN, DETRACTOR_MAX, PROMOTER_MIN
from ...settings.health import Health
from ...stats.discrimination import binomial_interval

EVENT_TABLES: tuple[str, ...] = ("interactions", "surveys", "tickets")
CLAIM_COLUMNS: tuple[str, ...] = ("threshold", "customers", "churned", "churn_rate", "ci_low", "ci_high",
                                  "claim_holds")


def emotional_events(data: Dataset, as_of: date) -> pd.DataFrame:
    """Every satisfying (+1) or dissatisfying (-1) event up to ``as_of``: customer_id, time, sign, source."""
    end = pd.Timestamp(as_of + timedelta(days=1))
    parts = []
    if data.has("interactions"):
        frame = interaction_events(data, end)
        parts.append(pd.DataFrame({"customer_id": frame["customer_id"], "time": frame["time"],
                                   "sign": frame["sign"].to_numpy(dtype="int64"), "source": "interactions"}))
    if data.has("surveys"):
        frame = data.tables["surveys"]
        frame = frame[frame["response_time"] < end]
        csat, nps = frame["csat"].astype("float64"), frame["nps"].astype("float64")
        positive = np.where(csat.notna(), csat >= CSAT_TOP2_MIN, nps >= PROMOTER_MIN)
        negative = np.where(csat.notna(), csat <= 2, nps <= DETRACTOR_MAX) & (csat.notna() | nps.notna())
        parts.append(pd.DataFrame({"customer_id": frame["customer_id"], "time": frame["response_time"],
                                   "sign": np.where(negative, -1, np.where(positive, 1, 0)), "source": "surveys"}))
    if data.has("tickets"):
        frame = data.tables["tickets"]
        frame = frame[frame["opened_at"] < end]
        rating = frame["satisfaction"].astype("float64")
        negative = (rating <= 2).to_numpy().copy()
        if not data.has("interactions"):
            negative |= (frame["category"] == "complaint").fillna(False).to_numpy()
        sign = np.where(negative, -1, np.where((rating >= 4).to_numpy(), 1, 0))
        parts.append(pd.DataFrame({"customer_id": frame["customer_id"], "time": frame["opened_at"], "sign": sign,
                                   "source": "tickets"}))
    if not parts:
        return pd.DataFrame(columns=["customer_id", "time", "sign", "source"])
    events = pd.concat(parts, ignore_index=True)
    return events[events["sign"] != 0].reset_index(drop=True)


def interaction_events(data: Dataset, end: pd.Timestamp) -> pd.DataFrame:
    """The satisfying (+1) and dissatisfying (-1) interactions before ``end``, in table order (DuckDB).

    Sentiment -1 or type ``complaint`` is dissatisfying, else sentiment +1 satisfying; other rows are
    left out in the query, so the table itself is never copied into pandas.
    """
    sql = """
        SELECT customer_id, interaction_time AS time, sign FROM (
            SELECT customer_id, interaction_time,
                   CASE WHEN sentiment = -1 OR interaction_type = 'complaint' THEN -1
                        WHEN sentiment = 1 THEN 1 ELSE 0 END AS sign
            FROM interactions WHERE interaction_time < $end)
        WHERE sign <> 0
    """
    with duckdb.connect() as connection:
        register_table(connection, data, "interactions")
        frame = connection.execute(sql, {"end": end.to_pydatetime()}).df()
    return frame.astype({"time": "datetime64[ns]"})


def emotional_account(data: Dataset, as_of: date, settings: Health) -> pd.DataFrame:
    """Per customer with an event: satisfying, dissatisfying (counts), balance (decayed points), emotional_account."""
    events = emotional_events(data, as_of)
    age = (pd.Timestamp(as_of + timedelta(days=1)) - pd.to_datetime(events["time"])).dt.total_seconds() / 86400
    weight = np.power(0.5, age.to_numpy(dtype="float64") / settings.half_life_days)
    points = np.where(events["sign"] > 0, settings.positive_weight, settings.negative_weight) * weight
    frame = pd.DataFrame({"customer_id": events["customer_id"].astype("str"), "satisfying": events["sign"] > 0,
                          "dissatisfying": events["sign"] < 0, "balance": points})
    account = frame.groupby("customer_id", as_index=False).agg(
        satisfying=("satisfying", "sum"), dissatisfying=("dissatisfying", "sum"), balance=("balance", "sum"))
    account["emotional_account"] = scale_balance(account["balance"].to_numpy(), settings.emotional_scale)
    return account.astype({"satisfying": "int64", "dissatisfying": "int64"})


def scale_balance(balance: np.ndarray, scale: float) -> np.ndarray:
    """The documented 0-100 mapping of a decayed balance: ``100 / (1 + exp(-balance / scale))``."""
    return 100.0 / (1.0 + np.exp(-np.asarray(balance, dtype="float64") / scale))


def claim_test(scores: pd.Series, churned: pd.Series, settings: Health) -> pd.DataFrame:
    """The material's claim: accounts at or above ``claim_threshold`` churn at less than ``claim_churn``.

    ``scores`` and ``churned`` are aligned per customer at risk (scored at the baseline end, churn in
    the period). ``claim_holds`` is ``yes`` when the whole exact interval lies below the claimed
    rate, ``no`` when it lies at or above it, ``undecided`` otherwise or without customers.
    """
    high = scores.to_numpy(dtype="float64") >= settings.claim_threshold
    n = int(high.sum())
    k = int(churned.to_numpy(dtype="bool")[high].sum())
    low, up = binomial_interval(k, n, settings.alpha)
    low, up = float(low), float(up)
    holds = "undecided" if n == 0 else "yes" if up < settings.claim_churn else "no" if low >= settings.claim_churn \
        else "undecided"
    return pd.DataFrame([{"threshold": settings.claim_threshold, "customers": n, "churned": k,
                          "churn_rate": k / n if n else np.nan, "ci_low": low, "ci_high": up, "claim_holds": holds}],
                        columns=list(CLAIM_COLUMNS))


def churn_by_band(scores: pd.Series, churned: pd.Series, alpha: float = 0.05,
                  edges: tuple[float, ...] = (0, 20, 40, 60, 80, 100.001)) -> pd.DataFrame:
    """Churn rate with its exact interval per emotional-account band (0-20, ..., 80-100)."""
    frame = pd.DataFrame({"score": scores.to_numpy(dtype="float64"), "churned": churned.to_numpy(dtype="bool")})
    frame = frame.dropna(subset=["score"])
    frame["band"] = pd.cut(frame["score"], list(edges), right=False,
                           labels=[f"{a:.0f}-{min(b, 100):.0f}" for a, b in zip(edges[:-1], edges[1:], strict=True)])
    table = frame.groupby("band", observed=False).agg(customers=("churned", "size"), churned=("churned", "sum"))
    table = table.reset_index().astype({"band": "str", "customers": "int64", "churned": "int64"})
    with np.errstate(invalid="ignore", divide="ignore"):
        table["churn_rate"] = table["churned"] / table["customers"].replace(0, np.nan)
    table["ci_low"], table["ci_high"] = binomial_interval(table["churned"], table["customers"], alpha)
    return table
