"""The results contract (crmreport/core/results.py) against what a demo run writes, and Report.save's check."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import ROOT

from crmreport.analyses.abtests import campaign_results, campaigns, planning
from crmreport.analyses.health import backtest, emotional, value
from crmreport.analyses.health import profile as health_profile
from crmreport.analyses.kpi import kpieval
from crmreport.core.errors import ResultsContractError
from crmreport.core.results import AB_TESTS, RESULT_FILES, ResultFile, declared, result_file
from crmreport.reporting.report import Report


def test_every_file_of_a_demo_run_is_declared_and_keeps_its_columns_and_key(report):
    _, out = report
    folder = out / "2025Q3" / "results"
    manifest = json.loads((out / "2025Q3" / "manifest.json").read_text(encoding="utf-8"))
    writer = {file: nb["name"][:2] for nb in manifest["notebooks"] for file in nb["results"]}
    problems, seen = [], set()
    for path in sorted(folder.iterdir()):
        spec = declared(path.stem)
        if spec is None or (path.suffix == ".xlsx" and not spec.workbook):
            problems.append(f"{path.name} is written but not declared")
            continue
        seen.add(spec.name)
        if writer.get(path.name) != spec.notebook:
            problems.append(f"{path.name} is written by {writer.get(path.name)}, declared for {spec.notebook}")
        if path.suffix == ".csv":
            frame = pd.read_csv(path, encoding="utf-8-sig")
            problems += spec.problems(list(frame.columns))
            if spec.key and frame.duplicated(list(spec.key)).any():
                problems.append(f"{path.name}: key {spec.key} repeats")
    absent = [spec.name for spec in RESULT_FILES if spec.name not in seen and not spec.only_when]
    assert not problems and not absent, (problems, absent)


def test_declarations_are_unique_and_keys_are_columns():
    names = [spec.name for spec in RESULT_FILES]
    assert len(names) == len(set(names))
    for spec in RESULT_FILES:
        assert set(spec.key) <= set(spec.columns) and set(spec.optional) <= set(spec.columns), spec.name
        assert not set(spec.key) & set(spec.optional), spec.name
    assert declared("ab_results_rates_SMS-2025Q3").name == "ab_results_rates_{campaign}"
    assert declared("ab_results_rates") is None and declared("own_notebook_table") is None


def test_header_problems_name_the_file_and_column():
    spec = ResultFile("05", "sla_compliance", ("rule", "priority", "tickets", "note"), key=("rule",),
                      optional=("note",))
    assert spec.problems(["rule", "priority", "tickets"]) == []
    assert spec.problems(["priority", "rule", "tickets", "x"]) == [
        "sla_compliance.csv: column `x` is not in the contract",
        "sla_compliance.csv: columns ['priority', 'rule', 'tickets', 'x'] are not in the declared order "
        "['rule', 'priority', 'tickets', 'note']"]
    assert spec.problems(["rule"]) == ["sla_compliance.csv: column `priority` is missing",
                                       "sla_compliance.csv: column `tickets` is missing"]


def test_report_save_refuses_an_undeclared_column_of_a_declared_file(tmp_path):
    rep = Report(SimpleNamespace(language="en", results_dir=tmp_path, data=None))
    with pytest.raises(ResultsContractError, match=r"results/ab_tests.csv: column\(s\) lift .*core/results.py"):
        rep.save(pd.DataFrame({"campaign_id": ["C"], "lift": [0.1]}), AB_TESTS.name)
    assert not (tmp_path / "ab_tests.csv").exists()
    rep.save(pd.DataFrame({"campaign_id": ["C"], "arm": ["a"]}), AB_TESTS.name)  # a subset: shown before saved whole
    rep.save(pd.DataFrame({"anything": [1]}), "own_notebook_table")  # a project's own file is not the contract's
    assert {p.name for p in tmp_path.iterdir()} == {"ab_tests.csv", "own_notebook_table.csv"}


def test_architecture_doc_lists_every_declared_file():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert [spec.name for spec in RESULT_FILES if f"`{spec.name}`" not in text] == []


@pytest.mark.parametrize(("columns", "name"), [
    (kpieval.CHANGE_COLUMNS, "kpi_changes"), (kpieval.TEMPLATE5_COLUMNS, "kpi_template5"),
    (campaigns.TEST_COLUMNS, "ab_tests"), (campaigns.SRM_COLUMNS, "ab_srm"),
    (campaigns.FOREST_COLUMNS, "chart_ab_forest"),
    (campaign_results.CUPED_COLUMNS, "ab_cuped"), (planning.POWER_COLUMNS, "ab_power"),
    (campaign_results.BUSINESS_COLUMNS, "ab_business"), (campaign_results.HETEROGENEITY_COLUMNS, "ab_heterogeneity"),
    (campaign_results.BOARD_COLUMNS, "chart_ab_board"), (backtest.BACKTEST_COLUMNS, "health_backtest"),
    (emotional.CLAIM_COLUMNS, "emotional_account_claim"), (health_profile.HEALTH_COLUMNS, "customer_health"),
    (value.CLV_MODEL_COLUMNS, "clv_model")])
def test_column_lists_kept_by_producers_match_the_contract(columns, name):
    # the producers of notebooks 03, 04 and 06 still write their own column lists; the others read the contract's
    assert list(columns) == list(result_file(name).columns)
