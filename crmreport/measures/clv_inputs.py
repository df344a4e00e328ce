"""Per-customer purchase summaries for BG/NBD and Gamma-Gamma (:mod:`crmreport.stats.clv`), one Ibis expression.

The same expression runs on the embedded DuckDB and on Spark (:mod:`crmreport.engine`), over the prepared
transactions (or any table with ``customer_id``, ``transaction_date`` and ``amount``). Definitions, as of
``as_of`` (the last day counted):

- a purchase day is a calendar day with at least one order (``amount >= 0``; refunds are not purchases;
  unlike the KPI rule ``amount > 0`` of :mod:`crmreport.measures.scores`, a zero-value order counts, as in
  the published CDNOW sample that ``tests/test_clv.py`` reproduces);
  its value is the sum of that day's order amounts, exact (:data:`crmreport.measures.spend.EXACT`), so the
  summary does not depend on the order of the rows or on how an engine splits the work (a sum of
  floating-point numbers does, in its last digits, and the Gamma-Gamma fit amplifies that);
- ``frequency``: purchase days minus one (repeat purchase days);
- ``recency``: time from the first to the last purchase day; ``T``: from the first purchase day to ``as_of``;
- ``monetary``: mean value of the repeat purchase days (empty when ``frequency`` is 0), the engine's mean of
  the exact values (DuckDB and Spark agree to about 1e-15 relative);
- ``holdout_purchases``: purchase days after ``as_of`` up to ``holdout_end`` (0 when not asked for).

Time is measured in units of ``unit_days`` days (7 = weeks), fractional.
"""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import ibis.expr.types as ir
import pandas as pd

from ..engine import Engine
from ..ingest.dataset import Dataset
from .spend import EXACT, TRANSACTION_COLUMNS, day_start
from .tables import collect, engine_table, frame_table

CLV_INPUT_COLUMNS: tuple[str, ...] = ("customer_id", "first_purchase", "frequency", "recency", "T", "monetary",
                                      "holdout_purchases")


def purchase_summary(transactions: ir.Table, as_of: date, unit_days: float = 7.0,
                     holdout_end: date | None = None) -> ir.Table:
    """The purchase summary (see the module docstring) of every customer with a purchase day up to ``as_of``,
    ordered by customer id."""
    end = as_of + timedelta(days=1)
    stop = (holdout_end or as_of) + timedelta(days=1)
    orders = transactions.filter((transactions.amount >= 0) & (transactions.transaction_date < day_start(stop)))
    days = orders.group_by(["customer_id", orders.transaction_date.date().name("day")]).aggregate(
        value=orders.amount.cast(EXACT).sum())
    calibration = days.filter(days.day < ibis.date(end))
    calibration = calibration.mutate(first_day=calibration.day.min().over(group_by="customer_id"))
    summary = calibration.group_by("customer_id").aggregate(
        first_purchase=calibration.day.min(), last_purchase=calibration.day.max(), days=calibration.count(),
        monetary=ibis.ifelse(calibration.day > calibration.first_day, calibration.value, ibis.null(EXACT)).mean())
    later = days.filter(days.day >= ibis.date(end))
    holdout = later.group_by("customer_id").aggregate(holdout_purchases=later.count())
    joined = summary.left_join(holdout, "customer_id")
    return joined.select(
        "customer_id", "first_purchase", frequency=(joined.days - 1).cast("int64"),
        recency=joined.last_purchase.delta(joined.first_purchase, unit="day").cast("float64") / unit_days,
        T=ibis.date(as_of).delta(joined.first_purchase, unit="day").cast("float64") / unit_days,
        monetary=joined.monetary.cast("float64"),
        holdout_purchases=joined.holdout_purchases.fill_null(0).cast("int64"),
    ).order_by("customer_id")


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"customer_id": "str", "frequency": "int64", "recency": "float64", "T": "float64",
                          "monetary": "float64", "holdout_purchases": "int64"})
    frame["first_purchase"] = pd.to_datetime(frame["first_purchase"]).astype("datetime64[us]")
    return frame[list(CLV_INPUT_COLUMNS)].reset_index(drop=True)


def clv_inputs(transactions: pd.DataFrame, as_of: date, unit_days: float = 7.0, holdout_end: date | None = None,
               engine: Engine | None = None) -> pd.DataFrame:
    """:func:`purchase_summary` of a transactions frame, computed by ``engine`` (default: DuckDB)."""
    with (engine or Engine()).backend() as backend:
        table = frame_table(backend, "transactions", transactions[TRANSACTION_COLUMNS])
        return _typed(collect(backend, purchase_summary(table, as_of, unit_days, holdout_end)))


def clv_inputs_of(data: Dataset, as_of: date, unit_days: float = 7.0, holdout_end: date | None = None) -> pd.DataFrame:
    """:func:`purchase_summary` of the dataset's transactions on its engine (the run's Parquet file when the
    notebook has not read the table)."""
    with data.engine.backend() as backend:
        table = engine_table(backend, data, "transactions", TRANSACTION_COLUMNS)
        return _typed(collect(backend, purchase_summary(table, as_of, unit_days, holdout_end)))
