"""A real standalone Spark cluster for the tests: one master and two workers on 127.0.0.1.

Started with the daemon script that ships inside the pyspark package (``sbin/spark-daemon.sh``, what
Spark's ``start-master.sh``/``start-worker.sh`` call), with SPARK_HOME the pyspark folder. Logs, pid
files, work and conf folders live under the given temporary folder; nothing is written into the
working tree. Stopped (workers, then master) by :meth:`StandaloneCluster.stop`.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

MASTER = "org.apache.spark.deploy.master.Master"
WORKER = "org.apache.spark.deploy.worker.Worker"
HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class StandaloneCluster:
    """A master and ``workers`` workers (one core, ``worker_memory`` each) under ``folder``."""

    def __init__(self, folder: Path, workers: int = 2, worker_memory: str = "768m"):
        import pyspark

        self.home = Path(pyspark.__file__).parent
        self.folder, self.workers, self.worker_memory = folder, workers, worker_memory
        self.port, self.ui_port = free_port(), free_port()
        (folder / "conf").mkdir(parents=True, exist_ok=True)  # empty: no site settings leak in
        self.env = os.environ | {
            "SPARK_HOME": str(self.home), "SPARK_CONF_DIR": str(folder / "conf"), "SPARK_LOG_DIR": str(folder / "logs"),
            "SPARK_PID_DIR": str(folder / "pids"), "SPARK_WORKER_DIR": str(folder / "work"), "SPARK_LOCAL_IP": HOST,
            "SPARK_MASTER_HOST": HOST, "SPARK_IDENT_STRING": f"crmreport-test-{os.getpid()}", "SPARK_NICENESS": "10",
            "SPARK_DAEMON_MEMORY": "384m",
        }

    @property
    def master_url(self) -> str:
        return f"spark://{HOST}:{self.port}"

    def _daemon(self, action: str, kind: str, instance: int, *arguments: str) -> None:
        script = self.home / "sbin" / "spark-daemon.sh"
        subprocess.run(["bash", str(script), action, kind, str(instance), *arguments], env=self.env, check=True,
                       capture_output=True, timeout=120)

    def start(self, timeout: float = 180) -> None:
        """Start the master and the workers; return when every worker is registered and alive."""
        self._daemon("start", MASTER, 1, "--host", HOST, "--port", str(self.port), "--webui-port", str(self.ui_port))
        for instance in range(1, self.workers + 1):
            self._daemon("start", WORKER, instance, "--host", HOST, "--webui-port", str(free_port()), "--cores", "1",
                         "--memory", self.worker_memory, "--work-dir", str(self.folder / "work"), self.master_url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.alive_workers() == self.workers:
                return
            time.sleep(1)
        raise RuntimeError(f"the Spark cluster did not come up in {timeout:.0f} s; logs:\n{self.log_tail()}")

    def alive_workers(self) -> int:
        """Workers the master reports alive (its web UI's JSON on 127.0.0.1), 0 while it is not up."""
        try:
            with urllib.request.urlopen(f"http://{HOST}:{self.ui_port}/json/", timeout=5) as answer:
                return int(json.load(answer).get("aliveworkers", 0))
        except (OSError, ValueError):
            return 0

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(f"{path.name}: " + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
                         for path in sorted((self.folder / "logs").glob("*.out")))

    def stop(self) -> None:
        """Stop the workers, then the master (each by the pid file its start wrote)."""
        for instance in range(1, self.workers + 1):
            self._daemon("stop", WORKER, instance)
        self._daemon("stop", MASTER, 1)
