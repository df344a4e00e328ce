"""The candidates of the summary's five actions: one per segment strategy, per proven lever, and the falling
key accounts, each with its owner, customers, value at stake, the playbook's date and the outlook its
target reads (:mod:`.actions` chooses, ranks and words them).

Each segment strategy of notebook 02's action list (its first concrete clause) is one candidate; each
proven lever (an A/B arm that worked on revenue, :mod:`.claims`) is scaled to the test's control
customers; the largest accounts (by CLV) whose health is falling (notebook 06) are one more, whatever
their band. A candidate that uses a proven lever's channel carries that lever's conversion lift
(:func:`lever_lift`); one that uses none is untested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from ...core.i18n import catalog, label, t
from ...core.results import AB_BUSINESS, AB_CAMPAIGNS, AB_TESTS, ACTION_LIST, ALL, CUSTOMER_HEALTH, STRATEGY_TABLE
from ...settings.params import Labels
from ..segments.strategy import first_concrete
from . import claims
from .sources import TOP, WITHIN, Figure, Results, arm_name, shown

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
    forecast: Figure | None = None  # how many of them the model expects to order next period (sum of p_order_next)
    buyers: Figure | None = None  # how many of them ordered in the period
    overlaps: tuple[tuple[int, Figure], ...] = ()  # (action number, expected loss also counted there)
    automated: bool = False  # sent by a system (strategy table's ``automated``): takes no person's time
    mode: str = ""  # how it is done (the strategy's mode and clause; a lever's channel code)
    lift: Figure | None = None  # a lever's conversion difference in its test; another action's: the lever it uses
    per_customer: tuple[Figure | None, ...] = ()  # a lever's revenue per customer in its test: difference, interval
    arm: int = 0  # a lever's customers in its test arm
    test: tuple[str, ...] = ()  # a lever's campaign and arm
    pace: float | None = None  # a lever's customers contacted per week in its test


def untested(action: Action) -> bool:
    """An action on a channel no randomised test supports (``lift``: the lever it uses, :func:`lever_lift`): its
    expected loss is shown but not claimed."""
    return action.kind != "lever" and action.lift is None and action.forecast is not None


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
            **outlook(results, where), automated=automated,
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
                            if not conversion.empty else None, arm=int(revenue["n_arm"]),
                            test=(str(campaign), str(arm)),
                            per_customer=tuple(results.figure_of(revenue, AB_TESTS, c)
                                               for c in ("abs_diff", "ci_low", "ci_high")),
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
                   start + timedelta(days=KEY_ACCOUNT_DAYS), where=where, **outlook(results, where), mode=name)]


def outlook(results: Results, where: dict[str, object]) -> dict[str, Figure | None]:
    """Of the ``customer_health.csv`` rows ``where``: how many the model expects to order next period (the sum of
    ``p_order_next``) and how many ordered in the period (None without those columns)."""
    health = results.table(CUSTOMER_HEALTH)
    bought = health is not None and "ordered_in_period" in health.columns
    return {"forecast": results.total(CUSTOMER_HEALTH, "p_order_next", **where),
            "buyers": results.count(CUSTOMER_HEALTH, **where, **{WITHIN: {"ordered_in_period": True}})
            if bought else None}


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
