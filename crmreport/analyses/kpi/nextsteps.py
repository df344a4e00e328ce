"""Chapter 04's "What to do": next steps with numbers, from the chapter's own results."""

from __future__ import annotations

from pathlib import Path

from ...core.i18n import t
from ...core.results import ALL
from ...measures.kpis import KPIS
from ..summary import claims
from ..summary.sources import Results
from .diffindiff import NOT_UNTREATED

#: share of customers to hold out of the strategy so that its effect can be measured next period
HOLDOUT = 0.1


def next_steps(folder: Path, language: str, alpha: float) -> list[str]:
    """Look into deteriorations, keep watching changes that may only continue a trend, hold out a group."""
    results, steps = Results(folder), []
    changes = results.rows("kpi_changes", segment=ALL)
    names = {k: KPIS[k].display_name(language) if k in KPIS else k for k in changes.get("kpi", [])}
    sep = "、" if language == "zh" else ", "
    worse = [names[k] for k in changes.loc[changes["verdict"] == "significant_deterioration", "kpi"]] \
        if not changes.empty else []
    if worse:
        steps.append(t("next.04.worse", language, kpis=sep.join(worse)))
    trend = []
    for _, row in (changes[changes["verdict"] == "significant_improvement"].iterrows() if not changes.empty else []):
        series = results.rows("kpi_segmented_regression", kpi=row["kpi"])
        if claims.pre_trend(series.iloc[0] if not series.empty else None, alpha) == "trend":
            trend.append(t("next.04.trend_item", language, kpi=names[row["kpi"]],
                           p=float(series.iloc[0]["level_p_value"])))
    if trend:
        steps.append(t("next.04.trend", language, kpis=sep.join(trend)))
    did = results.rows("kpi_did")
    if did.empty or (did["message"] == NOT_UNTREATED).any():
        customers = results.cell("kpi_changes", "n_after", kpi="revenue_per_customer", segment=ALL)
        steps.append(t("next.04.holdout", language, share=HOLDOUT, base=int(customers.value) if customers else "–",
                       n=round(customers.value * HOLDOUT) if customers else "–"))
    return steps
