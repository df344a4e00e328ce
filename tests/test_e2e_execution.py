"""End to end, notebook 05: the rendered demo period (shared `report` fixture of conftest.py) holds the
execution sections in its PDF and the four results contracts; a source without tasks, tickets,
interactions and improvements renders every affected section as 'no data' naming the missing table."""

from __future__ import annotations

import shutil

import nbformat
import numpy as np
import pandas as pd
import papermill
import pytest
from conftest import ROOT, pdf_text

from crmreport.analyses.execution.followup import FOLLOWUP_COLUMNS
from crmreport.analyses.execution.plan import PLAN_COLUMNS
from crmreport.analyses.execution.sla import PRIORITIES, SLA_COLUMNS
from crmreport.analyses.execution.tasks import EXECUTION_COLUMNS
from crmreport.core.i18n import label, t

NOTEBOOK = "05_execution_tracking"
SECTIONS = ("execution.plan.heading", "execution.tasks.heading", "execution.template4.heading",
            "execution.leaderboard.heading", "execution.sla.heading", "execution.rule.heading",
            "execution.improvements.heading", "execution.effect.heading")


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_execution_pdf_has_every_section_in_the_report_language(report):
    language, out = report
    folder = out / "2025Q3"
    for suffix in (".ipynb", ".html", ".pdf"):
        assert (folder / f"{NOTEBOOK}{suffix}").is_file()
    text = _flat(pdf_text(folder / f"{NOTEBOOK}.pdf"))
    for key in SECTIONS:
        assert _flat(t(key, language)) in text, key
    for word in ("ex_status_done", "ex_seg_", "first_response", "not_done", "Traceback"):
        assert word not in text  # codes never reach a reader
    assert _flat(t("execution.effect.caveat", language))[:30] in text
    names = {"en": ("Done on time", "Not done", "Top performers"),
             "zh": ("按时完成", "未完成", "表现突出", "服务执行跟踪表")}
    assert all(name in text for name in names[language])


def test_task_execution_contract_adds_up(report, demo_folder):
    _, out = report
    table = pd.read_csv(out / "2025Q3" / "results" / "task_execution.csv")
    assert list(table.columns) == list(EXECUTION_COLUMNS)
    owners, everyone = table[table["owner"] != "all"], table[table["owner"] == "all"].iloc[0]
    for column in ("tasks", "done", "in_progress", "not_started", "delayed", "overdue"):
        assert owners[column].sum() == everyone[column], column
    assert everyone["tasks"] == everyone[["done", "in_progress", "not_started", "delayed"]].sum()
    tasks = pd.read_csv(demo_folder / "tasks.csv", parse_dates=["planned_date"])
    in_period = tasks["planned_date"].between("2025-07-01", "2025-09-30")
    assert everyone["tasks"] == in_period.sum()  # the demo's tasks are all valid
    assert everyone["completion_rate"] == pytest.approx(everyone["done"] / everyone["tasks"])
    assert table["completion_rate"].between(0, 1).all() and table["on_time_rate"].dropna().between(0, 1).all()


def test_sla_compliance_contract_adds_up(report):
    _, out = report
    table = pd.read_csv(out / "2025Q3" / "results" / "sla_compliance.csv")
    assert list(table.columns) == ["rule", "priority", *SLA_COLUMNS[1:]]
    assert set(table["rule"]) == {"first_response", "resolution"}
    for _, rule in table.groupby("rule"):
        everyone, rows = rule[rule["priority"] == "all"].iloc[0], rule[rule["priority"] != "all"]
        assert set(rows["priority"]) <= set(PRIORITIES)
        for column in ("tickets", "met", "breached", "pending"):
            assert rows[column].sum() == everyone[column]
        assert everyone["tickets"] == everyone[["met", "breached", "pending"]].sum()
        assert everyone["compliance_rate"] == pytest.approx(everyone["met"] / (everyone["met"] + everyone["breached"]))
    assert (table["median_hours"] <= table["p90_hours"]).all()


def test_followup_and_plan_contracts(report):
    _, out = report
    rules = pd.read_csv(out / "2025Q3" / "results" / "followup_7_24_72.csv")
    assert list(rules.columns) == list(FOLLOWUP_COLUMNS)
    assert rules["rule"].tolist() == ["first_follow_up_7d", "reply_24h", "resolve_72h"]
    assert (rules["ci_low"] <= rules["rate"]).all() and (rules["rate"] <= rules["ci_high"]).all()
    assert np.allclose(rules["rate"], rules["met"] / rules["eligible"])
    versus = pd.read_csv(out / "2025Q3" / "results" / "plan_vs_actual.csv")
    assert list(versus.columns) == list(PLAN_COLUMNS)
    total, segments = versus[versus["segment"] == "all"].iloc[0], versus[versus["segment"] != "all"]
    for column in ("planned", "with_task", "done", "done_on_time"):
        assert segments[column].sum() == total[column]
    assert (versus["planned"] >= versus["with_task"]).all() and (versus["with_task"] >= versus["done"]).all()
    assert (versus["done"] >= versus["done_on_time"]).all()


@pytest.fixture(scope="module")
def without_execution_tables(demo_folder, tmp_path_factory):
    """Notebook 05 executed on the demo data without tasks, tickets, interactions and improvements."""
    folder = tmp_path_factory.mktemp("no-execution")
    data = folder / "data"
    shutil.copytree(demo_folder, data)
    for name in ("tasks", "tickets", "interactions", "improvements"):
        (data / f"{name}.csv").unlink()
    results = folder / "results"
    executed = folder / f"{NOTEBOOK}.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / f"{NOTEBOOK}.ipynb"), str(executed), cwd=str(ROOT),
                               parameters={"data": str(data), "results_dir": str(results)}, progress_bar=False,
                               kernel_name="python3", log_output=False)
    return nbformat.read(executed, as_version=4), results


def test_missing_tables_render_each_section_as_no_data(without_execution_tables):
    nb, results = without_execution_tables
    shown = "\n".join(str(output.get("data", {}).get("text/markdown", "")) for cell in nb.cells
                      for output in cell.get("outputs", []))
    for table in ("tasks", "tickets", "interactions", "improvements"):
        message = t("report.missing_tables", "en", tables=label(f"table_{table}", "en"))
        assert message in shown, table
    for name in ("task_execution", "sla_compliance", "followup_7_24_72", "plan_vs_actual", "improvement_tracking"):
        assert not (results / f"{name}.csv").exists(), name
    assert all(output.get("output_type") != "error" for cell in nb.cells for output in cell.get("outputs", []))
