"""The bad-input cases of tests/test_bad_input.py: one mutation of the demo data (300 customers, seed 3) each.

Every case states the exit status, the words the message must hold, the words it must never
show (personal values, passwords, raw tracebacks), and for runs that succeed the row accounting as
the change it makes to the unmutated base's ``table: (read, duplicates removed, quarantined, kept)``
(no entry: the table's accounting is the base's).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

SECRET = "S3cretPw"
QUARANTINE_ONE = (0, 0, 1, -1)


@dataclass(frozen=True)
class Case:
    """One malformed input: how to make it, what the user must see."""

    id: str
    mutate: Callable[[Path], list[str] | None]  # edits the data folder; may return extra CLI arguments
    exit: int
    words: tuple[str, ...] = ()
    never: tuple[str, ...] | Callable[[Path], tuple[str, ...]] = ()  # a callable reads them from the base
    accounting: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)  # change against the base
    exact: bool = True  # False: only rows read = kept + quarantined + duplicates is checked
    tables: tuple[str, ...] = ("customers", "transactions")  # tables of the base kept for the case
    command: str = "validate"


# --- helpers that edit one CSV of the data folder ----------------------------------------------------

def lines(folder: Path, table: str) -> list[str]:
    return (folder / f"{table}.csv").read_text(encoding="utf-8").split("\n")


def write_lines(folder: Path, table: str, rows: list[str], encoding: str = "utf-8") -> None:
    (folder / f"{table}.csv").write_bytes("\n".join(rows).encode(encoding))


def cell(folder: Path, table: str, line: int, column: str) -> str:
    rows = lines(folder, table)
    header = rows[0].split(",")
    return next(csv.reader([rows[line - 1]]))[header.index(column)]


def set_cell(folder: Path, table: str, line: int, column: str, value: str) -> None:
    """Set ``column`` on file line ``line`` (1 = header) of ``table``.csv."""
    rows = lines(folder, table)
    header = rows[0].split(",")
    fields = next(csv.reader([rows[line - 1]]))
    fields[header.index(column)] = value
    rows[line - 1] = csv_line(fields)
    write_lines(folder, table, rows)


def csv_line(fields: list[str]) -> str:
    """One CSV record (quoted where a field holds a delimiter, a quote or a line break)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(fields)
    return out.getvalue().removesuffix("\r\n")


def edit(table: str, line: int, column: str, value: str) -> Callable[[Path], None]:
    return lambda folder: set_cell(folder, table, line, column, value)


def params(text: str, *extra: str) -> Callable[[Path], list[str]]:
    def mutate(folder: Path) -> list[str]:
        (folder / "p.yaml").write_text(text, encoding="utf-8")
        return ["--params", str(folder / "p.yaml"), *extra]
    return mutate


def both(*steps: Callable[[Path], list[str] | None]) -> Callable[[Path], list[str]]:
    def mutate(folder: Path) -> list[str]:
        extra: list[str] = []
        for step in steps:
            extra += step(folder) or []
        return extra
    return mutate


def to_duckdb(extra_table: str | None = None) -> Callable[[Path], list[str]]:
    def mutate(folder: Path) -> list[str]:
        path = folder / "crm.duckdb"
        with duckdb.connect(str(path)) as connection:
            for table in ("customers", "transactions"):
                connection.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, all_varchar = true)",
                                   [str(folder / f"{table}.csv")])
            if extra_table:
                connection.execute(f'CREATE TABLE "{extra_table}" AS SELECT * FROM customers')
        return ["--data", f"duckdb:///{path}"]
    return mutate


def replace_text(table: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / f"{table}.csv"
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, count), encoding="utf-8")
    return mutate


