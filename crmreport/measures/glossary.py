"""The glossary of measures: every measure a chapter or the summary shows, defined once.

Each :class:`Measure` has one id, one label and one definition per language (the catalog's
``measure.label.<id>`` and ``measure.definition.<id>``, ``crmreport/locale/measures.yaml``), its unit,
window and better direction, the notebook that computes it, and where the results files show it.
The fifteen before/after KPIs come from the KPI registry (:mod:`crmreport.measures.kpis`), the other
measures are listed here. Two measures never share a label: the period's churn, the lifecycle stage
"churned", the monthly series and the backtest's churn of 365-day buyers are four measures with four
names. A chapter names a measure through the catalog (``{measure: <id>}`` entries, see
:func:`crmreport.core.i18n.catalog`), so it reads the same everywhere. :func:`measures_frame` is
``results/measures.csv`` and the report book's appendix of definitions.

The retention bands follow the score that ranks the customers, which the health chapter chooses per run
(``customer_health.csv``'s ``ranked_by``: the health score, or a baseline that ranks churn better).
The definitions of the measures built on the bands name that score (:data:`BANDED`, :func:`ranked_by`),
so the glossary says what the run computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from ..core.i18n import LANGUAGES, label, t
from ..core.results import result_file
from .kpis import REGISTRY, Kpi

Unit = Literal["count", "share", "growth", "currency", "score", "points", "per_100_customers", "hours", "orders"]
Window = Literal["as_of_period_end", "as_of_plan", "as_of_cutoff", "period", "period_vs_baseline", "month",
                 "last_12_months", "campaign", "next_365_days", "lookback_365_days"]
Direction = Literal["higher", "lower", "none"]
#: columns of ``results/measures.csv``, as the results contract declares them
COLUMNS = result_file("measures").columns
KPI_NOTEBOOK = "04_kpi_before_after"
#: measures whose definition names the score that sets the retention bands (``{score}`` in the catalog text)
BANDED = frozenset({"retention_score", "red_health_share", "revenue_at_risk"})


@dataclass(frozen=True)
class Shown:
    """Where a results file shows a measure: ``column`` of ``file``, in the row whose columns hold ``row``
    (``(("kpi", "nps"), ("segment", "all"))``), or in every row when ``row`` is empty."""

    file: str
    column: str
    row: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Measure:
    """One measure of the report: id, unit, window, better direction, computing notebook and where it is shown.

    ``summary`` names the executive summary's figures (``summary_figures.csv``) that report it.
    """

    id: str
    unit: Unit
    window: Window
    direction: Direction
    notebook: str
    shown: tuple[Shown, ...] = ()
    summary: tuple[str, ...] = ()

    def label(self, language: str) -> str:
        """The measure's one label in ``language``."""
        return t(f"measure.label.{self.id}", language)

    def definition(self, language: str, ranked_by: str | None = None) -> str:
        """The measure's one definition in ``language``; a banded measure names the score ``ranked_by`` (the run's
        ``customer_health.csv``), or says that the health chapter chooses it when the run has none."""
        if self.id not in BANDED:
            return t(f"measure.definition.{self.id}", language)
        score = label(f"score_{ranked_by}", language) if ranked_by else t("measure.score_unknown", language)
        return t(f"measure.definition.{self.id}", language, score=score)


def _row(file: str, column: str, **row: str) -> Shown:
    return Shown(file, column, tuple(row.items()))


def _metric(file: str, metric: str) -> Shown:
    return _row(file, "after", metric=metric)


_P01, _P02, _P03, _P05, _P06 = ("01_profiling", "02_segmentation", "03_outreach_ab_tests", "05_execution_tracking",
                                "06_relationship_health")
