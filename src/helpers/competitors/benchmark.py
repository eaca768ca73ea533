"""Competitor benchmark: follower growth, posting cadence, engagement, share of voice, rank in the field.

Read these numbers with four conventions in mind:

- **Engagement-rate base.** Competitors publish only public numbers (followers, likes, comments,
  shares, video views); their reach and impressions are private. So the only base that works for
  every account is *followers at posting time* (``content.with_engagement_rate(base="followers")``):
  engagements ÷ followers on the latest day at or before the post. The base is a column
  (``er_base``) of every table, and the text says "engagement rate by followers". An own account's
  rate by impressions is a different number and must not be set next to a competitor's.
- **Mean of rates vs rate of sums.** ``er_mean_of_rates`` averages per-post rates (every post counts
  once: "a typical post"); ``er_rate_of_sums`` is Σ engagements ÷ Σ base over the posts that have
  both (big posts weigh more: "the account's output as a whole"). They differ whenever posts differ
  in size, and they are always named.
- **Growth rate vs absolute growth.** ``net_growth`` is followers gained net (end − start);
  ``growth_pct`` is that ÷ followers at the start, a *fraction* (0.10 = 10 %, shown as a percentage
  by ``report.styled`` like every ``_pct`` column). A big account can add the most followers and
  still grow slowest; compare rates across sizes, absolute numbers for reach of the gain.
- **Percentile ranks with few accounts are coarse.** With four competitors the own account's rank
  can only be 0, 12.5, 25, … 100 %: one account more or less above it moves the rank by a quarter.
  ``accounts_compared`` says how many accounts a rank rests on.

Missing is never zero: an account without follower values in the period has NaN followers and a
``note``; a post without known engagements is counted in ``posts_with_metrics``/
``posts_missing_engagements`` rather than counted as 0. A zero *is* a real zero where the data say
so: an account that is in the posts table but published nothing in the period has ``posts`` = 0.
An account that is not in the posts table at all (an unknown id, or posts not collected) is unknown:
its row is NaN with a note. So pass the posts of **all dates**; the functions cut the period.

The *field* is every benchmarked account except the own one(s): ``benchmark_table`` adds a row
``account_id="field median"`` with each metric's median over the field accounts that have a value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from helpers.content import ENGAGEMENT_COMPONENTS, post_engagements, with_engagement_rate
from helpers.errors import DataError, ParameterError, require_columns
from helpers.i18n import N_, _, fmt_count, fmt_date, fmt_percent
from helpers.params import check_day
from helpers.report import format_number

__all__ = [
    "BENCHMARK_METRICS",
    "FIELD_ROW",
    "KPI_METRICS",
    "RANK_METRICS",
    "SHORT_LABELS",
    "VIDEO_FORMATS",
    "account_roster",
    "all_percentile_ranks",
    "benchmark_table",
    "benchmark_view",
    "cadence_grid",
    "cadence_summary",
    "engagements_per_view",
    "er_base_text",
    "fairness_check",
    "field_leader",
    "field_leaders",
    "field_value",
    "flagged_notes",
    "follower_growth",
    "growth_index",
    "metric_label",
    "metric_labels",
    "normalised_kpis",
    "percentile_ranks",
    "rank_extremes",
    "ranks_of",
    "relative_to_field",
    "share_of_voice",
    "sov_period",
    "strengths_view",
    "strengths_weaknesses",
    "weekly_cadence",
]

#: Formats whose views are public and counted in ``views_per_video_post``.
VIDEO_FORMATS: tuple[str, ...] = ("video", "short_video", "live")
#: account_id of the summary row of ``benchmark_table``.
FIELD_ROW = "field median"
#: Numeric metrics of ``benchmark_table`` that can be compared with the field.
BENCHMARK_METRICS: tuple[str, ...] = (
    "followers_end", "net_growth", "growth_pct", "posts_per_week", "engagements_mean", "engagements_median",
    "er_mean_of_rates", "er_rate_of_sums", "views_per_video_post")

_LABELS = {
    "followers_start": N_("followers at start"), "followers_end": N_("followers"),
    "net_growth": N_("net follower growth"), "growth_pct": N_("follower growth rate"), "posts": N_("posts"),
    "posts_per_week": N_("posts per week"), "posts_with_metrics": N_("posts with engagements"),
    "engagements_mean": N_("engagements per post (mean)"), "engagements_median": N_("engagements per post (median)"),
    "er_mean_of_rates": N_("engagement rate by {base} (mean of rates)"),
    "er_rate_of_sums": N_("engagement rate by {base} (rate of sums)"),
    "video_posts": N_("video posts"), "views_per_video_post": N_("views per video post"),
}
#: The engagement-rate base as a word inside a label ("engagement rate by followers").
_BASE_WORDS = {"followers": N_("followers"), "views": N_("views")}
#: Metrics the own account is ranked on (every comparable benchmark column).
RANK_METRICS: tuple[str, ...] = BENCHMARK_METRICS
#: Headline KPIs of strengths/weaknesses and the radar chart: size, growth, cadence, engagement, reach of video.
KPI_METRICS: tuple[str, ...] = ("followers_end", "growth_pct", "posts_per_week", "engagements_mean",
                                "er_mean_of_rates", "views_per_video_post")
#: Short names of the KPIs for chart axes (the tables use metric_label, which states the ER base).
SHORT_LABELS: dict[str, str] = {"followers_end": N_("followers"), "growth_pct": N_("growth rate"),
                                "posts_per_week": N_("posts / week"), "engagements_mean": N_("engagements / post"),
                                "er_mean_of_rates": N_("ER (mean of rates)"),
                                "views_per_video_post": N_("views / video post"), "net_growth": N_("net growth"),
                                "engagements_median": N_("median engagements"),
                                "er_rate_of_sums": N_("ER (rate of sums)")}
#: How each engagement-rate base reads in a sentence or a chart title.
ER_BASE_TEXT: dict[str, str] = {"followers": N_("followers at posting time"),
                                "views": N_("views (video posts only)")}
_PERCENT_METRICS = ("growth_pct", "er_mean_of_rates", "er_rate_of_sums")
_VIEW_ROWS: tuple[str, ...] = ("followers_start", "followers_end", "net_growth", "growth_pct", "posts",
                               "posts_per_week", "engagements_mean", "engagements_median", "er_mean_of_rates",
                               "er_rate_of_sums", "views_per_video_post")
_GROWTH_COLUMNS = ("followers_start", "followers_end", "net_growth", "growth_pct")
_RATED_COLUMNS = ("account_id", "published_at", "format", "engagements", "er_base_value", "engagement_rate",
                  "er_base")
_EPS = 1e-12  # ratios exactly on a threshold (1.2 from 120/100) count as reaching it


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


def _period(start: object, end: object) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The inclusive day range [start, end], rejecting start after end."""
    first, last = check_day("start", start), check_day("end", end)
    if first > last:
        raise ParameterError(f"start {first.date()} is after end {last.date()}; the period is start..end inclusive.")
    return first, last


