"""The CLV inputs, transaction summaries and fits are functions of the data alone, not of row order or threads.

Two full runs of the demo used to give different Gamma-Gamma parameters (third digit): DuckDB summed
the day values as floating-point numbers in an order that depends on how it splits the rows between
threads, and the flat Gamma-Gamma likelihood turned those last-digit differences into visible ones.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmreport.measures.clv_inputs import clv_inputs
from crmreport.stats import clv

AS_OF = date(2025, 6, 30)
DEMO = Path(__file__).parents[1] / "crmreport" / "data" / "demo"


def _transactions(customers: int, days: int, per_day: int, seed: int) -> pd.DataFrame:
    """Several orders per customer and day, amounts whose float sum depends on the order of addition."""
    rng = np.random.default_rng(seed)
    rows = customers * days * per_day
    customer = np.repeat(np.arange(customers), days * per_day)
    day = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 180, rows), unit="D")
    amount = np.round(rng.gamma(2.0, 30.0, rows), 2) + rng.choice([0.1, 0.2, 0.3, 1e6, -1e6 + 0.7], rows)
    return pd.DataFrame({"customer_id": pd.Series(customer).map("c{:05d}".format), "transaction_date": day,
                         "amount": np.abs(amount)})


def test_a_day_value_is_the_exact_sum_whatever_the_row_order():
    forward = pd.DataFrame({"customer_id": ["a"] * 6, "amount": [0.1, 0.2, 0.3, 0.1, 0.2, 0.3],
                            "transaction_date": pd.to_datetime(["2025-01-01"] * 3 + ["2025-02-01"] * 3)})
    backward = forward.iloc[::-1].reset_index(drop=True)
    # as floats, 0.1 + 0.2 + 0.3 != 0.3 + 0.2 + 0.1; the exact sum is 0.6 in both orders
    assert (0.1 + 0.2) + 0.3 != (0.3 + 0.2) + 0.1
    for frame in (forward, backward):
        inputs = clv_inputs(frame, AS_OF)
        assert inputs.loc[0, "frequency"] == 1
        assert inputs.loc[0, "monetary"] == 0.6


def test_clv_inputs_are_identical_on_a_shuffled_large_frame():
    transactions = _transactions(customers=3000, days=20, per_day=5, seed=3)  # 300,000 rows: DuckDB uses threads
    reference = clv_inputs(transactions, AS_OF, holdout_end=date(2025, 7, 31))
    for seed in (1, 2):
        shuffled = transactions.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        pd.testing.assert_frame_equal(clv_inputs(shuffled, AS_OF, holdout_end=date(2025, 7, 31)), reference,
                                      check_exact=True)
    pd.testing.assert_frame_equal(clv_inputs(transactions, AS_OF, holdout_end=date(2025, 7, 31)), reference,
                                  check_exact=True)


@pytest.fixture(scope="module")
def flat_spend() -> tuple[np.ndarray, np.ndarray]:
    """The demo data's repeat customers: q < 1, a Gamma-Gamma likelihood with a long flat ridge."""
    transactions = pd.read_parquet(DEMO / "transactions.parquet", columns=["customer_id", "transaction_date", "amount"])
    inputs = clv_inputs(transactions, date(2025, 9, 30))
    repeat = inputs[inputs["frequency"] > 0]
    return repeat["frequency"].to_numpy("float64"), repeat["monetary"].to_numpy("float64")


def test_two_gamma_gamma_fits_of_the_same_data_are_identical(flat_spend):
    x, m = flat_spend
    assert clv.fit_gamma_gamma(x, m) == clv.fit_gamma_gamma(x.copy(), m.copy())


def test_gamma_gamma_fit_does_not_amplify_last_digit_differences(flat_spend):
    x, m = flat_spend
    model = clv.fit_gamma_gamma(x, m)
    assert model.q < 1  # the ill-conditioned case
    rng = np.random.default_rng(5)
    for _ in range(3):
        nudged = clv.fit_gamma_gamma(x, m * (1 + rng.normal(0, 1e-14, len(m))))
        for name in ("p", "q", "gamma"):
            assert getattr(nudged, name) == pytest.approx(getattr(model, name), rel=1e-5), name
    order = rng.permutation(len(x))
    reordered = clv.fit_gamma_gamma(x[order], m[order])
    for name in ("p", "q", "gamma"):
        assert getattr(reordered, name) == pytest.approx(getattr(model, name), rel=1e-5), name


def test_transaction_summary_is_identical_on_a_shuffled_large_frame():
    from crmreport.measures.aggregate import summarize_transactions

    transactions = _transactions(customers=3000, days=20, per_day=5, seed=4)
    reference = summarize_transactions(transactions, AS_OF)
    shuffled = transactions.sample(frac=1.0, random_state=9).reset_index(drop=True)
    pd.testing.assert_frame_equal(summarize_transactions(shuffled, AS_OF), reference, check_exact=True)
