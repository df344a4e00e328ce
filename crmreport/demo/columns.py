"""Column builders shared by the table simulations: canonical pandas columns from numpy arrays.

Every helper returns a column (or draws) in the dtype the contract expects; :func:`table_frame`
puts them in contract order.
"""

from __future__ import annotations

from functools import reduce

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..core.contract import CANONICAL_DTYPES, TABLES
from .calendar import Calendar

NP_STR = np.dtypes.StringDType()
#: activity by hour of day (0-23): purchases, company-initiated contacts, customer-initiated contacts
HOURS = {"purchase": np.array([1, 0.5, 0.3, 0.2, 0.2, 0.3, 1, 2, 4, 7, 9, 9, 7, 7, 8, 8, 7, 6, 5, 6, 8, 9, 7, 3.0]),
         "outbound": np.array([0] * 9 + [8, 10, 10, 5, 6, 10, 10, 9, 7, 2] + [0] * 5, dtype=float),
         "inbound": np.array([0.2] * 8 + [3, 8, 10, 10, 7, 8, 10, 10, 9, 7, 5, 4, 3, 2] + [0.5] * 2)}


def weighted_choice(rng: np.random.Generator, weights: tuple[float, ...] | np.ndarray, n: int) -> np.ndarray:
    """``n`` indices drawn with probabilities proportional to ``weights``."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), n, p=p / p.sum())


def choice_by_type(rng: np.random.Generator, b2b: np.ndarray, weights: tuple) -> np.ndarray:
    """One draw per row from the B2C or the B2B distribution of ``weights`` (a pair)."""
    return np.where(b2b, weighted_choice(rng, weights[1], len(b2b)), weighted_choice(rng, weights[0], len(b2b)))


def text_column(values: np.ndarray | tuple, codes: np.ndarray | None = None,
                missing: np.ndarray | None = None) -> pd.Series:
    """A canonical "str" column: ``values`` (or ``values[codes]``), empty where ``missing``."""
    arr = pa.array(np.asarray(values).astype(object))
    if codes is not None:
        arr = arr.take(pa.array(codes))
    if missing is not None:
        arr = pa.array(arr.to_numpy(zero_copy_only=False), mask=missing)
    return pd.Series(arr, dtype="str")


def id_column(prefix: str, width: int, numbers: np.ndarray) -> pd.Series:
    """Identifiers like ``T00000042``, zero-padded to at least ``width`` digits."""
    width = max(width, len(str(int(numbers.max(initial=0)))))
    digits = pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width, "0")
    return pd.Series(pc.binary_join_element_wise(prefix, digits, ""), dtype="str")


def clock_seconds(rng: np.random.Generator, n: int, hours: str) -> np.ndarray:
    """Seconds after midnight, hours drawn from the activity profile ``hours``."""
    return weighted_choice(rng, HOURS[hours], n) * 3600 + rng.integers(0, 3600, n)


def stamp_column(cal: Calendar, seconds: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    """datetime64[ns] from seconds after the window's first midnight."""
    values = np.datetime64(cal.start, "s") + seconds.astype("timedelta64[s]")
    if missing is not None:
        values = np.where(missing, np.datetime64("NaT"), values)
    return pd.Series(values.astype("datetime64[ns]"))


def int_column(values: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    """A nullable Int64 column, empty where ``missing``."""
    return pd.Series(pd.arrays.IntegerArray(values.astype(np.int64), np.zeros(len(values), bool)
                                            if missing is None else missing))


def bool_column(values: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    """A nullable boolean column, empty where ``missing``."""
    return pd.Series(pd.arrays.BooleanArray(values.astype(bool), np.zeros(len(values), bool)
                                            if missing is None else missing))


def table_frame(name: str, columns: dict[str, pd.Series]) -> pd.DataFrame:
    """The table ``name`` in contract column order with canonical dtypes."""
    spec = TABLES[name]
    frame = pd.DataFrame({c: columns[c].reset_index(drop=True) for c in spec.column_names})
    return frame.astype({c.name: CANONICAL_DTYPES[c.kind] for c in spec.columns})


def poisson_events(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, per_day: np.ndarray,
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


def join_text(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise concatenation of string arrays and constants."""
    return reduce(np.strings.add, parts)


def ref_column(ids: pa.Array, rows: np.ndarray) -> pd.Series:
    """The ids of ``rows`` (a foreign-key column)."""
    return pd.Series(ids.take(pa.array(rows)), dtype="str")


def plant_contact_details(rng: np.random.Generator, texts: np.ndarray, rows: np.ndarray, n_phone: int,
                          phone_templates: tuple[str, ...], mail_template: str, mailboxes: np.ndarray) -> None:
    """Write a mobile number into the first ``n_phone`` of ``rows`` of ``texts`` and an e-mail into the rest.

    The masking step must scrub them; ``mail_template`` has one ``{}`` for the address before the domain.
    """
    for i, row in enumerate(rows):
        if i < n_phone:
            number = f"1{rng.choice([3, 5, 8, 9])}{int(rng.integers(0, 10**9)):09d}"
            texts[row] = phone_templates[i % len(phone_templates)].format(number)
        else:
            mailbox = str(mailboxes[rng.integers(0, len(mailboxes))]).lower()
            texts[row] = mail_template.format(f"{mailbox}{int(rng.integers(10, 100))}")
