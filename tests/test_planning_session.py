"""helpers.planning.session: every content-planning parameter is checked once, with a message naming it."""

from __future__ import annotations

import inspect
import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from helpers import config, runner
from helpers.errors import DataError, ParameterError
from helpers.planning import performance, topics, windows
from helpers.planning.ics import calendar_csv_bytes
from helpers.planning.schedule import FixedColumn
from helpers.planning.session import (
    check_capacity,
    check_fixed_columns,
    check_mix,
    check_posts_per_week,
    prepare,
    resolve_month,
    select_platforms,
)

PLATFORMS = ("douyin", "xiaohongshu", "wechat", "weibo")
ACCOUNTS = pd.DataFrame({"account_id": ["a", "b", "c"], "platform": ["douyin", "weibo", "douyin"],
                         "owner": ["own", "own", "competitor"]})
WED_VLOG = {"weekday": "wed", "platform": "douyin", "tier": "series", "format": "short_video", "label": "周三vlog"}


def _prepare(**overrides: Any):
    """prepare with the notebook's defaults (its parameters cell is the only place they live), some overridden."""
    values = runner.default_values(config.NOTEBOOKS / "content_planning.ipynb")
    values.pop("output_dir")
    values["lang"] = "en"  # the notebook's "" would switch this test process to zh-CN
    values.update(overrides)
    return prepare(**values)


def _old_form(info: pytest.ExceptionInfo, name: str, notebook: str, flow: str) -> None:
    """The old-text-form error names the parameter and shows the new form for the notebook and the command line."""
    message = str(info.value)
    assert "old text form" in message, message
    assert f"{name} = {notebook}" in message, message
    assert f"-p {name} '{flow}'" in message, message


# --- posts_per_week --------------------------------------------------------------------------------


def test_posts_per_week_one_number_or_a_map_with_a_default() -> None:
    assert check_posts_per_week(5, PLATFORMS) == dict.fromkeys(PLATFORMS, 5)
    assert check_posts_per_week(30, ("douyin",)) == {"douyin": 30}
    assert check_posts_per_week(5.0, ("douyin",)) == {"douyin": 5}
    assert check_posts_per_week({"douyin": 5, "xiaohongshu": 4, "wechat": 3, "weibo": 5}, PLATFORMS) == {
        "douyin": 5, "xiaohongshu": 4, "wechat": 3, "weibo": 5}
    # "4 for all, douyin 7"
    assert check_posts_per_week({"default": 4, "douyin": 7}, PLATFORMS) == {
        "douyin": 7, "xiaohongshu": 4, "wechat": 4, "weibo": 4}
    # the planned platforms' order, whatever the map's order
    assert list(check_posts_per_week({"weibo": 2, "douyin": 1}, ("douyin", "weibo"))) == ["douyin", "weibo"]


@pytest.mark.parametrize("value, words", [
    ({"douyin": 5}, ["no number for xiaohongshu, wechat, weibo", '"default"']),
    ({"default": 5, "bilibili": 3}, ["bilibili", "not planned"]),
    ({"douyin": 2.5, "default": 4}, ["posts_per_week[douyin]", "whole number"]),
    (0, ["between 1 and 168"]),
    ({"default": 200}, ["posts_per_week[default]", "between 1 and 168"]),
    ({"douyin": "many", "default": 4}, ["posts_per_week[douyin]", "must be a number"]),
    ({}, ["empty map"]),
    ("5", ["one whole number for every platform", '{"default": 4, "douyin": 7}']),
    ([5, 4], ["must be a map"]),
])
def test_posts_per_week_errors_name_the_problem(value: object, words: list[str]) -> None:
    with pytest.raises(ParameterError, match="posts_per_week") as info:
        check_posts_per_week(value, PLATFORMS)
    assert all(w in str(info.value) for w in words), str(info.value)


@pytest.mark.parametrize("old", ["douyin=5,xiaohongshu=4,wechat=3,weibo=5", "4,douyin=7", "douyin:5"])
def test_posts_per_week_old_text_form_is_refused_with_the_new_form(old: str) -> None:
    with pytest.raises(ParameterError) as info:
        check_posts_per_week(old, PLATFORMS)
    _old_form(info, "posts_per_week", '{"default": 4, "douyin": 7}', "{default: 4, douyin: 7}")


# --- mix -------------------------------------------------------------------------------------------


