"""Value parsers for the quirks of platform analytics exports: every cell arrives as text.

Rules shared by every parser:

* Text is NFKC-normalised first (full-width digits "１２" and punctuation "，：％" become ASCII) and
  stripped. A missing token ("", "-", "--", "—", "–", "undefined", "null", "none", "n/a", "na",
  "nan", "/", compared casefolded) is a missing value (None / NaN / NaT), never zero. "-12" is a
  negative number, not a missing token.
* Numbers may carry thousands separators ("12,400", "12 400", "1,234.5"), a leading "+", and a
  magnitude suffix: Chinese 千 (1e3), 万 / w / W (1e4), 百万 (1e6), 千万 (1e7), 亿 (1e8), or K / M / B.
  Magnitudes are applied in decimal arithmetic, so "1.1亿" is exactly 110000000. Counts
  (`parse_count`) are whole unless a magnitude is given: "12.345" is refused, not read as a
  fraction of a like (a dot as the thousands separator, in European-format exports). A "%" is rejected
  by `parse_number`: shares go through `parse_rate` ("5.2%" or 0.052) or `parse_percent` (a column
  whose header says (%): 5.2 means 5.2 %).
* Durations are seconds from "00:01:23", "1:23", "83", "83s", "1分23秒", "2小时3分", "1h 2m".
* Dates: tz-aware text ("Z", "+08:00", "GMT+8", "PST") is converted to the account's time zone and
  made naive; naive text is taken as already local. Slash dates with the year last are month first
  ("11/01/2025" is 1 November), unless a column shows otherwise (`parse_values` switches the whole
  column to day first when one of its values has a first field above 12 and none has a second one
  above 12); dot dates ("01.11.2025") are day first. A date without a year ("Nov 1", "11-01",
  "11月1日", "1 nov.") takes, in `parse_datetime`, the latest year that puts it on or before the
  reference date; in `parse_values` a column's dates without a year are placed as one run
  (`yearless_window`: across at most one New Year, the latest on or before the reference), and a
  column whose years cannot be told raises YearlessDatesError. A bare 5-digit number from 20000 to
  80000 ("46326", "46326.5") in a date column is an Excel serial day (a workbook saved as CSV
  without its date format): 1899-12-30 + N days, so 46326 is 2026-10-31. Numeric,
  Chinese and English forms are parsed by regular expressions; `dateparser` is only the fallback
  for month names in other languages (it would misread Chinese dates, which never reach it).
* Text that is not a value of the expected kind raises ValueError; `parse_values` turns those into
  a `bad` mask instead, so the importer can name the file lines.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Hashable
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers.ingest.types import ValueKind

__all__ = [
    "MISSING_TOKENS",
    "YearlessDatesError",
    "excel_serial",
    "is_missing",
    "parse_count",
    "parse_datetime",
    "parse_duration",
    "parse_hours",
    "parse_number",
    "parse_percent",
    "parse_rate",
    "parse_values",
    "yearless_window",
]

#: Cell texts that mean "no value" in exports (compared after strip + casefold).
MISSING_TOKENS: frozenset[str] = frozenset(
    {"", "-", "--", "—", "–", "undefined", "null", "none", "n/a", "na", "nan", "/"}
)

_MAGNITUDES: dict[str, int] = {
    "千": 10**3, "k": 10**3, "万": 10**4, "萬": 10**4, "w": 10**4, "百万": 10**6, "百萬": 10**6,
    "m": 10**6, "千万": 10**7, "千萬": 10**7, "亿": 10**8, "億": 10**8, "b": 10**9,
}
_NUMBER = re.compile(
    r"(?P<sign>[+-]?)(?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?P<exp>[eE][+-]?\d+)?"
    r"(?P<mag>百万|百萬|千万|千萬|[千万萬亿億wWkKmMbB])?"
)
_SPACE_BETWEEN_DIGITS = re.compile(r"\d\s+\d")
#: "12.000", "1.234.567": a dot as the thousands separator; as a count it is never a fraction, so refused
_DOTTED_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+")
_GROUP_SPACE = re.compile(r"(?<=\d)\s(?=\d{3}(?!\d))")


def _clean(text: object) -> str:
    """NFKC-normalise and strip a cell (None / NaN become ""), so full-width forms read as ASCII."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or text is pd.NA:
        return ""
    return unicodedata.normalize("NFKC", str(text)).replace("\u2212", "-").strip()


def is_missing(text: object) -> bool:
    """True when a cell holds no value (empty, NaN or a missing token such as "-" or "null")."""
    return _clean(text).casefold() in MISSING_TOKENS


