"""helpers.planning.performance: what works by platform × pillar × format (hand-computed), expected performance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from helpers.errors import DataError, ParameterError
from helpers.planning.performance import expected_performance, pooled_mean_sd, what_works


@pytest.fixture
def accounts() -> pd.DataFrame:
    return pd.DataFrame({"account_id": ["dy", "xhs", "rival"], "platform": ["douyin", "xiaohongshu", "douyin"],
                         "owner": ["own", "own", "competitor"]})


@pytest.fixture
def posts() -> pd.DataFrame:
    # Only likes are reported, so ER by impressions = likes ÷ impressions per post.
    rows = [
        # account, pillar, format, likes, impressions, completion_rate
        ("dy", "教程", "short_video", 100, 1000, 0.5),      # ER 0.10
        ("dy", "教程", "short_video", 200, 1000, 0.6),      # ER 0.20
        ("dy", "教程", "short_video", 900, 3000, 0.7),      # ER 0.30
        ("dy", "教程", "live", 50, 1000, np.nan),           # ER 0.05, live without completion data
        ("xhs", "成分科普", "carousel", 40, 1000, 0.9),      # ER 0.04 (completion on a carousel is ignored)
        ("xhs", "成分科普", "carousel", 120, 2000, np.nan),  # ER 0.06
        ("xhs", "成分科普", "carousel", np.nan, 1000, np.nan),  # likes missing → no rate, never 0
        ("rival", "教程", "short_video", 999, 1000, 0.9),   # a competitor: not in the own history
    ]
    frame = pd.DataFrame(rows, columns=["account_id", "pillar", "format", "likes", "impressions", "completion_rate"])
    frame.insert(0, "post_id", [f"p{i}" for i in range(len(frame))])
    frame["published_at"] = pd.Timestamp("2026-10-01 20:00")
    return frame


@pytest.fixture
def table(posts: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    return what_works(posts, accounts, min_posts=3)


def _row(table: pd.DataFrame, platform: str, pillar: str, fmt: str) -> pd.Series:
    hit = table[(table["platform"] == platform) & (table["pillar"] == pillar) & (table["format"] == fmt)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_mean_of_rates_with_t_interval_and_rate_of_sums(table: pd.DataFrame) -> None:
    row = _row(table, "douyin", "教程", "short_video")
    # rates 0.1, 0.2, 0.3: mean 0.2, SD 0.1, t(0.975, 2) = 4.303 → ± 4.303 · 0.1/√3
    half = 4.302652729911275 * 0.1 / np.sqrt(3)
    assert row["er_mean_of_rates"] == pytest.approx(0.2)
    assert (row["er_ci_low"], row["er_ci_high"]) == pytest.approx((0.2 - half, 0.2 + half))
    # rate of sums = (100 + 200 + 900) ÷ (1000 + 1000 + 3000) = 0.24, not the mean of rates
    assert row["er_rate_of_sums"] == pytest.approx(0.24)
    assert row["er_base"] == "impressions"
    assert row["posts"] == 3 and row["reliable"]


def test_platform_joined_from_accounts_and_competitors_left_out(table: pd.DataFrame) -> None:
    assert set(table["platform"]) == {"douyin", "xiaohongshu"}
    # the rival's ER 0.999 would lift douyin short_video; it is not own history
    assert _row(table, "douyin", "教程", "short_video")["posts"] == 3


def test_index_against_platform_mean_of_rates(table: pd.DataFrame) -> None:
    # douyin posts' rates 0.1, 0.2, 0.3, 0.05 → platform mean 0.1625
    row = _row(table, "douyin", "教程", "short_video")
    assert row["platform_er_mean"] == pytest.approx(0.1625)
    assert row["er_index"] == pytest.approx(0.2 / 0.1625)


def test_thin_groups_flagged_not_dropped_and_missing_rate_not_zero(table: pd.DataFrame) -> None:
    live = _row(table, "douyin", "教程", "live")
    assert live["posts"] == 1 and not live["reliable"]
    assert np.isnan(live["er_ci_low"])
    carousel = _row(table, "xiaohongshu", "成分科普", "carousel")
    # three posts, but one has no likes: two rates (0.04, 0.06), mean 0.05 — not (0.04 + 0.06 + 0) / 3
    assert (carousel["posts"], carousel["posts_with_rate"]) == (3, 2)
    assert carousel["er_mean_of_rates"] == pytest.approx(0.05)
    assert not carousel["reliable"]


def test_completion_rate_for_video_only(table: pd.DataFrame) -> None:
    video = _row(table, "douyin", "教程", "short_video")
    half = 4.302652729911275 * 0.1 / np.sqrt(3)
    assert video["completion_rate_mean"] == pytest.approx(0.6)
    assert (video["completion_ci_low"], video["completion_ci_high"]) == pytest.approx((0.6 - half, 0.6 + half))
    assert np.isnan(_row(table, "xiaohongshu", "成分科普", "carousel")["completion_rate_mean"])
    live = _row(table, "douyin", "教程", "live")
    assert live["completion_posts"] == 0 and np.isnan(live["completion_rate_mean"])


def test_other_base_and_owner_none(posts: pd.DataFrame, accounts: pd.DataFrame) -> None:
    everyone = what_works(posts, accounts, by=("platform",), owner=None)
    douyin = everyone[everyone["platform"] == "douyin"].iloc[0]
    assert douyin["posts"] == 5
    no_reach = what_works(posts, accounts, base="reach")
    # no reach column: every rate is missing, none is invented
    assert no_reach["posts_with_rate"].sum() == 0
    assert (no_reach["er_base"] == "reach").all()


def test_bad_input(posts: pd.DataFrame, accounts: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="not in accounts"):
        what_works(posts, accounts[accounts["account_id"] != "dy"])
    with pytest.raises(DataError, match="No posts"):
        what_works(posts[posts["account_id"] == "rival"], accounts)
    with pytest.raises(ParameterError, match="min_posts"):
        what_works(posts, accounts, min_posts=0)
    with pytest.raises(ParameterError, match="er_base"):
        what_works(posts, accounts, base="likes")


def test_expected_performance_uses_the_finest_reliable_level(table: pd.DataFrame) -> None:
    exact = expected_performance(table, "教程", "short_video", "douyin")
    assert exact.level == "pillar×format×platform"
    assert (exact.er, exact.posts, exact.reliable) == (pytest.approx(0.2), 3, True)
    assert exact.index == pytest.approx(0.2 / 0.1625)


def test_expected_performance_falls_back_to_pillar_then_platform(table: pd.DataFrame) -> None:
    rates = np.array([0.1, 0.2, 0.3, 0.05])
    t_low, t_high = stats.t.interval(0.95, 3, loc=rates.mean(), scale=stats.sem(rates))
    # live has one post (< min_posts 3): the pillar on the platform pools all four douyin 教程 posts
    thin = expected_performance(table, "教程", "live", "douyin")
    assert thin.level == "pillar×platform" and thin.posts == 4
    assert (thin.er, thin.ci_low, thin.ci_high) == pytest.approx((0.1625, t_low, t_high))
    # a format never posted falls back the same way
    assert expected_performance(table, "教程", "carousel", "douyin").level == "pillar×platform"
    # a pillar never posted on douyin: the platform level
    unseen = expected_performance(table, "成分科普", "carousel", "douyin")
    assert unseen.level == "platform" and unseen.er == pytest.approx(0.1625) and unseen.index == pytest.approx(1.0)
    # a missing pillar also goes to the platform level
    assert expected_performance(table, None, "short_video", "douyin").level == "platform"


def test_expected_performance_thin_platform_and_no_history(table: pd.DataFrame) -> None:
    thin = expected_performance(table, "成分科普", "carousel", "xiaohongshu")
    # two rated posts: every level is thin, so the platform level is used and flagged
    assert thin.level == "platform" and thin.posts == 2 and not thin.reliable
    assert thin.er == pytest.approx(0.05)
    none = expected_performance(table, "教程", "short_video", "bilibili")
    assert none.level == "none" and np.isnan(none.er) and none.posts == 0


def test_expected_performance_needs_the_default_keys(posts: pd.DataFrame, accounts: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="pillar"):
        expected_performance(what_works(posts, accounts, by=("platform", "format")), "教程", "live", "douyin")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=8), min_size=1, max_size=6))
def test_pooled_mean_sd_equals_the_statistics_of_the_union(groups: list[list[float]]) -> None:
    values = np.concatenate([np.array(g) for g in groups])
    sds = [np.std(g, ddof=1) if len(g) > 1 else np.nan for g in groups]
    n, mean, sd = pooled_mean_sd([len(g) for g in groups], [np.mean(g) for g in groups], sds)
    assert n == len(values)
    assert mean == pytest.approx(values.mean(), abs=1e-12)
    if len(values) > 1:
        assert sd == pytest.approx(np.std(values, ddof=1), abs=1e-9)
    else:
        assert np.isnan(sd)


# ----------------------------------------------------------------------------------------------
# Sample data: planted effects
# ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample(sample_dir: Path) -> dict[str, pd.DataFrame]:
    from helpers.data import load_tables

    return load_tables(["accounts", "posts"], sample_dir)


def test_sample_pooled_levels_match_a_direct_grouping(sample: dict[str, pd.DataFrame]) -> None:
    fine = what_works(sample["posts"], sample["accounts"])
    coarse = what_works(sample["posts"], sample["accounts"], by=("platform", "pillar"))
    direct = coarse[(coarse["platform"] == "weibo") & (coarse["pillar"] == "教程")].iloc[0]
    pooled = expected_performance(fine, "教程", "carousel", "weibo")  # weibo has no carousel
    assert pooled.level == "pillar×platform"
    assert (pooled.er, pooled.ci_low, pooled.ci_high) == pytest.approx(
        (direct["er_mean_of_rates"], direct["er_ci_low"], direct["er_ci_high"]))


def test_sample_planted_format_and_pillar(sample: dict[str, pd.DataFrame]) -> None:
    by_format = what_works(sample["posts"], sample["accounts"], by=("platform", "format")).set_index(
        ["platform", "format"])
    ratio = by_format.loc[("douyin", "short_video"), "er_mean_of_rates"] / by_format.loc[
        ("douyin", "live"), "er_mean_of_rates"]
    assert 1.15 < ratio < 1.45  # planted 1.3×
    by_pillar = what_works(sample["posts"], sample["accounts"], by=("platform", "pillar"))
    neglected = by_pillar[by_pillar["pillar"] == "成分科普"]
    assert len(neglected) == 4 and (neglected["er_index"] > 1.2).all()  # planted 1.4× on every platform
    assert (neglected["posts"] < 60).all()  # but rarely posted
    # completion rate is reported for video formats only
    assert by_format.loc[("douyin", "short_video"), "completion_posts"] > 100
    assert np.isnan(by_format.loc[("wechat", "article"), "completion_rate_mean"])
