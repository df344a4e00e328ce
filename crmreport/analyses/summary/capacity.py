"""The capacity check of a summary action, read from the action list's fitted due dates, and the plan's fit.

A segment action's work is its customers in ``action_list.csv``, whose due dates notebook 02 already
fitted to each owner's measured pace (:mod:`crmreport.analyses.segments.workload`): the action is due
on the latest of them, and the check says how many are due by the playbook's date. When some are
not, it says how many more people at the median pace would keep that date, but only up to
:data:`EXTRA_SHARE` of the owners sharing the action; beyond that it proposes none and the fitted
date stands. Work outside the action list has an owner without task records: a proven lever is
scaled at the pace its own test arm was contacted (customers per week of the campaign); the falling
key accounts' head has no measured pace, so the median pace of the measured owners
(``action_capacity.csv``) is assumed, and the check says so.

The whole action list is held against the next period too (:func:`plan_fit`): how many of its
planned actions fall due within it at last period's pace, how many later, and what would fit them:
more people at the median pace, or automating the low-value segments' work. The list holds each
customer's first contact: the strategies' repeat cadences (chapter 2's strategy table) come on top,
and the line says so. The actions' targets are :mod:`.targets`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from ...core.i18n import label, t
from ...core.results import ACTION_LIST, result_file
from ...settings.period import period_window
from ..segments.segmentation import NINE_BOX
from ..segments.workload import assumed_pace, extra_people
from . import claims
from .headline import format_value
from .sources import AFTER, UPTO, WITHIN, Ledger, Results

ACTION_CAPACITY = result_file("action_capacity")
#: the most extra people a capacity check proposes, as a share of the owners sharing the action
EXTRA_SHARE = 0.25
#: the segments of the low value tier, whose work the plan line proposes to automate
LOW_VALUE = tuple(segment for (value, _), segment in NINE_BOX.items() if value == "low")


@dataclass(frozen=True)
class Schedule:
    """When an action's ``tasks`` are due: ``asked`` by the playbook, ``due`` the last fitted date, ``kept`` the
    tasks due by ``asked``; ``owners`` share the work; ``pace`` is the pace of an owner outside the action list
    (None for the list's owners), ``basis`` where it comes from: ``test`` (the lever's own test) or ``median``
    (assumed: no measured pace); ``automated`` when a system sends it."""

    tasks: int
    asked: date
    due: date
    kept: int
    owners: int
    pace: float | None = None
    basis: str = ""
    automated: bool = False


def from_list(rows: pd.DataFrame, asked: date, automated: bool = False) -> Schedule:
    """The schedule of an action's rows of ``action_list.csv`` (due dates fitted by notebook 02)."""
    due = pd.to_datetime(rows["due_date"])
    last = due.max().date() if len(due) else asked
    return Schedule(len(rows), asked, max(last, asked), int((due <= pd.Timestamp(asked)).sum()),
                    int(rows["owner"].nunique()), automated=automated)


def at_pace(tasks: int, asked: date, start: date, pace: float, basis: str) -> Schedule:
    """The schedule of ``tasks`` for one owner outside the action list at ``pace`` a week from ``start`` (``basis``
    as in :class:`Schedule`): due on ``asked`` or when done, whichever is later (on ``asked``, unchecked, without
    any pace)."""
    days = math.ceil(7 * tasks / pace - 1e-9) if pace > 0 else 0
    finish = start + timedelta(days=days)
    kept = tasks if finish <= asked else min(tasks, math.floor(pace * (asked - start).days / 7 + 1e-9))
    return Schedule(tasks, asked, max(asked, finish), kept, 1, pace=pace, basis=basis)


def capacity_text(plan: Schedule, start: date, pace: float, language: str) -> str:
    """The capacity check in words: what is due by the playbook's date and when all is (:class:`Schedule`);
    ``pace`` is the median pace of the measured owners, for extra people."""
    words = {"tasks": format_value("count", plan.tasks, language), "asked": plan.asked.isoformat(),
             "can": format_value("count", plan.kept, language), "due": plan.due.isoformat()}
    if plan.automated:
        return t("summary.capacity.automated", language, **words)
    if plan.pace is not None:
        key = f"summary.capacity.{plan.basis}" if plan.pace > 0 else "summary.capacity.unchecked"
        return t(key, language, **words, pace=f"{plan.pace:,.1f}")
    if plan.kept >= plan.tasks:
        return t("summary.capacity.fits", language, **words)
    hands, cap = extra_people(plan.tasks - plan.kept, pace, (plan.asked - start).days), int(EXTRA_SHARE * plan.owners)
    extra = "" if hands is None else t("summary.capacity.hands" if hands <= cap else "summary.capacity.no_hands",
                                       language, n=hands, asked=plan.asked.isoformat(), owners=plan.owners,
                                       share=f"{EXTRA_SHARE:.0%}")
    return t("summary.capacity.short", language, **words, hands=extra)


def plan_fit(results: Results, ledger: Ledger, language: str, *, next_period: str, start: date) -> str:
    """One line on the whole action list: of its planned actions, how many fall due in ``next_period`` at last
    period's pace and how many later, and the trade-off that would fit them (extra people at the median measured
    pace from ``start``, or automation); empty without an action list."""
    if not results.has(ACTION_LIST):
        return ""
    pace = assumed_pace(results.rows(ACTION_CAPACITY))
    end = period_window(next_period).end
    section = "actions"
    planned, fit, late, low = (ledger.add(results.count(ACTION_LIST, **where), section, f"plan {name}", "count",
                                          evidence=claims.COUNT) for name, where in (
        ("planned", {}), (f"due by {end}", {UPTO: ("due_date", end.isoformat())}),
        (f"due after {end}", {AFTER: ("due_date", end.isoformat())}),
        (f"low-value due after {end}", {WITHIN: {"segment": list(LOW_VALUE)}, AFTER: ("due_date", end.isoformat())})))
    words = {"n": format_value("count", planned.value, language), "fit": format_value("count", fit.value, language),
             "late": format_value("count", late.value, language), "next": next_period,
             "source": " ".join(f.cite for f in (planned, fit, late))}
    if not late.value:
        return t("summary.plan.fits", language, **words)
    hands = extra_people(int(late.value), pace, (end - start).days)
    segments = t("summary.plan.sep", language).join(label(f"segment_{s}", language) for s in LOW_VALUE)
    return t("summary.plan.late", language, **words, segments=segments, source_low=low.cite,
             low=format_value("count", low.value, language),
             hands=t("summary.plan.hands", language, n=hands, pace=f"{pace:,.1f}") if hands else "")
