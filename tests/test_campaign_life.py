"""A campaign's life across reports: looks, running / concluded / skipped, inference, information fraction."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from crmreport.analyses.abtests import life
from crmreport.settings import AbTests, Window

Q2 = Window(start=date(2025, 4, 1), end=date(2025, 6, 30))
Q3 = Window(start=date(2025, 7, 1), end=date(2025, 9, 30))
Q4 = Window(start=date(2025, 10, 1), end=date(2025, 12, 31))


def outreach_rows(campaign: str, days: list[str], arms=("control", "t")) -> pd.DataFrame:
    stamps = pd.to_datetime(days)
    return pd.DataFrame({"campaign_id": campaign, "customer_id": [f"{campaign}{i}" for i in range(len(days))],
                         "arm": [arms[i % len(arms)] for i in range(len(days))], "assigned_at": stamps,
                         "channel": "call"})


@pytest.mark.parametrize(("first", "window", "expected"), [
    (date(2025, 6, 20), Q3, 2), (date(2025, 7, 1), Q3, 1), (date(2025, 1, 1), Q3, 3), (date(2024, 12, 31), Q3, 4),
    (date(2025, 6, 20), Window(start=date(2025, 9, 1), end=date(2025, 9, 30)), 4),  # monthly reports: Jun..Sep
    (date(2025, 6, 20), Window(start=date(2025, 7, 10), end=date(2025, 7, 19)), 3),  # 10-day windows
])
def test_look_number_counts_the_reports_of_the_period_length(first, window, expected):
    assert life.look_number(first, window) == expected
    windows = life.look_windows(first, window)
    assert windows[-1] == window and windows[0].start <= first <= windows[0].end
    assert all(a.end + timedelta(days=1) == b.start for a, b in zip(windows, windows[1:], strict=False))


def test_every_campaign_of_the_data_has_a_state_in_the_report():
    frame = pd.DataFrame([
        ("A", "C1", "control", "2025-06-30 23:59:59", "sms"), ("A", "C2", "treat", "2025-07-02", "sms"),
        ("B", "C1", "treat", "2025-07-01 00:00:00", "call"), ("B", "C2", "control", "2025-07-01 10:00", "call"),
        ("B", "C3", "other", "2025-07-02", "email"), ("C", "C1", "x", "2025-09-30 23:59:59", "call"),
        ("D", "C1", "control", "2025-10-01 00:00:00", "sms"),
    ], columns=["campaign_id", "customer_id", "arm", "assigned_at", "channel"])
    frame["assigned_at"] = pd.to_datetime(frame["assigned_at"], format="ISO8601")
    overview = life.campaign_life(frame, Q3, "control", AbTests())
    assert list(overview.columns) == life.LIFE_COLUMNS
    rows = overview.set_index("campaign_id")
    assert overview["campaign_id"].tolist() == ["A", "B", "C", "D"]
    assert rows["status"].to_dict() == {"A": "concluded", "B": "concluded", "C": "running", "D": "skipped"}
    assert rows["look"].tolist()[:3] == [2, 1, 1] and pd.isna(rows.loc["D", "look"])
    assert rows["inference"].tolist()[:3] == ["sequential", "fixed_horizon", "sequential"]
    assert rows.loc["D", "reason"] == life.STARTS_AFTER and pd.isna(rows.loc["B", "reason"])
    assert rows.loc["B", "arm_names"] == "control, other, treat"  # control first, then by name
    assert (rows.loc["B", "arms"], rows.loc["B", "customers"], rows.loc["B", "channel"]) == (3, 3, "call")
    assert rows["has_control"].to_dict() == {"A": True, "B": True, "C": False, "D": True}
    assert life.campaign_life(None, Q3, "control", AbTests()).empty


def test_a_campaign_is_running_then_concluded_then_no_longer_read():
    data = pd.concat([outreach_rows("SPAN", ["2025-06-09", "2025-06-16", "2025-06-20", "2025-06-27"]),
                      outreach_rows("LATER", ["2025-10-02", "2025-10-03"]),
                      outreach_rows("PLANNED", ["2025-05-01", "2025-05-02"])])
    settings = AbTests(outcome_window_days=28, campaigns={"PLANNED": {"end_date": "2025-08-15"}})
    frames = {label: life.campaign_life(data, window, "control", settings).set_index("campaign_id")
              for label, window in (("Q2", Q2), ("Q3", Q3), ("Q4", Q4))}
    span = {label: frame.loc["SPAN"] for label, frame in frames.items()}
    assert (span["Q2"]["status"], span["Q2"]["look"], span["Q2"]["inference"]) == ("running", 1, "sequential")
    assert span["Q2"]["concluded_on"] == date(2025, 7, 25) and span["Q2"]["since"] == date(2025, 6, 9)
    assert (span["Q3"]["status"], span["Q3"]["look"], span["Q3"]["inference"]) == ("concluded", 2, "sequential")
    assert span["Q2"]["customers"] == span["Q3"]["customers"] == 4
    assert (span["Q4"]["status"], span["Q4"]["reason"]) == ("skipped", "concluded_before_period")
    assert frames["Q3"].loc["LATER", "reason"] == "starts_after_period"
    # read once, in the report where it starts and concludes: the fixed-horizon tests hold
    assert tuple(frames["Q4"].loc["LATER", ["status", "look", "inference"]]) == ("concluded", 1, "fixed_horizon")
    # the declared end date wins over the outcome window: still running in Q2, concluded in Q3
    assert frames["Q2"].loc["PLANNED", "status"] == "running"
    assert frames["Q3"].loc["PLANNED", "concluded_on"] == date(2025, 8, 15)


def test_customers_so_far_count_only_assignments_by_the_report_end():
    data = outreach_rows("X", ["2025-06-25", "2025-06-28", "2025-07-03", "2025-07-05"])
    q2 = life.campaign_life(data, Q2, "control", AbTests()).iloc[0]
    q3 = life.campaign_life(data, Q3, "control", AbTests()).iloc[0]
    assert (q2["customers"], q3["customers"]) == (2, 4)
    assert q2["last_assigned"] == pd.Timestamp("2025-06-28")


def test_inference_of_a_reading():
    assert life.inference("concluded", 1, None) == "fixed_horizon"
    assert life.inference("running", 1, None) == "sequential"
    assert life.inference("concluded", 2, None) == "sequential"
    settings = AbTests(campaigns={"G": {"planned_customers": 2000, "planned_looks": 3}, "H": {"planned_looks": 3}})
    assert life.inference("concluded", 1, settings.campaigns["G"]) == "group_sequential"
    assert life.inference("running", 2, settings.campaigns["H"]) == "sequential"


def test_information_fraction_counts_the_outcome_time_seen():
    stamps = pd.Series(pd.to_datetime(["2025-06-01", "2025-06-20", "2025-06-30"]))
    # by June 30 (inclusive): 30 days -> 1, 11 days -> 11/28, 1 day -> 1/28; over 10 planned customers
    assert life.information_fraction(stamps, date(2025, 6, 30), 10, 28) == pytest.approx((1 + 11 / 28 + 1 / 28) / 10)


def test_group_sequential_looks_use_the_reports_so_far():
    data = outreach_rows("G", pd.date_range("2025-06-02", "2025-11-20", freq="D").strftime("%Y-%m-%d").tolist())
    settings = AbTests(campaigns={"G": {"planned_customers": len(data), "planned_looks": 3}})
    looks = life.look_boundaries("G", date(2025, 6, 2), data["assigned_at"], Q4, settings)
    assert [w for w, _ in looks] == [Q2, Q3, Q4]
    bounds = np.array([b for _, b in looks])
    assert np.isfinite(bounds).all() and (np.diff(bounds) < 0).all()
    assert bounds[-1] == pytest.approx(1.96, abs=0.15)  # the last look spends (nearly) the whole alpha
    assert life.look_boundaries("G", date(2025, 6, 2), data["assigned_at"], Q4, AbTests()) == []
