"""The headline figures of the period: value, previous value, change and notebook 04's verdict, with sources.

Each headline is read from one results file. When the file holds a before/after pair (notebook
01's summaries, notebook 04's ``kpi_changes.csv``) the previous value and the change come from
the same row; otherwise they come from the previous period's report under the same output root,
when it exists. Figures of notebooks 05 and 06 appear only when their results exist.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from ...core.i18n import label, t
from ...core.results import (
    ALL,
    CUSTOMER_BASE_SUMMARY,
    CUSTOMER_HEALTH,
    KPI_CHANGES,
    SLA_COMPLIANCE,
    VALUE_SUMMARY,
    ResultFile,
)
from .claims import BEFORE_AFTER, COUNT, MODEL
from .sources import Figure, Ledger, Results

SECTION = "headline"


@dataclass(frozen=True)
class Headline:
    """Where one headline figure is read: file, row filter, value column, and the before/change columns if any."""

    key: str
    kind: str  # count | currency | share | score | points
    file: ResultFile
    where: dict[str, str] = field(default_factory=dict)
    value: str = "after"
    before: str | None = "before"
    change: str | None = "change"
    verdict_kpi: str | None = None  # kpi_changes.csv row (segment all) whose verdict applies
    aggregate: str = "value"  # value | share (count of where / rows) | sum (of `value` over where)
    measure: str = ""  # the glossary id, when not ``key``
    evidence: str = COUNT

    @property
    def graded(self) -> dict[str, str]:
        """The figure's glossary measure and evidence, as :meth:`Ledger.add` records them."""
        return {"measure": self.measure or self.key, "evidence": self.evidence}


def _kpi(name: str, kind: str, kpi: str = "") -> Headline:
    return Headline(name, kind, KPI_CHANGES, {"kpi": kpi or name, "segment": ALL}, change="abs_change",
                    verdict_kpi=kpi or name, measure=kpi, evidence=BEFORE_AFTER)


HEADLINES: tuple[Headline, ...] = (
    Headline("customers", "count", CUSTOMER_BASE_SUMMARY, {"metric": "customers"}),
    Headline("buying_customers", "count", VALUE_SUMMARY, {"metric": "buying_customers"}),
    Headline("revenue_12m", "currency", VALUE_SUMMARY, {"metric": "revenue_12m"}),
    _kpi("revenue_per_customer", "currency"),
    _kpi("churn_rate", "share"),
    _kpi("csat_mean", "score"),
    _kpi("nps", "points"),
    _kpi("completion_rate", "share", "follow_up_completion_rate"),
    Headline("sla_first_response", "share", SLA_COMPLIANCE, {"rule": "first_response", "priority": ALL},
             "compliance_rate", None, None),
    Headline("sla_resolution", "share", SLA_COMPLIANCE, {"rule": "resolution", "priority": ALL},
             "compliance_rate", None, None),
    Headline("red_health_share", "share", CUSTOMER_HEALTH, {"health_band": "red"}, "health_band", None, None,
             aggregate="share", evidence=MODEL),
    Headline("revenue_at_risk", "currency", CUSTOMER_HEALTH, {"health_band": "red"}, "clv", None, None,
             aggregate="sum", evidence=MODEL),
    Headline("expected_loss", "currency", CUSTOMER_HEALTH, {}, "expected_loss", None, None, aggregate="sum",
             evidence=MODEL),
)


def _read(results: Results, spec: Headline, column: str) -> Figure | None:
    if spec.aggregate == "share":
        return results.count(spec.file, share=True, **spec.where)
    if spec.aggregate == "sum":
        return results.total(spec.file, column, **spec.where) if results.table(spec.file) is not None else None
    return results.cell(spec.file, column, **spec.where)


def headline_figures(results: Results, previous: Results | None, ledger: Ledger,
                     language: str) -> list[dict[str, object]]:
    """The headline figures that exist in this run, each recorded in ``ledger``.

    Returns
    -------
    list of dict
        Per figure: ``key``, ``kind``, ``value``, ``previous``, ``change`` (Figures or None),
        ``verdict`` (a notebook 04 verdict code or None) and ``source`` (the chapter and the figure's
        reference in the table of sources, ``ch. 4 · S5``).
    """
    rows = []
    for spec in HEADLINES:
        value = _read(results, spec, spec.value)
        if value is None:
            continue
        before = results.cell(spec.file, spec.before, **spec.where) if spec.before else None
        change = results.cell(spec.file, spec.change, **spec.where) if spec.change else None
        if before is None and previous is not None:
            before = _read(previous, spec, spec.value)
        verdict = None
        if spec.verdict_kpi:
            found = results.rows(KPI_CHANGES, kpi=spec.verdict_kpi, segment=ALL)
            verdict = None if found.empty else str(found.iloc[0]["verdict"])
        value, before, change = (ledger.add(figure, SECTION, spec.key + role, spec.kind, **spec.graded)
                                 for figure, role in ((value, ""), (before, " (previous)"), (change, " (change)")))
        rows.append({"key": spec.key, "kind": spec.kind, "value": value, "previous": before, "change": change,
                     "verdict": verdict, "evidence": spec.evidence,
                     "source": t("summary.source_ref", language, chapter=int(spec.file.notebook), ref=value.ref)})
    return rows


def format_value(kind: str, value: float | None, language: str) -> str:
    """A headline number for a reader: counts and money with separators, shares in %, scores with 2 decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    shapes = {"count": "{:,.0f}", "currency": "{:,.0f}", "share": "{:.1%}", "score": "{:.2f}", "points": "{:.1f}"}
    return shapes[kind].format(value)


def format_change(kind: str, value: float | None, language: str) -> str:
    """A change with its sign; shares change in percentage points."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kind == "share":
        return t("unit.percentage_points", language, value=value * 100)
    shapes = {"count": "{:+,.0f}", "currency": "{:+,.0f}", "score": "{:+.2f}", "points": "{:+.1f}"}
    return shapes[kind].format(value)


def headline_table(rows: list[dict[str, object]], language: str, currency: str = "") -> pd.DataFrame:
    """The headline figures as the table management reads (text cells, the source of each row last): amounts name
    ``currency``, and a before/after verdict says it is observed, not proven by a randomised test."""
    def change_of(row: dict[str, object]) -> float | None:
        if row["change"] is not None:
            return row["change"].value
        if row["previous"] is not None:
            return row["value"].value - row["previous"].value
        return None

    records = []
    for row in rows:
        kind = str(row["kind"])
        verdict = label(f"kpi_verdict_{row['verdict']}", language) if row["verdict"] else "–"
        if str(row["verdict"]).startswith("significant") and row.get("evidence") == BEFORE_AFTER:
            verdict = t("summary.verdict_observed", language, verdict=verdict)
        name = t(f"summary.figure.{row['key']}", language)
        records.append({
            "summary_figure": t("summary.figure_currency", language, name=name, currency=currency)
            if kind == "currency" and currency else name,
            "summary_value": format_value(kind, row["value"].value, language),
            "summary_previous": format_value(kind, row["previous"].value if row["previous"] else None, language),
            "summary_change": format_change(kind, change_of(row), language),
            "summary_verdict": verdict,
            "summary_source": row["source"],
        })
    return pd.DataFrame(records)
