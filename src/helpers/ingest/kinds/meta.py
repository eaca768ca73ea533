"""Meta Business Suite (Instagram / Facebook): the posts exports and the one-metric daily files.

- ``instagram_posts`` — Insights › Content export, one row per post → posts.
  Post ID → post_id, Publish time → published_at (US "11/01/2025 08:15", month first), Description
  → title, Permalink → link, Post type → format (and kept as post_type), Duration (sec) →
  duration_s, Views → views, Reach (2025: Viewers) → reach, Likes → likes, Comments → comments, Shares → shares,
  Saves → saves, Follows → follows, Impressions → impressions, Profile visits → profile_visits
  (older exports); Account username → account_username (kept: it shows whose export it is).
  Account ID, Account name, Data comment and Date ("Lifetime") are not imported.
  Signature: Post ID + Publish time + Account username.
- ``facebook_posts`` — the same export for a Facebook Page → posts.
  Post ID → post_id, Publish time → published_at, Title → title (Description when the Title is
  empty, as for most posts), Description → description, Permalink → link, Post type → format (and
  post_type), Duration (sec) → duration_s, Views, Reach, Impressions, Reactions → likes, Comments,
  Shares, Total clicks → clicks; extras: "Reactions, Comments and Shares" → engagements_reported,
  Link clicks → link_clicks, Other clicks → other_clicks, Seconds viewed → watch_time_s,
  Average Seconds viewed → avg_watch_s; Page name → page_name.
  Signature: Post ID + Publish time + Page name.
- ``meta_daily_metric`` — the one-metric daily files (UTF-16 with BOM, ``sep=,``, a title line such
  as "Facebook Page reach" or "Instagram follows", then "Date","Primary") → account_daily.
  Date → date, Primary → the column the title names (platform prefix "Facebook Page",
  "Facebook", "Instagram", "Page" removed first): reach, viewers (Meta's 2025 name for reach) → reach;
  views, impressions → impressions;
  follows, new follows → followers_gained; visits, profile visits, page visits → profile_visits;
  link clicks → link_clicks; interactions, content interactions → engagements. Any other title
  is an ImportFileError naming it and the known ones. A title naming Instagram imported into a
  Facebook account (or the reverse) is an ImportFileError too. Signature: Date + Primary under a
  title line (``title_line`` accepts any text line, so that an unknown title still reaches the
  finish step and gets that message rather than "not a known export").

Decisions
---------
- **Instagram Post type**: IG reel → short_video, IG carousel → carousel, IG image → image,
  IG video → video, IG story → image (a story may be a photo or a clip; the export does not say, and
  stories are image-first) — the raw label is kept in post_type so stories can still be told apart.
  **Facebook Post type**: Photos → image, Videos → video, Reels → short_video, Links / Text / Status
  → text, Live → live, Albums / Carousel → carousel. Labels are matched by keyword (reel,
  carousel/album, story, live, video, photo/image, article, link/text/status); a blank label takes the
  platform's default (Instagram image, Facebook text); an unknown label is an ImportFileError
  naming the label, the line and the known labels (guessing would put posts in the wrong format).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping

import pandas as pd

from helpers.ingest.kinds.common import (
    cols,
    daily_defaults,
    drop_undated,
    is_missing,
    line_of,
    posts_defaults,
    require_post_id,
)
from helpers.ingest.types import ExportKind, Grid, ImportContext, ImportFileError, ValueKind

# --- formats from post-type labels ---------------------------------------------------------------

#: Keyword → format, tried in order on the casefolded label (first match wins).
_TYPE_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("reel", "short_video"), ("short", "short_video"), ("carousel", "carousel"), ("album", "carousel"),
    ("story", "image"), ("stories", "image"), ("live", "live"), ("video", "video"), ("photo", "image"),
    ("image", "image"), ("article", "article"), ("link", "text"), ("text", "text"), ("status", "text"),
)
_CANONICAL_FORMATS = ("article", "image", "carousel", "video", "short_video", "live", "text")


def _format_of_label(label: str) -> str | None:
    text = label.strip().casefold()
    if text in _CANONICAL_FORMATS:
        return text
    for keyword, fmt in _TYPE_KEYWORDS:
        if keyword in text:
            return fmt
    return None


def _formats_from_post_type(platform: str, default: str) -> Callable[[pd.DataFrame, Grid], pd.Series]:
    """format from the post_type label (blank → default, unknown → ImportFileError)."""

    def formats(frame: pd.DataFrame, grid: Grid) -> pd.Series:
        if "post_type" not in frame:
            return pd.Series(default, index=frame.index, dtype="string")
        out: list[str] = []
        for i, label in enumerate(frame["post_type"]):
            if is_missing(label):
                out.append(default)
                continue
            fmt = _format_of_label(str(label))
            if fmt is None:
                known = ", ".join(f"{k} → {v}" for k, v in _TYPE_KEYWORDS)
                raise ImportFileError(
                    f"{grid.where} line {line_of(frame, i)}: unknown {platform} Post type {label!r} "
                    f"(labels containing: {known}). Fix the cell, or import the file through a "
                    f"generic mapping.")
            out.append(fmt)
        return pd.Series(out, index=frame.index, dtype="string")

    return formats


# --- posts ----------------------------------------------------------------------------------

_META_POST_PARSE: dict[str, ValueKind] = {
    "published_at": "datetime", "duration_s": "duration", "views": "count", "reach": "count",
    "impressions": "count", "likes": "count", "shares": "count", "follows": "count", "comments": "count",
    "saves": "count", "profile_visits": "count", "engagements_reported": "count", "clicks": "count",
    "link_clicks": "count", "other_clicks": "count", "watch_time_s": "number", "avg_watch_s": "duration",
}


def _parse_for(columns: Mapping[str, tuple[str, ...]], parse: Mapping[str, ValueKind]) -> dict[str, ValueKind]:
    """The entries of `parse` for the output columns a kind has."""
    return {k: v for k, v in parse.items() if k in columns}


def _meta_posts_finish(platform: str, default: str) -> Callable[[pd.DataFrame, ImportContext, Grid],
                                                               pd.DataFrame]:
    formats = _formats_from_post_type(platform, default)

    def finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
        attrs = dict(frame.attrs)
        frame = frame.copy()
        frame.attrs = attrs
        frame = require_post_id(frame, grid, "Post ID")
        if "description" in frame:
            title = frame["title"] if "title" in frame else pd.Series(pd.NA, index=frame.index, dtype="string")
            frame["title"] = title.fillna(frame["description"])
        frame["format"] = formats(frame, grid)
        return posts_defaults(frame, ("description",))

    return finish


_INSTAGRAM_COLUMNS = cols(
    post_id=("Post ID",),
    account_username=("Account username",),
    published_at=("Publish time",),
    title=("Description", "Caption"),
    duration_s=("Duration (sec)", "Duration"),
    link=("Permalink",),
    post_type=("Post type",),
    views=("Views", "Plays"),
    reach=("Reach", "Viewers"),
    impressions=("Impressions",),
    likes=("Likes",),
    shares=("Shares",),
    follows=("Follows",),
    comments=("Comments",),
    saves=("Saves",),
    profile_visits=("Profile visits",),
)

INSTAGRAM_POSTS = ExportKind(
    name="instagram_posts",
    title="Instagram posts, Meta Business Suite content export (per post)",
    platforms=("instagram",),
    table="posts",
    columns=_INSTAGRAM_COLUMNS,
    required=("post_id", "published_at", "account_username"),
    parse=_parse_for(_INSTAGRAM_COLUMNS, _META_POST_PARSE),
    constants={"paid": False},
    finish=_meta_posts_finish("Instagram", "image"),
)

_FACEBOOK_COLUMNS = cols(
    post_id=("Post ID",),
    page_name=("Page name",),
    title=("Title",),
    description=("Description",),
    duration_s=("Duration (sec)",),
    published_at=("Publish time",),
    link=("Permalink",),
    post_type=("Post type",),
    views=("Views",),
    reach=("Reach", "Viewers"),
    impressions=("Impressions",),
    likes=("Reactions",),
    comments=("Comments",),
    shares=("Shares",),
    engagements_reported=("Reactions, Comments and Shares",),
    clicks=("Total clicks",),
    link_clicks=("Link clicks",),
    other_clicks=("Other clicks",),
    watch_time_s=("Seconds viewed",),
    avg_watch_s=("Average Seconds viewed",),
)

FACEBOOK_POSTS = ExportKind(
    name="facebook_posts",
    title="Facebook Page posts, Meta Business Suite content export (per post)",
    platforms=("facebook",),
    table="posts",
    columns=_FACEBOOK_COLUMNS,
    required=("post_id", "published_at", "page_name"),
    parse=_parse_for(_FACEBOOK_COLUMNS, _META_POST_PARSE),
    constants={"paid": False},
    finish=_meta_posts_finish("Facebook", "text"),
)

# --- daily metric files ------------------------------------------------------------------

#: Title of a Meta daily metric file (platform prefix removed, casefolded) → account_daily column.
META_TITLES: dict[str, str] = {
    "reach": "reach",
    "viewers": "reach",          # 2025 exports: Meta renamed Reach (unique accounts) to Viewers
    "views": "impressions",
    "impressions": "impressions",
    "follows": "followers_gained",
    "new follows": "followers_gained",
    "visits": "profile_visits",
    "profile visits": "profile_visits",
    "page visits": "profile_visits",
    "link clicks": "link_clicks",
    "interactions": "engagements",
    "content interactions": "engagements",
}
_META_PREFIX = re.compile(r"^(?:facebook\s+page|facebook|instagram|page)\b\s*", re.IGNORECASE)


def meta_metric_column(title: str) -> str | None:
    """The account_daily column a Meta daily metric file's title names, or None when unknown.

    >>> meta_metric_column("Facebook Page reach"), meta_metric_column("Instagram profile visits")
    ('reach', 'profile_visits')
    """
    text = " ".join(unicodedata.normalize("NFKC", title).replace('"', " ").split())
    text = _META_PREFIX.sub("", text).strip().casefold()
    return META_TITLES.get(text)


def _meta_title(grid: Grid) -> tuple[str, int] | None:
    """The title line of a Meta daily file (text and file line): the last one-cell line above the header."""
    from helpers.ingest.mapping import normalise_header

    title: tuple[str, int] | None = None
    for row, line in zip(grid.rows, grid.line_numbers, strict=True):
        cells = [c for c in row if c and c.strip()]
        names = {normalise_header(c) for c in cells}
        if "date" in names and "primary" in names:
            return title
        if len(cells) == 1 and not cells[0].strip().casefold().startswith("sep="):
            title = (cells[0].strip(), line)
    return title


def _meta_daily_finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
    found = _meta_title(grid)
    known = ", ".join(f"{k!r} → {v}" for k, v in META_TITLES.items())
    if found is None:
        raise ImportFileError(
            f"{grid.where}: a Meta daily metric file needs its title line (e.g. \"Facebook Page reach\") "
            f"above the \"Date\",\"Primary\" header, to know which metric it holds; this file has none. "
            f"Export the file again from Meta Business Suite (known titles: {known}).")
    title, line = found
    column = meta_metric_column(title)
    if column is None:
        raise ImportFileError(
            f"{grid.where} line {line}: unknown Meta metric title {title!r}. Known titles (after the "
            f"platform prefix Facebook Page / Facebook / Instagram): {known}.")
    named = "instagram" if "instagram" in title.casefold() else "facebook" if "facebook" in title.casefold() \
        else None
    if named and context.platform in ("instagram", "facebook") and named != context.platform:
        raise ImportFileError(
            f"{grid.where} line {line}: the file is a metric of {named.capitalize()} ({title!r}) but the "
            f"account {context.account_id!r} is on {context.platform}; import it into the "
            f"{named.capitalize()} account.")
    attrs = dict(frame.attrs)
    frame = frame.rename(columns={"value": column})
    frame.attrs = attrs
    return daily_defaults(drop_undated(frame, grid))


META_DAILY_METRIC = ExportKind(
    name="meta_daily_metric",
    title="Meta Business Suite daily metric file (title line + Date, Primary)",
    platforms=("instagram", "facebook"),
    table="account_daily",
    columns=cols(date=("Date",), value=("Primary",)),
    required=("date", "value"),
    parse={"date": "date", "value": "count"},
    finish=_meta_daily_finish,
    title_line=r"(?i)^\s*\"?[^\W\d_][^,]*$",
)

#: The kinds of this family, in registration order.
KINDS: tuple[ExportKind, ...] = (INSTAGRAM_POSTS, FACEBOOK_POSTS, META_DAILY_METRIC)
