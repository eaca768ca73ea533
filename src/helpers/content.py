"""Post-level performance: engagements, engagement rate with a stated base, top posts, by-group tables.

Two different numbers are both called "engagement rate" in dashboards: the rate of sums
(Σ engagements ÷ Σ base, dominated by big posts) and the mean of per-post rates (each post counts
once). Tables here show both, named, with the base stated and the number of posts behind them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.errors import ParameterError

ENGAGEMENT_COMPONENTS: tuple[str, ...] = ("likes", "comments", "shares", "saves")
ER_BASES: tuple[str, ...] = ("impressions", "reach", "views", "followers")


def post_engagements(posts: pd.DataFrame, components: Sequence[str] = ENGAGEMENT_COMPONENTS) -> pd.Series:
    """Engagements per post = likes + comments + shares + saves, over the components its account reports.

    A component an account never reports (e.g. saves on Weibo) is left out for that account; a
    component the account does report but that is missing on one post makes that post's
    engagements missing, rather than silently counting the gap as zero.
    """
    present = [c for c in components if c in posts.columns]
    if not present:
        raise ParameterError(f"posts has none of the engagement columns {list(components)}.")
    values = posts[present].astype("float64")
    if "account_id" in posts.columns:
        reported = values.notna().groupby(posts["account_id"]).transform("any")
    else:
        reported = pd.DataFrame({c: values[c].notna().any() for c in present}, index=posts.index)
    gap = (reported & values.isna()).any(axis=1)
    total = values.sum(axis=1, min_count=1)
    return total.mask(gap)


def followers_at_posting(posts: pd.DataFrame, account_daily: pd.DataFrame) -> pd.Series:
    """Each post's account followers on the latest day at or before its publication day."""
    left = posts[["account_id", "published_at"]].assign(day=posts["published_at"].dt.normalize())
    left = left.reset_index().sort_values("day")
    right = account_daily[["account_id", "date", "followers"]].dropna().sort_values("date")
    merged = pd.merge_asof(left, right, left_on="day", right_on="date", by="account_id", direction="backward")
    return merged.set_index("index")["followers"].reindex(posts.index)


def with_engagement_rate(posts: pd.DataFrame, account_daily: pd.DataFrame | None = None,
                         base: str = "impressions",
                         components: Sequence[str] = ENGAGEMENT_COMPONENTS) -> pd.DataFrame:
    """Posts with `engagements`, `er_base_value` and `engagement_rate` = engagements ÷ base per post.

    ``components`` are the engagement columns summed (see ``post_engagements``). Comparing accounts
    that report different components (own posts have saves, competitors' public posts do not) is
    only fair on the components all of them report, e.g. ``("likes", "comments", "shares")``.
    """
    if base not in ER_BASES:
        raise ParameterError(f"er_base must be one of {', '.join(ER_BASES)}; got {base!r}.")
    if isinstance(components, str) or not list(components):
        raise ParameterError(f"components must be a non-empty list of engagement columns such as "
                             f"{list(ENGAGEMENT_COMPONENTS)}; got {components!r}.")
    out = posts.copy()
    out["engagements"] = post_engagements(out, tuple(components))
    if base == "followers":
        if account_daily is None:
            raise ParameterError("er_base='followers' needs account_daily to know followers at posting time.")
        out["er_base_value"] = followers_at_posting(out, account_daily)
    elif base in out.columns:
        out["er_base_value"] = out[base].astype("float64")
    else:
        out["er_base_value"] = np.nan
    denominator = out["er_base_value"].where(out["er_base_value"] > 0)
    out["engagement_rate"] = out["engagements"] / denominator
    out["er_base"] = base
    return out


def top_posts(posts: pd.DataFrame, n: int = 5, by: str = "engagement_rate", bottom: bool = False,
              columns: Sequence[str] = ("post_id", "account_id", "published_at", "format", "pillar", "title",
                                        "engagements", "er_base_value", "engagement_rate")) -> pd.DataFrame:
    """The n best (or worst) posts by a metric; posts with the metric missing are not ranked."""
    ranked = posts.dropna(subset=[by]).sort_values(by, ascending=bottom, kind="stable").head(n)
    return ranked[[c for c in columns if c in ranked.columns]].reset_index(drop=True)


def mean_interval(values: pd.Series, confidence: float = 0.95) -> tuple[float, float]:
    """Student-t confidence interval of a mean (NaN when fewer than two values)."""
    from scipy import stats  # here, not at the top: the runner's parameter check imports this module

    clean = values.dropna().to_numpy(dtype=float)
    if clean.size < 2:
        return (np.nan, np.nan)
    sem = stats.sem(clean)
    if sem == 0:
        return (float(clean.mean()), float(clean.mean()))
    low, high = stats.t.interval(confidence, clean.size - 1, loc=clean.mean(), scale=sem)
    return (float(low), float(high))


def performance_by(posts: pd.DataFrame, by: Sequence[str], confidence: float = 0.95) -> pd.DataFrame:
    """Per group: posts, engagements (total, mean, median), ER as rate of sums and as mean of rates with a CI."""
    rows = []
    for key, group in posts.groupby(list(by), dropna=False, observed=True):
        key = key if isinstance(key, tuple) else (key,)
        rated = group.dropna(subset=["engagement_rate"])
        low, high = mean_interval(rated["engagement_rate"], confidence)
        base_total = rated["er_base_value"].sum()
        rows.append({
            **dict(zip(by, key, strict=True)),
            "posts": len(group),
            "posts_with_rate": len(rated),
            "engagements_total": group["engagements"].sum(min_count=1),
            "engagements_mean": group["engagements"].mean(),
            "engagements_median": group["engagements"].median(),
            "er_rate_of_sums": rated["engagements"].sum() / base_total if base_total > 0 else np.nan,
            "er_mean_of_rates": rated["engagement_rate"].mean(),
            "er_ci_low": low,
            "er_ci_high": high,
        })
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    return table.sort_values("er_mean_of_rates", ascending=False, na_position="last").reset_index(drop=True)
