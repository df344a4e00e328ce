"""Campaigns read weekly: how often each reading declares a winner at some look, and when.

A campaign assigns customers week by week (staggered, as agents reach them) and is read every week
for ``weeks`` weeks, each look with all customers assigned so far and the outcomes they have shown
by then (a converter converts 0-3 weeks after assignment). Every look runs three readings of the
conversion rate and of revenue per customer, arm against control, on the cumulative sufficient
statistics:

- ``fixed_final``: the fixed-horizon tests of :mod:`crmreport.stats.abtest` (pooled z, Welch) at
  ``alpha``, read once, at the last look (the honest single reading, and the power to compare with);
- ``fixed``: the same tests at every look, as a report run each period would read them: peeking;
- ``sequential``: the always-valid p-value of :mod:`crmreport.stats.sequential` below ``alpha``
  (tuning = the planned total, the rule of docs/ab-tests.md);
- ``group_sequential``: the same z statistics against the Lan-DeMets O'Brien-Fleming-type
  boundaries of :mod:`crmreport.stats.groupseq`; the information fraction of a look is the share of
  the planned customers' outcome time observed so far (:func:`information`).

Without a difference (A/A) the share of campaigns ever declared significant is the false-positive
rate of the whole campaign: it must stay at or below ``alpha`` for the sequential readings and is
far above it for the fixed one. With a planted lift the script prints, per reading, the share
detected by the last look and the median look of the first detection. ``tests/test_sequential.py``
runs :func:`simulate` with fewer campaigns.

    .venv/bin/python benchmarks/bench_ab_sequential.py [--runs 10000] [--seed 20251001]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from crmreport.stats import abtest, groupseq, sequential

#: customers assigned per arm in each week of the campaign (staggered; none after week 8)
SCHEDULE = (40, 60, 80, 100, 100, 80, 60, 40)
METHODS = ("fixed_final", "fixed", "sequential", "group_sequential")
METRICS = ("conversion_rate", "revenue_per_customer")
#: a converter converts 0 to OUTCOME_WEEKS - 1 weeks after assignment (uniformly)
OUTCOME_WEEKS = 4


def simulate(runs: int = 10_000, weeks: int = 12, rate: float = 0.10, lift: float = 0.0, alpha: float = 0.05,
             seed: int = 20251001, chunk: int = 1000) -> dict[str, dict[str, np.ndarray]]:
    """First look (1-based) at which each reading declares each campaign significant, 0 when never.

    Parameters
    ----------
    runs
        Campaigns simulated.
    weeks
        Weekly looks; customers are assigned by :data:`SCHEDULE` (its length must not exceed ``weeks``).
    rate, lift
        Control's conversion rate and the treatment's absolute lift (0: an A/A campaign).
    alpha
        Level of every reading.

    Returns
    -------
    dict
        ``{metric: {method: first_look}}`` with one integer per campaign.
    """
    rng = np.random.default_rng(seed)
    assigned = np.repeat(np.arange(1, len(SCHEDULE) + 1), SCHEDULE)
    planned = 2 * len(assigned)
    bounds = groupseq.lan_demets_bounds(information(assigned, weeks), alpha)
    parts = [_chunk(rng, min(chunk, runs - start), assigned, weeks, rate, lift, alpha, bounds, planned)
             for start in range(0, runs, chunk)]
    return {metric: {method: np.concatenate([part[metric][method] for part in parts]) for method in METHODS}
            for metric in METRICS}


def information(assigned: np.ndarray, weeks: int) -> np.ndarray:
    """Information fraction of each look: the share of the planned customers' outcome time observed so far.

    A customer assigned in week ``w`` has shown ``min(1, (look - w + 1) / OUTCOME_WEEKS)`` of its outcome
    window by a look, so the fraction reaches 1 when the last customer's window has passed.
    """
    looks = np.arange(1, weeks + 1)[:, None]
    return np.clip((looks - assigned[None, :] + 1) / OUTCOME_WEEKS, 0, 1).mean(axis=1)


def _arm(rng: np.random.Generator, runs: int, assigned: np.ndarray, rate: float) -> dict[str, np.ndarray]:
    shape = (runs, len(assigned))
    converts = rng.random(shape) < rate
    return {"week": assigned + rng.integers(0, OUTCOME_WEEKS, shape), "converts": converts,
            "revenue": np.where(converts, np.round(rng.lognormal(5.0, 0.8, shape), 2), 0.0)}


def _first(declared: np.ndarray) -> np.ndarray:
    """1-based index of the first True per row, 0 when none."""
    return np.where(declared.any(axis=1), declared.argmax(axis=1) + 1, 0)


def _chunk(rng, runs, assigned, weeks, rate, lift, alpha, bounds, planned) -> dict[str, dict[str, np.ndarray]]:
    arms = [_arm(rng, runs, assigned, rate + lift), _arm(rng, runs, assigned, rate)]
    declared = {metric: {method: np.zeros((runs, weeks), dtype=bool) for method in METHODS} for metric in METRICS}
    for look in range(weeks):
        n = float((assigned <= look + 1).sum())
        stats = []
        for arm in arms:
            seen = arm["converts"] & (arm["week"] <= look + 1)
            revenue = np.where(seen, arm["revenue"], 0.0)
            stats.append((seen.sum(axis=1), revenue.sum(axis=1), (revenue**2).sum(axis=1)))
        (x1, y1, yy1), (x0, y0, yy0) = stats
        p1, p0 = x1 / n, x0 / n
        _, p_fixed = abtest.two_proportion_z(x1, n, x0, n)
        rates_se = np.sqrt(p1 * (1 - p1) / n + p0 * (1 - p0) / n)
        welch = abtest.welch(y1 / n, (yy1 - y1**2 / n) / (n - 1), n, y0 / n, (yy0 - y0**2 / n) / (n - 1), n, alpha)
        readings = {"conversion_rate": (p1 - p0, rates_se, p_fixed), "revenue_per_customer": (
            welch["diff"], welch["se"], welch["p_value"])}
        for metric, (diff, se, p) in readings.items():
            with np.errstate(divide="ignore", invalid="ignore"):
                z = np.abs(diff / se)
            declared[metric]["fixed"][:, look] = p < alpha
            declared[metric]["fixed_final"][:, look] = (p < alpha) & (look == weeks - 1)
            declared[metric]["sequential"][:, look] = sequential.always_valid_p(diff, se, 2 * n, alpha,
                                                                                planned) < alpha
            declared[metric]["group_sequential"][:, look] = z >= bounds[look]
    return {metric: {method: _first(values) for method, values in by_method.items()}
            for metric, by_method in declared.items()}


def summary(first_looks: dict[str, dict[str, np.ndarray]]) -> list[tuple[str, str, float, float]]:
    """Per metric and reading: share ever declared, and median first look among those declared (NaN if none)."""
    rows = []
    for metric, by_method in first_looks.items():
        for method, looks in by_method.items():
            hit = looks[looks > 0]
            rows.append((metric, method, float((looks > 0).mean()), float(np.median(hit)) if len(hit) else np.nan))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--lift", type=float, default=0.04, help="planted absolute lift of the conversion rate")
    parser.add_argument("--seed", type=int, default=20251001)
    args = parser.parse_args()
    for lift in (0.0, args.lift):
        started = time.perf_counter()
        rows = summary(simulate(args.runs, lift=lift, seed=args.seed))
        seconds = time.perf_counter() - started
        kind = "A/A (no difference)" if lift == 0 else f"planted lift +{lift:.1%} points on a 10% conversion rate"
        print(f"{kind}: {args.runs:,} campaigns, {sum(SCHEDULE):,} customers per arm over {len(SCHEDULE)} weeks, "
              f"12 weekly looks, alpha 0.05 ({seconds:.1f} s)")
        print(f"  {'metric':<22} {'reading':<17} {'ever significant':>16} {'median first look':>18}")
        for metric, method, share, look in rows:
            print(f"  {metric:<22} {method:<17} {share:>16.4f} {look:>18.1f}")


if __name__ == "__main__":
    main()
