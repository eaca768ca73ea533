"""The competitor notebook's set-up: validate its parameters once, pick the accounts and window, rate posts fairly.

Fairness is decided here, once, for every section of the notebook:

- **Engagements on shared components.** Own posts report likes, comments, shares and saves;
  competitors' public posts report no saves. Engagements are therefore summed over the components
  *every* compared account reports in the window (on the sample: likes + comments + shares), and
  the dropped ones are named in the notes.
- **Engagement-rate base that public data allows.** Competitors' impressions and reach are private,
  so the base is followers at posting time (default) or, for video posts only, views.
- **Missing is never zero.** A competitor without posts in the window, without follower values,
  or with a metric only partly reported stays in the comparison where it can be compared and gets
  a note saying what is missing; nothing missing is counted as 0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers import i18n
from helpers.competitors.benchmark import VIDEO_FORMATS, benchmark_table, follower_growth
from helpers.content import ENGAGEMENT_COMPONENTS, with_engagement_rate
from helpers.data import check_files, load_checked_tables, load_tables
from helpers.errors import DataError, ParameterError
from helpers.i18n import N_, _, fmt_date, fmt_month
from helpers.params import check_choice, check_list, check_number
from helpers.periods import latest_complete_period, parse_period

__all__ = [
    "COMPETITORS_EXAMPLE",
    "COMPETITOR_TABLES",
    "ER_BASE_CHOICES",
    "MAX_FOLLOWER_AGE_DAYS",
    "CompetitorParameters",
    "CompetitorRun",
    "check_competitors",
    "check_parameters",
    "comparable_components",
    "parse_window",
    "prepare",
    "rate_posts",
    "resolve_window",
    "select_competitors",
    "select_own_account",
]

COMPETITOR_TABLES: tuple[str, ...] = ("accounts", "account_daily", "posts")
#: Engagement-rate bases public data allows for every account (views: video posts only).
ER_BASE_CHOICES: tuple[str, ...] = ("followers", "views")
#: A follower count older than this (days before the post) is too stale to be a post's ER base.
MAX_FOLLOWER_AGE_DAYS = 7
_AUTO = ("", "auto")
#: Engagement components as a reader names them.
COMPONENT_NAMES: dict[str, str] = {"likes": N_("likes"), "comments": N_("comments"), "shares": N_("shares"),
                                   "saves": N_("saves")}
#: How a list of competitors is written (the error for the old "a,b" text form shows it).
COMPETITORS_EXAMPLE = '["comp_a_douyin", "comp_b_douyin"]'
_RANGE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\s*\.\.\s*(\d{4}-\d{1,2}-\d{1,2})$")
_MONTH = re.compile(r"^\d{4}-\d{1,2}$")
_QUARTER = re.compile(r"^\d{4}-?Q\d$", re.IGNORECASE)
_WEEK = re.compile(r"^\d{4}-?W\d{1,2}$", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompetitorRun:
    """Validated parameters, the compared accounts and window, the rated posts and the data notes."""

    own_id: str
    competitor_ids: tuple[str, ...]
    platform: str
    category: str | None
    start: pd.Timestamp
    end: pd.Timestamp
    label: str
    window: str
    er_base: str
    components: tuple[str, ...]
    dropped_components: dict[str, tuple[str, ...]]
    top_n: int
    hit_k: float
    min_posts: int
    data_dir: Path
    notes: tuple[str, ...]
    lang: str
    names: dict[str, str] = field(repr=False)
    tables: dict[str, pd.DataFrame] = field(repr=False)
    posts: pd.DataFrame = field(repr=False)

    @property
    def account_ids(self) -> tuple[str, ...]:
        """The own account first, then the competitors."""
        return (self.own_id, *self.competitor_ids)

    @property
    def days(self) -> int:
        """Days in the window, both ends included."""
        return int((self.end - self.start).days) + 1

    @property
    def sov_freq(self) -> str:
        """Calendar period of the share-of-voice trend: weeks for up to ~3 months, months beyond."""
        return "W" if self.days <= 92 else "MS"

    @property
    def daily(self) -> pd.DataFrame:
        """account_daily of the compared accounts (all dates: growth needs the day before the window)."""
        frame = self.tables["account_daily"]
        return frame[frame["account_id"].isin(self.account_ids)].reset_index(drop=True)

    def period_posts(self) -> pd.DataFrame:
        """Rated posts of the compared accounts published within the window."""
        day = self.posts["published_at"].dt.normalize()
        return self.posts[(day >= self.start) & (day <= self.end)].reset_index(drop=True)

    def name(self, account_id: str) -> str:
        """The account's display name (its id when the accounts table has none)."""
        return self.names.get(account_id, account_id)

    def platform_competitors(self) -> dict[str, list[str]]:
        """Competitor accounts of the same category per platform that also has an own account (for widgets)."""
        accounts = self.tables["accounts"]
        out: dict[str, list[str]] = {}
        for platform in sorted(accounts["platform"].dropna().unique()):
            own = accounts[(accounts["platform"] == platform) & (accounts["owner"] == "own")]
            if len(own) != 1:
                continue
            try:
                out[str(platform)] = list(select_competitors(accounts, "auto", str(own["account_id"].iloc[0]),
                                                             str(platform)))
            except ParameterError:
                continue
        return out

    def benchmark_for(self, platform: str, competitor_ids: list[str] | tuple[str, ...]) -> pd.DataFrame:
        """The benchmark table of the own account on ``platform`` against the given competitors (window kept).

        Used by the explorer widget; it applies the same fairness rules (shared components, stale
        follower counts dropped) as the main run.
        """
        accounts = self.tables["accounts"]
        own_id, platform = select_own_account(accounts, "auto", platform)
        ids = [own_id, *select_competitors(accounts, list(competitor_ids) or "auto", own_id, platform)]
        posts = self.tables["posts"]
        posts = posts[posts["account_id"].isin(ids)]
        daily = self.tables["account_daily"]
        daily = daily[daily["account_id"].isin(ids)]
        components, _dropped = comparable_components(posts, ids, self.start, self.end)
        rated = rate_posts(posts, daily, self.er_base, components)
        growth = follower_growth(daily, ids, self.start, self.end)
        return benchmark_table(rated, growth, ids, self.start, self.end, er_base=self.er_base, own_id=own_id)


