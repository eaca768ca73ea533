"""Bot filtering: per-user activity and outlier fences (IQR or σ rule) on log activity.

Activity is heavy-tailed (most users act once a day, a few hundred times), so fences are computed on
``log1p`` of each activity measure and a user is flagged only when they are above the fence on *every*
chosen measure (AND rule): a heavy but human user rarely has both many events per day *and* many
events within one clock hour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.audience.engine import Events, as_events
from helpers.errors import DataError, ParameterError, require_columns

# The fence rule lives in the shared base (the comments' bot rule uses it too); re-exported here.
from helpers.fences import DEFAULT_K as DEFAULT_K
from helpers.fences import check_fence_rule as _check_rule
from helpers.fences import upper_fence

BURST_GAP_S = 60
"""Two events of a user this many seconds apart or less count as one burst (burstiness)."""
ACTIVITY_COLUMNS = ("events", "active_days", "events_per_active_day", "max_events_per_hour", "burstiness")


def _window_bounds(start: object, end: object) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Calendar days start..end (inclusive) as [start midnight, day after end); ParameterError when reversed."""
    lo, hi = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if hi < lo:
        raise ParameterError(f"The window ends ({hi.date()}) before it starts ({lo.date()}); swap start and end.")
    return lo, hi + pd.Timedelta(days=1)


_ACTIVITY_SQL = """
WITH w AS (
    SELECT user_id, occurred_at AS t FROM {ev}
    WHERE user_id IS NOT NULL AND occurred_at >= ? AND occurred_at < ?),
gaps AS (  -- one sort per user serves the gaps and the day changes (issue 22: count(DISTINCT day) took 3/4 of it)
    SELECT user_id, t - lag(t) OVER byt AS gap, CAST(t AS DATE) <> CAST(lag(t) OVER byt AS DATE) AS new_day
    FROM w WINDOW byt AS (PARTITION BY user_id ORDER BY t)),
per_user AS (  -- a user's active days: the first event's day and each change of day in time order
    SELECT user_id, count(*) AS events, 1 + count(*) FILTER (WHERE new_day) AS active_days,
           avg(CASE WHEN gap IS NULL THEN NULL WHEN gap <= INTERVAL (?) SECOND THEN 1.0 ELSE 0.0 END) AS burstiness
    FROM gaps GROUP BY user_id),
per_hour AS (
    SELECT user_id, max(n) AS max_events_per_hour
    FROM (SELECT user_id, date_trunc('hour', t) AS h, count(*) AS n FROM w GROUP BY user_id, h)
    GROUP BY user_id)
SELECT p.user_id, p.events, p.active_days, p.events / p.active_days AS events_per_active_day,
       h.max_events_per_hour, p.burstiness
FROM per_user p JOIN per_hour h USING (user_id)
ORDER BY p.user_id
"""


def user_activity(interactions: pd.DataFrame | Events, start: object, end: object) -> pd.DataFrame:
    """Per user activity in the window (events, active days, per-day and per-hour peaks, burstiness) for bot fences.

    The window is the calendar days start..end (both inclusive) in local time. ``max_events_per_hour``
    counts events per clock hour (e.g. 20:00–20:59), not a sliding 60 minutes. ``burstiness`` is the
    share of a user's events that follow their previous event within 60 seconds (chosen over the
    Goh–Barabási B because it is bounded, readable and defined with few events); it is missing (NaN),
    not zero, for a user with a single event. Aggregated in DuckDB (see helpers.audience.engine).
    """
    if isinstance(interactions, pd.DataFrame):
        require_columns(interactions, ("user_id", "occurred_at"), "interactions")
    lo, hi = _window_bounds(start, end)
    # in parts of users when the events are many (the window's sort ran out of memory at 100 M events)
    out = as_events(interactions).per_user(_ACTIVITY_SQL, [lo, hi, BURST_GAP_S])
    if out.empty:
        raise DataError(f"No interactions between {lo.date()} and {(hi - pd.Timedelta(days=1)).date()} (inclusive); "
                        "widen the window or check the account filter.")
    out = out.astype({"events": "int64", "active_days": "int64", "max_events_per_hour": "int64",
                      "events_per_active_day": "float64", "burstiness": "float64"})
    return out[["user_id", *ACTIVITY_COLUMNS]]


