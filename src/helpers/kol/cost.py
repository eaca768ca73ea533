"""Expected cost per engagement and CPA of a KOL post, against the CPA of feed ads (信息流).

Method
- Engagements of a post (:func:`helpers.kol.engagement.post_engagements`) = likes + comments + shares + saves, over the
  parts the KOL reports at all (a platform that never shows saves is left out of that KOL's sum); a
  gap in a part the KOL does report makes that post's engagements missing, never a smaller number.
- Expected engagements of ONE sponsored post (:func:`expected_engagements`) = the mean engagements
  of the KOL's organic posts in the ``recent_days`` days up to ``as_of`` (published in
  (as_of − recent_days, as_of], whole days) × a sponsored factor, because paid posts (商单) usually
  do worse than organic ones. The factor is the KOL's own median of sponsored-post engagements ÷ its
  organic mean when it has at least :data:`MIN_SPONSORED` sponsored posts in the window ("own"), else
  the median of those ratios over every KOL's sponsored posts ("panel", needs as many ratios), else
  1 ("none": no evidence, the organic mean is used as it is); a given ``sponsored_factor`` overrides
  all ("given"). A post is sponsored when ``is_sponsored`` is true or it carries one of our campaigns.
  p10/p50/p90 are percentiles of a bootstrap of the organic mean (resampling the KOL's posts with
  replacement, ``n_boot`` times, fixed seed) × the factor: they show how much the KOL's recent posts
  vary, not the uncertainty of the factor.
- Feed CPA (:func:`feed_cpa`) = spend ÷ conversions of the feed-ad channel mapped to each platform,
  and pooled over the mapped channels ("all", used for a platform with no channel of its own). Its
  interval treats the conversion count as Poisson: the exact (Garwood) bounds of the count,
  chi²(α/2; 2k)/2 and chi²(1 − α/2; 2k + 2)/2, divide the spend. No conversion: CPA unknown (NaN).
- Conversions per engagement of a KOL post (:func:`kol_conversion_rate`) are measured from our past
  KOL bookings: the attribution credit of the booked campaigns (see ``helpers.kol.after``) ÷ the
  engagements of their posts, with a Clopper–Pearson interval (beta quantiles, which accept the
  fractional counts multi-touch credit gives). Without booking history there is no rate (None) and
  the cost screen compares cost per engagement only.
- Cost per result (:func:`cost_per_result`): CPE = price ÷ expected engagements; expected
  conversions = expected engagements × rate; CPA = price ÷ expected conversions. Their 80 % ranges
  (p10–p90) and ``p_cheaper`` (P(KOL CPA < feed CPA)) come from a simulation with a fixed seed:
  engagements ~ Normal(expected, sd from the bootstrap p10–p90) cut at 0, rate ~ Beta(x + ½, n − x + ½)
  (the Jeffreys posterior of the measured rate), feed CPA = spend ÷ Gamma(k + ½) (the Jeffreys
  posterior of the feed's conversion count). ``break_even_price`` = feed CPA × ``cpa_ratio_max`` ×
  expected conversions: the quote at which the KOL's expected CPA would be acceptable.

Pitfalls
- The conversion rate pools every past booking: KOLs of a very different category or platform may
  convert differently; with few bookings its interval is wide, and ``p_cheaper`` says so.
- Engagements of a KOL with few recent posts are uncertain; ``n_posts`` says how many the mean rests on.
- A KOL without a price has no cost (NaN, never 0); a price of 0 (product swap, 置换) is a real cost of 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from helpers.errors import DataError, ParameterError, require_columns
from helpers.kol.engagement import in_recent_window, is_organic, post_engagements
from helpers.params import check_day

__all__ = [
    "MIN_SPONSORED",
    "ConversionRate",
    "cost_per_result",
    "expected_engagements",
    "feed_cpa",
    "kol_conversion_rate",
]

"""Post metrics summed into engagements (互动量)."""
MIN_SPONSORED = 3
"""Sponsored posts a KOL needs for its own sponsored/organic ratio (and ratios the panel needs for its median)."""
POOLED = "all"
"""Platform label of the feed CPA pooled over every mapped channel."""
Z90 = float(stats.norm.ppf(0.9))
DateLike = str | date


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _text(values: pd.Series) -> pd.Series:
    """Values as stripped text; NaN and blanks become NaN."""
    text = values.astype("string").str.strip()
    return text.where(text.notna() & (text != "")).astype(object)


def _rows(index: pd.Index, limit: int = 5) -> str:
    """Row labels for an error message: the first few, then '...'."""
    items = list(index)
    return ", ".join(map(str, items[:limit])) + (", ..." if len(items) > limit else "")


def _days(values: pd.Series, table: str, column: str) -> pd.Series:
    """A date column as midnight Timestamps (naive); unparseable values raise DataError naming rows."""
    parsed = pd.to_datetime(values, errors="coerce", format="mixed")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    bad = parsed.index[parsed.isna()]
    if len(bad):
        raise DataError(f"{table}.{column} is missing or not a date in rows {_rows(bad)}; use 'YYYY-MM-DD'.")
    return parsed.dt.normalize()


def _check_confidence(confidence: float) -> float:
    """α of a confidence level; ParameterError unless 0 < confidence < 1."""
    if not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise ParameterError(f"confidence={confidence!r} must be between 0 and 1, e.g. 0.95.")
    return 1.0 - float(confidence)


# ---------------------------------------------------------------------------------------------
# Feed CPA
# ---------------------------------------------------------------------------------------------


def _garwood(k: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson bounds of counts k: chi²(α/2; 2k)/2 (0 when k = 0) and chi²(1 − α/2; 2k + 2)/2."""
    low = np.where(k > 0, stats.chi2.ppf(alpha / 2, np.maximum(2 * k, 1e-300)) / 2, 0.0)
    high = stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
    return low, high


