"""The KPIs' observations in windows, each KPI defined once as an Ibis expression (DuckDB or Spark).

An observation is one row per unit (a customer, an order, a ticket...) with ``unit``, ``customer_id`` and
``value`` (:mod:`crmreport.measures.kpis` says what they mean). One expression covers every window a
comparison needs (before and after, the four windows of a growth KPI, a monthly series): the rows come
back labelled with their window's position, so a series of 24 months is one query, not 24; the windows are a
small table the query joins (:func:`bounds`), so a table is scanned once, not once per window. Windows cover
whole days (``start <= t < stop``). Within a window the rows come ordered by their unit (:data:`ORDER`, applied
by :func:`crmreport.measures.kpis.observations_of`), so the statistics that follow (sums, bootstrap draws) see the
same numbers in the same order on both engines; a window's sum (:func:`window_sums`) is exact.

Every value is a 0/1 flag, a count, a score, an amount as recorded, a duration in hours (microseconds
apart, divided once) or a net amount per customer summed exactly (:data:`crmreport.measures.spend.EXACT`) and
converted to a double once: equal on both engines.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Callable
from datetime import date, timedelta

import ibis
import ibis.expr.types as ir

from ..settings import KpiParams, Window
from .scores import CSAT_TOP2_MIN, DETRACTOR_MAX, PROMOTER_MIN
from .spend import EXACT

#: the window's position in the windows asked for, the units' order within it, and the observations
WINDOW, ORDER = "window", "order"
_START, _STOP = "window_start", "window_stop"
#: an observation's value as an exact decimal, for the windows' sums
EXACT_VALUE = "exact_value"
#: a dataset's table on the engine: ``source(name, columns)``; a KPI asks for each table once
Source = Callable[[str, list[str]], ir.Table]
Observe = Callable[[Source, list[Window], KpiParams], ir.Table]


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


def bounds(windows: list[Window]) -> ir.Table:
    """One row per window: its position :data:`WINDOW` and the midnights that open and close it (a small table
    that a query joins once, instead of scanning a table once per window)."""
    return _bounds(tuple((w.start, w.stop) for w in windows))


@functools.lru_cache(maxsize=64)
def _bounds(spans: tuple[tuple[date, date], ...]) -> ir.Table:
    """:func:`bounds`, one table per list of windows, so that the parts of one query join the same table."""
    table = ibis.memtable({WINDOW: list(range(len(spans))), _START: [f"{start} 00:00:00" for start, _ in spans],
                           _STOP: [f"{stop} 00:00:00" for _, stop in spans]})
    return table.mutate(**{WINDOW: table[WINDOW].cast("int64"), _START: table[_START].cast("timestamp"),
                           _STOP: table[_STOP].cast("timestamp")})


def labelled(table: ir.Table, column: str, windows: list[Window]) -> ir.Table:
    """The rows of ``table`` whose ``column`` lies in each of ``windows``, with the window's position as
    :data:`WINDOW` (a row in two windows appears twice)."""
    spans = bounds(windows)
    joined = table.join(spans, [table[column] >= spans[_START], table[column] < spans[_STOP]])
    return joined.drop(_START, _STOP)


def observed(rows: ir.Table, unit: str, value: ir.Value, order: str | None = None,
             exact: ir.Value | None = None) -> ir.Table:
    """The observations of ``rows`` (labelled): ``unit`` column, ``value``, the column to order the units by within
    a window (:data:`ORDER`, default: the unit) and ``value`` as an exact decimal (:data:`EXACT_VALUE`; ``exact``
    when the value is a decimal converted to a double) that a window's sum adds (:func:`window_sums`)."""
    value = value.cast("float64")
    return rows.select(WINDOW, unit=rows[unit].cast("string"), customer_id=rows.customer_id.cast("string"),
                       value=value, **{ORDER: rows[order or unit].cast("string"),
                                       EXACT_VALUE: (value if exact is None else exact).cast(EXACT)})


