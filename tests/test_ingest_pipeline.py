"""`opsbook import` end to end through helpers.ingest.pipeline: fixture exports, idempotence and merge,
all-or-nothing, crashes, bad files, canonical tables, rebuild_store and concurrent imports.

Every expected number is counted by hand from the fixture files (tests/fixtures/exports) or from the
CSV text written in the test itself; nothing is copied from the code's output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import config
from helpers.data import load_tables
from helpers.errors import DataError, OpsbookError, ParameterError
from helpers.ingest import store as store_mod
from helpers.ingest.pipeline import expand_paths, import_files, rebuild_store
from helpers.ingest.store import BOOKKEEPING, Store
from helpers.ingest.types import ImportFileError
from ingest_expected import make_store

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
EXPORTS = Path(__file__).resolve().parent / "fixtures" / "exports"
SAMPLE_TOPIC_BANK = ROOT / "data" / "sample" / "topic_bank.csv"

AS_OF = dt.datetime(2026, 1, 10, 9, 0)   # after every fixture's dates: TikTok's year-less dates fall in 2025/2026
T_A = dt.datetime(2025, 11, 1, 9, 0)     # snapshot of export A
T_C = dt.datetime(2025, 11, 5, 9, 0)     # export C: older than B
T_B = dt.datetime(2025, 11, 8, 9, 0)     # export B
T_R = dt.datetime(2025, 11, 9, 9, 0)     # the re-ordered copy of B
T_D = dt.datetime(2025, 11, 10, 9, 0)    # an export with a "-" metric

DOUYIN = "own_douyin"
DOUYIN_HEADER = "作品名称,发布时间,体裁,播放量,点赞量\n"
# Export A: 1.2万 = 12000, "3,400" = 3400, "-" = missing.
DOUYIN_A = DOUYIN_HEADER + (
    "早C晚A教程,2025-10-03 19:30,视频,1.2万,860\n"
    '面霜横评,2025-10-10 12:00,图文,"3,400",-\n'
    "直播回放,2025-10-20 20:00,直播,12400,150\n"
)
# Export B: the first two posts changed, one new post, 直播回放 absent.
DOUYIN_B = DOUYIN_HEADER + (
    "早C晚A教程,2025-10-03 19:30,视频,1.5万,900\n"
    '面霜横评,2025-10-10 12:00,图文,"3,900",77\n'
    '新品开箱,2025-10-25 08:05,视频,"2,000",40\n'
)
# Export C: an older snapshot of one post.
DOUYIN_C = DOUYIN_HEADER + "早C晚A教程,2025-10-03 19:30,视频,1.3万,870\n"
# B's rows in another order (and 1.5万 written as 15,000): other bytes, same content.
DOUYIN_B_REORDERED = DOUYIN_HEADER + (
    '新品开箱,2025-10-25 08:05,视频,"2,000",40\n'
    '面霜横评,2025-10-10 12:00,图文,"3,900",77\n'
    '早C晚A教程,2025-10-03 19:30,视频,"15,000",900\n'
)
# Export D: views unknown ("-") for a post, likes changed.
DOUYIN_D = DOUYIN_HEADER + "早C晚A教程,2025-10-03 19:30,视频,-,950\n"
# Export E: no 点赞量 column at all.
DOUYIN_E = "作品名称,发布时间,体裁,播放量\n早C晚A教程,2025-10-03 19:30,视频,1.6万\n"


def dy_id(title: str, minute: str, account: str = DOUYIN) -> str:
    """The derived Douyin post id, computed here from its definition (helpers.ingest.kinds.cn_common docstring)."""
    return "dy-" + hashlib.sha1(f"{account}|{minute}|{title}".encode()).hexdigest()[:16]


ID_TUTORIAL = dy_id("早C晚A教程", "2025-10-03 19:30")
ID_CREAM = dy_id("面霜横评", "2025-10-10 12:00")
ID_LIVE = dy_id("直播回放", "2025-10-20 20:00")
ID_UNBOX = dy_id("新品开箱", "2025-10-25 08:05")


# ------------------------------------------------------------------------------------------------
# helpers


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding, newline="")
    return path


def state(root: Path) -> tuple[str | None, dict[str, pd.DataFrame]]:
    """The current generation and every table (import log included) of a store."""
    store = Store.open(root)
    tables = {name: store.read(name) for name in store.tables()}
    tables["_imports"] = store.log()
    return store.generation, tables


def assert_same_state(before: tuple[str | None, dict[str, pd.DataFrame]], root: Path) -> None:
    generation, tables = state(root)
    assert generation == before[0]
    assert sorted(tables) == sorted(before[1])
    for name, frame in before[1].items():
        pd.testing.assert_frame_equal(tables[name], frame, obj=name)


def raw_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "raw").rglob("*") if p.is_file())


def posts_by_id(root: Path) -> pd.DataFrame:
    return Store.open(root).read("posts").set_index("post_id").sort_index()


def only(report, name: str):
    [outcome] = [f for f in report.files if f.path.name == name]
    return outcome


def counts(outcome, table: str) -> tuple[int, int, int, int]:
    c = outcome.counts[table]
    return c.added, c.updated, c.unchanged, c.skipped_older


def run_script(code: str, path: Path, *args: str) -> subprocess.Popen[str]:
    path.write_text(textwrap.dedent(code), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen([sys.executable, str(path), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


# ------------------------------------------------------------------------------------------------
# 1. every fixture export imports into an account of its platform

# (case, platform, paths, {file: (kind, {table: (added, updated)})}, {table: rows in the store})
# Counts from the fixture files: data rows below the header, minus the rows the README says are not
# data (YouTube's Total row, WeChat's 合计 row, a TikTok video without a link).
FIXTURES = [
    ("x_posts", "x", ["intl/x_posts.csv"],
     {"x_posts.csv": ("x_posts", {"posts": (3, 0)})}, {"posts": 3}),
    ("x_posts_legacy", "x", ["intl/x_posts_legacy.csv"],
     {"x_posts_legacy.csv": ("x_posts_legacy", {"posts": (3, 0)})}, {"posts": 3}),
    ("x_account_overview", "x", ["intl/x_account_overview.csv"],
     {"x_account_overview.csv": ("x_account_overview", {"account_daily": (3, 0)})}, {"account_daily": 3}),
    ("instagram_posts", "instagram", ["intl/instagram_posts.csv"],
     {"instagram_posts.csv": ("instagram_posts", {"posts": (5, 0)})}, {"posts": 5}),
    ("meta_instagram_follows", "instagram", ["intl/meta_instagram_follows.csv"],
     {"meta_instagram_follows.csv": ("meta_daily_metric", {"account_daily": (3, 0)})}, {"account_daily": 3}),
    ("facebook_posts", "facebook", ["intl/facebook_posts.csv"],
     {"facebook_posts.csv": ("facebook_posts", {"posts": (5, 0)})}, {"posts": 5}),
    ("meta_facebook_page_reach", "facebook", ["intl/meta_facebook_page_reach.csv"],
     {"meta_facebook_page_reach.csv": ("meta_daily_metric", {"account_daily": (4, 0)})}, {"account_daily": 4}),
    # TikTok folder: Content 4 rows, one without a link; FollowerHistory 3 nov./4 nov./4 déc./5 janv.;
    # Overview November 3/November 4/December 31/January 2 -> Nov 3 and Nov 4 update History's rows.
    ("tiktok_folder", "tiktok", ["intl/tiktok"],
     {"Content.csv": ("tiktok_content", {"posts": (3, 0)}),
      "FollowerActivity.csv": ("tiktok_follower_activity", {"follower_activity": (4, 0)}),
      "FollowerGender.csv": ("tiktok_follower_gender", {"follower_demographics": (3, 0)}),
      "FollowerHistory.csv": ("tiktok_follower_history", {"account_daily": (4, 0)}),
      "FollowerTopTerritories.csv": ("tiktok_follower_territories", {"follower_demographics": (4, 0)}),
      "Overview.csv": ("tiktok_overview", {"account_daily": (2, 2)})},
     {"posts": 3, "follower_activity": 4, "follower_demographics": 7, "account_daily": 6}),
    ("youtube", "youtube", ["intl/youtube_table_data.csv"],
     {"youtube_table_data.csv": ("youtube_table_data", {"posts": (3, 0)})}, {"posts": 3}),
    ("linkedin_xlsx", "linkedin", ["intl/linkedin_page_content.xlsx"],
     {"linkedin_page_content.xlsx": ("linkedin_page_metrics, linkedin_posts",
                                     {"account_daily": (3, 0), "posts": (4, 0)})},
     {"account_daily": 3, "posts": 4}),
    ("linkedin_xls", "linkedin", ["intl/linkedin_page_content.xls"],
     {"linkedin_page_content.xls": ("linkedin_page_metrics, linkedin_posts",
                                    {"account_daily": (3, 0), "posts": (4, 0)})},
     {"account_daily": 3, "posts": 4}),
    ("wechat_articles", "wechat", ["cn/wechat_articles.csv"],
     {"wechat_articles.csv": ("wechat_articles", {"posts": (3, 0)})}, {"posts": 3}),
    ("wechat_users", "wechat", ["cn/wechat_users.xls"],
     {"wechat_users.xls": ("wechat_users", {"account_daily": (4, 0)})}, {"account_daily": 4}),
    ("douyin_works", "douyin", ["cn/douyin_works.xlsx"],
     {"douyin_works.xlsx": ("douyin_works", {"posts": (4, 0)})}, {"posts": 4}),
    ("xiaohongshu_notes", "xiaohongshu", ["cn/xiaohongshu_notes.csv"],
     {"xiaohongshu_notes.csv": ("xiaohongshu_notes", {"posts": (3, 0)})}, {"posts": 3}),
]


@pytest.mark.parametrize(("platform", "paths", "files", "rows"), [f[1:] for f in FIXTURES],
                         ids=[f[0] for f in FIXTURES])
def test_every_fixture_export_imports_into_an_account_of_its_platform(
        tmp_path: Path, platform: str, paths: list[str], files: dict, rows: dict) -> None:
    root = make_store(tmp_path, own=platform)
    report = import_files([EXPORTS / p for p in paths], root, "own", as_of=AS_OF)
    assert sorted(f.path.name for f in report.files) == sorted(files)
    for outcome in report.files:
        kind, tables = files[outcome.path.name]
        assert outcome.status == "imported", outcome.line()
        assert set(outcome.kind.split(", ")) == set(kind.split(", "))
        assert {t: counts(outcome, t)[:2] for t in outcome.counts} == tables
        assert all(counts(outcome, t)[3] == 0 for t in outcome.counts)
    store = Store.open(root)
    assert report.generation == store.generation
    for table, n in rows.items():
        frame = store.read(table)
        assert len(frame) == n, table
        assert set(frame["account_id"]) == {"own"}
    assert sorted(t for t in store.tables() if t != "accounts") == sorted(rows)
    # each file is archived under its sha256 and logged once per table
    log = store.log()
    assert len(log) == sum(len(t) for _, t in files.values())
    for outcome in report.files:
        assert store.raw_path(outcome.sha256).read_bytes() == outcome.path.read_bytes()


def test_generic_mapping_import_of_bilibili_videos(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_bili="bilibili")
    report = import_files([EXPORTS / "generic/bilibili_videos.csv"], root, "own_bili",
                          mapping=EXPORTS / "generic/bilibili_mapping.yaml", as_of=AS_OF)
    outcome = only(report, "bilibili_videos.csv")
    assert (outcome.status, outcome.kind) == ("imported", "bilibili_videos")
    assert counts(outcome, "posts") == (3, 0, 0, 0)
    posts = posts_by_id(root)
    assert list(posts.index) == sorted(["BV1xK4y1a7Yz", "BV1Gb411c7Hd", "BV17x411w7KC"])
    # 点赞数: 1.2万, -, 640; 播放: "12,400", 3.4w, 8900
    assert posts.loc["BV1xK4y1a7Yz", "likes"] == 12000
    assert np.isnan(posts.loc["BV1Gb411c7Hd", "likes"])
    assert posts.loc["BV17x411w7KC", "likes"] == 640
    assert posts["views"].to_dict() == {"BV17x411w7KC": 8900, "BV1Gb411c7Hd": 34000, "BV1xK4y1a7Yz": 12400}
    # the mapping is archived with the export, and the log names it
    log = Store.open(root).log()
    mapping_sha = hashlib.sha256((EXPORTS / "generic/bilibili_mapping.yaml").read_bytes()).hexdigest()
    assert list(log["mapping_sha256"]) == [mapping_sha]
    assert Store.open(root).raw_path(mapping_sha).is_file()


def test_fixture_rows_that_are_not_data_are_dropped_and_reported(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_yt="youtube", own_wx="wechat", own_tt="tiktok")
    yt = import_files([EXPORTS / "intl/youtube_table_data.csv"], root, "own_yt", as_of=AS_OF)
    wx = import_files([EXPORTS / "cn/wechat_articles.csv"], root, "own_wx", as_of=AS_OF)
    tt = import_files([EXPORTS / "intl/tiktok/Content.csv"], root, "own_tt", as_of=AS_OF)
    posts = Store.open(root).read("posts")
    by_account = {a: set(g["post_id"]) for a, g in posts.groupby("account_id")}
    assert by_account["own_yt"] == {"dQw4w9WgXcQ", "abc123XYZ_-", "Zx9_8yW7vU6"}   # not "Total"
    assert by_account["own_tt"] == {"7301234567890123456", "7302234567890123457", "7303234567890123458"}
    assert set(posts.loc[posts["account_id"] == "own_wx", "title"]) == {
        "秋冬换季护肤指南 #护肤#", "成分党必看：烟酰胺怎么用", "双十一囤货清单 #好物推荐 #双十一"}
    assert any("Total" in n and "line 2" in n for n in only(yt, "youtube_table_data.csv").notes)
    assert any("合计" in n and "line 5" in n for n in only(wx, "wechat_articles.csv").notes)
    assert any("line 5" in n for n in only(tt, "Content.csv").notes)


def test_fixture_values_x_ids_tiktok_dates_and_followers_kept_across_files(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_x="x", own_tt="tiktok")
    import_files([EXPORTS / "intl/x_posts.csv"], root, "own_x", as_of=AS_OF)
    import_files([EXPORTS / "intl/tiktok"], root, "own_tt", as_of=AS_OF)
    store = Store.open(root)
    x = store.read("posts").query("account_id == 'own_x'").set_index("post_id")
    # the third id was mangled by a spreadsheet (1.85411E+18): the id comes from its link
    assert sorted(x.index) == ["1853912345678901234", "1854012345678901235", "1854112345678901236"]
    assert x.loc["1853912345678901234", "impressions"] == 12400
    daily = store.read("account_daily").set_index("date").sort_index()
    # year-less TikTok dates before the 2026-01-10 snapshot
    assert [d.strftime("%Y-%m-%d") for d in daily.index] == [
        "2025-11-03", "2025-11-04", "2025-12-04", "2025-12-31", "2026-01-02", "2026-01-05"]
    # FollowerHistory gave followers 12,030 on Nov 3; Overview (imported after it, without followers)
    # adds profile visits 56 and keeps the follower count
    assert daily.loc["2025-11-03", "followers"] == 12030
    assert daily.loc["2025-11-03", "profile_visits"] == 56
    assert daily.loc["2025-11-04", "followers_net"] == -9
    assert np.isnan(daily.loc["2025-12-31", "followers"])


# ------------------------------------------------------------------------------------------------
# 2. idempotence and merge with Douyin 作品数据 CSVs


def import_a(tmp_path: Path) -> tuple[Path, Path]:
    root = make_store(tmp_path, **{DOUYIN: "douyin"})
    a = write(tmp_path / "exports/a.csv", DOUYIN_A)
    report = import_files([a], root, DOUYIN, as_of=T_A)
    assert counts(only(report, "a.csv"), "posts") == (3, 0, 0, 0)
    return root, a


def import_a_then_b(tmp_path: Path) -> Path:
    root, _ = import_a(tmp_path)
    b = write(tmp_path / "exports/b.csv", DOUYIN_B)
    report = import_files([b], root, DOUYIN, as_of=T_B)
    assert counts(only(report, "b.csv"), "posts") == (1, 2, 0, 0)
    return root


def test_first_douyin_export_adds_three_posts_with_derived_ids_and_parsed_values(tmp_path: Path) -> None:
    root, _ = import_a(tmp_path)
    posts = posts_by_id(root)
    assert list(posts.index) == sorted([ID_TUTORIAL, ID_CREAM, ID_LIVE])
    assert "dy-" + hashlib.sha1("own_douyin|2025-10-03 19:30|早C晚A教程".encode()).hexdigest()[:16] == ID_TUTORIAL
    assert posts.loc[ID_TUTORIAL, "views"] == 12000          # 1.2万
    assert posts.loc[ID_CREAM, "views"] == 3400              # "3,400"
    assert np.isnan(posts.loc[ID_CREAM, "likes"])            # "-" is missing, not 0
    assert posts.loc[ID_LIVE, "likes"] == 150
    assert posts["format"].to_dict() == {ID_TUTORIAL: "short_video", ID_CREAM: "carousel", ID_LIVE: "live"}
    assert posts.loc[ID_TUTORIAL, "published_at"] == pd.Timestamp("2025-10-03 19:30")
    assert set(posts["_snapshot_at"]) == {pd.Timestamp(T_A)}
    assert not posts["paid"].any()


def test_reimporting_the_same_file_is_already_imported_and_writes_nothing(tmp_path: Path) -> None:
    root, a = import_a(tmp_path)
    before = state(root)
    report = import_files([a], root, DOUYIN, as_of=T_B)
    assert only(report, "a.csv").status == "already imported"
    assert report.generation == before[0]
    assert_same_state(before, root)
    # the same bytes under another name are the same file
    copy = tmp_path / "exports/a copy.csv"
    shutil.copyfile(a, copy)
    assert only(import_files([copy], root, DOUYIN, as_of=T_B), "a copy.csv").status == "already imported"
    assert_same_state(before, root)


def test_later_export_updates_two_adds_one_and_keeps_the_untouched_post(tmp_path: Path) -> None:
    root = import_a_then_b(tmp_path)
    posts = posts_by_id(root)
    assert len(posts) == 4
    assert posts.loc[ID_TUTORIAL, ["views", "likes"]].tolist() == [15000, 900]
    assert posts.loc[ID_CREAM, ["views", "likes"]].tolist() == [3900, 77]     # missing like count now known
    assert posts.loc[ID_UNBOX, ["views", "likes"]].tolist() == [2000, 40]
    assert posts.loc[ID_LIVE, ["views", "likes"]].tolist() == [12400, 150]    # A's values, A's snapshot
    assert posts.loc[ID_LIVE, "_snapshot_at"] == pd.Timestamp(T_A)
    assert posts.loc[ID_TUTORIAL, "_snapshot_at"] == pd.Timestamp(T_B)
    log = Store.open(root).log()
    assert log[["file", "added", "updated", "unchanged", "skipped_older"]].values.tolist() == [
        ["a.csv", 3, 0, 0, 0], ["b.csv", 1, 2, 0, 0]]


def test_older_snapshot_is_skipped_and_changes_no_value(tmp_path: Path) -> None:
    root = import_a_then_b(tmp_path)
    c = write(tmp_path / "exports/c.csv", DOUYIN_C)
    report = import_files([c], root, DOUYIN, as_of=T_C)
    outcome = only(report, "c.csv")
    assert counts(outcome, "posts") == (0, 0, 0, 1)
    assert outcome.status == "unchanged"
    posts = posts_by_id(root)
    assert posts.loc[ID_TUTORIAL, ["views", "likes"]].tolist() == [15000, 900]
    assert posts.loc[ID_TUTORIAL, "_snapshot_at"] == pd.Timestamp(T_B)


def test_reordered_copy_of_an_export_changes_nothing(tmp_path: Path) -> None:
    root = import_a_then_b(tmp_path)
    before = posts_by_id(root)
    r = write(tmp_path / "exports/b reordered.csv", DOUYIN_B_REORDERED)
    assert r.read_bytes() != (tmp_path / "exports/b.csv").read_bytes()
    report = import_files([r], root, DOUYIN, as_of=T_R)
    outcome = only(report, "b reordered.csv")
    assert outcome.status == "unchanged"
    assert counts(outcome, "posts") == (0, 0, 3, 0)
    # the values are B's; only the time they were last confirmed moves on, to the copy's (T_R)
    after = posts_by_id(root)
    pd.testing.assert_frame_equal(after.drop(columns="_snapshot_at"), before.drop(columns="_snapshot_at"))
    assert set(after.loc[[ID_TUTORIAL, ID_CREAM, ID_UNBOX], "_snapshot_at"]) == {pd.Timestamp(T_R)}


def test_missing_metric_or_missing_column_never_erases_a_known_value(tmp_path: Path) -> None:
    root = import_a_then_b(tmp_path)
    d = write(tmp_path / "exports/d.csv", DOUYIN_D)
    outcome = only(import_files([d], root, DOUYIN, as_of=T_D), "d.csv")
    assert counts(outcome, "posts") == (0, 1, 0, 0)
    posts = posts_by_id(root)
    assert posts.loc[ID_TUTORIAL, ["views", "likes"]].tolist() == [15000, 950]   # "-" kept 15000
    e = write(tmp_path / "exports/e.csv", DOUYIN_E)
    outcome = only(import_files([e], root, DOUYIN, as_of=T_D + dt.timedelta(days=1)), "e.csv")
    assert counts(outcome, "posts") == (0, 1, 0, 0)
    posts = posts_by_id(root)
    assert posts.loc[ID_TUTORIAL, ["views", "likes"]].tolist() == [16000, 950]   # no 点赞量 column: kept 950
    assert posts.loc[ID_CREAM, ["views", "likes"]].tolist() == [3900, 77]


def test_retitled_post_is_a_new_post(tmp_path: Path) -> None:
    root, _ = import_a(tmp_path)
    f = write(tmp_path / "exports/f.csv", DOUYIN_HEADER + "早C晚A教程（新版）,2025-10-03 19:30,视频,1.3万,870\n")
    outcome = only(import_files([f], root, DOUYIN, as_of=T_B), "f.csv")
    assert counts(outcome, "posts") == (1, 0, 0, 0)
    assert dy_id("早C晚A教程（新版）", "2025-10-03 19:30") in posts_by_id(root).index
    assert posts_by_id(root).loc[ID_TUTORIAL, "views"] == 12000


def test_the_same_export_imported_for_a_second_account_is_refused(tmp_path: Path) -> None:
    root = make_store(tmp_path, ig_a="instagram", ig_b="instagram")
    export = EXPORTS / "intl" / "instagram_posts.csv"
    import_files([export], root, "ig_a", as_of=AS_OF)
    before = state(root)
    with pytest.raises(ImportFileError) as info:
        import_files([export], root, "ig_b", as_of=AS_OF)
    message = str(info.value)
    assert "instagram_posts.csv was already imported for account ig_a" in message
    assert "its posts rows cannot also belong to ig_b. Check --account." in message
    assert_same_state(before, root)


def test_posts_already_stored_under_another_account_are_refused(tmp_path: Path) -> None:
    # other bytes (a later export with one more post), but two post ids ig_a already owns
    root = make_store(tmp_path, ig_a="instagram", ig_b="instagram", x_a="x")
    header = "Post ID,Account username,Description,Publish time,Post type,Views,Likes\n"
    write(tmp_path / "a.csv", header + "1790001,brand,hello,2025-11-01 20:00,IG image,100,5\n"
                                       "1790002,brand,again,2025-11-02 20:00,IG image,120,6\n")
    write(tmp_path / "b.csv", header + "1790001,brand,hello,2025-11-01 20:00,IG image,130,7\n"
                                       "1790002,brand,again,2025-11-02 20:00,IG image,150,8\n"
                                       "1790003,brand,new,2025-11-03 20:00,IG image,90,3\n")
    import_files([tmp_path / "a.csv"], root, "ig_a", as_of=AS_OF)
    before = state(root)
    with pytest.raises(ImportFileError) as info:
        import_files([tmp_path / "b.csv"], root, "ig_b", as_of=AS_OF)
    assert ("b.csv: 2 of its 3 posts (e.g. 1790001, 1790002) are already in the store under account ig_a "
            "(instagram); a post belongs to one account, so this export is not ig_b's. Check --account.") \
        in str(info.value)
    assert_same_state(before, root)
    # the same export under the right account merges: 2 updated, 1 added
    report = import_files([tmp_path / "b.csv"], root, "ig_a", as_of=AS_OF)
    assert counts(only(report, "b.csv"), "posts") == (1, 2, 0, 0)


def test_a_re_downloaded_export_under_another_account_is_refused_by_its_content(tmp_path: Path) -> None:
    # Chinese exports have no post id (the derived id includes the account) and the re-download has other
    # bytes, so only the content shows it: the same three titles at the same minutes as own_douyin's
    root = make_store(tmp_path, **{DOUYIN: "douyin", "dy_b": "douyin"})
    import_files([write(tmp_path / "a.csv", DOUYIN_A)], root, DOUYIN, as_of=T_A)
    before = state(root)
    copy = write(tmp_path / "a again.csv", DOUYIN_A.replace("\n", "\r\n"))
    with pytest.raises(ImportFileError, match=r"a again\.csv: 3 of the 3 posts compared are account own_douyin's "
                                              r"\(douyin, the same title at the same minute\).*this import: dy_b"):
        import_files([copy], root, "dy_b", as_of=T_B)
    assert_same_state(before, root)
    # one shared post (a cross-posted video) is no reason to refuse
    shared = write(tmp_path / "b.csv", DOUYIN_HEADER + "早C晚A教程,2025-10-03 19:30,视频,900,20\n"
                                                     "别的视频,2025-10-05 10:00,视频,800,10\n")
    assert counts(only(import_files([shared], root, "dy_b", as_of=T_B), "b.csv"), "posts")[0] == 2


def test_a_daily_export_of_another_account_is_refused_when_its_days_repeat(tmp_path: Path) -> None:
    root = make_store(tmp_path, tt_a="tiktok", tt_b="tiktok")
    header = "Date,Video Views,Profile Views,Likes,Comments,Shares\n"
    days = "".join(f"2025-12-{d:02d},{1000 + d},{50 + d},{300 + d},{10 + d},{d}\n" for d in range(1, 11))
    import_files([write(tmp_path / "Overview.csv", header + days)], root, "tt_a", as_of=AS_OF)
    # a re-download: one value changed (day 10's likes), so other bytes; 9 of 10 days equal → refused
    redownload = write(tmp_path / "again" / "Overview.csv", header + days.replace(",310,", ",311,"))
    with pytest.raises(ImportFileError, match=r"9 of the 10 days compared are account tt_a's \(tiktok, every "
                                              r"metric equal\)"):
        import_files([redownload], root, "tt_b", as_of=AS_OF)
    # two small accounts whose days are mostly 0 on both sides: zeros are no evidence, so imported
    zeros = "".join(f"2025-12-{d:02d},0,0,0,0,0\n" for d in range(1, 11))
    quiet = "".join(f"2025-12-{d:02d},0,0,{1 if d in (4, 10) else 0},0,0\n" for d in range(1, 11))
    root_small = make_store(tmp_path / "small", s_a="tiktok", s_b="tiktok")
    import_files([write(tmp_path / "s_a" / "Overview.csv", header + quiet)], root_small, "s_a", as_of=AS_OF)
    report = import_files([write(tmp_path / "s_b" / "Overview.csv", header + zeros)], root_small, "s_b", as_of=AS_OF)
    assert counts(only(report, "Overview.csv"), "account_daily")[0] == 10
    # tt_b's own overview: same dates, other numbers → imported
    own = "".join(f"2025-12-{d:02d},{700 + d},{20 + d},{90 + d},{3 + d},{d + 1}\n" for d in range(1, 11))
    report = import_files([write(tmp_path / "b" / "Overview.csv", header + own)], root, "tt_b", as_of=AS_OF)
    assert counts(only(report, "Overview.csv"), "account_daily")[0] == 10


def test_the_wrong_account_checks_run_again_when_another_import_lands_before_the_lock(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_store(tmp_path, ig_a="instagram", ig_b="instagram")
    export = EXPORTS / "intl" / "instagram_posts.csv"
    real = Store.transaction
    raced = {"done": False}

    def other_import_first(self, timeout: float = 60):
        if not raced["done"]:
            raced["done"] = True
            import_files([export], root, "ig_a", as_of=AS_OF)   # lands after ig_b's checks, before its lock
        return real(self, timeout)

    monkeypatch.setattr(Store, "transaction", other_import_first)
    with pytest.raises(ImportFileError, match=r"instagram_posts\.csv was already imported for account ig_a"):
        import_files([export], root, "ig_b", as_of=AS_OF)
    assert set(Store.open(root).read("posts")["account_id"]) == {"ig_a"}


def test_a_demographics_file_with_the_same_bytes_for_two_accounts_imports_with_a_note(tmp_path: Path) -> None:
    # two small accounts can have byte-identical gender splits: allowed, but said
    root = make_store(tmp_path, tt_a="tiktok", tt_b="tiktok")
    export = EXPORTS / "intl" / "tiktok" / "FollowerGender.csv"
    import_files([export], root, "tt_a", as_of=AS_OF)
    report = import_files([export], root, "tt_b", as_of=AS_OF)
    outcome = only(report, "FollowerGender.csv")
    assert outcome.status == "imported"
    assert "the same bytes were imported for account tt_a too: check that --account is right" in outcome.notes
    demographics = Store.open(root).read("follower_demographics")
    assert demographics.groupby("account_id").size().to_dict() == {"tt_a": 3, "tt_b": 3}


def test_schema_errors_name_the_file_line_even_after_dropped_rows(tmp_path: Path) -> None:
    root = make_store(tmp_path, yt="youtube", dy="douyin")
    # line 1 header, line 2 the Total row (dropped), line 3-4 videos, line 5 a video without a publish time
    write(tmp_path / "yt.csv", "Content,Video title,Video publish time,Duration,Views,Watch time (hours)\n"
                               "Total,,,,3000,12.5\n"
                               "vid00000001,One,\"Nov 1, 2025\",120,1000,4.0\n"
                               "vid00000002,Two,\"Nov 2, 2025\",45,1500,6.0\n"
                               "vid00000003,Three,,30,500,2.5\n")
    with pytest.raises(ImportFileError, match=r"published_at.*line\(s\) 5\b"):
        import_files([tmp_path / "yt.csv"], root, "yt", as_of=AS_OF)
    # a workbook: title on row 1, a blank row 2, the header on row 3, a negative 粉丝增量 on sheet row 5
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["作品数据"])
    sheet.append([])
    sheet.append(["作品名称", "发布时间", "体裁", "播放量", "粉丝增量"])
    sheet.append(["第一条", "2025-10-03 19:30", "视频", 1000, 5])
    sheet.append(["第二条", "2025-10-04 19:30", "视频", 2000, -3])
    book.save(tmp_path / "dy.xlsx")
    with pytest.raises(ImportFileError, match=r"follows.*line\(s\) 5\b"):
        import_files([tmp_path / "dy.xlsx"], root, "dy", as_of=AS_OF)


def test_a_merge_that_fails_names_the_file_and_leaves_no_raw_file(tmp_path: Path) -> None:
    root = make_store(tmp_path, bili="bilibili")
    generic = EXPORTS / "generic"
    import_files([generic / "bilibili_videos.csv"], root, "bili", mapping=generic / "bilibili_mapping.yaml",
                 as_of=T_A)
    # the same mapping without "coins: count": 投币 now arrives as text, the store holds numbers
    text_coins = tmp_path / "text_coins.yaml"
    lines = (generic / "bilibili_mapping.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    text_coins.write_text("".join(line for line in lines if not line.startswith("  coins: count")), encoding="utf-8")
    header = (generic / "bilibili_videos.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    write(tmp_path / "bili2.csv", header + "\nBV1new000001,新视频,2025-11-20 18:00:00,100,1,2,3,4,5,6,10%,60\n")
    before, raw_before = state(root), raw_files(root)
    with pytest.raises(DataError, match=r"^bili2\.csv: posts, column 'coins'.*number.*text"):
        import_files([tmp_path / "bili2.csv"], root, "bili", mapping=text_coins, as_of=T_B)
    assert_same_state(before, root)
    assert raw_files(root) == raw_before     # neither bili2.csv nor the mapping was archived


def test_post_ids_rounded_by_a_spreadsheet_are_refused(tmp_path: Path) -> None:
    root = make_store(tmp_path, ig="instagram")
    write(tmp_path / "ig.csv", "Post ID,Account username,Description,Publish time,Permalink,Post type,Views\n"
                               "18000000000000001,acme,Tip,12/01/2025 08:15,https://www.instagram.com/reel/X1/,"
                               "IG reel,100\n"
                               "1.8E+16,acme,Tip two,12/02/2025 08:15,https://www.instagram.com/reel/X2/,IG reel,90\n")
    with pytest.raises(ImportFileError, match=r"1 post id\(s\) in scientific notation \(e\.g\. '1\.8E\+16', "
                                              r"line\(s\) \[3\]\).*do not open and save it in Excel"):
        import_files([tmp_path / "ig.csv"], root, "ig", as_of=AS_OF)
    # a canonical posts file (hand-edited, so likely through Excel) gets the same check
    write(tmp_path / "posts.csv", "post_id,account_id,published_at,format,pillar,title,topics,paid\n"
                                  "1.79123E+16,ig,2025-12-01 08:15,image,,,,false\n")
    with pytest.raises(ImportFileError, match=r"scientific notation \(e\.g\. '1\.79123E\+16', line\(s\) \[2\]\)"):
        import_files([tmp_path / "posts.csv"], root, "ig", as_of=AS_OF)
    # a post listed twice: the message names both file lines
    write(tmp_path / "dup.csv", "Post ID,Account username,Description,Publish time,Permalink,Post type,Views\n"
                                "4001,acme,A,12/01/2025 08:15,https://www.instagram.com/p/A/,IG image,1\n"
                                "4002,acme,B,12/01/2025 09:15,https://www.instagram.com/p/B/,IG image,2\n"
                                "4001,acme,A,12/01/2025 08:15,https://www.instagram.com/p/A/,IG image,3\n")
    with pytest.raises(ImportFileError,
                       match=r"2 rows share a key \(account_id, post_id = ig / 4001\) \(lines \[2, 4\]\)"):
        import_files([tmp_path / "dup.csv"], root, "ig", as_of=AS_OF)


def test_keep_going_also_survives_a_file_whose_merge_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers.ingest import pipeline

    root = make_store(tmp_path, **{DOUYIN: "douyin"})
    good = write(tmp_path / "in" / "a_good.csv", DOUYIN_A)
    bad = write(tmp_path / "in" / "b_bad.csv", DOUYIN_HEADER + "别的视频,2025-10-05 10:00,视频,800,10\n")
    real = pipeline._merge_rows

    def failing_for_b(txn, m, snapshot, source):
        if m.source.startswith("b_bad"):
            raise DataError("posts, column 'views': the store holds number values but this import has text values")
        return real(txn, m, snapshot, source)

    monkeypatch.setattr(pipeline, "_merge_rows", failing_for_b)
    with pytest.raises(DataError, match=r"^b_bad\.csv: posts, column 'views'"):
        import_files([good, bad], root, DOUYIN, as_of=T_A)
    assert raw_files(root) == [] and Store.open(root).read("posts") is None
    report = import_files([good, bad], root, DOUYIN, as_of=T_A, keep_going=True)
    assert only(report, "a_good.csv").status == "imported" and counts(only(report, "a_good.csv"), "posts")[0] == 3
    assert only(report, "b_bad.csv").status == "failed" and "column 'views'" in only(report, "b_bad.csv").error
    assert sorted(posts_by_id(root).index) == sorted([ID_TUTORIAL, ID_CREAM, ID_LIVE])
    assert set(Store.open(root).log()["file"]) == {"a_good.csv"}
    assert [p.name.split(".")[0] for p in raw_files(root)] == [hashlib.sha256(good.read_bytes()).hexdigest()]


def test_rule_pillars_never_replace_a_pillar_a_file_gave(tmp_path: Path) -> None:
    from helpers.ingest.pipeline import set_pillar_rules

    root = make_store(tmp_path, ig="instagram")
    rules = write(tmp_path / "pillars.yaml", "教程: [教程, tips]\n")
    set_pillar_rules(root, rules)
    # a canonical posts file: one post with its own pillar, one without (tagged by the rules)
    write(tmp_path / "posts.csv", "post_id,account_id,published_at,format,pillar,title,topics,paid\n"
                                  "9001,ig,2025-12-01 08:15,image,用户故事,5 tips for winter,,false\n"
                                  "9002,ig,2025-12-02 08:15,image,,教程：三步护肤,,false\n")
    import_files([tmp_path / "posts.csv"], root, "ig", as_of=T_A)
    stored = posts_by_id(root)
    assert stored.loc["9001", ["pillar", "pillar_source"]].tolist() == ["用户故事", "file"]
    assert stored.loc["9002", ["pillar", "pillar_source"]].tolist() == ["教程", "rule"]
    # a later Instagram export of post 9001 (no pillar; its title matches the 教程 rule) keeps 用户故事
    write(tmp_path / "ig.csv", "Post ID,Account username,Description,Publish time,Permalink,Post type,Views\n"
                               "9001,acme,5 tips for winter,12/01/2025 08:15,https://www.instagram.com/p/A/,"
                               "IG image,120\n")
    import_files([tmp_path / "ig.csv"], root, "ig", as_of=T_B)
    stored = posts_by_id(root)
    assert stored.loc["9001", ["pillar", "pillar_source", "views"]].tolist() == ["用户故事", "file", 120]
    # new rules re-tag rule pillars only
    set_pillar_rules(root, write(tmp_path / "pillars2.yaml", "护肤: [护肤]\n教程: [tips]\n"))
    stored = posts_by_id(root)
    assert stored.loc["9001", "pillar"] == "用户故事" and stored.loc["9002", "pillar"] == "护肤"


def test_dry_run_checks_and_maps_but_writes_nothing(tmp_path: Path) -> None:
    root, a = import_a(tmp_path)
    before, raw_before = state(root), raw_files(root)
    b = write(tmp_path / "exports/b.csv", DOUYIN_B)
    report = import_files([a, b], root, DOUYIN, as_of=T_B, dry_run=True)
    assert only(report, "a.csv").status == "already imported"
    assert (only(report, "b.csv").status, only(report, "b.csv").kind) == ("checked", "douyin_works")
    assert str(report).startswith("Dry run: nothing written to")
    assert_same_state(before, root)
    assert raw_files(root) == raw_before
    bad = write(tmp_path / "exports/bad.csv", DOUYIN_HEADER + "早C晚A教程,2025-10-03 19:30,视频,many,1\n")
    with pytest.raises(ImportFileError, match="Nothing imported"):
        import_files([bad], root, DOUYIN, as_of=T_B, dry_run=True)


def test_dry_run_reports_the_counts_the_import_would_have(tmp_path: Path) -> None:
    root, _ = import_a(tmp_path)
    b = write(tmp_path / "exports/b.csv", DOUYIN_B)
    report = import_files([b], root, DOUYIN, as_of=T_B, dry_run=True)
    assert counts(only(report, "b.csv"), "posts") == (1, 2, 0, 0)


# ------------------------------------------------------------------------------------------------
# 3. all or nothing


def folder_with_good_and_bad(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    write(folder / "a_good.csv", DOUYIN_A)
    write(folder / "b_bad.csv", "foo,bar,baz\n1,2,3\n")
    write(folder / ".hidden/ignored.csv", "not,an,export\n")  # hidden folders are not searched
    write(folder / "notes.md", "not an export suffix\n")
    return folder


def test_files_in_a_folder_that_are_not_exports_are_reported_and_a_zip_says_unzip_it(tmp_path: Path) -> None:
    root = make_store(tmp_path, tt="tiktok")
    folder = tmp_path / "downloads"
    shutil.copytree(EXPORTS / "intl" / "tiktok", folder)
    (folder / "make_fixtures.py").unlink(missing_ok=True)
    (folder / "TikTok_export.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "readme.pdf").write_bytes(b"%PDF-1.4")
    report = import_files([folder], root, "tt", as_of=AS_OF)
    # sorted by path, as the exports are ("T" sorts before "r")
    assert report.ignored == ["TikTok_export.zip: a zip archive, not imported: unzip it and import the extracted "
                              "folder",
                              "readme.pdf: not an export file (.csv, .tsv, .txt, .xls, .xlsx), not imported"]
    text = str(report)
    assert "ignored  TikTok_export.zip: a zip archive" in text
    assert len(report.files) == 6
    # a README.txt in the folder (prose, a comma included) and an empty notes.txt are not exports: listed
    write(folder / "README.txt", "TikTok exports for November, December.\nKeep these files.\n")
    write(folder / "notes.txt", "")
    report = import_files([folder], root, "tt", as_of=AS_OF, dry_run=True)
    assert "README.txt: a text file that is not an export, not imported" in report.ignored
    assert "notes.txt: a text file that is not an export, not imported" in report.ignored
    assert not report.failed and len(report.files) == 6
    # a bad export next to it fails the import, and the message still lists what was ignored
    write(folder / "broken.csv", "foo,bar\n1,2\n")
    with pytest.raises(ImportFileError) as info:
        import_files([folder], root, "tt", as_of=AS_OF)
    assert "FAILED   broken.csv" in str(info.value)
    assert "ignored  TikTok_export.zip: a zip archive" in str(info.value)
    # named on the command line, the README is an error like any file that is no export
    with pytest.raises(ImportFileError, match="README.txt: not a known export"):
        import_files([folder / "README.txt"], root, "tt", as_of=AS_OF)
    # a folder with only the zip: nothing to import, and the message says why
    only_zip = tmp_path / "only_zip"
    only_zip.mkdir()
    (only_zip / "export.zip").write_bytes(b"PK\x03\x04")
    with pytest.raises(ImportFileError, match=r"holds no export files .* It holds: export.zip: a zip archive, "
                                              r"not imported: unzip it"):
        import_files([only_zip], root, "tt", as_of=AS_OF)


def test_one_bad_file_in_a_folder_imports_nothing(tmp_path: Path) -> None:
    root = make_store(tmp_path, **{DOUYIN: "douyin"})
    import_files([EXPORTS / "cn/douyin_works.xlsx"], root, DOUYIN, as_of=T_A)   # something to keep
    folder = folder_with_good_and_bad(tmp_path)
    assert [p.name for p in expand_paths([folder])] == ["a_good.csv", "b_bad.csv"]
    before = state(root)
    raw_before = raw_files(root)
    with pytest.raises(ImportFileError) as info:
        import_files([folder], root, DOUYIN, as_of=T_B)
    message = str(info.value)
    assert message.startswith("Nothing imported: 1 of 2 file(s)")
    assert "b_bad.csv" in message and "--keep-going" in message and "a_good.csv" not in message
    assert_same_state(before, root)
    assert raw_files(root) == raw_before
    assert len(before[1]["posts"]) == 4


def test_keep_going_imports_the_good_file_and_reports_the_bad_one(tmp_path: Path) -> None:
    root = make_store(tmp_path, **{DOUYIN: "douyin"})
    generation = Store.open(root).generation
    report = import_files([folder_with_good_and_bad(tmp_path)], root, DOUYIN, as_of=T_B, keep_going=True)
    assert only(report, "a_good.csv").status == "imported"
    bad = only(report, "b_bad.csv")
    assert bad.status == "failed" and "not a known export" in bad.error
    assert [f.path.name for f in report.failed] == ["b_bad.csv"]
    assert report.generation != generation == "g000002"
    assert sorted(posts_by_id(root).index) == sorted([ID_TUTORIAL, ID_CREAM, ID_LIVE])
    assert list(Store.open(root).log()["file"]) == ["a_good.csv"]
    assert "FAILED   b_bad.csv" in str(report)


# ------------------------------------------------------------------------------------------------
# 4. crashes


def test_exception_in_the_second_merge_leaves_the_store_as_it_was(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_store(tmp_path, **{DOUYIN: "douyin"})
    import_files([EXPORTS / "cn/douyin_works.xlsx"], root, DOUYIN, as_of=T_A)
    a = write(tmp_path / "exports/a.csv", DOUYIN_A)
    b = write(tmp_path / "exports/b.csv", DOUYIN_B)
    before = state(root)
    original = store_mod.Transaction.merge
    calls: list[str] = []

    def flaky_merge(self, table, *args, **kwargs):
        calls.append(table)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return original(self, table, *args, **kwargs)

    monkeypatch.setattr(store_mod.Transaction, "merge", flaky_merge)
    with pytest.raises(RuntimeError, match="disk on fire"):
        import_files([a, b], root, DOUYIN, as_of=T_B)
    assert calls == ["posts", "posts"]
    assert_same_state(before, root)
    assert not list((root / "generations").glob(".tmp-*"))
    monkeypatch.undo()
    report = import_files([a, b], root, DOUYIN, as_of=T_B)   # not "already imported": nothing was logged
    assert counts(only(report, "a.csv"), "posts") == (3, 0, 0, 0)
    # b.csv after a.csv in the same import: 2 of its posts are a.csv's with other values, 1 is new
    assert counts(only(report, "b.csv"), "posts") == (1, 2, 0, 0)
    posts = posts_by_id(root)
    assert len(posts) == 4 + 4


@pytest.mark.filterwarnings("ignore:.*optional metric column:UserWarning")
def test_process_killed_inside_the_transaction_leaves_the_old_generation_readable(tmp_path: Path) -> None:
    root = make_store(tmp_path, **{DOUYIN: "douyin"})
    a = write(tmp_path / "exports/a.csv", DOUYIN_A)
    import_files([a], root, DOUYIN, as_of=T_A)
    before = state(root)
    b = write(tmp_path / "exports/b.csv", DOUYIN_B)
    child = run_script("""
        import datetime as dt, os, sys
        from helpers.ingest import store as store_mod
        from helpers.ingest.pipeline import import_files

        def die(self, **entry):
            sys.stdout.write("dying\\n"); sys.stdout.flush()
            os._exit(1)

        store_mod.Transaction.record = die
        import_files([sys.argv[2]], sys.argv[1], "own_douyin", as_of=dt.datetime(2025, 11, 8, 9))
        print("survived")
    """, tmp_path / "die.py", str(root), str(b))
    out, err = child.communicate(timeout=60)
    assert child.returncode == 1, err
    assert out == "dying\n"
    assert_same_state(before, root)
    assert config.data_dir(root) == root.resolve() / "generations" / before[0]
    loaded = load_tables(["posts"], root)
    assert sorted(loaded["posts"]["post_id"]) == sorted([ID_TUTORIAL, ID_CREAM, ID_LIVE])
    assert loaded["posts"].set_index("post_id").loc[ID_TUTORIAL, "views"] == 12000
    # the lock died with the process: a normal import goes through
    report = import_files([b], root, DOUYIN, as_of=T_B)
    assert counts(only(report, "b.csv"), "posts") == (1, 2, 0, 0)
    assert report.generation != before[0]
    assert posts_by_id(root).loc[ID_TUTORIAL, "views"] == 15000


# ------------------------------------------------------------------------------------------------
# 5. bad files: a clear message naming the file, nothing written

BAD_FILES = [
    # (case, file name, content, account, message parts)
    ("unknown_export", "mystery.csv", "foo,bar,baz\n1,2,3\n", DOUYIN,
     ["mystery.csv", "not a known export", "--kind", "--mapping"]),
    ("cut_inside_quotes", "cut.csv",
     DOUYIN_HEADER + '早C晚A教程,2025-10-03 19:30,视频,1.2万,860\n面霜横评,2025-10-10 12:00,图文,"3,4',
     DOUYIN, ["cut.csv", "ends inside a quoted field at line 3", "truncated"]),
    ("last_row_cut_short", "short.csv",
     DOUYIN_HEADER + "早C晚A教程,2025-10-03 19:30,视频,1.2万,860\n面霜横评,2025-10-10 12:00,图文",
     DOUYIN, ["short.csv", "line 3 has 3 of 5 columns", "truncated"]),
    ("wrong_account", "douyin_for_x.csv", DOUYIN_A, "own_x",
     ["douyin_for_x.csv", "douyin_works", "from douyin", "own_x is on x", "wrong --account"]),
    ("bad_number", "number.csv",
     DOUYIN_HEADER + "早C晚A教程,2025-10-03 19:30,视频,1.2万,860\n面霜横评,2025-10-10 12:00,图文,12k views,5\n",
     DOUYIN, ["number.csv", 'column "播放量"', "views", "line 3", '"12k views"']),
    ("unknown_format_label", "label.csv", DOUYIN_HEADER + "早C晚A教程,2025-10-03 19:30,综艺,1.2万,860\n",
     DOUYIN, ["label.csv line 2", "综艺"]),
    ("same_post_twice", "twice.csv",
     DOUYIN_HEADER + "早C晚A教程,2025-10-03 19:30,视频,1.2万,860\n早C晚A教程,2025-10-03 19:30,视频,1.3万,870\n",
     DOUYIN, ["twice.csv", "lines 2 and 3 are the same post"]),
    ("platform_export_without_account", "no_account.csv", DOUYIN_A, None,
     ["no_account.csv", "--account"]),
]


@pytest.mark.parametrize(("name", "content", "account", "parts"), [b[1:] for b in BAD_FILES],
                         ids=[b[0] for b in BAD_FILES])
def test_bad_text_file_is_refused_naming_the_file_and_nothing_is_written(
        tmp_path: Path, name: str, content: str, account: str | None, parts: list[str]) -> None:
    root = make_store(tmp_path, **{DOUYIN: "douyin", "own_x": "x"})
    before = state(root)
    path = write(tmp_path / "in" / name, content)
    with pytest.raises(ImportFileError) as info:
        import_files([path], root, account, as_of=T_A)
    message = str(info.value)
    assert message.startswith("Nothing imported: 1 of 1 file(s)")
    for part in parts:
        assert part in message, (part, message)
    assert_same_state(before, root)
    assert raw_files(root) == []


@pytest.mark.parametrize(("name", "data", "parts"), [
    ("screenshot.csv", bytes(range(256)) * 8, ["screenshot.csv", "binary"]),
    ("empty.csv", b"", ["empty.csv", "empty (0 bytes)"]),
    ("cut.xlsx", (EXPORTS / "cn/douyin_works.xlsx").read_bytes()[:1500], ["cut.xlsx", "cannot be opened as an Excel"]),
    ("page.xls", b"<html><body><table><tr><td>1</td></tr></table></body></html>", ["page.xls", "web page"]),
], ids=["binary", "zero_bytes", "truncated_xlsx", "html_as_xls"])
def test_bad_binary_or_empty_file_is_refused(tmp_path: Path, name: str, data: bytes, parts: list[str]) -> None:
    root = make_store(tmp_path, **{DOUYIN: "douyin"})
    before = state(root)
    path = tmp_path / "in" / name
    path.parent.mkdir()
    path.write_bytes(data)
    with pytest.raises(ImportFileError) as info:
        import_files([path], root, DOUYIN, as_of=T_A)
    for part in parts:
        assert part in str(info.value), (part, str(info.value))
    assert_same_state(before, root)
    assert raw_files(root) == []


def test_unknown_account_unknown_kind_and_missing_path_are_refused_before_anything(tmp_path: Path) -> None:
    root = make_store(tmp_path, **{DOUYIN: "douyin"})
    before = state(root)
    a = write(tmp_path / "a.csv", DOUYIN_A)
    with pytest.raises(OpsbookError) as info:
        import_files([a], root, "own_nobody", as_of=T_A)
    assert "own_nobody" in str(info.value)
    assert "opsbook store add-account own_nobody --platform" in str(info.value)
    assert "own_douyin" in str(info.value)   # the known accounts are listed
    with pytest.raises(ParameterError) as info:
        import_files([a], root, DOUYIN, kind="douyin_videos", as_of=T_A)
    assert "'douyin_videos' is not a known export kind" in str(info.value)
    assert "douyin_works" in str(info.value)
    with pytest.raises(ParameterError, match="--kind or --mapping, not both"):
        import_files([a], root, DOUYIN, kind="douyin_works", mapping=EXPORTS / "generic/bilibili_mapping.yaml")
    with pytest.raises(ImportFileError, match="no such file or folder"):
        import_files([tmp_path / "nope.csv"], root, DOUYIN, as_of=T_A)
    with pytest.raises(DataError, match="does not exist"):
        import_files([a], tmp_path / "no_store", DOUYIN, as_of=T_A)
    assert_same_state(before, root)
    assert raw_files(root) == []


def test_forced_kind_that_does_not_fit_names_the_kind(tmp_path: Path) -> None:
    root = make_store(tmp_path, **{DOUYIN: "douyin"})
    before = state(root)
    a = write(tmp_path / "a.csv", DOUYIN_A)
    with pytest.raises(ImportFileError) as info:
        import_files([a], root, DOUYIN, kind="xiaohongshu_notes", as_of=T_A)
    assert "a.csv" in str(info.value) and "xiaohongshu_notes" in str(info.value)
    assert_same_state(before, root)
    # forcing the right kind imports it
    report = import_files([a], root, DOUYIN, kind="douyin_works", as_of=T_A)
    assert counts(only(report, "a.csv"), "posts") == (3, 0, 0, 0)
    assert list(Store.open(root).log()["forced_kind"]) == ["douyin_works"]


# ------------------------------------------------------------------------------------------------
# 6. canonical files


def topic_bank_file(tmp_path: Path) -> tuple[Path, int]:
    """The sample topic bank (or a small one) and its number of data rows, counted here."""
    target = tmp_path / "canon" / "topic_bank.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    if SAMPLE_TOPIC_BANK.is_file():
        shutil.copyfile(SAMPLE_TOPIC_BANK, target)
    else:
        write(target, "topic,pillar,format,strategic_weight\n"
                      "防晒乳实测,产品种草,carousel,1.2\n面霜横评,产品种草,short_video,1.0\n早C晚A,教程,image,0.8\n")
    lines = [ln for ln in target.read_text(encoding="utf-8-sig").splitlines() if ln.strip()]
    return target, len(lines) - 1


def test_canonical_topic_bank_imports_without_an_account(tmp_path: Path) -> None:
    root = make_store(tmp_path)
    path, n = topic_bank_file(tmp_path)
    report = import_files([path], root, as_of=AS_OF)
    outcome = only(report, "topic_bank.csv")
    assert (outcome.status, outcome.kind) == ("imported", "canonical:topic_bank")
    assert counts(outcome, "topic_bank") == (n, 0, 0, 0)
    bank = Store.open(root).read("topic_bank")
    source = pd.read_csv(path)
    assert len(bank) == n
    assert list(bank["topic"]) == list(source["topic"])
    assert list(Store.open(root).log()["account_id"].fillna("")) == [""]
    # the same file again: already imported
    assert only(import_files([path], root, as_of=AS_OF), "topic_bank.csv").status == "already imported"
    # a new bank replaces the old one
    new = write(tmp_path / "canon2" / "topic_bank.csv", "topic,pillar,format\n新选题,教程,image\n")
    outcome = only(import_files([new], root, as_of=AS_OF), "topic_bank.csv")
    assert (outcome.counts["topic_bank"].added, outcome.counts["topic_bank"].removed) == (1, n)
    assert list(Store.open(root).read("topic_bank")["topic"]) == ["新选题"]


CANONICAL_POSTS = ("post_id,account_id,published_at,format,pillar,title,topics,paid,views\n"
                   "p1,{a},2025-11-01 10:00,short_video,教程,第一条,,false,100\n"
                   "p2,{b},2025-11-02 10:00,carousel,教程,第二条,,false,200\n")


def test_canonical_accounts_file_is_merged_first_so_its_accounts_rows_import_with_it(tmp_path: Path) -> None:
    root = make_store(tmp_path, old="x")
    folder = tmp_path / "canonical"
    # "account_daily.csv" sorts before "accounts.csv", yet its rows are for an account only accounts.csv adds
    write(folder / "accounts.csv", "account_id,platform,name,owner\n"
                                   "old,x,Renamed X,own\n"
                                   "new_wb,weibo,微博号,competitor\n")
    write(folder / "account_daily.csv", "date,account_id,followers\n2025-11-01,new_wb,1200\n2025-11-02,new_wb,1210\n")
    report = import_files([folder], root, as_of=AS_OF)
    assert [f.path.name for f in report.files] == ["account_daily.csv", "accounts.csv"]
    assert counts(only(report, "accounts.csv"), "accounts")[:2] == (1, 1)   # new_wb added, old renamed
    accounts = Store.open(root).read("accounts").set_index("account_id")
    assert accounts.loc["old", "name"] == "Renamed X" and accounts.loc["new_wb", "owner"] == "competitor"
    daily = Store.open(root).read("account_daily")
    assert daily["followers"].tolist() == [1200, 1210]
    # an unknown platform is refused by the schema, naming the file
    write(tmp_path / "bad" / "accounts.csv", "account_id,platform,name,owner\nzz,myspace,Z,own\n")
    with pytest.raises(ImportFileError, match=r"accounts\.csv.*platform"):
        import_files([tmp_path / "bad" / "accounts.csv"], root, as_of=AS_OF)


def test_canonical_posts_for_another_account_are_refused(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_a="douyin", own_b="douyin")
    before = state(root)
    path = write(tmp_path / "posts.csv", CANONICAL_POSTS.format(a="own_a", b="own_b"))
    with pytest.raises(ImportFileError) as info:
        import_files([path], root, "own_a", as_of=AS_OF)
    message = str(info.value)
    assert "posts.csv" in message and "own_b" in message and "--account is own_a" in message
    assert "lines [3]" in message
    assert_same_state(before, root)


def test_canonical_file_with_blank_account_ids_needs_an_account(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_a="douyin")
    before = state(root)
    path = write(tmp_path / "targets.csv", "account_id,kpi,period,target\n,followers,2025-11,1000\n")
    with pytest.raises(ImportFileError, match="targets.csv: a targets file without account_id needs --account"):
        import_files([path], root, as_of=AS_OF)
    assert_same_state(before, root)
    report = import_files([path], root, "own_a", as_of=AS_OF)
    assert counts(only(report, "targets.csv"), "targets") == (1, 0, 0, 0)
    assert Store.open(root).read("targets")[["account_id", "kpi", "target"]].values.tolist() == [
        ["own_a", "followers", 1000]]


def test_canonical_posts_for_the_account_import(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_a="douyin")
    path = write(tmp_path / "posts.csv", CANONICAL_POSTS.format(a="own_a", b="own_a"))
    report = import_files([path], root, "own_a", as_of=AS_OF)
    assert counts(only(report, "posts.csv"), "posts") == (2, 0, 0, 0)
    assert posts_by_id(root)["views"].to_dict() == {"p1": 100, "p2": 200}


def test_canonical_ad_daily_without_creative_id_imports(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_a="douyin")
    path = write(tmp_path / "ad_daily.csv",
                 "date,account_id,campaign_id,channel,spend,impressions,clicks,conversions\n"
                 "2025-11-01,own_a,c1,douyin,100,1000,10,1\n2025-11-02,own_a,c1,douyin,120,1100,12,2\n")
    report = import_files([path], root, as_of=AS_OF)
    assert counts(only(report, "ad_daily.csv"), "ad_daily") == (2, 0, 0, 0)


def test_canonical_interactions_of_a_second_account_keep_the_first(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_a="douyin", own_b="douyin")
    header = "user_id,account_id,occurred_at,event\n"
    first = write(tmp_path / "a/interactions.csv",
                  header + "u1,own_a,2025-11-01 10:00,view\nu2,own_a,2025-11-01 11:00,like\n")
    second = write(tmp_path / "b/interactions.csv", header + "u9,own_b,2025-11-02 10:00,view\n")
    import_files([first], root, "own_a", as_of=AS_OF)
    outcome = only(import_files([second], root, "own_b", as_of=AS_OF), "interactions.csv")
    assert outcome.counts["interactions"].removed == 0
    frame = Store.open(root).read("interactions")
    assert sorted(frame["user_id"]) == ["u1", "u2", "u9"]


# ------------------------------------------------------------------------------------------------
# 7. rebuild_store


def compare_stores(source: Path, target: Path) -> None:
    a, b = Store.open(source), Store.open(target)
    assert a.tables() == b.tables()
    keys = ("account_id", "post_id", "date", "hour", "dimension", "category", "topic", "journey_id", "user_id")
    for name in a.tables():
        left, right = a.read(name), b.read(name)
        if name == "accounts":   # upserted at rebuild time: their bookkeeping times differ
            left, right = left.drop(columns=list(BOOKKEEPING)), right.drop(columns=list(BOOKKEEPING))
        key = [k for k in keys if k in left.columns]
        assert sorted(left.columns) == sorted(right.columns), name
        left = left.sort_values(key).reset_index(drop=True)
        right = right.sort_values(key).reset_index(drop=True)[list(left.columns)]
        pd.testing.assert_frame_equal(left, right, obj=name)


def test_rebuild_store_reproduces_every_table_from_the_archive(tmp_path: Path) -> None:
    root = make_store(tmp_path, **{DOUYIN: "douyin", "own_bili": "bilibili", "own_tt": "tiktok"})
    b = write(tmp_path / "exports/b.csv", DOUYIN_B)
    a = write(tmp_path / "exports/a.csv", DOUYIN_A)
    import_files([b], root, DOUYIN, as_of=T_B)
    assert counts(only(import_files([a], root, DOUYIN, as_of=T_A), "a.csv"), "posts") == (1, 0, 0, 2)
    import_files([EXPORTS / "cn/douyin_works.xlsx"], root, DOUYIN, as_of=T_C)
    import_files([EXPORTS / "generic/bilibili_videos.csv"], root, "own_bili",
                 mapping=EXPORTS / "generic/bilibili_mapping.yaml", as_of=T_C)
    import_files([EXPORTS / "intl/tiktok"], root, "own_tt", as_of=AS_OF)
    import_files([topic_bank_file(tmp_path)[0]], root, as_of=AS_OF)
    report = rebuild_store(root, tmp_path / "rebuilt")
    assert len(report.files) == 4 + 6 + 1        # a, b, xlsx, bilibili; six TikTok files; topic bank
    assert all(f.status == "imported" for f in report.files)
    compare_stores(root, tmp_path / "rebuilt")
    # the overlapping pair: B's values (newer) survive A's older snapshot, in both stores
    for where in (root, tmp_path / "rebuilt"):
        posts = posts_by_id(where)
        assert posts.loc[ID_TUTORIAL, ["views", "likes"]].tolist() == [15000, 900]
        assert posts.loc[ID_LIVE, ["views", "likes"]].tolist() == [12400, 150]


def test_rebuild_into_a_non_empty_folder_is_refused(tmp_path: Path) -> None:
    root = make_store(tmp_path, **{DOUYIN: "douyin"})
    target = tmp_path / "occupied"
    write(target / "keep.txt", "mine\n")
    with pytest.raises(ParameterError, match="not empty"):
        rebuild_store(root, target)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


def test_rebuild_keeps_a_canonical_conversions_file_as_conversions(tmp_path: Path) -> None:
    root = make_store(tmp_path)
    path = write(tmp_path / "conversions.csv",
                 "journey_id,occurred_at,value,channel\n"
                 "j1,2025-11-01 10:00,12.5,douyin\nj2,2025-11-02 11:00,30,wechat\n")
    assert only(import_files([path], root, as_of=AS_OF), "conversions.csv").kind == "canonical:conversions"
    rebuild_store(root, tmp_path / "rebuilt")
    assert Store.open(root).tables() == ["conversions"]          # no accounts were ever added
    assert Store.open(tmp_path / "rebuilt").tables() == ["conversions"]


def test_rebuild_reproduces_rule_tagged_pillars(tmp_path: Path) -> None:
    from helpers.ingest.pipeline import set_pillar_rules  # the pillar rules feature (helpers.ingest.pillars)

    root = make_store(tmp_path, **{DOUYIN: "douyin"})
    set_pillar_rules(root, write(tmp_path / "pillars.yaml", "教程: [教程]\n品牌活动: [直播]\n"))
    import_files([write(tmp_path / "exports/a.csv", DOUYIN_A)], root, DOUYIN, as_of=T_A)
    source = posts_by_id(root)
    # 早C晚A教程 has 教程, 直播回放 has 直播, 面霜横评 matches no rule
    assert source.loc[ID_TUTORIAL, "pillar"] == "教程" and source.loc[ID_LIVE, "pillar"] == "品牌活动"
    assert pd.isna(source.loc[ID_CREAM, "pillar"])
    rebuild_store(root, tmp_path / "rebuilt")
    rebuilt = posts_by_id(tmp_path / "rebuilt")
    assert rebuilt.loc[ID_TUTORIAL, "pillar"] == "教程"
    assert rebuilt.loc[ID_LIVE, "pillar"] == "品牌活动"


def test_rebuild_replays_reused_rules_keeps_later_account_changes_and_file_names(tmp_path: Path) -> None:
    from helpers.ingest.pipeline import set_pillar_rules

    root = make_store(tmp_path, **{DOUYIN: "douyin"})
    rules_a = write(tmp_path / "a.yaml", "教程: [教程]\n")
    rules_b = write(tmp_path / "b.yaml", "科普: [教程]\n")
    set_pillar_rules(root, rules_a)
    set_pillar_rules(root, rules_b)
    set_pillar_rules(root, rules_a)                      # back to A: the last rules in force
    write(tmp_path / "canon" / "accounts.csv", "account_id,platform,name,owner\nxhs1,xiaohongshu,XHS old,own\n")
    import_files([tmp_path / "canon" / "accounts.csv"], root, as_of=T_A)
    with Store.open(root).transaction() as txn:
        txn.upsert_account("xhs1", "xiaohongshu", "XHS new")
    import_files([write(tmp_path / "exports/抖音作品.csv", DOUYIN_A)], root, DOUYIN, as_of=T_A)
    assert posts_by_id(root).loc[ID_TUTORIAL, "pillar"] == "教程"
    rebuild_store(root, tmp_path / "rebuilt")
    rebuilt = Store.open(tmp_path / "rebuilt")
    assert posts_by_id(tmp_path / "rebuilt").loc[ID_TUTORIAL, "pillar"] == "教程"       # rules A, not B
    assert rebuilt.read("accounts").set_index("account_id").loc["xhs1", "name"] == "XHS new"
    assert "抖音作品.csv" in set(rebuilt.log()["file"]) and "accounts.csv" in set(rebuilt.log()["file"])


# ------------------------------------------------------------------------------------------------
# 8. two imports at once


CHILD = """
    import datetime as dt, sys, time
    from pathlib import Path
    from helpers.ingest.pipeline import import_files

    root, export, ready, go = sys.argv[1:5]
    import_files([export], root, "own_douyin", dry_run=True)   # warm up (writes nothing), then line up
    Path(ready).touch()
    deadline = time.time() + 30
    while not Path(go).exists() and time.time() < deadline:
        time.sleep(0.005)
    report = import_files([export], root, "own_douyin", as_of=dt.datetime(2025, 11, 8, 9))
    print(report.files[0].status, report.files[0].counts["posts"].added)
