"""Tests of helpers.kol.authenticity against hand calculations, scipy, statsmodels and brute force."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from helpers.errors import DataError, ParameterError
from helpers.kol.authenticity import (
    FOLLOWER_RULES,
    classify_followers,
    comment_like_ratio,
    engagement_norms,
    fake_follower_estimate,
    follower_jumps,
    jump_fake_share,
    sample_fake_share,
)

AS_OF = pd.Timestamp("2026-06-30")
Z95 = stats.norm.ppf(0.975)

# ---------------------------------------------------------------------------------------------
# 1. Follower sample
# ---------------------------------------------------------------------------------------------


def _followers() -> pd.DataFrame:
    days = lambda n: AS_OF - pd.Timedelta(days=n)
    rows = [
        # follower, has_avatar, posts, followers, following, created_at  -> flags by hand
        ("f1", False, 0, 3, 2_000, days(10)),     # all five flags
        ("f2", True, 12, 5, 100, days(400)),      # followers 5 (edge): few_followers only -> 1 flag
        ("f3", True, 12, 6, 999, days(91)),       # followers 6, following 999, ratio 166.5 >= 50: follow_farm -> 1
        ("f4", True, 12, 20, 999, days(90)),      # ratio 49.95 < 50, 90 days (edge): new_account -> 1
        ("f5", False, 0, 200, 1_000, days(800)),  # no avatar, 0 posts, following 1,000 (edge) -> 3
        ("f6", True, 1, 10, 500, days(1000)),     # ratio exactly 50 -> follow_farm -> 1
    ]
    frame = pd.DataFrame(rows, columns=["follower_id", "has_avatar", "posts", "followers", "following", "created_at"])
    frame.insert(0, "kol_id", "k1")
    return frame.astype({"posts": float, "followers": float, "following": float})


def test_rules_are_documented() -> None:
    assert set(FOLLOWER_RULES) == {"no_avatar", "no_posts", "few_followers", "follow_farm", "new_account"}
    for rule in FOLLOWER_RULES.values():
        assert rule.label and rule.columns


def test_classify_followers_flags_at_their_edges() -> None:
    got = classify_followers(_followers(), as_of=AS_OF, min_flags=2).set_index("follower_id")
    expected = {  # no_avatar, no_posts, few_followers, follow_farm, new_account
        "f1": (True, True, True, True, True),
        "f2": (False, False, True, False, False),
        "f3": (False, False, False, True, False),
        "f4": (False, False, False, False, True),
        "f5": (True, True, False, True, False),
        "f6": (False, False, False, True, False),
    }
    for follower, flags in expected.items():
        row = got.loc[follower]
        assert tuple(bool(row[name]) for name in FOLLOWER_RULES) == flags, follower
        assert row["n_flags"] == sum(flags)
        assert row["n_checks"] == 5
        assert bool(row["suspicious"]) is (sum(flags) >= 2)


def test_min_flags_edge() -> None:
    got = classify_followers(_followers(), as_of=AS_OF, min_flags=3).set_index("follower_id")
    assert bool(got.loc["f5", "suspicious"]) is True   # exactly 3 flags
    got = classify_followers(_followers(), as_of=AS_OF, min_flags=4).set_index("follower_id")
    assert bool(got.loc["f5", "suspicious"]) is False


def test_a_missing_column_or_value_is_not_a_passed_check() -> None:
    frame = _followers().drop(columns=["created_at", "has_avatar"])
    frame.loc[frame["follower_id"] == "f2", ["posts", "following"]] = np.nan
    frame.loc[frame["follower_id"] == "f3", "followers"] = np.nan
    got = classify_followers(frame, as_of=AS_OF).set_index("follower_id")
    assert got["no_avatar"].isna().all() and got["new_account"].isna().all()
    # f2: only followers observable (5 -> flagged): 1 check, fewer than min_flags 2 -> cannot be judged
    assert got.loc["f2", "n_checks"] == 1
    assert pd.isna(got.loc["f2", "suspicious"])
    # f3: followers unknown: few_followers unknown, and the ratio too; following 999 < 1,000 -> farm unknown
    assert pd.isna(got.loc["f3", "few_followers"])
    assert pd.isna(got.loc["f3", "follow_farm"])
    assert got.loc["f3", "n_checks"] == 1
    # f5: following 1,000 is a farm whatever its followers; posts 0 -> 2 flags of 3 checks
    assert got.loc["f5", "n_flags"] == 2 and got.loc["f5", "n_checks"] == 3
    assert bool(got.loc["f5", "suspicious"]) is True


def test_classify_followers_bad_input() -> None:
    with pytest.raises(DataError, match="kol_followers"):
        classify_followers(_followers().drop(columns="follower_id"), as_of=AS_OF)
    with pytest.raises(ParameterError, match="min_flags"):
        classify_followers(_followers(), as_of=AS_OF, min_flags=0)


def _classified(counts: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """kol → (suspicious, n): a classified frame with that many suspicious followers, plus one unjudged each."""
    rows = []
    for kol, (bad, n) in counts.items():
        rows += [(kol, i < bad) for i in range(n)]
        rows.append((kol, pd.NA))
    frame = pd.DataFrame(rows, columns=["kol_id", "suspicious"])
    frame["suspicious"] = frame["suspicious"].astype("boolean")
    return frame


def test_sample_share_is_clopper_pearson() -> None:
    got = sample_fake_share(_classified({"a": (12, 40), "b": (0, 25), "c": (30, 30)}), confidence=0.9)
    got = got.set_index("kol_id")
    alpha = 0.1
    for kol, x, n in (("a", 12, 40), ("b", 0, 25), ("c", 30, 30)):
        row = got.loc[kol]
        assert row["n"] == n and row["suspicious"] == x
        assert row["share"] == pytest.approx(x / n)
        low = 0.0 if x == 0 else stats.beta.ppf(alpha / 2, x, n - x + 1)
        high = 1.0 if x == n else stats.beta.ppf(1 - alpha / 2, x + 1, n - x)
        assert row["low"] == pytest.approx(low, abs=1e-9)
        assert row["high"] == pytest.approx(high, abs=1e-9)


def test_sample_share_bad_confidence() -> None:
    with pytest.raises(ParameterError, match="confidence"):
        sample_fake_share(_classified({"a": (1, 3)}), confidence=1.0)
    with pytest.raises(ParameterError, match="method"):
        sample_fake_share(_classified({"a": (1, 3)}), method="guess")


# ---------------------------------------------------------------------------------------------
# 2. Follower-history jumps
# ---------------------------------------------------------------------------------------------


def _simulated(kol: str, seed: int, jump_day: int, jump: int, viral: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """180 days of organic Poisson(300) growth from 200,000, a planted jump, a post a day of ~2,000 engagements."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2026-01-01", periods=180, freq="D")
    gains = rng.poisson(300, size=180)
    gains[jump_day] += jump
    daily = pd.DataFrame({"kol_id": kol, "date": days, "followers": 200_000 + np.cumsum(gains)})
    likes = rng.normal(1_800, 150, size=180).round()
    if viral:  # every post within 3 days of the jump has 5x the engagements
        likes[jump_day - 3: jump_day + 4] *= 5
    posts = pd.DataFrame({"post_id": [f"{kol}-{i}" for i in range(180)], "kol_id": kol, "published_at": days,
                          "likes": likes, "comments": 150.0, "shares": 50.0})
    return daily, posts


