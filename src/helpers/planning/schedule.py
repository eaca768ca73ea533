"""The monthly content calendar (排期表): slots at the best windows, filled by pyramid tier and topic.

METHODOLOGY.md §5 as rules a test can check (issue 6, section 5):

- Slots per platform = round-half-up(posts_per_week × days_in_month / 7), and at least the number of
  dates its fixed weekly columns fall on in the month.
- Days: at most one post per platform per day unless posts_per_week > 7 (then the counts per day
  differ by as little as the fixed columns allow). Posting days are spread so that consecutive
  posting days of a platform are at most `max_gap_days(ppw) = ceil(14 / ppw)` days apart (twice the
  average spacing, whole days); the month edges count as posts on day 0 and day D + 1.
- Hours: the best-scoring windows of the platform on that weekday, at least `min_gap_hours` apart
  (also across midnight), never two posts of one platform in the same hour.
- Fixed weekly columns are placed first, on every matching weekday of the month.
- One flagship per key date of the month (see build_calendar for which dates), on one platform
  (video-first, rotating; or the `flagship_platforms` given); a key date on a fixed-column day
  upgrades that post to the flagship.
  Planned daily/series posts inside a key date's warm-up window are labelled as its warm-up.
- Reserve: round-half-up(reserve_share × slots) slots, spread over platforms (largest remainder) and
  over the month, tier "reserve", no topic, reason "reserved for breaking trends".
- Tiers: the planned (non-reserve) slots get floor or ceil of share × planned slots per tier.
- Topics: a topic runs at most once per platform in a month; the same topic on several platforms
  is one master piece adapted per platform (section 6 of the notebook), listed in `shared_with`.
  Unused topics come before ones already planned elsewhere. Key-date flagships are filled first,
  then other flagships, series and daily posts; flagships take the best-scoring topic (re-cut to
  the flagship format if need be), series and daily posts the best-fitting format first.
- Seasonal topics: a topic naming a holiday or marketing date (any name in `seasonal`, e.g. "618",
  "双11") is planned only in that date's flagship or warm-up slots, and left out in other months.
- A platform with more planned slots than usable topics is an error naming the numbers (a topic
  bank must cover a month without repeats on one account).
- Capacity (when given): a format planned beyond its production capacity is re-cut, lowest tier
  first, to another native format of the platform that suits the tier and has spare capacity;
  what cannot be moved is reported in the notes.

Anything that cannot be met raises CalendarError (a ParameterError) naming the constraint, the numbers
and the fix in the run's language: never a silent partial plan.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from helpers import i18n
from helpers.errors import DataError, ParameterError, require_columns
from helpers.i18n import N_, _, ngettext
from helpers.params import check_timezone
from helpers.schema import PLATFORMS, POST_FORMATS, TIERS
from helpers.timezones import DEFAULT_TIMEZONE

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Weekday labels a reader sees (translated when shown: _(WEEKDAY_LABELS[i])).
WEEKDAY_LABELS: tuple[str, ...] = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
#: Tier code → the word a reader sees (translated when shown).
TIER_NAMES: dict[str, str] = {"flagship": N_("flagship"), "series": N_("series"), "daily": N_("daily"),
                              "reserve": N_("reserve slot")}


def tier_name(tier: str) -> str:
    """A tier in the run's language: 旗舰 / flagship (unknown codes as given)."""
    return _(TIER_NAMES[tier]) if tier in TIER_NAMES else str(tier)


def format_name(fmt: str) -> str:
    """A post format in the run's language: 短视频 / short video (the shared names of helpers.i18n)."""
    return i18n.format_name(fmt)


def short_date(day: dt.date) -> str:
    """A day of the plan without its year: 12月12日 / 12 Dec."""
    return f"{day.month}月{day.day}日" if i18n.is_chinese() else f"{day.day} {day:%b}"


def weekday_name(weekday: int) -> str:
    """A weekday (0 = Monday) in the run's language: 周三 / Wed."""
    return _(WEEKDAY_LABELS[int(weekday)])

DEFAULT_MIX: dict[str, float] = {"daily": 0.6, "series": 0.3, "flagship": 0.1}
RESERVE_RANGE: tuple[float, float] = (0.20, 0.30)
MIN_GAP_RANGE: tuple[float, float] = (0.0, 24.0)
POSTS_PER_WEEK_RANGE: tuple[int, int] = (1, 168)
RESERVE_TIER = "reserve"
RESERVE_REASON = N_("reserved for breaking trends")
SLOT_COLUMNS: tuple[str, ...] = ("date", "time", "platform", "tier", "pillar", "format", "topic", "reason",
                                 "is_reserve", "key_date", "role", "label", "shared_with", "topic_format")

# The format a platform's post of each tier takes by default (a topic of another format is re-cut).
TIER_FORMAT: dict[str, dict[str, str]] = {
    "wechat": {"daily": "article", "series": "article", "flagship": "article"},
    "weibo": {"daily": "image", "series": "carousel", "flagship": "video"},
    "douyin": {"daily": "short_video", "series": "short_video", "flagship": "live"},
    "xiaohongshu": {"daily": "image", "series": "carousel", "flagship": "video"},
    "bilibili": {"daily": "short_video", "series": "video", "flagship": "live"},
    "zhihu": {"daily": "text", "series": "article", "flagship": "article"},
    "wechat_channels": {"daily": "short_video", "series": "short_video", "flagship": "live"},
    "instagram": {"daily": "image", "series": "carousel", "flagship": "video"},
    "facebook": {"daily": "image", "series": "video", "flagship": "live"},
    "tiktok": {"daily": "short_video", "series": "short_video", "flagship": "live"},
    "youtube": {"daily": "short_video", "series": "video", "flagship": "live"},
    "x": {"daily": "text", "series": "image", "flagship": "video"},
    "linkedin": {"daily": "text", "series": "article", "flagship": "video"},
}
# Formats a platform publishes natively (a topic in one of them keeps its format there).
NATIVE_FORMATS: dict[str, frozenset[str]] = {
    "wechat": frozenset({"article"}),
    "weibo": frozenset({"text", "image", "carousel", "short_video", "video", "live"}),
    "douyin": frozenset({"short_video", "live", "carousel"}),
    "xiaohongshu": frozenset({"image", "carousel", "short_video", "video", "live"}),
    "bilibili": frozenset({"video", "short_video", "live", "article"}),
    "zhihu": frozenset({"text", "article", "video"}),
    "wechat_channels": frozenset({"short_video", "video", "live"}),
    "instagram": frozenset({"image", "carousel", "short_video", "video", "live"}),
    "facebook": frozenset({"text", "image", "carousel", "short_video", "video", "live"}),
    "tiktok": frozenset({"short_video", "live", "carousel"}),
    "youtube": frozenset({"short_video", "video", "live"}),
    "x": frozenset({"text", "image", "short_video", "video"}),
    "linkedin": frozenset({"text", "article", "image", "carousel", "video"}),
}
# Formats that suit a tier: flagships are events (live, long video), the daily base is light.
TIER_FITS: dict[str, frozenset[str]] = {
    "flagship": frozenset({"live", "video"}),
    "series": frozenset({"video", "carousel", "article", "short_video"}),
    "daily": frozenset({"short_video", "image", "carousel", "text", "article"}),
}
_FAMILY = {"short_video": "video", "video": "video", "live": "video", "image": "image", "carousel": "image",
           "text": "text", "article": "text"}


# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------

def round_half_up(value: float) -> int:
    """Round .5 up (not to even), so the stated slot rules give the numbers people expect."""
    return math.floor(value + 0.5 + 1e-9)


def slots_for_month(posts_per_week: int, days_in_month: int) -> int:
    """Slots of a platform in a month = round-half-up(posts per week × days / 7)."""
    return round_half_up(posts_per_week * days_in_month / 7)


def max_gap_days(posts_per_week: int) -> int:
    """Most calendar days allowed between consecutive posting days: ceil(14 / ppw), twice the average spacing."""
    return max(1, math.ceil(14 / posts_per_week - 1e-9))


def gap_step(min_gap_hours: float) -> int:
    """The minimum gap in whole hours between two posts of one platform (posts sit on the hour, never two in one)."""
    return max(1, math.ceil(min_gap_hours - 1e-9))


@dataclass(frozen=True)
class FixedColumn:
    """A fixed weekly column (固定栏目): every `weekday` (0 = Monday) one `tier` post in `format` on `platform`."""

    weekday: int
    platform: str
    tier: str
    format: str
    label: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.weekday, bool) or not isinstance(self.weekday, int) or not 0 <= self.weekday <= 6:
            raise ParameterError(f"fixed column {self.label or self.format!r}: weekday {self.weekday!r} must be an "
                                 "integer 0–6 (0 = Monday).")
        if self.tier not in TIERS:
            raise ParameterError(f"fixed column {self.label or self.format!r}: tier {self.tier!r} must be one of "
                                 f"{', '.join(TIERS)}.")
        if self.format not in POST_FORMATS:
            raise ParameterError(f"fixed column {self.label or self.format!r}: format {self.format!r} must be one "
                                 f"of {', '.join(POST_FORMATS)}.")
        if not self.label:
            object.__setattr__(self, "label", f"{WEEKDAYS[self.weekday]} {self.format}")

    def __repr__(self) -> str:
        return f"FixedColumn({WEEKDAYS[self.weekday]} {self.platform} {self.tier} {self.format} {self.label!r})"


