"""helpers.audience.clusters and .personas: hand-checked features, blobs vs sklearn, profiles, names, actions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.preprocessing import StandardScaler

from helpers.audience.clusters import (
    SMALL_FLAG,
    behaviour_features,
    best_k,
    choose_k,
    cluster_users,
    name_clusters,
    named_profile,
    profile_clusters,
)
from helpers.audience.personas import (
    ACTION_NURTURE,
    ACTION_OFFERS,
    ACTION_ONBOARDING,
    ACTION_UGC,
    ACTION_WIN_BACK,
    Persona,
    SegmentMetrics,
    persona_cards,
    recommended_action,
    segment_membership,
)
from helpers.errors import DataError, ParameterError

# ---------------------------------------------------------------------------------------------
# behaviour_features
# ---------------------------------------------------------------------------------------------

AS_OF = "2026-03-10"


@pytest.fixture
def interactions() -> pd.DataFrame:
    rows = [
        ("a", "2026-03-10 23:30", "view", np.nan),      # evening, on as_of
        ("a", "2026-03-10 09:00", "like", np.nan),
        ("a", "2026-03-08 18:00", "purchase", 100.0),   # evening starts at 18:00
        ("a", "2026-03-08 19:00", "purchase", np.nan),  # value unknown: adds 0
        ("a", "2026-03-03 23:59", "view", np.nan),      # before the 7-day window
        ("a", "2026-03-11 00:00", "view", np.nan),      # after as_of
        ("a", "2026-03-09 12:00", "follow", np.nan),    # not a behaviour event
        ("b", "2026-03-04 00:00", "share", np.nan),     # first instant of the window
        ("b", "2026-03-05 17:59", "share", np.nan),     # not evening
        ("b", "2026-03-05 12:00", "click", np.nan),
        ("c", "2026-03-09 20:00", "follow", np.nan),    # only a follow: no row
    ]
    frame = pd.DataFrame(rows, columns=["user_id", "occurred_at", "event", "value"])
    return frame.assign(occurred_at=pd.to_datetime(frame["occurred_at"]))


def test_features_by_hand(interactions: pd.DataFrame) -> None:
    f = behaviour_features(interactions, AS_OF, window_days=7).set_index("user_id")
    assert list(f.index) == ["a", "b"]
    a, b = f.loc["a"], f.loc["b"]
    assert (a["events"], a["active_days"], a["recency_days"]) == (4, 2, 0)
    assert (b["events"], b["active_days"], b["recency_days"]) == (3, 2, 5)
    assert a["share_view"] == 0.25 and a["share_like"] == 0.25 and a["share_purchase"] == 0.5
    assert b["share_share"] == pytest.approx(2 / 3) and b["share_click"] == pytest.approx(1 / 3)
    assert a["evening_share"] == 0.75 and b["evening_share"] == 0.0
    assert a["purchase_value"] == 100.0 and b["purchase_value"] == 0.0
    assert a["peak_hour"] == 9 and b["peak_hour"] == 0  # all hours tie: earliest
    shares = f.filter(like="share_").sum(axis=1)
    assert np.allclose(shares, 1.0)
    assert not f.isna().any().any()


def test_features_aware_timestamps_converted_to_local(interactions: pd.DataFrame) -> None:
    aware = interactions.assign(
        occurred_at=interactions["occurred_at"].dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC"))
    local = behaviour_features(interactions, AS_OF, window_days=7)
    converted = behaviour_features(aware, AS_OF, window_days=7, tz="Asia/Shanghai")
    pd.testing.assert_frame_equal(local, converted)
    as_utc = behaviour_features(aware, AS_OF, window_days=7).set_index("user_id")
    assert as_utc.loc["a", "evening_share"] == 0.0  # 23:30 Shanghai is 15:30 UTC


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"tz": "Mars/Olympus"}, ParameterError, "Unknown timezone"),
    ({"window_days": 0}, ParameterError, "window_days"),
    ({"as_of": "not a date"}, ParameterError, "as_of"),
    ({"as_of": "2020-01-01"}, DataError, "No interactions"),
])
def test_features_bad_input(interactions: pd.DataFrame, kwargs: dict, error: type, match: str) -> None:
    args = {"as_of": AS_OF, "window_days": 7, **kwargs}
    with pytest.raises(error, match=match):
        behaviour_features(interactions, **args)


def test_features_bad_tables(interactions: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="event"):
        behaviour_features(interactions.drop(columns="event"), AS_OF)
    with pytest.raises(DataError, match="unknown type"):
        behaviour_features(interactions.assign(event="poke"), AS_OF)


# ---------------------------------------------------------------------------------------------
# choose_k and cluster_users on blobs
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def blobs() -> tuple[pd.DataFrame, np.ndarray]:
    X, y = make_blobs(n_samples=[300, 200, 120, 80], n_features=3, cluster_std=0.7, random_state=7)
    return pd.DataFrame(X, columns=["x0", "x1", "x2"]).assign(user_id=[f"u{i}" for i in range(len(X))]), y


def test_choose_k_recovers_true_k(blobs: tuple[pd.DataFrame, np.ndarray]) -> None:
    frame, _ = blobs
    X = StandardScaler().fit_transform(frame[["x0", "x1", "x2"]])
    table = choose_k(X, range(2, 8), seed=0)
    assert list(table["k"]) == list(range(2, 8))
    assert best_k(table) == 4
    k4 = KMeans(n_clusters=4, n_init=10, random_state=0).fit(X)
    assert table.set_index("k").loc[4, "silhouette"] == pytest.approx(silhouette_score(X, k4.labels_), abs=1e-12)


def test_choose_k_sampled_silhouette_matches_sklearn(blobs: tuple[pd.DataFrame, np.ndarray]) -> None:
    X = blobs[0][["x0", "x1", "x2"]].to_numpy()
    table = choose_k(X, [3], seed=5, sample=150)
    labels = KMeans(n_clusters=3, n_init=10, random_state=5).fit(X).labels_
    expected = silhouette_score(X, labels, sample_size=150, random_state=5)
    assert table.loc[0, "silhouette"] == pytest.approx(expected, abs=1e-12)


def test_cluster_users_matches_truth_and_sklearn(blobs: tuple[pd.DataFrame, np.ndarray]) -> None:
    frame, y = blobs
    cols = ["x0", "x1", "x2"]
    result = cluster_users(frame, "auto", seed=0, columns=cols, log_columns=())
    assert result.k == 4
    assert adjusted_rand_score(y, result.labels.loc[frame["user_id"]].to_numpy()) > 0.95
    X = StandardScaler().fit_transform(frame[cols])
    km = KMeans(n_clusters=4, n_init=10, random_state=0).fit(X)
    assert result.silhouette == pytest.approx(silhouette_score(X, km.labels_), abs=1e-12)
    assert result.silhouette == pytest.approx(result.silhouette_by_k.set_index("k").loc[4, "silhouette"])
    sizes = result.labels.value_counts().sort_index()
    assert list(sizes) == sorted(sizes, reverse=True)  # 0 = largest
    # at convergence a k-means centre is the mean of its points (original units without logs)
    means = frame.set_index("user_id")[cols].groupby(result.labels).mean()
    np.testing.assert_allclose(result.centers.set_index("cluster")[cols].to_numpy(), means.to_numpy(), atol=1e-6)


def test_cluster_users_log1p_scaling_and_given_k() -> None:
    rng = np.random.default_rng(3)
    n = 200
    frame = pd.DataFrame({"user_id": [f"u{i}" for i in range(n)],
                          "events": rng.poisson(5, n) * np.repeat([1, 20], n // 2),
                          "evening_share": rng.random(n)})
    result = cluster_users(frame, 3, seed=1)
    assert result.k == 3 and result.log_columns == ("events",) and result.silhouette_by_k is None
    X = StandardScaler().fit_transform(np.column_stack([np.log1p(frame["events"]), frame["evening_share"]]))
    km = KMeans(n_clusters=3, n_init=10, random_state=1).fit(X)
    assert result.silhouette == pytest.approx(silhouette_score(X, km.labels_), abs=1e-12)
    assert adjusted_rand_score(km.labels_, result.labels.to_numpy()) == 1.0
    logged = np.log1p(frame["events"])
    centre = np.expm1(km.cluster_centers_[:, 0] * _population_std(logged) + logged.mean())
    assert sorted(result.centers["events"]) == pytest.approx(sorted(centre))


def _population_std(values: pd.Series) -> float:
    """Population standard deviation (what StandardScaler divides by)."""
    return float(np.std(values.to_numpy()))


@pytest.mark.parametrize(("frame", "kwargs", "error"), [
    (pd.DataFrame({"user_id": ["a", "b"], "events": [1, 2]}), {"k": "auto"}, DataError),        # < 3 users
    (pd.DataFrame({"user_id": list("abcd"), "events": [1, 2, np.nan, 4]}), {}, DataError),     # NaN
    (pd.DataFrame({"user_id": list("abcd"), "events": [1, -2, 3, 4]}), {}, DataError),         # negative count
    (pd.DataFrame({"user_id": list("abcd"), "events": [1, 2, 3, 4]}), {"k": 4}, ParameterError),
    (pd.DataFrame({"user_id": list("abcd"), "events": [1, 2, 3, 4]}), {"k": "many"}, ParameterError),
    (pd.DataFrame({"user_id": list("abcd"), "other": [1, 2, 3, 4]}), {}, DataError),           # no features
])
def test_cluster_users_bad_input(frame: pd.DataFrame, kwargs: dict, error: type) -> None:
    with pytest.raises(error):
        cluster_users(frame, **kwargs)


# ---------------------------------------------------------------------------------------------
# profile_clusters and name_clusters
# ---------------------------------------------------------------------------------------------

def test_profile_by_hand() -> None:
    features = pd.DataFrame({"user_id": ["u1", "u2", "u3", "u4", "u5"], "a": [1.0, 2, 3, 10, 14],
                             "b": [0.0, 0, 1, 1, 1], "c": [5.0] * 5, "peak_hour": [1, 2, 3, 4, 5]})
    labels = pd.Series([1, 0, 0, 1, 0], index=["u4", "u1", "u2", "u5", "u3"])
    p = profile_clusters(features, labels, min_size=3).set_index("cluster")
    assert list(p.index) == [0, 1]
    assert list(p["size"]) == [3, 2] and list(p["share"]) == [0.6, 0.4]
    assert list(p["small"]) == [False, True] and list(p["flag"]) == ["", SMALL_FLAG]
    assert p.loc[0, "a"] == 2.0 and p.loc[1, "a"] == 12.0
    assert p.loc[0, "b"] == pytest.approx(1 / 3) and p.loc[1, "b"] == 1.0
    assert p.loc[0, "z_a"] == pytest.approx(-4 / math.sqrt(26))    # mean 6, population variance 130/5
    assert p.loc[1, "z_a"] == pytest.approx(6 / math.sqrt(26))
    assert p.loc[0, "z_b"] == pytest.approx((1 / 3 - 0.6) / math.sqrt(0.24))
    assert list(p["z_c"]) == [0.0, 0.0]                             # constant feature
    assert "peak_hour" not in p.columns


def test_profile_bad_input() -> None:
    features = pd.DataFrame({"user_id": ["u1", "u2"], "a": [1.0, 2.0]})
    with pytest.raises(DataError, match="no cluster label"):
        profile_clusters(features, pd.Series([0], index=["u1"]))
    with pytest.raises(ParameterError, match="min_size"):
        profile_clusters(features, pd.Series([0, 1], index=["u1", "u2"]), min_size=0)


@pytest.mark.parametrize(("z", "name"), [
    ({"z_purchase_value": 1.2, "z_events": 0.8, "z_active_days": 0.6}, "heavy buyers"),
    ({"z_evening_share": 0.9, "z_share_view": 0.7}, "evening browsers"),
    ({"z_share_share": 2.0}, "sharers"),
    ({"z_share_view": 0.8, "z_events": -1.0, "z_active_days": -1.0}, "lurkers"),
    ({"z_events": -0.9, "z_active_days": -0.9}, "lurkers"),
    ({"z_events": 1.0, "z_active_days": 1.0}, "heavy users"),
    ({"z_events": 1.0, "z_active_days": -1.0}, "typical users"),       # activity z is their mean: 0
    ({"z_recency_days": 1.0, "z_purchase_value": 1.0}, "lapsing buyers"),
    ({"z_share_share": 0.8, "z_share_purchase": 1.5}, "buyers"),       # strongest noun wins
    ({"z_share_share": 1.0, "z_events": -0.7}, "light sharers"),
    ({"z_share_share": 0.5}, "typical users"),                          # threshold is strict
    ({"z_events": 0.0}, "typical users"),
])
def test_name_rules(z: dict, name: str) -> None:
    assert name_clusters(pd.DataFrame([{"cluster": 3, **z}])) == {3: name}


def test_named_profile_puts_each_clusters_name_second() -> None:
    # cluster 0 = u1, u2 (share of shares 0.8, 0.6), cluster 1 = u3, u4 (0, 0.2): overall mean 0.4, σ √0.1;
    # z(0) = (0.7 − 0.4) / √0.1 ≈ +0.95 > 0.5 → "sharers"; z(1) ≈ −0.95 and no other feature → "typical users"
    features = pd.DataFrame({"user_id": ["u1", "u2", "u3", "u4"], "share_share": [0.8, 0.6, 0.0, 0.2]})
    labels = pd.Series([0, 0, 1, 1], index=["u1", "u2", "u3", "u4"])
    profile = named_profile(features, labels, min_size=3)
    assert profile.columns[:3].tolist() == ["cluster", "name", "size"]
    assert profile["name"].tolist() == ["sharers", "typical users"]
    assert profile["small"].tolist() == [True, True]  # 2 users each < 3
    assert profile["z_share_share"].iloc[0] == pytest.approx(0.3 / math.sqrt(0.1))


def test_segment_membership_joins_rfm_segment_cluster_and_cluster_name() -> None:
    scored = pd.DataFrame({"user_id": ["u1", "u2", "u3"], "segment": ["champions", "new", "at risk"],
                           "group": ["high-value", "potential", "dormant"], "r_score": [5, 5, 1]})
    labels = pd.Series([1, 0], index=pd.Index(["u2", "u1"], name="user_id"), name="cluster")  # u3: no features
    profile = pd.DataFrame({"cluster": [0, 1], "name": ["heavy buyers", "browsers"]})
    membership = segment_membership(scored, labels, profile)
    assert membership.columns.tolist() == ["user_id", "segment", "group", "cluster", "cluster_name"]
    assert membership["user_id"].tolist() == ["u1", "u2", "u3"]
    assert membership["cluster"].tolist()[:2] == [0, 1] and pd.isna(membership["cluster"].iloc[2])
    assert membership["cluster_name"].tolist()[:2] == ["heavy buyers", "browsers"]
    assert pd.isna(membership["cluster_name"].iloc[2])


def test_names_unique_and_profile_required() -> None:
    profile = pd.DataFrame({"cluster": [0, 1, 2], "z_share_share": [2.0, 1.0, 0.0]})
    assert name_clusters(profile) == {0: "sharers #0", 1: "sharers #1", 2: "typical users"}
    with pytest.raises(ParameterError, match="z_"):
        name_clusters(pd.DataFrame({"cluster": [0], "events": [3]}))


# ---------------------------------------------------------------------------------------------
# personas
# ---------------------------------------------------------------------------------------------

OVERALL = SegmentMetrics(mean_events=10, mean_recency_days=30, value=100, intent=0.1, sharing=0.05)


def _persona(overall: SegmentMetrics = OVERALL, **metrics: float) -> Persona:
    m = SegmentMetrics(**{**OVERALL.__dict__, **metrics})
    return Persona("p", 10, 0.1, (), None, None, m.value, m, overall, "")


@pytest.mark.parametrize(("metrics", "action"), [
    ({"value": 200, "mean_recency_days": 60}, ACTION_WIN_BACK),
    ({"value": 150, "mean_recency_days": 45}, ACTION_WIN_BACK),                # both exactly 1.5×
    ({"value": 149, "mean_recency_days": 60}, ACTION_NURTURE),
    ({"value": 200, "mean_recency_days": 40, "intent": 0.2}, ACTION_OFFERS),
    ({"intent": 0.15}, ACTION_OFFERS),
    ({"intent": 0.14}, ACTION_NURTURE),
    ({"sharing": 0.08}, ACTION_UGC),
    ({"sharing": 0.08, "intent": 0.3}, ACTION_OFFERS),                         # offers before UGC
    ({"mean_events": 5, "value": 50}, ACTION_ONBOARDING),                      # both exactly 0.5×
    ({"mean_events": 5, "value": 60}, ACTION_NURTURE),
    ({"mean_events": 4, "value": 0, "intent": 0.3}, ACTION_OFFERS),
    ({}, ACTION_NURTURE),
])
def test_action_rules(metrics: dict, action: str) -> None:
    assert recommended_action(_persona(**metrics)) == action


def test_action_zero_baseline_is_not_high() -> None:
    zero = SegmentMetrics(mean_events=10, mean_recency_days=30, value=0, intent=0, sharing=0)
    persona = _persona(zero, value=0, intent=0, sharing=0, mean_events=4, mean_recency_days=90)
    assert recommended_action(persona) == ACTION_ONBOARDING


@pytest.fixture
def persona_inputs() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    features = pd.DataFrame({
        "user_id": ["u1", "u2", "u3", "u4", "u5", "u6"],
        "events": [20, 10, 2, 1, 3, 2], "recency_days": [2, 4, 10, 20, 30, 8],
        "purchase_value": [300.0, 100, 0, 0, 0, 0], "share_click": [0.2, 0.1, 0, 0, 0, 0],
        "share_purchase": [0.3, 0.2, 0, 0, 0, 0], "share_share": [0.3, 0, 0, 0, 0.5, 0],
        "peak_hour": [21, 21, 9, 10, 9, 20], "top_format": ["video", "video", "image", "image", "video", "image"],
    })
    segments = pd.DataFrame({"user_id": ["u1", "u2", "u3", "u4", "u5", "u6"],
                             "segment": ["A", "A", "B", "B", "B", "B"]})
    audience = pd.DataFrame({
        "user_id": ["u1", "u2", "u3", "u4", "u4", "u5"],
        "gender": ["女", "女", "男", np.nan, "男", "女"],
        "age_band": ["18-24", "25-30", "25-30", "25-30", np.nan, "18-24"],
        "device": ["iOS", "Android", "iOS", "iOS", "iOS", "Android"],
    })
    return segments, audience, features


def test_persona_cards_by_hand(persona_inputs: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    segments, audience, features = persona_inputs
    cards = persona_cards(segments, audience, features, total_users=10, content_column="top_format")
    b, a = cards  # largest first
    assert (b.name, b.users, b.share, a.name, a.users, a.share) == ("B", 4, 0.4, "A", 2, 0.2)
    demo_b = {d.attribute: (d.mode, d.mode_share, d.missing_share) for d in b.demographics}
    # u4's two rows merge to gender 男, age 25-30; u6 is not in audience: missing everywhere
    assert demo_b == {"gender": ("男", 0.5, 0.25), "age_band": ("25-30", 0.5, 0.25), "device": ("iOS", 0.5, 0.25)}
    demo_a = {d.attribute: (d.mode, d.mode_share, d.missing_share) for d in a.demographics}
    assert demo_a == {"gender": ("女", 1.0, 0.0), "age_band": ("18-24", 0.5, 0.0), "device": ("Android", 0.5, 0.0)}
    assert (a.peak_hour, b.peak_hour) == (21, 9)
    assert (a.preferred_content, b.preferred_content) == ("video", "image")
    assert (a.value, b.value) == (200.0, 0.0)
    assert a.overall.value == pytest.approx(400 / 6) and a.overall.intent == pytest.approx(0.8 / 6)
    assert b.metrics.sharing == pytest.approx(0.125) and b.overall.sharing == pytest.approx(0.8 / 6)
    assert a.action == ACTION_OFFERS       # intent 0.4 ≥ 1.5 × 0.133
    assert b.action == ACTION_ONBOARDING   # events 2 ≤ 0.5 × 6.33, value 0; sharing 0.125 < 0.2


def test_persona_cards_bad_input(persona_inputs: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    segments, audience, features = persona_inputs
    with pytest.raises(DataError, match="no behaviour features"):
        persona_cards(segments, audience, features[features["user_id"] != "u6"], total_users=10)
    with pytest.raises(ParameterError, match="total_users"):
        persona_cards(segments, audience, features, total_users=5)
    with pytest.raises(DataError, match="duplicate"):
        persona_cards(pd.concat([segments, segments.head(1)]), audience, features, total_users=10)
    with pytest.raises(DataError, match="purchase_value"):
        persona_cards(segments, audience, features.drop(columns="purchase_value"), total_users=10)
    with pytest.raises(DataError, match="empty"):
        persona_cards(segments.head(0), audience, features, total_users=10)


def test_k_is_chosen_on_a_subsample_when_there_are_many_users() -> None:
    # four well separated blobs of 3,000 users: a 1,000-user subsample still finds k = 4, and
    # the final fit labels every user (the subsample is only for choosing k)
    X, _ = make_blobs(n_samples=[3000, 3000, 3000, 3000], n_features=3, cluster_std=0.5, random_state=3)
    features = pd.DataFrame(X + 10, columns=["a", "b", "c"]).assign(user_id=[f"u{i}" for i in range(len(X))])
    result = cluster_users(features, k="auto", columns=["a", "b", "c"], log_columns=(), choose_on=1000,
                           sample=500, seed=1)
    assert result.k == 4
    assert len(result.labels) == 12_000
    full = choose_k(StandardScaler().fit_transform(X + 10), range(2, 9), seed=1, sample=500)
    assert best_k(full) == 4
