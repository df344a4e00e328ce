"""Notebook 03: outreach campaigns evaluated as A/B tests (every arm against control)."""
