"""What the content-planning notebook says: its "So what" lines, the tables it shows and the summary.json entries.

Each function takes computed results (the run, what works, windows, topic scores, key dates, the
calendar) and returns text, a DataFrame or a dict; the notebook prints or displays what they return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from helpers.planning.schedule import WEEKDAYS, Calendar
from helpers.planning.session import PlanningRun

#: The evening window the sample plants (PLANTED.evening_window): a best window in it is named as such.
EVENING_HOURS: tuple[int, int] = (20, 21)

WHAT_WORKS_SHOWN = ["platform", "pillar", "format", "posts_with_rate", "er_mean_of_rates", "er_ci_low", "er_ci_high",
                    "er_rate_of_sums", "er_index", "reliable"]
WHAT_WORKS_SAVED = ["platform", "pillar", "format", "posts_with_rate", "er_mean_of_rates", "er_ci_low", "er_ci_high",
                    "er_index", "reliable", "completion_rate_mean"]
COMPLETION_SHOWN = ["platform", "pillar", "format", "completion_posts", "completion_rate_mean", "completion_ci_low",
                    "completion_ci_high"]
BEST_WINDOWS_SHOWN = ["platform", "rank", "label", "posts", "er_cell_mean", "er_prior", "er_shrunk", "ci_low",
                      "ci_high", "index"]
TOPICS_SHOWN = ["platform", "rank", "topic", "pillar", "format", "score", "expected_er", "strategic_weight",
                "format_fit", "reason"]
TOPICS_SAVED = ["rank", "topic", "pillar", "format", "score", "expected_er", "level", "reason"]
CALENDAR_SHOWN = ["date", "time", "platform", "tier", "pillar", "format", "topic", "is_reserve", "shared_with",
                  "reason"]


def _pct(value: float) -> str:
    return f"{value:.0%}"


# --- set-up --------------------------------------------------------------------------------------


def er_base_text(er_base: str) -> str:
    """How the engagement rate is computed, e.g. 'engagements ÷ impressions per own post'."""
    return f"engagements ÷ {er_base} per own post"


def plan_lines(run: PlanningRun) -> str:
    """The plan in five lines: month, posts per week, mix and settings, fixed columns, engagement-rate base."""
    s = run.settings
    columns = "; ".join(f"{WEEKDAYS[c.weekday]} {c.platform} {c.tier} {c.format} {c.label}" for c in s.fixed_columns)
    return "\n".join([
        f"Plan month: {run.month} ({run.month_note})",
        "Platforms and posts per week: " + ", ".join(f"{p} {n}" for p, n in s.posts_per_week.items()),
        "Mix: " + " / ".join(f"{t} {_pct(v)}" for t, v in s.mix.items())
        + f" | reserve {_pct(s.reserve_share)} | min gap {s.min_gap_hours:g} h | {s.timezone}"
        + f" | holidays: {run.country}",
        "Fixed columns: " + (columns or "none"),
        f"Engagement rate: {er_base_text(run.er_base)}",
    ])


def plan_summary(run: PlanningRun) -> dict[str, Any]:
    """summary.json's "plan": the month (and how it was chosen), platforms and the checked calendar settings."""
    s = run.settings
    return {"month": run.month, "month_chosen_as": run.month_note, "platforms": list(run.platforms),
            "posts_per_week": dict(s.posts_per_week), "mix_target": dict(s.mix), "reserve_target": s.reserve_share,
            "min_gap_hours": s.min_gap_hours, "timezone": s.timezone, "country": run.country,
            "fixed_columns": [repr(c) for c in s.fixed_columns], "er_base": run.er_base}


# --- 1. what works -------------------------------------------------------------------------------


def what_works_title(er_base: str) -> str:
    return f"Engagement rate by platform × pillar × format ({er_base_text(er_base)}), 95 % CI and posts"


def video_completion(works: pd.DataFrame) -> pd.DataFrame:
    """The groups with completion data (video formats) and their completion rate with its interval."""
    return works.loc[works["completion_posts"] > 0, COMPLETION_SHOWN]


