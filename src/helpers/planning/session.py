"""The content-planning notebook's set-up: validate every parameter once, load the tables, rebuild calendars.

`prepare_planning` turns the notebook's text parameters into checked values (a ParameterError names
the parameter, what it got and what it accepts) and loads `posts`, `topic_bank` and `accounts`
through `helpers.data`. The result, a `PlanningRun`, builds `PlanSettings` for the calendar and
rebuilds a calendar from changed mix / reserve / posts-per-week values for the explorer widget.

Parameter formats (strings, so papermill and `opsbook run -p` pass them unchanged):

- plan_month: 'YYYY-MM', or 'next' = the month after the last post in the data.
- platforms: 'own' = the platform of every own account (accounts order), or a comma list of
  platforms that have an own account (windows and what-works need own posts).
- posts_per_week: one number for every platform ('5'), 'douyin=5,xiaohongshu=4', or both
  ('4,douyin=7': 4 for the platforms not named).

Name–value lists (posts_per_week, mix, capacity) take '=' or ':' ('douyin=5' or 'douyin:5'): the
notebook's parameters cell uses ':' because papermill cannot read a default with '=' inside it.
- mix: 'daily=0.6,series=0.3,flagship=0.1' (the three tiers, shares summing to 1).
- fixed_columns: 'wed:douyin:series:short_video:周三vlog; fri:weibo:daily:image:周五宠粉日'
  (weekday:platform:tier:format[:label], ';'-separated; weekdays mon..sun).
- capacity: 'short_video=12,carousel=10' pieces per month per format, or '' for no capacity check.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from helpers import config
from helpers.data import load_tables
from helpers.errors import DataError, ParameterError
from helpers.params import check_choice, check_number, check_timezone
from helpers.planning import dates as key_dates_mod
from helpers.planning.ics import to_ics, write_calendar_csv
from helpers.planning.schedule import (
    POSTS_PER_WEEK_RANGE, RESERVE_RANGE, Calendar, FixedColumn, PlanSettings, build_calendar, parse_month,
)
from helpers.schema import POST_FORMATS, TIERS

__all__ = [
    "ER_BASE_CHOICES",
    "PLANNING_TABLES",
    "PlanningRun",
    "calendar_csv_bytes",
    "parse_capacity",
    "parse_fixed_columns",
    "parse_mix",
    "parse_posts_per_week",
    "prepare_planning",
    "resolve_month",
    "select_platforms",
]

PLANNING_TABLES: tuple[str, ...] = ("accounts", "posts", "topic_bank")
#: Engagement-rate bases for own posts (own exports carry impressions, reach and views).
ER_BASE_CHOICES: tuple[str, ...] = ("impressions", "reach", "views")
_WEEKDAY_NAMES = {name: i for i, names in enumerate((
    ("mon", "monday", "周一"), ("tue", "tuesday", "周二"), ("wed", "wednesday", "周三"), ("thu", "thursday", "周四"),
    ("fri", "friday", "周五"), ("sat", "saturday", "周六"), ("sun", "sunday", "周日"))) for name in names}
_PAIR = re.compile(r"^\s*([A-Za-z_]+)\s*[=:]\s*([^=:]+?)\s*$")


# --------------------------------------------------------------------------------------------
# Parsers of the text parameters
# --------------------------------------------------------------------------------------------


def _pairs(name: str, text: str, example: str) -> list[tuple[str, str]]:
    """'a=1,b=2' as [(a, '1'), (b, '2')]; ParameterError naming the parameter otherwise."""
    out = []
    for part in (p for p in str(text).split(",") if p.strip()):
        m = _PAIR.match(part)
        if not m:
            raise ParameterError(f"Parameter {name}: cannot read {part.strip()!r}; write name=value pairs separated "
                                 f"by commas, e.g. {example!r}.")
        out.append((m[1].strip(), m[2].strip()))
    return out


def _float(name: str, key: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ParameterError(f"Parameter {name}: {key}={value!r} is not a number.") from None


def resolve_month(plan_month: object, posts: pd.DataFrame) -> tuple[str, str]:
    """('YYYY-MM', how it was chosen): 'next' = the month after the last post, else a 'YYYY-MM' month."""
    text = str(plan_month).strip().lower()
    if text in ("", "next"):
        last = pd.to_datetime(posts["published_at"]).max()
        if pd.isna(last):
            raise DataError("plan_month=next needs the date of the last post, but no post has a published_at.")
        month = (pd.Timestamp(last).to_period("M") + 1).strftime("%Y-%m")
        return month, f"the month after the last post in the data, {pd.Timestamp(last):%Y-%m-%d}"
    try:
        year, mon = parse_month(plan_month)
    except ParameterError:
        raise ParameterError(f"Parameter plan_month={plan_month!r} is not valid: use next (the month after the last "
                             "post in the data) or a month such as 2026-12.") from None
    return f"{year:04d}-{mon:02d}", f"the month {year:04d}-{mon:02d}"


def select_platforms(accounts: pd.DataFrame, platforms: str) -> tuple[str, ...]:
    """'own' = every own account's platform (accounts order), or a comma list of platforms with an own account."""
    own = accounts.loc[accounts["owner"] == "own", "platform"].dropna().astype(str)
    available = tuple(dict.fromkeys(own))
    if not available:
        raise ParameterError("The accounts table has no own account (owner = own): a content plan is built from the "
                             "own accounts' post history.")
    text = str(platforms).strip()
    if text.lower() in ("", "own"):
        return available
    wanted = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    unknown = [p for p in wanted if p not in available]
    if unknown or not wanted:
        raise ParameterError(f"Parameter platforms={platforms!r}: {', '.join(unknown) or 'nothing'} not a platform "
                             f"with an own account; use own or a comma list of: {', '.join(available)}.")
    return wanted


