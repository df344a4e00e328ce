"""BG/NBD and Gamma-Gamma (crmreport.stats.clv) against the published CDNOW fit and hand calculations.

Fixture: the 2,357-customer CDNOW sample (``tests/fixtures/cdnow_sample.txt``, from the lifetimes
wheel): original id, customer id, date, CDs bought, amount. Fader, Hardie and Lee (2005) report
BG/NBD r = 0.243, alpha = 4.414, a = 0.793, b = 2.426 (weeks, calibration to 1997-09-30) and
Gamma-Gamma p = 6.25, q = 3.74, gamma = 15.44 on the 946 customers with repeat purchases.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

from crmreport.measures.clv_inputs import clv_inputs
from crmreport.stats import clv

FIXTURE = Path(__file__).parent / "fixtures" / "cdnow_sample.txt"


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    raw = pd.read_csv(FIXTURE, sep=r"\s+", header=None, names=["original", "customer_id", "day", "cds", "amount"],
                      dtype={"customer_id": str, "day": str})
    transactions = pd.DataFrame({"customer_id": raw["customer_id"], "transaction_date": pd.to_datetime(raw["day"]),
                                 "amount": raw["amount"]})
    return clv_inputs(transactions, date(1997, 9, 30), 7.0, holdout_end=date(1998, 6, 30))


def test_cdnow_summary_matches_the_papers_sample(cdnow):
    assert len(cdnow) == 2357
    assert int(cdnow["frequency"].sum()) == 2457 and int((cdnow["frequency"] > 0).sum()) == 946
    first_day = cdnow[cdnow["first_purchase"] == "1997-01-01"]
    assert np.allclose(first_day["T"], 272 / 7)  # 38.86 weeks, as in the paper's data
    assert (cdnow["recency"] <= cdnow["T"]).all()


def test_bgnbd_reproduces_the_published_cdnow_estimates(cdnow):
    model = clv.fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in published.items():
        assert getattr(model, name) == pytest.approx(value, rel=1e-2), name
    assert model.log_likelihood == pytest.approx(-9582.4, abs=0.1)  # the paper's LL


def test_gamma_gamma_reproduces_the_published_cdnow_estimates(cdnow):
    model = clv.fit_gamma_gamma(cdnow["frequency"], cdnow["monetary"])
    assert model.customers == 946
    for name, value in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert getattr(model, name) == pytest.approx(value, rel=1e-2), name


def test_holdout_purchases_are_close_to_the_bgnbd_forecast(cdnow):
    model = clv.fit_bgnbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    expected = clv.expected_purchases(model, 39, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert expected.sum() == pytest.approx(cdnow["holdout_purchases"].sum(), rel=0.15)


MODEL = clv.BgNbd(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0, customers=0)


def test_likelihood_matches_numerical_integration_over_the_purchase_rate():
    """The closed form equals the integral over lambda ~ Gamma(r, alpha) of the individual likelihood.

    Given lambda and p the likelihood is (1-p)^x lambda^x e^(-lambda T) + [x > 0] p (1-p)^(x-1) lambda^x
    e^(-lambda t_x) (FHL 2005, eq. 3); its mean over p ~ Beta(a, b) is a ratio of beta functions.
    """
    r, alpha, a, b = 0.9, 3.0, 1.3, 2.2
    for x, tx, t in ((0, 0.0, 10.0), (2, 4.0, 9.0), (5, 20.0, 30.0)):
        survive = special.beta(a, b + x) / special.beta(a, b)
        dropped = special.beta(a + 1, b + x - 1) / special.beta(a, b) if x > 0 else 0.0

        def integrand(lam, x=x, tx=tx, t=t, survive=survive, dropped=dropped):
            individual = survive * lam ** x * np.exp(-lam * t) + dropped * lam ** x * np.exp(-lam * tx)
            return individual * stats.gamma.pdf(lam, r, scale=1 / alpha)

        value, _ = integrate.quad(integrand, 0, np.inf, epsabs=1e-14, limit=200)
        closed = clv.bgnbd_log_likelihood((r, alpha, a, b), [x], [tx], [t])[0]
        assert closed == pytest.approx(np.log(value), rel=1e-6)


def test_expected_purchases_of_a_new_customer_match_a_simulation():
    rng = np.random.default_rng(5)
    n, horizon = 200_000, 30.0
    lam = rng.gamma(MODEL.r, 1 / MODEL.alpha, n)
    p = rng.beta(MODEL.a, MODEL.b, n)
    counts = np.zeros(n)
    time, alive = np.zeros(n), np.ones(n, dtype=bool)
    for _ in range(60):
        time = time + rng.exponential(1 / np.maximum(lam, 1e-12))
        buy = alive & (time <= horizon)
        counts += buy
        alive = buy & (rng.random(n) >= p)
    assert clv.expected_purchases_new(MODEL, horizon) == pytest.approx(counts.mean(), rel=0.02)


def test_p_purchase_matches_numerical_integration_of_the_posterior():
    """P(at least one purchase in the next h) against the posterior integrated over lambda (p by beta functions).

    Alive at T (weight (1-p)^x lambda^x e^(-lambda T)) the customer buys nothing in h with e^(-lambda h); dropped
    out after t_x (weight p (1-p)^(x-1) lambda^x e^(-lambda t_x)) never buys again.
    """
    r, alpha, a, b, horizon = 0.9, 3.0, 1.3, 2.2, 13.0
    model = clv.BgNbd(r, alpha, a, b, 0.0, 0)
    for x, tx, t in ((0, 0.0, 10.0), (2, 4.0, 9.0), (5, 20.0, 30.0), (3, 29.0, 30.0)):
        survive = special.beta(a, b + x) / special.beta(a, b)
        dropped = special.beta(a + 1, b + x - 1) / special.beta(a, b) if x > 0 else 0.0

        def posterior(lam, later, x=x, tx=tx, t=t, survive=survive, dropped=dropped):
            weight = survive * lam ** x * np.exp(-lam * (t + later)) + dropped * lam ** x * np.exp(-lam * tx)
            return weight * stats.gamma.pdf(lam, r, scale=1 / alpha)

        none, _ = integrate.quad(posterior, 0, np.inf, args=(horizon,), epsabs=1e-14, limit=200)
        evidence, _ = integrate.quad(posterior, 0, np.inf, args=(0.0,), epsabs=1e-14, limit=200)
        assert clv.p_purchase(model, horizon, [x], [tx], [t])[0] == pytest.approx(1 - none / evidence, rel=1e-6)
    alive = clv.p_alive(model, [2], [4.0], [9.0])[0]
    assert clv.p_purchase(model, horizon, [2], [4.0], [9.0])[0] < alive


def test_p_purchase_of_customers_silent_since_joining_matches_a_simulation():
    """Customers with no purchase in (0, T] (x = 0): the share of the simulated ones who buy in (T, T + h]."""
    rng = np.random.default_rng(11)
    n, t, horizon = 400_000, 8.0, 13.0
    lam = rng.gamma(MODEL.r, 1 / MODEL.alpha, n)
    first = rng.exponential(1 / np.maximum(lam, 1e-12))  # no dropout before the first purchase
    silent = first > t
    share = (first[silent] <= t + horizon).mean()
    assert clv.p_purchase(MODEL, horizon, [0], [0.0], [t])[0] == pytest.approx(share, abs=0.004)


def test_p_alive_is_one_without_repeats_and_falls_with_a_long_silence():
    alive = clv.p_alive(MODEL, [0, 3, 3], [0.0, 30.0, 5.0], [30.0, 30.0, 30.0])
    assert alive[0] == 1.0 and alive[1] > alive[2] and 0 < alive[2] < 1


def test_expected_spend_shrinks_towards_the_population_mean():
    model = clv.GammaGamma(p=6.25, q=3.74, gamma=15.44, log_likelihood=0.0, customers=0)
    population = 6.25 * 15.44 / 2.74
    spend = clv.expected_spend(model, [0, 1, 50], [0.0, 100.0, 100.0])
    assert spend[0] == pytest.approx(population)
    assert population < spend[1] < spend[2] < 100  # more purchases = closer to the own mean
    assert spend[1] == pytest.approx(6.25 * (15.44 + 100) / (6.25 + 2.74))


def test_discounted_clv_without_discount_is_purchases_times_spend():
    x, tx, t = np.array([2, 0]), np.array([10.0, 0.0]), np.array([20.0, 5.0])
    value = clv.discounted_clv(MODEL, np.array([50.0, 20.0]), 52, 0.0, 52, x, tx, t)
    assert value == pytest.approx(clv.expected_purchases(MODEL, 52, x, tx, t) * [50, 20])
    assert (clv.discounted_clv(MODEL, np.array([50.0, 20.0]), 52, 0.1, 52, x, tx, t) < value).all()


def test_fits_refuse_data_without_repeat_purchases():
    with pytest.raises(ValueError, match="repeat"):
        clv.fit_bgnbd([0, 0, 0], [0, 0, 0], [5, 6, 7])
    with pytest.raises(ValueError, match="Gamma-Gamma"):
        clv.fit_gamma_gamma([0, 1], [np.nan, 5.0])


def test_grouped_evaluation_is_bit_identical_to_elementwise():
    # the likelihoods and expected purchases evaluate special functions once per distinct value; the result
    # must equal the plain per-customer formula to the last bit (a scalar horizon takes the grouped path,
    # an array horizon the per-customer one)
    from scipy import special

    from crmreport.stats import clv as c
    rng = np.random.default_rng(11)
    x = rng.integers(0, 6, 500).astype(float)
    t = rng.integers(1, 60, 500) / 7
    tx = np.where(x > 0, np.floor(t * 7 * rng.random(500)) / 7, 0.0)
    r, alpha, a, b = 0.8, 4.0, 0.6, 2.5
    with np.errstate(invalid="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(b + x - 1) - (r + x) * np.log(alpha + tx), -np.inf)
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)  # the formula as first written
    a2 = special.gammaln(a + b) + special.gammaln(b + x) - special.gammaln(b) - special.gammaln(a + b + x)
    plain = a1 + a2 + np.logaddexp(-(r + x) * np.log(alpha + t), a4)
    assert np.array_equal(c.bgnbd_log_likelihood((r, alpha, a, b), x, tx, t), plain)
    model = c.BgNbd(r, alpha, a, b, 0.0, len(x))
    grouped = c.expected_purchases(model, 13.0, x, tx, t)
    assert np.array_equal(grouped, c.expected_purchases(model, np.full(len(x), 13.0), x, tx, t))
    assert c.expected_purchases(model, 13.0, x[:0], tx[:0], t[:0]).shape == (0,)
    m = rng.gamma(2.0, 20.0, 500)
    p, q, g = 3.0, 5.0, 15.0
    x, m = x[x > 0], m[x > 0]  # Gamma-Gamma: customers with repeat purchases
    gg = (special.gammaln(p * x + q) - special.gammaln(p * x) - special.gammaln(q) + q * np.log(g)
          + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(g + m * x))
    assert np.array_equal(c.gamma_gamma_log_likelihood((p, q, g), x, m), gg)
