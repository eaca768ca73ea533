"""Persona cards per segment (size, demographics, active hour, content, value) with a data-driven action.

A segment is any user → label mapping (RFM segment, cluster name, ...). Each card compares the
segment's behaviour with all users in the feature table and picks one action by explicit rules
(see `recommended_action`), so a strategist can see why a segment gets tutorials, offers, a
win-back campaign or a UGC/referral push.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers.errors import DataError, ParameterError, require_columns

DEMOGRAPHICS: tuple[str, ...] = ("gender", "age_band", "region", "city_tier", "device")
METRIC_COLUMNS: tuple[str, ...] = ("events", "recency_days", "purchase_value", "share_click", "share_purchase",
                                   "share_share")
HIGH = 1.5
"""A segment metric is "high" when ≥ HIGH × the all-users mean (and above 0)."""
LOW = 0.5
"""A segment metric is "low" when ≤ LOW × the all-users mean."""
_TOL = 1e-9
"""Relative tolerance on the rule boundaries, so a metric of exactly 1.5× is not lost to float rounding."""

ACTION_WIN_BACK = "win-back: reactivate lapsed high-value users (personal reminder, comeback offer)"
ACTION_OFFERS = "offers: convert high-intent users (coupons, limited-time deals, product links)"
ACTION_UGC = "UGC/referral: invite sharing (challenges, referral rewards, reposting their content)"
ACTION_ONBOARDING = "tutorials/onboarding: build the habit (how-to, beginner guides, series to follow)"
ACTION_NURTURE = "nurture: keep the regular content mix at the segment's peak hours"


@dataclass(frozen=True)
class DemographicMode:
    """The most common value of one attribute in a segment, its share and the share missing (both of segment users)."""

    attribute: str
    mode: str | None
    mode_share: float
    missing_share: float


@dataclass(frozen=True)
class SegmentMetrics:
    """Per-user means of the behaviour metrics the action rules compare (segment or all users)."""

    mean_events: float
    mean_recency_days: float
    value: float
    intent: float
    sharing: float


@dataclass(frozen=True)
class Persona:
    """One segment's card: size, share, demographics, peak hour, preferred content, value, metrics and action."""

    name: str
    users: int
    share: float
    demographics: tuple[DemographicMode, ...]
    peak_hour: int | None
    preferred_content: str | None
    value: float
    metrics: SegmentMetrics
    overall: SegmentMetrics
    action: str


def _mode(values: pd.Series) -> tuple[Any, int]:
    """Most common non-missing value and its count (ties → smallest value); (None, 0) when all missing."""
    counts = values.dropna().value_counts()
    if counts.empty:
        return None, 0
    top = counts[counts == counts.max()].sort_index()
    return top.index[0], int(top.iloc[0])


def _demographics(positions: np.ndarray, audience: pd.DataFrame, attributes: Sequence[str]
                  ) -> tuple[DemographicMode, ...]:
    """Mode, mode share and missing share of each attribute over the segment's users (absent users = missing).

    positions: each segment user's row in `audience` (one row per user), −1 for users it lacks.
    """
    out = []
    n = len(positions)
    present = positions[positions >= 0]
    absent = n - len(present)
    for attr in attributes:
        column = audience[attr].take(present)
        mode, count = _mode(column)
        out.append(DemographicMode(attr, None if mode is None else str(mode), count / n,
                                   float(column.isna().sum() + absent) / n))
    return tuple(out)


def _metrics(frame: pd.DataFrame) -> SegmentMetrics:
    """Per-user means of events, recency, purchase value, intent (click + purchase share) and share share."""
    return SegmentMetrics(
        mean_events=float(frame["events"].mean()), mean_recency_days=float(frame["recency_days"].mean()),
        value=float(frame["purchase_value"].mean()),
        intent=float((frame["share_click"] + frame["share_purchase"]).mean()),
        sharing=float(frame["share_share"].mean()))


def _high(segment: float, overall: float) -> bool:
    """Segment metric ≥ HIGH × overall and above zero."""
    return segment > 0 and segment >= HIGH * overall - _TOL * abs(overall)


def _low(segment: float, overall: float) -> bool:
    """Segment metric ≤ LOW × overall."""
    return segment <= LOW * overall + _TOL * abs(overall)


