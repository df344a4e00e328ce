"""The demo's data window: day numbers and the calendar months and quarters the model refers to.

Day numbers count from the first day of the window (day 0); negative days lie before it.
"""

from __future__ import annotations

import calendar  # the standard library module (imports are absolute)
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal


def _add_months(d: date, months: int) -> date:
    """``d`` moved by whole months, clipped to the end of the target month."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Calendar:
    """The data window ``start .. end`` (inclusive) and the quarters the truth refers to.

    ``period`` is the last complete calendar quarter ending on or before ``end``;
    ``baseline`` the quarter before it.
    """

    start: date
    end: date

    @classmethod
    def make(cls, end: date, years: int) -> Calendar:
        if years < 1:
            raise ValueError(f"years={years}: the demo needs at least one year of data")
        return cls(_add_months(end, -12 * years) + timedelta(days=1), end)

    def day(self, d: date) -> int:
        """Day number of ``d`` (0 = ``start``)."""
        return (d - self.start).days

    def date(self, day: int) -> date:
        """The date of day number ``day``."""
        return self.start + timedelta(days=int(day))

    @property
    def days(self) -> int:
        """Number of days in the window."""
        return self.day(self.end) + 1

    def quarter(self, which: Literal["period", "baseline"]) -> tuple[str, int, int]:
        """(label, first day, day after the last) of the period or the baseline quarter."""
        first = date(self.end.year, 3 * ((self.end.month - 1) // 3) + 1, 1)
        if _add_months(first, 3) - timedelta(days=1) != self.end:
            first = _add_months(first, -3)
        if which == "baseline":
            first = _add_months(first, -3)
        return f"{first.year}Q{(first.month - 1) // 3 + 1}", self.day(first), self.day(_add_months(first, 3))

    @property
    def t12_day(self) -> int:
        """First day of the trailing 12 months ``(end - 12 months, end]``, which is also the trend phase."""
        return self.day(_add_months(self.end, -12) + timedelta(days=1))

    def months(self) -> list[tuple[int, int, int]]:
        """(first day, day after the last, calendar month) of every month in the window."""
        out, first = [], date(self.start.year, self.start.month, 1)
        while first <= self.end:
            nxt = _add_months(first, 1)
            out.append((max(self.day(first), 0), min(self.day(nxt), self.days), first.month))
            first = nxt
        return out

    def quarters(self) -> list[tuple[int, int]]:
        """(first day, day after the last) of every calendar quarter in the window, clipped to it."""
        out, first = [], date(self.start.year, 3 * ((self.start.month - 1) // 3) + 1, 1)
        while first <= self.end:
            nxt = _add_months(first, 3)
            out.append((max(self.day(first), 0), min(self.day(nxt), self.days)))
            first = nxt
        return out
