"""Export kinds of the international platforms: X, Instagram, Facebook, Meta daily metric files,
TikTok Studio, YouTube Studio and LinkedIn.

Every kind below is registered at import time; detection picks it by its headers (the ``required``
columns are its signature, see helpers.ingest.mapping). Source headers match case-, space- and
punctuation-insensitively. Cells such as "", "-", "--" or "undefined" are missing values (never 0),
numbers may carry thousands separators ("12,400") and K/M magnitudes.

X (twitter.com / x.com › Analytics)
-----------------------------------
- ``x_posts`` — the post export (2024+), one row per post → posts.
  Post id → post_id, Date → published_at, Post text → title, Post Link → link, Impressions →
  impressions, Likes → likes, Replies → comments, Reposts → shares, Bookmarks → saves, URL Clicks →
  clicks, New follows → follows; extras: Engagements → engagements_reported, Shares → dm_shares,
  Profile visits → profile_visits, Detail Expands → detail_expands, Hashtag Clicks →
  hashtag_clicks, Permalink Clicks → permalink_clicks. Signature: Post id + Post text.
- ``x_posts_legacy`` — the older tweet activity export (tweet_activity_metrics_*.csv) → posts.
  Tweet id → post_id, Tweet permalink → link, Tweet text → title, time → published_at (written
  with "+0000": converted to the account's time zone), impressions, likes, replies → comments,
  retweets → shares, url clicks → clicks, follows → follows; extras: engagements →
  engagements_reported, engagement rate → engagement_rate, user profile clicks → profile_visits,
  detail expands, hashtag clicks, permalink clicks, app opens, app installs, media views,
  media engagements (snake_case), promoted impressions → promoted_impressions.
  Signature: Tweet id + Tweet text.
- ``x_account_overview`` — the account overview export, one row per day → account_daily.
  Date → date, Impressions → impressions, Engagements → engagements, New follows →
  followers_gained, Unfollows → followers_lost, Profile visits → profile_visits; extras: Likes →
  likes, Replies → comments, Reposts → shares, Bookmarks → saves, Shares → dm_shares, Create Post →
  posts_created, Video views → video_views, Media views → media_views.
  Signature: Date + New follows + Unfollows. followers is not in the export, so it is missing.

Meta Business Suite (Instagram / Facebook)
------------------------------------------
- ``instagram_posts`` — Insights › Content export, one row per post → posts.
  Post ID → post_id, Publish time → published_at (US "11/01/2025 08:15", month first), Description
  → title, Permalink → link, Post type → format (and kept as post_type), Duration (sec) →
  duration_s, Views → views, Reach → reach, Likes → likes, Comments → comments, Shares → shares,
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
  "Facebook", "Instagram", "Page" removed first): reach → reach; views, impressions → impressions;
  follows, new follows → followers_gained; visits, profile visits, page visits → profile_visits;
  link clicks → link_clicks; interactions, content interactions → engagements. Any other title
  is an ImportFileError naming it and the known ones. A title naming Instagram imported into a
  Facebook account (or the reverse) is an ImportFileError too. Signature: Date + Primary under a
  title line (``title_line`` accepts any text line, so that an unknown title still reaches the
  finish step and gets that message rather than "not a known export").

TikTok Studio (Analytics › Download data, one CSV per tab)
----------------------------------------------------------
- ``tiktok_overview`` — Overview.csv → account_daily: Date → date, Profile Views →
  profile_visits; extras Video Views → video_views, Likes → likes, Comments → comments, Shares → shares.
  Video views are plays, not impressions, so impressions stay missing; the period review sums
  likes + comments + shares into engagements for an account whose exports report none
  (`kpis.complete_daily_metrics`).
- ``tiktok_follower_history`` — FollowerHistory.csv → account_daily: Date → date, Followers →
  followers, "Difference in followers from previous day" → followers_net (may be negative).
- ``tiktok_follower_activity`` — FollowerActivity.csv → follower_activity: Date, Hour (an integer
  0–23; a row without one is skipped, another number is an ImportFileError), Active followers →
  active_followers.
- ``tiktok_follower_gender`` / ``tiktok_follower_territories`` — FollowerGender.csv (Gender,
  Distribution) and FollowerTopTerritories.csv (Top territories, Distribution) →
  follower_demographics with dimension "gender" / "territory", category as exported, share ←
  Distribution ("0.55" or "55%", both 0.55).
- ``tiktok_content`` — Content.csv → posts: Video title → title, Video link → link, post_id = the
  numeric id in the link (…/video/7301234567890123456; the link itself when it has none; a row
  without a link is skipped), Post time → published_at, Total likes / comments / shares / views →
  likes / comments / shares / views; format short_video, except photo-mode posts (a …/photo/NNN
  link: a swipeable set of images) which are carousel. The "Time" column (the export's period)
  is not imported. TikTok dates without a year ("November 3", "3 nov.") take the latest year on or
  before the import's reference date.

YouTube Studio
--------------
- ``youtube_table_data`` — Advanced mode › Export › "Table data.csv" → posts.
  Content → post_id (the video id), Video title → title, Video publish time → published_at,
  Duration → duration_s, Views → views, Watch time (hours) → watch_time_h, Subscribers →
  subscribers_net (net: may be negative) and follows (see Decisions), Impressions → impressions,
  "Impressions click-through rate (%)" → ctr (5.2 → 0.052), Average view duration → avg_watch_s,
  Likes → likes, Comments added → comments, Shares → shares; extras Dislikes → dislikes,
  Subscribers gained / lost → subscribers_gained / subscribers_lost, Your estimated revenue (USD) →
  revenue. Signature: Content + Video title + Watch time (hours).
  The "Total" row (Content = "Total", the channel totals) is dropped and reported. format is
  short_video when the duration is 60 s or less, else video (also when the duration is missing).

LinkedIn (Page analytics › Content › Export, .xls with several sheets)
----------------------------------------------------------------------
- ``linkedin_page_metrics`` — the daily "Metrics" sheet → account_daily: Date → date,
  Impressions (total) → impressions, Clicks (total) → link_clicks, Reactions / Comments /
  Reposts (total) → likes / comments / shares (the account_daily extras other platforms use),
  Engagement rate (total) → engagement_rate; the splits are kept with the source names:
  impressions_organic, impressions_sponsored, unique_impressions_organic, clicks_organic,
  clicks_sponsored, reactions_organic, reactions_sponsored, comments_organic, comments_sponsored,
  reposts_organic, reposts_sponsored, engagement_rate_organic, engagement_rate_sponsored.
  Signature: Date + Impressions (total) + Clicks (total).
- ``linkedin_posts`` — the "All posts" sheet (the header is on row 2, under a description line) →
  posts: Post title → title, Post link → link, post_id = the "urn:li:activity:NNN" (or ugcPost /
  share urn) in the link, else the link; Created date → published_at, Post type → post_type
  (paid = True when it says "Sponsored"), Content Type → format (Image → image, Video → video,
  Article → article, Document / Carousel → carousel, Text → text, anything else → text) and
  content_type; Impressions, Views, Clicks, Likes, Comments, Reposts → shares, Follows;
  extras: Click through rate (CTR) → ctr, Engagement rate → engagement_rate, Offsite views →
  offsite_views, Campaign name → campaign_name, Posted by → posted_by, Audience → audience.
  Signature: Post title + Post link + Created date.

Decisions
---------
- **X "Shares" vs "Reposts".** In the new X export "Reposts" are public reposts (the old
  "retweets"), so they are the canonical ``shares``; X's "Shares" counts private shares (DM, copy
  link, share sheet) and is kept as ``dm_shares``. "Engagements" is X's own total (it counts
  detail expands and clicks too), kept as ``engagements_reported``, not recomputed.
- **X format** is "text": neither X export says whether a post had media.
- **X post ids** are text. When the id cell was mangled by a spreadsheet ("1.85391E+18") or is
  missing, the id in the link (…/status/NNN) is used.
- **Paid.** Only the legacy X export (promoted impressions > 0) and LinkedIn (Post type
  "Sponsored") mark paid posts; every other kind sets paid False.
- **Instagram Post type**: IG reel → short_video, IG carousel → carousel, IG image → image,
  IG video → video, IG story → image (a story may be a photo or a clip; the export does not say, and
  stories are image-first) — the raw label is kept in post_type so stories can still be told apart.
  **Facebook Post type**: Photos → image, Videos → video, Reels → short_video, Links / Text / Status
  → text, Live → live, Albums / Carousel → carousel. Labels are matched by keyword (reel,
  carousel/album, story, live, video, photo/image, article, link/text/status); a blank label takes the
  platform's default (Instagram image, Facebook text); an unknown label is an ImportFileError
  naming the label, the line and the known labels (guessing would put posts in the wrong format).
- **Topics** are the hashtags of the title (and of Facebook's description): "#话题#" pairs (no
  space inside, as kinds_cn reads them) and "#tag" words (not "C#", not "#1"), in order,
  de-duplicated, joined with ";" (see `hashtags`); missing when there are none. "#a#b" reads as
  the pair "a" (Weibo writes text right after a closing "#"), so X's glued "#tag1#tag2" gives tag1.
  pillar is missing: no export carries it.
- **followers** has values only from an export that gives the cumulative count (TikTok follower
  history); every other account_daily kind sets it missing (NaN, never 0 and never a sum of
  gains) — the store keeps a known value over a missing one, so this never erases a count.
  followers_gained / followers_lost are not combined into followers_net (X overview): that would
  be a derived number the export does not state.
- **YouTube follows.** "Subscribers" in Table data is the net change (gained − lost) and can be
  negative, which a follows count cannot be. follows ← "Subscribers gained" when the export has
  that column; otherwise follows ← Subscribers when it is 0 or more, and missing when it is
  negative (the gains are then unknown). The net count is always kept as subscribers_net.
- **YouTube Shorts** are recognised by duration ≤ 60 s, as asked (YouTube allows Shorts up to 3 min
  since October 2024; the export does not say which videos are Shorts).
- Rows dropped by a finish step (the YouTube Total row, rows without a date, a post without an id
  or link, a TikTok activity row without an hour) are listed in ``frame.attrs["skipped"]`` with
  their file line.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from helpers.ingest.types import ExportKind, Grid, ImportContext, ImportFileError, ValueKind, register

__all__ = [
    "FACEBOOK_POSTS", "INSTAGRAM_POSTS", "KINDS_INTL", "LINKEDIN_PAGE_METRICS", "LINKEDIN_POSTS",
    "META_DAILY_METRIC", "META_TITLES", "TIKTOK_CONTENT", "TIKTOK_FOLLOWER_ACTIVITY",
    "TIKTOK_FOLLOWER_GENDER", "TIKTOK_FOLLOWER_HISTORY", "TIKTOK_FOLLOWER_TERRITORIES",
    "TIKTOK_OVERVIEW", "X_ACCOUNT_OVERVIEW", "X_POSTS", "X_POSTS_LEGACY", "YOUTUBE_TABLE_DATA",
    "hashtags", "meta_metric_column",
]

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
        if not isinstance(value, str) or not value:
            continue
        value = unicodedata.normalize("NFKC", html.unescape(value))   # "&#39;" is a quote, not a tag
        if "#" not in value:
            continue
        tags += [m.group("pair") or m.group("word") for m in _TAG.finditer(value)]
    seen: dict[str, str] = {}
    for tag in tags:
        tag = tag.strip().replace(";", ",")
        if tag and tag.casefold() not in seen:
            seen[tag.casefold()] = tag
    return ";".join(seen.values()) or None


# --- small helpers for finish steps ------------------------------------------------------------

def _cols(**columns: str | tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {k: (v,) if isinstance(v, str) else v for k, v in columns.items()}


def _is_missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value))) or \
        (isinstance(value, str) and not value.strip())


def _line(frame: pd.DataFrame, i: int) -> str:
    return str(frame["_line"].iloc[i]) if "_line" in frame else f"row {i + 1}"


def _drop(frame: pd.DataFrame, drop: np.ndarray, messages: list[str]) -> pd.DataFrame:
    """Drop the rows where `drop` is True, adding `messages` to attrs["skipped"]."""
    attrs = dict(frame.attrs)
    if drop.any():
        frame = frame.loc[~drop].copy()
    frame.attrs = attrs
    if messages:
        frame.attrs["skipped"] = [*attrs.get("skipped", []), *messages]
    return frame


def _text_series(values: list[object], index: pd.Index) -> pd.Series:
    return pd.Series([None if _is_missing(v) else v for v in values], index=index, dtype="string")


def _posts_defaults(frame: pd.DataFrame, extra_topic_columns: tuple[str, ...] = ()) -> pd.DataFrame:
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
    frame["topics"] = _text_series(topics, frame.index)
    front = [c for c in POSTS_FRONT if c in frame]
    frame = frame[front + [c for c in frame.columns if c not in front]]
    frame.attrs = attrs
    return frame


def _require_post_id(frame: pd.DataFrame, grid: Grid, what: str) -> pd.DataFrame:
    """Skip (and report) rows without a post id."""
    no_id = frame["post_id"].isna().to_numpy()
    messages = [f"{grid.where} line {_line(frame, i)}: no {what}, so no post id — row skipped"
                for i in range(len(frame)) if no_id[i]]
    return _drop(frame, no_id, messages)


def _drop_undated(frame: pd.DataFrame, grid: Grid, column: str = "date") -> pd.DataFrame:
    """Skip (and report) rows without a date (e.g. a total line)."""
    no_date = frame[column].isna().to_numpy()
    messages = [f"{grid.where} line {_line(frame, i)}: no date — row skipped"
                for i in range(len(frame)) if no_date[i]]
    return _drop(frame, no_date, messages)


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
            if _is_missing(label):
                out.append(default)
                continue
            fmt = _format_of_label(str(label))
            if fmt is None:
                known = ", ".join(f"{k} → {v}" for k, v in _TYPE_KEYWORDS)
                raise ImportFileError(
                    f"{grid.where} line {_line(frame, i)}: unknown {platform} Post type {label!r} "
                    f"(labels containing: {known}). Fix the cell, or import the file through a "
                    f"generic mapping.")
            out.append(fmt)
        return pd.Series(out, index=frame.index, dtype="string")

    return formats


# --- X -----------------------------------------------------------------------------------------

_X_STATUS = re.compile(r"/status(?:es)?/(\d+)")


def _x_posts_finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
    """post_id from the link when the id cell is missing or mangled (1.85E+18); paid from promotion."""
    attrs = dict(frame.attrs)
    frame = frame.copy()
    frame.attrs = attrs
    ids = list(frame["post_id"]) if "post_id" in frame else [None] * len(frame)
    links = list(frame["link"]) if "link" in frame else [None] * len(frame)
    fixed: list[object] = []
    for pid, link in zip(ids, links, strict=True):
        text = None if _is_missing(pid) else str(pid).strip()
        match = _X_STATUS.search(link) if isinstance(link, str) else None
        if (text is None or not text.isdigit()) and match:
            text = match.group(1)          # missing, or mangled by a spreadsheet ("1.85411E+18")
        fixed.append(text)
    frame["post_id"] = _text_series(fixed, frame.index)
    frame = _require_post_id(frame, grid, "Post id or link")
    if "promoted_impressions" in frame:
        frame["paid"] = (frame["promoted_impressions"].fillna(0) > 0).to_numpy()
    frame["format"] = pd.Series("text", index=frame.index, dtype="string")
    return _posts_defaults(frame)


X_POSTS = ExportKind(
    name="x_posts",
    title="X post analytics export (per post)",
    platforms=("x",),
    table="posts",
    columns=_cols(
        post_id=("Post id", "Post ID"),
        published_at=("Date", "Post date", "Created at"),
        title=("Post text",),
        link=("Post Link", "Permalink"),
        impressions=("Impressions",),
        likes=("Likes",),
        engagements_reported=("Engagements",),
        saves=("Bookmarks",),
        dm_shares=("Shares",),
        follows=("New follows", "Follows"),
        comments=("Replies",),
        shares=("Reposts",),
        profile_visits=("Profile visits",),
        detail_expands=("Detail Expands",),
        clicks=("URL Clicks", "Link clicks"),
        hashtag_clicks=("Hashtag Clicks",),
        permalink_clicks=("Permalink Clicks",),
    ),
    required=("post_id", "title"),
    parse={"published_at": "datetime", "impressions": "count", "likes": "count",
           "engagements_reported": "count", "saves": "count", "dm_shares": "count", "follows": "count",
           "comments": "count", "shares": "count", "profile_visits": "count", "detail_expands": "count",
           "clicks": "count", "hashtag_clicks": "count", "permalink_clicks": "count"},
    constants={"format": "text", "paid": False},
    finish=_x_posts_finish,
)

X_POSTS_LEGACY = ExportKind(
    name="x_posts_legacy",
    title="X (Twitter) tweet activity export, older format (per tweet)",
    platforms=("x",),
    table="posts",
    columns=_cols(
        post_id=("Tweet id",),
        link=("Tweet permalink",),
        title=("Tweet text",),
        published_at=("time",),
        impressions=("impressions",),
        engagements_reported=("engagements",),
        engagement_rate=("engagement rate",),
        shares=("retweets",),
        comments=("replies",),
        likes=("likes",),
        profile_visits=("user profile clicks",),
        clicks=("url clicks",),
        hashtag_clicks=("hashtag clicks",),
        detail_expands=("detail expands",),
        permalink_clicks=("permalink clicks",),
        app_opens=("app opens",),
        app_installs=("app install attempts", "app installs"),
        follows=("follows",),
        media_views=("media views",),
        media_engagements=("media engagements",),
        promoted_impressions=("promoted impressions",),
    ),
    required=("post_id", "title"),
    parse={"published_at": "datetime", "impressions": "count", "engagements_reported": "count",
           "engagement_rate": "rate", "shares": "count", "comments": "count", "likes": "count",
           "profile_visits": "count", "clicks": "count", "hashtag_clicks": "count",
           "detail_expands": "count", "permalink_clicks": "count", "app_opens": "count",
           "app_installs": "count", "follows": "count", "media_views": "count",
           "media_engagements": "count", "promoted_impressions": "count"},
    constants={"format": "text", "paid": False},
    finish=_x_posts_finish,
)


DAILY_FRONT: tuple[str, ...] = ("date", "account_id", "followers")


def _daily_defaults(frame: pd.DataFrame) -> pd.DataFrame:
    """followers missing (NaN) when the export does not give it; canonical columns first."""
    attrs = dict(frame.attrs)
    if "followers" not in frame:
        frame = frame.assign(followers=np.nan)
    front = [c for c in DAILY_FRONT if c in frame]
    frame = frame[front + [c for c in frame.columns if c not in front]]
    frame.attrs = attrs
    return frame


def _daily_finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
    return _daily_defaults(_drop_undated(frame, grid))


X_ACCOUNT_OVERVIEW = ExportKind(
    name="x_account_overview",
    title="X account overview export (per day)",
    platforms=("x",),
    table="account_daily",
    columns=_cols(
        date=("Date",),
        impressions=("Impressions",),
        likes=("Likes",),
        engagements=("Engagements",),
        saves=("Bookmarks",),
        dm_shares=("Shares",),
        followers_gained=("New follows",),
        followers_lost=("Unfollows",),
        comments=("Replies",),
        shares=("Reposts",),
        profile_visits=("Profile visits",),
        posts_created=("Create Post", "Create Posts"),
        video_views=("Video views",),
        media_views=("Media views",),
    ),
    required=("date", "followers_gained", "followers_lost"),
    parse={"date": "date", "impressions": "count", "likes": "count", "engagements": "count",
           "saves": "count", "dm_shares": "count", "followers_gained": "count", "followers_lost": "count",
           "comments": "count", "shares": "count", "profile_visits": "count", "posts_created": "count",
           "video_views": "count", "media_views": "count"},
    finish=_daily_finish,
)

# --- Meta Business Suite -----------------------------------------------------------------------

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
        frame = _require_post_id(frame, grid, "Post ID")
        if "description" in frame:
            title = frame["title"] if "title" in frame else pd.Series(pd.NA, index=frame.index, dtype="string")
            frame["title"] = title.fillna(frame["description"])
        frame["format"] = formats(frame, grid)
        return _posts_defaults(frame, ("description",))

    return finish


_INSTAGRAM_COLUMNS = _cols(
    post_id=("Post ID",),
    account_username=("Account username",),
    published_at=("Publish time",),
    title=("Description", "Caption"),
    duration_s=("Duration (sec)", "Duration"),
    link=("Permalink",),
    post_type=("Post type",),
    views=("Views", "Plays"),
    reach=("Reach",),
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

_FACEBOOK_COLUMNS = _cols(
    post_id=("Post ID",),
    page_name=("Page name",),
    title=("Title",),
    description=("Description",),
    duration_s=("Duration (sec)",),
    published_at=("Publish time",),
    link=("Permalink",),
    post_type=("Post type",),
    views=("Views",),
    reach=("Reach",),
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

#: Title of a Meta daily metric file (platform prefix removed, casefolded) → account_daily column.
META_TITLES: dict[str, str] = {
    "reach": "reach",
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
    return _daily_defaults(_drop_undated(frame, grid))


META_DAILY_METRIC = ExportKind(
    name="meta_daily_metric",
    title="Meta Business Suite daily metric file (title line + Date, Primary)",
    platforms=("instagram", "facebook"),
    table="account_daily",
    columns=_cols(date=("Date",), value=("Primary",)),
    required=("date", "value"),
    parse={"date": "date", "value": "count"},
    finish=_meta_daily_finish,
    title_line=r"(?i)^\s*\"?[^\W\d_][^,]*$",
)

# --- TikTok Studio -----------------------------------------------------------------------------

TIKTOK_OVERVIEW = ExportKind(
    name="tiktok_overview",
    title="TikTok Studio Overview.csv (per day)",
    platforms=("tiktok",),
    table="account_daily",
    columns=_cols(
        date=("Date",),
        video_views=("Video Views",),
        profile_visits=("Profile Views",),
        likes=("Likes",),
        comments=("Comments",),
        shares=("Shares",),
    ),
    required=("date", "video_views", "profile_visits"),
    parse={"date": "date", "video_views": "count", "profile_visits": "count", "likes": "count",
           "comments": "count", "shares": "count"},
    finish=_daily_finish,
)

TIKTOK_FOLLOWER_HISTORY = ExportKind(
    name="tiktok_follower_history",
    title="TikTok Studio FollowerHistory.csv (per day)",
    platforms=("tiktok",),
    table="account_daily",
    columns=_cols(
        date=("Date",),
        followers=("Followers",),
        followers_net=("Difference in followers from previous day", "Difference in followers"),
    ),
    required=("date", "followers", "followers_net"),
    parse={"date": "date", "followers": "count", "followers_net": "number"},
    finish=_daily_finish,
)


def _activity_finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
    frame = _drop_undated(frame, grid)
    hours = frame["hour"]
    wrong = (hours.notna() & ((hours < 0) | (hours > 23) | (hours % 1 != 0))).to_numpy()
    if wrong.any():
        lines = ", ".join(_line(frame, i) for i in range(len(frame)) if wrong[i])
        raise ImportFileError(f"{grid.where}: Hour must be a whole hour 0–23 (line(s) {lines}); fix those cells "
                              "or download the export again.")
    no_hour = hours.isna().to_numpy()
    messages = [f"{grid.where} line {_line(frame, i)}: no hour — row skipped"
                for i in range(len(frame)) if no_hour[i]]
    frame = _drop(frame, no_hour, messages)
    attrs = dict(frame.attrs)
    frame = frame.assign(hour=frame["hour"].astype("Int64"))
    frame.attrs = attrs
    return frame


TIKTOK_FOLLOWER_ACTIVITY = ExportKind(
    name="tiktok_follower_activity",
    title="TikTok Studio FollowerActivity.csv (per day and hour)",
    platforms=("tiktok",),
    table="follower_activity",
    columns=_cols(date=("Date",), hour=("Hour",), active_followers=("Active followers",)),
    required=("date", "hour", "active_followers"),
    parse={"date": "date", "hour": "number", "active_followers": "count"},
    finish=_activity_finish,
)


def _demographics_finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
    no_category = frame["category"].isna().to_numpy()
    messages = [f"{grid.where} line {_line(frame, i)}: no category — row skipped"
                for i in range(len(frame)) if no_category[i]]
    frame = _drop(frame, no_category, messages)
    attrs = dict(frame.attrs)
    frame = frame.assign(dimension=frame["dimension"].astype("string"))
    front = ["account_id", "dimension", "category", "share"]
    frame = frame[[c for c in front if c in frame] + [c for c in frame.columns if c not in front]]
    frame.attrs = attrs
    return frame


TIKTOK_FOLLOWER_GENDER = ExportKind(
    name="tiktok_follower_gender",
    title="TikTok Studio FollowerGender.csv",
    platforms=("tiktok",),
    table="follower_demographics",
    columns=_cols(category=("Gender",), share=("Distribution",)),
    required=("category", "share"),
    parse={"share": "rate"},
    constants={"dimension": "gender"},
    finish=_demographics_finish,
)

TIKTOK_FOLLOWER_TERRITORIES = ExportKind(
    name="tiktok_follower_territories",
    title="TikTok Studio FollowerTopTerritories.csv",
    platforms=("tiktok",),
    table="follower_demographics",
    columns=_cols(category=("Top territories", "Territories", "Territory"), share=("Distribution",)),
    required=("category", "share"),
    parse={"share": "rate"},
    constants={"dimension": "territory"},
    finish=_demographics_finish,
)

_TIKTOK_POST = re.compile(r"/(video|photo)/(\d+)")


def _tiktok_content_finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
    attrs = dict(frame.attrs)
    frame = frame.copy()
    frame.attrs = attrs
    ids: list[object] = []
    formats: list[str] = []
    for link in frame["link"]:
        match = _TIKTOK_POST.search(link) if isinstance(link, str) else None
        ids.append(match.group(2) if match else (None if _is_missing(link) else str(link).strip()))
        formats.append("carousel" if match and match.group(1) == "photo" else "short_video")
    frame["post_id"] = _text_series(ids, frame.index)
    frame["format"] = pd.Series(formats, index=frame.index, dtype="string")
    frame = _require_post_id(frame, grid, "Video link")
    return _posts_defaults(frame)


TIKTOK_CONTENT = ExportKind(
    name="tiktok_content",
    title="TikTok Studio Content.csv (per video)",
    platforms=("tiktok",),
    table="posts",
    columns=_cols(
        title=("Video title",),
        link=("Video link",),
        published_at=("Post time",),
        likes=("Total likes",),
        comments=("Total comments",),
        shares=("Total shares",),
        views=("Total views",),
    ),
    required=("title", "link"),
    parse={"published_at": "datetime", "likes": "count", "comments": "count", "shares": "count",
           "views": "count"},
    constants={"format": "short_video", "paid": False},
    finish=_tiktok_content_finish,
)

# --- YouTube Studio ----------------------------------------------------------------------------

SHORT_MAX_S = 60.0


def _youtube_finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
    total = frame["post_id"].map(lambda v: isinstance(v, str) and v.strip().casefold() == "total")
    total = total.fillna(False).to_numpy(dtype=bool)
    messages = [f"line {_line(frame, i)}: the Total row (channel totals), not a video"
                for i in range(len(frame)) if total[i]]
    frame = _drop(frame, total, messages)
    frame = _require_post_id(frame, grid, "Content (video id)")
    attrs = dict(frame.attrs)
    frame = frame.copy()
    frame.attrs = attrs
    if "duration_s" in frame:
        short = (frame["duration_s"] <= SHORT_MAX_S).fillna(False).to_numpy(dtype=bool)
    else:
        short = np.zeros(len(frame), dtype=bool)
    frame["format"] = pd.Series(np.where(short, "short_video", "video"), index=frame.index, dtype="string")
    # follows: subscribers gained when the export has them, else the net count when it is not negative
    net = frame["subscribers_net"] if "subscribers_net" in frame else pd.Series(np.nan, index=frame.index)
    follows = net.where(net >= 0)
    if "subscribers_gained" in frame:
        follows = frame["subscribers_gained"].where(frame["subscribers_gained"].notna(), follows)
    frame["follows"] = follows.astype("float64")
    return _posts_defaults(frame)


YOUTUBE_TABLE_DATA = ExportKind(
    name="youtube_table_data",
    title="YouTube Studio advanced mode \"Table data.csv\" (per video)",
    platforms=("youtube",),
    table="posts",
    columns=_cols(
        post_id=("Content", "Video"),
        title=("Video title",),
        published_at=("Video publish time",),
        duration_s=("Duration",),
        views=("Views",),
        watch_time_h=("Watch time (hours)",),
        subscribers_net=("Subscribers",),
        subscribers_gained=("Subscribers gained",),
        subscribers_lost=("Subscribers lost",),
        impressions=("Impressions",),
        ctr=("Impressions click-through rate (%)",),
        avg_watch_s=("Average view duration",),
        likes=("Likes",),
        dislikes=("Dislikes",),
        comments=("Comments added",),
        shares=("Shares",),
        revenue=("Your estimated revenue (USD)", "Estimated revenue (USD)"),
    ),
    required=("post_id", "title", "watch_time_h"),
    parse={"published_at": "datetime", "duration_s": "duration", "views": "count", "watch_time_h": "hours",
           "subscribers_net": "number", "subscribers_gained": "count", "subscribers_lost": "count",
           "impressions": "count", "ctr": "percent", "avg_watch_s": "duration", "likes": "count",
           "dislikes": "count", "comments": "count", "shares": "count", "revenue": "number"},
    constants={"paid": False},
    finish=_youtube_finish,
)

# --- LinkedIn ----------------------------------------------------------------------------------


def _split(metric: str, *headers: str) -> dict[str, tuple[str, ...]]:
    """LinkedIn's three columns of a metric: (organic), (sponsored), (total), under the names given."""
    organic, sponsored = f"{metric}_organic", f"{metric}_sponsored"
    return {organic: tuple(f"{h} (organic)" for h in headers),
            sponsored: tuple(f"{h} (sponsored)" for h in headers)}


