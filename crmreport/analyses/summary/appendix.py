"""The table of sources: every number of the summary with its file and row, as the reader's appendix."""

from __future__ import annotations

import json

import pandas as pd

from ...core.i18n import label, t
from .sources import ADJUSTED

#: catalog prefixes of the filter values a figure's rows are chosen by (``health_band=red`` -> "Red")
FILTER_LABELS = {"health_band": "health_", "segment": "segment_", "churn_risk": "risk_"}


def _rows_text(entry: pd.Series, language: str) -> str:
    """The rows a count, share or sum adds up, in words: 'sum over rows (Health band: Red)'."""
    where = json.loads(entry["filter"]) if isinstance(entry["filter"], str) and entry["filter"] else {}
    colon = "：" if language == "zh" else ": "
    shown = [f"{label(key, language)}{colon}"
             f"{label('kpi_segment_all' if value == 'all' else FILTER_LABELS[key] + value, language)}"
             for key, value in where.items() if key in FILTER_LABELS]
    rows = "；".join(shown) if language == "zh" else "; ".join(shown)
    return t(f"summary.sources.{entry['aggregate']}", language, rows=rows or t("summary.sources.all_rows", language))


CHANGE_COLUMNS = frozenset({"change", "abs_change", "abs_diff"})


def _number(entry: pd.Series, language: str) -> str:
    """A figure as the summary shows it: fractions as percentages (changes in points), others with separators."""
    value = float(entry["value"])
    share = entry["aggregate"] == "share" or entry["kind"] == "share"
    if share and entry["column"] in CHANGE_COLUMNS:
        return t("unit.percentage_points", language, value=value * 100)
    if share:
        return f"{value:.1%}"
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def sources_table(figures: pd.DataFrame, language: str) -> pd.DataFrame:
    """The ledger as the reader's table of sources: reference, what the number is, the number, file and row."""
    def source_of(entry: pd.Series) -> str:
        file = f"{entry['period']}/{entry['file']}" if isinstance(entry["period"], str) and entry["period"] \
            else entry["file"]
        if pd.notna(entry["row"]):
            return t("summary.sources.row", language, file=file, row=int(entry["row"]))
        rows = _rows_text(entry, language)
        return f"{file}：{rows}" if language == "zh" else f"{file}: {rows}"

    return pd.DataFrame({
        "summary_ref": figures["ref"],
        "summary_figure": [label("summary_col_" + (entry["aggregate"] if entry["aggregate"] in ("count", "share",
                                                                                              *ADJUSTED)
                                                   else entry["column"]), language) for _, entry in figures.iterrows()],
        "summary_number": [_number(entry, language) for _, entry in figures.iterrows()],
        "summary_source": [source_of(entry) for _, entry in figures.iterrows()],
    })
