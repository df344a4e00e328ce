"""What worked, what did not, what moved: A/B arms, before/after KPI changes, strategies not executed.

Read from notebook 03's ``ab_tests.csv`` and ``ab_business.csv``, notebook 04's ``kpi_changes.csv``
and ``kpi_segmented_regression.csv`` and, when notebook 05 ran, its ``plan_vs_actual.csv``. Every
number is recorded in the ledger with its measure, its evidence and the claim it supports
(:mod:`.claims`).
"""

from __future__ import annotations

import pandas as pd

from ...core.i18n import label, t
from ...core.results import AB_BUSINESS, AB_TESTS, ALL, KPI_CHANGES, KPI_SEGMENTED, PLAN_VS_ACTUAL
from ...measures.kpis import KPIS
from ...settings.params import Labels
from . import claims
from .headline import format_change, format_value
from .sources import Figure, Ledger, Results, arm_name

SECTION = "findings"
KPI_KINDS = {"share": "share", "growth": "share", "currency": "currency", "score": "score", "points": "points",
             "per 100 customers": "score", "hours": "score"}
#: the glossary measure of each A/B metric
AB_MEASURES = {metric: f"campaign_{metric}" for metric in claims.AB_METRICS}


def _arm_figures(results: Results, ledger: Ledger, row: pd.Series, code: str, claim: str,
                 alpha: float, sequential: bool) -> tuple[str, list[Figure | None]]:
    """An A/B row's difference and adjusted interval (the always-valid one when ``sequential``), recorded;
    returns the kind and the three figures."""
    metric = str(row["metric"])
    kind = "currency" if metric == "revenue_per_customer" else "share"
    grade = {"measure": AB_MEASURES[metric], "evidence": claims.RANDOMISED, "claim": claim}
    diff = ledger.add(results.figure_of(row, AB_TESTS, "abs_diff"), SECTION, f"{code} {metric}", kind, **grade)
    found = ([results.figure_of(row, AB_TESTS, c) for c in ("seq_adjusted_low", "seq_adjusted_high")] if sequential
             else results.adjusted(row, AB_TESTS, "abs_diff", alpha))
    ends = [ledger.add(f, SECTION, f"{code} {metric} {f.column if sequential else f.aggregate}", kind, **grade)
            if f else None for f in found]
    return kind, [diff, *ends]


def _business(results: Results, ledger: Ledger, campaign: str, arm: str, code: str, claim: str,
              language: str) -> dict[str, str] | None:
    """The arm's incremental revenue and its 95% interval (``ab_business.csv``) as text, recorded."""
    business = results.rows(AB_BUSINESS, campaign_id=campaign, arm=arm)
    if business.empty:
        return None
    row = business.iloc[0]
    figures = [ledger.add(results.figure_of(row, AB_BUSINESS, column), SECTION, f"{code} {column}", "currency",
                          measure="incremental_revenue", evidence=claims.RANDOMISED, claim=claim)
               for column in ("incremental_revenue", "incremental_revenue_low", "incremental_revenue_high")]
    if not all(figures):
        return None
    return {k: format_value("currency", f.value, language) for k, f in zip(("value", "low", "high"), figures,
                                                                             strict=True)} | {"source": figures[0].cite}


