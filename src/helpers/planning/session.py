"""The content-planning notebook's set-up: check every parameter once, load the tables, (re)build calendars.

`prepare(*, ...)` takes every parameter of the notebook's `parameters` cell (but output_dir), checks
each with `helpers.params` (a ParameterError names the parameter, what it got and what it accepts),
loads `accounts`, `posts` and `topic_bank` through `helpers.data` and returns a `PlanningRun`: the
checked values, the `PlanSettings` of the calendar and the tables. The run builds the calendar, and
rebuilds it with a changed mix / reserve / posts per week for the explorer widget.

Parameters (lists and maps are YAML/Python lists and dicts, as in every notebook):

- plan_month: 'YYYY-MM', or 'next' = the month after the last post in the data.
- platforms: 'own' = the platform of every own account (accounts order), or a list of platforms that
  have an own account, e.g. ["douyin", "xiaohongshu"] (windows and what works need own posts).
- posts_per_week: one whole number for every platform (5), or a map {platform: n}; the key "default"
  gives the platforms not named: {"default": 4, "douyin": 7} = 4 a week, Douyin 7.
- mix: {"daily": 0.6, "series": 0.3, "flagship": 0.1}, the three tiers' shares, summing to 1.
- fixed_columns: a list of maps {"weekday", "platform", "tier", "format", "label" (optional)}, e.g.
  [{"weekday": "wed", "platform": "douyin", "tier": "series", "format": "short_video", "label": "周三vlog"}];
  weekdays mon..sun (monday.., 周一..); [] for none.
- capacity: pieces per month per format, e.g. {"short_video": 12, "carousel": 10}; {} for no check.
- extra_topic_banks: a list of CSV (or Parquet) files of topic-bank rows appended to the data folder's
  topic_bank, e.g. the voice-of-the-customer notebook's topic_bank_from_comments.csv; [] for none. Each
  is validated as topic_bank (a DataError names the file, column and lines); a row the bank already
  has (same topic, pillar and format) is dropped, so the bank's own weight wins.

The old text forms ('douyin=5,xiaohongshu=4', 'daily:0.6,...', 'wed:douyin:...; fri:...') are refused
with the new form spelled out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from helpers import i18n
from helpers import keydates as key_dates_mod
from helpers.data import check_files, format_problems, load_checked_tables, load_tables, parse_table, read_raw
from helpers.errors import DataError, ParameterError
from helpers.params import (
    check_choice,
    check_list,
    check_mapping,
    check_number,
    check_optional_list,
    check_timezone,
)
from helpers.planning.ics import to_ics
from helpers.planning.schedule import (
    POSTS_PER_WEEK_RANGE,
    RESERVE_RANGE,
    Calendar,
    FixedColumn,
    PlanSettings,
    build_calendar,
    capacity_table,
    parse_month,
)
from helpers.schema import POST_FORMATS, TABLES, TIERS

__all__ = [
    "DEFAULT_KEY",
    "ER_BASE_CHOICES",
    "PLANNING_TABLES",
    "PlanningParameters",
    "PlanningRun",
    "append_topics",
    "check_capacity",
    "check_extra_topic_banks",
    "check_fixed_columns",
    "check_mix",
    "check_parameters",
    "check_pillars",
    "check_plan_month",
    "check_posts_per_week",
    "prepare",
    "read_extra_topic_banks",
    "resolve_month",
    "select_platforms",
]

PLANNING_TABLES: tuple[str, ...] = ("accounts", "posts", "topic_bank")
#: Engagement-rate bases for own posts (own exports carry impressions, reach and views).
ER_BASE_CHOICES: tuple[str, ...] = ("impressions", "reach", "views")
#: The posts_per_week key that gives the number for every platform not named.
DEFAULT_KEY = "default"
WEEKDAY_NAMES: dict[str, int] = {name: i for i, names in enumerate((
    ("mon", "monday", "周一"), ("tue", "tuesday", "周二"), ("wed", "wednesday", "周三"), ("thu", "thursday", "周四"),
    ("fri", "friday", "周五"), ("sat", "saturday", "周六"), ("sun", "sunday", "周日"))) for name in names}
FIXED_COLUMN_KEYS: tuple[str, ...] = ("weekday", "platform", "tier", "format", "label")

_PPW_EXAMPLE = '{"default": 4, "douyin": 7}'
_MIX_EXAMPLE = '{"daily": 0.6, "series": 0.3, "flagship": 0.1}'
_FIXED_EXAMPLE = ('[{"weekday": "wed", "platform": "douyin", "tier": "series", "format": "short_video", '
                  '"label": "周三vlog"}]')
_CAPACITY_EXAMPLE = '{"short_video": 12, "carousel": 10}'
_TOPIC_BANKS_EXAMPLE = '["outputs/voice_of_customer/2026-10/topic_bank_from_comments.csv"]'
#: The columns that make two topic-bank rows the same topic (an extra bank's copy is dropped).
TOPIC_KEY: tuple[str, ...] = ("topic", "pillar", "format")


# --------------------------------------------------------------------------------------------
# Checks of single parameters
# --------------------------------------------------------------------------------------------


def check_plan_month(plan_month: object) -> str | None:
    """A plan month 'YYYY-MM' as given, checked without data; None for next (the data says which month)."""
    if str(plan_month).strip().lower() in ("", "next"):
        return None
    try:
        year, mon = parse_month(plan_month)
    except ParameterError:
        raise ParameterError(f"Parameter plan_month={plan_month!r} is not valid: use next (the month after the last "
                             "post in the data) or a month such as 2026-12.") from None
    return f"{year:04d}-{mon:02d}"


def resolve_month(plan_month: object, posts: pd.DataFrame) -> tuple[str, str]:
    """('YYYY-MM', how it was chosen): 'next' = the month after the last post, else a 'YYYY-MM' month."""
    month = check_plan_month(plan_month)
    if month is None:
        last = pd.to_datetime(posts["published_at"]).max()
        if pd.isna(last):
            raise DataError("plan_month=next needs the date of the last post, but no post has a published_at.")
        month = (pd.Timestamp(last).to_period("M") + 1).strftime("%Y-%m")
        return month, i18n.gettext("the month after the last post in the data, {date}").format(
            date=f"{pd.Timestamp(last):%Y-%m-%d}")
    return month, i18n.gettext("the month {month}").format(month=month)


def select_platforms(accounts: pd.DataFrame, platforms: object) -> tuple[str, ...]:
    """'own' = every own account's platform (accounts order), or a list of platforms with an own account."""
    own = accounts.loc[accounts["owner"] == "own", "platform"].dropna().astype(str)
    available = tuple(dict.fromkeys(own))
    if not available:
        raise ParameterError("The accounts table has no own account (owner = own): a content plan is built from the "
                             "own accounts' post history.")
    chosen = check_list("platforms", "own" if platforms in ("", None) else platforms, keywords=("own",),
                        example='["douyin", "xiaohongshu"]')
    if isinstance(chosen, str):
        return available
    unknown = [p for p in chosen if p not in available]
    if unknown:
        raise ParameterError(f"Parameter platforms={platforms!r}: {', '.join(unknown)} not a platform with an own "
                             f"account; use own or a list of some of: {', '.join(available)}.")
    return chosen


