"""The planted truth behind the demo data: the latent customer model and what it implies.

:mod:`crmreport.demo` samples the eight tables from the model defined here; this module
draws the hidden customer parameters and computes, analytically, the values that the
analyses are later checked against (value tiers, segments, KPI before/after, campaign
effects). Both modules read the same constants, so the truth and the sample never drift.
Day numbers count from the first day of the window (day 0); negative days lie before it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
from scipy import optimize, stats

SEGMENTS = ("core", "mature_stable", "maintain", "growth", "regular", "observe",
            "opportunity", "low_value_stable", "churn_warning")
LIFECYCLES = ("new", "active", "dormant", "churned")
TRENDS = ("growing", "stable", "shrinking")
VALUE_TIERS = ("high", "medium", "low")
#: share of customers in the high / medium / low value tier (by latent trailing-12-month spend rank)
VALUE_SHARES = (0.2, 0.3, 0.5)
PRIORITIES = ("urgent", "high", "medium", "low")

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

OUTBOUND_PER_YEAR = np.array([10.0, 4.0, 1.5])        # by value tier, while active
OUTBOUND_AFTER_STOP = {2: 4.0, 3: 2.0}                # dormant: quarterly, churned: win-back
SEGMENT_RESPONSE = np.array([0.72, 0.62, 0.48, 0.60, 0.50, 0.40, 0.45, 0.38, 0.24])
RESPONSE_AFTER_STOP = 0.5
#: outbound (interaction_type, channel): probability for B2C, for B2B, and response factor
OUTBOUND_KINDS = (
    ("follow_up", "phone", 0.20, 0.30, 1.15), ("follow_up", "email", 0.05, 0.08, 0.75),
    ("follow_up", "im", 0.15, 0.10, 1.0), ("follow_up", "survey", 0.06, 0.04, 0.7),
    ("marketing", "sms", 0.25, 0.04, 0.55), ("marketing", "email", 0.10, 0.08, 0.6),
    ("marketing", "app", 0.10, 0.01, 0.7), ("visit", "visit", 0.02, 0.25, 1.3),
    ("event", "event", 0.07, 0.10, 1.0),
)
INBOUND_PER_YEAR = (0.8, 2.5)                          # consultations + suggestions, B2C / B2B
INBOUND_AFTER_STOP = {2: 0.3, 3: 0.0}
COMPLAINTS_PER_YEAR, SERVICE_PER_YEAR = (0.25, 0.7), (0.5, 1.5)
COMPLAINT_SHRINKING = 1.6                              # shrinking customers complain more
TICKETS_AFTER_STOP = {2: 0.3, 3: 0.0}
COMPLAINT_PRIORITY = np.array([0.15, 0.35, 0.35, 0.15])
SERVICE_PRIORITY = np.array([0.05, 0.20, 0.45, 0.30])
FIRST_RESPONSE_MEDIAN_H = np.array([1.0, 5.0, 8.0, 12.0])
FIRST_RESPONSE_SIGMA = np.array([0.9, 1.0, 1.0, 1.0])

#: planted effects from the period's first day on (the "strategy")
COMPLAINT_FACTOR = 0.7
FIRST_RESPONSE_FACTOR = 0.75
#: survey items: (lowest score, cut points of the unit-variance ordinal probit, planted latent shift)
SURVEY_ITEMS = {
    "csat": (1, np.array([-2.0, -1.3, -0.5, 0.6]), 0.37),
    "nps": (0, np.array([-3.0, -2.7, -2.4, -2.0, -1.7, -1.35, -0.98, -0.35, 0.3, 1.1]), 0.18),
    "trust": (1, np.array([-2.2, -1.4, -0.4, 0.8]), 0.0),
}
SURVEY_MISSING = {"csat": 0.04, "nps": 0.07, "trust": 0.10}
SURVEY_PROPENSITY = (0.2, 0.35)                        # per quarter, B2C / B2B
SURVEY_MIN_DAYS = 14
#: latent satisfaction ("mood") shift by trend and by lifecycle stage, and its customer-level spread
MOOD_TREND = np.array([0.35, 0.0, -0.35])
MOOD_LIFE = np.array([0.1, 0.0, -0.3, -0.3])
MOOD_SIGMA = 0.5


@dataclass(frozen=True)
class Arm:
    """One campaign arm: P(response), P(conversion | response) and the converters' revenue median."""

    name: str
    response: float
    convert_given_response: float
    revenue_median: float


