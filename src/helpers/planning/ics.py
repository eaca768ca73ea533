"""Exports of the calendar a team can import: calendar.ics (RFC 5545) and calendar.csv (Excel, Chinese intact).

The ICS file carries one VEVENT per slot with DTSTART;TZID=<zone> and a matching VTIMEZONE, which
Google Calendar and Outlook both import; UIDs are stable (a hash of date, time, platform and row),
so re-importing an updated plan replaces events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
import zoneinfo
from pathlib import Path

import icalendar
import pandas as pd

from helpers import i18n
from helpers.errors import ParameterError, require_columns
from helpers.i18n import _
from helpers.params import check_timezone
from helpers.planning.schedule import format_name, tier_name
from helpers.report import write_csv

PRODID = "-//opsbook//content planning//EN"
UID_DOMAIN = "opsbook"
ICS_COLUMNS: tuple[str, ...] = ("date", "time", "platform", "tier", "topic", "is_reserve")
CSV_COLUMNS: tuple[str, ...] = ("date", "time", "platform", "tier", "pillar", "format", "topic", "reason",
                                "is_reserve", "key_date", "role", "label", "shared_with")


def slot_uid(date: object, time: str, platform: str, index: int) -> str:
    """A stable UID for one slot: sha1 of date, time, platform and row index, @opsbook."""
    day = pd.Timestamp(date).strftime("%Y-%m-%d")
    digest = hashlib.sha1(f"{day}|{time}|{platform}|{index}".encode()).hexdigest()[:20]
    return f"{digest}@{UID_DOMAIN}"


def _text(value: object) -> str:
    """A cell as text ('' for missing)."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _zone(timezone: str) -> zoneinfo.ZoneInfo:
    """The zone of a timezone parameter (ParameterError when the IANA database does not know it)."""
    return zoneinfo.ZoneInfo(check_timezone("timezone", timezone))


def slot_start(date: object, time: str, timezone: str) -> dt.datetime:
    """The slot's start as a timezone-aware datetime (local wall time in `timezone`)."""
    hour, minute = (int(x) for x in str(time).split(":")[:2])
    day = pd.Timestamp(date).date()
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=_zone(timezone))


def to_ics(slots: pd.DataFrame, timezone: str, calendar_name: str, duration_minutes: int = 30,
           stamp: dt.datetime | None = None) -> bytes:
    """The slots as an RFC 5545 calendar: VTIMEZONE, one VEVENT per slot, CRLF lines folded at 75 octets.

    SUMMARY is "platform · tier · topic" ("platform · reserve slot" for a reserve slot) and DESCRIPTION
    gives pillar, format and reason, in the run's language (抖音 · 重磅 · topic); CATEGORIES keep the
    codes (platform, tier, pillar) for filtering.

    `stamp` (UTC) is the DTSTAMP of every event; give it for byte-identical output across runs.
    """
    require_columns(slots, ICS_COLUMNS, "slots")
    if duration_minutes <= 0:
        raise ParameterError(f"duration_minutes = {duration_minutes} must be positive.")
    _zone(timezone)
    stamp = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar_name)
    cal.add("x-wr-timezone", timezone)
    for index, row in enumerate(slots.to_dict(orient="records")):
        start = slot_start(row["date"], row["time"], timezone)
        reserve = bool(row["is_reserve"])
        platform, tier = _text(row["platform"]), _text(row["tier"])
        topic = _text(row["topic"])
        shown = (i18n.platform_name(platform), tier_name("reserve" if reserve else tier))
        summary = " · ".join(shown) if reserve else " · ".join(x for x in (*shown, topic) if x)
        event = icalendar.Event()
        event.add("uid", slot_uid(row["date"], row["time"], platform, index))
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(minutes=duration_minutes))
        event.add("summary", summary)
        lines = [_("Content pillar") + ": " + (_text(row.get("pillar")) or "–"),
                 _("Format") + ": " + (format_name(_text(row.get("format"))) or "–"),
                 _("Reason") + ": " + (_text(row.get("reason")) or "–")]
        if _text(row.get("key_date")):
            lines.append(_("Key date") + ": " + _text(row.get("key_date")))
        if _text(row.get("label")):
            lines.append(_("Fixed column") + ": " + _text(row.get("label")))
        event.add("description", "\n".join(lines))
        categories = (platform, tier, _text(row.get("pillar")), "reserve" if reserve else "")
        event.add("categories", [x for x in dict.fromkeys(categories) if x])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    if not hasattr(cal, "add_missing_timezones"):
        raise RuntimeError(f"calendar.ics needs icalendar ≥ 6.1 (Calendar.add_missing_timezones writes the "
                           f"VTIMEZONE); installed: {icalendar.__version__}.")
    cal.add_missing_timezones()
    return cal.to_ical()


def write_ics(slots: pd.DataFrame, path: str | Path, timezone: str, calendar_name: str,
              duration_minutes: int = 30) -> Path:
    """Write calendar.ics (bytes as produced by to_ics)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(to_ics(slots, timezone, calendar_name, duration_minutes))
    return target


def write_calendar_csv(slots: pd.DataFrame, path: str | Path) -> Path:
    """Write calendar.csv as UTF-8 with a BOM (Excel shows Chinese intact); dates as YYYY-MM-DD."""
    require_columns(slots, CSV_COLUMNS[:9], "slots")
    frame = slots[[c for c in CSV_COLUMNS if c in slots.columns]].copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.strftime("%Y-%m-%d")
    return write_csv(frame, Path(path))


def calendar_csv_bytes(slots: pd.DataFrame) -> bytes:
    """calendar.csv exactly as write_calendar_csv writes it (UTF-8 with BOM), as bytes for RunOutputs.file."""
    with tempfile.TemporaryDirectory() as folder:
        return write_calendar_csv(slots, Path(folder) / "calendar.csv").read_bytes()
