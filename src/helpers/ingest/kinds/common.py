"""What every platform family's export kinds share: column helpers, hashtags and the finish steps.

The family modules (x, meta, tiktok, youtube, linkedin, wechat, douyin, xiaohongshu) declare their
kinds with these; helpers.ingest.kinds registers them in one fixed order. Source headers match case-,
space- and punctuation-insensitively (helpers.ingest.mapping). Cells such as "", "-", "--" or
"undefined" are missing values (never 0), numbers may carry thousands separators ("12,400") and
K/M magnitudes.

Decisions shared by the families
--------------------------------
- **Paid.** Only the legacy X export (promoted impressions > 0) and LinkedIn (Post type
  "Sponsored") mark paid posts; every other kind sets paid False.
- **Topics** are the hashtags of the title (and of Facebook's description): "#话题#" pairs (no
  space inside, as the Chinese kinds read them) and "#tag" words (not "C#", not "#1"), in order,
  de-duplicated, joined with ";" (see `hashtags`); missing when there are none. "#a#b" reads as
  the pair "a" (Weibo writes text right after a closing "#"), so X's glued "#tag1#tag2" gives tag1.
  pillar is missing: no export carries it.
- **followers** has values only from an export that gives the cumulative count (TikTok follower
  history); every other account_daily kind sets it missing (NaN, never 0 and never a sum of
  gains) — the store keeps a known value over a missing one, so this never erases a count.
  followers_gained / followers_lost are not combined into followers_net (X overview): that would
  be a derived number the export does not state.
- Rows dropped by a finish step (the YouTube Total row, rows without a date, a post without an id
  or link, a TikTok activity row without an hour) are listed in ``frame.attrs["skipped"]`` with
  their file line.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from helpers.ingest.types import Grid, ImportContext

#: The canonical posts columns, in DESIGN.md order (extras follow in mapping order).
POSTS_FRONT: tuple[str, ...] = ("post_id", "account_id", "published_at", "format", "pillar", "title",
                                "topics", "paid")

# --- hashtags ------------------------------------------------------------------------------------

#: "#话题#" (Weibo / Xiaohongshu): text without spaces between two "#" (Xiaohongshu's "[话题]" marker
#: dropped); the opening "#" is not glued to a Latin letter or digit ("C#/F#" is no pair).
_PAIRED_TAG = r"(?<![A-Za-z0-9_])#(?P<pair>[^#\s]{1,60}?)(?:\[话题\])?#"
#: "#tag": a word after "#" that is not glued to a Latin word ("C#") and is not only digits ("#1").
_WORD_TAG = r"(?<![A-Za-z0-9_#])#(?P<word>\w*[^\W\d]\w*)"
#: Both, scanned left to right (a pair wins where both could start: "#话题#正文" is the topic 话题).
_TAG = re.compile(f"{_PAIRED_TAG}|{_WORD_TAG}")
#: The same pattern with the "#" both alternatives start with written first and each lookbehind moved
#: after it (`#(?<![..]#)` looks at the character before the "#", as `(?<![..])#` does), so the regex
#: engine jumps from "#" to "#" instead of trying both lookbehinds at every character: same matches,
#: same groups, in the same order (tests pin it against `_TAG`).
_TAG_FROM_HASH = re.compile(r"#(?:(?<![A-Za-z0-9_]#)(?P<pair>[^#\s]{1,60}?)(?:\[话题\])?#"
                            r"|(?<![A-Za-z0-9_#]#)(?P<word>\w*[^\W\d]\w*))")


def _text_tags(value: str) -> list[str]:
    """The raw tags of one text, in order (after HTML-unescaping and NFKC, as `hashtags` reads it)."""
    value = unicodedata.normalize("NFKC", html.unescape(value))   # "&#39;" is a quote, not a tag
    if "#" not in value:
        return []
    return [pair or word for pair, word in _TAG_FROM_HASH.findall(value)]


def _joined_tags(tags: list[str]) -> str | None:
    """Tags stripped (";" → ","), de-duplicated case-insensitively in order, joined with ";"; None if none."""
    seen: dict[str, str] = {}
    for tag in tags:
        tag = tag.strip().replace(";", ",")
        if tag:
            seen.setdefault(tag.casefold(), tag)   # the first spelling of each tag stays
    return ";".join(seen.values()) or None


def hashtags(text: object, *more: object) -> str | None:
    """The hashtags of one or more texts ("#话题#" pairs and "#tag" words) joined with ";"; None if none.

    Texts are HTML-unescaped and NFKC-normalised first (a full-width "＃" is a "#", "&#39;" a quote);
    tags keep their case and are de-duplicated case-insensitively, in order of appearance. A "#"
    right after a Latin letter or digit starts no tag ("C#"), and a tag of digits only is none ("#1").

    >>> hashtags("New drop #Summer #summer #旅行# and C# tips #1")
    'Summer;旅行'
    >>> hashtags("no tags here") is None
    True
    """
    tags: list[str] = []
    for value in (text, *more):
        if isinstance(value, str) and value:
            tags += _text_tags(value)
    return _joined_tags(tags)


def title_hashtags(titles: Iterable[object]) -> list[str | None]:
    """`hashtags(title)` for each title of a column, each distinct title worked out once.

    A title without "#" after HTML-unescaping and NFKC (a full-width "＃" counts) has none; exports
    repeat titles (a post per row of a daily export), so results are kept per distinct text.
    """
    done: dict[str, str | None] = {}
    out: list[str | None] = []
    for title in titles:
        if not isinstance(title, str) or not title:
            out.append(None)
            continue
        if title not in done:
            done[title] = _joined_tags(_text_tags(title))
        out.append(done[title])
    return out


# --- small helpers for finish steps ------------------------------------------------------------

def cols(**columns: str | tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """An ExportKind's `columns`: each output column's source headers (one header may be a plain string)."""
    return {k: (v,) if isinstance(v, str) else v for k, v in columns.items()}


def is_missing(value: object) -> bool:
    """Whether a cell is missing: None, NaN, NaT, <NA> or blank text."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value))) or \
        (isinstance(value, str) and not value.strip())


