"""Where a run reads notebooks and writes its outputs: every path in one place."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ParamsError


@dataclass(frozen=True)
class ReportPaths:
    """The layout of ``reports/<period>/`` (or of its staging copy during a run)."""

    root: Path

    @property
    def results(self) -> Path:
        return self.root / "results"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def prepared(self) -> Path:
        """Validated, masked tables the notebooks read during the run; removed before the swap."""
        return self.root / ".prepared"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"

    @property
    def params(self) -> Path:
        return self.root / "params.yaml"

    @property
    def log(self) -> Path:
        return self.root / "run.log"

    def output(self, notebook: str, suffix: str) -> Path:
        """``<notebook>.ipynb``, ``.html`` or ``.pdf`` of an executed notebook."""
        return self.root / f"{notebook}{suffix}"


def previous_entries(manifest: Path) -> dict[str, dict]:
    """The per-notebook entries of an earlier run's manifest (empty without one)."""
    if not manifest.is_file():
        return {}
    try:
        return {nb["name"]: nb for nb in json.loads(manifest.read_text(encoding="utf-8")).get("notebooks", [])}
    except (ValueError, KeyError, TypeError):
        return {}


def remove_stale_outputs(paths: ReportPaths, notebook: str, earlier: dict | None) -> None:
    """Before a notebook runs again: remove its earlier executed notebook, HTML, PDF and result files,
    so a failing run never leaves the previous run's outputs next to its own."""
    for suffix in (".ipynb", ".html", ".pdf"):
        paths.output(notebook, suffix).unlink(missing_ok=True)
    for name in (earlier or {}).get("results", []):
        if Path(name).name == name:
            (paths.results / name).unlink(missing_ok=True)


def writable_out_dir(out_dir: Path) -> None:
    """Make sure ``out_dir`` is a folder a run can write into, before any work (created when missing).

    Raises
    ------
    ParamsError
        When it is a file, or cannot be created or written into (a read-only folder or file system).
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise ParamsError(f"--out {out_dir} is a file, not a folder; name a folder for the reports (it is created "
                          "when missing)")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except OSError as exc:
        raise ParamsError(f"cannot write into the reports folder {out_dir} ({exc.strerror or exc}); name a folder "
                          "you may write into with --out") from None


class PeriodLock:
    """The one run writing ``<out_dir>/<period>`` at a time: an exclusive lock on a hidden file beside it.

    A second run of the same period into the same folder (another ``--only``, another language)
    would swap its report over the first's; it stops instead, naming the folder.
    """

    def __init__(self, out_dir: Path, period: str):
        self.path = out_dir / f".{period}.lock"
        self.file = self.path.open("w")
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.file.close()
            raise ParamsError(f"another run is writing the {period} report in {out_dir}; wait until it ends, or "
                              "give this run another --out") from None

    def release(self) -> None:
        """Remove the lock file and let the next run in."""
        self.path.unlink(missing_ok=True)
        self.file.close()


def staging_dir(out_dir: Path, period: str) -> Path:
    """A fresh folder beside the final report, on the same file system so the swap is a rename."""
    return out_dir / f".{period}.staging-{os.getpid()}"


def remove_abandoned_staging(out_dir: Path, period: str) -> None:
    """Delete staging folders of ``period`` left by runs that were killed (their process is gone)."""
    for folder in out_dir.glob(f".{period}.staging-*"):
        pid = int(folder.name.rsplit("-", 1)[-1])
        if pid == os.getpid() or not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def notebook_name(path: Path) -> str:
    """``01_profiling`` for ``notebooks/01_profiling.ipynb``."""
    return path.stem


def matches(path: Path, wanted: str) -> bool:
    """``--only`` accepts ``01_profiling``, ``profiling`` or ``01_profiling.ipynb``."""
    stem = path.stem
    wanted = wanted.removesuffix(".ipynb")
    return wanted in (stem, stem.split("_", 1)[-1] if stem[:2].isdigit() else stem)
