"""Read raw tables from a source: a folder of files, one XLSX workbook, or a SQL database.

Nothing here interprets values: every table comes back as read, with the position of its
first data row so that messages can point at the row a person sees in the file.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path

import pandas as pd

from ..core.contract import TABLES
from ..core.errors import SourceError
from ..core.redact import UNENCODED, redact_text, unencoded_password
from .csvfile import MISSING_MARKERS, decode_csv, parse_csv

log = logging.getLogger("crmreport")

FILE_SUFFIXES: tuple[str, ...] = (".csv", ".parquet", ".xlsx")


@dataclass(frozen=True)
class RawTable:
    """A table as read from its source.

    ``first_row`` is the row number a person sees for the first data row (2 in a CSV or
    sheet with a header line, 1 for a database table), so row ``i`` of ``frame`` is
    ``first_row + i`` in the source.
    """

    name: str
    frame: pd.DataFrame
    origin: str
    first_row: int
    fingerprint: str
    encoding: str | None = None
    #: for a CSV: the file line on which each row of ``frame`` starts (blank lines and quoted
    #: line breaks make it differ from ``first_row + i``)
    lines: tuple[int, ...] | None = None

    def row_number(self, position: int) -> int:
        """The row (file line) a person sees for frame position ``position``."""
        return self.lines[position] if self.lines is not None else self.first_row + position


def embedded_demo_path() -> Path:
    """Folder of the small demo data set that ships inside the package."""
    return Path(str(resources.files("crmreport").joinpath("data", "demo")))


#: how :func:`describe_source` names the embedded demo data (reports show a catalog label for it)
DEMO_SOURCE = "embedded demo data"


def describe_source(data: str | None) -> str:
    """Human description of a source, without credentials."""
    if not data:
        return DEMO_SOURCE
    if "://" in data:
        from sqlalchemy.engine import make_url

        if unencoded_password(data):
            return redact_text(data)
        return make_url(data).render_as_string(hide_password=True)
    return data


#: reads one table when called
TableReader = Callable[[], RawTable]


def table_readers(data: str | None, table_names: dict[str, str] | None = None,
                  encodings: dict[str, str] | None = None) -> dict[str, TableReader]:
    """A reader per contract table the source holds, in contract order.

    A folder's files are read only when their reader is called, so a caller can hold one large
    table at a time; a workbook or a database is read at once. Parameters as :func:`read_tables`.
    """
    names = {table: (table_names or {}).get(table, table) for table in TABLES}
    named = set(table_names or {})
    if not data:
        return _folder_readers(embedded_demo_path(), names, named, {})
    if "://" in data:
        return _ready(_read_database(data, names, named))
    path = Path(data)
    if path.is_dir():
        return _folder_readers(path, names, named, encodings or {})
    if path.is_file() and path.suffix.lower() == ".xlsx":
        return _ready(_read_workbook(path, names, named))
    if path.exists():
        raise SourceError(f"data source {path} is neither a folder, an .xlsx workbook nor a database URL")
    raise SourceError(f"data source {path} does not exist; check `data:` in params or --data")


def read_tables(data: str | None, table_names: dict[str, str] | None = None,
                encodings: dict[str, str] | None = None) -> dict[str, RawTable]:
    """Read every contract table the source holds.

    Parameters
    ----------
    data
        Folder, ``.xlsx`` workbook, SQLAlchemy URL, or ``None`` for the embedded demo data.
    table_names
        Contract table -> name in the source (file stem, sheet or database table) where they differ.
    encodings
        Contract table -> text encoding of its CSV file (``encoding:`` in params); default: detected.
    """
    return {table: read() for table, read in table_readers(data, table_names, encodings).items()}


def _ready(tables: dict[str, RawTable]) -> dict[str, TableReader]:
    return {table: (lambda raw=raw: raw) for table, raw in tables.items()}


def _fingerprint(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _frame_fingerprint(frame: pd.DataFrame) -> str:
    hashed = pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes() + "|".join(map(str, frame.columns)).encode()).hexdigest()


def _folder_readers(folder: Path, names: dict[str, str], named: set[str],
                    encodings: dict[str, str]) -> dict[str, TableReader]:
    readers: dict[str, TableReader] = {}
    for table, stem in names.items():
        if table in named and (Path(stem).name != stem or stem in ("", ".", "..")):
            raise SourceError(f"`tables: {{{table}: {stem}}}` in params must be a file name without a folder "
                              f"(a file in {folder}); put the files of a period in one folder")
        candidates = [folder / f"{stem}{suffix}" for suffix in FILE_SUFFIXES if (folder / f"{stem}{suffix}").is_file()]
        if len(candidates) > 1:
            raise SourceError(
                f"table {table}: {folder} holds {', '.join(p.name for p in candidates)}; keep one file per table")
        if candidates:
            readers[table] = partial(read_file, table, candidates[0], encodings.get(table))
    stems = sorted({p.stem for p in folder.iterdir() if p.suffix.lower() in FILE_SUFFIXES})
    check_named_tables(stems, names, named, f"the folder {folder} (as .csv, .parquet or .xlsx)")
    return readers


def read_file(table: str, path: Path, encoding: str | None = None) -> RawTable:
    """Read one CSV, Parquet or XLSX file as table ``table`` (a CSV in ``encoding`` when given)."""
    content = path.read_bytes()
    if not content.strip():
        raise SourceError(f"table {table}: {path} is empty; export the table again with its header row")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text, encoding = decode_csv(table, path, content, encoding)
        frame, lines = parse_csv(table, path, text)
        return RawTable(table, frame, str(path), lines[0] if lines else 2, _fingerprint(content), encoding, lines)
    if suffix == ".parquet":
        try:
            # the Arrow table's buffers are freed while the frame is built: one copy of the table at a time
            frame = pd.read_parquet(io.BytesIO(content), to_pandas_kwargs={"self_destruct": True, "split_blocks": True})
        except Exception as exc:  # pyarrow raises several unrelated types for non-parquet bytes
            raise SourceError(f"table {table}: {path} is not a Parquet table ({exc.__class__.__name__}); "
                              "export it again as Parquet or CSV") from None
        return RawTable(table, frame, str(path), 1, _fingerprint(content))
    frame = _read_sheet(table, path, content, sheet=0)
    return RawTable(table, frame, str(path), 2, _fingerprint(content))


def _read_sheet(table: str, path: Path, content: bytes, sheet: str | int) -> pd.DataFrame:
    try:
        frame = pd.read_excel(io.BytesIO(content), sheet_name=sheet, engine="openpyxl", na_values=MISSING_MARKERS,
                              keep_default_na=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SourceError(f"table {table}: {path} is not a readable XLSX workbook ({exc}); "
                          "save it again from Excel as .xlsx") from None
    return frame


def _read_workbook(path: Path, names: dict[str, str], named: set[str]) -> dict[str, RawTable]:
    content = path.read_bytes()
    try:
        sheets = pd.ExcelFile(io.BytesIO(content), engine="openpyxl").sheet_names
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SourceError(f"{path} is not a readable XLSX workbook ({exc}); save it again from Excel as .xlsx") \
            from None
    check_named_tables([str(sheet) for sheet in sheets], names, named, f"the workbook {path} (as a sheet)")
    tables: dict[str, RawTable] = {}
    for table, sheet in names.items():
        if sheet in sheets:
            frame = _read_sheet(table, path, content, sheet)
            tables[table] = RawTable(table, frame, f"{path}[{sheet}]", 2, _frame_fingerprint(frame))
    return tables


#: database dialect -> (driver package to install, URL scheme that uses it)
DRIVER_HINTS: dict[str, tuple[str, str]] = {
    "postgresql": ("psycopg", "postgresql+psycopg://"),
    "mysql": ("pymysql", "mysql+pymysql://"),
    "mariadb": ("pymysql", "mariadb+pymysql://"),
    "mssql": ("pyodbc", "mssql+pyodbc://"),
    "oracle": ("oracledb", "oracle+oracledb://"),
}


def _read_database(url: str, names: dict[str, str], named: set[str]) -> dict[str, RawTable]:
    """Read contract tables from a database: DuckDB natively, anything else through SQLAlchemy.

    Table names never enter SQL text unchecked: each is looked up in the database's catalog
    first and then quoted as an identifier by the driver (a name the catalog does not hold is
    reported with the names it does hold).
    """
    shown = describe_source(url)
    if unencoded_password(url):
        raise SourceError(f"the password in the database URL {shown} holds one of {' '.join(UNENCODED)} written as "
                          "is, so the URL cannot be split into user, password and host. Fix: percent-encode them "
                          "in the password (@ as %40, / as %2F, # as %23, ? as %3F)")
    if url.startswith("duckdb:///"):
        tables = _read_duckdb(url.removeprefix("duckdb:///"), names, named, shown)
    else:
        tables = _read_sqlalchemy(url, names, named, shown)
    log.info("read %d table(s) from %s", len(tables), shown)
    return tables


def check_named_tables(present: list[str], names: dict[str, str], named: set[str], where: str) -> None:
    """Raise when a table named under ``tables:`` in params is not in the source's catalog."""
    for table in sorted(named):
        if names[table] not in present:
            close = difflib.get_close_matches(names[table], present, n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            listed = ", ".join(f"`{name}`" for name in sorted(present)[:30]) or "no tables"
            raise SourceError(f"table `{names[table]}` (named for {table} under `tables:` in params) not found in "
                              f"{where}{hint}; it has: {listed}. Fix `tables: {{{table}: ...}}` in params")


def quote_identifier(name: str) -> str:
    """SQL-standard quoted identifier: ``"name"`` with embedded quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def _read_duckdb(path: str, names: dict[str, str], named: set[str], shown: str) -> dict[str, RawTable]:
    import duckdb

    if not Path(path).is_file():
        raise SourceError(f"the DuckDB file {path} does not exist; check `data:` in params or --data")
    try:
        with duckdb.connect(path, read_only=True) as connection:
            present = [row[0] for row in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()]
            check_named_tables(present, names, named, f"the database {shown}")
            return {table: _database_table(
                        table, connection.execute(f"SELECT * FROM {quote_identifier(source)}").df(), shown, source)
                    for table, source in names.items() if source in present}
    except duckdb.Error as exc:
        raise SourceError(f"cannot read the DuckDB database {shown}: {str(exc).splitlines()[0]}") from None


def _create_engine(url: str, shown: str):
    import sqlalchemy as sa

    try:
        return sa.create_engine(url)
    except ImportError as exc:
        dialect = url.split("://", 1)[0].split("+", 1)[0]
        package, scheme = DRIVER_HINTS.get(dialect, (exc.name or "the database driver", f"{dialect}+<driver>://"))
        raise SourceError(f"cannot connect to {shown}: its database driver is not installed ({exc.name}). Fix: "
                          f"`pip install {package}` and write the URL as {scheme}...") from None
    except sa.exc.SQLAlchemyError as exc:
        raise SourceError(f"cannot use the database URL {shown}: {str(exc).splitlines()[0]}; write it as "
                          "dialect+driver://user:password@host/database (see docs/data-contract.md)") from None
    except ValueError as exc:
        raise SourceError(f"cannot use the database URL {shown}: {exc}") from None


def _read_sqlalchemy(url: str, names: dict[str, str], named: set[str], shown: str) -> dict[str, RawTable]:
    import sqlalchemy as sa

    engine = _create_engine(url, shown)
    try:
        with engine.connect() as connection:
            present = sa.inspect(connection).get_table_names()
            check_named_tables(present, names, named, f"the database {shown}")
            return {table: _database_table(table, pd.read_sql_table(source, connection), shown, source)
                    for table, source in names.items() if source in present}
    except sa.exc.SQLAlchemyError as exc:
        raise SourceError(f"cannot read the database {shown}: {exc.__class__.__name__}: "
                          f"{str(exc).splitlines()[0]}; check the URL, the server and the credentials") from None
    finally:
        engine.dispose()


def _database_table(table: str, frame: pd.DataFrame, shown: str, source: str) -> RawTable:
    return RawTable(table, frame, f"{shown} table {source}", 1, _frame_fingerprint(frame))
