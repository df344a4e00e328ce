"""Notebook 07: the executive summary, read only from the other notebooks' results CSVs of the same run."""

from . import actions, appendix, capacity, caveats, claims, findings, headline, limits, since, sources, watch
from .sources import Ledger, Results, previous_results, results_folder

__all__ = ["Ledger", "Results", "actions", "appendix", "capacity", "caveats", "claims", "findings", "headline",
           "limits", "previous_results", "results_folder", "since", "sources", "watch"]