def _number_text(text: str) -> Decimal:
    """The exact decimal value of a cleaned, non-missing number text (ValueError if it is none)."""
    grouped = _GROUP_SPACE.sub("", text)          # "12 400" → "12400"
    if _SPACE_BETWEEN_DIGITS.search(grouped):     # other spaces between digits: "1 2" is not a number
        raise ValueError(f"not a number: {text!r}")
    match = _NUMBER.fullmatch(re.sub(r"\s+", "", grouped))
    if not match:
        raise ValueError(f"not a number: {text!r}")
    value = Decimal(match["num"].replace(",", "") + (match["exp"] or ""))
    if match["mag"]:
        value *= _MAGNITUDES[match["mag"].lower()]
    if not math.isfinite(float(value)):
        raise ValueError(f"number out of range: {text!r}")
    return -value if match["sign"] == "-" else value


def parse_number(text: str) -> float | None:
    """A number from export text ("12,400", "1.2万", "3.4w", "1.2K", "-12"); None when missing."""
    cleaned = _clean(text)
    if cleaned.casefold() in MISSING_TOKENS:
        return None
    return float(_number_text(cleaned))


def parse_count(text: str) -> float | None:
    """A count: a whole number ("12,400", "7") or a number with a magnitude ("1.2万", "3.4w", "1.5K").

    A bare number with a fraction ("12.345", "1.200") or three zero decimals ("12.000") is refused
    rather than read as 12.345 or 12 likes: counts are whole, and such text is usually a dot used as
    the thousands separator (European exports), which cannot be told from a decimal point.
    """
    cleaned = _clean(text)
    if cleaned.casefold() in MISSING_TOKENS:
        return None
    value = _number_text(cleaned)
    match = _NUMBER.fullmatch(re.sub(r"\s+", "", _GROUP_SPACE.sub("", cleaned)))
    if not (match and match["mag"]) and (value != value.to_integral_value() or _DOTTED_THOUSANDS.fullmatch(cleaned)):
        raise ValueError(f"not a whole number: {text!r}")
    return float(value)


def _share(text: str, bare_is_percent: bool) -> float | None:
    """A share from "5.2%" (always percent) or a bare number (a share, or a percent when told)."""
    cleaned = _clean(text)
    if cleaned.casefold() in MISSING_TOKENS:
        return None
    percent = cleaned.endswith("%")
    body = cleaned[:-1].strip() if percent else cleaned
    if body.casefold() in MISSING_TOKENS:
        raise ValueError(f"not a percentage: {text!r}")
    value = _number_text(body)
    if percent or bare_is_percent:
        value = value.scaleb(-2)
    return float(value)


def parse_rate(text: str) -> float | None:
    """A share: "5.2%" → 0.052; a bare number is already a share ("0.052" → 0.052)."""
    return _share(text, bare_is_percent=False)


def parse_percent(text: str) -> float | None:
    """A value from a column whose header says (%): "5.2" and "5.2%" both → 0.052."""
    return _share(text, bare_is_percent=True)


_CLOCK = re.compile(r"(?:(?P<h>\d+):)?(?P<m>\d+):(?P<s>\d{1,2}(?:\.\d+)?)")
_UNITS = re.compile(
    r"(?:(?P<h>\d+(?:\.\d+)?)\s*(?:小时|小時|时|時|hours?|hrs?|h)\s*)?"
    r"(?:(?P<m>\d+(?:\.\d+)?)\s*(?:分钟|分鐘|分|minutes?|mins?|m)\s*)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)\s*(?:秒钟|秒鐘|秒|seconds?|secs?|s)?)?",
    re.IGNORECASE,
)


def parse_duration(text: str) -> float | None:
    """Seconds from "00:01:23", "1:23", "83", "83.5", "83s", "1分23秒", "2小时3分"; None when missing."""
    cleaned = _clean(text)
    if cleaned.casefold() in MISSING_TOKENS:
        return None
    clock = _CLOCK.fullmatch(cleaned)
    if clock:
        return int(clock["h"] or 0) * 3600 + int(clock["m"]) * 60 + float(clock["s"])
    units = _UNITS.fullmatch(cleaned)
    if units and any(units.group(g) for g in ("h", "m", "s")):
        hours, minutes, seconds = (float(units[g] or 0) for g in ("h", "m", "s"))
        if units["s"] is not None and not units["h"] and not units["m"]:
            return float(Decimal(units["s"]))   # "83", "83.5", "83s": exact
        return hours * 3600 + minutes * 60 + seconds
    value = float(_number_text(cleaned))     # "1,234" seconds
    if value < 0:
        raise ValueError(f"not a duration: {text!r}")
    return value


def parse_hours(text: str) -> float | None:
    """A number of hours (YouTube watch time), with the number rules of parse_number."""
    return parse_number(text)


