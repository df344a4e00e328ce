"""Progress of a run: one line per notebook with a cell counter and the elapsed time.

On a terminal the line is updated in place while the notebook runs; everywhere else (pipes, log
files), and whenever two notebooks run at the same time, each notebook gets one plain line when it
ends, never a carriage-return progress bar.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, TextIO

from papermill.engines import NBClientEngine, papermill_engines

from .memory import peak_recording_kernel_manager

log = logging.getLogger("crmreport")
ENGINE = "crmreport"
#: kernel options: no start-up chatter (the "running over TCP without encryption" warning) on the console
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


class NotebookProgress:
    """The progress line of one notebook of a run."""

    def __init__(self, index: int, total: int, name: str, stream: TextIO | None = None, live: bool = True):
        self.prefix = f"[{index}/{total}] {name}"
        self.stream = stream if stream is not None else sys.stderr
        self.live = live and bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.perf_counter()
        self.cells = 0
        self.done = 0

    def line(self, status: str | None = None) -> str:
        """``[1/4] 01_profiling  cell 12/40  0:14`` (and the status once finished)."""
        text = f"{self.prefix}  cell {self.done}/{self.cells}  {_clock(time.perf_counter() - self.started)}"
        return f"{text}  {status}" if status else text

    def start(self, cells: int) -> None:
        self.cells = cells
        self._draw()

    def cell_done(self) -> None:
        self.done += 1
        self._draw()

    def finish(self, status: str) -> None:
        """Replace the live line by the final one (logged, so it reaches the console and the log file)."""
        if self.live:
            self.stream.write("\r\033[K")
            self.stream.flush()
        log.info(self.line(status))

    def _draw(self) -> None:
        if self.live:
            self.stream.write(f"\r{self.line()}\033[K")
            self.stream.flush()


class ProgressEngine(NBClientEngine):
    """papermill's nbclient engine, reporting each finished code cell to a :class:`NotebookProgress`."""

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
        progress: NotebookProgress | None = kwargs.pop("progress", None)
        record_peak = kwargs.pop("record_kernel_peak", None)
        if record_peak is not None:
            kwargs["kernel_manager_class"] = peak_recording_kernel_manager(record_peak)
        if progress is not None:
            progress.start(sum(cell.cell_type == "code" for cell in nb_man.nb.cells))
            complete = nb_man.cell_complete

            def cell_complete(cell: Any, cell_index: int | None = None, **more: Any) -> Any:
                if cell.cell_type == "code":
                    progress.cell_done()
                return complete(cell, cell_index=cell_index, **more)

            nb_man.cell_complete = cell_complete
        kwargs.setdefault("extra_arguments", KERNEL_ARGUMENTS)
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)


papermill_engines.register(ENGINE, ProgressEngine)
