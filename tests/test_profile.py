"""Profiling functions against hand calculations on the tiny tables."""

import math
from datetime import date

import pandas as pd
import pytest
from conftest import params_for

from crmreport import profile
from crmreport.dataset import prepare_dataset


@pytest.fixture
def data(tiny):
    return prepare_dataset(params_for(tiny))


def test_top_share_by_hand():
    amounts = pd.Series([10.0, 5.0, 3.0, 2.0, -4.0])
    assert profile.top_share(amounts, 0.2) == pytest.approx(10 / 20)
    assert profile.top_share(amounts, 0.4) == pytest.approx(15 / 20)
    assert math.isnan(profile.top_share(pd.Series([], dtype=float), 0.2))


def test_customer_profile_by_hand(data):
    table = profile.customer_profile(data, date(2025, 9, 30)).set_index("customer_id")
    assert table.loc["C1", "cumulative_amount"] == pytest.approx(200.5)
    assert table.loc["C3", "cumulative_amount"] == pytest.approx(-20.0)
    assert table.loc["C1", "last_transaction_date"] == pd.Timestamp("2025-09-15")
    assert table.loc["C2", "cooperation_months"] == (2025 - 2019) * 12 + (9 - 7)
    assert table.loc["C2", "key_contact"] == "*经理" and table.loc["C1", "name"] == "李*"
    assert list(table.index) == ["C2", "C1", "C3"], "sorted by cumulative amount"
    assert table["complaint_count"].tolist() == [0, 0, 0]


def test_monthly_activity_by_hand(data):
    monthly = profile.monthly_activity(data, date(2025, 9, 30), months=3)
    assert monthly["month"].dt.strftime("%Y-%m").tolist() == ["2025-07", "2025-08", "2025-09"]
    assert monthly["revenue"].tolist() == [120.5, 15000.0, 60.0]
    assert monthly["orders"].tolist() == [1, 1, 2] and monthly["active_customers"].tolist() == [1, 1, 2]
    assert profile.latest_month_summary(monthly)["change"] is None


def test_quality_summary_and_contact_flags(data):
    quality = profile.quality_summary(data, date(2025, 9, 30)).set_index("table")
    assert quality.loc["transactions", "completeness"] == 1.0
    assert quality.loc["transactions", "days_behind"] == 15
    flags = profile.contact_flags(data).set_index("check")
    assert flags.loc["invalid_phone", "customers"] == 1 and flags.loc["invalid_phone", "share"] == pytest.approx(1 / 3)


def test_median_amounts_by_type(data):
    table = profile.customer_profile(data, date(2025, 9, 30))
    amounts = profile.positive_amounts_by_type(table, data.tables["customers"])
    assert set(amounts["customer_id"]) == {"C1", "C2"}
    assert profile.median_amounts(amounts) == {"B2B": 15000.0, "B2C": 200.5}
