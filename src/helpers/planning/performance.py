"""What works: engagement by platform × pillar × format with CIs and sample sizes, and expected performance.

Engagement rate (ER) is engagements ÷ a stated base per post (``helpers.content``). Tables show
both the mean of per-post rates (each post counts once, with a Student-t CI) and the rate of sums
(Σ engagements ÷ Σ base, dominated by big posts). A thin group (fewer than ``min_posts`` posts
with a rate) is kept and flagged ``reliable = False``, so a pillar with three posts is visible but
not over-read. ``expected_performance`` answers "what ER should a topic expect?" from the finest
reliable level of the table, falling back pillar × format × platform → pillar × platform →
platform, and says which level it used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from helpers.content import mean_interval, performance_by, with_engagement_rate
from helpers.errors import DataError, ParameterError, require_columns

__all__ = [
    "FALLBACK_LEVELS",
    "VIDEO_FORMATS",
    "Expectation",
    "expected_performance",
    "pooled_mean_sd",
    "rated_own_posts",
    "what_works",
]

#: Formats whose completion rate is reported (non-video groups get NaN).
VIDEO_FORMATS: tuple[str, ...] = ("short_video", "video", "live")
#: The levels ``expected_performance`` tries, finest first.
FALLBACK_LEVELS: tuple[tuple[str, ...], ...] = (("pillar", "format", "platform"), ("pillar", "platform"), ("platform",))
_KEYS = ("platform", "pillar", "format")


def rated_own_posts(posts: pd.DataFrame, accounts: pd.DataFrame, base: str = "impressions",
                    owner: str | None = "own", account_daily: pd.DataFrame | None = None) -> pd.DataFrame:
    """Posts of the ``owner`` accounts (all when None) with platform joined from accounts and ER on ``base``."""
    require_columns(posts, ("post_id", "account_id"), "posts")
    require_columns(accounts, ("account_id", "platform"), "accounts")
    keep = accounts
    if owner is not None:
        require_columns(accounts, ("owner",), "accounts", "Or pass owner=None to use every account.")
        keep = accounts[accounts["owner"] == owner]
    unknown = sorted(set(posts["account_id"].dropna()) - set(accounts["account_id"]))
    if unknown:
        raise DataError(f"posts refer to account(s) {unknown[:5]} that are not in accounts; add them to accounts.")
    platforms = keep.drop_duplicates("account_id").set_index("account_id")["platform"]
    mine = posts[posts["account_id"].isin(platforms.index)]
    if mine.empty:
        who = "any account" if owner is None else f"an account with owner = {owner!r}"
        raise DataError(f"No posts of {who}; what works is measured on the accounts' own post history.")
    rated = with_engagement_rate(mine, account_daily, base=base)
    return rated.assign(platform=rated["account_id"].map(platforms))


def _completion(posts: pd.DataFrame, by: list[str], confidence: float) -> pd.DataFrame:
    """Per group: video posts with a completion rate, its mean and t CI (NaN for groups without video)."""
    rows = []
    has_rate = "completion_rate" in posts.columns
    for key, group in posts.groupby(by, dropna=False, observed=True):
        key = key if isinstance(key, tuple) else (key,)
        video = group[group["format"].isin(VIDEO_FORMATS)] if "format" in group.columns else group.iloc[0:0]
        values = video["completion_rate"].astype("float64").dropna() if has_rate else pd.Series(dtype="float64")
        low, high = mean_interval(values, confidence)
        rows.append({**dict(zip(by, key, strict=True)), "completion_posts": len(values),
                     "completion_rate_mean": values.mean() if len(values) else np.nan,
                     "completion_ci_low": low, "completion_ci_high": high})
    return pd.DataFrame(rows)


def _er_sd(posts: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group: sample SD of the per-post rates (kept so coarser levels can be pooled exactly)."""
    rated = posts.dropna(subset=["engagement_rate"])
    sd = rated.groupby(by, dropna=False, observed=True)["engagement_rate"].std(ddof=1)
    return sd.rename("er_sd").reset_index()


