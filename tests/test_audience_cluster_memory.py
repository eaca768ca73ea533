"""cluster_users' feature matrix with fewer copies (issue 22, 100 M events / 10 M users).

`_feature_frame` and `scaled_matrix` used to copy every feature column (set_index), convert each
column with to_numeric and then copy the frame, log it column by column and take two to_numpy
copies; at 10 M users each copy is ~1.3 GB. The former code is kept below as the reference: the
new matrix must be the same bits in the same (column-major) memory layout, the scaler the same,
and the peak of traced allocations under three matrices where the former needed more.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

from helpers.audience import clusters
from helpers.errors import DataError


def _former_feature_frame(features: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    return features.set_index("user_id")[list(cols)].apply(pd.to_numeric, errors="coerce").astype("float64")


def _former_scaled(frame: pd.DataFrame, log_columns: Sequence[str]) -> tuple[np.ndarray, StandardScaler]:
    logged = tuple(c for c in log_columns if c in frame.columns)
    values = frame.copy()
    for c in logged:
        values[c] = np.log1p(values[c])
    scaler = StandardScaler().fit(values.to_numpy())
    return scaler.transform(values.to_numpy()), scaler


def _features(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    events = rng.integers(1, 400, n)
    return pd.DataFrame({
        "user_id": [f"u{i:06d}" for i in range(n)], "events": events,
        "active_days": np.minimum(events, rng.integers(1, 90, n)), "recency_days": rng.integers(0, 180, n),
        "share_view": rng.random(n), "share_like": rng.random(n), "evening_share": rng.random(n),
        "purchase_value": np.where(rng.random(n) < 0.7, 0.0, rng.gamma(2.0, 60.0, n)),
        "peak_hour": rng.integers(0, 24, n)})


@pytest.mark.parametrize("n", [3, 7, 2_500])
def test_matrix_and_scaler_are_the_former_bits(n: int) -> None:
    features = _features(n)
    cols = tuple(c for c in clusters.CLUSTER_FEATURES if c in features.columns)
    frame, got_cols = clusters._feature_frame(features, None)
    expected_frame = _former_feature_frame(features, cols)
    assert got_cols == cols
    pd.testing.assert_frame_equal(frame, expected_frame)
    arr, scaler, logged = clusters.scaled_matrix(frame)
    expected, expected_scaler = _former_scaled(expected_frame, clusters.COUNT_FEATURES)
    assert logged == ("events", "active_days", "recency_days", "purchase_value")
    assert arr.tobytes(order="A") == expected.tobytes(order="A")  # the same bits ...
    assert arr.flags["F_CONTIGUOUS"] == expected.flags["F_CONTIGUOUS"]  # ... in the same layout
    np.testing.assert_array_equal(scaler.mean_, expected_scaler.mean_)
    np.testing.assert_array_equal(scaler.scale_, expected_scaler.scale_)


def test_text_numbers_and_a_given_column_order_still_convert() -> None:
    features = _features(50).astype({"events": "object"})
    features["events"] = features["events"].astype(str)  # numbers written as text are converted as before
    frame, cols = clusters._feature_frame(features, ["purchase_value", "events", "share_like"])
    pd.testing.assert_frame_equal(frame, _former_feature_frame(features, cols))
    arr = clusters.scaled_matrix(frame)[0]
    assert arr.tobytes(order="A") == _former_scaled(frame, clusters.COUNT_FEATURES)[0].tobytes(order="A")
    bad = features.assign(events=features["events"].where(features.index != 4, "many"))
    with pytest.raises(DataError, match="events"):
        clusters._feature_frame(bad, None)


def test_cluster_users_labels_are_kmeans_on_the_former_matrix() -> None:
    features = _features(600)
    result = clusters.cluster_users(features, k=3, seed=0)
    expected, _ = _former_scaled(_former_feature_frame(features, result.columns), clusters.COUNT_FEATURES)
    km = KMeans(n_clusters=3, n_init=10, random_state=0).fit(expected)
    # the same partition (cluster_users numbers clusters by size)
    pairs = pd.crosstab(result.labels.to_numpy(), km.labels_)
    assert ((pairs > 0).sum(axis=1) == 1).all() and ((pairs > 0).sum(axis=0) == 1).all()
    assert result.labels.index.tolist() == features["user_id"].tolist()


def test_scaled_matrix_needs_one_matrix_less_than_before() -> None:
    features = _features(200_000)
    frame, _ = clusters._feature_frame(features, None)
    one = frame.shape[0] * frame.shape[1] * 8
    tracemalloc.start()
    clusters.scaled_matrix(frame)
    _, peak_new = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    tracemalloc.start()
    _former_scaled(frame, clusters.COUNT_FEATURES)
    _, peak_old = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak_new < 2.5 * one and peak_old > peak_new + one
