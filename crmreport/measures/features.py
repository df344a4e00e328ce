"""Per-customer features as of a date, the input of segmentation.

Transaction features are one Ibis expression (:func:`crmreport.measures.spend.features`) that runs on
the dataset's engine (DuckDB or Spark) or, as SQL, inside the source database (PostgreSQL, a DuckDB
file): the grouping never happens row by row in Python. Interaction and ticket features are a second expression
over those tables (:mod:`crmreport.measures.contacts`). Definitions (``as_of`` is the last day counted, inclusive):

- ``recency_days``: ``as_of`` - date of the last purchase (amount > 0, the KPI rule); empty for customers who
  never bought.
- ``frequency``: purchases in the trailing 12 months (the 365 days ending ``as_of``).
- ``monetary``: mean purchase amount in the trailing 12 months; empty without orders there.
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

from datetime import date

import ibis
import pandas as pd

from ..engine import Engine
from ..ingest.dataset import Dataset
from . import contacts, spend
from .tables import collect, engine_table, frame_table

FEATURE_COLUMNS: tuple[str, ...] = (
    "customer_id", "recency_days", "frequency", "monetary", "annual_amount", "trend", "tenure_months",
    "complaints_6m", "response_rate", "interaction_gap_days", "enquiries_3m",
)
TRANSACTION_FEATURES: tuple[str, ...] = (
    "customer_id", "recency_days", "frequency", "monetary", "annual_amount", "spend_recent_3m", "spend_prior_3m",
    "trend",
)


def _typed_transaction_features(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"customer_id": "str", "recency_days": "float64", "frequency": "int64",
                          "monetary": "float64", "annual_amount": "float64", "spend_recent_3m": "float64",
                          "spend_prior_3m": "float64", "trend": "float64"})
    return frame.reset_index(drop=True)[list(TRANSACTION_FEATURES)]


def _transaction_features_of(data: Dataset, as_of: date, trend_months: int) -> pd.DataFrame:
    """:func:`transaction_features` of the dataset's transactions on its engine (from the run's Parquet file
    when not in memory)."""
    with data.engine.backend(threads=1) as backend:  # DuckDB: sums of doubles in table order, reproducible
        table = engine_table(backend, data, "transactions", spend.TRANSACTION_COLUMNS)
        return _typed_transaction_features(collect(backend, spend.features(table, as_of, trend_months)))


def transaction_features(transactions: pd.DataFrame, as_of: date, trend_months: int = 3,
                         engine: Engine | None = None) -> pd.DataFrame:
    """Transaction features of a validated transactions frame, computed by ``engine`` (default: DuckDB)."""
    with (engine or Engine()).backend(threads=1) as backend:  # DuckDB: sums of doubles in table order
        table = frame_table(backend, "transactions", transactions[spend.TRANSACTION_COLUMNS])
        return _typed_transaction_features(collect(backend, spend.features(table, as_of, trend_months)))


def transaction_features_database(url: str, as_of: date, table: str = "transactions",
                                  trend_months: int = 3) -> pd.DataFrame:
    """Transaction features computed inside the database behind a SQLAlchemy URL (the measure compiled to
    the database's SQL)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            unbound = ibis.table(spend.TRANSACTIONS_SCHEMA, name=table)
            sql = spend.to_sql(spend.features(unbound, as_of, trend_months), connection.dialect.name)
            return _typed_transaction_features(pd.read_sql_query(sa.text(sql), connection))
    finally:
        engine.dispose()


def contact_features(data: Dataset, as_of: date, response_days: int = 180) -> pd.DataFrame:
    """Complaints, response rate, interaction gap and enquiries per customer (customers with contacts only),
    on the dataset's engine (:mod:`crmreport.measures.contacts`)."""
    columns = list(contacts.CONTACT_FEATURES)
    if not data.has("interactions") and not data.has("tickets"):
        return pd.DataFrame(columns=columns)
    with data.engine.backend() as backend:  # the Parquet file itself when the notebook has not read the table
        if data.has("interactions"):
            table = engine_table(backend, data, "interactions", contacts.INTERACTION_COLUMNS)
            result = collect(backend, contacts.interaction_features(table, as_of, response_days))
        else:
            result = collect(backend, contacts.ticket_features(
                engine_table(backend, data, "tickets", contacts.TICKET_COLUMNS), as_of))
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