# --- dates -------------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}
_WEEKDAYS = frozenset(
    ["mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur", "thurs", "thursday", "fri",
     "friday", "sat", "saturday", "sun", "sunday"]
)
_TIME = (r"(?P<H>\d{1,2})(?::(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<F>\d{1,9}))?)?)?"
         r"\s*(?P<P>[ap]\.?\s?m\.?)?")
_TZ = r"(?P<tz>z|(?:gmt|utc)?\s*[+-]\d{1,2}(?::?\d{2})?|gmt|utc)"
_TAIL = rf"(?:(?:\s*t\s*|\s*,?\s+|\s+at\s+){_TIME})?\s*(?:\(?{_TZ}\)?)?"
_YEAR_FIRST = re.compile(
    rf"(?P<y>\d{{4}})\s*(?P<sep>[-/.])\s*(?P<a>\d{{1,2}})\s*(?P=sep)\s*(?P<b>\d{{1,2}})\.?{_TAIL}", re.I)
_YEAR_LAST = re.compile(
    rf"(?P<a>\d{{1,2}})\s*(?P<sep>[-/.])\s*(?P<b>\d{{1,2}})\s*(?P=sep)\s*(?P<y>\d{{4}}|\d{{2}}){_TAIL}", re.I)
_NO_YEAR = re.compile(rf"(?P<a>\d{{1,2}})\s*(?P<sep>[-/])\s*(?P<b>\d{{1,2}}){_TAIL}", re.I)
# German "1.11." needs its final dot: "12.5" is a number, not 12 May
_NO_YEAR_DOTS = re.compile(rf"(?P<a>\d{{1,2}})\.\s*(?P<b>\d{{1,2}})\.{_TAIL}", re.I)
_COMPACT = re.compile(rf"(?P<y>(?:19|20)\d{{2}})(?P<a>\d{{2}})(?P<b>\d{{2}}){_TAIL}", re.I)
_MONTH_FIRST = re.compile(
    rf"(?:(?P<wd>[a-z]+)\.?,?\s+)?(?P<mon>[a-z]+)\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"(?:,?\s*(?P<y>\d{{4}}))?{_TAIL}", re.I)
_DAY_FIRST = re.compile(
    rf"(?:(?P<wd>[a-z]+)\.?,?\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th|\.)?\s+(?:of\s+)?(?P<mon>[a-z]+)\.?,?"
    rf"(?:\s*(?P<y>\d{{4}}))?{_TAIL}", re.I)
_CHINESE = re.compile(
    r"(?:(?P<y>\d{4})\s*年\s*)?(?P<a>\d{1,2})\s*月\s*(?P<b>\d{1,2})\s*[日号號]?"
    r"(?:\s*(?P<ampm>上午|下午|凌晨|早上|中午|晚上)?\s*(?P<H>\d{1,2})\s*(?::|[时時点點])\s*"
    r"(?:(?P<M>\d{1,2})\s*分?\s*(?::?\s*(?P<S>\d{1,2})\s*秒?)?)?)?"
)
_CHINESE_WEEKDAY = re.compile(r"[(\[]?\s*(?:星期|礼拜|禮拜|周|週)[一二三四五六日天]\s*[)\]]?")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_DATEPARSER_LANGUAGES = ("en", "fr", "es", "de", "pt", "it", "nl")

#: A parsed timestamp before time-zone handling: the wall time as written, its UTC offset (if any),
#: and whether the text had no year (the year then came from the reference date).
_Parts = tuple[dt.datetime, dt.timedelta | None, bool]


def _year_for(month: int, day: int, reference: dt.date) -> int:
    """The latest year that puts month/day on or before the reference date (Feb 29: a leap year)."""
    for year in range(reference.year, reference.year - 9, -1):
        try:
            if dt.date(year, month, day) <= reference:
                return year
        except ValueError:
            continue
    raise ValueError(f"no such day: month {month}, day {day}")


def _time_of(match: re.Match[str]) -> tuple[int, int, int, int]:
    """Hour, minute, second and microsecond of a _TIME group (all zero when there is no time)."""
    if match["H"] is None:
        return 0, 0, 0, 0
    if match["M"] is None and match["P"] is None:
        raise ValueError("an hour without minutes")
    hour = int(match["H"])
    ampm = (match["P"] or "").replace(".", "").replace(" ", "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(f"hour {hour} with {ampm}")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    micro = int((match["F"] or "0")[:6].ljust(6, "0"))
    return hour, int(match["M"] or 0), int(match["S"] or 0), micro


def _offset_of(tz: str | None) -> dt.timedelta | None:
    """The UTC offset of a "Z", "+08:00", "+0800", "GMT+8", "UTC" suffix (None when there is none)."""
    if not tz:
        return None
    tz = tz.strip().lower()
    if tz in ("z", "gmt", "utc"):
        return dt.timedelta(0)
    sign_match = re.search(r"([+-])\s*(\d{1,2})(?::?(\d{2}))?$", tz)
    if not sign_match:
        raise ValueError(f"not a UTC offset: {tz!r}")
    sign, hours, minutes = sign_match.groups()
    delta = dt.timedelta(hours=int(hours), minutes=int(minutes or 0))
    if delta > dt.timedelta(hours=14):
        raise ValueError(f"not a UTC offset: {tz!r}")
    return -delta if sign == "-" else delta


def _build(year: int | None, month: int, day: int, match: re.Match[str], reference: dt.date) -> _Parts:
    """A datetime from date fields plus the match's time and zone groups (yearless → the year rule)."""
    yearless = year is None
    if year is None:
        year = _year_for(month, day, reference)
    elif year < 100:
        year += 2000
    if not 1900 <= year <= 2200:
        raise ValueError(f"year {year} out of range")
    hour, minute, second, micro = _time_of(match)
    groups = match.groupdict()
    return dt.datetime(year, month, day, hour, minute, second, micro), _offset_of(groups.get("tz")), yearless


def _chinese(text: str, reference: dt.date) -> _Parts | None:
    """"2025年11月01日 20:15", "11月1日", "11月1日 下午3点20分" (None when not this form)."""
    match = _CHINESE.fullmatch(_CHINESE_WEEKDAY.sub(" ", text).strip())
    if not match:
        return None
    year = int(match["y"]) if match["y"] else None
    month, day = int(match["a"]), int(match["b"])
    if year is None:
        year = _year_for(month, day, reference)
    hour = int(match["H"] or 0)
    if (match["ampm"] in ("下午", "晚上") and hour < 12) or (match["ampm"] == "中午" and hour < 11):
        hour += 12
    return dt.datetime(year, month, day, hour, int(match["M"] or 0), int(match["S"] or 0)), None, not match["y"]


def _numeric(text: str, reference: dt.date, dayfirst: bool) -> _Parts | None:
    """ISO-like, year-last, yearless and compact numeric dates (None when not such a form)."""
    if match := _YEAR_FIRST.fullmatch(text):
        return _build(int(match["y"]), int(match["a"]), int(match["b"]), match, reference)
    if match := _YEAR_LAST.fullmatch(text):
        first, second = int(match["a"]), int(match["b"])
        day_first = dayfirst or match["sep"] == "."
        month, day = (second, first) if day_first else (first, second)
        return _build(int(match["y"]), month, day, match, reference)
    if match := _COMPACT.fullmatch(text):
        return _build(int(match["y"]), int(match["a"]), int(match["b"]), match, reference)
    if match := _NO_YEAR_DOTS.fullmatch(text):
        return _build(None, int(match["b"]), int(match["a"]), match, reference)
    if match := _NO_YEAR.fullmatch(text):
        first, second = int(match["a"]), int(match["b"])
        day_first = dayfirst and match["sep"] == "/"
        month, day = (second, first) if day_first else (first, second)
        return _build(None, month, day, match, reference)
    return None


def _english(text: str, reference: dt.date) -> _Parts | None:
    """"Sat, Nov 01, 2025 8:15 PM", "Nov 1, 2025", "November 1", "1 Nov 2025" (None otherwise)."""
    for pattern in (_MONTH_FIRST, _DAY_FIRST):
        match = pattern.fullmatch(text)
        if not match:
            continue
        month = _MONTHS.get(match["mon"].lower())
        weekday = match["wd"]
        if month is None or (weekday and weekday.lower() not in _WEEKDAYS):
            continue
        return _build(int(match["y"]) if match["y"] else None, month, int(match["d"]), match, reference)
    return None


@functools.lru_cache(maxsize=1)
def _date_data_parser() -> object:
    """One dateparser parser for the fallback languages (building it per call is slow)."""
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=list(_DATEPARSER_LANGUAGES),
        settings={"PARSERS": ["absolute-time"], "REQUIRE_PARTS": ["day", "month"],
                  "PREFER_DATES_FROM": "past"},
    )


def _fallback(text: str, reference: dt.date) -> _Parts | None:
    """Month names in other languages via dateparser ("1 déc.", "1. Okt. 2025"); None if unreadable."""
    data = _date_data_parser().get_date_data(text)  # type: ignore[attr-defined]
    parsed: dt.datetime | None = data.date_obj
    if parsed is None:
        return None
    offset = parsed.utcoffset()
    naive = parsed.replace(tzinfo=None)
    yearless = not re.search(r"(?<!\d)\d{4}(?!\d)", text)
    if yearless:      # no year written: the year rule decides
        naive = naive.replace(year=_year_for(naive.month, naive.day, reference))
    return naive, offset, yearless


#: An Excel serial day number as text ("46327", "46327.5"): what a date cell becomes when a workbook saved
#: as CSV loses its date format. 20000–80000 are the days 1954-10-03 … 2119-01-10.
_EXCEL_SERIAL = re.compile(r"(?P<days>[2-7]\d{4})(?P<fraction>\.\d+)?")
#: Day 0 of Excel's 1900 date system as it counts after its fictitious 1900-02-29: serial 1 is 1900-01-01,
#: serial 61 is 1900-03-01, so from March 1900 on day N is 1899-12-30 + N days.
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def excel_serial(text: str) -> dt.datetime | None:
    """The time an Excel serial day number stands for ("46326" → 2026-10-31), None when not one.

    >>> excel_serial("46326"), excel_serial("46326.75")
    (datetime.datetime(2026, 10, 31, 0, 0), datetime.datetime(2026, 10, 31, 18, 0))
    """
    match = _EXCEL_SERIAL.fullmatch(_clean(text))
    if match is None:
        return None
    seconds = round(float(Decimal(match["days"] + (match["fraction"] or ""))) * 86400)
    return _EXCEL_EPOCH + dt.timedelta(seconds=seconds)


def _datetime_parts(text: object, reference: dt.date, dayfirst: bool = False) -> _Parts | None:
    """The wall time and UTC offset written in a cell (None when missing; ValueError when not a date)."""
    cleaned = _clean(text)
    if cleaned.casefold() in MISSING_TOKENS:
        return None
    serial = excel_serial(cleaned)
    if serial is not None:
        return serial, None, False
    try:
        parts = (_numeric(cleaned, reference, dayfirst) or _chinese(cleaned, reference)
                 or _english(cleaned, reference))
        if parts is None and _HAS_LETTER.search(cleaned) and re.search(r"\d", cleaned):
            parts = _fallback(cleaned, reference)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"not a date: {text!r} ({exc})") from exc
    if parts is None:
        raise ValueError(f"not a date: {text!r}")
    return parts


