"""Task execution, template 4, the leaderboard and plan against execution, against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import dataset_of

from crmreport.analyses.execution import plan, tasks
from crmreport.settings import Window

WINDOW = Window(start="2025-07-01", end="2025-09-30")
UNTIL = pd.Timestamp("2025-10-01")
NA = None
TASKS = pd.DataFrame([
    # task, customer, owner, planned, actual, status, problem
    ("T1", "C1", "A", "2025-07-05", "2025-07-04", "done", NA),
    ("T2", "C2", "A", "2025-07-10", "2025-07-12", "done", "price objection"),
    ("T3", "C3", "A", "2025-07-20", NA, "done", NA),  # done without an actual date: not on time
    ("T4", "C4", "A", "2025-09-25", NA, "in_progress", NA),  # overdue 6 days
    ("T5", "C5", "B", "2025-08-01", NA, "not_started", NA),  # overdue 61 days
    ("T6", "C1", "B", "2025-09-30", NA, "delayed", "customer not reachable"),  # overdue 1 day
    ("T7", "C6", NA, "2025-08-15", "2025-08-15", "done", NA),  # no owner
    ("T8", "C2", "B", "2025-10-05", NA, "not_started", NA),  # after the period
    ("T9", "C3", "A", "2025-06-30", "2025-06-30", "done", NA),  # before the period
], columns=["task_id", "customer_id", "owner", "planned_date", "actual_date", "status", "problem"]).assign(
    strategy="call", feedback=None, next_action=None,
    planned_date=lambda f: pd.to_datetime(f["planned_date"]), actual_date=lambda f: pd.to_datetime(f["actual_date"]))


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval, written out."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.fixture
def scope() -> pd.DataFrame:
    return tasks.tasks_in_scope(dataset_of(tasks=TASKS), WINDOW, UNTIL)


def test_scope_keeps_the_period_and_flags_overdue_work(scope):
    assert scope["task_id"].tolist() == ["T1", "T2", "T3", "T4", "T5", "T6", "T7"]
    assert scope.set_index("task_id")["overdue_days"].dropna().to_dict() == {"T4": 6, "T5": 61, "T6": 1}
    assert scope.set_index("task_id")["on_time"].to_dict() == {
        "T1": True, "T2": False, "T3": False, "T4": False, "T5": False, "T6": False, "T7": True}


def test_task_execution_by_hand(scope):
    table = tasks.task_execution(scope).set_index("owner")
    assert list(table.reset_index().columns) == list(tasks.EXECUTION_COLUMNS)
    assert table.index.tolist() == ["A", "B", "unassigned", "all"]
    a, b, everyone = table.loc["A"], table.loc["B"], table.loc["all"]
    assert (a["tasks"], a["done"], a["in_progress"], a["overdue"]) == (4, 3, 1, 1)
    assert a["completion_rate"] == pytest.approx(3 / 4) and a["on_time_rate"] == pytest.approx(1 / 3)
    assert (b["tasks"], b["done"], b["not_started"], b["delayed"], b["overdue"]) == (2, 0, 1, 1, 2)
    assert b["completion_rate"] == 0 and np.isnan(b["on_time_rate"])
    assert table.loc["unassigned", "on_time_rate"] == 1
    assert (everyone["tasks"], everyone["done"], everyone["overdue"]) == (7, 4, 3)
    assert everyone["completion_rate"] == pytest.approx(4 / 7) and everyone["on_time_rate"] == pytest.approx(2 / 4)


def test_overdue_ages_and_template4(scope):
    ages = tasks.overdue_ages(scope, [7, 30, 90])
    assert ages["age_bucket"].tolist() == ["1-7", "8-30", "31-90", ">90"]
    assert ages["tasks"].tolist() == [2, 0, 1, 0]
    assert ages["share"].tolist() == pytest.approx([2 / 3, 0, 1 / 3, 0])
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C4", "C5"], "name": ["李*", "G* Co.", "王*", "E*"]})
    table = tasks.template4(scope, customers)
    assert table["task_id"].tolist() == ["T5", "T4", "T6", "T2"]  # oldest overdue first, then problems
    assert table.loc[table["task_id"] == "T6", "customer"].item() == "李*"
    assert list(table.columns) == list(tasks.TEMPLATE4_COLUMNS)


def test_task_board_counts_every_task_once(scope):
    board = tasks.task_board(scope)
    assert board[board["status"] != "overdue"]["tasks"].sum() == len(scope)
    assert board[board["status"] == "overdue"].set_index("owner")["tasks"].to_dict() == {"A": 1, "B": 2}


def test_leaderboard_wilson_intervals_minimum_and_csat_after(scope):
    surveys = pd.DataFrame({"customer_id": ["C1", "C1", "C6"], "csat": [5, 1, 3],
                            "response_time": pd.to_datetime(["2025-07-10", "2025-09-01", "2025-08-14"])})
    board = tasks.leaderboard(scope, surveys, min_tasks=3, csat_days=30).set_index("owner")
    low, high = wilson(3, 4)
    assert board.loc["A", ["completion_low", "completion_high"]].tolist() == pytest.approx([low, high])
    assert board.loc["A", "on_time_low"] == pytest.approx(wilson(1, 3)[0])
    assert board.loc["A", "csat_after"] == 5  # T1 at 07-04, answer 07-10 within 30 days; 09-01 is too late
    assert np.isnan(board.loc["unassigned", "csat_after"])  # the answer came before the task
    assert board.loc["A", "rank"] == 1 and pd.isna(board.loc["B", "rank"])
    assert board["board"].to_dict() == {"A": "within", "B": "too_few", "unassigned": "too_few"}


def test_leaderboard_red_and_black_lists_need_clear_intervals():
    rows = [("R", "done")] * 40 + [("K", "done")] * 5 + [("K", "not_started")] * 35 + [("M", "done")] * 20 \
        + [("M", "not_started")] * 20
    frame = pd.DataFrame(rows, columns=["owner", "status"]).assign(
        task_id=lambda f: [f"T{i}" for i in range(len(f))], customer_id="C1",
        planned_date=pd.Timestamp("2025-07-01"), actual_date=pd.Timestamp("2025-07-01"), problem=None)
    scope = tasks.tasks_in_scope(dataset_of(tasks=frame), WINDOW, UNTIL)
    board = tasks.leaderboard(scope, None, min_tasks=10, csat_days=30).set_index("owner")
    assert board["board"].to_dict() == {"R": "red", "M": "within", "K": "black"}
    assert board["rank"].tolist() == [1, 2, 3]


def test_plan_against_execution_by_hand(scope):
    actions = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C5", "C9"],
                            "segment": ["core", "core", "growth", "growth", "growth"],
                            "lifecycle_stage": "active", "strategy": ["visit", "visit", "salon", "salon", "salon"],
                            "owner": "A"})
    execution = plan.customer_execution(actions, scope).set_index("customer_id")
    assert execution["execution"].to_dict() == {"C1": "on_time", "C2": "late", "C3": "late", "C5": "not_done",
                                                "C9": "not_done"}
    assert execution["with_task"].tolist() == [True, True, True, True, False]
    table = plan.plan_vs_actual(execution.reset_index())
    assert list(table.columns) == list(plan.PLAN_COLUMNS)
    assert table.values.tolist() == [["core", "visit", 2, 2, 2, 1], ["growth", "salon", 3, 2, 1, 0],
                                     ["all", None, 5, 4, 3, 1]]
    by_segment = plan.plan_by_segment(table)
    assert by_segment.index.tolist() == ["core", "growth"]
    assert by_segment.loc["growth"].tolist() == [3, 2, 1, 0]


def test_the_planned_action_is_the_first_task_of_the_period():
    # C1's first task (T6 here, planned 09-01) is open; a later one was done on time: the action is not done
    frame = TASKS.assign(planned_date=lambda f: f["planned_date"].where(f["task_id"] != "T6", pd.Timestamp(
        "2025-07-02")))
    scope = tasks.tasks_in_scope(dataset_of(tasks=frame), WINDOW, UNTIL)
    actions = pd.DataFrame({"customer_id": ["C1"], "segment": "core", "lifecycle_stage": "active",
                            "strategy": "visit", "owner": "A"})
    execution = plan.customer_execution(actions, scope).iloc[0]
    assert (execution["tasks"], execution["done"], execution["execution"]) == (2, False, "not_done")