def parse_posts_per_week(value: object, platforms: tuple[str, ...]) -> dict[str, int]:
    """Posts per week per planned platform from '5', 'douyin=5,xiaohongshu=4' or '4,douyin=7'."""
    example = "douyin=5,xiaohongshu=4"
    lo, hi = POSTS_PER_WEEK_RANGE
    default: float | None = None
    named: dict[str, float] = {}
    for part in (p.strip() for p in str(value).split(",") if p.strip()):
        if "=" in part or ":" in part:
            (key, raw), = _pairs("posts_per_week", part, example)
            named[key] = _float("posts_per_week", key, raw)
        else:
            default = _float("posts_per_week", "the number for every platform", part)
    if default is None and not named:
        raise ParameterError(f"Parameter posts_per_week is empty: give one number for every platform (5) or one "
                             f"per platform ({example}).")
    unknown = [p for p in named if p not in platforms]
    if unknown:
        raise ParameterError(f"Parameter posts_per_week names {', '.join(unknown)}, which is not planned (platforms: "
                             f"{', '.join(platforms)}); drop it or add it to platforms.")
    out: dict[str, int] = {}
    for p in platforms:
        number = named.get(p, default)
        if number is None:
            raise ParameterError(f"Parameter posts_per_week gives no number for {p}: add {p}=N or a number for every "
                                 f"platform (e.g. 4,{example}).")
        if number != int(number) or not lo <= number <= hi:
            raise ParameterError(f"Parameter posts_per_week: {p}={number:g} must be a whole number of posts from "
                                 f"{lo} to {hi} a week.")
        out[p] = int(number)
    return out


def parse_mix(value: object) -> dict[str, float]:
    """The pyramid mix {'daily', 'series', 'flagship'} from 'daily=0.6,series=0.3,flagship=0.1' (sums to 1)."""
    example = "daily=0.6,series=0.3,flagship=0.1"
    pairs = _pairs("mix", str(value), example)
    mix = {k: _float("mix", k, v) for k, v in pairs}
    if set(mix) != set(TIERS) or len(pairs) != len(TIERS):
        raise ParameterError(f"Parameter mix={value!r} must give each tier once ({', '.join(TIERS)}), e.g. {example!r}.")
    bad = [f"{k}={v:g}" for k, v in mix.items() if not 0 <= v <= 1]
    if bad:
        raise ParameterError(f"Parameter mix: {', '.join(bad)}: each share must be between 0 and 1.")
    total = sum(mix.values())
    if abs(total - 1) > 1e-6:
        raise ParameterError(f"Parameter mix shares must sum to 1; {value!r} sums to {total:.3g}.")
    return {t: mix[t] for t in TIERS}


