"""The results CSVs of one run, read with provenance: every number the summary shows names its file and row.

The executive summary never recomputes a figure from data: it reads the result tables the other
notebooks wrote in the same run. A :class:`Figure` is one such number with its source: the file,
the row as a spreadsheet shows it (the header is row 1, the first data row is row 2), the column,
and for a count or a sum over rows the filter and aggregate that produce it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ...core.results import ResultFile
from ...settings.params import Labels
from ...settings.period import shift_label
from ...stats.adjusted import adjusted_interval

log = logging.getLogger("crmreport")
#: a CSV row number as a spreadsheet shows it: data row i (from 0) is row i + 2
HEADER_ROWS = 2
FIGURE_COLUMNS = ["ref", "section", "figure", "kind", "measure", "evidence", "claim", "value", "file", "row", "column",
                  "filter", "aggregate", "period"]
#: figures derived from one row's cells: the interval of ``column`` widened by the row's multiplicity
#: adjustment (:func:`crmreport.stats.adjusted.adjusted_interval`, ``alpha`` in ``filter``)
ADJUSTED = ("adjusted_low", "adjusted_high")
#: the filter key choosing the largest rows: ``_top=("clv", 20)``
TOP = "_top"
#: filter keys applied after :data:`TOP`: of the largest rows, those matching (``_within``) or not matching
#: (``_except``) more column values, e.g. the falling key accounts also in a segment action
WITHIN, EXCEPT = "_within", "_except"
#: filter keys of dates: the rows whose ``column`` (ISO dates) is on or before (``_upto``) or after (``_after``) a
#: day, ``_upto=("due_date", "2025-12-31")``, e.g. the action list's work that fits in the next period
UPTO, AFTER = "_upto", "_after"


@dataclass(frozen=True)
class Figure:
    """One number of the summary and where it comes from.

    ``aggregate`` is ``value`` (the cell at ``row``, ``column``), or ``count`` / ``sum`` / ``share``
    over the rows matching ``filter`` (a JSON object of column: value, null for an empty cell;
    ``share`` divides the count by all rows of the file), or one of :data:`ADJUSTED`. ``ref`` is
    the figure's reference in the ledger once recorded (``S12``).
    """

    value: float
    file: str
    column: str
    row: int | None = None
    filter: str = ""
    aggregate: str = "value"
    period: str = ""
    ref: str = ""

    @property
    def where(self) -> str:
        """Short source text for a table cell: ``kpi_changes.csv:22``, or the file alone for a count or sum over rows
        (the table of sources names the rows)."""
        prefix = f"{self.period}/" if self.period else ""
        return f"{prefix}{self.file}:{self.row}" if self.row is not None else f"{prefix}{self.file}"

    @property
    def cite(self) -> str:
        """The figure's reference in the table of sources (:attr:`where` before it is recorded), for a sentence."""
        return cite(self.ref or self.where)


def cite(where: str) -> str:
    """A source inside a sentence, marked so that the PDF never hyphenates or splits the file name."""
    return f'<span class="cite">{where}</span>'


