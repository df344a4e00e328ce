"""Synthetic, reproducible demo data for the eight contract tables, with its planted truth.

``generate_demo`` samples a customer base of a mixed B2B/B2C firm in China over
``years`` years ending on ``end`` (default window 2023-10-01 .. 2025-09-30) from the
latent model in :mod:`crmreport.demo.truth`; ``write_demo_data`` writes it as CSV or
Parquet plus ``ground_truth.json``. Everything is vectorised with numpy (one million
customers take a few minutes) and the same seed gives byte-identical files.

Ground truth (``DemoData.ground_truth``)
---------------------------------------
generator
    seed, n_customers, start, end, years; ``period`` = the last complete calendar quarter
    ending on or before ``end`` ('2025Q3'), ``baseline`` = the quarter before ('2025Q2');
    ``trailing_12m_start`` = end - 12 months + 1 day.
segments
    {customer_id: nine-box segment}; ``segment_counts`` totals them. Value tier = rank of
    the customer's *latent* trailing-12-month spend (expected gross order amount from the
    planted order rate, trend, seasonality, signup and stop dates and order size): top 20%
    high, next 30% medium, bottom 50% low (ties: older customer first). Potential tier =
    the planted trend of purchase frequency over the trailing 12 months: growing (+1.2 ..
    +2.0 log-spend per year) = high, stable (about 0) = medium, shrinking (-1.2 .. -2.0;
    every dormant and churned customer is shrinking) = low. high x (high, medium, low) =
    core, mature_stable, maintain; medium x ... = growth, regular, observe; low x ... =
    opportunity, low_value_stable, churn_warning.
lifecycle
    {customer_id: stage} as of ``end``; ``lifecycle_counts`` totals them. new = signup
    within 180 days before ``end``; churned = buying, tickets, surveys and inbound contact
    stopped on a day between 60 days after the window start and 30 days before the
    baseline quarter (only win-back contacts go on); dormant = buying stopped in the 150
    days before the baseline quarter, or in the baseline quarter's planted churn (see
    baseline_churn), while the customer still answers surveys and some contacts; active = the
    rest. The drawn stage changes end before the baseline quarter, so the baseline and period
    quarters see the same mix apart from new signups and the planted churn of each quarter
    (customers at risk of it are those drawn new or active).
campaigns
    {campaign_id: channel, start, end, control_arm, eligible, n_assigned per arm, arms
    {arm: response_rate, conversion_rate, revenue_per_converter, revenue_per_customer},
    effects {arm: absolute difference vs control of response_rate, conversion_rate,
    revenue_per_customer}}. Rates are the expected rates over the eligible customers
    (campaign propensity varies by lifecycle stage, identically in every arm); assignment
    is a random permutation split evenly over the arms. SMS-<period> (B2C, control /
    sms_a / sms_b; sms_b has zero effect), CALL-<period> (B2B, control / call, real
    effects), EMAIL-<baseline> (everyone, control / email, zero effect). Only customers
    signed up before the start with a valid phone (e-mail for EMAIL) are eligible.
kpi_changes
    {kpi: before, after, change (= after - before), relative_change, planted_effect,
    unit, definition} for the baseline (before) and period (after) quarters. Values are
    expectations over the event-level randomness given the generated customers, computed
    analytically (ordinal-probit score probabilities, Poisson rates times exposure,
    lognormal mixture medians), not from the sample. Planted from the period on: CSAT and
    NPS latent shifts, complaint ticket rate x0.7, first-response durations x0.75. KPIs
    without a planted effect (AOV, outbound response rate, trust) use the same event
    distributions in both quarters and move only through new signups (under 0.3%); with
    few customers the sample of customers adds noise (AOV about +-1% at 5,000).
quality_issues
    Counts of planted problems, each row carrying at most one: transactions_exact_duplicates
    (extra rows that copy a whole row, transaction_id included, placed right after it),
    surveys_csat_out_of_range (csat = 6), surveys_nps_out_of_range (nps = 11),
    tickets_response_before_opened, customers_invalid_phone (10 digits or a letter O),
    customers_invalid_email (no '@'); plus tasks_feedback_with_phone /
    tasks_feedback_with_email (contact details in free text, for masking). Survey and
    ticket issues sit before the baseline quarter when possible, so the KPI quarters stay clean.
    Plus interactions_feedback_with_phone / interactions_feedback_with_email (the log's feedback).
execution
    How the period's tasks (the plan of the baseline end, by planted segment) were carried out
    (:mod:`crmreport.demo.execution`): ``definition``; ``owners`` {owner: planted completion_rate
    and on_time_rate, and over the tasks planned in the period: tasks, done, done_on_time,
    observed_completion_rate, observed_on_time_rate} (one colleague, Gao Yan, has a handful);
    ``customers`` {customer_id: on_time | late | not_done} = outcome of the customer's first task
    planned in the period (no task = not_done); ``customers_without_task``; ``effect``
    {planted_odds_ratio on_time / late vs not_done (0.5 / 0.72, on the period churn, given the
    health drivers), by_outcome {customers, churned, churn_rate, expected_churn_rate} over the
    customers at risk, by_segment counts}.
followup_7_24_72
    {first_follow_up_7d | reply_24h | resolve_72h: eligible, planted_rate (model expectation),
    met, observed_rate (the rule applied to the tables)}; rules in :mod:`crmreport.demo.followup`.
sla_first_response
    {priority: limit_hours (urgent 2, others 24), eligible, planted_rate, met, observed_rate}
    over the tickets opened in the period at least the limit before ``end``.
period_churn, period_churn_rate, period_churn_summary, period_churn_probability
    The churn in the period quarter (:mod:`crmreport.demo.churn`): {customer_id: bool} for every
    customer (True = stopped buying on a day in the period's first 45 days and bought nothing
    after it); the rate over the customers at risk (stage new or active, signed up before the
    period, not churned in the baseline quarter; planted 8%); their count, the stop days; the
    planted probability of each customer at risk. Lifecycle stages and segments stay as drawn (the
    latent value tier ignores the loss).
baseline_churn, baseline_churn_rate, baseline_churn_summary, baseline_churn_probability
    The same for the baseline quarter: the same driver-based mechanism (same coefficients, drivers
    as of the baseline quarter's first day, no planned actions yet), so that weights fitted on the
    baseline quarter can learn what the period's churn depends on, as with a business whose churn
    drivers are stable. Customers at risk: stage new or active, signed up before the baseline
    quarter; a churner buys nothing from a day in its first 45 days on. Drawn from its own random
    stream: the other draws stay as they were; the baseline churners lose their orders from the
    stop day on and leave the period's customers at risk.
health
    The churn drivers: log-odds ``coefficients`` per unit of each driver (``drivers`` defines them:
    satisfaction, complaints and SLA breaches in the last 180 days, log recency, spend trend,
    outreach response), ``intercept`` (period) and ``baseline_intercept``, ``execution_odds_ratio``,
    ``auc_true_probability`` (the best any score can do on this sample) and ``auc_health_drivers``
    (the drivers without the execution), both for the period, and ``baseline_auc_health_drivers``.
    The drivers other than recency weigh 1.5 times what they first did (issue 27; see
    :mod:`crmreport.demo.churn`), so on the embedded demo they rank the churn clearly better than
    recency alone (0.822 against 0.757).
Interactions carry the optional communication-log columns (topic, urgency, owner, due_date,
follow_up, feedback); every inbound consultation gets a reply (85% within 24 h) and 75% of
resolved complaints a call-back (:mod:`crmreport.demo.commlog`).
Everything else is valid against the contract: no orphans, no dates after ``end``
except planned dates of tasks and improvements and due dates of follow-ups.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from ..core.contract import TABLES
from .calendar import Calendar
from .churn import baseline_churn, health_drivers, period_churn
from .columns import NP_STR
from .customers import simulate_customers
from .improvements import simulate_improvements
from .interactions import simulate_interactions
from .kpi_truth import kpi_truth, without_churned_orders
from .outreach import simulate_outreach
from .plan_truth import plan_truth
from .population import LIFECYCLES, SEGMENTS, draw_population
from .surveys import simulate_surveys
from .tasks import simulate_tasks
from .tickets import simulate_tickets
from .transactions import draw_purchases, simulate_transactions

logger = logging.getLogger("crmreport")
_CSV_CHUNK = 500_000  # rows converted and written at a time
# new streams go last: spawned children are by index
_STREAMS = ("population", "customers", "transactions", "interactions", "tickets", "surveys", "outreach", "tasks",
            "improvements", "execution", "service", "churn", "baseline_churn")


@dataclass(frozen=True)
class DemoData:
    """The eight contract tables and the truth planted in them (JSON-serialisable)."""

    tables: dict[str, pd.DataFrame]
    ground_truth: dict


def _rounded(value: object) -> object:
    """``value`` with every float rounded to 6 decimals; NaN (no data to define a KPI) becomes None."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else round(float(value), 6)
    return value


