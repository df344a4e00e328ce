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

import numpy as np
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
                *case.command.split(":", 1)[1].split()]
    if case.command.startswith("run"):  # run, run-period:LABEL; these stop before a notebook runs
        period = case.command.split(":", 1)[1] if ":" in case.command else "2025Q3"
        return ["run", "--period", period, "--data", str(folder), *(["--out", str(out)] if "--out" not in extra
                                                                    else []), *extra]
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
    assert not list(work.rglob("*staging*")), "a staging folder was left behind"
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


def test_campaign_ids_that_differ_only_in_their_separators_keep_their_own_files():
    from crmreport.analyses.abtests.campaigns import result_name

    names = {result_name("ab_results", campaign) for campaign in ("SMS 2025Q3", "SMS_2025Q3", "SMS/2025Q3",
                                                                  "SMS__2025Q3")}
    assert len(names) == 4
    assert result_name("ab_results", "SMS-2025Q3") == "ab_results_SMS-2025Q3", "safe ids keep their plain name"
    assert all("/" not in name and " " not in name for name in names)


def test_a_second_run_of_the_same_period_into_the_same_folder_stops(tmp_path):
    from crmreport.core.errors import ParamsError
    from crmreport.run.paths import PeriodLock

    first = PeriodLock(tmp_path, "2025Q3")
    with pytest.raises(ParamsError, match="another run is writing the 2025Q3 report"):
        PeriodLock(tmp_path, "2025Q3")
    other = PeriodLock(tmp_path, "2025Q4")  # another period may run beside it
    first.release()
    other.release()
    PeriodLock(tmp_path, "2025Q3").release()
    assert list(tmp_path.iterdir()) == [], "the lock leaves nothing behind"


def test_a_data_set_of_one_customer_segments_and_clusters(base, tmp_path):
    from datetime import date

    from crmreport.analyses.segments import segmentation
    from crmreport.ingest.dataset import prepare_dataset
    from crmreport.settings import load_params

    folder = tmp_path / "one"
    shutil.copytree(base, folder, ignore=shutil.ignore_patterns("ground_truth.json"))
    transactions = pd.read_csv(folder / "transactions.csv", dtype=str)
    only = transactions["customer_id"].value_counts().index[0]
    for path in folder.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "customer_id" in frame:
            frame = frame[frame["customer_id"] == only]
        if frame.empty:
            path.unlink()
        else:
            frame.to_csv(path, index=False)
    params = load_params("2025Q3", overrides={"data": str(folder)})
    data = prepare_dataset(params)
    settings = params.segmentation
    segments, silhouettes = segmentation.add_clusters(
        segmentation.segment_customers(data, date(2025, 9, 30), settings, clusters=False), settings)
    assert len(segments) == 1 and segments["cluster"].tolist() == [1]
    chosen = silhouettes[silhouettes["chosen"]].iloc[0]
    assert chosen["k"] == 1 and np.isnan(chosen["silhouette"])
    assert segmentation.cluster_profiles(segments).iloc[0]["customers"] == 1
    assert segmentation.cluster_crosstab(segments).loc[1].sum() == 1


def test_a_kernel_prints_nothing_on_the_console(tmp_path, capfd):
    """ipykernel prints 'KeyboardInterrupt caught in kernel' on its process's stdout when a slow kernel is
    ended by an interrupt: the kernels of a run have no console."""
    import nbformat
    import papermill

    from crmreport.run.progress import ENGINE

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import sys\nprint('from the kernel process', file=sys.__stdout__, flush=True)")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, tmp_path / "n.ipynb")
    papermill.execute_notebook(str(tmp_path / "n.ipynb"), str(tmp_path / "out.ipynb"), kernel_name="python3",
                               engine_name=ENGINE, progress_bar=False, record_kernel_peak=lambda mib: None)
    out, err = capfd.readouterr()
    assert "from the kernel process" not in out + err


def test_control_characters_are_removed_and_counted():
    from crmreport.core.contract import table_spec
    from crmreport.ingest.validate import coerce

    parsed = coerce(pd.Series(["fine\x00 thanks", "ok", None, "\x07"], dtype="str"),
                    table_spec("tasks").column("feedback"), {})
    assert parsed.values.tolist()[:2] == ["fine thanks", "ok"] and parsed.values.isna().tolist()[2:] == [True, True]
    assert parsed.controls.tolist() == [True, False, False, True]


def test_a_password_that_is_not_percent_encoded_is_redacted_whole():
    from crmreport.core.redact import redact_text, unencoded_password

    url = "postgresql+psycopg://crm:p@ss/w0rd#Xq@db.example:5432/crm"
    assert redact_text(f"cannot read {url}: refused") == \
        "cannot read postgresql+psycopg://crm:***@db.example:5432/crm: refused"
    assert unencoded_password(url) and not unencoded_password("postgresql://crm:p%40ss%2Fw0rd%23Xq@db/crm")
