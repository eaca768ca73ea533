"""End-to-end: a store built from the fixture exports with `opsbook import`, and the notebooks run on it."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from cli_run import opsbook
from helpers import config
from helpers.audience.engine import events_from_parquet, from_frame
from helpers.data import DataWarning, find_table_file, load_tables
from helpers.schema import TABLES
from helpers.timezones import account_zones

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


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    """Every fixture export imported for an account of its platform, pillar rules, and a topic bank."""
    root = tmp_path_factory.mktemp("store") / "store"
    for account, platform in ACCOUNTS:
        done = opsbook("store", "add-account", account, "--platform", platform, "--name", account,
                        "--store", str(root))
        assert done.returncode == 0, done.stderr
    for account, files in IMPORTS.items():
        done = opsbook("import", *(str(FIXTURES / f) for f in files), "--account", account, "--store", str(root),
                        "--as-of", "2026-01-10")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "FAILED" not in done.stdout
    rules = root.parent / "pillars.yaml"
    rules.write_text(PILLARS, encoding="utf-8")
    assert opsbook("store", "pillars", str(rules), "--store", str(root)).returncode == 0
    bank = root.parent / "topic_bank.csv"
    shutil.copy(sample_dir / "topic_bank.csv", bank)
    done = opsbook("import", str(bank), "--store", str(root))
    assert done.returncode == 0 and "canonical:topic_bank" in done.stdout, done.stdout + done.stderr
    return root


def test_store_info_lists_every_account(store: Path) -> None:
    info = opsbook("store", "info", "--store", str(store))
    assert info.returncode == 0
    for account, _ in ACCOUNTS:
        assert account in info.stdout
    assert "topic_bank" in info.stdout and "follower_activity" in info.stdout
    assert opsbook("validate", "--data", str(store)).returncode == 0


def test_period_review_runs_on_the_store(store: Path, tmp_path: Path) -> None:
    done = opsbook("run", "period_review", "--data", str(store), "--out", str(tmp_path), "--quiet", "--lang", "en")
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
    done = opsbook("run", "content_planning", "--data", str(store), "--out", str(tmp_path), "--quiet",
                    "-p", "platforms", "[douyin, wechat]", "-p", "posts_per_week", "5", "-p", "fixed_columns", "[]",
                    "-p", "er_base", "views", "-p", "mix", "{daily: 0.5, series: 0.2, flagship: 0.3}")
    assert done.returncode == 0, done.stderr[-3000:]
    (folder,) = [p for p in (tmp_path / "content_planning").iterdir() if not p.name.startswith("_")]
    assert (folder / "calendar.csv").is_file() and (folder / "calendar.ics").is_file()


def test_content_planning_says_when_posts_have_no_pillar(store: Path, tmp_path: Path) -> None:
    # No rule matches the Xiaohongshu fixture titles, so its posts have no pillar: a clear message, not a crash.
    # The posts are read by the notebook, so it is the notebook that stops, once the parameters pass: bad data
    # the user must fix, so exit 2 as before the kernel.
    done = opsbook("run", "content_planning", "--data", str(store), "--out", str(tmp_path), "--quiet",
                    "-p", "platforms", "[xiaohongshu]", "-p", "posts_per_week", "4", "-p", "fixed_columns", "[]")
    assert done.returncode == 2, done.stderr[-3000:]
    assert "have no pillar" in done.stderr and "opsbook store pillars" in done.stderr
    assert "Traceback" not in done.stderr


def test_period_review_of_an_account_whose_exports_have_no_impressions_or_engagements(store: Path,
                                                                                       tmp_path: Path) -> None:
    # TikTok's Overview has video views, likes, comments and shares, but no impressions or engagements
    done = opsbook("run", "period_review", "--data", str(store), "--out", str(tmp_path), "--quiet", "--lang", "en",
                    "-p", "account", "own_tt", "--period", "2025-12")
    assert done.returncode == 0, done.stderr[-3000:]
    html = (tmp_path / "period_review" / "2025-12" / "report.html").read_text(encoding="utf-8")
    assert "Completed: own_tt: engagements = likes + comments + shares (its exports report no engagements)" in html
    assert "Bot check not possible (its two signals are missing) for: own_tt (no impressions)" in html
    # Content.csv's three posts (one in December) carry views, not impressions: said, not an empty table
    assert "none ranked: the period has 1 post(s), none with both engagements and impressions" in html


# --- the sample data through the store: every notebook reads it as it reads the CSV folder ------------

@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    """The bundled sample folder (every canonical table, accounts included) imported into a fresh store."""
    root = tmp_path_factory.mktemp("sample_store") / "store"
    assert opsbook("store", "init", "--store", str(root)).returncode == 0
    done = opsbook("import", str(sample_dir), "--store", str(root))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "accounts.csv as canonical:accounts — accounts: 12 added" in done.stdout
    return root


def test_every_table_reads_from_the_sample_store_exactly_as_from_the_csv_folder(sample_store: Path,
                                                                                sample_dir: Path) -> None:
    # Notebooks read data only through helpers.data.load_tables, so equal tables (values and dtypes)
    # give equal results; the store's bookkeeping columns (_source, _snapshot_at, pillar_source) are extra.
    names = [name for name in TABLES if find_table_file(name, sample_dir) is not None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        from_csv, from_store = load_tables(names, sample_dir), load_tables(names, sample_store)
    assert set(from_store) == set(from_csv) == set(names)
    for name in names:
        columns = sorted(from_csv[name].columns)
        csv_rows = from_csv[name][columns].sort_values(columns).reset_index(drop=True)
        store_rows = from_store[name][columns].sort_values(columns).reset_index(drop=True)
        pd.testing.assert_frame_equal(store_rows, csv_rows, obj=name)


def test_interactions_reach_the_audience_engine_from_the_store_as_from_the_csv(sample_store: Path,
                                                                               sample_dir: Path) -> None:
    # The store keeps interactions as Parquet, which the audience notebook reads in place with DuckDB
    # (not through load_tables): the events its aggregations see must be those of the CSV folder.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        tables = load_tables(["accounts", "interactions"], sample_dir)
    zones = account_zones(tables["accounts"]).to_dict()
    parquet = find_table_file("interactions", config.data_dir(sample_store))
    assert parquet is not None and parquet.suffix == ".parquet"
    from_store = events_from_parquet(parquet, None, zones).to_pandas()
    from_csv = from_frame(tables["interactions"], tables["accounts"]).to_pandas()
    columns = list(from_csv.columns)
    pd.testing.assert_frame_equal(from_store.sort_values(columns).reset_index(drop=True),
                                  from_csv.sort_values(columns).reset_index(drop=True))
