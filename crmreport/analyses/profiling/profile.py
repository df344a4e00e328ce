"""Customer profiling: the data-quality summary and the customer information table (template 1)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ...core.results import result_file
from ...ingest.dataset import Dataset
from ...measures.relations import per_customer_of, summarize_dataset
from ...settings import Window
from .reasons import reasons_text
from .value import with_change

PROFILE_COLUMNS: tuple[str, ...] = result_file("customer_profile").columns


def row_accounting(data: Dataset, language: str = "en") -> pd.DataFrame:
    """Rows read, duplicates removed, quarantined and kept per table, with the quarantine reasons in ``language``."""
    frame = data.accounting_frame()
    frame["quarantine_reasons"] = [reasons_text(data.accounting[name].reasons, language) for name in frame["table"]]
    return frame




def customer_profile(data: Dataset, as_of: date) -> pd.DataFrame:
    """Template 1, the customer information analysis table: one row per customer as of ``as_of``.

    cooperation_months = whole months from signup (or first transaction) to ``as_of``;
    cumulative_amount = net amount of all transactions up to ``as_of``; satisfaction = mean CSAT
    of the customer's survey answers; complaint_count = complaint interactions plus tickets.
    """
    customers = data.tables["customers"]
    cutoff = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    profile = customers.set_index("customer_id")[["name", "industry", "size_tier", "contact_name", "need_tags",
                                                  "signup_date"]]
    summary = summarize_dataset(data, as_of).set_index("customer_id").reindex(profile.index)
    last_interaction, complaints = _interactions(data, cutoff, profile.index)
    start = profile["signup_date"].fillna(summary["first_transaction"])
    months = (pd.Timestamp(as_of).year - start.dt.year) * 12 + (pd.Timestamp(as_of).month - start.dt.month)
    profile = profile.assign(
        cooperation_months=months.clip(lower=0).astype("Int64"),
        cumulative_amount=summary["total_amount"].fillna(0.0),
        last_transaction_date=summary["last_transaction"],
        last_interaction_date=last_interaction,
        satisfaction=_mean_csat(data, cutoff, profile.index),
        complaint_count=complaints + _tickets(data, cutoff, profile.index),
        key_contact=profile["contact_name"],
    )
    return profile.reset_index()[list(PROFILE_COLUMNS)].sort_values(
        "cumulative_amount", ascending=False, kind="stable").reset_index(drop=True)


def _interactions(data: Dataset, cutoff: pd.Timestamp, index: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Per customer of ``index``: the last interaction before ``cutoff`` and the complaints before it (one scan)."""
    if not data.has("interactions"):
        return (pd.Series(pd.NaT, index=index, dtype="datetime64[ns]", name="interaction_time"),
                pd.Series(np.zeros(len(index), dtype="int64"), index=index))
    found = per_customer_of(index.to_series(), data, "interactions",
                            {"latest": "MAX(interaction_time)",
                             "n": "COUNT(*) FILTER (WHERE interaction_type = 'complaint')"},
                            f"interaction_time < TIMESTAMP '{cutoff}'")
    return (pd.Series(found["latest"].astype("datetime64[ns]").to_numpy(), index=index, name="interaction_time"),
            pd.Series(found["n"].fillna(0).to_numpy(dtype="int64"), index=index))


def _mean_csat(data: Dataset, cutoff: pd.Timestamp, index: pd.Index) -> pd.Series:
    if not data.has("surveys"):
        return pd.Series(np.nan, index=index)
    mean = per_customer_of(index.to_series(), data, "surveys", {"csat": "AVG(csat)"},
                           f"response_time < TIMESTAMP '{cutoff}'")["csat"]
    return pd.Series(mean.astype("float64").to_numpy(), index=index, name="csat")


def _tickets(data: Dataset, cutoff: pd.Timestamp, index: pd.Index) -> pd.Series:
    """Tickets opened before ``cutoff`` per customer of ``index`` (0 without tickets)."""
    counts = np.zeros(len(index), dtype="int64")
    if data.has("tickets"):
        counts += per_customer_of(index.to_series(), data, "tickets", {"n": "COUNT(*)"},
                                  f"opened_at < TIMESTAMP '{cutoff}'")["n"].fillna(0).to_numpy(dtype="int64")
    return pd.Series(counts, index=index)


BASE_DIMENSIONS: tuple[str, ...] = ("customer_type", "industry", "size_tier", "region", "account_manager")
TENURE_BANDS: tuple[int, ...] = (0, 6, 12, 24, 36, 60)
EMPTY = "–"


def _signed_up_by(customers: pd.DataFrame, day: date) -> pd.DataFrame:
    return customers[customers["signup_date"].isna() | (customers["signup_date"] <= pd.Timestamp(day))]


def customer_base(data: Dataset, end: date, baseline_end: date) -> pd.DataFrame:
    """Customers per value of each base dimension at the period end (after) and the baseline end (before).

    Columns: dimension, value ('–' for empty), before, after, change, relative_change, direction.
    """
    customers = data.tables["customers"]
    rows = []
    for dimension in BASE_DIMENSIONS:
        after = _signed_up_by(customers, end)[dimension].fillna(EMPTY).value_counts()
        before = _signed_up_by(customers, baseline_end)[dimension].fillna(EMPTY).value_counts()
        counts = pd.DataFrame({"before": before, "after": after}).fillna(0).sort_values("after", ascending=False)
        rows.append(counts.rename_axis("value").reset_index().assign(dimension=dimension))
    frame = pd.concat(rows, ignore_index=True)[["dimension", "value", "before", "after"]]
    return with_change(frame.astype({"before": "float64", "after": "float64"}))


def base_summary(data: Dataset, window: Window, baseline: Window) -> pd.DataFrame:
    """Customers at the end of each window and new customers (signup inside it), before vs after."""
    customers = data.tables["customers"]

    def figures(w: Window) -> dict[str, float]:
        signup = customers["signup_date"]
        new = signup.between(pd.Timestamp(w.start), pd.Timestamp(w.end))
        return {"customers": float(len(_signed_up_by(customers, w.end))), "new_customers": float(new.sum())}

    before, after = figures(baseline), figures(window)
    return with_change(pd.DataFrame([{"metric": m, "before": before[m], "after": after[m]} for m in after]))


def tenure_bands(profile: pd.DataFrame, bands: tuple[int, ...] = TENURE_BANDS) -> pd.DataFrame:
    """Customers per band of cooperation months ('0-6', ..., '60+')."""
    edges = [*bands, np.inf]
    names = [f"{low}-{high}" if np.isfinite(high) else f"{low}+" for low, high in zip(edges[:-1], edges[1:],
                                                                                      strict=True)]
    months = profile["cooperation_months"].astype("float64")
    counts = pd.cut(months, edges, right=False, labels=names).value_counts().reindex(names, fill_value=0)
    return pd.DataFrame({"band": names, "customers": counts.to_numpy(),
                         "share": counts.to_numpy() / max(len(profile), 1)})
