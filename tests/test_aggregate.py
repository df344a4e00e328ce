"""The DuckDB / SQL push-down summary equals an independent pandas computation."""

from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from crmreport.measures.aggregate import summarize_database, summarize_files, summarize_transactions

AS_OF = date(2025, 9, 30)


def random_transactions(seed: int, n: int, customers: int) -> pd.DataFrame:
    """``n`` transactions of ``customers`` customers over two years, 5% of them refunds, amounts in cents."""
    rng = np.random.default_rng(seed)
    dates = pd.Timestamp("2023-10-01") + pd.to_timedelta(rng.integers(0, 760, n), unit="D") \
        + pd.to_timedelta(rng.integers(0, 86400, n), unit="s")
    return pd.DataFrame({
        "transaction_id": [f"T{i}" for i in range(n)],
        "customer_id": [f"C{i:03d}" for i in rng.integers(0, customers, n)],
        "transaction_date": dates.astype("datetime64[ns]"),
        "amount": np.round(rng.lognormal(5, 1, n) * np.where(rng.random(n) < 0.05, -1, 1), 2),
    })


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    return random_transactions(5, 5000, 300)


def pandas_oracle(frame: pd.DataFrame) -> pd.DataFrame:
    """The same summary written independently with a plain groupby."""
    frame = frame[frame["transaction_date"] < pd.Timestamp(AS_OF) + pd.Timedelta(days=1)]
    recent = frame["transaction_date"] >= pd.Timestamp(AS_OF) - pd.Timedelta(days=364)
    orders = frame["amount"] >= 0
    grouped = frame.assign(is_order=orders, is_refund=~orders, gross=frame["amount"].where(orders, 0),
                           recent_amount=frame["amount"].where(recent, 0), recent_order=recent & orders,
                           recent_gross=frame["amount"].where(recent & orders, 0))
    summary = grouped.groupby("customer_id").agg(
        orders=("is_order", "sum"), refunds=("is_refund", "sum"), total_amount=("amount", "sum"),
        first_transaction=("transaction_date", "min"), last_transaction=("transaction_date", "max"),
        amount_12m=("recent_amount", "sum"), orders_12m=("recent_order", "sum"),
        order_amount_12m=("recent_gross", "sum"), gross=("gross", "sum"))
    summary["average_order_value"] = summary["gross"] / summary["orders"].replace(0, np.nan)
    return summary.drop(columns="gross").reset_index()


def assert_matches_oracle(result: pd.DataFrame, frame: pd.DataFrame) -> None:
    expected = pandas_oracle(frame)
    assert result["customer_id"].tolist() == expected["customer_id"].tolist()
    for column in ("orders", "refunds", "orders_12m"):
        assert result[column].tolist() == expected[column].astype(int).tolist(), column
    for column in ("total_amount", "amount_12m", "order_amount_12m", "average_order_value"):
        np.testing.assert_allclose(result[column], expected[column], rtol=1e-9, err_msg=column)
    for column in ("first_transaction", "last_transaction"):
        assert (result[column].to_numpy() == expected[column].to_numpy()).all(), column


def test_duckdb_summary_of_a_frame_matches_pandas(transactions):
    assert_matches_oracle(summarize_transactions(transactions, AS_OF), transactions)


def test_summary_from_parquet_files_matches_pandas(transactions, tmp_path):
    path = tmp_path / "transactions.parquet"
    transactions.to_parquet(path)
    assert_matches_oracle(summarize_files(str(path), AS_OF), transactions)


def test_summary_pushed_down_to_duckdb_file(transactions, tmp_path):
    path = tmp_path / "crm.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.register("frame", transactions)
        connection.execute("CREATE TABLE transactions AS SELECT * FROM frame")
    assert_matches_oracle(summarize_database(f"duckdb:///{path}", AS_OF), transactions)


@pytest.mark.postgres
def test_summary_pushed_down_to_postgresql(transactions, postgres_url):
    import sqlalchemy as sa

    engine = sa.create_engine(postgres_url)
    transactions.to_sql("agg_transactions", engine, index=False, if_exists="replace")
    engine.dispose()
    result = summarize_database(postgres_url, AS_OF, table="agg_transactions")
    assert_matches_oracle(result, transactions)
