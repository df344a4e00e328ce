"""The customers table: names, companies, contacts, account managers and need tags."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from .calendar import Calendar
from .columns import NP_STR, id_column, join_text, stamp_column, table_frame, text_column, weighted_choice
from .population import Population
from .vocabulary import (
    BRAND_CHARS,
    EN_BRANDS,
    GIVEN_NAMES,
    INDUSTRIES,
    KEY_ACCOUNT_MANAGERS,
    MAIL_DOMAINS,
    REGIONS,
    ROLES_EN,
    ROLES_ZH,
    SERVICE_MANAGERS,
    STAFF,
    SURNAMES,
    TAG_COUNT_SHARES,
    TAG_WEIGHTS,
    TAGS,
    words,
)


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
        codes[rows] = weighted_choice(rng, weights, len(rows))
    return text_column(tuple("; ".join(TAGS[i] for i in c) for c in combos), codes, missing=rng.random(len(b2b)) < 0.03)


def _phones(rng: np.random.Generator, bad: np.ndarray) -> np.ndarray:
    """Chinese mobile numbers; the ``bad`` ones lose a digit or end in the letter O."""
    n = len(bad)
    number = 10**10 + (3 + weighted_choice(rng, (30, 4, 25, 3, 10, 25, 8), n)) * 10**9 + rng.integers(0, 10**9, n)
    short = (number // 10).astype(NP_STR)
    return np.where(bad, np.where(rng.random(n) < 0.5, short, join_text(short, "O")), number.astype(NP_STR))


def simulate_customers(rng: np.random.Generator, pop: Population,
                       cal: Calendar) -> tuple[pd.DataFrame, np.ndarray]:
    """The customers table and each customer's account manager (index into STAFF)."""
    n, b2b = pop.n, pop.b2b
    surname = weighted_choice(rng, 1 / (np.arange(len(SURNAMES[0])) + 3), n)
    given = rng.integers(0, len(GIVEN_NAMES[0]), n)
    person = np.where(rng.random(n) < 0.2, join_text(SURNAMES[1][surname], " ", GIVEN_NAMES[1][given]),
                      join_text(SURNAMES[0][surname], GIVEN_NAMES[0][given]))
    industry = weighted_choice(rng, [i[1] for i in INDUSTRIES], n)
    region = weighted_choice(rng, [r[1] for r in REGIONS], n)
    cities = [r[2].split() for r in REGIONS]
    city = np.array(sum(cities, []), dtype=NP_STR)[_in_group(rng, cities, region)]
    zh_words, en_words = ([i[k].split("|") for i in INDUSTRIES] for k in (2, 3))
    word = _in_group(rng, zh_words, industry)
    first = rng.integers(0, len(BRAND_CHARS[0]), n)
    second = (first + rng.integers(1, len(BRAND_CHARS[0]), n)) % len(BRAND_CHARS[0])
    brand = EN_BRANDS[rng.integers(0, len(EN_BRANDS), n)]
    english = rng.random(n) < 0.15
    suffix = np.where(rng.random(n) < 0.8, "有限公司", "股份有限公司").astype(NP_STR)
    company = np.where(english, join_text(brand, " ", np.array(sum(en_words, []), dtype=NP_STR)[word], " Co., Ltd."),
                       join_text(city, BRAND_CHARS[0][first], BRAND_CHARS[0][second],
                                 np.array(sum(zh_words, []), dtype=NP_STR)[word], suffix))
    contact = np.where(english | (rng.random(n) < 0.25),
                       join_text(ROLES_EN[rng.integers(0, len(ROLES_EN), n)], " ", SURNAMES[1][surname]),
                       join_text(SURNAMES[0][surname], ROLES_ZH[rng.integers(0, len(ROLES_ZH), n)]))
    domain = np.where(english, join_text(np.strings.lower(brand), ".com"),
                      join_text(BRAND_CHARS[1][first], BRAND_CHARS[1][second], ".com.cn"))
    mailbox = np.where(rng.random(n) < 0.6, np.strings.lower(SURNAMES[1][surname]),
                       words("purchasing info sales")[rng.integers(0, 3, n)])
    digits = np.where(rng.random(n) < 0.5, rng.integers(1, 100, n).astype(NP_STR), "")
    private = np.where(rng.random(n) < 0.3, join_text(rng.integers(10**5, 10**10, n).astype(NP_STR), "@qq.com"),
                       join_text(np.strings.lower(join_text(SURNAMES[1][surname], GIVEN_NAMES[1][given])), digits, "@",
                                 MAIL_DOMAINS[rng.integers(0, len(MAIL_DOMAINS), n)]))
    email = np.where(b2b, join_text(mailbox, "@", domain), private)
    email = np.where(pop.email_bad, np.strings.replace(email, "@", np.where(rng.random(n) < 0.5, "", ".")), email)
    manager = np.where(b2b, weighted_choice(rng, (3, 3, 3, 2, 2, 2, 1, 1), n),
                       len(KEY_ACCOUNT_MANAGERS) + rng.integers(0, len(SERVICE_MANAGERS), n))
    frame = table_frame("customers", {
        "customer_id": id_column("C", 6, np.arange(1, n + 1)),
        "name": text_column(np.where(b2b, company, person)),
        "customer_type": text_column(("B2C", "B2B"), b2b.astype(int)),
        "industry": text_column(tuple(i[0] for i in INDUSTRIES) + ("consumer",),
                                np.where(b2b, industry, len(INDUSTRIES))),
        "size_tier": text_column(("large", "medium", "small", ""), pop.size, missing=~b2b),
        "region": text_column(tuple(r[0] for r in REGIONS), region),
        "signup_date": stamp_column(cal, pop.signup * 86400),
        "account_manager": text_column(STAFF, manager),
        "contact_name": text_column(np.where(b2b, contact, person)),
        "phone": text_column(_phones(rng, pop.phone_bad)),
        "email": text_column(email),
        "need_tags": _need_tags(rng, b2b),
    })
    return frame, manager
