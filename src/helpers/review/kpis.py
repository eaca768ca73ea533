"""The KPI scorecard of a period review: actuals, targets, attainment, change and a health status.

METHODOLOGY 2 and 7: reviews report each KPI's attainment (actual ÷ target) and its change against
the previous period and the same period last year, and flag which KPIs are healthy and which are
at risk. Conventions every number here follows:

- Missing is not zero. A metric an account does not report gives NaN for that account's KPI, and
  the total covers only the accounts that report it (``coverage`` says how many).
- Coverage (issue 21). Every account KPI carries the days of the period its data speaks for
  (``covered_days`` of ``period_days``, shown as "28/31 days"). account_daily KPIs: the days that
  report the KPI's columns. posts and ad_daily are event tables (a day without a row may be a
  true zero), so their days are the days inside the table's span (its first to last row, over all
  accounts) on which the account has an account_daily row or a row of its own in the table; an
  account without any account_daily row has the span of its own rows instead. An account absent
  from an event table altogether has no value and no coverage (it runs no ads: not a gap).
  No covered day gives NaN (missing), never 0. In the scorecard a KPI whose days are fewer than
  ``min_coverage`` of the period is "insufficient data": no attainment, no change, no verdict,
  and the total leaves the account out; a total's change compares only the accounts covered in
  both periods (its note names those left out).
- Rates are rates of sums (Σnumerator ÷ Σdenominator over the days that report both), never the
  mean of daily or per-account rates; totals recompute them from summed parts.
- Reach is the average daily reach. Reach is not additive (the same person is reached on many
  days and on several platforms), so it is never summed across days or accounts.
- Followers is a stock (a level on a day): summed across accounts it counts follower *accounts*,
  not unique people; a quarter's (a year's) follower target is the target of its last month.
- Reputation (METHODOLOGY's brand KPI, issue 18), when a comments table exists: customer comments
  (cleaned, brand rows apart), negative share and net sentiment = positive share − negative share,
  shares of the *scored* comments (a comment without a sentiment score, e.g. an empty text, counts as
  a comment but not in the shares); totals are rates of sums over the accounts' comments. A quarter's
  or year's net-sentiment target is the mean of its monthly targets (a share: never summed).
"""

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

__all__ = [
    "ER_BASES",
    "KPIS",
    "REPUTATION_KPIS",
    "STATUSES",
    "KpiSpec",
    "attach_targets",
    "comment_kpis",
    "complete_daily_metrics",
    "compute_kpis",
    "kpi_label",
    "kpi_labels",
    "kpi_status",
    "kpi_trend",
    "scorecard",
]


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
    """Σnum and Σden over the days reporting both, and how many such days there are.

    On the columns' arrays (not pandas' .loc): the same sums in the same order (pandas sums the
    selected values with numpy as well), without an indexing pass per call (~1 ms each, 19 a window).
    """
    a, b = d[num].to_numpy(dtype="float64"), d[den].to_numpy(dtype="float64")
    both = ~(np.isnan(a) | np.isnan(b))
    n = int(both.sum())
    if n == 0:
        return math.nan, math.nan, 0
    return float(a[both].sum()), float(b[both].sum()), n


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
    by_account: dict[str, pd.DataFrame]  # the rows inside the period per account (in table order)

    def of(self, account_id: str) -> pd.DataFrame:
        """This account's rows in the period."""
        mine = self.by_account.get(account_id)
        return self.rows.iloc[:0] if mine is None else mine

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


@dataclass(frozen=True)
class _EventTable:
    """An event table (posts or ad_daily) with what every period reads of it: its accounts and spans."""

    table: pd.DataFrame
    accounts: frozenset[str]  # accounts with at least one row anywhere in the table
    first: pd.Timestamp
    last: pd.Timestamp
    spans: dict[str, tuple[pd.Timestamp, pd.Timestamp]]  # each account's first and last day in the table


def _event_table(table: pd.DataFrame | None) -> _EventTable | None:
    """An event table's accounts and spans, worked out once per table (None when not given or empty)."""
    if table is None or table.empty:
        return None
    spans = table.groupby("account_id")["day"].agg(["min", "max"])
    return _EventTable(table, frozenset(table["account_id"]), table["day"].min(), table["day"].max(),
                       {str(a): (low, high) for a, low, high in zip(spans.index, spans["min"], spans["max"],
                                                                    strict=True)})