def _ids(account_ids: str | Iterable[str]) -> list[str]:
    """Account ids in the order given, duplicates dropped; one id may be passed as a plain string."""
    ids = [account_ids] if isinstance(account_ids, str) else [str(a) for a in account_ids]
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise ParameterError("account_ids is empty; give at least one account id.")
    if FIELD_ROW in ids:
        raise ParameterError(f"{FIELD_ROW!r} is reserved for the summary row and cannot be an account id.")
    return ids


def _days_of(values: pd.Series, table: str, column: str) -> pd.Series:
    """A datetime column as naive days; DataError when it was not parsed as dates."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        raise DataError(f"{table}.{column} must be parsed timestamps (datetime64); load the table with helpers.data.")
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    return values.dt.normalize()


def _in_period(posts: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> pd.DataFrame:
    """Posts published on a day within [first, last]."""
    day = _days_of(posts["published_at"], "posts", "published_at")
    return posts.loc[(day >= first) & (day <= last)]


def _metrics(benchmark: pd.DataFrame, metrics: Iterable[str]) -> list[str]:
    """Metric names that are numeric columns of the benchmark table."""
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    if not names:
        raise ParameterError("metrics is empty; name at least one benchmark column, e.g. 'er_mean_of_rates'.")
    unknown = [m for m in names if m not in benchmark.columns]
    if unknown:
        raise ParameterError(f"metric(s) {unknown} are not columns of the benchmark table; "
                             f"comparable metrics: {', '.join(BENCHMARK_METRICS)}.")
    text = [m for m in names if not pd.api.types.is_numeric_dtype(benchmark[m])]
    if text:
        raise ParameterError(f"metric(s) {text} are not numeric and cannot be compared.")
    return names


def _accounts_only(benchmark: pd.DataFrame) -> pd.DataFrame:
    """Benchmark rows of real accounts (the field-median row left out)."""
    require_columns(benchmark, ["account_id"], "benchmark", "Pass the table returned by benchmark_table.")
    return benchmark.loc[benchmark["account_id"] != FIELD_ROW]


def _join(notes: Iterable[str]) -> str:
    return "; ".join(n for n in notes if n)


def metric_label(metric: str, er_base: str = "followers") -> str:
    """Readable name of a benchmark column, with the engagement-rate base stated."""
    base = _(_BASE_WORDS.get(er_base, er_base))
    return _(_LABELS[metric]).format(base=base) if metric in _LABELS else metric.replace("_", " ")


def metric_labels(er_base: str, metrics: Iterable[str] = BENCHMARK_METRICS) -> dict[str, str]:
    """{metric: readable name} for the comparable benchmark columns (the explorer's metric choices)."""
    return {m: metric_label(m, er_base) for m in metrics}


def er_base_text(er_base: str) -> str:
    """The engagement-rate base as a reader needs it: 'followers at posting time' or 'views (video posts only)'."""
    return _(ER_BASE_TEXT[er_base]) if er_base in ER_BASE_TEXT else er_base


# --------------------------------------------------------------------------------------------
# Followers
# --------------------------------------------------------------------------------------------


def _follower_values(account_daily: pd.DataFrame) -> pd.DataFrame:
    """Known follower values as (account_id, day, followers), sorted, one per account and day."""
    require_columns(account_daily, ["date", "account_id", "followers"], "account_daily")
    values = pd.DataFrame({"account_id": account_daily["account_id"].astype(str),
                           "day": _days_of(account_daily["date"], "account_daily", "date"),
                           "followers": pd.to_numeric(account_daily["followers"], errors="coerce").astype(float)})
    values = values.dropna(subset=["day", "followers"]).sort_values(["account_id", "day"], kind="stable")
    return values.drop_duplicates(["account_id", "day"], keep="last")


def _growth_row(account_id: str, values: pd.DataFrame, known: bool, first: pd.Timestamp,
                last: pd.Timestamp) -> dict[str, Any]:
    """One account's start/end followers with the days used and a note on every fallback."""
    row: dict[str, Any] = {"account_id": account_id, "followers_start": np.nan, "followers_end": np.nan,
                              "start_date_used": pd.NaT, "end_date_used": pd.NaT, "net_growth": np.nan,
                              "growth_pct": np.nan, "days_of_history": 0}
    within = values.loc[(values["day"] >= first) & (values["day"] <= last)]
    before = values.loc[values["day"] <= first]
    notes = []
    if not known:
        row["note"] = _("no follower values for this account at all (unknown account id or followers not collected)")
        return row
    if len(before):
        row["followers_start"], row["start_date_used"] = before["followers"].iloc[-1], before["day"].iloc[-1]
        if row["start_date_used"] != first:
            notes.append(_("no value on {day}: start taken from {used}").format(
                day=fmt_date(first), used=fmt_date(row["start_date_used"])))
    elif len(within):
        row["followers_start"], row["start_date_used"] = within["followers"].iloc[0], within["day"].iloc[0]
        notes.append(_("no value on or before {day}: start taken from {used}, the first day with a value").format(
            day=fmt_date(first), used=fmt_date(row["start_date_used"])))
    if within.empty:
        notes.append(_("no follower history in the period"))
    else:
        row["followers_end"], row["end_date_used"] = within["followers"].iloc[-1], within["day"].iloc[-1]
        row["days_of_history"] = len(within)
        if row["end_date_used"] != last:
            notes.append(_("no value on {day}: end taken from {used}").format(
                day=fmt_date(last), used=fmt_date(row["end_date_used"])))
    if pd.notna(row["end_date_used"]) and row["end_date_used"] == row["start_date_used"]:
        notes.append(_("a single follower value: growth over the period cannot be measured"))
    elif pd.notna(row["followers_end"]) and pd.notna(row["followers_start"]):
        row["net_growth"] = row["followers_end"] - row["followers_start"]
        if row["followers_start"] > 0:
            row["growth_pct"] = row["net_growth"] / row["followers_start"]
    row["note"] = _join(notes)
    return row


def follower_growth(account_daily: pd.DataFrame, account_ids: str | Sequence[str], start: object,
                    end: object) -> pd.DataFrame:
    """Followers at start and end of the period, net growth and growth rate, one row per account.

    followers_start is the value on the last day at or before ``start`` (so a missing first day
    falls back to the latest earlier day); when the account has no value at or before ``start``,
    the first value within the period is used. followers_end is the last value within the period.
    ``start_date_used``/``end_date_used`` say which days were used and ``note`` says why when they
    are not ``start``/``end``. net_growth = end − start; growth_pct = net_growth ÷ start (a fraction,
    NaN when start is missing or 0). A single value in the period gives no growth (NaN, with a note).
    days_of_history counts the days in the period with a follower value.
    """
    first, last = _period(start, end)
    values = _follower_values(account_daily)
    known = set(values["account_id"])
    grouped = dict(tuple(values.groupby("account_id", sort=False)))
    empty = values.iloc[0:0]
    rows = [_growth_row(a, grouped.get(a, empty), a in known, first, last) for a in _ids(account_ids)]
    return pd.DataFrame(rows).astype({"days_of_history": "int64", "start_date_used": "datetime64[ns]",
                                      "end_date_used": "datetime64[ns]"})


def growth_index(account_daily: pd.DataFrame, account_ids: str | Sequence[str], start: object,
                 end: object) -> pd.DataFrame:
    """Followers per day indexed to 100 at each account's first value in the period (growth trajectories).

    Accounts of different sizes share one axis: 105 means 5 % more followers than on the account's
    first day with a value. Days without a value are left out (not interpolated); an account with
    no value in the period has no rows, and one whose first value is 0 has a NaN index.
    """
    first, last = _period(start, end)
    ids = _ids(account_ids)
    values = _follower_values(account_daily)
    values = values.loc[values["account_id"].isin(ids) & (values["day"] >= first) & (values["day"] <= last)]
    base = values.groupby("account_id")["followers"].transform("first")
    out = values.assign(index=values["followers"] / base.where(base > 0) * 100.0).rename(columns={"day": "date"})
    order = out["account_id"].map({a: i for i, a in enumerate(ids)})
    out = out.assign(_order=order).sort_values(["_order", "date"], kind="stable")
    return out[["date", "account_id", "followers", "index"]].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Posting cadence and the benchmark table
# --------------------------------------------------------------------------------------------


def weekly_cadence(posts: pd.DataFrame, account_ids: str | Sequence[str], start: object,
                   end: object) -> pd.DataFrame:
    """Posts per calendar week (Monday–Sunday) and account, zero-filled, for every week overlapping the period.

    Only posts published within [start, end] count, so the first and last week can be partial:
    ``days_in_period`` (1–7) says how many of the week's days the period covers. A week without
    posts is a real 0; an account that is not in the posts table at all gets NaN (unknown).
    """
    first, last = _period(start, end)
    ids = _ids(account_ids)
    require_columns(posts, ["account_id", "published_at"], "posts")
    known = set(posts["account_id"].astype(str))
    inside = _in_period(posts, first, last)
    day = _days_of(inside["published_at"], "posts", "published_at")
    week = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    counts = inside.groupby([inside["account_id"].astype(str), week]).size()
    weeks = pd.date_range(first - pd.Timedelta(days=first.weekday()), last, freq="7D")
    grid = pd.MultiIndex.from_product([ids, weeks], names=["account_id", "week_start"])
    out = counts.reindex(grid, fill_value=0).astype(float).reset_index(name="posts")
    out.loc[~out["account_id"].isin(known), "posts"] = np.nan
    covered = [(min(w + pd.Timedelta(days=6), last) - max(w, first)).days + 1 for w in out["week_start"]]
    out = out.assign(days_in_period=covered)
    return out[["week_start", "account_id", "posts", "days_in_period"]]


def _check_rated(posts: pd.DataFrame, er_base: str) -> None:
    """Posts must come from content.with_engagement_rate, rated on the base the table will state."""
    require_columns(posts, _RATED_COLUMNS, "posts",
                    "Pass posts through helpers.content.with_engagement_rate(posts, account_daily, base=...) first.")
    bases = sorted(set(posts["er_base"].dropna().astype(str)))
    if bases and bases != [er_base]:
        raise ParameterError(f"posts were rated with engagement-rate base {bases} but er_base={er_base!r}; rate "
                             f"them with with_engagement_rate(..., base={er_base!r}) or pass er_base={bases[0]!r}.")


def _post_stats(group: pd.DataFrame, weeks: float) -> dict[str, float]:
    """Per-account post metrics: counts, engagements per post, both engagement rates, video views."""
    engagements = group["engagements"].astype(float)
    base = group["er_base_value"].astype(float)
    both = engagements.notna() & (base > 0)
    video = group["format"].isin(VIDEO_FORMATS)
    views = group["views"].astype(float)[video].dropna() if "views" in group.columns else pd.Series(dtype=float)
    return {
        "posts": float(len(group)),
        "posts_per_week": len(group) / weeks,
        "posts_with_metrics": float(engagements.notna().sum()),
        "posts_with_rate": float(group["engagement_rate"].notna().sum()),
        "engagements_mean": engagements.mean(),
        "engagements_median": engagements.median(),
        "er_mean_of_rates": group["engagement_rate"].astype(float).mean(),
        "er_rate_of_sums": engagements[both].sum() / base[both].sum() if both.any() else np.nan,
        "video_posts": float(video.sum()),
        "video_posts_with_views": float(len(views)),
        "views_per_video_post": views.mean() if len(views) else np.nan,
    }


def _own_ids(own_id: str | Sequence[str] | None, ids: list[str]) -> list[str]:
    """The own account ids (may be none), each of which must be among the benchmarked accounts."""
    own = [] if own_id is None else [own_id] if isinstance(own_id, str) else list(own_id)
    missing = [o for o in own if o not in ids]
    if missing:
        raise ParameterError(f"own_id {missing} is not among account_ids {ids}; add it or leave own_id=None.")
    return own


def benchmark_table(posts: pd.DataFrame, growth: pd.DataFrame, account_ids: str | Sequence[str], start: object,
                    end: object, er_base: str = "followers", own_id: str | Sequence[str] | None = None
                    ) -> pd.DataFrame:
    """One row per account plus a "field median" row: growth, cadence, engagement and views side by side.

    ``posts`` are all posts (any dates) passed through ``content.with_engagement_rate``; ``growth`` is
    ``follower_growth`` for the same period. posts_per_week = posts ÷ (period days ÷ 7).
    engagements_mean/median are per post over posts with known engagements (``posts_with_metrics``);
    er_mean_of_rates averages per-post rates (``posts_with_rate``); er_rate_of_sums = Σ engagements ÷
    Σ base over posts with both; views_per_video_post is the mean over video posts with views.
    The field-median row is each metric's median over the accounts other than ``own_id`` (all
    accounts when ``own_id`` is None) that have a value; ``role`` says own / field / field median.
    """
    first, last = _period(start, end)
    ids = _ids(account_ids)
    own = _own_ids(own_id, ids)
    _check_rated(posts, er_base)
    require_columns(growth, ["account_id", *_GROWTH_COLUMNS], "growth", "Pass the table returned by follower_growth.")
    known = set(posts["account_id"].astype(str))
    inside = _in_period(posts, first, last)
    by_account = dict(tuple(inside.groupby(inside["account_id"].astype(str), sort=False)))
    weeks = ((last - first).days + 1) / 7.0
    growth_by_id = growth.assign(account_id=growth["account_id"].astype(str)).drop_duplicates("account_id")
    growth_by_id = growth_by_id.set_index("account_id")
    rows = []
    for account in ids:
        stats = _post_stats(by_account.get(account, inside.iloc[0:0]), weeks)
        notes = []
        if account not in known:
            stats = dict.fromkeys(stats, np.nan)
            notes.append(_("not in the posts table (unknown account id or posts not collected)"))
        elif stats["posts"] == 0:
            notes.append(_("no posts in the period"))
        if account in growth_by_id.index:
            found = growth_by_id.loc[account]
            grown = {c: float(found[c]) for c in _GROWTH_COLUMNS}
            if "note" in growth_by_id.columns and isinstance(found["note"], str) and found["note"]:
                notes.append(_("followers: {note}").format(note=found["note"]))
        else:
            grown = dict.fromkeys(_GROWTH_COLUMNS, np.nan)
            notes.append(_("not in the growth table"))
        role = "own" if account in own else "field"
        rows.append({"account_id": account, "role": role, **grown, **stats, "er_base": er_base,
                     "note": _join(notes)})
    table = pd.DataFrame(rows)
    field = table.loc[table["role"] == "field"]
    numeric = [c for c in table.columns if c not in ("account_id", "role", "er_base", "note")]
    summary = {"account_id": FIELD_ROW, "role": FIELD_ROW, **field[numeric].median().to_dict(), "er_base": er_base,
               "note": _("each metric's median over the field accounts with a value ({n} in the field)").format(
                   n=len(field)) + "; " + (_("own account(s) excluded") if own else _("no own account given"))}
    table = pd.concat([table, pd.DataFrame([summary])], ignore_index=True)
    order = ["account_id", "role", *_GROWTH_COLUMNS, "posts", "posts_per_week", "posts_with_metrics",
             "posts_with_rate", "engagements_mean", "engagements_median", "er_mean_of_rates", "er_rate_of_sums",
             "er_base", "video_posts", "video_posts_with_views", "views_per_video_post", "note"]
    return table[order].astype(dict.fromkeys(numeric, "float64"))


# --------------------------------------------------------------------------------------------
# Ranks and comparison with the field
# --------------------------------------------------------------------------------------------


def percentile_ranks(benchmark: pd.DataFrame, own_id: str, metrics: Iterable[str],
                     lower_is_better: Iterable[str] = ()) -> pd.DataFrame:
    """The own account's percentile rank among the other accounts with a value, per metric.

    rank_pct = (others strictly worse + 0.5 × others tied) ÷ others with a value, a fraction
    (0.75 = 75th percentile; identical to ``scipy.stats.percentileofscore(others, own, kind="mean")
    / 100``). "Worse" is lower, or higher for metrics in ``lower_is_better``. The field-median row
    is never compared. NaN when the own value is missing or no other account has a value.
    """
    names = _metrics(benchmark, metrics)
    accounts = _accounts_only(benchmark)
    if own_id not in set(accounts["account_id"]):
        raise ParameterError(f"own_id {own_id!r} is not a row of the benchmark table "
                             f"(rows: {', '.join(accounts['account_id'])}).")
    lower = set(lower_is_better)
    own_row = accounts.loc[accounts["account_id"] == own_id].iloc[0]
    others = accounts.loc[accounts["account_id"] != own_id]
    rows = []
    for metric in names:
        own_value = float(own_row[metric])
        values = others[metric].dropna().to_numpy(dtype=float)
        worse = (values > own_value) if metric in lower else (values < own_value)
        ties = np.isclose(values, own_value, rtol=1e-12, atol=0.0)
        rank = (np.sum(worse & ~ties) + 0.5 * np.sum(ties)) / len(values) if len(values) else np.nan
        rows.append({"metric": metric, "own_value": own_value,
                     "rank_pct": np.nan if np.isnan(own_value) else float(rank),
                     "accounts_compared": len(values), "higher_is_better": metric not in lower})
    return pd.DataFrame(rows)


def _verdict(ratio: float, threshold: float, lower_better: bool, field_median: float, value: float) -> str:
    """strength / weakness / in line by the ratio to the field median, or why there is no verdict."""
    if np.isnan(value):
        return "no data"
    if np.isnan(field_median) or field_median <= 0:
        return "not comparable"
    high, low = ratio >= 1 + threshold - _EPS, ratio <= 1 - threshold + _EPS
    if high:
        return "weakness" if lower_better else "strength"
    if low:
        return "strength" if lower_better else "weakness"
    return "in line"


def relative_to_field(benchmark: pd.DataFrame, metrics: Iterable[str], threshold: float = 0.2,
                      lower_is_better: Iterable[str] = ()) -> pd.DataFrame:
    """Each account's metrics against the field median, long: value, field_median, ratio, verdict.

    ratio = value ÷ field median, only when the field median is positive (a ratio to a zero or
    negative median, e.g. a shrinking field's net growth, has no meaning: NaN, verdict "not
    comparable"). verdict: "strength" when ratio ≥ 1 + threshold, "weakness" when ≤ 1 − threshold
    (reversed for ``lower_is_better``), else "in line"; "no data" when the account has no value.
    """
    if not 0 < threshold < 1:
        raise ParameterError(f"threshold={threshold!r} must be between 0 and 1 (0.2 = ±20 % of the field median).")
    names = _metrics(benchmark, metrics)
    field = benchmark.loc[benchmark["account_id"] == FIELD_ROW]
    if field.empty:
        raise ParameterError(f"the benchmark table has no {FIELD_ROW!r} row; pass the table from benchmark_table.")
    lower = set(lower_is_better)
    accounts = _accounts_only(benchmark)
    rows = []
    for metric in names:
        median = float(field[metric].iloc[0])
        for account, value in zip(accounts["account_id"], accounts[metric].astype(float), strict=True):
            ratio = value / median if median > 0 else np.nan
            rows.append({"account_id": account, "metric": metric, "value": value, "field_median": median,
                         "ratio": ratio, "verdict": _verdict(ratio, threshold, metric in lower, median, value)})
    return pd.DataFrame(rows)


def _phrase(metric: str, ratio: float, er_base: str) -> str:
    """'engagement rate by followers (mean of rates) 1.6× field median'."""
    return _("{metric} {ratio}× field median").format(metric=metric_label(metric, er_base),
                                                     ratio=f"{ratio:.2f}".rstrip("0").rstrip("."))


def strengths_weaknesses(benchmark: pd.DataFrame, metrics: Iterable[str], threshold: float = 0.2,
                         lower_is_better: Iterable[str] = ()) -> pd.DataFrame:
    """Per account, readable lists of metrics ≥ (1 + threshold) × field median and ≤ (1 − threshold) ×.

    Computed from ``relative_to_field`` (use it for the tidy long form); metrics in
    ``lower_is_better`` count as strengths when low. Empty text means none.
    """
    long = relative_to_field(benchmark, metrics, threshold, lower_is_better)
    bases = benchmark["er_base"].dropna() if "er_base" in benchmark.columns else pd.Series(dtype=str)
    er_base = str(bases.iloc[0]) if len(bases) else "followers"
    rows = []
    for account in _accounts_only(benchmark)["account_id"]:
        mine = long.loc[long["account_id"] == account]
        text = {kind: "; ".join(_phrase(r.metric, r.ratio, er_base) for r in mine.itertuples() if r.verdict == kind)
                for kind in ("strength", "weakness")}
        rows.append({"account_id": account, "strengths": text["strength"], "weaknesses": text["weakness"]})
    return pd.DataFrame(rows, columns=["account_id", "strengths", "weaknesses"])


def normalised_kpis(benchmark: pd.DataFrame, metrics: Iterable[str],
                    lower_is_better: Iterable[str] = ()) -> pd.DataFrame:
    """Accounts × metrics min–max scaled to 0–1 across accounts (field row excluded), for a radar chart.

    0 = lowest account, 1 = highest (reversed for ``lower_is_better`` so outward is always better);
    a metric on which every account with a value is equal gives 0.5; a missing value stays NaN.
    """
    names = _metrics(benchmark, metrics)
    lower = set(lower_is_better)
    accounts = _accounts_only(benchmark)
    out = accounts[["account_id"]].reset_index(drop=True)
    for metric in names:
        values = accounts[metric].astype(float).reset_index(drop=True)
        low, high = values.min(), values.max()
        scaled = values * 0 + 0.5 if np.isclose(high, low) else (values - low) / (high - low)
        out[metric] = 1.0 - scaled if metric in lower else scaled
    return out


# --------------------------------------------------------------------------------------------
# Share of voice
# --------------------------------------------------------------------------------------------


def _period_start(published_at: pd.Series, freq: str) -> pd.Series:
    """Start of the calendar period of each timestamp ('W' = Monday-start weeks, 'MS'/'M' months, ...)."""
    try:
        return published_at.dt.to_period(_period_alias(freq)).dt.start_time
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"freq={freq!r} is not a calendar period; use e.g. 'W', 'MS' or 'QS'.") from exc


