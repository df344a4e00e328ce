"""The planted churn: customers at risk who stop buying during a quarter, for the baseline and the period.

A real business has stable churn drivers, so the demo plants the same mechanism in both quarters:
the weights a health score fits on the baseline quarter can learn what the period's churn depends on.
Customers at risk in a quarter are those in the ``new`` or ``active`` stage who signed up before it
(for the period, also not churned in the baseline quarter). Each churns with a logistic probability
driven by their health as observable at the quarter's first day (:data:`HEALTH_COEFFICIENTS`, the same
in both quarters): latent satisfaction (what surveys, ticket ratings and sentiment measure),
complaints and service-level breaches of the last 180 days, days since the last purchase, the spend
trend and the response to outbound contacts in the last 180 days; in the period also the execution
of their planned action (:mod:`crmreport.demo.execution`): on time lowers the odds by
:data:`EXECUTION_ODDS_RATIO` ``on_time``, late by ``late``. In each quarter the intercept is set so
that the mean probability over its customers at risk is :data:`TARGET_RATE`. A churner buys nothing
from their stop day on (a day in the quarter's first :data:`STOP_WITHIN_DAYS` days); their contacts,
tickets and surveys go on as drawn (they leave quietly). Each quarter draws from its own random stream.

Strength (issue 27): the coefficients of the drivers other than recency are 1.5 times those first planted
(satisfaction -0.9, complaints 0.35, SLA breaches 0.3, spend trend -0.3, outreach response -1.5; recency
0.45 unchanged). At that first strength recency carried most of the planted churn: on the embedded demo
the planted drivers ranked the period's churn with an AUC of 0.773 against 0.757 for recency alone, and
no score could show that satisfaction, service and response add to recency. Now the planted drivers
reach 0.822 and the planted probabilities 0.828 (``ground_truth.json`` ``health``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .calendar import Calendar
from .execution import OUTCOMES
from .population import Population
from .transactions import Purchases

TARGET_RATE = 0.08
STOP_WITHIN_DAYS = 45
LOOKBACK_DAYS = 180
RECENCY_CAP_DAYS = 365
#: first-response limits in hours by priority (the 24 of 7-24-72; urgent 2 h) and the resolution limit
SLA_HOURS = {"urgent": 2.0, "high": 24.0, "medium": 24.0, "low": 24.0}
RESOLUTION_HOURS = 72.0
#: log-odds per unit of each health driver (definitions in HEALTH_DRIVERS)
HEALTH_COEFFICIENTS = {"satisfaction": -1.35, "complaints_180d": 0.525, "sla_breaches_180d": 0.45,
                       "log_recency_days": 0.45, "spend_trend": -0.45, "outreach_response": -2.25}
HEALTH_DRIVERS = {
    "satisfaction": "latent satisfaction (mood, sd about 0.6) that shifts survey, ticket and sentiment scores",
    "complaints_180d": "complaint tickets opened in the 180 days before the quarter, at most 3",
    "sla_breaches_180d": "tickets opened in the 180 days before the quarter whose first response took longer "
                         "than 2 h (urgent) / 24 h (others) or whose resolution took longer than 72 h "
                         "(unanswered or open at the quarter start when the limit had passed), at most 3",
    "log_recency_days": "log(1 + days from the last purchase before the quarter to its start), "
                        "365 when none",
    "spend_trend": "planted log-spend change per year over the trailing 12 months (the potential tier's trend)",
    "outreach_response": "(responded + 1) / (outbound contacts + 2) over the 180 days before the quarter",
}
EXECUTION_ODDS_RATIO = {"on_time": 0.5, "late": 0.72, "not_done": 1.0}


@dataclass(frozen=True)
class Churn:
    """The churn of one quarter per customer."""

    at_risk: np.ndarray       # bool
    probability: np.ndarray   # 0 where not at risk
    churned: np.ndarray       # bool
    stop_day: np.ndarray      # first day without purchases (the window length when not churned)
    intercept: float
    drivers: pd.DataFrame     # the health drivers per customer


def _customer_index(ids: pd.Index, column: pd.Series) -> np.ndarray:
    return ids.get_indexer(column)


def health_drivers(pop: Population, cal: Calendar, start: int, ids: pd.Index, tickets: pd.DataFrame,
                   interactions: pd.DataFrame, purchases: Purchases) -> pd.DataFrame:
    """The drivers of :data:`HEALTH_DRIVERS` per customer as of day ``start`` (a quarter's first day)."""
    n = pop.n
    at = pd.Timestamp(cal.date(start))
    since = at - pd.Timedelta(days=LOOKBACK_DAYS)
    recent = tickets[(tickets.opened_at >= since) & (tickets.opened_at < at)]
    who = _customer_index(ids, recent.customer_id)
    complaints = np.bincount(who[(recent.category == "complaint").to_numpy()], minlength=n)
    limit = pd.to_timedelta(recent.priority.map(SLA_HOURS).astype(float), unit="h")
    fix = pd.Timedelta(hours=RESOLUTION_HOURS)
    first_late = (recent.first_response_at - recent.opened_at > limit) \
        | (recent.first_response_at.isna() & (recent.opened_at + limit < at))
    fix_late = (recent.resolved_at - recent.opened_at > fix) \
        | (recent.resolved_at.isna() & (recent.opened_at + fix < at))
    breaches = np.bincount(who[(first_late | fix_late).to_numpy()], minlength=n)
    out = interactions[(interactions.direction == "outbound") & (interactions.interaction_time >= since)
                       & (interactions.interaction_time < at)]
    who = _customer_index(ids, out.customer_id)
    contacts = np.bincount(who, minlength=n)
    answered = np.bincount(who, weights=out.responded.fillna(False).to_numpy(bool).astype(float), minlength=n)
    before = (purchases.seconds < start * 86400) & (purchases.amount > 0)
    last = np.full(n, -10**9)
    np.maximum.at(last, purchases.cust[before], purchases.seconds[before] // 86400)
    recency = np.minimum(start - last, RECENCY_CAP_DAYS)
    return pd.DataFrame({"satisfaction": pop.mood, "complaints_180d": np.minimum(complaints, 3),
                         "sla_breaches_180d": np.minimum(breaches, 3), "log_recency_days": np.log1p(recency),
                         "spend_trend": pop.growth, "outreach_response": (answered + 1) / (contacts + 2)})


def _draw(rng: np.random.Generator, at_risk: np.ndarray, score: np.ndarray, start: int, days: int,
          drivers: pd.DataFrame) -> Churn:
    """Churn of the customers ``at_risk`` with log-odds ``intercept + score``, stopping from day ``start`` on."""
    if at_risk.any():
        intercept = optimize.brentq(lambda a: stats.logistic.cdf(a + score[at_risk]).mean() - TARGET_RATE, -50, 50)
    else:
        intercept = 0.0
    probability = np.where(at_risk, stats.logistic.cdf(intercept + score), 0.0)
    churned = rng.random(len(at_risk)) < probability
    stop = np.where(churned, start + rng.integers(0, STOP_WITHIN_DAYS, len(at_risk)), days)
    return Churn(at_risk, probability, churned, stop, float(intercept), drivers)


def driver_score(drivers: pd.DataFrame) -> np.ndarray:
    """The planted log-odds of the drivers (:data:`HEALTH_COEFFICIENTS`), without intercept."""
    return drivers[list(HEALTH_COEFFICIENTS)].to_numpy() @ np.array(list(HEALTH_COEFFICIENTS.values()))


def baseline_churn(rng: np.random.Generator, pop: Population, cal: Calendar, drivers: pd.DataFrame) -> Churn:
    """Draw the baseline quarter's churn from the health drivers as of its first day (no planned actions yet)."""
    start = cal.quarter("baseline")[1]
    return _draw(rng, (pop.life <= 1) & (pop.signup < start), driver_score(drivers), start, cal.days, drivers)


def period_churn(rng: np.random.Generator, pop: Population, cal: Calendar, drivers: pd.DataFrame,
                 execution: np.ndarray, before: Churn) -> Churn:
    """Draw the period churn from the health drivers and the execution (-1 none, else index into OUTCOMES).

    The customers who churned in the baseline quarter (``before``) are not at risk any more.
    """
    start = cal.quarter("period")[1]
    at_risk = (pop.life <= 1) & (pop.signup < start) & ~before.churned
    ratio = np.array([EXECUTION_ODDS_RATIO[o] for o in OUTCOMES] + [1.0])
    score = driver_score(drivers) + np.log(ratio[np.where(execution < 0, len(OUTCOMES), execution)])
    return _draw(rng, at_risk, score, start, cal.days, drivers)


def auc(score: np.ndarray, outcome: np.ndarray) -> float:
    """Area under the ROC curve of ``score`` for the boolean ``outcome`` (ties count half)."""
    pos, neg = int(outcome.sum()), int((~outcome).sum())
    if not pos or not neg:
        return float("nan")
    ranks = stats.rankdata(score)
    return float((ranks[outcome].sum() - pos * (pos + 1) / 2) / (pos * neg))


def churn_truth(churn: Churn, execution: np.ndarray, segment: np.ndarray, segments: tuple[str, ...]) -> dict:
    """The execution effect: churn by the outcome of the planned action, overall and within segment."""
    rows = churn.at_risk & (execution >= 0)
    by = {}
    for k, name in enumerate(OUTCOMES):
        mine = rows & (execution == k)
        by[name] = {"customers": int(mine.sum()), "churned": int(churn.churned[mine].sum()),
                    "churn_rate": float(churn.churned[mine].mean()) if mine.any() else float("nan"),
                    "expected_churn_rate": float(churn.probability[mine].mean()) if mine.any() else float("nan")}
    within = {}
    for s, name in enumerate(segments):
        mine = rows & (segment == s)
        if mine.any():
            within[name] = {o: {"customers": int((mine & (execution == k)).sum()),
                                "churned": int(churn.churned[mine & (execution == k)].sum())}
                            for k, o in enumerate(OUTCOMES)}
    return {"planted_odds_ratio": {"on_time_vs_not_done": EXECUTION_ODDS_RATIO["on_time"],
                                   "late_vs_not_done": EXECUTION_ODDS_RATIO["late"]},
            "by_outcome": by, "by_segment": within}
