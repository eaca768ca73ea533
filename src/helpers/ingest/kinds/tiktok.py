"""TikTok Studio (Analytics › Download data, one CSV per tab): daily, follower and content exports.

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
  likes / comments / shares / views, Add to favorites → saves, Average watch time → avg_watch_s
  (seconds), Watched full video → completion_rate ("34.6%" → 0.346); format short_video, except
  photo-mode posts (a …/photo/NNN link: a swipeable set of images) which are carousel. The "Time"
  column (the export's period) is not imported. TikTok dates without a year ("November 3", "3 nov.")
  are placed as one run per column (helpers.ingest.values.yearless_window): its latest date takes the
  latest year on or before the import's reference date (--as-of, else the file's time).
"""

from __future__ import annotations

import re

import pandas as pd

from helpers.ingest.kinds.common import (
    cols,
    daily_finish,
    drop_rows,
    drop_undated,
    is_missing,
    line_of,
    posts_defaults,
    require_post_id,
    text_series,
)
from helpers.ingest.types import ExportKind, Grid, ImportContext, ImportFileError

TIKTOK_OVERVIEW = ExportKind(
    name="tiktok_overview",
    title="TikTok Studio Overview.csv (per day)",
    platforms=("tiktok",),
    table="account_daily",
    columns=cols(
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
    finish=daily_finish,
)

TIKTOK_FOLLOWER_HISTORY = ExportKind(
    name="tiktok_follower_history",
    title="TikTok Studio FollowerHistory.csv (per day)",
    platforms=("tiktok",),
    table="account_daily",
    columns=cols(
        date=("Date",),
        followers=("Followers",),
        followers_net=("Difference in followers from previous day", "Difference in followers"),
    ),
    required=("date", "followers", "followers_net"),
    parse={"date": "date", "followers": "count", "followers_net": "number"},
    finish=daily_finish,
)


def _activity_finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
    frame = drop_undated(frame, grid)
    hours = frame["hour"]
    wrong = (hours.notna() & ((hours < 0) | (hours > 23) | (hours % 1 != 0))).to_numpy()
    if wrong.any():
        lines = ", ".join(line_of(frame, i) for i in range(len(frame)) if wrong[i])
        raise ImportFileError(f"{grid.where}: Hour must be a whole hour 0–23 (line(s) {lines}); fix those cells "
                              "or download the export again.")
    no_hour = hours.isna().to_numpy()
    messages = [f"{grid.where} line {line_of(frame, i)}: no hour — row skipped"
                for i in range(len(frame)) if no_hour[i]]
    frame = drop_rows(frame, no_hour, messages)
    attrs = dict(frame.attrs)
    frame = frame.assign(hour=frame["hour"].astype("Int64"))
    frame.attrs = attrs
    return frame


TIKTOK_FOLLOWER_ACTIVITY = ExportKind(
    name="tiktok_follower_activity",
    title="TikTok Studio FollowerActivity.csv (per day and hour)",
    platforms=("tiktok",),
    table="follower_activity",
    columns=cols(date=("Date",), hour=("Hour",), active_followers=("Active followers",)),
    required=("date", "hour", "active_followers"),
    parse={"date": "date", "hour": "number", "active_followers": "count"},
    finish=_activity_finish,
)


def _demographics_finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
    no_category = frame["category"].isna().to_numpy()
    messages = [f"{grid.where} line {line_of(frame, i)}: no category — row skipped"
                for i in range(len(frame)) if no_category[i]]
    frame = drop_rows(frame, no_category, messages)
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
    columns=cols(category=("Gender",), share=("Distribution",)),
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
    columns=cols(category=("Top territories", "Territories", "Territory"), share=("Distribution",)),
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
        ids.append(match.group(2) if match else (None if is_missing(link) else str(link).strip()))
        formats.append("carousel" if match and match.group(1) == "photo" else "short_video")
    frame["post_id"] = text_series(ids, frame.index)
    frame["format"] = pd.Series(formats, index=frame.index, dtype="string")
    frame = require_post_id(frame, grid, "Video link")
    return posts_defaults(frame)


TIKTOK_CONTENT = ExportKind(
    name="tiktok_content",
    title="TikTok Studio Content.csv (per video)",
    platforms=("tiktok",),
    table="posts",
    columns=cols(
        title=("Video title",),
        link=("Video link",),
        published_at=("Post time",),
        likes=("Total likes",),
        comments=("Total comments",),
        shares=("Total shares",),
        views=("Total views",),
        saves=("Add to favorites", "Total favorites", "Favorites"),
        avg_watch_s=("Average watch time",),
        completion_rate=("Watched full video", "Watched full video (%)"),
    ),
    required=("title", "link"),
    parse={"published_at": "datetime", "likes": "count", "comments": "count", "shares": "count",
           "views": "count", "saves": "count", "avg_watch_s": "duration", "completion_rate": "rate"},
    constants={"format": "short_video", "paid": False},
    finish=_tiktok_content_finish,
)

#: The kinds of this family, in registration order.
KINDS: tuple[ExportKind, ...] = (
    TIKTOK_OVERVIEW, TIKTOK_FOLLOWER_HISTORY, TIKTOK_FOLLOWER_ACTIVITY, TIKTOK_FOLLOWER_GENDER,
    TIKTOK_FOLLOWER_TERRITORIES, TIKTOK_CONTENT,
)
