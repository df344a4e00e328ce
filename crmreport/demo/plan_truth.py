"""Ground truth of the plan's execution, the 7-24-72 rule, the period churn and the health drivers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import Calendar
from .churn import (
    EXECUTION_ODDS_RATIO,
    HEALTH_COEFFICIENTS,
    HEALTH_DRIVERS,
    STOP_WITHIN_DAYS,
    TARGET_RATE,
    Churn,
    auc,
    churn_truth,
    driver_score,
)
from .execution import CONCORDANCE, OUTCOMES, Execution
from .followup import followup_truth, sla_truth
from .population import SEGMENTS, Population

EXECUTION_DEFINITION = (
    "tasks in scope: planned_date inside the period (not after end); completion_rate = done / tasks, "
    "on_time_rate = done with actual_date <= planned_date / done. A customer's execution = the outcome of "
    "their first task planned in the period (earliest planned_date, then task_id): on_time, late (done "
    "after planned_date) or not_done; customers whose planned action has no task count as not_done.")


def plan_truth(pop: Population, cal: Calendar, tables: dict[str, pd.DataFrame], execution: Execution,
               owners: dict[str, dict], churn: Churn, before: Churn) -> dict:
    """The ``execution``, ``followup_7_24_72``, ``period_churn*``, ``baseline_churn*`` and ``health`` entries.

    ``churn`` is the period's churn, ``before`` the baseline quarter's.
    """
    ids = tables["customers"]["customer_id"].tolist()
    outcome = execution.customer
    names = np.array(OUTCOMES)
    risk = churn.at_risk
    tasks = tables["tasks"]
    in_period = (tasks.planned_date >= pd.Timestamp(cal.date(cal.quarter("period")[1]))) \
        & (tasks.planned_date <= pd.Timestamp(cal.end))
    all_drivers = auc(churn.probability[risk], churn.churned[risk])
    score = driver_score(churn.drivers)
    return {
        "execution": {
            "definition": EXECUTION_DEFINITION,
            "concordance": CONCORDANCE,
            "owners": owners,
            "customers": {c: str(names[o]) for c, o in zip(ids, outcome, strict=True) if o >= 0},
            "customers_without_task": int((outcome >= 0).sum()) - len(set(tasks.customer_id[in_period])),
            "effect": churn_truth(churn, outcome, pop.segment, SEGMENTS),
        },
        "followup_7_24_72": followup_truth(pop, cal, tables),
        "sla_first_response": sla_truth(cal, tables["tickets"]),
        **{f"{name}_churn{key}": value for name, quarter in (("period", churn), ("baseline", before))
           for key, value in _churn_entries(quarter, ids, cal).items()},
        "health": {
            "coefficients": HEALTH_COEFFICIENTS, "intercept": churn.intercept,
            "baseline_intercept": before.intercept, "drivers": HEALTH_DRIVERS,
            "execution_odds_ratio": EXECUTION_ODDS_RATIO,
            "auc_true_probability": all_drivers,
            "auc_health_drivers": auc(score[risk], churn.churned[risk]),
            "baseline_auc_health_drivers": auc(driver_score(before.drivers)[before.at_risk],
                                               before.churned[before.at_risk]),
        },
    }


def _churn_entries(churn: Churn, ids: list[str], cal: Calendar) -> dict:
    """The ``""``, ``_rate``, ``_summary`` and ``_probability`` entries of one quarter's churn."""
    risk = churn.at_risk
    return {
        "": dict(zip(ids, churn.churned.tolist(), strict=True)),
        "_rate": float(churn.churned[risk].mean()) if risk.any() else float("nan"),
        "_summary": {
            "at_risk": int(risk.sum()), "churned": int(churn.churned.sum()), "planted_rate": TARGET_RATE,
            "stop_within_days": STOP_WITHIN_DAYS,
            "stop_days": {c: cal.date(d).isoformat() for c, d, x in zip(ids, churn.stop_day, churn.churned,
                                                                         strict=True) if x},
        },
        "_probability": {c: float(p) for c, p, r in zip(ids, churn.probability, risk, strict=True) if r},
    }
