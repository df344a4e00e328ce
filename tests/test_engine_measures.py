"""Each measure defined once in Ibis gives the same result on DuckDB and on Spark (``local[2]``).

Counts, dates and exact (DECIMAL) sums must be equal; sums and means of doubles, which Spark adds up in
another order, within 1e-9 relative. The inputs are the same fixtures on both engines: a random frame
with refunds and rows on the window edges, and the demo period's prepared tables, in memory and as the
run's Parquet files (which Spark reads itself).
"""

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import dataset_of
from test_aggregate import assert_matches_oracle, random_transactions
from test_execution_tasks import TASKS

from crmreport.engine import Engine
from crmreport.ingest.dataset import load_prepared
from crmreport.measures.abinputs import pre_period_revenue
from crmreport.measures.aggregate import purchase_counts, summarize_transactions
from crmreport.measures.clv_inputs import clv_inputs, clv_inputs_of
from crmreport.measures.contacts import first_contacts, outbound_counts
from crmreport.measures.features import contact_features, customer_features, transaction_features
from crmreport.measures.relations import summarize_dataset
from crmreport.measures.scores import window_mask
from crmreport.measures.taskscope import tasks_of
from crmreport.settings import Window

pytestmark = pytest.mark.spark
AS_OF = date(2025, 9, 30)
EXACT = ["customer_id", "orders", "refunds", "orders_12m", "total_amount", "amount_12m", "order_amount_12m",
         "first_transaction", "last_transaction"]


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    """Random transactions (5% refunds, a refund-only customer) plus rows on the edges of the windows."""
    edges = pd.to_datetime(["2025-09-30 23:59:59", "2025-10-01 00:00:00", "2024-10-01 00:00:00",
                            "2024-09-30 23:59:59", "2025-07-01 00:00:00", "2025-04-01 00:00:00", "2025-06-15 00:00:00",
                            "2025-05-05 00:00:00"])
    edge_rows = pd.DataFrame({"transaction_id": [f"E{i}" for i in range(len(edges))],
                              "customer_id": ["E1"] * (len(edges) - 1) + ["R1"], "transaction_date": edges,
                              "amount": [10.25, 99.0, 1.5, 7.0, 3.75, 12.0, -4.5, -30.0]})
    frame = pd.concat([random_transactions(11, 4000, 250), edge_rows], ignore_index=True)
    return frame.astype({"transaction_date": "datetime64[ns]"})


def assert_same(duck: pd.DataFrame, spark: pd.DataFrame, exact: list[str]) -> None:
    """Equal columns ``exact``; the other float columns within 1e-9 relative."""
    assert list(duck.columns) == list(spark.columns)
    assert duck["customer_id"].tolist() == spark["customer_id"].tolist()
    pd.testing.assert_frame_equal(duck[exact], spark[exact], check_exact=True)
    rest = [column for column in duck.columns if column not in exact]
    pd.testing.assert_frame_equal(duck[rest], spark[rest], check_exact=False, rtol=1e-9, atol=0)


def test_summary_equal_on_both_engines_and_to_pandas(transactions, spark_engine):
    duck = summarize_transactions(transactions, AS_OF)
    spark = summarize_transactions(transactions, AS_OF, spark_engine)
    assert_same(duck, spark, EXACT + ["average_order_value"])
    assert_matches_oracle(spark, transactions)
    edge = spark.set_index("customer_id").loc["E1"]
    assert edge["orders"] == 5 and edge["refunds"] == 1, "23:59:59 on as_of counts, midnight after it does not"
    assert edge["orders_12m"] == 4, "the 365 days start at 2024-10-01 00:00"
    assert np.isnan(spark.set_index("customer_id").loc["R1", "average_order_value"]), "no orders: no mean"


def test_transaction_features_agree_on_both_engines(transactions, spark_engine):
    duck = transaction_features(transactions, AS_OF)
    spark = transaction_features(transactions, AS_OF, engine=spark_engine)
    assert_same(duck, spark, ["customer_id", "recency_days", "frequency"])
    edge = spark.set_index("customer_id").loc["E1"]
    assert edge["recency_days"] == 0 and edge["spend_recent_3m"] == pytest.approx(10.25 + 3.75)
    assert edge["spend_prior_3m"] == pytest.approx(12.0 - 4.5), "2025-04-01 starts the prior window, 06-15 in it"


