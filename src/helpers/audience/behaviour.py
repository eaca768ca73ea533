"""Audience behaviour: active hours in each account's timezone, peak windows, content preferences, paths."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.audience.engine import Events, as_events, literal, one_row
from helpers.errors import DataError, ParameterError, require_columns
from helpers.timezones import local_times

ENGAGEMENT_EVENTS = ("like", "comment", "share", "save", "click", "purchase")
"""Events on a post that count as engagement in content_preferences (views do not)."""
MISSING = "(missing)"
PATH_EVENTS: tuple[str, ...] = ("view", "like", "comment", "share", "save", "click", "purchase")
"""Events the notebook's top paths are built from (follows, unfollows and messages are left out)."""


def _filter_events(interactions: pd.DataFrame, events: Sequence[str] | None) -> pd.DataFrame:
    """Rows whose event is in events (all rows when None); DataError when nothing is left."""
    if events is None:
        out = interactions
    else:
        require_columns(interactions, ("event",), "interactions")
        out = interactions[interactions["event"].isin(list(events))]
    if out.empty:
        raise DataError(f"No interactions{'' if events is None else f' with event in {list(events)}'} to analyse.")
    return out


def _event_list(events: Sequence[str] | None) -> str:
    """A SQL condition on event for the given event types (TRUE for all)."""
    if events is None:
        return "TRUE"
    return "event IN (" + ", ".join(literal(e) for e in events) + ")"


def active_hours(interactions: pd.DataFrame | Events, accounts: pd.DataFrame,
                 events: Sequence[str] | None = None) -> pd.DataFrame:
    """Events per weekday (0 = Monday) × local hour, all 168 cells (empty cells are 0 events), with share of all.

    Local hour = in each event's account timezone (naive timestamps are local already).
    """
    if isinstance(interactions, pd.DataFrame):
        frame = _filter_events(interactions, events)
        ev = as_events(frame.assign(occurred_at=local_times(frame, accounts)))
    else:
        ev = interactions
    cells = ev.query("SELECT isodow(occurred_at) - 1 AS weekday, hour(occurred_at) AS hour, count(*) AS events "
                     f"FROM {{ev}} WHERE occurred_at IS NOT NULL AND {_event_list(events)} GROUP BY ALL")
    if cells.empty:
        raise DataError(f"No interactions{'' if events is None else f' with event in {list(events)}'} to analyse.")
    grid = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    heat = cells.set_index(["weekday", "hour"])["events"].reindex(grid, fill_value=0).reset_index()
    heat["events"] = heat["events"].astype("int64")
    heat["share"] = heat["events"] / heat["events"].sum()
    return heat


def _hour_label(hour: int) -> str:
    """'20:00' for 20."""
    return f"{hour % 24:02d}:00"


def peak_windows(heat: pd.DataFrame, top: int = 3, width_hours: int = 2) -> pd.DataFrame:
    """The `top` busiest non-overlapping windows of width_hours consecutive hours (wrapping midnight), all weekdays.

    Windows are ranked by events summed over every weekday; picked greedily, each next window must not
    share an hour with one already chosen (so the top 3 are not 20–22, 21–23, 19–21). Ties: earlier start.
    """
    require_columns(heat, ("hour", "events"), "heat", "Build it with active_hours().")
    if not 1 <= int(width_hours) <= 24 or int(top) < 1:
        raise ParameterError(f"peak_windows needs 1 ≤ width_hours ≤ 24 and top ≥ 1, got {width_hours}, {top}.")
    by_hour = heat.groupby("hour")["events"].sum().reindex(range(24), fill_value=0).to_numpy()
    total = by_hour.sum()
    if total == 0:
        raise DataError("The activity heatmap has no events; no peak window to find.")
    sums = np.array([by_hour[(s + np.arange(width_hours)) % 24].sum() for s in range(24)])
    used: set[int] = set()
    rows: list[dict[str, object]] = []
    for s in sorted(range(24), key=lambda s: (-sums[s], s)):
        hours = {(s + i) % 24 for i in range(width_hours)}
        if hours & used or len(rows) >= top:
            continue
        used |= hours
        rows.append({"rank": len(rows) + 1, "start_hour": int(s), "end_hour": int((s + width_hours) % 24),
                     "label": f"{_hour_label(s)}–{_hour_label(s + width_hours)}",
                     "events": int(sums[s]), "share": sums[s] / total})
    return pd.DataFrame(rows)


