"""Outreach campaign evaluation: from per-arm sums (:mod:`crmreport.outreach`) to the tidy result tables.

:func:`evaluate` compares every treatment arm with the control arm on the four metrics of
:data:`METRICS`, for the whole campaign (segment ``all``) and per segment, adjusts the p-values
per family, adds the Bayesian view and marks campaigns with a sample ratio mismatch. The other
functions derive the SRM, CUPED, power, planning, business, heterogeneity, board and summary
tables. Statistics come from :mod:`crmreport.abtest` and :mod:`crmreport.abpower`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from . import abbayes, abpower, outreach
from . import abtest as ab
from .dataset import Dataset
from .params import AbTests, Params

METRICS = ("response_rate", "conversion_rate", "revenue_per_customer", "revenue_per_converter")
RATE_METRICS = METRICS[:2]
TEST_COLUMNS = ["campaign_id", "segment", "metric", "arm", "control_arm", "n_arm", "n_control", "value_arm",
                "value_control", "abs_diff", "ci_low", "ci_high", "rel_lift", "rel_ci_low", "rel_ci_high", "p_value",
                "p_adjusted", "significant", "prob_beat_control", "method", "message"]
EXTRA_COLUMNS = ["std_error", "expected_loss_arm", "expected_loss_control", "posterior_method"]
SRM_COLUMNS = ["campaign_id", "arm", "n", "expected_share", "observed_share", "srm_p_value"]
VERDICTS = ("significant_improvement", "significant_deterioration", "no_significant_change", "insufficient_data",
            "untrustworthy")
ALL = "all"
_INFERENCE = ("ci_low", "ci_high", "rel_ci_low", "rel_ci_high", "p_value")


def result_name(prefix: str, campaign_id: str) -> str:
    """A results file name for one campaign (``ab_results`` + ``SMS-2025Q3`` -> ``ab_results_SMS-2025Q3``)."""
    return prefix + "_" + re.sub(r"[^\w-]+", "_", str(campaign_id))


def _join(*codes: object) -> str | None:
    """Message codes joined with ';' in order, without repeats; empty values (None, NaN) skipped."""
    unique = list(dict.fromkeys(c for code in codes if isinstance(code, str) and code for c in code.split(";")))
    return ";".join(unique) or None


def _stats(row: pd.Series, metric: str) -> ab.Proportion | ab.Moments | ab.Bivariate:
    n = int(row["n"])
    if metric == "response_rate":
        return ab.Proportion(n, int(row["responded"]))
    if metric == "conversion_rate":
        return ab.Proportion(n, int(row["converted"]))
    if metric == "revenue_per_customer":
        return ab.Moments(n, float(row["revenue_sum"]), float(row["revenue_sq"]))
    return ab.Bivariate(n, float(row["revenue_sum"]), float(row["revenue_sq"]), float(row["converted"]),
                        float(row["converted"]), float(row["revenue_converted"]))


def metric_value(row: pd.Series, metric: str) -> float:
    """The value of ``metric`` in one row of per-arm sums (NaN when undefined)."""
    stat = _stats(row, metric)
    if isinstance(stat, ab.Proportion):
        return stat.events / stat.n if stat.n else np.nan
    if isinstance(stat, ab.Moments):
        return stat.mean
    return stat.sum_y / stat.sum_x if stat.sum_x else np.nan


def _compare(control: pd.Series, arm: pd.Series, metric: str, alpha: float) -> tuple[ab.Comparison, abbayes.Posterior]:
    c, a = _stats(control, metric), _stats(arm, metric)
    if metric in RATE_METRICS:
        no_events = ab.NO_RESPONSES if metric == "response_rate" else ab.NO_CONVERSIONS
        return ab.compare_rates(c, a, alpha, no_events), abbayes.bayes_rates(c, a)
    comparison = ab.compare_means(c, a, alpha) if metric == "revenue_per_customer" else ab.compare_ratios(c, a, alpha)
    return comparison, abbayes.bayes_normal(comparison)


def _row(campaign_id: str, segment: str, metric: str, arm: str, control_arm: str, comparison: ab.Comparison,
         posterior: abbayes.Posterior | None) -> dict:
    values = asdict(comparison)
    return {"campaign_id": campaign_id, "segment": segment, "metric": metric, "arm": arm, "control_arm": control_arm,
            **{k: values[k] for k in TEST_COLUMNS if k in values}, "p_adjusted": np.nan, "significant": False,
            "prob_beat_control": posterior.prob_beat_control if posterior else np.nan,
            "std_error": comparison.std_error,
            "expected_loss_arm": posterior.expected_loss_arm if posterior else np.nan,
            "expected_loss_control": posterior.expected_loss_control if posterior else np.nan,
            "posterior_method": posterior.method if posterior else None}


def _slice_rows(campaign_id: str, segment: str, arms: pd.DataFrame, control_arm: str, alpha: float,
                min_n: int | None) -> list[dict]:
    """Rows of one campaign slice; ``arms`` holds per-arm sums indexed by arm (every arm of the campaign)."""
    rows = []
    if len(arms) == 1 or control_arm not in arms.index:
        message = ab.SINGLE_ARM if len(arms) == 1 else ab.NO_CONTROL
        for arm, sums in arms.iterrows():
            n_control = int(sums["n"]) if arm == control_arm else 0
            for metric in METRICS:
                empty = ab.empty_comparison("none", int(sums["n"]), n_control, message,
                                            value_arm=metric_value(sums, metric))
                rows.append(_row(campaign_id, segment, metric, str(arm), control_arm, empty, None))
        return rows
    control = arms.loc[control_arm]
    for arm, sums in arms.drop(index=control_arm).iterrows():
        for metric in METRICS:
            comparison, posterior = _compare(control, sums, metric, alpha)
            small = min_n is not None and min(int(sums["n"]), int(control["n"])) < min_n
            if small and comparison.message not in (ab.NO_CUSTOMERS,):
                comparison = replace(comparison, **dict.fromkeys(_INFERENCE, np.nan),
                                     message=_join(comparison.message, ab.BELOW_MIN_N))
                posterior = None
            rows.append(_row(campaign_id, segment, metric, str(arm), control_arm, comparison, posterior))
    return rows


def evaluate(sums: pd.DataFrame, segment_sums: pd.DataFrame | None, control_arm: str, settings: AbTests,
             srm_flagged: set[str] | frozenset[str] = frozenset()) -> pd.DataFrame:
    """Every arm against control, per campaign and segment, on every metric.

    Parameters
    ----------
    sums
        Per-arm sums by ``campaign_id``, ``arm`` (:func:`crmreport.outreach.arm_sums`).
    segment_sums
        The same by ``campaign_id``, ``segment``, ``arm``; campaigns with one segment get no slices.
    control_arm
        Name of the control arm.
    settings
        ``alpha``, ``correction`` and ``min_n_per_segment`` (customers per arm for a slice to be tested).
    srm_flagged
        Campaigns with a sample ratio mismatch: their rows carry the message ``srm``.

    Returns
    -------
    pandas.DataFrame
        :data:`TEST_COLUMNS` + :data:`EXTRA_COLUMNS`. ``p_adjusted`` is adjusted over the family
        arms x metrics of a campaign (segment ``all``), and separately over arms x metrics x
        segments of its slices. ``significant`` is ``p_adjusted < alpha``. ``message`` joins codes with ';'.
    """
    rows: list[dict] = []
    for campaign_id, group in sums.groupby("campaign_id", sort=False):
        arms = group.set_index("arm")
        rows += _slice_rows(campaign_id, ALL, arms, control_arm, settings.alpha, None)
        if segment_sums is None:
            continue
        slices = segment_sums[segment_sums["campaign_id"] == campaign_id]
        if slices["segment"].nunique() < 2:
            continue
        for segment, part in slices.groupby("segment", sort=True):
            filled = part.set_index("arm").reindex(arms.index)
            filled = filled.assign(**{c: filled[c].fillna(0) for c in ["n", "responded", "converted", "revenue_sum",
                                                                          "revenue_sq", "revenue_converted"]})
            rows += _slice_rows(campaign_id, str(segment), filled, control_arm, settings.alpha,
                                settings.min_n_per_segment)
    frame = pd.DataFrame(rows, columns=TEST_COLUMNS + EXTRA_COLUMNS)
    if frame.empty:
        return frame
    family = frame["campaign_id"].astype(str) + (frame["segment"] == ALL).map({True: "|all", False: "|slices"})
    for _, index in frame.groupby(family, sort=False).groups.items():
        frame.loc[index, "p_adjusted"] = ab.adjust_p_values(frame.loc[index, "p_value"], settings.correction)
    frame["significant"] = (frame["p_adjusted"] < settings.alpha).astype(bool)
    flagged = frame["campaign_id"].isin(srm_flagged)
    frame.loc[flagged, "message"] = [_join(m, ab.SRM) for m in frame.loc[flagged, "message"]]
    return frame


def srm_table(sums: pd.DataFrame, planned_split: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Arm sizes against the planned split (equal shares unless ``planned_split`` names the campaign).

    Arms planned but absent get a row with ``n`` 0; arms present but not planned have an expected share of 0.

    Returns
    -------
    pandas.DataFrame
        :data:`SRM_COLUMNS`; ``srm_p_value`` (chi-square goodness of fit) repeats on every row of a campaign.
    """
    rows = []
    for campaign_id, group in sums.groupby("campaign_id", sort=False):
        counts = group.set_index("arm")["n"].astype(int)
        plan = planned_split.get(str(campaign_id))
        if plan:
            counts = counts.reindex(list(dict.fromkeys([*plan, *counts.index])), fill_value=0)
            shares = np.array([plan.get(arm, 0.0) for arm in counts.index], dtype=float)
        else:
            shares = np.ones(len(counts))
        shares = shares / shares.sum()
        p = ab.sample_ratio_mismatch(counts.to_numpy(), shares)
        for (arm, n), share in zip(counts.items(), shares, strict=True):
            rows.append({"campaign_id": campaign_id, "arm": arm, "n": int(n), "expected_share": float(share),
                         "observed_share": n / counts.sum() if counts.sum() else np.nan, "srm_p_value": p})
    return pd.DataFrame(rows, columns=SRM_COLUMNS)


