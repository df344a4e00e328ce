"""Show results in a notebook: catalog-driven prose, styled tables and charts, each backed by a CSV.

Every table or chart a reader sees is written to ``results/<name>.csv`` first (the tidy data
behind it), so each number in a report can be traced to a file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from ..core.contract import TABLES
from ..core.errors import ResultsContractError
from ..core.i18n import SIGNED_ZERO, label, t
from ..core.results import declared
from ..settings import uses_demo_data
from .context import PeriodContext
from .excel import write_workbook
from .plots import UNITS, readable_axes
from .tables import LANDSCAPE_COLUMNS

log = logging.getLogger("crmreport")
#: rows a table shows when the notebook does not say (the CSV behind it holds them all)
SHOWN_ROWS = 100
#: rows of a sample of a landscape table (its wrapping rows, heading and introduction, and the chapter's closing
#: "What to do" fit one landscape page; 12 left 3 rows or the closing lines alone on the next)
WIDE_SAMPLE_ROWS = 10
RESULTS_ENCODING = "utf-8-sig"  # Excel on Chinese Windows opens it as UTF-8 only with the BOM
#: which ``labels:`` section of params labels the values of a column (:meth:`Report.value`)
COLUMN_LABELS = {"industry": "industries", "region": "regions", "category": "categories",
                 "product_category": "categories", "channel": "categories", "tag": "tags", "need_tags": "tags",
                 "arm": "arms", "account_manager": "staff", "owner": "staff", "campaign_id": "campaigns",
                 "campaign": "campaigns", "key_contact": "roles", "arm_names": "arms", "control_arm": "arms",
                 "department": "departments", "strategy": "texts", "feedback": "texts", "problem": "texts",
                 "next_action": "texts", "topic": "texts", "follow_up": "texts", "measure": "texts"}
#: columns holding several values in one cell, and their separator
MULTI_VALUED = {"need_tags": ("; ",), "tag": ("; ",), "arm_names": (", ",)}
#: columns holding a contract enumeration, shown through the catalog's ``label.<column>.<value>``
ENUM_COLUMNS = frozenset(col.name for spec in TABLES.values() for col in spec.columns if col.kind == "enum")
#: float columns holding fractions, shown as percentages unless a format says otherwise
PERCENT_COLUMN = re.compile(r"(^|_)(share|rate|completeness|validity|uniqueness|coverage)(_|$)")
#: columns holding money: whole currency units (unless a format says otherwise), the currency named in the header
AMOUNT_COLUMN = re.compile(r"(^|_)(amount|revenue|clv)(_|$)")


class Report:
    """Writes one notebook's reader-facing output through the message catalog."""

    def __init__(self, context: PeriodContext):
        self.context = context
        self.language = context.language

    def t(self, key: str, **values: object) -> str:
        """A catalog message in the report language."""
        return t(key, self.language, **values)

    def heading(self, key: str, level: int = 2, **values: object) -> None:
        """Show a heading (level 1 = the notebook title)."""
        display(Markdown(f"{'#' * level} {self.t(key, **values)}"))

    def text(self, key: str, **values: object) -> None:
        """Show a paragraph."""
        display(Markdown(self.t(key, **values)))

    def missing(self, tables: Iterable[str]) -> bool:
        """Say which tables a section needs and the source lacks; True when any is missing."""
        absent = [name for name in tables if not self.context.data.has(name)]
        if absent:
            names = ", ".join(label(f"table_{name}", self.language) for name in absent)
            display(Markdown(f"> {self.t('report.missing_tables', tables=names)}"))
        return bool(absent)

    @property
    def currency(self) -> str:
        """The params currency as a reader writes it after an amount ('CNY' -> '元' in Chinese)."""
        code = self.context.params.currency
        return label(f"currency.{code}", self.language)

    @property
    def source(self) -> str:
        """Where the data came from, in the report language (the demo data gets a catalog label)."""
        return self.t("report.source_demo") if uses_demo_data(self.context.params) else self.context.data.source

    def value(self, column: str, value: object) -> str:
        """A data value of ``column`` as a reader sees it.

        The params ``labels:`` of the column's kind (``industry`` -> ``labels.industries``, see
        :data:`COLUMN_LABELS`) come first, then the catalog's ``label.<column>.<value>`` (contract
        enumerations such as ``direction.outbound``), else the value itself. Multi-valued cells
        (need tags 'a; b', arm lists 'a, b', see :data:`MULTI_VALUED`) are labelled value by value.
        """
        if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
            return "–"
        text = str(value)
        kind = COLUMN_LABELS.get(column)
        for separator in MULTI_VALUED.get(column, ()):
            if separator in text:
                return self.join(self.value(column, part) for part in text.split(separator))
        if kind == "roles" and text.startswith("*"):
            return "*" + self.value(column, text[1:])
        if kind is not None:
            shown = self.context.params.labels.of(kind, text, self.language)
            if shown != text:
                return shown
        shown = label(f"{column}.{text}", self.language)
        return text if shown == f"{column}.{text}" else shown

    def values(self, column: str, values: Iterable[object]) -> list[str]:
        """:meth:`value` of each value, e.g. to relabel a column of a frame before plotting it."""
        return [self.value(column, value) for value in values]

    def no_data(self, frame: pd.DataFrame, ax: plt.Axes | None = None) -> bool:
        """True when ``frame`` is empty; the section (and the chart's axes, when given) then says there is no data
        in the window."""
        if not frame.empty:
            return False
        message = self.t("report.no_data")
        display(Markdown(f"> {message}"))
        if ax is not None:
            ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="grey")
            ax.set_xticks([])
            ax.set_yticks([])
        return True

    def save(self, frame: pd.DataFrame, name: str) -> None:
        """Write ``frame`` to ``results/<name>.csv``.

        A file of the results contract (:mod:`crmreport.core.results`) may hold only the columns it
        declares (a table shown without some of them may be written first and saved whole later);
        a file the contract does not know (a project's own notebook) is written as it is.

        Raises
        ------
        ResultsContractError
            When a declared file gets a column the contract does not name.
        """
        spec = declared(name)
        unexpected = spec.unexpected([str(c) for c in frame.columns]) if spec is not None else []
        if unexpected:
            raise ResultsContractError(
                f"results/{name}.csv: column(s) {', '.join(unexpected)} are not in the results contract; "
                f"declare them for `{spec.name}` in crmreport/core/results.py and docs/architecture.md, or rename them")
        path = self.context.results_dir / f"{name}.csv"
        frame.to_csv(path, index=False, encoding=RESULTS_ENCODING)
        log.info("wrote %s (%d rows)", path.name, len(frame))

    def points(self, share_change: float) -> str:
        """A change between two shares, in percentage points (0.034 -> '+3.4 pp')."""
        return "–" if pd.isna(share_change) else self.t("unit.percentage_points", value=share_change * 100)

    def share_points(self, share: float) -> str:
        """A small share in percentage points, unsigned with two decimals (an expected loss: 0.0012 -> '0.12 pp')."""
        return "–" if pd.isna(share) else self.t("unit.percentage_points_level", value=share * 100)

    @staticmethod
    def amount(value: object, signed: bool = False) -> str:
        """An amount of money in a table cell, by its own size: whole units from 100 up, one decimal below, two
        under 1 (1,194 / 9.2 / 0.42), so a column never takes the decimals of its smallest value; with ``signed`` a
        sign ('+1,194'); '–' when missing."""
        if pd.isna(value):
            return "–"
        size = abs(float(value))
        digits = 2 if size < 1 else 1 if size < 100 else 0
        return SIGNED_ZERO.sub("", f"{float(value):{'+' if signed else ''},.{digits}f}")

    @staticmethod
    def signed_amount(value: float) -> str:
        """A change of an amount (:meth:`amount` with its sign): +0.77, -12.3, +1,234."""
        return Report.amount(value, signed=True)

    def short_amount(self, value: float) -> str:
        """An amount as a chart label in the report language's units, as the axis writes them: 865,460 / 74.2M;
        zh 86.5万 / 7,421.5万."""
        divisor, suffix = next(((d, s) for limit, d, s in UNITS[self.language] if abs(value) >= limit), (1.0, ""))
        return f"{value / divisor:,.1f}".rstrip("0").rstrip(".") + suffix if suffix else f"{value:,.0f}"

    @staticmethod
    def p_value(value: float) -> str:
        """A p-value for a reader: three decimals, '<0.001' below that, '–' when there is none."""
        return "–" if pd.isna(value) else "<0.001" if value < 0.001 else f"{value:.3f}"

    def join(self, items: Iterable[str], clauses: bool = False) -> str:
        """Items as one list in the report language ('a, b' / 'a、b'); ``clauses`` uses '; ' / '；'."""
        separator = {("en", False): ", ", ("zh", False): "、", ("en", True): "; ", ("zh", True): "；"}
        return separator[self.language, clauses].join(items)

    def bullets(self, lines: Iterable[str], empty: str) -> None:
        """Show ``lines`` as a bulleted list, or the catalog message ``empty`` when there are none."""
        lines = list(lines)
        display(Markdown("\n".join(f"- {line}" for line in lines) if lines else self.t(empty)))

    def noted(self, text: str, note: str) -> str:
        """``text`` with a parenthesised ``note``, with the brackets of the report language."""
        return f"{text}（{note}）" if self.language == "zh" else f"{text} ({note})"

    def table(self, frame: pd.DataFrame, name: str, max_rows: int | None = None,
              formats: dict[str, str | Callable] | None = None, translate: dict[str, str] | None = None,
              row_formats: dict[str, tuple[str, str | Callable]] | None = None,
              headers: dict[str, str] | str | None = None, values: Iterable[str] | None = None) -> None:
        """Save ``frame`` as a result and show it (the first ``max_rows`` rows) with translated headers.

        Without ``max_rows`` at most :data:`SHOWN_ROWS` rows are shown, whatever the data's size:
        a page never grows with the customer base, and a note names the CSV with every row. A sample of a
        table wide enough for a landscape page shows at most :data:`WIDE_SAMPLE_ROWS` rows.

        ``formats`` maps a column to a format string or function. ``translate`` maps a column to a
        catalog prefix: its values (codes such as ``nps`` or a table name) are shown through
        ``label(prefix + value)``, while the CSV keeps the codes. ``row_formats`` serves tables whose
        rows have different units: it maps a value of the first column to ``(level, change)`` formats,
        ``change`` for the column named ``change``, ``level`` for the other numeric columns that
        ``formats`` does not cover. ``headers`` maps a column to the catalog label shown as its
        header when the default ``label(column)`` does not fit the table (e.g. ``before`` in template 5);
        a string is a prefix for every column (``"ab_"``: the header of ``arm`` is ``label("ab_arm")``).
        ``values`` names the columns of data values shown through :meth:`value` (params ``labels:``,
        contract enumerations); by default every column of :data:`COLUMN_LABELS` or a contract
        enumeration that ``translate`` does not cover.
        Float columns named like a share or rate (``share``, ``response_rate``, ``completeness``) show
        as percentages, and columns of money (``annual_amount``, ``clv``, ``incremental_revenue``) in whole
        currency units with the currency in their header, unless ``formats`` says otherwise. A number that
        rounds to zero shows no sign ('0.00', never '-0.00').
        """
        self.save(frame, name)
        max_rows = SHOWN_ROWS if max_rows is None else max_rows
        if len(frame.columns) >= LANDSCAPE_COLUMNS and len(frame) > max_rows:  # a sample on a landscape page
            max_rows = min(max_rows, WIDE_SAMPLE_ROWS)
        shown = frame.head(max_rows)
        shown = shown.assign(**{column: [label(f"{prefix}{v}", self.language) if pd.notna(v) else v
                                         for v in shown[column]] for column, prefix in (translate or {}).items()})
        if values is None:
            values = [c for c in frame.columns
                      if (c in COLUMN_LABELS or c in ENUM_COLUMNS) and c not in (translate or {})]
        shown = shown.assign(**{column: self.values(column, shown[column]) for column in values})
        # an unbounded figure (a lift over a control of 0) reads as "–", not "+inf%"; the CSV keeps inf
        shown = shown.replace([np.inf, -np.inf], np.nan)

        def header(column: str) -> str:
            key = headers + column if isinstance(headers, str) else (headers or {}).get(column, column)
            text = label(key, self.language)
            named = AMOUNT_COLUMN.search(column) and column not in (formats or {}) and self.currency not in text
            return self.noted(text, self.currency) if named else text

        shown = shown.rename(columns=lambda c: header(str(c)))
        numeric = {header(c): "{:,.0f}" for c in frame.select_dtypes("integer").columns}
        numeric.update({header(c): "{:.1%}" if PERCENT_COLUMN.search(str(c)) else "{:,.0f}" if
                        AMOUNT_COLUMN.search(str(c)) else "{:,.2f}" for c in frame.select_dtypes("float").columns})
        numeric.update({header(c): f for c, f in (formats or {}).items()})
        numeric = {column: _unsigned_zero(f) for column, f in numeric.items()}
        styler = shown.style.hide(axis="index").format(numeric, na_rep="–")
        levels = [header(c) for c in frame.select_dtypes("number").columns
                  if c != "change" and c not in (formats or {})]
        changes = [header("change")] if "change" in frame.columns else []
        for key, (level, change) in (row_formats or {}).items():
            rows = shown.index[frame.loc[shown.index].iloc[:, 0] == key]
            styler = styler.format(_unsigned_zero(level), subset=(rows, levels), na_rep="–")
            styler = styler.format(_unsigned_zero(change), subset=(rows, changes), na_rep="–")
        styler = styler.format(lambda v: v.strftime("%Y-%m-%d"), subset=list(
            shown.select_dtypes("datetime").columns), na_rep="–")
        if len(frame) > max_rows:
            self.text("report.rows_shown", shown=max_rows, total=len(frame), file=f"results/{name}.csv")
        display(styler)

    def workbook(self, frames: dict[str, pd.DataFrame], name: str) -> bool:
        """Write ``results/<name>.xlsx`` for account managers: one sheet per frame, translated headers.

        The one workbook-size policy: a table holds at most params ``excel_max_rows`` rows, the first
        ones in the order the notebook gives (most urgent first), and the report says so; every row
        is in ``results/<name>.csv``, which the notebook saves beside it (a million-row workbook
        takes minutes and gigabytes to write, and Excel stops at 1,048,575 rows a sheet).
        Returns True (the workbook is always written).
        """
        limit = self.context.params.excel_max_rows
        total = max(len(frame) for frame in frames.values())
        path = write_workbook({sheet: frame.head(limit) for sheet, frame in frames.items()},
                              self.context.results_dir / f"{name}.xlsx", self.language)
        log.info("wrote %s", path.name)
        if total > limit:
            log.warning("%s: %d rows cut to the first %d (excel_max_rows)", path.name, total, limit)
            self.text("report.workbook_cut", workbook=path.name, rows=limit, total=total, file=f"results/{name}.csv")
        return True

    def figure(self, figure: plt.Figure, name: str, data: pd.DataFrame) -> None:
        """Save the tidy ``data`` behind a chart, show the chart (numeric axes made readable) and close it."""
        self.save(data, name)
        readable_axes(figure, self.language)
        figure.tight_layout()
        display(figure)
        plt.close(figure)


def _unsigned_zero(fmt: str | Callable) -> Callable:
    """``fmt`` (a format string or function) writing a number that rounds to zero without a sign: '0.00'."""
    def write(value: object) -> str:
        return SIGNED_ZERO.sub("", fmt(value) if callable(fmt) else fmt.format(value))

    return write
