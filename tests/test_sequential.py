"""The confidence sequence against GrowthBook's gbstats on Hillstrom's e-mail test, invariants, and peeking.

Oracle. gbstats 0.8.0 (the version on PyPI) pins ``pandas<2`` and ``numpy<2``, so it cannot be a
dependency of this project (pandas 3, numpy 2). Two oracles stand in for it:

- ``GBSTATS_HILLSTROM``: the figures gbstats 0.8.0's own ``SequentialTwoSidedTTest`` printed for
  these arms, run once from its wheel installed with ``pip install --no-deps`` beside numpy 2
  (``SequentialConfig(difference_type="absolute")``, control = No E-Mail; its result's ``ci`` and
  ``p_value``), with ``ProportionStatistic(n, sum)`` for visits/conversions and
  ``SampleMeanStatistic(n, sum, sum_squares)`` for spend;
- :func:`gbstats_formulas`: gbstats' code of that class restated line by line (``sequential_rho``,
  the eq. 9 half-width, the eq. 155 e-value) over its variance definitions (``p (1 - p)`` for a
  proportion, the ddof-1 sample variance for a mean), for other inputs and settings.

Data. ``fixtures/hillstrom_arms.csv`` holds the per-arm sufficient statistics of Kevin Hillstrom's
MineThatData E-Mail Analytics challenge (2008; 64,000 customers, three random thirds: Mens e-mail,
Womens e-mail, none; visits, conversions and spend in the two following weeks), summed exactly in
cents from the public CSV (sha256 ff9e5928...2979c). The rates match the published ones (visits
18.28% / 15.14% / 10.62%).
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmreport.stats import abtest as ab
from crmreport.stats import sequential as sq

HERE = Path(__file__).resolve().parent
CONTROL = "No E-Mail"
#: (arm, metric): (difference, ci_low, ci_high, p_value) printed by gbstats 0.8.0 (see the module docstring)
GBSTATS_HILLSTROM = {
    ("Mens E-Mail", "visits"): (0.07658956365153125, 0.06568568505498881, 0.08749344224807368, 2.649448533608116e-109),
    ("Mens E-Mail", "conversions"): (0.006805006519615695, 0.0038394371866489886, 0.0097705758525824,
                                     1.7079534995655916e-11),
    ("Mens E-Mail", "spend"): (0.7698271558945364, 0.30206563672861186, 1.237588675060461, 8.075374032164024e-06),
    ("Womens E-Mail", "visits"): (0.045233106587052985, 0.03481607766271683, 0.05565013551138914,
                                  1.1646540401833723e-41),
    ("Womens E-Mail", "conversions"): (0.003111057511085258, 0.000461513112887741, 0.005760601909282775,
                                       0.007216698235452568),
    ("Womens E-Mail", "spend"): (0.4244122159365966, 0.004647535197626285, 0.844176896675567, 0.04462165849914288),
}
#: the same with sequential_tuning_parameter=20000 and alpha=0.1 (conversions)
GBSTATS_HILLSTROM_TUNED = {
    "Mens E-Mail": (0.004230243155559971, 0.009379769883671419, 3.472009841392127e-11),
    "Womens E-Mail": (0.0008107224398548637, 0.0054113925823156515, 0.004890528525601539),
}
REL = 1e-6


def hillstrom() -> pd.DataFrame:
    return pd.read_csv(HERE / "fixtures" / "hillstrom_arms.csv").set_index("segment")


def comparison(arm: str, metric: str) -> ab.Comparison:
    arms = hillstrom()
    control, treated = arms.loc[CONTROL], arms.loc[arm]
    if metric == "spend":
        return ab.compare_means(ab.Moments(int(control.n), control.spend_sum, control.spend_sum_sq),
                                ab.Moments(int(treated.n), treated.spend_sum, treated.spend_sum_sq))
    return ab.compare_rates(ab.Proportion(int(control.n), int(control[metric])),
                            ab.Proportion(int(treated.n), int(treated[metric])))


def gbstats_formulas(mean_a, var_a, n_a, mean_b, var_b, n_b, alpha=0.05, tuning=5000.0):
    """gbstats' SequentialTwoSidedTTest (absolute difference), restated: (ci_low, ci_high, p_value)."""
    rho = np.sqrt((-2 * np.log(alpha) + np.log(-2 * np.log(alpha) + 1)) / tuning)
    point, variance, n = mean_b - mean_a, var_b / n_b + var_a / n_a, n_a + n_b
    s2 = variance * n
    width = np.sqrt(s2) * np.sqrt(2 * (n * rho**2 + 1) * np.log(np.sqrt(n * rho**2 + 1) / alpha) / (n * rho) ** 2)
    st2 = point**2 * n / variance
    evalue = np.exp(rho**2 * st2 / (2 * (n * rho**2 + 1))) / np.sqrt(n * rho**2 + 1)
    return point - width, point + width, min(1 / evalue, 1)