@dataclass(frozen=True)
class CampaignSpec:
    """One randomised outreach campaign; the first arm is the control."""

    prefix: str
    channel: str
    quarter: Literal["period", "baseline"]
    customers: Literal["B2C", "B2B", "all"]
    start_offset_days: int  # campaign start after the quarter's first day
    arms: tuple[Arm, ...]
    revenue_sigma: float


CAMPAIGNS = (
    CampaignSpec("SMS", "sms", "period", "B2C", 6, (
        Arm("control", 0.06, 0.35, 300.0), Arm("sms_a", 0.09, 0.40, 300.0), Arm("sms_b", 0.06, 0.35, 300.0)), 0.6),
    CampaignSpec("CALL", "call", "period", "B2B", 0, (
        Arm("control", 0.18, 0.30, 15000.0), Arm("call", 0.32, 0.35, 18000.0)), 0.8),
    CampaignSpec("EMAIL", "email", "baseline", "all", 14, (
        Arm("control", 0.05, 0.20, 2000.0), Arm("email", 0.05, 0.20, 2000.0)), 0.9),
)
#: campaign response and conversion propensity by lifecycle stage
CAMPAIGN_LIFE_FACTOR = np.array([1.1, 1.0, 0.6, 0.3])


def _add_months(d: date, months: int) -> date:
    """``d`` moved by whole months, clipped to the end of the target month."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Calendar:
    """The data window ``start .. end`` (inclusive) and the quarters the truth refers to.

    ``period`` is the last complete calendar quarter ending on or before ``end``;
    ``baseline`` the quarter before it.
    """

    start: date
    end: date

    @classmethod
    def make(cls, end: date, years: int) -> Calendar:
        if years < 1:
            raise ValueError(f"years={years}: the demo needs at least one year of data")
        return cls(_add_months(end, -12 * years) + timedelta(days=1), end)

    def day(self, d: date) -> int:
        """Day number of ``d`` (0 = ``start``)."""
        return (d - self.start).days

    def date(self, day: int) -> date:
        """The date of day number ``day``."""
        return self.start + timedelta(days=int(day))

    @property
    def days(self) -> int:
        """Number of days in the window."""
        return self.day(self.end) + 1

    def quarter(self, which: Literal["period", "baseline"]) -> tuple[str, int, int]:
        """(label, first day, day after the last) of the period or the baseline quarter."""
        first = date(self.end.year, 3 * ((self.end.month - 1) // 3) + 1, 1)
        if _add_months(first, 3) - timedelta(days=1) != self.end:
            first = _add_months(first, -3)
        if which == "baseline":
            first = _add_months(first, -3)
        return f"{first.year}Q{(first.month - 1) // 3 + 1}", self.day(first), self.day(_add_months(first, 3))

    @property
    def t12_day(self) -> int:
        """First day of the trailing 12 months ``(end - 12 months, end]``, which is also the trend phase."""
        return self.day(_add_months(self.end, -12) + timedelta(days=1))

    def months(self) -> list[tuple[int, int, int]]:
        """(first day, day after the last, calendar month) of every month in the window."""
        out, first = [], date(self.start.year, self.start.month, 1)
        while first <= self.end:
            nxt = _add_months(first, 1)
            out.append((max(self.day(first), 0), min(self.day(nxt), self.days), first.month))
            first = nxt
        return out

    def quarters(self) -> list[tuple[int, int]]:
        """(first day, day after the last) of every calendar quarter in the window, clipped to it."""
        out, first = [], date(self.start.year, 3 * ((self.start.month - 1) // 3) + 1, 1)
        while first <= self.end:
            nxt = _add_months(first, 3)
            out.append((max(self.day(first), 0), min(self.day(nxt), self.days)))
            first = nxt
        return out


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


def _by_type(values: tuple[float, float], pop: Population) -> np.ndarray:
    return np.asarray(values)[pop.b2b.astype(int)]


def _after_stop(factors: dict[int, float], pop: Population) -> np.ndarray:
    return np.select([pop.life == 2, pop.life == 3], [factors[2], factors[3]], 0.0)


def outbound_rates(pop: Population) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Outbound contacts per day and P(response) before the channel factor: (rate, p) while active, then after stop."""
    rate = OUTBOUND_PER_YEAR[pop.value] / 365
    p = SEGMENT_RESPONSE[pop.segment]
    return rate, p, _after_stop(OUTBOUND_AFTER_STOP, pop) / 365, p * RESPONSE_AFTER_STOP


