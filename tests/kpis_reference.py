"""The KPI computation of helpers.review.kpis as it was before round 5 of issue 22 (compute_kpis and comment_kpis,
and everything under them, copied unchanged from commit 561ce1c): the reference the faster per-window code
must equal, and the scorecard's left-out notes (tests/test_kpis_windows.py). Not used by the package."""
# ruff: noqa


from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from helpers.content import ENGAGEMENT_COMPONENTS, post_engagements
from helpers.errors import DataError, ParameterError, require_columns
from helpers.i18n import N_, _, fmt_count, fmt_date
from helpers.memo import content_key, remember
from helpers.params import check_day, check_number
from helpers.periods import ReviewPeriod, parse_period, period_containing
from helpers.review.words import metric_name


@dataclass(frozen=True)
class KpiSpec:
    """What a KPI is: its unit, which direction is good, whether it can be summed, and what it means."""

    name: str
    label: str
    unit: str  # "count", "rate", "currency", "ratio" or "index" (net sentiment: a signed index from −1 to 1)
    higher_is_better: bool | None  # None: neutral, reported for information (e.g. ad spend)
    additive: bool  # a flow: can be summed across accounts and across months
    definition: str
    stock: bool = False  # a level on a day: summed across accounts, but a quarter takes its last month
    mean_target: bool = False  # a share whose quarter or year target is the mean of its monthly targets


KPIS: dict[str, KpiSpec] = {
    k.name: k
    for k in (
        KpiSpec("followers", N_("Followers"), "count", True, False,
                "Followers on the last day of the period (a stock; summed across platforms it counts "
                "follower accounts, not unique people).", stock=True),
        KpiSpec("net_follower_change", N_("Net follower change"), "count", True, True,
                "Followers gained minus followers lost in the period (Σgained − Σlost); when gained/lost "
                "are not reported, followers at the end minus followers on the day before the period."),
        KpiSpec("follower_growth_rate", N_("Follower growth rate"), "rate", True, False,
                "Net follower change divided by followers on the day before the period started."),
        KpiSpec("impressions", N_("Impressions"), "count", True, True,
                "Times content was shown in the period (Σ daily impressions)."),
        KpiSpec("reach", N_("Average daily reach"), "count", True, False,
                "Average of the daily reach (unique people reached per day); reach is not additive across "
                "days or platforms because the same person is counted again, so it is never summed."),
        KpiSpec("engagements", N_("Engagements"), "count", True, True,
                "Likes, comments, shares and saves in the period (Σ daily engagements)."),
        KpiSpec("engagement_rate", N_("Engagement rate"), "rate", True, False,
                "Rate of sums: Σengagements ÷ Σimpressions (base 'impressions'), ÷ Σdaily reach (base "
                "'reach'), or engagements per post ÷ average followers (base 'followers'); always state the base."),
        KpiSpec("posts_published", N_("Posts published"), "count", True, True,
                "Number of posts published in the period (posting frequency)."),
        KpiSpec("ctr", N_("Click-through rate"), "rate", True, False,
                "Rate of sums: Σlink clicks ÷ Σimpressions."),
        KpiSpec("conversions", N_("Conversions"), "count", True, True,
                "Conversions attributed to the account in the period (Σ daily conversions)."),
        KpiSpec("conversion_rate", N_("Conversion rate"), "rate", True, False,
                "Rate of sums: Σconversions ÷ Σlink clicks (the click → purchase step of the funnel)."),
        KpiSpec("revenue", N_("Revenue"), "currency", True, True,
                "Revenue attributed to the account in the period (Σ daily revenue)."),
        KpiSpec("ad_spend", N_("Ad spend"), "currency", None, True,
                "Money spent on ads in the period (Σ ad_daily spend); neutral: neither more nor less is better."),
        KpiSpec("roas", N_("ROAS"), "ratio", True, False,
                "Return on ad spend: Σad revenue ÷ Σad spend (3.0 means 3:1)."),
        KpiSpec("comments", N_("Customer comments"), "count", None, True,
                "Customers' comments, replies, DMs, survey answers and danmaku in the period, after cleaning "
                "(duplicates, spam and bots out) and without the brand's own rows; neutral: reported for information."),
        KpiSpec("negative_share", N_("Negative share"), "rate", False, False,
                "Negative comments ÷ scored comments (those with a sentiment score)."),
        KpiSpec("net_sentiment", N_("Net sentiment"), "index", True, False,
                "Positive share − negative share of the scored comments, from −1 to 1 (the voice-of-customer "
                "notebook's sentiment per comment).", mean_target=True),
    )
}

#: The reputation KPIs, computed only when the review is given scored comments (comment_kpis).
REPUTATION_KPIS: tuple[str, ...] = ("comments", "negative_share", "net_sentiment")

#: KPIs whose targets the targets table may carry for another section; the scorecard does not compute
#: them and does not warn about them (none at present: net_sentiment is on the board with comments).
TARGETED_ELSEWHERE: tuple[str, ...] = ()

#: Denominators the engagement rate can be computed on.
ER_BASES: tuple[str, ...] = ("impressions", "reach", "followers")

#: Health statuses a scorecard row can have.
STATUSES: tuple[str, ...] = ("healthy", "watch", "at risk", "info", "insufficient data", "missing")

