"""Competitor notebook presentation: readable tables, summary rows and "so what" sentences from the results.

Nothing here computes a new statistic: it arranges what benchmark, content and gaps computed so
the notebook stays thin and summary.json has one stable shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from helpers.competitors.benchmark import (BENCHMARK_METRICS, FIELD_ROW, metric_label, percentile_ranks,
                                           relative_to_field)
from helpers.competitors.content import WEEKDAYS, tag_table
from helpers.content import ENGAGEMENT_COMPONENTS, with_engagement_rate
from helpers.errors import ParameterError, require_columns
from helpers.report import format_number

__all__ = [
    "KPI_METRICS",
    "RANK_METRICS",
    "SHORT_LABELS",
    "account_hour_grid",
    "all_percentile_ranks",
    "benchmark_rows",
    "benchmark_view",
    "competitors_below",
    "engagements_per_view",
    "rank_extremes",
    "fairness_check",
    "field_leader",
    "ranked_opportunities",
    "time_grid",
    "top_topics",
    "verdicts",
]

#: Metrics the own account is ranked on (every comparable benchmark column).
RANK_METRICS: tuple[str, ...] = BENCHMARK_METRICS
#: Headline KPIs of strengths/weaknesses and the radar chart: size, growth, cadence, engagement, reach of video.
KPI_METRICS: tuple[str, ...] = ("followers_end", "growth_pct", "posts_per_week", "engagements_mean",
                                "er_mean_of_rates", "views_per_video_post")
#: Short names of the KPIs for chart axes (the tables use benchmark.metric_label, which states the ER base).
SHORT_LABELS: dict[str, str] = {"followers_end": "followers", "growth_pct": "growth rate",
                                "posts_per_week": "posts / week", "engagements_mean": "engagements / post",
                                "er_mean_of_rates": "ER (mean of rates)", "views_per_video_post": "views / video post",
                                "net_growth": "net growth", "engagements_median": "median engagements",
                                "er_rate_of_sums": "ER (rate of sums)"}
_PERCENT_METRICS = ("growth_pct", "er_mean_of_rates", "er_rate_of_sums")
_VIEW_ROWS: tuple[str, ...] = ("followers_start", "followers_end", "net_growth", "growth_pct", "posts",
                               "posts_per_week", "engagements_mean", "engagements_median", "er_mean_of_rates",
                               "er_rate_of_sums", "views_per_video_post")


def _fmt(metric: str, value: float) -> str:
    """A benchmark value as text: rates and growth as percentages, counts readable, missing as '–'."""
    if value is None or pd.isna(value):
        return "–"
    return f"{value:.2%}" if metric in _PERCENT_METRICS else format_number(float(value))


def all_percentile_ranks(benchmark: pd.DataFrame, metrics: Iterable[str] = RANK_METRICS) -> pd.DataFrame:
    """Every account's percentile rank among the other accounts, long: account_id, metric, rank_pct, ..."""
    accounts = benchmark.loc[benchmark["account_id"] != FIELD_ROW, "account_id"]
    frames = [percentile_ranks(benchmark, a, list(metrics)).assign(account_id=a) for a in accounts]
    table = pd.concat(frames, ignore_index=True)
    return table[["account_id", "metric", "own_value", "rank_pct", "accounts_compared", "higher_is_better"]]


def benchmark_view(benchmark: pd.DataFrame, own_ranks: pd.DataFrame, er_base: str) -> pd.DataFrame:
    """Metrics as rows, accounts (and the field median) as columns, plus the own account's percentile rank."""
    rank = own_ranks.set_index("metric")["rank_pct"]
    rows = []
    for metric in _VIEW_ROWS:
        row = {"metric": metric_label(metric, er_base)}
        for account, value in zip(benchmark["account_id"], benchmark[metric]):
            row[account] = _fmt(metric, value)
        value = rank.get(metric, np.nan)
        row["own percentile rank"] = "–" if pd.isna(value) else f"{value:.0%}"
        rows.append(row)
    return pd.DataFrame(rows)


def benchmark_rows(benchmark: pd.DataFrame, ranks: pd.DataFrame, names: dict[str, str] | None = None
                   ) -> list[dict[str, object]]:
    """The benchmark as summary.json rows, with the engagement-rate base and each account's percentile ranks.

    engagement_rate is the mean of per-post rates (each post counts once); er_rate_of_sums is the
    other definition, named.
    """
    names = names or {}
    by_account = {a: dict(zip(g["metric"], g["rank_pct"])) for a, g in ranks.groupby("account_id", sort=False)}
    rows = []
    for r in benchmark.to_dict(orient="records"):
        account = r["account_id"]
        rows.append({
            "account": account, "name": names.get(account, account), "role": r["role"],
            "followers_start": r["followers_start"], "followers_end": r["followers_end"],
            "net_growth": r["net_growth"], "growth_pct": r["growth_pct"], "posts": r["posts"],
            "posts_per_week": r["posts_per_week"], "engagements_mean": r["engagements_mean"],
            "engagements_median": r["engagements_median"], "engagement_rate": r["er_mean_of_rates"],
            "engagement_rate_kind": "mean of per-post rates", "er_rate_of_sums": r["er_rate_of_sums"],
            "engagement_rate_base": f"by {r['er_base']}" + (" at posting time" if r["er_base"] == "followers" else ""),
            "views_per_video_post": r["views_per_video_post"],
            "percentile_ranks": by_account.get(account, {}), "note": r["note"],
        })
    return rows


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