def test_a_planted_bought_jump_is_found_and_a_viral_one_is_not_counted() -> None:
    d1, p1 = _simulated("faker", 1, 100, 50_000, viral=False)
    d2, p2 = _simulated("viral", 2, 60, 50_000, viral=True)
    daily, posts = pd.concat([d1, d2], ignore_index=True), pd.concat([p1, p2], ignore_index=True)
    jumps = follower_jumps(daily, posts, z=5.0, window_days=3)
    faker = jumps[jumps["kol_id"] == "faker"]
    assert list(faker["date"]) == [pd.Timestamp("2026-04-11")]   # day index 100
    assert faker["excess"].iloc[0] == pytest.approx(50_000, rel=0.01)
    assert bool(faker["unexplained"].iloc[0]) is True
    viral = jumps[jumps["kol_id"] == "viral"]
    assert len(viral) == 1
    assert viral["engagement_ratio"].iloc[0] > 4
    assert bool(viral["unexplained"].iloc[0]) is False
    share = jump_fake_share(jumps, daily).set_index("kol_id")
    assert share.loc["faker", "bought"] == pytest.approx(50_000, rel=0.01)
    assert share.loc["faker", "share"] == pytest.approx(50_000 / d1["followers"].iloc[-1], rel=0.01)
    assert share.loc["viral", "bought"] == 0
    assert share.loc["viral", "share"] == 0
    assert share.loc["viral", "n_jumps"] == 1 and share.loc["viral", "n_unexplained"] == 0


