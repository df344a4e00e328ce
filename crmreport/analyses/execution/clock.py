"""The SLA clock's name and the cut-off at which work is judged.

The clock itself (calendar hours, or business hours that stop outside the working day, on non-working weekdays
and on holidays, as CRM entitlement systems do) runs on the engine: :mod:`crmreport.measures.slaclock`.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from ...settings.execution import BusinessHours


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
