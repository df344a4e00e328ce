"""Notebook 07: the executive summary, read only from the other notebooks' results CSVs of the same run."""

from . import actions, caveats, findings, headline, since, sources
from .sources import Ledger, Results, previous_results, results_folder

__all__ = ["Ledger", "Results", "actions", "caveats", "findings", "headline", "previous_results", "results_folder",
           "since", "sources"]
