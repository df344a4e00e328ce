"""A prepared table as a DuckDB relation: the frame in memory, or the Parquet file it would be read from.

Aggregating analyses query a table through :func:`register_table` rather than ``data.tables[name]``,
so a table that is still on disk (a run's prepared folder, read lazily) is scanned by DuckDB column
by column and never becomes a pandas frame; a table already in memory is queried as it is (no copy).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..ingest.dataset import Dataset


def table_file(data: Dataset, name: str) -> Path | None:
    """The Parquet file ``data.tables[name]`` would be read from, or None when the table is in memory.

    A lazily read mapping of tables (the runner's prepared folder) says so through a ``file(name)``
    method; a plain dict of frames has none.
    """
    locate = getattr(data.tables, "file", None)
    return locate(name) if callable(locate) else None


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
