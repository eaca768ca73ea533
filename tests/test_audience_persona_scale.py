"""persona_cards looks every segment user up once (issue 22): the same cards as the per-segment reindex it replaced.

The former implementation (each card reindexing the audience by its users' ids, attribute by
attribute, and `features.loc[users]`) is kept here as the reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from helpers.audience.personas import (
    DEMOGRAPHICS,
    METRIC_COLUMNS,
    DemographicMode,
    Persona,
    _checked_features,
    _checked_segments,
    _metrics,
    _mode,
    _people,
    _positions,
    persona_cards,
    recommended_action,
)
from helpers.errors import DataError


def _old_demographics(members: pd.Index, audience: pd.DataFrame, attributes: Sequence[str]) -> tuple[Any, ...]:
    out = []
    n = len(members)
    for attr in attributes:
        column = audience[attr].reindex(members)
        mode, count = _mode(column)
        out.append(DemographicMode(attr, None if mode is None else str(mode), count / n,
                                   float(column.isna().sum()) / n))
    return tuple(out)


def _old_cards(segments: pd.DataFrame, audience: pd.DataFrame, features: pd.DataFrame, total_users: int,
               content_column: str | None = None) -> list[Persona]:
    """persona_cards before issue 22 round 3 (per-segment string reindexes)."""
    feats = _checked_features(features, content_column)
    seg = _checked_segments(segments, feats.index)
    attributes = [a for a in DEMOGRAPHICS if a in audience.columns]
    people = audience.assign(user_id=audience["user_id"].astype("str")).groupby("user_id", sort=False)[attributes]
    people = people.first() if attributes else pd.DataFrame(index=pd.Index([], name="user_id"))
    overall = _metrics(feats)
    sizes = seg.value_counts()
    cards = []
    for name in sorted(sizes.index, key=lambda s: (-sizes[s], s)):
        members = pd.Index(seg.index[seg.to_numpy() == name])
        rows = feats.loc[members]
        peak = _mode(rows["peak_hour"])[0]
        content = _mode(rows[content_column])[0] if content_column is not None else None
        metrics = _metrics(rows)
        card = Persona(name=name, users=len(members), share=len(members) / total_users,
                       demographics=_old_demographics(members, people, attributes),
                       peak_hour=None if peak is None else int(float(peak)),
                       preferred_content=None if content is None else str(content), value=metrics.value,
                       metrics=metrics, overall=overall, action="")
        cards.append(Persona(**{**card.__dict__, "action": recommended_action(card)}))
    return cards


def _inputs(seed: int, users: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Random features, segments (some tiny) and an audience with missing users, NaN values and repeated rows."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"u{i:05d}" for i in rng.permutation(users)])
    features = pd.DataFrame({
        "user_id": ids, "events": rng.integers(1, 50, users), "recency_days": rng.integers(0, 90, users),
        "purchase_value": np.where(rng.random(users) < 0.2, rng.gamma(2, 50, users).round(2), 0.0),
        "share_click": rng.random(users) / 4, "share_purchase": rng.random(users) / 5,
        "share_share": rng.random(users) / 3, "peak_hour": rng.integers(0, 24, users),
        "top_format": rng.choice(["video", "image", "live"], users)})
    segments = pd.DataFrame({"user_id": ids, "segment": rng.choice(["champions", "at risk", "new", "lost", "one"],
                                                                     users, p=[0.3, 0.3, 0.2, 0.199, 0.001])})
    known = rng.choice(ids, int(users * 0.9), replace=False)  # a tenth of the users are not in audience
    repeat = rng.choice(known, users // 20)                     # and some have two rows
    people = np.concatenate([known, repeat])
    n = len(people)
    audience = pd.DataFrame({
        "user_id": people, "account_id": "a",
        "gender": pd.array(rng.choice(np.array(["女", "男", None], dtype=object), n, p=[0.6, 0.3, 0.1]), dtype="str"),
        "age_band": rng.choice(np.array(["18-24", "25-30", None], dtype=object), n),
        "region": rng.choice(np.array(["上海", "广东"]), n), "device": rng.choice(np.array(["iOS", "Android"]), n)})
    return segments, audience, features


@pytest.mark.parametrize(("seed", "users"), [(0, 3_000), (1, 200), (2, 7)])
def test_persona_cards_match_the_per_segment_reindex(seed: int, users: int) -> None:
    segments, audience, features = _inputs(seed, users)
    new = persona_cards(segments, audience, features, total_users=users + 5, content_column="top_format")
    old = _old_cards(segments, audience, features, total_users=users + 5, content_column="top_format")
    assert new == old  # dataclass equality: every figure exactly equal, same order


def test_persona_cards_without_demographics_or_with_nobody_in_audience() -> None:
    segments, audience, features = _inputs(3, 500)
    for people in (audience[["user_id", "account_id"]], audience.assign(user_id="x" + audience["user_id"])):
        new = persona_cards(segments, people, features, total_users=500)
        assert new == _old_cards(segments, people, features, total_users=500)
    # nobody of the segments in audience: every attribute is 100 % missing
    cards = persona_cards(segments, audience.assign(user_id="x" + audience["user_id"]), features, total_users=500)
    assert all(d.mode is None and d.missing_share == 1.0 for c in cards for d in c.demographics)


@pytest.mark.parametrize(("seed", "users"), [(4, 3_000), (5, 60)])
def test_persona_cards_with_one_row_per_user_match_the_group_by(seed: int, users: int) -> None:
    """One audience row per user takes the audience's columns without grouping: the same cards as the group-by.

    Also with object ids and with a row without user_id (which the group-by drops: grouped as before).
    """
    segments, audience, features = _inputs(seed, users)
    unique = audience.drop_duplicates("user_id", ignore_index=True)
    assert len(unique) < len(audience)  # the inputs did have repeated users
    for people in (unique, unique.astype({"user_id": "object"}),
                   pd.concat([unique, pd.DataFrame({"user_id": [None], "gender": ["女"]})], ignore_index=True)):
        new = persona_cards(segments, people, features, total_users=users, content_column="top_format")
        assert new == _old_cards(segments, people, features, total_users=users, content_column="top_format")
    # by hand on three users: u1 and u2 in segment a (u2 without gender), u3 alone in b, u4 not in audience
    feats = pd.DataFrame({"user_id": ["u1", "u2", "u3", "u4"], "events": [1, 2, 3, 4], "recency_days": [1, 1, 1, 1],
                          "purchase_value": 0.0, "share_click": 0.0, "share_purchase": 0.0, "share_share": 0.0,
                          "peak_hour": [20, 20, 9, 9]})
    segs = pd.DataFrame({"user_id": ["u1", "u2", "u3", "u4"], "segment": ["a", "a", "b", "b"]})
    people = pd.DataFrame({"user_id": ["u3", "u1", "u2"], "gender": ["男", "女", None]})
    cards = {c.name: c for c in persona_cards(segs, people, feats, total_users=4)}
    gender_a = cards["a"].demographics[0]
    assert (gender_a.mode, gender_a.mode_share, gender_a.missing_share) == ("女", 0.5, 0.5)
    gender_b = cards["b"].demographics[0]  # u3 male, u4 absent (missing)
    assert (gender_b.mode, gender_b.mode_share, gender_b.missing_share) == ("男", 0.5, 0.5)


def _old_checked_features(features: pd.DataFrame) -> pd.DataFrame:
    """_checked_features before issue 22 round 5 (every metric column through to_numeric)."""
    frame = features.set_index(features["user_id"].astype("str"))
    metrics = frame[list(METRIC_COLUMNS)].apply(pd.to_numeric, errors="coerce")
    bad = [c for c in METRIC_COLUMNS if metrics[c].isna().any()]
    if bad:
        raise DataError(f"features has missing or non-numeric values in {bad}.")
    return frame.assign(**{c: metrics[c].astype("float64") for c in METRIC_COLUMNS})


def test_checked_features_converts_only_text_columns_with_the_same_result() -> None:
    """Numeric metric columns are taken as they are, text ones converted: the same frame and the same refusals."""
    _, _, features = _inputs(6, 300)
    variants = [features,
                features.astype({"events": "float32", "recency_days": "Int64", "share_click": "object"}),
                features.assign(purchase_value=features["purchase_value"].astype("str"),
                                share_share=features["share_share"] > 0.1)]
    for frame in variants:
        pd.testing.assert_frame_equal(_checked_features(frame, "top_format"), _old_checked_features(frame))
    bad = [features.assign(events=features["events"].astype("Int64").mask(features.index == 5)),
           features.assign(share_click=features["share_click"].astype("str").mask(features.index == 7, "n/a")),
           features.assign(purchase_value=features["purchase_value"].mask(features.index == 9))]
    for frame, column in zip(bad, ("events", "share_click", "purchase_value"), strict=True):
        with pytest.raises(DataError, match=f"non-numeric values in \\['{column}'\\]"):
            _checked_features(frame, None)
        with pytest.raises(DataError, match=f"non-numeric values in \\['{column}'\\]"):
            _old_checked_features(frame)


def _id_index(ids: Sequence[Any], dtype: str) -> pd.Index:
    return pd.Index(pd.array(list(ids), dtype=dtype))


@pytest.mark.parametrize("dtype", ["str", "object"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_positions_equal_get_indexer(seed: int, dtype: str) -> None:
    """Arrow's lookup (issue 22 round 7) gives Index.get_indexer's positions: absent ids −1, a missing id finds the
    index's missing id, in both text dtypes, for one id, no ids and an empty index."""
    rng = np.random.default_rng(seed)
    pool = np.array([f"u{i:05d}" for i in range(400)], dtype=object)
    index_ids = [*rng.permutation(pool)[:250], *([None] if seed else [])]
    targets = [*rng.choice(pool, 300, replace=False), None, "ü-中文"]
    index, wanted = _id_index(index_ids, dtype), _id_index(targets, dtype)
    expected = index.get_indexer(wanted)
    assert (expected == -1).any() and (expected >= 0).any()
    np.testing.assert_array_equal(_positions(index, wanted), expected)
    assert _positions(index, wanted).dtype == np.intp
    for small in (_id_index([], dtype), _id_index([targets[0]], dtype)):
        np.testing.assert_array_equal(_positions(index, small), index.get_indexer(small))
        np.testing.assert_array_equal(_positions(small, wanted), small.get_indexer(wanted))


