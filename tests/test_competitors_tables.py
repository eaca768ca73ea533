"""The competitor notebook's tables (benchmark, content, gaps): ranks, views, leaders, fairness, grids (by hand)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from competitor_frames import benchmark_frame
from helpers import i18n
from helpers.competitors import benchmark as bench
from helpers.competitors import content as cmix
from helpers.competitors import gaps
from helpers.competitors.benchmark import FIELD_ROW


@pytest.fixture
def benchmark() -> pd.DataFrame:
    """A benchmark_table-shaped frame: own o, field a, b, c and the field median row."""
    return benchmark_frame()


# ------------------------------------------------------------------------------------------------
# benchmark: roster, ranks, view, leaders, fairness, counting check
# ------------------------------------------------------------------------------------------------

def test_account_roster_counts_posts_own_first() -> None:
    posts = pd.DataFrame({"account_id": ["a", "o", "o"]})
    roster = bench.account_roster(posts, "o", ("a", "b"), {"o": "我们"})
    # o: 2 posts, a: 1, b: none in the posts given → a real 0; b has no name → its id
    assert roster.to_dict(orient="list") == {"account_id": ["o", "a", "b"], "name": ["我们", "a", "b"],
                                             "role": ["own", "competitor", "competitor"],
                                             "posts_in_window": [2, 1, 0]}


def test_percentile_ranks_of_every_account(benchmark: pd.DataFrame) -> None:
    ranks = bench.all_percentile_ranks(benchmark, ["engagements_mean", "growth_pct"])
    indexed = ranks.set_index(["account_id", "metric"])
    # engagements per post: o (50) beats a (40), not b (90); c has none → 1 of 2 = 0.5
    assert indexed.loc[("o", "engagements_mean"), "rank_pct"] == pytest.approx(0.5)
    assert indexed.loc[("b", "engagements_mean"), "rank_pct"] == pytest.approx(1.0)
    # growth: o (0.2) beats a and b; c unknown → 2/2
    assert indexed.loc[("o", "growth_pct"), "rank_pct"] == pytest.approx(1.0)
    assert np.isnan(indexed.loc[("c", "growth_pct"), "rank_pct"])
    assert FIELD_ROW not in indexed.index.get_level_values("account_id")
    own = bench.ranks_of(ranks, "o")
    assert own["metric"].tolist() == ["engagements_mean", "growth_pct"] and (own["account_id"] == "o").all()
    assert own.index.tolist() == [0, 1]


def test_field_value_reads_the_median_row(benchmark: pd.DataFrame) -> None:
    assert bench.field_value(benchmark, "er_mean_of_rates") == pytest.approx(0.025)
    assert np.isnan(bench.field_value(benchmark[benchmark["account_id"] != FIELD_ROW], "er_mean_of_rates"))


def test_benchmark_view_formats_rates_as_percentages(benchmark: pd.DataFrame) -> None:
    ranks = bench.all_percentile_ranks(benchmark)
    view = bench.benchmark_view(benchmark, bench.ranks_of(ranks, "o"), "followers", {"o": "我们"}).set_index("Metric")
    assert list(view.columns) == ["我们", "a", "b", "c", "field median", "own percentile rank"]  # names, not ids
    assert view.loc["follower growth rate", "我们"] == "20.00%"
    assert view.loc["engagement rate by followers (mean of rates)", "a"] == "2.00%"
    assert view.loc["followers", "c"] == "–"  # missing stays missing
    assert view.loc["engagements per post (mean)", "own percentile rank"] == "50%"


def test_benchmark_view_in_chinese(benchmark: pd.DataFrame) -> None:
    ranks = bench.all_percentile_ranks(benchmark)
    with i18n.use_language("zh-CN"):
        view = bench.benchmark_view(benchmark, bench.ranks_of(ranks, "o"), "followers", {"o": "我们"})
    assert list(view.columns) == ["指标", "我们", "a", "b", "c", "竞品中位数", "我方百分位排名"]
    view = view.set_index("指标")
    assert view.loc["涨粉率", "我们"] == "20.00%"
    assert view.loc["按粉丝的互动率（单条均值）", "a"] == "2.00%"


def test_flagged_notes_leave_out_the_field_row(benchmark: pd.DataFrame) -> None:
    flagged = bench.flagged_notes(benchmark)
    assert flagged.to_dict(orient="list") == {"account_id": ["c"], "note": ["no posts in the period"]}
    assert bench.flagged_notes(benchmark.assign(note="")).empty


def test_field_leader_excludes_the_own_account(benchmark: pd.DataFrame) -> None:
    lead = bench.field_leader(benchmark, "engagements_mean")
    assert (lead["account"], lead["value"], lead["runner_up"], lead["field_median"]) == ("b", 90.0, "a", 65.0)
    growth = bench.field_leader(benchmark, "growth_pct")  # o grows fastest but is not in the field
    assert growth["account"] == "b"
    nobody = bench.field_leader(benchmark.assign(views_per_video_post=np.nan), "views_per_video_post")
    assert nobody["account"] is None
    leaders = bench.field_leaders(benchmark)
    assert list(leaders) == ["engagements_mean", "views_per_video_post"]
    # views per video post: b (3000) is the only competitor with a value → no runner-up
    assert leaders["views_per_video_post"]["account"] == "b" and leaders["views_per_video_post"]["runner_up"] is None


def test_fairness_check_shows_what_saves_add() -> None:
    posts = pd.DataFrame({"account_id": ["o", "o"], "published_at": pd.to_datetime(["2026-10-02", "2026-10-03"]),
                          "likes": [80.0, 40.0], "comments": [10.0, 5.0], "shares": [10.0, 5.0], "saves": [20.0, 10.0]})
    daily = pd.DataFrame({"account_id": ["o"], "date": pd.to_datetime(["2026-10-01"]), "followers": [1000.0]})
    fair = bench.fairness_check(posts, daily, "o", "followers", ("likes", "comments", "shares"), 0.05)
    # shared: (100/1000 + 50/1000) / 2 = 0.075 → 1.5× of 0.05; with saves (120 + 60) / 2 / 1000 = 0.09 → 1.8×
    assert fair["own_er_shared"] == pytest.approx(0.075) and fair["ratio_shared"] == pytest.approx(1.5)
    assert fair["own_er_all"] == pytest.approx(0.09) and fair["ratio_all"] == pytest.approx(1.8)
    assert fair["components_all"] == ["likes", "comments", "shares", "saves"]
    empty = bench.fairness_check(posts.iloc[0:0], daily, "o", "followers", ("likes",), 0.05)
    assert np.isnan(empty["ratio_shared"])


def test_rank_extremes_keeps_every_tied_metric() -> None:
    ranks = pd.DataFrame({"metric": ["a", "b", "c", "d"], "rank_pct": [1.0, 0.0, 1.0, 0.0],
                          "accounts_compared": [4, 4, 4, 4]})
    best, worst = bench.rank_extremes(ranks)
    assert best["metric"].tolist() == ["a", "c"] and worst["metric"].tolist() == ["b", "d"]
    none_best, none_worst = bench.rank_extremes(ranks.assign(rank_pct=np.nan))
    assert none_best.empty and none_worst.empty


def test_engagements_per_view_is_a_rate_of_sums_over_posts_with_both() -> None:
    posts = pd.DataFrame({"account_id": ["o", "o", "o", "a"], "engagements": [60.0, 40.0, 5.0, np.nan],
                          "views": [1000.0, 1000.0, np.nan, 500.0]})
    # o: (60 + 40) / (1000 + 1000) = .05 (the post without views left out); a: no post with both → missing
    rate = bench.engagements_per_view(posts, ["o", "a"])
    assert rate["o"] == pytest.approx(0.05) and np.isnan(rate["a"])


def test_labels_state_the_base() -> None:
    assert bench.metric_labels("views", ["er_mean_of_rates", "posts_per_week"]) == {
        "er_mean_of_rates": "engagement rate by views (mean of rates)", "posts_per_week": "posts per week"}
    assert list(bench.metric_labels("followers")) == list(bench.BENCHMARK_METRICS)
    assert bench.er_base_text("followers") == "followers at posting time"
    assert bench.er_base_text("views") == "views (video posts only)"


# ------------------------------------------------------------------------------------------------
# benchmark: cadence, share of voice period, strengths view
# ------------------------------------------------------------------------------------------------

@pytest.fixture
def cadence() -> pd.DataFrame:
    weeks = pd.to_datetime(["2026-09-28", "2026-10-05", "2026-10-12"])
    return pd.DataFrame({"week_start": list(weeks) * 3, "account_id": ["a"] * 3 + ["o"] * 3 + ["z"] * 3,
                         "posts": [0.0, 0.0, 0.0, 2.0, 0.0, 1.0, np.nan, np.nan, np.nan]})


def test_cadence_grid_rows_in_order_and_week_labels(cadence: pd.DataFrame) -> None:
    grid = bench.cadence_grid(cadence, ["o", "a"])
    assert grid.index.tolist() == ["o", "a"] and grid.columns.tolist() == ["09-28", "10-05", "10-12"]
    assert grid.loc["o"].tolist() == [2.0, 0.0, 1.0]


def test_cadence_summary_means_and_empty_weeks(cadence: pd.DataFrame) -> None:
    weekly = bench.cadence_summary(cadence, ["o", "a", "z"])
    # o: (2 + 0 + 1) / 3 = 1.0 with one empty week; a: 0 posts in all three weeks; z unknown → mean missing
    assert weekly.loc["o", "mean"] == pytest.approx(1.0) and weekly.loc["o", "empty"] == 1
    assert weekly.loc["a", "mean"] == 0.0 and weekly.loc["a", "empty"] == 3
    assert np.isnan(weekly.loc["z", "mean"]) and weekly.index.tolist() == ["o", "a", "z"]


def test_sov_period_and_strengths_view() -> None:
    assert (bench.sov_period("W"), bench.sov_period("MS")) == ("week", "month")
    sw = pd.DataFrame({"account_id": ["o", "a"], "strengths": ["posts per week 1.5× field median", ""],
                       "weaknesses": ["", ""]})
    shown = bench.strengths_view(sw)
    assert shown["strengths"].tolist() == ["posts per week 1.5× field median", "none"]
    assert shown["weaknesses"].tolist() == ["none", "none"]


# ------------------------------------------------------------------------------------------------
# content: top topics, posting grids, hits shown, traits shown
# ------------------------------------------------------------------------------------------------

def test_top_topics_per_account() -> None:
    posts = pd.DataFrame({
        "account_id": ["a", "a", "a", "b"],
        "topics": ["成分;防晒", "成分", "防晒; 成分 ", None],
        "engagement_rate": [0.01, 0.03, np.nan, 0.02],
        "er_base": "followers",
    })
    table = cmix.top_topics(posts, n=1)
    # a: 成分 on 3 of 3 posts, mean ER over the two known = 0.02; b has no topics → no row
    assert table.to_dict(orient="records") == [{"account_id": "a", "topic": "成分", "posts": 3,
                                                "share_of_account_posts": 1.0, "er_mean_of_rates": pytest.approx(0.02),
                                                "er_base": "followers"}]
    both = cmix.top_topics(posts, n=5)
    assert both["topic"].tolist() == ["成分", "防晒"] and both["posts"].tolist() == [3, 2]


@pytest.fixture
def times() -> pd.DataFrame:
    return pd.DataFrame({"account_id": ["a", "a", "b", "b"], "weekday": [0, 6, 0, 0], "hour": [20, 9, 20, 21],
                         "posts": [3, 1, 2, 2]})


def test_time_grids_are_shares(times: pd.DataFrame) -> None:
    field = cmix.time_grid(times, ["a", "b"])
    assert field.shape == (7, 24) and field.to_numpy().sum() == pytest.approx(1.0)
    # Mon 20:00: 3 (a) + 2 (b) of 8 posts; Sun 09:00: 1 of 8
    assert field.loc["Mon", 20] == pytest.approx(5 / 8) and field.loc["Sun", 9] == pytest.approx(1 / 8)
    hours = cmix.account_hour_grid(times)
    assert hours.loc["a", 20] == pytest.approx(0.75) and hours.loc["b", 21] == pytest.approx(0.5)
    assert hours.sum(axis=1).tolist() == pytest.approx([1.0, 1.0])


def test_hour_grid_in_the_given_order_without_silent_accounts(times: pd.DataFrame) -> None:
    assert cmix.posting_accounts(times, ["b", "x", "a"]) == ["b", "a"]  # x has no posting times
    ordered = cmix.account_hour_grid(times, order=["b", "x", "a"])
    assert ordered.index.tolist() == ["b", "a"] and ordered.loc["b", 20] == pytest.approx(0.5)


def test_top_hits_keeps_the_first_n_of_each_account() -> None:
    hits = pd.DataFrame({"account_id": ["a", "a", "a", "b"], "post_id": ["a1", "a2", "a3", "b1"],
                         "value": [90.0, 80.0, 70.0, 50.0]})
    assert cmix.top_hits(hits, 2)["post_id"].tolist() == ["a1", "a2", "b1"]


def test_trait_view_keeps_traits_with_hits() -> None:
    traits = pd.DataFrame({"trait": ["format", "format", "pillar"], "value": ["video", "image", "教程"],
                           "hits": [2, 0, 1]})
    assert cmix.trait_view(traits)["value"].tolist() == ["video", "教程"]
    assert cmix.trait_view(traits, rows=1)["value"].tolist() == ["video"]


# ------------------------------------------------------------------------------------------------
# gaps: one ranked list, what to show, coverage
# ------------------------------------------------------------------------------------------------

def test_ranked_opportunities_put_under_served_first_across_dimensions() -> None:
    pillar = pd.DataFrame({"rank": [1, 1], "dimension": "pillar", "category": ["成分科普", "教程"],
                           "kind": ["under-served", "crowded"], "score": [0.05, 0.04], "field_posts": [30, 40]})
    fmt = pd.DataFrame({"rank": [1], "dimension": "format", "category": ["live"], "kind": ["under-served"],
                        "score": [0.08], "field_posts": [10]})
    table = gaps.ranked_opportunities(pillar, fmt)
    assert table["category"].tolist() == ["live", "成分科普", "教程"]
    assert table["rank"].tolist() == [1, 2, 1]
    assert gaps.ranked_opportunities().empty


def _opportunities() -> pd.DataFrame:
    return pd.DataFrame({"rank": [1, 2, 1], "dimension": "topic", "category": ["成分", "防晒", "教程"],
                         "kind": ["under-served", "under-served", "crowded"], "score": [0.05, 0.01, 0.04],
                         "field_share": [0.3, 0.2, 0.5], "own_share": [0.1, 0.15, 0.4],
                         "field_index": [1.3, 1.1, 0.8], "own_index": [1.0, 0.9, 0.7], "reason": ["r1", "r2", "r3"],
                         "note": ["", "", ""]})


def test_views_of_the_opportunities() -> None:
    opp = _opportunities()
    assert gaps.ranked_view(opp).columns.tolist() == list(gaps.RANKED_VIEW)
    top = gaps.top_underserved(opp, 1)
    assert top["category"].tolist() == ["成分"] and top.columns.tolist() == list(gaps.TOPIC_VIEW)
    assert gaps.top_underserved(opp, 5)["category"].tolist() == ["成分", "防晒"]  # the crowded one is not listed


def test_coverage_puts_field_and_own_shares_side_by_side() -> None:
    long = gaps.coverage(_opportunities(), "o")
    assert long["who"].tolist() == ["competitors"] * 3 + ["o"] * 3
    assert long["share"].tolist() == [0.3, 0.2, 0.5, 0.1, 0.15, 0.4]
    assert long["category"].tolist() == ["成分", "防晒", "教程"] * 2


def test_display_frame_names_accounts_codes_and_p_values() -> None:
    from helpers.competitors import charts

    traits = pd.DataFrame({"account_id": ["o", "b"], "trait": ["format", "weekday"], "value": ["short_video", "Mon"],
                           "q_value": [0.0001, 0.0432], "kind": ["under-served", "crowded"]})
    shown = charts.display_frame(traits, {"o": "我们"})
    assert shown.to_dict(orient="list") == {
        "account_id": ["我们", "b"], "trait": ["format", "weekday"], "value": ["short video", "Mon"],
        "q_value": ["< 0.001", "0.043"], "kind": ["under-served", "crowded"]}
    with i18n.use_language("zh-CN"):
        shown = charts.display_frame(traits, {"o": "我们"}, show=["account_id", "trait", "value", "kind"])
    assert shown.to_dict(orient="list") == {"account_id": ["我们", "b"], "trait": ["内容形式", "星期"],
                                            "value": ["短视频", "周一"], "kind": ["被低估", "扎堆"]}


def test_views_show_labelled_headers_in_chinese() -> None:
    from helpers.competitors import charts

    sov = pd.DataFrame({"account_id": ["o", "a"], "posts": [3.0, 1.0], "posts_share": [0.75, 0.25],
                        "engagements": [30.0, 10.0], "engagement_share": [0.75, 0.25], "views_share": [np.nan, 1.0],
                        "note": ["", ""]})
    with i18n.use_language("zh-CN"):
        html = charts.view(sov, "share_of_voice", {"o": "我们"}).to_html()
    for header in ("账号", "发布占比", "互动占比", "播放占比"):
        assert f">{header}</th>" in html
    assert "我们" in html and "75.00%" in html and "note" not in html


def test_labels_name_codes_and_keep_data_text() -> None:
    from helpers.competitors import labels

    assert labels.format_name("short_video") == "short video" and labels.format_name("hologram") == "hologram"
    assert labels.category_name("format", "live") == "live stream"
    assert labels.category_name("pillar", "live") == "live"  # a pillar is data text, shown as written
    assert labels.trait_value("hour_band", "16–20") == "16–20"
    frame = pd.DataFrame({"account_id": ["o", "x"]})
    assert labels.account_names(frame, {"o": "我们"})["account_id"].tolist() == ["我们", "x"]  # no name: its id
    with i18n.use_language("zh-CN"):
        assert [labels.format_name("image"), labels.kind_name("own strength"), labels.weekday_name("Sun"),
                labels.dimension_name("topics"), labels.role_name("own")] == ["图文", "我方强项", "周日", "话题标签",
                                                                                  "我方账号"]