#: Share of a period's days a KPI's data must cover to be judged (the review's ``min_coverage`` default is
#: set in the notebook; this is the scorecard's default for callers outside it).
MIN_COVERAGE = 0.8

_DAILY_METRICS = ("followers", "followers_gained", "followers_lost", "impressions", "reach",
                  "profile_visits", "engagements", "link_clicks", "conversions", "revenue")
_KEYS = ["scope", "account_id", "kpi"]
_REACH_TOTAL_NOTE = "not additive: the same people are reached on several platforms; see each account's reach"
_TOTAL = "total"


# --------------------------------------------------------------------------------------------
# Input preparation
# --------------------------------------------------------------------------------------------


def _as_days(values: pd.Series, table: str, column: str) -> pd.Series:
    """A date or timestamp column as naive days (time of day dropped), failing clearly if unparseable."""
    try:
        parsed = pd.to_datetime(values)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{table}.{column} has values that are not dates ({exc}).") from exc
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    return parsed.dt.normalize()


def _as_float(values: pd.Series, table: str, column: str) -> pd.Series:
    """A metric column as float64 with NaN for missing values (nullable dtypes included)."""
    try:
        return values.astype("float64")
    except (TypeError, ValueError) as exc:
        raise DataError(f"{table}.{column} must be numeric ({exc}).") from exc


def _prepare_accounts(accounts: pd.DataFrame) -> pd.DataFrame:
    """The accounts under review (account_id as text, one row each), in the order given."""
    require_columns(accounts, ["account_id", "platform"], "accounts")
    out = accounts[["account_id", "platform"]].astype({"account_id": "str", "platform": "str"})
    dupes = out["account_id"][out["account_id"].duplicated()].unique().tolist()
    if dupes:
        raise DataError(f"accounts lists account_id {', '.join(dupes)} more than once; keep one row per account.")
    if (out["account_id"] == _TOTAL).any():
        raise DataError(f"accounts uses the reserved account_id {_TOTAL!r}; rename that account.")
    if out.empty:
        raise ParameterError("no accounts to review: the accounts table passed in is empty "
                             "(check the account filter).")
    return out.reset_index(drop=True)