def ab_findings(results: Results, ledger: Ledger, language: str, alpha: float,
                labels: Labels | None = None) -> tuple[list[str], list[str], list[str]]:
    """Sentences on A/B arms, graded by :mod:`.claims`: (worked on revenue, won on response or conversion only,
    did not work).

    An arm worked when the adjusted interval of a metric lies above zero (revenue per customer
    preferred, then conversion, then response) and its campaign has concluded or stopped the arm as the
    winner (an arm still running is listed with the last, as not yet a result). An arm that worked on revenue
    is listed first, with its incremental revenue and interval; a win in response or conversion is listed apart,
    since it is not shown to raise revenue, and says so when revenue was tested. ``labels``
    (params ``labels:``) gives arms and campaigns their display names.
    """
    worked: list[str] = []
    response_only: list[str] = []
    failed: list[str] = []
    tests = results.rows(AB_TESTS, segment=ALL)
    for (campaign, arm), arm_rows in (tests.groupby(["campaign_id", "arm"], sort=False) if not tests.empty else []):
        sequential = claims.reads_sequential(results, campaign)
        named, revenue = claims.arm_claim(arm_rows, alpha, sequential)
        if named is None:
            continue
        look = claims.still_running(results, campaign, arm)
        name, code = arm_name(labels, campaign, arm, language), f"{campaign} · {arm}"
        row = arm_rows[arm_rows["metric"] == named.metric].iloc[0]
        kind, (diff, low, high) = _arm_figures(results, ledger, row, code,
                                               named.claim if look is None else claims.RUNNING, alpha, sequential)
        words = {"arm": name, "metric": label(f"ab_metric_{named.metric}", language), "source": diff.cite,
                 **{k: format_change(kind, f.value if f else None, language) for k, f in zip(
                     ("diff", "low", "high"), (diff, low, high), strict=True)}}
        if look is not None:
            failed.append(t("summary.ab.running", language, look=look, **words))
            continue
        if named.claim != claims.WORKED:
            failed.append(t("summary.ab.did_not_work", language, **words))
            continue
        text = t("summary.ab.worked", language, **words)
        if named.metric == "revenue_per_customer":
            value = _business(results, ledger, campaign, arm, code, claims.WORKED, language)
            worked.append(text + (" " + t("summary.ab.value", language, **value) if value else ""))
            continue
        if claims.carries_to_revenue(named, revenue) is False:  # tested on revenue, and the win does not carry
            revenue_row = arm_rows[arm_rows["metric"] == "revenue_per_customer"].iloc[0]
            _, (rdiff, rlow, rhigh) = _arm_figures(results, ledger, revenue_row, code, claims.DID_NOT_WORK, alpha,
                                                   sequential)
            value = _business(results, ledger, campaign, arm, code, claims.DID_NOT_WORK, language)
            text += " " + t("summary.ab.no_revenue", language, **{
                k: format_change("currency", f.value if f else None, language) for k, f in zip(
                    ("diff", "low", "high"), (rdiff, rlow, rhigh), strict=True)},
                source=rdiff.cite) + (" " + t("summary.ab.value", language, **value) if value else "")
        response_only.append(text)
    return worked, response_only, failed


def kpi_findings(results: Results, ledger: Ledger, language: str, alpha: float) -> tuple[list[str], list[str]]:
    """Sentences on headline KPIs with a significant before/after verdict: (moved, watch).

    A before/after change is observed, not proven: each sentence says so and gives the pre-trend
    check of the KPI's monthly series (:func:`.claims.pre_trend`).
    """
    names = {code: (kpi.display_name(language), kpi.unit) for code, kpi in KPIS.items()}
    moved: list[str] = []
    watch: list[str] = []
    for _, row in results.rows(KPI_CHANGES, segment=ALL).iterrows():
        claim = claims.kpi_claim(str(row["verdict"]))
        if claim is None:
            continue
        name, unit = names.get(row["kpi"], (row["kpi"], "score"))
        kind = KPI_KINDS.get(unit, "score")
        grade = {"measure": str(row["kpi"]), "evidence": claims.BEFORE_AFTER, "claim": claim}
        before, after, change = (ledger.add(results.figure_of(row, KPI_CHANGES, c), SECTION, f"{row['kpi']} {c}",
                                            kind, **grade) for c in ("before", "after", "abs_change"))
        series = results.rows(KPI_SEGMENTED, kpi=row["kpi"])
        check = claims.pre_trend(series.iloc[0] if not series.empty else None, alpha)
        trend = t("summary.kpi.trend_none", language)
        if check:
            p = ledger.add(results.figure_of(series.iloc[0], KPI_SEGMENTED, "level_p_value"), SECTION,
                           f"{row['kpi']} level_p_value", "p_value", **grade)
            trend = t(f"summary.kpi.trend_{check}", language, p=p.value, source=p.cite)
        text = t(f"summary.kpi.{claim}", language, kpi=name, before=format_value(kind, before.value, language),
                 after=format_value(kind, after.value, language), change=format_change(kind, change.value, language),
                 source=change.cite, trend=trend)
        (moved if claim == claims.MOVED else watch).append(text)
    return moved, watch


def unexecuted_strategies(results: Results, ledger: Ledger, language: str) -> list[str]:
    """Planned strategies (notebook 05's ``plan_vs_actual.csv``) with customers planned and none done."""
    plan = results.rows(PLAN_VS_ACTUAL)
    if plan.empty or not {"planned", "done"} <= set(plan.columns):
        return []
    missed = plan[(pd.to_numeric(plan["planned"], errors="coerce") > 0) & (pd.to_numeric(plan["done"],
                                                                                       errors="coerce") == 0)]
    lines = []
    for _, row in missed.iterrows():
        planned = ledger.add(results.figure_of(row, PLAN_VS_ACTUAL, "planned"), SECTION,
                             f"{row['segment']} planned", "count", evidence=claims.COUNT,
                             claim=claims.WATCH)
        lines.append(t("summary.plan.not_executed", language, segment=label(f"segment_{row['segment']}", language),
                       strategy=str(row["strategy"])[:80], planned=format_value("count", planned.value, language),
                       source=planned.cite))
    return lines
