"""Benchmark: the whole quarterly run (all notebooks, HTML and PDF) at 10k, 100k and 1M customers.

For each size the demo generator writes a Parquet data set once (cached in ``benchmarks/.data/``,
about 10 transactions and 10 interactions per customer), then ``crmreport run`` renders the
period in a fresh process. The script prints per size: wall time, peak memory of the run's whole
process tree (runner + notebook kernels, sampled every 0.1 s), and the stage figures the run's
manifest records: prepare (seconds, the runner's peak memory), all notebooks together (they run
``--workers`` at a time), per notebook its execute (papermill) and render (HTML + PDF) seconds and
its kernel's peak memory, and the runner's peak while rendering. The fixed floor is the same number of empty notebooks
through papermill, nbconvert and WeasyPrint, measured in the same invocation; the exponent of the
data-dependent time (time - floor) is fitted between consecutive sizes. ``--engines`` runs every size
on each engine named (``crmreport run --engine``; Spark as params say, by default ``local[2]``).

Targets (issue 17): 1M customers under 10 minutes and 6 GiB; exponent <= 1.05 between 100k and 1M;
the demo period within 2x of the floor.

    python benchmarks/bench_run.py                       # 10k, 100k, 1M
    python benchmarks/bench_run.py --sizes 10000 100000  # smaller machines or a quick look
    python benchmarks/bench_run.py --sizes 100000 --workers 1  # notebooks one after the other
    python benchmarks/bench_run.py --sizes 1000000 --engines duckdb spark  # both engines, same invocation
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / ".data"
PERIOD = "2025Q3"
TARGET_MINUTES, TARGET_GIB, TARGET_EXPONENT, TARGET_FLOOR_RATIO = 10.0, 6.0, 1.05, 2.0


def demo_set(customers: int) -> Path:
    """The cached Parquet demo set of ``customers`` customers (generated in a subprocess on first use)."""
    folder = DATA / f"run-{customers}"
    if not (folder / "ground_truth.json").exists():
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "crmreport.cli", "demo-data", str(folder), "--customers",
                        str(customers), "--seed", "17", "--format", "parquet"], check=True)
        print(f"generated the {customers:,}-customer set in {time.perf_counter() - started:.0f}s")
    return folder


def measured_run(command: list[str], cwd: Path) -> tuple[float, float, int]:
    """Run ``command``; return wall seconds, peak resident GiB of its process tree, and the exit code."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak, done = [0], threading.Event()

    def sample() -> None:
        root = psutil.Process(process.pid)
        while not done.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                peak[0] = max(peak[0], sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    done.set()
    sampler.join()
    if process.returncode:
        print(stderr[-2000:], file=sys.stderr)
    return time.perf_counter() - started, peak[0] / 2**30, process.returncode


def floor_project(notebooks: int, folder: Path) -> Path:
    """A project whose ``notebooks/`` holds ``notebooks`` empty notebooks (a parameters cell and a heading)."""
    (folder / "params").mkdir(parents=True)
    shutil.copy(REPO / "params" / "defaults.yaml", folder / "params" / "defaults.yaml")
    (folder / "notebooks").mkdir()
    for index in range(1, notebooks + 1):
        parameters = nbformat.v4.new_code_cell("period = '2025Q3'\nparams_file = None\nprepared = None\n"
                                               "results_dir = None")
        parameters.metadata["tags"] = ["parameters"]
        nb = nbformat.v4.new_notebook(cells=[parameters, nbformat.v4.new_markdown_cell(f"# Empty {index}")])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, folder / "notebooks" / f"{index:02d}_empty.ipynb")
    return folder


def run_size(data: Path, out: Path, workers: list[str]) -> dict:
    """One full run on ``data``; wall time, peak memory and the manifest's stage times."""
    command = [sys.executable, "-m", "crmreport.cli", "run", "--period", PERIOD, "--data", str(data), "--out", str(out),
               *workers]
    seconds, gib, code = measured_run(command, REPO)
    manifest = json.loads((out / PERIOD / "manifest.json").read_text()) if code == 0 else {}
    return {"seconds": seconds, "gib": gib, "exit": code, "timings": manifest.get("timings", {})}


