"""Notebook 06 in one call: :func:`evaluate_health` wires the relationship-health analyses of a period.

Three snapshots (the period end, the baseline end and the day before the baseline, see
:mod:`crmreport.analyses.health.profile`), notebook 02's segments at the period end and the baseline
end, the CLV model, the churn labels, weights, backtest and ranker (:mod:`.churnfit`), the
``customer_health.csv`` contract, and the figures the chapter's takeaways quote: the emotional
account's claim, the backtest's calibration, the CLV holdout check, the key-account radar and the
relationship thermometer. The notebook only shows what :class:`HealthResults` holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ...ingest.dataset import Dataset
from ...settings import Params
from ..segments import segmentation
from . import backtest, emotional, pictures, profile, value
from .churnfit import ChurnFit, fit_and_test
from .profile import Snapshot
from .value import ValueModel


@dataclass(frozen=True)
class Holdout:
    """Expected vs actual purchase days per customer in data the CLV fit did not see (``table``, by calibration
    frequency), and their customer-weighted totals. ``what`` says which data (catalog ``health.clv.<what>``):
    ``holdout_after`` (the days after the period end, fitted at the period end) or ``holdout_period`` (the
    period, fitted at the baseline end)."""

    table: pd.DataFrame
    what: str
    expected: float
    actual: float


@dataclass(frozen=True)
class Thermometer:
    """The relationship thermometer: the VIPs' interactions and satisfaction per week of the period (``board``),
    and the period's totals: interactions, share of them positive, mean satisfaction (NaN without ratings)."""

    vips: pd.Series
    board: pd.DataFrame
    interactions: int
    positive: float
    satisfaction: float


@dataclass(frozen=True)
class HealthResults:
    """Everything notebook 06 shows (see :func:`evaluate_health`).

    ``now`` and ``base`` are the snapshots at the period end and the baseline end; ``churn`` holds the labels,
    weights, scores, baselines, backtest and ranker (:class:`.churnfit.ChurnFit`); ``health`` is the
    ``customer_health.csv`` contract and ``profiled`` the same customers with their 12-month spend, trust and
    satisfaction. ``rqi_weights`` are the params RQI weights normalised to sum 1. ``claim`` and
    ``emotional_bands`` (the emotional account's churn claim and churn per account band, on the backtest's
    customers) are None without interactions, surveys or tickets; ``calibration`` is None when the backtest
    found no customer to test, ``holdout`` when the CLV model could not be fitted or checked,
    ``thermometer`` without the interactions table.
    """

    now: Snapshot
    base: Snapshot
    segments: pd.DataFrame
    churn: ChurnFit
    model: ValueModel
    health: pd.DataFrame
    profiled: pd.DataFrame
    rqi_weights: dict[str, float]
    claim: pd.DataFrame | None
    emotional_bands: pd.DataFrame | None
    calibration: pd.DataFrame | None
    holdout: Holdout | None
    radar: pd.DataFrame
    thermometer: Thermometer | None

    @property
    def unbanded(self) -> int:
        """Customers of ``health`` without a band: the ranking score has no value for them (with ``p_alive``,
        customers who never bought, whom BG/NBD has nothing to estimate from)."""
        return int(self.health["health_band"].isna().sum())


def evaluate_health(data: Dataset, params: Params) -> HealthResults:
    """Relationship quality, emotional account, health score and lifetime value of a period (notebook 06).

    Parameters
    ----------
    data
        The period's dataset (needs customers and transactions; surveys, interactions and tickets
        add measures when present).
    params
        The period, the baseline window, the ``health:`` and ``segmentation:`` settings, and the ticket
        service levels (``execution:``) against which the health score counts SLA breaches.
    """
    settings, service = params.health, params.execution
    base_end = params.baseline_window.end
    now, base, before = (profile.snapshot(data, day, settings, service)
                         for day in (params.end, base_end, profile.fit_date(params.baseline_window.start)))
    segments = segmentation.segment_customers(data, params.end, params.segmentation, clusters=False)
    segments_base = segmentation.segment_customers(data, base_end, params.segmentation, clusters=False)
    model = value.fit_value(data.tables["transactions"], params.end, settings)
    churn = fit_and_test(data, params, before, base, now, segments, segments_base, model.customers)
    health = profile.customer_health(now, churn.score_now, churn.score_base, model.customers, segments, settings,
                                     churn.ranked_by, churn.baselines_now, model.inputs[["customer_id", "frequency"]])
    profiled = health.merge(segments[["customer_id", "annual_amount"]], on="customer_id", how="left").merge(
        now.rqi[["customer_id", "trust", "satisfaction"]], on="customer_id", how="left")
    total = sum(settings.rqi_weights.values())
    claim = bands = calibrated = None
    if any(data.has(table) for table in emotional.EVENT_TABLES):
        accounts = churn.outcome.merge(base.emotional, on="customer_id", how="left")
        claim = emotional.claim_test(accounts["emotional_account"], accounts["churned"], settings)
        bands = emotional.churn_by_band(accounts["emotional_account"], accounts["churned"], settings.alpha)
    if not churn.tested.empty:
        churn_model = backtest.churn_probability_model(profile.scored(before, churn.fit.weights, settings),
                                                       churn.outcome_before)
        calibrated = backtest.calibration(churn.score_base, churn.outcome, churn_model, settings.deciles,
                                          settings.alpha)
    radar = pictures.radar_data(profiled, now.measures, data, params.end, settings.lookback_days,
                                settings.key_accounts)
    return HealthResults(now, base, segments, churn, model, health, profiled,
                         {name: weight / total for name, weight in settings.rqi_weights.items()}, claim, bands,
                         calibrated, holdout_check(data, params, model), radar,
                         relationship_thermometer(data, params, profiled))


def holdout_check(data: Dataset, params: Params, model: ValueModel) -> Holdout | None:
    """The CLV model's purchases against data its fit did not see: the days after the period end when the
    transactions go on, else the period, fitted at the baseline end. None when ``model`` has no fit or the
    check found no customer."""
    if model.purchases is None:
        return None
    settings, transactions = params.health, data.tables["transactions"]
    last_day = transactions["transaction_date"].max().date()
    fitted_at, until, what = (params.end, last_day, "holdout_after") if last_day > params.end else (
        params.baseline_window.end, params.end, "holdout_period")
    check = value.fit_value(transactions, fitted_at, settings, until)
    table = value.holdout_comparison(check, (until - fitted_at).days / settings.time_unit_days)
    if table.empty:
        return None
    return Holdout(table, what, float(table["expected_total"].sum()), float(table["actual_total"].sum()))


def relationship_thermometer(data: Dataset, params: Params, profiled: pd.DataFrame) -> Thermometer | None:
    """The weekly board of the top ``health.vip_share`` customers by 12-month spend over the period, with its
    totals; None without the interactions table."""
    if not data.has("interactions"):
        return None
    vips = pictures.vip_customers(profiled, params.health.vip_share)
    board = pictures.thermometer(data, vips, params.start, params.end)
    interactions, ratings = int(board["interactions"].sum()), int(board["ratings"].sum())
    positive = float((board["positive_share"] * board["interactions"]).sum() / max(interactions, 1))
    satisfaction = float((board["satisfaction"] * board["ratings"]).sum() / ratings) if ratings else float("nan")
    return Thermometer(vips, board, interactions, positive, satisfaction)
