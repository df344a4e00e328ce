"""Outreach data assembly: which campaigns a period evaluates, per-customer outcomes, pre-period revenue, sums."""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
import pandas as pd
import pytest

from crmreport.analyses.abtests import outreach
from crmreport.ingest.dataset import Dataset
from crmreport.measures.abinputs import pre_period_revenue
from crmreport.settings import Window

Q3 = Window(start=date(2025, 7, 1), end=date(2025, 9, 30))


def _outreach(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["campaign_id", "customer_id", "arm", "assigned_at", "channel", "responded",
                                        "converted", "revenue"])
    return frame.assign(assigned_at=pd.to_datetime(frame["assigned_at"], format="ISO8601"),
                        responded=frame["responded"].astype("boolean"), converted=frame["converted"].astype("boolean"),
                        revenue=frame["revenue"].astype(float))


def _dataset(**tables: pd.DataFrame) -> Dataset:
    return Dataset(tables=tables, quarantine={}, accounting={}, source="test", masked=True)


def test_pre_period_revenue_covers_the_days_before_the_first_assignment_day():
    transactions = pd.DataFrame({
        "customer_id": ["C1", "C1", "C1", "C1", "C2", "C2"],
        "transaction_date": pd.to_datetime(["2025-04-07 23:59:59", "2025-04-08 00:00:00", "2025-07-06 23:59:59",
                                            "2025-07-07 00:00:00", "2025-05-01", "2025-05-02"], format="ISO8601"),
        "amount": [1.0, 2.0, 4.0, 8.0, 100.0, -30.0]})
    starts = pd.Series({"SMS": pd.Timestamp("2025-07-07 09:00:19")})
    pre = pre_period_revenue(_dataset(transactions=transactions), starts, days=90)
    assert pre.set_index("customer_id")["pre_revenue"].to_dict() == {"C1": 6.0, "C2": 70.0}  # refunds net out
    assert (pre["campaign_id"] == "SMS").all()
    assert pre_period_revenue(_dataset(), starts, 90).empty


def _tables() -> dict[str, pd.DataFrame]:
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4"], "customer_type": ["B2C", "B2B", "B2C", "B2B"]})
    transactions = pd.DataFrame({"customer_id": ["C1", "C3", "C3"],
                                 "transaction_date": pd.to_datetime(["2025-06-01", "2025-06-15", "2025-08-01"]),
                                 "amount": [50.0, 20.0, 999.0]})
    rows = _outreach([
        ("S", "C1", "control", "2025-07-07 09:00", "sms", True, True, 120.0),
        ("S", "C2", "treat", "2025-07-08", "sms", None, False, None),
        ("S", "C3", "treat", "2025-07-08", "sms", True, True, None),
        ("S", "C4", "control", "2025-07-09", "sms", False, None, 0.0),
        ("E", "C1", "control", "2025-04-15", "email", False, False, 0.0),
    ])
    return {"customers": customers, "transactions": transactions, "outreach": rows}


def test_campaign_customers_fill_empty_outcomes_and_attach_segments(caplog):
    data = _dataset(**_tables())
    with caplog.at_level(logging.WARNING, logger="crmreport"):
        frame = outreach.campaign_customers(data, ["S"], pre_period_days=90)
    assert "1 converted customers have no revenue" in caplog.text
    assert list(frame.columns) == outreach.CUSTOMER_COLUMNS
    rows = frame.set_index("customer_id")
    assert rows["responded"].tolist() == [1, 0, 1, 0] and rows["converted"].tolist() == [1, 0, 1, 0]
    assert rows["revenue"].tolist() == [120.0, 0.0, 0.0, 0.0]
    assert rows["pre_revenue"].to_dict() == {"C1": 50.0, "C2": 0.0, "C3": 20.0, "C4": 0.0}
    assert rows["segment"].to_dict() == {"C1": "B2C", "C2": "B2B", "C3": "B2C", "C4": "B2B"}
    nine_box = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "segment": ["core", "growth", "core"]})
    with_segments = outreach.campaign_customers(data, ["S"], 90, segments=nine_box).set_index("customer_id")
    assert with_segments["segment"].to_dict() == {"C1": "core", "C2": "growth", "C3": "core",
                                                  "C4": outreach.UNKNOWN_SEGMENT}
    with pytest.raises(ValueError, match="customer_id and segment"):
        outreach.campaign_customers(data, ["S"], 90, segments=nine_box.rename(columns={"segment": "tier"}))
    assert outreach.campaign_customers(_dataset(customers=_tables()["customers"]), ["S"], 90).empty


def test_arm_sums_equal_a_direct_groupby():
    rng = np.random.default_rng(3)
    n = 500
    customers = pd.DataFrame({"campaign_id": "S", "customer_id": [f"C{i}" for i in range(n)],
                              "arm": rng.choice(["control", "a", "b"], n), "segment": rng.choice(["x", "y"], n),
                              "responded": rng.integers(0, 2, n), "converted": rng.integers(0, 2, n),
                              "revenue": rng.lognormal(5, 1, n), "pre_revenue": rng.lognormal(6, 1, n)})
    sums = outreach.arm_sums(customers, ["campaign_id", "segment", "arm"])
    assert list(sums.columns) == ["campaign_id", "segment", "arm", *outreach.SUM_COLUMNS]
    for _, row in sums.iterrows():
        part = customers[(customers["segment"] == row["segment"]) & (customers["arm"] == row["arm"])]
        assert row["n"] == len(part) and row["converted"] == part["converted"].sum()
        assert row["revenue_sq"] == pytest.approx((part["revenue"] ** 2).sum(), rel=1e-12)
        assert row["revenue_converted"] == pytest.approx(part.loc[part["converted"] == 1, "revenue"].sum(), rel=1e-12)
        assert row["pre_revenue_cross"] == pytest.approx((part["revenue"] * part["pre_revenue"]).sum(), rel=1e-12)