def test_mix_gives_each_tier_in_order_and_sums_to_one() -> None:
    assert check_mix({"daily": 0.6, "series": 0.3, "flagship": 0.1}) == {"daily": 0.6, "series": 0.3, "flagship": 0.1}
    assert list(check_mix({"flagship": 0.2, "daily": 0.5, "series": 0.3})) == ["daily", "series", "flagship"]
    assert check_mix({"daily": 1, "series": 0, "flagship": 0}) == {"daily": 1.0, "series": 0.0, "flagship": 0.0}


@pytest.mark.parametrize("value, words", [
    ({"daily": 0.6, "series": 0.3, "flagship": 0.2}, ["sum to 1", "1.1"]),      # 0.6 + 0.3 + 0.2 = 1.1
    ({"daily": 0.7, "series": 0.3}, ["each tier", "missing: flagship"]),
    ({"daily": 1.2, "series": -0.3, "flagship": 0.1}, ["mix[daily]", "between 0 and 1"]),
    ({"daily": 0.6, "series": 0.3, "hero": 0.1}, ["unknown key(s) ['hero']"]),
    ({}, ["empty map"]),
])
def test_mix_errors_name_the_problem(value: object, words: list[str]) -> None:
    with pytest.raises(ParameterError, match="mix") as info:
        check_mix(value)
    assert all(w in str(info.value) for w in words), str(info.value)


@pytest.mark.parametrize("old", ["daily=0.6,series=0.3,flagship=0.1", "daily:0.5,series:0.2,flagship:0.3"])
def test_mix_old_text_form_is_refused_with_the_new_form(old: str) -> None:
    with pytest.raises(ParameterError) as info:
        check_mix(old)
    _old_form(info, "mix", '{"daily": 0.6, "series": 0.3, "flagship": 0.1}',
              "{daily: 0.6, series: 0.3, flagship: 0.1}")


# --- fixed_columns ---------------------------------------------------------------------------------


def test_fixed_columns_from_a_list_of_maps() -> None:
    cols = check_fixed_columns([WED_VLOG, {"weekday": "Friday", "platform": "weibo", "tier": "daily",
                                           "format": "image", "label": "周五: 宠粉日"}], PLATFORMS)
    assert cols == (FixedColumn(2, "douyin", "series", "short_video", "周三vlog"),
                    FixedColumn(4, "weibo", "daily", "image", "周五: 宠粉日"))
    # no label: the weekday and format; Chinese weekday names are read
    sunday = check_fixed_columns([{"weekday": "周日", "platform": "wechat", "tier": "flagship", "format": "article"}],
                                 PLATFORMS)
    assert sunday[0].weekday == 6 and sunday[0].label == "Sun article"


@pytest.mark.parametrize("none", [[], "", None, ()])
def test_no_fixed_columns(none: object) -> None:
    assert check_fixed_columns(none, PLATFORMS) == ()


@pytest.mark.parametrize("item, words", [
    ({"weekday": "wed", "platform": "douyin", "tier": "series"}, ["fixed_columns[0]", "lacks format"]),
    ({**WED_VLOG, "weekday": "someday"}, ["fixed_columns[0]", "weekday 'someday'"]),
    ({**WED_VLOG, "platform": "bilibili"}, ["fixed_columns[0]", "'bilibili' is not planned"]),
    ({**WED_VLOG, "tier": "hero"}, ["fixed_columns[0]", "tier 'hero'"]),
    ({**WED_VLOG, "format": "podcast"}, ["fixed_columns[0]", "format 'podcast'"]),
    ({**WED_VLOG, "time": "20:00"}, ["fixed_columns[0]", "unknown key(s) ['time']"]),
    (["wed", "douyin"], ["fixed_columns[0]", "must be a map"]),
])
def test_fixed_column_errors_name_the_column_and_the_field(item: object, words: list[str]) -> None:
    with pytest.raises(ParameterError) as info:
        check_fixed_columns([item], PLATFORMS)
    assert all(w in str(info.value) for w in words), str(info.value)


def test_fixed_columns_must_be_a_list() -> None:
    with pytest.raises(ParameterError, match="must be a list of maps"):
        check_fixed_columns(WED_VLOG, PLATFORMS)
    with pytest.raises(ParameterError, match="must be a list of maps"):
        check_fixed_columns("wed", PLATFORMS)


def test_fixed_columns_old_text_form_is_refused_with_the_new_form() -> None:
    with pytest.raises(ParameterError) as info:
        check_fixed_columns("wed:douyin:series:short_video:周三vlog; fri:weibo:daily:image:周五宠粉日", PLATFORMS)
    _old_form(info, "fixed_columns",
              '[{"weekday": "wed", "platform": "douyin", "tier": "series", "format": "short_video", '
              '"label": "周三vlog"}]',
              "[{weekday: wed, platform: douyin, tier: series, format: short_video, label: 周三vlog}]")


