"""Event rates of the latent model: contacts, tickets, surveys and the randomised campaigns.

The table simulations sample from these rates and :mod:`crmreport.demo.kpi_truth` integrates
them analytically, so the sample and the truth never drift. The planted effects (complaint
rate, first-response time, survey shifts) apply from the period's first day on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from .population import Population

PRIORITIES = ("urgent", "high", "medium", "low")

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
    assign_days: int = 3  # customers are assigned over this many days from the start (staggered)


CAMPAIGNS = (
    CampaignSpec("SMS", "sms", "period", "B2C", 6, (
        Arm("control", 0.06, 0.35, 300.0), Arm("sms_a", 0.09, 0.40, 300.0), Arm("sms_b", 0.06, 0.35, 300.0)), 0.6),
    CampaignSpec("CALL", "call", "period", "B2B", 0, (
        Arm("control", 0.18, 0.30, 15000.0), Arm("call", 0.32, 0.35, 18000.0)), 0.8),
    CampaignSpec("EMAIL", "email", "baseline", "all", 14, (
        Arm("control", 0.05, 0.20, 2000.0), Arm("email", 0.05, 0.20, 2000.0)), 0.9),
    # a call pilot assigned by agents over the last three weeks of the baseline quarter: read running in that
    # quarter's report, concluded in the next one (drawn last, so the other campaigns' draws are unchanged)
    CampaignSpec("PILOT", "call", "baseline", "B2C", 69, (
        Arm("control", 0.10, 0.30, 500.0), Arm("callback", 0.17, 0.35, 500.0)), 0.7, assign_days=21),
)
#: campaign response and conversion propensity by lifecycle stage
CAMPAIGN_LIFE_FACTOR = np.array([1.1, 1.0, 0.6, 0.3])


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
