"""The surveys table: quarterly csat / nps / trust answers from the ordinal-probit model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from .calendar import Calendar
from .columns import clock_seconds, id_column, int_column, ref_column, stamp_column, table_frame
from .events import SURVEY_ITEMS, SURVEY_MISSING, survey_latent, survey_propensity, survey_window
from .population import Population


def simulate_surveys(rng: np.random.Generator, pop: Population, cal: Calendar,
                     ids: pa.Array) -> tuple[pd.DataFrame, int, int]:
    """Quarterly survey answers (ordinal probit scores); planted csat 6 / nps 11 rows."""
    period, baseline = cal.quarter("period")[1], cal.quarter("baseline")[1]
    who, days = [], []
    for a, b in cal.quarters():
        lo, length, eligible = survey_window(pop, a, b)
        rows = np.flatnonzero(eligible & (rng.random(pop.n) < survey_propensity(pop)))
        who.append(rows)
        days.append(lo[rows] + (rng.random(len(rows)) * length[rows]).astype(np.int64))
    cust, day = np.concatenate(who), np.concatenate(days)
    seconds = day * 86400 + clock_seconds(rng, len(cust), "inbound")
    order = np.lexsort((cust, seconds))
    cust, day, seconds, m = cust[order], day[order], seconds[order], len(order)
    shared = rng.standard_normal(m)
    scores, missing = {}, {}
    for item, (lowest, cuts, _) in SURVEY_ITEMS.items():
        latent = np.where(day >= period, survey_latent(pop, item, True)[cust],
                          survey_latent(pop, item, False)[cust])
        scores[item] = lowest + np.searchsorted(cuts, latent + 0.6 * shared + 0.8 * rng.standard_normal(m))
        missing[item] = rng.random(m) < SURVEY_MISSING[item]
    complete = ~missing["csat"] & ~missing["nps"]
    candidates = np.flatnonzero(complete & (day < baseline))
    if len(candidates) < 3:
        candidates = np.flatnonzero(complete)
    bad = rng.choice(candidates, min(max(3, round(0.001 * m)), len(candidates)), replace=False)
    csat_bad, nps_bad = bad[: (len(bad) + 1) // 2], bad[(len(bad) + 1) // 2:]
    scores["csat"][csat_bad], scores["nps"][nps_bad] = 6, 11
    frame = table_frame("surveys", {
        "survey_id": id_column("S", 7, np.arange(1, m + 1)),
        "customer_id": ref_column(ids, cust),
        "response_time": stamp_column(cal, seconds),
        **{item: int_column(scores[item], missing[item]) for item in SURVEY_ITEMS},
    })
    return frame, len(csat_bad), len(nps_bad)