def test_demo_measures_agree_in_memory_and_from_parquet(prepared_demo, spark_engine):
    dataset, folder = prepared_demo
    for duck_data in (dataset, load_prepared(folder)):
        spark_data = replace(duck_data, engine=spark_engine)  # a copy: the module's dataset stays on DuckDB
        assert_same(summarize_dataset(duck_data, AS_OF), summarize_dataset(spark_data, AS_OF),
                    EXACT + ["average_order_value"])
        duck, spark = customer_features(duck_data, AS_OF), customer_features(spark_data, AS_OF)
        assert_same(duck, spark, ["customer_id", "recency_days", "frequency", "tenure_months", "complaints_6m",
                                  "enquiries_3m", "response_rate", "interaction_gap_days"])
        assert (spark_data.unread_file("transactions") is None) == (duck_data is dataset), \
            "Spark read the Parquet file itself, not the table through pandas"


def test_contact_features_from_tickets_agree_on_both_engines(prepared_demo, spark_engine):
    dataset, _ = prepared_demo
    tickets_only = replace(dataset, tables={name: frame for name, frame in dataset.tables.items()
                                            if name != "interactions"})
    duck = contact_features(tickets_only, AS_OF)
    spark = contact_features(replace(tickets_only, engine=spark_engine), AS_OF)
    assert_same(duck, spark, list(duck.columns))
    assert duck["complaints_6m"].sum() > 0 and duck["response_rate"].isna().all()


def test_engine_describes_itself_for_the_manifest(spark_engine):
    import duckdb
    import pyspark

    assert Engine().describe() == {"name": "duckdb", "version": duckdb.__version__}
    assert spark_engine.describe() == {"name": "spark", "version": pyspark.__version__, "master": "local[2]"}


def test_pre_period_revenue_equal_on_both_engines(prepared_demo, transactions, spark_engine):
    dataset, folder = prepared_demo
    outreach = dataset.tables["outreach"]
    starts = outreach.groupby("campaign_id")["assigned_at"].min()
    edges = pd.Series({"EDGE": pd.Timestamp("2025-10-01 08:30")})  # 90 days: 2025-07-03 00:00 to 09-30 23:59:59
    for duck_data in (dataset, load_prepared(folder), replace(dataset, tables={"transactions": transactions})):
        spark_data = replace(duck_data, engine=spark_engine)
        for campaigns in (starts, edges):
            duck = pre_period_revenue(duck_data, campaigns, 90)
            spark = pre_period_revenue(spark_data, campaigns, 90)
            pd.testing.assert_frame_equal(duck, spark, check_exact=True)  # exact sums: equal to the last bit
    edge = duck.set_index("customer_id").loc["E1", "pre_revenue"]
    assert edge == 10.25, "09-30 23:59:59 counts; the start day's midnight and 07-01 (91 days before) do not"
    assert len(pre_period_revenue(dataset, starts, 90)) > 100


def test_purchase_counts_equal_on_both_engines(prepared_demo, transactions, spark_engine):
    dataset, folder = prepared_demo
    windows = {"before": Window(start=date(2025, 4, 1), end=date(2025, 6, 30)),
               "now": Window(start=date(2025, 7, 1), end=date(2025, 9, 30))}
    for duck_data in (dataset, load_prepared(folder), replace(dataset, tables={"transactions": transactions})):
        ids = pd.concat([duck_data.tables["transactions"]["customer_id"].drop_duplicates(), pd.Series(["nobody"])])
        duck = purchase_counts(duck_data, ids, windows)
        spark = purchase_counts(replace(duck_data, engine=spark_engine), ids, windows)
        pd.testing.assert_frame_equal(duck, spark, check_exact=True)
        assert duck.iloc[-1].tolist() == [0, 0] and duck["now"].sum() > 0
    edge = duck.set_index(ids.to_numpy()).loc["E1"]
    assert edge.tolist() == [1, 2], "before: 06-15 is a refund, 04-01 counts; now: 07-01 00:00 and 09-30 23:59:59"


