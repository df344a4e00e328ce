"""The ``segmentation:`` and ``strategies:`` sections of the params: every threshold of segmentation,
with the defaults of the users' templates (DOMAIN.md, phases 2 and 3)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Segment = Literal["core", "mature_stable", "maintain", "growth", "regular", "observe", "opportunity",
                  "low_value_stable", "churn_warning"]
Stage = Literal["new", "active", "dormant", "churned"]
Score = tuple[int, int]
#: a text written in params: one language, or one per report language
Text = str | dict[Literal["en", "zh"], str]


def localized(text: Text | None, language: str) -> str | None:
    """A params text in the report language: plain text as is, ``{en, zh}`` by language (else the other)."""
    if text is None or isinstance(text, str):
        return text
    return text.get(language) or next(iter(text.values()), None)


class RfmRule(BaseModel):
    """A named RFM segment: score ranges (inclusive, 1-5) that a customer's R, F and M scores must fall in."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    r: Score = (1, 5)
    f: Score = (1, 5)
    m: Score = (1, 5)


DEFAULT_RFM_RULES: tuple[RfmRule, ...] = (
    RfmRule(name="champions", r=(4, 5), f=(4, 5), m=(4, 5)),
    RfmRule(name="cannot_lose", r=(1, 2), f=(4, 5), m=(4, 5)),
    RfmRule(name="loyal", r=(3, 5), f=(4, 5)),
    RfmRule(name="new_customers", r=(5, 5), f=(1, 1)),
    RfmRule(name="potential_loyalists", r=(4, 5), f=(1, 3)),
    RfmRule(name="needs_attention", r=(3, 3), f=(1, 3)),
    RfmRule(name="slipping", r=(1, 2), f=(3, 5)),  # not a churn-risk list: chapter 2's churn risk is its own
    RfmRule(name="hibernating", r=(1, 2), f=(1, 2)),
)


class Segmentation(BaseModel):
    """Thresholds of value, potential, lifecycle, churn risk and clustering (``segmentation:`` in params)."""

    model_config = ConfigDict(extra="forbid")
    value_cuts: tuple[float, float] = Field(
        (0.2, 0.5), description="cumulative customer shares by annual-amount rank closing the high and medium tiers")
    trend_months: int = Field(3, ge=1, le=12, description="months in each of the two spend windows of `trend`")
    potential_high: float = Field(0.5, description="trend at or above this = high potential (growing demand)")
    potential_low: float = Field(-0.5, description="trend at or below this = low potential (shrinking demand)")
    lapsed_days: int = Field(180, ge=1, description="no order for more days than this = low potential")
    enquiry_upgrade: bool = Field(True, description="a medium-potential customer with an inbound consultation "
                                                    "in the last 3 months counts as high potential (new demand)")
    response_days: int = Field(180, ge=1, description="window of the outbound response rate, in days")
    new_months: int = Field(6, ge=1, description="lifecycle `new`: signed up less than this many months ago")
    dormant_days: int = Field(180, ge=1, description="lifecycle `dormant`: no order for more days than this")
    churned_days: int = Field(365, ge=1, description="lifecycle `churned`: no order for more days than this")
    cadence: dict[Stage, Text] = Field(
        default_factory=lambda: {"new": {"en": "call on day 3 after signing", "zh": "签约后第 3 天回访"},
                                 "active": {"en": "monthly", "zh": "每月"},
                                 "dormant": {"en": "quarterly", "zh": "每季度"},
                                 "churned": {"en": "win-back call", "zh": "挽回电话"}},
        description="follow-up cadence per lifecycle stage (shown in the report)")
    risk_inactive_days: int = Field(90, ge=1, description="churn-risk flag: no order for more days than this ...")
    risk_response_below: float = Field(0.30, ge=0, le=1, description="... and outbound response rate below this")
    risk_complaints: int = Field(1, ge=1, description="churn-risk sign: at least this many complaints in 6 months "
                                 "(alone: medium risk; with another sign: high)")
    rfm_rules: tuple[RfmRule, ...] = Field(DEFAULT_RFM_RULES, description="named RFM segments, first match wins")
    k_range: tuple[int, int] = Field((2, 8), description="k-means: smallest and largest k tried")
    silhouette_sample: int = Field(5000, ge=100, description="k-means: customers sampled for the silhouette score")
    seed: int = Field(7, description="random seed of k-means and the silhouette sample")
    segments_by: Literal["nine_box", "value_tier", "customer_type"] = Field(
        "nine_box", description="the customer groups of the A/B segment breakdown and board (03) and of the "
                                "KPI groups (04): the pre-treatment nine-box, value tier, or customer type")

    @model_validator(mode="after")
    def _consistent(self) -> Segmentation:
        high, medium = self.value_cuts
        if not 0 < high < medium < 1:
            raise ValueError(f"value_cuts must satisfy 0 < high < medium < 1, got {self.value_cuts}")
        if self.potential_low >= self.potential_high:
            raise ValueError("potential_low must be below potential_high")
        if self.dormant_days >= self.churned_days:
            raise ValueError("dormant_days must be below churned_days")
        if not 2 <= self.k_range[0] <= self.k_range[1]:
            raise ValueError(f"k_range must be two numbers 2 <= low <= high, got {self.k_range}")
        return self


class Strategy(BaseModel):
    """One row of template 3, the service strategy of a segment (``strategies:`` in params)."""

    model_config = ConfigDict(extra="forbid")
    content: Text = Field(description="what is done, concretely")
    mode: Text | None = Field(None, description="execution mode (visit, call...)")
    owner: Text | None = Field(
        None, description="`account_manager` (the customer's own) or a team or person as the task data names "
                          "it (shown through `labels.staff`)")
    resources: Text | None = Field(None, description="budget, materials, people")
    due_days: int | None = Field(None, ge=1, description="first action due this many days after the data's as-of "
                                    "date")
    cadence: Text | None = Field(None, description="repeat rhythm, e.g. monthly")
    automated: bool = Field(False, description="sent by a system (an automated e-mail): the work takes no person's "
                                               "time, so the summary's capacity check leaves it out")