def line_of(frame: pd.DataFrame, i: int) -> str:
    """The file line of row `i` for a message (its `_line`), "row N" when the frame has none."""
    return str(frame["_line"].iloc[i]) if "_line" in frame else f"row {i + 1}"


def drop_rows(frame: pd.DataFrame, drop: np.ndarray, messages: list[str]) -> pd.DataFrame:
    """Drop the rows where `drop` is True, adding `messages` to attrs["skipped"]."""
    attrs = dict(frame.attrs)
    if drop.any():
        frame = frame.loc[~drop].copy()
    frame.attrs = attrs
    if messages:
        frame.attrs["skipped"] = [*attrs.get("skipped", []), *messages]
    return frame


def text_series(values: Sequence[object], index: pd.Index) -> pd.Series:
    """Text values as a string column, blank and missing cells as missing."""
    return pd.Series([None if is_missing(v) else v for v in values], index=index, dtype="string")


def posts_defaults(frame: pd.DataFrame, extra_topic_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """pillar missing, paid False unless set, topics from the title (and other text); canonical order."""
    attrs = dict(frame.attrs)
    frame = frame.copy()
    if "pillar" not in frame:
        frame["pillar"] = pd.Series([None] * len(frame), index=frame.index, dtype="string")
    if "title" not in frame:
        frame["title"] = pd.Series([None] * len(frame), index=frame.index, dtype="string")
    if "paid" not in frame:
        frame["paid"] = False
    frame["paid"] = frame["paid"].fillna(False).astype(bool)
    texts = [frame[c] for c in ("title", *extra_topic_columns) if c in frame]
    topics = [hashtags(*(t.iloc[i] if isinstance(t.iloc[i], str) else None for t in texts))
              for i in range(len(frame))]
    frame["topics"] = text_series(topics, frame.index)
    front = [c for c in POSTS_FRONT if c in frame]
    frame = frame[front + [c for c in frame.columns if c not in front]]
    frame.attrs = attrs
    return frame


def require_post_id(frame: pd.DataFrame, grid: Grid, what: str) -> pd.DataFrame:
    """Skip (and report) rows without a post id."""
    no_id = frame["post_id"].isna().to_numpy()
    messages = [f"{grid.where} line {line_of(frame, i)}: no {what}, so no post id — row skipped"
                for i in range(len(frame)) if no_id[i]]
    return drop_rows(frame, no_id, messages)


def drop_undated(frame: pd.DataFrame, grid: Grid, column: str = "date") -> pd.DataFrame:
    """Skip (and report) rows without a date (e.g. a total line)."""
    no_date = frame[column].isna().to_numpy()
    messages = [f"{grid.where} line {line_of(frame, i)}: no date — row skipped"
                for i in range(len(frame)) if no_date[i]]
    return drop_rows(frame, no_date, messages)


DAILY_FRONT: tuple[str, ...] = ("date", "account_id", "followers")


def daily_defaults(frame: pd.DataFrame) -> pd.DataFrame:
    """followers missing (NaN) when the export does not give it; canonical columns first."""
    attrs = dict(frame.attrs)
    if "followers" not in frame:
        frame = frame.assign(followers=np.nan)
    front = [c for c in DAILY_FRONT if c in frame]
    frame = frame[front + [c for c in frame.columns if c not in front]]
    frame.attrs = attrs
    return frame


def daily_finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
    """The finish step of a daily kind: rows without a date skipped, followers missing unless exported."""
    return daily_defaults(drop_undated(frame, grid))


__all__ = [
    "DAILY_FRONT", "POSTS_FRONT", "cols", "daily_defaults", "daily_finish", "drop_rows", "drop_undated", "hashtags",
    "is_missing", "line_of", "posts_defaults", "require_post_id", "text_series", "title_hashtags",
]
