"""The actions' targets, each sized so that next period's result can be told from chance.

An order target counts the customers of an action who order in the next period. Beside it stand
last period's buyers (``customer_health.csv``'s ``ordered_in_period``) and the model's forecast
without action: the sum of the BG/NBD probability of at least one order in the next period
(``p_order_next``), not the sum of P(alive). The target counts from the larger of the two
(:func:`baseline`). Chance alone moves the count by ``z sqrt(n p (1 - p))`` (``p`` the model's mean
probability; binomial, at least the spread of the forecast's own count): the noise band printed.
The smallest effect one group can show against a known baseline with :data:`POWER` is
:func:`crmreport.stats.abpower.mde_rate_forecast`. When a proven lever's lift on the customers not
expected to order reaches it, that is the target; otherwise the group is too small to judge the
lift, and the count is read against the band: above it is more than chance. When no count above the
baseline can be told from chance (nearly all ordered), the target is to keep them: fewer than the
band's lower end is a loss beyond chance.

An action no randomised test supports is tested first: all its customers split 50/50 at random,
with the smallest difference in ordering that split detects (:func:`~crmreport.stats.abpower.mde_rate`).

A proven lever is scaled with a random hold-out. The hold-out is drawn only from customers no other
action contacts through the lever's channel (the test's control customers by segment at its start,
``ab_segments_conversion.csv``, of the segment actions on that channel), so that it stays uncontacted.
It is the smallest share, from :data:`HOLDOUT` up to half, at which the difference in revenue per
customer the test measured is detectable with :data:`POWER` (the test's spread per customer, from its
interval, :func:`~crmreport.stats.abpower.mde_mean`); when none is, :data:`HOLDOUT` is kept and the
target says the smallest difference it can detect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...core.i18n import t
from ...stats.abpower import mde_mean, mde_rate, mde_rate_forecast
from ...stats.abtest import z_critical
from .headline import format_value
from .sources import Figure

#: the power every proposed target and hold-out is sized for
POWER = 0.8
#: the smallest share of a proven lever's customers kept uncontacted, at random, to measure its revenue target
HOLDOUT = 0.10


@dataclass(frozen=True)
class Outlook:
    """An action's ``n`` customers: the model's forecast of how many order next period, last period's buyers."""

    n: int
    forecast: float
    buyers: float | None = None


@dataclass(frozen=True)
class Holdout:
    """A proven lever's hold-out: ``size`` of ``n``, drawn from ``eligible``; ``mde`` the smallest difference in
    revenue per customer it detects, ``diff`` the test's; ``overlaps``: (action number, customers also there)."""

    n: int
    size: int
    eligible: int
    mde: float
    diff: float
    overlaps: tuple[tuple[int, Figure], ...] = ()

    @property
    def detectable(self) -> bool:
        return self.mde <= self.diff


def noise_band(outlook: Outlook, alpha: float) -> float:
    """Customers by which chance alone moves the count around the forecast: ``z sqrt(n p (1 - p))``."""
    p = min(max(outlook.forecast / outlook.n, 0.0), 1.0) if outlook.n else 0.0
    return z_critical(alpha) * math.sqrt(outlook.n * p * (1 - p))


def order_target(outlook: Outlook, lift: float, alpha: float, period: str, next_period: str, language: str) -> str:
    """The order target of an action on a proven lever's channel with conversion ``lift`` (module docstring)."""
    n, centre = outlook.n, baseline(outlook)
    band = noise_band(outlook, alpha)
    mde = mde_rate_forecast(centre / n, n, alpha, POWER).mde_abs * n
    rest = max(n - round(centre), 0)
    gain = lift * rest
    count = format_value("count", n, language)
    words = {"lift": f"{lift * 100:.1f}", "rest": format_value("count", rest, language),
             "gain": format_value("count", round(gain), language), "n": count}
    if centre + band >= n:  # no count above the baseline can be told from chance: keep the customers ordering
        keep = max(math.floor(centre - band), 0)
        tail = t("summary.target.keep", language, keep=format_value("count", keep, language), **words)
    elif gain >= mde:
        tail = t("summary.target.goal", language, goal=format_value("count", math.ceil(centre + gain - 1e-9),
                                                                    language), **words)
    else:
        tail = t("summary.target.too_small", language, goal=format_value(
            "count", math.floor(centre + band) + 1, language), mde=format_value("count", math.ceil(mde), language),
                 **words)
    return _outlook_text(outlook, period, next_period, language, band=format_value("count", round(band), language)) \
        + (t("summary.target.judged", language, base=format_value("count", centre, language))
           if centre > outlook.forecast + 0.5 else "") + tail


