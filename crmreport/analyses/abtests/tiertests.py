"""What the test within one tier of a campaign shows, for a headline quoting that tier's rate (the layered
outreach board of notebook 03): a higher rate that its own test does not show must read as such."""

from __future__ import annotations

import pandas as pd

from ...core.i18n import t


def tier_test(best: dict, tests: pd.DataFrame, language: str) -> str:
    """The conversion test of the tier :func:`~crmreport.analyses.abtests.campaign_results.board_headline` chose,
    in words: significant or not within the tier with its adjusted p-value, or not tested there.

    ``tests`` holds the ``ab_tests.csv`` rows; ``best`` the headline's ``campaign``, ``segment`` and ``arm``.
    """
    rows = tests[(tests["campaign_id"] == best["campaign"]) & (tests["segment"] == best["segment"])
                 & (tests["arm"] == best["arm"]) & (tests["metric"] == "conversion_rate")]
    if rows.empty or pd.isna(rows.iloc[0]["p_adjusted"]):
        return t("abtest.board.slice_untested", language)
    row = rows.iloc[0]
    key = "slice_significant" if bool(row["significant"]) else "slice_not_significant"
    return t(f"abtest.board.{key}", language, p=float(row["p_adjusted"]))
