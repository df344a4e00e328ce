"""Notebook 05's service levels and 7-24-72 replies, defined once in Ibis, give the same result on DuckDB and Spark.

The same fixtures on both engines: the demo period's prepared tables in memory and as the run's Parquet files
(which Spark reads itself), on the calendar clock and on business hours with a holiday; counts equal, hours equal
to the last bit (whole seconds over 3600 on both). The reply's ticket is checked against the nearest
``merge_asof`` it replaces, ties included.
"""

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import dataset_of

from crmreport.analyses.execution import clock, sla
from crmreport.ingest.dataset import load_prepared
from crmreport.measures.replies import replies_of, reply_counts
from crmreport.settings import load_params
from crmreport.settings.execution import BusinessHours

PARAMS = load_params("2025Q3", demo=True)
UNTIL = clock.observed_until(PARAMS.end)  # judged at the period end: some cases still pending
CLOCKS = {"calendar": PARAMS.execution,
          "business": PARAMS.execution.model_copy(update={"business_hours": BusinessHours(
              holidays=[date(2025, 8, 15), date(2025, 10, 1)])})}


def sla_tables(data, settings) -> list[pd.DataFrame]:
    """Every SLA table notebook 05 shows or saves, and the worst categories."""
    figures = sla.ticket_sla(data, PARAMS.window, UNTIL, settings)
    return [*(sla.sla_compliance(figures, settings, by) for by in ("priority", "department", "month", "category")),
            sla.worst_categories(figures, settings.model_copy(update={"min_worst": 5}))]


@pytest.mark.spark
@pytest.mark.parametrize("clock_name", sorted(CLOCKS))
def test_sla_tables_and_replies_equal_on_both_engines(prepared_demo, spark_engine, clock_name):
    dataset, folder = prepared_demo
    settings = CLOCKS[clock_name]
    expected = [sla_tables(dataset, settings), replies_of(dataset, PARAMS.window, UNTIL, settings)]
    assert len(expected[0][4]) > 0 and expected[1]["outcome"].nunique() == 3
    for data in (replace(dataset, engine=spark_engine), replace(load_prepared(folder), engine=spark_engine)):
        for duck, spark in zip(expected[0], sla_tables(data, settings), strict=True):
            pd.testing.assert_frame_equal(duck, spark, check_exact=True)
        pd.testing.assert_frame_equal(expected[1], replies_of(data, PARAMS.window, UNTIL, settings), check_exact=True)
        assert reply_counts(data, PARAMS.window, UNTIL, settings) == tuple(
            int((expected[1]["outcome"] == outcome).sum()) for outcome in ("met", "breached", "pending"))


def test_large_groups_come_back_as_counts_with_the_same_table(prepared_demo):
    dataset, _ = prepared_demo
    settings = PARAMS.execution
    figures = sla.ticket_sla(dataset, PARAMS.window, UNTIL, settings)
    few = sla.sla_figures(dataset, PARAMS.window, UNTIL, settings, largest=3)  # every larger group as counts
    every = figures.hours_in("all", "all", "first_response")
    assert len(every) > 400 and (few.hours_in("all", "all", "first_response") == np.sort(every)).all()
    month = ("month", "2025-07", "resolution")
    assert len(few.hours_in(*month)) == len(figures.hours_in(*month)) > 3
    quick = [sla.sla_compliance(f, settings, "month", intervals=False) for f in (figures, few)]
    pd.testing.assert_frame_equal(*quick, check_exact=True)


def _oracle_ticket_reply(asked: pd.DataFrame, tickets: pd.DataFrame, hours: float) -> pd.Series:
    """The nearest ``merge_asof`` over tickets in id order that the engine's ticket match replaces."""
    opened = tickets.sort_values("opened_at", kind="stable")
    linked = pd.merge_asof(asked.sort_values("at", kind="stable"), opened, left_on="at", right_on="opened_at",
                           by="customer_id", direction="nearest", tolerance=pd.Timedelta(hours=hours))
    answered = linked["first_response_at"].where(linked["first_response_at"] >= linked["at"])
    return answered.set_axis(linked["interaction_id"])


def test_the_ticket_of_a_message_is_the_nearest_merge_asof_ties_included():
    t = pd.Timestamp
    asked = pd.DataFrame({"interaction_id": ["M1", "M2", "M3", "M4", "M5"], "customer_id": ["A", "B", "C", "D", "E"],
                          "at": pd.to_datetime(["2025-07-01 10:00"] * 5).astype("datetime64[ns]")})
    tickets = pd.DataFrame([  # ticket, customer, opened, first response
        ("K1", "A", "2025-07-01 09:30", "2025-07-01 11:00"), ("K2", "A", "2025-07-01 10:30", "2025-07-01 10:40"),
        ("K3", "B", "2025-07-01 09:40", "2025-07-01 12:00"), ("K4", "B", "2025-07-01 09:40", "2025-07-01 13:00"),
        ("K5", "C", "2025-07-01 10:20", "2025-07-01 12:00"), ("K6", "C", "2025-07-01 10:20", "2025-07-01 13:00"),
        ("K7", "D", "2025-07-01 11:00", "2025-07-01 11:30"), ("K8", "E", "2025-07-01 11:00:01", "2025-07-01 11:05"),
    ], columns=["ticket_id", "customer_id", "opened_at", "first_response_at"]).astype(
        {"opened_at": "datetime64[ns]", "first_response_at": "datetime64[ns]"})
    expected = _oracle_ticket_reply(asked, tickets, 1.0)
    # A: a tie goes to the ticket opened before; B: of two opened before at once, the later id; C: of two opened
    # after at once, the earlier id; D: one hour exactly still matches; E: a second more does not
    assert expected.tolist() == [t("2025-07-01 11:00"), t("2025-07-01 13:00"), t("2025-07-01 12:00"),
                                 t("2025-07-01 11:30"), pd.NaT]
    interactions = asked.rename(columns={"at": "interaction_time"}).assign(direction="inbound",
                                                                         interaction_type="consultation")
    window = PARAMS.window
    found = replies_of(dataset_of(interactions=interactions, tickets=tickets), window, UNTIL, PARAMS.execution)
    assert found.set_index("interaction_id")["reply"].equals(expected.rename("reply"))
