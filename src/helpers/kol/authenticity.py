"""Fake-follower share (虚假粉丝占比): estimated from whatever the data offers, with its uncertainty.

Four kinds of evidence, from the most direct to the weakest; `fake_follower_estimate` takes the most
direct one available as the KOL's share and keeps the others as columns.

1. **A follower sample classified by profile rules** (`FOLLOWER_RULES`). Each rule is a flag computed
   only where its column (and the row's value) is present; a missing column is not a passed check.
   Flags: no avatar; 0 posts; followers ≤ 5 (hardly anyone follows it); following ≥ 1,000 or
   following ÷ followers ≥ 50 (a follow farm; followers 0 count as 1 in the ratio); account created
   within 90 days of as_of. A follower is **suspicious with ≥ min_flags (default 2) flags among those
   observable**; with fewer observable checks than min_flags and fewer flags, it cannot be judged
   (missing) and is left out of the sample. The share of suspicious followers comes with an exact
   (Clopper–Pearson) binomial interval.
   Pitfalls: inactive real followers (lurkers with no avatar and no posts) look like bots, and rules
   are imperfect either way: the estimate is of the "suspicious" share, not a count of bought accounts;
   the sample must be a random one (a platform's "latest followers" list over-weights recent ones).
2. **Follower-history jumps without matching engagement.** Daily gains (a day without the previous
   day's count has no gain) are scored with a robust z = (gain − median) ÷ (1.4826 · MAD) of the KOL's
   own daily gains (the scale floored at 1 follower, so a flat history does not make every +1 a jump);
   a day with z ≥ 5 is a jump (histories with fewer than 7 daily gains are not scored). Its excess =
   gain − median gain. engagement_ratio = the mean engagements of the KOL's posts within ±3 days of
   the jump ÷ its median post engagements (0 when it posted nothing then). A jump is explained when
   the ratio is ≥ 1.5 (a viral post brings followers); otherwise it is unexplained and its excess
   counts as bought; without any post engagements of the KOL it cannot be judged (missing). The share = Σ excess ÷ the
   latest followers, ± z(confidence) · scale · √(unexplained days) (the gain noise of those days).
   Pitfalls: buying spread thinly over many days stays under the threshold and is not seen; a jump
   from an off-platform mention (TV, a celebrity repost) without posts of the KOL's own looks bought.
3. **Engagement against follower-size norms.** Engagement rates fall with size, so a KOL is
   compared with what its size predicts: an OLS of log(median organic engagements per follower) on
   log(followers), plus category effects for categories with ≥ 5 KOLs (the others share the
   baseline), fitted leave-one-out (the closed form ŷ₍₋ᵢ₎ = yᵢ − eᵢ ÷ (1 − hᵢᵢ)) so a KOL never sets its
   own norm. ratio = observed ÷ expected; implied share = max(0, 1 − ratio), with an interval from the
   robust spread s = 1.4826 · MAD of the leave-one-out log residuals (ratio · e^(±z·s)); flagged when
   the log residual is under the residuals' 5th percentile. This is **weak evidence**: it confounds
   fake followers with dull content, and by construction about 5 % of KOLs are flagged.
4. **Comment/like ratio** over organic posts reporting both: Σ comments ÷ Σ likes (a ratio of sums,
   not a mean of ratios: a post with 3 likes and 1 comment would weigh as much as one with 30,000
   likes), flagged under a third of the category median (bought likes come without comments).
   Posts missing likes or comments are left out; a KOL with none left has a missing ratio.

**The estimate** (`fake_follower_estimate`) is the share of the most direct evidence available:
the follower sample (when at least `min_sample` followers could be judged) > the follower history >
the engagement norm. A KOL with none of them has a missing share and basis "none", never 0. Each
signal raising concern is counted: a sample or history share above the threshold (default 30 %), an
engagement under the norm, a low comment/like ratio.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from helpers.errors import DataError, ParameterError, require_columns
from helpers.i18n import N_
from helpers.kol.engagement import is_organic, post_engagements

__all__ = [
    "BASIS_LABELS",
    "FOLLOWER_RULES",
    "FollowerRule",
    "classify_followers",
    "comment_like_ratio",
    "engagement_norms",
    "fake_follower_estimate",
    "follower_jumps",
    "jump_fake_share",
    "sample_fake_share",
]

FEW_FOLLOWERS = 5
FARM_FOLLOWING = 1_000
FARM_RATIO = 50
NEW_ACCOUNT_DAYS = 90
#: Robust z: 1.4826 · MAD estimates σ for normal noise.
MAD_TO_SD = 1.4826
#: Fewest daily gains for a follower history to be scored (the median and MAD of fewer say little).
MIN_GAINS = 7
#: Posts around a jump with at least this multiple of the median engagements explain it.
EXPLAINED_RATIO = 1.5
#: Fewest KOLs in a category for it to get its own effect in the norm regression.
MIN_CATEGORY_KOLS = 5
#: A comment/like ratio under the category median ÷ this is flagged.
COMMENT_RATIO_DIVISOR = 3
CI_METHODS = ("beta", "wilson", "jeffreys", "agresti_coull", "normal")


@dataclass(frozen=True)
class FollowerRule:
    """A profile rule: its label (English msgid, translated when shown) and the columns it reads."""

    label: str
    columns: tuple[str, ...]


FOLLOWER_RULES: dict[str, FollowerRule] = {
    "no_avatar": FollowerRule(N_("no avatar"), ("has_avatar",)),
    "no_posts": FollowerRule(N_("never posted"), ("posts",)),
    "few_followers": FollowerRule(N_("5 followers or fewer"), ("followers",)),
    "follow_farm": FollowerRule(N_("follows 1,000+ accounts or 50× its followers"), ("following", "followers")),
    "new_account": FollowerRule(N_("account created within 90 days"), ("created_at",)),
}
BASIS_LABELS = {"follower sample": N_("follower sample"), "follower history": N_("follower history"),
                "engagement norm": N_("engagement norm"), "none": N_("no evidence")}


# ---------------------------------------------------------------------------------------------
# Shared checks
# ---------------------------------------------------------------------------------------------


def _check_confidence(confidence: float) -> float:
    """The two-sided normal quantile of a confidence level; ParameterError outside (0, 1)."""
    if not (isinstance(confidence, float) and 0 < confidence < 1):
        raise ParameterError(f"confidence must be within 0 and 1 (e.g. 0.95), got {confidence!r}.")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as float64 (NaN where missing); all NaN when the column is absent."""
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def _flag(condition: pd.Series, observed: pd.Series) -> pd.Series:
    """A nullable boolean flag: the condition where observed, missing elsewhere."""
    return condition.astype("boolean").mask(~observed.to_numpy(dtype=bool))


