"""The export kinds of X, Instagram, Facebook, Meta daily files, TikTok Studio, YouTube Studio and LinkedIn.

Each fixture under tests/fixtures/exports/intl/ goes read_grids → detect (not forced) → map_grid and
is compared with the rows written out here by hand from the fixture's cells ("1,234" → 1234.0,
"5.2%" → 0.052, "undefined" → NaN, "0:02:13" → 133.0, "November 3" with reference 2026-01-10 →
2025-11-03). The binary fixtures (UTF-16 Meta files, LinkedIn xls/xlsx) come from make_fixtures.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.ingest.kinds import KINDS_INTL  # registers every kind, the Chinese ones too: no confusion
from helpers.ingest.kinds.common import hashtags
from helpers.ingest.kinds.meta import meta_metric_column
from helpers.ingest.mapping import detect, map_grid
from helpers.ingest.read import read_grids
from helpers.ingest.types import KINDS, Grid, ImportContext, ImportFileError, Mapped

FIXTURES = Path(__file__).parent / "fixtures" / "exports" / "intl"
REFERENCE = dt.date(2026, 1, 10)
NAN = np.nan
T = pd.Timestamp

#: fixture file (and sheet) → the kind detection must pick.
EXPECTED_KIND: dict[tuple[str, str | None], str] = {
    ("x_posts.csv", None): "x_posts",
    ("x_posts_legacy.csv", None): "x_posts_legacy",
    ("x_account_overview.csv", None): "x_account_overview",
    ("instagram_posts.csv", None): "instagram_posts",
    ("facebook_posts.csv", None): "facebook_posts",
    ("meta_facebook_page_reach.csv", None): "meta_daily_metric",
    ("meta_instagram_follows.csv", None): "meta_daily_metric",
    ("tiktok/Overview.csv", None): "tiktok_overview",
    ("tiktok/FollowerHistory.csv", None): "tiktok_follower_history",
    ("tiktok/FollowerActivity.csv", None): "tiktok_follower_activity",
    ("tiktok/FollowerGender.csv", None): "tiktok_follower_gender",
    ("tiktok/FollowerTopTerritories.csv", None): "tiktok_follower_territories",
    ("tiktok/Content.csv", None): "tiktok_content",
    ("youtube_table_data.csv", None): "youtube_table_data",
    ("linkedin_page_content.xls", "Metrics"): "linkedin_page_metrics",
    ("linkedin_page_content.xls", "All posts"): "linkedin_posts",
    ("linkedin_page_content.xlsx", "Metrics"): "linkedin_page_metrics",
    ("linkedin_page_content.xlsx", "All posts"): "linkedin_posts",
}

POSTS_FRONT = ["post_id", "account_id", "published_at", "format", "pillar", "title", "topics", "paid"]
DAILY_FRONT = ["date", "account_id", "followers"]


# --- helpers -----------------------------------------------------------------------------------

def grid_of(name: str, sheet: str | None = None) -> Grid:
    grids = read_grids(FIXTURES / name)
    if sheet is None:
        assert len(grids) == 1
        return grids[0]
    return next(g for g in grids if g.sheet == sheet)


def run(name: str, platform: str, sheet: str | None = None, timezone: str = "UTC") -> Mapped:
    """Read, detect (never forced: it must find the right kind) and map one fixture."""
    grid = grid_of(name, sheet)
    found = detect(grid)
    assert found.kind.name == EXPECTED_KIND[(name, sheet)]
    context = ImportContext(account_id="acc1", platform=platform, timezone=timezone, reference=REFERENCE)
    return map_grid(grid, found, context)


def expected(n: int, **columns: object) -> pd.DataFrame:
    """A frame of n rows; a scalar fills the column. Text → string dtype, Timestamps → datetime64[ns],
    numbers (and NaN) → float64, bools → bool; `hour` stays an integer (Int64)."""
    data: dict[str, pd.Series] = {}
    for name, value in columns.items():
        values = list(value) if isinstance(value, list) else [value] * n
        assert len(values) == n, name
        present = [v for v in values if v is not None and not (isinstance(v, float) and np.isnan(v))]
        if name == "hour":
            data[name] = pd.Series(values, dtype="Int64")
        elif present and all(isinstance(v, bool) for v in present):
            data[name] = pd.Series(values, dtype=bool)
        elif present and all(isinstance(v, pd.Timestamp) for v in present):
            data[name] = pd.Series(values, dtype="datetime64[ns]")
        elif not present and all(v is not None for v in values):          # all NaN: a number column
            data[name] = pd.Series(values, dtype="float64")
        elif not present or all(isinstance(v, str) for v in present):
            data[name] = pd.Series(values, dtype="string")
        else:
            data[name] = pd.Series([NAN if v is None else float(v) for v in values], dtype="float64")
    return pd.DataFrame(data)


def assert_rows(actual: pd.DataFrame, want: pd.DataFrame, front: list[str] | None = None) -> None:
    """Same columns (canonical ones first, in order), same values, same dtypes."""
    assert sorted(actual.columns) == sorted(want.columns)
    if front is not None:
        assert list(actual.columns[: len(front)]) == front
    pd.testing.assert_frame_equal(actual.reset_index(drop=True), want[list(actual.columns)])


# --- detection -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "sheet"), list(EXPECTED_KIND))
def test_each_fixture_is_detected_as_its_own_kind(name: str, sheet: str | None) -> None:
    grid = grid_of(name, sheet)
    want = EXPECTED_KIND[(name, sheet)]
    assert detect(grid).kind.name == want                              # among every registered kind
    assert detect(grid, kinds=KINDS_INTL).kind.name == want
    # and no other international kind matches it at all (no near-tie can flip detection)
    for other in KINDS_INTL:
        if other.name != want:
            with pytest.raises(ImportFileError):
                detect(grid, kinds=[other])


def test_all_kinds_are_registered_with_their_names() -> None:
    names = [k.name for k in KINDS_INTL]
    assert names == [
        "x_posts", "x_posts_legacy", "x_account_overview", "instagram_posts", "facebook_posts",
        "meta_daily_metric", "tiktok_overview", "tiktok_follower_history", "tiktok_follower_activity",
        "tiktok_follower_gender", "tiktok_follower_territories", "tiktok_content", "youtube_table_data",
        "linkedin_page_metrics", "linkedin_posts",
    ]
    assert all(KINDS[n] is k for n, k in zip(names, KINDS_INTL, strict=True))
    assert set(EXPECTED_KIND.values()) == set(names)


# --- X -------------------------------------------------------------------------------------------

def test_x_posts() -> None:
    mapped = run("x_posts.csv", "x")
    links = ["https://x.com/acme/status/1853912345678901234", "https://x.com/acme/status/1854012345678901235",
             "https://x.com/acme/status/1854112345678901236"]
    want = expected(
        3,
        # the third id cell was mangled by a spreadsheet ("1.85411E+18"): the id comes from the link
        post_id=["1853912345678901234", "1854012345678901235", "1854112345678901236"],
        account_id="acc1",
        published_at=[T("2025-11-01"), T("2025-11-02"), T("2025-11-03")],
        format="text", pillar=None,
        title=["Launch day! #opsbook #Analytics", "Thread: what we learned, 1/5", "Spreadsheet-mangled id #data"],
        topics=["opsbook;Analytics", None, "data"],
        paid=False,
        link=links,
        impressions=[12400.0, 3210.0, 980.0],
        likes=[310.0, 45.0, 12.0],
        engagements_reported=[1045.0, 160.0, 48.0],
        saves=[25.0, NAN, 2.0],                  # "-"
        dm_shares=[4.0, 0.0, NAN],               # X "Shares" (private shares); "" is missing
        follows=[12.0, 1.0, 0.0],
        comments=[18.0, 6.0, 1.0],
        shares=[42.0, 3.0, 2.0],                 # Reposts
        profile_visits=[96.0, 14.0, 5.0],
        detail_expands=[130.0, 40.0, 9.0],
        clicks=[210.0, 12.0, 3.0],
        hashtag_clicks=[33.0, 0.0, 1.0],
        permalink_clicks=[0.0, 2.0, 0.0],
    )
    assert_rows(mapped.rows, want, POSTS_FRONT)
    assert mapped.table == "posts" and mapped.skipped == []


def test_x_posts_legacy_converts_utc_times_and_marks_promoted_posts() -> None:
    mapped = run("x_posts_legacy.csv", "x", timezone="Asia/Shanghai")
    ids = ["1720001112223334445", "1720301112223334446", "1720601112223334447"]
    want = expected(
        3,
        post_id=ids, account_id="acc1",
        # "2023-11-02 08:15 +0000" → UTC+8; "2023-11-03 23:30 +0000" is already the 4th in Shanghai
        published_at=[T("2023-11-02 16:15"), T("2023-11-03 09:00"), T("2023-11-04 07:30")],
        format="text", pillar=None,
        title=["Autumn sale starts now #sale", "Our Q4 webinar: sign up https://t.co/xyz",
               "Thanks for 10k followers! #milestone #thankyou"],
        topics=["sale", None, "milestone;thankyou"],
        paid=[False, True, False],               # promoted impressions 5000 on the second tweet
        link=[f"https://twitter.com/acme/status/{i}" for i in ids],
        impressions=[1523.0, 8200.0, 2210.0],
        engagements_reported=[61.0, 410.0, NAN],
        engagement_rate=[0.04, 0.05, NAN],
        shares=[5.0, 12.0, 4.0],
        comments=[2.0, 7.0, 11.0],
        likes=[30.0, 95.0, 120.0],
        profile_visits=[8.0, 30.0, 5.0],
        clicks=[6.0, 180.0, 0.0],
        hashtag_clicks=[1.0, 0.0, 2.0],
        detail_expands=[9.0, 40.0, NAN],
        permalink_clicks=[0.0, 3.0, 0.0],
        app_opens=[0.0, 0.0, 0.0],
        app_installs=[0.0, 0.0, 0.0],
        follows=[1.0, 6.0, 2.0],
        media_views=[0.0, 1200.0, 0.0],
        media_engagements=[0.0, 44.0, 0.0],
        promoted_impressions=[NAN, 5000.0, NAN],
    )
    assert_rows(mapped.rows, want, POSTS_FRONT)


def test_x_account_overview() -> None:
    mapped = run("x_account_overview.csv", "x")
    want = expected(
        3,
        date=[T("2025-11-01"), T("2025-11-02"), T("2025-11-03")],
        account_id="acc1",
        followers=NAN,                           # not in the export
        impressions=[15230.0, 4020.0, 1230.0],
        likes=[402.0, 88.0, 20.0],
        engagements=[1310.0, 305.0, 75.0],
        saves=[31.0, 6.0, 2.0],
        dm_shares=[5.0, 0.0, 1.0],
        followers_gained=[22.0, 5.0, 0.0],
        followers_lost=[4.0, 7.0, 1.0],
        comments=[25.0, 9.0, 3.0],
        shares=[48.0, 6.0, 2.0],
        profile_visits=[120.0, 41.0, 10.0],
        posts_created=[3.0, 1.0, 0.0],
        video_views=[1050.0, NAN, 80.0],
        media_views=[880.0, 210.0, NAN],
    )
    assert_rows(mapped.rows, want, DAILY_FRONT)
    assert mapped.table == "account_daily"


# --- Meta ----------------------------------------------------------------------------------------

def test_instagram_posts() -> None:
    mapped = run("instagram_posts.csv", "instagram")
    want = expected(
        5,
        post_id=["17912345678901234", "17912345678901235", "17912345678901236", "17912345678901237",
                 "17912345678901238"],
        account_id="acc1",
        # US "11/13/2025 12:00": month first
        published_at=[T("2025-11-01 08:15"), T("2025-11-02 19:30"), T("2025-11-13 12:00"),
                      T("2025-11-14 21:05"), T("2025-12-01 09:00")],
        format=["short_video", "carousel", "image", "image", "video"],   # IG story → image
        pillar=None,
        title=["Behind the scenes #bts #StudioLife", "Swipe for 5 tips ➡️ #tips", "New office 🌿", None,
               "Full interview #podcast"],
        topics=["bts;StudioLife", "tips", None, None, "podcast"],
        paid=False,
        account_username="acme.studio",
        duration_s=[27.0, 0.0, 0.0, 0.0, 312.0],
        link=["https://www.instagram.com/reel/DAbc123/", "https://www.instagram.com/p/DAbc124/",
              "https://www.instagram.com/p/DAbc125/",
              "https://www.instagram.com/stories/acme.studio/3412345678901234567/",
              "https://www.instagram.com/p/DAbc126/"],
        post_type=["IG reel", "IG carousel", "IG image", "IG story", "IG video"],
        views=[12345.0, 3400.0, 1020.0, 640.0, 2210.0],
        reach=[8910.0, 2950.0, 870.0, 600.0, 1980.0],
        likes=[456.0, 210.0, 95.0, NAN, 130.0],
        shares=[23.0, 4.0, 0.0, NAN, 9.0],
        follows=[5.0, 1.0, 0.0, 0.0, 2.0],
        comments=[31.0, 12.0, 3.0, NAN, 14.0],
        saves=[40.0, 88.0, NAN, NAN, 21.0],
    )
    assert_rows(mapped.rows, want, POSTS_FRONT)


def test_facebook_posts() -> None:
    mapped = run("facebook_posts.csv", "facebook")
    d1 = "Our new studio is open! #grandopening"
    d3 = "Read the blog: 5 lessons from a year of posting"
    d4 = "30 seconds of calm #reels"
    want = expected(
        5,
        post_id=[f"104512345678901_123456789012345{i}" for i in (6, 7, 8, 9)] + ["104512345678901_1234567890123460"],
        account_id="acc1",
        published_at=[T("2025-11-01 10:00"), T("2025-11-02 18:30"), T("2025-11-13 08:05"),
                      T("2025-11-20 20:00"), T("2025-12-05 19:00")],
        format=["image", "video", "text", "short_video", "live"],   # Photos, Videos, Links, Reels, Live
        pillar=None,
        title=[d1, "Studio tour", d3, d4, "Live Q&A"],          # the Description when Title is empty
        topics=["grandopening", "tour;behindthescenes", None, "reels", None],
        paid=False,
        page_name="Acme Studio",
        description=[d1, "Take the full tour #tour #behindthescenes", d3, d4, None],
        duration_s=[0.0, 95.0, 0.0, 30.0, 3620.0],
        link=["https://www.facebook.com/104512345678901/posts/1234567890123456",
              "https://www.facebook.com/104512345678901/videos/1234567890123457",
              "https://www.facebook.com/104512345678901/posts/1234567890123458",
              "https://www.facebook.com/reel/1234567890123459",
              "https://www.facebook.com/104512345678901/videos/1234567890123460"],
        post_type=["Photos", "Videos", "Links", "Reels", "Live"],
        views=[5600.0, 8900.0, 1200.0, 22000.0, 3050.0],
        reach=[4210.0, 6300.0, 980.0, 15100.0, 2480.0],
        likes=[270.0, 350.0, 20.0, 980.0, 150.0],              # Reactions
        comments=[30.0, 40.0, 3.0, 60.0, 55.0],
        shares=[18.0, 12.0, 2.0, 90.0, 5.0],
        engagements_reported=[318.0, 402.0, 25.0, 1130.0, 210.0],
        clicks=[1120.0, 640.0, 210.0, NAN, 300.0],            # Total clicks; "-" is missing
        link_clicks=[0.0, 0.0, 150.0, NAN, 0.0],
        other_clicks=[1120.0, 640.0, 60.0, NAN, 300.0],
        watch_time_s=[0.0, 41230.0, 0.0, 140500.0, 90000.0],
        avg_watch_s=[0.0, 33.0, 0.0, 7.0, NAN],
    )
    assert_rows(mapped.rows, want, POSTS_FRONT)


def test_unknown_post_type_label_is_an_error_naming_it(tmp_path: Path) -> None:
    lines = (FIXTURES / "instagram_posts.csv").read_text(encoding="utf-8-sig").splitlines()
    lines[2] = lines[2].replace("IG carousel", "IG hologram")
    path = tmp_path / "ig.csv"
    path.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    grid = read_grids(path)[0]
    with pytest.raises(ImportFileError, match="line 3: unknown Instagram Post type 'IG hologram'"):
        map_grid(grid, detect(grid), ImportContext("acc1", "instagram", "UTC", REFERENCE))


def test_meta_daily_metric_utf16_with_sep_line_and_title() -> None:
    raw = (FIXTURES / "meta_facebook_page_reach.csv").read_bytes()
    assert raw.startswith(b"\xff\xfe") and "sep=,".encode("utf-16-le") in raw[:20]
    mapped = run("meta_facebook_page_reach.csv", "facebook")
    want = expected(
        4,
        date=[T("2025-11-01"), T("2025-11-02"), T("2025-11-03"), T("2025-11-04")],
        account_id="acc1",
        followers=NAN,
        reach=[1234.0, 2345.0, 0.0, NAN],        # "Facebook Page reach" → reach; a real 0 stays 0
    )
    assert_rows(mapped.rows, want, DAILY_FRONT)
    assert mapped.header_line == 3              # sep=, (line 1) and the title (line 2) come first

    mapped = run("meta_instagram_follows.csv", "instagram")
    want = expected(
        3,
        date=[T("2025-11-01"), T("2025-11-02"), T("2025-11-03")],
        account_id="acc1",
        followers=NAN,
        followers_gained=[12.0, 7.0, 1021.0],    # "Instagram follows" → followers_gained
    )
    assert_rows(mapped.rows, want, DAILY_FRONT)


@pytest.mark.parametrize(("title", "column"), [
    ("Facebook Page reach", "reach"), ("Instagram reach", "reach"), ("Views", "impressions"),
    ("Instagram impressions", "impressions"), ("Follows", "followers_gained"),
    ("Facebook new follows", "followers_gained"), ("Visits", "profile_visits"),
    ("Instagram profile visits", "profile_visits"), ("Link clicks", "link_clicks"),
    ("Interactions", "engagements"), ("Instagram content interactions", "engagements"),
    ("Facebook Page total earnings", None),
])
def test_meta_titles(title: str, column: str | None) -> None:
    assert meta_metric_column(title) == column


def _meta_file(tmp_path: Path, title: str) -> Path:
    path = tmp_path / "metric.csv"
    text = f'sep=,\r\n"{title}"\r\n"Date","Primary"\r\n"2025-11-01T00:00:00","5"\r\n'
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    return path


def test_meta_daily_metric_unknown_title_is_an_error_naming_it(tmp_path: Path) -> None:
    grid = read_grids(_meta_file(tmp_path, "Facebook Page total earnings"))[0]
    found = detect(grid)
    assert found.kind.name == "meta_daily_metric"
    with pytest.raises(ImportFileError, match=r"'Facebook Page total earnings'.*'reach' → reach.*'link clicks'"):
        map_grid(grid, found, ImportContext("acc1", "facebook", "UTC", REFERENCE))


def test_meta_daily_metric_of_the_other_platform_is_an_error(tmp_path: Path) -> None:
    grid = read_grids(_meta_file(tmp_path, "Instagram reach"))[0]
    with pytest.raises(ImportFileError, match="Instagram.*on facebook"):
        map_grid(grid, detect(grid), ImportContext("acc1", "facebook", "UTC", REFERENCE))


# --- TikTok --------------------------------------------------------------------------------------

def test_tiktok_overview_yearless_dates_take_the_year_before_the_reference() -> None:
    mapped = run("tiktok/Overview.csv", "tiktok")
    want = expected(
        4,
        # "November 3" … "January 2" with reference 2026-01-10
        date=[T("2025-11-03"), T("2025-11-04"), T("2025-12-31"), T("2026-01-02")],
        account_id="acc1",
        followers=NAN,
        video_views=[1204.0, 2310.0, 980.0, 1500.0],      # "1.5K"
        profile_visits=[56.0, 71.0, 40.0, NAN],           # "-"
        likes=[301.0, 455.0, 210.0, 280.0],
        comments=[12.0, NAN, 8.0, 10.0],                  # "undefined"
        shares=[4.0, 9.0, 2.0, 5.0],
    )
    assert_rows(mapped.rows, want, DAILY_FRONT)


def test_tiktok_follower_history_localised_dates() -> None:
    mapped = run("tiktok/FollowerHistory.csv", "tiktok")
    want = expected(
        4,
        # "3 nov.", "4 nov.", "4 déc." (French), "5 janv." (French)
        date=[T("2025-11-03"), T("2025-11-04"), T("2025-12-04"), T("2026-01-05")],
        account_id="acc1",
        followers=[12030.0, 12021.0, 12400.0, 12512.0],
        followers_net=[15.0, -9.0, NAN, 7.0],
    )
    assert_rows(mapped.rows, want, DAILY_FRONT)


def test_tiktok_follower_activity() -> None:
    mapped = run("tiktok/FollowerActivity.csv", "tiktok")
    want = expected(
        4,
        account_id="acc1",
        date=[T("2025-11-03"), T("2025-11-03"), T("2025-11-03"), T("2025-11-04")],
        hour=[0, 1, 20, 0],
        active_followers=[1204.0, 980.0, 2310.0, NAN],
    )
    assert_rows(mapped.rows, want)
    assert mapped.table == "follower_activity"


def test_tiktok_follower_gender_and_territories() -> None:
    mapped = run("tiktok/FollowerGender.csv", "tiktok")
    want = expected(3, account_id="acc1", dimension="gender", category=["Female", "Male", "Other"],
                    share=[0.55, 0.41, 0.04])
    assert_rows(mapped.rows, want, ["account_id", "dimension", "category", "share"])
    assert mapped.table == "follower_demographics"

    mapped = run("tiktok/FollowerTopTerritories.csv", "tiktok")
    want = expected(4, account_id="acc1", dimension="territory",
                    category=["United States", "United Kingdom", "Germany", "Others"],
                    share=[0.325, 0.12, 0.0825, NAN])    # "32.5%", "12%", "8.25%", "undefined"
    assert_rows(mapped.rows, want, ["account_id", "dimension", "category", "share"])


def test_tiktok_content() -> None:
    mapped = run("tiktok/Content.csv", "tiktok")
    want = expected(
        3,
        post_id=["7301234567890123456", "7302234567890123457", "7303234567890123458"],
        account_id="acc1",
        published_at=[T("2025-11-03"), T("2025-12-30"), T("2026-01-05")],
        format=["short_video", "carousel", "short_video"],     # a /photo/ link is a photo carousel
        pillar=None,
        title=["Morning routine #fyp #MorningRoutine", "3 desk setups 📸 #desksetup", "Q&A: how we edit"],
        topics=["fyp;MorningRoutine", "desksetup", None],
        paid=False,
        link=["https://www.tiktok.com/@acme/video/7301234567890123456",
              "https://www.tiktok.com/@acme/photo/7302234567890123457",
              "https://www.tiktok.com/@acme/video/7303234567890123458"],
        likes=[1200.0, 310.0, 88.0],                           # "1.2K"
        comments=[45.0, NAN, 7.0],
        shares=[12.0, 4.0, NAN],
        views=[23456.0, 5210.0, 1020.0],
    )
    assert_rows(mapped.rows, want, POSTS_FRONT)
    assert mapped.skipped == ["Content.csv line 5: no Video link, so no post id — row skipped"]


def test_tiktok_follower_activity_hour_out_of_range_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "FollowerActivity.csv"
    path.write_text("Date,Hour,Active followers\nNovember 3,23,10\nNovember 3,24,12\n", encoding="utf-8")
    grid = read_grids(path)[0]
    with pytest.raises(ImportFileError, match=r"0–23 \(line\(s\) 3\)"):
        map_grid(grid, detect(grid), ImportContext("acc1", "tiktok", "UTC", REFERENCE))


# --- YouTube -------------------------------------------------------------------------------------

def test_youtube_table_data_drops_the_total_row() -> None:
    mapped = run("youtube_table_data.csv", "youtube")
    want = expected(
        3,
        post_id=["dQw4w9WgXcQ", "abc123XYZ_-", "Zx9_8yW7vU6"],
        account_id="acc1",
        published_at=[T("2025-11-03"), T("2025-11-05"), T("2025-11-07")],
        format=["video", "short_video", "video"],              # 754 s, 60 s (≤ 60), 3600 s
        pillar=None,
        title=["How we plan a month of content #planning", "60-second tip #shorts #Tips", "Live Q&A replay"],
        topics=["planning", "shorts;Tips", None],
        paid=False,
        duration_s=[754.0, 60.0, 3600.0],
        views=[14020.0, 9800.0, 1315.0],
        watch_time_h=[520.1, 36.2, 256.1567],
        subscribers_net=[38.0, -2.0, NAN],
        follows=[38.0, NAN, NAN],                               # a negative net is not a follows count
        impressions=[220000.0, 150000.0, 40220.0],
        ctr=[0.052, 0.031, 0.065],                              # (%) column: 5.2 → 0.052
        avg_watch_s=[133.0, 13.0, 701.0],                       # 0:02:13, 0:00:13, 0:11:41
        likes=[1020.0, 700.0, 110.0],
        comments=[98.0, 60.0, 6.0],
        shares=[51.0, 40.0, NAN],
    )
    assert_rows(mapped.rows, want, POSTS_FRONT)
    assert mapped.skipped == ["line 2: the Total row (channel totals), not a video"]


# --- LinkedIn ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["linkedin_page_content.xls", "linkedin_page_content.xlsx"])
def test_linkedin_page_metrics(name: str) -> None:
    mapped = run(name, "linkedin", sheet="Metrics")
    assert mapped.header_line == 2              # under the description line
    want = expected(
        3,
        date=[T("2025-11-01"), T("2025-11-02"), T("2025-11-14")],   # xls: text "11/14/2025", month first
        account_id="acc1",
        followers=NAN,
        impressions=[4920.0, 830.0, 7225.0],
        impressions_organic=[1520.0, 830.0, 2105.0],
        impressions_sponsored=[3400.0, 0.0, 5120.0],
        unique_impressions_organic=[980.0, 610.0, 1402.0],
        link_clicks=[101.0, 12.0, 206.0],
        clicks_organic=[41.0, 12.0, 66.0],
        clicks_sponsored=[60.0, 0.0, 140.0],
        likes=[57.0, 18.0, 81.0],
        reactions_organic=[35.0, 18.0, 51.0],
        reactions_sponsored=[22.0, 0.0, 30.0],
        comments=[5.0, 2.0, 11.0],
        comments_organic=[4.0, 2.0, 9.0],
        comments_sponsored=[1.0, 0.0, 2.0],
        shares=[2.0, 1.0, 4.0],
        reposts_organic=[2.0, 1.0, 3.0],
        reposts_sponsored=[0.0, 0.0, 1.0],
        engagement_rate=[0.0335, 0.0398, 0.0416],
        engagement_rate_organic=[0.0539, 0.0398, 0.0613],
        engagement_rate_sponsored=[0.0244, NAN, 0.0336],    # empty cell
    )
    assert_rows(mapped.rows, want, DAILY_FRONT)


@pytest.mark.parametrize("name", ["linkedin_page_content.xls", "linkedin_page_content.xlsx"])
def test_linkedin_posts(name: str) -> None:
    mapped = run(name, "linkedin", sheet="All posts")
    assert mapped.header_line == 2
    urns = ["urn:li:activity:7391234567890123456", "urn:li:ugcPost:7392234567890123456",
            "urn:li:activity:7393234567890123456", "urn:li:activity:7394234567890123456"]
    want = expected(
        4,
        post_id=urns,
        account_id="acc1",
        published_at=[T("2025-11-03"), T("2025-11-05"), T("2025-11-14"), T("2025-11-20")],
        format=["image", "carousel", "video", "text"],         # Image, Document, Video, Poll (→ text)
        pillar=None,
        title=["We are hiring! Join our data team #hiring #DataJobs", "Download our 2026 social media report",
               "Behind the scenes of our studio", "Which metric matters most to you?"],
        topics=["hiring;DataJobs", None, None, None],
        paid=[False, True, False, False],                      # Post type "Sponsored"
        link=[f"https://www.linkedin.com/feed/update/{u}" for u in urns],
        post_type=["Organic", "Sponsored", "Organic", "Organic"],
        campaign_name=[None, "Q4 report campaign", None, None],
        posted_by=["Jane Doe", "Acme Ads", "Jane Doe", "Jane Doe"],
        audience=["All followers", "Marketing managers, US", "All followers", "All followers"],
        impressions=[4210.0, 25030.0, 1890.0, 960.0],
        views=[NAN, NAN, 1420.0, NAN],
        offsite_views=[NAN, NAN, 35.0, NAN],
        clicks=[123.0, 410.0, 40.0, 8.0],
        ctr=[0.0292, 0.0164, 0.0212, 0.0083],
        likes=[88.0, 150.0, 61.0, 20.0],
        comments=[12.0, 9.0, 4.0, 15.0],
        shares=[5.0, 6.0, 2.0, 0.0],
        follows=[3.0, 21.0, 1.0, 0.0],
        engagement_rate=[0.054, 0.0239, 0.0566, 0.0448],
        content_type=["Image", "Document", "Video", "Poll"],
    )
    assert_rows(mapped.rows, want, POSTS_FRONT)


# --- hashtags ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("texts", "tags"), [
    (("Launch day! #opsbook #Analytics",), "opsbook;Analytics"),
    (("#旅行日记# 去了大理 #美食#",), "旅行日记;美食"),                       # Weibo-style pairs
    (("周末 #旅行# and #travel #Travel",), "旅行;travel"),                    # both styles, de-duplicated
    (("C# tips, issue #12, &#39;quoted&#39; C#/F#",), None),                  # not hashtags
    (("我在#大理#吃了#米线 #话题1##话题2# #end",), "大理;米线;话题1;话题2;end"),   # in order of appearance
    (("full-width ＃全角标签 works",), "全角标签"),
    (("no tags",), None),
    ((None,), None),
    (("Studio tour", "Take the full tour #tour #behindthescenes"), "tour;behindthescenes"),
    (("#tour in title", "#tour again #more"), "tour;more"),
    (("#a;b",), "a"),
])
def test_hashtags(texts: tuple[object, ...], tags: str | None) -> None:
    assert hashtags(*texts) == tags


# --- the generated fixtures are the committed ones -------------------------------------------------

def test_binary_fixtures_match_their_generator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_intl_fixtures", FIXTURES / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.main()
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["linkedin_page_content.xls", "linkedin_page_content.xlsx", "meta_facebook_page_reach.csv",
                       "meta_instagram_follows.csv"]
    for name in written:
        assert (tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes(), f"{name}: run make_fixtures.py"