def _posts(name: str, value: Any) -> int:
    """A whole number of posts a week within POSTS_PER_WEEK_RANGE."""
    lo, hi = POSTS_PER_WEEK_RANGE
    number = check_number(name, None if isinstance(value, bool) else value, lo, hi)
    if number != int(number):
        raise ParameterError(f"Parameter {name}={value!r} must be a whole number of posts from {lo} to {hi} a week.")
    return int(number)


def check_posts_per_week(value: Any, platforms: Sequence[str]) -> dict[str, int]:
    """Posts per week per planned platform from one number (5) or a map ({"douyin": 5, ...}, "default" for the rest)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dict.fromkeys(platforms, _posts("posts_per_week", value))
    if isinstance(value, str) and not any(sep in value for sep in ",;=:"):
        raise ParameterError(f"Parameter posts_per_week={value!r} must be one whole number for every platform (5) "
                             f"or a map such as {_PPW_EXAMPLE}.")
    named = check_mapping("posts_per_week", value, _posts, example=_PPW_EXAMPLE)
    unknown = [p for p in named if p != DEFAULT_KEY and p not in platforms]
    if unknown:
        raise ParameterError(f"Parameter posts_per_week names {', '.join(unknown)}, which is not planned (platforms: "
                             f"{', '.join(platforms)}); drop it or add it to platforms.")
    missing = [p for p in platforms if p not in named and DEFAULT_KEY not in named]
    if missing:
        raise ParameterError(f"Parameter posts_per_week gives no number for {', '.join(missing)}: add it to the map "
                             f"or give a number for every other platform with the key \"{DEFAULT_KEY}\", "
                             f"e.g. {_PPW_EXAMPLE}.")
    return {p: named.get(p, named.get(DEFAULT_KEY, 0)) for p in platforms}


def _share(name: str, value: Any) -> float:
    return check_number(name, None if isinstance(value, bool) else value, 0, 1)


def check_mix(value: Any) -> dict[str, float]:
    """The pyramid mix {"daily", "series", "flagship"}: a share between 0 and 1 for each tier, summing to 1."""
    mix = check_mapping("mix", value, _share, allowed_keys=TIERS, example=_MIX_EXAMPLE)
    missing = [t for t in TIERS if t not in mix]
    if missing:
        raise ParameterError(f"Parameter mix must give a share for each tier ({', '.join(TIERS)}); missing: "
                             f"{', '.join(missing)}. E.g. {_MIX_EXAMPLE}.")
    total = sum(mix.values())
    if abs(total - 1) > 1e-6:
        raise ParameterError(f"Parameter mix shares must sum to 1; {value!r} sums to {total:.3g}.")
    return {t: mix[t] for t in TIERS}


def _as_given(name: str, value: Any) -> Any:
    return value


def _fixed_column(name: str, item: Any, platforms: Sequence[str]) -> FixedColumn:
    """One fixed column from a map {weekday, platform, tier, format, label (optional)}."""
    column = check_mapping(name, item, _as_given, allowed_keys=FIXED_COLUMN_KEYS, example=_FIXED_EXAMPLE[1:-1])
    missing = [k for k in FIXED_COLUMN_KEYS[:4] if k not in column]
    if missing:
        raise ParameterError(f"Parameter {name} lacks {', '.join(missing)}: a fixed column names weekday, platform, "
                             f"tier, format and optionally a label, e.g. {_FIXED_EXAMPLE[1:-1]}.")
    weekday, platform, tier, fmt = (str(column[k]).strip().lower() for k in FIXED_COLUMN_KEYS[:4])
    if weekday not in WEEKDAY_NAMES:
        raise ParameterError(f"Parameter {name}: weekday {column['weekday']!r} must be mon, tue, wed, thu, fri, sat "
                             "or sun.")
    if platform not in platforms:
        raise ParameterError(f"Parameter {name}: platform {column['platform']!r} is not planned (platforms: "
                             f"{', '.join(platforms)}).")
    if tier not in TIERS:
        raise ParameterError(f"Parameter {name}: tier {column['tier']!r} must be one of {', '.join(TIERS)}.")
    if fmt not in POST_FORMATS:
        raise ParameterError(f"Parameter {name}: format {column['format']!r} must be one of "
                             f"{', '.join(POST_FORMATS)}.")
    label = "" if column.get("label") is None else str(column["label"]).strip()
    return FixedColumn(WEEKDAY_NAMES[weekday], platform, tier, fmt, label)


def check_fixed_columns(value: Any, platforms: Sequence[str]) -> tuple[FixedColumn, ...]:
    """Fixed weekly columns from a list of maps ([] or "" for none); each checked and named by its position."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ()
    if isinstance(value, str):
        check_list("fixed_columns", value, example=_FIXED_EXAMPLE)  # the old 'wed:douyin:...' form: the new form
    if not isinstance(value, (list, tuple)):
        raise ParameterError(f"Parameter fixed_columns={value!r} must be a list of maps such as {_FIXED_EXAMPLE}, "
                             "or [] for none.")
    return tuple(_fixed_column(f"fixed_columns[{i}]", item, platforms) for i, item in enumerate(value))


