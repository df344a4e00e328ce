"""The action list's due dates fitted to what each owner can do: last period's measured pace, per owner.

Pace is counted on task records only: the tasks planned in the period and done (notebook 05's
``done``), per week of the period. Agreed follow-ups kept in the communication log are not counted:
they record contacts that may be the same calls as the tasks, and a follow-up is not work the CRM
plans. An owner without a done task in the period has no measured pace and is assumed to work at the
median pace of the list's measured owners (:func:`assumed_pace`); the owner lines say so, and the
executive summary assumes the same pace for its owners outside the list.

Each owner works through their customers in the list's order (the playbook's date, churn risk high
first, annual amount largest first) at their pace from the data's as-of date: the k-th task of an owner
with pace r a week can be done ``ceil(7 k / r)`` days after it, and is due then or on the playbook's
date, whichever is later. So no owner has more tasks due by any date than their pace allows. Work
a system sends (a strategy with ``automated: true``) takes nobody's time and keeps the playbook's date.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from ...core.results import result_file
from ...ingest.dataset import Dataset
from ...measures.taskscope import tasks_of
from ...settings.period import Window
from ...settings.segmentation import Strategy
from .strategy import by_urgency

CAPACITY_COLUMNS: tuple[str, ...] = result_file("action_capacity").columns
SEGMENT_COLUMNS: tuple[str, ...] = result_file("action_segments").columns


def weekly_throughput(done: Mapping[str, float], weeks: float) -> dict[str, float]:
    """Tasks done per week per owner over a period of ``weeks`` weeks."""
    if weeks <= 0:
        raise ValueError(f"a period of {weeks} weeks has no throughput")
    return {str(owner): float(n) / weeks for owner, n in done.items() if np.isfinite(n)}


def weekly_pace(scope: pd.DataFrame, weeks: float) -> dict[str, float]:
    """Each owner's done task records per week, from the period's tasks in scope (``owner``, ``done``:
    :func:`crmreport.measures.taskscope.tasks_of`)."""
    done = scope.loc[scope["done"].astype(bool)].groupby(scope["owner"].astype(str)).size()
    return weekly_throughput(done.to_dict(), weeks)


def measured_pace(data: Dataset, window: Window, as_of: date) -> dict[str, float]:
    """Each owner's done task records per week over ``window`` (the period's tasks), empty without tasks."""
    if not data.has("tasks"):
        return {}
    return weekly_pace(tasks_of(data, window, pd.Timestamp(as_of)), weeks_of(window.start, window.end))


def typical_rate(rates: Mapping[str, float]) -> float:
    """The team's typical pace: the median of the owners' positive weekly throughputs (0 when none)."""
    positive = [r for r in rates.values() if r > 0]
    return float(np.median(positive)) if positive else 0.0


def _pace_of(owner: str, pace: Mapping[str, float]) -> float | None:
    """The owner's measured pace (owners matched case-insensitively), None when not measured."""
    found = {str(k).casefold(): v for k, v in pace.items()}.get(owner.casefold())
    return found if found is not None and found > 0 else None


def assumed_pace(capacity: pd.DataFrame) -> float:
    """The pace assumed for an owner without one: the median of the measured owners' paces in the owner lines
    (:func:`owner_capacity`, or ``action_capacity.csv`` read back)."""
    if capacity.empty:
        return 0.0
    measured = capacity[capacity["pace_measured"].astype(str).str.casefold() == "true"]
    return typical_rate(dict(zip(measured["owner"].astype(str), measured["weekly_pace"], strict=True)))


def _list_median(actions: pd.DataFrame, people: pd.Series, pace: Mapping[str, float]) -> float:
    """The median measured pace of the owners of people's tasks in the list."""
    owners = actions.loc[people.to_numpy(dtype=bool), "owner"].dropna().astype(str).unique()
    return typical_rate({owner: _pace_of(owner, pace) or 0.0 for owner in owners})