def test_robust_z_and_engagement_ratio_by_hand() -> None:
    # gains (from day 2): 10, 12, 8, 11, 9, 10, 300, 10 -> median 10, |dev| 0,2,2,1,1,0,290,0 -> MAD 1
    followers = np.cumsum([1_000, 10, 12, 8, 11, 9, 10, 300, 10])
    days = pd.date_range("2026-03-01", periods=9, freq="D")
    daily = pd.DataFrame({"kol_id": "k", "date": days, "followers": followers})
    # posts: median engagements 100; around the jump (03-08, ±1 day) posts of 150 and 150: ratio exactly 1.5
    posts = pd.DataFrame({"post_id": list("abcde"), "kol_id": "k",
                          "published_at": pd.to_datetime(["2026-03-01", "2026-03-02", "2026-03-07", "2026-03-09",
                                                          "2026-03-03"]),
                          "likes": [100.0, 100.0, 150.0, 150.0, 100.0]})
    jumps = follower_jumps(daily, posts, z=5.0, window_days=1)
    assert len(jumps) == 1
    row = jumps.iloc[0]
    assert row["date"] == pd.Timestamp("2026-03-08")
    assert row["gain"] == 300 and row["expected_gain"] == 10 and row["excess"] == 290
    assert row["scale"] == pytest.approx(1.4826)
    assert row["robust_z"] == pytest.approx(290 / 1.4826)
    assert row["engagement_ratio"] == pytest.approx(1.5)
    assert bool(row["unexplained"]) is False          # 1.5 is not under 1.5
    # without posts near it the jump is unexplained (ratio 0), and jump_fake_share's interval by hand
    jumps = follower_jumps(daily, posts[posts["post_id"].isin(["a", "b", "e"])], z=5.0, window_days=1)
    assert jumps["engagement_ratio"].iloc[0] == 0 and bool(jumps["unexplained"].iloc[0]) is True
    share = jump_fake_share(jumps, daily, confidence=0.95).iloc[0]
    latest = followers[-1]
    assert share["bought"] == 290
    assert share["low"] == pytest.approx((290 - Z95 * 1.4826) / latest)
    assert share["high"] == pytest.approx((290 + Z95 * 1.4826) / latest)


def test_z_threshold_edge() -> None:
    followers = np.cumsum([1_000, 10, 12, 8, 11, 9, 10, 300, 10])
    daily = pd.DataFrame({"kol_id": "k", "date": pd.date_range("2026-03-01", periods=9), "followers": followers})
    posts = pd.DataFrame({"post_id": ["a"], "kol_id": "k", "published_at": [pd.Timestamp("2026-03-01")],
                          "likes": [1.0]})
    z_exact = 290 / 1.4826
    assert len(follower_jumps(daily, posts, z=z_exact)) == 1            # z >= threshold
    assert len(follower_jumps(daily, posts, z=z_exact * 1.0001)) == 0


