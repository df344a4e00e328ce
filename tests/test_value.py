"""Value, concentration and activity figures against independent pandas/numpy computations."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import params_for

from crmreport.analyses.profiling import activity, profile, value
from crmreport.ingest.dataset import prepare_dataset

END, BASELINE_END = date(2025, 9, 30), date(2025, 6, 30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The embedded demo set, and its raw transactions for independent computations."""
    data = prepare_dataset(params_for(""))
    return data, data.tables["transactions"], data.tables["customers"]


def test_concentration_by_hand():
    amounts = pd.Series([50.0, 30.0, 10.0, 5.0, 5.0, 0.0, -3.0, 0.0, 0.0, 0.0])
    shares = value.concentration(amounts, (0.1, 0.2, 0.5)).set_index("top_share_of_customers")
    assert shares.loc[0.1, "share_of_amount"] == pytest.approx(0.5)
    assert shares.loc[0.2, "share_of_amount"] == pytest.approx(0.8)
    assert shares.loc[0.5, "share_of_amount"] == pytest.approx(1.0)


def test_gini_by_hand_and_lorenz_ends():
    assert value.gini(pd.Series([1.0, 1.0, 1.0, 1.0])) == pytest.approx(0.0)
    assert value.gini(pd.Series([0.0, 0.0, 0.0, 4.0])) == pytest.approx(0.75)  # (n-1)/n for one holder
    # mean absolute difference / (2 * mean) for [1, 2, 3]: (2*(1+2+1))/9 / (2*2) = 2/9
    assert value.gini(pd.Series([1.0, 2.0, 3.0])) == pytest.approx(2 / 9)
    curve = value.lorenz_curve(pd.Series([1.0, 2.0, 3.0, 10.0]))
    assert curve["share_of_amount"].iloc[0] == 0 and curve["share_of_amount"].iloc[-1] == pytest.approx(1)
    assert (np.diff(curve["share_of_amount"]) >= 0).all()


def test_customer_values_and_concentration_on_demo_data(demo):
    data, transactions, customers = demo
    values = value.customer_values(data, END).set_index("customer_id")
    recent = transactions[(transactions["transaction_date"] >= "2024-10-01")
                          & (transactions["transaction_date"] < "2025-10-01")]
    expected = recent.groupby("customer_id")["amount"].sum()
    got = values["amount_12m"]
    pd.testing.assert_series_equal(got[got != 0].sort_index(), expected[expected != 0].sort_index(),
                                   check_names=False, rtol=1e-9)
    top20 = np.sort(expected.reindex(values.index, fill_value=0).clip(lower=0).to_numpy())[::-1]
    share = top20[: int(np.ceil(len(top20) * 0.2))].sum() / top20.sum()
    shares = value.concentration(values["amount_12m"]).set_index("top_share_of_customers")
    assert shares.loc[0.2, "share_of_amount"] == pytest.approx(share)


def test_value_summary_direction_and_aov(demo):
    data, transactions, _ = demo
    summary = value.value_summary(value.customer_values(data, END),
                                  value.customer_values(data, BASELINE_END)).set_index("metric")
    recent = transactions[(transactions["transaction_date"] >= "2024-10-01")
                          & (transactions["transaction_date"] < "2025-10-01") & (transactions["amount"] >= 0)]
    assert summary.loc["average_order_value", "after"] == pytest.approx(recent["amount"].mean())
    row = summary.loc["revenue_12m"]
    assert row["direction"] == ("up" if row["after"] > row["before"] else "down")


def test_customer_base_counts_and_new_customers(demo):
    data, _, customers = demo
    base = profile.customer_base(data, END, BASELINE_END)
    by_type = base[base["dimension"] == "customer_type"].set_index("value")["after"]
    assert by_type.to_dict() == customers["customer_type"].value_counts().astype(float).to_dict()
    summary = profile.base_summary(data, params_for("").window, params_for("").baseline_window).set_index("metric")
    in_q3 = customers["signup_date"].between("2025-07-01", "2025-09-30").sum()
    assert summary.loc["new_customers", "after"] == in_q3


def test_monthly_activity_and_recency_on_demo_data(demo):
    data, transactions, customers = demo
    monthly = activity.monthly_activity(data, END).set_index("month")
    september = transactions[transactions["transaction_date"].dt.strftime("%Y-%m") == "2025-09"]
    row = monthly.loc[pd.Timestamp("2025-09-01")]
    assert row["revenue"] == pytest.approx(september["amount"].sum())
    assert row["active_customers"] == september["customer_id"].nunique()
    assert row["new_customers"] == (customers["signup_date"].dt.strftime("%Y-%m") == "2025-09").sum()
    assert len(monthly) == 24
    recency = activity.recency(data, END, profile.customer_profile(data, END)).set_index("customer_id")
    last = transactions.groupby("customer_id")["transaction_date"].max().dt.normalize()
    expected = (pd.Timestamp(END) - last).dt.days
    pd.testing.assert_series_equal(recency["days_since_transaction"].dropna().sort_index(),
                                   expected.astype(float).sort_index(), check_names=False)
    bands = activity.recency_bands(recency["days_since_transaction"])
    assert bands["customers"].sum() == len(recency)
    table = activity.recency_table(recency.reset_index())
    assert list(dict.fromkeys(table["event"])) == list(activity.RECENCY_EVENTS)
    quiet = activity.quiet_customers(table)
    days = recency["days_since_transaction"]
    assert quiet == {"quiet": int((days >= 90).sum()), "quiet_share": pytest.approx((days >= 90).mean()),
                     "never": int(days.isna().sum())}


def test_the_spend_distribution_keeps_buyers_and_gives_the_median_per_customer_type():
    values = pd.DataFrame({"customer_id": ["A", "B", "C", "D"], "customer_type": ["B2B", "B2B", "B2C", "B2C"],
                           "cumulative_amount": [100.0, 50.0, 0.0, 30.0], "amount_12m": [40.0, 0.0, 0.0, 10.0],
                           "orders_12m": 1, "order_amount_12m": 0.0})
    spend = value.spend_distribution(values)
    assert spend.groupby("measure")["customer_id"].apply(list).to_dict() == {
        "amount_12m": ["A", "D"], "cumulative_amount": ["A", "B", "D"]}
    assert value.median_spend(spend) == {"median_b2b": 40.0, "median_b2c": 10.0}
    assert np.isnan(value.median_spend(spend[spend["customer_type"] == "B2C"])["median_b2b"])

