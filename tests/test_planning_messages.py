"""The calendar's "cannot be met" messages (schedule.CalendarError) in the run's language (issue 16).

In zh-CN a message has no run of three English words and no snake_case name but the parameter and table
names a user types (KEPT); in both languages it states the numbers, worked out here by hand. The
explorer shows the message as it is, once.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
import pytest

from helpers import config, i18n, runner
from helpers.errors import ParameterError
from helpers.planning import performance, topics, windows
from helpers.planning import schedule as S
from helpers.planning.schedule import CalendarError, FixedColumn
from helpers.planning.session import PlanningRun, prepare
from report_checks import ENGLISH_RUN, SNAKE_CASE

#: Names a user types, kept as code words in both languages (each inside a sentence that says what it is).
KEPT = {"min_gap_hours", "flagship_platforms", "topic_bank"}

#: The explorer's sliders at daily 65%, series 30%: flagship is the rest, 5%.
MIX = {"daily": 0.65, "series": 0.30, "flagship": 0.05}


def not_chinese(text: str) -> list[str]:
    """What in a zh-CN message is not Chinese: runs of three English words, snake_case names other than KEPT."""
    return ENGLISH_RUN.findall(text) + [name for name in SNAKE_CASE.findall(text) if name not in KEPT]


@dataclass(frozen=True)
class December:
    """The sample's December 2026 plan with the notebook's defaults, its analyses bound as the explorer has them."""

    run: PlanningRun
    windows: pd.DataFrame
    scores: pd.DataFrame
    keys: pd.DataFrame

    def rebuild(self, **changes: Any) -> S.Calendar:
        """What the explorer calls when a slider moves (PlanningRun.rebuilder)."""
        return self.run.rebuilder(self.windows, self.scores, self.keys)(**changes)

    def build(self, **settings: Any) -> S.Calendar:
        """The calendar with other settings (those the explorer has no slider for)."""
        return S.build_calendar(self.run.month, replace(self.run.settings, **settings), self.windows, self.scores,
                                self.keys, self.run.seasonal())


@pytest.fixture(scope="module")
def december(sample_dir) -> December:
    values = runner.default_values(config.NOTEBOOKS / "content_planning.ipynb")
    values.pop("output_dir")
    values["lang"] = "en"  # the notebook's "" would switch this test process to zh-CN
    run = prepare(**values)
    assert run.month == "2026-12"  # "next": the month after the sample's last post
    works = performance.what_works(run.own_posts, run.accounts, base=run.er_base, min_posts=run.min_posts)
    table = windows.posting_windows(run.own_posts, run.accounts, base=run.er_base,
                                    prior_strength=run.prior_strength, platforms=run.platforms)
    scores = topics.score_topics(run.topic_bank, works, run.platforms)
    return December(run, table, scores, run.key_dates())


def _error(language: str, build: Any, **changes: Any) -> str:
    """The CalendarError message `build(**changes)` raises in `language`."""
    with i18n.use_language(language), pytest.raises(CalendarError) as info:
        build(**changes)
    assert isinstance(info.value, ParameterError)  # the CLI's exit 2 and the notebook's ParameterError handling
    return str(info.value)


# --- the pyramid mix (the explorer's sliders) -------------------------------------------------------
# December has 31 days. Slots = round-half-up(posts/week × 31 / 7): Douyin 5 → 22.1 → 22, Xiaohongshu 4 → 17.7 →
# 18, WeChat 3 → 13.3 → 13, Weibo 5 → 22; 75 in all. Reserve round-half-up(25% × 75 = 18.75) = 19, so 56 planned.
# Key dates with a flagship in the month: Double 12, Christmas Eve, Christmas, New Year's Eve = 4 (New Year's
# Day is in January: only its warm-up is in December); the fixed columns are series and daily, so the 4 key-date
# flagships are all the flagships forced. Flagship 5% × 56 = 2.8, so at most 3 < 4; 4 / 56 = 7.1% → "at least 7%".


def test_mix_message_in_chinese(december: December) -> None:
    text = _error("zh-CN", december.rebuild, mix=MIX)
    assert not_chinese(text) == []
    assert text.startswith("无法生成2026年12月的排期表：")
    for said in ("需要 4 条重磅内容", "重磅只占 5%", "56 个已排发布位 × 5% = 2.8", "最多 3 条",
                 "重磅占比提高到至少 7%"):
        assert said in text, said


def test_mix_message_in_english(december: December) -> None:
    text = _error("en", december.rebuild, mix=MIX)
    assert text.startswith("Cannot build the Dec 2026 calendar: ")
    for said in ("need 4 flagship posts", "flagship 5% of 56 planned slots = 2.8 (at most 3)",
                 "Raise the flagship share to at least 7%"):
        assert said in text, said


# --- the reserve ------------------------------------------------------------------------------------
# Douyin alone at 7 posts/week with a daily fixed column on every weekday: 7 × 31 / 7 = 31 slots, and the columns
# fall on all 31 days (the key dates upgrade four of them to flagships), so no slot is free. The reserve needs
# round-half-up(25% × 31 = 7.75) = 8 of the 31.
EVERY_DAY = tuple(FixedColumn(wd, "douyin", "daily", "short_video", f"c{wd}") for wd in range(7))


def test_reserve_message_in_both_languages(december: December) -> None:
    settings = {"posts_per_week": {"douyin": 7}, "fixed_columns": EVERY_DAY, "capacity": None}
    zh = _error("zh-CN", december.build, **settings)
    assert not_chinese(zh) == []
    assert "预留位需要占 31 个发布位中的 8 个（25%）" in zh and "只剩 0 个空余发布位" in zh
    en = _error("en", december.build, **settings)
    assert "the reserve needs 8 of 31 slots (25%)" in en and "leave only 0 free slots" in en


# --- a platform's room ------------------------------------------------------------------------------
# The sample's posting windows are 08:00–22:00 on every weekday. At least 8 hours apart a day takes 08:00 and
# 16:00 (the next, 24:00, is past 22:00): 2 a day, 62 in December. Douyin at 21 posts/week needs 21 × 31 / 7 = 93.


def test_platform_room_message_in_both_languages(december: December) -> None:
    assert set(december.windows["hour"]) == set(range(8, 23))
    settings = {"posts_per_week": {**december.run.settings.posts_per_week, "douyin": 21}, "min_gap_hours": 8}
    zh = _error("zh-CN", december.build, **settings)
    assert not_chinese(zh) == []
    assert "抖音需要 93 个发布位（每周 21 条 × 31 天 ÷ 7）" in zh and "最短间隔 8 小时" in zh
    assert "最多只能排 62 个" in zh and "min_gap_hours" in zh
    en = _error("en", december.build, **settings)
    assert "Douyin needs 93 slots (21 posts/week × 31 days ÷ 7)" in en
    assert "fit at most 62 with posts at least 8 hours apart." in en and "min_gap_hours" in en


# --- every message: Chinese in zh-CN, the same numbers in both --------------------------------------

JUNE = "2025-06"  # June 1 2025 is a Sunday
KEY = S._KeyDate(dt.date(2025, 6, 18), "618", "marketing", dt.date(2025, 6, 13), True, ("618",), "618大促")
BANK = [S._Topic(i, f"选题{i}", "教程", "image", 1.0, "", {}) for i in range(3)]
SLOTS = [S._Slot(d, 20, p, 1.0) for p, days in (("douyin", range(1, 8)), ("weibo", range(1, 6))) for d in days]


def _topics_error() -> CalendarError:
    # 2 evergreen topics and one for 618 (in the calendar): Douyin 7 and Weibo 5 planned slots for 3 usable topics
    seasons = {0: (), 1: (), 2: ("618",)}
    return S._usable_topics_error(["douyin", "weibo"], SLOTS, BANK, seasons, {"618"}, JUNE)


# (message, what zh-CN says, what en says): the numbers given are in both
CASES: dict[str, tuple[Any, tuple[str, ...], tuple[str, ...]]] = {
    "mix": (lambda: S._mix_error(JUNE, "series", 9, 0.25, 28, 7),
            ("需要 9 条系列内容", "28 个已排发布位 × 25% = 7.0", "最多 7 条", "至少 32%"),
            ("need 9 series posts", "series 25% of 28 planned slots = 7.0 (at most 7)", "at least 32%")),
    "tiers": (lambda: S._tier_split_error(JUNE, {"flagship": 3, "series": 1, "daily": 0}, 11),
              ("已定下 1 条系列内容、3 条重磅内容", "11 个已排发布位"), ("force 1 series post, 3 flagship posts",
                                                                  "over 11 planned slots")),
    "room": (lambda: S._room_error(JUNE, "weibo", 6, 26, 4, 20),
             ("微博需要 26 个发布位（每周 6 条 × 30 天 ÷ 7）", "最短间隔 4 小时、每天最多 1 条", "最多只能排 20 个"),
             ("Weibo needs 26 slots (6 posts/week × 30 days ÷ 7)", "fit at most 20 with posts at least 4 hours apart "
              "and one a day")),
    "column room": (lambda: S._column_room_error(JUNE, "douyin", 1, 2, 1),
                    ("抖音在6月1日（周日）有 2 个固定栏目", "只能排 1 条"), ("Douyin has 2 fixed columns on Sun 1 Jun",
                                                                 "have room for 1")),
    "key date": (lambda: S._key_date_error(JUNE, KEY, ["douyin", "xiaohongshu"]),
                 ("营销节点618大促（6月18日）", "抖音、小红书当天没有", "flagship_platforms"),
                 ("key date 618 (18 Jun)", "Douyin, Xiaohongshu have no free slot", "flagship_platforms")),
    "placed": (lambda: S._placed_error(JUNE, "wechat", 14, 13),
               ("微信的固定栏目和节点重磅共 14 条", "只有 13 个发布位"),
               ("WeChat has 14 fixed-column and key-date posts but only 13 slots",)),
    "gap": (lambda: S._gap_error(JUNE, "xiaohongshu", 4, 4, 24, 31),
            ("小红书每周发 4 条", "最多相隔 4 天", "7 天的间隔（6月24日 → 月末）"),
            ("Xiaohongshu at 4 posts/week allows at most 4 days", "leave 7 days (24 Jun → the month's end)")),
    "gap from the start": (lambda: S._gap_error(JUNE, "douyin", 5, 3, 0, 5),
                           ("5 天的间隔（月初 → 6月5日）",), ("leave 5 days (the month's start → 5 Jun)",)),
    "hours": (lambda: S._hours_error(JUNE, "douyin", 5, 2, 6, [(9, 1.0), (12, 1.0)]),
              ("抖音在6月5日要排 2 条内容", "至少间隔 6 小时", "周四的发布时段（09:00、12:00）"),
              ("Douyin on 5 Jun: 2 posts 6 hours apart", "its Thu windows (09:00, 12:00)")),
    "reserve": (lambda: S._reserve_error(JUNE, 6, 21, 0.3, 2), ("21 个发布位中的 6 个（30%）", "只剩 2 个"),
                ("the reserve needs 6 of 21 slots (30%)", "leave only 2 free slots")),
    "topics": (_topics_error,
               ("抖音有 7 个已排发布位、微博 5 个", "只有 2 个通用选题，另有 1 个本月节点选题", "topic_bank"),
               ("Douyin has 7 planned slots, Weibo 5", "only 2 evergreen topics plus 1 for this month's key dates",
                "or post less on Douyin, Weibo.")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_message_reads_chinese_in_zh_and_states_its_numbers(case: str) -> None:
    make, zh_says, en_says = CASES[case]
    with i18n.use_language("zh-CN"):
        zh = str(make())
    assert zh.startswith("无法生成2025年6月的排期表：") and zh.endswith("。")
    assert not_chinese(zh) == []
    for said in zh_says:
        assert said in zh, said
    en = str(make())
    assert en.startswith("Cannot build the Jun 2025 calendar: ") and en.endswith(".")
    for said in en_says:
        assert said in en, said


def test_a_message_without_a_fix_ends_after_the_problem() -> None:
    assert str(S._fail(JUNE, "a problem")) == "Cannot build the Jun 2025 calendar: a problem."
    with i18n.use_language("zh-CN"):
        assert str(S._fail(JUNE, "问题")) == "无法生成2025年6月的排期表：问题。"


# --- the explorer -----------------------------------------------------------------------------------


def test_calendar_explorer_shows_the_chinese_message_once(december: December,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ipywidgets")
    from helpers.planning import charts

    monkeypatch.delenv("OPSBOOK_HEADLESS", raising=False)  # drawn at once, as in JupyterLab
    rebuild = december.run.rebuilder(december.windows, december.scores, december.keys)
    with i18n.use_language("zh-CN"):
        box = charts.calendar_explorer(rebuild, replace(december.run.settings, mix=MIX))
        shown = html.unescape(box.text.value)
        assert "opsbook-problem" in shown and box.tables.value == ""
        line = shown[shown.index(">") + 1:shown.rindex("<")]
        # the message as it is, not after the explorer's own "无法生成排期表："
        assert line.startswith("无法生成2026年12月的排期表：固定栏目和营销节点需要 4 条重磅内容")
        assert "至少 7%" in line and not_chinese(line) == []
        box.controls[0].value = 0.60  # daily 60%, series 30%: flagship 10% of 56 = 5.6, room for the 4 key dates
        box.settle()
        assert "opsbook-problem" not in box.text.value and box.tables.value != ""
