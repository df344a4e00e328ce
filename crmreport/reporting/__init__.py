"""Reporting: what a notebook uses to show results, and how executed notebooks become HTML and PDF.

``context`` (the period a notebook reports on), ``report`` (tables, figures, catalog prose,
results CSVs), ``plots``, ``excel``, ``render`` with ``templates/``."""