def _as_count(name: str, value: object) -> int:
    """An integer count from an int or an integral float (widgets give floats)."""
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
            or float(value) != int(value)):
        raise ParameterError(f"{name} = {value!r} must be a whole number.")
    return int(value)


@dataclass(frozen=True, eq=False, repr=False)
class PlanSettings:
    """The calendar's parameters, checked on creation (ParameterError names the parameter and its allowed range)."""

    posts_per_week: Mapping[str, int]
    mix: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_MIX))
    reserve_share: float = 0.25
    fixed_columns: tuple[FixedColumn, ...] = ()
    min_gap_hours: float = 3.0
    timezone: str = DEFAULT_TIMEZONE
    capacity: Mapping[str, int] | None = None
    flagship_platforms: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self._check_posts()
        self._check_mix()
        self._check_scalars()
        self._check_fixed()
        if self.capacity is not None:
            cap = {}
            for fmt, value in dict(self.capacity).items():
                if fmt not in POST_FORMATS:
                    raise ParameterError(f"capacity: format {fmt!r} must be one of {', '.join(POST_FORMATS)}.")
                cap[fmt] = _as_count(f"capacity[{fmt!r}]", value)
                if cap[fmt] < 0:
                    raise ParameterError(f"capacity[{fmt!r}] = {value} must be 0 or more pieces per month.")
            object.__setattr__(self, "capacity", cap)
        flag = tuple(self.flagship_platforms)
        unknown = [p for p in flag if p not in self.posts_per_week]
        if unknown:
            raise ParameterError(f"flagship_platforms {unknown} are not planned platforms "
                                 f"({', '.join(self.posts_per_week)}).")
        object.__setattr__(self, "flagship_platforms", flag)

    def _check_posts(self) -> None:
        if not self.posts_per_week:
            raise ParameterError("posts_per_week is empty: give at least one platform, e.g. {'douyin': 5}.")
        lo, hi = POSTS_PER_WEEK_RANGE
        ppw: dict[str, int] = {}
        for platform, value in dict(self.posts_per_week).items():
            if platform not in PLATFORMS:
                raise ParameterError(f"posts_per_week: unknown platform {platform!r}; known: {', '.join(PLATFORMS)}.")
            count = _as_count(f"posts_per_week[{platform!r}]", value)
            if not lo <= count <= hi:
                raise ParameterError(f"posts_per_week[{platform!r}] = {count} must be between {lo} and {hi} "
                                     "(leave a platform out to skip it).")
            ppw[platform] = count
        object.__setattr__(self, "posts_per_week", ppw)

    def _check_mix(self) -> None:
        mix = dict(self.mix)
        if set(mix) != set(TIERS):
            raise ParameterError(f"mix must give a share for exactly the tiers {', '.join(TIERS)}; got {sorted(mix)}.")
        for tier, share in mix.items():
            if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
                raise ParameterError(f"mix[{tier!r}] = {share!r} must be a share between 0 and 1.")
        total = sum(mix.values())
        if abs(total - 1) > 1e-6:
            raise ParameterError(f"mix shares must sum to 1 (100%); they sum to {total:.3f}: "
                                 + ", ".join(f"{t} {mix[t]:.0%}" for t in TIERS) + ".")
        object.__setattr__(self, "mix", {t: float(mix[t]) for t in TIERS})

    def _check_scalars(self) -> None:
        lo, hi = RESERVE_RANGE
        if not isinstance(self.reserve_share, (int, float)) or not lo - 1e-9 <= self.reserve_share <= hi + 1e-9:
            raise ParameterError(f"reserve_share = {self.reserve_share!r} must be between {lo:.0%} and {hi:.0%} "
                                 "(METHODOLOGY §5 keeps 20–30% of slots for breaking trends).")
        lo, hi = MIN_GAP_RANGE
        if not isinstance(self.min_gap_hours, (int, float)) or not lo <= self.min_gap_hours <= hi:
            raise ParameterError(f"min_gap_hours = {self.min_gap_hours!r} must be between {lo:g} and {hi:g} hours.")
        check_timezone("timezone", self.timezone)
        per_day = 24 // gap_step(self.min_gap_hours)
        for platform, ppw in self.posts_per_week.items():
            if ppw / 7 > per_day + 1e-9:
                raise ParameterError(
                    f"posts_per_week[{platform!r}]: {ppw} posts/week need ≥ {ppw / 7:.1f} per day, but a "
                    f"{self.min_gap_hours:g}-hour minimum gap allows at most {per_day} per day; plan at most "
                    f"{7 * per_day} posts/week or lower min_gap_hours.")

    def _check_fixed(self) -> None:
        columns = tuple(c if isinstance(c, FixedColumn) else FixedColumn(*c) for c in self.fixed_columns)
        object.__setattr__(self, "fixed_columns", columns)
        for c in columns:
            if c.platform not in self.posts_per_week:
                raise ParameterError(f"fixed column {c.label!r} is on {c.platform!r}, which is not in posts_per_week "
                                     f"({', '.join(self.posts_per_week)}).")
        for platform, ppw in self.posts_per_week.items():
            mine = [c for c in columns if c.platform == platform]
            if len(mine) > ppw:
                raise ParameterError(f"{platform}: {len(mine)} fixed weekly columns need {len(mine)} posts/week, "
                                     f"but posts_per_week[{platform!r}] = {ppw}; drop a column or post more.")
            if ppw <= 7:
                for wd in range(7):
                    same = [c.label for c in mine if c.weekday == wd]
                    if len(same) > 1:
                        raise ParameterError(f"{platform}: fixed columns {same} share {WEEKDAYS[wd]}, but at "
                                             f"{ppw} posts/week a platform posts at most once a day.")

    def __repr__(self) -> str:
        ppw = ", ".join(f"{p} {n}" for p, n in self.posts_per_week.items())
        mix = " / ".join(f"{t} {self.mix[t]:.0%}" for t in TIERS)
        return (f"PlanSettings(posts/week {ppw}; mix {mix}; reserve {self.reserve_share:.0%}; "
                f"{len(self.fixed_columns)} fixed columns; min gap {self.min_gap_hours:g} h; {self.timezone})")


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------

def parse_month(month: object) -> tuple[int, int]:
    """(year, month) from 'YYYY-MM', a pandas Period/Timestamp or a date."""
    if isinstance(month, (pd.Period, pd.Timestamp, dt.date)):
        return int(month.year), int(month.month)
    text = str(month).strip()
    try:
        year, mon = (int(part) for part in text.split("-"))
        if not 1 <= mon <= 12 or not 1900 <= year <= 2999:
            raise ValueError
    except ValueError:
        raise ParameterError(f"plan month {month!r} must look like 'YYYY-MM', e.g. '2025-06'.") from None
    return year, mon


@dataclass(frozen=True)
class _KeyDate:
    day: dt.date
    name: str
    kind: str
    warmup_start: dt.date
    flagship: bool
    aliases: tuple[str, ...] = ()
    name_zh: str = ""

    @property
    def title(self) -> str:
        """The name a reader sees: the Chinese name in zh-CN when the table gives one."""
        return self.name_zh if i18n.is_chinese() and self.name_zh else self.name


_KIND_NAMES: dict[str, str] = {"holiday": N_("public holiday"), "marketing": N_("marketing date")}


def _kind_name(kind: str) -> str:
    """A key date's kind in the run's language (unknown kinds as given)."""
    return _(_KIND_NAMES[kind]) if kind in _KIND_NAMES else str(kind)


def _split_names(value: object) -> tuple[str, ...]:
    """';'-joined names as a tuple (missing → empty)."""
    return tuple(n.strip() for n in str(value).split(";") if n.strip()) if isinstance(value, str) else ()


