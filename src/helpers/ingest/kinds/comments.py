"""Comment exports → the comments table (issue 18: voice of the customer).

- ``mediacrawler_comments`` — the comment files the open-source crawler MediaCrawler writes for Douyin,
  Xiaohongshu, Bilibili and Weibo (column names only, as published in its store layer): comment_id,
  create_time (epoch seconds; Xiaohongshu in milliseconds), content, the post's id (aweme_id /
  note_id / video_id), user_id, like_count (Weibo: comment_like_count), parent_comment_id ("0" or
  empty for a top-level comment). ip_location, nickname, avatar, signature and the other profile
  columns are not imported.
- ``douyin_comments_cn`` — the Chinese-headed files of DouyinComments-style scrapers: 评论ID, 评论内容,
  点赞数, 评论时间 (a datetime string or an epoch), 用户抖音号 (the user id); 用户昵称, 用户主页链接,
  用户签名, 评论图片 and 回复总数 are not imported.

Both: created_at accepts epoch seconds (10 digits), epoch milliseconds (13 digits), or any datetime
text the importers read (naive = the account's local time); an epoch is a UTC instant and becomes the
account's local time. A row with a parent becomes a ``reply``, the others ``comment``. Nicknames are
never a user id here: both exports carry one.
"""

from __future__ import annotations

import pandas as pd

from helpers.ingest.kinds.common import cols
from helpers.ingest.types import ExportKind, Grid, ImportContext, ImportFileError
from helpers.ingest.values import parse_values

#: Parent ids that mean "no parent" in crawler exports.
NO_PARENT: frozenset[str] = frozenset({"0", ""})
_EPOCH_S = r"\d{9,10}"
_EPOCH_MS = r"\d{12,13}"


def comment_times(texts: pd.Series, context: ImportContext, where: str, lines: pd.Series | None = None
                  ) -> pd.Series:
    """Naive local times from epoch seconds / ms (UTC instants) or datetime text; ImportFileError if neither."""
    raw = texts.astype("string").str.strip()
    seconds = raw.str.fullmatch(_EPOCH_S).fillna(False).to_numpy(dtype=bool)
    millis = raw.str.fullmatch(_EPOCH_MS).fillna(False).to_numpy(dtype=bool)
    out = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns]")
    for mask, unit in ((seconds, "s"), (millis, "ms")):
        if mask.any():
            utc = pd.to_datetime(raw[mask].astype("int64"), unit=unit, utc=True)
            out[mask] = utc.dt.tz_convert(context.timezone).dt.tz_localize(None).to_numpy()
    rest = ~(seconds | millis) & raw.notna().to_numpy(dtype=bool) & (raw != "").fillna(False).to_numpy(dtype=bool)
    if rest.any():
        values, bad = parse_values(raw[rest].astype(object), "datetime", reference=context.reference,
                                   timezone=context.timezone)
        if bad.any():
            at = lines[rest][bad.to_numpy()] if lines is not None else pd.Series(bad[bad].index + 1)
            examples = ", ".join(repr(v) for v in raw[rest][bad.to_numpy()].head(3))
            raise ImportFileError(f"{where}: comment time not readable on line(s) {at.head(5).tolist()} "
                                  f"({examples}); expected epoch seconds, epoch milliseconds or a date and time "
                                  "such as 2026-10-21 20:15")
        out[rest] = values.to_numpy()
    return out


def finish_comments(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
    """Times read (epoch or text), "0" parents dropped, source set (reply with a parent), rows without an id skipped."""
    attrs = dict(frame.attrs)
    frame = frame.copy()
    lines = frame.get("_line")
    no_id = frame["comment_id"].isna().to_numpy(dtype=bool)
    skipped = [f"{grid.where} line {int(lines.iloc[i]) if lines is not None else i + 1}: no comment id — row skipped"
               for i in range(len(frame)) if no_id[i]]
    frame = frame.loc[~no_id].copy()
    lines = frame.get("_line")
    for column in ("created_at", "replied_at"):
        if column in frame and not pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = comment_times(frame[column], context, grid.where, lines)
    if "parent_id" in frame:
        parent = frame["parent_id"].astype("string").str.strip()
        frame["parent_id"] = parent.mask(parent.isin(NO_PARENT))
    if "source" not in frame:
        has_parent = frame["parent_id"].notna() if "parent_id" in frame else pd.Series(False, index=frame.index)
        frame["source"] = has_parent.map({True: "reply", False: "comment"}).astype("string")
    if "text" not in frame:
        frame["text"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    frame.attrs = {**attrs, "skipped": [*attrs.get("skipped", []), *skipped]}
    return frame


MEDIACRAWLER_COMMENTS = ExportKind(
    name="mediacrawler_comments",
    title="MediaCrawler comment export (Douyin, Xiaohongshu, Bilibili, Weibo)",
    platforms=("douyin", "xiaohongshu", "bilibili", "weibo"),
    table="comments",
    columns=cols(
        comment_id=("comment_id",),
        text=("content",),
        created_at=("create_time",),
        post_id=("aweme_id", "note_id", "video_id"),
        user_id=("user_id",),
        likes=("like_count", "comment_like_count"),
        parent_id=("parent_comment_id",),
    ),
    required=("comment_id", "text", "created_at"),
    parse={"likes": "count"},
    finish=finish_comments,
)

DOUYIN_COMMENTS_CN = ExportKind(
    name="douyin_comments_cn",
    title="Douyin comment export with Chinese headers (评论ID, 评论内容, 评论时间)",
    platforms=("douyin",),
    table="comments",
    columns=cols(
        comment_id=("评论ID", "评论id"),
        text=("评论内容",),
        created_at=("评论时间",),
        likes=("点赞数",),
        user_id=("用户抖音号",),
    ),
    required=("comment_id", "text", "created_at"),
    parse={"likes": "count"},
    finish=finish_comments,
)

#: The kinds of this family, in registration order.
KINDS: tuple[ExportKind, ...] = (MEDIACRAWLER_COMMENTS, DOUYIN_COMMENTS_CN)
