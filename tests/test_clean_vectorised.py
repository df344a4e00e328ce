"""The vectorised cleaning steps against pandas' own (slower) operations as oracle."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmreport.core.matching import member
from crmreport.ingest.clean import exact_duplicates, flag_contacts


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 5_000
    frame = pd.DataFrame({
        "id": pd.Series(rng.integers(0, 40, n).astype(str), dtype="str"),
        "when": pd.to_datetime("2025-01-01") + pd.to_timedelta(rng.integers(0, 3, n), unit="D"),
        "amount": rng.choice([1.5, 2.0, np.nan], n),
        "count": pd.array(rng.choice([1, 2, None], n), dtype="Int64"),
        "flag": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
    }, index=rng.permutation(n) + 100)
    frame.loc[frame.index[:50], "id"] = None
    return frame


def test_exact_duplicates_match_pandas_duplicated_whatever_the_key():
    frame = _frame()
    expected = frame.duplicated(keep="first")
    for key in (["id"], ["id", "when"], ["amount"]):
        found = exact_duplicates(frame, frame.duplicated(key, keep=False).to_numpy())
        assert expected.any() and found.index.equals(frame.index) and found.equals(expected)


def test_exact_duplicates_of_no_rows_and_of_rows_differing_in_one_cell():
    assert exact_duplicates(_frame().iloc[:0], np.zeros(0, dtype=bool)).empty
    frame = pd.DataFrame({"a": ["x", "x", "x"], "b": [1.0, 1.0, 1.0 + 1e-12]})
    assert exact_duplicates(frame, np.ones(3, dtype=bool)).tolist() == [False, True, False]


def test_member_matches_isin_for_present_ids():
    values = pd.Series(["c1", "c2", "c9", "c1", None], index=[4, 3, 2, 1, 0], dtype="str")
    pool = pd.Series(["c1", "c9", None], dtype="str")
    found = member(values, pool)
    assert found.tolist() == [True, False, True, True, False]  # an empty id is never a known customer
    assert found[:4].tolist() == values.iloc[:4].isin(pool).tolist()
    assert not member(values, pool.iloc[:0]).any()


def test_flag_contacts_leaves_missing_contacts_empty():
    customers = pd.DataFrame({"phone": pd.Series(["139-1234-5678", "(010) 1234 5678", "12", None], dtype="str"),
                              "email": pd.Series([" li@x.cn ", "x@", None, "a@b.co"], dtype="str")})
    flagged = flag_contacts(customers)
    assert flagged["phone_valid"].tolist()[:3] == [True, True, False] and pd.isna(flagged["phone_valid"].iloc[3])
    assert flagged["email_valid"].tolist()[:2] == [True, False] and pd.isna(flagged["email_valid"].iloc[2])
    assert flagged["email_valid"].iloc[3]