def test_first_contacts_equal_on_both_engines(prepared_demo, spark_engine):
    dataset, folder = prepared_demo
    customers = dataset.tables["customers"]
    asked = pd.DataFrame({"pos": np.arange(len(customers)), "customer_id": customers["customer_id"].to_numpy(object),
                          "at": customers["signup_date"].dt.normalize().to_numpy()})
    for duck_data in (dataset, load_prepared(folder)):
        for tasks, strict in ((dataset.tables["tasks"], False), (None, True)):
            duck = first_contacts(duck_data, asked, tasks, strict)
            spark = first_contacts(replace(duck_data, engine=spark_engine), asked, tasks, strict)
            pd.testing.assert_frame_equal(duck, spark, check_exact=True)
            assert len(duck) > len(customers) / 2 and (duck["first_contact"].to_numpy() >= asked["at"].to_numpy()[
                duck["pos"]]).all()
    contact = dataset.tables["interactions"].query("direction == 'outbound'").iloc[0]
    at_contact = pd.DataFrame({"pos": [0], "customer_id": [contact["customer_id"]],
                               "at": [contact["interaction_time"]]})
    assert first_contacts(replace(dataset, engine=spark_engine), at_contact, None, False)["first_contact"].tolist() \
        == [contact["interaction_time"]], "at the asked moment counts unless strict"
    later = first_contacts(replace(dataset, engine=spark_engine), at_contact, None, True)["first_contact"]
    assert later.empty or later.iloc[0] > contact["interaction_time"]


def test_outbound_counts_equal_on_both_engines(prepared_demo, spark_engine):
    dataset, folder = prepared_demo
    ids = pd.concat([dataset.tables["customers"]["customer_id"], pd.Series(["nobody"])], ignore_index=True)
    quarter = Window(start=date(2025, 7, 1), end=date(2025, 9, 30))
    for duck_data in (dataset, load_prepared(folder)):
        duck = outbound_counts(duck_data, ids, quarter)
        pd.testing.assert_series_equal(duck, outbound_counts(replace(duck_data, engine=spark_engine), ids, quarter))
        interactions = dataset.tables["interactions"]
        inside = interactions[(interactions["direction"] == "outbound") & window_mask(interactions["interaction_time"],
                                                                                    quarter)]
        assert duck.sum() == len(inside) and duck.iloc[-1] == 0


def test_clv_inputs_equal_on_both_engines(prepared_demo, transactions, spark_engine):
    dataset, folder = prepared_demo
    exact = ["customer_id", "first_purchase", "frequency", "recency", "T", "holdout_purchases"]
    for as_of, holdout_end in ((AS_OF, None), (date(2025, 6, 30), AS_OF)):
        for duck_data in (dataset, load_prepared(folder)):
            duck = clv_inputs_of(duck_data, as_of, 7.0, holdout_end)
            assert_same(duck, clv_inputs_of(replace(duck_data, engine=spark_engine), as_of, 7.0, holdout_end), exact)
            pd.testing.assert_frame_equal(duck, clv_inputs(dataset.tables["transactions"], as_of, 7.0, holdout_end))
        duck = clv_inputs(transactions, as_of, 1.0, holdout_end)
        assert_same(duck, clv_inputs(transactions, as_of, 1.0, holdout_end, spark_engine), exact)
    assert duck["holdout_purchases"].sum() > 0 and (duck["frequency"] > 0).sum() > 100
    edge = duck.set_index("customer_id").loc["E1"]
    assert edge["T"] == (date(2025, 6, 30) - date(2024, 9, 30)).days, "the first purchase day 2024-09-30 23:59:59"


def test_task_scope_equal_on_both_engines(prepared_demo, spark_engine):
    dataset, folder = prepared_demo
    quarter, until = Window(start=date(2025, 7, 1), end=date(2025, 9, 30)), pd.Timestamp("2025-10-16")
    hand = TASKS.assign(owner=TASKS["owner"].where(TASKS["task_id"] != "T3", ""))  # an empty owner is unassigned
    for duck_data in (dataset, load_prepared(folder), dataset_of(tasks=hand)):
        duck = tasks_of(duck_data, quarter, until)
        spark = tasks_of(replace(duck_data, engine=spark_engine), quarter, until)
        pd.testing.assert_frame_equal(duck, spark, check_exact=True)
    assert duck.set_index("task_id")["owner"].to_dict() == {
        "T1": "A", "T2": "A", "T3": "unassigned", "T4": "A", "T5": "B", "T6": "B", "T7": "unassigned"}
    assert duck["overdue_days"].tolist()[3:6] == [21, 76, 16] and duck["on_time"].sum() == 2
