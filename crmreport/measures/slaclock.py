"""Ticket service levels on the engine, defined once as Ibis expressions (DuckDB or Spark).

The SLA clock counts whole seconds between two date-times: calendar seconds, or with params
``execution.business_hours`` working seconds only (the clock stops outside the working day, on non-working
weekdays and on holidays). The working seconds between ``a`` and ``b`` are ``W(b) - W(a)``, ``W(t)`` the
working seconds from a fixed Monday (1900-01-01) to ``t``: the working days before ``t``'s day (each weekday's
days counted by arithmetic, the holidays on working weekdays taken off) times the working day's length, plus
the part of ``t``'s own working day already gone. Integer arithmetic on both engines, no calendar table.

A ticket opened in the window has per rule (first response, resolution) its hours, its limit and an outcome:
``met`` within the limit, ``breached`` later or unanswered past the limit at ``until``, ``pending`` otherwise.
What comes back for the tables of notebook 05 is bounded (:func:`sla_figures`): the outcomes' counts per
priority, department, category and month, and the hours each median and 90th percentile need: the tickets of the
groups small enough for the bootstrap to resample (in ticket order, the order it draws from), and for a larger
group its distinct hours with their counts (whole seconds: at most 3,600 values an hour of the range).
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from datetime import date, datetime

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from ..ingest.dataset import Dataset
from ..settings.execution import BusinessHours, ExecutionParams
from ..settings.period import Window
from .spend import count_if, day_start
from .tables import collect, engine_table

RULES: tuple[str, ...] = ("first_response", "resolution")
OUTCOMES: tuple[str, ...] = ("met", "breached", "pending")
#: the groupings of notebook 05's SLA tables; ``all`` is every ticket of the window
DIMENSIONS: tuple[str, ...] = ("all", "priority", "department", "category", "month")
TICKET_COLUMNS = ["ticket_id", "customer_id", "priority", "category", "department", "opened_at",
                  "first_response_at", "resolved_at"]
ORIGIN = date(1900, 1, 1)  # a Monday: day n of the clock is weekday n mod 7
DAY_SECONDS = 86400


def _seconds_of_day(at: ir.TimestampValue) -> ir.IntegerValue:
    return at.hour().cast("int64") * 3600 + at.minute().cast("int64") * 60 + at.second().cast("int64")


def clock_seconds(at: ir.TimestampValue, hours: BusinessHours | None) -> ir.IntegerValue:
    """Whole seconds from :data:`ORIGIN` to ``at`` on the clock: all of them, or the working ones of ``hours``."""
    day = at.date().delta(ibis.date(ORIGIN), unit="day").cast("int64")
    into = _seconds_of_day(at)
    if hours is None:
        return day * DAY_SECONDS + into
    start, end = (t.hour * 3600 + t.minute * 60 + t.second for t in (hours.start, hours.end))
    weekdays = sorted(set(hours.weekdays))
    off = sorted({(h - ORIGIN).days for h in hours.holidays if h >= ORIGIN and h.weekday() in weekdays})
    days_before = sum(((day + (6 - w)) // 7).cast("int64") for w in weekdays)  # days of weekday w in [0, day)
    holidays_before = sum((ibis.ifelse(day > h, 1, 0) for h in off), ibis.literal(0, "int64"))
    working = (day % 7).isin(weekdays) & (~day.isin(off) if off else ibis.literal(True))
    today = (into - start).clip(lower=0, upper=end - start) * ibis.ifelse(working, 1, 0)
    return (days_before - holidays_before) * (end - start) + today


def elapsed_hours(start: ir.TimestampValue, end: ir.TimestampValue, hours: BusinessHours | None) -> ir.FloatingValue:
    """Hours from ``start`` to ``end`` on the clock (empty when either is; negative when ``end`` is earlier)."""
    return (clock_seconds(end, hours) - clock_seconds(start, hours)).cast("float64") / 3600


def _outcome(hours: ir.FloatingValue, waited: ir.FloatingValue, limit: ir.FloatingValue) -> ir.StringValue:
    met = (hours.notnull() & (hours <= limit)).fill_null(False)
    breached = (hours.notnull() | (waited >= limit)).fill_null(False)
    return ibis.cases((met, "met"), (breached, "breached"), else_="pending")


def ticket_outcomes(tickets: ir.Table, window: Window, until: datetime, settings: ExecutionParams,
                    known_only: bool = False) -> ir.Table:
    """Per ticket opened in ``window`` (whole days): ``month`` (``YYYY-MM`` of the opening), per rule its hours
    on the clock, its limit and its outcome judged at ``until``; with ``known_only`` an answer given at or after
    ``until`` is not known yet (a health score as of a past day)."""
    kinds = {"category": "string", "department": "string", "first_response_at": "timestamp", "resolved_at": "timestamp"}
    tickets = tickets.mutate(**{name: tickets[name].cast(kind) for name, kind in kinds.items()
                                if name in tickets.columns and tickets.schema()[name].is_null()})  # Spark's type
    if known_only:
        cutoff = ibis.timestamp(until)
        tickets = tickets.mutate(**{name: ibis.ifelse(tickets[name] < cutoff, tickets[name], ibis.null("timestamp"))
                                    for name in ("first_response_at", "resolved_at")})
    rows = tickets.filter((tickets.opened_at >= day_start(window.start)) & (tickets.opened_at < day_start(window.stop)))
    clock = settings.business_hours
    waited = elapsed_hours(rows.opened_at, ibis.timestamp(until), clock)
    opened = rows.opened_at
    limits = {"first_response": rows.priority.cases(
        *((name, float(value)) for name, value in settings.first_response_limit_hours.items()), else_=None)
        .cast("float64"), "resolution": ibis.literal(float(settings.resolution_hours), "float64")}
    hours = {"first_response": elapsed_hours(opened, rows.first_response_at, clock),
             "resolution": elapsed_hours(opened, rows.resolved_at, clock)}
    return rows.mutate(
        month=opened.year().cast("string").concat("-", opened.month().cast("string").lpad(2, "0")),
        **{f"{rule}_hours": hours[rule] for rule in RULES}, **{f"{rule}_limit": limits[rule] for rule in RULES},
        **{f"{rule}_outcome": _outcome(hours[rule], waited, limits[rule]) for rule in RULES})


def _by(per_ticket: ir.Table, dimension: str) -> ir.StringValue:
    return ibis.literal("all") if dimension == "all" else per_ticket[dimension].cast("string")


def outcome_counts(per_ticket: ir.Table) -> ir.Table:
    """Per grouping of :data:`DIMENSIONS` and value (``by``, ``value``): ``tickets``, the ``first`` ticket id, per
    rule the tickets with known hours (``<rule>_known``) and per rule and outcome the tickets (``<rule>_<outcome>``);
    a ticket without a value of a grouping is in none of its groups."""
    parts = []
    for dimension in DIMENSIONS:
        value = _by(per_ticket, dimension)
        rows = per_ticket.filter(value.notnull()).mutate(by=ibis.literal(dimension), value=value)
        parts.append(rows.group_by(["by", "value"]).aggregate(
            tickets=rows.count(), first=rows.ticket_id.min(),
            **{f"{rule}_known": rows[f"{rule}_hours"].count() for rule in RULES},
            **{f"{rule}_{outcome}": count_if(rows[f"{rule}_outcome"] == outcome)
               for rule in RULES for outcome in OUTCOMES}))
    return ibis.union(*parts)


def _group_rows(per_ticket: ir.Table, dimension: str, values: list[str], rule: str) -> ir.BooleanValue:
    """Tickets in one of the groups ``values`` of ``dimension`` with known hours of ``rule``."""
    known = per_ticket[f"{rule}_hours"].notnull()
    return known if dimension == "all" else known & _by(per_ticket, dimension).isin(values)


def few_hours(per_ticket: ir.Table, groups: dict[tuple[str, str], list[str]]) -> ir.Table:
    """The tickets of the small ``groups`` (per grouping and rule, their values) with their groupings and hours,
    in ticket order: a group's hours in the order the bootstrap resamples them."""
    inside = functools.reduce(operator.or_, (_group_rows(per_ticket, dimension, values, rule)
                                             for (dimension, rule), values in groups.items()))
    return per_ticket.filter(inside).select("ticket_id", *DIMENSIONS[1:], *(f"{rule}_hours" for rule in RULES))


