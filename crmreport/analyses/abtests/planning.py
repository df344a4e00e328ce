"""Power of the campaigns read: the minimum detectable effect at their sizes, and the customers a lift needs.

Both tables come from the tests of :mod:`crmreport.analyses.abtests.campaigns` and the per-arm sums;
the formulas are in docs/ab-tests.md ("Power and planning").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...settings import AbTests
from ...stats import abpower
from ...stats import abtest as ab
from .campaigns import METRICS, RATE_METRICS, compared, join_messages, metric_value

POWER_COLUMNS = ["campaign_id", "metric", "arm", "n_arm", "n_control", "value_control", "abs_diff", "rel_lift",
                 "mde_abs", "mde_rel", "message"]
PLANNING_COLUMNS = ["campaign_id", "metric", "baseline", "target_lift", "target_value", "n_per_arm", "n_per_arm_now",
                    "enough", "n_per_arm_max", "possible", "mde_rel_max", "message"]


def power_table(tests: pd.DataFrame, settings: AbTests) -> pd.DataFrame:
    """Minimum detectable effect of every campaign-level comparison at its achieved arm sizes.

    ``mde_abs`` is in the metric's unit (a share for rates), ``mde_rel`` relative to the control
    value; ``abs_diff`` and ``rel_lift`` are the observed differences, for comparison.
    """
    rows = []
    for _, r in compared(tests).iterrows():
        n1, n0 = int(r["n_arm"]), int(r["n_control"])
        if r["metric"] in RATE_METRICS:
            mde = abpower.mde_rate(r["value_control"], n1, n0, settings.alpha, settings.power)
        else:
            mde = abpower.mde_mean(r["value_control"], r["std_error"], n1, n0, settings.alpha, settings.power,
                                   t_test=r["metric"] == "revenue_per_customer")
        rows.append({"campaign_id": r["campaign_id"], "metric": r["metric"], "arm": r["arm"], "n_arm": n1,
                     "n_control": n0, "value_control": r["value_control"], "abs_diff": r["abs_diff"],
                     "rel_lift": r["rel_lift"], "mde_abs": mde.mde_abs, "mde_rel": mde.mde_rel,
                     "message": join_messages(r["message"], mde.message)})
    return pd.DataFrame(rows, columns=POWER_COLUMNS)


def planning_table(sums: pd.DataFrame, control_arm: str, settings: AbTests,
                   customers: int | None = None) -> pd.DataFrame:
    """Customers needed per arm to detect each of ``settings.target_lifts`` over each campaign's control values.

    With the number of ``customers`` the company has, ``n_per_arm_max`` is the most a test with the
    campaign's arms can put in each (all customers, split equally), ``possible`` whether the size needed
    fits, and ``mde_rel_max`` the smallest relative lift detectable at that size: what a test can
    promise when the lift of interest needs more customers than exist.
    """
    rows = []
    for campaign_id, group in sums.groupby("campaign_id", sort=False):
        arms = group.set_index("arm")
        if control_arm not in arms.index:
            continue
        control = arms.loc[control_arm]
        now = int(arms["n"].min())
        most = customers // len(arms) if customers else None
        for metric in METRICS[:3]:
            baseline = metric_value(control, metric)
            sd = np.sqrt(ab.Moments(int(control["n"]), control["revenue_sum"], control["revenue_sq"]).variance)
            best = np.nan if most is None or most < 2 else (
                abpower.mde_rate(baseline, most, most, settings.alpha, settings.power) if metric in RATE_METRICS
                else abpower.mde_mean(baseline, sd * np.sqrt(2 / most), most, most, settings.alpha,
                                      settings.power)).mde_rel
            for lift in settings.target_lifts:
                if metric in RATE_METRICS:
                    need = abpower.sample_size_rate(baseline, lift, settings.alpha, settings.power)
                else:
                    need = abpower.sample_size_mean(baseline, sd, lift, settings.alpha, settings.power)
                rows.append({"campaign_id": campaign_id, "metric": metric, "baseline": baseline, "target_lift": lift,
                             "target_value": need.target_value, "n_per_arm": need.n_per_arm, "n_per_arm_now": now,
                             "enough": bool(now >= need.n_per_arm), "n_per_arm_max": most,
                             "possible": bool(most is not None and most >= need.n_per_arm), "mde_rel_max": best,
                             "message": need.message})
    frame = pd.DataFrame(rows, columns=PLANNING_COLUMNS)
    return frame.assign(n_per_arm=frame["n_per_arm"].astype("Int64"), enough=frame["enough"].astype(bool),
                        n_per_arm_max=frame["n_per_arm_max"].astype("Int64"), possible=frame["possible"].astype(bool))
