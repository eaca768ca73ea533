"""Tests of helpers.kol.engagement: engagements per post and the real interaction rate (hand calculations, scipy)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.errors import DataError, ParameterError
from helpers.kol.engagement import in_recent_window, organic_post_rates, post_engagements, real_interaction_rate

AS_OF = pd.Timestamp("2026-06-30")


def _posts(rows: list[tuple]) -> pd.DataFrame:
    """(post_id, kol_id, published_at, likes, comments, shares, saves, is_sponsored) rows."""
    frame = pd.DataFrame(rows, columns=["post_id", "kol_id", "published_at", "likes", "comments", "shares",
                                        "saves", "is_sponsored"])
    frame["published_at"] = pd.to_datetime(frame["published_at"])
    for column in ("likes", "comments", "shares", "saves"):
        frame[column] = frame[column].astype("Float64")
    frame["is_sponsored"] = frame["is_sponsored"].astype("boolean")
    return frame


# ---------------------------------------------------------------------------------------------
# post_engagements
# ---------------------------------------------------------------------------------------------


def test_post_engagements_leaves_out_a_part_the_kol_never_reports_and_keeps_gaps_missing() -> None:
    nan = None
    posts = _posts([
        # KOL a reports all four parts
        ("p1", "a", "2026-06-01", 100, 10, 5, 20, False),      # 135
        ("p2", "a", "2026-06-02", 100, nan, 5, 20, False),     # a gap in comments, which a reports: missing
        ("p3", "a", "2026-06-03", nan, nan, nan, nan, False),  # nothing at all: missing
        # KOL b never reports saves (e.g. Weibo): left out for b, not a gap
        ("p4", "b", "2026-06-01", 50, 4, 1, nan, False),       # 55
        ("p5", "b", "2026-06-02", 60, 6, 2, nan, False),       # 68
    ])
    got = post_engagements(posts)
    assert got.name == "engagements"
    assert list(got.index) == list(posts.index)
    assert got.iloc[0] == 135
    assert pd.isna(got.iloc[1])
    assert pd.isna(got.iloc[2])
    assert got.iloc[3] == 55
    assert got.iloc[4] == 68


def test_post_engagements_with_columns_absent_sums_what_exists() -> None:
    posts = pd.DataFrame({"post_id": ["p1", "p2"], "kol_id": ["a", "a"], "likes": [10.0, np.nan],
                          "comments": [2.0, np.nan]})
    got = post_engagements(posts)
    assert got.iloc[0] == 12
    assert pd.isna(got.iloc[1])


def test_post_engagements_without_any_part_is_a_data_error() -> None:
    with pytest.raises(DataError, match="kol_posts"):
        post_engagements(pd.DataFrame({"post_id": ["p1"], "kol_id": ["a"]}))


# ---------------------------------------------------------------------------------------------
# real_interaction_rate
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def kols() -> pd.DataFrame:
    return pd.DataFrame({"kol_id": ["a", "b", "c", "d"], "platform": "douyin", "name": ["A", "B", "C", "D"],
                         "followers": [10_000, 20_000, 10_000, 5_000], "category": "美妆"})


@pytest.fixture
def posts() -> pd.DataFrame:
    nan = None
    return _posts([
        # KOL a: 10,000 followers, fake share 0.2 -> 8,000 real followers
        ("a1", "a", "2026-06-30", 300, 50, 30, 20, False),     # 400 (on as_of: inside)
        ("a2", "a", "2026-05-01", 400, 40, 20, 20, nan),       # 480 (is_sponsored missing = organic)
        ("a3", "a", "2026-04-02", 500, 30, 10, 20, False),     # 560 (89 days before as_of: inside)
        ("a4", "a", "2026-04-01", 900, 90, 90, 20, False),     # 90 days before as_of: outside the 90-day window
        ("a5", "a", "2026-07-01", 900, 90, 90, 20, False),     # after as_of: outside
        ("s1", "a", "2026-06-10", 700, 50, 30, 20, True),      # sponsored 800
        ("s2", "a", "2026-06-11", 500, 50, 30, 20, True),      # sponsored 600
        ("s3", "a", "2026-06-12", 900, 50, 30, 20, True),      # sponsored 1,000
        # KOL b: no fake-share estimate -> all followers; two sponsored posts only -> no factor
        ("b1", "b", "2026-06-01", 1500, 100, 100, 300, False),  # 2,000
        ("b2", "b", "2026-06-02", 900, 50, 50, 0, False),       # 1,000
        ("b3", "b", "2026-06-03", 900, 50, 50, 0, True),
        ("b4", "b", "2026-06-04", 900, 50, 50, 0, True),
        # KOL c: one post at exactly 5 % of real followers (10,000 x (1 - 0) = 10,000)
        ("c1", "c", "2026-06-01", 400, 50, 30, 20, False),      # 500 / 10,000 = 0.05: does not meet (strict)
        # d has no posts at all
    ])


def test_rate_on_real_followers_with_a_t_interval(kols: pd.DataFrame, posts: pd.DataFrame) -> None:
    fake = pd.DataFrame({"kol_id": ["a", "c"], "share": [0.2, 0.0]})
    got = real_interaction_rate(posts, kols, fake, as_of=AS_OF, recent_days=90, threshold=0.05).set_index("kol_id")
    a = got.loc["a"]
    rates = np.array([400, 480, 560]) / 8_000        # 0.05, 0.06, 0.07
    assert a["n_posts"] == 3
    assert a["followers_base"] == 10_000
    assert a["real_followers"] == pytest.approx(8_000)
    assert a["base"] == "real followers"
    assert a["rate"] == pytest.approx(0.06)
    low, high = stats.t.interval(0.95, df=2, loc=rates.mean(), scale=rates.std(ddof=1) / math.sqrt(3))
    assert a["low"] == pytest.approx(low)
    assert a["high"] == pytest.approx(high)
    assert a["median"] == pytest.approx(0.06)
    assert a["cv"] == pytest.approx(0.01 / 0.06)     # sample sd of (0.05, 0.06, 0.07) is 0.01
    assert a["share_posts_above"] == pytest.approx(2 / 3)  # 0.05 is not above 0.05
    assert bool(a["meets"]) is True
    # sponsored median 800 / organic median: organic posts up to as_of = 400, 480, 560, 1,100 -> (480 + 560) / 2
    assert a["sponsored_factor"] == pytest.approx(800 / 520)


def test_missing_fake_share_uses_all_followers_and_says_so(kols: pd.DataFrame, posts: pd.DataFrame) -> None:
    fake = pd.DataFrame({"kol_id": ["a", "b"], "share": [0.2, np.nan]})
    got = real_interaction_rate(posts, kols, fake, as_of=AS_OF).set_index("kol_id")
    b = got.loc["b"]
    assert b["base"] == "all followers"
    assert b["real_followers"] == 20_000
    assert b["rate"] == pytest.approx((0.1 + 0.05) / 2)
    assert pd.isna(b["sponsored_factor"])  # two sponsored posts: fewer than 3
    c = got.loc["c"]
    assert c["base"] == "all followers"


def test_threshold_is_strict_at_its_edge(kols: pd.DataFrame, posts: pd.DataFrame) -> None:
    fake = pd.Series({"c": 0.0})
    got = real_interaction_rate(posts, kols, fake, as_of=AS_OF, threshold=0.05).set_index("kol_id")
    assert got.loc["c", "rate"] == 0.05
    assert bool(got.loc["c", "meets"]) is False
    assert pd.isna(got.loc["c", "low"])  # one post: no interval
    got = real_interaction_rate(posts, kols, fake, as_of=AS_OF, threshold=0.0499).set_index("kol_id")
    assert bool(got.loc["c", "meets"]) is True


def test_kol_without_posts_has_missing_rate_not_zero(kols: pd.DataFrame, posts: pd.DataFrame) -> None:
    got = real_interaction_rate(posts, kols, None, as_of=AS_OF).set_index("kol_id")
    d = got.loc["d"]
    assert d["n_posts"] == 0
    assert pd.isna(d["rate"])
    assert pd.isna(d["meets"])
    assert set(got.index) == {"a", "b", "c", "d"}


def test_followers_at_post_time_from_kol_daily(kols: pd.DataFrame, posts: pd.DataFrame) -> None:
    daily = pd.DataFrame({"kol_id": ["b", "b", "b"],
                          "date": pd.to_datetime(["2026-05-31", "2026-06-02", "2026-06-30"]),
                          "followers": [25_000, 40_000, 50_000]})
    rows = organic_post_rates(posts, kols, as_of=AS_OF, kol_daily=daily).set_index("post_id")
    # b1 on 06-01: the latest count at or before it is 05-31's 25,000; b2 on 06-02: 40,000 that day
    assert rows.loc["b1", "followers_base"] == 25_000
    assert rows.loc["b2", "followers_base"] == 40_000
    assert rows.loc["b1", "rate"] == pytest.approx(2_000 / 25_000)
    # a has no daily history: kols.followers
    assert rows.loc["a1", "followers_base"] == 10_000
    got = real_interaction_rate(posts, kols, None, as_of=AS_OF, kol_daily=daily).set_index("kol_id")
    assert got.loc["b", "rate"] == pytest.approx((2_000 / 25_000 + 1_000 / 40_000) / 2)
    assert got.loc["b", "followers_base"] == pytest.approx((25_000 + 40_000) / 2)


def test_posts_without_engagements_count_but_do_not_rate(kols: pd.DataFrame) -> None:
    posts = _posts([("x1", "a", "2026-06-01", None, None, None, None, False),
                    ("x2", "a", "2026-06-02", 500, 0, 0, 0, False)])
    got = real_interaction_rate(posts, kols, None, as_of=AS_OF).set_index("kol_id")
    assert got.loc["a", "n_posts"] == 2
    assert got.loc["a", "n_rated"] == 1
    assert got.loc["a", "rate"] == pytest.approx(0.05)


def test_bad_parameters_and_data(kols: pd.DataFrame, posts: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match="recent_days"):
        real_interaction_rate(posts, kols, None, as_of=AS_OF, recent_days=0)
    with pytest.raises(ParameterError, match="fake"):
        real_interaction_rate(posts, kols, pd.Series({"a": 1.5}), as_of=AS_OF)
    with pytest.raises(DataError, match="kol_posts"):
        real_interaction_rate(posts.drop(columns="published_at"), kols, None, as_of=AS_OF)


# ---------------------------------------------------------------------------------------------
# in_recent_window: the one window rule of the KOL code


def test_recent_window_is_the_recent_days_up_to_as_of_included() -> None:
    """90 days up to 2026-06-30: 2026-04-02 is 89 days back (in), 2026-04-01 is 90 (out); as_of's evening is in,
    the next day is out."""
    published = pd.Series(pd.to_datetime(["2026-04-01 12:00", "2026-04-02 00:00", "2026-06-30 23:59",
                                           "2026-07-01 00:00", "2026-05-15 08:00"]))
    assert in_recent_window(published, AS_OF, 90).tolist() == [False, True, True, False, True]
    assert in_recent_window(published, AS_OF, 1).tolist() == [False, False, True, False, False]


def test_recent_window_takes_one_as_of_per_post() -> None:
    """Each post against its own as_of (the cost model's cases): 10-day windows worked out by hand."""
    published = pd.Series(pd.to_datetime(["2026-06-21", "2026-06-20", "2026-06-01", "2026-06-02"]))
    as_of = pd.Series(pd.to_datetime(["2026-06-30", "2026-06-30", "2026-06-10", "2026-06-01"]))
    assert in_recent_window(published, as_of, 10).tolist() == [True, False, True, False]
