"""Evaluate the KPI registry before (baseline window) vs after (the period): template 5 of the users' templates.

For every KPI of :mod:`crmreport.measures.kpis` and every segment (plus ``all`` customers) the test is chosen
by the KPI's statistical type and the design: independent windows, or a panel of the same
customers (params choose; ``auto`` detects a panel when at least ``panel_min_overlap`` of the units
appear in both windows). P-values are adjusted in two families, the headline KPIs (all customers)
and the subgroup cells KPIs x segments (Holm, or Benjamini-Hochberg), and each row gets a
direction-aware verdict that also needs the KPI's minimum meaningful change. A KPI whose tables
are missing, or with fewer than ``min_n`` observations in a window, gets the verdict
``insufficient_data`` instead of an error.

Also here: the monthly KPI series with a segmented regression at the strategy start, and the
difference-in-differences of the groups named in params (``kpis.did``).
"""

from __future__ import annotations

import logging
from functools import reduce

import numpy as np
import pandas as pd

from ...core.matching import member, positions
from ...core.results import ALL
from ...core.verdicts import INSUFFICIENT, OBSERVATIONAL, verdict
from ...ingest.dataset import Dataset
from ...measures.kpis import KPIS, Kpi, kpi_value, min_change_of
from ...settings import KpiParams, Params
from ...stats import beforeafter as ba
from ...stats import paired
from ...stats.abchecks import adjust_p_values
from ...stats.adjusted import adjusted_interval
from .observed import Lookup, compared, lookup, selected

log = logging.getLogger("crmreport")

#: results/kpi_changes.csv, in this order
CHANGE_COLUMNS = ["kpi", "segment", "before", "after", "abs_change", "rel_change", "ci_low", "ci_high", "test",
                  "p_value", "p_adjusted", "min_meaningful_change", "verdict", "n_before", "n_after", "population"]
#: whom a row's before and after figures cover: a panel's customers observed in both windows, or
#: everyone observed in each window (independent windows, growth KPIs, difference-in-differences)
BOTH_WINDOWS, EACH_WINDOW = "both_windows", "each_window"
DETAIL_COLUMNS = CHANGE_COLUMNS + ["design", "overlap", "statistic", "message"]
TEMPLATE5_COLUMNS = ["kpi", "before", "after", "change", "p_adjusted", "verdict"]
MISSING_TABLE = "missing_table"
_INDEPENDENT_TEST = {"proportion": "two_proportion_z", "mean": "welch_t", "ratio": "ratio_delta_z",
                     "growth": "growth_delta_z", "median": "mann_whitney", "rate": "poisson_rate",
                     "nps": "nps_multinomial_z"}


def default_segments(data: Dataset) -> pd.DataFrame:
    """``customer_id`` and ``segment`` = ``customer_type``: the breakdown used until segmentation provides one."""
    customers = data.tables["customers"]
    return pd.DataFrame({"customer_id": customers["customer_id"], "segment": customers["customer_type"]})


def missing_tables(data: Dataset, settings: KpiParams) -> dict[str, list[str]]:
    """KPI name -> the tables it needs that the source lacks (KPIs with everything are left out)."""
    gaps = {kpi.name: [t for t in kpi.tables if not data.has(t)] for kpi in selected(settings)}
    return {name: tables for name, tables in gaps.items() if tables}


def _design(kpi: Kpi, before: pd.DataFrame, after: pd.DataFrame, settings: KpiParams) -> tuple[str, float]:
    requested = settings.designs.get(kpi.name, settings.design)
    if not kpi.pairable:
        if requested == "paired":
            log.warning("KPI %s has no per-customer panel definition; compared as independent windows", kpi.name)
        return "independent", np.nan
    units_b, units_a = before["unit"].unique(), after["unit"].unique()
    both = int(member(units_b, units_a).sum())
    union = len(units_b) + len(units_a) - both
    overlap = both / union if union else np.nan
    if requested == "auto":
        return ("paired" if overlap >= settings.panel_min_overlap else "independent"), overlap
    return requested, overlap


