"""The SLA clock: hours between two times, in calendar hours or in business hours only.

Business hours stop the clock outside the working day, on non-working weekdays and on holidays,
as CRM entitlement systems do. The elapsed working time between ``a`` and ``b`` is
``W(b) - W(a)``, where ``W(t)`` is the working seconds from a fixed origin to ``t``: the working
seconds of all earlier days plus the part of ``t``'s own working day already gone.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from ...settings.execution import BusinessHours

DAY = np.timedelta64(1, "D")


def _seconds(value) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _working_seconds(times: pd.Series, hours: BusinessHours, origin: np.datetime64,
                     cumulative: np.ndarray, working: np.ndarray) -> np.ndarray:
    stamps = times.to_numpy(dtype="datetime64[s]")
    day = ((stamps.astype("datetime64[D]") - origin) // DAY).astype(np.int64)
    into = (stamps - stamps.astype("datetime64[D]")).astype(np.int64)
    start, end = _seconds(hours.start), _seconds(hours.end)
    today = np.clip(into - start, 0, end - start) * working[day]
    return cumulative[day] + today


def elapsed_hours(start: pd.Series, end: pd.Series, hours: BusinessHours | None = None) -> pd.Series:
    """Hours from ``start`` to ``end`` per row: calendar hours, or working hours when ``hours`` is given.

    Rows where either time is missing give NaN. ``end`` before ``start`` gives a negative value.
    """
    start = pd.to_datetime(pd.Series(start)).reset_index(drop=True)
    end = pd.to_datetime(pd.Series(end)).reset_index(drop=True)
    known = start.notna() & end.notna()
    result = np.full(len(start), np.nan)
    if not known.any():
        return pd.Series(result)
    if hours is None:
        result[known.to_numpy()] = ((end[known] - start[known]).dt.total_seconds() / 3600).to_numpy()
        return pd.Series(result)
    both = pd.concat([start[known], end[known]])
    origin = both.min().to_datetime64().astype("datetime64[D]")
    days = int((both.max().to_datetime64().astype("datetime64[D]") - origin) // DAY) + 1
    calendar = origin + np.arange(days) * DAY
    weekday = (calendar.view("int64") + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
    holidays = np.array([np.datetime64(day, "D") for day in hours.holidays], dtype="datetime64[D]")
    working = (np.isin(weekday, hours.weekdays) & ~np.isin(calendar, holidays)).astype(np.int64)
    per_day = (_seconds(hours.end) - _seconds(hours.start)) * working
    cumulative = np.concatenate([[0], np.cumsum(per_day)[:-1]])
    a = _working_seconds(start[known], hours, origin, cumulative, working)
    b = _working_seconds(end[known], hours, origin, cumulative, working)
    result[known.to_numpy()] = (b - a) / 3600
    return pd.Series(result)


def clock_name(hours: BusinessHours | None) -> str:
    """``calendar`` or ``business`` (the catalog key suffix that says which clock a report uses)."""
    return "calendar" if hours is None else "business"


def observed_until(as_of) -> pd.Timestamp:
    """The end of what the data can show: the end of the data's as-of day (params ``as_of``).

    Work is judged at this cut-off, not at the period end: a ticket opened on the period's last day and
    still unanswered at ``as_of`` has breached its limit; only work whose limit has not passed by then is
    pending. Work not done by then is counted as overdue."""
    day = pd.Timestamp(as_of)
    return pd.Timestamp(datetime.combine(day.date(), datetime.min.time())) + pd.Timedelta(days=1)
