"""Clean conformed tables and account for every row.

- exact duplicate rows are removed (and counted);
- impossible values (non-finite numbers such as ``inf``, numbers beyond ±1e15, future dates, scores out of range,
  negative outreach revenue, a response
  before the ticket was opened, a missing required value) send the row to quarantine with a
  reason; the checks are a pandera schema built from the contract;
- duplicate keys and orphan customer ids are errors, reported with example rows;
- invalid phones and e-mails are flagged, not removed.

For every table: rows read = rows kept + rows quarantined + duplicates removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..core.contract import TableSpec
from ..core.matching import member
from .masking import NameFinder
from .sources import RawTable
from .validate import describe_rows

VALID_PHONE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$|^0\d{2,3}\d{7,8}$")
VALID_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
#: numbers this large are not figures but export errors (1e308), and their sums would overflow exact DECIMAL(38, 10)
LARGEST_NUMBER = 1e15
REASON_ORPHAN_OF_QUARANTINED = "customer_id refers to a quarantined customer"


@dataclass
class Cleaned:
    """A cleaned table: the rows kept, the rows quarantined (with ``source_row`` and ``reason``)."""

    kept: pd.DataFrame
    quarantined: pd.DataFrame
    duplicates_removed: int
    rows_read: int
    flags: dict[str, int] = field(default_factory=dict)

    @property
    def reasons(self) -> dict[str, int]:
        if self.quarantined.empty:
            return {}
        counts = self.quarantined["reason"].str.split("; ").explode().value_counts()
        return {str(reason): int(n) for reason, n in counts.items()}


def quarantine_schema(spec: TableSpec, as_of: date) -> pa.DataFrameSchema:
    """The pandera schema whose failures send a row to quarantine."""
    latest = pd.Timestamp(as_of + timedelta(days=1)) - pd.Timedelta(1, "ns")
    columns = {}
    for col in spec.columns:
        checks = []
        if col.low is not None and col.high is not None:
            checks.append(pa.Check.in_range(col.low, col.high, error=f"{col.name} outside {col.low:g}-{col.high:g}"))
        elif col.low is not None:
            checks.append(pa.Check.ge(col.low, error=f"{col.name} below {col.low:g}"))
        if col.kind == "number":
            checks.append(pa.Check(lambda values: np.isfinite(values), error=f"{col.name} is not a finite number"))
            checks.append(pa.Check(lambda values: ~(np.isfinite(values) & (values.abs() >= LARGEST_NUMBER)),
                                   error=f"{col.name} beyond ±{LARGEST_NUMBER:.0e} (no plausible figure)"))
        if col.kind in ("date", "datetime") and not col.future_ok:
            checks.append(pa.Check.le(latest, error=f"{col.name} in the future (after {as_of})"))
        columns[col.name] = pa.Column(checks=checks, nullable=col.nullable,
                                      required=True, coerce=False)
    frame_checks = [
        pa.Check(lambda frame, a=earlier, b=later: ~(frame[b] < frame[a]), error=f"{later} before {earlier}")
        for earlier, later in spec.ordered
    ]
    return pa.DataFrameSchema(columns, checks=frame_checks)


def _failed_rows(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.Series:
    """Reason per failing row label ('; '-joined when several checks fail)."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases.dropna(subset=["index"])
        cases = cases.assign(reason=np.where(cases["check"] == "not_nullable",
                                             "missing " + cases["column"].astype(str), cases["check"]))
        return cases.groupby("index")["reason"].agg(lambda r: "; ".join(sorted(set(r))))
    return pd.Series(dtype="str")


def clean_table(raw: RawTable, frame: pd.DataFrame, spec: TableSpec, as_of: date,
                names: NameFinder | None = None) -> tuple[Cleaned, list[str]]:
    """Remove exact duplicates, quarantine impossible rows, and report duplicate keys."""
    rows_read = len(frame)
    shares_key = frame.duplicated(list(spec.key), keep=False).to_numpy()
    duplicated = exact_duplicates(frame, shares_key).to_numpy()
    # the checks are row by row, so checking the duplicates too finds the same rows; one copy of the kept rows
    reasons = _failed_rows(frame, quarantine_schema(spec, as_of))
    reasons = reasons[~reasons.index.isin(frame.index[duplicated])]
    quarantined = _with_reasons(raw, frame.loc[reasons.index], reasons)
    keep = ~duplicated & ~frame.index.isin(reasons.index)
    kept = frame if keep.all() else frame[keep]
    problems = []
    clashes = pd.Series(False, index=kept.index)  # only rows that shared a key before can share one now
    suspects = shares_key[keep]
    clashes[suspects] = kept[suspects].duplicated(list(spec.key), keep=False).to_numpy()
    if clashes.any():
        key = ", ".join(spec.key)
        problems.append(
            f"table {spec.name}, column `{key}`: {int(clashes.sum())} rows share a key with different content: "
            f"{describe_rows(raw, kept.index[clashes], kept.loc[clashes, spec.key[-1]], names=names)}. Fix: give "
            "each row its own id in the source, or remove the outdated copies")
    return Cleaned(kept, quarantined, int(duplicated.sum()), rows_read), problems


