"""Voice of the customer: NPS, score distributions, complaints, tickets and need tags.

Every function is pure: it reads validated frames (or a :class:`~crmreport.ingest.dataset.Dataset`) and a
:class:`~crmreport.settings.period.Window` and returns a tidy frame. A window covers whole days: a
date-time ``t`` is inside when ``start <= t < end + 1 day``. A missing table or a window without
rows gives an empty frame with the documented columns, never an error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import norm

from ...core.results import result_file
from ...ingest.dataset import Dataset
from ...measures.relations import query, window_sql
from ...measures.scores import CSAT_TOP2_MIN, DETRACTOR_MAX, PROMOTER_MIN, in_window
from ...settings import Window
from .channels import check_confidence
from .checks import WHITESPACE

log = logging.getLogger("crmreport")

#: the possible answers of each survey score
SCALES: dict[str, tuple[int, ...]] = {"csat": tuple(range(1, 6)), "nps": tuple(range(0, 11))}
#: fewer NPS answers than this carry the ``insufficient_data`` message
MIN_RESPONSES = 30
INSUFFICIENT_DATA = "insufficient_data"
VOICE_METRICS: tuple[str, ...] = ("csat_mean", "csat_top2_share", "nps", "complaints", "responses")

DISTRIBUTION_COLUMNS = ["score", "responses", "share"]
SUMMARY_COLUMNS = list(result_file("voice_summary").columns)
CATEGORY_COLUMNS = list(result_file("chart_tickets_by_category").columns)
TAG_COLUMNS = list(result_file("chart_need_tags").columns)


@dataclass(frozen=True)
class NpsResult:
    """Net promoter score of a set of 0-10 answers; ``nps``, ``ci_low`` and ``ci_high`` in points (-100..100)."""

    n: int
    promoters: int
    passives: int
    detractors: int
    nps: float
    ci_low: float
    ci_high: float
    message: str | None = None


def nps(scores: pd.Series, confidence: float = 0.95) -> NpsResult:
    """Net promoter score with a normal-approximation confidence interval.

    Parameters
    ----------
    scores
        Answers 0-10; empty values are ignored.
    confidence
        Coverage of the interval.

    Returns
    -------
    NpsResult
        Promoters answer 9-10, detractors 0-6, passives 7-8. ``nps = 100 * (p+ - p-)``; the
        interval is ``nps +- z * 100 * sqrt((p+ + p- - (p+ - p-)^2) / n)`` (multinomial variance of
        the difference of two shares), clipped to [-100, 100]. ``message`` is ``insufficient_data``
        when fewer than :data:`MIN_RESPONSES` answers; values are NaN when there are none.

    Raises
    ------
    ValueError
        When a score lies outside 0-10 or ``confidence`` outside (0, 1).
    """
    check_confidence(confidence)
    values = pd.to_numeric(scores, errors="raise").dropna().to_numpy(dtype=float)
    bad = values[(values < 0) | (values > 10)]
    if bad.size:
        raise ValueError(f"NPS scores must lie in 0-10; got {sorted(set(bad.tolist()))[:5]}")
    n = int(values.size)
    promoters = int((values >= PROMOTER_MIN).sum())
    detractors = int((values <= DETRACTOR_MAX).sum())
    message = INSUFFICIENT_DATA if n < MIN_RESPONSES else None
    if n == 0:
        return NpsResult(0, 0, 0, 0, np.nan, np.nan, np.nan, message)
    p_plus, p_minus = promoters / n, detractors / n
    diff = p_plus - p_minus
    half = norm.ppf(0.5 + confidence / 2) * np.sqrt(max(p_plus + p_minus - diff**2, 0.0) / n)
    return NpsResult(n, promoters, n - promoters - detractors, detractors, 100 * diff,
                     100 * max(diff - half, -1.0), 100 * min(diff + half, 1.0), message)


def score_distribution(surveys: pd.DataFrame | None, column: Literal["csat", "nps"],
                       window: Window) -> pd.DataFrame:
    """Answers per possible score of ``column`` among the survey responses in ``window``.

    Returns
    -------
    pandas.DataFrame
        ``score`` (every score of the scale, zero counts included), ``responses`` and ``share``
        of the non-empty answers; empty when there are none.
    """
    if column not in SCALES:
        raise ValueError(f"score column must be one of {', '.join(SCALES)}, got {column!r}")
    if surveys is None:
        return pd.DataFrame(columns=DISTRIBUTION_COLUMNS)
    answers = in_window(surveys, "response_time", window)[column].dropna().astype("int64")
    if answers.empty:
        return pd.DataFrame(columns=DISTRIBUTION_COLUMNS)
    counts = answers.value_counts().reindex(SCALES[column], fill_value=0)
    return pd.DataFrame({"score": list(SCALES[column]), "responses": counts.to_numpy(dtype="int64"),
                         "share": counts.to_numpy() / counts.sum()})


def _complaints(data: Dataset, window: Window) -> float:
    if data.has("interactions"):
        table, column, kind = "interactions", "interaction_time", "interaction_type"
    else:
        table, column, kind = "tickets", "opened_at", "category"
    counted = query(data, table, f"SELECT COUNT(*) AS n FROM {{table}} WHERE {window_sql(column, window)} "
                                  f"AND {kind} = 'complaint'")
    return float(counted["n"].iloc[0])


def _voice_values(data: Dataset, window: Window) -> tuple[dict[str, float], NpsResult]:
    """The voice metrics of ``window`` and its NPS with the interval (no answers without surveys)."""
    values: dict[str, float] = {}
    score = nps(pd.Series([], dtype=float))
    if data.has("surveys"):
        inside = in_window(data.tables["surveys"], "response_time", window)
        csat = inside["csat"].dropna().astype(float)
        values["csat_mean"] = float(csat.mean()) if len(csat) else np.nan
        values["csat_top2_share"] = float((csat >= CSAT_TOP2_MIN).mean()) if len(csat) else np.nan
        score = nps(inside["nps"])
        values["nps"] = score.nps
        values["responses"] = float(len(inside))
    if data.has("interactions") or data.has("tickets"):
        values["complaints"] = _complaints(data, window)
    return values, score


def _direction(change: float) -> str | None:
    if np.isnan(change):
        return None
    return "up" if change > 0 else "down" if change < 0 else "flat"


@dataclass(frozen=True)
class Voice:
    """The voice of the customer of a period: :func:`voice_summary`'s table and the period's NPS behind its row."""

    summary: pd.DataFrame
    nps: NpsResult


def voice_of_customer(data: Dataset, window: Window, baseline: Window) -> Voice:
    """:func:`voice_summary` and the NPS of ``window`` (with its interval) it reports, computed once."""
    (before, _), (after, score) = _voice_values(data, baseline), _voice_values(data, window)
    rows = [{"metric": metric, "before": before[metric], "after": after[metric],
             "change": after[metric] - before[metric]} for metric in VOICE_METRICS if metric in after]
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS[:-1])
    return Voice(frame.assign(direction=[_direction(c) for c in frame["change"]])[SUMMARY_COLUMNS], score)


def voice_summary(data: Dataset, window: Window, baseline: Window) -> pd.DataFrame:
    """Voice-of-the-customer KPIs before (``baseline``) and after (``window``).

    Metrics: ``csat_mean`` (mean CSAT 1-5), ``csat_top2_share`` (share of CSAT answers 4-5),
    ``nps`` (points), ``responses`` (survey responses received) and ``complaints``: interactions
    with ``interaction_type == 'complaint'`` when the interactions table is provided, else tickets
    with ``category == 'complaint'`` opened in the window. A metric whose table is missing has no row.

    Returns
    -------
    pandas.DataFrame
        ``metric``, ``before``, ``after``, ``change`` (after - before) and ``direction``
        ('up', 'down', 'flat'; missing when either side is NaN), in the order of :data:`VOICE_METRICS`.
    """
    return voice_of_customer(data, window, baseline).summary


def _shares(counts: pd.Series, names: list[str], total: float | None = None) -> pd.DataFrame:
    """Counts sorted descending (ties by name) with their share of ``total`` (default: their sum)."""
    frame = counts.rename_axis(names[0]).reset_index(name=names[1])
    frame = frame.sort_values([names[1], names[0]], ascending=[False, True], kind="stable").reset_index(drop=True)
    denominator = frame[names[1]].sum() if total is None else total
    return frame.assign(share=frame[names[1]] / denominator)[names + ["share"]]


def tickets_by_category(data: Dataset, window: Window) -> pd.DataFrame:
    """Tickets opened in ``window`` per category, each ticket counted as one customer complaint or issue.

    Tickets without a category are left out; 'complaint' is one category among the others.

    Returns
    -------
    pandas.DataFrame
        ``category``, ``tickets`` and ``share`` of the categorised tickets, largest first.
    """
    if not data.has("tickets"):
        return pd.DataFrame(columns=CATEGORY_COLUMNS)
    counts = query(data, "tickets", f"""
        SELECT trim(category, '{WHITESPACE}') AS category, COUNT(*) AS tickets FROM {{table}}
        WHERE {window_sql("opened_at", window)} AND category IS NOT NULL GROUP BY 1""")
    counts = counts[counts["category"] != ""]
    if counts.empty:
        return pd.DataFrame(columns=CATEGORY_COLUMNS)
    return _shares(pd.Series(counts["tickets"].to_numpy(dtype="int64"), index=counts["category"].astype("str")),
                   ["category", "tickets"])


def need_tag_frequencies(customers: pd.DataFrame | None) -> pd.DataFrame:
    """How many customers carry each need tag (``need_tags`` split on ';', stripped, empty tags dropped).

    Returns
    -------
    pandas.DataFrame
        ``tag``, ``customers`` (customers with the tag; a tag repeated by one customer counts once)
        and ``share`` of all customers in the table, largest first.
    """
    if customers is None or customers.empty:
        return pd.DataFrame(columns=TAG_COLUMNS)
    tags = customers["need_tags"].reset_index(drop=True).str.split(";").explode().str.strip()
    tags = tags[tags.notna() & (tags != "")]
    if tags.empty:
        return pd.DataFrame(columns=TAG_COLUMNS)
    per_customer = tags.reset_index().drop_duplicates()["need_tags"]
    return _shares(per_customer.value_counts(), ["tag", "customers"], total=len(customers))


def score_shares(scores: pd.DataFrame) -> dict[str, float]:
    """From :func:`score_distribution` frames (``question`` csat/nps): CSAT top-2-box share and NPS group shares."""
    csat = scores[scores["question"] == "csat"]
    nps_scores = scores[scores["question"] == "nps"]

    def share(frame: pd.DataFrame, low: int, high: int) -> float:
        total = frame["responses"].sum()
        return float(frame.loc[frame["score"].between(low, high), "responses"].sum() / total) if total else np.nan

    return {"top2": share(csat, 4, 5), "promoters": share(nps_scores, 9, 10), "detractors": share(nps_scores, 0, 6)}
