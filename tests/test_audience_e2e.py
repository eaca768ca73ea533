"""End-to-end: `opsbook run audience_profiling` in zh-CN and en finds the planted effects; the page reads well."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

import report_checks
from cli_run import opsbook
from helpers.sample import PLANTED

pytestmark = pytest.mark.slow

LANGS = ("zh-CN", "en")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One run per language (the default is zh-CN; en through -p lang en): lang → run folder."""
    folders = {}
    for lang in LANGS:
        out = tmp_path_factory.mktemp(f"audience-{lang}")
        extra = ("-p", "lang", "en") if lang == "en" else ()
        result = opsbook("run", "audience_profiling", "--out", str(out), "--quiet", *extra)
        assert result.returncode == 0, result.stderr[-4000:]
        folders[lang] = next((out / "audience_profiling").glob("20*"))
    return folders


def test_planted_bots_evening_peak_and_lapsing_users(runs: dict[str, Path]) -> None:
    folder = runs["en"]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["users"]["bots"] == len(PLANTED.bot_users)
    assert summary["peak_windows"][0]["start_hour"] == PLANTED.evening_window[0]
    members = pd.read_csv(folder / "tables" / "segment_membership.csv", encoding="utf-8-sig")
    lapsing = members[members["user_id"].isin(PLANTED.lapsing_segment)]
    # silent since 2026-08-01: in a 180-day window they are mostly at risk / can't lose (dormant or high-value lapsed)
    assert lapsing["segment"].isin(["at risk", "can't lose", "about to sleep", "hibernating"]).mean() > 0.8
    assert set(members.columns) == {"user_id", "segment", "group", "cluster", "cluster_name"}
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert not any(u in html for u in members["user_id"].head(50))  # no individual ids in the report


def test_machine_keys_stay_english_in_both_languages(runs: dict[str, Path]) -> None:
    for lang, folder in runs.items():
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert summary["lang"] == lang
        assert {r["name"] for r in summary["rfm_segments"]} >= {"champions", "at risk", "can't lose"}
        rfm = pd.read_csv(folder / "tables" / "rfm_segments.csv", encoding="utf-8-sig")
        assert list(rfm.columns) == ["name", "group", "users", "share", "mean_recency", "mean_frequency",
                                     "mean_monetary"]


@pytest.mark.parametrize("lang", LANGS)
def test_report_is_in_its_language_summary_first_and_fits(lang: str, runs: dict[str, Path], sample_dir: Path,
                                                          tmp_path: Path) -> None:
    folder = runs[lang]
    report = folder / "report.html"
    html = report.read_text(encoding="utf-8")
    assert report_checks.untranslated_text(html, lang, report_checks.data_text(sample_dir)) == []
    assert html.index('class="ops-summary"') < html.index('id="bots"')  # the summary before the first section
    assert f'<html lang="{lang}">' in html
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)  # type: ignore[union-attr]
    report_name = "用户画像" if lang == "zh-CN" else "Audience profile"
    period = "2026年5月20日至2026年11月15日" if lang == "zh-CN" else "May 20, 2026 – Nov 15, 2026"
    assert report_name in title and "青柠生活·抖音" in title and period in title
    # every demographic dimension is shown, age bands and city tiers in their natural order
    for word in (("性别", "年龄段", "城市等级", "设备") if lang == "zh-CN" else ("Gender", "Age band", "City tier",
                                                                          "Device")):
        assert word in html
    assert html.index(">18-24<") < html.index(">25-30<") < html.index(">41+<")
    tiers = (("一线", "新一线", "二线", "四线及以下") if lang == "zh-CN"
             else ("tier 1", "new tier 1", "tier 2", "tier 4 and below"))  # the data writes 一线 ...
    assert html.index(f">{tiers[0]}<") < html.index(f">{tiers[1]}<") < html.index(f">{tiers[2]}<") < html.index(
        f">{tiers[3]}<")
    # interest shares name their base: the followers without the bots (24,000 − 30 = 23,970)
    assert ("占 23,970 位粉丝比例" if lang == "zh-CN" else "Share of the 23,970 followers") in html
    assert "own_douyin" not in re.sub(r"<code>.*?</code>", "", html, flags=re.S)  # names, not ids
    shot = tmp_path / f"audience_profiling-{lang}.png"
    page = report_checks.check_page_in_browser(report, shot)
    assert page.overflowing == []
    assert page.summary_top < 900
    assert page.lang == lang and report_name in page.title