# ---------------------------------------------------------------------------------------------
# 1. Follower sample
# ---------------------------------------------------------------------------------------------


def _follow_farm(following: pd.Series, followers: pd.Series) -> pd.Series:
    """following ≥ 1,000 or following ÷ max(followers, 1) ≥ 50, Kleene logic over missing values."""
    many = _flag(following >= FARM_FOLLOWING, following.notna())
    ratio = following / followers.clip(lower=1)
    return many | _flag(ratio >= FARM_RATIO, ratio.notna())


def classify_followers(followers: pd.DataFrame, *, as_of: Any, min_flags: int = 2) -> pd.DataFrame:
    """The follower sample plus one nullable bool column per FOLLOWER_RULES flag, n_flags, n_checks, suspicious."""
    require_columns(followers, ["kol_id", "follower_id"], "kol_followers")
    if isinstance(min_flags, bool) or not isinstance(min_flags, int) or not 1 <= min_flags <= len(FOLLOWER_RULES):
        raise ParameterError(f"min_flags must be a whole number from 1 to {len(FOLLOWER_RULES)}, got {min_flags!r}.")
    out = followers.copy()
    if "has_avatar" in followers.columns:
        avatar = followers["has_avatar"].astype("boolean")
        out["no_avatar"] = ~avatar
    else:
        out["no_avatar"] = pd.array([pd.NA] * len(followers), dtype="boolean")
    posts, count, following = (_numbers(followers, c) for c in ("posts", "followers", "following"))
    out["no_posts"] = _flag(posts == 0, posts.notna())
    out["few_followers"] = _flag(count <= FEW_FOLLOWERS, count.notna())
    out["follow_farm"] = _follow_farm(following, count)
    if "created_at" in followers.columns:
        age = (pd.Timestamp(as_of).normalize() - pd.to_datetime(followers["created_at"]).dt.normalize()).dt.days
        out["new_account"] = _flag(age <= NEW_ACCOUNT_DAYS, age.notna())
    else:
        out["new_account"] = pd.array([pd.NA] * len(followers), dtype="boolean")
    flags = out[list(FOLLOWER_RULES)]
    out["n_flags"] = flags.fillna(False).astype(bool).sum(axis=1).astype("int64")
    out["n_checks"] = flags.notna().sum(axis=1).astype("int64")
    judged = (out["n_checks"] >= min_flags) | (out["n_flags"] >= min_flags)
    out["suspicious"] = _flag(out["n_flags"] >= min_flags, judged)
    return out


