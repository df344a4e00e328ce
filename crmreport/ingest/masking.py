"""Mask personal data: phones, e-mails, person names and contact names.

Rules (from the users' operating templates):
- phone ``13812345678`` -> ``138****5678`` (first 3 and last 4 digits kept);
- e-mail ``li.lei@x.com`` -> ``l***@x.com``;
- person name -> surname + ``*`` (``李雷`` -> ``李*``, ``Li Lei`` -> ``L*``), company names keep
  their legal form (``华信精密制造有限公司`` -> ``华*有限公司``);
- contact with a role -> the role only (``李经理`` -> ``*经理``, ``Manager Li`` -> ``*Manager``);
- every free-text column: phones (mobile and landline, any separator, +86), every e-mail, and
  the customers' names and contact names where they recur;
- messages and logs show row numbers and masked examples, never a raw personal value.
"""

from __future__ import annotations

import re

import pandas as pd

from ..core.contract import FREE_TEXT_COLUMNS, STAFF_COLUMNS
from .values import map_distinct

COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
                     "夏侯", "令狐", "端木", "西门", "南宫")
CHINESE_ROLES = ("总经理", "副总", "董事长", "总监", "经理", "主任", "主管", "工程师", "老师", "先生", "女士",
                 "厂长", "部长", "科长", "处长", "院长", "校长", "店长", "老板", "专员", "助理", "秘书", "总")
ENGLISH_ROLES = ("purchasing manager", "general manager", "account manager", "manager", "director", "head",
                 "engineer", "buyer", "ceo", "cfo", "cto", "coo", "president", "mr.", "ms.", "mrs.", "dr.", "mr",
                 "ms", "mrs", "dr")
COMPANY_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "co., ltd.", "co. ltd.", "co., ltd",
                    "ltd.", "ltd", "inc.", "inc", "gmbh", "llc", "corp.", "corporation", "group")

_SEP = r"[\s.\-]?"
#: mobiles (13912345678, 139-1234-5678, 139 1234 5678, 150.1111.3333, +86/0086 prefixed) and landlines
#: (010-12345678, 01012349999, (021) 1234 5678, +86 10 12345678)
PHONE_PATTERN = re.compile(
    r"(?<![\d+])(?:(?:\+|00)86[\s.\-]?)?1[3-9]\d" + _SEP + r"\d{4}" + _SEP + r"\d{4}(?!\d)"
    r"|(?<![\d+])(?:(?:\+|00)86[\s.\-]?\(?0?|\(?0)\d{2,3}\)?[\s.\-]?\d{3,4}" + _SEP + r"\d{4}(?!\d)")
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
#: shapes of a person's name: 2-4 CJK characters, or two or three capitalised Latin words
_NAME_SHAPE = re.compile(r"^(?:[\u3400-\u9fff]{2,4}|[A-Z][a-z]+(?: [A-Z][a-z]+){1,2})$")


def mask_phone(phone: str) -> str:
    """Keep the first 3 and last 4 digits of a phone number; shorter numbers are fully masked.

    A cell holding several numbers masks each (``139****5678; 010****5678``).
    """
    found = PHONE_PATTERN.findall(phone)
    if len(found) > 1:
        return "; ".join(mask_phone(one) for one in found)
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) >= 11 and not (len(digits) == 11 and digits[2] == "1"):
        # +86 then a mobile (1...) or a landline written without its leading 0 (+86 10 12345678)
        digits = digits[2:] if digits[2] in "01" and len(digits) == 13 else "0" + digits[2:].lstrip("0")
    if len(digits) < 8:
        return "*" * max(len(digits), 4)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_email(email: str) -> str:
    """Keep the first character of the local part and the domain: ``l***@x.com``.

    A cell holding several addresses masks each (``a***@x.at; b***@y.com``).
    """
    found = EMAIL_PATTERN.findall(email)
    if len(found) > 1:
        return "; ".join(mask_email(one) for one in found)
    local, at, domain = (found[0] if found else email).strip().partition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


def _company_suffix(name: str) -> str | None:
    lowered = name.lower()
    for suffix in COMPANY_SUFFIXES:
        if lowered.endswith(suffix) and len(name) > len(suffix):
            return name[len(name) - len(suffix):]
    return None


def mask_name(name: str) -> str:
    """Surname (first character or compound surname, or the initial of a Latin name) + ``*``."""
    name = name.strip()
    if not name:
        return name
    suffix = _company_suffix(name)
    if suffix is not None:
        return f"{name[0]}*{'' if _CJK.search(suffix) else ' '}{suffix}"
    if _CJK.match(name):
        surname = next((s for s in COMPOUND_SURNAMES if name.startswith(s)), name[0])
        return f"{surname}*"
    return f"{name[0].upper()}*"