def _pieces(name: str, value: Any) -> int:
    number = check_number(name, None if isinstance(value, bool) else value, 0, 1_000_000)
    if number != int(number):
        raise ParameterError(f"Parameter {name}={value!r} must be a whole number of pieces ≥ 0 a month.")
    return int(number)


def check_capacity(value: Any) -> dict[str, int] | None:
    """Production capacity per format per month from a map ({"short_video": 12}); None for {} (no check)."""
    capacity = check_mapping("capacity", {} if value is None else value, _pieces, allowed_keys=POST_FORMATS,
                             example=_CAPACITY_EXAMPLE, allow_empty=True)
    return capacity or None


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


def _country(country: Any) -> str:
    try:
        return key_dates_mod._country(str(country).strip() or "CN")
    except ParameterError as exc:
        raise ParameterError(f"Parameter country: {exc}") from None


def _extra_dates(extra_dates_file: Any) -> Path | None:
    """The extra marketing dates file (read once here, so a DataError names its bad entry), or None."""
    if not str(extra_dates_file or "").strip():
        return None
    extra = Path(str(extra_dates_file)).expanduser()
    if not extra.is_file():
        raise ParameterError(f"Parameter extra_dates_file={str(extra_dates_file)!r} does not exist; give the path "
                             "of a YAML file in the format of helpers/marketing_dates.yaml, or leave it "
                             "empty.")
    key_dates_mod.load_marketing_dates(extra)
    return extra


