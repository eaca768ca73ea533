"""Multi-platform adaptation (一稿多发): the same story re-cut per platform, with each platform's conventions.

METHODOLOGY.md §5: a long video becomes short clips plus a text/image explainer; Weibo takes
~200 characters, Xiaohongshu ~800. `CONVENTIONS` is the documented table; `adapt_topic` turns one
(flagship) topic into one row per platform saying the format, the length, what it is re-cut from and
what to make.

| platform        | format      | length                                  |
|-----------------|-------------|-----------------------------------------|
| weibo           | image       | ~200 characters + 3–9 images            |
| xiaohongshu     | carousel    | ~800 characters, 6–9 images with a cover|
| douyin          | short_video | 15–60 s, vertical 9:16                  |
| bilibili        | video       | 5–15 min, horizontal 16:9               |
| wechat          | article     | 1,500–2,500 characters                  |
| wechat_channels | short_video | 30–90 s, vertical                       |
| zhihu           | article     | 1,000–3,000 characters (answer)         |
| tiktok          | short_video | 15–60 s, vertical 9:16                  |
| instagram       | carousel    | 5–10 slides, caption ~150 words         |
| facebook        | video       | 1–3 min, square or vertical             |
| youtube         | video       | 8–15 min (+ a ≤ 60 s Short)             |
| x               | text        | ≤ 280 characters (+ image or thread)    |
| linkedin        | text        | 150–300 words (+ document carousel)     |
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from helpers import i18n
from helpers.errors import ParameterError
from helpers.i18n import N_, _
from helpers.planning.schedule import format_name
from helpers.schema import POST_FORMATS

ADAPT_COLUMNS: tuple[str, ...] = ("platform", "format", "length", "derived_from", "version")
_VIDEO = frozenset({"video", "live"})          # long-form sources
_SHORT = frozenset({"short_video"})
_VISUAL = frozenset({"image", "carousel"})
_TEXT = frozenset({"text", "article"})


@dataclass(frozen=True)
class Convention:
    """How one platform takes a derived version: format, length (as shown to people) and what to make."""

    platform: str
    format: str
    length: str
    make: str

    def __repr__(self) -> str:
        return f"Convention({self.platform}: {self.format}, {self.length})"


CONVENTIONS: dict[str, Convention] = {c.platform: c for c in (
    Convention("weibo", "image", N_("~200 characters + 3–9 images"),
               N_("a ~200-character hook with the key points, 3–9 images, 1–2 hashtags and a link to the full piece")),
    Convention("xiaohongshu", "carousel", N_("~800 characters, 6–9 images with a cover"),
               N_("an image note: a cover with the title on it, 6–9 step images and ~800 characters of "
               "first-person notes")),
    Convention("douyin", "short_video", N_("15–60 s, vertical 9:16"),
               N_("a vertical clip with the strongest moment in the first 3 seconds and captions on screen")),
    Convention("bilibili", "video", N_("5–15 min, horizontal 16:9"),
               N_("a long video with chapters, a strong cover and an opening that states the payoff")),
    Convention("wechat", "article", N_("1,500–2,500 characters"),
               N_("a long-form article with a headline, 3–5 sub-heads, images and a call to action at the end")),
    Convention("wechat_channels", "short_video", N_("30–90 s, vertical"),
               N_("a vertical clip linked to the official-account article, captions on screen")),
    Convention("zhihu", "article", N_("1,000–3,000 characters (answer)"),
               N_("an answer to a matching question: conclusion first, then evidence and sources")),
    Convention("tiktok", "short_video", N_("15–60 s, vertical 9:16"),
               N_("a vertical clip with a hook in the first 2 seconds, on-screen text and a trending sound")),
    Convention("instagram", "carousel", N_("5–10 slides, caption ~150 words"),
               N_("a carousel with a title slide, one point per slide and a save-worthy summary slide")),
    Convention("facebook", "video", N_("1–3 min, square or vertical"),
               N_("a short native video with captions (most watch muted) and a question to start comments")),
    Convention("youtube", "video", N_("8–15 min (+ a ≤ 60 s Short)"),
               N_("a long video with chapters and a custom thumbnail, plus a Short cut from its best minute")),
    Convention("x", "text", N_("≤ 280 characters (+ image or thread)"),
               N_("a post of ≤ 280 characters with one image, or a 3–6 post thread for the key points")),
    Convention("linkedin", "text", N_("150–300 words (+ document carousel)"),
               N_("a 150–300-word post with a professional takeaway, optionally a PDF carousel of the key points")),
)}


def _recut(source: str, target: str) -> str:
    """What the derived version is made from, given the source format and the target format (run's language)."""
    src, tgt = format_name(source), format_name(target)
    if source == target:
        return _("the original {source}, fitted to the platform's length").format(source=src)
    if source in _VIDEO:
        long = _("the live replay") if source == "live" else _("the long video")
        if target in _SHORT:
            return _("short clips cut from {long}").format(long=long)
        if target in _VIDEO:
            return _("{long}, edited to the platform's length").format(long=long)
        if target in _VISUAL:
            return _("a text/image explainer from {long}: key points as text, screenshots as images").format(long=long)
        return _("a text explainer written from the script and key points of {long}").format(long=long)
    if source in _SHORT:
        if target in _VIDEO:
            return _("an expanded long video built around the short video (re-shoot with more depth)")
        if target in _VISUAL:
            return _("a text/image explainer from the short video: frames as images, script as text")
        return _("a text explainer written from the short video's script")
    if source in _TEXT:
        if target in _SHORT:
            return _("a short video scripted from the key points of the {source}").format(source=src)
        if target in _VIDEO:
            return _("a long video scripted from the {source}").format(source=src)
        if target in _VISUAL:
            return _("an image/carousel version of the {source}: one key point per image").format(source=src)
        if source == "article":
            return _("a condensed text version of the {source}").format(source=src)
        return _("an expanded text version of the {source}").format(source=src)
    # image or carousel sources
    if target in _SHORT:
        return _("a short slideshow video from the images of the {source}, with voice-over").format(source=src)
    if target in _VIDEO:
        return _("a long video scripted from the points of the {source}").format(source=src)
    if target in _TEXT:
        return _("a text version of the notes of the {source}").format(source=src)
    return _("the images of the {source} re-arranged as a {target}").format(source=src, target=tgt)


def adapt_topic(topic: str, pillar: str, source_format: str, platforms: Sequence[str]) -> pd.DataFrame:
    """One row per platform: the derived version of a topic with that platform's format, length and re-cut source."""
    if not str(topic).strip():
        raise ParameterError("adapt_topic needs a topic (got an empty one).")
    if source_format not in POST_FORMATS:
        raise ParameterError(f"source_format {source_format!r} must be one of {', '.join(POST_FORMATS)}.")
    if isinstance(platforms, str):
        platforms = [platforms]
    if not platforms:
        raise ParameterError(f"platforms is empty; choose from {', '.join(CONVENTIONS)}.")
    unknown = [p for p in platforms if p not in CONVENTIONS]
    if unknown:
        raise ParameterError(f"unknown platform(s) {unknown}; known: {', '.join(CONVENTIONS)}.")
    rows = []
    for p in dict.fromkeys(platforms):
        c = CONVENTIONS[p]
        rows.append({"platform": p, "format": c.format, "length": _(c.length),
                     "derived_from": _recut(source_format, c.format),
                     "version": _("“{topic}” ({pillar}) on {platform}: {make}.").format(
                         topic=topic, pillar=pillar, platform=i18n.platform_name(p), make=_(c.make))})
    return pd.DataFrame(rows, columns=list(ADAPT_COLUMNS))


def adapt_story(story: pd.Series | None, platforms: Sequence[str]) -> pd.DataFrame:
    """adapt_topic for a calendar slot (topic, pillar, format); an empty table when there is no story."""
    if story is None:
        return pd.DataFrame(columns=list(ADAPT_COLUMNS))
    return adapt_topic(story["topic"], story["pillar"], story["format"], platforms)
