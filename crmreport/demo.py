"""Synthetic, reproducible demo data for the eight contract tables, with its planted truth.

``generate_demo`` samples a customer base of a mixed B2B/B2C firm in China over
``years`` years ending on ``end`` (default window 2023-10-01 .. 2025-09-30) from the
latent model in :mod:`crmreport.demo_truth`; ``write_demo_data`` writes it as CSV or
Parquet plus ``ground_truth.json``. Everything is vectorised with numpy (one million
customers take a few minutes) and the same seed gives byte-identical files.

Ground truth (``DemoData.ground_truth``)
---------------------------------------
generator
    seed, n_customers, start, end, years; ``period`` = the last complete calendar quarter
    ending on or before ``end`` ('2025Q3'), ``baseline`` = the quarter before ('2025Q2');
    ``trailing_12m_start`` = end - 12 months + 1 day.
segments
    {customer_id: nine-box segment}; ``segment_counts`` totals them. Value tier = rank of
    the customer's *latent* trailing-12-month spend (expected gross order amount from the
    planted order rate, trend, seasonality, signup and stop dates and order size): top 20%
    high, next 30% medium, bottom 50% low (ties: older customer first). Potential tier =
    the planted trend of purchase frequency over the trailing 12 months: growing (+1.2 ..
    +2.0 log-spend per year) = high, stable (about 0) = medium, shrinking (-1.2 .. -2.0;
    every dormant and churned customer is shrinking) = low. high x (high, medium, low) =
    core, mature_stable, maintain; medium x ... = growth, regular, observe; low x ... =
    opportunity, low_value_stable, churn_warning.
lifecycle
    {customer_id: stage} as of ``end``; ``lifecycle_counts`` totals them. new = signup
    within 180 days before ``end``; churned = buying, tickets, surveys and inbound contact
    stopped on a day between 60 days after the window start and 30 days before the
    baseline quarter (only win-back contacts go on); dormant = buying stopped in the 150
    days before the baseline quarter, while the customer still answers surveys and some
    contacts; active = the rest. Stage changes end before the baseline quarter, so the
    baseline and period quarters see the same mix apart from new signups.
campaigns
    {campaign_id: channel, start, end, control_arm, eligible, n_assigned per arm, arms
    {arm: response_rate, conversion_rate, revenue_per_converter, revenue_per_customer},
    effects {arm: absolute difference vs control of response_rate, conversion_rate,
    revenue_per_customer}}. Rates are the expected rates over the eligible customers
    (campaign propensity varies by lifecycle stage, identically in every arm); assignment
    is a random permutation split evenly over the arms. SMS-<period> (B2C, control /
    sms_a / sms_b; sms_b has zero effect), CALL-<period> (B2B, control / call, real
    effects), EMAIL-<baseline> (everyone, control / email, zero effect). Only customers
    signed up before the start with a valid phone (e-mail for EMAIL) are eligible.
kpi_changes
    {kpi: before, after, change (= after - before), relative_change, planted_effect,
    unit, definition} for the baseline (before) and period (after) quarters. Values are
    expectations over the event-level randomness given the generated customers, computed
    analytically (ordinal-probit score probabilities, Poisson rates times exposure,
    lognormal mixture medians), not from the sample. Planted from the period on: CSAT and
    NPS latent shifts, complaint ticket rate x0.7, first-response durations x0.75. KPIs
    without a planted effect (AOV, outbound response rate, trust) use the same event
    distributions in both quarters and move only through new signups (under 0.3%); with
    few customers the sample of customers adds noise (AOV about +-1% at 5,000).
quality_issues
    Counts of planted problems, each row carrying at most one: transactions_exact_duplicates
    (extra rows that copy a whole row, transaction_id included, placed right after it),
    surveys_csat_out_of_range (csat = 6), surveys_nps_out_of_range (nps = 11),
    tickets_response_before_opened, customers_invalid_phone (10 digits or a letter O),
    customers_invalid_email (no '@'); plus tasks_feedback_with_phone /
    tasks_feedback_with_email (contact details in free text, for masking). Survey and
    ticket issues sit before the baseline quarter when possible, so the KPI quarters stay clean.
Everything else is valid against the contract: no orphans, no dates after ``end``
except planned dates of tasks and improvements.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from functools import reduce
from itertools import combinations
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crmreport import demo_truth as truth
from crmreport.contract import CANONICAL_DTYPES, TABLES

logger = logging.getLogger("crmreport")
_S = np.dtypes.StringDType()
_CSV_CHUNK = 500_000  # rows converted and written at a time
_STREAMS = ("population", "customers", "transactions", "interactions", "tickets", "surveys", "outreach", "tasks",
            "improvements")


def _pairs(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Alternating 'hanzi pinyin' words as two aligned arrays."""
    words = text.split()
    return np.array(words[0::2], dtype=_S), np.array(words[1::2], dtype=_S)


def _words(text: str, sep: str = " ") -> np.ndarray:
    return np.array(text.split(sep), dtype=_S)


SURNAMES = _pairs("王 Wang 李 Li 张 Zhang 刘 Liu 陈 Chen 杨 Yang 黄 Huang 赵 Zhao 吴 Wu 周 Zhou 徐 Xu 孙 Sun "
                  "马 Ma 朱 Zhu 胡 Hu 郭 Guo 何 He 林 Lin 高 Gao 罗 Luo")
GIVEN_NAMES = _pairs("伟 Wei 芳 Fang 娜 Na 敏 Min 静 Jing 丽 Li 强 Qiang 磊 Lei 洋 Yang 艳 Yan 勇 Yong 军 Jun "
                     "杰 Jie 娟 Juan 涛 Tao 明 Ming 超 Chao 秀英 Xiuying 霞 Xia 平 Ping 刚 Gang 婷 Ting 浩然 Haoran "
                     "子涵 Zihan 欣怡 Xinyi 宇轩 Yuxuan 建国 Jianguo 晓东 Xiaodong 雷 Lei")
BRAND_CHARS = _pairs("华 hua 信 xin 恒 heng 通 tong 新 xin 锐 rui 远 yuan 航 hang 金 jin 桥 qiao 宏 hong 达 da "
                     "博 bo 瑞 rui 丰 feng 天 tian 成 cheng 永 yong 盛 sheng 鼎 ding 汇 hui 智 zhi 启 qi 明 ming "
                     "海 hai 川 chuan 安 an 嘉 jia 联 lian 创 chuang 卓 zhuo 越 yue")
