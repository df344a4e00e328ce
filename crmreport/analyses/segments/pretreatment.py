"""The customer groups that notebooks 03 and 04 break results down by, fixed before the treatment.

A breakdown by segment must not use a segmentation the treatment could have changed: a customer
who bought because of a campaign would move up a tier and make the campaign look better in the
higher tier. So the groups are the segmentation *as of* the day before a campaign's first
assignment (A/B tests, notebook 03) or the day before the baseline window (KPI before/after,
notebook 04), computed by the same rules as notebook 02
(:func:`~crmreport.analyses.segments.segmentation.segment_customers`).
For before/after the groups are fixed before *both* windows: segmenting at the baseline end would
define the groups by the very behaviour the "before" figures measure (Core customers bought in the
baseline, so their "before" churn would be 0% by construction). Customers
who signed up after that date form the group ``new``. ``segmentation.segments_by`` in params
chooses the nine-box segment, the value tier or the customer type.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ...core.matching import positions
from ...ingest.dataset import Dataset
from ...settings import Window
from ...settings.segmentation import Segmentation
from .segmentation import SEGMENTS, TIERS, segment_customers

BREAKDOWNS = ("nine_box", "value_tier", "customer_type")
#: catalog prefix of each breakdown's group labels (``label(prefix + code)``)
LABEL_PREFIX = {"nine_box": "segment_", "value_tier": "value_", "customer_type": ""}
NEW = "new"
COLUMN = {"nine_box": "segment", "value_tier": "value_tier"}


def groups_from(segments: pd.DataFrame, customers: pd.DataFrame, by: str) -> pd.DataFrame:
    """``customer_id`` and ``segment`` (the group code) from a segment frame of notebook 02's rules.

    Customers of ``customers`` missing from ``segments`` (signed up after its as-of date) get ``new``;
    ``by == "customer_type"`` takes the customers' type instead. Nine-box and tier groups come as an
    ordered categorical (nine-box order, tiers high to low, ``new`` last) holding the groups present.
    """
    if by not in BREAKDOWNS:
        raise ValueError(f"segments_by must be one of {', '.join(BREAKDOWNS)}, got {by!r}")
    if by == "customer_type":
        return pd.DataFrame({"customer_id": customers["customer_id"].to_numpy(),
                             "segment": customers["customer_type"].astype("object").to_numpy()})
    where = positions(customers["customer_id"], segments["customer_id"])
    known = segments[COLUMN[by]].to_numpy(dtype=object)
    codes = pd.Series(np.where(where >= 0, known[np.maximum(where, 0)] if len(known) else NEW, NEW), dtype=object)
    present = set(codes)
    order = pd.Categorical(codes, categories=[g for g in group_order(by) if g in present])
    return pd.DataFrame({"customer_id": customers["customer_id"].to_numpy(), "segment": order})


def pre_treatment_segments(data: Dataset, settings: Segmentation, as_of: date,
                           by: str | None = None) -> pd.DataFrame:
    """Every customer's group as of ``as_of`` (the baseline end for KPI before/after).

    Parameters
    ----------
    data
        The period's dataset.
    settings
        The ``segmentation:`` params (rules, and ``segments_by`` unless ``by`` is given).
    as_of
        The last day before the treatment (and before any window whose figures are compared).
    by
        ``nine_box``, ``value_tier`` or ``customer_type``; default ``settings.segments_by``.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``segment``: one row per customer of the customers table.
    """
    by = by or settings.segments_by
    customers = data.columns("customers", ["customer_id", *(["customer_type"] if by == "customer_type" else [])])
    if by == "customer_type":
        return groups_from(pd.DataFrame(columns=["customer_id"]), customers, by)
    return groups_from(segment_customers(data, as_of, settings, clusters=False), customers, by)


def campaign_segments(data: Dataset, settings: Segmentation, starts: pd.Series,
                      by: str | None = None) -> pd.DataFrame:
    """Every customer's group as of the day before each campaign's first assignment.

    Parameters
    ----------
    starts
        First ``assigned_at`` per campaign, indexed by ``campaign_id``.

    Returns
    -------
    pandas.DataFrame
        ``campaign_id``, ``customer_id``, ``segment``.
    """
    parts = []
    for day, ids in starts.groupby(pd.to_datetime(starts).dt.normalize()).groups.items():
        groups = pre_treatment_segments(data, settings, (day - timedelta(days=1)).date(), by)
        parts += [groups.assign(campaign_id=campaign_id) for campaign_id in ids]
    if not parts:
        return pd.DataFrame(columns=["campaign_id", "customer_id", "segment"])
    return pd.concat(parts, ignore_index=True)[["campaign_id", "customer_id", "segment"]]


def before_windows(baseline: Window) -> date:
    """The as-of date of the KPI groups: the day before the baseline window starts."""
    return baseline.start - timedelta(days=1)


def group_order(by: str) -> list[str]:
    """The display order of a breakdown's groups (nine-box order, tiers high to low, then ``new``)."""
    return {"nine_box": [*SEGMENTS, NEW], "value_tier": [*TIERS, NEW]}.get(by, [])


def ordered_groups(groups: Iterable[str], by: str) -> list[str]:
    """The distinct ``groups`` in :func:`group_order`; groups outside it follow, by name."""
    order = group_order(by)
    return sorted(set(groups), key=lambda group: (order.index(group) if group in order else len(order), group))


def sort_by_group(frame: pd.DataFrame, columns: list[str], by: str, column: str = "segment") -> pd.DataFrame:
    """``frame`` sorted (stably) by ``columns``, ``column`` in :func:`group_order` (groups outside it last)."""
    rank = {group: i for i, group in enumerate(group_order(by))}
    return frame.sort_values(columns, kind="stable",
                             key=lambda values: values.map(rank).fillna(len(rank)) if values.name == column else values)
