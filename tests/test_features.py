"""Per-customer features: the SQL push-down equals an independent pandas computation."""

from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import params_for

from crmreport.ingest.dataset import prepare_dataset
from crmreport.measures.features import (
    FEATURE_COLUMNS,
    customer_features,
    tenure_months,
    transaction_features,
    transaction_features_database,
)

AS_OF = date(2025, 9, 30)


@pytest.fixture(scope="module")
def demo():
    return prepare_dataset(params_for(""))


def oracle_transaction_features(frame: pd.DataFrame, as_of: date, trend_months: int = 3) -> pd.DataFrame:
    """The definitions of crmreport.features, written again with plain pandas."""
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    frame = frame[frame["transaction_date"] < end]
    year = frame["transaction_date"] >= pd.Timestamp(as_of) - pd.Timedelta(days=364)
    recent_start = end - pd.DateOffset(months=trend_months)
    prior_start = end - pd.DateOffset(months=2 * trend_months)
    orders = frame[frame["amount"] > 0]
    result = pd.DataFrame(index=pd.Index(sorted(frame["customer_id"].unique()), name="customer_id"))
    last_order = orders.groupby("customer_id")["transaction_date"].max().dt.normalize()
    result["recency_days"] = (pd.Timestamp(as_of) - last_order).dt.days
    recent_orders = orders[orders["transaction_date"] >= pd.Timestamp(as_of) - pd.Timedelta(days=364)]
    result["frequency"] = recent_orders.groupby("customer_id").size()
    result["frequency"] = result["frequency"].fillna(0).astype(int)
    result["monetary"] = recent_orders.groupby("customer_id")["amount"].mean()
    result["annual_amount"] = frame[year].groupby("customer_id")["amount"].sum()
    result["annual_amount"] = result["annual_amount"].fillna(0.0)
    recent = frame[frame["transaction_date"] >= recent_start].groupby("customer_id")["amount"].sum()
    prior = frame[(frame["transaction_date"] >= prior_start) & (frame["transaction_date"] < recent_start)]
    prior = prior.groupby("customer_id")["amount"].sum()
    r, p = recent.reindex(result.index).fillna(0.0), prior.reindex(result.index).fillna(0.0)
    scale = (r.abs() + p.abs()) / 2
    result["trend"] = np.where(scale == 0, 0.0, (r - p) / scale.where(scale != 0, 1.0))
    return result.reset_index()


