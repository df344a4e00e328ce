"""Result tables as a formatted Excel workbook: one sheet per table, translated headers.

Each sheet has a bold, frozen header row, an autofilter over the used range, column widths
fitted to the content and number formats by column: integers ``#,##0``, floats ``#,##0.00``,
shares ``0.0%``, dates ``yyyy-mm-dd`` (``yyyy-mm-dd hh:mm`` when a column holds times of day).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..core.i18n import label

log = logging.getLogger("crmreport")

INTEGER_FORMAT = "#,##0"
FLOAT_FORMAT = "#,##0.00"
SHARE_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
#: a numeric column whose name contains one of these is a share (0.25 shown as 25.0%)
SHARE_MARKERS: tuple[str, ...] = ("share", "completeness", "rate", "validity", "uniqueness", "coverage")
MAX_SHEET_NAME = 31
#: data rows an Excel sheet holds below its header (1,048,576 rows in all); a longer table continues on
#: the next sheet
SHEET_ROWS = 1_048_575
MAX_WIDTH = 50
MIN_WIDTH = 8
#: rows looked at when fitting a column's width
WIDTH_SAMPLE = 1000
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def column_format(name: str, series: pd.Series) -> str | None:
    """The Excel number format of a column: by its name for shares, else by its dtype."""
    if pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_datetime64_any_dtype(series):
        times = series.dropna()
        return DATE_FORMAT if (times == times.dt.normalize()).all() else DATETIME_FORMAT
    if pd.api.types.is_numeric_dtype(series) and any(marker in name.lower() for marker in SHARE_MARKERS):
        return SHARE_FORMAT
    if pd.api.types.is_integer_dtype(series):
        return INTEGER_FORMAT
    if pd.api.types.is_float_dtype(series):
        return FLOAT_FORMAT
    if series.dtype == object and series.dropna().map(lambda v: isinstance(v, date)).any():
        return DATE_FORMAT
    return None


def cell_value(value: object) -> object:
    """``value`` as openpyxl writes it: NA/NaN/NaT -> None, numpy and pandas scalars -> Python ones."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return (value.tz_localize(None) if value.tzinfo else value).to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    if isinstance(value, str | bool | int | float | date | datetime | time | timedelta):
        return value
    return str(value)


def sheet_title(name: str, taken: set[str]) -> str:
    """``name`` made a valid, unused sheet name: no ``[]:*?/\\``, at most 31 characters."""
    base = _SHEET_FORBIDDEN.sub("_", str(name)).strip("'")[:MAX_SHEET_NAME] or "Sheet"
    title, n = base, 1
    while title.lower() in {t.lower() for t in taken}:
        n += 1
        suffix = f"~{n}"
        title = base[:MAX_SHEET_NAME - len(suffix)] + suffix
    return title


def _display_width(value: object) -> int:
    text = f"{value:,.2f}" if isinstance(value, float) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _write_sheet(sheet: Worksheet, frame: pd.DataFrame, language: str, overrides: dict[str, str]) -> None:
    headers = [label(str(column), language) for column in frame.columns]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    formats = [overrides.get(str(column), column_format(str(column), frame[column])) for column in frame.columns]
    for row in frame.itertuples(index=False, name=None):
        sheet.append([cell_value(value) for value in row])
    for index, (header, number_format) in enumerate(zip(headers, formats, strict=True), start=1):
        letter = get_column_letter(index)
        cells = sheet[letter][1:]
        if number_format is not None:
            for cell in cells:
                if cell.value is not None:
                    cell.number_format = number_format
        widths = [_display_width(header)] + [_display_width(c.value) for c in cells[:WIDTH_SAMPLE]
                                             if c.value is not None]
        sheet.column_dimensions[letter].width = min(max(max(widths) + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = "A2"
    if len(frame.columns):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"


def write_workbook(frames: dict[str, pd.DataFrame], path: Path, language: str = "en",
                   number_formats: dict[str, str] | None = None) -> Path:
    """Write each frame to its own sheet of an Excel workbook.

    Parameters
    ----------
    frames : dict[str, pandas.DataFrame]
        Sheet name -> table (written without its index; names are cut to 31 characters). A table
        longer than a sheet holds (:data:`SHEET_ROWS`) continues on sheets named ``name (2)``...
    path : pathlib.Path
        The ``.xlsx`` file to write; its folder is created when missing.
    language : str
        Language of the header row: each column name goes through :func:`crmreport.core.i18n.label`.
    number_formats : dict[str, str], optional
        Excel number formats by column name, overriding the formats chosen from name and dtype.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    if not frames:
        raise ValueError(f"no tables to write to {path}; pass at least one DataFrame")
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for name, frame in frames.items():
        starts = range(0, max(len(frame), 1), SHEET_ROWS)
        if len(starts) > 1:
            log.warning("%s: %d rows are more than a sheet holds; written on %d sheets", name, len(frame), len(starts))
        for part, start in enumerate(starts, start=1):
            title = sheet_title(name if part == 1 else f"{name} ({part})", taken)
            taken.add(title)
            _write_sheet(workbook.create_sheet(title), frame.iloc[start:start + SHEET_ROWS], language,
                         number_formats or {})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    log.info("wrote %d sheet(s) to %s", len(workbook.sheetnames), path)
    return path
