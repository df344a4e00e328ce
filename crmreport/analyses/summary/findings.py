"""What worked and what did not: significant A/B arms, KPI improvements and deteriorations, strategies not executed.

Read from notebook 03's ``ab_tests.csv`` and ``ab_business.csv``, notebook 04's ``kpi_changes.csv``
and, when notebook 05 ran, its ``plan_vs_actual.csv``. Every number is recorded in the ledger.
"""

from __future__ import annotations

import pandas as pd

from ...core.i18n import label, t
from ...core.results import AB_BUSINESS, AB_TESTS, ALL, KPI_CHANGES, PLAN_VS_ACTUAL
from ...measures.kpis import KPIS
from ...settings.params import Labels
from .headline import format_change, format_value
from .sources import Ledger, Results, arm_name

SECTION = "findings"
#: the A/B metric whose significant arms count as "worked" (revenue is what the business case needs)
AB_METRICS = ("revenue_per_customer", "conversion_rate", "response_rate")
KPI_KINDS = {"share": "share", "growth": "share", "currency": "currency", "score": "score", "points": "points",
             "per 100 customers": "score", "hours": "score"}


def ab_findings(results: Results, ledger: Ledger, language: str,
                labels: Labels | None = None) -> tuple[list[str], list[str]]:
    """Sentences on A/B arms: (significant gains, significant losses and arms without an effect).

    ``labels`` (params ``labels:``) gives arms and campaigns their display names.
    """
    worked: list[str] = []
    failed: list[str] = []
    tests = results.rows(AB_TESTS, segment=ALL)
    if tests.empty:
        return worked, failed
    for (campaign, arm), arm_rows in tests.groupby(["campaign_id", "arm"], sort=False):
        significant = arm_rows[arm_rows["significant"].astype(str) == "True"]
        significant = significant[significant["metric"].isin(AB_METRICS)]
        name, code = arm_name(labels, campaign, arm, language), f"{campaign} · {arm}"
        if significant.empty:
            failed.append(t("summary.ab.no_effect", language, arm=name))
            continue
        best = significant.sort_values("metric", key=lambda s: s.map(AB_METRICS.index)).iloc[0]
        kind = "currency" if best["metric"] == "revenue_per_customer" else "share"
        diff = ledger.add(results.figure_of(best, AB_TESTS, "abs_diff"), SECTION, f"{code} {best['metric']}", kind)
        p_adj = ledger.add(results.figure_of(best, AB_TESTS, "p_adjusted"), SECTION, f"{code} p_adjusted",
                           "p_value")
        text = t("summary.ab.effect", language, arm=name, metric=label(f"ab_metric_{best['metric']}", language),
                 diff=format_change(kind, diff.value, language), p=f"{p_adj.value:.3f}", source=diff.cite)
        business = results.rows(AB_BUSINESS, campaign_id=campaign, arm=arm)
        if not business.empty:
            row = business.iloc[0]
            figures = [ledger.add(results.figure_of(row, AB_BUSINESS, column), SECTION, f"{code} {column}",
                                  "currency")
                       for column in ("incremental_revenue", "incremental_revenue_low", "incremental_revenue_high")]
            if all(figures):
                text += " " + t("summary.ab.revenue", language,
                                **{k: format_value("currency", f.value, language)
                                   for k, f in zip(("value", "low", "high"), figures, strict=True)},
                                source=figures[0].cite)
        (worked if diff.value > 0 else failed).append(text)
    return worked, failed


def kpi_findings(results: Results, ledger: Ledger, language: str) -> tuple[list[str], list[str]]:
    """Sentences on KPIs with a significant verdict (all customers): (improvements, deteriorations)."""
    names = {code: (kpi.display_name(language), kpi.unit) for code, kpi in KPIS.items()}
    better: list[str] = []
    worse: list[str] = []
    for _, row in results.rows(KPI_CHANGES, segment=ALL).iterrows():
        verdict = str(row["verdict"])
        if verdict not in ("significant_improvement", "significant_deterioration"):
            continue
        name, unit = names.get(row["kpi"], (row["kpi"], "score"))
        kind = KPI_KINDS.get(unit, "score")
        before, after = (ledger.add(results.figure_of(row, KPI_CHANGES, c), SECTION, f"{row['kpi']} {c}", kind)
                         for c in ("before", "after"))
        change = ledger.add(results.figure_of(row, KPI_CHANGES, "abs_change"), SECTION, f"{row['kpi']} change",
                            kind)
        text = t("summary.kpi.change", language, kpi=name, before=format_value(kind, before.value, language),
                 after=format_value(kind, after.value, language), change=format_change(kind, change.value, language),
                 source=change.cite)
        (better if verdict == "significant_improvement" else worse).append(text)
    return better, worse


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
                             f"{row['segment']} planned", "count")
        lines.append(t("summary.plan.not_executed", language, segment=label(f"segment_{row['segment']}", language),
                       strategy=str(row["strategy"])[:80], planned=format_value("count", planned.value, language),
                       source=planned.cite))
    return lines
