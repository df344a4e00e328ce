"""A/B test comparisons over sufficient statistics: rates, means and ratios, arm against control.

Every function is pure: it takes counts, sums and sums of squares (never customer rows) and
returns a frozen dataclass that becomes one tidy row. Bad input (a negative count, more events
than customers) raises ``ValueError``; thin data (an arm without customers, no conversions, zero
variance) gives a result whose ``message`` carries one of the codes below and NaN where a number
cannot be computed. The formulas are written out in ``docs/ab-tests.md``.

Sample ratio mismatch, multiple-testing adjustment and heterogeneity across segments live in
:mod:`crmreport.stats.abchecks`, the Bayesian view in :mod:`crmreport.stats.abbayes`, power in
:mod:`crmreport.stats.abpower`, CUPED in :mod:`crmreport.stats.cuped`, the relative-lift intervals
(which invert the same statistic as the difference's test) in :mod:`crmreport.stats.ablift`. The array functions
(:func:`two_proportion_z`, :func:`welch`, :func:`normal_test`, :func:`ratio_delta`) take numpy
arrays, so a simulation can run thousands of tests at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep

from .ablift import fieller, rate_difference, rate_ratio

#: message codes carried by result rows (labels ``label.<code>`` in locale/abtest.yaml)
NO_CUSTOMERS = "no_customers"
TOO_FEW_CUSTOMERS = "too_few_customers"
NO_CONTROL = "no_control"
SINGLE_ARM = "single_arm"
NO_CONVERSIONS = "no_conversions"
TOO_FEW_CONVERSIONS = "too_few_conversions"
NO_RESPONSES = "no_responses"
ZERO_VARIANCE = "zero_variance"
NO_COVARIATE_VARIANCE = "no_covariate_variance"
EMPTY_COVARIATE = "empty_covariate"
BELOW_MIN_N = "below_min_n"
SINGLE_SEGMENT = "single_segment"
SRM = "srm"
MESSAGES = (NO_CUSTOMERS, TOO_FEW_CUSTOMERS, NO_CONTROL, SINGLE_ARM, NO_CONVERSIONS, TOO_FEW_CONVERSIONS,
            NO_RESPONSES, ZERO_VARIANCE, NO_COVARIATE_VARIANCE, EMPTY_COVARIATE, BELOW_MIN_N, SINGLE_SEGMENT, SRM)
NAN = float("nan")


@dataclass(frozen=True)
class Proportion:
    """``events`` out of ``n`` customers (responses, conversions)."""

    n: int
    events: int

    def __post_init__(self) -> None:
        if self.n < 0 or not 0 <= self.events <= self.n:
            raise ValueError(f"a proportion needs 0 <= events <= n, got events={self.events}, n={self.n}")


@dataclass(frozen=True)
class Moments:
    """``n`` values summarised by their ``total`` and ``total_sq`` (sum of squares)."""

    n: int
    total: float
    total_sq: float

    def __post_init__(self) -> None:
        if self.n < 0 or self.total_sq < 0:
            raise ValueError(f"moments need n >= 0 and a sum of squares >= 0, got n={self.n}, "
                             f"total_sq={self.total_sq}")

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else NAN

    @property
    def variance(self) -> float:
        """Sample variance (ddof 1), clipped at 0 against rounding."""
        return max((self.total_sq - self.total**2 / self.n) / (self.n - 1), 0.0) if self.n > 1 else NAN


@dataclass(frozen=True)
class Bivariate:
    """Sums of two per-customer values ``y`` and ``x`` and their cross products.

    Serves the ratio metric (``y`` = revenue, ``x`` = converted) and CUPED (``x`` = pre-period revenue).
    """

    n: int
    sum_y: float
    sum_y2: float
    sum_x: float
    sum_x2: float
    sum_xy: float

    @property
    def y(self) -> Moments:
        return Moments(self.n, self.sum_y, self.sum_y2)

    @property
    def x(self) -> Moments:
        return Moments(self.n, self.sum_x, self.sum_x2)

    @property
    def covariance(self) -> float:
        """Sample covariance of ``x`` and ``y`` (ddof 1)."""
        return (self.sum_xy - self.sum_x * self.sum_y / self.n) / (self.n - 1) if self.n > 1 else NAN

    def __add__(self, other: Bivariate) -> Bivariate:
        return Bivariate(*(getattr(self, f) + getattr(other, f) for f in self.__dataclass_fields__))


@dataclass(frozen=True)
class Comparison:
    """One arm against control on one metric; ``std_error`` is that of ``abs_diff``."""

    method: str
    n_arm: int
    n_control: int
    value_arm: float
    value_control: float
    abs_diff: float
    ci_low: float
    ci_high: float
    rel_lift: float
    rel_ci_low: float
    rel_ci_high: float
    p_value: float
    std_error: float
    message: str | None = None


def z_critical(alpha: float) -> float:
    """The two-sided normal critical value of ``alpha`` (1.96 for 0.05); rejects alpha outside (0, 1)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}; use e.g. 0.05")
    return float(stats.norm.ppf(1 - alpha / 2))


