"""Whether an action's work fits its owners' measured throughput, and what would make it fit.

Throughput is what each owner did last period: done tasks (notebook 05's ``task_execution.csv``)
per week of the period. An action gives each owner a number of tasks due by a date; the actions of
the summary are checked in their order of priority, so an owner's time taken by a higher-ranked
action is not available to the next one (:class:`Workload`). When the work does not fit, the check
says by how many tasks, the date by which the same owners would finish at last period's pace, and
how many more people at the team's typical pace would finish it by the due date. An automated action
(an e-mail the system sends, a strategy with ``automated: true``) takes no person's time: it always fits
and books nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np


def weekly_throughput(done: Mapping[str, float], weeks: float) -> dict[str, float]:
    """Tasks done per week per owner over a period of ``weeks`` weeks."""
    if weeks <= 0:
        raise ValueError(f"a period of {weeks} weeks has no throughput")
    return {str(owner): float(n) / weeks for owner, n in done.items() if np.isfinite(n)}


def typical_rate(rates: Mapping[str, float]) -> float:
    """The team's typical pace: the median of the owners' positive weekly throughputs (0 when none)."""
    positive = [r for r in rates.values() if r > 0]
    return float(np.median(positive)) if positive else 0.0


@dataclass(frozen=True)
class Fit:
    """The capacity check of one action.

    ``tasks`` the action needs, ``capacity`` the tasks its owners can do by ``due`` at last period's
    pace (after the actions checked before it), ``shortfall`` the tasks beyond that; when it does not
    fit, ``finish`` is the date the same owners would finish (None when an owner did no task last
    period) and ``extra_hands`` the people at the typical pace that would finish it by ``due``
    (None when ``due`` leaves no time); ``automated`` when the work takes no person's time.
    """

    tasks: int
    capacity: float
    shortfall: int
    due: date
    finish: date | None
    extra_hands: int | None
    automated: bool = False

    @property
    def fits(self) -> bool:
        """True when every task fits the owners' throughput by the due date."""
        return self.shortfall == 0


@dataclass
class Workload:
    """Owners' weekly throughput and the tasks already given to them by the actions checked so far."""

    rates: Mapping[str, float]
    start: date
    used: dict[str, float] = field(default_factory=dict)

    def spread(self, tasks: int, due: date) -> dict[str, int]:
        """``tasks`` given to the owners with free time by ``due``, most free first; the rest to the fastest."""
        weeks = max((due - self.start).days, 0) / 7
        free = sorted(((max(rate * weeks - self.used.get(owner, 0.0), 0.0), owner) for owner, rate in
                       self.rates.items() if rate > 0), reverse=True)
        assigned: dict[str, int] = {}
        for room, owner in free:
            take = min(int(room), tasks - sum(assigned.values()))
            if take > 0:
                assigned[owner] = take
        rest = tasks - sum(assigned.values())
        if rest > 0 and self.rates:
            fastest = max(self.rates, key=lambda owner: self.rates[owner])
            assigned[fastest] = assigned.get(fastest, 0) + rest
        return assigned

    def check(self, assigned: Mapping[str, int], due: date, automated: bool = False) -> Fit:
        """Check ``assigned`` (owner -> tasks due by ``due``) and book the owners' time.

        Each owner can do ``rate x weeks`` tasks from ``start`` to ``due``, less what earlier
        actions took; tasks beyond that are the shortfall. ``automated`` work (sent by a system) takes
        nobody's time: it fits by ``due`` and leaves the owners' time to the next actions.
        """
        if automated:
            tasks = int(sum(assigned.values()))
            return Fit(tasks, float(tasks), 0, due, due, 0, automated=True)
        weeks = max((due - self.start).days, 0) / 7
        capacity, shortfall, finish_weeks = 0.0, 0.0, 0.0
        for owner, tasks in assigned.items():
            rate = float(self.rates.get(str(owner), 0.0))
            before = self.used.get(str(owner), 0.0)
            free = max(rate * weeks - before, 0.0)
            capacity += min(free, tasks)
            shortfall += max(tasks - free, 0.0)
            finish_weeks = math.inf if rate <= 0 and tasks > 0 else max(finish_weeks, (before + tasks) / rate
                                                                         if tasks > 0 else 0.0)
            self.used[str(owner)] = before + tasks
        short = math.ceil(shortfall - 1e-9)
        pace = typical_rate(self.rates) * weeks
        hands = None if short and pace <= 0 else (math.ceil(short / pace - 1e-9) if short else 0)
        finish = None if math.isinf(finish_weeks) else self.start + timedelta(days=math.ceil(finish_weeks * 7))
        return Fit(int(sum(assigned.values())), capacity, short, due, finish if short else due, hands)
