"""A campaign's life across reports: running at look k, or concluded, or not read by this report.

A campaign is read in every report from the one holding its first assignment until the one in which
it concludes: at its declared end date (params ``ab_tests.campaigns.<id>.end_date``) or, without one,
when no customer has been assigned for ``outcome_window_days`` (the last customers' outcomes are in).
Each report sees the customers assigned up to its end, so a backfill of two periods reads the same
campaign twice: running at look 1 with the customers so far, then concluded with all of them.

Which inference a reading uses (``inference``): a campaign concluded at its first look was read
once, so the fixed-horizon tests hold (``fixed_horizon``); a running campaign, or one read in an
earlier report, uses the confidence sequence (``sequential``), or the group-sequential boundaries
when its plan declares planned customers and planned looks (``group_sequential``).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from ...settings import AbTests, Window
from ...stats import groupseq

RUNNING, CONCLUDED, SKIPPED = "running", "concluded", "skipped"
STARTS_AFTER, CONCLUDED_BEFORE = "starts_after_period", "concluded_before_period"
FIXED, SEQUENTIAL, GROUP_SEQUENTIAL = "fixed_horizon", "sequential", "group_sequential"
DEFAULT_METRIC = "conversion_rate"
LIFE_COLUMNS = ["campaign_id", "channel", "first_assigned", "last_assigned", "customers", "planned_customers",
                "arms", "arm_names", "has_control", "status", "look", "since", "concluded_on", "inference", "reason"]


def _earlier(window: Window) -> Window:
    """The report window just before ``window``: whole months back when the window is month-aligned, else days."""
    if window.start.day == 1 and (window.end + timedelta(days=1)).day == 1:
        months = (window.end.year - window.start.year) * 12 + window.end.month - window.start.month + 1
        index = window.start.year * 12 + window.start.month - 1 - months
        return Window(start=date(index // 12, index % 12 + 1, 1), end=window.start - timedelta(days=1))
    return Window(start=window.start - timedelta(days=window.days), end=window.start - timedelta(days=1))


def look_windows(first: date, window: Window) -> list[Window]:
    """The windows of the reports that read a campaign first assigned on ``first``, up to ``window`` (oldest first).

    The reports are the periods of ``window``'s length that step back from it to the one holding ``first``
    (quarters for a quarterly report, months for a monthly one); look ``k`` is the k-th of them.
    """
    windows = [window]
    while windows[0].start > first:
        windows.insert(0, _earlier(windows[0]))
    return windows


def look_number(first: date, window: Window) -> int:
    """Which report of the period's length since the first assignment this is (1 = the first one)."""
    return len(look_windows(first, window))


def concluded_on(campaign_id: str, last_assigned: date, settings: AbTests) -> date:
    """The day a campaign concludes: its declared end date, else its last assignment + the outcome window."""
    plan = settings.campaigns.get(str(campaign_id))
    if plan is not None and plan.end_date is not None:
        return plan.end_date
    return last_assigned + timedelta(days=settings.outcome_window_days)


def campaign_life(outreach: pd.DataFrame | None, window: Window, control_arm: str, settings: AbTests) -> pd.DataFrame:
    """One row per campaign of the data: its state in the report of ``window``, as of the window's end.

    Returns
    -------
    pandas.DataFrame
        :data:`LIFE_COLUMNS`. ``status`` is ``running`` or ``concluded`` for the campaigns this report
        reads, else ``skipped`` with ``reason`` ``starts_after_period`` or ``concluded_before_period``.
        ``customers`` counts those assigned by the window's end, ``planned_customers`` comes from the
        campaign's plan (empty without one), ``look`` is :func:`look_number`, ``since`` the first
        assignment's day, ``concluded_on`` the day it concludes (or will, by the plan so far).
    """
    if outreach is None or outreach.empty:
        return pd.DataFrame(columns=LIFE_COLUMNS)
    stop = pd.Timestamp(window.end + timedelta(days=1))
    rows = []
    for campaign_id, all_rows in outreach.groupby("campaign_id", sort=False):
        first = all_rows["assigned_at"].min()
        seen = all_rows[all_rows["assigned_at"] < stop]
        arms = sorted(all_rows["arm"].unique(), key=lambda a: (a != control_arm, a))
        channels = all_rows["channel"].dropna().value_counts() if "channel" in all_rows else pd.Series(dtype=int)
        plan = settings.campaigns.get(str(campaign_id))
        last = (seen if len(seen) else all_rows)["assigned_at"].max()
        ends = concluded_on(campaign_id, pd.Timestamp(last).date(), settings)
        if first >= stop:
            status, reason = SKIPPED, STARTS_AFTER
        elif ends < window.start:
            status, reason = SKIPPED, CONCLUDED_BEFORE
        else:
            status, reason = (CONCLUDED if ends <= window.end else RUNNING), None
        look = look_number(pd.Timestamp(first).date(), window) if status != SKIPPED else None
        rows.append({"campaign_id": campaign_id, "channel": channels.index[0] if len(channels) else None,
                     "first_assigned": first, "last_assigned": last, "customers": seen["customer_id"].nunique(),
                     "planned_customers": plan.planned_customers if plan else None, "arms": len(arms),
                     "arm_names": ", ".join(arms), "has_control": control_arm in arms, "status": status,
                     "look": look, "since": pd.Timestamp(first).date(), "concluded_on": ends,
                     "inference": None if status == SKIPPED else inference(status, look, plan), "reason": reason})
    frame = pd.DataFrame(rows, columns=LIFE_COLUMNS)
    frame = frame.assign(look=frame["look"].astype("Int64"),
                         planned_customers=frame["planned_customers"].astype("Int64"))
    return frame.sort_values(["first_assigned", "campaign_id"], kind="stable").reset_index(drop=True)


