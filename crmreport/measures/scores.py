"""Score conventions shared by every measure of the voice of the customer, and the window filter.

NPS: answers 9-10 are promoters, 0-6 detractors. CSAT top-2-box: answers 4 and 5.
A window covers whole days: a date-time ``t`` is inside when ``start <= t < end + 1 day``.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from ..settings import Window

PROMOTER_MIN, DETRACTOR_MAX = 9, 6
CSAT_TOP2_MIN = 4


def window_mask(times: pd.Series, window: Window) -> pd.Series:
    """Whether each of ``times`` (date-times, or text and dates read as such) lies in ``window``
    (``start <= t < end + 1 day``; :func:`crmreport.measures.relations.window_sql` is the SQL twin)."""
    times = pd.to_datetime(times)
    return (times >= pd.Timestamp(window.start)) & (times < pd.Timestamp(window.end + timedelta(days=1)))


def in_window(frame: pd.DataFrame, column: str, window: Window) -> pd.DataFrame:
    """Rows of ``frame`` whose ``column`` lies in ``window`` (:func:`window_mask`)."""
    return frame[window_mask(frame[column], window)]
