"""What the content-planning notebook says: its "So what" lines, the tables it shows and the summary.json entries.

Each function takes computed results (the run, what works, windows, topic scores, key dates, the
calendar) and returns text, a DataFrame or a dict; the notebook prints or displays what they return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from helpers import i18n, page
from helpers.i18n import N_, _, ngettext
from helpers.planning.grid import MonthGrid, key_date_name, month_grid_view
from helpers.planning.schedule import TIERS, Calendar, format_name, short_date, tier_name, weekday_name
from helpers.planning.session import PlanningRun

#: The evening window the sample plants (PLANTED.evening_window): a best window in it is named as such.
EVENING_HOURS: tuple[int, int] = (20, 21)
REPORT_NAME = N_("Content planning")

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
#: The rates of the best-windows table (shown as percentages).
WINDOW_RATES: tuple[str, ...] = ("er_cell_mean", "er_prior", "er_shrunk", "ci_low", "ci_high")
#: The rates of the completion table (shown as percentages).
COMPLETION_RATES: tuple[str, ...] = ("completion_rate_mean", "completion_ci_low", "completion_ci_high")
KEY_DATES_SHOWN = ["date", "name", "kind", "lead_days", "warmup_start", "in_month"]
CAPACITY_SHOWN = ["format", "planned", "reserve", "capacity", "spare", "status"]

#: Display labels of this analysis' columns (helpers.report.styled(labels=LABELS)).
LABELS: dict[str, str] = {
    "posts_with_rate": N_("Posts"), "er_mean_of_rates": N_("ER (mean of post rates)"), "er_ci_low": N_("95% CI low"),
    "er_ci_high": N_("95% CI high"), "er_rate_of_sums": N_("ER (rate of sums)"), "er_index": N_("Index vs platform"),
    "reliable": N_("Enough posts"), "completion_posts": N_("Video posts"),
    "completion_rate_mean": N_("Completion rate"), "completion_ci_low": N_("95% CI low"),
    "completion_ci_high": N_("95% CI high"), "rank": N_("Rank"), "label": N_("Window"),
    "er_cell_mean": N_("Raw cell ER"), "er_prior": N_("Hour pattern ER"), "er_shrunk": N_("Shrunk ER"),
    "ci_low": N_("95% CI low"), "ci_high": N_("95% CI high"), "index": N_("Index vs platform"),
    "score": N_("Score"), "expected_er": N_("Expected ER"), "strategic_weight": N_("Strategic weight"),
    "format_fit": N_("Format posted here"), "name": N_("Key date"), "kind": N_("Kind"), "lead_days": N_("Lead days"),
    "warmup_start": N_("Warm-up from"), "in_month": N_("In the month"), "planned": N_("Planned"),
    "reserve": N_("Reserve slots"), "capacity": N_("Capacity"), "spare": N_("Spare"),
    "length": N_("Length"), "derived_from": N_("Made from"), "version": N_("What to make"),
}
KIND_NAMES: dict[str, str] = {"holiday": N_("public holiday"), "marketing": N_("marketing date")}
#: Capacity status code → (shape, label, summary status): shapes survive grey printing.
CAPACITY_STATUS: dict[str, tuple[str, str, str]] = {
    "ok": ("●", N_("fits"), "healthy"), "full": ("◆", N_("full"), "watch"), "tight": ("◆", N_("tight"), "watch"),
    "over capacity": ("▲", N_("over capacity"), "at risk"), "no capacity given": ("○", N_("no capacity given"), "info"),
}
BASE_NAMES: dict[str, str] = {"impressions": N_("impressions"), "reach": N_("reach"), "views": N_("views")}


def _pct(value: float) -> str:
    return i18n.fmt_percent(value, 0)


def _join(items: Sequence[str]) -> str:
    """A list as a reader writes it: 、 in Chinese, commas in English."""
    return ("、" if i18n.is_chinese() else ", ").join(items)


def kind_name(kind: str) -> str:
    """A key date's kind in the run's language (unknown kinds as given)."""
    return _(KIND_NAMES[kind]) if kind in KIND_NAMES else str(kind)


def capacity_status(code: str) -> str:
    """A capacity status with its shape, in the run's language: "▲ 超出产能" / "▲ over capacity"."""
    shape, label, _status = CAPACITY_STATUS.get(code, ("", code, "info"))
    return f"{shape} {_(label) if code in CAPACITY_STATUS else label}".strip()


