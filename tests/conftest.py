"""Shared fixtures: tiny hand-written tables, the small demo set, and a PostgreSQL server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from crmreport.demo import write_demo_data
from crmreport.ingest.dataset import Dataset, prepare_dataset
from crmreport.settings import load_params

ROOT = Path(__file__).resolve().parents[1]
LAB_ENV = "CRMREPORT_LAB_DIR"


def pytest_configure(config):
    """Notebooks run by nbval (no runner) write their results into a temporary folder removed at the end."""
    if LAB_ENV not in os.environ:
        os.environ[LAB_ENV] = tempfile.mkdtemp(prefix="pytest-lab-")
        config.stash[LAB_KEY] = os.environ[LAB_ENV]


def pytest_unconfigure(config):
    folder = config.stash.get(LAB_KEY, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(LAB_ENV, None)


LAB_KEY = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def prepared_demo(tmp_path_factory) -> tuple[Dataset, Path]:
    """The embedded demo period prepared in memory, and the folder of the same tables as a run's Parquet files
    (``load_prepared`` reads them lazily): the inputs of the measures compared on both engines."""
    dataset = prepare_dataset(load_params("2025Q3", demo=True))
    folder = tmp_path_factory.mktemp("prepared")
    dataset.save(folder)
    return dataset, folder

CUSTOMERS = """customer_id,name,customer_type,industry,size_tier,region,signup_date,account_manager,contact_name,phone,email,need_tags
C1,李雷,B2C,consumer,,East China,2021-03-01,王芳,李雷,13812345678,li.lei@x.com,fast delivery;training
C2,华信精密制造有限公司,B2B,manufacturing,large,North China,2019-07-01,王芳,李经理,13912345678,hx@huaxin.cn,custom product
C3,Li Lei,B2C,consumer,,South China,2024-01-05,Chen Jing,Li Lei,12345,lilei@y.cn,
"""
TRANSACTIONS = """transaction_id,customer_id,transaction_date,amount,product_category,channel
T1,C1,2025-07-03,120.5,A,online
T2,C2,2025-08-01 10:00:00,15000,B,direct
T3,C3,2025-09-01,-20,A,online
T4,C1,2025-09-15,80,A,online
"""


def write_tables(folder: Path, **tables: str) -> Path:
    """Write CSV texts as ``<table>.csv``; customers and transactions default to the tiny valid ones."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {"customers": CUSTOMERS, "transactions": TRANSACTIONS, **tables}.items():
        if text is not None:
            (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def dataset_of(**tables: pd.DataFrame) -> Dataset:
    """An in-memory dataset holding ``tables`` (what an analysis reads; no quarantine, no accounting)."""
    return Dataset(tables, {}, {}, "test", False)


def params_for(data: str | Path, **overrides):
    """Params of period 2025Q3 on ``data`` with a fixed as_of."""
    return load_params("2025Q3", overrides={"data": str(data), "as_of": "2025-10-15", **overrides},
                       root=Path(__file__).parent / "fixtures")


@pytest.fixture
def tiny(tmp_path) -> Path:
    return write_tables(tmp_path / "tiny")


@pytest.fixture(scope="session")
def postgres_url():
    """A live PostgreSQL server for the session. Set CRMREPORT_SKIP_POSTGRES=1 to skip on machines without one."""
    from postgres import INSTALL_HINT, PostgresServer, find_bindir

    bindir = find_bindir()
    if bindir is None:
        if os.environ.get("CRMREPORT_SKIP_POSTGRES") == "1":
            pytest.skip(INSTALL_HINT)
        pytest.fail(INSTALL_HINT + " (or set CRMREPORT_SKIP_POSTGRES=1 to skip these tests)")
    server = PostgresServer(bindir).start()
    yield server.url
    server.stop()


def render(folder: Path, out: Path, language: str) -> subprocess.CompletedProcess:
    """``crmreport run`` of period 2025Q3 on ``folder`` into ``out``, as a user would type it."""
    return subprocess.run(
        [sys.executable, "-m", "crmreport.cli", "run", "--period", "2025Q3", "--data", str(folder), "--out", str(out),
         "--language", language], cwd=ROOT, capture_output=True, text=True, timeout=900)


def pdf_text(path: Path) -> str:
    """The text of a PDF, laid out as on the page."""
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory) -> Path:
    """A small generated demo set (300 customers, seed 21) written as CSV files."""
    return write_demo_data(tmp_path_factory.mktemp("demo") / "data", n_customers=300, seed=21)


@pytest.fixture(scope="session", params=["en", "zh"])
def report(request, demo_folder, tmp_path_factory) -> tuple[str, Path]:
    """The demo period rendered once per language for all end-to-end tests: (language, output folder)."""
    out = tmp_path_factory.mktemp(f"reports-{request.param}")
    done = render(demo_folder, out, request.param)
    assert done.returncode == 0, done.stdout + done.stderr
    return request.param, out



#: a small local Spark for the engine-agreement tests: two threads, few shuffle partitions, no web UI
LOCAL_SPARK_CONF = {"spark.sql.shuffle.partitions": 2, "spark.ui.enabled": False, "spark.driver.memory": "1g"}


@pytest.fixture(scope="session")
def spark_engine():
    """The Spark engine on ``local[2]``, one session for the whole test run (stopped at the end)."""
    from crmreport.engine import Engine, stop_spark
    from crmreport.settings.engine import SparkSettings

    yield Engine("spark", SparkSettings(master="local[2]", conf=LOCAL_SPARK_CONF))
    stop_spark()


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory):
    """A standalone Spark cluster (one master, two one-core workers, all on 127.0.0.1) started from the
    scripts inside pyspark, and the engine that runs on it; stopped at the end of the test run."""
    from sparkcluster import HOST, StandaloneCluster

    from crmreport.engine import Engine, stop_spark
    from crmreport.settings.engine import SparkSettings

    cluster = StandaloneCluster(tmp_path_factory.mktemp("spark-cluster"))
    try:
        cluster.start()
        conf = {"spark.driver.host": HOST, "spark.driver.bindAddress": HOST, "spark.executor.memory": "512m",
                "spark.executor.cores": 1, "spark.cores.max": 2, "spark.pyspark.python": sys.executable,
                "spark.local.dir": str(cluster.folder / "local")} | LOCAL_SPARK_CONF
        yield cluster, Engine("spark", SparkSettings(master=cluster.master_url, conf=conf))
    finally:
        stop_spark()
        cluster.stop()
