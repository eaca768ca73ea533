"""helpers.planning.topics: expected performance × strategic weight, rank per platform, reasons from the numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.errors import DataError, ParameterError
from helpers.planning.performance import what_works
from helpers.planning.topics import score_topics
from helpers.sample import PLANTED


@pytest.fixture
def table() -> pd.DataFrame:
    accounts = pd.DataFrame({"account_id": ["dy"], "platform": ["douyin"], "owner": ["own"]})
    # ER = likes ÷ 1000: 教程 short_video 0.10, 0.20, 0.30; 教程 live 0.05 → platform mean 0.1625
    posts = pd.DataFrame({"post_id": ["a", "b", "c", "d"], "account_id": "dy",
                          "published_at": pd.Timestamp("2026-10-01 20:00"), "pillar": "教程",
                          "format": ["short_video"] * 3 + ["live"], "likes": [100, 200, 300, 50],
                          "impressions": 1000.0})
    return what_works(posts, accounts, min_posts=3)


@pytest.fixture
def bank() -> pd.DataFrame:
    return pd.DataFrame({"topic": ["防晒补涂技巧", "新品首发直播", "烟酰胺浓度怎么选"],
                         "pillar": ["教程", "教程", "成分科普"],
                         "format": ["short_video", "live", "carousel"],
                         "strategic_weight": [2.0, np.nan, 0.5]})


def _by_topic(scored: pd.DataFrame) -> pd.DataFrame:
    return scored.set_index("topic")


def test_score_is_expected_index_times_weight(table: pd.DataFrame, bank: pd.DataFrame) -> None:
    scored = _by_topic(score_topics(bank, table))
    # 防晒: ER 0.20 (3 posts) ÷ 0.1625 = 1.2308 × 2.0
    assert scored.loc["防晒补涂技巧", "score"] == pytest.approx(0.2 / 0.1625 * 2.0)
    assert scored.loc["防晒补涂技巧", "level"] == "pillar×format×platform"
    # 直播: live has 1 post (< 3) → pillar 教程 on douyin, 0.1625 → index 1.0 × missing weight 1.0
    assert scored.loc["新品首发直播", "expected_er"] == pytest.approx(0.1625)
    assert scored.loc["新品首发直播", "level"] == "pillar×platform"
    assert scored.loc["新品首发直播", "score"] == pytest.approx(1.0)
    assert scored.loc["新品首发直播", "strategic_weight"] == 1.0 and not scored.loc["新品首发直播", "weight_given"]
    # 烟酰胺: pillar never posted on douyin → platform mean, index 1.0 × 0.5
    assert scored.loc["烟酰胺浓度怎么选", "level"] == "platform"
    assert scored.loc["烟酰胺浓度怎么选", "score"] == pytest.approx(0.5)
    assert scored["rank"].to_dict() == {"防晒补涂技巧": 1, "新品首发直播": 2, "烟酰胺浓度怎么选": 3}


def test_reason_is_built_from_the_numbers(table: pd.DataFrame, bank: pd.DataFrame) -> None:
    reasons = _by_topic(score_topics(bank, table))["reason"]
    assert reasons["防晒补涂技巧"].startswith("防晒补涂技巧 — 教程 short video on Douyin: ER 20.0% by impressions "
                                          "(1.23× platform mean, 3 posts) × weight 2")
    assert "= score 2.46" in reasons["防晒补涂技巧"]
    assert "none given, neutral" in reasons["新品首发直播"]
    assert "estimate from pillar" in reasons["新品首发直播"]
    assert "4 posts at pillar level" in reasons["新品首发直播"]
    assert "no own carousel posts on Douyin yet" in reasons["烟酰胺浓度怎么选"]
    assert "adapt" not in reasons["防晒补涂技巧"]


def test_format_fit_says_whether_the_platform_has_posts_in_the_format(table: pd.DataFrame, bank: pd.DataFrame) -> None:
    fit = _by_topic(score_topics(bank, table))["format_fit"].to_dict()
    assert fit == {"防晒补涂技巧": True, "新品首发直播": True, "烟酰胺浓度怎么选": False}


def test_ranks_are_per_platform_and_platforms_without_history_rank_last(table: pd.DataFrame,
                                                                         bank: pd.DataFrame) -> None:
    scored = score_topics(bank, table, platforms=["douyin", "bilibili"])
    bilibili = scored[scored["platform"] == "bilibili"]
    assert len(bilibili) == 3 and (bilibili["level"] == "none").all() and bilibili["score"].isna().all()
    assert sorted(bilibili["rank"]) == [1, 2, 3]
    assert bilibili["reason"].str.contains("no own posts").all()
    assert sorted(scored.loc[scored["platform"] == "douyin", "rank"]) == [1, 2, 3]


def test_missing_weight_column_means_neutral(table: pd.DataFrame, bank: pd.DataFrame) -> None:
    scored = score_topics(bank.drop(columns="strategic_weight"), table)
    assert (scored["strategic_weight"] == 1.0).all() and not scored["weight_given"].any()


def test_bad_topic_bank(table: pd.DataFrame, bank: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="topic bank is empty"):
        score_topics(bank.iloc[0:0], table)
    with pytest.raises(DataError, match="format"):
        score_topics(bank.drop(columns="format"), table)
    with pytest.raises(DataError, match="must be numbers"):
        score_topics(bank.assign(strategic_weight=["high", 1, 1]), table)
    with pytest.raises(DataError, match="≥ 0"):
        score_topics(bank.assign(strategic_weight=[-1, 1, 1]), table)
    with pytest.raises(ParameterError, match="No platforms"):
        score_topics(bank, table, platforms=[])


def test_sample_neglected_pillar_tops_the_ranking(sample_dir: Path) -> None:
    from helpers.data import load_tables

    t = load_tables(["accounts", "posts", "topic_bank"], sample_dir)
    scored = score_topics(t["topic_bank"], what_works(t["posts"], t["accounts"]))
    assert len(scored) == 4 * len(t["topic_bank"])
    # 成分科普 earns 1.4× per impression and the bank weights it highly: it leads on douyin and xiaohongshu
    for platform in ("douyin", "xiaohongshu"):
        top = scored[scored["platform"] == platform].nsmallest(5, "rank")
        assert (top["pillar"] == PLANTED.neglected_topic).all()
        assert (top["er_index"] > 1.2).all()