def exact_duplicates(frame: pd.DataFrame, shares_key: np.ndarray) -> pd.Series:
    """``frame.duplicated(keep="first")``, compared cell by cell only among the rows that share their key.

    Two identical rows share their key, so only those rows (``shares_key``) can be exact duplicates:
    the full comparison runs on them instead of hashing every cell of every row.
    """
    duplicated = pd.Series(False, index=frame.index)
    if shares_key.any():
        duplicated[shares_key] = frame[shares_key].duplicated(keep="first").to_numpy()
    return duplicated


def _with_reasons(raw: RawTable, rows: pd.DataFrame, reasons: pd.Series) -> pd.DataFrame:
    return rows.assign(source_row=[raw.row_number(int(i)) for i in rows.index],
                       reason=reasons.reindex(rows.index).astype("str"))


def resolve_orphans(raw: RawTable, cleaned: Cleaned, spec: TableSpec, customer_ids: pd.Series,
                    quarantined_ids: pd.Series, names: NameFinder | None = None) -> list[str]:
    """Quarantine rows of quarantined customers; report customer ids that exist nowhere.

    ``customer_ids`` are the kept customers' ids, ``quarantined_ids`` those of quarantined customers.
    """
    ids = cleaned.kept["customer_id"]
    known = member(ids, customer_ids)
    of_quarantined = ~known & member(ids, quarantined_ids)
    if of_quarantined.any():
        moved = cleaned.kept[of_quarantined]
        reasons = pd.Series(REASON_ORPHAN_OF_QUARANTINED, index=moved.index)
        cleaned.quarantined = pd.concat([cleaned.quarantined, _with_reasons(raw, moved, reasons)])
        cleaned.kept = cleaned.kept[~of_quarantined]
    orphans = ~known & ~of_quarantined
    if not orphans.any():
        return []
    orphan_rows = ids[orphans]
    return [f"table {spec.name}, column `customer_id`: {int(orphans.sum())} row(s) name customers that are not "
            f"in the customers table: {describe_rows(raw, orphan_rows.index, orphan_rows, names=names)}. Fix: export "
            f"the missing customers too, or remove these rows from the source{_zeros_hint(orphan_rows, customer_ids)}"]


def _zeros_hint(orphans: pd.Series, customer_ids: pd.Series) -> str:
    """A hint when the orphan ids match customers' ids but for leading zeros (``C0012`` / ``C12``, ``0012`` / ``12``):
    one of the exports dropped or added them (a spreadsheet reading ids as numbers does)."""
    def unpadded(ids: pd.Series) -> pd.Series:
        return ids.astype("str").str.replace(r"^([^\d]*)0+(?=\d)", r"\1", regex=True)

    matched = member(unpadded(orphans.drop_duplicates()), unpadded(customer_ids))
    if not matched.any():
        return ""
    return (f". {int(matched.sum())} of these ids differ from customers' ids only by leading zeros: keep the ids "
            "as text in both exports (a spreadsheet reading them as numbers drops the zeros)")


def flag_contacts(customers: pd.DataFrame) -> pd.DataFrame:
    """Add ``phone_valid`` and ``email_valid`` (empty when no phone / e-mail is given)."""
    def check(series: pd.Series, pattern: re.Pattern[str], strip: str) -> pd.Series:
        valid = series.str.replace(strip, "", regex=True).str.match(pattern).astype("boolean")
        return valid.mask(series.isna())

    return customers.assign(phone_valid=check(customers["phone"], VALID_PHONE, r"[\s\-()]"),
                            email_valid=check(customers["email"], VALID_EMAIL, r"^\s+|\s+$"))
