"""Multi-platform adaptation: each platform's format and length conventions, and what is re-cut from what."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.errors import ParameterError
from helpers.planning.adapt import ADAPT_COLUMNS, CONVENTIONS, adapt_story, adapt_topic
from helpers.schema import PLATFORMS, POST_FORMATS


def test_conventions_cover_every_platform():
    assert set(CONVENTIONS) == set(PLATFORMS)
    assert all(c.format in POST_FORMATS for c in CONVENTIONS.values())
    assert repr(CONVENTIONS["weibo"]) == "Convention(weibo: image, ~200 characters + 3–9 images)"


def test_long_video_becomes_clips_and_explainers():
    table = adapt_topic("618囤货直播回放", "品牌活动", "video",
                        ["weibo", "xiaohongshu", "douyin", "bilibili", "wechat"]).set_index("platform")
    assert list(table.reset_index().columns) == list(ADAPT_COLUMNS)
    assert table.loc["weibo", "format"] == "image" and "~200 characters" in table.loc["weibo", "length"]
    assert table.loc["xiaohongshu", "format"] == "carousel" and "~800 characters" in table.loc["xiaohongshu", "length"]
    assert "cover" in table.loc["xiaohongshu", "length"]
    assert table.loc["douyin", "format"] == "short_video" and table.loc["douyin", "length"].startswith("15–60 s")
    assert table.loc["douyin", "derived_from"] == "short clips cut from the long video"
    assert "text/image explainer" in table.loc["weibo", "derived_from"]
    assert "text/image explainer" in table.loc["xiaohongshu", "derived_from"]
    assert table.loc["bilibili", "format"] == "video" and table.loc["bilibili", "length"].startswith("5–15 min")
    assert table.loc["bilibili", "derived_from"].startswith("the original long video")
    assert table.loc["wechat", "format"] == "article" and table.loc["wechat", "length"] == "1,500–2,500 characters"
    assert table["version"].str.contains("“618囤货直播回放”").all()


@pytest.mark.parametrize(("source", "platform", "words"), [
    ("live", "douyin", "short clips cut from the live replay"),
    ("live", "youtube", "the live replay, edited"),
    ("article", "douyin", "short video scripted from the key points of the article"),
    ("article", "weibo", "image/carousel version of the article"),
    ("short_video", "bilibili", "expanded long video"),
    ("carousel", "tiktok", "slideshow video"),
    ("text", "wechat", "expanded text version"),
    ("image", "xiaohongshu", "re-arranged as a carousel"),
])
def test_recut_sources(source, platform, words):
    assert words in adapt_topic("话题", "教程", source, [platform])["derived_from"].item()


def test_global_platforms_and_duplicates():
    table = adapt_topic("Glow routine", "tutorial", "video", ["tiktok", "instagram", "youtube", "x", "linkedin", "x"])
    assert table["platform"].tolist() == ["tiktok", "instagram", "youtube", "x", "linkedin"]
    assert table.set_index("platform").loc["x", "length"].startswith("≤ 280 characters")


@pytest.mark.parametrize(("args", "words"), [
    (("话题", "教程", "video", ["weibo", "myspace"]), ["myspace", "known:", "xiaohongshu", "linkedin"]),
    (("话题", "教程", "podcast", ["weibo"]), ["source_format", "short_video"]),
    (("话题", "教程", "video", []), ["platforms is empty"]),
    (("  ", "教程", "video", ["weibo"]), ["topic"]),
])
def test_bad_input(args, words):
    with pytest.raises(ParameterError) as err:
        adapt_topic(*args)
    for word in words:
        assert word in str(err.value)


def test_adapt_story_from_a_calendar_slot_or_none():
    story = pd.Series({"topic": "双12直播", "pillar": "产品种草", "format": "live", "platform": "douyin"})
    pd.testing.assert_frame_equal(adapt_story(story, ["weibo", "wechat"]),
                                  adapt_topic("双12直播", "产品种草", "live", ["weibo", "wechat"]))
    empty = adapt_story(None, ["weibo"])
    assert empty.empty and list(empty.columns) == list(ADAPT_COLUMNS)
