"""End to end: render a period from a small demo set in English and Chinese, then read the output
as a reader and an auditor would: pages, text, result tables, manifest, and no personal data."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, pdf_text
from pypdf import PdfReader
from scipy import stats

from crmreport.core.results import RESULT_FILES

PERSONAL_COLUMNS = ("name", "contact_name", "phone", "email")
EXPECTED_RESULTS = {spec.file for spec in RESULT_FILES if spec.notebook == "01"}  # notebook 01 always runs




def test_report_folder_has_every_artifact(report):
    _, out = report
    folder = out / "2025Q3"
    for suffix in (".ipynb", ".html", ".pdf"):
        assert (folder / f"01_profiling{suffix}").is_file()
    assert {p.name for p in (folder / "results").glob("*.csv")} >= EXPECTED_RESULTS
    assert (folder / "manifest.json").is_file() and (folder / "params.yaml").is_file()
    assert not any(p.name.startswith(".") for p in out.iterdir()), "no staging folder left behind"


def test_pdf_has_cover_contents_and_numbered_pages(report):
    language, out = report
    pdf = out / "2025Q3" / "01_profiling.pdf"
    reader = PdfReader(pdf)
    pages = len(reader.pages)
    assert pages >= 3
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842), "A4 portrait"
    text = pdf_text(pdf)
    if language == "en":
        assert "Customer profile and data quality" in text and "Contents" in text
        assert f"Page 2 of {pages}" in text
        assert "Row accounting" in text and "Customer information analysis table" in text
    else:
        assert "客户画像与数据质量" in text and "数据行核对" in text and "客户信息分析表" in text
        assert f"第 2 页，共 {pages} 页" in text
    assert "import crmreport" not in text and "rep.heading" not in text, "no code in the PDF"


def test_html_hides_code_and_has_contents(report):
    language, out = report
    html = (out / "2025Q3" / "01_profiling.html").read_text(encoding="utf-8")
    assert "rep.heading" not in html and "import crmreport" not in html
    assert "<img" in html and "data:image/png;base64" in html
    assert ("Row accounting" if language == "en" else "数据行核对") in html
    assert 'href="#' in html, "a contents list links to the sections"


def test_manifest_accounts_for_every_row_and_matches_ground_truth(report, demo_folder):
    _, out = report
    folder = out / "2025Q3"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok" and manifest["notebooks"][0]["status"] == "ok"
    truth = json.loads((demo_folder / "ground_truth.json").read_text(encoding="utf-8"))["quality_issues"]
    tables = manifest["data"]["tables"]
    for account in tables.values():
        assert account["rows_read"] == account["kept"] + account["quarantined"] + account["duplicates_removed"]
        assert len(account["fingerprint"]) == 64
    assert tables["transactions"]["duplicates_removed"] == truth["transactions_exact_duplicates"]
    assert tables["surveys"]["reasons"] == {"csat outside 1-5": truth["surveys_csat_out_of_range"],
                                            "nps outside 0-10": truth["surveys_nps_out_of_range"]}
    assert tables["tickets"]["reasons"] == {"first_response_at before opened_at":
                                            truth["tickets_response_before_opened"]}
    assert tables["customers"]["flags"] == {"invalid_phone": truth["customers_invalid_phone"],
                                            "invalid_email": truth["customers_invalid_email"]}
    quarantined = pd.read_csv(folder / "quarantine" / "surveys.csv", encoding="utf-8-sig")
    assert len(quarantined) == tables["surveys"]["quarantined"] and quarantined["reason"].notna().all()
    accounting = pd.read_csv(folder / "results" / "row_accounting.csv")
    assert accounting["rows_read"].sum() == sum(a["rows_read"] for a in tables.values())
    assert set(manifest["versions"]) >= {"python", "pandas", "duckdb", "papermill", "weasyprint"}
    assert manifest["engine"] == {"name": "duckdb", "version": manifest["versions"]["duckdb"]}
    for name, digest in manifest["results"].items():
        assert hashlib.sha256((folder / "results" / name).read_bytes()).hexdigest() == digest


def test_template1_profile_matches_an_independent_computation(report, demo_folder):
    _, out = report
    profile = pd.read_csv(out / "2025Q3" / "results" / "customer_profile.csv", encoding="utf-8-sig")
    transactions = pd.read_csv(demo_folder / "transactions.csv", parse_dates=["transaction_date"])
    transactions = transactions.drop_duplicates()
    expected = transactions[transactions["transaction_date"] < "2025-10-01"].groupby("customer_id")["amount"].sum()
    got = profile.set_index("customer_id")["cumulative_amount"]
    pd.testing.assert_series_equal(got.reindex(expected.index), expected, check_names=False, rtol=1e-9)
    customers = pd.read_csv(demo_folder / "customers.csv")
    assert len(profile) == len(customers)


def staff_display_names() -> set[str]:
    """The display labels params give staff names (``labels.staff``): staff are not masked, by design."""
    labels = yaml.safe_load((ROOT / "params" / "defaults.yaml").read_text(encoding="utf-8"))["labels"]["staff"]
    return {text for by_language in labels.values() for text in by_language.values()}


def raw_personal_values(demo_folder: Path) -> set[str]:
    customers = pd.read_csv(demo_folder / "customers.csv", dtype=str)
    staff = set(customers["account_manager"].dropna()) | staff_display_names()
    values = set()
    for column in PERSONAL_COLUMNS:
        values |= {v for v in customers[column].dropna() if len(v) >= 2 and v not in staff}
    tasks = pd.read_csv(demo_folder / "tasks.csv", dtype=str)
    free_text = " ".join(tasks[["feedback", "problem", "next_action"]].fillna("").to_numpy().ravel())
    planted = set(re.findall(r"1[3-9]\d{9}", free_text)) | set(re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", free_text))
    assert planted, "the demo plants contact details in task feedback"
    return values | planted


def artifact_texts(out: Path):
    for path in sorted(out.rglob("*")):
        if path.is_dir():
            continue
        if path.suffix == ".pdf":
            yield path, pdf_text(path)
        else:
            yield path, path.read_bytes().decode("utf-8", errors="replace")


def test_no_personal_data_in_any_artifact(report, demo_folder):
    _, out = report
    secrets = raw_personal_values(demo_folder)
    assert len(secrets) > 500
    pattern = re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)))
    scanned = 0
    for path, text in artifact_texts(out):
        scanned += 1
        found = pattern.search(text)
        assert found is None, f"{path.relative_to(out)} contains unmasked personal data"
    assert scanned >= 10


def test_masking_off_is_printed_on_the_cover(demo_folder, tmp_path):
    params = tmp_path / "unmasked.yaml"
    params.write_text("period: 2025Q3\nmasking: false\nformats: [pdf]\nas_of: 2025-10-15\n")
    done = subprocess.run(
        [sys.executable, "-m", "crmreport.cli", "run", "--period", "2025Q3", "--params", str(params), "--data",
         str(demo_folder), "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    cover = pdf_text(tmp_path / "2025Q3" / "01_profiling.pdf").split("\f")[0]
    assert "NOT masked" in cover


def test_profile_numbers_match_independent_computations(report, demo_folder):
    _, out = report
    results = out / "2025Q3" / "results"
    surveys = pd.read_csv(demo_folder / "surveys.csv", parse_dates=["response_time"])
    in_period = surveys[(surveys["response_time"] >= "2025-07-01") & (surveys["response_time"] < "2025-10-01")]
    answers = in_period["nps"].dropna()
    expected_nps = 100 * ((answers >= 9).mean() - (answers <= 6).mean())
    nps = pd.read_csv(results / "nps.csv", encoding="utf-8-sig").iloc[0]
    assert nps["nps"] == pytest.approx(expected_nps) and nps["n"] == len(answers)
    base = pd.read_csv(results / "customer_base_summary.csv", encoding="utf-8-sig").set_index("metric")
    customers = pd.read_csv(demo_folder / "customers.csv", parse_dates=["signup_date"])
    assert base.loc["customers", "after"] == (customers["signup_date"] <= "2025-09-30").sum()
    transactions = pd.read_csv(demo_folder / "transactions.csv", parse_dates=["transaction_date"]).drop_duplicates()
    recent = transactions[(transactions["transaction_date"] >= "2024-10-01")
                          & (transactions["transaction_date"] < "2025-10-01")]
    per_customer = recent.groupby("customer_id")["amount"].sum().clip(lower=0).sort_values(ascending=False)
    top = per_customer.iloc[: int(np.ceil(len(customers) * 0.2))].sum() / per_customer.sum()
    shares = pd.read_csv(results / "concentration.csv", encoding="utf-8-sig").set_index("top_share_of_customers")
    assert shares.loc[0.2, "share_of_amount"] == pytest.approx(top)
    assert (out / "2025Q3" / "results" / "customer_profile.xlsx").is_file()


def test_only_required_tables_degrade_gracefully(demo_folder, tmp_path):
    folder = tmp_path / "minimal"
    folder.mkdir()
    for name in ("customers", "transactions"):
        (folder / f"{name}.csv").write_bytes((demo_folder / f"{name}.csv").read_bytes())
    done = subprocess.run(
        [sys.executable, "-m", "crmreport.cli", "run", "--period", "2025Q3", "--data", str(folder), "--out",
         str(tmp_path), "--format", "html"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    html = (tmp_path / "2025Q3" / "01_profiling.html").read_text(encoding="utf-8")
    for table in ("surveys", "interactions", "tickets"):
        assert f"This section needs the {table.capitalize()} table, which the data source does not provide" in html
    assert "Customer information analysis table" in html


# Notebook 03 (outreach A/B tests): the PDF has the campaign tables, ab_tests.csv keeps its contract
# and recovers the planted arm effects of the demo set.
AB_TEST_COLUMNS = ["campaign_id", "segment", "metric", "arm", "control_arm", "n_arm", "n_control", "value_arm",
                   "value_control", "abs_diff", "ci_low", "ci_high", "rel_lift", "rel_ci_low", "rel_ci_high",
                   "p_value", "p_adjusted", "significant", "seq_ci_low", "seq_ci_high", "seq_p_value",
                   "seq_p_adjusted", "prob_beat_control", "method", "message"]
AB_SRM_COLUMNS = ["campaign_id", "arm", "n", "expected_share", "observed_share", "srm_p_value"]


def test_ab_tests_pdf_has_the_campaign_tables(report):
    language, out = report
    text = pdf_text(out / "2025Q3" / "03_outreach_ab_tests.pdf")
    expected = {"en": ["Outreach A/B tests, 2025Q3", "Campaigns in the period", "Sample ratio check",
                       "Campaign CALL-2025Q3", "Campaign SMS-2025Q3", "Response and conversion", "Lifts at a glance",
                       "Layered outreach board", "Business view", "Power and planning", "EMAIL-2025Q2"],
                "zh": ["触达活动 A/B 测试评估（2025Q3）", "本期触达活动", "样本比例检验", "活动 CALL-2025Q3",
                       "活动 SMS-2025Q3", "响应率与转化率", "提升幅度总览", "分层触达看板", "业务视角",
                       "检验效能与样本规划"]}
    for phrase in expected[language]:
        assert phrase in text, phrase
    assert not re.search(r"ab_(verdict|msg|metric|status)_", text), "every code is translated"


def test_ab_tests_csv_keeps_the_contract_and_recovers_the_planted_effects(report, demo_folder):
    _, out = report
    results = out / "2025Q3" / "results"
    tests = pd.read_csv(results / "ab_tests.csv", encoding="utf-8-sig")
    srm = pd.read_csv(results / "ab_srm.csv", encoding="utf-8-sig")
    assert list(tests.columns) == AB_TEST_COLUMNS and list(srm.columns) == AB_SRM_COLUMNS
    truth = json.loads((demo_folder / "ground_truth.json").read_text(encoding="utf-8"))["campaigns"]
    # the quarter's campaigns, and the call pilot that started in 2025Q2 and concludes in 2025Q3
    assert set(tests["campaign_id"]) == {c for c, t in truth.items() if t["quarter"] == "2025Q3"} | {"PILOT-2025Q2"}
    whole = tests[tests["segment"] == "all"].set_index(["campaign_id", "arm", "metric"])
    family = []
    for campaign_id in set(tests["campaign_id"]):
        campaign = truth[campaign_id]
        assert srm.loc[srm["campaign_id"] == campaign_id].set_index("arm")["n"].to_dict() == campaign["n_assigned"]
        control = campaign["arms"][campaign["control_arm"]]
        for arm, effects in campaign["effects"].items():
            planted = {**effects, "revenue_per_converter": campaign["arms"][arm]["revenue_per_converter"]
                       - control["revenue_per_converter"]}
            for metric, effect in planted.items():
                row = whole.loc[(campaign_id, arm, metric)]
                if np.isfinite(row["ci_low"]):
                    family.append((campaign_id, arm, metric, effect, row))
                else:  # about 55 customers per arm: an arm without conversions says so
                    assert isinstance(row["message"], str) and row["message"]
    assert len(family) >= 8
    # A family-wise statement: with 13 planted effects each inside its own 95% interval, by chance alone one miss
    # is likely (1 - 0.95^13 = 49%), and at 300 customers revenue per converter rests on 2-5 converters per
    # arm, where the delta-method z interval covers about 84% (simulated). So every planted effect must lie in
    # its interval widened to the Bonferroni level over the family (z of 0.05 / 2m instead of 0.025, each side
    # scaled about the estimate): 95% for all of them together.
    widen = stats.norm.ppf(1 - 0.05 / (2 * len(family))) / stats.norm.ppf(0.975)
    for campaign_id, arm, metric, effect, row in family:
        low = row["abs_diff"] - widen * (row["abs_diff"] - row["ci_low"])
        high = row["abs_diff"] + widen * (row["ci_high"] - row["abs_diff"])
        assert low <= effect <= high, (campaign_id, arm, metric, effect, row["ci_low"], row["ci_high"])
