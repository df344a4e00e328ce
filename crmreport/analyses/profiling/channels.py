"""Contact channels: interactions per channel and direction, outbound response rates with Wilson intervals.

Counted in DuckDB over the interactions frame or a dataset's table where it lies (a run's Parquet file),
so a run's millions of interactions never become a pandas frame. A window covers whole days: a
date-time ``t`` is inside when ``start <= t < end + 1 day``.
"""

from __future__ import annotations

import pandas as pd

from ...core.results import result_file
from ...ingest.dataset import Dataset
from ...measures.relations import query, window_sql
from ...settings import Window
from ...stats.proportion import wilson_interval

MIX_COLUMNS = list(result_file("chart_channels").columns)
RESPONSE_COLUMNS = ["channel", "outbound", "responded", "response_rate", "ci_low", "ci_high"]


def check_confidence(confidence: float) -> None:
    """Raise ValueError unless ``confidence`` lies strictly between 0 and 1."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}; use e.g. 0.95")


def interaction_mix(data: Dataset, window: Window) -> pd.DataFrame:
    """Interactions in ``window`` per channel and direction, counted in DuckDB.

    The dataset's interactions are scanned where they lie (:func:`crmreport.measures.relations.query`:
    a run's file is never loaded as a frame); without them the frame is empty. Rows without a channel
    or direction are left out.

    Returns
    -------
    pandas.DataFrame
        ``channel``, ``direction``, ``interactions`` and ``share`` of the counted interactions in the window,
        largest first (ties by channel, then direction).
    """
    if not data.has("interactions"):
        return pd.DataFrame(columns=MIX_COLUMNS)
    counts = query(data, "interactions", f"""
        SELECT channel, direction, COUNT(*) AS interactions FROM {{table}}
        WHERE {window_sql("interaction_time", window)} AND channel IS NOT NULL AND direction IS NOT NULL
        GROUP BY channel, direction""")
    if counts.empty:
        return pd.DataFrame(columns=MIX_COLUMNS)
    counts = counts.astype({"channel": "str", "direction": "str", "interactions": "int64"})
    counts = counts.sort_values(["interactions", "channel", "direction"], ascending=[False, True, True],
                                kind="stable").reset_index(drop=True)
    return counts.assign(share=counts["interactions"] / counts["interactions"].sum())[MIX_COLUMNS]


def outbound_response_rates(data: Dataset, window: Window, confidence: float = 0.95) -> pd.DataFrame:
    """Share of outbound interactions in ``window`` the customer responded to, per channel (counted in DuckDB).

    The dataset's interactions are read as in :func:`interaction_mix`. An empty ``responded`` counts
    as no response (the KPI definition: responded = true); rows without a channel are
    left out.

    Returns
    -------
    pandas.DataFrame
        ``channel``, ``outbound``, ``responded``, ``response_rate`` and the Wilson interval
        ``ci_low``/``ci_high`` at ``confidence``, channels in name order.
    """
    check_confidence(confidence)
    if not data.has("interactions"):
        return pd.DataFrame(columns=RESPONSE_COLUMNS)
    grouped = query(data, "interactions", f"""
        SELECT channel, COUNT(*) AS outbound,
               CAST(COUNT(*) FILTER (WHERE coalesce(TRY_CAST(responded AS BOOLEAN), FALSE)) AS BIGINT) AS responded
        FROM {{table}}
        WHERE {window_sql("interaction_time", window)} AND direction = 'outbound' AND channel IS NOT NULL
        GROUP BY channel""")
    if grouped.empty:
        return pd.DataFrame(columns=RESPONSE_COLUMNS)
    grouped = grouped.astype({"channel": "str", "outbound": "int64", "responded": "int64"})
    grouped = grouped.sort_values("channel", kind="stable").reset_index(drop=True)
    low, high = wilson_interval(grouped["responded"], grouped["outbound"], 1 - confidence)
    return grouped.assign(response_rate=grouped["responded"] / grouped["outbound"], ci_low=low,
                          ci_high=high)[RESPONSE_COLUMNS]


def response_rates_vs_baseline(data: Dataset, window: Window, baseline: Window) -> pd.DataFrame:
    """:func:`outbound_response_rates` of ``window`` with the ``baseline`` rate and the ``change`` per channel.

    Channels without outbound contacts in the baseline get an empty ``response_rate_before``.
    """
    now = outbound_response_rates(data, window)
    before = outbound_response_rates(data, baseline)[["channel", "response_rate"]]
    merged = now.merge(before.rename(columns={"response_rate": "response_rate_before"}), on="channel", how="left")
    return merged.assign(change=merged["response_rate"] - merged["response_rate_before"])
