"""End-to-end: `opsbook run content_planning` writes an importable calendar and a report in zh-CN and en."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pandas as pd
import pytest

import report_checks
from cli_run import opsbook
from helpers import config, runner
from helpers.i18n import ENV_VAR
from helpers.sample import PLANTED

pytestmark = pytest.mark.slow

CSV_COLUMNS = ["date", "time", "platform", "tier", "pillar", "format", "topic", "reason", "is_reserve"]
TITLES = {"zh-CN": "内容规划 · 青柠生活 · 2026年12月", "en": "Content planning · 青柠生活 · Dec 2026"}


def _run(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return opsbook("run", "content_planning", "--out", str(out), "--quiet", *extra)


def _published(out: Path) -> list[Path]:
    root = out / "content_planning"
    return [p for p in root.iterdir() if not p.name.startswith(("_", "."))] if root.exists() else []


@pytest.fixture(scope="module")
def runs(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """One run per language: the default (zh-CN, with $OPSBOOK_LANG unset) and -p lang en."""
    saved = os.environ.pop(ENV_VAR, None)
    try:
        folders = {}
        for lang, extra in (("zh-CN", ()), ("en", ("-p", "lang", "en"))):
            out = tmp_path_factory.mktemp(f"planning-{lang}")
            result = _run(out, *extra)
            assert result.returncode == 0, result.stderr[-4000:]
            (folders[lang],) = _published(out)
        yield folders
    finally:
        if saved is not None:
            os.environ[ENV_VAR] = saved


def _allowed(sample_dir: Path, run: Path) -> set[str]:
    """Data text either language may show: the data's own text, the brand (青柠生活 of 青柠生活·抖音), the
    notebook's fixed-column labels (周三vlog: parameter values a team writes) and the key dates' Chinese names
    and aliases from the shipped marketing dates (the words a topic must contain to belong to a date)."""
    accounts = pd.read_csv(sample_dir / "accounts.csv", encoding="utf-8-sig")
    brands = {str(n).split("·")[0] for n in accounts.loc[accounts["owner"] == "own", "name"]}
    labels = {c["label"] for c in runner.default_values(config.NOTEBOOKS / "content_planning.ipynb")["fixed_columns"]}
    keys = json.loads((run / "summary.json").read_text(encoding="utf-8"))["key_dates"]
    names = {a for k in keys for a in [k.get("name_zh") or "", *str(k.get("aliases") or "").split(";")] if a}
    return report_checks.data_text(sample_dir) | brands | labels | names


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_report_page_in_each_language(runs: dict[str, Path], sample_dir: Path, tmp_path: Path, lang: str) -> None:
    report = runs[lang] / "report.html"
    page = report.read_text(encoding="utf-8")
    assert report_checks.untranslated_text(page, lang, _allowed(sample_dir, runs[lang])) == []
    assert f'<html lang="{lang}">' in page
    assert f"<title>{TITLES[lang]}</title>" in page
    assert json.loads((runs[lang] / "summary.json").read_text(encoding="utf-8"))["title"] == TITLES[lang]
    # the summary comes before the first section; the appendix after the last
    assert page.index('class="ops-summary"') < page.index('id="works"') < page.index('id="appendix"')
    # the calendar is an HTML month grid (no PNG), weeks × Mon–Sun, reserve slots marked in words
    assert page.count('<table class="pl-month">') == 1 and "month_grid.png" not in page
    assert page.count('class="pl-slot pl-reserve"') == 19 + 1  # 19 reserve slots + the legend's sample
    assert ("○ 预留位" if lang == "zh-CN" else "○ reserve slot") in page
    assert ("◎ 双十二" if lang == "zh-CN" else "◎ Double 12") in page
    check = report_checks.check_page_in_browser(report, tmp_path / f"content_planning-{lang}.png")
    assert check.overflowing == []
    assert check.summary_top < 900
    assert check.lang == lang and check.title == TITLES[lang]


def test_calendar_exports_and_planted_effects(runs: dict[str, Path]) -> None:
    folder = runs["en"]
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


def test_machine_keys_stay_english_in_a_chinese_run(runs: dict[str, Path]) -> None:
    zh, en = (json.loads((runs[lang] / "summary.json").read_text(encoding="utf-8")) for lang in ("zh-CN", "en"))
    assert set(zh) == set(en) and zh["lang"] == "zh-CN" and en["lang"] == "en"
    assert zh["calendar"] == en["calendar"] and zh["mix_achieved"] == en["mix_achieved"]
    csv = pd.read_csv(runs["zh-CN"] / "calendar.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(csv.columns[: len(CSV_COLUMNS)]) == CSV_COLUMNS
    assert set(csv["tier"]) == {"daily", "series", "flagship", "reserve"}
    assert any(r == "留给突发热点" for r in csv["reason"])  # the reasons a person reads follow the run's language


def test_empty_topic_bank_fails_with_a_clear_message(sample_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for table in ("accounts", "posts"):
        (data / f"{table}.csv").write_bytes((sample_dir / f"{table}.csv").read_bytes())
    header = (sample_dir / "topic_bank.csv").read_text(encoding="utf-8").splitlines()[0]
    (data / "topic_bank.csv").write_text(header + "\n", encoding="utf-8")
    result = _run(tmp_path / "out", "--data", str(data))
    assert result.returncode == 2  # the topic bank is a small table, checked before any kernel starts
    assert "topic_bank" in result.stderr and "no rows" in result.stderr
    assert not _published(tmp_path / "out")


# Impossible constraints (posts_per_week 30 with a 6-hour gap) stop in session.prepare with the same message:
# tests/test_planning_session.py and tests/test_planning_schedule.py.


def test_more_planned_slots_than_topics_stops_with_the_numbers(sample_dir: Path, tmp_path: Path) -> None:
    # Six evergreen topics; douyin at 5 posts/week has 22 December slots, of which 16 are planned
    # (reserve 19 of 75 split 22:18:13:22 gives douyin 6) — more than six, so the run must stop, with the
    # message in the run's language (zh-CN here; tests/test_planning_messages.py has both languages).
    data = tmp_path / "data"
    data.mkdir()
    for table in ("accounts", "posts"):
        (data / f"{table}.csv").write_bytes((sample_dir / f"{table}.csv").read_bytes())
    lines = (sample_dir / "topic_bank.csv").read_text(encoding="utf-8").splitlines()
    (data / "topic_bank.csv").write_text("\n".join(lines[:7]) + "\n", encoding="utf-8")
    result = _run(tmp_path / "out", "--data", str(data), "-p", "lang", "zh-CN")
    assert result.returncode != 0
    assert "无法生成2026年12月的排期表：抖音有 16 个已排发布位" in result.stderr
    assert "选题库只有 6 个通用选题" in result.stderr
    assert "Traceback" not in result.stderr
    assert not _published(tmp_path / "out")
