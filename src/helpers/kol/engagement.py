"""Real interaction rate (真实互动率): engagements per real follower on a KOL's recent organic posts.

Method
- **Engagements of a post** = likes + comments + shares + saves. A part the KOL never reports in the
  data (saves on Weibo, a platform export without shares) is left out for that KOL; a gap in a part it
  does report elsewhere makes the post's engagements missing (missing is not zero: a post without its
  comment count is not a post without comments). A post with no part at all is missing. This is the
  suite's convention for own accounts too (docs/decisions.md, "Totals").
- **Posts used**: organic posts (`is_sponsored` false or missing: a paid post is pushed by the
  brand and says little about the KOL's own pull) published within `recent_days` before `as_of`
  (as_of itself included: 0 ≤ as_of − published < recent_days days).
- **Base**: followers at posting time (the latest `kol_daily` count at or before the post's day, at
  most 7 days old), else `kols.followers`, times (1 − the estimated fake-follower share). Without a
  fake share the base is all followers and the `base` column says "all followers", never silently.
- **Rate** = the mean over posts of engagements ÷ real followers, with a t-interval over posts
  (mean ± t(n−1) · sd/√n; none with fewer than 2 posts), the median, the coefficient of variation
  (sd ÷ mean: consistency; a KOL living off one viral post has a high CV and a median far under the
  mean), the share of posts above the threshold, and `meets` = rate > threshold (strictly above:
  the methodology's "above 5 %").
- **Sponsored factor** = median engagements of the KOL's sponsored posts ÷ median of its organic
  posts, over all its posts up to as_of, when it has at least 3 sponsored posts with engagements:
  what a paid post does compared with its usual post (below 1: its audience tunes out ads).

Pitfalls
- Removing bought followers from the base **raises** the rate of a faker whose bought followers
  never engage: 1,000 engagements on 100,000 followers is 1 %, on the 20,000 real ones 5 %. The fake
  screen must run first and reject such an account on its fake share; the real rate only ranks the
  accounts that passed it.
- Engagements can be bought too (刷赞): a rate is only as honest as the comment/like ratio and the
  follower history say (helpers.kol.authenticity).
- Rates of KOLs on platforms that report different parts (saves) are not strictly comparable.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from helpers.errors import DataError, ParameterError, require_columns
from helpers.i18n import N_

__all__ = [
    "BASE_LABELS",
    "ENGAGEMENT_PARTS",
    "in_recent_window",
    "is_organic",
    "organic_post_rates",
    "post_engagements",
    "real_interaction_rate",
]

ENGAGEMENT_PARTS = ("likes", "comments", "shares", "saves")
#: How many days a kol_daily follower count may be older than the post it is the base of.
MAX_BASE_AGE_DAYS = 7
#: Fewest sponsored posts (with engagements) for a sponsored factor.
MIN_SPONSORED = 3
BASE_LABELS = {"all followers": N_("all followers"), "real followers": N_("real followers")}


def post_engagements(kol_posts: pd.DataFrame) -> pd.Series:
    """Engagements per post (likes+comments+shares+saves); parts a KOL never reports left out, gaps missing."""
    parts = [c for c in ENGAGEMENT_PARTS if c in kol_posts.columns]
    if not parts:
        raise DataError("kol_posts has none of the engagement columns likes, comments, shares, saves; "
                        "add at least one (empty cells are read as missing, not 0).")
    values = kol_posts[parts].apply(pd.to_numeric, errors="coerce").astype("float64")
    present = values.notna()
    if "kol_id" in kol_posts.columns:
        reported = present.groupby(kol_posts["kol_id"].to_numpy()).transform("any")
        reported.index = values.index
    else:
        reported = pd.DataFrame(np.broadcast_to(present.any().to_numpy(), present.shape),
                                index=values.index, columns=parts)
    gap = (reported & ~present).any(axis=1) | ~present.any(axis=1)
    total = values.fillna(0.0).sum(axis=1).mask(gap)
    return total.rename("engagements")


def _check_window(recent_days: int, threshold: float, confidence: float) -> None:
    """ParameterError on a non-positive window, a threshold outside 0–1 or a confidence outside (0, 1)."""
    if isinstance(recent_days, bool) or not isinstance(recent_days, int | np.integer) or recent_days < 1:
        raise ParameterError(f"recent_days must be a whole number of days ≥ 1, got {recent_days!r}.")
    if not (isinstance(threshold, int | float) and 0 <= threshold <= 1):
        raise ParameterError(f"The interaction-rate threshold must be a rate within 0–1 (0.05 = 5 %), "
                             f"got {threshold!r}.")
    if not (isinstance(confidence, float) and 0 < confidence < 1):
        raise ParameterError(f"confidence must be within 0 and 1 (e.g. 0.95), got {confidence!r}.")


def _fake_shares(fake_share: pd.Series | pd.DataFrame | None) -> pd.Series:
    """The fake-follower share per kol_id (a Series by kol_id or a frame with kol_id and share); checked."""
    if fake_share is None:
        return pd.Series(dtype="float64")
    if isinstance(fake_share, pd.DataFrame):
        require_columns(fake_share, ["kol_id", "share"], "fake-follower estimate")
        shares = pd.Series(fake_share["share"].to_numpy(dtype="float64", na_value=np.nan),
                           index=fake_share["kol_id"].to_numpy())
    else:
        shares = pd.to_numeric(fake_share, errors="coerce").astype("float64")
    bad = shares[(shares < 0) | (shares > 1)]
    if len(bad):
        raise ParameterError(f"A fake-follower share must be within 0–1; got {bad.iloc[0]!r} for KOL {bad.index[0]!r}.")
    return shares[~shares.index.duplicated()]


def is_organic(kol_posts: pd.DataFrame) -> pd.Series:
    """True for organic posts: is_sponsored false or missing and no campaign of ours (a booked post is paid)."""
    organic = pd.Series(True, index=kol_posts.index)
    if "is_sponsored" in kol_posts.columns:
        organic &= ~kol_posts["is_sponsored"].astype("boolean").fillna(False).astype(bool)
    if "campaign" in kol_posts.columns:
        campaign = kol_posts["campaign"].astype("string").str.strip()
        organic &= (campaign.isna() | (campaign == "")).fillna(True).astype(bool)
    return organic


def in_recent_window(published: pd.Series, as_of: pd.Timestamp | pd.Series, recent_days: int) -> pd.Series:
    """True where a post's day lies in the recent_days whole days up to as_of (as_of included): (as_of − recent_days,
    as_of]. as_of is one day or one per post; the one window rule of the KOL screens, the shortlist and the cost."""
    age = (as_of - pd.to_datetime(published).dt.normalize()).dt.days
    return (age >= 0) & (age < recent_days)


def _base_from_daily(posts: pd.DataFrame, kol_daily: pd.DataFrame) -> pd.Series:
    """Followers at each post's day from kol_daily (latest at or before it, ≤ 7 days old); NaN where none."""
    require_columns(kol_daily, ["kol_id", "date", "followers"], "kol_daily")
    left = pd.DataFrame({"key": posts["kol_id"].astype(str).to_numpy(),
                         "day": posts["published_at"].dt.normalize().to_numpy(),
                         "row": np.arange(len(posts))}).sort_values("day", kind="stable")
    right = pd.DataFrame({"key": kol_daily["kol_id"].astype(str).to_numpy(),
                          "day": pd.to_datetime(kol_daily["date"]).dt.normalize().to_numpy(),
                          "followers": pd.to_numeric(kol_daily["followers"], errors="coerce").to_numpy("float64")})
    right = right.dropna(subset=["followers"]).sort_values("day", kind="stable")
    if left.empty or right.empty:
        return pd.Series(np.nan, index=posts.index)
    left["day"] = left["day"].astype(right["day"].dtype)
    merged = pd.merge_asof(left, right, on="day", by="key", direction="backward",
                           tolerance=pd.Timedelta(days=MAX_BASE_AGE_DAYS))
    values = np.full(len(posts), np.nan)
    values[merged["row"].to_numpy()] = merged["followers"].to_numpy(dtype="float64")
    return pd.Series(values, index=posts.index)