# --- capacity --------------------------------------------------------------------------------------


def test_capacity_map_or_none() -> None:
    assert check_capacity({}) is None and check_capacity(None) is None and check_capacity("") is None
    assert check_capacity({"short_video": 12, "carousel": 10.0}) == {"short_video": 12, "carousel": 10}
    assert check_capacity({"live": 0}) == {"live": 0}


@pytest.mark.parametrize("value, words", [
    ({"podcast": 3}, ["unknown key(s) ['podcast']"]),
    ({"video": -1}, ["capacity[video]", "between 0"]),
    ({"video": 2.5}, ["capacity[video]", "whole number"]),
    (12, ["must be a map"]),
])
def test_capacity_errors_name_the_problem(value: object, words: list[str]) -> None:
    with pytest.raises(ParameterError, match="capacity") as info:
        check_capacity(value)
    assert all(w in str(info.value) for w in words), str(info.value)


def test_capacity_old_text_form_is_refused_with_the_new_form() -> None:
    with pytest.raises(ParameterError) as info:
        check_capacity("short_video=18,carousel=12")
    _old_form(info, "capacity", '{"short_video": 12, "carousel": 10}', "{short_video: 12, carousel: 10}")


# --- platforms and month ---------------------------------------------------------------------------


def test_platforms_own_or_a_list() -> None:
    assert select_platforms(ACCOUNTS, "own") == ("douyin", "weibo")
    assert select_platforms(ACCOUNTS, "") == ("douyin", "weibo")
    assert select_platforms(ACCOUNTS, ["weibo", "douyin"]) == ("weibo", "douyin")
    assert select_platforms(ACCOUNTS, "weibo") == ("weibo",)
    with pytest.raises(ParameterError, match="xiaohongshu not a platform with an own account"):
        select_platforms(ACCOUNTS, ["douyin", "xiaohongshu"])


def test_platforms_old_text_form_is_refused_with_the_new_form() -> None:
    with pytest.raises(ParameterError) as info:
        select_platforms(ACCOUNTS, "douyin,weibo")
    _old_form(info, "platforms", '["douyin", "xiaohongshu"]', "[douyin, xiaohongshu]")


def test_month_next_is_the_month_after_the_last_post() -> None:
    posts = pd.DataFrame({"published_at": pd.to_datetime(["2026-11-15 21:00", "2026-10-01 08:00"])})
    assert resolve_month("next", posts)[0] == "2026-12"
    dec = pd.DataFrame({"published_at": pd.to_datetime(["2026-12-31 23:00"])})
    assert resolve_month("next", dec)[0] == "2027-01"
    assert resolve_month("2026-06", posts) == ("2026-06", "the month 2026-06")
    with pytest.raises(ParameterError, match="plan_month"):
        resolve_month("June", posts)


# --- prepare ---------------------------------------------------------------------------------------


def test_prepare_takes_keywords_only_and_has_no_defaults() -> None:
    params = inspect.signature(prepare).parameters.values()
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty for p in params)
    with pytest.raises(TypeError):
        prepare()  # type: ignore[call-arg]


def test_prepare_on_the_sample(sample_dir: Path) -> None:
    run = _prepare(fixed_columns=[WED_VLOG], capacity={"short_video": 18})
    assert run.month == "2026-12" and run.label == "2026-12"
    assert run.platforms == PLATFORMS
    assert run.settings.posts_per_week == {"douyin": 5, "xiaohongshu": 4, "wechat": 3, "weibo": 5}
    assert run.settings.mix == {"daily": 0.6, "series": 0.3, "flagship": 0.1}
    assert run.settings.fixed_columns == (FixedColumn(2, "douyin", "series", "short_video", "周三vlog"),)
    assert run.settings.capacity == {"short_video": 18}
    assert set(run.own_posts["account_id"]) == {"own_douyin", "own_xhs", "own_wechat", "own_weibo"}
    assert "Double 12" in set(run.key_dates()["name"])
    two = _prepare(platforms=["douyin", "weibo"], posts_per_week=5, fixed_columns=[], capacity={})
    assert two.label == "2026-12_douyin-weibo" and two.settings.capacity is None


