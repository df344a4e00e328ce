"""Period labels and date windows: ``2025Q3`` means 2025-07-01..2025-09-30.

Labels ``2025`` (year), ``2025H1`` (half) and ``2025-07`` (month) work the same way; any other
label needs ``start`` and ``end`` in the params and must be a name of letters, digits, ``-`` and
``_``: a label names the report's folder, log and staging paths, so it can never hold a path.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, model_validator


class Window(BaseModel):
    """A closed date window [start, end] of whole days: a date-time ``t`` lies in it when
    ``start <= t < stop``, ``stop`` being the day after ``end``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"window ends ({self.end}) before it starts ({self.start})")
        return self

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def stop(self) -> date:
        """The day after ``end``: the first moment outside the window."""
        return self.end + timedelta(days=1)

    @classmethod
    def trailing(cls, end: date, days: int) -> Window:
        """The ``days`` whole days ending ``end`` (inclusive)."""
        return cls(start=end - timedelta(days=days - 1), end=end)


_PATTERNS: dict[str, re.Pattern[str]] = {
    "quarter": re.compile(r"^(\d{4})Q([1-4])$"),
    "half": re.compile(r"^(\d{4})H([12])$"),
    "month": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
    "year": re.compile(r"^(\d{4})$"),
}
_MONTHS = {"quarter": 3, "half": 6, "month": 1, "year": 12}
#: any label: a letter or digit, then letters, digits, '-' or '_' (64 characters at most)
LABEL_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def check_period_label(label: object) -> str:
    """Return ``label`` when it is a valid period label, else raise ``ValueError`` in one line.

    Valid: ``2025Q3``, ``2025H1``, ``2025-07``, ``2025``, or a name of letters, digits, ``-`` and
    ``_`` (e.g. ``campaign-spring_2025``). A label becomes a folder name under ``--out``, so
    ``/``, ``..``, spaces and shell characters are refused.
    """
    if not isinstance(label, str) or not LABEL_PATTERN.match(label):
        raise ValueError(f"period label {str(label)[:80]!r} is not valid: use 2025Q3, 2025H1, 2025-07, 2025 or a "
                         "name of letters, digits, '-' and '_' (with start and end)")
    return label


def log_label(spec: str) -> str:
    """A ``--period`` value as it may appear in a file name (a log's): the label, a range as ``A-to-B``,
    and anything that is not a valid label as ``invalid-period`` (never a path)."""
    label = spec.replace("..", "-to-")
    return label if LABEL_PATTERN.match(label) else "invalid-period"


def _label_kind(label: str) -> tuple[str, int, int]:
    for kind, pattern in _PATTERNS.items():
        match = pattern.match(label)
        if match:
            year = int(match.group(1))
            part = int(match.group(2)) if match.lastindex and match.lastindex > 1 else 1
            return kind, year, part
    raise ValueError(
        f"period label {label!r} is not one of 2025Q3, 2025H1, 2025-07 or 2025; give `start` and `end` for it")


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def period_window(label: str) -> Window:
    """Return the dates a period label covers (``2025Q3`` -> 2025-07-01..2025-09-30)."""
    kind, year, part = _label_kind(label)
    length = _MONTHS[kind]
    first_month = (part - 1) * length + 1
    end_year, end_month = _add_months(year, first_month, length)
    return Window(start=date(year, first_month, 1), end=date(end_year, end_month, 1) - timedelta(days=1))


def previous_window(label: str, window: Window) -> Window:
    """The window just before ``window``: the previous period of the same kind, or the same length."""
    try:
        kind, _, _ = _label_kind(label)
    except ValueError:
        return Window(start=window.start - timedelta(days=window.days), end=window.start - timedelta(days=1))
    year, month = _add_months(window.start.year, window.start.month, -_MONTHS[kind])
    return Window(start=date(year, month, 1), end=window.start - timedelta(days=1))


def shift_label(label: str, steps: int) -> str:
    """The label ``steps`` periods of the same kind after ``label`` (negative: before): ``2025Q1``, -1 -> ``2024Q4``.

    Raises
    ------
    ValueError
        When ``label`` is not a quarter, half, month or year label.
    """
    kind, year, part = _label_kind(label)
    per_year = 12 // _MONTHS[kind]
    index = year * per_year + part - 1 + steps
    year, part = divmod(index, per_year)
    return {"quarter": f"{year}Q{part + 1}", "half": f"{year}H{part + 1}", "month": f"{year}-{part + 1:02d}",
            "year": f"{year}"}[kind]


def period_labels(spec: str, today: date | None = None) -> list[str]:
    """The period labels of a ``--period`` value, in run order.

    ``2025Q3`` -> one label; ``2025Q1..2025Q4`` -> every period from the first to the last (same kind);
    ``previous-quarter`` / ``previous-month`` -> the last complete quarter or month before ``today``.

    Raises
    ------
    ValueError
        When the range mixes kinds, runs backwards, or a label is not understood.
    """
    today = today or date.today()
    if spec in ("previous-quarter", "previous-month"):
        current = f"{today.year}Q{(today.month - 1) // 3 + 1}" if spec == "previous-quarter" \
            else f"{today.year}-{today.month:02d}"
        return [shift_label(current, -1)]
    if ".." not in spec:
        return [spec]
    first, last = (part.strip() for part in spec.split("..", 1))
    if not (LABEL_PATTERN.match(first) and LABEL_PATTERN.match(last)):  # a path (../x), not a range: name it whole
        check_period_label(spec)
    if _label_kind(first)[0] != _label_kind(last)[0]:
        raise ValueError(f"period range {spec!r} mixes kinds of period; write e.g. 2025Q1..2025Q4 or 2025-01..2025-06")
    labels = [first]
    while labels[-1] != last:
        if len(labels) > 120 or period_window(labels[-1]).start > period_window(last).start:
            raise ValueError(f"period range {spec!r} runs backwards or is longer than 120 periods; "
                             "write the earlier period first, e.g. 2025Q1..2025Q4")
        labels.append(shift_label(labels[-1], 1))
    return labels