def what_works(posts: pd.DataFrame, accounts: pd.DataFrame, by: Sequence[str] = ("platform", "pillar", "format"),
               base: str = "impressions", min_posts: int = 5, owner: str | None = "own",
               account_daily: pd.DataFrame | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """ER per group (mean of rates with a t CI, rate of sums, base stated), thin groups flagged, video completion.

    Columns: the ``by`` keys; ``posts``, ``posts_with_rate``; ``er_mean_of_rates``, ``er_ci_low``,
    ``er_ci_high``, ``er_sd``, ``er_rate_of_sums``, ``er_base``; ``reliable`` (posts_with_rate ≥
    min_posts); when platform is a key, ``platform_er_mean`` (mean of rates over all the platform's
    posts) and ``er_index`` (group mean ÷ platform mean); ``completion_posts``,
    ``completion_rate_mean`` and its CI over the group's video posts (NaN for non-video).
    """
    by = list(by)
    if not by or len(set(by)) != len(by):
        raise ParameterError(f"by must name distinct grouping columns such as {list(_KEYS)}; got {by!r}.")
    if int(min_posts) < 1:
        raise ParameterError(f"min_posts must be at least 1; got {min_posts}.")
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence must be between 0 and 1; got {confidence}.")
    rated = rated_own_posts(posts, accounts, base, owner, account_daily)
    require_columns(rated, [c for c in by if c != "platform"], "posts")
    table = performance_by(rated, by, confidence)
    table = table.merge(_er_sd(rated, by), on=by, how="left")
    table = table.merge(_completion(rated, by, confidence), on=by, how="left")
    table["er_base"] = base
    table["reliable"] = table["posts_with_rate"] >= int(min_posts)
    if "platform" in by:
        platform_mean = rated.groupby("platform")["engagement_rate"].mean()
        table["platform_er_mean"] = table["platform"].map(platform_mean)
        table["er_index"] = table["er_mean_of_rates"] / table["platform_er_mean"]
    table.attrs.update(min_posts=int(min_posts), confidence=confidence, er_base=base, by=tuple(by))
    order = [*by, "posts", "posts_with_rate", "er_mean_of_rates", "er_ci_low", "er_ci_high", "er_sd",
             "er_rate_of_sums", "er_base", "reliable", "platform_er_mean", "er_index", "completion_posts",
             "completion_rate_mean", "completion_ci_low", "completion_ci_high"]
    rest = [c for c in table.columns if c not in order]
    return table[[c for c in order if c in table.columns] + rest]


def pooled_mean_sd(n: Sequence[float], mean: Sequence[float], sd: Sequence[float]) -> tuple[float, float, float]:
    """(N, mean, sample SD) of the union of groups given each group's size, mean and sample SD.

    Exact: Σn·m ÷ N for the mean; (Σ(n−1)s² + Σn(m − mean)²) ÷ (N − 1) for the variance. A group of
    one post has no SD and contributes only through its mean.
    """
    n_ = np.asarray(n, dtype=float)
    m_ = np.asarray(mean, dtype=float)
    s_ = np.nan_to_num(np.asarray(sd, dtype=float), nan=0.0)
    keep = n_ > 0
    n_, m_, s_ = n_[keep], m_[keep], s_[keep]
    total = n_.sum()
    if total == 0:
        return 0.0, np.nan, np.nan
    grand = float((n_ * m_).sum() / total)
    if total < 2:
        return float(total), grand, np.nan
    var = (((n_ - 1) * s_ ** 2).sum() + (n_ * (m_ - grand) ** 2).sum()) / (total - 1)
    return float(total), grand, float(np.sqrt(var))


@dataclass(frozen=True)
class Expectation:
    """An expected engagement rate for a pillar × format on a platform, and where it came from."""

    platform: str
    pillar: str | None
    format: str | None
    level: str
    """'pillar×format×platform', 'pillar×platform', 'platform', or 'none' (no history on the platform)."""
    er: float
    ci_low: float
    ci_high: float
    posts: int
    reliable: bool
    platform_er: float
    er_base: str

    @property
    def index(self) -> float:
        """Expected ER ÷ the platform's mean ER (1.0 = a typical post on that platform)."""
        return self.er / self.platform_er if self.platform_er and np.isfinite(self.platform_er) else np.nan

    def __repr__(self) -> str:
        return (f"Expectation({self.pillar} {self.format} on {self.platform}: ER {self.er:.2%} by {self.er_base} "
                f"[{self.ci_low:.2%}, {self.ci_high:.2%}], {self.posts} posts, level {self.level})")


def _level_name(level: tuple[str, ...]) -> str:
    """'pillar×format×platform' for ('pillar', 'format', 'platform')."""
    return "×".join(level)


def _missing(value: object) -> bool:
    """True for None, NaN and blank text (a topic without a pillar or format)."""
    return (value is None or (isinstance(value, float) and np.isnan(value))
            or (isinstance(value, str) and not value.strip()))


def expected_performance(what_works_table: pd.DataFrame, pillar: str | None, format: str | None,
                         platform: str) -> Expectation:
    """Expected ER from the finest reliable level: pillar×format×platform → pillar×platform → platform.

    A level is used when its rows hold at least the table's ``min_posts`` posts with a rate; coarser
    levels pool the finer rows exactly (``pooled_mean_sd``) with a t CI. The platform level is used
    even when thin (flagged ``reliable=False``); a platform without any rated post gives level 'none'.
    """
    require_columns(what_works_table, (*_KEYS, "posts_with_rate", "er_mean_of_rates", "er_sd"), "what_works table",
                    "Build it with what_works(posts, accounts) using the default by=('platform', 'pillar', 'format').")
    min_posts = int(what_works_table.attrs.get("min_posts", 5))
    confidence = float(what_works_table.attrs.get("confidence", 0.95))
    base = str(what_works_table.attrs.get("er_base", what_works_table["er_base"].iloc[0]
                                          if "er_base" in what_works_table.columns and len(what_works_table) else "?"))
    rows = what_works_table[what_works_table["platform"] == platform]
    rows = rows[rows["posts_with_rate"] > 0]
    _, platform_er, _ = pooled_mean_sd(rows["posts_with_rate"], rows["er_mean_of_rates"], rows["er_sd"])
    wanted = {"pillar": pillar, "format": format, "platform": platform}
    for level in FALLBACK_LEVELS:
        if any(_missing(wanted[k]) for k in level):
            continue
        mask = np.ones(len(rows), dtype=bool)
        for k in level:
            mask &= (rows[k] == wanted[k]).to_numpy()
        part = rows[mask]
        n, mean, sd = pooled_mean_sd(part["posts_with_rate"], part["er_mean_of_rates"], part["er_sd"])
        last = level == FALLBACK_LEVELS[-1]
        if n >= min_posts or (last and n > 0):
            if n >= 2 and np.isfinite(sd):
                half = stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n)
                low, high = mean - half, mean + half
            else:
                low = high = np.nan
            return Expectation(platform, pillar, format, _level_name(level), mean, low, high, int(n),
                               bool(n >= min_posts), platform_er, base)
    return Expectation(platform, pillar, format, "none", np.nan, np.nan, np.nan, 0, False, np.nan, base)
