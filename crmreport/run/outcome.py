"""What a run did: one record per notebook, and the run's result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class NotebookRun:
    """What happened to one notebook."""

    name: str
    status: str = "pending"  # ok | failed
    seconds: float = 0.0  # wall time from start to rendered, waiting for the render lock included
    execute_seconds: float = 0.0  # papermill: kernel start and every cell
    render_seconds: float = 0.0  # HTML and PDF
    kernel_peak_mib: float | None = None  # the notebook kernel's peak resident memory (Linux)
    error: str | None = None
    failed_cell: int | None = None  # execution count [n] of the failing cell, as shown in the executed notebook
    failed_source: str | None = None
    outputs: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)  # results/*.csv|xlsx this run of the notebook wrote
    data_fingerprint: str | None = None  # Dataset.fingerprint of the data it was produced from
    params_fingerprint: str | None = None  # Params.fingerprint of the parameters it was produced with


@dataclass
class RunResult:
    """The outcome of a period run."""

    report_dir: Path
    notebooks: list[NotebookRun]

    @property
    def failed(self) -> list[NotebookRun]:
        return [nb for nb in self.notebooks if nb.status != "ok"]
