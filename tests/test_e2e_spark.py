"""End to end on Spark: ``crmreport run --engine spark`` renders the same book as the DuckDB run.

The whole period (seven notebooks and the report book) on Spark ``local[2]`` against the DuckDB render
of the same data (the end-to-end tests' English report): every results CSV byte-identical, the book's
text identical, and the manifest names the engine. The measures that run on the engine are listed in
docs/scale.md; the rest of each notebook is the same code on both engines.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from conftest import ROOT, pdf_text

pytestmark = [pytest.mark.spark, pytest.mark.slow]
#: what differs between any two runs of the same book: the cover's time of generation, the run status' seconds
RUN_SPECIFIC = re.compile(r"Generated\s.*|(?<=\bran)\s+\d+\.\d+")


def book_text(folder) -> list[str]:
    """The report book's text without what differs between any two runs, spaces collapsed."""
    text = pdf_text(folder / "report-2025Q3.pdf")
    return [" ".join(RUN_SPECIFIC.sub("", line).split()) for line in text.splitlines()]


@pytest.mark.parametrize("report", ["en"], indirect=True)
def test_spark_run_renders_the_same_book_as_duckdb(report, demo_folder, tmp_path):
    _, out = report
    duck = out / "2025Q3"
    done = subprocess.run(
        [sys.executable, "-m", "crmreport.cli", "run", "--period", "2025Q3", "--data", str(demo_folder), "--out",
         str(tmp_path), "--language", "en", "--engine", "spark"], cwd=ROOT, capture_output=True, text=True,
        timeout=1800)
    assert done.returncode == 0, done.stdout + done.stderr
    spark = tmp_path / "2025Q3"
    manifest = json.loads((spark / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"]["name"] == "spark" and manifest["status"] == "ok"
    assert len(manifest["notebooks"]) == 7 and all(nb["status"] == "ok" for nb in manifest["notebooks"])
    produced = sorted(path.name for path in (spark / "results").glob("*.csv"))
    assert produced == sorted(path.name for path in (duck / "results").glob("*.csv"))
    assert {"customer_segments.csv", "ab_tests.csv", "kpi_changes.csv", "execution_effects.csv",
            "customer_health.csv", "summary_figures.csv"} <= set(produced)
    for name in produced:
        assert (spark / "results" / name).read_bytes() == (duck / "results" / name).read_bytes(), name
    assert book_text(spark) == book_text(duck)