LINKEDIN_PAGE_METRICS = ExportKind(
    name="linkedin_page_metrics",
    title="LinkedIn Page content export, Metrics sheet (per day)",
    platforms=("linkedin",),
    table="account_daily",
    columns={
        "date": ("Date",),
        "impressions": ("Impressions (total)",),
        **_split("impressions", "Impressions"),
        "unique_impressions_organic": ("Unique impressions (organic)",),
        "link_clicks": ("Clicks (total)",),
        **_split("clicks", "Clicks"),
        "likes": ("Reactions (total)",),
        **_split("reactions", "Reactions"),
        "comments": ("Comments (total)",),
        **_split("comments", "Comments"),
        "shares": ("Reposts (total)", "Shares (total)"),
        **_split("reposts", "Reposts", "Shares"),
        "engagement_rate": ("Engagement rate (total)",),
        **_split("engagement_rate", "Engagement rate"),
    },
    required=("date", "impressions", "link_clicks"),
    parse={"date": "date", "impressions": "count", "impressions_organic": "count",
           "impressions_sponsored": "count", "unique_impressions_organic": "count", "link_clicks": "count",
           "clicks_organic": "count", "clicks_sponsored": "count", "likes": "count",
           "reactions_organic": "count", "reactions_sponsored": "count", "comments": "count",
           "comments_organic": "count", "comments_sponsored": "count", "shares": "count",
           "reposts_organic": "count", "reposts_sponsored": "count", "engagement_rate": "rate",
           "engagement_rate_organic": "rate", "engagement_rate_sponsored": "rate"},
    finish=_daily_finish,
)

