"""Inputs of the outreach A/B tests computed on the engine: each customer's pre-period revenue (CUPED).

The pre-period of a campaign is the ``days`` whole days before the day of its first assignment. The
revenue is the net transaction amount (refunds deducted) in those days, per campaign and customer, one
Ibis expression (DuckDB or Spark) summed as exact DECIMAL (:data:`crmreport.measures.spend.EXACT`) and
converted to a double once, so it does not depend on how the engine splits the rows. Only customers
with transactions in a pre-period come back: at most one row per campaign and customer.
"""

from __future__ import annotations

from datetime import timedelta

import ibis
import ibis.expr.types as ir
import pandas as pd

from ..ingest.dataset import Dataset
from .spend import EXACT, TRANSACTION_COLUMNS, day_start
from .tables import collect, engine_table

PRE_REVENUE_COLUMNS = ["campaign_id", "customer_id", "pre_revenue"]


def pre_period_spend(transactions: ir.Table, campaign_starts: pd.Series, days: int) -> ir.Table:
    """Net amount per campaign and customer in ``[start day - days, start day)``, ordered by campaign and customer.

    ``campaign_starts`` holds the first assignment (a date-time) per campaign, indexed by ``campaign_id``;
    its day counts from midnight. One aggregate per campaign, stacked (a period evaluates a few campaigns).
    """
    parts = []
    for campaign_id, first in campaign_starts.items():
        stop = pd.Timestamp(first).date()
        rows = transactions.filter((transactions.transaction_date >= day_start(stop - timedelta(days=days)))
                                   & (transactions.transaction_date < day_start(stop)))
        grouped = rows.group_by("customer_id").aggregate(pre_revenue=rows.amount.cast(EXACT).sum())
        parts.append(grouped.select(ibis.literal(str(campaign_id), "string").name("campaign_id"), "customer_id",
                                    grouped.pre_revenue.cast("float64").name("pre_revenue")))
    return ibis.union(*parts).order_by(["campaign_id", "customer_id"])


def pre_period_revenue(data: Dataset, campaign_starts: pd.Series, days: int) -> pd.DataFrame:
    """:func:`pre_period_spend` of the dataset's transactions on its engine (the run's Parquet file when
    the notebook has not read the table).

    Returns
    -------
    pandas.DataFrame
        :data:`PRE_REVENUE_COLUMNS`; empty without transactions, campaigns or pre-period days.
    """
    if not data.has("transactions") or campaign_starts.empty or days <= 0:
        return pd.DataFrame(columns=PRE_REVENUE_COLUMNS)
    with data.engine.backend() as backend:
        table = engine_table(backend, data, "transactions", TRANSACTION_COLUMNS)
        frame = collect(backend, pre_period_spend(table, campaign_starts, days))
    return frame.astype({"campaign_id": "str", "customer_id": "str", "pre_revenue": "float64"})[PRE_REVENUE_COLUMNS]
