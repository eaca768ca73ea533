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

from helpers.errors import DataError, ParameterError, require_columns

DEFAULT_TIMEZONE = "Asia/Shanghai"
BURST_GAP_S = 60
"""Two events of a user this many seconds apart or less count as one burst (burstiness)."""
DEFAULT_K = {"iqr": 1.5, "sigma": 3.0}
ACTIVITY_COLUMNS = ("events", "active_days", "events_per_active_day", "max_events_per_hour", "burstiness")


def local_naive(times: pd.Series, timezone: str | None = DEFAULT_TIMEZONE) -> pd.Series:
    """Timestamps as naive local wall-clock time: naive ones are already local (DESIGN), tz-aware are converted.

    With ``timezone=None`` a tz-aware timestamp keeps its own zone's wall-clock time.
    """
    if not pd.api.types.is_datetime64_any_dtype(times):
        try:
            times = pd.to_datetime(times, format="ISO8601")
        except (ValueError, TypeError) as exc:
            raise DataError(f"interactions.occurred_at has values that are not timestamps: {exc}") from exc
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        return (times.dt.tz_convert(timezone) if timezone is not None else times).dt.tz_localize(None)
    return times


def events_in_window(interactions: pd.DataFrame, start: object, end: object) -> pd.DataFrame:
    """Interactions on the calendar days start..end (both inclusive), with naive local occurred_at."""
    require_columns(interactions, ("user_id", "occurred_at"), "interactions")
    lo, hi = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if hi < lo:
        raise ParameterError(f"The window ends ({hi.date()}) before it starts ({lo.date()}); swap start and end.")
    when = local_naive(interactions["occurred_at"])
    keep = (when >= lo) & (when < hi + pd.Timedelta(days=1)) & interactions["user_id"].notna()
    if not keep.any():
        raise DataError(f"No interactions between {lo.date()} and {hi.date()} (inclusive); "
                        "widen the window or check the account filter.")
    return pd.DataFrame({"user_id": interactions.loc[keep, "user_id"].to_numpy(),
                         "occurred_at": when[keep].to_numpy()})


def _burstiness(frame: pd.DataFrame) -> pd.Series:
    """Per user: share of events (after the first) within BURST_GAP_S seconds of the previous; NaN with one event."""
    ordered = frame.sort_values(["user_id", "occurred_at"], kind="stable")
    gap = ordered.groupby("user_id", sort=False)["occurred_at"].diff()
    close = (gap <= pd.Timedelta(seconds=BURST_GAP_S)).astype(float).where(gap.notna())
    return close.groupby(ordered["user_id"]).mean()


def user_activity(interactions: pd.DataFrame, start: object, end: object) -> pd.DataFrame:
    """Per user activity in the window (events, active days, per-day and per-hour peaks, burstiness) for bot fences.

    ``max_events_per_hour`` counts events per clock hour (e.g. 20:00–20:59), not a sliding 60 minutes.
    ``burstiness`` is the share of a user's events that follow their previous event within 60 seconds
    (chosen over the Goh–Barabási B because it is bounded, readable and defined with few events); it is
    missing (NaN), not zero, for a user with a single event.
    """
    frame = events_in_window(interactions, start, end)
    user = frame["user_id"]
    events = user.value_counts().rename("events")
    days = pd.DataFrame({"user_id": user, "day": frame["occurred_at"].dt.normalize()}).drop_duplicates()
    active_days = days["user_id"].value_counts()
    per_hour = frame.groupby([user, frame["occurred_at"].dt.floor("h")]).size()
    out = pd.DataFrame({
        "events": events,
        "active_days": active_days.rename("active_days"),
        "max_events_per_hour": per_hour.groupby(level=0).max(),
        "burstiness": _burstiness(frame),
    })
    out["events_per_active_day"] = out["events"] / out["active_days"]
    out.index.name = "user_id"
    out = out.reset_index().sort_values("user_id", ignore_index=True)
    return out[["user_id", *ACTIVITY_COLUMNS]].astype({"events": "int64", "active_days": "int64",
                                                       "max_events_per_hour": "int64"})


def _check_rule(rule: str, k: float | None) -> float:
    """The fence multiplier for a rule (its default when k is None); ParameterError on a bad rule or k."""
    if rule not in DEFAULT_K:
        raise ParameterError(f"Unknown bot rule {rule!r}; use 'iqr' (Q3 + k·IQR) or 'sigma' (mean + k·σ).")
    k = DEFAULT_K[rule] if k is None else float(k)
    if not math.isfinite(k) or k <= 0:
        raise ParameterError(f"The bot threshold k must be a positive number, got {k!r}.")
    return k


def upper_fence(values: pd.Series, rule: str = "iqr", k: float | None = None) -> float:
    """Upper fence of log1p(values): Q3 + k·IQR (linear quantiles) or mean + k·σ (sample σ); NaNs ignored."""
    k = _check_rule(rule, k)
    logged = np.log1p(values.dropna().astype(float))
    if len(logged) < 2:
        raise DataError(f"Need at least two users with {values.name!r} to compute a bot fence, got {len(logged)}.")
    if rule == "iqr":
        q1, q3 = logged.quantile([0.25, 0.75])
        return float(q3 + k * (q3 - q1))
    return float(logged.mean() + k * logged.std(ddof=1))


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
    parts = [activity[c].map(lambda v, c=c, f=f: f"{c} {v:.4g} > {f:.4g}")
             for c, f in zip(fences["column"], fences["fence"], strict=True)]
    text = pd.concat(parts, axis=1).astype("str").agg("; ".join, axis=1)
    return text.where(is_bot, "")


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