def share_of_voice(posts: pd.DataFrame, account_ids: str | Sequence[str], freq: str | None = None,
                   start: object = None, end: object = None) -> pd.DataFrame:
    """Each account's share of the field's posts, engagements and video views, overall or per calendar period.

    The views share is over posts with a view count (video); an account whose posts in a period all
    lack a view count has views missing, not 0.

    engagements = Σ over posts with known engagements (taken from an ``engagements`` column, or
    computed with ``content.post_engagements``); ``posts_missing_engagements`` counts the posts left
    out. posts_share and engagement_share sum to 1 within each period over the accounts with data.
    With ``start``/``end`` only posts on those days count, and periods are zero-filled from the one
    containing start to the one containing end. A period without posts is a real 0; an account not
    in the posts table at all is NaN (unknown) with a note.
    """
    ids = _ids(account_ids)
    require_columns(posts, ["account_id", "published_at"], "posts")
    data = posts.assign(account_id=posts["account_id"].astype(str))
    known = set(data["account_id"])
    if "engagements" not in data.columns:
        data = data.assign(engagements=post_engagements(data))
    if start is not None or end is not None:
        if start is None or end is None:
            raise ParameterError("give both start and end, or neither.")
        first, last = _period(start, end)
        data = _in_period(data, first, last)
    else:
        _days_of(data["published_at"], "posts", "published_at")
    data = data.loc[data["account_id"].isin(ids)]
    keys = ["account_id"]
    if freq is not None:
        data = data.assign(period_start=_period_start(data["published_at"], freq))
        keys = ["period_start", "account_id"]
    grouped = data.groupby(keys)
    views = data["views"] if "views" in data.columns else pd.Series(np.nan, index=data.index)
    counts = pd.DataFrame({
        "posts": grouped.size().astype(float),
        "engagements": grouped["engagements"].sum(min_count=1),
        "views": views.groupby([data[k] for k in keys]).sum(min_count=1),
        "posts_missing_engagements": grouped["engagements"].apply(lambda s: float(s.isna().sum())),
    })
    if freq is None:
        grid = pd.Index(ids, name="account_id")
    else:
        bounds = (pd.Series([first, last]) if start is not None
                  else pd.Series(counts.index.get_level_values("period_start")))
        grid = pd.MultiIndex.from_product([_calendar_periods(bounds, freq), ids], names=keys)
    out = counts.reindex(grid)
    out.loc[out["posts"].isna(), list(counts.columns)] = 0.0  # no post in the period: a real zero
    unknown = out.index.get_level_values("account_id").isin(sorted(set(ids) - known))
    out.loc[unknown, list(counts.columns)] = np.nan
    out = out.reset_index()
    period = out["period_start"] if freq is not None else pd.Series(0, index=out.index)
    for column, share in (("posts", "posts_share"), ("engagements", "engagement_share"), ("views", "views_share")):
        total = out.groupby(period)[column].transform("sum")
        out[share] = out[column] / total.where(total > 0)
    out["note"] = np.where(unknown, _("not in the posts table (unknown account id or posts not collected)"), "")
    return out[[*keys, "posts", "engagements", "posts_share", "engagement_share", "views", "views_share",
                "posts_missing_engagements", "note"]]


