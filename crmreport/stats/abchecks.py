"""Checks around the A/B comparisons: sample ratio mismatch, multiple-testing adjustment, heterogeneity.

Pure functions over counts, p-values and per-segment effects, like :mod:`crmreport.stats.abtest`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests

from .abtest import SINGLE_SEGMENT

NAN = float("nan")
CORRECTIONS = {"holm": "holm", "bh": "fdr_bh"}


@dataclass(frozen=True)
class Heterogeneity:
    """Cochran's Q test that an effect is the same in every segment."""

    segments: int
    q: float
    df: int
    p_value: float
    i2: float
    message: str | None = None


def sample_ratio_mismatch(counts: Sequence[int], shares: Sequence[float] | None = None) -> float:
    """Chi-square goodness-of-fit p-value of the arm sizes against the planned split (default: equal).

    NaN for fewer than two arms or no customers. ``shares`` are normalised to sum to 1.
    """
    observed = np.asarray(counts, dtype=float)
    planned = np.ones(len(observed)) if shares is None else np.asarray(shares, dtype=float)
    if planned.shape != observed.shape or (planned < 0).any() or (observed < 0).any():
        raise ValueError(f"the planned split {list(planned)} must give one share >= 0 per arm {list(observed)}")
    if len(observed) < 2 or observed.sum() == 0:
        return NAN
    if planned.sum() <= 0:
        raise ValueError("the planned split must have a positive share for at least one arm")
    expected = planned / planned.sum() * observed.sum()
    if ((expected == 0) & (observed > 0)).any():
        return 0.0
    keep = expected > 0
    if keep.sum() < 2:  # every customer sits in the one planned arm, as planned
        return 1.0
    return float(stats.chisquare(observed[keep], expected[keep]).pvalue)


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment: ``max over j <= i of min(1, (m - j) p_(j))`` in ascending order.

    Equal to statsmodels ``multipletests(method="holm")``, which calls ``gc.collect()`` on every
    call (50 ms or more in a notebook); written out here so a report with many families stays fast.
    """
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    m = len(p)
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(np.maximum.accumulate((m - np.arange(m)) * p[order]), 1.0)
    return adjusted


def adjust_p_values(p_values: Sequence[float], method: str = "holm") -> np.ndarray:
    """Family-wise (``holm``) or false-discovery-rate (``bh``, Benjamini-Hochberg) adjusted p-values.

    NaN p-values (tests that could not run) stay NaN and do not count in the family.
    """
    if method not in CORRECTIONS:
        raise ValueError(f"correction must be one of {', '.join(CORRECTIONS)}, got {method!r}")
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = holm(p[ok]) if method == "holm" else multipletests(p[ok], method=CORRECTIONS[method])[1]
    return out


def heterogeneity(effects: Sequence[float], variances: Sequence[float]) -> Heterogeneity:
    """Cochran's Q test of equal effects across segments (inverse-variance weights), with I^2.

    ``Q = sum w_i (d_i - d_bar)^2`` with ``w_i = 1 / var_i``, ``d_bar`` the weighted mean; ``Q ~
    chi2(k - 1)`` under equal effects; ``I^2 = max(0, (Q - df) / Q)``. Segments with a missing or
    zero variance are left out; fewer than two left give ``single_segment``.
    """
    d, v = np.asarray(effects, dtype=float), np.asarray(variances, dtype=float)
    keep = np.isfinite(d) & np.isfinite(v) & (v > 0)
    d, v = d[keep], v[keep]
    k = int(keep.sum())
    if k < 2:
        return Heterogeneity(k, NAN, max(k - 1, 0), NAN, NAN, SINGLE_SEGMENT)
    w = 1 / v
    q = float(w @ (d - (w @ d) / w.sum()) ** 2)
    i2 = max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0
    return Heterogeneity(k, q, k - 1, float(stats.chi2.sf(q, k - 1)), i2)
