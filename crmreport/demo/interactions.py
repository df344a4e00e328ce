"""The interactions table: outbound contacts, inbound consultations and suggestions, complaint calls, replies.

Sentiment depends on the interaction type and on the customer's latent satisfaction (:data:`SENTIMENT_MOOD`);
the communication-log columns come from :mod:`crmreport.demo.commlog`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import stats

from ..core.contract import TABLES
from .calendar import Calendar
from .columns import (
    bool_column,
    choice_by_type,
    clock_seconds,
    id_column,
    int_column,
    poisson_events,
    ref_column,
    stamp_column,
    table_frame,
    text_column,
)
from .commlog import CALLBACK_RESPONDED, REPLY_RESPONDED, SUGGESTION_SHARE, callbacks, log_columns, replies
from .events import OUTBOUND_KINDS, inbound_rates, outbound_rates
from .population import Population
from .vocabulary import INBOUND_CHANNEL_WEIGHTS, INBOUND_CHANNELS, SENTIMENT_WEIGHTS

INTERACTION_CHANNELS = TABLES["interactions"].column("channel").choices
INTERACTION_TYPES = TABLES["interactions"].column("interaction_type").choices


#: how far a customer's latent satisfaction (mood) moves the sentiment of their interactions (probit shift)
SENTIMENT_MOOD = 0.8


def _shifted(u: np.ndarray, mood: np.ndarray) -> np.ndarray:
    """Uniform draws moved up by ``SENTIMENT_MOOD * mood`` on the probit scale (higher = more positive)."""
    return stats.norm.cdf(stats.norm.ppf(u) + SENTIMENT_MOOD * mood)


def simulate_interactions(rng: np.random.Generator, pop: Population, cal: Calendar, ids: pa.Array,
                          complaint_cust: np.ndarray, complaint_at: np.ndarray, complaint_resolved: np.ndarray,
                          log_rng: np.random.Generator, manager: np.ndarray) -> tuple[pd.DataFrame, int, int]:
    """Outbound contacts (segment-dependent response), inbound consultations and suggestions, complaint calls,
    replies to consultations and complaint call-backs, with the communication-log columns.

    Returns the table and the number of planted phone numbers and e-mail addresses in its feedback.
    """
    n, kinds = pop.n, OUTBOUND_KINDS
    to_end = np.full(n, cal.days)
    rate, p, rate_after, p_after = outbound_rates(pop)
    c1, d1 = poisson_events(rng, pop.active_from, pop.stop, rate)
    c2, d2 = poisson_events(rng, pop.stop, to_end, rate_after)
    out = np.concatenate([c1, c2])
    kind = choice_by_type(rng, pop.b2b[out], (tuple(k[2] for k in kinds), tuple(k[3] for k in kinds)))
    responded = rng.random(len(out)) < np.concatenate([p[c1], p_after[c2]]) * np.array([k[4] for k in kinds])[kind]
    in_rate, in_after = inbound_rates(pop)
    c3, d3 = poisson_events(rng, pop.active_from, pop.stop, in_rate)
    c4, d4 = poisson_events(rng, pop.stop, to_end, in_after)
    inbound = np.concatenate([c3, c4])
    suggestion = rng.random(len(inbound)) < SUGGESTION_SHARE
    n_out, n_in, n_complaint = len(out), len(inbound), len(complaint_cust)

    cust = np.concatenate([out, inbound, complaint_cust])
    seconds = np.concatenate([np.concatenate([d1, d2]) * 86400 + clock_seconds(rng, n_out, "outbound"),
                              np.concatenate([d3, d4]) * 86400 + clock_seconds(rng, n_in, "inbound"), complaint_at])
    in_channel = choice_by_type(rng, pop.b2b[np.concatenate([inbound, complaint_cust])], INBOUND_CHANNEL_WEIGHTS)
    channel = np.concatenate([np.array([INTERACTION_CHANNELS.index(k[1]) for k in kinds])[kind],
                              np.array([INTERACTION_CHANNELS.index(c) for c in INBOUND_CHANNELS])[in_channel]])
    itype = np.concatenate([np.array([INTERACTION_TYPES.index(k[0]) for k in kinds])[kind],
                            np.where(suggestion, INTERACTION_TYPES.index("suggestion"),
                                     INTERACTION_TYPES.index("consultation")),
                            np.full(n_complaint, INTERACTION_TYPES.index("complaint"))])
    mood = np.concatenate([np.zeros(n_out, int), np.where(suggestion, 2, 1), np.full(n_complaint, 3)])
    cumulative = np.cumsum(np.array(list(SENTIMENT_WEIGHTS.values())), axis=1)
    sentiment = (_shifted(rng.random(len(cust)), pop.mood[cust])[:, None] > cumulative[mood]).sum(axis=1) - 1
    no_answer = np.concatenate([~responded, np.zeros(n_in + n_complaint, bool)])
    empty = no_answer | (rng.random(len(cust)) < 0.1)
    outbound = np.arange(len(cust)) < n_out
    responded = np.concatenate([responded, np.zeros(n_in + n_complaint, bool)])

    horizon = cal.days * 86400
    asked = n_out + np.flatnonzero(~suggestion)
    rows, reply_at, reply_channel = replies(log_rng, seconds[asked], np.array(INTERACTION_CHANNELS)[channel[asked]],
                                            horizon)
    back, back_at = callbacks(log_rng, complaint_resolved, horizon)
    extra = np.concatenate([cust[asked[rows]], complaint_cust[back]])
    k = len(extra)
    extra_responded = log_rng.random(k) < np.where(np.arange(k) < len(rows), REPLY_RESPONDED, CALLBACK_RESPONDED)
    extra_sentiment = (_shifted(log_rng.random(k), pop.mood[extra])[:, None] > cumulative[0]).sum(axis=1) - 1
    cust = np.concatenate([cust, extra])
    seconds = np.concatenate([seconds, reply_at, back_at])
    channel = np.concatenate([channel, [INTERACTION_CHANNELS.index(c) for c in reply_channel],
                              np.full(len(back), INTERACTION_CHANNELS.index("phone"))]).astype(np.int64)
    itype = np.concatenate([itype, np.full(k, INTERACTION_TYPES.index("follow_up"))])
    responded = np.concatenate([responded, extra_responded])
    sentiment = np.concatenate([sentiment, extra_sentiment])
    empty = np.concatenate([empty, ~extra_responded | (log_rng.random(k) < 0.1)])
    outbound = np.concatenate([outbound, np.ones(k, bool)])
    source = np.concatenate([np.zeros(len(outbound) - k, int), np.ones(len(rows), int), np.full(len(back), 2)])

    order = np.lexsort((cust, seconds))
    cust, seconds, channel, itype, source = cust[order], seconds[order], channel[order], itype[order], source[order]
    log, n_phone, n_email = log_columns(log_rng, cust, seconds // 86400, np.array(INTERACTION_TYPES)[itype],
                                        np.array(INTERACTION_CHANNELS)[channel], source,
                                        np.where(empty, -2, sentiment)[order], pop.b2b, manager)
    frame = table_frame("interactions", {
        "interaction_id": id_column("I", 8, np.arange(1, len(cust) + 1)),
        "customer_id": ref_column(ids, cust),
        "interaction_time": stamp_column(cal, seconds),
        "channel": text_column(INTERACTION_CHANNELS, channel),
        "direction": text_column(("outbound", "inbound"), (~outbound[order]).astype(int)),
        "interaction_type": text_column(INTERACTION_TYPES, itype),
        "responded": bool_column(responded[order], ~outbound[order]),
        "sentiment": int_column(sentiment[order], empty[order]),
        "topic": text_column(log["topic"]),
        "urgency": text_column(log["urgency"]),
        "owner": text_column(log["owner"]),
        "due_date": stamp_column(cal, log["due_day"] * 86400, log["due_day"] < 0),
        "follow_up": text_column(log["follow_up"], missing=pd.isna(log["follow_up"])),
        "feedback": text_column(log["feedback"], missing=pd.isna(log["feedback"])),
    })
    return frame, n_phone, n_email
