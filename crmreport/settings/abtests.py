"""Settings of the outreach A/B test evaluation (notebook 03): the ``ab_tests`` section of the params.

Metric names are held here (settings import no analysis); :mod:`crmreport.analyses.abtests.campaigns`
computes exactly these.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Metric = Literal["response_rate", "conversion_rate", "revenue_per_customer", "revenue_per_converter"]


class CampaignPlan(BaseModel):
    """What a campaign declares before it starts (every key optional): ``ab_tests.campaigns.<campaign id>``."""

    model_config = ConfigDict(extra="forbid")

    end_date: date | None = Field(None, description="the campaign concludes on this day (default: when no customer "
                                                    "has been assigned for outcome_window_days)")
    planned_customers: int | None = Field(None, ge=4, description="customers planned over all arms")
    primary_metric: Metric | None = Field(None, description="the metric the decision is taken on "
                                                            "(default conversion_rate)")
    min_lift: float | None = Field(None, description="minimum lift of interest, relative (0.1 = +10%)")
    planned_looks: int | None = Field(None, ge=1, description="reports planned to read the campaign; with "
                                                              "planned_customers: group-sequential boundaries")

    @model_validator(mode="after")
    def _lift(self) -> CampaignPlan:
        if self.min_lift is not None and (self.min_lift <= -1 or self.min_lift == 0):
            raise ValueError(f"min_lift must be a relative lift above -1 and not 0 (0.1 = +10%), got {self.min_lift}")
        return self


class AbTests(BaseModel):
    """Settings of the outreach A/B test evaluation (notebook 03, :mod:`crmreport.analyses.abtests.campaigns`)."""

    model_config = ConfigDict(extra="forbid")

    planned_split: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="per campaign: arm -> planned share (normalised); default: equal shares")
    alpha: float = Field(0.05, gt=0, lt=1, description="significance level (1 - confidence of the intervals)")
    correction: Literal["holm", "bh"] = Field("holm", description="multiple-testing correction: holm or bh")
    srm_threshold: float = Field(0.001, gt=0, lt=1, description="sample-ratio-mismatch flag below this p-value")
    pre_period_days: int = Field(90, ge=1, description="days before a campaign's first assignment used by CUPED")
    min_n_per_segment: int = Field(50, ge=2, description="fewest customers per arm for a segment slice to be tested")
    cost_per_contact: dict[str, float] = Field(
        default_factory=dict, description="campaign id or channel -> cost per contacted customer (treatment arms)")
    target_lifts: list[float] = Field(default_factory=lambda: [0.1, 0.25, 0.5],
                                      description="relative lifts of the planning table")
    power: float = Field(0.8, gt=0, lt=1, description="power of the MDE and planning table")
    campaigns: dict[str, CampaignPlan] = Field(default_factory=dict, description="per campaign id: its plan")
    outcome_window_days: int = Field(28, ge=1, description="days a customer's outcome needs after assignment; a "
                                                           "campaign without an end date concludes this long after "
                                                           "its last assignment")
    sequential_tuning: float = Field(5000.0, gt=0, description="customers at which the confidence sequence is "
                                                               "narrowest, for campaigns without planned_customers")

    @model_validator(mode="after")
    def _positive(self) -> AbTests:
        bad = {k: v for k, v in self.cost_per_contact.items() if v < 0}
        if bad:
            raise ValueError(f"cost_per_contact must be >= 0, got {bad}")
        for campaign, split in self.planned_split.items():
            if any(v < 0 for v in split.values()) or sum(split.values()) <= 0:
                raise ValueError(f"planned_split.{campaign} needs shares >= 0 with a positive sum, got {split}")
        if any(lift == 0 or lift <= -1 for lift in self.target_lifts):
            raise ValueError(f"target_lifts must be relative lifts above -1 and not 0 (0.1 = +10%), "
                             f"got {self.target_lifts}")
        return self