def inbound_rates(pop: Population) -> tuple[np.ndarray, np.ndarray]:
    """Consultations and suggestions per day: while active, after stop."""
    rate = _by_type(INBOUND_PER_YEAR, pop) / 365
    return rate, rate * _after_stop(INBOUND_AFTER_STOP, pop)


def ticket_rates(pop: Population, complaint: bool) -> tuple[np.ndarray, np.ndarray]:
    """Complaint or service-request tickets per day before the period's planted factor: while active, after stop."""
    if complaint:
        rate = _by_type(COMPLAINTS_PER_YEAR, pop) * np.where(pop.trend == 2, COMPLAINT_SHRINKING, 1.0) / 365
    else:
        rate = _by_type(SERVICE_PER_YEAR, pop) / 365
    return rate, rate * _after_stop(TICKETS_AFTER_STOP, pop)


def channel_response_factor(pop: Population) -> np.ndarray:
    """Expected channel response factor of one outbound contact (depends on B2B/B2C)."""
    probs = np.array([[k[2], k[3]] for k in OUTBOUND_KINDS])
    factors = np.array([k[4] for k in OUTBOUND_KINDS])
    return (factors @ probs)[pop.b2b.astype(int)]


def survey_window(pop: Population, a: int, b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A quarter's answer window per customer: (first day, length, eligible); churned customers stop answering."""
    lo = np.maximum(pop.signup, a)
    hi = np.where(pop.life == 3, np.minimum(pop.stop, b), b)
    length = np.clip(hi - lo, 0, None)
    return lo, length, length >= SURVEY_MIN_DAYS


def survey_propensity(pop: Population) -> np.ndarray:
    """P(answering the survey in a quarter) for an eligible customer."""
    return _by_type(SURVEY_PROPENSITY, pop) * np.where(pop.life == 2, 0.5, 1.0)


def survey_latent(pop: Population, item: str, after: bool) -> np.ndarray:
    """Mean of the unit-variance latent score of ``item``; the planted shift applies from the period on."""
    return pop.mood + (SURVEY_ITEMS[item][2] if after else 0.0)


def score_probs(latent: np.ndarray, item: str) -> np.ndarray:
    """(customers, scores) probabilities of every score of ``item`` (ordinal probit)."""
    cdf = stats.norm.cdf(SURVEY_ITEMS[item][1][None, :] - latent[:, None])
    ones = np.ones((len(latent), 1))
    return np.diff(np.hstack([0 * ones, cdf, ones]), axis=1)


def campaign_eligible(pop: Population, spec: CampaignSpec, start_day: int) -> np.ndarray:
    """Customers a campaign randomises: right type, signed up before it starts, usable contact for its channel."""
    ok = pop.signup < start_day
    if spec.customers != "all":
        ok &= pop.b2b == (spec.customers == "B2B")
    return ok & ~(pop.email_bad if spec.channel == "email" else pop.phone_bad)


def campaign_truth(pop: Population, spec: CampaignSpec, eligible: np.ndarray) -> dict:
    """Population response, conversion and revenue of every arm over the eligible customers, and the effects."""
    factor = CAMPAIGN_LIFE_FACTOR[pop.life[eligible]].mean() if eligible.any() else 1.0
    arms = {}
    for arm in spec.arms:
        response = arm.response * factor
        conversion = response * arm.convert_given_response
        per_converter = arm.revenue_median * np.exp(spec.revenue_sigma**2 / 2)
        arms[arm.name] = {"response_rate": response, "conversion_rate": conversion,
                          "revenue_per_converter": per_converter, "revenue_per_customer": conversion * per_converter}
    control = arms[spec.arms[0].name]
    effects = {name: {k: arms[name][k] - control[k] for k in ("response_rate", "conversion_rate",
                                                             "revenue_per_customer")}
               for name in arms if name != spec.arms[0].name}
    return {"arms": arms, "effects": effects}


def _quarter_kpis(pop: Population, cal: Calendar, a: int, b: int, after: bool) -> dict[str, float]:
    """Expected KPI values of the quarter ``[a, b)`` given the customers."""
    months = [k for k, m in enumerate(cal.months()) if a <= m[0] < b]
    weight = pop.orders[:, months].sum(axis=1) + FIRST_ORDER_P * ((pop.signup >= a) & (pop.signup < b))
    lo, stop, end = pop.active_from, pop.stop, cal.days
    rate, p, rate_after, p_after = outbound_rates(pop)
    contacts = rate * overlap(lo, stop, a, b) + rate_after * overlap(stop, end, a, b)
    responses = (rate * p * overlap(lo, stop, a, b) + rate_after * p_after * overlap(stop, end, a, b)) \
        * channel_response_factor(pop)
    tickets = {}
    for kind in (True, False):
        during, later = ticket_rates(pop, kind)
        factor = COMPLAINT_FACTOR if (after and kind) else 1.0
        tickets[kind] = factor * (during * overlap(lo, stop, a, b) + later * overlap(stop, end, a, b)).sum()
    weights = tickets[True] * COMPLAINT_PRIORITY + tickets[False] * SERVICE_PRIORITY
    log_medians = np.log(FIRST_RESPONSE_MEDIAN_H * (FIRST_RESPONSE_FACTOR if after else 1.0))

    def below_half(x: float) -> float:
        return float(weights @ stats.norm.cdf((np.log(x) - log_medians) / FIRST_RESPONSE_SIGMA)) / weights.sum() - 0.5

    kpis = {
        "csat_mean": 0.0, "nps": 0.0, "trust_mean": 0.0,
        "complaints_per_100_customers": 100 * tickets[True] / max(int((pop.signup < b).sum()), 1),
        "median_first_response_hours": optimize.brentq(below_half, 1e-3, 1e4, xtol=1e-10),
        "aov": float(weight @ pop.mean_amount / weight.sum()),
        "outbound_response_rate": float(responses.sum() / contacts.sum()),
    }
    _, _, eligible = survey_window(pop, a, b)
    answers = eligible * survey_propensity(pop)
    for item in SURVEY_ITEMS:
        probs = score_probs(survey_latent(pop, item, after), item)
        if item == "nps":
            kpis["nps"] = 100 * float(answers @ (probs[:, 9:].sum(axis=1) - probs[:, :7].sum(axis=1)) / answers.sum())
        else:
            scores = np.arange(probs.shape[1]) + SURVEY_ITEMS[item][0]
            kpis[f"{item}_mean"] = float(answers @ (probs @ scores) / answers.sum())
    return kpis


KPI_DEFINITIONS = {
    "csat_mean": ("score", "mean csat (1-5) of the survey responses answered in the quarter, empty scores ignored"),
    "nps": ("points", "% of nps answers 9-10 minus % 0-6, in points, over the quarter's non-empty nps answers"),
    "trust_mean": ("score", "mean trust (1-5) of the quarter's survey responses, empty scores ignored"),
    "complaints_per_100_customers": ("per 100 customers", "tickets with category 'complaint' opened in the quarter "
                                     "per 100 customers whose signup_date is on or before the quarter's last day"),
    "median_first_response_hours": ("hours", "median of first_response_at - opened_at over the tickets opened in "
                                    "the quarter (all priorities; tickets still unanswered at `end` ignored)"),
    "aov": ("CNY", "mean amount of the quarter's transactions with amount > 0 (refunds and duplicates excluded)"),
    "outbound_response_rate": ("share", "share of the quarter's outbound interactions with responded = true"),
}
PLANTED_KPIS = ("csat_mean", "nps", "complaints_per_100_customers", "median_first_response_hours")


def kpi_truth(pop: Population, cal: Calendar) -> dict[str, dict]:
    """Before (baseline) and after (period) value of every KPI, and whether the generator planted a change."""
    before = _quarter_kpis(pop, cal, *cal.quarter("baseline")[1:], after=False)
    after = _quarter_kpis(pop, cal, *cal.quarter("period")[1:], after=True)
    out = {}
    for name, (unit, definition) in KPI_DEFINITIONS.items():
        b, a = before[name], after[name]
        out[name] = {"before": b, "after": a, "change": a - b, "relative_change": (a - b) / b if b else None,
                     "planted_effect": name in PLANTED_KPIS, "unit": unit, "definition": definition}
    return out
