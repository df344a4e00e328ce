"""The KPI registry: what each before/after KPI means, how it is tested and how it is computed.

Every KPI is one frozen :class:`Kpi`: its name (its labels and reader definitions are the glossary's,
:mod:`crmreport.measures.glossary`), unit, which direction is better, statistical type (which decides
the test, see :mod:`crmreport.analyses.kpi.kpieval`), the tables it needs, the minimum change that matters,
and a computation that turns windows of data into *observations*: one row per unit (a customer, an order,
a ticket...) with ``unit``, ``customer_id`` and ``value``, an Ibis expression that runs on the run's engine
(:mod:`crmreport.measures.kpiwindows`). The KPI's value is an aggregate of the observations
(:func:`kpi_value`), and the tests run on them, so one definition serves the before/after table,
the segment breakdown, the monthly series and the difference-in-differences.

Windows cover whole days: a date-time ``t`` is inside when ``start <= t < end + 1 day``.
``docs/kpis.md`` is generated from this registry (:func:`kpi_markdown`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from ibis.backends import BaseBackend

from ..core.i18n import t
from ..ingest.dataset import Dataset
from ..settings import KPI_NAMES, KpiParams, Window
from . import kpiwindows as obs
from .kpiwindows import ORDER, WINDOW, Observe, preceding
from .tables import collect, engine_table

#: the part of a query that asked for a row (one KPI in its windows), and more windows than one request has
PART, _MAX_WINDOWS = "part", 1 << 20
StatType = Literal["proportion", "mean", "ratio", "nps", "rate", "median", "growth"]
OBSERVATION_COLUMNS = ["unit", "customer_id", "value"]
__all__ = ["KPIS", "OBSERVATION_COLUMNS", "REGISTRY", "Kpi", "kpi_markdown", "kpi_value", "min_change_of",
           "observations", "observations_in", "observations_of", "preceding", "row_formats", "window_sums"]


@dataclass(frozen=True)
class Kpi:
    """One KPI definition.

    ``stat_type``: ``proportion`` (values 0/1), ``mean``, ``ratio`` (mean of orders, customers as
    clusters), ``nps`` (values +100/0/-100), ``rate`` (events per customer, shown per ``scale``
    customers), ``median`` (skewed durations) or ``growth`` (growth of ``base`` over the window
    before). ``min_change`` is absolute in the KPI's unit, or a share of the before value when
    ``relative_min_change``. ``pairable``: the same customers can be compared across windows.
    ``mirror_of``: the KPI is a mirror image of another (retention = 1 - churn), the same hypothesis,
    so multiplicity adjustment counts it once.
    """

    name: str
    unit: str
    better: Literal["higher", "lower"]
    stat_type: StatType
    tables: tuple[str, ...]
    definition: str
    observe: Observe | None
    min_change: float
    relative_min_change: bool = False
    pairable: bool = False
    scale: float = 1.0
    base: str | None = None
    mirror_of: str | None = None

    def display_name(self, language: str) -> str:
        """The KPI's name in ``language`` (``en`` or ``zh``): its glossary label ``measure.label.<name>``."""
        return t(f"measure.label.{self.name}", language)


#: one KPI's observations in some windows
Request = tuple[Kpi, list[Window]]


def _frame(unit, customer_id, value) -> pd.DataFrame:
    return pd.DataFrame({"unit": _ids(unit), "customer_id": _ids(customer_id), "value": np.asarray(value, dtype=float)})


def _ids(values) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """Ids as a string array (Arrow-backed, no Python object per row) or, for other ids, an object array."""
    array = pd.array(values) if not isinstance(values, np.ndarray) or values.dtype == object else values
    return array if isinstance(array.dtype, pd.StringDtype) else np.asarray(values, dtype=object)


