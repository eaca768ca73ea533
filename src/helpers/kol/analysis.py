"""The steps of KOL vetting, run by run: each takes the `KolRun` (and earlier steps' results) and calls the
compute modules with the run's parameters, so a notebook cell is one call.

Order: coverage → authenticity → interaction → audience fit → cost → shortlist → after the campaign. A
step whose input table is absent returns what it can (an empty or None part), never zeros.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers.kol import authenticity as au
from helpers.kol import engagement as en
from helpers.kol.session import KolRun
from helpers.kol.shortlist import Thresholds, rank_sensitivity, screen_table
from helpers.kol.shortlist import shortlist as rank_kols

__all__ = [
    "Authenticity",
    "Ranked",
    "authenticity",
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
    age = (run.as_of - posts["published_at"].dt.normalize()).dt.days
    return posts[(age >= 0) & (age < run.settings.recent_days)].reset_index(drop=True)


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


def shortlist(run: KolRun, fake: Authenticity, rates: pd.DataFrame, fit: pd.DataFrame | None,
              cost: pd.DataFrame | None) -> Ranked:
    """Decisions, reasons, scores and rank ranges for every screened KOL."""
    bars = thresholds(run)
    screens = screen_table(run.kols, fake.estimate, rates, fit, cost)
    ranked = rank_kols(screens, run.settings.score_weights, bars)
    return Ranked(ranked, rank_sensitivity(ranked, run.settings.score_weights, bars), bars)