def check_extra_topic_banks(value: Any) -> tuple[Path, ...]:
    """The extra topic-bank files ([] or "" for none): a list of paths, each an existing file."""
    names = check_optional_list("extra_topic_banks", value, example=_TOPIC_BANKS_EXAMPLE)
    paths = tuple(Path(name).expanduser() for name in names)
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise ParameterError(f"Parameter extra_topic_banks: {', '.join(missing)} does not exist; give the paths of "
                             f"CSV files of topic-bank rows (topic, pillar, format, optional source, "
                             f"strategic_weight, notes), e.g. {_TOPIC_BANKS_EXAMPLE}, or [] for none.")
    return paths


def read_extra_topic_banks(paths: Sequence[Path]) -> pd.DataFrame:
    """The rows of the extra topic-bank files, each validated as topic_bank (one DataError lists every problem).

    A file with the columns but no rows adds nothing (a run of the VoC notebook may find no question).
    """
    spec = TABLES["topic_bank"]
    frames, problems = [], []
    for path in paths:
        raw = read_raw(path)
        if raw.empty and all(c in raw.columns for c in spec.required):
            continue
        result = parse_table(raw, spec, str(path))
        problems += result.errors
        if result.frame is not None:
            frames.append(result.frame)
    if problems:
        raise DataError(f"Parameter extra_topic_banks: {len(problems)} problem(s) in the extra topic banks:\n"
                        + format_problems(problems))
    if not frames:
        return pd.DataFrame(columns=[c.name for c in spec.columns])
    return pd.concat(frames, ignore_index=True)


def append_topics(bank: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    """The topic bank with the extra rows after its own, less those whose topic, pillar and format it already has."""
    if extra.empty:
        return bank
    both = pd.concat([bank, extra], ignore_index=True)
    return both[~both.duplicated(list(TOPIC_KEY), keep="first")].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanningRun:
    """Checked parameters, the plan month and platforms, the calendar settings and the loaded tables."""

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
    lang: str = i18n.DEFAULT_LANGUAGE
    extra_topic_banks: tuple[Path, ...] = ()

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

    def calendar(self, windows: pd.DataFrame, topics: pd.DataFrame, key_dates: pd.DataFrame) -> Calendar:
        """The month's calendar under the run's settings (schedule.build_calendar)."""
        return build_calendar(self.month, self.settings, windows, topics, key_dates, self.seasonal())

    def rebuild(self, windows: pd.DataFrame, topics: pd.DataFrame, key_dates: pd.DataFrame,
                mix: Mapping[str, float] | None = None, reserve_share: float | None = None,
                posts_per_week: Mapping[str, int] | None = None) -> Calendar:
        """A calendar with changed mix / reserve share / posts per week (the explorer widget calls this)."""
        settings = self.with_changes(mix, reserve_share, posts_per_week)
        return build_calendar(self.month, settings, windows, topics, key_dates, self.seasonal())

    def rebuilder(self, windows: pd.DataFrame, topics: pd.DataFrame,
                  key_dates: pd.DataFrame) -> Callable[..., Calendar]:
        """rebuild with the analyses bound: what the explorer calls with mix, reserve_share and posts_per_week."""
        return functools.partial(self.rebuild, windows, topics, key_dates)

    def capacity(self, calendar: Calendar) -> pd.DataFrame:
        """Planned pieces per format against the capacity parameter (status "no capacity given" without one)."""
        return capacity_table(calendar.slots, self.settings.capacity)

    def ics(self, calendar: Calendar) -> bytes:
        """calendar.ics of a calendar in the plan's timezone."""
        return to_ics(calendar.slots, self.settings.timezone,
                      i18n.gettext("Content plan {month}").format(month=self.month))


@dataclass(frozen=True)
class PlanningParameters:
    """The planning parameters checked before the posts are read (check_parameters)."""

    data_dir: Path
    platforms: tuple[str, ...]
    settings: PlanSettings
    country: str
    extra_dates_file: Path | None
    er_base: str
    min_posts: int
    prior_strength: float
    top_n: int
    extra_topic_banks: tuple[Path, ...] = ()
    extra_topics: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)


