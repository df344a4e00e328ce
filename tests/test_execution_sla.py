"""Ticket service levels and the 7-24-72 rule against hand computations (pending, unanswered, business hours)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import dataset_of
from test_execution_tasks import wilson

from crmreport.analyses.execution import followup, sla
from crmreport.engine import Engine
from crmreport.measures.replies import reply_counts
from crmreport.measures.slaclock import SlaFigures, ticket_outcomes
from crmreport.measures.tables import collect, frame_table
from crmreport.settings import Window
from crmreport.settings.execution import BusinessHours, ExecutionParams

WINDOW = Window(start="2025-07-01", end="2025-09-30")
UNTIL = pd.Timestamp("2025-10-01")
SETTINGS = ExecutionParams(bootstrap=200)
T = pd.Timestamp
TICKETS = pd.DataFrame([
    # ticket, customer, priority, opened, first response, resolved
    ("K1", "C1", "urgent", "2025-07-01 10:00", "2025-07-01 11:30", "2025-07-02 10:00"),  # 1.5 h met, 24 h met
    ("K2", "C2", "urgent", "2025-07-01 10:00", "2025-07-01 13:00", "2025-07-05 10:00"),  # 3 h breached, 96 h breached
    ("K3", "C3", "high", "2025-09-30 10:00", None, None),  # 14 h waited: both pending
    ("K4", "C4", "low", "2025-09-20 10:00", None, None),  # no response after 254 h: both breached
    ("K5", "C5", "medium", "2025-09-29 12:00", "2025-09-29 13:00", None),  # 1 h met; 36 h waited: pending
    ("K6", "C6", "low", "2025-06-30 10:00", "2025-06-30 11:00", "2025-06-30 12:00"),  # before the period
], columns=["ticket_id", "customer_id", "priority", "opened_at", "first_response_at", "resolved_at"]).assign(
    category=["complaint", "billing", "billing", "complaint", "billing", "billing"], department="service",
    opened_at=lambda f: pd.to_datetime(f["opened_at"]), first_response_at=lambda f: pd.to_datetime(
        f["first_response_at"]), resolved_at=lambda f: pd.to_datetime(f["resolved_at"]))


WITH_TICKETS = dataset_of(tickets=TICKETS)


def outcomes(tickets: pd.DataFrame, window: Window, until: pd.Timestamp, settings: ExecutionParams) -> pd.DataFrame:
    """Each ticket's hours and outcomes (:func:`crmreport.measures.slaclock.ticket_outcomes`, DuckDB), by ticket id."""
    with Engine().backend() as backend:
        rows = ticket_outcomes(frame_table(backend, "tickets", tickets), window, until.to_pydatetime(), settings)
        return collect(backend, rows).set_index("ticket_id").sort_index()


@pytest.fixture
def per_ticket() -> SlaFigures:
    return sla.ticket_sla(WITH_TICKETS, WINDOW, UNTIL, SETTINGS)


def test_outcomes_per_ticket():
    frame = outcomes(TICKETS, WINDOW, UNTIL, SETTINGS)
    assert frame.index.tolist() == ["K1", "K2", "K3", "K4", "K5"]
    assert frame["first_response_outcome"].tolist() == ["met", "breached", "pending", "breached", "met"]
    assert frame["resolution_outcome"].tolist() == ["met", "breached", "pending", "breached", "pending"]
    assert frame["first_response_hours"].tolist()[:2] == [1.5, 3.0]


def test_sla_compliance_contract_by_hand(per_ticket):
    table = sla.sla_compliance(per_ticket, SETTINGS)
    assert list(table.columns[:10]) == ["rule", "priority", "tickets", "met", "breached", "pending",
                                        "compliance_rate", "median_hours", "p90_hours", "median_low"]
    rows = table.set_index(["rule", "priority"])
    first, solved = rows.loc[("first_response", "all")], rows.loc[("resolution", "all")]
    assert (first["tickets"], first["met"], first["breached"], first["pending"]) == (5, 2, 2, 1)
    assert first["compliance_rate"] == 0.5
    assert first["median_hours"] == 1.5 and first["p90_hours"] == pytest.approx(1.5 + 0.8 * 1.5)  # of 1, 1.5, 3
    assert (solved["met"], solved["breached"], solved["pending"]) == (1, 2, 2)
    assert solved["compliance_rate"] == pytest.approx(1 / 3) and solved["median_hours"] == 60
    assert rows.loc[("first_response", "urgent"), ["met", "breached"]].tolist() == [1, 1]
    assert [p for r, p in rows.index if r == "first_response"] == ["all", "urgent", "high", "medium", "low"]
    assert first["median_low"] <= first["median_hours"] <= first["median_high"]


