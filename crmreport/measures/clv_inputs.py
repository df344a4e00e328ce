"""Per-customer purchase summaries for BG/NBD and Gamma-Gamma (:mod:`crmreport.stats.clv`), in SQL.

One statement run in DuckDB over the prepared transactions (or any relation with ``customer_id``,
``transaction_date`` and ``amount``). Definitions, as of ``as_of`` (the last day counted):

- a purchase day is a calendar day with at least one order (``amount >= 0``; refunds are not purchases;
  unlike the KPI rule ``amount > 0`` of :mod:`crmreport.measures.scores`, a zero-value order counts, as in
  the published CDNOW sample that ``tests/test_clv.py`` reproduces);
  its value is the sum of that day's order amounts, exact (DECIMAL with 10 decimals), so the summary
  does not depend on the order of the rows or on how DuckDB splits the work between threads (a sum
  of floating-point numbers does, in its last digits, and the Gamma-Gamma fit amplifies that);
- ``frequency``: purchase days minus one (repeat purchase days);
- ``recency``: time from the first to the last purchase day; ``T``: from the first purchase day to ``as_of``;
- ``monetary``: mean value of the repeat purchase days (empty when ``frequency`` is 0);
- ``holdout_purchases``: purchase days after ``as_of`` up to ``holdout_end`` (0 when not asked for).

Time is measured in units of ``unit_days`` days (7 = weeks), fractional.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd

CLV_INPUT_COLUMNS: tuple[str, ...] = ("customer_id", "first_purchase", "frequency", "recency", "T", "monetary",
                                      "holdout_purchases")


def clv_inputs_sql(relation: str, as_of: date, unit_days: float = 7.0, holdout_end: date | None = None) -> str:
    """DuckDB SQL for the purchase summary of every customer with a purchase day up to ``as_of``."""
    end = as_of + timedelta(days=1)
    stop = (holdout_end or as_of) + timedelta(days=1)
    return f"""
        WITH days AS (
            SELECT customer_id, CAST(transaction_date AS DATE) AS day, SUM(CAST(amount AS DECIMAL(38, 10))) AS value
            FROM {relation}
            WHERE amount >= 0 AND transaction_date < DATE '{stop}'
            GROUP BY customer_id, CAST(transaction_date AS DATE)
        ), calibration AS (
            SELECT *, MIN(day) OVER (PARTITION BY customer_id) AS first_day FROM days WHERE day < DATE '{end}'
        ), summary AS (
            SELECT customer_id, MIN(day) AS first_purchase, COUNT(*) - 1 AS frequency,
                   (MAX(day) - MIN(day)) / {unit_days} AS recency,
                   (DATE '{as_of}' - MIN(day)) / {unit_days} AS "T",
                   AVG(CASE WHEN day > first_day THEN value END) AS monetary
            FROM calibration
            GROUP BY customer_id
        ), holdout AS (
            SELECT customer_id, COUNT(*) AS holdout_purchases FROM days WHERE day >= DATE '{end}' GROUP BY customer_id
        )
        SELECT s.*, COALESCE(h.holdout_purchases, 0) AS holdout_purchases
        FROM summary s LEFT JOIN holdout h USING (customer_id)
        ORDER BY customer_id
    """


def clv_inputs(transactions: pd.DataFrame, as_of: date, unit_days: float = 7.0,
               holdout_end: date | None = None) -> pd.DataFrame:
    """The purchase summary (see the module docstring) of a transactions frame, computed in DuckDB."""
    with duckdb.connect() as connection:
        connection.register("transactions_frame", transactions[["customer_id", "transaction_date", "amount"]])
        frame = connection.execute(clv_inputs_sql("transactions_frame", as_of, unit_days, holdout_end)).df()
    frame = frame.astype({"customer_id": "str", "frequency": "int64", "recency": "float64", "T": "float64",
                          "monetary": "float64", "holdout_purchases": "int64"})
    frame["first_purchase"] = pd.to_datetime(frame["first_purchase"])
    return frame[list(CLV_INPUT_COLUMNS)].reset_index(drop=True)
