"""Id lookups and window cuts of crmreport.measures.keys against plain pandas on small frames."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from crmreport.analyses.segments.clusters import FIT_SAMPLE, fit_sample
from crmreport.core.matching import member, positions
from crmreport.measures.keys import window_positions, window_rows
from crmreport.measures.scores import in_window, window_mask
from crmreport.settings import Window


@pytest.mark.parametrize("dtype", ["str", object])
def test_positions_match_get_indexer_and_isin(dtype):
    rng = np.random.default_rng(3)
    keys = pd.Series([f"C{i:04d}" for i in rng.permutation(50)], dtype=dtype)
    values = pd.Series([f"C{i:04d}" for i in rng.integers(0, 80, 400)] + [None], dtype=dtype)
    expected = pd.Index(keys.astype(object)).get_indexer(values.astype(object))
    expected[values.isna().to_numpy()] = -1
    assert (positions(values, keys) == expected).all()
    assert (member(values, keys) == values.isin(keys).to_numpy()).all()


def test_positions_of_repeated_keys_point_at_the_first():
    assert positions(pd.Series(["b", "a", "z"]), pd.Series(["a", "b", "a", "b"])).tolist() == [1, 0, -1]


def test_positions_never_match_across_types_or_against_nothing():
    assert positions(pd.Series(["1", "2"]), pd.Series([1, 2])).tolist() == [-1, -1]
    assert positions(pd.Series(["a"]), pd.Series([], dtype=object)).tolist() == [-1]
    assert positions(pd.Series([], dtype="str"), pd.Series(["a"])).tolist() == []
    assert positions(pd.Series([1, 2, 3]), pd.Series([3.0, 1.0])).tolist() == [1, -1, 0]


def test_window_rows_are_in_window_in_table_order():
    rng = np.random.default_rng(5)
    times = pd.Series(pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 400 * 24, 1000), unit="h"))
    times[rng.integers(0, 1000, 30)] = pd.NaT
    frame = pd.DataFrame({"t": times, "x": np.arange(1000), "y": rng.normal(size=1000)})
    for window in (Window(start=date(2025, 3, 1), end=date(2025, 3, 31)),
                   Window(start=date(2025, 1, 1), end=date(2025, 1, 1)),
                   Window(start=date(2027, 1, 1), end=date(2027, 2, 1))):
        expected = in_window(frame, "t", window)
        assert window_positions(frame, "t", window).tolist() == expected.index.tolist()
        pd.testing.assert_frame_equal(window_rows(frame, "t", window, ["x", "y"]),
                                      expected[["x", "y"]].reset_index(drop=True))


def test_window_cache_follows_a_new_frame_of_another_length():
    window = Window(start=date(2025, 1, 1), end=date(2025, 1, 31))
    first = pd.DataFrame({"t": pd.to_datetime(["2025-01-05", "2025-02-05"])})
    assert window_positions(first, "t", window).tolist() == [0]
    second = pd.DataFrame({"t": pd.to_datetime(["2024-12-31 00:00", "2025-01-31 23:00", "2025-01-02 00:00"])})
    assert window_positions(second, "t", window).tolist() == [1, 2]


def test_fit_sample_is_seeded_sorted_distinct_and_only_beyond_the_limit():
    assert fit_sample(FIT_SAMPLE, 7) is None
    rows = fit_sample(FIT_SAMPLE * 3, 7)
    assert len(rows) == FIT_SAMPLE == len(np.unique(rows)) and (np.diff(rows) > 0).all()
    assert rows.max() < FIT_SAMPLE * 3 and (rows == fit_sample(FIT_SAMPLE * 3, 7)).all()
    assert not (rows == fit_sample(FIT_SAMPLE * 3, 8)).all()


def test_the_window_covers_whole_days_for_date_times_dates_and_text():
    window = Window(start=date(2025, 7, 1), end=date(2025, 9, 30))
    edges = ["2025-06-30 23:59:59", "2025-07-01 00:00:00", "2025-09-30 23:59:59", "2025-10-01 00:00:00", None]
    expected = [False, True, True, False, False]
    assert window_mask(pd.Series(edges), window).tolist() == expected  # text, read as date-times
    assert window_mask(pd.to_datetime(pd.Series(edges)), window).tolist() == expected
    days = pd.Series([date(2025, 6, 30), date(2025, 7, 1), date(2025, 9, 30), date(2025, 10, 1)])
    assert window_mask(days, window).tolist() == [False, True, True, False]