def srm_flagged(srm: pd.DataFrame, threshold: float) -> set[str]:
    """Campaigns whose SRM p-value is below ``threshold``."""
    return set(srm.loc[srm["srm_p_value"] < threshold, "campaign_id"])


def verdict(message: str | None, p_adjusted: float, abs_diff: float, alpha: float) -> str:
    """One of :data:`VERDICTS`: ``untrustworthy`` after an SRM, ``insufficient_data`` without a test."""
    codes = message.split(";") if isinstance(message, str) else []
    if ab.SRM in codes:
        return "untrustworthy"
    if not np.isfinite(p_adjusted):
        return "insufficient_data"
    if p_adjusted < alpha:
        return "significant_improvement" if abs_diff > 0 else "significant_deterioration"
    return "no_significant_change"


def with_verdicts(tests: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """``tests`` with a ``verdict`` column."""
    return tests.assign(verdict=[verdict(m, p, d, alpha) for m, p, d in
                                 zip(tests["message"], tests["p_adjusted"], tests["abs_diff"], strict=True)])


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
            result = ab.cuped(bivariate(arms.loc[control_arm]), bivariate(row), settings.alpha)
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
                              ab.adjust_p_values(p, settings.correction), strict=True))
        srm = family["message"].fillna("").str.split(";").map(lambda codes: ab.SRM in codes).any()
        for r in mine:
            r["p_adjusted"] = adjusted_p[(r["arm"], "revenue_per_customer")]
            r["message"] = _join(r["message"], ab.SRM if srm else None)
    return pd.DataFrame(rows)