def mask_contact(contact: str) -> str:
    """Contact person: ``*`` + role when a role is named (``李经理`` -> ``*经理``), else the name rule."""
    contact = contact.strip()
    if _CJK.match(contact):
        for role in CHINESE_ROLES:
            if contact.endswith(role) and len(contact) > len(role):
                return f"*{role}"
        return mask_name(contact)
    lowered = contact.lower()
    for role in ENGLISH_ROLES:
        match = re.search(rf"(?<![a-z]){re.escape(role)}(?![a-z])", lowered)
        if match:
            return "*" + contact[match.start(): match.end()]
    return mask_name(contact)


class NameFinder:
    """Finds the customers' names and contact names where they recur in free text.

    Names shorter than 2 CJK characters or 4 Latin letters are too common to look for;
    Latin names only match as whole words, case-insensitively.
    """

    def __init__(self, names: object = ()):
        self._names: set[str] = set()
        lengths: dict[str, set[int]] = {}
        for name in names or ():
            if not isinstance(name, str):
                continue
            name = name.strip().lower()
            if len(name) < (2 if _CJK.search(name) else 4):
                continue
            self._names.add(name)
            lengths.setdefault(name[0], set()).add(len(name))
        #: first character -> the lengths of the names starting with it, longest first
        self._lengths = {first: sorted(group, reverse=True) for first, group in lengths.items()}
        self._starts = re.compile("[" + "".join(re.escape(first) for first in sorted(lengths)) + "]") if lengths \
            else None

    def __bool__(self) -> bool:
        return bool(self._names)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Non-overlapping (start, end) of known names in ``text``, the longest name first.

        Linear in the text: at each position only the lengths of names with that first character
        are looked up in a set, however many customers there are.
        """
        lowered, found, i = text.lower(), [], 0
        while self._starts is not None and (start := self._starts.search(lowered, i)) is not None:
            i = start.start()
            end = next((i + n for n in self._lengths.get(lowered[i], ())
                        if lowered[i:i + n] in self._names and self._whole(lowered, i, i + n)), None)
            if end:
                found.append((i, end))
                i = end
            else:
                i += 1
        return found

    @staticmethod
    def _whole(text: str, start: int, end: int) -> bool:
        if not _LATIN.search(text[start:end]):
            return True
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        return not (before.isalnum() and before.isascii()) and not (after.isalnum() and after.isascii())

    def mask(self, text: str) -> str:
        """Replace each known name by its masked form (``mask_contact``: role kept, else surname + ``*``)."""
        if not self._names:
            return text
        pieces, last = [], 0
        for start, end in self.spans(text):
            pieces += [text[last:start], mask_contact(text[start:end])]
            last = end
        return "".join(pieces) + text[last:]


def scrub_text(text: str, names: NameFinder | None = None) -> str:
    """Mask phone numbers, e-mail addresses and (given ``names``) known customer names inside free text."""
    text = EMAIL_PATTERN.sub(lambda m: mask_email(m.group(0)), text)
    text = PHONE_PATTERN.sub(lambda m: mask_phone(m.group(0)), text)
    return names.mask(text) if names else text


def masked_example(value: object, names: NameFinder | None = None, personal_table: bool = False) -> str:
    """A value as it may appear in a message or log: contact details and known names masked.

    In a table that holds personal columns (customers), a value shaped like a person's or a
    company's name (e.g. a name shifted into another column) is masked as a name.
    """
    text = scrub_text(str(value), names)
    if personal_table and text == str(value) and (_NAME_SHAPE.match(text.strip()) or _company_suffix(text.strip())):
        return mask_contact(text)
    return text


def _apply(series: pd.Series, rule) -> pd.Series:
    return map_distinct(series, rule)


COLUMN_RULES = {"name": mask_name, "contact_name": mask_contact, "phone": mask_phone, "email": mask_email}


def mask_table(table: str, frame: pd.DataFrame, names: NameFinder | None = None) -> pd.DataFrame:
    """Return a copy of ``frame`` with the personal columns of ``table`` masked.

    Personal columns follow their rule (``COLUMN_RULES``); every free-text column
    (``FREE_TEXT_COLUMNS``) is scrubbed of phones, e-mails and the customers' names in ``names``;
    staff columns (``STAFF_COLUMNS``) of phones and e-mails only.
    """
    masked = frame.copy(deep=False)  # copy-on-write: replaced columns never reach ``frame``
    if table == "customers":
        for column, rule in COLUMN_RULES.items():
            if column in masked:
                masked[column] = _apply(masked[column], rule)
    for column in FREE_TEXT_COLUMNS.get(table, ()):
        if column in masked:
            masked[column] = _apply(masked[column], lambda text: scrub_text(text, names))
    for column in STAFF_COLUMNS.get(table, ()):
        if column in masked:
            masked[column] = _apply(masked[column], scrub_text)
    return masked
