"""Outreach campaigns as data: per-customer outcomes, pre-period revenue, per-arm sums.

The statistics in :mod:`crmreport.stats.abtest` work on sufficient statistics; this module builds them
from the ``outreach`` table (one row per customer assigned to an arm) and, for CUPED, each customer's
revenue in the days before the campaign's first assignment, which the engine computes from the
``transactions`` table (:mod:`crmreport.measures.abinputs`). Which campaigns a report reads is
:mod:`crmreport.analyses.abtests.life`.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pandas as pd

from ...ingest.dataset import Dataset
from ...measures.abinputs import pre_period_revenue

log = logging.getLogger("crmreport")

CUSTOMER_COLUMNS = ["campaign_id", "customer_id", "arm", "assigned_at", "segment", "responded", "converted",
                    "revenue", "pre_revenue"]
SUM_COLUMNS = ["n", "responded", "converted", "revenue_sum", "revenue_sq", "revenue_converted", "pre_sum",
               "pre_sq", "pre_revenue_cross"]
UNKNOWN_SEGMENT = "unknown"


def customer_segments(data: Dataset, segments: pd.DataFrame | None = None) -> pd.DataFrame:
    """``customer_id`` -> ``segment``: the given ``segments`` frame (e.g. nine-box) or else ``customer_type``.

    A ``segments`` frame with a ``campaign_id`` column gives each campaign its own groups (the
    segmentation as of the campaign's start, :func:`crmreport.analyses.segments.pretreatment.campaign_segments`).

    Raises
    ------
    ValueError
        When ``segments`` lacks the ``customer_id`` or ``segment`` column.
    """
    if segments is not None:
        missing = {"customer_id", "segment"} - set(segments.columns)
        if missing:
            raise ValueError(f"the segments frame needs columns customer_id and segment; missing "
                             f"{', '.join(sorted(missing))}")
        keys = ["campaign_id", "customer_id"] if "campaign_id" in segments.columns else ["customer_id"]
        return segments[[*keys, "segment"]].drop_duplicates(keys)
    customers = data.tables["customers"]
    return pd.DataFrame({"customer_id": customers["customer_id"],
                         "segment": customers["customer_type"].astype("object")})


def campaign_customers(data: Dataset, campaign_ids: list[str], pre_period_days: int,
                       segments: pd.DataFrame | None = None, until: date | None = None) -> pd.DataFrame:
    """Per customer and campaign: arm, assignment time, segment, outcomes and pre-period revenue.

    ``responded`` and ``converted`` are 0/1 (an empty value counts as 0); ``revenue`` is the
    attributed revenue with empty values as 0 (revenue per customer includes the zeros);
    ``pre_revenue`` is 0 for customers without transactions in the pre-period; ``segment`` comes
    from :func:`customer_segments` (``unknown`` when the customer has none). With ``until``, only
    the customers assigned by the end of that day (a report reads a campaign as of its own end).

    Returns
    -------
    pandas.DataFrame
        :data:`CUSTOMER_COLUMNS`, rows of the campaigns in ``campaign_ids`` only.
    """
    if not data.has("outreach"):
        return pd.DataFrame(columns=CUSTOMER_COLUMNS)
    rows = data.tables["outreach"]
    rows = rows[rows["campaign_id"].isin(campaign_ids)]
    if until is not None:
        rows = rows[rows["assigned_at"] < pd.Timestamp(until + timedelta(days=1))]
    if rows.empty:
        return pd.DataFrame(columns=CUSTOMER_COLUMNS)
    starts = rows.groupby("campaign_id")["assigned_at"].min()
    pre = pre_period_revenue(data, starts, pre_period_days)
    frame = rows.assign(responded=rows["responded"].astype("boolean").fillna(False).astype("int64"),
                        converted=rows["converted"].astype("boolean").fillna(False).astype("int64"),
                        revenue=rows["revenue"].astype(float).fillna(0.0))
    unrevenued = int(((frame["converted"] == 1) & rows["revenue"].isna()).sum())
    if unrevenued:
        log.warning("outreach: %d converted customers have no revenue; counted as 0", unrevenued)
    frame = frame.merge(pre, on=["campaign_id", "customer_id"], how="left")
    groups = customer_segments(data, segments)
    frame = frame.merge(groups, on=[c for c in ("campaign_id", "customer_id") if c in groups.columns], how="left")
    frame = frame.assign(pre_revenue=frame["pre_revenue"].astype(float).fillna(0.0),
                         segment=frame["segment"].astype("object").fillna(UNKNOWN_SEGMENT))
    return frame[CUSTOMER_COLUMNS].reset_index(drop=True)


def arm_sums(customers: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sufficient statistics per group (e.g. ``["campaign_id", "arm"]``): counts, sums and sums of squares.

    Returns
    -------
    pandas.DataFrame
        ``by`` + :data:`SUM_COLUMNS`: ``n`` customers, ``responded`` and ``converted`` counts,
        ``revenue_sum``/``revenue_sq``, ``revenue_converted`` (revenue of converters), the
        pre-period revenue's ``pre_sum``/``pre_sq`` and ``pre_revenue_cross`` (sum of revenue x pre-revenue).
    """
    work = customers.assign(revenue_sq=customers["revenue"] ** 2,
                            revenue_converted=customers["revenue"] * customers["converted"],
                            pre_sq=customers["pre_revenue"] ** 2,
                            pre_revenue_cross=customers["revenue"] * customers["pre_revenue"])
    sums = work.groupby(by, sort=True).agg(
        n=("customer_id", "size"), responded=("responded", "sum"), converted=("converted", "sum"),
        revenue_sum=("revenue", "sum"), revenue_sq=("revenue_sq", "sum"),
        revenue_converted=("revenue_converted", "sum"), pre_sum=("pre_revenue", "sum"), pre_sq=("pre_sq", "sum"),
        pre_revenue_cross=("pre_revenue_cross", "sum")).reset_index()
    return sums[by + SUM_COLUMNS]
