"""From a source to the validated, cleaned and masked tables of a run, with row accounting.

``prepare_dataset`` is the one entry point: read -> conform -> clean -> resolve orphans ->
flag contacts -> mask. Every problem that makes the data unusable is collected across all
tables and raised together as one :class:`DataValidationError`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import pandas as pd
import pyarrow as arrow

from ..core.contract import REQUIRED_TABLES, TABLES
from ..core.errors import DataValidationError, SourceError
from ..engine import Engine
from ..settings import Params
from .clean import Cleaned, clean_table, flag_contacts, resolve_orphans
from .masking import NameFinder, mask_counted
from .sources import RawTable, describe_source, table_readers
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
    #: column -> cells in which masking replaced a personal value (kept and quarantined rows)
    masked: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rows_read != self.kept + self.quarantined + self.duplicates_removed:
            raise AssertionError(f"row accounting of {self.table} does not add up: {self}")


@dataclass
class Dataset:
    """The tables a period's analyses read: kept rows sorted by key (so every kind of source gives the
    same frames), masked unless masking is off."""

    tables: Mapping[str, pd.DataFrame]
    quarantine: dict[str, pd.DataFrame]
    accounting: dict[str, TableAccount]
    source: str
    masked: bool
    #: where measures over these tables run (params ``engine``; :func:`crmreport.reporting.context.open_period`)
    engine: Engine = field(default_factory=Engine)

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

    def unread_file(self, table: str) -> Path | None:
        """The Parquet file of ``table`` while it is still only on disk (a run's prepared table that no
        one has read whole), so a query can scan the file instead; None for tables in memory."""
        locate = getattr(self.tables, "unread_file", None)
        return locate(table) if locate is not None else None

    @property
    def missing_tables(self) -> list[str]:
        return [name for name in TABLES if name not in self.tables]

    def accounting_frame(self) -> pd.DataFrame:
        """One row per table: rows read, duplicates removed, quarantined, kept."""
        columns = ["table", "rows_read", "duplicates_removed", "quarantined", "kept"]
        rows = [{c: getattr(account, c) for c in columns} for account in self.accounting.values()]
        return pd.DataFrame(rows, columns=columns)

    def save_accounting(self, folder: Path) -> None:
        """Write the source, masking and row accounting as JSON beside the tables' Parquet files."""
        folder.mkdir(parents=True, exist_ok=True)
        meta = {"source": self.source, "masked": self.masked,
                "accounting": {name: asdict(account) for name, account in self.accounting.items()}}
        (folder / ACCOUNTING_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")

    def save(self, folder: Path) -> None:
        """Write the tables as Parquet and the accounting as JSON (what :func:`load_prepared` reads)."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in self.tables.items():
            frame.to_parquet(folder / f"{name}.parquet", index=False)
        self.save_accounting(folder)


class PreparedTables(Mapping[str, pd.DataFrame]):
    """Prepared tables in a folder of Parquet files, each read when first used.

    A notebook holds only the tables it reads (notebook 03 never loads the interactions), once.
    """

    def __init__(self, folder: Path, names: list[str]):
        self.folder, self.names, self.loaded = folder, names, {}
        self.partial: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self.names:
            raise KeyError(name)
        if name not in self.loaded:
            self.loaded[name] = pd.read_parquet(self.folder / f"{name}.parquet")
            self.partial.pop(name, None)
        return self.loaded[name]

    def read_columns(self, name: str, columns: list[str]) -> pd.DataFrame:
        """A frame of table ``name`` with at least ``columns``: the whole table when it is loaded, else the
        columns read so far plus the missing ones (read alone from the Parquet file); see :meth:`Dataset.columns`."""
        if name not in self.names:
            raise KeyError(name)
        if name in self.loaded:
            return self.loaded[name]
        have = self.partial.get(name)
        missing = [c for c in dict.fromkeys(columns) if have is None or c not in have.columns]
        if missing:
            read = pd.read_parquet(self.folder / f"{name}.parquet", columns=missing)
            self.partial[name] = read if have is None else pd.concat([have, read], axis=1)
        return self.partial[name]

    def unread_file(self, name: str) -> Path | None:
        """The Parquet file of table ``name`` when it has not been read whole, else None."""
        path = self.folder / f"{name}.parquet"
        return path if name in self.names and name not in self.loaded and path.is_file() else None

    def __contains__(self, name: object) -> bool:
        return name in self.names  # without reading the table (Mapping's default would)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


def load_prepared(folder: Path) -> Dataset:
    """The dataset prepared in ``folder`` (:meth:`Dataset.save` or ``prepare_dataset(into=...)``), read lazily."""
    meta = json.loads((folder / ACCOUNTING_FILE).read_text(encoding="utf-8"))
    accounting = {name: TableAccount(**account) for name, account in meta["accounting"].items()}
    return Dataset(PreparedTables(folder, list(accounting)), {}, accounting, meta["source"], meta["masked"])


def customer_names(raw: RawTable | None, params: Params) -> NameFinder:
    """The raw names and contact names of the customers table, to find where they recur in other text."""
    if raw is None:
        return NameFinder()
    mapping = params.columns.get("customers", {})
    values = []
    for column in raw.frame.columns:
        header = str(column).strip().lstrip("\ufeff")
        if mapping.get(header, header.lower()) in ("name", "contact_name"):
            values.extend(raw.frame[column].dropna().astype(str).unique())
    return NameFinder(values)


def _conform(raw: RawTable, cells: pd.DataFrame, params: Params, names: NameFinder) -> tuple[pd.DataFrame, list[str]]:
    reading = Reading(params.decimal_for(raw.name), params.date_format.get(raw.name, {}), params.timezone)
    frame, found = conform(raw, cells, TABLES[raw.name], params.columns.get(raw.name, {}),
                           params.values.get(raw.name, {}), names, reading)
    if not found and frame.empty:
        fix = "export the table again with its rows" if TABLES[raw.name].required else \
            "export its rows, or remove the file if there is nothing to report on (the table is optional)"
        found = [f"table {raw.name}: {raw.origin} has a header but no rows; {fix}"]
    return frame, found


def prepare_dataset(params: Params, into: Path | None = None) -> Dataset:
    """Read, validate, clean and mask the period's source data, one table at a time.

    Customers come first (their names are looked for in other tables' text, their ids resolve the
    other tables' ``customer_id``); then each table is read, conformed, cleaned, resolved, masked
    and sorted before the next is read. With ``into``, each final table is written there as Parquet
    and dropped from memory (the dataset reads it back on use): a run holds one large table at a time.

    Raises
    ------
    SourceError
        When the source or a file cannot be read as a table.
    DataValidationError
        When tables break the contract; the message lists every problem with example rows (all the
        type problems of every table; else all the cleaning and orphan problems).
    """
    source = describe_source(params.data)
    readers = table_readers(params.data, params.tables, params.encoding)
    missing = [name for name in REQUIRED_TABLES if name not in readers]
    if missing:
        raise SourceError(
            f"required table(s) {', '.join(missing)} not found in {source}: provide "
            f"{' and '.join(f'{m}.csv (or .parquet/.xlsx, a sheet or a database table named {m})' for m in missing)}"
            ", or name yours under `tables:` in params")
    first = readers["customers"]()
    names = customer_names(first, params)
    def mask(name: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
        return mask_counted(name, frame, names) if params.masking else (frame, {})

    type_problems: list[str] = []
    problems: list[str] = []
    accounting: dict[str, TableAccount] = {}
    tables: dict[str, pd.DataFrame] = {}
    quarantine: dict[str, pd.DataFrame] = {}
    customer_ids = quarantined_ids = pd.Series(dtype="str")
    for name, read in readers.items():  # contract order: customers first
        raw = first if name == "customers" else read()
        cells, raw = raw.frame, replace(raw, frame=pd.DataFrame(columns=raw.frame.columns))
        first = None
        frame, found = _conform(raw, cells, params, names)  # consumes `cells`: one copy of the table at a time
        del cells
        type_problems.extend(found)
        if type_problems:  # the run stops on these; the other tables are still checked for them
            continue
        cleaned, found = clean_table(raw, frame, TABLES[name], params.as_of, names)
        del frame
        problems.extend(found)
        if name == "customers":
            cleaned.kept = flag_contacts(cleaned.kept)
            cleaned.flags = {"invalid_phone": int((cleaned.kept["phone_valid"] == False).sum()),  # noqa: E712
                             "invalid_email": int((cleaned.kept["email_valid"] == False).sum())}  # noqa: E712
            customer_ids, quarantined_ids = cleaned.kept["customer_id"], cleaned.quarantined["customer_id"]
        elif TABLES[name].has_customer_fk:
            problems.extend(resolve_orphans(raw, cleaned, TABLES[name], customer_ids, quarantined_ids, names))
        accounting[name] = _account(raw, cleaned)
        if problems:  # the run stops: nothing more to keep
            continue
        log.debug("%s: %d read, %d duplicates removed, %d quarantined, %d kept", name, cleaned.rows_read,
                  cleaned.duplicates_removed, len(cleaned.quarantined), len(cleaned.kept))
        held, masked_held = mask(name, cleaned.quarantined)
        quarantine[name] = held.reset_index(drop=True)
        final, masked = mask(name, cleaned.kept.sort_values(list(TABLES[name].key), kind="stable"))
        final = final.reset_index(drop=True)
        del cleaned, held
        masked = {column: masked.get(column, 0) + masked_held.get(column, 0) for column in {*masked, *masked_held}}
        accounting[name] = replace(accounting[name], masked=dict(sorted(masked.items())))
        if masked:
            log.debug("table %s: personal values masked in %s", name,
                     ", ".join(f"{column} ({count} cell(s))" for column, count in sorted(masked.items())))
        if into is None:
            tables[name] = final
        else:
            into.mkdir(parents=True, exist_ok=True)
            final.to_parquet(into / f"{name}.parquet", index=False)
        del final
        arrow.default_memory_pool().release_unused()  # give the table's memory back before the next is read
    if type_problems or problems:
        raise DataValidationError(type_problems or problems)
    dataset = Dataset(tables if into is None else PreparedTables(into, list(accounting)), quarantine, accounting,
                      source, params.masking)
    if into is not None:
        dataset.save_accounting(into)
    return dataset


def _account(raw: RawTable, table: Cleaned) -> TableAccount:
    return TableAccount(table=raw.name, origin=raw.origin, fingerprint=raw.fingerprint, encoding=raw.encoding,
                        rows_read=table.rows_read, duplicates_removed=table.duplicates_removed,
                        quarantined=len(table.quarantined), kept=len(table.kept), reasons=table.reasons,
                        flags=table.flags)
