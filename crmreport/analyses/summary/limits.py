"""The limits of this run's evidence, as caveats: what the summary's comparisons and models cannot show.

Read from the run's results like every summary figure: before/after changes that are not causal
(notebook 04), the smallest lift each A/B test could detect (``ab_power.csv``), campaign costs
missing from the data (``ab_business.csv``), the CLV model's fit on its holdout
(``chart_clv_holdout.csv``) and customers without a CLV (``customer_health.csv``).
"""

from __future__ import annotations

import pandas as pd

from ...core.i18n import label, t
from ...core.results import AB_BUSINESS, AB_POWER, ALL, CLV_HOLDOUT, CUSTOMER_HEALTH, KPI_CHANGES
from ...settings.params import Labels
from .claims import AB_METRICS, BEFORE_AFTER, COUNT, MODEL, RANDOMISED
from .headline import format_value
from .sources import Ledger, Results, shown

SECTION = "caveats"


def non_causal(results: Results, ledger: Ledger, language: str) -> list[str]:
    """Before/after changes with a significant verdict: observed, not proven (the strategy reached everyone)."""
    changes = results.rows(KPI_CHANGES, segment=ALL)
    if changes.empty:
        return []
    moved = results.count(KPI_CHANGES, segment=ALL, verdict="significant_improvement")
    worse = results.count(KPI_CHANGES, segment=ALL, verdict="significant_deterioration")
    n = sum(f.value for f in (moved, worse) if f is not None)
    if not n:
        return []
    moved, _ = (ledger.add(figure, SECTION, name, "count", evidence=BEFORE_AFTER)
                for figure, name in ((moved, "kpis improved"), (worse, "kpis deteriorated")))
    return [t("summary.caveat.non_causal", language, n=int(n), source=moved.cite)]


def detectable_lifts(results: Results, ledger: Ledger, language: str, labels: Labels | None = None) -> list[str]:
    """Per campaign, the range of the smallest relative lifts its arms could detect (80% power)."""
    power = results.rows(AB_POWER)
    if power.empty:
        return []
    power = power[power["metric"].isin(AB_METRICS) & power["mde_rel"].notna()]
    lines = []
    for campaign, rows in power.groupby("campaign_id", sort=False):
        low, high = rows.loc[rows["mde_rel"].idxmin()], rows.loc[rows["mde_rel"].idxmax()]
        figures = [ledger.add(results.figure_of(row, AB_POWER, "mde_rel"), SECTION,
                              f"{campaign} {row['arm']} {row['metric']} mde_rel", "share",
                              measure="minimum_detectable_lift", evidence=RANDOMISED) for row in (low, high)]
        lines.append(t("summary.caveat.detectable", language, campaign=shown(labels, "campaigns", campaign, language),
                       low=format_value("share", figures[0].value, language),
                       high=format_value("share", figures[1].value, language),
                       low_metric=label(f"ab_metric_{low['metric']}", language),
                       high_metric=label(f"ab_metric_{high['metric']}", language), source=figures[0].cite))
    return lines


def missing_costs(results: Results, ledger: Ledger, language: str) -> list[str]:
    """Campaign arms without a cost in the data: their return cannot be judged."""
    if not results.has(AB_BUSINESS):
        return []
    missing = ledger.add(results.count(AB_BUSINESS, cost=None), SECTION, "arms without cost", "count",
                         evidence=COUNT)
    if not missing or not missing.value:
        return []
    arms = results.count(AB_BUSINESS)
    return [t("summary.caveat.no_costs", language, n=int(missing.value), arms=int(arms.value), source=missing.cite)]


def clv_fit(results: Results, ledger: Ledger, language: str) -> list[str]:
    """The CLV model's holdout fit: purchases expected against those made over all holdout customers, and in its
    largest frequency group (where most of the value sits)."""
    holdout = results.rows(CLV_HOLDOUT)
    if holdout.empty:
        return []
    row = holdout.loc[pd.to_numeric(holdout["customers"]).idxmax()]
    expected, actual, customers = (
        ledger.add(results.figure_of(row, CLV_HOLDOUT, column), SECTION, f"clv holdout {column}", kind,
                   measure="clv", evidence=MODEL)
        for column, kind in (("expected", "score"), ("actual", "score"), ("customers", "count")))
    expected_all, actual_all = (ledger.add(results.total(CLV_HOLDOUT, column), SECTION, f"clv holdout {column}",
                                           "count", measure="clv", evidence=MODEL)
                                for column in ("expected_total", "actual_total"))
    if not (expected and actual and actual.value and expected_all and actual_all and actual_all.value):
        return []
    gap, gap_all = expected.value / actual.value - 1, expected_all.value / actual_all.value - 1
    return [t("summary.caveat.clv_fit", language, customers=format_value("count", customers.value, language),
              frequency=int(row["frequency"]), expected=f"{expected.value:.1f}", actual=f"{actual.value:.1f}",
              gap=f"{gap:+.0%}", direction=t(f"summary.caveat.clv_{'under' if gap_all < 0 else 'over'}", language),
              expected_all=format_value("count", expected_all.value, language),
              actual_all=format_value("count", actual_all.value, language), gap_all=f"{gap_all:+.0%}",
              source=expected_all.cite, group_source=expected.cite)]


def without_clv(results: Results, ledger: Ledger, language: str) -> list[str]:
    """Customers without a CLV (too little purchase history): they count as zero in every value at stake."""
    if not results.has(CUSTOMER_HEALTH):
        return []
    none = ledger.add(results.count(CUSTOMER_HEALTH, clv=None), SECTION, "customers without clv", "count",
                      measure="clv", evidence=COUNT)
    red = ledger.add(results.count(CUSTOMER_HEALTH, clv=None, health_band="red"), SECTION,
                     "red band customers without clv", "count", measure="clv", evidence=COUNT)
    if not none or not none.value:
        return []
    return [t("summary.caveat.no_clv", language, n=format_value("count", none.value, language),
              red=format_value("count", red.value if red else 0, language), source=none.cite)]


def evidence_limits(results: Results, ledger: Ledger, language: str, labels: Labels | None = None) -> list[str]:
    """Every limit of the evidence, in the order a reader weighs them."""
    return (non_causal(results, ledger, language) + detectable_lifts(results, ledger, language, labels)
            + missing_costs(results, ledger, language) + clv_fit(results, ledger, language)
            + without_clv(results, ledger, language))
