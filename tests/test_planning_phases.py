"""build_calendar's phases: each on hand-made input with hand-worked expectations, and together the same
calendar as the monolithic function they were split from (kept below, verbatim, as the reference)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from helpers import config, i18n, runner
from helpers import keydates as dates
from helpers.errors import ParameterError
from helpers.planning import performance, topics, windows
from helpers.planning import schedule as S
from helpers.planning.schedule import FixedColumn, PlanSettings, _KeyDate, _Slot, _Topic
from helpers.planning.session import prepare
from helpers.schema import TIERS

JUNE = S._month("2025-06")  # 30 days; June 1 2025 is a Sunday, so Wednesdays are 4, 11, 18, 25
WED_VLOG = FixedColumn(2, "douyin", "series", "short_video", "周三vlog")
FRI_WEIBO = FixedColumn(4, "weibo", "daily", "image", "周五宠粉日")


def _wins(hours: Sequence[tuple[int, float]], weekdays: Sequence[int] = range(7)) -> dict[int, list[tuple[int, float]]]:
    """One platform's windows: the same (hour, score) list on the given weekdays, none on the others."""
    return {wd: list(hours) if wd in weekdays else [] for wd in range(7)}


def _key(day: int, name: str = "618", lead: int = 3, flagship: bool = True) -> _KeyDate:
    when = dt.date(2025, 6, day)
    return _KeyDate(when, name, "marketing", when - dt.timedelta(days=lead), flagship, (name,))


# --- phase 0: the month ----------------------------------------------------------------------------


def test_month_frame() -> None:
    assert (JUNE.label, JUNE.n_days, JUNE.first, JUNE.last) == ("2025-06", 30, dt.date(2025, 6, 1),
                                                                 dt.date(2025, 6, 30))
    assert JUNE.weekday[1] == 6 and JUNE.weekday[4] == 2 and len(JUNE.weekday) == 30  # Sunday, Wednesday
    assert S._month("2028-02").n_days == 29  # a leap year


# --- phase 1: fixed columns ------------------------------------------------------------------------


def test_fixed_columns_fall_on_every_matching_weekday() -> None:
    settings = PlanSettings({"douyin": 5, "weibo": 5, "wechat": 3}, fixed_columns=(WED_VLOG, FRI_WEIBO))
    forced = S._fixed_column_days(JUNE, settings)
    assert forced["douyin"] == {d: [("fixed", WED_VLOG)] for d in (4, 11, 18, 25)}
    assert forced["weibo"] == {d: [("fixed", FRI_WEIBO)] for d in (6, 13, 20, 27)}  # the Fridays
    assert forced["wechat"] == {}


# --- phase 2: the slot grid ------------------------------------------------------------------------


def test_slot_grid_one_post_a_day_up_to_seven_a_week() -> None:
    # douyin posts Mon–Sat at 20:00 and 21:00: 3 hours apart only one fits a day; no Sunday windows
    wins = {"douyin": _wins([(20, 1.0), (21, 2.0)], weekdays=range(6))}
    settings = PlanSettings({"douyin": 5}, min_gap_hours=3)
    grid = S._slot_grid(JUNE, settings, wins, 3, {"douyin": {}})
    assert grid.n_slots == {"douyin": 21}  # round-half-up(5 × 30 / 7 = 21.4)
    assert grid.cap["douyin"][1] == 0 and grid.cap["douyin"][2] == 1  # Sunday 1st, Monday 2nd
    assert sum(grid.cap["douyin"].values()) == 25  # 30 days less the five Sundays 1, 8, 15, 22, 29
    assert grid.day_score["douyin"][2] == 2.0 and grid.day_score["douyin"][1] == 0.0


def test_slot_grid_more_than_seven_a_week_takes_what_the_windows_fit() -> None:
    wins = {"douyin": _wins([(8, 1.0), (12, 1.0), (14, 1.0), (20, 1.0)])}
    grid = S._slot_grid(JUNE, PlanSettings({"douyin": 14}, min_gap_hours=4), wins, 4, {"douyin": {}})
    assert set(grid.cap["douyin"].values()) == {3}  # 8, 12 and 20 (14 is 2 h after 12)
    assert grid.n_slots == {"douyin": 60}  # 14 × 30 / 7