def check_parameters(*, plan_month: Any, platforms: Any, posts_per_week: Any, mix: Any, reserve_share: Any,
                     fixed_columns: Any, min_gap_hours: Any, timezone: Any, country: Any, extra_dates_file: Any,
                     capacity: Any, extra_topic_banks: Any, er_base: Any, min_posts: Any, prior_strength: Any,
                     top_n: Any, data_dir: Any, lang: Any) -> PlanningParameters:
    """Every check of prepare that needs no big table: values, plan_month, the data folder, the topic bank and
    the extra topic banks (read and validated here: small tables), platforms.

    The calendar settings are built (PlanSettings checks them together) on the accounts table's own
    platforms; the posts (pillars, the month after the last post) are prepare's to read.
    """
    i18n.resolve_language(lang)
    base = check_choice("er_base", er_base, ER_BASE_CHOICES)
    reserve = check_number("reserve_share", reserve_share, *RESERVE_RANGE)
    gap = check_number("min_gap_hours", min_gap_hours, 0, 24)
    minimum = int(check_number("min_posts", min_posts, 2, 1000))
    prior = check_number("prior_strength", prior_strength, 0, 1000)
    top = int(check_number("top_n", top_n, 1, 100))
    tz = check_timezone("timezone", timezone)
    code = _country(country)
    extra = _extra_dates(extra_dates_file)
    shares = check_mix(mix)
    cap = check_capacity(capacity)
    extra_banks = check_extra_topic_banks(extra_topic_banks)
    check_plan_month(plan_month)
    folder = check_files(PLANNING_TABLES, data_dir)
    small = load_checked_tables(["accounts", "topic_bank"], folder)
    if small["topic_bank"].empty:
        raise DataError("The topic bank is empty: add candidate topics (topic, pillar, format, optional "
                        "strategic_weight) to topic_bank before planning a calendar.")
    chosen = select_platforms(small["accounts"], platforms)
    settings = PlanSettings(posts_per_week=check_posts_per_week(posts_per_week, chosen), mix=shares,
                            reserve_share=reserve, fixed_columns=check_fixed_columns(fixed_columns, chosen),
                            min_gap_hours=gap, timezone=tz, capacity=cap)
    return PlanningParameters(folder, chosen, settings, code, extra, er_base=base, min_posts=minimum,
                              prior_strength=prior, top_n=top, extra_topic_banks=extra_banks,
                              extra_topics=read_extra_topic_banks(extra_banks))


def prepare(*, plan_month: Any, platforms: Any, posts_per_week: Any, mix: Any, reserve_share: Any,
            fixed_columns: Any, min_gap_hours: Any, timezone: Any, country: Any, extra_dates_file: Any,
            capacity: Any, extra_topic_banks: Any, er_base: Any, min_posts: Any, prior_strength: Any, top_n: Any,
            data_dir: Any, lang: Any) -> PlanningRun:
    """Set the report language (`lang`: zh-CN, en, or "" = $OPSBOOK_LANG else zh-CN), check every other parameter
    (check_parameters; a ParameterError names it), load accounts, posts and topic_bank (with the rows of
    extra_topic_banks appended), resolve the month."""
    language = i18n.set_language(lang)
    checked = check_parameters(
        plan_month=plan_month, platforms=platforms, posts_per_week=posts_per_week, mix=mix,
        reserve_share=reserve_share, fixed_columns=fixed_columns, min_gap_hours=min_gap_hours, timezone=timezone,
        country=country, extra_dates_file=extra_dates_file, capacity=capacity,
        extra_topic_banks=extra_topic_banks, er_base=er_base,
        min_posts=min_posts, prior_strength=prior_strength, top_n=top_n, data_dir=data_dir, lang=lang)
    tables = load_tables(PLANNING_TABLES, checked.data_dir)
    tables["topic_bank"] = append_topics(tables["topic_bank"], checked.extra_topics)
    check_pillars(tables["posts"], tables["accounts"], checked.platforms)
    month, note = resolve_month(plan_month, tables["posts"])
    return PlanningRun(month=month, month_note=note, platforms=checked.platforms, settings=checked.settings,
                       country=checked.country, extra_dates_file=checked.extra_dates_file, er_base=checked.er_base,
                       min_posts=checked.min_posts, prior_strength=checked.prior_strength, top_n=checked.top_n,
                       data_dir=checked.data_dir, tables=tables, lang=language,
                       extra_topic_banks=checked.extra_topic_banks)
