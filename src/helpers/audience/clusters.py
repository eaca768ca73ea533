"""Behaviour clustering: per-user behaviour features, k chosen by silhouette, profiles and rule-based names.

Method (METHODOLOGY.md section 3, issue 4 §6):

1. `behaviour_features` turns raw interactions into one row per user over a whole-day window
   ending on the analysis date (counts, recency, event-type mix, evening share, purchase value).
2. `cluster_users` scales them — log1p on the count-like columns (events, active days, recency,
   purchase value are heavy-tailed; without the log a handful of heavy users would own a cluster
   each), then StandardScaler so every feature weighs the same — and runs k-means with k given or
   chosen by `choose_k` and `best_k`: k-means with several starts (n_init ≥ 10) for every k from 2
   to k_max = min(12, ⌊√(n/2)⌋) (`k_search_range`, wide enough to see the silhouette peak on
   real audiences), and the highest mean silhouette among the k whose smallest cluster keeps at
   least `min_size` users (ties go to the smaller k; when every k leaves a smaller cluster, the
   highest silhouette of all). The whole curve is kept (`k_search_table`) for the report.
3. `profile_clusters` reports each cluster's size, share, feature means and z-scores against the
   whole population, flagging clusters below a minimum size instead of dropping them.
4. `name_clusters` names each cluster from its distinguishing (|z| > threshold) features with
   fixed, documented rules, so the same data always gives the same names.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances, silhouette_score
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits

from helpers.audience.engine import Events, as_events
from helpers.errors import DataError, ParameterError, require_columns
from helpers.params import check_timezone
from helpers.timezones import to_local

FEATURE_EVENTS: tuple[str, ...] = ("view", "like", "comment", "share", "save", "click", "message", "purchase")
"""Behaviour events counted in the features; follow/unfollow are relationship changes and left out."""
KNOWN_EVENTS: tuple[str, ...] = (*FEATURE_EVENTS, "follow", "unfollow")
EVENING_HOURS: tuple[int, int] = (18, 23)
"""Local clock hours counted as evening, inclusive: 18:00:00–23:59:59."""
COUNT_FEATURES: tuple[str, ...] = ("events", "active_days", "recency_days", "purchase_value")
"""Count-like (non-negative, heavy-tailed) features that are log1p-transformed before scaling."""
CLUSTER_FEATURES: tuple[str, ...] = (
    "events", "active_days", "recency_days", *(f"share_{e}" for e in FEATURE_EVENTS), "evening_share",
    "purchase_value",
)
"""Default clustering features (peak_hour is circular and categorical, so it is profiled, not clustered)."""
SMALL_FLAG = "small (merge or ignore)"
K_MAX = 12
"""The largest k the automatic search tries (fewer with few users, see k_search_range)."""
MIN_STARTS = 10
"""The fewest k-means starts (n_init) accepted: one start can land in a poor local optimum."""
LARGE = 200_000
"""Above this many users cluster_users chooses k on LARGE_CHOOSE_ON users and computes silhouettes in chunks."""
LARGE_CHOOSE_ON = 20_000
"""The k search's subsample above LARGE users (issue 22: a search on 100,000 users took most of a 1 M-user run)."""


# ---------------------------------------------------------------------------------------------
# features
# ---------------------------------------------------------------------------------------------

def _check_timezone(tz: str | None) -> None:
    """Raise ParameterError for a timezone name the tz database does not know."""
    if tz is not None:
        check_timezone("tz", tz)


def _as_of_day(as_of: Any, tz: str | None) -> pd.Timestamp:
    """The analysis date as a naive local midnight (a time of day, if given, is ignored)."""
    try:
        stamp = pd.Timestamp(as_of)
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"as_of={as_of!r} is not a date; write it as YYYY-MM-DD.") from exc
    if stamp is pd.NaT:
        raise ParameterError("as_of is missing; give the analysis date as YYYY-MM-DD.")
    if stamp.tzinfo is not None:
        stamp = (stamp.tz_convert(tz) if tz is not None else stamp).tz_localize(None)
    return stamp.normalize()


