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
        named, _ = claims.arm_claim(rows, alpha)
        if named is not None and named.claim == claims.WORKED and named.metric == "revenue_per_customer":
            steps.append(t("next.03.scale", language, arm=arm_name(labels, campaign, arm, language),
                           diff=named.estimate, low=named.low, n=int(rows.iloc[0]["n_control"])))
        elif named is not None and named.claim != claims.WORKED:
            small.append(campaign)
    planning = results.rows("ab_planning", metric="conversion_rate", target_lift=PLANNED_LIFT)
    for campaign in dict.fromkeys(small):
        row = planning[planning["campaign_id"] == campaign]
        if not row.empty and str(row.iloc[0]["enough"]) != "True" and row[["n_per_arm", "n_per_arm_now"]].notna().all(
                axis=None):
            steps.append(t("next.03.size", language, campaign=labels.of("campaigns", campaign, language)
                           if labels else campaign, lift=PLANNED_LIFT, metric=label("ab_metric_conversion_rate",
                                                                                  language),
                           n=int(row.iloc[0]["n_per_arm"]), now=int(row.iloc[0]["n_per_arm_now"])))
    business = results.rows("ab_business")
    if not business.empty and pd.to_numeric(business["cost"]).isna().any():
        steps.append(t("next.03.costs", language, n=int(pd.to_numeric(business["cost"]).isna().sum())))
    return steps[:3]