def sample_fake_share(classified: pd.DataFrame, *, confidence: float = 0.95, method: str = "beta") -> pd.DataFrame:
    """Per kol_id: n (judged followers), suspicious, share, low, high (proportion_confint; beta = Clopper–Pearson)."""
    require_columns(classified, ["kol_id", "suspicious"], "classified follower sample")
    _check_confidence(confidence)
    if method not in CI_METHODS:
        raise ParameterError(f"Unknown interval method {method!r}; use one of {', '.join(CI_METHODS)}.")
    judged = classified["suspicious"].astype("boolean")
    frame = pd.DataFrame({"kol_id": classified["kol_id"].to_numpy(), "judged": judged.notna().to_numpy(),
                          "bad": judged.fillna(False).astype(bool).to_numpy()})
    out = frame.groupby("kol_id", sort=False).agg(n=("judged", "sum"), suspicious=("bad", "sum")).reset_index()
    n = out["n"].to_numpy(dtype="int64")
    x = out["suspicious"].to_numpy(dtype="int64")
    low = np.full(len(out), np.nan)
    high = np.full(len(out), np.nan)
    some = n > 0
    if some.any():
        lo, hi = proportion_confint(x[some], n[some], alpha=1 - confidence, method=method)
        low[some], high[some] = np.clip(lo, 0, 1), np.clip(hi, 0, 1)
    out["share"] = np.where(some, x / np.maximum(n, 1), np.nan)
    out["low"], out["high"] = low, high
    return out


# ---------------------------------------------------------------------------------------------
# 2. Follower-history jumps
# ---------------------------------------------------------------------------------------------


def _daily_gains(kol_daily: pd.DataFrame) -> pd.DataFrame:
    """kol_id, date, followers, gain (vs the day before; missing when that day is absent), sorted; checked."""
    require_columns(kol_daily, ["kol_id", "date", "followers"], "kol_daily")
    frame = pd.DataFrame({"kol_id": kol_daily["kol_id"].to_numpy(),
                          "date": pd.to_datetime(kol_daily["date"]).dt.normalize().to_numpy(),
                          "followers": _numbers(kol_daily, "followers").to_numpy()})
    duplicated = frame.duplicated(["kol_id", "date"], keep=False)
    if duplicated.any():
        rows = frame[duplicated].head(3)
        where = "; ".join(f"{k} on {d:%Y-%m-%d}" for k, d in zip(rows["kol_id"], rows["date"], strict=True))
        raise DataError(f"kol_daily has more than one row per KOL and day ({where}); keep one follower count per day.")
    frame = frame.sort_values(["kol_id", "date"], kind="stable").reset_index(drop=True)
    same = frame["kol_id"].eq(frame["kol_id"].shift())
    next_day = frame["date"].diff().eq(pd.Timedelta(days=1))
    frame["gain"] = frame["followers"].diff().where(same & next_day)
    return frame