def generate_demo(n_customers: int = 5000, seed: int = 7, end: date = date(2025, 9, 30), years: int = 2) -> DemoData:
    """Generate the demo tables and their ground truth.

    Parameters
    ----------
    n_customers : int
        Number of customers (about 11 transactions each over two years).
    seed : int
        Random seed; the same seed gives identical tables.
    end : datetime.date
        Last day of the data.
    years : int
        Length of the window in years; it starts on ``end`` minus ``years`` years plus one day.

    Returns
    -------
    DemoData
        ``tables`` keyed by contract table name, ``ground_truth`` as described in the module docstring.
    """
    if n_customers < 1:
        raise ValueError(f"n_customers={n_customers}: the demo needs at least one customer")
    cal = Calendar.make(end, years)
    rngs = dict(zip(_STREAMS, (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(_STREAMS))),
                    strict=True))
    pop = draw_population(rngs["population"], n_customers, cal)
    customers, manager = simulate_customers(rngs["customers"], pop, cal)
    ids = pa.array(customers["customer_id"])
    purchases = draw_purchases(rngs["transactions"], pop, cal)
    tickets, complaint_cust, complaint_at, complaint_closed, n_early = simulate_tickets(rngs["tickets"], pop, cal, ids)
    surveys, n_csat, n_nps = simulate_surveys(rngs["surveys"], pop, cal, ids)
    outreach, campaigns = simulate_outreach(rngs["outreach"], pop, cal, ids)
    tasks, n_phone, n_email, execution, owners = simulate_tasks(rngs["tasks"], pop, cal, ids, manager,
                                                                rngs["execution"])
    interactions, n_log_phone, n_log_email = simulate_interactions(
        rngs["interactions"], pop, cal, ids, complaint_cust, complaint_at, complaint_closed, rngs["service"], manager)
    index = pd.Index(customers["customer_id"])
    (baseline, b_first, b_after), (period, p_first, p_after) = cal.quarter("baseline"), cal.quarter("period")
    before = baseline_churn(rngs["baseline_churn"], pop, cal,
                            health_drivers(pop, cal, b_first, index, tickets, interactions, purchases))
    churn = period_churn(rngs["churn"], pop, cal,
                         health_drivers(pop, cal, p_first, index, tickets, interactions, purchases),
                         execution.customer, before)
    stop_day = np.minimum(before.stop_day, churn.stop_day)
    stage = np.where(before.churned, LIFECYCLES.index("dormant"), pop.life)  # stopped buying, still in contact
    transactions, n_duplicates = simulate_transactions(rngs["transactions"], purchases, cal, ids, stop_day)
    tables = {
        "customers": customers, "transactions": transactions, "interactions": interactions,
        "surveys": surveys, "tickets": tickets, "outreach": outreach, "tasks": tasks,
        "improvements": simulate_improvements(rngs["improvements"], pop, cal),
    }
    customer_ids = customers["customer_id"].tolist()
    ground_truth = {
        "generator": {
            "seed": seed, "n_customers": n_customers, "start": cal.start.isoformat(), "end": end.isoformat(),
            "years": years, "period": period, "baseline": baseline,
            "baseline_start": cal.date(b_first).isoformat(), "baseline_end": cal.date(b_after - 1).isoformat(),
            "period_start": cal.date(p_first).isoformat(), "period_end": cal.date(p_after - 1).isoformat(),
            "trailing_12m_start": cal.date(cal.t12_day).isoformat(),
        },
        "segments": dict(zip(customer_ids, np.array(SEGMENTS)[pop.segment].tolist(), strict=True)),
        "segment_counts": {s: int((pop.segment == i).sum()) for i, s in enumerate(SEGMENTS)},
        "lifecycle": dict(zip(customer_ids, np.array(LIFECYCLES)[stage].tolist(), strict=True)),
        "lifecycle_counts": {s: int((stage == i).sum()) for i, s in enumerate(LIFECYCLES)},
        "campaigns": campaigns,
        "kpi_changes": kpi_truth(without_churned_orders(pop, cal, stop_day), cal),
        "quality_issues": {
            "transactions_exact_duplicates": n_duplicates, "surveys_csat_out_of_range": n_csat,
            "surveys_nps_out_of_range": n_nps, "tickets_response_before_opened": n_early,
            "customers_invalid_phone": int(pop.phone_bad.sum()), "customers_invalid_email": int(pop.email_bad.sum()),
            "tasks_feedback_with_phone": n_phone, "tasks_feedback_with_email": n_email,
            "interactions_feedback_with_phone": n_log_phone, "interactions_feedback_with_email": n_log_email,
        },
        **plan_truth(pop, cal, tables, execution, owners, churn, before),
    }
    logger.info("demo data: %s", ", ".join(f"{len(t):,} {name}" for name, t in tables.items()))
    return DemoData(tables, _rounded(ground_truth))