_TX, _CU = ("transactions",), ("customers", "transactions")
#: ``definition`` is the analyst's wording (docs); names and the reader's definitions, in en and zh, are the
#: glossary's (``measure.label.<name>``, ``measure.definition.<name>`` in crmreport/locale/measures.yaml)
REGISTRY: tuple[Kpi, ...] = (
    Kpi("churn_rate", "share", "lower", "proportion", _TX,
        "customers with a purchase (amount > 0) in the window before (same length, or `activity_days`) who make "
        "no purchase in the window", obs.churn, 0.02),
    Kpi("retention_rate", "share", "higher", "proportion", _TX,
        "customers with a purchase in the window before who purchase again in the window (1 - churn rate)",
        obs.retention, 0.02, mirror_of="churn_rate"),
    Kpi("repurchase_rate", "share", "higher", "proportion", _TX,
        "customers with 2 or more purchases among the customers with a purchase in the window", obs.repurchase, 0.02,
        pairable=True),
    Kpi("aov", "currency", "higher", "ratio", _TX,
        "mean amount of the window's purchases (amount > 0; refunds excluded)", obs.orders, 0.05,
        relative_min_change=True),
    Kpi("aov_growth", "growth", "higher", "growth", _TX,
        "AOV of the window / AOV of the window before (same length) - 1", None, 0.02, base="aov"),
    Kpi("revenue_per_customer", "currency", "higher", "mean", _CU,
        "net amount (refunds deducted) per customer signed up by the window's end, zeros included", obs.revenue, 0.05,
        relative_min_change=True, pairable=True),
    Kpi("csat_mean", "score", "higher", "mean", ("surveys",),
        "mean CSAT (1-5) of the survey answers given in the window; empty scores ignored",
        obs.surveys("csat"), 0.1, pairable=True),
    Kpi("csat_top2_share", "share", "higher", "proportion",
        ("surveys",), "share of the window's CSAT answers that are 4 or 5",
        obs.surveys("csat", obs.csat_top2), 0.02),
    Kpi("nps", "points", "higher", "nps", ("surveys",),
        "% of the window's NPS answers 9-10 minus % 0-6, in points (-100..100)", obs.surveys("nps", obs.nps_points),
        3.0, pairable=True),
    Kpi("trust_mean", "score", "higher", "mean", ("surveys",),
        "mean trust score (1-5) of the window's survey answers; empty scores ignored",
        obs.surveys("trust"), 0.1, pairable=True),
    Kpi("complaints_per_100_customers",
        "per 100 customers", "lower", "rate", ("customers", "tickets"),
        "tickets with category 'complaint' opened in the window per 100 customers signed up by the window's end",
        obs.complaints, 0.10, relative_min_change=True, scale=100.0),
    Kpi("median_first_response_hours",
        "hours", "lower", "median", ("tickets",),
        "median hours from opened_at to first_response_at of the tickets opened in the window (unanswered ignored)",
        obs.first_response, 0.10, relative_min_change=True),
    Kpi("resolved_within_sla_share", "share", "higher",
        "proportion", ("tickets",),
        "share of the tickets opened in the window resolved within the SLA hours of their priority "
        "(`kpis.resolution_sla_hours`: urgent 2 h, others 24 h); unresolved tickets count as missed",
        obs.within_sla, 0.02),
    Kpi("follow_up_completion_rate", "share", "higher", "proportion",
        ("tasks",), "share of the tasks planned in the window whose status is done", obs.follow_up, 0.02),
    Kpi("outbound_response_rate", "share", "higher", "proportion",
        ("interactions",), "share of the window's outbound interactions with responded = true (empty = no)",
        obs.outbound, 0.02),
)
KPIS: dict[str, Kpi] = {kpi.name: kpi for kpi in REGISTRY}
if tuple(KPIS) != KPI_NAMES:  # params check KPI names against settings.KPI_NAMES without importing the registry
    raise RuntimeError(f"the KPI registry {tuple(KPIS)} and settings.KPI_NAMES {KPI_NAMES} disagree")


def observations(kpi: Kpi, data: Dataset, window: Window, settings: KpiParams) -> pd.DataFrame | None:
    """The observations of ``kpi`` in ``window`` (columns ``unit``, ``customer_id``, ``value``).

    Returns None when the data source lacks a table the KPI needs; ``growth`` KPIs have no
    observations of their own (use their ``base`` KPI).
    """
    found = observations_in(kpi, data, [window], settings)
    return None if found is None else found[0]


def observations_in(kpi: Kpi, data: Dataset, windows: list[Window], settings: KpiParams) -> list[pd.DataFrame] | None:
    """:func:`observations` of ``kpi`` in each of ``windows``, computed in one query on the dataset's engine
    (:mod:`crmreport.measures.kpiwindows`); None as there."""
    return observations_of([(kpi, windows)], data, settings)[0]


