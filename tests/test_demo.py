"""Tests of the crmreport/demo package: reproducibility, the data contract and the planted truth."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from crmreport.core.contract import CANONICAL_DTYPES, TABLES
from crmreport.demo import DemoData, generate_demo, truth, write_demo_data

N = 600
SEED = 11
END = pd.Timestamp("2025-10-01")  # first instant after the default end date


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(N, seed=SEED)


@pytest.fixture(scope="module")
def tiers(demo: DemoData) -> pd.DataFrame:
    """Planted value and potential tier per customer (codes of truth.VALUE_TIERS / truth.TRENDS)."""
    code = pd.Series(demo.ground_truth["segments"]).map(truth.SEGMENTS.index)
    return pd.DataFrame({"value": code // 3, "potential": code % 3})


def _spend(demo: DemoData, first: str, last: str | None = None) -> pd.Series:
    """Net transaction amount per customer from ``first`` (inclusive) to ``last`` (exclusive), duplicates removed."""
    tx = demo.tables["transactions"].drop_duplicates()
    keep = tx.transaction_date >= first
    if last is not None:
        keep &= tx.transaction_date < last
    ids = demo.tables["customers"].customer_id
    return tx[keep].groupby("customer_id").amount.sum().reindex(ids, fill_value=0.0)


def test_same_seed_gives_equal_tables_and_truth(demo: DemoData) -> None:
    again = generate_demo(N, seed=SEED)
    for name, frame in demo.tables.items():
        pd.testing.assert_frame_equal(frame, again.tables[name])
    assert again.ground_truth == demo.ground_truth


def test_different_seed_gives_different_data(demo: DemoData) -> None:
    other = generate_demo(N, seed=SEED + 1)
    assert not other.tables["transactions"].equals(demo.tables["transactions"])
    assert other.ground_truth["segments"] != demo.ground_truth["segments"]


def test_every_table_has_the_contract_columns_and_dtypes(demo: DemoData) -> None:
    assert set(demo.tables) == set(TABLES)
    for name, spec in TABLES.items():
        frame = demo.tables[name]
        assert list(frame.columns) == spec.column_names, name
        for col in spec.columns:
            assert str(frame[col.name].dtype) == CANONICAL_DTYPES[col.kind], (name, col.name, frame[col.name].dtype)


def test_values_respect_the_contract_apart_from_planted_issues(demo: DemoData) -> None:
    allowed_out_of_range = {("surveys", "csat"), ("surveys", "nps")}
    for name, spec in TABLES.items():
        frame = demo.tables[name]
        for col in spec.columns:
            values = frame[col.name]
            if not col.nullable:
                assert values.notna().all(), (name, col.name)
            if col.choices:
                assert set(values.dropna()) <= set(col.choices), (name, col.name)
            if col.low is not None and (name, col.name) not in allowed_out_of_range:
                assert (values.dropna() >= col.low).all(), (name, col.name)
                assert col.high is None or (values.dropna() <= col.high).all(), (name, col.name)
            if col.kind in ("date", "datetime") and not col.future_ok:
                assert (values.dropna() < END).all(), (name, col.name)
    tickets = demo.tables["tickets"]
    assert (tickets.resolved_at.dropna() >= tickets.opened_at[tickets.resolved_at.notna()]).all()
    assert (demo.tables["outreach"].revenue >= 0).all()
    assert (demo.tables["tasks"].planned_date >= END).any(), "some tasks are future plans"


def test_keys_are_unique_except_the_planted_exact_duplicates(demo: DemoData) -> None:
    for name, spec in TABLES.items():
        frame = demo.tables[name]
        repeated = frame.duplicated(list(spec.key))
        if name == "transactions":
            assert repeated.sum() == demo.ground_truth["quality_issues"]["transactions_exact_duplicates"] > 0
            assert (frame.duplicated() == repeated).all(), "every repeated transaction_id is a full-row copy"
        else:
            assert not repeated.any(), name


def test_every_customer_reference_exists(demo: DemoData) -> None:
    ids = set(demo.tables["customers"].customer_id)
    for name, spec in TABLES.items():
        if spec.has_customer_fk:
            assert set(demo.tables[name].customer_id) <= ids, name


def test_planted_quality_issue_counts_match_the_tables(demo: DemoData) -> None:
    issues, t = demo.ground_truth["quality_issues"], demo.tables
    customers = t["customers"]
    bad_phone = ~customers.phone.str.fullmatch(r"1[3-9]\d{9}")
    bad_email = ~customers.email.str.contains("@", regex=False)
    assert bad_phone.sum() == issues["customers_invalid_phone"]
    assert bad_email.sum() == issues["customers_invalid_email"]
    assert not (bad_phone & bad_email).any(), "one planted issue per row"
    assert (t["surveys"].csat > 5).sum() == issues["surveys_csat_out_of_range"] > 0
    assert (t["surveys"].nps > 10).sum() == issues["surveys_nps_out_of_range"] > 0
    assert not ((t["surveys"].csat > 5) & (t["surveys"].nps > 10)).any()
    tickets = t["tickets"]
    assert (tickets.first_response_at < tickets.opened_at).sum() == issues["tickets_response_before_opened"] > 0
    feedback = t["tasks"].feedback.dropna()
    assert feedback.str.contains(r"1[3-9]\d{9}").sum() == issues["tasks_feedback_with_phone"] > 0
    assert feedback.str.contains("@", regex=False).sum() == issues["tasks_feedback_with_email"] > 0


def test_value_tiers_split_20_30_50(demo: DemoData, tiers: pd.DataFrame) -> None:
    counts = tiers.value.value_counts().sort_index().tolist()
    assert counts == [round(0.2 * N), round(0.5 * N) - round(0.2 * N), N - round(0.5 * N)]
    assert sum(demo.ground_truth["segment_counts"].values()) == N
    assert set(demo.ground_truth["segments"].values()) == set(truth.SEGMENTS)


def test_realised_trailing_12_month_rank_agrees_with_planted_value_tier(demo: DemoData, tiers: pd.DataFrame) -> None:
    """Tiers from the rank of the realised net amount since ``trailing_12m_start``, cut 20/30/50 like the truth.

    Measured: about 87-90% of customers land in the planted tier and over 99.5% within one tier
    (seeds 7-16, 600 customers; 88% at 5,000).
    """
    spend = _spend(demo, demo.ground_truth["generator"]["trailing_12m_start"])
    realised = truth.value_tiers(spend.to_numpy())
    assert (realised == tiers.value.to_numpy()).mean() >= 0.8
    assert (np.abs(realised - tiers.value.to_numpy()) <= 1).mean() >= 0.98


def test_planted_trend_separates_the_potential_tiers(demo: DemoData, tiers: pd.DataFrame) -> None:
    """Spend growth in the last 3 months vs the 3 before is ordered growing > stable > shrinking."""
    last, before = _spend(demo, "2025-07-01"), _spend(demo, "2025-04-01", "2025-07-01")
    growth = ((last - before) / before.where(before > 0)).to_numpy()
    medians = [np.nanmedian(growth[tiers.potential.to_numpy() == k]) for k in range(len(truth.TRENDS))]
    assert medians[0] > 0.15 > medians[1] > medians[2]
    totals = [last[tiers.potential.to_numpy() == k].sum() / before[tiers.potential.to_numpy() == k].sum()
              for k in range(len(truth.TRENDS))]
    assert totals[0] > 1.2 and totals[2] < 0.8


def test_lifecycle_stages_show_in_the_data(demo: DemoData) -> None:
    stage = pd.Series(demo.ground_truth["lifecycle"])
    customers = demo.tables["customers"].set_index("customer_id")
    last_purchase = demo.tables["transactions"].groupby("customer_id").transaction_date.max()
    quiet = (END - last_purchase.reindex(stage.index)).dt.days
    assert (quiet[stage == "churned"].dropna() > 90).all()
    assert (quiet[stage == "dormant"].dropna() > 90).all()
    assert (customers.signup_date[stage[stage == "new"].index] > END - pd.Timedelta(days=181)).all()


def test_sms_campaign_has_three_balanced_arms_on_b2c(demo: DemoData) -> None:
    campaigns = demo.ground_truth["campaigns"]
    assert set(campaigns) == {"SMS-2025Q3", "CALL-2025Q3", "EMAIL-2025Q2", "PILOT-2025Q2"}
    outreach = demo.tables["outreach"]
    sms = outreach[outreach.campaign_id == "SMS-2025Q3"]
    sizes = sms.arm.value_counts()
    assert set(sizes.index) == {"control", "sms_a", "sms_b"}
    assert sizes.max() - sizes.min() <= 1
    assert sizes.to_dict() == campaigns["SMS-2025Q3"]["n_assigned"]
    types = demo.tables["customers"].set_index("customer_id").customer_type
    assert set(types[sms.customer_id]) == {"B2C"}
    assert set(types[outreach.customer_id[outreach.campaign_id == "CALL-2025Q3"]]) == {"B2B"}
    effects = campaigns["SMS-2025Q3"]["effects"]
    assert all(v > 0 for v in effects["sms_a"].values())
    assert all(v == 0 for v in effects["sms_b"].values())
    assert all(v == 0 for v in campaigns["EMAIL-2025Q2"]["effects"]["email"].values())
    assert all(v > 0 for v in campaigns["CALL-2025Q3"]["effects"]["call"].values())
    # the call pilot that starts in 2025Q2 and concludes in 2025Q3: two balanced B2C arms, a planted conversion lift
    pilot = outreach[outreach.campaign_id == "PILOT-2025Q2"]
    pilot_sizes = pilot.arm.value_counts()
    assert pilot_sizes.to_dict() == campaigns["PILOT-2025Q2"]["n_assigned"]
    assert set(pilot_sizes.index) == {"control", "callback"} and pilot_sizes.max() - pilot_sizes.min() <= 1
    assert set(types[pilot.customer_id]) == {"B2C"}
    assert campaigns["PILOT-2025Q2"]["effects"]["callback"]["conversion_rate"] > 0
    assert (outreach.revenue[~outreach.converted] == 0).all()


def test_kpi_changes_are_planted_where_promised(demo: DemoData) -> None:
    kpis = demo.ground_truth["kpi_changes"]
    assert kpis["csat_mean"]["change"] > 0.2 and kpis["nps"]["change"] > 5
    assert kpis["complaints_per_100_customers"]["relative_change"] < -0.2
    assert kpis["median_first_response_hours"]["relative_change"] < -0.2
    for name in ("aov", "outbound_response_rate", "trust_mean"):
        assert not kpis[name]["planted_effect"]
        assert abs(kpis[name]["relative_change"]) < 0.03, name
    assert {k for k, v in kpis.items() if v["planted_effect"]} == set(truth.PLANTED_KPIS)


def test_period_and_baseline_follow_the_end_date() -> None:
    assert truth.Calendar.make(date(2025, 9, 30), 2).quarter("period")[0] == "2025Q3"
    assert truth.Calendar.make(date(2025, 11, 15), 2).quarter("period")[0] == "2025Q3"
    assert truth.Calendar.make(date(2025, 12, 31), 1).quarter("baseline")[0] == "2025Q3"
    assert truth.Calendar.make(date(2025, 9, 30), 2).start == date(2023, 10, 1)


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_write_demo_data_writes_every_table_and_the_truth(tmp_path, file_format: str) -> None:
    first = write_demo_data(tmp_path / "a", n_customers=200, seed=3, file_format=file_format)
    write_demo_data(tmp_path / "b", n_customers=200, seed=3, file_format=file_format)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted([f"{t}.{file_format}" for t in TABLES] + ["ground_truth.json"])
    for name in names:
        assert (first / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    truth_json = json.loads((first / "ground_truth.json").read_text(encoding="utf-8"))
    assert truth_json["generator"]["period"] == "2025Q3" and len(truth_json["segments"]) == 200
    if file_format == "csv":
        customers = pd.read_csv(first / "customers.csv", dtype=str, keep_default_na=False)
        assert list(customers.columns) == TABLES["customers"].column_names
        assert customers.signup_date.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
        tickets = pd.read_csv(first / "tickets.csv", dtype=str, keep_default_na=False)
        stamp = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"
        assert tickets.opened_at.str.fullmatch(stamp).all()
        assert tickets.resolved_at.str.fullmatch(f"({stamp})?").all()
    else:
        assert pd.read_parquet(first / "outreach.parquet").equals(generate_demo(200, seed=3).tables["outreach"])


def test_bad_arguments_are_rejected(tmp_path) -> None:
    with pytest.raises(ValueError, match="n_customers"):
        generate_demo(0)
    with pytest.raises(ValueError, match="file_format"):
        write_demo_data(tmp_path, 10, file_format="xlsx")


# --- execution, 7-24-72, period churn and health (issues 14 and 15) ---

PERIOD = pd.Timestamp("2025-07-01")
BASELINE = pd.Timestamp("2025-04-01")


@pytest.fixture(scope="module")
def big() -> DemoData:
    return generate_demo(5000, seed=7)


def test_new_truth_is_present_for_every_customer(demo: DemoData) -> None:
    g, ids = demo.ground_truth, set(demo.tables["customers"].customer_id)
    assert set(g["period_churn"]) == ids
    assert set(g["period_churn_probability"]) <= ids and set(g["execution"]["customers"]) <= ids
    assert set(g["followup_7_24_72"]) == {"first_follow_up_7d", "reply_24h", "resolve_72h"}
    assert set(g["execution"]["effect"]["by_outcome"]) == {"on_time", "late", "not_done"}
    summary = g["period_churn_summary"]
    assert summary["churned"] == sum(g["period_churn"].values()) == len(summary["stop_days"]) > 0
    assert g["period_churn_rate"] == pytest.approx(summary["churned"] / summary["at_risk"], abs=1e-6)
    assert set(g["baseline_churn"]) == ids and set(g["baseline_churn_probability"]) <= ids
    before = g["baseline_churn_summary"]
    assert before["churned"] == sum(g["baseline_churn"].values()) == len(before["stop_days"]) > 0
    assert g["baseline_churn_rate"] == pytest.approx(before["churned"] / before["at_risk"], abs=1e-6)
    assert set(g["health"]["coefficients"]) == set(g["health"]["drivers"])


@pytest.mark.parametrize(("quarter", "start", "stages"), [("period", PERIOD, {"new", "active"}),
                                                     ("baseline", BASELINE, {"dormant"})])
def test_churners_buy_nothing_from_their_stop_day_on(demo: DemoData, quarter: str, start: pd.Timestamp,
                                                     stages: set[str]) -> None:
    """Customers active at the quarter's start churn; a baseline churner is dormant at the end (still in contact)."""
    stops = pd.to_datetime(pd.Series(demo.ground_truth[f"{quarter}_churn_summary"]["stop_days"]))
    assert len(stops) and ((stops >= start) & (stops < start + pd.Timedelta(days=45))).all()
    tx = demo.tables["transactions"]
    after = tx[tx.customer_id.isin(stops.index)]
    assert (after.transaction_date < stops.reindex(after.customer_id).to_numpy()).all()
    stage = pd.Series(demo.ground_truth["lifecycle"])
    assert set(stage[stops.index]) <= stages


