"""The slice explorer: a hand-worked profile per slice, the empty slice (explore), and the widget (charts)."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.audience.charts import audience_explorer
from helpers.audience.explore import EMPTY, event_months, explorer_choices, month_range, profile_table
from helpers.errors import ParameterError

ACCOUNTS = pd.DataFrame({"account_id": ["D", "X", "W"], "platform": ["douyin", "xiaohongshu", "wechat"]})

AUDIENCE = pd.DataFrame({  # u1 follows D and X (same attributes); nobody follows W
    "user_id": ["u1", "u1", "u2", "u3", "u4", "u5"],
    "account_id": ["D", "X", "D", "D", "X", "X"],
    "gender": ["女", "女", "女", None, "女", "男"],
    "age_band": ["25-30", "25-30", "18-24", "25-30", "25-30", "31-40"],
    "city_tier": ["一线", "一线", "二线", "一线", "三线", "二线"],
    "device": ["iOS", "iOS", "Android", "Android", "iOS", "Android"],
    "interests": ["美食;健身", "美食;健身", "美食", None, "旅行", "旅行;美食"],
})

SEGMENTS = pd.DataFrame({"user_id": ["u1", "u2", "u3", "u4", "u5"],
                         "segment": ["fans", "fans", "new", "new", "fans"]})

EVENTS = pd.DataFrame({  # naive timestamps are local time
    "user_id": ["u1", "u1", "u1", "u2", "u2", "u2", "u4", "u5", "u9"],
    "account_id": ["D", "D", "X", "D", "D", "D", "X", "X", "D"],
    "occurred_at": pd.to_datetime(["2025-01-05 20:10", "2025-01-05 20:40", "2025-02-10 09:00", "2025-01-20 20:05",
                                   "2025-01-20 21:15", "2025-03-01 08:00", "2025-02-28 23:30", "2024-12-31 23:59",
                                   "2025-01-10 20:00"]),
    "event": ["view", "like", "view", "view", "view", "view", "view", "view", "view"],
})


def profile(**choice: object) -> dict[str, str]:
    table = profile_table(AUDIENCE, EVENTS, SEGMENTS, accounts=ACCOUNTS, **choice)  # type: ignore[arg-type]
    assert list(table.columns) == ["measure", "value"]
    return dict(zip(table["measure"], table["value"], strict=True))


def test_profile_of_everyone_over_all_events() -> None:
    # users u1..u5 (u1 counted once); gender 女 u1 u2 u4 = 3/5, u3 missing 1/5; 25-30 u1 u3 u4 = 3/5;
    # city tier 一线 u1 u3 = 2/5 ties 二线 u2 u5 = 2/5 → first by name (一 before 二); Android u2 u3 u5 = 3/5;
    # 美食 u1 u2 u5 = 3/5, u3 has no interests = 1/5.
    # events: u9 is not in the audience, so 8 events: u1 3, u2 3, u4 1, u5 1 → 4 active of 5, 8/4 = 2.0;
    # hours 20, 20, 9 | 20, 21, 8 | 23 | 23 → 20h has 3 of 8 = 37.5%
    assert profile() == {
        "period": "all events", "users": "5", "gender": "女 (60.0%); 20.0% missing", "age band": "25-30 (60.0%)",
        "city tier": "一线 (40.0%)", "device": "Android (60.0%)",
        "top interest": "美食 (60.0% of users); 20.0% missing",
        "active users": "4 (80.0% of users)", "events per active user": "2.0",
        "busiest hour (local)": "20:00–21:00 (37.5% of events)"}


def test_profile_filters_platform_and_period() -> None:
    # douyin rows: u1, u2, u3 → 女 2/3, u3 missing 1/3; 25-30 u1 u3; 一线 u1 u3; Android u2 u3; 美食 u1 u2.
    # events on D in 2025-01-01..2025-02-28: u1 20:10, 20:40; u2 20:05, 21:15 (u2's 1 March view is after the
    # period, u1's X view is another platform, u9 is not in the audience) → 2 active, 4/2 = 2.0, 20h = 3/4
    assert profile(platform="douyin", start="2025-01-01", end="2025-02-28") == {
        "period": "Jan 1, 2025 – Feb 28, 2025", "users": "3", "gender": "女 (66.7%); 33.3% missing",
        "age band": "25-30 (66.7%)", "city tier": "一线 (66.7%)", "device": "Android (66.7%)",
        "top interest": "美食 (66.7% of users); 33.3% missing", "active users": "2 (66.7% of users)",
        "events per active user": "2.0", "busiest hour (local)": "20:00–21:00 (75.0% of events)"}


def test_profile_filters_segment_within_platform() -> None:
    # xiaohongshu fans: u1, u5 → every attribute a 1–1 tie, first by name (女 < 男, Android < iOS);
    # 美食 both; events on X in Jan–Feb: u1 09:00 only (u5's is 31 Dec) → 1 active, 1.0, 09h = 100%
    assert profile(platform="xiaohongshu", segment="fans", start="2025-01-01", end="2025-02-28") == {
        "period": "Jan 1, 2025 – Feb 28, 2025", "users": "2", "gender": "女 (50.0%)", "age band": "25-30 (50.0%)",
        "city tier": "一线 (50.0%)", "device": "Android (50.0%)", "top interest": "美食 (100.0% of users)",
        "active users": "1 (50.0% of users)", "events per active user": "1.0",
        "busiest hour (local)": "09:00–10:00 (100.0% of events)"}
    # the end day is included whole: u4's view at 23:30 on 28 February counts; the hour wraps to 00:00
    new = profile(platform="xiaohongshu", segment="new", end="2025-02-28")
    assert (new["period"], new["users"], new["active users"]) == (
        "first event – Feb 28, 2025", "1", "1 (100.0% of users)")
    assert new["busiest hour (local)"] == "23:00–00:00 (100.0% of events)"
    # a period without events: users stay, activity says so
    quiet = profile(platform="douyin", start="2025-04-01")
    assert (quiet["users"], quiet["active users"], quiet["events per active user"], quiet["busiest hour (local)"]) == (
        "3", "0 (0.0% of users)", "–", "–")


def test_aware_timestamps_are_shown_in_the_accounts_local_hour() -> None:
    accounts = ACCOUNTS.assign(timezone="Asia/Shanghai")
    events = EVENTS.assign(occurred_at=EVENTS["occurred_at"].dt.tz_localize("UTC"))
    table = profile_table(AUDIENCE, events, SEGMENTS, "douyin", accounts=accounts)
    busiest = dict(zip(table["measure"], table["value"], strict=True))["busiest hour (local)"]
    # D events 20:10, 20:40, 20:05, 21:15, 08:00 UTC → 04h ×3, 05h, 16h in Shanghai
    assert busiest == "04:00–05:00 (60.0% of events)"


def test_an_empty_slice_is_a_one_row_table_and_bad_choices_are_named() -> None:
    empty = profile_table(AUDIENCE, EVENTS, SEGMENTS, "wechat", accounts=ACCOUNTS)  # W has no audience
    assert empty.to_dict("list") == {"measure": ["users"], "value": [EMPTY]}
    with pytest.raises(ParameterError, match="Unknown platform 'tiktok'.*douyin"):
        profile(platform="tiktok")
    with pytest.raises(ParameterError, match="Unknown segment 'vip'.*fans"):
        profile(segment="vip")
    with pytest.raises(ParameterError, match="before it starts"):
        profile(start="2025-02-01", end="2025-01-01")


def html(box: object) -> str:
    """The slice table the explorer shows (after the pending change is answered)."""
    box.settle()  # type: ignore[attr-defined]
    assert box.tables.value.count("<table") == 1  # type: ignore[attr-defined]
    return str(box.tables.value)  # type: ignore[attr-defined]


def test_explorer_shows_the_whole_audience_at_once() -> None:
    # first display: all platforms, all segments, Dec–Mar (every event) = test_profile_of_everyone_over_all_events
    shown = html(audience_explorer(AUDIENCE, EVENTS, SEGMENTS, ACCOUNTS))
    assert "Dec 1, 2024 – Mar 31, 2025" in shown and "女 (60.0%); 20.0% missing" in shown
    assert "4 (80.0% of users)" in shown and "20:00–21:00 (37.5% of events)" in shown


def test_explorer_draws_nothing_headless_until_a_choice_changes_then_shows_the_slice(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSBOOK_HEADLESS", "1")
    segments = pd.concat([SEGMENTS, pd.DataFrame({"user_id": ["u9"], "segment": ["lapsed"]})])  # u9: no audience row
    box = audience_explorer(AUDIENCE, EVENTS, segments, ACCOUNTS)
    platform, segment, period = box.controls
    # platforms with audience only, named as people name them; the values stay the machine codes
    assert platform.options == (("all", "all"), ("Douyin", "douyin"), ("Xiaohongshu", "xiaohongshu"))
    assert segment.options == (("all", "all"), ("fans", "fans"), ("lapsed", "lapsed"), ("new", "new"))
    assert [label for label, _ in period.options] == ["Dec 2024", "Jan 2025", "Feb 2025", "Mar 2025"]
    assert (platform.description, segment.description, period.description) == ("Platform", "Segment", "Period")
    assert box.answers == 0 and box.tables.value == ""

    platform.value = "douyin"  # whole range Dec–Mar: u1 2 + u2 3 events on D → 5 / 2 active = 2.5
    shown = html(box)
    assert "Dec 1, 2024 – Mar 31, 2025" in shown and "2.5" in shown and "Android (66.7%)" in shown
    period.value = (period.options[1][1], period.options[2][1])  # Jan–Feb: as in the platform/period test
    shown = html(box)
    assert "Jan 1, 2025 – Feb 28, 2025" in shown and "20:00–21:00 (75.0% of events)" in shown
    segment.value = "lapsed"  # nobody on douyin: the widget shows it instead of failing
    assert EMPTY in html(box)


def test_explorer_shows_a_data_problem_instead_of_raising() -> None:
    conflicting = AUDIENCE.assign(gender=["女", "男", "女", None, "女", "男"])  # u1 女 on D but 男 on X
    box = audience_explorer(conflicting, EVENTS, SEGMENTS, ACCOUNTS)
    box.controls[1].value = "fans"
    box.settle()
    assert "conflicting" in box.text.value and "opsbook-problem" in box.text.value and box.tables.value == ""


def test_the_explorer_choices_are_computed_from_the_data() -> None:
    platforms, segments = explorer_choices(AUDIENCE, SEGMENTS, ACCOUNTS)
    assert platforms == ["all", "douyin", "xiaohongshu"]  # W (wechat) has no audience row
    assert segments == ["all", "fans", "new"]
    assert explorer_choices(AUDIENCE, None, ACCOUNTS)[1] == ["all"]
    # events from 2024-12-31 23:59 to 2025-03-01 08:00: four calendar months
    assert [str(m) for m in event_months(EVENTS, ACCOUNTS)] == ["2024-12", "2025-01", "2025-02", "2025-03"]
    assert event_months(EVENTS.iloc[0:0], ACCOUNTS) == []
    # Jan–Feb 2025 covers 1 January to 28 February (2025 is not a leap year), both days whole
    jan, feb = pd.Period("2025-01", "M"), pd.Period("2025-02", "M")
    assert month_range(jan, feb) == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-28"))
    assert month_range(None, None) == (None, None)


def test_the_explorer_speaks_the_runs_language() -> None:
    from helpers import i18n

    with i18n.use_language("zh-CN"):
        # douyin Jan–Feb as in test_profile_filters_platform_and_period, in Chinese
        shown = dict(zip(*profile_table(AUDIENCE, EVENTS, SEGMENTS, "douyin", start="2025-01-01", end="2025-02-28",
                                        accounts=ACCOUNTS).to_dict("list").values(), strict=True))
        assert shown["时间范围"] == "2025年1月1日至2025年2月28日"
        assert shown["性别"] == "女（66.7%）；缺失 33.3%"
        assert shown["最常见兴趣"] == "美食（占用户 66.7%）；缺失 33.3%"
        assert shown["活跃用户"] == "2（占用户 66.7%）"
        assert shown["最忙时段（当地时间）"] == "20:00–21:00（占事件 75.0%）"
        box = audience_explorer(AUDIENCE, EVENTS, SEGMENTS, ACCOUNTS)
        platform, segment, period = box.controls
        assert platform.options == (("全部", "all"), ("抖音", "douyin"), ("小红书", "xiaohongshu"))
        assert (platform.description, segment.description, period.description) == ("平台", "细分人群", "时间范围")
        assert period.options[0][0] == "2024年12月"
