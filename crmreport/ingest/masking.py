"""Mask personal data: phones, e-mails, person names and contact names.

Rules (from the users' operating templates):
- phone ``13812345678`` -> ``138****5678`` (first 3 and last 4 digits kept);
- e-mail ``li.lei@x.com`` -> ``l***@x.com``;
- person name -> surname + ``*`` (``李雷`` -> ``李*``, ``Li Lei`` -> ``L*``), company names keep
  their legal form (``华信精密制造有限公司`` -> ``华*有限公司``);
- contact with a role -> the role only (``李经理`` -> ``*经理``, ``Manager Li`` -> ``*Manager``);
- every free-text column: every value of a personal shape (:mod:`.shapes`: phones in any grouping,
  e-mails, resident ID numbers, WeChat/QQ ids, after folding full-width forms), and the customers'
  names and contact names where they recur, whole or in their parts (:class:`NameFinder`);
- messages and logs show row numbers and masked examples, never a raw personal value.

What is masked is counted per table and column (:func:`mask_counted`).
"""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as arrow
import pyarrow.compute as pc

from ..core.contract import FREE_TEXT_COLUMNS, STAFF_COLUMNS
from .shapes import email_spans, fold, masked_email, masked_phone_digits, personal_spans
from .values import map_distinct

COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
                     "夏侯", "令狐", "端木", "西门", "南宫")
CHINESE_ROLES = ("总经理", "副总", "董事长", "总监", "经理", "主任", "主管", "工程师", "老师", "先生", "女士",
                 "厂长", "部长", "科长", "处长", "院长", "校长", "店长", "老板", "专员", "助理", "秘书", "总")
ENGLISH_ROLES = ("purchasing manager", "general manager", "account manager", "manager", "director", "head",
                 "engineer", "buyer", "ceo", "cfo", "cto", "coo", "president", "mr.", "ms.", "mrs.", "dr.", "mr",
                 "ms", "mrs", "dr")
#: words naming a function next to a role (采购经理, Procurement Director): never part of a person's name
FUNCTION_WORDS_ZH = ("采购", "销售", "技术", "财务", "市场", "运营", "项目", "客服", "行政", "人事", "生产", "质量",
                     "品质", "高级", "区域", "大区", "首席", "执行", "常务", "副")
FUNCTION_WORDS_EN = frozenset(("procurement", "purchasing", "operations", "sales", "marketing", "technical", "finance",
                               "project", "senior", "chief", "vice", "deputy", "assistant", "regional", "general",
                               "product", "service", "account", "executive", "managing", "the", "and", "of"))
COMPANY_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "co., ltd.", "co. ltd.", "co., ltd",
                    "ltd.", "ltd", "inc.", "inc", "gmbh", "llc", "corp.", "corporation", "group")

_ENGLISH_ROLE = re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(role) for role in ENGLISH_ROLES) + r")(?![a-z])")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
#: shapes of a person's name: 2-4 CJK characters, or two or three capitalised Latin words
_NAME_SHAPE = re.compile(r"^(?:[\u3400-\u9fff]{2,4}|[A-Z][a-z]+(?: [A-Z][a-z]+){1,2})$")


def mask_phone(phone: str) -> str:
    """Keep the first 3 and last 4 digits of a phone number; shorter numbers are fully masked.

    Any grouping, separator, country code or full-width digits (:mod:`.shapes`); a cell holding
    several numbers masks each (``139****5678; 010****5678``).
    """
    folded = fold(phone)
    found = [masked for _, _, masked in personal_spans(folded)]
    if found:
        return "; ".join(found)
    return masked_phone_digits(re.sub(r"\D", "", folded))


def mask_email(email: str) -> str:
    """Keep the first character of the local part and the domain: ``l***@x.com``.

    A cell holding several addresses masks each (``a***@x.at; b***@y.com``).
    """
    folded = fold(email).strip()
    found = [masked_email(folded[start:end]) for start, end in email_spans(folded)]
    return "; ".join(found) if found else "***"


def _ending(words: tuple[str, ...]) -> re.Pattern[str]:
    """One of ``words`` at the end of a text, after at least one character (the longest that fits)."""
    return re.compile("(?i)(?<=.)(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")$",
                      re.DOTALL)


_COMPANY_SUFFIX = _ending(COMPANY_SUFFIXES)
_CHINESE_ROLE = _ending(CHINESE_ROLES)
_COMPOUND = frozenset(COMPOUND_SURNAMES)
_FUNCTION_ZH = re.compile("(?:" + "|".join(FUNCTION_WORDS_ZH) + ")+$")


def _company_suffix(name: str) -> str | None:
    found = _COMPANY_SUFFIX.search(name)
    return found.group(0) if found else None


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