def test_baseline_churners_are_not_at_risk_in_the_period(demo: DemoData) -> None:
    g = demo.ground_truth
    before = [c for c, churned in g["baseline_churn"].items() if churned]
    assert before and not set(before) & set(g["period_churn_probability"])
    assert not set(before) & {c for c, churned in g["period_churn"].items() if churned}


def test_owner_rates_in_the_truth_are_those_of_the_tasks_table(demo: DemoData) -> None:
    tasks = demo.tables["tasks"]
    scope = tasks[(tasks.planned_date >= PERIOD) & (tasks.planned_date < END)]
    done = scope.status == "done"
    on_time = done & (scope.actual_date <= scope.planned_date)
    owners = demo.ground_truth["execution"]["owners"]
    assert set(owners) == set(scope.owner)
    for owner, row in owners.items():
        mine = scope.owner == owner
        assert row["tasks"] == mine.sum() and row["done"] == (mine & done).sum(), owner
        assert row["done_on_time"] == (mine & on_time).sum(), owner
    assert (scope.actual_date.notna() == done).all()
    assert min(row["tasks"] for row in owners.values()) < 10, "one small owner"


def test_execution_of_each_customer_is_their_first_period_task(demo: DemoData) -> None:
    tasks = demo.tables["tasks"]
    scope = tasks[(tasks.planned_date >= PERIOD) & (tasks.planned_date < END)]
    first = scope.sort_values(["planned_date", "task_id"]).drop_duplicates("customer_id").set_index("customer_id")
    outcome = np.select([(first.status == "done") & (first.actual_date <= first.planned_date), first.status == "done"],
                        ["on_time", "late"], "not_done")
    truth_outcome = pd.Series(demo.ground_truth["execution"]["customers"])
    assert (truth_outcome.reindex(first.index).to_numpy() == outcome).all()
    without = truth_outcome.index.difference(first.index)
    assert len(without) == demo.ground_truth["execution"]["customers_without_task"] > 0
    assert (truth_outcome[without] == "not_done").all()