def many_hours(per_ticket: ir.Table, groups: dict[tuple[str, str], list[str]]) -> ir.Table:
    """The distinct hours and their ``count`` in the large ``groups`` (``by``, ``value``, ``rule``, ``hours``):
    all their quantiles need, in rows that stop growing with the tickets once every value has occurred."""
    parts = []
    for (dimension, rule), values in groups.items():
        rows = per_ticket.filter(_group_rows(per_ticket, dimension, values, rule))
        rows = rows.select(value=_by(rows, dimension), hours=rows[f"{rule}_hours"])
        parts.append(rows.group_by(["value", "hours"]).aggregate(count=rows.count().cast("int64")).mutate(
            by=ibis.literal(dimension), rule=ibis.literal(rule)))
    return ibis.union(*parts)


@dataclass(frozen=True)
class SlaFigures:
    """The bounded SLA figures of a window: outcome counts per group (in each grouping most tickets first, ties in
    the order of their first ticket) and the hours of each group and rule."""

    counts: pd.DataFrame
    hours: dict[tuple[str, str, str], np.ndarray]

    def values(self, dimension: str) -> list[str]:
        """The values of grouping ``dimension`` that have tickets."""
        return self.counts.loc[self.counts["by"] == dimension, "value"].tolist()

    def count(self, dimension: str, value: str, column: str) -> int:
        """The ``column`` count (``tickets`` or ``<rule>_<outcome>``) of the group (0 when it has no tickets)."""
        found = self.counts.loc[(self.counts["by"] == dimension) & (self.counts["value"] == value), column]
        return int(found.iloc[0]) if len(found) else 0

    def hours_in(self, dimension: str, value: str, rule: str) -> np.ndarray:
        """The known hours of ``rule`` in the group: in ticket order when the group is small, else sorted."""
        return self.hours.get((dimension, value, rule), np.array([], dtype=float))