_BEFORE: tuple[Measure, ...] = (
    Measure("customers", "count", "as_of_period_end", "none", _P01,
            (_metric("customer_base_summary.csv", "customers"), _metric("value_summary.csv", "customers")),
            ("customers",)),
    Measure("new_customers", "count", "period", "higher", _P01,
            (_metric("customer_base_summary.csv", "new_customers"),)),
    Measure("buying_customers", "count", "last_12_months", "higher", _P01,
            (_metric("value_summary.csv", "buying_customers"),), ("buying_customers",)),
    Measure("revenue_12m", "currency", "last_12_months", "higher", _P01, (_metric("value_summary.csv", "revenue_12m"),),
            ("revenue_12m",)),
    Measure("median_amount_12m", "currency", "last_12_months", "higher", _P01,
            (_metric("value_summary.csv", "median_amount_12m"),)),
    Measure("ordering_customers_month", "count", "month", "higher", _P01,
            (Shown("chart_monthly_activity.csv", "active_customers"),)),
    Measure("orders_per_buyer", "orders", "last_12_months", "higher", _P01,
            (_metric("value_summary.csv", "orders_per_buyer"),)),
    Measure("aov_12m", "currency", "last_12_months", "higher", _P01,
            (_metric("value_summary.csv", "average_order_value"),)),
    Measure("complaints", "count", "period", "lower", _P01, (_metric("voice_summary.csv", "complaints"),)),
    Measure("survey_responses", "count", "period", "higher", _P01, (_metric("voice_summary.csv", "responses"),)),
    Measure("lifecycle_customers", "count", "as_of_period_end", "none", _P02,
            (Shown("lifecycle_stages.csv", "customers"),)),
    Measure("lifecycle_churned_share", "share", "as_of_period_end", "lower", _P02,
            (_row("lifecycle_stages.csv", "share", stage="churned"),)),
    Measure("high_churn_risk", "count", "as_of_period_end", "lower", _P02,
            (_row("churn_risk_summary.csv", "customers", churn_risk="high"),)),
    Measure("campaign_response_rate", "share", "campaign", "higher", _P03,
            (_row("ab_tests.csv", "value_arm", metric="response_rate"),)),
    Measure("campaign_conversion_rate", "share", "campaign", "higher", _P03,
            (_row("ab_tests.csv", "value_arm", metric="conversion_rate"),)),
    Measure("campaign_revenue_per_customer", "currency", "campaign", "higher", _P03,
            (_row("ab_tests.csv", "value_arm", metric="revenue_per_customer"),)),
    Measure("campaign_revenue_per_converter", "currency", "campaign", "higher", _P03,
            (_row("ab_tests.csv", "value_arm", metric="revenue_per_converter"),)),
    Measure("incremental_revenue", "currency", "campaign", "higher", _P03,
            (Shown("ab_business.csv", "incremental_revenue"),)),
    Measure("minimum_detectable_lift", "growth", "campaign", "lower", _P03, (Shown("ab_mde.csv", "mde_rel"),)),
)
#: where a KPI is shown besides ``kpi_changes.csv``, and the summary figures that report it
_KPI_SHOWN = {"csat_mean": (_metric("voice_summary.csv", "csat_mean"),),
              "csat_top2_share": (_metric("voice_summary.csv", "csat_top2_share"),),
              "nps": (_metric("voice_summary.csv", "nps"),),
              "follow_up_completion_rate": (_row("task_execution.csv", "completion_rate", owner="all"),)}
_KPI_SUMMARY = {"revenue_per_customer": ("revenue_per_customer",), "churn_rate": ("churn_rate",),
                "csat_mean": ("csat_mean",), "nps": ("nps",), "follow_up_completion_rate": ("completion_rate",)}
_AFTER: tuple[Measure, ...] = (
    Measure("monthly_churn_rate", "share", "month", "lower", KPI_NOTEBOOK,
            (_row("kpi_monthly.csv", "value", kpi="churn_rate"),)),
    Measure("monthly_retention_rate", "share", "month", "higher", KPI_NOTEBOOK,
            (_row("kpi_monthly.csv", "value", kpi="retention_rate"),)),
    Measure("on_time_rate", "share", "period", "higher", _P05,
            (_row("task_execution.csv", "on_time_rate", owner="all"),)),
    Measure("overdue_tasks", "count", "as_of_cutoff", "lower", _P05,
            (_row("task_execution.csv", "overdue", owner="all"),)),
    Measure("sla_first_response", "share", "period", "higher", _P05,
            (_row("sla_compliance.csv", "compliance_rate", rule="first_response", priority="all"),),
            ("sla_first_response",)),
    Measure("sla_resolution", "share", "period", "higher", _P05,
            (_row("sla_compliance.csv", "compliance_rate", rule="resolution", priority="all"),
             _row("followup_7_24_72.csv", "rate", rule="resolve_72h")), ("sla_resolution",)),
    Measure("first_follow_up_7d", "share", "period", "higher", _P05,
            (_row("followup_7_24_72.csv", "rate", rule="first_follow_up_7d"),)),
    Measure("reply_24h", "share", "period", "higher", _P05, (_row("followup_7_24_72.csv", "rate", rule="reply_24h"),)),
    Measure("lifecycle_customers_at_plan", "count", "as_of_plan", "none", _P05,
            (Shown("lifecycle_cadence.csv", "customers"),)),
    Measure("cadence_share_met", "share", "period", "higher", _P05, (Shown("lifecycle_cadence.csv", "share_met"),)),
    Measure("execution_churn_rate", "share", "period", "lower", _P05,
            (Shown("execution_classes.csv", "churn_rate"), Shown("chart_execution_churn.csv", "churn_rate"))),
    Measure("rqi", "score", "lookback_365_days", "higher", _P06, (Shown("customer_health.csv", "rqi"),)),
    Measure("emotional_account", "score", "lookback_365_days", "higher", _P06,
            (Shown("customer_health.csv", "emotional_account"),)),
    Measure("health_score", "score", "as_of_period_end", "higher", _P06,
            (Shown("customer_health.csv", "health_score"),)),
    Measure("retention_score", "score", "as_of_period_end", "higher", _P06,
            (Shown("customer_health.csv", "rank_score"),)),
    Measure("red_health_share", "share", "as_of_period_end", "lower", _P06,
            (_row("health_bands.csv", "share", health_band="red"),), ("red_health_share",)),
    Measure("revenue_at_risk", "currency", "next_365_days", "lower", _P06,
            (_row("health_bands.csv", "clv", health_band="red"),), ("revenue_at_risk",)),
    Measure("expected_loss", "currency", "next_365_days", "lower", _P06,
            (Shown("customer_health.csv", "expected_loss"),), ("expected_loss",)),
    Measure("clv", "currency", "next_365_days", "higher", _P06, (Shown("customer_health.csv", "clv"),)),
    Measure("p_alive", "share", "as_of_period_end", "higher", _P06, (Shown("customer_health.csv", "p_alive"),)),
    Measure("backtest_churn_rate", "share", "period", "lower", _P06,
            (_row("health_backtest.csv", "churn_rate", row="auc"),)),
    Measure("predicted_churn", "share", "period", "lower", _P06, (Shown("health_calibration.csv", "predicted"),)),
)


