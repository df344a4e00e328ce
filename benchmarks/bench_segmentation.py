"""Benchmark: segment 1,000,000 customers (features in DuckDB + every segmentation step) and score their health.

Reuses the transactions file of ``bench_aggregate.py`` (generated on first use). The transaction
features run as SQL over the Parquet file in DuckDB; the contact features, which need the
interactions table, are filled with neutral values (0 complaints, no contacts) and tenure is
drawn at random, so the figures measure the segmentation itself at full size. Notebook 06's steps
follow: the BG/NBD + Gamma-Gamma inputs in SQL over the Parquet file, both fits and every
customer's P(alive), expected purchases and CLV; the emotional account over one synthetic survey
answer per customer; the health score with bands from the transaction measures; and its backtest
(churn in the last quarter of customers active before it, DeLong AUC, deciles). Prints the time of
each step and the peak memory of the process.

    python benchmarks/bench_segmentation.py                       # 1M customers, 10M transactions
    python benchmarks/bench_segmentation.py --customers 100000 --transactions 1000000
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import duckdb
import numpy as np
import pandas as pd
from bench_aggregate import DATA, generate, peak_rss_mib

from crmreport.analyses.health import backtest, emotional, score
from crmreport.analyses.segments.segmentation import segment_features, segment_summary
from crmreport.engine import Engine
from crmreport.ingest.dataset import Dataset
from crmreport.measures import spend as spend_measures
from crmreport.measures.clv_inputs import purchase_summary
from crmreport.measures.features import FEATURE_COLUMNS
from crmreport.measures.tables import collect, parquet_table
from crmreport.settings.health import HEALTH_MEASURES, Health
from crmreport.settings.segmentation import Segmentation
from crmreport.stats import clv

AS_OF = date(2025, 9, 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    args = parser.parse_args()
    path = generate(args.customers, args.transactions, DATA)["parquet"]
    timings = {}

    started = time.perf_counter()
    with Engine().backend(threads=1) as backend:
        table = parquet_table(backend, "transactions", path, spend_measures.TRANSACTION_COLUMNS)
        spend = collect(backend, spend_measures.features(table, AS_OF))
    spend = spend.astype({"recency_days": "float64", "frequency": "int64", "monetary": "float64"})
    timings["features (Ibis on DuckDB over Parquet)"] = time.perf_counter() - started

    rng = np.random.default_rng(0)
    features = spend.drop(columns=["spend_recent_3m", "spend_prior_3m"]).assign(
        tenure_months=rng.integers(0, 120, len(spend)).astype(float), complaints_6m=0, response_rate=np.nan,
        interaction_gap_days=np.nan, enquiries_3m=0)[list(FEATURE_COLUMNS)]

    settings = Segmentation()
    started = time.perf_counter()
    rules_only = segment_features(features, settings, clusters=False)
    timings["tiers, nine-box, RFM, lifecycle, risk"] = time.perf_counter() - started
    started = time.perf_counter()
    segments = segment_features(features, settings)
    timings["all of the above + k-means (k by silhouette)"] = time.perf_counter() - started
    assert (rules_only["segment"] == segments["segment"]).all()

    health_steps(path, spend, timings)

    print(f"\n{len(segments):,} customers segmented from {args.transactions:,} transactions\n")
    for step, seconds in timings.items():
        print(f"{step:48} {seconds:8.1f} s")
    print(f"{'peak memory (VmHWM)':48} {peak_rss_mib() / 1024:8.2f} GiB")
    chosen = segments["cluster"].max()
    print(f"\nk-means chose k = {chosen}; nine-box counts:")
    print(segment_summary(segments)[["segment", "customers", "revenue_share"]].to_string(index=False))


def health_steps(path: str, spend: pd.DataFrame, timings: dict[str, float]) -> None:
    """Notebook 06 at full size: CLV inputs and fits, emotional account, health score, backtest."""
    settings = Health()
    started = time.perf_counter()
    with Engine().backend() as backend:
        table = parquet_table(backend, "transactions", path, spend_measures.TRANSACTION_COLUMNS)
        inputs = collect(backend, purchase_summary(table, AS_OF))
    timings["CLV inputs (Ibis on DuckDB over Parquet)"] = time.perf_counter() - started
    started = time.perf_counter()
    x, tx, t, m = (inputs[c].to_numpy(dtype="float64") for c in ("frequency", "recency", "T", "monetary"))
    purchases, spend_model = clv.fit_bgnbd(x, tx, t), clv.fit_gamma_gamma(x, m)
    timings["BG/NBD + Gamma-Gamma fits"] = time.perf_counter() - started
    started = time.perf_counter()
    clv.p_alive(purchases, x, tx, t)
    value = clv.expected_spend(spend_model, x, np.nan_to_num(m))
    clv.discounted_clv(purchases, value, 52.0, 0.1, 52.0, x, tx, t)
    timings["P(alive), expected purchases, CLV"] = time.perf_counter() - started

    rng = np.random.default_rng(1)
    n = len(spend)
    surveys = pd.DataFrame({"survey_id": np.arange(n).astype(str), "customer_id": spend["customer_id"].to_numpy(),
                            "response_time": pd.Timestamp(AS_OF) - pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
                            "csat": rng.integers(1, 6, n), "nps": rng.integers(0, 11, n),
                            "trust": rng.integers(1, 6, n)})
    started = time.perf_counter()
    data = Dataset({"surveys": surveys}, {}, {}, "benchmark", True)
    account = emotional.emotional_account(data, AS_OF, settings)
    timings["emotional account (1 event per customer)"] = time.perf_counter() - started

    started = time.perf_counter()
    measures = pd.DataFrame({"customer_id": spend["customer_id"]})
    for name in HEALTH_MEASURES:
        measures[f"score_{name}"] = np.nan
    measures["score_recency"] = 100 * np.power(0.5, spend["recency_days"].astype("float64") / 60).fillna(0)
    measures["score_spend_trend"] = 25 * (spend["trend"].astype("float64") + 2)
    measures["score_emotional_account"] = measures["customer_id"].map(
        account.set_index("customer_id")["emotional_account"])
    health = score.health_score(measures, settings.health_weights, settings)
    timings["health score, bands"] = time.perf_counter() - started

    started = time.perf_counter()
    quarter_start = date(2025, 7, 1)
    with duckdb.connect() as connection:
        outcome = connection.execute(f"""
            SELECT customer_id, MAX(transaction_date) < DATE '{quarter_start}' AS churned
            FROM read_parquet('{path}')
            WHERE amount >= 0 AND transaction_date >= DATE '{quarter_start}' - INTERVAL 365 DAY
              AND transaction_date < DATE '{AS_OF}' + INTERVAL 1 DAY
            GROUP BY customer_id
            HAVING MIN(transaction_date) < DATE '{quarter_start}'""").df()
    table = backtest.backtest(health, outcome.astype({"customer_id": "str"}))
    timings["backtest: churn (SQL), DeLong AUC, deciles"] = time.perf_counter() - started
    print(f"\nhealth: {len(inputs):,} customers valued (BG/NBD r={purchases.r:.3f}, alpha={purchases.alpha:.2f}), "
          f"{int(table.iloc[0]['customers']):,} backtested (timing only: the score here is not out of sample)")


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    main()
