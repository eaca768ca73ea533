"""helpers.planning.session: every content-planning parameter is checked once, with a message naming it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.errors import DataError, ParameterError
from helpers.planning.session import (
    calendar_csv_bytes, parse_capacity, parse_fixed_columns, parse_mix, parse_posts_per_week, prepare_planning,
    resolve_month, select_platforms,
)
from helpers.planning import performance, topics, windows

PLATFORMS = ("douyin", "xiaohongshu", "wechat", "weibo")
ACCOUNTS = pd.DataFrame({"account_id": ["a", "b", "c"], "platform": ["douyin", "weibo", "douyin"],
                         "owner": ["own", "own", "competitor"]})


def test_posts_per_week_forms() -> None:
    assert parse_posts_per_week("5", PLATFORMS) == dict.fromkeys(PLATFORMS, 5)
    assert parse_posts_per_week(30, ("douyin",)) == {"douyin": 30}
    assert parse_posts_per_week("douyin=5,xiaohongshu:4,wechat=3,weibo=5", PLATFORMS) == {
        "douyin": 5, "xiaohongshu": 4, "wechat": 3, "weibo": 5}
    assert parse_posts_per_week("4, douyin=7", PLATFORMS) == {"douyin": 7, "xiaohongshu": 4, "wechat": 4, "weibo": 4}


@pytest.mark.parametrize("value, words", [
    ("douyin=5", ["no number for xiaohongshu"]),
    ("5,bilibili=3", ["bilibili", "not planned"]),
    ("douyin=2.5,4", ["whole number"]),
    ("0", ["whole number", "1 to 168"]),
    ("douyin=many,4", ["not a number"]),
    ("", ["empty"]),
])
def test_posts_per_week_errors_name_the_problem(value: str, words: list[str]) -> None:
    with pytest.raises(ParameterError, match="posts_per_week") as info:
        parse_posts_per_week(value, PLATFORMS)
    assert all(w in str(info.value) for w in words)


def test_mix_must_name_each_tier_and_sum_to_one() -> None:
    assert parse_mix("daily=0.6,series=0.3,flagship=0.1") == {"daily": 0.6, "series": 0.3, "flagship": 0.1}
    assert parse_mix("flagship:0.2, daily:0.5, series:0.3") == {"daily": 0.5, "series": 0.3, "flagship": 0.2}
    with pytest.raises(ParameterError, match="sum to 1"):
        parse_mix("daily=0.6,series=0.3,flagship=0.2")
    with pytest.raises(ParameterError, match="each tier once"):
        parse_mix("daily=0.7,series=0.3")
    with pytest.raises(ParameterError, match="between 0 and 1"):
        parse_mix("daily=1.2,series=-0.3,flagship=0.1")
    with pytest.raises(ParameterError, match="name=value"):
        parse_mix("daily 0.6")


def test_fixed_columns() -> None:
    cols = parse_fixed_columns("wed:douyin:series:short_video:周三vlog; fri:weibo:daily:image:周五: 宠粉日", PLATFORMS)
    assert [(c.weekday, c.platform, c.tier, c.format, c.label) for c in cols] == [
        (2, "douyin", "series", "short_video", "周三vlog"), (4, "weibo", "daily", "image", "周五: 宠粉日")]
    assert parse_fixed_columns("", PLATFORMS) == ()
    assert parse_fixed_columns("Sunday:wechat:flagship:article", PLATFORMS)[0].label == "Sun article"
    for bad, word in [("wed:douyin:series", "weekday:platform:tier:format"), ("someday:douyin:series:video", "weekday"),
                      ("wed:bilibili:series:video", "not planned"), ("wed:douyin:hero:video", "tier"),
                      ("wed:douyin:series:podcast", "format")]:
        with pytest.raises(ParameterError, match="fixed_columns") as info:
            parse_fixed_columns(bad, PLATFORMS)
        assert word in str(info.value)


def test_capacity() -> None:
    assert parse_capacity("") is None and parse_capacity("none") is None
    assert parse_capacity("short_video=12,carousel:10") == {"short_video": 12, "carousel": 10}
    with pytest.raises(ParameterError, match="format 'podcast'"):
        parse_capacity("podcast=3")
    with pytest.raises(ParameterError, match="whole number"):
        parse_capacity("video=-1")


def test_platforms_own_or_list() -> None:
    assert select_platforms(ACCOUNTS, "own") == ("douyin", "weibo")
    assert select_platforms(ACCOUNTS, "weibo, douyin") == ("weibo", "douyin")
    with pytest.raises(ParameterError, match="xiaohongshu.*own"):
        select_platforms(ACCOUNTS, "douyin,xiaohongshu")


def test_month_next_is_the_month_after_the_last_post() -> None:
    posts = pd.DataFrame({"published_at": pd.to_datetime(["2026-11-15 21:00", "2026-10-01 08:00"])})
    assert resolve_month("next", posts)[0] == "2026-12"
    dec = pd.DataFrame({"published_at": pd.to_datetime(["2026-12-31 23:00"])})
    assert resolve_month("next", dec)[0] == "2027-01"
    assert resolve_month("2026-06", posts) == ("2026-06", "the month 2026-06")
    with pytest.raises(ParameterError, match="plan_month"):
        resolve_month("June", posts)


def test_prepare_planning_on_the_sample(sample_dir: Path) -> None:
    run = prepare_planning(posts_per_week="douyin=5,xiaohongshu=4,wechat=3,weibo=5",
                           fixed_columns="wed:douyin:series:short_video:周三vlog", capacity="short_video=18")
    assert run.month == "2026-12" and run.label == "2026-12"
    assert run.platforms == PLATFORMS
    assert run.settings.posts_per_week == {"douyin": 5, "xiaohongshu": 4, "wechat": 3, "weibo": 5}
    assert run.settings.capacity == {"short_video": 18}
    assert set(run.own_posts["account_id"]) == {"own_douyin", "own_xhs", "own_wechat", "own_weibo"}
    keys = run.key_dates()
    assert "Double 12" in set(keys["name"])
    assert prepare_planning(platforms="douyin,weibo", posts_per_week="5").label == "2026-12_douyin-weibo"


def test_rebuild_with_changed_settings_and_csv_bytes(sample_dir: Path) -> None:
    run = prepare_planning(platforms="douyin,weibo", posts_per_week="5")
    works = performance.what_works(run.own_posts, run.accounts)
    table = windows.posting_windows(run.own_posts, run.accounts, platforms=list(run.platforms))
    scores = topics.score_topics(run.topic_bank, works, list(run.platforms))
    cal = run.rebuild(table, scores, run.key_dates(), mix={"daily": 0.5, "series": 0.3, "flagship": 0.2},
                      reserve_share=0.3, posts_per_week={"douyin": 7, "weibo": 3})
    s = cal.summary()
    assert s["slots_per_platform"] == {"douyin": 31, "weibo": 13}
    assert abs(s["reserve"] - 0.3 * s["slots"]) <= 1
    raw = calendar_csv_bytes(cal.slots)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert list(pd.read_csv(__import__("io").BytesIO(raw), encoding="utf-8-sig").columns[:9]) == [
        "date", "time", "platform", "tier", "pillar", "format", "topic", "reason", "is_reserve"]
    assert "BEGIN:VEVENT" in run.ics(cal).decode()
    with pytest.raises(ParameterError, match="mix"):
        run.with_changes(mix={"daily": 0.9, "series": 0.3, "flagship": 0.1})


@pytest.mark.parametrize("kwargs, words", [
    ({"reserve_share": 0.5}, ["reserve_share", "0.3"]),
    ({"timezone": "Mars/Olympus"}, ["timezone", "IANA"]),
    ({"country": "XX"}, ["country", "XX"]),
    ({"er_base": "followers"}, ["er_base", "impressions"]),
    ({"min_gap_hours": 30}, ["min_gap_hours"]),
    ({"extra_dates_file": "/nonexistent/dates.yaml"}, ["extra_dates_file", "does not exist"]),
    ({"posts_per_week": "30", "min_gap_hours": 6}, ["posts_per_week", "6-hour minimum gap", "min_gap_hours"]),
    ({"platforms": "bilibili"}, ["platforms", "bilibili"]),
])
def test_bad_parameters_fail_with_a_clear_message(sample_dir: Path, kwargs: dict, words: list[str]) -> None:
    with pytest.raises(ParameterError) as info:
        prepare_planning(**kwargs)
    assert all(w in str(info.value) for w in words), str(info.value)


def test_extra_dates_file_is_read(sample_dir: Path, tmp_path: Path) -> None:
    extra = tmp_path / "dates.yaml"
    extra.write_text("marketing_dates:\n  - name: Brand Day\n    name_zh: 品牌日\n    rule: 12-08\n    lead_days: 2\n",
                     encoding="utf-8")
    run = prepare_planning(extra_dates_file=str(extra))
    assert "Brand Day" in set(run.key_dates()["name"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("marketing_dates:\n  - name: X\n    rule: someday\n", encoding="utf-8")
    with pytest.raises(DataError, match="someday"):
        prepare_planning(extra_dates_file=str(bad))


def test_empty_topic_bank_is_an_error(sample_dir: Path, tmp_path: Path) -> None:
    for table in ("accounts", "posts"):
        (tmp_path / f"{table}.csv").write_bytes((sample_dir / f"{table}.csv").read_bytes())
    (tmp_path / "topic_bank.csv").write_text("topic,pillar,format,source,strategic_weight,notes\n", encoding="utf-8")
    with pytest.raises(DataError, match="topic_bank"):
        prepare_planning(data_dir=str(tmp_path))
