"""Export kinds of the Chinese platforms: WeChat Official Account, Douyin creator centre, Xiaohongshu.

Four kinds are registered at import time (detection picks them by their headers, see helpers.ingest.mapping):

- ``wechat_articles`` — 公众号后台 › 数据 › 内容分析 (图文分析), one row per article → posts.
  标题, 发表时间 (or 日期 / 发布时间 / 群发时间), 阅读人数 / 阅读次数 (older exports: 图文页阅读人数 /
  图文页阅读次数), 分享人数 / 分享次数, 收藏人数, 阅读原文人数, 在看, 点赞, 送达人数, 完读率.
  reach ← 阅读人数 (unique readers), views ← 阅读次数 (reads), shares ← 分享次数 with 分享人数 kept
  as the extra ``shares_users``, saves ← 收藏人数, likes ← 点赞, wow_count ← 在看, impressions ←
  送达人数 (delivered, when the export has it), completion_rate ← 完读率, follows ← 阅读后关注人数.
  clicks ← 阅读原文人数: the "阅读原文" link is the article's only click-out, so it is the canonical
  ``clicks`` — note it counts people, not clicks — and it is not repeated as an extra
  (``read_original_users``), so nothing is counted twice. format is "article".
- ``wechat_users`` — 用户分析 › 用户增长, one row per day → account_daily.
  时间 / 日期, 新关注人数, 取消关注人数, 净增关注人数, 累积关注人数 → followers_gained,
  followers_lost, followers_net (extra), followers (cumulative).
- ``douyin_works`` — 抖音创作者中心 › 数据中心 › 作品数据, one row per work → posts.
  作品名称, 发布时间, 体裁, 播放量 (views), 完播率 (completion_rate), 5s完播率 (completion_rate_5s),
  2s跳出率 (bounce_rate_2s), 平均播放时长 (avg_watch_s, "12.3秒" or "00:00:12"), 点赞量 / 评论量 /
  分享量 / 收藏量, 封面点击率 (cover_ctr), 主页访问量 (profile_visits), 粉丝增量 (follows).
  体裁: 视频 → short_video, 图文 → carousel, 直播 → live, 文章 → article.
- ``xiaohongshu_notes`` — 小红书创作服务平台 › 笔记数据, one row per note → posts.
  笔记标题, 首次发布时间, 体裁, 曝光 (impressions), 观看量 (views), 封面点击率 (cover_ctr),
  点赞 / 评论 / 收藏 / 分享, 涨粉 (follows), 人均观看时长 (avg_watch_s).
  体裁: 图文 → carousel (a Xiaohongshu image note is a swipeable set of up to 18 images, so it is
  a carousel, not a single image), 视频 → video.

Decisions:

- **Post ids.** None of these exports carries a post id, so one is derived from what identifies a
  post in the export: ``<prefix>`` + the first 16 hex characters of
  ``sha1(f"{account_id}|{published_at:%Y-%m-%d %H:%M}|{title}")`` with prefix "wx-", "dy-" or "xhs-".
  Re-titling a post in the back office (or an export that rounds the time differently) therefore
  makes it a *new* post on the next import — the title and the minute are the only key the export
  gives. Two rows of one file with the same id (same title in the same minute) are an
  ImportFileError naming both lines; a row without a publish time cannot get an id and is skipped
  (reported in Mapped.skipped — this also drops 合计/总计 rows).
- **Format labels.** 体裁 labels are translated per platform (canonical values such as "video" are
  accepted as they are). A label the kind does not know is an ImportFileError naming the value, the
  line and the known labels — guessing would silently put posts in the wrong format group. An
  export without the 体裁 column, or a row with it blank, gets the platform's default: short_video on
  Douyin (a video platform), carousel on Xiaohongshu (the default note type).
- **Topics** are the hashtags of the title, read by the same ``hashtags`` as every other platform
  (helpers.ingest.kinds_intl): "#话题#" pairs (Xiaohongshu's "[话题]" marker removed) and "#tag"
  words, in order, de-duplicated and joined with ";"; a title without hashtags leaves topics
  missing. pillar is missing (no export carries it); paid is False.
- Metrics a file lacks, or cells that are "-" / empty, stay missing, never 0.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from helpers.ingest.kinds_intl import hashtags
from helpers.ingest.types import ExportKind, Grid, ImportContext, ImportFileError, register

__all__ = [
    "DOUYIN_WORKS", "WECHAT_ARTICLES", "WECHAT_USERS", "XIAOHONGSHU_NOTES",
    "derive_post_ids", "hashtags", "post_id_for", "posts_defaults",
]

#: The canonical posts columns, in DESIGN.md order (others follow in mapping order).
POSTS_FRONT: tuple[str, ...] = ("post_id", "account_id", "published_at", "format", "pillar", "title",
                                "topics", "paid")


def _id_part(value: object) -> str:
    """One part of a derived post id: timestamps to the minute, missing as empty, else the text."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, dt.datetime):
        return f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"
    return str(value)


