"""The latent customer model of the demo: hidden per-customer parameters, value tiers and segments.

:func:`draw_population` draws what every table is sampled from (type, size, signup, trend,
lifecycle stage, order rate and size, satisfaction); the value tier and the nine-box segment
follow from it and are part of the planted truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calendar import Calendar

SEGMENTS = ("core", "mature_stable", "maintain", "growth", "regular", "observe",
            "opportunity", "low_value_stable", "churn_warning")
LIFECYCLES = ("new", "active", "dormant", "churned")
TRENDS = ("growing", "stable", "shrinking")
VALUE_TIERS = ("high", "medium", "low")
#: share of customers in the high / medium / low value tier (by latent trailing-12-month spend rank)
VALUE_SHARES = (0.2, 0.3, 0.5)

B2B_SHARE = 0.4
NEW_SIGNUP_SHARE = 0.17          # customers signing up inside the window
MAX_TENURE_DAYS = 8 * 365        # oldest signup before the window
NEW_DAYS = 180                   # signed up within this many days of `end` = lifecycle "new"
SIZE_SHARES = (0.15, 0.35, 0.5)  # B2B large / medium / small
SIZE_RATE = np.array([1.4, 1.0, 0.8, 1.0])     # order-frequency factor by size (last: B2C)
SIZE_MU = np.array([0.9, 0.0, -0.7, 0.0])      # log order-amount shift by size (last: B2C)
TREND_SHARES = (0.3, 0.4, 0.3)                 # growing / stable / shrinking; new customers never shrink
GROWTH_RANGE = (1.2, 2.0)                      # |log spend change| per year over the trailing 12 months
CHURN_SHARE, DORMANT_SHARE = 0.35, 0.25        # of shrinking, non-new customers
#: orders per year (lognormal median) and log order amount (normal mean), B2C then B2B
ORDER_RATE, RATE_SIGMA = (4.0, 8.0), 0.5
ORDER_MU, MU_SIGMA, AMOUNT_SIGMA = (np.log(280.0), np.log(9000.0)), 0.6, 0.5
FIRST_ORDER_P = 0.9              # chance of an order on the signup day (signups inside the window)
REFUND_SHARE = 0.02
#: purchase-frequency seasonality by calendar month (Q4 peak, February Chinese New Year dip)
SEASON = np.array([1.0, 0.6, 0.95, 0.95, 1.0, 0.95, 0.9, 0.9, 1.0, 1.05, 1.35, 1.25])
SEASON = SEASON / SEASON.mean()
#: latent satisfaction ("mood") shift by trend and by lifecycle stage, and its customer-level spread
MOOD_TREND = np.array([0.35, 0.0, -0.35])
MOOD_LIFE = np.array([0.1, 0.0, -0.3, -0.3])
MOOD_SIGMA = 0.5


@dataclass(frozen=True)
class Population:
    """Hidden per-customer parameters, in customer_id order (oldest signup first)."""

    b2b: np.ndarray          # bool
    size: np.ndarray         # 0 large, 1 medium, 2 small, 3 = B2C (no size)
    signup: np.ndarray       # day number of the signup
    trend: np.ndarray        # index into TRENDS (= potential tier)
    growth: np.ndarray       # log-spend change per year in the trend phase
    life: np.ndarray         # index into LIFECYCLES
    stop: np.ndarray         # day the customer goes quiet (dormant/churned), else the window length
    rate: np.ndarray         # orders per year
    mu: np.ndarray           # mean log order amount
    mood: np.ndarray         # latent satisfaction (shifts every survey item)
    phone_bad: np.ndarray    # bool: planted invalid phone
    email_bad: np.ndarray    # bool: planted invalid e-mail
    orders: np.ndarray       # (customers, months) expected Poisson orders per month of Calendar.months()
    t12_spend: np.ndarray    # latent trailing-12-month spend (expected gross order amount)
    value: np.ndarray        # index into VALUE_TIERS
    segment: np.ndarray      # index into SEGMENTS

    @property
    def n(self) -> int:
        return len(self.b2b)

    @property
    def active_from(self) -> np.ndarray:
        """First day of activity inside the window."""
        return np.maximum(self.signup, 0)

    @property
    def mean_amount(self) -> np.ndarray:
        """Expected amount of one order."""
        return np.exp(self.mu + AMOUNT_SIGMA**2 / 2)


def overlap(lo: np.ndarray, hi: np.ndarray, a: int, b: int) -> np.ndarray:
    """Days of ``[lo, hi)`` inside ``[a, b)``."""
    return np.clip(np.minimum(hi, b) - np.maximum(lo, a), 0, None)


def month_exposure(active_from: np.ndarray, stop: np.ndarray, growth: np.ndarray, month: tuple[int, int, int],
                   trend_day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Active days of a month: (first day, length, trend multiplier at their midpoint).

    The trend multiplier is ``exp(growth * years since trend_day)``, 1 before ``trend_day``.
    """
    lo = np.maximum(active_from, month[0])
    length = np.clip(np.minimum(stop, month[1]) - lo, 0, None)
    mid = lo + length / 2
    return lo, length, np.exp(growth * np.clip(mid - trend_day, 0, None) / 365)


