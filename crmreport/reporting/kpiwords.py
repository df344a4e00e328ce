"""How the KPI evaluation (notebook 04) names KPIs and customer groups and writes changes, in the report language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from ..core.i18n import label
from ..core.results import ALL
from ..measures.glossary import series_label
from ..measures.kpis import KPIS, row_formats
from ..settings.params import CustomerGroup
from .report import Report

Format = str | Callable[[float], str]


@dataclass(frozen=True)
class KpiWords:
    """The words of notebook 04 for one report: ``prefix`` is the catalog prefix of the customer groups."""

    report: Report
    prefix: str

    def name(self, code: str) -> str:
        """A KPI's name (the registry's, in the report language); also a column format of ``Report.table``."""
        return KPIS[code].display_name(self.report.language)

    def series(self, code: str) -> str:
        """The name of a KPI's monthly series (the segmented regression's rows): its own glossary measure when it
        has one (a month's churn is not the period's), else the KPI's name; also a column format."""
        return series_label(code, self.report.language)

    def segment(self, code: str) -> str:
        """A customer group's name; :data:`~crmreport.core.results.ALL` is every customer."""
        return label("kpi_segment_all" if code == ALL else self.prefix + code, self.report.language)

    @cached_property
    def formats(self) -> dict[str, tuple[Format, Format]]:
        """Per KPI, the ``(level, change)`` formats of ``Report.table(row_formats=...)``."""
        return row_formats(self.report.points)

    @cached_property
    def change_formats(self) -> dict[str, tuple[Format, Format]]:
        """Per KPI, the change format for both places: tables whose every number is a change."""
        return {kpi: (change, change) for kpi, (_, change) in self.formats.items()}

    def change(self, code: str, value: float) -> str:
        """A change of the KPI ``code`` in its unit (shares in percentage points)."""
        shape = self.formats[code][1]
        return shape(value) if callable(shape) else shape.format(value)

    def group(self, group: CustomerGroup) -> str:
        """A difference-in-differences group as the reader reads it: 'Customer type = B2B; 12 listed customers'."""
        language = self.report.language
        parts = [f"{label(group.column, language)} = {self.report.join([label(v, language) for v in group.values])}"
                 ] if group.column else []
        if group.customers:
            parts.append(self.report.t("kpis.did.listed", n=len(group.customers)))
        return self.report.join(parts, clauses=True)

    def group_name(self, group: CustomerGroup) -> str:
        """A difference-in-differences group as a short column name: its values ('B2B'), or 'listed customers'."""
        if group.values:
            return self.report.join([label(v, self.report.language) for v in group.values])
        return self.report.t("kpis.did.listed", n=len(group.customers))
