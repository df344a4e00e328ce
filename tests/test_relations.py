"""measures.relations: a prepared table is scanned from its Parquet file until a notebook reads it."""

from __future__ import annotations

import duckdb
import pandas as pd

from crmreport.ingest.dataset import Dataset, TableAccount
from crmreport.measures.relations import count_per_customer, register_table
from crmreport.reporting.context import load_prepared

FRAME = pd.DataFrame({"customer_id": ["C2", "C1", "C2", "C3"], "amount": [1.5, 2.0, -0.5, 4.0]})
COUNTS = "SELECT customer_id, COUNT(*) AS n, SUM(amount) AS total FROM t GROUP BY customer_id ORDER BY customer_id"


def _prepared(tmp_path, frame: pd.DataFrame = FRAME) -> Dataset:
    account = TableAccount("t", "test", "", None, len(frame), 0, 0, len(frame))
    Dataset({"t": frame}, {}, {"t": account}, "test", False).save(tmp_path)
    return load_prepared(tmp_path)


def test_unread_prepared_table_is_scanned_from_parquet(tmp_path):
    data = _prepared(tmp_path)
    assert data.unread_file("t") == tmp_path / "t.parquet"
    with duckdb.connect() as connection:
        register_table(connection, data, "t")
        scanned = connection.execute(COUNTS).df()
        order = connection.execute("SELECT customer_id FROM t").df()["customer_id"].tolist()
    assert data.tables.loaded == {}  # pandas never read it
    assert order == FRAME["customer_id"].tolist()  # rows in table order
    assert scanned["n"].tolist() == [1, 2, 1] and scanned["total"].tolist() == [2.0, 1.0, 4.0]


def test_read_or_in_memory_tables_are_registered_as_frames(tmp_path):
    data = _prepared(tmp_path)
    data.tables["t"]  # the notebook read it: no second copy from the file
    assert data.unread_file("t") is None
    memory = Dataset({"t": FRAME}, {}, {}, "test", False)
    assert memory.unread_file("t") is None
    for dataset in (data, memory):
        with duckdb.connect() as connection:
            assert register_table(connection, dataset, "t", "alias_t") == "alias_t"
            assert connection.execute("SELECT COUNT(*) FROM alias_t").fetchone()[0] == 4


def test_empty_table(tmp_path):
    with duckdb.connect() as connection:
        register_table(connection, _prepared(tmp_path, FRAME.iloc[:0]), "t")
        assert connection.execute(COUNTS).df().empty


def test_count_per_customer_against_pandas_from_a_file_and_from_a_frame(tmp_path):
    events = pd.DataFrame({
        "customer_id": pd.Series(["C2", "C1", "C2", "C3", "C2", "C1"], dtype="str"),
        "interaction_time": pd.to_datetime(["2025-07-01", "2025-07-02 23:59", "2025-07-03", "2025-06-30 23:59",
                                            "2025-07-02", "2025-07-01 12:00"], format="ISO8601"),
        "direction": ["outbound", "inbound", "outbound", "outbound", "inbound", "outbound"]})
    ids = pd.Series(["C3", "C9", "C1", "C2"], dtype="str")
    start, stop = pd.Timestamp("2025-07-01"), pd.Timestamp("2025-07-03")
    inside = events[(events["interaction_time"] >= start) & (events["interaction_time"] < stop)]
    for where, rows in (("TRUE", inside), ("direction = 'outbound'", inside[inside["direction"] == "outbound"])):
        expected = rows.groupby("customer_id").size().reindex(ids, fill_value=0).to_numpy()
        account = TableAccount("interactions", "test", "", None, len(events), 0, 0, len(events))
        Dataset({"interactions": events}, {}, {"interactions": account}, "test", False).save(tmp_path)
        for source in (events, load_prepared(tmp_path)):
            found = count_per_customer(ids, source, "interactions", "interaction_time", start, stop, where)
            assert found.dtype == "int64" and found.tolist() == expected.tolist()
