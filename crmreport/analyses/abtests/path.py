"""The effect's path: a campaign's cumulative difference week by week, with the band valid at every look.

For each campaign this report reads with the always-valid reading (running, or concluded after more than
one look; a campaign read once as planned is judged by its fixed-horizon interval alone, and a band beside
it would answer a question nobody asked), each treatment arm and the campaign's primary metric, week ``w``
since the first assignment holds the customers assigned by the end of that week and the difference
to control with its fixed-horizon interval (valid at one pre-chosen look only) and the confidence
sequence (valid at every look at once: the band a manager may watch week after week). With a
group-sequential plan, the weeks that end a report (a look) carry the boundary of that look in the
metric's unit, ``+-b_k se``. This is the picture that says whether to wait: a band still holding 0
and the planned lift says so; a band that has left 0 says stop.
"""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pandas as pd

from ...settings import AbTests, Window
from ...stats import abtest as ab
from ...stats import sequential
from . import life, outreach
from .campaigns import RATE_METRICS, arm_statistics

PATH_COLUMNS = ["campaign_id", "arm", "metric", "week", "week_end", "customers", "abs_diff", "ci_low", "ci_high",
                "seq_ci_low", "seq_ci_high", "look", "boundary_low", "boundary_high"]


def _compare(control: pd.Series, arm: pd.Series, metric: str, alpha: float) -> ab.Comparison:
    c, a = arm_statistics(control, metric), arm_statistics(arm, metric)
    if metric in RATE_METRICS:
        return ab.compare_rates(c, a, alpha)
    return ab.compare_means(c, a, alpha) if metric == "revenue_per_customer" else ab.compare_ratios(c, a, alpha)


def effect_path(customers: pd.DataFrame, campaigns: pd.DataFrame, window: Window, control_arm: str,
                settings: AbTests) -> pd.DataFrame:
    """Weekly cumulative differences of every campaign this report reads at every look (see the module docstring).

    Parameters
    ----------
    customers
        Per-customer rows with ``assigned_at`` (:func:`crmreport.analyses.abtests.outreach.campaign_customers`).
    campaigns
        :func:`crmreport.analyses.abtests.life.campaign_life` of this report.
    window, control_arm, settings
        The report's window, the control arm's name and the ``ab_tests`` settings.

    Returns
    -------
    pandas.DataFrame
        :data:`PATH_COLUMNS`, one row per campaign, arm and week up to the report's end.
    """
    rows = []
    watched = (campaigns["status"] != life.SKIPPED) & (campaigns["inference"] != life.FIXED)
    for state in campaigns[watched].itertuples(index=False):
        mine = customers[customers["campaign_id"] == state.campaign_id]
        if mine.empty or not state.has_control:
            continue
        metric, first = life.primary_metric(state.campaign_id, settings), pd.Timestamp(state.since)
        tuning = life.comparison_tuning(state.campaign_id, int(state.arms), settings)
        weeks = math.ceil(((pd.Timestamp(window.end) - first).days + 1) / 7)
        looks = _look_weeks(state, first, window, mine, settings)
        for week in range(1, weeks + 1):
            end = first + pd.Timedelta(days=7 * week)
            sums = outreach.arm_sums(mine[mine["assigned_at"] < end], ["arm"]).set_index("arm")
            if control_arm not in sums.index:
                continue
            for arm, row in sums.drop(index=control_arm).iterrows():
                result = _compare(sums.loc[control_arm], row, metric, settings.alpha)
                seq = sequential.sequential(result, settings.alpha, tuning)
                look, bound = looks.get(week, (None, np.nan))
                rows.append({"campaign_id": state.campaign_id, "arm": arm, "metric": metric, "week": week,
                             "week_end": min(end.date() - timedelta(days=1), window.end),
                             "customers": int(row["n"] + sums.loc[control_arm, "n"]), "abs_diff": result.abs_diff,
                             "ci_low": result.ci_low, "ci_high": result.ci_high, "seq_ci_low": seq.ci_low,
                             "seq_ci_high": seq.ci_high, "look": look,
                             "boundary_low": -bound * result.std_error, "boundary_high": bound * result.std_error})
    frame = pd.DataFrame(rows, columns=PATH_COLUMNS)
    return frame.assign(look=frame["look"].astype("Int64"))


def _look_weeks(state, first: pd.Timestamp, window: Window, customers: pd.DataFrame,
                settings: AbTests) -> dict[int, tuple[int, float]]:
    """Week of each report look -> (look, group-sequential z boundary); empty without a group-sequential plan."""
    looks = life.look_boundaries(state.campaign_id, state.since, customers["assigned_at"], window, settings)
    return {math.ceil(((pd.Timestamp(w.end) - first).days + 1) / 7): (k, bound)
            for k, (w, bound) in enumerate(looks, start=1)}
