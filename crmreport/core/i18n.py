"""The message catalog: every label a reader sees, in English and Simplified Chinese.

Messages live in ``crmreport/locale/*.yaml``, one file per area, each key holding an
``en`` and a ``zh`` text with ``str.format`` placeholders.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

import yaml

Language = Literal["en", "zh"]
LANGUAGES: tuple[str, ...] = ("en", "zh")


@cache
def catalog() -> dict[str, dict[str, str]]:
    """All messages, keyed by message key, then language."""
    messages: dict[str, dict[str, str]] = {}
    for entry in sorted(resources.files("crmreport").joinpath("locale").iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        for key, texts in (yaml.safe_load(entry.read_text(encoding="utf-8")) or {}).items():
            if key in messages:
                raise ValueError(f"message key {key!r} is defined twice (second time in locale/{entry.name})")
            messages[key] = texts
    return messages


def t(key: str, language: str = "en", **values: object) -> str:
    """Return message ``key`` in ``language`` with ``values`` filled in.

    Raises
    ------
    KeyError
        When the key or its translation is missing, so a gap in the catalog fails loudly in tests.
    """
    try:
        text = catalog()[key][language]
    except KeyError:
        raise KeyError(f"message {key!r} has no {language!r} text in crmreport/locale/*.yaml") from None
    return text.format(**values) if values else text


def label(name: str, language: str = "en") -> str:
    """Translate a column or category name when the catalog knows it (key ``label.<name>``), else return it."""
    texts = catalog().get(f"label.{name}")
    return texts[language] if texts and language in texts else name


def labels(values, language: str = "en", prefix: str = "") -> list[str]:
    """:func:`label` of each value (``prefix`` + value as the key), e.g. table names in a column."""
    return [label(f"{prefix}{value}", language) for value in values]
