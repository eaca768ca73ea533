"""RFM value segmentation of an audience (METHODOLOGY 3: segmentation by value, RFM model).

Definitions (one row per user with at least one *activity* event in the window):

* Window: events with ``as_of - window_days < occurred_at <= as_of``; later events are ignored.
* Activity events: every interaction except ``follow`` and ``unfollow`` (relationship changes,
  not engagement), see ``ACTIVITY_EVENTS``.
* recency_days: ``(as_of - last activity event) / 24 h``, a float number of days.
* frequency: with ``frequency="events"`` (default) the number of activity events in the window;
  with ``frequency="purchases"`` the number of purchase events. One definition for every user:
  mixing purchase counts for buyers and event counts for the others would rank a browser with
  40 views above a customer with 3 purchases. ``events`` and ``purchases`` are both columns.
* monetary, ``basis="purchase"``: Σ purchase ``value`` in the window. A user without purchases
  has monetary 0 (spent nothing); a purchase with a missing value is left out of the sum and
  counted in ``attrs["purchases_missing_value"]``; a user whose purchases *all* lack a value has
  monetary missing (unknown, not 0). All purchase values missing raises DataError.
* monetary, ``basis="engagement"``: used when ``monetary="engagement"`` or when there is no
  purchase in the window at all: Σ weight(event) over activity events, ``DEFAULT_ENGAGEMENT_WEIGHTS``
  unless given (events without a weight count 0). The basis is in the ``basis`` column and attrs.

Scores (``rfm_scores``, ``quantile_scores``): 1..bins (higher = better; for recency, more recent =
higher) by position in value order, cut into equal-size groups at ``pd.qcut``'s edges on the
positions 1..n (with distinct values, exactly ``qcut(rank(method="first"))``). Tie rule: equal
values always get the same score — a tie group takes the score of its *middle* position (the mean
of its positions, ``rank(method="average")``), i.e. the side of a cut that holds most of the group
(a middle exactly on a cut goes to the lower score) — except that the group of the worst value
scores 1 and the group of the best value scores ``bins`` (the many users with monetary 0 all score
1). The old rule, the group's lowest score, moved a large tie group as a block whenever one more
user landed below it (issue 17: on the sample, switching the bot rule moved ~550 users between
"at risk" and "can't lose"); the middle moves only when most of the group crosses the cut.
Users whose tie group straddles a cut still depend on the rule: ``boundary_tie_counts`` counts them
per R/F/M (the pinned worst and best groups left out: they cannot move). Missing monetary gives a
missing m_score.

Segments (``rfm_segments``): the widely used RFM segment grid on (R score, F score), bins=5:

=========  =================  ==================  ==================  ===========  ===========
R \\ F      1                  2                   3                   4            5
=========  =================  ==================  ==================  ===========  ===========
5          new                potential loyalists potential loyalists champions    champions
4          promising          potential loyalists potential loyalists loyal        loyal
3          about to sleep     about to sleep      need attention      loyal        loyal
1–2        hibernating        hibernating         at risk             at risk      can't lose
=========  =================  ==================  ==================  ===========  ===========

Groups (METHODOLOGY 3): high-value = champions, loyal, can't lose; potential = potential
loyalists, new, promising, need attention; dormant = about to sleep, at risk, hibernating.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from helpers.audience.engine import Events, as_events
from helpers.errors import DataError, ParameterError, require_columns

#: Interaction events that count as activity (follow/unfollow are relationship changes).
ACTIVITY_EVENTS: tuple[str, ...] = ("view", "like", "comment", "share", "save", "click", "message", "purchase")
#: Engagement value per event when there are no purchases (unlisted events count 0).
DEFAULT_ENGAGEMENT_WEIGHTS: Mapping[str, float] = {
    "view": 0.0, "like": 1.0, "comment": 2.0, "share": 3.0, "save": 2.0, "click": 1.0, "purchase": 0.0}
#: Segment names in display order.
SEGMENTS: tuple[str, ...] = ("champions", "loyal", "can't lose", "potential loyalists", "new", "promising",
                             "need attention", "about to sleep", "at risk", "hibernating")
#: Segment → group (METHODOLOGY 3's three value groups).
SEGMENT_GROUPS: Mapping[str, str] = {
    "champions": "high-value", "loyal": "high-value", "can't lose": "high-value",
    "potential loyalists": "potential", "new": "potential", "promising": "potential",
    "need attention": "potential",
    "about to sleep": "dormant", "at risk": "dormant", "hibernating": "dormant"}
_SCORE_COLUMNS: tuple[str, ...] = ("r_score", "f_score", "m_score")


def _check_rfm_parameters(as_of: object, window_days: object, monetary: str, frequency: str) -> None:
    """Reject malformed RFM parameters with a message saying what is allowed."""
    if not isinstance(as_of, pd.Timestamp) or pd.isna(as_of):
        raise ParameterError(f"as_of must be a pandas Timestamp (e.g. pd.Timestamp('2026-10-31')), got {as_of!r}.")
    if isinstance(window_days, bool) or not isinstance(window_days, (int, np.integer)) or window_days <= 0:
        raise ParameterError(f"window_days must be a positive whole number of days, got {window_days!r}.")
    if monetary not in ("purchase", "engagement"):
        raise ParameterError(f"monetary must be 'purchase' or 'engagement', got {monetary!r}.")
    if frequency not in ("events", "purchases"):
        raise ParameterError(f"frequency must be 'events' or 'purchases', got {frequency!r}.")


def _check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Validate engagement weights: known event names, finite non-negative numbers."""
    unknown = sorted(set(weights) - set(ACTIVITY_EVENTS))
    if unknown:
        raise ParameterError(f"engagement_weights has unknown event(s) {unknown}; known: {list(ACTIVITY_EVENTS)}.")
    clean = {str(k): float(v) for k, v in weights.items()}
    if any(not np.isfinite(v) or v < 0 for v in clean.values()):
        raise ParameterError(f"engagement_weights must be finite and >= 0, got {clean}.")
    return clean