@dataclass
class Results:
    """The results folder of one run (or of the previous period's report), with cached tables.

    Files are named by their declaration in the results contract (:mod:`crmreport.core.results`)
    or by their name.
    """

    folder: Path
    period: str = ""
    _tables: dict[str, pd.DataFrame | None] = field(default_factory=dict, repr=False)

    def has(self, file: ResultFile | str) -> bool:
        """True when ``<name>.csv`` exists and has at least one row."""
        frame = self.table(file)
        return frame is not None and len(frame) > 0

    def table(self, file: ResultFile | str) -> pd.DataFrame | None:
        """``<name>.csv`` with a ``_row`` column (its spreadsheet row), or None when the file is absent."""
        name = _stem(file)
        if name not in self._tables:
            path = self.folder / f"{name}.csv"
            frame = pd.read_csv(path, encoding="utf-8-sig") if path.is_file() else None
            if frame is not None:
                frame["_row"] = np.arange(len(frame)) + HEADER_ROWS
            self._tables[name] = frame
        return self._tables[name]

    def rows(self, file: ResultFile | str, **where: object) -> pd.DataFrame:
        """The rows of ``<name>.csv`` whose columns equal ``where`` (None: the cell is empty; an empty frame
        when the file is absent)."""
        frame = self.table(file)
        if frame is None:
            return pd.DataFrame()
        if any(column not in frame.columns for column in where if not column.startswith("_")):
            return frame.iloc[0:0]
        return frame[_mask(frame, where)]

    def adjusted(self, row: pd.Series, file: ResultFile | str, column: str,
                 alpha: float) -> tuple[Figure | None, Figure | None]:
        """The interval of ``column`` in a row of :meth:`rows`, widened by the row's adjustment (:data:`ADJUSTED`);
        None for an end the row's cells leave undefined."""
        ends = adjusted_interval(*(float(row[c]) for c in (column, "ci_low", "ci_high", "p_value", "p_adjusted")),
                                 alpha=alpha)
        return tuple(None if np.isnan(end) else Figure(end, f"{_stem(file)}.csv", column, int(row["_row"]),
                                                       json.dumps({"alpha": alpha}), aggregate, self.period)
                     for end, aggregate in zip(ends, ADJUSTED, strict=True))

    def cell(self, file: ResultFile | str, column: str, **where: object) -> Figure | None:
        """The number in ``column`` of the first row matching ``where``; None when absent or empty."""
        found = self.rows(file, **where)
        if found.empty or column not in found.columns or pd.isna(found.iloc[0][column]):
            return None
        row = found.iloc[0]
        return Figure(float(row[column]), f"{_stem(file)}.csv", column, int(row["_row"]), period=self.period)

    def figure_of(self, row: pd.Series, file: ResultFile | str, column: str) -> Figure | None:
        """The number in ``column`` of a row returned by :meth:`rows`."""
        if column not in row.index or pd.isna(row[column]):
            return None
        return Figure(float(row[column]), f"{_stem(file)}.csv", column, int(row["_row"]), period=self.period)

    def count(self, file: ResultFile | str, share: bool = False, **where: object) -> Figure | None:
        """How many rows match ``where`` (or which share of all rows of the file)."""
        frame = self.table(file)
        if frame is None or frame.empty:
            return None
        hits = len(self.rows(file, **where))
        return Figure(hits / len(frame) if share else float(hits), f"{_stem(file)}.csv", "*",
                      filter=_filter_text(where), aggregate="share" if share else "count", period=self.period)

    def total(self, file: ResultFile | str, column: str, **where: object) -> Figure | None:
        """The sum of ``column`` over the rows matching ``where``."""
        found = self.rows(file, **where)
        if column not in found.columns:
            return None
        return Figure(float(found[column].sum()), f"{_stem(file)}.csv", column, filter=_filter_text(where),
                      aggregate="sum", period=self.period)


def _stem(file: ResultFile | str) -> str:
    return file.name if isinstance(file, ResultFile) else file


def shown(labels: Labels | None, kind: str, value: object, language: str) -> str:
    """A data value (arm, campaign, staff name) with its params ``labels:`` display label, else as it is."""
    return labels.of(kind, value, language) if labels is not None else str(value)


def arm_name(labels: Labels | None, campaign: object, arm: object, language: str) -> str:
    """'SMS-2025Q3 · SMS text A': a campaign arm as a reader sees it."""
    return f"{shown(labels, 'campaigns', campaign, language)} · {shown(labels, 'arms', arm, language)}"


def _filter_text(where: dict[str, object]) -> str:
    """A row filter as JSON text (values may hold any character: strategy texts have commas and semicolons)."""
    return json.dumps({key: value if value is None or key.startswith("_") else str(value) for key, value in
                       where.items()}, ensure_ascii=False)


def _equal(frame: pd.DataFrame, where: dict[str, object]) -> np.ndarray:
    """Rows whose columns equal ``where`` as text (None: the cell is empty; a list: any of its values)."""
    mask = np.ones(len(frame), dtype=bool)
    for column, value in where.items():
        cells = frame[column]
        if value is None:
            mask &= cells.isna().to_numpy()
        else:
            mask &= cells.astype(str).isin([str(v) for v in value] if isinstance(value, list) else [str(value)]
                                           ).to_numpy()
    return mask


def _mask(frame: pd.DataFrame, where: dict[str, object]) -> np.ndarray:
    """Rows matching the plain keys of ``where`` (:func:`_equal`), of those the ``n`` largest by ``column``
    when ``where`` holds ``_top: (column, n)``, then those matching ``_within`` and not ``_except``, and those
    dated within :data:`UPTO` / :data:`AFTER`."""
    mask = _equal(frame, {k: v for k, v in where.items() if not k.startswith("_")})
    if TOP in where:
        column, n = where[TOP]
        mask = frame.index.isin(pd.to_numeric(frame[column]).where(mask).dropna().nlargest(int(n)).index)
    if WITHIN in where:
        mask &= _equal(frame, where[WITHIN])
    if EXCEPT in where:
        mask &= ~_equal(frame, where[EXCEPT])
    for key, keep in ((UPTO, pd.Series.le), (AFTER, pd.Series.gt)):
        if key in where:
            column, day = where[key]
            mask &= keep(pd.to_datetime(frame[column], errors="coerce"), pd.Timestamp(day)).to_numpy()
    return mask


