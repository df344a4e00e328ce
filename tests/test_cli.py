"""The CLI commands other than run (covered in test_runner/test_e2e), and the shipped demo set."""

import json

import pandas as pd
import pytest
from conftest import params_for, write_tables

from crmreport.cli import main
from crmreport.core.errors import SourceError
from crmreport.demo import generate_demo
from crmreport.ingest.dataset import prepare_dataset
from crmreport.ingest.sources import embedded_demo_path


def test_demo_data_command_writes_tables_and_truth(tmp_path):
    assert main(["demo-data", str(tmp_path / "demo"), "--customers", "150", "--seed", "4"]) == 0
    written = {p.name for p in (tmp_path / "demo").iterdir()}
    assert {"customers.csv", "transactions.csv", "outreach.csv", "ground_truth.json"} <= written
    truth = json.loads((tmp_path / "demo" / "ground_truth.json").read_text(encoding="utf-8"))
    assert truth["generator"]["n_customers"] == 150 and len(truth["segments"]) == 150


def test_validate_command_prints_the_row_accounting(tmp_path, capsys):
    folder = write_tables(tmp_path / "data")
    assert main(["validate", "--period", "2025Q3", "--data", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "rows_read" in out and "transactions" in out


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
