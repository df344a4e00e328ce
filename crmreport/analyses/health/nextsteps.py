"""Chapter 06's "What to do": next steps with numbers, from the chapter's own results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...core.i18n import t
from ...settings.params import Labels
from ..summary.sources import TOP, Results

#: the largest accounts (by CLV) whose health fell
KEY_ACCOUNTS = 20


def next_steps(folder: Path, language: str, labels: Labels | None = None) -> list[str]:
    """Review the largest falling accounts, start with the owner who holds the most at stake, value the rest."""
    results, steps = Results(folder), []
    falling = results.rows("customer_health", health_trend="down", **{TOP: ("clv", KEY_ACCOUNTS)})
    if not falling.empty:
        steps.append(t("next.06.accounts", language, n=len(falling), value=float(falling["expected_loss"].sum()),
                       red=int((falling["health_band"] == "red").sum())))
    watch = results.rows("health_watch_list")
    if not watch.empty and "owner" in watch:
        stakes = watch.groupby("owner")["expected_loss"].agg(["sum", "size"]).sort_values("sum", ascending=False)
        owner, row = stakes.index[0], stakes.iloc[0]
        steps.append(t("next.06.owner", language, owner=labels.of("staff", owner, language) if labels else owner,
                       n=int(row["size"]), value=float(row["sum"]), share=float(row["sum"] / stakes["sum"].sum())))
    health = results.rows("customer_health")
    if not health.empty and pd.to_numeric(health["clv"]).isna().any():
        steps.append(t("next.06.no_clv", language, n=int(pd.to_numeric(health["clv"]).isna().sum())))
    return steps