def test_slot_grid_refuses_more_slots_than_room_and_fixed_columns_without_windows() -> None:
    wins = {"douyin": _wins([(20, 1.0)], weekdays=range(6))}
    with pytest.raises(ParameterError, match=r"Douyin needs 30 slots \(7 posts/week × 30 days ÷ 7\), but its "
                                             r"posting windows fit at most 25 with posts at least 3 hours apart "
                                             r"and one a day"):
        S._slot_grid(JUNE, PlanSettings({"douyin": 7}), wins, 3, {"douyin": {}})
    sunday = FixedColumn(6, "douyin", "series", "short_video", "周日")
    settings = PlanSettings({"douyin": 5}, fixed_columns=(sunday,))
    with pytest.raises(ParameterError, match=r"Douyin has 1 fixed column on Sun 1 Jun, but its posting windows "
                                             r"that day have room for 0"):
        S._slot_grid(JUNE, settings, wins, 3, S._fixed_column_days(JUNE, settings))


# --- phase 3: key-date flagships -------------------------------------------------------------------


def _grid(settings: PlanSettings, wins: dict[str, dict[int, list[tuple[int, float]]]]) -> S._Grid:
    return S._slot_grid(JUNE, settings, wins, S.gap_step(settings.min_gap_hours), S._fixed_column_days(JUNE, settings))


def test_key_date_flagship_goes_video_first_to_a_free_slot() -> None:
    # wechat is named first, but douyin's flagship format (live) is video: douyin carries it
    settings = PlanSettings({"wechat": 3, "douyin": 5})
    grid = S._key_date_flagships(JUNE, [_key(18)], settings, _grid(settings, {p: _wins([(20, 1.0)]) for p in
                                                                               ("wechat", "douyin")}))
    assert grid.forced["douyin"] == {18: [("key", _key(18))]} and grid.forced["wechat"] == {}


def test_key_date_on_a_full_fixed_column_day_moves_on_or_upgrades_the_column() -> None:
    wins = {p: _wins([(20, 1.0)]) for p in ("douyin", "wechat")}
    both = PlanSettings({"douyin": 5, "wechat": 3}, fixed_columns=(WED_VLOG,))
    grid = S._key_date_flagships(JUNE, [_key(18)], both, _grid(both, wins))  # the 18th is a Wednesday
    assert grid.forced["wechat"] == {18: [("key", _key(18))]}  # douyin's one post that day is its column
    alone = PlanSettings({"douyin": 5}, fixed_columns=(WED_VLOG,))
    grid = S._key_date_flagships(JUNE, [_key(18)], alone, _grid(alone, {"douyin": wins["douyin"]}))
    assert grid.forced["douyin"][18] == [("fixed+key", (WED_VLOG, _key(18)))]
    # the phase returns a new grid: the one it was given is unchanged
    before = _grid(alone, {"douyin": wins["douyin"]})
    S._key_date_flagships(JUNE, [_key(18)], alone, before)
    assert before.forced["douyin"][18] == [("fixed", WED_VLOG)]


def test_key_dates_rotate_over_carriers_and_fail_without_a_slot() -> None:
    settings = PlanSettings({"douyin": 5, "xiaohongshu": 4})
    wins = {p: _wins([(20, 1.0)]) for p in settings.posts_per_week}
    grid = S._key_date_flagships(JUNE, [_key(10, "A"), _key(20, "B"), _key(25, "C", flagship=False)], settings,
                                 _grid(settings, wins))
    # A to douyin (load 0 each, douyin first); B to xiaohongshu (douyin's load is 1); C has no flagship
    assert grid.forced["douyin"] == {10: [("key", _key(10, "A"))]}
    assert grid.forced["xiaohongshu"] == {20: [("key", _key(20, "B"))]}
    no_tuesday = {"douyin": _wins([(20, 1.0)], weekdays=(0, 2, 3, 4, 5, 6))}
    only = PlanSettings({"douyin": 5})
    with pytest.raises(ParameterError, match=r"key date 618 \(10 Jun\) needs a flagship slot, but Douyin has no free"):
        S._key_date_flagships(JUNE, [_key(10)], only, _grid(only, no_tuesday))  # the 10th is a Tuesday


# --- phase 4: days, hours, slots -------------------------------------------------------------------


def test_posting_days_spread_over_the_month() -> None:
    settings = PlanSettings({"douyin": 1})
    grid = replace(_grid(settings, {"douyin": _wins([(20, 1.0)])}), n_slots={"douyin": 3})
    # 3 posts between the edges 0 and 31: ideal days 31/4 × (1, 2, 3) = 7.75, 15.5, 23.25; at 15.5 the tie
    # between 15 and 16 (equal scores) goes to the earlier day
    assert S._posting_days(JUNE, "douyin", grid) == {8: 1, 15: 1, 23: 1}
    # a placed post is an anchor: with one on the 4th, both others go to the longer stretch 4 → 31 (27 days, split
    # in three still 9 > 4) at its ideal days 4 + 27/3 = 13 and 4 + 2 × 27/3 = 22
    anchored = replace(grid, forced={"douyin": {4: [("fixed", WED_VLOG)]}})
    assert S._posting_days(JUNE, "douyin", anchored) == {4: 1, 13: 1, 22: 1}