def fit_due_dates(actions: pd.DataFrame, automated: pd.Series, pace: Mapping[str, float],
                  start: date) -> pd.DataFrame:
    """``actions`` (in priority order) with each person's task due when its owner can do it (module docstring).

    ``automated`` flags the rows a system sends (aligned with ``actions``); ``pace`` is tasks done per
    week by owner. Rows without a due date (no strategy) keep none.
    """
    due = pd.to_datetime(actions["due_date"])
    assumed = _list_median(actions, ~automated & due.notna(), pace)
    fitted = due.copy()
    people = actions[~automated.to_numpy(dtype=bool) & due.notna().to_numpy()]
    for owner, rows in people.groupby(people["owner"].astype(str), sort=False):
        rate = _pace_of(owner, pace) or assumed
        if rate <= 0:
            continue
        days = np.ceil(7 * np.arange(1, len(rows) + 1) / rate - 1e-9)
        earliest = pd.Timestamp(start) + pd.to_timedelta(days, unit="D")
        fitted.loc[rows.index] = np.maximum(due.loc[rows.index].to_numpy(), earliest.to_numpy())
    return actions.assign(due_date=fitted)


def fitted_action_list(actions: pd.DataFrame, strategies: Mapping[str, Strategy], pace: Mapping[str, float],
                       start: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The action list (:func:`.strategy.action_list`, the playbook's dates) with due dates fitted to the owners'
    ``pace`` from ``start`` (the data's as-of date), ordered again by :func:`.strategy.by_urgency`, and its owner
    lines (:func:`owner_capacity`)."""
    automated = actions["segment"].map({name: bool(s.automated) for name, s in strategies.items()})
    automated = automated.astype("boolean").fillna(False).astype(bool)
    fitted = fit_due_dates(actions, automated, pace, start)
    return by_urgency(fitted), owner_capacity(actions, fitted, automated, pace)


def owner_capacity(playbook: pd.DataFrame, fitted: pd.DataFrame, automated: pd.Series,
                   pace: Mapping[str, float]) -> pd.DataFrame:
    """One line per owner of people's tasks: tasks, weekly pace (measured, or assumed: the median),
    tasks due on the playbook's date, the first and the last due date; the largest workload first."""
    asked = pd.to_datetime(playbook["due_date"])
    keep = ~automated.to_numpy(dtype=bool) & asked.notna().to_numpy()
    assumed = _list_median(playbook, pd.Series(keep, index=playbook.index), pace)
    frame = pd.DataFrame({"owner": fitted["owner"].astype(str), "due": pd.to_datetime(fitted["due_date"]),
                          "kept": pd.to_datetime(fitted["due_date"]) <= asked})[keep]
    rows = []
    for owner, group in frame.groupby("owner", sort=False):
        measured = _pace_of(owner, pace)
        rows.append({"owner": owner, "tasks": len(group), "weekly_pace": measured or assumed,
                     "pace_measured": measured is not None, "by_playbook": int(group["kept"].sum()),
                     "first_due": group["due"].min(), "last_due": group["due"].max()})
    table = pd.DataFrame(rows, columns=list(CAPACITY_COLUMNS))
    return table.sort_values(["tasks", "owner"], ascending=[False, True], kind="stable").reset_index(drop=True)


def segment_sample(actions: pd.DataFrame) -> pd.DataFrame:
    """The action list in one row per segment (first due first): the strategy, its owner (when one owner has it
    all), how many owners share it, customers, the first and the last due date."""
    planned = actions[actions["strategy"].notna()]
    rows = []
    for segment, group in planned.groupby("segment", sort=False):
        owners = group["owner"].dropna().astype(str).unique()
        rows.append({"segment": segment, "strategy": group["strategy"].iloc[0],
                     "owner": owners[0] if len(owners) == 1 else "", "owners": len(owners),
                     "customers": len(group), "first_due": pd.Timestamp(group["due_date"].min()),
                     "last_due": pd.Timestamp(group["due_date"].max())})
    return pd.DataFrame(rows, columns=list(SEGMENT_COLUMNS)).sort_values(
        ["first_due", "customers"], ascending=[True, False], kind="stable").reset_index(drop=True)


def weeks_of(start: date, end: date) -> float:
    """The weeks from ``start`` to ``end``, both days included."""
    return ((end - start).days + 1) / 7


def extra_people(shortfall: int, rate: float, days: int) -> int | None:
    """People at ``rate`` tasks a week that would do ``shortfall`` more tasks in ``days`` days (None: no time or
    no pace)."""
    room = rate * days / 7
    return math.ceil(shortfall / room - 1e-9) if room > 0 else None
