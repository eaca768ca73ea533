"""WeChat Official Account (公众号后台): the per-article and the per-day user exports.

- ``wechat_articles`` — 公众号后台 › 数据 › 内容分析 (图文分析), one row per article → posts.
  标题, 发表时间 (or 日期 / 发布时间 / 群发时间), 阅读人数 / 阅读次数 (older exports: 图文页阅读人数 /
  图文页阅读次数), 分享人数 / 分享次数, 收藏人数, 阅读原文人数, 在看, 点赞, 送达人数, 完读率.
  reach ← 阅读人数 (unique readers), views ← 阅读次数 (reads), shares ← 分享次数 with 分享人数 kept
  as the extra ``shares_users``, saves ← 收藏人数, likes ← 点赞, wow_count ← 在看, impressions ←
  送达人数 (delivered, when the export has it), completion_rate ← 完读率, follows ← 阅读后关注人数.
  link ← 内容url, and the post id comes from it when present ("wx-<mid>-<idx>", see `article_id`):
  it survives a retitle, where the derived id (minute + title) does not.
  clicks ← 阅读原文人数: the "阅读原文" link is the article's only click-out, so it is the canonical
  ``clicks`` — note it counts people, not clicks — and it is not repeated as an extra
  (``read_original_users``), so nothing is counted twice. format is "article".
- ``wechat_users`` — 用户分析 › 用户增长, one row per day → account_daily.
  时间 / 日期, 新关注人数, 取消关注人数, 净增关注人数, 累积关注人数 → followers_gained,
  followers_lost, followers_net (extra), followers (cumulative).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pandas as pd

from helpers.ingest.kinds.cn_common import posts_finish, skip_undated
from helpers.ingest.kinds.common import cols, is_missing
from helpers.ingest.types import ExportKind, Grid, ImportContext

_SHORT_LINK = re.compile(r"/s/([A-Za-z0-9_-]{8,})")


def article_id(url: object) -> str | None:
    """A WeChat article's id from its link: "wx-<mid>-<idx>" (…/s?__biz=…&mid=…&idx=…) or "wx-<token>" (/s/token).

    >>> article_id("https://mp.weixin.qq.com/s?__biz=MzA5&mid=2247565667&idx=1&sn=61d0"), article_id("-")
    ('wx-2247565667-1', None)
    """
    if is_missing(url):
        return None
    parts = urlsplit(str(url).strip())
    query = parse_qs(parts.query)
    if query.get("mid") and query.get("idx"):
        return f"wx-{query['mid'][0]}-{query['idx'][0]}"
    short = _SHORT_LINK.search(parts.path)
    return f"wx-{short.group(1)}" if short else None


_derived_ids = posts_finish("wx-")


def _articles_finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
    """Post ids from 内容url where the export has it (they survive a retitle), else from minute and title."""
    frame = _derived_ids(frame, context, grid)
    if "link" not in frame:
        return frame
    attrs = dict(frame.attrs)
    from_link = [article_id(link) for link in frame["link"]]
    frame = frame.assign(post_id=pd.Series([own or derived for own, derived in zip(from_link, frame["post_id"],
                                                                                  strict=True)],
                                           index=frame.index, dtype="string"))
    frame.attrs = attrs
    return frame

WECHAT_ARTICLES = ExportKind(
    name="wechat_articles",
    title="WeChat Official Account 图文分析 (per article)",
    platforms=("wechat",),
    table="posts",
    columns=cols(
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
        link=("内容url", "内容URL", "文章链接", "原文链接"),
    ),
    required=("title", "published_at", "reach", "views"),
    parse={"published_at": "datetime", "reach": "count", "views": "count", "shares_users": "count",
           "shares": "count", "saves": "count", "clicks": "count", "wow_count": "count", "likes": "count",
           "impressions": "count", "completion_rate": "rate", "follows": "count"},
    constants={"format": "article", "paid": False},
    finish=_articles_finish,
)

WECHAT_USERS = ExportKind(
    name="wechat_users",
    title="WeChat Official Account 用户分析 (per day)",
    platforms=("wechat",),
    table="account_daily",
    columns=cols(
        date=("时间", "日期"),
        followers_gained=("新关注人数",),
        followers_lost=("取消关注人数",),
        followers_net=("净增关注人数",),
        followers=("累积关注人数", "累计关注人数"),
    ),
    required=("date", "followers_gained", "followers_lost", "followers"),
    parse={"date": "date", "followers_gained": "count", "followers_lost": "count",
           "followers_net": "number", "followers": "count"},
    finish=skip_undated,
)

#: The kinds of this family, in registration order.
KINDS: tuple[ExportKind, ...] = (WECHAT_ARTICLES, WECHAT_USERS)