def test_bootstrap_interval_of_the_median_covers_the_truth():
    values = np.random.default_rng(3).exponential(10.0, 400)
    estimate, low, high = sla.bootstrap_quantile(values, 0.5, 1000, 1)
    assert low < 10 * math.log(2) < high and low < estimate < high
    assert np.isnan(sla.bootstrap_quantile(np.array([]), 0.5, 100, 1)[0])


def test_business_hours_turn_a_weekend_breach_into_a_met_response():
    # high priority, 24 h limit; opened Friday 17:00, answered Monday 10:00 (65 calendar hours)
    ticket = TICKETS.iloc[:1].assign(priority="high", opened_at=T("2025-10-03 17:00"),
                                     first_response_at=T("2025-10-06 10:00"), resolved_at=T("2025-10-08 12:00"))
    quarter = Window(start="2025-10-01", end="2025-12-31")
    calendar = outcomes(ticket, quarter, T("2026-01-01"), SETTINGS)
    business = outcomes(ticket, quarter, T("2026-01-01"), SETTINGS.model_copy(
        update={"business_hours": BusinessHours(holidays=[date(2025, 10, 6)])}))
    assert calendar["first_response_hours"].item() == 65 and calendar["first_response_outcome"].item() == "breached"
    assert business["first_response_hours"].item() == 1  # Fri 17-18; the answer came on the holiday
    assert business["first_response_outcome"].item() == "met"
    assert business["resolution_hours"].item() == 1 + 9 + 3  # Fri 1 h, Tue 9 h, Wed 9-12


def test_worst_categories_need_enough_rated_tickets(per_ticket):
    worst = sla.worst_categories(per_ticket, SETTINGS.model_copy(update={"min_worst": 2}))
    # billing: K2 breached, K5 met (K3 pending) -> 1/2; complaint: K1 met, K4 breached -> 1/2; tie: more tickets first
    assert worst["category"].tolist() == ["billing", "complaint"]
    assert worst["first_response_rate"].tolist() == [0.5, 0.5]
    assert sla.worst_categories(per_ticket, SETTINGS.model_copy(update={"min_worst": 3})).empty


CUSTOMERS = pd.DataFrame({"customer_id": ["N1", "N2", "N3", "N4", "N5", "N6"], "signup_date": pd.to_datetime(
    ["2025-07-01", "2025-07-10", "2025-09-28", "2025-08-01", "2025-06-01", "2025-08-10"])})
INTERACTIONS = pd.DataFrame([
    ("I1", "N1", "2025-07-05 10:00", "outbound", "follow_up"),  # N1: 4 days, met
    ("I2", "N2", "2025-07-20 10:00", "outbound", "follow_up"),  # N2: 10 days, breached
    ("I3", "C1", "2025-06-30 10:00", "outbound", "marketing"),  # before C1's question: not a reply
    ("I4", "C1", "2025-07-01 10:00", "inbound", "consultation"),
    ("I5", "C1", "2025-07-01 20:00", "outbound", "follow_up"),  # reply after 10 h: met
    ("I6", "C2", "2025-07-02 09:00", "inbound", "complaint"),  # its ticket answers after 6 h: met
    ("I7", "C2", "2025-07-05 09:00", "outbound", "follow_up"),
    ("I8", "C3", "2025-07-03 09:00", "inbound", "consultation"),
    ("I9", "C3", "2025-07-05 09:00", "outbound", "follow_up"),  # reply after 48 h: breached
    ("I10", "C4", "2025-07-03 09:00", "inbound", "suggestion"),  # not a consultation or complaint
    ("I11", "C5", "2025-09-30 20:00", "inbound", "consultation"),  # 4 h before the cut-off: pending
], columns=["interaction_id", "customer_id", "interaction_time", "direction", "interaction_type"]).assign(
    interaction_time=lambda f: pd.to_datetime(f["interaction_time"]))
