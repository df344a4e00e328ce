"""Measures: per-customer aggregates and KPI definitions over the prepared tables.

Transaction summaries and features are SQL run in DuckDB or pushed down to the source
database; ``kpis`` is the registry of before/after KPIs; ``scores`` the shared score conventions."""
