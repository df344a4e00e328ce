"""The engine a run's measures execute on, as an Ibis backend: the embedded DuckDB or Spark.

A measure is one Ibis expression (``crmreport.measures``); :meth:`Engine.backend` gives the backend
that runs it. Both engines run in one time zone (:data:`~crmreport.settings.engine.ENGINE_TIMEZONE`),
so the zone-less date-times of the prepared tables keep their wall-clock values on both.

Spark starts once per process (a Python process holds one Spark driver): :func:`spark_session` keeps
the session it built and replaces it only when params name another master or other settings.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any

import duckdb

from ..core.errors import EngineError
from ..settings.engine import ENGINE_TIMEZONE, PINNED_SPARK_CONF, EngineName, SparkSettings

if TYPE_CHECKING:
    from ibis.backends import BaseBackend
    from pyspark.sql import SparkSession

log = logging.getLogger("crmreport")
INSTALL_HINT = 'install the Spark extra: pip install "crmreport[spark]" (and Java 17: scripts/install-system-deps.sh)'
#: settings crmreport's Spark session always has: the pinned ones, Parquet nanosecond timestamps (what pandas
#: writes) read as numbers, which :mod:`crmreport.measures.tables` turns into microsecond timestamps, results
#: handed to pandas through Arrow, and no progress bars in notebook outputs
SESSION_CONF: dict[str, str] = PINNED_SPARK_CONF | {"spark.sql.legacy.parquet.nanosAsLong": "true",
                                                    "spark.sql.execution.arrow.pyspark.enabled": "true",
                                                    "spark.ui.showConsoleProgress": "false"}
_sessions: dict[str, tuple[tuple, SparkSession]] = {}


@dataclass(frozen=True)
class Engine:
    """Which engine runs the measures (params ``engine``) and, for Spark, where (params ``spark``)."""

    name: EngineName = "duckdb"
    spark: SparkSettings = field(default_factory=SparkSettings, hash=False)  # compared, not hashed (a dict inside)

    @classmethod
    def of(cls, params: Any) -> Engine:
        """The engine a :class:`~crmreport.settings.Params` names."""
        return cls(params.engine, params.spark)

    @contextmanager
    def backend(self, threads: int | None = None) -> Iterator[BaseBackend]:
        """An Ibis backend for one computation: DuckDB, a new in-memory database (``threads`` threads when
        given) closed afterwards; Spark, the process's session (kept for the next computation)."""
        import ibis

        if self.name == "spark":
            yield ibis.pyspark.connect(spark_session(self.spark))
            return
        with duckdb.connect(config={"threads": threads} if threads else {}) as connection:
            yield ibis.duckdb.from_connection(connection)

    def describe(self) -> dict[str, str]:
        """Name and version of the engine (and the Spark master) for the manifest."""
        if self.name == "duckdb":
            return {"name": "duckdb", "version": duckdb.__version__}
        return {"name": "spark", "version": _version("pyspark"), "master": self.spark.master}


def session_of(backend: BaseBackend) -> SparkSession:
    """The Spark session behind an Ibis PySpark backend (Ibis keeps it as ``_session``; it has no public name)."""
    return backend._session


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def spark_session(settings: SparkSettings) -> SparkSession:
    """The process's Spark session for ``settings`` (built on first use, rebuilt when they change).

    Raises
    ------
    EngineError
        pyspark is not installed, Java is missing, or the master cannot be reached.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError(f"params say engine: spark, but pyspark is not installed; {INSTALL_HINT}") from None
    key = (settings.master, tuple(sorted((k, str(v)) for k, v in settings.conf.items())))
    held = _sessions.get("spark")
    if held is not None and held[0] == key:
        return held[1]
    if not settings.remote and shutil.which("java") is None:
        raise EngineError(f"engine: spark needs Java 17, and no `java` is on the PATH; {INSTALL_HINT}")
    stop_spark()  # one driver per process: the session of other settings goes first
    builder = SparkSession.builder.appName("crmreport")
    builder = builder.remote(settings.master) if settings.remote else builder.master(settings.master)
    for name, value in (SESSION_CONF | {k: str(v) for k, v in settings.conf.items()}).items():
        builder = builder.config(name, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # py4j/grpc errors carry the JVM's message; say which master failed
        raise EngineError(f"Spark could not start a session on master {settings.master!r}: "
                          f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}; check spark.master "
                          "in params and that the cluster is up") from None
    session.conf.set("spark.sql.session.timeZone", ENGINE_TIMEZONE)
    if not settings.remote:  # a Connect client has no SparkContext; its server keeps its own log level
        session.sparkContext.setLogLevel("ERROR")
    log.info("Spark %s session on %s", session.version, settings.master)
    _sessions["spark"] = (key, session)
    return session


def stop_spark() -> None:
    """Stop the process's Spark session, if any (tests, and a notebook kernel before it ends)."""
    held = _sessions.pop("spark", None)
    if held is not None:
        held[1].stop()