def _independent(kpi: Kpi, before: pd.DataFrame, after: pd.DataFrame, settings: KpiParams) -> ba.Change:
    v_b, v_a = before["value"].to_numpy(dtype=float), after["value"].to_numpy(dtype=float)
    alpha = settings.alpha
    if kpi.stat_type == "proportion":
        return ba.two_proportions(int(v_b.sum()), len(v_b), int(v_a.sum()), len(v_a), alpha)
    if kpi.stat_type == "mean":
        return ba.welch(v_b.mean(), v_b.var(ddof=1), len(v_b), v_a.mean(), v_a.var(ddof=1), len(v_a), alpha)
    if kpi.stat_type == "nps":
        def counts(v: np.ndarray) -> tuple[int, int, int]:
            return int((v > 0).sum()), int((v == 0).sum()), int((v < 0).sum())
        return ba.nps_difference(counts(v_b), counts(v_a), alpha)
    if kpi.stat_type == "rate":
        return ba.poisson_rates(int(v_b.sum()), len(v_b), int(v_a.sum()), len(v_a), kpi.scale, alpha)
    if kpi.stat_type == "median":
        return ba.mann_whitney_median(v_b, v_a, alpha, settings.bootstrap, settings.seed)
    if kpi.stat_type == "ratio":
        sums = _cluster_sums([before, after])
        return ba.ratio_difference(sums[0][:, 0], sums[1][:, 0], sums[0][:, 1], sums[1][:, 1], alpha)
    raise ValueError(f"KPI {kpi.name}: no independent-windows test for type {kpi.stat_type!r}")


def _cluster_sums(frames: list[pd.DataFrame]) -> tuple[np.ndarray, np.ndarray]:
    """Per-customer sums of ``value`` (y) and counts (x), one column per frame, aligned on all customers."""
    per = [f.groupby("customer_id")["value"].agg(["sum", "size"]) for f in frames]
    customers = reduce(lambda a, b: a.union(b, sort=False), (p.index for p in per)).unique().sort_values()
    y = np.column_stack([p["sum"].reindex(customers, fill_value=0).to_numpy(dtype=float) for p in per])
    x = np.column_stack([p["size"].reindex(customers, fill_value=0).to_numpy(dtype=float) for p in per])
    return y, x


def _paired(kpi: Kpi, before: pd.DataFrame, after: pd.DataFrame, settings: KpiParams) -> ba.Change:
    scale = kpi.scale
    pairs = pd.concat([before.groupby("unit")["value"].mean().rename("b"),
                       after.groupby("unit")["value"].mean().rename("a")], axis=1, join="inner")
    b, a = scale * pairs["b"].to_numpy(), scale * pairs["a"].to_numpy()
    if kpi.stat_type == "proportion" and np.isin(np.concatenate([b, a]), (0, 1)).all():
        return paired.mcnemar_pairs(int(((b == 0) & (a == 0)).sum()), int(((b == 0) & (a == 1)).sum()),
                                int(((b == 1) & (a == 0)).sum()), int(((b == 1) & (a == 1)).sum()), settings.alpha)
    if settings.paired_test == "wilcoxon":
        return paired.wilcoxon_pairs(b, a, settings.alpha, settings.bootstrap, settings.seed)
    d = a - b
    return paired.paired_t(len(d), float(b.mean()) if len(d) else np.nan, float(a.mean()) if len(d) else np.nan,
                       float(d.var(ddof=1)) if len(d) > 1 else np.nan, settings.alpha)


def _paired_test_name(kpi: Kpi, settings: KpiParams) -> str:
    if kpi.stat_type == "proportion":
        return "mcnemar"
    return "wilcoxon" if settings.paired_test == "wilcoxon" else "paired_t"


def compare(kpi: Kpi, before: pd.DataFrame | None, after: pd.DataFrame | None, settings: KpiParams,
            growth: list[pd.DataFrame] | None = None) -> tuple[ba.Change, str, float]:
    """Compare one KPI's observations before and after; returns the change, the design and the unit overlap.

    ``growth`` KPIs take the four windows of their base KPI (before the baseline, baseline, before
    the period, period) instead of ``before``/``after``. Missing observations (a table the source
    lacks) or fewer than ``settings.min_n`` of them give ``insufficient_data``.
    """
    if kpi.stat_type == "growth":
        if growth is None:
            return ba.insufficient("growth_delta_z", 0, 0), "independent", np.nan
        y, x = _cluster_sums(growth)
        counts = x.sum(axis=0)
        if counts.min() < settings.min_n:
            return ba.insufficient("growth_delta_z", int(counts[1]), int(counts[3])), "independent", np.nan
        return ba.growth_difference(y, x, settings.alpha), "independent", np.nan
    if before is None or after is None:
        return ba.insufficient(_INDEPENDENT_TEST[kpi.stat_type], 0, 0), "independent", np.nan
    design, overlap = _design(kpi, before, after, settings)
    if design == "paired":
        n = int(member(before["unit"].unique(), after["unit"].unique()).sum())
        if n < settings.min_n:
            return ba.insufficient(_paired_test_name(kpi, settings), n, n), design, overlap
        return _paired(kpi, before, after, settings), design, overlap
    if min(len(before), len(after)) < settings.min_n:
        return ba.insufficient(_INDEPENDENT_TEST[kpi.stat_type], len(before), len(after),
                               kpi_value(kpi, before["value"]), kpi_value(kpi, after["value"])), design, overlap
    return _independent(kpi, before, after, settings), design, overlap


