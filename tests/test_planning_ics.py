"""calendar.ics (RFC 5545, parsed back with icalendar) and calendar.csv (UTF-8 with BOM for Excel)."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo

import icalendar
import pandas as pd
import pytest

from helpers import i18n
from helpers.errors import ParameterError
from helpers.planning.ics import slot_uid, to_ics, write_calendar_csv, write_ics
from helpers.planning.schedule import PlanSettings, build_calendar

STAMP = dt.datetime(2025, 5, 20, 8, 0, tzinfo=dt.UTC)




def make_windows(platforms: tuple[str, ...]) -> pd.DataFrame:
    """Posting windows 07–23 h with an evening peak at 20:00."""
    rows = [(p, wd, h, 1 + math.exp(-((h - 20) ** 2) / 4)) for p in platforms for wd in range(7) for h in range(7, 24)]
    return pd.DataFrame(rows, columns=["platform", "weekday", "hour", "score"])


TOPICS = pd.DataFrame({
    "topic": ["熬夜党急救护肤：三步修护", "水杨酸和果酸的区别", "618囤货直播", "新手护肤五步法", "防晒乳油皮实测"],
    "pillar": ["教程", "成分科普", "品牌活动", "教程", "产品种草"],
    "format": ["short_video", "carousel", "live", "article", "image"],
    "score": [1.9, 1.7, 1.5, 1.2, 1.0],
    "reason": ["完播率高于均值；评论区求教程", "竞品同类内容互动约高40%", "大促节点", "新粉占比高", "收藏率高"],
})
# A month of three platforms needs a topic per planned slot on each: fill the bank up with everyday topics.
TOPICS = pd.concat([TOPICS, pd.DataFrame({
    "topic": [f"日常选题{i:02d}" for i in range(35)], "pillar": ["产品种草"] * 35,
    "format": ["short_video", "image", "carousel", "text", "article"] * 7,
    "score": [0.9 - i * 0.01 for i in range(35)], "reason": ["日常"] * 35})], ignore_index=True)
KEYS = pd.DataFrame({"date": pd.to_datetime(["2025-06-18"]), "name": ["618"], "kind": ["marketing"],
                     "lead_days": [5]})


@pytest.fixture(scope="module")
def slots() -> pd.DataFrame:
    settings = PlanSettings({"douyin": 5, "xiaohongshu": 4, "weibo": 7},
                            fixed_columns=[(2, "douyin", "series", "short_video", "周三vlog")], min_gap_hours=4)
    with i18n.use_language("en"):  # module fixtures are built before the function-scoped english_by_default
        return build_calendar("2025-06", settings, make_windows(("douyin", "xiaohongshu", "weibo")), TOPICS,
                              KEYS).slots


@pytest.fixture(scope="module")
def ics(slots) -> bytes:
    with i18n.use_language("en"):
        return to_ics(slots, "Asia/Shanghai", "青柠生活 · 2025-06 内容排期", stamp=STAMP)


def test_round_trip(slots, ics):
    cal = icalendar.Calendar.from_ical(ics)
    assert str(cal["VERSION"]) == "2.0" and "opsbook" in str(cal["PRODID"])
    assert str(cal["X-WR-CALNAME"]) == "青柠生活 · 2025-06 内容排期"
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(slots)
    zone = zoneinfo.ZoneInfo("Asia/Shanghai")
    for event, row in zip(events, slots.itertuples(), strict=True):
        start = event["DTSTART"].dt
        expected = dt.datetime.combine(row.date.date(), dt.time(int(row.time[:2]), int(row.time[3:])), tzinfo=zone)
        assert start == expected and start.utcoffset() == dt.timedelta(hours=8)
        assert str(start.tzinfo) == "Asia/Shanghai" or getattr(start.tzinfo, "key", None) == "Asia/Shanghai"
        assert event["DTEND"].dt - start == dt.timedelta(minutes=30)
        summary = str(event["SUMMARY"])
        name = {"douyin": "Douyin", "xiaohongshu": "Xiaohongshu", "weibo": "Weibo"}[row.platform]
        assert summary == (f"{name} · reserve slot" if row.is_reserve
                           else f"{name} · {row.tier} · {row.topic}")    # Chinese intact
        assert event["DTSTAMP"].dt == STAMP
        description = str(event["DESCRIPTION"])
        shown_format = {"short_video": "short video", "video": "long video", "live": "live stream",
                        "image": "image post",
                        "carousel": "carousel", "article": "article", "text": "text post"}[row.format]
        assert f"Format: {shown_format}\n" in description and row.reason in description
        categories = [str(c) for c in event["CATEGORIES"].cats]
        assert row.platform in categories and row.tier in categories
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids) and all(u.endswith("@opsbook") for u in uids)


def test_vtimezone_present_and_tzid_qualified(ics):
    cal = icalendar.Calendar.from_ical(ics)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert b"DTSTART;TZID=Asia/Shanghai:20250601T200000" in ics


def test_crlf_and_folding(ics):
    assert ics.startswith(b"BEGIN:VCALENDAR\r\n") and ics.endswith(b"END:VCALENDAR\r\n")
    assert ics.count(b"\n") == ics.count(b"\r\n")
    lines = ics.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)                       # long descriptions were folded
    ics.decode("utf-8")                                                       # folding never splits a character


def test_uids_stable_and_output_deterministic(slots, ics):
    assert to_ics(slots, "Asia/Shanghai", "青柠生活 · 2025-06 内容排期", stamp=STAMP) == ics
    first = slots.iloc[0]
    assert slot_uid(first["date"], first["time"], first["platform"], 0) in ics.decode()


def test_daylight_saving_zone_keeps_local_wall_time():
    slots = build_calendar("2025-03", PlanSettings({"instagram": 7}, timezone="Europe/London"),
                           make_windows(("instagram",)), TOPICS).slots
    cal = icalendar.Calendar.from_ical(to_ics(slots, "Europe/London", "IG", stamp=STAMP))
    starts = {e["DTSTART"].dt.date(): e["DTSTART"].dt for e in cal.walk("VEVENT")}
    assert starts[dt.date(2025, 3, 29)].utcoffset() == dt.timedelta(0)           # GMT before the change
    assert starts[dt.date(2025, 3, 31)].utcoffset() == dt.timedelta(hours=1)     # BST after it
    assert all(v.strftime("%H:%M") == slots.set_index(slots["date"].dt.date).loc[k, "time"]
               for k, v in starts.items())
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]


def test_ics_bad_input(slots):
    with pytest.raises(ParameterError, match="IANA"):
        to_ics(slots, "Nowhere/Land", "x")
    with pytest.raises(ParameterError, match="duration"):
        to_ics(slots, "Asia/Shanghai", "x", duration_minutes=0)


def test_write_ics(tmp_path, slots):
    path = write_ics(slots, tmp_path / "out" / "calendar.ics", "Asia/Shanghai", "排期")
    assert len(list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))) == len(slots)


def test_calendar_csv_has_a_bom_and_chinese_round_trips(tmp_path, slots):
    path = write_calendar_csv(slots, tmp_path / "calendar.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "周三vlog".encode() in raw
    back = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
    assert list(back.columns[:9]) == ["date", "time", "platform", "tier", "pillar", "format", "topic", "reason",
                                      "is_reserve"]
    assert back["topic"].tolist() == slots["topic"].tolist()
    assert back["reason"].tolist() == slots["reason"].tolist()
    assert back["date"].iloc[0] == "2025-06-01"
