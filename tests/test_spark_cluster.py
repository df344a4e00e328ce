"""The migrated measures on a real standalone Spark cluster (master and two workers on 127.0.0.1).

The executors read the run's Parquet files themselves; results equal DuckDB's as on ``local[2]``.
"""

import json
import urllib.request
from datetime import date

import pytest
from test_engine_measures import EXACT, assert_same

from crmreport.ingest.dataset import load_prepared, prepare_dataset
from crmreport.measures.features import customer_features
from crmreport.measures.relations import summarize_dataset
from crmreport.settings import load_params

pytestmark = pytest.mark.spark
AS_OF = date(2025, 9, 30)


def test_demo_measures_on_a_standalone_cluster_equal_duckdb(spark_cluster, tmp_path):
    cluster, engine = spark_cluster
    prepare_dataset(load_params("2025Q3", demo=True)).save(tmp_path)
    duck_data, spark_data = load_prepared(tmp_path), load_prepared(tmp_path)
    spark_data.engine = engine
    assert_same(summarize_dataset(duck_data, AS_OF), summarize_dataset(spark_data, AS_OF),
                EXACT + ["average_order_value"])
    assert_same(customer_features(duck_data, AS_OF), customer_features(spark_data, AS_OF),
                ["customer_id", "recency_days", "frequency", "tenure_months", "complaints_6m", "enquiries_3m",
                 "response_rate", "interaction_gap_days"])
    with urllib.request.urlopen(f"http://127.0.0.1:{cluster.ui_port}/json/", timeout=5) as answer:
        state = json.load(answer)
    assert state["aliveworkers"] == 2
    assert [app["cores"] for app in state["activeapps"]] == [2], "the run used both workers' cores"
