"""The content section of a review: the period's posts rated, ranked, and grouped by format and pillar.

The engagement rate of each post is on the review's base (impressions, reach or followers, named in
every table); groups show both the rate of sums and the mean of rates with its interval
(helpers.content.performance_by).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from helpers import content
from helpers.periods import ReviewPeriod

#: Bases a post's engagement rate can take in the review (the KPI bases); any other falls back to impressions.
POST_ER_BASES: tuple[str, ...] = ("impressions", "reach", "followers")


def period_posts(posts: pd.DataFrame, period: ReviewPeriod) -> pd.DataFrame:
    """Posts published from the period's first day 00:00 up to, not including, the day after its last day."""
    end = period.end + pd.Timedelta(days=1)
    return posts[posts["published_at"].between(period.start, end, inclusive="left")]


@dataclass(frozen=True)
class PostReview:
    """Posts of a period rated on one base, the top and bottom ones, and the format and pillar groups."""

    base: str
    top_n: int
    published: int  # posts published in the period, rated or not
    rated: pd.DataFrame  # every post of the period with engagements, engagement_rate and platform
    best: pd.DataFrame
    worst: pd.DataFrame
    by_format: pd.DataFrame
    by_pillar: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The section's tables by artefact name, in reading order."""
        return {"top_posts": self.best, "bottom_posts": self.worst, "content_by_format": self.by_format,
                "content_by_pillar": self.by_pillar}


def review_posts(posts: pd.DataFrame, account_daily: pd.DataFrame, accounts: pd.DataFrame, period: ReviewPeriod,
                 er_base: str = "impressions", top_n: int = 5) -> PostReview:
    """Rate the period's posts (followers at posting time from account_daily), rank them and group them."""
    base = er_base if er_base in POST_ER_BASES else "impressions"
    published = period_posts(posts, period)
    rated = content.with_engagement_rate(published, account_daily, base=base).merge(
        accounts[["account_id", "platform"]], on="account_id")
    return PostReview(base=base, top_n=top_n, published=len(published), rated=rated,
                      best=content.top_posts(rated, n=top_n), worst=content.top_posts(rated, n=top_n, bottom=True),
                      by_format=content.performance_by(rated, ["platform", "format"]),
                      by_pillar=content.performance_by(rated, ["pillar"]))