@pytest.mark.parametrize(("arm", "metric"), list(GBSTATS_HILLSTROM))
def test_hillstrom_equals_gbstats_sequential_two_sided_t_test(arm, metric):
    diff, low, high, p = GBSTATS_HILLSTROM[(arm, metric)]
    result = comparison(arm, metric)
    seq = sq.sequential(result)
    assert result.abs_diff == pytest.approx(diff, rel=REL)
    assert (seq.ci_low, seq.ci_high) == (pytest.approx(low, rel=REL), pytest.approx(high, rel=REL))
    assert seq.p_value == pytest.approx(p, rel=REL)


@pytest.mark.parametrize("arm", list(GBSTATS_HILLSTROM_TUNED))
def test_hillstrom_with_another_tuning_and_level_equals_gbstats(arm):
    low, high, p = GBSTATS_HILLSTROM_TUNED[arm]
    seq = sq.sequential(comparison(arm, "conversions"), alpha=0.1, tuning=20_000)
    assert (seq.ci_low, seq.ci_high, seq.p_value) == (pytest.approx(low, rel=REL), pytest.approx(high, rel=REL),
                                                     pytest.approx(p, rel=REL))


@settings(max_examples=200, deadline=None)
@given(n0=st.integers(20, 200_000), n1=st.integers(20, 200_000), x0=st.floats(0.01, 0.99),
       x1=st.floats(0.01, 0.99), alpha=st.sampled_from([0.01, 0.05, 0.1, 0.2]),
       tuning=st.sampled_from([100.0, 1000.0, 5000.0, 1e5]))
def test_rates_equal_the_gbstats_formulas(n0, n1, x0, x1, alpha, tuning):
    p0, p1 = round(x0 * n0) / n0, round(x1 * n1) / n1
    se = math.sqrt(p0 * (1 - p0) / n0 + p1 * (1 - p1) / n1)  # Comparison.std_error of compare_rates
    width = float(sq.half_width(se, n0 + n1, alpha, tuning))
    p = float(sq.always_valid_p(p1 - p0, se, n0 + n1, alpha, tuning))
    if se == 0:  # no variance in either arm: gbstats returns its default output
        assert math.isnan(width) and math.isnan(p)
        return
    with np.errstate(over="ignore"):
        low, high, expected = gbstats_formulas(p0, p0 * (1 - p0), n0, p1, p1 * (1 - p1), n1, alpha, tuning)
    assert (p1 - p0 - width, p1 - p0 + width) == (pytest.approx(low, rel=1e-9, abs=1e-12),
                                                  pytest.approx(high, rel=1e-9, abs=1e-12))
    assert p == pytest.approx(expected, rel=1e-9, abs=1e-300)


@settings(max_examples=200, deadline=None)
@given(diff=st.floats(-5, 5), se=st.floats(1e-3, 10), n=st.integers(2, 10**7),
       alpha=st.floats(0.001, 0.5), tuning=st.floats(10, 1e6))
def test_p_value_below_alpha_exactly_when_the_sequence_excludes_zero(diff, se, n, alpha, tuning):
    width = float(sq.half_width(se, n, alpha, tuning))
    p = float(sq.always_valid_p(diff, se, n, alpha, tuning))
    assert 0 <= p <= 1
    if abs(abs(diff) - width) > 1e-9 * max(1.0, width):
        assert (p < alpha) == (abs(diff) > width)
    # the sequence is always wider than the fixed-horizon normal interval of the same level
    assert width > ab.z_critical(alpha) * se


