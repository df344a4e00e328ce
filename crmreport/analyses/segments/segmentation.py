"""Customer segmentation as of a date: value x potential nine-box, RFM(T) scores, lifecycle stage,
churn-risk flags, k-means clusters and segment migration.

Every function takes the feature frame of :func:`crmreport.measures.features.customer_features` (one row per
customer, sorted by id) and the ``segmentation:`` params; thresholds are never hard-coded here.
Customers with equal features get equal tiers, scores and segments: nothing depends on the id.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ...core.results import result_file
from ...ingest.dataset import Dataset
from ...measures.features import customer_features
from ...settings.segmentation import RfmRule, Segmentation, Text, localized
from .clusters import (
    CLUSTER_FEATURES,
    add_clusters,
    choose_clusters,
    cluster_matrix,
    cluster_profiles,
)

TIERS: tuple[str, ...] = ("high", "medium", "low")
#: the nine-box, row = value tier, column = potential tier (DOMAIN.md, template 2)
NINE_BOX: dict[tuple[str, str], str] = {
    ("high", "high"): "core", ("high", "medium"): "mature_stable", ("high", "low"): "maintain",
    ("medium", "high"): "growth", ("medium", "medium"): "regular", ("medium", "low"): "observe",
    ("low", "high"): "opportunity", ("low", "medium"): "low_value_stable", ("low", "low"): "churn_warning",
}
SEGMENTS: tuple[str, ...] = tuple(NINE_BOX.values())
STAGES: tuple[str, ...] = ("new", "active", "dormant", "churned")
RISK_FLAGS: tuple[str, ...] = ("risk_inactive_unresponsive", "risk_complaints", "risk_falling_trend")
#: re-exported from .clusters: notebook 02 and the tests call them here
REEXPORTED = (CLUSTER_FEATURES, add_clusters, choose_clusters, cluster_matrix, cluster_profiles)
SEGMENT_COLUMNS: tuple[str, ...] = result_file("customer_segments").columns


def value_tiers(annual_amount: pd.Series, cuts: tuple[float, float]) -> pd.Series:
    """Value tier by annual-amount rank; customers with equal amounts always share a tier.

    High: customers whose whole tie group lies within the first ``round(cuts[0] * n)`` ranks;
    medium: within the first ``round(cuts[1] * n)``; the rest low. A tie that straddles a cut goes
    to the lower tier (so the achieved shares can fall short of the nominal ones, see
    :func:`tier_shares`), and no spend in the window (an amount of 0 or less) is always low value.
    """
    n = len(annual_amount)
    last_rank = annual_amount.rank(method="max", ascending=False).to_numpy()  # the tie group's last position
    high, medium = round(cuts[0] * n), round(cuts[1] * n)
    spent = (annual_amount > 0).to_numpy()
    return pd.Series(np.select([spent & (last_rank <= high), spent & (last_rank <= medium)], ["high", "medium"],
                               "low"), index=annual_amount.index)


def tier_shares(value_tier: pd.Series, cuts: tuple[float, float]) -> pd.DataFrame:
    """Per value tier: customers, the achieved share and the nominal share of ``value_cuts``."""
    counts = value_tier.value_counts().reindex(list(TIERS), fill_value=0)
    nominal = [cuts[0], cuts[1] - cuts[0], 1 - cuts[1]]
    return pd.DataFrame({"value_tier": list(TIERS), "customers": counts.to_numpy(dtype="int64"),
                         "share": counts.to_numpy() / max(len(value_tier), 1), "nominal_share": nominal})


def potential_tiers(features: pd.DataFrame, settings: Segmentation) -> pd.Series:
    """Potential tier from ``trend``: high at or above ``potential_high``, low at or below ``potential_low``
    or when the last order is more than ``lapsed_days`` old (or there is none); an inbound consultation
    in the last 3 months lifts medium to high when ``enquiry_upgrade`` is on."""
    trend = features["trend"]
    lapsed = features["recency_days"].isna() | (features["recency_days"] > settings.lapsed_days)
    tier = np.select([lapsed, trend <= settings.potential_low, trend >= settings.potential_high],
                     ["low", "low", "high"], "medium")
    if settings.enquiry_upgrade:
        tier = np.where((tier == "medium") & (features["enquiries_3m"] > 0), "high", tier)
    return pd.Series(tier, index=features.index)


def nine_box(value: pd.Series, potential: pd.Series) -> pd.Series:
    """The nine-box segment of each (value tier, potential tier) pair."""
    rows, columns = (pd.Categorical(tier, categories=TIERS).codes for tier in (value, potential))
    unknown = (rows < 0) | (columns < 0)
    if unknown.any():
        position = int(np.argmax(unknown))
        raise KeyError((value.iloc[position], potential.iloc[position]))
    boxes = np.array([NINE_BOX[v, p] for v in TIERS for p in TIERS], dtype=object)
    return pd.Series(boxes[3 * rows.astype(np.int64) + columns], index=value.index)


def quintile_scores(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """Scores 1-5 by percentile rank (ties share a score, average rank); empty values score 1 and
    are left out of the ranking."""
    ranked = values.rank(method="average", pct=True, ascending=higher_is_better)
    scores = np.ceil(ranked * 5).clip(1, 5)
    return scores.fillna(1).astype("int64")


def rfm_scores(features: pd.DataFrame) -> pd.DataFrame:
    """R, F, M and T quintile scores (5 = best: most recent, most frequent, highest order value, fastest
    growth) and ``rfm_score``, the three digits R, F, M ("545"). No orders (ever for R, in the
    trailing 12 months for F and M) score 1; the others are ranked among the customers with orders."""
    scores = pd.DataFrame({
        "r_score": quintile_scores(features["recency_days"], higher_is_better=False),
        "f_score": quintile_scores(features["frequency"].where(features["frequency"] > 0)),
        "m_score": quintile_scores(features["monetary"]),
        "t_score": quintile_scores(features["trend"]),
    }, index=features.index)
    scores["rfm_score"] = (scores["r_score"].astype(str) + scores["f_score"].astype(str)
                           + scores["m_score"].astype(str))
    return scores


def rfm_segments(scores: pd.DataFrame, rules: tuple[RfmRule, ...]) -> pd.Series:
    """The first rule whose R, F and M ranges hold each customer's scores; ``others`` when none does."""
    conditions = [scores["r_score"].between(*rule.r) & scores["f_score"].between(*rule.f)
                  & scores["m_score"].between(*rule.m) for rule in rules]
    return pd.Series(np.select(conditions, [rule.name for rule in rules], "others"), index=scores.index)


