"""Voice of the customer: NPS and its interval, score distributions, tags, channels, on hand data and the demo."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import dataset_of, params_for
from statsmodels.stats.proportion import proportion_confint

from crmreport.analyses.profiling import channels, voice
from crmreport.core.i18n import catalog
from crmreport.demo import generate_demo
from crmreport.ingest.dataset import prepare_dataset
from crmreport.settings import Window

Q3 = Window(start=date(2025, 7, 1), end=date(2025, 9, 30))
Q2 = Window(start=date(2025, 4, 1), end=date(2025, 6, 30))


def _surveys(times: list[str], csat: list, nps: list) -> pd.DataFrame:
    return pd.DataFrame({"survey_id": [f"S{i}" for i in range(len(times))], "customer_id": "C1",
                         "response_time": pd.to_datetime(times, format="ISO8601"),
                         "csat": pd.array(csat, dtype="Int64"), "nps": pd.array(nps, dtype="Int64")})


def _interactions() -> pd.DataFrame:
    rows = [("2025-07-01 00:00:00", "phone", "outbound", "follow_up", True),
            ("2025-07-02", "phone", "outbound", "follow_up", False),
            ("2025-08-02", "phone", "outbound", "follow_up", None),
            ("2025-09-30 23:59:59", "email", "outbound", "follow_up", True),
            ("2025-09-01", "phone", "inbound", "complaint", None),
            ("2025-10-01 00:00:00", "phone", "outbound", "follow_up", True),
            ("2025-06-30 23:59:59", "phone", "inbound", "complaint", None)]
    frame = pd.DataFrame(rows, columns=["interaction_time", "channel", "direction", "interaction_type", "responded"])
    return frame.assign(interaction_time=pd.to_datetime(frame["interaction_time"], format="ISO8601"),
                        responded=frame["responded"].astype("boolean"), customer_id="C1")


def test_nps_matches_a_hand_calculation():
    # 40 answers: 18 promoters (9, 10), 12 passives (7, 8), 10 detractors (0-6)
    scores = pd.Series([10] * 10 + [9] * 8 + [8] * 7 + [7] * 5 + [6] * 4 + [3] * 3 + [0] * 3 + [None] * 2)
    result = voice.nps(scores)
    assert (result.n, result.promoters, result.passives, result.detractors) == (40, 18, 12, 10)
    assert result.nps == pytest.approx(100 * (18 - 10) / 40)  # 20 points
    # by hand: p+ = .45, p- = .25, var = (.45 + .25 - .2^2) / 40 = .0165, se = .128452, z = 1.959964
    assert result.ci_low == pytest.approx(100 * (0.2 - 1.959964 * 0.128452), abs=1e-3)
    assert result.ci_high == pytest.approx(100 * (0.2 + 1.959964 * 0.128452), abs=1e-3)
    assert result.message is None


@pytest.mark.parametrize(("promoters", "passives", "detractors", "confidence"),
                         [(85, 61, 23, 0.95), (30, 10, 60, 0.90), (5, 90, 5, 0.99)])
def test_nps_interval_equals_the_direct_formula_on_counts(promoters, passives, detractors, confidence):
    scores = pd.Series([9] * promoters + [7] * passives + [2] * detractors)
    n = promoters + passives + detractors
    # the variance of the promoter-minus-detractor indicator (+1 / 0 / -1) over n answers
    indicator = np.array([1] * promoters + [0] * passives + [-1] * detractors, dtype=float)
    se = math.sqrt(indicator.var() / n)
    z = {0.90: 1.6448536, 0.95: 1.9599640, 0.99: 2.5758293}[confidence]
    result = voice.nps(scores, confidence=confidence)
    assert result.nps == pytest.approx(100 * indicator.mean())
    assert (result.ci_low, result.ci_high) == pytest.approx(
        (100 * (indicator.mean() - z * se), 100 * (indicator.mean() + z * se)), abs=1e-4)


def test_nps_thin_data_carries_a_message_not_an_error():
    empty = voice.nps(pd.Series([], dtype="Int64"))
    assert (empty.n, empty.message) == (0, voice.INSUFFICIENT_DATA)
    assert math.isnan(empty.nps) and math.isnan(empty.ci_low) and math.isnan(empty.ci_high)
    few = voice.nps(pd.Series([10, 10, 3]))
    assert few.message == voice.INSUFFICIENT_DATA
    assert few.nps == pytest.approx(100 / 3)
    assert -100 <= few.ci_low <= few.nps <= few.ci_high <= 100
    assert voice.nps(pd.Series([10] * 30)).message is None


def test_nps_rejects_scores_off_the_scale():
    with pytest.raises(ValueError, match="0-10"):
        voice.nps(pd.Series([5, 11]))
    with pytest.raises(ValueError, match="confidence"):
        voice.nps(pd.Series([5]), confidence=95)


def test_score_distribution_counts_equal_value_counts_and_list_every_score():
    surveys = _surveys(["2025-07-01", "2025-08-15 13:00", "2025-09-30 23:00", "2025-09-02", "2025-10-01", "2025-06-30"],
                       [5, 5, 4, None, 1, 1], [10, 0, 10, 7, 3, 3])
    csat = voice.score_distribution(surveys, "csat", Q3)
    assert list(csat.columns) == voice.DISTRIBUTION_COLUMNS
    assert csat["score"].tolist() == [1, 2, 3, 4, 5]
    expected = voice.in_window(surveys, "response_time", Q3)["csat"].value_counts()
    assert dict(zip(csat["score"], csat["responses"], strict=True)) == {s: expected.get(s, 0) for s in range(1, 6)}
    assert csat["share"].sum() == pytest.approx(1)
    nps = voice.score_distribution(surveys, "nps", Q3)
    assert nps["score"].tolist() == list(range(11))
    assert nps.set_index("score")["responses"].to_dict() == {s: {10: 2, 0: 1, 7: 1}.get(s, 0) for s in range(11)}


def test_score_distribution_thin_data_is_an_empty_frame():
    assert voice.score_distribution(None, "nps", Q3).empty
    outside = _surveys(["2025-01-01"], [5], [10])
    frame = voice.score_distribution(outside, "csat", Q3)
    assert frame.empty and list(frame.columns) == voice.DISTRIBUTION_COLUMNS
    with pytest.raises(ValueError, match="csat"):
        voice.score_distribution(outside, "trust", Q3)


def test_need_tags_are_split_stripped_and_counted_once_per_customer():
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4"],
                              "need_tags": ["a; b", "b", None, " c ;; c; "]})
    tags = voice.need_tag_frequencies(customers)
    assert list(tags.columns) == voice.TAG_COLUMNS
    assert tags.to_dict("list") == {"tag": ["b", "a", "c"], "customers": [2, 1, 1], "share": [0.5, 0.25, 0.25]}
    assert voice.need_tag_frequencies(None).empty
    assert voice.need_tag_frequencies(customers.assign(need_tags=None)).empty


LOGGED = dataset_of(interactions=_interactions())


def test_interaction_mix_counts_the_window_only():
    mix = channels.interaction_mix(LOGGED, Q3)
    assert list(mix.columns) == channels.MIX_COLUMNS
    assert mix[["channel", "direction", "interactions"]].values.tolist() == [
        ["phone", "outbound", 3], ["email", "outbound", 1], ["phone", "inbound", 1]]
    assert mix["share"].sum() == pytest.approx(1)
    assert channels.interaction_mix(dataset_of(), Q3).empty
    assert channels.interaction_mix(LOGGED, Window(start=date(2024, 1, 1), end=date(2024, 1, 2))).empty


def test_outbound_response_rates_use_the_wilson_interval_of_statsmodels():
    rates = channels.outbound_response_rates(LOGGED, Q3).set_index("channel")
    assert rates.loc["phone", ["outbound", "responded"]].tolist() == [3, 1]  # an empty `responded` is no response
    assert rates.loc["email", ["outbound", "responded"]].tolist() == [1, 1]
    for channel, row in rates.iterrows():
        low, high = proportion_confint(row["responded"], row["outbound"], alpha=0.05, method="wilson")
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-12), channel
        assert row["response_rate"] == pytest.approx(row["responded"] / row["outbound"])
        assert row["ci_low"] <= row["response_rate"] <= row["ci_high"]  # 1/1: the clamp of stats.proportion
    assert channels.outbound_response_rates(dataset_of(), Q3).empty
    thin = channels.outbound_response_rates(LOGGED, Window(start=date(2024, 1, 1), end=date(2024, 1, 2)))
    assert thin.empty and list(thin.columns) == channels.RESPONSE_COLUMNS


def test_voice_summary_on_hand_data_counts_interaction_complaints():
    surveys = _surveys(["2025-05-01", "2025-05-02", "2025-08-01", "2025-08-02"], [3, 4, 5, 5], [6, 9, 10, 10])
    tickets = pd.DataFrame({"opened_at": pd.to_datetime(["2025-08-01"] * 4), "category": ["complaint"] * 4})
    summary = voice.voice_summary(dataset_of(surveys=surveys, tickets=tickets, interactions=_interactions()), Q3, Q2)
    assert list(summary.columns) == voice.SUMMARY_COLUMNS
    rows = summary.set_index("metric")
    assert rows.loc["csat_mean", ["before", "after", "direction"]].tolist() == [3.5, 5.0, "up"]
    assert rows.loc["csat_top2_share", ["before", "after"]].tolist() == [0.5, 1.0]
    assert rows.loc["nps", ["before", "after", "change"]].tolist() == [0.0, 100.0, 100.0]
    assert rows.loc["complaints", ["before", "after", "direction"]].tolist() == [1, 1, "flat"]
    without_interactions = voice.voice_summary(dataset_of(surveys=surveys, tickets=tickets), Q3, Q2).set_index("metric")
    assert without_interactions.loc["complaints", ["before", "after", "direction"]].tolist() == [0, 4, "up"]


def test_voice_summary_thin_data():
    assert voice.voice_summary(dataset_of(), Q3, Q2).empty
    surveys = _surveys(["2025-05-01"], [4], [9])
    rows = voice.voice_summary(dataset_of(surveys=surveys), Q3, Q2).set_index("metric")
    assert "complaints" not in rows.index
    assert rows.loc["responses", ["before", "after", "direction"]].tolist() == [1, 0, "down"]
    assert math.isnan(rows.loc["nps", "after"]) and pd.isna(rows.loc["nps", "direction"])


def test_tickets_by_category_sorted_with_shares():
    tickets = pd.DataFrame({"opened_at": pd.to_datetime(["2025-07-05"] * 5 + ["2025-04-01"]),
                            "category": ["billing", "complaint", "complaint", "", None, "billing"]})
    table = voice.tickets_by_category(dataset_of(tickets=tickets), Q3)
    assert table.to_dict("list") == {"category": ["complaint", "billing"], "tickets": [2, 1],
                                     "share": [2 / 3, 1 / 3]}
    assert voice.tickets_by_category(dataset_of(), Q3).empty


def test_every_column_and_metric_has_a_label_in_both_languages():
    names = {*voice.DISTRIBUTION_COLUMNS, *voice.SUMMARY_COLUMNS, *voice.CATEGORY_COLUMNS, *voice.TAG_COLUMNS,
             *channels.MIX_COLUMNS, *channels.RESPONSE_COLUMNS, *voice.VOICE_METRICS,
             *voice.NpsResult.__dataclass_fields__,
             "up", "down", "flat", voice.INSUFFICIENT_DATA}
    messages = catalog()
    assert {name for name in names if set(messages.get(f"label.{name}", {})) != {"en", "zh"}} == set()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    generated = generate_demo(n_customers=800, seed=5)
    folder = tmp_path_factory.mktemp("voice") / "csv"
    folder.mkdir()
    for name, frame in generated.tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False, date_format="%Y-%m-%d %H:%M:%S")
    params = params_for(folder)
    return prepare_dataset(params), params, generated.ground_truth


def test_demo_period_nps_is_near_the_planted_value(demo):
    data, params, truth = demo
    result = voice.nps(voice.in_window(data.tables["surveys"], "response_time", params.window)["nps"])
    planted = truth["kpi_changes"]["nps"]["after"]
    # About 170 answers in the quarter: the standard error is about 5.5 points, so the sample NPS
    # can honestly sit up to ~11 points from the planted expectation. The tolerance is the 95%
    # interval itself (the seed is fixed, so the check is deterministic).
    assert result.message is None and result.n > 100
    assert result.ci_low <= planted <= result.ci_high
    assert abs(result.nps - planted) <= (result.ci_high - result.ci_low) / 2


def test_demo_voice_summary_shows_the_planted_improvements(demo):
    data, params, truth = demo
    summary = voice.voice_summary(data, params.window, params.baseline_window).set_index("metric")
    assert summary.loc["csat_mean", "direction"] == "up"
    assert truth["kpi_changes"]["csat_mean"]["change"] > 0
    assert summary.loc["csat_mean", "after"] == pytest.approx(truth["kpi_changes"]["csat_mean"]["after"], abs=0.2)
    mix = channels.interaction_mix(data, params.window)
    rates = channels.outbound_response_rates(data, params.window)
    assert mix["share"].sum() == pytest.approx(1)
    assert rates["outbound"].sum() == mix.loc[mix["direction"] == "outbound", "interactions"].sum()


def test_response_rates_vs_baseline_and_score_shares():
    interactions = pd.DataFrame({
        "interaction_time": pd.to_datetime(["2025-07-02", "2025-07-03", "2025-04-02", "2025-04-03", "2025-07-04"]),
        "channel": ["sms", "sms", "sms", "sms", "phone"],
        "direction": ["outbound"] * 5,
        "responded": pd.array([True, False, False, False, True], dtype="boolean"),
    })
    rates = channels.response_rates_vs_baseline(dataset_of(interactions=interactions), Q3, Q2).set_index("channel")
    assert rates.loc["sms", "response_rate"] == 0.5 and rates.loc["sms", "response_rate_before"] == 0.0
    assert rates.loc["sms", "change"] == 0.5 and pd.isna(rates.loc["phone", "response_rate_before"])
    scores = pd.DataFrame({"question": ["csat"] * 2 + ["nps"] * 3, "score": [3, 5, 5, 7, 10],
                           "responses": [1, 3, 2, 1, 1]})
    assert voice.score_shares(scores) == pytest.approx({"top2": 0.75, "promoters": 0.25, "detractors": 0.5})


def test_the_voice_of_the_customer_reports_the_nps_it_computed_once():
    surveys = _surveys(["2025-05-01", "2025-08-01", "2025-08-02", "2025-08-03"], [3, 4, 5, 5], [6, 9, 10, 3])
    heard = voice.voice_of_customer(dataset_of(surveys=surveys), Q3, Q2)
    pd.testing.assert_frame_equal(heard.summary, voice.voice_summary(dataset_of(surveys=surveys), Q3, Q2))
    assert heard.nps == voice.nps(pd.Series([9, 10, 3]))
    assert heard.summary.set_index("metric").loc["nps", "after"] == heard.nps.nps
    assert voice.voice_of_customer(dataset_of(), Q3, Q2).nps.n == 0
