"""Notebook 05's analyses recover what the demo generator planted (ground_truth.json of the embedded demo set):
the customers' execution classes, the owners' completion and on-time rates, the 7-24-72 rates and the effect
of on-time execution on the period churn."""

from __future__ import annotations

import json
from importlib import resources

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

import crmreport as cr
from crmreport.analyses.execution import clock, effect, followup, plan, sla, tasks
from crmreport.measures.replies import reply_counts


@pytest.fixture(scope="module")
def demo():
    truth = json.loads(resources.files("crmreport").joinpath("data/demo/ground_truth.json").read_text("utf-8"))
    ctx = cr.open_period("2025Q3")
    p, data = ctx.params, ctx.data
    until = clock.observed_until(p.as_of)
    scope = tasks.tasks_in_scope(data, p.window, until)
    execution = plan.customer_execution(plan.planned_actions(data, p, "en"), scope)
    return truth, ctx, until, scope, execution


def test_execution_classes_are_the_planted_ones(demo):
    truth, _, _, _, execution = demo
    planted = pd.Series(truth["execution"]["customers"])
    found = execution.set_index("customer_id")["execution"]
    common = found.index.intersection(planted.index)
    assert len(common) > 0.9 * len(planted)  # the rest signed up in the period: not in last period's plan
    assert (found[common] == planted[common]).all()


def test_owner_rates_are_near_the_planted_ones(demo):
    truth, _, _, scope, _ = demo
    table = tasks.task_execution(scope).set_index("owner")
    for owner, planted in truth["execution"]["owners"].items():
        row = table.loc[owner]
        assert (row["tasks"], row["done"]) == (planted["tasks"], planted["done"]), owner
        assert row["completion_rate"] == pytest.approx(planted["observed_completion_rate"], abs=1e-6)
        if planted["tasks"] >= 80:  # the planted rate lies in a wide (99.9%) Wilson interval of what was found
            low, high = proportion_confint(row["done"], row["tasks"], alpha=0.001, method="wilson")
            assert low <= planted["completion_rate"] <= high, owner
            on_time = round(row["on_time_rate"] * row["done"])
            low, high = proportion_confint(on_time, row["done"], alpha=0.001, method="wilson")
            assert low <= planted["on_time_rate"] <= high, owner
    settings = demo[1].params.execution
    board = tasks.leaderboard(scope, None, settings.min_tasks, settings.csat_days).set_index("owner")
    assert board.loc["Gao Yan", "board"] == "too_few"  # the colleague who joined in the period: a handful of tasks
    best = max((o for o, v in truth["execution"]["owners"].items() if v["tasks"] >= 80),
               key=lambda o: truth["execution"]["owners"][o]["completion_rate"])
    assert board.loc[best, "board"] == "red"


def test_7_24_72_rates_are_near_the_planted_ones(demo):
    truth, ctx, until, _, _ = demo
    p, data, s = ctx.params, ctx.data, ctx.params.execution
    per_ticket = sla.ticket_sla(data, p.window, until, s)
    follow_ups = followup.first_follow_ups(data.tables["customers"], data,
                                           data.tables["tasks"], p.window, until, s.follow_up_days)
    replies = followup.replies(data, p.window, until, s)
    counts = tuple(int((replies["outcome"] == outcome).sum()) for outcome in ("met", "breached", "pending"))
    assert reply_counts(data, p.window, until, s) == counts
    rules = followup.rule_7_24_72(follow_ups, counts, per_ticket).set_index("rule")
    pd.testing.assert_frame_equal(followup.rules_of(data, p.window, until, per_ticket, s).set_index("rule"), rules)
    assert followup.rules_of(cr.PeriodContext(p, data, ctx.results_dir).data, p.window, until, None, s).index.size == 2
    # the generator counts the tickets whose 72 hours had passed at the period end; judged at as_of (15 days
    # later), the tickets opened in the period's last 72 hours are rated too
    opened, end = data.tables["tickets"]["opened_at"], pd.Timestamp(p.end) + pd.Timedelta(days=1)
    rated_late = {"resolve_72h": int(((opened >= end - pd.Timedelta(hours=72)) & (opened < end)).sum())}
    for rule, planted in truth["followup_7_24_72"].items():
        row = rules.loc[rule]
        assert row["rate"] == pytest.approx(planted["planted_rate"], abs=0.05), rule
        assert row["ci_low"] <= planted["planted_rate"] <= row["ci_high"], rule
        eligible = planted["eligible"] + rated_late.get(rule, 0)
        assert abs(row["eligible"] - eligible) <= 0.02 * eligible + 2, rule


def _on_time_vs_not_done(frame: pd.DataFrame) -> pd.Series:
    table = effect.execution_effects(frame)
    return table[(table["outcome"] == "churn") & (table["exposed"] == "on_time")
                 & (table["reference"] == "not_done")].iloc[0]


def test_the_planted_effect_of_on_time_execution_on_churn_is_recovered(demo):
    truth, ctx, _, _, execution = demo
    p = ctx.params
    odds = truth["execution"]["effect"]["planted_odds_ratio"]["on_time_vs_not_done"]
    outcomes = effect.outcomes(execution, ctx.data, p.window, p.baseline_window)
    # on the planted churn labels: the estimator and the execution classes recover the planted odds ratio
    labelled = outcomes.assign(churned=outcomes["customer_id"].map(truth["period_churn"]).astype(float))
    row = _on_time_vs_not_done(labelled)
    assert row["odds_ratio"] < 1 and row["difference"] < 0 and row["or_low"] <= odds <= row["or_high"]
    # on what the data show (no purchase in the period after one in the baseline): the planted sign, and an
    # interval that covers the planted value; the proxy also counts occasional buyers, so it is weaker
    row = _on_time_vs_not_done(outcomes)
    assert row["odds_ratio"] < 1 and row["difference"] < 0 and row["or_low"] <= odds <= row["or_high"]


def test_the_churn_chart_intervals_are_the_wilson_intervals_of_each_class(demo):
    _, ctx, _, _, execution = demo
    p = ctx.params
    classes = effect.class_summary(effect.outcomes(execution, ctx.data, p.window, p.baseline_window))
    rated = effect.churn_intervals(classes, 0.1)
    assert (rated["active_before"] > 0).all() and len(rated) == (classes["active_before"] > 0).sum()
    low, high = proportion_confint(rated["churned"], rated["active_before"], alpha=0.1, method="wilson")
    assert rated["ci_low"].to_numpy() == pytest.approx(low.to_numpy(), abs=1e-12)
    assert rated["ci_high"].to_numpy() == pytest.approx(high.to_numpy(), abs=1e-12)