def organic_post_rates(kol_posts: pd.DataFrame, kols: pd.DataFrame, *, as_of: Any, recent_days: int = 90,
                       kol_daily: pd.DataFrame | None = None,
                       fake_share: pd.Series | pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per organic post in the window: post_id, kol_id, published_at, engagements, followers_base,
    fake_share, real_followers, rate (engagements ÷ real followers; missing where either is)."""
    require_columns(kol_posts, ["post_id", "kol_id", "published_at"], "kol_posts")
    require_columns(kols, ["kol_id", "followers"], "kols")
    _check_window(recent_days, 0.05, 0.95)
    day = pd.Timestamp(as_of).normalize()
    published = pd.to_datetime(kol_posts["published_at"])
    engagements = post_engagements(kol_posts)
    keep = is_organic(kol_posts) & in_recent_window(published, day, recent_days)
    posts = pd.DataFrame({"post_id": kol_posts["post_id"], "kol_id": kol_posts["kol_id"], "published_at": published,
                          "engagements": engagements})[keep.to_numpy()].reset_index(drop=True)
    current = pd.Series(pd.to_numeric(kols["followers"], errors="coerce").to_numpy(dtype="float64"),
                        index=kols["kol_id"].to_numpy())
    current = current[~current.index.duplicated()]
    base = posts["kol_id"].map(current).astype("float64")
    if kol_daily is not None:
        base = _base_from_daily(posts, kol_daily).fillna(base)
    shares = posts["kol_id"].map(_fake_shares(fake_share)).astype("float64")
    real = (base * (1.0 - shares.fillna(0.0))).where(lambda v: v > 0)
    return posts.assign(followers_base=base, fake_share=shares, real_followers=real,
                        rate=posts["engagements"] / real)


def _sponsored_factor(kol_posts: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Median sponsored ÷ median organic engagements per kol_id, posts up to as_of; ≥ 3 sponsored posts."""
    if "is_sponsored" not in kol_posts.columns:
        return pd.Series(dtype="float64")
    frame = pd.DataFrame({"kol_id": kol_posts["kol_id"].to_numpy(),
                          "engagements": post_engagements(kol_posts).to_numpy(),
                          "sponsored": ~is_organic(kol_posts).to_numpy()})
    frame = frame[(pd.to_datetime(kol_posts["published_at"]).dt.normalize() <= as_of).to_numpy()]
    frame = frame.dropna(subset=["engagements"])
    grouped = frame.groupby(["kol_id", "sponsored"])["engagements"].agg(["median", "size"]).unstack("sponsored")
    if (True not in grouped["size"].columns) or (False not in grouped["size"].columns):
        return pd.Series(dtype="float64")
    enough = grouped["size"][True].fillna(0) >= MIN_SPONSORED
    organic = grouped["median"][False].where(lambda v: v > 0)
    return (grouped["median"][True] / organic).where(enough)


def _t_interval(mean: pd.Series, sd: pd.Series, n: pd.Series, confidence: float) -> tuple[pd.Series, pd.Series]:
    """mean ± t(n−1)·sd/√n per row; NaN with fewer than 2 values."""
    df = (n - 1).where(n >= 2)
    half = pd.Series(stats.t.ppf(0.5 + confidence / 2, df.to_numpy(dtype="float64")), index=n.index) * sd / np.sqrt(n)
    return mean - half, mean + half


def real_interaction_rate(kol_posts: pd.DataFrame, kols: pd.DataFrame,
                          fake_share: pd.Series | pd.DataFrame | None, *, as_of: Any, recent_days: int = 90,
                          threshold: float = 0.05, kol_daily: pd.DataFrame | None = None,
                          confidence: float = 0.95) -> pd.DataFrame:
    """Per kol_id (every KOL of kols): n_posts, n_rated, followers_base, fake_share, base, real_followers, rate,
    low, high, median, cv, share_posts_above, meets (rate > threshold), sponsored_factor."""
    _check_window(recent_days, threshold, confidence)
    day = pd.Timestamp(as_of).normalize()
    rows = organic_post_rates(kol_posts, kols, as_of=day, recent_days=recent_days, kol_daily=kol_daily,
                              fake_share=fake_share)
    rated = rows.dropna(subset=["rate"]).assign(above=lambda f: f["rate"] > threshold)
    by_kol = rated.groupby("kol_id")
    stats_ = pd.DataFrame({"n_rated": by_kol.size(), "rate": by_kol["rate"].mean(), "sd": by_kol["rate"].std(ddof=1),
                           "median": by_kol["rate"].median(), "share_posts_above": by_kol["above"].mean()})
    counts = rows.groupby("kol_id").agg(n_posts=("post_id", "size"), followers_base=("followers_base", "mean"))
    ids = kols["kol_id"].drop_duplicates()
    out = pd.DataFrame({"kol_id": ids.to_numpy()}).set_index("kol_id", drop=False)
    out = out.join(counts).join(stats_)
    current = kols.drop_duplicates("kol_id").set_index("kol_id")["followers"]
    out["n_posts"] = out["n_posts"].fillna(0).astype("int64")
    out["n_rated"] = out["n_rated"].fillna(0).astype("int64")
    out["followers_base"] = out["followers_base"].fillna(pd.to_numeric(current, errors="coerce").astype("float64"))
    shares = _fake_shares(fake_share)
    out["fake_share"] = out["kol_id"].map(shares).astype("float64")
    out["base"] = np.where(out["fake_share"].notna(), "real followers", "all followers")
    out["real_followers"] = out["followers_base"] * (1.0 - out["fake_share"].fillna(0.0))
    out["low"], out["high"] = _t_interval(out["rate"], out["sd"], out["n_rated"].astype("float64"), confidence)
    out["cv"] = out["sd"] / out["rate"].where(lambda v: v > 0)
    out["meets"] = (out["rate"] > threshold).astype("boolean").mask(out["rate"].isna())
    out["sponsored_factor"] = out["kol_id"].map(_sponsored_factor(kol_posts, day)).astype("float64")
    columns = ["kol_id", "n_posts", "n_rated", "followers_base", "fake_share", "base", "real_followers", "rate",
               "low", "high", "median", "cv", "share_posts_above", "meets", "sponsored_factor"]
    return out.reset_index(drop=True)[columns]

