"""Difference-in-differences and segmented regression against hand-computed OLS algebra."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crmreport.stats import effects
from crmreport.stats.beforeafter import INSUFFICIENT, ZERO_VARIANCE

EXACT = 1e-9


def _panel(seed: int = 2, effect: float = 0.5) -> pd.DataFrame:
    """120 customers (40 treated) observed once or twice per window, with a customer effect."""
    rng = np.random.default_rng(seed)
    rows = []
    for customer in range(120):
        treated, level = customer < 40, rng.normal(0, 1)
        for after in (False, True):
            for _ in range(rng.integers(1, 3)):
                value = 3 + level + 0.3 * treated + 0.2 * after + effect * (treated and after) + rng.normal(0, 0.5)
                rows.append((value, treated, after, f"C{customer}"))
    return pd.DataFrame(rows, columns=["value", "treated", "after", "cluster"])


def test_did_estimate_is_the_difference_of_cell_mean_changes():
    frame = _panel()
    result = effects.diff_in_diff(frame)
    means = frame.groupby(["treated", "after"])["value"].mean()
    expected = (means[True, True] - means[True, False]) - (means[False, True] - means[False, False])
    assert result.estimate == pytest.approx(expected, rel=EXACT)
    assert (result.treated_before, result.comparison_after) == pytest.approx((means[True, False], means[False, True]))
    assert (result.n_treated, result.n_comparison) == (40, 80)
    assert result.message is None


def test_did_interval_is_the_cr1_cluster_sandwich_by_hand():
    frame = _panel(seed=6)
    result = effects.diff_in_diff(frame, alpha=0.1)
    t, a = frame["treated"].to_numpy(float), frame["after"].to_numpy(float)
    x = np.column_stack([np.ones(len(frame)), t, a, t * a])
    y = frame["value"].to_numpy()
    bread = np.linalg.inv(x.T @ x)
    residual = y - x @ (bread @ x.T @ y)
    meat = sum(np.outer(x[idx].T @ residual[idx], x[idx].T @ residual[idx])
               for idx in frame.groupby("cluster").indices.values())
    n, k, g = len(frame), 4, frame["cluster"].nunique()
    covariance = g / (g - 1) * (n - 1) / (n - k) * bread @ meat @ bread
    se = np.sqrt(covariance[3, 3])
    z = stats.norm.ppf(0.95)
    assert (result.ci_low, result.ci_high) == pytest.approx((result.estimate - z * se, result.estimate + z * se),
                                                            rel=EXACT)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(abs(result.estimate / se)), rel=1e-7)


def test_did_thin_and_constant_data():
    frame = _panel()
    thin = effects.diff_in_diff(frame[~(frame["treated"] & frame["after"])])
    assert thin.message == INSUFFICIENT and np.isnan(thin.p_value)
    flat = effects.diff_in_diff(frame.assign(value=1.0))
    assert (flat.estimate, flat.p_value, flat.message) == (0.0, 1.0, ZERO_VARIANCE)


def _series(level: float, slope: float, noise: float, months: int = 24, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    month = pd.date_range("2023-10-01", periods=months, freq="MS")
    t = np.arange(months) - 21  # the strategy starts in month 21 (2025-07)
    value = 10 + 0.1 * t + level * (t >= 0) + slope * t * (t >= 0) + rng.normal(0, noise, months)
    return pd.DataFrame({"month": month, "value": value})


def test_segmented_regression_recovers_a_noise_free_break():
    result, fitted = effects.segmented_regression(_series(2.0, -0.3, 0.0), pd.Timestamp("2025-07-15"))
    assert (result.pre_slope, result.level_change, result.slope_change) == pytest.approx((0.1, 2.0, -0.3), abs=1e-9)
    assert (result.months_before, result.months_after) == (21, 3)
    assert fitted.to_numpy() == pytest.approx(_series(2.0, -0.3, 0.0)["value"].to_numpy())


def test_segmented_regression_matches_the_normal_equations():
    series = _series(1.0, 0.2, 0.8, seed=4)
    series.loc[5, "value"] = np.nan  # a month without data is left out of the fit
    result, fitted = effects.segmented_regression(series, pd.Timestamp("2025-07-01"), alpha=0.1)
    ok = series["value"].notna().to_numpy()
    t = np.arange(24) - 21
    x = np.column_stack([np.ones(24), t, t >= 0, t * (t >= 0)]).astype(float)[ok]
    y = series["value"].to_numpy()[ok]
    beta = np.linalg.solve(x.T @ x, x.T @ y)
    residual = y - x @ beta
    sigma2 = residual @ residual / (len(y) - 4)
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(x.T @ x)))
    q = stats.t.ppf(0.95, len(y) - 4)
    assert (result.level_change, result.slope_change) == pytest.approx((beta[2], beta[3]), rel=EXACT)
    assert (result.level_ci_low, result.slope_ci_high) == pytest.approx((beta[2] - q * se[2], beta[3] + q * se[3]),
                                                                        rel=EXACT)
    assert result.level_p_value == pytest.approx(2 * stats.t.sf(abs(beta[2] / se[2]), len(y) - 4), rel=1e-7)
    assert np.isnan(fitted[5]) and fitted[ok].to_numpy() == pytest.approx(x @ beta)


def test_segmented_regression_needs_months_on_both_sides():
    series = _series(1.0, 0.0, 0.5)
    result, fitted = effects.segmented_regression(series, pd.Timestamp("2025-10-01"))  # no month after the start
    assert result.message == INSUFFICIENT and (result.months_before, result.months_after) == (24, 0)
    assert fitted.isna().all()
    short = effects.segmented_regression(series.tail(4), pd.Timestamp("2025-07-01"))[0]
    assert short.message == INSUFFICIENT and short.months_before == 1
    # three months each side (four parameters, two degrees of freedom) is too few; six before and three after fit
    few = effects.segmented_regression(series.tail(6), pd.Timestamp("2025-07-01"))[0]
    assert few.message == INSUFFICIENT and (few.months_before, few.months_after) == (3, 3)
    assert np.isnan(few.level_p_value)
    assert effects.MIN_MONTHS_BEFORE == 6 and effects.MIN_MONTHS_AFTER == 3
    enough = effects.segmented_regression(series.tail(9), pd.Timestamp("2025-07-01"))[0]
    assert enough.message is None and (enough.months_before, enough.months_after) == (6, 3)
    assert effects.segmented_regression(series.tail(8), pd.Timestamp("2025-07-01"))[0].message == INSUFFICIENT
