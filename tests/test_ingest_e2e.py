"""End-to-end: a store built from the fixture exports with `opsbook import`, and the notebooks run on it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import config
from nbval_reference import run_nbval

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
ACCOUNTS = [("own_x", "x"), ("own_ig", "instagram"), ("own_fb", "facebook"), ("own_tt", "tiktok"),
            ("own_yt", "youtube"), ("own_li", "linkedin"), ("own_wx", "wechat"), ("own_dy", "douyin"),
            ("own_xhs", "xiaohongshu")]
IMPORTS = {
    "own_x": ["intl/x_posts.csv", "intl/x_posts_legacy.csv", "intl/x_account_overview.csv"],
    "own_ig": ["intl/instagram_posts.csv", "intl/meta_instagram_follows.csv"],
    "own_fb": ["intl/facebook_posts.csv", "intl/meta_facebook_page_reach.csv"],
    "own_tt": ["intl/tiktok"],
    "own_yt": ["intl/youtube_table_data.csv"],
    "own_li": ["intl/linkedin_page_content.xlsx"],
    "own_wx": ["cn/wechat_articles.csv", "cn/wechat_users.xls"],
    "own_dy": ["cn/douyin_works.xlsx"],
    "own_xhs": ["cn/xiaohongshu_notes.csv"],
}
PILLARS = "成分科普: [成分, 烟酰胺]\n教程: [教程, 步骤, how to, tips]\n品牌活动: [直播, 福利, launch, sale]\n"


def _opsbook(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "helpers.cli", *args], capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    """Every fixture export imported for an account of its platform, pillar rules, and a topic bank."""
    root = tmp_path_factory.mktemp("store") / "store"
    for account, platform in ACCOUNTS:
        done = _opsbook("store", "add-account", account, "--platform", platform, "--name", account,
                        "--store", str(root))
        assert done.returncode == 0, done.stderr
    for account, files in IMPORTS.items():
        done = _opsbook("import", *(str(FIXTURES / f) for f in files), "--account", account, "--store", str(root),
                        "--as-of", "2026-01-10")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "FAILED" not in done.stdout
    rules = root.parent / "pillars.yaml"
    rules.write_text(PILLARS, encoding="utf-8")
    assert _opsbook("store", "pillars", str(rules), "--store", str(root)).returncode == 0
    bank = root.parent / "topic_bank.csv"
    shutil.copy(sample_dir / "topic_bank.csv", bank)
    done = _opsbook("import", str(bank), "--store", str(root))
    assert done.returncode == 0 and "canonical:topic_bank" in done.stdout, done.stdout + done.stderr
    return root


def test_store_info_lists_every_account(store: Path) -> None:
    info = _opsbook("store", "info", "--store", str(store))
    assert info.returncode == 0
    for account, _ in ACCOUNTS:
        assert account in info.stdout
    assert "topic_bank" in info.stdout and "follower_activity" in info.stdout
    assert _opsbook("validate", "--data", str(store)).returncode == 0


def test_period_review_runs_on_the_store(store: Path, tmp_path: Path) -> None:
    done = _opsbook("run", "period_review", "--data", str(store), "--out", str(tmp_path), "--quiet")
    assert done.returncode == 0, done.stderr[-3000:]
    (folder,) = [p for p in (tmp_path / "period_review").iterdir() if not p.name.startswith("_")]
    assert (folder / "report.html").is_file()
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    # the exports carry no ads, journeys or risk register: those sections are skipped, the rest computed
    assert "stop_loss_campaigns" not in summary and "attribution" not in summary
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "Not in the data folder, so their sections are skipped: ad_daily, touchpoints, conversions, risks" in html


def test_content_planning_runs_on_the_store(store: Path, tmp_path: Path) -> None:
    # Douyin and WeChat exports carry views, not impressions: the engagement rate takes views as its base.
    done = _opsbook("run", "content_planning", "--data", str(store), "--out", str(tmp_path), "--quiet",
                    "-p", "platforms", "[douyin, wechat]", "-p", "posts_per_week", "5", "-p", "fixed_columns", "[]",
                    "-p", "er_base", "views", "-p", "mix", "{daily: 0.5, series: 0.2, flagship: 0.3}")
    assert done.returncode == 0, done.stderr[-3000:]
    (folder,) = [p for p in (tmp_path / "content_planning").iterdir() if not p.name.startswith("_")]
    assert (folder / "calendar.csv").is_file() and (folder / "calendar.ics").is_file()


def test_content_planning_says_when_posts_have_no_pillar(store: Path, tmp_path: Path) -> None:
    # No rule matches the Xiaohongshu fixture titles, so its posts have no pillar: a clear message, not a crash.
    done = _opsbook("run", "content_planning", "--data", str(store), "--out", str(tmp_path), "--quiet",
                    "-p", "platforms", "[xiaohongshu]", "-p", "fixed_columns", "[]")
    assert done.returncode != 0
    assert "have no pillar" in done.stderr and "opsbook store pillars" in done.stderr
    assert "Traceback" not in done.stderr


def test_period_review_of_an_account_whose_exports_have_no_impressions_or_engagements(store: Path,
                                                                                       tmp_path: Path) -> None:
    # TikTok's Overview has video views, likes, comments and shares, but no impressions or engagements
    done = _opsbook("run", "period_review", "--data", str(store), "--out", str(tmp_path), "--quiet",
                    "-p", "account", "own_tt", "--period", "2025-12")
    assert done.returncode == 0, done.stderr[-3000:]
    html = (tmp_path / "period_review" / "2025-12" / "report.html").read_text(encoding="utf-8")
    assert "Completed: own_tt: engagements = likes + comments + shares (its exports report no engagements)" in html
    assert "Bot check not possible (its two signals are missing) for: own_tt (no impressions)" in html
    # Content.csv's three posts (one in December) carry views, not impressions: said, not an empty table
    assert "none ranked: the period has 1 post(s), none with both engagements and impressions" in html


# --- the sample data through the store: every notebook reads it as it reads the CSV folder ------------

NOTEBOOKS = sorted(p.stem for p in config.NOTEBOOKS.glob("*.ipynb"))


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    """The bundled sample folder (every canonical table, accounts included) imported into a fresh store."""
    root = tmp_path_factory.mktemp("sample_store") / "store"
    assert _opsbook("store", "init", "--store", str(root)).returncode == 0
    done = _opsbook("import", str(sample_dir), "--store", str(root))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "accounts.csv as canonical:accounts — accounts: 12 added" in done.stdout
    return root


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_on_the_sample_store_prints_the_reference_outputs(name: str, sample_store: Path,
                                                                         tmp_path: Path) -> None:
    # the same hand-written reference outputs as on the CSV folder (tests/notebook_expected)
    result = run_nbval(name, tmp_path, data_dir=sample_store)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
