"""The KPI registry: definitions, computations against independent pandas code on the embedded demo data,
and the demo generator's planted truth (changes flagged, nulls not)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crmreport.analyses.kpi.kpieval import default_segments, evaluate
from crmreport.core.contract import TABLES
from crmreport.core.i18n import catalog
from crmreport.ingest.dataset import prepare_dataset
from crmreport.ingest.sources import embedded_demo_path
from crmreport.measures import kpis
from crmreport.settings import KpiParams, Window, load_params

ROOT = Path(__file__).resolve().parents[1]
Q1 = Window(start=date(2025, 1, 1), end=date(2025, 3, 31))
Q2 = Window(start=date(2025, 4, 1), end=date(2025, 6, 30))
Q3 = Window(start=date(2025, 7, 1), end=date(2025, 9, 30))
EXACT = 1e-9


@pytest.fixture(scope="module")
def demo():
    params = load_params("2025Q3", overrides={"as_of": "2025-10-15"}, root=Path(__file__).parent / "fixtures")
    return prepare_dataset(params), params


@pytest.fixture(scope="module")
def raw() -> dict[str, pd.DataFrame]:
    """The embedded demo files read with plain pandas, with the cleaning rules that touch the KPIs applied."""
    folder = embedded_demo_path()
    tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in
              ("customers", "transactions", "surveys", "tickets", "tasks", "interactions")}
    tables["transactions"] = tables["transactions"].drop_duplicates()
    surveys = tables["surveys"]
    tables["surveys"] = surveys[~((surveys["csat"] > 5) | (surveys["nps"] > 10)).fillna(False)]
    tickets = tables["tickets"]
    tables["tickets"] = tickets[~(tickets["first_response_at"] < tickets["opened_at"]).fillna(False)]
    return tables


@pytest.fixture(scope="module")
def changes(demo):
    data, params = demo
    return evaluate(data, params, default_segments(data)).set_index(["kpi", "segment"])


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((embedded_demo_path() / "ground_truth.json").read_text(encoding="utf-8"))["kpi_changes"]


def between(frame: pd.DataFrame, column: str, window: Window) -> pd.DataFrame:
    values = frame[column]
    return frame[(values >= str(window.start)) & (values < str(window.end + pd.Timedelta(days=1)))]


def oracle(raw: dict[str, pd.DataFrame], name: str, window: Window, previous: Window) -> float:
    """Each KPI of one window, written independently of crmreport.kpis."""
    tx, customers = raw["transactions"], raw["customers"]
    bought = between(tx[tx["amount"] > 0], "transaction_date", window)
    existing = customers[customers["signup_date"].isna() | (customers["signup_date"] <= str(window.end))]
    surveys = between(raw["surveys"], "response_time", window)
    tickets = between(raw["tickets"], "opened_at", window)
    if name in ("churn_rate", "retention_rate"):
        active = set(between(tx[tx["amount"] > 0], "transaction_date", previous)["customer_id"])
        churned = len(active - set(bought["customer_id"])) / len(active)
        return churned if name == "churn_rate" else 1 - churned
    if name == "repurchase_rate":
        return (bought["customer_id"].value_counts() >= 2).mean()
    if name == "aov":
        return bought["amount"].sum() / len(bought)
    if name == "revenue_per_customer":
        return between(tx, "transaction_date", window).query("customer_id in @existing.customer_id")[
            "amount"].sum() / len(existing)
    if name == "csat_mean":
        return surveys["csat"].dropna().astype(float).mean()
    if name == "csat_top2_share":
        return surveys["csat"].dropna().isin([4, 5]).mean()
    if name == "nps":
        answers = surveys["nps"].dropna()
        return 100 * (answers.ge(9).sum() - answers.le(6).sum()) / len(answers)
    if name == "trust_mean":
        return surveys["trust"].dropna().astype(float).mean()
    if name == "complaints_per_100_customers":
        return 100 * (tickets["category"] == "complaint").sum() / len(existing)
    if name == "median_first_response_hours":
        answered = tickets.dropna(subset=["first_response_at"])
        return ((answered["first_response_at"] - answered["opened_at"]) / pd.Timedelta(hours=1)).median()
    if name == "resolved_within_sla_share":
        limit = np.where(tickets["priority"] == "urgent", 2, 24)
        hours = (tickets["resolved_at"] - tickets["opened_at"]) / pd.Timedelta(hours=1)
        return (hours.to_numpy() <= limit).mean()  # NaN (unresolved) compares False
    if name == "follow_up_completion_rate":
        return (between(raw["tasks"], "planned_date", window)["status"] == "done").mean()
    if name == "outbound_response_rate":
        outbound = between(raw["interactions"], "interaction_time", window).query("direction == 'outbound'")
        return (outbound["responded"] == True).sum() / len(outbound)  # noqa: E712 (NA is not a response)
    raise KeyError(name)


@pytest.mark.parametrize("name", [k.name for k in kpis.REGISTRY if k.stat_type != "growth"])
@pytest.mark.parametrize(("window", "previous"), [(Q2, Q1), (Q3, Q2)])
def test_every_kpi_matches_an_independent_pandas_computation(demo, raw, name, window, previous):
    data, _ = demo
    kpi = kpis.KPIS[name]
    observations = kpis.observations(kpi, data, window, KpiParams())
    assert list(observations.columns) == kpis.OBSERVATION_COLUMNS and len(observations) > 100
    assert kpis.kpi_value(kpi, observations["value"]) == pytest.approx(oracle(raw, name, window, previous), rel=EXACT)


def test_aov_growth_is_the_growth_of_aov_over_the_window_before(changes, raw):
    aov = {q: oracle(raw, "aov", w, w) for q, w in (("q1", Q1), ("q2", Q2), ("q3", Q3))}
    row = changes.loc[("aov_growth", "all")]
    assert (row["before"], row["after"]) == pytest.approx((aov["q2"] / aov["q1"] - 1, aov["q3"] / aov["q2"] - 1),
                                                          rel=EXACT)
    assert row["test"] == "growth_delta_z"


def test_registry_definitions_are_complete():
    assert len(kpis.KPIS) == len(kpis.REGISTRY) == 15
    zh = {k.name: k.display_name("zh") for k in kpis.REGISTRY}
    # the users' own words (shared/DOMAIN.md)
    # (a qualifier may follow the users' word: the glossary names the period's churn apart from other churns)
    users = {"churn_rate": "客户流失率", "retention_rate": "客户留存率", "repurchase_rate": "复购率", "aov": "客单价",
             "aov_growth": "客单价增长率", "nps": "净推荐值"}
    assert all(zh[code].startswith(word) for code, word in users.items())
    assert zh["csat_mean"].startswith("客户满意度") and zh["complaints_per_100_customers"].startswith("客户投诉量")
    assert zh["median_first_response_hours"].startswith("服务响应时效")
    assert zh["resolved_within_sla_share"].startswith("问题解决率")
    formats = kpis.row_formats(lambda v: f"{v:+.1%}")
    for kpi in kpis.REGISTRY:
        assert set(kpi.tables) <= set(TABLES), kpi.name
        assert kpi.better in ("higher", "lower") and kpi.min_change > 0 and kpi.definition
        assert kpi.name in formats
        assert (kpi.observe is None) == (kpi.stat_type == "growth")
    assert kpis.KPIS["aov_growth"].base == "aov" and kpis.KPIS["retention_rate"].mirror_of == "churn_rate"


def test_docs_kpis_md_holds_the_registry_table():
    text = (ROOT / "docs" / "kpis.md").read_text(encoding="utf-8")
    assert kpis.kpi_markdown() in text, "regenerate the table: python scripts/write_kpi_doc.py"


def test_every_test_verdict_and_label_has_both_languages():
    from crmreport.core.verdicts import OBSERVATIONAL
    from crmreport.stats import beforeafter

    messages = catalog()
    keys = [f"label.kpi_test_{t}" for t in beforeafter.TESTS] + [f"label.kpi_verdict_{v}" for v in OBSERVATIONAL]
    assert [k for k in keys if set(messages.get(k, {})) != {"en", "zh"}] == []
    assert messages["label.kpi_before"]["zh"] == "策略实施前" and messages["label.kpi_after"]["zh"] == "策略实施后"
    assert [messages[f"label.kpi_verdict_{v}"]["zh"] for v in OBSERVATIONAL] == [
        "显著改善", "显著恶化", "无显著变化", "数据不足"]


@pytest.mark.parametrize(("window", "days", "expected"), [
    (Q3, None, Q2), (Q2, None, Q1), (Window(start=date(2025, 3, 1), end=date(2025, 3, 31)), None,
                                     Window(start=date(2025, 2, 1), end=date(2025, 2, 28))),
    (Window(start=date(2025, 1, 1), end=date(2025, 6, 30)), None, Window(start=date(2024, 7, 1),
                                                                         end=date(2024, 12, 31))),
    (Window(start=date(2025, 7, 10), end=date(2025, 7, 19)), None, Window(start=date(2025, 6, 30),
                                                                          end=date(2025, 7, 9))),
    (Q3, 30, Window(start=date(2025, 6, 1), end=date(2025, 6, 30))),
])
def test_preceding_window(window, days, expected):
    assert kpis.preceding(window, days) == expected


def test_activity_days_set_the_churn_lookback(demo, raw):
    data, _ = demo
    settings = KpiParams(activity_days=30)
    churn = kpis.observations(kpis.KPIS["churn_rate"], data, Q3, settings)
    june = Window(start=date(2025, 6, 1), end=date(2025, 6, 30))
    assert churn["value"].mean() == pytest.approx(oracle(raw, "churn_rate", Q3, june), rel=EXACT)


def test_resolution_sla_hours_come_from_params(demo):
    data, _ = demo
    strict = kpis.observations(kpis.KPIS["resolved_within_sla_share"], data, Q3,
                               KpiParams(resolution_sla_hours={"urgent": 1, "high": 1, "medium": 1, "low": 1}))
    default = kpis.observations(kpis.KPIS["resolved_within_sla_share"], data, Q3, KpiParams())
    assert strict["value"].mean() < default["value"].mean()


def test_missing_tables_give_no_observations(demo):
    data, _ = demo
    without = type(data)({k: v for k, v in data.tables.items() if k != "surveys"}, {}, {}, "test", True)
    assert kpis.observations(kpis.KPIS["nps"], without, Q3, KpiParams()) is None
    assert kpis.observations(kpis.KPIS["aov_growth"], data, Q3, KpiParams()) is None
    assert np.isnan(kpis.kpi_value(kpis.KPIS["nps"], []))


# The demo generator's planted truth. Planted effects: csat_mean, nps, complaints_per_100_customers,
# median_first_response_hours; planted nulls: trust_mean, aov, outbound_response_rate.

@pytest.mark.parametrize("name", ["csat_mean", "complaints_per_100_customers", "median_first_response_hours"])
def test_planted_changes_are_flagged_as_improvements(changes, truth, name):
    row = changes.loc[(name, "all")]
    assert truth[name]["planted_effect"]
    assert row["verdict"] == "significant_improvement"
    assert row["ci_low"] <= truth[name]["change"] <= row["ci_high"]


@pytest.mark.parametrize("name", ["trust_mean", "aov", "outbound_response_rate"])
def test_planted_nulls_are_not_flagged(changes, truth, name):
    row = changes.loc[(name, "all")]
    assert not truth[name]["planted_effect"]
    assert row["verdict"] == "no_significant_change"
    assert row["ci_low"] <= truth[name]["change"] <= row["ci_high"]


def test_the_demo_sample_hides_the_planted_nps_rise(changes, truth, raw):
    # The embedded sample's NPS does not rise: 29.7 -> 28.7 points over about 400 answers per quarter,
    # while the planted expectation rises 24.1 -> 34.5. The sample change sits 2.1 standard errors
    # below the planted one (bad luck of this seed, checked against plain pandas), so no test can
    # flag it; over 20 seeds the evaluation detects the planted NPS rise in 15% of data sets at this
    # size (benchmarks/bench_kpi_seeds.py, docs/kpis.md).
    row = changes.loc[("nps", "all")]
    assert (row["before"], row["after"]) == pytest.approx((oracle(raw, "nps", Q2, Q1), oracle(raw, "nps", Q3, Q2)))
    se = (row["ci_high"] - row["ci_low"]) / (2 * 1.959963984540054)
    assert (truth["nps"]["change"] - row["abs_change"]) / se > 2
    assert row["verdict"] == "no_significant_change" and row["test"] == "nps_multinomial_z"


@pytest.mark.slow
def test_planted_changes_and_nulls_over_seeds(tmp_path):
    from crmreport.demo import write_demo_data

    detected, flagged = {}, {}
    for seed in range(1, 9):
        folder = write_demo_data(tmp_path / str(seed), n_customers=2000, seed=seed, file_format="parquet")
        planted = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))["kpi_changes"]
        params = load_params("2025Q3", overrides={"data": str(folder), "as_of": "2025-10-15"}, root=tmp_path)
        result = evaluate(prepare_dataset(params), params).set_index("kpi")
        for name, spec in planted.items():
            verdict = result.loc[name, "verdict"]
            if spec["planted_effect"]:
                detected[name] = detected.get(name, 0) + (verdict == "significant_improvement")
            else:
                flagged[name] = flagged.get(name, 0) + (verdict != "no_significant_change")
    assert sum(flagged.values()) <= 1, flagged  # 3 nulls x 8 seeds
    assert detected["csat_mean"] >= 7 and detected["median_first_response_hours"] >= 6, detected
    assert sum(detected.values()) >= 14, detected  # of 32; the benchmark measures ~60% at this size
