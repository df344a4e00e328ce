"""The SLA clock on both engines: calendar hours, business hours over a weekend and a holiday, the cut-off."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from crmreport.analyses.execution.clock import clock_name, observed_until
from crmreport.engine import Engine
from crmreport.measures.slaclock import elapsed_hours
from crmreport.measures.tables import collect, frame_table
from crmreport.settings.execution import BusinessHours, ExecutionParams

#: 2025-10-03 is a Friday, 2025-10-06 the Monday after
STARTS = pd.Series(pd.to_datetime(["2025-10-03 16:00", "2025-10-04 12:00", "2025-10-07 07:00", "2025-10-07 10:00",
                                   "2025-10-03 16:00", None, "1999-12-31 17:30"], format="ISO8601"))
ENDS = pd.Series(pd.to_datetime(["2025-10-07 10:00", "2025-10-05 12:00", "2025-10-07 12:00", "2025-10-07 10:30",
                                 "2025-10-06 10:00", "2025-10-07 10:00", "2000-01-03 09:15:30"], format="ISO8601"))
ENGINES = ["duckdb", pytest.param("spark", marks=pytest.mark.spark)]


@pytest.fixture(params=ENGINES)
def engine(request) -> Engine:
    return request.getfixturevalue("spark_engine") if request.param == "spark" else Engine()


def hours_on(engine: Engine, hours: BusinessHours | None, starts: pd.Series = STARTS,
             ends: pd.Series = ENDS) -> list[float]:
    """:func:`elapsed_hours` of each start and end on ``engine``, in their order."""
    pairs = pd.DataFrame({"pos": range(len(starts)), "start": starts, "end": ends})
    with engine.backend() as backend:
        table = frame_table(backend, "clock", pairs)
        clocked = table.select("pos", hours=elapsed_hours(table.start, table.end, hours))
        found = collect(backend, clocked.order_by("pos"))
    return found["hours"].tolist()


def test_calendar_hours_count_every_hour(engine):
    hours = hours_on(engine, None)
    assert hours[:5] == [90.0, 24.0, 5.0, 0.5, 66.0] and hours[6] == 229530 / 3600  # 6.5 + 48 + 9.2583 hours
    assert np.isnan(hours[5])


def test_business_hours_stop_over_the_weekend_and_a_holiday(engine):
    # 09:00-18:00 Monday to Friday; Monday 2025-10-06 a holiday
    hours = hours_on(engine, BusinessHours(holidays=[date(2025, 10, 6), date(2025, 10, 4)]))
    # Fri 16-18 (2 h) + weekend 0 + holiday 0 + Tue 9-10 (1 h); Sat -> Sun: 0; Tue 7-12: 9-12 = 3 h;
    # 30 minutes inside a working day; Fri 16 -> holiday Mon 10: 2 h; a holiday on a Saturday changes nothing;
    # Fri 31 December 1999 17:30 -> Mon 3 January 2000 09:15:30: half an hour, then 15.5 minutes
    assert hours[:5] == [3.0, 0.0, 3.0, 0.5, 2.0] and hours[6] == 2730 / 3600
    assert np.isnan(hours[5])


def test_business_hours_without_the_holiday_count_the_monday(engine):
    assert hours_on(engine, BusinessHours(), STARTS[:1], ENDS[:1]) == [2.0 + 9.0 + 1.0]


def test_business_hours_with_a_weekend_working_day(engine):
    hours = BusinessHours(start="08:00", end="12:00", weekdays=[5])  # Saturdays 08-12 only
    assert hours_on(engine, hours, STARTS[:2], ENDS[:2]) == [4.0, 0.0]
    assert hours_on(engine, hours, ENDS[:1], STARTS[:1]) == [-4.0], "an end before the start counts backwards"


def test_clock_name_and_cut_off():
    assert clock_name(None) == "calendar" and clock_name(BusinessHours()) == "business"
    # judged at the data's as-of date, not at the period end (issue 21: pending vs breached at as_of)
    assert observed_until(date(2025, 10, 15)) == pd.Timestamp("2025-10-16")
    assert observed_until(date(2025, 9, 10)) == pd.Timestamp("2025-09-11")


def test_settings_reject_impossible_values():
    with pytest.raises(ValidationError, match="end"):
        BusinessHours(start="18:00", end="09:00")
    with pytest.raises(ValidationError, match="weekdays"):
        BusinessHours(weekdays=[7])
    with pytest.raises(ValidationError, match="overdue_buckets"):
        ExecutionParams(overdue_buckets=[30, 7])
    defaults = ExecutionParams()
    assert defaults.first_response_limit_hours == {"urgent": 2.0, "high": 24.0, "medium": 24.0, "low": 24.0}
    assert defaults.resolution_hours == 72.0 and defaults.business_hours is None


def test_params_reference_documents_every_execution_setting():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "params.md").read_text(encoding="utf-8")
    names = [*ExecutionParams.model_fields, *BusinessHours.model_fields]
    assert [name for name in names if f"`{name}`" not in doc] == []