def _per_user_sql() -> str:
    """Per-user counts of activity events in (start, end]: last event, events, purchases, value, per-event counts."""
    counts = ",\n".join(f"count(*) FILTER (WHERE event = '{e}') AS n_{e}" for e in ACTIVITY_EVENTS)
    events = ", ".join(f"'{e}'" for e in ACTIVITY_EVENTS)
    return f"""
SELECT user_id, max(occurred_at) AS last_event, count(*) AS events,
       count(*) FILTER (WHERE event = 'purchase') AS purchases,
       sum(value) FILTER (WHERE event = 'purchase') AS purchase_value,
       count(*) FILTER (WHERE event = 'purchase' AND value IS NULL) AS purchases_missing_value,
       {counts}
FROM {{ev}}
WHERE user_id IS NOT NULL AND occurred_at > ? AND occurred_at <= ? AND event IN ({events})
GROUP BY user_id
ORDER BY user_id
"""


def user_counts(interactions: pd.DataFrame | Events, as_of: pd.Timestamp, window_days: int) -> pd.DataFrame:
    """Per user with activity in (as_of − window_days, as_of]: last event, events, purchases, Σ known value.

    Also one count per activity event (n_view, n_like, ...).
    """
    if isinstance(interactions, pd.DataFrame):
        require_columns(interactions, ["user_id", "occurred_at", "event"], "interactions")
        if not pd.api.types.is_datetime64_any_dtype(interactions["occurred_at"]):
            raise DataError("interactions.occurred_at must be parsed timestamps (datetime64); "
                            "load it with helpers.data.")
    start = as_of - pd.Timedelta(days=int(window_days))
    # in parts of users when the events are many (issue 22: 10 M users' counts ran out of DuckDB's 1GB at 100 M events)
    table = as_events(interactions).per_user(_per_user_sql(), [start, as_of])
    if table.empty:
        raise DataError(f"No activity events ({', '.join(ACTIVITY_EVENTS)}) between {start} (excluded) and "
                        f"{as_of} (included): widen window_days or check as_of and the account filter.")
    return table


def _purchase_monetary(table: pd.DataFrame, has_value_column: bool) -> tuple[pd.Series, int]:
    """Σ known purchase value per user (NaN when all of a user's purchases lack a value) and the missing count."""
    purchases = int(table["purchases"].sum())
    if not has_value_column:
        raise DataError(f"interactions has {purchases} purchase event(s) but no 'value' column: "
                        "purchase values are missing, so monetary cannot be computed (use monetary='engagement').")
    n_missing = int(table["purchases_missing_value"].sum())
    if n_missing == purchases:
        raise DataError(f"All {n_missing} purchase value(s) in the window are missing: monetary is unknown, "
                        "not 0. Fill the values or use monetary='engagement'.")
    return table["purchase_value"].astype("float64"), n_missing