def completion_heading(video: pd.DataFrame) -> str:
    return f"Completion rate of video posts (share of the video watched to the end), {len(video)} groups:"


def platform_means(works: pd.DataFrame) -> pd.Series:
    """Each platform's mean ER (mean of per-post rates), recovered as er_mean_of_rates ÷ er_index."""
    return (works["er_mean_of_rates"] / works["er_index"]).groupby(works["platform"]).first()


def what_works_so_what(works: pd.DataFrame, platforms: Sequence[str], er_base: str, min_posts: int) -> str:
    """The platform means, the best reliable pillar × format per platform and the thin groups not to over-read."""
    means = platform_means(works)
    lines = [f"Platform mean ER ({er_base_text(er_base)}): "
             + ", ".join(f"{p} {means[p]:.2%}" for p in platforms if p in means)]
    for p in platforms:
        part = works[(works["platform"] == p) & works["reliable"]]
        if len(part):
            top = part.loc[part["er_index"].idxmax()]
            lines.append(f"So what: on {p} the best reliable group is {top['pillar']} × {top['format']}: ER "
                         f"{top['er_mean_of_rates']:.2%} (95 % CI {top['er_ci_low']:.2%}–{top['er_ci_high']:.2%}, "
                         f"{int(top['posts_with_rate'])} posts), {top['er_index']:.2f}× the platform mean.")
    thin = works[~works["reliable"]]
    if len(thin):
        lines.append(f"Thin groups (under {min_posts} posts, not to be over-read): "
                     + "; ".join(f"{r.platform} {r.pillar} {r.format} ({int(r.posts_with_rate)})"
                                 for r in thin.itertuples()))
    return "\n".join(lines)


# --- 2. posting windows --------------------------------------------------------------------------


def windows_title(prior_strength: float) -> str:
    return f"ER index by weekday × hour, shrunk towards the hour pattern (m = {prior_strength:g})"


