"""Did the work matter? Customers of the same segment whose planned action was done on time, done late
or not done, compared on churn over the period and on CSAT.

Observational, never causal: who gets a task done is not random. The comparison is stratified by
segment: the Mantel-Haenszel risk difference (Greenland-Robins variance) and odds ratio
(:class:`statsmodels.stats.contingency_tables.StratifiedTable`) for churn, and a least-squares
regression of CSAT on the execution class with segment fixed effects (HC1 errors).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy.stats import norm
from statsmodels.stats.contingency_tables import StratifiedTable

from ...core.results import result_file
from ...ingest.dataset import Dataset
from ...measures.aggregate import purchase_counts
from ...measures.scores import window_mask
from ...settings.period import Window
from ...stats.proportion import wilson_interval

COMPARISONS: tuple[tuple[str, str], ...] = (("on_time", "not_done"), ("late", "not_done"), ("on_time", "late"))
EFFECT_COLUMNS: tuple[str, ...] = result_file("execution_effects").columns


def outcomes(execution: pd.DataFrame, data: Dataset, window: Window, baseline: Window) -> pd.DataFrame:
    """Per planned customer: ``active_before`` (a purchase in the baseline window), ``churned`` (active
    before and no purchase in the period; empty for customers not active before) and ``csat`` (mean
    survey CSAT answered in the period; empty without an answer). A purchase is the KPIs' one
    (:data:`~crmreport.measures.scores.PURCHASE_SQL`): a refund is not. The purchases are counted on the
    dataset's engine (:func:`crmreport.measures.aggregate.purchase_counts`)."""
    counts = purchase_counts(data, execution["customer_id"], {"before": baseline, "now": window})
    frame = execution.copy()
    frame["active_before"] = (counts["before"] > 0).to_numpy()
    bought = (counts["now"] > 0).to_numpy()
    frame["churned"] = pd.Series(~bought, index=frame.index).astype(float).where(frame["active_before"])
    if data.has("surveys"):
        surveys = data.tables["surveys"]
        answered = surveys[window_mask(surveys["response_time"], window) & surveys["csat"].notna()]
        frame["csat"] = frame["customer_id"].map(answered.groupby("customer_id")["csat"].mean().astype(float))
    else:
        frame["csat"] = np.nan
    return frame


def class_summary(frame: pd.DataFrame, classes: tuple[str, ...] = ("on_time", "late", "not_done")) -> pd.DataFrame:
    """Per execution class: customers, active before, churned, churn rate, CSAT answers and mean."""
    rows = []
    for name in classes:
        group = frame[frame["execution"] == name]
        churn = group["churned"].dropna()
        rows.append({"execution": name, "customers": len(group), "active_before": len(churn),
                     "churned": int(churn.sum()), "churn_rate": churn.mean() if len(churn) else np.nan,
                     "csat_answers": int(group["csat"].notna().sum()), "csat_mean": group["csat"].mean()})
    return pd.DataFrame(rows)