def window_sums(observations: ir.Table) -> ir.Table:
    """Per window of ``observations``: their number ``n`` and the exact sum ``total`` of their values (the sum does
    not depend on how an engine splits the rows: every value is a decimal of at most 10 places)."""
    return observations.group_by(WINDOW).aggregate(n=observations.count(), total=observations[EXACT_VALUE].sum())


def _flag(condition: ir.BooleanValue) -> ir.FloatingValue:
    """1.0 where ``condition`` holds, 0.0 where it does not or is empty."""
    return ibis.ifelse(condition.fill_null(False), 1.0, 0.0)


def _hours(start: ir.TimestampValue, stop: ir.TimestampValue) -> ir.FloatingValue:
    """Hours from ``start`` to ``stop`` (counted in microseconds, one division), empty when either is."""
    return stop.delta(start, unit="microsecond").cast("float64") / 3.6e9


def _purchases(source: Source, columns: list[str]) -> ir.Table:
    """The purchases (amount > 0, :data:`crmreport.measures.scores.PURCHASE_SQL`; refunds are not)."""
    table = source("transactions", list(dict.fromkeys([*columns, "transaction_date", "amount"])))
    return table.filter(table.amount > 0)


def _bought(rows: ir.Table, windows: list[Window]) -> ir.Table:
    """Each customer with a purchase in a window, once per window."""
    return labelled(rows, "transaction_date", windows).select(WINDOW, "customer_id").distinct()


def _lost(source: Source, windows: list[Window], settings: KpiParams) -> ir.Table:
    """Each customer with a purchase in the window before (``activity_days``, else as long) and ``lost``: 1 without
    a purchase in the window."""
    rows = _purchases(source, ["customer_id"])
    active = _bought(rows, [preceding(w, settings.activity_days) for w in windows])
    buyers = _bought(rows, windows).mutate(bought=ibis.literal(True))
    joined = active.left_join(buyers, [WINDOW, "customer_id"])
    return joined.select(WINDOW, "customer_id", lost=ibis.ifelse(joined.bought.isnull(), 1.0, 0.0))


def churn(source: Source, windows: list[Window], settings: KpiParams) -> ir.Table:
    """Per customer with a purchase in the window before: 1 without a purchase in the window."""
    rows = _lost(source, windows, settings)
    return observed(rows, "customer_id", rows.lost)


def retention(source: Source, windows: list[Window], settings: KpiParams) -> ir.Table:
    """1 - :func:`churn`."""
    rows = _lost(source, windows, settings)
    return observed(rows, "customer_id", 1.0 - rows.lost)


def repurchase(source: Source, windows: list[Window], settings: KpiParams) -> ir.Table:
    """Per customer with a purchase in the window: 1 with two or more."""
    rows = labelled(_purchases(source, ["customer_id"]), "transaction_date", windows)
    counts = rows.group_by([WINDOW, "customer_id"]).aggregate(orders=rows.count())
    return observed(counts, "customer_id", _flag(counts.orders >= 2))


def orders(source: Source, windows: list[Window], settings: KpiParams) -> ir.Table:
    """Per purchase in the window: its amount."""
    rows = labelled(_purchases(source, ["transaction_id", "customer_id"]), "transaction_date", windows)
    return observed(rows, "transaction_id", rows.amount)


def _per_signed(source: Source, windows: list[Window], events: ir.Table, total: ir.Scalar) -> ir.Table:
    """Per customer signed up by the window's end (an empty signup date counts): ``total`` over the customer's
    ``events`` (labelled) in the window, 0 without any."""
    customers = source("customers", ["customer_id", "signup_date"])
    spans = bounds(windows)
    joined = customers.join(spans, customers.signup_date.isnull() | (customers.signup_date < spans[_STOP]))
    signed = joined.select("customer_id", WINDOW)
    totals = events.group_by([WINDOW, "customer_id"]).aggregate(total=total)
    joined = signed.left_join(totals, [WINDOW, "customer_id"])
    rows = joined.select(WINDOW, "customer_id", "total")
    return observed(rows, "customer_id", rows.total.cast("float64").fill_null(0.0), exact=rows.total.fill_null(0))