def _localise(parts: list[_Parts], timezone: str) -> list[pd.Timestamp]:
    """Naive local timestamps: tz-aware parts are converted to `timezone` (vectorised), naive kept."""
    out = [pd.Timestamp(wall) for wall, _, _ in parts]
    aware = [i for i, (_, offset, _) in enumerate(parts) if offset is not None]
    if aware:
        utc = pd.DatetimeIndex([parts[i][0] - parts[i][1] for i in aware])  # type: ignore[operator]
        local = utc.tz_localize("UTC").tz_convert(timezone).tz_localize(None)
        for i, stamp in zip(aware, local, strict=True):
            out[i] = stamp
    return out


def parse_datetime(text: str, *, reference: dt.date, timezone: str, dayfirst: bool = False) -> pd.Timestamp | None:
    """A naive timestamp in `timezone` from export text (tz-aware text is converted); None when missing."""
    parts = _datetime_parts(text, reference, dayfirst)
    if parts is None:
        return None
    return _localise([parts], timezone)[0]


class YearlessDatesError(ValueError):
    """A column's dates without a year cannot be placed in years as one run: the message says why."""


#: Seconds in the leap year 2000, the circle on which dates without a year are placed.
_CIRCLE = 366 * 86400
#: Dates without a year in no row order are placed only when they fit in this many days.
UNORDERED_SPAN_DAYS = 183


