"""BG/NBD and Gamma-Gamma: purchase counts, survival and spend of non-contractual customers.

Pure maximum-likelihood fits with :func:`scipy.optimize.minimize` on each customer's sufficient
statistics (Fader, Hardie and Lee 2005, "Counting your customers the easy way"; "RFM and CLV"):

- ``frequency`` x: repeat purchase days (distinct purchase days minus one) in the calibration period;
- ``recency`` t_x: time from the first to the last purchase day;
- ``T``: time from the first purchase day to the end of the calibration period;
- ``monetary`` m_x: mean value of the repeat purchase days (Gamma-Gamma, customers with x > 0 only).

Time is in whatever unit the caller used (weeks in the published CDNOW fit). Parameters are fitted
on the log scale, so they stay positive. No I/O, no params, no plots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

ArrayLike = np.ndarray


@dataclass(frozen=True)
class BgNbd:
    """Fitted BG/NBD parameters: purchase rate ~ Gamma(r, alpha), dropout ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int

    def as_dict(self) -> dict[str, float]:
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}


@dataclass(frozen=True)
class GammaGamma:
    """Fitted Gamma-Gamma parameters of spend per purchase: shape p, and v ~ Gamma(q, gamma)."""

    p: float
    q: float
    gamma: float
    log_likelihood: float
    customers: int

    def as_dict(self) -> dict[str, float]:
        return {"p": self.p, "q": self.q, "gamma": self.gamma}


