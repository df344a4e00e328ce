"""Each customer's relationship profile as of a date, and the ``customer_health.csv`` contract.

Three dates are used (docs/health.md): the period end (the profile management acts on), the
baseline end (the score that the period's churn backtests) and the day before the baseline
(whose churn over the baseline window fits the health weights). One set of weights, fitted on
the previous period's outcome, scores both the baseline end and the period end, so the backtest
is out of sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from ...ingest.dataset import Dataset
from ...settings.execution import ExecutionParams
from ...settings.health import Health
from .baselines import band_rankers
from .emotional import emotional_account
from .rqi import rqi_components
from .score import band, health_score, measure_scores, trend

HEALTH_COLUMNS: tuple[str, ...] = (
    "customer_id", "segment", "rqi", "rqi_components", "emotional_account", "health_score", "health_score_previous",
    "ranked_by", "rank_score", "health_band", "health_trend", "p_alive", "expected_purchases", "expected_spend", "clv",
    "expected_loss",
)


@dataclass(frozen=True)
class Snapshot:
    """Everything measured about the customers as of one date."""

    as_of: date
    rqi: pd.DataFrame
    emotional: pd.DataFrame
    measures: pd.DataFrame


def fit_date(baseline_start: date) -> date:
    """The as-of date whose following window (the baseline) fits the weights: the day before the baseline."""
    return baseline_start - timedelta(days=1)


def snapshot(data: Dataset, as_of: date, settings: Health, service: ExecutionParams) -> Snapshot:
    """RQI components, emotional account and the measure scores of every customer signed up by ``as_of``
    (``service``: the ticket service levels behind the SLA breaches, params ``execution``)."""
    rqi = rqi_components(data, as_of, settings)
    emotional = emotional_account(data, as_of, settings)
    return Snapshot(as_of, rqi, emotional, measure_scores(data, as_of, settings, service, rqi, emotional))


def scored(state: Snapshot, weights: dict[str, float], settings: Health) -> pd.DataFrame:
    """The health score of a snapshot under ``weights``."""
    return health_score(state.measures, weights, settings)


def customer_health(current: Snapshot, score_now: pd.DataFrame, score_before: pd.DataFrame,
                    value: pd.DataFrame, segments: pd.DataFrame | None, settings: Health, ranked_by: str = "health",
                    baselines: pd.DataFrame | None = None, frequency: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``customer_health.csv`` contract (one row per customer signed up by the period end).

    ``segments`` holds customer_id, segment (notebook 02's nine-box) and recency_days; without it segment is
    empty and, as without ``baselines``, every customer is ranked by ``ranked_by``. ``health_score_previous``
    is the score at the baseline end (``score_before``, the one the backtest judges). ``ranked_by`` (the health
    score, or a baseline of ``baselines`` at the period end, :mod:`.baselines`) ranks the customers it can judge
    and recency the others (:func:`.baselines.band_rankers`; ``frequency``: customer_id and the BG/NBD
    frequency); the row's ``ranked_by`` names the one whose 0-100 ``rank_score`` sets ``health_band``.
    ``expected_loss`` is the value at stake if the customer goes: CLV x (1 - ``p_alive``); empty without a CLV.
    """
    frame = current.rqi[["customer_id", "rqi", "rqi_components"]]
    frame = frame.merge(current.emotional[["customer_id", "emotional_account"]], on="customer_id", how="left")
    frame = frame.merge(score_now[["customer_id", "health_score"]], on="customer_id", how="left")
    frame["health_score_previous"] = frame["customer_id"].map(score_before.set_index("customer_id")["health_score"])
    frame["ranked_by"] = ranked_by
    if segments is not None and baselines is not None:
        recency = frame["customer_id"].map(segments.set_index("customer_id")["recency_days"]).astype("float64")
        repeats = frame["customer_id"].map(frequency.set_index("customer_id")["frequency"]).astype("float64") \
            if frequency is not None else pd.Series(float("nan"), index=frame.index)
        frame["ranked_by"] = band_rankers(ranked_by, recency, repeats, settings.activity_days)
    frame["rank_score"] = frame["health_score"]
    for name in set(frame["ranked_by"]) - {"health"}:
        mine = frame["ranked_by"] == name
        frame.loc[mine, "rank_score"] = frame.loc[mine, "customer_id"].map(baselines.set_index("customer_id")[name])
    frame["health_band"] = band(frame["rank_score"], settings.band_cuts).to_numpy()
    frame["health_trend"] = trend(frame, score_before, settings.trend_step).to_numpy()
    frame = frame.merge(value, on="customer_id", how="left")
    frame["expected_loss"] = frame["clv"] * (1 - frame["p_alive"])
    if segments is not None:
        frame = frame.merge(segments[["customer_id", "segment"]], on="customer_id", how="left")
    else:
        frame["segment"] = None
    return frame[list(HEALTH_COLUMNS)].sort_values("customer_id", ignore_index=True)