def _circle_position(wall: dt.datetime) -> int:
    """Seconds from 1 January 00:00 of a wall time's month, day and time (in the leap year 2000)."""
    return int((wall.replace(year=2000) - dt.datetime(2000, 1, 1)).total_seconds())


def _is_monotonic(values: list[int]) -> bool:
    """Whether a sequence never goes down, or never goes up."""
    pairs = list(itertools.pairwise(values))
    return all(a <= b for a, b in pairs) or all(a >= b for a, b in pairs)


def yearless_window(walls: list[dt.datetime], reference: dt.date) -> list[int]:
    """The year of each date written without one (in row order), placing the column's dates as one run.

    The dates are put on the year's circle (month, day, time); the run starts after the largest gap
    between them, so it spans less than a year and at most one New Year. Its latest date takes the
    latest year on or before `reference`; dates before the New Year in the run take the year before.
    The run is trusted when the rows are in time order (ascending or descending, as exports list
    days) or, in any order, when it spans at most UNORDERED_SPAN_DAYS; otherwise, or when two gaps
    tie for the largest, YearlessDatesError (the years cannot be told).
    """
    positions = [_circle_position(w) for w in walls]
    distinct = sorted(set(positions))
    gaps = [((distinct[(i + 1) % len(distinct)] - p) % _CIRCLE or _CIRCLE, i) for i, p in enumerate(distinct)]
    largest = max(g for g, _ in gaps)
    if sum(1 for g, _ in gaps if g == largest) > 1:
        raise YearlessDatesError(f"the dates are spread evenly over the year ({len(distinct)} different days), "
                                 "so which year each is in cannot be told")
    start = distinct[(next(i for g, i in gaps if g == largest) + 1) % len(distinct)]
    unwrapped = [p if p >= start else p + _CIRCLE for p in positions]
    span_days = (max(unwrapped) - min(unwrapped)) / 86400
    if not _is_monotonic(unwrapped) and span_days > UNORDERED_SPAN_DAYS:
        raise YearlessDatesError(f"the rows are not in date order and span {span_days:.0f} days of the year, "
                                 "so which year each is in cannot be told")
    latest = walls[unwrapped.index(max(unwrapped))]
    end_year = _year_for(latest.month, latest.day, reference)
    crosses = max(unwrapped) >= _CIRCLE
    return [end_year - 1 if crosses and u < _CIRCLE else end_year for u in unwrapped]