def _key_dates(key_dates: pd.DataFrame | None, first: dt.date, last: dt.date) -> list[_KeyDate]:
    """Key dates whose day or warm-up window touches the month, one per name (flagship rule: build_calendar)."""
    if key_dates is None or len(key_dates) == 0:
        return []
    require_columns(key_dates, ["date", "name"], "key_dates")
    frame = key_dates.reset_index(drop=True)
    days = pd.to_datetime(frame["date"], errors="coerce")
    if days.isna().any():
        raise DataError(f"key_dates: unreadable date(s) in rows {list(frame.index[days.isna()])[:5]}.")
    has_lead = "lead_days" in frame.columns
    lead = pd.to_numeric(frame["lead_days"], errors="coerce").fillna(0) if has_lead else pd.Series(0.0, frame.index)
    warm = (pd.to_datetime(frame["warmup_start"], errors="coerce") if "warmup_start" in frame.columns
            else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]"))
    warm = warm.fillna(days - pd.to_timedelta(lead, unit="D"))
    kinds = frame["kind"].fillna("").astype(str) if "kind" in frame.columns else pd.Series("", index=frame.index)
    if "flagship" in frame.columns:
        eligible = frame["flagship"].fillna(False).astype(bool)
    else:  # dates.key_dates gives observed, substituted and second-and-later holiday days no warm-up
        eligible = ~((kinds == "holiday") & (lead <= 0)) if has_lead else pd.Series(True, index=frame.index)
    zh = frame["name_zh"].fillna("").astype(str) if "name_zh" in frame.columns else pd.Series("", index=frame.index)
    more = frame["aliases"].fillna("").astype(str) if "aliases" in frame.columns else pd.Series("", index=frame.index)
    out: dict[str, _KeyDate] = {}
    rows = sorted(zip(days.dt.date, frame["name"].astype(str), warm.dt.date, kinds, eligible, zh, more, strict=True))
    for day, name, start, kind, flag, alias, other in rows:
        in_month = first <= day <= last
        if not (in_month or (day > last and start <= last)):
            continue
        current = out.get(name)
        if current is None or (not current.flagship and flag and in_month):
            out[name] = _KeyDate(day, name, kind, min(start, day), bool(flag and in_month),
                                 tuple(dict.fromkeys(x for x in (name, alias, *_split_names(other)) if x)), alias)
    return sorted(out.values(), key=lambda k: (k.day, k.name))


def _windows(windows: pd.DataFrame, platforms: Sequence[str]) -> dict[str, dict[int, list[tuple[int, float]]]]:
    """Per platform and weekday, the (hour, score) windows sorted by hour (duplicates averaged)."""
    if "score" not in windows.columns and "er_shrunk" in windows.columns:
        windows = windows.rename(columns={"er_shrunk": "score"})
    require_columns(windows, ["platform", "weekday", "hour", "score"], "windows")
    frame = windows[["platform", "weekday", "hour", "score"]].copy()
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce")
    frame = frame.dropna(subset=["score"])
    frame["weekday"] = pd.to_numeric(frame["weekday"], errors="coerce")
    frame["hour"] = pd.to_numeric(frame["hour"], errors="coerce")
    bad = ~frame["weekday"].between(0, 6) | ~frame["hour"].between(0, 23)
    if bad.any():
        raise DataError(f"windows: weekday must be 0–6 and hour 0–23; rows {list(frame.index[bad])[:5]} are not.")
    frame = frame.groupby(["platform", "weekday", "hour"], as_index=False)["score"].mean()
    out: dict[str, dict[int, list[tuple[int, float]]]] = {}
    for platform in platforms:
        mine = frame[frame["platform"] == platform]
        if mine.empty:
            raise DataError(f"windows has no rows for platform {platform!r} (it has: "
                            f"{', '.join(map(str, frame['platform'].unique())) or 'none'}); "
                            "compute its posting windows first or leave the platform out.")
        table: dict[int, list[tuple[int, float]]] = {wd: [] for wd in range(7)}
        for wd, hour, score in zip(mine["weekday"], mine["hour"], mine["score"], strict=True):
            table[int(wd)].append((int(hour), float(score)))
        out[platform] = {wd: sorted(v) for wd, v in table.items()}
    return out


@dataclass(frozen=True, eq=False)
class _Topic:
    rank: int
    topic: str
    pillar: str
    format: str
    score: float                                   # the best score over platforms (NaN: no estimate)
    reason: str
    by_platform: Mapping[str, tuple[float, str]]   # platform → (score, reason) when topics are per platform

    def score_on(self, platform: str) -> tuple[float, str]:
        """The topic's score and reason on a platform (its overall ones when the table is not per platform)."""
        return self.by_platform.get(platform, (self.score, self.reason))


def _topics(topics: pd.DataFrame | None) -> list[_Topic]:
    """The topic bank, one entry per topic, best score first (no estimate last, ties keep the bank's order).

    Takes a plain ranked table (topic, pillar, format, score[, reason]) or score_topics' table with one
    row per topic × platform, whose per-platform score and reason are then used for that platform's slots.
    """
    if topics is None or len(topics) == 0:
        raise ParameterError("the topic bank is empty: a calendar needs at least one scored topic to fill its slots "
                             "(add rows to topic_bank, or check the scoring filters).")
    require_columns(topics, ["topic", "pillar", "format", "score"], "topics")
    score = pd.to_numeric(topics["score"], errors="coerce")
    bad = ~topics["format"].isin(POST_FORMATS)
    if bad.any():
        raise DataError(f"topics: format must be one of {', '.join(POST_FORMATS)}; rows "
                        f"{list(topics.index[bad])[:5]} have {sorted(set(topics['format'][bad].astype(str)))}.")
    reasons = topics["reason"].fillna("").astype(str) if "reason" in topics.columns else pd.Series("", topics.index)
    platform = topics["platform"].astype(str) if "platform" in topics.columns else pd.Series("", topics.index)
    entries: dict[str, dict[str, Any]] = {}
    for name, pillar, fmt, sc, why, plat in zip(topics["topic"].astype(str), topics["pillar"].astype(str),
                                                 topics["format"].astype(str), score.astype(float), reasons, platform,
                                                 strict=True):
        e = entries.setdefault(name, {"pillar": pillar, "format": fmt, "score": float("nan"), "reason": why,
                                      "by": {}})
        if not math.isnan(sc) and (math.isnan(e["score"]) or sc > e["score"]):
            e["score"], e["reason"] = sc, why
        if plat:
            e["by"].setdefault(plat, (sc, why))
    names = list(entries)
    order = sorted(range(len(names)), key=lambda i: (_score_key(entries[names[i]]["score"]), i))
    return [_Topic(k, names[i], entries[names[i]]["pillar"], entries[names[i]]["format"], entries[names[i]]["score"],
                   entries[names[i]]["reason"], entries[names[i]]["by"]) for k, i in enumerate(order)]


def _score_key(score: float) -> tuple[bool, float]:
    """Sort key: higher scores first, missing scores last."""
    return (math.isnan(score), 0.0 if math.isnan(score) else -score)


# ---------------------------------------------------------------------------------------------
# Placement
# ---------------------------------------------------------------------------------------------

def _line_cap(hours: Sequence[int], step: int) -> int:
    """Most posts one day's window hours take at `step` hours apart (earliest-first greedy is optimal)."""
    count, last = 0, None
    for h in hours:
        if last is None or h - last >= step:
            count, last = count + 1, h
    return count


def _spread(n_days: int, anchors: Sequence[int], candidates: Sequence[int], k: int,
            score: Mapping[int, float]) -> list[int]:
    """Choose k candidate days that keep the largest gap between posting days (edges 0 and D+1) smallest."""
    points = [0, *sorted(anchors), n_days + 1]
    pool = set(candidates)
    segments = [(a, b, [d for d in range(a + 1, b) if d in pool]) for a, b in itertools.pairwise(points)]
    added = [0] * len(segments)
    for _step in range(k):
        open_ = [i for i, (_a, _b, free) in enumerate(segments) if added[i] < len(free)]
        i = max(open_, key=lambda j: (math.ceil((segments[j][1] - segments[j][0]) / (added[j] + 1)),
                                      segments[j][1] - segments[j][0], -j))
        added[i] += 1
    chosen: list[int] = []
    for (a, b, free), m in zip(segments, added, strict=True):
        taken: set[int] = set()
        for j in range(1, m + 1):
            ideal = a + j * (b - a) / (m + 1)
            day = min((d for d in free if d not in taken), key=lambda d: (abs(d - ideal), -score.get(d, 0.0), d))
            taken.add(day)
        chosen.extend(sorted(taken))
    return chosen


def _latest_start(hours: Sequence[int], count: int, step: int) -> int | None:
    """The latest hour from which `count` of these hours, `step` apart, still fit (None: they never do)."""
    for start in sorted(hours, reverse=True):
        if _line_cap([h for h in hours if h >= start], step) >= count:
            return start
    return None


def _choose_hours(windows: Sequence[tuple[int, float]], count: int, step: int, lower: int,
                  upper: int = 23) -> list[int] | None:
    """The `count` best-scoring hours in [lower, upper], `step` hours apart (dynamic programme); None if none fit."""
    cand = [(h, s) for h, s in windows if lower <= h <= upper]
    if len(cand) < count:
        return None
    if count == 1:
        return [max(cand, key=lambda hs: (hs[1], hs[0]))[0]]
    n = len(cand)
    best: list[list[tuple[float, list[int]] | None]] = [[None] * n for _ in range(count + 1)]
    for i, (_hour, s) in enumerate(cand):
        best[1][i] = (s, [i])
    for k in range(2, count + 1):
        for i, (h, s) in enumerate(cand):
            options = [o for j, o in enumerate(best[k - 1][:i]) if o is not None and h - cand[j][0] >= step]
            if options:
                top = max(options, key=lambda o: o[0])
                best[k][i] = (top[0] + s, [*top[1], i])
    finals = [b for b in best[count] if b is not None]
    if not finals:
        return None
    return [cand[i][0] for i in max(finals, key=lambda o: o[0])[1]]


