"""helpers.competitors.report: summary rows, leaders, top topics, ranked opportunities, grids, fairness (by hand)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.competitors.benchmark import FIELD_ROW
from helpers.competitors.report import (account_hour_grid, all_percentile_ranks, benchmark_rows, benchmark_view,
                                        fairness_check, field_leader, ranked_opportunities, time_grid, top_topics)


@pytest.fixture
def benchmark() -> pd.DataFrame:
    """A benchmark_table-shaped frame: own o, field a, b, c and the field median row."""
    rows = {
        "account_id": ["o", "a", "b", "c", FIELD_ROW],
        "role": ["own", "field", "field", "field", FIELD_ROW],
        "followers_start": [100.0, 200.0, 300.0, 400.0, 300.0],
        "followers_end": [120.0, 210.0, 330.0, np.nan, 270.0],
        "net_growth": [20.0, 10.0, 30.0, np.nan, 20.0],
        "growth_pct": [0.2, 0.05, 0.1, np.nan, 0.075],
        "posts": [10.0, 8.0, 6.0, 0.0, 6.0],
        "posts_per_week": [5.0, 4.0, 3.0, 0.0, 3.0],
        "engagements_mean": [50.0, 40.0, 90.0, np.nan, 65.0],
        "engagements_median": [45.0, 35.0, 80.0, np.nan, 57.5],
        "er_mean_of_rates": [0.04, 0.02, 0.03, np.nan, 0.025],
        "er_rate_of_sums": [0.041, 0.019, 0.028, np.nan, 0.0235],
        "er_base": ["followers"] * 5,
        "views_per_video_post": [1000.0, np.nan, 3000.0, np.nan, 3000.0],
        "note": ["", "", "", "no posts in the period", "median"],
    }
    return pd.DataFrame(rows)


def test_percentile_ranks_of_every_account(benchmark: pd.DataFrame) -> None:
    ranks = all_percentile_ranks(benchmark, ["engagements_mean", "growth_pct"]).set_index(["account_id", "metric"])
    # engagements per post: o (50) beats a (40), not b (90); c has none → 1 of 2 = 0.5
    assert ranks.loc[("o", "engagements_mean"), "rank_pct"] == pytest.approx(0.5)
    assert ranks.loc[("b", "engagements_mean"), "rank_pct"] == pytest.approx(1.0)
    # growth: o (0.2) beats a and b; c unknown → 2/2
    assert ranks.loc[("o", "growth_pct"), "rank_pct"] == pytest.approx(1.0)
    assert np.isnan(ranks.loc[("c", "growth_pct"), "rank_pct"])
    assert FIELD_ROW not in ranks.index.get_level_values("account_id")


def test_summary_rows_name_the_rate_and_its_base(benchmark: pd.DataFrame) -> None:
    ranks = all_percentile_ranks(benchmark, ["engagements_mean"])
    rows = benchmark_rows(benchmark, ranks, {"o": "我们"})
    first = rows[0]
    assert first["account"] == "o" and first["name"] == "我们" and first["engagement_rate"] == 0.04
    assert first["engagement_rate_kind"] == "mean of per-post rates"
    assert first["engagement_rate_base"] == "by followers at posting time"
    assert first["percentile_ranks"] == {"engagements_mean": pytest.approx(0.5)}
    assert {"followers_end", "growth_pct", "posts_per_week"} <= set(first)
    assert rows[-1]["account"] == FIELD_ROW and rows[-1]["percentile_ranks"] == {}


def test_benchmark_view_formats_rates_as_percentages(benchmark: pd.DataFrame) -> None:
    ranks = all_percentile_ranks(benchmark)
    view = benchmark_view(benchmark, ranks[ranks["account_id"] == "o"], "followers").set_index("metric")
    assert view.loc["follower growth rate", "o"] == "20.00%"
    assert view.loc["engagement rate by followers (mean of rates)", "a"] == "2.00%"
    assert view.loc["followers", "c"] == "–"  # missing stays missing
    assert view.loc["engagements per post (mean)", "own percentile rank"] == "50%"


def test_field_leader_excludes_the_own_account(benchmark: pd.DataFrame) -> None:
    lead = field_leader(benchmark, "engagements_mean")
    assert (lead["account"], lead["value"], lead["runner_up"], lead["field_median"]) == ("b", 90.0, "a", 65.0)
    growth = field_leader(benchmark, "growth_pct")  # o grows fastest but is not in the field
    assert growth["account"] == "b"
    nobody = field_leader(benchmark.assign(views_per_video_post=np.nan), "views_per_video_post")
    assert nobody["account"] is None


def test_top_topics_per_account() -> None:
    posts = pd.DataFrame({
        "account_id": ["a", "a", "a", "b"],
        "topics": ["成分;防晒", "成分", "防晒; 成分 ", None],
        "engagement_rate": [0.01, 0.03, np.nan, 0.02],
        "er_base": "followers",
    })
    table = top_topics(posts, n=1)
    # a: 成分 on 3 of 3 posts, mean ER over the two known = 0.02; b has no topics → no row
    assert table.to_dict(orient="records") == [{"account_id": "a", "topic": "成分", "posts": 3,
                                                "share_of_account_posts": 1.0, "er_mean_of_rates": pytest.approx(0.02),
                                                "er_base": "followers"}]
    both = top_topics(posts, n=5)
    assert both["topic"].tolist() == ["成分", "防晒"] and both["posts"].tolist() == [3, 2]


def test_ranked_opportunities_put_under_served_first_across_dimensions() -> None:
    pillar = pd.DataFrame({"rank": [1, 1], "dimension": "pillar", "category": ["成分科普", "教程"],
                           "kind": ["under-served", "crowded"], "score": [0.05, 0.04], "field_posts": [30, 40]})
    fmt = pd.DataFrame({"rank": [1], "dimension": "format", "category": ["live"], "kind": ["under-served"],
                        "score": [0.08], "field_posts": [10]})
    table = ranked_opportunities(pillar, fmt)
    assert table["category"].tolist() == ["live", "成分科普", "教程"]
    assert table["rank"].tolist() == [1, 2, 1]
    assert ranked_opportunities().empty


def test_time_grids_are_shares() -> None:
    times = pd.DataFrame({"account_id": ["a", "a", "b", "b"], "weekday": [0, 6, 0, 0], "hour": [20, 9, 20, 21],
                          "posts": [3, 1, 2, 2]})
    field = time_grid(times, ["a", "b"])
    assert field.shape == (7, 24) and field.to_numpy().sum() == pytest.approx(1.0)
    assert field.loc["Mon", 20] == pytest.approx(5 / 8) and field.loc["Sun", 9] == pytest.approx(1 / 8)
    hours = account_hour_grid(times)
    assert hours.loc["a", 20] == pytest.approx(0.75) and hours.loc["b", 21] == pytest.approx(0.5)
    assert hours.sum(axis=1).tolist() == pytest.approx([1.0, 1.0])


def test_fairness_check_shows_what_saves_add() -> None:
    posts = pd.DataFrame({"account_id": ["o", "o"], "published_at": pd.to_datetime(["2026-10-02", "2026-10-03"]),
                          "likes": [80.0, 40.0], "comments": [10.0, 5.0], "shares": [10.0, 5.0], "saves": [20.0, 10.0]})
    daily = pd.DataFrame({"account_id": ["o"], "date": pd.to_datetime(["2026-10-01"]), "followers": [1000.0]})
    fair = fairness_check(posts, daily, "o", "followers", ("likes", "comments", "shares"), 0.05)
    # shared: (100/1000 + 50/1000) / 2 = 0.075 → 1.5× of 0.05; with saves (120 + 60) / 2 / 1000 = 0.09 → 1.8×
    assert fair["own_er_shared"] == pytest.approx(0.075) and fair["ratio_shared"] == pytest.approx(1.5)
    assert fair["own_er_all"] == pytest.approx(0.09) and fair["ratio_all"] == pytest.approx(1.8)
    assert fair["components_all"] == ["likes", "comments", "shares", "saves"]
    empty = fairness_check(posts.iloc[0:0], daily, "o", "followers", ("likes",), 0.05)
    assert np.isnan(empty["ratio_shared"])


def test_rank_extremes_keeps_every_tied_metric_and_says_it_in_counts() -> None:
    from helpers.competitors.report import competitors_below, rank_extremes

    ranks = pd.DataFrame({"metric": ["a", "b", "c", "d"], "rank_pct": [1.0, 0.0, 1.0, 0.0],
                          "accounts_compared": [4, 4, 4, 4]})
    best, worst = rank_extremes(ranks)
    assert best["metric"].tolist() == ["a", "c"] and worst["metric"].tolist() == ["b", "d"]
    assert competitors_below(1.0, 4) == "4 of 4 competitors below"
    assert competitors_below(0.625, 4) == "2.5 of 4 competitors below"   # 2 below + a tie counted half


def test_engagements_per_view_is_a_rate_of_sums_over_posts_with_both() -> None:
    from helpers.competitors.report import engagements_per_view

    posts = pd.DataFrame({"account_id": ["o", "o", "o", "a"], "engagements": [60.0, 40.0, 5.0, np.nan],
                          "views": [1000.0, 1000.0, np.nan, 500.0]})
    # o: (60 + 40) / (1000 + 1000) = .05 (the post without views left out); a: no post with both → missing
    rate = engagements_per_view(posts, ["o", "a"])
    assert rate["o"] == pytest.approx(0.05) and np.isnan(rate["a"])
