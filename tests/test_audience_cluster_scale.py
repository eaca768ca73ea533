"""The k search at scale (issue 22): reusing the search's fit, and refining on everyone above choose_on.

The reference is the code before issue 22, kept here: after the search, a fresh 10-start k-means
on every user and fresh distances for its silhouette (sklearn's silhouette_score on the seeded sample
sklearn's sample_size draws, from the precomputed distances, as the search computes them).
"""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score, pairwise_distances, silhouette_score
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits

from helpers.audience import clusters, engine
from helpers.audience.clusters import best_k, choose_k, cluster_users
from helpers.errors import ParameterError


def _features(X: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(X + 10, columns=["a", "b", "c"]).assign(user_id=[f"u{i:05d}" for i in range(len(X))])


def _scaled(X: np.ndarray) -> np.ndarray:
    """The matrix cluster_users clusters (StandardScaler, in the memory layout it has there: BLAS sums differ by it)."""
    frame = _features(X).set_index("user_id")
    arr = clusters.scaled_matrix(frame, ())[0]
    np.testing.assert_allclose(arr, StandardScaler().fit_transform(X + 10))
    return arr


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Clusters renumbered largest first (ties by first appearance), written out again for the reference."""
    sizes = np.bincount(labels)
    first = [int(np.flatnonzero(labels == c)[0]) for c in range(len(sizes))]
    order = sorted(range(len(sizes)), key=lambda c: (-sizes[c], first[c]))
    return np.array([order.index(c) for c in labels])


def _old_silhouette(arr: np.ndarray, labels: np.ndarray, seed: int, sample: int) -> float:
    """The silhouette as before: distances of the seeded sample computed anew, then sklearn's score."""
    rows = np.arange(len(arr)) if len(arr) <= sample else check_random_state(seed).permutation(len(arr))[:sample]
    return silhouette_score(pairwise_distances(arr[rows]), labels[rows], metric="precomputed")


def _reference(X: np.ndarray, seed: int, sample: int, min_size: int) -> tuple[int, np.ndarray, float, pd.DataFrame]:
    """The pre-issue-22 path for n ≤ choose_on: search, then a new k-means and silhouette for the chosen k."""
    arr = _scaled(X)
    rows = []
    for k in clusters.k_search_range(len(arr)):
        km = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(arr)
        rows.append({"k": k, "silhouette": _old_silhouette(arr, km.labels_, seed, sample),
                     "inertia": km.inertia_, "smallest_segment": int(np.bincount(km.labels_).min())})
    table = pd.DataFrame(rows)
    k = best_k(table, min_size)
    labels = _by_size(KMeans(n_clusters=k, n_init=10, random_state=seed).fit(arr).labels_)
    sil = _old_silhouette(arr, labels, seed, sample)
    return k, labels, sil, table


@pytest.mark.parametrize(("sizes", "sample", "min_size"), [
    ([300, 200, 120, 80], 10_000, 1),  # silhouette on every user
    ([300, 200, 120, 80], 250, 1),  # silhouette on a seeded sample of 250
    ([300, 200, 120, 8], 250, 50),  # a tiny blob: the segment rule decides
    ([400], 10_000, 1),  # one group: k-means still splits it, the search picks the best split
])
def test_below_choose_on_the_result_is_the_old_paths_exactly(monkeypatch: pytest.MonkeyPatch, sizes: list[int],
                                                              sample: int, min_size: int) -> None:
    X, _ = make_blobs(n_samples=sizes, n_features=3, cluster_std=1.5, random_state=7)
    monkeypatch.setattr(clusters, "_refine", lambda *a: pytest.fail("refined below choose_on"))
    result = cluster_users(_features(X), columns=["a", "b", "c"], log_columns=(), sample=sample, seed=3,
                           min_size=min_size)
    k, labels, sil, table = _reference(X, 3, sample, min_size)
    assert result.k == k
    np.testing.assert_array_equal(result.labels.to_numpy(), labels)
    assert result.silhouette == sil  # the same float, not merely close
    assert result.silhouette_by_k is not None
    np.testing.assert_array_equal(result.silhouette_by_k["silhouette"].to_numpy(), table["silhouette"].to_numpy())
    np.testing.assert_array_equal(result.silhouette_by_k["smallest_segment"], table["smallest_segment"])


def test_above_choose_on_one_run_from_the_subsamples_centres_agrees_with_ten_starts_on_everyone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # four separated blobs of 3,000 users: refining the subsample's best centres on everyone must give
    # the partition (and numbering) ten full starts give, and the silhouette of that partition
    X, _ = make_blobs(n_samples=[3000, 2500, 2000, 1500], n_features=3, cluster_std=0.8, random_state=3)
    calls = []
    refine = clusters._refine
    monkeypatch.setattr(clusters, "_refine", lambda arr, start: calls.append(len(arr)) or refine(arr, start))
    result = cluster_users(_features(X), columns=["a", "b", "c"], log_columns=(), choose_on=1000, sample=500,
                           seed=1)
    assert calls == [9000] and result.k == 4
    arr = _scaled(X)
    full = _by_size(KMeans(n_clusters=4, n_init=10, random_state=1).fit(arr).labels_)
    np.testing.assert_array_equal(result.labels.to_numpy(), full)
    assert adjusted_rand_score(full, result.labels) == 1.0
    assert result.silhouette == _old_silhouette(arr, full, 1, 500)
    assert result.silhouette == pytest.approx(silhouette_score(arr, full, sample_size=500, random_state=1))
    assert best_k(choose_k(arr, range(2, 9), seed=1, sample=500)) == 4  # the whole population agrees on k


@pytest.mark.parametrize(("choose_on", "refined"), [(1200, False), (1199, True)])
def test_the_refinement_starts_just_above_choose_on(monkeypatch: pytest.MonkeyPatch, choose_on: int,
                                                    refined: bool) -> None:
    X, _ = make_blobs(n_samples=[600, 400, 200], n_features=3, cluster_std=0.8, random_state=5)
    calls = []
    refine = clusters._refine
    monkeypatch.setattr(clusters, "_refine", lambda arr, start: calls.append(len(arr)) or refine(arr, start))
    cluster_users(_features(X), columns=["a", "b", "c"], log_columns=(), choose_on=choose_on, sample=300)
    assert calls == ([1200] if refined else [])


def test_duckdb_connections_take_the_memory_cap_and_spill_folder(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path) -> None:
    monkeypatch.setenv(engine.MEMORY_ENV, "512MB")
    monkeypatch.setenv(engine.TEMP_ENV, str(tmp_path / "spill"))
    limit, temp = engine.connect().execute(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory')").fetchone()
    assert limit == "488.2 MiB" and temp == str(tmp_path / "spill")  # 512 MB = 488.3 MiB as DuckDB rounds
    monkeypatch.setenv(engine.MEMORY_ENV, "lots")
    with pytest.raises(ParameterError, match="OPSBOOK_DUCKDB_MEMORY='lots'"):
        engine.connect()


@pytest.mark.parametrize("chunk", [7, 1000])
def test_chunked_silhouettes_equal_sklearns_silhouette_score(chunk: int) -> None:
    X, truth = make_blobs(n_samples=[60, 40, 25], n_features=3, cluster_std=1.2, random_state=2)
    singleton = truth.copy()
    singleton[5] = 7  # a one-user cluster (scores 0) under a label code with gaps (0, 1, 2, 7)
    shuffled = np.random.default_rng(4).integers(0, 4, len(X))
    labelings = [truth, singleton, shuffled, np.zeros(len(X), dtype=int), np.arange(len(X))]
    scores = clusters.chunked_silhouettes(X, labelings, chunk=chunk)
    for labels, score in zip(labelings[:3], scores[:3], strict=True):
        assert score == pytest.approx(silhouette_score(X, labels), rel=1e-12, abs=1e-15)
    assert np.isnan(scores[3]) and np.isnan(scores[4])  # one cluster; one cluster per user


def test_above_large_k_is_chosen_on_the_small_subsample_with_chunked_silhouettes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # 9,000 users above large=5,000: the search runs on 1,000 of them (the seeded subsample _subsample draws),
    # no sample × sample matrix is built, and the figures are the old path's up to float rounding
    X, _ = make_blobs(n_samples=[3000, 2500, 2000, 1500], n_features=3, cluster_std=0.8, random_state=3)
    monkeypatch.setattr(clusters, "_sample_distances", lambda *a: pytest.fail("built the distance matrix"))
    result = cluster_users(_features(X), columns=["a", "b", "c"], log_columns=(), choose_on=4000, large=5000,
                           choose_on_large=1000, sample=500, seed=1)
    arr = _scaled(X)
    sub = arr[np.random.default_rng(1).choice(len(arr), 1000, replace=False)]
    ks = list(clusters.k_search_range(len(arr)))
    old = [_old_silhouette(sub, KMeans(n_clusters=k, n_init=10, random_state=1).fit(sub).labels_, 1, 500)
           for k in ks]
    assert result.silhouette_by_k is not None
    assert result.silhouette_by_k["k"].tolist() == ks
    np.testing.assert_allclose(result.silhouette_by_k["silhouette"], old, rtol=1e-12)
    assert result.k == 4
    full = _by_size(KMeans(n_clusters=4, n_init=10, random_state=1).fit(arr).labels_)
    np.testing.assert_array_equal(result.labels.to_numpy(), full)
    assert result.silhouette == pytest.approx(_old_silhouette(arr, full, 1, 500), rel=1e-12)


def test_at_large_users_the_exact_path_is_kept() -> None:
    X, _ = make_blobs(n_samples=[600, 400, 200], n_features=3, cluster_std=0.8, random_state=5)
    kwargs = {"columns": ["a", "b", "c"], "log_columns": (), "choose_on": 1000, "sample": 300,
              "choose_on_large": 500}
    at = cluster_users(_features(X), large=1200, **kwargs)
    exact = cluster_users(_features(X), large=10**9, **kwargs)
    assert at.silhouette == exact.silhouette and at.k == exact.k
    assert at.silhouette_by_k is not None and exact.silhouette_by_k is not None
    pd.testing.assert_frame_equal(at.silhouette_by_k, exact.silhouette_by_k)
    np.testing.assert_array_equal(at.labels, exact.labels)


def test_duckdb_memory_cap_defaults_to_1gb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(engine.MEMORY_ENV, raising=False)
    limit = engine.connect().execute("SELECT current_setting('memory_limit')").fetchone()
    assert limit == ("953.6 MiB",)  # 1 GB = 10^9 bytes = 953.67 MiB, as DuckDB rounds


@pytest.mark.parametrize("big", [False, True])
def test_one_blas_thread_during_k_means_gives_the_numbers_of_two(monkeypatch: pytest.MonkeyPatch, big: bool) -> None:
    """cluster_users runs k-means and silhouettes on one BLAS thread (issue 22, round 3): the same figures as
    with BLAS on two threads (the old path's reference below runs on two; the big path runs again without the limit)."""
    X, _ = make_blobs(n_samples=[1500, 900, 500, 100], n_features=3, cluster_std=1.5, random_state=11)
    options = {"columns": ["a", "b", "c"], "log_columns": (), "sample": 1200, "seed": 2, "min_size": 20}
    if big:
        options.update(large=2000, choose_on_large=1500)
    result = cluster_users(_features(X), **options)
    with threadpool_limits(limits=2, user_api="blas"):
        if big:  # the same code, BLAS left on two threads
            monkeypatch.setattr(clusters, "threadpool_limits", lambda **_: contextlib.nullcontext())
            other = cluster_users(_features(X), **options)
            k, labels, sil = other.k, other.labels.to_numpy(), other.silhouette
            table = other.silhouette_by_k
            pd.testing.assert_frame_equal(result.centers, other.centers, check_exact=True)
        else:
            k, labels, sil, table = _reference(X, 2, 1200, 20)
    assert result.k == k
    np.testing.assert_array_equal(result.labels.to_numpy(), labels)
    assert result.silhouette == sil
    assert result.silhouette_by_k is not None and table is not None
    np.testing.assert_array_equal(result.silhouette_by_k["silhouette"].to_numpy(), table["silhouette"].to_numpy())


def _old_chunked_silhouettes(points: np.ndarray, labelings: list[np.ndarray], chunk: int = 1_000) -> list[float]:
    """chunked_silhouettes of issue 22 round 2: one product per labelling and chunk."""
    n = len(points)
    onehots = [np.eye(int(codes.max()) + 1)[codes]
               for codes in (np.unique(np.asarray(labels), return_inverse=True)[1].ravel() for labels in labelings)]
    sums = [np.empty((n, oh.shape[1])) for oh in onehots]
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        dist = pairwise_distances(points[start:stop], points)
        dist[np.arange(stop - start), np.arange(start, stop)] = 0.0
        for total, oh in zip(sums, onehots, strict=True):
            total[start:stop] = dist @ oh
    out = []
    for total, oh in zip(sums, onehots, strict=True):
        counts = oh.sum(axis=0)
        if not 2 <= len(counts) < n:
            out.append(float("nan"))
            continue
        own = oh.astype(bool)
        size = counts[own.argmax(axis=1)]
        with np.errstate(divide="ignore", invalid="ignore"):
            intra = total[own] / (size - 1)
            inter = np.where(own, np.inf, total / counts).min(axis=1)
            score = (inter - intra) / np.maximum(intra, inter)
        out.append(float(np.mean(np.where(size > 1, np.nan_to_num(score), 0.0))))
    return out


@pytest.mark.parametrize("chunk", [7, 333, 1000])
def test_one_product_for_all_labellings_equals_one_per_labelling(chunk: int) -> None:
    X, truth = make_blobs(n_samples=[700, 300, 150, 3], n_features=5, cluster_std=2.0, random_state=8)
    rng = np.random.default_rng(1)
    labelings = [truth, *(KMeans(n_clusters=k, n_init=1, random_state=k).fit(X).labels_ for k in range(2, 9)),
                 rng.integers(0, 3, len(X)), np.zeros(len(X), dtype=int), np.where(np.arange(len(X)) == 0, 5, 1)]
    new = clusters.chunked_silhouettes(X, labelings, chunk=chunk)
    old = _old_chunked_silhouettes(X, labelings, chunk=chunk)
    # NaN where NaN; otherwise equal up to the BLAS kernel's order of additions (a few 1e-16 at odd chunk sizes)
    np.testing.assert_allclose(new, old, rtol=1e-13, atol=1e-15)
    assert clusters.chunked_silhouettes(X, [], chunk=chunk) == []
    assert clusters.chunked_silhouettes(X, labelings[:1], chunk=chunk) == pytest.approx(old[:1], rel=1e-13)