def lifecycle_stages(features: pd.DataFrame, settings: Segmentation) -> pd.Series:
    """new (signed up less than ``new_months`` ago), churned (no order for more than ``churned_days``,
    or never), dormant (more than ``dormant_days``), active (the rest)."""
    recency = features["recency_days"]
    stage = np.select(
        [features["tenure_months"] < settings.new_months, recency.isna() | (recency > settings.churned_days),
         recency > settings.dormant_days],
        ["new", "churned", "dormant"], "active")
    return pd.Series(stage, index=features.index)


def churn_risk(features: pd.DataFrame, settings: Segmentation) -> pd.DataFrame:
    """Churn-risk flags and level.

    Flags: inactive and unresponsive (no order for more than ``risk_inactive_days`` and an outbound
    response rate below ``risk_response_below``; customers never contacted are not flagged), recent
    complaints (at least ``risk_complaints`` in 6 months), falling trend (trend <= ``potential_low``).
    Level: high with the inactive-and-unresponsive flag (the template's rule) or two flags or more,
    medium with one, low with none.
    """
    recency = features["recency_days"].fillna(np.inf)
    flags = pd.DataFrame({
        "risk_inactive_unresponsive": (recency > settings.risk_inactive_days)
        & (features["response_rate"] < settings.risk_response_below),
        "risk_complaints": features["complaints_6m"] >= settings.risk_complaints,
        "risk_falling_trend": features["trend"] <= settings.potential_low,
    }, index=features.index)
    count = flags.sum(axis=1)
    level = np.select([flags["risk_inactive_unresponsive"] | (count >= 2), count == 1], ["high", "medium"], "low")
    return flags.assign(risk_flags=count.astype("int64"), churn_risk=level)


