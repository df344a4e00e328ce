"""The five actions for next period, from notebook 02's action list (and notebook 06's health bands), with owners.

An action is one strategy of the action list (template 3) for one segment. The five shown are
those with the most at stake: customers in the red health band (when notebook 06 ran), then the
annual amount of customers at high churn risk, then the annual amount of the whole group.
"""

from __future__ import annotations

import pandas as pd

from ...core.i18n import label
from ...core.results import ACTION_LIST, CUSTOMER_HEALTH
from ...settings.params import Labels
from .headline import format_value
from .sources import Figure, Ledger, Results, shown

SECTION = "actions"
TOP = 5


def next_actions(results: Results, ledger: Ledger, language: str, top: int = TOP,
                 labels: Labels | None = None) -> pd.DataFrame:
    """The ``top`` actions for next period as a reader's table (empty when there is no action list).

    Columns: ``summary_action`` (segment: strategy), ``summary_customers``, ``summary_high_risk``,
    ``summary_red_health`` (when health bands exist), ``summary_amount``, ``summary_owner``,
    ``summary_due`` and ``summary_source``.
    """
    actions = results.rows(ACTION_LIST)
    if actions.empty:
        return pd.DataFrame()
    health = results.has(CUSTOMER_HEALTH)
    candidates = []
    for (segment, strategy), group in actions.groupby(["segment", "strategy"], sort=False):
        where = {"segment": segment, "strategy": strategy}
        figures: dict[str, Figure | None] = {
            "customers": results.count(ACTION_LIST, **where),
            "high_risk": results.count(ACTION_LIST, **where, churn_risk="high"),
            "amount": results.total(ACTION_LIST, "annual_amount", **where),
            "at_risk_amount": results.total(ACTION_LIST, "annual_amount", **where, churn_risk="high"),
            "red": results.count(CUSTOMER_HEALTH, segment=segment, health_band="red") if health else None,
        }
        owners = group["owner"].dropna().astype(str).value_counts()
        candidates.append({"segment": segment, "strategy": strategy, "figures": figures,
                           "owner": owners.index[0] if len(owners) else "–", "owners": len(owners),
                           "due": str(group["due_date"].dropna().min())[:10] if group["due_date"].notna().any()
                           else "–"})

    def priority(item: dict) -> tuple[float, float, float]:
        f = item["figures"]
        return (f["red"].value if f["red"] else 0.0, f["at_risk_amount"].value if f["at_risk_amount"] else 0.0,
                f["amount"].value if f["amount"] else 0.0)

    chosen = sorted(candidates, key=priority, reverse=True)[:top]
    records = []
    for item in chosen:
        f = item["figures"]
        name = label(f"segment_{item['segment']}", language)
        for key, kind in (("customers", "count"), ("high_risk", "count"), ("red", "count"), ("amount", "currency")):
            ledger.add(f[key], SECTION, f"{item['segment']} {key}", kind)
        owner = shown(labels, "staff", item["owner"], language)
        owner = owner if item["owners"] <= 1 else f"{owner} +{item['owners'] - 1}"
        record = {"summary_action": f"{name}: {item['strategy']}",
                  "summary_customers": format_value("count", f["customers"].value, language),
                  "summary_high_risk": format_value("count", f["high_risk"].value, language)}
        if health:
            record["summary_red_health"] = format_value("count", f["red"].value if f["red"] else None, language)
        records.append(record | {
            "summary_amount": format_value("currency", f["amount"].value, language),
            "summary_owner": owner, "summary_due": item["due"],
            "summary_source": ACTION_LIST.file})
    return pd.DataFrame(records)