def top_topics(posts: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """Per account, its n most used topic tags: posts, share of the account's posts, mean ER of those posts.

    Tags come from ';'-separated ``topics`` (a post can carry several, so shares need not sum to 1);
    er_mean_of_rates is the mean of the per-post rates on the posts' er_base.
    """
    if int(n) < 1:
        raise ParameterError(f"top_topics needs n ≥ 1; got {n}.")
    require_columns(posts, ("account_id", "topics", "engagement_rate", "er_base"), "posts")
    frame = posts.reset_index(drop=True)
    tags = tag_table(frame, "topics")
    long = tags.assign(account_id=frame.loc[tags["post"], "account_id"].to_numpy(),
                       engagement_rate=frame.loc[tags["post"], "engagement_rate"].to_numpy())
    per_account = frame.groupby("account_id").size()
    table = (long.groupby(["account_id", "tag"]).agg(posts=("post", "size"),
                                                      er_mean_of_rates=("engagement_rate", "mean"))
             .reset_index().rename(columns={"tag": "topic"}))
    table["share_of_account_posts"] = table["posts"] / table["account_id"].map(per_account)
    table["er_base"] = str(frame["er_base"].dropna().iloc[0]) if frame["er_base"].notna().any() else ""
    table = table.sort_values(["account_id", "posts", "topic"], ascending=[True, False, True])
    table = table.groupby("account_id", sort=False).head(int(n)).reset_index(drop=True)
    return table[["account_id", "topic", "posts", "share_of_account_posts", "er_mean_of_rates", "er_base"]]


def ranked_opportunities(*tables: pd.DataFrame) -> pd.DataFrame:
    """Opportunity tables of several dimensions (pillar, format, ...) as one list ranked by kind, then score."""
    from helpers.competitors.gaps import KINDS

    frames = [t for t in tables if t is not None and len(t)]
    if not frames:
        return pd.DataFrame(columns=["rank", "dimension", "category", "kind", "score"])
    table = pd.concat(frames, ignore_index=True).drop(columns=["rank"], errors="ignore")
    table["_kind"] = table["kind"].map({k: i for i, k in enumerate(KINDS)})
    table = table.sort_values(["_kind", "score", "field_posts"], ascending=[True, False, False],
                              ignore_index=True).drop(columns="_kind")
    table.insert(0, "rank", table.groupby("kind", sort=False).cumcount() + 1)
    return table


def time_grid(times: pd.DataFrame, account_ids: Sequence[str]) -> pd.DataFrame:
    """Weekday (Mon…Sun rows) × hour (0–23 columns) share of the given accounts' posts, pooled."""
    require_columns(times, ("account_id", "weekday", "hour", "posts"), "posting_times")
    chosen = times[times["account_id"].isin(list(account_ids))]
    grid = chosen.pivot_table(index="weekday", columns="hour", values="posts", aggfunc="sum")
    grid = grid.reindex(index=range(7), columns=range(24), fill_value=0).fillna(0)
    total = grid.to_numpy().sum()
    grid = grid / total if total else grid.astype(float)
    grid.index = list(WEEKDAYS)
    return grid


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


def verdicts(benchmark: pd.DataFrame, account_id: str, metrics: Iterable[str], threshold: float = 0.2
             ) -> pd.DataFrame:
    """One account's metrics against the field median (relative_to_field rows of that account)."""
    long = relative_to_field(benchmark, list(metrics), threshold)
    return long[long["account_id"] == account_id].reset_index(drop=True)


def account_hour_grid(times: pd.DataFrame) -> pd.DataFrame:
    """Accounts (rows) × local hour 0–23 (columns): share of each account's posts published in that hour."""
    require_columns(times, ("account_id", "hour", "posts"), "posting_times")
    grid = times.pivot_table(index="account_id", columns="hour", values="posts", aggfunc="sum", sort=False)
    grid = grid.reindex(columns=range(24), fill_value=0).fillna(0)
    totals = grid.sum(axis=1)
    return grid.div(totals.where(totals > 0), axis=0)


def rank_extremes(own_ranks: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The metrics where the own account ranks best and worst (every tied metric, not just the first)."""
    require_columns(own_ranks, ["metric", "rank_pct", "accounts_compared"], "own_ranks")
    ranked = own_ranks.dropna(subset=["rank_pct"])
    if ranked.empty:
        return ranked, ranked
    best = ranked[np.isclose(ranked["rank_pct"], ranked["rank_pct"].max())]
    worst = ranked[np.isclose(ranked["rank_pct"], ranked["rank_pct"].min())]
    return best.reset_index(drop=True), worst.reset_index(drop=True)


def competitors_below(rank_pct: float, compared: int) -> str:
    """A percentile rank in words: '4 of 4 competitors below' (ties count half, as in the rank)."""
    below = rank_pct * compared
    return f"{below:g} of {compared} competitors below"


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