def complete_daily_metrics(account_daily: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """account_daily with every daily metric column (absent ones all missing), follower counts filled
    from a daily net change (`followers_net`, TikTok) and engagements summed from likes, comments,
    shares and saves for accounts whose exports report none; with a note per completed account.

    Platform exports differ: X's overview reports engagements, TikTok's Overview and LinkedIn's page
    metrics report likes, comments and shares instead. The KPI "engagements" is defined as likes +
    comments + shares + saves, so for an account without a single engagements value it is that sum
    over the components the account reports (`content.post_engagements`: a reported component
    missing on a day makes that day missing, never zero). An account that reports engagements keeps
    them as reported, so one account's series never mixes two definitions.
    """
    require_columns(account_daily, ["date", "account_id"], "account_daily")
    daily = account_daily.copy()
    for column in _DAILY_METRICS:
        if column not in daily.columns:
            daily[column] = np.nan
    notes: list[str] = []
    if "followers_net" in daily.columns:
        daily, filled = _followers_from_net_change(daily)
        notes += [_("{account}: {n} follower count(s) filled from the daily net change (followers of the next day "
                    "− its net change, or of the day before + the day's)").format(account=account, n=n)
                  for account, n in filled.items()]
        daily, added = _day_before_first(daily)
        notes += added
    components = [c for c in ENGAGEMENT_COMPONENTS if c in daily.columns]
    if not components:
        return daily, notes
    daily["engagements"] = daily["engagements"].astype("float64")
    for account_id, rows in daily.groupby("account_id", sort=True):
        if rows["engagements"].notna().any():
            continue
        reported = [c for c in components if rows[c].notna().any()]
        if not reported:
            continue
        daily.loc[rows.index, "engagements"] = post_engagements(rows[reported], reported).to_numpy()
        notes.append(_("{account}: engagements = {parts} (its exports report no engagements)").format(
            account=account_id, parts=" + ".join(metric_name(c) for c in reported)))
    return daily, notes


def _followers_from_net_change(daily: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Missing follower counts on existing days filled from the next or previous day and the net change.

    TikTok's FollowerHistory gives the count and "difference from the previous day": followers(d − 1)
    = followers(d) − net(d) and followers(d) = followers(d − 1) + net(d), exactly. Only rows already in
    the table are filled (no day is invented); returns the table and the number filled per account.
    """
    daily = daily.copy()
    daily["followers"] = daily["followers"].astype("float64")
    filled: dict[str, int] = {}
    one_day = pd.Timedelta(days=1)
    for account_id, rows in daily.groupby("account_id", sort=True):
        rows = rows.sort_values("date")
        followers = dict(zip(rows["date"], rows["followers"], strict=True))
        net = dict(zip(rows["date"], rows["followers_net"].astype("float64"), strict=True))
        count = 0
        changed = True
        while changed:
            changed = False
            for day in rows["date"]:
                if not math.isnan(followers[day]):
                    continue
                after, before = day + one_day, day - one_day
                if after in followers and not math.isnan(followers[after]) and not math.isnan(net[after]):
                    followers[day] = followers[after] - net[after]
                elif before in followers and not math.isnan(followers[before]) and not math.isnan(net[day]):
                    followers[day] = followers[before] + net[day]
                else:
                    continue
                count += 1
                changed = True
        if count:
            daily.loc[rows.index, "followers"] = rows["date"].map(followers).to_numpy()
            filled[str(account_id)] = count
    return daily, filled


def _day_before_first(daily: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """A row with only the follower count for the day before each account's first day, when its net change
    gives it exactly (followers(d − 1) = followers(d) − net(d)): the base of the first period's growth."""
    rows = []
    for account_id, group in daily.groupby("account_id", sort=True):
        first = group.loc[group["date"].idxmin()]
        if pd.notna(first["followers"]) and pd.notna(first["followers_net"]):
            rows.append({"date": first["date"] - pd.Timedelta(days=1), "account_id": account_id,
                         "followers": float(first["followers"]) - float(first["followers_net"])})
    if not rows:
        return daily, []
    added = pd.DataFrame(rows)
    notes = [_("{account}: followers on {day} = {followers}, from the next day's count − its net change (the base "
               "of the first period's growth)").format(account=r["account_id"], day=fmt_date(r["date"]),
                                                      followers=fmt_count(r["followers"])) for r in rows]
    return pd.concat([daily, added], ignore_index=True).sort_values(["account_id", "date"], kind="stable"), notes


def _prepare_daily(account_daily: pd.DataFrame, ids: pd.Series) -> tuple[pd.DataFrame, frozenset[str]]:
    """account_daily for the reviewed accounts with float metrics, plus the metric columns it lacks."""
    require_columns(account_daily, ["date", "account_id", "followers"], "account_daily")
    absent = frozenset(c for c in _DAILY_METRICS if c not in account_daily.columns)
    daily = pd.DataFrame({"date": _as_days(account_daily["date"], "account_daily", "date"),
                          "account_id": account_daily["account_id"].astype("str")})
    for col in _DAILY_METRICS:
        daily[col] = (np.nan if col in absent
                      else _as_float(account_daily[col], "account_daily", col))
    daily = daily[daily["account_id"].isin(ids)]
    dupes = daily.duplicated(["account_id", "date"])
    if dupes.any():
        first = daily[dupes].iloc[0]
        raise DataError(f"account_daily has {int(dupes.sum())} duplicate account × day row(s), e.g. "
                        f"{first['account_id']} on {first['date']:%Y-%m-%d}; keep one row per account and day.")
    return daily, absent


def _prepare_posts(posts: pd.DataFrame | None, ids: pd.Series) -> pd.DataFrame | None:
    """posts reduced to post_id, account_id and publication day for the reviewed accounts (None if absent)."""
    if posts is None:
        return None
    require_columns(posts, ["post_id", "account_id", "published_at"], "posts")
    out = pd.DataFrame({"post_id": posts["post_id"].astype("str"),
                        "account_id": posts["account_id"].astype("str"),
                        "day": _as_days(posts["published_at"], "posts", "published_at")})
    return out[out["account_id"].isin(ids)]


def _prepare_ads(ad_daily: pd.DataFrame | None, ids: pd.Series) -> tuple[pd.DataFrame | None, bool]:
    """ad_daily reduced to day, account, spend and revenue, and whether it has a revenue column."""
    if ad_daily is None:
        return None, False
    require_columns(ad_daily, ["date", "account_id", "spend"], "ad_daily")
    has_revenue = "revenue" in ad_daily.columns
    out = pd.DataFrame({"day": _as_days(ad_daily["date"], "ad_daily", "date"),
                        "account_id": ad_daily["account_id"].astype("str"),
                        "spend": _as_float(ad_daily["spend"], "ad_daily", "spend")})
    out["revenue"] = _as_float(ad_daily["revenue"], "ad_daily", "revenue") if has_revenue else np.nan
    return out[out["account_id"].isin(ids)], has_revenue


def _check_er_base(er_base: str) -> None:
    """Fail with the accepted bases when the engagement-rate base is unknown."""
    if er_base not in ER_BASES:
        raise ParameterError(f"er_base {er_base!r} is not one of {', '.join(ER_BASES)} "
                             "(the denominator of the engagement rate, e.g. er_base='impressions').")


# --------------------------------------------------------------------------------------------
# Per-account parts: the sums every KPI (and every total) is computed from
# --------------------------------------------------------------------------------------------

def _ratio(num: float, den: float) -> float:
    """num ÷ den, NaN when either is missing or the denominator is zero."""
    if math.isnan(num) or math.isnan(den) or den == 0:
        return math.nan
    return num / den


def _sum(values: pd.Series) -> float:
    """Sum that stays NaN when every value is missing (missing is not zero)."""
    return float(values.sum(min_count=1))


def _paired(d: pd.DataFrame, num: str, den: str) -> tuple[float, float, int]:
    """Σnum and Σden over the days reporting both, and how many such days there are."""
    both = d[num].notna() & d[den].notna()
    return _sum(d.loc[both, num]), _sum(d.loc[both, den]), int(both.sum())


def _days_reporting(reported: dict[str, np.ndarray], columns: Sequence[str]) -> int:
    """Number of days on which every listed column is reported (``reported``: column → notna flags)."""
    return int(np.logical_and.reduce([reported[c] for c in columns]).sum())


@dataclass(frozen=True)
class _Window:
    """The days under review and the engagement-rate base, shared by every account's computation."""

    start: pd.Timestamp
    end: pd.Timestamp
    er_base: str

    @property
    def days(self) -> int:
        return int((self.end - self.start).days) + 1


def _follower_parts(d: pd.DataFrame, base: float, absent: frozenset[str],
                    end: pd.Timestamp) -> tuple[dict[str, float], dict[str, str]]:
    """Followers at the end, before the start and on average, and the net change with its method."""
    reported = d.loc[d["followers"].notna(), ["date", "followers"]]
    end_value = float(reported["followers"].iloc[-1]) if len(reported) else math.nan
    parts = {"followers_end": end_value, "followers_base": base,
             "followers_mean": float(reported["followers"].mean()) if len(reported) else math.nan}
    notes = {"followers": "" if len(reported) else "no follower counts in period"}
    if len(reported) and reported["date"].iloc[-1] < end:
        notes["followers"] = f"as of {reported['date'].iloc[-1]:%Y-%m-%d}, the last day with a follower count"
    gained, lost, n_flow = _paired(d, "followers_gained", "followers_lost")
    if n_flow > 0:
        parts["net_change"] = gained - lost
        notes["net_follower_change"] = "method: Σgained − Σlost"
    else:
        parts["net_change"] = end_value - base
        why = "no followers_gained/followers_lost columns" if {"followers_gained", "followers_lost"} & absent \
            else "followers_gained/followers_lost not reported"
        notes["net_follower_change"] = f"method: followers at end − followers on the day before the period ({why})"
        if math.isnan(base):
            notes["net_follower_change"] += "; no follower count on the day before the period"
    notes["follower_growth_rate"] = notes["net_follower_change"] + "; ÷ followers on the day before the period"
    if math.isnan(base):
        notes["follower_growth_rate"] = "no follower count on the day before the period"
    return parts, notes


def _daily_parts(d: pd.DataFrame, base: float, absent: frozenset[str],
                 w: _Window) -> tuple[dict[str, float], dict[str, str]]:
    """Sums over an account's days in the period, the inputs of every account_daily KPI."""
    parts, notes = _follower_parts(d, base, absent, w.end)
    er_base = w.er_base
    for col in ("impressions", "engagements", "conversions", "revenue"):
        parts[col] = _sum(d[col])
    parts["reach_mean"] = float(d["reach"].mean()) if d["reach"].notna().any() else math.nan
    if er_base in ("impressions", "reach"):
        parts["er_num"], parts["er_den"], _ = _paired(d, "engagements", er_base)
    parts["ctr_num"], parts["ctr_den"], _ = _paired(d, "link_clicks", "impressions")
    parts["cr_num"], parts["cr_den"], _ = _paired(d, "conversions", "link_clicks")
    return parts, notes


@dataclass(frozen=True)
class _Events:
    """An event table (posts or ad_daily) cut to the period, and the accounts and days it speaks for."""

    rows: pd.DataFrame  # the rows inside the period
    accounts: frozenset[str]  # accounts with at least one row anywhere in the table
    first: pd.Timestamp
    last: pd.Timestamp
    spans: dict[str, tuple[pd.Timestamp, pd.Timestamp]]  # each account's first and last day in the table

    def of(self, account_id: str) -> pd.DataFrame:
        """This account's rows in the period."""
        return self.rows[self.rows["account_id"] == account_id]

    def days(self, account_id: str, daily_days: frozenset[pd.Timestamp] | None, w: _Window) -> int | None:
        """Days of the period this table speaks for, for the account (None: the account is not in the table).

        Inside the table's span, a day counts when the account has an account_daily row (``daily_days``)
        or a row of its own in this table; an account without any account_daily row (``None``) counts
        the days of its own span.
        """
        if account_id not in self.accounts:
            return None
        low, high = max(self.first, w.start), min(self.last, w.end)
        if high < low:
            return 0
        if daily_days is None:
            first, last = self.spans[account_id]
            return max(0, int((min(last, high) - max(first, low)).days) + 1)
        own = set(self.of(account_id)["day"])
        return sum(1 for day in own | daily_days if low <= day <= high)


def _events(table: pd.DataFrame | None, w: _Window) -> _Events | None:
    """An event table prepared once per period (None when the table was not given or is empty)."""
    if table is None or table.empty:
        return None
    spans = table.groupby("account_id")["day"].agg(["min", "max"])
    return _Events(table[table["day"].between(w.start, w.end)], frozenset(table["account_id"]),
                   table["day"].min(), table["day"].max(),
                   {str(a): (r["min"], r["max"]) for a, r in spans.iterrows()})


def _post_parts(posts: _Events | None, account_id: str, days: int | None,
                w: _Window) -> tuple[dict[str, float], dict[str, str]]:
    """Number of distinct posts published by the account in the period (NaN if posts cover none of its days)."""
    if posts is None:
        return {"posts": math.nan}, {"posts_published": "no posts data"}
    if not days:
        return {"posts": math.nan}, {"posts_published": "posts table does not cover this account in this period"}
    return {"posts": float(posts.of(account_id)["post_id"].nunique())}, {}


def _ad_parts(ads: _Events | None, has_revenue: bool, account_id: str, days: int | None,
              w: _Window) -> tuple[dict[str, float], dict[str, str]]:
    """Ad spend and the paired revenue/spend sums behind ROAS (NaN if ad_daily covers none of the account's days)."""
    nan = {"spend": math.nan, "roas_num": math.nan, "roas_den": math.nan}
    if ads is None:
        return nan, {"ad_spend": "no ad_daily data", "roas": "no ad_daily data"}
    if not days:
        why = "ad_daily does not cover this account in this period"
        return nan, {"ad_spend": why, "roas": why}
    mine = ads.of(account_id)
    spend = _sum(mine["spend"]) if len(mine) else 0.0
    notes = {} if len(mine) else {"ad_spend": "no ad rows in period: no spend", "roas": "no ad spend in period"}
    if not has_revenue:
        notes["roas"] = "ad_daily has no 'revenue' column"
    num, den, _ = _paired(mine, "revenue", "spend")
    return {"spend": spend, "roas_num": num, "roas_den": den}, notes


# --------------------------------------------------------------------------------------------
# KPI formulas: one per KPI, applied to an account's parts and to the summed parts of the total
# --------------------------------------------------------------------------------------------

Formula = tuple[tuple[str, ...], Callable[..., float]]


def _er_followers(engagements: float, post_followers: float) -> float:
    """Engagements per post ÷ average followers = Σ engagements ÷ Σ(posts × followers) (NaN without posts)."""
    return _ratio(engagements, post_followers)


def _formulas(er_base: str) -> dict[str, Formula]:
    """For each KPI: the parts it needs and how it is computed from them."""
    same = float
    er: Formula = ((("engagements", "post_followers"), _er_followers) if er_base == "followers"
                   else (("er_num", "er_den"), _ratio))
    return {
        "followers": (("followers_end",), same),
        "net_follower_change": (("net_change",), same),
        "follower_growth_rate": (("net_change", "followers_base"), _ratio),
        "impressions": (("impressions",), same),
        "reach": (("reach_mean",), same),
        "engagements": (("engagements",), same),
        "engagement_rate": er,
        "posts_published": (("posts",), same),
        "ctr": (("ctr_num", "ctr_den"), _ratio),
        "conversions": (("conversions",), same),
        "conversion_rate": (("cr_num", "cr_den"), _ratio),
        "revenue": (("revenue",), same),
        "ad_spend": (("spend",), same),
        "roas": (("roas_num", "roas_den"), _ratio),
    }


def _daily_columns(kpi: str, er_base: str, net_method_flow: bool) -> tuple[str, ...]:
    """account_daily columns a KPI reads, for its day coverage ('28/31 days'); () if not a daily KPI."""
    flow = ("followers_gained", "followers_lost") if net_method_flow else ("followers",)
    return {
        "followers": ("followers",), "net_follower_change": flow, "follower_growth_rate": flow,
        "impressions": ("impressions",), "reach": ("reach",), "engagements": ("engagements",),
        "engagement_rate": ("engagements", "followers" if er_base == "followers" else er_base),
        "ctr": ("link_clicks", "impressions"), "conversions": ("conversions",),
        "conversion_rate": ("conversions", "link_clicks"), "revenue": ("revenue",),
    }.get(kpi, ())


def _er_note(er_base: str) -> str:
    """How the engagement rate was computed for this base."""
    return {
        "impressions": "base impressions; rate of sums Σengagements ÷ Σimpressions",
        "reach": "base reach; rate of sums Σengagements ÷ Σdaily reach",
        "followers": "base followers; (Σengagements ÷ posts) ÷ average followers",
    }[er_base]


#: KPIs read from an event table, by table: their days are the table's days for the account (_Events.days).
_EVENT_KPIS: dict[str, str] = {"posts_published": "posts", "ad_spend": "ad_daily", "roas": "ad_daily"}


def kpi_table(kpi: str) -> str:
    """The table a KPI's days come from: account_daily, posts, ad_daily or comments."""
    if kpi in REPUTATION_KPIS:
        return "comments"
    return _EVENT_KPIS.get(kpi, "account_daily")


def _covered_days(kpi: str, columns: tuple[str, ...], reported: dict[str, np.ndarray], d: pd.DataFrame,
                  event_days: dict[str, int | None], post_days: set[pd.Timestamp] | None, er_base: str) -> int | None:
    """Days of the period a KPI's data speaks for (None: not applicable, e.g. an account that runs no ads)."""
    if kpi in _EVENT_KPIS:
        return event_days[_EVENT_KPIS[kpi]]
    if kpi == "engagement_rate" and er_base == "followers":  # engagements and followers on days posts speak for
        if post_days is None:
            return None
        both = np.logical_and.reduce([reported[c] for c in columns])
        return int(sum(1 for day in d.loc[both, "date"] if day in post_days))
    return _days_reporting(reported, columns)


def _account_rows(account_id: str, platform: str, d: pd.DataFrame, base: float, posts: _Events | None,
                  ads: _Events | None, has_ad_revenue: bool, absent: frozenset[str], has_daily: bool,
                  w: _Window) -> tuple[list[dict[str, object]], dict[str, float]]:
    """One account's KPI rows (with their covered days) and the parts its KPIs were computed from."""
    parts, notes = _daily_parts(d, base, absent, w)
    daily_days = frozenset(d["date"]) if has_daily else None
    event_days = {"posts": None if posts is None else posts.days(account_id, daily_days, w),
                  "ad_daily": None if ads is None else ads.days(account_id, daily_days, w)}
    post_days = None
    if posts is not None and event_days["posts"]:
        low, high = max(posts.first, w.start), min(posts.last, w.end)
        if has_daily:
            post_days = {day for day in set(posts.of(account_id)["day"]) | set(d["date"]) if low <= day <= high}
        else:
            first, last = posts.spans[account_id]
            post_days = set(pd.date_range(max(first, low), min(last, high)))
    for extra_parts, extra_notes in (_post_parts(posts, account_id, event_days["posts"], w),
                                     _ad_parts(ads, has_ad_revenue, account_id, event_days["ad_daily"], w)):
        parts.update(extra_parts)
        notes.update(extra_notes)
    # follower base of the per-post engagement rate: Σ over posts of the account's followers, so a
    # total divides Σ engagements by Σ(posts × followers), each post against its own account's base
    parts["post_followers"] = parts.get("posts", math.nan) * parts.get("followers_mean", math.nan)
    flow = notes["net_follower_change"].startswith("method: Σgained")
    reported = {c: d[c].notna().to_numpy() for c in _DAILY_METRICS}
    rows = []
    for kpi, (needs, formula) in _formulas(w.er_base).items():
        columns = _daily_columns(kpi, w.er_base, flow)
        note = _er_note(w.er_base) if kpi == "engagement_rate" else notes.get(kpi, "")
        missing_cols = [c for c in columns if c in absent]
        if missing_cols:
            note = f"account_daily has no {', '.join(map(repr, missing_cols))} column"
        days = _covered_days(kpi, columns, reported, d, event_days, post_days, w.er_base)
        value = formula(*(parts[p] for p in needs))
        if days == 0:  # no day of data: missing, never a computed 0
            value = math.nan
        rows.append({"scope": "account", "account_id": account_id, "platform": platform, "kpi": kpi,
                     "value": value, "coverage": "" if days is None else f"{days}/{w.days} days",
                     "note": note, "covered_days": math.nan if days is None else float(days),
                     "period_days": float(w.days),
                     "reported": all(not math.isnan(parts[p]) for p in needs) and days != 0,
                     # days are missing (a gap), not a metric the account does not report at all in the period
                     "gap_possible": days is not None and (days > 0 or kpi in _EVENT_KPIS or d.empty)})
    return rows, parts


def covered(covered_days: float, period_days: float, min_coverage: float) -> bool:
    """Whether a KPI's days reach the coverage threshold: at least ⌈min_coverage × days in the period⌉ days.

    NaN covered days (a KPI without day coverage: a total, comments) count as covered; 0 days never do.
    Exactly at the threshold is covered (24 of 30 days at 0.8).
    """
    if _isnan(covered_days):
        return True
    return covered_days > 0 and covered_days >= math.ceil(min_coverage * period_days - 1e-9)


def _total_value(parts: dict[str, dict[str, float]], kpi: str, er_base: str, members: Sequence[str]) -> float:
    """A KPI over the given accounts together: its formula on their summed parts (NaN for none)."""
    needs, formula = _formulas(er_base)[kpi]
    if not members:
        return math.nan
    if kpi == "reach" and len(parts) > 1:
        return math.nan
    return formula(*(float(sum(parts[a][p] for a in members)) for p in needs))


def _total_rows(parts: dict[str, dict[str, float]], er_base: str,
                members: dict[str, list[str]]) -> list[dict[str, object]]:
    """Total KPI rows: each KPI recomputed from the parts summed over its member accounts (``members``)."""
    n = len(parts)
    rows = []
    for kpi in _formulas(er_base):
        value = _total_value(parts, kpi, er_base, members[kpi])
        note = "rate of sums over accounts" if KPIS[kpi].unit in ("rate", "ratio", "index") else "sum over accounts"
        if kpi == "engagement_rate":
            note = _er_note(er_base) + ", summed over accounts"
        if kpi == "followers":
            note = "sum across platforms: follower accounts, not unique people"
        if kpi == "reach" and n > 1:
            note = _REACH_TOTAL_NOTE
        rows.append({"scope": _TOTAL, "account_id": _TOTAL, "platform": "all", "kpi": kpi, "value": value,
                     "coverage": f"{len(members[kpi])}/{n} accounts", "note": note, "covered_days": math.nan,
                     "period_days": math.nan, "reported": bool(members[kpi])})
    return rows


#: compute_kpis' columns: covered_days of period_days per account KPI (NaN for totals and KPIs without
#: day coverage); in_total says whether the account's value is in the total (reported and covered); gap
#: whether it is under min_coverage for missing days (not for a metric the account does not report).
KPI_COLUMNS: list[str] = ["scope", "account_id", "platform", "kpi", "value", "coverage", "note", "covered_days",
                          "period_days", "in_total", "gap"]


def compute_kpis(account_daily: pd.DataFrame, posts: pd.DataFrame | None, ad_daily: pd.DataFrame | None,
                 accounts: pd.DataFrame, start: object, end: object, er_base: str = "impressions",
                 min_coverage: float = 0.0) -> pd.DataFrame:
    """Every KPI for each account and for all accounts together, over the days start..end (inclusive).

    Returns a tidy frame: scope ("account" or "total"), account_id ("total" for the total), platform
    ("all" for the total), kpi, value, coverage ("28/31 days" per account, "3/4 accounts" for totals),
    note (method, base, or why a value is missing), covered_days and period_days (the account's days
    with data for the KPI; see the module's coverage rule) and in_total. The total of a KPI sums the
    accounts that report it on at least ``min_coverage`` of the days (0: every account with data).
    Only the accounts in ``accounts`` are reviewed: filter it to the own accounts upstream.
    """
    return _compute(account_daily, posts, ad_daily, accounts, start, end, er_base, min_coverage)[0]


@dataclass(frozen=True)
class _Prepared:
    """The review's tables prepared for the KPIs (accounts, account_daily, posts, ad_daily), shared by every period."""

    acc: pd.DataFrame
    daily: pd.DataFrame
    absent: frozenset[str]
    posts: pd.DataFrame | None
    ads: pd.DataFrame | None
    has_ad_revenue: bool


#: The last few preparations and per-period account rows, by the content of their inputs: a review computes
#: the KPIs of 7 periods 11 times (scorecard, growth, trend) from the same tables. Each caller gets copies.
_PREPARED: dict[tuple, _Prepared] = {}
_ACCOUNT_ROWS: dict[tuple, tuple[list[dict[str, object]], dict[str, dict[str, float]]]] = {}
_PREPARED_KEPT, _ACCOUNT_ROWS_KEPT = 2, 32


def _prepared(account_daily: pd.DataFrame, posts: pd.DataFrame | None, ad_daily: pd.DataFrame | None,
              accounts: pd.DataFrame) -> tuple[tuple, _Prepared]:
    """The prepared tables and the key of their content (worked out once per content; errors every time)."""
    key = (content_key(accounts, ["account_id", "platform"]),
           content_key(account_daily, ["date", "account_id", *_DAILY_METRICS]),
           content_key(posts, ["post_id", "account_id", "published_at"]),
           content_key(ad_daily, ["date", "account_id", "spend", "revenue"]))
    if key in _PREPARED:
        return key, _PREPARED[key]
    acc = _prepare_accounts(accounts)
    daily, absent = _prepare_daily(account_daily, acc["account_id"])
    posts_ = _prepare_posts(posts, acc["account_id"])
    ad_table, has_ad_revenue = _prepare_ads(ad_daily, acc["account_id"])
    return key, remember(_PREPARED, _PREPARED_KEPT, key,
                          _Prepared(acc, daily, absent, posts_, ad_table, has_ad_revenue))


def _period_account_rows(t: _Prepared, w: _Window) -> tuple[list[dict[str, object]], dict[str, dict[str, float]]]:
    """Every account's KPI rows over the window (before the coverage threshold) and their parts."""
    posts_, ads = _events(t.posts, w), _events(t.ads, w)
    with_daily = set(t.daily["account_id"])
    in_period = t.daily[t.daily["date"].between(w.start, w.end)].sort_values("date")
    day_before = t.daily[t.daily["date"] == w.start - pd.Timedelta(days=1)].set_index("account_id")["followers"]
    rows: list[dict[str, object]] = []
    parts: dict[str, dict[str, float]] = {}
    for account_id, platform in t.acc.itertuples(index=False):
        d = in_period[in_period["account_id"] == account_id]
        base = float(day_before.get(account_id, math.nan))
        account_rows, parts[account_id] = _account_rows(account_id, platform, d, base, posts_, ads, t.has_ad_revenue,
                                                        t.absent, account_id in with_daily, w)
        rows.extend(account_rows)
    return rows, parts


def _compute(account_daily: pd.DataFrame, posts: pd.DataFrame | None, ad_daily: pd.DataFrame | None,
             accounts: pd.DataFrame, start: object, end: object, er_base: str,
             min_coverage: float) -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    """compute_kpis and the per-account parts its totals sum (for totals over other sets of accounts).

    The tables are prepared once per content and each window's account rows worked out once
    (`_PREPARED`, `_ACCOUNT_ROWS`); the coverage threshold and the totals are applied on copies, per call.
    """
    _check_er_base(er_base)
    w = _Window(check_day("start", start), check_day("end", end), er_base)
    if w.end < w.start:
        raise ParameterError(f"end {w.end:%Y-%m-%d} is before start {w.start:%Y-%m-%d}.")
    key, prepared = _prepared(account_daily, posts, ad_daily, accounts)
    if (key, w) not in _ACCOUNT_ROWS:
        remember(_ACCOUNT_ROWS, _ACCOUNT_ROWS_KEPT, (key, w), _period_account_rows(prepared, w))
    shared_rows, shared_parts = _ACCOUNT_ROWS[(key, w)]
    rows: list[dict[str, object]] = []
    parts = {account_id: dict(p) for account_id, p in shared_parts.items()}
    for row in (dict(r) for r in shared_rows):
        enough = covered(float(str(row["covered_days"])), float(w.days), min_coverage)
        row["in_total"] = bool(row.pop("reported")) and enough
        row["gap"] = bool(row.pop("gap_possible")) and not enough
        rows.append(row)
    members = {kpi: [str(r["account_id"]) for r in rows if r["kpi"] == kpi and r["in_total"]]
               for kpi in _formulas(er_base)}
    for row in _total_rows(parts, er_base, members):
        row["in_total"], row["gap"] = bool(row.pop("reported")), False
        rows.append(row)
    out = pd.DataFrame(rows, columns=KPI_COLUMNS)
    return out.astype({"value": "float64", "covered_days": "float64", "period_days": "float64",
                       "in_total": "bool", "gap": "bool"}), parts




def _isnan(x: object) -> bool:
    """True for NaN/None/NA."""
    return bool(pd.isna(x))


def _comment_counts(rows: pd.DataFrame) -> dict[str, float]:
    """Comments, scored comments and the positive and negative counts among the scored."""
    scored = rows["sentiment_score"].notna()
    return {"comments": float(len(rows)), "scored": float(scored.sum()),
            "positive": float((scored & (rows["sentiment"] == "positive")).sum()),
            "negative": float((scored & (rows["sentiment"] == "negative")).sum())}


def _comment_rows(account_id: str, platform: str, counts: dict[str, float] | None, scope: str,
                  coverage: str) -> list[dict[str, object]]:
    """The three reputation rows of one account (or the total) from its counts; None = not covered."""
    nan = math.nan
    if counts is None:
        why = "comments table does not cover this account in this period"
        return [{"scope": scope, "account_id": account_id, "platform": platform, "kpi": kpi, "value": nan,
                 "coverage": "", "note": why} for kpi in REPUTATION_KPIS]
    scored = counts["scored"]
    net = _ratio(counts["positive"] - counts["negative"], scored)
    negative = _ratio(counts["negative"], scored)
    share_note = "" if scored else "no scored comment in the period"
    share_coverage = coverage or f"{int(scored)}/{int(counts['comments'])} comments scored"
    return [
        {"scope": scope, "account_id": account_id, "platform": platform, "kpi": "comments",
         "value": counts["comments"], "coverage": coverage, "note": "after cleaning, brand rows apart"},
        {"scope": scope, "account_id": account_id, "platform": platform, "kpi": "negative_share",
         "value": negative, "coverage": share_coverage, "note": share_note or "negative ÷ scored comments"},
        {"scope": scope, "account_id": account_id, "platform": platform, "kpi": "net_sentiment",
         "value": net, "coverage": share_coverage, "note": share_note or "(positive − negative) ÷ scored comments"},
    ]


def comment_kpis(comments: pd.DataFrame, accounts: pd.DataFrame, start: object, end: object) -> pd.DataFrame:
    """Reputation KPIs (comments, negative share, net sentiment) per account and in total over start..end.

    ``comments``: customers' comments, cleaned and scored (account_id, created_at, sentiment,
    sentiment_score; a missing score = not scored). Rows as compute_kpis returns them. An account
    with no comment in the days but some elsewhere in a table whose span reaches the days has 0
    comments and no shares; outside the table's span every value is missing (missing is not zero).
    """
    require_columns(comments, ["account_id", "created_at", "sentiment", "sentiment_score"], "comments")
    w_start, w_end = check_day("start", start), check_day("end", end)
    acc = _prepare_accounts(accounts)
    day = _as_days(comments["created_at"], "comments", "created_at")
    ids = comments["account_id"].astype("str")
    has_rows = set(ids)
    spans = bool(len(day)) and day.min() <= w_end and day.max() >= w_start
    inside = comments[day.between(w_start, w_end).to_numpy() & ids.isin(acc["account_id"]).to_numpy()]
    inside_ids = inside["account_id"].astype("str")
    rows: list[dict[str, object]] = []
    covered: list[dict[str, float]] = []
    for account_id, platform in acc.itertuples(index=False):
        counts = _comment_counts(inside[inside_ids == account_id]) if spans and account_id in has_rows else None
        if counts is not None:
            covered.append(counts)
        rows += _comment_rows(account_id, platform, counts, "account", "")
    total = {k: float(sum(c[k] for c in covered)) for k in ("comments", "scored", "positive", "negative")}
    rows += _comment_rows(_TOTAL, "all", total if covered else None, _TOTAL, f"{len(covered)}/{len(acc)} accounts")
    out = pd.DataFrame(rows, columns=["scope", "account_id", "platform", "kpi", "value", "coverage", "note"])
    return out.astype({"value": "float64"})




def _with_left_out(row: Any, label: str, board: pd.DataFrame) -> str:
    """A total's note with the accounts left out of it this period and why ('own_xhs (0/31 days in 2026-10)')."""
    note = "" if _isnan(row.note) else str(row.note)
    if row.scope != _TOTAL or note == _REACH_TOTAL_NOTE:  # reach is not summed: nobody is left out of it
        return note
    mine = board[(board["scope"] == "account") & (board["kpi"] == row.kpi)]
    out = [_coverage_text(r, label) for r in mine.itertuples(index=False) if r.gap]
    return "; ".join(filter(None, [note, f"left out: {', '.join(out)}" if out else ""]))




def _coverage_text(row: Any, label: str) -> str:
    """An account's coverage in a period, for a note: 'own_xhs (3/31 days in 2026-10)'."""
    days = "no data" if not row.coverage else row.coverage
    return f"{row.account_id} ({days} in {label})"

