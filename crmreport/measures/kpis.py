"""The KPI registry: what each before/after KPI means, how it is tested and how it is computed.

Every KPI is one frozen :class:`Kpi`: its name (its labels and reader definitions are the glossary's,
:mod:`crmreport.measures.glossary`), unit, which direction is better, statistical type (which decides
the test, see :mod:`crmreport.analyses.kpi.kpieval`), the tables it needs, the minimum change that matters,
and a computation that turns a window of data into *observations*: one row per unit (a customer, an order,
a ticket...) with ``unit``, ``customer_id`` and ``value``. The KPI's value is an aggregate of the observations
(:func:`kpi_value`), and the tests run on them, so one definition serves the before/after table,
the segment breakdown, the monthly series and the difference-in-differences.

Windows cover whole days: a date-time ``t`` is inside when ``start <= t < end + 1 day``.
``docs/kpis.md`` is generated from this registry (:func:`kpi_markdown`).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import pandas as pd

from ..core.i18n import t
from ..core.matching import member
from ..ingest.dataset import Dataset
from ..settings import KPI_NAMES, KpiParams, Window
from .keys import row_positions, window_positions, window_rows
from .scores import CSAT_TOP2_MIN, DETRACTOR_MAX, PROMOTER_MIN, is_purchase

StatType = Literal["proportion", "mean", "ratio", "nps", "rate", "median", "growth"]
OBSERVATION_COLUMNS = ["unit", "customer_id", "value"]
Observe = Callable[[Dataset, Window, KpiParams], pd.DataFrame]


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


def preceding(window: Window, days: int | None = None) -> Window:
    """The window just before ``window``: ``days`` long, else as many whole months (or days) as ``window``."""
    if days is None and window.start.day == 1 and window.end.day == calendar.monthrange(*_ym(window.end))[1]:
        months = (window.end.year - window.start.year) * 12 + window.end.month - window.start.month + 1
        index = window.start.year * 12 + window.start.month - 1 - months
        return Window(start=date(index // 12, index % 12 + 1, 1), end=window.start - timedelta(days=1))
    length = days or window.days
    return Window(start=window.start - timedelta(days=length), end=window.start - timedelta(days=1))


def _ym(day: date) -> tuple[int, int]:
    return day.year, day.month


def _frame(unit, customer_id, value) -> pd.DataFrame:
    return pd.DataFrame({"unit": _ids(unit), "customer_id": _ids(customer_id), "value": np.asarray(value, dtype=float)})


def _ids(values) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """Ids as a string array (Arrow-backed, no Python object per row) or, for other ids, an object array."""
    array = pd.array(values) if not isinstance(values, np.ndarray) or values.dtype == object else values
    return array if isinstance(array.dtype, pd.StringDtype) else np.asarray(values, dtype=object)


def _inside(data: Dataset, table: str, column: str, window: Window, columns: list[str]) -> pd.DataFrame:
    """``columns`` of ``table``'s rows in ``window``, in table order (:func:`crmreport.measures.keys.window_rows`)."""
    return window_rows(data.columns(table, [column, *columns]), column, window, columns)


def _purchases(data: Dataset, window: Window, columns: tuple[str, ...] = ("customer_id", "amount")) -> pd.DataFrame:
    """The purchases (:func:`~crmreport.measures.scores.is_purchase`: refunds are not) in ``window``."""
    inside = _inside(data, "transactions", "transaction_date", window, list(dict.fromkeys([*columns, "amount"])))
    return inside[is_purchase(inside["amount"])]


def _signed_by(data: Dataset, day: date) -> np.ndarray:
    """Boolean per row of the customers table: signup on or before ``day`` (an empty signup date counts)."""
    signup = data.columns("customers", ["customer_id", "signup_date"])["signup_date"]
    return (signup.isna() | (signup < pd.Timestamp(day + timedelta(days=1)))).to_numpy()