def _robust_scores(gains: pd.DataFrame) -> pd.DataFrame:
    """Adds median, scale (max(1.4826·MAD, 1)), robust_z and n_gains per KOL's daily gains."""
    by_kol = gains.groupby("kol_id", sort=False)["gain"]
    median = by_kol.transform("median")
    deviation = (gains["gain"] - median).abs()
    mad = deviation.groupby(gains["kol_id"], sort=False).transform("median")
    scale = (MAD_TO_SD * mad).clip(lower=1.0)
    return gains.assign(median=median, scale=scale, robust_z=(gains["gain"] - median) / scale,
                        n_gains=by_kol.transform("count"))


def _window_ratio(jumps: pd.DataFrame, kol_posts: pd.DataFrame, window_days: int) -> pd.Series:
    """Mean engagements of the posts within ±window_days of each jump ÷ the KOL's median post engagements."""
    require_columns(kol_posts, ["post_id", "kol_id", "published_at"], "kol_posts")
    posts = pd.DataFrame({"kol_id": kol_posts["kol_id"].to_numpy(),
                          "day": pd.to_datetime(kol_posts["published_at"]).dt.normalize().to_numpy(),
                          "engagements": post_engagements(kol_posts).to_numpy()}).dropna(subset=["engagements"])
    usual = posts.groupby("kol_id")["engagements"].median().where(lambda v: v > 0)
    pairs = jumps[["kol_id", "date"]].reset_index().merge(posts, on="kol_id")
    near = pairs[(pairs["day"] - pairs["date"]).abs() <= pd.Timedelta(days=window_days)]
    window_mean = near.groupby("index")["engagements"].mean().reindex(jumps.index)
    baseline = jumps["kol_id"].map(usual).astype("float64")
    return (window_mean.fillna(0.0) / baseline).rename("engagement_ratio")


def follower_jumps(kol_daily: pd.DataFrame, kol_posts: pd.DataFrame, *, z: float = 5.0,
                   window_days: int = 3) -> pd.DataFrame:
    """Jump days (robust z ≥ z): kol_id, date, gain, expected_gain, excess, scale, robust_z, engagement_ratio,
    unexplained (engagement_ratio < 1.5; missing without post engagements for the KOL)."""
    if not (isinstance(z, int | float) and z > 0):
        raise ParameterError(f"The jump threshold z must be a positive number, got {z!r}.")
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 0:
        raise ParameterError(f"window_days must be a whole number of days ≥ 0, got {window_days!r}.")
    scored = _robust_scores(_daily_gains(kol_daily))
    jumps = scored[(scored["robust_z"] >= z) & (scored["n_gains"] >= MIN_GAINS)].reset_index(drop=True)
    out = pd.DataFrame({"kol_id": jumps["kol_id"], "date": jumps["date"], "gain": jumps["gain"],
                        "expected_gain": jumps["median"], "excess": jumps["gain"] - jumps["median"],
                        "scale": jumps["scale"], "robust_z": jumps["robust_z"]})
    out["engagement_ratio"] = _window_ratio(out, kol_posts, window_days)
    out["unexplained"] = _flag(out["engagement_ratio"] < EXPLAINED_RATIO, out["engagement_ratio"].notna())
    return out


