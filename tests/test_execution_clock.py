"""The SLA clock: calendar hours, business hours over a weekend and a holiday, the observation cut-off."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from crmreport.analyses.execution.clock import clock_name, elapsed_hours, observed_until
from crmreport.settings.execution import BusinessHours, ExecutionParams

#: 2025-10-03 is a Friday, 2025-10-06 the Monday after
STARTS = pd.Series(pd.to_datetime(["2025-10-03 16:00", "2025-10-04 12:00", "2025-10-07 07:00", "2025-10-07 10:00",
                                   "2025-10-03 16:00", None]))
ENDS = pd.Series(pd.to_datetime(["2025-10-07 10:00", "2025-10-05 12:00", "2025-10-07 12:00", "2025-10-07 10:30",
                                 "2025-10-06 10:00", "2025-10-07 10:00"]))


def test_calendar_hours_count_every_hour():
    hours = elapsed_hours(STARTS, ENDS)
    assert hours[:5].tolist() == [90.0, 24.0, 5.0, 0.5, 66.0]
    assert np.isnan(hours[5])


def test_business_hours_stop_over_the_weekend_and_a_holiday():
    # 09:00-18:00 Monday to Friday; Monday 2025-10-06 a holiday
    hours = elapsed_hours(STARTS, ENDS, BusinessHours(holidays=[date(2025, 10, 6)]))
    # Fri 16-18 (2 h) + weekend 0 + holiday 0 + Tue 9-10 (1 h); Sat -> Sun: 0; Tue 7-12: 9-12 = 3 h;
    # 30 minutes inside a working day; Fri 16 -> holiday Mon 10: 2 h
    assert hours[:5].tolist() == [3.0, 0.0, 3.0, 0.5, 2.0]
    assert np.isnan(hours[5])


def test_business_hours_without_the_holiday_count_the_monday():
    hours = elapsed_hours(STARTS[:1], ENDS[:1], BusinessHours())
    assert hours.tolist() == [2.0 + 9.0 + 1.0]


def test_business_hours_with_a_weekend_working_day():
    hours = BusinessHours(start="08:00", end="12:00", weekdays=[5])  # Saturdays 08-12 only
    assert elapsed_hours(STARTS[:2], ENDS[:2], hours).tolist() == [4.0, 0.0]


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