@settings(max_examples=200, deadline=None)
@given(diff=st.floats(-5, 5), se=st.floats(1e-3, 10), n=st.integers(2, 10**7),
       factor=st.floats(1, 50), tuning=st.floats(10, 1e6))
def test_adjusted_sequence_excludes_zero_exactly_when_the_adjusted_p_value_is_below_alpha(diff, se, n, factor, tuning):
    # Holm / Bonferroni multiply a p-value by a factor c: the adjusted verdict is p * c < alpha
    alpha = 0.05
    width = float(sq.half_width(se, n, alpha, tuning, factor))
    p = float(sq.always_valid_p(diff, se, n, alpha, tuning))
    if abs(abs(diff) - width) > 1e-9 * max(1.0, width):
        assert (p * factor < alpha) == (abs(diff) > width)
    assert width >= float(sq.half_width(se, n, alpha, tuning)) * (1 - 1e-12)


def test_adjusted_sequence_edge_has_the_adjusted_p_value_alpha_by_hand():
    # at the edge of the widened sequence the e-value is c / alpha (eq. 155), so p * c = alpha
    se, n, tuning, alpha, c = 0.03, 1200, 5000.0, 0.05, 3.0
    rho2 = (-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / tuning
    spread = n * rho2 + 1
    edge = math.sqrt(se**2 * 2 * spread / (n * rho2) * math.log(math.sqrt(spread) * c / alpha))
    assert float(sq.half_width(se, n, alpha, tuning, c)) == pytest.approx(edge, rel=1e-12)
    assert float(sq.always_valid_p(edge, se, n, alpha, tuning)) * c == pytest.approx(alpha, rel=1e-9)


def test_detectable_difference_sits_on_the_boundary_at_the_planned_size():
    se, n_now, n_planned = 0.02, 800, 3000
    unit_sd = se * math.sqrt(n_now)
    detectable = float(sq.detectable_difference(unit_sd, n_planned))
    assert sq.always_valid_p(detectable, unit_sd / math.sqrt(n_planned), n_planned) == pytest.approx(0.05, rel=1e-9)
    assert detectable < float(sq.detectable_difference(unit_sd, n_now))


def test_thin_data_gives_nan_and_bad_settings_raise():
    empty = ab.compare_rates(ab.Proportion(0, 0), ab.Proportion(10, 2))
    assert math.isnan(sq.sequential(empty).p_value) and empty.message == ab.NO_CUSTOMERS
    flat = ab.compare_means(ab.Moments(5, 10.0, 20.0), ab.Moments(5, 10.0, 20.0))
    assert math.isnan(sq.sequential(flat).ci_low)
    with pytest.raises(ValueError, match="sequential_tuning"):
        sq.mixing_rho(0.05, 0)
    with pytest.raises(ValueError, match="alpha"):
        sq.half_width(1.0, 100, alpha=1.5)


def _load_benchmark():
    path = HERE.parent / "benchmarks" / "bench_ab_sequential.py"
    spec = importlib.util.spec_from_file_location("bench_ab_sequential", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_weekly_reading_of_aa_campaigns_holds_alpha_only_with_the_sequential_readings():
    bench = _load_benchmark()
    rates = {(metric, method): share for metric, method, share, _ in
             bench.summary(bench.simulate(runs=3000, seed=20251001))}
    for metric in bench.METRICS:
        assert rates[(metric, "sequential")] <= 0.05
        assert rates[(metric, "group_sequential")] <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / 3000)
        assert rates[(metric, "fixed")] > 0.12  # peeking every week: far above alpha
        assert abs(rates[(metric, "fixed_final")] - 0.05) < 3 * math.sqrt(0.05 * 0.95 / 3000)


def test_a_planted_lift_is_found_by_every_reading_and_first_by_peeking():
    bench = _load_benchmark()
    looks = bench.simulate(runs=2000, lift=0.06, seed=7)["conversion_rate"]
    for method in bench.METHODS:
        assert (looks[method] > 0).mean() > 0.4, method
    assert np.median(looks["fixed"][looks["fixed"] > 0]) <= np.median(looks["sequential"][looks["sequential"] > 0])
