"""The five actions for next period, ranked by the value at stake, each with an owner, target, due date and
a capacity check.

Candidates: each segment strategy of notebook 02's action list; each proven lever (an A/B arm that
worked on revenue, :mod:`.claims`: scale it to the test's control customers); and the largest
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
Targets are observable: customers who place an order in the next period, against the model's
forecast without action plus the lift a proven lever measured when the action uses its channel
(otherwise "lever untested", and the target is the test); a lever's revenue against a random hold-out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd

from ...core.i18n import catalog, label, t
from ...core.results import (
    AB_BUSINESS,
    AB_CAMPAIGNS,
    AB_TESTS,
    ACTION_LIST,
    ALL,
    CUSTOMER_HEALTH,
    STRATEGY_TABLE,
    result_file,
)
from ...settings.params import Labels
from ..segments.strategy import first_concrete
from ..segments.workload import assumed_pace
from . import capacity, claims
from .headline import format_value
from .sources import EXCEPT, TOP, WITHIN, Figure, Ledger, Results, arm_name, shown

ACTION_CAPACITY = result_file("action_capacity")
SECTION = "actions"
#: actions shown
ACTIONS = 5
#: the largest accounts (by CLV) whose health score fell since the baseline
KEY_ACCOUNTS = 20
#: days given to review the falling key accounts, to scale a proven lever, and to a strategy without ``due_days``
KEY_ACCOUNT_DAYS, LEVER_DAYS, STRATEGY_DAYS = 14, 28, 7


@dataclass(frozen=True)
class Action:
    """One candidate action: what, who is accountable, whom it covers, the value at stake and the work."""

    kind: str  # segment | lever | key_accounts
    key: str  # the segment, campaign · arm, or ``falling``: the action in summary_figures.csv
    name: str
    owner: str
    customers: Figure
    value: Figure | None
    asked: date  # the playbook's date
    without_clv: Figure | None = None
    low: Figure | None = None
    high: Figure | None = None
    where: dict[str, object] | None = None  # the customer_health.csv rows it covers
    active: Figure | None = None  # how many of them the model expects still buying (sum of p_alive)
    overlaps: tuple[tuple[int, Figure], ...] = ()  # (action number, expected loss also counted there)
    automated: bool = False  # sent by a system (strategy table's ``automated``): takes no person's time
    mode: str = ""  # how it is done (the strategy's mode and clause; a lever's channel code)
    lift: Figure | None = None  # a lever's conversion difference in its test
    pace: float | None = None  # a lever's customers contacted per week in its test


def choose(candidates: list[Action], top: int = ACTIONS) -> list[Action]:
    """The ``top`` actions by value at stake, levers and falling key accounts always included."""
    forced = [a for a in candidates if a.kind != "segment"]
    rest = sorted((a for a in candidates if a.kind == "segment"), key=_at_stake, reverse=True)
    chosen = sorted(forced, key=_at_stake, reverse=True)[:top]
    return sorted(chosen + rest[:top - len(chosen)], key=_at_stake, reverse=True)


def _at_stake(action: Action) -> float:
    return action.value.value if action.value is not None else 0.0


def segment_actions(results: Results, start: date, labels: Labels | None, language: str) -> list[Action]:
    """One action per segment strategy of the action list (its first concrete clause), its value at stake from
    notebook 06, due ``due_days`` (strategy table) after ``start``."""
    actions = results.rows(ACTION_LIST)
    found = []
    for segment, group in actions.groupby("segment", sort=False):
        roles = results.rows(STRATEGY_TABLE, segment=segment)
        owners = group["owner"].dropna().astype(str).unique()
        owner = str(roles.iloc[0]["owner"]) if not roles.empty else (owners[0] if len(owners) == 1 else "")
        days = roles.iloc[0].get("due_days") if not roles.empty else None
        automated = not roles.empty and str(roles.iloc[0].get("automated")).casefold() == "true"
        strategy = first_concrete(str(group["strategy"].iloc[0]))
        name = t("summary.action.segment", language, segment=label(f"segment_{segment}", language), strategy=strategy)
        where = {"segment": segment}
        found.append(Action(
            "segment", str(segment), name,
            shown(labels, "staff", owner, language) if owner else t("summary.role.account_managers", language),
            results.count(ACTION_LIST, segment=segment),
            results.total(CUSTOMER_HEALTH, "expected_loss", **where),
            start + timedelta(days=int(days) if pd.notna(days) else STRATEGY_DAYS),
            without_clv=results.count(CUSTOMER_HEALTH, segment=segment, clv=None), where=where,
            active=results.total(CUSTOMER_HEALTH, "p_alive", **where), automated=automated,
            mode=f"{roles.iloc[0].get('mode', '') if not roles.empty else ''} {strategy}"))
    return found


def lever_actions(results: Results, start: date, alpha: float, labels: Labels | None, language: str) -> list[Action]:
    """Proven levers: A/B arms whose adjusted revenue interval lies above zero (in a campaign concluded, or stopped
    with the arm as the winner), scaled to the control arm."""
    found = []
    tests = results.rows(AB_TESTS, segment=ALL)
    for (campaign, arm), rows in (tests.groupby(["campaign_id", "arm"], sort=False) if not tests.empty else []):
        named, _ = claims.arm_claim(rows, alpha, claims.reads_sequential(results, campaign))
        business = results.rows(AB_BUSINESS, campaign_id=campaign, arm=arm)
        if named is None or named.claim != claims.WORKED or named.metric != "revenue_per_customer" or business.empty \
                or claims.still_running(results, campaign, arm) is not None:
            continue
        revenue = rows[rows["metric"] == "revenue_per_customer"].iloc[0]
        row = business.iloc[0]
        value, low, high = (results.figure_of(row, AB_BUSINESS, c) for c in
                            ("incremental_revenue", "incremental_revenue_low", "incremental_revenue_high"))
        control = results.figure_of(revenue, AB_TESTS, "n_control")
        conversion = rows[rows["metric"] == "conversion_rate"]
        channel = results.rows(AB_CAMPAIGNS, campaign_id=campaign)
        days = (pd.to_datetime(channel["concluded_on"]) - pd.to_datetime(channel["since"])).dt.days + 1 \
            if {"since", "concluded_on"} <= set(channel.columns) else pd.Series(dtype=float)
        name = t("summary.action.lever", language, arm=arm_name(labels, campaign, arm, language))
        found.append(Action("lever", f"{campaign} · {arm}", name, t("summary.role.campaign_owner", language), control,
                            value, start + timedelta(days=LEVER_DAYS), low=low, high=high,
                            mode=str(channel.iloc[0]["channel"]) if not channel.empty else "",
                            lift=results.figure_of(conversion.iloc[0], AB_TESTS, "abs_diff")
                            if not conversion.empty else None,
                            pace=float(revenue["n_arm"]) / days.iloc[0] * 7 if days.notna().any() else None))
    return found


def key_account_action(results: Results, start: date, language: str) -> list[Action]:
    """The largest accounts (by CLV) whose health is falling, whatever their band."""
    where = {"health_trend": "down", TOP: ("clv", KEY_ACCOUNTS)}
    accounts = results.rows(CUSTOMER_HEALTH, **where)
    if accounts.empty:
        return []
    name = t("summary.action.key_accounts", language)
    return [Action("key_accounts", "falling", name, t("summary.role.key_accounts", language),
                   results.count(CUSTOMER_HEALTH, **where), results.total(CUSTOMER_HEALTH, "expected_loss", **where),
                   start + timedelta(days=KEY_ACCOUNT_DAYS), where=where,
                   active=results.total(CUSTOMER_HEALTH, "p_alive", **where), mode=name)]


def counted_once(results: Results, chosen: list[Action]) -> list[Action]:
    """The chosen actions with each customer's expected loss counted once, ranked again by value at stake.

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
    ranked = sorted(ranked, key=_at_stake, reverse=True)
    number = {a.key: k for k, a in enumerate(ranked, 1) if a.kind == "segment"}
    return [replace(a, overlaps=tuple((number[key], f) for key, (_, f) in zip(taken, a.overlaps, strict=True)
                                      if f is not None and f.value > 0)) if a.overlaps else a for a in ranked]


