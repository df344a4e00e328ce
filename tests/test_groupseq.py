"""Lan-DeMets O'Brien-Fleming-type boundaries against published values and an exact multivariate-normal oracle.

Published two-sided boundaries at alpha 0.05 for equally spaced looks with the O'Brien-Fleming-type
spending function ``4 (1 - Phi(z_{1-alpha/4} / sqrt(t)))``:

- 5 looks: 4.877, 3.357, 2.680, 2.290, 2.031 (DeMets and Lan 1994, "Interim analysis: the alpha
  spending function approach", Statistics in Medicine 13; what R's ldbounds and gsDesign's
  ``sfLDOF`` print);
- 3 looks: 3.710, 2.511, 1.993, and 2 looks: 2.963, 1.969 (gsDesign ``sfLDOF``, two-sided symmetric).

The second test checks every boundary independently: the crossing probabilities computed from the
multivariate normal distribution of the looks' z statistics equal the spending function.

(3.471, 2.454, 2.004 are the *classical* O'Brien-Fleming boundaries of 1979 for three looks,
``2.004 sqrt(3 / k)``, not the spending-function version; they spend alpha differently.)
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from crmreport.stats import groupseq as gs

PUBLISHED = {
    2: (2.963, 1.969),
    3: (3.710, 2.511, 1.993),
    5: (4.877, 3.357, 2.680, 2.290, 2.031),
}


@pytest.mark.parametrize("looks", sorted(PUBLISHED))
def test_equally_spaced_boundaries_equal_the_published_values(looks):
    bounds = gs.lan_demets_bounds(np.arange(1, looks + 1) / looks, alpha=0.05)
    assert np.round(bounds, 3).tolist() == list(PUBLISHED[looks])


def _crossing_by(bounds: np.ndarray, t: np.ndarray) -> np.ndarray:
    """P(|Z_j| >= b_j for some j <= k) under no difference, from the multivariate normal of the z's."""
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    out = []
    for k in range(1, len(t) + 1):
        inside = stats.multivariate_normal(np.zeros(k), cov[:k, :k]).cdf(bounds[:k], lower_limit=-bounds[:k])
        out.append(1 - inside)
    return np.array(out)


@pytest.mark.parametrize("t", [(0.3, 0.55, 1.0), (0.1, 0.25, 0.5, 0.8, 1.0), (0.45, 1.0)])
def test_unequal_looks_spend_exactly_the_spending_function(t):
    # oracle: scipy's multivariate normal (Genz) on the z statistics' correlation sqrt(t_i / t_j)
    t = np.array(t)
    bounds = gs.lan_demets_bounds(t, alpha=0.05)
    np.testing.assert_allclose(_crossing_by(bounds, t), gs.obrien_fleming_spending(t, 0.05), atol=2e-5)


def test_spending_function_and_edges():
    assert gs.obrien_fleming_spending([1.0], 0.05)[0] == pytest.approx(0.05, rel=1e-12)
    assert gs.obrien_fleming_spending([0.0], 0.05)[0] == 0
    # one look at the full size is the fixed-horizon test
    assert gs.lan_demets_bounds([1.0])[0] == pytest.approx(stats.norm.isf(0.025), rel=1e-9)
    # more customers than planned count as the planned size; a look without new information repeats
    bounds = gs.lan_demets_bounds([0.2, 0.2, 0.6, 1.3])
    assert bounds[0] == bounds[1] and bounds[3] == pytest.approx(gs.lan_demets_bounds([0.2, 0.6, 1.0])[2])
    # a very early look may spend nothing: no finite boundary
    assert np.isinf(gs.lan_demets_bounds([0.01, 1.0])[0])
    for bad in ([], [0.0, 0.5], [0.6, 0.4]):
        with pytest.raises(ValueError, match="information fractions"):
            gs.lan_demets_bounds(bad)
