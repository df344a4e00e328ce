"""A prepared table as a DuckDB relation: the frame in memory, or the Parquet file it would be read from.

Aggregating analyses query a table through :func:`register_table` rather than ``data.tables[name]``,
so a table that is still on disk (a run's prepared folder,
:class:`~crmreport.ingest.dataset.PreparedTables`) is scanned by DuckDB column by column and never
becomes a pandas frame; a table already in memory is queried as it is (no copy).
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from ..ingest.dataset import Dataset, PreparedTables
from .aggregate import per_customer_in, summarize_files, summarize_transactions


def table_file(data: Dataset, name: str) -> Path | None:
    """The Parquet file ``data.tables[name]`` would be read from, or None when the table is in memory
    (a dict of frames, or a run's prepared table a notebook has already read)."""
    return data.tables.file(name) if isinstance(data.tables, PreparedTables) else None


def register_table(connection: duckdb.DuckDBPyConnection, data: Dataset, name: str, view: str | None = None) -> str:
    """Make table ``name`` of ``data`` queryable in ``connection`` as ``view`` (default ``<name>_table``).

    Returns the view name. The table must exist (``data.has(name)``).
    """
    view = view or f"{name}_table"
    path = table_file(data, name)
    if path is None:
        connection.register(view, data.tables[name])
    else:
        connection.read_parquet(str(path)).create_view(view, replace=True)
    return view


def per_customer_of(customer_ids: pd.Series, data: Dataset, table: str, aggregates: dict[str, str],
                    where: str = "TRUE") -> pd.DataFrame:
    """:func:`crmreport.measures.aggregate.per_customer` over table ``table`` of ``data`` where it lies."""
    with duckdb.connect() as connection:
        return per_customer_in(connection, customer_ids, register_table(connection, data, table), aggregates, where)


def summarize_dataset(data: Dataset, as_of: date) -> pd.DataFrame:
    """The per-customer transaction summary (:func:`~crmreport.measures.aggregate.summary_sql`) of ``data``,
    from the Parquet file when the transactions are still on disk, else from the frame.

    The summary of a file is kept for the next call with the same file and date (notebook 01 asks for
    it twice in a row: the customer profile and the customer values at the period end).
    """
    path = table_file(data, "transactions")
    if path is None:
        return summarize_transactions(data.tables["transactions"], as_of)
    stat = path.stat()
    return _file_summary(str(path), stat.st_mtime_ns, stat.st_size, as_of).copy()


@functools.lru_cache(maxsize=1)
def _file_summary(path: str, mtime_ns: int, size: int, as_of: date) -> pd.DataFrame:
    """:func:`summarize_files` of one file version (``mtime_ns`` and ``size`` tell a rewritten file apart)."""
    return summarize_files(path, as_of)
