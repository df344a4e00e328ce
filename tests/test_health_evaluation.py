"""Notebook 06's entry (crmreport/analyses/health/evaluation.py) and the SLA breaches behind the health score.

The entry is checked on the embedded demo data against the pieces it wires (the backtest's customers,
the holdout's and the thermometer's totals recomputed from their tables); the SLA breaches by hand on
a few tickets.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import dataset_of, params_for

from crmreport.analyses.health import evaluation, profile, score
from crmreport.analyses.health.baselines import band_rankers
from crmreport.ingest.dataset import prepare_dataset
from crmreport.settings.execution import ExecutionParams
from crmreport.settings.period import Window


@pytest.fixture(scope="module")
def evaluated():
    params = params_for("")
    return params, evaluation.evaluate_health(prepare_dataset(params), params)


def test_one_call_gives_the_contract_and_the_backtest(evaluated):
    params, results = evaluated
    health = results.health
    assert list(health.columns) == list(profile.HEALTH_COLUMNS) and len(health) == 2000
    assert set(results.profiled["customer_id"]) == set(health["customer_id"])
    assert {"annual_amount", "trust", "satisfaction"} <= set(results.profiled.columns)
    assert results.rqi_weights == pytest.approx({"trust": 0.3, "satisfaction": 0.3, "loyalty": 0.4})
    assert set(health["ranked_by"]) == {results.churn.ranked_by, "recency"}  # recency: see the test below
    auc = results.churn.tested.iloc[0]
    assert auc["row"] == "auc" and auc["customers"] == len(results.churn.outcome) == 1770
    assert results.calibration["customers"].sum() == auc["customers"] and len(results.calibration) == 10
    claim = results.claim.iloc[0]  # on the backtest's customers, with their account at the baseline end
    high = results.churn.outcome.merge(results.base.emotional, on="customer_id")
    assert claim["customers"] == (high["emotional_account"] >= params.health.claim_threshold).sum()
    assert results.emotional_bands["customers"].sum() <= auc["customers"]
    assert results.radar["customer_id"].nunique() == params.health.key_accounts


def test_recency_bands_the_customers_the_ranking_score_cannot_judge():
    recency = pd.Series([10.0, 400.0, 10.0, np.nan])  # days since the last order; NaN = never bought
    frequency = pd.Series([3.0, 3.0, 0.0, np.nan])  # BG/NBD repeat purchase days
    assert band_rankers("p_alive", recency, frequency, 365).tolist() == ["p_alive", "recency", "recency", "p_alive"]
    assert band_rankers("health", recency, frequency, 365).tolist() == ["health", "recency", "health", "health"]


def test_a_lifecycle_churned_customer_is_never_green(evaluated):
    """Issue 21's review (N2): BG/NBD gives P(alive) = 1 to a customer with a single purchase day however long ago,
    so with P(alive) ranking, 50 of notebook 02's lifecycle-churned customers (no order for more than 365 days) were
    green. Recency now bands the customers P(alive) cannot judge (docs/health.md)."""
    params, results = evaluated
    health = results.health.merge(results.segments[["customer_id", "lifecycle_stage", "recency_days"]],
                                  on="customer_id", how="left")
    assert results.churn.ranked_by == "p_alive"
    frequency = health["customer_id"].map(results.model.inputs.set_index("customer_id")["frequency"])
    recency = health["recency_days"]
    judged_apart = (recency > params.health.activity_days) | (frequency.eq(0) & recency.notna())
    assert ((health["ranked_by"] == "recency") == judged_apart).all()
    churned = health[health["lifecycle_stage"] == "churned"]
    bought = churned["recency_days"].notna()
    assert bought.sum() > 200 and (churned.loc[bought, "health_band"] == "red").all()
    assert churned.loc[~bought, "health_band"].isna().all()  # never bought: no band, counted apart
    assert not (health.loc[health["ranked_by"] == "p_alive", "p_alive"] == 1).any()


def test_the_holdout_check_compares_the_period_with_a_fit_at_the_baseline_end(evaluated):
    _, results = evaluated
    holdout = results.holdout
    assert holdout.what == "holdout_period"  # the demo data end with the period
    assert holdout.expected == pytest.approx((holdout.table["expected"] * holdout.table["customers"]).sum())
    assert holdout.actual == pytest.approx((holdout.table["actual"] * holdout.table["customers"]).sum())
    # each group's totals are its customers' sums, so the chapter's totals read back from chart_clv_holdout.csv
    table = holdout.table
    assert table["expected_total"].to_numpy() == pytest.approx((table["expected"] * table["customers"]).to_numpy())
    assert table["actual_total"].to_numpy() == pytest.approx((table["actual"] * table["customers"]).to_numpy())
    assert table["actual_total"].to_numpy() == pytest.approx(table["actual_total"].round().to_numpy())  # whole days


def test_the_thermometer_headline(evaluated):
    params, results = evaluated
    thermometer = results.thermometer
    board = thermometer.board
    assert len(thermometer.vips) == round(params.health.vip_share * 2000) == 400
    assert len(board) == 14 and thermometer.interactions == board["interactions"].sum()
    # the period 2025-07-01 (a Tuesday) .. 09-30 (a Tuesday): the first week holds 6 of its days, the last 2
    assert board["days"].tolist() == [6, *[7] * 12, 2] and board["days"].sum() == 92
    assert thermometer.positive == pytest.approx((board["positive_share"] * board["interactions"]).sum()
                                                 / board["interactions"].sum())
    assert thermometer.satisfaction == pytest.approx((board["satisfaction"] * board["ratings"]).sum()
                                                     / board["ratings"].sum())
    assert 1 <= thermometer.satisfaction <= 5 and 0 <= thermometer.positive <= 1


def test_without_interactions_or_a_fit_the_pictures_say_so():
    params = params_for("")
    data = prepare_dataset(params)
    data.tables.pop("interactions", None)
    assert evaluation.relationship_thermometer(data, params, pd.DataFrame()) is None
    failed = evaluation.value.ValueModel(None, None, pd.DataFrame(), pd.DataFrame(), "too few purchases")
    assert evaluation.holdout_check(data, params, failed) is None


TICKETS = [  # customer, opened, first response, resolved, priority
    ("A", "2025-09-10 08:00", "2025-09-10 09:00", "2025-09-11 08:00", "high"),  # both limits met
    ("A", "2025-09-12 08:00", "2025-09-13 10:00", "2025-09-13 12:00", "high"),  # first response 26 h > 24 h
    ("A", "2025-09-15 08:00", "2025-09-15 09:00", "2025-09-19 08:00", "low"),  # resolution 96 h > 72 h
    ("B", "2025-09-29 12:00", "2025-09-29 13:00", "2025-10-05 08:00", "high"),  # late, but only after as_of
    ("C", "2025-09-20 08:00", "2025-09-20 11:00", "2025-09-20 12:00", "urgent"),  # first response 3 h > 2 h
    ("C", "2025-08-15 08:00", None, None, "high"),  # opened before the 30 days: not counted
    ("D", "2025-09-25 08:00", None, None, "medium"),  # never answered: past 24 h at the end of as_of
]


def test_sla_breaches_follow_the_ticket_service_levels_by_hand():
    tickets = pd.DataFrame(TICKETS, columns=["customer_id", "opened_at", "first_response_at", "resolved_at",
                                             "priority"])
    for column in ("opened_at", "first_response_at", "resolved_at"):
        tickets[column] = pd.to_datetime(tickets[column])
    breaches = score.sla_breaches(dataset_of(tickets=tickets), date(2025, 9, 30), 30, ExecutionParams())
    assert breaches.reindex(["A", "B", "C", "D"], fill_value=0).tolist() == [2, 0, 1, 1]
    # seen a week later, B's resolution (140 h) is known and late
    later = score.sla_breaches(dataset_of(tickets=tickets), date(2025, 10, 7), 30, ExecutionParams())
    assert later["B"] == 1


def test_a_trailing_window_covers_its_whole_days():
    window = Window.trailing(date(2025, 9, 30), 30)
    assert (window.start, window.end, window.days, window.stop) == (date(2025, 9, 1), date(2025, 9, 30), 30,
                                                                    date(2025, 10, 1))
