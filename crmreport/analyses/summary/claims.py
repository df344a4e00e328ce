"""How strong a finding of the summary may be: the evidence behind a figure and the claim a finding makes.

Evidence (``summary_figures.csv`` column ``evidence``): ``randomised`` (an A/B test), ``before_after``
(a period against its baseline window), ``model`` (a fitted model: CLV, P(alive), health score) or
``count`` (a count, sum or share of the data, no comparison).

Claims (finding rows, column ``claim``):

- ``worked``: a randomised comparison whose *adjusted* interval (:func:`crmreport.stats.adjusted.adjusted_interval`;
  for a campaign chapter 3 read by its always-valid interval, as its ``ab_decisions.csv`` rows record
  (:func:`reads_sequential`), that one, ``ab_tests.csv`` ``seq_adjusted_low`` / ``seq_adjusted_high``) lies on
  the improving side of zero, on the metric the sentence
  names, in a campaign that has concluded or whose decision for the arm is "stop, winner" (notebook 03's
  ``ab_decisions.csv``);
- ``did_not_work``: a randomised comparison whose adjusted interval reaches zero or the worse side;
- ``running``: an arm of a campaign still running whose decision is not "stop, winner" (:func:`still_running`):
  not yet a result, whatever its interval;
- ``moved``: a before/after change with a significant adjusted verdict: observed, not proven, shown with
  the pre-trend check of the monthly series (:func:`pre_trend`);
- ``watch``: a deterioration or a warning of the run (overdue tasks, contact rhythm, a group's churn up).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ...core.results import AB_CAMPAIGNS, AB_DECISIONS
from ...stats.adjusted import adjusted_interval, improving_side
from ..abtests import decisions, life
from .sources import Results

RANDOMISED, BEFORE_AFTER, MODEL, COUNT = "randomised", "before_after", "model", "count"
EVIDENCE = (RANDOMISED, BEFORE_AFTER, MODEL, COUNT)
WORKED, DID_NOT_WORK, RUNNING, MOVED, WATCH = "worked", "did_not_work", "running", "moved", "watch"
CLAIMS = (WORKED, DID_NOT_WORK, RUNNING, MOVED, WATCH)
#: A/B metrics in the order a claim prefers them: revenue is what the business case needs
AB_METRICS = ("revenue_per_customer", "conversion_rate", "response_rate")


@dataclass(frozen=True)
class Reading:
    """One A/B metric of one arm: the estimate, its adjusted interval and the claim it supports."""

    metric: str
    estimate: float
    low: float
    high: float
    claim: str


def ab_reading(row: pd.Series, alpha: float, sequential: bool = False, level: float = 0.95) -> Reading:
    """The claim one ``ab_tests.csv`` row supports (every A/B metric improves upwards).

    ``row`` holds ``metric``, ``abs_diff``, ``ci_low``, ``ci_high``, ``p_value``, ``p_adjusted`` and, read
    ``sequential`` (:func:`reads_sequential`), ``seq_adjusted_low`` and ``seq_adjusted_high``.
    """
    if sequential:
        low, high = float(row["seq_adjusted_low"]), float(row["seq_adjusted_high"])
    else:
        low, high = adjusted_interval(float(row["abs_diff"]), float(row["ci_low"]), float(row["ci_high"]),
                                      float(row["p_value"]), float(row["p_adjusted"]), alpha, level)
    claim = WORKED if improving_side(low, high, "higher") == "better" else DID_NOT_WORK
    return Reading(str(row["metric"]), float(row["abs_diff"]), low, high, claim)


def arm_claim(rows: pd.DataFrame, alpha: float, sequential: bool = False) -> tuple[Reading | None, Reading | None]:
    """The claim of one arm (its ``ab_tests.csv`` rows of every customer) and its revenue reading, from the
    always-valid intervals when ``sequential`` (:func:`reads_sequential`).

    Returns
    -------
    tuple
        The reading the claim names (the first of :data:`AB_METRICS` that worked, else the first
        tested) and the revenue-per-customer reading (None when not tested), so that a win in
        response or conversion that does not carry to revenue can say so.
    """
    readings = {str(r["metric"]): ab_reading(r, alpha, sequential) for _, r in rows.iterrows()
                if r["metric"] in AB_METRICS and not math.isnan(float(r["abs_diff"]))}
    ordered = [readings[m] for m in AB_METRICS if m in readings]
    if not ordered:
        return None, None
    named = next((r for r in ordered if r.claim == WORKED), ordered[0])
    return named, readings.get("revenue_per_customer")


def reads_sequential(results: Results, campaign: str) -> bool:
    """Whether chapter 3 read ``campaign`` by its always-valid intervals: the ``inference`` its decision rows record
    (``ab_decisions.csv``, where :func:`crmreport.analyses.abtests.decisions.reads_always_valid` chose ``ci_low`` /
    ``ci_high``); False (fixed-horizon) in a report without decisions."""
    state = results.rows(AB_DECISIONS, campaign_id=campaign)
    return not state.empty and decisions.reads_always_valid(str(state.iloc[0]["inference"]))


def still_running(results: Results, campaign: str, arm: str) -> int | None:
    """The look of a campaign still running whose decision for ``arm`` is not "stop, winner"; None when the arm's
    reading stands (the campaign concluded, the arm stopped as the winner, or a report without campaign states)."""
    state = results.rows(AB_CAMPAIGNS, campaign_id=campaign, status=life.RUNNING)
    if state.empty or not results.rows(AB_DECISIONS, campaign_id=campaign, arm=arm,
                                       decision=decisions.STOP_WINNER).empty:
        return None
    return int(state.iloc[0]["look"])


def carries_to_revenue(named: Reading, revenue: Reading | None) -> bool | None:
    """Whether a win on response or conversion carries to revenue (None when revenue is the metric or untested)."""
    if named.metric == "revenue_per_customer" or revenue is None or named.claim != WORKED:
        return None
    return revenue.claim == WORKED


def kpi_claim(verdict: str) -> str | None:
    """The claim of a before/after KPI verdict: ``moved`` (improved), ``watch`` (deteriorated), else None."""
    return {"significant_improvement": MOVED, "significant_deterioration": WATCH}.get(str(verdict))


def pre_trend(row: pd.Series | None, alpha: float) -> str | None:
    """The pre-trend check of a KPI from its ``kpi_segmented_regression.csv`` row.

    ``jump`` when the monthly series steps at the strategy start beyond its earlier trend
    (level change significant at ``alpha``), ``trend`` when the change is within what the earlier
    trend and noise explain, None without a fitted series.
    """
    if row is None or pd.isna(row.get("level_p_value")):
        return None
    return "jump" if float(row["level_p_value"]) < alpha else "trend"
