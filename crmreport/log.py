"""Logging for the CLI: concise progress on the console, everything (tracebacks too) in a log file."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

LOGGER = logging.getLogger("crmreport")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(log_file: Path | None, verbose: bool = False) -> None:
    """Send INFO to stderr (DEBUG with ``verbose``) and DEBUG to ``log_file``."""
    LOGGER.setLevel(logging.DEBUG)
    LOGGER.handlers.clear()
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.DEBUG if verbose else logging.INFO)
    console.setFormatter(logging.Formatter("%(message)s"))
    LOGGER.addHandler(console)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setLevel(logging.DEBUG)
        handler.setFormatter(logging.Formatter(FORMAT))
        LOGGER.addHandler(handler)
        for name in ("papermill", "weasyprint", "fontTools"):
            other = logging.getLogger(name)
            other.handlers.clear()
            other.addHandler(handler)
            other.propagate = False
            other.setLevel(logging.WARNING)
