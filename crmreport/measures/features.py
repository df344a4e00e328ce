"""Per-customer features as of a date, the input of segmentation.

Transaction features are one SQL statement (:func:`transaction_features_sql`) that runs in DuckDB
over the prepared frame or inside the source database (PostgreSQL, a DuckDB file): the grouping
never happens row by row in Python. Interaction and ticket features are a second statement over
those tables. Definitions (``as_of`` is the last day counted, inclusive):

- ``recency_days``: ``as_of`` - date of the last order (amount >= 0); empty for customers who never ordered.
- ``frequency``: orders in the trailing 12 months (the 365 days ending ``as_of``).
- ``monetary``: mean order amount in the trailing 12 months; empty without orders there.
- ``annual_amount``: net amount (refunds included) in the trailing 12 months; 0 without transactions.
- ``trend``: arc growth of net spend in the last 3 calendar months vs the 3 before (``trend_months``),
  ``(recent - prior) / ((|recent| + |prior|) / 2)``, in [-2, 2]: +2 when spend starts from nothing,
  -2 when it stops, 0 when both are 0, about the relative growth for small changes.
- ``tenure_months``: whole months from ``signup_date`` to ``as_of``.
- ``complaints_6m``: complaints in the 6 months ending ``as_of``: interactions of type complaint when the
  interactions table exists, else tickets of category complaint (the rule of :mod:`crmreport.analyses.profiling.voice`).
- ``response_rate``: share of outbound interactions in the response window that were responded to;
  empty without outbound contacts.
- ``interaction_gap_days``: ``as_of`` - date of the last interaction (any direction); empty without any.
- ``enquiries_3m``: inbound consultations in the last 3 months (a new-demand signal for potential).
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd

from ..ingest.dataset import Dataset
from .relations import register_table

FEATURE_COLUMNS: tuple[str, ...] = (
    "customer_id", "recency_days", "frequency", "monetary", "annual_amount", "trend", "tenure_months",
    "complaints_6m", "response_rate", "interaction_gap_days", "enquiries_3m",
)
TRANSACTION_FEATURES: tuple[str, ...] = (
    "customer_id", "recency_days", "frequency", "monetary", "annual_amount", "spend_recent_3m", "spend_prior_3m",
    "trend",
)


def months_before(day: date, months: int) -> date:
    """The day ``months`` calendar months before ``day`` (2025-10-01, 3 -> 2025-07-01)."""
    return (pd.Timestamp(day) - pd.DateOffset(months=months)).date()


def transaction_features_sql(relation: str, as_of: date, trend_months: int = 3) -> str:
    """Portable SQL (DuckDB, PostgreSQL) for the transaction features of every customer with transactions.

    ``trend_months`` is the length of each of the two windows compared by ``trend``.
    """
    end = as_of + timedelta(days=1)
    year = as_of - timedelta(days=364)
    recent, prior = months_before(end, trend_months), months_before(end, 2 * trend_months)
    return f"""
        WITH spend AS (
            SELECT customer_id,
                   DATE '{as_of}' - CAST(MAX(CASE WHEN amount >= 0 THEN transaction_date END) AS DATE) AS recency_days,
                   SUM(CASE WHEN transaction_date >= DATE '{year}' AND amount >= 0 THEN 1 ELSE 0 END) AS frequency,
                   AVG(CASE WHEN transaction_date >= DATE '{year}' AND amount >= 0 THEN amount END) AS monetary,
                   SUM(CASE WHEN transaction_date >= DATE '{year}' THEN amount ELSE 0 END) AS annual_amount,
                   SUM(CASE WHEN transaction_date >= DATE '{recent}' THEN amount ELSE 0 END) AS spend_recent_3m,
                   SUM(CASE WHEN transaction_date >= DATE '{prior}' AND transaction_date < DATE '{recent}'
                            THEN amount ELSE 0 END) AS spend_prior_3m
            FROM {relation}
            WHERE transaction_date < DATE '{end}'
            GROUP BY customer_id
        )
        SELECT *,
               CASE WHEN ABS(spend_recent_3m) + ABS(spend_prior_3m) = 0 THEN 0.0
                    ELSE (spend_recent_3m - spend_prior_3m) / ((ABS(spend_recent_3m) + ABS(spend_prior_3m)) / 2.0)
               END AS trend
        FROM spend
        ORDER BY customer_id
    """


def _typed_transaction_features(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"customer_id": "str", "recency_days": "float64", "frequency": "int64",
                          "monetary": "float64", "annual_amount": "float64", "spend_recent_3m": "float64",
                          "spend_prior_3m": "float64", "trend": "float64"})
    return frame.reset_index(drop=True)[list(TRANSACTION_FEATURES)]


def _transaction_features_of(data: Dataset, as_of: date, trend_months: int) -> pd.DataFrame:
    """:func:`transaction_features` of the dataset's transactions (from the run's Parquet file when not in memory)."""
    with duckdb.connect(config={"threads": 1}) as connection:  # sums of doubles in table order: reproducible
        register_table(connection, data, "transactions", "transactions_frame")
        sql = transaction_features_sql("transactions_frame", as_of, trend_months)
        return _typed_transaction_features(connection.execute(sql).df())


def transaction_features(transactions: pd.DataFrame, as_of: date, trend_months: int = 3) -> pd.DataFrame:
    """Transaction features of a validated transactions frame, computed in DuckDB."""
    with duckdb.connect(config={"threads": 1}) as connection:  # sums of doubles in table order: reproducible
        connection.register("transactions_frame", transactions[["customer_id", "transaction_date", "amount"]])
        sql = transaction_features_sql("transactions_frame", as_of, trend_months)
        return _typed_transaction_features(connection.execute(sql).df())


def transaction_features_database(url: str, as_of: date, table: str = "transactions",
                                  trend_months: int = 3) -> pd.DataFrame:
    """Transaction features computed inside the database behind a SQLAlchemy URL (SQL push-down)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            quoted = connection.dialect.identifier_preparer.quote(table)
            return _typed_transaction_features(
                pd.read_sql_query(sa.text(transaction_features_sql(quoted, as_of, trend_months)), connection))
    finally:
        engine.dispose()


