"""KOL-list exports of Chinese KOL platforms (达人列表) → the kols table.

Only headers seen in real public code that reads or writes these exports are used (the search index's
``find_string`` gives excerpts without repository names, so each source is cited by its excerpt id there):

- ``xingtu_kols`` — 巨量星图 达人 lists (douyin), as written by scripts exporting 星图 search results:
  抖音昵称 / 昵称, 星图ID, 星图主页链接 / 星图链接, 粉丝数 or 粉丝（万）, 1-20s视频报价, 21-60s视频报价,
  60s+视频报价, 所在地区, 达人类型, 博主机构 / MCN (excerpts 21509833854, 22078889411, 61365458359,
  21763549739). The quote taken is 21-60s视频报价 (星图's standard video), else 1-20s视频报价, else 60s+.
- ``huitun_xhs_kols`` — 灰豚 Xiaohongshu 达人 export (the 蒲公英-style list): 达人名称, 达人官方地址, 小红书号,
  粉丝数, 地域, 达人标签, 图文笔记报价, 视频笔记报价 (excerpts 66645967107, 27965698532, 53460425270). The
  quote taken is 图文笔记报价 (price_format image), else 视频笔记报价 (video).
- ``huitun_douyin_kols`` — 灰豚 Douyin 达人 export: 播主昵称, 抖音号, 达人主页链接, 粉丝数, 分类 (excerpt
  66645967107); no quote.

Numbers like "12.3w", "1.2万" or "3.5k" parse (values.parse_values); "粉丝（万）" holds 万 (12.3 → 123,000).
kol_id is the platform id: ``xingtu-<星图ID>``, ``xhs-<小红书号>`` (else the 24-hex id of 达人官方地址),
``douyin-<抖音号>``; a row without one is skipped and reported. A missing quote stays missing, never 0.
The account given with --account only says which platform the list is from; the kols rows carry no
account_id. Pitfall: these platforms round follower counts (12.3w): a KOL's followers here are coarse.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from helpers.ingest.kinds.common import cols, drop_rows, line_of
from helpers.ingest.types import ExportKind, Finish, Grid, ImportContext

KOL_COLUMNS: tuple[str, ...] = ("kol_id", "platform", "name", "followers", "category", "price", "price_format",
                                "handle", "region")
_PROFILE_ID = re.compile(r"profile/([0-9a-f]{24})")


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A text column of the mapped frame, all missing when the export lacks it."""
    if column not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    return frame[column].astype("string").str.strip().replace("", pd.NA)


def _number(frame: pd.DataFrame, column: str) -> pd.Series:
    """A numeric column of the mapped frame, all NaN when the export lacks it."""
    return frame[column].astype("float64") if column in frame else pd.Series(np.nan, index=frame.index)


def _first(*series: pd.Series) -> pd.Series:
    """Per row, the first non-missing value of the series, in order."""
    out = series[0]
    for s in series[1:]:
        out = out.fillna(s)
    return out


def _tags(values: pd.Series) -> pd.Series:
    """A category from a tag cell: "[美妆]" or "美妆-彩妆、护肤" → its first tag (美妆)."""
    first = values.str.replace(r"^[\[【(（]+|[\]】)）]+$", "", regex=True).str.split(r"[,，、;；/|\-\]\[]").str[0]
    return first.str.strip().replace("", pd.NA)


def kol_finish(platform: str, prefix: str, ids: tuple[str, ...], prices: tuple[tuple[str, str], ...]) -> Finish:
    """A finish step: kol_id from the first id column present, followers (万 too), the first quote, kols columns."""
    def finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
        attrs = dict(frame.attrs)
        handle = _first(*(_text(frame, c) for c in ids))
        if "profile" in frame:
            handle = handle.fillna(_text(frame, "profile").str.extract(_PROFILE_ID, expand=False).astype("string"))
        price = pd.Series(np.nan, index=frame.index)
        price_format = pd.Series(pd.NA, index=frame.index, dtype="string")
        for column, fmt in prices:
            value = _number(frame, column)
            take = price.isna() & value.notna()
            price = price.mask(take, value)
            price_format = price_format.mask(take, fmt)
        out = pd.DataFrame({
            "kol_id": (prefix + handle).astype("string"),
            "platform": pd.Series(platform, index=frame.index, dtype="string"),
            "name": _text(frame, "name"),
            "followers": _first(_number(frame, "followers"), _number(frame, "followers_wan") * 10_000).round(),
            "category": _tags(_text(frame, "category")),
            "price": price, "price_format": price_format, "handle": handle,
            "region": _text(frame, "region"),
        }, index=frame.index)
        out["_line"] = frame["_line"]
        out.attrs = attrs
        missing = (out["kol_id"].isna() | out["name"].isna()).to_numpy()
        messages = [f"{grid.where} line {line_of(out, i)}: no KOL id or name — row skipped"
                    for i in range(len(out)) if missing[i]]
        return drop_rows(out, missing, messages)

    return finish


XINGTU_KOLS = ExportKind(
    name="xingtu_kols",
    title="巨量星图 达人 list (douyin KOLs)",
    platforms=("douyin",),
    table="kols",
    columns=cols(
        name=("抖音昵称", "昵称", "达人昵称"), star_id="星图ID", profile=("星图主页链接", "星图链接"),
        followers="粉丝数", followers_wan="粉丝（万）", price_20s="1-20s视频报价", price_60s="21-60s视频报价",
        price_60plus="60s+视频报价", region="所在地区", category="达人类型", mcn=("博主机构", "MCN"),
    ),
    required=("name", "star_id", "price_60s"),
    parse={"followers": "count", "followers_wan": "number", "price_20s": "number", "price_60s": "number",
           "price_60plus": "number"},
    finish=kol_finish("douyin", "xingtu-", ("star_id",),
                      (("price_60s", "video"), ("price_20s", "video"), ("price_60plus", "video"))),
)

HUITUN_XHS_KOLS = ExportKind(
    name="huitun_xhs_kols",
    title="灰豚 Xiaohongshu 达人 list",
    platforms=("xiaohongshu",),
    table="kols",
    columns=cols(
        name=("达人名称", "达人昵称"), handle="小红书号", profile="达人官方地址", followers="粉丝数",
        region="地域", category="达人标签", price_image="图文笔记报价", price_video="视频笔记报价",
        mcn="签约MCN",
    ),
    required=("name", "followers", "price_image"),
    parse={"followers": "count", "price_image": "number", "price_video": "number"},
    finish=kol_finish("xiaohongshu", "xhs-", ("handle",), (("price_image", "image"), ("price_video", "video"))),
)

HUITUN_DOUYIN_KOLS = ExportKind(
    name="huitun_douyin_kols",
    title="灰豚 Douyin 达人 list",
    platforms=("douyin",),
    table="kols",
    columns=cols(name="播主昵称", handle="抖音号", profile="达人主页链接", followers="粉丝数", category="分类",
                 mcn="所属MCN"),
    required=("name", "handle", "profile"),
    parse={"followers": "count"},
    finish=kol_finish("douyin", "douyin-", ("handle",), ()),
)

#: The kinds of this family, in registration order.
KINDS: tuple[ExportKind, ...] = (XINGTU_KOLS, HUITUN_XHS_KOLS, HUITUN_DOUYIN_KOLS)
