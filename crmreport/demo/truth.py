"""The planted truth behind the demo data in one namespace: the latent model and what it implies.

The model lives in :mod:`~crmreport.demo.calendar` (the data window and its quarters),
:mod:`~crmreport.demo.population` (hidden customer parameters, value tiers, segments),
:mod:`~crmreport.demo.events` (contact, ticket, survey and campaign rates) and
:mod:`~crmreport.demo.kpi_truth` (the analytic KPI before/after values). The generator and
the truth read the same constants, so the sample and the truth never drift. This module only
re-exports the names the tests and analyses check against (``from crmreport.demo import truth``).
"""

from .calendar import Calendar
from .events import CAMPAIGNS, PRIORITIES, SURVEY_ITEMS, Arm, CampaignSpec, campaign_truth
from .kpi_truth import KPI_DEFINITIONS, PLANTED_KPIS, kpi_truth
from .population import (
    LIFECYCLES,
    SEGMENTS,
    TRENDS,
    VALUE_SHARES,
    VALUE_TIERS,
    Population,
    draw_population,
    value_tiers,
)

__all__ = [
    "CAMPAIGNS", "KPI_DEFINITIONS", "LIFECYCLES", "PLANTED_KPIS", "PRIORITIES", "SEGMENTS", "SURVEY_ITEMS", "TRENDS",
    "VALUE_SHARES", "VALUE_TIERS", "Arm", "Calendar", "CampaignSpec", "Population", "campaign_truth", "draw_population",
    "kpi_truth", "value_tiers",
]
