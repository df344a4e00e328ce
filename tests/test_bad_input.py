"""Bad input never yields a wrong report, a leak or an escape (issue 11): the table of malformed inputs.

Each case (tests/bad_input_cases.py) copies the demo data (300 customers, seed 3), applies one
mutation and runs the CLI in-process: the exit status, the message's words, the words it must
never show, and for a success the row accounting must be as stated. No case may exit 3.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from bad_input_cases import CASES, Case

from crmreport.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad-input") / "base"
    assert main(["demo-data", str(folder), "--customers", "300", "--seed", "3"]) == 0
    return folder


@pytest.fixture(scope="module")
def base_accounting(base, tmp_path_factory) -> dict[str, tuple[int, ...]]:
    """The row accounting of the unmutated base, which every case's accounting is stated against."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("base-run"))
        patch.delenv("CRMREPORT_PROJECT", raising=False)
        capture = io.StringIO()
        with contextlib.redirect_stdout(capture):
            assert main(["validate", "--period", "2025Q3", "--data", str(base)]) == 0
    return accounting(capture.getvalue())


def accounting(stdout: str) -> dict[str, tuple[int, ...]]:
    """The row accounting table `crmreport validate` prints."""
    rows = [line.replace(",", "").split() for line in stdout.splitlines()]
    return {row[0]: tuple(int(v) for v in row[1:5]) for row in rows
            if len(row) == 5 and row[0] != "total" and all(v.isdigit() for v in row[1:])}


def command(case: Case, folder: Path, out: Path, extra: list[str]) -> list[str]:
    period = case.command.split(":", 1)[1] if case.command.startswith("validate-period:") else "2025Q3"
    if case.command.startswith("run-only:"):
        return ["run", "--period", "2025Q3", "--data", str(folder), "--out", str(out), "--only",
                case.command.split(":", 1)[1]]
    data = [] if "--data" in extra else ["--data", str(folder)]
    return ["validate", "--period", period, *data, *extra]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(case: Case, base, base_accounting, tmp_path, monkeypatch, capsys):
    work = tmp_path / "a" / "b"
    folder = work / "data"
    shutil.copytree(base, folder, ignore=shutil.ignore_patterns("ground_truth.json"))
    for path in folder.glob("*.csv"):
        if path.stem not in case.tables:
            path.unlink()
    monkeypatch.delenv("CRMREPORT_PROJECT", raising=False)
    if case.command.startswith("run-only:"):
        monkeypatch.setenv("CRMREPORT_PROJECT", str(ROOT))
    monkeypatch.chdir(work)
    never = case.never(folder) if callable(case.never) else case.never
    extra = case.mutate(folder) or []
    before = set(tmp_path.rglob("*"))

    code = main(command(case, folder, work / "reports", extra))

    out, err = capsys.readouterr()
    shown = out + err
    assert code != 3, shown
    assert code == case.exit, shown
    assert "Traceback" not in shown
    for word in case.words:
        assert word in shown, f"{word!r} missing from:\n{shown}"
    for word in never:
        assert word not in shown, f"{word!r} shown:\n{shown}"
    if code == 0:
        found = accounting(out)
        assert set(found) == set(case.tables)
        for read, duplicates, quarantined, kept in found.values():
            assert read == kept + quarantined + duplicates
        if case.exact:
            expected = {table: tuple(b + d for b, d in zip(base_accounting[table],
                                                           case.accounting.get(table, (0, 0, 0, 0)), strict=True))
                        for table in case.tables}
            assert found == expected
    escaped = [p for p in set(tmp_path.rglob("*")) - before if work not in p.parents]
    assert escaped == [], f"written outside the working folder: {escaped}"
    for log in work.rglob("*.log"):
        text = log.read_text(encoding="utf-8")
        assert all(word not in text for word in never), log
        assert log.resolve().is_relative_to(work.resolve())


def test_the_table_has_at_least_sixty_cases():
    assert len(CASES) >= 60 and len({case.id for case in CASES}) == len(CASES)


def test_a_path_with_a_quote_reaches_duckdb_as_a_parameter(tmp_path):
    from datetime import date

    from crmreport.measures.aggregate import summarize_files

    folder = tmp_path / "it's; here"
    folder.mkdir()
    frame = pd.DataFrame({"customer_id": ["C1", "C1"], "transaction_date": pd.to_datetime(["2025-07-01", "2025-08-01"]),
                          "amount": [10.0, 5.0]})
    frame.to_parquet(folder / "t'x.parquet")
    summary = summarize_files(str(folder / "t'x.parquet"), date(2025, 9, 30))
    assert summary.loc[0, "orders"] == 2 and summary.loc[0, "total_amount"] == 15.0
