"""helpers.review.posts: the period's posts (by publication day), rated on the review's base, ranked and grouped."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.periods import parse_period
from helpers.review.posts import period_posts, review_posts

OCTOBER = parse_period("month", "2026-10")
ACCOUNTS = pd.DataFrame({"account_id": ["own_dy", "own_wb"], "platform": ["douyin", "weibo"],
                         "name": ["d", "w"], "owner": ["own", "own"]})


def _posts() -> pd.DataFrame:
    """Five posts; p0 the evening before October, p4 at midnight after it.

    post   published            account  format  likes comments shares saves impressions  ER = Σ ÷ impressions
    p0     2026-09-30 23:59     own_dy   video     10     0       0      0     100        (September)
    p1     2026-10-01 00:00     own_dy   video     30    10       5      5    1000        50 / 1000 = 5 %
    p2     2026-10-15 12:00     own_dy   image     10     5       3      2    1000        20 / 1000 = 2 %
    p3     2026-10-31 23:59     own_wb   text       8     1       1    NaN     250        10 / 250 = 4 % (no saves)
    p4     2026-11-01 00:00     own_wb   text       1     0       0    NaN      10        (November)
    """
    return pd.DataFrame({
        "post_id": ["p0", "p1", "p2", "p3", "p4"],
        "account_id": ["own_dy", "own_dy", "own_dy", "own_wb", "own_wb"],
        "published_at": pd.to_datetime(["2026-09-30 23:59", "2026-10-01 00:00", "2026-10-15 12:00",
                                        "2026-10-31 23:59", "2026-11-01 00:00"]),
        "format": ["video", "video", "image", "text", "text"], "pillar": ["a", "a", "b", "b", "b"],
        "title": ["t0", "t1", "t2", "t3", "t4"],
        "likes": [10.0, 30, 10, 8, 1], "comments": [0.0, 10, 5, 1, 0], "shares": [0.0, 5, 3, 1, 0],
        "saves": [0.0, 5, 2, math.nan, math.nan], "impressions": [100.0, 1000, 1000, 250, 10],
    })


def _daily() -> pd.DataFrame:
    return pd.DataFrame({"date": pd.to_datetime(["2026-09-30", "2026-09-30"]), "account_id": ["own_dy", "own_wb"],
                         "followers": [2000.0, 500.0]})


def test_period_posts_are_those_published_on_the_period_days() -> None:
    assert period_posts(_posts(), OCTOBER)["post_id"].tolist() == ["p1", "p2", "p3"]


def test_review_posts_rates_ranks_and_groups_the_period() -> None:
    review = review_posts(_posts(), _daily(), ACCOUNTS, OCTOBER, "impressions", top_n=2)
    assert review.base == "impressions" and review.published == 3 and len(review.rated) == 3
    # by engagement rate: p1 5 %, p3 4 %, p2 2 %
    assert review.best["post_id"].tolist() == ["p1", "p3"]
    assert review.best["engagement_rate"].tolist() == pytest.approx([0.05, 0.04])
    assert review.worst["post_id"].tolist() == ["p2", "p3"]
    assert set(review.rated["platform"]) == {"douyin", "weibo"}
    formats = review.by_format.set_index(["platform", "format"])["er_rate_of_sums"]
    assert formats[("douyin", "video")] == pytest.approx(0.05) and formats[("weibo", "text")] == pytest.approx(0.04)
    # pillar b: p2 and p3, rate of sums (20 + 10) ÷ (1000 + 250) = 2.4 %
    assert review.by_pillar.set_index("pillar").loc["b", "er_rate_of_sums"] == pytest.approx(30 / 1250)
    assert list(review.tables()) == ["top_posts", "bottom_posts", "content_by_format", "content_by_pillar"]


def test_review_posts_on_followers_uses_followers_at_posting() -> None:
    review = review_posts(_posts(), _daily(), ACCOUNTS, OCTOBER, "followers", top_n=1)
    # own_dy has 2,000 followers and own_wb 500 (their last count before posting):
    # p1 50 / 2000 = 2.5 %, p2 20 / 2000 = 1 %, p3 10 / 500 = 2 %
    assert review.base == "followers"
    assert review.best["post_id"].tolist() == ["p1"] and review.worst["post_id"].tolist() == ["p2"]
    assert review.rated.set_index("post_id")["engagement_rate"].to_dict() == pytest.approx(
        {"p1": 0.025, "p2": 0.01, "p3": 0.02})
