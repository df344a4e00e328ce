"""Recognise personal values by their shape in any text: phones, e-mails, ID numbers, messaging ids.

Text is first folded character by character (:func:`fold`): full-width and other compatibility
forms become their plain ASCII twins (NFKC, ``１３８`` -> ``138``, ``＠`` -> ``@``), every decimal
digit becomes 0-9 and dashes, non-breaking and ideographic spaces become ``-`` and `` ``. The fold
never changes a text's length, so what is found in the folded text is masked at the same place
in the original. Shapes recognised (:func:`personal_spans`, in this order):

- e-mail addresses, with any letters in the local part and domain (``王建国@公司.cn``), found from
  each ``@``;
- PRC resident ID numbers: 18 characters (17 digits and a check digit 0-9 or X) holding a real
  birth date, with or without separators between region, birth date and sequence;
- WeChat and QQ ids written after their cue (``微信: wxid_abc123``, ``WeChat abc_123``, ``QQ 12345678``);
- phone numbers: Chinese mobiles (11 digits from 13-19) and landlines with their area code (a
  leading 0, or +86), any grouping and separators (space, dot, hyphen, slash, underscore,
  brackets), with or without +86/0086/86; numbers of any other country written with ``+`` or
  ``00`` and a country code. Landlines and other countries' numbers are confirmed by the
  ``phonenumbers`` library (valid Chinese fixed line; possible number of that country).

Every pattern is linear in the text (bounded repetitions, no nested unbounded ones): a 1 MB
value is scanned in milliseconds.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import phonenumbers

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u30fc\u2500"
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"


@cache
def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x80, 0x10000):
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1 and folded != char:
            table[code] = folded
        digit = unicodedata.digit(char, None)
        if digit is not None and unicodedata.category(char) == "Nd":
            table[code] = str(digit)
    table.update({ord(char): "-" for char in _DASHES})
    table.update({ord(char): " " for char in _SPACES})
    return table


def fold(text: str) -> str:
    """Full-width forms, other digits, dashes and spaces as plain ASCII; the same length as ``text``."""
    return text.translate(_fold_table())


_SEP = r"[\s.\-/_]{0,2}"  # between digit groups: at most two separators
#: an e-mail's domain (any script; an ASCII or Chinese top-level domain), matched right after its '@'
EMAIL_DOMAIN = re.compile(r"(?:[^\W_]|-){1,63}(?:\.(?:[^\W_]|-){1,63}){0,8}\.(?:[A-Za-z]{2,24}(?![A-Za-z0-9\-])"
                          r"|[\u4e00-\u9fff]{2,4})")
LOCAL_PART_LENGTH = 64
RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}[\s\-]?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
                         r"[\s\-]?\d{3}[0-9Xx](?![0-9A-Za-z])")
_ID_CHARS = r"[A-Za-z0-9_\-]"
#: a cue, then an id: after a colon (or 号/是/为) any 5-30 ASCII characters starting with a letter, else one
#: holding a digit, '_' or '-' (``WeChat group`` is not an id), or 5-12 digits (QQ)
MESSAGING_ID = re.compile(
    r"(?i)(?<![A-Za-z])(?:微信号?|weixin|wechat|wx|vx|v信|qq|扣扣)(?:号|id)?"
    r"(?:\s{0,2}[:：=号是为]\s{0,2}(?P<id>[A-Za-z]" + _ID_CHARS + r"{4,29}|\d{5,12})"
    r"|\s{0,2}(?P<coded>[A-Za-z](?=[A-Za-z]{0,28}[0-9_\-])" + _ID_CHARS + r"{4,29}|\d{5,12}))(?!" + _ID_CHARS + r")")
MOBILE = re.compile(r"(?<![\d+])(?:\(?(?:\+|00)?86\)?" + _SEP + r")?1[3-9]\d(?:" + _SEP + r"\d){8}(?!\d)")
LANDLINE = re.compile(r"(?<![\d+])(?:(?:(?:\+|00)\(?86\)?" + _SEP + r"\(?0?)|\(?0)[1-9]\d{1,2}\)?" + _SEP
                      + r"\d(?:" + _SEP + r"\d){6,7}(?!\d)")
INTERNATIONAL = re.compile(r"(?<![\d+])(?:\+|00)\s?\(?[1-9]\d{0,2}\)?(?:" + _SEP + r"\(?\d{1,5}\)?){1,6}(?!\d)")
#: what a masked phone shows: the first 3 and last 4 digits
PHONE_KEPT = (3, 4)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def phone_digits(match: str) -> str | None:
    """The digits a phone-shaped ``match`` (folded) is dialled with, or None when it is not a phone.

    Chinese numbers come back in national form (``13812345678``, ``01012345678``); others as
    ``+`` country code and number (``+442079460958``).
    """
    digits = _digits(match)
    international = match.lstrip("(").startswith(("+", "00"))
    if international:
        digits = digits[2:] if match.lstrip("(").startswith("00") else digits
        try:
            number = phonenumbers.parse("+" + digits)
        except phonenumbers.NumberParseException:
            return None
        if number.country_code != 86:  # '00' also begins amounts and codes: those must be valid numbers
            plausible = phonenumbers.is_possible_number if match.lstrip("(").startswith("+") else \
                phonenumbers.is_valid_number
            return "+" + digits if plausible(number) else None
        digits = str(number.national_number)
    elif digits.startswith("86") and len(digits) in (12, 13) and digits[2] != "0":
        digits = digits[2:]
    if len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789":
        return digits
    national = digits if digits.startswith("0") else "0" + digits
    try:
        number = phonenumbers.parse(national, "CN")
    except phonenumbers.NumberParseException:
        return None
    return national if phonenumbers.is_valid_number(number) else None


def masked_phone_digits(digits: str) -> str:
    """``13812345678`` -> ``138****5678``; fewer than 8 digits are all hidden."""
    first, last = PHONE_KEPT
    if len(digits.lstrip("+")) < 8:
        return "*" * max(len(digits), 4)
    return f"{digits[:first]}****{digits[-last:]}"


def _local_char(char: str, ascii_only: bool) -> bool:
    return (char.isalnum() or char in "._%+-") and (char.isascii() or not ascii_only)


def email_spans(folded: str) -> list[tuple[int, int]]:
    """(start, end) of every e-mail address in ``folded`` text, found from each '@' (linear in the text).

    The local part is the run of letters, digits and ``._%+-`` before the '@' (at most 64
    characters); when the character before the '@' is ASCII, only the ASCII tail of that run
    (``邮箱wang@x.cn`` -> ``wang@x.cn``); else the whole run (``王建国@公司.cn``).
    """
    spans, at = [], folded.find("@")
    while at != -1:
        domain = EMAIL_DOMAIN.match(folded, at + 1)
        if domain is not None and at > 0:
            ascii_only, start = folded[at - 1].isascii(), at
            while start > 0 and at - start < LOCAL_PART_LENGTH and _local_char(folded[start - 1], ascii_only):
                start -= 1
            if start < at:
                spans.append((start, domain.end()))
        at = folded.find("@", at + 1)
    return spans


def masked_email(address: str) -> str:
    """Keep the first character of the local part and the domain: ``l***@x.com``."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _id_mask(text: str) -> str:
    digits = re.sub(r"[\s\-]", "", text)
    return f"{digits[:3]}{'*' * 11}{digits[-4:]}"


def personal_spans(folded: str) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, masked form) of every personal value shaped in ``folded`` text."""
    spans: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, masked: str) -> None:
        if not any(start < other_end and other_start < end for other_start, other_end in taken):
            spans.append((start, end, masked))
            taken.append((start, end))

    for start, end in email_spans(folded):
        add(start, end, masked_email(folded[start:end]))
    for match in RESIDENT_ID.finditer(folded):
        add(match.start(), match.end(), _id_mask(match.group(0)))
    for match in MESSAGING_ID.finditer(folded):
        group = "id" if match.group("id") is not None else "coded"
        add(match.start(group), match.end(group), match.group(group)[:1] + "***")
    for pattern in (MOBILE, LANDLINE, INTERNATIONAL):
        for match in pattern.finditer(folded):
            digits = phone_digits(match.group(0))
            if digits is not None:
                add(match.start(), match.end(), masked_phone_digits(digits))
    return sorted(spans)


def has_personal_shape(text: str) -> bool:
    """True when ``text`` holds a phone, e-mail, ID number or messaging id (:func:`personal_spans`)."""
    return bool(personal_spans(fold(text)))
