"""The SQL counts behind the quality scorecard against a pandas oracle on small frames, frames and Parquet alike."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date

import numpy as np
import pandas as pd
import pytest

from crmreport.analyses.profiling import quality
from crmreport.analyses.profiling.checks import WHITESPACE, table_checks
from crmreport.core.contract import TABLES
from crmreport.ingest.dataset import ACCOUNTING_FILE, Dataset, TableAccount, load_prepared

PERIOD_END = date(2025, 9, 30)


def _frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """A frame with every contract column of ``table`` (missing values empty), typed like a prepared table."""
    columns = {c.name: c for c in TABLES[table].columns}
    flags = ["phone_valid", "email_valid"] if table == "customers" else []  # the loader's contact flags
    frame = pd.DataFrame(rows, columns=[*columns, *flags]).astype({flag: "boolean" for flag in flags})
    for name, col in columns.items():
        if col.kind in ("date", "datetime"):
            frame[name] = pd.to_datetime(frame[name], format="ISO8601").astype("datetime64[ns]")
        elif col.kind == "number":
            frame[name] = pd.to_numeric(frame[name]).astype("float64")
        elif col.kind == "integer":
            frame[name] = pd.to_numeric(frame[name]).astype("Int64")
        elif col.kind == "bool":
            frame[name] = frame[name].astype("boolean")
        else:
            frame[name] = frame[name].astype("str")
    return frame


def _customers() -> pd.DataFrame:
    base = {"name": "n", "customer_type": "B2B", "industry": "retail", "size_tier": "large", "region": "East China",
            "signup_date": "2024-01-01", "account_manager": "Wang", "contact_name": "c", "phone": "138",
            "email": "a@b.cn", "need_tags": "x", "phone_valid": True, "email_valid": True}
    return _frame("customers", [
        {**base, "customer_id": "C1"},
        {**base, "customer_id": "C2", "account_manager": " \u3000", "size_tier": None, "phone_valid": False},
        {**base, "customer_id": "C2", "customer_type": "B2X", "email": "\t", "email_valid": False},  # duplicate key
        {**base, "customer_id": "  ", "signup_date": "2025-10-03", "need_tags": ""},  # blank key
        {**base, "customer_id": "C5", "name": "\u3000\u2003", "contact_name": "\u3000李雷", "region": "\u4e1c "},
    ])


def _transactions() -> pd.DataFrame:
    return _frame("transactions", [
        {"transaction_id": "T1", "customer_id": "C1", "transaction_date": "2025-09-30 23:00", "amount": 10.0},
        {"transaction_id": "T2", "customer_id": "C9", "transaction_date": "2025-10-01", "amount": np.nan},  # orphan
        {"transaction_id": "T2", "customer_id": None, "transaction_date": None, "amount": -5.0},  # orphan, dup key
        {"transaction_id": "T3", "customer_id": "C2", "transaction_date": "2025-08-01", "amount": 1.0},
    ])


def _oracle(frame: pd.DataFrame, table: str, customers: pd.DataFrame | None) -> dict:
    """The counts by plain Python over the rows (the definitions of the quality module)."""
    spec = TABLES[table]

    def empty(value) -> bool:
        return value is None or pd.isna(value) or (isinstance(value, str) and value.strip() == "")

    rows = frame.to_dict("records")
    empties = {c.name: sum(empty(r[c.name]) for r in rows) for c in spec.columns}
    invalid = {}
    for col in spec.columns:
        flag = {"phone": "phone_valid", "email": "email_valid"}.get(col.name) if table == "customers" else None

        def bad(row, col=col, flag=flag) -> bool:
            if flag:
                return row[flag] is False
            if col.choices:
                return str(row[col.name]) not in col.choices
            if col.low is not None or col.high is not None:
                number = float(row[col.name])
                return (col.low is not None and number < col.low) or (col.high is not None and number > col.high)
            return False

        invalid[col.name] = sum(not empty(r[col.name]) and bad(r) for r in rows)
    keys = [tuple(r[k] for k in spec.key) for r in rows if not any(empty(r[k]) for k in spec.key)]
    known = set(customers["customer_id"]) if customers is not None else None
    return {"rows": len(rows), "empty": empties, "invalid": invalid, "key_rows": len(keys),
            "distinct_keys": len(set(keys)),
            "orphans": None if known is None or table == "customers"
            else sum(r["customer_id"] not in known or pd.isna(r["customer_id"]) for r in rows)}


def _dataset(tables: dict[str, pd.DataFrame]) -> Dataset:
    accounting = {name: TableAccount(name, f"{name}.csv", "x", None, len(f), 0, 0, len(f))
                  for name, f in tables.items()}
    return Dataset(tables, {}, accounting, "test", False)


def _save(data: Dataset, folder) -> Dataset:
    """``data`` written like a run's prepared folder and opened lazily."""
    folder.mkdir()
    for name, frame in data.tables.items():
        frame.to_parquet(folder / f"{name}.parquet")
    meta = {"accounting": {n: asdict(a) for n, a in data.accounting.items()}, "source": "test", "masked": False}
    (folder / ACCOUNTING_FILE).write_text(json.dumps(meta), encoding="utf-8")
    return load_prepared(folder)


