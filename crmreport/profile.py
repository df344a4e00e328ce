"""Customer profiling: the data-quality summary and the customer information table (template 1)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .aggregate import summarize_transactions
from .contract import TABLES
from .dataset import Dataset

PROFILE_COLUMNS: tuple[str, ...] = (
    "customer_id", "name", "industry", "size_tier", "cooperation_months", "cumulative_amount",
    "last_transaction_date", "last_interaction_date", "satisfaction", "complaint_count", "key_contact", "need_tags",
)


def row_accounting(data: Dataset) -> pd.DataFrame:
    """Rows read, duplicates removed, quarantined and kept per table, with the quarantine reasons."""
    frame = data.accounting_frame()
    frame["quarantine_reasons"] = [
        "; ".join(f"{reason} ({n})" for reason, n in data.accounting[name].reasons.items()) or "–"
        for name in frame["table"]
    ]
    return frame


def quality_summary(data: Dataset, period_end: date) -> pd.DataFrame:
    """One row per table: kept rows, completeness of contract columns, latest record and its lag.

    ``completeness`` is the share of non-empty cells over the table's contract columns;
    ``days_behind`` is how many days the latest record lies before the period end (freshness).
    """
    rows = []
    for name, frame in data.tables.items():
        spec = TABLES[name]
        columns = spec.column_names
        dates = [c.name for c in spec.columns if c.kind in ("date", "datetime") and not c.future_ok]
        latest = max((frame[c].max() for c in dates if frame[c].notna().any()), default=pd.NaT)
        account = data.accounting[name]
        rows.append({
            "table": name,
            "kept": len(frame),
            "completeness": float(frame[columns].notna().to_numpy().mean()) if len(frame) else np.nan,
            "quarantined": account.quarantined,
            "duplicates_removed": account.duplicates_removed,
            "latest_record": latest,
            "days_behind": (pd.Timestamp(period_end) - latest.normalize()).days if pd.notna(latest) else np.nan,
        })
    return pd.DataFrame(rows)


def contact_flags(data: Dataset) -> pd.DataFrame:
    """Customers with an invalid phone or e-mail (flagged by the loader, kept in the data)."""
    customers = data.tables["customers"]
    return pd.DataFrame({
        "check": ["invalid_phone", "invalid_email", "missing_account_manager"],
        "customers": [int((customers["phone_valid"] == False).sum()),  # noqa: E712
                      int((customers["email_valid"] == False).sum()),  # noqa: E712
                      int(customers["account_manager"].isna().sum())],
    }).assign(share=lambda f: f["customers"] / max(len(customers), 1))


def customer_profile(data: Dataset, as_of: date) -> pd.DataFrame:
    """Template 1, the customer information analysis table: one row per customer as of ``as_of``.

    cooperation_months = whole months from signup (or first transaction) to ``as_of``;
    cumulative_amount = net amount of all transactions up to ``as_of``; satisfaction = mean CSAT
    of the customer's survey answers; complaint_count = complaint interactions plus tickets.
    """
    customers = data.tables["customers"]
    cutoff = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    summary = summarize_transactions(data.tables["transactions"], as_of).set_index("customer_id")
    profile = customers.set_index("customer_id")[["name", "industry", "size_tier", "contact_name", "need_tags",
                                                  "signup_date"]]
    start = profile["signup_date"].fillna(summary["first_transaction"].reindex(profile.index))
    months = (pd.Timestamp(as_of).year - start.dt.year) * 12 + (pd.Timestamp(as_of).month - start.dt.month)
    profile = profile.assign(
        cooperation_months=months.clip(lower=0).astype("Int64"),
        cumulative_amount=summary["total_amount"].reindex(profile.index).fillna(0.0),
        last_transaction_date=summary["last_transaction"].reindex(profile.index),
        last_interaction_date=_latest(data, "interactions", "interaction_time", cutoff, profile.index),
        satisfaction=_mean_csat(data, cutoff, profile.index),
        complaint_count=_complaints(data, cutoff, profile.index),
        key_contact=profile["contact_name"],
    )
    return profile.reset_index()[list(PROFILE_COLUMNS)].sort_values(
        "cumulative_amount", ascending=False, kind="stable").reset_index(drop=True)


def _latest(data: Dataset, table: str, column: str, cutoff: pd.Timestamp, index: pd.Index) -> pd.Series:
    if not data.has(table):
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    frame = data.tables[table]
    return frame[frame[column] < cutoff].groupby("customer_id")[column].max().reindex(index)


def _mean_csat(data: Dataset, cutoff: pd.Timestamp, index: pd.Index) -> pd.Series:
    if not data.has("surveys"):
        return pd.Series(np.nan, index=index)
    surveys = data.tables["surveys"]
    answered = surveys[surveys["response_time"] < cutoff]
    return answered.groupby("customer_id")["csat"].mean().astype("float64").reindex(index)


def _complaints(data: Dataset, cutoff: pd.Timestamp, index: pd.Index) -> pd.Series:
    counts = pd.Series(0, index=index, dtype="int64")
    if data.has("interactions"):
        frame = data.tables["interactions"]
        complaints = frame[(frame["interaction_type"] == "complaint") & (frame["interaction_time"] < cutoff)]
        counts = counts.add(complaints.groupby("customer_id").size(), fill_value=0)
    if data.has("tickets"):
        frame = data.tables["tickets"]
        counts = counts.add(frame[frame["opened_at"] < cutoff].groupby("customer_id").size(), fill_value=0)
    return counts.reindex(index).fillna(0).astype("int64")


def monthly_activity(data: Dataset, end: date, months: int = 24) -> pd.DataFrame:
    """Revenue, orders and active customers per calendar month for the ``months`` months up to ``end``."""
    transactions = data.tables["transactions"]
    last = pd.Period(end, "M")
    first = last - (months - 1)
    month = transactions["transaction_date"].dt.to_period("M")
    inside = transactions[(month >= first) & (month <= last)].assign(month=month)
    grouped = inside.groupby("month").agg(revenue=("amount", "sum"), orders=("amount", "size"),
                                          active_customers=("customer_id", "nunique"))
    grouped = grouped.reindex(pd.period_range(first, last, freq="M"), fill_value=0)
    grouped.index.name = "month"
    return grouped.reset_index().assign(month=lambda f: f["month"].dt.to_timestamp())


def top_share(amounts: pd.Series, share: float) -> float:
    """Share of the positive total held by the top ``share`` of customers (0.2 -> top 20%)."""
    values = amounts.clip(lower=0).sort_values(ascending=False).to_numpy()
    if len(values) == 0 or values.sum() == 0:
        return float("nan")
    top = max(int(np.ceil(len(values) * share)), 1)
    return float(values[:top].sum() / values.sum())


def latest_month_summary(monthly: pd.DataFrame) -> dict[str, object]:
    """The last month of ``monthly_activity`` and its revenue change on the same month a year before
    (``change`` is None when that month had no revenue)."""
    last = monthly.iloc[-1]
    year_before = monthly[monthly["month"] == last["month"] - pd.DateOffset(years=1)]
    base = float(year_before["revenue"].iloc[0]) if len(year_before) else float("nan")
    return {"month": last["month"].strftime("%Y-%m"), "active": int(last["active_customers"]),
            "orders": int(last["orders"]), "revenue": float(last["revenue"]),
            "change": float(last["revenue"] / base - 1) if base > 0 else None}


def positive_amounts_by_type(profile: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Customers with a positive cumulative amount, with their type (the data of the log-scale histogram)."""
    amounts = profile.merge(customers[["customer_id", "customer_type"]], on="customer_id")
    return amounts.loc[amounts["cumulative_amount"] > 0,
                       ["customer_id", "customer_type", "cumulative_amount"]].reset_index(drop=True)


def median_amounts(amounts: pd.DataFrame) -> dict[str, float]:
    """Median cumulative amount per customer type (NaN for a type without customers)."""
    medians = amounts.groupby("customer_type")["cumulative_amount"].median()
    return {kind: float(medians.get(kind, float("nan"))) for kind in ("B2B", "B2C")}
