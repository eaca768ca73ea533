"""End-to-end: `opsbook run content_planning` writes an importable calendar and refuses impossible input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import icalendar
import pandas as pd
import pytest

from cli_run import opsbook
from helpers.sample import PLANTED

pytestmark = pytest.mark.slow

CSV_COLUMNS = ["date", "time", "platform", "tier", "pillar", "format", "topic", "reason", "is_reserve"]


def _run(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return opsbook("run", "content_planning", "--out", str(out), "--quiet", *extra)


def _published(out: Path) -> list[Path]:
    root = out / "content_planning"
    return [p for p in root.iterdir() if not p.name.startswith(("_", "."))] if root.exists() else []


def test_calendar_exports_and_planted_effects(sample_dir: Path, tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert result.returncode == 0, result.stderr[-4000:]
    (folder,) = _published(tmp_path)
    assert folder.name == "2026-12"
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))

    raw = (folder / "calendar.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the BOM and shows Chinese intact
    csv = pd.read_csv(folder / "calendar.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(csv.columns[: len(CSV_COLUMNS)]) == CSV_COLUMNS
    assert (csv["pillar"] == PLANTED.neglected_topic).any()
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in csv["topic"])

    cal = icalendar.Calendar.from_ical((folder / "calendar.ics").read_bytes())
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(csv) == summary["calendar"]["slots"]
    assert len({str(e["UID"]) for e in events}) == len(events)
    assert cal.walk("VTIMEZONE"), "DTSTART carries a TZID, so the VTIMEZONE must be present"
    assert "calendar.csv" in summary["files"] and "calendar.ics" in summary["files"]

    start, end = PLANTED.evening_window
    for platform, windows in summary["top_windows"].items():
        assert start <= windows[0]["hour"] < end, (platform, windows[0])

    reserve = int(csv["is_reserve"].astype(str).eq("True").sum())
    target = summary["params"]["reserve_share"] * len(csv)
    assert abs(reserve - target) <= 1
    assert summary["reserve_share"] == pytest.approx(reserve / len(csv))
    assert set(summary["mix_achieved"]) == {"daily", "series", "flagship"}
    assert any(k["name"] == "Double 12" for k in summary["key_dates"])

    for platform, top in summary["top_topics"].items():
        assert [t["pillar"] for t in top[:3]] == [PLANTED.neglected_topic] * 3, platform

    # no topic twice on one platform; the sample bank's sale topics (618, 双11, 520, 年货节) wait for their month
    planned = csv[csv["is_reserve"].astype(str) == "False"]
    assert not planned.duplicated(["platform", "topic"]).any()
    assert not planned["topic"].str.contains("618|双11|520|年货节").any()
    assert any("wait for their date" in n for n in summary["calendar_notes"])


def test_empty_topic_bank_fails_with_a_clear_message(sample_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for table in ("accounts", "posts"):
        (data / f"{table}.csv").write_bytes((sample_dir / f"{table}.csv").read_bytes())
    header = (sample_dir / "topic_bank.csv").read_text(encoding="utf-8").splitlines()[0]
    (data / "topic_bank.csv").write_text(header + "\n", encoding="utf-8")
    result = _run(tmp_path / "out", "--data", str(data))
    assert result.returncode != 0
    assert "topic_bank" in result.stderr and "no rows" in result.stderr
    assert not _published(tmp_path / "out")


# Impossible constraints (posts_per_week 30 with a 6-hour gap) stop in session.prepare with the same message:
# tests/test_planning_session.py and tests/test_planning_schedule.py.


def test_more_planned_slots_than_topics_stops_with_the_numbers(sample_dir: Path, tmp_path: Path) -> None:
    # Six evergreen topics; douyin at 5 posts/week has 22 December slots, of which 16 are planned
    # (reserve 19 of 75 split 22:18:13:22 gives douyin 6) — more than six, so the run must stop.
    data = tmp_path / "data"
    data.mkdir()
    for table in ("accounts", "posts"):
        (data / f"{table}.csv").write_bytes((sample_dir / f"{table}.csv").read_bytes())
    lines = (sample_dir / "topic_bank.csv").read_text(encoding="utf-8").splitlines()
    (data / "topic_bank.csv").write_text("\n".join(lines[:7]) + "\n", encoding="utf-8")
    result = _run(tmp_path / "out", "--data", str(data))
    assert result.returncode != 0
    assert "douyin has 16 planned slots" in result.stderr and "6 evergreen topic(s)" in result.stderr
    assert "Traceback" not in result.stderr
    assert not _published(tmp_path / "out")