def churn_intervals(classes: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """The classes of :func:`class_summary` with customers active before, and the Wilson interval of their
    churn rate (``ci_low``, ``ci_high``)."""
    rated = classes[classes["active_before"] > 0]
    low, high = wilson_interval(rated["churned"], rated["active_before"], alpha)
    return rated.assign(ci_low=low, ci_high=high)


def mh_risk_difference(tables: list[np.ndarray], alpha: float = 0.05) -> tuple[float, float, float]:
    """Mantel-Haenszel risk difference over 2x2 tables ``[[a, b], [c, d]]`` (rows exposed, reference;
    columns event, no event) with the Greenland-Robins variance: estimate, interval low, high."""
    num = weight = var_num = 0.0
    for table in tables:
        (a, b), (c, d) = np.asarray(table, dtype=float)
        n1, n0 = a + b, c + d
        total = n1 + n0
        if n1 == 0 or n0 == 0:
            continue
        num += (a * n0 - c * n1) / total
        weight += n1 * n0 / total
        var_num += (a * b * n0**3 + c * d * n1**3) / (n1 * n0 * total**2)
    if weight == 0:
        return np.nan, np.nan, np.nan
    estimate, se = num / weight, np.sqrt(var_num) / weight
    z = norm.ppf(1 - alpha / 2)
    return estimate, estimate - z * se, estimate + z * se


def _churn_row(frame: pd.DataFrame, exposed: str, reference: str, alpha: float) -> dict[str, object]:
    rated = frame[frame["churned"].notna() & frame["execution"].isin((exposed, reference))]
    tables = []
    for _, group in rated.groupby("segment"):
        one, zero = group[group["execution"] == exposed], group[group["execution"] == reference]
        if len(one) and len(zero):
            tables.append(np.array([[one["churned"].sum(), len(one) - one["churned"].sum()],
                                    [zero["churned"].sum(), len(zero) - zero["churned"].sum()]]))
    one, zero = rated[rated["execution"] == exposed], rated[rated["execution"] == reference]
    row = {"outcome": "churn", "exposed": exposed, "reference": reference, "n_exposed": len(one),
           "n_reference": len(zero), "rate_exposed": one["churned"].mean(), "rate_reference": zero["churned"].mean(),
           "strata": len(tables)}
    row["difference"], row["ci_low"], row["ci_high"] = mh_risk_difference(tables, alpha)
    informative = [t for t in tables if t[:, 0].sum() > 0 and t[:, 1].sum() > 0]
    if informative:
        strat = StratifiedTable([t.astype(float) for t in informative])
        row["odds_ratio"] = strat.oddsratio_pooled
        row["or_low"], row["or_high"] = strat.oddsratio_pooled_confint(alpha=alpha)
        row["p_value"] = strat.test_null_odds(correction=False).pvalue
    return row


def _csat_row(frame: pd.DataFrame, exposed: str, reference: str, alpha: float) -> dict[str, object]:
    rated = frame[frame["csat"].notna() & frame["execution"].isin((exposed, reference))]
    one, zero = rated[rated["execution"] == exposed], rated[rated["execution"] == reference]
    row = {"outcome": "csat", "exposed": exposed, "reference": reference, "n_exposed": len(one),
           "n_reference": len(zero), "rate_exposed": one["csat"].mean(), "rate_reference": zero["csat"].mean(),
           "strata": int(rated["segment"].nunique())}
    if len(one) >= 2 and len(zero) >= 2:
        data = rated.assign(treated=(rated["execution"] == exposed).astype(float))
        formula = "csat ~ treated + C(segment)" if data["segment"].nunique() > 1 else "csat ~ treated"
        fit = smf.ols(formula, data=data).fit(cov_type="HC1")
        low, high = fit.conf_int(alpha=alpha).loc["treated"]
        row.update(difference=fit.params["treated"], ci_low=low, ci_high=high, p_value=fit.pvalues["treated"])
    return row


def execution_effects(frame: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Per outcome (churn, CSAT) and comparison (on time vs not done, late vs not done, on time vs late):
    group sizes, crude rates or means, the segment-stratified difference with its interval (churn:
    Mantel-Haenszel risk difference; CSAT: regression with segment), churn odds ratio and p-value."""
    rows = [_churn_row(frame, *pair, alpha) for pair in COMPARISONS]
    rows += [_csat_row(frame, *pair, alpha) for pair in COMPARISONS]
    return pd.DataFrame(rows).reindex(columns=list(EFFECT_COLUMNS))


def reading(effects: pd.DataFrame, alpha: float = 0.05) -> str:
    """What the churn comparisons of :func:`execution_effects` show, as one code for the report's sentence.

    ``timing_helps`` / ``timing_hurts``: on-time customers churned significantly less / more than late
    ones; ``done_matters``: timing made no measurable difference but done work (on time or late) went
    with significantly less churn than work not done; ``done_worse``: the same, with more churn;
    ``no_difference``: no comparison is significant at ``alpha``; ``too_few``: no comparison could be
    estimated.
    """
    churn = effects[(effects["outcome"] == "churn") & effects["p_value"].notna()]
    if churn.empty:
        return "too_few"
    rows = churn.set_index(["exposed", "reference"])
    significant = rows[rows["p_value"] < alpha]
    if ("on_time", "late") in significant.index:
        return "timing_helps" if significant.loc[("on_time", "late"), "difference"] < 0 else "timing_hurts"
    done = significant.drop(index=[("on_time", "late")], errors="ignore")
    if done.empty:
        return "no_difference"
    return "done_matters" if (done["difference"] < 0).all() else "done_worse" if (done["difference"] > 0).all() \
        else "no_difference"
