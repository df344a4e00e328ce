"""A dataset's tables as DuckDB relations, without reading a prepared table into pandas.

Under a run, notebooks receive the prepared tables as Parquet files read on first use. An aggregate
over a large table (13M interactions) needs no pandas copy of it: :func:`register_table` lets DuckDB
scan the Parquet file itself when the notebook has not read the table yet, and registers the pandas
frame (no copy) when it has, or when the dataset was prepared in memory. The same SQL runs on both.
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ..engine import Engine
from ..ingest.dataset import Dataset
from ..settings.period import Window
from .aggregate import per_customer_in, summarize_on, summarize_transactions
from .spend import TRANSACTION_COLUMNS
from .tables import parquet_table


def register_table(connection: duckdb.DuckDBPyConnection, data: Dataset, name: str, alias: str | None = None) -> str:
    """Make table ``name`` of ``data`` queryable in ``connection`` as ``alias`` (default: ``name``).

    A prepared table not yet read is a view over its Parquet file (DuckDB reads only the columns and
    row groups a query needs); otherwise the pandas frame is registered as it is. Rows keep the
    table's order in queries without ``ORDER BY`` (DuckDB preserves insertion order). Returns ``alias``.
    """
    alias = alias or name
    path = data.unread_file(name)
    if path is None:
        connection.register(alias, data.tables[name])
    else:
        connection.read_parquet(str(path)).create_view(alias, replace=True)
    return alias


def register_source(connection: duckdb.DuckDBPyConnection, source: pd.DataFrame | Dataset, name: str,
                    alias: str | None = None) -> str:
    """:func:`register_table` of table ``name`` when ``source`` is a dataset, else ``source`` (a frame) as ``alias``."""
    if isinstance(source, Dataset):
        return register_table(connection, source, name, alias)
    connection.register(alias or name, source)
    return alias or name


def query(source: pd.DataFrame | Dataset, table: str, sql: str) -> pd.DataFrame:
    """Run ``sql`` (``{table}`` standing for the table) in DuckDB over a frame or a dataset's table where it lies."""
    with duckdb.connect() as connection:
        return connection.execute(sql.format(table=register_source(connection, source, table))).df()


def window_sql(column: str, window: Window) -> str:
    """SQL: ``column`` lies in ``window`` (the same whole days as :func:`crmreport.measures.scores.in_window`)."""
    return f"{column} >= TIMESTAMP '{window.start}' AND {column} < TIMESTAMP '{window.stop}'"


def rows_between(source: pd.DataFrame | Dataset, name: str, column: str, start: pd.Timestamp,
                 stop: pd.Timestamp) -> pd.DataFrame:
    """The rows of table ``name`` (or of the frame ``source``) with ``start <= column < stop``, in table order.

    From a prepared table not yet read, only those rows are read from its Parquet file (with the same
    column types as the whole table); the index is fresh (0..n-1).
    """
    path = source.unread_file(name) if isinstance(source, Dataset) else None
    if path is not None:
        bounds = [(column, ">=", start.to_pydatetime()), (column, "<", stop.to_pydatetime())]
        return pd.read_parquet(path, filters=bounds).reset_index(drop=True)
    frame = source.tables[name] if isinstance(source, Dataset) else source
    times = pd.to_datetime(frame[column])
    return frame[(times >= start) & (times < stop)].reset_index(drop=True)


def per_customer_of(customer_ids: pd.Series, data: Dataset, table: str, aggregates: dict[str, str],
                    where: str = "TRUE") -> pd.DataFrame:
    """:func:`crmreport.measures.aggregate.per_customer` over table ``table`` of ``data`` where it lies."""
    with duckdb.connect() as connection:
        return per_customer_in(connection, customer_ids, register_table(connection, data, table, "events_table"),
                               aggregates, where)


def count_per_customer(customer_ids: pd.Series, source: pd.DataFrame | Dataset, table: str, time_column: str,
                       start: pd.Timestamp, stop: pd.Timestamp, where: str = "TRUE") -> np.ndarray:
    """Rows of ``table`` (a dataset's, or the frame ``source``) with ``start <= time_column < stop`` and
    ``where``, counted per customer of ``customer_ids`` in their order (0 for none)."""
    bounds = {"start": start.to_pydatetime(), "stop": stop.to_pydatetime()}
    with duckdb.connect() as connection:
        relation = register_source(connection, source, table)
        counts = per_customer_in(connection, customer_ids, relation, {"n": "COUNT(*)"},
                                 f"{time_column} >= $start AND {time_column} < $stop AND ({where})", bounds)
    return counts["n"].fillna(0).to_numpy(dtype="int64")


def summarize_dataset(data: Dataset, as_of: date) -> pd.DataFrame:
    """The per-customer transaction summary (:func:`crmreport.measures.spend.summary`) of ``data`` on its engine,
    from the Parquet file when the transactions are still on disk, else from the frame.

    The summary of a file is kept for the next call with the same file and date (notebook 01 asks for
    it twice in a row: the customer profile and the customer values at the period end).
    """
    path = data.unread_file("transactions")
    if path is None:
        return summarize_transactions(data.tables["transactions"], as_of, data.engine)
    stat = path.stat()
    return _file_summary(data.engine, str(path), stat.st_mtime_ns, stat.st_size, as_of).copy()


@functools.lru_cache(maxsize=1)
def _file_summary(engine: Engine, path: str, mtime_ns: int, size: int, as_of: date) -> pd.DataFrame:
    """The summary of one file version (``mtime_ns`` and ``size`` tell a rewritten file apart) on ``engine``."""
    with engine.backend() as backend:
        return summarize_on(backend, parquet_table(backend, "transactions", Path(path), TRANSACTION_COLUMNS), as_of)
