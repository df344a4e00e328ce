"""manifest.json: what a run read, what it did, and with which software, so it can be reproduced."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
import sys
from dataclasses import asdict
from datetime import datetime
from importlib import metadata
from pathlib import Path

from ..core.redact import redact_text
from ..engine import Engine
from ..ingest.dataset import Dataset
from ..reporting.fonts import font_files
from ..settings import Params, uses_demo_data
from .outcome import NotebookRun
from .paths import ReportPaths

PACKAGES: tuple[str, ...] = ("crmreport", "pandas", "numpy", "duckdb", "ibis-framework", "pandera", "pydantic",
                             "scipy", "statsmodels", "scikit-learn", "matplotlib", "seaborn", "papermill", "nbconvert",
                             "weasyprint", "sqlalchemy", "pyarrow", "openpyxl")


def package_versions() -> dict[str, str]:
    """Installed versions of the packages a report depends on."""
    versions = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _git_commit(folder: Path) -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _file_hashes(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def write_manifest(paths: ReportPaths, params: Params, dataset: Dataset, runs: list[NotebookRun],
                   prepare_seconds: float, previous: Path | None = None, workers: int = 1,
                   notebooks_seconds: float | None = None, peaks: dict[str, float | None] | None = None) -> dict:
    """Write ``manifest.json``; notebooks not re-run (``--only``) keep their entry from ``previous``.

    Each notebook's entry names the data and params fingerprints it was produced from, so a
    partial run shows which outputs come from older data. Database passwords are redacted.
    ``timings`` holds the prepare step, the wall time of all notebooks together (``notebooks_seconds``,
    with ``workers`` notebooks at a time) and per notebook its wall, execute and render seconds;
    ``peaks`` the runner's peak memory in the prepare step and afterwards (rendering), in MiB, and
    per notebook its kernel's.
    """
    notebooks = {run.name: asdict(run) for run in runs}
    if previous is not None and previous.is_file():
        earlier = json.loads(previous.read_text(encoding="utf-8")).get("notebooks", [])
        notebooks = {nb["name"]: nb for nb in earlier} | notebooks
    manifest = {
        "period": params.period,
        "created": datetime.now().isoformat(timespec="seconds"),
        "command": redact_text(" ".join(sys.argv)),
        "code_commit": _git_commit(Path(__file__).parent),
        "data_source": "demo" if uses_demo_data(params) else "provided",
        "params": params.public_dump(),
        "params_fingerprint": params.fingerprint(),
        "data": {
            "source": dataset.source,
            "fingerprint": dataset.fingerprint,
            "masked": dataset.masked,
            "tables": {name: asdict(account) for name, account in dataset.accounting.items()},
            "missing_tables": dataset.missing_tables,
        },
        "timings": {"prepare_seconds": round(prepare_seconds, 2), "workers": workers,
                    "notebooks_seconds": None if notebooks_seconds is None else round(notebooks_seconds, 2),
                    "notebook_seconds": {name: nb["seconds"] for name, nb in notebooks.items()},
                    "execute_seconds": {name: nb.get("execute_seconds") for name, nb in notebooks.items()},
                    "render_seconds": {name: nb.get("render_seconds") for name, nb in notebooks.items()},
                    "peak_mib": (peaks or {}) | {"kernels": {name: nb.get("kernel_peak_mib")
                                                             for name, nb in notebooks.items()}}},
        "notebooks": list(notebooks.values()),
        "status": "ok" if all(nb["status"] == "ok" for nb in notebooks.values()) else "failed",
        "results": _file_hashes(paths.results),
        "quarantine": _file_hashes(paths.quarantine),
        "engine": Engine.of(params).describe(),
        "versions": package_versions(),
        "fonts": font_files(),
    }
    paths.manifest.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest
