"""Topic bank scoring: expected performance (from what_works) × strategic weight, ranked, with a reason per topic.

score = expected ER index × strategic_weight, where the expected ER index is the topic's expected
engagement rate (``expected_performance``: pillar × format × platform, falling back to pillar ×
platform, then platform) divided by the platform's mean ER. Dividing by the platform mean makes
scores comparable across platforms (Xiaohongshu's typical ER is about twice WeChat's); within one
platform the ranking is the same as by expected ER × weight. A missing strategic weight counts as
1.0 (neutral) and the reason says so. Ranks are per platform (1 = best): a calendar fills each
platform's slots from its own ranking.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers import i18n
from helpers.errors import DataError, ParameterError, require_columns
from helpers.i18n import N_, _, ngettext
from helpers.planning.performance import FALLBACK_LEVELS, Expectation, expected_performance
from helpers.planning.schedule import format_name

__all__ = ["DEFAULT_WEIGHT", "score_topics", "topic_reason"]

#: The strategic weight a topic without one gets (neutral).
DEFAULT_WEIGHT = 1.0
_FINEST = "×".join(FALLBACK_LEVELS[0])


def _weights(topic_bank: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Strategic weight per topic (missing → 1.0) and whether it was given; DataError on text or negatives."""
    if "strategic_weight" not in topic_bank.columns:
        return (pd.Series(DEFAULT_WEIGHT, index=topic_bank.index, dtype="float64"),
                pd.Series(False, index=topic_bank.index))
    raw = topic_bank["strategic_weight"]
    numeric = pd.to_numeric(raw, errors="coerce")
    bad = raw.notna() & numeric.isna() & raw.astype("str").str.strip().ne("")
    if bad.any():
        raise DataError(f"topic_bank.strategic_weight must be numbers; got {raw[bad].head(3).tolist()} "
                        f"for topic(s) {topic_bank.loc[bad, 'topic'].head(3).tolist()}.")
    if (numeric < 0).any():
        raise DataError(f"topic_bank.strategic_weight must be ≥ 0; topic(s) "
                        f"{topic_bank.loc[numeric < 0, 'topic'].head(3).tolist()} have negative weights.")
    given = numeric.notna()
    return numeric.fillna(DEFAULT_WEIGHT).astype("float64"), given


def _label(value: object) -> str:
    """Text of a pillar/format, '(no pillar)' style placeholders for missing values."""
    return "?" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


_LEVEL_NAMES: dict[str, str] = {"pillar×format×platform": N_("pillar × format"), "pillar×platform": N_("pillar"),
                                 "platform": N_("platform")}
_BASE_NAMES: dict[str, str] = {"impressions": N_("impressions"), "reach": N_("reach"), "views": N_("views"),
                               "followers": N_("followers")}


def _level(level: str) -> str:
    return _(_LEVEL_NAMES[level]) if level in _LEVEL_NAMES else level


def topic_reason(topic: str, expectation: Expectation, weight: float, weight_given: bool, min_posts: int,
                 format_fit: bool = True) -> str:
    """One sentence from the numbers, in the run's language: 'pillar format on platform: ER x% (k× platform mean,
    n posts) × weight w = score s', plus the fallback level, thinness and format fit when they apply."""
    e = expectation
    platform = i18n.platform_name(e.platform)
    head = _("{topic} — {pillar} {format} on {platform}").format(topic=topic, pillar=_label(e.pillar),
                                                                format=format_name(_label(e.format)),
                                                                platform=platform)
    weight_text = (_("weight {w}") if weight_given else _("weight {w} (none given, neutral)")).format(w=f"{weight:g}")
    if e.level == "none":
        return _("{head}: no own posts with an ER on {platform}, so no estimate × {weight}").format(
            head=head, platform=platform, weight=weight_text)
    basis = (ngettext("{n} post", "{n} posts", e.posts).format(n=e.posts) if e.level == _FINEST
             else _("{n} posts at {level} level").format(n=e.posts, level=_level(e.level)))
    fallback = ""
    if e.level != _FINEST:
        fallback = "; " + _("fewer than {n} posts of this pillar × format here, estimate from {level}").format(
            n=min_posts, level=_level(e.level))
    thin = "; " + _("thin: under {n} posts").format(n=min_posts) if not e.reliable else ""
    fit = "" if format_fit else "; " + _("no own {format} posts on {platform} yet: adapt the format").format(
        format=format_name(_label(e.format)), platform=platform)
    base = _(_BASE_NAMES[e.er_base]) if e.er_base in _BASE_NAMES else e.er_base
    return _("{head}: ER {er} by {base} ({index}× platform mean, {basis}) × {weight} = score {score}").format(
        head=head, er=i18n.fmt_percent(e.er), base=base, index=f"{e.index:.2f}", basis=basis, weight=weight_text,
        score=f"{e.index * weight:.2f}") + fallback + thin + fit


