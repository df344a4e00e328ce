"""Start a throw-away PostgreSQL server for the tests (Debian package `postgresql`).

The server runs from the installed binaries in a temporary data folder, on a free loopback
port, and is stopped at the end of the session. No mock: the same SQLAlchemy code as in
production talks to it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

INSTALL_HINT = ("PostgreSQL server binaries not found: install them (Debian/Ubuntu: `apt-get install postgresql`); "
                ".ci/run does this")


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl, newest version first."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]),
                        reverse=True)
    found = shutil.which("initdb")
    paths = [Path(p).parent for p in candidates] + ([Path(found).parent] if found else [])
    return next((p for p in paths if (p / "pg_ctl").exists()), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """A running server; ``url`` is a SQLAlchemy URL to its ``postgres`` database."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="crmreport-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0  # the server refuses to run as root
        if self.as_postgres:
            os.chmod(self.folder, 0o777)
            shutil.chown(self.folder, "postgres")

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> PostgresServer:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "server.log"), "-w",
                  "start")
        deadline = time.time() + 30
        while time.time() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.2)
        raise RuntimeError(f"PostgreSQL did not start; see {self.folder / 'server.log'}")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
