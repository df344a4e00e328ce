"""What to do with each campaign this report reads: continue, stop (winner), stop (futility), or concluded.

The decision is taken per treatment arm on the campaign's primary metric (params
``ab_tests.campaigns.<id>.primary_metric``, default ``conversion_rate``), from readings that stay
valid at every look (:mod:`crmreport.stats.sequential`, :mod:`crmreport.stats.groupseq`):

- ``concluded``: the campaign has concluded (:mod:`.life`); its readout names its inference;
- ``stop_winner``: the arm is better than control, by the sequential p-value after the campaign's
  adjustment (``seq_p_adjusted < alpha``), or, with a group-sequential plan, ``z >= b_k``;
- ``stop_futility``: the arm is significantly worse by the same reading; or the minimum lift of
  interest (``min_lift``, relative) lies above the confidence sequence at the campaign's adjustment
  (ruled out); or it is smaller than the lift the campaign can still detect by its planned customers
  (out of reach):
  ``detectable_lift`` says which lift could still be detected;
- ``continue``: otherwise (and always after a sample ratio mismatch: the assignment must be fixed first).

``reason`` says which of these rules decided (:data:`REASONS`), so that the words name the one that holds.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ...settings import AbTests, Window
from ...stats import abtest as ab
from ...stats import sequential
from . import life
from .path import effect_path

CONTINUE, STOP_WINNER, STOP_FUTILITY, CONCLUDED = "continue", "stop_winner", "stop_futility", "concluded"
DECISIONS = (CONTINUE, STOP_WINNER, STOP_FUTILITY, CONCLUDED)
#: why, per decision: the interval still holds zero or the arms' sizes mismatch (continue); better than control
#: by the always-valid p-value or the group-sequential boundary (stop_winner); worse by either, the minimum lift
#: ruled out, or out of reach (stop_futility); concluded
REASONS = {CONTINUE: ("holds_zero", "srm"), STOP_WINNER: ("better", "crossed_up"),
           STOP_FUTILITY: ("worse", "crossed_down", "ruled_out", "out_of_reach"), CONCLUDED: ("concluded",)}
DECISION_COLUMNS = ["campaign_id", "arm", "metric", "status", "look", "inference", "decision", "reason", "abs_diff",
                    "ci_low", "ci_high", "seq_p_adjusted", "z", "boundary", "min_lift", "min_lift_abs",
                    "detectable_lift_abs", "detectable_lift", "message"]


def decide(tests: pd.DataFrame, campaigns: pd.DataFrame, settings: AbTests,
           boundaries: dict[str, float] | None = None) -> pd.DataFrame:
    """The decision of every treatment arm of every campaign this report reads.

    Parameters
    ----------
    tests
        ``ab_tests`` rows with the sequential columns (segment ``all`` is used).
    campaigns
        :func:`crmreport.analyses.abtests.life.campaign_life` of the report.
    settings
        ``alpha``, the campaigns' plans and ``sequential_tuning``.
    boundaries
        Group-sequential z boundary of this look per campaign that declares one.

    Returns
    -------
    pandas.DataFrame
        :data:`DECISION_COLUMNS`; ``ci_low`` / ``ci_high`` the interval the campaign is read with: the
        fixed-horizon one when its ``inference`` is ``fixed_horizon`` (read once, as planned), else the
        always-valid one at the campaign's adjustment (``seq_adjusted_*``, which excludes zero exactly when
        ``seq_p_adjusted < alpha``); ``min_lift`` relative, ``*_abs`` in the metric's unit,
        ``detectable_lift`` relative to control's value.
    """
    boundaries = boundaries or {}
    read = campaigns[campaigns["status"] != life.SKIPPED].set_index("campaign_id")
    rows = []
    whole = tests[(tests["segment"] == "all") & (tests["n_control"] > 0) & (tests["arm"] != tests["control_arm"])]
    for r in whole.itertuples(index=False):
        if r.campaign_id not in read.index or r.metric != life.primary_metric(r.campaign_id, settings):
            continue
        state = read.loc[r.campaign_id]
        plan = settings.campaigns.get(str(r.campaign_id))
        min_lift = plan.min_lift if plan is not None and plan.min_lift is not None else np.nan
        min_abs = min_lift * r.value_control
        tuning = life.comparison_tuning(r.campaign_id, int(state["arms"]), settings)
        planned_total = tuning if plan is not None and plan.planned_customers else np.nan
        n_now = r.n_arm + r.n_control
        detectable = float(sequential.detectable_difference(r.std_error * math.sqrt(n_now),
                                                            max(planned_total, n_now), settings.alpha, tuning)) \
            if np.isfinite(planned_total) else np.nan
        z = r.abs_diff / r.std_error if r.std_error and np.isfinite(r.std_error) else np.nan
        boundary = boundaries.get(str(r.campaign_id), np.nan)
        decision, reason = _decision(state["status"], state["inference"], r, z, boundary, min_abs, detectable,
                                     settings.alpha)
        low, high = (r.seq_adjusted_low, r.seq_adjusted_high) if reads_always_valid(state["inference"]) \
            else (r.ci_low, r.ci_high)
        rows.append({"campaign_id": r.campaign_id, "arm": r.arm, "metric": r.metric, "status": state["status"],
                     "look": state["look"], "inference": state["inference"], "decision": decision, "reason": reason,
                     "abs_diff": r.abs_diff, "ci_low": low, "ci_high": high,
                     "seq_p_adjusted": r.seq_p_adjusted, "z": z, "boundary": boundary, "min_lift": min_lift,
                     "min_lift_abs": min_abs, "detectable_lift_abs": detectable,
                     "detectable_lift": detectable / r.value_control if r.value_control else np.nan,
                     "message": r.message})
    return pd.DataFrame(rows, columns=DECISION_COLUMNS)


def reads_always_valid(inference: str) -> bool:
    """Whether a campaign of this ``inference`` (:mod:`.life`) is read with its always-valid interval at the
    campaign's adjustment (``ab_tests`` ``seq_adjusted_*``), else with its fixed-horizon interval (read once, as
    planned); the one rule behind ``ab_decisions.csv``'s ``ci_low`` / ``ci_high``, which the executive summary
    reads back (:func:`crmreport.analyses.summary.claims.reads_sequential`)."""
    return str(inference) != life.FIXED


def _decision(status: str, inference: str, r, z: float, boundary: float, min_abs: float, detectable: float,
              alpha: float) -> tuple[str, str]:
    """The decision and its reason (:data:`REASONS`)."""
    if status == life.CONCLUDED:
        return CONCLUDED, "concluded"
    if isinstance(r.message, str) and ab.SRM in r.message.split(";"):
        return CONTINUE, "srm"
    if inference == life.GROUP_SEQUENTIAL and np.isfinite(boundary):
        if z >= boundary:
            return STOP_WINNER, "crossed_up"
        if z <= -boundary:
            return STOP_FUTILITY, "crossed_down"
    else:
        significant = r.seq_p_adjusted < alpha
        if significant and r.abs_diff > 0:
            return STOP_WINNER, "better"
        if significant and r.abs_diff < 0:
            return STOP_FUTILITY, "worse"
    if r.seq_adjusted_high < min_abs:
        return STOP_FUTILITY, "ruled_out"
    if detectable > min_abs:
        return STOP_FUTILITY, "out_of_reach"
    return CONTINUE, "holds_zero"


def follow(tests: pd.DataFrame, campaigns: pd.DataFrame, customers: pd.DataFrame, window: Window,
           control_arm: str, settings: AbTests) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The decisions (:func:`decide`) and the effect paths (:func:`.path.effect_path`) of a report's campaigns.

    ``customers`` are the per-customer rows with ``assigned_at``; a group-sequential campaign's
    boundary at this look comes from :func:`.life.look_boundaries`.
    """
    boundaries = {}
    for state in campaigns[campaigns["inference"] == life.GROUP_SEQUENTIAL].itertuples(index=False):
        assigned = customers.loc[customers["campaign_id"] == state.campaign_id, "assigned_at"]
        looks = life.look_boundaries(state.campaign_id, state.since, assigned, window, settings)
        if looks:
            boundaries[str(state.campaign_id)] = looks[-1][1]
    return (decide(tests, campaigns, settings, boundaries),
            effect_path(customers, campaigns, window, control_arm, settings))