def power_table(tests: pd.DataFrame, settings: AbTests) -> pd.DataFrame:
    """Minimum detectable effect of every campaign-level comparison at its achieved arm sizes."""
    rows = []
    for _, r in tests[(tests["segment"] == ALL) & (tests["n_control"] > 0) & (tests["arm"] != tests["control_arm"])
                      ].iterrows():
        n1, n0 = int(r["n_arm"]), int(r["n_control"])
        if r["metric"] in RATE_METRICS:
            mde = abpower.mde_rate(r["value_control"], n1, n0, settings.alpha, settings.power)
        else:
            mde = abpower.mde_mean(r["value_control"], r["std_error"], n1, n0, settings.alpha, settings.power,
                                   t_test=r["metric"] == "revenue_per_customer")
        rows.append({"campaign_id": r["campaign_id"], "metric": r["metric"], "arm": r["arm"], "n_arm": n1,
                     "n_control": n0, "value_control": r["value_control"], "abs_diff": r["abs_diff"],
                     "mde_abs": mde.mde_abs, "mde_rel": mde.mde_rel, "message": _join(r["message"], mde.message)})
    return pd.DataFrame(rows)


def planning_table(sums: pd.DataFrame, control_arm: str, settings: AbTests) -> pd.DataFrame:
    """Customers needed per arm to detect each of ``settings.target_lifts`` over each campaign's control values."""
    rows = []
    for campaign_id, group in sums.groupby("campaign_id", sort=False):
        arms = group.set_index("arm")
        if control_arm not in arms.index:
            continue
        control = arms.loc[control_arm]
        now = int(arms["n"].min())
        for metric in METRICS[:3]:
            baseline = metric_value(control, metric)
            for lift in settings.target_lifts:
                if metric in RATE_METRICS:
                    need = abpower.sample_size_rate(baseline, lift, settings.alpha, settings.power)
                else:
                    sd = np.sqrt(ab.Moments(int(control["n"]), control["revenue_sum"], control["revenue_sq"]).variance)
                    need = abpower.sample_size_mean(baseline, sd, lift, settings.alpha, settings.power)
                rows.append({"campaign_id": campaign_id, "metric": metric, "baseline": baseline, "target_lift": lift,
                             "target_value": need.target_value, "n_per_arm": need.n_per_arm, "n_per_arm_now": now,
                             "enough": bool(now >= need.n_per_arm), "message": need.message})
    frame = pd.DataFrame(rows)
    return frame.assign(n_per_arm=frame["n_per_arm"].astype("Int64")) if len(frame) else frame