def recommended_action(persona: Persona) -> str:
    """The action for a persona, by the first matching rule comparing its per-user means with all users'.

    Rules, in order (HIGH = 1.5×, LOW = 0.5× the all-users mean, boundaries inclusive up to 1e-9
    relative float rounding; "high" also needs the value > 0):
    1. win-back — high purchase value AND high recency (days since last event): lapsing valuable users;
    2. offers — high intent, i.e. share of click + purchase events in the window;
    3. UGC/referral — high share of share events;
    4. tutorials/onboarding — low events (low frequency, typically new users) AND low purchase value;
    5. otherwise nurture with the regular content mix.
    """
    m, o = persona.metrics, persona.overall
    if _high(m.value, o.value) and _high(m.mean_recency_days, o.mean_recency_days):
        return ACTION_WIN_BACK
    if _high(m.intent, o.intent):
        return ACTION_OFFERS
    if _high(m.sharing, o.sharing):
        return ACTION_UGC
    if _low(m.mean_events, o.mean_events) and _low(m.value, o.value):
        return ACTION_ONBOARDING
    return ACTION_NURTURE


def _checked_features(features: pd.DataFrame, content_column: str | None) -> pd.DataFrame:
    """Features indexed by user_id with the metric columns numeric and complete."""
    require_columns(features, ["user_id", *METRIC_COLUMNS], "features",
                    "Build them with helpers.audience.clusters.behaviour_features.")
    if content_column is not None:
        require_columns(features, [content_column], "features")
    if features["user_id"].duplicated().any():
        raise DataError("features has duplicate user_id rows; give one row per user.")
    frame = features.set_index(features["user_id"].astype("str"))
    # text columns converted, numeric ones taken as they are (issue 22: converting all six copied them for 10 M users)
    metrics = {c: frame[c] if pd.api.types.is_numeric_dtype(frame[c]) else pd.to_numeric(frame[c], errors="coerce")
               for c in METRIC_COLUMNS}
    bad = [c for c in METRIC_COLUMNS if metrics[c].isna().any()]
    if bad:
        raise DataError(f"features has missing or non-numeric values in {bad}.")
    return frame.assign(**{c: metrics[c].astype("float64") for c in METRIC_COLUMNS})


def _checked_segments(segments: pd.DataFrame, known: pd.Index) -> pd.Series:
    """segment per user_id, one row per user, every user present in features."""
    require_columns(segments, ["user_id", "segment"], "segments")
    if segments.empty:
        raise DataError("segments is empty; there are no users to describe.")
    if segments["user_id"].duplicated().any():
        raise DataError("segments has duplicate user_id rows; each user belongs to one segment.")
    if segments["segment"].isna().any():
        raise DataError(f"segments has {int(segments['segment'].isna().sum())} user(s) without a segment.")
    seg = pd.Series(segments["segment"].astype("str").to_numpy(), index=segments["user_id"].astype("str"))
    # looked up by Arrow, the missing ids then sorted as Index.difference gave them (issue 22 round 7: the difference
    # hashed a Python string per id of both indexes)
    missing = seg.index[_positions(known, seg.index) < 0].sort_values()
    if len(missing):
        raise DataError(f"{len(missing)} segment user(s) have no behaviour features (e.g. {list(missing[:3])}).")
    return seg


def _card(name: str, rows: pd.DataFrame, positions: np.ndarray, audience: pd.DataFrame,
          attributes: Sequence[str], total_users: int, overall: SegmentMetrics,
          content_column: str | None) -> Persona:
    """One persona card (action filled in by recommended_action) from the segment's feature rows.

    positions: the segment users' rows in `audience` (−1 where absent), in the order of `rows`.
    """
    peak = _mode(rows["peak_hour"])[0] if "peak_hour" in rows.columns else None
    content = _mode(rows[content_column])[0] if content_column is not None else None
    metrics = _metrics(rows)
    card = Persona(name=name, users=len(rows), share=len(rows) / total_users,
                   demographics=_demographics(positions, audience, attributes),
                   peak_hour=None if peak is None else int(float(peak)),
                   preferred_content=None if content is None else str(content), value=metrics.value,
                   metrics=metrics, overall=overall, action="")
    return replace(card, action=recommended_action(card))


def _arrow_text(values: pd.Index | pd.Series) -> pa.Array:
    """Text ids as one Arrow large_string array (pandas' str arrays are Arrow already: no Python string per id)."""
    return pa.array(values, type=pa.large_string()) if values.dtype == object else pa.array(values).cast(
        pa.large_string())


