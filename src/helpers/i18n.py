"""The language of everything the suite writes for people: zh-CN or en, with numbers in the locale's style.

Messages are written in English in the code and marked with ``_()`` (or ``N_()`` where a table of
labels is built at import time and translated when shown); the zh-CN translations live in gettext
catalogs, ``helpers/locale/zh_CN/<package>.po``, read with Babel. English is the source language,
so an English message needs no catalog entry; ``tests/test_i18n_catalog.py`` fails when a marked
message has no zh-CN translation or the placeholders of a translation differ from its message.

The language is one setting per run (``set_language``, called by each analysis' ``session.prepare``
with the notebook's ``lang`` parameter). It is a module setting rather than a context variable on
purpose: IPython runs each cell in a fresh copy of the context, which would forget it.

Machine keys (summary.json keys, CSV column names, status codes) stay English; only what a person
reads changes with the language.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pandas as pd

from helpers.errors import ParameterError

LANGUAGES: tuple[str, ...] = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"
#: Environment variable that sets the language of every run that does not set `lang` itself.
ENV_VAR = "OPSBOOK_LANG"
LOCALE_DIR = Path(__file__).parent / "locale"
#: Babel locale of each language.
BABEL_LOCALE = {"zh-CN": "zh_Hans_CN", "en": "en"}
MISSING = "–"
MINUS = "−"

_language: str = DEFAULT_LANGUAGE


def resolve_language(value: str | None = None) -> str:
    """The run's language: `value` when given, else $OPSBOOK_LANG, else zh-CN; anything else is a ParameterError."""
    chosen = (value or "").strip() or os.environ.get(ENV_VAR, "").strip() or DEFAULT_LANGUAGE
    aliases = {"zh": "zh-CN", "zh_CN": "zh-CN", "zh-cn": "zh-CN", "zh-Hans": "zh-CN", "en-US": "en", "en_US": "en"}
    chosen = aliases.get(chosen, chosen)
    if chosen not in LANGUAGES:
        source = "lang" if (value or "").strip() else ENV_VAR
        raise ParameterError(f"{source} must be one of {', '.join(LANGUAGES)}; got {chosen!r}. "
                             f"Set it with -p lang en (or zh-CN), or export {ENV_VAR}=en for every run.")
    return chosen


def set_language(lang: str | None = None) -> str:
    """Make `lang` (resolved as `resolve_language` does) the language of what follows; return it."""
    global _language
    _language = resolve_language(lang)
    return _language


def current_language() -> str:
    """The language set for this run (zh-CN until a run sets another)."""
    return _language


@contextmanager
def use_language(lang: str) -> Iterator[str]:
    """Temporarily write in `lang` (tests, and rendering one result in both languages)."""
    global _language
    previous = _language
    _language = resolve_language(lang)
    try:
        yield _language
    finally:
        _language = previous


def listed(items: Iterable[str]) -> str:
    """Items in running text: 抖音、小红书 / Douyin, Xiaohongshu; none as 无 / none."""
    items = list(items)
    if not items:
        return gettext("none")
    return ("、" if is_chinese() else ", ").join(items)


def punctuation(kind: str) -> str:
    """A separator in the current language: "colon" (：/: ), "semicolon" (；/; ) or "comma" (，/, )."""
    marks = {"colon": ("：", ": "), "semicolon": ("；", "; "), "comma": ("，", ", ")}
    return marks[kind][0 if is_chinese() else 1]


def sentences(*parts: str) -> str:
    """Sentences in running text: joined without a space in Chinese (。 ends them), with one in English."""
    return ("" if is_chinese() else " ").join(p for p in parts if p)


def is_chinese() -> bool:
    """True when the run writes zh-CN."""
    return _language == "zh-CN"


# ---------------------------------------------------------------- catalogs

def catalog_files() -> list[Path]:
    """Every zh-CN catalog (one per package: base.po, review.po, audience.po, ...)."""
    return sorted((LOCALE_DIR / "zh_CN").glob("*.po"))


@cache
def _zh_messages() -> dict[str, str]:
    """msgid → zh-CN msgstr over every catalog (plural messages keyed by their singular)."""
    from babel.messages.pofile import read_po

    messages: dict[str, str] = {}
    for path in catalog_files():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale="zh_CN", domain=path.stem)
        for message in catalog:
            if not message.id or message.fuzzy:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            text = message.string if isinstance(message.string, str) else (message.string or ("",))[0]
            if text:
                messages[str(key)] = str(text)
    return messages


def gettext(message: str) -> str:
    """`message` in the run's language (the English message itself when no translation exists)."""
    if _language == "en":
        return message
    return _zh_messages().get(message, message)


