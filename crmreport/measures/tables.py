"""A dataset's tables on an engine's Ibis backend, and a measure's bounded result back as a frame.

On DuckDB a prepared table not yet read is a view over its Parquet file and a table in memory is the
pandas frame itself (no copy), as in :mod:`crmreport.measures.relations`. On Spark the engine reads
the Parquet file itself (on a cluster the executors do); a table in memory (JupyterLab, tests) is
handed over through Arrow. Prepared date-times are zone-less nanosecond timestamps (what pandas
writes); Spark keeps microseconds, so they are cut to microseconds there (the demo and real CRM
exports carry whole seconds).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import ibis.expr.types as ir
import pandas as pd
import pyarrow as arrow
import pyarrow.parquet as parquet
from ibis.backends import BaseBackend

from ..engine import session_of
from ..ingest.dataset import Dataset


def engine_table(backend: BaseBackend, data: Dataset, name: str, columns: list[str]) -> ir.Table:
    """Table ``name`` of ``data`` with ``columns``, queryable on ``backend`` (DuckDB or PySpark)."""
    path = data.unread_file(name)
    if path is None:
        return frame_table(backend, name, data.tables[name][columns])
    return parquet_table(backend, name, path, columns)


def table_columns(data: Dataset, name: str) -> list[str]:
    """The column names of table ``name`` of ``data``, without reading a table still on disk."""
    path = data.unread_file(name)
    return list(data.tables[name].columns) if path is None else parquet.read_schema(path).names


def parquet_table(backend: BaseBackend, name: str, path: Path, columns: list[str]) -> ir.Table:
    """``columns`` of the Parquet file ``path`` as table ``name`` on ``backend``, read by the engine itself."""
    alias = _alias(name, columns)
    if backend.name == "duckdb":
        backend.con.read_parquet(str(path)).select(*columns).create_view(alias, replace=True)
    else:
        _spark_parquet(session_of(backend), str(path), columns).createOrReplaceTempView(alias)
    return backend.table(alias)


def frame_table(backend: BaseBackend, name: str, frame: pd.DataFrame) -> ir.Table:
    """The pandas ``frame`` as table ``name`` on ``backend``: registered as it is on DuckDB, through Arrow on Spark."""
    alias = _alias(name, list(frame.columns))
    if backend.name == "duckdb":
        backend.con.register(alias, frame)
    else:
        table = _microseconds(arrow.Table.from_pandas(frame, preserve_index=False))
        session_of(backend).createDataFrame(table).createOrReplaceTempView(alias)
    return backend.table(alias)


def _alias(name: str, columns: list[str]) -> str:
    """The view name of table ``name`` with ``columns``: one per column set, so that one query may read a table
    twice with other columns (the KPIs of one query) without replacing a view it already uses."""
    return f"crm_{name}_{hashlib.sha1(chr(0).join(map(str, columns)).encode()).hexdigest()[:10]}"


def _microseconds(table: arrow.Table) -> arrow.Table:
    """``table`` with nanosecond timestamps as microsecond ones (Spark's resolution)."""
    fields = [arrow.field(f.name, arrow.timestamp("us")) if arrow.types.is_timestamp(f.type) else f
              for f in table.schema]
    return table.cast(arrow.schema(fields), safe=False)


def _spark_parquet(session: object, path: str, columns: list[str]) -> object:
    """A Spark frame of ``columns`` of a Parquet file; nanosecond timestamps (read as numbers under
    ``spark.sql.legacy.parquet.nanosAsLong``) become microsecond timestamps."""
    from pyspark.sql import functions

    schema = parquet.read_schema(path)
    frame = session.read.parquet(path).select(*columns)
    for column in columns:
        kind = schema.field(column).type
        if arrow.types.is_timestamp(kind) and kind.unit == "ns":
            micros = functions.timestamp_micros(functions.floor(functions.col(column) / 1000).cast("long"))
            frame = frame.withColumn(column, micros.cast("timestamp_ntz"))
    return frame


def counts_of(customer_ids: pd.Series, counts: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The ``columns`` of ``counts`` (one row per customer that has any) for each id of ``customer_ids``, in its
    order, as int64 with 0 for the ids ``counts`` lacks."""
    placed = pd.DataFrame({"customer_id": customer_ids.to_numpy(dtype=object)}).merge(
        counts.astype({"customer_id": object}), on="customer_id", how="left")
    return placed[columns].fillna(0).astype("int64")


def collect(backend: BaseBackend, expression: ir.Table) -> pd.DataFrame:
    """The result of ``expression`` on ``backend`` as a pandas frame (through Arrow on both engines)."""
    return backend.to_pyarrow(expression).to_pandas()
