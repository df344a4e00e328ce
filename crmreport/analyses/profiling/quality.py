"""The data-quality scorecard: per column, per table, and the issues worst first.

Every figure is computed from the kept tables and the row accounting of a :class:`Dataset`:

- a value is *empty* when it is missing or blank text;
- a non-empty value is *invalid* when it breaks the contract (an enumeration value outside its
  choices, a number outside ``low``..``high``) or, for ``customers.phone`` / ``customers.email``,
  when the loader flagged it (``phone_valid`` / ``email_valid``). Kept rows have already passed
  the range checks, so in practice validity shows the contact flags;
- *uniqueness* is the share of distinct keys among rows with a complete key (for a composite key,
  such as outreach's ``campaign_id, customer_id``, the key as a whole).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ...core.contract import TABLES, ColumnSpec, TableSpec
from ...ingest.dataset import Dataset

#: a table whose latest record lies more days than this before the period end is stale
STALE_AFTER_DAYS = 31
#: tables of continuous events, which go stale when nothing new arrives (signups, campaigns and
#: improvements come in bursts, so their age says nothing about the export)
EVENT_TABLES: tuple[str, ...] = ("transactions", "interactions", "surveys", "tickets", "tasks")
#: columns that are empty by design for some rows (B2C size, open tickets, tasks not done, inbound
#: contacts, optional scores and notes): their gaps are no missing-value issue
EMPTY_BY_DESIGN: frozenset[tuple[str, str]] = frozenset({
    ("customers", "size_tier"), ("customers", "need_tags"), ("tickets", "resolved_at"), ("tickets", "satisfaction"),
    ("tasks", "actual_date"), ("tasks", "feedback"), ("tasks", "problem"), ("tasks", "next_action"),
    ("improvements", "actual_date"), ("improvements", "verification_score"), ("interactions", "responded"),
    ("interactions", "sentiment"), ("surveys", "csat"), ("surveys", "nps"), ("surveys", "trust"),
    ("outreach", "revenue"),
})
#: the column naming who is responsible for a row
OWNER_COLUMNS: dict[str, str] = {"customers": "account_manager", "tasks": "owner"}
#: contact columns whose validity the loader flags
CONTACT_FLAGS: dict[tuple[str, str], str] = {("customers", "phone"): "phone_valid",
                                             ("customers", "email"): "email_valid"}

COLUMN_SCORECARD_COLUMNS = ["table", "column", "completeness", "validity", "uniqueness", "rows_affected"]
TABLE_SCORECARD_COLUMNS = ["table", "rows_read", "duplicates_removed", "quarantined", "kept", "completeness",
                           "freshness_days", "orphan_keys", "owner_coverage"]
ISSUE_COLUMNS = ["table", "column", "issue", "detail", "rows_affected", "share"]


@dataclass(frozen=True)
class _ColumnCheck:
    table: str
    column: str
    rows: int
    empty: pd.Series
    invalid: pd.Series
    uniqueness: float


def empty_values(series: pd.Series) -> pd.Series:
    """True where ``series`` is missing or holds blank text."""
    empty = series.isna().to_numpy(dtype=bool)
    if pd.api.types.is_string_dtype(series) or series.dtype == object:
        blank = series.astype("string").str.strip().eq("").fillna(False).to_numpy(dtype=bool)
        empty = empty | blank
    return pd.Series(empty, index=series.index)


def invalid_values(frame: pd.DataFrame, table: str, col: ColumnSpec, empty: pd.Series) -> pd.Series:
    """True where a non-empty value of ``col`` breaks the contract or carries an invalid contact flag."""
    values = frame[col.name]
    flag = CONTACT_FLAGS.get((table, col.name))
    if flag is not None and flag in frame:
        invalid = ~frame[flag].fillna(True).astype(bool)
    elif col.choices:
        invalid = ~values.astype("string").isin(col.choices).fillna(False).astype(bool)
    elif col.low is not None or col.high is not None:
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        invalid = numbers.isna()
        if col.low is not None:
            invalid |= numbers < col.low
        if col.high is not None:
            invalid |= numbers > col.high
    else:
        invalid = pd.Series(False, index=frame.index)
    return invalid.astype(bool) & ~empty


def _key_uniqueness(frame: pd.DataFrame, spec: TableSpec) -> float:
    complete = ~np.logical_or.reduce([empty_values(frame[c]).to_numpy() for c in spec.key])
    keys = frame.loc[complete, list(spec.key)]
    return float(len(keys.drop_duplicates()) / len(keys)) if len(keys) else np.nan


def _column_checks(data: Dataset) -> Iterator[_ColumnCheck]:
    for name, spec in TABLES.items():
        if not data.has(name):
            continue
        frame = data.tables[name]
        key_uniqueness = _key_uniqueness(frame, spec)
        for col in spec.columns:
            empty = empty_values(frame[col.name])
            yield _ColumnCheck(name, col.name, len(frame), empty, invalid_values(frame, name, col, empty),
                               key_uniqueness if col.name in spec.key else np.nan)


def column_scorecard(data: Dataset, period_end: date) -> pd.DataFrame:
    """One row per table and contract column: completeness, validity, key uniqueness, rows affected.

    Parameters
    ----------
    data : Dataset
        The period's prepared tables.
    period_end : datetime.date
        Last day of the report period; the column checks do not depend on it (the argument keeps
        the three scorecard functions callable alike).

    Returns
    -------
    pandas.DataFrame
        Columns ``table, column, completeness`` (share of non-empty values), ``validity`` (share of
        valid values among the non-empty ones), ``uniqueness`` (share of distinct keys among complete
        keys; NaN for columns outside the key) and ``rows_affected`` (rows with an empty or invalid
        value). Shares are NaN when they have no denominator.
    """
    rows = []
    for check in _column_checks(data):
        filled = int((~check.empty).sum())
        rows.append({
            "table": check.table,
            "column": check.column,
            "completeness": filled / check.rows if check.rows else np.nan,
            "validity": 1 - int(check.invalid.sum()) / filled if filled else np.nan,
            "uniqueness": check.uniqueness,
            "rows_affected": int((check.empty | check.invalid).sum()),
        })
    return pd.DataFrame(rows, columns=COLUMN_SCORECARD_COLUMNS).astype({"rows_affected": "int64"})


def latest_record(frame: pd.DataFrame, spec: TableSpec, period_end: date) -> tuple[str | None, pd.Timestamp]:
    """The date/datetime column holding the latest value on or before ``period_end``, and that value (day)."""
    cutoff = pd.Timestamp(period_end) + pd.Timedelta(days=1)
    best: tuple[str | None, pd.Timestamp] = (None, pd.NaT)
    for col in spec.columns:
        if col.kind not in ("date", "datetime"):
            continue
        values = pd.to_datetime(frame[col.name])
        latest = values[values < cutoff].max()
        if pd.notna(latest) and (pd.isna(best[1]) or latest.normalize() > best[1]):
            best = (col.name, latest.normalize())
    return best


def _orphan_keys(data: Dataset, name: str) -> int | None:
    if not TABLES[name].has_customer_fk or not data.has("customers"):
        return None
    known = data.tables["customers"]["customer_id"]
    return int((~data.tables[name]["customer_id"].isin(known)).sum())


def _owner_coverage(data: Dataset, name: str) -> float:
    column = OWNER_COLUMNS.get(name)
    frame = data.tables[name]
    if column is None or not len(frame):
        return np.nan
    return float((~empty_values(frame[column])).mean())


def table_scorecard(data: Dataset, period_end: date) -> pd.DataFrame:
    """One row per table: row accounting, completeness, freshness, orphan keys and owner coverage.

    Parameters
    ----------
    data : Dataset
        The period's prepared tables.
    period_end : datetime.date
        Last day of the report period; freshness is measured against it.

    Returns
    -------
    pandas.DataFrame
        Columns ``table, rows_read, duplicates_removed, quarantined, kept`` (from the accounting),
        ``completeness`` (mean completeness over the contract columns), ``freshness_days`` (days from
        the latest date or date-time on or before ``period_end`` to ``period_end``; NA without dates),
        ``orphan_keys`` (rows whose ``customer_id`` is not in customers; NA for tables without one) and
        ``owner_coverage`` (share of customers with an account manager, of tasks with an owner; NaN
        for other tables).
    """
    scores = column_scorecard(data, period_end).groupby("table", sort=False)["completeness"].mean()
    rows = []
    for name, spec in TABLES.items():
        if not data.has(name):
            continue
        account = data.accounting[name]
        _, latest = latest_record(data.tables[name], spec, period_end)
        rows.append({
            "table": name, "rows_read": account.rows_read, "duplicates_removed": account.duplicates_removed,
            "quarantined": account.quarantined, "kept": account.kept,
            "completeness": scores.get(name, np.nan),
            "freshness_days": (pd.Timestamp(period_end) - latest).days if pd.notna(latest) else None,
            "orphan_keys": _orphan_keys(data, name),
            "owner_coverage": _owner_coverage(data, name),
        })
    frame = pd.DataFrame(rows, columns=TABLE_SCORECARD_COLUMNS)
    return frame.astype({"freshness_days": "Int64", "orphan_keys": "Int64", "completeness": "float64",
                         "owner_coverage": "float64"})


def _reason_column(reason: str, spec: TableSpec) -> str | None:
    """The contract column a quarantine reason names ('csat outside 1-5' -> 'csat')."""
    words = reason.split()
    for word in words[:2]:
        if word in spec.column_names:
            return word
    return None


def _accounting_issues(data: Dataset) -> list[dict[str, object]]:
    issues = []
    for name, spec in TABLES.items():
        if name not in data.accounting:
            continue
        account = data.accounting[name]
        read = account.rows_read or 1
        issues.append({"table": name, "column": None, "issue": "duplicates_removed", "detail": None,
                       "rows_affected": account.duplicates_removed, "share": account.duplicates_removed / read})
        for reason, n in account.reasons.items():
            issues.append({"table": name, "column": _reason_column(reason, spec), "issue": "quarantined",
                           "detail": reason, "rows_affected": n, "share": n / read})
    return issues


def _column_issues(data: Dataset) -> list[dict[str, object]]:
    issues = []
    for check in _column_checks(data):
        rows = check.rows or 1
        if OWNER_COLUMNS.get(check.table) != check.column and (check.table, check.column) not in EMPTY_BY_DESIGN:
            empty = int(check.empty.sum())
            issues.append({"table": check.table, "column": check.column, "issue": "missing_values",
                           "detail": None, "rows_affected": empty, "share": empty / rows})
        invalid = int(check.invalid.sum())
        issues.append({"table": check.table, "column": check.column, "issue": "invalid_values", "detail": None,
                       "rows_affected": invalid, "share": invalid / rows})
    return issues


def _table_issues(data: Dataset, period_end: date) -> list[dict[str, object]]:
    issues = []
    for name, spec in TABLES.items():
        if not data.has(name):
            continue
        frame = data.tables[name]
        column, latest = latest_record(frame, spec, period_end)
        if name in EVENT_TABLES and pd.notna(latest) and (pd.Timestamp(period_end) - latest).days > STALE_AFTER_DAYS:
            days = (pd.Timestamp(period_end) - latest).days
            issues.append({"table": name, "column": column, "issue": "stale_table",
                           "detail": f"{days} days", "rows_affected": len(frame), "share": 1.0})
        owner = OWNER_COLUMNS.get(name)
        if owner is not None and len(frame):
            missing = int(empty_values(frame[owner]).sum())
            issues.append({"table": name, "column": owner, "issue": "no_owner", "detail": None,
                           "rows_affected": missing, "share": missing / len(frame)})
    return issues


def quality_issues(data: Dataset, period_end: date) -> pd.DataFrame:
    """Every data-quality issue with the rows it affects, worst first.

    Issue codes (catalog labels ``label.<code>``): ``duplicates_removed`` and ``quarantined`` (one row
    per quarantine reason, the reason in ``detail``) from the row accounting, with ``share`` of the
    rows read; ``missing_values`` and ``invalid_values`` per contract column, with ``share`` of the
    kept rows; ``stale_table`` when the latest record is more than :data:`STALE_AFTER_DAYS` days
    before ``period_end`` (all kept rows affected, the age in ``detail``); ``no_owner`` for customers
    without an account manager and tasks without an owner (reported instead of ``missing_values``
    for those columns).

    Parameters
    ----------
    data : Dataset
        The period's prepared tables.
    period_end : datetime.date
        Last day of the report period.

    Returns
    -------
    pandas.DataFrame
        Columns ``table, column, issue, detail, rows_affected, share``; issues affecting no row are
        left out; sorted by ``rows_affected`` descending (ties in contract order).
    """
    issues = pd.DataFrame(_accounting_issues(data) + _column_issues(data) + _table_issues(data, period_end),
                          columns=ISSUE_COLUMNS)
    issues = issues[issues["rows_affected"] > 0]
    return (issues.sort_values("rows_affected", ascending=False, kind="stable").reset_index(drop=True)
            .astype({"rows_affected": "int64", "share": "float64"}))