def test_a_missing_day_breaks_the_gain_and_a_kol_without_posts_has_unknown_ratio() -> None:
    followers = np.cumsum([1_000, 10, 12, 8, 11, 9, 10, 300, 10])
    days = pd.date_range("2026-03-01", periods=9).delete(7)   # 03-08 (the jump day) is missing
    daily = pd.DataFrame({"kol_id": "k", "date": days, "followers": np.delete(followers, 7)})
    empty = pd.DataFrame({"post_id": pd.Series([], dtype=str), "kol_id": pd.Series([], dtype=str),
                          "published_at": pd.Series([], dtype="datetime64[ns]"), "likes": pd.Series([], dtype=float)})
    assert len(follower_jumps(daily, empty)) == 0   # the 2-day gain is not a daily gain
    daily = pd.DataFrame({"kol_id": "k", "date": pd.date_range("2026-03-01", periods=9), "followers": followers})
    jumps = follower_jumps(daily, empty)
    assert len(jumps) == 1 and pd.isna(jumps["engagement_ratio"].iloc[0]) and pd.isna(jumps["unexplained"].iloc[0])
    share = jump_fake_share(jumps, daily).iloc[0]
    assert pd.isna(share["share"])   # an unexplained-or-not jump we cannot judge: no estimate, not 0


def test_duplicate_days_are_a_data_error() -> None:
    daily = pd.DataFrame({"kol_id": ["k", "k"], "date": pd.to_datetime(["2026-03-01"] * 2), "followers": [1, 2]})
    with pytest.raises(DataError, match="kol_daily.*2026-03-01"):
        follower_jumps(daily, pd.DataFrame(columns=["post_id", "kol_id", "published_at", "likes"]))


# ---------------------------------------------------------------------------------------------
# 3. Engagement norms
# ---------------------------------------------------------------------------------------------


def _norm_panel() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(7)
    n = 24
    followers = np.exp(rng.uniform(np.log(1e4), np.log(2e6), n)).round()
    category = ["美妆"] * 10 + ["数码"] * 9 + ["母婴"] * 3 + ["美食"] * 2   # 母婴, 美食 < 5 KOLs: pooled
    effect = {"美妆": 0.0, "数码": -0.5, "母婴": 0.3, "美食": 0.1}
    log_rate = -1.0 - 0.4 * np.log(followers) + np.array([effect[c] for c in category]) + rng.normal(0, 0.2, n)
    log_rate[3] -= 2.0   # a planted KOL far under its norm
    kols = pd.DataFrame({"kol_id": [f"k{i:02d}" for i in range(n)], "followers": followers, "category": category})
    rows = []
    for i in range(n):  # five posts per KOL around its rate; the median is the middle one
        for j, f in enumerate((0.8, 0.9, 1.0, 1.1, 1.2)):
            rows.append((f"k{i:02d}", f"k{i:02d}-{j}", math.exp(log_rate[i]) * f))
    rates = pd.DataFrame(rows, columns=["kol_id", "post_id", "rate"])
    return kols, rates


def test_engagement_norms_leave_one_out_against_a_loop() -> None:
    kols, rates = _norm_panel()
    got = engagement_norms(kols, rates).set_index("kol_id")
    observed = rates.groupby("kol_id")["rate"].median()
    big = {"美妆", "数码"}
    residuals = {}
    for kol in kols["kol_id"]:
        panel = kols.assign(y=np.log(kols["kol_id"].map(observed)), x=np.log(kols["followers"]))
        design = pd.DataFrame({"const": 1.0, "x": panel["x"]})
        design["c_数码"] = (panel["category"] == "数码").astype(float)
        design["c_美妆"] = (panel["category"] == "美妆").astype(float)
        # categories with fewer than 5 KOLs are the baseline together
        assert set(panel.loc[design[["c_数码", "c_美妆"]].sum(axis=1) == 0, "category"]) == {"母婴", "美食"}
        keep = panel["kol_id"] != kol
        fit = sm.OLS(panel.loc[keep, "y"], design[keep]).fit()
        expected = math.exp(float(fit.predict(design[~keep]).iloc[0]))
        row = got.loc[kol]
        assert row["observed_rate"] == pytest.approx(observed[kol])
        assert row["expected_rate"] == pytest.approx(expected, rel=1e-9)
        assert row["ratio"] == pytest.approx(observed[kol] / expected, rel=1e-9)
        assert row["implied_fake_share"] == pytest.approx(max(0.0, 1 - observed[kol] / expected), abs=1e-12)
        residuals[kol] = math.log(observed[kol] / expected)
    assert big  # categories used
    resid = pd.Series(residuals)
    q05 = np.percentile(resid, 5)
    assert set(got.index[got["below_norm"]]) == set(resid.index[resid < q05])
    assert bool(got.loc["k03", "below_norm"]) is True
    sd = 1.4826 * float(np.median(np.abs(resid - resid.median())))   # robust spread of the LOO residuals
    k03 = got.loc["k03"]
    assert k03["low"] == pytest.approx(max(0.0, 1 - k03["ratio"] * math.exp(Z95 * sd)))
    assert k03["high"] == pytest.approx(max(0.0, 1 - k03["ratio"] * math.exp(-Z95 * sd)))
    assert k03["low"] <= k03["implied_fake_share"] <= k03["high"]


