"""Outreach campaign tests: every arm against control, from per-arm sums (:mod:`crmreport.analyses.abtests.outreach`).

:func:`evaluate` compares every treatment arm with the control arm on the four metrics of
:data:`METRICS`, for the whole campaign (segment ``all``) and per segment, adjusts the p-values
per family, adds the Bayesian view and marks campaigns with a sample ratio mismatch; its
columns are the contract of ``results/ab_tests.csv``. :func:`srm_table` is the contract of
``results/ab_srm.csv``. The tables derived from these live in :mod:`crmreport.analyses.abtests.campaign_results`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from dataclasses import asdict, replace

import numpy as np
import pandas as pd

from ...core.results import ALL
from ...core.verdicts import NO_CHANGE, SIGNIFICANT, verdict
from ...settings import AbTests
from ...stats import abbayes, abchecks, sequential
from ...stats import abtest as ab

METRICS = ("response_rate", "conversion_rate", "revenue_per_customer", "revenue_per_converter")
RATE_METRICS = METRICS[:2]
TEST_COLUMNS = ["campaign_id", "segment", "metric", "arm", "control_arm", "n_arm", "n_control", "value_arm",
                "value_control", "abs_diff", "ci_low", "ci_high", "rel_lift", "rel_ci_low", "rel_ci_high", "p_value",
                "p_adjusted", "significant", "seq_ci_low", "seq_ci_high", "seq_p_value", "seq_p_adjusted",
                "prob_beat_control", "method", "message"]
EXTRA_COLUMNS = ["std_error", "expected_loss_arm", "expected_loss_control", "posterior_method"]
SRM_COLUMNS = ["campaign_id", "arm", "n", "expected_share", "observed_share", "srm_p_value"]
#: CUPED messages of an arm left unadjusted: no pre-period value at all, or one without variance
CUPED_SKIPPED = (ab.EMPTY_COVARIATE, ab.NO_COVARIATE_VARIANCE)
_INFERENCE = ("ci_low", "ci_high", "rel_ci_low", "rel_ci_high", "p_value")


def result_name(prefix: str, campaign_id: str) -> str:
    """A results file name for one campaign (``ab_results`` + ``SMS-2025Q3`` -> ``ab_results_SMS-2025Q3``).

    An id with characters a file name cannot hold has them replaced by ``_`` and a short hash of the
    id appended, so two ids never share a file (``SMS 2025`` and ``SMS_2025`` each keep their own).
    """
    campaign_id = str(campaign_id)
    safe = re.sub(r"[^\w-]+", "_", campaign_id)
    if safe == campaign_id:
        return f"{prefix}_{safe}"
    return f"{prefix}_{safe}-{hashlib.sha256(campaign_id.encode()).hexdigest()[:6]}"


def join_messages(*codes: object) -> str | None:
    """Message codes joined with ';' in order, without repeats; empty values (None, NaN) skipped."""
    unique = list(dict.fromkeys(c for code in codes if isinstance(code, str) and code for c in code.split(";")))
    return ";".join(unique) or None


def arm_statistics(row: pd.Series, metric: str) -> ab.Proportion | ab.Moments | ab.Bivariate:
    """The sufficient statistics of ``metric`` in one row of per-arm sums (:func:`.outreach.arm_sums`)."""
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
    stat = arm_statistics(row, metric)
    if isinstance(stat, ab.Proportion):
        return stat.events / stat.n if stat.n else np.nan
    if isinstance(stat, ab.Moments):
        return stat.mean
    return stat.sum_y / stat.sum_x if stat.sum_x else np.nan


def _compare(control: pd.Series, arm: pd.Series, metric: str, alpha: float) -> tuple[ab.Comparison, abbayes.Posterior]:
    c, a = arm_statistics(control, metric), arm_statistics(arm, metric)
    if metric in RATE_METRICS:
        no_events = ab.NO_RESPONSES if metric == "response_rate" else ab.NO_CONVERSIONS
        return ab.compare_rates(c, a, alpha, no_events), abbayes.bayes_rates(c, a)
    comparison = ab.compare_means(c, a, alpha) if metric == "revenue_per_customer" else ab.compare_ratios(c, a, alpha)
    return comparison, abbayes.bayes_normal(comparison)


def _row(campaign_id: str, segment: str, metric: str, arm: str, control_arm: str, comparison: ab.Comparison,
         posterior: abbayes.Posterior | None, alpha: float = 0.05, tuning: float = sequential.DEFAULT_TUNING) -> dict:
    values = asdict(comparison)
    seq = sequential.sequential(comparison, alpha, tuning) if np.isfinite(comparison.p_value) else None
    return {"campaign_id": campaign_id, "segment": segment, "metric": metric, "arm": arm, "control_arm": control_arm,
            **{k: values[k] for k in TEST_COLUMNS if k in values}, "p_adjusted": np.nan, "significant": False,
            "seq_ci_low": seq.ci_low if seq else np.nan, "seq_ci_high": seq.ci_high if seq else np.nan,
            "seq_p_value": seq.p_value if seq else np.nan, "seq_p_adjusted": np.nan,
            "prob_beat_control": posterior.prob_beat_control if posterior else np.nan,
            "std_error": comparison.std_error,
            "expected_loss_arm": posterior.expected_loss_arm if posterior else np.nan,
            "expected_loss_control": posterior.expected_loss_control if posterior else np.nan,
            "posterior_method": posterior.method if posterior else None}


def _slice_rows(campaign_id: str, segment: str, arms: pd.DataFrame, control_arm: str, alpha: float,
                min_n: int | None, tuning: float) -> list[dict]:
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
                                     message=join_messages(comparison.message, ab.BELOW_MIN_N))
                posterior = None
            rows.append(_row(campaign_id, segment, metric, str(arm), control_arm, comparison, posterior, alpha,
                             tuning))
    return rows


def evaluate(sums: pd.DataFrame, segment_sums: pd.DataFrame | None, control_arm: str, settings: AbTests,
             srm_flagged: set[str] | frozenset[str] = frozenset(),
             tuning: dict[str, float] | None = None) -> pd.DataFrame:
    """Every arm against control, per campaign and segment, on every metric.

    Parameters
    ----------
    sums
        Per-arm sums by ``campaign_id``, ``arm`` (:func:`crmreport.analyses.abtests.outreach.arm_sums`).
    segment_sums
        The same by ``campaign_id``, ``segment``, ``arm``; campaigns with one segment get no slices.
    control_arm
        Name of the control arm.
    settings
        ``alpha``, ``correction`` and ``min_n_per_segment`` (customers per arm for a slice to be tested).
    srm_flagged
        Campaigns with a sample ratio mismatch: their rows carry the message ``srm``.
    tuning
        Tuning of the confidence sequence per campaign (default ``settings.sequential_tuning``).

    Returns
    -------
    pandas.DataFrame
        :data:`TEST_COLUMNS` + :data:`EXTRA_COLUMNS`. ``p_adjusted`` is adjusted over the family
        arms x metrics of a campaign (segment ``all``) with ``settings.correction``, and separately over
        arms x metrics x segments of its slices with Benjamini-Hochberg. ``significant`` is
        ``p_adjusted < alpha``. ``seq_*`` are the confidence sequence and always-valid p-value
        (:mod:`crmreport.stats.sequential`), ``seq_p_adjusted`` adjusted over the same families.
        ``message`` joins codes with ';'.
    """
    rows: list[dict] = []
    for campaign_id, group in sums.groupby("campaign_id", sort=False):
        arms = group.set_index("arm")
        own = (tuning or {}).get(str(campaign_id), settings.sequential_tuning)
        rows += _slice_rows(campaign_id, ALL, arms, control_arm, settings.alpha, None, own)
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
                                settings.min_n_per_segment, own)
    frame = pd.DataFrame(rows, columns=TEST_COLUMNS + EXTRA_COLUMNS)
    if frame.empty:
        return frame
    family = frame["campaign_id"].astype(str) + (frame["segment"] == ALL).map({True: "|all", False: "|slices"})
    for name, index in frame.groupby(family, sort=False).groups.items():
        correction = settings.correction if name.endswith("|all") else "bh"
        for raw, adjusted in (("p_value", "p_adjusted"), ("seq_p_value", "seq_p_adjusted")):
            frame.loc[index, adjusted] = abchecks.adjust_p_values(frame.loc[index, raw], correction)
    frame["significant"] = (frame["p_adjusted"] < settings.alpha).astype(bool)
    flagged = frame["campaign_id"].isin(srm_flagged)
    frame.loc[flagged, "message"] = [join_messages(m, ab.SRM) for m in frame.loc[flagged, "message"]]
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
        p = abchecks.sample_ratio_mismatch(counts.to_numpy(), shares)
        for (arm, n), share in zip(counts.items(), shares, strict=True):
            rows.append({"campaign_id": campaign_id, "arm": arm, "n": int(n), "expected_share": float(share),
                         "observed_share": n / counts.sum() if counts.sum() else np.nan, "srm_p_value": p})
    return pd.DataFrame(rows, columns=SRM_COLUMNS)


def srm_flagged(srm: pd.DataFrame, threshold: float) -> set[str]:
    """Campaigns whose SRM p-value is below ``threshold``."""
    return set(srm.loc[srm["srm_p_value"] < threshold, "campaign_id"])


def message_codes(message: object) -> list[str]:
    """The codes of one ``message`` cell ('below_min_n;srm' -> ['below_min_n', 'srm']; empty -> [])."""
    return message.split(";") if isinstance(message, str) and message else []


def has_code(messages: pd.Series, code: str) -> pd.Series:
    """Which ``message`` cells carry ``code``."""
    return messages.map(lambda message: code in message_codes(message)).astype(bool)


def cuped_skipped(messages: pd.Series) -> tuple[pd.Series, list[str]]:
    """Which CUPED rows kept the unadjusted figures (no usable pre-period covariate), and the codes that say
    why, in the order of :data:`CUPED_SKIPPED`."""
    found = [code for code in CUPED_SKIPPED if has_code(messages, code).any()]
    skipped = has_code(messages, CUPED_SKIPPED[0]) | has_code(messages, CUPED_SKIPPED[1])
    return skipped, found


def compared(tests: pd.DataFrame) -> pd.DataFrame:
    """The whole-campaign rows (segment ``all``) comparing a treatment arm with a control that has customers."""
    return tests[(tests["segment"] == ALL) & (tests["n_control"] > 0) & (tests["arm"] != tests["control_arm"])]


def with_verdicts(tests: pd.DataFrame, alpha: float, always_valid: Collection[str] = ()) -> pd.DataFrame:
    """``tests`` with a ``verdict`` column (:func:`crmreport.core.verdicts.verdict`): ``untrustworthy`` after an
    SRM, ``insufficient_data`` without a test, and ``significant_before_adjustment`` for a result that is not
    significant after the multiplicity adjustment although its unadjusted p-value (and interval) is.

    The campaigns in ``always_valid`` (read at more than one look, or still running) take their verdicts from
    the always-valid p-values (``seq_p_adjusted``, ``seq_p_value``), valid however often the campaign was read."""
    adjusted, raw = tests["p_adjusted"], tests["p_value"]
    if len(always_valid):
        chosen = tests["campaign_id"].isin(list(always_valid))
        adjusted, raw = adjusted.mask(chosen, tests["seq_p_adjusted"]), raw.mask(chosen, tests["seq_p_value"])
    verdicts = pd.Series([verdict(d, p, alpha, untrustworthy=ab.SRM in message_codes(m))
                          for m, p, d in zip(tests["message"], adjusted, tests["abs_diff"], strict=True)],
                         index=tests.index, dtype=object)
    before = (verdicts == NO_CHANGE) & (raw < alpha)
    return tests.assign(verdict=verdicts.mask(before, BEFORE_ADJUSTMENT))


#: the verdict of a result significant before the multiplicity adjustment only (:func:`with_verdicts`)
BEFORE_ADJUSTMENT = "significant_before_adjustment"
#: how the forest chart marks a result: the verdict after adjustment, and the unadjusted interval
MARKS = ("significant", "significant_before_adjustment", "not_significant", "untrustworthy", "insufficient_data")
FOREST_COLUMNS = ["campaign_id", "arm", "metric", "rel_lift", "rel_ci_low", "rel_ci_high", "p_value", "p_adjusted",
                  "significant", "verdict", "mark"]


def forest_frame(tests: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """The data of the forest chart: relative lifts with the intervals of the test behind each verdict.

    Intervals are at ``1 - alpha`` and not adjusted for multiple testing; they exclude 0 exactly when
    the unadjusted ``p_value < alpha``. ``mark`` says how to draw each row (:data:`MARKS`), from its
    verdict (:func:`with_verdicts`): ``significant`` after adjustment, ``significant_before_adjustment``
    (the interval excludes 0 but the adjusted p-value does not reach ``alpha``), ``not_significant``,
    ``untrustworthy`` (SRM) or ``insufficient_data`` (no test).
    """
    rows = with_verdicts(tests, alpha) if "verdict" not in tests else tests
    marks = rows["verdict"].replace({**dict.fromkeys(SIGNIFICANT, "significant"), NO_CHANGE: "not_significant"})
    return rows.assign(mark=marks)[FOREST_COLUMNS].reset_index(drop=True)