@pytest.fixture
def small():
    return _dataset({"customers": _customers(), "transactions": _transactions()})


def test_counts_match_the_python_oracle(small):
    checks = table_checks(small, PERIOD_END)
    assert list(checks) == ["customers", "transactions"]
    for name, check in checks.items():
        expected = _oracle(small.tables[name], name, small.tables["customers"])
        got = {"rows": check.rows, "empty": check.empty, "invalid": check.invalid, "key_rows": check.key_rows,
               "distinct_keys": check.distinct_keys, "orphans": check.orphans}
        assert got == expected, name
    # by hand: blank key '  ' and the ideographic-space manager are empty; C2 twice; T2 twice; C9 and None orphans
    assert checks["customers"].empty["account_manager"] == 1
    assert checks["customers"].empty["name"] == 1 and checks["customers"].empty["contact_name"] == 0  # CJK spaces
    assert (checks["customers"].key_rows, checks["customers"].distinct_keys) == (4, 3)
    assert checks["customers"].invalid["customer_type"] == 1
    assert checks["customers"].invalid["phone"] == 1 and checks["customers"].invalid["email"] == 0  # '\t' is empty
    assert checks["transactions"].orphans == 2
    assert checks["transactions"].empty["amount"] == 1  # NaN is empty
    assert checks["transactions"].key_uniqueness == pytest.approx(3 / 4)
    # latest value before the day after the period end: the 23:00 transaction, not the one of October 1
    assert checks["transactions"].latest == {"transaction_date": pd.Timestamp("2025-09-30 23:00")}
    assert checks["customers"].latest == {"signup_date": pd.Timestamp("2024-01-01")}  # not 2025-10-03


def test_parquet_and_frames_give_the_same_counts(small, tmp_path):
    lazy = _save(small, tmp_path / "prepared")
    assert table_checks(lazy, PERIOD_END) == table_checks(small, PERIOD_END)
    assert lazy.tables.loaded == {}  # counted from the files, nothing read into pandas


def test_empty_table_and_all_null_column():
    transactions = _transactions().iloc[:0]
    customers = _customers().assign(need_tags=None, region=pd.Series([None] * 5, dtype="object"))
    data = _dataset({"customers": customers, "transactions": transactions})
    checks = table_checks(data, PERIOD_END)
    empty = checks["transactions"]
    assert (empty.rows, empty.key_rows, empty.distinct_keys, empty.orphans) == (0, 0, 0, 0)
    assert set(empty.empty.values()) == {0} and np.isnan(empty.key_uniqueness)
    assert pd.isna(empty.latest["transaction_date"])
    assert checks["customers"].empty["need_tags"] == 5 and checks["customers"].empty["region"] == 5
    columns = quality.column_scorecard(data, PERIOD_END)
    assert columns.loc[columns["table"] == "transactions", "completeness"].isna().all()


def test_without_customers_there_are_no_orphan_counts():
    checks = table_checks(_dataset({"transactions": _transactions()}), PERIOD_END)
    assert checks["transactions"].orphans is None


def test_whitespace_is_what_python_strips():
    assert set(" \t\n\r\u3000\u00a0\u2028") <= set(WHITESPACE)
    assert all(c.isspace() for c in WHITESPACE) and len(WHITESPACE) == sum(chr(i).isspace() for i in range(0x110000))


def test_scorecards_equal_the_three_functions(small):
    cards = quality.scorecards(small, PERIOD_END)
    pd.testing.assert_frame_equal(cards.tables, quality.table_scorecard(small, PERIOD_END))
    pd.testing.assert_frame_equal(cards.columns, quality.column_scorecard(small, PERIOD_END))
    pd.testing.assert_frame_equal(cards.issues, quality.quality_issues(small, PERIOD_END))
    tables = cards.tables.set_index("table")
    assert tables.loc["transactions", "orphan_keys"] == 2
    assert tables.loc["customers", "owner_coverage"] == pytest.approx(4 / 5)
    assert tables.loc["transactions", "freshness_days"] == 0
