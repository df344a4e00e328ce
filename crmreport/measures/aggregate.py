"""Per-customer aggregation over transactions, pushed down to DuckDB or the source database.

The same SQL runs on an in-memory DuckDB relation (a validated pandas frame or Parquet/CSV
files) and on PostgreSQL through SQLAlchemy: no row-by-row Python.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

SUMMARY_COLUMNS: tuple[str, ...] = (
    "customer_id", "orders", "refunds", "total_amount", "first_transaction", "last_transaction",
    "amount_12m", "orders_12m", "order_amount_12m", "average_order_value",
)


def summary_sql(relation: str, as_of: date) -> str:
    """Portable SQL for the per-customer transaction summary as of the end of ``as_of``.

    Columns: ``orders`` (rows with amount >= 0), ``refunds`` (amount < 0), ``total_amount``
    (net, refunds included), first/last transaction date, ``amount_12m``/``orders_12m`` over the
    365 days ending ``as_of``, ``order_amount_12m`` the gross order amount (refunds excluded) in
    those days, ``average_order_value`` = gross order amount / orders over all time. Amounts are
    summed as DECIMAL (10 decimals): exact, so the sums do not depend on row order or on how the
    database splits the rows between threads (DuckDB's parallel sums of doubles do, in the last bit).
    """
    end = (as_of + timedelta(days=1)).isoformat()
    since = (as_of - timedelta(days=364)).isoformat()
    return f"""
        SELECT customer_id,
               SUM(CASE WHEN amount >= 0 THEN 1 ELSE 0 END) AS orders,
               SUM(CASE WHEN amount < 0 THEN 1 ELSE 0 END) AS refunds,
               SUM(amount) AS total_amount,
               MIN(transaction_date) AS first_transaction,
               MAX(transaction_date) AS last_transaction,
               SUM(CASE WHEN transaction_date >= DATE '{since}' THEN amount ELSE 0 END) AS amount_12m,
               SUM(CASE WHEN transaction_date >= DATE '{since}' AND amount >= 0 THEN 1 ELSE 0 END) AS orders_12m,
               SUM(CASE WHEN transaction_date >= DATE '{since}' AND amount >= 0 THEN amount ELSE 0 END)
                   AS order_amount_12m,
               SUM(CASE WHEN amount >= 0 THEN amount ELSE 0 END)
                   / NULLIF(SUM(CASE WHEN amount >= 0 THEN 1 ELSE 0 END), 0) AS average_order_value
        FROM (SELECT customer_id, transaction_date, CAST(amount AS DECIMAL(38, 10)) AS amount FROM {relation}) AS t
        WHERE transaction_date < DATE '{end}'
        GROUP BY customer_id
        ORDER BY customer_id
    """


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"orders": "int64", "refunds": "int64", "orders_12m": "int64", "total_amount": "float64",
                          "amount_12m": "float64", "order_amount_12m": "float64", "average_order_value": "float64",
                          "customer_id": "str"})
    for column in ("first_transaction", "last_transaction"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frame.reset_index(drop=True)[list(SUMMARY_COLUMNS)]


def summarize_transactions(transactions: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per-customer summary of a validated transactions frame, computed in DuckDB."""
    with duckdb.connect() as connection:
        connection.register("transactions_frame", transactions[["customer_id", "transaction_date", "amount"]])
        return _typed(connection.execute(summary_sql("transactions_frame", as_of)).df())


def summarize_files(pattern: str, as_of: date, connection: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
    """Per-customer summary straight from Parquet or CSV files (``read_parquet``/``read_csv`` in DuckDB).

    The path or glob reaches DuckDB as a query parameter, never inside the SQL text, so any
    character in it (a quote, a semicolon) is just part of the file name.
    """
    reader = "read_parquet" if pattern.endswith(".parquet") else "read_csv_auto"
    owned = connection is None
    connection = connection or duckdb.connect()
    try:
        return _typed(connection.execute(summary_sql(f"{reader}($path)", as_of), {"path": pattern}).df())
    finally:
        if owned:
            connection.close()


def summarize_database(url: str, as_of: date, table: str = "transactions") -> pd.DataFrame:
    """Per-customer summary computed inside the database behind a SQLAlchemy URL (SQL push-down)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            quoted = connection.dialect.identifier_preparer.quote(table)
            return _typed(pd.read_sql_query(sa.text(summary_sql(quoted, as_of)), connection))
    finally:
        engine.dispose()


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