def _per_customer(data: Dataset, window: Window, table: str, column: str, amounts: str | None = None,
                  category: str | None = None) -> pd.DataFrame:
    """One observation per customer signed up by the window's end, in customers-table order: the sum of
    ``amounts`` over the ``table`` rows in ``window`` (pandas' grouped sum, so the same floating-point
    result as a groupby on the ids), or the count of rows (with ``category`` == "complaint" if given)."""
    frame = data.columns(table, [column, "customer_id", *([amounts] if amounts else []), *([category] if category
                                                                                           else [])])
    customers = data.columns("customers", ["customer_id", "signup_date"])
    rows = window_positions(frame, column, window)
    where = row_positions(frame, "customer_id", customers, "customer_id")[rows]
    if category is not None:
        chosen = (frame[category].take(rows) == "complaint").to_numpy(dtype=bool, na_value=False)
        rows, where = rows[chosen], where[chosen]
    keep = where >= 0
    totals = np.zeros(len(customers))
    if amounts is not None:
        sums = pd.Series(frame[amounts].to_numpy(dtype=float)[rows][keep]).groupby(where[keep]).sum()
        totals[sums.index.to_numpy()] = sums.to_numpy()
    else:
        totals += np.bincount(where[keep], minlength=len(customers))
    signed = _signed_by(data, window.end)
    ids = customers["customer_id"][signed].array
    return _frame(ids, ids, totals[signed])


def _churn(data: Dataset, window: Window, settings: KpiParams) -> pd.DataFrame:
    active = _purchases(data, preceding(window, settings.activity_days))["customer_id"].unique()
    buyers = _purchases(data, window)["customer_id"].unique()
    return _frame(active, active, ~member(active, buyers))


def _retention(data: Dataset, window: Window, settings: KpiParams) -> pd.DataFrame:
    churn = _churn(data, window, settings)
    return churn.assign(value=1 - churn["value"])


def _repurchase(data: Dataset, window: Window, settings: KpiParams) -> pd.DataFrame:
    orders = _purchases(data, window).groupby("customer_id").size()
    return _frame(orders.index.array, orders.index.array, orders.to_numpy() >= 2)


def _orders(data: Dataset, window: Window, settings: KpiParams) -> pd.DataFrame:
    orders = _purchases(data, window, ("transaction_id", "customer_id"))
    return _frame(orders["transaction_id"].array, orders["customer_id"].array, orders["amount"])


def _revenue(data: Dataset, window: Window, settings: KpiParams) -> pd.DataFrame:
    return _per_customer(data, window, "transactions", "transaction_date", amounts="amount")


def _surveys(column: str, transform: Callable[[pd.Series], np.ndarray]) -> Observe:
    def observe(data: Dataset, window: Window, settings: KpiParams) -> pd.DataFrame:
        inside = _inside(data, "surveys", "response_time", window, ["customer_id", column])
        inside = inside[inside[column].notna()]
        ids = inside["customer_id"].array
        return _frame(ids, ids, transform(inside[column].astype(float)))

    return observe


def _nps_points(scores: pd.Series) -> np.ndarray:
    return np.select([scores >= PROMOTER_MIN, scores <= DETRACTOR_MAX], [100.0, -100.0], 0.0)


def _complaints(data: Dataset, window: Window, settings: KpiParams) -> pd.DataFrame:
    return _per_customer(data, window, "tickets", "opened_at", category="category")


def _first_response(data: Dataset, window: Window, settings: KpiParams) -> pd.DataFrame:
    tickets = _inside(data, "tickets", "opened_at", window, ["ticket_id", "customer_id", "opened_at",
                                                              "first_response_at"])
    tickets = tickets[tickets["first_response_at"].notna()]
    hours = (tickets["first_response_at"] - tickets["opened_at"]).dt.total_seconds() / 3600
    return _frame(tickets["ticket_id"].array, tickets["customer_id"].array, hours)


def _within_sla(data: Dataset, window: Window, settings: KpiParams) -> pd.DataFrame:
    tickets = _inside(data, "tickets", "opened_at", window, ["ticket_id", "customer_id", "opened_at", "resolved_at",
                                                              "priority"])
    allowed = tickets["priority"].map(settings.resolution_sla_hours).astype(float)
    hours = (tickets["resolved_at"] - tickets["opened_at"]).dt.total_seconds() / 3600
    return _frame(tickets["ticket_id"].array, tickets["customer_id"].array, (hours <= allowed).fillna(False))


def _follow_up(data: Dataset, window: Window, settings: KpiParams) -> pd.DataFrame:
    tasks = _inside(data, "tasks", "planned_date", window, ["task_id", "customer_id", "status"])
    return _frame(tasks["task_id"].array, tasks["customer_id"].array, tasks["status"] == "done")


def _outbound(data: Dataset, window: Window, settings: KpiParams) -> pd.DataFrame:
    inside = _inside(data, "interactions", "interaction_time", window,
                     ["interaction_id", "customer_id", "direction", "responded"])
    outbound = inside[(inside["direction"] == "outbound").to_numpy(dtype=bool, na_value=False)]
    responded = outbound["responded"].astype("boolean").fillna(False).astype(bool)
    return _frame(outbound["interaction_id"].array, outbound["customer_id"].array, responded)