def t_critical(alpha: float, df: np.ndarray | float) -> float:
    """The two-sided t critical value of ``alpha`` with ``df`` degrees of freedom (NaN without df)."""
    return float(stats.t.ppf(1 - alpha / 2, df)) if np.isfinite(df) else NAN


def two_sided_p(z: np.ndarray | float) -> np.ndarray | float:
    """Two-sided normal p-value of a z statistic."""
    return 2 * stats.norm.sf(np.abs(z))


def two_proportion_z(x1, n1, x0, n0) -> tuple[np.ndarray, np.ndarray]:
    """Pooled two-proportion z statistic and two-sided p-value (arrays; NaN where the pooled rate is 0 or 1)."""
    x1, n1, x0, n0 = (np.asarray(v, dtype=float) for v in (x1, n1, x0, n0))
    pooled = (x1 + x0) / (n1 + n0)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (x1 / n1 - x0 / n0) / np.where(se > 0, se, 1), np.nan)
    return z, two_sided_p(z)


def welch(mean1, var1, n1, mean0, var0, n0, alpha: float = 0.05) -> dict[str, np.ndarray]:
    """Welch's unequal-variance t test of ``mean1 - mean0`` (arrays).

    Returns ``diff``, ``se``, ``df`` (Welch-Satterthwaite), ``t``, ``p_value``, ``ci_low``, ``ci_high``;
    NaN where both variances are 0.
    """
    mean1, var1, n1, mean0, var0, n0 = (np.asarray(v, dtype=float) for v in (mean1, var1, n1, mean0, var0, n0))
    z_critical(alpha)
    a, b = var1 / n1, var0 / n0
    se = np.sqrt(a + b)
    ok = se > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        share1, share0 = a / (a + b), b / (a + b)  # scaled, so tiny variances do not underflow
        df = np.where(ok, 1 / (share1**2 / (n1 - 1) + share0**2 / (n0 - 1)), np.nan)
        t = np.where(ok, (mean1 - mean0) / np.where(ok, se, 1), np.nan)
    half = stats.t.ppf(1 - alpha / 2, df) * se
    diff = mean1 - mean0
    return {"diff": diff, "se": se, "df": df, "t": t, "p_value": 2 * stats.t.sf(np.abs(t), df),
            "ci_low": diff - half, "ci_high": diff + half}


def normal_test(diff, se, alpha: float = 0.05) -> dict[str, np.ndarray]:
    """z test and interval of a difference with a known standard error (delta-method metrics)."""
    diff, se = np.asarray(diff, dtype=float), np.asarray(se, dtype=float)
    z_crit = z_critical(alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, diff / np.where(se > 0, se, 1), np.nan)
    return {"z": z, "p_value": two_sided_p(z), "ci_low": diff - z_crit * se, "ci_high": diff + z_crit * se}


