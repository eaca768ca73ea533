"""Tests of helpers.review.ads: ratios of sums by hand, stop-loss and CTR flags, the budget shift rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.errors import DataError, ParameterError
from helpers.review.ads import (
    RESERVE_LABEL,
    ad_performance,
    flag_low_ctr,
    flag_stop_loss,
    suggest_budget_shift,
)

NAN = math.nan


def ad_rows() -> pd.DataFrame:
    """Hand-sized ad_daily table (see the tests for the sums).

    A (feed):   06-01 spend 100, impr 10000, clicks 300, conv 20, revenue 600
                06-02 spend  50, impr  5000, clicks 100, conv 10, revenue 300
    B (search): 06-01 spend 200, impr  8000, clicks   0, conv  0, revenue 100
    C (feed):   06-01 spend 100, impr  4000, clicks  40, conv  4, revenue 400
                06-02 spend 100, impr  4000, clicks  40, conv  4, revenue NaN (not tracked)
    A (feed):   06-10 spend 999 ... outside the 06-01..06-02 period
    """
    return pd.DataFrame({
        "date": pd.to_datetime(["2026-06-01", "2026-06-02", "2026-06-01", "2026-06-01", "2026-06-02",
                                "2026-06-10"]),
        "account_id": "acc",
        "campaign_id": ["A", "A", "B", "C", "C", "A"],
        "channel": ["feed", "feed", "search", "feed", "feed", "feed"],
        "creative_id": ["a1", "a2", "b1", "c1", "c1", "a1"],
        "spend": [100.0, 50.0, 200.0, 100.0, 100.0, 999.0],
        "impressions": [10000, 5000, 8000, 4000, 4000, 1],
        "clicks": [300, 100, 0, 40, 40, 1],
        "conversions": [20, 10, 0, 4, 4, 1],
        "revenue": [600.0, 300.0, 100.0, 400.0, NAN, 1.0],
    })


def test_campaign_performance_by_hand() -> None:
    perf = ad_performance(ad_rows(), start=pd.Timestamp("2026-06-01"), end=pd.Timestamp("2026-06-02"))
    a, b, c = (perf.set_index("campaign_id").loc[k] for k in "ABC")
    # A: spend 150, impressions 15000, clicks 400, conversions 30, revenue 900
    assert (a["spend"], a["impressions"], a["clicks"], a["conversions"], a["revenue"]) == (150, 15000, 400, 30, 900)
    assert a["ctr"] == pytest.approx(400 / 15000)        # 0.026667, not the mean of 0.03 and 0.02
    assert a["ctr"] != pytest.approx((0.03 + 0.02) / 2)
    assert a["cpm"] == pytest.approx(10.0)               # 150 / 15000 × 1000
    assert a["cpc"] == pytest.approx(0.375)              # 150 / 400
    assert a["cpa"] == pytest.approx(5.0)                # 150 / 30
    assert a["cvr"] == pytest.approx(0.075)              # 30 / 400
    assert a["roas"] == pytest.approx(6.0)               # 900 / 150
    # B: no clicks, no conversions → cpc, cpa, cvr undefined (NaN), ctr is a true 0
    assert b["ctr"] == 0.0 and b["roas"] == pytest.approx(0.5)  # 100 / 200
    assert math.isnan(b["cpc"]) and math.isnan(b["cpa"]) and math.isnan(b["cvr"])
    # C: revenue reported on one day only → ROAS over that day: 400 / 100 = 4 (not 400 / 200 = 2)
    assert c["revenue"] == 400 and c["spend"] == 200
    assert c["roas"] == pytest.approx(4.0)
    assert c["cpa"] == pytest.approx(25.0)               # 200 / 8


def test_performance_without_revenue_column_gives_nan_roas() -> None:
    perf = ad_performance(ad_rows().drop(columns="revenue"))
    assert perf["revenue"].isna().all() and perf["roas"].isna().all()
    assert perf["cpa"].notna().any()


def test_performance_by_channel_and_all_dates() -> None:
    perf = ad_performance(ad_rows(), by="channel").set_index("channel")
    # feed: spend 100 + 50 + 100 + 100 + 999 = 1349; impressions 10000 + 5000 + 4000 + 4000 + 1 = 23001
    assert perf.loc["feed", "spend"] == 1349 and perf.loc["feed", "impressions"] == 23001
    assert perf.loc["feed", "cpm"] == pytest.approx(1349 / 23001 * 1000)
    # feed revenue pairs exclude C's 06-02 (spend 100): (600 + 300 + 400 + 1) / (1349 − 100)
    assert perf.loc["feed", "roas"] == pytest.approx(1301 / 1249)


def test_performance_all_missing_metric_is_nan_not_zero() -> None:
    rows = ad_rows()
    rows.loc[rows["campaign_id"] == "B", "conversions"] = NAN
    b = ad_performance(rows).set_index("campaign_id").loc["B"]
    assert math.isnan(b["conversions"]) and math.isnan(b["cpa"])


def test_performance_errors() -> None:
    with pytest.raises(DataError, match="clicks"):
        ad_performance(ad_rows().drop(columns="clicks"))
    with pytest.raises(DataError, match="creative"):
        ad_performance(ad_rows(), by=("creative",))
    with pytest.raises(ParameterError):
        ad_performance(ad_rows(), by=())
    with pytest.raises(ParameterError, match="after end"):
        ad_performance(ad_rows(), start=pd.Timestamp("2026-06-05"), end=pd.Timestamp("2026-06-01"))


def test_stop_loss_flags() -> None:
    perf = pd.DataFrame({"campaign_id": ["w", "l", "u", "edge"], "roas": [6.0, 0.5, NAN, 3.0]})
    flagged = flag_stop_loss(perf, roas_floor=3.0)
    assert flagged["stop_loss"].tolist() == [False, True, False, False]  # 3.0 is at the floor: kept
    assert flagged.loc[0, "action"].startswith("keep") and flagged.loc[3, "action"].startswith("keep")
    assert flagged.loc[1, "action"].startswith("stop-loss") and "0.50" in flagged.loc[1, "action"]
    assert flagged.loc[2, "action"].startswith("ROAS unknown")
    assert "stop_loss" not in perf.columns  # input untouched


def test_low_ctr_flags() -> None:
    perf = pd.DataFrame({"creative_id": ["hi", "at", "lo", "none"], "ctr": [0.06, 0.05, 0.01, NAN]})
    flagged = flag_low_ctr(perf)
    assert flagged["keep"].tolist() == [True, False, False, False]  # keep only CTR > 5 %
    assert flagged.loc[0, "action"].startswith("keep") and flagged.loc[2, "action"].startswith("replace")
    assert flagged.loc[3, "action"].startswith("CTR unknown")
    with pytest.raises(ParameterError):
        flag_low_ctr(perf, ctr_keep=5)


def test_budget_shift_by_hand() -> None:
    perf = pd.DataFrame({"campaign_id": ["A", "B", "C", "D"], "spend": [100.0, 300.0, 200.0, 50.0],
                         "roas": [5.0, 2.0, 4.0, NAN]})
    plan = suggest_budget_shift(perf, roas_floor=3.0, flexible_share=0.2).set_index("campaign_id")
    # B (ROAS 2 < 3) frees 300; reserve 0.2 × 300 = 60; 240 to A and C by revenue:
    # A revenue 100 × 5 = 500, C 200 × 4 = 800 → A +240·500/1300 = 92.3077, C +240·800/1300 = 147.6923
    assert plan.loc["A", "suggested_spend"] == pytest.approx(192.3077, abs=1e-4)
    assert plan.loc["B", "suggested_spend"] == 0.0
    assert plan.loc["C", "suggested_spend"] == pytest.approx(347.6923, abs=1e-4)
    assert plan.loc["D", "suggested_spend"] == 50.0             # unknown ROAS: unchanged
    assert plan.loc[RESERVE_LABEL, "suggested_spend"] == pytest.approx(60.0)
    assert plan["suggested_spend"].sum() == pytest.approx(650.0)  # 100 + 300 + 200 + 50
    assert plan.loc["B", "change"] == -300.0 and plan.loc[RESERVE_LABEL, "change"] == pytest.approx(60.0)
    # expected revenue at measured ROAS: A 192.3077 × 5 = 961.54; C 347.6923 × 4 = 1390.77
    assert plan.loc["A", "expected_revenue"] == pytest.approx(961.5385, abs=1e-3)
    assert plan.loc["C", "expected_revenue"] == pytest.approx(1390.7692, abs=1e-3)
    assert plan.loc["B", "expected_revenue"] == 0.0
    assert math.isnan(plan.loc["D", "expected_revenue"]) and math.isnan(plan.loc[RESERVE_LABEL, "expected_revenue"])
    assert list(plan.reset_index().columns) == ["campaign_id", "spend", "roas", "suggested_spend", "change",
                                                "reason", "expected_revenue"]


def test_budget_shift_without_winners_keeps_freed_budget_in_reserve() -> None:
    perf = pd.DataFrame({"campaign_id": ["A", "B"], "spend": [100.0, 50.0], "roas": [1.0, 2.5]})
    plan = suggest_budget_shift(perf).set_index("campaign_id")
    assert plan.loc[RESERVE_LABEL, "suggested_spend"] == 150.0
    assert (plan.loc[["A", "B"], "suggested_spend"] == 0).all()


def test_budget_shift_nothing_to_free_changes_nothing() -> None:
    perf = pd.DataFrame({"campaign_id": ["A", "B"], "spend": [100.0, 50.0], "roas": [4.0, 3.5]})
    plan = suggest_budget_shift(perf).set_index("campaign_id")
    np.testing.assert_allclose(plan["change"], 0.0)


def test_budget_shift_from_ad_performance() -> None:
    perf = ad_performance(ad_rows(), start=pd.Timestamp("2026-06-01"), end=pd.Timestamp("2026-06-02"))
    plan = suggest_budget_shift(perf).set_index("campaign_id")
    # B (ROAS 0.5) frees 200: reserve 40; 160 to A (rev 900) and C (paired ROAS 4 → weight 200 × 4 = 800)
    assert plan.loc["A", "suggested_spend"] == pytest.approx(150 + 160 * 900 / 1700)
    assert plan.loc["C", "suggested_spend"] == pytest.approx(200 + 160 * 800 / 1700)
    assert plan["suggested_spend"].sum() == pytest.approx(150 + 200 + 200)


@pytest.mark.parametrize("perf, match", [
    (pd.DataFrame({"campaign_id": ["A", "A"], "spend": [1.0, 2.0], "roas": [4.0, 1.0]}), "repeat"),
    (pd.DataFrame({"campaign_id": ["A", "B"], "spend": [-1.0, 2.0], "roas": [4.0, 1.0]}), "negative"),
    (pd.DataFrame({"campaign_id": ["A"], "spend": [1.0]}), "roas"),
])
def test_budget_shift_data_errors(perf: pd.DataFrame, match: str) -> None:
    with pytest.raises(DataError, match=match):
        suggest_budget_shift(perf)


def test_budget_shift_parameter_errors() -> None:
    perf = pd.DataFrame({"campaign_id": ["A"], "spend": [1.0], "roas": [4.0]})
    with pytest.raises(ParameterError):
        suggest_budget_shift(perf, flexible_share=1.5)
    with pytest.raises(ParameterError):
        suggest_budget_shift(perf, roas_floor=-1)


def test_campaign_on_two_channels_stays_one_row_with_both_listed() -> None:
    from helpers.review.ads import campaign_performance

    rows = pd.DataFrame({"date": pd.to_datetime(["2026-10-01", "2026-10-02"]), "account_id": ["a", "a"],
                         "campaign_id": ["c1", "c1"], "channel": ["search", "feed"], "spend": [100.0, 300.0],
                         "impressions": [1000, 3000], "clicks": [50, 90], "conversions": [5, 5],
                         "revenue": [500.0, 700.0]})
    perf = campaign_performance(rows)
    assert perf["campaign_id"].tolist() == ["c1"] and perf.loc[0, "channel"] == "feed, search"
    # ROAS = (500 + 700) / (100 + 300) = 3.0; CTR = 140 / 4000 = 0.035
    assert perf.loc[0, "roas"] == pytest.approx(3.0) and perf.loc[0, "ctr"] == pytest.approx(0.035)


def test_review_ads_judges_campaigns_and_creatives_of_the_period() -> None:
    from helpers.review.ads import review_ads

    june = (pd.Timestamp("2026-06-01"), pd.Timestamp("2026-06-02"))
    ads = review_ads(ad_rows(), *june, roas_floor=3.0, ctr_keep=0.05)
    assert ads is not None
    # ROAS (test_campaign_performance_by_hand): A 6.0, B 0.5, C 4.0 → B under the floor of 3
    assert ads.stop["campaign_id"].tolist() == ["B"]
    # CTR per creative: a1 300/10000 = 3 %, a2 100/5000 = 2 %, b1 0/8000 = 0 %, c1 80/8000 = 1 %: all ≤ 5 %
    assert ads.creatives["creative_id"].tolist() == ["a1", "a2", "b1", "c1"]
    assert ads.low["creative_id"].tolist() == ["a1", "a2", "b1", "c1"]
    # B's 200 freed: 20 % to the reserve (40), 160 to A and C in proportion to spend × ROAS:
    # A 150 × 6 = 900, C 200 × 4 = 800 → A 160 × 900/1700 = 84.71, C 160 × 800/1700 = 75.29
    budget = ads.budget.set_index("campaign_id")["change"]
    assert budget["B"] == -200 and budget["flexible reserve"] == pytest.approx(40)
    assert budget["A"] == pytest.approx(84.70588) and budget["C"] == pytest.approx(75.29412)
    assert list(ads.tables()) == ["ads_campaigns", "ads_creatives", "budget_shift"]
    assert review_ads(None, *june) is None


def test_review_ads_without_creatives_judges_each_campaign_as_one_creative() -> None:
    from helpers.review.ads import review_ads

    ads = review_ads(ad_rows().drop(columns="creative_id"), pd.Timestamp("2026-06-01"), pd.Timestamp("2026-06-02"),
                     ctr_keep=0.025)
    assert ads is not None
    # campaign CTR: A 400/15000 = 2.67 % > 2.5 % (kept), B 0 %, C 80/8000 = 1 %
    assert ads.creatives["creative_id"].tolist() == ["A (all creatives)", "B (all creatives)", "C (all creatives)"]
    assert ads.low["creative_id"].tolist() == ["B (all creatives)", "C (all creatives)"]


def test_zero_spend_and_untracked_revenue_are_told_apart() -> None:
    """Z spent nothing in the period (ROAS 0/0: none, nothing to shift); U spent 80 without tracked revenue."""
    perf = pd.DataFrame({"campaign_id": ["W", "L", "Z", "U"], "spend": [100.0, 100.0, 0.0, 80.0],
                         "roas": [5.0, 1.0, NAN, NAN]})
    actions = flag_stop_loss(perf).set_index("campaign_id")["action"]
    assert actions["Z"] == "no spend in the period: no ROAS to judge"
    assert actions["U"] == "ROAS unknown (revenue not tracked): check tracking before judging"
    plan = suggest_budget_shift(perf).set_index("campaign_id")
    assert plan.loc["Z", "reason"] == "no spend in the period: no ROAS, nothing to shift"
    assert plan.loc["U", "reason"] == "ROAS unknown: budget unchanged until revenue is tracked"
    # neither moves: Z 0 → 0, U 80 → 80; L's 100 freed: 80 to W, 20 to the reserve
    assert plan.loc["Z", "suggested_spend"] == 0.0 and plan.loc["U", "suggested_spend"] == 80.0
    assert plan.loc["W", "change"] == pytest.approx(80.0) and plan.loc[RESERVE_LABEL, "change"] == pytest.approx(20.0)
    # without a spend column the unknown ROAS cannot be told apart: revenue tracking is the thing to check
    assert flag_stop_loss(perf.drop(columns="spend")).loc[2, "action"].startswith("ROAS unknown")


def test_review_ads_treats_an_empty_ad_daily_like_a_missing_one() -> None:
    from helpers.review.ads import review_ads

    june = (pd.Timestamp("2026-06-01"), pd.Timestamp("2026-06-02"))
    header_only = ad_rows().iloc[0:0]  # what the data layer loads from a header-only file: 0 rows, the columns
    assert list(header_only.columns) == list(ad_rows().columns)
    assert review_ads(header_only, *june) is None
    assert review_ads(None, *june) is None
    # rows, but none dated in the period (A's 06-10 row only): no ads this period either
    assert review_ads(ad_rows(), pd.Timestamp("2026-06-05"), pd.Timestamp("2026-06-08")) is None