def _segment_groups(segments: pd.DataFrame | None) -> tuple[list[str], pd.Series | None, np.ndarray | None]:
    """The segment names (categorical order, else sorted), the customer ids and each one's group number (-1: none)."""
    if segments is None:
        return [], None, None
    column = segments["segment"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        names, codes = list(column.cat.categories), column.cat.codes.to_numpy()
    else:
        names = sorted(column.dropna().unique())
        codes = pd.Categorical(column, categories=names).codes
    return [str(name) for name in names], segments["customer_id"], np.asarray(codes, dtype=np.int64)


def _split(frame: pd.DataFrame | None, ids: pd.Series | None, codes: np.ndarray | None,
           count: int) -> list[pd.DataFrame | None]:
    """``frame`` followed by its rows of each of ``count`` groups (table order kept): one id lookup, one sort."""
    if frame is None or ids is None or codes is None:
        return [frame] * (count + 1)
    where = positions(frame["customer_id"], ids)
    group = np.where(where >= 0, codes[where], -1)
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(count + 1), side="left")
    return [frame] + [frame.take(order[bounds[k]:bounds[k + 1]]) for k in range(count)]


def evaluate(data: Dataset, params: Params, segments: pd.DataFrame | None = None,
             observe: Lookup | None = None) -> pd.DataFrame:
    """Before/after comparison of every selected KPI, for all customers and per segment.

    Parameters
    ----------
    data
        The period's dataset.
    params
        Run parameters: windows (``baseline`` = before, the period = after) and ``kpis`` settings.
    segments
        Optional ``customer_id``, ``segment`` frame (nine-box segments; ``default_segments`` gives
        customer type); without it only ``segment == 'all'`` rows. Growth KPIs get only the ``all`` row.
    observe
        Where the observations come from: :meth:`crmreport.analyses.kpi.observed.Observed.get` (the notebook's
        observations fetched in one query), else each KPI's own query.

    Returns
    -------
    pandas.DataFrame
        :data:`DETAIL_COLUMNS`: the contract columns of ``results/kpi_changes.csv``
        (:data:`CHANGE_COLUMNS`; ``population`` says whom ``before`` and ``after`` cover:
        :data:`BOTH_WINDOWS` for a panel, else :data:`EACH_WINDOW`) plus ``design``, ``overlap``
        (share of units in both windows, for KPIs with a panel definition), the test ``statistic``
        and a ``message`` code.
    """
    settings = params.kpis
    observe = observe or lookup(data, settings)
    names, ids, codes = _segment_groups(segments)
    groups = [ALL, *names]
    rows = []
    for kpi in selected(settings):
        found = observe(*compared(kpi, params))
        growth_obs = found if kpi.stat_type == "growth" else None
        before, after = (None, None) if kpi.stat_type == "growth" or found is None else found
        absent = missing_tables(data, settings).get(kpi.name)
        befores, afters = (_split(f, ids, codes, len(names)) for f in (before, after))
        growths = None if growth_obs is None else list(
            zip(*(_split(g, ids, codes, len(names)) for g in growth_obs), strict=True))
        # a growth KPI is compared for all customers only: a group's growth against a window whose own growth
        # was already large can move by over 100 points and says little (the base KPI's rows show each group)
        for k, segment in enumerate(groups[:1] if kpi.stat_type == "growth" else groups):
            growth = None if growths is None else list(growths[k])
            change, design, overlap = compare(kpi, befores[k], afters[k], settings, growth)
            rows.append({"kpi": kpi.name, "segment": segment, "before": change.before, "after": change.after,
                         "abs_change": change.abs_change, "rel_change": change.rel_change, "ci_low": change.ci_low,
                         "ci_high": change.ci_high, "test": change.test, "p_value": change.p_value,
                         "n_before": change.n_before, "n_after": change.n_after, "design": design,
                         "overlap": overlap, "statistic": change.statistic,
                         "population": BOTH_WINDOWS if design == "paired" else EACH_WINDOW,
                         "message": MISSING_TABLE if absent else change.message})
    frame = pd.DataFrame(rows, columns=[c for c in DETAIL_COLUMNS if c not in ("p_adjusted", "verdict",
                                                                               "min_meaningful_change")])
    return judge(frame, settings)[DETAIL_COLUMNS]