def regex(table: str, pattern: str, new: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / f"{table}.csv"
        path.write_text(re.sub(pattern, new, path.read_text(encoding="utf-8")), encoding="utf-8")
    return mutate


def shift_left(folder: Path) -> None:
    """Line 5 of customers loses its customer_id: every value moves one column to the left."""
    rows = lines(folder, "customers")
    rows[4] = rows[4].split(",", 1)[1]
    write_lines(folder, "customers", rows)


def drop_header(folder: Path) -> None:
    write_lines(folder, "customers", lines(folder, "customers")[1:])


def unbalanced_quote(folder: Path) -> None:
    """tasks line 11 opens a quote in `feedback` that only line 16 closes: 5 records would merge."""
    rows = lines(folder, "tasks")
    for line, wrap in ((11, lambda v: '"' + v), (16, lambda v: v + '"')):
        fields = rows[line - 1].split(",")
        fields[7] = wrap(fields[7])
        rows[line - 1] = ",".join(fields)
    write_lines(folder, "tasks", rows)


def quoted_newline(folder: Path) -> None:
    set_cell(folder, "tasks", 11, "feedback", "first line\nsecond line of the same note")


def blank_lines_then_bad_enum(folder: Path) -> None:
    rows = lines(folder, "customers")
    rows[3:3] = ["", ""]  # two blank lines after file line 3
    rows[13] = rows[13].replace(",B2C,", ",VIP客户,").replace(",B2B,", ",VIP客户,")
    write_lines(folder, "customers", rows)


def extra_field(folder: Path) -> None:
    rows = lines(folder, "transactions")
    rows[9] += ",surplus"
    write_lines(folder, "transactions", rows)


def quote_never_closed(folder: Path) -> None:
    rows = lines(folder, "transactions")
    rows[-2] = rows[-2].replace(",online", ',"online', 1) if ",online" in rows[-2] else rows[-2] + ',"x'
    write_lines(folder, "transactions", rows)


def day_first(table: str, column: str, which: Callable[[int], bool]) -> Callable[[Path], None]:
    """Rewrite ``column`` dates of the lines chosen by ``which`` as DD/MM/YYYY."""
    def mutate(folder: Path) -> None:
        rows = lines(folder, table)
        index = rows[0].split(",").index(column)
        for number in range(2, len(rows) + 1):
            if not rows[number - 1] or not which(number):
                continue
            fields = next(csv.reader([rows[number - 1]]))
            fields[index] = re.sub(r"^(\d{4})-(\d\d)-(\d\d)", r"\3/\2/\1", fields[index])
            rows[number - 1] = csv_line(fields)
        write_lines(folder, table, rows)
    return mutate


def encode_customers(encoding: str, latin: bool = False) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        text = (folder / "customers.csv").read_text(encoding="utf-8")
        if latin:  # a Western export: no Chinese, one German name
            text = re.sub(r"[\u3400-\u9fff]+", "Li", text).replace("Sun Li", "Müller")
        (folder / "customers.csv").write_bytes(text.encode(encoding))
    return mutate


def write_bytes(table: str, content: bytes) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        (folder / f"{table}.csv").write_bytes(content)
    return mutate


def remove(table: str) -> Callable[[Path], None]:
    return lambda folder: (folder / f"{table}.csv").unlink()


def semicolons(folder: Path) -> None:
    for table in ("customers", "transactions"):
        text = (folder / f"{table}.csv").read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text)))
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
        (folder / f"{table}.csv").write_text(out.getvalue(), encoding="utf-8")


