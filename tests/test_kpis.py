"""Tests of helpers.review.kpis against a small hand-built data set whose KPIs are worked out by hand.

The fixture (see ``daily``/``posts``/``ads``) has two own accounts from 2026-07-22 to 2026-09-30
(71 days: 10 in July, 31 in August, 30 in September) plus account A's September 2025 for the
year-on-year comparison. Daily values are constant within a month so every expectation below is
a short sum written out in a comment.

Account A (weibo), every metric reported:
  followers  = 10000 + 10·(days since 2026-07-21)  →  Jul 31: 10100, Aug 31: 10410, Sep 30: 10710
  gained 12/day, lost 2/day (net +10/day, consistent with followers)
  per day      impressions  reach  engagements  link_clicks  conversions  revenue
  Jul/Aug         1000       400        40           10            2          20
  Sep             1500       600        60           15            3          30
  posts: 8 in August, 10 in September; ads: Aug 1–31 spend 50 revenue 100 per day,
  Sep 1–10 spend 100 revenue 350 per day.
  Sept 2025: followers 8000 + 5·(days since 2025-08-31), impressions 1200/day, engagements 30/day.
Account B (douyin): no gained/lost (net change from the follower counts), reach and conversions
not reported (NaN), no ads at all.
  followers  = 5000 + 20·(days since 2026-07-21)   →  Jul 31: 5200, Aug 31: 5820, Sep 30: 6420
  per day      impressions  engagements  link_clicks  revenue
  Jul/Aug          100           25           10          10
  Sep              100           20           10          10
  posts: 5 in August, 6 in September.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.errors import DataError, ParameterError
from helpers.periods import parse_period
from helpers.review.kpis import KPIS, REPUTATION_KPIS, attach_targets, compute_kpis, kpi_label, kpi_status, scorecard

NAN = math.nan
SEP_START, SEP_END = "2026-09-01", "2026-09-30"


# --- fixture ---------------------------------------------------------------------------------

def _account_rows(account_id: str, first: str, last: str, followers0: float, per_day: float,
                  origin: str, monthly: dict[str, dict[str, float]], default: dict[str, float]) -> pd.DataFrame:
    """Daily rows with followers growing linearly from ``origin`` and metrics constant per month."""
    dates = pd.date_range(first, last)
    frame = pd.DataFrame({"date": dates, "account_id": account_id,
                          "followers": followers0 + per_day * (dates - pd.Timestamp(origin)).days})
    for col in default:
        frame[col] = [monthly.get(f"{d:%Y-%m}", default)[col] for d in dates]
    return frame


@pytest.fixture
def accounts() -> pd.DataFrame:
    return pd.DataFrame({"account_id": ["A", "B"], "platform": ["weibo", "douyin"],
                         "name": ["Brand Weibo", "Brand Douyin"], "owner": ["own", "own"]})


@pytest.fixture
def daily() -> pd.DataFrame:
    a_base = {"followers_gained": 12.0, "followers_lost": 2.0, "impressions": 1000.0, "reach": 400.0,
              "engagements": 40.0, "link_clicks": 10.0, "conversions": 2.0, "revenue": 20.0}
    a_sep = {**a_base, "impressions": 1500.0, "reach": 600.0, "engagements": 60.0, "link_clicks": 15.0,
             "conversions": 3.0, "revenue": 30.0}
    a = _account_rows("A", "2026-07-22", SEP_END, 10000, 10, "2026-07-21", {"2026-09": a_sep}, a_base)
    a_last_year = _account_rows("A", "2025-08-31", "2025-09-30", 8000, 5, "2025-08-31", {},
                                {**a_base, "followers_gained": 6.0, "followers_lost": 1.0,
                                 "impressions": 1200.0, "engagements": 30.0})
    b_base = {"followers_gained": NAN, "followers_lost": NAN, "impressions": 100.0, "reach": NAN,
              "engagements": 25.0, "link_clicks": 10.0, "conversions": NAN, "revenue": 10.0}
    b = _account_rows("B", "2026-07-22", SEP_END, 5000, 20, "2026-07-21",
                      {"2026-09": {**b_base, "engagements": 20.0}}, b_base)
    return pd.concat([a_last_year, a, b], ignore_index=True)


@pytest.fixture
def posts() -> pd.DataFrame:
    def stamps(first: str, n: int) -> list[pd.Timestamp]:
        return list(pd.date_range(first, periods=n, freq="D"))
    # A: 8 in Aug (the last at 23:59 on Aug 31), 10 in Sep (the last at 23:30 on Sep 30)
    a_aug = [*stamps("2026-08-01 09:00", 7), pd.Timestamp("2026-08-31 23:59")]
    a_sep = [*stamps("2026-09-01 20:00", 9), pd.Timestamp("2026-09-30 23:30")]
    b_aug, b_sep = stamps("2026-08-10 12:00", 5), stamps("2026-09-10 12:00", 6)
    when = a_aug + a_sep + b_aug + b_sep
    owner = ["A"] * 18 + ["B"] * 11
    return pd.DataFrame({"post_id": [f"p{i}" for i in range(len(when))], "account_id": owner,
                         "published_at": when, "format": "image"})


@pytest.fixture
def ads() -> pd.DataFrame:
    aug = pd.DataFrame({"date": pd.date_range("2026-08-01", "2026-08-31"), "spend": 50.0, "revenue": 100.0})
    sep = pd.DataFrame({"date": pd.date_range("2026-09-01", "2026-09-10"), "spend": 100.0, "revenue": 350.0})
    frame = pd.concat([aug, sep], ignore_index=True)
    return frame.assign(account_id="A", campaign_id="c1", channel="feed", impressions=1.0, clicks=1.0,
                        conversions=0.0)


def values(kpis: pd.DataFrame, column: str = "value") -> dict[tuple[str, str], float]:
    """{(account_id, kpi): value} for compact assertions."""
    return {(a, k): v for a, k, v in zip(kpis["account_id"], kpis["kpi"], kpis[column], strict=True)}


def cell(kpis: pd.DataFrame, account_id: str, kpi: str, column: str) -> object:
    """One cell of a KPI frame."""
    row = kpis[(kpis["account_id"] == account_id) & (kpis["kpi"] == kpi)]
    assert len(row) == 1
    return row[column].iloc[0]


def check(got: dict[tuple[str, str], float], expected: dict[tuple[str, str], float]) -> None:
    """Every expected value matches (NaN must stay NaN, never 0)."""
    for key, want in expected.items():
        assert key in got, key
        if math.isnan(want):
            assert math.isnan(got[key]), (key, got[key])
        else:
            assert got[key] == pytest.approx(want, rel=1e-12), key


# --- the registry ----------------------------------------------------------------------------

def test_registry_order_and_fields() -> None:
    assert list(KPIS) == ["followers", "net_follower_change", "follower_growth_rate", "impressions", "reach",
                          "engagements", "engagement_rate", "posts_published", "ctr", "conversions",
                          "conversion_rate", "revenue", "ad_spend", "roas", "comments", "negative_share",
                          "net_sentiment"]
    assert all(spec.unit in {"count", "rate", "currency", "ratio", "index"} for spec in KPIS.values())
    assert KPIS["ad_spend"].higher_is_better is None
    assert not KPIS["reach"].additive and "not additive" in KPIS["reach"].definition
    assert "rate of sums" in KPIS["engagement_rate"].definition.lower()
    assert {k for k, s in KPIS.items() if s.additive} == {
        "net_follower_change", "impressions", "engagements", "posts_published", "conversions", "revenue", "ad_spend",
        "comments"}
    assert KPIS["net_sentiment"].higher_is_better and KPIS["negative_share"].higher_is_better is False
    assert KPIS["comments"].higher_is_better is None  # more comments is neither good nor bad
    assert KPIS["followers"].stock and not KPIS["followers"].additive
    assert kpi_label("engagement_rate", "reach") == "Engagement rate (by reach)"


# --- compute_kpis: every KPI, every base -----------------------------------------------------

# September 2026, hand-computed from the fixture description above.
SEPTEMBER = {
    ("A", "followers"): 10710,                     # 10000 + 10·71
    ("A", "net_follower_change"): 300,             # 30 days × (12 − 2)
    ("A", "follower_growth_rate"): 300 / 10410,    # ÷ followers on Aug 31
    ("A", "impressions"): 45000,                   # 30 × 1500
    ("A", "reach"): 600,                           # average daily reach, not 30 × 600
    ("A", "engagements"): 1800,                    # 30 × 60
    ("A", "posts_published"): 10,
    ("A", "ctr"): 450 / 45000,                     # 30 × 15 clicks
    ("A", "conversions"): 90,                      # 30 × 3
    ("A", "conversion_rate"): 90 / 450,
    ("A", "revenue"): 900,
    ("A", "ad_spend"): 1000,                       # 10 days × 100
    ("A", "roas"): 3500 / 1000,                    # 10 × 350 ÷ 1000
    ("B", "followers"): 6420,                      # 5000 + 20·71
    ("B", "net_follower_change"): 600,             # 6420 − 5820 (no gained/lost columns reported)
    ("B", "follower_growth_rate"): 600 / 5820,
    ("B", "impressions"): 3000,
    ("B", "reach"): NAN,                           # not reported: NaN, never 0
    ("B", "engagements"): 600,
    ("B", "posts_published"): 6,
    ("B", "ctr"): 300 / 3000,
    ("B", "conversions"): NAN,
    ("B", "conversion_rate"): NAN,
    ("B", "revenue"): 300,
    ("B", "ad_spend"): NAN,                        # B never appears in ad_daily
    ("B", "roas"): NAN,
    ("total", "followers"): 10710 + 6420,
    ("total", "net_follower_change"): 900,
    ("total", "follower_growth_rate"): 900 / (10410 + 5820),  # Σnet ÷ Σbase, not mean of 0.0288 and 0.103
    ("total", "impressions"): 48000,
    ("total", "reach"): NAN,                       # never summed across platforms
    ("total", "engagements"): 2400,
    ("total", "posts_published"): 16,
    ("total", "ctr"): 750 / 48000,                 # 0.015625; the mean of rates would be 0.055
    ("total", "conversions"): 90,                  # A only (B does not report)
    ("total", "conversion_rate"): 0.2,
    ("total", "revenue"): 1200,
    ("total", "ad_spend"): 1000,
    ("total", "roas"): 3.5,
}

# Engagement rate per base, September 2026.
ER = {
    "impressions": {("A", "engagement_rate"): 1800 / 45000,   # 0.04
                    ("B", "engagement_rate"): 600 / 3000,     # 0.20
                    # rate of sums 2400/48000 = 0.05; the mean of rates (0.04 + 0.20)/2 = 0.12 is NOT it
                    ("total", "engagement_rate"): 2400 / 48000},
    "reach": {("A", "engagement_rate"): 1800 / 18000,          # Σengagements ÷ Σdaily reach (30 × 600)
              ("B", "engagement_rate"): NAN,
              ("total", "engagement_rate"): 1800 / 18000},     # covers A only
    # engagements per post ÷ average followers; A's mean follower count over Sep 1..30 is
    # 10000 + 10·mean(42..71) = 10000 + 10·56.5 = 10565; B's is 5000 + 20·56.5 = 6130.
    "followers": {("A", "engagement_rate"): (1800 / 10) / 10565,
                  ("B", "engagement_rate"): (600 / 6) / 6130,
                  # total: each post against its own account's followers, Σeng ÷ Σ(posts × followers)
                  # = 2400 / (10·10565 + 6·6130) = 2400 / 142430; dividing by the summed followers
                  # (2400/16)/(10565 + 6130) would put every post against both accounts' audiences
                  ("total", "engagement_rate"): 2400 / (10 * 10565 + 6 * 6130)},
}


@pytest.mark.parametrize("er_base", ["impressions", "reach", "followers"])
def test_every_kpi_every_base(daily, posts, ads, accounts, er_base: str) -> None:
    k = compute_kpis(daily, posts, ads, accounts, SEP_START, SEP_END, er_base=er_base)
    check(values(k), {**SEPTEMBER, **ER[er_base]})
    assert list(k.columns) == ["scope", "account_id", "platform", "kpi", "value", "coverage", "note", "covered_days",
                               "period_days", "in_total", "gap"]
    assert len(k) == 3 * (len(KPIS) - len(REPUTATION_KPIS))  # reputation KPIs need comments
    assert set(k.loc[k["scope"] == "total", "platform"]) == {"all"}
    assert er_base in cell(k, "total", "engagement_rate", "note")


def test_totals_are_rates_of_sums_not_means_of_rates(daily, posts, ads, accounts) -> None:
    k = compute_kpis(daily, posts, ads, accounts, SEP_START, SEP_END)
    v = values(k)
    mean_of_rates = (v[("A", "engagement_rate")] + v[("B", "engagement_rate")]) / 2
    assert mean_of_rates == pytest.approx(0.12)
    assert v[("total", "engagement_rate")] == pytest.approx(0.05)
    assert v[("total", "ctr")] != pytest.approx((v[("A", "ctr")] + v[("B", "ctr")]) / 2)


def test_missing_metrics_stay_missing_and_totals_report_coverage(daily, posts, ads, accounts) -> None:
    k = compute_kpis(daily, posts, ads, accounts, SEP_START, SEP_END)
    assert cell(k, "B", "conversions", "coverage") == "0/30 days"
    assert cell(k, "A", "conversions", "coverage") == "30/30 days"
    assert cell(k, "total", "conversions", "coverage") == "1/2 accounts"
    assert cell(k, "total", "impressions", "coverage") == "2/2 accounts"
    assert cell(k, "total", "ad_spend", "coverage") == "1/2 accounts"
    assert "does not cover" in cell(k, "B", "ad_spend", "note")
    assert "not additive" in cell(k, "total", "reach", "note")
    assert "not unique people" in cell(k, "total", "followers", "note")
    assert "Σgained − Σlost" in cell(k, "A", "net_follower_change", "note")
    assert "day before" in cell(k, "B", "net_follower_change", "note")


def test_absent_optional_column_gives_nan_with_a_note(daily, posts, ads, accounts) -> None:
    k = compute_kpis(daily.drop(columns=["reach", "conversions"]), posts, ads, accounts,
                     SEP_START, SEP_END, er_base="reach")
    check(values(k), {("A", "reach"): NAN, ("A", "engagement_rate"): NAN, ("total", "engagement_rate"): NAN,
                      ("total", "conversions"): NAN, ("A", "conversion_rate"): NAN,
                      ("A", "impressions"): 45000})
    assert "no 'reach' column" in cell(k, "A", "engagement_rate", "note")
    assert cell(k, "total", "conversions", "coverage") == "0/2 accounts"


def test_rates_use_only_days_reporting_numerator_and_denominator(daily, posts, ads, accounts) -> None:
    d = daily.copy()
    gap = (d["account_id"] == "A") & d["date"].isin(pd.to_datetime(["2026-09-05", "2026-09-06"]))
    d.loc[gap, "impressions"] = NAN
    d.loc[gap, "engagements"] = 600.0  # big engagement days without impressions
    k = compute_kpis(d, posts, ads, accounts, SEP_START, SEP_END)
    # impressions over 28 days: 28 × 1500 = 42000; engagements over 30: 28 × 60 + 2 × 600 = 2880
    # ER on the 28 paired days: 1680 / 42000 = 0.04 (not 2880 / 42000 = 0.0686)
    check(values(k), {("A", "impressions"): 42000, ("A", "engagements"): 2880, ("A", "engagement_rate"): 0.04,
                      ("A", "ctr"): 420 / 42000})
    assert cell(k, "A", "impressions", "coverage") == "28/30 days"


def test_period_boundaries_include_whole_last_day_of_posts(daily, posts, ads, accounts) -> None:
    aug = compute_kpis(daily, posts, ads, accounts, "2026-08-01", "2026-08-31")
    # A: 8 posts in Aug incl. 23:59 on Aug 31; Aug totals 31 × daily values; net change 31 × 10
    check(values(aug), {("A", "posts_published"): 8, ("B", "posts_published"): 5, ("A", "impressions"): 31000,
                        ("A", "net_follower_change"): 310, ("A", "follower_growth_rate"): 310 / 10100,
                        ("B", "net_follower_change"): 620, ("B", "follower_growth_rate"): 620 / 5200,
                        ("A", "ad_spend"): 1550, ("A", "roas"): 3100 / 1550})


def test_event_tables_zero_only_when_they_cover_the_account(daily, posts, ads, accounts) -> None:
    # July: the posts table starts on Aug 1, so July post counts are unknown (NaN), not 0.
    july = compute_kpis(daily, posts, ads, accounts, "2026-07-01", "2026-07-31")
    check(values(july), {("A", "posts_published"): NAN, ("A", "ad_spend"): NAN})
    # Sep 11-30 with A's ads only: ad_daily ends on Sep 10, so A's spend there is unknown
    late = compute_kpis(daily, posts, ads, accounts, "2026-09-11", SEP_END)
    check(values(late), {("A", "ad_spend"): NAN, ("B", "ad_spend"): NAN})
    # once B runs ads on Sep 20-30 (11 days × 10), ad_daily covers Sep 11-30 and A's spend is a true 0
    b_ads = ads.tail(11).assign(date=pd.date_range("2026-09-20", SEP_END), account_id="B", spend=10.0)
    late = compute_kpis(daily, posts, pd.concat([ads, b_ads]), accounts, "2026-09-11", SEP_END)
    check(values(late), {("A", "ad_spend"): 0.0, ("A", "roas"): NAN, ("B", "ad_spend"): 110.0,
                         ("total", "ad_spend"): 110.0})
    assert cell(late, "total", "ad_spend", "coverage") == "2/2 accounts"
    none = compute_kpis(daily, None, None, accounts, SEP_START, SEP_END)
    check(values(none), {("A", "posts_published"): NAN, ("total", "ad_spend"): NAN, ("A", "impressions"): 45000})


def test_no_base_day_gives_nan_growth(daily, posts, ads, accounts) -> None:
    # July 2026 data starts on Jul 22: no follower count on Jun 30 (the day before the period)
    july = compute_kpis(daily, posts, ads, accounts, "2026-07-01", "2026-07-31")
    check(values(july), {("A", "follower_growth_rate"): NAN, ("B", "net_follower_change"): NAN,
                         ("A", "net_follower_change"): 100,  # gained − lost over Jul 22..31: 10 × 10
                         ("A", "followers"): 10100})
    assert cell(july, "A", "impressions", "coverage") == "10/31 days"


def test_followers_as_of_last_reported_day(daily, posts, ads, accounts) -> None:
    k = compute_kpis(daily, posts, ads, accounts, SEP_START, "2026-10-15")
    assert cell(k, "A", "followers", "value") == 10710
    assert "as of 2026-09-30" in cell(k, "A", "followers", "note")
    assert cell(k, "A", "impressions", "coverage") == "30/45 days"


def test_only_the_accounts_passed_are_reviewed(daily, posts, ads, accounts) -> None:
    k = compute_kpis(daily, posts, ads, accounts[accounts["account_id"] == "B"], SEP_START, SEP_END)
    assert set(k["account_id"]) == {"B", "total"}
    check(values(k), {("total", "impressions"): 3000, ("total", "engagement_rate"): 0.2})


def test_single_account_total_reach_is_its_reach(daily, posts, ads, accounts) -> None:
    k = compute_kpis(daily, posts, ads, accounts[accounts["account_id"] == "A"], SEP_START, SEP_END)
    check(values(k), {("total", "reach"): 600})


def test_nullable_integer_columns(daily, posts, ads, accounts) -> None:
    d = daily.copy()
    d["conversions"] = d["conversions"].astype("Int64")
    d["followers"] = d["followers"].astype("Int64")
    check(values(compute_kpis(d, posts, ads, accounts, SEP_START, SEP_END)),
          {("A", "conversions"): 90, ("B", "conversions"): NAN, ("A", "followers"): 10710})


def test_bad_input_raises_clear_errors(daily, posts, ads, accounts) -> None:
    with pytest.raises(DataError, match="account_daily is missing required column.*followers"):
        compute_kpis(daily.drop(columns=["followers"]), posts, ads, accounts, SEP_START, SEP_END)
    with pytest.raises(DataError, match="ad_daily is missing required column.*spend"):
        compute_kpis(daily, posts, ads.drop(columns=["spend"]), accounts, SEP_START, SEP_END)
    with pytest.raises(DataError, match="duplicate account × day"):
        compute_kpis(pd.concat([daily, daily.tail(1)]), posts, ads, accounts, SEP_START, SEP_END)
    with pytest.raises(ParameterError, match="er_base 'views'"):
        compute_kpis(daily, posts, ads, accounts, SEP_START, SEP_END, er_base="views")
    with pytest.raises(ParameterError, match="before start"):
        compute_kpis(daily, posts, ads, accounts, SEP_END, SEP_START)
    with pytest.raises(ParameterError, match="no accounts"):
        compute_kpis(daily, posts, ads, accounts.iloc[0:0], SEP_START, SEP_END)


# --- targets ---------------------------------------------------------------------------------

def targets_frame(rows: list[tuple[str, str, object, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["account_id", "kpi", "period", "target"])


def test_monthly_targets_and_attainment(daily, posts, ads, accounts) -> None:
    k = compute_kpis(daily, posts, ads, accounts, SEP_START, SEP_END)
    t = targets_frame([("A", "impressions", "2026-09", 45000), ("B", "impressions", "2026-09", 2500),
                       ("A", "engagement_rate", "2026-09", 0.05), ("B", "engagement_rate", "2026-09", 0.2),
                       ("A", "revenue", "2026-09", 1000), ("total", "revenue", "2026-9", 1000),
                       ("A", "impressions", "2026-08", 1.0)])  # another month: ignored
    out = attach_targets(k, t, "2026-09", "month")
    check(values(out, "target"), {("A", "impressions"): 45000, ("B", "impressions"): 2500,
                                  ("total", "impressions"): 47500,  # both accounts have one: 45000 + 2500
                                  ("total", "engagement_rate"): NAN,  # rates are never summed
                                  ("B", "revenue"): NAN,
                                  ("total", "revenue"): 1000})  # explicit total target wins
    check(values(out, "attainment"), {("A", "impressions"): 1.0, ("B", "impressions"): 3000 / 2500,
                                      ("total", "impressions"): 48000 / 47500,
                                      ("A", "engagement_rate"): 0.04 / 0.05, ("A", "revenue"): 0.9,
                                      ("total", "revenue"): 1.2, ("B", "revenue"): NAN})


def test_total_target_needs_every_account(daily, posts, ads, accounts) -> None:
    k = compute_kpis(daily, posts, ads, accounts, SEP_START, SEP_END)
    out = attach_targets(k, targets_frame([("A", "impressions", "2026-09", 45000)]), "2026-09", "month")
    check(values(out, "target"), {("total", "impressions"): NAN})


def test_quarter_falls_back_to_monthly_targets(daily, posts, ads, accounts) -> None:
    k = compute_kpis(daily, posts, ads, accounts, "2026-07-01", SEP_END)
    t = targets_frame([
        ("A", "impressions", "2026-07", 30000), ("A", "impressions", "2026-08", 31000),
        ("A", "impressions", "2026-09", 45000),
        ("A", "followers", "2026-07", 10000), ("A", "followers", "2026-08", 10400),
        ("A", "followers", "2026-09", 10700),
        ("A", "engagements", "2026-08", 1), ("A", "engagements", "2026-09", 1),  # July missing
        ("A", "engagement_rate", "2026-07", 0.04), ("A", "engagement_rate", "2026-08", 0.04),
        ("A", "engagement_rate", "2026-09", 0.04),
        ("B", "impressions", "2026Q3", 9000), ("B", "impressions", "2026-09", 1),  # quarterly target wins
        ("B", "followers", "2026-09", 6000),
    ])
    out = attach_targets(k, t, "2026-Q3", "quarter")
    check(values(out, "target"), {
        ("A", "impressions"): 30000 + 31000 + 45000,  # additive: sum of the three months
        ("A", "followers"): 10700,                    # stock: the quarter's last month
        ("A", "engagements"): NAN,                    # a month is missing: no fallback
        ("A", "engagement_rate"): NAN,                # rates are never summed
        ("B", "impressions"): 9000,
        ("total", "impressions"): 106000 + 9000,
        ("total", "followers"): 10700 + 6000,         # followers targets add across platforms
    })
    # Q3 actual for A: 10 July days × 1000 + 31 × 1000 + 30 × 1500 = 86000
    assert cell(out, "A", "impressions", "attainment") == pytest.approx(86000 / 106000)
    assert "sum of monthly targets 2026-07 to 2026-09" in cell(out, "A", "impressions", "target_source")


def test_targets_errors_and_warnings(daily, posts, ads, accounts) -> None:
    k = compute_kpis(daily, posts, ads, accounts, SEP_START, SEP_END)
    dup = targets_frame([("A", "impressions", "2026-09", 1), ("A", "impressions", "2026-09", 2)])
    with pytest.raises(DataError, match="duplicate"):
        attach_targets(k, dup, "2026-09", "month")
    with pytest.warns(UserWarning, match="engagment_rate"):
        attach_targets(k, targets_frame([("A", "engagment_rate", "2026-09", 0.05)]), "2026-09", "month")
    with pytest.raises(ParameterError, match="2026-13"):
        attach_targets(k, None, "2026-13", "month")
    none = attach_targets(k, None, "2026-09", "month")
    assert none["target"].isna().all() and none["attainment"].isna().all()


# --- status ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("kpi", "actual", "attainment", "change", "status"),
    [
        ("impressions", 1.0, 1.0, NAN, "healthy"),      # attainment == watch_below: healthy
        ("impressions", 1.0, 0.9999, NAN, "watch"),
        ("impressions", 1.0, 0.9, NAN, "watch"),        # == risk_below: still watch
        ("impressions", 1.0, 0.8999, NAN, "at risk"),
        ("impressions", 1.0, 0.5, -0.9, "at risk"),      # target decides, not the change
        ("impressions", 1.0, 1.2, -0.9, "healthy"),
        ("engagement_rate", 1.0, NAN, -0.0999, "healthy"),
        ("engagement_rate", 1.0, NAN, -0.10, "watch"),   # == change_watch: watch
        ("engagement_rate", 1.0, NAN, -0.2499, "watch"),
        ("engagement_rate", 1.0, NAN, -0.25, "at risk"),  # == change_risk: at risk
        ("engagement_rate", 1.0, NAN, 0.5, "healthy"),
        ("engagement_rate", 1.0, NAN, NAN, "info"),      # nothing to compare with
        ("ad_spend", 1.0, 0.5, -0.5, "info"),            # neutral KPI
        ("revenue", NAN, 1.0, 0.0, "missing"),
    ],
)
def test_status_boundaries(kpi: str, actual: float, attainment: float, change: float, status: str) -> None:
    assert kpi_status(kpi, actual, attainment, change)[0] == status


def test_status_custom_thresholds_and_validation() -> None:
    assert kpi_status("revenue", 1.0, 0.85, NAN, watch_below=0.95, risk_below=0.8)[0] == "watch"
    assert kpi_status("revenue", 1.0, NAN, -0.05, change_watch=-0.05, change_risk=-0.2)[0] == "watch"
    with pytest.raises(ParameterError, match="change thresholds"):
        kpi_status("revenue", 1.0, NAN, -0.3, change_watch=-0.3, change_risk=-0.1)
    with pytest.raises(ParameterError, match="unknown KPI 'likes'"):
        kpi_status("likes", 1.0, NAN, NAN)
    with pytest.raises(ParameterError, match="risk_below"):
        scorecard(pd.DataFrame(), None, None, pd.DataFrame(), None, parse_period("month", "2026-09"),
                  watch_below=0.9, risk_below=1.0)


# --- scorecard -------------------------------------------------------------------------------

@pytest.fixture
def board(daily, posts, ads, accounts) -> pd.DataFrame:
    t = targets_frame([("A", "impressions", "2026-09", 45000),   # attainment exactly 1.0
                       ("A", "engagements", "2026-09", 2000),    # 1800 / 2000 = 0.9
                       ("B", "engagements", "2026-09", 700),     # 600 / 700 = 0.857
                       ("A", "engagement_rate", "2026-09", 0.05)])  # 0.04 / 0.05 = 0.8
    # the fixture's ad_daily ends on Sep 10 (10/30 days of September): at the default coverage threshold A's
    # ad KPIs would be "insufficient data" (tested in test_review_coverage.py); here every day counts
    return scorecard(daily, posts, ads, accounts, t, parse_period("month", "2026-09"), min_coverage=0.0)


def test_scorecard_shape(board: pd.DataFrame) -> None:
    assert list(board.columns[:17]) == ["scope", "account_id", "platform", "kpi", "label", "unit", "actual",
                                        "target", "attainment", "previous", "change_pct", "change_abs",
                                        "last_year", "yoy_pct", "yoy_abs", "status", "status_reason"]
    assert len(board) == 3 * (len(KPIS) - len(REPUTATION_KPIS))  # reputation KPIs need comments
    assert not board.duplicated(["account_id", "kpi"]).any()
    assert set(board["status"]) <= {"healthy", "watch", "at risk", "info", "insufficient data", "missing"}


def test_scorecard_previous_and_change(board: pd.DataFrame) -> None:
    # August 2026 (the previous month), by hand: A impressions 31 × 1000 = 31000,
    # B engagements 31 × 25 = 775, B ER 775 / 3100 = 0.25, A ROAS 3100 / 1550 = 2.0
    check(values(board, "previous"), {("A", "impressions"): 31000, ("B", "engagements"): 775,
                                      ("B", "engagement_rate"): 0.25, ("A", "roas"): 2.0,
                                      ("total", "engagement_rate"): (1240 + 775) / (31000 + 3100),
                                      ("B", "reach"): NAN})
    # flows are compared per day: September has 30 days, August 31
    check(values(board, "change_pct"), {("A", "impressions"): (45000 / 30) / (31000 / 31) - 1,  # +50%
                                        ("B", "engagements"): (600 / 30) / (775 / 31) - 1,  # 20/25 − 1 = −20%
                                        ("B", "engagement_rate"): 0.2 / 0.25 - 1,  # relative: −20%
                                        ("A", "roas"): 3.5 / 2.0 - 1})
    check(values(board, "change_abs"), {("B", "engagement_rate"): 0.2 - 0.25,  # −5 percentage points
                                        ("A", "impressions"): 14000})


def test_scorecard_last_year(board: pd.DataFrame) -> None:
    # Sept 2025 for A: impressions 30 × 1200 = 36000, engagements 30 × 30 = 900,
    # followers Sep 30 2025 = 8000 + 5·30 = 8150, net change 30 × (6 − 1) = 150, growth 150/8000
    check(values(board, "last_year"), {("A", "impressions"): 36000, ("A", "engagements"): 900,
                                       ("A", "followers"): 8150, ("A", "follower_growth_rate"): 150 / 8000,
                                       ("B", "impressions"): NAN, ("A", "ad_spend"): NAN})
    check(values(board, "yoy_pct"), {("A", "impressions"): 45000 / 36000 - 1, ("A", "engagements"): 1.0,
                                     ("B", "impressions"): NAN})
    reason = cell(board, "B", "impressions", "status_reason")
    assert "no value for last year (2025-09)" in reason


def test_scorecard_status(board: pd.DataFrame) -> None:
    status = values(board, "status")
    assert status[("A", "impressions")] == "healthy"          # attainment 1.0
    assert status[("A", "engagements")] == "watch"            # attainment 0.9
    assert status[("B", "engagements")] == "at risk"          # attainment 0.857
    assert status[("total", "engagements")] == "at risk"      # 2400 / 2700 = 0.889
    assert status[("A", "engagement_rate")] == "at risk"      # attainment 0.8
    assert status[("B", "engagement_rate")] == "watch"        # no target; 0.25 → 0.2 = −20%
    assert status[("A", "roas")] == "healthy"                 # no target; +75%
    assert status[("B", "reach")] == "missing"
    assert status[("total", "reach")] == "info"               # deliberately not computed
    assert status[("A", "ad_spend")] == "info"                # neutral
    assert cell(board, "total", "engagements", "target") == 2700
    assert "0/30 days" in cell(board, "B", "conversions", "status_reason")


def test_scorecard_change_is_right_signed_for_negative_baselines(accounts) -> None:
    # followers only: 1000 on Jul 31, 900 on Aug 31 (Aug net −100), 950 on Sep 30 (Sep net +50)
    d = pd.DataFrame({"date": pd.to_datetime(["2026-07-31", "2026-08-31", "2026-09-30"]),
                      "account_id": "A", "followers": [1000.0, 900.0, 950.0]})
    b = scorecard(d, None, None, accounts[accounts["account_id"] == "A"], None, parse_period("month", "2026-09"),
                  min_coverage=0.0)  # one follower count a month: 1/30 days, judged here whatever its coverage
    # per day: August's −100 over 31 days scales to −100·30/31 = −96.77 for September's 30 days;
    # (50 − (−96.77)) ÷ |−96.77| = 1 + 50·31/3000 = +1.5167, an improvement (50 / −96.77 − 1 would be −1.52)
    assert cell(b, "A", "net_follower_change", "change_pct") == pytest.approx(1 + 50 * 31 / 3000)
    assert cell(b, "A", "net_follower_change", "status") == "healthy"
    assert "partial data: 1/30 days" in cell(b, "A", "followers", "status_reason")


def test_scorecard_weekly_alignment(daily, posts, ads, accounts) -> None:
    b = scorecard(daily, posts, ads, accounts, None, parse_period("week", "2026-W36"))
    # W36 = Mon Aug 31 .. Sun Sep 6: A impressions 1000 + 6 × 1500 = 10000
    # W35 = Aug 24 .. Aug 30: 7 × 1000 = 7000; 2025-W36 = Sep 1 .. Sep 7 2025: 7 × 1200 = 8400
    check(values(b, "actual"), {("A", "impressions"): 10000, ("A", "followers"): 10470,  # 10000 + 10·47
                                ("A", "follower_growth_rate"): 70 / 10400})           # base Aug 30: 10000 + 10·40
    check(values(b, "previous"), {("A", "impressions"): 7000})
    check(values(b, "last_year"), {("A", "impressions"): 8400})
    assert cell(b, "A", "impressions", "target") != cell(b, "A", "impressions", "target")  # NaN: no weekly targets


def test_scorecard_matches_an_independent_groupby(daily, posts, ads, accounts) -> None:
    """Second implementation: monthly sums and rates of sums straight from pandas groupby."""
    b = scorecard(daily, posts, ads, accounts, None, parse_period("month", "2026-09"))
    d = daily[daily["date"].dt.year == 2026].assign(month=lambda f: f["date"].dt.to_period("M"))
    sums = d.groupby(["account_id", "month"])[["impressions", "engagements", "link_clicks"]].sum(min_count=1)
    sep, aug = pd.Period("2026-09", "M"), pd.Period("2026-08", "M")
    for acc in ("A", "B"):
        assert cell(b, acc, "impressions", "actual") == sums.loc[(acc, sep), "impressions"]
        assert cell(b, acc, "ctr", "previous") == pytest.approx(
            sums.loc[(acc, aug), "link_clicks"] / sums.loc[(acc, aug), "impressions"])
    tot = sums.xs(sep, level="month").sum()
    assert cell(b, "total", "engagement_rate", "actual") == pytest.approx(tot["engagements"] / tot["impressions"])
    assert np.isnan(cell(b, "total", "reach", "actual"))


def test_roas_under_the_stop_loss_is_at_risk_whatever_its_trend(daily, posts, ads, accounts) -> None:
    from helpers.periods import parse_period

    board = scorecard(daily, posts, ads, accounts, None, parse_period("month", "2026-09"), roas_floor=1e6,
                      min_coverage=0.0)  # ad_daily ends Sep 10: 10/30 days
    roas = board[(board["kpi"] == "roas") & board["actual"].notna()]
    assert len(roas) and (roas["status"] == "at risk").all()
    assert roas["status_reason"].str.contains("under the stop-loss floor 1e\\+06").all()
    relaxed = scorecard(daily, posts, ads, accounts, None, parse_period("month", "2026-09"), roas_floor=0.0,
                        min_coverage=0.0)
    assert not (relaxed.loc[relaxed["kpi"] == "roas", "status_reason"].str.contains("stop-loss")).any()


# --- completing daily metrics an export lacks ----------------------------------------------------

def test_complete_daily_metrics_sums_components_only_for_accounts_without_engagements() -> None:
    from helpers.review.kpis import complete_daily_metrics

    daily = pd.DataFrame({
        "date": pd.to_datetime(["2025-12-01", "2025-12-02", "2025-12-03", "2025-12-01", "2025-12-02"]),
        "account_id": ["tt", "tt", "tt", "x", "x"],
        "followers": [100.0, 101.0, 102.0, 50.0, 51.0],
        "likes": [301.0, 455.0, 210.0, 9.0, 9.0],
        "comments": [12.0, np.nan, 8.0, 1.0, 1.0],
        "shares": [4.0, 9.0, 2.0, 0.0, 0.0],
        "engagements": [np.nan, np.nan, np.nan, 40.0, 42.0],
    })
    out, notes = complete_daily_metrics(daily)
    # tt: 301+12+4 = 317; day 2 misses its comments (a component tt reports) → missing, not 464; 210+8+2 = 220
    assert out.loc[out["account_id"] == "tt", "engagements"].tolist()[0] == 317
    assert math.isnan(out.loc[out["account_id"] == "tt", "engagements"].tolist()[1])
    assert out.loc[out["account_id"] == "tt", "engagements"].tolist()[2] == 220
    # x reports engagements (its own definition): kept as reported, not 10
    assert out.loc[out["account_id"] == "x", "engagements"].tolist() == [40, 42]
    assert notes == ["tt: engagements = likes + comments + shares (its exports report no engagements)"]
    # every daily metric exists afterwards, all missing where the export had none
    for column in ("impressions", "reach", "profile_visits", "link_clicks", "conversions", "revenue"):
        assert out[column].isna().all()
    assert "engagements" in daily.columns and daily["engagements"].isna().sum() == 3  # input untouched


def test_complete_daily_metrics_without_components_adds_missing_columns_and_no_note() -> None:
    from helpers.review.kpis import complete_daily_metrics

    daily = pd.DataFrame({"date": pd.to_datetime(["2025-12-01"]), "account_id": ["wx"], "followers": [10.0]})
    out, notes = complete_daily_metrics(daily)
    assert notes == [] and out["engagements"].isna().all() and out["impressions"].isna().all()
    assert out["followers"].tolist() == [10.0]


def test_complete_daily_metrics_fills_follower_counts_from_the_net_change() -> None:
    from helpers.review.kpis import complete_daily_metrics

    # FollowerHistory from Dec 1 (10,000 after +10), Overview rows from Nov 30 without followers
    daily = pd.DataFrame({
        "date": pd.to_datetime(["2025-11-29", "2025-11-30", "2025-12-01", "2025-12-02", "2025-12-04", "2025-12-05"]),
        "account_id": "tt",
        "followers": [np.nan, np.nan, 10000.0, 10003.0, np.nan, 10020.0],
        "followers_net": [np.nan, np.nan, 10.0, 3.0, np.nan, 8.0],
    })
    out, notes = complete_daily_metrics(daily)
    # Nov 30 = 10,000 − 10 (Dec 1's net change); Nov 29 cannot be (Nov 30's net change is missing);
    # Dec 4 = 10,020 − 8 (Dec 5's net change); Dec 3 has no row and is not invented, nor is Nov 28
    # (Nov 29, the first day, has no count)
    assert out["followers"].tolist()[1:] == [9990.0, 10000.0, 10003.0, 10012.0, 10020.0]
    assert math.isnan(out["followers"].iloc[0]) and len(out) == 6
    assert notes[0].startswith("tt: 2 follower count(s) filled from the daily net change")
    # forwards too: a day without a count after a known one = that count + the day's own net change
    later = pd.DataFrame({"date": pd.to_datetime(["2025-12-05", "2025-12-06"]), "account_id": "tt",
                          "followers": [10020.0, np.nan], "followers_net": [8.0, 2.0]})
    out, notes = complete_daily_metrics(later)
    # and the day before the first day gets a row with only its count: 10,020 − 8 = 10,012 on Dec 4
    assert out["date"].dt.strftime("%m-%d").tolist() == ["12-04", "12-05", "12-06"]
    assert out["followers"].tolist() == [10012.0, 10020.0, 10022.0]
    assert out["followers_net"].isna().tolist() == [True, False, False]
    assert notes[-1] == ("tt: followers on Dec 4, 2025 = 10,012, from the next day's count − its net change "
                         "(the base of the first period's growth)")


# --- trends over trailing periods -------------------------------------------------------------

def test_kpi_trend_per_account_and_period_with_targets(daily, posts, ads, accounts) -> None:
    from helpers.review.kpis import kpi_trend

    targets = pd.DataFrame({"account_id": ["A"], "kpi": ["impressions"], "period": ["2026-09"], "target": [40000.0]})
    months = [parse_period("month", "2026-08"), parse_period("month", "2026-09")]
    trend = kpi_trend(daily, posts, ads, accounts, targets, months, ("impressions", "followers",
                                                                     "net_follower_change"))
    assert list(trend.columns) == ["period", "period_start", "account_id", "platform", "kpi", "value", "target"]
    assert "total" not in set(trend["account_id"])  # one line per platform, no total
    got = {(r.period, r.account_id, r.kpi): r.value for r in trend.itertuples()}
    # impressions: A 31 × 1000 = 31,000 in August, 30 × 1500 = 45,000 in September; B 31 × 100, 30 × 100
    # followers (a stock, the last day): A 10,410 and 10,710; B 5,820 and 6,420
    # net follower change: A 31 × 10 = 310 and 30 × 10 = 300; B from its counts 5,820 − 5,200 = 620, 6,420 − 5,820 = 600
    assert got == {
        ("2026-08", "A", "impressions"): 31000, ("2026-08", "A", "followers"): 10410,
        ("2026-08", "A", "net_follower_change"): 310, ("2026-08", "B", "impressions"): 3100,
        ("2026-08", "B", "followers"): 5820, ("2026-08", "B", "net_follower_change"): 620,
        ("2026-09", "A", "impressions"): 45000, ("2026-09", "A", "followers"): 10710,
        ("2026-09", "A", "net_follower_change"): 300, ("2026-09", "B", "impressions"): 3000,
        ("2026-09", "B", "followers"): 6420, ("2026-09", "B", "net_follower_change"): 600,
    }
    with_target = trend[trend["target"].notna()]
    assert with_target[["period", "account_id", "kpi", "target"]].to_dict("records") == [
        {"period": "2026-09", "account_id": "A", "kpi": "impressions", "target": 40000.0}]
    assert set(trend["period_start"]) == {pd.Timestamp("2026-08-01"), pd.Timestamp("2026-09-01")}


def test_kpi_labels_name_the_engagement_rate_base() -> None:
    from helpers.review.kpis import TREND_KPIS, kpi_labels

    assert kpi_labels(["engagement_rate", "revenue"], "reach") == {
        "engagement_rate": "Engagement rate (by reach)", "revenue": "Revenue"}
    assert list(kpi_labels(TREND_KPIS)) == list(TREND_KPIS)


def test_year_falls_back_to_its_twelve_monthly_targets(daily, posts, ads, accounts) -> None:
    k = compute_kpis(daily, posts, ads, accounts, "2026-01-01", "2026-12-31")
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    t = targets_frame([*[("A", "impressions", m, 1000 * i) for i, m in enumerate(months, start=1)],
                       *[("A", "followers", m, 9000 + i) for i, m in enumerate(months, start=1)],
                       *[("B", "engagements", m, 10) for m in months[1:]],        # January missing
                       ("B", "impressions", "2026", 777), ("B", "impressions", "2026-05", 1)])
    out = attach_targets(k, t, "2026", "year")
    check(values(out, "target"), {
        ("A", "impressions"): 1000 * (1 + 12) * 12 / 2,   # additive: 1000 × (1 + 2 + ... + 12) = 78,000
        ("A", "followers"): 9012,                         # stock: December's target
        ("B", "engagements"): NAN,                        # a month is missing: no fallback
        ("B", "impressions"): 777,                        # the yearly target wins
    })
    assert cell(out, "A", "impressions", "target_source") == "sum of monthly targets 2026-01 to 2026-12"


def test_net_sentiment_period_target_is_the_mean_of_its_monthly_targets(daily, posts, ads, accounts) -> None:
    k = compute_kpis(daily, posts, ads, accounts, "2026-07-01", SEP_END)
    k = pd.concat([k, pd.DataFrame({"scope": "account", "account_id": ["A", "B"], "platform": ["weibo", "douyin"],
                                    "kpi": "net_sentiment", "value": [0.55, 0.2], "coverage": "", "note": ""})],
                  ignore_index=True)
    t = targets_frame([("A", "net_sentiment", "2026-07", 0.4), ("A", "net_sentiment", "2026-08", 0.5),
                       ("A", "net_sentiment", "2026-09", 0.6), ("B", "net_sentiment", "2026-09", 0.45)])
    out = attach_targets(k, t, "2026-Q3", "quarter")
    # a share: the mean of (0.4, 0.5, 0.6) = 0.5, never their sum; B lacks July and August: no target
    assert cell(out, "A", "net_sentiment", "target") == pytest.approx(0.5)
    assert cell(out, "A", "net_sentiment", "attainment") == pytest.approx(0.55 / 0.5)
    assert "mean of monthly targets 2026-07 to 2026-09" in cell(out, "A", "net_sentiment", "target_source")
    assert math.isnan(cell(out, "B", "net_sentiment", "target"))
