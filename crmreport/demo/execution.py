"""How the plan was carried out: per-owner completion and on-time rates of the strategy tasks.

Every task planned on or before ``end`` is done on time, done late or not done, with the
probabilities of its owner (:data:`OWNER_RATES`). A customer's *execution* in the period is
the outcome of their first task planned inside the period (earliest planned date); their other
period tasks share that outcome with probability :data:`CONCORDANCE` (owners tend to look after a
customer well or not at all). For :data:`NO_TASK_SHARE` of the customers with a planned action the
plan was never entered: they have no task in the period and count as not done (chosen at random,
so the owners' rates over the tasks that exist stay as planted). The period churn
(:mod:`crmreport.demo.churn`) reads the execution, so the planted effect of on-time follow-up is
defined on exactly this outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calendar import Calendar
from .columns import weighted_choice
from .vocabulary import STAFF

#: a colleague who joined in the period and owns a handful of tasks (too few to be ranked)
TRAINEE = "Gao Yan"
TRAINEE_SHARE = 0.006
#: planted (completion rate, on-time rate among done tasks) per owner
OWNER_RATES: dict[str, tuple[float, float]] = {
    "王芳": (0.92, 0.88), "李娜": (0.86, 0.80), "张伟": (0.80, 0.70), "Chen Jing": (0.76, 0.78),
    "刘洋": (0.70, 0.60), "Zhou Min": (0.88, 0.90), "杨磊": (0.62, 0.55), "黄涛": (0.80, 0.66),
    "Zhao Qiang": (0.82, 0.76), "吴敏": (0.72, 0.82), "Sun Li": (0.60, 0.58), "徐静": (0.86, 0.72),
    "customer success team": (0.78, 0.70), "inside sales team": (0.66, 0.62), "marketing team": (0.72, 0.64),
    TRAINEE: (0.95, 0.95),
}
CONCORDANCE = 0.8
#: share of customers with a planned period action (other than onboarding) that never got a task: not done
NO_TASK_SHARE = 0.08
#: statuses of tasks not done, and their shares
OPEN_STATUSES = (("in_progress", 0.35), ("delayed", 0.35), ("not_started", 0.30))
EARLY_DAYS = np.array([0, 0, 0, 1, 2, 3])       # done on time: this many days before the planned date
LATE_P = 0.25                                   # done late: geometric(LATE_P) days after it (P(<= 4) = 0.68)
OUTCOMES = ("on_time", "late", "not_done")


@dataclass(frozen=True)
class Execution:
    """Task outcomes: per task (status name index, actual day, owner code, kept) and per customer."""

    status: np.ndarray     # index into the contract's task statuses
    actual: np.ndarray     # actual day (meaningful where done)
    owner: np.ndarray      # index into owner_names(roles)
    keep: np.ndarray       # bool: the task exists (False = planned action never entered)
    customer: np.ndarray   # per customer: -1 no task planned in the period, else index into OUTCOMES


def owner_names(roles: list[str]) -> tuple[str, ...]:
    """Owner codes of the tasks table: account managers, then the team roles, then the trainee."""
    return STAFF + tuple(roles) + (TRAINEE,)


def p_met_7_days(owner: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """P(an onboarding task planned 3 days after signup is done within 7 days of signup) for each owner code."""
    rates = np.array([OWNER_RATES[name] for name in names])[owner]
    return rates[:, 0] * (rates[:, 1] + (1 - rates[:, 1]) * (1 - (1 - LATE_P) ** 4))


def execute(rng: np.random.Generator, cust: np.ndarray, planned: np.ndarray, owner: np.ndarray,
            onboarding: np.ndarray, signup: np.ndarray, cal: Calendar, statuses: tuple[str, ...],
            names: tuple[str, ...]) -> Execution:
    """Outcome of every task planned on or before ``end`` (tasks sorted by planned day).

    Parameters
    ----------
    rng : numpy.random.Generator
        The execution stream.
    cust, planned, owner, onboarding : numpy.ndarray
        Per task: customer index, planned day, owner code (into ``names``), is a day-3 onboarding call.
    signup : numpy.ndarray
        Per customer: signup day.
    cal : Calendar
        The data window.
    statuses : tuple of str
        The contract's task statuses.
    names : tuple of str
        Owner names by code (:func:`owner_names`).

    Returns
    -------
    Execution
    """
    m, n, last = len(cust), len(signup), cal.days - 1
    period = cal.quarter("period")[1]
    scope = planned <= last
    in_period = scope & (planned >= period)
    owner = np.where(in_period & (rng.random(m) < TRAINEE_SHARE), len(names) - 1, owner)
    rates = np.array([OWNER_RATES[name] for name in names])[owner]
    u = rng.random(m)
    outcome = np.select([u < rates[:, 0] * rates[:, 1], u < rates[:, 0]], [0, 1], 2)
    rows = np.flatnonzero(in_period)
    customers, first = np.unique(cust[rows], return_index=True)
    lead = np.full(n, -1)
    lead[customers] = outcome[rows[first]]
    follow = in_period & (rng.random(m) < CONCORDANCE)
    outcome = np.where(follow, lead[cust], outcome)
    late_days = rng.geometric(LATE_P, m)
    early = np.maximum(planned - EARLY_DAYS[rng.integers(0, len(EARLY_DAYS), m)], signup[cust])
    actual = np.select([outcome == 0, outcome == 1], [early, planned + late_days], planned)
    outcome = np.where((outcome == 1) & (actual > last), 2, outcome)   # would finish after `end`: still open
    lead[customers] = outcome[rows[first]]
    code = {name: i for i, name in enumerate(statuses)}
    open_status = np.array([code[s] for s, _ in OPEN_STATUSES])[weighted_choice(rng, [w for _, w in OPEN_STATUSES],
                                                                                 m)]
    status = np.where(outcome < 2, code["done"], open_status)
    has_onboarding = np.zeros(n, bool)
    has_onboarding[cust[in_period & onboarding]] = True
    dropped = (lead >= 0) & ~has_onboarding & (rng.random(n) < NO_TASK_SHARE)
    lead[dropped] = 2
    keep = ~(in_period & dropped[cust])
    return Execution(status, actual, owner, keep, lead)


def owner_truth(ex: Execution, scope: np.ndarray, planned: np.ndarray, names: tuple[str, ...],
                statuses: tuple[str, ...]) -> dict[str, dict]:
    """Planted and observed completion and on-time rates per owner over the kept tasks in ``scope``."""
    rows = scope & ex.keep
    done = ex.status == statuses.index("done")
    out = {}
    for k, name in enumerate(names):
        mine = rows & (ex.owner == k)
        if not mine.any():
            continue
        n_done = int((mine & done).sum())
        on_time = int((mine & done & (ex.actual <= planned)).sum())
        out[name] = {"completion_rate": OWNER_RATES[name][0], "on_time_rate": OWNER_RATES[name][1],
                     "tasks": int(mine.sum()), "done": n_done, "done_on_time": on_time,
                     "observed_completion_rate": n_done / int(mine.sum()),
                     "observed_on_time_rate": on_time / n_done if n_done else float("nan")}
    return out
