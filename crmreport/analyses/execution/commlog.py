"""The communication log (客户沟通记录表) and the service-quality improvement tracking (服务质量改进跟踪表).

The communication-log columns of ``interactions`` (topic, urgency, owner, due_date, follow_up,
feedback) are optional; each view says when its columns are empty. An agreed follow-up (a row with a
``due_date``) is kept when the customer receives an outbound contact after the logged interaction and
by the end of the due date; it is past due when not kept and the due date lies before ``until``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...ingest.dataset import Dataset
from ...measures.relations import rows_between
from ...settings.period import Window
from .followup import next_outbound

COMMLOG_COLUMNS: tuple[str, ...] = ("topic", "urgency", "owner", "due_date", "follow_up", "feedback")
URGENCIES: tuple[str, ...] = ("high", "medium", "low")
IMPROVEMENT_STATUSES: tuple[str, ...] = ("done_on_time", "done_late", "open_past_due", "open")


def has_column(frame: pd.DataFrame, column: str) -> bool:
    """True when ``frame`` has ``column`` with at least one value."""
    return column in frame.columns and bool(frame[column].notna().any())


def log_in_window(data: Dataset, window: Window) -> pd.DataFrame:
    """The dataset's interactions of ``window`` (of a prepared table not read yet, only those rows are read
    from its file: :func:`crmreport.measures.relations.rows_between`)."""
    return rows_between(data, "interactions", "interaction_time", pd.Timestamp(window.start),
                        pd.Timestamp(window.stop))


def by_channel(log: pd.DataFrame, column: str) -> pd.DataFrame:
    """Logged contacts by channel and ``column`` (topic or urgency): channel, value, contacts, share of
    the channel's logged contacts. Rows without a value are left out."""
    known = log[log[column].notna()]
    counts = known.groupby(["channel", column]).size().rename("contacts").reset_index()
    counts["share"] = counts["contacts"] / counts.groupby("channel")["contacts"].transform("sum")
    if column == "urgency":
        counts["_order"] = counts["urgency"].map({u: i for i, u in enumerate(URGENCIES)})
        return counts.sort_values(["channel", "_order"]).drop(columns="_order").reset_index(drop=True)
    return counts.sort_values(["channel", "contacts"], ascending=[True, False]).reset_index(drop=True)


def follow_ups(log: pd.DataFrame, data: Dataset, until: pd.Timestamp) -> pd.DataFrame:
    """Per logged contact with a due date: whether the agreed follow-up was kept, is past due or still open,
    and the days past due. The next outbound contact after each is found in DuckDB over the dataset's
    interactions."""
    agreed = log[log["due_date"].notna()].copy()
    agreed["at"] = pd.to_datetime(agreed["interaction_time"])
    agreed["due"] = pd.to_datetime(agreed["due_date"]).dt.normalize()
    agreed = agreed.sort_values("at").reset_index(drop=True)
    agreed["reply"] = next_outbound(agreed, data)
    kept = agreed["reply"].notna() & (agreed["reply"] < agreed["due"] + pd.Timedelta(days=1))
    past = ~kept & (agreed["due"] + pd.Timedelta(days=1) <= until)
    agreed["state"] = np.select([kept, past], ["kept", "past_due"], "open")
    # the tasks' convention for days overdue (:func:`crmreport.measures.taskscope.task_scope`): whole days from the
    # due date to ``until``, the day after the as-of date, so both tables count the same lateness alike
    agreed["days_past_due"] = (until - agreed["due"]).dt.days.where(past).astype("Int64")
    return agreed.drop(columns=["at", "due"]).reset_index(drop=True)


def follow_up_summary(agreed: pd.DataFrame) -> pd.DataFrame:
    """Agreed follow-ups per owner (and ``all``): agreed, kept, past_due, open, kept_rate = kept / (kept +
    past due), ordered by most past due."""
    owner = agreed["owner"].fillna("unassigned") if "owner" in agreed else pd.Series("unassigned", agreed.index)

    def row(name: str, group: pd.DataFrame) -> dict[str, object]:
        counts = group["state"].value_counts()
        kept, past = int(counts.get("kept", 0)), int(counts.get("past_due", 0))
        return {"owner": name, "agreed": len(group), "kept": kept, "past_due": past,
                "open": int(counts.get("open", 0)), "kept_rate": kept / (kept + past) if kept + past else np.nan}

    rows = sorted((row(name, group) for name, group in agreed.groupby(owner)),
                  key=lambda r: (-r["past_due"], r["owner"]))
    return pd.DataFrame([*rows, row("all", agreed)],
                        columns=["owner", "agreed", "kept", "past_due", "open", "kept_rate"])


def past_due_list(agreed: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Past-due follow-ups, most overdue first, with the customer's masked name."""
    past = agreed[agreed["state"] == "past_due"].merge(
        customers[["customer_id", "name"]].rename(columns={"name": "customer"}), on="customer_id", how="left")
    columns = ["customer_id", "customer", "interaction_time", "channel", "topic", "urgency", "owner", "due_date",
               "days_past_due", "follow_up"]
    past = past.reindex(columns=columns)
    return past.sort_values(["days_past_due", "customer_id"], ascending=[False, True]).reset_index(drop=True)


def improvement_status(improvements: pd.DataFrame, until: pd.Timestamp) -> pd.DataFrame:
    """Each improvement with its status: done on time (actual <= planned), done late, open past due
    (not done, planned before ``until``) or open; ordered by planned date."""
    planned, actual = pd.to_datetime(improvements["planned_date"]), pd.to_datetime(improvements["actual_date"])
    status = np.select([actual.notna() & (actual <= planned), actual.notna(), planned < until],
                       ["done_on_time", "done_late", "open_past_due"], "open")
    frame = improvements.assign(status=status)
    return frame.sort_values(["planned_date", "improvement_id"]).reset_index(drop=True)[
        ["improvement_id", "problem", "measure", "department", "owner", "customers_affected", "planned_date",
         "actual_date", "status", "verification_score"]]


def improvement_summary(status: pd.DataFrame) -> pd.DataFrame:
    """Per status: improvements, customers affected and mean verification score (1-5), plus ``all``."""
    rows = []
    for name in (*IMPROVEMENT_STATUSES, "all"):
        group = status if name == "all" else status[status["status"] == name]
        scores = group["verification_score"].dropna().astype(float)
        rows.append({"status": name, "improvements": len(group),
                     "customers_affected": int(group["customers_affected"].fillna(0).sum()),
                     "verification_mean": scores.mean() if len(scores) else np.nan, "verified": len(scores)})
    return pd.DataFrame(rows)
