"""helpers.content: engagement, engagement rate by base, top posts, per-group tables (hand-computed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.content import mean_interval, performance_by, post_engagements, top_posts, with_engagement_rate
from helpers.errors import ParameterError


@pytest.fixture
def posts() -> pd.DataFrame:
    return pd.DataFrame({
        "post_id": ["p1", "p2", "p3", "p4"],
        "account_id": ["a", "a", "a", "b"],
        "published_at": pd.to_datetime(["2026-10-01 20:00", "2026-10-03 09:00", "2026-10-03 21:00",
                                         "2026-10-02 12:00"]),
        "format": ["video", "image", "video", "image"],
        "title": ["<限定>开箱", "教程", "测评", "种草"],
        "likes": [80, 10, 30, np.nan],
        "comments": [10, 5, 10, np.nan],
        "shares": [5, 0, 5, np.nan],
        "saves": [5, 0, 5, np.nan],
        "impressions": [1000, 500, 1000, 800],
    })


@pytest.fixture
def daily() -> pd.DataFrame:
    return pd.DataFrame({
        "account_id": ["a", "a", "b"],
        "date": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-10-01"]),
        "followers": [2000, 2500, 1000],
    })


def test_engagements_sum_reported_components(posts: pd.DataFrame) -> None:
    # p1 = 80+10+5+5 = 100; p2 = 10+5+0+0 = 15; p3 = 30+10+5+5 = 50; p4 (account b) reports nothing → missing
    result = post_engagements(posts)
    assert result.tolist()[:3] == [100, 15, 50]
    assert np.isnan(result.iloc[3])


def test_a_gap_in_a_reported_component_makes_the_post_missing(posts: pd.DataFrame) -> None:
    # account a reports saves, so p2 without saves is unknown, not 10+5+0
    gappy = posts.assign(saves=[5, np.nan, 5, np.nan])
    assert np.isnan(post_engagements(gappy).iloc[1])


def test_component_an_account_never_reports_is_left_out() -> None:
    weibo = pd.DataFrame({"account_id": ["w", "w"], "likes": [10, 20], "comments": [1, 2], "shares": [0, 3],
                          "saves": [np.nan, np.nan]})
    # saves never reported by w: 10+1+0 = 11, 20+2+3 = 25
    assert post_engagements(weibo).tolist() == [11, 25]


def test_engagement_rate_by_impressions(posts: pd.DataFrame) -> None:
    out = with_engagement_rate(posts, base="impressions")
    # 100/1000 = 0.10, 15/500 = 0.03, 50/1000 = 0.05, missing engagements → missing rate
    assert out["engagement_rate"].tolist()[:3] == pytest.approx([0.10, 0.03, 0.05])
    assert np.isnan(out["engagement_rate"].iloc[3])


def test_engagement_rate_by_followers_at_posting(posts: pd.DataFrame, daily: pd.DataFrame) -> None:
    out = with_engagement_rate(posts, daily, base="followers")
    # p1 on 10-01 → 2000 followers; p2, p3 on 10-03 → latest earlier day 10-02 → 2500
    assert out["er_base_value"].tolist()[:3] == [2000, 2500, 2500]
    assert out["engagement_rate"].tolist()[:3] == pytest.approx([100 / 2000, 15 / 2500, 50 / 2500])


def test_unknown_base_is_a_parameter_error(posts: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match="er_base"):
        with_engagement_rate(posts, base="likes")


def test_top_and_bottom_posts(posts: pd.DataFrame) -> None:
    rated = with_engagement_rate(posts)
    assert top_posts(rated, n=2)["post_id"].tolist() == ["p1", "p3"]
    assert top_posts(rated, n=1, bottom=True)["post_id"].tolist() == ["p2"]


def test_performance_by_reports_rate_of_sums_and_mean_of_rates(posts: pd.DataFrame) -> None:
    table = performance_by(with_engagement_rate(posts), ["format"]).set_index("format")
    video = table.loc["video"]
    # rate of sums: (100+50)/(1000+1000) = 0.075; mean of rates: (0.10+0.05)/2 = 0.075
    assert video["er_rate_of_sums"] == pytest.approx(0.075)
    image = table.loc["image"]
    # image: only p2 has a rate (p4 engagements missing) → 15/500 = 0.03 both ways; 2 posts, 1 rated
    assert (image["posts"], image["posts_with_rate"]) == (2, 1)
    assert image["er_rate_of_sums"] == pytest.approx(0.03)
    assert np.isnan(image["er_ci_low"])  # one value: no interval


def test_rate_of_sums_differs_from_mean_of_rates() -> None:
    frame = pd.DataFrame({"format": ["v", "v"], "engagements": [10.0, 500.0],
                          "er_base_value": [100.0, 10000.0], "engagement_rate": [0.10, 0.05]})
    row = performance_by(frame, ["format"]).iloc[0]
    # rate of sums = 510/10100 = 0.050495; mean of rates = 0.075
    assert row["er_rate_of_sums"] == pytest.approx(510 / 10100)
    assert row["er_mean_of_rates"] == pytest.approx(0.075)


def test_mean_interval_matches_hand_t_interval() -> None:
    values = pd.Series([0.02, 0.04, 0.06])
    # mean 0.04, sd 0.02, se 0.02/sqrt(3) = 0.011547; t(0.975, 2) = 4.302653
    low, high = mean_interval(values)
    assert low == pytest.approx(0.04 - 4.302653 * 0.011547, abs=1e-6)
    assert high == pytest.approx(0.04 + 4.302653 * 0.011547, abs=1e-6)
    assert stats.t.ppf(0.975, 2) == pytest.approx(4.302653, abs=1e-6)


def test_engagement_rate_on_chosen_components_only(posts: pd.DataFrame) -> None:
    # likes + comments + shares only: p1 = 80+10+5 = 95, p2 = 10+5+0 = 15, p3 = 30+10+5 = 45
    out = with_engagement_rate(posts, base="impressions", components=("likes", "comments", "shares"))
    assert out["engagements"].tolist()[:3] == [95, 15, 45]
    assert out["engagement_rate"].tolist()[:3] == pytest.approx([0.095, 0.03, 0.045])
    assert np.isnan(out["engagements"].iloc[3])  # account b reports nothing: still missing, not 0


def test_engagement_rate_default_components_unchanged(posts: pd.DataFrame) -> None:
    default = with_engagement_rate(posts, base="impressions")
    explicit = with_engagement_rate(posts, base="impressions", components=("likes", "comments", "shares", "saves"))
    pd.testing.assert_frame_equal(default, explicit)
    assert default["engagements"].tolist()[:3] == [100, 15, 50]


def test_engagement_components_must_be_a_list(posts: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match="components"):
        with_engagement_rate(posts, components=())
    with pytest.raises(ParameterError, match="components"):
        with_engagement_rate(posts, components="likes")
    with pytest.raises(ParameterError, match="none of the engagement columns"):
        with_engagement_rate(posts, components=("reposts",))
