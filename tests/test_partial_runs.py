"""Partial runs tell the truth (issue 11, section 8): stale outputs of a failed notebook are removed and
the manifest names, per notebook, the data and params it was produced from."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import TRANSACTIONS, write_tables
from test_runner import write_notebook

from crmreport.run import runner

FLAKY = ("from pathlib import Path\nimport pandas as pd\n"
         "if Path(results_dir).parent.joinpath('..', 'fail-now').resolve().exists():\n"
         "    raise RuntimeError('planted failure')\n"
         "pd.read_parquet(Path(prepared) / 'transactions.parquet').to_csv(Path(results_dir) / 'flaky.csv')\n")
STEADY = ("from pathlib import Path\nimport pandas as pd\n"
          "pd.read_parquet(Path(prepared) / 'customers.parquet').to_csv(Path(results_dir) / 'steady.csv')\n")


def test_a_failed_rerun_removes_its_stale_outputs_and_the_manifest_names_each_notebooks_data(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks, "01_steady", STEADY)
    write_notebook(notebooks, "02_flaky", FLAKY)
    old = write_tables(tmp_path / "old")
    new = write_tables(tmp_path / "new", transactions=TRANSACTIONS.replace("120.5", "130.5"))
    out = tmp_path / "reports"
    first = runner.run_period("2025Q3", data=str(old), out_dir=out, formats=["html", "pdf"], notebooks_dir=notebooks)
    assert [nb.status for nb in first.notebooks] == ["ok", "ok"]
    assert (first.report_dir / "02_flaky.pdf").is_file() and (first.report_dir / "results" / "flaky.csv").is_file()

    (out / "fail-now").touch()
    second = runner.run_period("2025Q3", data=str(new), out_dir=out, formats=["html", "pdf"],
                               notebooks_dir=notebooks, only=["flaky"])
    report = second.report_dir
    assert [nb.status for nb in second.notebooks] == ["failed"]
    assert (report / "02_flaky.html").is_file(), "the failed notebook's HTML shows the error"
    assert not (report / "02_flaky.pdf").exists(), "the previous run's PDF is gone"
    assert not (report / "results" / "flaky.csv").exists(), "the previous run's results are gone"
    assert (report / "01_steady.pdf").is_file() and (report / "results" / "steady.csv").is_file()

    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    entries = {nb["name"]: nb for nb in manifest["notebooks"]}
    assert entries["02_flaky"]["data_fingerprint"] == manifest["data"]["fingerprint"]
    assert entries["01_steady"]["data_fingerprint"] != manifest["data"]["fingerprint"], \
        "notebook 01 was produced from the old data and says so"
    assert entries["01_steady"]["results"] == ["steady.csv"] and entries["02_flaky"]["results"] == []
    assert entries["01_steady"]["params_fingerprint"] and entries["02_flaky"]["params_fingerprint"]


def test_credentials_never_reach_manifest_or_params_yaml(tmp_path, monkeypatch):
    from crmreport.core.redact import redact_text
    from crmreport.settings import load_params

    url = "postgresql+psycopg://postgres:S3cretPw@db.example:5432/crm?password=S3cretPw"
    assert "S3cretPw" not in redact_text(f"crmreport run --data {url}")
    params = load_params("2025Q3", overrides={"data": url}, root=Path(__file__).parent / "fixtures")
    dumped = json.dumps(params.public_dump())
    assert "S3cretPw" not in dumped and "postgres:***@db.example" in dumped