def business_table(tests: pd.DataFrame, channels: dict[str, str | None], settings: AbTests) -> pd.DataFrame:
    """Incremental conversions and revenue of every arm over its customers, with intervals, and their cost.

    ``incremental_*`` = the difference per customer x the arm's customers. When ``cost_per_contact``
    names the campaign (or else its channel), ``cost`` = cost x the arm's customers (the control
    arm is taken as not contacted) and ``cost_per_incremental_conversion`` = cost / incremental
    conversions, its interval from the conversions' interval (upper bound empty when that includes 0).
    """
    rows = []
    rates = tests[(tests["segment"] == ALL) & (tests["metric"] == "conversion_rate") & (tests["n_control"] > 0)
                  & (tests["arm"] != tests["control_arm"])]
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
                     "net_revenue": rev["abs_diff"] * n - cost, "message": _join(conv["message"], rev["message"])})
    return pd.DataFrame(rows)


def heterogeneity_table(tests: pd.DataFrame) -> pd.DataFrame:
    """Per campaign, arm and metric: does the effect differ between segments? (Cochran's Q over tested slices)."""
    rows = []
    whole = tests[(tests["segment"] == ALL) & (tests["n_control"] > 0) & (tests["arm"] != tests["control_arm"])]
    slices = tests[(tests["segment"] != ALL) & tests["p_value"].notna()]
    for _, r in whole.iterrows():
        part = slices[(slices["campaign_id"] == r["campaign_id"]) & (slices["arm"] == r["arm"])
                      & (slices["metric"] == r["metric"])]
        result = ab.heterogeneity(part["abs_diff"], part["std_error"] ** 2)
        rows.append({"campaign_id": r["campaign_id"], "metric": r["metric"], "arm": r["arm"], **asdict(result)})
    return pd.DataFrame(rows)


