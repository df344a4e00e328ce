"""Per-customer spend measures, each defined once as an Ibis expression over a transactions table.

The same expression runs on the embedded DuckDB, on Spark (:mod:`crmreport.engine`) and, compiled to
SQL (:func:`to_sql`), inside the source database (PostgreSQL, a DuckDB file). Amounts are summed as
DECIMAL(38, 10), exactly, so a sum does not depend on row order or on how an engine splits the rows
between threads or executors (sums of doubles do, in the last bit); a mean is the exact sum over the
count, converted to a double once.

``as_of`` is the last day counted (inclusive); a transaction counts when its date is before the day
after ``as_of``.
"""

from __future__ import annotations

import functools
import operator
from datetime import date, datetime, timedelta

import ibis
import ibis.expr.types as ir
import pandas as pd

from ..settings.period import Window

#: exact amounts: 28 digits before the decimal point, 10 after
EXACT = "decimal(38, 10)"
TRANSACTIONS_SCHEMA = ibis.schema({"customer_id": "string", "transaction_date": "timestamp", "amount": "float64"})
#: the transaction columns the measures read
TRANSACTION_COLUMNS: list[str] = list(TRANSACTIONS_SCHEMA.names)
#: sqlglot dialect of a SQLAlchemy dialect name
SQL_DIALECTS = {"postgresql": "postgres", "duckdb": "duckdb"}


def months_before(day: date, months: int) -> date:
    """The day ``months`` calendar months before ``day`` (2025-10-01, 3 -> 2025-07-01)."""
    return (pd.Timestamp(day) - pd.DateOffset(months=months)).date()


def day_start(day: date) -> ir.TimestampScalar:
    """Midnight at the start of ``day``, as a timestamp literal (compared with zone-less date-times)."""
    return ibis.timestamp(datetime(day.year, day.month, day.day))


def _counted(transactions: ir.Table, as_of: date, exact: bool = True) -> ir.Table:
    """Rows dated up to ``as_of``, with ``amount`` exact unless ``exact`` is false."""
    counted = transactions.filter(transactions.transaction_date < day_start(as_of + timedelta(days=1)))
    return counted.mutate(amount=counted.amount.cast(EXACT)) if exact else counted


def _sum_if(condition: ir.BooleanValue, amount: ir.NumericValue) -> ir.NumericScalar:
    """Sum of ``amount`` where ``condition`` holds (0 of the amount's type where it never does)."""
    return ibis.ifelse(condition, amount, ibis.literal(0, amount.type())).sum()


def count_if(condition: ir.BooleanValue) -> ir.IntegerScalar:
    """Rows where ``condition`` holds, as int64 (0 where it never does)."""
    return ibis.ifelse(condition, 1, 0).sum().cast("int64")


def _ratio(numerator: ir.NumericValue, denominator: ir.IntegerValue) -> ir.FloatingValue:
    """``numerator / denominator`` as a double, empty when the denominator is 0."""
    return numerator.cast("float64") / denominator.nullif(0).cast("float64")


def summary(transactions: ir.Table, as_of: date) -> ir.Table:
    """The per-customer transaction summary as of the end of ``as_of``, ordered by customer id.

    Columns: ``orders`` (rows with amount >= 0), ``refunds`` (amount < 0), ``total_amount`` (net,
    refunds included), first/last transaction date, ``amount_12m``/``orders_12m`` over the 365 days
    ending ``as_of``, ``order_amount_12m`` the gross order amount (refunds excluded) in those days,
    ``average_order_value`` = gross order amount / orders over all time (empty without orders).
    """
    rows = _counted(transactions, as_of)
    order, refund = rows.amount >= 0, rows.amount < 0
    recent = rows.transaction_date >= day_start(as_of - timedelta(days=364))
    grouped = rows.group_by("customer_id").aggregate(
        orders=count_if(order), refunds=count_if(refund), total_amount=rows.amount.sum(),
        first_transaction=rows.transaction_date.min(), last_transaction=rows.transaction_date.max(),
        amount_12m=_sum_if(recent, rows.amount), orders_12m=count_if(recent & order),
        order_amount_12m=_sum_if(recent & order, rows.amount), order_amount=_sum_if(order, rows.amount))
    return grouped.select(
        "customer_id", "orders", "refunds", grouped.total_amount.cast("float64").name("total_amount"),
        "first_transaction", "last_transaction", grouped.amount_12m.cast("float64").name("amount_12m"),
        "orders_12m", grouped.order_amount_12m.cast("float64").name("order_amount_12m"),
        _ratio(grouped.order_amount, grouped.orders).name("average_order_value"),
    ).order_by("customer_id")


