"""The executive summary's package: results read with provenance, headline figures, findings, actions, caveats,
and "since last period", on small hand-written results folders (the end-to-end run is in test_book.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from crmreport.analyses.summary import actions, capacity, caveats, claims, findings, headline, since, watch
from crmreport.analyses.summary.appendix import sources_table
from crmreport.analyses.summary.sources import Ledger, Results, previous_results, results_folder, source_value
from crmreport.settings.params import CustomerGroup
from crmreport.settings.period import period_labels, shift_label


def _write(folder, **tables):
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        pd.DataFrame(frame).to_csv(folder / f"{name}.csv", index=False, encoding="utf-8-sig")
    return folder


KPI = {"kpi": ["churn_rate", "csat_mean", "nps", "churn_rate"], "segment": ["all"] * 3 + ["core"],
       "before": [0.2, 3.9, 30.0, 0.1], "after": [0.25, 4.2, 31.0, 0.2], "abs_change": [0.05, 0.3, 1.0, 0.1],
       "min_meaningful_change": [0.02, 0.1, 3.0, 0.02], "verdict": [
           "significant_deterioration", "significant_improvement", "no_significant_change", "no_significant_change"],
       "n_before": [500, 20, 400, 60], "n_after": [510, 25, 410, 60], "p_adjusted": [0.01, 0.02, 0.5, 1.0]}
SEGMENTED = {"kpi": ["csat_mean"], "level_p_value": [0.3]}
AB = {"campaign_id": ["C1", "C1", "C1", "C2"], "segment": ["all"] * 4,
      "metric": ["revenue_per_customer", "response_rate", "conversion_rate", "response_rate"],
      "arm": ["call", "call", "call", "sms"], "significant": [True, True, True, False],
      "abs_diff": [120.0, 0.05, 0.25, 0.01], "ci_low": [40.0, 0.01, 0.1, -0.05], "ci_high": [200.0, 0.09, 0.4, 0.07],
      "p_value": [0.003, 0.01, 0.001, 0.6], "p_adjusted": [0.006, 0.01, 0.002, 0.6], "n_arm": [300, 300, 300, 40],
      "n_control": [300, 300, 300, 40]}
BUSINESS = {"campaign_id": ["C1"], "arm": ["call"], "incremental_revenue": [36000.0],
            "incremental_revenue_low": [1000.0], "incremental_revenue_high": [71000.0], "cost": [None]}
ACTIONS = {"customer_id": ["A", "B", "C", "D"], "segment": ["core", "core", "churn_warning", "churn_warning"],
           "churn_risk": ["low", "high", "high", "high"],
           "strategy": ["Visit; review, monthly"] * 2 + ["1 win-back e-mail"] * 2,
           "owner": ["王芳", "Chen Jing", "王芳", "王芳"], "due_date": ["2025-10-07"] * 2 + ["2025-10-03"] * 2,
           "annual_amount": [1000.0, 500.0, 20.0, 30.0]}
HEALTH = {"customer_id": ["A", "B", "C", "D"], "segment": ["core", "core", "churn_warning", "churn_warning"],
          "health_band": ["green", "red", "red", "red"], "health_trend": ["down", "flat", "down", "down"],
          "p_alive": [0.9, 0.5, 0.2, None], "clv": [100.0, 20.0, 5.0, None], "expected_loss": [10.0, 10.0, 4.0, None],
          "ordered_in_period": [True, False, False, False], "p_order_next": [0.8, 0.3, 0.1, None]}


@pytest.fixture
def run(tmp_path):
    results = _write(tmp_path / "out" / "2025Q3" / "results", kpi_changes=KPI, kpi_segmented_regression=SEGMENTED,
                     ab_tests=AB, ab_business=BUSINESS, action_list=ACTIONS, customer_health=HEALTH,
                     customer_base_summary={"metric": ["customers"], "before": [90.0], "after": [100.0],
                                            "change": [10.0]},
                     row_accounting={"table": ["surveys", "tickets"], "quarantined": [3, 0]},
                     strategy_table={"segment": ["core", "churn_warning"], "owner": ["Account manager"] * 2,
                                     "mode": ["visit and call", "automated e-mail"]},
                     ab_campaigns={"campaign_id": ["C1", "C2"], "channel": ["call", "sms"], "status": ["concluded"] * 2,
                                   "inference": ["fixed_horizon"] * 2, "since": ["2025-07-01"] * 2,
                                   "concluded_on": ["2025-07-30"] * 2},
                     action_capacity={"owner": ["王芳", "Chen Jing"], "tasks": [3, 1], "weekly_pace": [2.0, 1.0],
                                      "pace_measured": [True, True]},
                     task_execution={"owner": ["王芳", "Chen Jing", "all"], "done": [26, 13, 39], "overdue": [4, 1, 5]},
                     overdue_ages={"age_bucket": ["1-7", "31-90"], "tasks": [1, 4]},
                     lifecycle_cadence={"stage": ["new", "active"], "customers": [3, 40], "expected": [1, 4],
                                        "share_met": [0.9, 0.2]},
                     ab_power={"campaign_id": ["C1", "C1"], "metric": ["response_rate", "revenue_per_customer"],
                               "arm": ["call", "call"], "mde_rel": [0.5, 1.2]},
                     chart_clv_holdout={"frequency": [0, 7], "customers": [10, 30], "expected": [0.5, 2.0],
                                        "actual": [0.4, 3.0], "expected_total": [5.0, 60.0],
                                        "actual_total": [4.0, 90.0]})
    return Results(results)


def _everything(run: Results, ledger: Ledger, language: str = "en") -> list[str]:
    headline.headline_figures(run, None, ledger, language)
    lines = [*findings.ab_findings(run, ledger, language, 0.05)[0],
             *findings.kpi_findings(run, ledger, language, 0.05)[0]]
    lines += watch.warnings(run, ledger, language)
    actions.next_actions(run, ledger, language, next_period="2025Q4", start=date(2025, 10, 1), alpha=0.05)
    lines.append(capacity.plan_fit(run, ledger, language, next_period="2025Q4", start=date(2025, 10, 1)))
    return lines + caveats.caveats(run, ledger, language, report_root=run.folder.parent, own_name="07", masked=True,
                                   demo=False, min_n=50)


def test_every_recorded_figure_reads_back_from_its_file_and_is_graded(run):
    ledger = Ledger()
    _everything(run, ledger)
    figures = ledger.frame()
    assert len(figures) > 40 and figures["ref"].is_unique
    assert list(figures.columns[:7]) == ["ref", "section", "figure", "kind", "measure", "evidence", "claim"]
    assert set(figures["evidence"]) <= set(claims.EVIDENCE) and figures["evidence"].ne("").all()
    assert set(figures["claim"]) - {""} <= set(claims.CLAIMS)
    for _, figure in figures.iterrows():
        assert source_value(run.folder, figure) == pytest.approx(figure["value"]), figure["figure"]
    for language in ("en", "zh"):  # the appendix names each figure in words, never by its column's code
        table = sources_table(figures, language)
        named = table.iloc[:, 1]
        assert not named.str.contains("summary_col_").any(), sorted(set(named[named.str.contains("summary_col_")]))
        words = " ".join(table.astype(str).to_numpy().ravel()).split()  # filters in words: no column code or key
        assert [w for w in words if "_" in w and ".csv" not in w] == [], language
    graded = figures.set_index("figure")
    assert graded.loc["C1 · call revenue_per_customer", ["evidence", "claim"]].tolist() == ["randomised", "worked"]
    assert graded.loc["csat_mean abs_change", ["measure", "evidence", "claim"]].tolist() == [
        "csat_mean", "before_after", "moved"]
    assert graded.loc["C2 · sms response_rate", "claim"] == "did_not_work"


def test_headline_takes_previous_and_verdict_from_the_same_row(run):
    rows = {row["key"]: row for row in headline.headline_figures(run, None, Ledger(), "en")}
    churn = rows["churn_rate"]
    assert (churn["value"].value, churn["previous"].value, churn["change"].value) == (0.25, 0.2, 0.05)
    assert churn["verdict"] == "significant_deterioration" and churn["source"] == "ch. 4 · S4"
    assert rows["red_health_share"]["value"].value == pytest.approx(3 / 4)
    assert rows["revenue_at_risk"]["value"].value == 25.0 and rows["expected_loss"]["value"].value == 24.0
    assert "completion_rate" not in rows, "notebook 05's figures are simply absent without its CSV"
    table = headline.headline_table(list(rows.values()), "zh", "元")
    assert "+5.0 个百分点" in set(table["summary_change"])
    assert "显著恶化（前后对比，观察所得）" in set(table["summary_verdict"])
    assert "无显著变化" in set(table["summary_verdict"])  # no claim, nothing to qualify
    table = headline.headline_table(list(rows.values()), "en", "CNY")
    assert "CLV of red-band customers (CNY)" in set(table["summary_figure"])


def test_findings_grade_arms_by_adjusted_interval_and_kpis_as_moved(run):
    worked, response_only, failed = findings.ab_findings(run, Ledger(), "en", 0.05)
    assert len(worked) == 1 and "C1 · call" in worked[0] and "36,000" in worked[0] and "71,000" in worked[0]
    assert "adjusted interval" in worked[0] and response_only == []
    assert len(failed) == 1 and "C2 · sms" in failed[0] and "no effect shown" in failed[0]
    moved, worse = findings.kpi_findings(run, Ledger(), "en", 0.05)
    assert len(moved) == 1 and "CSAT" in moved[0] and "no step at the strategy start" in moved[0]
    assert len(worse) == 1 and "Period churn rate" in worse[0] and "no monthly series" in worse[0]


def test_a_win_on_response_only_is_listed_apart_from_the_revenue_win_and_graded_on_each_metric(tmp_path):
    # the demo's SMS text A: response +5.5 pp (adjusted interval above zero), revenue per customer +3 (holds zero)
    rows = {"campaign_id": ["SMS"] * 2, "segment": ["all"] * 2, "metric": ["response_rate", "revenue_per_customer"],
            "arm": ["sms_a"] * 2, "abs_diff": [0.055276, 3.289472], "ci_low": [0.017406, -5.943215],
            "ci_high": [0.094527, 12.522160], "p_value": [0.004687, 0.484517], "p_adjusted": [0.037497, 1.0],
            "n_arm": [398] * 2, "n_control": [398] * 2}
    tests = {k: AB[k] + rows[k] for k in rows}
    business = {k: v + [{"campaign_id": "SMS", "arm": "sms_a", "incremental_revenue": 1309.0,
                         "incremental_revenue_low": -2365.0, "incremental_revenue_high": 4984.0, "cost": None}[k]]
                for k, v in BUSINESS.items()}
    results = Results(_write(tmp_path, ab_tests=tests, ab_business=business))
    ledger = Ledger()
    worked, response_only, failed = findings.ab_findings(results, ledger, "en", 0.05)
    assert len(worked) == 1 and worked[0].startswith("C1 · call: Campaign revenue per customer")
    assert len(response_only) == 1 and response_only[0].startswith("SMS · sms_a: Campaign response rate +5.5 pp")
    assert "does not carry to revenue" in response_only[0] and "-2,365" in response_only[0]
    assert len(failed) == 1 and "C2 · sms" in failed[0]
    graded = ledger.frame().set_index("figure")
    assert graded.loc["SMS · sms_a response_rate", "claim"] == "worked"  # on the metric it names
    assert graded.loc["SMS · sms_a revenue_per_customer", "claim"] == "did_not_work"
    assert graded.loc["SMS · sms_a incremental_revenue", ["measure", "claim"]].tolist() == [
        "incremental_revenue", "did_not_work"]
    assert graded.loc["C1 · call incremental_revenue", "claim"] == "worked"
    zh = findings.ab_findings(results, Ledger(), "zh", 0.05)[1]
    assert len(zh) == 1 and "没有带来收入" in zh[0]


def test_warnings_name_overdue_tasks_contact_rhythm_and_groups_whose_churn_rose(run):
    lines = watch.warnings(run, Ledger(), "en")
    assert len(lines) == 3
    assert lines[0].startswith("5 tasks are overdue") and "31-90 days: 4" in lines[0]
    assert "20.0% of the 40 Active customers" in lines[1]
    assert "Core 10.0% → 20.0% (60 customers, adjusted p = 1.000)" in lines[2]
    assert lines[2].startswith("The period churn rate rose")
    did = {"kpi": ["churn_rate"], "treated_before": [0.1], "treated_after": [0.2], "min_meaningful_change": [0.02],
           "p_adjusted": [None], "n_treated": [574]}
    untested = watch.churn_up(Results(_write(run.folder.parent / "did", kpi_did=did)), Ledger(), "zh")
    assert len(untested) == 1 and untested[0].startswith("以下客户群的客户流失率（本期）上升幅度达到最小有意义变化")
    assert untested[0].endswith("：KPI 章节的实验组 10.0% → 20.0%（574 位客户，未做检验）"
                                "[<span class=\"cite\">S2</span>]。")
    b2b = CustomerGroup(column="customer_type", values=["B2B"])
    assert (watch.group_name(b2b, "en"), watch.group_name(b2b, "zh")) == ("B2B customers", "企业客户")


def test_unexecuted_strategies_come_from_plan_vs_actual(tmp_path):
    results = Results(_write(tmp_path, plan_vs_actual={"segment": ["core", "growth"], "strategy": ["Visit", "Salon"],
                                                       "planned": [10, 4], "with_task": [8, 0], "done": [6, 0],
                                                       "done_on_time": [5, 0]}))
    lines = findings.unexecuted_strategies(results, Ledger(), "en")
    assert len(lines) == 1 and "Salon" in lines[0] and "4 customers planned" in lines[0]


def _actions(folder, language: str = "en") -> tuple[pd.DataFrame, list[actions.Action]]:
    return actions.next_actions(Results(folder), Ledger(), language, next_period="2025Q4", start=date(2025, 10, 1),
                                alpha=0.05)


def test_actions_rank_by_value_at_stake_with_levers_falling_accounts_and_a_capacity_check(run):
    table, chosen = _actions(run.folder)
    # the lever's 36,000 in its test, then expected loss: core 10 + 10, churn warning 4 (D without CLV); the
    # falling accounts A and C (10 + 4) are already in the core and churn-warning actions: nothing left to count.
    # The claimed actions (the lever, and the core visits and the key-account calls on its channel) rank before
    # the untested churn-warning e-mail, although its unclaimed 4 is more than the key accounts' 0
    assert [a.kind for a in chosen] == ["lever", "segment", "key_accounts", "segment"]
    # each row names its kind of value: a lever's incremental revenue, the customers' expected loss
    assert list(table["summary_at_stake"]) == ["Incremental revenue 36,000 (95% interval 1,000 to 71,000)",
                                               "Expected loss 20",
                                               "Expected loss 0 (not counted again: 10 also in action 2; "
                                               "4 also in action 4)",
                                               "Lever untested: not claimed (expected loss 4)"]
    assert table.iloc[3]["summary_customers"] == "2 (1 without CLV)"
    zh, _ = _actions(run.folder, "zh")  # zh: no "风险价值" (value at risk in finance) over two kinds of value
    assert zh.iloc[0]["summary_at_stake"].startswith("增量收入 36,000")
    assert zh.iloc[1]["summary_at_stake"] == "预期损失 20"
    assert set(table["summary_owner"]) == {"Campaign owner", "Account manager", "Head of key accounts"}
    # observable targets: core (a call): A ordered in 2025Q3; the model expects 0.8 + 0.3 = 1.1 to order in 2025Q4,
    # chance spans 1.96 sqrt(2 x 0.55 x 0.45) = 1.38: 1.1 + 1.38 reaches the 2, so no gain can show (the sizes of
    # the other branches: test_summary_targets.py)
    assert table.iloc[1]["summary_target"] == (
        "1 ordered in 2025Q3; model: 1 of 2 in 2025Q4 (±1). No gain can be told from chance: keep ≥ 0 ordering")
    # the churn-warning e-mail: no test shows that an e-mail works, so its target is the test
    assert table.iloc[3]["summary_target"] == (
        "Test first: 1 get it, 1 held out at random; too few to detect a difference")
    # the lever's hold-out: even half of its 300 could not detect the test's 120 a customer, so 10% (30) is kept
    # and the target says what 270 against 30 can detect (test_targets.py checks the numbers against statsmodels)
    assert table.iloc[0]["summary_target"].startswith("Reach 270, hold out 30 at random. Detects only ≥ ")
    assert "a customer (test: 120)" in table.iloc[0]["summary_target"]
    # the lever goes at its test's pace: 300 reached in 30 days, 70 a week; 270 take 27 days, within the 28 asked
    assert table.iloc[0]["summary_capacity"] == (
        "At the test's pace, 70.0 a week: 270 of 270 by 2025-10-29, all by 2025-10-29")
    # the head of key accounts has no task record: the median pace of 王芳 and Chen Jing (1.5 a week) is assumed
    assert table.iloc[2]["summary_capacity"].startswith("No measured pace: median 1.5 a week assumed")
    assert actions.key_message(chosen, 3, "en").startswith("Proven lever, to scale: Scale C1 · call")


def test_the_summary_due_date_of_an_action_is_the_latest_of_its_customers_in_the_action_list(run):
    listed = pd.DataFrame(ACTIONS)
    for language in ("en", "zh"):
        table, chosen = _actions(run.folder, language)
        for action, row in zip(chosen, table.itertuples(), strict=True):
            if action.kind == "segment":
                last = max(listed.loc[listed["segment"] == action.key, "due_date"].max(), action.asked.isoformat())
                assert row.summary_due == last
        assert (table["summary_due"] > "2025-10-01").all()  # no due date on or before the as-of date
    losses = [a.value.value for a in chosen if a.kind != "lever"]
    assert sum(losses) <= pd.DataFrame(HEALTH)["expected_loss"].sum()


def test_a_segment_action_reads_its_capacity_from_the_fitted_action_list(run):
    # the list moved one core customer past the playbook's 10-08: 1 of 2 by then, all by 10-12
    _write(run.folder, action_list={**ACTIONS, "due_date": ["2025-10-07", "2025-10-12", "2025-10-03", "2025-10-03"]})
    table, chosen = _actions(run.folder)
    core = table.iloc[[a.key for a in chosen].index("core")]
    assert core["summary_due"] == "2025-10-12"
    assert core["summary_capacity"].startswith("1 of 2 by 2025-10-08 (playbook); all by 2025-10-12")


def test_the_lever_lift_counts_only_for_actions_on_its_channel_in_either_language(run):
    for language in ("en", "zh"):
        table, chosen = _actions(run.folder, language)
        lever = table.iloc[[a.kind for a in chosen].index("lever")]
        # customers, value and its interval, the test's difference per customer and its interval: no lift of its own
        assert len(lever["summary_source"].split()) == 7
        index = [a.key for a in chosen].index("core")
        assert chosen[index].lift.value == 0.25 and chosen[index].lift.ref in table.iloc[index]["summary_source"]
    # a lever on a channel the catalog has no words for lifts nothing: every other target is its test
    _write(run.folder, ab_campaigns={"campaign_id": ["C1", "C2"], "channel": ["letter", "sms"],
                                     "status": ["concluded"] * 2, "inference": ["fixed_horizon"] * 2})
    table, chosen = _actions(run.folder)
    assert all(row.startswith("Test first") for row, a in zip(table["summary_target"], chosen, strict=True)
               if a.kind != "lever")


def _churn_warning_action(folder, automated: bool) -> pd.Series:
    """The summary's action row for churn_warning when its strategy is (not) automated."""
    _write(folder, strategy_table={"segment": ["core", "churn_warning"], "owner": ["Account manager"] * 2,
                                   "due_days": [7, 3], "automated": [False, automated],
                                   "mode": ["visit and call", "call"]})
    table, chosen = _actions(folder)
    return table.iloc[[a.key for a in chosen].index("churn_warning")]