def test_gap_check_names_the_longest_gap() -> None:
    S._check_gaps(JUNE, "douyin", 5, [3, 6, 9, 12, 15, 18, 21, 24, 27, 30])  # every gap 3 = ceil(14 / 5)
    # days 10 and 20 of 30: gaps 10, 10 and 11 (day 20 → the edge day 31)
    with pytest.raises(ParameterError, match=r"at most 3 days between posting days, .* leave 11 days \(20 Jun → the "
                                             r"month's end\)"):
        S._check_gaps(JUNE, "douyin", 5, [10, 20])


def test_posting_hours_take_the_best_windows_a_gap_apart() -> None:
    wins = _wins([(8, 1.0), (12, 2.0), (20, 3.0)])
    # day 3: two posts 3 h apart, best pair 12 + 20 (score 5 beats 8 + 20 = 4 and 8 + 12 = 3); day 4: 20
    assert S._posting_hours(JUNE, "douyin", wins, {3: 2, 4: 1}, 3) == [(3, [12, 20]), (4, [20])]


def test_posting_hours_look_one_posting_day_ahead() -> None:
    # the 3rd is a Tuesday (23:00 scores best), the 4th a Wednesday with only 02:00. At 23:00 on the 3rd, 02:00
    # would be 3 h later, under the 6 h gap; looking ahead the 3rd ends by 2 + 24 − 6 = 20:00
    wins = {1: [(20, 1.0), (23, 5.0)], 2: [(2, 1.0)], **{wd: [] for wd in (0, 3, 4, 5, 6)}}
    assert S._posting_hours(JUNE, "douyin", wins, {3: 1, 4: 1}, 6) == [(3, [20]), (4, [2])]
    with pytest.raises(ParameterError, match=r"Douyin on 5 Jun: 1 post 6 hours after the previous post does not "
                                             r"fit its Thu windows \(none\)"):
        S._posting_hours(JUNE, "douyin", wins, {5: 1}, 6)


def test_day_slots_put_placed_posts_on_the_best_windows() -> None:
    plain = S._day_slots("douyin", 4, [12, 20], [(12, 2.0), (20, 3.0)], [("fixed", WED_VLOG)])
    assert [(s.hour, s.role, s.tier, s.format, s.label) for s in plain] == [
        (20, "fixed", "series", "short_video", "周三vlog"), (12, "regular", "", "", "")]
    assert plain[0].note == "fixed column 周三vlog (Wed)"
    key = S._day_slots("douyin", 18, [20], [(20, 3.0)], [("key", _key(18))])
    assert (key[0].role, key[0].tier, key[0].key_date, key[0].note) == (
        "key_date", "flagship", "618", "flagship for key date 618 (marketing date)")
    both = S._day_slots("douyin", 18, [20], [(20, 3.0)], [("fixed+key", (WED_VLOG, _key(18)))])
    assert (both[0].role, both[0].tier, both[0].format, both[0].label, both[0].note) == (
        "key_date", "flagship", "short_video", "周三vlog", "fixed column 周三vlog (Wed); flagship for key date 618 "
        "(marketing date)")


# --- phases 5–8: reserve, tiers, warm-ups, window notes --------------------------------------------


def _slots(platform: str, days: Sequence[int], role: str = "regular", tier: str = "") -> list[_Slot]:
    return [_Slot(d, 20, platform, 0.5, role=role, tier=tier) for d in days]


def test_reserve_is_split_over_platforms_and_spread_over_the_month() -> None:
    settings = PlanSettings({"douyin": 5, "weibo": 5}, reserve_share=0.25)
    slots = _slots("douyin", range(1, 7)) + _slots("weibo", range(1, 5))
    S._reserve_slots(JUNE, settings, slots, {"douyin": 6, "weibo": 4})
    # round-half-up(0.25 × 10 = 2.5) = 3; 3 × 6/10 = 1.8 and 3 × 4/10 = 1.2 → 1 + 1, the larger remainder (douyin)
    # gets the third. douyin's 6 slots: positions int(0.5 × 6/2) = 1 and int(1.5 × 6/2) = 4 (days 2 and 5);
    # weibo's 4: position int(0.5 × 4/1) = 2 (day 3)
    reserve = [(s.platform, s.day, s.format) for s in slots if s.role == "reserve"]
    assert reserve == [("douyin", 2, "short_video"), ("douyin", 5, "short_video"), ("weibo", 3, "image")]
    assert all(s.tier == "reserve" and s.reason == "reserved for breaking trends" for s in slots if s.role == "reserve")


