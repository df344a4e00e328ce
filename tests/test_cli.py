"""The CLI commands other than run (covered in test_runner/test_e2e), and the shipped demo set."""

import argparse
import importlib.util
import json
import logging
import re
import tomllib

import pandas as pd
import pytest
from conftest import ROOT, params_for, write_tables

from crmreport import __version__
from crmreport.cli import _parser, main
from crmreport.core.errors import ParamsError, SourceError
from crmreport.core.log import LOGGER
from crmreport.demo import generate_demo
from crmreport.ingest.dataset import prepare_dataset
from crmreport.ingest.sources import embedded_demo_path
from crmreport.reporting.context import _announce as announce
from crmreport.reporting.context import lab_results_dir, open_period
from crmreport.settings import NO_DATA, load_params
from crmreport.settings.stock import defaults_file, notebooks_folder, stock_defaults, stock_dir, stock_notebooks


@pytest.fixture(autouse=True)
def project(tmp_path, monkeypatch):
    """Commands see ``tmp_path`` as their project, so a failure's log never lands in the checkout."""
    monkeypatch.setenv("CRMREPORT_PROJECT", str(tmp_path))
    return tmp_path


def test_demo_data_command_writes_tables_and_truth(tmp_path):
    assert main(["demo-data", str(tmp_path / "demo"), "--customers", "150", "--seed", "4"]) == 0
    written = {p.name for p in (tmp_path / "demo").iterdir()}
    assert {"customers.csv", "transactions.csv", "outreach.csv", "ground_truth.json"} <= written
    truth = json.loads((tmp_path / "demo" / "ground_truth.json").read_text(encoding="utf-8"))
    assert truth["generator"]["n_customers"] == 150 and len(truth["segments"]) == 150


def test_validate_prints_the_accounting_once_and_one_verdict(tmp_path, capsys):
    folder = write_tables(tmp_path / "data")
    assert main(["validate", "--period", "2025Q3", "--data", str(folder)]) == 0
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert out[1].split() == ["table", "rows", "read", "duplicates", "removed", "quarantined", "kept"]
    assert [line.split() for line in out if line.startswith(("customers", "transactions", "total"))] == [
        ["customers", "3", "0", "0", "3"], ["transactions", "4", "0", "0", "4"], ["total", "7", "0", "0", "7"]]
    assert out[-1] == ("passed: 2 tables, 7 rows kept, 0 quarantined, 0 duplicate rows removed "
                       "(not in the source: interactions, surveys, tickets, outreach, tasks, improvements)")
    assert captured.out.count("transactions") == 1 and "rows_read" not in captured.out + captured.err


def test_validate_says_failed_in_one_verdict(tmp_path, capsys):
    folder = write_tables(tmp_path / "data", transactions="transaction_id,customer_id\nT1,C1\n")
    assert main(["validate", "--period", "2025Q3", "--data", str(folder)]) == 2
    captured = capsys.readouterr()
    assert captured.out.startswith("failed: the input data breaks the data contract") and "passed" not in captured.out
    log_file = tmp_path / "reports" / "logs" / "validate-2025Q3.log"
    assert captured.err == f"(details in {log_file})\n" and "Traceback" in log_file.read_text(encoding="utf-8")


@pytest.mark.parametrize(("period", "hint"), [("2025q3", " (did you mean 2025Q3?)"), ("2025Q5", "")])
def test_a_mistyped_period_gets_one_line(period, hint, capsys):
    assert main(["run", "--period", period, "--demo"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"error: period {period!r} is not a period label{hint}: use 2025Q3 (quarter Q1-Q4), "
                            "2025H1, 2025-07 or 2025, or give `start` and `end` for a named period in its "
                            "params file\n")


def test_every_option_has_help_and_there_is_a_version(capsys):
    parser = _parser()
    commands = parser._subparsers._group_actions[0].choices
    for command in [parser, *commands.values()]:
        for action in command._actions:
            assert action.help and action.help != argparse.SUPPRESS, f"{command.prog} {action.dest} has no help"
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out == f"crmreport {__version__}\n"


def test_demo_and_data_are_exclusive_and_one_is_needed(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):
        main(["validate", "--period", "2025Q3", "--demo", "--data", str(tmp_path)])
    assert "not allowed with argument" in capsys.readouterr().err
    assert main(["validate", "--period", "2025Q3"]) == 2
    assert capsys.readouterr().out == f"failed: {NO_DATA.format(period='2025Q3')}\n"
    assert main(["validate", "--period", "2025Q3", "--demo"]) == 0
    assert re.fullmatch(r"passed: 8 tables, [\d,]+ rows kept, \d+ quarantined, \d+ duplicate rows removed",
                        capsys.readouterr().out.splitlines()[-1])
    assert not (tmp_path / "reports").exists(), "commands that succeed or fail on params leave no log behind"


def test_commands_remove_their_log_handlers(tmp_path):
    before = (list(LOGGER.handlers), LOGGER.level, LOGGER.propagate)
    folder = write_tables(tmp_path / "data")
    main(["validate", "--period", "2025Q3", "--data", str(folder)])
    main(["validate", "--period", "2025Q3", "--data", str(tmp_path / "missing")])
    assert (list(LOGGER.handlers), LOGGER.level, LOGGER.propagate) == before


def test_init_writes_a_starter_project_and_never_overwrites(tmp_path, capsys):
    project = tmp_path / "proj"
    assert main(["init", str(project)]) == 0
    out = capsys.readouterr().out
    assert f"cd {project} && crmreport run --period 2025Q3 --demo" in out
    written = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    notebooks = sorted(f"notebooks/{p.name}" for p in stock_notebooks().glob("*.ipynb"))
    assert written == sorted(["params/defaults.yaml", "params/2025Q3.yaml", "reports/README.md", *notebooks])
    assert len(notebooks) >= 4
    assert (project / "params" / "defaults.yaml").read_bytes() == stock_defaults().read_bytes()
    period_file = (project / "params" / "2025Q3.yaml").read_text(encoding="utf-8")
    assert "period: 2025Q3" in period_file and "# data: exports/2025Q3" in period_file
    params = load_params("2025Q3", root=project, demo=True)
    assert params.period == "2025Q3" and params.data is None and "core" in params.strategies
    with pytest.raises(ParamsError, match="no data source for period 2025Q3"):
        load_params("2025Q3", root=project, demo=False)

    (project / "reports" / "README.md").write_text("mine", encoding="utf-8")
    (project / "params" / "2025Q3.yaml").unlink()
    assert main(["init", str(project)]) == 2
    err = capsys.readouterr().err
    assert "already holds params/defaults.yaml" in err and "reports/README.md" in err and "never overwrites" in err
    assert not (project / "params" / "2025Q3.yaml").exists(), "nothing is written when anything exists"
    assert (project / "reports" / "README.md").read_text(encoding="utf-8") == "mine"


def test_a_project_overrides_the_stock_notebooks_and_defaults(tmp_path):
    assert notebooks_folder(tmp_path) == stock_notebooks() and defaults_file(tmp_path) == stock_defaults()
    assert notebooks_folder(None) == stock_notebooks()
    (tmp_path / "notebooks").mkdir()
    assert notebooks_folder(tmp_path) == stock_notebooks(), "an empty notebooks/ does not count"
    (tmp_path / "notebooks" / "01_mine.ipynb").write_text("{}", encoding="utf-8")
    assert notebooks_folder(tmp_path) == tmp_path / "notebooks"
    assert load_params("2025Q3", root=tmp_path).company == "Demo Company", "the stock defaults apply"
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "defaults.yaml").write_text("company: Acme\n", encoding="utf-8")
    assert defaults_file(tmp_path) == tmp_path / "params" / "defaults.yaml"
    params = load_params("2025Q3", root=tmp_path)
    assert params.company == "Acme" and params.strategies == {}, "the project's defaults replace the stock ones"