def post_id_for(prefix: str, account_id: str, *parts: object) -> str:
    """A stable post id: prefix + 16 hex chars of sha1("account_id|part|part…"), times to the minute."""
    key = "|".join([account_id, *(_id_part(p) for p in parts)])
    return prefix + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _skip(frame: pd.DataFrame, messages: list[str]) -> None:
    if messages:
        frame.attrs["skipped"] = [*frame.attrs.get("skipped", []), *messages]


def _line(frame: pd.DataFrame, i: int) -> str:
    return str(frame["_line"].iloc[i]) if "_line" in frame else str(i + 1)


def derive_post_ids(frame: pd.DataFrame, context: ImportContext, grid: Grid, prefix: str,
                    parts: Sequence[str] = ("published_at", "title")) -> pd.DataFrame:
    """Add post_id from `parts` (rows without a publish time are skipped); same id twice → ImportFileError."""
    attrs = dict(frame.attrs)
    if "published_at" in parts:
        no_time = frame["published_at"].isna().to_numpy()
        if no_time.any():
            messages = [f"{grid.where} line {_line(frame, i)}: no publish time, so no post id — row skipped"
                        + (f" ({frame['title'].iloc[i]})" if "title" in frame and isinstance(
                            frame["title"].iloc[i], str) else "")
                        for i in range(len(frame)) if no_time[i]]
            frame = frame.loc[~no_time].copy()
            frame.attrs = attrs
            _skip(frame, messages)
    columns = [frame[p].tolist() if p in frame else [None] * len(frame) for p in parts]  # one pass, not iloc per cell
    ids = [post_id_for(prefix, context.account_id, *values) for values in zip(*columns)]
    seen: dict[str, int] = {}
    for i, pid in enumerate(ids):
        if pid in seen:
            j = seen[pid]
            what = ", ".join(f"{p} {_id_part(frame[p].iloc[i])!r}" for p in parts if p in frame)
            raise ImportFileError(
                f"{grid.where}: lines {_line(frame, j)} and {_line(frame, i)} are the same post "
                f"({what}): the export has no post id, so posts are told apart by publish minute and "
                f"title. Remove the duplicate row, or give one of the posts a different title.")
        seen[pid] = i
    frame = frame.copy()
    frame.attrs = {**attrs, **frame.attrs}
    frame.insert(0, "post_id", pd.Series(ids, index=frame.index, dtype="string"))
    return frame


