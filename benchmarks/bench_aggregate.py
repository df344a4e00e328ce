"""Benchmark: per-customer aggregation of 10,000,000 transactions of 1,000,000 customers.

Compares the DuckDB path of crmreport (``aggregate.summarize_files``: load + aggregate inside
DuckDB) with a plain pandas path (``read_parquet``/``read_csv`` + ``groupby``) on the same file.
Each path runs in its own process so its peak memory (VmHWM) is its own; the time is the best of
three load + aggregate runs after the imports, so interpreter start-up counts for neither path.

Targets (issue 2): DuckDB at least 5x faster than pandas, and under 3 GiB peak memory.

    python benchmarks/bench_aggregate.py                       # 1M customers, 10M transactions
    python benchmarks/bench_aggregate.py --customers 100000 --transactions 1000000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from crmreport.measures.aggregate import summarize_files

AS_OF = date(2025, 9, 30)
DATA = Path(__file__).resolve().parent / ".data"
TARGET_SPEEDUP = 5.0
TARGET_PEAK_GIB = 3.0
REPEATS = 3


def generate(customers: int, transactions: int, folder: Path) -> dict[str, Path]:
    """Demo transactions of ``customers`` customers, resampled to exactly ``transactions`` rows."""
    from crmreport.demo import generate_demo

    folder.mkdir(parents=True, exist_ok=True)
    files = {"parquet": folder / f"transactions_{customers}_{transactions}.parquet",
             "csv": folder / f"transactions_{customers}_{transactions}.csv"}
    if all(p.exists() for p in files.values()):
        return files
    started = time.perf_counter()
    frame = generate_demo(n_customers=customers, seed=1).tables["transactions"]
    generated = len(frame)
    rows = np.random.default_rng(1).choice(generated, size=transactions, replace=transactions > generated)
    frame = frame.iloc[np.sort(rows)].reset_index(drop=True)
    frame["transaction_id"] = [f"T{i:09d}" for i in range(transactions)]
    frame.to_parquet(files["parquet"], index=False)
    frame.to_csv(files["csv"], index=False, date_format="%Y-%m-%d %H:%M:%S")
    print(f"generated {generated:,} demo transactions of {customers:,} customers, resampled to "
          f"{transactions:,} rows, in {time.perf_counter() - started:.0f}s")
    return files


def duckdb_path(path: str) -> int:
    """crmreport's path: DuckDB reads the file and aggregates in SQL."""
    return len(summarize_files(path, AS_OF))


def pandas_path(path: str) -> int:
    """The reference: what an analyst writes with pandas alone (read, then groupby)."""
    if path.endswith(".parquet"):
        frame = pd.read_parquet(path, columns=["customer_id", "transaction_date", "amount"])
    else:
        frame = pd.read_csv(path, usecols=["customer_id", "transaction_date", "amount"],
                            parse_dates=["transaction_date"])
    frame = frame[frame["transaction_date"] < pd.Timestamp(AS_OF) + pd.Timedelta(days=1)]
    recent = frame["transaction_date"] >= pd.Timestamp(AS_OF) - pd.Timedelta(days=364)
    orders = frame["amount"] >= 0
    frame = frame.assign(is_order=orders, is_refund=~orders, gross=frame["amount"].where(orders, 0),
                         recent_amount=frame["amount"].where(recent, 0), recent_order=recent & orders,
                         recent_gross=frame["amount"].where(recent & orders, 0))
    summary = frame.groupby("customer_id").agg(
        orders=("is_order", "sum"), refunds=("is_refund", "sum"), total_amount=("amount", "sum"),
        first_transaction=("transaction_date", "min"), last_transaction=("transaction_date", "max"),
        amount_12m=("recent_amount", "sum"), orders_12m=("recent_order", "sum"),
        order_amount_12m=("recent_gross", "sum"), gross=("gross", "sum"))
    summary["average_order_value"] = summary["gross"] / summary["orders"].replace(0, np.nan)
    return len(summary)


def peak_rss_mib() -> float:
    """Peak resident memory of this process (VmHWM; unlike ru_maxrss it is not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def measure(engine: str, path: Path) -> dict[str, float]:
    """Run one path in a fresh interpreter; return seconds, peak MiB and result rows."""
    done = subprocess.run([sys.executable, __file__, "--child", engine, str(path)], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def child(engine: str, path: str) -> None:
    """Load + aggregate ``REPEATS`` times after the imports; report the best time and the peak memory."""
    run = duckdb_path if engine == "duckdb" else pandas_path
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        rows = run(path)
        times.append(time.perf_counter() - started)
    print(json.dumps({"seconds": min(times), "peak_mib": peak_rss_mib(), "rows": rows}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    files = generate(args.customers, args.transactions, DATA)
    print(f"\n{'format':8} {'path':7} {'seconds':>8} {'peak MiB':>9} {'customers':>10}")
    verdicts = []
    for fmt in args.formats.split(","):
        results = {engine: measure(engine, files[fmt]) for engine in ("duckdb", "pandas")}
        for engine, r in results.items():
            print(f"{fmt:8} {engine:7} {r['seconds']:8.2f} {r['peak_mib']:9.0f} {r['rows']:10,}")
        if results["duckdb"]["rows"] != results["pandas"]["rows"]:
            raise SystemExit(f"{fmt}: the two paths disagree on the number of customers")
        speedup = results["pandas"]["seconds"] / results["duckdb"]["seconds"]
        peak_gib = results["duckdb"]["peak_mib"] / 1024
        verdicts.append(f"{fmt}: DuckDB is {speedup:.1f}x faster than pandas (target >= {TARGET_SPEEDUP:g}x: "
                        f"{'met' if speedup >= TARGET_SPEEDUP else 'MISSED'}); DuckDB peak {peak_gib:.2f} GiB "
                        f"(target < {TARGET_PEAK_GIB:g} GiB: {'met' if peak_gib < TARGET_PEAK_GIB else 'MISSED'})")
    print("\n" + "\n".join(verdicts))


if __name__ == "__main__":
    main()