_LINKEDIN_URN = re.compile(r"urn(?::|%3A)li(?::|%3A)(activity|ugcPost|share)(?::|%3A)(\d+)", re.IGNORECASE)
_LINKEDIN_FORMATS: dict[str, str] = {
    "image": "image", "images": "image", "photo": "image", "video": "video", "article": "article",
    "document": "carousel", "carousel": "carousel", "text": "text",
}


def _linkedin_posts_finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
    attrs = dict(frame.attrs)
    frame = frame.copy()
    frame.attrs = attrs
    ids: list[object] = []
    for link in frame["link"]:
        match = _LINKEDIN_URN.search(link) if isinstance(link, str) else None
        if match:
            kind = {"activity": "activity", "ugcpost": "ugcPost", "share": "share"}[match.group(1).lower()]
            ids.append(f"urn:li:{kind}:{match.group(2)}")
        else:
            ids.append(None if _is_missing(link) else str(link).strip())
    frame["post_id"] = _text_series(ids, frame.index)
    frame = _require_post_id(frame, grid, "Post link")
    if "post_type" in frame:
        frame["paid"] = frame["post_type"].map(
            lambda v: isinstance(v, str) and "sponsored" in v.casefold()).fillna(False).to_numpy(dtype=bool)
    content = frame["content_type"] if "content_type" in frame else pd.Series(pd.NA, index=frame.index)
    frame["format"] = pd.Series(
        [_LINKEDIN_FORMATS.get(v.strip().casefold(), "text") if isinstance(v, str) else "text" for v in content],
        index=frame.index, dtype="string")
    return _posts_defaults(frame)


