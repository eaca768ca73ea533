"""Douyin creator centre (抖音创作者中心): the per-work export.

- ``douyin_works`` — 抖音创作者中心 › 数据中心 › 作品数据, one row per work → posts.
  作品名称, 发布时间, 体裁, 播放量 (views), 完播率 (completion_rate), 5s完播率 (completion_rate_5s),
  2s跳出率 (bounce_rate_2s), 平均播放时长 (avg_watch_s, "12.3秒" or "00:00:12"), 点赞量 / 评论量 /
  分享量 / 收藏量, 封面点击率 (cover_ctr), 主页访问量 (profile_visits), 粉丝增量 (follows).
  体裁: 视频 → short_video, 图文 → carousel, 直播 → live, 文章 → article.
"""

from __future__ import annotations

from helpers.ingest.kinds.cn_common import format_translator, posts_finish
from helpers.ingest.kinds.common import cols
from helpers.ingest.types import ExportKind

_DOUYIN_LABELS = {"视频": "short_video", "短视频": "short_video", "图文": "carousel", "图集": "carousel",
                  "直播": "live", "直播回放": "live", "文章": "article"}

DOUYIN_WORKS = ExportKind(
    name="douyin_works",
    title="Douyin creator centre 作品数据 (per work)",
    platforms=("douyin",),
    table="posts",
    columns=cols(
        title=("作品名称", "作品标题", "作品描述"),
        published_at=("发布时间",),
        format=("体裁", "作品体裁"),
        views=("播放量",),
        completion_rate=("完播率",),
        completion_rate_5s=("5s完播率", "5秒完播率"),
        bounce_rate_2s=("2s跳出率", "2秒跳出率"),
        avg_watch_s=("平均播放时长",),
        likes=("点赞量",),
        comments=("评论量",),
        shares=("分享量",),
        saves=("收藏量",),
        cover_ctr=("封面点击率",),
        profile_visits=("主页访问量",),
        follows=("粉丝增量",),
    ),
    required=("title", "published_at", "views"),
    parse={"published_at": "datetime", "views": "count", "completion_rate": "rate",
           "completion_rate_5s": "rate", "bounce_rate_2s": "rate", "avg_watch_s": "duration",
           "likes": "count", "comments": "count", "shares": "count", "saves": "count",
           "cover_ctr": "rate", "profile_visits": "count", "follows": "count"},
    constants={"paid": False},
    finish=posts_finish("dy-", format_translator("douyin", _DOUYIN_LABELS, "short_video")),
)

#: The kinds of this family, in registration order.
KINDS: tuple[ExportKind, ...] = (DOUYIN_WORKS,)
