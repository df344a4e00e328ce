"""The ``execution:`` section of the params: service levels, the 7-24-72 rule and the task board
of notebook 05 (DOMAIN.md, phase 4)."""

from __future__ import annotations

from datetime import date, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Priority = Literal["urgent", "high", "medium", "low"]
Stage = Literal["new", "active", "dormant", "churned"]


class BusinessHours(BaseModel):
    """Working time that runs the SLA clock; outside it the clock stops (as CRM entitlement systems do)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    start: time = Field(time(9, 0), description="start of the working day, e.g. 09:00")
    end: time = Field(time(18, 0), description="end of the working day, e.g. 18:00")
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4],
                                description="working weekdays, 0 = Monday ... 6 = Sunday")
    holidays: list[date] = Field(default_factory=list, description="public holidays (no work all day)")

    @model_validator(mode="after")
    def _consistent(self) -> BusinessHours:
        if self.end <= self.start:
            raise ValueError(f"business_hours.end ({self.end}) must be after start ({self.start})")
        if not self.weekdays or any(not 0 <= day <= 6 for day in self.weekdays):
            raise ValueError(f"business_hours.weekdays must list days 0 (Monday) to 6 (Sunday), got {self.weekdays}")
        return self


class ExecutionParams(BaseModel):
    """Settings of execution tracking and service levels (notebook 05, ``crmreport.analyses.execution``)."""

    model_config = ConfigDict(extra="forbid")
    first_response_limit_hours: dict[Priority, float] = Field(
        default_factory=lambda: {"urgent": 2.0, "high": 24.0, "medium": 24.0, "low": 24.0},
        description="hours from opening to the first response allowed per ticket priority")
    resolution_hours: float = Field(72.0, gt=0, description="hours from opening to resolution (the 72 of 7-24-72)")
    business_hours: BusinessHours | None = Field(
        None, description="working time that runs the SLA clock; empty = calendar hours (24/7)")
    follow_up_days: int = Field(7, ge=1, description="7-24-72: first follow-up within this many days of signing")
    reply_hours: float = Field(24.0, gt=0, description="7-24-72: reply to an inbound consultation or complaint")
    ticket_match_hours: float = Field(
        1.0, ge=0, description="a ticket opened this close to an inbound contact of the customer is its ticket")
    cadence_days: dict[Stage, int] = Field(
        default_factory=lambda: {"new": 3, "active": 30, "dormant": 90, "churned": 90},
        description="days between outbound contacts expected per lifecycle stage (new: day 3 after signing)")
    min_tasks: int = Field(20, ge=1, description="owners with fewer tasks are listed but not ranked")
    overdue_buckets: list[int] = Field(default_factory=lambda: [7, 30, 90],
                                       description="upper ends (days) of the overdue age buckets")
    csat_days: int = Field(30, ge=1, description="satisfaction after a task: survey answers within this many days")
    alpha: float = Field(0.05, gt=0, lt=1, description="intervals are (1 - alpha) intervals")
    min_worst: int = Field(20, ge=1, description="worst categories: only categories with this many rated tickets")
    bootstrap: int = Field(1000, ge=100, description="bootstrap resamples of the median and p90 intervals")
    seed: int = Field(2025, description="random seed of the bootstraps")

    @model_validator(mode="after")
    def _buckets(self) -> ExecutionParams:
        if not self.overdue_buckets or sorted(set(self.overdue_buckets)) != self.overdue_buckets \
                or self.overdue_buckets[0] <= 0:
            raise ValueError(f"overdue_buckets must be increasing positive days, e.g. [7, 30, 90], "
                             f"got {self.overdue_buckets}")
        if any(hours <= 0 for hours in self.first_response_limit_hours.values()):
            raise ValueError(f"first_response_limit_hours must be positive hours, "
                             f"got {self.first_response_limit_hours}")
        return self