def assert_same(result: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert result["customer_id"].tolist() == expected["customer_id"].tolist()
    assert result["frequency"].tolist() == expected["frequency"].tolist()
    for column in ("recency_days", "monetary", "annual_amount", "trend"):
        np.testing.assert_allclose(result[column], expected[column], rtol=1e-9, atol=1e-9, err_msg=column)


@pytest.mark.parametrize("trend_months", [3, 6])
def test_transaction_features_match_pandas_on_demo(demo, trend_months):
    transactions = demo.tables["transactions"]
    assert_same(transaction_features(transactions, AS_OF, trend_months),
                oracle_transaction_features(transactions, AS_OF, trend_months))


def test_trend_is_defined_for_empty_windows_by_hand():
    rows = [("A", "2025-08-01", 100.0), ("A", "2025-05-01", 50.0),     # 100 vs 50: (100-50)/75
            ("B", "2025-08-01", 100.0),                                # starts from nothing: +2
            ("C", "2025-05-01", 80.0),                                 # stops: -2
            ("D", "2024-12-01", 80.0),                                 # nothing in either window: 0
            ("E", "2025-08-01", -30.0), ("E", "2025-05-01", 10.0),     # a refund only: (-30-10)/20
            ("F", "2025-09-01", 0.0), ("F", "2025-04-01", 40.0)]       # nothing paid: no purchase (amount > 0)
    frame = pd.DataFrame(rows, columns=["customer_id", "transaction_date", "amount"])
    frame["transaction_date"] = pd.to_datetime(frame["transaction_date"])
    trend = transaction_features(frame, AS_OF).set_index("customer_id")["trend"]
    assert trend.to_dict() == pytest.approx({"A": 50 / 75, "B": 2.0, "C": -2.0, "D": 0.0, "E": -2.0, "F": -2.0})
    features = transaction_features(frame, AS_OF).set_index("customer_id")
    assert features.loc["E", "recency_days"] == (AS_OF - date(2025, 5, 1)).days  # the refund is not an order
    assert features.loc["E", "frequency"] == 1 and features.loc["E", "annual_amount"] == pytest.approx(-20.0)
    assert features.loc["F", "recency_days"] == (AS_OF - date(2025, 4, 1)).days and features.loc["F", "frequency"] == 1


def test_features_pushed_down_to_a_duckdb_file(demo, tmp_path):
    path = tmp_path / "crm.duckdb"
    transactions = demo.tables["transactions"][["customer_id", "transaction_date", "amount"]]
    with duckdb.connect(str(path)) as connection:
        connection.register("frame", transactions)
        connection.execute("CREATE TABLE transactions AS SELECT * FROM frame")
    assert_same(transaction_features_database(f"duckdb:///{path}", AS_OF),
                oracle_transaction_features(transactions, AS_OF))


@pytest.mark.postgres
def test_features_pushed_down_to_postgresql(demo, postgres_url):
    import sqlalchemy as sa

    transactions = demo.tables["transactions"][["customer_id", "transaction_date", "amount"]]
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        transactions.to_sql("feature_transactions", connection, if_exists="replace", index=False)
    engine.dispose()
    assert_same(transaction_features_database(postgres_url, AS_OF, table="feature_transactions"),
                oracle_transaction_features(transactions, AS_OF))


def test_tenure_months_by_hand():
    signup = pd.Series(pd.to_datetime(["2025-06-30", "2025-07-01", "2024-09-30", "2023-10-31", None]))
    assert tenure_months(signup, AS_OF).tolist()[:4] == [3.0, 2.0, 12.0, 22.0]
    assert np.isnan(tenure_months(signup, AS_OF).iloc[4])


def test_customer_features_cover_every_signed_up_customer_and_match_pandas(demo):
    features = customer_features(demo, AS_OF).set_index("customer_id")
    customers = demo.tables["customers"]
    signed = customers[customers["signup_date"].isna() | (customers["signup_date"] <= pd.Timestamp(AS_OF))]
    assert list(features.reset_index().columns) == list(FEATURE_COLUMNS)
    assert sorted(features.index) == sorted(signed["customer_id"])
    interactions = demo.tables["interactions"]
    half_year = interactions[(interactions["interaction_time"] >= "2025-04-01")
                             & (interactions["interaction_time"] < "2025-10-01")]
    complaints = (half_year["interaction_type"] == "complaint").groupby(half_year["customer_id"]).sum()
    np.testing.assert_array_equal(features["complaints_6m"], complaints.reindex(features.index).fillna(0))
    outbound = interactions[(interactions["direction"] == "outbound")
                            & (interactions["interaction_time"] >= pd.Timestamp("2025-10-01") - pd.Timedelta(days=180))
                            & (interactions["interaction_time"] < "2025-10-01")]
    rate = outbound["responded"].astype(float).groupby(outbound["customer_id"]).mean()
    np.testing.assert_allclose(features["response_rate"], rate.reindex(features.index), rtol=1e-12)
    before_end = interactions[interactions["interaction_time"] < "2025-10-01"]
    last = before_end.groupby("customer_id")["interaction_time"].max()
    gap = (pd.Timestamp(AS_OF) - last.dt.normalize()).dt.days
    np.testing.assert_allclose(features["interaction_gap_days"], gap.reindex(features.index))
    never = features["recency_days"].isna()
    assert (features.loc[never, "monetary"].isna()).all() and (features["frequency"] >= 0).all()
    assert features["trend"].between(-2, 2).all()
