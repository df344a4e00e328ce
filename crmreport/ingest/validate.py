"""Conform a raw table to the contract: map names and values, check columns, coerce types.

Problems that make a table unusable (a missing required column, text in a number column,
an unknown enumeration value, an unparseable date) are collected as messages that name the
table, the column, example rows as a person sees them in the source, and the fix.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd
import pyarrow as arrow
import pyarrow.compute as pc

from ..core.contract import BOOLEAN_WORDS, BUILTIN_SYNONYMS, CANONICAL_DTYPES, ColumnSpec, TableSpec
from ..core.errors import SourceError
from .masking import NameFinder, masked_example, personal_ids
from .sources import RawTable
from .values import FIRST_YEAR, LAST_YEAR, Parsed, Reading, map_distinct, to_datetime, to_number

log = logging.getLogger("crmreport")
EXAMPLES = 5
#: ids no report shows (and the largest tables' keys: screening 13M of them would cost seconds); a foreign
#: ``customer_id`` is screened as the customers' own id
UNSHOWN_IDS = frozenset(("transaction_id", "interaction_id", "survey_id"))


def source_rows(raw: RawTable, positions: pd.Index | np.ndarray) -> list[int]:
    """Row numbers as seen in the source for frame positions."""
    return [raw.row_number(int(p)) for p in positions]


def describe_rows(raw: RawTable, positions, values: pd.Series | None = None, personal: bool = False,
                  names: NameFinder | None = None) -> str:
    """'rows 4, 9, 17 (values 'abc', 'x')': the first few examples of a problem, in source numbering.

    Example values are masked (:func:`masked_example`): a message never shows a phone, an
    e-mail or a customer's name; values of personal columns are not shown at all.
    """
    positions = list(positions)
    rows = ", ".join(map(str, source_rows(raw, positions[:EXAMPLES])))
    more = f" and {len(positions) - EXAMPLES} more" if len(positions) > EXAMPLES else ""
    shown = ""
    if values is not None and not personal:
        examples = [masked_example(v, names, raw.name == "customers") for v in values.iloc[:EXAMPLES]]
        shown = " (values " + ", ".join(repr(v) for v in examples) + ")"
    noun = "row" if len(positions) == 1 else "rows"
    return f"{noun} {rows}{more}{shown}"


def _normalise_header(name: object) -> str:
    return str(name).strip().lstrip("\ufeff")


def shown_columns(raw: RawTable, columns, names: NameFinder | None = None) -> str:
    """Column names for a message, masked (a file without header has a data row there)."""
    return ", ".join(masked_example(c, names, raw.name == "customers") for c in list(columns)[:12]) or "none"


def conform(raw: RawTable, cells: pd.DataFrame, spec: TableSpec, column_map: dict[str, str],
            value_map: dict[str, dict[str, str]], names: NameFinder | None = None,
            reading: Reading | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Rename, check and coerce the ``cells`` read from ``raw`` to the contract of ``spec``.

    ``cells`` is consumed: each column leaves it once coerced, so a table is never held twice
    (``raw`` gives the table's name, origin and row numbers).

    Returns
    -------
    frame, problems
        The contract columns in contract order with canonical dtypes (index = position in the
        source), and one message per problem found. The frame is only usable without problems.
    """
    frame = cells  # renamed in place (setting labels copies no cells)
    frame.columns = [_normalise_header(column) for column in frame.columns]
    lookup = {name.lower(): name for name in spec.column_names}
    renames = {}
    for column in frame.columns:
        target = column_map.get(column) or lookup.get(column.lower())
        if target:
            renames[column] = target
    frame.columns = [renames.get(column, column) for column in frame.columns]
    known = [c for c in spec.column_names if c in frame.columns]
    ignored = [str(c) for c in frame.columns if c not in spec.column_names]
    if known and ignored:
        log.info("table %s: ignoring column(s) %s (not in the contract; map them under `columns:` if needed)",
                 spec.name, shown_columns(raw, ignored, names))
    if not known:
        raise SourceError(
            f"table {spec.name}: {raw.origin} does not look like a table of {spec.name}: found column(s) "
            f"{shown_columns(raw, list(frame.columns)[:8], names)}; expected "
            f"{', '.join(c.name for c in spec.columns if c.required)}. Export the right table, or map your "
            f"column names under `columns: {spec.name}:` in params")
    problems = [
        f"table {spec.name}: required column `{col.name}` is missing from {raw.origin} (found: "
        f"{shown_columns(raw, frame.columns, names)}). Fix: add it to the export, or map your column to it under "
        f"`columns: {spec.name}: {{your_name: {col.name}}}` in params"
        for col in spec.columns if col.required and col.name not in frame.columns
    ]
    if frame.columns.duplicated().any():
        duplicated = sorted(set(frame.columns[frame.columns.duplicated()]))
        problems.append(f"table {spec.name}: column(s) {', '.join(duplicated)} appear twice in {raw.origin} "
                        "(after mapping); keep one")
    if problems:
        return frame, problems
    conformed = {}
    for col in spec.columns:
        source = frame.pop(col.name) if col.name in frame.columns else pd.Series(pd.NA, index=frame.index)
        parsed = coerce(source, col, value_map.get(col.name, {}), reading or Reading())
        if parsed.bad.any():
            problems.append(_coercion_problem(raw, spec, col, source, parsed, names))
        elif col.kind == "id" and _screened(spec, col):
            problems.extend(_personal_id_problem(raw, spec, col, parsed.values, names))
        for changed, what in ((parsed.controls, "control characters (such as NUL) removed from"),
                              (parsed.cut, f"texts longer than {TEXT_LIMIT:,} characters (a spreadsheet cell) cut in")):
            if changed is not None and changed.any():
                log.warning("table %s, column `%s`: %s %d value(s): %s", spec.name, col.name, what,
                            int(changed.sum()), describe_rows(raw, np.flatnonzero(changed.to_numpy())))
        if parsed.emptied is not None and parsed.emptied.any():
            log.warning("table %s, column `%s`: %d placeholder date(s) (a year before %d or after %d, e.g. 9999-12-31)"
                        " read as empty: %s", spec.name, col.name, int(parsed.emptied.sum()), FIRST_YEAR, LAST_YEAR,
                        describe_rows(raw, np.flatnonzero(parsed.emptied.to_numpy())))
        conformed[col.name] = parsed.values
    return pd.DataFrame(conformed, index=frame.index), problems