# --------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------


def select_own_account(accounts: pd.DataFrame, own_account: str, platform: str) -> tuple[str, str]:
    """(own account id, platform): an own account id, or 'auto' = the one own account on ``platform``.

    platform 'auto' means the own account's platform; a platform given with an own account on
    another platform is a ParameterError (the comparison is within one platform).
    """
    own = accounts[accounts["owner"] == "own"]
    platforms = sorted(accounts["platform"].dropna().astype(str).unique())
    wanted = str(platform).strip()
    if wanted not in _AUTO and wanted not in platforms:
        raise ParameterError(f"Parameter platform={platform!r} is not a platform of the accounts table; "
                             f"use auto or one of: {', '.join(platforms)}.")
    text = str(own_account).strip()
    if text in _AUTO:
        if wanted in _AUTO:
            raise ParameterError("Parameters own_account and platform are both auto: give an own account id "
                                 f"({', '.join(own['account_id'])}) or a platform ({', '.join(platforms)}).")
        here = own[own["platform"] == wanted]
        if len(here) != 1:
            found = ", ".join(here["account_id"]) or "none"
            raise ParameterError(f"Parameter own_account=auto needs exactly one own account on {wanted}; found "
                                 f"{found}. Give own_account as one of: {', '.join(own['account_id'])}.")
        return str(here["account_id"].iloc[0]), wanted
    if "," in text:
        raise ParameterError(f"Parameter own_account={own_account!r} must be one account id (the comparison is "
                             "one own account against its competitors on one platform).")
    row = accounts[accounts["account_id"] == text]
    if row.empty:
        raise ParameterError(f"Parameter own_account: unknown account id {text!r}. "
                             f"Own accounts: {', '.join(own['account_id']) or 'none'}.")
    if row["owner"].iloc[0] != "own":
        raise ParameterError(f"Parameter own_account={text!r} is a {row['owner'].iloc[0]} account, not an own "
                             f"account. Own accounts: {', '.join(own['account_id']) or 'none'}.")
    own_platform = str(row["platform"].iloc[0])
    if wanted not in _AUTO and wanted != own_platform:
        raise ParameterError(f"Parameter platform={wanted!r} but own_account {text} is on {own_platform}; set "
                             f"platform to auto or {own_platform}, or own_account to auto to use the own "
                             f"account on {wanted}.")
    return text, own_platform


