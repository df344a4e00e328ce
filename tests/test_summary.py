"""The executive summary's package: results read with provenance, headline figures, findings, actions, caveats,
and "since last period", on small hand-written results folders (the end-to-end run is in test_book.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from crmreport.analyses.summary import actions, caveats, findings, headline, since
from crmreport.analyses.summary.sources import Ledger, Results, previous_results, results_folder, source_value
from crmreport.settings.period import period_labels, shift_label


def _write(folder, **tables):
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        pd.DataFrame(frame).to_csv(folder / f"{name}.csv", index=False, encoding="utf-8-sig")
    return folder


KPI = {"kpi": ["churn_rate", "csat_mean", "nps"], "segment": ["all"] * 3, "before": [0.2, 3.9, 30.0],
       "after": [0.25, 4.2, 31.0], "abs_change": [0.05, 0.3, 1.0], "verdict": [
           "significant_deterioration", "significant_improvement", "no_significant_change"],
       "n_before": [500, 20, 400], "n_after": [510, 25, 410]}
AB = {"campaign_id": ["C1", "C1", "C2"], "segment": ["all"] * 3, "metric": ["revenue_per_customer", "response_rate",
                                                                              "response_rate"],
      "arm": ["call", "call", "sms"], "significant": [True, True, False], "abs_diff": [120.0, 0.05, 0.01],
      "p_adjusted": [0.01, 0.02, 0.6], "n_arm": [300, 300, 40], "n_control": [300, 300, 40]}
BUSINESS = {"campaign_id": ["C1"], "arm": ["call"], "incremental_revenue": [36000.0],
            "incremental_revenue_low": [1000.0], "incremental_revenue_high": [71000.0]}
ACTIONS = {"customer_id": ["A", "B", "C", "D"], "segment": ["core", "core", "churn_warning", "churn_warning"],
           "churn_risk": ["low", "high", "high", "high"], "strategy": ["Visit; review, monthly"] * 2 + ["Call"] * 2,
           "owner": ["王芳", "Chen Jing", "王芳", "王芳"], "due_date": ["2025-10-07"] * 2 + ["2025-10-03"] * 2,
           "annual_amount": [1000.0, 500.0, 20.0, 30.0]}


@pytest.fixture
def run(tmp_path):
    results = _write(tmp_path / "out" / "2025Q3" / "results", kpi_changes=KPI, ab_tests=AB, ab_business=BUSINESS,
                     action_list=ACTIONS,
                     customer_base_summary={"metric": ["customers"], "before": [90.0], "after": [100.0],
                                            "change": [10.0]},
                     row_accounting={"table": ["surveys", "tickets"], "quarantined": [3, 0]},
                     customer_health={"customer_id": ["A", "B", "C"], "segment": ["core", "churn_warning",
                                                                                  "churn_warning"],
                                      "health_band": ["green", "red", "red"], "clv": [100.0, 20.0, 5.0]})
    return Results(results)


def test_every_recorded_figure_reads_back_from_its_file(run):
    ledger = Ledger()
    headline.headline_figures(run, None, ledger)
    findings.ab_findings(run, ledger, "en")
    findings.kpi_findings(run, ledger, "en")
    actions.next_actions(run, ledger, "en")
    caveats.caveats(run, ledger, "en", report_root=run.folder.parent, own_name="07", masked=True, demo=False,
                    min_n=50)
    figures = ledger.frame()
    assert len(figures) > 20 and figures["ref"].is_unique
    for _, figure in figures.iterrows():
        assert source_value(run.folder, figure) == pytest.approx(figure["value"]), figure["figure"]


def test_headline_takes_previous_and_verdict_from_the_same_row(run):
    rows = {row["key"]: row for row in headline.headline_figures(run, None, Ledger())}
    churn = rows["churn_rate"]
    assert (churn["value"].value, churn["previous"].value, churn["change"].value) == (0.25, 0.2, 0.05)
    assert churn["verdict"] == "significant_deterioration" and churn["source"] == "kpi_changes.csv:2"
    assert rows["red_health_share"]["value"].value == pytest.approx(2 / 3)
    assert rows["revenue_at_risk"]["value"].value == 25.0
    assert "completion_rate" not in rows, "notebook 05's figures are simply absent without its CSV"
    table = headline.headline_table(list(rows.values()), "zh")
    assert "+5.0 个百分点" in set(table["summary_change"]) and "显著恶化" in set(table["summary_verdict"])


def test_findings_name_significant_arms_with_incremental_revenue(run):
    worked, failed = findings.ab_findings(run, Ledger(), "en")
    assert len(worked) == 1 and "C1 · call" in worked[0] and "36,000" in worked[0] and "71,000" in worked[0]
    assert len(failed) == 1 and "C2 · sms" in failed[0]
    better, worse = findings.kpi_findings(run, Ledger(), "en")
    assert len(better) == 1 and "CSAT" in better[0] and len(worse) == 1 and "Period churn rate" in worse[0]


def test_unexecuted_strategies_come_from_plan_vs_actual(tmp_path):
    results = Results(_write(tmp_path, plan_vs_actual={"segment": ["core", "growth"], "strategy": ["Visit", "Salon"],
                                                       "planned": [10, 4], "with_task": [8, 0], "done": [6, 0],
                                                       "done_on_time": [5, 0]}))
    lines = findings.unexecuted_strategies(results, Ledger(), "en")
    assert len(lines) == 1 and "Salon" in lines[0] and "4 customers planned" in lines[0]


def test_actions_rank_red_health_first_and_name_owners(run):
    table = actions.next_actions(run, Ledger(), "en")
    assert list(table["summary_customers"]) == ["2", "2"]
    assert table.iloc[0]["summary_action"].startswith("Churn-warning") and table.iloc[0]["summary_red_health"] == "2"
    assert table.iloc[0]["summary_owner"] == "王芳" and table.iloc[1]["summary_owner"] == "王芳 +1"


def test_caveats_list_quarantine_small_samples_demo_and_absent_notebooks(run):
    lines = caveats.caveats(run, Ledger(), "en", report_root=run.folder.parent, own_name="07", masked=False,
                            demo=True, min_n=50)
    text = "\n".join(lines)
    assert "NOT masked" in lines[0] and "Demo data" in text and "Surveys 3" in text and "Tickets" not in text
    assert "C2 · sms has 40 customers" in text and "KPI CSAT (mean, 1-5) rests" in text and "notebook 05" in text
    assert "notebook 06" not in text


def test_since_last_period_compares_two_reports(run, tmp_path):
    _write(tmp_path / "out" / "2025Q2" / "results", kpi_changes={**KPI, "after": [0.2, 4.0, 29.0]},
           customer_base_summary={"metric": ["customers"], "before": [80.0], "after": [90.0], "change": [10.0]},
           customer_health={"customer_id": ["A", "B", "C"], "health_band": ["green", "green", "red"]},
           ab_campaigns={"campaign_id": ["C0"], "status": ["active"]},
           ab_tests={**AB, "campaign_id": ["C0", "C0", "C0"]})
    previous = previous_results(run.folder, "2025Q3")
    assert previous is not None and previous.period == "2025Q2"
    deltas = since.kpi_deltas(run, previous, Ledger(), "en").set_index("summary_figure")
    assert deltas.loc["Customers", "summary_change"] == "+10"
    assert deltas.loc["Period churn rate", "summary_change"] == "+5.0 pp"
    moves = since.health_moves(run, previous, "en").set_index("Last period")
    assert moves.loc["green", "red"] == 1 and moves.loc["red", "red"] == 1
    concluded = since.concluded_campaigns(run, previous, "en")
    assert len(concluded) == 1 and "C0" in concluded[0] and "call" in concluded[0]


def test_results_folder_is_the_runs_or_the_latest_report(tmp_path, run):
    assert results_folder(str(run.folder), "2025Q3", None) == (run.folder, "run")
    assert results_folder(None, "2025Q3", run.folder.parents[1]) == (run.folder, "latest")
    with pytest.raises(FileNotFoundError, match="crmreport run --period 2025Q4"):
        results_folder(None, "2025Q4", tmp_path)


def test_period_ranges_and_relative_periods():
    assert period_labels("2025Q1..2025Q4") == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert period_labels("2025-11..2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert period_labels("previous-quarter", date(2026, 1, 5)) == ["2025Q4"]
    assert period_labels("previous-month", date(2026, 1, 5)) == ["2025-12"]
    assert period_labels("previous-quarter", date(2025, 9, 30)) == ["2025Q2"]
    assert shift_label("2025H1", -1) == "2024H2" and shift_label("2025", 1) == "2026"
    with pytest.raises(ValueError, match="backwards"):
        period_labels("2025Q4..2025Q1")
    with pytest.raises(ValueError, match="mixes"):
        period_labels("2025Q1..2025-06")
