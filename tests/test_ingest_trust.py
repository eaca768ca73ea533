"""Issue 17, "Importers: no silent wrong value": each test failed on the code before its fix.

Expected values are worked out by hand in the comments (calendar arithmetic, the Excel epoch, counts
read off the CSV text written in the test); nothing is copied from the code's output.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.ingest import kinds  # noqa: F401  (registers the export kinds)
from helpers.ingest import values as ingest_values
from helpers.ingest.mapping import detect, map_grid
from helpers.ingest.pipeline import import_files
from helpers.ingest.read import read_grids
from helpers.ingest.store import Store
from helpers.ingest.types import ImportContext, ImportFileError, Mapped
from helpers.ingest.values import parse_values
from ingest_expected import make_store

TZ = "Asia/Shanghai"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding, newline="")
    return path


def mapped(path: Path, platform: str, reference: dt.date = dt.date(2026, 1, 10)) -> Mapped:
    """One file through read → detect → map, for an account on `platform`."""
    [grid] = read_grids(path)
    context = ImportContext(account_id="own", platform=platform, reference=reference)
    return map_grid(grid, detect(grid), context)


def days(values: pd.Series) -> list[str]:
    return [f"{v:%Y-%m-%d}" for v in values]


# --- dates without a year: one run per file ------------------------------------------------------

def test_yearless_dates_across_new_year_stay_one_run_when_the_reference_is_late() -> None:
    # an export of 3 Nov – 5 Jan copied on 2026-12-01: the run ends on 5 Jan, whose latest year on or
    # before 2026-12-01 is 2026; the days before New Year in the run are 2025. Cell by cell, "Nov 3"
    # alone would be 2026-11-03 (after 5 Jan 2026: the run split across two years).
    values, bad = parse_values(pd.Series(["Nov 3", "Dec 30", "Jan 5"]), "date", reference=dt.date(2026, 12, 1),
                               timezone=TZ)
    assert not bad.any()
    assert days(values) == ["2025-11-03", "2025-12-30", "2026-01-05"]


def test_yearless_dates_in_descending_order() -> None:
    # newest first, as Content.csv lists posts: 2 Jan is the run's end → 2026 (reference 2026-12-01;
    # cell by cell "November 4" would be 2026-11-04)
    values, _ = parse_values(pd.Series(["January 2", "December 31", "November 4"]), "date",
                             reference=dt.date(2026, 12, 1), timezone=TZ)
    assert days(values) == ["2026-01-02", "2025-12-31", "2025-11-04"]


def test_yearless_dates_unordered_but_within_half_a_year() -> None:
    # rows in no order (a posts export sorted by views); the gap Jan 6 → Nov 3 is the largest, so the
    # run is 3 Nov … 6 Jan; reference 2026-12-01 → 6 Jan 2026 (cell by cell "Nov 3" would be 2026-11-03)
    values, _ = parse_values(pd.Series(["Dec 30", "Jan 6", "Nov 3", "Jan 5"]), "datetime",
                             reference=dt.date(2026, 12, 1), timezone=TZ)
    assert days(values) == ["2025-12-30", "2026-01-06", "2025-11-03", "2026-01-05"]


def test_yearless_dates_that_cannot_be_placed_are_refused() -> None:
    # unordered and spanning Feb … Oct (8 months): which year each is in cannot be told
    texts = pd.Series(["Feb 1", "Oct 1", "Jun 1", "Mar 1"])
    with pytest.raises(ingest_values.YearlessDatesError, match="not in date order"):
        parse_values(texts, "date", reference=dt.date(2026, 1, 10), timezone=TZ)


def test_unplaceable_yearless_dates_name_the_file_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "Overview.csv", "Date,Video Views,Profile Views\n"
                 "February 1,10,1\nOctober 1,10,1\nJune 1,10,1\nMarch 1,10,1\n")
    with pytest.raises(ImportFileError, match=r'Overview\.csv: column "Date" has dates without a year and the rows '
                                              r"are not in date order"):
        mapped(path, "tiktok")


OVERVIEW_YEARLESS = ("Date,Video Views,Profile Views,Likes,Comments,Shares\n"
                     "December 30,100,5,10,1,1\nDecember 31,110,6,11,1,1\nJanuary 1,120,7,12,1,1\n")


def test_yearless_dates_far_before_the_file_time_are_refused_without_as_of(tmp_path: Path) -> None:
    root = make_store(tmp_path, tt="tiktok")
    path = write(tmp_path / "exports/Overview.csv", OVERVIEW_YEARLESS)
    stamp = dt.datetime(2026, 6, 1, 12, 0).timestamp()   # a checkout five months after the export
    os.utime(path, (stamp, stamp))
    with pytest.raises(ImportFileError, match=r"151 days before the file's modification time \(2026-06-01\).*"
                                              r"--as-of"):
        import_files([path], root, "tt")
    # 1 Jan 2026 → 1 Jun 2026: 30 + 28 + 31 + 30 + 31 + 1 = 151 days
    report = import_files([path], root, "tt", as_of=dt.datetime(2026, 1, 2, 9, 0))
    daily = Store.open(root).read("account_daily")
    assert days(daily.sort_values("date")["date"]) == ["2025-12-30", "2025-12-31", "2026-01-01"]
    [outcome] = report.files
    assert any("dates without a year read as 2025-12-30 … 2026-01-01" in note for note in outcome.notes)


def test_yearless_dates_near_the_file_time_are_read_with_a_note(tmp_path: Path) -> None:
    root = make_store(tmp_path, tt="tiktok")
    path = write(tmp_path / "exports/Overview.csv", OVERVIEW_YEARLESS)
    stamp = dt.datetime(2026, 1, 2, 9, 0).timestamp()
    os.utime(path, (stamp, stamp))
    [outcome] = import_files([path], root, "tt").files
    assert any("2025-12-30 … 2026-01-01" in n and "file time" in n for n in outcome.notes)


# --- Excel serial dates ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    # Excel day 1 is 1900-01-01 and Excel counts a 1900-02-29 that never was, so from March 1900 on day N
    # is 1899-12-30 + N (day 61 = 1900-03-01). 2025-01-01 is day 45658 (checked against Excel's
    # documented DATE(2025,1,1)), 2026-01-01 is 45658 + 365 = 46023; 31 October is day 304 of 2026, so
    # it is 46023 + 303 = 46326, and 46327 is 1 November 2026 (not 31 October, as the brief had it).
    ("46326", dt.datetime(2026, 10, 31)),
    ("46327", dt.datetime(2026, 11, 1)),
    ("46326.75", dt.datetime(2026, 10, 31, 18, 0)),     # .75 of a day = 18:00
    ("45658", dt.datetime(2025, 1, 1)),
    ("12400", None), ("2025", None), ("463270", None),
])
def test_excel_serial(text: str, expected: dt.datetime | None) -> None:
    assert ingest_values.excel_serial(text) == expected


def test_excel_serial_dates_in_a_daily_file_are_dates(tmp_path: Path) -> None:
    path = write(tmp_path / "x_overview.csv", "Date,Impressions,New follows,Unfollows\n"
                 "46326,1000,5,1\n46327,1200,6,0\n")
    rows = mapped(path, "x").rows
    assert days(rows["date"]) == ["2026-10-31", "2026-11-01"]
    assert rows["impressions"].tolist() == [1000.0, 1200.0]


def test_a_count_column_is_not_read_as_a_date() -> None:
    values, bad = parse_values(pd.Series(["46327"]), "count", reference=dt.date(2026, 1, 1), timezone=TZ)
    assert values.tolist() == [46327.0] and not bad.any()
    assert not np.isnan(values.iloc[0])


# --- snapshot order: the export's own dates, not the file's time ---------------------------------

X_HEADER = "Post id,Date,Post text,Post Link,Impressions,Likes\n"
# Export B (downloaded 10 Feb): both posts, the second with more impressions, and a post of 9 Feb.
X_NEW = X_HEADER + (
    '101,"Mon, Jan 05, 2026",first,https://x.com/a/status/101,"5,000",50\n'
    '102,"Thu, Jan 08, 2026",second,https://x.com/a/status/102,"3,000",30\n'
    '103,"Mon, Feb 09, 2026",third,https://x.com/a/status/103,900,9\n'
)
# Export A (downloaded 10 Jan, copied to the laptop on 1 Mar): the same two posts, lower counts.
X_OLD = X_HEADER + (
    '101,"Mon, Jan 05, 2026",first,https://x.com/a/status/101,"4,000",40\n'
    '102,"Thu, Jan 08, 2026",second,https://x.com/a/status/102,"1,000",10\n'
)


def touch(path: Path, when: dt.datetime) -> Path:
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def test_an_older_export_copied_later_does_not_overwrite_newer_counts(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_x="x")
    new = touch(write(tmp_path / "b/x_posts.csv", X_NEW), dt.datetime(2026, 2, 10, 9, 0))
    old = touch(write(tmp_path / "a/x_posts.csv", X_OLD), dt.datetime(2026, 3, 1, 9, 0))
    import_files([new], root, "own_x")
    [outcome] = import_files([old], root, "own_x").files
    counts = outcome.counts["posts"]
    # A's last post is 8 Jan, B's 9 Feb: A is the older snapshot, its 2 posts are kept as stored
    assert (counts.added, counts.updated, counts.skipped_older) == (0, 0, 2)
    posts = Store.open(root).read("posts").set_index("post_id")
    assert posts.loc["101", "impressions"] == 5000 and posts.loc["102", "likes"] == 30
    assert any("snapshot 2026-01-08" in note and "the export's last date" in note for note in outcome.notes)


def test_lifetime_counts_going_down_are_warned(tmp_path: Path) -> None:
    # the same posts in both exports (same last date), the older one merged last: its counts would
    # win the tie, so the report warns, naming post 102's impressions 3,000 → 1,000
    root = make_store(tmp_path, own_x="x")
    same_range = "".join(X_NEW.splitlines(keepends=True)[:3])   # B without its post of 9 Feb
    import_files([write(tmp_path / "b/x_posts.csv", same_range)], root, "own_x")
    [outcome] = import_files([write(tmp_path / "a/x_posts.csv", X_OLD)], root, "own_x").files
    [warning] = [n for n in outcome.notes if "WARNING" in n]
    assert "2 post(s) would have lifetime counts go down" in warning
    assert "post 101 impressions 5,000 → 4,000" in warning and "--as-of" in warning
    log = Store.open(root).log()
    assert log["notes"].str.contains("lifetime counts go down").any()


def test_as_of_still_decides(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_x="x")
    import_files([write(tmp_path / "b/x_posts.csv", X_NEW)], root, "own_x", as_of=dt.datetime(2026, 2, 10))
    [outcome] = import_files([write(tmp_path / "a/x_posts.csv", X_OLD)], root, "own_x",
                             as_of=dt.datetime(2026, 3, 1)).files
    assert outcome.counts["posts"].updated == 2    # told it is newer: it wins, but says the counts drop
    assert any("lifetime counts go down" in n for n in outcome.notes)


# --- totals rows in daily files, X entities ---------------------------------------------------------

def test_totals_rows_in_a_daily_file_are_dropped_with_a_log_line(tmp_path: Path) -> None:
    path = write(tmp_path / "用户增长.csv", "时间,新关注人数,取消关注人数,净增关注人数,累积关注人数\n"
                 "合计,30,5,25,-\n2025-11-01,10,2,8,1008\n2025-11-02,20,3,17,1025\nTotal,30,5,25,\n")
    result = mapped(path, "wechat")
    assert days(result.rows["date"]) == ["2025-11-01", "2025-11-02"]
    assert result.rows["followers_gained"].tolist() == [10.0, 20.0]
    assert len(result.skipped) == 2
    assert "line 2: a totals row ('合计 30 5 25 -')" in result.skipped[0]
    assert "line 5: a totals row" in result.skipped[1]


def test_x_titles_are_html_unescaped(tmp_path: Path) -> None:
    path = write(tmp_path / "x_posts.csv", X_HEADER + '101,"Mon, Jan 05, 2026",Q&amp;A: tips &lt;3 &quot;ok&quot; '
                 "#a&amp;b,https://x.com/a/status/101,10,1\n")
    rows = mapped(path, "x").rows
    assert rows["title"].tolist() == ['Q&A: tips <3 "ok" #a&b']


# --- columns that were dropped or refused ------------------------------------------------------------

def test_meta_2025_viewers_daily_file_is_reach(tmp_path: Path) -> None:
    text = ('sep=,\n"Facebook Page viewers"\n"Date","Primary"\n'
            '"2025-11-01T00:00:00","1,234"\n"2025-11-02T00:00:00","980"\n')
    path = tmp_path / "viewers.csv"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    rows = mapped(path, "facebook").rows
    assert rows["reach"].tolist() == [1234.0, 980.0]
    assert days(rows["date"]) == ["2025-11-01", "2025-11-02"]


def test_meta_2025_posts_viewers_column_is_reach(tmp_path: Path) -> None:
    path = write(tmp_path / "ig.csv", "Post ID,Account username,Publish time,Description,Post type,Views,Viewers,"
                 "Likes\n17900000000000001,acme,11/01/2025 08:15,hello,IG image,500,320,40\n")
    rows = mapped(path, "instagram").rows
    assert rows["reach"].tolist() == [320.0] and rows["views"].tolist() == [500.0]


def test_tiktok_content_favorites_watch_time_and_full_views_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path / "Content.csv", "Video title,Video link,Post time,Total likes,Total comments,"
                 "Total shares,Total views,Add to favorites,Average watch time,Watched full video\n"
                 "a,https://www.tiktok.com/@acme/video/7301234567890123456,2026-01-05 10:00,10,1,1,200,7,"
                 "10.3,34.62%\n")
    result = mapped(path, "tiktok")
    rows = result.rows
    assert rows["saves"].tolist() == [7.0]
    assert rows["avg_watch_s"].tolist() == [10.3]
    assert rows["completion_rate"].tolist() == [pytest.approx(0.3462)]
    assert not any("no place" in note for note in result.notes)


WECHAT_HEADER = "标题,发表时间,阅读人数,阅读次数,内容url\n"
WECHAT_URL = "https://mp.weixin.qq.com/s?__biz=MzA5NTQ&mid=2247565667&idx=2&sn=61d0fa01"


def test_wechat_content_url_is_the_link_and_the_post_id(tmp_path: Path) -> None:
    first = mapped(write(tmp_path / "a.csv", WECHAT_HEADER + f"旧标题,2025-11-01 08:00,100,120,{WECHAT_URL}\n"),
                   "wechat").rows
    retitled = mapped(write(tmp_path / "b.csv", WECHAT_HEADER + f"新标题,2025-11-01 08:00,150,180,{WECHAT_URL}\n"),
                      "wechat").rows
    assert first["link"].tolist() == [WECHAT_URL]
    # mid 2247565667, idx 2 (the 2nd article of that send): the same post after the retitle
    assert first["post_id"].tolist() == ["wx-2247565667-2"] == retitled["post_id"].tolist()


# --- translated headers ---------------------------------------------------------------------------

@pytest.mark.parametrize(("header", "language"), [
    ("Fecha,Visualizaciones de video,Visualizaciones del perfil,Me gusta,Comentarios,Compartidos", "Spanish"),
    ("Data,Visualizações do vídeo,Visualizações do perfil,Curtidas,Comentários,Compartilhamentos", "Portuguese"),
])
def test_translated_headers_are_named_as_unsupported(tmp_path: Path, header: str, language: str) -> None:
    path = write(tmp_path / "Overview.csv", header + "\n2025-11-03,1204,56,301,12,4\n")
    with pytest.raises(ImportFileError, match=rf"Overview\.csv: headers in {language} are not supported yet .*"
                                              r"export in English or Chinese") as caught:
        mapped(path, "tiktok")
    assert "closest known export" not in str(caught.value)


def test_english_headers_of_no_kind_still_get_the_closest_kind(tmp_path: Path) -> None:
    path = write(tmp_path / "other.csv", "Date,Interactions,Something\n2025-11-03,1,2\n")
    with pytest.raises(ImportFileError, match="closest known export"):
        mapped(path, "tiktok")