LINKEDIN_POSTS = ExportKind(
    name="linkedin_posts",
    title="LinkedIn Page content export, All posts sheet (per post)",
    platforms=("linkedin",),
    table="posts",
    columns=_cols(
        title=("Post title",),
        link=("Post link",),
        post_type=("Post type",),
        campaign_name=("Campaign name",),
        posted_by=("Posted by",),
        published_at=("Created date",),
        audience=("Audience",),
        impressions=("Impressions",),
        views=("Views",),
        offsite_views=("Offsite views",),
        clicks=("Clicks",),
        ctr=("Click through rate (CTR)", "Click-through rate"),
        likes=("Likes", "Reactions"),
        comments=("Comments",),
        shares=("Reposts", "Shares"),
        follows=("Follows",),
        engagement_rate=("Engagement rate",),
        content_type=("Content Type",),
    ),
    required=("title", "link", "published_at"),
    parse={"published_at": "datetime", "impressions": "count", "views": "count", "offsite_views": "count",
           "clicks": "count", "ctr": "rate", "likes": "count", "comments": "count", "shares": "count",
           "follows": "count", "engagement_rate": "rate"},
    constants={"paid": False},
    finish=_linkedin_posts_finish,
)

#: The kinds of this module, in registration order.
KINDS_INTL: tuple[ExportKind, ...] = (
    X_POSTS, X_POSTS_LEGACY, X_ACCOUNT_OVERVIEW, INSTAGRAM_POSTS, FACEBOOK_POSTS, META_DAILY_METRIC,
    TIKTOK_OVERVIEW, TIKTOK_FOLLOWER_HISTORY, TIKTOK_FOLLOWER_ACTIVITY, TIKTOK_FOLLOWER_GENDER,
    TIKTOK_FOLLOWER_TERRITORIES, TIKTOK_CONTENT, YOUTUBE_TABLE_DATA, LINKEDIN_PAGE_METRICS, LINKEDIN_POSTS,
)

register(*KINDS_INTL)
