"""SRM, multiple-testing adjustment and heterogeneity against scipy/statsmodels and hand implementations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.stats.multitest import multipletests

from crmreport.stats import abchecks
from crmreport.stats import abtest as ab

TIGHT = {"rel": 1e-9, "abs": 1e-12}


@pytest.mark.parametrize(("counts", "shares"), [([398, 398, 398], None), ([500, 430], None),
                                                 ([700, 290], [0.7, 0.3]), ([60, 25, 15], [6, 3, 1])])
def test_srm_p_value_equals_the_chi_square_by_hand(counts, shares):
    observed = np.array(counts, dtype=float)
    planned = np.ones(len(counts)) if shares is None else np.array(shares, dtype=float)
    expected = planned / planned.sum() * observed.sum()
    chi2 = ((observed - expected) ** 2 / expected).sum()
    expected_p = stats.chi2.sf(chi2, len(counts) - 1)
    assert abchecks.sample_ratio_mismatch(counts, shares) == pytest.approx(expected_p, **TIGHT)


def test_srm_edge_cases():
    assert math.isnan(abchecks.sample_ratio_mismatch([100]))
    assert math.isnan(abchecks.sample_ratio_mismatch([0, 0]))
    assert abchecks.sample_ratio_mismatch([10, 5], [1, 0]) == 0.0  # customers in an arm that was planned empty
    assert abchecks.sample_ratio_mismatch([10, 0], [1, 0]) == 1.0
    with pytest.raises(ValueError, match="planned split"):
        abchecks.sample_ratio_mismatch([10, 5], [1, -1])


def _holm(p: list[float]) -> list[float]:
    order = np.argsort(p)
    m, out, running = len(p), np.empty(len(p)), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out.tolist()


def _bh(p: list[float]) -> list[float]:
    order = np.argsort(p)[::-1]
    m, out, running = len(p), np.empty(len(p)), 1.0
    for k, i in enumerate(order):
        running = min(running, p[i] * m / (m - k))
        out[i] = running
    return out.tolist()


@pytest.mark.parametrize("p", [[0.01, 0.04, 0.03, 0.2, 0.005, 0.5], [0.3, 0.3, 0.01, 0.02], [0.9], [0.04, 0.04]])
def test_holm_and_bh_equal_statsmodels_and_hand_implementations(p):
    for method, hand, name in (("holm", _holm, "holm"), ("bh", _bh, "fdr_bh")):
        adjusted = abchecks.adjust_p_values(p, method).tolist()
        assert adjusted == pytest.approx(multipletests(p, method=name)[1].tolist(), **TIGHT)
        assert adjusted == pytest.approx(hand(p), **TIGHT)


def test_adjustment_skips_nan_and_rejects_unknown_methods():
    p = [0.01, 0.04, 0.03]
    with_nan = abchecks.adjust_p_values([0.01, float("nan"), 0.04], "holm")
    assert math.isnan(with_nan[1]) and with_nan[[0, 2]].tolist() == pytest.approx(_holm([0.01, 0.04]))
    assert abchecks.adjust_p_values([], "holm").size == 0
    with pytest.raises(ValueError, match="holm, bh"):
        abchecks.adjust_p_values(p, "bonferroni")


def test_heterogeneity_equals_statsmodels_meta_analysis():
    effects, variances = np.array([0.1, 0.3, -0.1, 0.05]), np.array([0.01, 0.02, 0.015, 0.004])
    result = abchecks.heterogeneity(effects, variances)
    expected = combine_effects(effects, variances)
    homogeneity = expected.test_homogeneity()
    assert result.q == pytest.approx(expected.q, **TIGHT)
    assert result.p_value == pytest.approx(homogeneity.pvalue, **TIGHT)
    assert (result.df, result.segments) == (homogeneity.df, 4)
    assert result.i2 == pytest.approx(expected.i2, **TIGHT)
    thin = abchecks.heterogeneity([0.1, 0.2], [0.01, float("nan")])
    assert (thin.segments, thin.message) == (1, ab.SINGLE_SEGMENT) and math.isnan(thin.p_value)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=40))
def test_adjusted_p_values_are_at_least_the_raw_ones(values):
    p = np.array(values)
    for method in ("holm", "bh"):
        adjusted = abchecks.adjust_p_values(p, method)
        assert ((adjusted >= p - 1e-15) & (adjusted <= 1)).all()