def judge(frame: pd.DataFrame, settings: KpiParams) -> pd.DataFrame:
    """Add ``p_adjusted``, ``min_meaningful_change`` and ``verdict``.

    Two families: the headline KPIs (segment ``all``) and the subgroup cells (KPIs x the other
    segments), each adjusted on its own, so a headline verdict does not depend on how many segments
    the report breaks the KPIs into. A mirrored KPI (retention = 1 - churn) tests the same
    hypothesis as its mirror and is counted once.
    """
    segments = frame["segment"] if "segment" in frame else pd.Series(ALL, index=frame.index)
    hypotheses = pd.MultiIndex.from_arrays([[KPIS[k].mirror_of or k for k in frame["kpi"]], segments])
    p_values = pd.Series(frame["p_value"].to_numpy(), index=hypotheses)
    distinct = p_values.groupby(level=[0, 1], sort=False).first()
    headline = distinct.index.get_level_values(1) == ALL
    adjusted = pd.concat([pd.Series(adjust_p_values(distinct[family], settings.correction),
                                    index=distinct.index[family]) for family in (headline, ~headline)])
    frame = frame.assign(p_adjusted=adjusted.reindex(hypotheses).to_numpy())
    frame["min_meaningful_change"] = [min_change_of(KPIS[k], b, settings) for k, b in
                                      zip(frame["kpi"], frame[_before_column(frame)], strict=True)]
    frame["verdict"] = [
        verdict(change, p, settings.alpha, KPIS[k].better, mmc if np.isfinite(mmc) else np.inf,
                insufficient=m in (INSUFFICIENT, MISSING_TABLE))
        for k, change, p, mmc, m in zip(frame["kpi"], frame[_change_column(frame)], frame["p_adjusted"],
                                        frame["min_meaningful_change"], frame["message"], strict=True)]
    return frame


def _before_column(frame: pd.DataFrame) -> str:
    return "before" if "before" in frame else "treated_before"


def _change_column(frame: pd.DataFrame) -> str:
    return "abs_change" if "abs_change" in frame else "estimate"


def template5(changes: pd.DataFrame, segment: str = ALL) -> pd.DataFrame:
    """Template 5 (效果评估分析表) for management: KPI | before | after | change | adjusted p | verdict."""
    rows = changes[changes["segment"] == segment]
    return pd.DataFrame({"kpi": rows["kpi"], "before": rows["before"], "after": rows["after"],
                         "change": rows["abs_change"], "p_adjusted": rows["p_adjusted"],
                         "verdict": rows["verdict"]}).reset_index(drop=True)


def forest_frame(changes: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Changes in multiples of each KPI's minimum meaningful change, signed so that positive = better.

    Returns ``kpi``, ``segment``, ``verdict``, ``estimate``, ``low``, ``high``: -1..1 is a change too
    small to matter; an interval entirely beyond 1 is a clear, meaningful improvement. The intervals
    are widened by the multiplicity adjustment each p-value received
    (:func:`crmreport.stats.adjusted.adjusted_interval`), so they agree with the adjusted verdicts.
    """
    sign = np.where([KPIS[k].better == "higher" for k in changes["kpi"]], 1.0, -1.0)
    unit = changes["min_meaningful_change"].where(changes["min_meaningful_change"] > 0)
    adjusted = [adjusted_interval(*(float(x) for x in values), alpha=alpha, level=1 - alpha) for values in
                zip(changes["abs_change"], changes["ci_low"], changes["ci_high"], changes["p_value"],
                    changes["p_adjusted"], strict=True)]
    ends = np.array(adjusted, dtype=float).reshape(-1, 2) * sign[:, None] / unit.to_numpy()[:, None]
    return pd.DataFrame({"kpi": changes["kpi"], "segment": changes["segment"], "verdict": changes["verdict"],
                         "estimate": changes["abs_change"] * sign / unit, "low": np.nanmin(ends, axis=1),
                         "high": np.nanmax(ends, axis=1)}).reset_index(drop=True)


def verdict_lists(changes: pd.DataFrame, language: str, segment: str = ALL) -> dict[str, str]:
    """Per verdict, the KPI names (in ``language``) that got it, joined for a takeaway sentence, and counts."""
    rows = changes[changes["segment"] == segment]
    sep = "、" if language == "zh" else ", "
    out: dict[str, str] = {}
    for shown in OBSERVATIONAL:
        names = [KPIS[k].display_name(language) for k in rows.loc[rows["verdict"] == shown, "kpi"]]
        out[shown] = sep.join(names) if names else "–"
        out[f"{shown}_count"] = str(len(names))
    return out
