"""The five actions for next period, ranked by the value at stake, each with an owner, target, due date and
a capacity check.

Candidates (:mod:`.candidates`): each segment strategy of notebook 02's action list; each proven lever
(an A/B arm that worked on revenue: scale it to the test's control customers); and the largest
accounts whose health is falling (notebook 06), whatever their band. The value at stake of a group
of customers is their expected loss, the sum of ``customer_health.csv``'s ``expected_loss`` (CLV x
(1 - P(alive))), with the customers without a CLV counted beside it; a lever's is its incremental
revenue in the test. The levers and the falling accounts are always among the five, the segment
strategies fill the rest by value at stake. A customer counts once: the falling accounts already in a
segment action are shown as "also in action k" and left out of their value at stake, so the values
at stake of the chosen actions never add up to more than the expected loss of all customers.

Each segment action is due on the latest due date of its customers in the action list, whose dates
notebook 02 fitted to each owner's measured pace; the capacity check (:mod:`.capacity`) says how many
are due by the playbook's date (``due_days`` after the as-of date, the day the work can start) and,
within a cap, how many more people would keep it. Work outside the action list has owners without
task records: a lever goes at the pace its test arm was reached, the key accounts at the median
measured pace, assumed and said.
Targets are observable and sized to be told from chance (:mod:`.targets`): customers who order in the
next period, against last period's buyers and the model's forecast of buyers without action, plus the
lift a proven lever measured when the action uses its channel (otherwise "lever untested", and the
target is a 50/50 test); a lever's revenue against a random hold-out drawn outside the other actions
on its channel. Actions whose value the summary claims (a proven lever, or an action on its channel)
rank before the untested ones, each group by value at stake.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd

from ...core.i18n import t
from ...core.results import ACTION_LIST, CUSTOMER_HEALTH, result_file
from ...settings.params import Labels
from ...settings.period import shift_label
from ..segments.workload import assumed_pace
from . import capacity, claims, targets
from .candidates import Action, key_account_action, lever_actions, lever_lift, segment_actions, untested
from .headline import format_value
from .sources import EXCEPT, WITHIN, Figure, Ledger, Results

#: a test's customers by segment at its start: whom the other actions contact anyway
AB_SEGMENTS = result_file("ab_segments_conversion")
SECTION = "actions"
#: actions shown
ACTIONS = 5


def choose(candidates: list[Action], top: int = ACTIONS) -> list[Action]:
    """The ``top`` actions by value at stake, levers and falling key accounts always included, claimed ones first."""
    forced = [a for a in candidates if a.kind != "segment"]
    rest = sorted((a for a in candidates if a.kind == "segment"), key=_at_stake, reverse=True)
    chosen = sorted(forced, key=_at_stake, reverse=True)[:top]
    return sorted(chosen + rest[:top - len(chosen)], key=_rank)


def _at_stake(action: Action) -> float:
    return action.value.value if action.value is not None else 0.0


def _rank(action: Action) -> tuple[bool, float]:
    """Claimed actions first, each group by value at stake, largest first."""
    return untested(action), -_at_stake(action)


def counted_once(results: Results, chosen: list[Action]) -> list[Action]:
    """The chosen actions with each customer's expected loss counted once, ranked again (:func:`_rank`).

    Segment actions cover disjoint segments; the falling key accounts keep as their value at stake only
    those outside the chosen segment actions, and record what the others hold as ``overlaps``.
    """
    segments = [a for a in chosen if a.kind == "segment"]
    if not segments or not any(a.kind == "key_accounts" for a in chosen):
        return chosen
    taken = [a.key for a in segments]
    ranked = []
    for action in chosen:
        if action.kind == "key_accounts" and action.where is not None:
            alone = {**action.where, EXCEPT: {"segment": taken}}
            action = replace(action, value=results.total(CUSTOMER_HEALTH, "expected_loss", **alone),
                             overlaps=tuple((0, results.total(CUSTOMER_HEALTH, "expected_loss",
                                                              **{**action.where, WITHIN: {"segment": key}}))
                                            for key in taken))
        ranked.append(action)
    ranked = sorted(ranked, key=_rank)
    number = {a.key: k for k, a in enumerate(ranked, 1) if a.kind == "segment"}
    return [replace(a, overlaps=tuple((number[key], f) for key, (_, f) in zip(taken, a.overlaps, strict=True)
                                      if f is not None and f.value > 0)) if a.overlaps else a for a in ranked]


def target_text(action: Action, holdout: targets.Holdout | None, alpha: float, next_period: str,
                language: str) -> str:
    """The action's target (:mod:`.targets`): a lever's revenue against its ``holdout``; otherwise customers who
    order in ``next_period`` against last period's and the model's forecast, plus the lift of the lever the action
    uses (``action.lift``; None: lever untested, a 50/50 test)."""
    if action.kind == "lever" and holdout is not None:
        return targets.lever_target(holdout, language)
    if action.forecast is None or action.kind == "lever":
        return t("summary.target.segment", language, n=format_value("count", action.customers.value, language))
    outlook = targets.Outlook(int(action.customers.value), action.forecast.value,
                              action.buyers.value if action.buyers is not None else None)
    period = shift_label(next_period, -1)
    if action.lift is None:
        return targets.test_target(outlook, alpha, period, next_period, language)
    return targets.order_target(outlook, action.lift.value, alpha, period, next_period, language)


def lever_holdout(results: Results, lever: Action, ranked: list[Action], alpha: float) -> targets.Holdout | None:
    """A proven lever's hold-out (:func:`.targets.size_holdout`), drawn outside the ``ranked`` segment actions on its
    channel (their segments' customers in the test's control arm at its start); None without the test's interval."""
    diff, low, high = lever.per_customer or (None, None, None)
    if diff is None or low is None or high is None or not lever.test:
        return None
    campaign, arm = lever.test
    n = int(lever.customers.value)
    overlaps = tuple((k, f) for k, f in ((k, results.cell(AB_SEGMENTS, "n_control", campaign_id=campaign, arm=arm,
                                                          segment=other.key))
                                         for k, other in enumerate(ranked, 1)
                                         if other.kind == "segment" and lever_lift(other, [lever]) is not None)
                     if f is not None and f.value > 0)
    sd = targets.spread_per_customer(low.value, high.value, lever.arm, n, alpha)
    return targets.size_holdout(n, n - int(sum(f.value for _, f in overlaps)), sd, diff.value, alpha, overlaps)