def test_engagement_norms_without_a_rate_or_enough_kols() -> None:
    kols, rates = _norm_panel()
    rates = rates[rates["kol_id"] != "k05"]
    got = engagement_norms(kols, rates).set_index("kol_id")
    assert pd.isna(got.loc["k05", "observed_rate"]) and pd.isna(got.loc["k05", "implied_fake_share"])
    few = engagement_norms(kols.head(4), rates[rates["kol_id"].isin(kols["kol_id"].head(4))])
    assert few["expected_rate"].isna().all()


# ---------------------------------------------------------------------------------------------
# 4. Comment/like ratio
# ---------------------------------------------------------------------------------------------


def test_comment_like_ratio_sums_organic_posts_and_flags_under_a_third_of_the_median() -> None:
    kols = pd.DataFrame({"kol_id": ["a", "b", "c", "d", "e"], "category": ["美妆", "美妆", "美妆", "美妆", "数码"]})
    posts = pd.DataFrame({
        "post_id": [f"p{i}" for i in range(10)],
        "kol_id": ["a", "a", "a", "b", "b", "c", "d", "d", "e", "a"],
        "likes": [100, 1_000, 50, 400, np.nan, 600, 900, 300, 10, 5_000],
        "comments": [10, 20, np.nan, 40, 7, 60, 4, 0, 1, 1],
        "is_sponsored": [False, None, False, False, False, False, False, False, False, True],
    })
    posts["is_sponsored"] = posts["is_sponsored"].astype("boolean")
    got = comment_like_ratio(posts, kols).set_index("kol_id")
    # a: (10 + 20) / (100 + 1,000) (p2 without comments and the sponsored p9 left out); b: 40/400; c 0.1; d 4/1,200
    assert got.loc["a", "ratio"] == pytest.approx(30 / 1_100)
    assert got.loc["b", "ratio"] == pytest.approx(0.1)
    assert got.loc["d", "ratio"] == pytest.approx(4 / 1_200)
    median = float(np.median([30 / 1_100, 0.1, 0.1, 4 / 1_200]))
    assert got.loc["a", "category_median"] == pytest.approx(median)
    assert bool(got.loc["d", "low_flag"]) is True            # 0.0033 < 0.0212
    assert bool(got.loc["a", "low_flag"]) is False            # 0.0273 >= 0.0212
    assert got.loc["e", "ratio"] == pytest.approx(0.1) and bool(got.loc["e", "low_flag"]) is False


def test_comment_like_ratio_edge_and_missing() -> None:
    kols = pd.DataFrame({"kol_id": ["a", "b", "c", "x"], "category": "美妆"})
    posts = pd.DataFrame({"post_id": ["1", "2", "3", "4"], "kol_id": ["a", "b", "c", "x"],
                          "likes": [300.0, 300.0, 300.0, np.nan], "comments": [30.0, 10.0, 90.0, 5.0]})
    got = comment_like_ratio(posts, kols).set_index("kol_id")
    assert got.loc["a", "category_median"] == pytest.approx(0.1)
    assert got.loc["b", "ratio"] == pytest.approx(0.1 / 3)
    # exactly a third of the median: not under it
    assert bool(got.loc["b", "low_flag"]) is False
    assert pd.isna(got.loc["x", "ratio"]) and pd.isna(got.loc["x", "low_flag"])


