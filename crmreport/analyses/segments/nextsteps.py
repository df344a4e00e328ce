"""Chapter 02's "What to do": next steps with numbers, from the chapter's own results."""

from __future__ import annotations

from pathlib import Path

from ...core.i18n import label, t
from ..summary.sources import Results


def next_steps(folder: Path, language: str) -> list[str]:
    """Within the segment with most high-risk customers, take those first (a step inside that segment: which
    segment comes first is the summary's ranking by expected loss); act on complaints; fix the strategy checks."""
    results, steps = Results(folder), []
    risky = results.rows("action_list", churn_risk="high")
    if not risky.empty:
        counts = risky.groupby("segment").agg(n=("customer_id", "size"), first=("due_date", "min"),
                                              last=("due_date", "max"))
        segment, row = counts["n"].idxmax(), counts.loc[counts["n"].idxmax()]
        steps.append(t("next.02.high_risk", language, n=int(row["n"]), total=len(risky),
                       all=len(results.rows("action_list", segment=segment)),
                       segment=label(f"segment_{segment}", language), first=str(row["first"])[:10],
                       last=str(row["last"])[:10]))
    high = results.rows("churn_risk_summary", churn_risk="high")
    if not high.empty and int(high.iloc[0]["risk_complaints"]):
        steps.append(t("next.02.complaints", language, n=int(high.iloc[0]["risk_complaints"])))
    checks = results.rows("strategy_checks")
    if not checks.empty:
        steps.append(t("next.02.checks", language, n=len(checks)))
    return steps
