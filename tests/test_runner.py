"""The runner: failure isolation, --only, atomic replacement, clear CLI errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import TRANSACTIONS, write_tables

from crmreport.cli import main
from crmreport.core.errors import CrmReportError
from crmreport.run import runner

PARAMETERS = ('period = "2025Q3"\nparams_file = None\ndata = None\nprepared = None\nresults_dir = None\n'
              'language = None')


def write_notebook(folder: Path, name: str, body: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / f"{name}.ipynb")


@pytest.fixture
def notebooks(tmp_path) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    ok = ("from pathlib import Path\nimport pandas as pd\n"
          "pd.read_parquet(Path(prepared) / 'customers.parquet').to_csv(Path(results_dir) / '{name}.csv')\n"
          "print('{name} done')")
    write_notebook(folder, "01_first", ok.format(name="first"))
    write_notebook(folder, "02_broken", "raise ValueError('planted failure')")
    write_notebook(folder, "03_third", ok.format(name="third"))
    return folder


def run(tmp_path, notebooks, **kwargs):
    data = write_tables(tmp_path / "data")
    return runner.run_period("2025Q3", data=str(data), out_dir=tmp_path / "reports", formats=["html"],
                             notebooks_dir=notebooks, **kwargs)


def test_a_failing_notebook_does_not_stop_the_others(tmp_path, notebooks):
    result = run(tmp_path, notebooks)
    assert [(nb.name, nb.status) for nb in result.notebooks] == [
        ("01_first", "ok"), ("02_broken", "failed"), ("03_third", "ok")]
    manifest = json.loads((result.report_dir / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    broken = next(nb for nb in manifest["notebooks"] if nb["name"] == "02_broken")
    assert broken["error"] == "ValueError: planted failure"
    assert (broken["failed_cell"], broken["failed_source"]) == (3, "raise ValueError('planted failure')")
    assert (result.report_dir / "results" / "third.csv").is_file()
    assert (result.report_dir / "02_broken.html").is_file(), "a failed notebook still gets its HTML for analysts"
    assert not (result.report_dir / ".prepared").exists()
    assert set(manifest["results"]) == {"first.csv", "third.csv"}


def test_only_reruns_named_notebooks_and_keeps_the_rest(tmp_path, notebooks):
    run(tmp_path, notebooks)
    result = run(tmp_path, notebooks, only=["third"])
    assert [nb.name for nb in result.notebooks] == ["03_third"]
    manifest = json.loads((result.report_dir / "manifest.json").read_text())
    assert [nb["name"] for nb in manifest["notebooks"]] == ["01_first", "02_broken", "03_third"]
    assert (result.report_dir / "01_first.html").is_file()
    assert runner.find_notebooks(notebooks, ["01_first.ipynb", "broken"]) == [
        notebooks / "01_first.ipynb", notebooks / "02_broken.ipynb"]
    with pytest.raises(CrmReportError, match="--only nope: no such notebook; choose from 01_first, 02_broken"):
        runner.find_notebooks(notebooks, ["nope"])


def test_an_interrupted_run_leaves_the_previous_report_in_place(tmp_path, notebooks, monkeypatch):
    first = run(tmp_path, notebooks)
    before = sorted(p.relative_to(first.report_dir) for p in first.report_dir.rglob("*"))

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "_render", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path, notebooks)
    assert sorted(p.relative_to(first.report_dir) for p in first.report_dir.rglob("*")) == before
    assert [p.name for p in (tmp_path / "reports").iterdir() if p.name.startswith(".")] == []


def test_bad_data_stops_before_writing_and_cli_explains_without_traceback(tmp_path, capsys):
    data = write_tables(tmp_path / "bad", transactions=TRANSACTIONS.replace("120.5", "12O.5"))
    code = main(["run", "--period", "2025Q3", "--data", str(data), "--out", str(tmp_path / "reports")])
    err = capsys.readouterr().err
    assert code == 2
    assert "table transactions, column `amount`: 1 value(s) are not numbers: row 2 (values '12O.5')" in err
    assert "Traceback" not in err
    assert not (tmp_path / "reports" / "2025Q3").exists()
    log_file = next((tmp_path / "reports" / "logs").glob("run-2025Q3-*.log"))
    assert "Traceback" in log_file.read_text(), "the log file keeps the traceback"


def test_cli_exit_code_is_non_zero_when_a_notebook_fails(tmp_path, notebooks, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = write_tables(tmp_path / "data")
    assert notebooks == tmp_path / "notebooks"
    code = subprocess.run(
        [sys.executable, "-m", "crmreport.cli", "run", "--period", "2025Q3", "--data", str(data), "--format", "html",
         "--only", "broken"], cwd=tmp_path, capture_output=True, text=True, env={"CRMREPORT_PROJECT": str(tmp_path),
                                                                                  "PATH": "/usr/bin:/bin"})
    assert code.returncode == 1, code.stderr
    assert "failed 02_broken" in code.stdout and "ValueError: planted failure" in code.stdout
    assert "1 notebook(s) failed: 02_broken" in code.stderr


def test_staging_left_by_a_killed_run_is_cleaned_up(tmp_path, notebooks):
    abandoned = tmp_path / "reports" / ".2025Q3.staging-999999999"
    (abandoned / "results").mkdir(parents=True)
    run(tmp_path, notebooks, only=["first"])
    assert not abandoned.exists()
