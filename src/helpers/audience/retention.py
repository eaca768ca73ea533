"""Cohort retention and churn (METHODOLOGY 3: next-day, 7-day, 30-day retention; churn peaks).

Day-N retention: a user is retained on day N when they have at least one event in the N-th
24-hour window after their first event, ``[first + N·24 h, first + (N+1)·24 h)`` — *not* the
N-th calendar day (a user first seen at 23:30 who comes back at 08:00 the next morning is still
in day 0). A user is *eligible* for day N only when that window has ended by ``as_of``
(``first + (N+1)·24 h <= as_of``); users whose window is still open are left out of the
denominator, not counted as churned. A cohort with no eligible user has a missing rate.
Cohorts are the calendar week (Monday–Sunday) or month of the first event; users first seen after
``as_of`` or without a first event are in no cohort (both counted in attrs).

Churn: unfollows per calendar period of ``audience.unfollowed_at``; the follow age of an unfollow
is ``floor((unfollowed_at - first_seen) / 24 h)`` days (day 0 = the first 24 hours), or that
divided by 7 and floored for weeks. The peak churn age is the age with most unfollows (the
youngest age wins a tie).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.audience.engine import Events, as_events, literal
from helpers.errors import DataError, ParameterError, require_columns

_COHORT_FREQ: dict[str, str] = {"week": "W-SUN", "month": "M"}
_DAY = pd.Timedelta(days=1)
NOT_RETURNING: tuple[str, ...] = ("follow", "unfollow")
"""Events that do not count as coming back: following (or leaving) is not activity."""


def _check_as_of(as_of: object) -> pd.Timestamp:
    """Accept a pandas Timestamp analysis date, else raise ParameterError."""
    if not isinstance(as_of, pd.Timestamp) or pd.isna(as_of):
        raise ParameterError(f"as_of must be a pandas Timestamp (e.g. pd.Timestamp('2026-10-31')), got {as_of!r}.")
    return as_of


def _check_days(days: Sequence[int]) -> tuple[int, ...]:
    """Retention days must be distinct positive whole numbers, e.g. (1, 7, 30)."""
    values = tuple(days)
    if not values or any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1 for d in values):
        raise ParameterError(f"days must be a non-empty sequence of whole numbers >= 1, e.g. (1, 7, 30); got {days!r}.")
    if len(set(values)) != len(values):
        raise ParameterError(f"days has duplicates: {days!r}.")
    return tuple(int(d) for d in values)


def first_seen_by_user(audience: pd.DataFrame, exclude: set[str] | frozenset[str] = frozenset()) -> pd.Series:
    """first_seen per user_id (the user's first audience row), leaving out the excluded users (e.g. bots).

    Only the two columns are taken, and rows only when a user repeats (issue 22: drop_duplicates on
    the whole audience copied every column of 10 M users).
    """
    require_columns(audience, ["user_id", "first_seen"], "audience")
    pairs = audience[["user_id", "first_seen"]]
    repeated = pairs["user_id"].duplicated()
    if repeated.any():
        pairs = pairs[~repeated]
    first = pairs.set_index("user_id")["first_seen"]
    return first[~first.index.isin(exclude)]


def returning_events(events: Events) -> Events:
    """The events that count as coming back: every event but follow and unfollow."""
    return events.where(f"event NOT IN ({', '.join(literal(e) for e in NOT_RETURNING)})")


def _first_events_frame(first_events: pd.Series, as_of: pd.Timestamp) -> tuple[pd.DataFrame, int, int]:
    """user_id → first timestamp for users first seen by as_of; counts without a first timestamp and after as_of."""
    if not isinstance(first_events, pd.Series) or not pd.api.types.is_datetime64_any_dtype(first_events):
        raise DataError("first_events must be a Series of timestamps indexed by user_id "
                        "(e.g. audience.set_index('user_id')['first_seen']).")
    if first_events.index.duplicated().any():
        raise DataError(f"first_events has {int(first_events.index.duplicated().sum())} duplicate user id(s).")
    n_missing = int(first_events.isna().sum())
    known = first_events.dropna()
    n_after = int((known > as_of).sum())
    known = known[known <= as_of]
    if known.empty:
        raise DataError(f"No user has a first event on or before as_of={as_of}.")
    frame = known.rename("first").rename_axis("user_id").reset_index()
    return frame, n_missing, n_after


def _active_positions(first: pd.DataFrame, events: pd.DataFrame | Events, days: tuple[int, ...]) -> pd.DataFrame:
    """Distinct (pos, day) pairs: pos the user's row in `first`, day = floor((event - first) / 24 h), days asked only.

    Counted in DuckDB, events joined to `first` on the text ids; the pairs carry the row number, not
    the id (issue 22 round 7: distinct text pairs, and putting the original ids back on them with a
    Python string per user, were the retention stage's peak at 1 M users).
    """
    if isinstance(events, pd.DataFrame):
        require_columns(events, ["user_id", "occurred_at"], "events")
        if not pd.api.types.is_datetime64_any_dtype(events["occurred_at"]):
            raise DataError("events.occurred_at must be parsed timestamps (datetime64).")
    ev = as_events(events).decoded()  # joined on the text ids
    firsts = pd.DataFrame({"user_id": first["user_id"].astype("str").array,  # Arrow text: no Python string per user
                           "first": first["first"].astype("datetime64[us]").to_numpy(),
                           "pos": np.arange(len(first), dtype="int64")})
    ev.con.register("retention_first", firsts)
    wanted = ", ".join(str(d) for d in days)
    try:
        pairs = ev.query(
            "SELECT DISTINCT f.pos, CAST(floor(epoch_us(e.occurred_at - f.first) / 86400e6) AS BIGINT) AS day "
            "FROM {ev} e JOIN retention_first f ON CAST(e.user_id AS VARCHAR) = f.user_id "
            f"WHERE e.occurred_at >= f.first + INTERVAL 1 DAY AND day IN ({wanted})")
    finally:
        ev.con.unregister("retention_first")
    return pairs.astype({"pos": "int64", "day": "int64"})


def _active_days(first: pd.DataFrame, events: pd.DataFrame | Events, days: tuple[int, ...]) -> pd.DataFrame:
    """Distinct (user_id, day) pairs, day = floor((event - first) / 24 h), for the requested days only (in DuckDB)."""
    pairs = _active_positions(first, events, days)
    ids = first["user_id"].take(pairs["pos"].to_numpy()).to_numpy()
    return pd.DataFrame({"user_id": ids, "day": pairs["day"].to_numpy()})


def cohort_retention(first_events: pd.Series, events: pd.DataFrame | Events, days: Sequence[int] = (1, 7, 30),
                     cohort: str = "week", as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Long table cohort × day: users, eligible, retained, retention (see module doc for the definitions)."""
    if cohort not in _COHORT_FREQ:
        raise ParameterError(f"cohort must be 'week' or 'month', got {cohort!r}.")
    as_of = _check_as_of(as_of)
    wanted = _check_days(days)
    first, n_missing, n_after = _first_events_frame(first_events, as_of)
    first["cohort"] = first["first"].dt.to_period(_COHORT_FREQ[cohort]).dt.start_time
    active = _active_positions(first, events, wanted)  # users by their row in first (no id per pair)
    rows = []
    for n in wanted:
        eligible = first["first"] + (n + 1) * _DAY <= as_of
        came_back = np.zeros(len(first), dtype=bool)
        came_back[active.loc[active["day"] == n, "pos"].to_numpy()] = True
        retained = eligible & came_back
        counts = pd.DataFrame({"cohort": first["cohort"], "users": 1, "eligible": eligible, "retained": retained})
        per_cohort = counts.groupby("cohort").sum().reset_index()
        rows.append(per_cohort.assign(day=n))
    table = pd.concat(rows, ignore_index=True).astype({"users": "int64", "eligible": "int64", "retained": "int64"})
    table["retention"] = (table["retained"] / table["eligible"]).where(table["eligible"] > 0)
    table = table.sort_values(["cohort", "day"], ignore_index=True)
    table = table[["cohort", "day", "users", "eligible", "retained", "retention"]]
    table.attrs.update({"cohort": cohort, "as_of": as_of, "users_without_first_event": n_missing,
                        "users_first_seen_after_as_of": n_after,
                        "definition": "day N = at least one event in [first + N*24h, first + (N+1)*24h); "
                                      "eligible when that window ended by as_of"})
    return table


def cohort_heatmap_table(retention: pd.DataFrame) -> pd.DataFrame:
    """Wide cohort × day-N table of retention rates (missing where nobody was eligible), for a heatmap."""
    require_columns(retention, ["cohort", "day", "retention"], "retention table", "Build it with cohort_retention().")
    wide = retention.pivot(index="cohort", columns="day", values="retention")
    wide.columns = [f"day {int(d)}" for d in wide.columns]
    return wide.rename_axis("cohort")


def _unfollows(audience: pd.DataFrame) -> pd.DataFrame:
    """Audience rows that unfollowed, with timestamps checked."""
    require_columns(audience, ["user_id", "first_seen", "unfollowed_at"], "audience")
    for column in ("first_seen", "unfollowed_at"):
        if not pd.api.types.is_datetime64_any_dtype(audience[column]):
            raise DataError(f"audience.{column} must be parsed timestamps (datetime64); load it with helpers.data.")
    return audience.loc[audience["unfollowed_at"].notna()]


def churn_over_time(audience: pd.DataFrame, freq: str = "W") -> pd.DataFrame:
    """Unfollows per calendar period (W = Monday–Sunday weeks, M = months); periods without any show 0."""
    gone = _unfollows(audience)
    try:
        periods = gone["unfollowed_at"].dt.to_period(freq)
        step = pd.Period("2026-01-01", freq)
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"freq must be a pandas period frequency such as 'W', 'M' or 'D'; got {freq!r}.") from exc
    if gone.empty:
        raise DataError("No unfollows in the audience table (unfollowed_at is empty): nothing to chart.")
    counts = periods.value_counts()
    full = pd.period_range(counts.index.min(), counts.index.max(), freq=step.freq)
    counts = counts.reindex(full, fill_value=0)
    return pd.DataFrame({"period": full.start_time, "unfollows": counts.to_numpy().astype("int64")})


def churn_age_histogram(audience: pd.DataFrame, unit: str = "day") -> pd.DataFrame:
    """Unfollows by follow age (whole days or weeks since first_seen, floored), ages without unfollows shown as 0."""
    if unit not in ("day", "week"):
        raise ParameterError(f"unit must be 'day' or 'week', got {unit!r}.")
    gone = _unfollows(audience)
    n_unknown = int(gone["first_seen"].isna().sum())
    gone = gone.loc[gone["first_seen"].notna()]
    if gone.empty:
        raise DataError("No unfollow with a known first_seen: cannot compute churn by follow age.")
    age_days = np.floor((gone["unfollowed_at"] - gone["first_seen"]) / _DAY).astype("int64")
    if (age_days < 0).any():
        bad = gone.loc[age_days < 0, "user_id"].head(5).tolist()
        raise DataError(f"{int((age_days < 0).sum())} audience row(s) unfollowed before first_seen, e.g. {bad}.")
    age = age_days // 7 if unit == "week" else age_days
    counts = age.value_counts().reindex(range(int(age.max()) + 1), fill_value=0)
    hist = pd.DataFrame({"age": counts.index.astype("int64"), "unfollows": counts.to_numpy().astype("int64")})
    hist.attrs.update({"unit": unit, "unfollows_without_first_seen": n_unknown})
    return hist


@dataclass(frozen=True)
class PeakChurnAge:
    """The follow age with the most unfollows: age in ``unit``s, its count and share of all unfollows."""

    age: int
    unit: str
    unfollows: int
    total_unfollows: int
    share: float


def peak_churn_age(audience: pd.DataFrame, unit: str = "day") -> PeakChurnAge:
    """The follow age (day or week bucket) with most unfollows; the youngest such age on a tie."""
    hist = churn_age_histogram(audience, unit)
    best = hist.loc[hist["unfollows"].idxmax()]
    total = int(hist["unfollows"].sum())
    return PeakChurnAge(age=int(best["age"]), unit=unit, unfollows=int(best["unfollows"]),
                        total_unfollows=total, share=int(best["unfollows"]) / total)
