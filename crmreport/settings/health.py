"""The ``health:`` params section: relationship quality, emotional account, health score and CLV (notebook 06).

Every weight, scale and cut point of ``docs/health.md`` is a field here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

HealthMeasure = Literal["recency", "spend_trend", "rqi", "emotional_account", "complaints", "sla_breaches",
                        "outreach_response"]
HEALTH_MEASURES: tuple[str, ...] = ("recency", "spend_trend", "rqi", "emotional_account", "complaints",
                                    "sla_breaches", "outreach_response")


class Health(BaseModel):
    """Settings of notebook 06 (``crmreport.analyses.health``); docs/health.md explains each mapping."""

    model_config = ConfigDict(extra="forbid")

    rqi_weights: dict[Literal["trust", "satisfaction", "loyalty"], float] = Field(
        default_factory=lambda: {"trust": 0.3, "satisfaction": 0.3, "loyalty": 0.4},
        description="RQI = weighted mean of the 0-100 components (renormalised over the components a customer has)")
    lookback_days: int = Field(365, ge=30, description="days of surveys, tickets and orders behind RQI and measures")
    tenure_full_months: int = Field(36, ge=1, description="loyalty: tenure scores 100 from this many months on")
    repeat_full_days: int = Field(4, ge=1, description="loyalty: repeat purchase days in the lookback scoring 100")
    positive_weight: float = Field(1.0, gt=0, description="emotional account: points per satisfying event")
    negative_weight: float = Field(-3.0, lt=0, description="emotional account: points per dissatisfying event")
    half_life_days: float = Field(90.0, gt=0, description="emotional account: weight halves every so many days")
    emotional_scale: float = Field(2.0, gt=0, description="emotional account 0-100 = 100 / (1 + exp(-balance / scale))")
    claim_threshold: float = Field(80.0, ge=0, le=100, description="emotional-account claim: accounts at or above this")
    claim_churn: float = Field(0.01, gt=0, lt=1, description="emotional-account claim: churn below this rate")
    weights: Literal["params", "fitted"] = Field(
        "fitted", description="health weights: `health_weights`, or fitted by a regularised logistic regression on "
                              "the previous period's churn (falls back to `health_weights` when that is not possible)")
    churn_label: Literal["lapsed", "silent_window"] = Field(
        "lapsed", description="churn that fits the weights and scores the backtest: `lapsed` (silent for longer than "
                              "`lapse_factor` x the customer's own usual gap) or `silent_window` (no order in the "
                              "window)")
    lapse_factor: float = Field(2.0, gt=0, description="lapsed: silent for longer than this many usual gaps")
    gap_floor_days: int = Field(30, ge=1, description="lapsed: the usual gap is at least this many days")
    gap_cap_days: int = Field(365, ge=1, description="lapsed: the usual gap is at most this many days (and this "
                                                     "for a customer with one purchase day)")
    holdout_share: float = Field(0.3, gt=0, lt=1, description="fitted weights: share of the fit's customers held out "
                                                             "to check the fit")
    health_weights: dict[HealthMeasure, float] = Field(
        default_factory=lambda: {"recency": 0.25, "spend_trend": 0.15, "rqi": 0.15, "emotional_account": 0.15,
                                 "complaints": 0.1, "sla_breaches": 0.1, "outreach_response": 0.1},
        description="weights of the 0-100 measure scores in the health score")
    recency_half_life_days: float = Field(60.0, gt=0, description="recency score = 100 * 0.5^(days / this)")
    band_cuts: tuple[float, float] = Field((40.0, 70.0), description="red below the first, green from the second")
    trend_step: float = Field(5.0, ge=0, description="health trend arrow: change of at least this many points")
    min_measures: int = Field(4, ge=1, description="flag a score built from fewer measures than this")
    activity_days: int = Field(365, ge=30, description="churn: customers with an order in these days before the "
                                                       "as-of date who order nothing in the next period")
    deciles: int = Field(10, ge=2, le=20, description="score groups of the backtest")
    time_unit_days: float = Field(7.0, gt=0, description="time unit of BG/NBD (7 = weeks)")
    horizon_days: int = Field(365, ge=7, description="CLV and expected-purchases horizon")
    discount_rate: float = Field(0.10, ge=0, lt=1, description="annual discount rate of CLV")
    key_accounts: int = Field(6, ge=1, le=12, description="radar charts: top N customers by CLV")
    vip_share: float = Field(0.2, gt=0, le=1, description="relationship thermometer: top share of customers by value")
    alpha: float = Field(0.05, gt=0, lt=1, description="1 - confidence of the intervals")

    @model_validator(mode="after")
    def _consistent(self) -> Health:
        if sum(self.rqi_weights.values()) <= 0 or any(v < 0 for v in self.rqi_weights.values()):
            raise ValueError(f"rqi_weights need values >= 0 with a positive sum, got {self.rqi_weights}")
        if sum(self.health_weights.values()) <= 0 or any(v < 0 for v in self.health_weights.values()):
            raise ValueError(f"health_weights need values >= 0 with a positive sum, got {self.health_weights}")
        if self.gap_floor_days > self.gap_cap_days:
            raise ValueError(f"gap_floor_days ({self.gap_floor_days}) must not exceed gap_cap_days "
                             f"({self.gap_cap_days})")
        low, high = self.band_cuts
        if not 0 <= low < high <= 100:
            raise ValueError(f"band_cuts must be two increasing points in 0-100 (red below the first, green from "
                             f"the second), got {self.band_cuts}")
        return self
