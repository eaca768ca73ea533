"""helpers.competitors.findings: every sentence, line and summary dict, with expectations worked out by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from competitor_frames import benchmark_frame
from helpers import i18n
from helpers.competitors import findings
from helpers.competitors.benchmark import FIELD_ROW, all_percentile_ranks, field_leaders
from helpers.competitors.session import CompetitorRun


@pytest.fixture
def benchmark() -> pd.DataFrame:
    """A benchmark_table-shaped frame: own o, field a, b, c and the field median row."""
    return benchmark_frame()


def _run(er_base: str = "followers", notes: tuple[str, ...] = ()) -> CompetitorRun:
    """A prepared run by hand: o against a and b on douyin, May–October 2026."""
    empty = pd.DataFrame()
    return CompetitorRun(
        own_id="o", competitor_ids=("a", "b"), platform="douyin", category="美妆",
        start=pd.Timestamp("2026-05-01"), end=pd.Timestamp("2026-10-31"), label="o_2026-05..2026-10",
        window="6 complete months ending with the last complete month, 2026-10", er_base=er_base,
        components=("likes", "comments", "shares"), dropped_components={"saves": ("o",)}, top_n=5, hit_k=3.0,
        min_posts=10, data_dir=Path("/data"), notes=notes, lang="en", names={"o": "我们", "b": "乙"},
        tables={}, posts=empty)


# ------------------------------------------------------------------------------------------------
# set-up and data check
# ------------------------------------------------------------------------------------------------

def test_set_up_lines_name_accounts_window_and_base() -> None:
    # accounts by name (a has none: its id), the platform as people name it, dates as they write them
    assert findings.set_up_lines(_run()) == [
        "Own account: 我们 (Douyin); competitors: a, 乙",
        "Window: May 1, 2026 – Oct 31, 2026 (6 complete months ending with the last complete month, 2026-10)",
        "Engagements = likes + comments + shares (reported by every compared account); "
        "ER base: followers at posting time"]
    assert findings.set_up_lines(_run("views"))[2].endswith("ER base: views (video posts only)")
    with i18n.use_language("zh-CN"):
        assert findings.set_up_lines(_run())[:1] + findings.set_up_lines(_run())[2:] == [
            "我方账号：我们（抖音）；竞品：a、乙",
            "互动量 = 点赞 + 评论 + 转发（所有对比账号都有的指标）；互动率分母：发布时粉丝数"]
        assert findings.set_up_lines(_run())[1].startswith("窗口：2026年5月1日至2026年10月31日")


def test_report_title_names_report_account_and_months() -> None:
    assert findings.report_title(_run()) == "Competitor analysis · 我们 (Douyin) · May 2026–Oct 2026"
    with i18n.use_language("zh-CN"):
        assert findings.report_title(_run()) == "竞品分析 · 我们（抖音） · 2026年5月–2026年10月"


def test_run_summary() -> None:
    summary = findings.run_summary(_run(notes=("saves reported only by o",)))
    assert list(summary) == ["title", "label", "window", "accounts", "engagement_definition", "notes"]
    assert summary["title"] == "Competitor analysis · 我们 (Douyin) · May 2026–Oct 2026"
    assert summary["label"] == "o_2026-05..2026-10"
    # May 31 + June 30 + July 31 + August 31 + September 30 + October 31 = 184 days
    assert summary["window"]["days"] == 184 and summary["window"]["start"] == pd.Timestamp("2026-05-01")
    assert summary["accounts"] == {"own": "o", "competitors": ["a", "b"], "platform": "douyin", "category": "美妆",
                                   "names": {"o": "我们", "a": "a", "b": "乙"}}  # a has no name: its id
    assert summary["engagement_definition"] == {"components": ["likes", "comments", "shares"],
                                                "dropped_components": {"saves": ("o",)}, "er_base": "followers",
                                                "er_base_text": "followers at posting time"}
    assert summary["notes"] == ["saves reported only by o"]


def test_data_note_lines() -> None:
    assert findings.data_note_lines([]) == [
        "Data notes: none — every compared account has posts, followers and the same engagement components in "
        "the window."]
    assert findings.data_note_lines(("x is missing", "y is late")) == ["Data notes:", "- x is missing", "- y is late"]


# ------------------------------------------------------------------------------------------------
# 1. benchmark
# ------------------------------------------------------------------------------------------------

def test_summary_rows_name_the_rate_and_its_base(benchmark: pd.DataFrame) -> None:
    ranks = all_percentile_ranks(benchmark, ["engagements_mean"])
    rows = findings.benchmark_rows(benchmark, ranks, {"o": "我们"})
    first = rows[0]
    assert first["account"] == "o" and first["name"] == "我们" and first["engagement_rate"] == 0.04
    assert first["engagement_rate_kind"] == "mean of per-post rates"
    assert first["engagement_rate_base"] == "by followers at posting time"
    # o's 50 engagements per post beat a (40), not b (90); c has none → 1 of 2
    assert first["percentile_ranks"] == {"engagements_mean": pytest.approx(0.5)}
    assert {"followers_end", "growth_pct", "posts_per_week"} <= set(first)
    assert rows[-1]["account"] == FIELD_ROW and rows[-1]["percentile_ranks"] == {}
    by_views = findings.benchmark_rows(benchmark.assign(er_base="views"), ranks)
    assert by_views[0]["engagement_rate_base"] == "by views" and by_views[0]["name"] == "o"


def test_benchmark_summary_keys(benchmark: pd.DataFrame) -> None:
    ranks = all_percentile_ranks(benchmark, ["engagements_mean"])
    own = ranks[ranks["account_id"] == "o"]
    summary = findings.benchmark_summary(benchmark, ranks, own, {"ratio_shared": 1.5})
    assert list(summary) == ["benchmark", "own_percentile_ranks", "fairness"]
    assert len(summary["benchmark"]) == 5 and summary["own_percentile_ranks"] is own
    assert summary["fairness"] == {"ratio_shared": 1.5}


def test_leader_lines_and_sentences(benchmark: pd.DataFrame) -> None:
    leaders = field_leaders(benchmark)
    assert findings.leader_lines(leaders) == ["Competitor with the most engagements per post: b",
                                              "Competitor with the most views per video post: b"]
    # engagements: b 90, the next a 40, field median 65; views: only b has a value (3,000)
    assert findings.leader_sentences(leaders, "followers") == [
        "So what: b leads the competitors on engagements per post (mean): 90 vs 40 for the next (a) and a field "
        "median of 65.",
        "So what: b is the only competitor with views per video post: 3,000."]
    nobody = field_leaders(benchmark.assign(views_per_video_post=np.nan))
    assert findings.leader_lines(nobody)[1] == "Competitor with the most views per video post: None"
    assert len(findings.leader_sentences(nobody, "followers")) == 1  # no leader, no sentence


FAIR = {"own_er_shared": 0.075, "own_er_all": 0.09, "field_median_er": 0.05, "ratio_shared": 1.5, "ratio_all": 1.8,
        "components_shared": ["likes", "comments", "shares"],
        "components_all": ["likes", "comments", "shares", "saves"]}


def test_fairness_sentence() -> None:
    # 0.075 / 0.05 = 1.5× on the shared components; 0.09 / 0.05 = 1.8× counting saves too
    assert findings.fairness_sentence(FAIR, "o", "followers") == [
        "So what: on likes + comments + shares, o has an ER by followers of 7.50%, 1.5× the field median (5.00%). "
        "Counting every component it reports (likes + comments + shares + saves) it would read 1.8×: that extra "
        "part comes only from metrics the competitors do not publish, so only the 1.5× is like for like. It "
        "still depends on how active each account's followers are."]
    assert findings.fairness_sentence(FAIR, "o", "followers", {"o": "我们"})[0].startswith(
        "So what: on likes + comments + shares, 我们 has an ER by followers of 7.50%")
    with i18n.use_language("zh-CN"):
        assert findings.fairness_sentence(FAIR, "o", "followers", {"o": "我们"})[0].startswith(
            "结论：按点赞 + 评论 + 转发计，我们按粉丝的互动率为 7.50%，是竞品中位数（5.00%）的 1.5×。")
    by_views = findings.fairness_sentence(FAIR, "o", "views")
    assert by_views[0].startswith("So what: on likes + comments + shares, o has an ER by views of 7.50%")
    assert by_views[0].endswith("so only the 1.5× is like for like.")
    assert findings.fairness_sentence({**FAIR, "ratio_shared": np.nan}, "o", "followers") == []


def test_rank_sentences_in_counts_of_competitors() -> None:
    own = pd.DataFrame({"metric": ["engagements_mean", "growth_pct", "followers_end", "posts_per_week"],
                        "rank_pct": [0.5, 1.0, 0.0, 0.625], "accounts_compared": [2, 2, 3, 4]})
    # best: growth 1.0 × 2 = 2 below; worst: followers 0.0 × 3 = 0 below
    assert findings.rank_sentences(own, "o", "followers") == [
        "So what: o ranks best on follower growth rate (2 of 2 competitors below).",
        "So what: o ranks worst on followers (0 of 3 competitors below)."]
    assert findings.rank_sentences(own.assign(rank_pct=np.nan), "o", "followers") == []
    assert findings.competitors_below(1.0, 4) == "4 of 4 competitors below"
    assert findings.competitors_below(0.625, 4) == "2.5 of 4 competitors below"  # 2 below + a tie counted half


def test_counting_check() -> None:
    big = pd.Series({"o": 0.062, "a": 0.01, "b": 0.02})
    # competitors' median (0.01 + 0.02) / 2 = 0.015; 0.062 > 1.5 × 0.015 = 0.0225; 0.062 / 0.015 = 4.13
    assert findings.counting_check(big, "o") == [
        "Check: o earns 6.2% engagements per view, the competitors' median 1.5% (4.1×): a gap this large may be "
        "partly a counting difference (back-office vs public counters), so read the ER comparison with care."]
    # 0.02 is not above 0.0225: no warning
    assert findings.counting_check(big.replace(0.062, 0.02), "o") == [
        "Check: o earns 2.0% engagements per view, the competitors' median 1.5%."]
    assert findings.counting_check(pd.Series({"o": np.nan, "a": 0.01}), "o") == []
    assert findings.counting_check(pd.Series({"o": 0.05, "a": np.nan}), "o") == []


def test_benchmark_so_what_keeps_the_order(benchmark: pd.DataFrame) -> None:
    own = pd.DataFrame({"metric": ["growth_pct", "followers_end"], "rank_pct": [1.0, 0.0],
                        "accounts_compared": [2, 3]})
    lines = findings.benchmark_so_what(field_leaders(benchmark), FAIR, own, pd.Series({"o": 0.02, "a": 0.015}),
                                       "o", "followers")
    # 2 leader sentences, the fairness sentence, best and worst, the check (0.02 < 1.5 × 0.015 = 0.0225)
    assert [line.split(" ")[2] for line in lines] == ["b", "b", "on", "o", "o", "earns"]
    assert lines[-1] == "Check: o earns 2.0% engagements per view, the competitors' median 1.5%."


def test_verdicts_of_one_account(benchmark: pd.DataFrame) -> None:
    table = findings.verdicts(benchmark, "o", ["engagements_mean", "growth_pct"])
    # engagements 50 / 65 = 0.77 ≤ 0.8 → weakness; growth 0.2 / 0.075 = 2.67 ≥ 1.2 → strength
    assert table["verdict"].tolist() == ["weakness", "strength"]
    assert table["ratio"].tolist() == pytest.approx([50 / 65, 0.2 / 0.075])


# ------------------------------------------------------------------------------------------------
# 2. growth and cadence, 3. share of voice
# ------------------------------------------------------------------------------------------------

def test_growth_lines(benchmark: pd.DataFrame) -> None:
    weekly = pd.DataFrame({"mean": [5.0, 4.0, 3.0, np.nan], "empty": [0, 1, 0, np.nan]},
                          index=pd.Index(["o", "a", "b", "c"], name="account_id"))
    # fastest competitor b +10 %; field median of a 5 % and b 10 % = 7.5 %; c has no cadence → left out
    assert findings.growth_lines(benchmark, weekly, "o", {"o": "我们"}) == [
        "So what: the fastest-growing competitor is b (+10.0% over the window, field median +7.5%); 我们 grew +20.0%.",
        "我们: 5.0 posts per week on average, 0 weeks without a post",
        "a: 4.0 posts per week on average, 1 week without a post",  # one week: singular
        "b: 3.0 posts per week on average, 0 weeks without a post"]
    with i18n.use_language("zh-CN"):
        assert findings.growth_lines(benchmark, weekly, "o", {"o": "我们"}) == [
            "结论：涨粉最快的竞品是b（窗口内 +10.0%，竞品中位数 +7.5%）；我们涨粉 +20.0%。",
            "我们：平均每周发布 5.0 条，0 周没有发布", "a：平均每周发布 4.0 条，1 周没有发布",
            "b：平均每周发布 3.0 条，0 周没有发布"]
    unknown = benchmark.assign(growth_pct=benchmark["growth_pct"].where(benchmark["account_id"] != "o"))
    assert findings.growth_lines(unknown, weekly, "o")[0].endswith("o has no growth figure.")
    no_field = benchmark.assign(growth_pct=benchmark["growth_pct"].where(benchmark["role"] == "own"))
    assert len(findings.growth_lines(no_field, weekly, "o")) == 3  # no competitor growth: only the cadence lines


def test_sov_summary_and_lines() -> None:
    sov = pd.DataFrame({"account_id": ["o", "a", "b"], "engagement_share": [0.5, 0.3, 0.2],
                        "posts_share": [0.25, 0.5, 0.25], "views_share": [0.2, 0.5, 0.3]})
    assert findings.sov_summary(sov, sov, "month") == {"share_of_voice": {"overall": sov, "over_time": sov,
                                                                          "per": "month"}}
    # loudest competitor a (30 % > 20 %); o's views share 20 % is the lowest of three → rank 3 of 3
    assert findings.sov_lines(sov, "o") == [
        "So what: o earns 50.0% of the compared accounts' engagements with 25.0% of their posts; the loudest "
        "competitor is a (30.0% of engagements with 50.0% of posts).",
        "So what: by video views the picture can differ: o has 20.0% of the field's views (rank 3 of 3)."]
    no_views = sov.assign(views_share=[np.nan, 0.6, 0.4])
    assert len(findings.sov_lines(no_views, "o")) == 1


# ------------------------------------------------------------------------------------------------
# 4. content
# ------------------------------------------------------------------------------------------------

def test_content_summary() -> None:
    mix = pd.DataFrame({"account_id": ["o"], "format": ["video"]})
    lift = pd.DataFrame({"topic": ["成分", "防晒"], "lift": [1.2, np.nan]})
    topics = pd.DataFrame({"account_id": ["o", "o", "a"], "topic": ["成分", "防晒", "成分"], "posts": [3, 2, 4]})
    summary = findings.content_summary(mix, mix, lift, lift, topics)
    assert list(summary) == ["content_mix", "topic_lift", "top_topics"]
    assert summary["topic_lift"]["topics"]["topic"].tolist() == ["成分"]  # the unjudged tag is left out
    assert summary["topic_lift"]["pillar"] is lift
    assert list(summary["top_topics"]) == ["o", "a"]
    assert summary["top_topics"]["o"].to_dict(orient="list") == {"topic": ["成分", "防晒"], "posts": [3, 2]}


def test_headings() -> None:
    assert findings.topics_heading(5) == "Top 5 topic tags per account (by posts):"
    assert findings.hits_heading(3) == "Top 3 hits per account (titles as published):"
    assert findings.wrote_line(22, 14) == "Wrote summary.json, 22 tables and 14 figures."


def test_content_lines() -> None:
    lift = pd.DataFrame({"pillar": ["成分科普", "教程"], "lift": [1.55, 1.2], "reliable": [True, False],
                         "lift_ci_low": [1.35, 0.9], "lift_ci_high": [1.78, 1.6], "n_with": [128, 40]})
    mix = pd.DataFrame({"account_id": ["o", "a", "b", "b"], "format": ["short_video", "short_video", "short_video",
                                                                       "image"],
                        "posts": [20, 16, 6, 30], "posts_with_rate": [20, 15, 5, 30],
                        "er_mean_of_rates": [0.02, 0.01, 0.05, 0.03], "er_ci_low": [0.015, 0.008, 0.04, 0.02],
                        "er_ci_high": [0.025, 0.012, 0.06, 0.04]})
    # reliable and > 1: 成分科普 only; video candidates: a (15 rated ≥ 10) — o is own, b has 5 rated, image is no video
    assert findings.content_lines(lift, mix, "o", "followers", 10) == [
        "So what: posts in the pillar 成分科普 earn 1.55× the ER of the same accounts' other posts "
        "(95% CI 1.35–1.78, 128 posts).",
        "So what: the competitor whose video earns most is a: short video at 1.00% ER by followers "
        "(CI 0.80%–1.20%, 16 posts); study its hit posts in section 6."]
    with i18n.use_language("zh-CN"):  # the format by its name, the account by its name
        assert findings.content_lines(lift, mix, "o", "followers", 10, {"a": "甲"})[1] == (
            "结论：视频表现最好的竞品是甲：短视频按粉丝的互动率为 1.00%（置信区间 0.80%–1.20%，16 条内容）；"
            "在第 6 节研究它的爆款。")
    lines = findings.content_lines(lift.assign(reliable=False), mix, "o", "views", 20)
    assert lines == ["So what: no pillar earns a reliably higher ER than the same accounts' other posts in this "
                     "window."]  # and no competitor video with 20 rated posts


# ------------------------------------------------------------------------------------------------
# 5. posting times, 6. hits
# ------------------------------------------------------------------------------------------------

def test_posting_summary_and_line() -> None:
    bands = pd.DataFrame({"label": ["16–20", "20–24"], "field_share": [0.29, 0.2], "field_accounts": [4, 3],
                          "own_share": [0.25, 0.3]})
    hotspots = pd.DataFrame({"label": ["Mon 18:00–19:00", "Tue 20:00–21:00"]})
    assert findings.posting_summary(hotspots, bands) == {"posting_hotspots": {"weekday_hour": hotspots,
                                                                              "hour_band": bands}}
    assert findings.posting_line(bands, hotspots, 4, "o") == (
        "So what: competitors cluster in 16–20 h (29% of their posts, 4 of 4 competitors post there); o puts 25% of "
        "its posts there. Busiest single slot: Mon 18:00–19:00.")


@pytest.fixture
def traits() -> pd.DataFrame:
    return pd.DataFrame({"trait": ["pillar", "format", "weekday"], "value": ["成分科普", "video", "Mon"],
                         "hit_share": [0.42, 0.5, 0.3], "post_share": [0.18, 0.5, 0.1], "lift": [0.42 / 0.18, 1.0, 3.0],
                         "q_value": [0.0001, 0.5, 0.2]})


def test_hits_summary_keeps_the_traits_below_q_0_1(traits: pd.DataFrame) -> None:
    thresholds = pd.DataFrame({"account_id": ["o"]})
    summary = findings.hits_summary(thresholds, thresholds, traits)
    assert list(summary) == ["hit_thresholds", "hit_posts", "hit_traits"]
    assert summary["hit_traits"]["value"].tolist() == ["成分科普"]  # q 0.0001; video 0.5 and Mon 0.2 are not


def test_hit_lines(traits: pd.DataFrame) -> None:
    hits, posts = pd.DataFrame(index=range(3)), pd.DataFrame(index=range(10))
    # only 成分科普 has q < 0.1 and lift > 1: 0.42 / 0.18 = 2.33 → 2.3×
    assert findings.hit_lines(hits, posts, traits, 3.0) == [
        "3 hit posts over 10 posts (k = 3).",
        "So what: hits are often pillar = 成分科普: 42% of hits vs 18% of posts (2.3×, q < 0.001)."]  # q 0.0001
    with i18n.use_language("zh-CN"):
        assert findings.hit_lines(hits, posts, traits, 3.0)[1] == (
            "结论：爆款多为内容支柱“成分科普”：占爆款的 42%，占全部内容的 18%（2.3×，q < 0.001）。")
    assert findings.hit_lines(hits, posts, traits.assign(q_value=0.5), 2.5) == [
        "3 hit posts over 10 posts (k = 2.5).",
        "So what: no format, pillar, weekday or time band is clearly over-represented among hits."]


# ------------------------------------------------------------------------------------------------
# 7. gaps
# ------------------------------------------------------------------------------------------------

def test_gaps_summary_and_lines() -> None:
    ranked = pd.DataFrame({c: [1, 2] for c in findings.OPPORTUNITY_SUMMARY}).assign(
        kind=["under-served", "crowded"], category=["成分科普", "教程"], dimension="pillar", extra=0)
    summary = findings.gaps_summary(ranked, ("a.", "b."))
    assert summary["opportunities"].columns.tolist() == list(findings.OPPORTUNITY_SUMMARY)  # extra left out
    assert summary["strategy_summary"] == ["a.", "b."]
    assert findings.strategy_lines(["成分科普 is worth more.", "No crowded pillar."]) == [
        "- 成分科普 is worth more.", "- No crowded pillar."]
    assert findings.top_opportunity_line(ranked) == "Top under-served opportunity: 成分科普 (pillar)"
    assert findings.top_opportunity_line(ranked.assign(kind="crowded")) == "Top under-served opportunity: none"


# ------------------------------------------------------------------------------------------------
# the executive summary
# ------------------------------------------------------------------------------------------------

SOV = pd.DataFrame({"account_id": ["o", "a", "b", "c"], "engagement_share": [0.4, 0.25, 0.35, 0.0]})
RANKED = pd.DataFrame({"rank": [1, 1], "dimension": ["pillar", "format"], "category": ["成分科普", "live"],
                       "kind": ["under-served", "over-invested"], "field_index": [1.37, 0.84],
                       "field_share": [0.23, 0.14], "own_share": [0.05, 0.2]})


def test_standings_rank_highest_first_and_leave_missing_out() -> None:
    table = findings.standings(pd.Series({"o": 50.0, "a": 40.0, "b": 90.0, "c": np.nan, "d": 50.0}))
    # 90 first; o and d tie at 50 and share rank 2; 40 has three accounts above it: rank 4; c (missing) left out
    assert table.to_dict(orient="list") == {"account_id": ["b", "d", "o", "a"], "value": [90.0, 50.0, 50.0, 40.0],
                                            "rank": [1, 2, 2, 4]}


def test_rank_tiles(benchmark: pd.DataFrame) -> None:
    names = {"o": "我们", "b": "乙"}
    # engagements per post: b 90 > o 50 > a 40 (c missing) → 2 of 3; gap to b 50 / 90 − 1 = −44.4 %
    tile = findings.rank_tile(benchmark, SOV, "engagements_mean", "Engagements per post", "#benchmark", "o", names)
    assert (tile.label, tile.value, tile.status, tile.href) == ("Engagements per post", "50", "neutral", "#benchmark")
    assert tile.lines == ("rank 2 of 3", "leader 乙: 90 (we are −44.4%)")
    # ER: o 4 % > b 3 % > a 2 % → first; ahead of b by 4 − 3 = 1.00 percentage point
    tile = findings.rank_tile(benchmark, SOV, "er_mean_of_rates", "Engagement rate", "#benchmark", "o", names)
    assert (tile.value, tile.status) == ("4.00%", "good")
    assert tile.lines == ("rank 1 of 3", "ahead of 乙 (3.00%) by +1.00 pp")
    # share of voice 40 % > 35 % > 25 % > 0 % → first of 4, +5.0 pp
    tile = findings.rank_tile(benchmark, SOV, "engagement_share", "Share of voice", "#sov", "o", names)
    assert (tile.value, tile.lines) == ("40.0%", ("rank 1 of 4", "ahead of 乙 (35.0%) by +5.0 pp"))
    # views per video post: o 1,000 < b 3,000 (a, c missing) → last of 2: bad
    tile = findings.rank_tile(benchmark, SOV, "views_per_video_post", "Views", "#benchmark", "o", names)
    assert (tile.status, tile.lines) == ("bad", ("rank 2 of 2", "leader 乙: 3,000 (we are −66.7%)"))
    with i18n.use_language("zh-CN"):
        tile = findings.rank_tile(benchmark, SOV, "engagements_mean", "Engagements per post", "#benchmark", "o",
                                  names)
        assert (tile.label, tile.lines) == ("条均互动量", ("第 2 / 3", "第一名乙：90（我方差 −44.4%）"))
    assert findings.rank_tile(benchmark.assign(growth_pct=np.nan), SOV, "growth_pct", "Follower growth", "#growth",
                              "o", names) is None


def test_executive_summary(benchmark: pd.DataFrame, traits: pd.DataFrame) -> None:
    ranks = all_percentile_ranks(benchmark)
    own_ranks = ranks[ranks["account_id"] == "o"]
    leaders = field_leaders(benchmark)
    summary = findings.executive_summary(_run(), benchmark, own_ranks, SOV, leaders, RANKED, traits)
    assert summary.title == "Competitor analysis · 我们 (Douyin) · May 2026–Oct 2026"
    # first on ER (4 % vs 3 %, 2 %), posts per week (5 vs 4, 3, 0), growth (20 % vs 10 %, 5 %) and share of voice
    # (40 %); second on engagements per post → 4 of 5 first, none last: good
    assert summary.verdict == ("我们 ranks first of 4 accounts on 4 of 5 headline benchmarks (engagement rate, posts "
                               "per week, follower growth, share of voice).")
    assert summary.verdict_status == "good"
    assert [t.status for t in summary.tiles] == ["neutral", "good", "good", "good", "good"]
    assert [t.href for t in summary.tiles] == ["#benchmark", "#benchmark", "#growth", "#growth", "#sov"]
    # leader b: 90 per post, median 65, 35 % of engagements; own percentile rank 0 on followers (120 vs a 210,
    # b 330) and views per video post (1,000 vs b 3,000): the gaps; hits: pillar 成分科普 42 % vs 18 % = 2.3×
    assert [(f.text, f.href) for f in summary.findings] == [
        ("Strongest competitor: 乙, with the most engagements per post among the competitors (90; field median 65) "
         "and 35.0% of the compared accounts' engagements.", "#benchmark"),
        ("Gap: 我们 trails the competitors on followers (120 vs 330 for 乙); views per video post (1,000 vs 3,000 "
         "for 乙).", "#benchmark"),
        ("Hit posts are often pillar = 成分科普: 42% of hits vs 18% of all posts (2.3×).", "#hits"),
        ("Opportunity: 成分科普 (pillar) is under-served: the field earns 1.37× its average ER there and gives it "
         "23% of posts; we give it 5%.", "#gaps"),
        ("Over-invested: live stream (format) takes 20% of our posts (14% for competitors) while the field earns "
         "only 0.84× its average ER there.", "#gaps")]
    assert [a.href for a in summary.actions] == ["#gaps", "#gaps", "#hits"]
    assert summary.actions[0].text.startswith("Test more 成分科普: move its share of our posts from 5% toward the "
                                              "field's 23%")
    assert summary.actions[2].text.startswith("Study the hit posts of 乙")
    with i18n.use_language("zh-CN"):
        zh = findings.executive_summary(_run(), benchmark, own_ranks, SOV, leaders, RANKED, traits)
    assert zh.title == "竞品分析 · 我们（抖音） · 2026年5月–2026年10月"
    assert zh.verdict == ("在 4 个对比账号中，我们在 5 项核心指标里有 4 项排名第一"
                          "（互动率、周均发布、涨粉率、声量占比）。")
    assert zh.findings[4].text == ("投入过多：直播（内容形式）占我方发布的 20%（竞品为 14%），"
                                   "而竞品在这里的互动率只有其平均水平的 0.84×。")
    assert zh.actions[0].text.startswith("加测成分科普：把它在我方发布中的占比从 5% 向竞品的 23% 提升")


def test_executive_summary_without_opportunities_or_hit_traits(benchmark: pd.DataFrame, traits: pd.DataFrame
                                                               ) -> None:
    ranks = all_percentile_ranks(benchmark)
    summary = findings.executive_summary(_run(), benchmark, ranks[ranks["account_id"] == "o"], SOV,
                                         field_leaders(benchmark), RANKED.iloc[0:0], traits.assign(q_value=0.5))
    assert [f.href for f in summary.findings] == ["#benchmark", "#benchmark", "#hits"]
    assert summary.findings[2].text == "Hit posts share no clear format, pillar, weekday or time band."
    assert [a.href for a in summary.actions] == ["#hits"]
