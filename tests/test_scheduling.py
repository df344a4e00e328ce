"""docs/scheduling.md: the cron line and the systemd units it shows are valid and run the right period."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest
from conftest import ROOT

from crmreport.cli import _parser
from crmreport.settings.period import period_labels

DOC = (ROOT / "docs" / "scheduling.md").read_text(encoding="utf-8")
FIELDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


def _block(language: str, index: int = 0) -> str:
    return re.findall(rf"```{language}\n(.*?)```", DOC, re.DOTALL)[index]


def _values(field: str, low: int, high: int) -> set[int]:
    values = set()
    for part in field.split(","):
        if part == "*":
            values |= set(range(low, high + 1))
        else:
            start, _, end = part.partition("-")
            values |= set(range(int(start), int(end or start) + 1))
    assert values <= set(range(low, high + 1)), field
    return values


def test_cron_line_runs_the_previous_quarter_after_each_quarter():
    lines = [line for line in _block("cron").splitlines() if line and not line.startswith("MAILTO")]
    assert "MAILTO=" in _block("cron") and len(lines) == 1
    fields = lines[0].split(maxsplit=5)
    minute, hour, day, month, _ = (_values(f, *bounds) for f, bounds in zip(fields[:5], FIELDS, strict=True))
    assert (minute, hour, day, month) == ({0}, {6}, {5}, {1, 4, 7, 10})
    command = fields[5].split("&&", 1)[1].split("||")[0].split()
    assert command[0].endswith("crmreport")
    args = _parser().parse_args(command[1:])
    assert args.command == "run"
    for run_month, expected in ((1, "2024Q4"), (4, "2025Q1"), (7, "2025Q2"), (10, "2025Q3")):
        assert period_labels(args.period, date(2025, run_month, 5)) == [expected]


def test_systemd_units_notify_on_failure_and_name_a_valid_calendar():
    service, timer, failure = (_block("ini", i) for i in range(3))
    assert "OnFailure=crmreport-failure@%n.service" in service and "Type=oneshot" in service
    assert "run --period previous-quarter" in service and "Persistent=true" in timer and "%i" in failure
    calendar = re.search(r"OnCalendar=(.+)", timer).group(1)
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    done = subprocess.run(["systemd-analyze", "calendar", "--iterations", "4", calendar], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    months = re.findall(r"-(\d\d)-05 06:00:00", done.stdout)
    assert len(months) == 4 and set(months) == {"01", "04", "07", "10"}