def inference(status: str, look: int, plan: object | None) -> str:
    """``fixed_horizon``, ``sequential`` or ``group_sequential`` for a campaign read at ``look`` (module docstring)."""
    if plan is not None and getattr(plan, "planned_customers", None) and getattr(plan, "planned_looks", None):
        return GROUP_SEQUENTIAL
    return FIXED if status == CONCLUDED and look == 1 else SEQUENTIAL


def information_fraction(assigned_at: pd.Series, as_of: date, planned: int, outcome_window_days: int) -> float:
    """Share of the planned customers' outcome time seen by ``as_of``: sum of min(1, days since / window) / planned."""
    days = (pd.Timestamp(as_of) + pd.Timedelta(days=1) - pd.to_datetime(assigned_at)).dt.days.to_numpy(dtype=float)
    return float(np.clip(days / outcome_window_days, 0, 1).sum() / planned)


def look_boundaries(campaign_id: str, since: date, assigned_at: pd.Series, window: Window,
                    settings: AbTests) -> list[tuple[Window, float]]:
    """Each report look of a group-sequential campaign up to ``window``: its window and z boundary.

    The information fraction of a look is :func:`information_fraction` at the look's end, with the
    customers assigned by then; the boundaries are :func:`crmreport.stats.groupseq.lan_demets_bounds`
    over the looks so far. Empty for a campaign without planned customers and planned looks.
    """
    plan = settings.campaigns.get(str(campaign_id))
    if inference(RUNNING, 1, plan) != GROUP_SEQUENTIAL:
        return []
    windows = look_windows(since, window)
    stamps = pd.to_datetime(assigned_at)
    fractions = [information_fraction(stamps[stamps < pd.Timestamp(w.end + timedelta(days=1))], w.end,
                                      plan.planned_customers, settings.outcome_window_days) for w in windows]
    increasing = np.maximum.accumulate(np.maximum(np.asarray(fractions), 1e-9))
    return list(zip(windows, groupseq.lan_demets_bounds(increasing, settings.alpha).tolist(), strict=True))


def comparison_tuning(campaign_id: str, arms: int, settings: AbTests) -> float:
    """Tuning of one arm-against-control comparison: the planned customers of the two arms, else the default.

    With ``P`` planned customers split equally over ``arms`` arms, a comparison is planned to reach
    ``2 P / arms`` customers (docs/ab-tests.md, "Tuning").
    """
    plan = settings.campaigns.get(str(campaign_id))
    if plan is not None and plan.planned_customers and arms >= 2:
        return 2 * plan.planned_customers / arms
    return settings.sequential_tuning


def primary_metric(campaign_id: str, settings: AbTests) -> str:
    """The campaign's declared primary metric, else ``conversion_rate``."""
    plan = settings.campaigns.get(str(campaign_id))
    return plan.primary_metric if plan is not None and plan.primary_metric else DEFAULT_METRIC


def tunings(campaigns: pd.DataFrame, settings: AbTests) -> dict[str, float]:
    """:func:`comparison_tuning` of every campaign of a :func:`campaign_life` frame."""
    return {str(c): comparison_tuning(c, int(arms), settings) for c, arms in zip(campaigns["campaign_id"],
                                                                                  campaigns["arms"], strict=True)}
