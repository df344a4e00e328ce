"""What every report of a run says about itself (cover, page header, page title), built in one place.

The runner renders each notebook with :func:`report_meta` titled by :func:`report_title`, and the
report book (``run/bookstep.py``) uses the same two for its cover and its chapters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..core.errors import ParamsError
from ..core.i18n import LANGUAGES, Language, catalog, t
from ..core.version import __version__
from ..settings import Params, uses_demo_data


@dataclass(frozen=True)
class ReportMeta:
    """What the cover, the page header and the page title say about one report."""

    title: str
    company: str
    period: str
    period_start: date
    period_end: date
    language: Language
    generated: datetime
    masking: bool
    version: str
    demo: bool = False  # made from the embedded demo data: the cover says so
    as_of: date | None = None  # the data's as-of date (params ``as_of``), named on the cover

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ParamsError(f"report language {self.language!r} is not supported; use one of {', '.join(LANGUAGES)}")


def report_meta(params: Params, title: str) -> ReportMeta:
    """The :class:`ReportMeta` of a report of this run titled ``title``, generated now."""
    return ReportMeta(title=title, company=params.company, period=params.period, period_start=params.start,
                      period_end=params.end, language=params.language, generated=datetime.now(),
                      masking=params.masking, version=__version__, demo=uses_demo_data(params), as_of=params.as_of)


def report_title(notebook: str, language: str) -> str:
    """The catalog title ``title.<name>`` of ``NN_<name>``, else the name itself in words."""
    name = notebook.split("_", 1)[-1]
    return t(f"title.{name}", language) if f"title.{name}" in catalog() else name.replace("_", " ").capitalize()