def stage_lines(timings: dict) -> list[str]:
    """Per stage its wall time and peak memory: prepare, each notebook (execute + render, its kernel's
    peak), and the rendering in the runner (HTML, PDF and the report book, after the prepare step)."""
    nan = float("nan")
    together = timings.get("notebooks_seconds") or nan
    peaks = timings.get("peak_mib", {})
    kernels = peaks.get("kernels", {})

    def gib(mib: float | None) -> str:
        return f"{mib / 1024:5.2f} GiB" if mib else "    – GiB"

    lines = [f"  prepare {timings.get('prepare_seconds', nan):.1f}s, peak {gib(peaks.get('prepare'))}; notebooks "
             f"{together:.1f}s ({timings.get('workers', 1)} at a time); rendering in the runner: peak "
             f"{gib(peaks.get('rendering'))}"]
    execute, render = timings.get("execute_seconds", {}), timings.get("render_seconds", {})
    for name, wall in timings.get("notebook_seconds", {}).items():
        lines.append(f"  {name:28} {wall:7.1f}s = execute {execute.get(name) or nan:6.1f}s + render "
                     f"{render.get(name) or nan:5.1f}s, kernel peak {gib(kernels.get(name))}")
    return lines


def exponent(small: tuple[int, float], large: tuple[int, float]) -> float:
    """Slope of log(time) against log(customers) between two sizes."""
    (n1, t1), (n2, t2) = small, large
    return math.log(t2 / t1) / math.log(n2 / n1) if t1 > 0 and t2 > 0 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--workers", type=int, help="notebooks at a time (default: the run's, min(2, CPU count))")
    parser.add_argument("--engines", nargs="+", choices=["duckdb", "spark"], default=["duckdb"],
                        help="engines to run every size on, one after the other (default: duckdb; spark runs local[2])")
    args = parser.parse_args()
    workers = ["--workers", str(args.workers)] if args.workers else []
    print(f"load average {' '.join(f'{x:.2f}' for x in psutil.getloadavg())}, {psutil.cpu_count()} CPUs")
    notebooks = len(list((REPO / "notebooks").glob("[0-9]*.ipynb")))
    with tempfile.TemporaryDirectory(prefix="crmreport-bench-") as tmp:
        project = floor_project(notebooks, Path(tmp) / "floor")
        floor, floor_gib, code = measured_run(
            [sys.executable, "-m", "crmreport.cli", "run", "--period", PERIOD, "--data",
             str(REPO / "crmreport" / "data" / "demo"), "--out", str(Path(tmp) / "floor-out"), *workers], project)
        print(f"floor: {notebooks} empty notebooks through papermill, nbconvert and WeasyPrint: {floor:.1f}s, "
              f"{floor_gib:.2f} GiB (exit {code})")
        demo = run_size(REPO / "crmreport" / "data" / "demo", Path(tmp) / "demo", workers)
        print(f"demo period (2,000 customers): {demo['seconds']:.1f}s = {demo['seconds'] / floor:.2f}x the floor "
              f"(target <= {TARGET_FLOOR_RATIO}x), peak {demo['gib']:.2f} GiB")
        print("\n".join(stage_lines(demo["timings"])))
        for engine in args.engines:
            print(f"engine {engine}:")
            results = []
            for size in args.sizes:
                result = run_size(demo_set(size), Path(tmp) / f"out-{engine}-{size}", [*workers, "--engine", engine])
                results.append((size, result))
                print(f"{size:>9,} customers on {engine}: {result['seconds']:.1f}s, peak {result['gib']:.2f} GiB, "
                      f"exit {result['exit']}, load average {psutil.getloadavg()[0]:.2f}")
                print("\n".join(stage_lines(result["timings"])), flush=True)
            report_targets(results, floor)


def report_targets(results: list[tuple[int, dict]], floor: float) -> None:
    """The exponents of (time - floor) between consecutive sizes, and the 1M targets when 1M was run."""
    for (n1, r1), (n2, r2) in zip(results, results[1:], strict=False):
        print(f"exponent of (time - floor) {n1:,} -> {n2:,}: "
              f"{exponent((n1, r1['seconds'] - floor), (n2, r2['seconds'] - floor)):.2f} "
              f"(target <= {TARGET_EXPONENT})")
    if results and results[-1][0] >= 1_000_000:
        last = results[-1][1]
        print(f"1M target: {last['seconds'] / 60:.1f} min (<= {TARGET_MINUTES}), {last['gib']:.2f} GiB "
              f"(<= {TARGET_GIB})")

if __name__ == "__main__":
    main()