def bot_fences(activity: pd.DataFrame, rule: str = "iqr", k: float | None = None,
               columns: Sequence[str] = ("events_per_active_day", "max_events_per_hour")) -> pd.DataFrame:
    """Fence per activity column, on the log1p scale and back on the original scale, so reports can show them."""
    columns = tuple(columns)
    if not columns:
        raise ParameterError("flag_bots needs at least one activity column to fence.")
    require_columns(activity, ("user_id", *columns), "activity", "Build it with user_activity().")
    k = _check_rule(rule, k)
    logs = [upper_fence(activity[c].rename(c), rule, k) for c in columns]
    return pd.DataFrame({"column": list(columns), "rule": rule, "k": k, "fence_log1p": logs,
                         "fence": np.expm1(logs)})


def _reasons(activity: pd.DataFrame, fences: pd.DataFrame, is_bot: pd.Series) -> pd.Series:
    """A readable reason per flagged user ('events_per_active_day 250 > 3.2; ...'), '' for the others."""
    flagged = activity.loc[is_bot]
    parts = [flagged[c].map(lambda v, c=c, f=f: f"{c} {v:.4g} > {f:.4g}")
             for c, f in zip(fences["column"], fences["fence"], strict=True)]
    text = pd.concat(parts, axis=1).astype("str").agg("; ".join, axis=1) if len(flagged) else pd.Series(dtype=str)
    return text.reindex(activity.index).fillna("")


def flag_bots(activity: pd.DataFrame, rule: str = "iqr", k: float | None = None,
              columns: Sequence[str] = ("events_per_active_day", "max_events_per_hour")) -> pd.DataFrame:
    """Flag users above the upper fence (log1p scale) on every column; adds is_bot and reason to the activity.

    ``rule="iqr"`` (default k = 1.5) uses Q3 + k·IQR, ``rule="sigma"`` (default k = 3.0) mean + k·σ.
    A user missing a column (e.g. burstiness with one event) is not above that fence.
    """
    fences = bot_fences(activity, rule, k, columns)
    above = [np.log1p(activity[c].astype(float)) > f for c, f in zip(fences["column"], fences["fence_log1p"],
                                                                    strict=True)]
    is_bot = pd.concat(above, axis=1).all(axis=1)
    return activity.assign(is_bot=is_bot, reason=_reasons(activity, fences, is_bot))


def bot_summary(flags: pd.DataFrame) -> dict[str, int | float]:
    """Users before and after bot filtering, bots, and the bot share, for the report's data-quality line."""
    require_columns(flags, ("user_id", "is_bot"), "bot flags", "Build it with flag_bots().")
    before = int(flags["user_id"].nunique())
    bots = int(flags.loc[flags["is_bot"].astype(bool), "user_id"].nunique())
    return {"users_before": before, "bots": bots, "users_after": before - bots,
            "bot_share": bots / before if before else math.nan}


def bot_ids(flags: pd.DataFrame) -> set[str]:
    """The user ids flag_bots flagged as bots."""
    require_columns(flags, ("user_id", "is_bot"), "bot flags", "Build it with flag_bots().")
    return set(flags.loc[flags["is_bot"].astype(bool), "user_id"])


def without_bots(frame: pd.DataFrame, bots: set[str]) -> pd.DataFrame:
    """The rows of a per-user table (e.g. the audience) whose user is not a bot."""
    require_columns(frame, ("user_id",), "table")
    return frame[~frame["user_id"].isin(bots)]


def summary_table(counts: dict[str, int | float]) -> pd.DataFrame:
    """bot_summary's counts as a one-row table for display."""
    return pd.DataFrame([counts])