def source_value(folder: Path, figure: pd.Series) -> float:
    """Read a figure back from its source file, as a check (the tests use it)."""
    frame = pd.read_csv(folder / figure["file"], encoding="utf-8-sig")
    text = figure["filter"] if isinstance(figure["filter"], str) and figure["filter"] else "{}"
    if figure["aggregate"] in ("value", *ADJUSTED):
        row = frame.iloc[int(figure["row"]) - HEADER_ROWS]
        if figure["aggregate"] == "value":
            return float(row[figure["column"]])
        ends = adjusted_interval(*(float(row[c]) for c in (figure["column"], "ci_low", "ci_high", "p_value",
                                                            "p_adjusted")), alpha=json.loads(text)["alpha"])
        return float(ends[ADJUSTED.index(figure["aggregate"])])
    mask = _mask(frame, json.loads(text))
    if figure["aggregate"] == "sum":
        return float(frame.loc[mask, figure["column"]].sum())
    return float(mask.sum()) / (len(frame) if figure["aggregate"] == "share" else 1)


class Ledger:
    """Numbers shown in the summary, in order, each with a reference and its source."""

    def __init__(self) -> None:
        self.entries: list[dict[str, object]] = []

    def add(self, figure: Figure | None, section: str, name: str, kind: str, *, measure: str = "",
            evidence: str = "", claim: str = "") -> Figure | None:
        """Record ``figure`` (shown under ``name`` in ``section``); returns it with its reference, for chaining.

        ``kind`` is what the number is, as :func:`~crmreport.analyses.summary.headline.format_value`
        knows it (``share``, ``count``, ``currency``, ``score``, ``points``) or ``p_value``: a share
        shows as a percentage in the table of sources (a change of a share in percentage points).
        ``measure`` is its glossary id, ``evidence`` and ``claim`` grade it
        (:mod:`crmreport.analyses.summary.claims`).
        """
        if figure is None:
            return None
        figure = replace(figure, ref=f"S{len(self.entries) + 1}")
        self.entries.append({"section": section, "figure": name, "kind": kind, "measure": measure,
                             "evidence": evidence, "claim": claim, **asdict(figure)})
        return figure

    def frame(self) -> pd.DataFrame:
        """The ledger as the ``summary_figures.csv`` table."""
        return pd.DataFrame(self.entries, columns=FIGURE_COLUMNS)


def results_folder(results_dir: str | Path | None, period: str, reports_root: Path | None) -> tuple[Path, str]:
    """Where the summary reads from, and how it was chosen (``run`` or ``latest``).

    Under ``crmreport run`` the runner passes the run's results folder. By hand in JupyterLab the
    summary reads the latest report of ``period`` under ``reports_root`` (the newest ``results``
    folder among ``<root>/<period>`` and ``<root>/*/<period>``).

    Raises
    ------
    FileNotFoundError
        When no report of the period exists, with the command that makes one.
    """
    if results_dir is not None:
        return Path(results_dir), "run"
    candidates = [] if reports_root is None else [
        *reports_root.glob(f"{period}/results"), *reports_root.glob(f"*/{period}/results")]
    candidates = [c for c in candidates if c.is_dir()]
    if not candidates:
        raise FileNotFoundError(f"no report of {period} under {reports_root}: the executive summary reads the "
                                f"results of a run; run `crmreport run --period {period}` first")
    return max(candidates, key=lambda c: c.stat().st_mtime), "latest"


def previous_results(results: Path, period: str) -> Results | None:
    """The previous period's results under the same output root (``<root>/<previous>/results``), if any."""
    try:
        label = shift_label(period, -1)
    except ValueError:
        return None
    folder = results.parent.parent / label / "results"
    return Results(folder, label) if folder.is_dir() else None


def run_status(report_root: Path) -> list[dict[str, object]]:
    """Notebooks of the run and their status: from ``manifest.json`` after a run, else from the executed notebooks.

    During a run the manifest is written last, so the summary reads papermill's record in each
    executed notebook (``metadata.papermill.exception``) instead.
    """
    manifest = report_root / "manifest.json"
    if manifest.is_file():
        return [{"name": nb["name"], "status": nb["status"], "error": nb.get("error")}
                for nb in json.loads(manifest.read_text(encoding="utf-8")).get("notebooks", [])]
    found = []
    for path in sorted(report_root.glob("[0-9][0-9]_*.ipynb")):
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("papermill", {})
        found.append({"name": path.stem, "status": "failed" if meta.get("exception") else "ok", "error": None})
    return found
