"""Masking rules from the brief: phones, e-mails, names, contacts and free text."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmreport.ingest.masking import mask_contact, mask_email, mask_name, mask_phone, mask_table, scrub_text


@pytest.mark.parametrize(("raw", "masked"), [
    ("13812345678", "138****5678"),
    ("138-1234-5678", "138****5678"),
    ("+86 138 1234 5678", "138****5678"),
    ("021-12345678", "021****5678"),
    ("12345", "*****"),
])
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked


@pytest.mark.parametrize(("raw", "masked"), [
    ("li.lei@x.com", "l***@x.com"),
    ("Wang@example.com.cn", "W***@example.com.cn"),
    ("not-an-email", "***"),
])
def test_mask_email(raw, masked):
    assert mask_email(raw) == masked


@pytest.mark.parametrize(("raw", "masked"), [
    ("李雷", "李*"),
    ("Li Lei", "L*"),
    ("欧阳娜娜", "欧阳*"),
    ("华信精密制造有限公司", "华*有限公司"),
    ("Everbright Tools Co., Ltd.", "E* Co., Ltd."),
])
def test_mask_name(raw, masked):
    assert mask_name(raw) == masked


@pytest.mark.parametrize(("raw", "masked"), [
    ("李经理", "*经理"),
    ("张总监", "*总监"),
    ("Manager Li", "*Manager"),
    ("Purchasing Manager Zhao", "*Purchasing Manager"),
    ("李雷", "李*"),
])
def test_mask_contact(raw, masked):
    assert mask_contact(raw) == masked


def test_scrub_text_masks_phones_and_emails_inside_sentences():
    text = "please call me at 13912345678 or write to zhang.wei@corp.cn tomorrow"
    assert scrub_text(text) == "please call me at 139****5678 or write to z***@corp.cn tomorrow"


def test_mask_table_masks_personal_columns_and_keeps_the_rest():
    customers = pd.DataFrame({"customer_id": ["C1"], "name": ["李雷"], "contact_name": ["李雷"],
                              "phone": ["13812345678"], "email": ["li.lei@x.com"], "account_manager": ["王芳"]})
    masked = mask_table("customers", customers)
    assert masked.iloc[0].to_dict() == {"customer_id": "C1", "name": "李*", "contact_name": "李*",
                                        "phone": "138****5678", "email": "l***@x.com", "account_manager": "王芳"}
    assert customers.loc[0, "name"] == "李雷", "the input frame is not modified"


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_masked_mobile_never_shows_the_middle_digits(phone):
    masked = mask_phone(phone)
    assert masked[:3] == phone[:3] and masked[-4:] == phone[-4:] and phone[3:7] not in masked[3:-4]
