"""Key dates of a plan month: public holidays (the ``holidays`` package) and curated marketing dates (YAML).

Marketing dates (520, 618, Qixi, Double 11, Black Friday ...) ship in ``marketing_dates.yaml``
next to this module; it documents its own format, and users pass their own file as
``extra_dates_file`` to add dates or replace shipped ones by name. Each date has ``lead_days``:
warm-up posts start that many days before it (``warmup_start``, which may fall in the previous
month). Holidays get their lead days from the YAML's ``holiday_lead_days`` by English name;
observed / substituted days off and the second and later days of a multi-day holiday get 0 (the
warm-up is for the occasion, not for each day off). Qixi (7th day of the 7th lunar month) comes
from ``QIXI_DATES``, a table checked in the tests against known dates and against the Mid-Autumn
dates of the ``holidays`` package (Qixi is 37 or 38 days before Mid-Autumn).
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import holidays
import pandas as pd
import yaml

from helpers.errors import DataError, ParameterError

__all__ = [
    "KINDS",
    "QIXI_DATES",
    "MarketingDate",
    "key_dates",
    "load_marketing_dates",
    "resolve_rule",
    "seasonal_aliases",
    "year_dates",
]

KINDS: tuple[str, ...] = ("holiday", "marketing")
SHIPPED_FILE = "marketing_dates.yaml"
#: Qixi 七夕 (lunar 7/7) in the Gregorian calendar. Extend it for later years (the tests check each entry).
QIXI_DATES: Mapping[int, date] = {
    2020: date(2020, 8, 25), 2021: date(2021, 8, 14), 2022: date(2022, 8, 4), 2023: date(2023, 8, 22),
    2024: date(2024, 8, 10), 2025: date(2025, 8, 29), 2026: date(2026, 8, 19), 2027: date(2027, 8, 8),
    2028: date(2028, 8, 26), 2029: date(2029, 8, 16), 2030: date(2030, 8, 5),
}
_LUNAR_TABLES: Mapping[tuple[int, int], Mapping[int, date]] = {(7, 7): QIXI_DATES}
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_ORDINALS = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "last": -1}
_FIXED = re.compile(r"^(\d{2})-(\d{2})$")
_ONE_OFF = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_LUNAR = re.compile(r"^lunar\s+(\d{2})-(\d{2})$", re.IGNORECASE)
_NTH = re.compile(r"^(1st|2nd|3rd|4th|5th|last)\s+(MON|TUE|WED|THU|FRI|SAT|SUN)\s+of\s+(\d{2})(?:\s*([+-]\s*\d+))?$",
                  re.IGNORECASE)
_NOT_AN_OCCASION = re.compile(r"observed|substituted|day off", re.IGNORECASE)
_HOW_TO_FIND_CODES = ("use an ISO 3166-1 alpha-2 code the holidays package supports (e.g. CN, US, GB, JP, "
                      "SG); list them with: python -c \"import holidays; "
                      "print(sorted(holidays.list_supported_countries()))\"")


class KeyDateWarning(UserWarning):
    """A curated date could not be placed in a year (e.g. Qixi beyond QIXI_DATES); it is left out."""


@dataclass(frozen=True)
class MarketingDate:
    """One curated marketing date: names, the rule that places it in a year, warm-up days, countries."""

    name: str
    name_zh: str
    rule: str
    lead_days: int
    countries: tuple[str, ...] = ()
    notes: str = ""
    aliases: tuple[str, ...] = ()

    def applies_to(self, country: str) -> bool:
        """Whether the date is used for the country (no list = every country)."""
        return not self.countries or country.upper() in self.countries


def _check_month_day(month: int, day: int, year: int = 2024) -> None:
    """ValueError unless month/day is a real day (checked in a leap year, so 02-29 is allowed)."""
    date(year, month, day)


def _validate_rule(rule: str) -> None:
    """ValueError with what is wrong when a rule is not one of the documented forms."""
    text = rule.strip()
    if m := _FIXED.match(text):
        _check_month_day(int(m[1]), int(m[2]))
    elif m := _ONE_OFF.match(text):
        date(int(m[1]), int(m[2]), int(m[3]))
    elif m := _LUNAR.match(text):
        if (int(m[1]), int(m[2])) not in _LUNAR_TABLES:
            raise ValueError(f"only {', '.join(f'lunar {a:02d}-{b:02d}' for a, b in _LUNAR_TABLES)} is known")
    elif m := _NTH.match(text):
        if not 1 <= int(m[3]) <= 12:
            raise ValueError(f"month {m[3]} is not 01–12")
    else:
        raise ValueError("use 'MM-DD', 'YYYY-MM-DD', 'lunar MM-DD' or 'Nth DOW of MM [+K]' (e.g. '2nd SUN of 05')")


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    """The nth (1–5, or -1 = last) given weekday of a month, or None when the month has no such day."""
    first = date(year, month, 1)
    next_month = date(year + month // 12, month % 12 + 1, 1)
    days = [first + timedelta(days=i) for i in range((next_month - first).days)]
    matching = [d for d in days if d.weekday() == weekday]
    if nth == -1:
        return matching[-1]
    return matching[nth - 1] if nth <= len(matching) else None


def resolve_rule(rule: str, year: int) -> date | None:
    """The day a rule gives in a year, or None when it has none that year (02-29, a 5th Sunday, an unknown
    lunar year)."""
    text = rule.strip()
    try:
        _validate_rule(text)
    except ValueError as exc:
        raise ParameterError(f"Cannot read the date rule {rule!r}: {exc}.") from exc
    if m := _FIXED.match(text):
        try:
            return date(year, int(m[1]), int(m[2]))
        except ValueError:
            return None
    if m := _ONE_OFF.match(text):
        return date(int(m[1]), int(m[2]), int(m[3])) if int(m[1]) == year else None
    if m := _LUNAR.match(text):
        return _LUNAR_TABLES[(int(m[1]), int(m[2]))].get(year)
    m = _NTH.match(text)
    assert m is not None
    found = _nth_weekday(year, int(m[3]), _WEEKDAYS.index(m[2].upper()), _ORDINALS[m[1].lower()])
    offset = int(m[4].replace(" ", "")) if m[4] else 0
    return None if found is None else found + timedelta(days=offset)


@dataclass(frozen=True)
class _Parsed:
    """One calendar file, read and checked: its entries, holiday lead days and holiday aliases (immutable)."""

    entries: tuple[MarketingDate, ...]
    leads: tuple[tuple[str, int], ...]
    aliases: tuple[tuple[str, tuple[str, ...]], ...]


@functools.lru_cache(maxsize=16)
def _parsed(text: str, source: str) -> _Parsed:
    """A calendar file's text read once (keyed by its content, so an edited file is read again); errors are
    not cached, so a bad file fails the same way on every call. Immutable: callers build their own dicts."""
    data = _read_yaml(text, source)
    return _Parsed(tuple(_entries(data, source)), tuple(_holiday_leads(data, source).items()),
                   tuple(_holiday_aliases(data, source).items()))


def _shipped_text() -> str:
    """The text of the shipped marketing_dates.yaml."""
    return resources.files("helpers").joinpath(SHIPPED_FILE).read_text(encoding="utf-8")


def _read_yaml(text: str, source: str) -> dict:
    """The YAML document as a mapping; DataError naming the source otherwise."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataError(f"{source} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DataError(f"{source} must be a mapping with 'marketing_dates' (a list) and optionally "
                        "'holiday_lead_days'; see the shipped marketing_dates.yaml.")
    return data