def board_table(segment_sums: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """The layered outreach board: conversion rate per campaign, segment (tier) and arm with Wilson intervals."""
    frame = segment_sums[segment_sums["n"] > 0]
    low, high = proportion_confint(frame["converted"], frame["n"], alpha=alpha, method="wilson")
    return pd.DataFrame({"campaign_id": frame["campaign_id"], "segment": frame["segment"], "arm": frame["arm"],
                         "n": frame["n"].astype(int), "conversions": frame["converted"].astype(int),
                         "conversion_rate": frame["converted"] / frame["n"], "ci_low": np.asarray(low, dtype=float),
                         "ci_high": np.asarray(high, dtype=float)}).reset_index(drop=True)


def campaign_headline(tests: pd.DataFrame, campaign_id: str, alpha: float) -> dict:
    """The arm with the largest conversion-rate difference in a campaign, for a takeaway sentence.

    Returns
    -------
    dict
        ``arm``, ``control``, ``value_arm``, ``value_control``, ``abs_diff``, ``ci_low``, ``ci_high``,
        ``prob_beat_control``, ``verdict``, ``significant_metrics`` (how many metric x arm results are
        significant), ``tests`` (how many ran); empty when no arm was compared with control.
    """
    rows = with_verdicts(tests[(tests["campaign_id"] == campaign_id) & (tests["segment"] == ALL)], alpha)
    conv = rows[(rows["metric"] == "conversion_rate") & rows["abs_diff"].notna() & (rows["n_control"] > 0)
                & (rows["arm"] != rows["control_arm"])]
    if conv.empty:
        return {}
    best = conv.loc[conv["abs_diff"].idxmax()]
    return {"arm": best["arm"], "control": best["control_arm"], "value_arm": best["value_arm"],
            "value_control": best["value_control"], "abs_diff": best["abs_diff"], "ci_low": best["ci_low"],
            "ci_high": best["ci_high"], "prob_beat_control": best["prob_beat_control"], "verdict": best["verdict"],
            "significant_metrics": int(rows["verdict"].isin(VERDICTS[:2]).sum()),
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

    @property
    def active(self) -> list[str]:
        """Campaigns the period evaluates, by first assignment."""
        return self.overview.loc[self.overview["status"] == outreach.ACTIVE, "campaign_id"].tolist()

    @property
    def contract(self) -> pd.DataFrame:
        """``tests`` with exactly the columns of ``results/ab_tests.csv``."""
        return self.tests[TEST_COLUMNS]


def evaluate_period(data: Dataset, params: Params, segments: pd.DataFrame | None = None) -> CampaignResults:
    """Evaluate every campaign whose first assignment falls in the period (needs the ``outreach`` table).

    Parameters
    ----------
    data
        The period's dataset.
    params
        ``control_arm``, the period window and the ``ab_tests`` settings.
    segments
        Optional ``customer_id`` -> ``segment`` frame (nine-box segment or value tier); default:
        customer type. Segments are the slices of the breakdown and the tiers of the board.
    """
    settings = params.ab_tests
    overview = outreach.campaign_overview(data.tables.get("outreach"), params.window, params.control_arm)
    active = overview.loc[overview["status"] == outreach.ACTIVE, "campaign_id"].tolist()
    customers = outreach.campaign_customers(data, active, settings.pre_period_days, segments)
    sums = outreach.arm_sums(customers, ["campaign_id", "arm"])
    segment_sums = outreach.arm_sums(customers, ["campaign_id", "segment", "arm"])
    srm = srm_table(sums, settings.planned_split)
    tests = evaluate(sums, segment_sums, params.control_arm, settings, srm_flagged(srm, settings.srm_threshold))
    channels = dict(zip(overview["campaign_id"], overview["channel"], strict=True))
    return CampaignResults(overview, sums, segment_sums, srm, tests, cuped_table(sums, tests, params.control_arm,
                                                                                 settings),
                           power_table(tests, settings), planning_table(sums, params.control_arm, settings),
                           business_table(tests, channels, settings), heterogeneity_table(tests),
                           board_table(segment_sums, settings.alpha))
