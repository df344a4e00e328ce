"""Show results in a notebook: catalog-driven prose, styled tables and charts, each backed by a CSV.

Every table or chart a reader sees is written to ``results/<name>.csv`` first (the tidy data
behind it), so each number in a report can be traced to a file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from ..core.i18n import label, labels, t
from .context import PeriodContext
from .excel import write_workbook

log = logging.getLogger("crmreport")
RESULTS_ENCODING = "utf-8-sig"  # Excel on Chinese Windows opens it as UTF-8 only with the BOM


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
        """Write ``frame`` to ``results/<name>.csv``."""
        path = self.context.results_dir / f"{name}.csv"
        frame.to_csv(path, index=False, encoding=RESULTS_ENCODING)
        log.info("wrote %s (%d rows)", path.name, len(frame))

    def points(self, share_change: float) -> str:
        """A change between two shares, in percentage points (0.034 -> '+3.4 pp')."""
        return "–" if pd.isna(share_change) else self.t("unit.percentage_points", value=share_change * 100)

    @staticmethod
    def p_value(value: float) -> str:
        """A p-value for a reader: three decimals, '<0.001' below that, '–' when there is none."""
        return "–" if pd.isna(value) else "<0.001" if value < 0.001 else f"{value:.3f}"

    def join(self, items: Iterable[str], clauses: bool = False) -> str:
        """Items as one list in the report language ('a, b' / 'a、b'); ``clauses`` uses '; ' / '；'."""
        separator = {("en", False): ", ", ("zh", False): "、", ("en", True): "; ", ("zh", True): "；"}
        return separator[self.language, clauses].join(items)

    def noted(self, text: str, note: str) -> str:
        """``text`` with a parenthesised ``note``, with the brackets of the report language."""
        return f"{text}（{note}）" if self.language == "zh" else f"{text} ({note})"

    def table(self, frame: pd.DataFrame, name: str, max_rows: int | None = None,
              formats: dict[str, str | Callable] | None = None, translate: dict[str, str] | None = None,
              row_formats: dict[str, tuple[str, str | Callable]] | None = None,
              headers: dict[str, str] | None = None) -> None:
        """Save ``frame`` as a result and show it (the first ``max_rows`` rows) with translated headers.

        ``formats`` maps a column to a format string or function. ``translate`` maps a column to a
        catalog prefix: its values (codes such as ``nps`` or a table name) are shown through
        ``label(prefix + value)``, while the CSV keeps the codes. ``row_formats`` serves tables whose
        rows have different units: it maps a value of the first column to ``(level, change)`` formats,
        ``change`` for the column named ``change``, ``level`` for the other numeric columns that
        ``formats`` does not cover. ``headers`` maps a column to the catalog label shown as its
        header when the default ``label(column)`` does not fit the table (e.g. ``before`` in template 5).
        """
        self.save(frame, name)
        shown = frame if max_rows is None else frame.head(max_rows)
        shown = shown.assign(**{column: labels(shown[column], self.language, prefix)
                                for column, prefix in (translate or {}).items()})
        def header(column: str) -> str:
            return label((headers or {}).get(column, column), self.language)

        shown = shown.rename(columns=lambda c: header(str(c)))
        numeric = {header(c): "{:,.0f}" for c in frame.select_dtypes("integer").columns}
        numeric.update({header(c): "{:,.2f}" for c in frame.select_dtypes("float").columns})
        numeric.update({header(c): f for c, f in (formats or {}).items()})
        styler = shown.style.hide(axis="index").format(numeric, na_rep="–")
        levels = [header(c) for c in frame.select_dtypes("number").columns
                  if c != "change" and c not in (formats or {})]
        changes = [header("change")] if "change" in frame.columns else []
        for key, (level, change) in (row_formats or {}).items():
            rows = shown.index[frame.loc[shown.index].iloc[:, 0] == key]
            styler = styler.format(level, subset=(rows, levels), na_rep="–")
            styler = styler.format(change, subset=(rows, changes), na_rep="–")
        styler = styler.format(lambda v: v.strftime("%Y-%m-%d"), subset=list(
            shown.select_dtypes("datetime").columns), na_rep="–")
        if max_rows is not None and len(frame) > max_rows:
            self.text("report.rows_shown", shown=max_rows, total=len(frame), file=f"results/{name}.csv")
        display(styler)

    def workbook(self, frames: dict[str, pd.DataFrame], name: str) -> None:
        """Write ``results/<name>.xlsx`` for account managers: one sheet per frame, translated headers."""
        path = write_workbook(frames, self.context.results_dir / f"{name}.xlsx", self.language)
        log.info("wrote %s", path.name)

    def figure(self, figure: plt.Figure, name: str, data: pd.DataFrame) -> None:
        """Save the tidy ``data`` behind a chart, show the chart and close it."""
        self.save(data, name)
        figure.tight_layout()
        display(figure)
        plt.close(figure)
