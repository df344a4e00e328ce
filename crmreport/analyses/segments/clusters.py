"""k-means clusters of customers on standardised R/F/M/T (notebook 02): the chosen k, labels and profiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from ...settings.segmentation import Segmentation

CLUSTER_FEATURES: tuple[str, ...] = ("recency_days", "frequency", "monetary", "trend")
#: customers k-means is fitted on (a seeded sample beyond this many; all of them are then assigned)
FIT_SAMPLE = 20_000


def cluster_matrix(features: pd.DataFrame) -> np.ndarray:
    """Standardised R/F/M/T: log1p of recency, frequency and monetary, trend as is. A customer without
    orders gets the largest recency seen plus one day and a monetary value of 0."""
    recency = features["recency_days"].fillna((features["recency_days"].max() or 0) + 1)
    matrix = np.column_stack([np.log1p(recency), np.log1p(features["frequency"]),
                              np.log1p(features["monetary"].fillna(0.0).clip(lower=0)), features["trend"]])
    return StandardScaler().fit_transform(matrix)


def choose_clusters(matrix: np.ndarray, settings: Segmentation) -> tuple[np.ndarray, pd.DataFrame]:
    """k-means for each k in ``k_range`` (fitted on :func:`fit_sample`); the k with the highest silhouette
    (on a seeded sample) wins.

    Returns the winning labels, renumbered so that cluster 1 has the highest mean monetary score,
    and the silhouette of every k tried.
    """
    low, high = settings.k_range
    sample = min(settings.silhouette_sample, len(matrix))
    fitted_on = fit_sample(len(matrix), settings.seed)
    tried, fits = [], {}
    for k in range(low, min(high, len(matrix) - 1) + 1):
        model = KMeans(n_clusters=k, n_init=4, random_state=settings.seed)
        labels = model.fit_predict(matrix) if fitted_on is None else model.fit(matrix[fitted_on]).predict(matrix)
        score = silhouette_score(matrix, labels, sample_size=sample, random_state=settings.seed)
        tried.append({"k": k, "silhouette": float(score)})
        fits[k] = labels
    scores = pd.DataFrame(tried, columns=["k", "silhouette"])
    best = int(scores.loc[scores["silhouette"].idxmax(), "k"])
    labels = fits[best]
    order = pd.Series(matrix[:, 2]).groupby(labels).mean().sort_values(ascending=False).index
    renumber = np.zeros(int(labels.max()) + 1, dtype=np.int64)
    renumber[np.asarray(order, dtype=np.int64)] = np.arange(1, len(order) + 1)
    return renumber[labels], scores.assign(chosen=scores["k"] == best)


def fit_sample(customers: int, seed: int) -> np.ndarray | None:
    """Rows (ascending) of a seeded sample of :data:`FIT_SAMPLE` customers that k-means is fitted on; None
    (fit on everyone) when there are no more customers than that. Every customer is then assigned to the
    nearest centre, so the cost of the fit stays bounded however many customers there are."""
    if customers <= FIT_SAMPLE:
        return None
    return np.sort(np.random.default_rng(seed).choice(customers, FIT_SAMPLE, replace=False))


def add_clusters(segments: pd.DataFrame, settings: Segmentation) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``segments`` with its ``cluster`` column filled by :func:`choose_clusters`, and the silhouette of
    every k tried. With too few customers to cluster (no more than the smallest k), everyone is in
    cluster 1 and the one row is k = 1, chosen, without a silhouette (it needs two clusters)."""
    if len(segments) <= settings.k_range[0]:
        return (segments.assign(cluster=pd.array([1] * len(segments), dtype="Int64")),
                pd.DataFrame({"k": [1], "silhouette": [np.nan], "chosen": [True]}))
    labels, silhouettes = choose_clusters(cluster_matrix(segments), settings)
    return segments.assign(cluster=pd.array(labels, dtype="Int64")), silhouettes


def cluster_profiles(segments: pd.DataFrame) -> pd.DataFrame:
    """Per cluster: customers, share and the median of each clustering feature and of annual amount."""
    grouped = segments.groupby("cluster")
    profile = grouped[[*CLUSTER_FEATURES, "annual_amount"]].median().add_prefix("median_")
    profile.insert(0, "customers", grouped.size())
    profile.insert(1, "share", profile["customers"] / len(segments))
    return profile.reset_index()
