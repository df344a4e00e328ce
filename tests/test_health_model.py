"""The churn labels, the fitted health weights and the baselines of notebook 06 (hand calculations and oracles)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from crmreport.analyses.health import backtest, baselines, churnlabel, score, weights_model
from crmreport.ingest.dataset import Dataset
from crmreport.settings.health import Health

AS_OF, UNTIL = date(2025, 9, 30), date(2025, 10, 31)


def _data(rows: list[tuple[str, str, float]]) -> Dataset:
    tx = pd.DataFrame(rows, columns=["customer_id", "transaction_date", "amount"])
    tx = tx.assign(transaction_date=pd.to_datetime(tx["transaction_date"], format="mixed"),
                   customer_id=tx["customer_id"].astype("str"))
    return Dataset({"transactions": tx}, {}, {}, "test", False)


LAPSE = _data([
    ("A", "2025-09-01", 5), ("A", "2025-09-11", 5), ("A", "2025-09-21", 5),  # gaps 10, 10: silent 40 days > 2 x 10
    ("B", "2025-06-01", 5), ("B", "2025-08-30", 5),  # gap 90, capped at 60: silent 62 days < 120, between orders
    ("C", "2025-09-15", 5),  # one purchase day: gap = cap 60, silent 46 days
    ("D", "2025-09-01", 5), ("D", "2025-09-11", 5), ("D", "2025-10-05", 5),  # ordered in the window
    ("E", "2025-09-01", 5), ("E", "2025-09-11", 5), ("E", "2025-11-10", 5),  # silent, lapsed, but back later
    ("F", "2025-09-01", 5), ("F", "2025-09-11", 5), ("F", "2025-10-05", -5),  # a refund is not an order
    ("G", "2024-08-01", 5),  # no order in the activity days: not active
    ("H", "2025-09-20 09:00", 5), ("H", "2025-09-20 15:00", 5), ("H", "2025-09-25", 5),  # one day, gap 5 -> floor 10
])


def test_lapsed_label_by_hand():
    settings = Health(lapse_factor=2.0, gap_floor_days=10, gap_cap_days=60)
    labels = churnlabel.churn_labels(LAPSE, AS_OF, UNTIL, settings).set_index("customer_id")
    assert list(labels.index) == ["A", "B", "C", "D", "E", "F", "H"]
    assert labels["usual_gap_days"].to_dict() == {"A": 10, "B": 60, "C": 60, "D": 10, "E": 10, "F": 10, "H": 10}
    assert labels.loc["A", "silent_days"] == 40 and labels.loc["B", "silent_days"] == 62
    assert labels["silent_window"].to_dict() == {"A": True, "B": True, "C": True, "D": False, "E": True, "F": True,
                                                 "H": True}
    # without data after the window E counts; confirmed by its order on 2025-11-10 it does not
    assert labels["lapsed"].to_dict() == {"A": True, "B": False, "C": False, "D": False, "E": True, "F": True,
                                          "H": True}
    confirmed = churnlabel.churn_labels(LAPSE, AS_OF, UNTIL, settings, confirm_until=date(2025, 11, 30))
    assert confirmed.set_index("customer_id")["lapsed"].to_dict()["E"] is False
    assert confirmed["silent_window"].tolist() == labels["silent_window"].tolist()
    rates = churnlabel.label_rates(labels.reset_index()).set_index("label")
    assert rates.loc["lapsed", "churned"] == 4 and rates.loc["silent_window", "churn_rate"] == pytest.approx(6 / 7)
    outcome = churnlabel.churn_outcome(labels.reset_index(), "lapsed")
    assert list(outcome.columns) == ["customer_id", "churned"] and outcome["churned"].dtype == bool


def test_silent_window_label_by_hand():
    # orders in the 30 days ending Sep 30 make a customer active; an order by Oct 31 keeps them
    data = _data([("C3", "2025-09-30 23:00", 5.0), ("C3", "2025-10-31 12:00", 1.0),  # active, kept
                  ("C1", "2025-09-01", 10.0), ("C1", "2025-11-01", 3.0),  # active, buys after the window
                  ("C2", "2025-08-31 23:59", 4.0), ("C2", "2025-10-02", 4.0),  # bought before: not active
                  ("C4", "2025-09-15", 8.0), ("C4", "2025-10-05", -8.0),  # a refund is not an order
                  ("C5", "2025-09-20", -2.0),  # only a refund: not active
                  ("C6", "2025-09-10", 6.0), ("C6", "2025-10-10", 0.0),  # nothing paid is no purchase (amount > 0)
                  ("C7", "2025-09-25", 0.0)])  # only a zero-amount row: not active
    labels = churnlabel.churn_labels(data, AS_OF, UNTIL, Health(activity_days=30))
    assert labels["customer_id"].tolist() == ["C1", "C3", "C4", "C6"]
    assert labels["silent_window"].tolist() == [True, False, True, True]
    empty = Dataset({"transactions": data.tables["transactions"].iloc[:0]}, {}, {}, "test", False)
    assert churnlabel.churn_labels(empty, AS_OF, UNTIL, Health()).empty


def _measures(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Measure scores where recency and outreach response lower churn and complaints do nothing."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(n)]})
    for column in score.score_columns():
        frame[column] = rng.uniform(0, 100, n)
    frame.loc[rng.random(n) < 0.2, "score_outreach_response"] = np.nan
    response = frame["score_outreach_response"].fillna(50)
    logit = 1.5 - 0.05 * frame["score_recency"] - 0.02 * response
    churned = rng.random(n) < 1 / (1 + np.exp(-logit))
    return frame, pd.DataFrame({"customer_id": frame["customer_id"], "churned": churned})


def test_fitted_weights_follow_the_drivers_and_hold_out_a_share():
    measures, outcome = _measures(3000, 1)
    fit = weights_model.fit_weights(measures, outcome, Health(holdout_share=0.3))
    assert fit.source == "fitted" and sum(fit.weights.values()) == pytest.approx(1.0)
    assert fit.weights["recency"] > fit.weights["outreach_response"] > 0.1
    assert fit.weights["recency"] + fit.weights["outreach_response"] > 0.85
    check = fit.check.set_index("part")
    assert list(check.columns) == list(weights_model.FIT_COLUMNS)[1:]
    assert check.loc["holdout", "customers"] == 900 and check.loc["training", "customers"] == 2100
    assert check.loc["holdout", "auc_low"] > 0.7  # the fit ranks customers it never saw
    assert check.loc["holdout", "predicted"] == pytest.approx(check.loc["holdout", "churn_rate"], abs=0.05)


def test_fitted_coefficients_match_statsmodels_without_penalty(monkeypatch):
    """With a negligible penalty the regression is plain maximum likelihood: statsmodels' Logit on the
    training part, standardised and mean-filled the same way, is the oracle."""
    from sklearn.model_selection import train_test_split

    monkeypatch.setattr(weights_model, "PENALTIES", (1e8,))
    measures, outcome = _measures(2000, 4)
    settings = Health(holdout_share=0.25)
    fit = weights_model.fit_weights(measures, outcome, settings, seed=3)
    y = outcome["churned"].to_numpy()
    train, _ = train_test_split(np.arange(len(y)), test_size=0.25, stratify=y, random_state=3)
    x = measures[score.score_columns()].iloc[train]
    z = (x.fillna(x.mean()) - x.mean()) / x.std()
    oracle = sm.Logit(y[train], sm.add_constant(z.to_numpy())).fit(disp=0)
    assert fit.coefficients["coefficient"].to_numpy() == pytest.approx(oracle.params[1:], abs=2e-4)


def test_weights_fall_back_to_params_and_say_why():
    measures, outcome = _measures(200, 2)
    settings = Health()
    assert weights_model.fit_weights(measures, outcome, settings.model_copy(update={"weights": "params"})).source \
        == "params"
    few = outcome.assign(churned=[True] * 5 + [False] * 195)
    fallback = weights_model.fit_weights(measures, few, settings)
    assert fallback.source == "too_few_churned" and fallback.check.empty
    assert fallback.coefficients["weight"].sum() == pytest.approx(1.0)
    harmful = outcome.assign(churned=measures["score_recency"] > 60)  # more recent = more churn: no protection
    assert weights_model.fit_weights(measures[["customer_id", "score_recency"] + score.score_columns()[1:]]
                                     .assign(**{c: np.nan for c in score.score_columns()[1:]}),
                                     harmful, settings).source == "no_signal"


def test_baseline_scores_follow_the_documented_mappings():
    segments = pd.DataFrame({"customer_id": ["A", "B", "C"], "recency_days": [0.0, 60.0, np.nan],
                             "r_score": [5, 3, 1], "f_score": [5, 2, 1], "m_score": [5, 4, 1]})
    value = pd.DataFrame({"customer_id": ["A", "B"], "p_alive": [0.9, 0.25]})
    frame = baselines.baseline_scores(segments, value, 60.0).set_index("customer_id")
    assert frame["recency"].tolist() == pytest.approx([100.0, 50.0, 0.0])
    assert frame["rfm"].tolist() == pytest.approx([100.0, 50.0, 0.0])
    assert frame.loc[["A", "B"], "p_alive"].tolist() == pytest.approx([90.0, 25.0])
    assert np.isnan(frame.loc["C", "p_alive"])


def test_backtest_compares_the_health_score_with_the_baselines():
    rng = np.random.default_rng(8)
    n = 1500
    signal = rng.normal(size=n)
    churned = rng.random(n) < 1 / (1 + np.exp(1.5 + 1.2 * signal))
    ids = [f"C{i}" for i in range(n)]
    scores = pd.DataFrame({"customer_id": ids, "health_score": 50 + 10 * (signal + 0.3 * rng.normal(size=n))})
    base = pd.DataFrame({"customer_id": ids, "recency": 50 + 10 * (signal + 1.5 * rng.normal(size=n)),
                         "rfm": rng.uniform(0, 100, n), "p_alive": np.where(np.arange(n) < 5, np.nan, 50.0)})
    table = backtest.backtest(scores, pd.DataFrame({"customer_id": ids, "churned": churned}), baselines=base)
    assert list(table.columns) == list(backtest.BACKTEST_COLUMNS)
    assert table["row"].tolist()[:4] == ["auc", "baseline", "baseline", "difference"]
    assert table["score"].tolist()[:4] == ["health", "recency", "rfm", "recency"]  # p_alive is not complete
    health, recency, _, difference = (table.iloc[k] for k in range(4))
    assert difference["auc"] == pytest.approx(health["auc"] - recency["auc"])
    assert difference["ci_low"] > 0 and difference["p_value"] < 0.05
    assert baselines.ranker(table) == "health"
    worse = backtest.backtest(scores.assign(health_score=base["rfm"]),
                              pd.DataFrame({"customer_id": ids, "churned": churned}), baselines=base)
    assert baselines.ranker(worse) == "recency"
