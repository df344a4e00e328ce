"""The data-quality scorecard against hand computations on tiny tables and on the planted demo truth."""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import pytest
from conftest import CUSTOMERS, params_for, write_tables

from crmreport.analyses.profiling.quality import (
    COLUMN_SCORECARD_COLUMNS,
    ISSUE_COLUMNS,
    TABLE_SCORECARD_COLUMNS,
    column_scorecard,
    quality_issues,
    table_scorecard,
)
from crmreport.core.contract import TABLES
from crmreport.demo import generate_demo, write_demo_data
from crmreport.ingest.dataset import prepare_dataset

PERIOD_END = date(2025, 9, 30)
SURVEYS = """survey_id,customer_id,response_time,csat,nps,trust
S1,C1,2025-08-01,4,9,5
S2,C2,2025-08-02,7,8,4
S3,C3,2025-08-03,,10,
"""
DUPLICATE_C1_NO_MANAGER_C3 = CUSTOMERS.replace("Chen Jing", "") + CUSTOMERS.splitlines()[1] + "\n"


@pytest.fixture
def tiny_data(tiny):
    return prepare_dataset(params_for(tiny))


@pytest.fixture
def messy_data(tmp_path):
    folder = write_tables(tmp_path / "messy", customers=DUPLICATE_C1_NO_MANAGER_C3, surveys=SURVEYS)
    return prepare_dataset(params_for(folder))


def _cell(frame: pd.DataFrame, table: str, column: str, field: str):
    row = frame[(frame["table"] == table) & (frame["column"] == column)]
    assert len(row) == 1, (table, column)
    return row[field].iloc[0]


def test_column_scorecard_on_tiny_tables(tiny_data):
    scores = column_scorecard(tiny_data, PERIOD_END)
    assert list(scores.columns) == COLUMN_SCORECARD_COLUMNS
    assert len(scores) == len(TABLES["customers"].columns) + len(TABLES["transactions"].columns)
    # C1 and C3 are B2C without a size tier, C3 has no need tags, C3's phone 12345 is invalid
    assert _cell(scores, "customers", "size_tier", "completeness") == pytest.approx(1 / 3)
    assert _cell(scores, "customers", "size_tier", "validity") == 1.0
    assert _cell(scores, "customers", "size_tier", "rows_affected") == 2
    assert _cell(scores, "customers", "need_tags", "completeness") == pytest.approx(2 / 3)
    assert _cell(scores, "customers", "phone", "validity") == pytest.approx(2 / 3)
    assert _cell(scores, "customers", "phone", "rows_affected") == 1
    assert _cell(scores, "customers", "email", "validity") == 1.0
    assert _cell(scores, "customers", "customer_id", "uniqueness") == 1.0
    assert _cell(scores, "transactions", "transaction_id", "uniqueness") == 1.0
    assert pd.isna(_cell(scores, "transactions", "customer_id", "uniqueness"))
    assert scores.loc[scores["table"] == "transactions", "completeness"].eq(1.0).all()
    assert scores["rows_affected"].sum() == 2 + 1 + 1


def test_validity_follows_the_contract_for_enums_and_ranges(messy_data):
    customers = messy_data.tables["customers"].copy()
    customers.loc[customers["customer_id"] == "C2", "size_tier"] = "huge"
    surveys = messy_data.tables["surveys"].copy()
    surveys.loc[surveys["survey_id"] == "S1", "nps"] = 12
    changed = dataclasses.replace(messy_data, tables={**messy_data.tables, "customers": customers,
                                                      "surveys": surveys})
    scores = column_scorecard(changed, PERIOD_END)
    assert _cell(scores, "customers", "size_tier", "validity") == 0.0
    assert _cell(scores, "customers", "size_tier", "rows_affected") == 3
    assert _cell(scores, "surveys", "nps", "validity") == pytest.approx(1 / 2)
    assert _cell(scores, "surveys", "csat", "completeness") == pytest.approx(1 / 2)


def test_table_scorecard_on_tiny_tables(tiny_data):
    tables = table_scorecard(tiny_data, PERIOD_END).set_index("table")
    assert list(tables.reset_index().columns) == TABLE_SCORECARD_COLUMNS
    customers, transactions = tables.loc["customers"], tables.loc["transactions"]
    assert (customers["rows_read"], customers["kept"], customers["quarantined"]) == (3, 3, 0)
    assert customers["completeness"] == pytest.approx(33 / 36)
    assert transactions["completeness"] == 1.0
    assert customers["freshness_days"] == (date(2025, 9, 30) - date(2024, 1, 5)).days
    assert transactions["freshness_days"] == 15  # T4 on 2025-09-15
    assert transactions["orphan_keys"] == 0 and pd.isna(customers["orphan_keys"])
    assert customers["owner_coverage"] == 1.0 and pd.isna(transactions["owner_coverage"])


def test_freshness_ignores_records_after_the_period_and_orphans_are_counted(tiny_data):
    transactions = pd.concat([tiny_data.tables["transactions"], pd.DataFrame({
        "transaction_id": ["T8", "T9"], "customer_id": ["C9", "C1"],
        "transaction_date": pd.to_datetime(["2025-09-29 23:30", "2025-10-10 09:00"]), "amount": [1.0, 2.0]})])
    changed = dataclasses.replace(tiny_data, tables={**tiny_data.tables, "transactions": transactions})
    row = table_scorecard(changed, PERIOD_END).set_index("table").loc["transactions"]
    assert row["freshness_days"] == 1
    assert row["orphan_keys"] == 1


