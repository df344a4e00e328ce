"""Warnings of the run a director must see on the summary's first page (claim ``watch``).

Overdue tasks and their ages (notebook 05's ``task_execution.csv``, ``overdue_ages.csv``), the
contact rhythm of the largest lifecycle stage (``lifecycle_cadence.csv``) and the groups whose
churn rose by at least the minimum meaningful change (notebook 04's ``kpi_changes.csv`` and, when
params declare an untreated comparison group, the treated group of ``kpi_did.csv``).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from ...core.i18n import label, t
from ...core.results import ALL, KPI_CHANGES, KPI_DID, LIFECYCLE_CADENCE, OVERDUE_AGES, TASK_EXECUTION
from ...settings.params import CustomerGroup, DidGroups
from ...settings.period import Window
from ..segments.pretreatment import before_windows
from .claims import BEFORE_AFTER, COUNT, WATCH
from .headline import format_value
from .sources import Ledger, Results

SECTION = "watch"
#: a lifecycle stage whose customers got their planned contacts less often than this is a warning
CADENCE_WATCH = 0.5


def overdue(results: Results, ledger: Ledger, language: str) -> list[str]:
    """Tasks overdue at the data as-of date, with their ages."""
    total = ledger.add(results.cell(TASK_EXECUTION, "overdue", owner=ALL), SECTION, "overdue tasks", "count",
                       measure="overdue_tasks", evidence=COUNT, claim=WATCH)
    if total is None or not total.value:
        return []
    ages = []
    for _, row in results.rows(OVERDUE_AGES).iterrows():
        n = ledger.add(results.figure_of(row, OVERDUE_AGES, "tasks"), SECTION, f"overdue {row['age_bucket']}",
                       "count", measure="overdue_tasks", evidence=COUNT, claim=WATCH)
        ages.append(t("summary.watch.age", language, age=row["age_bucket"], n=format_value("count", n.value,
                                                                                             language)))
    sep = "；" if language == "zh" else "; "
    return [t("summary.watch.overdue", language, n=format_value("count", total.value, language),
              ages=sep.join(ages) or "–", source=total.cite)]


def contact_rhythm(results: Results, ledger: Ledger, language: str) -> list[str]:
    """The largest lifecycle stage when fewer than :data:`CADENCE_WATCH` of its customers got their contacts."""
    cadence = results.rows(LIFECYCLE_CADENCE)
    if cadence.empty:
        return []
    row = cadence.loc[pd.to_numeric(cadence["customers"]).idxmax()]
    if not float(row["share_met"]) < CADENCE_WATCH:
        return []
    share, customers = (ledger.add(results.figure_of(row, LIFECYCLE_CADENCE, column), SECTION,
                                   f"cadence {row['stage']} {column}", kind, measure="cadence_share_met",
                                   evidence=COUNT, claim=WATCH)
                        for column, kind in (("share_met", "share"), ("customers", "count")))
    return [t("summary.watch.cadence", language, share=format_value("share", share.value, language),
              n=format_value("count", customers.value, language), stage=label(f"stage_{row['stage']}", language),
              expected=int(row["expected"]), source=share.cite)]


def group_name(group: CustomerGroup | None, language: str) -> str:
    """The KPI chapter's treated group as a reader names it ("B2B customers", 企业客户), from params
    ``kpis.did.treated``; the chapter's words when the group is not given."""
    if group is None:
        return t("summary.watch.treated", language)
    names = [label(f"{group.column}.{value}", language) for value in group.values] if group.column else []
    if group.customers:
        names.append(t("summary.watch.listed", language, n=len(group.customers)))
    return t("summary.watch.treated_group", language, names=("、" if language == "zh" else ", ").join(names))


def churn_up(results: Results, ledger: Ledger, language: str, did: DidGroups | None = None,
             groups_as_of: date | None = None) -> list[str]:
    """Groups whose period churn rose by at least the minimum meaningful change (significant or not); ``did``
    (params ``kpis.did``) names the KPI chapter's treated group; ``groups_as_of`` is the date of the KPI
    chapter's segments (the day before its baseline window), named beside each segment."""
    parts = []
    rows = results.rows(KPI_CHANGES, kpi="churn_rate")
    groups = [(row, KPI_CHANGES, str(row["segment"]), _as_of(label(f"segment_{row['segment']}", language),
                                                              groups_as_of, language))
              for _, row in rows.iterrows() if row["segment"] != ALL]
    groups += [(row, KPI_DID, "treated", group_name(did.treated if did else None, language)) for _, row in results.rows(
        KPI_DID, kpi="churn_rate").iterrows()]
    for row, file, key, name in groups:
        before, after, size = (("before", "after", "n_after") if file is KPI_CHANGES
                               else ("treated_before", "treated_after", "n_treated"))
        if not float(row[after]) - float(row[before]) >= float(row["min_meaningful_change"]):
            continue
        grade = {"measure": "churn_rate", "evidence": BEFORE_AFTER, "claim": WATCH}
        figures = [ledger.add(results.figure_of(row, file, c), SECTION, f"churn_rate {key} {c}", "share", **grade)
                   for c in (before, after)]
        n, p = (ledger.add(results.figure_of(row, file, c), SECTION, f"churn_rate {key} {c}", kind, **grade)
                for c, kind in ((size, "count"), ("p_adjusted", "p_value")))
        customers = format_value("count", n.value if n else None, language)
        evidence = (t("summary.watch.tested", language, n=customers, p=p.value) if p
                    else t("summary.watch.untested", language, n=customers))
        parts.append(t("summary.watch.group", language, group=name, evidence=evidence,
                       before=format_value("share", figures[0].value, language),
                       after=format_value("share", figures[1].value, language), source=figures[1].cite))
    if not parts:
        return []
    return [t("summary.watch.churn", language, groups=("；" if language == "zh" else "; ").join(parts))]


def _as_of(name: str, day: date | None, language: str) -> str:
    return t("summary.watch.as_of", language, group=name, date=day.isoformat()) if day else name


def warnings(results: Results, ledger: Ledger, language: str, did: DidGroups | None = None,
             baseline: Window | None = None) -> list[str]:
    """Every warning of the run, most urgent first (``did`` as in :func:`churn_up`; the KPI chapter's groups are
    as of the day before its ``baseline`` window)."""
    return overdue(results, ledger, language) + contact_rhythm(results, ledger, language) + churn_up(
        results, ledger, language, did, before_windows(baseline) if baseline else None)