WITH_INTERACTIONS = dataset_of(interactions=INTERACTIONS)
DONE_TASKS = pd.DataFrame({"customer_id": ["N4", "N2"], "status": ["done", "not_started"],
                           "actual_date": pd.to_datetime(["2025-08-08", None])})
REPLY_TICKETS = pd.DataFrame({"ticket_id": ["K1"], "customer_id": ["C2"], "opened_at": [T("2025-07-02 09:00")],
                              "first_response_at": [T("2025-07-02 15:00")]})
WITH_REPLY_TICKETS = dataset_of(interactions=INTERACTIONS, tickets=REPLY_TICKETS)


def test_first_follow_up_within_7_days_by_hand():
    frame = followup.first_follow_ups(CUSTOMERS, WITH_INTERACTIONS, DONE_TASKS, WINDOW, UNTIL, 7)
    frame = frame.set_index("customer_id")
    assert frame["outcome"].to_dict() == {"N1": "met", "N2": "breached", "N3": "pending", "N4": "met",
                                          "N6": "breached"}
    assert frame.loc["N4", "days"] == 7 and frame.loc["N2", "days"] == pytest.approx(10 + 10 / 24)  # 07-20 10:00


def test_reply_within_24_hours_by_hand():
    frame = followup.replies(WITH_REPLY_TICKETS, WINDOW, UNTIL, SETTINGS).set_index("interaction_id")
    assert frame["outcome"].to_dict() == {"I4": "met", "I6": "met", "I8": "breached", "I11": "pending"}
    assert frame["hours"].loc[["I4", "I6", "I8"]].tolist() == [10, 6, 48]


def test_rule_table_rates_and_wilson_intervals(per_ticket):
    follow_ups = followup.first_follow_ups(CUSTOMERS, WITH_INTERACTIONS, DONE_TASKS, WINDOW, UNTIL, 7)
    replies = reply_counts(WITH_REPLY_TICKETS, WINDOW, UNTIL, SETTINGS)
    assert replies == (2, 1, 1)
    table = followup.rule_7_24_72(follow_ups, replies, per_ticket)
    assert list(table.columns[:6]) == ["rule", "eligible", "met", "rate", "ci_low", "ci_high"]
    rows = table.set_index("rule")
    assert rows[["eligible", "met", "pending"]].values.tolist() == [[4, 2, 1], [3, 2, 1], [3, 1, 2]]
    for rule, (k, n) in {"first_follow_up_7d": (2, 4), "reply_24h": (2, 3), "resolve_72h": (1, 3)}.items():
        assert rows.loc[rule, "rate"] == pytest.approx(k / n)
        assert (rows.loc[rule, "ci_low"], rows.loc[rule, "ci_high"]) == pytest.approx(wilson(k, n))
    assert followup.rule_7_24_72(None, replies, None)["rule"].tolist() == ["reply_24h"]


def test_cadence_counts_outbound_contacts_in_the_window():
    execution = pd.DataFrame({"customer_id": ["X", "Y", "Z", "W", "V"],
                              "lifecycle_stage": ["active", "active", "dormant", "active", "dormant"]})
    times = ["2025-07-02", "2025-07-20", "2025-08-15", "2025-09-10", "2025-06-01"]
    contacts = pd.DataFrame({"customer_id": ["X"] * 4 + ["Y"], "direction": "outbound",
                             "interaction_time": pd.to_datetime(times)})
    contacts = pd.concat([contacts, pd.DataFrame({"customer_id": ["Y", "Z"], "direction": ["outbound", "inbound"],
                                                  "interaction_time": pd.to_datetime(["2025-08-01", "2025-08-01"])}),
                          pd.DataFrame({"customer_id": ["W", "W", "W", "V"], "direction": "outbound",
                                        "interaction_time": pd.to_datetime(["2025-07-05", "2025-08-05", "2025-09-30",
                                                                            "2025-09-01"])})])
    table = followup.cadence(execution, dataset_of(interactions=contacts), WINDOW, SETTINGS).set_index("stage")
    # by hand: the window has 92 days; whole 30-day intervals in it: 3, whole 90-day intervals: 1
    assert WINDOW.days == 92
    assert table.loc["active", "expected"] == 3 and table.loc["dormant", "expected"] == 1
    # active received X 4 (met), Y 1 (06-01 lies before the window), W 3 (met): 2 of 3
    assert table.loc["active", "share_met"] == pytest.approx(2 / 3) and table.loc["active", "mean_received"] == 8 / 3
    # dormant: Z only inbound (0, not met), V one outbound (met)
    assert table.loc["dormant", "share_met"] == 0.5


