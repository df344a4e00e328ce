"""Notebook 05: execution tracking (template 4), service levels, the 7-24-72 rule, the communication log,
improvements, and whether the work made a difference.

Modules by concern: ``clock`` (calendar or business hours), ``plan`` (last period's action list against
this period's tasks), ``tasks`` (execution per owner, overdue work, template 4, leaderboard), ``sla``
(ticket service levels), ``followup`` (7-24-72, lifecycle cadence), ``commlog`` (communication log,
improvements), ``effect`` (stratified comparison of outcomes by execution).
"""

import pandas as pd

from ...core.i18n import catalog
from . import clock, commlog, effect, followup, plan, sla, tasks

__all__ = ["clock", "commlog", "effect", "followup", "headers", "plan", "sla", "tasks"]


def headers(frame: pd.DataFrame) -> dict[str, str]:
    """The catalog labels of notebook 05's column headers (``label.ex_<column>``), for ``Report.table``."""
    return {str(c): f"ex_{c}" for c in frame.columns if f"label.ex_{c}" in catalog()}
