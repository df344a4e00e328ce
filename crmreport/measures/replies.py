"""The reply of the 7-24-72 rule on the engine, defined once as an Ibis expression (DuckDB or Spark).

Each inbound consultation or complaint of the window is answered by the first outbound interaction to the
customer strictly after it (:func:`crmreport.measures.contacts.first_contact`) or by the first response of the
customer's ticket opened with it, whichever comes first. The ticket opened with a message is the customer's
ticket opened nearest to it within ``ticket_match_hours`` (a tie goes to the one opened before; among tickets
opened at the same time, before the message the last by ticket id, after it the first: a nearest ``merge_asof``
over tickets in id order); its first response counts when it is not before the message. The hours are on the
SLA clock (:func:`crmreport.measures.slaclock.elapsed_hours`): ``met`` within ``reply_hours``, ``breached`` later
or unanswered once the limit has passed at ``until``, ``pending`` otherwise. What comes back for the report is
the three counts.
"""

from __future__ import annotations

from datetime import datetime

import ibis
import ibis.expr.types as ir
import pandas as pd

from ..ingest.dataset import Dataset
from ..settings.execution import ExecutionParams
from ..settings.period import Window
from .contacts import first_contact, outbound_contacts
from .slaclock import OUTCOMES, clock_seconds, elapsed_hours
from .spend import count_if, day_start
from .tables import collect, engine_table

REPLY_TYPES: tuple[str, ...] = ("consultation", "complaint")


def _ticket_reply(asked: ir.Table, tickets: ir.Table, match_hours: float) -> ir.Table:
    """Per asked message with a ticket opened within ``match_hours`` of it: ``ticket_reply``, the first response of
    the nearest such ticket when it is not before the message (else empty)."""
    joined = asked.join(tickets, asked.customer_id == tickets.customer_id)
    diff = clock_seconds(joined.opened_at, None) - clock_seconds(joined.at, None)
    near = joined.filter(diff.abs().cast("float64") <= match_hours * 3600)
    later = clock_seconds(near.opened_at, None) > clock_seconds(near.at, None)  # opened after the message
    gap = (clock_seconds(near.opened_at, None) - clock_seconds(near.at, None)).abs()
    order = [gap, later.cast("int8"), ibis.desc(ibis.ifelse(later, ibis.null("string"), near.ticket_id)),
             ibis.ifelse(later, near.ticket_id, ibis.null("string"))]
    ranked = near.mutate(rank=ibis.row_number().over(group_by="pos", order_by=order))
    nearest = ranked.filter(ranked["rank"] == 0)
    answered = nearest.first_response_at.cast("timestamp")
    return nearest.select(ticket_pos=nearest.pos,
                          ticket_reply=ibis.ifelse(answered >= nearest.at, answered, ibis.null("timestamp")))


def reply_outcomes(interactions: ir.Table, tickets: ir.Table | None, window: Window, until: datetime,
                   settings: ExecutionParams) -> ir.Table:
    """Per inbound consultation or complaint in ``window`` (whole days): ``interaction_id``, ``customer_id``,
    ``at``, ``reply`` (empty when none), ``hours`` on the clock and ``outcome`` judged at ``until``."""
    at = interactions.interaction_time
    asked = interactions.filter((interactions.direction == "inbound") & interactions.interaction_type.isin(REPLY_TYPES)
                                & (at >= day_start(window.start)) & (at < day_start(window.stop)))
    asked = asked.select(pos=asked.interaction_id, customer_id=asked.customer_id, at=asked.interaction_time)
    outbound = first_contact(asked, outbound_contacts(interactions), strict=True)
    rows = asked.left_join(outbound, asked.pos == outbound.pos).select(*asked.columns, "first_contact")
    reply = rows.first_contact
    if tickets is not None:
        answered = _ticket_reply(asked, tickets, settings.ticket_match_hours)
        rows = rows.left_join(answered, rows.pos == answered.ticket_pos)
        ticket = rows.ticket_reply
        reply = ibis.cases((rows.first_contact.isnull(), ticket), (ticket.isnull() | (rows.first_contact <= ticket),
                                                                  rows.first_contact), else_=ticket)
    clock = settings.business_hours
    hours = elapsed_hours(rows.at, reply, clock)
    waited = elapsed_hours(rows.at, ibis.timestamp(until), clock)
    limit = settings.reply_hours
    outcome = ibis.cases(((hours <= limit).fill_null(False), "met"),
                         ((reply.notnull() | (waited >= limit)).fill_null(False), "breached"), else_="pending")
    return rows.select(interaction_id=rows.pos, customer_id=rows.customer_id, at=rows.at, reply=reply,
                       hours=hours, outcome=outcome).order_by(["at", "interaction_id"])


def _tables(backend, data: Dataset) -> tuple[ir.Table, ir.Table | None]:
    interactions = engine_table(backend, data, "interactions", ["interaction_id", "customer_id", "interaction_time",
                                                                "direction", "interaction_type"])
    tickets = engine_table(backend, data, "tickets", ["ticket_id", "customer_id", "opened_at", "first_response_at"]) \
        if data.has("tickets") else None
    return interactions, tickets


def replies_of(data: Dataset, window: Window, until: pd.Timestamp, settings: ExecutionParams) -> pd.DataFrame:
    """:func:`reply_outcomes` of the dataset's interactions and tickets on its engine, as rows."""
    with data.engine.backend() as backend:
        frame = collect(backend, reply_outcomes(*_tables(backend, data), window, until.to_pydatetime(), settings))
    return frame.astype({"at": "datetime64[ns]", "reply": "datetime64[ns]"})


def reply_counts(data: Dataset, window: Window, until: pd.Timestamp, settings: ExecutionParams) -> tuple[int, ...]:
    """Met, breached and pending replies of :func:`reply_outcomes` on the dataset's engine (one row back)."""
    with data.engine.backend() as backend:
        rows = reply_outcomes(*_tables(backend, data), window, until.to_pydatetime(), settings)
        counts = collect(backend, rows.aggregate(**{o: count_if(rows.outcome == o) for o in OUTCOMES}))
    return tuple(int(counts[outcome].fillna(0).iloc[0]) for outcome in OUTCOMES)
