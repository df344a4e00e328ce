"""Credentials never leave the process: URLs are written with their password replaced by ``***``."""

from __future__ import annotations

import re

#: scheme://user:password@  (the password part is what gets replaced: up to the last '@' before the host,
#: so a password written without percent-encoding, ``p@ss/w0rd#Xq``, is replaced whole)
_CREDENTIALS = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@'\"]*):(?P<secret>[^\s'\"]+)@")
#: characters a URL's password must percent-encode (``@`` -> ``%40``): written raw, the URL is misread
UNENCODED = "@/#?"
#: ?password=... or &pwd=... in a URL's query string
_QUERY_SECRET = re.compile(r"(?i)(?P<head>[?&](?:password|passwd|pwd|secret|token|api_key)=)[^&\s'\"]+")
REDACTED = "***"


def redact_url(url: str) -> str:
    """``postgresql+psycopg://u:S3cret@h/db`` -> ``postgresql+psycopg://u:***@h/db``; other text unchanged."""
    return redact_text(url)


def redact_text(text: str) -> str:
    """Replace the password of every URL inside ``text`` (a command line, a message, a log line)."""
    text = _CREDENTIALS.sub(lambda m: f"{m.group('head')}:{REDACTED}@", text)
    return _QUERY_SECRET.sub(lambda m: f"{m.group('head')}{REDACTED}", text)


def unencoded_password(url: str) -> bool:
    """True when the password in ``url`` holds ``@ / # ?`` written raw (the URL would be split in the wrong
    place, and part of the password read as the host or the database)."""
    match = _CREDENTIALS.search(url)
    return match is not None and any(char in match.group("secret") for char in UNENCODED)


def redact_mapping(value: object) -> object:
    """A copy of nested dicts/lists/strings (params as JSON) with every URL password redacted."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: redact_mapping(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_mapping(item) for item in value]
    return value
