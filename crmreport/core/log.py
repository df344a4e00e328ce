"""Logging for the CLI: concise progress on the console, everything (tracebacks too) in a log file."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from .redact import redact_text

LOGGER = logging.getLogger("crmreport")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """A formatter that removes URL passwords from every line it writes (tracebacks included)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record))


def _file_handler(path: Path) -> logging.FileHandler:
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(RedactingFormatter(FORMAT))
    return handler


def attach_log_file(path: Path) -> logging.FileHandler:
    """Also log to ``path`` (a report's run.log) until :func:`detach_log_file`."""
    handler = _file_handler(path)
    LOGGER.addHandler(handler)
    if LOGGER.level == logging.NOTSET or LOGGER.level > logging.INFO:
        LOGGER.setLevel(logging.INFO)
    return handler


def detach_log_file(handler: logging.FileHandler) -> None:
    """Stop logging to a file attached with :func:`attach_log_file` and close it."""
    LOGGER.removeHandler(handler)
    handler.close()


def configure(log_file: Path | None, verbose: bool = False) -> None:
    """Send INFO to stderr (DEBUG with ``verbose``) and DEBUG to ``log_file``."""
    LOGGER.setLevel(logging.DEBUG)
    LOGGER.handlers.clear()
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.DEBUG if verbose else logging.INFO)
    console.setFormatter(RedactingFormatter("%(message)s"))
    LOGGER.addHandler(console)
    if log_file is not None:
        handler = _file_handler(log_file)
        LOGGER.addHandler(handler)
        for name in ("papermill", "weasyprint", "fontTools"):
            other = logging.getLogger(name)
            other.handlers.clear()
            other.addHandler(handler)
            other.propagate = False
            other.setLevel(logging.WARNING)