def observations_of(requests: list[Request], data: Dataset, settings: KpiParams) -> list[list[pd.DataFrame] | None]:
    """:func:`observations_in` of each ``(kpi, windows)`` of ``requests``, all in one query on the dataset's engine
    (a Spark query has a cost of its own, whatever its size)."""
    asked = [k for k, (kpi, _) in enumerate(requests) if _observable(kpi, data)]
    found: list[list[pd.DataFrame] | None] = [None] * len(requests)
    if not asked:
        return found
    with data.engine.backend() as backend:
        parts = [_part(k, requests[k][0].observe(_source(backend, data), requests[k][1], settings)
                       .select(WINDOW, *OBSERVATION_COLUMNS, ORDER)) for k in asked]
        frame = collect(backend, (ibis.union(*parts) if len(parts) > 1 else parts[0]).order_by([PART, WINDOW, ORDER]))
    keys = frame[PART].to_numpy(dtype="int64") * _MAX_WINDOWS + frame[WINDOW].to_numpy(dtype="int64")
    for k in asked:
        count = len(requests[k][1])
        bounds = np.searchsorted(keys, k * _MAX_WINDOWS + np.arange(count + 1), side="left")
        found[k] = [_frame(frame["unit"].iloc[a:b], frame["customer_id"].iloc[a:b], frame["value"].iloc[a:b])
                    for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return found


def window_sums(kpis: list[Kpi], data: Dataset, windows: list[Window], settings: KpiParams) -> pd.DataFrame:
    """Per KPI of ``kpis`` (those with their tables) and window: the number ``n`` of observations and their exact
    sum ``total`` (:func:`crmreport.measures.kpiwindows.window_sums`), all in one query; one row per KPI and window
    (``kpi``, ``window``: the window's position), ``n`` 0 and ``total`` 0.0 in a window without observations."""
    asked = [kpi for kpi in kpis if _observable(kpi, data)]
    grid = pd.DataFrame({"kpi": np.repeat([kpi.name for kpi in asked], len(windows)),
                         WINDOW: np.tile(np.arange(len(windows), dtype="int64"), len(asked))})
    if not asked:
        return grid.assign(n=pd.Series(dtype="int64"), total=pd.Series(dtype=float))
    with data.engine.backend() as backend:
        parts = [_part(k, obs.window_sums(kpi.observe(_source(backend, data), windows, settings)))
                 for k, kpi in enumerate(asked)]
        frame = collect(backend, ibis.union(*parts) if len(parts) > 1 else parts[0])
    frame = frame.assign(kpi=[asked[k].name for k in frame[PART]], total=[float(v) for v in frame["total"]])
    sums = grid.merge(frame[["kpi", WINDOW, "n", "total"]], on=["kpi", WINDOW], how="left")
    return sums.fillna({"n": 0, "total": 0.0}).astype({"n": "int64"})


def _observable(kpi: Kpi, data: Dataset) -> bool:
    return kpi.observe is not None and all(data.has(table) for table in kpi.tables)


def _source(backend: BaseBackend, data: Dataset) -> obs.Source:
    return lambda name, columns: engine_table(backend, data, name, columns)


def _part(k: int, table: ir.Table) -> ir.Table:
    """``table`` as the ``k``-th part of a query (column :data:`PART`)."""
    return table.mutate(**{PART: ibis.literal(k, "int64")})


def kpi_value(kpi: Kpi, values: np.ndarray | pd.Series) -> float:
    """The KPI's value from its observations' ``value``: mean (times ``scale``) or median; NaN when empty."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return np.nan
    return float(np.median(values)) if kpi.stat_type == "median" else kpi.scale * float(values.mean())


def min_change_of(kpi: Kpi, before: float, settings: KpiParams) -> float:
    """The minimum meaningful change in the KPI's unit: the param or registry value, times |before| if relative."""
    value = settings.min_change.get(kpi.name, kpi.min_change)
    if not kpi.relative_min_change:
        return value
    return value * abs(before) if np.isfinite(before) else np.nan


def row_formats(points: Callable[[float], str]) -> dict[str, tuple[str | Callable, str | Callable]]:
    """Per-KPI ``(level, change)`` formats for ``Report.table(row_formats=...)``; ``points`` formats share changes."""
    by_unit = {"share": ("{:.1%}", points), "growth": ("{:+.1%}", points), "score": ("{:.2f}", "{:+.2f}"),
               "points": ("{:.1f}", "{:+.1f}"), "currency": ("{:,.0f}", "{:+,.0f}"),
               "per 100 customers": ("{:.2f}", "{:+.2f}"), "hours": ("{:.2f}", "{:+.2f}")}
    return {kpi.name: by_unit[kpi.unit] for kpi in REGISTRY}


def kpi_markdown() -> str:
    """The registry as a Markdown table (``docs/kpis.md`` holds it; a test keeps them equal)."""
    tests = {"proportion": ("two-proportion z, Newcombe interval", "McNemar"),
             "mean": ("Welch t", "paired t (or Wilcoxon)"), "ratio": ("ratio of sums, delta method by customer", ""),
             "nps": ("NPS difference, multinomial variance", "paired t"), "rate": ("Poisson rate score test", ""),
             "median": ("Mann-Whitney U, bootstrap interval of the median difference", ""),
             "growth": ("difference of growths, delta method by customer", "")}
    lines = ["| KPI | 中文 | definition | unit | better | type | test | tables | min. meaningful change |",
             "|---|---|---|---|---|---|---|---|---|"]
    for kpi in REGISTRY:
        size = f"{kpi.min_change:.0%} of before" if kpi.relative_min_change else (
            f"{kpi.min_change * 100:g} pp" if kpi.unit in ("share", "growth") else f"{kpi.min_change:g}")
        independent, panel = tests[kpi.stat_type]
        test = f"{independent}; panel: {panel}" if kpi.pairable else independent
        lines.append(f"| `{kpi.name}` {kpi.display_name('en')} | {kpi.display_name('zh')} | {kpi.definition} "
                     f"| {kpi.unit} | {kpi.better} "
                     f"| {kpi.stat_type} | {test} | {', '.join(kpi.tables)} | {size} |")
    return "\n".join(lines) + "\n"
