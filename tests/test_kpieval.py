"""KPI evaluation: designs, the multiplicity family, verdicts, thin data, segments, series and DiD."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests

from crmreport.analyses.kpi import diffindiff, kpieval, observed, timeseries
from crmreport.core.errors import ParamsError
from crmreport.ingest.dataset import Dataset, prepare_dataset
from crmreport.measures.kpis import KPIS
from crmreport.settings import load_params

FIXTURES = Path(__file__).parent / "fixtures"


def _params(**kpis):
    return load_params("2025Q3", overrides={"as_of": "2025-10-15", "kpis": kpis}, root=FIXTURES)


@pytest.fixture(scope="module")
def data() -> Dataset:
    return prepare_dataset(_params())


@pytest.fixture(scope="module")
def changes(data) -> pd.DataFrame:
    return kpieval.evaluate(data, _params(), kpieval.default_segments(data))


def _without(data: Dataset, *tables: str) -> Dataset:
    return Dataset({k: v for k, v in data.tables.items() if k not in tables}, {}, {}, "test", True)


def test_contract_columns_and_rows(changes, data):
    assert kpieval.CHANGE_COLUMNS == ["kpi", "segment", "before", "after", "abs_change", "rel_change", "ci_low",
                                      "ci_high", "test", "p_value", "p_adjusted", "min_meaningful_change", "verdict",
                                      "n_before", "n_after", "population"]
    assert list(changes.columns[:16]) == kpieval.CHANGE_COLUMNS
    assert (changes["population"] == changes["design"].map({"paired": "both_windows"}).fillna("each_window")).all()
    # a growth KPI (AOV growth) is compared for all customers only, never by group (nor tested there)
    assert set(changes["segment"]) == {"all", "B2B", "B2C"} and len(changes) == 14 * 3 + 1
    assert changes.loc[changes["kpi"] == "aov_growth", "segment"].tolist() == ["all"]
    assert (changes["rel_change"] == changes["abs_change"] / changes["before"].abs()).all()
    assert changes["verdict"].isin(["significant_improvement", "significant_deterioration", "no_significant_change",
                                    "insufficient_data"]).all()


def test_headline_kpis_and_subgroup_cells_are_two_holm_families_counting_a_mirror_once(changes):
    distinct = changes[changes["kpi"] != "retention_rate"]
    for family in (distinct[distinct["segment"] == "all"], distinct[distinct["segment"] != "all"]):
        expected = multipletests(family["p_value"], method="holm")[1]
        assert family["p_adjusted"].to_numpy() == pytest.approx(expected, rel=1e-12)
    churn = changes[changes["kpi"] == "churn_rate"].set_index("segment")
    retention = changes[changes["kpi"] == "retention_rate"].set_index("segment")
    assert (retention["p_adjusted"] == churn["p_adjusted"]).all()
    assert retention["abs_change"].to_numpy() == pytest.approx(-churn["abs_change"].to_numpy(), rel=1e-12)
    bh = kpieval.evaluate(_without(prepare_dataset(_params()), "surveys"), _params(correction="bh"))
    tested = bh[bh["p_value"].notna() & (bh["kpi"] != "retention_rate")]
    for family in (tested[tested["segment"] == "all"], tested[tested["segment"] != "all"]):
        assert family["p_adjusted"].to_numpy() == pytest.approx(multipletests(family["p_value"], method="fdr_bh")[1])


def test_auto_design_detects_panels_and_names_the_test(changes):
    rows = changes[changes["segment"] == "all"].set_index("kpi")
    # nearly every customer exists in both quarters: revenue per customer is a panel
    assert rows.loc["revenue_per_customer", ["design", "test"]].tolist() == ["paired", "paired_t"]
    assert rows.loc["revenue_per_customer", "overlap"] > 0.9
    # two-thirds of the buyers buy in both quarters: repurchase (yes/no per customer) is a panel -> McNemar
    assert rows.loc["repurchase_rate", ["design", "test"]].tolist() == ["paired", "mcnemar"]
    # few customers answer a survey in both quarters: independent samples
    assert rows.loc["csat_mean", ["design", "test"]].tolist() == ["independent", "welch_t"]
    assert rows.loc["csat_mean", "overlap"] < 0.5
    assert rows.loc["nps", "test"] == "nps_multinomial_z" and rows.loc["aov", "test"] == "ratio_delta_z"
    assert rows.loc["complaints_per_100_customers", "test"] == "poisson_rate"
    assert rows.loc["median_first_response_hours", "test"] == "mann_whitney"
    assert rows.loc["churn_rate", "test"] == "two_proportion_z" and np.isnan(rows.loc["churn_rate", "overlap"])


def test_paired_rows_use_the_customers_in_both_windows(data):
    params = _params(include=["revenue_per_customer", "repurchase_rate", "csat_mean"], design="paired")
    rows = kpieval.evaluate(data, params).set_index("kpi")
    q2, q3 = params.baseline_window, params.window
    buyers = {}
    tx = data.tables["transactions"]
    for name, window in (("b", q2), ("a", q3)):
        inside = tx[(tx["transaction_date"] >= str(window.start))
                    & (tx["transaction_date"] <= f"{window.end} 23:59:59")]
        buyers[name] = inside[inside["amount"] > 0].groupby("customer_id").size()
    both = buyers["b"].index.intersection(buyers["a"].index)
    repurchase = rows.loc["repurchase_rate"]
    assert (repurchase["n_before"], repurchase["n_after"]) == (len(both), len(both))
    assert (repurchase["before"], repurchase["after"]) == pytest.approx(
        ((buyers["b"][both] >= 2).mean(), (buyers["a"][both] >= 2).mean()))
    assert rows.loc["csat_mean", "test"] == "paired_t" and rows.loc["csat_mean", "n_before"] < 200
    wilcoxon = kpieval.evaluate(data, _params(include=["csat_mean"], design="paired", paired_test="wilcoxon"))
    assert wilcoxon.loc[0, "test"] == "wilcoxon"
    forced = kpieval.evaluate(data, _params(include=["revenue_per_customer"], designs={
        "revenue_per_customer": "independent"}))
    assert forced.loc[0, "test"] == "welch_t"


def test_paired_design_on_a_kpi_without_a_panel_falls_back_with_a_warning(data, caplog):
    with caplog.at_level(logging.WARNING, logger="crmreport"):
        rows = kpieval.evaluate(data, _params(include=["churn_rate"], designs={"churn_rate": "paired"}))
    assert rows.loc[0, ["design", "test"]].tolist() == ["independent", "two_proportion_z"]
    assert "churn_rate has no per-customer panel" in caplog.text


def test_missing_tables_give_insufficient_data_not_errors(data):
    thin = _without(data, "surveys", "tickets", "tasks", "interactions")
    rows = kpieval.evaluate(thin, _params(), kpieval.default_segments(thin))
    lacking = rows[rows["kpi"].isin(["csat_mean", "nps", "trust_mean", "csat_top2_share",
                                     "median_first_response_hours", "complaints_per_100_customers",
                                     "resolved_within_sla_share", "follow_up_completion_rate",
                                     "outbound_response_rate"])]
    assert (lacking["verdict"] == "insufficient_data").all() and (lacking["message"] == "missing_table").all()
    assert lacking["p_value"].isna().all() and (lacking["n_before"] == 0).all()
    assert kpieval.missing_tables(thin, _params().kpis)["nps"] == ["surveys"]
    assert rows.loc[rows["kpi"] == "aov", "verdict"].ne("insufficient_data").all()


def test_too_few_observations_give_insufficient_data(data, tiny):
    rows = kpieval.evaluate(data, _params(min_n=5000)).set_index("kpi")
    assert (rows["verdict"] == "insufficient_data").all()
    assert rows.loc["csat_mean", "before"] == pytest.approx(data.tables["surveys"].pipe(
        lambda s: s.loc[(s["response_time"] >= "2025-04-01") & (s["response_time"] < "2025-07-01"), "csat"].mean()))
    tiny_data = prepare_dataset(load_params("2025Q3", overrides={"data": str(tiny), "as_of": "2025-10-15"},
                                            root=FIXTURES))
    tiny_rows = kpieval.evaluate(tiny_data, _params(), kpieval.default_segments(tiny_data))
    assert (tiny_rows["verdict"] == "insufficient_data").all() and len(tiny_rows) == 14 * 3 + 1  # AOV growth: all only


def test_min_change_and_include_from_params(data):
    strict = kpieval.evaluate(data, _params(include=["csat_mean", "nps"], min_change={"csat_mean": 0.5}))
    assert strict["kpi"].tolist() == ["csat_mean", "nps"]
    row = strict.set_index("kpi").loc["csat_mean"]
    assert row["p_adjusted"] < 0.05 and row["min_meaningful_change"] == 0.5
    assert row["verdict"] == "no_significant_change"  # significant, but smaller than what matters
    relative = kpieval.evaluate(data, _params(include=["aov"], min_change={"aov": 0.1})).iloc[0]
    assert relative["min_meaningful_change"] == pytest.approx(0.1 * relative["before"])


def test_template5_and_forest_frames(changes):
    table = kpieval.template5(changes)
    assert list(table.columns) == kpieval.TEMPLATE5_COLUMNS and len(table) == 15
    forest = kpieval.forest_frame(changes[changes["segment"] == "all"]).set_index("kpi")
    complaints = changes[(changes["kpi"] == "complaints_per_100_customers") & (changes["segment"] == "all")].iloc[0]
    # fewer complaints is better: the forest shows it on the right, in units of the minimum meaningful change
    assert forest.loc["complaints_per_100_customers", "estimate"] == pytest.approx(
        -complaints["abs_change"] / complaints["min_meaningful_change"])
    # its interval is widened by the adjustment its p-value received (Holm factor p_adjusted / p_value)
    factor = complaints["p_adjusted"] / complaints["p_value"]
    half = (complaints["ci_high"] - complaints["abs_change"]) * norm.ppf(1 - 0.05 / (2 * factor)) / norm.ppf(0.975)
    assert forest.loc["complaints_per_100_customers", "low"] == pytest.approx(
        -(complaints["abs_change"] + half) / complaints["min_meaningful_change"])
    assert (forest["low"] <= forest["estimate"]).all() and (forest["estimate"] <= forest["high"]).all()


def test_monthly_series_and_segmented_regression(data):
    params = _params(include=["csat_mean", "complaints_per_100_customers", "aov_growth"])
    series = timeseries.monthly_series(data, params)
    assert list(series.columns) == timeseries.SERIES_COLUMNS
    assert series["kpi"].unique().tolist() == ["csat_mean", "complaints_per_100_customers"]  # growth excluded
    csat = series[series["kpi"] == "csat_mean"].set_index("month")
    assert len(csat) == 24 and csat.index[0] == pd.Timestamp("2023-10-01") and csat.index[-1] == pd.Timestamp(
        "2025-09-01")
    surveys = data.tables["surveys"]
    august = surveys[surveys["response_time"].dt.to_period("M") == "2025-08"]["csat"].dropna()
    assert csat.loc["2025-08-01", "value"] == pytest.approx(august.mean()) and csat.loc["2025-08-01", "n"] == len(
        august)
    estimates, fitted = timeseries.segmented_table(series, params)
    assert list(estimates.columns) == timeseries.SEGMENTED_COLUMNS and len(estimates) == 2
    assert estimates.set_index("kpi").loc["csat_mean", ["months_before", "months_after"]].tolist() == [21, 3]
    assert fitted["post"].sum() == 6 and fitted["fitted"].notna().all()
    later = timeseries.segmented_table(series, _params(strategy_start="2025-08-15"))[0].set_index("kpi")
    assert later.loc["csat_mean", "months_after"] == 2
    assert timeseries.monthly_series(_without(data, "surveys"), params)["kpi"].unique().tolist() == [
        "complaints_per_100_customers"]


def test_did_table_for_groups_named_in_params(data):
    groups = {"treated": {"column": "customer_type", "values": ["B2B"]},
              "comparison": {"column": "customer_type", "values": ["B2C"]}}
    # a comparison group that also got the strategy: the groups' cells, no estimate
    cells = diffindiff.did_table(data, _params(include=["csat_mean"], did=groups)).iloc[0]
    assert cells[list(diffindiff.ESTIMATE_COLUMNS)].isna().all() and cells["message"] == diffindiff.NOT_UNTREATED
    assert np.isfinite(cells[["treated_before", "treated_after", "comparison_before", "comparison_after"]]
                       .astype(float)).all()
    params = _params(include=["csat_mean", "median_first_response_hours"],
                     did={**groups, "comparison_untreated": True})
    did = diffindiff.did_table(data, params)
    assert list(did.columns) == diffindiff.DID_COLUMNS
    assert did["kpi"].tolist() == ["csat_mean"]  # a median has no regression difference-in-differences
    surveys = data.tables["surveys"].merge(data.tables["customers"][["customer_id", "customer_type"]])
    surveys = surveys[surveys["csat"].notna()]
    quarter = np.where(surveys["response_time"] >= "2025-07-01", "after", "before")
    means = surveys[(surveys["response_time"] >= "2025-04-01") & (surveys["response_time"] < "2025-10-01")].groupby(
        ["customer_type", quarter[(surveys["response_time"] >= "2025-04-01") & (surveys["response_time"] <
                                                                             "2025-10-01")]])["csat"].mean()
    expected = (means["B2B", "after"] - means["B2B", "before"]) - (means["B2C", "after"] - means["B2C", "before"])
    row = did.iloc[0]
    assert row["estimate"] == pytest.approx(expected)
    assert row[["treated_before", "treated_after"]].tolist() == cells[["treated_before", "treated_after"]].tolist()
    # the parallel-trends check: the same difference one window earlier (the 91 days before Q2 against Q2)
    earlier = surveys[(surveys["response_time"] >= "2024-12-31") & (surveys["response_time"] < "2025-07-01")]
    half = np.where(earlier["response_time"] >= "2025-04-01", "after", "before")
    means = earlier.groupby(["customer_type", half])["csat"].mean()
    placebo = (means["B2B", "after"] - means["B2B", "before"]) - (means["B2C", "after"] - means["B2C", "before"])
    assert row["pretrend_estimate"] == pytest.approx(placebo) and 0 <= row["pretrend_p_value"] <= 1
    assert np.isnan(cells["pretrend_estimate"])
    assert row["ci_low"] < row["estimate"] < row["ci_high"]
    assert diffindiff.did_table(data, _params()).empty


def test_did_groups_by_customer_list_and_errors(data):
    ids = data.tables["customers"]["customer_id"].iloc[:300].tolist()
    listed = diffindiff.did_table(data, _params(include=["revenue_per_customer"], did={
        "treated": {"customers": ids}, "comparison_untreated": True}))
    assert listed.loc[0, "n_treated"] <= 300 and listed.loc[0, "n_comparison"] > 1000
    treated, comparison = diffindiff.did_groups(data, _params(did={"treated": {"customers": ids}}))
    assert list(treated) == sorted(ids) and len(treated) + len(comparison) == len(data.tables["customers"])
    with pytest.raises(ParamsError, match="both the treated and the comparison"):
        diffindiff.did_table(data, _params(did={"treated": {"customers": ids[:5]},
                                              "comparison": {"column": "customer_type", "values": ["B2B", "B2C"]}}))
    with pytest.raises(ParamsError, match="no segments are available"):
        diffindiff.did_table(data, _params(did={"treated": {"column": "segment", "values": ["core"]}}))
    segments = pd.DataFrame({"customer_id": ids, "segment": "core"})
    assert diffindiff.group_members(data, load_params("2025Q3", overrides={"as_of": "2025-10-15", "kpis": {"did": {
        "treated": {"column": "segment", "values": ["core"]}}}}, root=FIXTURES).kpis.did.treated, segments).equals(
        pd.Index(sorted(ids)))


def test_segments_frame_breaks_results_down(data):
    segments = pd.DataFrame({"customer_id": data.tables["customers"]["customer_id"],
                             "segment": pd.Categorical(np.where(np.arange(len(data.tables["customers"])) % 2,
                                                                "odd", "even"), categories=["odd", "even"])})
    rows = kpieval.evaluate(data, _params(include=["nps"]), segments)
    assert rows["segment"].tolist() == ["all", "odd", "even"]
    assert rows["n_before"].iloc[1] + rows["n_before"].iloc[2] == rows["n_before"].iloc[0]


def test_verdict_lists_name_kpis_in_the_report_language(changes):
    en, zh = kpieval.verdict_lists(changes, "en"), kpieval.verdict_lists(changes, "zh")
    improved = changes[(changes["segment"] == "all") & (changes["verdict"] == "significant_improvement")]["kpi"]
    assert en["significant_improvement"] == ", ".join(KPIS[k].display_name("en") for k in improved)
    assert zh["significant_improvement"] == "、".join(KPIS[k].display_name("zh") for k in improved)
    assert en["significant_improvement_count"] == str(len(improved))


def test_params_reject_unknown_kpis_and_bad_groups():
    with pytest.raises(ParamsError, match="unknown KPI.*csat_mena"):
        _params(include=["csat_mena"])
    with pytest.raises(ParamsError, match="did you mean `alpha`"):
        _params(alpah=0.1)
    with pytest.raises(ParamsError, match="not a customers column"):
        _params(did={"treated": {"column": "colour", "values": ["red"]}})
    with pytest.raises(ParamsError, match="needs `column` with `values`"):
        _params(did={"treated": {"column": "customer_type"}})
    assert _params().kpis.resolution_sla_hours == {"urgent": 2.0, "high": 24.0, "medium": 24.0, "low": 24.0}


def test_by_group_and_did_tables_agree_where_their_populations_agree(data, changes):
    # issue 12: B2B revenue per customer "after" must not read 46,856 in one table and 46,686 in the
    # other without saying why: equal figures when both cover everyone observed in each window,
    # different population labels otherwise
    params = _params(did={"treated": {"column": "customer_type", "values": ["B2B"]},
                          "comparison": {"column": "customer_type", "values": ["B2C"]}})
    did = diffindiff.did_table(data, params).set_index("kpi")
    by_group = changes.set_index(["kpi", "segment"])
    compared = 0
    for kpi, row in did.iterrows():
        for group, side in (("B2B", "treated"), ("B2C", "comparison")):
            mine = by_group.loc[(kpi, group)]
            same = mine["population"] == row["population"]
            for window in ("before", "after"):
                if same and np.isfinite(mine[window]):
                    assert row[f"{side}_{window}"] == pytest.approx(mine[window], rel=1e-9), (kpi, group)
                    compared += 1
                elif not same:
                    assert mine["population"] == "both_windows" and row["population"] == "each_window"
    assert compared >= 4


def test_observations_fetched_once_give_the_tables_of_one_query_each(data, changes, monkeypatch):
    """Notebook 04 fetches the before/after table's and the DiD's observations in one query: the same tables, and
    no further query for them."""
    groups = {"treated": {"column": "customer_type", "values": ["B2B"]},
              "comparison": {"column": "customer_type", "values": ["B2C"]}, "comparison_untreated": True}
    params = _params(did=groups)
    fetched = observed.fetch(data, params)
    alone = diffindiff.did_table(data, params)
    monkeypatch.setattr(observed, "observations_in", lambda *args: pytest.fail("asked the engine again"))
    pd.testing.assert_frame_equal(kpieval.evaluate(data, _params(), kpieval.default_segments(data), fetched.get),
                                  changes, check_exact=True)
    pd.testing.assert_frame_equal(diffindiff.did_table(data, params, observe=fetched.get), alone, check_exact=True)
    assert alone["pretrend_estimate"].notna().any()