def _split(counts: pd.DataFrame, largest: int) -> tuple[dict, dict]:
    """Per grouping and rule, the values of its groups with at most ``largest`` known hours, and the others."""
    few, many = {}, {}
    for rule in RULES:
        for row in counts.itertuples():
            side = few if getattr(row, f"{rule}_known") <= largest else many
            side.setdefault((row.by, rule), []).append(row.value)
    return few, many


def sla_figures(data: Dataset, window: Window, until: pd.Timestamp, settings: ExecutionParams,
                largest: int) -> SlaFigures:
    """The SLA figures of the dataset's tickets on its engine: :func:`outcome_counts`, then the hours of the groups
    with at most ``largest`` known hours as they are (:func:`few_hours`) and of the others as distinct values and
    counts (:func:`many_hours`); three queries at most."""
    with data.engine.backend() as backend:
        tickets = engine_table(backend, data, "tickets", TICKET_COLUMNS)
        per_ticket = ticket_outcomes(tickets, window, until.to_pydatetime(), settings)
        counts = collect(backend, outcome_counts(per_ticket))
        few, many = _split(counts, largest)
        rows = collect(backend, few_hours(per_ticket, few).order_by("ticket_id")) if few else None
        distinct = collect(backend, many_hours(per_ticket, many)) if many else None
    counts = counts.astype({c: "int64" for c in counts.columns if c not in ("by", "value", "first")})
    counts = counts.sort_values(["by", "tickets", "first"], ascending=[True, False, True]).reset_index(drop=True)
    hours = {}
    for (dimension, rule), values in few.items():
        for value in values:
            inside = rows[f"{rule}_hours"].notna() & (rows[dimension].astype(object) == value
                                                      if dimension != "all" else True)
            hours[(dimension, value, rule)] = rows.loc[inside, f"{rule}_hours"].to_numpy(dtype=float)
    if distinct is not None:
        distinct = distinct.sort_values("hours", kind="stable")
        for key, part in distinct.groupby(["by", "value", "rule"], sort=False):
            hours[key] = np.repeat(part["hours"].to_numpy(dtype=float), part["count"].to_numpy(dtype="int64"))
    return SlaFigures(counts, hours)


def breaches_per_customer(data: Dataset, window: Window, until: pd.Timestamp, settings: ExecutionParams) -> pd.Series:
    """Tickets per customer (index) opened in ``window`` that breached a rule by ``until``, answers after it not
    known yet (:func:`ticket_outcomes` with ``known_only``), on the dataset's engine: one row per customer."""
    columns = ["customer_id", "priority", "opened_at", "first_response_at", "resolved_at"]
    with data.engine.backend() as backend:
        rows = ticket_outcomes(engine_table(backend, data, "tickets", columns), window, until.to_pydatetime(),
                               settings, known_only=True)
        breached = (rows.first_response_outcome == "breached") | (rows.resolution_outcome == "breached")
        counts = collect(backend, rows.group_by("customer_id").aggregate(breaches=count_if(breached))
                         .order_by("customer_id"))
    return pd.Series(counts["breaches"].to_numpy(dtype="int64"), index=counts["customer_id"].to_numpy(dtype=object))
