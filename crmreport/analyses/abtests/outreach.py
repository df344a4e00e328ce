"""Outreach campaigns as data: which campaigns the period evaluates, per-customer outcomes, per-arm sums.

The statistics in :mod:`crmreport.stats.abtest` work on sufficient statistics; this module builds them
from the ``outreach`` table (one row per customer assigned to an arm) and, for CUPED, each customer's
revenue in the days before the campaign's first assignment, which the engine computes from the
``transactions`` table (:mod:`crmreport.measures.abinputs`). A campaign belongs to the period in which
its first assignment falls.
"""

from __future__ import annotations

import logging

import pandas as pd

from ...ingest.dataset import Dataset
from ...measures.abinputs import pre_period_revenue
from ...measures.scores import window_mask
from ...settings import Window

log = logging.getLogger("crmreport")

OVERVIEW_COLUMNS = ["campaign_id", "channel", "first_assigned", "last_assigned", "customers", "arms", "arm_names",
                    "has_control", "status", "reason"]
CUSTOMER_COLUMNS = ["campaign_id", "customer_id", "arm", "segment", "responded", "converted", "revenue",
                    "pre_revenue"]
SUM_COLUMNS = ["n", "responded", "converted", "revenue_sum", "revenue_sq", "revenue_converted", "pre_sum",
               "pre_sq", "pre_revenue_cross"]
ACTIVE, STARTED_BEFORE, STARTS_AFTER = "active", "started_before_period", "starts_after_period"
UNKNOWN_SEGMENT = "unknown"


def campaign_overview(outreach: pd.DataFrame | None, window: Window, control_arm: str) -> pd.DataFrame:
    """One row per campaign: channel, assignment dates, customers, arms, and whether the period evaluates it.

    Returns
    -------
    pandas.DataFrame
        :data:`OVERVIEW_COLUMNS`, campaigns by first assignment. ``status`` is ``active`` when the
        first ``assigned_at`` lies in ``window``, else ``skipped`` with ``reason``
        ``started_before_period`` or ``starts_after_period``. ``channel`` is the most frequent one.
    """
    if outreach is None or outreach.empty:
        return pd.DataFrame(columns=OVERVIEW_COLUMNS)
    firsts = outreach.groupby("campaign_id", sort=False)["assigned_at"].min()
    inside = window_mask(firsts, window)
    rows = []
    for campaign_id, rows_of in outreach.groupby("campaign_id", sort=False):
        first, last = firsts[campaign_id], rows_of["assigned_at"].max()
        arms = sorted(rows_of["arm"].unique(), key=lambda a: (a != control_arm, a))
        channels = rows_of["channel"].dropna().value_counts() if "channel" in rows_of else pd.Series(dtype=int)
        reason = None if inside[campaign_id] else (STARTED_BEFORE if first < pd.Timestamp(window.start)
                                                   else STARTS_AFTER)
        rows.append({"campaign_id": campaign_id, "channel": channels.index[0] if len(channels) else None,
                     "first_assigned": first, "last_assigned": last, "customers": rows_of["customer_id"].nunique(),
                     "arms": len(arms), "arm_names": ", ".join(arms), "has_control": control_arm in arms,
                     "status": "skipped" if reason else ACTIVE, "reason": reason})
    frame = pd.DataFrame(rows, columns=OVERVIEW_COLUMNS)
    return frame.sort_values(["first_assigned", "campaign_id"], kind="stable").reset_index(drop=True)


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
                       segments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per customer and campaign: arm, segment, outcomes and pre-period revenue.

    ``responded`` and ``converted`` are 0/1 (an empty value counts as 0); ``revenue`` is the
    attributed revenue with empty values as 0 (revenue per customer includes the zeros);
    ``pre_revenue`` is 0 for customers without transactions in the pre-period; ``segment`` comes
    from :func:`customer_segments` (``unknown`` when the customer has none).

    Returns
    -------
    pandas.DataFrame
        :data:`CUSTOMER_COLUMNS`, rows of the campaigns in ``campaign_ids`` only.
    """
    if not data.has("outreach"):
        return pd.DataFrame(columns=CUSTOMER_COLUMNS)
    rows = data.tables["outreach"]
    rows = rows[rows["campaign_id"].isin(campaign_ids)]
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