def _engagement_monetary(table: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    """Σ engagement weight per user over activity events (events without a weight count 0)."""
    points = pd.Series(0.0, index=table.index)
    for event in ACTIVITY_EVENTS:
        points += table[f"n_{event}"].astype("float64") * float(weights.get(event, 0.0))
    return points


def rfm_table(interactions: pd.DataFrame | Events, as_of: pd.Timestamp, window_days: int = 365,
              monetary: str = "purchase", engagement_weights: Mapping[str, float] | None = None,
              frequency: str = "events") -> pd.DataFrame:
    """One row per active user: recency_days, frequency, monetary (+ events, purchases, basis); see module doc.

    The per-user counts are aggregated in DuckDB (see helpers.audience.engine).
    """
    _check_rfm_parameters(as_of, window_days, monetary, frequency)
    weights = _check_weights(DEFAULT_ENGAGEMENT_WEIGHTS if engagement_weights is None else engagement_weights)
    counts = user_counts(interactions, as_of, window_days)
    table = pd.DataFrame({
        "user_id": counts["user_id"],
        "recency_days": (as_of - counts["last_event"]) / pd.Timedelta(days=1),
        "events": counts["events"].astype("int64"),
        "purchases": counts["purchases"].astype("int64"),
    })
    has_purchases = bool(table["purchases"].sum() > 0)
    basis = "purchase" if monetary == "purchase" and has_purchases else "engagement"
    if frequency == "purchases" and not has_purchases:
        raise DataError("frequency='purchases' but there is no purchase in the window; use frequency='events'.")
    n_missing = 0
    if basis == "purchase":
        has_value = not isinstance(interactions, pd.DataFrame) or "value" in interactions.columns
        table["monetary"], n_missing = _purchase_monetary(counts, has_value)
        table.loc[table["purchases"] == 0, "monetary"] = 0.0
    else:
        table["monetary"] = _engagement_monetary(counts, weights)
    table["frequency"] = table["purchases"] if frequency == "purchases" else table["events"]
    table["basis"] = basis
    table = table[["user_id", "recency_days", "frequency", "monetary", "events", "purchases", "basis"]]
    table = table.astype({"frequency": "int64"})
    table.attrs.update({"basis": basis, "frequency": frequency, "as_of": as_of, "window_days": int(window_days),
                        "purchases_missing_value": n_missing,
                        "engagement_weights": weights if basis == "engagement" else None})
    return table


def _positions(values: pd.Series, higher_is_better: bool) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Each known value's first, middle (mean) and last position in worse-to-better order (1..n)."""
    known = values.dropna()
    ranks = [known.rank(method=m, ascending=higher_is_better) for m in ("min", "average", "max")]
    return ranks[0], ranks[1], ranks[2]


def _score_of(position: pd.Series, n: int, bins: int) -> np.ndarray:
    """The score 1..bins of a position 1..n: qcut's edges on 1..n, a position on an edge in the lower group."""
    edges = np.linspace(1.0, float(n), bins + 1)[1:-1]
    return np.searchsorted(edges, position.to_numpy(dtype="float64"), side="left") + 1


def quantile_scores(values: pd.Series, bins: int, higher_is_better: bool = True) -> pd.Series:
    """Scores 1..bins by position; a tie group takes its middle position's score; worst/best groups pinned to 1/bins."""
    first, middle, last = _positions(values, higher_is_better)
    n = len(middle)
    scores = pd.Series(_score_of(middle, n, bins), index=middle.index)
    scores[last == n] = bins
    scores[first == 1] = 1
    return scores.reindex(values.index).astype("Int64")


def on_boundary_tie(values: pd.Series, bins: int, higher_is_better: bool = True) -> pd.Series:
    """True for users whose tie group straddles a score cut (not the pinned worst or best group); False if missing."""
    first, _middle, last = _positions(values, higher_is_better)
    n = len(first)
    straddles = _score_of(first, n, bins) != _score_of(last, n, bins)
    pinned = (first == 1) | (last == n)
    return (pd.Series(straddles, index=first.index) & ~pinned).reindex(values.index, fill_value=False).astype(bool)


def boundary_tie_counts(scored: pd.DataFrame) -> dict[str, int]:
    """Users on a boundary tie per score (r, f, m) and in any of them (users), for a table scored by rfm_scores."""
    require_columns(scored, ["user_id", "recency_days", "frequency", "monetary"], "scored RFM table",
                    "Score it with rfm_scores().")
    bins = int(scored.attrs.get("rfm_bins", 5))
    ties = {"r": on_boundary_tie(scored["recency_days"], bins, higher_is_better=False),
            "f": on_boundary_tie(scored["frequency"], bins), "m": on_boundary_tie(scored["monetary"], bins)}
    anywhere = ties["r"] | ties["f"] | ties["m"]
    return {**{k: int(v.sum()) for k, v in ties.items()}, "users": int(anywhere.sum())}


def rfm_scores(table: pd.DataFrame, bins: int = 5) -> pd.DataFrame:
    """Add r_score, f_score, m_score (1..bins, higher = better) and rfm_code such as '545'."""
    require_columns(table, ["user_id", "recency_days", "frequency", "monetary"], "RFM table",
                    "Build it with rfm_table().")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or not 2 <= bins <= 9:
        raise ParameterError(f"bins must be a whole number from 2 to 9, got {bins!r}.")
    for column in ("recency_days", "frequency"):
        if table[column].isna().any():
            raise DataError(f"RFM table has {int(table[column].isna().sum())} missing {column} value(s).")
    for column in ("recency_days", "frequency", "monetary"):
        n_known = int(table[column].notna().sum())
        if n_known < bins:
            raise DataError(f"RFM scoring needs at least {bins} users with a known {column} to form {bins} "
                            f"quantile groups; got {n_known}. Widen the window or lower bins.")
    if table["user_id"].duplicated().any():
        raise DataError("RFM table has duplicate user_id rows; expected one row per user.")
    scored = table.sort_values("user_id", ignore_index=True)
    scored["r_score"] = quantile_scores(scored["recency_days"], bins, higher_is_better=False)
    scored["f_score"] = quantile_scores(scored["frequency"], bins)
    scored["m_score"] = quantile_scores(scored["monetary"], bins)
    codes = scored["r_score"].astype(str) + scored["f_score"].astype(str) + scored["m_score"].astype(str)
    scored["rfm_code"] = codes.where(scored["m_score"].notna())
    scored.attrs.update(table.attrs)
    scored.attrs["rfm_bins"] = int(bins)
    return scored


def segment_for(r: int, f: int) -> str:
    """The named segment of one (R, F) cell of the 5×5 grid in the module docstring."""
    if r <= 2:
        return "hibernating" if f <= 2 else ("at risk" if f <= 4 else "can't lose")
    if r == 3:
        return "about to sleep" if f <= 2 else ("need attention" if f == 3 else "loyal")
    if f >= 4:
        return "champions" if r == 5 else "loyal"
    if f == 1:
        return "new" if r == 5 else "promising"
    return "potential loyalists"


def rfm_segments(scored: pd.DataFrame) -> pd.DataFrame:
    """Add segment (from R and F scores, 5 bins) and group (high-value / potential / dormant)."""
    require_columns(scored, ["r_score", "f_score"], "scored RFM table", "Score it with rfm_scores(table, bins=5).")
    if scored.attrs.get("rfm_bins", 5) != 5:
        raise ParameterError(f"The segment grid needs 5 score bins; the table was scored with "
                             f"bins={scored.attrs['rfm_bins']}.")
    scores = scored[["r_score", "f_score"]]
    if scores.isna().any().any() or not scores.isin(range(1, 6)).all().all():
        raise DataError("r_score and f_score must be whole numbers 1–5 with no missing values.")
    segmented = scored.copy()
    segmented["segment"] = [segment_for(int(r), int(f))
                            for r, f in zip(scores["r_score"], scores["f_score"], strict=True)]
    segmented["group"] = segmented["segment"].map(SEGMENT_GROUPS)
    return segmented


def segment_summary(segmented: pd.DataFrame) -> pd.DataFrame:
    """Per segment (all ten, in SEGMENTS order): group, users, share and mean R, F, M (mean of known M)."""
    require_columns(segmented, ["segment", "recency_days", "frequency", "monetary"], "segmented RFM table",
                    "Build it with rfm_segments(rfm_scores(rfm_table(...))).")
    if segmented.empty:
        raise DataError("The segmented RFM table is empty: no users to summarise.")
    stats = segmented.groupby("segment").agg(
        users=("segment", "size"), mean_recency=("recency_days", "mean"),
        mean_frequency=("frequency", "mean"), mean_monetary=("monetary", "mean"))
    stats = stats.reindex(list(SEGMENTS))
    stats["users"] = stats["users"].fillna(0).astype("int64")
    stats["share"] = stats["users"] / len(segmented)
    stats = stats.rename_axis("name").reset_index()
    stats["group"] = stats["name"].map(SEGMENT_GROUPS)
    return stats[["name", "group", "users", "share", "mean_recency", "mean_frequency", "mean_monetary"]]


def value_groups(segmented: pd.DataFrame) -> pd.DataFrame:
    """user_id and value group (high-value / potential / dormant) as a (user_id, segment) mapping.

    The shape helpers.audience.interests.interest_by_segment and the explorer take for a segmentation.
    """
    require_columns(segmented, ["user_id", "group"], "segmented RFM table", "Build it with rfm_segments().")
    return segmented[["user_id", "group"]].rename(columns={"group": "segment"})