def test_reserve_needs_free_slots() -> None:
    settings = PlanSettings({"douyin": 5}, reserve_share=0.3)
    full = _slots("douyin", range(1, 5), role="fixed", tier="series")
    # round-half-up(0.3 × 4 = 1.2) = 1 reserve slot, but every slot is a fixed column
    with pytest.raises(ParameterError, match=r"the reserve needs 1 of 4 slots \(30%\), but .* leave only 0 free"):
        S._reserve_slots(JUNE, settings, full, {"douyin": 4})


def test_tiers_interleave_by_the_mix() -> None:
    slots = _slots("douyin", range(1, 9))
    S._assign_tiers(JUNE, {"daily": 0.5, "series": 0.25, "flagship": 0.25}, slots)
    # 8 planned: 4 daily, 2 series, 2 flagship. At slot i each open tier scores remaining × (i + 1)/8 − assigned
    # (ties to the earlier tier): i=0 d .5 s .25 f .25 → d; i=1 d 0 s .5 f .5 → s; i=2 d .5 s −.25 f .75 → f;
    # i=3 d 1 s 0 f 0 → d; i=4 d .5 s .25 f .25 → d; i=5 d 0 s .5 f .5 → s; i=6 d .5 s −.25 f .75 → f; i=7 → d
    assert [s.tier for s in slots] == ["daily", "series", "flagship", "daily", "daily", "series", "flagship", "daily"]


def test_tiers_count_fixed_columns_and_refuse_too_many() -> None:
    slots = _slots("douyin", [1], role="fixed", tier="series") + _slots("douyin", range(2, 9))
    S._assign_tiers(JUNE, {"daily": 0.5, "series": 0.25, "flagship": 0.25}, slots)
    tiers = [s.tier for s in slots]
    assert (tiers.count("daily"), tiers.count("series"), tiers.count("flagship")) == (4, 2, 2)
    flagships = _slots("douyin", [1, 2], role="key_date", tier="flagship") + _slots("douyin", range(3, 11))
    # 0.1 × 10 planned = 1 flagship at most, but two key dates need one each
    with pytest.raises(ParameterError, match=r"need 2 flagship posts, but the mix gives flagship 10% of 10"):
        S._assign_tiers(JUNE, {"daily": 0.6, "series": 0.3, "flagship": 0.1}, flagships)


def test_warm_ups_label_daily_and_series_posts_before_their_date() -> None:
    slots = [_Slot(14, 20, "douyin", 0.5, tier="daily"), _Slot(15, 20, "douyin", 0.5, tier="daily"),
             _Slot(16, 20, "douyin", 0.5, tier="series"), _Slot(16, 20, "weibo", 0.5, tier="flagship"),
             _Slot(17, 20, "weibo", 0.5, role="reserve", tier="reserve"), _Slot(18, 20, "weibo", 0.5, tier="daily")]
    # 618 warms up from the 15th; Father's Day (the 15th) from the 12th: the 14th warms up for it, not for 618
    S._warm_ups(JUNE, [_key(18, lead=3), _key(15, "父亲节", lead=3)], slots)
    assert [(s.day, s.role, s.key_date) for s in slots] == [
        (14, "warm_up", "父亲节"), (15, "warm_up", "618"), (16, "warm_up", "618"), (16, "regular", ""),
        (17, "reserve", ""), (18, "regular", "")]
    assert slots[1].note == "warm-up for 618 on 18 Jun"


def test_window_notes_fill_only_empty_notes() -> None:
    slots = [_Slot(1, 20, "douyin", 0.05, tier="daily"), _Slot(2, 9, "weibo", 0.5, tier="series", note="kept")]
    S._window_notes(slots, er_windows=True)
    assert [s.note for s in slots] == ["top Douyin window 20:00 (shrunk ER 5.0%)", "kept"]
    other = [_Slot(1, 20, "douyin", 1.234, tier="daily")]
    S._window_notes(other, er_windows=False)
    assert other[0].note == "top Douyin window 20:00 (window score 1.23)"


