"""Bayesian view of an outreach test for readers: P(arm beats control) and the expected loss of a choice.

Rates use independent Beta-Binomial posteriors (uniform prior), integrated numerically (no random
draws, so every run gives the same numbers); means and ratios use the normal approximation of
the difference with its frequentist standard error (flat prior), in closed form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate, stats

from .abtest import NO_CUSTOMERS, ZERO_VARIANCE, Comparison, Proportion

NAN = float("nan")


@dataclass(frozen=True)
class Posterior:
    """Bayesian view: P(arm beats control) and the expected loss of choosing either side."""

    method: str
    prob_beat_control: float
    expected_loss_arm: float
    expected_loss_control: float
    message: str | None = None



def _beta_loss(a1: float, b1: float, a0: float, b0: float) -> tuple[float, float]:
    """P(p1 > p0) and E[max(p0 - p1, 0)] for independent Beta posteriors, by numerical integration over p1."""
    lo, hi = stats.beta.ppf([1e-15, 1 - 1e-15], a1, b1)
    m0 = a0 / (a0 + b0)

    def beats(y: float) -> float:
        return stats.beta.pdf(y, a1, b1) * stats.beta.cdf(y, a0, b0)

    def shortfall(y: float) -> float:
        tail = m0 * stats.beta.sf(y, a0 + 1, b0) - y * stats.beta.sf(y, a0, b0)
        return stats.beta.pdf(y, a1, b1) * tail

    options = {"epsabs": 1e-14, "epsrel": 1e-12, "limit": 200}
    return integrate.quad(beats, lo, hi, **options)[0], integrate.quad(shortfall, lo, hi, **options)[0]


def bayes_rates(control: Proportion, arm: Proportion, prior: tuple[float, float] = (1.0, 1.0)) -> Posterior:
    """Beta-Binomial posteriors (uniform prior by default): P(arm rate > control rate) and expected losses.

    ``expected_loss_arm = E[max(control - arm, 0)]`` (what choosing the arm costs if it is worse),
    ``expected_loss_control = E[max(arm - control, 0)]``; both in rate units. Exact up to the
    numerical integration (scipy ``quad``), no random draws.
    """
    if arm.n == 0 or control.n == 0:
        return Posterior("beta_binomial", NAN, NAN, NAN, NO_CUSTOMERS)
    a1, b1 = prior[0] + arm.events, prior[1] + arm.n - arm.events
    a0, b0 = prior[0] + control.events, prior[1] + control.n - control.events
    prob, loss_arm = _beta_loss(a1, b1, a0, b0)
    loss_control = loss_arm + a1 / (a1 + b1) - a0 / (a0 + b0)
    return Posterior("beta_binomial", min(max(prob, 0.0), 1.0), max(loss_arm, 0.0), max(loss_control, 0.0))


def bayes_normal(comparison: Comparison) -> Posterior:
    """Normal approximation for means and ratios: the difference ~ N(abs_diff, std_error^2) (flat prior).

    ``P = Phi(d / s)``, ``expected_loss_arm = s phi(d / s) - d Phi(-d / s)``, ``expected_loss_control
    = expected_loss_arm + d``.
    """
    d, s = comparison.abs_diff, comparison.std_error
    if not (np.isfinite(d) and np.isfinite(s) and s > 0):
        return Posterior("normal", NAN, NAN, NAN, comparison.message or ZERO_VARIANCE)
    loss_arm = s * stats.norm.pdf(d / s) - d * stats.norm.cdf(-d / s)
    return Posterior("normal", float(stats.norm.cdf(d / s)), float(loss_arm), float(loss_arm + d),
                     comparison.message)
