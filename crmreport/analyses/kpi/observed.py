"""Notebook 04's KPI observations: which KPIs, in which windows, fetched from the engine in one query.

The before/after table (:mod:`~crmreport.analyses.kpi.kpieval`) compares each KPI in the baseline window and the
period (a growth KPI: its base KPI in four windows), and the difference-in-differences
(:mod:`~crmreport.analyses.kpi.diffindiff`) uses the same two windows (and, for its parallel-trends check, the
window before the baseline). :func:`fetch` asks the engine for all of them in one query and keeps them;
:class:`Observed` hands each table the observations it asks for. On Spark a query costs seconds whatever its size,
so one query instead of one per KPI and table is what makes the notebook's time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd

from ...ingest.dataset import Dataset
from ...measures.kpis import KPIS, REGISTRY, Kpi, Request, observations_in, observations_of, preceding
from ...settings import KpiParams, Params, Window

#: statistical types whose value is a mean of the observations (what a difference-in-differences can difference)
DID_TYPES = ("proportion", "mean", "ratio", "nps", "rate")
#: a KPI's observations in some windows (None without its tables): what the notebook's tables ask for
Lookup = Callable[[Kpi, list[Window]], list[pd.DataFrame] | None]


def selected(settings: KpiParams) -> list[Kpi]:
    """The KPIs named in ``settings.include`` (registry order), else all of them."""
    return [kpi for kpi in REGISTRY if settings.include is None or kpi.name in settings.include]


def compared(kpi: Kpi, params: Params) -> Request:
    """What the before/after table compares for ``kpi``: the KPI in the baseline window and the period, or for a
    growth KPI its base KPI in the window before the baseline, the baseline, the window before the period and the
    period."""
    before, after = params.baseline_window, params.window
    if kpi.stat_type == "growth":
        return KPIS[kpi.base], [preceding(before), before, preceding(after), after]
    return kpi, [before, after]


def pretrend_windows(params: Params) -> list[Window]:
    """The difference-in-differences' parallel-trends check: the window before the baseline (as many days), and
    the baseline."""
    baseline = params.baseline_window
    return [preceding(baseline, baseline.days), baseline]


def requests(params: Params) -> list[Request]:
    """Every KPI and windows notebook 04's before/after table and difference-in-differences ask for."""
    kpis = selected(params.kpis)
    asked = [compared(kpi, params) for kpi in kpis]
    did = params.kpis.did
    if did is not None and did.comparison_untreated:
        asked += [(kpi, pretrend_windows(params)) for kpi in kpis if kpi.stat_type in DID_TYPES]
    return asked


class Observed:
    """KPI observations fetched together, handed out by :meth:`get` (what is not held is fetched on its own)."""

    def __init__(self, data: Dataset, settings: KpiParams, asked: list[Request]) -> None:
        self._data, self._settings = data, settings
        self._held = {_key(kpi, windows): found for (kpi, windows), found in
                      zip(asked, observations_of(asked, data, settings), strict=True)}

    def get(self, kpi: Kpi, windows: list[Window]) -> list[pd.DataFrame] | None:
        """The observations of ``kpi`` in each of ``windows`` (:func:`crmreport.measures.kpis.observations_in`)."""
        key = _key(kpi, windows)
        if key not in self._held:
            self._held[key] = observations_in(kpi, self._data, windows, self._settings)
        return self._held[key]


def _key(kpi: Kpi, windows: list[Window]) -> tuple[str, tuple[tuple[date, date], ...]]:
    return kpi.name, tuple((w.start, w.end) for w in windows)


def fetch(data: Dataset, params: Params) -> Observed:
    """Notebook 04's observations (:func:`requests`), in one query on the dataset's engine."""
    return Observed(data, params.kpis, requests(params))


def lookup(data: Dataset, settings: KpiParams) -> Lookup:
    """Each request fetched on its own: the default of a table called without :func:`fetch`."""
    return lambda kpi, windows: observations_in(kpi, data, windows, settings)

