"""The table of sources: every number of the summary with its file and row, as the reader's appendix.

Each row names the measure (the glossary's label, ``summary_figures.csv``'s ``measure``) and the part of
it the number is (this period, change, lower bound...), shows the number as the summary does, and
says in words which rows of the file a count, share or sum runs over, every filter included.
"""

from __future__ import annotations

import json

import pandas as pd

from ...core.i18n import label, t
from ...measures.glossary import MEASURES
from .headline import format_change, format_value
from .sources import ADJUSTED, AFTER, EXCEPT, TOP, UPTO, WITHIN

#: catalog prefixes of the filter values a figure's rows are chosen by (``health_band=red`` -> "Red")
FILTER_LABELS = {"health_band": "health_", "segment": "segment_", "churn_risk": "risk_", "health_trend": "trend_",
                 "stage": "stage_", "verdict": "kpi_verdict_", "ordered_in_period": "ordered_"}
#: what a row of a file counts: a count over ``action_list.csv`` is of customers (catalog ``summary_col_rows_<noun>``)
ROW_NOUNS = {"action_list.csv": "customers", "customer_health.csv": "customers", "kpi_changes.csv": "kpis",
             "ab_business.csv": "arms"}
CHANGE_COLUMNS = frozenset({"change", "abs_change", "abs_diff", "seq_adjusted_low", "seq_adjusted_high"})


def _values(key: str, value: object, language: str) -> str:
    values = value if isinstance(value, list) else [value]
    shown = [label("kpi_segment_all" if v == "all" else FILTER_LABELS.get(key, "") + str(v), language)
             for v in values]
    return ("、" if language == "zh" else ", ").join(shown)


def _conditions(where: dict[str, object], language: str) -> list[str]:
    """Each filter of a figure in words: 'Retention band: Red', 'CLV: empty', 'the 20 largest by CLV'."""
    colon = "：" if language == "zh" else ": "
    words = []
    for key, value in where.items():
        if key == TOP:
            column, n = value
            words.append(t("summary.sources.top", language, n=int(n), column=label(column, language)))
        elif key in (UPTO, AFTER):
            column, day = value
            words.append(t(f"summary.sources.{key.strip('_')}", language, column=label(column, language), day=day))
        elif key in (WITHIN, EXCEPT):
            inner = "; ".join(f"{label(k, language)}{colon}{_values(k, v, language)}" for k, v in value.items())
            words.append(t(f"summary.sources.{key.strip('_')}", language, rows=inner))
        elif value is None:
            words.append(t("summary.sources.empty", language, column=label(key, language)))
        else:
            words.append(f"{label(key, language)}{colon}{_values(key, value, language)}")
    return words


def _rows_text(entry: pd.Series, language: str) -> str:
    """The rows a count, share or sum adds up, in words: 'sum over rows (Health band: Red)'."""
    where = json.loads(entry["filter"]) if isinstance(entry["filter"], str) and entry["filter"] else {}
    shown = _conditions(where, language)
    rows = ("；" if language == "zh" else "; ").join(shown)
    return t(f"summary.sources.{entry['aggregate']}", language, rows=rows or t("summary.sources.all_rows", language))


def _number(entry: pd.Series, language: str) -> str:
    """A figure as the summary shows it: shares as percentages (changes in points), money and counts whole,
    p-values with three decimals."""
    value, kind = float(entry["value"]), str(entry["kind"])
    if entry["aggregate"] == "share":
        kind = "share"
    if kind == "p_value":
        return f"{value:.3f}"
    if kind not in ("share", "count", "currency", "score", "points"):
        return f"{value:,.2f}"
    if entry["column"] in CHANGE_COLUMNS or (entry["aggregate"] in ADJUSTED and kind != "currency"):
        return format_change(kind, value, language)
    return format_value(kind, value, language)


def _figure(entry: pd.Series, language: str) -> str:
    """What the number is: the measure's glossary label and the part of it ('Period churn rate: change')."""
    if entry["aggregate"] == "count" and entry["file"] in ROW_NOUNS:
        part = label(f"summary_col_rows_{ROW_NOUNS[entry['file']]}", language)
    else:
        part = label("summary_col_" + (entry["aggregate"] if entry["aggregate"] in ("count", "share", *ADJUSTED)
                                       else entry["column"]), language)
    measure = MEASURES.get(str(entry["measure"])) if isinstance(entry["measure"], str) else None
    if measure is None or measure.label(language) == part:
        return part
    return t("summary.sources.figure", language, measure=measure.label(language), part=part)


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
        "summary_figure": [_figure(entry, language) for _, entry in figures.iterrows()],
        "summary_number": [_number(entry, language) for _, entry in figures.iterrows()],
        "summary_source": [source_of(entry) for _, entry in figures.iterrows()],
    })