def test_an_automated_strategy_takes_no_persons_time_and_is_due_when_the_playbook_asks(run):
    mail = _churn_warning_action(run.folder, automated=True)
    assert mail["summary_capacity"] == "Automated (2 messages by 2025-10-04): takes no person's time"
    assert mail["summary_due"] == "2025-10-04"
    assert mail["summary_target"].startswith("Test first")  # the call test says nothing of an automated message
    # the same work done by people: a call, the lever's channel, whose lift the target asks for
    calls = _churn_warning_action(run.folder, automated=False)
    assert calls["summary_capacity"].startswith("All 2 by 2025-10-04")
    assert calls["summary_target"].startswith("0 ordered in 2025Q3; model: 0 of 2 in 2025Q4")
    assert "The lever's +25.0 pp adds 0" in calls["summary_target"]


def test_caveats_list_quarantine_small_samples_demo_and_absent_notebooks(run):
    lines = caveats.caveats(run, Ledger(), "en", report_root=run.folder.parent, own_name="07", masked=False,
                            demo=True, min_n=50)
    text = "\n".join(lines)
    assert "NOT masked" in lines[0] and "Demo data" in text and "Surveys 3" in text and "Tickets" not in text
    assert "C2 · sms has 40 customers" in text and "KPI CSAT (mean, 1-5) rests" in text
    assert "notebook 05" not in text and "notebook 06" not in text
    assert "not causal: 2 headline KPIs" in text and "C1 could only detect" in text and "50.0%" in text
    assert "missing for 1 of 1 arms" in text and "expected 65 purchases and 94 were made (-31%)" in text
    assert "with 7 or more purchases, who hold most of the value, it expected 2.0 each and 3.0 were made (-33%)" in text
    assert "1 customers have no CLV (1 of them in the red retention band)" in text


def test_since_last_period_compares_two_reports(run, tmp_path):
    _write(tmp_path / "out" / "2025Q2" / "results", kpi_changes={**KPI, "after": [0.2, 4.0, 29.0, 0.1]},
           customer_base_summary={"metric": ["customers"], "before": [80.0], "after": [90.0], "change": [10.0]},
           customer_health={"customer_id": ["A", "B", "C"], "health_band": ["green", "green", "red"]},
           ab_campaigns={"campaign_id": ["C0"], "status": ["active"]},
           ab_tests={**AB, "campaign_id": ["C0"] * 4})
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
