"""Profiling functions against hand calculations on the tiny tables."""

from datetime import date

import pandas as pd
import pytest
from conftest import params_for

from crmreport.analyses.profiling import activity, profile
from crmreport.ingest.dataset import prepare_dataset


@pytest.fixture
def data(tiny):
    return prepare_dataset(params_for(tiny))


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
    monthly = activity.monthly_activity(data, date(2025, 9, 30), months=3)
    assert monthly["month"].dt.strftime("%Y-%m").tolist() == ["2025-07", "2025-08", "2025-09"]
    assert monthly["revenue"].tolist() == [120.5, 15000.0, 60.0]
    assert monthly["orders"].tolist() == [1, 1, 1], "the September refund is no order"
    assert monthly["active_customers"].tolist() == [1, 1, 2]
    assert activity.latest_month_summary(monthly)["change"] is None