_TX, _CU = ("transactions",), ("customers", "transactions")
#: ``definition`` is the analyst's wording (docs); names and the reader's definitions, in en and zh, are the
#: glossary's (``measure.label.<name>``, ``measure.definition.<name>`` in crmreport/locale/measures.yaml)
REGISTRY: tuple[Kpi, ...] = (
    Kpi("churn_rate", "share", "lower", "proportion", _TX,
        "customers with a purchase (amount > 0) in the window before (same length, or `activity_days`) who make "
        "no purchase in the window", _churn, 0.02),
    Kpi("retention_rate", "share", "higher", "proportion", _TX,
        "customers with a purchase in the window before who purchase again in the window (1 - churn rate)",
        _retention, 0.02, mirror_of="churn_rate"),
    Kpi("repurchase_rate", "share", "higher", "proportion", _TX,
        "customers with 2 or more purchases among the customers with a purchase in the window", _repurchase, 0.02,
        pairable=True),
    Kpi("aov", "currency", "higher", "ratio", _TX,
        "mean amount of the window's purchases (amount > 0; refunds excluded)", _orders, 0.05,
        relative_min_change=True),
    Kpi("aov_growth", "growth", "higher", "growth", _TX,
        "AOV of the window / AOV of the window before (same length) - 1", None, 0.02, base="aov"),
    Kpi("revenue_per_customer", "currency", "higher", "mean", _CU,
        "net amount (refunds deducted) per customer signed up by the window's end, zeros included", _revenue, 0.05,
        relative_min_change=True, pairable=True),
    Kpi("csat_mean", "score", "higher", "mean", ("surveys",),
        "mean CSAT (1-5) of the survey answers given in the window; empty scores ignored",
        _surveys("csat", lambda s: s.to_numpy()), 0.1, pairable=True),
    Kpi("csat_top2_share", "share", "higher", "proportion",
        ("surveys",), "share of the window's CSAT answers that are 4 or 5",
        _surveys("csat", lambda s: (s >= CSAT_TOP2_MIN).to_numpy()), 0.02),
    Kpi("nps", "points", "higher", "nps", ("surveys",),
        "% of the window's NPS answers 9-10 minus % 0-6, in points (-100..100)", _surveys("nps", _nps_points), 3.0,
        pairable=True),
    Kpi("trust_mean", "score", "higher", "mean", ("surveys",),
        "mean trust score (1-5) of the window's survey answers; empty scores ignored",
        _surveys("trust", lambda s: s.to_numpy()), 0.1, pairable=True),
    Kpi("complaints_per_100_customers",
        "per 100 customers", "lower", "rate", ("customers", "tickets"),
        "tickets with category 'complaint' opened in the window per 100 customers signed up by the window's end",
        _complaints, 0.10, relative_min_change=True, scale=100.0),
    Kpi("median_first_response_hours",
        "hours", "lower", "median", ("tickets",),
        "median hours from opened_at to first_response_at of the tickets opened in the window (unanswered ignored)",
        _first_response, 0.10, relative_min_change=True),
    Kpi("resolved_within_sla_share", "share", "higher",
        "proportion", ("tickets",),
        "share of the tickets opened in the window resolved within the SLA hours of their priority "
        "(`kpis.resolution_sla_hours`: urgent 2 h, others 24 h); unresolved tickets count as missed",
        _within_sla, 0.02),
    Kpi("follow_up_completion_rate", "share", "higher", "proportion",
        ("tasks",), "share of the tasks planned in the window whose status is done", _follow_up, 0.02),
    Kpi("outbound_response_rate", "share", "higher", "proportion",
        ("interactions",), "share of the window's outbound interactions with responded = true (empty = no)",
        _outbound, 0.02),
)
KPIS: dict[str, Kpi] = {kpi.name: kpi for kpi in REGISTRY}
if tuple(KPIS) != KPI_NAMES:  # params check KPI names against settings.KPI_NAMES without importing the registry
    raise RuntimeError(f"the KPI registry {tuple(KPIS)} and settings.KPI_NAMES {KPI_NAMES} disagree")


def observations(kpi: Kpi, data: Dataset, window: Window, settings: KpiParams) -> pd.DataFrame | None:
    """The observations of ``kpi`` in ``window`` (columns ``unit``, ``customer_id``, ``value``).

    Returns None when the data source lacks a table the KPI needs; ``growth`` KPIs have no
    observations of their own (use their ``base`` KPI).
    """
    if kpi.observe is None or not all(data.has(table) for table in kpi.tables):
        return None
    return kpi.observe(data, window, settings)


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