def _calendar_periods(bounds: pd.Series, freq: str) -> pd.DatetimeIndex:
    """Start days of every calendar period from the one containing the earliest bound to the latest's."""
    if bounds.empty:
        return pd.DatetimeIndex([], name="period_start")
    starts = _period_start(bounds, freq)
    return pd.period_range(starts.min(), starts.max(), freq=_period_alias(freq)).start_time


def _period_alias(freq: str) -> str:
    """The pandas Period alias of a frequency: month/quarter/year starts map to their periods."""
    return {"MS": "M", "QS": "Q", "YS": "Y", "AS": "Y"}.get(freq, freq)


# --------------------------------------------------------------------------------------------
# The notebook's benchmark tables: ranks of every account, the readable view, leaders, fairness
# --------------------------------------------------------------------------------------------


def account_roster(posts: pd.DataFrame, own_id: str, competitor_ids: Sequence[str],
                   names: dict[str, str] | None = None) -> pd.DataFrame:
    """The compared accounts, own first: id, display name, role and the posts each has in ``posts``."""
    require_columns(posts, ["account_id"], "posts")
    ids = [own_id, *competitor_ids]
    names = names or {}
    counts = posts["account_id"].astype(str).value_counts()
    return pd.DataFrame({"account_id": ids, "name": [names.get(a, a) for a in ids],
                         "role": ["own"] + ["competitor"] * len(competitor_ids),
                         "posts_in_window": [int(counts.get(a, 0)) for a in ids]})


