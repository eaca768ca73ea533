"""YouTube Studio: the advanced mode's "Table data.csv", one row per video.

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

Decisions
---------
- **YouTube follows.** "Subscribers" in Table data is the net change (gained − lost) and can be
  negative, which a follows count cannot be. follows ← "Subscribers gained" when the export has
  that column; otherwise follows ← Subscribers when it is 0 or more, and missing when it is
  negative (the gains are then unknown). The net count is always kept as subscribers_net.
- **YouTube Shorts** are recognised by duration ≤ 60 s, as asked (YouTube allows Shorts up to 3 min
  since October 2024; the export does not say which videos are Shorts).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.ingest.kinds.common import cols, drop_rows, line_of, posts_defaults, require_post_id
from helpers.ingest.types import ExportKind, Grid, ImportContext

SHORT_MAX_S = 60.0


def _youtube_finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
    total = frame["post_id"].map(lambda v: isinstance(v, str) and v.strip().casefold() == "total")
    total = total.fillna(False).to_numpy(dtype=bool)
    messages = [f"line {line_of(frame, i)}: the Total row (channel totals), not a video"
                for i in range(len(frame)) if total[i]]
    frame = drop_rows(frame, total, messages)
    frame = require_post_id(frame, grid, "Content (video id)")
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
    return posts_defaults(frame)


YOUTUBE_TABLE_DATA = ExportKind(
    name="youtube_table_data",
    title="YouTube Studio advanced mode \"Table data.csv\" (per video)",
    platforms=("youtube",),
    table="posts",
    columns=cols(
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

#: The kinds of this family, in registration order.
KINDS: tuple[ExportKind, ...] = (YOUTUBE_TABLE_DATA,)
