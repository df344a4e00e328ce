"""Strategy matching (template 3): the strategy table from params, its checks, and the action list.

The template's rules: content must be concrete ("1 visit per month", not "regular visits"); the
owner is a role or a person, never "the relevant department"; every segment has a strategy.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from ...core.i18n import label
from ...core.results import result_file
from ...settings.segmentation import Strategy, Text, localized
from .segmentation import SEGMENTS

ACCOUNT_MANAGER = "account_manager"
#: a concrete clause names a number ("1 visit per month", not "regular visits")
CONCRETE = re.compile(r"\d|[一二两三四五六七八九十]")
#: owners that name nobody ("the relevant department")
VAGUE_OWNERS = re.compile(r"relevant|related|相关|有关|各部门|all departments", re.IGNORECASE)
STRATEGY_COLUMNS: tuple[str, ...] = result_file("strategy_table").columns
CHECK_COLUMNS: tuple[str, ...] = result_file("strategy_checks").columns
#: rows of the action-list workbook (the most urgent first); the CSV always holds every action. Notebook 02
#: still cuts with it; the one policy is params ``excel_max_rows`` (the same default) in ``Report.workbook``
WORKBOOK_ROWS = 20_000
ACTION_COLUMNS: tuple[str, ...] = result_file("action_list").columns


def _owner_label(owner: Text | None, language: str) -> str | None:
    return label(ACCOUNT_MANAGER, language) if owner == ACCOUNT_MANAGER else localized(owner, language)


def strategy_table(strategies: dict[str, Strategy], language: str) -> pd.DataFrame:
    """Template 3: one row per nine-box segment in nine-box order; segments without a strategy have empty cells."""
    rows = []
    for segment in SEGMENTS:
        strategy = strategies.get(segment)
        rows.append({"segment": segment} if strategy is None else {
            "segment": segment, "content": localized(strategy.content, language),
            "mode": localized(strategy.mode, language), "owner": _owner_label(strategy.owner, language),
            "resources": localized(strategy.resources, language), "due_days": strategy.due_days,
            "cadence": localized(strategy.cadence, language), "automated": strategy.automated})
    return pd.DataFrame(rows, columns=list(STRATEGY_COLUMNS)).astype({"due_days": "Int64", "automated": "boolean"})


def _texts(text: Text) -> list[str]:
    return [text] if isinstance(text, str) else list(text.values())


def check_strategies(strategies: dict[str, Strategy]) -> pd.DataFrame:
    """Problems of the strategy table, one row each: ``missing`` (segment without a strategy),
    ``no_owner``, ``vague_owner`` ("relevant department"), ``no_cadence``, ``no_due_date`` and
    ``not_concrete`` (content without any number, e.g. "regular visits")."""
    problems = []
    for segment in SEGMENTS:
        strategy = strategies.get(segment)
        if strategy is None:
            problems.append((segment, "missing"))
            continue
        if not strategy.owner:
            problems.append((segment, "no_owner"))
        elif any(VAGUE_OWNERS.search(text) for text in _texts(strategy.owner)):
            problems.append((segment, "vague_owner"))
        if not strategy.cadence:
            problems.append((segment, "no_cadence"))
        if strategy.due_days is None:
            problems.append((segment, "no_due_date"))
        if not any(CONCRETE.search(text) for text in _texts(strategy.content)):
            problems.append((segment, "not_concrete"))
    return pd.DataFrame(problems, columns=list(CHECK_COLUMNS))


def first_concrete(content: str) -> str:
    """The first clause of a strategy text that names a number (the first clause when none does): what a
    summary action says is done ("Control cost; 1 automated e-mail per month" -> "1 automated e-mail per month")."""
    clauses = [c.strip() for c in re.split("[;；]", content) if c.strip()]
    return next((c for c in clauses if CONCRETE.search(c)), clauses[0] if clauses else "")


def action_list(segments: pd.DataFrame, customers: pd.DataFrame, strategies: dict[str, Strategy],
                start: date, language: str) -> pd.DataFrame:
    """Per customer: masked name, segment, the segment's strategy, owner and due date.

    The owner is the customer's account manager when the strategy says ``account_manager`` (the
    role name when the customer has none), else the strategy's owner (a ``labels.staff`` name). The
    due date is ``start`` (the day the work can start: the data's as-of date) plus ``due_days``, so
    no due date lies on or before it: the playbook's date, which :func:`.workload.fitted_action_list` then fits
    to the owners' pace. Customers of a segment without a strategy get empty strategy cells.
    The list is ordered by :func:`by_urgency`.
    """
    frame = segments[["customer_id", "segment", "lifecycle_stage", "churn_risk", "annual_amount"]].merge(
        customers[["customer_id", "name", "account_manager"]], on="customer_id", how="left")
    table = strategy_table(strategies, language).set_index("segment")
    own_manager = table.index.map(lambda name: name in strategies and strategies[name].owner == ACCOUNT_MANAGER)
    own_manager = _by_segment(frame["segment"], pd.Series(np.asarray(own_manager, dtype=bool), index=table.index))
    frame["strategy"] = _by_segment(frame["segment"], table["content"])
    frame["owner"] = _by_segment(frame["segment"], table["owner"]).where(
        ~own_manager.fillna(False).astype(bool), frame["account_manager"].fillna(label(ACCOUNT_MANAGER, language)))
    due = _by_segment(frame["segment"], table["due_days"].astype("float64"))
    frame["due_date"] = pd.Timestamp(start) + pd.to_timedelta(due, unit="D")
    return by_urgency(frame)


def by_urgency(actions: pd.DataFrame) -> pd.DataFrame:
    """The action list's order: due date, churn risk (high first), annual amount (largest first), customer id."""
    risk_order = _by_segment(actions["churn_risk"], pd.Series([0, 1, 2], index=["high", "medium", "low"]))
    frame = actions.assign(_risk=risk_order).sort_values(
        ["due_date", "_risk", "annual_amount", "customer_id"], ascending=[True, True, False, True], na_position="last")
    return frame.reset_index(drop=True)[list(ACTION_COLUMNS)]


def _by_segment(codes: pd.Series, values: pd.Series) -> pd.Series:
    """``codes.map(values)`` for a few distinct codes over many rows: looked up once per distinct code."""
    where, distinct = pd.factorize(codes)
    looked_up = values.reindex(pd.Index(np.asarray(distinct, dtype=object), dtype=object))
    result = np.append(looked_up.to_numpy(dtype=object), [np.nan])[where]  # code -1 (empty) -> NaN
    return pd.Series(result, index=codes.index, dtype=object).infer_objects()


def action_summary(actions: pd.DataFrame, start: date) -> dict[str, int]:
    """From :func:`action_list`: customers with an action, those due within 7 days of ``start``,
    distinct owners, and customers left without an action (their segment has no strategy)."""
    planned = actions[actions["strategy"].notna()]
    first_week = planned["due_date"] <= pd.Timestamp(start) + pd.Timedelta(days=7)
    return {"actions": len(planned), "first_week": int(first_week.sum()), "owners": int(planned["owner"].nunique()),
            "unassigned": len(actions) - len(planned)}


def tasks_since(tasks: pd.DataFrame | None, period_end: date, as_of: date) -> dict[str, int] | None:
    """Tasks planned after the period end up to the as-of date, and how many of them were done (or in progress)
    by then: what happened to the work the action list would have asked for before its due dates moved to the
    as-of date. None without a tasks table."""
    if tasks is None:
        return None
    planned = pd.to_datetime(tasks["planned_date"])
    window = tasks[(planned > pd.Timestamp(period_end)) & (planned <= pd.Timestamp(as_of))]
    status = window["status"].astype(str)
    return {"planned": len(window), "done": int((status == "done").sum()),
            "in_progress": int((status == "in_progress").sum())}