@dataclass
class _Slot:
    day: int
    hour: int
    platform: str
    score: float
    role: str = "regular"
    tier: str = ""
    format: str = ""
    label: str = ""
    key_date: str = ""
    note: str = ""
    pillar: str = ""
    topic: str = ""
    reason: str = ""
    topic_format: str = ""
    topic_score: float = float("nan")
    shared_with: str = ""


# ---------------------------------------------------------------------------------------------
# What cannot be met: one message per constraint, in the run's language, with its numbers and fix
# ---------------------------------------------------------------------------------------------

class CalendarError(ParameterError):
    """Settings a month's calendar cannot meet: the message names the constraint, its numbers and the fix."""


def _fail(month: str, problem: str, fix: str = "") -> CalendarError:
    """The error for a constraint the month cannot meet: "Cannot build the Dec 2026 calendar: {problem}. {fix}"."""
    year, mon = parse_month(month)
    name = i18n.fmt_month(dt.date(year, mon, 1))
    if not fix:
        return CalendarError(_("Cannot build the {month} calendar: {problem}.").format(month=name, problem=problem))
    return CalendarError(_("Cannot build the {month} calendar: {problem}. {fix}").format(
        month=name, problem=problem, fix=fix))


def _day_of(month: str, day: int) -> dt.date:
    """Day `day` of the month labelled `month` ('YYYY-MM')."""
    year, mon = parse_month(month)
    return dt.date(year, mon, day)


def _day_with_weekday(day: dt.date) -> str:
    """A day of the plan with its weekday: 6月1日（周日） / Sun 1 Jun."""
    return _("{weekday} {date}").format(weekday=weekday_name(day.weekday()), date=short_date(day))


def _tier_posts(n: int, tier: str) -> str:
    """A number of posts of one tier: 4 条重磅内容 / 4 flagship posts."""
    return ngettext("{n} {tier} post", "{n} {tier} posts", n).format(n=n, tier=tier_name(tier))


def _mix_error(month: str, tier: str, forced: int, share: float, planned: int, most: int) -> CalendarError:
    """Fixed columns and key dates need more posts of a tier than its share of the planned slots allows."""
    problem = ngettext(
        "fixed columns and key dates need {n} {tier} post, but the mix gives {tier} {share} of {planned} planned "
        "slots = {exact} (at most {most})",
        "fixed columns and key dates need {n} {tier} posts, but the mix gives {tier} {share} of {planned} planned "
        "slots = {exact} (at most {most})", forced).format(
        n=forced, tier=tier_name(tier), share=i18n.fmt_percent(share, 0), planned=planned,
        exact=i18n.fmt_number(share * planned, 1), most=most)
    fix = _("Raise the {tier} share to at least {need}, or drop {tier} fixed columns / key dates.").format(
        tier=tier_name(tier), need=i18n.fmt_percent(forced / planned, 0))
    return _fail(month, problem, fix)


def _tier_split_error(month: str, forced: Mapping[str, int], planned: int) -> CalendarError:
    """The placed posts leave no tier counts within one slot of the mix."""
    posts = i18n.listed(_tier_posts(forced[t], t) for t in TIERS if forced[t])
    problem = _("fixed columns and key dates force {posts}, which leaves no way to keep every tier within one slot "
                "of the mix over {planned} planned slots").format(posts=posts, planned=planned)
    return _fail(month, problem, _("Change the mix or the fixed columns."))


def _room_error(month: str, platform: str, ppw: int, n_slots: int, step: int, room: int) -> CalendarError:
    """A platform's posting windows fit fewer posts than its slots."""
    n_days = _calendar.monthrange(*parse_month(month))[1]
    values = {"platform": i18n.platform_name(platform), "slots": n_slots, "ppw": ppw, "days": n_days, "gap": step,
              "room": room}
    if ppw <= 7:
        problem = _("{platform} needs {slots} slots ({ppw} posts/week × {days} days ÷ 7), but its posting windows "
                    "fit at most {room} with posts at least {gap} hours apart and one a day").format(**values)
    else:
        problem = _("{platform} needs {slots} slots ({ppw} posts/week × {days} days ÷ 7), but its posting windows "
                    "fit at most {room} with posts at least {gap} hours apart").format(**values)
    return _fail(month, problem, _("Post less, lower the minimum gap (min_gap_hours), or widen the posting windows."))


def _column_room_error(month: str, platform: str, day: int, columns: int, cap: int) -> CalendarError:
    """A day has more fixed columns than its posting windows fit."""
    problem = ngettext("{platform} has {n} fixed column on {day}, but its posting windows that day have room for "
                       "{cap}",
                       "{platform} has {n} fixed columns on {day}, but its posting windows that day have room for "
                       "{cap}", columns).format(platform=i18n.platform_name(platform), n=columns, cap=cap,
                                                day=_day_with_weekday(_day_of(month, day)))
    return _fail(month, problem, _("Move the column to a weekday with posting windows."))


def _key_date_error(month: str, key: _KeyDate, carriers: Sequence[str]) -> CalendarError:
    """No platform that may carry a key date's flagship has a slot that day."""
    problem = ngettext("key date {name} ({day}) needs a flagship slot, but {platforms} has no free slot or posting "
                       "window that day",
                       "key date {name} ({day}) needs a flagship slot, but {platforms} have no free slot or posting "
                       "window that day", len(carriers)).format(
        name=key.title, day=short_date(key.day), platforms=i18n.listed(i18n.platform_name(p) for p in carriers))
    return _fail(month, problem, _("Post more often, drop a fixed column, or name more platforms in "
                                   "flagship_platforms."))


def _placed_error(month: str, platform: str, placed: int, n_slots: int) -> CalendarError:
    """A platform has more placed posts (fixed columns, key-date flagships) than slots."""
    problem = _("{platform} has {n} fixed-column and key-date posts but only {slots} slots").format(
        platform=i18n.platform_name(platform), n=placed, slots=n_slots)
    return _fail(month, problem, _("Post more often or drop a fixed column."))


def _gap_error(month: str, platform: str, ppw: int, limit: int, start: int, end: int) -> CalendarError:
    """Two consecutive posting days (days 0 and D + 1 are the month's edges) are too far apart."""
    n_days = _calendar.monthrange(*parse_month(month))[1]
    first = _("the month's start") if start == 0 else short_date(_day_of(month, start))
    last = _("the month's end") if end == n_days + 1 else short_date(_day_of(month, end))
    problem = _("{platform} at {ppw} posts/week allows at most {limit} days between posting days, but its posting "
                "windows, fixed columns and key dates leave {gap} days ({first} → {last})").format(
        platform=i18n.platform_name(platform), ppw=ppw, limit=limit, gap=end - start, first=first, last=last)
    return _fail(month, problem, _("Add posting windows on more weekdays or post more often."))


def _hours_error(month: str, platform: str, day: int, posts: int, step: int,
                 windows: Sequence[tuple[int, float]]) -> CalendarError:
    """A posting day's posts do not fit its weekday's windows `step` hours apart."""
    when = _day_of(month, day)
    problem = ngettext("{platform} on {day}: {n} post {gap} hours after the previous post does not fit its {weekday} "
                       "windows ({hours})",
                       "{platform} on {day}: {n} posts {gap} hours apart (and {gap} hours after the previous post) do "
                       "not fit its {weekday} windows ({hours})", posts).format(
        platform=i18n.platform_name(platform), day=short_date(when), n=posts, gap=step,
        weekday=weekday_name(when.weekday()), hours=i18n.listed(f"{h:02d}:00" for h, _score in windows))
    return _fail(month, problem, _("Lower the minimum gap (min_gap_hours) or widen the posting windows."))


def _reserve_error(month: str, n_reserve: int, total: int, share: float, free: int) -> CalendarError:
    """Fixed columns and key dates leave fewer free slots than the reserve needs."""
    problem = _("the reserve needs {n} of {total} slots ({share}), but fixed columns and key dates leave only {free} "
                "free slots").format(n=n_reserve, total=total, share=i18n.fmt_percent(share, 0), free=free)
    return _fail(month, problem, _("Drop a fixed column or post more often."))


def _split_largest_remainder(total: int, weights: Mapping[str, float], caps: Mapping[str, int]) -> dict[str, int]:
    """Split `total` in proportion to `weights` (largest remainder), never above `caps`."""
    wsum = sum(weights.values()) or 1.0
    exact = {k: total * w / wsum for k, w in weights.items()}
    out = {k: min(math.floor(v), caps[k]) for k, v in exact.items()}
    order = sorted(weights, key=lambda k: (-(exact[k] - math.floor(exact[k])), list(weights).index(k)))
    while sum(out.values()) < total:
        room = [k for k in order if out[k] < caps[k]][: total - sum(out.values())]
        if not room:
            break
        for k in room:
            out[k] += 1
    return out


