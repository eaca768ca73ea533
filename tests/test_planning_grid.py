"""The calendar's HTML month grid (helpers.planning.grid) against a hand-made December 2026 plan."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from helpers import i18n
from helpers.planning import grid as G

# December 2026 starts on a Tuesday (2026-12-01 is weekday 1, Monday = 0) and has 31 days:
# the grid has 5 weeks (1 + 31 days from Tuesday: Mon 30 Nov … Sun 3 Jan → 35 cells), the first Monday cell
# and the last three cells (Fri 1 Jan – Sun 3 Jan) are empty.
SLOTS = pd.DataFrame([
    # date, time, platform, tier, format, topic, reason, is_reserve
    ("2026-12-01", "20:00", "douyin", "daily", "short_video", "早C晚A入门", "daily post; topic score 1.20", False),
    ("2026-12-01", "09:00", "weibo", "reserve", "image", "", "reserved for breaking trends", True),
    ("2026-12-07", "21:00", "xiaohongshu", "series", "carousel", "成分党<必看> & 避坑", "warm-up for Double 12", False),
    ("2026-12-12", "20:00", "douyin", "flagship", "live", "双12宠粉直播", "flagship for key date Double 12; topic "
     "score 1.90; also planned on weibo", False),
    ("2026-12-31", "20:00", "wechat", "daily", "article", "年度回顾", "daily post", False),
], columns=["date", "time", "platform", "tier", "format", "topic", "reason", "is_reserve"])
KEYS = pd.DataFrame({"date": pd.to_datetime(["2026-12-12", "2027-01-01"]), "name": ["Double 12", "New Year's Day"],
                     "name_zh": ["双12", "元旦"]})

CELL = re.compile(r'<td class="pl-cell" data-date="([0-9-]+)" data-weekday="(\d)">(.*?)</td>', re.S)


def _cells(html: str) -> dict[str, tuple[int, str]]:
    return {d: (int(wd), body) for d, wd, body in CELL.findall(html)}


def test_days_sit_in_their_weekday_column() -> None:
    view = G.month_grid_view(SLOTS, "2026-12", KEYS)
    assert len(view.weeks) == 5 and all(len(w) == 7 for w in view.weeks)
    assert view.weeks[0][0].day is None and view.weeks[0][1].day.isoformat() == "2026-12-01"
    assert [d.day for d in view.weeks[4][4:]] == [None, None, None]
    cells = _cells(view._repr_html_())
    assert len(cells) == 31
    # 1 Dec Tuesday (1), 7 Dec Monday (0), 12 Dec Saturday (5), 25 Dec Friday (4), 31 Dec Thursday (3)
    assert {d: cells[d][0] for d in ("2026-12-01", "2026-12-07", "2026-12-12", "2026-12-25", "2026-12-31")} == {
        "2026-12-01": 1, "2026-12-07": 0, "2026-12-12": 5, "2026-12-25": 4, "2026-12-31": 3}
    # the column of a cell is its position in the row: every row lists Mon..Sun
    rows = re.findall(r"<tr>(.*?)</tr>", view._repr_html_().split("<tbody>")[1], re.S)
    for row in rows:
        tds = re.findall(r'<td class="(pl-out|pl-cell)"(?: data-date="[0-9-]+" data-weekday="(\d)")?', row)
        assert [int(wd) for i, (_, wd) in enumerate(tds) if wd] == [i for i, (kind, _) in enumerate(tds)
                                                                    if kind == "pl-cell"]


def test_every_slot_appears_once_in_its_day_in_time_order() -> None:
    html = G.month_grid_view(SLOTS, "2026-12", KEYS)._repr_html_()
    cells = _cells(html)
    assert html.count('<div class="pl-slot ') == len(SLOTS) == 5
    first = cells["2026-12-01"][1]
    assert first.count('<div class="pl-slot ') == 2
    assert first.index("09:00") < first.index("20:00")  # time order, not table order
    assert "早C晚A入门" in first and "年度回顾" in cells["2026-12-31"][1]
    assert all(cells[d][1].count('<div class="pl-slot ') == 0 for d in cells
               if d not in ("2026-12-01", "2026-12-07", "2026-12-12", "2026-12-31"))


def test_topics_and_reasons_are_escaped() -> None:
    html = G.month_grid_view(SLOTS, "2026-12", KEYS)._repr_html_()
    assert "成分党&lt;必看&gt; &amp; 避坑" in html
    assert "<必看>" not in html


def test_reserve_slots_are_marked_and_key_dates_named_in_each_language() -> None:
    with i18n.use_language("zh-CN"):
        view = G.month_grid_view(SLOTS, "2026-12", KEYS)
        html = view._repr_html_()
        cells = _cells(html)
        assert '<div class="pl-slot pl-reserve"' in cells["2026-12-01"][1]
        assert "○ 预留位" in cells["2026-12-01"][1]
        assert "◎ 双12" in cells["2026-12-12"][1] and "★ 重磅" in cells["2026-12-12"][1]
        assert "直播" in cells["2026-12-12"][1] and "抖音" in cells["2026-12-12"][1]
        assert "元旦" not in html  # 1 Jan 2027 is not a day of the grid
        assert view.title == "2026年12月排期表"
        assert view.words["weekdays"] == ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    view = G.month_grid_view(SLOTS, "2026-12", KEYS)
    cells = _cells(view._repr_html_())
    assert "○ reserve slot" in cells["2026-12-01"][1] and "◎ Double 12" in cells["2026-12-12"][1]
    # the short reason is the first clause; the whole reason is on demand
    assert "<summary>flagship for key date Double 12</summary>" in cells["2026-12-12"][1]
    assert "<script" not in view._repr_html_()


def test_text_repr_lists_each_slot() -> None:
    text = repr(G.month_grid_view(SLOTS, "2026-12", KEYS))
    assert text.splitlines()[0] == "Content calendar Dec 2026"
    assert "2026-12-12 Sat [Double 12]" in text
    assert "  20:00 Douyin ★ flagship 双12宠粉直播 (live stream)" in text
    assert "  09:00 Weibo ○ reserve slot (image post)" in text


def test_slots_outside_the_month_are_refused() -> None:
    with pytest.raises(ValueError, match="outside 2026-12"):
        G.month_grid_view(SLOTS.assign(date="2027-01-02"), "2026-12")


def test_calendar_explorer_labels_follow_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ipywidgets")
    from helpers.planning import charts
    from helpers.planning.schedule import PlanSettings

    def no_rebuild(**_changes: object) -> None:
        raise AssertionError("a headless run rebuilds nothing until a value changes")

    monkeypatch.setenv("OPSBOOK_HEADLESS", "1")
    settings = PlanSettings({"douyin": 5, "weibo": 3})
    with i18n.use_language("zh-CN"):
        box = charts.calendar_explorer(no_rebuild, settings)
    assert [w.description for w in box.controls] == ["日常占比", "系列占比", "预留位占比", "抖音每周发布数",
                                                     "微博每周发布数"]
    # every label gets the longest one's width: 7 CJK characters = 7 em, + 0.8
    assert {w.style.description_width for w in box.controls} == {"7.8em"}
    english = charts.calendar_explorer(no_rebuild, settings)
    assert [w.description for w in english.controls] == [
        "daily share", "series share", "reserve share", "Douyin posts/week", "Weibo posts/week"]
    assert english.controls[0].readout_format == ".0%"  # shares read as percentages


def test_calendar_explorer_says_why_there_is_no_calendar() -> None:
    pytest.importorskip("ipywidgets")
    from helpers.errors import ParameterError
    from helpers.planning import charts
    from helpers.planning.schedule import PlanSettings

    def refuse(**_changes: object) -> None:
        raise ParameterError("30 posts a week do not fit")

    with i18n.use_language("zh-CN"):
        box = charts.calendar_explorer(refuse, PlanSettings({"douyin": 5}))
        assert "无法生成排期表：30 posts a week do not fit" in box.text.value  # said on first display
        box.controls[0].value = 0.95  # daily 95% + series 30% > 100%
        box.settle()
    assert "日常 95% + 系列 30% 超过 100%" in box.text.value and box.tables.value == ""