def window_label(weekday: Any, hour: int) -> str:
    """A posting window as a reader names it: "周二 20:00–21:00" / "Tue 20:00–21:00"."""
    span = f"{int(hour):02d}:00–{(int(hour) + 1) % 24:02d}:00"
    return span if weekday is None or pd.isna(weekday) else f"{weekday_name(int(weekday))} {span}"


def _window(item: Mapping[str, Any]) -> str:
    return window_label(item.get("weekday"), int(item["hour"]))


# --- set-up --------------------------------------------------------------------------------------


def er_base_text(er_base: str) -> str:
    """How the engagement rate is computed, e.g. 'engagements ÷ impressions per own post'."""
    base = _(BASE_NAMES[er_base]) if er_base in BASE_NAMES else er_base
    return _("engagements ÷ {base} per own post").format(base=base)


def brand_name(run: PlanningRun) -> str:
    """The own accounts' common name (青柠生活 of 青柠生活·抖音, 青柠生活·微博), else the account names joined."""
    acc = run.accounts
    names = [str(n) for n in acc.loc[(acc["owner"] == "own") & acc["platform"].isin(run.platforms), "name"]
             .dropna()] if "name" in acc.columns else []
    heads = {n.split("·")[0].strip() for n in names}
    if len(heads) == 1:
        return heads.pop()
    return _join(names)


def report_title(run: PlanningRun) -> str:
    """The page title: report · brand (accounts) · plan month, in the run's language."""
    year, mon = run.month.split("-")
    return page.report_title(_(REPORT_NAME), brand_name(run), i18n.fmt_month(pd.Timestamp(int(year), int(mon), 1)))


def plan_lines(run: PlanningRun) -> str:
    """The plan in five lines: month, posts per week, mix and settings, fixed columns, engagement-rate base."""
    s = run.settings
    columns = _join([" ".join(x for x in (weekday_name(c.weekday), i18n.platform_name(c.platform), tier_name(c.tier),
                                          format_name(c.format), c.label) if x) for c in s.fixed_columns])
    mix = " / ".join(f"{tier_name(t)} {_pct(v)}" for t, v in s.mix.items())
    return "\n".join([
        _("Plan month: {month} ({how})").format(month=run.month, how=run.month_note),
        _("Platforms and posts per week: {list}").format(
            list=_join([f"{i18n.platform_name(p)} {n}" for p, n in s.posts_per_week.items()])),
        _("Mix: {mix} | reserve {reserve} | min gap {gap} h | {tz} | holidays: {country}").format(
            mix=mix, reserve=_pct(s.reserve_share), gap=f"{s.min_gap_hours:g}", tz=s.timezone, country=run.country),
        _("Fixed columns: {columns}").format(columns=columns or _("none")),
        _("Engagement rate: {base}").format(base=er_base_text(run.er_base)),
    ])


def plan_summary(run: PlanningRun) -> dict[str, Any]:
    """summary.json's "plan": the month (and how it was chosen), platforms and the checked calendar settings."""
    s = run.settings
    return {"month": run.month, "month_chosen_as": run.month_note, "platforms": list(run.platforms),
            "posts_per_week": dict(s.posts_per_week), "mix_target": dict(s.mix), "reserve_target": s.reserve_share,
            "min_gap_hours": s.min_gap_hours, "timezone": s.timezone, "country": run.country,
            "fixed_columns": [repr(c) for c in s.fixed_columns], "er_base": run.er_base}


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    """A display copy: platform and format codes as the words a reader uses."""
    out = frame.copy()
    if "platform" in out.columns:
        out["platform"] = out["platform"].map(i18n.platform_name)
    if "format" in out.columns:
        out["format"] = out["format"].map(format_name)
    return out.reset_index(drop=True)


# --- 1. what works -------------------------------------------------------------------------------


