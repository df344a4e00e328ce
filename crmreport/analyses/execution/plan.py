"""Plan against execution: last period's action list (notebook 02's rules applied as of the baseline
end) joined to the tasks planned in this period, per segment and strategy.

The plan reuses :mod:`crmreport.analyses.segments`; nothing of segmentation is re-implemented here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core.results import result_file
from ...ingest.dataset import Dataset
from ...settings import Params
from ..segments.segmentation import SEGMENTS, segment_customers
from ..segments.strategy import action_list

EXECUTION_CLASSES: tuple[str, ...] = ("on_time", "late", "not_done")
PLAN_COLUMNS: tuple[str, ...] = result_file("plan_vs_actual").columns


def planned_actions(data: Dataset, params: Params, language: str) -> pd.DataFrame:
    """Last period's action list: segments as of the baseline end and the strategies of template 3
    (:func:`crmreport.analyses.segments.strategy.action_list`); customers without a strategy dropped."""
    end = params.baseline_window.end
    segments = segment_customers(data, end, params.segmentation, clusters=False)
    actions = action_list(segments, data.tables["customers"], params.strategies, end, language)
    return actions[actions["strategy"].notna()].reset_index(drop=True)


def customer_execution(actions: pd.DataFrame, scope: pd.DataFrame) -> pd.DataFrame:
    """Per planned customer: the number of tasks planned in the period and the outcome of the planned
    action, which is the customer's first task of the period (earliest planned date, then task id):
    ``done``, ``on_time`` and the execution class ``on_time`` (done by its planned date), ``late``
    (done later, or done without an actual date) or ``not_done`` (not done, or no task at all)."""
    first = scope.sort_values(["planned_date", "task_id"]).groupby("customer_id").agg(
        tasks=("task_id", "size"), done=("done", "first"), on_time=("on_time", "first"))
    frame = actions[["customer_id", "segment", "lifecycle_stage", "strategy", "owner"]].merge(
        first, left_on="customer_id", right_index=True, how="left")
    frame["tasks"] = frame["tasks"].fillna(0).astype("int64")
    frame["with_task"] = frame["tasks"] > 0
    frame["done"] = frame["done"].astype("boolean").fillna(False).astype(bool)
    frame["on_time"] = frame["on_time"].astype("boolean").fillna(False).astype(bool)
    frame["execution"] = np.select([frame["on_time"], frame["done"]], ["on_time", "late"], "not_done")
    return frame


def plan_vs_actual(execution: pd.DataFrame) -> pd.DataFrame:
    """The ``plan_vs_actual.csv`` contract: per segment (nine-box order) and strategy, customers planned,
    with a task in the period, whose planned action (first task) was done and done on time; last row ``all``."""
    grouped = execution.groupby(["segment", "strategy"], sort=False).agg(
        planned=("customer_id", "size"), with_task=("with_task", "sum"), done=("done", "sum"),
        done_on_time=("on_time", "sum")).reset_index()
    grouped["_order"] = grouped["segment"].map({s: i for i, s in enumerate(SEGMENTS)})
    grouped = grouped.sort_values(["_order", "strategy"]).drop(columns="_order")
    total = {"segment": "all", "strategy": None, "planned": len(execution),
             "with_task": int(execution["with_task"].sum()), "done": int(execution["done"].sum()),
             "done_on_time": int(execution["on_time"].sum())}
    frame = pd.concat([grouped, pd.DataFrame([total])], ignore_index=True)
    counts = ["planned", "with_task", "done", "done_on_time"]
    frame[counts] = frame[counts].astype("int64")
    return frame[list(PLAN_COLUMNS)]


def plan_by_segment(versus: pd.DataFrame) -> pd.DataFrame:
    """:func:`plan_vs_actual` summed over strategies: one row per segment (index), ``all`` left out."""
    counts = ["planned", "with_task", "done", "done_on_time"]
    return versus[versus["segment"] != "all"].groupby("segment", sort=False)[counts].sum()
