"""Every KPI's observations (crmreport.measures.kpiwindows, one Ibis expression each) are the same on DuckDB and on
Spark (``local[2]``), over the demo period's tables in memory and from the run's Parquet files.

Every observation is a flag, a count, a score, a recorded amount, a duration in hours or an exact net sum, so the
two engines must agree to the last bit, in the same row order (units in table key order within a window).
The KPIs' values against hand calculations are tests/test_kpis.py's.
"""

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from crmreport.ingest.dataset import load_prepared
from crmreport.measures.kpis import REGISTRY, observations, observations_in, observations_of, window_sums
from crmreport.settings import KpiParams, Window

pytestmark = pytest.mark.spark
BASELINE = Window(start=date(2025, 4, 1), end=date(2025, 6, 30))
PERIOD = Window(start=date(2025, 7, 1), end=date(2025, 9, 30))
#: the comparison's two windows, a month inside the period (overlapping it) and a window with no data
WINDOWS = [BASELINE, PERIOD, Window(start=date(2025, 8, 1), end=date(2025, 8, 31)),
           Window(start=date(2031, 1, 1), end=date(2031, 1, 31))]
KPIS = [kpi for kpi in REGISTRY if kpi.observe is not None]


STRICT = KpiParams(activity_days=60, resolution_sla_hours={"urgent": 1})


@pytest.mark.parametrize(("settings", "parquet"), [(KpiParams(), False), (KpiParams(), True), (STRICT, False)],
                         ids=["in-memory", "parquet", "activity-60-urgent-1h"])
def test_every_kpi_observed_alike_on_both_engines(prepared_demo, spark_engine, settings, parquet):
    dataset, folder = prepared_demo
    duck_data = load_prepared(folder) if parquet else dataset
    spark_data = replace(duck_data, engine=spark_engine)
    for kpi in KPIS:
        duck = observations_in(kpi, duck_data, WINDOWS, settings)
        spark = observations_in(kpi, spark_data, WINDOWS, settings)
        for k, (one, other) in enumerate(zip(duck, spark, strict=True)):
            pd.testing.assert_frame_equal(one.astype({"unit": object, "customer_id": object}),
                                          other.astype({"unit": object, "customer_id": object}),
                                          check_exact=True, obj=f"{kpi.name} in window {k}")
        assert [len(frame) for frame in duck[:2]] != [0, 0], f"{kpi.name} observes the demo period"
        assert duck[3].empty or kpi.name in ("revenue_per_customer", "complaints_per_100_customers"), \
            "a window without data has no observations, except the zeros of the customers signed up"
    if parquet:
        assert spark_data.unread_file("transactions") is not None, "Spark read the Parquet files itself"


def test_windows_asked_together_equal_each_asked_alone(prepared_demo):
    dataset, _ = prepared_demo
    for kpi in KPIS:
        together = observations_in(kpi, dataset, WINDOWS[:3], KpiParams())
        for window, frame in zip(WINDOWS[:3], together, strict=True):
            pd.testing.assert_frame_equal(frame, observations(kpi, dataset, window, KpiParams()), check_exact=True)


def test_units_come_in_table_key_order(prepared_demo):
    """The bootstrap of the median first response and every sum see the values in the prepared tables' order."""
    dataset, _ = prepared_demo
    tickets = dataset.tables["tickets"]
    inside = tickets[(tickets["opened_at"] >= pd.Timestamp(PERIOD.start))
                     & (tickets["opened_at"] < pd.Timestamp(PERIOD.stop)) & tickets["first_response_at"].notna()]
    hours = (inside["first_response_at"] - inside["opened_at"]).dt.total_seconds() / 3600
    found = observations(next(k for k in KPIS if k.name == "median_first_response_hours"), dataset, PERIOD, KpiParams())
    assert found["unit"].tolist() == inside["ticket_id"].tolist()
    np.testing.assert_array_equal(found["value"].to_numpy(), hours.to_numpy())


def test_window_sums_equal_on_both_engines_and_to_the_observations(prepared_demo, spark_engine):
    """The monthly series' counts and exact sums (one query for every KPI) are the same on both engines and are
    the observations' own counts and sums."""
    dataset, folder = prepared_demo
    summed = [kpi for kpi in KPIS if kpi.stat_type != "median"]
    duck = window_sums(summed, load_prepared(folder), WINDOWS, KpiParams())
    spark = window_sums(summed, replace(load_prepared(folder), engine=spark_engine), WINDOWS, KpiParams())
    pd.testing.assert_frame_equal(duck, spark, check_exact=True)
    for kpi in summed:
        rows = observations_in(kpi, dataset, WINDOWS, KpiParams())
        part = duck[duck["kpi"] == kpi.name]
        assert part["n"].tolist() == [len(frame) for frame in rows]
        np.testing.assert_allclose(part["total"], [frame["value"].sum() for frame in rows], rtol=1e-12, atol=1e-9)


def test_requests_asked_in_one_query_equal_each_asked_alone(prepared_demo):
    dataset, _ = prepared_demo
    requests = [(kpi, WINDOWS[:2]) for kpi in KPIS] + [(KPIS[0], WINDOWS[1:3])]
    for (kpi, windows), found in zip(requests, observations_of(requests, dataset, KpiParams()), strict=True):
        for frame, alone in zip(found, observations_in(kpi, dataset, windows, KpiParams()), strict=True):
            pd.testing.assert_frame_equal(frame, alone, check_exact=True)
