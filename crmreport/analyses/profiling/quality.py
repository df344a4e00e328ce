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

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ...core.contract import TABLES, TableSpec
from ...core.results import result_file
from ...ingest.dataset import Dataset
from .checks import TableChecks, table_checks

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

COLUMN_SCORECARD_COLUMNS = list(result_file("data_quality_columns").columns)
TABLE_SCORECARD_COLUMNS = list(result_file("data_quality").columns)
ISSUE_COLUMNS = list(result_file("data_quality_issues").columns)


@dataclass(frozen=True)
class Scorecards:
    """The three scorecard frames of one period, from one pass over the tables (:func:`scorecards`)."""

    tables: pd.DataFrame
    columns: pd.DataFrame
    issues: pd.DataFrame


def scorecards(data: Dataset, period_end: date) -> Scorecards:
    """:func:`table_scorecard`, :func:`column_scorecard` and :func:`quality_issues` from one pass over the tables.

    Parameters
    ----------
    data : Dataset
        The period's prepared tables.
    period_end : datetime.date
        Last day of the report period.

    Returns
    -------
    Scorecards
        ``tables``, ``columns`` and ``issues``, each equal to what the function of that name returns.
    """
    checks = table_checks(data, period_end)
    columns = _column_frame(checks)
    return Scorecards(_table_frame(data, checks, columns, period_end), columns,
                      _issues_frame(data, checks, period_end))


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
    return _column_frame(table_checks(data, period_end))


def _column_frame(checks: dict[str, TableChecks]) -> pd.DataFrame:
    rows = []
    for name, check in checks.items():
        key = TABLES[name].key
        for column, empty in check.empty.items():
            filled = check.rows - empty
            rows.append({
                "table": name,
                "column": column,
                "completeness": filled / check.rows if check.rows else np.nan,
                "validity": 1 - check.invalid[column] / filled if filled else np.nan,
                "uniqueness": check.key_uniqueness if column in key else np.nan,
                "rows_affected": empty + check.invalid[column],
            })
    return pd.DataFrame(rows, columns=COLUMN_SCORECARD_COLUMNS).astype({"rows_affected": "int64"})


def latest_record(check: TableChecks) -> tuple[str | None, pd.Timestamp]:
    """The date/datetime column holding the table's latest value before the cutoff, and that value (day)."""
    best: tuple[str | None, pd.Timestamp] = (None, pd.NaT)
    for column, latest in check.latest.items():
        if pd.notna(latest) and (pd.isna(best[1]) or latest.normalize() > best[1]):
            best = (column, latest.normalize())
    return best


def _owner_coverage(check: TableChecks) -> float:
    column = OWNER_COLUMNS.get(check.table)
    if column is None or not check.rows:
        return np.nan
    return float((check.rows - check.empty[column]) / check.rows)


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
    checks = table_checks(data, period_end)
    return _table_frame(data, checks, _column_frame(checks), period_end)


def _table_frame(data: Dataset, checks: dict[str, TableChecks], columns: pd.DataFrame,
                 period_end: date) -> pd.DataFrame:
    scores = columns.groupby("table", sort=False)["completeness"].mean()
    rows = []
    for name, check in checks.items():
        account = data.accounting[name]
        _, latest = latest_record(check)
        rows.append({
            "table": name, "rows_read": account.rows_read, "duplicates_removed": account.duplicates_removed,
            "quarantined": account.quarantined, "kept": account.kept,
            "completeness": scores.get(name, np.nan),
            "freshness_days": (pd.Timestamp(period_end) - latest).days if pd.notna(latest) else None,
            "orphan_keys": check.orphans,
            "owner_coverage": _owner_coverage(check),
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


def _column_issues(checks: dict[str, TableChecks]) -> list[dict[str, object]]:
    issues = []
    for name, check in checks.items():
        rows = check.rows or 1
        for column, empty in check.empty.items():
            if OWNER_COLUMNS.get(name) != column and (name, column) not in EMPTY_BY_DESIGN:
                issues.append({"table": name, "column": column, "issue": "missing_values",
                               "detail": None, "rows_affected": empty, "share": empty / rows})
            invalid = check.invalid[column]
            issues.append({"table": name, "column": column, "issue": "invalid_values", "detail": None,
                           "rows_affected": invalid, "share": invalid / rows})
    return issues


def _table_issues(checks: dict[str, TableChecks], period_end: date) -> list[dict[str, object]]:
    issues = []
    for name, check in checks.items():
        column, latest = latest_record(check)
        if name in EVENT_TABLES and pd.notna(latest) and (pd.Timestamp(period_end) - latest).days > STALE_AFTER_DAYS:
            days = (pd.Timestamp(period_end) - latest).days
            issues.append({"table": name, "column": column, "issue": "stale_table",
                           "detail": f"{days} days", "rows_affected": check.rows, "share": 1.0})
        owner = OWNER_COLUMNS.get(name)
        if owner is not None and check.rows:
            missing = check.empty[owner]
            issues.append({"table": name, "column": owner, "issue": "no_owner", "detail": None,
                           "rows_affected": missing, "share": missing / check.rows})
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
    return _issues_frame(data, table_checks(data, period_end), period_end)


def _issues_frame(data: Dataset, checks: dict[str, TableChecks], period_end: date) -> pd.DataFrame:
    issues = pd.DataFrame(_accounting_issues(data) + _column_issues(checks) + _table_issues(checks, period_end),
                          columns=ISSUE_COLUMNS)
    issues = issues[issues["rows_affected"] > 0]
    return (issues.sort_values("rows_affected", ascending=False, kind="stable").reset_index(drop=True)
            .astype({"rows_affected": "int64", "share": "float64"}))
