"""The KPI truth: expected before (baseline) and after (period) values of every KPI.

Values are expectations over the event-level randomness given the drawn customers, computed
analytically from :mod:`crmreport.demo.population` and :mod:`crmreport.demo.events`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy import optimize, stats

from .calendar import Calendar
from .commlog import CALLBACK_RESPONDED, CALLBACK_SHARE, REPLY_RESPONDED, SUGGESTION_SHARE
from .events import (
    COMPLAINT_FACTOR,
    COMPLAINT_PRIORITY,
    FIRST_RESPONSE_FACTOR,
    FIRST_RESPONSE_MEDIAN_H,
    FIRST_RESPONSE_SIGMA,
    SERVICE_PRIORITY,
    SURVEY_ITEMS,
    channel_response_factor,
    inbound_rates,
    outbound_rates,
    score_probs,
    survey_latent,
    survey_propensity,
    survey_window,
    ticket_rates,
)
from .population import FIRST_ORDER_P, Population, month_exposure, overlap
from .tickets import STILL_OPEN_SHARE


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
    # replies to consultations and complaint call-backs are outbound contacts too (their delay is ignored)
    in_rate, in_after = inbound_rates(pop)
    replies = (1 - SUGGESTION_SHARE) * (in_rate * overlap(lo, stop, a, b) + in_after * overlap(stop, end, a, b)).sum()
    calls = tickets[True] * (1 - STILL_OPEN_SHARE) * CALLBACK_SHARE
    contacts_all = contacts.sum() + replies + calls
    responses_all = responses.sum() + replies * REPLY_RESPONDED + calls * CALLBACK_RESPONDED
    weights = tickets[True] * COMPLAINT_PRIORITY + tickets[False] * SERVICE_PRIORITY
    log_medians = np.log(FIRST_RESPONSE_MEDIAN_H * (FIRST_RESPONSE_FACTOR if after else 1.0))

    def below_half(x: float) -> float:
        return float(weights @ stats.norm.cdf((np.log(x) - log_medians) / FIRST_RESPONSE_SIGMA)) / weights.sum() - 0.5

    kpis = {
        "csat_mean": 0.0, "nps": 0.0, "trust_mean": 0.0,
        "complaints_per_100_customers": 100 * tickets[True] / max(int((pop.signup < b).sum()), 1),
        "median_first_response_hours": optimize.brentq(below_half, 1e-3, 1e4, xtol=1e-10),
        "aov": float(weight @ pop.mean_amount / weight.sum()),
        "outbound_response_rate": float(responses_all / contacts_all),
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


def without_churned_orders(pop: Population, cal: Calendar, stop_day: np.ndarray) -> Population:
    """``pop`` with the expected orders of every month cut at the customer's churn ``stop_day`` (baseline or period)."""
    orders = pop.orders.copy()
    for k, month in enumerate(cal.months()):
        lo, length, _ = month_exposure(pop.active_from, pop.stop, pop.growth, month, cal.t12_day)
        kept = np.clip(np.minimum(lo + length, stop_day) - lo, 0, None)
        orders[:, k] *= np.divide(kept, length, out=np.ones(pop.n), where=length > 0)
    return replace(pop, orders=orders)