def what_works_title(er_base: str) -> str:
    return _("Engagement rate by platform × pillar × format ({base}), 95% CI and posts").format(
        base=er_base_text(er_base))


def what_works_table(works: pd.DataFrame) -> pd.DataFrame:
    """The what-works table as shown: platform and format names, the columns a planner reads."""
    return _named(works[WHAT_WORKS_SHOWN])


def video_completion(works: pd.DataFrame) -> pd.DataFrame:
    """The groups with completion data (video formats) and their completion rate with its interval."""
    return works.loc[works["completion_posts"] > 0, COMPLETION_SHOWN]


def completion_table(works: pd.DataFrame) -> pd.DataFrame:
    """video_completion as shown (platform and format names)."""
    return _named(video_completion(works))


def completion_heading(video: pd.DataFrame) -> str:
    return ngettext("Completion rate of video posts (share of the video watched to the end), {n} group:",
                    "Completion rate of video posts (share of the video watched to the end), {n} groups:",
                    len(video)).format(n=len(video))


def platform_means(works: pd.DataFrame) -> pd.Series:
    """Each platform's mean ER (mean of per-post rates), recovered as er_mean_of_rates ÷ er_index."""
    return (works["er_mean_of_rates"] / works["er_index"]).groupby(works["platform"]).first()


def what_works_so_what(works: pd.DataFrame, platforms: Sequence[str], er_base: str, min_posts: int) -> str:
    """The platform means, the best reliable pillar × format per platform and the thin groups not to over-read."""
    means = platform_means(works)
    lines = [_("Platform mean ER ({base}): {means}").format(
        base=er_base_text(er_base),
        means=_join([f"{i18n.platform_name(p)} {i18n.fmt_percent(means[p], 2)}" for p in platforms if p in means]))]
    for p in platforms:
        part = works[(works["platform"] == p) & works["reliable"]]
        if len(part):
            top = part.loc[part["er_index"].idxmax()]
            lines.append(_("So what: on {platform} the best reliable group is {pillar} × {format}: ER {er} (95% CI "
                           "{low}–{high}, {posts} posts), {index}× the platform mean.").format(
                platform=i18n.platform_name(p), pillar=top["pillar"], format=format_name(top["format"]),
                er=i18n.fmt_percent(top["er_mean_of_rates"], 2), low=i18n.fmt_percent(top["er_ci_low"], 2),
                high=i18n.fmt_percent(top["er_ci_high"], 2), posts=int(top["posts_with_rate"]),
                index=f"{top['er_index']:.2f}"))
    thin = works[~works["reliable"]]
    if len(thin):
        lines.append(_("Thin groups (under {n} posts, not to be over-read): {groups}").format(
            n=min_posts, groups="; ".join(f"{i18n.platform_name(r.platform)} {r.pillar} {format_name(r.format)} "
                                          f"({int(r.posts_with_rate)})" for r in thin.itertuples())))
    return "\n".join(lines)


# --- 2. posting windows --------------------------------------------------------------------------


def windows_title(prior_strength: float) -> str:
    return _("ER index by weekday × hour, shrunk towards the hour pattern (m = {m})").format(m=f"{prior_strength:g}")


def best_windows_title() -> str:
    return _("Top three windows per platform: shrunk ER index with 95% interval (x: raw cell mean)")


