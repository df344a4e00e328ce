"""Conventions shared by every measure: scores of the voice of the customer, what a purchase is,
and the window filter.

NPS: answers 9-10 are promoters, 0-6 detractors. CSAT top-2-box: answers 4 and 5.
A purchase is a transaction with a positive amount: refunds (negative) are not, for the churn,
retention and repurchase KPIs, the execution effect, the per-customer order features and notebook
06's churn labels and RQI alike (the CLV inputs alone count zero-value orders, as the published CDNOW
sample does: :mod:`crmreport.measures.clv_inputs`).
A window covers whole days: a date-time ``t`` is inside when ``start <= t < end + 1 day``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..settings import Window

PROMOTER_MIN, DETRACTOR_MAX = 9, 6
CSAT_TOP2_MIN = 4
#: the purchase rule as a DuckDB condition on the transactions (:func:`is_purchase` for arrays)
PURCHASE_SQL = "amount > 0"


def is_purchase(amount: pd.Series | np.ndarray) -> np.ndarray:
    """Whether each transaction of ``amount`` is a purchase (``amount > 0``; :data:`PURCHASE_SQL`)."""
    return np.asarray(amount) > 0


def window_mask(times: pd.Series, window: Window) -> pd.Series:
    """Whether each of ``times`` (date-times, or text and dates read as such) lies in ``window``
    (``start <= t < end + 1 day``; :func:`crmreport.measures.relations.window_sql` is the SQL twin)."""
    times = pd.to_datetime(times)
    return (times >= pd.Timestamp(window.start)) & (times < pd.Timestamp(window.stop))


def in_window(frame: pd.DataFrame, column: str, window: Window) -> pd.DataFrame:
    """Rows of ``frame`` whose ``column`` lies in ``window`` (:func:`window_mask`)."""
    return frame[window_mask(frame[column], window)]
