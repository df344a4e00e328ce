"""Which engine computes the measures: the embedded DuckDB (the default) or Spark (params ``engine``, ``spark``).

The engine changes where the per-customer aggregates run, never what they are: the report, the results
and the manifest's results are the same on both (``docs/scale.md``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

EngineName = Literal["duckdb", "spark"]
#: the Spark master used when params name none: a local session with two worker threads
DEFAULT_MASTER = "local[2]"
#: the session time zone of every engine; prepared date-times carry no zone (they are in params ``timezone``)
#: and the engines must not shift them, so both read and compare them as UTC wall-clock values
ENGINE_TIMEZONE = "UTC"
#: Spark settings the engine sets itself (a different value would change results)
PINNED_SPARK_CONF = {"spark.sql.session.timeZone": ENGINE_TIMEZONE}


class SparkSettings(BaseModel):
    """Where and how Spark runs when params say ``engine: spark``."""

    model_config = ConfigDict(extra="forbid")

    master: str = Field(DEFAULT_MASTER, description="Spark master: local[N], spark://host:7077, yarn, k8s://...; "
                        "or a Spark Connect URL sc://host:15002; default local[2]")
    conf: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Spark settings for the session, e.g. spark.executor.memory: 4g")

    @field_validator("master")
    @classmethod
    def _master_given(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("spark.master is empty; write e.g. local[2], spark://host:7077 or sc://host:15002")
        return value.strip()

    @field_validator("conf")
    @classmethod
    def _not_pinned(cls, conf: dict[str, str | int | float | bool]) -> dict[str, str | int | float | bool]:
        for key, value in conf.items():
            if key in PINNED_SPARK_CONF and str(value) != PINNED_SPARK_CONF[key]:
                raise ValueError(f"spark.conf.{key}: crmreport pins it to {PINNED_SPARK_CONF[key]!r} so that "
                                 "results do not depend on the engine; remove it from params")
        return conf

    @property
    def remote(self) -> bool:
        """Whether ``master`` is a Spark Connect URL (``sc://``)."""
        return self.master.startswith("sc://")
