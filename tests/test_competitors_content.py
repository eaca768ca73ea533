"""helpers.competitors.content: mix, topic lift, posting times, hit posts and traits (hand-computed, sample data)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.competitors.content import (
    content_mix,
    hit_posts,
    hit_thresholds,
    hit_traits,
    posting_hotspots,
    posting_times,
    topic_lift,
)
from helpers.content import with_engagement_rate
from helpers.data import DataWarning, load_tables
from helpers.errors import DataError, ParameterError
from helpers.sample import PLANTED


def rated(rows: list[tuple[str, str, float]], **extra: list) -> pd.DataFrame:
    """Posts (account_id, topics, engagement_rate) with followers 1000 as the stated base."""
    frame = pd.DataFrame(rows, columns=["account_id", "topics", "engagement_rate"])
    frame.insert(0, "post_id", [f"p{i}" for i in range(len(frame))])
    frame["engagements"] = frame["engagement_rate"] * 1000
    frame["er_base_value"] = 1000.0
    frame["er_base"] = "followers"
    for column, values in extra.items():
        frame[column] = values
    return frame


# ---------------------------------------------------------------------------------------------
# content_mix
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def mix_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    posts = pd.DataFrame({
        "post_id": ["p1", "p2", "p3", "p4", "p5", "q1", "q2", "q3"],
        "account_id": ["a"] * 5 + ["b"] * 3,
        "published_at": pd.to_datetime(["2026-06-01 10:00", "2026-06-02 10:00", "2026-06-01 12:00",
                                        "2026-06-01 13:00", "2026-06-02 14:00", "2026-06-01 09:00",
                                        "2026-06-01 10:00", "2026-06-01 11:00"]),
        "format": ["video", "video", "image", "image", "image", "video", "video", None],
        "pillar": ["教程"] * 8,
        "likes": [30, 200, 10, 20, np.nan, 100, 20, 40],
    })
    daily = pd.DataFrame({"account_id": ["a", "a", "b"],
                          "date": pd.to_datetime(["2026-06-01", "2026-06-02", "2026-06-01"]),
                          "followers": [1000, 4000, 2000]})
    return posts, daily


def test_content_mix_by_format_by_hand(mix_inputs: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    posts, daily = mix_inputs
    mix = content_mix(with_engagement_rate(posts, daily, base="followers"), by="format").set_index(
        ["account_id", "format"])
    # a/video: p1 30/1000 = .03 (day 1), p2 200/4000 = .05 (day 2): mean of rates .04,
    #   rate of sums (30+200)/(1000+4000) = .046; 2 of a's 5 posts = .4; engagements mean/median 115
    video = mix.loc[("a", "video")]
    assert video["posts"] == 2 and video["share_of_account_posts"] == pytest.approx(0.4)
    assert video["er_mean_of_rates"] == pytest.approx(0.04)
    assert video["er_rate_of_sums"] == pytest.approx(0.046)
    assert video["engagements_mean"] == pytest.approx(115) and video["engagements_median"] == pytest.approx(115)
    # CI: sd of (.03, .05) = .0141421, sem = .01, t(.975, 1 df) = 12.7062 → .04 ± .127062
    assert video["er_ci_low"] == pytest.approx(0.04 - 0.127062, abs=1e-5)
    assert video["er_ci_high"] == pytest.approx(0.04 + 0.127062, abs=1e-5)
    # a/image: p3 .01, p4 .02, p5 likes missing → no rate, and not counted as 0 engagements
    image = mix.loc[("a", "image")]
    assert image["posts"] == 3 and image["posts_with_rate"] == 2
    assert image["share_of_account_posts"] == pytest.approx(0.6)
    assert image["engagements_mean"] == pytest.approx(15)
    assert image["er_mean_of_rates"] == pytest.approx(0.015)
    # b: q1 100/2000 = .05, q2 20/2000 = .01 → .03; q3 has no format: its own '(missing)' row, 1/3 of b's posts
    assert mix.loc[("b", "video"), "er_mean_of_rates"] == pytest.approx(0.03)
    assert mix.loc[("b", "(missing)"), "share_of_account_posts"] == pytest.approx(1 / 3)
    assert (mix["er_base"] == "followers").all()


def test_content_mix_shares_sum_to_one_per_account(mix_inputs: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    posts, daily = mix_inputs
    mix = content_mix(with_engagement_rate(posts, daily, base="followers"), by="pillar")
    assert mix.groupby("account_id")["share_of_account_posts"].sum().tolist() == pytest.approx([1.0, 1.0])
    assert mix.groupby("account_id")["posts"].sum().to_dict() == {"a": 5, "b": 3}


def test_content_mix_bad_input(mix_inputs: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    posts, daily = mix_inputs
    rated_posts = with_engagement_rate(posts, daily, base="followers")
    with pytest.raises(ParameterError, match="by must be one of"):
        content_mix(rated_posts, by="title")
    with pytest.raises(DataError, match="posts is missing required column.*'engagement_rate'"):
        content_mix(posts)
    with pytest.raises(DataError, match="posts is missing required column.*'pillar'"):
        content_mix(rated_posts.drop(columns="pillar"), by="pillar")
    with pytest.raises(DataError, match="no posts in the period"):
        content_mix(rated_posts.iloc[:0])
    mixed = rated_posts.assign(er_base=["followers"] * 7 + ["impressions"])
    with pytest.raises(DataError, match="one engagement-rate base"):
        content_mix(mixed)


# ---------------------------------------------------------------------------------------------
# topic_lift
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def welch_posts() -> pd.DataFrame:
    e = math.exp
    return rated([
        ("a", "x", e(-2)), ("a", "x; y", e(-3)), ("a", "x;x", e(-4)),           # with x: logs -2, -3, -4
        ("a", "y", e(-4)), ("a", "", e(-5)), ("a", np.nan, e(-4)), ("a", "y ", e(-5)),  # without: -4, -5, -4, -5
        ("a", "x", 0.0),                                                         # ER 0: log undefined → excluded
        ("a", "y", np.nan),                                                      # ER missing → excluded
    ])


def test_topic_lift_without_adjustment_by_hand(welch_posts: pd.DataFrame) -> None:
    table = topic_lift(welch_posts, min_posts=3, adjust_for_account=False).set_index("topic")
    x = table.loc["x"]
    # with: mean log -3, variance 1 (n 3); without: mean -4.5, variance 1/3 (n 4)
    # diff 1.5 → lift e^1.5; se² = 1/3 + (1/3)/4 = 5/12; Welch df = (5/12)² / ((1/3)²/2 + (1/12)²/3) = 3
    se, t975 = math.sqrt(5 / 12), stats.t.ppf(0.975, 3)
    assert x["lift"] == pytest.approx(math.exp(1.5))
    assert x["lift_ci_low"] == pytest.approx(math.exp(1.5 - t975 * se))
    assert x["lift_ci_high"] == pytest.approx(math.exp(1.5 + t975 * se))
    assert x["p_value"] == pytest.approx(2 * stats.t.sf(1.5 / se, 3))
    assert not x["reliable"]  # CI 0.57–35 includes 1
    assert (x["n_with"], x["n_without"], x["n_excluded"], x["n_excluded_with"]) == (3, 4, 2, 1)
    assert x["er_with"] == pytest.approx((math.exp(-2) + math.exp(-3) + math.exp(-4)) / 3)
    assert x["er_without"] == pytest.approx((2 * math.exp(-4) + 2 * math.exp(-5)) / 4)
    # 'y ' and ' y' are the tag y: with y = logs -3, -4, -5; without = -2, -4, -5, -4 → ratio e^(-4 - -3.75)
    assert table.loc["y", "lift"] == pytest.approx(math.exp(-0.25))
    assert table.loc["y", "n_excluded_with"] == 1
    assert set(table.index) == {"x", "y"}


def test_topic_lift_without_adjustment_matches_scipy_welch(welch_posts: pd.DataFrame) -> None:
    table = topic_lift(welch_posts, min_posts=3, adjust_for_account=False, confidence=0.9).set_index("topic")
    logs = np.log(welch_posts["engagement_rate"].where(welch_posts["engagement_rate"] > 0))
    has_y = welch_posts["topics"].fillna("").str.contains("y")
    a, b = logs[has_y].dropna(), logs[~has_y].dropna()
    result = stats.ttest_ind(a, b, equal_var=False)
    ci = result.confidence_interval(0.9)
    assert table.loc["y", "p_value"] == pytest.approx(result.pvalue)
    assert table.loc["y", "lift_ci_low"] == pytest.approx(math.exp(ci.low))
    assert table.loc["y", "lift_ci_high"] == pytest.approx(math.exp(ci.high))


@pytest.fixture
def confounded_posts() -> pd.DataFrame:
    """A big high-ER account that uses tag x a lot, a small low-ER one that rarely does; x doubles ER in both."""
    up, down = math.exp(0.2), math.exp(-0.2)  # noise ±0.2 on the log scale, mean zero in every cell
    rows = ([("big", "x", 0.2 * f) for f in (up, down, up, down)] + [("big", "", 0.1 * f) for f in (up, down)]
            + [("small", "x", 0.02 * f) for f in (up, down)] + [("small", "", 0.01 * f) for f in (up, down, up, down)])
    return rated(rows)


def test_account_adjustment_removes_the_big_account_confound(confounded_posts: pd.DataFrame) -> None:
    # Within each account every with-x cell has mean log ER = log(2) + the without-x cell's: lift exactly 2.
    adjusted = topic_lift(confounded_posts, min_posts=5).set_index("topic").loc["x"]
    assert adjusted["lift"] == pytest.approx(2.0)
    assert adjusted["n_accounts"] == 2
    # Pooled: mean log with = (4 log .2 + 2 log .02)/6, without = (2 log .1 + 4 log .01)/6
    # → ratio (20⁴ · 0.2²)^(1/6) = 6400^(1/6) = 4.309: the big account's level leaks into the tag
    pooled = topic_lift(confounded_posts, min_posts=5, adjust_for_account=False).set_index("topic").loc["x"]
    assert pooled["lift"] == pytest.approx(6400 ** (1 / 6))


def test_account_adjusted_lift_matches_within_account_demeaning_and_hc3_by_hand() -> None:
    rng = np.random.default_rng(7)
    rows = []
    for account, level, n_with, n_without in (("a", 0.02, 7, 12), ("b", 0.005, 4, 15), ("c", 0.01, 0, 9)):
        rows += [(account, "x", level * 1.5 * math.exp(rng.normal(0, 0.5))) for _ in range(n_with)]
        rows += [(account, "z", level * math.exp(rng.normal(0, 0.5))) for _ in range(n_without)]
    posts = rated(rows)
    result = topic_lift(posts, min_posts=5, confidence=0.9).set_index("topic").loc["x"]
    # Account c never uses x: its dummy absorbs it, so only a and b identify the lift.
    used = posts[posts["account_id"] != "c"]
    y = np.log(used["engagement_rate"].to_numpy())
    x = (used["topics"] == "x").to_numpy(dtype=float)
    groups = used["account_id"].to_numpy()
    y_dm = y - pd.Series(y).groupby(groups).transform("mean").to_numpy()
    x_dm = x - pd.Series(x).groupby(groups).transform("mean").to_numpy()
    b = (x_dm @ y_dm) / (x_dm @ x_dm)                              # Frisch–Waugh–Lovell
    resid = y_dm - b * x_dm
    n_g = pd.Series(groups).map(pd.Series(groups).value_counts()).to_numpy()
    leverage = 1 / n_g + x_dm**2 / (x_dm @ x_dm)                     # hat values of dummies + x
    se = math.sqrt(np.sum(x_dm**2 * resid**2 / (1 - leverage) ** 2)) / (x_dm @ x_dm)   # HC3
    df = len(y) - 2 - 1                                              # two account dummies and x
    q = stats.t.ppf(0.95, df)
    assert result["n_accounts"] == 2
    assert result["lift"] == pytest.approx(math.exp(b))
    assert result["lift_ci_low"] == pytest.approx(math.exp(b - q * se))
    assert result["lift_ci_high"] == pytest.approx(math.exp(b + q * se))
    assert result["p_value"] == pytest.approx(2 * stats.t.sf(abs(b / se), df))
    assert result["reliable"] == (math.exp(b - q * se) > 1 or math.exp(b + q * se) < 1)


def test_topic_lift_keeps_small_topics_with_a_note(welch_posts: pd.DataFrame) -> None:
    table = topic_lift(welch_posts, min_posts=4).set_index("topic")
    # x has 3 usable posts with it (< 4): kept, lift NaN, not reliable
    assert np.isnan(table.loc["x", "lift"]) and "too few posts" in table.loc["x", "note"]
    assert not table.loc["x", "reliable"]


def test_topic_lift_on_pillar_uses_the_value(confounded_posts: pd.DataFrame) -> None:
    posts = confounded_posts.assign(pillar=np.where(confounded_posts["topics"] == "x", "成分科普", "教程"))
    table = topic_lift(posts, column="pillar", min_posts=5).set_index("pillar")
    assert table.loc["成分科普", "lift"] == pytest.approx(2.0)
    assert table.loc["教程", "lift"] == pytest.approx(0.5)


def test_topic_lift_bad_input(welch_posts: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match="column must be one of"):
        topic_lift(welch_posts, column="title")
    with pytest.raises(ParameterError, match="min_posts"):
        topic_lift(welch_posts, min_posts=1)
    with pytest.raises(DataError, match="'topics'"):
        topic_lift(welch_posts.drop(columns="topics"))


# ---------------------------------------------------------------------------------------------
# posting times and hotspots
# ---------------------------------------------------------------------------------------------

def _timed(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"account_id": [a for a, _ in rows], "published_at": pd.to_datetime([t for _, t in rows])})


def test_posting_times_by_hand() -> None:
    # 2026-06-01 is a Monday (weekday 0), 06-03 a Wednesday (2), 06-07 a Sunday (6)
    posts = _timed([("a", "2026-06-01 20:15"), ("a", "2026-06-01 20:45"), ("a", "2026-06-03 09:00"),
                    ("b", "2026-06-07 23:59")])
    times = posting_times(posts).set_index(["account_id", "weekday", "hour"])
    assert len(times) == 2 * 7 * 24
    assert times.loc[("a", 0, 20), "posts"] == 2 and times.loc[("a", 0, 20), "share"] == pytest.approx(2 / 3)
    assert times.loc[("a", 2, 9), "share"] == pytest.approx(1 / 3)
    assert times.loc[("b", 6, 23), "share"] == pytest.approx(1.0)
    assert times["posts"].sum() == 4
    assert times.groupby("account_id")["share"].sum().tolist() == pytest.approx([1.0, 1.0])


def test_posting_times_warns_about_posts_without_time() -> None:
    posts = _timed([("a", "2026-06-01 20:15"), ("a", "2026-06-01 21:00")])
    posts.loc[1, "published_at"] = pd.NaT
    with pytest.warns(DataWarning, match="1 post"):
        times = posting_times(posts)
    assert times["posts"].sum() == 1


@pytest.fixture
def hotspot_times() -> pd.DataFrame:
    # field: c1 Tue 20h ×3, Wed 12h ×1; c2 Tue 20h ×1, Thu 08h ×2 → 7 posts. own o: Tue 20h ×1, Sat 10h ×3 → 4.
    rows = ([("c1", "2026-06-02 20:10")] * 3 + [("c1", "2026-06-03 12:30")] + [("c2", "2026-06-02 20:50")]
            + [("c2", "2026-06-04 08:05")] * 2 + [("o", "2026-06-02 20:00")] + [("o", "2026-06-06 10:00")] * 3)
    return posting_times(_timed(rows))


def test_posting_hotspots_by_hand(hotspot_times: pd.DataFrame) -> None:
    top = posting_hotspots(hotspot_times, ["o"], top=3)
    assert top["label"].tolist() == ["Tue 20:00–21:00", "Thu 08:00–09:00", "Wed 12:00–13:00"]
    assert top["field_share"].tolist() == pytest.approx([4 / 7, 2 / 7, 1 / 7])
    assert top["field_accounts"].tolist() == [2, 1, 1]
    assert top["own_share"].tolist() == pytest.approx([1 / 4, 0, 0])
    assert top["difference"].tolist() == pytest.approx([1 / 4 - 4 / 7, -2 / 7, -1 / 7])
    bands = posting_hotspots(hotspot_times, ["o"], top=2, slot="hour_band")
    # 20–24: field 4/7, own 1/4; 08–12: field 2/7 (Thu 08h), own 3/4 (Sat 10h) → you hold that band
    assert bands["hour_band"].tolist() == ["20–24", "08–12"]
    assert bands["own_share"].tolist() == pytest.approx([1 / 4, 3 / 4])
    assert len(posting_hotspots(hotspot_times, ["o"], top=None)) == 168


def test_posting_hotspots_own_without_posts_and_bad_input(hotspot_times: pd.DataFrame) -> None:
    silent = posting_hotspots(hotspot_times[hotspot_times["account_id"] != "o"], ["o"], top=2)
    assert (silent["own_share"] == 0).all() and silent["note"].str.contains("real 0").all()
    with pytest.raises(ParameterError, match="own_ids"):
        posting_hotspots(hotspot_times, [])
    with pytest.raises(ParameterError, match="slot must be one of"):
        posting_hotspots(hotspot_times, ["o"], slot="minute")
    with pytest.raises(DataError, match="no competitor posts"):
        posting_hotspots(hotspot_times, ["o", "c1", "c2"])


# ---------------------------------------------------------------------------------------------
# hit posts and their traits
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def hit_input() -> pd.DataFrame:
    likes = [10, 12, 11, 13, 9, 100, np.nan, 5, 5, 5, 5, 6]
    n = len(likes)
    return pd.DataFrame({
        "post_id": [f"p{i}" for i in range(n)], "account_id": ["a"] * 7 + ["b"] * 5,
        "published_at": pd.date_range("2026-06-01 08:00", periods=n, freq="5h"),
        "format": ["video"] * n, "pillar": ["教程"] * n, "topics": ["x"] * n, "title": ["t"] * n, "likes": likes,
    })


def test_hit_thresholds_by_hand(hit_input: pd.DataFrame) -> None:
    table = hit_thresholds(hit_input, k=3).set_index("account_id")
    # a: known 9, 10, 11, 12, 13, 100 → median 11.5; |dev| .5, .5, 1.5, 1.5, 2.5, 88.5 → raw MAD 1.5
    #    scale="normal": × 1/Φ⁻¹(.75) = 1.4826 → 2.2239; threshold 11.5 + 3 × 2.2239 = 18.17 → only 100 is a hit
    normal = 1 / stats.norm.ppf(0.75)
    a = table.loc["a"]
    assert a["median"] == 11.5 and a["mad"] == pytest.approx(1.5 * normal)
    assert a["threshold"] == pytest.approx(11.5 + 3 * 1.5 * normal)
    assert (a["posts"], a["posts_missing"], a["hits"]) == (7, 1, 1)
    assert a["hit_share"] == pytest.approx(1 / 6) and a["note"] == ""
    # b: 5, 5, 5, 5, 6 → median 5, |dev| 0, 0, 0, 0, 1 → MAD 0: threshold = median 5, only the 6 is a hit
    b = table.loc["b"]
    assert (b["median"], b["mad"], b["threshold"], b["hits"]) == (5, 0, 5, 1)
    assert "MAD is 0" in b["note"]


def test_hit_thresholds_on_engagement_rate_state_the_base(hit_input: pd.DataFrame) -> None:
    # ER = likes / 1000 on a followers base: every median, MAD and threshold is the likes one ÷ 1000
    rates = hit_input.assign(engagement_rate=hit_input["likes"] / 1000, er_base="followers")
    table = hit_thresholds(rates, "engagement_rate").set_index("account_id")
    assert table.loc["a", "threshold"] == pytest.approx((11.5 + 3 * 1.5 / stats.norm.ppf(0.75)) / 1000)
    assert (table["er_base"] == "followers").all()
    assert (hit_posts(rates, "engagement_rate")["er_base"] == "followers").all()


def test_hit_posts_by_hand(hit_input: pd.DataFrame) -> None:
    hits = hit_posts(hit_input, k=3)
    assert hits["post_id"].tolist() == ["p5", "p11"]
    assert hits["value"].tolist() == [100, 6]
    assert hits["times_median"].tolist() == pytest.approx([100 / 11.5, 6 / 5])
    assert list(hits.columns[:7]) == ["account_id", "post_id", "published_at", "format", "pillar", "topics", "title"]
    # a lower k lowers a's threshold to 11.5 + 0.5 × 2.2239 = 12.61: 13 and 100 are hits
    assert hit_posts(hit_input, k=0.5).query("account_id == 'a'")["value"].tolist() == [100, 13]
    with pytest.raises(ParameterError, match="k"):
        hit_posts(hit_input, k=-1)
    with pytest.raises(DataError, match="'title'"):
        hit_posts(hit_input.drop(columns="title"))


@pytest.fixture
def trait_posts() -> pd.DataFrame:
    # 10 posts: v1–v4 video, i1–i6 image. Times: v1, v2, i1 on Mon 2026-06-01 at 21h; the rest Tue at 09h.
    ids = ["v1", "v2", "v3", "v4", "i1", "i2", "i3", "i4", "i5", "i6"]
    when = ["2026-06-01 21:00"] * 2 + ["2026-06-02 09:00"] * 2 + ["2026-06-01 21:30"] + ["2026-06-02 09:00"] * 5
    return pd.DataFrame({"post_id": ids, "account_id": "a", "published_at": pd.to_datetime(when),
                         "format": ["video"] * 4 + ["image"] * 6, "pillar": "教程",
                         "topics": ["x;y", "x", "", "y", "x", np.nan, "y", "", "", ""]})


def test_hit_traits_by_hand(trait_posts: pd.DataFrame) -> None:
    hits = pd.DataFrame({"post_id": ["v1", "v2", "i1"]})
    table = hit_traits(trait_posts, hits, columns=("format", "weekday", "hour_band", "topics"))
    video = table.set_index(["trait", "value"]).loc[("format", "video")]
    # 2×2: hit&video 2, hit&image 1, other video 2, other image 5 → hit share 2/3, post share 4/10, lift 5/3
    assert (video["hits"], video["posts"]) == (2, 4)
    assert video["hit_share"] == pytest.approx(2 / 3) and video["post_share"] == pytest.approx(0.4)
    assert video["lift"] == pytest.approx(5 / 3)
    # hypergeometric (10 posts, 3 hits, 4 video): P(k) = C(4,k)C(6,3−k)/120 = 20, 60, 36, 4 (/120);
    # observed k=2 (36); two-sided p sums P ≤ 36/120: (20 + 36 + 4)/120 = 0.5; odds ratio 2·5/(1·2) = 5
    assert video["p_value"] == pytest.approx(0.5) and video["odds_ratio"] == pytest.approx(5)
    keyed = table.set_index(["trait", "value"])
    # all three hits are Monday evening posts: Mon 3 of 3 hits vs 3 of 10 posts; band 20–24 likewise
    assert keyed.loc[("weekday", "Mon"), "lift"] == pytest.approx(1 / 0.3)
    assert keyed.loc[("hour_band", "20–24"), "hits"] == 3 and keyed.loc[("hour_band", "08–12"), "hits"] == 0
    # topics split into tags: x on v1, v2, i1 (all hits); y on v1, v4, i3
    assert keyed.loc[("topics", "x"), "posts"] == 3 and keyed.loc[("topics", "y"), "hits"] == 1
    for _key, row in keyed.iterrows():
        a, c = row["hits"], row["posts"] - row["hits"]
        assert row["p_value"] == pytest.approx(stats.fisher_exact([[a, 3 - a], [c, 7 - c]])[1])
    # Benjamini–Hochberg by hand: q_(i) = min over j ≥ i of p_(j) · m / j
    p = table["p_value"].to_numpy()
    order = np.argsort(p)
    q_sorted = np.minimum.accumulate((p[order] * len(p) / np.arange(1, len(p) + 1))[::-1])[::-1]
    assert table["q_value"].to_numpy()[order] == pytest.approx(np.minimum(q_sorted, 1))


def test_hit_traits_rejects_hits_not_in_posts(trait_posts: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="not in posts"):
        hit_traits(trait_posts, pd.DataFrame({"post_id": ["zz"]}))
    with pytest.raises(DataError, match="hits is missing"):
        hit_traits(trait_posts, pd.DataFrame({"id": ["v1"]}))


# ---------------------------------------------------------------------------------------------
# sample data: the planted competitor effects
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_rated(sample_dir: Path) -> tuple[pd.DataFrame, list[str]]:
    tables = load_tables(["accounts", "account_daily", "posts"], sample_dir)
    posts = tables["posts"]
    period = posts[(posts["published_at"] >= "2026-05-01") & (posts["published_at"] < "2026-11-01")]
    own = tables["accounts"].query("owner == 'own'")["account_id"].tolist()
    return with_engagement_rate(period, tables["account_daily"], base="followers"), own


def test_sample_neglected_topic_lifts_engagement_within_accounts(sample_rated: tuple[pd.DataFrame, list[str]]) -> None:
    posts, _ = sample_rated
    topic = PLANTED.neglected_topic
    tag = topic_lift(posts).set_index("topic").loc[topic]
    # planted 1.4×; the sample shows about 1.48 (CI 1.34–1.63) within accounts
    assert tag["lift_ci_low"] > 1 and tag["reliable"]
    assert tag["lift_ci_low"] < PLANTED.neglected_topic_lift < tag["lift_ci_high"]


def test_sample_comp_b_video_beats_the_field(sample_rated: tuple[pd.DataFrame, list[str]]) -> None:
    posts, own = sample_rated
    field = posts[~posts["account_id"].isin(own)]
    mix = content_mix(field, by="format")
    video = mix[mix["format"] == "short_video"].assign(platform=lambda m: m["account_id"].str.rsplit("_", n=1).str[1])
    winner = video["account_id"].str.startswith(PLANTED.competitor_video_winner + "_")
    for platform in ("douyin", "xhs"):
        others = video[~winner & (video["platform"] == platform)]
        # others' short-video mean of rates, pooled over their posts (weights = posts with a rate)
        others_er = (others["er_mean_of_rates"] * others["posts_with_rate"]).sum() / others["posts_with_rate"].sum()
        mine = video[winner & (video["platform"] == platform)].iloc[0]
        assert mine["er_ci_low"] > others_er, platform
