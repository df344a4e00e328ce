"""The reader's text: Chinese typography and p-values, one rule for every message."""

from __future__ import annotations

import pytest

from crmreport.core.i18n import t, zh_typography


def test_chinese_text_has_no_space_between_chinese_characters_and_full_width_quotes():
    assert zh_typography("颜色按 霍尔姆多重检验") == "颜色按霍尔姆多重检验"
    assert zh_typography("电话回访 的转化率为 12.0%") == "电话回访的转化率为 12.0%"
    assert zh_typography("贡献了 7,255,888 元 收入；对照组（未触达） 为") == (
        "贡献了 7,255,888 元收入；对照组（未触达）为")
    assert zh_typography('分析流失原因；"欢迎回来"礼包') == "分析流失原因；“欢迎回来”礼包"
    assert zh_typography('Chen Jing 的 <a href="#x">链接</a>') == 'Chen Jing 的 <a href="#x">链接</a>'
    # one space between Chinese and a Latin word or number, as '1,343 位' already has it
    assert zh_typography("将CALL-2025Q3推广到共3位客户，增长12%的") == "将 CALL-2025Q3 推广到共 3 位客户，增长 12% 的"
    assert zh_typography("（CUPED）与“欢迎回来”") == "（CUPED）与“欢迎回来”"  # full-width punctuation needs none


@pytest.mark.parametrize(("p", "expected"), [(1.5e-05, "p < 0.001"), (0.0123, "p = 0.012"), (0.2, "p = 0.200"),
                                             ("<0.001", "p < 0.001"), (float("nan"), "p = –")])
def test_p_values_print_plainly(p, expected):
    assert t("next.04.trend_item", "zh", kpi="净推荐值", p=p) == f"净推荐值（{expected}）"


def test_a_number_that_rounds_to_zero_prints_without_a_sign():
    text = t("abtest.cuped.takeaway", "en", low=-0.00004, high=0.003, change="")
    assert text.startswith("CUPED removed 0.0% to 0.3%")
    assert "-0.0%" not in t("abtest.cuped.takeaway", "zh", low=-0.00004, high=0.003, change="")