def _csv_ready(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with dates as 'YYYY-MM-DD' and datetimes as 'YYYY-MM-DD HH:MM:SS' text."""
    out = frame.copy()
    for col in TABLES[name].columns:
        if col.kind in ("date", "datetime"):
            values = frame[col.name].to_numpy()
            text = np.datetime_as_string(values.astype("datetime64[s]"), unit="D" if col.kind == "date" else "s")
            out[col.name] = np.where(np.isnat(values), "", np.strings.replace(text.astype(NP_STR), "T", " "))
    return out


def write_demo_data(out_dir: Path, n_customers: int = 5000, seed: int = 7,
                    file_format: Literal["csv", "parquet"] = "csv", *, end: date = date(2025, 9, 30),
                    years: int = 2) -> Path:
    """Write the demo tables (``<table>.csv`` or ``<table>.parquet``) and ``ground_truth.json`` to ``out_dir``.

    Parameters
    ----------
    out_dir : pathlib.Path
        Target folder, created if missing; existing files of the same name are replaced.
    n_customers, seed, end, years
        As in :func:`generate_demo`.
    file_format : {"csv", "parquet"}
        CSV is UTF-8 with ISO dates; Parquet keeps the canonical dtypes.

    Returns
    -------
    pathlib.Path
        ``out_dir``.
    """
    if file_format not in ("csv", "parquet"):
        raise ValueError(f"file_format={file_format!r}: use 'csv' or 'parquet'")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    demo = generate_demo(n_customers, seed, end, years)
    for name, frame in demo.tables.items():
        path = out_dir / f"{name}.{file_format}"
        if file_format == "csv":
            with path.open("w", encoding="utf-8", newline="") as handle:
                for start in range(0, max(len(frame), 1), _CSV_CHUNK):
                    _csv_ready(name, frame.iloc[start:start + _CSV_CHUNK]).to_csv(
                        handle, index=False, header=start == 0, lineterminator="\n")
        else:
            frame.to_parquet(path, index=False)
    text = json.dumps(demo.ground_truth, ensure_ascii=False, indent=1)
    (out_dir / "ground_truth.json").write_text(text + "\n", encoding="utf-8")
    logger.info("demo data written to %s", out_dir)
    return out_dir
