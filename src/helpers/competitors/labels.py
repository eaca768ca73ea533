"""Names a reader sees for the competitor analysis' codes: formats, dimensions, kinds, traits, columns.

Codes (``short_video``, ``under-served``, ``Mon``) stay in the CSV files and summary.json; what the
report shows goes through these functions, in the run's language (``helpers.i18n``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from helpers import i18n
from helpers.i18n import N_, _

#: Dimensions of the content comparisons.
DIMENSION_NAMES: dict[str, str] = {"pillar": N_("pillar"), "format": N_("format"), "topic": N_("topic tag"),
                                   "topics": N_("topic tag"), "weekday": N_("weekday"),
                                   "hour_band": N_("time of day")}
#: Kinds of an opportunity row.
KIND_NAMES: dict[str, str] = {"under-served": N_("under-served"), "over-invested": N_("over-invested"),
                              "crowded": N_("crowded"), "own strength": N_("own strength"), "neutral": N_("neutral")}
#: Weekday codes of the posting-time tables.
WEEKDAY_NAMES: dict[str, str] = {"Mon": N_("Mon"), "Tue": N_("Tue"), "Wed": N_("Wed"), "Thu": N_("Thu"),
                                 "Fri": N_("Fri"), "Sat": N_("Sat"), "Sun": N_("Sun")}
#: The engagement-rate base as one word.
BASE_WORDS: dict[str, str] = {"followers": N_("followers"), "views": N_("views")}
#: Verdicts of relative_to_field.
VERDICT_NAMES: dict[str, str] = {"strength": N_("strength"), "weakness": N_("weakness"), "in line": N_("in line"),
                                 "no data": N_("no data"), "not comparable": N_("not comparable")}
#: Roles of a benchmark row.
ROLE_NAMES: dict[str, str] = {"own": N_("own account"), "competitor": N_("competitor"), "field": N_("competitor"),
                              "field median": N_("field median")}


def _named(table: Mapping[str, str], code: object) -> str:
    text = str(code)
    return _(table[text]) if text in table else text


def format_name(code: object) -> str:
    """A post format as a reader names it: 'short_video' → 短视频 / short video; unknown codes as given."""
    return i18n.format_name(code)


def dimension_name(code: object) -> str:
    """'pillar' → 内容支柱 / pillar."""
    return _named(DIMENSION_NAMES, code)


def kind_name(code: object) -> str:
    """'under-served' → 蓝海（被低估） / under-served."""
    return _named(KIND_NAMES, code)


def weekday_name(code: object) -> str:
    """'Mon' → 周一 / Mon."""
    return _named(WEEKDAY_NAMES, code)


def verdict_name(code: object) -> str:
    """'strength' → 优势 / strength."""
    return _named(VERDICT_NAMES, code)


def role_name(code: object) -> str:
    """'own' → 我方账号 / own account."""
    return _named(ROLE_NAMES, code)


def category_name(dimension: object, category: object) -> str:
    """A category of a dimension as shown: formats by their name, pillars and topics as in the data."""
    return format_name(category) if str(dimension) == "format" else str(category)


def trait_value(trait: object, value: object) -> str:
    """A hit trait's value as shown: formats and weekdays named, hours and data text as given."""
    if str(trait) == "format":
        return format_name(value)
    if str(trait) == "weekday":
        return weekday_name(value)
    return str(value)


def account_names(frame: pd.DataFrame, names: Mapping[str, str] | None, column: str = "account_id") -> pd.DataFrame:
    """``frame`` with account ids in ``column`` replaced by display names (ids without a name kept)."""
    if not names or column not in frame.columns:
        return frame
    return frame.assign(**{column: frame[column].map(lambda a: names.get(str(a), a))})
