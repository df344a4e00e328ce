"""Peak resident memory of the run's processes (Linux ``/proc``), for the manifest's stage figures.

The kernel reports its own high-water mark (``VmHWM``) just before it is shut down, and the runner
resets its own after the prepare step, so each stage's peak is measured, not sampled. Elsewhere
(no ``/proc``) the figures are empty.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyter_client import AsyncKernelManager


def peak_mib(pid: int | str = "self") -> float | None:
    """Peak resident memory of process ``pid`` since it started (or since :func:`reset_peak`), MiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    kilobytes = next((line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")), None)
    return round(int(kilobytes) / 1024, 1) if kilobytes else None


def reset_peak() -> None:
    """Start this process's peak memory afresh (Linux: ``echo 5 > /proc/self/clear_refs``)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_recording_kernel_manager(record: Callable[[float | None], None]) -> type[AsyncKernelManager]:
    """A kernel manager class that passes the kernel's peak memory to ``record`` before shutting it down, and
    whose kernel writes nothing on the console (its process's stdout goes nowhere)."""

    class PeakRecordingKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw: Any) -> None:
            # the kernel's own stdout is no channel of the notebook (its output travels over ZMQ); ipykernel prints
            # "KeyboardInterrupt caught in kernel" there when the manager ends a kernel slow to shut down
            kw.setdefault("stdout", subprocess.DEVNULL)
            return await super().start_kernel(**kw)

        async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> Any:
            record(peak_mib(self.provisioner.pid) if getattr(self.provisioner, "pid", None) else None)
            return await super().shutdown_kernel(now=now, restart=restart)

    return PeakRecordingKernelManager
