"""Task execution (template 4): completion and punctuality per owner, overdue work, the task board
and the owner leaderboard (top performers / needs attention; the template's 回访红黑榜).

Tasks in scope are those planned inside the period. ``until`` is the end of what the data can
show (:func:`crmreport.analyses.execution.clock.observed_until`): a task not done whose planned
date lies before it is overdue.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core.results import ALL, result_file
from ...ingest.dataset import Dataset
from ...measures.taskscope import tasks_of
from ...settings.period import Window
from ...stats.proportion import wilson_interval

STATUSES: tuple[str, ...] = ("done", "in_progress", "not_started", "delayed")
EXECUTION_COLUMNS: tuple[str, ...] = result_file("task_execution").columns
TEMPLATE4_COLUMNS: tuple[str, ...] = result_file("execution_tracking").columns


def tasks_in_scope(data: Dataset, window: Window, until: pd.Timestamp) -> pd.DataFrame:
    """Tasks planned inside ``window``, with flags: ``done``, ``on_time`` (done with ``actual_date <=
    planned_date``; a done task without an actual date is not on time), ``overdue`` (not done and
    planned before ``until``) and ``overdue_days`` (whole days from the planned date to ``until``),
    computed on the dataset's engine (:func:`crmreport.measures.taskscope.task_scope`)."""
    return tasks_of(data, window, until)


def _execution_row(owner: str, group: pd.DataFrame) -> dict[str, object]:
    counts = group["status"].value_counts()
    done = int(group["done"].sum())
    return {"owner": owner, "tasks": len(group), **{s: int(counts.get(s, 0)) for s in STATUSES},
            "overdue": int(group["overdue"].sum()),
            "completion_rate": done / len(group) if len(group) else np.nan,
            "on_time_rate": group["on_time"].sum() / done if done else np.nan}


def task_execution(scope: pd.DataFrame) -> pd.DataFrame:
    """The ``task_execution.csv`` contract: one row per owner (most tasks first) and one for ``all``.

    completion_rate = done / tasks; on_time_rate = done on time / done (empty without done tasks).
    """
    rows = [_execution_row(owner, group) for owner, group in scope.groupby("owner", sort=True)]
    rows.sort(key=lambda row: (-row["tasks"], row["owner"]))
    rows.append(_execution_row(ALL, scope))
    return pd.DataFrame(rows, columns=list(EXECUTION_COLUMNS))


def bucket_labels(buckets: list[int]) -> list[str]:
    """Age bucket names for upper ends ``[7, 30, 90]``: ``1-7``, ``8-30``, ``31-90``, ``>90`` days."""
    lows = [1, *(b + 1 for b in buckets)]
    return [f"{lo}-{hi}" for lo, hi in zip(lows, buckets, strict=False)] + [f">{buckets[-1]}"]


def overdue_ages(scope: pd.DataFrame, buckets: list[int]) -> pd.DataFrame:
    """Overdue tasks by age (days since the planned date): age_bucket, tasks, share of overdue tasks."""
    overdue = scope.loc[scope["overdue"], "overdue_days"].astype("int64")
    names = bucket_labels(buckets)
    bucket = pd.cut(overdue, [0, *buckets, np.inf], labels=names, right=True)
    counts = bucket.value_counts().reindex(names, fill_value=0)
    total = int(counts.sum())
    return pd.DataFrame({"age_bucket": names, "tasks": counts.to_numpy(dtype="int64"),
                         "share": counts.to_numpy() / total if total else np.nan})


def template4(scope: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Template 4 for management: overdue tasks and tasks that record a problem, oldest overdue first,
    with the customer's (masked) name."""
    chosen = scope[scope["overdue"] | scope["problem"].notna()]
    frame = chosen.merge(customers[["customer_id", "name"]].rename(columns={"name": "customer"}),
                         on="customer_id", how="left")
    frame = frame.sort_values(["overdue_days", "planned_date", "task_id"], ascending=[False, True, True],
                              na_position="last")
    return frame.reset_index(drop=True)[list(TEMPLATE4_COLUMNS)]


def task_board(scope: pd.DataFrame) -> pd.DataFrame:
    """Status by owner (tidy: owner, status, tasks), plus the overdue count as status ``overdue``."""
    board = scope.groupby(["owner", "status"]).size().rename("tasks").reset_index()
    overdue = scope[scope["overdue"]].groupby("owner").size().rename("tasks").reset_index().assign(status="overdue")
    return pd.concat([board, overdue], ignore_index=True)[["owner", "status", "tasks"]]


def satisfaction_after(scope: pd.DataFrame, surveys: pd.DataFrame | None, days: int) -> pd.Series:
    """Per task: the mean CSAT of its customer's survey answers within ``days`` after the actual date."""
    if surveys is None or surveys.empty:
        return pd.Series(np.nan, index=scope.index)
    done = scope.loc[scope["done"] & scope["actual_date"].notna(), ["task_id", "customer_id", "actual_date"]]
    answers = surveys.loc[surveys["csat"].notna(), ["customer_id", "response_time", "csat"]]
    pairs = done.merge(answers, on="customer_id")
    lag = pd.to_datetime(pairs["response_time"]) - pd.to_datetime(pairs["actual_date"])
    pairs = pairs[(lag >= pd.Timedelta(0)) & (lag <= pd.Timedelta(days=days))]
    means = pairs.groupby("task_id")["csat"].mean().astype(float)
    return scope["task_id"].map(means).astype(float)


def leaderboard(scope: pd.DataFrame, surveys: pd.DataFrame | None, min_tasks: int, csat_days: int,
                alpha: float = 0.05) -> pd.DataFrame:
    """The owner leaderboard: completion and on-time rates with Wilson intervals, CSAT after the task.

    Owners with at least ``min_tasks`` tasks are ranked by the lower end of their completion interval;
    ``board`` is ``red`` when that interval lies wholly above the all-owner completion rate, ``black``
    when wholly below, ``within`` otherwise and ``too_few`` (not ranked) under ``min_tasks``.
    """
    csat = satisfaction_after(scope, surveys, csat_days)
    frame = scope.assign(csat_after=csat).groupby("owner").agg(
        tasks=("task_id", "size"), done=("done", "sum"), on_time=("on_time", "sum"),
        csat_after=("csat_after", "mean"), csat_tasks=("csat_after", "count")).reset_index()
    frame[["done", "on_time"]] = frame[["done", "on_time"]].astype("int64")
    frame["completion_rate"] = frame["done"] / frame["tasks"]
    frame["completion_low"], frame["completion_high"] = wilson_interval(frame["done"], frame["tasks"], alpha)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["on_time_rate"] = (frame["on_time"] / frame["done"]).where(frame["done"] > 0)
    frame["on_time_low"], frame["on_time_high"] = wilson_interval(frame["on_time"], frame["done"], alpha)
    overall = scope["done"].mean() if len(scope) else np.nan
    ranked = frame["tasks"] >= min_tasks
    frame["board"] = np.select([~ranked, frame["completion_low"] > overall, frame["completion_high"] < overall],
                               ["too_few", "red", "black"], "within")
    frame["rank"] = frame["completion_low"].where(ranked).rank(ascending=False, method="min").astype("Int64")
    frame = frame.sort_values(["rank", "tasks"], ascending=[True, False], na_position="last")
    return frame.reset_index(drop=True)[["rank", "owner", "tasks", "done", "completion_rate", "completion_low",
                                         "completion_high", "on_time_rate", "on_time_low", "on_time_high",
                                         "csat_after", "csat_tasks", "board"]]