def _check_window(interactions: Events, window_days: int) -> None:
    """ParameterError for a bad window length, DataError for an event type the features do not know."""
    if isinstance(window_days, bool) or not isinstance(window_days, (int, np.integer)) or window_days < 1:
        raise ParameterError(f"window_days must be a whole number of days ≥ 1; got {window_days!r}.")
    kinds = interactions.query("SELECT DISTINCT CAST(event AS VARCHAR) AS event FROM {ev}")["event"]
    unknown = sorted(set(kinds.dropna()) - set(KNOWN_EVENTS)) + (["(missing)"] if kinds.isna().any() else [])
    if unknown:
        raise DataError(f"interactions.event has unknown type(s) {unknown}; expected one of {list(KNOWN_EVENTS)}.")


def _features_sql(user: str = "CAST(user_id AS VARCHAR)") -> str:
    """Per-user behaviour features over the window's behaviour events (see behaviour_features).

    `user` is the SQL of the user column: the id as text, or the integer code of a coded table.
    """
    shares = ",\n".join(f"count(*) FILTER (WHERE event = '{e}') / count(*) AS share_{e}" for e in FEATURE_EVENTS)
    events = ", ".join(f"'{e}'" for e in FEATURE_EVENTS)
    return f"""
WITH w AS (
    SELECT {user} AS user_id, occurred_at AS t, CAST(event AS VARCHAR) AS event, value
    FROM {{ev}}
    WHERE user_id IS NOT NULL AND occurred_at >= ? AND occurred_at < ? AND event IN ({events})),
hours AS (
    SELECT user_id, hour(t) AS hour, count(*) AS n FROM w GROUP BY user_id, hour),
peak AS (  -- the most events, ties to the earliest hour: the largest n × 24 + (23 − hour)
    SELECT user_id, arg_max(hour, n * 24 + (23 - hour)) AS peak_hour FROM hours GROUP BY user_id),
ordered AS (  -- a change of day in each user's time order (issue 22: count(DISTINCT day) cost most of the query)
    SELECT *, CAST(t AS DATE) <> CAST(lag(t) OVER (PARTITION BY user_id ORDER BY t) AS DATE) AS new_day FROM w),
agg AS (  -- joined to peak per user, not per event (issue 22); active days: the first day and each change of day
    SELECT user_id, count(*) AS events, 1 + count(*) FILTER (WHERE new_day) AS active_days,
           date_diff('day', max(CAST(t AS DATE)), CAST(? AS DATE)) AS recency_days,
           {shares},
           count(*) FILTER (WHERE hour(t) BETWEEN {EVENING_HOURS[0]} AND {EVENING_HOURS[1]}) / count(*)
               AS evening_share,
           coalesce(sum(value) FILTER (WHERE event = 'purchase'), 0.0) AS purchase_value
    FROM ordered GROUP BY user_id)
SELECT agg.*, peak_hour FROM agg JOIN peak USING (user_id)
ORDER BY user_id
"""


def behaviour_features(interactions: pd.DataFrame | Events, as_of: Any, window_days: int = 90,
                       tz: str | None = None) -> pd.DataFrame:
    """One row per user active in the window: activity, recency, event mix, evening share, purchase value, peak hour.

    Window: the `window_days` whole local days ending on `as_of` (inclusive). Naive timestamps are
    local time; timezone-aware ones are converted to `tz` (or kept in their own zone). Only
    behaviour events (FEATURE_EVENTS) count; users with none in the window get no row.
    Columns: events; active_days (distinct local dates); recency_days (as_of date − date of last
    event, 0 = active on as_of); share_<event> (share of the user's events, summing to 1);
    evening_share (events at 18:00–23:59 local ÷ events); purchase_value (Σ value of purchases
    whose value is known — purchases with a missing value add 0, so the column is never NaN and
    understates spend when values are missing); peak_hour (most frequent local hour, ties → earliest).
    Aggregated in DuckDB (see helpers.audience.engine).
    """
    _check_timezone(tz)
    if isinstance(interactions, pd.DataFrame):
        require_columns(interactions, ["user_id", "occurred_at", "event"], "interactions")
    ev = as_events(interactions, tz=tz) if tz is not None or not isinstance(interactions, pd.DataFrame) \
        else _own_zone_events(interactions)
    _check_window(ev, window_days)
    day = _as_of_day(as_of, tz)
    start, end = day - pd.Timedelta(days=int(window_days) - 1), day + pd.Timedelta(days=1)
    user = "user_id" if ev.coded else "CAST(user_id AS VARCHAR)"  # a coded table's ids are text already
    out = ev.per_user(_features_sql(user), [start, end, day])  # in parts of users when the events are many
    if out.empty:
        raise DataError(f"No interactions in the window {start.date()} – {day.date()} ({window_days} days); "
                        "check the analysis date, the lookback window and the account filter.")
    ints = dict.fromkeys(("events", "active_days", "recency_days", "peak_hour"), "int64")
    return out.astype({**ints, **{c: "float64" for c in out.columns if c not in ints and c != "user_id"}})


