"""Reading numbers and dates under declared conventions (crmreport/ingest/values.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmreport.ingest.values import map_distinct, suggested_formats, to_datetime, to_number


def dates(*values: str, fmt: str | None = None, timezone: str = "Asia/Shanghai"):
    series = pd.Series(list(values), dtype="str")
    return to_datetime(series, series, fmt, timezone)


def test_day_first_proved_by_the_column_reads_every_value_day_first():
    parsed = dates("01/07/2025", "13/07/2025")
    assert parsed.values.tolist() == [pd.Timestamp("2025-07-01"), pd.Timestamp("2025-07-13")]
    assert not parsed.bad.any()


def test_ambiguous_day_month_is_an_error_asking_for_date_format():
    parsed = dates("01-10-2023", "2023-10-02")
    assert parsed.bad.tolist() == [True, False]
    assert "ambiguous" in parsed.reason[0] and "date_format" in parsed.reason[1] and "%d-%m-%Y" in parsed.reason[1]


def test_mixed_orders_are_an_error():
    parsed = dates("13/07/2025", "07/13/2025")
    assert parsed.bad.all() and "mix" in parsed.reason[0]


def test_date_format_is_applied_strictly():
    parsed = dates("01/07/2025", "2025-07-02", fmt="%d/%m/%Y")
    assert parsed.values.iloc[0] == pd.Timestamp("2025-07-01") and parsed.bad.tolist() == [False, True]


def test_aware_times_are_converted_to_the_report_time_zone_and_stored_naive():
    parsed = dates("2025-07-01T10:00:00.123Z", "2025-07-01T10:00:00+02:00", "2025-07-01 10:00:00")
    assert parsed.values.tolist() == [pd.Timestamp("2025-07-01 18:00:00.123"), pd.Timestamp("2025-07-01 16:00:00"),
                                      pd.Timestamp("2025-07-01 10:00:00")]
    assert str(parsed.values.dtype) == "datetime64[ns]"
    assert dates("2025-07-01T10:00:00Z", timezone="UTC").values.iloc[0] == pd.Timestamp("2025-07-01 10:00")


@pytest.mark.parametrize("placeholder", ["9999-12-31", "0001-01-01", "1066-10-14", "9999-12-31 23:59:59"])
def test_placeholder_dates_are_read_as_empty(placeholder):
    parsed = dates(placeholder, "2025-07-01")
    assert pd.isna(parsed.values.iloc[0]) and parsed.emptied.tolist() == [True, False] and not parsed.bad.any()


def test_placeholder_dates_in_datetime_cells():
    series = pd.Series(pd.to_datetime(["9999-12-31", "2025-07-01"]).astype("datetime64[us]"))
    parsed = to_datetime(series, series, None, "Asia/Shanghai")
    assert pd.isna(parsed.values.iloc[0]) and parsed.emptied.tolist() == [True, False]


def test_chinese_and_dotted_dates():
    assert dates("2025年7月3日", "2025.07.03", "2025/7/3 10:00").values.tolist() == [
        pd.Timestamp("2025-07-03"), pd.Timestamp("2025-07-03"), pd.Timestamp("2025-07-03 10:00")]


def test_suggested_formats_follow_the_example():
    assert suggested_formats("01-10-2023 14:50:45") == ("%d-%m-%Y %H:%M:%S", "%m-%d-%Y %H:%M:%S")
    assert suggested_formats("01/07/2025") == ("%d/%m/%Y", "%m/%d/%Y")


@pytest.mark.parametrize(("text", "decimal", "value"), [
    ("1,234.56", ".", 1234.56), ("12.5", ".", 12.5), ("¥ 1,000", ".", 1000.0), ("-3", ".", -3.0),
    ("1.234,56", ",", 1234.56), ("12,5", ",", 12.5), ("1.000", ",", 1000.0),
])
def test_numbers_under_their_declared_convention(text, decimal, value):
    parsed = to_number(pd.Series([text], dtype="str"), decimal)
    assert parsed.values.iloc[0] == pytest.approx(value) and not parsed.bad.any()


@pytest.mark.parametrize(("text", "decimal", "hint"), [
    ("12,5", ".", "decimal comma"), ("1.234,56", ".", "decimal comma"), ("12.5", ",", "decimal point"),
])
def test_numbers_against_the_convention_are_errors_naming_the_setting(text, decimal, hint):
    parsed = to_number(pd.Series([text, "1"], dtype="str"), decimal)
    assert parsed.bad.tolist() == [True, False] and hint in parsed.reason[0] and "decimal" in parsed.reason[1]


def test_non_finite_numbers_are_read_for_quarantine():
    parsed = to_number(pd.Series(["inf", "-Infinity", "5"], dtype="str"))
    assert np.isinf(parsed.values.iloc[0]) and np.isinf(parsed.values.iloc[1]) and not parsed.bad.any()


def test_numeric_cells_are_taken_as_they_are_under_a_decimal_comma():
    parsed = to_number(pd.Series([12.5, "1.234,5", None], dtype="object"), ",")
    assert parsed.values.iloc[:2].tolist() == [12.5, 1234.5] and not parsed.bad.any()


NUMBER_TEXTS = ["1,234.56", " 12.5 ", "¥ 1,000", "-3", "1.234,56", "12,5", "1.000", "inf", "-Infinity", "∞",
                "1e5", ".5", "+7", "RMB 30", "usd40", "", "  ", "abc", "12.5.1", "１２３", "1,23", "1 000", "\t8\n"]


@pytest.mark.parametrize("decimal", [".", ","])
def test_text_columns_read_like_cell_by_cell(decimal):
    """A text column (CSV) takes a vectorised path; the cell-by-cell path of mixed cells is its oracle."""
    values = NUMBER_TEXTS + [None]
    vectorised = to_number(pd.Series(values, dtype="str"), decimal)
    by_cell = to_number(pd.Series(values, dtype="object"), decimal)
    assert vectorised.values.equals(by_cell.values)
    assert vectorised.bad.tolist() == by_cell.bad.tolist()
    assert vectorised.reason == by_cell.reason


def test_text_that_cannot_be_read_is_an_error_not_an_empty_cell():
    parsed = to_number(pd.Series(["１２３ａｂｃ", "4"], dtype="str"))
    assert parsed.bad.tolist() == [True, False]


@pytest.mark.parametrize("dtype", ["str", "object"])
def test_full_width_digits_are_digits_never_a_decimal_comma(dtype):
    parsed = to_number(pd.Series(["１２３", "１，２３４．５", "－７", "4"], dtype=dtype))
    assert parsed.values.tolist() == [123.0, 1234.5, -7.0, 4.0] and not parsed.bad.any() and parsed.reason is None


def test_map_distinct_calls_the_rule_once_per_distinct_value_and_keeps_empties():
    calls = []

    def rule(value):
        calls.append(value)
        return value.upper()

    series = pd.Series(["a", "b", None, "a", "b", "a"], index=[5, 4, 3, 2, 1, 0], dtype="str")
    mapped = map_distinct(series, rule, "str")
    assert sorted(calls) == ["a", "b"]
    assert mapped.index.tolist() == [5, 4, 3, 2, 1, 0]
    assert mapped.tolist()[:2] == ["A", "B"] and pd.isna(mapped.iloc[2]) and mapped.tolist()[3:] == ["A", "B", "A"]
    assert map_distinct(pd.Series([], dtype="str"), rule, "str").empty


DATE_TEXTS = ["2025-07-01", "2025-07-01 10:00:00", "2025-07-01T10:00", "2025-07-01 10:00:00.250", "0001-01-01",
              "9999-12-31 00:00:00", "2025-02-30", "2025/7/1", "2025年7月1日", "2025-07-01T10:00:00Z",
              "2025-07-01 10:00:00+08:00", "13/07/2025", "1 Jul 2025", "not a date", "2025-7-1"]


@pytest.mark.parametrize("values", [DATE_TEXTS, DATE_TEXTS[:6], ["2025-07-01", "2025-07-02 08:30:00"]])
def test_plain_iso_dates_read_in_one_step_agree_with_the_rules(values):
    """The vectorised path for plain ISO text against the rules' path (object text takes it) as oracle."""
    values = [*values, None]
    fast = to_datetime(pd.Series(values, dtype="str"), pd.Series(values, dtype="str"), None, "Asia/Shanghai")
    rules = to_datetime(pd.Series(values, dtype="object"), pd.Series(values, dtype="object"), None, "Asia/Shanghai")
    assert fast.values.equals(rules.values)
    assert fast.bad.tolist() == rules.bad.tolist() and fast.reason == rules.reason
    assert fast.emptied.fillna(False).tolist() == rules.emptied.fillna(False).tolist()


def test_zones_written_as_words_or_hours_are_converted_and_may_be_mixed():
    text = pd.Series(["2023-10-01T21:34:36Z", "2023-10-01 21:34:36 UTC", "2023-10-01T21:34:36 GMT",
                      "2023-10-01T21:34:36-05", "2023-10-01T21:34:36+0530", "2023-10-01T21:34:36+02:00",
                      "2023-10-01 21:34:36"], dtype="str")
    parsed = to_datetime(text, text, None, "Asia/Shanghai")
    utc = pd.Timestamp("2023-10-01 21:34:36")
    expected = [utc + pd.Timedelta(hours=8)] * 3 + [utc + pd.Timedelta(hours=13), utc + pd.Timedelta(hours=2.5),
                                                    utc + pd.Timedelta(hours=6), utc]
    assert parsed.values.tolist() == expected and not parsed.bad.any()


@pytest.mark.parametrize("text", ["room 3001", "7969.39", "ticket 9999 closed"])
def test_text_holding_a_far_year_is_no_placeholder_date_but_not_a_date(text):
    parsed = to_datetime(pd.Series([text], dtype="str"), pd.Series([text], dtype="str"), None, "Asia/Shanghai")
    assert parsed.bad.tolist() == [True] and not parsed.emptied.any()
