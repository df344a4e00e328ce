"""Logging for the CLI: concise progress on the console, everything (tracebacks too) in a log.

A command keeps its DEBUG log in memory; :meth:`CommandLog.close` writes it to a file only when
asked (the CLI does so when a command fails) and removes every handler it added, so nothing keeps
appending to a file after the command. A run's own log is ``run.log`` in its report folder
(:func:`attach_log_file`).
"""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

from .redact import redact_text

LOGGER = logging.getLogger("crmreport")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: libraries whose warnings belong in the log, not on the console
QUIET = ("papermill", "weasyprint", "fontTools")


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


class CommandLog:
    """The logging of one CLI command: INFO (DEBUG with ``verbose``) to stderr, DEBUG kept in memory."""

    def __init__(self, verbose: bool = False):
        self.buffer = io.StringIO()
        self.memory = logging.StreamHandler(self.buffer)
        self.memory.setLevel(logging.DEBUG)
        self.memory.setFormatter(RedactingFormatter(FORMAT))
        self.console = logging.StreamHandler(sys.stderr)
        self.console.setLevel(logging.DEBUG if verbose else logging.INFO)
        self.console.setFormatter(RedactingFormatter("%(message)s"))
        self._saved = [(LOGGER, LOGGER.level, LOGGER.handlers[:], LOGGER.propagate)]
        self._saved += [(logging.getLogger(name), logging.getLogger(name).level, logging.getLogger(name).handlers[:],
                         logging.getLogger(name).propagate) for name in QUIET]
        LOGGER.setLevel(logging.DEBUG)
        LOGGER.handlers[:] = [self.console, self.memory]
        LOGGER.propagate = False
        for name in QUIET:
            other = logging.getLogger(name)
            other.handlers[:] = [self.memory]
            other.propagate = False
            other.setLevel(logging.WARNING)

    def text(self) -> str:
        """Everything logged so far."""
        return self.buffer.getvalue()

    def close(self, keep: Path | None = None) -> Path | None:
        """Remove the handlers and restore the loggers; write the log to ``keep`` when given."""
        for logger, level, handlers, propagate in self._saved:
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate = propagate
        self.console.close()
        self.memory.close()
        if keep is None:
            return None
        keep.parent.mkdir(parents=True, exist_ok=True)
        keep.write_text(self.text(), encoding="utf-8")
        return keep
