"""Activity over time: monthly revenue, orders, active and new customers; recency as of a date."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from ...ingest.dataset import Dataset
from ...measures.relations import per_customer_of, register_table

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


def recency(data: Dataset, as_of: date) -> pd.DataFrame:
    """Days from each customer's last transaction and last interaction to ``as_of`` (NaN: never).

    Only events up to the end of ``as_of`` count; customers signed up after ``as_of`` are left out.
    """
    cutoff = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    customers = data.tables["customers"]
    customers = customers[customers["signup_date"].isna() | (customers["signup_date"] < cutoff)]
    frame = customers[["customer_id", "customer_type"]].set_index("customer_id")
    sources = {"days_since_transaction": ("transactions", "transaction_date"),
               "days_since_interaction": ("interactions", "interaction_time")}
    for column, (table, when) in sources.items():
        if not data.has(table):
            frame[column] = np.nan
            continue
        latest = per_customer_of(frame.index.to_series(), data, table, {"latest": f"MAX({when})"},
                                 f"{when} < TIMESTAMP '{cutoff}'")["latest"]
        days = (pd.Timestamp(as_of) - latest.astype("datetime64[ns]").dt.normalize()).dt.days
        frame[column] = days.astype("float64").to_numpy()
    return frame.reset_index()


def recency_bands(days: pd.Series, bins: tuple[int, ...] = RECENCY_BINS) -> pd.DataFrame:
    """Customers per band of days since the last event ('0-30', ..., '730+', 'never')."""
    edges = [*bins, np.inf]
    names = [f"{low}-{high}" if np.isfinite(high) else f"{low}+" for low, high in zip(edges[:-1], edges[1:],
                                                                                      strict=True)]
    bands = pd.cut(days, edges, right=False, labels=names).astype("str").where(days.notna(), "never")
    counts = bands.value_counts().reindex([*names, "never"], fill_value=0)
    return pd.DataFrame({"band": counts.index, "customers": counts.to_numpy(),
                         "share": counts.to_numpy() / max(len(days), 1)})