def score_topics(topic_bank: pd.DataFrame, what_works_table: pd.DataFrame,
                 platforms: str | Sequence[str] | None = None) -> pd.DataFrame:
    """One row per topic × platform: expected ER and level used, weight, score, per-platform rank and a reason.

    Columns: topic, pillar, format, platform, expected_er, er_ci_low, er_ci_high, er_base, posts
    (behind the estimate), level, reliable, platform_er_mean, er_index, strategic_weight,
    weight_given, format_fit (the platform has own posts in the topic's format; False = the story must
    be adapted, e.g. a carousel topic on Douyin), score (= er_index × strategic_weight, NaN without
    history), rank (per platform, 1 = best, topics without an estimate last), reason. ``platforms``
    default: every platform in the table. format_fit informs, it does not change the score.
    """
    require_columns(topic_bank, ("topic", "pillar", "format"), "topic_bank")
    if topic_bank.empty:
        raise DataError("The topic bank is empty: add candidate topics (topic, pillar, format, optional "
                        "strategic_weight) to topic_bank before scoring or planning a calendar.")
    require_columns(what_works_table, ("platform",), "what_works table", "Build it with what_works(posts, accounts).")
    known = sorted(what_works_table["platform"].dropna().unique())
    if platforms is None:
        wanted = known
    else:
        wanted = [platforms] if isinstance(platforms, str) else list(dict.fromkeys(platforms))
    if not wanted:
        raise ParameterError(f"No platforms to score for; the what_works table has {known}.")
    min_posts = int(what_works_table.attrs.get("min_posts", 5))
    weights, given = _weights(topic_bank)
    posted: set[tuple[object, object]] = set()
    if "format" in what_works_table.columns:
        posted = set(zip(what_works_table["platform"], what_works_table["format"], strict=True))
    rows = []
    for platform in wanted:
        for idx, topic in topic_bank.iterrows():
            e = expected_performance(what_works_table, topic["pillar"], topic["format"], platform)
            w = float(weights[idx])
            fit = (platform, topic["format"]) in posted
            rows.append({
                "topic": topic["topic"], "pillar": topic["pillar"], "format": topic["format"], "platform": platform,
                "expected_er": e.er, "er_ci_low": e.ci_low, "er_ci_high": e.ci_high, "er_base": e.er_base,
                "posts": e.posts, "level": e.level, "reliable": e.reliable, "platform_er_mean": e.platform_er,
                "er_index": e.index, "strategic_weight": w, "weight_given": bool(given[idx]),
                "format_fit": fit, "score": e.index * w,
                "reason": topic_reason(str(topic["topic"]), e, w, bool(given[idx]), min_posts, fit),
            })
    table = pd.DataFrame(rows)
    table["rank"] = (table.groupby("platform")["score"].rank(method="first", ascending=False, na_option="bottom")
                     .astype("int64"))
    table = table.sort_values(["platform", "rank"], kind="stable").reset_index(drop=True)
    order = ["topic", "pillar", "format", "platform", "rank", "score", "expected_er", "er_ci_low", "er_ci_high",
             "er_base", "posts", "level", "reliable", "platform_er_mean", "er_index", "strategic_weight",
             "weight_given", "format_fit", "reason"]
    return table[order]