def baseline(outlook: Outlook) -> float:
    """What a target counts from: the larger of the model's forecast and last period's buyers, so that neither a
    repeat of last period nor the model's under-prediction of frequent buyers counts as an effect."""
    return max(outlook.forecast, outlook.buyers or 0.0)


def test_target(outlook: Outlook, alpha: float, period: str, next_period: str, language: str) -> str:
    """An untested action's target: all its customers split 50/50 at random, with the difference it detects."""
    half = outlook.n // 2
    rest = outlook.n - half
    mde = mde_rate(outlook.forecast / outlook.n, half, rest, alpha, POWER).mde_abs if outlook.n else float("nan")
    words = {"half": format_value("count", half, language), "rest": format_value("count", rest, language)}
    if not math.isfinite(mde):
        return t("summary.target.test_small", language, **words)
    return t("summary.target.test", language, **words, n=format_value("count", outlook.n, language),
             mde=f"{mde * 100:.1f}", next=next_period,
             outlook=_outlook_text(outlook, period, next_period, language, band=None))


def _outlook_text(outlook: Outlook, period: str, next_period: str, language: str, band: str | None) -> str:
    words = {"n": format_value("count", outlook.n, language), "next": next_period, "period": period,
             "forecast": format_value("count", round(outlook.forecast), language)}
    text = t("summary.target.buyers", language, buyers=format_value("count", outlook.buyers, language),
             **words) if outlook.buyers is not None else ""
    text += t("summary.target.forecast", language, **words)
    return text + (t("summary.target.band", language, band=band) if band is not None else "")


def spread_per_customer(ci_low: float, ci_high: float, n_arm: int, n_control: int, alpha: float) -> float:
    """The per-customer standard deviation behind a test's interval of a difference in means:
    ``(high - low) / (2 z) / sqrt(1 / n_arm + 1 / n_control)``."""
    return (ci_high - ci_low) / (2 * z_critical(alpha)) / math.sqrt(1 / n_arm + 1 / n_control)


def _mde_at(n: int, size: int, sd: float, alpha: float) -> float:
    return mde_mean(float("nan"), sd * math.sqrt(1 / (n - size) + 1 / size), n - size, size, alpha, POWER).mde_abs


def size_holdout(n: int, eligible: int, sd: float, diff: float, alpha: float,
                 overlaps: tuple[tuple[int, Figure], ...] = ()) -> Holdout:
    """The smallest hold-out of a lever scaled to ``n`` customers, at least :data:`HOLDOUT` and at most half of
    them and ``eligible``, at which ``diff`` (revenue per customer) is detectable (module docstring)."""
    low, high = max(math.ceil(HOLDOUT * n - 1e-9), 2), min(eligible, n // 2)
    if high < low:  # too few customers outside the other actions: all of them held out
        size = max(min(eligible, n - 2), 0)
        return Holdout(n, size, eligible, _mde_at(n, size, sd, alpha) if size >= 2 else float("nan"), diff, overlaps)
    if _mde_at(n, high, sd, alpha) > diff:
        return Holdout(n, low, eligible, _mde_at(n, low, sd, alpha), diff, overlaps)
    while low < high:  # the detectable difference falls as the hold-out grows to half
        middle = (low + high) // 2
        low, high = (middle + 1, high) if _mde_at(n, middle, sd, alpha) > diff else (low, middle)
    return Holdout(n, low, eligible, _mde_at(n, low, sd, alpha), diff, overlaps)


def lever_target(plan: Holdout, language: str) -> str:
    """A proven lever scaled with its hold-out (:func:`size_holdout`): whom it holds out, what it can judge."""
    words = {"called": format_value("count", plan.n - plan.size, language),
             "holdout": format_value("count", plan.size, language),
             "mde": format_value("currency", plan.mde, language), "diff": format_value("currency", plan.diff, language)}
    text = t("summary.target.lever", language, **words)
    if plan.overlaps:
        parts = t("summary.target.overlap_sep", language).join(
            t("summary.target.overlap_part", language, k=k, n=format_value("count", f.value, language))
            for k, f in plan.overlaps)
        text += t("summary.target.overlap", language, parts=parts,
                  eligible=format_value("count", plan.eligible, language))
    if not math.isfinite(plan.mde):
        return text + t("summary.target.lever_none", language)
    return text + t("summary.target.lever_detects" if plan.detectable else "summary.target.lever_small", language,
                    **words)
