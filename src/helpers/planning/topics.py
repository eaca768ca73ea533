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

from helpers.errors import DataError, ParameterError, require_columns
from helpers.planning.performance import FALLBACK_LEVELS, Expectation, expected_performance

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


def topic_reason(topic: str, expectation: Expectation, weight: float, weight_given: bool, min_posts: int,
                 format_fit: bool = True) -> str:
    """One sentence from the numbers: 'pillar format on platform: ER x% (k× platform mean, n posts) × weight w'."""
    e = expectation
    head = f"{topic} — {_label(e.pillar)} {_label(e.format)} on {e.platform}"
    weight_text = f"weight {weight:g}" if weight_given else f"weight {weight:g} (none given, neutral)"
    if e.level == "none":
        return f"{head}: no own posts with an ER on {e.platform}, so no estimate × {weight_text}"
    basis = f"{e.posts} posts" if e.level == _FINEST else f"{e.posts} posts at {e.level} level"
    fallback = ""
    if e.level != _FINEST:
        fallback = f"; fewer than {min_posts} posts of this pillar × format here, estimate from {e.level}"
    thin = f"; thin: under {min_posts} posts" if not e.reliable else ""
    fit = "" if format_fit else f"; no own {_label(e.format)} posts on {e.platform} yet: adapt the format"
    return (f"{head}: ER {e.er:.1%} by {e.er_base} ({e.index:.2f}× platform mean, {basis}) × {weight_text} "
            f"= score {e.index * weight:.2f}{fallback}{thin}{fit}")


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
