"""Difference-in-differences of the mean-type KPIs between a treated and a comparison group (notebook 04)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core.errors import ParamsError
from ...core.matching import member, positions
from ...core.results import result_file
from ...ingest.dataset import Dataset
from ...measures.kpis import Kpi
from ...settings import CustomerGroup, KpiParams, Params
from ...stats.effects import DidResult, diff_in_diff
from .kpieval import EACH_WINDOW, judge
from .observed import DID_TYPES, Lookup, compared, lookup, pretrend_windows, selected

DID_COLUMNS = list(result_file("kpi_did").columns)
#: what a difference-in-differences estimates; left empty unless params declare the comparison untreated
ESTIMATE_COLUMNS = ("estimate", "ci_low", "ci_high", "p_value", "p_adjusted", "verdict")
NOT_UNTREATED = "comparison_not_declared_untreated"


def group_members(data: Dataset, group: CustomerGroup, segments: pd.DataFrame | None) -> pd.Index:
    """Customer ids of a params group: ``column`` in ``values`` (customers column or ``segment``) or listed."""
    customers = data.columns("customers", ["customer_id", *([group.column] if group.column and group.column != "segment"
                                                           else [])])
    ids = customers["customer_id"]
    listed = pd.Series(list(group.customers), dtype=object)
    parts = [ids[member(ids, listed)]]
    if group.column == "segment":
        if segments is None:
            raise ParamsError("kpis.did names `column: segment` but no segments are available; group by a customers "
                              "column (e.g. column: customer_type) or list the customers")
        parts.append(segments.loc[segments["segment"].astype(str).isin(group.values), "customer_id"])
    elif group.column:
        parts.append(ids[customers[group.column].astype(str).isin(group.values)])
    return _sorted_ids(pd.concat(parts, ignore_index=True))


def _sorted_ids(ids: pd.Series) -> pd.Index:
    """Distinct ids, sorted, as an object index (the ids' own strings)."""
    return pd.Index(ids.dropna().unique().astype(object), dtype=object).sort_values()


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
        ids = data.columns("customers", ["customer_id"])["customer_id"]
        comparison = _sorted_ids(ids[~member(ids, treated)])
    else:
        comparison = group_members(data, did.comparison, segments)
    both = treated.intersection(comparison)
    if len(both):
        raise ParamsError(f"kpis.did: {len(both)} customer(s) are in both the treated and the comparison group "
                          f"(e.g. {', '.join(both[:5])}); make the two groups disjoint")
    return treated, comparison


def _estimate(frames: list[pd.DataFrame] | None, kpi: Kpi, ids: pd.Series, role: np.ndarray,
              settings: KpiParams) -> DidResult | None:
    """The difference-in-differences of one KPI between its observations' two windows (None without them)."""
    if frames is None:
        return None
    obs = pd.concat([f.assign(after=k == 1) for k, f in enumerate(frames)], ignore_index=True)
    where = positions(obs["customer_id"], ids)
    group = np.where(where >= 0, role[np.maximum(where, 0)], 0)
    obs = obs[group > 0]
    frame = pd.DataFrame({"value": obs["value"] * kpi.scale, "treated": group[group > 0] == 1,
                          "after": obs["after"], "cluster": where[group > 0]})
    return diff_in_diff(frame, settings.alpha, min_n=settings.min_n)


def did_table(data: Dataset, params: Params, segments: pd.DataFrame | None = None,
              observe: Lookup | None = None) -> pd.DataFrame:
    """Difference-in-differences of every mean-type KPI for the ``kpis.did`` groups (empty without groups).

    The comparison group defaults to every customer not treated. A customer in both groups is a
    params error. Holm/BH adjustment over the KPIs, verdicts as in
    :func:`crmreport.analyses.kpi.kpieval.evaluate`. The estimate needs a comparison group that did
    not receive the strategy: unless params declare it (``kpis.did.comparison_untreated``) the
    estimate columns (:data:`ESTIMATE_COLUMNS`) stay empty, ``message`` says why, and only the
    groups' own before and after remain. When it is estimated, the same difference one window
    earlier (the window before the baseline against the baseline, no strategy in either) is the
    parallel-trends check: ``pretrend_estimate`` and ``pretrend_p_value``. The four cell means cover
    every observation of each group in each window (``population`` = ``each_window``), so for a KPI
    compared there as a panel (customers observed in both windows) they differ from that table's
    before and after. ``observe``: where the observations come from, as in :func:`~.kpieval.evaluate`.
    """
    settings = params.kpis
    if settings.did is None:
        return pd.DataFrame(columns=DID_COLUMNS)
    treated, comparison = did_groups(data, params, segments)
    # every customer of either group once, with its role: 1 treated, 2 comparison (the groups are disjoint)
    ids = pd.Series(np.concatenate([treated.to_numpy(dtype=object), comparison.to_numpy(dtype=object)]))
    role = np.repeat(np.array([1, 2]), [len(treated), len(comparison)])
    observe = observe or lookup(data, settings)
    rows = []
    for kpi in selected(settings):
        result = _estimate(observe(*compared(kpi, params)), kpi, ids, role, settings) \
            if kpi.stat_type in DID_TYPES else None
        if result is None:
            continue
        check = _estimate(observe(kpi, pretrend_windows(params)), kpi, ids, role, settings) \
            if settings.did.comparison_untreated else None
        rows.append({"kpi": kpi.name, **result.__dict__, "population": EACH_WINDOW,
                     "pretrend_estimate": check.estimate if check else np.nan,
                     "pretrend_p_value": check.p_value if check else np.nan})
    frame = pd.DataFrame(rows, columns=[c for c in DID_COLUMNS if c not in ("p_adjusted", "verdict",
                                                                            "min_meaningful_change")])
    if frame.empty:
        return pd.DataFrame(columns=DID_COLUMNS)
    frame = judge(frame, settings)[DID_COLUMNS]
    if not settings.did.comparison_untreated:
        frame[list(ESTIMATE_COLUMNS)] = np.nan
        frame["message"] = NOT_UNTREATED
    return frame
