"""The data behind notebook 06's pictures: the key-account radar and the relationship thermometer.

Radar dimensions, each 0-100 (docs/health.md): emotion (emotional account), value (percentile of CLV,
else of 12-month spend), interaction frequency (percentile of interactions in the lookback),
satisfaction and trust (RQI components), responsiveness (share of outbound contacts answered).
The thermometer counts VIP interactions per week of the period, with the share of positive ones
and the mean satisfaction (CSAT and ticket ratings, 1-5) of the week, and the days of each week inside the period:
a week cut by the period's start or end (``days`` < 7) holds fewer interactions without any drop in contact.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from ...ingest.dataset import Dataset
from ...measures.relations import count_per_customer, register_table
from ...measures.scores import window_mask
from ...settings.period import Window

RADAR_DIMENSIONS: tuple[str, ...] = ("emotion", "value", "interaction_frequency", "satisfaction", "trust",
                                     "responsiveness")


def radar_data(health: pd.DataFrame, measures: pd.DataFrame, data: Dataset, as_of: date, lookback_days: int,
               top: int) -> pd.DataFrame:
    """Tidy radar data (customer_id, dimension, score, rank) for the ``top`` customers by CLV (else by spend)."""
    frame = health.merge(measures[["customer_id", "response_rate"]], on="customer_id", how="left")
    worth = frame["clv"] if frame["clv"].notna().any() else frame["annual_amount"]
    frame["value"] = worth.rank(pct=True) * 100
    counts = pd.Series(0.0, index=frame["customer_id"])
    if data.has("interactions"):
        lookback = Window.trailing(as_of, lookback_days)
        counts = count_per_customer(frame["customer_id"], data, "interactions", "interaction_time",
                                    pd.Timestamp(lookback.start), pd.Timestamp(lookback.stop))
        counts = pd.Series(counts.astype("float64"), index=frame["customer_id"])
        frame["interaction_frequency"] = counts.rank(pct=True).to_numpy() * 100
    else:
        frame["interaction_frequency"] = np.nan
    frame["emotion"] = frame["emotional_account"]
    frame["responsiveness"] = frame["response_rate"] * 100
    keys = frame.assign(worth=worth).nlargest(top, "worth")
    tidy = keys[["customer_id", *RADAR_DIMENSIONS]].melt(id_vars="customer_id", var_name="dimension",
                                                          value_name="score")
    order = {c: i for i, c in enumerate(keys["customer_id"])}
    tidy["rank"] = tidy["customer_id"].map(order) + 1
    tidy["dimension_order"] = tidy["dimension"].map({d: i for i, d in enumerate(RADAR_DIMENSIONS)})
    return tidy.sort_values(["rank", "dimension_order"]).drop(columns="dimension_order").reset_index(drop=True)


def vip_customers(health: pd.DataFrame, share: float) -> pd.Series:
    """The top ``share`` of customers by 12-month spend (at least one)."""
    ranked = health.sort_values("annual_amount", ascending=False)
    return ranked["customer_id"].head(max(1, int(round(share * len(ranked)))))


def _vip_weeks(data: Dataset, vips: pd.Series, start: pd.Timestamp, stop: pd.Timestamp) -> pd.DataFrame:
    """Per week (Monday) with VIP interactions in ``start``..``stop``: interactions, positive and negative shares.

    Counted in DuckDB over the interactions (the Parquet file when the notebook has not read the table).
    """
    sql = """
        SELECT CAST(date_trunc('week', interaction_time) AS TIMESTAMP) AS week, COUNT(*) AS interactions,
               COUNT(sentiment) AS rated, COUNT(*) FILTER (WHERE sentiment = 1) AS positive,
               COUNT(*) FILTER (WHERE sentiment = -1) AS negative
        FROM interactions
        WHERE interaction_time >= $start AND interaction_time < $stop
              AND customer_id IN (SELECT customer_id FROM vip_frame)
        GROUP BY 1 ORDER BY 1
    """
    with duckdb.connect() as connection:
        register_table(connection, data, "interactions")
        connection.register("vip_frame", pd.DataFrame({"customer_id": pd.Series(vips).to_numpy(dtype=object)}))
        frame = connection.execute(sql, {"start": start.to_pydatetime(), "stop": stop.to_pydatetime()}).df()
    rated = frame["rated"].to_numpy(dtype="int64")  # shares of the interactions with a sentiment
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame({"week": frame["week"].astype("datetime64[ns]"),
                             "interactions": frame["interactions"].to_numpy(dtype="int64"),
                             "positive_share": frame["positive"].to_numpy(dtype="int64") / rated,
                             "negative_share": frame["negative"].to_numpy(dtype="int64") / rated}).astype(
            {"positive_share": "Float64", "negative_share": "Float64"})  # as pandas' mean of nullable values


def thermometer(data: Dataset, vips: pd.Series, start: date, end: date) -> pd.DataFrame:
    """Per week (Monday) of ``start``..``end``: the week's days inside the period, VIP interactions, positive and
    negative shares, mean satisfaction."""
    first = pd.Timestamp(start) - pd.Timedelta(days=pd.Timestamp(start).weekday())
    weeks = pd.date_range(first, pd.Timestamp(end), freq="7D")
    board = pd.DataFrame({"week": weeks})
    inside = (np.minimum(weeks + pd.Timedelta(days=6), pd.Timestamp(end)) - np.maximum(weeks, pd.Timestamp(start)))
    board["days"] = (inside.days + 1).astype("int64")
    period = Window(start=start, end=end)

    def weekly(frame: pd.DataFrame, column: str) -> pd.DataFrame:
        frame = frame[frame["customer_id"].isin(vips) & window_mask(frame[column], period)]
        return frame.assign(week=frame[column].dt.normalize() - pd.to_timedelta(frame[column].dt.weekday, unit="D"))

    if data.has("interactions"):
        weeks = _vip_weeks(data, vips, pd.Timestamp(period.start), pd.Timestamp(period.stop))
        board = board.merge(weeks, on="week", how="left")
        board["interactions"] = board["interactions"].fillna(0).astype("int64")
    else:
        board = board.assign(interactions=np.nan, positive_share=np.nan, negative_share=np.nan)
    ratings = []
    if data.has("surveys"):
        ratings.append(weekly(data.tables["surveys"], "response_time")[["week", "csat"]].rename(columns={"csat": "r"}))
    if data.has("tickets"):
        ratings.append(weekly(data.tables["tickets"], "opened_at")[["week", "satisfaction"]]
                       .rename(columns={"satisfaction": "r"}))
    if ratings:
        answers = pd.concat(ratings).dropna(subset=["r"])
        answers["r"] = answers["r"].astype("float64")
        stats = answers.groupby("week")["r"].agg(ratings="size", satisfaction="mean").reset_index()
        board = board.merge(stats, on="week", how="left")
        board["ratings"] = board["ratings"].fillna(0).astype("int64")
    else:
        board = board.assign(ratings=np.nan, satisfaction=np.nan)
    return board