def empty_comparison(method: str, n_arm: int, n_control: int, message: str, **known: float) -> Comparison:
    """A comparison that could not run: NaN everywhere except the counts and the ``known`` values."""
    values = {f: NAN for f in ("value_arm", "value_control", "abs_diff", "ci_low", "ci_high", "rel_lift",
                               "rel_ci_low", "rel_ci_high", "p_value", "std_error")}
    return Comparison(method=method, n_arm=n_arm, n_control=n_control, message=message, **{**values, **known})


def compare_rates(control: Proportion, arm: Proportion, alpha: float = 0.05,
                  no_events: str = NO_CONVERSIONS) -> Comparison:
    """Difference of two rates: pooled z-test p-value with the score intervals that invert it.

    Parameters
    ----------
    control, arm
        Customers and events (responses or conversions) per arm.
    alpha
        1 - confidence of the intervals.
    no_events
        Message code when neither arm has an event (``no_conversions`` or ``no_responses``).

    Returns
    -------
    Comparison
        ``abs_diff`` = arm rate - control rate (a share; x100 for percentage points), ``p_value``
        the pooled two-proportion z test, ``ci_*`` the score interval of the difference and
        ``rel_ci_*`` the score interval of the ratio (:mod:`crmreport.stats.ablift`): both exclude 0
        exactly when ``p_value < alpha``; without a pooled variance (no event, or all) the
        difference gets Newcombe's hybrid-score interval. ``std_error`` is the unpooled standard
        error. Messages: ``no_customers`` (an arm is empty), ``no_events`` (no event at all) and
        ``zero_variance`` (everyone converted): no p-value then.
    """
    method = "z_test_score"
    z_critical(alpha)
    if arm.n == 0 or control.n == 0:
        return empty_comparison(method, arm.n, control.n, NO_CUSTOMERS)
    p1, p0 = arm.events / arm.n, control.events / control.n
    v1, v0 = p1 * (1 - p1) / arm.n, p0 * (1 - p0) / control.n
    low, high = rate_difference(arm.events, arm.n, control.events, control.n, alpha)
    if np.isnan(low):
        low, high = confint_proportions_2indep(arm.events, arm.n, control.events, control.n, method="newcomb",
                                               compare="diff", alpha=alpha)
    _, p = two_proportion_z(arm.events, arm.n, control.events, control.n)
    rel, rel_low, rel_high = rate_ratio(arm.events, arm.n, control.events, control.n, alpha)
    message = no_events if arm.events + control.events == 0 else (
        ZERO_VARIANCE if arm.events + control.events == arm.n + control.n else None)
    return Comparison(method, arm.n, control.n, p1, p0, p1 - p0, max(float(low), -1.0), min(float(high), 1.0),
                      float(rel), float(rel_low), float(rel_high), float(p), float(np.sqrt(v1 + v0)), message)


def compare_means(control: Moments, arm: Moments, alpha: float = 0.05) -> Comparison:
    """Difference of two means (revenue per customer, zeros included): Welch t test and interval.

    Returns
    -------
    Comparison
        ``abs_diff`` = arm mean - control mean with the Welch interval (t with Welch-Satterthwaite
        degrees of freedom), ``p_value`` of Welch's t test, relative lift with Fieller's interval
        at the same critical value (it excludes 0 exactly when the t test rejects).
        Messages: ``no_customers``, ``too_few_customers`` (an arm has one customer, no variance
        estimate) and ``zero_variance`` (every value equal within both arms).
    """
    method = "welch_t"
    if arm.n == 0 or control.n == 0:
        return empty_comparison(method, arm.n, control.n, NO_CUSTOMERS)
    if arm.n < 2 or control.n < 2:
        return empty_comparison(method, arm.n, control.n, TOO_FEW_CUSTOMERS, value_arm=arm.mean,
                                value_control=control.mean, abs_diff=arm.mean - control.mean)
    test = welch(arm.mean, arm.variance, arm.n, control.mean, control.variance, control.n, alpha)
    rel, rel_low, rel_high = fieller(arm.mean, arm.variance / arm.n, control.mean, control.variance / control.n,
                                     t_critical(alpha, test["df"]))
    message = ZERO_VARIANCE if arm.variance == 0 and control.variance == 0 else None
    return Comparison(method, arm.n, control.n, arm.mean, control.mean, float(test["diff"]), float(test["ci_low"]),
                      float(test["ci_high"]), float(rel), float(rel_low), float(rel_high), float(test["p_value"]),
                      float(test["se"]), message)