"""


def test_two_processes_importing_at_once_both_land(tmp_path: Path) -> None:
    root = make_store(tmp_path, **{DOUYIN: "douyin"})
    first = write(tmp_path / "exports/first.csv", DOUYIN_A)
    second = write(tmp_path / "exports/second.csv", DOUYIN_HEADER + (
        "秋季新品,2025-10-28 18:00,视频,5000,50\n冬季护肤,2025-11-02 09:10,图文,-,12\n"))
    go = tmp_path / "go"
    children = [run_script(CHILD, tmp_path / f"child{i}.py", str(root), str(export), str(tmp_path / f"ready{i}"),
                           str(go)) for i, export in enumerate((first, second))]
    deadline = time.time() + 30
    while not all((tmp_path / f"ready{i}").exists() for i in range(2)) and time.time() < deadline:
        time.sleep(0.01)
    go.touch()
    results = [c.communicate(timeout=60) for c in children]
    assert [c.returncode for c in children] == [0, 0], results
    assert sorted(out.strip() for out, _ in results) == ["imported 2", "imported 3"]
    expected = {ID_TUTORIAL, ID_CREAM, ID_LIVE, dy_id("秋季新品", "2025-10-28 18:00"),
                dy_id("冬季护肤", "2025-11-02 09:10")}
    assert set(posts_by_id(root).index) == expected
    assert sorted(Store.open(root).log()["file"]) == ["first.csv", "second.csv"]
    assert Store.open(root).generation == "g000004"   # create, add account, one per import