def best_windows_table(best: pd.DataFrame) -> pd.DataFrame:
    """The best windows as shown: platform names and windows named in the run's language."""
    shown = best.assign(label=[window_label(w, h) for w, h in zip(best["weekday"], best["hour"], strict=True)])
    return _named(shown[BEST_WINDOWS_SHOWN])


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
        if _in_evening(first["hour"]):
            lines.append(_("{platform}: best posting window in the evening, 20:00–21:59").format(
                platform=i18n.platform_name(p)))
        else:
            lines.append(_("{platform}: best posting window at {window}").format(
                platform=i18n.platform_name(p), window=_window(first)))
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
        message = (ngettext("Shrinkage at work: {platform} {window} has {n} post with a raw mean ER of {raw}; pulled "
                            "down towards its hour's {prior} it counts as {shrunk}: a few lucky posts do not make a "
                            "window.",
                            "Shrinkage at work: {platform} {window} has {n} posts with a raw mean ER of {raw}; pulled "
                            "down towards its hour's {prior} it counts as {shrunk}: a few lucky posts do not make a "
                            "window.", int(r.posts)) if down else
                   ngettext("Shrinkage at work: {platform} {window} has {n} post with a raw mean ER of {raw}; pulled "
                            "up towards its hour's {prior} it counts as {shrunk}: a few unlucky posts do not break a "
                            "window.",
                            "Shrinkage at work: {platform} {window} has {n} posts with a raw mean ER of {raw}; pulled "
                            "up towards its hour's {prior} it counts as {shrunk}: a few unlucky posts do not break a "
                            "window.", int(r.posts)))
        window = window_label(getattr(r, "weekday", None), int(r.hour)) if hasattr(r, "hour") else str(r.label)
        lines.append(message.format(platform=i18n.platform_name(r.platform), window=window, n=int(r.posts),
                                    raw=i18n.fmt_percent(r.er_cell_mean, 2), prior=i18n.fmt_percent(r.er_prior, 2),
                                    shrunk=i18n.fmt_percent(r.er_shrunk, 2)))
    evening = sum(_in_evening(w[0]["hour"]) for w in windows.values())
    lines.append(_("So what: {evening} of {n} platforms peak between 20:00 and 21:59; {best}.").format(
        evening=evening, n=len(windows), best="; ".join(
            _("{platform} best {window} ({index}×, interval {low}–{high})").format(
                platform=i18n.platform_name(p), window=_window(w[0]), index=f"{w[0]['index']:.2f}",
                low=f"{w[0]['index_ci_low']:.2f}", high=f"{w[0]['index_ci_high']:.2f}") for p, w in windows.items())))
    return "\n".join(lines)


# --- 3. topic scores -----------------------------------------------------------------------------


def topic_score_title() -> str:
    return _("Top topics: expected ER index × strategic weight (best platform per topic)")