def test_on_time_execution_lowers_the_churn_within_segment(big: DemoData) -> None:
    from statsmodels.stats.contingency_tables import StratifiedTable

    g = big.ground_truth
    outcome, churn = pd.Series(g["execution"]["customers"]), pd.Series(g["period_churn"])
    risk = pd.Index(list(g["period_churn_probability"]))
    frame = pd.DataFrame({"outcome": outcome.reindex(risk), "churn": churn[risk],
                          "segment": pd.Series(g["segments"])[risk]}).dropna()
    rates = frame.groupby("outcome").churn.mean()
    assert rates["on_time"] < rates["not_done"]
    tables = []
    for _, part in frame[frame.outcome != "late"].groupby("segment"):
        t = pd.crosstab(part.outcome == "on_time", part.churn).reindex(index=[True, False], columns=[True, False],
                                                                     fill_value=0).to_numpy()
        if (t.sum(axis=1) > 0).all():
            tables.append(t)
    mh = StratifiedTable(tables)
    assert mh.oddsratio_pooled < 1 and mh.oddsratio_pooled_confint()[0] < 0.5 < mh.oddsratio_pooled_confint()[1]


def test_the_health_drivers_rank_the_period_churn(big: DemoData) -> None:
    from sklearn.metrics import roc_auc_score

    g = big.ground_truth
    p = pd.Series(g["period_churn_probability"])
    churn = pd.Series(g["period_churn"])[p.index]
    # the truth's AUC is of the unrounded probabilities, the file's are rounded to 6 decimals: rounding keeps their
    # order and can only tie a churner with a non-churner, each tied pair moving the AUC by half a pair
    counts = churn.groupby(p).agg(["sum", "count"])
    tied = (counts["sum"] * (counts["count"] - counts["sum"])).sum() / (churn.sum() * (~churn).sum())
    assert roc_auc_score(churn, p) == pytest.approx(g["health"]["auc_true_probability"], abs=tied / 2 + 5e-7)
    assert 0.72 < g["health"]["auc_health_drivers"] < 0.85
    assert 0.06 < g["period_churn_rate"] < 0.10
    assert 0.06 < g["baseline_churn_rate"] < 0.10 and 0.72 < g["health"]["baseline_auc_health_drivers"] < 0.85