def _screened(spec: TableSpec, col: ColumnSpec) -> bool:
    """Ids screened for personal values: those a report shows, a foreign ``customer_id`` as the customers' own."""
    return col.name not in UNSHOWN_IDS and not (col.name == "customer_id" and spec.has_customer_fk)


def _personal_id_problem(raw: RawTable, spec: TableSpec, col: ColumnSpec, ids: pd.Series,
                         names: NameFinder | None) -> list[str]:
    """Ids holding a phone, an e-mail, an ID number or a customer's name are refused (:func:`personal_ids`)."""
    found = personal_ids(ids, names)
    if not found.any():
        return []
    where = describe_rows(raw, np.flatnonzero(found.to_numpy()), ids[found], names=names)
    return [f"table {spec.name}, column `{col.name}`: {int(found.sum())} id(s) hold personal data (a phone number, an "
            f"e-mail, an ID number or a customer's name), and ids reach file names and report tables unmasked: "
            f"{where}. Fix: use codes without personal data as ids in the export (e.g. C000123 instead of a phone "
            "number or a name)"]


def _coercion_problem(raw: RawTable, spec: TableSpec, col: ColumnSpec, source: pd.Series, parsed: Parsed,
                      names: NameFinder | None = None) -> str:
    bad = parsed.bad
    where = describe_rows(raw, np.flatnonzero(bad.to_numpy()), source[bad], col.personal, names)
    what, fix = parsed.reason or {
        "number": ("are not numbers", "correct them in the source (numbers only, '.' as decimal point)"),
        "integer": ("are not whole numbers", "correct them in the source"),
        "date": ("are not dates", "use YYYY-MM-DD dates in the source"),
        "datetime": ("are not dates or date-times", "use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS in the source"),
        "bool": ("are not yes/no values", f"use true/false, or map them under `values: {spec.name}: {col.name}:` "
                 "in params"),
        "enum": (f"are not one of {', '.join(col.choices)}",
                 f"map them under `values: {spec.name}: {col.name}: {{their value: contract value}}` in params"),
    }[col.kind]
    fix = fix.replace("TABLE", spec.name).replace("COLUMN", col.name)
    return f"table {spec.name}, column `{col.name}`: {int(bad.sum())} value(s) {what}: {where}. Fix: {fix}"


def _as_text(series: pd.Series) -> pd.Series:
    """Strings, with integral floats (Excel's phone numbers and ids) written without '.0'."""
    def one(value: object) -> object:
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
            return pd.NA
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, pd.Timestamp):
            return value.isoformat(sep=" ")
        text = str(value).strip()
        return text if text else pd.NA

    if pd.api.types.is_string_dtype(series.dtype) and not pd.api.types.is_object_dtype(series.dtype):
        stripped = series.str.strip()
        return stripped.where(stripped != "", pd.NA).astype("str")
    return series.map(one).astype("str")


