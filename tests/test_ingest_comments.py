"""opsbook import learns the comments table: canonical CSV, crawler comment exports and a generic mapping."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.errors import DataError
from helpers.ingest.pipeline import import_files
from helpers.ingest.store import Store
from helpers.ingest.types import KINDS
from ingest_expected import make_store

# MediaCrawler's Douyin comment columns (store/douyin: update_dy_aweme_comment), in its order.
DY_HEADER = ("comment_id,create_time,ip_location,aweme_id,content,user_id,sec_uid,short_user_id,user_unique_id,"
             "user_signature,nickname,avatar,sub_comment_count,like_count,last_modify_ts,parent_comment_id,pictures\n")
DY_ROWS = (
    # 1729512000 = 2024-10-21 12:00:00 UTC = 20:00:00 in Asia/Shanghai (UTC+8, no DST)
    "7428000000000000001,1729512000,广东,7427000000000000009,发货太慢了😡,98765,MS4wLjAB,,,,小鹿,https://a/1.jpg,2,15,"
    "1729600000000,0,\n"
    # 1729515600 = 13:00:00 UTC = 21:00:00 local; a reply to the first comment
    "7428000000000000002,1729515600,浙江,7427000000000000009,同问，我的也没到,55555,MS4wLjAC,,,,阿珍,,0,3,"
    "1729600000000,7428000000000000001,\n"
)
# MediaCrawler's Xiaohongshu comment columns (store/xhs: update_xhs_note_comment): create_time in milliseconds.
XHS_HEADER = ("comment_id,create_time,ip_location,note_id,content,user_id,nickname,avatar,sub_comment_count,"
              "pictures,parent_comment_id,last_modify_ts\n")
XHS_ROWS = "66f0a1,1729512000123,上海,66ef0001,敏感肌能用吗？,5f00aa,糖糖,,0,,,1729600000000\n"
# MediaCrawler's Weibo comment columns (store/weibo: update_weibo_note_comment).
WB_HEADER = ("comment_id,create_time,create_date_time,note_id,content,sub_comment_count,comment_like_count,"
             "last_modify_ts,ip_location,parent_comment_id,user_id,nickname,gender,profile_url,avatar\n")
WB_ROWS = "5090001,1729512000,2024-10-21 20:00:00,5089999,保湿很好，回购了,0,7,1729600000000,北京,,1001,小王,m,,\n"
# DouyinComments-style Chinese headers (comments.csv).
CN_HEADER = "评论ID,评论内容,评论图片,点赞数,评论时间,用户昵称,用户主页链接,用户抖音号,用户签名,回复总数\n"
CN_ROWS = ("7430000000000000001,物流太慢了,,1.2万,2024-10-21 20:15:30,小鹿,https://www.douyin.com/user/MS4wLjAB,"
           "xl_2024,爱护肤,3\n"
           "7430000000000000002,👍,,0,2024-10-21 20:16:00,阿珍,https://www.douyin.com/user/MS4wLjAC,az_88,,0\n")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def stored(root: Path) -> pd.DataFrame:
    frame = Store.open(root).read("comments")
    assert frame is not None
    return frame.sort_values("comment_id", ignore_index=True)


def test_comment_kinds_are_registered_for_the_comments_table() -> None:
    assert KINDS["mediacrawler_comments"].table == "comments"
    assert set(KINDS["mediacrawler_comments"].platforms) == {"douyin", "xiaohongshu", "bilibili", "weibo"}
    assert KINDS["douyin_comments_cn"].platforms == ("douyin",)


def test_mediacrawler_douyin_epoch_seconds_and_replies(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_dy="douyin")
    report = import_files([write(tmp_path, "dy_comments.csv", DY_HEADER + DY_ROWS)], root, "own_dy")
    assert report.files[0].kind == "mediacrawler_comments"
    rows = stored(root)
    assert rows["comment_id"].tolist() == ["7428000000000000001", "7428000000000000002"]
    assert pd.to_datetime(rows["created_at"]).tolist() == [pd.Timestamp("2024-10-21 20:00:00"),
                                                           pd.Timestamp("2024-10-21 21:00:00")]
    assert rows["source"].tolist() == ["comment", "reply"]
    assert pd.isna(rows.loc[0, "parent_id"]) and rows.loc[1, "parent_id"] == "7428000000000000001"
    assert rows["post_id"].tolist() == ["7427000000000000009"] * 2
    assert rows["user_id"].tolist() == ["98765", "55555"] and rows["likes"].tolist() == [15, 3]
    assert rows["text"].tolist() == ["发货太慢了😡", "同问，我的也没到"]
    assert not {"nickname", "ip_location", "avatar"} & set(rows.columns)


def test_mediacrawler_xiaohongshu_epoch_milliseconds(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_xhs="xiaohongshu")
    import_files([write(tmp_path, "xhs_comments.csv", XHS_HEADER + XHS_ROWS)], root, "own_xhs")
    row = stored(root).iloc[0]
    assert pd.Timestamp(row["created_at"]) == pd.Timestamp("2024-10-21 20:00:00.123")
    assert row["post_id"] == "66ef0001" and row["source"] == "comment" and pd.isna(row["parent_id"])


def test_mediacrawler_weibo_like_column(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_wb="weibo")
    import_files([write(tmp_path, "wb_comments.csv", WB_HEADER + WB_ROWS)], root, "own_wb")
    row = stored(root).iloc[0]
    assert row["likes"] == 7 and row["post_id"] == "5089999" and row["user_id"] == "1001"


def test_chinese_headers_datetime_text_and_user_id_not_nickname(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_dy="douyin")
    report = import_files([write(tmp_path, "comments_export.csv", CN_HEADER + CN_ROWS)], root, "own_dy")
    assert report.files[0].kind == "douyin_comments_cn"
    rows = stored(root)
    assert pd.to_datetime(rows["created_at"]).tolist() == [pd.Timestamp("2024-10-21 20:15:30"),
                                                           pd.Timestamp("2024-10-21 20:16:00")]
    assert rows["likes"].tolist() == [12_000, 0]                         # 1.2万
    assert rows["user_id"].tolist() == ["xl_2024", "az_88"]              # 用户抖音号, never 用户昵称
    assert "小鹿" not in rows.astype(str).to_numpy().ravel().tolist()
    assert rows["source"].eq("comment").all()


def test_a_comment_export_is_refused_for_an_account_on_another_platform(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_wx="wechat")
    with pytest.raises(DataError, match="wechat"):
        import_files([write(tmp_path, "dy_comments.csv", DY_HEADER + DY_ROWS)], root, "own_wx")


def test_unreadable_time_names_the_line(tmp_path: Path) -> None:
    bad = CN_ROWS.replace("2024-10-21 20:16:00", "yesterday-ish")
    root = make_store(tmp_path, own_dy="douyin")
    with pytest.raises(DataError, match=r"line\(s\) \[3\].*yesterday-ish"):
        import_files([write(tmp_path, "comments_export.csv", CN_HEADER + bad)], root, "own_dy")


def test_canonical_comments_csv(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_dy="douyin")
    text = ("comment_id,account_id,created_at,text,source,post_id,likes,replied_at,replied_by_brand,rating\n"
            "c1,own_dy,2026-10-21 20:15:00,发货太慢,comment,p1,3,2026-10-21 22:00:00,true,\n"
            "c2,own_dy,2026-10-22 09:00:00,,survey,,,,,4\n")
    report = import_files([write(tmp_path, "comments.csv", text)], root)
    assert report.files[0].kind == "canonical:comments"
    rows = stored(root)
    assert rows["comment_id"].tolist() == ["c1", "c2"] and pd.isna(rows.loc[1, "text"])
    assert rows.loc[1, "rating"] == 4 and bool(rows.loc[0, "replied_by_brand"]) is True


def test_generic_mapping_for_comments(tmp_path: Path) -> None:
    mapping = write(tmp_path, "bili.yaml", (
        "table: comments\nplatform: bilibili\ncolumns:\n  comment_id: rpid\n  text: 评论\n  created_at: ctime\n"
        "  likes: 点赞\n  user_id: mid\n  parent_id: parent\n"))
    export = write(tmp_path, "bili.csv", "rpid,评论,ctime,点赞,mid,uname,parent\n"
                                         "901,好看,1729512000,4,77,阿B,0\n902,同意,1729512060,0,78,小C,901\n")
    root = make_store(tmp_path, own_bili="bilibili")
    import_files([export], root, "own_bili", mapping=mapping)
    rows = stored(root)
    assert pd.to_datetime(rows["created_at"]).tolist() == [pd.Timestamp("2024-10-21 20:00:00"),
                                                           pd.Timestamp("2024-10-21 20:01:00")]
    assert rows["source"].tolist() == ["comment", "reply"] and rows["parent_id"].tolist()[1] == "901"
    assert "uname" not in rows.columns