def test_resolution_and_response_rules_match_the_tables(demo: DemoData) -> None:
    tickets = demo.tables["tickets"]
    mine = tickets[(tickets.opened_at >= PERIOD) & (tickets.opened_at <= END - pd.Timedelta(hours=72))]
    met = (mine.resolved_at - mine.opened_at) <= pd.Timedelta(hours=72)
    rule = demo.ground_truth["followup_7_24_72"]["resolve_72h"]
    assert rule["eligible"] == len(mine) and rule["met"] == met.sum()
    urgent = tickets[(tickets.priority == "urgent") & (tickets.opened_at >= PERIOD)
                     & (tickets.opened_at <= END - pd.Timedelta(hours=2))]
    sla = demo.ground_truth["sla_first_response"]["urgent"]
    assert sla["eligible"] == len(urgent) and sla["limit_hours"] == 2
    assert sla["met"] == ((urgent.first_response_at - urgent.opened_at) <= pd.Timedelta(hours=2)).sum()
    for rule in demo.ground_truth["followup_7_24_72"].values():
        assert 0.6 < rule["planted_rate"] < 0.95 and abs(rule["observed_rate"] - rule["planted_rate"]) < 0.15


def test_communication_log_columns(demo: DemoData) -> None:
    log = demo.tables["interactions"]
    high = log.assign(high=log.urgency == "high").groupby("interaction_type").high.mean()
    assert high["complaint"] > 0.5 > high["marketing"] + 0.3
    assert log.topic.notna().all() and log.owner.notna().all()
    assert set(log.topic[log.channel == "survey"]) == {"satisfaction check"}
    agreed = log[log.due_date.notna()]
    assert set(agreed.interaction_type) == {"consultation", "complaint"} and agreed.follow_up.notna().all()
    assert (agreed.due_date > agreed.interaction_time.dt.normalize()).all()
    out = log[log.direction == "outbound"][["customer_id", "interaction_time"]]
    pair = agreed[agreed.due_date < END][["interaction_id", "customer_id", "interaction_time", "due_date"]].merge(
        out, on="customer_id", suffixes=("", "_out"))
    kept = pair[(pair.interaction_time_out > pair.interaction_time) & (pair.interaction_time_out
                                                                       < pair.due_date + pd.Timedelta(days=1))]
    past_due = 1 - kept.interaction_id.nunique() / (agreed.due_date < END).sum()
    assert 0.05 < past_due < 0.5, "some follow-ups are past due"
    issues, feedback = demo.ground_truth["quality_issues"], log.feedback.dropna()
    assert feedback.str.contains(r"1[3-9]\d{9}").sum() == issues["interactions_feedback_with_phone"] > 0
    assert feedback.str.contains("@", regex=False).sum() == issues["interactions_feedback_with_email"] > 0