def _positions(index: pd.Index, targets: pd.Index) -> np.ndarray:
    """Each target's position in a unique text index, −1 where absent: `index.get_indexer(targets)`, found by Arrow.

    pandas' lookup made a Python string of each of a million ids and a hash table of them (issue 22
    round 7: +160 MiB of peak and 0.9 s in persona_cards at 1 M users); a missing id finds a missing id.
    """
    found = pc.index_in(_arrow_text(targets), value_set=_arrow_text(index))
    return pc.fill_null(found, -1).to_numpy().astype(np.intp)


def _people(audience: pd.DataFrame, attributes: list[str]) -> pd.DataFrame:
    """One row per user (index user_id as text): each attribute's first non-missing value of the user's rows.

    When every user has one row (the audience of one account, the benchmarks' audiences) that is the
    audience's own columns, taken without a copy (issue 22: the group-by copied every attribute of
    10 M users for the personas); several rows per user are grouped as before.
    """
    if not attributes:
        return pd.DataFrame(index=pd.Index([], name="user_id"))
    ids = audience["user_id"].astype("str")
    # unique ids counted by Arrow (pandas' is_unique hashed a Python string per id: ~70 MiB at 1 M users)
    if ids.notna().all() and pc.count_distinct(_arrow_text(ids)).as_py() == len(ids):
        return audience[attributes].set_axis(pd.Index(ids, name="user_id"), axis=0)
    return audience.assign(user_id=ids).groupby("user_id", sort=False)[attributes].first()


def persona_cards(segments: pd.DataFrame, audience: pd.DataFrame, features: pd.DataFrame, total_users: int,
                  demographics: Sequence[str] = DEMOGRAPHICS, content_column: str | None = None) -> list[Persona]:
    """A persona card per segment, largest first (ties by name), each with its recommended action.

    share = segment users ÷ total_users (e.g. all users before filtering). Demographics: for each
    attribute present in `audience`, the mode with its share of segment users and the share missing
    (users absent from audience count as missing; with several rows per user the first non-missing
    value is used). peak_hour: most common per-user `peak_hour` in features (ties → earliest), None
    without that column; preferred_content: most common value of `content_column` in features.
    value and the metrics are per-user means over the segment; `overall` the same over all users in
    features, the baseline of recommended_action.
    """
    require_columns(audience, ["user_id"], "audience")
    feats = _checked_features(features, content_column)
    seg = _checked_segments(segments, feats.index)
    if isinstance(total_users, bool) or not isinstance(total_users, (int, np.integer)) or total_users < len(seg):
        raise ParameterError(f"total_users must be a whole number ≥ the {len(seg)} segmented users; "
                             f"got {total_users!r}.")
    attributes = [a for a in demographics if a in audience.columns]
    people = _people(audience, attributes)
    overall = _metrics(feats)
    sizes = seg.value_counts()
    order = sorted(sizes.index, key=lambda s: (-sizes[s], s))
    # every segment user's row in features and in people, looked up once (issue 22: 50 string reindexes of a
    # million users per run took 3 s); each card takes its users' rows by position, in segment order
    in_feats, in_people = _positions(feats.index, seg.index), _positions(people.index, seg.index)
    names = seg.to_numpy()
    cards = []
    for name in order:
        mask = names == name
        cards.append(_card(name, feats.iloc[in_feats[mask]], in_people[mask], people, attributes,
                           int(total_users), overall, content_column))
    return cards


def segment_membership(segmented: pd.DataFrame, labels: pd.Series, profile: pd.DataFrame) -> pd.DataFrame:
    """Per RFM-scored user: RFM segment, value group, behaviour cluster and its name (for a CRM export).

    labels: cluster per user_id (ClusterResult.labels); profile: the named cluster profile
    (clusters.named_profile). Users without behaviour features keep a missing cluster.
    """
    require_columns(segmented, ["user_id", "segment", "group"], "segmented RFM table")
    require_columns(profile, ["cluster", "name"], "cluster profile", "Build it with clusters.named_profile().")
    clusters = labels.rename("cluster").rename_axis("user_id").reset_index()
    membership = segmented[["user_id", "segment", "group"]].merge(clusters, on="user_id", how="left")
    membership["cluster_name"] = membership["cluster"].map(dict(zip(profile["cluster"], profile["name"], strict=True)))
    return membership
