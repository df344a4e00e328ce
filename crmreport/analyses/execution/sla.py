"""Service levels of tickets: first response and resolution against their limits, by priority,
department, category and month; median and 90th-percentile hours with bootstrap intervals.

Tickets in scope are those opened inside the period. A rule is ``met`` when the time taken is within
the limit; ``breached`` when longer, or when there is no response (resolution) and the limit has
passed at ``until``; ``pending`` otherwise (no answer yet, limit not passed). compliance_rate =
met / (met + breached): pending tickets are counted and shown, never rated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...ingest.dataset import Dataset
from ...measures.slaclock import RULES, SlaFigures, sla_figures
from ...settings.execution import ExecutionParams
from ...settings.period import Window
from ...stats.medianboot import quantile_draws

PRIORITIES: tuple[str, ...] = ("urgent", "high", "medium", "low")
SLA_COLUMNS: tuple[str, ...] = ("rule", "tickets", "met", "breached", "pending", "compliance_rate", "median_hours",
                                "p90_hours", "median_low", "median_high", "p90_low", "p90_high")


def ticket_sla(data: Dataset, window: Window, until: pd.Timestamp, settings: ExecutionParams) -> SlaFigures:
    """The service levels of the dataset's tickets opened in ``window``, judged at ``until``, computed on its engine
    (:func:`crmreport.measures.slaclock.sla_figures`): the outcomes' counts per priority, department, category and
    month, and the hours of each group (as they are where the bootstrap resamples them, else as counts)."""
    return sla_figures(data, window, until, settings, largest=RESAMPLE_CELLS // settings.bootstrap)


def bootstrap_quantile(values: np.ndarray, q: float, resamples: int, seed: int,
                       alpha: float = 0.05) -> tuple[float, float, float]:
    """The ``q`` quantile of ``values`` and its percentile-bootstrap interval (NaN when empty)."""
    return bootstrap_quantiles(values, (q,), resamples, seed, alpha)[0]


#: above this many resampled values (tickets x resamples) the bootstrap samples the order statistics directly
RESAMPLE_CELLS = 1 << 22


def bootstrap_quantiles(values: np.ndarray, qs: tuple[float, ...], resamples: int, seed: int, alpha: float = 0.05,
                        cells: int = 1 << 22, max_cells: int = RESAMPLE_CELLS) -> list[tuple[float, float, float]]:
    """Per quantile of ``qs``: the estimate and its percentile-bootstrap interval, from one set of resamples.

    Up to ``max_cells`` resampled values (``len(values) x resamples``) the resamples are drawn as they are:
    the same numbers as :func:`bootstrap_quantile` called once per quantile with the same ``seed``, the
    positions drawn from one generator in blocks of about ``cells`` values, so memory stays bounded while
    the stream of random numbers is unchanged. Above it the cost would grow with tickets x resamples, and
    each resample's quantile is drawn from its exact bootstrap distribution instead
    (:func:`crmreport.stats.medianboot.quantile_draws`): the same interval up to Monte Carlo noise, in time linear
    in the tickets.

    Both paths stay on purpose: the two agree in law, not in numbers (another random stream), so
    drawing order statistics for small samples too would move every published SLA interval of a
    re-run, while resampling large ones would cost tickets x resamples draws.
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    n = len(values)
    if n == 0:
        return [(np.nan, np.nan, np.nan) for _ in qs]
    estimates = [float(np.quantile(values, q)) for q in qs]
    if n < 2:
        return [(estimate, np.nan, np.nan) for estimate in estimates]
    rng = np.random.default_rng(seed)
    if n * resamples > max_cells:
        draws = quantile_draws(np.sort(values), qs, resamples, rng)
    else:
        kind = np.int32 if n < np.iinfo(np.int32).max else np.int64  # the same draws as int64, half the memory
        draws = np.empty((len(qs), resamples))
        rows = max(1, cells // n)
        for first in range(0, resamples, rows):
            block = min(rows, resamples - first)
            sample = values[rng.integers(0, n, (block, n), dtype=kind)]
            draws[:, first:first + block] = np.quantile(sample, list(qs), axis=1)
    bounds = np.quantile(draws, [alpha / 2, 1 - alpha / 2], axis=1)
    return [(estimate, float(low), float(high)) for estimate, low, high in zip(estimates, *bounds, strict=True)]


def _summary(figures: SlaFigures, by: str, value: str, rule: str, settings: ExecutionParams,
             intervals: bool = True) -> dict[str, object]:
    met, breached = (figures.count(by, value, f"{rule}_{outcome}") for outcome in ("met", "breached"))
    hours = figures.hours_in(by, value, rule)
    if intervals:
        median, p90 = bootstrap_quantiles(hours, (0.5, 0.9), settings.bootstrap, settings.seed, settings.alpha)
    else:
        median, p90 = ((float(np.quantile(hours, q)) if len(hours) else np.nan, np.nan, np.nan) for q in (0.5, 0.9))
    return {"rule": rule, "tickets": figures.count(by, value, "tickets"), "met": met, "breached": breached,
            "pending": figures.count(by, value, f"{rule}_pending"),
            "compliance_rate": met / (met + breached) if met + breached else np.nan,
            "median_hours": median[0], "p90_hours": p90[0], "median_low": median[1], "median_high": median[2],
            "p90_low": p90[1], "p90_high": p90[2]}


def sla_compliance(figures: SlaFigures, settings: ExecutionParams, by: str = "priority",
                   intervals: bool = True) -> pd.DataFrame:
    """Per rule, a row for ``all`` tickets and one per value of ``by`` (priorities in urgency order,
    months in time order, others by most tickets). With ``by="priority"`` this is the
    ``sla_compliance.csv`` contract. ``intervals=False`` leaves the bootstrap intervals empty (the
    median and 90th percentile stay): for a view that does not show them, at a fraction of the cost."""
    values = figures.values(by)  # most tickets first, ties in the order of their first ticket
    if by == "priority":
        values = [p for p in PRIORITIES if p in values]
    elif by == "month":
        values = sorted(values)
    rows = []
    for rule in RULES:
        rows.append({by: "all", **_summary(figures, "all", "all", rule, settings, intervals)})
        rows += [{by: value, **_summary(figures, by, value, rule, settings, intervals)} for value in values]
    frame = pd.DataFrame(rows, columns=["rule", by, *SLA_COLUMNS[1:]])
    return frame[["rule", by, *SLA_COLUMNS[1:]]]


def worst_categories(figures: SlaFigures, settings: ExecutionParams, top: int = 5) -> pd.DataFrame:
    """Categories with the lowest first-response compliance among those with at least ``min_worst``
    rated tickets: category, rated, first_response_rate, resolution_rate, median hours to respond."""
    rows = []
    for category in sorted(figures.values("category")):
        met = {rule: figures.count("category", category, f"{rule}_met") for rule in RULES}
        rated = {rule: met[rule] + figures.count("category", category, f"{rule}_breached") for rule in RULES}
        if rated["first_response"] < settings.min_worst:
            continue
        rates = {rule: met[rule] / rated[rule] if rated[rule] else np.nan for rule in RULES}
        rows.append({"category": category, "tickets": figures.count("category", category, "tickets"),
                     "first_response_rate": rates["first_response"], "resolution_rate": rates["resolution"],
                     "median_first_response_hours": pd.Series(
                         figures.hours_in("category", category, "first_response"), dtype=float).median()})
    frame = pd.DataFrame(rows, columns=["category", "tickets", "first_response_rate", "resolution_rate",
                                        "median_first_response_hours"])
    return frame.sort_values(["first_response_rate", "tickets"], ascending=[True, False]).head(top).reset_index(
        drop=True)