#: the retention bands, and ``none`` for the customers without one (the ranking score has no value for them)
BANDS = ("red", "yellow", "green", "none")
#: notebook 02's churn-risk levels (:func:`crmreport.analyses.segments.segmentation.churn_risk`)
RISK_LEVELS = ("high", "medium", "low")


def _band_of(health: pd.DataFrame) -> pd.Series:
    return health["health_band"].fillna("none")


def band_summary(health: pd.DataFrame) -> pd.DataFrame:
    """Customers, share, mean ranking score (the retention score that sets the band, so each band's mean lies
    within its cuts), CLV and the health score's trend arrows per retention band (red, yellow, green), and of the
    customers without a band (``none``)."""
    rows = []
    for name in BANDS:
        group = health[_band_of(health) == name]
        rows.append({"health_band": name, "customers": len(group), "share": len(group) / max(len(health), 1),
                     "rank_score": group["rank_score"].mean(), "clv": group["clv"].sum(),
                     "trend_up": int((group["health_trend"] == "up").sum()),
                     "trend_down": int((group["health_trend"] == "down").sum())})
    return pd.DataFrame(rows)


def watch_list(health: pd.DataFrame, customers: pd.DataFrame, hidden: list[str]) -> pd.DataFrame:
    """Customers in the red and yellow bands, most value at stake first, each with its owner.

    ``customers`` holds ``customer_id`` and ``account_manager`` (the owner, a staff name); the
    columns are those of ``health`` without ``hidden``, with ``owner`` after ``customer_id``.
    """
    owners = customers.set_index("customer_id")["account_manager"]
    watch = health[health["health_band"].isin(["red", "yellow"])].drop(columns=hidden)
    watch.insert(1, "owner", watch["customer_id"].map(owners))
    return watch.sort_values(["expected_loss", "clv"], ascending=False, na_position="last", ignore_index=True)


def risk_by_band(health: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Customers per churn-risk level (notebook 02's rule, ``segments``' ``churn_risk`` at the same date) and
    retention band: one tidy row per pair, every pair listed (0 when empty), with the share of the risk level.

    The two lists answer different questions (warning signs today; the purchase model's chance that the customer
    still buys), so they overlap only in part; this cross-tab shows by how much.
    """
    risk = health["customer_id"].map(segments.set_index("customer_id")["churn_risk"])
    counts = pd.crosstab(risk, _band_of(health)).reindex(index=list(RISK_LEVELS), columns=list(BANDS), fill_value=0)
    tidy = counts.stack().rename("customers").rename_axis(["churn_risk", "health_band"]).reset_index()
    tidy["customers"] = tidy["customers"].astype("int64")
    totals = tidy.groupby("churn_risk")["customers"].transform("sum")
    tidy["share_of_risk"] = (tidy["customers"] / totals.where(totals > 0)).astype("float64")
    return tidy


def risk_band_table(tidy: pd.DataFrame) -> pd.DataFrame:
    """:func:`risk_by_band` as the chapter shows it: one row per churn-risk level, one column of customers per
    retention band and ``customers``, the level's total."""
    wide = tidy.pivot(index="churn_risk", columns="health_band", values="customers").reindex(
        index=list(RISK_LEVELS), columns=list(BANDS))
    wide["customers"] = wide.sum(axis=1)
    return wide.rename_axis(columns=None).reset_index()


def risk_band_figures(tidy: pd.DataFrame) -> dict[str, int]:
    """The counts the chapter's sentence on :func:`risk_by_band` quotes: the customers at high churn risk and how
    many of them are red, yellow and green; the red customers and how many of them are at low churn risk."""
    count = tidy.set_index(["churn_risk", "health_band"])["customers"]
    return {"high": int(count.loc["high"].sum()), "high_red": int(count.loc[("high", "red")]),
            "high_yellow": int(count.loc[("high", "yellow")]), "high_green": int(count.loc[("high", "green")]),
            "red": int(count.xs("red", level="health_band").sum()), "red_low": int(count.loc[("low", "red")])}
