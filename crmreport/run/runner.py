"""Run a period: prepare the data once, execute every notebook with papermill, render, swap in.

The run builds ``reports/.<period>.staging-<pid>/`` and only renames it to
``reports/<period>/`` at the end, so an interrupted run never leaves a half-written report in
place of a good one. A failing notebook does not stop the others; its error is recorded in
the manifest and the run ends with a non-zero exit code.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from pathlib import Path

import nbformat
import papermill
import yaml

from ..core.errors import CrmReportError, RenderError
from ..core.log import attach_log_file, detach_log_file
from ..ingest.dataset import Dataset, prepare_dataset
from ..reporting.meta import report_meta, report_title
from ..reporting.plots import cjk_font_available
from ..reporting.render import write_html, write_pdf
from ..reporting.report import RESULTS_ENCODING
from ..settings import Params, find_project_root, load_params, uses_demo_data
from ..settings.stock import notebooks_folder
from .bookstep import write_run_book
from .manifest import write_manifest
from .memory import peak_mib, reset_peak
from .outcome import NotebookRun, RunResult
from .paths import (
    PeriodLock,
    ReportPaths,
    matches,
    notebook_name,
    previous_entries,
    remove_abandoned_staging,
    remove_stale_outputs,
    staging_dir,
    writable_out_dir,
)
from .progress import ENGINE, NotebookProgress
from .schedule import RUNNER_GIB, default_workers, depends_on_all, kernel_estimate_gib, run_in_stages, workers_within

log = logging.getLogger("crmreport")
KERNEL = "python3"
#: rendering (nbconvert, WeasyPrint) happens in the runner's process: one notebook at a time
_RENDER_LOCK = threading.Lock()


def find_notebooks(folder: Path, only: list[str] | None = None) -> list[Path]:
    """The period notebooks in run order, or those named by ``--only``."""
    notebooks = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not notebooks:
        raise CrmReportError(f"no notebooks found in {folder}")
    if not only:
        return notebooks
    unknown = [name for name in only if not any(matches(p, name) for p in notebooks)]
    if unknown:
        raise CrmReportError(f"--only {', '.join(unknown)}: no such notebook; choose from "
                             f"{', '.join(notebook_name(p) for p in notebooks)}")
    return [p for p in notebooks if any(matches(p, name) for name in only)]


def run_period(period: str, params_file: str | None = None, data: str | None = None,
               only: list[str] | None = None, out_dir: Path | None = None, formats: list[str] | None = None,
               language: str | None = None, notebooks_dir: Path | None = None, demo: bool = False,
               workers: int | None = None, engine: str | None = None) -> RunResult:
    """Produce ``<out_dir>/<period>/`` from the period's parameters and data.

    The notebooks are the project's ``notebooks/`` when it has any, else the stock notebooks shipped
    with crmreport; ``demo`` runs on the embedded demo data (otherwise a data source is required).
    Independent notebooks run ``workers`` at a time (default: params ``workers``, else
    min(2, CPU count)); a notebook with ``crmreport: {depends: all}`` in its metadata runs after
    all the others (run/schedule.py). ``engine`` (``duckdb`` or ``spark``) overrides params ``engine``.

    Raises
    ------
    CrmReportError
        Bad parameters or data (nothing is written over an existing report).
    """
    root = find_project_root()
    params = load_params(period, params_file, overrides={"data": data, "formats": formats, "language": language,
                                                        "workers": workers, "engine": engine}, demo=demo)
    chosen = params.workers is not None
    workers = params.workers or default_workers()
    out_dir = (out_dir or (root or Path.cwd()) / "reports").resolve()
    writable_out_dir(out_dir)
    notebooks = find_notebooks(notebooks_dir or notebooks_folder(root or Path.cwd()), only)
    if uses_demo_data(params):
        log.warning("running on the embedded demo data (--demo): every report says so on its cover")
    log.info("period %s (%s .. %s), baseline %s .. %s, as of %s", params.period, params.start, params.end,
             params.baseline_window.start, params.baseline_window.end, params.as_of)
    if params.language == "zh" and cjk_font_available() is None:
        raise RenderError("a Chinese report needs a CJK font and none is installed: on Debian/Ubuntu run "
                          "`sudo apt-get install fonts-noto-cjk`, or set CRMREPORT_CJK_FONT=/path/to/font.otf")
    final = out_dir / params.period
    staging = ReportPaths(staging_dir(out_dir, params.period))
    lock = PeriodLock(out_dir, params.period)
    remove_abandoned_staging(out_dir, params.period)
    if only and final.is_dir():
        shutil.copytree(final, staging.root)
    staging.root.mkdir(parents=True, exist_ok=True)
    run_log = attach_log_file(staging.log)
    try:
        started = time.perf_counter()
        dataset = prepare_dataset(params, into=staging.prepared)
        _write_inputs(staging, params, dataset)
        prepare_seconds = time.perf_counter() - started
        peaks = {"prepare": peak_mib()}
        reset_peak()
        if not chosen:
            workers = _workers_for_memory(params, staging.prepared, workers)
        earlier = previous_entries(final / "manifest.json")
        position = {path: index for index, path in enumerate(notebooks, 1)}
        parallel = workers > 1 and len(notebooks) > 1

        def run_one(path: Path) -> NotebookRun:
            return _run_notebook(path, position[path], len(notebooks), staging, params, dataset,
                                 earlier.get(notebook_name(path)), parallel)

        runs = run_in_stages(notebooks, run_one, workers)
        write_run_book(staging, params, runs, dataset.source)
        shutil.rmtree(staging.prepared)
        write_manifest(staging, params, dataset, runs, prepare_seconds, previous=final / "manifest.json",
                       workers=workers, notebooks_seconds=time.perf_counter() - started - prepare_seconds,
                       peaks=peaks | {"rendering": peak_mib()})
        detach_log_file(run_log)
        _swap(staging.root, final)
    except BaseException:
        detach_log_file(run_log)
        shutil.rmtree(staging.root, ignore_errors=True)
        raise
    finally:
        lock.release()
    return RunResult(final, runs)


def _workers_for_memory(params: Params, prepared: Path, workers: int) -> int:
    """The default notebooks-at-a-time, lowered when their kernels would exceed ``memory_limit_gib``."""
    size = sum(path.stat().st_size for path in prepared.glob("*.parquet"))
    fitting = workers_within(params.memory_limit_gib, size, workers)
    if fitting < workers:
        log.info("notebooks run %d at a time: %d kernels on %.2f GiB of prepared data would need about %.1f GiB, "
                 "above memory_limit_gib %g (set `workers` to override)", fitting, workers, size / 2**30,
                 RUNNER_GIB + workers * kernel_estimate_gib(size), params.memory_limit_gib)
    return fitting


def _write_inputs(staging: ReportPaths, params: Params, dataset: Dataset) -> None:
    shutil.rmtree(staging.quarantine, ignore_errors=True)
    staging.quarantine.mkdir(parents=True)
    for name, rows in dataset.quarantine.items():
        if len(rows):
            rows.to_csv(staging.quarantine / f"{name}.csv", index=False, encoding=RESULTS_ENCODING)
    staging.results.mkdir(exist_ok=True)
    staging.params.write_text(yaml.safe_dump(params.public_dump(), allow_unicode=True, sort_keys=False),
                              encoding="utf-8")


def _run_notebook(path: Path, index: int, total: int, staging: ReportPaths, params: Params, dataset: Dataset,
                  earlier: dict | None = None, parallel: bool = False) -> NotebookRun:
    """Execute and render one notebook; its own failure is recorded in the result, never raised.

    Thread-safe: the kernel starts in the notebook's folder through nbclient's ``resources`` (never
    papermill's ``cwd``, which changes the whole process's working directory). When notebooks run
    in parallel, an independent notebook writes into a folder of its own, moved into ``results/``
    when it ends, so ``run.results`` names exactly its files; a notebook that runs after all the
    others (alone) writes into ``results/`` directly and its files are those written meanwhile.
    """
    run = NotebookRun(notebook_name(path), data_fingerprint=dataset.fingerprint,
                      params_fingerprint=params.fingerprint())
    progress = NotebookProgress(index, total, run.name, live=not parallel)
    remove_stale_outputs(staging, run.name, earlier)
    own = staging.root / f".results-{run.name}" if parallel and not depends_on_all(path) else None
    results_dir = own or staging.results
    results_dir.mkdir(exist_ok=True)
    executed = staging.output(run.name, ".ipynb")
    started, started_ns = time.perf_counter(), time.time_ns()
    try:
        papermill.execute_notebook(
            str(path), str(executed), kernel_name=KERNEL, progress_bar=False,
            resources={"metadata": {"path": str(path.parent)}}, engine_name=ENGINE, progress=progress,
            record_kernel_peak=lambda mib: setattr(run, "kernel_peak_mib", mib),
            parameters={"period": params.period, "params_file": str(staging.params),
                        "prepared": str(staging.prepared), "results_dir": str(results_dir)})
        run.status = "ok"
    except papermill.PapermillExecutionError as exc:
        run.status, run.error, run.failed_cell = "failed", f"{exc.ename}: {exc.evalue}", exc.exec_count
    nb = nbformat.read(executed, as_version=4)
    if run.status == "failed":
        run.failed_source = _cell_source(nb, run.failed_cell)
        log.error("%s failed in cell [%s] `%s`: %s", run.name, run.failed_cell, run.failed_source, run.error)
    run.outputs.append(executed.name)
    executed_at = time.perf_counter()
    run.results = _collect_results(own, staging.results, started_ns)
    with _RENDER_LOCK:
        rendering = time.perf_counter()
        try:
            run.outputs.extend(_render(nb, staging, params, run))
        except CrmReportError as exc:
            run.status, run.error = "failed", f"rendering failed: {exc}"
            log.error("%s: %s", run.name, run.error)
    ended = time.perf_counter()
    run.execute_seconds, run.render_seconds = round(executed_at - started, 2), round(ended - rendering, 2)
    run.seconds = round(ended - started, 2)
    progress.finish(run.status)
    return run


def _collect_results(own: Path | None, results: Path, started_ns: int) -> list[str]:
    """The result files a notebook wrote: those of its own folder (moved into ``results``), else by time."""
    if own is None:
        return sorted(p.name for p in results.glob("*") if p.stat().st_mtime_ns >= started_ns)
    names = sorted(p.name for p in own.iterdir() if p.is_file())
    for name in names:
        (own / name).replace(results / name)
    shutil.rmtree(own, ignore_errors=True)
    return names


def _cell_source(nb: nbformat.NotebookNode, execution_count: int | None) -> str | None:
    """First line of the code cell that ran as ``[execution_count]``."""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("execution_count") == execution_count:
            return cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    return None


def _render(nb: nbformat.NotebookNode, staging: ReportPaths, params: Params, run: NotebookRun) -> list[str]:
    """HTML always (analysts debug failures from it); PDF only for notebooks that ran."""
    meta = report_meta(params, report_title(run.name, params.language))
    written = []
    if "html" in params.formats:
        write_html(nb, staging.output(run.name, ".html"), meta)
        written.append(f"{run.name}.html")
    if "pdf" in params.formats and run.status == "ok":
        write_pdf(nb, staging.output(run.name, ".pdf"), meta)
        written.append(f"{run.name}.pdf")
    return written


def _swap(staging: Path, final: Path) -> None:
    """Replace ``final`` by ``staging`` with two renames; the old report is removed only afterwards."""
    retired = final.with_name(f".{final.name}.old-{time.time_ns()}")
    if final.exists():
        final.rename(retired)
    staging.rename(final)
    shutil.rmtree(retired, ignore_errors=True)


def result_summary(result: RunResult) -> list[str]:
    """Lines printed at the end of a run: one per notebook with its status."""
    lines = [f"report: {result.report_dir}"]
    for nb in result.notebooks:
        detail = f" (cell [{nb.failed_cell}] `{nb.failed_source}`: {nb.error})" if nb.status != "ok" else ""
        lines.append(f"  {nb.status:6} {nb.name} {nb.seconds:.1f}s{detail}")
    return lines