# --- phase 9: topics -------------------------------------------------------------------------------


def _topic(fmt: str, rank: int = 0, score: float = 1.25, name: str = "选题") -> _Topic:
    return _Topic(rank, name, "成分科普", fmt, score, "r", {})


@pytest.mark.parametrize("fixed, fmt, fit", [
    ("short_video", "short_video", 0), ("short_video", "video", 1), ("short_video", "image", 3),
    ("", "short_video", 0),   # douyin's daily format
    ("", "carousel", 1),      # suits a daily post and douyin publishes it
    ("", "image", 2),         # suits a daily post, but douyin does not publish images: re-cut
    ("", "live", 3),          # does not suit a daily post
])
def test_format_fit(fixed: str, fmt: str, fit: int) -> None:
    slot = _Slot(1, 20, "douyin", 0.5, tier="daily", format=fixed)
    assert S._format_fit(slot, _topic(fmt)) == fit


def test_topic_preference_flagships_score_first_others_fit_first() -> None:
    high_recut = _topic("article", rank=0, score=2.0)    # fit 3 on douyin
    low_fit = _topic("short_video", rank=1, score=1.0)   # fit 0 on douyin daily
    seasons = {0: (), 1: ()}
    used = {0: [], 1: []}
    daily = _Slot(1, 20, "douyin", 0.5, tier="daily")
    flagship = _Slot(1, 20, "douyin", 0.5, tier="flagship")
    assert min((high_recut, low_fit), key=lambda t: S._topic_preference(daily, t, seasons, used)) is low_fit
    assert min((high_recut, low_fit), key=lambda t: S._topic_preference(flagship, t, seasons, used)) is high_recut
    # a topic already planned on another platform comes after an unused one
    assert min((high_recut, low_fit), key=lambda t: S._topic_preference(
        flagship, t, seasons, {0: ["weibo"], 1: []})) is low_fit


def test_give_topic_recuts_to_a_native_format_and_says_why() -> None:
    slot = _Slot(1, 20, "douyin", 0.5, tier="daily", note="daily post at a top douyin window")
    S._give_topic(slot, _topic("image"))
    assert (slot.topic, slot.pillar, slot.format, slot.topic_format, slot.topic_score) == (
        "选题", "成分科普", "short_video", "image", 1.25)
    assert slot.reason == ("daily post at a top douyin window; topic score 1.25: r; re-cut from image post to short "
                           "video")
    unscored = _Slot(2, 20, "weibo", 0.5, tier="daily", note="n")
    S._give_topic(unscored, _Topic(0, "t", "p", "image", math.nan, "", {}))
    assert (unscored.format, unscored.reason) == ("image", "n; no performance estimate for this topic")


def test_shared_topics_name_the_other_platforms() -> None:
    slots = [_Slot(1, 20, "douyin", 0.5, topic="A", reason="x"), _Slot(2, 20, "weibo", 0.5, topic="A", reason="y"),
             _Slot(3, 20, "wechat", 0.5, topic="B", reason="z")]
    S._mark_shared(slots)
    assert [s.shared_with for s in slots] == ["weibo", "douyin", ""]
    assert slots[0].reason == "x; also planned on Weibo: one master piece, adapted per platform"
    assert slots[2].reason == "z"


# --- the phases together: the same calendar as the function they were split from ------------------