EN_BRANDS = _words("Everbright Goldbridge Sunrise Evergreen Pioneer Unity Silverline Bluewave Summit Harmony "
                   "Greatwall Orient Brightstar Northwind")
#: industry, share of B2B customers, Chinese and (aligned) English company-name words
INDUSTRIES = (
    ("manufacturing", 0.26, "精密制造|机械设备|电子科技|五金工具",
     "Precision Manufacturing|Machinery|Electronics|Tools"),
    ("retail", 0.14, "商贸|百货|零售连锁", "Trading|Department Store|Retail"),
    ("IT services", 0.13, "信息技术|软件|数据科技", "Information Technology|Software|Data Systems"),
    ("healthcare", 0.10, "医疗器械|医药|健康科技", "Medical Devices|Pharmaceutical|Health Tech"),
    ("logistics", 0.11, "物流|供应链管理|运输", "Logistics|Supply Chain|Transport"),
    ("construction", 0.10, "建设工程|建材|装饰工程", "Construction|Building Materials|Interiors"),
    ("education", 0.07, "教育科技|培训", "Education Technology|Training"),
    ("finance", 0.09, "融资租赁|投资管理", "Financial Leasing|Investment"),
)
REGIONS = (("East China", 0.30, "上海 苏州 杭州 南京 宁波"), ("South China", 0.22, "广州 深圳 东莞 佛山 厦门"),
           ("North China", 0.17, "北京 天津 石家庄 太原"), ("Central China", 0.12, "武汉 长沙 郑州 合肥"),
           ("Southwest", 0.10, "成都 重庆 昆明 贵阳"), ("Northwest", 0.04, "西安 兰州 银川"),
           ("Northeast", 0.05, "沈阳 大连 长春 哈尔滨"))
KEY_ACCOUNT_MANAGERS = ("王芳", "李娜", "张伟", "Chen Jing", "刘洋", "Zhou Min", "杨磊", "黄涛")
SERVICE_MANAGERS = ("Zhao Qiang", "吴敏", "Sun Li", "徐静")
STAFF = KEY_ACCOUNT_MANAGERS + SERVICE_MANAGERS
ROLES_ZH = _words("经理 总监 主管 总 采购经理 工程师 采购主管")
ROLES_EN = _words("Manager|Director|Purchasing Manager|Procurement Director|Operations Manager", "|")
MAIL_DOMAINS = _words("163.com qq.com 126.com sina.com outlook.com gmail.com foxmail.com")
TAGS = ("custom product", "technical support", "fast delivery", "training", "price discount", "after-sales service",
        "installation", "bulk purchase", "flexible payment", "new products")
TAG_WEIGHTS = (np.array([2, 5, 25, 2, 30, 20, 5, 1, 5, 5.0]), np.array([18, 18, 12, 10, 10, 10, 7, 7, 5, 3.0]))
TAG_COUNT_SHARES = {1: 0.4, 2: 0.4, 3: 0.2}
CATEGORIES = (("electronics", "home appliances", "apparel", "food & beverage", "beauty & personal care",
               "home & living"),
              ("raw materials", "components", "equipment", "spare parts", "software licences", "maintenance service",
               "consulting"))
CATEGORY_WEIGHTS = ((0.25, 0.15, 0.2, 0.15, 0.1, 0.15), (0.2, 0.25, 0.15, 0.15, 0.08, 0.12, 0.05))
SALES_CHANNELS = ("online", "offline store", "distributor", "direct sales")
SALES_CHANNEL_WEIGHTS = ((0.6, 0.35, 0.05, 0.0), (0.2, 0.0, 0.3, 0.5))
INBOUND_CHANNELS = ("phone", "email", "im", "app", "visit")
INBOUND_CHANNEL_WEIGHTS = ((0.25, 0.08, 0.35, 0.25, 0.07), (0.40, 0.20, 0.25, 0.05, 0.10))
SENTIMENT_WEIGHTS = {"responded": (0.1, 0.5, 0.4), "consultation": (0.1, 0.6, 0.3), "suggestion": (0.2, 0.5, 0.3),
                     "complaint": (0.85, 0.15, 0.0)}
SERVICE_CATEGORIES = (("technical support", "technical support", 0.3), ("delivery inquiry", "logistics", 0.2),
                      ("installation", "after-sales service", 0.15), ("billing", "finance", 0.1),
                      ("returns", "customer service", 0.1), ("product information", "sales", 0.15))
RESOLUTION_MEDIAN_H = np.array([6.0, 20.0, 40.0, 72.0])
#: activity by hour of day (0-23): purchases, company-initiated contacts, customer-initiated contacts
HOURS = {"purchase": np.array([1, 0.5, 0.3, 0.2, 0.2, 0.3, 1, 2, 4, 7, 9, 9, 7, 7, 8, 8, 7, 6, 5, 6, 8, 9, 7, 3.0]),
         "outbound": np.array([0] * 9 + [8, 10, 10, 5, 6, 10, 10, 9, 7, 2] + [0] * 5, dtype=float),
         "inbound": np.array([0.2] * 8 + [3, 8, 10, 10, 7, 8, 10, 10, 9, 7, 5, 4, 3, 2] + [0.5] * 2)}


def _choice(rng: np.random.Generator, weights: tuple[float, ...] | np.ndarray, n: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), n, p=p / p.sum())


def _by_type(rng: np.random.Generator, b2b: np.ndarray, weights: tuple) -> np.ndarray:
    """One draw per row from the B2C or the B2B distribution of ``weights`` (a pair)."""
    return np.where(b2b, _choice(rng, weights[1], len(b2b)), _choice(rng, weights[0], len(b2b)))


def _text(values: np.ndarray | tuple, codes: np.ndarray | None = None, missing: np.ndarray | None = None) -> pd.Series:
    """A canonical "str" column: ``values`` (or ``values[codes]``), empty where ``missing``."""
    arr = pa.array(np.asarray(values).astype(object))
    if codes is not None:
        arr = arr.take(pa.array(codes))
    if missing is not None:
        arr = pa.array(arr.to_numpy(zero_copy_only=False), mask=missing)
    return pd.Series(arr, dtype="str")


def _ids(prefix: str, width: int, numbers: np.ndarray) -> pd.Series:
    """Identifiers like ``T00000042``, zero-padded to at least ``width`` digits."""
    width = max(width, len(str(int(numbers.max(initial=0)))))
    digits = pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width, "0")
    return pd.Series(pc.binary_join_element_wise(prefix, digits, ""), dtype="str")


