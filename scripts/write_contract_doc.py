"""Regenerate the table reference at the end of docs/data-contract.md from crmreport/contract.py."""

from pathlib import Path

from crmreport.core.contract import contract_markdown

MARKER = "# Tables\n\n"
doc = Path(__file__).resolve().parents[1] / "docs" / "data-contract.md"
head = doc.read_text(encoding="utf-8").split(MARKER)[0]
doc.write_text(head + MARKER + contract_markdown(), encoding="utf-8")