# The monolithic build_calendar as it was before the split (186 lines, complexity 33), verbatim but for the
# module prefix S. and lint-only changes (dict.fromkeys, zip strict), kept as the second implementation. Its
# errors are said by the module's message functions (S._room_error, ..., issue 16) from its own numbers, so an
# equal message means the same constraint failed with the same numbers.
# fmt: off
def reference_build_calendar(month: object, settings: S.PlanSettings, windows: pd.DataFrame, topics: pd.DataFrame,
                   key_dates: pd.DataFrame | None = None, seasonal: Sequence[str] = ()) -> S.Calendar:
    """The monolithic build_calendar before it was split into phases (kept verbatim as the reference)."""
    year, mon = S.parse_month(month)
    label = f"{year:04d}-{mon:02d}"
    n_days = S._calendar.monthrange(year, mon)[1]
    first, last = dt.date(year, mon, 1), dt.date(year, mon, n_days)
    platforms = list(settings.posts_per_week)
    bank = S._topics(topics)
    er_windows = "score" not in windows.columns and "er_shrunk" in windows.columns
    wins = S._windows(windows, platforms)
    keys = S._key_dates(key_dates, first, last)
    step = S.gap_step(settings.min_gap_hours)
    weekday = {d: dt.date(year, mon, d).weekday() for d in range(1, n_days + 1)}

    # Capacity per day and slot counts.
    cap: dict[str, dict[int, int]] = {}
    day_score: dict[str, dict[int, float]] = {}
    n_slots: dict[str, int] = {}
    forced: dict[str, dict[int, list[tuple[str, Any]]]] = {p: {} for p in platforms}
    for p in platforms:
        ppw = settings.posts_per_week[p]
        line = {wd: S._line_cap([h for h, _ in wins[p][wd]], step) for wd in range(7)}
        cap[p] = {d: (min(1, line[weekday[d]]) if ppw <= 7 else line[weekday[d]]) for d in weekday}
        day_score[p] = {d: max((s for _, s in wins[p][weekday[d]]), default=0.0) for d in weekday}
        for c in settings.fixed_columns:
            if c.platform == p:
                for d in weekday:
                    if weekday[d] == c.weekday:
                        forced[p].setdefault(d, []).append(("fixed", c))
        n_fixed = sum(len(v) for v in forced[p].values())
        n_slots[p] = max(S.slots_for_month(ppw, n_days), n_fixed)
        room = sum(cap[p].values())
        if n_slots[p] > room:
            raise S._room_error(label, p, ppw, n_slots[p], step, room)
        for d, items in forced[p].items():
            if len(items) > cap[p][d]:
                raise S._column_room_error(label, p, d, len(items), cap[p][d])

    # One flagship per key date in the month.
    order = sorted(platforms, key=lambda p: (S.TIER_FORMAT[p]["flagship"] not in ("live", "video"), platforms.index(p)))
    carriers = list(settings.flagship_platforms) or order
    load = dict.fromkeys(platforms, 0)
    for k in (k for k in keys if k.flagship):
        d = k.day.day
        free = [p for p in carriers if sum(len(v) for v in forced[p].values()) < n_slots[p]
                and len(forced[p].get(d, [])) < cap[p][d]]
        upgrade = [p for p in carriers if any(kind == "fixed" for kind, _ in forced[p].get(d, []))]
        if free:
            p = min(free, key=lambda q: (load[q], carriers.index(q)))
            forced[p].setdefault(d, []).append(("key", k))
        elif upgrade:
            p = min(upgrade, key=lambda q: (load[q], carriers.index(q)))
            items = forced[p][d]
            i = next(i for i, (kind, _) in enumerate(items) if kind == "fixed")
            items[i] = ("fixed+key", (items[i][1], k))
        else:
            raise S._key_date_error(label, k, carriers)
        load[p] += 1

    # Days and hours per platform.
    slots: list[_Slot] = []
    for p in platforms:
        ppw = settings.posts_per_week[p]
        counts = {d: len(v) for d, v in forced[p].items()}
        if sum(counts.values()) > n_slots[p]:
            raise S._placed_error(label, p, sum(counts.values()), n_slots[p])
        need, level = n_slots[p] - sum(counts.values()), 0
        while need > 0:
            cand = [d for d in weekday if counts.get(d, 0) == level and cap[p][d] > level]
            anchors = [d for d in weekday if counts.get(d, 0) > level]
            for d in S._spread(n_days, anchors, cand, min(need, len(cand)), day_score[p]):
                counts[d] = level + 1
                need -= 1
            level += 1
        days = sorted(d for d, c in counts.items() if c > 0)
        limit = S.max_gap_days(ppw)
        gaps = [(b - a, a, b) for a, b in zip([0, *days], [*days, n_days + 1], strict=True)]
        worst = max(gaps)
        if worst[0] > limit:
            _, a, b = worst
            raise S._gap_error(label, p, ppw, limit, a, b)
        prev: int | None = None
        for i, d in enumerate(days):
            lower = 0 if prev is None else max(0, prev + step - (d - 1) * 24)
            hours = None
            if i + 1 < len(days):  # look one posting day ahead so that the next day's posts still fit
                nxt = days[i + 1]
                latest = S._latest_start([h for h, _ in wins[p][weekday[nxt]]], counts[nxt], step)
                if latest is not None:
                    hours = S._choose_hours(wins[p][weekday[d]], counts[d], step, lower,
                                          min(23, latest + 24 * (nxt - d) - step))
            if hours is None:
                hours = S._choose_hours(wins[p][weekday[d]], counts[d], step, lower)
            if hours is None:
                raise S._hours_error(label, p, d, counts[d], step, wins[p][weekday[d]])
            score = dict(wins[p][weekday[d]])
            day_slots = sorted((S._Slot(d, h, p, score[h]) for h in hours), key=lambda s: (-s.score, s.hour))
            for s, (kind, item) in zip(day_slots, forced[p].get(d, []), strict=False):
                column, key = (item, None) if kind == "fixed" else (None, item) if kind == "key" else item
                if column is not None:
                    s.role, s.tier, s.format, s.label = "fixed", column.tier, column.format, column.label
                    s.note = f"fixed column {column.label} ({S.WEEKDAYS[column.weekday]})"
                if key is not None:
                    s.role, s.tier, s.key_date = "key_date", "flagship", key.name
                    s.note = "; ".join(x for x in (s.note, f"flagship for key date {key.name}"
                                                   + (f" ({S._kind_name(key.kind)})" if key.kind else "")) if x)
            slots.extend(day_slots)
            prev = (d - 1) * 24 + max(hours)
    slots.sort(key=lambda s: (s.day, s.hour, platforms.index(s.platform)))

    # Reserve: spread over platforms (largest remainder) and over each platform's month.
    total = len(slots)
    n_reserve = S.round_half_up(settings.reserve_share * total)
    regular = {p: [s for s in slots if s.platform == p and s.role == "regular"] for p in platforms}
    split = S._split_largest_remainder(n_reserve, {p: float(n_slots[p]) for p in platforms},
                                     {p: len(regular[p]) for p in platforms})
    if sum(split.values()) < n_reserve:
        raise S._reserve_error(label, n_reserve, total, settings.reserve_share,
                               sum(len(v) for v in regular.values()))
    for p in platforms:
        m, r = len(regular[p]), split[p]
        for j in range(r):
            s = regular[p][int((j + 0.5) * m / r)]
            s.role, s.tier, s.format, s.reason = "reserve", S.RESERVE_TIER, S.TIER_FORMAT[p]["daily"], S.RESERVE_REASON

    # Tiers of the planned slots.
    planned = total - n_reserve
    forced_tiers = {t: sum(1 for s in slots if s.role in ("fixed", "key_date") and s.tier == t) for t in TIERS}
    counts_t = S._tier_counts(planned, settings.mix, forced_tiers, label)
    free = [s for s in slots if s.role == "regular"]
    remaining = {t: counts_t[t] - forced_tiers[t] for t in TIERS}
    assigned = dict.fromkeys(TIERS, 0)
    for i, s in enumerate(free):
        open_ = [t for t in S.TIERS if assigned[t] < remaining[t]]
        t = max(open_, key=lambda t: (remaining[t] * (i + 1) / len(free) - assigned[t], -S.TIERS.index(t)))
        s.tier = t
        assigned[t] += 1

    # Warm-up labels: planned daily/series posts inside a key date's warm-up window.
    for s in free:
        day = dt.date(year, mon, s.day)
        ahead = [k for k in keys if k.warmup_start <= day < k.day]
        if ahead and s.tier in ("daily", "series"):
            k = min(ahead, key=lambda k: k.day)
            s.role, s.key_date = "warm_up", k.name
            s.note = f"warm-up for {k.name} on {k.day.day} {k.day:%b}"

    for s in slots:
        window = f"shrunk ER {s.score:.1%}" if er_windows else f"window score {s.score:.2f}"
        s.note = s.note or f"top {i18n.platform_name(s.platform)} window {s.hour:02d}:00 ({window})"
    notes = S._fill_topics(slots, bank, keys, tuple(seasonal), label)
    if settings.capacity:
        notes += S._fit_capacity(slots, settings.capacity)
    return S.Calendar(label, settings, S._frame(slots, year, mon), tuple(notes))
