"""Read text values as numbers and dates under declared conventions, never by guessing.

- numbers: full-width digits are digits (``１２３`` is 123); ``decimal`` is ``.`` (``1,234.56``) or ``,``
  (``1.234,56``); a value that does not
  fit the declared convention (``12,5`` under ``.``) is an error that names the setting;
  ``inf``/``-inf`` are read as non-finite numbers, which cleaning quarantines;
- dates: ISO forms (``2025-07-01``, ``2025/07/01``, ``2025年7月1日``, with time, milliseconds,
  ``Z`` or an offset) are read as such; aware times are converted to the report's time zone
  and stored naive. Day/month-first forms (``01/07/2025``) need ``date_format`` unless the
  column itself proves the order (a first part above 12 in some row and no second part above 12
  in any); a column that stays ambiguous is an error asking for ``date_format``;
- placeholder dates (a year before 1900 or after 2200, such as ``0001-01-01``, ``1066-10-14`` or
  ``9999-12-31``) are read as empty: kept in a column that may be empty, quarantined as missing
  in one that may not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as arrow
import pyarrow.compute as pc

from .shapes import fold

FIRST_YEAR, LAST_YEAR = 1900, 2200
_YEAR_FIRST_PARTS = re.compile(r"^(\d{4})\s*[./年-]\s*(\d{1,2})\s*[./月-]\s*(\d{1,2})(?:\s*日(?=\S))?")
_YEAR_LAST_PARTS = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_CURRENCY = re.compile(r"[\s¥￥$€£]|CNY|RMB|USD|EUR", re.IGNORECASE)
_NON_FINITE = re.compile(r"^[+-]?(?:inf|infinity|∞)$", re.IGNORECASE)
_NUMBER = {
    ".": re.compile(r"^[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?(?:[eE][+-]?\d+)?$|^[+-]?\.\d+$"),
    ",": re.compile(r"^[+-]?(?:\d+|\d{1,3}(?:\.\d{3})+)(?:,\d+)?$"),
}
_OTHER_CONVENTION = {".": _NUMBER[","], ",": _NUMBER["."]}
#: the year of a value shaped like a date (year first or last); text that merely holds four digits
#: (``room 3001``, ``7969.39``) is no placeholder date but a value that is not a date
_YEAR = re.compile(r"^\s*(\d{4})\s*[./年-]\s*\d{1,2}\s*[./月-]\s*\d{1,2}(?!\d)"
                   r"|^\s*\d{1,2}[./-]\d{1,2}[./-](\d{4})(?!\d)")
_AWARE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}[T ]\d[\d:.]*\s?(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)
#: zones written as words or as hours alone, rewritten as the offsets ISO 8601 spells out
_ZONE_WORD = re.compile(r"\s?(?:Z|UTC|GMT)$", re.IGNORECASE)
_HOUR_OFFSET = re.compile(r"([+-]\d{2})$")
_YEAR_LAST = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})((?:[ T].*)?)$")
_YEAR_FIRST = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T].*)?$")
_PLAIN_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?$")


@dataclass(frozen=True)
class Reading:
    """How one table's text values are read: the params ``decimal``, ``date_format`` and ``timezone``."""

    decimal: str = "."
    date_formats: dict[str, str] = field(default_factory=dict)
    timezone: str = "Asia/Shanghai"


@dataclass
class Parsed:
    """A column read: values, values that could not be read, why (when not the kind's default), placeholders."""

    values: pd.Series
    bad: pd.Series
    reason: tuple[str, str] | None = None  # (what is wrong, the fix) for the message
    emptied: pd.Series | None = None  # placeholder dates read as empty
    controls: pd.Series | None = None  # values whose control characters (NUL...) were removed
    cut: pd.Series | None = None  # texts cut to TEXT_LIMIT characters


def map_distinct(text: pd.Series, rule: Callable[[str], object], dtype: str = "str") -> pd.Series:
    """``text.map(rule)`` for a text column, with ``rule`` called once per distinct value; empty stays empty.

    Linear in the rows whatever ``rule`` costs (a column of 10M cells with 20 distinct values calls
    ``rule`` 20 times), and the rows never leave Arrow: dictionary-encode, map the dictionary, take.
    ``dtype`` is ``"str"`` or ``"boolean"``; a rule may return ``pd.NA`` for an empty result.
    """
    array = arrow.array(text.astype("str"), from_pandas=True)
    if isinstance(array, arrow.ChunkedArray):
        array = array.combine_chunks()
    encoded = pc.dictionary_encode(array)
    mapped = [rule(value) for value in encoded.dictionary.to_pylist()]
    kind = arrow.large_string() if dtype == "str" else arrow.bool_()
    dictionary = arrow.array([None if value is pd.NA else value for value in mapped], type=kind)
    return pd.Series(pd.array(dictionary.take(encoded.indices), dtype=dtype), index=text.index)