def draw_population(rng: np.random.Generator, n: int, cal: Calendar) -> Population:
    """Draw the hidden parameters of ``n`` customers and derive value tiers and segments.

    Parameters
    ----------
    rng : numpy.random.Generator
        The population's own random stream.
    n : int
        Number of customers.
    cal : Calendar
        The data window.

    Returns
    -------
    Population
    """
    days = cal.days
    signup = np.where(rng.random(n) < NEW_SIGNUP_SHARE, rng.integers(0, days, n),
                      -(rng.random(n) ** 1.4 * MAX_TENURE_DAYS).astype(np.int64) - 1)
    signup.sort()
    b2b = rng.random(n) < B2B_SHARE
    size = np.where(b2b, rng.choice(3, n, p=SIZE_SHARES), 3)
    is_new = signup >= days - NEW_DAYS
    u = rng.random(n)
    trend = np.where(is_new, (u >= 0.5).astype(np.int64),
                     np.searchsorted(np.cumsum(TREND_SHARES)[:-1], u, side="right"))
    speed = rng.uniform(*GROWTH_RANGE, n)
    growth = np.select([trend == 0, trend == 2], [speed, -speed], rng.normal(0.0, 0.08, n))

    baseline = cal.quarter("baseline")[1]   # stage changes end before it: the KPI quarters share one mix
    life = np.where(is_new, 0, 1)
    stop = np.full(n, days, dtype=np.int64)
    u, w = rng.random(n), rng.random(n)
    for stage, share_lo, share_hi, lo, hi in (
        (3, 0.0, CHURN_SHARE, np.maximum(60, signup + 60), baseline - 30),
        (2, CHURN_SHARE, CHURN_SHARE + DORMANT_SHARE, np.maximum(baseline - 150, signup + 60), baseline),
    ):
        pick = (trend == 2) & ~is_new & (u >= share_lo) & (u < share_hi) & (lo < hi)
        life[pick] = stage
        stop[pick] = (lo + w * (hi - lo)).astype(np.int64)[pick]

    rate = np.asarray(ORDER_RATE)[b2b.astype(int)] * SIZE_RATE[size] * np.exp(rng.normal(0, RATE_SIGMA, n))
    mu = np.asarray(ORDER_MU)[b2b.astype(int)] + SIZE_MU[size] + rng.normal(0, MU_SIGMA, n)
    mood = MOOD_TREND[trend] + MOOD_LIFE[life] + rng.normal(0, MOOD_SIGMA, n)
    u = rng.random(n)
    phone_bad, email_bad = u < 0.01, (u >= 0.01) & (u < 0.02)

    months = cal.months()
    orders = np.empty((n, len(months)))
    t12_orders = np.where(signup >= cal.t12_day, FIRST_ORDER_P, 0.0)
    for k, month in enumerate(months):
        lo, length, mult = month_exposure(np.maximum(signup, 0), stop, growth, month, cal.t12_day)
        orders[:, k] = rate / 365 * SEASON[month[2] - 1] * mult * length
        share = np.divide(overlap(lo, lo + length, cal.t12_day, days), length, out=np.zeros(n), where=length > 0)
        t12_orders += orders[:, k] * share
    t12_spend = t12_orders * np.exp(mu + AMOUNT_SIGMA**2 / 2)
    value = value_tiers(t12_spend)
    return Population(b2b, size, signup, trend, growth, life, stop, rate, mu, mood, phone_bad, email_bad,
                      orders, t12_spend, value, value * 3 + trend)


def value_tiers(spend: np.ndarray) -> np.ndarray:
    """Value tier by spend rank: the top 20% high, the next 30% medium, the rest low (ties: lower index first)."""
    n = len(spend)
    order = np.lexsort((np.arange(n), -spend))
    cuts = np.round(np.cumsum(VALUE_SHARES)[:-1] * n).astype(int)
    tier = np.empty(n, dtype=np.int64)
    tier[order] = np.searchsorted(cuts, np.arange(n), side="right")
    return tier