def parse_fixed_columns(value: object, platforms: tuple[str, ...]) -> tuple[FixedColumn, ...]:
    """Fixed weekly columns from 'wed:douyin:series:short_video:周三vlog; fri:weibo:daily:image:周五宠粉日'."""
    columns = []
    for part in (p.strip() for p in str(value or "").split(";") if p.strip()):
        fields = [f.strip() for f in part.split(":", 4)]
        if len(fields) < 4:
            raise ParameterError(f"Parameter fixed_columns: {part!r} needs weekday:platform:tier:format[:label], "
                                 "e.g. wed:douyin:series:short_video:周三vlog.")
        weekday, platform, tier, fmt = (f.lower() for f in fields[:4])
        label = fields[4] if len(fields) > 4 else ""
        if weekday not in _WEEKDAY_NAMES:
            raise ParameterError(f"Parameter fixed_columns: {part!r}: weekday {fields[0]!r} must be mon, tue, wed, "
                                 "thu, fri, sat or sun.")
        if platform not in platforms:
            raise ParameterError(f"Parameter fixed_columns: {part!r}: platform {fields[1]!r} is not planned "
                                 f"(platforms: {', '.join(platforms)}).")
        if tier not in TIERS:
            raise ParameterError(f"Parameter fixed_columns: {part!r}: tier {fields[2]!r} must be one of "
                                 f"{', '.join(TIERS)}.")
        if fmt not in POST_FORMATS:
            raise ParameterError(f"Parameter fixed_columns: {part!r}: format {fields[3]!r} must be one of "
                                 f"{', '.join(POST_FORMATS)}.")
        columns.append(FixedColumn(_WEEKDAY_NAMES[weekday], platform, tier, fmt, label))
    return tuple(columns)


def parse_capacity(value: object) -> dict[str, int] | None:
    """Production capacity per format per month from 'short_video=12,carousel=10'; None for ''."""
    text = str(value or "").strip()
    if not text or text.lower() == "none":
        return None
    out = {}
    for fmt, raw in _pairs("capacity", text, "short_video=12,carousel=10"):
        if fmt not in POST_FORMATS:
            raise ParameterError(f"Parameter capacity: format {fmt!r} must be one of {', '.join(POST_FORMATS)}.")
        number = _float("capacity", fmt, raw)
        if number != int(number) or number < 0:
            raise ParameterError(f"Parameter capacity: {fmt}={raw} must be a whole number of pieces ≥ 0 a month.")
        out[fmt] = int(number)
    return out


def _timezone(value: object) -> str:
    return check_timezone("timezone", value)


def calendar_csv_bytes(slots: pd.DataFrame) -> bytes:
    """calendar.csv exactly as ics.write_calendar_csv writes it (UTF-8 with BOM), as bytes for RunOutputs.file."""
    with tempfile.TemporaryDirectory() as folder:
        return write_calendar_csv(slots, Path(folder) / "calendar.csv").read_bytes()


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanningRun:
    """Validated parameters, the plan month and platforms, the calendar settings and the loaded tables."""

    month: str
    month_note: str
    platforms: tuple[str, ...]
    settings: PlanSettings
    country: str
    extra_dates_file: Path | None
    er_base: str
    min_posts: int
    prior_strength: float
    top_n: int
    data_dir: Path
    tables: dict[str, pd.DataFrame] = field(repr=False)

    @property
    def year(self) -> int:
        return int(self.month[:4])

    @property
    def mon(self) -> int:
        return int(self.month[5:7])

    @property
    def label(self) -> str:
        """The run label: the plan month, plus the platforms when not every own platform is planned."""
        own = select_platforms(self.accounts, "own")
        return self.month if self.platforms == own else f"{self.month}_{'-'.join(self.platforms)}"

    @property
    def posts(self) -> pd.DataFrame:
        return self.tables["posts"]

    @property
    def topic_bank(self) -> pd.DataFrame:
        return self.tables["topic_bank"]

    @property
    def accounts(self) -> pd.DataFrame:
        return self.tables["accounts"]

    @property
    def own_posts(self) -> pd.DataFrame:
        """Posts of the own accounts on the planned platforms (what works and windows read these)."""
        acc = self.accounts
        ids = acc.loc[(acc["owner"] == "own") & acc["platform"].isin(self.platforms), "account_id"]
        return self.posts[self.posts["account_id"].isin(ids)].reset_index(drop=True)

    def key_dates(self) -> pd.DataFrame:
        """Holidays and marketing dates of the month, plus later dates whose warm-up starts in it."""
        return key_dates_mod.key_dates(self.year, self.mon, self.country, extra_dates_file=self.extra_dates_file,
                                       upcoming_warmups=True)

    def seasonal(self) -> tuple[str, ...]:
        """Every name of every holiday and marketing date: a topic naming one is planned only around it."""
        return key_dates_mod.seasonal_aliases(self.year, self.country, self.extra_dates_file)

    def with_changes(self, mix: Mapping[str, float] | None = None, reserve_share: float | None = None,
                     posts_per_week: Mapping[str, int] | None = None) -> PlanSettings:
        """The run's settings with a changed mix, reserve share or posts per week (checked again)."""
        changes: dict = {}
        if mix is not None:
            changes["mix"] = {t: round(float(mix[t]), 6) for t in TIERS}
        if reserve_share is not None:
            changes["reserve_share"] = float(reserve_share)
        if posts_per_week is not None:
            changes["posts_per_week"] = {p: int(posts_per_week[p]) for p in self.platforms}
        return replace(self.settings, **changes)

    def rebuild(self, windows: pd.DataFrame, topics: pd.DataFrame, key_dates: pd.DataFrame,
                mix: Mapping[str, float] | None = None, reserve_share: float | None = None,
                posts_per_week: Mapping[str, int] | None = None) -> Calendar:
        """A calendar with changed mix / reserve share / posts per week (the explorer widget calls this)."""
        settings = self.with_changes(mix, reserve_share, posts_per_week)
        return build_calendar(self.month, settings, windows, topics, key_dates, self.seasonal())

    def ics(self, calendar: Calendar) -> bytes:
        """calendar.ics of a calendar in the plan's timezone."""
        return to_ics(calendar.slots, self.settings.timezone, f"Content plan {self.month}")