# ---------------------------------------------------------------------------------------------
# 5. Combined estimate
# ---------------------------------------------------------------------------------------------


def test_fake_follower_estimate_uses_the_most_direct_evidence() -> None:
    sample = pd.DataFrame({"kol_id": ["a", "s"], "n": [200, 10], "suspicious": [90, 9], "share": [0.45, 0.9],
                           "low": [0.38, 0.55], "high": [0.52, 0.99]})
    jumps = pd.DataFrame({"kol_id": ["a", "b", "s"], "share": [0.2, 0.35, 0.0], "low": [0.19, 0.34, 0.0],
                          "high": [0.21, 0.36, 0.0], "bought": [1, 1, 0], "n_jumps": [1, 1, 0]})
    norms = pd.DataFrame({"kol_id": ["a", "b", "c", "s"], "implied_fake_share": [0.5, 0.4, 0.3, 0.0],
                          "low": [0.1, 0.0, 0.0, 0.0], "high": [0.7, 0.6, 0.5, 0.2],
                          "below_norm": [True, False, False, False]})
    ratios = pd.DataFrame({"kol_id": ["a", "c"], "ratio": [0.001, 0.05], "low_flag": [True, False]})
    got = fake_follower_estimate(sample, jumps, norms, ratios, kol_ids=["a", "b", "c", "s", "z"],
                                 min_sample=30, threshold=0.30).set_index("kol_id")
    assert got.loc["a", "basis"] == "follower sample" and got.loc["a", "share"] == 0.45
    assert (got.loc["a", "low"], got.loc["a", "high"]) == (0.38, 0.52)
    assert got.loc["b", "basis"] == "follower history" and got.loc["b", "share"] == 0.35
    assert got.loc["c", "basis"] == "engagement norm" and got.loc["c", "share"] == 0.3
    # s: 10 followers sampled, under min_sample: the history is used; the sample stays a column
    assert got.loc["s", "basis"] == "follower history" and got.loc["s", "sample_share"] == 0.9
    assert got.loc["z", "basis"] == "none" and pd.isna(got.loc["z", "share"])
    # a: sample 0.45 > 0.30, history 0.2 no, norm below, comment ratio low -> 3
    assert got.loc["a", "n_signals_raising_concern"] == 3
    assert got.loc["b", "n_signals_raising_concern"] == 1     # history 0.35 > 0.30
    assert got.loc["c", "n_signals_raising_concern"] == 0     # 0.3 is not above 0.30
    assert got.loc["z", "n_signals_raising_concern"] == 0
    assert pd.isna(got.loc["b", "low_comment_ratio"])


def test_fake_follower_estimate_with_no_inputs() -> None:
    got = fake_follower_estimate(None, None, None, None, kol_ids=["a"])
    assert got["basis"].tolist() == ["none"] and got["share"].isna().all()


def test_a_clean_history_that_the_size_norm_doubts_keeps_its_share_but_not_its_narrow_interval() -> None:
    jumps = pd.DataFrame({"kol_id": ["q", "r"], "share": [0.0, 0.0], "low": [0.0, 0.0], "high": [0.0, 0.0]})
    norms = pd.DataFrame({"kol_id": ["q", "r"], "implied_fake_share": [0.6, 0.2], "low": [0.3, 0.0],
                          "high": [0.8, 0.5], "below_norm": [True, False]})
    got = fake_follower_estimate(None, jumps, norms, None, kol_ids=["q", "r"]).set_index("kol_id")
    # q: no jump, but engagement far below the norm: share 0 from the history, high end the norm's 0.8
    assert (got.loc["q", "share"], got.loc["q", "high"], bool(got.loc["q", "widened_by_norm"])) == (0.0, 0.8, True)
    # r: the norm does not flag it: the history's interval stands
    assert (got.loc["r", "high"], bool(got.loc["r", "widened_by_norm"])) == (0.0, False)