def test_rebuild_with_changed_settings_csv_bytes_and_capacity(sample_dir: Path) -> None:
    run = _prepare(platforms=["douyin", "weibo"], posts_per_week=5, fixed_columns=[], capacity={})
    works = performance.what_works(run.own_posts, run.accounts)
    table = windows.posting_windows(run.own_posts, run.accounts, platforms=list(run.platforms))
    scores = topics.score_topics(run.topic_bank, works, list(run.platforms))
    keys = run.key_dates()
    cal = run.rebuilder(table, scores, keys)(mix={"daily": 0.5, "series": 0.3, "flagship": 0.2}, reserve_share=0.3,
                                             posts_per_week={"douyin": 7, "weibo": 3})
    s = cal.summary()
    # round-half-up(7 × 31 / 7) = 31 and round-half-up(3 × 31 / 7 = 13.3) = 13
    assert s["slots_per_platform"] == {"douyin": 31, "weibo": 13}
    assert abs(s["reserve"] - 0.3 * s["slots"]) <= 1
    assert run.calendar(table, scores, keys).summary()["slots_per_platform"] == {"douyin": 22, "weibo": 22}
    raw = calendar_csv_bytes(cal.slots)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert list(pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig").columns[:9]) == [
        "date", "time", "platform", "tier", "pillar", "format", "topic", "reason", "is_reserve"]
    assert "BEGIN:VEVENT" in run.ics(cal).decode()
    cap = run.capacity(cal)  # no capacity parameter: every planned format listed, none judged
    assert set(cap["status"]) == {"no capacity given"}
    assert cap["planned"].sum() + cap["reserve"].sum() == s["slots"]
    with pytest.raises(ParameterError, match="mix"):
        run.with_changes(mix={"daily": 0.9, "series": 0.3, "flagship": 0.1})


@pytest.mark.parametrize("kwargs, words", [
    ({"reserve_share": 0.5}, ["reserve_share", "0.3"]),
    ({"timezone": "Mars/Olympus"}, ["timezone", "IANA"]),
    ({"country": "XX"}, ["country", "XX"]),
    ({"er_base": "followers"}, ["er_base", "impressions"]),
    ({"min_gap_hours": 30}, ["min_gap_hours"]),
    ({"extra_dates_file": "/nonexistent/dates.yaml"}, ["extra_dates_file", "does not exist"]),
    ({"posts_per_week": 30, "min_gap_hours": 6}, ["posts_per_week", "6-hour minimum gap", "min_gap_hours"]),
    ({"platforms": "bilibili"}, ["platforms", "bilibili"]),
    ({"platforms": ["douyin", "weibo"]}, ["posts_per_week names xiaohongshu, wechat", "not planned"]),
    ({"mix": "daily:0.5,series:0.2,flagship:0.3"}, ["mix", "old text form"]),
    ({"fixed_columns": [{**WED_VLOG, "platform": "bilibili"}]}, ["fixed_columns[0]", "not planned"]),
])
def test_bad_parameters_fail_with_a_clear_message(sample_dir: Path, kwargs: dict, words: list[str]) -> None:
    with pytest.raises(ParameterError) as info:
        _prepare(**kwargs)
    assert all(w in str(info.value) for w in words), str(info.value)


