"""Template 3 checks and the per-customer action list."""

from datetime import date
from pathlib import Path

import pandas as pd

from crmreport.analyses.segments.segmentation import SEGMENTS
from crmreport.analyses.segments.strategy import (
    action_list,
    action_summary,
    check_strategies,
    first_concrete,
    strategy_table,
    tasks_since,
)
from crmreport.settings import load_params
from crmreport.settings.segmentation import Strategy

CONCRETE = {"content": "1 visit per month", "owner": "account_manager", "cadence": "monthly", "due_days": 3}


def test_shipped_strategy_table_covers_every_segment_without_problems():
    params = load_params("2025Q3", root=Path(__file__).parents[1])  # the project's params/defaults.yaml
    assert set(params.strategies) == set(SEGMENTS)
    assert check_strategies(params.strategies).empty
    zh = strategy_table(params.strategies, "zh").set_index("segment")
    assert zh.loc["core", "owner"] == "客户经理" and "每月" in zh.loc["core", "content"]
    # one owner registry: a team owner is a name the task data uses, shown through labels.staff in each language
    teams = {s.owner for s in params.strategies.values() if s.owner != "account_manager"}
    assert teams and teams <= set(params.labels.staff)
    assert all(params.labels.of("staff", team, language) != team for team in teams for language in ("en", "zh"))


def test_an_action_names_the_first_concrete_clause_of_its_strategy():
    assert first_concrete("Control cost; 1 automated e-mail per month; review") == "1 automated e-mail per month"
    assert first_concrete("专属客户经理；每月至少 1 次主动拜访或电话") == "每月至少 1 次主动拜访或电话"
    assert first_concrete("regular visits") == "regular visits"


def test_vague_strategies_are_flagged():
    strategies = {segment: Strategy(**CONCRETE) for segment in SEGMENTS if segment != "observe"}
    strategies["core"] = Strategy(content="regular visits", owner="the relevant department", cadence="monthly",
                                  due_days=3)
    strategies["growth"] = Strategy(content={"en": "2 salons a year", "zh": "每年两次沙龙"})
    problems = check_strategies(strategies)
    assert set(map(tuple, problems.to_numpy())) == {
        ("observe", "missing"), ("core", "vague_owner"), ("core", "not_concrete"),
        ("growth", "no_owner"), ("growth", "no_cadence"), ("growth", "no_due_date")}


def test_action_list_owner_due_date_and_order():
    segments = pd.DataFrame({
        "customer_id": ["C1", "C2", "C3", "C4"], "segment": ["core", "core", "regular", "observe"],
        "lifecycle_stage": ["active"] * 4, "churn_risk": ["low", "high", "low", "low"],
        "annual_amount": [900.0, 100.0, 50.0, 10.0]})
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4"], "name": ["李*", "王*", "*", "*"],
                              "account_manager": ["王芳", None, "Chen Jing", "Chen Jing"]})
    strategies = {"core": Strategy(**CONCRETE),
                  "regular": Strategy(content="1 newsletter per month", owner={"en": "Service team", "zh": "客服团队"},
                                      cadence="monthly", due_days=30)}
    actions = action_list(segments, customers, strategies, date(2025, 9, 30), "en")  # due from the as-of date
    assert actions["customer_id"].tolist() == ["C2", "C1", "C3", "C4"]  # same due date: high risk first
    by_id = actions.set_index("customer_id")
    assert by_id.loc["C1", "owner"] == "王芳"
    assert by_id.loc["C2", "owner"] == "Account manager"          # no manager: the role
    assert by_id.loc["C3", "owner"] == "Service team"
    assert by_id.loc["C1", "due_date"] == pd.Timestamp("2025-10-03")
    assert pd.isna(by_id.loc["C4", "strategy"]) and pd.isna(by_id.loc["C4", "due_date"])
    assert len(actions) == len(segments)


def test_action_summary_counts_by_hand():
    actions = pd.DataFrame({"strategy": ["call", "call", "mail", None],
                            "owner": ["王芳", "王芳", "Service team", None],
                            "due_date": pd.to_datetime(["2025-10-03", "2025-10-08", "2025-10-30", None])})
    assert action_summary(actions, date(2025, 9, 30)) == {"actions": 3, "first_week": 1, "owners": 2,
                                                           "unassigned": 1}


def test_tasks_between_the_period_end_and_the_as_of_date_by_hand():
    tasks = pd.DataFrame({"planned_date": pd.to_datetime(["2025-09-30", "2025-10-02", "2025-10-15", "2025-10-16"]),
                          "status": ["done", "done", "in_progress", "not_started"]})
    assert tasks_since(tasks, date(2025, 9, 30), date(2025, 10, 15)) == {"planned": 2, "done": 1, "in_progress": 1}
    assert tasks_since(None, date(2025, 9, 30), date(2025, 10, 15)) is None