def contact_features_sql(as_of: date, response_days: int, has_interactions: bool) -> str:
    """DuckDB SQL over ``interactions_frame`` (or ``tickets_frame``) for the contact features."""
    end = as_of + timedelta(days=1)
    half_year, quarter = months_before(end, 6), months_before(end, 3)
    responses_from = end - timedelta(days=response_days)
    if not has_interactions:
        return f"""
            SELECT customer_id, COUNT(*) AS complaints_6m, CAST(NULL AS DOUBLE) AS response_rate,
                   CAST(NULL AS DOUBLE) AS interaction_gap_days, 0 AS enquiries_3m
            FROM tickets_frame
            WHERE category = 'complaint' AND opened_at >= DATE '{half_year}' AND opened_at < DATE '{end}'
            GROUP BY customer_id
        """
    return f"""
        SELECT customer_id,
               SUM(CASE WHEN interaction_type = 'complaint' AND interaction_time >= DATE '{half_year}'
                        THEN 1 ELSE 0 END) AS complaints_6m,
               AVG(CASE WHEN direction = 'outbound' AND interaction_time >= DATE '{responses_from}'
                        THEN CAST(responded AS DOUBLE) END) AS response_rate,
               DATE '{as_of}' - CAST(MAX(interaction_time) AS DATE) AS interaction_gap_days,
               SUM(CASE WHEN direction = 'inbound' AND interaction_type = 'consultation'
                         AND interaction_time >= DATE '{quarter}' THEN 1 ELSE 0 END) AS enquiries_3m
        FROM interactions_frame
        WHERE interaction_time < DATE '{end}'
        GROUP BY customer_id
    """


def contact_features(data: Dataset, as_of: date, response_days: int = 180) -> pd.DataFrame:
    """Complaints, response rate, interaction gap and enquiries per customer (customers with contacts only)."""
    columns = ["customer_id", "complaints_6m", "response_rate", "interaction_gap_days", "enquiries_3m"]
    if not data.has("interactions") and not data.has("tickets"):
        return pd.DataFrame(columns=columns)
    with duckdb.connect() as connection:
        if data.has("interactions"):  # the Parquet file itself when the notebook has not read the table
            register_table(connection, data, "interactions", "interactions_frame")
        else:
            register_table(connection, data, "tickets", "tickets_frame")
        result = connection.execute(contact_features_sql(as_of, response_days, data.has("interactions"))).df()
    return result.astype({"customer_id": "str", "complaints_6m": "int64", "response_rate": "float64",
                          "interaction_gap_days": "float64", "enquiries_3m": "int64"})[columns]


def tenure_months(signup: pd.Series, as_of: date) -> pd.Series:
    """Whole calendar months from each signup date to ``as_of`` (empty when the signup date is)."""
    day = pd.Timestamp(as_of)
    months = (day.year - signup.dt.year) * 12 + (day.month - signup.dt.month) - (signup.dt.day > day.day)
    return months.astype("Float64").astype("float64")


def customer_features(data: Dataset, as_of: date, response_days: int = 180, trend_months: int = 3) -> pd.DataFrame:
    """All features of every customer signed up by ``as_of`` (see the module docstring), sorted by id.

    Customers without transactions get frequency 0, annual_amount 0 and trend 0; without contacts,
    complaints_6m and enquiries_3m are 0 and the rates and gaps are empty.
    """
    customers = data.columns("customers", ["customer_id", "signup_date"])
    signed = customers[customers["signup_date"].isna() | (customers["signup_date"] <= pd.Timestamp(as_of))]
    spend = _transaction_features_of(data, as_of, trend_months).drop(columns=["spend_recent_3m", "spend_prior_3m"])
    frame = (signed[["customer_id", "signup_date"]]
             .merge(spend, on="customer_id", how="left")
             .merge(contact_features(data, as_of, response_days), on="customer_id", how="left"))
    frame = frame.fillna({"frequency": 0, "annual_amount": 0.0, "trend": 0.0, "complaints_6m": 0, "enquiries_3m": 0})
    frame = frame.astype({"frequency": "int64", "complaints_6m": "int64", "enquiries_3m": "int64"})
    frame["tenure_months"] = tenure_months(frame["signup_date"], as_of)
    return frame.sort_values("customer_id", ignore_index=True)[list(FEATURE_COLUMNS)]


def feature_summary(features: pd.DataFrame) -> pd.DataFrame:
    """Per numeric feature: median, 10th and 90th percentile, and the share of empty values."""
    numeric = features.drop(columns="customer_id")
    return pd.DataFrame({
        "feature": numeric.columns,
        "median": numeric.median().to_numpy(),
        "p10": numeric.quantile(0.1).to_numpy(),
        "p90": numeric.quantile(0.9).to_numpy(),
        "missing_share": numeric.isna().mean().to_numpy(),
    })
