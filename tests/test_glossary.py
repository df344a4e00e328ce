"""The glossary of measures: one label and one definition per measure, used wherever the report names it, and
the rendered demo's results walked: every shown measure listed, the same measure with the same value."""

from __future__ import annotations

import pandas as pd
import pytest

from crmreport.analyses.summary.headline import HEADLINES
from crmreport.core.i18n import LANGUAGES, catalog, label, t
from crmreport.measures.glossary import BANDED, COLUMNS, GLOSSARY, MEASURES, measures_frame, ranked_by, summary_measure
from crmreport.measures.kpis import REGISTRY


@pytest.mark.parametrize("language", LANGUAGES)
def test_two_measures_never_share_a_label(language):
    labels = [measure.label(language) for measure in GLOSSARY]
    assert len(labels) == len(set(labels)) == len(MEASURES)


def test_the_churns_and_the_slas_are_named_apart():
    churns = {"churn_rate", "lifecycle_churned_share", "monthly_churn_rate", "backtest_churn_rate",
              "execution_churn_rate"}
    for language in LANGUAGES:
        assert len({MEASURES[m].label(language) for m in churns}) == len(churns)
    assert MEASURES["sla_resolution"].label("en") != MEASURES["resolved_within_sla_share"].label("en")
    # the book says which resolution measure the summary uses
    assert "summary" in MEASURES["sla_resolution"].definition("en")
    assert "72" in MEASURES["sla_resolution"].definition("zh")


def test_every_kpi_and_every_summary_figure_is_a_measure():
    assert {kpi.name for kpi in REGISTRY} <= set(MEASURES)
    assert all(summary_measure(headline.key) is not None for headline in HEADLINES), "a headline figure is unlisted"
    assert summary_measure("completion_rate").id == "follow_up_completion_rate"


def test_chapters_name_a_measure_through_the_glossary():
    # a summary figure, a chapter's row label and a KPI read exactly the measure's label
    assert t("summary.figure.sla_resolution", "en") == MEASURES["sla_resolution"].label("en")
    assert label("average_order_value", "zh") == MEASURES["aov_12m"].label("zh") == "客单价（近 12 个月）"
    assert label("ex_churn_rate", "en") == MEASURES["execution_churn_rate"].label("en")
    assert REGISTRY[0].display_name("zh") == MEASURES[REGISTRY[0].name].label("zh")
    assert not [key for key, texts in catalog().items() if set(texts) != set(LANGUAGES)], "every alias resolved"


@pytest.mark.parametrize("ranker", ["health", "p_alive", "recency", "rfm"])
def test_the_band_definitions_name_the_score_that_ranks_the_run(ranker, tmp_path):
    pd.DataFrame({"customer_id": ["C1"], "ranked_by": [ranker]}).to_csv(tmp_path / "customer_health.csv", index=False)
    assert ranked_by(tmp_path) == ranker and ranked_by(tmp_path / "absent") is None
    frame = measures_frame(ranker).set_index("measure")
    for language in LANGUAGES:
        for measure in BANDED:
            assert label(f"score_{ranker}", language) in frame.loc[measure, f"definition_{language}"]
        # expected loss always uses the purchase model's dropout probability, whatever ranks the bands
        assert "P(alive)" in frame.loc["expected_loss", "definition_en"]
        assert "health score" not in frame.loc["expected_loss", "definition_en"]


def test_measures_csv_has_both_languages_and_no_empty_cell():
    frame = measures_frame()
    assert tuple(frame.columns) == COLUMNS
    assert len(frame) == len(GLOSSARY) and frame["measure"].is_unique
    assert frame.notna().all().all() and (frame.astype(str) != "").all().all()
    assert set(frame["direction"]) <= {"higher", "lower", "none"}


def _read(folder, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, encoding="utf-8-sig")


def _values(frame: pd.DataFrame, shown) -> pd.Series:
    rows = frame
    for column, value in shown.row:
        rows = rows[rows[column].astype(str) == value]
    return rows[shown.column]


