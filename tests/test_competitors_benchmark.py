"""helpers.competitors.benchmark: growth, cadence, benchmark table, ranks and field comparison (hand-computed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.competitors.benchmark import (
    FIELD_ROW,
    benchmark_table,
    follower_growth,
    growth_index,
    normalised_kpis,
    percentile_ranks,
    relative_to_field,
    share_of_voice,
    strengths_weaknesses,
    weekly_cadence,
)
from helpers.errors import DataError, ParameterError

# The period of the hand-made fixtures: 14 days, Thursday 2026-10-01 .. Wednesday 2026-10-14.
# Calendar weeks overlapping it start on Mon 09-28 (4 days in the period), 10-05 (7) and 10-12 (3).
START, END = "2026-10-01", "2026-10-14"
IDS = ["o", "a", "b", "c", "zzz"]  # o = own; c posts only outside the period; zzz is unknown everywhere


@pytest.fixture
def daily() -> pd.DataFrame:
    rows = [
        ("o", "2026-10-01", 2000), ("o", "2026-10-14", 2200),           # +200 = +10 %
        ("a", "2026-09-30", 990), ("a", "2026-10-01", 1000), ("a", "2026-10-14", 1100),  # 1000 → 1100 = +10 %
        ("b", "2026-09-28", 500), ("b", "2026-10-05", 520), ("b", "2026-10-14", 560),    # no 10-01: 500 (09-28) → 560
        ("c", "2026-10-03", 200), ("c", "2026-10-10", 180), ("c", "2026-10-14", np.nan),  # nothing ≤ start: 200 → 180
        ("d", "2026-08-01", 300), ("d", "2026-10-02", np.nan), ("d", "2026-10-09", np.nan),  # none in period
        ("e", "2026-10-02", np.nan), ("e", "2026-10-03", np.nan),        # never a follower value
        ("f", "2026-10-07", 700),                                         # one value only
    ]
    frame = pd.DataFrame(rows, columns=["account_id", "date", "followers"])
    return frame.assign(date=pd.to_datetime(frame["date"]))


@pytest.fixture
def rated() -> pd.DataFrame:
    """Posts as content.with_engagement_rate(base='followers') returns them (engagements and base given)."""
    rows = [  # post_id, account, published_at, format, engagements, followers at posting (base), views
        ("o1", "o", "2026-10-02 20:00", "video", 100, 1000, 2000),
        ("o2", "o", "2026-10-06 09:00", "image", 300, 1000, np.nan),
        ("o3", "o", "2026-10-09 12:00", "short_video", np.nan, 1000, np.nan),  # metrics not available
        ("o4", "o", "2026-10-20 12:00", "image", 999, 1000, np.nan),           # after the period
        ("a1", "a", "2026-10-01 00:00", "video", 10, 100, 500),
        ("a2", "a", "2026-10-08 18:00", "live", 900, 3000, 1500),
        ("a3", "a", "2026-10-13 08:00", "image", 50, 1000, np.nan),
        ("b1", "b", "2026-10-02 10:00", "image", 40, 400, np.nan),
        ("b2", "b", "2026-10-03 10:00", "carousel", 40, 400, np.nan),
        ("b3", "b", "2026-10-07 10:00", "short_video", 80, 400, np.nan),       # a video without public views
        ("b4", "b", "2026-10-14 23:30", "image", 40, 400, np.nan),             # last day, late: inside
        ("c1", "c", "2026-09-20 10:00", "image", 70, 700, np.nan),             # before the period
    ]
    frame = pd.DataFrame(rows, columns=["post_id", "account_id", "published_at", "format", "engagements",
                                        "er_base_value", "views"])
    frame["published_at"] = pd.to_datetime(frame["published_at"])
    frame["engagement_rate"] = frame["engagements"] / frame["er_base_value"]
    return frame.assign(er_base="followers")


@pytest.fixture
def table(rated: pd.DataFrame, daily: pd.DataFrame) -> pd.DataFrame:
    growth = follower_growth(daily, IDS, START, END)
    return benchmark_table(rated, growth, IDS, START, END, own_id="o").set_index("account_id")


# ---------------------------------------------------------------- follower growth


def test_follower_growth_start_end_and_fallbacks(daily: pd.DataFrame) -> None:
    g = follower_growth(daily, ["a", "b", "c"], START, END).set_index("account_id")
    # a: value on the start day (the 09-30 value is not used): 1000 → 1100 = +100, +10 %
    assert g.loc["a", ["followers_start", "followers_end", "net_growth"]].tolist() == [1000, 1100, 100]
    assert g.loc["a", "growth_pct"] == pytest.approx(0.10)
    assert g.loc["a", "note"] == ""
    # b: no value on 10-01 → latest earlier day 09-28 (500); 560 on 10-14: +60 = +12 %
    assert g.loc["b", "start_date_used"] == pd.Timestamp("2026-09-28")
    assert g.loc["b", "net_growth"] == 60 and g.loc["b", "growth_pct"] == pytest.approx(0.12)
    assert g.loc["b", "note"] == "no value on Oct 1, 2026: start taken from Sep 28, 2026"  # dates as people write them
    # c: nothing on or before 10-01 → first value in the period (10-03: 200); 10-14 is NaN → last value 10-10: 180
    assert g.loc["c", "start_date_used"] == pd.Timestamp("2026-10-03")
    assert g.loc["c", "end_date_used"] == pd.Timestamp("2026-10-10")
    assert g.loc["c", "net_growth"] == -20 and g.loc["c", "growth_pct"] == pytest.approx(-0.10)
    # days with a value inside the period: a 10-01, 10-14; b 10-05, 10-14; c 10-03, 10-10
    assert g["days_of_history"].tolist() == [2, 2, 2]


def test_no_follower_history_is_missing_not_zero(daily: pd.DataFrame) -> None:
    g = follower_growth(daily, ["d", "e", "zzz", "f"], START, END).set_index("account_id")
    # d has an August value but only NaN in the period: end and growth unknown
    assert np.isnan(g.loc["d", "followers_end"]) and np.isnan(g.loc["d", "net_growth"])
    assert "no follower history in the period" in g.loc["d", "note"]
    # e (only NaN followers) and zzz (unknown) have no value at all
    for account in ("e", "zzz"):
        assert g.loc[account, ["followers_start", "followers_end", "net_growth", "growth_pct"]].isna().all()
        assert g.loc[account, "days_of_history"] == 0 and g.loc[account, "note"] != ""
    # f: one value (10-07) is both start and end: growth over the period is unknown, not 0
    assert np.isnan(g.loc["f", "net_growth"]) and "single" in g.loc["f", "note"]
    assert list(g.index) == ["d", "e", "zzz", "f"]  # the order given


def test_growth_index_starts_at_100_at_the_first_value_in_the_period(daily: pd.DataFrame) -> None:
    idx = growth_index(daily, ["b", "a", "e"], START, END)
    b = idx.loc[idx["account_id"] == "b"]
    # b's first value in the period is 520 (10-05), not the 09-28 lookback: 560 / 520 × 100 = 107.69…
    assert b["date"].tolist() == [pd.Timestamp("2026-10-05"), pd.Timestamp("2026-10-14")]
    assert b["index"].tolist() == pytest.approx([100.0, 56000 / 520])
    # a: 1000 → 1100 = 100 → 110; e (no values) has no rows
    assert idx.loc[idx["account_id"] == "a", "index"].tolist() == pytest.approx([100.0, 110.0])
    assert idx["account_id"].unique().tolist() == ["b", "a"]


# ---------------------------------------------------------------- cadence


def test_weekly_cadence_zero_fills_and_marks_partial_weeks(rated: pd.DataFrame) -> None:
    weeks = weekly_cadence(rated, IDS, START, END)
    grid = weeks.pivot(index="week_start", columns="account_id", values="posts")
    assert grid.index.tolist() == list(pd.to_datetime(["2026-09-28", "2026-10-05", "2026-10-12"]))
    # o: o1 (10-02) | o2, o3 | nothing (o4 is on 10-20, after the period)
    assert grid["o"].tolist() == [1, 2, 0]
    # b: b1, b2 | b3 | b4 (10-14 23:30 is still the last day); c posted nothing in the period: real zeros
    assert grid["b"].tolist() == [2, 1, 1]
    assert grid["c"].tolist() == [0, 0, 0]
    assert grid["zzz"].isna().all()  # unknown account: no data, not zero
    assert weeks.drop_duplicates("week_start")["days_in_period"].tolist() == [4, 7, 3]


# ---------------------------------------------------------------- benchmark table


def test_posts_per_week_over_a_14_day_period(table: pd.DataFrame) -> None:
    # 14 days = 2 weeks: o 3 posts → 1.5, a 3 → 1.5, b 4 → 2.0, c 0 → 0.0
    assert table.loc[["o", "a", "b", "c"], "posts_per_week"].tolist() == [1.5, 1.5, 2.0, 0.0]


def test_engagement_mean_of_rates_and_rate_of_sums_differ(table: pd.DataFrame) -> None:
    a = table.loc["a"]
    # a: engagements 10, 900, 50 on followers 100, 3000, 1000 → rates 0.10, 0.30, 0.05
    assert a["engagements_mean"] == pytest.approx(320.0)        # 960 / 3
    assert a["engagements_median"] == 50.0
    assert a["er_mean_of_rates"] == pytest.approx(0.15)        # (0.10 + 0.30 + 0.05) / 3
    assert a["er_rate_of_sums"] == pytest.approx(960 / 4100)   # 0.2341…: the big post weighs more
    assert a["views_per_video_post"] == 1000.0                 # (500 + 1500) / 2 video posts (a2 is live)
    # b: equal bases, so the two rates coincide at 200 / 1600 = 0.125
    assert table.loc["b", "er_mean_of_rates"] == pytest.approx(0.125)
    assert table.loc["b", "er_rate_of_sums"] == pytest.approx(0.125)


def test_partial_metrics_are_counted_not_zeroed(table: pd.DataFrame) -> None:
    o = table.loc["o"]
    # o3 has no engagements: left out (mean of 100 and 300 = 200; Σ 400 ÷ Σ 2000 followers = 0.2, not 400/3000)
    assert (o["posts"], o["posts_with_metrics"], o["engagements_mean"]) == (3, 2, 200.0)
    assert o["er_rate_of_sums"] == pytest.approx(0.2)
    # o's two video posts: o1 with 2000 views, o3 without → mean over the one with views
    assert (o["video_posts"], o["video_posts_with_views"], o["views_per_video_post"]) == (2, 1, 2000.0)
    # b's only video post has no public views: NaN, not 0
    assert table.loc["b", "video_posts"] == 1 and np.isnan(table.loc["b", "views_per_video_post"])


def test_account_with_zero_posts_and_unknown_account(table: pd.DataFrame) -> None:
    c, unknown = table.loc["c"], table.loc["zzz"]
    assert c["posts"] == 0 and c["video_posts"] == 0
    assert np.isnan(c["engagements_mean"]) and np.isnan(c["er_mean_of_rates"])
    assert "no posts in the period" in c["note"]
    assert c["growth_pct"] == pytest.approx(-0.10)  # growth still comes from the growth table
    assert unknown[["posts", "posts_per_week", "engagements_mean", "followers_end"]].isna().all()
    assert "not in the posts table" in unknown["note"]


def test_field_median_excludes_the_own_account(table: pd.DataFrame) -> None:
    field = table.loc[FIELD_ROW]
    # field = a, b, c, zzz (o is own). posts: a 3, b 4, c 0, zzz NaN → median of 0, 3, 4 = 3
    assert field["posts"] == 3.0
    # engagements_mean: a 320, b 50 (c, zzz NaN) → 185; with o's 200 it would be 200
    assert field["engagements_mean"] == pytest.approx(185.0)
    assert field["er_mean_of_rates"] == pytest.approx((0.15 + 0.125) / 2)
    # growth: a +10 %, b +12 %, c −10 % → median +10 %; net growth 100, 60, −20 → 60
    assert field["growth_pct"] == pytest.approx(0.10) and field["net_growth"] == 60
    assert field["er_base"] == "followers" and table.loc["o", "role"] == "own"


def test_benchmark_rejects_unrated_posts_and_a_mismatched_base(rated: pd.DataFrame, daily: pd.DataFrame) -> None:
    growth = follower_growth(daily, IDS, START, END)
    with pytest.raises(DataError, match="posts.*engagement_rate"):
        benchmark_table(rated.drop(columns="engagement_rate"), growth, IDS, START, END)
    with pytest.raises(ParameterError, match="base"):
        benchmark_table(rated, growth, IDS, START, END, er_base="impressions")
    with pytest.raises(ParameterError, match="own_id"):
        benchmark_table(rated, growth, IDS, START, END, own_id="nobody")


def test_bad_input_raises_clear_errors(daily: pd.DataFrame, rated: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="account_daily.*followers"):
        follower_growth(daily.drop(columns="followers"), ["a"], START, END)
    with pytest.raises(DataError, match="posts.*published_at"):
        weekly_cadence(rated.drop(columns="published_at"), ["a"], START, END)
    with pytest.raises(ParameterError, match="after"):
        follower_growth(daily, ["a"], END, START)
    with pytest.raises(ParameterError, match="after"):
        weekly_cadence(rated, ["a"], END, START)


# ---------------------------------------------------------------- percentile ranks


def _bench(values: dict[str, list[float]], ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"account_id": ids, **values})


def test_percentile_rank_by_hand_with_ties_and_a_missing_value() -> None:
    ids = ["own", "p", "q", "r", "s", "t", FIELD_ROW]
    bench = _bench({"x": [5, 1, 3, 5, 7, np.nan, 1000], "y": [np.nan, 1, 2, 3, 4, 5, 3]}, ids)
    ranks = percentile_ranks(bench, "own", ["x", "y"], lower_is_better=()).set_index("metric")
    # x: others with a value 1, 3, 5, 7 (t missing, field row ignored): 2 below + ½ tie → 2.5 / 4
    assert ranks.loc["x", "rank_pct"] == pytest.approx(0.625)
    assert ranks.loc["x", "accounts_compared"] == 4
    assert ranks.loc["x", "rank_pct"] * 100 == pytest.approx(stats.percentileofscore([1, 3, 5, 7], 5, kind="mean"))
    assert np.isnan(ranks.loc["y", "rank_pct"])  # own value missing
    # lower is better: worse = higher; 7 above + ½ tie → 1.5 / 4
    lower = percentile_ranks(bench, "own", ["x"], lower_is_better=["x"])
    assert lower["rank_pct"].iloc[0] == pytest.approx(0.375)


def test_percentile_rank_matches_a_brute_force_count_and_scipy() -> None:
    rng = np.random.default_rng(7)
    ids = ["own", *[f"k{i}" for i in range(6)]]
    values = {f"m{j}": rng.integers(0, 4, size=len(ids)).astype(float).tolist() for j in range(40)}  # many ties
    bench = _bench(values, ids)
    ranks = percentile_ranks(bench, "own", list(values)).set_index("metric")
    for metric, column in values.items():
        own, others = column[0], column[1:]
        below = sum(1 for v in others if v < own)
        tied = sum(1 for v in others if v == own)
        assert ranks.loc[metric, "rank_pct"] == pytest.approx((below + 0.5 * tied) / len(others))
        assert ranks.loc[metric, "rank_pct"] * 100 == pytest.approx(stats.percentileofscore(others, own, kind="mean"))


# ---------------------------------------------------------------- field comparison


@pytest.fixture
def graded() -> pd.DataFrame:
    ids = ["p", "q", "r", "s", FIELD_ROW]
    return _bench({"er_mean_of_rates": [0.12, 0.119, 0.08, 0.081, 0.10],  # median 0.10: ratios 1.2, 1.19, 0.8, 0.81
                   "cost": [8.0, 12.0, 10.0, np.nan, 10.0],                # lower is better, median 10
                   "net_growth": [50.0, 10.0, -5.0, 0.0, 0.0]},            # field median 0: no ratio
                  ids).assign(er_base="followers")


def test_relative_to_field_ratios_and_thresholds(graded: pd.DataFrame) -> None:
    rel = relative_to_field(graded, ["er_mean_of_rates", "cost", "net_growth"], threshold=0.2,
                            lower_is_better=["cost"]).set_index(["account_id", "metric"])
    er = rel.xs("er_mean_of_rates", level="metric")
    assert er["ratio"].tolist() == pytest.approx([1.2, 1.19, 0.8, 0.81])
    # ≥ 1.2 strength (1.2 exactly counts), ≤ 0.8 weakness, in between in line
    assert er["verdict"].tolist() == ["strength", "in line", "weakness", "in line"]
    # cost, lower is better: 8/10 = 0.8 is a strength, 12/10 = 1.2 a weakness, s has no value
    assert rel.xs("cost", level="metric")["verdict"].tolist() == ["strength", "weakness", "in line", "no data"]
    assert (rel.xs("net_growth", level="metric")["verdict"] == "not comparable").all()
    assert FIELD_ROW not in rel.index.get_level_values("account_id")


def test_strengths_and_weaknesses_text(graded: pd.DataFrame) -> None:
    text = strengths_weaknesses(graded, ["er_mean_of_rates", "cost"], threshold=0.2,
                                lower_is_better=["cost"]).set_index("account_id")
    assert text.loc["p", "strengths"] == ("engagement rate by followers (mean of rates) 1.2× field median; "
                                          "cost 0.8× field median")
    assert text.loc["p", "weaknesses"] == ""
    assert text.loc["q", "weaknesses"] == "cost 1.2× field median"
    assert text.loc["r", "weaknesses"].startswith("engagement rate by followers (mean of rates) 0.8×")
    assert text.loc["s", ["strengths", "weaknesses"]].tolist() == ["", ""]
    # a looser threshold (0.25) turns p's 1.2× into "in line"
    loose = strengths_weaknesses(graded, ["er_mean_of_rates"], threshold=0.25).set_index("account_id")
    assert loose.loc["p", "strengths"] == ""


def test_normalised_kpis_scale_to_0_1_with_constant_and_missing() -> None:
    bench = _bench({"x": [10.0, 20.0, 30.0, np.nan, 999.0], "flat": [5.0, 5.0, 5.0, 5.0, 5.0],
                    "cost": [1.0, 3.0, 2.0, 2.0, 0.0]}, ["p", "q", "r", "s", FIELD_ROW])
    norm = normalised_kpis(bench, ["x", "flat", "cost"], lower_is_better=["cost"]).set_index("account_id")
    assert FIELD_ROW not in norm.index  # the field row's 999 does not stretch the scale
    # x: (v − 10) / (30 − 10); s missing stays missing
    assert norm["x"].tolist()[:3] == [0.0, 0.5, 1.0] and np.isnan(norm.loc["s", "x"])
    assert (norm["flat"] == 0.5).all()
    # cost reversed: 1 → 1.0, 3 → 0.0, 2 → 0.5
    assert norm["cost"].tolist() == [1.0, 0.0, 0.5, 0.5]


def test_relative_to_field_on_the_benchmark_table(table: pd.DataFrame) -> None:
    rel = relative_to_field(table.reset_index(), ["engagements_mean"]).set_index("account_id")
    # a: 320 / 185; o: 200 / 185 (own is compared, not part of the median)
    assert rel.loc["a", "ratio"] == pytest.approx(320 / 185)
    assert rel.loc["o", "ratio"] == pytest.approx(200 / 185)


# ---------------------------------------------------------------- share of voice


def test_share_of_voice_overall(rated: pd.DataFrame) -> None:
    sov = share_of_voice(rated, ["o", "a", "b", "c", "zzz"], start=START, end=END).set_index("account_id")
    # posts in the period: o 3, a 3, b 4, c 0 → of 10
    assert sov.loc[["o", "a", "b", "c"], "posts_share"].tolist() == pytest.approx([0.3, 0.3, 0.4, 0.0])
    # engagements: o 400 (o3 unknown, counted apart), a 960, b 200, c 0 → of 1560
    assert sov.loc[["o", "a", "b", "c"], "engagements"].tolist() == [400, 960, 200, 0]
    assert sov.loc["o", "engagement_share"] == pytest.approx(400 / 1560)
    assert sov.loc["o", "posts_missing_engagements"] == 1
    assert sov.loc["zzz", ["posts", "posts_share", "engagement_share"]].isna().all()


def test_share_of_voice_per_week_sums_to_one(rated: pd.DataFrame) -> None:
    sov = share_of_voice(rated, ["o", "a", "b", "c"], freq="W", start=START, end=END)
    assert sorted(sov["period_start"].unique()) == list(pd.to_datetime(["2026-09-28", "2026-10-05", "2026-10-12"]))
    sums = sov.groupby("period_start")[["posts_share", "engagement_share"]].sum()
    assert np.allclose(sums.to_numpy(), 1.0)
    last = sov.loc[sov["period_start"] == pd.Timestamp("2026-10-12")].set_index("account_id")
    # week of 10-12: a3 (50) and b4 (40): posts ½ each; engagements 50/90 and 40/90; o and c are real zeros
    assert last["posts"].tolist() == [0, 1, 1, 0]
    assert last["engagement_share"].tolist() == pytest.approx([0, 50 / 90, 40 / 90, 0])


def test_share_of_voice_monthly_without_bounds_computes_engagements(rated: pd.DataFrame) -> None:
    raw = rated.drop(columns=["engagements"]).assign(likes=rated["engagements"], comments=0.0, shares=0.0)
    sov = share_of_voice(raw, ["o", "c"], freq="MS")
    # September: only c1 (70); October: o1, o2, o4 (100 + 300 + 999) and o3 unknown
    sep = sov.loc[sov["period_start"] == pd.Timestamp("2026-09-01")].set_index("account_id")
    oct_ = sov.loc[sov["period_start"] == pd.Timestamp("2026-10-01")].set_index("account_id")
    assert sep["engagement_share"].tolist() == [0.0, 1.0]
    assert oct_.loc["o", "engagements"] == 1399 and oct_.loc["o", "posts_missing_engagements"] == 1


# ---------------------------------------------------------------- sample data


def test_sample_planted_video_winner_leads_the_douyin_competitors(sample_dir: Path) -> None:
    from helpers.content import with_engagement_rate
    from helpers.data import load_tables
    from helpers.sample import PLANTED

    t = load_tables(["accounts", "account_daily", "posts"], sample_dir)
    accounts = t["accounts"]
    douyin = accounts.loc[accounts["platform"] == "douyin"]
    ids = douyin["account_id"].tolist()
    own = douyin.loc[douyin["owner"] == "own", "account_id"].tolist()
    comps = douyin.loc[douyin["owner"] == "competitor", "account_id"].tolist()
    start, end = "2026-10-01", "2026-10-31"
    rated = with_engagement_rate(t["posts"].loc[t["posts"]["account_id"].isin(ids)], t["account_daily"], "followers")
    growth = follower_growth(t["account_daily"], ids, start, end)
    table = benchmark_table(rated, growth, ids, start, end, own_id=own).set_index("account_id")
    winner = f"{PLANTED.competitor_video_winner}_douyin"
    # every Douyin competitor post is a video format, so engagement per post = engagement per video post
    assert (table.loc[comps, "video_posts"] == table.loc[comps, "posts"]).all()
    others = [c for c in comps if c != winner]
    for metric in ("engagements_mean", "er_mean_of_rates", "er_rate_of_sums", "views_per_video_post"):
        assert table.loc[others, metric].max() < table.loc[winner, metric], metric
        # the plant is 1.6×; noise over ~20–30 posts per account still leaves ≥ 1.25× the others' median
        assert table.loc[winner, metric] >= 1.25 * table.loc[others, metric].median(), metric
    # cross-check the rate of sums straight from the posts
    mine = rated.loc[(rated["account_id"] == winner) & rated["published_at"].between(start, "2026-10-31 23:59:59")]
    known = mine.dropna(subset=["engagements", "er_base_value"])
    assert table.loc[winner, "er_rate_of_sums"] == pytest.approx(known["engagements"].sum()
                                                                 / known["er_base_value"].sum())


def test_share_of_voice_by_views_counts_only_posts_with_a_view_count() -> None:
    posts = pd.DataFrame({
        "post_id": ["o1", "o2", "a1", "a2", "b1"], "account_id": ["o", "o", "a", "a", "b"],
        "published_at": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-10-01", "2026-10-03", "2026-10-02"]),
        "engagements": [10.0, 20.0, 30.0, 40.0, 50.0],
        "views": [1000.0, np.nan, 3000.0, 1000.0, np.nan],   # o2 and b1 are images: no view count
    })
    sov = share_of_voice(posts, ["o", "a", "b"], start="2026-10-01", end="2026-10-31").set_index("account_id")
    # views: o 1000, a 4000, b unknown (no post with a count) → shares 1000/5000 and 4000/5000, b missing
    assert sov.loc["o", "views"] == 1000 and sov.loc["a", "views"] == 4000
    assert sov.loc[["o", "a"], "views_share"].tolist() == pytest.approx([0.2, 0.8])
    assert np.isnan(sov.loc["b", "views"]) and np.isnan(sov.loc["b", "views_share"])
    # engagements still over every post: 30, 70, 50 of 150
    assert sov["engagement_share"].tolist() == pytest.approx([30 / 150, 70 / 150, 50 / 150])
