"""Per-customer contact measures, each defined once as an Ibis expression (DuckDB or Spark).

The contact features: over the interactions table, or over the tickets table when a source has no
interactions (complaints only). Definitions in :mod:`crmreport.measures.features`; ``as_of`` is the last
day counted. Every value is a count, a mean of 0/1 flags or a day difference: exact on both engines.

Execution tracking's contacts: the first contact after a moment (the 7-24-72 rule), the earliest outbound
interaction or done task of the same customer per asked row, and the outbound contacts per customer in a
window (lifecycle cadence); minima of date-times and counts, exact on both engines.
"""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import ibis.expr.types as ir
import pandas as pd

from ..ingest.dataset import Dataset
from ..settings.period import Window
from .spend import count_if, day_start, months_before
from .tables import collect, counts_of, engine_table, frame_table

CONTACT_FEATURES: tuple[str, ...] = ("customer_id", "complaints_6m", "response_rate", "interaction_gap_days",
                                     "enquiries_3m")
INTERACTION_COLUMNS = ["customer_id", "interaction_time", "direction", "interaction_type", "responded"]
TICKET_COLUMNS = ["customer_id", "opened_at", "category"]


def interaction_features(interactions: ir.Table, as_of: date, response_days: int = 180) -> ir.Table:
    """Complaints in 6 months, response rate in ``response_days``, days since the last interaction and
    inbound consultations in 3 months, per customer with interactions up to ``as_of``."""
    end = as_of + timedelta(days=1)
    rows = interactions.filter(interactions.interaction_time < day_start(end))
    at = rows.interaction_time
    answered = ibis.ifelse((rows.direction == "outbound") & (at >= day_start(end - timedelta(days=response_days))),
                           rows.responded.cast("float64"), ibis.null("float64"))
    grouped = rows.group_by("customer_id").aggregate(
        complaints_6m=count_if((rows.interaction_type == "complaint") & (at >= day_start(months_before(end, 6)))),
        response_rate=answered.mean(), last_contact=at.max(),
        enquiries_3m=count_if((rows.direction == "inbound") & (rows.interaction_type == "consultation")
                              & (at >= day_start(months_before(end, 3)))))
    gap = ibis.date(as_of).delta(grouped.last_contact.date(), unit="day").cast("float64")
    return grouped.select("customer_id", "complaints_6m", "response_rate", gap.name("interaction_gap_days"),
                          "enquiries_3m").order_by("customer_id")


def ticket_features(tickets: ir.Table, as_of: date) -> ir.Table:
    """Complaint tickets opened in the 6 months ending ``as_of`` per customer (the other contact features empty)."""
    end = as_of + timedelta(days=1)
    rows = tickets.filter((tickets.category == "complaint") & (tickets.opened_at >= day_start(months_before(end, 6)))
                          & (tickets.opened_at < day_start(end)))
    grouped = rows.group_by("customer_id").aggregate(complaints_6m=rows.count())
    return grouped.select("customer_id", "complaints_6m", ibis.null("float64").name("response_rate"),
                          ibis.null("float64").name("interaction_gap_days"),
                          ibis.literal(0, "int64").name("enquiries_3m")).order_by("customer_id")


def outbound_in(interactions: ir.Table, window: Window) -> ir.Table:
    """Outbound interactions per customer in ``window`` (whole days), for customers with any: ``outbound``."""
    at = interactions.interaction_time
    rows = interactions.filter((interactions.direction == "outbound") & (at >= day_start(window.start))
                               & (at < day_start(window.stop)))
    return rows.group_by("customer_id").aggregate(outbound=rows.count()).order_by("customer_id")


def outbound_counts(data: Dataset, customer_ids: pd.Series, window: Window) -> pd.Series:
    """:func:`outbound_in` on the dataset's engine, for each id of ``customer_ids`` in its order (0 for none)."""
    with data.engine.backend() as backend:
        table = engine_table(backend, data, "interactions", ["customer_id", "interaction_time", "direction"])
        counts = collect(backend, outbound_in(table, window))
    return counts_of(customer_ids, counts, ["outbound"])["outbound"]


def outbound_contacts(interactions: ir.Table) -> ir.Table:
    """The outbound interactions as contacts: ``customer_id``, ``contact_at``."""
    rows = interactions.filter(interactions.direction == "outbound")
    return rows.select("customer_id", contact_at=rows.interaction_time.cast("timestamp"))


def done_tasks(tasks: ir.Table) -> ir.Table:
    """The tasks done (with the day they were done) as contacts: ``customer_id``, ``contact_at``."""
    rows = tasks.filter((tasks.status == "done") & tasks.actual_date.notnull())
    return rows.select("customer_id", contact_at=rows.actual_date.cast("timestamp"))


def first_contact(asked: ir.Table, contacts: ir.Table, strict: bool) -> ir.Table:
    """Per row of ``asked`` (``pos``, ``customer_id``, ``at``) with one: the earliest ``contact_at`` of the same
    customer's ``contacts`` at or after ``at`` (strictly after when ``strict``), ordered by ``pos``."""
    after = contacts.contact_at > asked.at if strict else contacts.contact_at >= asked.at
    joined = asked.join(contacts, [asked.customer_id == contacts.customer_id, after])
    return joined.group_by("pos").aggregate(first_contact=joined.contact_at.min()).order_by("pos")


def first_contacts(data: Dataset, asked: pd.DataFrame, tasks: pd.DataFrame | None, strict: bool) -> pd.DataFrame:
    """:func:`first_contact` over the outbound interactions of ``data`` (when it has them) and the done ``tasks``
    (when given), on the dataset's engine: ``pos``, ``first_contact`` (nanosecond date-times, as the prepared
    tables') for the rows of ``asked`` that have one."""
    with data.engine.backend() as backend:
        sources = []
        if data.has("interactions"):
            columns = ["customer_id", "interaction_time", "direction"]
            sources.append(outbound_contacts(engine_table(backend, data, "interactions", columns)))
        if tasks is not None:
            sources.append(done_tasks(frame_table(backend, "tasks", tasks[["customer_id", "status", "actual_date"]])))
        if not sources or asked.empty:
            return pd.DataFrame({"pos": pd.Series(dtype="int64"), "first_contact": pd.Series(dtype="datetime64[ns]")})
        asked_table = frame_table(backend, "asked", asked[["pos", "customer_id", "at"]])
        found = collect(backend, first_contact(asked_table, ibis.union(*sources), strict))
    return found.astype({"pos": "int64", "first_contact": "datetime64[ns]"})
