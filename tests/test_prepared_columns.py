"""Lazily read prepared tables: only the columns asked for, ``in`` without reading the table."""

from __future__ import annotations

import pandas as pd

from crmreport.ingest.dataset import Dataset, TableAccount, load_prepared


def account(name: str, rows: int) -> TableAccount:
    return TableAccount(name, "test", "0", None, rows, 0, 0, rows)


def saved(tmp_path) -> tuple[Dataset, pd.DataFrame]:
    frame = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "amount": [1.5, -2.0, 3.25],
                          "transaction_date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]),
                          "channel": ["web", "store", None]})
    Dataset({"transactions": frame}, {}, {"transactions": account("transactions", 3)}, "test", True).save(tmp_path)
    return load_prepared(tmp_path), frame


def test_columns_reads_only_what_is_asked_and_grows(tmp_path):
    data, frame = saved(tmp_path)
    tables = data.tables
    assert "transactions" in data.tables and "tickets" not in data.tables and not tables.loaded
    first = data.columns("transactions", ["customer_id", "amount"])
    assert list(first.columns) == ["customer_id", "amount"] and not tables.loaded
    pd.testing.assert_frame_equal(first, pd.read_parquet(tmp_path / "transactions.parquet")[["customer_id", "amount"]])
    assert data.columns("transactions", ["amount"]) is first
    grown = data.columns("transactions", ["amount", "transaction_date"])
    assert list(grown.columns) == ["customer_id", "amount", "transaction_date"]
    pd.testing.assert_series_equal(grown["transaction_date"], frame["transaction_date"], check_dtype=False)


def test_in_memory_datasets_give_their_frames():
    frame = pd.DataFrame({"customer_id": ["C1"], "amount": [1.0]})
    data = Dataset({"transactions": frame}, {}, {}, "test", True)
    assert data.columns("transactions", ["amount"]) is frame
