"""The transactions table: orders and refunds sampled from the latent order rates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from .calendar import Calendar
from .columns import choice_by_type, clock_seconds, id_column, ref_column, stamp_column, table_frame, text_column
from .population import AMOUNT_SIGMA, FIRST_ORDER_P, REFUND_SHARE, Population, month_exposure
from .vocabulary import CATEGORIES, CATEGORY_WEIGHTS, SALES_CHANNEL_WEIGHTS, SALES_CHANNELS


@dataclass(frozen=True)
class Purchases:
    """Every order and refund drawn from the latent model, sorted by time (before the period churn)."""

    cust: np.ndarray
    seconds: np.ndarray
    amount: np.ndarray
    category: np.ndarray   # index into CATEGORIES[0] + CATEGORIES[1]
    channel: np.ndarray    # index into SALES_CHANNELS


def draw_purchases(rng: np.random.Generator, pop: Population, cal: Calendar) -> Purchases:
    """Orders and refunds: Poisson counts per customer and month, lognormal amounts."""
    n = pop.n
    who, days = [], []
    for k, month in enumerate(cal.months()):
        lo, length, _ = month_exposure(pop.active_from, pop.stop, pop.growth, month, cal.t12_day)
        rows = np.repeat(np.arange(n), rng.poisson(pop.orders[:, k]))
        who.append(rows)
        days.append(lo[rows] + (rng.random(len(rows)) * length[rows]).astype(np.int64))
    first = np.flatnonzero((pop.signup >= 0) & (rng.random(n) < FIRST_ORDER_P))
    cust, day = np.concatenate([*who, first]), np.concatenate([*days, pop.signup[first]])
    seconds = day * 86400 + clock_seconds(rng, len(cust), "purchase")
    order = np.lexsort((cust, seconds))
    cust, seconds, m = cust[order], seconds[order], len(order)
    amount = np.round(np.exp(pop.mu[cust] + AMOUNT_SIGMA * rng.standard_normal(m)), 2)
    refund = rng.random(m) < REFUND_SHARE
    amount = np.where(refund, -np.maximum(np.round(amount * rng.uniform(0.3, 1.0, m), 2), 0.01), amount)
    b2b = pop.b2b[cust]
    favourite = choice_by_type(rng, pop.b2b, CATEGORY_WEIGHTS)[cust]
    category = np.where(rng.random(m) < 0.65, favourite, choice_by_type(rng, b2b, CATEGORY_WEIGHTS))
    favourite = choice_by_type(rng, pop.b2b, SALES_CHANNEL_WEIGHTS)[cust]
    channel = np.where(rng.random(m) < 0.8, favourite, choice_by_type(rng, b2b, SALES_CHANNEL_WEIGHTS))
    return Purchases(cust, seconds, amount, category + b2b * len(CATEGORIES[0]), channel)


def simulate_transactions(rng: np.random.Generator, drawn: Purchases, cal: Calendar, ids: pa.Array,
                          stop_day: np.ndarray) -> tuple[pd.DataFrame, int]:
    """The transactions table: the drawn purchases before each customer's ``stop_day``; planted duplicates.

    ``rng`` continues the stream :func:`draw_purchases` used.
    """
    keep = np.flatnonzero(drawn.seconds < stop_day[drawn.cust] * 86400)
    cust, seconds, amount = drawn.cust[keep], drawn.seconds[keep], drawn.amount[keep]
    category, channel, m = drawn.category[keep], drawn.channel[keep], len(keep)
    duplicates = rng.choice(m, round(0.003 * m), replace=False)
    rows = np.sort(np.concatenate([np.arange(m), duplicates]))
    frame = table_frame("transactions", {
        "transaction_id": id_column("T", 8, rows + 1),
        "customer_id": ref_column(ids, cust[rows]),
        "transaction_date": stamp_column(cal, seconds[rows]),
        "amount": pd.Series(amount[rows]),
        "product_category": text_column(CATEGORIES[0] + CATEGORIES[1], category[rows]),
        "channel": text_column(SALES_CHANNELS, channel[rows]),
    })
    return frame, len(duplicates)