def check_competitors(competitors: Any) -> str | tuple[str, ...]:
    """The competitors parameter: 'auto', or a list of account ids (one id alone is a list of one).

    The old text form 'a,b' is a ParameterError that spells out the list form.
    """
    return check_list("competitors", competitors, keywords=("auto",), example=COMPETITORS_EXAMPLE)


def select_competitors(accounts: pd.DataFrame, competitors: Any, own_id: str, platform: str) -> tuple[str, ...]:
    """Competitor ids: 'auto' = competitor accounts of the own account's category on the platform, or a list.

    A listed id must exist, be a competitor account and be on the platform; duplicates are dropped.
    """
    comp = accounts[accounts["owner"] == "competitor"]
    here = comp[comp["platform"] == platform]
    chosen = check_competitors(competitors)
    if chosen == "auto":
        category = _category(accounts, own_id)
        if category is not None and "category" in here.columns:
            here = here[here["category"] == category]
        ids = tuple(here["account_id"])
        if not ids:
            where = f"category {category!r} on {platform}" if category is not None else platform
            listed = ", ".join(comp["account_id"]) or "none"
            raise ParameterError(f"Parameter competitors=auto found no competitor account in {where}; list "
                                 f"competitor ids instead (competitor accounts: {listed}).")
        return ids
    wanted = tuple(chosen)
    known = set(accounts["account_id"])
    unknown = [a for a in wanted if a not in known]
    if unknown:
        raise ParameterError(f"Parameter competitors: unknown account id(s) {', '.join(unknown)}. Competitor "
                             f"accounts on {platform}: {', '.join(here['account_id']) or 'none'}; or use auto.")
    owner = accounts.set_index("account_id")["owner"]
    not_comp = [a for a in wanted if owner[a] != "competitor"]
    if not_comp:
        raise ParameterError(f"Parameter competitors: {', '.join(not_comp)} not competitor account(s) (owner is "
                             "not 'competitor'); the own account is compared with them, not among them.")
    elsewhere = [a for a in wanted if a not in set(here["account_id"])]
    if elsewhere:
        raise ParameterError(f"Parameter competitors: {', '.join(elsewhere)} not on {platform}, the platform of "
                             f"{own_id}; competitor accounts on {platform}: {', '.join(here['account_id']) or 'none'}.")
    return wanted


def _category(accounts: pd.DataFrame, account_id: str) -> str | None:
    """The account's category, or None when the accounts table has none for it."""
    if "category" not in accounts.columns:
        return None
    value = accounts.loc[accounts["account_id"] == account_id, "category"]
    return None if value.empty or pd.isna(value.iloc[0]) or not str(value.iloc[0]).strip() else str(value.iloc[0])


def parse_window(period: str) -> tuple[pd.Timestamp, pd.Timestamp, str, str] | None:
    """(start, end, label, description) of an explicit window, checked without data; None for latest (or empty).

    A month '2026-10', quarter '2026-Q4' or ISO week '2026-W43', or 'start..end'
    ('2026-05-01..2026-10-31', both days included).
    """
    text = str(period).strip()
    if text.lower() in ("", "latest"):
        return None
    match = _RANGE.match(text)
    if match:
        try:
            start, end = (pd.Timestamp(match.group(i)).normalize() for i in (1, 2))
        except ValueError:
            raise ParameterError(f"Parameter period={period!r}: a day in it is not a date.") from None
        if start > end:
            raise ParameterError(f"Parameter period={period!r}: start {start:%Y-%m-%d} is after end {end:%Y-%m-%d}.")
        return start, end, f"{start:%Y-%m-%d}..{end:%Y-%m-%d}", _("the chosen days")
    kind = ("month" if _MONTH.match(text) else "quarter" if _QUARTER.match(text)
            else "week" if _WEEK.match(text) else None)
    if kind is None:
        raise ParameterError(f"Parameter period={period!r} is not valid: use latest, a month (2026-10), a "
                             "quarter (2026-Q4), an ISO week (2026-W43) or a range 2026-05-01..2026-10-31.")
    chosen = parse_period(kind, text)
    kinds = {"month": _("the month {label}"), "quarter": _("the quarter {label}"), "week": _("the week {label}")}
    return chosen.start, chosen.end, chosen.label, kinds[kind].format(label=chosen.label)