def coerce(series: pd.Series, col: ColumnSpec, value_map: dict[str, str], reading: Reading | None = None) -> Parsed:
    """Coerce one column to its contract kind: values, mask of values that could not be read, and why."""
    reading = reading or Reading()
    if col.kind in ("number", "integer"):
        parsed = to_number(series, reading.decimal)
        if col.kind == "integer":
            values = parsed.values
            odd = values.notna() & (~np.isfinite(values.fillna(0)) | (values.round() != values))
            parsed.values = values.where(~odd).round().astype("Int64")
            parsed.bad = parsed.bad | odd
        return parsed
    if col.kind in ("date", "datetime"):
        text = _as_text(series) if not pd.api.types.is_datetime64_any_dtype(series.dtype) else series
        parsed = to_datetime(series, text, reading.date_formats.get(col.name), reading.timezone)
        if col.kind == "date":
            parsed.values = parsed.values.dt.normalize()
        return parsed
    no_problem = pd.Series(False, index=series.index)
    if col.kind == "bool" and pd.api.types.is_bool_dtype(series.dtype) and not value_map:
        return Parsed(series.astype("boolean"), no_problem)  # typed source (Parquet, a database)
    text, controls = _without_controls(_as_text(series))
    if value_map:
        text = map_distinct(text, lambda v: value_map.get(v, v), "str")
    if col.kind == "bool":
        return Parsed(*_to_bool(text))
    if col.kind == "enum":
        return Parsed(*_to_choice(text, col.choices))
    if col.kind == "tags":
        return Parsed(map_distinct(text, _tag_list, "str"), no_problem, controls=controls)
    if col.kind == "text":
        long = pc.fill_null(pc.greater(pc.utf8_length(arrow.array(text, from_pandas=True)), TEXT_LIMIT), False)
        long = pd.Series(long.to_numpy(zero_copy_only=False), index=text.index)
        if long.any():
            text = text.copy()
            # without the last (maybe cut) word: half a phone or e-mail would no longer be recognised as one
            text[long] = text[long].str.slice(0, TEXT_LIMIT).str.replace(r"\S{1,100}$", "", regex=True)
            return Parsed(text, no_problem, controls=controls, cut=long)
    return Parsed(text, no_problem, controls=controls)


#: the longest text a value keeps: a spreadsheet cell's limit (a longer one breaks the workbooks and would
#: fill pages of a PDF table); longer texts are cut (before a word), counted and logged with their rows
TEXT_LIMIT = 32_767


#: C0 control characters but tab and line breaks, DEL and C1 controls: never meaningful in a CRM export
#: (a NUL breaks workbooks and terminals), removed and counted
_CONTROLS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


#: bytes of UTF-8 text that start a control character (C1 controls are 0xC2 0x80-0x9F)
_CONTROL_BYTES = np.zeros(256, dtype=bool)
_CONTROL_BYTES[[*range(0, 9), 11, 12, *range(14, 32), 127, 0xC2]] = True


def _may_hold_controls(array: arrow.Array | arrow.ChunkedArray) -> bool:
    """False when no byte of the text could start a control character: one pass over the bytes, so a column
    of millions of values is cleared in milliseconds (0xC2 also starts ordinary letters such as é: a maybe)."""
    chunks = array.chunks if isinstance(array, arrow.ChunkedArray) else [array]
    for chunk in chunks:
        data = chunk.buffers()[-1]
        if data is not None and _CONTROL_BYTES[np.frombuffer(data, dtype=np.uint8)].any():
            return True
    return False


def _without_controls(text: pd.Series) -> tuple[pd.Series, pd.Series | None]:
    """``text`` without control characters, and where there were some (None: nowhere)."""
    array = arrow.array(text, from_pandas=True)
    if not _may_hold_controls(array):
        return text, None
    found = pc.fill_null(pc.match_substring_regex(array, _CONTROLS), False).to_numpy(zero_copy_only=False)
    if not found.any():
        return text, None
    cleaned = text.copy()
    cleaned[found] = text[found].str.replace(_CONTROLS, "", regex=True)
    return cleaned.where(cleaned != "", pd.NA), pd.Series(found, index=text.index)


def _tag_list(text: str) -> str:
    """``a；b; ;c`` -> ``a; b; c`` (full-width or ASCII semicolons, blanks dropped); empty when no tag."""
    tags = [part.strip() for part in text.replace("；", ";").split(";") if part.strip()]
    return "; ".join(tags)


def _to_bool(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    values = map_distinct(text, lambda v: BOOLEAN_WORDS.get(v.lower(), pd.NA), "boolean")
    return values, text.notna() & values.isna()


def _choice_key(value: str) -> str:
    return re.sub(r"[\s\-]+", "_", value.strip().lower())


def _to_choice(text: pd.Series, choices: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    lookup = {_choice_key(choice): choice for choice in choices}
    lookup.update({word: target for word, target in BUILTIN_SYNONYMS.items() if target in choices})

    values = map_distinct(text, lambda value: lookup.get(_choice_key(value), lookup.get(value, value)), "str")
    return values, values.notna() & ~values.isin(choices)


def canonical_dtypes(spec: TableSpec) -> dict[str, str]:
    """Column -> pandas dtype of a conformed table."""
    return {col.name: CANONICAL_DTYPES[col.kind] for col in spec.columns}
