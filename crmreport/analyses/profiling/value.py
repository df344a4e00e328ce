"""Customer value: spend distributions, order value and frequency, and revenue concentration.

All per-customer figures come from the SQL summary of :mod:`crmreport.measures.aggregate` as of a date,
so the period and the previous period are computed the same way.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ...ingest.dataset import Dataset
from ...measures.relations import summarize_dataset

TOP_SHARES: tuple[float, ...] = (0.01, 0.05, 0.10, 0.20, 0.50)


def customer_values(data: Dataset, as_of: date) -> pd.DataFrame:
    """Per customer as of ``as_of``: customer_type, cumulative amount, trailing-12-month net amount,
    orders and gross order amount in the trailing 12 months (customers without purchases: 0)."""
    summary = summarize_dataset(data, as_of)
    customers = data.tables["customers"]
    signed = customers[customers["signup_date"].isna() | (customers["signup_date"] <= pd.Timestamp(as_of))]
    values = signed[["customer_id", "customer_type"]].merge(summary, on="customer_id", how="left")
    return pd.DataFrame({
        "customer_id": values["customer_id"],
        "customer_type": values["customer_type"],
        "cumulative_amount": values["total_amount"].fillna(0.0),
        "amount_12m": values["amount_12m"].fillna(0.0),
        "orders_12m": values["orders_12m"].fillna(0).astype("int64"),
        "order_amount_12m": values["order_amount_12m"].fillna(0.0),
    })


def spend_distribution(values: pd.DataFrame) -> pd.DataFrame:
    """The spend of buying customers, long: ``customer_id``, ``customer_type``, ``measure`` (``cumulative_amount``,
    ``amount_12m``) and ``amount`` > 0, from :func:`customer_values`."""
    spend = values.melt(id_vars=["customer_id", "customer_type"], value_vars=["cumulative_amount", "amount_12m"],
                        var_name="measure", value_name="amount")
    return spend[spend["amount"] > 0]


def median_spend(spend: pd.DataFrame) -> dict[str, float]:
    """Median trailing-12-month spend of the buying B2B and B2C customers of :func:`spend_distribution`
    (``median_b2b``, ``median_b2c``; NaN for a type without buyers)."""
    medians = spend[spend["measure"] == "amount_12m"].groupby("customer_type")["amount"].median()
    return {"median_b2b": medians.get("B2B", float("nan")), "median_b2c": medians.get("B2C", float("nan"))}


def value_summary(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Key value figures now and one period before, with the change and its direction.

    Rows: customers, buying customers (trailing 12 months), revenue in the trailing 12 months,
    median trailing-12-month amount of buying customers, mean orders per buying customer, and the
    average order value (gross order amount / orders in the trailing 12 months).
    """
    def figures(values: pd.DataFrame) -> dict[str, float]:
        buying = values[values["orders_12m"] > 0]
        return {
            "customers": float(len(values)),
            "buying_customers": float(len(buying)),
            "revenue_12m": float(values["amount_12m"].sum()),
            "median_amount_12m": float(buying["amount_12m"].median()) if len(buying) else np.nan,
            "orders_per_buyer": float(buying["orders_12m"].mean()) if len(buying) else np.nan,
            "average_order_value": float(buying["order_amount_12m"].sum() / buying["orders_12m"].sum())
            if len(buying) else np.nan,
        }

    now, before = figures(current), figures(previous)
    rows = [{"metric": name, "before": before[name], "after": now[name]} for name in now]
    return with_change(pd.DataFrame(rows))


def with_change(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``change`` (after - before), ``relative_change`` and ``direction`` (up / down / flat)."""
    change = frame["after"] - frame["before"]
    relative = change / frame["before"].where(frame["before"] != 0)
    direction = np.select([change > 0, change < 0], ["up", "down"], default="flat")
    return frame.assign(change=change, relative_change=relative,
                        direction=pd.Series(direction, index=frame.index).where(change.notna(), pd.NA))


def concentration(amounts: pd.Series, shares: tuple[float, ...] = TOP_SHARES) -> pd.DataFrame:
    """Share of the (positive) amount held by the top ``shares`` of customers by amount.

    Customers with a zero or negative amount count as customers holding nothing, so the
    shares answer "what do the top 20% of *all* customers give".
    """
    values = np.sort(amounts.clip(lower=0).to_numpy(dtype=float))[::-1]
    total = values.sum()
    rows = []
    for share in shares:
        top = max(int(np.ceil(len(values) * share)), 1) if len(values) else 0
        rows.append({"top_share_of_customers": share, "customers": top,
                     "share_of_amount": float(values[:top].sum() / total) if total > 0 else np.nan})
    return pd.DataFrame(rows)


def lorenz_curve(amounts: pd.Series, points: int = 101) -> pd.DataFrame:
    """Lorenz curve: cumulative share of customers (poorest first) vs cumulative share of amount."""
    values = np.sort(amounts.clip(lower=0).to_numpy(dtype=float))
    if len(values) == 0 or values.sum() == 0:
        return pd.DataFrame({"share_of_customers": [0.0, 1.0], "share_of_amount": [np.nan, np.nan]})
    cumulative = np.concatenate([[0.0], np.cumsum(values) / values.sum()])
    customers = np.linspace(0, 1, len(cumulative))
    grid = np.linspace(0, 1, points)
    return pd.DataFrame({"share_of_customers": grid, "share_of_amount": np.interp(grid, customers, cumulative)})


def gini(amounts: pd.Series) -> float:
    """Gini coefficient of the positive amounts (0 = everyone equal, 1 = one customer has all)."""
    values = np.sort(amounts.clip(lower=0).to_numpy(dtype=float))
    n = len(values)
    if n == 0 or values.sum() == 0:
        return float("nan")
    ranks = np.arange(1, n + 1)
    return float(2 * (ranks * values).sum() / (n * values.sum()) - (n + 1) / n)