def _tier_counts(planned: int, mix: Mapping[str, float], forced: Mapping[str, int], month: str) -> dict[str, int]:
    """Tier counts within one slot of share × planned (floor or ceil) and at least the forced ones."""
    exact = {t: mix[t] * planned for t in TIERS}
    low = {t: math.floor(exact[t] + 1e-9) for t in TIERS}
    high = {t: math.ceil(exact[t] - 1e-9) for t in TIERS}
    for t in TIERS:
        if forced[t] > high[t]:
            raise _mix_error(month, t, forced[t], mix[t], planned, high[t])
    counts = {t: max(low[t], forced[t]) for t in TIERS}
    order = sorted(TIERS, key=lambda t: (-(exact[t] - low[t]), TIERS.index(t)))
    for t in order:
        if sum(counts.values()) >= planned:
            break
        if counts[t] < high[t]:
            counts[t] += 1
    if sum(counts.values()) != planned:
        raise _tier_split_error(month, forced, planned)
    return counts


# ---------------------------------------------------------------------------------------------
# The calendar, phase by phase
# ---------------------------------------------------------------------------------------------

#: A post placed on a day before the others are spread: ("fixed", FixedColumn), ("key", _KeyDate) or
#: ("fixed+key", (FixedColumn, _KeyDate)) when a key date's flagship upgrades a fixed column's post.
_Forced = tuple[str, Any]


@dataclass(frozen=True)
class _Month:
    """The month being planned: its label ('YYYY-MM'), its number of days and each day's weekday (0 = Monday)."""

    label: str
    year: int
    mon: int
    n_days: int
    weekday: Mapping[int, int]

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.mon, 1)

    @property
    def last(self) -> dt.date:
        return dt.date(self.year, self.mon, self.n_days)

    def date(self, day: int) -> dt.date:
        return dt.date(self.year, self.mon, day)


def _month(month: object) -> _Month:
    """The plan month from 'YYYY-MM' (or a Period, Timestamp or date)."""
    year, mon = parse_month(month)
    n_days = _calendar.monthrange(year, mon)[1]
    return _Month(f"{year:04d}-{mon:02d}", year, mon, n_days,
                  {d: dt.date(year, mon, d).weekday() for d in range(1, n_days + 1)})


@dataclass(frozen=True)
class _Grid:
    """Per platform: the posts its windows fit on each day, each day's best window score, its slots in the
    month and the posts placed on days before the others (fixed columns, then key-date flagships)."""

    cap: Mapping[str, Mapping[int, int]]
    day_score: Mapping[str, Mapping[int, float]]
    n_slots: Mapping[str, int]
    forced: Mapping[str, Mapping[int, list[_Forced]]]

    def n_forced(self, platform: str) -> int:
        """How many posts are already placed on the platform's days."""
        return sum(len(items) for items in self.forced[platform].values())


def _fixed_column_days(month: _Month, settings: PlanSettings) -> dict[str, dict[int, list[_Forced]]]:
    """Phase 1, fixed columns: each column on every day of the month that falls on its weekday."""
    forced: dict[str, dict[int, list[_Forced]]] = {p: {} for p in settings.posts_per_week}
    for column in settings.fixed_columns:
        for day, weekday in month.weekday.items():
            if weekday == column.weekday:
                forced[column.platform].setdefault(day, []).append(("fixed", column))
    return forced


def _slot_grid(month: _Month, settings: PlanSettings, wins: Mapping[str, Mapping[int, list[tuple[int, float]]]],
               step: int, forced: Mapping[str, Mapping[int, list[_Forced]]]) -> _Grid:
    """Phase 2, the slot grid: per platform the posts each day's windows fit `step` hours apart (at most one
    a day up to 7 posts a week), each day's best window score and the month's slots (at least its fixed
    columns); ParameterError when the windows cannot hold the slots or a day's fixed columns."""
    cap: dict[str, dict[int, int]] = {}
    day_score: dict[str, dict[int, float]] = {}
    n_slots: dict[str, int] = {}
    for p, ppw in settings.posts_per_week.items():
        line = {wd: _line_cap([h for h, _ in wins[p][wd]], step) for wd in range(7)}
        cap[p] = {d: (min(1, line[wd]) if ppw <= 7 else line[wd]) for d, wd in month.weekday.items()}
        day_score[p] = {d: max((s for _, s in wins[p][wd]), default=0.0) for d, wd in month.weekday.items()}
        n_slots[p] = max(slots_for_month(ppw, month.n_days), sum(len(v) for v in forced[p].values()))
        _check_room(month, p, ppw, step, n_slots[p], cap[p], forced[p])
    return _Grid(cap, day_score, n_slots, forced)


def _check_room(month: _Month, platform: str, ppw: int, step: int, n_slots: int, cap: Mapping[int, int],
                forced: Mapping[int, list[_Forced]]) -> None:
    """ParameterError when a platform's windows fit fewer posts than its slots, or than a day's fixed columns."""
    room = sum(cap.values())
    if n_slots > room:
        raise _room_error(month.label, platform, ppw, n_slots, step, room)
    for d, items in forced.items():
        if len(items) > cap[d]:
            raise _column_room_error(month.label, platform, d, len(items), cap[d])


def _flagship_carriers(settings: PlanSettings) -> list[str]:
    """The platforms that may carry a key date's flagship: flagship_platforms, else every platform, those
    whose flagship format is live or video first."""
    platforms = list(settings.posts_per_week)
    video_first = sorted(platforms, key=lambda p: (TIER_FORMAT[p]["flagship"] not in ("live", "video"),
                                                   platforms.index(p)))
    return list(settings.flagship_platforms) or video_first


def _key_date_flagships(month: _Month, keys: Sequence[_KeyDate], settings: PlanSettings, grid: _Grid) -> _Grid:
    """Phase 3, key-date flagships: one per key date in the month, on the least-loaded carrier with a free
    slot that day, else upgrading a carrier's fixed column that day; ParameterError when neither exists."""
    forced = {p: {d: list(items) for d, items in days.items()} for p, days in grid.forced.items()}
    carriers = _flagship_carriers(settings)
    load = dict.fromkeys(settings.posts_per_week, 0)
    for k in (k for k in keys if k.flagship):
        d = k.day.day
        free = [p for p in carriers if sum(len(v) for v in forced[p].values()) < grid.n_slots[p]
                and len(forced[p].get(d, [])) < grid.cap[p][d]]
        upgrade = [p for p in carriers if any(kind == "fixed" for kind, _ in forced[p].get(d, []))]
        if free:
            p = min(free, key=lambda q: (load[q], carriers.index(q)))
            forced[p].setdefault(d, []).append(("key", k))
        elif upgrade:
            p = min(upgrade, key=lambda q: (load[q], carriers.index(q)))
            items = forced[p][d]
            i = next(i for i, (kind, _) in enumerate(items) if kind == "fixed")
            items[i] = ("fixed+key", (items[i][1], k))
        else:
            raise _key_date_error(month.label, k, carriers)
        load[p] += 1
    return replace(grid, forced=forced)


def _posting_days(month: _Month, platform: str, grid: _Grid) -> dict[int, int]:
    """Phase 4a, posting days: posts per day of one platform — its placed posts, then the rest spread over
    the month one level at a time (first posts, then second posts, ...) so the longest gap is smallest."""
    counts = {d: len(v) for d, v in grid.forced[platform].items()}
    n_slots = grid.n_slots[platform]
    if sum(counts.values()) > n_slots:
        raise _placed_error(month.label, platform, sum(counts.values()), n_slots)
    need, level = n_slots - sum(counts.values()), 0
    while need > 0:
        cand = [d for d in month.weekday if counts.get(d, 0) == level and grid.cap[platform][d] > level]
        anchors = [d for d in month.weekday if counts.get(d, 0) > level]
        for d in _spread(month.n_days, anchors, cand, min(need, len(cand)), grid.day_score[platform]):
            counts[d] = level + 1
            need -= 1
        level += 1
    return counts


def _check_gaps(month: _Month, platform: str, ppw: int, days: Sequence[int]) -> None:
    """ParameterError when consecutive posting days (the month edges count as days 0 and D + 1) are more
    than max_gap_days(ppw) apart: a safety net, as the windows passed the slot grid's checks."""
    limit = max_gap_days(ppw)
    worst = max((b - a, a, b) for a, b in itertools.pairwise([0, *days, month.n_days + 1]))
    if worst[0] > limit:
        raise _gap_error(month.label, platform, ppw, limit, worst[1], worst[2])


def _posting_hours(month: _Month, platform: str, wins: Mapping[int, list[tuple[int, float]]],
                   counts: Mapping[int, int], step: int) -> list[tuple[int, list[int]]]:
    """Phase 4b, posting hours: (day, hours) per posting day of one platform, in day order."""
    days = sorted(d for d, c in counts.items() if c > 0)
    out: list[tuple[int, list[int]]] = []
    prev: int | None = None
    for i, d in enumerate(days):
        nxt = days[i + 1] if i + 1 < len(days) else None
        hours = _day_hours(month, platform, wins, counts, step, d, nxt, prev)
        out.append((d, hours))
        prev = (d - 1) * 24 + max(hours)
    return out


