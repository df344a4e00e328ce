"""Notebook 01: customer base, value and concentration, activity, voice of the customer, data quality."""
