"""X (twitter.com / x.com › Analytics): the post exports, new and legacy, and the account overview.

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

Decisions
---------
- **X "Shares" vs "Reposts".** In the new X export "Reposts" are public reposts (the old
  "retweets"), so they are the canonical ``shares``; X's "Shares" counts private shares (DM, copy
  link, share sheet) and is kept as ``dm_shares``. "Engagements" is X's own total (it counts
  detail expands and clicks too), kept as ``engagements_reported``, not recomputed.
- **X post text** is HTML-unescaped ("Q&amp;A" → "Q&A", "&lt;3" → "<3"): X writes it escaped.
- **X format** is "text": neither X export says whether a post had media.
- **X post ids** are text. When the id cell was mangled by a spreadsheet ("1.85391E+18") or is
  missing, the id in the link (…/status/NNN) is used.
- **Paid**: the legacy export marks a post paid when its promoted impressions are above 0.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from helpers.ingest.kinds.common import cols, daily_finish, is_missing, posts_defaults, require_post_id, text_series
from helpers.ingest.types import ExportKind, Grid, ImportContext

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
        text = None if is_missing(pid) else str(pid).strip()
        match = _X_STATUS.search(link) if isinstance(link, str) else None
        if (text is None or not text.isdigit()) and match:
            text = match.group(1)          # missing, or mangled by a spreadsheet ("1.85411E+18")
        fixed.append(text)
    frame["post_id"] = text_series(fixed, frame.index)
    if "title" in frame:   # X writes the post text HTML-escaped ("Q&amp;A")
        frame["title"] = text_series([v if is_missing(v) else html.unescape(str(v)) for v in frame["title"]],
                                     frame.index)
    frame = require_post_id(frame, grid, "Post id or link")
    if "promoted_impressions" in frame:
        frame["paid"] = (frame["promoted_impressions"].fillna(0) > 0).to_numpy()
    frame["format"] = pd.Series("text", index=frame.index, dtype="string")
    return posts_defaults(frame)


X_POSTS = ExportKind(
    name="x_posts",
    title="X post analytics export (per post)",
    platforms=("x",),
    table="posts",
    columns=cols(
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
    columns=cols(
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


X_ACCOUNT_OVERVIEW = ExportKind(
    name="x_account_overview",
    title="X account overview export (per day)",
    platforms=("x",),
    table="account_daily",
    columns=cols(
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
    finish=daily_finish,
)

#: The kinds of this family, in registration order.
KINDS: tuple[ExportKind, ...] = (X_POSTS, X_POSTS_LEGACY, X_ACCOUNT_OVERVIEW)