@pytest.mark.parametrize("dtype", ["str", "object"])
def test_people_takes_the_columns_only_when_ids_are_unique(dtype: str) -> None:
    """The unique-id check by Arrow: one row per user takes the audience's columns, a repeated id groups (first
    non-missing value), as with pandas' is_unique."""
    unique = pd.DataFrame({"user_id": pd.array(["b", "a", "c"], dtype=dtype), "gender": ["女", None, "男"]})
    taken = _people(unique, ["gender"])
    assert list(taken.index) == ["b", "a", "c"] and taken["gender"].tolist()[::2] == ["女", "男"]
    repeated = pd.DataFrame({"user_id": pd.array(["b", "a", "b"], dtype=dtype), "gender": [None, "男", "女"]})
    grouped = _people(repeated, ["gender"])
    assert list(grouped.index) == ["b", "a"] and grouped["gender"].tolist() == ["女", "男"]


def test_checked_segments_names_the_missing_users_sorted() -> None:
    """The users without features are named in sorted order, as Index.difference gave them."""
    segs = pd.DataFrame({"user_id": ["u9", "u1", "u5", "u3", "u2"], "segment": "a"})
    with pytest.raises(DataError, match=r"3 segment user\(s\) have no behaviour features "
                                        r"\(e.g. \['u3', 'u5', 'u9'\]\)"):
        _checked_segments(segs, pd.Index(["u1", "u2"]))
