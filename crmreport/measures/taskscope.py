"""The tasks of a period and their execution flags, defined once as an Ibis expression (DuckDB or Spark).

Notebook 05 counts completion, punctuality and overdue work per owner, status and age from these rows
(:mod:`crmreport.analyses.execution.tasks`), and the plan against execution and the leaderboard read the same
flags. A task is in scope
when its planned date lies in the window (whole days). What comes back is the period's tasks, in task id
order (the prepared table's), with every column of the table and the flags.
"""

from __future__ import annotations

from datetime import datetime

import ibis
import ibis.expr.types as ir
import pandas as pd

from ..ingest.dataset import Dataset
from ..settings.period import Window
from .spend import day_start
from .tables import collect, engine_table, table_columns

#: the owner of a task without one
UNASSIGNED = "unassigned"
FLAGS = ("done", "on_time", "overdue", "overdue_days")


def task_scope(tasks: ir.Table, window: Window, until: datetime) -> ir.Table:
    """Tasks planned inside ``window`` with ``owner`` (empty: :data:`UNASSIGNED`) and flags: ``done``, ``on_time``
    (done with ``actual_date <= planned_date``; a done task without an actual date is not on time), ``overdue``
    (not done and planned before ``until``) and ``overdue_days`` (whole days from the planned date to ``until``,
    empty unless overdue), ordered by task id."""
    tasks = tasks.mutate(**{name: tasks[name].cast("string") for name, kind in tasks.schema().items()
                            if kind.is_null()})  # a text column without any value (Spark keeps no type for it)
    planned = tasks.planned_date
    rows = tasks.filter((planned >= day_start(window.start)) & (planned < day_start(window.stop)))
    done = (rows.status == "done").fill_null(False)
    cutoff = ibis.timestamp(until)
    overdue = ~done & (rows.planned_date < cutoff)
    owner = ibis.ifelse(rows.owner.isnull() | (rows.owner == ""), UNASSIGNED, rows.owner)
    return rows.mutate(
        owner=owner, done=done,
        on_time=done & rows.actual_date.notnull() & (rows.actual_date <= rows.planned_date),
        overdue=overdue,
        overdue_days=ibis.ifelse(overdue, cutoff.date().delta(rows.planned_date.date(), unit="day"),
                                 ibis.null("int64")).cast("int64"),
    ).order_by("task_id")


def tasks_of(data: Dataset, window: Window, until: pd.Timestamp) -> pd.DataFrame:
    """:func:`task_scope` of the dataset's tasks on its engine (the run's Parquet file when the notebook has not
    read the table): the table's columns, then :data:`FLAGS`; date-times at nanoseconds, as the prepared tables'."""
    columns = [c for c in table_columns(data, "tasks") if c not in FLAGS]
    with data.engine.backend() as backend:
        frame = collect(backend, task_scope(engine_table(backend, data, "tasks", columns), window,
                                            until.to_pydatetime()))
    for column in ("planned_date", "actual_date"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frame.astype({"done": bool, "on_time": bool, "overdue": bool, "overdue_days": "Int64"})
