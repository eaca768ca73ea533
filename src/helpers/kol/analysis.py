"""The steps of KOL vetting, run by run: each takes the `KolRun` (and earlier steps' results) and calls the
compute modules with the run's parameters, so a notebook cell is one call.

Order: coverage → authenticity → interaction → audience fit → cost → shortlist → after the campaign. A
step whose input table is absent returns what it can (an empty or None part), never zeros.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers.kol import after as af
from helpers.kol import authenticity as au
from helpers.kol import cost as co
from helpers.kol import engagement as en
from helpers.kol import fit as fi
from helpers.kol.session import KolRun
from helpers.kol.shortlist import Thresholds, rank_sensitivity, screen_table
from helpers.kol.shortlist import shortlist as rank_kols

__all__ = [
    "Authenticity",
    "Cost",
    "Fit",
    "Ranked",
    "after_campaign",
    "audience_fit",
    "authenticity",
    "cost",
    "coverage",
    "interaction",
    "recent_posts",
    "shortlist",
    "thresholds",
]


@dataclass(frozen=True)
class Authenticity:
    """Every fake-follower signal and the estimate the screen uses."""

    classified: pd.DataFrame | None  # the follower sample with its flags (None without kol_followers)
    sample: pd.DataFrame | None      # per KOL: suspicious share of the sample with its interval
    jumps: pd.DataFrame | None       # follower-history jump days (None without kol_daily)
    history: pd.DataFrame | None     # per KOL: bought share from unexplained jumps
    norms: pd.DataFrame              # per KOL: engagement against the size norm
    ratios: pd.DataFrame             # per KOL: comment/like ratio against the category
    estimate: pd.DataFrame           # per KOL: share, low, high, basis and the other signals
    threshold: float


@dataclass(frozen=True)
class Fit:
    """The brand's audience, each KOL's, their similarity per dimension, the fit score and the follower overlap."""

    brand: pd.DataFrame             # dimension, bucket, share (the brand's followers)
    kol: pd.DataFrame               # kol_id, dimension, bucket, share, source
    similarity: pd.DataFrame        # kol_id, dimension, similarity (1 - TVD), top buckets
    score: pd.DataFrame             # kol_id, fit, one column per dimension
    overlap: pd.DataFrame | None    # kol_id, share of sampled followers who follow the brand (None without a sample)


@dataclass(frozen=True)
class Cost:
    """Feed CPA, each KOL's expected engagements and CPE/CPA at its price, and what they rest on."""

    feed: pd.DataFrame                         # platform, channel, spend, conversions, cpa with its interval
    expected: pd.DataFrame                     # kol_id, expected engagements of one sponsored post
    credit: pd.DataFrame | None                # campaign, conversions, value (our KOL campaigns' credit)
    conversion_rate: co.ConversionRate | None  # conversions per engagement of our past bookings
    table: pd.DataFrame                        # kol_id, price, cpe, cpa, feed_cpa, cpa_ratio, break_even_price, ...
    feed_start: pd.Timestamp


@dataclass(frozen=True)
class Ranked:
    """The shortlist (decided, scored, ranked) and each KOL's rank range under other weights."""

    table: pd.DataFrame
    sensitivity: pd.DataFrame
    bars: Thresholds


def thresholds(run: KolRun) -> Thresholds:
    """The run's screening bars."""
    s = run.settings
    return Thresholds(fake=s.fake_threshold, interaction=s.interaction_threshold, min_fit=s.min_fit,
                      cpa_ratio_max=s.cpa_ratio_max)


def recent_posts(run: KolRun) -> pd.DataFrame:
    """The screened KOLs' posts within recent_days before as_of (as_of included)."""
    posts = run.posts
    return posts[en.in_recent_window(posts["published_at"], run.as_of, run.settings.recent_days)].reset_index(drop=True)


def _count_by_kol(frame: pd.DataFrame | None, name: str, column: str = "kol_id") -> pd.Series:
    """Rows per KOL (0 where a KOL has none; empty without the table)."""
    if frame is None:
        return pd.Series(dtype="float64", name=name)
    return frame.groupby(column).size().rename(name)


def coverage(run: KolRun) -> pd.DataFrame:
    """One row per KOL: platform, category, followers, price, recent posts (sponsored), and the rows of each
    optional input (missing = the table is absent from the folder, 0 = present without this KOL)."""
    kols = run.kols.set_index("kol_id")
    posts = recent_posts(run)
    sponsored = ~en.is_organic(posts)
    table = pd.DataFrame({
        "platform": kols["platform"], "category": kols["category"], "followers": kols["followers"],
        "price": kols["price"] if "price" in kols else float("nan")})
    table["recent_posts"] = _count_by_kol(posts, "n").reindex(table.index).fillna(0).astype(int)
    table["sponsored_posts"] = posts[sponsored.to_numpy()].groupby("kol_id").size().reindex(table.index).fillna(0)
    table["sponsored_posts"] = table["sponsored_posts"].astype(int)
    for name, column in (("kol_daily", "history_days"), ("kol_followers", "sampled_followers")):
        frame = run.kol_table(name)
        counts = _count_by_kol(frame, column)
        table[column] = counts.reindex(table.index).fillna(0) if frame is not None else float("nan")
    shares = run.kol_table("kol_audience")
    table["audience_dimensions"] = (shares.groupby("kol_id")["dimension"].nunique().reindex(table.index).fillna(0)
                                    if shares is not None else float("nan"))
    booked = run.posts[run.posts["campaign"].notna()] if "campaign" in run.posts else run.posts.iloc[0:0]
    table["booked_posts"] = _count_by_kol(booked, "n").reindex(table.index).fillna(0).astype(int)
    return table.reset_index()


