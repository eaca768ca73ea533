"""helpers.planning.findings: every line the notebook prints and every summary entry, on hand-made results.

Each expectation is worked out by hand from the small tables below (the arithmetic is in the comments).
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from helpers import i18n
from helpers.planning import findings as F
from helpers.planning.schedule import SLOT_COLUMNS, Calendar, FixedColumn, PlanSettings
from helpers.planning.session import PlanningRun

NAN = math.nan
WED_VLOG = FixedColumn(2, "douyin", "series", "short_video", "周三vlog")


def _run(**settings_changes: object) -> PlanningRun:
    settings = PlanSettings(**{"posts_per_week": {"douyin": 5, "weibo": 3}, "fixed_columns": (WED_VLOG,),
                               "min_gap_hours": 3, **settings_changes})
    return PlanningRun(month="2026-12", month_note="the month 2026-12", platforms=("douyin", "weibo"),
                       settings=settings, country="CN", extra_dates_file=None, er_base="views", min_posts=5,
                       prior_strength=10.0, top_n=10, data_dir=Path("."), tables={})


# --- set-up --------------------------------------------------------------------------------------


def test_plan_lines_state_the_checked_settings() -> None:
    assert F.plan_lines(_run()) == (
        "Plan month: 2026-12 (the month 2026-12)\n"
        "Platforms and posts per week: Douyin 5, Weibo 3\n"
        "Mix: daily 60% / series 30% / flagship 10% | reserve 25% | min gap 3 h | Asia/Shanghai | holidays: CN\n"
        "Fixed columns: Wed Douyin series short video 周三vlog\n"
        "Engagement rate: engagements ÷ views per own post")
    lines = F.plan_lines(_run(fixed_columns=(), min_gap_hours=2.5, reserve_share=0.2)).splitlines()
    assert lines[2] == "Mix: daily 60% / series 30% / flagship 10% | reserve 20% | min gap 2.5 h | Asia/Shanghai | " \
                       "holidays: CN"
    assert lines[3] == "Fixed columns: none"


def test_plan_summary() -> None:
    assert F.plan_summary(_run()) == {
        "month": "2026-12", "month_chosen_as": "the month 2026-12", "platforms": ["douyin", "weibo"],
        "posts_per_week": {"douyin": 5, "weibo": 3}, "mix_target": {"daily": 0.6, "series": 0.3, "flagship": 0.1},
        "reserve_target": 0.25, "min_gap_hours": 3, "timezone": "Asia/Shanghai", "country": "CN",
        "fixed_columns": ["FixedColumn(Wed douyin series short_video '周三vlog')"], "er_base": "views"}


# --- 1. what works -------------------------------------------------------------------------------

WORKS = pd.DataFrame(
    [("douyin", "教程", "short_video", 20, 0.06, 0.05, 0.07, 0.055, 1.2, True, 18, 0.40, 0.35, 0.45),
     ("douyin", "种草", "carousel", 3, 0.03, 0.01, 0.05, 0.03, 0.6, False, 0, NAN, NAN, NAN),
     ("weibo", "成分科普", "image", 10, 0.02, 0.015, 0.025, 0.02, 0.8, True, 0, NAN, NAN, NAN),
     ("weibo", "教程", "video", 12, 0.03, 0.02, 0.04, 0.03, 1.2, True, 12, 0.30, 0.25, 0.35)],
    columns=["platform", "pillar", "format", "posts_with_rate", "er_mean_of_rates", "er_ci_low", "er_ci_high",
             "er_rate_of_sums", "er_index", "reliable", "completion_posts", "completion_rate_mean",
             "completion_ci_low", "completion_ci_high"])


def test_what_works_titles_and_video_completion() -> None:
    assert F.er_base_text("reach") == "engagements ÷ reach per own post"
    assert F.what_works_title("impressions") == ("Engagement rate by platform × pillar × format (engagements ÷ "
                                                 "impressions per own post), 95% CI and posts")
    video = F.video_completion(WORKS)
    assert list(video.index) == [0, 3] and list(video.columns) == F.COMPLETION_SHOWN  # the two groups with video
    assert F.completion_heading(video) == ("Completion rate of video posts (share of the video watched to the end), "
                                           "2 groups:")


def test_platform_means_are_recovered_from_the_index() -> None:
    # douyin 0.06 ÷ 1.2 = 0.05 (and 0.03 ÷ 0.6); weibo 0.02 ÷ 0.8 = 0.025 (and 0.03 ÷ 1.2)
    assert F.platform_means(WORKS).to_dict() == pytest.approx({"douyin": 0.05, "weibo": 0.025})


def test_what_works_so_what_names_the_best_reliable_group_and_the_thin_ones() -> None:
    text = F.what_works_so_what(WORKS, ("douyin", "weibo", "wechat"), "impressions", 5)
    assert text.splitlines() == [
        "Platform mean ER (engagements ÷ impressions per own post): Douyin 5.00%, Weibo 2.50%",
        # douyin: the carousel is thin (3 posts), so short_video (index 1.2) is the best reliable group
        "So what: on Douyin the best reliable group is 教程 × short video: ER 6.00% (95% CI 5.00%–7.00%, 20 posts), "
        "1.20× the platform mean.",
        # weibo: video 1.2 beats image 0.8; wechat has no groups, so no line
        "So what: on Weibo the best reliable group is 教程 × long video: ER 3.00% (95% CI 2.00%–4.00%, 12 posts), "
        "1.20× the platform mean.",
        "Thin groups (under 5 posts, not to be over-read): Douyin 种草 carousel (3)"]
    reliable = F.what_works_so_what(WORKS[WORKS["reliable"]], ("douyin",), "impressions", 5)
    assert "Thin groups" not in reliable and len(reliable.splitlines()) == 2


# --- 2. posting windows --------------------------------------------------------------------------

BEST = pd.DataFrame(
    [("douyin", 1, "Tue 20:00", 1, 20, 1.31, 1.1, 1.5, 12), ("douyin", 2, "Sat 12:00", 5, 12, 1.1, 0.9, 1.3, 7),
     ("weibo", 1, "Mon 09:00", 0, 9, 1.2, 1.0, 1.4, 8)],
    columns=["platform", "rank", "label", "weekday", "hour", "index", "index_ci_low", "index_ci_high", "posts"])
TOP = {"douyin": [{"label": "Tue 20:00", "weekday": 1, "hour": 20, "index": 1.31, "index_ci_low": 1.1,
                   "index_ci_high": 1.5, "posts": 12},
                  {"label": "Sat 12:00", "weekday": 5, "hour": 12, "index": 1.1, "index_ci_low": 0.9,
                   "index_ci_high": 1.3, "posts": 7}],
       "weibo": [{"label": "Mon 09:00", "weekday": 0, "hour": 9, "index": 1.2, "index_ci_low": 1.0,
                  "index_ci_high": 1.4, "posts": 8}]}
CELLS = pd.DataFrame(
    [("douyin", "Tue 03:00", 2, 0.10, 0.06, 0.05),   # |0.10 − 0.06| = 0.04: the most pulled thin cell
     ("douyin", "Wed 04:00", 1, 0.01, 0.03, 0.04),   # |0.01 − 0.03| = 0.02
     ("weibo", "Mon 09:00", 8, 0.20, 0.10, 0.09),    # 8 posts: not thin
     ("weibo", "Sun 05:00", 0, NAN, 0.02, 0.02)],    # no posts
    columns=["platform", "label", "posts", "er_cell_mean", "er_shrunk", "er_prior"])


def test_top_windows_record() -> None:
    assert F.windows_title(10.0) == "ER index by weekday × hour, shrunk towards the hour pattern (m = 10)"
    assert F.top_windows(BEST, ("douyin", "weibo")) == TOP


def test_best_window_lines_name_the_evening() -> None:
    # douyin's best hour 20 is in 20:00–21:59; weibo's 9 is not, so its label is given
    assert F.best_window_lines(TOP) == ("Douyin: best posting window in the evening, 20:00–21:59\n"
                                        "Weibo: best posting window at Mon 09:00–10:00")


def test_shrinkage_example_is_the_most_pulled_cell_with_one_to_four_posts() -> None:
    assert list(F.shrinkage_example(CELLS)["label"]) == ["Tue 03:00"]
    assert F.shrinkage_example(CELLS[CELLS["posts"] > 4]).empty


def test_windows_so_what() -> None:
    assert F.windows_so_what(CELLS, TOP).splitlines() == [
        "Shrinkage at work: Douyin Tue 03:00 has 2 posts with a raw mean ER of 10.00%; pulled down towards its "
        "hour's 5.00% it counts as 6.00%: a few lucky posts do not make a window.",
        # 1 of the 2 platforms (douyin, 20:00) peaks in the evening
        "So what: 1 of 2 platforms peak between 20:00 and 21:59; Douyin best Tue 20:00–21:00 (1.31×, interval "
        "1.10–1.50); Weibo best Mon 09:00–10:00 (1.20×, interval 1.00–1.40)."]
    # one post pulled up: singular, "up", "unlucky"
    up = F.windows_so_what(CELLS.iloc[[1]], TOP).splitlines()[0]
    assert up == ("Shrinkage at work: Douyin Wed 04:00 has 1 post with a raw mean ER of 1.00%; pulled up towards its "
                  "hour's 4.00% it counts as 3.00%: a few unlucky posts do not break a window.")
    assert F.windows_so_what(CELLS.iloc[[2]], TOP).startswith("So what: ")  # no thin cell: no shrinkage line


# --- 3. topic scores -----------------------------------------------------------------------------

SCORES = pd.DataFrame(
    [("douyin", 1, "A", "成分科普", True), ("douyin", 2, "B", "成分科普", True), ("douyin", 3, "C", "教程", True),
     ("douyin", 4, "D", "教程", False), ("douyin", 5, "E", "种草", True), ("douyin", 6, "F", "种草", True),
     ("weibo", 1, "A", "成分科普", True), ("weibo", 2, "C", "教程", True), ("weibo", 3, "B", "成分科普", True),
     ("weibo", 4, "E", "种草", True), ("weibo", 5, "F", "种草", False), ("weibo", 6, "D", "教程", True)],
    columns=["platform", "rank", "topic", "pillar", "format_fit"]).assign(
        format="image", score=lambda f: 2 - f["rank"] / 10, expected_er=0.05, strategic_weight=1.0, level="pillar",
        reason="r")


def test_topic_table_and_record_keep_the_top_n_per_platform() -> None:
    shown = F.topic_table(SCORES, 2)
    assert list(zip(shown["platform"], shown["topic"], strict=True)) == [
        ("Douyin", "A"), ("Douyin", "B"), ("Weibo", "A"), ("Weibo", "C")]
    assert list(shown.columns) == F.TOPICS_SHOWN
    record = F.top_topics(SCORES, 2)
    assert list(record) == ["douyin", "weibo"] and list(record["weibo"]["topic"]) == ["A", "C"]
    assert list(record["douyin"].columns) == F.TOPICS_SAVED


def test_top_pillar_lines() -> None:
    # douyin top 3: A, B (成分科普), C (教程); weibo: A (成分科普), C (教程), B (成分科普): each pillar once, in order
    assert F.top_pillar_lines(SCORES, ("douyin", "weibo")) == ("Douyin: pillar of the top 3 topics: 成分科普, 教程\n"
                                                               "Weibo: pillar of the top 3 topics: 成分科普, 教程")


def test_topics_so_what() -> None:
    # top-5 places: douyin A B C D E, weibo A C B E F → 成分科普 2 + 2 = 4, 教程 2 + 1 = 3, 种草 1 + 2 = 3 of 10;
    # format_fit False: douyin D and weibo F = 2 pairs
    assert F.topics_so_what(SCORES, ("douyin", "weibo")) == (
        "So what: 成分科普 fills 4 of the 10 top-5 places across 2 platforms, so the calendar fills its flagships and "
        "best-fitting slots from it first; 2 topic × platform pairs are in a format the account has not posted on "
        "that platform (their estimate borrows the pillar level; section 5 shows which slots are re-cut).")


# --- 4. key dates --------------------------------------------------------------------------------

KEYS = pd.DataFrame({"date": pd.to_datetime(["2026-12-12", "2027-01-01"]), "name": ["Double 12", "New Year's Day"],
                     "kind": ["marketing", "holiday"], "in_month": [True, False],
                     "warmup_start": pd.to_datetime(["2026-12-07", "2026-12-29"])})


def test_key_date_lines() -> None:
    assert F.key_date_lines(KEYS) == (
        "2026-12-12 Double 12 (marketing date, in the month): warm-up from 2026-12-07\n"
        "2027-01-01 New Year's Day (public holiday, next month, warm-up starts in this one): warm-up from 2026-12-29")
    assert F.key_date_lines(KEYS.iloc[0:0]) == "No key dates in the month."


def test_key_dates_table_shows_dates_names_and_kinds_in_the_language() -> None:
    table = F.key_dates_table(KEYS)
    assert list(table["date"]) == ["Dec 12, 2026", "Jan 1, 2027"]
    assert list(table["warmup_start"]) == ["Dec 7, 2026", "Dec 29, 2026"]
    assert list(table["kind"]) == ["marketing date", "public holiday"]
    assert list(table.columns) == ["date", "name", "kind", "warmup_start", "in_month"]
    with i18n.use_language("zh-CN"):
        chinese = F.key_dates_table(KEYS.assign(name_zh=["双十二", "元旦"]))
    assert list(chinese["date"]) == ["2026年12月12日", "2027年1月1日"]
    assert list(chinese["name"]) == ["双十二", "元旦"] and list(chinese["kind"]) == ["营销节点", "法定节假日"]


# --- 5. the calendar -----------------------------------------------------------------------------

_SLOT_ROWS = [  # date, time, platform, tier, pillar, format, topic, reason, is_reserve, key_date, role, shared_with
    ("2026-12-01", "20:00", "douyin", "daily", "教程", "short_video", "A", "topic score 1.20", False, "", "regular",
     "weibo"),
    ("2026-12-02", "20:00", "weibo", "daily", "教程", "image", "A", "re-cut from short_video to image", False, "",
     "regular", "douyin"),
    ("2026-12-03", "21:00", "douyin", "reserve", "", "short_video", "", "reserved for breaking trends", True, "",
     "reserve", ""),
    ("2026-12-10", "20:00", "douyin", "series", "成分科普", "carousel", "B", "warm-up", False, "Double 12", "warm_up",
     ""),
    ("2026-12-12", "20:00", "douyin", "flagship", "成分科普", "live", "C", "flagship; re-cut from video to live", False,
     "Double 12", "key_date", ""),
    ("2026-12-15", "20:00", "weibo", "flagship", "种草", "video", "D", "topic score 1.10", False, "", "regular", ""),
    ("2026-12-20", "20:00", "weibo", "reserve", "", "image", "", "reserved for breaking trends", True, "", "reserve",
     ""),
    ("2026-12-22", "20:00", "weibo", "daily", "种草", "image", "E", "topic score 1.00", False, "", "regular", ""),
]
SLOTS = pd.DataFrame(_SLOT_ROWS, columns=["date", "time", "platform", "tier", "pillar", "format", "topic", "reason",
                                          "is_reserve", "key_date", "role", "shared_with"]).assign(
    date=lambda f: pd.to_datetime(f["date"]), label="",
    # the topics' own formats: A is a short video (re-cut to an image on weibo), C a long video (re-cut to live)
    topic_format=["short_video", "short_video", "", "carousel", "video", "video", "", "image"])[list(SLOT_COLUMNS)]
SETTINGS = PlanSettings({"douyin": 5, "weibo": 5})
CALENDAR = Calendar("2026-12", SETTINGS, SLOTS, ("A note.",))


def test_calendar_lines() -> None:
    # 8 slots, 4 per platform; reserve 2 of 8 = 25 %; one key-date flagship
    assert F.calendar_title("2026-12") == "Content calendar Dec 2026"
    assert F.calendar_lines(CALENDAR) == ("Slots: 8 (Douyin 4, Weibo 4); reserve 2 (25%)\n"
                                          "Key-date flagships: Double 12 2026-12-12 Douyin")
    with i18n.use_language("zh-CN"):
        assert F.calendar_title("2026-12") == "2026年12月排期表"
        assert F.calendar_lines(CALENDAR, KEYS.assign(name_zh=["双十二", "元旦"])) == (
            "发布位：8 个（抖音 4、微博 4）；预留位 2 个（25%）\n节点重磅：双十二 2026-12-12 抖音")
    no_key = Calendar("2026-12", SETTINGS, SLOTS.assign(role=SLOTS["role"].replace("key_date", "regular")))
    assert F.calendar_lines(no_key).endswith("Key-date flagships: none")


def test_calendar_notes() -> None:
    # planned 6 = daily 3 (A, A, E), series 1 (B), flagship 2 (C, D): 50 % / 17 % / 33 %; distinct topics A–E = 5;
    # 2 planned posts share a topic (A); 2 planned posts differ from their topic's format (weibo A, douyin C)
    assert F.recut_posts(SLOTS) == 2
    assert F.calendar_notes(CALENDAR).splitlines() == [
        "Notes:",
        "- A note.",
        "- 2 reserve slots (Douyin 1, Weibo 1) are marked as reserve: keep them for breaking trends, fill them in the "
        "week itself.",
        "- 1 planned post is a warm-up for Double 12.",
        "So what: 6 planned posts over 2 platforms, mix achieved daily 50% / series 17% / flagship 33% (target daily "
        "60% / series 30% / flagship 10%), 5 distinct topics (2 posts share theirs with another platform), 2 posts "
        "re-cut to another format."]


def test_calendar_record_and_table() -> None:
    record = F.calendar_record(CALENDAR)
    assert list(record) == ["calendar", "mix_achieved", "reserve_share", "calendar_notes"]
    assert "notes" not in record["calendar"] and record["calendar"]["slots"] == 8
    assert record["mix_achieved"] == pytest.approx({"daily": 3 / 6, "series": 1 / 6, "flagship": 2 / 6})
    assert record["reserve_share"] == 0.25 and record["calendar_notes"] == ["A note."]
    table = F.calendar_table(SLOTS)
    assert list(table.columns) == F.CALENDAR_SHOWN and table["date"].iloc[0] == "2026-12-01"


# --- 6. adaptation -------------------------------------------------------------------------------


def test_flagship_story_prefers_the_first_key_date_flagship() -> None:
    story = F.flagship_story(SLOTS)
    assert story is not None and story["topic"] == "C"
    assert F.story_line(story) == "Flagship: C (成分科普, live stream) on Douyin, 2026-12-12 20:00 for Double 12"
    without_key = SLOTS[SLOTS["role"] != "key_date"]
    other = F.flagship_story(without_key)
    assert other is not None and F.story_line(other) == "Flagship: D (种草, long video) on Weibo, 2026-12-15 20:00"
    assert F.flagship_story(SLOTS[SLOTS["tier"] != "flagship"]) is None
    assert F.story_line(None) == "No flagship in this plan (flagship share 0): nothing to adapt."


def test_adaptation_record() -> None:
    versions = pd.DataFrame({"platform": ["douyin"]})
    assert F.adaptation_record(F.flagship_story(SLOTS), versions) == {"topic": "C", "versions": versions}
    assert F.adaptation_record(None, versions)["topic"] is None


# --- 7. capacity and the run folder --------------------------------------------------------------


def _capacity(rows: list[tuple[str, int, int, float, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["format", "planned", "reserve", "capacity", "status"])
    return frame.assign(spare=frame["capacity"] - frame["planned"])


def test_capacity_so_what() -> None:
    judged = _capacity([("short_video", 20, 2, 18.0, "over capacity"), ("image", 10, 3, 12.0, "tight"),
                        ("article", 5, 0, 12.0, "ok")])
    assert F.capacity_so_what(judged) == ("So what: short video is over capacity (20 planned vs 18). Tight if the "
                                          "reserve is used: image post.")
    with i18n.use_language("zh-CN"):
        assert F.capacity_so_what(judged) == "结论：短视频超出产能（排了 20 条，产能 18）。预留位全部用上时偏紧：图文。"
    fits = _capacity([("article", 5, 0, 12.0, "ok")])
    assert F.capacity_so_what(fits) == "So what: every format fits the plan."
    none = _capacity([("article", 5, 1, NAN, "no capacity given")])
    assert F.capacity_so_what(none) == "No capacity parameter given: planned pieces per format only."


def test_written() -> None:
    assert F.written(75, 9, 6) == ("Wrote calendar.csv and calendar.ics (75 events), summary.json, 9 tables and 6 "
                                   "figures to the run folder.")


# --- the executive summary -----------------------------------------------------------------------

ACCOUNTS = pd.DataFrame({"account_id": ["d", "w", "x"], "platform": ["douyin", "weibo", "douyin"],
                         "name": ["青柠生活·抖音", "青柠生活·微博", "对手·抖音"],
                         "owner": ["own", "own", "competitor"]})
CAPACITY = _capacity([("short_video", 20, 2, 18.0, "over capacity"), ("image", 10, 3, 12.0, "tight"),
                      ("article", 5, 0, 12.0, "ok")])
KEYS_ZH = KEYS.assign(name_zh=["双十二", "元旦"])


def _summary_run() -> PlanningRun:
    return replace(_run(), tables={"accounts": ACCOUNTS})


def test_report_title_names_report_brand_and_month() -> None:
    # both own accounts are 青柠生活·<platform>: the brand is their common name; the competitor is left out
    assert F.report_title(_summary_run()) == "Content planning · 青柠生活 · Dec 2026"
    assert F.summary(_summary_run()) == {"title": "Content planning · 青柠生活 · Dec 2026"}
    with i18n.use_language("zh-CN"):
        assert F.report_title(_summary_run()) == "内容规划 · 青柠生活 · 2026年12月"


def test_key_dates_without_a_topic_of_their_own() -> None:
    # the Double 12 flagship carries topic "C", which names none of Double 12 / 双十二 / 双12
    assert F.key_dates_without_topic(CALENDAR, KEYS) == ["Double 12"]
    named = Calendar("2026-12", SETTINGS, SLOTS.assign(topic=SLOTS["topic"].replace("C", "双12宠粉直播")))
    assert F.key_dates_without_topic(named, KEYS.assign(aliases=["Double 12;双十二;双12", "New Year's Day"])) == []


def test_executive_summary_in_english() -> None:
    s = F.executive_summary(_summary_run(), CALENDAR, KEYS, TOP, SCORES, CAPACITY)
    assert s.title == "Content planning · 青柠生活 · Dec 2026"
    # 8 slots (douyin 4: rows 1, 3, 4, 5; weibo 4), 2 reserve = 2 / 8 = 25 %; Double 12 is the only key date in the
    # month (New Year's Day is next month) and has its flagship; short_video 20 > 18 is over capacity: at risk
    assert s.verdict == ("Content calendar Dec 2026: 8 slots (Douyin 4, Weibo 4), 2 of them reserve slots (25%); "
                         "1 of 1 key dates in the month carry a flagship.")
    assert (s.verdict_status, s.verdict_href) == ("at risk", "#calendar")
    assert [(t.label, t.value, t.status, t.lines) for t in s.tiles] == [
        ("Slots", "8", "info", ("Douyin 4, Weibo 4",)),
        ("Reserve slots", "25%", "info", ("2 slots, target 25%",)),
        ("Key-date flagships", "1 / 1", "healthy", ()),
        ("Production capacity", "1 over", "at risk", ("1 tight if the reserve is used",))]
    # planned 6: daily 3 / 6 = 50 %, series 1 / 6 = 17 %, flagship 2 / 6 = 33 %; 成分科普 has 4 of the 10 top-5 places
    assert [(f.text, f.href) for f in s.findings] == [
        ("Key dates: 1 in the month, each with one flagship: Double 12 (12 Dec, Douyin).", "#key-dates"),
        ("Topics: 成分科普 leads, with 4 of the 10 top-5 places across the platforms.", "#topics"),
        ("Posting windows: 1 of 2 platforms do best between 20:00 and 21:59; best windows: Douyin Tue 20:00–21:00, "
         "Weibo Mon 09:00–10:00.", "#windows"),
        ("Mix achieved daily 50% / series 17% / flagship 33% (target daily 60% / series 30% / flagship 10%).",
         "#calendar"),
        ("Short video is over capacity (20 planned vs 18). Tight if the reserve is used: image post.", "#capacity")]
    assert s.findings[-1].status == "at risk"
    # the first three actions: the key date without a topic, the format over capacity, the tight one
    assert [(a.text, a.href) for a in s.actions] == [
        ("Add a topic of its own for Double 12: its flagship carries a general topic now.", "#calendar"),
        ("Cut short video to 18 pieces (20 planned): move slots to another format, post less or add production.",
         "#capacity"),
        ("Decide now which reserve slots get lighter formats: image post would run out if every reserve slot is "
         "filled.", "#capacity")]


def test_executive_summary_in_chinese_and_without_capacity() -> None:
    with i18n.use_language("zh-CN"):
        s = F.executive_summary(_summary_run(), CALENDAR, KEYS_ZH, TOP, SCORES, CAPACITY)
        html = s._repr_html_()
    assert s.title == "内容规划 · 青柠生活 · 2026年12月"
    assert s.verdict == ("2026年12月排期表：共 8 个发布位（抖音 4、微博 4），其中预留位 2 个（25%）；"
                         "本月 1 个营销节点中 "
                         "1 个安排了重磅内容。")
    assert s.findings[0].text == "营销节点：本月 1 个，各安排 1 条重磅：双十二（12月12日，抖音）。"
    assert s.actions[0].text == "为双十二补专属选题：目前这些节点的重磅位用的是通用选题。"
    assert "▲ 风险" in html and 'href="#capacity"' in html
    # without a capacity: no capacity finding, the tile says so, the verdict is informational
    none = _capacity([("article", 5, 1, NAN, "no capacity given")])
    plain = F.executive_summary(_summary_run(), CALENDAR, KEYS, TOP, SCORES, none)
    assert plain.verdict_status == "info" and plain.tiles[3].value == "–" and len(plain.findings) == 4
    # shared topics (2 posts) and the reserve come next when nothing is over or tight
    assert [a.href for a in plain.actions] == ["#calendar", "#adaptation", "#calendar"]
