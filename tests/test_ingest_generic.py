"""The YAML column-mapping importer (helpers.ingest.generic): good mappings mapped by hand, bad ones refused.

Fixtures: tests/fixtures/exports/generic/ — bilibili_mapping.yaml (the documented example) with
bilibili_videos.csv, zhihu_mapping.yaml (post_id_from, values) with zhihu_content.csv, and
weibo_fans_mapping.yaml (account_daily, header_row) with weibo_fans.csv.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.errors import ParameterError
from helpers.ingest.generic import MappingError, default_parse, load_mapping, restrict_to_header_row
from helpers.ingest.mapping import detect, map_grid
from helpers.ingest.read import read_grids
from helpers.ingest.types import KINDS, Grid, ImportFileError, Mapped
from ingest_expected import context, expected

GENERIC = Path(__file__).parent / "fixtures" / "exports" / "generic"
NA = np.nan




def run(export: str, mapping: str, platform: str) -> Mapped:
    """load_mapping → read_grids → restrict_to_header_row → detect(kinds=[kind]) → map_grid."""
    kind = load_mapping(GENERIC / mapping)
    grid = restrict_to_header_row(read_grids(GENERIC / export)[0], kind)
    return map_grid(grid, detect(grid, kinds=[kind]), context(platform))


def test_bilibili_mapping() -> None:
    kind = load_mapping(GENERIC / "bilibili_mapping.yaml")
    assert (kind.name, kind.table, kind.platforms) == ("bilibili_videos", "posts", ("bilibili",))
    assert kind.columns["likes"] == ("点赞", "点赞数")
    assert set(kind.required) == set(kind.columns)
    assert kind.name not in KINDS                     # a user's mapping is never registered
    mapped = run("bilibili_videos.csv", "bilibili_mapping.yaml", "bilibili")
    want = expected({
        "post_id": ["BV1xK4y1a7Yz", "BV1Gb411c7Hd", "BV17x411w7KC"],
        "account_id": ["acc1"] * 3,
        "published_at": ["2025-11-02 18:00", "2025-11-06 12:30", "2025-11-11 20:00"],
        "format": ["video"] * 3,
        "pillar": [None] * 3,
        "title": ["【教程】三步学会早C晚A #护肤教程", "秋冬面霜横评", "双十一开箱 #好物推荐# #开箱"],
        "topics": ["护肤教程", None, "好物推荐;开箱"],
        "paid": [False] * 3,
        "views": [12400.0, 34000.0, 8900.0],              # "12,400", "3.4w", "8900"
        "likes": [12000.0, NA, 640.0],                    # from 点赞数 (the alternative): "1.2万", "-"
        "comments": [356.0, 210.0, 52.0],
        "shares": [88.0, NA, 31.0],
        "saves": [920.0, 1500.0, 300.0],
        "completion_rate": [0.315, NA, 0.22],            # "31.5%", "-", "22.0%"
        "avg_watch_s": [83.0, 125.0, 95.0],               # "1分23秒", "00:02:05", "95"
        "coins": [1204.0, 800.0, 150.0],                  # extra, parse: count
        "danmaku_count": [230.0, NA, 45.0],               # extra, count by its *_count name
    })
    pd.testing.assert_frame_equal(mapped.rows, want)
    assert (mapped.kind, mapped.table, mapped.skipped) == ("bilibili_videos", "posts", [])


def test_zhihu_mapping_derives_post_ids_and_translates_formats() -> None:
    mapped = run("zhihu_content.csv", "zhihu_mapping.yaml", "zhihu")

    def pid(key: str) -> str:
        return "zhihu-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

    want = expected({
        "post_id": [pid("acc1|2025-11-01 09:00|如何科学护肤？"), pid("acc1|2025-11-04 21:30|烟酰胺使用指南 #成分党"),
                    pid("acc1|2025-11-08 10:15|面霜怎么选")],
        "account_id": ["acc1"] * 3,
        "published_at": ["2025-11-01 09:00", "2025-11-04 21:30", "2025-11-08 10:15"],
        "format": ["text", "article", "video"],           # 回答, 文章, 视频 via values:
        "pillar": [None] * 3,
        "title": ["如何科学护肤？", "烟酰胺使用指南 #成分党", "面霜怎么选"],
        "topics": [None, "成分党", None],
        "paid": [False] * 3,
        "views": [1502.0, 21000.0, 980.0],
        "likes": [88.0, 1200.0, 45.0],                    # "1.2k"
        "comments": [12.0, NA, 3.0],
        "saves": [40.0, 310.0, 22.0],
    })
    pd.testing.assert_frame_equal(mapped.rows, want)


def test_weibo_daily_mapping_with_header_row() -> None:
    kind = load_mapping(GENERIC / "weibo_fans_mapping.yaml")
    assert kind.header_row == 3
    grid = read_grids(GENERIC / "weibo_fans.csv")[0]
    cut = restrict_to_header_row(grid, kind)
    assert cut.line_numbers[0] == 3 and cut.rows[0][0] == "日期"
    mapped = run("weibo_fans.csv", "weibo_fans_mapping.yaml", "weibo")
    want = expected({
        "account_id": ["acc1"] * 3,
        "date": ["2025-11-01", "2025-11-02", "2025-11-03"],
        "followers": [52310.0, 52400.0, NA],              # "52,310", "5.24万", "-"
        "followers_gained": [320.0, 180.0, 60.0],
        "followers_lost": [45.0, 90.0, 75.0],
        "followers_net": [275.0, 90.0, -15.0],            # number: may be negative
    })
    pd.testing.assert_frame_equal(mapped.rows, want)
    assert mapped.header_line == 3


def test_the_docstring_example_is_a_valid_mapping(tmp_path: Path) -> None:
    import textwrap

    from helpers.ingest import generic

    doc = generic.__doc__ or ""
    block = doc.split("::\n\n", 1)[1].split("\nand, for other exports", 1)[0]
    (tmp_path / "doc.yaml").write_text(textwrap.dedent(block), encoding="utf-8")
    kind = load_mapping(tmp_path / "doc.yaml")
    assert (kind.name, kind.constants) == ("bilibili_videos", {"format": "video", "paid": False})
    grid = read_grids(GENERIC / "bilibili_videos.csv")[0]
    assert len(map_grid(grid, detect(grid, kinds=[kind]), context("bilibili")).rows) == 3


def test_wrong_header_row_is_caught_by_the_finish_step(tmp_path: Path) -> None:
    text = (GENERIC / "weibo_fans_mapping.yaml").read_text(encoding="utf-8").replace("header_row: 3", "header_row: 2")
    (tmp_path / "weibo.yaml").write_text(text, encoding="utf-8")
    kind = load_mapping(tmp_path / "weibo.yaml")
    grid = read_grids(GENERIC / "weibo_fans.csv")[0]
    for candidate in (grid, restrict_to_header_row(grid, kind)):   # with or without the cut
        with pytest.raises(ImportFileError, match=r"says the header is on row 2, and that row lacks the headers"):
            map_grid(candidate, detect(candidate, kinds=[kind]), context("weibo"))
    far = dataclasses.replace(kind, header_row=40)
    with pytest.raises(ImportFileError, match=r"header is on row 40, but that row is empty or the file is shorter"):
        restrict_to_header_row(grid, far)


def test_a_mapped_column_missing_from_the_file_means_not_recognised() -> None:
    kind = load_mapping(GENERIC / "bilibili_mapping.yaml")
    grid = read_grids(GENERIC / "zhihu_content.csv")[0]
    with pytest.raises(ImportFileError, match=r"视频BV号"):
        detect(grid, kinds=[kind])


def test_platform_of_the_mapping_must_match_the_account() -> None:
    kind = load_mapping(GENERIC / "bilibili_mapping.yaml")
    grid = read_grids(GENERIC / "bilibili_videos.csv")[0]
    with pytest.raises(MappingError, match=r"bilibili_mapping.yaml is for bilibili exports, but account acc1 "
                                           r"is a douyin account"):
        map_grid(grid, detect(grid, kinds=[kind]), context("douyin"))


def _grid(rows: list[list[str]]) -> Grid:
    return Grid(path=Path("export.csv"), rows=tuple(tuple(r) for r in rows),
                line_numbers=tuple(range(1, len(rows) + 1)), encoding="utf-8", delimiter=",")


def test_duplicate_post_id_and_bad_format_label(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("table: posts\ncolumns: {post_id: ID, published_at: 时间, format: 类型}\n"
                                     "values: {format: {视频: video}}\n", encoding="utf-8")
    kind = load_mapping(tmp_path / "m.yaml")
    dup = _grid([["ID", "时间", "类型"], ["a1", "2025-11-01", "视频"], ["a2", "2025-11-02", "视频"],
                 ["a1", "2025-11-03", "视频"]])
    with pytest.raises(ImportFileError, match=r"export.csv: lines 2 and 4 have the same post id 'a1'"):
        map_grid(dup, detect(dup, kinds=[kind]), context("bilibili"))
    label = _grid([["ID", "时间", "类型"], ["a1", "2025-11-01", "视频"], ["a2", "2025-11-02", "专栏"]])
    with pytest.raises(ImportFileError, match=r"line 3: format '专栏' is not a post format"):
        map_grid(label, detect(label, kinds=[kind]), context("bilibili"))
    gap = _grid([["ID", "时间", "类型"], ["a1", "2025-11-01", "视频"], ["", "2025-11-02", "视频"]])
    mapped = map_grid(gap, detect(gap, kinds=[kind]), context("bilibili"))
    assert list(mapped.rows["post_id"]) == ["a1"]
    assert mapped.skipped == ["export.csv line 3: no post_id — row skipped"]


def test_paid_column_is_read_as_yes_no(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("table: posts\ncolumns: {post_id: ID, published_at: 时间, paid: 推广}\n"
                                     "values: {paid: {有: true}}\nconstants: {format: video}\n", encoding="utf-8")
    kind = load_mapping(tmp_path / "m.yaml")
    grid = _grid([["ID", "时间", "推广"], ["a", "2025-11-01", "有"], ["b", "2025-11-02", "否"],
                  ["c", "2025-11-03", "-"], ["d", "2025-11-04", "TRUE"]])
    assert list(map_grid(grid, detect(grid, kinds=[kind]), context("weibo")).rows["paid"]) == [True, False, False, True]
    odd = _grid([["ID", "时间", "推广"], ["a", "2025-11-01", "也许"]])
    with pytest.raises(ImportFileError, match=r"line 2: paid '也许' is not yes/no"):
        map_grid(odd, detect(odd, kinds=[kind]), context("weibo"))


@pytest.mark.parametrize(("column", "kind"), [
    ("published_at", "datetime"), ("first_seen_at", "datetime"), ("date", "date"), ("views", "count"),
    ("followers_gained", "count"), ("danmaku_count", "count"), ("read_original_users", "count"),
    ("followers_net", "number"), ("revenue", "number"), ("completion_rate", "rate"), ("cover_ctr", "rate"),
    ("avg_watch_s", "duration"), ("watch_time_hours", "hours"), ("title", "text"), ("coins", "text"),
])
def test_default_parse_by_column_name(column: str, kind: str) -> None:
    assert default_parse(column) == kind


GOOD_POSTS = ("table: posts\ncolumns:\n  post_id: ID\n  published_at: 发布时间\n  views: 播放\n"
              "constants:\n  format: video\n")

BAD_MAPPINGS = [
    ("syntax", "table: posts\ncolumns:\n  views: [播放\n  likes: 点赞\n",
     "bad.yaml: line 4, column 8: YAML syntax error: expected ',' or ']', but got ':' "
     "(while parsing a flow sequence started on line 3)"),
    ("duplicate key", GOOD_POSTS + "columns:\n  likes: 点赞\n",
     "bad.yaml: line 8, column 1: duplicate key 'columns' (first on line 2); keep one"),
    ("empty file", "", "bad.yaml: the file is empty"),
    ("not a mapping", "- table\n- posts\n", "bad.yaml: expected 'key: value' lines"),
    ("unknown top key", GOOD_POSTS + "colums: {}\n", "bad.yaml: unknown key(s) colums"),
    ("no table", "columns: {date: 日期}\n", "bad.yaml: key table is missing"),
    ("unknown table", GOOD_POSTS.replace("table: posts", "table: videos"),
     "bad.yaml: key table: unknown table 'videos' (one of posts, account_daily, follower_activity, "
     "follower_demographics, comments, kols, kol_posts, kol_daily, kol_audience, kol_followers)"),
    ("no columns", "table: posts\n", "bad.yaml: key columns is missing"),
    ("columns not a mapping", "table: posts\ncolumns: [a, b]\n", "bad.yaml: key columns: expected"),
    ("not snake_case", GOOD_POSTS.replace("  views: 播放\n", "  views: 播放\n  Views: 播放量\n"),
     "bad.yaml: key columns.Views: output columns are snake_case names"),
    ("account_id", GOOD_POSTS.replace("  views: 播放\n", "  views: 播放\n  account_id: 账号\n"),
     "bad.yaml: key columns.account_id: account_id comes from the account"),
    ("posts column in account_daily", "table: account_daily\ncolumns: {date: 日期, post_id: ID}\n",
     "bad.yaml: key columns.post_id: post_id is a posts column, not allowed in a account_daily mapping"),
    ("date in posts", GOOD_POSTS.replace("  views: 播放\n", "  date: 日期\n"),
     "bad.yaml: key columns.date: posts have no date column; map the publish time to published_at"),
    ("posts without id", GOOD_POSTS.replace("  post_id: ID\n", ""),
     "bad.yaml: key columns: posts need post_id — map the export's post id column, or derive one with "
     "post_id_from: [published_at, title]"),
    ("posts without time", GOOD_POSTS.replace("  published_at: 发布时间\n", ""),
     "bad.yaml: key columns: posts need published_at"),
    ("posts without format", GOOD_POSTS.replace("constants:\n  format: video\n", ""),
     "bad.yaml: key columns: posts need format"),
    ("daily without date", "table: account_daily\ncolumns: {followers: 粉丝数}\n",
     "bad.yaml: key columns: account_daily needs date"),
    ("activity without hour", "table: follower_activity\ncolumns: {date: 日期, active_followers: 活跃粉丝}\n",
     "bad.yaml: key columns: follower_activity needs hour"),
    ("unknown value kind", GOOD_POSTS + "parse: {views: integer}\n",
     "bad.yaml: key parse.views: unknown value kind 'integer' (one of text, count, number, rate, percent, "
     "duration, hours, datetime, date)"),
    ("parse of an unmapped column", GOOD_POSTS + "parse: {likes: count}\n",
     "bad.yaml: key parse.likes: not a mapped column"),
    ("constant and column", GOOD_POSTS + "  views: 1\n",
     "bad.yaml: key constants.views: views is also mapped under columns; keep one"),
    ("constant not a scalar", GOOD_POSTS + "  pillar: [a, b]\n",
     "bad.yaml: key constants.pillar: expected one value"),
    ("format constant", GOOD_POSTS.replace("format: video", "format: vlog"),
     "bad.yaml: key constants.format: 'vlog' is not a post format"),
    ("paid constant", GOOD_POSTS + "  paid: sometimes\n", "bad.yaml: key constants.paid: expected true or false"),
    ("header_row zero", GOOD_POSTS + "header_row: 0\n", "bad.yaml: key header_row: expected a row number from 1"),
    ("header_row text", GOOD_POSTS + "header_row: third\n", "bad.yaml: key header_row: expected a row number"),
    ("unknown platform", GOOD_POSTS + "platform: bili\n", "bad.yaml: key platform: unknown platform 'bili'"),
    ("empty header", GOOD_POSTS.replace("views: 播放", "views: ''"),
     "bad.yaml: key columns.views: empty source header"),
    ("header not text", GOOD_POSTS.replace("views: 播放", "views: {a: b}"),
     "bad.yaml: key columns.views: a source header must be text"),
    ("post_id_from and post_id", GOOD_POSTS + "post_id_from: [published_at]\n",
     "bad.yaml: key post_id_from: post_id is already mapped under columns; keep one"),
    ("post_id_from unmapped", GOOD_POSTS.replace("  post_id: ID\n", "") + "post_id_from: [published_at, title]\n",
     "bad.yaml: key post_id_from: expected mapped columns"),
    ("post_id_from elsewhere", "table: account_daily\ncolumns: {date: 日期}\npost_id_from: [date]\n",
     "bad.yaml: key post_id_from: only for table: posts"),
    ("values of a count", GOOD_POSTS + "values: {views: {很多: 1000}}\n",
     "bad.yaml: key values.views: labels can only be translated in text columns"),
    ("values to a non-format", GOOD_POSTS.replace("constants:\n  format: video\n", "  format: 类型\n")
     + "values: {format: {视频: vlog}}\n", "bad.yaml: key values.format: 视频 → vlog: not a post format"),
]


@pytest.mark.parametrize(("text", "message"), [(t, m) for _, t, m in BAD_MAPPINGS],
                         ids=[name for name, _, _ in BAD_MAPPINGS])
def test_bad_mappings_name_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    assert isinstance(info.value, ParameterError)
    assert str(info.value).startswith("mapping " + message), str(info.value)


def test_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=r"nowhere.yaml: file not found"):
        load_mapping(tmp_path / "nowhere.yaml")


def test_follower_demographics_key_may_be_a_constant(tmp_path: Path) -> None:
    (tmp_path / "gender.yaml").write_text("table: follower_demographics\ncolumns: {category: 性别, share: 占比}\n"
                                          "constants: {dimension: gender}\n", encoding="utf-8")
    kind = load_mapping(tmp_path / "gender.yaml")
    assert (kind.parse["share"], kind.constants["dimension"], kind.platforms) == ("rate", "gender", ())
    grid = _grid([["性别", "占比"], ["男", "38.5%"], ["女", "61.5%"]])
    rows = map_grid(grid, detect(grid, kinds=[kind]), context("douyin")).rows
    assert rows[["category", "share", "dimension"]].astype(object).values.tolist() == \
        [["男", 0.385, "gender"], ["女", 0.615, "gender"]]