def top_windows(best: pd.DataFrame, platforms: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """summary.json's "top_windows": per platform its best windows (label, weekday, hour, index and interval, posts)."""
    return {p: [{"label": r.label, "weekday": int(r.weekday), "hour": int(r.hour), "index": r.index,
                 "index_ci_low": r.index_ci_low, "index_ci_high": r.index_ci_high, "posts": int(r.posts)}
                for r in best[best["platform"] == p].itertuples()] for p in platforms}


def _in_evening(hour: int) -> bool:
    return EVENING_HOURS[0] <= hour <= EVENING_HOURS[1]


def best_window_lines(windows: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    """One line per platform: its best window, named "in the evening, 20:00–21:59" when it falls there."""
    lines = []
    for p, best in windows.items():
        first = best[0]
        where = "in the evening, 20:00–21:59" if _in_evening(first["hour"]) else f"at {first['label']}"
        lines.append(f"{p}: best posting window {where}")
    return "\n".join(lines)


def shrinkage_example(table: pd.DataFrame) -> pd.DataFrame:
    """The cell with 1–4 posts whose raw mean moved most when shrunk (empty when no cell has 1–4 posts)."""
    pulled = table[table["posts"].between(1, 4)]
    return pulled.loc[(pulled["er_cell_mean"] - pulled["er_shrunk"]).abs().sort_values(ascending=False).index[:1]]


def windows_so_what(table: pd.DataFrame, windows: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    """Shrinkage at work on the most-pulled thin cell, then how many platforms peak in the evening and where."""
    lines = []
    for r in shrinkage_example(table).itertuples():
        down = r.er_shrunk < r.er_cell_mean
        lines.append(f"Shrinkage at work: {r.platform} {r.label} has {r.posts} post{'s' if r.posts != 1 else ''} "
                     f"with a raw mean ER of {r.er_cell_mean:.2%}; pulled {'down' if down else 'up'} towards its "
                     f"hour's {r.er_prior:.2%} it counts as {r.er_shrunk:.2%} — a few "
                     f"{'lucky' if down else 'unlucky'} posts do not make (or break) a window.")
    evening = sum(_in_evening(w[0]["hour"]) for w in windows.values())
    lines.append(f"So what: {evening} of {len(windows)} platforms peak between 20:00 and 21:59; "
                 + "; ".join(f"{p} best {w[0]['label']} ({w[0]['index']:.2f}×, interval {w[0]['index_ci_low']:.2f}–"
                             f"{w[0]['index_ci_high']:.2f})" for p, w in windows.items()) + ".")
    return "\n".join(lines)


# --- 3. topic scores -----------------------------------------------------------------------------


def topic_table(scores: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """The top_n topics of each platform, the columns the notebook shows."""
    return scores.groupby("platform", sort=False).head(top_n)[TOPICS_SHOWN]


def top_topics(scores: pd.DataFrame, top_n: int) -> dict[str, pd.DataFrame]:
    """summary.json's "top_topics": per platform its top_n topics with score, expected ER, level and reason."""
    return {p: g.head(top_n)[TOPICS_SAVED] for p, g in scores.groupby("platform", sort=False)}


def top_pillar_lines(scores: pd.DataFrame, platforms: Sequence[str]) -> str:
    """One line per platform: the pillars of its top 3 topics (each once, in rank order)."""
    lines = []
    for p in platforms:
        head = scores[(scores["platform"] == p) & (scores["rank"] <= 3)]
        lines.append(f"{p}: pillar of the top 3 topics: {', '.join(dict.fromkeys(head['pillar']))}")
    return "\n".join(lines)


def topics_so_what(scores: pd.DataFrame, platforms: Sequence[str]) -> str:
    """Which pillar fills most top-5 places across platforms, and how many pairs are in an untried format."""
    best = scores[scores["rank"] <= 5]["pillar"].value_counts()
    return (f"So what: {best.index[0]} fills {best.iloc[0]} of the {int(best.sum())} top-5 places across "
            f"{len(platforms)} platforms, so the calendar fills its flagships and best-fitting slots from it first; "
            f"{int((~scores['format_fit']).sum())} topic × platform pairs are in a format the account has not posted "
            "on that platform (their estimate borrows the pillar level; section 5 shows which slots are re-cut).")


# --- 4. key dates --------------------------------------------------------------------------------


def key_dates_table(keys: pd.DataFrame) -> pd.DataFrame:
    """The key dates with their dates as YYYY-MM-DD text (for display)."""
    return keys.assign(date=keys["date"].dt.strftime("%Y-%m-%d"),
                       warmup_start=keys["warmup_start"].dt.strftime("%Y-%m-%d"))


def key_date_lines(keys: pd.DataFrame) -> str:
    """One line per key date: date, name, kind, whether it is in the month, and when its warm-up starts."""
    if keys.empty:
        return "No key dates in the month."
    lines = []
    for r in keys.itertuples():
        when = "in the month" if r.in_month else "next month, warm-up starts in this one"
        lines.append(f"{r.date:%Y-%m-%d} {r.name} ({r.kind}, {when}): warm-up from {r.warmup_start:%Y-%m-%d}")
    return "\n".join(lines)


# --- 5. the calendar -----------------------------------------------------------------------------


def calendar_title(month: str) -> str:
    return f"Content calendar {month} (★ flagship ◆ series · daily ○ reserve)"


def calendar_table(slots: pd.DataFrame) -> pd.DataFrame:
    """The calendar's slots as the notebook shows them (date as text, the columns a planner reads)."""
    return slots.assign(date=slots["date"].dt.strftime("%Y-%m-%d"))[CALENDAR_SHOWN]


def calendar_record(calendar: Calendar) -> dict[str, Any]:
    """summary.json's calendar entries: "calendar" (its summary but the notes), "mix_achieved", "reserve_share"
    and "calendar_notes"."""
    summary = calendar.summary()
    return {"calendar": {k: v for k, v in summary.items() if k != "notes"}, "mix_achieved": summary["mix_achieved"],
            "reserve_share": summary["reserve_share"], "calendar_notes": list(calendar.notes)}


def calendar_lines(calendar: Calendar) -> str:
    """Slots per platform and the reserve; the key-date flagships (date and platform)."""
    s = calendar.summary()
    flagships = "; ".join(f"{k} {v}" for k, v in s["key_date_flagships"].items())
    return (f"Slots: {s['slots']} (" + ", ".join(f"{p} {n}" for p, n in s["slots_per_platform"].items())
            + f"); reserve {s['reserve']} ({_pct(s['reserve_share'])})\n"
            + "Key-date flagships: " + (flagships or "none"))


def recut_posts(slots: pd.DataFrame) -> int:
    """Posts whose topic is re-cut to another format (their reason says 're-cut from')."""
    return int(slots["reason"].str.contains("re-cut from").sum())


def calendar_notes(calendar: Calendar) -> str:
    """The calendar's notes, the reserve, the warm-ups, and the plan in one sentence (mix achieved vs target)."""
    s = calendar.summary()
    lines = ["Notes:", *(f"- {note}" for note in calendar.notes)]
    lines.append(f"- {s['reserve']} reserve slots ("
                 + ", ".join(f"{p} {n}" for p, n in s["reserve_per_platform"].items())
                 + ") are marked is_reserve: keep them for breaking trends, fill them in the week itself.")
    lines += [f"- {n} planned posts are warm-ups for {k}." for k, n in s["warm_up_posts"].items()]
    lines.append(f"So what: {s['planned']} planned posts over {len(s['slots_per_platform'])} platforms, mix achieved "
                 + " / ".join(f"{t} {_pct(v)}" for t, v in s["mix_achieved"].items())
                 + " (target " + " / ".join(f"{t} {_pct(v)}" for t, v in s["mix_target"].items())
                 + f"), {s['distinct_topics']} distinct topics ({s['shared_topics']} posts share theirs with "
                 f"another platform), {recut_posts(calendar.slots)} posts re-cut to another format.")
    return "\n".join(lines)


# --- 6. adaptation -------------------------------------------------------------------------------


def flagship_story(slots: pd.DataFrame) -> pd.Series | None:
    """The flagship to re-cut per platform: the month's first key-date flagship, else its first flagship."""
    flagships = slots[slots["tier"] == "flagship"]
    if flagships.empty:
        return None
    keyed = flagships[flagships["role"] == "key_date"]
    return (keyed if len(keyed) else flagships).iloc[0]


def story_line(story: pd.Series | None) -> str:
    """Which flagship is adapted (topic, pillar, format, platform, date, time and key date), or why none is."""
    if story is None:
        return "No flagship in this plan (flagship share 0): nothing to adapt."
    return (f"Flagship: {story['topic']} ({story['pillar']}, {story['format']}) on {story['platform']}, "
            f"{story['date']:%Y-%m-%d} {story['time']}" + (f" for {story['key_date']}" if story["key_date"] else ""))


def adaptation_record(story: pd.Series | None, versions: pd.DataFrame) -> dict[str, Any]:
    """summary.json's "adaptation": the story's topic (None without a flagship) and its versions."""
    return {"topic": None if story is None else story["topic"], "versions": versions}


# --- 7. capacity ---------------------------------------------------------------------------------


def capacity_so_what(capacity: pd.DataFrame) -> str:
    """Formats over capacity (planned vs capacity) and formats tight if the reserve is used; or that none was given."""
    if capacity["capacity"].isna().all():
        return "No capacity parameter given: planned pieces per format only."
    over, tight = capacity[capacity["status"] == "over capacity"], capacity[capacity["status"] == "tight"]
    fits = "; ".join(f"{r.format} is over capacity ({r.planned} planned vs {r.capacity:.0f})"
                     for r in over.itertuples())
    return ("So what: " + (fits or "every format fits the plan")
            + (". Tight if the reserve is used: " + ", ".join(tight["format"]) if len(tight) else "") + ".")


# --- the run folder ------------------------------------------------------------------------------


def written(events: int, tables: int, figures: int) -> str:
    """What the run wrote to its folder."""
    return (f"Wrote calendar.csv and calendar.ics ({events} events), summary.json, {tables} tables and "
            f"{figures} figures to the run folder.")