def segment_features(features: pd.DataFrame, settings: Segmentation, clusters: bool = True) -> pd.DataFrame:
    """Every segmentation of a feature frame: the results contract of ``customer_segments.csv``.

    ``clusters=False`` skips k-means (``cluster`` stays empty), e.g. for the previous period in a migration.
    """
    frame = features.copy()
    frame["value_tier"] = value_tiers(frame["annual_amount"], settings.value_cuts)
    frame["potential_tier"] = potential_tiers(frame, settings)
    frame["segment"] = nine_box(frame["value_tier"], frame["potential_tier"])
    scores = rfm_scores(frame)
    frame = frame.join(scores)
    frame["rfm_segment"] = rfm_segments(scores, settings.rfm_rules)
    frame["lifecycle_stage"] = lifecycle_stages(frame, settings)
    frame = frame.join(churn_risk(frame, settings))
    frame["cluster"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    if clusters:
        frame, _ = add_clusters(frame, settings)
    return frame[list(SEGMENT_COLUMNS)]


def segment_customers(data: Dataset, as_of: date, settings: Segmentation, clusters: bool = True) -> pd.DataFrame:
    """Features and segments of every customer signed up by ``as_of`` (see :func:`segment_features`)."""
    features = customer_features(data, as_of, settings.response_days, settings.trend_months)
    return segment_features(features, settings, clusters)


def segment_summary(segments: pd.DataFrame) -> pd.DataFrame:
    """Template 2 per nine-box segment: tiers, customers and share, annual amount, its share and mean."""
    grouped = segments.groupby("segment")["annual_amount"].agg(customers="size", annual_amount="sum")
    grouped = grouped.reindex(list(SEGMENTS), fill_value=0).rename_axis("segment").reset_index()
    tiers = pd.DataFrame([(segment, value, potential) for (value, potential), segment in NINE_BOX.items()],
                         columns=["segment", "value_tier", "potential_tier"])
    grouped = tiers.merge(grouped, on="segment")
    total = grouped["annual_amount"].sum()
    return grouped.assign(
        customer_share=grouped["customers"] / max(len(segments), 1),
        revenue_share=grouped["annual_amount"] / total if total else np.nan,
        mean_annual_amount=grouped["annual_amount"] / grouped["customers"].replace(0, np.nan),
    )[["segment", "value_tier", "potential_tier", "customers", "customer_share", "annual_amount", "revenue_share",
       "mean_annual_amount"]]


def nine_box_grid(summary: pd.DataFrame, column: str) -> pd.DataFrame:
    """``column`` of :func:`segment_summary` laid out as the nine-box (value tiers x potential tiers)."""
    return (summary.pivot(index="value_tier", columns="potential_tier", values=column)
            .reindex(index=list(TIERS), columns=list(TIERS)))


def migration(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Segment transitions between two segment frames, in long form.

    Customers absent from ``previous`` (signed up since) come from ``new``. Returns ``from_segment``,
    ``to_segment``, ``customers`` and ``annual_amount`` (current annual amount), every pair listed.
    """
    joined = current[["customer_id", "segment", "annual_amount"]].merge(
        previous[["customer_id", "segment"]].rename(columns={"segment": "from_segment"}), on="customer_id", how="left")
    joined["from_segment"] = joined["from_segment"].fillna("new")
    counts = joined.groupby(["from_segment", "segment"])["annual_amount"].agg(customers="size", annual_amount="sum")
    index = pd.MultiIndex.from_product([[*SEGMENTS, "new"], list(SEGMENTS)], names=["from_segment", "segment"])
    counts = counts.reindex(index, fill_value=0).reset_index().rename(columns={"segment": "to_segment"})
    return counts.astype({"customers": "int64"})


#: the lifecycle table's amounts, rounded to whole currency units once, where they are computed
AMOUNTS = ["net_annual_amount", "net_annual_amount_previous"]


def lifecycle_summary(segments: pd.DataFrame, cadence: dict[str, Text], language: str,
                      previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per lifecycle stage: customers, share, net annual amount (the 12 months to the period end; refunds
    deducted, so a stage whose refunds exceed its orders is negative), the same customers' net annual amount
    in the 12 months to the previous period end (``previous``: its segments; empty without it) and the
    follow-up cadence (in ``language``). Amounts are in whole currency units, as the report shows them, so a
    sum of stages in the text equals the sum of the figures in the table."""
    grouped = segments.groupby("lifecycle_stage")["annual_amount"].agg(customers="size", net_annual_amount="sum")
    grouped = grouped.reindex(list(STAGES), fill_value=0).rename_axis("stage").reset_index()
    before = np.nan
    if previous is not None:
        amounts = segments[["customer_id", "lifecycle_stage"]].merge(
            previous[["customer_id", "annual_amount"]], on="customer_id", how="inner")
        before = grouped["stage"].map(amounts.groupby("lifecycle_stage")["annual_amount"].sum()).fillna(0.0)
    texts = {stage: localized(text, language) for stage, text in cadence.items()}
    grouped = grouped.assign(share=grouped["customers"] / max(len(segments), 1), net_annual_amount_previous=before,
                             cadence=grouped["stage"].map(texts))
    grouped[AMOUNTS] = grouped[AMOUNTS].round()
    return grouped[list(result_file("lifecycle_stages").columns)]


def at_risk_list(segments: pd.DataFrame) -> pd.DataFrame:
    """High-risk customers not yet churned, most warning signs first, then the largest annual amount."""
    risky = segments[(segments["churn_risk"] == "high") & (segments["lifecycle_stage"] != "churned")]
    columns = ["customer_id", "segment", "lifecycle_stage", *RISK_FLAGS, "risk_flags", "recency_days",
               "response_rate", "complaints_6m", "trend", "annual_amount"]
    return risky.sort_values(["risk_flags", "annual_amount", "customer_id"], ascending=[False, False, True],
                             ignore_index=True)[columns]


def migration_summary(moves: pd.DataFrame) -> dict[str, float]:
    """From :func:`migration`: share of returning customers who stayed in their segment, how many moved
    up or down a value tier, Core's outflow and inflow, and Core's members at the previous period end."""
    tier = {segment: index // 3 for index, segment in enumerate(SEGMENTS)}
    known = moves[moves["from_segment"] != "new"]
    step = known["to_segment"].map(tier) - known["from_segment"].map(tier)
    total = known["customers"].sum()
    same = known["from_segment"] == known["to_segment"]
    return {
        "stayed": float(known.loc[same, "customers"].sum() / total) if total else np.nan,
        "up": int(known.loc[step < 0, "customers"].sum()),
        "down": int(known.loc[step > 0, "customers"].sum()),
        "core_out": int(known.loc[(known["from_segment"] == "core") & ~same, "customers"].sum()),
        "core_in": int(moves.loc[(moves["to_segment"] == "core") & (moves["from_segment"] != "core"),
                                 "customers"].sum()),
        "core_before": int(known.loc[known["from_segment"] == "core", "customers"].sum()),
    }


def rfm_summary(segments: pd.DataFrame) -> pd.DataFrame:
    """Per named RFM segment, largest first: customers, annual amount and their shares."""
    grouped = (segments.groupby("rfm_segment")["annual_amount"].agg(customers="size", annual_amount="sum")
               .reset_index().sort_values(["customers", "rfm_segment"], ascending=[False, True], ignore_index=True))
    total = segments["annual_amount"].sum()
    return grouped.assign(share=grouped["customers"] / max(len(segments), 1),
                          revenue_share=grouped["annual_amount"] / total if total else np.nan)


def risk_summary(segments: pd.DataFrame) -> pd.DataFrame:
    """Per churn-risk level (high, medium, low): customers and how many carry each flag."""
    levels = ["high", "medium", "low"]
    flags = segments.groupby("churn_risk")[list(RISK_FLAGS)].sum().reindex(levels, fill_value=0)
    flags.insert(0, "customers", segments["churn_risk"].value_counts().reindex(levels, fill_value=0))
    return flags.astype("int64").rename_axis("churn_risk").reset_index()


def cluster_crosstab(segments: pd.DataFrame) -> pd.DataFrame:
    """Customers per cluster (rows) and nine-box segment (columns, nine-box order)."""
    return (pd.crosstab(segments["cluster"], segments["segment"])
            .reindex(columns=list(SEGMENTS), fill_value=0).rename_axis(columns=None))