_ = gettext


def N_(message: str) -> str:
    """Mark a message for translation without translating it yet (labels built at import time)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for `n` things (Chinese has one form)."""
    if _language == "en":
        return singular if n == 1 else plural
    return _zh_messages().get(singular, singular if n == 1 else plural)


def translated(language: str, message: str) -> str:
    """`message` in `language`, whatever the current language (for rendering both side by side)."""
    with use_language(language):
        return gettext(message)


# ---------------------------------------------------------------- numbers

def _missing(value: object) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _signed(text: str, value: float) -> str:
    if value > 0:
        return "+" + text
    return text.replace("-", MINUS, 1)


def _grouped(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}".replace("-", MINUS, 1)


def fmt_count(value: float | None) -> str:
    """A count as people write it: 20,015; in zh-CN 10万 and more as 1,586.6万 and 1.59亿."""
    if _missing(value):
        return MISSING
    number = float(value)  # type: ignore[arg-type]
    if _language == "zh-CN":
        if abs(number) >= 1e8:
            return _grouped(number / 1e8, 2) + "亿"
        if abs(number) >= 1e5:
            return _grouped(number / 1e4, 1) + "万"
    return _grouped(round(number), 0)


def fmt_number(value: float | None, decimals: int | None = None) -> str:
    """A measured value: separators on whole numbers and from 1,000, else 3 significant digits (or `decimals`)."""
    if _missing(value):
        return MISSING
    number = float(value)  # type: ignore[arg-type]
    if decimals is not None:
        return _grouped(number, decimals)
    if abs(number) >= 1000 or number == round(number):
        return _grouped(number, 0)
    return _grouped(number, max(0, 2 - math.floor(math.log10(abs(number)))))


def fmt_money(value: float | None) -> str:
    """An amount of money (no currency sign: the data's currency): ¥-style grouping, 万 in zh-CN from 10万."""
    if _missing(value):
        return MISSING
    number = float(value)  # type: ignore[arg-type]
    if _language == "zh-CN" and abs(number) >= 1e5:
        return fmt_count(number)
    return _grouped(number, 0 if abs(number) >= 100 or number == round(number) else 2)


def fmt_percent(value: float | None, decimals: int = 1) -> str:
    """A share or rate as a percentage: 0.0491 → 4.9%."""
    if _missing(value):
        return MISSING
    return _grouped(float(value) * 100, decimals) + "%"  # type: ignore[arg-type]


def fmt_change(value: float | None, decimals: int = 1) -> str:
    """A relative change with its sign: 0.21 → +21.0%, −0.032 → −3.2%."""
    if _missing(value):
        return MISSING
    number = float(value)  # type: ignore[arg-type]
    if round(number * 100, decimals) == 0:
        return _grouped(0.0, decimals) + "%"
    return _signed(f"{number * 100:,.{decimals}f}%", number)


def fmt_pp(value: float | None, decimals: int = 2) -> str:
    """A difference of two rates in percentage points: 0.0085 → +0.85 个百分点 / +0.85 pp."""
    if _missing(value):
        return MISSING
    number = float(value) * 100  # type: ignore[arg-type]
    text = _signed(f"{number:,.{decimals}f}", number) if round(number, decimals) != 0 else f"{0:.{decimals}f}"
    return text + (" 个百分点" if _language == "zh-CN" else " pp")


def fmt_p_value(p: float | None, name: str = "p") -> str:
    """A p-value a person reads: p < 0.001, p = 0.043, p = 0.21 (never scientific notation); name q for a q-value."""
    if _missing(p):
        return f"{name} = {MISSING}"
    value = float(p)  # type: ignore[arg-type]
    if value < 0.001:
        return f"{name} < 0.001"
    return f"{name} = {value:.3f}" if value < 0.1 else f"{name} = {value:.2f}"


def fmt_probability(p: float | None, decimals: int = 1) -> str:
    """A probability capped in display: >99.9% and <0.1%, never 100.00% or 0.00%."""
    if _missing(p):
        return MISSING
    value = float(p)  # type: ignore[arg-type]
    high = 1 - 0.5 * 10 ** -(decimals + 2)  # would show as 100.0%
    low = 0.5 * 10 ** -(decimals + 2)  # would show as 0.0%
    if value >= high:
        return f">{100 - 10 ** -decimals:.{decimals}f}%"
    if value < low:
        return f"<{10 ** -decimals:.{decimals}f}%"
    return fmt_percent(value, decimals)


