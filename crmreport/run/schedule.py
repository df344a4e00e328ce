"""The order of a run's notebooks: independent notebooks in parallel, the ones that read the others last.

The dependency rule: a notebook whose metadata holds ``"crmreport": {"depends": "all"}`` (the
executive summary, 07) reads the results of the other notebooks of the run, so it starts only once
every other notebook of the run has finished (failed or not), in file-name order when there are
several. Every other notebook only reads the run's prepared tables; these run in file-name order
on up to ``workers`` threads at a time. Each thread drives one notebook kernel (a separate process,
so two notebooks execute on two cores); rendering in the runner's process takes a lock, one
notebook at a time, while the other notebook's kernel keeps executing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TypeVar

import nbformat

Result = TypeVar("Result")
#: notebook metadata key and value of a notebook that runs after all the others
METADATA_KEY, AFTER_ALL = "crmreport", "all"


#: a notebook kernel's peak memory, estimated from the size of the run's prepared Parquet files: the
#: imports, plus a multiple of the data (fitted to the kernel peaks bench_run.py measured at 2,000 to
#: 1,000,000 customers, benchmarks/README.md); and the runner's own peak while it renders
KERNEL_BASE_GIB, KERNEL_PER_PREPARED_GIB, RUNNER_GIB = 0.4, 6.0, 1.0


def default_workers() -> int:
    """Two notebooks at a time, or one on a single-core machine."""
    return max(1, min(2, os.cpu_count() or 1))


def kernel_estimate_gib(prepared_bytes: int) -> float:
    """The estimated peak memory of one notebook kernel on ``prepared_bytes`` of prepared Parquet."""
    return KERNEL_BASE_GIB + KERNEL_PER_PREPARED_GIB * prepared_bytes / 2**30


def workers_within(memory_limit_gib: float, prepared_bytes: int, wanted: int) -> int:
    """At most ``wanted`` notebooks at a time, fewer when their kernels would not fit in the memory limit.

    Never fewer than one: a single notebook runs whatever its estimate (the limit is a budget for
    running notebooks side by side, not a refusal).
    """
    fitting = int((memory_limit_gib - RUNNER_GIB) // kernel_estimate_gib(prepared_bytes))
    return max(1, min(wanted, fitting))


def depends_on_all(path: Path) -> bool:
    """True when the notebook's metadata says ``crmreport: {depends: all}``."""
    metadata = nbformat.read(path, as_version=4).metadata.get(METADATA_KEY, {})
    return isinstance(metadata, dict) and metadata.get("depends") == AFTER_ALL


def stages(notebooks: list[Path]) -> tuple[list[Path], list[Path]]:
    """The independent notebooks and those that run after them, each in the given order."""
    last = [path for path in notebooks if depends_on_all(path)]
    return [path for path in notebooks if path not in last], last


def run_in_stages(notebooks: list[Path], run_one: Callable[[Path], Result], workers: int) -> list[Result]:
    """``run_one`` on every notebook, independent ones ``workers`` at a time; results in ``notebooks`` order.

    ``run_one`` isolates a notebook's own failure (it returns a failed result); an exception it
    raises is a fault of the run: the notebooks not yet started are cancelled and it is re-raised.
    """
    first, last = stages(notebooks)
    done: dict[Path, Result] = {}
    if workers <= 1 or len(first) <= 1:
        done.update((path, run_one(path)) for path in first)
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="notebook") as pool:
            futures = {pool.submit(run_one, path): path for path in first}
            finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = [future for future in finished if future.exception() is not None]
            if failed:
                pool.shutdown(wait=True, cancel_futures=True)
                raise failed[0].exception()
            done.update((futures[future], future.result()) for future in futures)
    done.update((path, run_one(path)) for path in last)
    return [done[path] for path in notebooks]