def test_the_rendered_results_show_each_measure_once_defined_and_equal_everywhere(report):
    _, out = report
    results = out / "2025Q3" / "results"
    assert _read(results, "measures.csv").equals(measures_frame(ranked_by(results)).fillna(""))
    ranker = _read(results, "customer_health.csv")["ranked_by"].iloc[0]
    assert label(f"score_{ranker}", "en") in MEASURES["red_health_share"].definition("en", ranked_by(results))
    kpis = set(_read(results, "kpi_changes.csv")["kpi"])
    assert kpis <= set(MEASURES), "a KPI the book shows is not in the glossary"
    figures = _read(results, "summary_figures.csv")
    headline = figures.loc[figures["section"] == "headline", "figure"].str.replace(r" \(.*\)$", "", regex=True)
    assert all(summary_measure(name) is not None for name in headline)
    disagreements = []
    for measure in GLOSSARY:
        single = []
        for shown in measure.shown:
            path = results / shown.file
            if not path.is_file():
                continue  # a table the small demo set lacks
            values = _values(_read(results, shown.file), shown)
            assert shown.row or len(values) > 0, f"{measure.id}: {shown.file} has no {shown.column}"
            if shown.row and len(values) == 1:
                single.append((shown.file, float(values.iloc[0])))
        if len({round(value, 9) for _, value in single}) > 1:
            disagreements.append(f"{measure.id}: {single}")
    assert disagreements == [], "the same measure over the same customers and window differs between chapters"


def test_the_model_probabilities_the_bands_and_the_actives_are_named_apart():
    """Issue 21's second read (B7, B14, B15, B17, B25): one name per meaning in both languages."""
    zh = {key: texts["zh"] for key, texts in catalog().items()}
    # 1 - P(alive) is "不再购买概率"; 流失概率 names only the health score's logistic probability
    logistic = ("predicted", "calibration")  # the health score's own probability, its calibration table
    assert [key for key, text in zh.items() if "流失概率" in text and not any(w in key for w in logistic)] == []
    assert "不再购买概率" in MEASURES["expected_loss"].label("zh")
    assert "流失概率" in MEASURES["predicted_churn"].label("zh")
    assert not [key for key, text in zh.items() if "风险价值" in text], "风险价值 reads as value at risk (VaR)"
    # the bands say what ranks them; the health score's definition no longer claims to set them
    assert (label("health_band", "en"), label("health_band", "zh")) == ("Retention band", "留存区间")
    assert "Retention band".casefold() in MEASURES["red_health_share"].label("en").casefold().replace("red ", "")
    assert "bands by the parameters" not in MEASURES["health_score"].definition("en")
    assert label("rank_score", "en") == MEASURES["retention_score"].label("en")
    # "active": the lifecycle stage keeps the word; the monthly count and the model's probability do not
    assert label("active_customers", "en") == MEASURES["ordering_customers_month"].label("en") == \
        "Customers who ordered in the month"
    assert "active" not in MEASURES["p_alive"].label("en").casefold() and "活跃" not in MEASURES["p_alive"].label("zh")
    assert "active" not in label("score_p_alive", "en").casefold() and "活跃" not in label("score_p_alive", "zh")
    # the RFM segment does not read as a churn-risk list
    assert (label("rfm_slipping", "en"), label("rfm_slipping", "zh")) == ("Slipping", "下滑客户")
    # buying customers of the last 12 months against the customers the CLV models are fitted on
    assert "any purchase to date" in MEASURES["buying_customers"].definition("en")
    assert "any purchase to date" in t("health.clv.takeaway", "en", customers=1976, end="2025-09-30", p_alive=0.8,
                                       inactive=0.17, horizon=365, rate=0.1, total=1.0, currency="CNY", top=0.9)


#: the measures that are churn rates: a label, chart title or axis naming a churn rate names one of them
CHURN_RATES = ("churn_rate", "monthly_churn_rate", "execution_churn_rate", "backtest_churn_rate", "predicted_churn")


def test_every_label_chart_title_and_axis_naming_a_churn_rate_names_its_measure():
    """Labels, chart titles and axis labels are the catalog's short texts (no sentence); those naming a churn rate
    ("churn rate", 流失率) carry one churn measure's glossary label in both languages."""
    unnamed = []
    for key, texts in catalog().items():
        if key.startswith("measure.") or texts["en"].rstrip().endswith((".", ":", "]")) or len(texts["en"]) > 100:
            continue
        rate = "churn rate" in texts["en"].casefold() or "流失率" in texts["zh"]
        if rate and not any(all(MEASURES[m].label(lang) in texts[lang] for lang in LANGUAGES) for m in CHURN_RATES):
            unnamed.append(f"{key}: {texts['en']} / {texts['zh']}")
    assert unnamed == [], "a churn rate named apart from the glossary"
    assert label("churn_rate", "en") == MEASURES["backtest_churn_rate"].label("en")  # the health chapter's columns
    assert "Period churn" not in " ".join(MEASURES[m].label("en") for m in CHURN_RATES if m != "churn_rate")
