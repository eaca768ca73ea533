"""Issue 17: the k search sees its peak, uses several k-means starts and keeps tiny segments out."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from helpers.audience.clusters import cluster_users, k_search_range, k_search_table
from helpers.errors import ParameterError

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "audience_profiling.ipynb"
TEN = [f"x{i}" for i in range(10)]
COLS = ["a", "b"]


def _frame(X: np.ndarray, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(X, columns=columns).assign(user_id=[f"u{i:04d}" for i in range(len(X))])


@pytest.fixture(scope="module")
def ten_blobs() -> pd.DataFrame:
    # 10 well-separated blobs of 60 users in 10 dimensions, one on each axis at 10, spread 1.
    X, _ = make_blobs(n_samples=[60] * 10, centers=10.0 * np.eye(10), cluster_std=1.0, random_state=11)
    return _frame(X, TEN)


def _sklearn_labels(frame: pd.DataFrame, columns: list[str], k: int, seed: int = 0) -> np.ndarray:
    """Second implementation: scikit-learn's k-means with 10 starts on the standardised columns."""
    X = StandardScaler().fit_transform(frame[columns])
    return KMeans(n_clusters=k, n_init=10, random_state=seed).fit(X).labels_


def _sklearn_silhouettes(frame: pd.DataFrame, columns: list[str], ks: range) -> dict[int, float]:
    """scikit-learn's silhouette_score of its own k-means labels for each k."""
    X = StandardScaler().fit_transform(frame[columns])
    return {k: float(silhouette_score(X, _sklearn_labels(frame, columns, k))) for k in ks}


def test_search_range_sees_past_eight() -> None:
    # k_max = min(12, ⌊√(n/2)⌋, n − 1): 600 users → ⌊√300⌋ = 17 → 12; 100 → ⌊√50⌋ = 7; 5 → ⌊√2⌋ = 1 → 2.
    assert list(k_search_range(600)) == list(range(2, 13))
    assert list(k_search_range(100)) == list(range(2, 8))
    assert list(k_search_range(5)) == [2]
    assert list(k_search_range(3)) == [2]


def test_ten_blobs_give_ten_clusters_not_the_top_of_the_old_range(ten_blobs: pd.DataFrame) -> None:
    sil = _sklearn_silhouettes(ten_blobs, TEN, range(2, 13))
    # the data: silhouette rises up to k = 10 and falls after it, so range(2, 9) would stop at 8
    assert max(range(2, 9), key=lambda k: sil[k]) == 8
    assert max(sil, key=lambda k: sil[k]) == 10
    result = cluster_users(ten_blobs, "auto", columns=TEN, log_columns=())
    assert result.k == 10
    table = result.silhouette_by_k
    assert table is not None and list(table["k"]) == list(range(2, 13))
    for k, value in sil.items():
        assert table.set_index("k").loc[k, "silhouette"] == pytest.approx(value, abs=1e-12)
    assert table.loc[table["chosen"], "k"].tolist() == [10]
    assert table.set_index("k").loc[10, "smallest_segment"] == 60


def test_k_search_table_is_tidy(ten_blobs: pd.DataFrame) -> None:
    result = cluster_users(ten_blobs, "auto", columns=TEN, log_columns=())
    table = k_search_table(result)
    assert list(table.columns) == ["k", "silhouette", "smallest_segment", "chosen"]
    given = k_search_table(cluster_users(ten_blobs, 4, columns=TEN, log_columns=()))
    assert given["k"].tolist() == [4] and given["chosen"].tolist() == [True]
    assert given["smallest_segment"].iloc[0] == np.bincount(_sklearn_labels(ten_blobs, TEN, 4)).min()


def test_tiny_segment_rule() -> None:
    # 3 big blobs of 200 and one far blob of 8 users: the best silhouette is at k = 4 (the 8 users
    # apart), but with min_size = 20 a 4th cluster of 8 users is not allowed, so k = 3 is chosen.
    X, _ = make_blobs(n_samples=[200, 200, 200, 8], centers=[(0, 0), (10, 0), (0, 10), (30, 30)],
                      cluster_std=0.8, random_state=2)
    frame = _frame(X, COLS)
    sil = _sklearn_silhouettes(frame, COLS, range(2, 13))
    best = max(sil, key=lambda k: sil[k])
    assert best == 4
    free = cluster_users(frame, "auto", columns=COLS, log_columns=())
    assert free.k == 4
    ruled = cluster_users(frame, "auto", columns=COLS, log_columns=(), min_size=20)
    table = ruled.silhouette_by_k.set_index("k")
    allowed = {k: s for k, s in sil.items() if table.loc[k, "smallest_segment"] >= 20}
    assert ruled.k == max(allowed, key=lambda k: allowed[k]) == 3
    assert ruled.labels.value_counts().min() >= 20
    assert bool(table.loc[3, "chosen"]) and not bool(table.loc[4, "chosen"])


def test_no_k_without_a_tiny_segment_falls_back_to_the_best_silhouette(ten_blobs: pd.DataFrame) -> None:
    result = cluster_users(ten_blobs, "auto", columns=TEN, log_columns=(), min_size=10_000)
    assert result.k == 10 and result.min_size == 10_000


def test_one_start_is_refused(ten_blobs: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match="n_init"):
        cluster_users(ten_blobs, "auto", columns=TEN, log_columns=(), n_init="auto")
    with pytest.raises(ParameterError, match="n_init"):
        cluster_users(ten_blobs, 3, columns=TEN, log_columns=(), n_init=1)


def _cluster_calls() -> list[ast.Call]:
    """The cluster_users calls in the notebook's code cells."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code"
                       and "parameters" not in c["metadata"].get("tags", []))
    return [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == "cluster_users"]


def test_notebook_uses_several_starts_and_the_segment_rule() -> None:
    calls = _cluster_calls()
    assert len(calls) == 1
    keywords = {kw.arg: kw.value for kw in calls[0].keywords}
    # no n_init given: the helper's several starts (a given n_init must be a number ≥ 10)
    n_init = keywords.get("n_init")
    assert n_init is None or (isinstance(n_init, ast.Constant) and isinstance(n_init.value, int)
                              and n_init.value >= 10)
    assert ast.unparse(keywords["min_size"]) == "run.min_segment_size"
