"""Caveats a manager must know before acting on the summary: quarantined rows, masking, demo data,
notebooks that failed or did not run, the limits of the evidence (:mod:`.limits`: non-causal
comparisons, detectable lifts, missing costs, the CLV model's fit, customers without CLV) and
results resting on small samples."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...core.i18n import label, t
from ...core.results import AB_TESTS, ALL, CUSTOMER_HEALTH, KPI_CHANGES, ROW_ACCOUNTING, SLA_COMPLIANCE, TASK_EXECUTION
from ...measures.kpis import KPIS
from ...settings.params import Labels
from . import limits
from .claims import BEFORE_AFTER, COUNT, RANDOMISED
from .headline import format_value
from .sources import Figure, Ledger, Results, arm_name, cite, run_status

SECTION = "caveats"
#: results of the optional notebooks: their figures are simply absent when the notebook did not run
OPTIONAL = {"05": (TASK_EXECUTION, SLA_COMPLIANCE), "06": (CUSTOMER_HEALTH,)}


def quarantine_caveat(results: Results, ledger: Ledger, language: str) -> str | None:
    """Rows set aside by cleaning, per table: from notebook 01's row accounting, else the quarantine folder."""
    parts = []
    accounting = results.rows(ROW_ACCOUNTING)
    if not accounting.empty:
        for _, row in accounting[pd.to_numeric(accounting["quarantined"], errors="coerce") > 0].iterrows():
            figure = ledger.add(results.figure_of(row, ROW_ACCOUNTING, "quarantined"), SECTION,
                                f"quarantined {row['table']}", "count", evidence=COUNT)
            count = format_value("count", figure.value, language)
            parts.append(f"{label('table_' + str(row['table']), language)} {count}")
    else:
        for path in sorted((results.folder.parent / "quarantine").glob("*.csv")):
            rows = len(pd.read_csv(path, encoding="utf-8-sig"))
            figure = ledger.add(Figure(float(rows), f"../quarantine/{path.name}", "*", filter="{}",
                                       aggregate="count"), SECTION, f"quarantined {path.stem}", "count", evidence=COUNT)
            parts.append(f"{label('table_' + path.stem, language)} {format_value('count', figure.value, language)}")
    if not parts:
        return None
    return t("summary.caveat.quarantine", language, tables=("、" if language == "zh" else ", ").join(parts))


def small_samples(results: Results, ledger: Ledger, language: str, min_n: int,
                  labels: Labels | None = None) -> list[str]:
    """A/B arms and KPIs (all customers) with fewer than ``min_n`` units, or without a verdict for lack of data."""
    lines = []
    tests = results.rows(AB_TESTS, segment=ALL)
    if not tests.empty:
        small = tests[(tests["n_arm"] < min_n) | (tests["n_control"] < min_n)].drop_duplicates(["campaign_id", "arm"])
        for _, row in small.iterrows():
            n = ledger.add(results.figure_of(row, AB_TESTS, "n_arm"), SECTION, f"{row['campaign_id']} n_arm",
                           "count", evidence=RANDOMISED)
            arm = arm_name(labels, row['campaign_id'], row['arm'], language)
            lines.append(t("summary.caveat.small_arm", language, arm=arm,
                           n=format_value("count", n.value, language), min_n=min_n, source=n.cite))
    kpis = results.rows(KPI_CHANGES, segment=ALL)
    if not kpis.empty:
        thin = kpis[(kpis["verdict"] == "insufficient_data") | (kpis[["n_before", "n_after"]].min(axis=1) < min_n)]
        for _, row in thin.iterrows():
            kpi = KPIS[row["kpi"]].display_name(language) if row["kpi"] in KPIS else row["kpi"]
            n = ledger.add(results.figure_of(row, KPI_CHANGES, "n_after"), SECTION, f"{row['kpi']} n_after", "count",
                           measure=str(row["kpi"]), evidence=BEFORE_AFTER)
            lines.append(t("summary.caveat.small_kpi", language, kpi=kpi, min_n=min_n,
                           source=n.cite if n else cite(f"{KPI_CHANGES.file}:{row['_row']}")))
    return lines


def run_caveats(report_root: Path, own_name: str, results: Results, language: str) -> list[str]:
    """Notebooks of this run that failed, and optional notebooks whose results are absent."""
    lines = []
    statuses = [nb for nb in run_status(report_root) if nb["name"] != own_name]
    for nb in statuses:
        if nb["status"] != "ok":
            lines.append(t("summary.caveat.failed", language, notebook=nb["name"], html=f"{nb['name']}.html"))
    for number, files in OPTIONAL.items():
        if not any(results.has(name) for name in files):
            lines.append(t(f"summary.caveat.absent_{number}", language))
    return lines


def caveats(results: Results, ledger: Ledger, language: str, *, report_root: Path, own_name: str,
            masked: bool, demo: bool, min_n: int, labels: Labels | None = None) -> list[str]:
    """Every caveat of the summary, most important first."""
    lines = [] if masked else [t("summary.caveat.not_masked", language)]
    if demo:
        lines.append(t("summary.caveat.demo", language))
    lines += run_caveats(report_root, own_name, results, language)
    quarantine = quarantine_caveat(results, ledger, language)
    if quarantine:
        lines.append(quarantine)
    lines += limits.evidence_limits(results, ledger, language, labels)
    lines += small_samples(results, ledger, language, min_n, labels)
    if masked:
        lines.append(t("summary.caveat.masked", language))
    return lines