def revenue(source: Source, windows: list[Window], settings: KpiParams) -> ir.Table:
    """Per customer signed up by the window's end: the net amount (refunds deducted) in the window, exact."""
    table = source("transactions", ["customer_id", "transaction_date", "amount"])
    rows = labelled(table, "transaction_date", windows)
    return _per_signed(source, windows, rows, rows.amount.cast(EXACT).sum())


def complaints(source: Source, windows: list[Window], settings: KpiParams) -> ir.Table:
    """Per customer signed up by the window's end: tickets with category complaint opened in the window."""
    table = source("tickets", ["customer_id", "opened_at", "category"])
    rows = labelled(table.filter(table.category == "complaint"), "opened_at", windows)
    return _per_signed(source, windows, rows, rows.count())


def surveys(column: str, transform: Callable[[ir.FloatingValue], ir.Value] | None = None) -> Observe:
    """Per survey answer given in the window with a ``column`` score: the score, or ``transform`` of it."""

    def observe(source: Source, windows: list[Window], settings: KpiParams) -> ir.Table:
        table = source("surveys", ["survey_id", "customer_id", "response_time", column])
        rows = labelled(table.filter(table[column].notnull()), "response_time", windows)
        scores = rows[column].cast("float64")
        return observed(rows, "customer_id", scores if transform is None else transform(scores), order="survey_id")

    return observe


def csat_top2(scores: ir.FloatingValue) -> ir.FloatingValue:
    """1 for a CSAT answer of 4 or 5."""
    return _flag(scores >= CSAT_TOP2_MIN)


def nps_points(scores: ir.FloatingValue) -> ir.FloatingValue:
    """+100 for a promoter (9-10), -100 for a detractor (0-6), else 0."""
    return ibis.cases((scores >= PROMOTER_MIN, 100.0), (scores <= DETRACTOR_MAX, -100.0), else_=0.0)


def first_response(source: Source, windows: list[Window], settings: KpiParams) -> ir.Table:
    """Per ticket opened in the window and answered: hours from opening to first response."""
    table = source("tickets", ["ticket_id", "customer_id", "opened_at", "first_response_at"])
    rows = labelled(table.filter(table.first_response_at.notnull()), "opened_at", windows)
    return observed(rows, "ticket_id", _hours(rows.opened_at, rows.first_response_at))


def within_sla(source: Source, windows: list[Window], settings: KpiParams) -> ir.Table:
    """Per ticket opened in the window: 1 when resolved within its priority's hours
    (``kpis.resolution_sla_hours``); unresolved tickets and unknown priorities count as missed."""
    rows = labelled(source("tickets", ["ticket_id", "customer_id", "opened_at", "resolved_at", "priority"]),
                    "opened_at", windows)
    limits = settings.resolution_sla_hours
    allowed = ibis.cases(*((rows.priority == name, float(hours)) for name, hours in limits.items()),
                         else_=ibis.null("float64")) if limits else ibis.null("float64")
    return observed(rows, "ticket_id", _flag(_hours(rows.opened_at, rows.resolved_at) <= allowed))


def follow_up(source: Source, windows: list[Window], settings: KpiParams) -> ir.Table:
    """Per task planned in the window: 1 when done."""
    rows = labelled(source("tasks", ["task_id", "customer_id", "planned_date", "status"]), "planned_date", windows)
    return observed(rows, "task_id", _flag(rows.status == "done"))


def outbound(source: Source, windows: list[Window], settings: KpiParams) -> ir.Table:
    """Per outbound interaction in the window: 1 when the customer responded (empty = no)."""
    table = source("interactions", ["interaction_id", "customer_id", "interaction_time", "direction", "responded"])
    rows = labelled(table.filter(table.direction == "outbound"), "interaction_time", windows)
    return observed(rows, "interaction_id", _flag(rows.responded.cast("boolean")))