def posts_defaults(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill what exports do not carry: pillar missing, paid False, topics from the title; canonical order."""
    attrs = dict(frame.attrs)
    frame = frame.copy()
    if "pillar" not in frame:
        frame["pillar"] = pd.Series([None] * len(frame), index=frame.index, dtype="string")
    if "paid" not in frame:
        frame["paid"] = False
    frame["paid"] = frame["paid"].fillna(False).astype(bool)
    if "title" not in frame:
        frame["title"] = pd.Series([None] * len(frame), index=frame.index, dtype="string")
    if "topics" not in frame or frame["topics"].isna().all():
        frame["topics"] = pd.Series([hashtags(t) for t in frame["title"]], index=frame.index, dtype="string")
    if "format" in frame:
        frame["format"] = frame["format"].astype("string")
    front = [c for c in POSTS_FRONT if c in frame]
    frame = frame[front + [c for c in frame.columns if c not in front]]
    frame.attrs = attrs
    return frame


def _format_translator(platform: str, labels: Mapping[str, str], default: str
                       ) -> Callable[[pd.DataFrame, Grid], pd.DataFrame]:
    """Translate the 体裁 label in `format` (blank/absent → default; unknown → ImportFileError)."""
    from helpers.schema import POST_FORMATS

    def translate(frame: pd.DataFrame, grid: Grid) -> pd.DataFrame:
        if "format" not in frame:
            frame["format"] = default
            return frame
        out = []
        for i, label in enumerate(frame["format"]):
            if label is None or (not isinstance(label, str) and pd.isna(label)) or not str(label).strip():
                out.append(default)
                continue
            text = str(label).strip()
            fmt = labels.get(text, text if text in POST_FORMATS else None)
            if fmt is None:
                known = ", ".join(f"{k} → {v}" for k, v in labels.items())
                raise ImportFileError(
                    f"{grid.where} line {_line(frame, i)}: unknown 体裁 {text!r} for {platform} "
                    f"(known: {known}). Fix the cell, or import that post through a generic mapping.")
            out.append(fmt)
        frame["format"] = pd.Series(out, index=frame.index, dtype="string")
        return frame

    return translate


def _posts_finish(prefix: str, translate: Callable[[pd.DataFrame, Grid], pd.DataFrame] | None = None
                  ) -> Callable[[pd.DataFrame, ImportContext, Grid], pd.DataFrame]:
    def finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
        attrs = dict(frame.attrs)
        frame = frame.copy()
        frame.attrs = attrs
        if translate is not None:
            frame = translate(frame, grid)
        frame = derive_post_ids(frame, context, grid, prefix)
        return posts_defaults(frame)

    return finish


def _daily_finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
    """Drop rows without a date (e.g. a 合计 line), reported as skipped."""
    no_date = frame["date"].isna().to_numpy()
    if not no_date.any():
        return frame
    attrs = dict(frame.attrs)
    messages = [f"{grid.where} line {_line(frame, i)}: no date — row skipped"
                for i in range(len(frame)) if no_date[i]]
    frame = frame.loc[~no_date].copy()
    frame.attrs = attrs
    _skip(frame, messages)
    return frame


def _cols(**columns: str | tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {k: (v,) if isinstance(v, str) else v for k, v in columns.items()}


WECHAT_ARTICLES = ExportKind(
    name="wechat_articles",
    title="WeChat Official Account 图文分析 (per article)",
    platforms=("wechat",),
    table="posts",
    columns=_cols(
        title=("标题", "文章标题", "内容标题"),
        published_at=("发表时间", "发布时间", "群发时间", "日期"),
        reach=("阅读人数", "图文页阅读人数", "总阅读人数"),
        views=("阅读次数", "图文页阅读次数", "总阅读次数"),
        shares_users=("分享人数", "分享转发人数", "总分享人数"),
        shares=("分享次数", "分享转发次数", "总分享次数"),
        saves=("收藏人数", "微信收藏人数"),
        clicks=("阅读原文人数", "原文页阅读人数"),
        wow_count=("在看", "在看人数"),
        likes=("点赞", "点赞人数"),
        impressions=("送达人数",),
        completion_rate=("完读率", "阅读完成率"),
        follows=("阅读后关注人数",),
    ),
    required=("title", "published_at", "reach", "views"),
    parse={"published_at": "datetime", "reach": "count", "views": "count", "shares_users": "count",
           "shares": "count", "saves": "count", "clicks": "count", "wow_count": "count", "likes": "count",
           "impressions": "count", "completion_rate": "rate", "follows": "count"},
    constants={"format": "article", "paid": False},
    finish=_posts_finish("wx-"),
)

WECHAT_USERS = ExportKind(
    name="wechat_users",
    title="WeChat Official Account 用户分析 (per day)",
    platforms=("wechat",),
    table="account_daily",
    columns=_cols(
        date=("时间", "日期"),
        followers_gained=("新关注人数",),
        followers_lost=("取消关注人数",),
        followers_net=("净增关注人数",),
        followers=("累积关注人数", "累计关注人数"),
    ),
    required=("date", "followers_gained", "followers_lost", "followers"),
    parse={"date": "date", "followers_gained": "count", "followers_lost": "count",
           "followers_net": "number", "followers": "count"},
    finish=_daily_finish,
)

_DOUYIN_LABELS = {"视频": "short_video", "短视频": "short_video", "图文": "carousel", "图集": "carousel",
                  "直播": "live", "直播回放": "live", "文章": "article"}

DOUYIN_WORKS = ExportKind(
    name="douyin_works",
    title="Douyin creator centre 作品数据 (per work)",
    platforms=("douyin",),
    table="posts",
    columns=_cols(
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
    finish=_posts_finish("dy-", _format_translator("douyin", _DOUYIN_LABELS, "short_video")),
)

_XHS_LABELS = {"图文": "carousel", "视频": "video"}

XIAOHONGSHU_NOTES = ExportKind(
    name="xiaohongshu_notes",
    title="Xiaohongshu 笔记数据 (per note)",
    platforms=("xiaohongshu",),
    table="posts",
    columns=_cols(
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
    finish=_posts_finish("xhs-", _format_translator("xiaohongshu", _XHS_LABELS, "carousel")),
)

register(WECHAT_ARTICLES, WECHAT_USERS, DOUYIN_WORKS, XIAOHONGSHU_NOTES)