def all_percentile_ranks(benchmark: pd.DataFrame, metrics: Iterable[str] = RANK_METRICS) -> pd.DataFrame:
    """Every account's percentile rank among the other accounts, long: account_id, metric, rank_pct, ..."""
    accounts = benchmark.loc[benchmark["account_id"] != FIELD_ROW, "account_id"]
    frames = [percentile_ranks(benchmark, a, list(metrics)).assign(account_id=a) for a in accounts]
    table = pd.concat(frames, ignore_index=True)
    return table[["account_id", "metric", "own_value", "rank_pct", "accounts_compared", "higher_is_better"]]


def ranks_of(ranks: pd.DataFrame, account_id: str) -> pd.DataFrame:
    """One account's rows of ``all_percentile_ranks`` (metric, rank_pct, accounts_compared, ...)."""
    require_columns(ranks, ["account_id", "metric", "rank_pct"], "ranks")
    return ranks[ranks["account_id"] == account_id].reset_index(drop=True)


def field_value(benchmark: pd.DataFrame, metric: str) -> float:
    """The field-median row's value of a metric (NaN when the table has no field row)."""
    require_columns(benchmark, ["account_id", metric], "benchmark")
    value = benchmark.loc[benchmark["account_id"] == FIELD_ROW, metric]
    return float(value.iloc[0]) if len(value) else np.nan