def _day_hours(month: _Month, platform: str, wins: Mapping[int, list[tuple[int, float]]], counts: Mapping[int, int],
               step: int, day: int, nxt: int | None, prev: int | None) -> list[int]:
    """One day's hours: the best windows of its weekday `step` hours apart and `step` hours after the previous
    post (`prev`, hours since the month began), leaving room for the next posting day's posts when possible."""
    windows = wins[month.weekday[day]]
    lower = 0 if prev is None else max(0, prev + step - (day - 1) * 24)
    hours = None
    if nxt is not None:  # look one posting day ahead so that the next day's posts still fit
        latest = _latest_start([h for h, _ in wins[month.weekday[nxt]]], counts[nxt], step)
        if latest is not None:
            hours = _choose_hours(windows, counts[day], step, lower, min(23, latest + 24 * (nxt - day) - step))
    if hours is None:
        hours = _choose_hours(windows, counts[day], step, lower)
    if hours is None:
        raise _hours_error(month.label, platform, day, counts[day], step, windows)
    return hours


def _day_slots(platform: str, day: int, hours: Sequence[int], windows: Sequence[tuple[int, float]],
               forced: Sequence[_Forced]) -> list[_Slot]:
    """Phase 4c: one day's slots, best window first, the placed posts (fixed column, key-date flagship) on the
    best of them."""
    score = dict(windows)
    slots = sorted((_Slot(day, h, platform, score[h]) for h in hours), key=lambda s: (-s.score, s.hour))
    for s, (kind, item) in zip(slots, forced, strict=False):  # a day has at least as many slots as placed posts
        column, key = (item, None) if kind == "fixed" else (None, item) if kind == "key" else item
        if column is not None:
            s.role, s.tier, s.format, s.label = "fixed", column.tier, column.format, column.label
            s.note = _("fixed column {label} ({weekday})").format(label=column.label,
                                                                    weekday=weekday_name(column.weekday))
        if key is not None:
            s.role, s.tier, s.key_date = "key_date", "flagship", key.name
            flag = (_("flagship for key date {name} ({kind})").format(name=key.title, kind=_kind_name(key.kind))
                    if key.kind else _("flagship for key date {name}").format(name=key.title))
            s.note = "; ".join(x for x in (s.note, flag) if x)
    return slots


def _place_slots(month: _Month, settings: PlanSettings, wins: Mapping[str, Mapping[int, list[tuple[int, float]]]],
                 step: int, grid: _Grid) -> list[_Slot]:
    """Phase 4, placement: every platform's posting days, hours and slots, sorted by day, hour and platform."""
    platforms = list(settings.posts_per_week)
    slots: list[_Slot] = []
    for p, ppw in settings.posts_per_week.items():
        counts = _posting_days(month, p, grid)
        _check_gaps(month, p, ppw, sorted(d for d, c in counts.items() if c > 0))
        for d, hours in _posting_hours(month, p, wins[p], counts, step):
            slots.extend(_day_slots(p, d, hours, wins[p][month.weekday[d]], grid.forced[p].get(d, [])))
    slots.sort(key=lambda s: (s.day, s.hour, platforms.index(s.platform)))
    return slots


def _reserve_slots(month: _Month, settings: PlanSettings, slots: Sequence[_Slot], n_slots: Mapping[str, int]) -> None:
    """Phase 5, reserve: round-half-up(reserve_share × slots) regular slots, split over platforms in proportion
    to their slots (largest remainder) and spread evenly over each platform's month, become reserve slots."""
    platforms = list(settings.posts_per_week)
    total = len(slots)
    n_reserve = round_half_up(settings.reserve_share * total)
    regular = {p: [s for s in slots if s.platform == p and s.role == "regular"] for p in platforms}
    split = _split_largest_remainder(n_reserve, {p: float(n_slots[p]) for p in platforms},
                                     {p: len(regular[p]) for p in platforms})
    if sum(split.values()) < n_reserve:
        raise _reserve_error(month.label, n_reserve, total, settings.reserve_share,
                             sum(len(v) for v in regular.values()))
    for p in platforms:
        m, r = len(regular[p]), split[p]
        for j in range(r):
            s = regular[p][int((j + 0.5) * m / r)]
            s.role, s.tier, s.format, s.reason = "reserve", RESERVE_TIER, TIER_FORMAT[p]["daily"], _(RESERVE_REASON)


def _assign_tiers(month: _Month, mix: Mapping[str, float], slots: Sequence[_Slot]) -> None:
    """Phase 6, tiers: the planned slots get tier counts within one slot of share × planned (fixed columns and
    key dates count first); the regular slots take the tiers left, interleaved evenly through the month."""
    planned = sum(1 for s in slots if s.role != "reserve")
    forced = {t: sum(1 for s in slots if s.role in ("fixed", "key_date") and s.tier == t) for t in TIERS}
    counts = _tier_counts(planned, mix, forced, month.label)
    free = [s for s in slots if s.role == "regular"]
    remaining = {t: counts[t] - forced[t] for t in TIERS}
    assigned = dict.fromkeys(TIERS, 0)
    for i, s in enumerate(free):
        open_ = [t for t in TIERS if assigned[t] < remaining[t]]
        s.tier = max(open_, key=lambda t: (remaining[t] * (i + 1) / len(free) - assigned[t], -TIERS.index(t)))
        assigned[s.tier] += 1


def _warm_ups(month: _Month, keys: Sequence[_KeyDate], slots: Sequence[_Slot]) -> None:
    """Phase 7, warm-ups: regular daily and series posts inside a key date's warm-up window are labelled as the
    warm-up of the nearest such date."""
    for s in slots:
        if s.role != "regular" or s.tier not in ("daily", "series"):
            continue
        day = month.date(s.day)
        ahead = [k for k in keys if k.warmup_start <= day < k.day]
        if ahead:
            k = min(ahead, key=lambda k: k.day)
            s.role, s.key_date = "warm_up", k.name
            s.note = _("warm-up for {name} on {day}").format(name=k.title, day=short_date(k.day))


def _window_notes(slots: Sequence[_Slot], er_windows: bool) -> None:
    """Phase 8: a slot without a note yet says it sits at a top window of its platform, with the window's score."""
    for s in slots:
        window = (_("shrunk ER {er}").format(er=i18n.fmt_percent(s.score)) if er_windows
                  else _("window score {score}").format(score=f"{s.score:.2f}"))
        s.note = s.note or _("top {platform} window {time} ({window})").format(
            platform=i18n.platform_name(s.platform), time=f"{s.hour:02d}:00", window=window)


def build_calendar(month: object, settings: PlanSettings, windows: pd.DataFrame, topics: pd.DataFrame,
                   key_dates: pd.DataFrame | None = None, seasonal: Sequence[str] = ()) -> Calendar:
    """Next month's calendar under every rule of the module docstring, or ParameterError naming the one that fails.

    Inputs: `windows` [platform, weekday (0 = Monday), hour, score] — higher is better; without a
    score column, posting_windows' `er_shrunk` is used (and slot reasons quote it as shrunk ER).
    `topics` [topic, pillar, format, score, reason (optional)], either one row per topic or
    score_topics' one row per topic × platform (then each platform's own score and reason are used;
    a missing score ranks last). `key_dates` [date, name; optional kind, lead_days, warmup_start,
    name_zh, aliases (';'), flagship]. `seasonal`: every name of every holiday and marketing date
    (dates.seasonal_aliases); a topic whose text contains one is planned only around that date.

    Key dates: one flagship per distinct name on its earliest day in the month. Which rows get a
    flagship: the `flagship` column when given; otherwise every row except holiday rows with no
    warm-up (lead_days 0: the observed, substituted and second-and-later holiday days of
    dates.key_dates). Dates after the month whose warm-up starts in it only label warm-up posts.

    A topic runs at most once per platform: a platform with more planned slots than usable topics
    raises ParameterError with the numbers and the fixes (add topics, post less, reserve more).

    The phases, in order: fixed columns (1), the slot grid (2), key-date flagships (3), placement of
    days, hours and slots (4), reserve (5), tiers (6), warm-ups (7), window notes (8), topics (9) and,
    when capacity is given, the capacity re-cut (10).
    """
    plan = _month(month)
    platforms = list(settings.posts_per_week)
    bank = _topics(topics)
    er_windows = "score" not in windows.columns and "er_shrunk" in windows.columns
    wins = _windows(windows, platforms)
    keys = _key_dates(key_dates, plan.first, plan.last)
    step = gap_step(settings.min_gap_hours)
    grid = _slot_grid(plan, settings, wins, step, _fixed_column_days(plan, settings))
    grid = _key_date_flagships(plan, keys, settings, grid)
    slots = _place_slots(plan, settings, wins, step, grid)
    _reserve_slots(plan, settings, slots, grid.n_slots)
    _assign_tiers(plan, settings.mix, slots)
    _warm_ups(plan, keys, slots)
    _window_notes(slots, er_windows)
    notes = _fill_topics(slots, bank, keys, tuple(seasonal), plan.label)
    if settings.capacity:
        notes += _fit_capacity(slots, settings.capacity)
    return Calendar(plan.label, settings, _frame(slots, plan.year, plan.mon), tuple(notes))


