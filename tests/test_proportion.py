"""The Wilson interval with its clamp (crmreport/stats/proportion.py) against statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from crmreport.stats.proportion import wilson_interval


@pytest.mark.parametrize(("k", "n", "alpha"), [(3, 10, 0.05), (47, 120, 0.1), (1, 1, 0.05), (999, 1000, 0.01)])
def test_it_is_the_statsmodels_wilson_interval(k, n, alpha):
    low, high = wilson_interval(k, n, alpha)
    assert (float(low), float(high)) == pytest.approx(proportion_confint(k, n, alpha=alpha, method="wilson"),
                                                      abs=1e-12)


def test_arrays_give_one_interval_per_row_and_no_interval_without_trials():
    low, high = wilson_interval([0, 5, 0], [10, 10, 0], 0.05)
    expected = proportion_confint(np.array([0, 5]), np.array([10, 10]), alpha=0.05, method="wilson")
    assert low[:2] == pytest.approx(np.maximum(expected[0], 0), abs=1e-12)
    assert high[:2] == pytest.approx(expected[1], abs=1e-12)
    assert np.isnan(low[2]) and np.isnan(high[2])


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10_000), st.data())
def test_the_interval_always_holds_its_share(n, data):
    k = data.draw(st.integers(0, n))
    low, high = wilson_interval(k, n)
    assert 0 <= low <= k / n <= high <= 1
