"""The tasks table: strategy execution tasks per segment, with planted contact details in the feedback."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from ..core.contract import TABLES
from .calendar import Calendar
from .columns import id_column, plant_contact_details, ref_column, stamp_column, table_frame, text_column
from .execution import Execution, execute, owner_names, owner_truth
from .population import SEGMENTS, Population
from .vocabulary import STAFF, SURNAMES

#: (segment, or "new" for signups in the two quarters; strategy; owner role or None = account manager; schedule)
TASK_PLANS = (
    ("core", "monthly proactive call", None, "monthly"),
    ("core", "quarterly executive review", None, "quarterly"),
    ("mature_stable", "quarterly proactive visit", None, "quarterly"),
    ("maintain", "bi-monthly service review call", None, "bimonthly"),
    ("growth", "quarterly customer salon invitation", "marketing team", "quarterly"),
    ("growth", "needs survey every 6 months", "marketing team", "once"),
    ("observe", "quarterly check-in e-mail", "inside sales team", "quarterly"),
    ("churn_warning", "win-back call within 3 days", "customer success team", 3),
    ("churn_warning", "welcome-back pack (20% off voucher + service promise)", "customer success team", 10),
    ("churn_warning", "track repurchase for 30 days", "customer success team", 33),
    ("new", "day-3 onboarding call", None, "signup"),
)
TASK_STATUS = TABLES["tasks"].column("status").choices
FEEDBACK = ("satisfied with the service", "asked for a quotation for the new product line",
            "wants faster delivery", "prefers e-mail over phone calls", "interested in the training programme",
            "unhappy about the price increase", "客户对服务表示满意", "希望增加技术培训", "要求缩短交货周期",
            "对新产品感兴趣", "happy with the account manager", "no clear feedback, will follow up")
PHONE_FEEDBACK = ("call me at {}", "请打我手机{}", "new contact number {}, please update")
PROBLEMS = ("customer not reachable", "decision maker changed", "budget frozen until next quarter",
            "waiting for the product team", "price objection", "联系人离职", "客户暂停采购",
            "delivery delay raised again")
#: next actions after a done task, then after an open one
NEXT_ACTIONS = (("schedule the next follow-up", "send quotation", "invite to customer salon",
                 "share product white paper", "安排下次回访"),
                ("call again next week", "escalate to team lead", "reschedule the visit",
                 "try another contact person", "重新安排拜访"))


def _planned_days(rng: np.random.Generator, schedule: str | int, who: np.ndarray, pop: Population,
                  months: list[int], quarters: list[int], trigger: np.ndarray) -> list[np.ndarray]:
    """Planned days of one plan for the customers ``who``, one array per occurrence."""
    k = len(who)
    if isinstance(schedule, int):  # days after the customer's churn-warning trigger
        return [trigger[who] + schedule]
    if schedule == "signup":
        return [pop.signup[who] + 3]
    if schedule == "once":
        return [quarters[0] + rng.integers(0, months[-1] - quarters[0], k)]
    if schedule == "quarterly":
        return [q + rng.integers(0, 60, k) for q in quarters]
    return [m + rng.integers(0, 28, k) for m in (months if schedule == "monthly" else months[0:6:2])]


def simulate_tasks(rng: np.random.Generator, pop: Population, cal: Calendar, ids: pa.Array, manager: np.ndarray,
                   exec_rng: np.random.Generator) -> tuple[pd.DataFrame, int, int, Execution, dict]:
    """Strategy execution tasks planned in the baseline and period quarters (and a few beyond ``end``).

    Returns the table, the planted phone / e-mail counts in the feedback, the execution (per-customer
    outcome in the period) and the per-owner truth over the tasks planned in the period.
    """
    first, period, after = cal.quarter("baseline")[1], cal.quarter("period")[1], cal.quarter("period")[2]
    months = [m[0] for m in cal.months() if first <= m[0] < after] + [after]  # and the month after
    trigger = first + (rng.random(pop.n) * (after - first)).astype(np.int64)
    roles = sorted({owner for _, _, owner, _ in TASK_PLANS if owner})
    parts = []
    for plan, (key, _, owner, schedule) in enumerate(TASK_PLANS):
        if key == "new":
            who = np.flatnonzero((pop.signup >= first) & (pop.signup < after))
        else:
            who = np.flatnonzero(pop.segment == SEGMENTS.index(key))
        owner_code = manager[who] if owner is None else np.full(len(who), len(STAFF) + roles.index(owner))
        parts += [(who, day, np.full(len(who), plan), owner_code)
                  for day in _planned_days(rng, schedule, who, pop, months, [first, period], trigger)]
    cust, planned, plan, owner = (np.concatenate(x) for x in zip(*parts, strict=True))
    keep = np.flatnonzero(planned >= pop.signup[cust])
    order = keep[np.lexsort((plan[keep], cust[keep], planned[keep]))]
    cust, planned, plan, owner, m = cust[order], planned[order], plan[order], owner[order], len(order)
    last = cal.days - 1
    future, u = planned > last, rng.random(m)
    code = {name: i for i, name in enumerate(TASK_STATUS)}
    rng.integers(0, 12, m)  # the former delay draw: keeps the stream's later draws in place
    names = owner_names(roles)
    ex = execute(exec_rng, cust, planned, owner, plan == len(TASK_PLANS) - 1, pop.signup, cal, TASK_STATUS, names)
    status = np.where(future, np.where(u < 0.85, code["not_started"], code["in_progress"]), ex.status)
    done = status == code["done"]
    actual = ex.actual
    feedback = np.array(FEEDBACK, dtype=object)[rng.integers(0, len(FEEDBACK), m)]
    feedback[rng.random(m) >= np.where(done, 0.75, 0.15)] = None
    n_phone, n_email = min(max(2, round(0.002 * m)), m // 2), min(max(2, round(0.001 * m)), m // 2)
    kept = np.flatnonzero(ex.keep)
    planted = kept[rng.choice(len(kept), n_phone + n_email, replace=False)]
    plant_contact_details(rng, feedback, planted, n_phone, PHONE_FEEDBACK, "please send the quotation to {}@163.com",
                          SURNAMES[1])
    problem = np.where(rng.random(m) < np.where(done, 0.15, 0.7), rng.integers(0, len(PROBLEMS), m), -1)
    action = rng.integers(0, len(NEXT_ACTIONS[0]), m) + np.where(done, 0, len(NEXT_ACTIONS[0]))
    next_missing = rng.random(m) < 0.1
    owners = owner_truth(ex, (planned >= period) & ~future, planned, names, TASK_STATUS)
    rows = np.flatnonzero(ex.keep)
    frame = table_frame("tasks", {
        "task_id": id_column("TASK-", 6, np.arange(1, len(rows) + 1)),
        "customer_id": ref_column(ids, cust[rows]),
        "strategy": text_column(tuple(p[1] for p in TASK_PLANS), plan[rows]),
        "owner": text_column(names, ex.owner[rows]),
        "planned_date": stamp_column(cal, planned[rows] * 86400),
        "actual_date": stamp_column(cal, actual[rows] * 86400, ~done[rows]),
        "status": text_column(TASK_STATUS, status[rows]),
        "feedback": text_column(feedback[rows], missing=pd.isna(feedback[rows])),
        "problem": text_column(PROBLEMS, np.maximum(problem, 0)[rows], missing=problem[rows] < 0),
        "next_action": text_column(NEXT_ACTIONS[0] + NEXT_ACTIONS[1], action[rows], missing=next_missing[rows]),
    })
    return frame, n_phone, n_email, ex, owners