def _seasons(topic: _Topic, seasonal: Sequence[str]) -> tuple[str, ...]:
    """The date names a topic's text contains (empty for an evergreen topic)."""
    return tuple(name for name in seasonal if name and name in topic.topic)


def _format_fit(slot: _Slot, topic: _Topic) -> int:
    """How well a topic's format fits a slot, 0 best: the fixed column's format (then its family); else the
    platform's format for the tier, then a native format suiting the tier, then any suiting it; 3 = re-cut."""
    if slot.format:  # a fixed column's format
        return 0 if topic.format == slot.format else 1 if _FAMILY[topic.format] == _FAMILY[slot.format] else 3
    if topic.format == TIER_FORMAT[slot.platform][slot.tier]:
        return 0
    if topic.format in TIER_FITS[slot.tier]:
        return 1 if topic.format in NATIVE_FORMATS[slot.platform] else 2
    return 3


def _topic_preference(slot: _Slot, topic: _Topic, seasons: Mapping[int, tuple[str, ...]],
                      used_on: Mapping[int, list[str]]) -> tuple:
    """Sort key of a topic for a slot (smallest first): seasonal before evergreen, then fewer platforms already
    using it, then score before format fit for flagships and format fit before score otherwise."""
    named = 0 if seasons[topic.rank] else 1
    score = _score_key(topic.score_on(slot.platform)[0])
    fit = _format_fit(slot, topic)
    if slot.tier == "flagship":
        return named, len(used_on[topic.rank]), score, fit, topic.rank
    return named, len(used_on[topic.rank]), fit, score, topic.rank


def _give_topic(slot: _Slot, topic: _Topic) -> None:
    """Put a topic on a slot: its format (kept when native and suiting the tier, else the tier's format), pillar,
    score and the reason."""
    best_format = TIER_FORMAT[slot.platform][slot.tier]
    if not slot.format:
        keep = topic.format in NATIVE_FORMATS[slot.platform] and (
            topic.format in TIER_FITS[slot.tier] or topic.format == best_format)
        slot.format = topic.format if keep else best_format
    slot.topic, slot.pillar, slot.topic_format = topic.topic, topic.pillar, topic.format
    score, why = topic.score_on(slot.platform)
    slot.topic_score = score
    parts = [slot.note, (_("no performance estimate for this topic") if math.isnan(score)
                         else _("topic score {score}").format(score=f"{score:.2f}")) + (f": {why}" if why else "")]
    if slot.format != topic.format:
        parts.append(_("re-cut from {old} to {new}").format(old=format_name(topic.format),
                                                            new=format_name(slot.format)))
    slot.reason = "; ".join(parts)


def _mark_shared(todo: Sequence[_Slot]) -> None:
    """Slots sharing a topic list the other platforms in `shared_with`, and say so in their reason."""
    by_topic: dict[str, list[_Slot]] = {}
    for s in todo:
        by_topic.setdefault(s.topic, []).append(s)
    for group in by_topic.values():
        for s in group:
            s.shared_with = ", ".join(dict.fromkeys(o.platform for o in group if o is not s))
            if s.shared_with:
                s.reason += "; " + _("also planned on {platforms}: one master piece, adapted per platform").format(
                    platforms=", ".join(i18n.platform_name(p) for p in s.shared_with.split(", ")))


def _fill_topics(slots: list[_Slot], bank: list[_Topic], keys: Sequence[_KeyDate], seasonal: Sequence[str],
                 month: str) -> list[str]:
    """Phase 9, topics: give each planned slot a topic under the module's topic rules; the notes to read.

    Per slot the preference is: a seasonal topic of the slot's key date first; then topics not yet
    planned on any platform; then, for flagships, the topic's score before its format fit (a
    flagship is the best topic, re-cut if need be) and for series/daily posts format fit before
    score (see _format_fit).
    """
    order = {"flagship": 1, "series": 2, "daily": 3}
    names = {k.name: set(k.aliases) for k in keys}
    known = tuple(dict.fromkeys([*seasonal, *(a for k in keys for a in k.aliases)]))
    seasons = {t.rank: _seasons(t, known) for t in bank}
    in_calendar = set().union(*names.values()) if names else set()
    todo = sorted((s for s in slots if s.role != "reserve"),
                  key=lambda s: (0 if s.role == "key_date" else order[s.tier], s.day, s.hour))
    used_on: dict[int, list[str]] = {t.rank: [] for t in bank}
    usable_count = sum(1 for t in bank if not seasons[t.rank] or in_calendar & set(seasons[t.rank]))
    platforms = list(dict.fromkeys(s.platform for s in slots))
    short = [p for p in platforms if sum(1 for s in todo if s.platform == p) > usable_count]
    if short:
        raise _usable_topics_error(short, slots, bank, seasons, in_calendar, month)
    for s in todo:
        mine = names.get(s.key_date, set())
        options = [t for t in bank if s.platform not in used_on[t.rank]
                   and (not seasons[t.rank] or bool(mine & set(seasons[t.rank])))]
        if not options:
            raise _usable_topics_error([s.platform], slots, bank, seasons, in_calendar, month)
        topic = min(options, key=lambda t: _topic_preference(s, t, seasons, used_on))
        used_on[topic.rank].append(s.platform)
        _give_topic(s, topic)
    _mark_shared(todo)
    return _topic_notes(todo, bank, keys, seasons, in_calendar)


def _usable_topics_error(short: Sequence[str], slots: Sequence[_Slot], bank: Sequence[_Topic],
                         seasons: Mapping[int, tuple[str, ...]], in_calendar: set[str], month: str) -> CalendarError:
    """The message when platforms have more planned slots than topics they may use."""
    planned = {p: sum(1 for s in slots if s.platform == p and s.role != "reserve") for p in short}
    evergreen = sum(1 for t in bank if not seasons[t.rank])
    other = sum(1 for t in bank if seasons[t.rank] and not in_calendar & set(seasons[t.rank]))
    here = len(bank) - evergreen - other
    counts = i18n.listed((_("{platform} {n}") if i else _("{platform} has {n} planned slots")).format(
        platform=i18n.platform_name(p), n=n) for i, (p, n) in enumerate(planned.items()))
    seasonal = (_(" plus {n} for this month's key dates").format(n=here) if here else "") + (
        _(" ({n} more belong to other dates)").format(n=other) if other else "")
    problem = ngettext("{counts}, but the topic bank has only {n} evergreen topic{seasonal}; a topic runs at most once "
                       "per platform in a month",
                       "{counts}, but the topic bank has only {n} evergreen topics{seasonal}; a topic runs at most "
                       "once per platform in a month", evergreen).format(counts=counts, n=evergreen, seasonal=seasonal)
    fix = _("Add topics to the topic bank (the topic_bank table), raise the reserve share, or post less on "
            "{platforms}.").format(platforms=i18n.listed(i18n.platform_name(p) for p in short))
    return _fail(month, problem, fix)


def _topic_notes(todo: Sequence[_Slot], bank: Sequence[_Topic], keys: Sequence[_KeyDate],
                 seasons: Mapping[int, tuple[str, ...]], in_calendar: set[str]) -> list[str]:
    """Plain-language notes: seasonal topics left for their month, key dates no topic speaks to, shared topics."""
    notes = []
    later = [t.topic for t in bank if seasons[t.rank] and not in_calendar & set(seasons[t.rank])]
    if later:
        notes.append(_("{n} seasonal topic(s) wait for their date and are not planned this month: {topics}.").format(
            n=len(later), topics="; ".join(later)))
    named = {n for s in todo for t in bank if t.topic == s.topic for n in seasons[t.rank]}
    for k in keys:
        if k.flagship and not named & set(k.aliases):
            notes.append(_("No topic in the bank names {name} ({aliases}): its flagship and warm-up posts carry the "
                           "best general topics; add a topic for it.").format(
                name=k.title, aliases=", ".join(a for a in k.aliases if a != k.title)))
    shared = sum(1 for s in todo if s.shared_with)
    if shared:
        notes.append(_("{shared} of {planned} planned posts share their topic with another platform: produce one "
                       "master piece per topic and adapt it.").format(shared=shared, planned=len(todo)))
    return notes