def _events(events: _EventTable | None, w: _Window) -> _Events | None:
    """An event table cut to a period (None when the table was not given or is empty)."""
    if events is None:
        return None
    rows = events.table[events.table["day"].between(w.start, w.end)]
    return _Events(rows, events.accounts, events.first, events.last, events.spans, _by_account(rows))


def _by_account(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The rows of each account (one grouping pass, each group in the rows' order), by account_id."""
    return {str(a): group for a, group in rows.groupby("account_id", sort=False)}


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
    posts: _EventTable | None
    ads: _EventTable | None
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
                          _Prepared(acc, daily, absent, _event_table(posts_), _event_table(ad_table), has_ad_revenue))


def _period_account_rows(t: _Prepared, w: _Window) -> tuple[list[dict[str, object]], dict[str, dict[str, float]]]:
    """Every account's KPI rows over the window (before the coverage threshold) and their parts."""
    posts_, ads = _events(t.posts, w), _events(t.ads, w)
    with_daily = set(t.daily["account_id"].unique())
    in_period = t.daily[t.daily["date"].between(w.start, w.end)].sort_values("date")
    day_before = t.daily[t.daily["date"] == w.start - pd.Timedelta(days=1)].set_index("account_id")["followers"]
    by_account = _by_account(in_period)
    rows: list[dict[str, object]] = []
    parts: dict[str, dict[str, float]] = {}
    for account_id, platform in t.acc.itertuples(index=False):
        d = by_account.get(account_id, in_period.iloc[:0])
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


# --------------------------------------------------------------------------------------------
# Reputation KPIs from scored customer comments
# --------------------------------------------------------------------------------------------

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
    has_rows = set(ids.unique())  # not a set over every row: 32k text ids a call
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


def _period_kpis(account_daily: pd.DataFrame, posts: pd.DataFrame | None, ad_daily: pd.DataFrame | None,
                 accounts: pd.DataFrame, start: object, end: object, er_base: str,
                 comments: pd.DataFrame | None,
                 min_coverage: float = 0.0) -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    """compute_kpis (and its parts), with the reputation KPIs after them when scored comments are given."""
    values, parts = _compute(account_daily, posts, ad_daily, accounts, start, end, er_base, min_coverage)
    if comments is None:
        return values, parts
    reputation = comment_kpis(comments, accounts, start, end)
    reputation = reputation.assign(covered_days=math.nan, period_days=math.nan,
                                   in_total=reputation["value"].notna(), gap=False)
    return pd.concat([values, reputation], ignore_index=True), parts


# --------------------------------------------------------------------------------------------
# Targets and attainment
# --------------------------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$")


def _normalise_label(label: object) -> str:
    """A target period label in canonical form: '2026-10', '2026-Q4' or '2026'."""
    text = str(label).strip().upper()
    if text.endswith(".0"):  # a year read as a float, e.g. 2026.0
        text = text[:-2]
    if m := _MONTH.match(text):
        return f"{m.group(1)}-{int(m.group(2)):02d}"
    if m := _QUARTER.match(text):
        return f"{m.group(1)}-Q{m.group(2)}"
    return text


def _prepare_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """targets with text ids, canonical period labels and float targets; one row per account × KPI × period."""
    require_columns(targets, ["account_id", "kpi", "period", "target"], "targets")
    out = pd.DataFrame({"account_id": targets["account_id"].astype("str").str.strip(),
                        "kpi": targets["kpi"].astype("str").str.strip(),
                        "period": targets["period"].map(_normalise_label),
                        "target": _as_float(targets["target"], "targets", "target")})
    unknown = sorted(set(out["kpi"]) - set(KPIS) - set(TARGETED_ELSEWHERE))
    if unknown:
        warnings.warn(f"targets name unknown KPI(s) {', '.join(unknown)}; they are ignored. "
                      f"Known KPIs: {', '.join(KPIS)}.", UserWarning, stacklevel=3)
    dupes = out.duplicated(["account_id", "kpi", "period"])
    if dupes.any():
        first = out[dupes].iloc[0]
        raise DataError(f"targets has {int(dupes.sum())} duplicate account × kpi × period row(s), e.g. "
                        f"{first['account_id']} / {first['kpi']} / {first['period']}; keep one target each.")
    return out


def _months_of(period: ReviewPeriod) -> list[str]:
    """The month labels a quarter or a year is made of (2026-10, 2026-11, ...)."""
    months = pd.period_range(period.start, period.end, freq="M")
    return [f"{m.year}-{m.month:02d}" for m in months]


def _target_for(lookup: pd.Series, account_id: str, kpi: str, period: ReviewPeriod) -> tuple[float, str]:
    """An account's target for a KPI in a period, and where it came from ('' when there is none)."""
    direct = lookup.get((account_id, kpi, period.label))
    if direct is not None and not math.isnan(direct):
        return float(direct), period.label
    if period.kind not in ("quarter", "year"):
        return math.nan, ""
    months = _months_of(period)
    spec = KPIS[kpi]
    values = [lookup.get((account_id, kpi, m)) for m in months]
    every = all(v is not None and not math.isnan(v) for v in values)
    if spec.stock:
        last = values[-1]
        if last is not None and not math.isnan(last):
            return float(last), f"{months[-1]} target (a stock: the {period.kind}'s last month)"
    elif spec.additive and every:
        return float(sum(values)), f"sum of monthly targets {months[0]} to {months[-1]}"
    elif spec.mean_target and every:
        return float(np.mean(values)), f"mean of monthly targets {months[0]} to {months[-1]} (a share)"
    return math.nan, ""


def attach_targets(kpis: pd.DataFrame, targets: pd.DataFrame | None, period_label: str, kind: str) -> pd.DataFrame:
    """KPI rows with their target for the period, where it came from, and attainment = actual ÷ target.

    A quarter (a year) without its own target falls back to the sum of its monthly targets
    (additive KPIs), its last month's target (followers) or their mean (net sentiment, a share).
    The total's target is an explicit target for account_id 'total', else the sum of the accounts'
    targets for additive KPIs and followers when every account has one. Other rates get no
    fallback: their targets must be explicit.
    """
    period = parse_period(kind, period_label)
    require_columns(kpis, ["scope", "account_id", "kpi", "value"], "kpis")
    out = kpis.copy()
    # the accounts a total sums (compute_kpis' in_total: reported and covered); else every account with a value
    summed = out["in_total"].astype(bool) if "in_total" in out.columns else out["value"].notna()
    if targets is None or targets.empty:
        out["target"], out["target_source"] = math.nan, ""
        out["attainment"] = math.nan
        return out
    lookup = _prepare_targets(targets).set_index(["account_id", "kpi", "period"])["target"]
    found = [_target_for(lookup, str(a), k, period) for a, k in zip(out["account_id"], out["kpi"], strict=True)]
    out["target"] = [t for t, _ in found]
    out["target_source"] = [s for _, s in found]
    is_account = out["scope"] == "account"
    for i in out.index[(out["scope"] == _TOTAL) & out["target"].isna()]:
        kpi = out.at[i, "kpi"]
        spec = KPIS[kpi]
        # the total's value covers only accounts that report the KPI; its target must cover the same
        account_targets = out.loc[is_account & (out["kpi"] == kpi) & summed, "target"]
        if (spec.additive or spec.stock) and len(account_targets) and account_targets.notna().all():
            out.at[i, "target"] = float(account_targets.sum())
            out.at[i, "target_source"] = "sum of account targets"
    out["attainment"] = [_ratio(a, t) for a, t in zip(out["value"], out["target"], strict=True)]
    return out


# --------------------------------------------------------------------------------------------
# Status and the scorecard
# --------------------------------------------------------------------------------------------

#: The engagement-rate bases as a label names them ("Engagement rate (by impressions)").
ER_BASE_NAMES: dict[str, str] = {"impressions": N_("impressions"), "reach": N_("reach"),
                                 "followers": N_("followers")}


def kpi_label(kpi: str, er_base: str = "impressions") -> str:
    """A KPI's display label in the run's language; the engagement rate names its base."""
    label = _(KPIS[kpi].label)
    if kpi != "engagement_rate":
        return label
    return _("{label} (by {base})").format(label=label, base=_(ER_BASE_NAMES.get(er_base, er_base)))


def kpi_labels(kpis: Sequence[str], er_base: str = "impressions") -> dict[str, str]:
    """Display labels of several KPIs, in their order (the trend explorer's choices)."""
    return {kpi: kpi_label(kpi, er_base) for kpi in kpis}


def _check_thresholds(watch_below: float, risk_below: float, change_watch: float, change_risk: float) -> None:
    """Fail when the status thresholds are not ordered risk < watch."""
    if not risk_below <= watch_below:
        raise ParameterError(f"risk_below ({risk_below}) must be ≤ watch_below ({watch_below}), e.g. 0.9 and 1.0.")
    if not change_risk <= change_watch <= 0:
        raise ParameterError(f"change thresholds must satisfy change_risk ≤ change_watch ≤ 0 "
                             f"(got {change_risk} and {change_watch}), e.g. -0.25 and -0.10.")


def kpi_status(kpi: str, actual: float, attainment: float, change_pct: float, *, watch_below: float = 1.0,
               risk_below: float = 0.9, change_watch: float = -0.10, change_risk: float = -0.25,
               compared_with: str = "previous period") -> tuple[str, str]:
    """A KPI's health ('healthy', 'watch', 'at risk', 'info' or 'missing') and the reason, in words.

    With a target, attainment decides (≥ watch_below healthy, ≥ risk_below watch, else at risk);
    without one, the change against the previous period does (≤ change_risk at risk, ≤ change_watch
    watch; mirrored for lower-is-better KPIs). Neutral KPIs (ad spend) are 'info'.
    """
    if kpi not in KPIS:
        raise ParameterError(f"unknown KPI {kpi!r}; known KPIs: {', '.join(KPIS)}.")
    _check_thresholds(watch_below, risk_below, change_watch, change_risk)
    spec = KPIS[kpi]
    if _isnan(actual):
        return "missing", "no data for this KPI in the period"
    if spec.higher_is_better is None:
        extra = f"; {attainment:.1%} of target" if not _isnan(attainment) else ""
        return "info", f"neutral KPI, reported for information{extra}"
    if not _isnan(attainment):
        score = attainment if spec.higher_is_better else 1 / attainment if attainment else math.inf
        status = "healthy" if score >= watch_below else "watch" if score >= risk_below else "at risk"
        word = "attainment" if spec.higher_is_better else "target ÷ actual"
        return status, (f"{word} {score:.1%} (watch below {watch_below:.0%}, at risk below {risk_below:.0%})")
    if _isnan(change_pct):
        return "info", f"no target and no {compared_with} value to compare with"
    change = change_pct if spec.higher_is_better else -change_pct
    status = "at risk" if change <= change_risk else "watch" if change <= change_watch else "healthy"
    sign = "≤" if spec.higher_is_better else "≥"
    watch, risk = (change_watch, change_risk) if spec.higher_is_better else (-change_watch, -change_risk)
    return status, (f"no target; {change_pct:+.1%} vs {compared_with} "
                    f"(watch at {sign} {watch:+.0%}, at risk at {sign} {risk:+.0%})")


def _isnan(x: object) -> bool:
    """True for NaN/None/NA."""
    return bool(pd.isna(x))


def _relative_change(actual: pd.Series, base: pd.Series) -> pd.Series:
    """(actual − base) ÷ |base|: relative change, right-signed even when the base is negative; NaN if base is 0."""
    return (actual - base) / base.abs().where(base != 0)


def _coverage_text(row: Any, label: str) -> str:
    """An account's coverage in a period, for a note: 'own_xhs (3/31 days in 2026-10)'."""
    days = "no data" if not row.coverage else row.coverage
    return f"{row.account_id} ({days} in {label})"


def _comparison(board: pd.DataFrame, values: pd.DataFrame, parts: dict[str, dict[str, float]],
                cur_parts: dict[str, dict[str, float]], period: ReviewPeriod, er_base: str, name: str,
                whole: bool) -> pd.DataFrame:
    """The board with a comparison period's values in column ``name`` and the current values they compare with.

    An account's comparison value is kept only when it is covered in that period; a total's is
    recomputed over the accounts covered in both periods (``<name>_actual`` is the current total over
    the same accounts, what the change is computed from), and its note names the accounts left out.
    ``whole``: account_daily reaches back to the period's start (else every comparison value is NaN).
    """
    keyed = values.set_index(["account_id", "kpi"])
    accounts = board[board["scope"] == "account"]
    base, actual_for_change, notes = [], [], []
    for r in board.itertuples(index=False):
        key = (r.account_id, r.kpi)
        row = keyed.loc[key] if key in keyed.index else None
        if not whole or row is None:
            base.append(math.nan)
            actual_for_change.append(r.actual)
            notes.append("")
            continue
        if r.scope == "account":
            base.append(float(row["value"]) if bool(row["in_total"]) else math.nan)
            actual_for_change.append(r.actual)
            notes.append(f"{period.label}: {row['coverage']}, under the coverage threshold" if bool(row["gap"])
                         else "")
            continue
        if r.kpi not in _formulas(er_base):  # reputation totals: as comment_kpis computes them
            base.append(float(row["value"]))
            actual_for_change.append(r.actual)
            notes.append("")
            continue
        mine = accounts[accounts["kpi"] == r.kpi]
        now = set(mine.loc[mine["in_total"], "account_id"])
        then_rows = values[(values["scope"] == "account") & (values["kpi"] == r.kpi)]
        then = set(then_rows.loc[then_rows["in_total"], "account_id"])
        common = [a for a in mine["account_id"] if a in now and a in then]
        base.append(_total_value(parts, r.kpi, er_base, common))
        actual_for_change.append(_total_value(cur_parts, r.kpi, er_base, common))
        out = [_coverage_text(t, period.label) for t in then_rows.itertuples(index=False)
               if t.account_id in now and t.gap]
        notes.append(f"change vs {period.label} over the accounts covered in both; left out: {', '.join(out)}"
                     if out and common and r.note != _REACH_TOTAL_NOTE else "")
    return board.assign(**{name: base, f"{name}_actual": actual_for_change, f"{name}_note": notes})


def covers(account_daily: pd.DataFrame, period: ReviewPeriod) -> bool:
    """Whether account_daily starts on or before the period's first day (a comparison needs the whole period)."""
    days = pd.to_datetime(account_daily["date"])
    return bool(len(days)) and days.min() <= period.start


def scorecard(account_daily: pd.DataFrame, posts: pd.DataFrame | None, ad_daily: pd.DataFrame | None,
              accounts: pd.DataFrame, targets: pd.DataFrame | None, period: ReviewPeriod,
              er_base: str = "impressions", watch_below: float = 1.0, risk_below: float = 0.9,
              change_watch: float = -0.10, change_risk: float = -0.25,
              roas_floor: float | None = None, comments: pd.DataFrame | None = None,
              min_coverage: float = MIN_COVERAGE) -> pd.DataFrame:
    """The review's KPI board: actual, target, attainment, change vs previous period and last year, status.

    Coverage (``min_coverage``, a share of the period's days): an account KPI with data on fewer days
    is "insufficient data" (no attainment, change or verdict) and left out of the total; a total
    says how many accounts it sums ("3/4 accounts") and which are left out and why (``note``); its
    change compares only the accounts covered in both periods (``previous`` and ``last_year`` of a
    total are over those accounts).

    With ``roas_floor`` (the ads stop-loss), a ROAS under the floor is "at risk" whatever its
    target or trend, so the board never calls healthy what the ads section stops. With ``comments``
    (customers' comments, cleaned and scored: see comment_kpis) the board adds the reputation KPIs.

    One row per account (and the total) and KPI. change_pct and yoy_pct are relative changes
    ((actual − base) ÷ |base|), also for rates; for flows (additive KPIs summed over days) the base
    is first scaled to the period's length, i.e. the change is per day (``change_basis``), where
    change_abs and yoy_abs give the change in the rate's own units (0.012 = 1.2 percentage points).
    Comparison values are NaN, not errors, when the data does not reach back that far; status_reason
    says so.
    """
    _check_er_base(er_base)
    _check_thresholds(watch_below, risk_below, change_watch, change_risk)
    check_min_coverage(min_coverage)
    current, cur_parts = _period_kpis(account_daily, posts, ad_daily, accounts, period.start, period.end, er_base,
                                      comments, min_coverage)
    board = attach_targets(current, targets, period.label, period.kind).rename(columns={"value": "actual"})
    board["note"] = _notes_with_left_out(board, period.label)
    prev_p, ly_p = period.previous(), period.same_period_last_year()
    for p, name in ((prev_p, "previous"), (ly_p, "last_year")):
        values, parts = _period_kpis(account_daily, posts, ad_daily, accounts, p.start, p.end, er_base, comments,
                                     min_coverage)
        board = _comparison(board, values, parts, cur_parts, p, er_base, name, covers(account_daily, p))
    insufficient = ((board["scope"] == "account") & board["actual"].notna()
                    & ~board["in_total"].astype(bool) & board["covered_days"].notna())
    board.loc[insufficient, "attainment"] = math.nan
    # flows (sums over days) are compared per day, so a 31-day month is not +3 % on a 30-day one
    flow = board["kpi"].map(lambda k: KPIS[k].additive and not KPIS[k].stock)
    board["change_basis"] = np.where(flow, "per day", "level")
    board["change_pct"] = _relative_change(
        board["previous_actual"], board["previous"] * np.where(flow, period.days / prev_p.days, 1.0))
    board["change_abs"] = board["previous_actual"] - board["previous"]
    board["yoy_pct"] = _relative_change(
        board["last_year_actual"], board["last_year"] * np.where(flow, period.days / ly_p.days, 1.0))
    board["yoy_abs"] = board["last_year_actual"] - board["last_year"]
    for column in ("change_pct", "change_abs", "yoy_pct", "yoy_abs"):
        board.loc[insufficient, column] = math.nan
    board["label"] = [kpi_label(k, er_base) for k in board["kpi"]]
    board["unit"] = [KPIS[k].unit for k in board["kpi"]]
    statuses = [kpi_status(r.kpi, r.actual, r.attainment, r.change_pct, watch_below=watch_below,
                           risk_below=risk_below, change_watch=change_watch, change_risk=change_risk,
                           compared_with=f"previous {period.kind} {prev_p.label}")
                for r in board.itertuples(index=False)]
    board["status"] = [s for s, _ in statuses]
    board["status_reason"] = [_full_reason(reason, r, prev_p, ly_p) for (_, reason), r
                              in zip(statuses, board.itertuples(index=False), strict=True)]
    board.loc[board["note"] == _REACH_TOTAL_NOTE, "status"] = "info"
    board.loc[insufficient, "status"] = "insufficient data"
    board.loc[insufficient, "status_reason"] = [
        f"insufficient data: {c} reported, under the coverage threshold of {min_coverage:.0%} of the period's days; "
        "no attainment, change or verdict" for c in board.loc[insufficient, "coverage"]]
    for name in ("previous_note", "last_year_note"):
        has = board[name] != ""
        board.loc[has & (board["scope"] == _TOTAL), "note"] = [
            "; ".join(filter(None, [n, extra])) for n, extra in board.loc[has & (board["scope"] == _TOTAL),
                                                                          ["note", name]].itertuples(index=False)]
    if roas_floor is not None:
        under = (board["kpi"] == "roas") & (board["actual"] < roas_floor) & ~insufficient
        board.loc[under, "status"] = "at risk"
        board.loc[under, "status_reason"] = [f"ROAS {a:.2f} under the stop-loss floor {roas_floor:g}"
                                             for a in board.loc[under, "actual"]]
    return board[["scope", "account_id", "platform", "kpi", "label", "unit", "actual", "target", "attainment",
                  "previous", "change_pct", "change_abs", "last_year", "yoy_pct", "yoy_abs", "status",
                  "status_reason", "change_basis", "target_source", "coverage", "note", "covered_days",
                  "period_days", "gap"]]


def check_min_coverage(min_coverage: float) -> float:
    """The coverage threshold as a share of the period's days, from 0 (any data) to 1 (every day)."""
    return check_number("min_coverage", min_coverage, 0.0, 1.0)


def _notes_with_left_out(board: pd.DataFrame, label: str) -> list[str]:
    """Each row's note, a total's with the accounts left out of it this period and why ('own_xhs (0/31 days in
    2026-10)'), in the board's order; the left-out accounts of every KPI are gathered in one pass over the board."""
    left_out: dict[str, list[str]] = {}
    for r in board[board["scope"] == "account"].itertuples(index=False):
        if r.gap:
            left_out.setdefault(r.kpi, []).append(_coverage_text(r, label))
    return [_with_left_out(r, left_out.get(r.kpi, [])) for r in board.itertuples(index=False)]


def _with_left_out(row: Any, out: list[str]) -> str:
    """A row's note; a total's with ``out``, the texts of the accounts left out of it."""
    note = "" if _isnan(row.note) else str(row.note)
    if row.scope != _TOTAL or note == _REACH_TOTAL_NOTE:  # reach is not summed: nobody is left out of it
        return note
    return "; ".join(filter(None, [note, f"left out: {', '.join(out)}" if out else ""]))


def _full_reason(reason: str, row: Any, prev_p: ReviewPeriod, ly_p: ReviewPeriod) -> str:
    """A status reason extended with why a value is missing, partial day coverage, and absent comparisons."""
    note, coverage = str(row.note), str(row.coverage)
    if _isnan(row.actual):
        if note == _REACH_TOTAL_NOTE:
            return note
        days = f" ({coverage} reported)" if coverage.endswith(" days") else ""
        return "; ".join(filter(None, [reason + days, note]))
    extra = [f"no comparison with {n}" for n in (row.previous_note, row.last_year_note) if n and row.scope != _TOTAL]
    if (m := re.fullmatch(r"(\d+)/(\d+) days", coverage)) and int(m.group(1)) < int(m.group(2)):
        extra.append(f"partial data: {coverage}")
    comparisons = (("previous period", prev_p, row.previous), ("last year", ly_p, row.last_year))
    gaps = [f"{what} ({p.label})" for what, p, value in comparisons if _isnan(value)]
    if gaps:
        extra.append(f"no value for {' or '.join(gaps)} in the data")
    return "; ".join([reason, *extra])


# --------------------------------------------------------------------------------------------
# Trends over trailing periods
# --------------------------------------------------------------------------------------------

#: The KPIs of the review's trend table and explorer.
TREND_KPIS: tuple[str, ...] = ("followers", "net_follower_change", "impressions", "engagements", "conversions",
                               "revenue")


def kpi_trend(account_daily: pd.DataFrame, posts: pd.DataFrame | None, ad_daily: pd.DataFrame | None,
              accounts: pd.DataFrame, targets: pd.DataFrame | None, periods: Sequence[ReviewPeriod],
              kpi_names: Sequence[str] = TREND_KPIS, er_base: str = "impressions") -> pd.DataFrame:
    """KPI values and targets per account and period over trailing periods (for the trend charts).

    One row per period, account and KPI (the total is left out: a trend chart draws one line per
    platform); each period is computed and given its targets as the scorecard does.
    """
    frames = []
    for p in periods:
        values = compute_kpis(account_daily, posts, ad_daily, accounts, p.start, p.end, er_base)
        values = attach_targets(values, targets, p.label, p.kind)
        frames.append(values[values["kpi"].isin(kpi_names)].assign(period=p.label, period_start=p.start))
    columns = ["period", "period_start", "account_id", "platform", "kpi", "value", "target"]
    trend = pd.concat(frames, ignore_index=True)[columns]
    return trend[trend["account_id"] != _TOTAL]


#: The KPIs of the year-end review's monthly small multiples (METHODOLOGY 7).
MONTHLY_KPIS: tuple[str, ...] = ("followers", "net_follower_change", "impressions", "engagements", "engagement_rate",
                                 "conversions", "revenue")


def monthly_trend(account_daily: pd.DataFrame, posts: pd.DataFrame | None, ad_daily: pd.DataFrame | None,
                  accounts: pd.DataFrame, targets: pd.DataFrame | None, period: ReviewPeriod,
                  kpi_names: Sequence[str] = MONTHLY_KPIS, er_base: str = "impressions") -> pd.DataFrame:
    """The months of a quarter or a year, each as kpi_trend computes it (value and monthly target per account).

    Same columns as kpi_trend; empty for a week or a month (they have no months to draw).
    """
    if period.kind not in ("quarter", "year"):
        return pd.DataFrame(columns=["period", "period_start", "account_id", "platform", "kpi", "value", "target"])
    months = [period_containing("month", day) for day in pd.date_range(period.start, period.end, freq="MS")]
    return kpi_trend(account_daily, posts, ad_daily, accounts, targets, months, kpi_names, er_base)