def key_message(chosen: list[Action], warnings: int, language: str) -> str:
    """The summary's first lines: the proven lever, the largest value at stake, how many warnings follow."""
    lever = next((a for a in chosen if a.kind == "lever"), None)
    parts = [t("summary.key.lever", language, action=lever.name, source=lever.value.cite,
               **{k: format_value("currency", f.value, language) for k, f in
                  (("value", lever.value), ("low", lever.low), ("high", lever.high))})
             if lever else t("summary.key.no_lever", language)]
    stake = next((a for a in chosen if a.kind != "lever" and a.value is not None), None)
    if stake:
        parts.append(t("summary.key.stake", language, action=stake.name, source=stake.value.cite,
                       value=format_value("currency", stake.value.value, language),
                       n=format_value("count", stake.customers.value, language)))
    if warnings:
        parts.append(t("summary.key.watch", language, n=warnings))
    return " ".join(parts)


def next_actions(results: Results, ledger: Ledger, language: str, *, next_period: str, start: date,
                 alpha: float, labels: Labels | None = None, top: int = ACTIONS) -> tuple[pd.DataFrame, list[Action]]:
    """The ``top`` actions for next period as a reader's table (empty without an action list), and the actions
    with their recorded figures (for :func:`key_message`).

    ``start`` is the day the work can start (the data's as-of date): every due date lies after it.
    ``next_period`` names the period the targets are measured in. Columns: ``summary_action``,
    ``summary_owner``, ``summary_customers``, ``summary_at_stake``, ``summary_target``, ``summary_due``,
    ``summary_capacity`` and ``summary_source``.
    """
    if not results.has(ACTION_LIST):
        return pd.DataFrame(), []
    pace = assumed_pace(results.rows(capacity.ACTION_CAPACITY))
    records, chosen = [], []
    candidates = segment_actions(results, start, labels, language)
    if results.has(CUSTOMER_HEALTH):
        candidates += key_account_action(results, start, language)
    levers = lever_actions(results, start, alpha, labels, language)
    candidates = [replace(a, lift=lever_lift(a, levers)) for a in candidates] + levers
    ranked = counted_once(results, choose(candidates, top))
    for action in ranked:
        tag = f"{action.kind} {action.key}"
        customers = ledger.add(action.customers, SECTION, f"{tag} customers", "count", evidence=claims.COUNT)
        value = ledger.add(action.value, SECTION, f"{tag} value at stake", "currency",
                           measure="incremental_revenue" if action.kind == "lever" else "expected_loss",
                           evidence=claims.RANDOMISED if action.kind == "lever" else claims.MODEL)
        ends = [ledger.add(f, SECTION, f"{tag} value {f.column}", "currency", measure="incremental_revenue",
                           evidence=claims.RANDOMISED) for f in (action.low, action.high) if f is not None]
        overlaps = [(k, ledger.add(f, SECTION, f"{tag} also in action {k}", "currency", measure="expected_loss",
                                   evidence=claims.MODEL)) for k, f in action.overlaps]
        missing = ledger.add(action.without_clv, SECTION, f"{tag} without clv", "count", evidence=claims.COUNT)
        holdout = lever_holdout(results, action, ranked, alpha) if action.kind == "lever" else None
        recorded = [ledger.add(f, SECTION, f"{tag} target {name}", "count", measure=measure, evidence=evidence)
                    for f, name, measure, evidence in (
                        (action.buyers, "ordered in the period", "period_buyers", claims.COUNT),
                        (action.forecast, "expected to order next period", "p_order_next", claims.MODEL))]
        recorded += [ledger.add(f, SECTION, f"{tag} target test {f.column}", "currency",
                                measure="campaign_revenue_per_customer", evidence=claims.RANDOMISED)
                     for f in (action.per_customer if holdout is not None else ()) if f is not None]
        recorded += [ledger.add(f, SECTION, f"{tag} hold-out not from action {k}", "count", evidence=claims.COUNT)
                     for k, f in (holdout.overlaps if holdout is not None else ())]
        lift = ledger.add(action.lift if action.kind != "lever" else None, SECTION, f"{tag} target lift", "share",
                          measure="campaign_conversion_rate", evidence=claims.RANDOMISED)
        n = int(customers.value)
        if action.kind == "segment":
            plan = capacity.from_list(results.rows(ACTION_LIST, segment=action.key), action.asked, action.automated)
        elif action.kind == "lever" and action.pace:
            plan = capacity.at_pace(n - (holdout.size if holdout is not None else 0), action.asked, start,
                                    action.pace, "test")
        else:
            plan = capacity.at_pace(n, action.asked, start, pace, "median")
        action = replace(action, customers=customers, value=value, low=ends[0] if ends else None,
                         high=ends[-1] if ends else None, buyers=recorded[0], forecast=recorded[1], lift=lift
                         if action.kind != "lever" else action.lift)
        chosen.append(action)
        records.append({
            "summary_action": action.name, "summary_owner": action.owner,
            "summary_customers": format_value("count", n, language) + (
                t("summary.action.without_clv", language, n=format_value("count", missing.value, language))
                if missing and missing.value else ""),
            "summary_at_stake": _at_stake_text(value, ends, overlaps, untested(action), action.kind == "lever",
                                               language),
            "summary_target": target_text(action, holdout, alpha, next_period, language),
            "summary_due": plan.due.isoformat(),
            "summary_capacity": capacity.capacity_text(plan, start, pace, language),
            "summary_source": " ".join(f.ref for f in (customers, value, *ends, *(f for _, f in overlaps), missing,
                                                       *recorded, lift) if f is not None)})
    return pd.DataFrame(records), chosen


def _at_stake_text(value: Figure | None, ends: list[Figure], overlaps: list[tuple[int, Figure]], untested: bool,
                   lever: bool, language: str) -> str:
    """The value at stake, named per row: a lever's incremental revenue or the customers' expected loss."""
    text = format_value("currency", value.value if value else None, language)
    text = t("summary.action.untested" if untested else f"summary.action.stake_{'lever' if lever else 'loss'}",
             language, value=text)
    if len(ends) == 2:
        text += t("summary.action.interval", language, low=format_value("currency", ends[0].value, language),
                  high=format_value("currency", ends[1].value, language))
    if overlaps:
        parts = t("summary.action.overlap_sep", language).join(
            t("summary.action.overlap_part", language, k=k, value=format_value("currency", f.value, language))
            for k, f in overlaps)
        text += t("summary.action.overlap", language, parts=parts)
    return text
