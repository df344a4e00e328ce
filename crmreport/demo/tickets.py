"""The tickets table: complaints and service requests, with the planted complaint and response effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from .calendar import Calendar
from .columns import (
    clock_seconds,
    id_column,
    int_column,
    poisson_events,
    ref_column,
    stamp_column,
    table_frame,
    text_column,
    weighted_choice,
)
from .events import (
    COMPLAINT_FACTOR,
    COMPLAINT_PRIORITY,
    FIRST_RESPONSE_FACTOR,
    FIRST_RESPONSE_MEDIAN_H,
    FIRST_RESPONSE_SIGMA,
    PRIORITIES,
    SERVICE_PRIORITY,
    SURVEY_ITEMS,
    ticket_rates,
)
from .population import Population
from .vocabulary import SERVICE_CATEGORIES

RESOLUTION_MEDIAN_H = np.array([4.0, 10.0, 20.0, 30.0])  # after the first response, by priority
RESOLUTION_SIGMA = 1.0
STILL_OPEN_SHARE = 0.03              # resolved tickets whose resolution was never recorded


def simulate_tickets(rng: np.random.Generator, pop: Population, cal: Calendar,
                     ids: pa.Array) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray, int]:
    """Complaints and service requests with lognormal response and resolution times.

    Returns the table, the customer, opening and resolution second (-1 = open) of every complaint, and
    the planted issue count.
    """
    n, period = pop.n, cal.quarter("period")[1]
    cust, day, complaint = [], [], []
    for is_complaint in (True, False):
        during, later = ticket_rates(pop, is_complaint)
        factor = COMPLAINT_FACTOR if is_complaint else 1.0
        for lo, hi, rate in ((pop.active_from, pop.stop, during), (pop.stop, np.full(n, cal.days), later)):
            c, d = poisson_events(rng, lo, hi, rate, period, factor)
            cust.append(c)
            day.append(d)
            complaint.append(np.full(len(c), is_complaint))
    cust, day, complaint = np.concatenate(cust), np.concatenate(day), np.concatenate(complaint)
    opened = day * 86400 + clock_seconds(rng, len(cust), "inbound")
    order = np.lexsort((cust, opened))
    cust, day, complaint, opened, m = cust[order], day[order], complaint[order], opened[order], len(order)
    priority = np.where(complaint, weighted_choice(rng, COMPLAINT_PRIORITY, m),
                        weighted_choice(rng, SERVICE_PRIORITY, m))
    hours = FIRST_RESPONSE_MEDIAN_H[priority] * np.where(day >= period, FIRST_RESPONSE_FACTOR, 1.0) \
        * np.exp(FIRST_RESPONSE_SIGMA[priority] * rng.standard_normal(m))
    first = opened + np.maximum(np.round(hours * 3600), 60).astype(np.int64)
    to_solve = RESOLUTION_MEDIAN_H[priority] * np.exp(RESOLUTION_SIGMA * rng.standard_normal(m))
    resolved = first + np.round(to_solve * 3600).astype(np.int64)
    horizon = cal.days * 86400
    unanswered = first >= horizon
    still_open = (resolved >= horizon) | (rng.random(m) < STILL_OPEN_SHARE)
    service = weighted_choice(rng, [w for *_, w in SERVICE_CATEGORIES], m) + 1
    topic = np.where(complaint, 0, service)
    latent = pop.mood[cust] - 0.35 * np.log(np.maximum(hours + to_solve, 1) / 24) - 0.4 * complaint \
        + rng.standard_normal(m)
    satisfaction = 1 + np.searchsorted(SURVEY_ITEMS["csat"][1], latent)
    candidates = np.flatnonzero(~unanswered & (day >= 3) & (day < cal.quarter("baseline")[1]))
    if len(candidates) < 3:
        candidates = np.flatnonzero(~unanswered & (day >= 3))
    bad = rng.choice(candidates, min(max(3, round(0.001 * m)), len(candidates)), replace=False)
    first[bad] = 2 * opened[bad] - first[bad]
    frame = table_frame("tickets", {
        "ticket_id": id_column("TK", 7, np.arange(1, m + 1)),
        "customer_id": ref_column(ids, cust),
        "opened_at": stamp_column(cal, opened),
        "first_response_at": stamp_column(cal, first, unanswered),
        "resolved_at": stamp_column(cal, resolved, unanswered | still_open),
        "priority": text_column(PRIORITIES, priority),
        "category": text_column(("complaint",) + tuple(c for c, *_ in SERVICE_CATEGORIES), topic),
        "department": text_column(("customer service",) + tuple(d for _, d, _ in SERVICE_CATEGORIES), topic),
        "satisfaction": int_column(satisfaction, unanswered | still_open | (rng.random(m) < 0.35)),
    })
    closed = np.where(unanswered | still_open, -1, resolved)
    return frame, cust[complaint], opened[complaint], closed[complaint], len(bad)