def test_cadence_expects_one_contact_when_the_window_is_shorter_than_the_rhythm():
    month = Window(start="2025-07-01", end="2025-07-31")
    execution = pd.DataFrame({"customer_id": ["Z"], "lifecycle_stage": ["dormant"]})
    contacts = pd.DataFrame({"customer_id": ["Z"], "direction": "outbound",
                             "interaction_time": pd.to_datetime(["2025-07-09"])})
    table = followup.cadence(execution, dataset_of(interactions=contacts), month, SETTINGS).set_index("stage")
    assert table.loc["dormant", "expected"] == 1 and table.loc["dormant", "share_met"] == 1


def test_wilson_bounds_hold_the_rate_when_every_case_is_met():
    everything = pd.Series(["met"] * 7)
    table = followup.rule_7_24_72(pd.DataFrame({"outcome": everything}), None, None).iloc[0]
    assert table["rate"] == 1 and table["ci_high"] == 1 and table["ci_low"] == pytest.approx(wilson(7, 7)[0])


def _resampled(values: np.ndarray, q: float, resamples: int, seed: int, alpha: float = 0.05):
    """The bootstrap as first written: one matrix of resamples per quantile (the oracle of the blocked one)."""
    values = values[~np.isnan(values)]
    rng = np.random.default_rng(seed)
    draws = np.quantile(values[rng.integers(0, len(values), (resamples, len(values)))], q, axis=1)
    low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    return float(np.quantile(values, q)), float(low), float(high)


@pytest.mark.parametrize("n", [3, 17, 475])
@pytest.mark.parametrize("cells", [1, 50, 1 << 22])
def test_blocked_bootstrap_draws_the_same_resamples(n, cells):
    values = np.random.default_rng(n).gamma(2.0, 5.0, n)
    values[::5] = np.nan
    both = sla.bootstrap_quantiles(values, (0.5, 0.9), 150, 2025, 0.05, cells=cells)
    assert both == [_resampled(values, q, 150, 2025) for q in (0.5, 0.9)]
    assert sla.bootstrap_quantile(values, 0.9, 150, 2025) == both[1]


def test_bootstrap_of_empty_and_single_values():
    assert np.isnan(sla.bootstrap_quantiles(np.array([np.nan]), (0.5, 0.9), 100, 1)).all()
    assert sla.bootstrap_quantiles(np.array([4.0]), (0.5,), 100, 1, max_cells=0)[0][0] == 4.0


@pytest.mark.parametrize("n", [400, 3000])
def test_order_statistic_bootstrap_matches_resampling_in_distribution(n):
    # the exact order-statistic draws and explicit resamples estimate the same percentile interval
    values = np.random.default_rng(3).lognormal(1.0, 1.0, n)
    sampled = np.array(sla.bootstrap_quantiles(values, (0.5, 0.9), 4000, 1))
    exact = np.array(sla.bootstrap_quantiles(values, (0.5, 0.9), 4000, 2, max_cells=0))
    assert (sampled[:, 0] == exact[:, 0]).all()  # the estimates themselves are not resampled
    spread = (sampled[:, 2] - sampled[:, 1])[:, None]
    assert (np.abs(sampled[:, 1:] - exact[:, 1:]) <= 0.1 * spread).all()


def test_compliance_without_intervals_keeps_medians(per_ticket):
    full = sla.sla_compliance(per_ticket, SETTINGS, "category")
    quick = sla.sla_compliance(per_ticket, SETTINGS, "category", intervals=False)
    same = ["rule", "category", "tickets", "met", "breached", "pending", "compliance_rate", "median_hours", "p90_hours"]
    pd.testing.assert_frame_equal(full[same], quick[same])
    assert quick[["median_low", "median_high", "p90_low", "p90_high"]].isna().all().all()


def _oracle_next(asked: pd.DataFrame, interactions: pd.DataFrame) -> pd.Series:
    """The forward merge_asof (strictly later, same customer) that next_outbound replaces."""
    out = interactions[interactions["direction"] == "outbound"]
    answers = out[["customer_id"]].assign(reply=out["interaction_time"]).sort_values("reply")
    left = asked.assign(pos=range(len(asked))).sort_values("at")
    merged = pd.merge_asof(left, answers, left_on="at", right_on="reply", by="customer_id", direction="forward",
                           allow_exact_matches=False)
    return merged.sort_values("pos")["reply"].reset_index(drop=True)


