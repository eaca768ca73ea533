"""How the audience report names its machine values for a reader, in the run's language.

The tables and summary.json keep the machine values (segment "can't lose", event "view", cluster
name "light likers", format "short_video"); what the report shows goes through these functions,
so a zh-CN report reads 重要挽留用户, 浏览, 轻度点赞用户, 短视频 and an English one reads plain words.
"""

from __future__ import annotations

import re

import pandas as pd

from helpers import i18n
from helpers.i18n import N_, _

MISSING = "(missing)"

SEGMENT_LABELS: dict[str, str] = {
    "champions": N_("champions"), "loyal": N_("loyal"), "can't lose": N_("can't lose"),
    "potential loyalists": N_("potential loyalists"), "new": N_("new"), "promising": N_("promising"),
    "need attention": N_("need attention"), "about to sleep": N_("about to sleep"), "at risk": N_("at-risk users"),
    "hibernating": N_("hibernating"),
}
GROUP_LABELS: dict[str, str] = {"high-value": N_("high-value"), "potential": N_("potential"),
                                "dormant": N_("dormant")}
EVENT_LABELS: dict[str, str] = {
    "view": N_("view"), "like": N_("like"), "comment": N_("comment"), "share": N_("share"), "save": N_("save"),
    "click": N_("click"), "message": N_("message"), "purchase": N_("purchase"), "follow": N_("follow"),
    "unfollow": N_("unfollow"),
}
ATTRIBUTE_LABELS: dict[str, str] = {"gender": N_("Gender"), "age_band": N_("Age band"), "region": N_("Region"),
                                    "city_tier": N_("City tier"), "device": N_("Device")}
CLUSTER_WORDS: dict[str, str] = {
    "lapsing": N_("lapsing"), "heavy": N_("heavy"), "light": N_("light"), "evening": N_("evening"),
}
CLUSTER_NOUNS: dict[str, str] = {
    "buyers": N_("buyers"), "sharers": N_("sharers"), "commenters": N_("commenters"), "savers": N_("savers"),
    "clickers": N_("clickers"), "messagers": N_("messagers"), "likers": N_("likers"), "browsers": N_("browsers"),
    "lurkers": N_("lurkers"), "heavy users": N_("heavy users"), "typical users": N_("typical users"),
}


def _lookup(labels: dict[str, str], value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return i18n.MISSING
    text = str(value)
    if text == MISSING:
        return _("(missing)")
    return _(labels[text]) if text in labels else text


def segment(name: object) -> str:
    """An RFM segment as a reader names it (重要挽留用户 / can't lose); English keeps the grid's names."""
    if not i18n.is_chinese() and str(name) in SEGMENT_LABELS:
        return str(name)
    return _lookup(SEGMENT_LABELS, name)


def group(name: object) -> str:
    """A value group (高价值 / high-value)."""
    return _lookup(GROUP_LABELS, name)


def event(name: object) -> str:
    """An interaction event (浏览 / view)."""
    return _lookup(EVENT_LABELS, name)


def path(text: object) -> str:
    """An event path 'view → like' in words (浏览 → 点赞)."""
    return " → ".join(event(part.strip()) for part in str(text).split("→"))


def post_format(name: object) -> str:
    """A post format (短视频 / short video); unknown formats as given."""
    if name is None or (not isinstance(name, str) and pd.isna(name)) or str(name) == MISSING:
        return _lookup({}, name)  # missing as the other labels show it
    return i18n.format_name(name)


def attribute(name: object) -> str:
    """A demographic attribute (性别 / Gender)."""
    return _lookup(ATTRIBUTE_LABELS, name)


#: Demographic values exports write in Chinese or English, named in the run's language; others stay as written.
DATA_VALUES: dict[str, str] = {
    "女": N_("female"), "female": N_("female"), "F": N_("female"), "男": N_("male"), "male": N_("male"),
    "M": N_("male"), "未知": N_("unknown"), "unknown": N_("unknown"),
    "一线": N_("tier 1"), "新一线": N_("new tier 1"), "二线": N_("tier 2"), "三线": N_("tier 3"),
    "四线": N_("tier 4"), "五线": N_("tier 5"), "四线及以下": N_("tier 4 and below"),
}


def value(text: object) -> str:
    """A data value as shown: gender and city tier in the run's language, other values as written, '(missing)'."""
    return _lookup(DATA_VALUES, text)


_SUFFIX = re.compile(r"^(.*?)(?: #(\d+))?$")


def cluster(name: object) -> str:
    """A behaviour cluster name ('lapsing light sharers #3') in words: 沉寂中的轻度分享用户 #3."""
    match = _SUFFIX.match(str(name))
    base, number = (match.group(1), match.group(2)) if match else (str(name), None)
    noun = next((n for n in sorted(CLUSTER_NOUNS, key=len, reverse=True) if base == n or base.endswith(" " + n)),
                None)
    if noun is None:
        return str(name)
    words = base[: len(base) - len(noun)].split()
    if any(w not in CLUSTER_WORDS for w in words):
        return str(name)
    parts = [_(CLUSTER_WORDS[w]) for w in words] + [_(CLUSTER_NOUNS[noun])]
    text = ("" if i18n.is_chinese() else " ").join(parts)
    return text + (f" #{number}" if number else "")


def hour(value: object) -> str:
    """A clock hour 21 as '21:00' (missing as –)."""
    if value is None or pd.isna(value):
        return i18n.MISSING
    return f"{int(value) % 24:02d}:00"  # type: ignore[call-overload]