def resolve_window(period: str, lookback_months: int, dates: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp, str, str]:
    """(start, end, label, description) of the compared window.

    period: 'latest' = the ``lookback_months`` complete months ending with the last complete month
    of the data, or an explicit window (see parse_window). The window must overlap the data.
    """
    explicit = parse_window(period)
    first_day, last_day = pd.DatetimeIndex(dates.dropna()).min(), pd.DatetimeIndex(dates.dropna()).max()
    if explicit is None:
        months = int(lookback_months)
        last = latest_complete_period("month", dates)
        start = (last.start - pd.DateOffset(months=months - 1)).normalize()
        end = last.end
        label = last.label if months == 1 else f"{start:%Y-%m}..{last.label}"
        description = (_("the last complete month, {month}").format(month=fmt_month(last.start)) if months == 1 else
                       _("{months} complete months ending with the last complete month, {month}").format(
                           months=months, month=fmt_month(last.start)))
        if start < first_day.normalize():
            raise ParameterError(f"Parameter lookback_months={lookback_months}: the window would start on "
                                 f"{start:%Y-%m-%d}, before the data begins ({first_day:%Y-%m-%d}); "
                                 "use fewer months or an explicit period.")
        return start, end, label, description
    start, end = explicit[0], explicit[1]
    if end < first_day.normalize() or start > last_day.normalize():
        raise ParameterError(f"Parameter period={period!r}: {start:%Y-%m-%d} – {end:%Y-%m-%d} has no data; the data "
                             f"covers {first_day:%Y-%m-%d} to {last_day:%Y-%m-%d}.")
    return explicit


# --------------------------------------------------------------------------------------------
# Fair engagement and rate
# --------------------------------------------------------------------------------------------


def comparable_components(posts: pd.DataFrame, account_ids: list[str] | tuple[str, ...], start: object,
                          end: object) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """(components every account reports, {dropped component: accounts that report it}) in the window.

    An account reports a component when any of its posts in the window has a value for it;
    accounts without posts in the window do not constrain the choice. DataError when no component
    is reported by every account that posted.
    """
    first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    day = posts["published_at"].dt.normalize()
    inside = posts[(day >= first) & (day <= last) & posts["account_id"].isin(account_ids)]
    present = [c for c in ENGAGEMENT_COMPONENTS if c in posts.columns]
    if inside.empty or not present:
        return tuple(c for c in ("likes", "comments", "shares") if c in present) or tuple(present), {}
    reported = inside[present].notna().groupby(inside["account_id"].astype(str)).any()
    shared = tuple(c for c in present if reported[c].all())
    dropped = {c: tuple(reported.index[reported[c]]) for c in present
               if c not in shared and reported[c].any()}
    if not shared:
        raise DataError("No engagement component (likes, comments, shares, saves) is reported by every compared "
                        "account in the window, so engagements cannot be compared: "
                        + "; ".join(f"{a} reports {', '.join(c for c in present if reported.loc[a, c]) or 'none'}"
                                    for a in reported.index))
    return shared, dropped


def rate_posts(posts: pd.DataFrame, account_daily: pd.DataFrame, er_base: str, components: tuple[str, ...],
               max_age_days: int = MAX_FOLLOWER_AGE_DAYS) -> pd.DataFrame:
    """Posts with engagements summed over ``components`` and an engagement rate on ``er_base``.

    With er_base='followers' the base is the follower count on the latest day at or before the post;
    a count older than ``max_age_days`` (follower history stopped, or a long gap) is not used: the
    post's base and rate are missing rather than resting on a stale count.
    """
    rated = with_engagement_rate(posts, account_daily, base=er_base, components=components)
    if er_base != "followers" or rated.empty:
        return rated
    known = account_daily.loc[account_daily["followers"].notna(), ["account_id", "date"]]
    left = rated[["account_id"]].assign(day=rated["published_at"].dt.normalize()).reset_index()
    merged = pd.merge_asof(left.sort_values("day"), known.sort_values("date"), left_on="day", right_on="date",
                           by="account_id", direction="backward")
    age = (merged["day"] - merged["date"]).dt.days
    too_old = merged.loc[age > max_age_days, "index"]
    rated.loc[rated.index.isin(too_old), ["er_base_value", "engagement_rate"]] = np.nan
    return rated


