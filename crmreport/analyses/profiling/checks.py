"""The counts behind the data-quality scorecard, from DuckDB: three aggregate queries per table.

Per table: rows; per contract column the empty and the invalid (non-empty) values; rows with a
complete key and distinct complete keys; per date column the latest value before a cutoff; rows whose
``customer_id`` is not in customers. The table is scanned where it lies (a frame in memory or the
run's Parquet file, see :func:`crmreport.measures.relations.register_table`), never row by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from ...core.contract import TABLES, ColumnSpec, TableSpec
from ...ingest.dataset import Dataset
from ...ingest.sources import quote_identifier
from ...measures.relations import register_table

#: contact columns whose validity the loader flags
CONTACT_FLAGS: dict[tuple[str, str], str] = {("customers", "phone"): "phone_valid",
                                             ("customers", "email"): "email_valid"}
#: what blank means: every character Python's ``str.strip()`` removes (``str.isspace``)
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B))
              + "\u2028\u2029\u202f\u205f\u3000")
_LAST_SPACE = max(map(ord, WHITESPACE))
_TEXT_TYPES = ("VARCHAR",)
_FLOAT_TYPES = ("FLOAT", "DOUBLE", "REAL")


@dataclass(frozen=True)
class TableChecks:
    """The counts of one table: ``empty``/``invalid`` per contract column, ``latest`` per date column (NaT: none
    before the cutoff), ``orphans`` None for a table without ``customer_id`` or without customers."""

    table: str
    rows: int
    empty: dict[str, int]
    invalid: dict[str, int]
    key_rows: int
    distinct_keys: int
    latest: dict[str, pd.Timestamp]
    orphans: int | None

    @property
    def key_uniqueness(self) -> float:
        """Distinct complete keys per row with a complete key (NaN without such rows)."""
        return self.distinct_keys / self.key_rows if self.key_rows else float("nan")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def empty_sql(column: str, sql_type: str) -> str:
    """SQL true where ``column`` (of DuckDB type ``sql_type``) is missing, NaN or blank text."""
    q = quote_identifier(column)
    if sql_type in _TEXT_TYPES:
        # a first character that is no whitespace (printable ASCII, or past U+3000, the last whitespace
        # code point: CJK text) makes the value non-blank without the (slow, copying) trim
        return (f"(CASE WHEN {q} IS NULL THEN TRUE WHEN ascii({q}) BETWEEN 33 AND 126 OR ascii({q}) > {_LAST_SPACE} "
                f"THEN FALSE ELSE trim({q}, {_literal(WHITESPACE)}) = '' END)")
    if sql_type in _FLOAT_TYPES:
        return f"({q} IS NULL OR isnan({q}))"
    return f"({q} IS NULL)"


def invalid_sql(table: str, col: ColumnSpec, columns: dict[str, str]) -> str:
    """SQL true where a value of ``col`` breaks the contract or carries an invalid contact flag (empty ones too;
    the caller excludes them)."""
    q = quote_identifier(col.name)
    flag = CONTACT_FLAGS.get((table, col.name))
    if flag is not None and flag in columns:
        return f"NOT coalesce(TRY_CAST({quote_identifier(flag)} AS BOOLEAN), TRUE)"
    if col.choices:
        return f"coalesce(CAST({q} AS VARCHAR) NOT IN ({', '.join(_literal(c) for c in col.choices)}), TRUE)"
    if col.low is not None or col.high is not None:
        number = f"TRY_CAST({q} AS DOUBLE)"
        parts = [f"{number} IS NULL", f"isnan({number})"]
        parts += [f"{number} < {float(col.low)!r}"] if col.low is not None else []
        parts += [f"{number} > {float(col.high)!r}"] if col.high is not None else []
        return "(" + " OR ".join(parts) + ")"
    return "FALSE"


def _table_sql(view: str, spec: TableSpec, columns: dict[str, str], cutoff: pd.Timestamp,
               customers: str | None) -> tuple[list[str], list[str]]:
    """The queries of one table (each gives one row of named counts) and its date columns.

    The distinct keys and the orphans are queries of their own: in the same aggregate as the
    filtered counts they force DuckDB into a slower plan (twice the time of the three apart).
    """
    empties = {c.name: empty_sql(c.name, columns[c.name]) for c in spec.columns}
    selects = ["COUNT(*) AS n_rows"]
    for i, col in enumerate(spec.columns):
        selects.append(f"COUNT(*) FILTER (WHERE {empties[col.name]}) AS empty_{i}")
        selects.append(f"COUNT(*) FILTER (WHERE NOT {empties[col.name]} AND {invalid_sql(spec.name, col, columns)})"
                       f" AS invalid_{i}")
    dates = [c.name for c in spec.columns if c.kind in ("date", "datetime")]
    for i, name in enumerate(dates):
        value = f"TRY_CAST({quote_identifier(name)} AS TIMESTAMP)"
        selects.append(f"MAX({value}) FILTER (WHERE {value} < TIMESTAMP '{cutoff}') AS latest_{i}")
    complete = " AND ".join(f"NOT {empties[k]}" for k in spec.key)
    quoted = [quote_identifier(k) for k in spec.key]
    keys = quoted[0] if len(quoted) == 1 else "(" + ", ".join(quoted) + ")"
    selects.append(f"COUNT(*) FILTER (WHERE {complete}) AS key_rows")
    queries = [f"SELECT {', '.join(selects)} FROM {view}",
               f"SELECT COUNT(DISTINCT {keys}) AS distinct_keys FROM {view} WHERE {complete}"]
    if customers is not None:
        queries.append(f"SELECT COUNT(*) AS orphans FROM {view} WHERE customer_id IS NULL OR customer_id NOT IN "
                       f"(SELECT customer_id FROM {customers} WHERE customer_id IS NOT NULL)")
    return queries, dates


def table_checks(data: Dataset, period_end: date) -> dict[str, TableChecks]:
    """The :class:`TableChecks` of every contract table ``data`` has, in contract order.

    ``latest`` counts values before the day after ``period_end``.
    """
    cutoff = pd.Timestamp(period_end) + pd.Timedelta(days=1)
    checks: dict[str, TableChecks] = {}
    with duckdb.connect() as connection:
        customers = register_table(connection, data, "customers") if data.has("customers") else None
        for name, spec in TABLES.items():
            if not data.has(name):
                continue
            view = customers if name == "customers" else register_table(connection, data, name)
            columns = dict(connection.execute(f"SELECT column_name, column_type FROM (DESCRIBE {view})").fetchall())
            known = customers if spec.has_customer_fk and customers is not None else None
            queries, dates = _table_sql(view, spec, columns, cutoff, known)
            values: dict[str, Any] = {}
            for sql in queries:
                result = connection.execute(sql)
                values.update(zip([d[0] for d in result.description], result.fetchall()[0], strict=True))
            checks[name] = TableChecks(
                table=name, rows=int(values["n_rows"]),
                empty={c.name: int(values[f"empty_{i}"]) for i, c in enumerate(spec.columns)},
                invalid={c.name: int(values[f"invalid_{i}"]) for i, c in enumerate(spec.columns)},
                key_rows=int(values["key_rows"]), distinct_keys=int(values["distinct_keys"]),
                latest={d: pd.Timestamp(values[f"latest_{i}"]) if values[f"latest_{i}"] is not None else pd.NaT
                        for i, d in enumerate(dates)},
                orphans=int(values["orphans"]) if known is not None else None)
    return checks
