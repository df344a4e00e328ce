"""Per-customer aggregation over transactions, on the run's engine or inside the source database.

The summary is one Ibis expression (:mod:`crmreport.measures.spend`): it runs on DuckDB over a
validated pandas frame or Parquet/CSV files, on Spark, and as SQL on PostgreSQL through SQLAlchemy;
no row-by-row Python. :func:`per_customer` groups any events table by customer in DuckDB SQL.
"""

from __future__ import annotations

from datetime import date

import duckdb
import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from ibis.backends import BaseBackend

from ..engine import Engine
from ..ingest.dataset import Dataset
from ..settings.period import Window
from . import spend
from .tables import collect, counts_of, engine_table, frame_table

SUMMARY_COLUMNS: tuple[str, ...] = (
    "customer_id", "orders", "refunds", "total_amount", "first_transaction", "last_transaction",
    "amount_12m", "orders_12m", "order_amount_12m", "average_order_value",
)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"orders": "int64", "refunds": "int64", "orders_12m": "int64", "total_amount": "float64",
                          "amount_12m": "float64", "order_amount_12m": "float64", "average_order_value": "float64",
                          "customer_id": "str"})
    for column in ("first_transaction", "last_transaction"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frame.reset_index(drop=True)[list(SUMMARY_COLUMNS)]


def summarize_on(backend: BaseBackend, transactions: ir.Table, as_of: date) -> pd.DataFrame:
    """The per-customer summary (:func:`crmreport.measures.spend.summary`) of ``transactions`` on ``backend``."""
    return _typed(collect(backend, spend.summary(transactions, as_of)))


def summarize_transactions(transactions: pd.DataFrame, as_of: date, engine: Engine | None = None) -> pd.DataFrame:
    """Per-customer summary of a validated transactions frame, computed by ``engine`` (default: DuckDB)."""
    with (engine or Engine()).backend() as backend:
        frame = transactions[spend.TRANSACTION_COLUMNS]
        return summarize_on(backend, frame_table(backend, "transactions", frame), as_of)


def summarize_files(pattern: str, as_of: date) -> pd.DataFrame:
    """Per-customer summary straight from Parquet or CSV files (``read_parquet``/``read_csv`` in DuckDB).

    The path or glob reaches DuckDB as an argument, never inside SQL text, so any character in it (a
    quote, a semicolon) is just part of the file name.
    """
    with Engine().backend() as backend:
        read = backend.con.read_parquet if pattern.endswith(".parquet") else backend.con.read_csv
        read(pattern).create_view("transactions_files", replace=True)
        return summarize_on(backend, backend.table("transactions_files"), as_of)


def summarize_database(url: str, as_of: date, table: str = "transactions") -> pd.DataFrame:
    """Per-customer summary computed inside the database behind a SQLAlchemy URL (the measure compiled to
    the database's SQL, :func:`crmreport.measures.spend.to_sql`)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            sql = spend.to_sql(spend.summary(ibis.table(spend.TRANSACTIONS_SCHEMA, name=table), as_of),
                               connection.dialect.name)
            return _typed(pd.read_sql_query(sa.text(sql), connection))
    finally:
        engine.dispose()


def purchase_counts(data: Dataset, customer_ids: pd.Series, windows: dict[str, Window]) -> pd.DataFrame:
    """Purchases of each customer of ``customer_ids`` (in its order) in each of ``windows``, counted on the
    dataset's engine (:func:`crmreport.measures.spend.purchases_in`): one int64 column per window, 0 for none."""
    with data.engine.backend() as backend:
        table = engine_table(backend, data, "transactions", spend.TRANSACTION_COLUMNS)
        counts = collect(backend, spend.purchases_in(table, windows))
    return counts_of(customer_ids, counts, list(windows))


def per_customer(customer_ids: pd.Series, events: pd.DataFrame, aggregates: dict[str, str],
                 where: str = "TRUE") -> pd.DataFrame:
    """SQL ``aggregates`` of ``events`` rows matching ``where``, one row per id of ``customer_ids``, in its order.

    Grouped in DuckDB over the frame as it is (no copy, no pandas groupby over string ids); ids
    without a matching row get NULL (NaN, NaT). ``aggregates`` maps a result column to an SQL
    aggregate over the columns of ``events``, e.g. ``{"last": "MAX(interaction_time)"}``.
    """
    with duckdb.connect() as connection:
        connection.register("events_frame", events)
        return per_customer_in(connection, customer_ids, "events_frame", aggregates, where)


def per_customer_in(connection: duckdb.DuckDBPyConnection, customer_ids: pd.Series, events: str,
                    aggregates: dict[str, str], where: str = "TRUE",
                    parameters: dict[str, object] | None = None) -> pd.DataFrame:
    """:func:`per_customer` over the relation or view named ``events`` in ``connection`` (e.g. a Parquet scan).

    ``parameters`` are bound to the ``$name`` placeholders of ``where``.
    """
    ids = pd.DataFrame({"customer_id": customer_ids.reset_index(drop=True), "pos": np.arange(len(customer_ids))})
    selected = ", ".join(f"{expression} AS {name}" for name, expression in aggregates.items())
    sql = f"""
        SELECT {", ".join(f"grouped.{name}" for name in aggregates)}
        FROM ids_frame LEFT JOIN (
            SELECT customer_id, {selected} FROM {events} WHERE {where} GROUP BY customer_id
        ) AS grouped USING (customer_id)
        ORDER BY ids_frame.pos
    """
    connection.register("ids_frame", ids)
    try:
        return connection.execute(sql, parameters).df() if parameters else connection.execute(sql).df()
    finally:
        connection.unregister("ids_frame")
