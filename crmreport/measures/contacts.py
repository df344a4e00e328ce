"""Per-customer contact features, each defined once as an Ibis expression (DuckDB or Spark).

Over the interactions table, or over the tickets table when a source has no interactions (complaints
only). Definitions in :mod:`crmreport.measures.features`; ``as_of`` is the last day counted. Every
value is a count, a mean of 0/1 flags or a day difference: exact on both engines.
"""

from __future__ import annotations

from datetime import date, timedelta

import ibis
import ibis.expr.types as ir

from .spend import count_if, day_start, months_before

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