# --------------------------------------------------------------------------------------------
# Notes on what is missing
# --------------------------------------------------------------------------------------------


def _data_notes(run_posts: pd.DataFrame, rated: pd.DataFrame, daily: pd.DataFrame, ids: tuple[str, ...],
                start: pd.Timestamp, end: pd.Timestamp, er_base: str, dropped: dict[str, tuple[str, ...]],
                names: dict[str, str] | None = None) -> list[str]:
    """One sentence per data gap that changes what can be compared, in the run's language, accounts by name."""
    names = names or {}

    def called(account: str) -> str:
        return names.get(account, account)

    notes = [_("{component} reported only by {accounts}: left out of every account's engagements so all accounts "
               "are compared on the same components").format(component=_(COMPONENT_NAMES.get(c, c)),
                                                             accounts="、".join(called(a) for a in who))
             for c, who in dropped.items()]
    known_posts = set(run_posts["account_id"])
    day = rated["published_at"].dt.normalize()
    inside = rated[(day >= start) & (day <= end)]
    growth = follower_growth(daily, list(ids), start, end)
    for account in ids:
        mine = inside[inside["account_id"] == account]
        who = called(account)
        if account not in known_posts:
            notes.append(_("{account}: no posts in the data at all (posts not collected?): its posting, engagement "
                           "and content metrics are unknown (shown as missing, not 0)").format(account=who))
        elif mine.empty:
            notes.append(_("{account}: no posts between {start} and {end}: 0 posts in the benchmark; engagement, "
                           "content, timing and hit-post comparisons leave it out").format(
                account=who, start=fmt_date(start), end=fmt_date(end)))
        else:
            unknown = int(mine["engagements"].isna().sum())
            if unknown:
                notes.append(_("{account}: engagements unknown on {unknown} of {posts} posts (a reported component "
                               "is missing on them): those posts are left out of engagement averages").format(
                    account=who, unknown=unknown, posts=len(mine)))
            no_rate = int((mine["engagements"].notna() & mine["engagement_rate"].isna()).sum())
            if er_base == "views":
                if no_rate:
                    notes.append(_("{account}: {n} of {posts} posts have no views (views are public for video posts "
                                   "only): the ER by views covers its video posts only").format(
                        account=who, n=no_rate, posts=len(mine)))
            elif no_rate:
                notes.append(_("{account}: no follower count within {days} days before {n} of {posts} posts: their "
                               "ER by followers is missing (engagements still compared)").format(
                    account=who, days=MAX_FOLLOWER_AGE_DAYS, n=no_rate, posts=len(mine)))
            if er_base != "views" and "views" in mine.columns:
                video = mine["format"].isin(VIDEO_FORMATS)
                blind = int((video & mine["views"].isna()).sum())
                if blind:
                    notes.append(_("{account}: views missing on {n} of {videos} video posts: views per video post "
                                   "uses the others").format(account=who, n=blind, videos=int(video.sum())))
        row = growth[growth["account_id"] == account].iloc[0]
        if isinstance(row["note"], str) and row["note"]:
            notes.append(_("{account}: followers: {note}").format(account=who, note=row["note"]))
    return notes


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompetitorParameters:
    """The competitor parameters checked before the big tables are read (check_parameters)."""

    data_dir: Path
    own_id: str
    competitor_ids: tuple[str, ...]
    platform: str
    lookback_months: int
    top_n: int
    hit_k: float
    min_posts: int


