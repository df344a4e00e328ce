"""CUPED: revenue per customer adjusted with a pre-period covariate, arm against control.

Pure functions over :class:`~crmreport.stats.abtest.Bivariate` sufficient statistics
(``y`` = the outcome, ``x`` = the covariate); :func:`cuped_moments` takes arrays for simulations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .ablift import fieller
from .abtest import (
    EMPTY_COVARIATE,
    NAN,
    NO_COVARIATE_VARIANCE,
    NO_CUSTOMERS,
    TOO_FEW_CUSTOMERS,
    ZERO_VARIANCE,
    Bivariate,
    Comparison,
    compare_means,
    empty_comparison,
    t_critical,
    welch,
)


@dataclass(frozen=True)
class Cuped:
    """CUPED-adjusted comparison of means next to the unadjusted one."""

    theta: float
    adjusted: Comparison
    unadjusted: Comparison
    variance_reduction: float
    message: str | None = None


def cuped_moments(pooled_cov, pooled_var_x, means_x, pooled_mean_x, means_y, vars_y, vars_x, covs):
    """CUPED adjustment of per-arm moments (arrays): ``theta``, adjusted means and adjusted variances.

    ``theta = cov(x, y) / var(x)`` over the pooled arms; an arm's adjusted mean is
    ``mean_y - theta (mean_x - pooled_mean_x)`` and its variance ``var_y - 2 theta cov + theta^2 var_x``.
    """
    pooled_var_x = np.asarray(pooled_var_x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.where(pooled_var_x > 0, pooled_cov / np.where(pooled_var_x > 0, pooled_var_x, 1), 0.0)
    means = np.asarray(means_y) - theta * (np.asarray(means_x) - pooled_mean_x)
    variances = np.clip(np.asarray(vars_y) - 2 * theta * np.asarray(covs) + theta**2 * np.asarray(vars_x), 0, None)
    return theta, means, variances


def cuped(control: Bivariate, arm: Bivariate, alpha: float = 0.05) -> Cuped:
    """Revenue per customer adjusted with a pre-period covariate (CUPED), Welch test on the adjusted values.

    Parameters
    ----------
    control, arm
        ``y`` = the outcome (revenue in the campaign), ``x`` = the covariate (pre-period revenue).

    Returns
    -------
    Cuped
        ``theta`` from the pooled covariance of both arms, the adjusted and unadjusted comparisons
        and ``variance_reduction = 1 - se_adjusted^2 / se_unadjusted^2`` (the share of the
        difference's variance removed). When CUPED cannot adjust, theta is 0, the adjusted result
        equals the unadjusted one and ``variance_reduction`` is NaN (nothing was removed, nothing
        was tried), with the reason: ``empty_covariate`` (no customer of either arm has any
        pre-period value, e.g. no revenue inside the pre-period window) or ``no_covariate_variance``
        (the covariate is the same non-zero value for everyone).
    """
    unadjusted = compare_means(control.y, arm.y, alpha)
    if unadjusted.message in (NO_CUSTOMERS, TOO_FEW_CUSTOMERS):
        return Cuped(NAN, empty_comparison("cuped_welch_t", arm.n, control.n, unadjusted.message), unadjusted, NAN,
                     unadjusted.message)
    pooled = control + arm
    pooled_var_x = pooled.x.variance
    (theta, (m1, m0), (v1, v0)) = cuped_moments(
        pooled.covariance, pooled_var_x, [arm.x.mean, control.x.mean], pooled.x.mean, [arm.y.mean, control.y.mean],
        [arm.y.variance, control.y.variance], [arm.x.variance, control.x.variance],
        [arm.covariance, control.covariance])
    test = welch(m1, v1, arm.n, m0, v0, control.n, alpha)
    rel, rel_low, rel_high = fieller(float(m1), float(v1) / arm.n, float(m0), float(v0) / control.n,
                                     t_critical(alpha, float(test["df"])))
    empty = pooled.sum_x == 0 and pooled.sum_x2 == 0
    message = (EMPTY_COVARIATE if empty else NO_COVARIATE_VARIANCE) if not pooled_var_x > 0 else (
        ZERO_VARIANCE if v1 == 0 and v0 == 0 else None)
    adjusted = Comparison("cuped_welch_t", arm.n, control.n, float(m1), float(m0), float(test["diff"]),
                          float(test["ci_low"]), float(test["ci_high"]), float(rel), float(rel_low), float(rel_high),
                          float(test["p_value"]), float(test["se"]), message)
    with np.errstate(divide="ignore", invalid="ignore"):
        reduction = 1 - float(test["se"]) ** 2 / unadjusted.std_error**2 if unadjusted.std_error > 0 else NAN
    if message in (EMPTY_COVARIATE, NO_COVARIATE_VARIANCE):
        reduction = NAN
    return Cuped(float(theta), adjusted, unadjusted, reduction, message)
