"""The message catalog: every label a reader sees, in English and Simplified Chinese.

Messages live in ``crmreport/locale/*.yaml``, one file per area, each key holding an
``en`` and a ``zh`` text with ``str.format`` placeholders. A word that agrees in number with
a count is written ``{count:plural:singular|plural}``, which prints the singular for exactly 1::

    abtest.active:
      en: "{active} {active:plural:campaign|campaigns} started in the period."
      zh: "本期启动 {active} 个活动。"
"""

from __future__ import annotations

import math
import re
import string
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

Language = Literal["en", "zh"]
LANGUAGES: tuple[str, ...] = ("en", "zh")
#: a catalog entry holding only this key shows a glossary measure's label
MEASURE = "measure"
#: Chinese text: ideographs, CJK punctuation, full-width forms (（）：，) and the curly quotes “”
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u201c\u201d"
#: a space between two Chinese characters ('颜色按 霍尔姆', '电话回访 的转化率', '元 收入'): a value put into a
#: sentence with the spaces that a Latin value needs
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}])")
#: a Chinese ideograph touching a Latin letter or digit ('将CALL-2025Q3', '共3位'): one space goes between them
_MIXED_TOUCH = re.compile(r"(?<=[\u3400-\u9fff])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9%])(?=[\u3400-\u9fff])")
#: Chinese words in ASCII double quotes ("欢迎回来"), outside HTML attributes
_ASCII_QUOTED = re.compile(r'"([^"\n<>=]*[\u3400-\u9fff][^"\n<>=]*)"')
#: the sign of a formatted number that rounds to zero ('-0.0%', '+0.00')
SIGNED_ZERO = re.compile(r"^[-+\u2212](?=0(?:[.,]0*)?\D*$)")
#: p-values below this print as 'p < 0.001'
P_FLOOR = 0.001


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
    text = _FORMATTER.format(text, **values) if values else text
    return zh_typography(text) if language == "zh" else text


def zh_typography(text: str) -> str:
    """Chinese text as a Chinese reader expects it: no space between two Chinese characters, one space between a
    Chinese character and a Latin word or number ('将 CALL-2025Q3', '共 3 位'), full-width quotes.

    One rule for every message and data value a Chinese report prints, so a name put into a sentence
    reads '颜色按霍尔姆', '电话回访的转化率' and '“欢迎回来”' ('颜色按 霍尔姆', '"欢迎回来"' before). A space
    between a number or Latin word and Chinese stays ('7,255,888 元', 'Chen Jing 的').
    """
    return _MIXED_TOUCH.sub(" ", _CJK_SPACE.sub("", _ASCII_QUOTED.sub(r"“\1”", text)))


def p_text(value: object) -> str:
    """A p-value as a reader reads it: 'p = 0.012', 'p < 0.001' (never 1.5e-05), 'p = –' when there is none."""
    if isinstance(value, str) and value.startswith("<"):  # already written for a table ('<0.001')
        return f"p < {value[1:]}"
    try:
        p = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"p = {value}"
    if math.isnan(p):
        return "p = –"
    return f"p < {P_FLOOR:g}" if p < P_FLOOR else f"p = {p:.3f}"


class _MessageFormatter(string.Formatter):
    """``str.format`` plus three specs: ``plural:singular|plural``, ``optional:before|after`` and ``pvalue``.

    ``{p:pvalue}`` prints :func:`p_text` ('p = 0.012', 'p < 0.001'). ``optional`` wraps a value in ``before``
    and ``after`` and prints nothing for an empty value or '–', so '3 deteriorated (–)' can be written
    '{n} deteriorated{names:optional: (|)}'.
    """

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "pvalue":
            return p_text(value)
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
        text = super().format_field(value, format_spec)
        # a number that rounds to zero shows no sign: '0.0%', never '-0.0%' ('+0.0' only when it is no zero)
        return SIGNED_ZERO.sub("", text) if isinstance(value, (int, float)) and not isinstance(value, bool) else text


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
