"""Verdicts, p-values and intervals of the A/B tests tell one story: in ab_tests.csv and in the forest chart's data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from test_campaigns import SETTINGS, simulated_evaluation

from crmreport.analyses.abtests import campaign_results as cr
from crmreport.analyses.abtests import campaigns as cp
from crmreport.core.results import ALL
from crmreport.core.verdicts import VERDICTS
from crmreport.ingest.dataset import prepare_dataset
from crmreport.settings import load_params

ALPHA = 0.05
MARGIN = 1e-9  # p-values this close to alpha sit on the boundary, where rounding decides


def _excludes_zero(low: float, high: float) -> bool | None:
    """True/False when the interval is bounded on the side of 0 that matters; None when it is unbounded."""
    if math.isnan(low) or math.isnan(high):
        return None
    return low > 0 or high < 0


def rows_disagree_on(tests: pd.DataFrame, alpha: float = ALPHA) -> list[str]:
    """Every way a row of ab_tests.csv contradicts itself (empty when the row tells one story)."""
    problems = []
    for row in tests.itertuples():
        where = f"{row.campaign_id}/{row.segment}/{row.arm}/{row.metric}"
        p, adjusted = float(row.p_value), float(row.p_adjusted)
        if math.isnan(p):
            if row.significant:
                problems.append(f"{where}: significant without a p-value")
            continue
        if bool(row.significant) != (adjusted < alpha):
            problems.append(f"{where}: significant={row.significant} but p_adjusted={adjusted}")
        if adjusted < p - 1e-12:
            problems.append(f"{where}: adjusted p {adjusted} below the raw p {p}")
        if abs(p - alpha) < MARGIN:
            continue
        for kind, low, high in (("difference", row.ci_low, row.ci_high), ("relative", row.rel_ci_low,
                                                                           row.rel_ci_high)):
            excludes = _excludes_zero(float(low), float(high))
            if excludes is not None and excludes != (p < alpha):
                problems.append(f"{where}: {kind} interval [{low}, {high}] vs p={p}")
        if row.metric in cp.RATE_METRICS and float(row.rel_ci_low) < -1:
            problems.append(f"{where}: a rate falls by more than 100% ({row.rel_ci_low})")
        seq_p, seq_adjusted = float(row.seq_p_value), float(row.seq_p_adjusted)
        if not math.isnan(seq_p):
            if seq_adjusted < seq_p - 1e-12:
                problems.append(f"{where}: adjusted always-valid p {seq_adjusted} below the raw {seq_p}")
            if not float(row.seq_ci_low) <= float(row.abs_diff) <= float(row.seq_ci_high):
                problems.append(f"{where}: always-valid interval misses the difference")
            if not float(row.seq_ci_low) <= float(row.ci_low) and float(row.ci_high) <= float(row.seq_ci_high):
                problems.append(f"{where}: always-valid interval narrower than the fixed-horizon one")
            excludes = _excludes_zero(float(row.seq_ci_low), float(row.seq_ci_high))
            if abs(seq_p - alpha) > MARGIN and excludes != (seq_p < alpha):
                problems.append(f"{where}: always-valid interval [{row.seq_ci_low}, {row.seq_ci_high}] vs p={seq_p}")
    return problems



def forest_disagrees_on(forest: pd.DataFrame, tests: pd.DataFrame, alpha: float = ALPHA) -> list[str]:
    """Every way the forest chart's data contradicts ab_tests.csv or its own marks."""
    problems = []
    whole = tests[tests["segment"] == ALL].set_index(["campaign_id", "arm", "metric"])
    for row in forest.itertuples():
        where = f"{row.campaign_id}/{row.arm}/{row.metric}"
        source = whole.loc[(row.campaign_id, row.arm, row.metric)]
        for column in ("rel_lift", "rel_ci_low", "rel_ci_high", "p_value", "p_adjusted"):
            mine, theirs = float(getattr(row, column)), float(source[column])
            if not (math.isnan(mine) and math.isnan(theirs)) and mine != pytest.approx(theirs, rel=1e-9, abs=1e-12):
                problems.append(f"{where}: {column} {mine} in the chart, {theirs} in ab_tests.csv")
        p = float(row.p_value)
        expected = {"significant": row.significant and row.verdict.startswith("significant_"),
                    "significant_before_adjustment": p < alpha and not row.significant,
                    "not_significant": not p < alpha,
                    "untrustworthy": row.verdict == "untrustworthy",
                    "insufficient_data": math.isnan(p)}
        if not expected.get(row.mark, False):
            problems.append(f"{where}: mark {row.mark} with p={p}, significant={row.significant}, {row.verdict}")
        excludes = _excludes_zero(float(row.rel_ci_low), float(row.rel_ci_high))
        drawn_significant = row.mark in ("significant", "significant_before_adjustment")
        if excludes is not None and abs(p - alpha) > MARGIN and row.mark != "untrustworthy" \
                and excludes != drawn_significant:
            problems.append(f"{where}: drawn as {row.mark} beside [{row.rel_ci_low}, {row.rel_ci_high}]")
    return problems


