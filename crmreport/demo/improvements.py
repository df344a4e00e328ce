"""The improvements table: service-quality improvement projects."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import Calendar
from .columns import id_column, int_column, stamp_column, table_frame, text_column
from .population import Population
from .vocabulary import STAFF

#: (problem, measure, department)
IMPROVEMENTS = (
    ("slow first response to complaints at weekends", "weekend on-call rota for the service desk", "customer service"),
    ("delivery delays in the Southwest region", "second logistics partner in Chengdu", "logistics"),
    ("invoices issued late", "automated e-invoicing", "finance"),
    ("repeated questions about installation", "installation video library and FAQ", "technical support"),
    ("complaint tickets reassigned several times", "one owner per complaint from opening to closing",
     "customer service"),
    ("key-account visits not logged", "mandatory visit log in the CRM app", "sales"),
    ("low response to e-mail newsletters", "segment-specific newsletter content", "marketing"),
    ("spare parts out of stock", "safety stock for the top 50 spare parts", "supply chain"),
    ("refunds take more than 10 days", "refund within 3 days of receiving the return", "finance"),
    ("new customers not contacted after signing", "day-3 onboarding call checklist", "sales"),
    ("hotline waiting time over 5 minutes at peak hours", "call-back option and extra staff at peak hours",
     "customer service"),
    ("product documentation out of date", "quarterly documentation review", "product"),
    ("churned customers not followed up", "win-back playbook with a 3-day callback", "customer success"),
    ("prices differ between channels", "one price list for all channels", "sales operations"),
    ("training sessions fully booked", "monthly online training sessions", "technical support"),
    ("售后维修周期过长", "增加区域维修网点", "售后服务部"),
    ("投诉处理结果未回访", "投诉关闭后48小时内回访", "客服中心"),
    ("大客户报价响应慢", "建立报价快速通道", "销售部"),
)


def simulate_improvements(rng: np.random.Generator, pop: Population, cal: Calendar) -> pd.DataFrame:
    """10-20 service-quality improvement projects planned from the baseline quarter to 90 days after ``end``."""
    k = int(rng.integers(10, len(IMPROVEMENTS) + 1))
    pick = rng.choice(len(IMPROVEMENTS), k, replace=False)
    first, last = cal.quarter("baseline")[1], cal.days - 1
    planned = first + rng.integers(0, last - first + 90, k)
    done = (planned <= last) & (rng.random(k) < 0.75)
    rows = np.array(IMPROVEMENTS, dtype=object)[pick]
    return table_frame("improvements", {
        "improvement_id": id_column("IMP-", 3, np.arange(1, k + 1)),
        "problem": text_column(rows[:, 0]),
        "customers_affected": int_column(np.maximum(np.round(pop.n * rng.uniform(0.002, 0.05, k)), 1)),
        "measure": text_column(rows[:, 1]),
        "department": text_column(rows[:, 2]),
        "owner": text_column(STAFF, rng.integers(0, len(STAFF), k)),
        "planned_date": stamp_column(cal, planned * 86400),
        "actual_date": stamp_column(cal, np.minimum(planned + rng.integers(-5, 21, k), last) * 86400, ~done),
        "verification_score": int_column(np.array([2, 3, 4, 4, 5, 5])[rng.integers(0, 6, k)], ~done),
    })
