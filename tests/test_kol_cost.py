"""Tests of helpers.kol.cost (expected engagements, CPE and CPA against feed ads) against hand work and scipy."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.errors import DataError, ParameterError
from helpers.kol.cost import (
    ConversionRate,
    cost_per_result,
    expected_engagements,
    feed_cpa,
    kol_conversion_rate,
)
from helpers.kol.engagement import post_engagements

# ---------------------------------------------------------------------------------------------
# feed_cpa
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def ad_daily() -> pd.DataFrame:
    """douyin_feed: spend 1000 + 500, 10 + 5 conversions; xhs feed 800 spend, 4 conversions; search not mapped."""
    return pd.DataFrame({
        "date": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-01", "2026-01-01", "2025-12-31"]),
        "account_id": "own", "campaign_id": ["a", "a", "b", "c", "a"],
        "channel": ["douyin_feed", "douyin_feed", "xiaohongshu_feed", "search", "douyin_feed"],
        "spend": [1000.0, 500.0, 800.0, 300.0, 9999.0], "impressions": 1000, "clicks": 10,
        "conversions": [10, 5, 4, 30, 1],
    })


def _garwood(k: int, alpha: float = 0.05) -> tuple[float, float]:
    """Exact Poisson bounds of a count k written out from the chi-square quantiles."""
    low = 0.0 if k == 0 else stats.chi2.ppf(alpha / 2, 2 * k) / 2
    return low, stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2


def test_feed_cpa_by_hand(ad_daily: pd.DataFrame) -> None:
    """From 2026-01-01: douyin 1500/15 = 100; xhs 800/4 = 200; pooled (douyin + xhs feeds) 2300/19."""
    mapping = {"douyin": "douyin_feed", "xiaohongshu": "xiaohongshu_feed"}
    out = feed_cpa(ad_daily, channel_of_platform=mapping, start="2026-01-01").set_index("platform")
    dy = out.loc["douyin"]
    assert (dy["channel"], dy["spend"], dy["conversions"]) == ("douyin_feed", 1500.0, 15)
    assert dy["cpa"] == pytest.approx(100.0)
    lo, hi = _garwood(15)
    assert dy["cpa_low"] == pytest.approx(1500 / hi)
    assert dy["cpa_high"] == pytest.approx(1500 / lo)
    assert out.loc["xiaohongshu", "cpa"] == pytest.approx(200.0)
    pooled = out.loc["all"]
    assert pooled["spend"] == 2300.0 and pooled["conversions"] == 19
    lo, hi = _garwood(19)
    assert (pooled["cpa"], pooled["cpa_low"], pooled["cpa_high"]) == pytest.approx((2300 / 19, 2300 / hi, 2300 / lo))


def test_feed_cpa_zero_conversions_and_window(ad_daily: pd.DataFrame) -> None:
    """No conversion: CPA unknown (NaN, not 0 or ∞); the lower bound from the upper count bound alone."""
    frame = ad_daily.assign(conversions=0)
    out = feed_cpa(frame, channel_of_platform={"douyin": "douyin_feed"}, start="2026-01-01", end="2026-01-01")
    dy = out.set_index("platform").loc["douyin"]
    assert dy["spend"] == 1000.0
    assert math.isnan(dy["cpa"]) and math.isnan(dy["cpa_high"])
    assert dy["cpa_low"] == pytest.approx(1000 / _garwood(0)[1])
    with pytest.raises(ParameterError, match="end"):
        feed_cpa(ad_daily, channel_of_platform={"douyin": "douyin_feed"}, start="2026-02-01", end="2026-01-01")


def test_feed_cpa_unknown_channel(ad_daily: pd.DataFrame) -> None:
    """A mapped channel without rows gets no row of its own (its KOLs use the pooled one)."""
    out = feed_cpa(ad_daily, channel_of_platform={"douyin": "douyin_feed", "weibo": "weibo_feed"})
    assert set(out["platform"]) == {"douyin", "all"}
    assert out.attrs["no_data"] == ["weibo"]


# ---------------------------------------------------------------------------------------------
# Engagements and expected engagements
# ---------------------------------------------------------------------------------------------


def test_post_engagements_missing_is_not_zero() -> None:
    """k1 never reports saves: likes + comments + shares; k2 reports saves but one post lacks them: NaN."""
    posts = pd.DataFrame({
        "post_id": ["a", "b", "c", "d"], "kol_id": ["k1", "k1", "k2", "k2"],
        "likes": [10, 20, 30, 40], "comments": [1, 2, 3, 4], "shares": [0, 1, 0, 1], "saves": [None, None, 5, None],
    })
    eng = post_engagements(posts)
    assert eng.iloc[0] == 11 and eng.iloc[1] == 23 and eng.iloc[2] == 38
    assert math.isnan(eng.iloc[3])


def _posts(rows: list[tuple[str, str, str, float, bool]]) -> pd.DataFrame:
    """kol_posts from (post_id, kol_id, date, likes, sponsored); engagements are the likes alone."""
    frame = pd.DataFrame(rows, columns=["post_id", "kol_id", "published_at", "likes", "is_sponsored"])
    return frame.assign(published_at=pd.to_datetime(frame["published_at"]))


@pytest.fixture
def panel() -> tuple[pd.DataFrame, pd.DataFrame]:
    """kA: organic 100, 200, 300 (mean 200) and sponsored 100, 150, 400 (ratios .5, .75, 2: own median .75);
    one organic post on the window's excluded edge (2025-10-03 = as_of − 90 days) and one after as_of.
    kB: organic 40, 60 (mean 50) and one sponsored 50 (ratio 1). kC: organic only, 10 and 30.
    kD: no posts. Panel ratios .5, .75, 1, 2: median .875.
    """
    rows = [
        ("a1", "kA", "2025-12-01", 100, False), ("a2", "kA", "2025-12-10", 200, False),
        ("a3", "kA", "2026-01-01", 300, False),  # as_of itself: included
        ("a4", "kA", "2025-10-03", 5000, False),  # 90 days before as_of: outside
        ("a5", "kA", "2026-01-02", 5000, False),  # after as_of: outside
        ("a6", "kA", "2025-10-04", 100, True),  # 89 days before: inside
        ("a7", "kA", "2025-11-01", 150, True), ("a8", "kA", "2025-11-02", 400, True),
        ("b1", "kB", "2025-12-01", 40, False), ("b2", "kB", "2025-12-02", 60, False),
        ("b3", "kB", "2025-12-03", 50, True),
        ("c1", "kC", "2025-12-01", 10, False), ("c2", "kC", "2025-12-05", 30, False),
    ]
    kols = pd.DataFrame({"kol_id": ["kA", "kB", "kC", "kD"], "platform": "douyin", "price": [1000.0, 500, None, 80]})
    return _posts(rows), kols


def test_expected_engagements_by_hand(panel: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """kA: 200 × .75 = 150 (own); kB: 50 × .875 (panel); kC: 20 × .875; kD: no posts, missing."""
    posts, kols = panel
    out = expected_engagements(posts, kols, as_of="2026-01-01").set_index("kol_id")
    assert out.loc["kA", "expected"] == pytest.approx(150.0)
    assert (out.loc["kA", "factor"], out.loc["kA", "factor_source"]) == (pytest.approx(0.75), "own")
    assert (out.loc["kA", "n_posts"], out.loc["kA", "n_sponsored"]) == (3, 3)
    assert out.loc["kB", "expected"] == pytest.approx(50 * 0.875)
    assert out.loc["kB", "factor_source"] == "panel"
    assert out.loc["kC", "expected"] == pytest.approx(20 * 0.875)
    assert math.isnan(out.loc["kD", "expected"]) and out.loc["kD", "n_posts"] == 0
    # the bootstrap range of a mean lies within the posts' own range, times the factor
    assert 100 * 0.75 <= out.loc["kA", "p10"] <= out.loc["kA", "p50"] <= out.loc["kA", "p90"] <= 300 * 0.75


def test_expected_engagements_factor_fallbacks(panel: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """A given factor wins; with no sponsored post anywhere the factor is 1, said in factor_source."""
    posts, kols = panel
    given = expected_engagements(posts, kols, as_of="2026-01-01", sponsored_factor=2.0).set_index("kol_id")
    assert given.loc["kA", "expected"] == pytest.approx(400.0) and given.loc["kA", "factor_source"] == "given"
    organic = posts[~posts["is_sponsored"]]
    none = expected_engagements(organic, kols, as_of="2026-01-01").set_index("kol_id")
    assert none.loc["kA", "expected"] == pytest.approx(200.0)
    assert none.loc["kA", "factor_source"] == "none"
    with pytest.raises(ParameterError, match="sponsored_factor"):
        expected_engagements(posts, kols, as_of="2026-01-01", sponsored_factor=0)
    with pytest.raises(ParameterError, match="as_of"):
        expected_engagements(posts, kols, as_of="someday")


def test_expected_engagements_three_sponsored_edge(panel: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """With two sponsored posts in the window kA falls back to the panel ratio (own needs ≥ 3)."""
    posts, kols = panel
    out = expected_engagements(posts[posts["post_id"] != "a6"], kols, as_of="2026-01-01").set_index("kol_id")
    assert out.loc["kA", "factor_source"] == "panel"
    # remaining ratios: kA .75, 2; kB 1 → median 1
    assert out.loc["kA", "factor"] == pytest.approx(1.0)


def test_bootstrap_against_brute_force() -> None:
    """p10/p50/p90 agree with a plain resampling loop (its own generator) within Monte Carlo error."""
    rng = np.random.default_rng(42)
    values = rng.lognormal(5, 0.8, 40).round()
    posts = pd.DataFrame({"post_id": [f"p{i}" for i in range(40)], "kol_id": "k",
                          "published_at": pd.Timestamp("2026-01-01") - pd.to_timedelta(np.arange(40), "D"),
                          "likes": values, "is_sponsored": False})
    kols = pd.DataFrame({"kol_id": ["k"], "platform": ["douyin"]})
    out = expected_engagements(posts, kols, as_of="2026-01-01", n_boot=20_000).iloc[0]
    brute_rng = np.random.default_rng(7)
    means = [values[brute_rng.integers(0, 40, 40)].mean() for _ in range(20_000)]
    p10, p50, p90 = np.percentile(means, [10, 50, 90])
    assert out["p10"] == pytest.approx(p10, rel=0.02)
    assert out["p50"] == pytest.approx(p50, rel=0.02)
    assert out["p90"] == pytest.approx(p90, rel=0.02)
    again = expected_engagements(posts, kols, as_of="2026-01-01", n_boot=20_000).iloc[0]
    assert again["p10"] == out["p10"]  # fixed seed: the same numbers every run


def test_expected_engagements_kol_not_in_kols(panel: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """A post of a KOL missing from kols is a data problem naming the rows."""
    posts, kols = panel
    with pytest.raises(DataError, match="kol_id"):
        expected_engagements(posts, kols[kols["kol_id"] != "kA"], as_of="2026-01-01")


# ---------------------------------------------------------------------------------------------
# Conversion rate of past bookings
# ---------------------------------------------------------------------------------------------


def test_kol_conversion_rate_by_hand() -> None:
    """Campaigns c1 (posts 600 + 400 engagements, 6 conversions) and c2 (1000, 4): 10 / 2000 = .005.

    c3 is booked but not in the credit (untracked: left out); c4 is credited but has no booked post.
    The interval is Clopper–Pearson written out with the beta quantiles.
    """
    posts = pd.DataFrame({"post_id": ["p1", "p2", "p3", "p4", "p5"], "kol_id": ["a", "b", "c", "d", "a"],
                          "likes": [600, 400, 1000, 50, 99], "campaign": ["c1", "c1", "c2", "c3", None]})
    credit = pd.DataFrame({"campaign": ["c1", "c2", "c4"], "conversions": [6.0, 4.0, 9.0], "value": 0.0})
    rate = kol_conversion_rate(credit, posts)
    assert isinstance(rate, ConversionRate)
    assert rate.rate == pytest.approx(0.005)
    assert (rate.conversions, rate.engagements, rate.n_campaigns, rate.n_posts) == (10.0, 2000.0, 2, 3)
    assert rate.low == pytest.approx(stats.beta.ppf(0.025, 10, 1991))
    assert rate.high == pytest.approx(stats.beta.ppf(0.975, 11, 1990))


def test_kol_conversion_rate_without_history() -> None:
    """No booked post in the credit: None (the cost screen then uses CPE only)."""
    posts = pd.DataFrame({"post_id": ["p1"], "kol_id": ["a"], "likes": [10], "campaign": [None]})
    credit = pd.DataFrame({"campaign": ["c1"], "conversions": [3.0], "value": 0.0})
    assert kol_conversion_rate(credit, posts) is None


# ---------------------------------------------------------------------------------------------
# cost_per_result
# ---------------------------------------------------------------------------------------------


def _expected_frame() -> pd.DataFrame:
    """Expected engagements as expected_engagements returns them."""
    return pd.DataFrame({"kol_id": ["kA", "kB", "kC", "kD"], "expected": [2000.0, 1000.0, 500.0, np.nan],
                         "p10": [1800.0, 800.0, 400.0, np.nan], "p50": [2000.0, 1000.0, 500.0, np.nan],
                         "p90": [2200.0, 1200.0, 600.0, np.nan]})


def _feed() -> pd.DataFrame:
    """Feed CPA: douyin 100 (spend 10000, 100 conversions), pooled 120."""
    return pd.DataFrame({"platform": ["douyin", "all"], "channel": ["douyin_feed", "douyin_feed+search"],
                         "spend": [10_000.0, 24_000.0], "conversions": [100.0, 200.0], "cpa": [100.0, 120.0],
                         "cpa_low": [80.0, 100.0], "cpa_high": [120.0, 140.0]})


def test_cost_per_result_by_hand() -> None:
    """kA douyin price 1000: CPE 1000/2000 = .5 (.5 range 1000/2200–1000/1800); rate .01 → 20 conversions, CPA 50.

    feed CPA 100: ratio .5, break-even price 100 × 1 × 20 = 2000. kB (weibo, no feed row) uses the
    pooled 120: 10 conversions, CPA 80. kC has no price: every cost column missing. kD no engagements.
    """
    kols = pd.DataFrame({"kol_id": ["kA", "kB", "kC", "kD"], "platform": ["douyin", "weibo", "douyin", "douyin"],
                         "price": [1000.0, 800.0, None, 500.0]})
    rate = ConversionRate(rate=0.01, low=0.008, high=0.012, conversions=100.0, engagements=10_000.0,
                          n_campaigns=3, n_posts=4, confidence=0.95)
    out = cost_per_result(kols, _expected_frame(), rate, _feed()).set_index("kol_id")
    a = out.loc["kA"]
    assert (a["cpe"], a["cpe_low"], a["cpe_high"]) == pytest.approx((0.5, 1000 / 2200, 1000 / 1800))
    assert a["expected_conversions"] == pytest.approx(20.0)
    assert a["cpa"] == pytest.approx(50.0)
    assert (a["feed_cpa"], a["feed_source"]) == (100.0, "platform")
    assert a["cpa_ratio"] == pytest.approx(0.5)
    assert a["break_even_price"] == pytest.approx(2000.0)
    assert a["expected_conversions_p10"] < 20 < a["expected_conversions_p90"]
    assert a["cpa_low"] < 50 < a["cpa_high"]
    assert a["p_cheaper"] > 0.95
    b = out.loc["kB"]
    assert (b["feed_cpa"], b["feed_source"]) == (120.0, "pooled")
    assert b["cpa"] == pytest.approx(80.0)
    assert b["break_even_price"] == pytest.approx(1200.0)
    for col in ("price", "cpe", "cpe_low", "cpe_high", "cpa", "cpa_low", "cpa_high", "cpa_ratio", "p_cheaper"):
        assert math.isnan(out.loc["kC", col]), col  # no price: missing, never 0
    # what a quote may be, price or not: 100 × (500 × .01)
    assert out.loc["kC", "break_even_price"] == pytest.approx(500.0)
    assert math.isnan(out.loc["kD", "cpe"]) and math.isnan(out.loc["kD", "cpa"])


def test_cost_per_result_p_cheaper_against_simulation() -> None:
    """p_cheaper agrees with an independent simulation of the same three uncertainties."""
    kols = pd.DataFrame({"kol_id": ["kA"], "platform": ["douyin"], "price": [2000.0]})
    rate = ConversionRate(rate=0.01, low=0.0, high=0.0, conversions=20.0, engagements=2000.0,
                          n_campaigns=1, n_posts=1, confidence=0.95)
    out = cost_per_result(kols, _expected_frame().iloc[:1], rate, _feed(), n_sim=40_000).iloc[0]
    rng = np.random.default_rng(123)
    n = 200_000
    eng = np.maximum(rng.normal(2000, 400 / (2 * stats.norm.ppf(0.9)), n), 0)
    r = rng.beta(20.5, 1980.5, n)
    feed = 10_000 / rng.gamma(100.5, 1.0, n)
    expected_p = np.mean(eng * r * feed > 2000)
    assert out["p_cheaper"] == pytest.approx(expected_p, abs=0.01)


def test_cost_per_result_cpe_only_without_rate() -> None:
    """No booking history: CPE only; conversions, CPA and p_cheaper missing; cost_basis says so."""
    kols = pd.DataFrame({"kol_id": ["kA"], "platform": ["douyin"], "price": [1000.0]})
    out = cost_per_result(kols, _expected_frame().iloc[:1], None, _feed()).iloc[0]
    assert out["cpe"] == pytest.approx(0.5)
    assert math.isnan(out["cpa"]) and math.isnan(out["p_cheaper"]) and math.isnan(out["break_even_price"])
    assert out["cost_basis"] == "cpe only"


@pytest.mark.parametrize("ratio_max", [0.5, 2.0])
def test_break_even_scales_with_ratio(ratio_max: float) -> None:
    """break_even_price = feed CPA × cpa_ratio_max × expected conversions (100 × r × 20)."""
    kols = pd.DataFrame({"kol_id": ["kA"], "platform": ["douyin"], "price": [1000.0]})
    rate = ConversionRate(rate=0.01, low=0.0, high=0.0, conversions=50.0, engagements=5000.0,
                          n_campaigns=1, n_posts=1, confidence=0.95)
    out = cost_per_result(kols, _expected_frame().iloc[:1], rate, _feed(), cpa_ratio_max=ratio_max).iloc[0]
    assert out["break_even_price"] == pytest.approx(100 * ratio_max * 20)


def test_cost_per_result_bad_input() -> None:
    """Negative prices are a data problem; cpa_ratio_max must be positive."""
    kols = pd.DataFrame({"kol_id": ["kA"], "platform": ["douyin"], "price": [-5.0]})
    with pytest.raises(DataError, match="price"):
        cost_per_result(kols, _expected_frame(), None, _feed())
    with pytest.raises(ParameterError, match="cpa_ratio_max"):
        cost_per_result(kols.assign(price=5.0), _expected_frame(), None, _feed(), cpa_ratio_max=0)
