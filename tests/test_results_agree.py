"""Numbers that appear twice agree, or say why: every figure found in more than one results CSV of the
rendered demo period (same KPI or metric, same segment, same window) is equal, unless the rows carry
different population labels."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

#: one extracted figure: (family, key, figure, file, population, value); population None = unlabelled
Figure = tuple[str, str, str, str, str | None, float]

#: A/B columns that hold the same figure wherever they appear
AB_FIGURES = ("abs_diff", "ci_low", "ci_high", "rel_lift", "rel_ci_low", "rel_ci_high", "p_value", "p_adjusted",
              "prob_beat_control")
KPI_FIGURES = {"before": "before", "after": "after", "abs_change": "change", "change": "change",
               "ci_low": "ci_low", "ci_high": "ci_high", "p_value": "p_value", "p_adjusted": "p_adjusted",
               "n_before": "n_before", "n_after": "n_after"}


def _read(folder: Path, name: str) -> pd.DataFrame | None:
    path = folder / f"{name}.csv"
    return pd.read_csv(path, encoding="utf-8-sig") if path.is_file() else None


def _emit(family: str, key: tuple, values: dict[str, float], file: str, population: str | None = None
          ) -> Iterator[Figure]:
    for figure, value in values.items():
        if isinstance(value, (int, float, np.number)) and not pd.isna(value):
            yield family, "|".join(map(str, key)), figure, file, population, float(value)


def ab_figures(folder: Path) -> Iterator[Figure]:
    """A/B figures keyed by campaign, segment, arm and metric (and per-arm values by the arm itself)."""
    tests = _read(folder, "ab_tests")
    if tests is None:
        return
    campaigns = {re.sub(r"[^\w-]+", "_", str(c)): c for c in tests["campaign_id"].unique()}
    for row in tests.itertuples():
        key = (row.campaign_id, row.segment, row.arm, row.metric)
        yield from _emit("ab", key, {f: getattr(row, f) for f in AB_FIGURES}, "ab_tests.csv")
        yield from _emit("ab_arm", (row.campaign_id, row.segment, row.arm, row.metric),
                         {"value": row.value_arm, "n": row.n_arm}, "ab_tests.csv")
        yield from _emit("ab_arm", (row.campaign_id, row.segment, row.control_arm, row.metric),
                         {"value": row.value_control, "n": row.n_control}, "ab_tests.csv")
    for path in sorted(folder.glob("ab_results_*_*.csv")):
        campaign = campaigns[path.stem.split("_", 3)[3]]
        for row in pd.read_csv(path, encoding="utf-8-sig").itertuples():
            key = (campaign, "all", row.arm, row.metric)
            yield from _emit("ab", key, {f: getattr(row, f) for f in AB_FIGURES if hasattr(row, f)}, path.name)
            yield from _emit("ab_arm", key, {"value": row.value_arm}, path.name)
    for name, segment_column in (("chart_ab_forest", None), ("ab_segments_conversion", "segment"),
                                 ("ab_power", None), ("ab_mde", None), ("ab_bayes", None)):
        frame = _read(folder, name)
        for row in () if frame is None else frame.itertuples():
            metric = getattr(row, "metric", "conversion_rate")
            key = (row.campaign_id, getattr(row, segment_column) if segment_column else "all", row.arm, metric)
            yield from _emit("ab", key, {f: getattr(row, f) for f in AB_FIGURES if hasattr(row, f)}, f"{name}.csv")
            yield from _emit("ab_arm", key, {"n": getattr(row, "n_arm", np.nan)}, f"{name}.csv")
    board = _read(folder, "chart_ab_board")
    for row in () if board is None else board.itertuples():
        yield from _emit("ab_arm", (row.campaign_id, row.segment, row.arm, "conversion_rate"),
                         {"value": row.conversion_rate, "n": row.n}, "chart_ab_board.csv")
    srm = _read(folder, "ab_srm")
    for row in () if srm is None else srm.itertuples():
        for metric in ("response_rate", "conversion_rate", "revenue_per_customer", "revenue_per_converter"):
            yield from _emit("ab_arm", (row.campaign_id, "all", row.arm, metric), {"n": row.n}, "ab_srm.csv")
    for name, prefix, cuped_prefix in (("ab_cuped", "unadjusted_", ""), ("ab_cuped_view", "unadjusted_", "cuped_")):
        frame = _read(folder, name)
        for row in () if frame is None else frame.itertuples():
            plain = {f: getattr(row, prefix + f) for f in ("abs_diff", "ci_low", "ci_high")}
            if name == "ab_cuped":
                plain["p_value"] = row.unadjusted_p_value
            yield from _emit("ab", (row.campaign_id, "all", row.arm, "revenue_per_customer"), plain, f"{name}.csv")
            adjusted = {f: getattr(row, cuped_prefix + f) for f in ("abs_diff", "ci_low", "ci_high")}
            adjusted["p_adjusted"] = row.p_adjusted
            yield from _emit("ab", (row.campaign_id, "all", row.arm, "revenue_per_customer_cuped"), adjusted,
                             f"{name}.csv")


def kpi_figures(folder: Path) -> Iterator[Figure]:
    """KPI figures keyed by KPI and customer group; groups are named by what defines them
    (``all``, ``nine_box:core``, ``customer_type:B2B``), so DiD groups meet by-group rows of the same group."""
    params = yaml.safe_load((folder.parent / "params.yaml").read_text(encoding="utf-8"))
    by = params.get("segmentation", {}).get("segments_by", "nine_box")

    def group(segment: str) -> str:
        return "all" if segment == "all" else f"{by}:{segment}"

    changes = _read(folder, "kpi_changes")
    populations = {}
    for name in ("kpi_changes", "kpi_segments"):
        frame = _read(folder, name)
        for row in () if frame is None else frame.to_dict("records"):
            populations[(row["kpi"], group(row["segment"]))] = row.get("population")
            yield from _emit("kpi", (row["kpi"], group(row["segment"])),
                             {KPI_FIGURES[c]: row[c] for c in row if c in KPI_FIGURES}, f"{name}.csv",
                             row.get("population"))
    for name in ("kpi_template5", "kpi_tests"):  # the rows of all customers, labelled as in kpi_changes
        frame = _read(folder, name)
        for row in () if frame is None else frame.to_dict("records"):
            yield from _emit("kpi", (row["kpi"], "all"), {KPI_FIGURES[c]: row[c] for c in row if c in KPI_FIGURES},
                             f"{name}.csv", populations.get((row["kpi"], "all")))
    wide = _read(folder, "kpi_segments_changes")
    for row in () if wide is None else wide.to_dict("records"):
        for segment, value in row.items():
            if segment != "kpi":
                yield from _emit("kpi", (row["kpi"], group(segment)), {"change": value}, "kpi_segments_changes.csv",
                                 populations.get((row["kpi"], group(segment))))
    did = _read(folder, "kpi_did")
    if did is None or changes is None or not (params.get("kpis") or {}).get("did"):
        return
    spec = params["kpis"]["did"]
    sides = {"treated": spec["treated"], "comparison": spec.get("comparison")}
    labels = dict(zip(did["kpi"], did["population"], strict=True))
    for name in ("kpi_did", "kpi_did_table"):
        for row in _read(folder, name).to_dict("records"):
            for side, definition in sides.items():
                if not definition or len(definition.get("values", [])) != 1 or definition.get("customers"):
                    continue  # a group of several values or listed customers is no single by-group row
                column = definition["column"]
                key = (row["kpi"], f"{by if column == 'segment' else column}:{definition['values'][0]}")
                yield from _emit("kpi", key, {"before": row[f"{side}_before"], "after": row[f"{side}_after"]},
                                 f"{name}.csv", labels[row["kpi"]])


def disagreements(figures: list[Figure]) -> tuple[list[str], int]:
    """Figures that differ between files with the same (or a missing) population label; and how many
    figures were compared across files."""
    frame = pd.DataFrame(figures, columns=["family", "key", "figure", "file", "population", "value"])
    problems, compared = [], 0
    for (family, key, figure), rows in frame.groupby(["family", "key", "figure"], sort=False):
        if rows["file"].nunique() < 2:
            continue
        compared += 1
        records = rows.to_dict("records")
        for i, a in enumerate(records):
            for b in records[i + 1:]:
                if a["file"] == b["file"]:
                    continue
                labelled_apart = (pd.notna(a["population"]) and pd.notna(b["population"])
                                  and a["population"] != b["population"])
                if not labelled_apart and not math.isclose(a["value"], b["value"], rel_tol=1e-9, abs_tol=1e-9):
                    problems.append(f"{family} {key} {figure}: {a['value']} in {a['file']} ({a['population']}), "
                                    f"{b['value']} in {b['file']} ({b['population']})")
    return problems, compared


def test_every_figure_in_two_results_files_agrees_or_names_its_population(report):
    _, out = report
    folder = out / "2025Q3" / "results"
    figures = list(ab_figures(folder)) + list(kpi_figures(folder))
    problems, compared = disagreements(figures)
    assert problems == []
    assert compared >= 200  # the check has teeth: A/B and KPI figures shown in several tables


def test_the_check_catches_a_figure_that_differs_without_a_reason():
    figures = [("kpi", "aov|all", "after", "kpi_changes.csv", "each_window", 705.0),
               ("kpi", "aov|all", "after", "kpi_template5.csv", None, 708.0),
               ("kpi", "repurchase|customer_type:B2B", "after", "kpi_segments.csv", "both_windows", 0.804),
               ("kpi", "repurchase|customer_type:B2B", "after", "kpi_did.csv", "each_window", 0.749)]
    problems, compared = disagreements(figures)
    assert compared == 2 and len(problems) == 1 and "705.0" in problems[0]


@pytest.mark.parametrize("name", ["kpi_changes", "kpi_segments", "kpi_did"])
def test_kpi_tables_name_their_population(report, name):
    _, out = report
    frame = pd.read_csv(out / "2025Q3" / "results" / f"{name}.csv", encoding="utf-8-sig")
    assert frame["population"].isin(["both_windows", "each_window"]).all()