def check_pillars(posts: pd.DataFrame, accounts: pd.DataFrame, platforms: Sequence[str]) -> None:
    """Refuse planned platforms whose own posts carry no pillar at all (imported exports carry none)."""
    own = accounts.loc[(accounts["owner"] == "own") & accounts["platform"].isin(platforms), ["account_id", "platform"]]
    mine = posts.merge(own, on="account_id")
    bare = [p for p in platforms if len(mine[mine["platform"] == p]) and mine.loc[mine["platform"] == p, "pillar"]
            .isna().all()]
    if bare:
        raise DataError(f"The own posts on {', '.join(bare)} have no pillar, so what works by pillar cannot be "
                        "measured. Platform exports carry no pillar: tag the store's posts with keyword rules "
                        "(`opsbook store pillars RULES.yaml`), fill the pillar column, or leave those platforms "
                        "out (parameter platforms).")


def prepare_planning(plan_month: str = "next", platforms: str = "own", posts_per_week: str | int = 5,
                     mix: str = "daily=0.6,series=0.3,flagship=0.1", reserve_share: float = 0.25,
                     fixed_columns: str = "", min_gap_hours: float = 3, timezone: str = "Asia/Shanghai",
                     country: str = "CN", extra_dates_file: str = "", capacity: str = "",
                     er_base: str = "impressions", min_posts: int = 5, prior_strength: float = 10.0,
                     top_n: int = 10, data_dir: str = "") -> PlanningRun:
    """Check every parameter (ParameterError naming it), load accounts, posts and topic_bank, build PlanSettings."""
    base = check_choice("er_base", er_base, ER_BASE_CHOICES)
    lo, hi = RESERVE_RANGE
    reserve = check_number("reserve_share", reserve_share, lo, hi)
    gap = check_number("min_gap_hours", min_gap_hours, 0, 24)
    minimum = int(check_number("min_posts", min_posts, 2, 1000))
    prior = check_number("prior_strength", prior_strength, 0, 1000)
    top = int(check_number("top_n", top_n, 1, 100))
    tz = _timezone(timezone)
    try:
        code = key_dates_mod._country(str(country).strip() or "CN")
    except ParameterError as exc:
        raise ParameterError(f"Parameter country: {exc}") from None
    extra = Path(extra_dates_file).expanduser() if str(extra_dates_file or "").strip() else None
    if extra is not None:
        if not extra.is_file():
            raise ParameterError(f"Parameter extra_dates_file={str(extra_dates_file)!r} does not exist; give the path "
                                 "of a YAML file in the format of helpers/planning/marketing_dates.yaml, or leave it "
                                 "empty.")
        key_dates_mod.load_marketing_dates(extra)  # a DataError here names the file and entry
    mix_shares = parse_mix(mix)
    cap = parse_capacity(capacity)
    folder = config.data_dir(data_dir)
    tables = load_tables(PLANNING_TABLES, folder)
    if tables["topic_bank"].empty:
        raise DataError("The topic bank is empty: add candidate topics (topic, pillar, format, optional "
                        "strategic_weight) to topic_bank before planning a calendar.")
    chosen = select_platforms(tables["accounts"], platforms)
    check_pillars(tables["posts"], tables["accounts"], chosen)
    month, note = resolve_month(plan_month, tables["posts"])
    ppw = parse_posts_per_week(posts_per_week, chosen)
    columns = parse_fixed_columns(fixed_columns, chosen)
    settings = PlanSettings(posts_per_week=ppw, mix=mix_shares, reserve_share=reserve, fixed_columns=columns,
                            min_gap_hours=gap, timezone=tz, capacity=cap)
    return PlanningRun(month=month, month_note=note, platforms=chosen, settings=settings, country=code,
                       extra_dates_file=extra, er_base=base, min_posts=minimum, prior_strength=prior, top_n=top,
                       data_dir=folder, tables=tables)