def name_parts(value: str) -> list[tuple[str, bool]]:
    """The forms in which a customer's name or contact name is looked for in free text.

    Returns (form, whole) pairs: the name as written; without its role or title (``刘德明经理`` ->
    ``刘德明``, ``Director Emily Watson`` -> ``Emily Watson``) and without a company's legal form
    (``华信精密制造有限公司`` -> ``华信精密制造``): these are ``whole`` forms, found in any letter case;
    and the parts of a person's name: the given name of a CJK name of 3 or more characters (``德明``)
    and each Latin word of 3 or more letters (``Emily``, ``Watson``), found only in the case written.
    A single CJK character (a surname) is never a form: it would mask every occurrence of it; nor
    is a function word beside a role (``采购`` of ``王采购经理``, ``Procurement`` of ``Procurement Director Wang``).
    """
    value = fold(value).strip()
    if not value:
        return []
    core = _without_role(value)
    forms = [(value, True)] if core != value else []  # the core is added below (whole, or in its parts)
    company = _company_suffix(core)
    if company is not None:
        forms.append((core[: len(core) - len(company)].strip(" ,."), True))
    elif _CJK.match(core):
        core = _FUNCTION_ZH.sub("", core) if core != value else core  # 王采购经理: 王, never 采购
        forms.append((core, True))
        surname = 2 if core[:2] in _COMPOUND else 1
        if len(core) - surname >= 2:
            forms.append((core[surname:], False))
    else:
        words = [word for word in _LATIN_WORD.findall(core) if word.lower() not in FUNCTION_WORDS_EN]
        if len(words) > 1 or core == value:  # a single word left by a role (Manager Wang) is a part only
            forms.append((" ".join(words), True))
        forms += [(word, False) for word in words if len(word) >= 3]
    return [(form, whole) for form, whole in forms if len(form) >= (2 if _CJK.search(form) else 3 if not whole else 4)]


def _without_role(contact: str) -> str:
    if _CJK.match(contact):
        role = _CHINESE_ROLE.search(contact)
        return contact[: role.start()] if role else contact
    if not _ENGLISH_ROLE.search(contact.lower()):
        return contact
    lowered = _ENGLISH_ROLE.sub(lambda m: " " * len(m.group(0)), contact.lower())
    if len(lowered) != len(contact):
        return contact
    return " ".join("".join(c if k != " " else " " for c, k in zip(contact, lowered, strict=True)).split())


_ABSENT = object()