def _resolve_yearless(found: dict[Hashable, _Parts], rows: list[Hashable], reference: dt.date
                      ) -> dict[Hashable, _Parts]:
    """`found` with the years of its dates without a year set by `yearless_window` over the rows in order."""
    ordered = [key for key in rows if key in found and found[key][2]]
    if not ordered:
        return found
    years = yearless_window([found[key][0] for key in ordered], reference)
    out = dict(found)
    for key, year in zip(ordered, years, strict=True):
        wall, offset, _ = found[key]
        try:
            out[key] = (wall.replace(year=year), offset, True)
        except ValueError as exc:   # 29 February placed in a year that has none
            raise YearlessDatesError(f"{key!r} would fall in {year}, which has no such day") from exc
    return out


_DAY_MONTH_YEAR = re.compile(r"\s*(\d{1,2})\s*([/-])\s*(\d{1,2})\s*\2\s*\d{2,4}(?!\d)")
_DAY_MONTH = re.compile(r"\s*(\d{1,2})\s*/\s*(\d{1,2})(?![\d/])")


def _column_is_day_first(texts: list[str]) -> bool:
    """True when a column's slash dates are day first: some first field > 12 and no second one > 12."""
    first_big = second_big = False
    for text in texts:
        normal = unicodedata.normalize("NFKC", text)
        match = _DAY_MONTH_YEAR.match(normal)
        fields = (match[1], match[3]) if match else None
        if fields is None and (short := _DAY_MONTH.match(normal)):
            fields = (short[1], short[2])
        if fields:
            first_big |= int(fields[0]) > 12
            second_big |= int(fields[1]) > 12
    return first_big and not second_big


_LONGEST_MISSING = max(map(len, MISSING_TOKENS))


def _text_values(texts: list[object]) -> list[object]:
    """Stripped text with missing tokens as <NA> (no NFKC: text is kept as written)."""
    out: list[object] = []
    for text in texts:
        stripped = "" if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)) \
            else str(text).strip()
        # casefold never shortens a text, so one longer than every missing token is none of them
        missing = len(stripped) <= _LONGEST_MISSING and stripped.casefold() in MISSING_TOKENS
        out.append(pd.NA if missing else stripped)
    return out


# --- vectorised fast paths (parse_values) -------------------------------------------------------
#
# Most cells of a large export are plain ASCII ("12,400", "1.2万", "5.2%", "00:00:23",
# "2024-01-01 08:00"). parse_values reads those for a whole column at once with pyarrow's RE2
# regular expressions and exact decimal-to-float casts; every other text (full-width forms, spaces,
# missing tokens, exponents, anything refused) goes through the per-cell parsers above, so the values
# and the refusals are the same either way (tests/test_ingest_values.py pins it against the per-cell
# functions).

_FAST_NUMBER = (r"^(?P<sign>[+-]?)(?P<int>\d{1,3}(?:,\d{3})+|\d{1,30})(?P<frac>\.\d{1,30})?"
                r"(?P<mag>百万|百萬|千万|千萬|[千万萬亿億wWkKmMbB])?(?P<pct>%?)$")
_FAST_CLOCK = r"^(?:(?P<h>\d{1,9}):)?(?P<m>\d{1,9}):(?P<s>\d{1,2}(?:\.\d{1,30})?)$"
_FAST_SECONDS = r"^\d{1,30}(?:\.\d{1,30})?$"
_FAST_ISO = r"^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?$"
_MAGNITUDE_EXPONENT: dict[str, int] = {name: len(str(factor)) - 1 for name, factor in _MAGNITUDES.items()}


