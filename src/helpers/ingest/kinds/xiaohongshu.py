"""Xiaohongshu (小红书创作服务平台): the per-note export.

- ``xiaohongshu_notes`` — 小红书创作服务平台 › 笔记数据, one row per note → posts.
  笔记标题, 首次发布时间, 体裁, 曝光 (impressions), 观看量 (views), 封面点击率 (cover_ctr),
  点赞 / 评论 / 收藏 / 分享, 涨粉 (follows), 人均观看时长 (avg_watch_s).
  体裁: 图文 → carousel (a Xiaohongshu image note is a swipeable set of up to 18 images, so it is
  a carousel, not a single image), 视频 → video.
"""

from __future__ import annotations

from helpers.ingest.kinds.cn_common import format_translator, posts_finish
from helpers.ingest.kinds.common import cols
from helpers.ingest.types import ExportKind

_XHS_LABELS = {"图文": "carousel", "视频": "video"}

XIAOHONGSHU_NOTES = ExportKind(
    name="xiaohongshu_notes",
    title="Xiaohongshu 笔记数据 (per note)",
    platforms=("xiaohongshu",),
    table="posts",
    columns=cols(
        title=("笔记标题", "笔记名称"),
        published_at=("首次发布时间", "发布时间"),
        format=("体裁", "笔记类型"),
        impressions=("曝光", "曝光量"),
        views=("观看量", "观看数"),
        cover_ctr=("封面点击率",),
        likes=("点赞", "点赞量"),
        comments=("评论", "评论量"),
        saves=("收藏", "收藏量"),
        follows=("涨粉", "涨粉量"),
        shares=("分享", "分享量"),
        avg_watch_s=("人均观看时长",),
    ),
    required=("title", "published_at", "views"),
    parse={"published_at": "datetime", "impressions": "count", "views": "count", "cover_ctr": "rate",
           "likes": "count", "comments": "count", "saves": "count", "follows": "count", "shares": "count",
           "avg_watch_s": "duration"},
    constants={"paid": False},
    finish=posts_finish("xhs-", format_translator("xiaohongshu", _XHS_LABELS, "carousel")),
)

#: The kinds of this family, in registration order.
KINDS: tuple[ExportKind, ...] = (XIAOHONGSHU_NOTES,)
