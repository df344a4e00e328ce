"""Who churned over a window: two labels over the customers active at its start.

A customer is **active** at ``as_of`` with a purchase (``amount > 0``, :data:`crmreport.measures.scores.PURCHASE_SQL`)
in the ``activity_days`` ending it.
Over the window ``as_of`` (exclusive) .. ``until`` (inclusive):

- ``silent_window``: no order in the window. With purchases a few times a year most of these customers
  are only between two orders (38% of the demo's active customers against a planted churn of 8%);
- ``lapsed`` (the default ``churn_label``): silent in the window *and* silent at ``until`` for longer than
  ``lapse_factor`` x the customer's own **usual gap**, the median of the days between their purchase days
  up to ``as_of``, clipped to ``gap_floor_days`` .. ``gap_cap_days`` (``gap_cap_days`` with one purchase
  day), *and*, where the data go on after the window (up to ``confirm_until``), no order there either.

``lapsed`` is a subset of ``silent_window``. One grouped DuckDB pass over the orders.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from ...ingest.dataset import Dataset
from ...measures.relations import register_table
from ...measures.scores import PURCHASE_SQL
from ...settings.health import Health
from ...settings.period import Window

LABELS: tuple[str, ...] = ("lapsed", "silent_window")
LABEL_COLUMNS: tuple[str, ...] = ("customer_id", "usual_gap_days", "silent_days", "silent_window", "lapsed")

_SQL = f"""
    WITH days AS (
        SELECT DISTINCT customer_id, CAST(transaction_date AS DATE) AS day
        FROM tx WHERE {PURCHASE_SQL} AND transaction_date < $confirm
    ), gaps AS (
        SELECT customer_id, day, day - LAG(day) OVER (PARTITION BY customer_id ORDER BY day) AS gap
        FROM days WHERE day < $end
    ), history AS (
        SELECT customer_id, MAX(day) AS last_day, MEDIAN(gap) AS usual_gap
        FROM gaps GROUP BY customer_id HAVING MAX(day) >= $start
    ), later AS (
        SELECT customer_id, COUNT(*) FILTER (WHERE day < $stop) AS in_window,
               COUNT(*) FILTER (WHERE day >= $stop) AS after_window
        FROM days WHERE day >= $end GROUP BY customer_id
    )
    SELECT h.customer_id, CAST(h.usual_gap AS DOUBLE) AS usual_gap,
           CAST($until - h.last_day AS DOUBLE) AS silent_days,
           COALESCE(l.in_window, 0) = 0 AS silent_window, COALESCE(l.after_window, 0) = 0 AS silent_after
    FROM history h LEFT JOIN later l USING (customer_id)
    ORDER BY h.customer_id
"""


def usual_gap(median_gap: pd.Series, settings: Health) -> pd.Series:
    """The usual gap in days: the median gap clipped to the floor and cap; the cap without a gap."""
    return median_gap.clip(settings.gap_floor_days, settings.gap_cap_days).fillna(float(settings.gap_cap_days))


def churn_labels(data: Dataset, as_of: date, until: date, settings: Health,
                 confirm_until: date | None = None) -> pd.DataFrame:
    """Both labels for every customer active at ``as_of`` (``LABEL_COLUMNS``), sorted by customer id.

    ``usual_gap_days`` is the clipped usual gap, ``silent_days`` the days from the last order before
    ``as_of`` to ``until``. Orders after ``until`` and up to ``confirm_until`` (when later) clear ``lapsed``;
    the caller decides how far the data may be read (the fit's label stops at the scored date).
    """
    active, window = Window.trailing(as_of, settings.activity_days), Window(start=as_of + timedelta(days=1), end=until)
    confirm = Window(start=window.start, end=max(confirm_until or until, until)).stop
    bounds = {"start": active.start, "end": window.start, "stop": window.stop, "until": until,
              "confirm": pd.Timestamp(confirm).to_pydatetime()}
    with duckdb.connect() as connection:
        register_table(connection, data, "transactions", "tx")
        frame = connection.execute(_SQL, bounds).df()
    gap = usual_gap(frame["usual_gap"].astype("float64"), settings)
    silent = frame["silent_window"].to_numpy(dtype=bool)
    lapsed = silent & frame["silent_after"].to_numpy(dtype=bool) & (
        frame["silent_days"].to_numpy(dtype="float64") > settings.lapse_factor * gap.to_numpy())
    return pd.DataFrame({"customer_id": frame["customer_id"].to_numpy(dtype=object), "usual_gap_days": gap.to_numpy(),
                         "silent_days": frame["silent_days"].to_numpy(dtype="float64"), "silent_window": silent,
                         "lapsed": lapsed}, columns=list(LABEL_COLUMNS))


def churn_outcome(labels: pd.DataFrame, label: str) -> pd.DataFrame:
    """customer_id and ``churned`` under one of :data:`LABELS`."""
    return pd.DataFrame({"customer_id": labels["customer_id"].to_numpy(dtype=object),
                         "churned": labels[label].to_numpy(dtype=bool)})


def label_rates(labels: pd.DataFrame) -> pd.DataFrame:
    """Customers, churned and churn rate under each of :data:`LABELS`."""
    return pd.DataFrame([{"label": name, "customers": len(labels), "churned": int(labels[name].sum()),
                          "churn_rate": float(labels[name].mean()) if len(labels) else np.nan} for name in LABELS])