def _strings(keys: list[Hashable]) -> tuple[list[str], pa.Array]:
    """The keys that are text, and the same as a pyarrow string array."""
    texts = [k for k in keys if isinstance(k, str)]
    return texts, pa.array(texts, type=pa.string())


def _fast_floats(keys: list[Hashable], kind: str) -> dict[Hashable, float]:
    """The float of every key the vectorised path reads exactly as `kind`'s per-cell parser would.

    Numbers: an optional sign, digits (with "," thousands groups), an optional fraction, magnitude and
    (shares only) "%". The value is the exact decimal cast to the nearest float, as float(Decimal(...))
    is, so "1.2万" is 12000 and "12.5%" 0.125. Counts with a fraction and no magnitude, and keys not
    matched, are left to the per-cell parser (which reads or refuses them).
    """
    texts, array = _strings(keys)
    if not texts:
        return {}
    if kind == "duration":
        return _fast_durations(texts, array)
    parts = pc.extract_regex(array, _FAST_NUMBER)
    ok = parts.is_valid().to_numpy(zero_copy_only=False)
    field = {name: parts.field(name).fill_null("") for name in ("sign", "int", "frac", "mag", "pct")}
    pct = pc.equal(field["pct"], "%").to_numpy(zero_copy_only=False)
    frac = pc.not_equal(field["frac"], "").to_numpy(zero_copy_only=False)
    mag = field["mag"].to_numpy(zero_copy_only=False)
    exponent = np.array([_MAGNITUDE_EXPONENT[m.lower()] if m else 0 for m in mag], dtype=np.int64)
    has_mag = exponent > 0
    if kind in ("count", "number", "hours"):
        ok &= ~pct
    if kind == "count":
        ok &= has_mag | ~frac            # "12.345": the per-cell rule decides (refused or 12)
    if kind == "percent":
        exponent -= 2
    elif kind == "rate":
        exponent -= 2 * pct
    digits = pc.binary_join_element_wise(field["sign"], pc.replace_substring(field["int"], ",", ""),
                                         field["frac"], "")
    exponents = pa.array(exponent).cast(pa.string())
    text = pc.if_else(parts.is_valid(), pc.binary_join_element_wise(digits, exponents, "e"), "0")
    values = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False) + 0.0   # -0 → 0, as Decimal gives
    ok &= np.isfinite(values)
    return {t: v for t, v, good in zip(texts, values.tolist(), ok.tolist(), strict=True) if good}


def _fast_durations(texts: list[str], array: pa.Array) -> dict[Hashable, float]:
    """Seconds of "HH:MM:SS" / "MM:SS" / "83" / "83.5" keys (the rest is left to parse_duration)."""
    clock = pc.extract_regex(array, _FAST_CLOCK)
    ok_clock = clock.is_valid().to_numpy(zero_copy_only=False)

    def number(values: pa.Array) -> np.ndarray:
        return pc.cast(pc.if_else(pc.equal(values, ""), "0", values), pa.float64()).to_numpy(zero_copy_only=False)

    hours, minutes, seconds = (number(clock.field(g).fill_null("0")) for g in ("h", "m", "s"))
    from_clock = (hours * 3600 + minutes * 60) + seconds
    plain_mask = pc.match_substring_regex(array, _FAST_SECONDS)
    plain = plain_mask.to_numpy(zero_copy_only=False)
    from_plain = pc.cast(pc.if_else(plain_mask, array, "0"), pa.float64()).to_numpy(zero_copy_only=False)
    values = np.where(ok_clock, from_clock, from_plain)
    ok = (ok_clock | plain) & np.isfinite(values)
    return {t: v for t, v, good in zip(texts, values.tolist(), ok.tolist(), strict=True) if good}


def _fast_datetimes(keys: list[Hashable]) -> dict[Hashable, np.datetime64]:
    """Naive wall times of ISO keys "YYYY-MM-DD[ HH:MM[:SS]]" in 1900–2200 (others: the per-cell parser)."""
    texts, array = _strings(keys)
    if not texts:
        return {}
    iso = pc.match_substring_regex(array, _FAST_ISO)
    candidates = array.filter(iso)
    if not len(candidates):
        return {}
    walls, ok = _iso_walls(candidates)
    return {t: w for t, w, good in zip(candidates.to_pylist(), walls, ok.tolist(), strict=True) if good}


