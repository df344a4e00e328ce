"""The DiD from sums against statsmodels' OLS with cluster-robust covariance (the oracle)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from crmreport.stats.didcluster import did_cluster


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_did_cluster_matches_statsmodels(seed):
    rng = np.random.default_rng(seed)
    n = 3000
    customer = rng.integers(0, 700, n)
    treated = (customer % 3 == 0)
    after = rng.random(n) < 0.5
    effect = rng.normal(size=700)[customer]
    y = 2.0 + 0.5 * treated + 0.3 * after + 0.7 * (treated & after) + effect + rng.normal(size=n)
    design = np.column_stack([np.ones(n), treated, after, treated & after]).astype(float)
    fit = sm.OLS(y, design).fit(cov_type="cluster", cov_kwds={"groups": customer})
    estimate, low, high, p_value = did_cluster(y, treated, after, customer, 0.05)
    assert estimate == pytest.approx(fit.params[3], rel=1e-9)
    assert (low, high) == pytest.approx(tuple(fit.conf_int(0.05)[3]), rel=1e-9)
    assert p_value == pytest.approx(fit.pvalues[3], rel=1e-7)
    assert did_cluster(y, treated, after, customer.astype(str), 0.1)[0] == pytest.approx(estimate, rel=1e-12)
