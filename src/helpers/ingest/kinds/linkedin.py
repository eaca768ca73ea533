"""LinkedIn (Page analytics › Content › Export, .xls with several sheets): daily metrics and posts.

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
- **Paid**: a post is paid when its Post type says "Sponsored".
"""

from __future__ import annotations

import re

import pandas as pd

from helpers.ingest.kinds.common import cols, daily_finish, is_missing, posts_defaults, require_post_id, text_series
from helpers.ingest.types import ExportKind, Grid, ImportContext


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
    finish=daily_finish,
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
            ids.append(None if is_missing(link) else str(link).strip())
    frame["post_id"] = text_series(ids, frame.index)
    frame = require_post_id(frame, grid, "Post link")
    if "post_type" in frame:
        frame["paid"] = frame["post_type"].map(
            lambda v: isinstance(v, str) and "sponsored" in v.casefold()).fillna(False).to_numpy(dtype=bool)
    content = frame["content_type"] if "content_type" in frame else pd.Series(pd.NA, index=frame.index)
    frame["format"] = pd.Series(
        [_LINKEDIN_FORMATS.get(v.strip().casefold(), "text") if isinstance(v, str) else "text" for v in content],
        index=frame.index, dtype="string")
    return posts_defaults(frame)


LINKEDIN_POSTS = ExportKind(
    name="linkedin_posts",
    title="LinkedIn Page content export, All posts sheet (per post)",
    platforms=("linkedin",),
    table="posts",
    columns=cols(
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

#: The kinds of this family, in registration order.
KINDS: tuple[ExportKind, ...] = (LINKEDIN_PAGE_METRICS, LINKEDIN_POSTS)
