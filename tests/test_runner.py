"""The runner: failure isolation, --only, atomic replacement, clear CLI errors."""

from __future__ import annotations

import ast
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import TRANSACTIONS, write_tables

from crmreport.cli import main
from crmreport.core.errors import CrmReportError, ParamsError
from crmreport.reporting.render import link_results
from crmreport.run import runner
from crmreport.run.progress import NotebookProgress
from crmreport.run.schedule import run_in_stages, stages

PYTHONPATH = {"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}
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
    assert [p.name for p in (tmp_path / "reports" / "logs").iterdir()] == ["run-2025Q3.log"]
    assert "Traceback" in (tmp_path / "reports" / "logs" / "run-2025Q3.log").read_text(), "the log keeps the traceback"
    main(["run", "--period", "2025Q3", "--data", str(data), "--out", str(tmp_path / "reports")])
    assert len(list((tmp_path / "reports" / "logs").iterdir())) == 1, "a second failure replaces the log"


def test_cli_exit_code_is_non_zero_when_a_notebook_fails(tmp_path, notebooks, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = write_tables(tmp_path / "data")
    assert notebooks == tmp_path / "notebooks"
    code = subprocess.run(
        [sys.executable, "-m", "crmreport.cli", "run", "--period", "2025Q3", "--data", str(data), "--format", "html",
         "--only", "broken"], cwd=tmp_path, capture_output=True, text=True,
        env={"CRMREPORT_PROJECT": str(tmp_path), "PATH": "/usr/bin:/bin", **PYTHONPATH})
    assert code.returncode == 1, code.stderr
    assert "failed 02_broken" in code.stdout and "ValueError: planted failure" in code.stdout
    assert "1 notebook(s) failed: 2025Q3/02_broken" in code.stderr
    assert "without encryption" not in code.stderr and "\r" not in code.stderr
    assert "[1/1] 02_broken  cell 3/3" in code.stderr, code.stderr
    assert not (tmp_path / "reports" / "logs").exists(), "a run with a report keeps its log in run.log only"


def test_staging_left_by_a_killed_run_is_cleaned_up(tmp_path, notebooks):
    abandoned = tmp_path / "reports" / ".2025Q3.staging-999999999"
    (abandoned / "results").mkdir(parents=True)
    run(tmp_path, notebooks, only=["first"])
    assert not abandoned.exists()


def test_progress_is_one_plain_line_per_notebook_in_the_run_log(tmp_path, notebooks):
    result = run(tmp_path, notebooks)
    log_text = (result.report_dir / "run.log").read_text(encoding="utf-8")
    assert "\r" not in log_text
    lines = [line for line in log_text.splitlines() if "] 0" in line and "cell" in line]
    assert len(lines) == 3, log_text
    lines.sort(key=lambda line: line[line.index("/3] "):])  # logged as the notebooks finish; two run at a time
    assert "[1/3] 01_first  cell 3/3  0:0" in lines[0] and lines[0].endswith("ok")  # with papermill's injected cell
    assert "[2/3] 02_broken  cell 3/3" in lines[1] and lines[1].endswith("failed")


def test_progress_updates_in_place_only_on_a_terminal(caplog):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen, pipe = Terminal(), io.StringIO()
    for stream in (screen, pipe):
        progress = NotebookProgress(2, 4, "02_segmentation", stream)
        progress.start(3)
        progress.cell_done()
        progress.finish("ok")
    assert "\r[2/4] 02_segmentation  cell 1/3  0:00" in screen.getvalue()
    assert pipe.getvalue() == "", "off a terminal the progress is the logged final line only"
    assert [r.getMessage() for r in caplog.records] == ["[2/4] 02_segmentation  cell 1/3  0:00  ok"] * 2


def test_a_demo_run_says_so_in_the_manifest_and_on_the_cover(tmp_path, notebooks):
    demo = runner.run_period("2025Q3", out_dir=tmp_path / "reports", formats=["html"], notebooks_dir=notebooks,
                             only=["first"], demo=True)
    manifest = json.loads((demo.report_dir / "manifest.json").read_text())
    assert manifest["data_source"] == "demo" and manifest["data"]["source"] == "embedded demo data"
    assert "Demo data: this report was made from the demo data set" in (demo.report_dir / "01_first.html").read_text()
    own = run(tmp_path, notebooks, only=["first"])
    manifest = json.loads((own.report_dir / "manifest.json").read_text())
    assert manifest["data_source"] == "provided"
    assert "Demo data" not in (own.report_dir / "01_first.html").read_text()


def test_without_a_data_source_the_run_stops_with_the_three_ways_to_give_one(tmp_path, notebooks, capsys):
    with pytest.raises(ParamsError, match=r"set `data:` in params/2025Q3.yaml .*pass --data .*or pass --demo"):
        runner.run_period("2025Q3", out_dir=tmp_path / "reports", notebooks_dir=notebooks)
    assert not (tmp_path / "reports").exists()
    with pytest.raises(ParamsError, match="--demo and --data name two data sources"):
        runner.run_period("2025Q3", data=str(tmp_path), out_dir=tmp_path / "reports", demo=True)


def test_results_file_names_in_the_html_are_links():
    html = "<p>The full list is in results/action_list.csv and <code>results/customer_profile.xlsx</code>.</p>"
    linked = link_results(html)
    assert '<a href="results/action_list.csv">results/action_list.csv</a>' in linked
    assert '<a href="results/customer_profile.xlsx"><code>results/customer_profile.xlsx</code></a>' in linked
    assert link_results(linked) == linked, "an existing link is left alone"


#: what notebooks may import from crmreport (docs/architecture.md, "Layers")
NOTEBOOK_API = ("crmreport", "crmreport.analyses", "crmreport.measures", "crmreport.settings")


def test_notebooks_import_only_the_documented_api():
    root = Path(__file__).resolve().parents[1] / "notebooks"
    seen = set()
    for path in sorted(root.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            for node in ast.walk(ast.parse(cell.source)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                    [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
                for name in (n for n in names if n.split(".")[0] == "crmreport"):
                    seen.add(name)
                    allowed = name == "crmreport" or any(name == api or name.startswith(f"{api}.")
                                                         for api in NOTEBOOK_API[1:])
                    assert allowed, f"{path.name} imports {name}"
    assert "crmreport" in seen and any(name.startswith("crmreport.analyses") for name in seen)


@pytest.mark.parametrize("path", sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")),
                         ids=lambda path: path.stem)
def test_notebooks_only_call_plot_and_explain(path):
    """No notebook cell defines a function, class or lambda: helpers live in crmreport/ (docs/architecture.md)."""
    defined = [(cell.get("id"), node.lineno) for cell in nbformat.read(path, as_version=4).cells
               if cell.cell_type == "code" for node in ast.walk(ast.parse(cell.source))
               if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)]
    assert defined == []


def test_notebooks_run_two_at_a_time_and_the_summary_after_all_of_them(tmp_path, notebooks):
    third_ran = tmp_path / "third-ran"  # 01 finishes only once 03 has run: proof of overlap without a clock
    write_notebook(notebooks, "01_first", "import time\nfrom pathlib import Path\nimport numpy as np\n"
                   "block = np.ones(200 * 2**20 // 8)  # 200 MiB, for the kernel's peak memory\ntime.sleep(3)\n"
                   f"waited = 0\nwhile not Path({str(third_ran)!r}).exists() and waited < 600:\n"
                   "    time.sleep(0.5)\n    waited += 1\n"
                   f"assert Path({str(third_ran)!r}).exists(), '03 never ran while 01 waited'\n"
                   "(Path(results_dir) / 'first.csv').write_text('slow')")
    write_notebook(notebooks, "03_third", "from pathlib import Path\n"
                   f"Path({str(third_ran)!r}).touch()\n(Path(results_dir) / 'third.csv').write_text('third')")
    write_notebook(notebooks, "00_summary", "from pathlib import Path\n"
                   "seen = sorted(p.name for p in Path(results_dir).glob('*.csv'))\n"
                   "(Path(results_dir) / 'summary.csv').write_text(','.join(seen))")
    summary = nbformat.read(notebooks / "00_summary.ipynb", as_version=4)
    summary.metadata["crmreport"] = {"depends": "all"}
    nbformat.write(summary, notebooks / "00_summary.ipynb")
    result = run(tmp_path, notebooks, workers=2)
    assert [(nb.name, nb.status) for nb in result.notebooks] == [
        ("00_summary", "ok"), ("01_first", "ok"), ("02_broken", "failed"), ("03_third", "ok")], "file-name order"
    assert (result.report_dir / "results" / "summary.csv").read_text() == "first.csv,third.csv"
    manifest = json.loads((result.report_dir / "manifest.json").read_text())
    timings = manifest["timings"]
    assert timings["workers"] == 2 and set(timings["execute_seconds"]) == set(timings["render_seconds"]) == {
        "00_summary", "01_first", "02_broken", "03_third"}
    assert timings["execute_seconds"]["01_first"] >= 3 > timings["render_seconds"]["01_first"] > 0
    if sys.platform.startswith("linux"):  # peaks read from /proc: each kernel's own, and the runner's per stage
        peaks = timings["peak_mib"]
        assert peaks["kernels"]["01_first"] > 200 and peaks["kernels"]["03_third"] > 0
        assert peaks["prepare"] > 0 and peaks["rendering"] > 0
    written = {nb["name"]: nb["results"] for nb in manifest["notebooks"]}
    assert written == {"00_summary": ["summary.csv"], "01_first": ["first.csv"], "02_broken": [],
                       "03_third": ["third.csv"]}, "each notebook's own files, though 01 and 03 ran together"
    assert not list(result.report_dir.glob(".results-*"))
    log_text = (result.report_dir / "run.log").read_text(encoding="utf-8")
    finished = [line.split("] ")[1].split()[0] for line in log_text.splitlines() if "  cell " in line]
    assert finished[-1] == "00_summary", log_text
    assert finished.index("03_third") < finished.index("01_first"), "03 ran while 01 waited: two at a time"


def test_the_scheduler_keeps_the_order_and_isolates_nothing_it_should_not(tmp_path):
    paths = []
    for name, depends in (("01_a", None), ("02_b", None), ("03_c", None), ("07_summary", "all")):
        nb = nbformat.v4.new_notebook()
        if depends:
            nb.metadata["crmreport"] = {"depends": depends}
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
        paths.append(tmp_path / f"{name}.ipynb")
    assert stages(paths) == (paths[:3], paths[3:])
    started = []
    assert run_in_stages(paths, lambda p: started.append(p.stem) or p.stem.upper(), 2) == [
        "01_A", "02_B", "03_C", "07_SUMMARY"]
    assert started[-1] == "07_summary" and sorted(started[:3]) == ["01_a", "02_b", "03_c"]

    def broken(path):
        if path.stem == "02_b":
            raise OSError("disk full")
        return path.stem

    with pytest.raises(OSError, match="disk full"):
        run_in_stages(paths, broken, 2)


def test_the_executive_summary_declares_that_it_runs_after_all_other_notebooks():
    root = Path(__file__).resolve().parents[1] / "notebooks"
    assert stages(sorted(root.glob("*.ipynb")))[1] == [root / "07_executive_summary.ipynb"]


def test_notebooks_run_one_at_a_time_when_two_kernels_would_exceed_the_memory_limit(tmp_path, notebooks):
    from crmreport.run.schedule import default_workers

    limited = tmp_path / "limited.yaml"
    limited.write_text("period: 2025Q3\nmemory_limit_gib: 1.5\n", encoding="utf-8")  # 1 GiB runner + 2 x 0.4 GiB
    result = run(tmp_path, notebooks, params_file=str(limited))
    manifest = json.loads((result.report_dir / "manifest.json").read_text())
    assert manifest["timings"]["workers"] == 1
    if default_workers() > 1:
        assert "memory_limit_gib 1.5" in (result.report_dir / "run.log").read_text(encoding="utf-8")
    chosen = run(tmp_path, notebooks, params_file=str(limited), workers=2)  # an explicit choice is kept
    assert json.loads((chosen.report_dir / "manifest.json").read_text())["timings"]["workers"] == 2


def test_workers_within_the_memory_limit():
    from crmreport.run.schedule import kernel_estimate_gib, workers_within

    assert kernel_estimate_gib(0) == pytest.approx(0.4) and kernel_estimate_gib(2**30) == pytest.approx(6.4)
    assert workers_within(6.0, 70 * 2**20, 2) == 2  # 100k customers: 0.81 GiB a kernel
    assert workers_within(6.0, 736 * 2**20, 2) == 1  # 1M customers: 4.71 GiB a kernel
    assert workers_within(0.5, 736 * 2**20, 2) == 1  # never fewer than one
    assert workers_within(64.0, 0, 1) == 1  # never more than wanted