def _lead(value: object, where: str) -> int:
    """A non-negative whole number of lead days; DataError naming the entry otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DataError(f"{where}: lead_days must be a whole number of days ≥ 0; got {value!r}.")
    return value


def _entries(data: dict, source: str) -> list[MarketingDate]:
    """The marketing_dates list of one file as MarketingDate objects, each checked."""
    items = data.get("marketing_dates", []) or []
    if not isinstance(items, list):
        raise DataError(f"{source}: 'marketing_dates' must be a list of entries with name, rule and lead_days.")
    out = []
    for i, item in enumerate(items, start=1):
        where = f"{source}, marketing_dates entry {i}"
        if not isinstance(item, dict) or not item.get("name") or not item.get("rule"):
            raise DataError(f"{where}: each entry needs at least 'name' and 'rule'; got {item!r}.")
        where = f"{source}, entry {item['name']!r}"
        rule = str(item["rule"])
        try:
            _validate_rule(rule)
        except ValueError as exc:
            raise DataError(f"{where}: cannot read rule {rule!r}: {exc}.") from exc
        countries = item.get("countries") or ()
        countries = (countries,) if isinstance(countries, str) else tuple(countries)
        out.append(MarketingDate(name=str(item["name"]), name_zh=str(item.get("name_zh") or ""), rule=rule,
                                 lead_days=_lead(item.get("lead_days", 0), where),
                                 countries=tuple(str(c).upper() for c in countries),
                                 notes=str(item.get("notes") or ""),
                                 aliases=_aliases(item.get("aliases"), where)))
    names = [e.name for e in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise DataError(f"{source}: marketing date name(s) {twice} appear more than once; names must be unique.")
    return out


def _aliases(value: object, where: str) -> tuple[str, ...]:
    """A list of alternative names (numbers such as 520 read as text); DataError for anything else."""
    if value is None:
        return ()
    items = [value] if isinstance(value, (str, int)) else value
    if not isinstance(items, list) or not all(isinstance(a, (str, int)) and str(a).strip() for a in items):
        raise DataError(f"{where}: aliases must be a list of names, e.g. [双11, 双十一]; got {value!r}.")
    return tuple(str(a).strip() for a in items)


def _holiday_aliases(data: dict, source: str) -> dict[str, tuple[str, ...]]:
    """holiday_aliases of one file (holiday English name → other names)."""
    found = data.get("holiday_aliases", {}) or {}
    if not isinstance(found, dict):
        raise DataError(f"{source}: 'holiday_aliases' must map holiday names to lists of other names.")
    return {str(k): _aliases(v, f"{source}, holiday_aliases {k!r}") for k, v in found.items()}


def _holiday_leads(data: dict, source: str) -> dict[str, int]:
    """holiday_lead_days of one file (holiday name → days, 'default' for the rest)."""
    leads = data.get("holiday_lead_days", {}) or {}
    if not isinstance(leads, dict):
        raise DataError(f"{source}: 'holiday_lead_days' must map holiday names (and 'default') to days.")
    return {str(k): _lead(v, f"{source}, holiday_lead_days {k!r}") for k, v in leads.items()}


def load_marketing_dates(extra_dates_file: str | Path | None = None) -> tuple[list[MarketingDate], dict[str, int]]:
    """The shipped marketing dates and holiday lead days, updated by a user file (same name replaces)."""
    shipped = _parsed(_shipped_text(), SHIPPED_FILE)
    entries = {e.name: e for e in shipped.entries}
    leads = dict(shipped.leads)
    if extra_dates_file is not None:
        path = Path(extra_dates_file)
        if not path.is_file():
            raise ParameterError(f"extra_dates_file {str(path)!r} does not exist; give the path of a YAML file "
                                 f"in the format of the shipped {SHIPPED_FILE}.")
        extra = _parsed(path.read_text(encoding="utf-8"), path.name)
        entries.update({e.name: e for e in extra.entries})
        leads.update(extra.leads)
    return list(entries.values()), leads


def load_holiday_aliases(extra_dates_file: str | Path | None = None) -> dict[str, tuple[str, ...]]:
    """Other names of holidays (shipped, then the user file's entries added or replaced by holiday name)."""
    found = dict(_parsed(_shipped_text(), SHIPPED_FILE).aliases)
    if extra_dates_file is not None and Path(extra_dates_file).is_file():
        path = Path(extra_dates_file)
        found.update(_parsed(path.read_text(encoding="utf-8"), path.name).aliases)
    return found


@functools.cache
def _supported_countries() -> frozenset[str]:
    """The country codes the holidays package supports (asked once)."""
    return frozenset(holidays.list_supported_countries())


def _country(country: str) -> str:
    """The upper-case country code if the holidays package supports it; ParameterError saying how to find codes."""
    code = str(country).strip().upper()
    if code not in _supported_countries():
        raise ParameterError(f"Unknown country {country!r}: {_HOW_TO_FIND_CODES}.")
    return code


def _holiday_rows(code: str, years: Sequence[int], leads: Mapping[str, int]) -> list[dict]:
    """One row per holiday date of the years, with lead days (0 for days off and follow-on days)."""
    calendar = holidays.country_holidays(code, years=list(years))
    languages = getattr(calendar, "supported_languages", ()) or ()
    english = holidays.country_holidays(code, years=list(years), language="en_US") if "en_US" in languages else calendar
    chinese = holidays.country_holidays(code, years=list(years), language="zh_CN") if "zh_CN" in languages else None
    default = leads.get("default", 0)
    rows = []
    for day, name in sorted(calendar.items()):
        en = english.get(day, name)
        follow_on = english.get(day - timedelta(days=1)) == en
        parts = [p for p in en.split("; ") if not _NOT_AN_OCCASION.search(p)]  # a day can carry two holidays
        lead = 0 if follow_on or not parts else max(leads.get(p, default) for p in parts)
        rows.append({"date": day, "name": name, "name_zh": chinese.get(day) if chinese is not None else None,
                     "kind": "holiday", "lead_days": lead, "name_en": en})
    return rows


def _marketing_rows(entries: Iterable[MarketingDate], code: str, years: Sequence[int]) -> list[dict]:
    """One row per curated date that applies to the country, in each year; warns about dates it cannot place."""
    rows = []
    for entry in entries:
        if not entry.applies_to(code):
            continue
        for year in years:
            day = resolve_rule(entry.rule, year)
            if day is None:
                if _LUNAR.match(entry.rule.strip()):
                    warnings.warn(f"{entry.name} ({entry.rule}) has no date for {year} in the lunar table "
                                  f"(years {min(QIXI_DATES)}–{max(QIXI_DATES)}); it is left out. Add it as a "
                                  f"'YYYY-MM-DD' rule in your extra_dates_file.", KeyDateWarning, stacklevel=3)
                continue
            rows.append({"date": day, "name": entry.name, "name_zh": entry.name_zh or None, "kind": "marketing",
                         "lead_days": entry.lead_days, "aliases": entry.aliases})
    return rows


def key_dates(year: int, month: int, country: str = "CN", include: Sequence[str] | None = None,
              extra_dates_file: str | Path | None = None, upcoming_warmups: bool = False) -> pd.DataFrame:
    """Holidays and marketing dates of a month: date, name, name_zh, kind, lead_days, warmup_start, in_month.

    ``include``: the kinds to list ('holiday', 'marketing'; default both). ``upcoming_warmups`` also
    lists dates after the month whose warm-up starts within it (``in_month`` False), e.g. Double 11
    when planning October.
    """
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise ParameterError(f"year must be a whole year such as 2026; got {year!r}.")
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ParameterError(f"month must be a whole number 1–12; got {month!r}.")
    kinds = list(KINDS) if include is None else ([include] if isinstance(include, str) else list(include))
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown or not kinds:
        raise ParameterError(f"include must list kinds from {list(KINDS)}; got {include!r}.")
    code = _country(country)
    years = [year, year + 1] if upcoming_warmups else [year]
    frame = _all_dates(code, years, kinds, extra_dates_file)
    start = pd.Timestamp(year=year, month=month, day=1)
    end = start + pd.offsets.MonthEnd(0)
    frame["in_month"] = frame["date"].between(start, end)
    keep = frame["in_month"]
    if upcoming_warmups:
        keep |= (frame["date"] > end) & (frame["warmup_start"] <= end)
    frame = frame[keep].sort_values(["date", "kind", "name"], kind="stable").reset_index(drop=True)
    frame.attrs.update(country=code, year=year, month=month)
    return frame[["date", "name", "name_zh", "kind", "lead_days", "warmup_start", "in_month", "aliases"]]


def year_dates(years: Sequence[int], country: str = "CN") -> pd.DataFrame:
    """Every holiday and marketing date of the years: date, name, name_zh, kind, lead_days, warmup_start (by date).

    The calendar of each (years, country) is built once per process (the review asks for it three times);
    each call gets its own copy, and the warnings of the build are given again on every call.
    """
    frame, found = _year_dates(tuple(int(y) for y in years), _country(country), _shipped_text())
    for message in found:
        warnings.warn(message, KeyDateWarning, stacklevel=2)
    return frame.copy()


@functools.lru_cache(maxsize=16)
def _year_dates(years: tuple[int, ...], code: str, shipped: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """year_dates' calendar and the KeyDateWarning messages its build gave (keyed by the shipped file's text too,
    so an edited calendar is read again). Shared: never hand the frame out without copying it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KeyDateWarning)
        frame = _all_dates(code, list(years), list(KINDS), None)
    found = tuple(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, KeyDateWarning)))
    for w in caught:  # anything else is passed on as it came
        if not issubclass(w.category, KeyDateWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    frame = frame.sort_values(["date", "kind", "name"], kind="stable").reset_index(drop=True)[
        ["date", "name", "name_zh", "kind", "lead_days", "warmup_start"]]
    return frame, found


def _all_dates(code: str, years: Sequence[int], kinds: Sequence[str],
               extra_dates_file: str | Path | None) -> pd.DataFrame:
    """Every holiday and marketing date of the years with warm-up start and aliases (';'-joined names)."""
    entries, leads = load_marketing_dates(extra_dates_file)
    other = load_holiday_aliases(extra_dates_file)
    rows: list[dict] = []
    if "holiday" in kinds:
        rows += _holiday_rows(code, years, leads)
    if "marketing" in kinds:
        rows += _marketing_rows(entries, code, years)
    frame = pd.DataFrame(rows, columns=["date", "name", "name_zh", "kind", "lead_days", "name_en", "aliases"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["lead_days"] = frame["lead_days"].astype("int64")
    frame["warmup_start"] = frame["date"] - pd.to_timedelta(frame["lead_days"], unit="D")
    names = []
    for r in frame.itertuples():
        found = [r.name, r.name_zh, r.name_en, *(r.aliases if isinstance(r.aliases, tuple) else ()),
                 *other.get(str(r.name_en), ())]
        names.append(";".join(dict.fromkeys(str(n) for n in found if isinstance(n, str) and n.strip())))
    frame["aliases"] = names
    return frame


def seasonal_aliases(year: int, country: str = "CN", extra_dates_file: str | Path | None = None) -> tuple[str, ...]:
    """Every name of every holiday and marketing date of the year and the next: a topic naming one is seasonal.

    A topic whose text contains one of these (e.g. "618宠粉直播", "双11预售攻略") belongs to that date and
    is planned only around it (helpers.planning.schedule), never in another month.
    """
    frame = _all_dates(_country(country), [year, year + 1], KINDS, extra_dates_file)
    occasions = ~frame["aliases"].str.contains(r"observed|substituted|day off|调休|补假", case=False, regex=True)
    names = {a for joined in frame.loc[occasions, "aliases"] for a in joined.split(";") if a}
    return tuple(sorted(names, key=lambda a: (-len(a), a)))