def transactions_before(day: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        rows = lines(folder, "transactions")
        kept = [rows[0]] + [r for r in rows[1:] if r and r.split(",")[2] < day]
        write_lines(folder, "transactions", kept + [""])
    return mutate


def with_parquet_twin(folder: Path) -> None:
    (folder / "customers.parquet").write_bytes(b"PAR1")


def personal_values(line: int) -> Callable[[Path], tuple[str, ...]]:
    """The name, contact, phone and e-mail on file line ``line`` of the base customers."""
    return lambda folder: tuple(cell(folder, "customers", line, column)
                                for column in ("name", "contact_name", "phone", "email"))


def traditional_names(encoding: str) -> Callable[[Path], None]:
    """Customers written in a Traditional-Chinese encoding, every name and contact a traditional name."""
    def mutate(folder: Path) -> None:
        text = (folder / "customers.csv").read_text(encoding="utf-8")
        text = re.sub(r"[\u3400-\u9fff]+", "陳大文", text)
        (folder / "customers.csv").write_bytes(text.encode(encoding))
    return mutate


def name_in_campaign_id(folder: Path) -> None:
    """A customer named 王建国, and a campaign id carrying that name: 回访-王建国-2025Q3."""
    set_cell(folder, "customers", 2, "name", "王建国")
    regex("outreach", r"\n([^,\n]+),", "\n回访-王建国-2025Q3,")(folder)


def cut_last_line(folder: Path) -> None:
    """transactions.csv ends inside its last record: no line break, the amount half written."""
    text = (folder / "transactions.csv").read_text(encoding="utf-8").rstrip("\n")
    (folder / "transactions.csv").write_text(text[: text.rfind(",", 0, text.rfind(",")) - 3], encoding="utf-8")


def without_leading_zeros(table: str, line: int) -> Callable[[Path], None]:
    """``customer_id`` on ``line`` as a spreadsheet reading ids as numbers leaves it: C000133 -> C133."""
    return lambda folder: set_cell(folder, table, line, "customer_id",
                                   re.sub(r"^([A-Za-z]*)0+", r"\1", cell(folder, table, line, "customer_id")))


def out_is_a_file(folder: Path) -> list[str]:
    (folder.parent / "reports-file").write_text("not a folder", encoding="utf-8")
    return ["--out", str(folder.parent / "reports-file")]


LONG_TEXT = "客户反馈, \"详细\" " + "很满意 " * 30_000  # 200 KB in one quoted field


OK: dict[str, tuple[int, int, int, int]] = {}
PERIOD = "period label"

CASES: list[Case] = [
    # 1. outputs stay inside --out: a period label is a label
    Case("period-traversal-in-params", params("start: 2025-07-01\nend: 2025-09-30\n"), 2,
         (PERIOD, "not valid"), command="validate-period:../../victim2"),
    Case("period-traversal-on-cli", lambda f: None, 2, (PERIOD, "not valid"),
         command="validate-period:../../../../../escaped"),
    Case("period-shell-characters", lambda f: None, 2, (PERIOD, "not valid"),
         command="validate-period:2025Q3; rm -rf /"),
    Case("period-with-space", lambda f: None, 2, (PERIOD,), command="validate-period:2025 Q3"),
    Case("period-named-with-dates", params("start: 2025-07-01\nend: 2025-09-30\n"), 0, accounting=OK,
         command="validate-period:spring_campaign-2025"),
    Case("period-unknown-form-without-dates", lambda f: None, 2, ("start", "end"), command="validate-period:2025Q5"),
    # 2. SQL never carries a user's text
    Case("sql-union-in-table-name", both(to_duckdb("customers2"),
                                         params("tables: {customers: 'x\" UNION ALL SELECT * FROM \"customers2'}\n")),
         2, ("not found", "it has", "`customers2`")),
    Case("sql-quote-in-table-name", both(to_duckdb(), params("tables: {customers: \"cust'omers\"}\n")), 2,
         ("not found", "`customers`")),
    Case("sql-renamed-table-is-read", both(to_duckdb("kunden"), params("tables: {customers: kunden}\n")), 0,
         accounting=OK),
    Case("sql-mysql-without-driver", lambda f: ["--data", f"mysql://crm:{SECRET}@localhost/crm"], 2,
         ("pip install pymysql", "mysql+pymysql://", "crm:***@"), never=(SECRET,)),
    Case("sql-unreachable-server-hides-password",
         lambda f: ["--data", f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:1/crm"], 2,
         ("cannot read the database", "***"), never=(SECRET,)),
    Case("sql-unknown-dialect", lambda f: ["--data", "nosuchdb://host/crm"], 2, ("database URL",)),
    Case("folder-table-name-with-path", params("tables: {customers: ../customers}\n"), 2,
         ("file name without a folder",)),
    Case("folder-named-table-missing", params("tables: {customers: 客户信息}\n"), 2, ("not found", "customers")),
    # 3. messages never print raw personal values
    Case("shifted-columns-hide-personal-values", shift_left, 2, ("row 5",),
         never=personal_values(5)),
    Case("file-without-header-hides-personal-values", drop_header, 2, ("does not look like a table",),
         never=personal_values(2)),
    Case("email-in-an-enumeration", edit("customers", 7, "customer_type", "wang.xiaoer@leak.cn"), 2,
         ("customer_type", "w***@leak.cn"), never=("wang.xiaoer@leak.cn",)),
    Case("phone-in-a-number-column", edit("transactions", 4, "amount", "call 13655554444"), 2,
         ("are not numbers", "136****4444"), never=("13655554444",)),
    Case("name-in-an-enumeration", edit("customers", 9, "size_tier", "郭靖"), 2, ("size_tier", "row 9"),
         never=("郭靖",)),
    # 4. no row is lost without a word
    Case("unbalanced-quote-merges-records", unbalanced_quote, 2, ("line 11", "quote"), tables=(
        "customers", "transactions", "tasks")),
    Case("quoted-newline-is-one-record", quoted_newline, 0,
         accounting=OK, tables=("customers", "transactions", "tasks")),
    Case("row-numbers-are-file-lines-after-blank-lines", blank_lines_then_bad_enum, 2, ("row 14", "VIP客户")),
    Case("too-many-fields", extra_field, 2, ("not a well-formed table",)),
    Case("quote-never-closed", quote_never_closed, 2, ("transactions",)),
    # 5. dates and numbers are never silently wrong
    Case("ambiguous-day-month", day_first("transactions", "transaction_date", lambda n: n == 4), 2,
         ("transaction_date", "ambiguous", "date_format")),
    Case("day-first-proved-by-the-column", day_first("transactions", "transaction_date", lambda n: True), 0,
         accounting=OK),
    Case("date-format-applied", both(day_first("customers", "signup_date", lambda n: True),
                                     params("date_format: {customers: {signup_date: '%d/%m/%Y'}}\n")), 0,
         accounting=OK),
    Case("date-format-applied-strictly", both(day_first("customers", "signup_date", lambda n: n != 6),
                                              params("date_format: {customers: {signup_date: '%d/%m/%Y'}}\n")), 2,
         ("do not match", "row 6")),
    Case("date-format-on-a-text-column", params("date_format: {customers: {region: '%d/%m/%Y'}}\n"), 2,
         ("not a date column",)),
    Case("decimal-comma-undeclared", edit("transactions", 6, "amount", "12,5"), 2, ("decimal comma", "decimal")),
    Case("decimal-comma-with-thousands", edit("transactions", 6, "amount", "1.234,56"), 2, ("decimal",)),
    Case("decimal-comma-declared", both(regex("transactions", r",(-?\d+)\.(\d+),", r',"\1,\2",'),
                                        params('decimal: {transactions: ","}\n')), 0, accounting=OK),
    Case("decimal-point-under-comma", both(regex("transactions", r",(-?\d+)\.(\d+),", r',"\1,\2",'),
                                           edit("transactions", 8, "amount", "12.5"),
                                           params('decimal: {transactions: ","}\n')), 2, ("decimal point",)),
    Case("thousands-separator-is-fine", edit("transactions", 6, "amount", "1,234.50"), 0, accounting=OK),
    Case("inf-amount-quarantined", edit("transactions", 6, "amount", "inf"), 0,
         accounting={"transactions": QUARANTINE_ONE}),
    Case("minus-inf-amount-quarantined", edit("transactions", 7, "amount", "-Infinity"), 0,
         accounting={"transactions": QUARANTINE_ONE}),
    Case("inf-in-an-integer-column", edit("surveys", 3, "csat", "inf"), 2, ("whole numbers",),
         tables=("customers", "transactions", "surveys")),
    Case("iso-milliseconds", edit("transactions", 5, "transaction_date", "2023-10-01T21:34:36.123"), 0,
         accounting=OK),
    Case("iso-z-and-offsets", both(edit("transactions", 5, "transaction_date", "2023-10-01T21:34:36Z"),
                                   edit("transactions", 6, "transaction_date", "2023-10-02T01:15:57+02:00")), 0,
         accounting=OK),
    Case("placeholder-dates-in-optional-columns",
         both(edit("tickets", 5, "resolved_at", "9999-12-31"), edit("tickets", 6, "first_response_at", "0001-01-01")),
         0, accounting=OK, tables=("customers", "transactions", "tickets")),
    Case("placeholder-date-in-a-required-column", edit("transactions", 6, "transaction_date", "1066-10-14"), 0,
         accounting={"transactions": QUARANTINE_ONE}),
    Case("placeholder-signup-date", edit("customers", 4, "signup_date", "9999-12-31"), 0, accounting=OK),
    Case("chinese-dates", edit("customers", 4, "signup_date", "2015年11月14日"), 0, accounting=OK),
    Case("bad-timezone", params("timezone: Mars/Olympus\n"), 2, ("timezone", "time zone")),
    Case("cp1252-asks-for-encoding", encode_customers("cp1252", latin=True), 2, ("encoding", "cp1252")),
    Case("cp1252-declared", both(encode_customers("cp1252", latin=True), params("encoding: {customers: cp1252}\n")),
         0, accounting=OK),
    Case("gbk-detected", encode_customers("gbk"), 0, accounting=OK),
    Case("gb18030-detected", encode_customers("gb18030"), 0, accounting=OK),
    Case("declared-encoding-is-wrong", both(encode_customers("gbk"), params("encoding: {customers: utf-8}\n")), 2,
         ("is not utf-8", "encoding")),
    Case("unknown-encoding-name", params("encoding: {customers: klingon}\n"), 2, ("not a known text encoding",)),
    Case("utf8-bom", encode_customers("utf-8-sig"), 0, accounting=OK),
    Case("utf16-file", encode_customers("utf-16"), 2, ("UTF-16",)),
    # 6. each failure is a message with the fix (and the ones that passed before)
    Case("missing-required-column", regex("customers", r"^customer_id,name,", "customer_id,fullname,"), 2,
         ("required column `name`", "columns:")),
    Case("text-in-a-number-column", edit("transactions", 3, "amount", "abc"), 2, ("are not numbers", "row 3")),
    Case("unknown-enumeration", edit("customers", 3, "customer_type", "VIP"), 2, ("values:", "'VIP'")),
    Case("duplicate-ids", edit("transactions", 5, "transaction_id", "T00000002"), 2, ("share a key",)),
    Case("orphan-customer", edit("transactions", 5, "customer_id", "C999999"), 2,
         ("not in the customers table", "C999999")),
    Case("empty-file", write_bytes("transactions", b""), 2, ("is empty",)),
    Case("header-only", write_bytes("transactions", b"transaction_id,customer_id,transaction_date,amount\n"), 2,
         ("no rows",)),
    Case("binary-file", write_bytes("transactions", bytes(range(256)) * 8), 2, ("binary",)),
    Case("semicolon-delimiter", semicolons, 0, accounting=OK),
    Case("bad-boolean", edit("outreach", 3, "responded", "maybe"), 2, ("yes/no",),
         tables=("customers", "transactions", "outreach")),
    Case("score-out-of-range", edit("surveys", 3, "csat", "9"), 0,
         accounting={"surveys": QUARANTINE_ONE}, tables=("customers", "transactions", "surveys")),
    Case("fractional-score", edit("surveys", 3, "csat", "4.5"), 2, ("whole numbers",),
         tables=("customers", "transactions", "surveys")),
    Case("negative-outreach-revenue", edit("outreach", 3, "revenue", "-5"), 0,
         accounting={"outreach": QUARANTINE_ONE}, tables=("customers", "transactions", "outreach")),
    Case("empty-required-value", edit("transactions", 3, "transaction_date", ""), 0,
         accounting={"transactions": QUARANTINE_ONE}),
    Case("future-date", edit("transactions", 3, "transaction_date", "2099-01-01"), 0,
         accounting={"transactions": QUARANTINE_ONE}),
    Case("missing-required-table", remove("transactions"), 2, ("required table", "transactions")),
    Case("two-files-for-one-table", with_parquet_twin, 2, ("keep one file",)),
    Case("misspelt-params-key", params("langauge: zh\n"), 2, ("did you mean `language`",)),
    Case("params-not-yaml", params("period: [2025Q3\n"), 2, ("not valid YAML",)),
    Case("data-folder-missing", lambda f: ["--data", str(f / "nowhere")], 2, ("does not exist",)),
    Case("all-transactions-before-the-window", transactions_before("2024-01-01"), 0,
         exact=False),
    Case("unknown-only", lambda f: None, 2, ("--only", "no such notebook"), command="run-only:nonexistent"),
    # 7. personal values in any shape never reach a message or a log (issue 26)
    Case("phone-with-country-code-in-an-enumeration", edit("customers", 7, "customer_type", "call +86 1381 234 5671"),
         2, ("customer_type", "138****5671"), never=("1381 234", "234 5671")),
    Case("full-width-phone-in-a-number-column", edit("transactions", 4, "amount", "电话１３８１２３４５６７１"), 2,
         ("amount", "138****5671"), never=("１２３４",)),
    Case("full-width-e-mail-in-an-enumeration", edit("customers", 7, "customer_type", "wang.xiaoer＠leak.cn"), 2,
         ("customer_type", "w***@leak.cn"), never=("wang.xiaoer", "ang.xiao")),
    Case("chinese-e-mail-in-an-enumeration", edit("customers", 7, "size_tier", "王小二@公司.cn"), 2,
         ("size_tier", "王***@公司.cn"), never=("王小二", "小二")),
    Case("resident-id-in-an-enumeration", edit("customers", 7, "customer_type", "11010519900307123X"), 2,
         ("customer_type", "110***********123X"), never=("0105199003",)),
    Case("wechat-id-in-an-enumeration", edit("customers", 7, "customer_type", "微信: wxid_leak123"), 2,
         ("customer_type",), never=("wxid_leak123", "xid_leak")),
    Case("name-in-a-campaign-id-is-refused", name_in_campaign_id, 2, ("campaign_id", "personal data", "王*"),
         never=("王建国",), tables=("customers", "transactions", "outreach")),
    Case("phone-as-customer-id-is-refused", edit("customers", 3, "customer_id", "13812345671"), 2,
         ("customer_id", "personal data", "138****5671"), never=("13812345671",)),
    Case("e-mail-as-customer-id-is-refused", edit("customers", 3, "customer_id", "li.lei@leak.cn"), 2,
         ("customer_id", "personal data", "l***@leak.cn"), never=("li.lei",)),
    Case("traditional-encoding-guess-quotes-no-name", traditional_names("big5"), 2, ("encoding", "big5"),
         never=("陳大文", "大文", "陳")),
    Case("database-password-not-percent-encoded",
         lambda f: ["--data", "postgresql+psycopg://crm:p@ss/w0rd#Xq@127.0.0.1:1/crm"], 2,
         ("percent-encode", "crm:***@"), never=("p@ss", "ss/w0rd", "w0rd#Xq", "#Xq")),
    # 8. no input crashes a run (issue 26)
    Case("mixed-time-zone-suffixes", both(edit("transactions", 5, "transaction_date", "2023-10-01T21:34:36Z"),
                                         edit("transactions", 6, "transaction_date", "2023-10-02 01:15:57 UTC"),
                                         edit("transactions", 7, "transaction_date", "2023-10-02T01:15:57-05"),
                                         edit("transactions", 8, "transaction_date", "2023-10-02T01:15:57+0530")),
         0, accounting=OK),
    Case("amount-near-the-float-limit-quarantined", both(edit("transactions", 6, "amount", "1e308"),
                                                        edit("transactions", 7, "amount", "-1.7976931348623157e308")),
         0, accounting={"transactions": (0, 0, 2, -2)}),
    Case("out-is-a-file", out_is_a_file, 2, ("is a file, not a folder",), command="run"),
    Case("out-cannot-be-written", lambda f: ["--out", "/proc/crmreport-reports"], 2, ("cannot write into",),
         command="run"),
    Case("long-quoted-free-text", edit("tasks", 5, "feedback", LONG_TEXT), 0, accounting=OK,
         tables=("customers", "transactions", "tasks")),
    Case("megabyte-free-text", edit("tasks", 6, "problem", "abc123def. " * 95_000 + "call 13812345671"), 0,
         ("32,767 characters", "row 6"), never=("13812345671",), accounting=OK,
         tables=("customers", "transactions", "tasks")),
    Case("nul-in-free-text-is-removed", edit("tasks", 5, "feedback", "fine\x00 thanks"), 0, ("control characters",),
         never=("\x00",), accounting=OK, tables=("customers", "transactions", "tasks")),
    # 9. nothing read wrong in silence (issue 26)
    Case("file-cut-inside-its-last-line", cut_last_line, 2, ("cut off", "line 3401")),  # the last line of the base
    Case("column-named-twice", regex("customers", r"^customer_id,name,customer_type,industry,size_tier,region,",
                                     "customer_id,name,customer_type,industry,size_tier,industry,"), 2,
         ("`industry`", "twice")),
    Case("room-number-in-a-date-column", edit("tickets", 5, "resolved_at", "room 3001"), 2,
         ("resolved_at", "not dates", "row 5"), tables=("customers", "transactions", "tickets")),
    Case("decimal-in-a-date-column", edit("tickets", 6, "first_response_at", "7969.39"), 2,
         ("first_response_at", "row 6"), tables=("customers", "transactions", "tickets")),
    Case("only-given-twice-reads-both", lambda f: None, 2, ("--only", "nonexistent"),
         command="run-only:nonexistent --only profiling"),
    # 10. messages that say what is wrong (issue 26)
    Case("extra-field-names-the-count", extra_field, 2, ("line 10 has 7 fields", "header has 6", "quote")),
    Case("full-width-digits-are-numbers", edit("transactions", 6, "amount", "１２３４．５０"), 0, accounting=OK),
    Case("run-period-with-path-parts", lambda f: None, 2, ("'../../escaped'", "not valid"),
         command="run-period:../../escaped"),
    Case("header-only-optional-table", write_bytes("tickets", b"ticket_id,customer_id,opened_at,priority\n"), 2,
         ("no rows", "remove the file"), tables=("customers", "transactions", "tickets")),
    Case("ids-differing-by-leading-zeros", without_leading_zeros("transactions", 5), 2,
         ("not in the customers table", "leading zeros")),
]
