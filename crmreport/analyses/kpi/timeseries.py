"""Each KPI per calendar month, and a segmented regression of the series at the strategy start (notebook 04)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from ...core.results import result_file
from ...core.verdicts import INSUFFICIENT
from ...ingest.dataset import Dataset
from ...measures.kpis import kpi_value, observations_of, window_sums
from ...settings import Params, Window
from ...stats.effects import MIN_MONTHS_AFTER, MIN_MONTHS_BEFORE, segmented_regression
from .observed import selected

# INSUFFICIENT and the MIN_MONTHS_* are public here too: notebook 04 words a series too short to test with them
__all__ = ["INSUFFICIENT", "MIN_MONTHS_AFTER", "MIN_MONTHS_BEFORE", "SEGMENTED_COLUMNS", "SERIES_COLUMNS",
           "month_windows", "monthly_series", "segmented_table"]

SERIES_COLUMNS = ["kpi", "month", "value", "n"]
SEGMENTED_COLUMNS = list(result_file("kpi_segmented_regression").columns)


def month_windows(end: date, months: int) -> list[Window]:
    """The ``months`` calendar months ending with the month holding ``end``, oldest first."""
    index = end.year * 12 + end.month - 1
    windows = []
    for k in range(index - months + 1, index + 1):
        first = date(k // 12, k % 12 + 1, 1)
        following = date((k + 1) // 12, (k + 1) % 12 + 1, 1)
        windows.append(Window(start=first, end=following - timedelta(days=1)))
    return windows


def monthly_series(data: Dataset, params: Params) -> pd.DataFrame:
    """Each selected KPI (growth KPIs excepted) per calendar month: :data:`SERIES_COLUMNS`.

    ``settings.series_months`` months ending with the period's last month; ``n`` observations,
    ``value`` NaN in a month without any. KPIs whose tables are missing have no rows. What comes back from the
    engine is a count and an exact sum per KPI and month (one query), the observations themselves only for a
    median KPI.
    """
    settings = params.kpis
    months = month_windows(params.end, settings.series_months)
    kpis = [kpi for kpi in selected(settings)
            if kpi.stat_type != "growth" and all(data.has(table) for table in kpi.tables)]
    sums = window_sums([kpi for kpi in kpis if kpi.stat_type != "median"], data, months, settings)
    medians = [kpi for kpi in kpis if kpi.stat_type == "median"]
    found = dict(zip([kpi.name for kpi in medians],
                     observations_of([(kpi, months) for kpi in medians], data, settings), strict=True))
    rows = []
    for kpi in kpis:
        if kpi.name in found:
            counts = [len(frame) for frame in found[kpi.name]]
            values = [kpi_value(kpi, frame["value"]) for frame in found[kpi.name]]
        else:
            part = sums[sums["kpi"] == kpi.name]
            counts = part["n"].tolist()
            values = [kpi.scale * (total / n) if n else np.nan for total, n in zip(part["total"], counts, strict=True)]
        rows += [{"kpi": kpi.name, "month": pd.Timestamp(window.start), "value": value, "n": int(n)}
                 for window, value, n in zip(months, values, counts, strict=True)]
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)


def segmented_table(series: pd.DataFrame, params: Params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Segmented regression of every KPI's monthly series at ``kpis.strategy_start`` (default: period start).

    Returns the estimates (:data:`SEGMENTED_COLUMNS`) and ``series`` with the ``fitted`` values
    and ``post`` (month at or after the start).
    """
    start = pd.Timestamp(params.kpis.strategy_start or params.start)
    rows, fitted = [], []
    for name, part in series.groupby("kpi", sort=False):
        result, fit = segmented_regression(part, start, params.kpis.alpha)
        rows.append({"kpi": name, **result.__dict__})
        fitted.append(part.assign(fitted=fit, post=part["month"] >= start.to_period("M").to_timestamp()))
    out = series.assign(fitted=np.nan, post=False) if not fitted else pd.concat(fitted)
    return pd.DataFrame(rows, columns=SEGMENTED_COLUMNS), out.reset_index(drop=True)
