"""How often the KPI evaluation flags the demo generator's planted changes, and its planted nulls, over seeds.

For each seed the demo generator writes a data set (Parquet), the normal load path validates and
cleans it, and :func:`crmreport.kpieval.evaluate` runs with the default ``kpis`` settings, once for
all customers only (a family of 15 KPIs) and once with the customer-type breakdown the notebook
shows (KPIs x {all, B2B, B2C}, one Holm family of 45). For each KPI of the ground truth's
``kpi_changes`` the script counts the seeds whose ``all`` row is a significant change:

- planted effect: detection = a significant change in the planted direction;
- no planted effect: false flag = any significant change.

``raw_p`` is the share of seeds with an unadjusted p-value below 0.05: for the nulls it shows
whether a test is calibrated (about 5% expected) before Holm and the minimum meaningful change.

Usage::

    python benchmarks/bench_kpi_seeds.py                  # 20 seeds x 2,000 customers (the embedded demo's size)
    python benchmarks/bench_kpi_seeds.py --seeds 50 --customers 5000
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import pandas as pd

from crmreport.analyses.kpi.kpieval import default_segments, evaluate
from crmreport.demo import write_demo_data
from crmreport.ingest.dataset import prepare_dataset
from crmreport.measures.kpis import KPIS
from crmreport.settings import load_params


def run_seed(seed: int, customers: int, folder: Path) -> list[dict]:
    """Evaluate one generated data set; one row per ground-truth KPI and breakdown."""
    data_dir = write_demo_data(folder / f"seed{seed}", n_customers=customers, seed=seed, file_format="parquet")
    truth = pd.read_json(data_dir / "ground_truth.json", typ="series")["kpi_changes"]
    params = load_params("2025Q3", overrides={"data": str(data_dir), "as_of": "2025-10-15"}, root=folder)
    data = prepare_dataset(params)
    rows = []
    for breakdown, segments in (("all only", None), ("with customer type", default_segments(data))):
        changes = evaluate(data, params, segments).set_index(["kpi", "segment"])
        for name, planted in truth.items():
            row = changes.loc[(name, "all")]
            good = planted["change"] > 0 if KPIS[name].better == "higher" else planted["change"] < 0
            wanted = "significant_improvement" if good else "significant_deterioration"
            rows.append({"seed": seed, "breakdown": breakdown, "kpi": name, "planted": planted["planted_effect"],
                         "flagged": row["verdict"] in ("significant_improvement", "significant_deterioration"),
                         "detected": row["verdict"] == wanted, "raw_p_below_alpha": row["p_value"] < 0.05,
                         "change": row["abs_change"], "planted_change": planted["change"]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20, help="number of seeds (1..N)")
    parser.add_argument("--customers", type=int, default=2000, help="customers per generated data set")
    args = parser.parse_args()
    logging.getLogger("crmreport").setLevel(logging.WARNING)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-kpi-") as tmp:
        rows = [row for seed in range(1, args.seeds + 1) for row in run_seed(seed, args.customers, Path(tmp))]
    results = pd.DataFrame(rows)
    table = results.groupby(["breakdown", "kpi", "planted"], sort=False).agg(
        detected=("detected", "mean"), flagged=("flagged", "mean"), raw_p=("raw_p_below_alpha", "mean"),
        mean_change=("change", "mean"),
        planted_change=("planted_change", "mean")).reset_index()
    table["rate"] = table["detected"].where(table["planted"], table["flagged"])
    table["measure"] = table["planted"].map({True: "detection", False: "false flag"})
    pd.set_option("display.width", 160)
    print(f"{args.seeds} seeds x {args.customers:,} customers, {time.perf_counter() - started:.0f} s")
    print(table[["breakdown", "kpi", "measure", "rate", "raw_p", "mean_change", "planted_change"]].to_string(
        index=False, float_format=lambda v: f"{v:.3f}"))
    for breakdown, part in table.groupby("breakdown", sort=False):
        planted = part[part["planted"]]
        nulls = part[~part["planted"]]
        print(f"{breakdown}: planted changes detected {planted['rate'].mean():.0%} "
              f"(seed x KPI), planted nulls flagged {nulls['rate'].mean():.0%}")


if __name__ == "__main__":
    main()
