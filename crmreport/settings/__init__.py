"""Settings: the pydantic models of ``params/*.yaml``, period labels and how params files are layered.

The bottom of the package's flow: nothing here imports ingest, measures, analyses or reporting.
"""

from .abtests import AbTests, CampaignPlan
from .load import NO_DATA, PROJECT_MARKER, find_project_root, load_params, resolve_data, uses_demo_data
from .params import KPI_NAMES, CustomerGroup, DidGroups, KpiParams, Params, TableName
from .period import Window, check_period_label, period_window, previous_window

__all__ = [
    "KPI_NAMES", "NO_DATA", "PROJECT_MARKER", "AbTests", "CampaignPlan", "CustomerGroup", "DidGroups", "KpiParams",
    "Params", "TableName", "Window", "check_period_label", "find_project_root", "load_params", "period_window",
    "previous_window", "resolve_data", "uses_demo_data",
]
