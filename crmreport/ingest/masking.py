"""Mask personal data: phones, e-mails, person names and contact names.

Rules (from the users' operating templates):
- phone ``13812345678`` -> ``138****5678`` (first 3 and last 4 digits kept);
- e-mail ``li.lei@x.com`` -> ``l***@x.com``;
- person name -> surname + ``*`` (``李雷`` -> ``李*``, ``Li Lei`` -> ``L*``), company names keep
  their legal form (``华信精密制造有限公司`` -> ``华*有限公司``);
- contact with a role -> the role only (``李经理`` -> ``*经理``, ``Manager Li`` -> ``*Manager``).
"""

from __future__ import annotations

import re

import pandas as pd

from ..core.contract import FREE_TEXT_COLUMNS

COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
                     "夏侯", "令狐", "端木", "西门", "南宫")
CHINESE_ROLES = ("总经理", "副总", "董事长", "总监", "经理", "主任", "主管", "工程师", "老师", "先生", "女士",
                 "厂长", "部长", "科长", "处长", "院长", "校长", "店长", "老板", "专员", "助理", "秘书", "总")
ENGLISH_ROLES = ("purchasing manager", "general manager", "account manager", "manager", "director", "head",
                 "engineer", "buyer", "ceo", "cfo", "cto", "coo", "president", "mr.", "ms.", "mrs.", "dr.", "mr",
                 "ms", "mrs", "dr")
COMPANY_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "co., ltd.", "co. ltd.", "co., ltd",
                    "ltd.", "ltd", "inc.", "inc", "gmbh", "llc", "corp.", "corporation", "group")

PHONE_PATTERN = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)|(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_CJK = re.compile(r"[\u3400-\u9fff]")


def mask_phone(phone: str) -> str:
    """Keep the first 3 and last 4 digits of a phone number; shorter numbers are fully masked."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) < 8:
        return "*" * max(len(digits), 4)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_email(email: str) -> str:
    """Keep the first character of the local part and the domain: ``l***@x.com``."""
    local, at, domain = email.strip().partition("@")
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


def scrub_text(text: str) -> str:
    """Mask phone numbers and e-mail addresses inside free text."""
    text = PHONE_PATTERN.sub(lambda m: mask_phone(m.group(0)), text)
    return EMAIL_PATTERN.sub(lambda m: mask_email(m.group(0)), text)


def _apply(series: pd.Series, rule) -> pd.Series:
    present = series.notna()
    masked = series.copy()
    masked[present] = [rule(value) for value in series[present]]
    return masked


COLUMN_RULES = {"name": mask_name, "contact_name": mask_contact, "phone": mask_phone, "email": mask_email}


def mask_table(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` with the personal columns of ``table`` masked."""
    masked = frame.copy()
    if table == "customers":
        for column, rule in COLUMN_RULES.items():
            if column in masked:
                masked[column] = _apply(masked[column], rule)
    for column in FREE_TEXT_COLUMNS.get(table, ()):
        if column in masked:
            masked[column] = _apply(masked[column], scrub_text)
    return masked
