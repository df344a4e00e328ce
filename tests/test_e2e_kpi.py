"""End to end, notebook 04: the rendered demo period (shared `report` fixture of conftest.py) holds the
template 5 table in its PDF and results/kpi_changes.csv with the contract columns."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import pytest

from crmreport.analyses.kpi.kpieval import CHANGE_COLUMNS
from crmreport.measures.kpis import REGISTRY

HEADERS = {"en": ("Effect evaluation table (template 5)", "KPI", "Before", "After", "Change",
                  "Significance (adjusted p)", "Verdict"),
           "zh": ("效果评估分析表（模板五）", "指标", "策略实施前", "策略实施后", "变化幅度", "显著性（校正后 p 值）",
                  "评估结论")}
VERDICTS = {"en": ("significant improvement", "no significant change", "insufficient data"),
            "zh": ("显著改善", "无显著变化", "数据不足")}
CAVEAT = {"en": "is not proof that the strategy caused the change", "zh": "并不能证明变化是由策略带来的"}


def pdf_text(path: Path, layout: bool = True) -> str:
    """The PDF's text; ``layout=False`` keeps reading order, so a header wrapped inside its cell stays whole."""
    return subprocess.run(["pdftotext", *(["-layout"] if layout else []), str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_pdf_has_the_template5_table_with_kpis_and_verdicts_in_the_report_language(report):
    language, out = report
    folder = out / "2025Q3"
    for suffix in (".ipynb", ".html", ".pdf"):
        assert (folder / f"04_kpi_before_after{suffix}").is_file()
    text = pdf_text(folder / "04_kpi_before_after.pdf")
    flat = " ".join(text.split())
    in_reading_order = " ".join(pdf_text(folder / "04_kpi_before_after.pdf", layout=False).split())
    for header in HEADERS[language]:
        assert " ".join(header.split()) in in_reading_order, header
    for kpi in REGISTRY:  # in reading order: a long name wraps inside its cell
        assert kpi.display_name(language).split("（")[0].split(" (")[0] in in_reading_order, kpi.name
    assert any(verdict in flat for verdict in VERDICTS[language])
    assert CAVEAT[language] in flat
    assert "kpieval" not in text and "rep.table" not in text, "no code in the PDF"


def test_kpi_changes_csv_has_the_contract_columns(report):
    _, out = report
    results = out / "2025Q3" / "results"
    changes = pd.read_csv(results / "kpi_changes.csv", encoding="utf-8-sig")
    assert list(changes.columns) == CHANGE_COLUMNS
    whole = changes[changes["segment"] == "all"]
    assert whole["kpi"].tolist() == [kpi.name for kpi in REGISTRY]
    assert set(changes["verdict"]) <= {"significant_improvement", "significant_deterioration",
                                       "no_significant_change", "insufficient_data"}
    tested = changes.dropna(subset=["p_value"])
    assert ((tested["p_value"] >= 0) & (tested["p_value"] <= tested["p_adjusted"]) & (tested["p_adjusted"] <= 1)).all()
    for name in ("kpi_template5", "kpi_tests", "kpi_forest", "kpi_segments", "kpi_monthly",
                 "kpi_segmented_regression", "kpi_did"):
        assert (results / f"{name}.csv").is_file(), name


def test_kpi_values_match_the_demo_files(report, demo_folder):
    _, out = report
    changes = pd.read_csv(out / "2025Q3" / "results" / "kpi_changes.csv", encoding="utf-8-sig")
    row = changes[(changes["kpi"] == "csat_mean") & (changes["segment"] == "all")].iloc[0]
    surveys = pd.read_csv(demo_folder / "surveys.csv", parse_dates=["response_time"])
    surveys = surveys[surveys["csat"].between(1, 5)]
    q2 = surveys[(surveys["response_time"] >= "2025-04-01") & (surveys["response_time"] < "2025-07-01")]["csat"]
    q3 = surveys[(surveys["response_time"] >= "2025-07-01") & (surveys["response_time"] < "2025-10-01")]["csat"]
    assert (row["before"], row["after"], row["n_before"], row["n_after"]) == pytest.approx(
        (q2.mean(), q3.mean(), len(q2), len(q3)))
