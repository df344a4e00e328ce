"""The capacity check of a summary action, read from the action list's fitted due dates, and the action's target.

A segment action's work is its customers in ``action_list.csv``, whose due dates notebook 02 already
fitted to each owner's measured pace (:mod:`crmreport.analyses.segments.workload`): the action is due
on the latest of them, and the check says how many are due by the playbook's date. When some are
not, it says how many more people at the median pace would keep that date, but only up to
:data:`EXTRA_SHARE` of the owners sharing the action; beyond that it proposes none and the fitted
date stands. Work outside the action list has an owner without task records: a proven lever is
scaled at the pace its own test arm was contacted (customers per week of the campaign); the falling
key accounts' head has no measured pace, so the median pace of the measured owners
(``action_capacity.csv``) is assumed, and the check says so.

Targets are outcomes on an observable measure: how many of the customers place an order in the next
period, against the model's forecast without action (the customers expected still buying, the sum
of P(alive)) plus the lift the one proven lever measured in conversion, on the customers not expected
to buy, when the action uses that lever's channel. An action whose channel no randomised test has
shown to work is "lever untested": its target is the test that would show it. A proven lever keeps a
random hold-out (:data:`HOLDOUT`) so that its revenue target can be measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from ...core.i18n import t
from ..segments.workload import extra_people
from .headline import format_value

#: the most extra people a capacity check proposes, as a share of the owners sharing the action
EXTRA_SHARE = 0.25
#: the share of a proven lever's customers kept uncontacted, at random, to measure its revenue target
HOLDOUT = 0.10


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


def order_target(n: int, forecast: float, lift: float | None, next_period: str, language: str) -> str:
    """At least the forecast plus ``lift`` (a proven lever's conversion difference) on the customers the model does
    not expect to buy, of the ``n``, place an order in ``next_period``; without a lift the lever is untested and
    the target is its test."""
    words = {"n": format_value("count", n, language), "forecast": format_value("count", round(forecast), language),
             "next": next_period}
    if lift is None:
        half = n // 2
        return t("summary.target.untested", language, **words, half=format_value("count", half, language),
                 rest=format_value("count", n - half, language))
    rest = max(n - round(forecast), 0)
    goal = min(n, math.ceil(round(forecast) + lift * rest - 1e-9))
    return t("summary.target.orders", language, **words, goal=format_value("count", goal, language),
             lift=f"{lift * 100:.1f}", rest=format_value("count", rest, language))


def held_out(n: int) -> int:
    """The customers of a proven lever's ``n`` kept uncontacted at random (:data:`HOLDOUT`, rounded up)."""
    return math.ceil(HOLDOUT * n - 1e-9)


def lever_target(n: int, low: float, language: str) -> str:
    """A proven lever scaled to ``n`` customers: a random :data:`HOLDOUT` kept uncontacted, and revenue per
    contacted customer above theirs by at least the test's lower bound per customer (``low`` over ``n``)."""
    holdout = held_out(n)
    called = n - holdout
    return t("summary.target.lever", language, called=format_value("count", called, language),
             holdout=format_value("count", holdout, language), share=f"{HOLDOUT:.0%}",
             each=format_value("currency", low / n, language),
             total=format_value("currency", low / n * called, language))