def jump_fake_share(jumps: pd.DataFrame, kol_daily: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Per kol_id of kol_daily: followers (latest), n_gains, n_jumps, n_unexplained, bought, share, low, high
    (share missing with fewer than 7 daily gains or a jump that cannot be judged)."""
    zc = _check_confidence(confidence)
    require_columns(jumps, ["kol_id", "excess", "scale", "unexplained"], "follower jumps")
    gains = _daily_gains(kol_daily)
    per_kol = gains.groupby("kol_id", sort=False).agg(followers=("followers", "last"), n_gains=("gain", "count"))
    flags = jumps["unexplained"].astype("boolean")
    frame = pd.DataFrame({"kol_id": jumps["kol_id"].to_numpy(), "unknown": flags.isna().to_numpy(),
                          "counted": flags.fillna(False).astype(bool).to_numpy()})
    frame["excess"] = jumps["excess"].to_numpy(dtype="float64") * frame["counted"]
    frame["variance"] = jumps["scale"].to_numpy(dtype="float64") ** 2 * frame["counted"]
    summed = frame.groupby("kol_id").agg(n_jumps=("counted", "size"), n_unexplained=("counted", "sum"),
                                         unknown=("unknown", "any"), bought=("excess", "sum"),
                                         variance=("variance", "sum"))
    out = per_kol.join(summed)
    out[["n_jumps", "n_unexplained"]] = out[["n_jumps", "n_unexplained"]].fillna(0).astype("int64")
    unknown = out["unknown"].astype("boolean").fillna(False).astype(bool) | (out["n_gains"] < MIN_GAINS)
    bought = out["bought"].fillna(0.0).mask(unknown)
    half = zc * np.sqrt(out["variance"].fillna(0.0))
    base = out["followers"].where(lambda v: v > 0)
    out["bought"] = bought
    out["share"] = bought / base
    out["low"] = (bought - half).clip(lower=0) / base
    out["high"] = (bought + half) / base
    return out.reset_index()[["kol_id", "followers", "n_gains", "n_jumps", "n_unexplained", "bought", "share",
                              "low", "high"]]


# ---------------------------------------------------------------------------------------------
# 3. Engagement vs follower-size norms
# ---------------------------------------------------------------------------------------------


def _design(panel: pd.DataFrame, categories: list[str]) -> np.ndarray:
    """Columns: constant, log(followers), one dummy per category with its own effect."""
    columns = [np.ones(len(panel)), np.log(panel["followers"].to_numpy(dtype="float64"))]
    columns += [(panel["category"] == c).to_numpy(dtype="float64") for c in categories]
    return np.column_stack(columns)


def _leave_one_out(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS coefficients on all rows and each row's leave-one-out prediction yᵢ − eᵢ ÷ (1 − hᵢᵢ)."""
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    u, s, _ = np.linalg.svd(x, full_matrices=False)
    rank = int((s > s.max() * max(x.shape) * np.finfo(float).eps).sum())
    leverage = (u[:, :rank] ** 2).sum(axis=1)
    residual = y - x @ beta
    with np.errstate(divide="ignore", invalid="ignore"):
        loo = np.where(leverage < 1 - 1e-9, y - residual / (1 - leverage), np.nan)
    return beta, loo


def engagement_norms(kols: pd.DataFrame, post_rates: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Per kol_id: category, followers, observed_rate, expected_rate (leave-one-out), ratio, residual (log),
    implied_fake_share, low, high, below_norm (log residual under the residuals' 5th percentile)."""
    zc = _check_confidence(confidence)
    require_columns(kols, ["kol_id", "followers", "category"], "kols")
    require_columns(post_rates, ["kol_id", "rate"], "post rates")
    observed = pd.to_numeric(post_rates["rate"], errors="coerce").groupby(post_rates["kol_id"].to_numpy()).median()
    out = kols[["kol_id", "category"]].drop_duplicates("kol_id").reset_index(drop=True)
    out["followers"] = _numbers(kols.drop_duplicates("kol_id").reset_index(drop=True), "followers")
    out["observed_rate"] = out["kol_id"].map(observed).astype("float64")
    fit = (out["observed_rate"] > 0) & (out["followers"] > 0) & out["category"].notna()
    panel = out[fit]
    sizes = panel["category"].value_counts()
    categories = sorted(sizes.index[sizes >= MIN_CATEGORY_KOLS])
    if categories and sizes[categories].sum() == len(panel):
        categories = categories[1:]   # every KOL has its category's effect: the first one is the baseline
    expected = np.full(len(out), np.nan)
    spread, q05 = np.nan, np.nan
    if len(panel) >= max(5, len(categories) + 4):
        y = np.log(panel["observed_rate"].to_numpy(dtype="float64"))
        beta, loo = _leave_one_out(_design(panel, categories), y)
        usable = out["followers"] > 0
        expected[usable.to_numpy()] = np.exp(_design(out[usable], categories) @ beta)
        expected[fit.to_numpy()] = np.exp(loo)
        loo_residual = pd.Series(y - loo).dropna()
        spread = MAD_TO_SD * float((loo_residual - loo_residual.median()).abs().median())
        q05 = float(np.percentile(loo_residual, 5))
    out["expected_rate"] = expected
    out["ratio"] = out["observed_rate"] / out["expected_rate"]
    with np.errstate(divide="ignore"):
        out["residual"] = np.log(out["ratio"])
    out["implied_fake_share"] = (1 - out["ratio"]).clip(lower=0)
    out["low"] = (1 - out["ratio"] * np.exp(zc * spread)).clip(lower=0)
    out["high"] = (1 - out["ratio"] * np.exp(-zc * spread)).clip(lower=0)
    out["below_norm"] = _flag(out["residual"] < q05, out["residual"].notna() & pd.notna(q05))
    return out


# ---------------------------------------------------------------------------------------------
# 4. Comment/like ratio
# ---------------------------------------------------------------------------------------------


def comment_like_ratio(kol_posts: pd.DataFrame, kols: pd.DataFrame) -> pd.DataFrame:
    """Per kol_id of kols: category, n_posts (organic, likes and comments known), comments, likes, ratio (Σ ÷ Σ),
    category_median, low_flag (ratio under a third of the category median)."""
    require_columns(kol_posts, ["post_id", "kol_id"], "kol_posts")
    require_columns(kols, ["kol_id", "category"], "kols")
    likes, comments = _numbers(kol_posts, "likes"), _numbers(kol_posts, "comments")
    keep = (is_organic(kol_posts) & likes.notna() & comments.notna()).to_numpy()
    frame = pd.DataFrame({"kol_id": kol_posts["kol_id"].to_numpy(), "likes": likes.to_numpy(),
                          "comments": comments.to_numpy()})[keep]
    sums = frame.groupby("kol_id").agg(n_posts=("likes", "size"), comments=("comments", "sum"), likes=("likes", "sum"))
    out = kols[["kol_id", "category"]].drop_duplicates("kol_id").set_index("kol_id").join(sums).reset_index()
    out["n_posts"] = out["n_posts"].fillna(0).astype("int64")
    out["ratio"] = out["comments"] / out["likes"].where(lambda v: v > 0)
    out["category_median"] = out.groupby("category", dropna=False)["ratio"].transform("median")
    limit = out["category_median"] / COMMENT_RATIO_DIVISOR
    out["low_flag"] = _flag(out["ratio"] < limit, out["ratio"].notna() & limit.notna())
    return out


# ---------------------------------------------------------------------------------------------
# 5. The combined estimate
# ---------------------------------------------------------------------------------------------


def _by_kol(frame: pd.DataFrame | None, columns: dict[str, str]) -> pd.DataFrame:
    """The frame's columns renamed by `columns`, indexed by kol_id (empty when the frame is None)."""
    if frame is None:
        return pd.DataFrame(columns=list(columns.values()))
    require_columns(frame, ["kol_id", *columns], "fake-follower evidence")
    return frame.drop_duplicates("kol_id").set_index("kol_id")[list(columns)].rename(columns=columns)


def fake_follower_estimate(sample_share: pd.DataFrame | None, jump_share: pd.DataFrame | None,
                           norms: pd.DataFrame | None, ratios: pd.DataFrame | None, *,
                           kol_ids: Any = None, min_sample: int = 30, threshold: float = 0.30) -> pd.DataFrame:
    """Per kol_id: share, low, high, basis (follower sample > follower history > engagement norm > none), and
    sample_share, sample_n, jump_share, norm_share, below_norm, low_comment_ratio, n_signals_raising_concern.

    On the history basis a KOL the size norm flags keeps the history's share but its high end rises to the
    norm's (widened_by_norm): no jump is not proof of no purchase."""
    if not (isinstance(threshold, int | float) and 0 <= threshold <= 1):
        raise ParameterError(f"The fake-follower threshold must be a share within 0–1 (0.3 = 30 %), got {threshold!r}.")
    parts = [
        _by_kol(sample_share, {"share": "s", "low": "s_low", "high": "s_high", "n": "sample_n"}),
        _by_kol(jump_share, {"share": "j", "low": "j_low", "high": "j_high"}),
        _by_kol(norms, {"implied_fake_share": "m", "low": "m_low", "high": "m_high", "below_norm": "below_norm"}),
        _by_kol(ratios, {"low_flag": "low_comment_ratio"}),
    ]
    ids = list(dict.fromkeys([*(kol_ids if kol_ids is not None else []), *(k for p in parts for k in p.index)]))
    frame = pd.DataFrame(index=pd.Index(ids, name="kol_id"))
    for part in parts:
        frame = frame.join(part)
    numeric = ["s", "s_low", "s_high", "sample_n", "j", "j_low", "j_high", "m", "m_low", "m_high"]
    frame[numeric] = frame[numeric].apply(pd.to_numeric, errors="coerce").astype("float64")
    use_sample = frame["s"].notna() & (frame["sample_n"] >= min_sample)
    use_jump = ~use_sample & frame["j"].notna()
    use_norm = ~use_sample & ~use_jump & frame["m"].notna()
    choices = [use_sample, use_jump, use_norm]
    out = pd.DataFrame({"kol_id": frame.index})
    for column, prefix in (("share", ""), ("low", "_low"), ("high", "_high")):
        values = [frame[f"{key}{prefix}"] for key in ("s", "j", "m")]
        out[column] = np.select(choices, values, default=np.nan)
    out["basis"] = np.select(choices, ["follower sample", "follower history", "engagement norm"], default="none")
    # A clean history cannot see buying spread thinly over many days: when the size norm also flags the KOL,
    # the interval reaches up to the norm's upper bound, so the screen reads it as borderline, not as 0 %.
    doubtful = (use_jump & frame["below_norm"].astype("boolean").fillna(False).astype(bool)).to_numpy()
    out["high"] = np.where(doubtful, np.fmax(out["high"].to_numpy(), frame["m_high"].to_numpy()), out["high"])
    out["widened_by_norm"] = doubtful
    out["sample_share"] = frame["s"].to_numpy()
    out["sample_n"] = frame["sample_n"].to_numpy()
    out["jump_share"] = frame["j"].to_numpy()
    out["norm_share"] = frame["m"].to_numpy()
    out["below_norm"] = frame["below_norm"].astype("boolean").to_numpy()
    out["low_comment_ratio"] = frame["low_comment_ratio"].astype("boolean").to_numpy()
    concerns = [use_sample & (frame["s"] > threshold), frame["j"] > threshold,
                frame["below_norm"].astype("boolean").fillna(False).astype(bool),
                frame["low_comment_ratio"].astype("boolean").fillna(False).astype(bool)]
    out["n_signals_raising_concern"] = np.sum([c.to_numpy(dtype=bool) for c in concerns], axis=0).astype("int64")
    return out
