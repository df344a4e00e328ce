"""What ``crmreport validate`` prints: the row accounting as a table and one verdict line."""

from __future__ import annotations

from ..ingest.dataset import Dataset

COLUMNS = (("rows_read", "rows read"), ("duplicates_removed", "duplicates removed"), ("quarantined", "quarantined"),
           ("kept", "kept"))


def accounting_table(dataset: Dataset) -> str:
    """The row accounting, one line per table and a total: read = duplicates removed + quarantined + kept."""
    rows = [[account.table, *(f"{getattr(account, field):,}" for field, _ in COLUMNS)]
            for account in dataset.accounting.values()]
    totals = [sum(getattr(account, field) for account in dataset.accounting.values()) for field, _ in COLUMNS]
    rows.append(["total", *(f"{value:,}" for value in totals)])
    header = ["table", *(title for _, title in COLUMNS)]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join([cells[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows[:-1]), rule, line(rows[-1])])


def verdict(dataset: Dataset) -> str:
    """``passed: 8 tables, 41,203 rows kept, 12 quarantined, 3 duplicate rows removed`` (+ missing tables)."""
    accounts = dataset.accounting.values()
    kept = sum(a.kept for a in accounts)
    quarantined = sum(a.quarantined for a in accounts)
    duplicates = sum(a.duplicates_removed for a in accounts)
    tables = len(dataset.accounting)
    text = (f"passed: {tables} table{'s' if tables != 1 else ''}, {kept:,} rows kept, {quarantined:,} quarantined, "
            f"{duplicates:,} duplicate row{'s' if duplicates != 1 else ''} removed")
    if dataset.missing_tables:
        text += f" (not in the source: {', '.join(dataset.missing_tables)})"
    return text
