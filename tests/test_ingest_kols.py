"""KOL imports: 巨量星图 and 灰豚 达人 lists → kols, canonical KOL files and the generic mapping → the kol tables.

The files are small, shaped like the real exports (headers as in the public code cited in
helpers.ingest.kinds.kols); every expected value is written out by hand (12.3w = 123,000 ...).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import pandas as pd
import pytest

from helpers.data import DataWarning, load_tables
from helpers.ingest.kinds import KINDS_KOLS
from helpers.ingest.mapping import detect, map_grid
from helpers.ingest.pipeline import import_files
from helpers.ingest.read import read_grids
from helpers.ingest.types import ImportFileError
from ingest_expected import context, make_store

XINGTU = (
    "抖音昵称,达人类型,内容主题,星图主页链接,星图ID,粉丝（万）,1-20s视频报价,21-60s视频报价,60s+视频报价,"
    "短直种草平台裸价,性别,所在地区,博主机构\n"
    "皮肤科医生王姐,美妆-护肤,护肤、成分,https://www.xingtu.cn/ad/creator/author/douyin/6912,6912,120.5,"
    "6.5万,12万,15万,,女,广东省,某MCN\n"
    "好物种草机,美妆,种草,https://www.xingtu.cn/ad/creator/author/douyin/7001,7001,3.1,800,,1500,,女,四川省,\n"
    "无ID博主,美妆,,,,-,,,,,,,\n"
)
HUITUN_XHS = (
    "达人名称,达人官方地址,小红书号,粉丝数,地域,达人标签,图文笔记报价,视频笔记报价,签约MCN\n"
    "小鹿护肤日记,https://www.xiaohongshu.com/user/profile/5f1a2b3c4d5e6f7a8b9c0d1e,95270001,12.3w,上海,[护肤],"
    "8000,1.2万,独立达人\n"
    "成分党阿May,https://www.xiaohongshu.com/user/profile/60aa00bb11cc22dd33ee44ff,,3.5k,浙江,[美妆],,2400,\n"
)


def _mapped(tmp_path: Path, name: str, text: str, platform: str) -> tuple[str, pd.DataFrame]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    grid = read_grids(path)[0]
    found = detect(grid)
    mapped = map_grid(grid, found, context(platform))
    return found.kind.name, mapped.rows


def test_kinds_registered() -> None:
    assert [k.name for k in KINDS_KOLS] == ["xingtu_kols", "huitun_xhs_kols", "huitun_douyin_kols"]
    assert all(k.table == "kols" for k in KINDS_KOLS)


def test_xingtu_list(tmp_path: Path) -> None:
    kind, rows = _mapped(tmp_path, "星图达人.csv", XINGTU, "douyin")
    assert kind == "xingtu_kols"
    assert rows["kol_id"].tolist() == ["xingtu-6912", "xingtu-7001"]   # the row without 星图ID is skipped
    assert rows["name"].tolist() == ["皮肤科医生王姐", "好物种草机"]
    assert rows["followers"].tolist() == [1_205_000, 31_000]           # 粉丝（万）: 120.5 万, 3.1 万
    assert rows["price"].tolist() == [120_000, 800]                     # 21-60s (12万), else 1-20s
    assert rows["price_format"].tolist() == ["video", "video"]
    assert rows["category"].tolist() == ["美妆", "美妆"] and set(rows["platform"]) == {"douyin"}
    assert rows["region"].tolist() == ["广东省", "四川省"]
    assert "account_id" not in rows.columns


def test_huitun_xhs_list(tmp_path: Path) -> None:
    kind, rows = _mapped(tmp_path, "灰豚达人.csv", HUITUN_XHS, "xiaohongshu")
    assert kind == "huitun_xhs_kols"
    assert rows["kol_id"].tolist() == ["xhs-95270001", "xhs-60aa00bb11cc22dd33ee44ff"]  # 小红书号, else profile id
    assert rows["followers"].tolist() == [123_000, 3_500]                                 # 12.3w, 3.5k
    assert rows["price"].tolist() == [8_000, 2_400] and rows["price_format"].tolist() == ["image", "video"]
    assert rows["category"].tolist() == ["护肤", "美妆"]


def test_missing_quote_stays_missing(tmp_path: Path) -> None:
    text = "播主昵称,抖音号,达人主页链接,粉丝数,分类\n口红一哥小刘,lipking,https://www.douyin.com/user/x,1.9万,美妆\n"
    kind, rows = _mapped(tmp_path, "灰豚抖音.csv", text, "douyin")
    assert kind == "huitun_douyin_kols"
    assert rows["kol_id"].tolist() == ["douyin-lipking"] and rows["followers"].tolist() == [19_000]
    assert math.isnan(rows["price"].iloc[0])


def test_import_into_store_and_load(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_douyin="douyin", own_xhs="xiaohongshu")
    (tmp_path / "星图达人.csv").write_text(XINGTU, encoding="utf-8")
    (tmp_path / "灰豚达人.csv").write_text(HUITUN_XHS, encoding="utf-8")
    import_files([tmp_path / "星图达人.csv"], root, account_id="own_douyin")
    import_files([tmp_path / "灰豚达人.csv"], root, account_id="own_xhs")
    posts = tmp_path / "kol_posts.csv"
    posts.write_text("post_id,kol_id,published_at,likes,comments,is_sponsored,campaign,cost\n"
                     "p1,xingtu-6912,2026-10-01T20:00:00,1.2万,300,true,kol_202610_w,120000\n"
                     "p2,xhs-95270001,2026-10-02T09:00:00,,12,false,,\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="likes"):   # a canonical file holds plain numbers, not 1.2万
        import_files([posts], root)
    posts.write_text(posts.read_text(encoding="utf-8").replace("1.2万", "12000"), encoding="utf-8")
    import_files([posts], root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        tables = load_tables(["kols", "kol_posts"], root)
    kols = tables["kols"].set_index("kol_id")
    assert sorted(kols.index) == ["xhs-60aa00bb11cc22dd33ee44ff", "xhs-95270001", "xingtu-6912", "xingtu-7001"]
    assert kols.loc["xhs-95270001", "followers"] == 123_000
    p = tables["kol_posts"].set_index("post_id")
    assert p.loc["p1", "likes"] == 12_000 and math.isnan(p.loc["p2", "likes"])


def test_canonical_kol_posts_need_known_kols(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_douyin="douyin")
    (tmp_path / "kols.csv").write_text("kol_id,platform,name,followers,category\nk1,douyin,阿May,80000,美妆\n",
                                       encoding="utf-8")
    (tmp_path / "kol_daily.csv").write_text("kol_id,date,followers\nk1,2026-10-01,80000\nk2,2026-10-01,5\n",
                                            encoding="utf-8")
    import_files([tmp_path / "kols.csv", tmp_path / "kol_daily.csv"], root)
    with pytest.raises(Exception, match=r"kol_daily.*kol_id.*unknown KOL"):
        load_tables(["kol_daily"], root)


def test_generic_mapping_into_kol_audience(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_xhs="xiaohongshu")
    mapping = tmp_path / "audience.yaml"
    mapping.write_text("name: 千瓜粉丝画像\ntable: kol_audience\ncolumns:\n  kol_id: 达人ID\n  dimension: 维度\n"
                       "  bucket: 分布\n  share: 占比\nvalues:\n  dimension: {性别: gender, 年龄: age_band}\n",
                       encoding="utf-8")
    export = tmp_path / "画像.csv"
    export.write_text("达人ID,维度,分布,占比\nk1,性别,女,85%\nk1,性别,男,15%\nk1,年龄,18-24,46.5%\n", encoding="utf-8")
    (tmp_path / "kols.csv").write_text("kol_id,platform,name,followers,category\nk1,xiaohongshu,小鹿,180000,护肤\n",
                                       encoding="utf-8")
    import_files([tmp_path / "kols.csv"], root)
    import_files([export], root, account_id="own_xhs", mapping=mapping)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        audience = load_tables(["kol_audience"], root)["kol_audience"]
    got = audience.set_index(["dimension", "bucket"])["share"].to_dict()
    assert got == {("gender", "女"): 0.85, ("gender", "男"): 0.15, ("age_band", "18-24"): 0.465}


def test_wrong_platform_is_refused(tmp_path: Path) -> None:
    root = make_store(tmp_path, own_xhs="xiaohongshu")
    (tmp_path / "星图达人.csv").write_text(XINGTU, encoding="utf-8")
    with pytest.raises(ImportFileError, match="wrong --account"):
        import_files([tmp_path / "星图达人.csv"], root, account_id="own_xhs")