def _fmt(metric: str, value: float) -> str:
    """A benchmark value as text: rates and growth as percentages, counts readable, missing as '–'."""
    if value is None or pd.isna(value):
        return "–"
    if metric in _PERCENT_METRICS:
        return fmt_percent(float(value), 2)
    return format_number(float(value)) if metric == "posts_per_week" else fmt_count(float(value))


def benchmark_view(benchmark: pd.DataFrame, own_ranks: pd.DataFrame, er_base: str,
                   names: dict[str, str] | None = None) -> pd.DataFrame:
    """Metrics as rows, accounts (by name) and the field median as columns, plus the own account's percentile rank.

    A display table in the run's language (its headers are what a reader sees).
    """
    names = names or {}
    rank = own_ranks.set_index("metric")["rank_pct"]
    rows = []
    for metric in _VIEW_ROWS:
        row = {_("Metric"): metric_label(metric, er_base)}
        for account, value in zip(benchmark["account_id"], benchmark[metric], strict=True):
            header = _("field median") if account == FIELD_ROW else names.get(account, account)
            row[header] = _fmt(metric, value)
        value = rank.get(metric, np.nan)
        row[_("own percentile rank")] = "–" if pd.isna(value) else fmt_percent(value, 0)
        rows.append(row)
    return pd.DataFrame(rows)


