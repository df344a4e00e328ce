"""Benchmark: the measures defined once in Ibis, on DuckDB and on Spark, as the data grows.

For each size, the per-customer transaction summary and transaction features (``measures/spend.py``)
of a generated Parquet file (demo transactions resampled, 10 per customer) on each engine, each engine
in its own process: the time of the measures after the engine is up (best of two), the engine's start,
the rows per second, the rows that come back to the driver, and the driver's peak memory (the Python
process's VmHWM; Spark's JVM is a separate process and not counted).

    python benchmarks/bench_engines.py                                  # 10k and 100k customers
    python benchmarks/bench_engines.py --customers 1000000 --master spark://127.0.0.1:7077
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bench_aggregate import DATA, generate, peak_rss_mib

AS_OF = date(2025, 9, 30)
PER_CUSTOMER = 10


def measure(engine_name: str, master: str, path: str) -> dict:
    """Start the engine, run summary and features twice over ``path``; the figures of the faster run."""
    from crmreport.engine import Engine
    from crmreport.measures import spend
    from crmreport.measures.tables import collect, parquet_table
    from crmreport.settings.engine import SparkSettings

    engine = Engine(engine_name, SparkSettings(master=master))
    started = time.perf_counter()
    best, rows = float("inf"), 0
    with engine.backend() as backend:
        start_seconds = time.perf_counter() - started
        for _ in range(2):
            began = time.perf_counter()
            table = parquet_table(backend, "transactions", Path(path), spend.TRANSACTION_COLUMNS)
            summary = collect(backend, spend.summary(table, AS_OF))
            rows = len(summary) + len(collect(backend, spend.features(table, AS_OF)))
            best = min(best, time.perf_counter() - began)
    return {"engine": engine_name if engine_name == "duckdb" else f"spark {master}", "start_s": start_seconds,
            "measures_s": best, "rows_back": rows, "driver_peak_mib": peak_rss_mib()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    parser.add_argument("--engine", choices=["duckdb", "spark"], help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:  # the child process of one measurement
        print(json.dumps(measure(args.engine, args.master, args.path)))
        return
    print(f"{'customers':>10} {'transactions':>12} {'engine':<24} {'start s':>8} {'measures s':>10} "
          f"{'rows/s':>12} {'rows back':>10} {'driver MiB':>10}")
    for customers in args.customers:
        transactions = customers * PER_CUSTOMER
        path = generate(customers, transactions, DATA)["parquet"]
        for engine in ("duckdb", "spark"):
            done = subprocess.run([sys.executable, __file__, "--engine", engine, "--master", args.master,
                                   "--path", str(path)], capture_output=True, text=True, check=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{customers:>10,} {transactions:>12,} {result['engine']:<24} {result['start_s']:>8.1f} "
                  f"{result['measures_s']:>10.2f} {transactions / result['measures_s']:>12,.0f} "
                  f"{result['rows_back']:>10,} {result['driver_peak_mib']:>10,.0f}")


if __name__ == "__main__":
    main()