def feed_cpa(
    ad_daily: pd.DataFrame,
    *,
    channel_of_platform: Mapping[str, str],
    start: DateLike | None = None,
    end: DateLike | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Feed-ad CPA per platform and pooled ("all"): platform, channel, spend, conversions, cpa, cpa_low, cpa_high.

    A platform whose channel has no rows in the window gets no row (its KOLs use the pooled one);
    ``attrs['no_data']`` lists those platforms. CPA is NaN with no conversion, and cpa_high then
    unbounded (NaN).
    """
    alpha = _check_confidence(confidence)
    require_columns(ad_daily, ("date", "channel", "spend", "conversions"), "ad_daily")
    lo = None if start is None else check_day("start", start)
    hi = None if end is None else check_day("end", end)
    if lo is not None and hi is not None and hi < lo:
        raise ParameterError(f"end ({end}) is before start ({start}); swap them.")
    day = _days(ad_daily["date"], "ad_daily", "date")
    keep = pd.Series(True, index=ad_daily.index)
    if lo is not None:
        keep &= day >= lo
    if hi is not None:
        keep &= day <= hi
    rows = ad_daily[keep]
    sums = pd.DataFrame({"channel": _text(rows["channel"]),
                         "spend": pd.to_numeric(rows["spend"], errors="coerce"),
                         "conversions": pd.to_numeric(rows["conversions"], errors="coerce")})
    sums = sums.groupby("channel").sum(min_count=1)
    mapping = {str(p): str(c).strip() for p, c in channel_of_platform.items() if c is not None and str(c).strip()}
    have = {p: c for p, c in mapping.items() if c in sums.index}
    table = pd.DataFrame({"platform": pd.Series(list(have), dtype=object),
                          "channel": pd.Series(list(have.values()), dtype=object)})
    table = table.join(sums, on="channel") if have else table.assign(spend=np.nan, conversions=np.nan)
    pooled = sorted(set(have.values()))
    if pooled:
        total = sums.loc[pooled].sum(min_count=1)
        table.loc[len(table)] = [POOLED, "+".join(pooled), total["spend"], total["conversions"]]
    k = table["conversions"].to_numpy(dtype=float)
    spend = table["spend"].to_numpy(dtype=float)
    k_low, k_high = _garwood(np.nan_to_num(k), alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["cpa"] = np.where(k > 0, spend / k, np.nan)
        table["cpa_low"] = np.where(np.isfinite(k), spend / k_high, np.nan)
        table["cpa_high"] = np.where(k > 0, spend / k_low, np.nan)
    table.attrs["no_data"] = sorted(set(mapping) - set(have))
    table.attrs["confidence"] = confidence
    return table


# ---------------------------------------------------------------------------------------------
# Engagements
# ---------------------------------------------------------------------------------------------


def _posts(kol_posts: pd.DataFrame, kols: pd.DataFrame) -> pd.DataFrame:
    """Posts with kol_id, post_id, day, engagements, sponsored, campaign; rows with unknown engagements kept (NaN)."""
    require_columns(kol_posts, ("post_id", "kol_id", "published_at"), "kol_posts")
    require_columns(kols, ("kol_id",), "kols")
    kol_id = kol_posts["kol_id"].astype(str).str.strip()
    known = set(kols["kol_id"].astype(str).str.strip())
    stray = kol_posts.index[~kol_id.isin(known)]
    if len(stray):
        raise DataError(f"kol_posts.kol_id is not in kols in rows {_rows(stray)}; add the KOL to kols or drop them.")
    campaign = _text(kol_posts["campaign"]) if "campaign" in kol_posts.columns else pd.Series(np.nan,
                                                                                             index=kol_posts.index)
    sponsored = ~is_organic(kol_posts)
    out = pd.DataFrame({
        "post_id": kol_posts["post_id"].astype(str), "kol_id": kol_id,
        "day": _days(kol_posts["published_at"], "kol_posts", "published_at"),
        "engagements": post_engagements(kol_posts), "campaign": campaign,
    }, index=kol_posts.index)
    out["sponsored"] = campaign.notna() | sponsored
    return out.sort_values(["kol_id", "day", "post_id"], kind="stable")


def _bootstrap(values: np.ndarray, case: np.ndarray, n_cases: int, n_boot: int, seed: int) -> np.ndarray:
    """p10, p50, p90 of bootstrap means per case (rows grouped by case, sorted); NaN for cases without values.

    Cases with the same number of posts share one set of resampling weights (drawn from a
    generator seeded by (seed, n)), so a case's numbers depend only on its own posts and the seed,
    and the resampled means are one matrix product: values (cases × n) @ counts (n × n_boot) / n.
    """
    out = np.full((n_cases, 3), np.nan)
    sizes = np.bincount(case, minlength=n_cases)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    for n in np.unique(sizes[sizes > 0]):
        which = np.flatnonzero(sizes == n)
        rng = np.random.default_rng([seed, int(n)])
        draws = rng.integers(0, n, size=(n_boot, n))
        flat = (draws + np.arange(n_boot)[:, None] * n).ravel()
        counts = np.bincount(flat, minlength=n_boot * n).reshape(n_boot, n).astype(float)
        matrix = values[starts[which][:, None] + np.arange(n)]
        means = matrix @ counts.T / n
        out[which] = np.percentile(means, [10, 50, 90], axis=1).T
    return out


def _check_expected_params(recent_days: int, sponsored_factor: float | None, n_boot: int) -> None:
    """ParameterError for a bad window, factor or number of resamples."""
    if isinstance(recent_days, bool) or not isinstance(recent_days, (int, np.integer)) or recent_days < 1:
        raise ParameterError(f"recent_days={recent_days!r} must be a whole number of days ≥ 1, e.g. 90.")
    if sponsored_factor is not None and (not isinstance(sponsored_factor, (int, float))
                                         or not np.isfinite(sponsored_factor) or sponsored_factor <= 0):
        raise ParameterError(f"sponsored_factor={sponsored_factor!r} must be a number > 0 (or empty: measured).")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 100:
        raise ParameterError(f"n_boot={n_boot!r} must be a whole number ≥ 100, e.g. 2000.")


def _expected_for_cases(
    posts: pd.DataFrame, cases: pd.DataFrame, *, recent_days: int, sponsored_factor: float | None,
    n_boot: int, seed: int,
) -> pd.DataFrame:
    """Expected engagements per case (kol_id, as_of): expected, p10, p50, p90, n_posts, n_sponsored, factor, source.

    ``posts`` comes from _posts; ``cases`` has columns kol_id and as_of (midnight Timestamps),
    one row per prediction; the result is indexed like ``cases``.
    """
    n_cases = len(cases)
    frame = cases[["kol_id", "as_of"]].reset_index(drop=True).rename_axis("case").reset_index()
    joined = frame.merge(posts[posts["engagements"].notna()], on="kol_id", how="inner")
    inside = in_recent_window(joined["day"], joined["as_of"], recent_days)
    joined = joined[inside].sort_values(["case", "day", "post_id"], kind="stable")
    organic = joined[~joined["sponsored"]]
    codes = organic["case"].to_numpy()
    n_posts = np.bincount(codes, minlength=n_cases)
    total = np.bincount(codes, organic["engagements"].to_numpy(), minlength=n_cases)
    mean = np.divide(total, n_posts, out=np.full(n_cases, np.nan), where=n_posts > 0)
    paid = joined[joined["sponsored"]]
    base = mean[paid["case"].to_numpy()]
    ratio = pd.Series(np.divide(paid["engagements"].to_numpy(), base, out=np.full(len(paid), np.nan),
                                where=base > 0), index=paid["case"].to_numpy()).dropna()
    n_sponsored = np.bincount(paid["case"].to_numpy(), minlength=n_cases)
    own_n = ratio.groupby(level=0).size().reindex(range(n_cases), fill_value=0).to_numpy()
    own = ratio.groupby(level=0).median().reindex(range(n_cases)).to_numpy()
    panel = float(ratio.median()) if len(ratio) >= MIN_SPONSORED else np.nan
    if sponsored_factor is not None:
        factor, source = np.full(n_cases, float(sponsored_factor)), np.full(n_cases, "given", dtype=object)
    else:
        use_own = own_n >= MIN_SPONSORED
        fallback, fallback_source = (panel, "panel") if np.isfinite(panel) else (1.0, "none")
        factor = np.where(use_own, own, fallback)
        source = np.where(use_own, "own", fallback_source).astype(object)
    spread = _bootstrap(organic["engagements"].to_numpy(dtype=float), codes, n_cases, n_boot, seed)
    out = pd.DataFrame({
        "kol_id": frame["kol_id"].to_numpy(), "expected": mean * factor,
        "p10": spread[:, 0] * factor, "p50": spread[:, 1] * factor, "p90": spread[:, 2] * factor,
        "n_posts": n_posts.astype("int64"), "n_sponsored": n_sponsored.astype("int64"),
        "factor": factor, "factor_source": source,
    })
    out.index = cases.index
    return out


def expected_engagements(
    kol_posts: pd.DataFrame,
    kols: pd.DataFrame,
    *,
    as_of: DateLike,
    recent_days: int = 90,
    sponsored_factor: float | None = None,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Per KOL in kols: expected engagements of one sponsored post, with p10/p50/p90, n_posts, factor and its source.

    Columns: kol_id, expected, p10, p50, p90, n_posts (organic posts used), n_sponsored
    (sponsored posts with engagements in the window), factor, factor_source (own | panel | given |
    none). A KOL without organic posts in the window has NaN expectations (n_posts 0).
    """
    _check_expected_params(recent_days, sponsored_factor, n_boot)
    day = check_day("as_of", as_of)
    posts = _posts(kol_posts, kols)
    ids = kols["kol_id"].astype(str).str.strip().drop_duplicates()
    cases = pd.DataFrame({"kol_id": ids.to_numpy(), "as_of": day})
    out = _expected_for_cases(posts, cases, recent_days=recent_days, sponsored_factor=sponsored_factor,
                              n_boot=n_boot, seed=seed)
    out.attrs.update(as_of=day, recent_days=recent_days)
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Conversion rate of past bookings
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConversionRate:
    """Conversions per engagement of our past KOL bookings, with its Clopper–Pearson interval."""

    rate: float
    low: float
    high: float
    conversions: float  # credited conversions of the booked campaigns
    engagements: float  # engagements of their posts
    n_campaigns: int
    n_posts: int
    confidence: float


def _clopper_pearson(x: float, n: float, alpha: float) -> tuple[float, float]:
    """Clopper–Pearson bounds from beta quantiles (fractional x allowed): Beta(x, n − x + 1), Beta(x + 1, n − x)."""
    low = 0.0 if x <= 0 else float(stats.beta.ppf(alpha / 2, x, n - x + 1))
    high = 1.0 if x >= n else float(stats.beta.ppf(1 - alpha / 2, x + 1, n - x))
    return low, high


def kol_conversion_rate(
    credit: pd.DataFrame, booked_posts: pd.DataFrame, *, confidence: float = 0.95
) -> ConversionRate | None:
    """Σ credited conversions ÷ Σ engagements over the booked campaigns found in both tables; None without history.

    ``booked_posts`` is kol_posts (rows without a campaign are ignored); ``credit`` has campaign and
    conversions (kol_campaign_credit). A booked campaign missing from the credit was not tracked and is
    left out (not counted as 0); so is a campaign with a post whose engagements are unknown.
    """
    alpha = _check_confidence(confidence)
    require_columns(credit, ("campaign", "conversions"), "credit", "Pass the output of kol_campaign_credit.")
    require_columns(booked_posts, ("kol_id", "campaign"), "kol_posts")
    booked = pd.DataFrame({"campaign": _text(booked_posts["campaign"]),
                           "engagements": post_engagements(booked_posts)}).dropna(subset=["campaign"])
    per = booked.groupby("campaign").agg(engagements=("engagements", lambda s: s.sum(min_count=len(s))),
                                         n_posts=("engagements", "size"))
    conv = pd.to_numeric(credit["conversions"], errors="coerce").groupby(_text(credit["campaign"])).sum(min_count=1)
    per = per.join(conv.rename("conversions"), how="inner").dropna()
    if per.empty or per["engagements"].sum() <= 0:
        return None
    x, n = float(per["conversions"].sum()), float(per["engagements"].sum())
    low, high = _clopper_pearson(x, n, alpha)
    return ConversionRate(rate=x / n, low=low, high=high, conversions=x, engagements=n,
                          n_campaigns=len(per), n_posts=int(per["n_posts"].sum()), confidence=confidence)


# ---------------------------------------------------------------------------------------------
# Cost per result
# ---------------------------------------------------------------------------------------------


def _prices(kols: pd.DataFrame) -> pd.Series:
    """The quoted price per KOL (NaN when unknown); DataError for negative or unreadable prices."""
    if "price" not in kols.columns:
        return pd.Series(np.nan, index=kols.index)
    price = pd.to_numeric(kols["price"], errors="coerce")
    bad = kols.index[(price < 0) | (price.isna() & _text(kols["price"].astype("string")).notna())]
    if len(bad):
        raise DataError(f"kols.price must be an amount ≥ 0 in CNY (rows {_rows(bad)}); leave it empty when unknown.")
    return price


def _feed_for(platforms: pd.Series, feed: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The feed row of each platform (the pooled row where the platform has none) and where it came from."""
    require_columns(feed, ("platform", "spend", "conversions", "cpa"), "feed", "Pass the output of feed_cpa.")
    table = feed.set_index("platform")
    own = platforms.isin(table.index).to_numpy()
    key = np.where(own, platforms.to_numpy(), POOLED)
    rows = table.reindex(key)
    source = np.where(own, "platform", np.where(rows["cpa"].notna().to_numpy() | rows["spend"].notna().to_numpy(),
                                                "pooled", "none"))
    return rows.reset_index(drop=True), source


def cost_per_result(
    kols: pd.DataFrame,
    expected: pd.DataFrame,
    conversion_rate: ConversionRate | None,
    feed: pd.DataFrame,
    *,
    cpa_ratio_max: float = 1.0,
    n_sim: int = 4000,
    seed: int = 0,
) -> pd.DataFrame:
    """Per KOL: price, CPE, expected conversions, CPA (each with its range), feed CPA, ratio, p_cheaper, break-even.

    Columns: kol_id, platform, price, expected, cpe, cpe_low, cpe_high, expected_conversions,
    expected_conversions_p10, expected_conversions_p90, cpa, cpa_low, cpa_high, feed_cpa,
    feed_source (platform | pooled | none), cpa_ratio, p_cheaper, break_even_price, cost_basis
    ("cpa" | "cpe only"). Ranges are p10–p90. Without a price every cost column is NaN;
    without a conversion rate conversions, CPA, p_cheaper and break-even are NaN.
    """
    if not isinstance(cpa_ratio_max, (int, float)) or not np.isfinite(cpa_ratio_max) or cpa_ratio_max <= 0:
        raise ParameterError(f"cpa_ratio_max={cpa_ratio_max!r} must be a number > 0 (1 = as cheap as feed ads).")
    if isinstance(n_sim, bool) or not isinstance(n_sim, (int, np.integer)) or n_sim < 100:
        raise ParameterError(f"n_sim={n_sim!r} must be a whole number ≥ 100.")
    require_columns(kols, ("kol_id", "platform"), "kols")
    require_columns(expected, ("kol_id", "expected", "p10", "p90"), "expected",
                    "Pass the output of expected_engagements.")
    price = _prices(kols).to_numpy(dtype=float)
    out = pd.DataFrame({"kol_id": kols["kol_id"].astype(str).str.strip().to_numpy(),
                        "platform": kols["platform"].astype(str).to_numpy(), "price": price})
    exp = expected.assign(kol_id=expected["kol_id"].astype(str)).drop_duplicates("kol_id").set_index("kol_id")
    eng = exp.reindex(out["kol_id"])
    mean, p10, p90 = (eng[c].to_numpy(dtype=float) for c in ("expected", "p10", "p90"))
    out["expected"] = mean
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cpe"] = _ratio(price, mean)
        out["cpe_low"], out["cpe_high"] = _ratio(price, p90), _ratio(price, p10)
    rows, source = _feed_for(out["platform"], feed)
    feed_value = rows["cpa"].to_numpy(dtype=float)
    out["feed_cpa"], out["feed_source"] = feed_value, source
    if conversion_rate is None:
        for col in ("expected_conversions", "expected_conversions_p10", "expected_conversions_p90", "cpa",
                    "cpa_low", "cpa_high", "cpa_ratio", "p_cheaper", "break_even_price"):
            out[col] = np.nan
        out["cost_basis"] = "cpe only"
        return _ordered(out)
    sim = _simulate(mean, p10, p90, conversion_rate, rows, n_sim, seed)
    conv = mean * conversion_rate.rate
    q10, q90 = np.percentile(sim["conv"], [10, 90], axis=1)
    out["expected_conversions"] = conv
    out["expected_conversions_p10"], out["expected_conversions_p90"] = q10, q90
    out["cpa"], out["cpa_low"], out["cpa_high"] = _ratio(price, conv), _ratio(price, q90), _ratio(price, q10)
    out["cpa_ratio"] = out["cpa"] / np.where(feed_value > 0, feed_value, np.nan)
    cheaper = np.mean(sim["conv"] * sim["feed"] > price[:, None], axis=1)
    known = np.isfinite(price) & np.isfinite(mean) & np.isfinite(sim["feed"]).all(axis=1)
    out["p_cheaper"] = np.where(known, cheaper, np.nan)
    out["break_even_price"] = feed_value * cpa_ratio_max * conv
    out["cost_basis"] = "cpa"
    out.attrs.update(n_sim=n_sim, seed=seed, cpa_ratio_max=cpa_ratio_max)
    return _ordered(out)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num ÷ den, NaN where den is not positive or either side is unknown (never ∞)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _simulate(mean: np.ndarray, p10: np.ndarray, p90: np.ndarray, rate: ConversionRate, feed: pd.DataFrame,
              n_sim: int, seed: int) -> dict[str, np.ndarray]:
    """Simulated conversions (KOLs × n_sim) and feed CPA, common random numbers from one seeded generator.

    Engagements ~ Normal(expected, (p90 − p10) / (2 z₀.₉)) cut at 0; rate ~ Beta(x + ½, n − x + ½);
    feed CPA = spend ÷ Gamma(k + ½, 1) of the KOL's feed row.
    """
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n_sim)
    r = rng.beta(rate.conversions + 0.5, max(rate.engagements - rate.conversions, 0.0) + 0.5, n_sim)
    u = rng.random(n_sim)  # feed counts: one uniform stream, mapped per feed row through the gamma quantile
    sd = np.nan_to_num((p90 - p10) / (2 * Z90))
    eng = np.maximum(mean[:, None] + sd[:, None] * z[None, :], 0.0)
    pairs = pd.DataFrame({"spend": feed["spend"].to_numpy(dtype=float), "k": feed["conversions"].to_numpy(dtype=float)})
    uniq = pairs.drop_duplicates()  # a few feed rows (platforms) serve every KOL
    which = pairs.merge(uniq.reset_index(names="row"), on=["spend", "k"], how="left")["row"]
    position = pd.Index(uniq.index).get_indexer(which)
    counts = stats.gamma.ppf(u[None, :], uniq["k"].to_numpy()[:, None] + 0.5)
    with np.errstate(divide="ignore", invalid="ignore"):
        feed_cpa_sim = np.where(counts > 0, uniq["spend"].to_numpy()[:, None] / counts, np.nan)
    return {"conv": eng * r[None, :], "feed": feed_cpa_sim[position]}


def _ordered(out: pd.DataFrame) -> pd.DataFrame:
    """Columns in the documented order; cost columns NaN for KOLs without a price."""
    cost = ["cpe", "cpe_low", "cpe_high", "cpa", "cpa_low", "cpa_high", "cpa_ratio", "p_cheaper"]
    out.loc[out["price"].isna(), cost] = np.nan
    return out[["kol_id", "platform", "price", "expected", "cpe", "cpe_low", "cpe_high", "expected_conversions",
                "expected_conversions_p10", "expected_conversions_p90", "cpa", "cpa_low", "cpa_high", "feed_cpa",
                "feed_source", "cpa_ratio", "p_cheaper", "break_even_price", "cost_basis"]]
