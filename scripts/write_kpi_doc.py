"""Regenerate the KPI reference at the end of docs/kpis.md from the registry in crmreport/measures/kpis.py."""

from pathlib import Path

from crmreport.measures.kpis import kpi_markdown

MARKER = "## KPI reference\n\n"
doc = Path(__file__).resolve().parents[1] / "docs" / "kpis.md"
head = doc.read_text(encoding="utf-8").split(MARKER)[0]
doc.write_text(head + MARKER + kpi_markdown(), encoding="utf-8")
