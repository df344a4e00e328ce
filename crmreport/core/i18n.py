"""The message catalog: every label a reader sees, in English and Simplified Chinese.

Messages live in ``crmreport/locale/*.yaml``, one file per area, each key holding an
``en`` and a ``zh`` text with ``str.format`` placeholders. A word that agrees in number with
a count is written ``{count:plural:singular|plural}``, which prints the singular for exactly 1::

    abtest.active:
      en: "{active} {active:plural:campaign|campaigns} started in the period."
      zh: "本期启动 {active} 个活动。"
"""

from __future__ import annotations

import string
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

Language = Literal["en", "zh"]
LANGUAGES: tuple[str, ...] = ("en", "zh")
#: a catalog entry holding only this key shows a glossary measure's label
MEASURE = "measure"


@cache
def catalog() -> dict[str, dict[str, str]]:
    """All messages, keyed by message key, then language.

    An entry ``{measure: <id>}`` shows a measure of the glossary (``locale/measures.yaml``,
    :mod:`crmreport.measures.glossary`) and takes its label ``measure.label.<id>``, so a measure
    reads the same wherever a chapter names it.
    """
    messages: dict[str, dict[str, str]] = {}
    for entry in sorted(resources.files("crmreport").joinpath("locale").iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        for key, texts in (yaml.safe_load(entry.read_text(encoding="utf-8")) or {}).items():
            if key in messages:
                raise ValueError(f"message key {key!r} is defined twice (second time in locale/{entry.name})")
            messages[key] = texts
    for key, texts in messages.items():
        if set(texts) == {MEASURE}:
            label_key = f"measure.label.{texts[MEASURE]}"
            if label_key not in messages:
                raise ValueError(f"message key {key!r} names measure {texts[MEASURE]!r}, which has no {label_key}")
            messages[key] = messages[label_key]
    return messages


def t(key: str, language: str = "en", **values: object) -> str:
    """Return message ``key`` in ``language`` with ``values`` filled in.

    ``{n:plural:campaign|campaigns}`` prints the word agreeing with ``n``; ``{names:optional: (|)}``
    prints `` (names)``, or nothing when ``names`` is empty or '–'.

    Raises
    ------
    KeyError
        When the key or its translation is missing, so a gap in the catalog fails loudly in tests.
    """
    try:
        text = catalog()[key][language]
    except KeyError:
        raise KeyError(f"message {key!r} has no {language!r} text in crmreport/locale/*.yaml") from None
    return _FORMATTER.format(text, **values) if values else text


class _MessageFormatter(string.Formatter):
    """``str.format`` plus two specs: ``plural:singular|plural`` and ``optional:before|after``.

    ``optional`` wraps a value in ``before`` and ``after`` and prints nothing for an empty value
    or '–', so '3 deteriorated (–)' can be written '{n} deteriorated{names:optional: (|)}'.
    """

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith("optional:"):
            before, _, after = format_spec.removeprefix("optional:").partition("|")
            return "" if value is None or str(value) in ("", "–") else f"{before}{value}{after}"
        if format_spec.startswith("plural:"):
            singular, _, plural = format_spec.removeprefix("plural:").partition("|")
            try:
                one = float(value) == 1
            except (TypeError, ValueError):
                one = False
            return singular if one else plural or singular
        return super().format_field(value, format_spec)


_FORMATTER = _MessageFormatter()


def label(name: str, language: str = "en") -> str:
    """Translate a column or category name when the catalog knows it (key ``label.<name>``), else return it.

    Contract enumerations use ``label.<column>.<value>``, e.g. ``label("direction.outbound", "zh")``.
    """
    texts = catalog().get(f"label.{name}")
    text = texts.get(language) if texts else None
    return text if isinstance(text, str) else name


def labels(values, language: str = "en", prefix: str = "") -> list[str]:
    """:func:`label` of each value (``prefix`` + value as the key), e.g. table names in a column."""
    return [label(f"{prefix}{value}", language) for value in values]
