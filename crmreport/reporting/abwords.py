"""How notebook 03 words each campaign's decision, in the report language."""

from __future__ import annotations

import pandas as pd

from ..analyses.abtests.campaigns import RATE_METRICS
from ..analyses.abtests.decisions import CONCLUDED
from ..core.i18n import label
from .report import Report


def decision_lines(report: Report, decided: pd.DataFrame) -> list[str]:
    """One sentence per arm of a campaign still running (a concluded campaign's readout stands above it).

    The sentence is the catalog's ``abtest.decision.<reason>``: the rule of
    :func:`crmreport.analyses.abtests.decisions.decide` that decided, with the arm's figures in its
    metric's unit (rates in percentage points, amounts in the currency).
    """
    lines = []
    for row in decided[decided["decision"] != CONCLUDED].itertuples(index=False):
        unit = report.points if row.metric in RATE_METRICS else report.signed_amount
        metric = label(f"ab_metric_{row.metric}", report.language)
        lines.append(report.t(f"abtest.decision.{row.reason}", campaign=row.campaign_id,
                              arm=report.value("arm", row.arm), metric=metric,
                              diff=unit(row.abs_diff), low=unit(row.ci_low), high=unit(row.ci_high),
                              z=row.z, boundary=row.boundary, detectable=unit(row.detectable_lift_abs),
                              relative=row.detectable_lift, wanted=unit(row.min_lift_abs)))
    return lines
