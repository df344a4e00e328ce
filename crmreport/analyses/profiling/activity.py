"""Activity over time: monthly revenue, orders, active and new customers; recency as of a date."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from ...ingest.dataset import Dataset
from ...measures.relations import register_table

RECENCY_BINS: tuple[int, ...] = (0, 30, 90, 180, 365, 730)


def monthly_activity(data: Dataset, end: date, months: int = 24) -> pd.DataFrame:
    """Revenue, orders, active customers and new customers per calendar month, ``months`` months up to ``end``.

    ``orders`` counts transactions with a non-negative amount, ``revenue`` is the net amount
    (refunds included), ``active_customers`` those with at least one transaction in the month,
    ``new_customers`` those whose signup date falls in the month.
    """
    last = pd.Period(end, "M")
    first = last - (months - 1)
    grouped = _monthly_transactions(data, first, last)
    signup = data.tables["customers"]["signup_date"].dt.to_period("M")
    grouped["new_customers"] = signup[(signup >= first) & (signup <= last)].value_counts()
    grouped = grouped.reindex(pd.period_range(first, last, freq="M")).fillna(0)
    grouped = grouped.astype({"orders": "int64", "active_customers": "int64", "new_customers": "int64"})
    grouped.index.name = "month"
    return grouped.reset_index().assign(month=lambda f: f["month"].dt.to_timestamp())


def _monthly_transactions(data: Dataset, first: pd.Period, last: pd.Period) -> pd.DataFrame:
    """Revenue, orders and active customers per month ``first``..``last`` (months without rows left out).

    Counts come from DuckDB; revenue is summed by pandas over the rows in table order (only the month and the
    amount leave DuckDB), so it is the very float a pandas sum over the whole frame gives.
    """
    month = "(year(transaction_date) - 1970) * 12 + month(transaction_date) - 1"  # the pandas Period ordinal
    inside = (f"transaction_date >= TIMESTAMP '{first.start_time}' "
              f"AND transaction_date < TIMESTAMP '{(last + 1).start_time}'")
    with duckdb.connect() as connection:
        view = register_table(connection, data, "transactions")
        counts = connection.execute(f"""
            SELECT {month} AS month, COUNT(*) FILTER (WHERE amount >= 0) AS orders,
                   COUNT(DISTINCT customer_id) AS active_customers
            FROM {view} WHERE {inside} GROUP BY 1""").df()
        rows = connection.execute(f"SELECT {month} AS month, amount FROM {view} WHERE {inside}").fetchnumpy()
    revenue = pd.Series(np.asarray(rows["amount"], dtype="float64")).groupby(np.asarray(rows["month"])).sum()
    counts = counts.set_index("month").astype("int64")
    grouped = pd.DataFrame({"revenue": revenue, "orders": counts["orders"],
                            "active_customers": counts["active_customers"]})
    grouped.index = pd.PeriodIndex.from_ordinals(grouped.index.to_numpy(dtype="int64"), freq="M")
    return grouped


def latest_month_summary(monthly: pd.DataFrame) -> dict[str, object]:
    """The last month of :func:`monthly_activity` and its revenue change on the same month a year before
    (``change`` is None when that month had no revenue)."""
    last = monthly.iloc[-1]
    year_before = monthly[monthly["month"] == last["month"] - pd.DateOffset(years=1)]
    base = float(year_before["revenue"].iloc[0]) if len(year_before) else float("nan")
    return {"month": last["month"].strftime("%Y-%m"), "active": int(last["active_customers"]),
            "orders": int(last["orders"]), "revenue": float(last["revenue"]),
            "change": float(last["revenue"] / base - 1) if base > 0 else None}


#: the events whose recency notebook 01 shows, and the column of the customer information table
#: (:func:`crmreport.analyses.profiling.profile.customer_profile`) holding each customer's last one
RECENCY_EVENTS: dict[str, str] = {"days_since_transaction": "last_transaction_date",
                                  "days_since_interaction": "last_interaction_date"}
NEVER = "never"


def recency(data: Dataset, as_of: date, profile: pd.DataFrame) -> pd.DataFrame:
    """Days from each customer's last transaction and last interaction to ``as_of`` (NaN: never).

    The last events are those of ``profile``, the customer information table as of ``as_of``
    (:func:`crmreport.analyses.profiling.profile.customer_profile`), so they are looked up once;
    customers signed up after ``as_of`` are left out.
    """
    cutoff = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    customers = data.tables["customers"]
    customers = customers[customers["signup_date"].isna() | (customers["signup_date"] < cutoff)]
    last = profile.set_index("customer_id").reindex(customers["customer_id"])
    frame = customers[["customer_id", "customer_type"]].reset_index(drop=True)
    for column, when in RECENCY_EVENTS.items():
        latest = last[when].astype("datetime64[ns]").dt.normalize()
        frame[column] = (pd.Timestamp(as_of) - latest).dt.days.astype("float64").to_numpy()
    return frame


def band_names(bins: tuple[int, ...] = RECENCY_BINS) -> list[str]:
    """The names of the bands of ``bins``: '0-30', ..., '730+'."""
    edges = [*bins, np.inf]
    return [f"{low}-{high}" if np.isfinite(high) else f"{low}+" for low, high in zip(edges[:-1], edges[1:],
                                                                                     strict=True)]


def recency_bands(days: pd.Series, bins: tuple[int, ...] = RECENCY_BINS) -> pd.DataFrame:
    """Customers per band of days since the last event ('0-30', ..., '730+', 'never')."""
    names = band_names(bins)
    bands = pd.cut(days, [*bins, np.inf], right=False, labels=names).astype("str").where(days.notna(), NEVER)
    counts = bands.value_counts().reindex([*names, NEVER], fill_value=0)
    return pd.DataFrame({"band": counts.index, "customers": counts.to_numpy(),
                         "share": counts.to_numpy() / max(len(days), 1)})


def recency_table(recency: pd.DataFrame) -> pd.DataFrame:
    """:func:`recency_bands` of every event of :data:`RECENCY_EVENTS`, one after the other; ``event`` names it."""
    return pd.concat([recency_bands(recency[event]).assign(event=event) for event in RECENCY_EVENTS],
                     ignore_index=True)


def quiet_customers(bands: pd.DataFrame, days: int = 90) -> dict[str, float]:
    """From :func:`recency_table`: customers whose last transaction is at least ``days`` old (``quiet``, and
    ``quiet_share`` of all customers) and customers who never bought (``never``)."""
    rows = bands[bands["event"] == "days_since_transaction"].set_index("band")
    quiet = [name for low, name in zip(RECENCY_BINS, band_names(), strict=True) if low >= days]
    return {"quiet": int(rows.loc[quiet, "customers"].sum()), "quiet_share": float(rows.loc[quiet, "share"].sum()),
            "never": int(rows.loc[NEVER, "customers"])}
