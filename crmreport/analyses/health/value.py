"""Purchase behaviour and lifetime value: BG/NBD + Gamma-Gamma fitted on the purchase history up to a date.

Inputs are the per-customer summaries of :mod:`crmreport.measures.clv_inputs` (SQL); the fits are
:mod:`crmreport.stats.clv`. Time is in units of ``time_unit_days`` (weeks by default); the horizon
and discount rate come from params. ``p_alive``, ``expected_purchases`` (over the horizon),
``expected_spend`` (per purchase) and ``clv`` (discounted) are per customer with a purchase.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ...measures.clv_inputs import clv_inputs
from ...settings.health import Health
from ...stats import clv

CLV_MODEL_COLUMNS: tuple[str, ...] = ("model", "parameter", "value", "time_unit")
VALUE_COLUMNS: tuple[str, ...] = ("customer_id", "p_alive", "expected_purchases", "expected_spend", "clv")


@dataclass(frozen=True)
class ValueModel:
    """The fitted models (``None`` when a fit was impossible, with the reason) and per-customer results."""

    purchases: clv.BgNbd | None
    spend: clv.GammaGamma | None
    customers: pd.DataFrame
    inputs: pd.DataFrame
    message: str = ""


def time_unit(settings: Health) -> str:
    return {7.0: "week", 1.0: "day"}.get(float(settings.time_unit_days), f"{settings.time_unit_days:g} days")


def fit_value(transactions: pd.DataFrame, as_of: date, settings: Health, holdout_end: date | None = None) -> ValueModel:
    """Fit BG/NBD and Gamma-Gamma on purchases up to ``as_of``; per-customer P(alive), purchases, spend, CLV."""
    inputs = clv_inputs(transactions, as_of, settings.time_unit_days, holdout_end)
    x, tx, t, m = inputs["frequency"], inputs["recency"], inputs["T"], inputs["monetary"]
    horizon = settings.horizon_days / settings.time_unit_days
    out = inputs[["customer_id"]].copy()
    try:
        purchases = clv.fit_bgnbd(x, tx, t)
    except ValueError as error:
        empty = out.assign(p_alive=np.nan, expected_purchases=np.nan, expected_spend=np.nan, clv=np.nan)
        return ValueModel(None, None, empty, inputs, str(error))
    out["p_alive"] = clv.p_alive(purchases, x, tx, t)
    out["expected_purchases"] = clv.expected_purchases(purchases, horizon, x, tx, t)
    message = ""
    try:
        spend = clv.fit_gamma_gamma(x, m)
        out["expected_spend"] = clv.expected_spend(spend, x, m.fillna(0))
    except ValueError as error:
        spend, message = None, str(error)
        out["expected_spend"] = np.nan
    out["clv"] = clv.discounted_clv(purchases, out["expected_spend"].to_numpy(), horizon, settings.discount_rate,
                                    365.0 / settings.time_unit_days, x, tx, t)
    return ValueModel(purchases, spend, out, inputs, message)


def model_table(model: ValueModel, settings: Health) -> pd.DataFrame:
    """The ``clv_model.csv`` contract: one row per fitted parameter. Only BG/NBD's parameters have a time unit
    (Gamma-Gamma models the spend per purchase: its ``time_unit`` is empty)."""
    rows = []
    for name, fitted, unit in (("bg_nbd", model.purchases, time_unit(settings)), ("gamma_gamma", model.spend, None)):
        if fitted is not None:
            rows += [{"model": name, "parameter": key, "value": value, "time_unit": unit}
                     for key, value in fitted.as_dict().items()]
    return pd.DataFrame(rows, columns=list(CLV_MODEL_COLUMNS))


def holdout_comparison(model: ValueModel, duration: float, cap: int = 7) -> pd.DataFrame:
    """Expected vs actual purchase days in a holdout of ``duration`` time units, by calibration frequency: per
    customer (``expected``, ``actual``) and summed over the group's customers (``expected_total``, ``actual_total``).

    Frequencies at or above ``cap`` form one group (``cap``+), as in Fader, Hardie and Lee's figure.
    """
    if model.purchases is None:
        return pd.DataFrame(columns=["frequency", "customers", "expected", "actual", "expected_total", "actual_total"])
    inputs = model.inputs
    expected = clv.expected_purchases(model.purchases, duration, inputs["frequency"], inputs["recency"], inputs["T"])
    frame = pd.DataFrame({"frequency": inputs["frequency"].clip(upper=cap), "expected": expected,
                          "actual": inputs["holdout_purchases"].astype("float64")})
    table = frame.groupby("frequency").agg(customers=("expected", "size"), expected=("expected", "mean"),
                                           actual=("actual", "mean"), expected_total=("expected", "sum"),
                                           actual_total=("actual", "sum")).reset_index()
    return table.astype({"frequency": "int64", "customers": "int64"})


def value_summary(customers: pd.DataFrame) -> dict[str, float]:
    """Headline numbers: customers valued, mean P(alive), share likely inactive (< 0.5), total and top-20% CLV share."""
    valued = customers.dropna(subset=["clv"])
    clv_sorted = np.sort(valued["clv"].to_numpy())[::-1]
    top = clv_sorted[: max(1, int(np.ceil(0.2 * len(clv_sorted))))].sum() if len(clv_sorted) else np.nan
    total = clv_sorted.sum() if len(clv_sorted) else np.nan
    return {"valued": len(valued), "p_alive": customers["p_alive"].mean(),
            "inactive_share": (customers["p_alive"] < 0.5).mean(), "total_clv": total,
            "top_share": top / total if total else np.nan}
