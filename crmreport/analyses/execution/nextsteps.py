"""Chapter 05's "What to do": next steps with numbers, from the chapter's own results."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ...core.i18n import label, t
from ...core.results import ALL
from ...settings.params import Labels
from ..summary.sources import Results

#: segments with fewer planned customers, departments with fewer tickets are not compared; overdue tasks
#: older than this many days are old
MIN_PLANNED, MIN_TICKETS, OLD_DAYS = 50, 20, 30


def next_steps(folder: Path, language: str, labels: Labels | None = None) -> list[str]:
    """Give tasks to the least-covered segment, clear the overdue tasks, fix the slowest department's resolution."""
    results, steps = Results(folder), []
    plan = results.rows("plan_vs_actual")
    plan = plan[(plan.get("segment", pd.Series(dtype=str)) != ALL)
                & (pd.to_numeric(plan.get("planned", pd.Series(dtype=float))) >= MIN_PLANNED)]
    if not plan.empty:
        row = plan.loc[(plan["with_task"] / plan["planned"]).idxmin()]
        steps.append(t("next.05.coverage", language, segment=label(f"segment_{row['segment']}", language),
                       share=row["with_task"] / row["planned"], missing=int(row["planned"] - row["with_task"]),
                       planned=int(row["planned"])))
    overdue = results.cell("task_execution", "overdue", owner=ALL)
    if overdue and overdue.value:
        ages = results.rows("overdue_ages")
        lower = ages["age_bucket"].astype(str).map(lambda b: int(re.search(r"\d+", b).group()))
        old = int(ages.loc[lower >= OLD_DAYS, "tasks"].sum()) if not ages.empty else 0
        steps.append(t("next.05.overdue", language, n=int(overdue.value), old=old, days=OLD_DAYS))
    sla = results.rows("sla_by_department", rule="resolution")
    sla = sla[(sla["department"] != ALL) & (pd.to_numeric(sla["tickets"]) >= MIN_TICKETS)] if not sla.empty else sla
    if not sla.empty:
        row = sla.loc[pd.to_numeric(sla["compliance_rate"]).idxmin()]
        department = labels.of("departments", row["department"], language) if labels else row["department"]
        steps.append(t("next.05.resolution", language, department=department,
                       rate=float(row["compliance_rate"]), breached=int(row["breached"]), tickets=int(row["tickets"])))
    return steps