def _iso_walls(candidates: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The wall times of ISO texts (all matching _FAST_ISO) and which are read (a real day in 1900–2200)."""
    lengths = pc.utf8_length(candidates).to_numpy(zero_copy_only=False)
    walls = np.full(len(candidates), np.datetime64("NaT"), dtype="datetime64[ns]")
    for length, fmt in ((10, "%Y-%m-%d"), (16, "%Y-%m-%d %H:%M"), (19, "%Y-%m-%d %H:%M:%S")):
        rows = np.flatnonzero(lengths == length)
        if len(rows):
            texts_of = candidates.take(pa.array(rows)).to_pandas()
            walls[rows] = pd.to_datetime(texts_of, format=fmt, errors="coerce").to_numpy(dtype="datetime64[ns]")
    stamps = pd.DatetimeIndex(walls)
    ok = (~stamps.isna() & (stamps.year >= 1900) & (stamps.year <= 2200))
    return walls, np.asarray(ok, dtype=bool)


def _all_iso_walls(raw: pd.Series) -> np.ndarray | None:
    """Each row's wall time when every distinct text of the column is one `_fast_datetimes` reads, else None.

    The same times as the dictionary path (same `_iso_walls`), spread to the rows by their codes.
    """
    codes, uniques = pd.factorize(raw.to_numpy(dtype=object))
    keys = list(uniques)
    if not keys or not all(isinstance(key, str) for key in keys):
        return None
    array = pa.array(keys, type=pa.string())
    if not pc.all(pc.match_substring_regex(array, _FAST_ISO)).as_py():
        return None
    walls, ok = _iso_walls(array)
    if not ok.all():
        return None
    return walls[codes]


_FLOAT_PARSERS: dict[str, Callable[[str], float | None]] = {
    "count": parse_count,
    "number": parse_number,
    "rate": parse_rate,
    "percent": parse_percent,
    "duration": parse_duration,
    "hours": parse_hours,
}


def parse_values(
    texts: pd.Series, kind: ValueKind, *, reference: dt.date, timezone: str
) -> tuple[pd.Series, pd.Series]:
    """Parse a column of cell texts as `kind`, each distinct text once; returns (values, bad mask)."""
    raw = texts.astype(object).where(texts.notna(), "")
    if kind == "text":
        values = pd.Series(_text_values(list(raw)), index=texts.index, name=texts.name, dtype="string")
        return values, pd.Series(False, index=texts.index, name=texts.name, dtype=bool)
    bad_keys: set[Hashable] = set()
    if kind in ("datetime", "date") and (whole := _all_iso_walls(raw)) is not None:
        index = pd.DatetimeIndex(whole)   # every text ISO (the usual export): no dictionary per distinct text
        if kind == "date":
            index = index.normalize()
        values = pd.Series(index, index=texts.index, name=texts.name, dtype="datetime64[ns]")
        values.attrs["yearless"] = False
        return values, pd.Series(False, index=texts.index, name=texts.name, dtype=bool)
    keys: list[Hashable] = list(pd.unique(raw.to_numpy(dtype=object)))
    if kind in _FLOAT_PARSERS:
        parser = _FLOAT_PARSERS[kind]
        table: dict[Hashable, float] = _fast_floats(keys, kind)
        for key in keys:
            if key in table:
                continue
            try:
                value = parser(str(key))
            except (ValueError, InvalidOperation, OverflowError):
                bad_keys.add(key)
                value = None
            table[key] = np.nan if value is None else value
        values = pd.Series(raw.map(table).to_numpy(dtype="float64"), index=texts.index, name=texts.name)
    elif kind in ("datetime", "date"):
        fast = _fast_datetimes(keys)      # ISO texts: never day first, never yearless
        dayfirst = _column_is_day_first([str(k) for k in keys if k not in fast])
        found: dict[Hashable, _Parts] = {}
        for key in keys:
            if key in fast:
                continue
            try:
                parts = _datetime_parts(key, reference, dayfirst)
            except ValueError:
                bad_keys.add(key)
                continue
            if parts is not None:
                found[key] = parts
        found = _resolve_yearless(found, list(raw), reference)
        stamps = dict(zip(found, _localise(list(found.values()), timezone), strict=True))
        walls = {**fast, **{key: np.datetime64(stamp.as_unit("ns").asm8) for key, stamp in stamps.items()}}
        nat = np.datetime64("NaT", "ns")
        index = pd.DatetimeIndex(np.array([walls.get(key, nat) for key in raw], dtype="datetime64[ns]"))
        if kind == "date":
            index = index.normalize()
        values = pd.Series(index, index=texts.index, name=texts.name, dtype="datetime64[ns]")
        values.attrs["yearless"] = any(parts[2] for parts in found.values())
    else:
        raise ValueError(f"unknown value kind {kind!r}")
    bad = pd.Series(raw.isin(bad_keys).to_numpy(dtype=bool), index=texts.index, name=texts.name)
    return values, bad
