"""What the Chinese back-office exports share (WeChat, Douyin, Xiaohongshu): post ids derived from the
publish minute and title, 体裁 labels translated per platform, and the posts defaults. Generic mappings
(helpers.ingest.generic) reuse `derive_post_ids` and `fill_posts_defaults` for exports without ids.

Decisions
---------
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
  (helpers.ingest.kinds.common): "#话题#" pairs (Xiaohongshu's "[话题]" marker removed) and "#tag"
  words, in order, de-duplicated and joined with ";"; a title without hashtags leaves topics
  missing. pillar is missing (no export carries it); paid is False.
- Metrics a file lacks, or cells that are "-" / empty, stay missing, never 0.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from helpers.ingest.kinds.common import POSTS_FRONT, title_hashtags
from helpers.ingest.types import Grid, ImportContext, ImportFileError


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


def _id_parts(values: pd.Series | None, length: int) -> list[str]:
    """`_id_part` of a whole column: a datetime column formatted at once (NaT → ""), other columns per value."""
    if values is None:
        return [""] * length
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.dt.strftime("%Y-%m-%d %H:%M").fillna("").tolist()
    return [_id_part(v) for v in values.tolist()]


def post_ids_for(prefix: str, account_id: str, parts: Sequence[pd.Series | None], length: int) -> list[str]:
    """`post_id_for` of every row: the same ids (same sha1 of the same text), each part column prepared at once."""
    texts = [_id_parts(values, length) for values in parts]
    head = account_id + "|"
    return [prefix + hashlib.sha1((head + "|".join(row)).encode("utf-8")).hexdigest()[:16]
            for row in zip(*texts, strict=True)] if texts else [post_id_for(prefix, account_id)] * length


def _skip(frame: pd.DataFrame, messages: list[str]) -> None:
    """Add `messages` to the rows the frame reports as skipped (attrs["skipped"])."""
    if messages:
        frame.attrs["skipped"] = [*frame.attrs.get("skipped", []), *messages]


def _line(frame: pd.DataFrame, i: int) -> str:
    """The file line of row `i` for a message (its `_line`; the row number when the frame has none)."""
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
    ids = post_ids_for(prefix, context.account_id, [frame.get(p) for p in parts], len(frame))
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


def fill_posts_defaults(frame: pd.DataFrame) -> pd.DataFrame:
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
        frame["topics"] = pd.Series(title_hashtags(frame["title"].tolist()), index=frame.index, dtype="string")
    if "format" in frame:
        frame["format"] = frame["format"].astype("string")
    front = [c for c in POSTS_FRONT if c in frame]
    frame = frame[front + [c for c in frame.columns if c not in front]]
    frame.attrs = attrs
    return frame


def format_translator(platform: str, labels: Mapping[str, str], default: str
                       ) -> Callable[[pd.DataFrame, Grid], pd.DataFrame]:
    """Translate the 体裁 label in `format` (blank/absent → default; unknown → ImportFileError)."""
    from helpers.schema import POST_FORMATS

    def translate(frame: pd.DataFrame, grid: Grid) -> pd.DataFrame:
        if "format" not in frame:
            frame["format"] = default
            return frame
        out = []
        done: dict[str, str] = {}   # each distinct label translated once (a column holds two or three)
        for i, label in enumerate(frame["format"].tolist()):
            if isinstance(label, str) and label in done:
                out.append(done[label])
                continue
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
            if isinstance(label, str):
                done[label] = fmt
            out.append(fmt)
        frame["format"] = pd.Series(out, index=frame.index, dtype="string")
        return frame

    return translate


def posts_finish(prefix: str, translate: Callable[[pd.DataFrame, Grid], pd.DataFrame] | None = None
                  ) -> Callable[[pd.DataFrame, ImportContext, Grid], pd.DataFrame]:
    """The finish step of a posts kind without post ids: 体裁 translated (if given), ids derived, defaults filled."""

    def finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
        attrs = dict(frame.attrs)
        frame = frame.copy()
        frame.attrs = attrs
        if translate is not None:
            frame = translate(frame, grid)
        frame = derive_post_ids(frame, context, grid, prefix)
        return fill_posts_defaults(frame)

    return finish


def skip_undated(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
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


__all__ = ["derive_post_ids", "fill_posts_defaults", "format_translator", "post_id_for", "posts_finish", "skip_undated"]
