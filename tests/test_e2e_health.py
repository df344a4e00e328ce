"""End to end, notebook 06: the rendered relationship-health report and its results contracts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import pdf_text

from crmreport.analyses.health.backtest import BACKTEST_COLUMNS
from crmreport.analyses.health.baselines import BASELINES, RANKERS
from crmreport.analyses.health.emotional import CLAIM_COLUMNS
from crmreport.analyses.health.profile import HEALTH_COLUMNS
from crmreport.analyses.health.value import CLV_MODEL_COLUMNS

SECTION_TITLES = {
    "en": ["Relationship Quality Index (RQI)", "Emotional account", "Customer health score",
           "How much the health score is worth (backtest)", "Purchase behaviour and customer lifetime value (CLV)",
           "Relationship map of the key accounts", "Relationship thermometer (VIP customers, weekly)"],
    "zh": ["关系质量指数（RQI）", "情感账户", "客户健康度指数", "客户健康度指数的可信度（回测）",
           "购买行为与客户生命周期价值（CLV）", "重点客户关系图谱", "关系温度计（VIP 客户，按周）"],
}


def _results(report) -> tuple[str, object]:
    language, out = report
    return language, out / "2025Q3" / "results"


def test_health_pdf_has_every_section_in_the_report_language(report):
    language, out = report
    text = pdf_text(out / "2025Q3" / "06_relationship_health.pdf")
    for title in SECTION_TITLES[language]:
        assert title in text, title
    assert "Traceback" not in text and "import " not in text
    assert "gamma_gamma" not in text and "emotional_account" not in text  # codes never reach a reader


def test_customer_health_contract(report, demo_folder):
    _, results = _results(report)
    health = pd.read_csv(results / "customer_health.csv", dtype={"customer_id": str})
    assert list(health.columns) == list(HEALTH_COLUMNS)
    customers = pd.read_csv(demo_folder / "customers.csv", dtype={"customer_id": str}, parse_dates=["signup_date"])
    assert set(health["customer_id"]) <= set(customers["customer_id"]) and health["customer_id"].is_unique
    assert health["rqi"].dropna().between(0, 100).all() and health["health_score"].dropna().between(0, 100).all()
    assert set(health["health_band"].dropna()) <= {"red", "yellow", "green"}
    assert set(health["health_trend"]) <= {"up", "down", "flat", "new"}
    assert health["p_alive"].dropna().between(0, 1).all() and (health["clv"].dropna() >= 0).all()
    assert set(health["rqi_components"]) <= {0, 1, 2, 3}
    assert health["health_score_previous"].dropna().between(0, 100).all()
    # one ranker from the backtest; recency bands the customers it cannot judge (docs/health.md)
    assert set(health["ranked_by"]) <= set(RANKERS) and len(set(health["ranked_by"]) - {"recency"}) <= 1
    assert health["rank_score"].dropna().between(0, 100).all()


def test_clv_model_backtest_and_claim_contracts(report):
    _, results = _results(report)
    model = pd.read_csv(results / "clv_model.csv")
    assert list(model.columns) == list(CLV_MODEL_COLUMNS)
    assert model["parameter"].tolist() == ["r", "alpha", "a", "b", "p", "q", "gamma"]
    assert (model["value"] > 0).all() and model["time_unit"].tolist() == ["week"] * 4 + [np.nan] * 3  # spend: no unit
    backtest = pd.read_csv(results / "health_backtest.csv")
    assert list(backtest.columns) == list(BACKTEST_COLUMNS)
    auc, deciles = backtest.iloc[0], backtest[backtest["row"] == "decile"]
    assert auc["row"] == "auc" and auc["ci_low"] > 0.5  # the demo plants churn the score must rank
    compared = backtest[backtest["row"].isin(["baseline", "difference"])]
    assert compared["score"].tolist() == [*BASELINES, compared["score"].iloc[-1]]
    assert (compared["customers"] == auc["customers"]).all() and (compared["churned"] == auc["churned"]).all()
    assert compared["p_value"].notna().tolist() == [False, False, False, True]
    assert 0 <= compared["p_value"].iloc[-1] <= 1
    assert deciles["customers"].sum() == auc["customers"] and len(deciles) == 10
    claim = pd.read_csv(results / "emotional_account_claim.csv")
    assert list(claim.columns) == list(CLAIM_COLUMNS) and len(claim) == 1
    assert claim.iloc[0]["claim_holds"] in ("yes", "no", "undecided")


@pytest.mark.parametrize("name", ["rqi_components", "rqi_by_segment", "health_weights", "health_fit",
                                  "health_baselines", "health_bands", "health_churn_risk", "health_churn_risk_table",
                                  "health_deciles", "health_calibration", "health_watch_list",
                                  "chart_key_account_radar", "chart_relationship_thermometer", "chart_clv_holdout"])
def test_every_health_table_has_its_csv(report, name):
    _, results = _results(report)
    assert (results / f"{name}.csv").is_file()


def test_bands_are_named_by_what_ranks_them_and_cross_tabulated_with_churn_risk(report):
    language, results = _results(report)
    bands = pd.read_csv(results / "health_bands.csv").set_index("health_band")
    # the score shown beside a band is the one that sets it, so a band's mean never lies outside its cuts
    assert bands.loc["red", "rank_score"] < 40 <= bands.loc["yellow", "rank_score"] < 70 <= bands.loc["green",
                                                                                                     "rank_score"]
    health = pd.read_csv(results / "customer_health.csv")
    watch = pd.read_csv(results / "health_watch_list.csv")
    assert ("health_score" in watch) == (health["ranked_by"] == "health").any()  # one score beside the band
    risk = pd.read_csv(results / "health_churn_risk.csv")
    segments = pd.read_csv(results / "customer_segments.csv")
    assert risk["customers"].sum() == len(health)
    assert risk.groupby("churn_risk")["customers"].sum().to_dict() == segments["churn_risk"].value_counts().to_dict()
    assert risk.groupby("health_band")["customers"].sum().reindex(["red", "yellow", "green"]).tolist() == \
        bands.loc[["red", "yellow", "green"], "customers"].tolist()
    text = "".join(pdf_text(results.parent / "06_relationship_health.pdf").split())  # table headers wrap
    words = {"en": ("CustomersandCLVperretentionband", "Whichlistdrivesthework", "Healthband"),
             "zh": ("各留存区间的客户数与生命周期价值", "以哪份名单为准", "健康度区间")}[language]
    assert words[0] in text and words[1] in text and words[2] not in text
