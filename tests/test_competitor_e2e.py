"""End-to-end: `opsbook run competitor_analysis` finds the sample's planted effects, renders its report in zh-CN
and en (summary first, nothing untranslated, no overflow), and survives bad input."""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import report_checks
from cli_run import opsbook
from helpers.sample import PLANTED

pytestmark = pytest.mark.slow

SUMMARY_KEYS = {"title", "label", "params", "window", "accounts", "engagement_definition", "notes", "benchmark",
                "own_percentile_ranks", "share_of_voice", "content_mix", "topic_lift", "top_topics", "hit_posts",
                "hit_traits", "opportunities", "strategy_summary", "strengths_weaknesses", "normalised_kpis"}
BENCHMARK_KEYS = {"account", "followers_end", "growth_pct", "posts_per_week", "engagement_rate",
                  "engagement_rate_base", "percentile_ranks"}
TRICKY_TITLE = '<b>爆款</b> 成分党必看 & "真香"'


def _run(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return opsbook("run", "competitor_analysis", "--out", str(out), "--quiet", *extra)


def _published(out: Path) -> tuple[dict, str]:
    folder = next(p for p in (out / "competitor_analysis").iterdir() if not p.name.startswith(("_", ".")))
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    return summary, (folder / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> dict[str, Path]:
    """One default run per language (zh-CN by default, en with -p lang en), shared by the tests below."""
    out = {}
    for lang, extra in (("zh-CN", ()), ("en", ("-p", "lang", "en"))):
        folder = tmp_path_factory.mktemp(f"competitors-{lang}")
        result = _run(folder, *extra)
        assert result.returncode == 0, result.stderr[-4000:]
        out[lang] = folder
    return out


def test_planted_video_winner_and_neglected_topic(runs: dict[str, Path]) -> None:
    summary, report = _published(runs["en"])
    assert set(summary) >= SUMMARY_KEYS
    assert summary["label"] == "own_douyin_2026-05..2026-10"
    assert summary["engagement_definition"]["components"] == ["likes", "comments", "shares"]

    rows = {r["account"]: r for r in summary["benchmark"]}
    assert all(set(r) >= BENCHMARK_KEYS for r in rows.values())
    assert rows["own_douyin"]["engagement_rate_base"] == "by followers at posting time"
    field = {a: r for a, r in rows.items() if r["role"] == "field"}
    winner = f"{PLANTED.competitor_video_winner}_douyin"
    for metric in ("engagements_mean", "views_per_video_post"):
        assert max(field, key=lambda a, m=metric: field[a][m]) == winner, metric
    assert summary["field_leaders"]["engagements_mean"]["account"] == winner

    opportunities = [o for o in summary["opportunities"] if o["kind"] == "under-served"]
    assert opportunities[0]["category"] == PLANTED.neglected_topic
    assert opportunities[0]["dimension"] == "pillar"
    assert opportunities[0]["field_index"] > 1.2 and opportunities[0]["own_share"] < 0.1
    lift = {r["pillar"]: r for r in summary["topic_lift"]["pillar"]}[PLANTED.neglected_topic]
    assert lift["lift_ci_low"] > 1  # within accounts, not only pooled

    shares = [r["engagement_share"] for r in summary["share_of_voice"]["overall"]]
    assert sum(shares) == pytest.approx(1.0)
    hit_titles = [h["title"] for h in summary["hit_posts"]]
    assert hit_titles and all(html.escape(t, quote=False) in report for t in hit_titles)


def _allowed(sample_dir: Path) -> set[str]:
    """Data text (names, titles, pillars) plus each topic tag of the ';'-joined topics column."""
    texts = report_checks.data_text(sample_dir)
    return texts | {tag for t in texts for tag in t.split(";") if tag}


NAMES = {"own_douyin": "青柠生活·抖音", "comp_b_douyin": "桃气研究所·抖音"}


@pytest.mark.parametrize(("lang", "words"), [
    ("zh-CN", ("竞品分析", "关键发现", "行动建议", "第 1 / 5", "声量占比", "互动率")),
    ("en", ("Competitor analysis", "Key findings", "What to do", "rank 1 of 5", "Share of voice")),
])
def test_report_reads_in_its_language_summary_first(runs: dict[str, Path], sample_dir: Path, tmp_path: Path,
                                                     lang: str, words: tuple[str, ...]) -> None:
    summary, page = _published(runs[lang])
    assert report_checks.untranslated_text(page, lang, _allowed(sample_dir)) == []
    assert f'<html lang="{lang}"' in page
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title and summary["title"] in html.unescape(title.group(1))
    assert NAMES["own_douyin"] in summary["title"]
    assert ("2026年5月" if lang == "zh-CN" else "May 2026") in summary["title"]
    assert all(w in html.unescape(page) for w in words)
    assert page.index('class="ops-summary"') < page.index('id="data"')  # the summary before section 0
    assert page.index('id="summary-method"') < page.index('id="appendix"')  # housekeeping last
    # account names, never ids, in what a reader sees (the appendix' commands are code)
    text = " ".join(report_checks.visible_text(page))
    assert NAMES["comp_b_douyin"] in text and not re.search(r"\b(own|comp_[a-d])_douyin\b", text)
    folder = next(p for p in (runs[lang] / "competitor_analysis").iterdir() if not p.name.startswith(("_", ".")))
    shot = tmp_path / f"competitor_analysis-{lang}.png"
    seen = report_checks.check_page_in_browser(folder / "report.html", shot)
    assert seen.overflowing == []
    assert seen.summary_top < 900
    assert seen.lang == lang


def test_unknown_competitor_fails_with_a_clear_message(sample_dir: Path, tmp_path: Path) -> None:
    result = _run(tmp_path, "-p", "competitors", "[comp_a_douyin, nonexistent]")
    assert result.returncode == 2  # checked on the accounts table before any kernel starts
    assert "nonexistent" in result.stderr and "competitors" in result.stderr
    assert "unknown account id(s) nonexistent" in result.stderr
    assert not [p for p in (tmp_path / "competitor_analysis").iterdir() if not p.name.startswith(("_", "."))]


def test_missing_posts_followers_and_html_titles(sample_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for table in ("accounts", "account_daily", "posts"):
        frame = pd.read_csv(sample_dir / f"{table}.csv", dtype=str, keep_default_na=False)
        if table == "posts":
            # comp_c_douyin posts nothing in the window; comp_b_douyin's biggest post gets an HTML-like title
            window = frame["published_at"].between("2026-05", "2026-11")
            frame = frame[~((frame["account_id"] == "comp_c_douyin") & window)]
            comp_b = frame[(frame["account_id"] == "comp_b_douyin") & window.loc[frame.index]]
            top = comp_b["likes"].astype(float).idxmax()
            frame.loc[top, "title"] = TRICKY_TITLE
        if table == "account_daily":  # comp_d_douyin: follower history stops before the window
            frame = frame[~((frame["account_id"] == "comp_d_douyin") & (frame["date"] >= "2026-04-01"))]
        frame.to_csv(data / f"{table}.csv", index=False)

    result = _run(tmp_path / "out", "--data", str(data))
    assert result.returncode == 0, result.stderr[-4000:]
    summary, report = _published(tmp_path / "out")
    notes = "\n".join(summary["notes"])  # zh-CN by default, accounts by name
    assert "木槿集·抖音：2026年5月1日至2026年10月31日没有发布" in notes
    assert "云朵肌·抖音：" in notes and "在发布前 7 天内没有粉丝数" in notes
    assert "木槿集·抖音：2026年5月1日至2026年10月31日没有发布" in html.unescape(report)

    rows = {r["account"]: r for r in summary["benchmark"]}
    assert rows["comp_c_douyin"]["posts"] == 0 and rows["comp_c_douyin"]["engagement_rate"] is None  # not 0
    assert rows["comp_d_douyin"]["engagement_rate"] is None and rows["comp_d_douyin"]["growth_pct"] is None
    assert rows["comp_d_douyin"]["engagements_mean"] > 0  # engagements are still compared
    assert "comp_c_douyin" not in {h["account_id"] for h in summary["hit_posts"]}

    assert TRICKY_TITLE in {h["title"] for h in summary["hit_posts"]}
    assert "<b>爆款" not in report
    assert html.escape(TRICKY_TITLE, quote=False) in report
