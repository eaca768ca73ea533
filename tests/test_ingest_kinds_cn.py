"""The Chinese export kinds (helpers.ingest.kinds: wechat, douyin, xiaohongshu): each hand-made fixture read,
recognised and mapped.

Fixtures: tests/fixtures/exports/cn/ (written by make_fixtures.py there). Every expected frame is
written out by hand; derived post ids are computed here from the written-out key string.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.ingest.kinds import KINDS_CN, KINDS_INTL, wechat
from helpers.ingest.kinds.cn_common import post_id_for
from helpers.ingest.mapping import detect, map_grid
from helpers.ingest.read import read_grids
from helpers.ingest.types import KINDS, Grid, ImportFileError, Mapped
from ingest_expected import context, expected

CN = Path(__file__).parent / "fixtures" / "exports" / "cn"
NA = np.nan



def pid(prefix: str, key: str) -> str:
    """The documented derived id: prefix + 16 hex chars of sha1("account|YYYY-MM-DD HH:MM|title")."""
    return prefix + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]



def import_file(name: str, platform: str) -> tuple[Grid, Mapped]:
    """read_grids → detect among every registered kind (no forcing) → map_grid."""
    grids = read_grids(CN / name)
    assert len(grids) == 1
    grid = grids[0]
    detection = detect(grid)
    return grid, map_grid(grid, detection, context(platform))


def test_kinds_are_registered_with_their_tables() -> None:
    tables = {name: (KINDS[name].table, KINDS[name].platforms) for name in
              ("wechat_articles", "wechat_users", "douyin_works", "xiaohongshu_notes")}
    assert tables == {
        "wechat_articles": ("posts", ("wechat",)),
        "wechat_users": ("account_daily", ("wechat",)),
        "douyin_works": ("posts", ("douyin",)),
        "xiaohongshu_notes": ("posts", ("xiaohongshu",)),
    }
    assert wechat.WECHAT_ARTICLES is KINDS["wechat_articles"]


def test_registry_order_is_the_international_kinds_then_the_chinese_ones() -> None:
    """Detection tries kinds in registry order: one order, fixed in helpers.ingest.kinds, written out here."""
    assert [k.name for k in KINDS_CN] == ["wechat_articles", "wechat_users", "douyin_works", "xiaohongshu_notes"]
    assert list(KINDS)[:19] == [
        "x_posts", "x_posts_legacy", "x_account_overview", "instagram_posts", "facebook_posts",
        "meta_daily_metric", "tiktok_overview", "tiktok_follower_history", "tiktok_follower_activity",
        "tiktok_follower_gender", "tiktok_follower_territories", "tiktok_content", "youtube_table_data",
        "linkedin_page_metrics", "linkedin_posts", "wechat_articles", "wechat_users", "douyin_works",
        "xiaohongshu_notes",
    ]
    assert all(KINDS[k.name] is k for k in (*KINDS_INTL, *KINDS_CN))


def test_wechat_articles_gb18030_csv() -> None:
    grid, mapped = import_file("wechat_articles.csv", "wechat")
    assert grid.encoding == "gb18030"
    assert (mapped.kind, mapped.table, mapped.header_line) == ("wechat_articles", "posts", 1)
    want = expected({
        "post_id": [pid("wx-", "acc1|2025-11-01 20:15|秋冬换季护肤指南 #护肤#"),
                    pid("wx-", "acc1|2025-11-03 08:30|成分党必看：烟酰胺怎么用"),
                    pid("wx-", "acc1|2025-11-05 00:00|双十一囤货清单 #好物推荐 #双十一")],
        "account_id": ["acc1"] * 3,
        "published_at": ["2025-11-01 20:15", "2025-11-03 08:30", "2025-11-05 00:00"],
        "format": ["article"] * 3,
        "pillar": [None] * 3,
        "title": ["秋冬换季护肤指南 #护肤#", "成分党必看：烟酰胺怎么用", "双十一囤货清单 #好物推荐 #双十一"],
        "topics": ["护肤", None, "好物推荐;双十一"],
        "paid": [False] * 3,
        "reach": [3456.0, 2010.0, 5600.0],                 # 阅读人数
        "views": [4102.0, 2388.0, 6120.0],                 # 阅读次数
        "shares_users": [120.0, NA, 210.0],                # 分享人数, "-" → missing
        "shares": [156.0, 40.0, 260.0],                    # 分享次数
        "saves": [88.0, 21.0, 150.0],
        "clicks": [35.0, NA, 70.0],                        # 阅读原文人数
        "wow_count": [12.0, 5.0, 22.0],                    # 在看
        "likes": [64.0, 18.0, 95.0],
        "impressions": [12400.0, 12000.0, 34000.0],        # 送达人数: "12,400", "1.2万", "3.4w"
        "completion_rate": [0.452, NA, 0.38],              # 完读率 "45.2%"
    })
    pd.testing.assert_frame_equal(mapped.rows, want)
    assert mapped.skipped == ["wechat_articles.csv line 5: no publish time, so no post id — row skipped (合计)"]


def test_wechat_users_xls() -> None:
    grid, mapped = import_file("wechat_users.xls", "wechat")
    assert grid.encoding == "xls"
    assert (mapped.kind, mapped.table) == ("wechat_users", "account_daily")
    want = expected({
        "account_id": ["acc1"] * 4,
        "date": ["2025-11-01", "2025-11-02", "2025-11-03", "2025-11-04"],
        "followers_gained": [120.0, 98.0, 40.0, 12000.0],
        "followers_lost": [15.0, 30.0, 52.0, 200.0],
        "followers_net": [105.0, 68.0, -12.0, 11800.0],
        "followers": [10105.0, 10173.0, 10161.0, NA],
    })
    pd.testing.assert_frame_equal(mapped.rows, want)
    assert mapped.skipped == []


def test_douyin_works_xlsx_with_title_row() -> None:
    grid, mapped = import_file("douyin_works.xlsx", "douyin")
    assert grid.encoding == "xlsx" and grid.rows[0] == ("作品数据 2025-10-01 至 2025-10-31",)
    assert (mapped.kind, mapped.header_line) == ("douyin_works", 2)
    titles = ["三分钟学会早C晚A #护肤教程 #早C晚A", "秋冬面霜横评", "直播回放：双十一福利", "#防晒#夏天也要涂吗"]
    want = expected({
        "post_id": [pid("dy-", "acc1|2025-10-03 19:30|三分钟学会早C晚A #护肤教程 #早C晚A"),
                    pid("dy-", "acc1|2025-10-10 12:00|秋冬面霜横评"),
                    pid("dy-", "acc1|2025-10-20 20:00|直播回放：双十一福利"),
                    pid("dy-", "acc1|2025-10-25 08:05|#防晒#夏天也要涂吗")],
        "account_id": ["acc1"] * 4,
        "published_at": ["2025-10-03 19:30", "2025-10-10 12:00", "2025-10-20 20:00", "2025-10-25 08:05"],
        "format": ["short_video", "carousel", "live", "short_video"],   # 视频, 图文, 直播, 视频
        "pillar": [None] * 4,
        "title": titles,
        "topics": ["护肤教程;早C晚A", None, None, "防晒"],
        "paid": [False] * 4,
        "views": [12000.0, 34000.0, 12400.0, 8900.0],      # "1.2万", "3.4w", "12,400", "8,900"
        "completion_rate": [0.052, NA, 0.021, 0.125],
        "completion_rate_5s": [0.385, NA, 0.2, 0.451],
        "avg_watch_s": [12.3, NA, 12.0, 83.0],              # "12.3秒", "-", "00:00:12", "1分23秒"
        "likes": [860.0, 1204.0, 150.0, 430.0],             # 860 is a numeric Excel cell
        "comments": [45.0, 88.0, 20.0, NA],
        "shares": [30.0, 56.0, 5.0, 12.0],
        "saves": [120.0, 300.0, 8.0, 60.0],
        "profile_visits": [210.0, 402.0, 96.0, 80.0],
        "follows": [35.0, 60.0, 12.0, NA],
    })
    pd.testing.assert_frame_equal(mapped.rows, want)
    assert mapped.skipped == []


def test_xiaohongshu_notes_bom_csv_with_title_row() -> None:
    grid, mapped = import_file("xiaohongshu_notes.csv", "xiaohongshu")
    assert grid.encoding == "utf-8-sig"
    assert (mapped.kind, mapped.header_line) == ("xiaohongshu_notes", 2)
    want = expected({
        "post_id": [pid("xhs-", "acc1|2025-10-05 21:00|秋冬干皮救星 #干皮[话题]# #面霜[话题]#"),
                    pid("xhs-", "acc1|2025-10-12 07:45|5分钟通勤妆"),
                    pid("xhs-", "acc1|2025-10-18 18:20|敏感肌修护好物分享")],
        "account_id": ["acc1"] * 3,
        "published_at": ["2025-10-05 21:00", "2025-10-12 07:45", "2025-10-18 18:20"],
        "format": ["carousel", "video", "carousel"],        # 图文, 视频, 图文
        "pillar": [None] * 3,
        "title": ["秋冬干皮救星 #干皮[话题]# #面霜[话题]#", "5分钟通勤妆", "敏感肌修护好物分享"],
        "topics": ["干皮;面霜", None, None],
        "paid": [False] * 3,
        "impressions": [23000.0, 41000.0, 9870.0],          # "2.3万", "4.1w", "9,870"
        "views": [1520.0, 3260.0, 640.0],
        "cover_ctr": [0.066, 0.08, NA],
        "likes": [210.0, 405.0, 66.0],
        "comments": [34.0, 52.0, 8.0],
        "saves": [180.0, 310.0, 70.0],
        "follows": [12.0, 40.0, NA],
        "shares": [15.0, 28.0, 3.0],
        "avg_watch_s": [NA, 12.0, 83.0],                   # "-", "00:00:12", "1分23秒"
    })
    pd.testing.assert_frame_equal(mapped.rows, want)


@pytest.mark.parametrize(("name", "platform"), [
    ("wechat_articles.csv", "wechat"), ("wechat_users.xls", "wechat"),
    ("douyin_works.xlsx", "douyin"), ("xiaohongshu_notes.csv", "xiaohongshu"),
])
def test_pipeline_schema_check_accepts_the_rows(name: str, platform: str) -> None:
    from helpers.ingest.pipeline import map_file

    account = pd.Series({"account_id": "acc1", "platform": platform, "timezone": "Asia/Shanghai"})
    mapped = map_file(CN / name, account, reference=dt.date(2026, 1, 10))
    assert len(mapped) == 1 and len(mapped[0].rows) >= 3


def _grid(rows: list[list[str]], name: str = "作品数据.csv") -> Grid:
    return Grid(path=Path(name), rows=tuple(tuple(r) for r in rows),
                line_numbers=tuple(range(1, len(rows) + 1)), encoding="utf-8", delimiter=",")


DOUYIN_HEADER = ["作品名称", "发布时间", "体裁", "播放量", "点赞量"]


def test_same_title_and_minute_twice_names_both_lines() -> None:
    grid = _grid([DOUYIN_HEADER,
                  ["同一个作品", "2025-10-03 19:30", "视频", "100", "1"],
                  ["另一个作品", "2025-10-04 19:30", "视频", "100", "1"],
                  ["同一个作品", "2025-10-03 19:30:45", "视频", "200", "2"]])
    detection = detect(grid)
    assert detection.kind.name == "douyin_works"
    with pytest.raises(ImportFileError, match=r"作品数据\.csv: lines 2 and 4 are the same post"):
        map_grid(grid, detection, context("douyin"))


def test_unknown_douyin_format_names_value_and_line() -> None:
    grid = _grid([DOUYIN_HEADER,
                  ["作品一", "2025-10-03 19:30", "视频", "100", "1"],
                  ["作品二", "2025-10-04 19:30", "合集", "100", "1"]])
    with pytest.raises(ImportFileError, match=r"line 3: unknown 体裁 '合集' for douyin"):
        map_grid(grid, detect(grid), context("douyin"))


def test_format_defaults_when_the_label_is_blank_or_absent() -> None:
    blank = _grid([DOUYIN_HEADER, ["作品一", "2025-10-03 19:30", "", "100", "1"],
                   ["作品二", "2025-10-04 19:30", "short_video", "100", "1"]])
    rows = map_grid(blank, detect(blank), context("douyin")).rows
    assert list(rows["format"]) == ["short_video", "short_video"]
    absent = _grid([["笔记标题", "首次发布时间", "观看量"], ["笔记一", "2025-10-03 19:30", "1,000"]], "笔记.csv")
    detection = detect(absent)
    assert detection.kind.name == "xiaohongshu_notes"
    assert list(map_grid(absent, detection, context("xiaohongshu")).rows["format"]) == ["carousel"]


def test_retitling_makes_a_new_post() -> None:
    """Documented: the id is account + publish minute + title, so a new title is a new id."""
    when = pd.Timestamp("2025-10-03 19:30:59")
    assert post_id_for("dy-", "acc1", when, "旧标题") == pid("dy-", "acc1|2025-10-03 19:30|旧标题")
    assert post_id_for("dy-", "acc1", when, "旧标题") != post_id_for("dy-", "acc1", when, "新标题")


def test_committed_fixtures_match_their_generator(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_cn_fixtures", CN / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    writers = {"wechat_articles.csv": module.write_wechat_articles, "wechat_users.xls": module.write_wechat_users,
               "douyin_works.xlsx": module.write_douyin_works,
               "xiaohongshu_notes.csv": module.write_xiaohongshu_notes}
    for name, write in writers.items():
        write(tmp_path / name)
        fresh, kept = read_grids(tmp_path / name), read_grids(CN / name)
        assert [(g.rows, g.line_numbers, g.encoding) for g in fresh] == \
            [(g.rows, g.line_numbers, g.encoding) for g in kept], name


def test_post_ids_of_a_whole_frame_are_the_per_row_ids() -> None:
    """derive_post_ids hashes prepared columns at once; the ids must stay those of post_id_for row by row
    (the per-row reference below is the code before issue 22): re-imports match the posts already stored."""
    from helpers.ingest.kinds.cn_common import _id_part, post_ids_for

    def reference(prefix: str, account: str, *parts: object) -> str:
        key = "|".join([account, *(_id_part(p) for p in parts)])
        return prefix + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

    times = pd.Series(pd.to_datetime(["2025-10-03 19:30:59", None, "2024-02-29 00:00:00", "1999-12-31 23:59:00.5"],
                                     format="ISO8601"))
    aware = times.dt.tz_localize("Asia/Shanghai")
    titles = pd.Series(["旧标题", None, "a|b #话题#", ""], dtype="string")
    mixed = pd.Series([dt.datetime(2025, 1, 2, 3, 4, 5), float("nan"), 12, "x"], dtype=object)
    for columns in ([times, titles], [aware, titles], [mixed, titles], [titles, None], [None, times]):
        got = post_ids_for("dy-", "acc1", columns, 4)
        rows = zip(*[[None] * 4 if c is None else c.tolist() for c in columns], strict=True)
        assert got == [reference("dy-", "acc1", *values) for values in rows]
    assert post_ids_for("dy-", "acc1", [times.iloc[:0], titles.iloc[:0]], 0) == []
    assert post_ids_for("wx-", "a", [], 2) == [reference("wx-", "a")] * 2


def test_totals_labels_are_found_as_by_normalising_every_cell() -> None:
    """Plain date cells skip the normalisation; every other cell is judged exactly as before."""
    from helpers.ingest.mapping import TOTAL_LABELS, _is_total_label, normalise_header

    cells = ["合计", " Total ", "TOTALS", "总 计", "Ｔｏｔａｌ", "Grand-total", "2024-01-01 08:00", "2024/1/1", "",
             "12:30", "20240101T0800", "1.5", "-", "合计:", "total 2024", "sum.", "01-Total", "合計値"]
    assert [_is_total_label(c) for c in cells] == [normalise_header(c) in TOTAL_LABELS for c in cells]
    assert sum(_is_total_label(c) for c in cells) == 9   # all but the dates, numbers, "-" and the three mixed ones
