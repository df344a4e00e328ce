"""The truth of the 7-24-72 service rule in the period: planted probability and what the tables show.

Rules (all on events inside the period; events too close to ``end`` to be judged are not eligible):

first_follow_up_7d
    Customers who signed up in the period at least 7 days before ``end``. Met when the first
    outbound interaction at or after the signup date, or the first done task with an
    ``actual_date`` on or after it, lies at most 7 days after the signup date (midnight). The
    planted mechanism is the day-3 onboarding task (its owner's completion and on-time rates,
    late tasks done 1-4 days late still meet the rule), plus the chance of an ordinary outbound
    contact in the first 7 days.
reply_24h
    Inbound consultations and complaints at least 24 hours before ``end``. Met when the next
    outbound interaction to the customer, or for a complaint the first response of its ticket
    (same customer, ``opened_at`` = ``interaction_time``), comes within 24 hours. Planted: a reply
    to a consultation within 24 hours with probability 0.85; a complaint's first response is
    lognormal by priority (period medians 0.75 x 1, 5, 8, 12 hours).
resolve_72h
    Tickets opened in the period at least 72 hours before ``end``. Met when ``resolved_at -
    opened_at <= 72`` hours. Planted: lognormal resolution after the first response (medians 4,
    10, 20, 30 hours by priority), 3% never recorded as resolved.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .calendar import Calendar
from .commlog import REPLY_24H
from .events import FIRST_RESPONSE_FACTOR, FIRST_RESPONSE_MEDIAN_H, FIRST_RESPONSE_SIGMA, PRIORITIES, outbound_rates
from .execution import OWNER_RATES, p_met_7_days
from .population import Population
from .tickets import RESOLUTION_MEDIAN_H, RESOLUTION_SIGMA, STILL_OPEN_SHARE

ONBOARDING = "day-3 onboarding call"
DAY, HOUR = pd.Timedelta(days=1), pd.Timedelta(hours=1)


def _rule(planted: np.ndarray, met: np.ndarray) -> dict:
    k = len(met)
    return {"eligible": k, "planted_rate": float(planted.mean()) if k else float("nan"),
            "met": int(met.sum()), "observed_rate": float(met.mean()) if k else float("nan")}


def _first_follow_up(pop: Population, cal: Calendar, ids: pd.Index, tables: dict[str, pd.DataFrame]) -> dict:
    period, end = cal.quarter("period")[1], pd.Timestamp(cal.date(cal.days))
    customers = tables["customers"]
    signup = customers.signup_date
    who = np.flatnonzero(((signup >= pd.Timestamp(cal.date(period))) & (signup <= end - 8 * DAY)).to_numpy())
    tasks = tables["tasks"]
    onboarding = tasks[(tasks.strategy == ONBOARDING)].drop_duplicates("customer_id").set_index("customer_id").owner
    names = tuple(OWNER_RATES)
    owner = onboarding.reindex(ids[who]).map(names.index).to_numpy()
    p_task = np.where(np.isnan(owner.astype(float)), 0.0, p_met_7_days(np.nan_to_num(owner).astype(int), names))
    rate = outbound_rates(pop)[0][who]
    planted = 1 - (1 - p_task) * np.exp(-7 * rate)
    start = signup.iloc[who].set_axis(ids[who])
    inter = tables["interactions"]
    out = inter[(inter.direction == "outbound") & inter.customer_id.isin(start.index)]
    out = out[out.interaction_time >= start.reindex(out.customer_id).to_numpy()]
    done = tasks[tasks.actual_date.notna() & tasks.customer_id.isin(start.index)]
    done = done[done.actual_date >= start.reindex(done.customer_id).to_numpy()]
    first = pd.concat([out.groupby("customer_id").interaction_time.min(),
                       done.groupby("customer_id").actual_date.min()], axis=1).min(axis=1).reindex(start.index)
    met = ((first - start) <= 7 * DAY).to_numpy()
    return _rule(planted, met)


def _reply_24h(cal: Calendar, tables: dict[str, pd.DataFrame]) -> dict:
    period, end = pd.Timestamp(cal.date(cal.quarter("period")[1])), pd.Timestamp(cal.date(cal.days))
    inter = tables["interactions"]
    asked = inter[inter.interaction_type.isin(("consultation", "complaint")) & (inter.direction == "inbound")
                  & (inter.interaction_time >= period) & (inter.interaction_time <= end - 24 * HOUR)]
    out = inter[inter.direction == "outbound"].sort_values("interaction_time")
    nxt = pd.merge_asof(asked.sort_values("interaction_time")[["interaction_id", "customer_id", "interaction_time"]],
                        out[["customer_id", "interaction_time"]].rename(columns={"interaction_time": "reply_at"}),
                        left_on="interaction_time", right_on="reply_at", by="customer_id",
                        direction="forward", allow_exact_matches=False).set_index("interaction_id").reply_at
    tickets = tables["tickets"]
    linked = asked.merge(tickets, left_on=["customer_id", "interaction_time"], right_on=["customer_id", "opened_at"],
                         how="left").drop_duplicates("interaction_id").set_index("interaction_id")
    reply = pd.concat([nxt.reindex(asked.interaction_id), linked.first_response_at.reindex(asked.interaction_id)],
                      axis=1).min(axis=1)
    met = ((reply.to_numpy() - asked.interaction_time.to_numpy()) <= 24 * HOUR)
    priority = linked.priority.reindex(asked.interaction_id).map({p: i for i, p in enumerate(PRIORITIES)})
    complaint = (asked.interaction_type == "complaint").to_numpy()
    code = np.nan_to_num(priority.to_numpy(dtype=float)).astype(int)
    z = (np.log(24) - np.log(FIRST_RESPONSE_MEDIAN_H[code] * FIRST_RESPONSE_FACTOR)) / FIRST_RESPONSE_SIGMA[code]
    planted = np.where(complaint, stats.norm.cdf(z), REPLY_24H)
    return _rule(planted, met)


def _resolve_72h(cal: Calendar, tables: dict[str, pd.DataFrame]) -> dict:
    period, end = pd.Timestamp(cal.date(cal.quarter("period")[1])), pd.Timestamp(cal.date(cal.days))
    tickets = tables["tickets"]
    mine = tickets[(tickets.opened_at >= period) & (tickets.opened_at <= end - 72 * HOUR)]
    met = ((mine.resolved_at - mine.opened_at) <= 72 * HOUR).to_numpy()
    first = ((mine.first_response_at - mine.opened_at) / HOUR).to_numpy(dtype=float, na_value=np.inf)
    code = mine.priority.map({p: i for i, p in enumerate(PRIORITIES)}).to_numpy(dtype=int)
    room = np.log(np.clip(72 - first, 1e-9, None))
    planted = np.where(first < 72, (1 - STILL_OPEN_SHARE) * stats.norm.cdf(
        (room - np.log(RESOLUTION_MEDIAN_H[code])) / RESOLUTION_SIGMA), 0.0)
    return _rule(planted, met)


def followup_truth(pop: Population, cal: Calendar, tables: dict[str, pd.DataFrame]) -> dict[str, dict]:
    """Per rule of 7-24-72: eligible, planted rate (model expectation), met and observed rate in the tables."""
    ids = pd.Index(tables["customers"].customer_id)
    return {"first_follow_up_7d": _first_follow_up(pop, cal, ids, tables), "reply_24h": _reply_24h(cal, tables),
            "resolve_72h": _resolve_72h(cal, tables)}


def sla_truth(cal: Calendar, tickets: pd.DataFrame) -> dict[str, dict]:
    """First-response compliance per priority over tickets opened in the period (limit: urgent 2 h, else 24 h).

    Eligible: opened at least the limit before ``end``; met: ``first_response_at - opened_at <= limit``;
    planted: the lognormal first-response model of the period.
    """
    period, end = pd.Timestamp(cal.date(cal.quarter("period")[1])), pd.Timestamp(cal.date(cal.days))
    out = {}
    for code, priority in enumerate(PRIORITIES):
        limit = 2.0 if priority == "urgent" else 24.0
        mine = tickets[(tickets.priority == priority) & (tickets.opened_at >= period)
                       & (tickets.opened_at <= end - limit * HOUR)]
        met = ((mine.first_response_at - mine.opened_at) <= limit * HOUR).to_numpy()
        z = (np.log(limit) - np.log(FIRST_RESPONSE_MEDIAN_H[code] * FIRST_RESPONSE_FACTOR)) / FIRST_RESPONSE_SIGMA[code]
        out[priority] = {"limit_hours": limit, **_rule(np.full(len(mine), stats.norm.cdf(z)), met)}
    return out