def _group_labels(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """The by columns as text with missing values labelled '(missing)' (so no group is dropped)."""
    out = frame.copy()
    for col in by:
        text = out[col].astype("str")
        out[col] = text.where(out[col].notna() & (text.str.strip() != ""), MISSING)
    return out


def content_preferences(interactions: pd.DataFrame | Events, posts: pd.DataFrame,
                        by: Sequence[str] = ("format", "pillar"),
                        events: Sequence[str] = ENGAGEMENT_EVENTS) -> pd.DataFrame:
    """Posts, engagement events and engagements per post by format/pillar, for the interactions' accounts.

    The denominator is every post of those accounts (posts nobody engaged with count, with 0 events);
    events on a post_id absent from posts raise DataError rather than vanish.
    """
    by = list(by)
    if isinstance(interactions, pd.DataFrame):
        require_columns(interactions, ("account_id", "event", "post_id"), "interactions")
    require_columns(posts, ("post_id", "account_id", *by), "posts")
    ev = as_events(interactions)
    per_post = ev.query("SELECT account_id, post_id, count(*) FILTER (WHERE post_id IS NOT NULL AND "
                        f"{_event_list(events)}) AS engagements FROM {{ev}} GROUP BY ALL")
    own = _group_labels(posts[posts["account_id"].isin(per_post["account_id"].dropna().unique())], by)
    if own.empty:
        raise DataError("None of the interactions' accounts has posts in the posts table.")
    per_post = per_post[per_post["engagements"] > 0].groupby("post_id")["engagements"].sum()
    orphan = sorted(set(per_post.index) - set(own["post_id"]))
    if orphan:
        raise DataError(f"{len(orphan)} post_id(s) in interactions are not posts of their accounts "
                        f"(e.g. {orphan[:3]}); pass the full posts table.")
    own = own.assign(engagements=own["post_id"].map(per_post).fillna(0).astype("int64"))
    out = own.groupby(by).agg(posts=("post_id", "nunique"), engagements=("engagements", "sum")).reset_index()
    out["engagements_per_post"] = out["engagements"] / out["posts"]
    return out.sort_values("engagements_per_post", ascending=False, ignore_index=True)


def _checked_events(interactions: pd.DataFrame | Events) -> Events:
    """Events for sequence analyses (a DataFrame must have user_id, occurred_at and event)."""
    if isinstance(interactions, pd.DataFrame):
        require_columns(interactions, ("user_id", "occurred_at", "event"), "interactions")
    return as_events(interactions)


_FUNNEL_STEP_SQL = """
SELECT e.user_id, min(e.occurred_at) AS reached
FROM {ev} e JOIN reached_prev r ON e.user_id = r.user_id
WHERE e.event = ? AND e.occurred_at >= r.reached
GROUP BY e.user_id
"""


def event_funnel(interactions: pd.DataFrame | Events, steps: Sequence[str] = ("view", "like", "share", "purchase")
                 ) -> pd.DataFrame:
    """Users reaching each step in order, with conversion from the previous step and from the first.

    A user reaches step 1 at their first step-1 event, and step k at their first step-k event at or
    after (same timestamp counts) the time they reached step k−1. Taking the earliest match at each step
    is what makes "did the steps in this order" exact. Conversions with a zero denominator are NaN.
    """
    steps = list(steps)
    if len(steps) < 2 or len(set(steps)) != len(steps):
        raise ParameterError(f"event_funnel needs at least two distinct steps, got {steps}.")
    ev = _checked_events(interactions)
    con = ev.con
    con.execute(f"CREATE OR REPLACE TEMP TABLE reached_prev AS SELECT user_id, min(occurred_at) AS reached "
                f"FROM {ev.name} WHERE user_id IS NOT NULL AND occurred_at IS NOT NULL AND event = ? "
                "GROUP BY user_id", [steps[0]])
    counts = [int(one_row(con, "SELECT count(*) FROM reached_prev")[0])]
    for step in steps[1:]:
        con.execute("CREATE OR REPLACE TEMP TABLE reached_next AS " + _FUNNEL_STEP_SQL.format(ev=ev.name), [step])
        con.execute("CREATE OR REPLACE TEMP TABLE reached_prev AS SELECT * FROM reached_next")
        counts.append(int(one_row(con, "SELECT count(*) FROM reached_prev")[0]))
    users = pd.Series(counts, dtype="float64")
    return pd.DataFrame({
        "step": range(1, len(steps) + 1), "event": steps, "users": counts,
        "conversion_from_previous": users / users.shift(1).where(users.shift(1) > 0),
        "conversion_from_first": users / users.iloc[0] if counts[0] else np.nan,
    })


_PATHS_SQL = """
WITH firsts AS (
    SELECT user_id, event, occurred_at AS t, row FROM {ev}
    WHERE user_id IS NOT NULL AND occurred_at IS NOT NULL AND event IS NOT NULL AND %(events)s
    QUALIFY row_number() OVER (PARTITION BY user_id, event ORDER BY occurred_at, row) = 1),
kept AS (
    SELECT * FROM firsts
    QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY t, row) <= ?),
paths AS (
    SELECT user_id, string_agg(CAST(event AS VARCHAR), ' → ' ORDER BY t, row) AS path FROM kept GROUP BY user_id)
SELECT path, count(*) AS users, (SELECT count(*) FROM paths) AS total FROM paths GROUP BY path
"""


def top_paths(interactions: pd.DataFrame | Events, n: int = 10, max_len: int = 4,
              events: Sequence[str] | None = None) -> pd.DataFrame:
    """The n most common paths: each user's distinct events in order of first occurrence, cut to max_len.

    A user with view, like, view, share has the path 'view → like → share'. Events at the same
    time keep their input order. share = users / all users with a path. Ties in users are broken
    alphabetically by path.
    """
    if int(n) < 1 or int(max_len) < 1:
        raise ParameterError(f"top_paths needs n ≥ 1 and max_len ≥ 1, got n={n}, max_len={max_len}.")
    ev = _checked_events(interactions)
    # in parts of users when the events are many (see bots.user_activity); a path's users add up over the parts
    parts = [part.query(_PATHS_SQL % {"events": _event_list(events)}, [int(max_len)]) for part in ev.user_parts()]
    parts = [p for p in parts if not p.empty]
    if not parts:
        raise DataError("No interactions to build paths from.")
    total = sum(int(p["total"].iloc[0]) for p in parts)
    counts = parts[0] if len(parts) == 1 else pd.concat(parts).groupby("path", as_index=False)["users"].sum()
    counts = counts.sort_values(["users", "path"], ascending=[False, True], ignore_index=True).head(int(n))
    counts["users"] = counts["users"].astype("int64")
    counts["share"] = counts["users"] / total
    counts.insert(0, "rank", range(1, len(counts) + 1))
    counts["length"] = counts["path"].str.count(" → ") + 1
    return counts[["rank", "path", "length", "users", "share"]]
