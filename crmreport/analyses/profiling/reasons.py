"""Quarantine reasons and data-quality details in the reader's words.

The loader writes quarantine reasons as stable English codes (``csat outside 1-5``,
``first_response_at before opened_at``, see :mod:`crmreport.ingest.clean`); the quarantine files
keep them. Reports show them through the catalog, with column labels instead of column names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

import pandas as pd

from ...core.i18n import label, t
from ...ingest.clean import REASON_ORPHAN_OF_QUARANTINED

_NUMBER = r"-?\d+(?:\.\d+)?"
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"^(?P<column>\w+) outside (?P<low>{_NUMBER})-(?P<high>{_NUMBER})$"), "outside"),
    (re.compile(rf"^(?P<column>\w+) below (?P<low>{_NUMBER})$"), "below"),
    (re.compile(r"^(?P<column>\w+) in the future \(after (?P<date>[\d-]+)\)$"), "future"),
    (re.compile(r"^(?P<later>\w+) before (?P<earlier>\w+)$"), "before"),
    (re.compile(r"^missing (?P<column>\w+)$"), "missing"),
)
_COLUMNS = ("column", "later", "earlier")
_DAYS = re.compile(r"^(\d+) days$")


def reason_text(reason: str, language: str = "en") -> str:
    """A quarantine reason for a reader: 'first_response_at before opened_at' -> 'First response at before Opened at'.

    A reason of an unknown form is returned unchanged.
    """
    if reason == REASON_ORPHAN_OF_QUARANTINED:
        return t("quality.reason.orphan", language)
    for pattern, key in _REASONS:
        found = pattern.match(reason)
        if found:
            values = {name: label(value, language) if name in _COLUMNS else value
                      for name, value in found.groupdict().items()}
            return t(f"quality.reason.{key}", language, **values)
    return reason


def reasons_text(reasons: dict[str, int], language: str = "en") -> str:
    """Quarantine reasons with their row counts as one cell: 'CSAT score outside 1-5 (2); ...', '–' for none."""
    separator = "；" if language == "zh" else "; "
    brackets = "（{}）" if language == "zh" else " ({})"
    return separator.join(reason_text(reason, language) + brackets.format(f"{n:,}")
                          for reason, n in reasons.items()) or "–"


def issue_detail(detail: object, language: str = "en") -> object:
    """The ``detail`` of a data-quality issue for a reader: a quarantine reason or a table's age."""
    if not isinstance(detail, str) or pd.isna(detail):
        return detail
    days = _DAYS.match(detail)
    return t("quality.detail.days", language, days=int(days.group(1))) if days else reason_text(detail, language)


def detail_format(language: str = "en") -> Callable[[object], object]:
    """:func:`issue_detail` in ``language``, as a column format of ``Report.table``."""
    return partial(issue_detail, language=language)
