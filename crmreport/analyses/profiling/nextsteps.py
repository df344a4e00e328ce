"""Chapter 01's "What to do": next steps with numbers, from the chapter's own results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...core.i18n import label, t
from ..summary.sources import Results

#: the customer share whose revenue share the first step quotes, and the completeness below which a table needs work
TOP_SHARE, COMPLETE = 0.2, 0.95
#: channels with fewer outbound contacts are not compared
MIN_OUTBOUND = 50


def next_steps(folder: Path, language: str) -> list[str]:
    """Two or three steps: serve the top customers by name, complete the thinnest table, fix the weakest channel."""
    results, steps = Results(folder), []
    top = results.rows("concentration", top_share_of_customers=TOP_SHARE)
    if not top.empty:
        row = top.iloc[0]
        steps.append(t("next.01.concentration", language, top=TOP_SHARE, n=int(row["customers"]),
                       share=float(row["share_of_amount"])))
    quality = results.rows("data_quality")
    if not quality.empty:
        row = quality.loc[pd.to_numeric(quality["completeness"]).idxmin()]
        if float(row["completeness"]) < COMPLETE:
            steps.append(t("next.01.completeness", language, table=label(f"table_{row['table']}", language),
                           share=float(row["completeness"])))
    channels = results.rows("outbound_response_rates")
    channels = channels[pd.to_numeric(channels.get("outbound", pd.Series(dtype=float))) >= MIN_OUTBOUND]
    if len(channels) > 1:
        rates = channels["response_rate"]
        worst, best = channels.loc[rates.idxmin()], channels.loc[rates.idxmax()]
        steps.append(t("next.01.channel", language, channel=label(f"channel.{worst['channel']}", language),
                       rate=float(worst["response_rate"]), n=int(worst["outbound"]),
                       best=label(f"channel.{best['channel']}", language), best_rate=float(best["response_rate"])))
    return steps