def _own_zone_events(interactions: pd.DataFrame) -> Events:
    """Events whose tz-aware timestamps keep their own zone's wall-clock time (tz=None in behaviour_features)."""
    frame = interactions.assign(occurred_at=to_local(interactions["occurred_at"], None))
    return as_events(frame)


# ---------------------------------------------------------------------------------------------
# choosing k and clustering
# ---------------------------------------------------------------------------------------------

def _matrix(X: Any) -> np.ndarray:
    """A finite 2-D float matrix with at least 3 rows, or DataError."""
    arr = np.asarray(X, dtype="float64")
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise DataError(f"The feature matrix must be 2-D with at least one column; got shape {arr.shape}.")
    if arr.shape[0] < 3:
        raise DataError(f"Clustering needs at least 3 users; got {arr.shape[0]}.")
    if not np.isfinite(arr).all():
        raise DataError("The feature matrix has missing or infinite values; fill or drop them before clustering.")
    return arr


def _check_starts(n_init: Any) -> int:
    """n_init as a whole number ≥ MIN_STARTS, or ParameterError ("auto" is a single k-means++ start)."""
    if isinstance(n_init, bool) or not isinstance(n_init, (int, np.integer)) or n_init < MIN_STARTS:
        raise ParameterError(f"n_init must be a whole number of k-means starts ≥ {MIN_STARTS}; got {n_init!r} "
                             "('auto' is a single start). Leave it out to use 10.")
    return int(n_init)


