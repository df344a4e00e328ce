"""The engine the measures run on: the embedded DuckDB or Spark, both through Ibis (docs/scale.md)."""

from .session import Engine, session_of, spark_session, stop_spark

__all__ = ["Engine", "session_of", "spark_session", "stop_spark"]
