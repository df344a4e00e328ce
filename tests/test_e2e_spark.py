"""End to end on Spark: ``crmreport run --engine spark`` reproduces the DuckDB run's results.

Notebooks 01 (profiling: the per-customer summary) and 02 (segmentation: transaction and contact
features) are the ones whose measures run on the engine; on Spark ``local[2]`` their results CSVs
must be byte-identical to the DuckDB render of the same data, and the manifest names the engine.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT

pytestmark = [pytest.mark.spark, pytest.mark.slow]
NOTEBOOKS = ["01_profiling", "02_segmentation"]


def render_on(engine: str, folder, out):
    """``crmreport run`` of notebooks 01 and 02 on ``engine`` (HTML only), as a user would type it."""
    done = subprocess.run(
        [sys.executable, "-m", "crmreport.cli", "run", "--period", "2025Q3", "--data", str(folder), "--out",
         str(out), "--engine", engine, "--only", *NOTEBOOKS, "--format", "html", "--workers", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout + done.stderr
    return out / "2025Q3"


def test_spark_run_reproduces_the_duckdb_results(demo_folder, tmp_path):
    duck = render_on("duckdb", demo_folder, tmp_path / "duckdb")
    spark = render_on("spark", demo_folder, tmp_path / "spark")
    manifest = json.loads((spark / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"]["name"] == "spark" and manifest["status"] == "ok"
    produced = sorted(name for nb in manifest["notebooks"] for name in nb["results"] if name.endswith(".csv"))
    assert "customer_segments.csv" in produced and "customer_profile.csv" in produced
    for name in produced:
        assert (spark / "results" / name).read_bytes() == (duck / "results" / name).read_bytes(), name
