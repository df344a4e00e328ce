"""The engine setting: params ``engine``/``spark``, ``--engine``, clear errors when Spark cannot start."""

import sys

import pytest

from crmreport.cli import _parser
from crmreport.core.errors import EngineError, ParamsError
from crmreport.engine import Engine, spark_session
from crmreport.settings import load_params
from crmreport.settings.engine import SparkSettings


def test_duckdb_is_the_default_and_spark_runs_locally_without_a_master(tmp_path):
    params = load_params("2025Q3", root=tmp_path)
    assert params.engine == "duckdb" and params.spark.master == "local[2]" and params.spark.conf == {}
    assert Engine.of(params) == Engine()


def test_spark_settings_from_params_and_the_command_line(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("period: 2025Q3\nspark: {master: 'spark://127.0.0.1:7077', conf: {spark.executor.memory: 4g}}\n")
    params = load_params(params_file=path, root=tmp_path, overrides={"engine": "spark"})
    assert Engine.of(params) == Engine("spark", SparkSettings(master="spark://127.0.0.1:7077",
                                                             conf={"spark.executor.memory": "4g"}))
    assert _parser().parse_args(["run", "--period", "2025Q3", "--demo", "--engine", "spark"]).engine == "spark"
    assert SparkSettings(master="sc://spark.example:15002").remote and not params.spark.remote


@pytest.mark.parametrize(("text", "message"), [
    ("engine: polars", r"`engine`.*'duckdb' or 'spark'"),
    ("spark: {conf: {spark.sql.session.timeZone: Asia/Shanghai}}", r"pins it to 'UTC'.*remove it"),
    ("spark: {master: ' '}", r"spark.master is empty"),
])
def test_bad_engine_settings_are_named(tmp_path, text, message):
    path = tmp_path / "p.yaml"
    path.write_text(f"period: 2025Q3\n{text}\n")
    with pytest.raises(ParamsError, match=message):
        load_params(params_file=path, root=tmp_path)


def test_spark_without_pyspark_or_java_says_how_to_install(monkeypatch):
    settings = SparkSettings(master="local[1]")
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(EngineError, match=r'pyspark is not installed; install the Spark extra: pip install "crm'):
        spark_session(settings)
    monkeypatch.undo()
    monkeypatch.setattr("crmreport.engine.session.shutil.which", lambda name: None)
    with pytest.raises(EngineError, match=r"needs Java 17, and no `java` is on the PATH"):
        spark_session(settings)