def _fit_capacity(slots: list[_Slot], capacity: Mapping[str, int]) -> list[str]:
    """Phase 10, capacity: re-cut planned posts of formats over production capacity, lowest tier first, to
    native formats with spare capacity; the notes say what moved and what could not."""
    planned = [s for s in slots if s.role != "reserve"]
    count = {f: sum(1 for s in planned if s.format == f) for f in POST_FORMATS}
    tier_order = {"daily": 0, "series": 1, "flagship": 2}
    notes = []
    for fmt in POST_FORMATS:
        cap = capacity.get(fmt)
        if cap is None or count[fmt] <= cap:
            continue
        movable = sorted((s for s in planned if s.format == fmt and s.role not in ("fixed", "key_date")),
                         key=lambda s: (tier_order[s.tier],
                                        -math.inf if math.isnan(s.topic_score) else s.topic_score, -s.day))
        moved = 0
        for s in movable:
            if count[fmt] <= cap:
                break
            choices = [f for f in (s.topic_format, TIER_FORMAT[s.platform][s.tier], *POST_FORMATS)
                       if f != fmt and f in NATIVE_FORMATS[s.platform]
                       and (f in TIER_FITS[s.tier] or f == TIER_FORMAT[s.platform][s.tier])
                       and capacity.get(f) is not None and count[f] < capacity[f]]
            if not choices:
                continue
            new = choices[0]
            count[fmt] -= 1
            count[new] += 1
            s.reason += "; " + _("re-cut from {old} to {new}: {old} is at production capacity ({cap} a month)").format(
                old=format_name(s.format), new=format_name(new), cap=cap)
            s.format = new
            moved += 1
        if moved:
            notes.append(_("{moved} {format} post(s) re-cut to other formats to stay within production capacity "
                           "({cap} a month).").format(moved=moved, format=format_name(fmt), cap=cap))
        if count[fmt] > cap:
            notes.append(_("{format}: {planned} planned against a capacity of {cap}, and no other format with spare "
                           "capacity suits the rest; raise capacity, post less or move the fixed column.").format(
                format=format_name(fmt), planned=count[fmt], cap=cap))
    return notes


def _frame(slots: list[_Slot], year: int, mon: int) -> pd.DataFrame:
    """The slots (already sorted by date, time and platform) as a tidy table in SLOT_COLUMNS order."""
    frame = pd.DataFrame({
        "date": pd.to_datetime([dt.date(year, mon, s.day) for s in slots]),
        "time": [f"{s.hour:02d}:00" for s in slots],
        "platform": [s.platform for s in slots],
        "tier": [s.tier for s in slots],
        "pillar": [s.pillar for s in slots],
        "format": [s.format for s in slots],
        "topic": [s.topic for s in slots],
        "reason": [s.reason for s in slots],
        "is_reserve": [s.role == "reserve" for s in slots],
        "key_date": [s.key_date for s in slots],
        "role": [s.role for s in slots],
        "label": [s.label for s in slots],
        "shared_with": [s.shared_with for s in slots],
        "topic_format": [s.topic_format for s in slots],
    }, columns=list(SLOT_COLUMNS))
    return frame.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False, repr=False)
class Calendar:
    """A month's plan: the slots table (SLOT_COLUMNS), the settings behind it and any warnings."""

    month: str
    settings: PlanSettings
    slots: pd.DataFrame
    notes: tuple[str, ...] = ()

    def summary(self) -> dict[str, Any]:
        """Mix achieved, reserve share, slots per platform, unfilled and repeated slots, key dates (summary.json)."""
        s = self.slots
        planned = s[~s["is_reserve"]]
        n_planned = len(planned)
        return {
            "month": self.month,
            "slots": len(s),
            "planned": int(n_planned),
            "reserve": int(s["is_reserve"].sum()),
            "reserve_share": float(s["is_reserve"].mean()) if len(s) else 0.0,
            "reserve_target": self.settings.reserve_share,
            "mix_target": dict(self.settings.mix),
            "mix_achieved": {t: float((planned["tier"] == t).sum() / n_planned) if n_planned else 0.0 for t in TIERS},
            "tier_counts": {t: int((s["tier"] == t).sum()) for t in (*TIERS, RESERVE_TIER)},
            "slots_per_platform": {p: int((s["platform"] == p).sum()) for p in self.settings.posts_per_week},
            "reserve_per_platform": {p: int(((s["platform"] == p) & s["is_reserve"]).sum())
                                     for p in self.settings.posts_per_week},
            "unfilled": int((planned["topic"] == "").sum()),
            "shared_topics": int((planned["shared_with"] != "").sum()),
            "distinct_topics": int(planned["topic"].nunique()),
            "key_date_flagships": {str(r.key_date): f"{r.date:%Y-%m-%d} {r.platform}"
                                   for r in s[s["role"] == "key_date"].itertuples()},
            "warm_up_posts": {str(k): int(n) for k, n in s[s["role"] == "warm_up"].groupby("key_date").size().items()},
            "notes": list(self.notes),
        }

    def __repr__(self) -> str:
        s = self.slots
        reserve = int(s["is_reserve"].sum())
        planned = s[~s["is_reserve"]]
        mix = " / ".join(f"{t} {(planned['tier'] == t).mean():.0%}" for t in TIERS) if len(planned) else "–"
        return (f"Calendar({self.month}: {len(s)} slots on {s['platform'].nunique()} platforms, reserve {reserve} "
                f"({reserve / max(len(s), 1):.0%}), mix {mix}, {planned['topic'].nunique()} distinct topics)")


# ---------------------------------------------------------------------------------------------
# Capacity and the month grid
# ---------------------------------------------------------------------------------------------

def capacity_check(slots: pd.DataFrame, capacity: Mapping[str, int]) -> pd.DataFrame:
    """Planned pieces per format against production capacity: planned, reserve, spare and a status per format.

    Reserve slots count as possible pieces: "tight" means the plan fits but using the whole reserve
    in that format would not; "full" that the plan uses the whole capacity (no reserve in that format).
    """
    if not capacity:
        raise ParameterError("capacity is empty: give pieces per month per format, e.g. {'short_video': 12}.")
    return capacity_table(slots, capacity)


def capacity_table(slots: pd.DataFrame, capacity: Mapping[str, int] | None) -> pd.DataFrame:
    """capacity_check's table; without a capacity (None or {}) every format's status is "no capacity given"."""
    capacity = dict(capacity or {})
    require_columns(slots, ["format", "is_reserve"], "slots")
    unknown = [f for f in capacity if f not in POST_FORMATS]
    if unknown:
        raise ParameterError(f"capacity: unknown format(s) {unknown}; use {', '.join(POST_FORMATS)}.")
    reserve = slots["is_reserve"].astype(bool)
    planned = slots.loc[~reserve, "format"].value_counts()
    spare = slots.loc[reserve, "format"].value_counts()
    formats = [f for f in POST_FORMATS if f in capacity or f in planned.index or f in spare.index]
    rows = []
    for f in formats:
        n, r = int(planned.get(f, 0)), int(spare.get(f, 0))
        c = capacity.get(f)
        if c is None:
            status, left = "no capacity given", float("nan")
        else:
            left = float(c - n)
            status = "over capacity" if n > c else "tight" if n + r > c else "full" if n == c else "ok"
        rows.append({"format": f, "planned": n, "reserve": r, "capacity": float("nan") if c is None else float(c),
                     "spare": left, "status": status})
    return pd.DataFrame(rows, columns=["format", "planned", "reserve", "capacity", "spare", "status"])


_TIER_MARK = {"flagship": "★", "series": "◆", "daily": "·", RESERVE_TIER: "○"}


def month_grid(slots: pd.DataFrame, month: object | None = None, width: int = 12) -> pd.DataFrame:
    """Week rows × Mon–Sun columns, each cell the day number and one line per slot (for a month-grid chart)."""
    require_columns(slots, ["date", "time", "platform", "tier", "topic"], "slots")
    dates = pd.to_datetime(slots["date"])
    if month is None:
        if slots.empty:
            raise ParameterError("month_grid needs the month when the slots table is empty.")
        month = dates.min()
    year, mon = parse_month(month)
    n_days = _calendar.monthrange(year, mon)[1]
    first = dt.date(year, mon, 1)
    start = first - dt.timedelta(days=first.weekday())
    weeks = (n_days + first.weekday() + 6) // 7
    key = slots["key_date"] if "key_date" in slots.columns else pd.Series("", index=slots.index)
    role = slots["role"] if "role" in slots.columns else pd.Series("", index=slots.index)
    lines: dict[dt.date, list[str]] = {}
    heads: dict[dt.date, str] = {}
    ordered = slots.assign(day_=dates.dt.date).sort_values(["day_", "time", "platform"], kind="stable")
    for r in ordered.itertuples():
        topic = str(r.topic) if r.tier != RESERVE_TIER else "reserve"
        short = topic if len(topic) <= width else topic[: width - 1] + "…"
        lines.setdefault(r.day_, []).append(f"{r.time} {r.platform} {_TIER_MARK.get(r.tier, '')} {short}")
        if role[r.Index] == "key_date":
            heads[r.day_] = f" {key[r.Index]}"
    cells = []
    for w in range(weeks):
        row = []
        for wd in range(7):
            day = start + dt.timedelta(days=7 * w + wd)
            row.append("" if day.month != mon else "\n".join([f"{day.day}{heads.get(day, '')}", *lines.get(day, [])]))
        cells.append(row)
    index = pd.Index([f"{start + dt.timedelta(days=7 * w):%Y-%m-%d}" for w in range(weeks)], name="week")
    return pd.DataFrame(cells, index=index, columns=list(WEEKDAYS))
