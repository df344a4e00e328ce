"""Every bad-input case gets one clear message; fixable problems are cleaned and accounted."""

import pytest
from conftest import CUSTOMERS, TRANSACTIONS, params_for, write_tables

from crmreport.core.errors import DataValidationError, SourceError
from crmreport.ingest.dataset import prepare_dataset


def load(folder, **overrides):
    return prepare_dataset(params_for(folder, **overrides))


def test_valid_tiny_tables_load_with_canonical_types(tiny):
    data = load(tiny)
    transactions = data.tables["transactions"]
    assert str(transactions["transaction_date"].dtype) == "datetime64[ns]"
    assert transactions["amount"].tolist() == [120.5, 15000.0, -20.0, 80.0]
    assert data.missing_tables == ["interactions", "surveys", "tickets", "outreach", "tasks", "improvements"]


def test_missing_required_column_names_table_column_and_fix(tmp_path):
    folder = write_tables(tmp_path, transactions=TRANSACTIONS.replace("amount", "amt"))
    with pytest.raises(DataValidationError) as error:
        load(folder)
    message = str(error.value)
    assert "table transactions: required column `amount` is missing" in message
    assert "columns: transactions: {your_name: amount}" in message


def test_column_mapping_fixes_a_renamed_column(tmp_path):
    folder = write_tables(tmp_path, transactions=TRANSACTIONS.replace("amount", "金额"))
    data = load(folder, columns={"transactions": {"金额": "amount"}})
    assert data.tables["transactions"]["amount"].sum() == pytest.approx(15180.5)


def test_wrong_type_names_rows_as_seen_in_the_file(tmp_path):
    folder = write_tables(tmp_path, transactions=TRANSACTIONS.replace("T3,C3,2025-09-01,-20", "T3,C3,2025-09-01,abc"))
    with pytest.raises(DataValidationError, match=r"table transactions, column `amount`: 1 value\(s\) are not "
                                                  r"numbers: row 4 \(values 'abc'\)\. Fix:"):
        load(folder)


def test_unknown_enumeration_value_suggests_a_value_mapping(tmp_path):
    folder = write_tables(tmp_path, customers=CUSTOMERS.replace("C1,李雷,B2C", "C1,李雷,VIP客户"))
    with pytest.raises(DataValidationError, match=r"column `customer_type`: 1 value\(s\) are not one of B2B, B2C: "
                                                  r"row 2 \(values 'VIP客户'\).*values: customers: customer_type:"):
        load(folder)
    data = load(folder, values={"customers": {"customer_type": {"VIP客户": "B2B"}}})
    assert data.tables["customers"]["customer_type"].tolist() == ["B2B", "B2B", "B2C"]


def test_duplicate_id_with_different_content_is_an_error(tmp_path):
    folder = write_tables(tmp_path, transactions=TRANSACTIONS + "T2,C2,2025-08-02,99,B,direct\n")
    with pytest.raises(DataValidationError, match=r"table transactions, column `transaction_id`: 2 rows share a key "
                                                  r"with different content: rows 3, 6"):
        load(folder)


def test_orphan_customer_id_is_an_error(tmp_path):
    folder = write_tables(tmp_path, transactions=TRANSACTIONS + "T9,C404,2025-08-02,99,B,direct\n")
    with pytest.raises(DataValidationError, match=r"1 row\(s\) name customers that are not in the customers table: "
                                                  r"row 6 \(values 'C404'\)"):
        load(folder)


def test_unparseable_date_is_an_error(tmp_path):
    folder = write_tables(tmp_path, transactions=TRANSACTIONS.replace("2025-07-03", "03/33/2025x"))
    with pytest.raises(DataValidationError, match=r"column `transaction_date`: 1 value\(s\) are not dates or "
                                                  r"date-times: row 2 \(values '03/33/2025x'\)"):
        load(folder)


def test_empty_file_is_an_error(tmp_path):
    folder = write_tables(tmp_path)
    (folder / "transactions.csv").write_text("")
    with pytest.raises(SourceError, match=r"table transactions: .*transactions.csv is empty"):
        load(folder)


def test_header_without_rows_is_an_error(tmp_path):
    folder = write_tables(tmp_path, transactions=TRANSACTIONS.splitlines()[0] + "\n")
    with pytest.raises(DataValidationError, match="has a header but no rows"):
        load(folder)


def test_wrong_encoding_is_an_error(tmp_path):
    folder = write_tables(tmp_path)
    (folder / "customers.csv").write_bytes(CUSTOMERS.replace("李雷", "Ren\u00e9,").encode("latin-1", "replace"))
    with pytest.raises(SourceError, match=r"neither UTF-8 nor GBK/GB18030 .* save it as 'CSV UTF-8"):
        load(folder)