# fmt: on


def _same(month: object, settings: PlanSettings, windows_: pd.DataFrame, topics_: pd.DataFrame,
          key_dates: pd.DataFrame | None, seasonal: Sequence[str] = ()) -> None:
    """Both implementations give the same calendar (slots, notes, summary), or the same error."""
    try:
        expected = reference_build_calendar(month, settings, windows_, topics_, key_dates, seasonal)
    except ParameterError as exc:
        with pytest.raises(ParameterError) as info:
            S.build_calendar(month, settings, windows_, topics_, key_dates, seasonal)
        assert str(info.value) == str(exc)
        return
    got = S.build_calendar(month, settings, windows_, topics_, key_dates, seasonal)
    pd.testing.assert_frame_equal(got.slots, expected.slots)
    assert got.notes == expected.notes
    assert got.summary() == expected.summary()


@pytest.fixture(scope="module")
def sample_inputs(sample_dir: Path) -> tuple[Any, pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
    """The sample's run with the notebook's defaults, its windows, topic scores and seasonal names."""
    values = runner.default_values(config.NOTEBOOKS / "content_planning.ipynb")
    values.pop("output_dir")
    values["lang"] = "en"  # the notebook's "" would switch this test process to zh-CN
    run = prepare(**values)
    works = performance.what_works(run.own_posts, run.accounts, base=run.er_base, min_posts=run.min_posts)
    table = windows.posting_windows(run.own_posts, run.accounts, base=run.er_base,
                                    prior_strength=run.prior_strength, platforms=run.platforms)
    scores = topics.score_topics(run.topic_bank, works, run.platforms)
    return run, table, scores, run.seasonal()


SETTING_CHANGES: dict[str, dict[str, Any]] = {
    "notebook defaults": {},
    "no capacity": {"capacity": None},
    "tight capacity": {"capacity": {"short_video": 10, "carousel": 20, "image": 20, "article": 20, "video": 10,
                                    "live": 10}},
    "flagship-heavy mix": {"mix": {"daily": 0.5, "series": 0.2, "flagship": 0.3}, "reserve_share": 0.3},
    "twice a day": {"posts_per_week": {"douyin": 10, "xiaohongshu": 7, "wechat": 2, "weibo": 3},
                    "fixed_columns": (FixedColumn(2, "douyin", "series", "short_video", "a"),
                                      FixedColumn(2, "douyin", "daily", "carousel", "b"))},
    "flagships on wechat": {"flagship_platforms": ("wechat",)},
    "six-hour gap": {"min_gap_hours": 6, "reserve_share": 0.2},
    "too many posts": {"posts_per_week": {"douyin": 28, "xiaohongshu": 4, "wechat": 3, "weibo": 5},
                       "min_gap_hours": 5},
}


@pytest.mark.parametrize("month", ["2026-12", "2026-06", "2026-11", "2027-02"])
@pytest.mark.parametrize("change", sorted(SETTING_CHANGES))
def test_phases_compose_to_the_calendar_of_the_monolith_on_the_sample(sample_inputs, month: str,
                                                                       change: str) -> None:
    run, table, scores, seasonal = sample_inputs
    settings = replace(run.settings, **SETTING_CHANGES[change])
    year, mon = (int(x) for x in month.split("-"))
    keys = dates.key_dates(year, mon, run.country, upcoming_warmups=True)
    _same(month, settings, table, scores, keys, seasonal)


def test_phases_compose_to_the_calendar_of_the_monolith_on_plain_inputs(sample_inputs) -> None:
    # windows without a score column (posting_windows' er_shrunk) and one row per topic
    run, table, scores, seasonal = sample_inputs
    plain = scores.sort_values("score", ascending=False).drop_duplicates("topic").drop(columns="platform")
    _same(run.month, run.settings, table.drop(columns=[c for c in ("score",) if c in table.columns]), plain,
          run.key_dates(), seasonal)


@pytest.mark.parametrize("hours, gap", [((20, 21), 3), ((8, 12, 20), 4), ((9,), 3), ((2, 23), 6)])
def test_phases_compose_to_the_calendar_of_the_monolith_on_narrow_windows(hours: tuple[int, ...], gap: int) -> None:
    # hand-made windows on some weekdays only: placements that hit the gap rules (or fail the same way)
    rows = [(p, wd, h, 1.0 + 0.1 * h + 0.01 * wd) for p in ("douyin", "weibo") for wd in (0, 2, 3, 5, 6)
            for h in hours]
    wins = pd.DataFrame(rows, columns=["platform", "weekday", "hour", "score"])
    bank = pd.DataFrame({"topic": [f"选题{i:02d}" for i in range(40)], "pillar": "教程",
                         "format": ["short_video", "image", "carousel", "video"] * 10,
                         "score": [2 - i * 0.03 for i in range(40)]})
    keys = pd.DataFrame({"date": pd.to_datetime(["2025-06-18", "2025-06-01"]), "name": ["618", "儿童节"],
                         "lead_days": [5, 2], "kind": "marketing"})
    for ppw in (3, 5, 9):
        settings = PlanSettings({"douyin": ppw, "weibo": 4}, min_gap_hours=gap,
                                fixed_columns=(FixedColumn(2, "douyin", "series", "short_video", "周三vlog"),))
        _same("2025-06", settings, wins, bank, keys)
