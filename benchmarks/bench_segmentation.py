"""Benchmark: segment 1,000,000 customers (features in DuckDB + every segmentation step).

Reuses the transactions file of ``bench_aggregate.py`` (generated on first use). The transaction
features run as SQL over the Parquet file in DuckDB; the contact features, which need the
interactions table, are filled with neutral values (0 complaints, no contacts) and tenure is
drawn at random, so the figures measure the segmentation itself at full size. Prints the time of
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

from crmreport.analyses.segments.segmentation import segment_features, segment_summary
from crmreport.measures.features import FEATURE_COLUMNS, transaction_features_sql
from crmreport.settings.segmentation import Segmentation

AS_OF = date(2025, 9, 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=10_000_000)
    args = parser.parse_args()
    path = generate(args.customers, args.transactions, DATA)["parquet"]
    timings = {}

    started = time.perf_counter()
    with duckdb.connect() as connection:
        spend = connection.execute(transaction_features_sql(f"read_parquet('{path}')", AS_OF)).df()
    spend = spend.astype({"recency_days": "float64", "frequency": "int64", "monetary": "float64"})
    timings["features (DuckDB SQL over Parquet)"] = time.perf_counter() - started

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

    print(f"\n{len(segments):,} customers segmented from {args.transactions:,} transactions\n")
    for step, seconds in timings.items():
        print(f"{step:48} {seconds:8.1f} s")
    print(f"{'peak memory (VmHWM)':48} {peak_rss_mib() / 1024:8.2f} GiB")
    chosen = segments["cluster"].max()
    print(f"\nk-means chose k = {chosen}; nine-box counts:")
    print(segment_summary(segments)[["segment", "customers", "revenue_share"]].to_string(index=False))


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    main()