def ratio_delta(n, sum_y, sum_y2, sum_x, sum_x2, sum_xy) -> tuple[np.ndarray, np.ndarray]:
    """``sum_y / sum_x`` and its delta-method variance (arrays).

    ``var(R) = var(y - R x) / (n * mean(x)^2)`` with the sample variances and covariance (ddof 1)
    of the per-customer pairs, i.e. ``(s_yy - 2 R s_xy + R^2 s_xx) / (n * mean(x)^2)``.
    """
    n, sum_y, sum_y2, sum_x, sum_x2, sum_xy = (np.asarray(v, dtype=float)
                                               for v in (n, sum_y, sum_y2, sum_x, sum_x2, sum_xy))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = sum_y / sum_x
        s_yy = (sum_y2 - sum_y**2 / n) / (n - 1)
        s_xx = (sum_x2 - sum_x**2 / n) / (n - 1)
        s_xy = (sum_xy - sum_x * sum_y / n) / (n - 1)
        spread = np.clip(s_yy - 2 * ratio * s_xy + ratio**2 * s_xx, 0, None)
        return ratio, spread / (n * (sum_x / n) ** 2)


def ratio_variance(s: Bivariate) -> tuple[float, float]:
    """:func:`ratio_delta` of one :class:`Bivariate`."""
    ratio, variance = ratio_delta(s.n, s.sum_y, s.sum_y2, s.sum_x, s.sum_x2, s.sum_xy)
    return float(ratio), float(variance)


def compare_ratios(control: Bivariate, arm: Bivariate, alpha: float = 0.05) -> Comparison:
    """Difference of two ratio metrics ``sum_y / sum_x`` (revenue per converter) by the delta method.

    The customer is the randomisation unit, so the ratio's variance comes from the per-customer
    pairs (revenue, converted), not from the converters alone. z test and normal interval.

    Returns
    -------
    Comparison
        Messages: ``no_customers``, ``no_conversions`` (``sum_x`` is 0 in an arm, the ratio is
        undefined), ``too_few_conversions`` (fewer than 2 in an arm, no variance) and ``zero_variance``.
    """
    method = "delta_z"
    if arm.n == 0 or control.n == 0:
        return empty_comparison(method, arm.n, control.n, NO_CUSTOMERS)
    if arm.sum_x == 0 or control.sum_x == 0:
        return empty_comparison(method, arm.n, control.n, NO_CONVERSIONS,
                      value_arm=arm.sum_y / arm.sum_x if arm.sum_x else NAN,
                      value_control=control.sum_y / control.sum_x if control.sum_x else NAN)
    r1, v1 = ratio_variance(arm)
    r0, v0 = ratio_variance(control)
    if arm.sum_x < 2 or control.sum_x < 2:
        return empty_comparison(method, arm.n, control.n, TOO_FEW_CONVERSIONS, value_arm=r1, value_control=r0,
                      abs_diff=r1 - r0)
    se = float(np.sqrt(v1 + v0))
    test = normal_test(r1 - r0, se, alpha)
    rel, rel_low, rel_high = fieller(r1, v1, r0, v0, z_critical(alpha))
    return Comparison(method, arm.n, control.n, r1, r0, r1 - r0, float(test["ci_low"]), float(test["ci_high"]),
                      float(rel), float(rel_low), float(rel_high), float(test["p_value"]), se,
                      ZERO_VARIANCE if se == 0 else None)