def _from_kpi(kpi: Kpi) -> Measure:
    """A KPI of the registry as a glossary measure: the period's value, tested against the baseline window."""
    shown = (_row("kpi_changes.csv", "after", kpi=kpi.name, segment="all"), *_KPI_SHOWN.get(kpi.name, ()))
    return Measure(kpi.name, kpi.unit.replace(" ", "_"), "period_vs_baseline", kpi.better, KPI_NOTEBOOK, shown,
                   _KPI_SUMMARY.get(kpi.name, ()))


#: every measure of the report, in the order of the chapters that compute them
GLOSSARY: tuple[Measure, ...] = (*_BEFORE, *(_from_kpi(kpi) for kpi in REGISTRY), *_AFTER)
MEASURES: dict[str, Measure] = {measure.id: measure for measure in GLOSSARY}


#: KPIs whose month-by-month series is a measure of its own: a month's churn is not the period's churn
_MONTHLY = {"churn_rate": "monthly_churn_rate", "retention_rate": "monthly_retention_rate"}


def series_label(kpi: str, language: str) -> str:
    """The label of a KPI's monthly series (notebook 04): its own measure when it has one, else the KPI's."""
    return MEASURES[_MONTHLY.get(kpi, kpi)].label(language)


def summary_measure(figure: str) -> Measure | None:
    """The measure a figure of the executive summary reports (``churn_rate``, ``completion_rate``...), if any."""
    return next((measure for measure in GLOSSARY if figure in measure.summary), None)


def ranked_by(results: Path) -> str | None:
    """The score that ranks the customers into retention bands in the run whose results folder is ``results``
    (``customer_health.csv``'s ``ranked_by``, where recency bands the customers the chosen score cannot judge:
    the one other than ``recency`` when there is one); None without that file."""
    path = results / f"{result_file('customer_health').name}.csv"
    if not path.is_file():
        return None
    names = set(pd.read_csv(path, encoding="utf-8-sig", usecols=["ranked_by"])["ranked_by"].dropna().astype(str))
    return min(names - {"recency"} or names) if names else None


def measures_frame(ranked_by: str | None = None) -> pd.DataFrame:
    """``results/measures.csv``: one row per measure with its labels and definitions in both languages, unit,
    window, direction, computing notebook and the results files that show it; ``ranked_by`` as in
    :meth:`Measure.definition`."""
    rows = [{"measure": m.id, **{f"label_{lang}": m.label(lang) for lang in LANGUAGES},
             **{f"definition_{lang}": m.definition(lang, ranked_by) for lang in LANGUAGES}, "unit": m.unit,
             "window": m.window,
             "direction": m.direction, "notebook": m.notebook,
             "shown_in": " ".join(dict.fromkeys(shown.file for shown in m.shown))} for m in GLOSSARY]
    return pd.DataFrame(rows, columns=list(COLUMNS))
