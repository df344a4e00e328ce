"""The health score's weights, its backtest and the score that ranks the customers, in one call.

Dates (docs/health.md): the weights are fitted on the customers active the day before the baseline
and their churn over the baseline window, confirmed only by data up to the baseline end, so the
backtest stays out of sample; the score at the baseline end is then judged against the churn in the
period, confirmed by any data after the period end, beside the baselines of :mod:`.baselines`
scored at the baseline end. The ranker (the health score, or the best baseline when the health
score does not beat it) sets the bands at the period end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from ...ingest.dataset import Dataset
from ...settings.params import Params
from .backtest import backtest
from .baselines import baseline_scores, ranker
from .churnlabel import churn_labels, churn_outcome
from .profile import Snapshot, fit_date, scored
from .value import fit_value
from .weights_model import WeightFit, fit_weights


@dataclass(frozen=True)
class ChurnFit:
    """Labels, weights, scores, baselines and backtest of one period (frames keyed by customer_id).

    ``labels_before``/``labels``: both churn labels over the baseline window / the period
    (:func:`.churnlabel.churn_labels`); ``outcome_before``/``outcome``: the ``churn_label`` of params;
    ``score_base``/``score_now``: the health score at the baseline end / period end; ``baselines_base``/
    ``baselines_now``: the 0-100 baselines at those dates; ``tested``: the ``health_backtest.csv``
    contract; ``ranked_by``: ``health`` or the baseline that ranks the customers.
    """

    labels_before: pd.DataFrame
    labels: pd.DataFrame
    outcome_before: pd.DataFrame
    outcome: pd.DataFrame
    fit: WeightFit
    score_base: pd.DataFrame
    score_now: pd.DataFrame
    baselines_base: pd.DataFrame
    baselines_now: pd.DataFrame
    tested: pd.DataFrame
    ranked_by: str


def fit_and_test(data: Dataset, params: Params, before: Snapshot, base: Snapshot, now: Snapshot,
                 segments: pd.DataFrame, segments_base: pd.DataFrame, value_now: pd.DataFrame) -> ChurnFit:
    """Fit the weights, score both dates, backtest against the baselines and choose the ranker.

    ``segments``/``segments_base``: notebook 02's segments at the period end / baseline end
    (recency and R, F, M scores); ``value_now``: the CLV model's per-customer frame at the period end.
    """
    settings = params.health
    base_end = params.baseline_window.end
    dates = data.tables["transactions"]["transaction_date"]
    last_day: date | None = dates.max().date() if dates.notna().any() else None
    labels_before = churn_labels(data, fit_date(params.baseline_window.start), base_end, settings)
    labels = churn_labels(data, base_end, params.end, settings, confirm_until=last_day)
    outcome_before = churn_outcome(labels_before, settings.churn_label)
    outcome = churn_outcome(labels, settings.churn_label)
    fit = fit_weights(before.measures, outcome_before, settings)
    score_base, score_now = scored(base, fit.weights, settings), scored(now, fit.weights, settings)
    value_base = fit_value(data.tables["transactions"], base_end, settings).customers
    baselines_base = baseline_scores(segments_base, value_base, settings.recency_half_life_days)
    baselines_now = baseline_scores(segments, value_now, settings.recency_half_life_days)
    tested = backtest(score_base, outcome, settings.deciles, settings.alpha, baselines_base)
    return ChurnFit(labels_before, labels, outcome_before, outcome, fit, score_base, score_now, baselines_base,
                    baselines_now, tested, ranker(tested))
