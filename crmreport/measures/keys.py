"""Fast lookups of key columns (customer ids) and of time windows over large tables.

Matching millions of string ids with ``Series.isin``, ``map`` or ``reindex`` hashes Python objects
(or, on Arrow-backed strings, builds a Python list of the lookup set on every call). Here the ids
are matched once, in Arrow (:func:`crmreport.core.matching.positions`), to integer positions that every later
step (group membership, per-customer sums) works on with numpy. Window selection sorts a table's
time column once (cached per frame) and cuts each window out with a binary search, keeping the
rows in table order, so a series of 24 monthly windows costs one pass over the table, not 24.
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd

from ..core.matching import positions
from ..settings import Window

#: per frame (by ``id``, dropped when the frame is): per time column (times sorted ascending as int64, the
#: row positions in that order), and row positions in a key frame (:func:`row_positions`)
_SORTED: dict[int, dict[str, tuple[np.ndarray, np.ndarray]]] = {}


def _cache_of(frame: pd.DataFrame) -> dict:
    key = id(frame)
    if key not in _SORTED:
        _SORTED[key] = {}
        weakref.finalize(frame, _SORTED.pop, key, None)
    return _SORTED[key]


def _sorted_times(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    cache = _cache_of(frame)
    if column not in cache or len(cache[column][1]) != len(frame):  # tables are never changed in place
        times = frame[column].to_numpy(dtype="datetime64[ns]").view("int64")
        order = np.argsort(times, kind="stable")
        cache[column] = (times[order], order)
    return cache[column]


def row_positions(frame: pd.DataFrame, column: str, keys: pd.DataFrame, key_column: str) -> np.ndarray:
    """:func:`positions` of every row's ``column`` in ``keys[key_column]``, computed once per pair of frames
    (cached while both live), so that windows of a large table need no id lookup of their own."""
    cache = _cache_of(frame)
    entry = cache.get(("positions", column, id(keys), key_column))
    if entry is None or entry[0]() is not keys or len(entry[1]) != len(frame):
        entry = (weakref.ref(keys), positions(frame[column], keys[key_column]))
        cache["positions", column, id(keys), key_column] = entry
    return entry[1]


def window_positions(frame: pd.DataFrame, column: str, window: Window) -> np.ndarray:
    """Row positions (ascending) of ``frame`` whose ``column`` lies in ``window`` (``start <= t < end + 1 day``).

    The same rows, in the same order, as :func:`crmreport.measures.scores.in_window`; empty times
    are never inside. The first call per frame and column sorts the column (cached while the frame lives).
    """
    times, order = _sorted_times(frame, column)
    start = pd.Timestamp(window.start).as_unit("ns").value
    stop = pd.Timestamp(window.stop).as_unit("ns").value
    low, high = np.searchsorted(times, [start, stop], side="left")
    if (high - low) * 32 < len(order):
        return np.sort(order[low:high])
    inside = np.zeros(len(order), dtype=bool)  # a large window: marking rows beats sorting them
    inside[order[low:high]] = True
    return np.flatnonzero(inside)


def window_rows(frame: pd.DataFrame, column: str, window: Window, columns: list[str] | None = None) -> pd.DataFrame:
    """``columns`` (default all) of the rows of ``frame`` inside ``window``, in table order, with a fresh index.

    Like ``in_window(frame, column, window)[columns]`` (which keeps the original index).
    """
    part = frame if columns is None else frame[columns]
    return part.take(window_positions(frame, column, window)).reset_index(drop=True)
