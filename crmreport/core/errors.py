"""One exception hierarchy: every message names the bad thing and the fix."""

from __future__ import annotations

from .redact import redact_text


class CrmReportError(Exception):
    """Base of every error crmreport raises on purpose; the CLI prints its message, not a traceback.

    A database password inside the message (a URL quoted by a driver) is redacted.
    """

    exit_code = 2

    def __init__(self, message: object = "", *args: object):
        super().__init__(redact_text(str(message)), *args)


class ParamsError(CrmReportError):
    """The period parameters are invalid (unknown key, bad value, unknown period label)."""


class SourceError(CrmReportError):
    """A data source cannot be read: missing, empty, wrong encoding, not a table, unreachable database."""


class EngineError(CrmReportError):
    """The engine params name cannot start: pyspark or Java missing, the Spark master unreachable."""


class DataValidationError(CrmReportError):
    """One or more tables break the data contract; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        header = f"the input data breaks the data contract ({len(self.problems)} problem(s)):"
        super().__init__("\n".join([header, *(f"  - {p}" for p in self.problems)]))


class RenderError(CrmReportError):
    """A report cannot be rendered (for example no CJK font for a Chinese report)."""


class NotebookFailedError(CrmReportError):
    """At least one notebook of a run failed; the others still ran."""

    exit_code = 1


class ResultsContractError(CrmReportError):
    """A notebook writes a results file with columns the results contract (``core/results.py``) does not declare."""
