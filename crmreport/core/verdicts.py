"""One verdict vocabulary for every comparison the reports judge (KPIs before/after, A/B tests, DiD).

A comparison is a ``significant_improvement`` or ``significant_deterioration`` when its adjusted
p-value is below alpha (and its size reaches the minimum meaningful change), ``no_significant_change``
otherwise, ``insufficient_data`` without a test, and ``untrustworthy`` when the assignment it rests
on failed a check (an A/B test with a sample ratio mismatch). The row of the whole population beside
per-segment rows is labelled :data:`crmreport.core.results.ALL` (the results contract).
"""

from __future__ import annotations

import math
from typing import Literal

IMPROVEMENT, DETERIORATION = "significant_improvement", "significant_deterioration"
NO_CHANGE, INSUFFICIENT, UNTRUSTWORTHY = "no_significant_change", "insufficient_data", "untrustworthy"
#: every verdict, in reading order
VERDICTS: tuple[str, ...] = (IMPROVEMENT, DETERIORATION, NO_CHANGE, INSUFFICIENT, UNTRUSTWORTHY)
#: the verdicts of an observational comparison (before/after), which has no assignment to check
OBSERVATIONAL: tuple[str, ...] = VERDICTS[:4]
#: the verdicts that report an effect
SIGNIFICANT: tuple[str, ...] = (IMPROVEMENT, DETERIORATION)
Better = Literal["higher", "lower"]


def verdict(change: float, p_adjusted: float, alpha: float, better: Better = "higher", min_change: float = 0.0,
            insufficient: bool = False, untrustworthy: bool = False) -> str:
    """The verdict of one comparison, one of :data:`VERDICTS`.

    Parameters
    ----------
    change
        The estimated change (after - before, arm - control), in the measure's unit.
    p_adjusted
        The p-value adjusted for multiple testing; NaN when no test could be made.
    alpha
        Significance level.
    better
        Which direction is an improvement.
    min_change
        Smallest absolute change that counts (0 = any non-zero change).
    insufficient
        The comparison's own message says there was too little data.
    untrustworthy
        The assignment failed a check (sample ratio mismatch); wins over every other verdict.
    """
    if untrustworthy:
        return UNTRUSTWORTHY
    if insufficient or not math.isfinite(p_adjusted):
        return INSUFFICIENT
    if p_adjusted < alpha and abs(change) >= min_change and change != 0:
        good = change > 0 if better == "higher" else change < 0
        return IMPROVEMENT if good else DETERIORATION
    return NO_CHANGE
