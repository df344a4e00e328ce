"""Difference-in-differences of the mean-type KPIs between a treated and a comparison group (notebook 04)."""

from __future__ import annotations

import pandas as pd

from ...core.errors import ParamsError
from ...ingest.dataset import Dataset
from ...measures.kpis import observations
from ...settings import CustomerGroup, Params
from ...stats.effects import diff_in_diff
from .kpieval import EACH_WINDOW, judge, selected

DID_COLUMNS = ["kpi", "treated_before", "treated_after", "comparison_before", "comparison_after", "estimate",
               "ci_low", "ci_high", "p_value", "p_adjusted", "min_meaningful_change", "verdict", "n_treated",
               "n_comparison", "message", "population"]
#: statistical types whose value is a mean of the observations (what a regression can difference)
DID_TYPES = ("proportion", "mean", "ratio", "nps", "rate")


def group_members(data: Dataset, group: CustomerGroup, segments: pd.DataFrame | None) -> pd.Index:
    """Customer ids of a params group: ``column`` in ``values`` (customers column or ``segment``) or listed."""
    customers = data.tables["customers"]
    members = set(group.customers) & set(customers["customer_id"])
    if group.column == "segment":
        if segments is None:
            raise ParamsError("kpis.did names `column: segment` but no segments are available; group by a customers "
                              "column (e.g. column: customer_type) or list the customers")
        members |= set(segments.loc[segments["segment"].astype(str).isin(group.values), "customer_id"])
    elif group.column:
        members |= set(customers.loc[customers[group.column].astype(str).isin(group.values), "customer_id"])
    return pd.Index(sorted(members))


def did_groups(data: Dataset, params: Params, segments: pd.DataFrame | None = None) -> tuple[pd.Index, pd.Index]:
    """Customer ids of the ``kpis.did`` treated and comparison groups (comparison default: everyone not treated).

    Raises
    ------
    ParamsError
        When no groups are named, or a customer is in both groups.
    """
    did = params.kpis.did
    if did is None:
        raise ParamsError("kpis.did names no treated group; add kpis: {did: {treated: {column: ..., values: [...]}}}")
    treated = group_members(data, did.treated, segments)
    if did.comparison is None:
        comparison = pd.Index(sorted(set(data.tables["customers"]["customer_id"]) - set(treated)))
    else:
        comparison = group_members(data, did.comparison, segments)
    both = treated.intersection(comparison)
    if len(both):
        raise ParamsError(f"kpis.did: {len(both)} customer(s) are in both the treated and the comparison group "
                          f"(e.g. {', '.join(both[:5])}); make the two groups disjoint")
    return treated, comparison


def did_table(data: Dataset, params: Params, segments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Difference-in-differences of every mean-type KPI for the ``kpis.did`` groups (empty without groups).

    The comparison group defaults to every customer not treated. A customer in both groups is a
    params error. Holm/BH adjustment over the KPIs, verdicts as in :func:`evaluate`. The four cell
    means cover every observation of each group in each window (``population`` = ``each_window``),
    so for a KPI compared as a panel in :func:`crmreport.analyses.kpi.kpieval.evaluate` (customers
    observed in both windows) they differ from that table's before and after.
    """
    settings = params.kpis
    if settings.did is None:
        return pd.DataFrame(columns=DID_COLUMNS)
    treated, comparison = did_groups(data, params, segments)
    rows = []
    for kpi in selected(settings):
        if kpi.stat_type not in DID_TYPES:
            continue
        frames = [observations(kpi, data, w, settings) for w in (params.baseline_window, params.window)]
        if any(f is None for f in frames):
            continue
        obs = pd.concat([f.assign(after=k == 1) for k, f in enumerate(frames)])
        obs = obs[obs["customer_id"].isin(treated) | obs["customer_id"].isin(comparison)]
        frame = pd.DataFrame({"value": obs["value"] * kpi.scale, "treated": obs["customer_id"].isin(treated),
                              "after": obs["after"], "cluster": obs["customer_id"]})
        result = diff_in_diff(frame, settings.alpha, min_n=settings.min_n)
        rows.append({"kpi": kpi.name, **result.__dict__, "population": EACH_WINDOW})
    frame = pd.DataFrame(rows, columns=[c for c in DID_COLUMNS if c not in ("p_adjusted", "verdict",
                                                                            "min_meaningful_change")])
    if frame.empty:
        return pd.DataFrame(columns=DID_COLUMNS)
    return judge(frame, settings)[DID_COLUMNS]