def features(transactions: ir.Table, as_of: date, trend_months: int = 3) -> ir.Table:
    """The transaction features of every customer with transactions up to ``as_of``, ordered by customer id.

    ``recency_days``, ``frequency``, ``monetary``, ``annual_amount`` and ``trend`` as defined in
    :mod:`crmreport.measures.features`, with the two windows' net spend ``spend_recent_3m`` and
    ``spend_prior_3m`` (each ``trend_months`` calendar months long) that ``trend`` compares.
    These sums and the mean are of doubles, as segmentation has always read them: on one DuckDB thread they
    are summed in table order (reproducible); engines that split the rows agree to about 1e-12 relative.
    """
    end = as_of + timedelta(days=1)
    rows = _counted(transactions, as_of, exact=False)
    order = rows.amount > 0  # a purchase (measures.scores.PURCHASE_SQL)
    year = rows.transaction_date >= day_start(as_of - timedelta(days=364))
    recent, prior = day_start(months_before(end, trend_months)), day_start(months_before(end, 2 * trend_months))
    grouped = rows.group_by("customer_id").aggregate(
        last_order=ibis.ifelse(order, rows.transaction_date, ibis.null("timestamp")).max(),
        frequency=count_if(year & order), monetary=ibis.ifelse(year & order, rows.amount, ibis.null("float64")).mean(),
        annual_amount=_sum_if(year, rows.amount), spend_recent_3m=_sum_if(rows.transaction_date >= recent, rows.amount),
        spend_prior_3m=_sum_if((rows.transaction_date >= prior) & (rows.transaction_date < recent), rows.amount))
    scale = (grouped.spend_recent_3m.abs() + grouped.spend_prior_3m.abs())
    trend = ibis.ifelse(scale == 0, 0.0, (grouped.spend_recent_3m - grouped.spend_prior_3m) / (scale / 2.0))
    recency = ibis.date(as_of).delta(grouped.last_order.date(), unit="day").cast("float64")
    return grouped.select(
        "customer_id", recency.name("recency_days"), "frequency", "monetary", "annual_amount",
        "spend_recent_3m", "spend_prior_3m", trend.name("trend"),
    ).order_by("customer_id")


def _between(table: ir.Table, window: Window) -> ir.BooleanValue:
    """The transaction date lies in ``window`` (whole days: ``start <= t < stop``)."""
    return (table.transaction_date >= day_start(window.start)) & (table.transaction_date < day_start(window.stop))


def purchases_in(transactions: ir.Table, windows: dict[str, Window]) -> ir.Table:
    """Purchases (amount > 0, :data:`crmreport.measures.scores.PURCHASE_SQL`; refunds are not) per customer
    in each of ``windows`` (a result column per name), for customers with a purchase in any of them."""
    anywhere = functools.reduce(operator.or_, (_between(transactions, window) for window in windows.values()))
    rows = transactions.filter((transactions.amount > 0) & anywhere)
    return rows.group_by("customer_id").aggregate(
        **{name: count_if(_between(rows, window)) for name, window in windows.items()}).order_by("customer_id")


def to_sql(expression: ir.Table, dialect: str) -> str:
    """The SQL of a measure over an unbound table (``ibis.table(TRANSACTIONS_SCHEMA, name=...)``) for a
    SQLAlchemy dialect name (``postgresql``, ``duckdb``)."""
    return ibis.to_sql(expression, dialect=SQL_DIALECTS.get(dialect, dialect))
