"""Matching key values (customer ids) against a set of keys inside Arrow.

``Series.isin``, ``map`` and ``reindex`` over millions of string ids hash Python objects (on
Arrow-backed strings ``isin`` builds a Python list of the lookup set on every call); here both
sides stay in Arrow (``pyarrow.compute.index_in``). Used from cleaning (orphan ids) up to the KPI
analyses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _arrow(values: pd.Series | pd.Index | np.ndarray | pd.api.extensions.ExtensionArray) -> pa.Array:
    array = pa.array(np.asarray(values, dtype=object) if isinstance(values, np.ndarray) else pd.array(values),
                     from_pandas=True)
    return array.cast(pa.large_string()) if pa.types.is_string(array.type) else array


def positions(values: pd.Series | pd.Index | np.ndarray, keys: pd.Series | pd.Index | np.ndarray) -> np.ndarray:
    """The position in ``keys`` of each of ``values`` (the first when a key repeats), -1 where absent.

    Empty values (None, NaN) never match. Equivalent to ``pd.Index(keys).get_indexer(values)`` for
    unique keys, and to ``values.isin(keys)`` where the result is >= 0.
    """
    if len(values) == 0 or len(keys) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    array, value_set = _arrow(values), _arrow(keys)
    if array.type != value_set.type:
        numeric = all(pa.types.is_integer(a.type) or pa.types.is_floating(a.type) for a in (array, value_set))
        if not numeric:  # text against numbers, or all-empty keys: nothing matches (as with ``isin``)
            return np.full(len(values), -1, dtype=np.int64)
        array, value_set = array.cast(pa.float64()), value_set.cast(pa.float64())
    found = pc.index_in(array, value_set=value_set, skip_nulls=True)
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


def member(values: pd.Series | pd.Index | np.ndarray, keys: pd.Series | pd.Index | np.ndarray) -> np.ndarray:
    """Boolean array: which of ``values`` occur in ``keys`` (``values.isin(keys)`` without hashing objects)."""
    return positions(values, keys) >= 0