def flagged_notes(benchmark: pd.DataFrame) -> pd.DataFrame:
    """The accounts whose benchmark row carries a note (missing posts or followers): account_id, note."""
    require_columns(benchmark, ["account_id", "role", "note"], "benchmark")
    noted = (benchmark["note"].astype(str) != "") & (benchmark["role"] != FIELD_ROW)
    return benchmark.loc[noted, ["account_id", "note"]]


def field_leader(benchmark: pd.DataFrame, metric: str) -> dict[str, object]:
    """The field account (own excluded) with the highest value of a metric, its value, the runner-up and the median."""
    require_columns(benchmark, ["account_id", "role", metric], "benchmark")
    field = benchmark[(benchmark["role"] == "field")].dropna(subset=[metric]).sort_values(metric, ascending=False)
    median = benchmark.loc[benchmark["account_id"] == FIELD_ROW, metric]
    if field.empty:
        return {"metric": metric, "account": None, "value": np.nan, "runner_up": None, "runner_up_value": np.nan,
                "field_median": float(median.iloc[0]) if len(median) else np.nan}
    second = field.iloc[1] if len(field) > 1 else None
    return {"metric": metric, "account": str(field["account_id"].iloc[0]), "value": float(field[metric].iloc[0]),
            "runner_up": None if second is None else str(second["account_id"]),
            "runner_up_value": np.nan if second is None else float(second[metric]),
            "field_median": float(median.iloc[0]) if len(median) else np.nan}


