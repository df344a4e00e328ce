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


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_masked_mobile_never_shows_the_middle_digits(phone):
    masked = mask_phone(phone)
    assert masked[:3] == phone[:3] and masked[-4:] == phone[-4:] and phone[3:7] not in masked[3:-4]


@pytest.mark.parametrize(("raw", "masked"), [
    ("13912345678", "139****5678"),
    ("139-1234-5678", "139****5678"),
    ("139 1234 5678", "139****5678"),
    ("150.1111.3333", "150****3333"),
    ("+86 139 1234 5678", "139****5678"),
    ("+8613912345678", "139****5678"),
    ("010-12345678", "010****5678"),
    ("01012349999", "010****9999"),
    ("(021) 1234 5678", "021****5678"),
    ("+86 10 12345678", "010****5678"),
])
def test_scrub_text_masks_phones_in_every_common_form(raw, masked):
    assert scrub_text(f"call {raw} today") == f"call {masked} today"


def test_scrub_text_leaves_dates_amounts_and_ids_alone():
    text = "order 2025-07-01 of 12345678.00 CNY, id 20250701123, T00000042"
    assert scrub_text(text) == text


def test_every_e_mail_and_phone_in_a_cell_is_masked():
    assert mask_email("a@x.at; b@y.com") == "a***@x.at; b***@y.com"
    assert mask_phone("13912345678 / 010-12345678") == "139****5678; 010****5678"
    assert scrub_text("call 13655554444; mail wang.xiaoer@leak.cn") == "call 136****4444; mail w***@leak.cn"


def test_customer_names_are_masked_where_they_recur_in_free_text():
    from crmreport.ingest.masking import NameFinder

    names = NameFinder(["郭靖", "Li Lei", "李经理", "A", None, "郭靖蓉"])
    text = "complaint by 郭靖 guo.jing@xiangyang.cn, cc li lei (not Li Leia); 李经理说 郭靖蓉来过"
    assert scrub_text(text, names) == "complaint by 郭* g***@xiangyang.cn, cc L* (not Li Leia); *经理说 郭*来过"
    assert scrub_text("A is a letter", names) == "A is a letter", "names shorter than the minimum are not searched"


def test_mask_table_scrubs_every_free_text_column_and_staff_contacts():
    from crmreport.core.contract import FREE_TEXT_COLUMNS
    from crmreport.ingest.masking import NameFinder

    assert FREE_TEXT_COLUMNS["customers"] == ("industry", "region", "need_tags")
    assert "category" in FREE_TEXT_COLUMNS["tickets"]
    tickets = pd.DataFrame({"ticket_id": ["K1"], "category": ["complaint by 郭靖 guo.jing@xiangyang.cn"],
                            "department": ["call 13912345678"]})
    masked = mask_table("tickets", tickets, NameFinder(["郭靖"]))
    assert masked.loc[0, "category"] == "complaint by 郭* g***@xiangyang.cn"
    assert masked.loc[0, "department"] == "call 139****5678"
    tasks = pd.DataFrame({"task_id": ["T1"], "owner": ["王芳 13912345678"]})
    assert mask_table("tasks", tasks, NameFinder(["王芳"])).loc[0, "owner"] == "王芳 139****5678", \
        "staff names stay, their contact details do not"


def test_masked_examples_for_messages():
    from crmreport.ingest.masking import masked_example

    assert masked_example("王欣怡", personal_table=True) == "王*"
    assert masked_example("Li Lei", personal_table=True) == "L*"
    assert masked_example("VIP客户", personal_table=True) == "VIP客户"
    assert masked_example("2025-13-01", personal_table=True) == "2025-13-01"
    assert masked_example("x@y.cn call 13912345678") == "x***@y.cn call 139****5678"