def test_utf16_file_is_explained(tmp_path):
    folder = write_tables(tmp_path)
    (folder / "customers.csv").write_bytes(CUSTOMERS.encode("utf-16"))
    with pytest.raises(SourceError, match="UTF-16"):
        load(folder)


def test_file_that_is_not_a_table(tmp_path):
    folder = write_tables(tmp_path)
    (folder / "transactions.csv").write_text("Dear team,\nplease find the numbers attached.\nRegards\n")
    with pytest.raises(SourceError, match=r"does not look like a table of transactions.*expected transaction_id"):
        load(folder)


def test_binary_file_under_a_csv_name(tmp_path):
    folder = write_tables(tmp_path)
    (folder / "transactions.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    with pytest.raises(SourceError, match="not a CSV text file: it holds binary data"):
        load(folder)


def test_missing_required_table(tmp_path):
    folder = write_tables(tmp_path, transactions=None)
    with pytest.raises(SourceError, match=r"required table\(s\) transactions not found"):
        load(folder)


def test_all_problems_are_reported_together(tmp_path):
    folder = write_tables(tmp_path, customers=CUSTOMERS.replace("C1,李雷,B2C", "C1,李雷,VIP"),
                          transactions=TRANSACTIONS.replace("120.5", "x"))
    with pytest.raises(DataValidationError) as error:
        load(folder)
    assert len(error.value.problems) == 2


def test_personal_values_never_appear_in_messages(tmp_path):
    folder = write_tables(tmp_path, customers=CUSTOMERS.replace("C2,华信", "C1,华信"))
    with pytest.raises(DataValidationError) as error:
        load(folder)
    assert "华信" not in str(error.value) and "rows 2, 3" in str(error.value)


def test_cleaning_accounts_for_every_row(tmp_path):
    surveys = ("survey_id,customer_id,response_time,csat,nps,trust\n"
               "S1,C1,2025-08-01,5,9,4\nS2,C2,2025-08-02,6,9,4\nS3,C2,2025-08-03,4,11,\nS3,C2,2025-08-03,4,11,\n"
               "S4,C3,2025-08-04,,,\n")
    tickets = ("ticket_id,customer_id,opened_at,first_response_at,resolved_at,priority,category,department,"
               "satisfaction\nK1,C1,2025-08-01 10:00,2025-08-01 09:00,2025-08-02,urgent,delivery,logistics,3\n"
               "K2,C2,2025-08-01 10:00,2025-08-01 11:00,,High,quality,QA,\n")
    outreach = ("campaign_id,customer_id,arm,assigned_at,channel,responded,converted,revenue\n"
                "X,C1,control,2025-07-01,sms,是,否,0\nX,C2,sms,2025-07-01,sms,Y,N,-5\nX,C3,sms,2025-07-01,sms,true,"
                "false,0\n")
    folder = write_tables(tmp_path, surveys=surveys, tickets=tickets, outreach=outreach,
                          transactions=TRANSACTIONS + "T5,C1,2026-01-01,10,A,online\nT4,C1,2025-09-15,80,A,online\n")
    data = load(folder)
    accounting = {name: account for name, account in data.accounting.items()}
    assert (accounting["transactions"].duplicates_removed, accounting["transactions"].quarantined) == (1, 1)
    assert accounting["surveys"].rows_read == 5 and accounting["surveys"].duplicates_removed == 1
    assert accounting["surveys"].reasons == {"csat outside 1-5": 1, "nps outside 0-10": 1}
    assert accounting["tickets"].reasons == {"first_response_at before opened_at": 1}
    assert accounting["outreach"].reasons == {"revenue below 0": 1}
    assert data.tables["outreach"]["responded"].tolist() == [True, True]
    assert data.tables["tickets"]["priority"].tolist() == ["high"]
    for account in accounting.values():
        assert account.rows_read == account.kept + account.quarantined + account.duplicates_removed
    quarantined = data.quarantine["transactions"]
    assert quarantined["source_row"].tolist() == [6] and "in the future" in quarantined["reason"].iloc[0]


def test_invalid_contacts_are_flagged_not_dropped(tiny):
    data = load(tiny)
    customers = data.tables["customers"]
    assert len(customers) == 3
    assert customers["phone_valid"].tolist() == [True, True, False]
    assert data.accounting["customers"].flags == {"invalid_phone": 1, "invalid_email": 0}


def test_rows_of_quarantined_customers_follow_them(tmp_path):
    folder = write_tables(tmp_path, customers=CUSTOMERS.replace("2024-01-05", "2027-01-05"))
    data = load(folder)
    assert data.accounting["customers"].quarantined == 1
    assert data.quarantine["transactions"]["reason"].tolist() == ["customer_id refers to a quarantined customer"]


def test_masking_off_keeps_raw_values(tiny):
    assert load(tiny, masking=False).tables["customers"]["name"].iloc[0] == "李雷"
    assert load(tiny).tables["customers"]["name"].iloc[0] == "李*"