def authenticity(run: KolRun) -> Authenticity:
    """The four fake-follower signals and the estimate (the most direct evidence available)."""
    posts, kols = run.posts, run.kols
    followers = run.kol_table("kol_followers")
    classified = au.classify_followers(followers, as_of=run.as_of) if followers is not None else None
    sample = au.sample_fake_share(classified) if classified is not None else None
    daily = run.kol_table("kol_daily")
    jumps = au.follower_jumps(daily, posts) if daily is not None else None
    history = au.jump_fake_share(jumps, daily) if jumps is not None and daily is not None else None
    rates = en.organic_post_rates(posts, kols, as_of=run.as_of, recent_days=run.settings.recent_days,
                                  kol_daily=daily)
    norms = au.engagement_norms(kols, rates)
    ratios = au.comment_like_ratio(recent_posts(run), kols)
    estimate = au.fake_follower_estimate(sample, history, norms, ratios, kol_ids=kols["kol_id"],
                                         threshold=run.settings.fake_threshold)
    return Authenticity(classified, sample, jumps, history, norms, ratios, estimate, run.settings.fake_threshold)


def interaction(run: KolRun, fake: Authenticity) -> pd.DataFrame:
    """Real interaction rate per KOL on recent organic posts, over followers less the estimated fake share."""
    shares = fake.estimate.set_index("kol_id")["share"]
    return en.real_interaction_rate(run.posts, run.kols, shares, as_of=run.as_of,
                                    recent_days=run.settings.recent_days,
                                    threshold=run.settings.interaction_threshold, kol_daily=run.kol_table("kol_daily"))


def audience_fit(run: KolRun) -> Fit | None:
    """The KOLs' audiences against the brand's followers; None without the brand's audience or any KOL audience."""
    audience = run.brand_audience
    shares, sample = run.kol_table("kol_audience"), run.kol_table("kol_followers")
    if audience is None or audience.empty or (shares is None and sample is None):
        return None
    accounts = run.tables["accounts"]
    brand = fi.brand_distribution(audience, accounts, account_ids=run.settings.brand_accounts)
    if shares is None:
        shares = pd.DataFrame({"kol_id": [], "dimension": [], "bucket": [], "share": []})
    kol = fi.kol_distribution(shares, sample)
    similarity = fi.distribution_similarity(kol, brand)
    score = fi.fit_score(similarity, weights=run.settings.fit_weights, kol_ids=list(run.kol_ids))
    overlap = fi.user_overlap(sample, audience, accounts, run.kols) if sample is not None else None
    return Fit(brand, kol, similarity, score, overlap)


def _journeys(run: KolRun) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Touchpoints and conversions up to as_of, or None without either table."""
    touches, conversions = run.tables.get("touchpoints"), run.tables.get("conversions")
    if touches is None or conversions is None:
        return None
    end = run.as_of + pd.Timedelta(days=1)
    return (touches[touches["occurred_at"] < end].reset_index(drop=True),
            conversions[conversions["occurred_at"] < end].reset_index(drop=True))


def campaign_credit(run: KolRun) -> pd.DataFrame | None:
    """Our KOL campaigns' attribution credit up to as_of, or None without touchpoints and conversions."""
    journeys = _journeys(run)
    if journeys is None:
        return None
    return af.kol_campaign_credit(*journeys, model=run.settings.attribution_model)


def cost(run: KolRun) -> Cost:
    """Each KOL's expected CPE and CPA at its price against the feed-ad CPA of the recent_days before as_of."""
    start = run.as_of - pd.Timedelta(days=run.settings.recent_days - 1)
    ads = run.tables.get("ad_daily")
    if ads is None:
        ads = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "channel": pd.Series(dtype=object),
                            "spend": pd.Series(dtype=float), "conversions": pd.Series(dtype=float)})
    feed = co.feed_cpa(ads, channel_of_platform=run.settings.feed_channels, start=start, end=run.as_of)
    credit = campaign_credit(run)
    rate = co.kol_conversion_rate(credit, run.posts) if credit is not None else None
    expected = co.expected_engagements(run.posts, run.kols, as_of=run.as_of, recent_days=run.settings.recent_days)
    table = co.cost_per_result(run.kols, expected, rate, feed, cpa_ratio_max=run.settings.cpa_ratio_max)
    return Cost(feed, expected, credit, rate, table, start)


def after_campaign(run: KolRun, spend: Cost) -> pd.DataFrame | None:
    """Every post we booked: delivery against its prediction, credited conversions and revenue, ROI, rebook;
    None when no post carries a campaign of ours."""
    posts = run.posts
    if "campaign" not in posts or posts["campaign"].isna().all():
        return None
    credit = spend.credit if spend.credit is not None else pd.DataFrame({"campaign": [], "conversions": [],
                                                                        "value": []})
    return af.campaign_results(posts, run.kols, credit, as_of=run.as_of, stop_loss=run.settings.rebook_roi,
                               recent_days=run.settings.recent_days)


def shortlist(run: KolRun, fake: Authenticity, rates: pd.DataFrame, fit: Fit | None, spend: Cost) -> Ranked:
    """Decisions, reasons, scores and rank ranges for every screened KOL."""
    bars = thresholds(run)
    screens = screen_table(run.kols, fake.estimate, rates, None if fit is None else fit.score, spend.table)
    ranked = rank_kols(screens, run.settings.score_weights, bars)
    return Ranked(ranked, rank_sensitivity(ranked, run.settings.score_weights, bars), bars)