def k_search_range(n_users: int, k_max: int = K_MAX) -> range:
    """The k the automatic search tries: 2 to min(k_max, ⌊√(n_users/2)⌋, n_users − 1), at least k = 2."""
    top = min(int(k_max), math.isqrt(int(n_users) // 2), int(n_users) - 1)
    return range(2, max(top, 2) + 1)


def _kmeans(arr: np.ndarray, k: int, seed: int, n_init: int) -> KMeans:
    """A fitted seeded k-means."""
    return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(arr)


def _silhouette_rows(n: int, seed: int, sample: int) -> np.ndarray:
    """The rows the silhouette is computed on: all, or the seeded sample sklearn's `sample_size` would draw."""
    if n <= sample:
        return np.arange(n)
    return check_random_state(seed).permutation(n)[:sample]


def _silhouette(distances: np.ndarray, rows: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette of a labelling on the sampled rows, from their precomputed distances.

    NaN when the labelling has fewer than 2 clusters, or as many clusters as rows (in all rows
    or in the sample). Distances do not depend on the clustering, so choose_k computes them once
    for every k: the same value as `silhouette_score(X, labels, sample_size=..., random_state=seed)`
    at a fraction of the time.
    """
    distinct = len(np.unique(labels))
    sampled = labels[rows]
    if distinct < 2 or distinct >= len(labels) or not 2 <= len(np.unique(sampled)) < len(sampled):
        return float("nan")
    return float(silhouette_score(distances, sampled, metric="precomputed"))


def chunked_silhouettes(points: np.ndarray, labelings: Sequence[np.ndarray], chunk: int = 1_000) -> list[float]:
    """Mean silhouette of each labelling of the same points, distances computed once in row chunks.

    The same quantity as sklearn's `silhouette_score(points, labels)` (Euclidean; a singleton
    cluster's points score 0; NaN when a labelling has fewer than 2 clusters or one per point),
    equal to it up to the order of float additions, but one pass over the distances serves every
    labelling and only `chunk` rows of distances are alive at a time (a 10,000-row matrix is
    763 MiB). Each row's distance sums per cluster are a product with the one-hot labels.
    """
    n = len(points)
    onehots = []
    for labels in labelings:
        codes = np.unique(np.asarray(labels), return_inverse=True)[1].ravel()
        onehots.append(np.eye(int(codes.max()) + 1 if n else 0)[codes])
    # every labelling's one-hot side by side: one product per chunk (issue 22: one per labelling took twice as long)
    edges = np.cumsum([0, *(oh.shape[1] for oh in onehots)])
    allhot = np.hstack(onehots) if onehots else np.empty((n, 0))
    every = np.empty((n, allhot.shape[1]))
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        dist = pairwise_distances(points[start:stop], points)
        dist[np.arange(stop - start), np.arange(start, stop)] = 0.0  # a point's distance to itself
        every[start:stop] = dist @ allhot
    sums = [every[:, a:b] for a, b in itertools.pairwise(edges)]
    out = []
    for total, oh in zip(sums, onehots, strict=True):
        counts = oh.sum(axis=0)
        k = len(counts)
        if not 2 <= k < n:
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


def _sample_distances(arr: np.ndarray, seed: int, sample: int) -> tuple[np.ndarray, np.ndarray]:
    """The silhouette's sampled rows and the Euclidean distances between them."""
    rows = _silhouette_rows(len(arr), seed, sample)
    return rows, pairwise_distances(arr[rows])


def _subsample(arr: np.ndarray, size: int, seed: int) -> np.ndarray:
    """A seeded random subset of `size` rows (all rows when there are not more)."""
    if len(arr) <= size:
        return arr
    return arr[np.random.default_rng(seed).choice(len(arr), size, replace=False)]


def choose_k(X: Any, k_range: Iterable[int] | None = None, seed: int = 0, sample: int = 10_000,
             n_init: int = MIN_STARTS) -> pd.DataFrame:
    """Silhouette, inertia and smallest cluster of seeded k-means for each feasible k (2 ≤ k < users), to pick k.

    X is the already-scaled matrix; k_range defaults to k_search_range(rows). k-means fits all
    rows; the silhouette is computed on a seeded random sample of `sample` rows when there are
    more (exact otherwise), because it is O(n²). smallest_segment counts the rows of the smallest cluster.
    """
    arr = _matrix(X)
    starts = _check_starts(n_init)
    k_range = k_search_range(len(arr)) if k_range is None else k_range
    return _search(arr, _feasible(arr, k_range, sample), seed, sample, starts).table


def _feasible(arr: np.ndarray, k_range: Iterable[int], sample: int) -> list[int]:
    """The k of k_range with 2 ≤ k < rows, sorted; ParameterError for none or a silhouette sample under 2 rows."""
    if sample < 2:
        raise ParameterError(f"sample must be at least 2 rows; got {sample}.")
    ks = sorted({int(k) for k in k_range if 2 <= int(k) < len(arr)})
    if not ks:
        raise ParameterError(f"No feasible k in k_range for {len(arr)} users (need 2 ≤ k < users).")
    return ks


@dataclass(frozen=True, eq=False)
class _Search:
    """A k search: its table, the fitted k-means of every k, and the silhouette's sampled rows and distances."""

    table: pd.DataFrame
    models: dict[int, KMeans]
    rows: np.ndarray
    distances: np.ndarray


def _search(arr: np.ndarray, ks: Sequence[int], seed: int, sample: int, starts: int,
            chunked: bool = False) -> _Search:
    """choose_k's work on a checked matrix and feasible ks, keeping the fits for cluster_users to reuse.

    chunked: the silhouettes of every k from one chunked pass over the sample's distances
    (`chunked_silhouettes`, same values up to float rounding, no sample × sample matrix kept);
    the search's `distances` are then empty.
    """
    if chunked:
        rows, distances = _silhouette_rows(len(arr), seed, sample), np.empty((0, 0))
    else:
        rows, distances = _sample_distances(arr, seed, sample)
    table, models = [], {}
    for k in ks:
        km = models[k] = _kmeans(arr, k, seed, starts)
        table.append({"k": k, "silhouette": np.nan if chunked else _silhouette(distances, rows, km.labels_),
                      "inertia": float(km.inertia_),
                      "smallest_segment": int(np.bincount(km.labels_, minlength=k).min())})
    frame = pd.DataFrame(table)
    if chunked:
        frame["silhouette"] = _sampled_silhouettes(arr, rows, [models[k].labels_ for k in ks])
    return _Search(frame, models, rows, distances)


def _sampled_silhouettes(arr: np.ndarray, rows: np.ndarray, labelings: Sequence[np.ndarray]) -> list[float]:
    """chunked_silhouettes on the sampled rows, NaN where `_silhouette` gives NaN (too few or too many clusters)."""
    scores = chunked_silhouettes(arr[rows], [labels[rows] for labels in labelings])
    return [score if 2 <= len(np.unique(labels)) < len(labels) else float("nan")
            for score, labels in zip(scores, labelings, strict=True)]


def _refine(arr: np.ndarray, start: KMeans) -> KMeans:
    """One k-means run on every row from the centres of a k-means fitted (with its starts) on a subsample."""
    return KMeans(n_clusters=start.n_clusters, init=start.cluster_centers_, n_init=1).fit(arr)


def best_k(table: pd.DataFrame, min_size: int = 1) -> int:
    """The k with the highest silhouette whose smallest cluster has ≥ min_size users (ties → smaller k).

    When every k leaves a smaller cluster (or the table has no smallest_segment), the highest
    silhouette of all: the small clusters are then flagged by profile_clusters.
    """
    valid = table.dropna(subset=["silhouette"])
    if valid.empty:
        raise DataError("No k gives a defined silhouette: the users' features do not separate into clusters.")
    if "smallest_segment" in valid.columns and (valid["smallest_segment"] >= min_size).any():
        valid = valid[valid["smallest_segment"] >= min_size]
    return int(valid.sort_values(["silhouette", "k"], ascending=[False, True]).iloc[0]["k"])


@dataclass(frozen=True, eq=False)
class ClusterResult:
    """A clustering: labels per user (0 = largest cluster), k, its silhouette, centres in original units, scaler."""

    labels: pd.Series
    k: int
    silhouette: float
    centers: pd.DataFrame
    scaler: StandardScaler
    columns: tuple[str, ...]
    log_columns: tuple[str, ...]
    silhouette_by_k: pd.DataFrame | None
    """The k search (k, silhouette, inertia, smallest_segment, chosen); None when k was given."""
    min_size: int = 1
    """The smallest cluster the k search allowed (min_size of cluster_users)."""


def _feature_frame(features: pd.DataFrame, columns: Sequence[str] | None) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Numeric feature columns indexed by user_id, validated (unique ids, no NaN)."""
    require_columns(features, ["user_id"], "features")
    cols = tuple(c for c in CLUSTER_FEATURES if c in features.columns) if columns is None else tuple(columns)
    if not cols:
        raise DataError(f"features has none of the clustering columns {list(CLUSTER_FEATURES)}.")
    require_columns(features, cols, "features")
    if features["user_id"].duplicated().any():
        raise DataError("features has duplicate user_id rows; give one row per user.")
    # only the clustering columns are copied, and text converted only when there is text (issue 22: at 10 M users
    # each copy of every feature column is ~1.3 GB); the same float64 frame indexed by user_id as before
    chosen = features[list(cols)]
    if not all(pd.api.types.is_numeric_dtype(chosen[c]) for c in cols):
        chosen = chosen.apply(pd.to_numeric, errors="coerce")
    frame = chosen.astype("float64").set_axis(pd.Index(features["user_id"], name="user_id"))
    bad = [c for c in cols if frame[c].isna().any()]
    if bad:
        raise DataError(f"features has missing or non-numeric values in {bad}; fill or drop those users first.")
    return frame, cols


def scaled_matrix(frame: pd.DataFrame, log_columns: Sequence[str] = COUNT_FEATURES
                  ) -> tuple[np.ndarray, StandardScaler, tuple[str, ...]]:
    """log1p on the count-like columns present, then StandardScaler: (matrix, fitted scaler, logged columns)."""
    logged = tuple(c for c in log_columns if c in frame.columns)
    negative = [c for c in logged if (frame[c] < 0).any()]
    if negative:
        raise DataError(f"Count-like features {negative} have negative values; log1p scaling needs values ≥ 0.")
    # one copy of the features, logged and scaled in place (issue 22: the frame copy and two to_numpy copies were
    # three more matrices of users × features); the same column-major layout and operations, so the same bits
    values = frame.to_numpy(dtype="float64", copy=True)
    for i, c in enumerate(frame.columns):
        if c in logged:
            np.log1p(values[:, i], out=values[:, i])
    scaler = StandardScaler().fit(values)
    return scaler.transform(values, copy=False), scaler, logged


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Relabel clusters 0..k-1 by size, largest first (ties by first appearance), for stable numbering."""
    uniq, first, counts = np.unique(labels, return_index=True, return_counts=True)
    order = sorted(range(len(uniq)), key=lambda i: (-counts[i], first[i]))
    mapping = np.empty(labels.max() + 1, dtype=np.int64)
    mapping[uniq[order]] = np.arange(len(uniq))
    return mapping[labels]


def _centers(km: KMeans, labels_old: np.ndarray, labels_new: np.ndarray, scaler: StandardScaler,
             cols: tuple[str, ...], logged: tuple[str, ...]) -> pd.DataFrame:
    """k-means centres back in original units (inverse scaling, then expm1 on logged columns), renumbered."""
    raw = pd.DataFrame(scaler.inverse_transform(km.cluster_centers_), columns=list(cols))
    for c in logged:
        raw[c] = np.expm1(raw[c])
    mapping = pd.Series(labels_new, index=labels_old).groupby(level=0).first()
    raw.insert(0, "cluster", mapping.reindex(raw.index).to_numpy())
    return raw.sort_values("cluster", ignore_index=True)


def _search_table(table: pd.DataFrame, n_fit: int, n_users: int) -> pd.DataFrame:
    """A choose_k table with smallest_segment in users of the whole population (scaled from a subsample)."""
    if n_fit < n_users:
        table = table.assign(smallest_segment=(table["smallest_segment"] * n_users / n_fit).round().astype("int64"))
    return table


def _check_min_size(min_size: Any) -> int:
    """min_size as a whole number ≥ 1, or ParameterError."""
    if isinstance(min_size, bool) or not isinstance(min_size, (int, np.integer)) or min_size < 1:
        raise ParameterError(f"min_size must be a whole number of users ≥ 1; got {min_size!r}.")
    return int(min_size)


def cluster_users(features: pd.DataFrame, k: int | Literal["auto"] = "auto", seed: int = 0,
                  columns: Sequence[str] | None = None, k_range: Iterable[int] | None = None,
                  sample: int = 10_000, n_init: int = MIN_STARTS,
                  log_columns: Sequence[str] = COUNT_FEATURES, choose_on: int = 100_000,
                  min_size: int = 1, large: int = LARGE, choose_on_large: int = LARGE_CHOOSE_ON) -> ClusterResult:
    """k-means (n_init ≥ 10 starts) on log1p-and-standardised behaviour features, k given or chosen by silhouette.

    k="auto" searches k_range (default k_search_range(users): 2..min(12, ⌊√(n/2)⌋)) and takes
    best_k(table, min_size): the highest silhouette among the k whose smallest cluster has at
    least `min_size` users (the highest of all when none has).

    With k="auto", k is chosen on a seeded random subsample of `choose_on` users when there are
    more (the silhouette of 100,000 users ranks k as the full population does, at a tenth of the
    cost on a million users); the final k-means then fits every user, starting from the centres
    of the best of the `n_init` starts on the subsample (one run on everyone, not `n_init` more:
    the starts have done their work on the subsample). With `choose_on` users or fewer the
    search fitted everyone already, and its k-means (and silhouette distances) for the chosen k
    are the final ones. Above `large` users (200,000) the search runs on `choose_on_large`
    users (20,000; still `n_init` starts per k) and every silhouette (the search's and the final
    one, on the same seeded `sample` rows) comes from `chunked_silhouettes`: the same values up to
    float rounding without a sample × sample distance matrix (763 MiB for 10,000 rows) in memory.
    Centres are reported in original units: the k-means centre un-standardised and, for logged
    columns, expm1 — i.e. a geometric-style centre, not the arithmetic cluster mean
    (profile_clusters gives those). Clusters are numbered by size, 0 = largest.
    """
    frame, cols = _feature_frame(features, columns)
    starts, least = _check_starts(n_init), _check_min_size(min_size)
    arr, scaler, logged = scaled_matrix(frame, log_columns)
    arr = _matrix(arr)
    # BLAS on one thread while k-means runs (issue 22): sklearn's k-means already keeps BLAS to one thread
    # inside each run, but OpenBLAS's threads, woken by the distances between runs, spin on the 2 cores
    # the k-means' OpenMP threads use: the 20,000-user search took 6 s instead of 3. Same numbers.
    with threadpool_limits(limits=1, user_api="blas"):
        table = None
        big = len(arr) > large
        if isinstance(k, str):
            if k != "auto":
                raise ParameterError(f"k must be a whole number ≥ 2 or 'auto'; got {k!r}.")
            fit = _matrix(_subsample(arr, choose_on_large if big else choose_on, seed))
            search = _search(fit, _feasible(fit, k_search_range(len(arr)) if k_range is None else k_range, sample),
                             seed, sample, starts, chunked=big)
            table = _search_table(search.table, len(fit), len(arr))
            k_used = best_k(table, least)
            table = table.assign(chosen=table["k"] == k_used)
            if len(fit) == len(arr):  # the search fitted every user: its k-means and distances are the final ones
                km, sampled = search.models[k_used], (search.rows, search.distances)
            else:  # above choose_on users: the best of the starts on the subsample, refined on every user
                km, sampled = _refine(arr, search.models[k_used]), None
            del search
        else:
            if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 2 <= k < len(arr):
                raise ParameterError(f"k must be a whole number with 2 ≤ k < users ({len(arr)}); got {k!r}.")
            k_used = int(k)
            km, sampled = _kmeans(arr, k_used, seed, starts), None
        labels = _by_size(km.labels_)
        if big:
            sil = _sampled_silhouettes(arr, _silhouette_rows(len(arr), seed, sample), [labels])[0]
        else:
            rows, distances = sampled if sampled is not None else _sample_distances(arr, seed, sample)
            sil = _silhouette(distances, rows, labels)
    return ClusterResult(
        labels=pd.Series(labels, index=frame.index, name="cluster"), k=k_used, silhouette=sil,
        centers=_centers(km, km.labels_, labels, scaler, cols, logged), scaler=scaler, columns=cols,
        log_columns=logged, silhouette_by_k=table, min_size=least)


def k_search_table(result: ClusterResult) -> pd.DataFrame:
    """The silhouette-by-k curve for the report: k, silhouette, smallest_segment, chosen (a given k alone)."""
    if result.silhouette_by_k is not None:
        return result.silhouette_by_k[["k", "silhouette", "smallest_segment", "chosen"]].reset_index(drop=True)
    return pd.DataFrame({"k": [result.k], "silhouette": [result.silhouette],
                         "smallest_segment": [int(result.labels.value_counts().min())], "chosen": [True]})


# ---------------------------------------------------------------------------------------------
# profiles and names
# ---------------------------------------------------------------------------------------------

def _profile_columns(features: pd.DataFrame, columns: Sequence[str] | None) -> list[str]:
    """Numeric feature columns to profile (default: all numeric except user_id, peak_hour, cluster)."""
    if columns is not None:
        require_columns(features, columns, "features")
        return list(columns)
    skip = {"user_id", "peak_hour", "cluster"}
    return [c for c in features.columns if c not in skip and pd.api.types.is_numeric_dtype(features[c])]


def profile_clusters(features: pd.DataFrame, labels: pd.Series, min_size: int = 1,
                     columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Per cluster: size, share, mean of each feature and its z-score vs all users, and a small-cluster flag.

    z_<feature> = (cluster mean − overall mean) ÷ overall standard deviation (population, ddof=0;
    0 when the feature is constant). Clusters with fewer than `min_size` users stay in the table
    with small=True and flag "small (merge or ignore)". labels is indexed by user_id; every user in
    features needs a label (labels of users not in features are ignored).
    """
    require_columns(features, ["user_id"], "features")
    if isinstance(min_size, bool) or not isinstance(min_size, (int, np.integer)) or min_size < 1:
        raise ParameterError(f"min_size must be a whole number ≥ 1; got {min_size!r}.")
    cols = _profile_columns(features, columns)
    if not cols:
        raise DataError("features has no numeric columns to profile.")
    cluster = features["user_id"].map(labels)
    if cluster.isna().any():
        raise DataError(f"{int(cluster.isna().sum())} user(s) in features have no cluster label.")
    values = features[cols].astype("float64")
    if values.isna().any().any():
        raise DataError("features has missing values in the profiled columns; fill or drop them first.")
    mean, std = values.mean(), values.std(ddof=0)
    grouped = values.groupby(cluster.astype("int64").to_numpy())
    out = grouped.mean()
    size = grouped.size()
    z = ((out - mean) / std.where(std > 0)).fillna(0.0).add_prefix("z_")
    head = pd.DataFrame({"size": size.astype("int64"), "share": size / len(values), "small": size < min_size})
    head["flag"] = np.where(head["small"], SMALL_FLAG, "")
    table = pd.concat([head, out, z], axis=1)
    table.index.name = "cluster"
    return table.reset_index()


_NOUN_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("purchase_value", "share_purchase"), "buyers"),
    (("share_share",), "sharers"),
    (("share_comment",), "commenters"),
    (("share_save",), "savers"),
    (("share_click",), "clickers"),
    (("share_message",), "messagers"),
    (("share_like",), "likers"),
    (("share_view",), "browsers"),
)


def _z(row: pd.Series, feature: str) -> float:
    """A profile row's z-score for a feature (0 when the feature was not profiled)."""
    value = row.get(f"z_{feature}", 0.0)
    return 0.0 if pd.isna(value) else float(value)


def _activity(row: pd.Series) -> float:
    """Activity z-score: mean of z_events and z_active_days (those profiled; 0 when neither is)."""
    present = [f for f in ("events", "active_days") if f"z_{f}" in row.index]
    return float(np.mean([_z(row, f) for f in present])) if present else 0.0


def _noun(row: pd.Series, threshold: float) -> str:
    """What a cluster mostly does: the rule whose strongest z-score exceeds threshold is the highest."""
    best, best_z = "", threshold
    for feats, noun in _NOUN_RULES:
        score = max(_z(row, f) for f in feats)
        if score > best_z:
            best, best_z = noun, score
    activity = _activity(row)
    if best in ("", "browsers") and activity < -threshold:
        return "lurkers"
    if not best:
        return "heavy users" if activity > threshold else "typical users"
    return best


def _cluster_name(row: pd.Series, threshold: float) -> str:
    """Rule-based name: [lapsing] [heavy|light] [evening] <noun>."""
    noun = _noun(row, threshold)
    words = []
    if _z(row, "recency_days") > threshold:
        words.append("lapsing")
    activity = _activity(row)
    if activity > threshold and noun != "heavy users":
        words.append("heavy")
    elif activity < -threshold and noun != "lurkers":
        words.append("light")
    if _z(row, "evening_share") > threshold:
        words.append("evening")
    return " ".join([*words, noun])


def name_clusters(profile: pd.DataFrame, threshold: float = 0.5) -> dict[int, str]:
    """Deterministic names from each cluster's distinguishing z-scores (|z| > threshold).

    Noun (what they do): among buyers (z of purchase_value or share_purchase), sharers, commenters,
    savers, clickers, messagers, likers, browsers (share_view), the one with the highest z above
    threshold (ties → that order). Activity z = mean of z_events and z_active_days (active days
    resist bot bursts). Browsers with activity < −threshold, or no noun and activity <
    −threshold, are "lurkers"; no noun and activity > threshold → "heavy users"; otherwise
    "typical users". Prefixes, in this order: "lapsing" (z_recency_days > threshold),
    "heavy"/"light" (activity above threshold / below −threshold), "evening" (z_evening_share >
    threshold) — e.g. "heavy buyers", "evening browsers", "lapsing light sharers". Clusters that
    would share a name get " #<cluster>" appended so names stay unique.
    """
    require_columns(profile, ["cluster"], "profile")
    if not any(str(c).startswith("z_") for c in profile.columns):
        raise ParameterError("profile has no z_<feature> columns; build it with profile_clusters.")
    if not threshold >= 0:
        raise ParameterError(f"threshold must be ≥ 0; got {threshold!r}.")
    names = {int(row["cluster"]): _cluster_name(row, threshold) for _, row in profile.iterrows()}
    counts = pd.Series(list(names.values())).value_counts()
    return {c: (f"{n} #{c}" if counts[n] > 1 else n) for c, n in names.items()}


def named_profile(features: pd.DataFrame, labels: pd.Series, min_size: int = 1) -> pd.DataFrame:
    """profile_clusters with each cluster's name (name_clusters) as the second column."""
    profile = profile_clusters(features, labels, min_size=min_size)
    names = name_clusters(profile)
    profile.insert(1, "name", profile["cluster"].map(names))
    return profile