def fmt_small(value: float | None, decimals: int = 2, formatter: str = "number") -> str:
    """A value that may be negligible (an expected loss): "≈ 0" when it rounds to zero, else formatted."""
    if _missing(value):
        return MISSING
    number = float(value)  # type: ignore[arg-type]
    scale = 100 if formatter == "percent" else 1
    if abs(number * scale) < 0.5 * 10 ** -decimals:
        return "≈ 0"
    return fmt_percent(number, decimals) if formatter == "percent" else fmt_number(number, decimals)


def fmt_percent_near(value: float | None, thresholds: Sequence[float], decimals: int = 0) -> str:
    """A percentage rounded so it never lands on the other side of a threshold than the value.

    89.5 % against a 90 % threshold shows "89.5%", not "90%" next to "at risk"; far from every
    threshold it shows `decimals` places.
    """
    if _missing(value):
        return MISSING
    number = float(value)  # type: ignore[arg-type]
    for places in range(decimals, decimals + 4):
        shown = round(number * 100, places) / 100
        if all((shown >= t) == (number >= t) for t in thresholds):
            return fmt_percent(number, places)
    return fmt_percent(number, decimals + 4)


# ---------------------------------------------------------------- dates

def _babel_locale() -> str:
    return BABEL_LOCALE[_language]


def fmt_date(value: dt.date | pd.Timestamp | None) -> str:
    """A day: 2026年10月15日 / Oct 15, 2026 (Babel's en)."""
    if _missing(value):
        return MISSING
    from babel.dates import format_skeleton

    return format_skeleton("yMMMd", pd.Timestamp(value).date(), locale=_babel_locale())


def fmt_month(value: dt.date | pd.Timestamp | None) -> str:
    """A month: 2026年10月 / Oct 2026."""
    if _missing(value):
        return MISSING
    from babel.dates import format_skeleton

    return format_skeleton("yMMM", pd.Timestamp(value).date(), locale=_babel_locale())


def fmt_day_range(start: dt.date | pd.Timestamp, end: dt.date | pd.Timestamp) -> str:
    """A span of days: 2026年5月1日至2026年10月31日 / May 1, 2026 – Oct 31, 2026."""
    separator = "至" if _language == "zh-CN" else " – "
    return fmt_date(start) + separator + fmt_date(end)


def fmt_period(kind: str, start: dt.date | pd.Timestamp) -> str:
    """A review period by its kind: 2026年10月 / Oct 2026, 2026年第4季度 / Q4 2026, 2026年第43周 / week 43 of 2026."""
    day = pd.Timestamp(start)
    if kind == "month":
        return fmt_month(day)
    if kind == "quarter":
        return (f"{day.year}年第{day.quarter}季度" if _language == "zh-CN" else f"Q{day.quarter} {day.year}")
    if kind == "week":
        iso = day.isocalendar()
        return f"{iso.year}年第{iso.week}周" if _language == "zh-CN" else f"week {iso.week} of {iso.year}"
    if kind == "year":
        return f"{day.year}年" if _language == "zh-CN" else str(day.year)
    raise ValueError(f"unknown period kind {kind!r}")


# ---------------------------------------------------------------- names the field uses

PLATFORM_NAMES: dict[str, str] = {
    "douyin": N_("Douyin"), "xiaohongshu": N_("Xiaohongshu"), "wechat": N_("WeChat"), "weibo": N_("Weibo"),
    "bilibili": N_("Bilibili"), "kuaishou": N_("Kuaishou"), "instagram": "Instagram", "tiktok": "TikTok",
    "youtube": "YouTube", "x": "X", "linkedin": "LinkedIn", "facebook": "Facebook",
}


#: Post formats (posts.format codes) as people name them.
FORMAT_NAMES: dict[str, str] = {
    "short_video": N_("short video"), "video": N_("long video"), "live": N_("live stream"),
    "image": N_("image post"), "carousel": N_("carousel"), "article": N_("article"), "text": N_("text post"),
}


def format_name(code: object) -> str:
    """A post format as people name it: short_video → 短视频 / short video; unknown codes as given."""
    label = FORMAT_NAMES.get(str(code))
    return gettext(label) if label else str(code)


def platform_name(platform: str) -> str:
    """A platform as people name it: 抖音, 小红书 / Douyin, Xiaohongshu; unknown codes as given."""
    label = PLATFORM_NAMES.get(str(platform).lower())
    return gettext(label) if label else str(platform)


def yes_no(value: object) -> str:
    """A flag as a reader's word: 是/否, yes/no; missing as –."""
    if _missing(value):
        return MISSING
    return gettext("yes") if bool(value) else gettext("no")
