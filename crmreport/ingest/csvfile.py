"""Read a CSV file's bytes as a table: detect or apply its encoding, parse it, count its records twice.

- encoding: ``encoding:`` in params wins; otherwise UTF-8 (with or without BOM) when the bytes
  are valid UTF-8, else the detector (charset-normalizer) weighs GB18030/GBK, Big5 and
  Windows-1252. GBK is read without asking when it is the one plausible reading (GBK is preferred
  over Big5, the common case in mainland China); any other reading, or two plausible readings
  into different text, stops with the detected encoding and a request for ``encoding:``;
- records: pandas parses the file; a second, independent read with the ``csv`` module finds the
  file line on which every record starts, and refuses a file whose quoted field swallows lines
  that look like records of their own (an unbalanced quote).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from ..core.contract import TABLES
from ..core.errors import SourceError

MISSING_MARKERS: list[str] = ["", "NULL", "null", "NaN", "nan", "N/A", "#N/A", "None"]
#: encodings the detector chooses among for a file that is not UTF-8
DETECTED_ENCODINGS: tuple[str, ...] = ("gb18030", "big5", "cp1252")
#: a candidate whose chaos (share of implausible characters) is within this of the best is as plausible
PLAUSIBLE_MARGIN = 0.02


def decode_csv(table: str, path: Path, content: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode CSV bytes: ``encoding`` when given, else UTF-8, else the detected encoding.

    Returns the text and the encoding used.
    """
    if content[:2] in (b"\xff\xfe", b"\xfe\xff") or _binary(content[:4096]):
        hint = "it looks like UTF-16 (Excel 'Unicode text')" if content[:2] in (b"\xff\xfe", b"\xfe\xff") \
            else "it holds binary data, not text"
        raise SourceError(f"table {table}: {path} is not a CSV text file: {hint}; "
                          "save it as 'CSV UTF-8 (comma delimited)'")
    if encoding:
        codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
        try:
            return content.decode(codec), encoding
        except UnicodeDecodeError as exc:
            line = content[: exc.start].count(b"\n") + 1
            raise SourceError(f"table {table}: {path} is not {encoding} as `encoding:` in params says (byte "
                              f"0x{content[exc.start]:02x} on line {line} does not decode); correct `encoding:` or "
                              "remove it to let the encoding be detected") from None
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        failure = exc
    return _detect(table, path, content, failure)


#: control bytes that text never holds (all but tab and line breaks)
_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32)])


def _binary(head: bytes) -> bool:
    """More than 1% of control bytes: binary data (or UTF-16). A stray NUL inside a text is not binary: it is
    removed from the value and counted when the table is read."""
    return len(head) - len(head.translate(None, _CONTROL_BYTES)) > len(head) / 100


def _detect(table: str, path: Path, content: bytes, failure: UnicodeDecodeError) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    matches = list(from_bytes(content, cp_isolation=list(DETECTED_ENCODINGS)))
    if matches:
        best = min(m.chaos for m in matches)
        plausible = [m for m in matches if m.chaos <= best + PLAUSIBLE_MARGIN]
        if {m.encoding for m in plausible} >= {"gb18030", "big5"}:
            plausible = [m for m in plausible if m.encoding != "big5"]
        texts = {m.encoding: str(m) for m in plausible}
        if len(set(texts.values())) > 1:
            shown = " or ".join(texts)  # never a sample of the text: it may be a customer's name
            raise SourceError(f"table {table}: {path} reads plausibly as {shown}; say which under `encoding: "
                              f"{{{table}: {'|'.join(texts)}}}` in params, or save it as 'CSV UTF-8'")
        chosen = plausible[0].encoding
        if chosen == "gb18030":
            return content.decode(chosen), chosen
        line = content[: failure.start].count(b"\n") + 1
        raise SourceError(
            f"table {table}: {path} is neither UTF-8 nor GBK/GB18030 (byte 0x{content[failure.start]:02x} on line "
            f"{line}); it looks like {chosen}. If so, set `encoding: "
            f"{{{table}: {chosen}}}` in params, or save it as 'CSV UTF-8 (comma delimited)'")
    line = content[: failure.start].count(b"\n") + 1
    raise SourceError(
        f"table {table}: {path} is neither UTF-8 nor GBK/GB18030, Big5 or Windows-1252 (undecodable byte "
        f"0x{content[failure.start]:02x} on line {line}); save it as 'CSV UTF-8 (comma delimited)' or name its "
        f"encoding under `encoding: {{{table}: ...}}` in params")


