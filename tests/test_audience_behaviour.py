"""Tests of helpers.audience.demographics and .behaviour: hand-made fixtures and the sample's evening peak."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from helpers.audience.behaviour import active_hours, content_preferences, event_funnel, peak_windows, top_paths
from helpers.audience.bots import flag_bots, user_activity
from helpers.audience.demographics import MISSING, compare_platforms, shares
from helpers.data import load_tables
from helpers.errors import DataError, ParameterError
from helpers.sample import PLANTED
from helpers.timezones import local_times

ACCOUNTS = pd.DataFrame({"account_id": ["D", "X", "W"], "platform": ["douyin", "xiaohongshu", "douyin"],
                         "timezone": ["Asia/Shanghai", None, "America/New_York"]})


# ---------------------------------------------------------------------------------------------
# demographics
# ---------------------------------------------------------------------------------------------

def audience() -> pd.DataFrame:
    """u1 follows D and W (both douyin) with the same gender; X has u4, u5, u6.

    all (distinct users u1..u6): 女 u1 u2 → 2/6; 男 u3 u6 → 2/6; missing u4 (NaN) u5 ('  ') → 2/6
    douyin (u1, u2, u3): 女 2/3, 男 1/3, no missing row (none missing)
    xiaohongshu (u4, u5, u6): 男 1/3, missing 2/3
    """
    return pd.DataFrame({"user_id": ["u1", "u1", "u2", "u3", "u4", "u5", "u6"],
                         "account_id": ["D", "W", "D", "W", "X", "X", "X"],
                         "gender": ["女", "女", "女", "男", None, "  ", "男"]})


def test_shares_keep_missing() -> None:
    out = shares(audience(), "gender")
    # ties in users sorted by code point (女 U+5973 < 男 U+7537), missing last
    assert out["value"].tolist() == ["女", "男", MISSING]
    assert out["users"].tolist() == [2, 2, 2]
    assert out["share"].tolist() == pytest.approx([1 / 3] * 3)


def test_shares_by_platform() -> None:
    out = compare_platforms(audience(), ACCOUNTS, ["gender"])
    douyin = out[out["platform"] == "douyin"].set_index("value")
    assert douyin["users"].to_dict() == {"女": 2, "男": 1}
    assert douyin["share"].to_dict() == pytest.approx({"女": 2 / 3, "男": 1 / 3})
    xhs = out[out["platform"] == "xiaohongshu"].set_index("value")
    assert xhs["users"].to_dict() == {"男": 1, MISSING: 2}
    assert set(out["attribute"]) == {"gender"}


def test_shares_bad_input() -> None:
    conflicting = audience().assign(gender=["女", "男", "女", "男", None, "  ", "男"])
    with pytest.raises(DataError, match="conflicting"):
        shares(conflicting, "gender")
    with pytest.raises(DataError, match="age_band"):
        shares(audience(), "age_band")
    with pytest.raises(ParameterError, match="platform"):
        shares(audience(), "gender", by="platform")


# ---------------------------------------------------------------------------------------------
# active hours and peaks
# ---------------------------------------------------------------------------------------------

def test_utc_noon_is_8pm_in_shanghai() -> None:
    """Aware 2026-10-05 12:00 UTC (a Monday): D (Shanghai) → 20:00; X (no timezone → Shanghai) → 20:00;
    W (New York, EDT = UTC−4) → 08:00; 2026-10-05 18:00 UTC on D → Tuesday 02:00."""
    when = pd.to_datetime(["2026-10-05 12:00", "2026-10-05 12:00", "2026-10-05 12:00", "2026-10-05 18:00"]
                          ).tz_localize("UTC")
    frame = pd.DataFrame({"account_id": ["D", "X", "W", "D"], "occurred_at": when, "event": "view"})
    local = local_times(frame, ACCOUNTS)
    assert local.tolist() == pd.to_datetime(["2026-10-05 20:00", "2026-10-05 20:00", "2026-10-05 08:00",
                                             "2026-10-06 02:00"]).tolist()
    heat = active_hours(frame, ACCOUNTS).set_index(["weekday", "hour"])
    assert len(heat) == 168 and heat["events"].sum() == 4
    assert heat.loc[(0, 20), "events"] == 2 and heat.loc[(0, 8), "events"] == 1 and heat.loc[(1, 2), "events"] == 1
    assert heat.loc[(0, 20), "share"] == 0.5


def test_naive_timestamps_are_already_local() -> None:
    frame = pd.DataFrame({"account_id": ["W"], "occurred_at": pd.to_datetime(["2026-10-05 12:00"]),
                          "event": ["like"]})
    heat = active_hours(frame, ACCOUNTS).set_index(["weekday", "hour"])
    assert heat.loc[(0, 12), "events"] == 1
    with pytest.raises(DataError, match="No interactions"):
        active_hours(frame, ACCOUNTS, events=["view"])


def test_unknown_timezone_names_the_account() -> None:
    bad = ACCOUNTS.assign(timezone=["Asia/Shanghai", "Mars/Olympus", None])
    frame = pd.DataFrame({"account_id": ["D"], "occurred_at": pd.to_datetime(["2026-10-05 12:00"]),
                          "event": "view"})
    with pytest.raises(DataError, match="'X'.*Mars/Olympus"):
        active_hours(frame, bad)
    with pytest.raises(DataError, match="not in accounts"):
        active_hours(frame.assign(account_id="Z"), ACCOUNTS)


def test_peak_windows_by_hand() -> None:
    """Hourly totals over weekdays: 23h 5+5 = 10, 0h 9, 20h 7, 21h 6, 12h 4, others 0.

    2-hour windows: 23–01 = 19, 22–00 = 10, 00–02 = 9, 20–22 = 13, 19–21 = 7, 21–23 = 6,
    11–13 = 12–14 = 4.
    Greedy non-overlapping: 23–01 (19), then 20–22 (13), then 11–13 (4, earlier start than 12–14).
    Total 36 events.
    """
    heat = pd.DataFrame({"weekday": [0, 3, 0, 2, 5, 6], "hour": [23, 23, 0, 20, 21, 12],
                         "events": [5, 5, 9, 7, 6, 4]})
    out = peak_windows(heat, top=3, width_hours=2)
    assert out["label"].tolist() == ["23:00–01:00", "20:00–22:00", "11:00–13:00"]
    assert out["events"].tolist() == [19, 13, 4]
    assert out["share"].tolist() == pytest.approx([19 / 36, 13 / 36, 4 / 36])
    assert out["end_hour"].tolist() == [1, 22, 13]
    with pytest.raises(ParameterError):
        peak_windows(heat, width_hours=0)


# ---------------------------------------------------------------------------------------------
# content preferences, funnel, paths
# ---------------------------------------------------------------------------------------------

def test_content_preferences_by_hand() -> None:
    """Account D has posts p1 (video/A), p2 (video/A), p3 (image/missing pillar); X's post p9 is not counted.

    engagements (views excluded): p1 like, share; p2 none; p3 purchase, comment, like; view on p2 ignored
    video/A: 2 posts, 2 events → 1.0 per post; image/(missing): 1 post, 3 events → 3.0
    """
    posts = pd.DataFrame({"post_id": ["p1", "p2", "p3", "p9"], "account_id": ["D", "D", "D", "X"],
                          "format": ["video", "video", "image", "video"], "pillar": ["A", "A", None, "A"]})
    inter = pd.DataFrame({"account_id": "D", "post_id": ["p1", "p1", "p2", "p3", "p3", "p3", None],
                          "event": ["like", "share", "view", "purchase", "comment", "like", "follow"]})
    out = content_preferences(inter, posts).set_index(["format", "pillar"])
    assert out.loc[("image", MISSING), ["posts", "engagements"]].tolist() == [1, 3]
    assert out.loc[("video", "A"), ["posts", "engagements"]].tolist() == [2, 2]
    assert out["engagements_per_post"].tolist() == [3.0, 1.0]
    with pytest.raises(DataError, match="not posts"):
        content_preferences(inter.assign(post_id="p404"), posts)


def test_funnel_order_rule() -> None:
    """Steps view → like → share → purchase; times in minutes.

    a: view 1, like 2, share 3, purchase 4 → all four
    b: like 1, view 2 → only view (the like came before the view)
    c: view 1, like 2, share 2 (same time as the like counts as in order) → three
    d: view 5, like 1, like 6, purchase 7 → view, like (the later like counts); no share → two
    e: like 1, share 2, purchase 3 → none (never viewed)
    f: view 1, purchase 2, share 3, like 4 → view, like; share came before the like → two
    users: view a b c d f = 5; like a c d f = 4; share a c = 2; purchase a = 1
    from previous: NaN, 4/5, 2/4, 1/2; from first: 1, 4/5, 2/5, 1/5
    """
    rows = [("a", 1, "view"), ("a", 2, "like"), ("a", 3, "share"), ("a", 4, "purchase"),
            ("b", 1, "like"), ("b", 2, "view"),
            ("c", 1, "view"), ("c", 2, "like"), ("c", 2, "share"),
            ("d", 5, "view"), ("d", 1, "like"), ("d", 6, "like"), ("d", 7, "purchase"),
            ("e", 1, "like"), ("e", 2, "share"), ("e", 3, "purchase"),
            ("f", 1, "view"), ("f", 2, "purchase"), ("f", 3, "share"), ("f", 4, "like")]
    frame = pd.DataFrame(rows, columns=["user_id", "minute", "event"])
    frame["occurred_at"] = pd.Timestamp("2026-10-01") + pd.to_timedelta(frame["minute"], unit="min")
    out = event_funnel(frame)
    assert out["users"].tolist() == [5, 4, 2, 1]
    assert math.isnan(out["conversion_from_previous"].iloc[0])
    assert out["conversion_from_previous"].iloc[1:].tolist() == pytest.approx([4 / 5, 2 / 4, 1 / 2])
    assert out["conversion_from_first"].tolist() == pytest.approx([1, 4 / 5, 2 / 5, 1 / 5])
    with pytest.raises(ParameterError):
        event_funnel(frame, steps=("view", "view"))
    none = event_funnel(frame, steps=("message", "view"))
    assert none["users"].tolist() == [0, 0] and none["conversion_from_first"].isna().all()


def test_top_paths_by_hand() -> None:
    """Distinct events in order of first occurrence, cut at max_len = 2.

    a: view like view share → 'view → like' (cut); b: view like → 'view → like';
    c: like view → 'like → view';
    d: view → 'view'. Counts: view → like 2, like → view 1, view 1 (ties alphabetical); 4 users.
    """
    rows = [("a", 1, "view"), ("a", 2, "like"), ("a", 3, "view"), ("a", 4, "share"),
            ("b", 2, "like"), ("b", 1, "view"), ("c", 1, "like"), ("c", 2, "view"), ("d", 1, "view")]
    frame = pd.DataFrame(rows, columns=["user_id", "minute", "event"])
    frame["occurred_at"] = pd.Timestamp("2026-10-01") + pd.to_timedelta(frame["minute"], unit="min")
    out = top_paths(frame, n=10, max_len=2)
    assert out["path"].tolist() == ["view → like", "like → view", "view"]
    assert out["users"].tolist() == [2, 1, 1]
    assert out["share"].tolist() == pytest.approx([0.5, 0.25, 0.25])
    # max_len 4: four distinct paths with 1 user each; alphabetical first is 'like → view'
    assert top_paths(frame, n=1, max_len=4)["path"].tolist() == ["like → view"]


# ---------------------------------------------------------------------------------------------
# sample data
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tables(sample_dir: Path) -> dict[str, pd.DataFrame]:
    """The sample audience, interactions, posts and accounts."""
    return load_tables(["audience", "interactions", "posts"], sample_dir)


def test_sample_evening_peak_for_own_accounts(tables: dict[str, pd.DataFrame]) -> None:
    accounts, inter = tables["accounts"], tables["interactions"]
    own = inter[inter["account_id"].isin(accounts.loc[accounts["owner"] == "own", "account_id"])]
    flags = flag_bots(user_activity(own, "2024-11-01", "2026-11-15"))
    clean = own[~own["user_id"].isin(flags.loc[flags["is_bot"], "user_id"])]
    peaks = peak_windows(active_hours(clean, accounts), top=3, width_hours=2)
    lo, hi = PLANTED.evening_window
    assert (peaks.loc[0, "start_hour"], peaks.loc[0, "end_hour"]) == (lo, hi)


def test_sample_bots_have_missing_demographics_shown(tables: dict[str, pd.DataFrame]) -> None:
    """The planted bots carry no gender, so the '(missing)' gender row counts at least those 30 users."""
    out = shares(tables["audience"], "gender").set_index("value")
    assert out.loc[MISSING, "users"] >= len(PLANTED.bot_users)
    assert out["users"].sum() == tables["audience"]["user_id"].nunique()
    assert out["share"].sum() == pytest.approx(1.0)


def test_interest_shares_count_users_per_tag_and_show_missing() -> None:
    from helpers.audience.demographics import interest_shares

    audience = pd.DataFrame({"user_id": ["a", "b", "c", "d"],
                             "interests": ["护肤;彩妆", "护肤", None, "彩妆;护肤;护肤"]})
    table = interest_shares(audience).set_index("interest")
    # 护肤: a, b, d = 3 of 4 users; 彩妆: a, d = 2 of 4; missing: c = 1 of 4
    assert table.loc["护肤", "users"] == 3 and table.loc["护肤", "share"] == 0.75
    assert table.loc["彩妆", "users"] == 2 and table.loc["(missing)", "users"] == 1