def _arrays(*values: ArrayLike) -> list[np.ndarray]:
    return [np.asarray(v, dtype="float64") for v in values]


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values and each element's position among them: ``f(values) == f(distinct)[index]`` for an
    elementwise ``f``, bit for bit, at the cost of ``len(distinct)`` evaluations (frequencies and ages in
    whole days take a few hundred values over a million customers)."""
    distinct, index = np.unique(values, return_inverse=True)
    return distinct, index.reshape(-1)


def _minimize(negative, size: int, gradient=None) -> optimize.OptimizeResult:
    """Minimise over log-parameters from 0 (all parameters 1, the scale parameter at the data's scale).

    L-BFGS-B (with numerical gradients about 100 likelihood evaluations); when it stops without
    converging, Nelder-Mead continues from where it stopped. With an analytic ``gradient``, Newton
    steps then take the result to the stationary point itself (:func:`_newton_polish`), so where a
    flat likelihood lets the optimiser stop is not what the estimate depends on.
    """
    result = optimize.minimize(negative, np.zeros(size), jac=gradient, method="L-BFGS-B",
                               options={"ftol": 1e-13, "gtol": 1e-9})
    if not result.success:
        result = optimize.minimize(negative, result.x, method="Nelder-Mead",
                                   options={"xatol": 1e-8, "fatol": 1e-9, "maxiter": 5000, "maxfev": 5000})
    if gradient is not None:
        result.x, result.fun = _newton_polish(negative, gradient, np.asarray(result.x, dtype="float64"))
    return result


def _newton_polish(negative, gradient, x: np.ndarray, steps: int = 50) -> tuple[np.ndarray, float]:
    """Newton steps on the analytic ``gradient`` (Hessian by central differences of it) from ``x``.

    Stops when a step moves no log-parameter by more than 1e-12, or when the Hessian is not
    positive definite or a halved step no longer lowers ``negative``: a criterion on the
    stationary point, not on the optimiser's tolerances.
    """
    value = negative(x)
    for _ in range(steps):
        h = 1e-5
        hessian = np.array([(gradient(x + h * e) - gradient(x - h * e)) / (2 * h) for e in np.eye(len(x))])
        hessian = (hessian + hessian.T) / 2
        if not np.all(np.linalg.eigvalsh(hessian) > 0):
            break
        step = np.linalg.solve(hessian, gradient(x))
        for _ in range(30):
            trial = x - step
            trial_value = negative(trial)
            if np.isfinite(trial_value) and trial_value <= value:
                break
            step = step / 2
        else:
            break
        x, value = trial, trial_value
        if np.max(np.abs(step)) < 1e-12:
            break
    return x, value


def bgnbd_log_likelihood(params: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood at ``params`` = (r, alpha, a, b) (FHL 2005, equation 6)."""
    x, tx, t = _arrays(frequency, recency, T)
    return _bgnbd_log_likelihood(params, x, tx, t, _bgnbd_keys(x, tx, t))


def _bgnbd_keys(x: np.ndarray, tx: np.ndarray, t: np.ndarray) -> tuple:
    repeat = x > 0
    return repeat, _distinct(x), _distinct(t), _distinct(x[repeat]), _distinct(tx[repeat])


def _bgnbd_log_likelihood(params: ArrayLike, x: np.ndarray, tx: np.ndarray, t: np.ndarray, keys: tuple) -> np.ndarray:
    """:func:`bgnbd_log_likelihood` with the special functions and logarithms of the data's distinct values."""
    r, alpha, a, b = params
    repeat, (ux, ix), (ut, it), (uxr, ixr), (utr, itr) = keys
    a1 = special.gammaln(r + ux)[ix] - special.gammaln(r) + r * np.log(alpha)
    a2 = special.gammaln(a + b) + special.gammaln(b + ux)[ix] - special.gammaln(b) - special.gammaln(a + b + ux)[ix]
    a3 = -(r + x) * np.log(alpha + ut)[it]
    a4 = np.full_like(x, -np.inf)
    a4[repeat] = (np.log(a) - np.log(b + uxr - 1)[ixr] - (r + x[repeat]) * np.log(alpha + utr)[itr])
    return a1 + a2 + np.logaddexp(a3, a4)


def fit_bgnbd(frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> BgNbd:
    """Maximum-likelihood BG/NBD fit over customers' (frequency, recency, T).

    Raises ``ValueError`` with fewer than 2 customers or when nobody repeats (the dropout
    process is then not identified).
    """
    x, tx, t = _arrays(frequency, recency, T)
    if len(x) < 2 or not (x > 0).any():
        raise ValueError(f"BG/NBD needs at least 2 customers and some repeat purchases; got {len(x)} customers, "
                         f"{int((x > 0).sum())} with repeats")
    scale = float(np.mean(t)) or 1.0
    keys = _bgnbd_keys(x, tx, t)  # once: every likelihood evaluation reuses them

    def negative(log_params: np.ndarray) -> float:
        r, alpha, a, b = np.exp(log_params)
        return -float(_bgnbd_log_likelihood((r, alpha * scale, a, b), x, tx, t, keys).sum())

    result = _minimize(negative, 4)
    r, alpha, a, b = np.exp(result.x)
    return BgNbd(float(r), float(alpha * scale), float(a), float(b), -float(result.fun), len(x))


def p_alive(model: BgNbd, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> np.ndarray:
    """Probability that each customer is still active at the end of the calibration period."""
    x, tx, t = _arrays(frequency, recency, T)
    ratio = np.zeros_like(x)
    repeat = x > 0
    ratio[repeat] = np.exp(np.log(model.a) - np.log(model.b + x[repeat] - 1)
                           + (model.r + x[repeat]) * (np.log(model.alpha + t[repeat])
                                                      - np.log(model.alpha + tx[repeat])))
    return 1.0 / (1.0 + ratio)


def expected_purchases(model: BgNbd, horizon: float | ArrayLike, frequency: ArrayLike, recency: ArrayLike,
                       T: ArrayLike) -> np.ndarray:
    """Expected purchases of each customer in the next ``horizon`` time units (FHL 2005, equation 10)."""
    x, tx, t = _arrays(frequency, recency, T)
    return _purchases_term(model, horizon, x, t) * p_alive(model, x, tx, t)


def p_purchase(model: BgNbd, horizon: float, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> np.ndarray:
    """Probability that each customer makes at least one purchase in the next ``horizon`` time units.

    A customer alive at ``T`` cannot drop out before the next purchase, and given alive the purchase rate is
    Gamma(r + x, alpha + T) a posteriori, so P(none in the horizon) = 1 - P(alive) + P(alive) x
    ((alpha + T) / (alpha + T + horizon))^(r + x); this is P(alive) x (1 - that power). Not P(alive): an alive
    customer who buys twice a year often buys nothing in a quarter.
    """
    x, tx, t = _arrays(frequency, recency, T)
    none_if_alive = np.exp((model.r + x) * (np.log(model.alpha + t) - np.log(model.alpha + t + horizon)))
    return p_alive(model, x, tx, t) * (1 - none_if_alive)


def _purchases_term(model: BgNbd, horizon: float | ArrayLike, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Equation 10 without P(alive); for one horizon, evaluated once per distinct (frequency, T) pair."""
    index = None
    if np.ndim(horizon) == 0 and len(x):
        (ux, ix), (ut, it) = _distinct(x), _distinct(t)
        pairs, index = _distinct(ix * len(ut) + it)
        x, t = ux[pairs // len(ut)], ut[pairs % len(ut)]
    h = np.broadcast_to(np.asarray(horizon, dtype="float64"), x.shape)
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    z = h / (alpha + t + h)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    numerator = (a + b + x - 1) / (a - 1) * (1 - np.exp((r + x) * np.log((alpha + t) / (alpha + t + h))) * hyp)
    return numerator if index is None else numerator[index]


def expected_purchases_new(model: BgNbd, horizon: float | ArrayLike) -> np.ndarray:
    """Expected purchases in ``horizon`` of a customer just acquired (FHL 2005, equation 9)."""
    h = np.asarray(horizon, dtype="float64")
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    z = h / (alpha + h)
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + h)) ** r * special.hyp2f1(r, b, a + b - 1, z))


def gamma_gamma_log_likelihood(params: ArrayLike, frequency: ArrayLike, monetary: ArrayLike) -> np.ndarray:
    """Per-customer Gamma-Gamma log-likelihood of the mean repeat value ``monetary`` over ``frequency`` purchases."""
    x, m = _arrays(frequency, monetary)
    return _gamma_gamma_log_likelihood(params, x, m, _distinct(x), np.log(m), np.log(x))


def _gamma_gamma_log_likelihood(params: ArrayLike, x: np.ndarray, m: np.ndarray, keys: tuple, log_m: np.ndarray,
                                log_x: np.ndarray) -> np.ndarray:
    """:func:`gamma_gamma_log_likelihood` with the special functions of the distinct frequencies."""
    p, q, gamma = params
    ux, ix = keys
    return (special.gammaln(p * ux + q)[ix] - special.gammaln(p * ux)[ix] - special.gammaln(q) + q * np.log(gamma)
            + (p * x - 1) * log_m + p * x * log_x - (p * x + q) * np.log(gamma + m * x))


def fit_gamma_gamma(frequency: ArrayLike, monetary: ArrayLike) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma fit over customers with ``frequency`` > 0 and positive ``monetary``.

    Customers outside that set are ignored; raises ``ValueError`` when fewer than 2 remain.
    """
    x, m = _arrays(frequency, monetary)
    keep = (x > 0) & (m > 0) & np.isfinite(m)
    x, m = x[keep], m[keep]
    if len(x) < 2:
        raise ValueError(f"Gamma-Gamma needs at least 2 customers with repeat purchases of positive value; "
                         f"got {len(x)}")
    scale = float(np.mean(m))
    keys, log_m, log_x = _distinct(x), np.log(m), np.log(x)  # once for every evaluation
    ux, ix = keys

    def negative(log_params: np.ndarray) -> float:
        with np.errstate(all="ignore"):  # a trial step far out: the optimiser sees inf or nan and steps back
            p, q, gamma = np.exp(log_params)
            value = -float(_gamma_gamma_log_likelihood((p, q, gamma * scale), x, m, keys, log_m, log_x).sum())
        return value if np.isfinite(value) else np.inf

    @np.errstate(all="ignore")
    def gradient(log_params: np.ndarray) -> np.ndarray:
        """The analytic gradient of ``negative``: d/dp, d/dq, d/dgamma of the log-likelihood, times p, q, gamma."""
        p, q, gamma = np.exp(log_params) * (1.0, 1.0, scale)
        common = special.digamma(p * ux + q)[ix] - np.log(gamma + m * x)
        d_p = np.sum(x * (common - special.digamma(p * ux)[ix] + log_m + log_x))
        d_q = np.sum(common - special.digamma(q) + np.log(gamma))
        d_gamma = np.sum(q / gamma - (p * x + q) / (gamma + m * x))
        return -np.array([d_p * p, d_q * q, d_gamma * gamma])

    result = _minimize(negative, 3, gradient)
    p, q, gamma = np.exp(result.x)
    return GammaGamma(float(p), float(q), float(gamma * scale), -float(result.fun), len(x))


def expected_spend(model: GammaGamma, frequency: ArrayLike, monetary: ArrayLike) -> np.ndarray:
    """Expected value of a future purchase: the population mean shrunk towards each customer's mean.

    Customers without repeat purchases (or without a positive mean) get the population mean
    ``p * gamma / (q - 1)`` (``nan`` when ``q <= 1``, where that mean does not exist).
    """
    x, m = _arrays(frequency, monetary)
    p, q, gamma = model.p, model.q, model.gamma
    population = p * gamma / (q - 1) if q > 1 else np.nan
    known = (x > 0) & (m > 0) & np.isfinite(m)
    out = np.full_like(x, population)
    out[known] = p * (gamma + x[known] * m[known]) / (p * x[known] + q - 1)
    return out


def discounted_clv(model: BgNbd, spend: ArrayLike, horizon: float, discount_rate: float, units_per_year: float,
                   frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, steps: int = 12) -> np.ndarray:
    """Customer lifetime value over ``horizon``: expected purchases per step x expected spend, discounted.

    The horizon is cut into ``steps`` equal steps; purchases expected in a step are discounted at
    ``discount_rate`` per year from the step's end (``units_per_year`` time units make a year).
    """
    x, tx, t = _arrays(frequency, recency, T)
    value = np.zeros_like(x)
    before = np.zeros_like(x)
    alive = p_alive(model, x, tx, t)
    for step in range(1, steps + 1):
        at = horizon * step / steps
        cumulative = _purchases_term(model, at, x, t) * alive  # expected_purchases, P(alive) computed once
        value += (cumulative - before) / (1 + discount_rate) ** (at / units_per_year)
        before = cumulative
    return value * np.asarray(spend, dtype="float64")