class NameFinder:
    """Finds the customers' names and contact names where they recur in free text, whole or in parts.

    The forms looked for are :func:`name_parts`: whole names (and names without role or legal
    form) of at least 2 CJK characters or 4 Latin letters, in any case; given names of at least 2
    CJK characters and Latin name words of at least 3 letters, in the case written (``Watson``,
    ``WATSON``, never ``watson``). Latin forms only match as whole words.
    """

    def __init__(self, names: object = ()):
        #: lowered form -> the exact spellings a part must have (None: a whole form, any case)
        self._forms: dict[str, set[str] | None] = {}
        lengths: dict[str, set[int]] = {}
        for name in names or ():
            if not isinstance(name, str):
                continue
            for form, whole in name_parts(name):
                key = form.lower()
                if whole or self._forms.get(key, set()) is None:
                    self._forms[key] = None
                else:
                    self._forms.setdefault(key, set()).update({form, form.upper()})
                lengths.setdefault(key[0], set()).add(len(key))
        #: first character -> the lengths of the forms starting with it, longest first
        self._lengths = {first: sorted(group, reverse=True) for first, group in lengths.items()}
        # a Latin form starts a word: the regex skips letters inside words without a Python step
        latin = "".join(re.escape(first) for first in sorted(lengths) if first.isascii())
        other = "".join(re.escape(first) for first in sorted(lengths) if not first.isascii())
        starts = ([f"(?<![a-z0-9])[{latin}]"] if latin else []) + ([f"[{other}]"] if other else [])
        self._starts = re.compile("|".join(starts)) if starts else None

    def __bool__(self) -> bool:
        return bool(self._forms)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Non-overlapping (start, end) of known names in (folded) ``text``, the longest form first.

        Linear in the text: at each position only the lengths of forms with that first character
        are looked up in a dict, however many customers there are.
        """
        lowered, found, i = text.lower(), [], 0
        while self._starts is not None and (start := self._starts.search(lowered, i)) is not None:
            i, end = start.start(), None
            for n in self._lengths[lowered[i]]:
                spellings = self._forms.get(lowered[i:i + n], _ABSENT)
                if spellings is not _ABSENT and (spellings is None or text[i:i + n] in spellings) \
                        and self._whole(lowered, i, i + n):
                    end = i + n
                    break
            if end:
                found.append((i, end))
                i = end
            else:
                i += 1
        return found

    def masked(self, found: str) -> str:
        """A form found in text, masked: a contact's role kept (``*经理``), else surname + ``*``; a part
        by its initial (``W*``), a CJK given name by ``*`` alone."""
        if self._forms.get(fold(found).lower()) is None:
            return mask_contact(found)
        return "*" if _CJK.match(found) else f"{found[0]}*"

    @staticmethod
    def _whole(text: str, start: int, end: int) -> bool:
        if not _LATIN.search(text[start:end]):
            return True
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        return not (before.isalnum() and before.isascii()) and not (after.isalnum() and after.isascii())


def scrub_text(text: str, names: NameFinder | None = None) -> str:
    """Mask every personal shape (phones, e-mails, ID numbers, messaging ids) and (given ``names``) known
    customer names inside free text; the rest of the text is kept as written."""
    folded = fold(text)
    spans = personal_spans(folded)
    if names:
        taken = [(start, end) for start, end, _ in spans]
        spans += [(start, end, names.masked(text[start:end])) for start, end in names.spans(folded)
                  if not any(start < b and a < end for a, b in taken)]
        spans.sort()
    pieces, last = [], 0
    for start, end, masked in spans:
        pieces += [text[last:start], masked]
        last = end
    return "".join(pieces) + text[last:]


def masked_example(value: object, names: NameFinder | None = None, personal_table: bool = False) -> str:
    """A value as it may appear in a message or log: contact details and known names masked.

    In a table that holds personal columns (customers), a value shaped like a person's or a
    company's name (e.g. a name shifted into another column) is masked as a name.
    """
    text = scrub_text(str(value), names)
    if personal_table and text == str(value) and (_NAME_SHAPE.match(text.strip()) or _company_suffix(text.strip())):
        return mask_contact(text)
    return text


#: ids that may hold a personal value (checked in full, once per distinct value): an '@', a non-ASCII
#: character, a mobile, a landline, a resident ID or digit groups; others (C000123, T00000042) are codes
_SUSPECT_ID = r"@|[^\x00-\x7f]|1[3-9][0-9]{9}|0[1-9][0-9]{8,10}|[0-9]{17}[0-9Xx]|[0-9][ ._/()-]+[0-9]{3}"


def personal_ids(ids: pd.Series, names: NameFinder | None = None) -> pd.Series:
    """True where an id holds a personal value (a phone, an e-mail, an ID number, a customer's name).

    Ids reach file names, tables and charts unmasked (masking one could merge two of them), so
    such ids are refused, not masked. The whole column is screened inside Arrow; only suspect ids
    are scrubbed (:func:`scrub_text`), once per distinct value.
    """
    array = arrow.array(ids.astype("str"), from_pandas=True)
    suspect = pc.fill_null(pc.match_substring_regex(array, _SUSPECT_ID), False).to_numpy(zero_copy_only=False)
    found = pd.Series(False, index=ids.index)
    if suspect.any():
        found[suspect] = map_distinct(ids[suspect], lambda v: scrub_text(v, names) != v, "boolean").fillna(False)
    return found


COLUMN_RULES = {"name": mask_name, "contact_name": mask_contact, "phone": mask_phone, "email": mask_email}


def mask_counted(table: str, frame: pd.DataFrame, names: NameFinder | None = None) -> tuple[pd.DataFrame,
                                                                                              dict[str, int]]:
    """A copy of ``frame`` with the personal columns of ``table`` masked, and the cells masked per column.

    Personal columns follow their rule (``COLUMN_RULES``); every free-text column
    (``FREE_TEXT_COLUMNS``) is scrubbed of personal shapes and the customers' names in ``names``;
    staff columns (``STAFF_COLUMNS``) of personal shapes only.
    """
    masked = frame.copy(deep=False)  # copy-on-write: replaced columns never reach ``frame``
    rules = dict(COLUMN_RULES) if table == "customers" else {}
    rules.update({column: (lambda text: scrub_text(text, names)) for column in FREE_TEXT_COLUMNS.get(table, ())})
    rules.update({column: scrub_text for column in STAFF_COLUMNS.get(table, ())})
    counts = {}
    for column, rule in rules.items():
        if column in masked:
            masked[column] = map_distinct(masked[column], rule)
            before = frame[column].astype("str")
            changed = int((before.notna() & (masked[column] != before).fillna(False)).sum())
            if changed:
                counts[column] = changed
    return masked, counts


def mask_table(table: str, frame: pd.DataFrame, names: NameFinder | None = None) -> pd.DataFrame:
    """:func:`mask_counted` without the counts."""
    return mask_counted(table, frame, names)[0]
