"""Analyses: one subpackage per notebook concern, each returning tidy frames.

``profiling`` (notebook 01), ``segments`` (02), ``abtests`` (03), ``kpi`` (04), ``execution`` (05),
``health`` (06) and ``summary`` (07, the executive summary read from the others' results files)."""
