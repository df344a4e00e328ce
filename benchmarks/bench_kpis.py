"""Benchmark: notebook 04's KPI work on DuckDB and on Spark, in queries, Spark jobs and seconds.

Prepares the embedded demo period (2025Q3), saves it as a run's Parquet files, and runs what notebook 04
computes on the engine as the notebook does (the observations of the before/after table and the
difference-in-differences fetched once, the table per segment, the monthly series, the difference-in-differences)
on each engine in its own process: the engine's start, the seconds of each step, the queries the step sends to
the engine, the Spark jobs they start, and the rows that come back to the driver.

    python benchmarks/bench_kpis.py                       # DuckDB and Spark local[2]
    python benchmarks/bench_kpis.py --master spark://127.0.0.1:7077
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench_aggregate import peak_rss_mib

SPARK_CONF = {"spark.sql.shuffle.partitions": 2, "spark.ui.enabled": False}


def measure(engine_name: str, master: str, folder: str) -> dict:
    """Notebook 04's engine work over the prepared tables in ``folder`` on one engine."""
    from crmreport.analyses.kpi import diffindiff, kpieval, observed, timeseries
    from crmreport.analyses.segments import pretreatment
    from crmreport.measures import kpis
    from crmreport.settings import load_params

    params = load_params("2025Q3", demo=True)
    data, context, figures, sent = started(engine_name, master, folder, [kpis])
    segments = pretreatment.pre_treatment_segments(data, params.segmentation,
                                                   pretreatment.before_windows(params.baseline_window))
    held: dict = {}  # as notebook 04: the observations fetched once, then the before/after table and the DiD
    steps = [("observations", lambda: held.update(observations=observed.fetch(data, params))),
             ("before/after", lambda: kpieval.evaluate(data, params, segments, held["observations"].get)),
             ("monthly series", lambda: timeseries.monthly_series(data, params)),
             ("diff-in-diff", lambda: diffindiff.did_table(data, params, segments, held["observations"].get))]
    return timed(steps, context, sent, figures)


def started(engine_name: str, master: str, folder: str, modules: list) -> tuple:
    """The prepared tables in ``folder`` on a started engine, its Spark context (None on DuckDB), the figures so
    far (the engine's start) and the counts of queries and rows back, kept by each of ``modules``' ``collect``
    (the measures' one way to the driver) from now on."""
    from crmreport.engine import Engine, session_of
    from crmreport.ingest.dataset import load_prepared
    from crmreport.measures import tables
    from crmreport.settings.engine import SparkSettings

    engine = Engine(engine_name, SparkSettings(master=master, conf=SPARK_CONF))
    data = replace(load_prepared(Path(folder)), engine=engine)
    began = time.perf_counter()
    with engine.backend() as backend:
        context = session_of(backend).sparkContext if engine_name == "spark" else None
    figures: dict = {"engine": engine_name if engine_name == "duckdb" else f"spark {master}",
                     "start_s": time.perf_counter() - began, "steps": []}
    sent = {"queries": 0, "rows": 0}
    collect = tables.collect

    def counted(backend, expression):
        frame = collect(backend, expression)
        sent["queries"] += 1
        sent["rows"] += len(frame)
        return frame

    for module in modules:
        module.collect = counted
    return data, context, figures, sent


def timed(steps: list, context, sent: dict, figures: dict) -> dict:
    """``figures`` with each of ``steps`` (name, call) timed: seconds, the queries and rows ``sent`` counted while it
    ran, its Spark jobs (a job group per step; ``context`` None on DuckDB); and the driver's peak memory."""
    for name, step in steps:
        sent.update(queries=0, rows=0)
        if context is not None:
            context.setJobGroup(name, name)
        began = time.perf_counter()
        step()
        seconds = time.perf_counter() - began
        jobs = len(context.statusTracker().getJobIdsForGroup(name)) if context is not None else 0
        figures["steps"].append({"step": name, "seconds": seconds, "queries": sent["queries"], "jobs": jobs,
                                 "rows_back": sent["rows"]})
    figures["driver_peak_mib"] = peak_rss_mib()
    return figures


def main() -> None:
    compare(__file__, __doc__, measure)


def compare(script: str, description: str, measure_one) -> None:
    """The command line of a benchmark over the demo period's Parquet files: each engine in a child process of
    ``script`` (``measure_one(engine, master, folder)``), its steps printed as a table."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    parser.add_argument("--engines", nargs="+", default=["duckdb", "spark"], choices=["duckdb", "spark"])
    parser.add_argument("--engine", choices=["duckdb", "spark"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:  # the child process of one measurement
        print(json.dumps(measure_one(args.engine, args.master, args.folder)))
        return
    from crmreport.ingest.dataset import prepare_dataset
    from crmreport.settings import load_params

    with tempfile.TemporaryDirectory() as folder:
        prepare_dataset(load_params("2025Q3", demo=True)).save(Path(folder))
        print(f"{'engine':<22} {'step':<16} {'seconds':>8} {'queries':>8} {'Spark jobs':>10} {'rows back':>10}")
        for engine in args.engines:
            done = subprocess.run([sys.executable, script, "--engine", engine, "--master", args.master,
                                   "--folder", folder], capture_output=True, text=True, check=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            for step in result["steps"]:
                print(f"{result['engine']:<22} {step['step']:<16} {step['seconds']:>8.1f} {step['queries']:>8} "
                      f"{step['jobs']:>10} {step['rows_back']:>10,}")
            print(f"{result['engine']:<22} {'engine start':<16} {result['start_s']:>8.1f}; driver peak "
                  f"{result['driver_peak_mib']:,.0f} MiB")

if __name__ == "__main__":
    main()