def parse_csv(table: str, path: Path, text: str) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """Parse with pandas, then count the records again independently (:func:`record_lines`).

    Returns the frame and the file line on which each of its rows starts.
    """
    sample = text[:65536]
    try:
        delimiter = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    _check_header(table, path, text, delimiter)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                            na_values=MISSING_MARKERS, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise SourceError(f"table {table}: {path} has no header row; export the table again with its header") \
            from None
    except pd.errors.ParserError as exc:
        counts = _FIELD_COUNTS.search(str(exc))
        if counts:
            expected, line, seen = counts.groups()
            raise SourceError(f"table {table}: {path} is not a well-formed table: line {line} has {seen} fields where "
                              f"the header has {expected}. Fix: quote the values on that line that hold the "
                              f"delimiter `{delimiter}` (\"a{delimiter} b\"), or remove the extra field") from None
        raise SourceError(f"table {table}: {path} is not a well-formed table ({exc}); "
                          "check for unquoted delimiters, an unbalanced quote `\"`, or a text file saved under a "
                          ".csv name") from None
    lines = record_lines(table, path, text, delimiter, len(frame.columns))
    _check_last_record(table, path, text, delimiter, frame, lines)
    if len(lines) != len(frame):
        raise SourceError(
            f"table {table}: {path} holds {len(lines)} records by a line-by-line count but the CSV parser read "
            f"{len(frame)}; rows would be lost. Check quotes `\"` and line breaks from line "
            f"{_first_disagreement(lines, len(frame))} on, and export the table again")
    return frame, lines


_FIELD_COUNTS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _check_header(table: str, path: Path, text: str, delimiter: str) -> None:
    """A contract column named twice in the header would be renamed by the parser and ignored: refuse it.
    (Only contract names are looked at and shown: a file without header has a row of data there.)"""
    header = next(csv.reader(io.StringIO(text[: text.find("\n") + 1 or len(text)]), delimiter=delimiter), [])
    names = [name.strip().lstrip("\ufeff").lower() for name in header]
    contract = {name.lower() for name in TABLES[table].column_names} if table in TABLES else set()
    twice = sorted({name for name in names if name in contract and names.count(name) > 1})
    if twice:
        raise SourceError(f"table {table}: {path} names column(s) {', '.join(f'`{name}`' for name in twice)} twice in "
                          "its header; only one of each would be read. Fix: keep one, or rename the other")


def _check_last_record(table: str, path: Path, text: str, delimiter: str, frame: pd.DataFrame,
                       lines: tuple[int, ...]) -> None:
    """A file that ends inside its last record (no line break, fewer fields than the header) was cut off."""
    if frame.empty or text.endswith(("\n", "\r")) or not frame.iloc[-1].isna().iloc[-1]:
        return
    last = text[text.rfind("\n") + 1:]
    if len(next(csv.reader([last], delimiter=delimiter), [])) < len(frame.columns):
        raise SourceError(f"table {table}: {path} ends inside its last record (line {lines[-1]} has fewer fields than "
                          "the header and no line break): the file was cut off. Fix: export or copy the table again")


def _first_disagreement(lines: tuple[int, ...], parsed: int) -> int:
    return lines[min(parsed, len(lines) - 1)] if lines else 2


def record_lines(table: str, path: Path, text: str, delimiter: str, width: int) -> tuple[int, ...]:
    """The start line of every data record, counted by a second, independent read of the file.

    Without a quote character in the file every non-blank line is a record. A record that spans
    several physical lines is legitimate when a quoted field holds a line break; when those
    continuation lines look like records of their own (as many delimiters as a record has), an
    unbalanced quote has swallowed them, and the file is refused with the line.
    """
    physical = re.split(r"\r\n|\r|\n", text)
    if '"' not in text:  # nothing quoted: every non-blank line is one record, the first the header
        return tuple(number for number, line in enumerate(physical, 1) if line.strip())[1:]
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))  # a long quoted text is a field, not an error
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    starts: list[int] = []
    previous, header_seen = 0, False
    try:
        for fields in reader:
            start, end = previous + 1, reader.line_num
            previous = end
            while start < end and not physical[start - 1].strip():
                start += 1
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            if not header_seen:
                header_seen = True
                continue
            swallowed = [n for n in range(start + 1, end + 1)
                         if width > 1 and physical[n - 1].count(delimiter) >= width - 1]
            if swallowed:
                raise SourceError(
                    f"table {table}: {path} line {start}: a quoted field opened on that line runs on over "
                    f"line(s) {swallowed[0]}-{end}, which look like records of their own ({len(swallowed)} record(s)"
                    " would be merged into one). Fix: close the quote `\"` on line "
                    f"{start} (write a quote inside a field as `\"\"`), or remove it, and export again")
            starts.append(start)
    except csv.Error as exc:
        raise SourceError(f"table {table}: {path} line {reader.line_num} cannot be read as CSV ({exc}); check the "
                          "quotes `\"` on that line") from None
    return tuple(starts)


