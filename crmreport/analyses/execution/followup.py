"""The 7-24-72 rule and the lifecycle cadence (DOMAIN.md, phase 4).

- ``first_follow_up_7d``: customers who signed up in the period, first outbound interaction or done
  task (its actual date) at most ``follow_up_days`` x 24 hours after the signup date (midnight).
- ``reply_24h``: each inbound consultation or complaint of the period, answered within ``reply_hours``
  by the next outbound interaction to that customer or the first response of the customer's ticket
  opened with it (within ``ticket_match_hours``).
- ``resolve_72h``: tickets opened in the period resolved within ``resolution_hours``.
Cases whose limit has not passed at ``until`` without being met are pending and not rated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core.results import result_file
from ...ingest.dataset import Dataset
from ...measures.contacts import first_contacts, outbound_counts
from ...measures.replies import replies_of, reply_counts
from ...measures.scores import window_mask
from ...measures.slaclock import SlaFigures
from ...settings.execution import ExecutionParams
from ...settings.period import Window
from ...stats.proportion import wilson_interval

RULES: tuple[str, ...] = ("first_follow_up_7d", "reply_24h", "resolve_72h")
FOLLOWUP_COLUMNS: tuple[str, ...] = result_file("followup_7_24_72").columns


def first_follow_ups(customers: pd.DataFrame, data: Dataset, tasks: pd.DataFrame | None, window: Window,
                     until: pd.Timestamp, days: int) -> pd.DataFrame:
    """Per customer signed up in ``window``: the first outbound contact on or after the signup date,
    days taken and outcome (met / breached / pending).

    The contacts are the dataset's outbound interactions (none when ``data`` has no interactions) and
    the done ``tasks``; the first contact per customer is found on the dataset's
    engine (:func:`crmreport.measures.contacts.first_contacts`).
    """
    new = customers.loc[window_mask(customers["signup_date"], window), ["customer_id", "signup_date"]].copy()
    signup = pd.to_datetime(new["signup_date"]).dt.normalize()
    if data.has("interactions") or tasks is not None:
        asked = pd.DataFrame({"pos": np.arange(len(new)), "customer_id": new["customer_id"].to_numpy(dtype=object),
                              "at": signup.to_numpy()})
        first = first_contacts(data, asked, tasks, strict=False)
        new["first_contact"] = _placed(first["pos"], first["first_contact"], len(new))
    else:
        new["first_contact"] = pd.NaT
    new["days"] = (pd.to_datetime(new["first_contact"]) - signup) / pd.Timedelta(days=1)
    deadline = signup + pd.Timedelta(days=days)  # `days` x 24 hours from the signup date (midnight)
    new["outcome"] = np.select([new["days"] <= days, deadline <= until], ["met", "breached"], "pending")
    return new.reset_index(drop=True)


def next_outbound(asked: pd.DataFrame, data: Dataset) -> np.ndarray:
    """Per row of ``asked`` (``customer_id``, ``at``): the first outbound interaction of the dataset to that
    customer strictly after ``at`` (NaT when none), found on the dataset's engine (a forward ``merge_asof`` by
    customer, :func:`crmreport.measures.contacts.first_contacts`)."""
    if len(asked) == 0:
        return np.array([], dtype="datetime64[ns]")
    found = first_contacts(data, pd.DataFrame({"pos": np.arange(len(asked)),
                                               "customer_id": asked["customer_id"].to_numpy(dtype=object),
                                               "at": pd.to_datetime(asked["at"]).to_numpy()}), None, strict=True)
    return _placed(found["pos"], found["first_contact"], len(asked))


def _placed(positions: pd.Series, times: pd.Series, size: int) -> np.ndarray:
    """``times`` put at ``positions`` of an array of ``size`` empty times (in the unit of the table's column)."""
    placed = np.full(size, np.datetime64("NaT"), dtype=times.dtype)
    placed[positions.to_numpy(dtype="int64")] = times.to_numpy()
    return placed


def replies(data: Dataset, window: Window, until: pd.Timestamp, settings: ExecutionParams) -> pd.DataFrame:
    """Per inbound consultation or complaint of the dataset's interactions in ``window``: the first reply time,
    hours and outcome, computed on its engine (:func:`crmreport.measures.replies.reply_outcomes`)."""
    return replies_of(data, window, until, settings)


def _rule_row(rule: str, met: int, breached: int, pending: int, alpha: float) -> dict[str, object]:
    eligible = met + breached
    rate = met / eligible if eligible else np.nan
    low, high = (float(bound) for bound in wilson_interval(met, eligible, alpha))
    return {"rule": rule, "eligible": eligible, "met": met, "rate": rate,
            "ci_low": low, "ci_high": high, "pending": pending}


def _outcomes(frame: pd.DataFrame) -> tuple[int, int, int]:
    """Met, breached and pending cases of a rule's ``outcome`` column."""
    return tuple(int((frame["outcome"] == outcome).sum()) for outcome in ("met", "breached", "pending"))


def rule_7_24_72(follow_ups: pd.DataFrame | None, reply_counts: tuple[int, int, int] | None,
                 tickets: SlaFigures | None, alpha: float = 0.05) -> pd.DataFrame:
    """The ``followup_7_24_72.csv`` contract: per rule, eligible (met + breached), met, rate and its
    Wilson interval, and pending cases. A rule whose table is missing is left out. The replies' counts are met,
    breached and pending (:func:`crmreport.measures.replies.reply_counts`), the resolution's the tickets'
    (:func:`crmreport.analyses.execution.sla.ticket_sla`)."""
    rows = [] if follow_ups is None else [_rule_row("first_follow_up_7d", *_outcomes(follow_ups), alpha)]
    if reply_counts is not None:
        rows.append(_rule_row("reply_24h", *reply_counts, alpha))
    if tickets is not None:
        rows.append(_rule_row("resolve_72h", *(tickets.count("all", "all", f"resolution_{outcome}")
                                               for outcome in ("met", "breached", "pending")), alpha))
    return pd.DataFrame(rows, columns=list(FOLLOWUP_COLUMNS))


def rules_of(data: Dataset, window: Window, until: pd.Timestamp, per_ticket: SlaFigures | None,
             settings: ExecutionParams) -> pd.DataFrame:
    """:func:`rule_7_24_72` from the tables ``data`` has: the first follow-up needs interactions or tasks, the
    reply the interactions, the resolution the tickets (``per_ticket``, from
    :func:`crmreport.analyses.execution.sla.ticket_sla`)."""
    has = data.has
    follow_ups = first_follow_ups(data.tables["customers"], data, data.tables.get("tasks"), window, until,
                                  settings.follow_up_days) \
        if has("interactions") or has("tasks") else None
    answered = reply_counts(data, window, until, settings) if has("interactions") else None
    return rule_7_24_72(follow_ups, answered, per_ticket, settings.alpha)


def expected_contacts(stage: str, days: int, every: int) -> int:
    """Outbound contacts a customer of lifecycle ``stage`` should get in a window of ``days`` days when the
    cadence asks for one every ``every`` days: the whole intervals that fit, at least one (new customers: one,
    the day-3 call). A 92-day quarter expects 3 monthly (30-day) contacts and 1 quarterly (90-day) one."""
    return 1 if stage == "new" else max(1, days // every)


def cadence(execution: pd.DataFrame, data: Dataset, window: Window, settings: ExecutionParams) -> pd.DataFrame:
    """Lifecycle cadence against the outbound contacts the dataset's interactions gave each planned customer
    in ``window`` (counted on the dataset's engine, :func:`crmreport.measures.contacts.outbound_counts`).

    Expected contacts per customer: :func:`expected_contacts`, ``floor(window days / cadence_days[stage])``
    and at least one. Per stage: customers, expected, mean and median received, share receiving at
    least the expected number."""
    days = window.days
    received = outbound_counts(data, execution["customer_id"], window).to_numpy()
    frame = execution[["customer_id", "lifecycle_stage"]].assign(received=received)
    rows = []
    for stage, every in settings.cadence_days.items():
        group = frame[frame["lifecycle_stage"] == stage]
        if group.empty:
            continue
        expected = expected_contacts(stage, days, every)
        rows.append({"stage": stage, "customers": len(group), "cadence_days": every, "expected": expected,
                     "mean_received": group["received"].mean(), "median_received": group["received"].median(),
                     "share_met": (group["received"] >= expected).mean()})
    return pd.DataFrame(rows, columns=["stage", "customers", "cadence_days", "expected", "mean_received",
                                       "median_received", "share_met"])
