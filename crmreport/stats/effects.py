"""Effect estimates beyond a plain before/after: difference-in-differences and segmented regression.

A before/after change mixes the strategy's effect with everything else that moved between the
two windows (season, market, data). Two designs get closer to an effect:

- :func:`diff_in_diff`: the change of a treated group minus the change of a comparison group,
  the interaction of the OLS regression ``value ~ treated + after + treated:after`` with standard
  errors clustered by customer (the same customers appear in both windows), computed from cell and
  cluster sums (:mod:`crmreport.stats.didcluster`; statsmodels is its oracle in the tests);
- :func:`segmented_regression`: an interrupted monthly series, ``value ~ t + post + post:(t - t0)``,
  whose ``post`` coefficient is the level change at the strategy start and ``post:(t - t0)`` the
  change of slope.

Both are pure functions of DataFrames and return frozen dataclasses; thin data gives a result
with a coded ``message`` instead of an error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from .beforeafter import INSUFFICIENT, ZERO_VARIANCE
from .didcluster import did_cluster

log = logging.getLogger("crmreport")
#: a segmented regression needs at least this many months before and after the strategy start: six before to
#: set the earlier trend, a quarter after (with 3 + 3 months the four parameters leave 2 degrees of freedom)
MIN_MONTHS_BEFORE, MIN_MONTHS_AFTER = 6, 3


@dataclass(frozen=True)
class DidResult:
    """Difference-in-differences of group means: (treated after - before) - (comparison after - before)."""

    treated_before: float
    treated_after: float
    comparison_before: float
    comparison_after: float
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    n_treated: int
    n_comparison: int
    message: str | None = None


def diff_in_diff(frame: pd.DataFrame, alpha: float = 0.05, min_n: int = 2) -> DidResult:
    """Difference-in-differences with a cluster-robust interval.

    Parameters
    ----------
    frame
        One row per observation: ``value``, ``treated`` (bool), ``after`` (bool) and ``cluster``
        (the customer). Every cell of treated x after needs ``min_n`` observations.
    alpha
        1 - coverage of the interval.

    Returns
    -------
    DidResult
        The four cell means, the interaction coefficient of ``value ~ treated + after +
        treated:after`` with its normal interval and p-value from the cluster-robust covariance
        (statsmodels ``cov_type="cluster"``: CR1 with the G / (G - 1) * (N - 1) / (N - K) correction),
        and the number of distinct customers per group.
    """
    treated = frame["treated"].astype(bool).to_numpy()
    after = frame["after"].astype(bool).to_numpy()
    y = frame["value"].to_numpy(dtype=float)
    means = {(t, a): float(y[(treated == t) & (after == a)].mean()) if ((treated == t) & (after == a)).any()
             else np.nan for t in (True, False) for a in (False, True)}
    cells = [((treated == t) & (after == a)).sum() for t in (True, False) for a in (False, True)]
    n_t = int(frame.loc[treated, "cluster"].nunique())
    n_c = int(frame.loc[~treated, "cluster"].nunique())
    base = dict(treated_before=means[True, False], treated_after=means[True, True],
                comparison_before=means[False, False], comparison_after=means[False, True], n_treated=n_t,
                n_comparison=n_c)
    point = (means[True, True] - means[True, False]) - (means[False, True] - means[False, False])
    if min(cells) < min_n or n_t + n_c < 3:
        return DidResult(estimate=point, ci_low=np.nan, ci_high=np.nan, p_value=np.nan, message=INSUFFICIENT, **base)
    if np.ptp(y) == 0:
        return DidResult(estimate=0.0, ci_low=0.0, ci_high=0.0, p_value=1.0, message=ZERO_VARIANCE, **base)
    # one path at every size: the saturated design's estimator from sums equals statsmodels' OLS with
    # cov_type="cluster" (tests/test_didcluster.py, to 1e-9), without an n x 4 design or its copies
    estimate, low, high, p_value = did_cluster(y, treated, after, pd.factorize(frame["cluster"])[0], alpha)
    return DidResult(estimate=estimate, ci_low=low, ci_high=high, p_value=p_value, **base)


@dataclass(frozen=True)
class SegmentedResult:
    """Level and slope change of a monthly series at the strategy start (OLS estimates, 1 - alpha intervals)."""

    pre_slope: float
    level_change: float
    level_ci_low: float
    level_ci_high: float
    level_p_value: float
    slope_change: float
    slope_ci_low: float
    slope_ci_high: float
    slope_p_value: float
    months_before: int
    months_after: int
    message: str | None = None


def segmented_regression(series: pd.DataFrame, start: pd.Timestamp, alpha: float = 0.05
                         ) -> tuple[SegmentedResult, pd.Series]:
    """Segmented (interrupted time-series) regression of a monthly KPI series.

    Parameters
    ----------
    series
        ``month`` (first day of each month, consecutive months) and ``value``; months without a
        value are left out of the fit.
    start
        The strategy start: months on or after the month holding it are "post".

    Returns
    -------
    (SegmentedResult, pandas.Series)
        Estimates of ``value = b0 + b1 t + b2 post + b3 post (t - t0)`` by ordinary least squares
        with the classical (homoskedastic) covariance: ``level_change = b2``, ``slope_change = b3``
        (per month), ``pre_slope = b1``; and the fitted values aligned with ``series`` (NaN where
        the value is missing or the fit is impossible). Fewer than :data:`MIN_MONTHS_BEFORE` months
        before or :data:`MIN_MONTHS_AFTER` after the start is ``insufficient_data``.
    """
    months = pd.to_datetime(series["month"])
    t = (months.dt.year * 12 + months.dt.month).to_numpy()
    start = pd.Timestamp(start)
    t0 = start.year * 12 + start.month
    y = series["value"].to_numpy(dtype=float)
    ok = np.isfinite(y)
    post = t >= t0
    n_pre, n_post = int((ok & ~post).sum()), int((ok & post).sum())
    fitted = pd.Series(np.nan, index=series.index)
    if n_pre < MIN_MONTHS_BEFORE or n_post < MIN_MONTHS_AFTER:
        nan = np.nan
        return SegmentedResult(nan, nan, nan, nan, nan, nan, nan, nan, nan, n_pre, n_post, INSUFFICIENT), fitted
    design = np.column_stack([np.ones_like(y), t - t0, post, post * (t - t0)]).astype(float)
    fit = sm.OLS(y[ok], design[ok]).fit()
    fitted[ok] = fit.fittedvalues
    interval = fit.conf_int(alpha)
    message = ZERO_VARIANCE if not np.isfinite(fit.bse).all() or (fit.bse == 0).all() else None
    return SegmentedResult(float(fit.params[1]), float(fit.params[2]), float(interval[2, 0]), float(interval[2, 1]),
                           float(fit.pvalues[2]), float(fit.params[3]), float(interval[3, 0]), float(interval[3, 1]),
                           float(fit.pvalues[3]), n_pre, n_post, message), fitted
