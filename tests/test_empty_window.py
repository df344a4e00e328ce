"""An analysis with no data in the window says so instead of crashing (issue 11, section 6)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bad_input_cases import transactions_before

from crmreport.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_profiling_with_every_transaction_before_the_window_says_no_data(tmp_path):
    folder = tmp_path / "data"
    assert main(["demo-data", str(folder), "--customers", "300", "--seed", "3"]) == 0
    transactions_before("2024-01-01")(folder)
    done = subprocess.run([sys.executable, "-m", "crmreport.cli", "run", "--period", "2025Q3", "--data", str(folder),
                           "--out", str(tmp_path / "reports"), "--only", "profiling", "--format", "html"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=900,
                          env={**os.environ, "CRMREPORT_PROJECT": str(ROOT)})
    assert done.returncode == 0, done.stdout + done.stderr
    html = (tmp_path / "reports" / "2025Q3" / "01_profiling.html").read_text(encoding="utf-8")
    assert "No data in the window" in html
