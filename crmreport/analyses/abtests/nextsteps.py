"""Chapter 03's "What to do": next steps with numbers, from the chapter's own results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...core.i18n import label, t
from ...core.results import ALL
from ...settings.params import Labels
from ..summary import claims
from ..summary.sources import Results, arm_name

#: the relative lift a test should be able to detect (a row of ab_planning.csv)
PLANNED_LIFT = 0.25


def next_steps(folder: Path, language: str, alpha: float, labels: Labels | None = None) -> list[str]:
    """Scale the arms that worked on revenue, size the tests that were too small, record the costs."""
    results, steps = Results(folder), []
    tests = results.rows("ab_tests", segment=ALL)
    small = []
    for (campaign, arm), rows in (tests.groupby(["campaign_id", "arm"], sort=False) if not tests.empty else []):
        if claims.still_running(results, campaign, arm) is not None:
            continue  # its decision (continue, or stop for futility) is the step
        named, _ = claims.arm_claim(rows, alpha, claims.reads_sequential(results, campaign))
        if named is not None and named.claim == claims.WORKED and named.metric == "revenue_per_customer":
            steps.append(t("next.03.scale", language, arm=arm_name(labels, campaign, arm, language),
                           diff=named.estimate, low=named.low, n=int(rows.iloc[0]["n_control"])))
        elif named is not None and named.claim != claims.WORKED:
            small.append(campaign)
    planning = results.rows("ab_planning", target_lift=PLANNED_LIFT)
    for campaign in dict.fromkeys(small if not planning.empty else []):
        step = _size_step(planning[planning["campaign_id"] == campaign].set_index("metric"), language,
                          labels.of("campaigns", campaign, language) if labels else campaign)
        if step:
            steps.append(step)
    business = results.rows("ab_business")
    if not business.empty and pd.to_numeric(business["cost"]).isna().any():
        steps.append(t("next.03.costs", language, n=int(pd.to_numeric(business["cost"]).isna().sum())))
    return steps[:3]


def _size_step(planning: pd.DataFrame, language: str, campaign: str) -> str | None:
    """Size the next test on conversion rate, or, when the customer base cannot hold the size it needs,
    say what a test can detect with every customer (and whether response rate would fit)."""
    if "conversion_rate" not in planning.index:
        return None
    row = planning.loc["conversion_rate"]
    if str(row["enough"]) == "True" or pd.isna(row["n_per_arm"]) or pd.isna(row["n_per_arm_now"]):
        return None
    metric = label("ab_metric_conversion_rate", language)
    if str(row.get("possible")) != "False" or pd.isna(row.get("n_per_arm_max")):  # fits, or the base is unknown
        return t("next.03.size", language, campaign=campaign, lift=PLANNED_LIFT, metric=metric,
                 n=int(row["n_per_arm"]), now=int(row["n_per_arm_now"]))
    response = planning.loc["response_rate"] if "response_rate" in planning.index else None
    fits = response is not None and str(response.get("possible")) == "True"
    return t("next.03.size_beyond", language, campaign=campaign, lift=PLANNED_LIFT, metric=metric,
             n=int(row["n_per_arm"]), most=int(row["n_per_arm_max"]), mde=float(row["mde_rel_max"]),
             response=t("next.03.size_response", language, lift=PLANNED_LIFT, n=int(response["n_per_arm"]))
             if fits else "")