CONTACTS = pd.DataFrame([
    ("I1", "C1", "2025-07-04 09:00", "inbound"), ("I2", "C1", "2025-07-04 09:00", "outbound"),  # same time: no reply
    ("I3", "C1", "2025-07-05 10:00", "outbound"), ("I4", "C1", "2025-07-06 10:00", "outbound"),
    ("I5", "C2", "2025-07-05 18:00", "outbound"),  # Saturday evening
    ("I6", "C3", "2025-07-01 08:00", "outbound"),  # before every question of C3
], columns=["interaction_id", "customer_id", "interaction_time", "direction"]).assign(
    interaction_time=lambda f: pd.to_datetime(f["interaction_time"]))
WITH_CONTACTS = dataset_of(interactions=CONTACTS)


def test_next_outbound_against_merge_asof(tmp_path):
    from crmreport.ingest.dataset import Dataset, TableAccount
    from crmreport.reporting.context import load_prepared

    asked = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4", "C1"],
                          "at": pd.to_datetime(["2025-07-04 09:00", "2025-07-04 12:00", "2025-07-02 08:00",
                                                "2025-07-02 08:00", "2025-07-06 10:00"])})
    expected = _oracle_next(asked, CONTACTS)
    assert expected.isna().tolist() == [False, False, True, True, True]
    found = followup.next_outbound(asked, WITH_CONTACTS)
    assert (pd.Series(found).equals(expected.astype(found.dtype)))
    account = TableAccount("interactions", "test", "", None, len(CONTACTS), 0, 0, len(CONTACTS))
    Dataset({"interactions": CONTACTS}, {}, {"interactions": account}, "test", False).save(tmp_path)
    prepared = load_prepared(tmp_path)
    assert pd.Series(followup.next_outbound(asked, prepared)).equals(expected.astype(found.dtype))
    assert prepared.tables.loaded == {}  # read by DuckDB from the file
    assert len(followup.next_outbound(asked.iloc[:0], WITH_CONTACTS)) == 0


def test_first_follow_up_from_interactions_and_tasks_by_hand():
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C9"], "signup_date": pd.to_datetime(
        ["2025-07-03", "2025-07-05", "2025-07-02", "2025-06-01"])})  # C9 signed up before the period
    done = pd.DataFrame({"customer_id": ["C3", "C3"], "status": ["done", "delayed"],
                         "actual_date": pd.to_datetime(["2025-07-12", "2025-07-03"])})
    frame = followup.first_follow_ups(customers, WITH_CONTACTS, done, WINDOW, UNTIL, 7).set_index("customer_id")
    assert frame.index.tolist() == ["C1", "C2", "C3"]
    assert frame.loc["C1", "first_contact"] == T("2025-07-04 09:00")  # the day after signing up
    assert frame.loc["C2", "days"] == 0.75  # the evening of the signup day
    assert frame.loc["C3", "days"] == 10.0  # the task; the earlier interaction was before the signup
    assert frame["outcome"].tolist() == ["met", "met", "breached"]
    none = followup.first_follow_ups(customers, dataset_of(), None, WINDOW, UNTIL, 7)
    assert none["first_contact"].isna().all() and none["outcome"].tolist() == ["breached"] * 3


def test_an_unanswered_ticket_is_judged_at_the_data_as_of_date_not_the_period_end():
    from crmreport.analyses.execution.clock import observed_until

    # K3 (opened 30 September, no answer) is pending at the period end but breached at as_of 15 October;
    # K5's resolution (opened 29 September) likewise
    frame = outcomes(TICKETS, WINDOW, observed_until(date(2025, 10, 15)), SETTINGS)
    assert frame.loc["K3", ["first_response_outcome", "resolution_outcome"]].tolist() == ["breached", "breached"]
    assert frame.loc["K5", "resolution_outcome"] == "breached"
    # judged on 30 September itself, K3's 24 hours have not passed: pending
    early = outcomes(TICKETS, WINDOW, observed_until(date(2025, 9, 30)), SETTINGS)
    assert early.loc["K3", "first_response_outcome"] == "pending"
