"""The tables of a period's campaign evaluation, derived from the tests of :mod:`crmreport.analyses.abtests.campaigns`.

:func:`evaluate_period` runs the whole evaluation (campaigns of the period, per-customer data,
sums, tests) and returns :class:`CampaignResults`: SRM, tests, CUPED, power (MDE), planning,
business view, heterogeneity across segments and the layered outreach board, each a tidy
frame, plus the headline numbers the notebook's takeaways quote.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from ...ingest.dataset import Dataset
from ...settings import AbTests, Params
from ...stats import abchecks
from ...stats import abtest as ab
from ...stats.cuped import cuped
from ...stats.proportion import wilson_interval
from ..segments.pretreatment import campaign_segments
from . import life, outreach
from .campaigns import (
    ALL,
    TEST_COLUMNS,
    compared,
    evaluate,
    has_code,
    join_messages,
    srm_flagged,
    srm_table,
    with_verdicts,
)
from .decisions import follow
from .planning import planning_table, power_table

CUPED_COLUMNS = ["campaign_id", "arm", "control_arm", "n_arm", "n_control", "theta", "value_arm", "value_control",
                 "abs_diff", "ci_low", "ci_high", "p_value", "p_adjusted", "unadjusted_abs_diff", "unadjusted_ci_low",
                 "unadjusted_ci_high", "unadjusted_p_value", "variance_reduction", "message"]
BUSINESS_COLUMNS = ["campaign_id", "arm", "n_arm", "incremental_conversions", "incremental_conversions_low",
                    "incremental_conversions_high", "incremental_revenue", "incremental_revenue_low",
                    "incremental_revenue_high", "cost_per_contact", "cost", "cost_per_incremental_conversion",
                    "cost_per_incremental_conversion_low", "cost_per_incremental_conversion_high", "net_revenue",
                    "message"]
HETEROGENEITY_COLUMNS = ["campaign_id", "metric", "arm", "segments", "q", "df", "p_value", "i2", "message"]
BOARD_COLUMNS = ["campaign_id", "segment", "arm", "n", "conversions", "conversion_rate", "ci_low", "ci_high"]


def cuped_table(sums: pd.DataFrame, tests: pd.DataFrame, control_arm: str, settings: AbTests) -> pd.DataFrame:
    """Revenue per customer with and without CUPED (pre-period revenue as covariate), per campaign and arm.

    ``p_adjusted`` applies the campaign's correction with the CUPED p-value in place of the
    unadjusted revenue-per-customer one. ``value_*`` are the adjusted means.
    """
    rows = []
    for campaign_id, group in sums.groupby("campaign_id", sort=False):
        arms = group.set_index("arm")
        if control_arm not in arms.index or len(arms) < 2:
            continue

        def bivariate(row: pd.Series) -> ab.Bivariate:
            return ab.Bivariate(int(row["n"]), row["revenue_sum"], row["revenue_sq"], row["pre_sum"], row["pre_sq"],
                                row["pre_revenue_cross"])

        for arm, row in arms.drop(index=control_arm).iterrows():
            result = cuped(bivariate(arms.loc[control_arm]), bivariate(row), settings.alpha)
            adjusted, plain = result.adjusted, result.unadjusted
            rows.append({"campaign_id": campaign_id, "arm": arm, "control_arm": control_arm, "n_arm": adjusted.n_arm,
                         "n_control": adjusted.n_control, "theta": result.theta, "value_arm": adjusted.value_arm,
                         "value_control": adjusted.value_control, "abs_diff": adjusted.abs_diff,
                         "ci_low": adjusted.ci_low, "ci_high": adjusted.ci_high, "p_value": adjusted.p_value,
                         "p_adjusted": np.nan, "unadjusted_abs_diff": plain.abs_diff,
                         "unadjusted_ci_low": plain.ci_low, "unadjusted_ci_high": plain.ci_high,
                         "unadjusted_p_value": plain.p_value, "variance_reduction": result.variance_reduction,
                         "message": result.message})
        family = tests[(tests["campaign_id"] == campaign_id) & (tests["segment"] == ALL)]
        mine = [r for r in rows if r["campaign_id"] == campaign_id]
        swapped = {r["arm"]: r["p_value"] for r in mine}
        p = [swapped[a] if m == "revenue_per_customer" else v
             for a, m, v in zip(family["arm"], family["metric"], family["p_value"], strict=True)]
        adjusted_p = dict(zip(zip(family["arm"], family["metric"], strict=True),
                              abchecks.adjust_p_values(p, settings.correction), strict=True))
        srm = has_code(family["message"], ab.SRM).any()
        for r in mine:
            r["p_adjusted"] = adjusted_p[(r["arm"], "revenue_per_customer")]
            r["message"] = join_messages(r["message"], ab.SRM if srm else None)
    return pd.DataFrame(rows, columns=CUPED_COLUMNS)


def business_table(tests: pd.DataFrame, channels: dict[str, str | None], settings: AbTests) -> pd.DataFrame:
    """Incremental conversions and revenue of every arm over its customers, with intervals, and their cost.

    ``incremental_*`` = the difference per customer x the arm's customers. When ``cost_per_contact``
    names the campaign (or else its channel), ``cost`` = cost x the arm's customers (the control
    arm is taken as not contacted) and ``cost_per_incremental_conversion`` = cost / incremental
    conversions, its interval from the conversions' interval (upper bound empty when that includes 0).
    """
    rows = []
    rates = compared(tests)
    rates = rates[rates["metric"] == "conversion_rate"]
    revenue = tests[(tests["segment"] == ALL) & (tests["metric"] == "revenue_per_customer")].set_index(
        ["campaign_id", "arm"])
    for _, conv in rates.iterrows():
        rev = revenue.loc[(conv["campaign_id"], conv["arm"])]
        n = int(conv["n_arm"])
        unit = settings.cost_per_contact.get(str(conv["campaign_id"]),
                                             settings.cost_per_contact.get(str(channels.get(conv["campaign_id"])),
                                                                           np.nan))
        cost = unit * n
        incr, low, high = (conv[c] * n for c in ("abs_diff", "ci_low", "ci_high"))
        rows.append({"campaign_id": conv["campaign_id"], "arm": conv["arm"], "n_arm": n,
                     "incremental_conversions": incr, "incremental_conversions_low": low,
                     "incremental_conversions_high": high, "incremental_revenue": rev["abs_diff"] * n,
                     "incremental_revenue_low": rev["ci_low"] * n, "incremental_revenue_high": rev["ci_high"] * n,
                     "cost_per_contact": unit, "cost": cost,
                     "cost_per_incremental_conversion": cost / incr if incr > 0 else np.nan,
                     "cost_per_incremental_conversion_low": cost / high if high > 0 else np.nan,
                     "cost_per_incremental_conversion_high": cost / low if low > 0 else np.nan,
                     "net_revenue": rev["abs_diff"] * n - cost,
                     "message": join_messages(conv["message"], rev["message"])})
    return pd.DataFrame(rows, columns=BUSINESS_COLUMNS)


def heterogeneity_table(tests: pd.DataFrame) -> pd.DataFrame:
    """Per campaign, arm and metric: does the effect differ between segments? (Cochran's Q over tested slices)."""
    rows = []
    whole = compared(tests)
    slices = tests[(tests["segment"] != ALL) & tests["p_value"].notna()]
    for _, r in whole.iterrows():
        part = slices[(slices["campaign_id"] == r["campaign_id"]) & (slices["arm"] == r["arm"])
                      & (slices["metric"] == r["metric"])]
        result = abchecks.heterogeneity(part["abs_diff"], part["std_error"] ** 2)
        rows.append({"campaign_id": r["campaign_id"], "metric": r["metric"], "arm": r["arm"], **asdict(result)})
    return pd.DataFrame(rows, columns=HETEROGENEITY_COLUMNS)


def board_table(segment_sums: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """The layered outreach board: conversion rate per campaign, segment (tier) and arm with Wilson intervals."""
    frame = segment_sums[segment_sums["n"] > 0]
    if frame.empty:
        return pd.DataFrame(columns=BOARD_COLUMNS)
    low, high = wilson_interval(frame["converted"], frame["n"], alpha)
    return pd.DataFrame({"campaign_id": frame["campaign_id"], "segment": frame["segment"], "arm": frame["arm"],
                         "n": frame["n"].astype(int), "conversions": frame["converted"].astype(int),
                         "conversion_rate": frame["converted"] / frame["n"], "ci_low": low,
                         "ci_high": high}).reset_index(drop=True)


def board_headline(board: pd.DataFrame, control_arm: str, min_n: int = 0) -> dict:
    """The treatment arm and tier with the highest conversion rate on the board, and control's rate in that tier,
    among tiers with ``min_n`` customers in the arm and its control (never an untested slice).

    Returns
    -------
    dict
        ``campaign``, ``segment``, ``arm``, ``rate``, ``control_rate`` (NaN when the tier has no
        control customers); empty when the board has no treatment arm with enough customers.
    """
    controls = board[board["arm"] == control_arm].set_index(["campaign_id", "segment"])
    control_n = board.set_index(["campaign_id", "segment"]).index.map(controls["n"].to_dict()).to_numpy(dtype=float)
    treated = board[(board["arm"] != control_arm) & (board["n"] >= min_n) & ~(control_n < min_n)]
    if treated.empty:
        return {}
    best = treated.loc[treated["conversion_rate"].idxmax()]
    control_rate = controls["conversion_rate"].get((best["campaign_id"], best["segment"]), np.nan)
    return {"campaign": best["campaign_id"], "segment": best["segment"], "arm": best["arm"],
            "rate": best["conversion_rate"], "control_rate": float(control_rate)}


def cuped_changes(cuped: pd.DataFrame, tests: pd.DataFrame, alpha: float) -> list[str]:
    """``campaign arm`` pairs whose revenue-per-customer significance differs with and without CUPED."""
    if cuped.empty:
        return []
    plain = tests[(tests["segment"] == ALL) & (tests["metric"] == "revenue_per_customer")].set_index(
        ["campaign_id", "arm"])["p_adjusted"]
    changed = []
    for _, row in cuped.iterrows():
        before = plain.get((row["campaign_id"], row["arm"]), np.nan)
        if (before < alpha) != (row["p_adjusted"] < alpha):
            changed.append(f"{row['campaign_id']} {row['arm']}")
    return changed


def campaign_headline(tests: pd.DataFrame, campaign_id: str, alpha: float, always_valid: bool = False) -> dict:
    """The arm with the largest conversion-rate difference in a campaign, for a takeaway sentence.

    With ``always_valid`` (a campaign read at more than one look) the interval, the verdict and the
    count of significant results come from the confidence sequence (``seq_*`` columns).

    Returns
    -------
    dict
        ``arm``, ``control``, ``value_arm``, ``value_control``, ``abs_diff``, ``ci_low``, ``ci_high``,
        ``prob_beat_control``, ``verdict`` (:func:`~crmreport.analyses.abtests.campaigns.with_verdicts`),
        ``significant_metrics`` (how many metric x arm results have an adjusted p-value below ``alpha``, SRM
        or not), ``tests`` (how many ran); empty when no arm was compared with control.
    """
    rows = with_verdicts(tests[(tests["campaign_id"] == campaign_id) & (tests["segment"] == ALL)], alpha,
                         [campaign_id] if always_valid else [])
    conv = compared(rows)
    conv = conv[(conv["metric"] == "conversion_rate") & conv["abs_diff"].notna()]
    if conv.empty:
        return {}
    best = conv.loc[conv["abs_diff"].idxmax()]
    prefix = "seq_" if always_valid else ""
    return {"arm": best["arm"], "control": best["control_arm"], "value_arm": best["value_arm"],
            "value_control": best["value_control"], "abs_diff": best["abs_diff"], "ci_low": best[f"{prefix}ci_low"],
            "ci_high": best[f"{prefix}ci_high"], "prob_beat_control": best["prob_beat_control"],
            "verdict": best["verdict"], "significant_metrics": int((rows[f"{prefix}p_adjusted"] < alpha).sum()),
            "tests": int(rows["p_value"].notna().sum())}


@dataclass(frozen=True)
class CampaignResults:
    """Every table of a period's campaign evaluation (see :func:`evaluate_period`)."""

    overview: pd.DataFrame
    sums: pd.DataFrame
    segment_sums: pd.DataFrame
    srm: pd.DataFrame
    tests: pd.DataFrame
    cuped: pd.DataFrame
    power: pd.DataFrame
    planning: pd.DataFrame
    business: pd.DataFrame
    heterogeneity: pd.DataFrame
    board: pd.DataFrame
    decisions: pd.DataFrame
    path: pd.DataFrame

    @property
    def active(self) -> list[str]:
        """Campaigns the report reads (running or concluded), by first assignment."""
        return self.overview.loc[self.overview["status"] != life.SKIPPED, "campaign_id"].tolist()

    @property
    def always_valid(self) -> list[str]:
        """Campaigns read with the always-valid interval: running, or concluded after an earlier look."""
        read = self.overview[self.overview["status"] != life.SKIPPED]
        return read.loc[read["inference"] != life.FIXED, "campaign_id"].tolist()

    @property
    def contract(self) -> pd.DataFrame:
        """``tests`` with exactly the columns of ``results/ab_tests.csv``."""
        return self.tests[TEST_COLUMNS]


def evaluate_period(data: Dataset, params: Params, segments: pd.DataFrame | None = None) -> CampaignResults:
    """Evaluate every campaign running or concluding in the period (needs the ``outreach`` table).

    Which campaigns, and as of when: :func:`crmreport.analyses.abtests.life.campaign_life` (the
    overview); each is read with the customers assigned by the period's end.

    Parameters
    ----------
    data
        The period's dataset.
    params
        ``control_arm``, the period window and the ``ab_tests`` settings.
    segments
        ``customer_id`` -> ``segment`` frame (optionally per ``campaign_id``): the slices of the
        breakdown and the tiers of the board. Default: the groups of ``segmentation.segments_by``
        as of the day before each campaign's first assignment
        (:func:`crmreport.analyses.segments.pretreatment.campaign_segments`), so the campaign
        cannot move a customer between groups.
    """
    settings = params.ab_tests
    overview = life.campaign_life(data.tables.get("outreach"), params.window, params.control_arm, settings)
    active = overview.loc[overview["status"] != life.SKIPPED, "campaign_id"].tolist()
    if segments is None and active:
        starts = overview.set_index("campaign_id").loc[active, "first_assigned"]
        segments = campaign_segments(data, params.segmentation, starts)
    customers = outreach.campaign_customers(data, active, settings.pre_period_days, segments, params.window.end)
    sums = outreach.arm_sums(customers, ["campaign_id", "arm"])
    segment_sums = outreach.arm_sums(customers, ["campaign_id", "segment", "arm"])
    srm = srm_table(sums, settings.planned_split)
    tests = evaluate(sums, segment_sums, params.control_arm, settings, srm_flagged(srm, settings.srm_threshold),
                     life.tunings(overview, settings))
    channels = dict(zip(overview["campaign_id"], overview["channel"], strict=True))
    base = len(data.tables["customers"]) if "customers" in data.tables else None  # the most a test can include
    decisions, path = follow(tests, overview, customers, params.window, params.control_arm, settings)
    return CampaignResults(overview, sums, segment_sums, srm, tests, cuped_table(sums, tests, params.control_arm,
                                                                                 settings),
                           power_table(tests, settings), planning_table(sums, params.control_arm, settings, base),
                           business_table(tests, channels, settings), heterogeneity_table(tests),
                           board_table(segment_sums, settings.alpha), decisions, path)