def test_extra_dates_file_is_read(sample_dir: Path, tmp_path: Path) -> None:
    extra = tmp_path / "dates.yaml"
    extra.write_text("marketing_dates:\n  - name: Brand Day\n    name_zh: 品牌日\n    rule: 12-08\n    lead_days: 2\n",
                     encoding="utf-8")
    run = _prepare(extra_dates_file=str(extra))
    assert "Brand Day" in set(run.key_dates()["name"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("marketing_dates:\n  - name: X\n    rule: someday\n", encoding="utf-8")
    with pytest.raises(DataError, match="someday"):
        _prepare(extra_dates_file=str(bad))


def test_empty_topic_bank_is_an_error(sample_dir: Path, tmp_path: Path) -> None:
    for table in ("accounts", "posts"):
        (tmp_path / f"{table}.csv").write_bytes((sample_dir / f"{table}.csv").read_bytes())
    (tmp_path / "topic_bank.csv").write_text("topic,pillar,format,source,strategic_weight,notes\n", encoding="utf-8")
    with pytest.raises(DataError, match="topic_bank"):
        _prepare(data_dir=str(tmp_path))


# --- extra_topic_banks (topic-bank rows proposed from comments, issue 18) ------------------------------------


COMMENT_TOPICS = ("topic,pillar,format,source,strategic_weight,notes\n"
                  "敏感肌能用吗？成分与刺激性解答,产品种草,carousel,comments,5,评论高频问题（38 条）\n"
                  "物流多久能到？发货时效说明,产品种草,short_video,comments,,评论高频问题（21 条）\n")


def test_extra_topic_banks_default_is_todays_topic_bank(sample_dir: Path) -> None:
    run = _prepare()
    assert run.extra_topic_banks == ()
    own = pd.read_csv(sample_dir / "topic_bank.csv", dtype=str)
    assert run.topic_bank["topic"].tolist() == own["topic"].tolist()


def test_extra_topic_banks_are_appended_and_scheduled(sample_dir: Path, tmp_path: Path) -> None:
    extra = tmp_path / "topic_bank_from_comments.csv"
    extra.write_text(COMMENT_TOPICS, encoding="utf-8")
    run = _prepare(extra_topic_banks=[str(extra)], platforms=["douyin", "weibo"], posts_per_week=5, fixed_columns=[],
                   capacity={})
    own = pd.read_csv(sample_dir / "topic_bank.csv", dtype=str)
    bank = run.topic_bank
    assert run.extra_topic_banks == (extra,)
    assert len(bank) == len(own) + 2  # the bank's rows first, then the file's two
    added = bank.iloc[len(own):]
    assert added["topic"].tolist() == ["敏感肌能用吗？成分与刺激性解答", "物流多久能到？发货时效说明"]
    assert added["source"].tolist() == ["comments", "comments"]
    assert added["strategic_weight"].iloc[0] == 5.0 and pd.isna(added["strategic_weight"].iloc[1])  # missing stays
    # End to end: with weight 5 the comment topic is among the best on each platform, and the calendar plans it.
    works = performance.what_works(run.own_posts, run.accounts)
    table = windows.posting_windows(run.own_posts, run.accounts, platforms=list(run.platforms))
    scores = topics.score_topics(run.topic_bank, works, list(run.platforms))
    assert "敏感肌能用吗？成分与刺激性解答" in set(scores["topic"])
    calendar = run.calendar(table, scores, run.key_dates())
    assert "敏感肌能用吗？成分与刺激性解答" in set(calendar.slots["topic"])


def test_extra_topic_banks_drop_rows_the_bank_already_has(sample_dir: Path, tmp_path: Path) -> None:
    own = pd.read_csv(sample_dir / "topic_bank.csv", dtype=str)
    first = own.iloc[0]
    extra = tmp_path / "again.csv"
    extra.write_text(f"topic,pillar,format,source\n{first['topic']},{first['pillar']},{first['format']},comments\n",
                     encoding="utf-8")
    run = _prepare(extra_topic_banks=[str(extra)])
    assert len(run.topic_bank) == len(own)  # the bank's own row (and weight) is kept, the copy dropped


def test_an_empty_extra_topic_bank_adds_nothing(sample_dir: Path, tmp_path: Path) -> None:
    extra = tmp_path / "none.csv"
    extra.write_text("topic,pillar,format,source,strategic_weight,notes\n", encoding="utf-8")
    own = pd.read_csv(sample_dir / "topic_bank.csv", dtype=str)
    assert len(_prepare(extra_topic_banks=[str(extra)]).topic_bank) == len(own)


def test_bad_extra_topic_bank_rows_name_the_file_and_line(sample_dir: Path, tmp_path: Path) -> None:
    extra = tmp_path / "bad.csv"
    extra.write_text(COMMENT_TOPICS + "播客选题,产品种草,podcast,comments,1,\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        _prepare(extra_topic_banks=[str(extra)])
    message = str(info.value)  # header = line 1, so the third row is line 4
    assert all(w in message for w in ("extra_topic_banks", str(extra), "format", "podcast", "line(s) 4")), message
    blank = tmp_path / "blank.csv"
    blank.write_text(COMMENT_TOPICS + ",产品种草,image,comments,1,\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        _prepare(extra_topic_banks=[str(extra), str(blank)])
    message = str(info.value)  # every file's problems in one message
    assert all(w in message for w in (str(blank), "'topic'", "missing value", "line(s) 4", "podcast")), message
    no_format = tmp_path / "no_format.csv"
    no_format.write_text("topic,pillar\nA,B\n", encoding="utf-8")
    with pytest.raises(DataError, match="format"):
        _prepare(extra_topic_banks=[str(no_format)])


@pytest.mark.parametrize("value, words", [
    (["/nonexistent/topics.csv"], ["extra_topic_banks", "/nonexistent/topics.csv", "does not exist"]),
    (5, ["extra_topic_banks", "list"]),
    ("a.csv,b.csv", ["extra_topic_banks", "old text form"]),
])
def test_bad_extra_topic_banks_parameter(sample_dir: Path, value: object, words: list[str]) -> None:
    with pytest.raises(ParameterError) as info:
        _prepare(extra_topic_banks=value)
    assert all(w in str(info.value) for w in words), str(info.value)