def test_the_stock_files_come_from_the_checkout_and_the_wheel_copies_them(tmp_path):
    assert stock_dir() == ROOT, "a checkout (editable install) uses its own notebooks/ and params/"
    spec = importlib.util.spec_from_file_location("crmreport_setup", ROOT / "setup.py")
    setup = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(setup)
    copied = setup.copy_stock(ROOT, tmp_path / "crmreport")
    shipped = sorted(p.relative_to(tmp_path / "crmreport" / "stock").as_posix() for p in copied)
    assert shipped == sorted([f"notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb")]
                             + ["params/defaults.yaml"])
    assert (tmp_path / "crmreport" / "stock" / "params" / "defaults.yaml").read_bytes() == (
        ROOT / "params" / "defaults.yaml").read_bytes()
    manifest = (ROOT / "MANIFEST.in").read_text(encoding="utf-8")
    assert "notebooks/*.ipynb" in manifest and "params/defaults.yaml" in manifest
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert {"stock/notebooks/*.ipynb", "stock/params/*.yaml"} <= set(package_data["crmreport"])


def test_a_notebook_outside_a_run_writes_where_its_first_output_says(tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="crmreport")
    monkeypatch.delenv("CRMREPORT_LAB_DIR", raising=False)
    assert lab_results_dir("2025Q3") == tmp_path / "reports" / "lab" / "2025Q3" / "results"
    monkeypatch.setenv("CRMREPORT_LAB_DIR", str(tmp_path / "lab"))
    ctx = open_period("2025Q3", data=str(write_tables(tmp_path / "data")))
    assert ctx.results_dir == tmp_path / "lab" / "2025Q3" / "results" and ctx.results_dir.is_dir()
    messages = [r.getMessage() for r in caplog.records]
    assert f"Opened without `crmreport run`: result tables are written to `{ctx.results_dir.as_posix()}`." in messages
    assert not any("Demo data" in m for m in messages)
    caplog.clear()
    announce(params_for(""), ctx.results_dir)
    assert caplog.records[0].getMessage().startswith("**Demo data.** No data source is set")


def test_embedded_demo_set_is_the_generator_output_for_its_seed():
    shipped = {p.stem: pd.read_parquet(p) for p in embedded_demo_path().glob("*.parquet")}
    regenerated = generate_demo(n_customers=2000, seed=7).tables
    assert set(shipped) == set(regenerated)
    for name, frame in regenerated.items():
        pd.testing.assert_frame_equal(shipped[name], frame, obj=name)


def test_embedded_demo_set_is_used_when_no_data_is_given():
    data = prepare_dataset(params_for(""))
    assert data.source == "embedded demo data" and len(data.tables["customers"]) == 2000
    assert data.missing_tables == []


@pytest.mark.parametrize(("suffix", "content", "message"), [
    (".xlsx", b"customer_id,name\nC1,x\n", "is not a readable XLSX workbook"),
    (".parquet", b"customer_id,name\nC1,x\n", "is not a Parquet table"),
])
def test_files_that_are_not_their_format(tmp_path, suffix, content, message):
    folder = write_tables(tmp_path / "data", transactions=None)
    (folder / f"transactions{suffix}").write_bytes(content)
    with pytest.raises(SourceError, match=message):
        prepare_dataset(params_for(folder))