def target_text(action: Action, lift: Figure | None, next_period: str, language: str) -> str:
    """The action's target (:mod:`.capacity`): a lever's revenue against a hold-out; otherwise customers who
    order in ``next_period`` against the model's forecast, plus ``lift`` when the action uses a proven lever's
    channel (None: lever untested)."""
    if action.kind == "lever" and action.low is not None:
        return capacity.lever_target(int(action.customers.value), action.low.value, language)
    if action.active is None:
        return t("summary.target.segment", language, n=format_value("count", action.customers.value, language))
    return capacity.order_target(int(action.customers.value), action.active.value,
                                 None if lift is None else lift.value, next_period, language)


def lever_lift(action: Action, levers: list[Action]) -> Figure | None:
    """The conversion lift of the proven lever whose channel ``action`` uses (its mode names the channel in the
    words of any language, catalog ``summary.channel_words.<channel>``: a playbook may be written in either; a
    channel without words matches nothing),
    None when none does, it is automated or is a lever itself (a lever's target is its revenue)."""
    if action.kind == "lever":
        return None
    for lever in levers:
        words = "|".join(catalog().get(f"summary.channel_words.{lever.mode}", {}).values())
        if lever.lift is not None and not action.automated and words and re.search(words, action.mode, re.I):
            return lever.lift
    return None


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
    pace = assumed_pace(results.rows(ACTION_CAPACITY))
    records, chosen = [], []
    candidates = segment_actions(results, start, labels, language)
    if results.has(CUSTOMER_HEALTH):
        candidates += key_account_action(results, start, language)
    ranked = counted_once(results, choose(candidates + lever_actions(results, start, alpha, labels, language), top))
    levers = [a for a in ranked if a.kind == "lever"]
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
        active = ledger.add(action.active, SECTION, f"{tag} expected to still buy", "count", measure="p_alive",
                            evidence=claims.MODEL)
        lift = lever_lift(action, levers)
        lift = ledger.add(lift, SECTION, f"{tag} target lift", "share", measure="campaign_conversion_rate",
                          evidence=claims.RANDOMISED)
        n = int(customers.value)
        if action.kind == "segment":
            plan = capacity.from_list(results.rows(ACTION_LIST, segment=action.key), action.asked, action.automated)
        elif action.kind == "lever" and action.pace:
            plan = capacity.at_pace(n - capacity.held_out(n), action.asked, start, action.pace, "test")
        else:
            plan = capacity.at_pace(n, action.asked, start, pace, "median")
        action = replace(action, customers=customers, value=value, low=ends[0] if ends else None,
                         high=ends[-1] if ends else None, active=active)
        chosen.append(action)
        untested = action.kind != "lever" and lift is None and action.active is not None
        records.append({
            "summary_action": action.name, "summary_owner": action.owner,
            "summary_customers": format_value("count", n, language) + (
                t("summary.action.without_clv", language, n=format_value("count", missing.value, language))
                if missing and missing.value else ""),
            "summary_at_stake": _at_stake_text(value, ends, overlaps, untested, action.kind == "lever", language),
            "summary_target": target_text(action, lift, next_period, language),
            "summary_due": plan.due.isoformat(),
            "summary_capacity": capacity.capacity_text(plan, start, pace, language),
            "summary_source": " ".join(f.ref for f in (customers, value, *ends, *(f for _, f in overlaps), missing,
                                                       active, lift) if f is not None)})
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