def test_every_simulated_row_tells_one_story():
    _, _, _, tests = simulated_evaluation()
    assert len(tests) >= 40
    assert rows_disagree_on(tests, SETTINGS.alpha) == []
    forest = cp.forest_frame(tests[tests["segment"] == ALL], SETTINGS.alpha)
    assert forest_disagrees_on(forest, tests, SETTINGS.alpha) == []


def test_the_demo_period_tells_one_story_and_marks_significance_before_adjustment():
    params = load_params("2025Q3", overrides={"as_of": "2025-10-15"})
    results = cr.evaluate_period(prepare_dataset(params), params)
    assert rows_disagree_on(results.contract) == []
    whole = results.tests[(results.tests["segment"] == ALL) & (results.tests["n_control"] > 0)]
    forest = cp.forest_frame(whole, params.ab_tests.alpha)
    assert forest_disagrees_on(forest, results.tests) == []
    # rates never fall by more than 100%, and the report names results significant only before adjustment
    rates = forest[forest["metric"].isin(cp.RATE_METRICS)]
    assert (rates["rel_ci_low"] >= -1).all()
    shown = cp.with_verdicts(whole, params.ab_tests.alpha)["verdict"]
    before = (whole["p_value"] < ALPHA) & ~whole["significant"]
    assert (shown[before] == "significant_before_adjustment").all()
    assert set(shown[~before]) <= set(VERDICTS)


def test_the_checker_catches_a_contradiction():
    _, _, _, tests = simulated_evaluation()
    row = tests[tests["p_value"] < 0.01].index[0]
    broken = tests.copy()
    broken.loc[row, ["ci_low", "ci_high"]] = [-1.0, 1.0]
    broken.loc[row, "rel_ci_low"] = -1.5
    problems = rows_disagree_on(broken, SETTINGS.alpha)
    assert any("difference interval" in p for p in problems)
    forest = cp.forest_frame(broken[broken["segment"] == ALL], SETTINGS.alpha)
    forest.loc[0, "mark"] = "not_significant" if forest.loc[0, "p_value"] < ALPHA else "significant"
    assert forest_disagrees_on(forest, broken, SETTINGS.alpha)


def test_the_rendered_report_tells_one_story(report):
    _, out = report
    results = out / "2025Q3" / "results"
    tests = pd.read_csv(results / "ab_tests.csv", encoding="utf-8-sig")
    assert rows_disagree_on(tests) == []
    forest = pd.read_csv(results / "chart_ab_forest.csv", encoding="utf-8-sig")
    assert len(forest) and forest_disagrees_on(forest, tests) == []
    assert np.isin(forest["mark"], cp.MARKS).all()
