"""The same data from every kind of source gives identical validated tables."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from conftest import params_for

from crmreport.core.errors import SourceError
from crmreport.demo import generate_demo
from crmreport.ingest.dataset import prepare_dataset


@pytest.fixture(scope="module")
def demo_tables() -> dict[str, pd.DataFrame]:
    return generate_demo(n_customers=120, seed=3).tables


def write_csv_folder(tables, folder, encoding="utf-8"):
    folder.mkdir()
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False, encoding=encoding, date_format="%Y-%m-%d %H:%M:%S")
    return str(folder)


def write_parquet_folder(tables, folder):
    folder.mkdir()
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    return str(folder)


def write_xlsx_folder(tables, folder):
    folder.mkdir()
    for name, frame in tables.items():
        frame.to_excel(folder / f"{name}.xlsx", index=False)
    return str(folder)


def write_workbook(tables, folder):
    folder.mkdir()
    path = folder / "crm.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in tables.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return str(path)


def write_duckdb(tables, folder):
    folder.mkdir()
    path = folder / "crm.duckdb"
    with duckdb.connect(str(path)) as connection:
        for name, frame in tables.items():
            connection.register("frame", frame)
            connection.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            connection.unregister("frame")
    return f"duckdb:///{path}"


WRITERS = {
    "csv-utf8": write_csv_folder,
    "csv-utf8-bom": lambda t, f: write_csv_folder(t, f, "utf-8-sig"),
    "csv-gbk": lambda t, f: write_csv_folder(t, f, "gbk"),
    "csv-gb18030": lambda t, f: write_csv_folder(t, f, "gb18030"),
    "parquet": write_parquet_folder,
    "xlsx-files": write_xlsx_folder,
    "xlsx-workbook": write_workbook,
    "duckdb": write_duckdb,
}


@pytest.fixture(scope="module")
def reference(demo_tables, tmp_path_factory):
    return prepare_dataset(params_for(write_csv_folder(demo_tables, tmp_path_factory.mktemp("ref") / "csv")))


def assert_same_dataset(actual, expected):
    assert set(actual.tables) == set(expected.tables)
    for name, frame in expected.tables.items():
        pd.testing.assert_frame_equal(actual.tables[name], frame, obj=name)
        got, want = actual.accounting[name], expected.accounting[name]
        assert (got.rows_read, got.kept, got.quarantined, got.duplicates_removed) == \
               (want.rows_read, want.kept, want.quarantined, want.duplicates_removed), name


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_every_source_kind_gives_identical_validated_tables(kind, demo_tables, reference, tmp_path):
    data = WRITERS[kind](demo_tables, tmp_path / "src")
    assert_same_dataset(prepare_dataset(params_for(data)), reference)


@pytest.mark.postgres
def test_postgresql_gives_identical_validated_tables(demo_tables, reference, postgres_url):
    import sqlalchemy as sa

    engine = sa.create_engine(postgres_url)
    for name, frame in demo_tables.items():
        frame.to_sql(name, engine, index=False, if_exists="replace")
    engine.dispose()
    assert_same_dataset(prepare_dataset(params_for(postgres_url)), reference)


def test_gbk_detection_reports_the_encoding(demo_tables, tmp_path):
    folder = write_csv_folder(demo_tables, tmp_path / "gbk", "gbk")
    data = prepare_dataset(params_for(folder))
    assert data.accounting["customers"].encoding == "gb18030"


def test_unreachable_database_is_a_clear_error():
    with pytest.raises(SourceError, match=r"cannot read the database postgresql\+psycopg://u:\*\*\*@127.0.0.1:1/x"):
        prepare_dataset(params_for("postgresql+psycopg://u:secret@127.0.0.1:1/x"))


def test_missing_source_is_a_clear_error(tmp_path):
    with pytest.raises(SourceError, match="does not exist; check `data:` in params or --data"):
        prepare_dataset(params_for(tmp_path / "nowhere"))


def test_two_files_for_one_table_is_an_error(demo_tables, tmp_path):
    folder = write_csv_folder(demo_tables, tmp_path / "both")
    demo_tables["surveys"].to_parquet(tmp_path / "both" / "surveys.parquet")
    with pytest.raises(SourceError, match="holds surveys.csv, surveys.parquet; keep one file per table"):
        prepare_dataset(params_for(folder))


def test_semicolon_delimited_csv(tmp_path):
    from conftest import CUSTOMERS, TRANSACTIONS, write_tables

    customers = CUSTOMERS.replace("delivery;training", "delivery").replace(",", ";")
    folder = write_tables(tmp_path, customers=customers, transactions=TRANSACTIONS.replace(",", ";"))
    assert len(prepare_dataset(params_for(folder)).tables["customers"]) == 3


def test_record_lines_of_an_unquoted_file_agree_with_the_csv_reader(tmp_path):
    """Without quotes the records are counted from the lines; the quoted path (csv module) is the oracle."""
    from crmreport.ingest.csvfile import record_lines

    text = "id,name,n\r\n\r\nC1,a,1\r\n   \r\nC2,b,2\n,,\nC3,c,3\r\n\n"
    quoted = text.replace("C3,c,3", 'C3,"c",3')  # one quoted field sends the same records through csv
    fast = record_lines("customers", tmp_path / "x.csv", text, ",", 3)
    assert fast == record_lines("customers", tmp_path / "x.csv", quoted, ",", 3) == (3, 5, 6, 7)