def test_accounting_and_owner_issues(messy_data):
    tables = table_scorecard(messy_data, PERIOD_END).set_index("table")
    assert tables.loc["customers", "duplicates_removed"] == 1 and tables.loc["customers", "rows_read"] == 4
    assert tables.loc["surveys", "quarantined"] == 1
    assert tables.loc["customers", "owner_coverage"] == pytest.approx(2 / 3)
    issues = quality_issues(messy_data, PERIOD_END)
    assert list(issues.columns) == ISSUE_COLUMNS
    by_code = issues.set_index(["table", "issue"])
    assert by_code.loc[("customers", "duplicates_removed"), "rows_affected"] == 1
    assert by_code.loc[("customers", "duplicates_removed"), "share"] == pytest.approx(1 / 4)
    quarantined = by_code.loc[("surveys", "quarantined")]
    assert (quarantined["column"], quarantined["detail"], quarantined["rows_affected"]) == (
        "csat", "csat outside 1-5", 1)
    assert quarantined["share"] == pytest.approx(1 / 3)
    no_owner = by_code.loc[("customers", "no_owner")]
    assert (no_owner["column"], no_owner["rows_affected"]) == ("account_manager", 1)
    assert not ((issues["issue"] == "missing_values") & (issues["column"] == "account_manager")).any()


def test_issues_on_tiny_tables_worst_first(tiny_data):
    issues = quality_issues(tiny_data, PERIOD_END)
    # customers are no event table (no stale check); B2C size tiers and need tags are empty by design
    assert issues[["table", "column", "issue", "rows_affected"]].values.tolist() == [
        ["customers", "phone", "invalid_values", 1],
    ]
    assert issues["share"].tolist() == pytest.approx([1 / 3])


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    generated = generate_demo(n_customers=300, seed=5)
    folder = write_demo_data(tmp_path_factory.mktemp("demo") / "csv", n_customers=300, seed=5)
    return generated, prepare_dataset(params_for(folder))


def _filled(series: pd.Series) -> pd.Series:
    return series.notna() & (series.astype("string").str.strip() != "").fillna(False)


def test_demo_scorecards_match_the_planted_truth(demo):
    generated, data = demo
    truth = generated.ground_truth["quality_issues"]
    raw_customers = generated.tables["customers"]
    scores = column_scorecard(data, PERIOD_END)
    with_phone, with_email = _filled(raw_customers["phone"]).sum(), _filled(raw_customers["email"]).sum()
    assert _cell(scores, "customers", "phone", "validity") == pytest.approx(
        1 - truth["customers_invalid_phone"] / with_phone)
    assert _cell(scores, "customers", "email", "validity") == pytest.approx(
        1 - truth["customers_invalid_email"] / with_email)
    for column in ("industry", "size_tier", "signup_date", "need_tags"):
        assert _cell(scores, "customers", column, "completeness") == pytest.approx(
            _filled(raw_customers[column]).mean())
    keys = scores[[c in TABLES[t].key for t, c in zip(scores["table"], scores["column"], strict=True)]]
    assert len(keys) == sum(len(spec.key) for spec in TABLES.values())
    assert keys["uniqueness"].eq(1.0).all()
    assert scores.drop(keys.index)["uniqueness"].isna().all()

    tables = table_scorecard(data, PERIOD_END).set_index("table")
    assert tables.loc["transactions", "duplicates_removed"] == truth["transactions_exact_duplicates"]
    assert tables.loc["surveys", "quarantined"] == truth["surveys_csat_out_of_range"] + truth[
        "surveys_nps_out_of_range"]
    assert tables.loc["tickets", "quarantined"] == truth["tickets_response_before_opened"]
    assert (tables["rows_read"] == tables["kept"] + tables["quarantined"] + tables["duplicates_removed"]).all()
    fk_tables = [name for name, spec in TABLES.items() if spec.has_customer_fk]
    assert tables.loc[fk_tables, "orphan_keys"].eq(0).all()
    assert tables.loc["customers", "owner_coverage"] == pytest.approx(
        _filled(raw_customers["account_manager"]).mean())
    cutoff = pd.Timestamp(PERIOD_END) + pd.Timedelta(days=1)
    dates = pd.to_datetime(generated.tables["transactions"]["transaction_date"])
    assert tables.loc["transactions", "freshness_days"] == (
        pd.Timestamp(PERIOD_END) - dates[dates < cutoff].max().normalize()).days


def test_demo_issues_carry_the_planted_problems(demo):
    generated, data = demo
    truth = generated.ground_truth["quality_issues"]
    issues = quality_issues(data, PERIOD_END)
    assert (issues["rows_affected"] > 0).all()
    assert issues["rows_affected"].is_monotonic_decreasing
    assert issues["share"].between(0, 1).all()

    def affected(table, issue, column=None):
        rows = issues[(issues["table"] == table) & (issues["issue"] == issue)]
        if column is not None:
            rows = rows[rows["column"] == column]
        return int(rows["rows_affected"].sum())

    assert affected("transactions", "duplicates_removed") == truth["transactions_exact_duplicates"]
    assert affected("surveys", "quarantined", "csat") == truth["surveys_csat_out_of_range"]
    assert affected("surveys", "quarantined", "nps") == truth["surveys_nps_out_of_range"]
    assert affected("tickets", "quarantined") == truth["tickets_response_before_opened"]
    assert affected("customers", "invalid_values", "phone") == truth["customers_invalid_phone"]
    assert affected("customers", "invalid_values", "email") == truth["customers_invalid_email"]
    assert affected("customers", "no_owner") == int((~_filled(generated.tables["customers"]["account_manager"]))
                                                    .sum())


def test_issue_details_have_a_column_format_in_the_report_language():
    from crmreport.analyses.profiling import reasons

    assert reasons.detail_format("zh")("x") == reasons.issue_detail("x", "zh")
    assert reasons.detail_format("en")(None) is None