def _is_text_column(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series.dtype) and not pd.api.types.is_object_dtype(series.dtype)


def _folded(text: pd.Series) -> pd.Series:
    """Text with full-width and other digits, signs and separators as ASCII (``１２３`` -> ``123``); only the
    values holding a non-ASCII character are folded."""
    wide = pc.invert(pc.fill_null(pc.string_is_ascii(arrow.array(text, from_pandas=True)), True))
    wide = wide.to_numpy(zero_copy_only=False)
    if not wide.any():
        return text
    folded = text.copy()
    folded[wide] = text[wide].map(fold)
    return folded


def _number_text(series: pd.Series, decimal: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Numeric cells read as floats, and the other cells as trimmed text without currency marks (or empty)."""
    values = pd.Series(np.nan, index=series.index, dtype="float64")
    if _is_text_column(series):  # a text column (CSV): vectorised, no numeric cells
        text = _folded(series).str.strip()
        text = text.where(text != "").str.replace(_CURRENCY, "", regex=True)
        fits = text.str.match(_NUMBER[decimal]) | text.str.match(_NON_FINITE)
        return values, text, fits.fillna(False).astype(bool)
    numeric_cell = series.map(lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, bool))
    series = series.map(lambda v: fold(v) if isinstance(v, str) else v)
    values[numeric_cell] = series[numeric_cell].astype("float64")
    text = series.where(~numeric_cell).map(lambda v: None if v is None or v is pd.NA or
                                           (isinstance(v, float) and np.isnan(v)) else str(v).strip())
    text = text.where(text.notna() & (text != ""), None).map(
        lambda v: _CURRENCY.sub("", v) if isinstance(v, str) else v)
    fits = text.map(lambda v: isinstance(v, str) and bool(_NUMBER[decimal].match(v) or _NON_FINITE.match(v)))
    return values, text, fits.astype(bool)


def to_number(series: pd.Series, decimal: str = ".") -> Parsed:
    """Numbers from numeric cells or from text under the ``decimal`` convention."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return Parsed(series.astype("float64"), pd.Series(False, index=series.index))
    values, text, fits = _number_text(series, decimal)
    present = text.notna()
    readable = text[fits]
    if decimal == ",":
        readable = readable.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        readable = readable.str.replace(",", "", regex=False)
    readable = readable.str.replace("∞", "inf", regex=False)
    values[fits] = pd.to_numeric(readable.astype(object), errors="coerce").astype("float64")
    bad = present & values.isna()  # not in the convention, or shaped like it and still unreadable (１２３)
    reason = None
    other = text[bad].map(lambda v: isinstance(v, str) and bool(_OTHER_CONVENTION[decimal].match(v))).astype(bool)
    if bad.any() and other.any():
        wanted = "','" if decimal == "." else "'.'"
        reason = (f"are written with {'a decimal comma' if decimal == '.' else 'a decimal point'} while params declare "
                  f"`decimal: \"{decimal}\"`",
                  f"set `decimal: \"{wanted.strip(chr(39))}\"` in params if the whole export writes numbers that way, "
                  "else correct these values in the source")
    return Parsed(values, bad, reason)


def _padded(match: re.Match[str]) -> str:
    return "-".join(part.zfill(2) for part in match.groups()) + (" " if match.group(0).endswith("日") else "")


def suggested_formats(example: str) -> tuple[str, str]:
    """Day-first and month-first strptime formats shaped like ``example`` (``01/07/2025 10:00``)."""
    separator = next((c for c in example if c in "/.-"), "/")
    clock = example.split(" ", 1)[1] if " " in example.strip() else ""
    time = {0: "", 1: " %H:%M", 2: " %H:%M:%S"}.get(clock.count(":"), " %H:%M:%S") if clock else ""
    return (f"%d{separator}%m{separator}%Y{time}", f"%m{separator}%d{separator}%Y{time}")


def _naive(parsed: pd.Series) -> pd.Series:
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    return parsed


def _placeholder_years(text: pd.Series) -> pd.Series:
    parts = text.str.extract(_YEAR, expand=True)
    years = parts[0].fillna(parts[1]).astype("float64")
    return years.notna() & ((years < FIRST_YEAR) | (years > LAST_YEAR))


def to_datetime(series: pd.Series, text: pd.Series, fmt: str | None, timezone: str) -> Parsed:
    """Date-times from datetime cells or text; see the module docstring for the rules.

    Text already written as plain ISO (``2025-07-01``, ``2025-07-01 10:00:00``, no zone) with a real
    year is read in one vectorised step; only the other values take the rules' slower path.
    """
    index = series.index
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert(timezone).dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        years = series.dt.year
        emptied = series.notna() & ((years < FIRST_YEAR) | (years > LAST_YEAR))
        return Parsed(series.where(~emptied).astype("datetime64[ns]"), pd.Series(False, index=index),
                      emptied=emptied)
    plain = text.str.match(_PLAIN_ISO).fillna(False).astype(bool) if not fmt and _is_text_column(text) else None
    if plain is None or not plain.any():
        return _text_to_datetime(series, text, fmt, timezone)
    years = text[plain].str.slice(0, 4).astype(int)
    plain[plain] = (years >= FIRST_YEAR) & (years <= LAST_YEAR)
    values = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    values[plain] = pd.to_datetime(text[plain], format="ISO8601", errors="coerce").astype("datetime64[ns]")
    read = plain & values.notna()
    bad, emptied = pd.Series(False, index=index), pd.Series(False, index=index)
    if read.all():
        return Parsed(values, bad, None, emptied)
    rest = _text_to_datetime(series[~read], text[~read], fmt, timezone)
    values[~read], bad[~read], emptied[~read] = rest.values, rest.bad, rest.emptied
    return Parsed(values, bad, rest.reason, emptied)


def _text_to_datetime(series: pd.Series, text: pd.Series, fmt: str | None, timezone: str) -> Parsed:
    """Date-times from text under every rule of the module docstring."""
    index = series.index
    emptied = text.notna() & _placeholder_years(text)
    text = text.where(~emptied)
    parsed = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if fmt:
        parsed = _naive(pd.to_datetime(text, format=fmt, errors="coerce")).astype("datetime64[ns]")
        bad = text.notna() & parsed.isna()
        return Parsed(parsed, bad, (f"do not match `date_format: {fmt}`",
                                    "correct these values, or the format under `date_format:` in params"), emptied)
    cleaned = text.str.strip().str.replace(_YEAR_FIRST_PARTS, _padded, regex=True)
    cleaned = cleaned.str.replace(_YEAR_LAST_PARTS, _padded, regex=True)
    cleaned = cleaned.str.replace("日", " ", regex=False).str.replace(r"\s+", " ", regex=True).str.strip()
    aware = cleaned.notna() & cleaned.str.match(_AWARE).fillna(False).astype(bool)
    if aware.any():
        zoned = cleaned[aware].str.replace(_ZONE_WORD, "+00:00", regex=True).str.replace(_HOUR_OFFSET, r"\1:00",
                                                                                          regex=True)
        converted = pd.to_datetime(zoned, format="ISO8601", utc=True, errors="coerce")
        parsed[aware] = converted.dt.tz_convert(timezone).dt.tz_localize(None).astype("datetime64[ns]")
    naive = cleaned.notna() & ~aware
    iso = naive & cleaned.str.match(_YEAR_FIRST).fillna(False).astype(bool)
    if iso.any():
        parsed[iso] = _naive(pd.to_datetime(cleaned[iso], format="ISO8601", errors="coerce")).astype("datetime64[ns]")
        retry = iso & parsed.isna()
        if retry.any():
            parsed[retry] = _naive(pd.to_datetime(cleaned[retry], format="mixed", errors="coerce"))
    reason = None
    year_last = naive & cleaned.str.match(_YEAR_LAST).fillna(False).astype(bool)
    if year_last.any():
        parts = cleaned[year_last].str.extract(_YEAR_LAST)
        first, second = parts[0].astype(int), parts[1].astype(int)
        day_first, month_first = bool((first > 12).any()), bool((second > 12).any())
        if day_first != month_first:
            order = "%d-%m-%Y" if day_first else "%m-%d-%Y"
            stamp = parts[0].str.zfill(2) + "-" + parts[1].str.zfill(2) + "-" + parts[2]
            parsed[year_last] = pd.to_datetime(stamp, format=order, errors="coerce").astype("datetime64[ns]")
            times = parts[3].str.strip()
            timed = times != ""
            if timed.any():
                clock = pd.to_timedelta(times[timed].where(times[timed].str.count(":") == 2, times[timed] + ":00"),
                                        errors="coerce")
                parsed[timed[timed].index] = parsed[timed[timed].index] + clock
        else:
            example = str(text[year_last].iloc[0])
            day, month = suggested_formats(example)
            reason = (f"have an ambiguous day/month order (e.g. {example!r} could be either)"
                      if not day_first else "mix day-first and month-first dates",
                      f"say which it is under `date_format: {{TABLE: {{COLUMN: '{day}'}}}}` (day first) or "
                      f"'{month}' (month first) in params")
    worded = naive & ~iso & ~year_last & cleaned.str.contains(r"[A-Za-z]{3}", regex=True).fillna(False).astype(bool)
    if worded.any():
        parsed[worded] = _naive(pd.to_datetime(cleaned[worded], format="mixed", errors="coerce"))
    bad = text.notna() & parsed.isna()
    return Parsed(parsed.astype("datetime64[ns]"), bad, reason if reason and bad.any() else None, emptied)
