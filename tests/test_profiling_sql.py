"""Tables queried where they lie: a run's Parquet files and in-memory frames give the same figures.

Covers ``measures.relations`` (register_table, per_customer_of, summarize_dataset), ``PreparedTables``
(``in`` never reads a table) and the notebook-01 functions that moved to DuckDB
(monthly activity, channel mix and response rates), each against a pandas oracle.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from crmreport.analyses.profiling import activity, channels, voice
from crmreport.ingest.dataset import ACCOUNTING_FILE, Dataset, TableAccount, load_prepared
from crmreport.measures.aggregate import per_customer, summarize_transactions
from crmreport.measures.relations import per_customer_of, register_table, summarize_dataset
from crmreport.settings import Window

Q3 = Window(start=date(2025, 7, 1), end=date(2025, 9, 30))
Q2 = Window(start=date(2025, 4, 1), end=date(2025, 6, 30))


def _tables() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(3)
    n = 400
    ids = pd.Series([f"C{i}" for i in rng.integers(0, 40, n)], dtype="str")
    days = pd.Timestamp("2023-09-01") + pd.to_timedelta(rng.integers(0, 800, n), unit="D")
    transactions = pd.DataFrame({"transaction_id": [f"T{i}" for i in range(n)], "customer_id": ids,
                                 "transaction_date": days.astype("datetime64[ns]"),
                                 "amount": np.round(rng.normal(100, 80, n), 2)})
    channel = pd.Series(rng.choice(["phone", "email", "wechat"], n), dtype="str").where(rng.random(n) > 0.05)
    interactions = pd.DataFrame({
        "interaction_id": [f"I{i}" for i in range(n)], "customer_id": ids,
        "interaction_time": (pd.Timestamp("2025-03-01") + pd.to_timedelta(rng.integers(0, 300 * 24, n), unit="h")
                             ).astype("datetime64[ns]"),
        "channel": channel, "direction": pd.Series(rng.choice(["inbound", "outbound"], n), dtype="str"),
        "interaction_type": pd.Series(rng.choice(["complaint", "follow_up"], n), dtype="str"),
        "responded": pd.Series(rng.choice([True, False, None], n), dtype="boolean")})
    customers = pd.DataFrame({"customer_id": pd.Series([f"C{i}" for i in range(45)], dtype="str"),
                              "signup_date": (pd.Timestamp("2023-01-01") + pd.to_timedelta(np.arange(45) * 20,
                                                                                          unit="D"))})
    return {"customers": customers, "transactions": transactions, "interactions": interactions}


def _dataset(tables: dict[str, pd.DataFrame]) -> Dataset:
    accounting = {name: TableAccount(name, f"{name}.csv", "x", None, len(f), 0, 0, len(f))
                  for name, f in tables.items()}
    return Dataset(tables, {}, accounting, "test", False)


@pytest.fixture
def frames() -> Dataset:
    return _dataset(_tables())


@pytest.fixture
def files(frames, tmp_path) -> Dataset:
    for name, frame in frames.tables.items():
        frame.to_parquet(tmp_path / f"{name}.parquet")
    meta = {"accounting": {n: asdict(a) for n, a in frames.accounting.items()}, "source": "test", "masked": False}
    (tmp_path / ACCOUNTING_FILE).write_text(json.dumps(meta), encoding="utf-8")
    return load_prepared(tmp_path)


def test_prepared_tables_answer_in_without_reading(files, tmp_path):
    assert "interactions" in files.tables and files.has("transactions") and not files.has("surveys")
    assert files.tables.loaded == {}
    assert files.unread_file("transactions") == tmp_path / "transactions.parquet"
    files.tables["transactions"]
    assert files.unread_file("transactions") is None  # loaded: SQL uses the frame
    assert _dataset(_tables()).unread_file("transactions") is None


def test_register_table_gives_the_same_rows_from_a_file_or_a_frame(frames, files):
    with duckdb.connect() as connection:
        from_frame = register_table(connection, frames, "transactions", "a")
        from_file = register_table(connection, files, "transactions", "b")
        a = connection.execute(f"SELECT * FROM {from_frame}").df()
        b = connection.execute(f"SELECT * FROM {from_file}").df()
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 400


def test_per_customer_of_matches_per_customer_on_the_frame(frames, files):
    ids = pd.Series(["C3", "C99", "C0", "C3"])  # an id without rows and a repeated one
    aggregates = {"n": "COUNT(*)", "last": "MAX(interaction_time)"}
    where = "interaction_type = 'complaint'"
    expected = per_customer(ids, frames.tables["interactions"], aggregates, where)
    pd.testing.assert_frame_equal(per_customer_of(ids, frames, "interactions", aggregates, where), expected)
    pd.testing.assert_frame_equal(per_customer_of(ids, files, "interactions", aggregates, where), expected)
    assert pd.isna(expected.loc[1, "n"]) and expected.loc[0, "n"] == expected.loc[3, "n"]
    complaints = frames.tables["interactions"].query("interaction_type == 'complaint' and customer_id == 'C0'")
    assert expected.loc[2, "n"] == len(complaints)


def test_summarize_dataset_reads_the_file_like_the_frame(frames, files):
    expected = summarize_transactions(frames.tables["transactions"], date(2025, 9, 30))
    pd.testing.assert_frame_equal(summarize_dataset(files, date(2025, 9, 30)), expected)
    pd.testing.assert_frame_equal(summarize_dataset(frames, date(2025, 9, 30)), expected)
    assert files.tables.loaded == {}


def _monthly_oracle(data: Dataset, end: date, months: int) -> pd.DataFrame:
    """The pandas computation notebook 01 used before the DuckDB push-down."""
    transactions = data.tables["transactions"]
    last = pd.Period(end, "M")
    first = last - (months - 1)
    month = transactions["transaction_date"].dt.to_period("M")
    inside = transactions[(month >= first) & (month <= last)].assign(month=month, order=lambda f: f["amount"] >= 0)
    grouped = inside.groupby("month").agg(revenue=("amount", "sum"), orders=("order", "sum"),
                                          active_customers=("customer_id", "nunique"))
    signup = data.tables["customers"]["signup_date"].dt.to_period("M")
    grouped["new_customers"] = signup[(signup >= first) & (signup <= last)].value_counts()
    grouped = grouped.reindex(pd.period_range(first, last, freq="M")).fillna(0)
    grouped = grouped.astype({"orders": "int64", "active_customers": "int64", "new_customers": "int64"})
    grouped.index.name = "month"
    return grouped.reset_index().assign(month=lambda f: f["month"].dt.to_timestamp())


@pytest.mark.parametrize("months", [24, 40])  # 40: months before the first transaction stay at zero
def test_monthly_activity_equals_the_pandas_oracle_bit_for_bit(frames, files, months):
    expected = _monthly_oracle(frames, date(2025, 9, 30), months)
    for data in (frames, files):
        got = activity.monthly_activity(data, date(2025, 9, 30), months)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert files.tables.loaded.keys() == {"customers"}


def test_monthly_activity_without_transactions_in_the_window(frames):
    got = activity.monthly_activity(frames, date(2021, 6, 30), months=3)
    assert len(got) == 3 and got[["revenue", "orders", "active_customers"]].eq(0).all().all()


def test_channel_figures_from_the_files_equal_those_of_the_frames(frames, files):
    interactions = frames.tables["interactions"]
    inside = interactions[(interactions["interaction_time"] >= "2025-07-01")
                          & (interactions["interaction_time"] < "2025-10-01")]
    for source in (frames, files):
        mix = channels.interaction_mix(source, Q3)
        counted = inside.dropna(subset=["channel"]).groupby(["channel", "direction"]).size()
        assert mix.set_index(["channel", "direction"])["interactions"].to_dict() == counted.to_dict()
        assert mix["interactions"].is_monotonic_decreasing and mix["share"].sum() == pytest.approx(1)
        rates = channels.response_rates_vs_baseline(source, Q3, Q2).set_index("channel")
        outbound = inside[inside["direction"] == "outbound"].dropna(subset=["channel"])
        for channel, rows in outbound.groupby("channel"):
            assert rates.loc[channel, "outbound"] == len(rows)
            assert rates.loc[channel, "responded"] == int(rows["responded"].fillna(False).sum())
        assert list(rates.index) == sorted(rates.index)
    assert files.tables.loaded == {}


def test_complaints_are_counted_in_the_window_without_loading_interactions(files):
    frame = pd.read_parquet(files.unread_file("interactions"))
    inside = frame[(frame["interaction_time"] >= "2025-07-01") & (frame["interaction_time"] < "2025-10-01")]
    assert voice._complaints(files, Q3) == float((inside["interaction_type"] == "complaint").sum())
    assert files.tables.loaded == {}


def test_a_dataset_without_interactions_gives_empty_channel_frames():
    data = _dataset({"customers": _tables()["customers"]})
    assert list(channels.interaction_mix(data, Q3).columns) == channels.MIX_COLUMNS
    assert channels.outbound_response_rates(data, Q3).empty


def test_summarize_dataset_keeps_one_file_summary_and_hands_out_copies(files, tmp_path):
    first = summarize_dataset(files, date(2025, 9, 30))
    first.loc[0, "total_amount"] = -1.0  # a caller changing its copy changes nothing for the next one
    second = summarize_dataset(files, date(2025, 9, 30))
    pd.testing.assert_frame_equal(second, summarize_transactions(_tables()["transactions"], date(2025, 9, 30)))
    rewritten = _tables()["transactions"].assign(amount=1.0)
    rewritten.to_parquet(tmp_path / "transactions.parquet")  # a new version of the file is summarized anew
    assert summarize_dataset(files, date(2025, 9, 30))["total_amount"].sum() == len(rewritten[
        rewritten["transaction_date"] < "2025-10-01"])

