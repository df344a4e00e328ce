"""From a source to the validated, cleaned and masked tables of a run, with row accounting.

``prepare_dataset`` is the one entry point: read -> conform -> clean -> resolve orphans ->
flag contacts -> mask. Every problem that makes the data unusable is collected across all
tables and raised together as one :class:`DataValidationError`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from ..core.contract import REQUIRED_TABLES, TABLES
from ..core.errors import DataValidationError, SourceError
from ..settings import Params
from .clean import Cleaned, clean_table, flag_contacts, resolve_orphans
from .masking import NameFinder, mask_table
from .sources import RawTable, describe_source, read_tables
from .validate import conform
from .values import Reading

log = logging.getLogger("crmreport")
ACCOUNTING_FILE = "accounting.json"


@dataclass(frozen=True)
class TableAccount:
    """Where a table came from and what happened to its rows."""

    table: str
    origin: str
    fingerprint: str
    encoding: str | None
    rows_read: int
    duplicates_removed: int
    quarantined: int
    kept: int
    reasons: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rows_read != self.kept + self.quarantined + self.duplicates_removed:
            raise AssertionError(f"row accounting of {self.table} does not add up: {self}")


@dataclass
class Dataset:
    """The tables a period's analyses read: kept rows sorted by key (so every kind of source gives the
    same frames), masked unless masking is off."""

    tables: dict[str, pd.DataFrame]
    quarantine: dict[str, pd.DataFrame]
    accounting: dict[str, TableAccount]
    source: str
    masked: bool

    def has(self, table: str) -> bool:
        """True when the source provided ``table``."""
        return table in self.tables

    @property
    def fingerprint(self) -> str:
        """SHA-256 over the source fingerprints of every table read: the data a run's outputs came from."""
        parts = sorted(f"{name}:{account.fingerprint}" for name, account in self.accounting.items())
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    def columns(self, table: str, columns: list[str]) -> pd.DataFrame:
        """A frame of ``table``'s rows holding at least ``columns`` (select from it what you need).

        When the tables are read lazily from a run's Parquet files (``PreparedTables``) and ``table``
        is not in memory whole, only the columns asked for so far are read: an aggregate over three
        columns of a 13-million-row table never loads the other ten. Repeated calls give the same
        frame object until a call asks for a column not read yet.
        """
        reader = getattr(self.tables, "read_columns", None)
        return reader(table, columns) if reader is not None else self.tables[table]

    def parquet_file(self, table: str) -> Path | None:
        """The run's Parquet file of ``table`` when the tables are read lazily from one and ``table`` is not
        in memory (an aggregate can then scan the file in DuckDB and never load the table); else None."""
        finder = getattr(self.tables, "parquet_file", None)
        return finder(table) if finder is not None else None

    @property
    def missing_tables(self) -> list[str]:
        return [name for name in TABLES if name not in self.tables]

    def accounting_frame(self) -> pd.DataFrame:
        """One row per table: rows read, duplicates removed, quarantined, kept."""
        columns = ["table", "rows_read", "duplicates_removed", "quarantined", "kept"]
        rows = [{c: getattr(account, c) for c in columns} for account in self.accounting.values()]
        return pd.DataFrame(rows, columns=columns)

    def save(self, folder: Path) -> None:
        """Write the tables as Parquet and the accounting as JSON (what notebooks of a run read)."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in self.tables.items():
            frame.to_parquet(folder / f"{name}.parquet", index=False)
        meta = {"source": self.source, "masked": self.masked,
                "accounting": {name: asdict(account) for name, account in self.accounting.items()}}
        (folder / ACCOUNTING_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Dataset:
        """Read a dataset written by :meth:`save` (quarantined rows stay in the report's quarantine/)."""
        meta = json.loads((Path(folder) / ACCOUNTING_FILE).read_text(encoding="utf-8"))
        accounting = {name: TableAccount(**account) for name, account in meta["accounting"].items()}
        tables = {name: pd.read_parquet(Path(folder) / f"{name}.parquet") for name in accounting}
        return cls(tables, {}, accounting, meta["source"], meta["masked"])


def customer_names(raws: dict[str, RawTable], params: Params) -> NameFinder:
    """The raw names and contact names of the customers table, to find where they recur in other text."""
    raw = raws.get("customers")
    if raw is None:
        return NameFinder()
    mapping = params.columns.get("customers", {})
    values = []
    for column in raw.frame.columns:
        header = str(column).strip().lstrip("\ufeff")
        if mapping.get(header, header.lower()) in ("name", "contact_name"):
            values.extend(raw.frame[column].dropna().astype(str).unique())
    return NameFinder(values)


def _conform_all(raws: dict[str, RawTable], params: Params,
                 names: NameFinder) -> tuple[dict[str, pd.DataFrame], list[str]]:
    frames, problems = {}, []
    for name, raw in raws.items():
        reading = Reading(params.decimal_for(name), params.date_format.get(name, {}), params.timezone)
        frame, found = conform(raw, TABLES[name], params.columns.get(name, {}), params.values.get(name, {}), names,
                               reading)
        if not found and frame.empty:
            found = [f"table {name}: {raw.origin} has a header but no rows; export the table again with its data"]
        frames[name] = frame
        problems.extend(found)
    return frames, problems


def prepare_dataset(params: Params) -> Dataset:
    """Read, validate, clean and mask the period's source data.

    Raises
    ------
    SourceError
        When the source or a file cannot be read as a table.
    DataValidationError
        When tables break the contract; the message lists every problem with example rows.
    """
    source = describe_source(params.data)
    raws = read_tables(params.data, params.tables, params.encoding)
    missing = [name for name in REQUIRED_TABLES if name not in raws]
    if missing:
        raise SourceError(
            f"required table(s) {', '.join(missing)} not found in {source}: provide "
            f"{' and '.join(f'{m}.csv (or .parquet/.xlsx, a sheet or a database table named {m})' for m in missing)}"
            ", or name yours under `tables:` in params")
    names = customer_names(raws, params)
    frames, problems = _conform_all(raws, params, names)
    if problems:
        raise DataValidationError(problems)
    cleaned: dict[str, Cleaned] = {}
    for name, frame in frames.items():
        cleaned[name], found = clean_table(raws[name], frame, TABLES[name], params.as_of, names)
        problems.extend(found)
    for name, table in cleaned.items():
        if TABLES[name].has_customer_fk:
            problems.extend(resolve_orphans(raws[name], table, TABLES[name], cleaned["customers"], names))
    if problems:
        raise DataValidationError(problems)
    customers = cleaned["customers"]
    customers.kept = flag_contacts(customers.kept)
    customers.flags = {"invalid_phone": int((customers.kept["phone_valid"] == False).sum()),  # noqa: E712
                       "invalid_email": int((customers.kept["email_valid"] == False).sum())}  # noqa: E712
    accounting = {name: _account(raws[name], table) for name, table in cleaned.items()}
    for account in accounting.values():
        log.debug("%s: %d read, %d duplicates removed, %d quarantined, %d kept", account.table, account.rows_read,
                 account.duplicates_removed, account.quarantined, account.kept)
    mask = (lambda name, frame: mask_table(name, frame, names)) if params.masking else (lambda name, frame: frame)
    tables = {name: mask(name, table.kept.sort_values(list(TABLES[name].key), kind="stable")).reset_index(drop=True)
              for name, table in cleaned.items()}
    quarantine = {name: mask(name, table.quarantined).reset_index(drop=True) for name, table in cleaned.items()}
    return Dataset(tables, quarantine, accounting, source, params.masking)


def _account(raw: RawTable, table: Cleaned) -> TableAccount:
    return TableAccount(table=raw.name, origin=raw.origin, fingerprint=raw.fingerprint, encoding=raw.encoding,
                        rows_read=table.rows_read, duplicates_removed=table.duplicates_removed,
                        quarantined=len(table.quarantined), kept=len(table.kept), reasons=table.reasons,
                        flags=table.flags)