def check_parameters(*, own_account: str, competitors: str | Sequence[str], platform: str, period: str,
                     lookback_months: int, er_base: str, top_n: int, hit_k: float, min_posts: int,
                     data_dir: str, lang: str) -> CompetitorParameters:
    """Every check of prepare that needs no big table: values, the window's syntax, the data folder, the accounts.

    The own account, the competitors and the platform are checked on the accounts table (small);
    whether the window has data is prepare's to check.
    """
    i18n.resolve_language(lang)
    if er_base in ("impressions", "reach"):
        raise ParameterError(f"Parameter er_base={er_base!r} is not available for competitors: their impressions "
                             "and reach are private. Use followers (every post) or views (video posts).")
    check_choice("er_base", er_base, ER_BASE_CHOICES)
    top = int(check_number("top_n", top_n, 1, 100))
    months = int(check_number("lookback_months", lookback_months, 1, 36))
    k = check_number("hit_k", hit_k, 0.0, 20.0)
    minimum = int(check_number("min_posts", min_posts, 2, 10_000))
    chosen = check_competitors(competitors)
    parse_window(period)
    folder = check_files(COMPETITOR_TABLES, data_dir)
    accounts = load_checked_tables(["accounts"], folder)["accounts"]
    own_id, platform_name = select_own_account(accounts, own_account, platform)
    comp_ids = select_competitors(accounts, chosen, own_id, platform_name)
    return CompetitorParameters(folder, own_id, comp_ids, platform_name, lookback_months=months, top_n=top, hit_k=k,
                                min_posts=minimum)


def prepare(*, own_account: str, competitors: str | Sequence[str], platform: str, period: str,
            lookback_months: int, er_base: str, top_n: int, hit_k: float, min_posts: int,
            data_dir: str, lang: str) -> CompetitorRun:
    """Check every parameter, load accounts, account_daily and posts, and rate the compared posts fairly.

    The notebook's parameters, by name (its parameters cell holds the defaults): ``competitors`` is
    'auto' or a list of ids; ``own_account`` and ``platform`` are one id/name or 'auto'; ``lang`` is
    the report language (zh-CN or en; empty = $OPSBOOK_LANG, else zh-CN), set first. check_parameters
    checks everything the big tables are not needed for.
    """
    language = i18n.set_language(lang)
    checked = check_parameters(own_account=own_account, competitors=competitors, platform=platform, period=period,
                               lookback_months=lookback_months, er_base=er_base, top_n=top_n, hit_k=hit_k,
                               min_posts=min_posts, data_dir=data_dir, lang=lang)
    own_id, comp_ids, folder = checked.own_id, checked.competitor_ids, checked.data_dir
    tables = load_tables(COMPETITOR_TABLES, folder)
    accounts = tables["accounts"]
    ids = (own_id, *comp_ids)
    daily = tables["account_daily"]
    daily = daily[daily["account_id"].isin(ids)]
    dates = daily["date"] if not daily.empty else tables["account_daily"]["date"]
    start, end, window_label, description = resolve_window(period, checked.lookback_months, dates)
    posts = tables["posts"]
    posts = posts[posts["account_id"].isin(ids)].reset_index(drop=True)
    components, dropped = comparable_components(posts, ids, start, end)
    rated = rate_posts(posts, daily, er_base, components)
    day = rated["published_at"].dt.normalize()
    in_window = rated[(day >= start) & (day <= end)]
    if not in_window["account_id"].isin(comp_ids).any():
        raise DataError(f"None of the competitors ({', '.join(comp_ids)}) has a post between {start:%Y-%m-%d} and "
                        f"{end:%Y-%m-%d}: there is nothing to compare. Choose a longer period or other competitors.")
    names = dict(zip(accounts["account_id"], accounts["name"].fillna(accounts["account_id"]), strict=True)) \
        if "name" in accounts.columns else {}
    notes = _data_notes(posts, rated, daily, ids, start, end, er_base, dropped, names)
    return CompetitorRun(
        own_id=own_id, competitor_ids=comp_ids, platform=checked.platform, category=_category(accounts, own_id),
        start=start, end=end, label=f"{own_id}_{window_label}", window=description, er_base=er_base,
        components=components, dropped_components=dropped, top_n=checked.top_n, hit_k=checked.hit_k,
        min_posts=checked.min_posts, data_dir=folder, notes=tuple(notes), lang=language, names=names, tables=tables,
        posts=rated)