def topic_table(scores: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """The top_n topics of each platform, the columns the notebook shows (platform and format names)."""
    return _named(scores.groupby("platform", sort=False).head(top_n)[TOPICS_SHOWN])


def top_topics(scores: pd.DataFrame, top_n: int) -> dict[str, pd.DataFrame]:
    """summary.json's "top_topics": per platform its top_n topics with score, expected ER, level and reason."""
    return {p: g.head(top_n)[TOPICS_SAVED] for p, g in scores.groupby("platform", sort=False)}


def top_pillar_lines(scores: pd.DataFrame, platforms: Sequence[str]) -> str:
    """One line per platform: the pillars of its top 3 topics (each once, in rank order)."""
    lines = []
    for p in platforms:
        head = scores[(scores["platform"] == p) & (scores["rank"] <= 3)]
        lines.append(_("{platform}: pillar of the top 3 topics: {pillars}").format(
            platform=i18n.platform_name(p), pillars=_join(list(dict.fromkeys(head["pillar"])))))
    return "\n".join(lines)


def leading_pillar(scores: pd.DataFrame) -> tuple[str, int, int]:
    """The pillar filling most top-5 places across platforms: (pillar, its places, all top-5 places)."""
    best = scores[scores["rank"] <= 5]["pillar"].value_counts()
    return str(best.index[0]), int(best.iloc[0]), int(best.sum())


def topics_so_what(scores: pd.DataFrame, platforms: Sequence[str]) -> str:
    """Which pillar fills most top-5 places across platforms, and how many pairs are in an untried format."""
    pillar, places, total = leading_pillar(scores)
    return _("So what: {pillar} fills {places} of the {total} top-5 places across {n} platforms, so the calendar "
             "fills its flagships and best-fitting slots from it first; {pairs} topic × platform pairs are in a format "
             "the account has not posted on that platform (their estimate borrows the pillar level; section 5 shows "
             "which slots are re-cut).").format(pillar=pillar, places=places, total=total, n=len(platforms),
                                                pairs=int((~scores["format_fit"].astype(bool)).sum()))


# --- 4. key dates --------------------------------------------------------------------------------


def key_dates_table(keys: pd.DataFrame) -> pd.DataFrame:
    """The key dates as shown: dates as the locale writes them, names and kinds in the run's language."""
    shown = keys.assign(date=keys["date"].map(i18n.fmt_date), warmup_start=keys["warmup_start"].map(i18n.fmt_date),
                        name=[key_date_name(n, keys) for n in keys["name"]], kind=keys["kind"].map(kind_name))
    return shown[[c for c in KEY_DATES_SHOWN if c in shown.columns]].reset_index(drop=True)


def key_date_lines(keys: pd.DataFrame) -> str:
    """One line per key date: date, name, kind, whether it is in the month, and when its warm-up starts."""
    if keys.empty:
        return _("No key dates in the month.")
    lines = []
    for r in keys.itertuples():
        message = (_("{date} {name} ({kind}, in the month): warm-up from {start}") if r.in_month
                   else _("{date} {name} ({kind}, next month, warm-up starts in this one): warm-up from {start}"))
        lines.append(message.format(date=f"{r.date:%Y-%m-%d}", name=key_date_name(r.name, keys),
                                    kind=kind_name(r.kind), start=f"{r.warmup_start:%Y-%m-%d}"))
    return "\n".join(lines)


# --- 5. the calendar -----------------------------------------------------------------------------


def calendar_title(month: str) -> str:
    year, mon = month.split("-")
    return _("Content calendar {month}").format(month=i18n.fmt_month(pd.Timestamp(int(year), int(mon), 1)))


def calendar_view(calendar: Calendar, keys: pd.DataFrame | None = None) -> MonthGrid:
    """The calendar as an HTML month grid (grid.month_grid_view) with the key dates named on their day."""
    return month_grid_view(calendar.slots, calendar.month, keys, calendar_title(calendar.month))


def calendar_table(slots: pd.DataFrame) -> pd.DataFrame:
    """The calendar's slots as a planner reads them (date as text, the columns a planner reads)."""
    return slots.assign(date=slots["date"].dt.strftime("%Y-%m-%d"))[CALENDAR_SHOWN]


def calendar_record(calendar: Calendar) -> dict[str, Any]:
    """summary.json's calendar entries: "calendar" (its summary but the notes), "mix_achieved", "reserve_share"
    and "calendar_notes"."""
    summary = calendar.summary()
    return {"calendar": {k: v for k, v in summary.items() if k != "notes"}, "mix_achieved": summary["mix_achieved"],
            "reserve_share": summary["reserve_share"], "calendar_notes": list(calendar.notes)}


def _flagship_list(calendar: Calendar, keys: pd.DataFrame | None) -> str:
    s = calendar.slots
    return _join([f"{key_date_name(r.key_date, keys)} {r.date:%Y-%m-%d} {i18n.platform_name(r.platform)}"
                  for r in s[s["role"] == "key_date"].itertuples()])


def calendar_lines(calendar: Calendar, keys: pd.DataFrame | None = None) -> str:
    """Slots per platform and the reserve; the key-date flagships (date and platform)."""
    s = calendar.summary()
    return "\n".join([
        _("Slots: {total} ({per_platform}); reserve {reserve} ({share})").format(
            total=s["slots"], per_platform=_join([f"{i18n.platform_name(p)} {n}"
                                                  for p, n in s["slots_per_platform"].items()]),
            reserve=s["reserve"], share=_pct(s["reserve_share"])),
        _("Key-date flagships: {list}").format(list=_flagship_list(calendar, keys) or _("none"))])


def recut_posts(slots: pd.DataFrame) -> int:
    """Planned posts whose topic is re-cut to another format (format differs from the topic's own)."""
    planned = slots[~slots["is_reserve"].astype(bool) & (slots["topic_format"].astype(str) != "")]
    return int((planned["format"] != planned["topic_format"]).sum())


def calendar_notes(calendar: Calendar, keys: pd.DataFrame | None = None) -> str:
    """The calendar's notes, the reserve, the warm-ups, and the plan in one sentence (mix achieved vs target)."""
    s = calendar.summary()
    lines = [_("Notes:"), *(f"- {note}" for note in calendar.notes)]
    lines.append("- " + _("{n} reserve slots ({per_platform}) are marked as reserve: keep them for breaking trends, "
                          "fill them in the week itself.").format(
        n=s["reserve"], per_platform=_join([f"{i18n.platform_name(p)} {n}"
                                            for p, n in s["reserve_per_platform"].items()])))
    lines += ["- " + ngettext("{n} planned post is a warm-up for {name}.", "{n} planned posts are warm-ups for {name}.",
                              n).format(n=n, name=key_date_name(k, keys)) for k, n in s["warm_up_posts"].items()]
    lines.append(_("So what: {planned} planned posts over {platforms} platforms, mix achieved {mix} (target {target}), "
                   "{topics} distinct topics ({shared} posts share theirs with another platform), {recut} posts re-cut "
                   "to another format.").format(
        planned=s["planned"], platforms=len(s["slots_per_platform"]),
        mix=" / ".join(f"{tier_name(t)} {_pct(v)}" for t, v in s["mix_achieved"].items()),
        target=" / ".join(f"{tier_name(t)} {_pct(v)}" for t, v in s["mix_target"].items()),
        topics=s["distinct_topics"], shared=s["shared_topics"], recut=recut_posts(calendar.slots)))
    return "\n".join(lines)


# --- 6. adaptation -------------------------------------------------------------------------------


def flagship_story(slots: pd.DataFrame) -> pd.Series | None:
    """The flagship to re-cut per platform: the month's first key-date flagship, else its first flagship."""
    flagships = slots[slots["tier"] == "flagship"]
    if flagships.empty:
        return None
    keyed = flagships[flagships["role"] == "key_date"]
    return (keyed if len(keyed) else flagships).iloc[0]


def story_line(story: pd.Series | None, keys: pd.DataFrame | None = None) -> str:
    """Which flagship is adapted (topic, pillar, format, platform, date, time and key date), or why none is."""
    if story is None:
        return _("No flagship in this plan (flagship share 0): nothing to adapt.")
    values = {"topic": story["topic"], "pillar": story["pillar"], "format": format_name(story["format"]),
              "platform": i18n.platform_name(story["platform"]), "date": f"{story['date']:%Y-%m-%d}",
              "time": story["time"], "key_date": key_date_name(story["key_date"], keys)}
    if story["key_date"]:
        return _("Flagship: {topic} ({pillar}, {format}) on {platform}, {date} {time} for {key_date}").format(**values)
    return _("Flagship: {topic} ({pillar}, {format}) on {platform}, {date} {time}").format(**values)


def adaptation_table(versions: pd.DataFrame) -> pd.DataFrame:
    """adapt's versions as shown (platform and format names)."""
    return _named(versions)


def adaptation_record(story: pd.Series | None, versions: pd.DataFrame) -> dict[str, Any]:
    """summary.json's "adaptation": the story's topic (None without a flagship) and its versions."""
    return {"topic": None if story is None else story["topic"], "versions": versions}


# --- 7. capacity ---------------------------------------------------------------------------------


def capacity_title() -> str:
    return _("Planned pieces per format vs production capacity")


def capacity_display(capacity: pd.DataFrame) -> pd.DataFrame:
    """The capacity table as shown: format names and statuses with their shape, in the run's language."""
    shown = capacity.assign(format=capacity["format"].map(format_name), status=capacity["status"].map(capacity_status))
    return shown[CAPACITY_SHOWN].reset_index(drop=True)


def capacity_so_what(capacity: pd.DataFrame) -> str:
    """Formats over capacity (planned vs capacity) and formats tight if the reserve is used; or that none was given."""
    if capacity["capacity"].isna().all():
        return _("No capacity parameter given: planned pieces per format only.")
    over, tight = capacity[capacity["status"] == "over capacity"], capacity[capacity["status"] == "tight"]
    fits = "; ".join(_("{format} is over capacity ({planned} planned vs {capacity})").format(
        format=format_name(r.format), planned=r.planned, capacity=f"{r.capacity:.0f}") for r in over.itertuples())
    text = _("So what: {verdict}.").format(verdict=fits or _("every format fits the plan"))
    if len(tight):
        text += ("" if i18n.is_chinese() else " ") + _("Tight if the reserve is used: {formats}.").format(
            formats=_join([format_name(f) for f in tight["format"]]))
    return text


# --- the run folder ------------------------------------------------------------------------------


def written(events: int, tables: int, figures: int) -> str:
    """What the run wrote to its folder."""
    return _("Wrote calendar.csv and calendar.ics ({events} events), summary.json, {tables} tables and {figures} "
             "figures to the run folder.").format(events=events, tables=tables, figures=figures)


# --- the executive summary -----------------------------------------------------------------------


def _topic_names_key_date(topic: str, name: str, keys: pd.DataFrame | None) -> bool:
    """True when a topic's text names the key date (its name, Chinese name or an alias)."""
    names = {name}
    if keys is not None and not keys.empty:
        for r in keys[keys["name"] == name].to_dict(orient="records"):
            names.update(str(x) for x in (r.get("name_zh"),) if isinstance(x, str) and x)
            aliases = r.get("aliases")
            names.update(a.strip() for a in str(aliases).split(";") if isinstance(aliases, str) and a.strip())
    return any(n and n in str(topic) for n in names)


def key_dates_without_topic(calendar: Calendar, keys: pd.DataFrame | None) -> list[str]:
    """Key dates whose flagship carries a general topic (no topic of the bank names them), by machine name."""
    s = calendar.slots
    flagships = s[s["role"] == "key_date"]
    return [str(r.key_date) for r in flagships.itertuples() if not _topic_names_key_date(r.topic, r.key_date, keys)]


def executive_summary(run: PlanningRun, calendar: Calendar, keys: pd.DataFrame,
                      windows: Mapping[str, Sequence[Mapping[str, Any]]], scores: pd.DataFrame,
                      capacity: pd.DataFrame) -> page.Summary:
    """The first screen: the plan in one line (month, slots per platform, reserve, key-date flagships), tiles,
    3–5 key findings and the top actions, each linking to its section."""
    s = calendar.summary()
    month = calendar_title(calendar.month)
    per_platform = _join([f"{i18n.platform_name(p)} {n}" for p, n in s["slots_per_platform"].items()])
    in_month = keys[keys["in_month"].astype(bool)] if len(keys) else keys
    flagships = s["key_date_flagships"]
    over = capacity[capacity["status"] == "over capacity"]
    tight = capacity[capacity["status"] == "tight"]
    no_capacity = bool(capacity["capacity"].isna().all()) if len(capacity) else True
    status = "info" if no_capacity else "at risk" if len(over) else "watch" if len(tight) else "healthy"
    verdict = _("{month}: {slots} slots ({per_platform}), {reserve} of them reserve slots ({share}); {flagships} of "
                "{keys} key dates in the month carry a flagship.").format(
        month=month, slots=s["slots"], per_platform=per_platform, reserve=s["reserve"],
        share=_pct(s["reserve_share"]), flagships=len(flagships), keys=len(in_month))
    tiles = (
        page.Tile(_("Slots"), i18n.fmt_count(s["slots"]), "info", (per_platform,), "#calendar"),
        page.Tile(_("Reserve slots"), _pct(s["reserve_share"]), "info",
                  (_("{n} slots, target {target}").format(n=s["reserve"], target=_pct(s["reserve_target"])),),
                  "#calendar"),
        page.Tile(_("Key-date flagships"), f"{len(flagships)} / {len(in_month)}",
                  "healthy" if len(flagships) >= len(in_month) else "watch", (), "#key-dates"),
        page.Tile(_("Production capacity"), _("{n} over").format(n=len(over)) if not no_capacity else "–", status,
                  (_("{n} tight if the reserve is used").format(n=len(tight)),) if not no_capacity else (),
                  "#capacity"),
    )
    findings: list[page.Line] = []
    if len(in_month):
        dated = _join([_("{name} ({day}, {platform})").format(
            name=key_date_name(k, keys), day=short_date(pd.Timestamp(v.split(" ")[0]).date()),
            platform=i18n.platform_name(v.split(" ")[1])) for k, v in flagships.items()])
        findings.append(page.Line(_("Key dates: {n} in the month, each with one flagship: {list}.").format(
            n=len(in_month), list=dated or _("none")), "#key-dates"))
    pillar, places, total = leading_pillar(scores)
    findings.append(page.Line(_("Topics: {pillar} leads, with {places} of the {total} top-5 places across the "
                                "platforms.").format(pillar=pillar, places=places, total=total), "#topics"))
    evening = [p for p, w in windows.items() if w and _in_evening(w[0]["hour"])]
    findings.append(page.Line(_("Posting windows: {n} of {total} platforms do best between 20:00 and 21:59; best "
                                "windows: {list}.").format(
        n=len(evening), total=len(windows), list=_join([f"{i18n.platform_name(p)} {_window(w[0])}"
                                                         for p, w in windows.items() if w])), "#windows"))
    findings.append(page.Line(_("Mix achieved {mix} (target {target}).").format(
        mix=" / ".join(f"{tier_name(t)} {_pct(s['mix_achieved'][t])}" for t in TIERS),
        target=" / ".join(f"{tier_name(t)} {_pct(s['mix_target'][t])}" for t in TIERS)), "#calendar"))
    if not no_capacity:
        verdict_text = capacity_so_what(capacity).removeprefix(_("So what: "))
        findings.append(page.Line(verdict_text[:1].upper() + verdict_text[1:], "#capacity", status))
    actions: list[page.Line] = []
    bare = key_dates_without_topic(calendar, keys)
    if bare:
        actions.append(page.Line(ngettext(
            "Add a topic of its own for {names}: its flagship carries a general topic now.",
            "Add a topic of their own for {names}: their flagships carry general topics now.", len(bare)).format(
            names=_join([key_date_name(n, keys) for n in bare])), "#calendar"))
    for r in over.itertuples():
        actions.append(page.Line(_("Cut {format} to {capacity} pieces ({planned} planned): move slots to another "
                                   "format, post less or add production.").format(
            format=format_name(r.format), capacity=f"{r.capacity:.0f}", planned=r.planned), "#capacity"))
    if len(tight):
        actions.append(page.Line(_("Decide now which reserve slots get lighter formats: {formats} would run out if "
                                   "every reserve slot is filled.").format(
            formats=_join([format_name(f) for f in tight["format"]])), "#capacity"))
    if s["shared_topics"]:
        actions.append(page.Line(_("Produce one master piece for each shared topic and adapt it per platform "
                                   "({n} posts share their topic).").format(n=s["shared_topics"]), "#adaptation"))
    actions.append(page.Line(_("Keep the {n} reserve slots open for breaking trends and fill them in the week "
                               "itself.").format(n=s["reserve"]), "#calendar"))
    return page.Summary(title=report_title(run), verdict=verdict, verdict_status=status, verdict_href="#calendar",
                        tiles=tiles, findings=tuple(findings[:5]), actions=tuple(actions[:3]))


def summary(run: PlanningRun) -> dict[str, Any]:
    """summary.json's "title" (the page <title>: report · brand · month)."""
    return {"title": report_title(run)}


def calendar_line(summary: Mapping[str, Any], flagship: float) -> str:
    """The explorer's line about a calendar: slots, reserve, the mix achieved, topics."""
    return _("{slots} slots, {reserve} reserve slots ({share}); mix achieved {mix} (flagship target "
             "{flagship}); {topics} distinct topics, {shared} posts share a topic across platforms.").format(
        slots=summary["slots"], reserve=summary["reserve"], share=i18n.fmt_percent(summary["reserve_share"], 0),
        mix=" / ".join(f"{tier_name(t)} {i18n.fmt_percent(v, 0)}" for t, v in summary["mix_achieved"].items()),
        flagship=i18n.fmt_percent(flagship, 0), topics=summary["distinct_topics"], shared=summary["shared_topics"])