def _clock(rng: np.random.Generator, n: int, hours: str) -> np.ndarray:
    """Seconds after midnight, hours drawn from the activity profile ``hours``."""
    return _choice(rng, HOURS[hours], n) * 3600 + rng.integers(0, 3600, n)


def _stamps(cal: truth.Calendar, seconds: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    """datetime64[ns] from seconds after the window's first midnight."""
    values = np.datetime64(cal.start, "s") + seconds.astype("timedelta64[s]")
    if missing is not None:
        values = np.where(missing, np.datetime64("NaT"), values)
    return pd.Series(values.astype("datetime64[ns]"))


def _ints(values: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    return pd.Series(pd.arrays.IntegerArray(values.astype(np.int64), np.zeros(len(values), bool)
                                            if missing is None else missing))


def _bools(values: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    return pd.Series(pd.arrays.BooleanArray(values.astype(bool), np.zeros(len(values), bool)
                                            if missing is None else missing))


def _frame(name: str, columns: dict[str, pd.Series]) -> pd.DataFrame:
    """The table ``name`` in contract column order with canonical dtypes."""
    spec = TABLES[name]
    frame = pd.DataFrame({c: columns[c].reset_index(drop=True) for c in spec.column_names})
    return frame.astype({c.name: CANONICAL_DTYPES[c.kind] for c in spec.columns})


def _events(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, per_day: np.ndarray,
            split: int | None = None, factor: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Poisson events on the days ``[lo, hi)`` of every customer: (customer index, day).

    From day ``split`` on the rate is multiplied by ``factor``.
    """
    pieces = [(lo, hi, per_day)] if split is None else [
        (lo, np.minimum(hi, split), per_day), (np.maximum(lo, split), hi, per_day * factor)]
    customers, days = [], []
    for a, b, rate in pieces:
        length = np.clip(b - a, 0, None)
        who = np.repeat(np.arange(len(a)), rng.poisson(rate * length))
        customers.append(who)
        days.append(a[who] + (rng.random(len(who)) * length[who]).astype(np.int64))
    return np.concatenate(customers), np.concatenate(days)


def _join(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise concatenation of string arrays and constants."""
    return reduce(np.strings.add, parts)


def _in_group(rng: np.random.Generator, groups: list[list[str]], group: np.ndarray) -> np.ndarray:
    """Per row, a uniform random position in the flattened list of its group's words."""
    sizes = np.array([len(g) for g in groups])
    return (np.cumsum(sizes) - sizes)[group] + (rng.random(len(group)) * sizes[group]).astype(np.int64)


def _need_tags(rng: np.random.Generator, b2b: np.ndarray) -> pd.Series:
    """1-3 need tags per customer ('; '-joined, B2B and B2C weight them differently), 3% empty."""
    combos = [c for k in TAG_COUNT_SHARES for c in combinations(range(len(TAGS)), k)]
    sizes = np.array([len(c) for c in combos])
    codes = np.empty(len(b2b), dtype=np.int64)
    for kind in (0, 1):
        weights = np.array([np.prod(TAG_WEIGHTS[kind][list(c)]) for c in combos])
        for k, share in TAG_COUNT_SHARES.items():
            weights[sizes == k] *= share / weights[sizes == k].sum()
        rows = np.flatnonzero(b2b == bool(kind))
        codes[rows] = _choice(rng, weights, len(rows))
    return _text(tuple("; ".join(TAGS[i] for i in c) for c in combos), codes, missing=rng.random(len(b2b)) < 0.03)


def _phones(rng: np.random.Generator, bad: np.ndarray) -> np.ndarray:
    """Chinese mobile numbers; the ``bad`` ones lose a digit or end in the letter O."""
    n = len(bad)
    number = 10**10 + (3 + _choice(rng, (30, 4, 25, 3, 10, 25, 8), n)) * 10**9 + rng.integers(0, 10**9, n)
    short = (number // 10).astype(_S)
    return np.where(bad, np.where(rng.random(n) < 0.5, short, _join(short, "O")), number.astype(_S))


def _customers(rng: np.random.Generator, pop: truth.Population,
               cal: truth.Calendar) -> tuple[pd.DataFrame, np.ndarray]:
    """The customers table and each customer's account manager (index into STAFF)."""
    n, b2b = pop.n, pop.b2b
    surname = _choice(rng, 1 / (np.arange(len(SURNAMES[0])) + 3), n)
    given = rng.integers(0, len(GIVEN_NAMES[0]), n)
    person = np.where(rng.random(n) < 0.2, _join(SURNAMES[1][surname], " ", GIVEN_NAMES[1][given]),
                      _join(SURNAMES[0][surname], GIVEN_NAMES[0][given]))
    industry = _choice(rng, [i[1] for i in INDUSTRIES], n)
    region = _choice(rng, [r[1] for r in REGIONS], n)
    cities = [r[2].split() for r in REGIONS]
    city = np.array(sum(cities, []), dtype=_S)[_in_group(rng, cities, region)]
    zh_words, en_words = ([i[k].split("|") for i in INDUSTRIES] for k in (2, 3))
    word = _in_group(rng, zh_words, industry)
    first = rng.integers(0, len(BRAND_CHARS[0]), n)
    second = (first + rng.integers(1, len(BRAND_CHARS[0]), n)) % len(BRAND_CHARS[0])
    brand = EN_BRANDS[rng.integers(0, len(EN_BRANDS), n)]
    english = rng.random(n) < 0.15
    suffix = np.where(rng.random(n) < 0.8, "有限公司", "股份有限公司").astype(_S)
    company = np.where(english, _join(brand, " ", np.array(sum(en_words, []), dtype=_S)[word], " Co., Ltd."),
                       _join(city, BRAND_CHARS[0][first], BRAND_CHARS[0][second],
                             np.array(sum(zh_words, []), dtype=_S)[word], suffix))
    contact = np.where(english | (rng.random(n) < 0.25),
                       _join(ROLES_EN[rng.integers(0, len(ROLES_EN), n)], " ", SURNAMES[1][surname]),
                       _join(SURNAMES[0][surname], ROLES_ZH[rng.integers(0, len(ROLES_ZH), n)]))
    domain = np.where(english, _join(np.strings.lower(brand), ".com"),
                      _join(BRAND_CHARS[1][first], BRAND_CHARS[1][second], ".com.cn"))
    mailbox = np.where(rng.random(n) < 0.6, np.strings.lower(SURNAMES[1][surname]),
                       _words("purchasing info sales")[rng.integers(0, 3, n)])
    digits = np.where(rng.random(n) < 0.5, rng.integers(1, 100, n).astype(_S), "")
    private = np.where(rng.random(n) < 0.3, _join(rng.integers(10**5, 10**10, n).astype(_S), "@qq.com"),
                       _join(np.strings.lower(_join(SURNAMES[1][surname], GIVEN_NAMES[1][given])), digits, "@",
                             MAIL_DOMAINS[rng.integers(0, len(MAIL_DOMAINS), n)]))
    email = np.where(b2b, _join(mailbox, "@", domain), private)
    email = np.where(pop.email_bad, np.strings.replace(email, "@", np.where(rng.random(n) < 0.5, "", ".")), email)
    manager = np.where(b2b, _choice(rng, (3, 3, 3, 2, 2, 2, 1, 1), n),
                       len(KEY_ACCOUNT_MANAGERS) + rng.integers(0, len(SERVICE_MANAGERS), n))
    frame = _frame("customers", {
        "customer_id": _ids("C", 6, np.arange(1, n + 1)),
        "name": _text(np.where(b2b, company, person)),
        "customer_type": _text(("B2C", "B2B"), b2b.astype(int)),
        "industry": _text(tuple(i[0] for i in INDUSTRIES) + ("consumer",), np.where(b2b, industry, len(INDUSTRIES))),
        "size_tier": _text(("large", "medium", "small", ""), pop.size, missing=~b2b),
        "region": _text(tuple(r[0] for r in REGIONS), region),
        "signup_date": _stamps(cal, pop.signup * 86400),
        "account_manager": _text(STAFF, manager),
        "contact_name": _text(np.where(b2b, contact, person)),
        "phone": _text(_phones(rng, pop.phone_bad)),
        "email": _text(email),
        "need_tags": _need_tags(rng, b2b),
    })
    return frame, manager


def _ref(ids: pa.Array, rows: np.ndarray) -> pd.Series:
    """The ids of ``rows`` (a foreign-key column)."""
    return pd.Series(ids.take(pa.array(rows)), dtype="str")


def _transactions(rng: np.random.Generator, pop: truth.Population, cal: truth.Calendar,
                  ids: pa.Array) -> tuple[pd.DataFrame, int]:
    """Orders and refunds: Poisson counts per customer and month, lognormal amounts; planted duplicates."""
    n = pop.n
    who, days = [], []
    for k, month in enumerate(cal.months()):
        lo, length, _ = truth.month_exposure(pop.active_from, pop.stop, pop.growth, month, cal.t12_day)
        rows = np.repeat(np.arange(n), rng.poisson(pop.orders[:, k]))
        who.append(rows)
        days.append(lo[rows] + (rng.random(len(rows)) * length[rows]).astype(np.int64))
    first = np.flatnonzero((pop.signup >= 0) & (rng.random(n) < truth.FIRST_ORDER_P))
    cust, day = np.concatenate([*who, first]), np.concatenate([*days, pop.signup[first]])
    seconds = day * 86400 + _clock(rng, len(cust), "purchase")
    order = np.lexsort((cust, seconds))
    cust, seconds, m = cust[order], seconds[order], len(order)
    amount = np.round(np.exp(pop.mu[cust] + truth.AMOUNT_SIGMA * rng.standard_normal(m)), 2)
    refund = rng.random(m) < truth.REFUND_SHARE
    amount = np.where(refund, -np.maximum(np.round(amount * rng.uniform(0.3, 1.0, m), 2), 0.01), amount)
    b2b = pop.b2b[cust]
    favourite = _by_type(rng, pop.b2b, CATEGORY_WEIGHTS)[cust]
    category = np.where(rng.random(m) < 0.65, favourite, _by_type(rng, b2b, CATEGORY_WEIGHTS))
    favourite = _by_type(rng, pop.b2b, SALES_CHANNEL_WEIGHTS)[cust]
    channel = np.where(rng.random(m) < 0.8, favourite, _by_type(rng, b2b, SALES_CHANNEL_WEIGHTS))
    duplicates = rng.choice(m, round(0.003 * m), replace=False)
    rows = np.sort(np.concatenate([np.arange(m), duplicates]))
    frame = _frame("transactions", {
        "transaction_id": _ids("T", 8, rows + 1),
        "customer_id": _ref(ids, cust[rows]),
        "transaction_date": _stamps(cal, seconds[rows]),
        "amount": pd.Series(amount[rows]),
        "product_category": _text(CATEGORIES[0] + CATEGORIES[1], (category + b2b * len(CATEGORIES[0]))[rows]),
        "channel": _text(SALES_CHANNELS, channel[rows]),
    })
    return frame, len(duplicates)


def _tickets(rng: np.random.Generator, pop: truth.Population, cal: truth.Calendar,
             ids: pa.Array) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, int]:
    """Complaints and service requests with lognormal response and resolution times.

    Returns the table, the customer and opening second of every complaint, and the planted issue count.
    """
    n, period = pop.n, cal.quarter("period")[1]
    cust, day, complaint = [], [], []
    for is_complaint in (True, False):
        during, later = truth.ticket_rates(pop, is_complaint)
        factor = truth.COMPLAINT_FACTOR if is_complaint else 1.0
        for lo, hi, rate in ((pop.active_from, pop.stop, during), (pop.stop, np.full(n, cal.days), later)):
            c, d = _events(rng, lo, hi, rate, period, factor)
            cust.append(c)
            day.append(d)
            complaint.append(np.full(len(c), is_complaint))
    cust, day, complaint = np.concatenate(cust), np.concatenate(day), np.concatenate(complaint)
    opened = day * 86400 + _clock(rng, len(cust), "inbound")
    order = np.lexsort((cust, opened))
    cust, day, complaint, opened, m = cust[order], day[order], complaint[order], opened[order], len(order)
    priority = np.where(complaint, _choice(rng, truth.COMPLAINT_PRIORITY, m), _choice(rng, truth.SERVICE_PRIORITY, m))
    hours = truth.FIRST_RESPONSE_MEDIAN_H[priority] * np.where(day >= period, truth.FIRST_RESPONSE_FACTOR, 1.0) \
        * np.exp(truth.FIRST_RESPONSE_SIGMA[priority] * rng.standard_normal(m))
    first = opened + np.maximum(np.round(hours * 3600), 60).astype(np.int64)
    to_solve = RESOLUTION_MEDIAN_H[priority] * np.exp(rng.standard_normal(m))
    resolved = first + np.round(to_solve * 3600).astype(np.int64)
    horizon = cal.days * 86400
    unanswered = first >= horizon
    still_open = (resolved >= horizon) | (rng.random(m) < 0.03)
    service = _choice(rng, [w for *_, w in SERVICE_CATEGORIES], m) + 1
    topic = np.where(complaint, 0, service)
    latent = pop.mood[cust] - 0.35 * np.log(np.maximum(hours + to_solve, 1) / 24) - 0.4 * complaint \
        + rng.standard_normal(m)
    satisfaction = 1 + np.searchsorted(truth.SURVEY_ITEMS["csat"][1], latent)
    candidates = np.flatnonzero(~unanswered & (day >= 3) & (day < cal.quarter("baseline")[1]))
    if len(candidates) < 3:
        candidates = np.flatnonzero(~unanswered & (day >= 3))
    bad = rng.choice(candidates, min(max(3, round(0.001 * m)), len(candidates)), replace=False)
    first[bad] = 2 * opened[bad] - first[bad]
    frame = _frame("tickets", {
        "ticket_id": _ids("TK", 7, np.arange(1, m + 1)),
        "customer_id": _ref(ids, cust),
        "opened_at": _stamps(cal, opened),
        "first_response_at": _stamps(cal, first, unanswered),
        "resolved_at": _stamps(cal, resolved, unanswered | still_open),
        "priority": _text(truth.PRIORITIES, priority),
        "category": _text(("complaint",) + tuple(c for c, *_ in SERVICE_CATEGORIES), topic),
        "department": _text(("customer service",) + tuple(d for _, d, _ in SERVICE_CATEGORIES), topic),
        "satisfaction": _ints(satisfaction, unanswered | still_open | (rng.random(m) < 0.35)),
    })
    return frame, cust[complaint], opened[complaint], len(bad)


INTERACTION_CHANNELS = TABLES["interactions"].column("channel").choices
INTERACTION_TYPES = TABLES["interactions"].column("interaction_type").choices


def _interactions(rng: np.random.Generator, pop: truth.Population, cal: truth.Calendar, ids: pa.Array,
                  complaint_cust: np.ndarray, complaint_at: np.ndarray) -> pd.DataFrame:
    """Outbound contacts (segment-dependent response), inbound consultations and suggestions, complaint calls."""
    n, kinds = pop.n, truth.OUTBOUND_KINDS
    to_end = np.full(n, cal.days)
    rate, p, rate_after, p_after = truth.outbound_rates(pop)
    c1, d1 = _events(rng, pop.active_from, pop.stop, rate)
    c2, d2 = _events(rng, pop.stop, to_end, rate_after)
    out = np.concatenate([c1, c2])
    kind = _by_type(rng, pop.b2b[out], (tuple(k[2] for k in kinds), tuple(k[3] for k in kinds)))
    responded = rng.random(len(out)) < np.concatenate([p[c1], p_after[c2]]) * np.array([k[4] for k in kinds])[kind]
    in_rate, in_after = truth.inbound_rates(pop)
    c3, d3 = _events(rng, pop.active_from, pop.stop, in_rate)
    c4, d4 = _events(rng, pop.stop, to_end, in_after)
    inbound = np.concatenate([c3, c4])
    suggestion = rng.random(len(inbound)) < 0.15
    n_out, n_in, n_complaint = len(out), len(inbound), len(complaint_cust)

    cust = np.concatenate([out, inbound, complaint_cust])
    seconds = np.concatenate([np.concatenate([d1, d2]) * 86400 + _clock(rng, n_out, "outbound"),
                              np.concatenate([d3, d4]) * 86400 + _clock(rng, n_in, "inbound"), complaint_at])
    in_channel = _by_type(rng, pop.b2b[np.concatenate([inbound, complaint_cust])], INBOUND_CHANNEL_WEIGHTS)
    channel = np.concatenate([np.array([INTERACTION_CHANNELS.index(k[1]) for k in kinds])[kind],
                              np.array([INTERACTION_CHANNELS.index(c) for c in INBOUND_CHANNELS])[in_channel]])
    itype = np.concatenate([np.array([INTERACTION_TYPES.index(k[0]) for k in kinds])[kind],
                            np.where(suggestion, INTERACTION_TYPES.index("suggestion"),
                                     INTERACTION_TYPES.index("consultation")),
                            np.full(n_complaint, INTERACTION_TYPES.index("complaint"))])
    mood = np.concatenate([np.zeros(n_out, int), np.where(suggestion, 2, 1), np.full(n_complaint, 3)])
    cumulative = np.cumsum(np.array(list(SENTIMENT_WEIGHTS.values())), axis=1)
    sentiment = (rng.random(len(cust))[:, None] > cumulative[mood]).sum(axis=1) - 1
    no_answer = np.concatenate([~responded, np.zeros(n_in + n_complaint, bool)])
    order = np.lexsort((cust, seconds))
    return _frame("interactions", {
        "interaction_id": _ids("I", 8, np.arange(1, len(cust) + 1)),
        "customer_id": _ref(ids, cust[order]),
        "interaction_time": _stamps(cal, seconds[order]),
        "channel": _text(INTERACTION_CHANNELS, channel[order]),
        "direction": _text(("outbound", "inbound"), (np.arange(len(cust)) >= n_out)[order].astype(int)),
        "interaction_type": _text(INTERACTION_TYPES, itype[order]),
        "responded": _bools(np.concatenate([responded, np.zeros(n_in + n_complaint, bool)])[order],
                            (np.arange(len(cust)) >= n_out)[order]),
        "sentiment": _ints(sentiment[order], (no_answer | (rng.random(len(cust)) < 0.1))[order]),
    })


def _surveys(rng: np.random.Generator, pop: truth.Population, cal: truth.Calendar,
             ids: pa.Array) -> tuple[pd.DataFrame, int, int]:
    """Quarterly survey answers (ordinal probit scores); planted csat 6 / nps 11 rows."""
    period, baseline = cal.quarter("period")[1], cal.quarter("baseline")[1]
    who, days = [], []
    for a, b in cal.quarters():
        lo, length, eligible = truth.survey_window(pop, a, b)
        rows = np.flatnonzero(eligible & (rng.random(pop.n) < truth.survey_propensity(pop)))
        who.append(rows)
        days.append(lo[rows] + (rng.random(len(rows)) * length[rows]).astype(np.int64))
    cust, day = np.concatenate(who), np.concatenate(days)
    seconds = day * 86400 + _clock(rng, len(cust), "inbound")
    order = np.lexsort((cust, seconds))
    cust, day, seconds, m = cust[order], day[order], seconds[order], len(order)
    shared = rng.standard_normal(m)
    scores, missing = {}, {}
    for item, (lowest, cuts, _) in truth.SURVEY_ITEMS.items():
        latent = np.where(day >= period, truth.survey_latent(pop, item, True)[cust],
                          truth.survey_latent(pop, item, False)[cust])
        scores[item] = lowest + np.searchsorted(cuts, latent + 0.6 * shared + 0.8 * rng.standard_normal(m))
        missing[item] = rng.random(m) < truth.SURVEY_MISSING[item]
    complete = ~missing["csat"] & ~missing["nps"]
    candidates = np.flatnonzero(complete & (day < baseline))
    if len(candidates) < 3:
        candidates = np.flatnonzero(complete)
    bad = rng.choice(candidates, min(max(3, round(0.001 * m)), len(candidates)), replace=False)
    csat_bad, nps_bad = bad[: (len(bad) + 1) // 2], bad[(len(bad) + 1) // 2:]
    scores["csat"][csat_bad], scores["nps"][nps_bad] = 6, 11
    frame = _frame("surveys", {
        "survey_id": _ids("S", 7, np.arange(1, m + 1)),
        "customer_id": _ref(ids, cust),
        "response_time": _stamps(cal, seconds),
        **{item: _ints(scores[item], missing[item]) for item in truth.SURVEY_ITEMS},
    })
    return frame, len(csat_bad), len(nps_bad)


def _outreach(rng: np.random.Generator, pop: truth.Population, cal: truth.Calendar,
              ids: pa.Array) -> tuple[pd.DataFrame, dict]:
    """The randomised campaigns of :data:`crmreport.demo_truth.CAMPAIGNS` and their truth."""
    frames, campaigns = [], {}
    for spec in truth.CAMPAIGNS:
        label, first, after = cal.quarter(spec.quarter)
        start = first + spec.start_offset_days
        eligible = truth.campaign_eligible(pop, spec, start)
        who = np.flatnonzero(eligible)
        k = len(who)
        arm = rng.permutation(k) % len(spec.arms)
        responded = rng.random(k) < np.array([a.response for a in spec.arms])[arm] \
            * truth.CAMPAIGN_LIFE_FACTOR[pop.life[who]]
        converted = responded & (rng.random(k) < np.array([a.convert_given_response for a in spec.arms])[arm])
        revenue = np.array([a.revenue_median for a in spec.arms])[arm] * np.exp(spec.revenue_sigma
                                                                                * rng.standard_normal(k))
        campaign_id = f"{spec.prefix}-{label}"
        frames.append(_frame("outreach", {
            "campaign_id": _text(np.full(k, campaign_id)),
            "customer_id": _ref(ids, who),
            "arm": _text(tuple(a.name for a in spec.arms), arm),
            "assigned_at": _stamps(cal, (start + rng.integers(0, 3, k)) * 86400 + _clock(rng, k, "outbound")),
            "channel": _text(np.full(k, spec.channel)),
            "responded": _bools(responded),
            "converted": _bools(converted),
            "revenue": pd.Series(np.where(converted, np.round(revenue, 2), 0.0)),
        }))
        contact = "e-mail" if spec.channel == "email" else "phone"
        campaigns[campaign_id] = {
            "channel": spec.channel, "quarter": label,
            "start": cal.date(start).isoformat(),
            "end": cal.date(after - 1).isoformat(),
            "control_arm": spec.arms[0].name,
            "eligible": f"{spec.customers} customers signed up before the start with a valid {contact}",
            "n_assigned": {a.name: int((arm == i).sum()) for i, a in enumerate(spec.arms)},
            **truth.campaign_truth(pop, spec, eligible),
        }
    return pd.concat(frames, ignore_index=True), campaigns


#: (segment, or "new" for signups in the two quarters; strategy; owner role or None = account manager; schedule)
TASK_PLANS = (
    ("core", "monthly proactive call", None, "monthly"),
    ("core", "quarterly executive review", None, "quarterly"),
    ("mature_stable", "quarterly proactive visit", None, "quarterly"),
    ("maintain", "bi-monthly service review call", None, "bimonthly"),
    ("growth", "quarterly customer salon invitation", "marketing team", "quarterly"),
    ("growth", "needs survey every 6 months", "marketing team", "once"),
    ("observe", "quarterly check-in e-mail", "inside sales team", "quarterly"),
    ("churn_warning", "win-back call within 3 days", "customer success team", 3),
    ("churn_warning", "welcome-back pack (20% off voucher + service promise)", "customer success team", 10),
    ("churn_warning", "track repurchase for 30 days", "customer success team", 33),
    ("new", "day-3 onboarding call", None, "signup"),
)
TASK_STATUS = TABLES["tasks"].column("status").choices
FEEDBACK = ("satisfied with the service", "asked for a quotation for the new product line",
            "wants faster delivery", "prefers e-mail over phone calls", "interested in the training programme",
            "unhappy about the price increase", "客户对服务表示满意", "希望增加技术培训", "要求缩短交货周期",
            "对新产品感兴趣", "happy with the account manager", "no clear feedback, will follow up")
PHONE_FEEDBACK = ("call me at {}", "请打我手机{}", "new contact number {}, please update")
PROBLEMS = ("customer not reachable", "decision maker changed", "budget frozen until next quarter",
            "waiting for the product team", "price objection", "联系人离职", "客户暂停采购",
            "delivery delay raised again")
#: next actions after a done task, then after an open one
NEXT_ACTIONS = (("schedule the next follow-up", "send quotation", "invite to customer salon",
                 "share product white paper", "安排下次回访"),
                ("call again next week", "escalate to team lead", "reschedule the visit",
                 "try another contact person", "重新安排拜访"))


def _planned_days(rng: np.random.Generator, schedule: str | int, who: np.ndarray, pop: truth.Population,
                  months: list[int], quarters: list[int], trigger: np.ndarray) -> list[np.ndarray]:
    """Planned days of one plan for the customers ``who``, one array per occurrence."""
    k = len(who)
    if isinstance(schedule, int):  # days after the customer's churn-warning trigger
        return [trigger[who] + schedule]
    if schedule == "signup":
        return [pop.signup[who] + 3]
    if schedule == "once":
        return [quarters[0] + rng.integers(0, months[-1] - quarters[0], k)]
    if schedule == "quarterly":
        return [q + rng.integers(0, 60, k) for q in quarters]
    return [m + rng.integers(0, 28, k) for m in (months if schedule == "monthly" else months[0:6:2])]


def _tasks(rng: np.random.Generator, pop: truth.Population, cal: truth.Calendar, ids: pa.Array,
           manager: np.ndarray) -> tuple[pd.DataFrame, int, int]:
    """Strategy execution tasks planned in the baseline and period quarters (and a few beyond ``end``)."""
    first, period, after = cal.quarter("baseline")[1], cal.quarter("period")[1], cal.quarter("period")[2]
    months = [m[0] for m in cal.months() if first <= m[0] < after] + [after]  # and the month after
    trigger = first + (rng.random(pop.n) * (after - first)).astype(np.int64)
    roles = sorted({owner for _, _, owner, _ in TASK_PLANS if owner})
    parts = []
    for plan, (key, _, owner, schedule) in enumerate(TASK_PLANS):
        if key == "new":
            who = np.flatnonzero((pop.signup >= first) & (pop.signup < after))
        else:
            who = np.flatnonzero(pop.segment == truth.SEGMENTS.index(key))
        owner_code = manager[who] if owner is None else np.full(len(who), len(STAFF) + roles.index(owner))
        parts += [(who, day, np.full(len(who), plan), owner_code)
                  for day in _planned_days(rng, schedule, who, pop, months, [first, period], trigger)]
    cust, planned, plan, owner = (np.concatenate(x) for x in zip(*parts, strict=True))
    keep = np.flatnonzero(planned >= pop.signup[cust])
    order = keep[np.lexsort((plan[keep], cust[keep], planned[keep]))]
    cust, planned, plan, owner, m = cust[order], planned[order], plan[order], owner[order], len(order)
    last = cal.days - 1
    future, u = planned > last, rng.random(m)
    done_share = np.where(owner < len(STAFF), 0.8, 0.7)  # account managers finish more often than teams
    code = {name: i for i, name in enumerate(TASK_STATUS)}
    status = np.select([future & (u < 0.85), future, u < done_share, u < done_share + 0.06, u < done_share + 0.16],
                       [code["not_started"], code["in_progress"], code["done"], code["in_progress"], code["delayed"]],
                       code["not_started"])
    done = status == code["done"]
    delay = np.array([-2, -1, 0, 0, 0, 1, 1, 2, 3, 5, 8, 14])[rng.integers(0, 12, m)]
    actual = np.minimum(planned + delay, last)
    feedback = np.array(FEEDBACK, dtype=object)[rng.integers(0, len(FEEDBACK), m)]
    feedback[rng.random(m) >= np.where(done, 0.75, 0.15)] = None
    n_phone, n_email = min(max(2, round(0.002 * m)), m // 2), min(max(2, round(0.001 * m)), m // 2)
    planted = rng.choice(m, n_phone + n_email, replace=False)
    for i, row in enumerate(planted):
        if i < n_phone:
            number = f"1{rng.choice([3, 5, 8, 9])}{int(rng.integers(0, 10**9)):09d}"
            feedback[row] = PHONE_FEEDBACK[i % len(PHONE_FEEDBACK)].format(number)
        else:
            mailbox = str(SURNAMES[1][rng.integers(0, len(SURNAMES[1]))]).lower()
            feedback[row] = f"please send the quotation to {mailbox}{int(rng.integers(10, 100))}@163.com"
    problem = np.where(rng.random(m) < np.where(done, 0.15, 0.7), rng.integers(0, len(PROBLEMS), m), -1)
    action = rng.integers(0, len(NEXT_ACTIONS[0]), m) + np.where(done, 0, len(NEXT_ACTIONS[0]))
    frame = _frame("tasks", {
        "task_id": _ids("TASK-", 6, np.arange(1, m + 1)),
        "customer_id": _ref(ids, cust),
        "strategy": _text(tuple(p[1] for p in TASK_PLANS), plan),
        "owner": _text(STAFF + tuple(roles), owner),
        "planned_date": _stamps(cal, planned * 86400),
        "actual_date": _stamps(cal, actual * 86400, ~done),
        "status": _text(TASK_STATUS, status),
        "feedback": _text(feedback, missing=pd.isna(feedback)),
        "problem": _text(PROBLEMS, np.maximum(problem, 0), missing=problem < 0),
        "next_action": _text(NEXT_ACTIONS[0] + NEXT_ACTIONS[1], action, missing=rng.random(m) < 0.1),
    })
    return frame, n_phone, n_email


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


def _improvements(rng: np.random.Generator, pop: truth.Population, cal: truth.Calendar) -> pd.DataFrame:
    """10-20 service-quality improvement projects planned from the baseline quarter to 90 days after ``end``."""
    k = int(rng.integers(10, len(IMPROVEMENTS) + 1))
    pick = rng.choice(len(IMPROVEMENTS), k, replace=False)
    first, last = cal.quarter("baseline")[1], cal.days - 1
    planned = first + rng.integers(0, last - first + 90, k)
    done = (planned <= last) & (rng.random(k) < 0.75)
    rows = np.array(IMPROVEMENTS, dtype=object)[pick]
    return _frame("improvements", {
        "improvement_id": _ids("IMP-", 3, np.arange(1, k + 1)),
        "problem": _text(rows[:, 0]),
        "customers_affected": _ints(np.maximum(np.round(pop.n * rng.uniform(0.002, 0.05, k)), 1)),
        "measure": _text(rows[:, 1]),
        "department": _text(rows[:, 2]),
        "owner": _text(STAFF, rng.integers(0, len(STAFF), k)),
        "planned_date": _stamps(cal, planned * 86400),
        "actual_date": _stamps(cal, np.minimum(planned + rng.integers(-5, 21, k), last) * 86400, ~done),
        "verification_score": _ints(np.array([2, 3, 4, 4, 5, 5])[rng.integers(0, 6, k)], ~done),
    })


@dataclass(frozen=True)
class DemoData:
    """The eight contract tables and the truth planted in them (JSON-serialisable)."""

    tables: dict[str, pd.DataFrame]
    ground_truth: dict


def _rounded(value: object) -> object:
    """``value`` with every float rounded to 6 decimals; NaN (no data to define a KPI) becomes None."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else round(float(value), 6)
    return value


def generate_demo(n_customers: int = 5000, seed: int = 7, end: date = date(2025, 9, 30), years: int = 2) -> DemoData:
    """Generate the demo tables and their ground truth.

    Parameters
    ----------
    n_customers : int
        Number of customers (about 11 transactions each over two years).
    seed : int
        Random seed; the same seed gives identical tables.
    end : datetime.date
        Last day of the data.
    years : int
        Length of the window in years; it starts on ``end`` minus ``years`` years plus one day.

    Returns
    -------
    DemoData
        ``tables`` keyed by contract table name, ``ground_truth`` as described in the module docstring.
    """
    if n_customers < 1:
        raise ValueError(f"n_customers={n_customers}: the demo needs at least one customer")
    cal = truth.Calendar.make(end, years)
    rngs = dict(zip(_STREAMS, (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(_STREAMS))),
                    strict=True))
    pop = truth.draw_population(rngs["population"], n_customers, cal)
    customers, manager = _customers(rngs["customers"], pop, cal)
    ids = pa.array(customers["customer_id"])
    transactions, n_duplicates = _transactions(rngs["transactions"], pop, cal, ids)
    tickets, complaint_cust, complaint_at, n_early = _tickets(rngs["tickets"], pop, cal, ids)
    surveys, n_csat, n_nps = _surveys(rngs["surveys"], pop, cal, ids)
    outreach, campaigns = _outreach(rngs["outreach"], pop, cal, ids)
    tasks, n_phone, n_email = _tasks(rngs["tasks"], pop, cal, ids, manager)
    tables = {
        "customers": customers, "transactions": transactions,
        "interactions": _interactions(rngs["interactions"], pop, cal, ids, complaint_cust, complaint_at),
        "surveys": surveys, "tickets": tickets, "outreach": outreach, "tasks": tasks,
        "improvements": _improvements(rngs["improvements"], pop, cal),
    }
    customer_ids = customers["customer_id"].tolist()
    (baseline, b_first, b_after), (period, p_first, p_after) = cal.quarter("baseline"), cal.quarter("period")
    ground_truth = {
        "generator": {
            "seed": seed, "n_customers": n_customers, "start": cal.start.isoformat(), "end": end.isoformat(),
            "years": years, "period": period, "baseline": baseline,
            "baseline_start": cal.date(b_first).isoformat(), "baseline_end": cal.date(b_after - 1).isoformat(),
            "period_start": cal.date(p_first).isoformat(), "period_end": cal.date(p_after - 1).isoformat(),
            "trailing_12m_start": cal.date(cal.t12_day).isoformat(),
        },
        "segments": dict(zip(customer_ids, np.array(truth.SEGMENTS)[pop.segment].tolist(), strict=True)),
        "segment_counts": {s: int((pop.segment == i).sum()) for i, s in enumerate(truth.SEGMENTS)},
        "lifecycle": dict(zip(customer_ids, np.array(truth.LIFECYCLES)[pop.life].tolist(), strict=True)),
        "lifecycle_counts": {s: int((pop.life == i).sum()) for i, s in enumerate(truth.LIFECYCLES)},
        "campaigns": campaigns,
        "kpi_changes": truth.kpi_truth(pop, cal),
        "quality_issues": {
            "transactions_exact_duplicates": n_duplicates, "surveys_csat_out_of_range": n_csat,
            "surveys_nps_out_of_range": n_nps, "tickets_response_before_opened": n_early,
            "customers_invalid_phone": int(pop.phone_bad.sum()), "customers_invalid_email": int(pop.email_bad.sum()),
            "tasks_feedback_with_phone": n_phone, "tasks_feedback_with_email": n_email,
        },
    }
    logger.info("demo data: %s", ", ".join(f"{len(t):,} {name}" for name, t in tables.items()))
    return DemoData(tables, _rounded(ground_truth))


def _csv_ready(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with dates as 'YYYY-MM-DD' and datetimes as 'YYYY-MM-DD HH:MM:SS' text."""
    out = frame.copy()
    for col in TABLES[name].columns:
        if col.kind in ("date", "datetime"):
            values = frame[col.name].to_numpy()
            text = np.datetime_as_string(values.astype("datetime64[s]"), unit="D" if col.kind == "date" else "s")
            out[col.name] = np.where(np.isnat(values), "", np.strings.replace(text.astype(_S), "T", " "))
    return out


def write_demo_data(out_dir: Path, n_customers: int = 5000, seed: int = 7,
                    file_format: Literal["csv", "parquet"] = "csv", *, end: date = date(2025, 9, 30),
                    years: int = 2) -> Path:
    """Write the demo tables (``<table>.csv`` or ``<table>.parquet``) and ``ground_truth.json`` to ``out_dir``.

    Parameters
    ----------
    out_dir : pathlib.Path
        Target folder, created if missing; existing files of the same name are replaced.
    n_customers, seed, end, years
        As in :func:`generate_demo`.
    file_format : {"csv", "parquet"}
        CSV is UTF-8 with ISO dates; Parquet keeps the canonical dtypes.

    Returns
    -------
    pathlib.Path
        ``out_dir``.
    """
    if file_format not in ("csv", "parquet"):
        raise ValueError(f"file_format={file_format!r}: use 'csv' or 'parquet'")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    demo = generate_demo(n_customers, seed, end, years)
    for name, frame in demo.tables.items():
        path = out_dir / f"{name}.{file_format}"
        if file_format == "csv":
            with path.open("w", encoding="utf-8", newline="") as handle:
                for start in range(0, max(len(frame), 1), _CSV_CHUNK):
                    _csv_ready(name, frame.iloc[start:start + _CSV_CHUNK]).to_csv(
                        handle, index=False, header=start == 0, lineterminator="\n")
        else:
            frame.to_parquet(path, index=False)
    text = json.dumps(demo.ground_truth, ensure_ascii=False, indent=1)
    (out_dir / "ground_truth.json").write_text(text + "\n", encoding="utf-8")
    logger.info("demo data written to %s", out_dir)
    return out_dir