def field_leaders(benchmark: pd.DataFrame, metrics: Sequence[str] = ("engagements_mean", "views_per_video_post")
                  ) -> dict[str, dict[str, object]]:
    """{metric: field_leader(...)} for the metrics the notebook names a leader on."""
    return {m: field_leader(benchmark, m) for m in metrics}


def fairness_check(posts: pd.DataFrame, account_daily: pd.DataFrame, own_id: str, er_base: str,
                   components: Sequence[str], field_median_er: float) -> dict[str, object]:
    """The own account's mean ER on the shared components vs on every component it reports, against the field.

    Shows how much of an own-vs-field gap would come only from metrics competitors do not publish.
    """
    mine = posts[posts["account_id"] == own_id]
    if mine.empty:
        return {"own_er_shared": np.nan, "own_er_all": np.nan, "field_median_er": field_median_er,
                "ratio_shared": np.nan, "ratio_all": np.nan, "components_shared": list(components),
                "components_all": []}
    every = [c for c in ENGAGEMENT_COMPONENTS if c in mine.columns and mine[c].notna().any()]
    shared = with_engagement_rate(mine, account_daily, base=er_base, components=list(components))
    full = with_engagement_rate(mine, account_daily, base=er_base, components=every)
    rated = mine["engagement_rate"].notna() if "engagement_rate" in mine.columns else True
    known = shared["engagement_rate"].notna() & rated  # the same posts on both sides (stale bases stay out)
    er_shared = float(shared.loc[known, "engagement_rate"].mean())
    er_all = float(full.loc[known, "engagement_rate"].mean())
    ok = field_median_er is not None and not pd.isna(field_median_er) and field_median_er > 0
    return {"own_er_shared": er_shared, "own_er_all": er_all, "field_median_er": field_median_er,
            "ratio_shared": er_shared / field_median_er if ok else np.nan,
            "ratio_all": er_all / field_median_er if ok else np.nan,
            "components_shared": list(components), "components_all": every}


def rank_extremes(own_ranks: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The metrics where the own account ranks best and worst (every tied metric, not just the first)."""
    require_columns(own_ranks, ["metric", "rank_pct", "accounts_compared"], "own_ranks")
    ranked = own_ranks.dropna(subset=["rank_pct"])
    if ranked.empty:
        return ranked, ranked
    best = ranked[np.isclose(ranked["rank_pct"], ranked["rank_pct"].max())]
    worst = ranked[np.isclose(ranked["rank_pct"], ranked["rank_pct"].min())]
    return best.reset_index(drop=True), worst.reset_index(drop=True)


def engagements_per_view(posts: pd.DataFrame, account_ids: Sequence[str]) -> pd.Series:
    """Σ engagements ÷ Σ views per account over posts with both (rate of sums), to check counts are comparable.

    Own engagements come from the back office, competitors' from public counters; a large gap in
    engagements per view between them warns that an ER comparison may partly be a counting difference.
    """
    require_columns(posts, ["account_id", "engagements", "views"], "posts")
    both = posts.dropna(subset=["engagements", "views"])
    both = both[both["views"] > 0]
    sums = both.groupby("account_id")[["engagements", "views"]].sum()
    return (sums["engagements"] / sums["views"]).reindex(list(account_ids)).rename("engagements_per_view")


def cadence_grid(cadence: pd.DataFrame, account_ids: Sequence[str]) -> pd.DataFrame:
    """``weekly_cadence`` as accounts (rows, in the given order) × weeks (columns labelled 'MM-DD')."""
    require_columns(cadence, ["account_id", "week_start", "posts"], "weekly_cadence")
    grid = cadence.pivot(index="account_id", columns="week_start", values="posts").reindex(list(account_ids))
    grid.columns = [f"{c:%m-%d}" for c in grid.columns]
    return grid


def cadence_summary(cadence: pd.DataFrame, account_ids: Sequence[str]) -> pd.DataFrame:
    """Per account (index, in the given order): mean posts per calendar week and the weeks without a post."""
    require_columns(cadence, ["account_id", "posts"], "weekly_cadence")
    weekly = cadence.groupby("account_id")["posts"].agg(mean="mean", empty=lambda s: (s == 0).sum())
    return weekly.reindex(list(account_ids))


def sov_period(freq: str) -> str:
    """The calendar period of a share-of-voice trend in words: 'week' for 'W', else 'month'."""
    return "week" if freq == "W" else "month"


def strengths_view(table: pd.DataFrame) -> pd.DataFrame:
    """``strengths_weaknesses`` for reading: an empty list reads 'none'."""
    none = _("none")
    return table.replace({"strengths": {"": none}, "weaknesses": {"": none}})
