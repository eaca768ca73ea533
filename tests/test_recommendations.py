"""helpers.review.findings: each rule fires only on its finding and cites the numbers behind it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.review import findings as rec


def test_scorecard_rule_cites_attainment_and_gap() -> None:
    board = pd.DataFrame({
        "account_id": ["own_xhs", "own_douyin", "total"], "platform": ["xiaohongshu", "douyin", "all"],
        "kpi": ["net_follower_change", "revenue", "impressions"],
        "label": ["Net follower change", "Revenue", "Impressions"],
        "actual": [600.0, 9500.0, 1e6], "target": [1000.0, 10000.0, np.nan],
        "attainment": [0.6, 0.95, np.nan], "change_pct": [0.1, 0.0, -0.3],
        "status": ["at risk", "watch", "at risk"],
    })
    table = rec.from_scorecard(board)
    assert table["priority"].tolist() == [1, 3, 1]
    # 600 / 1000 = 60 %, gap 600 − 1000 = −400
    assert table.loc[0, "finding"] == ("Net follower change on xiaohongshu (own_xhs): 60% of target "
                                       "(600 vs 1,000, gap -400).")
    # without a target (and no stated reason) the change against the previous period is cited
    assert table.loc[2, "finding"] == "Impressions on all platforms: 1,000,000; -30% vs the previous period."
    # with a status reason (e.g. the stop-loss), the reason is cited
    board = board.assign(status_reason=["", "", "ROAS 1.80 under the stop-loss floor 3"])
    assert rec.from_scorecard(board).loc[2, "finding"].endswith("1,000,000; ROAS 1.80 under the stop-loss floor 3.")


def test_no_finding_no_recommendation() -> None:
    empty_board = pd.DataFrame(columns=["account_id", "platform", "kpi", "label", "actual", "target",
                                        "attainment", "change_pct", "status"])
    assert rec.from_scorecard(empty_board).empty
    assert rec.combine(rec.from_scorecard(empty_board)).empty


def test_ads_rule_names_stop_loss_campaign_and_weak_creative() -> None:
    campaigns = pd.DataFrame({"campaign_id": ["a", "b"], "spend": [1000.0, 1000.0], "revenue": [1800.0, 5000.0],
                              "roas": [1.8, 5.0], "stop_loss": [True, False]})
    creatives = pd.DataFrame({"campaign_id": ["a", "b"], "creative_id": ["a1", "b1"], "ctr": [0.025, 0.07],
                              "keep": [False, True]})
    budget = pd.DataFrame({"campaign_id": ["a", "b"], "change": [-1000.0, 800.0]})
    table = rec.from_ads(campaigns, creatives, budget, 3.0, 0.05)
    assert table.loc[0, "finding"].startswith("Campaign a: ROAS 1.80 under the 3 stop-loss")
    assert "Creative a1 (a): CTR 2.5% under the 5% keep threshold" in table.loc[1, "finding"]
    assert "b +800" in table.loc[2, "finding"]


def test_content_rule_needs_non_overlapping_intervals() -> None:
    overlapping = pd.DataFrame({"platform": ["douyin"] * 2, "format": ["short_video", "live"], "posts": [20, 10],
                                "posts_with_rate": [20, 10], "er_mean_of_rates": [0.06, 0.04],
                                "er_ci_low": [0.03, 0.02], "er_ci_high": [0.09, 0.06]})
    assert rec.from_content(overlapping).empty
    separated = overlapping.assign(er_ci_low=[0.05, 0.03], er_ci_high=[0.07, 0.045])
    assert "short_video" in rec.from_content(separated).loc[0, "action"]


def test_combine_orders_by_priority_and_numbers() -> None:
    a = pd.DataFrame({"priority": [2], "area": ["x"], "finding": ["f2"], "action": ["a2"]})
    b = pd.DataFrame({"priority": [1], "area": ["y"], "finding": ["f1"], "action": ["a1"]})
    table = rec.combine(a, b)
    assert table["rank"].tolist() == [1, 2] and table["finding"].tolist() == ["f1", "f2"]


def test_alerts_are_grouped_per_account_day_with_each_ratio() -> None:
    alerts = pd.DataFrame({
        "date": pd.to_datetime(["2026-10-14", "2026-10-14", "2026-10-20"]),
        "account_id": ["d", "d", "w"], "platform": ["douyin", "douyin", "weibo"],
        "kpi": ["impressions", "conversions", "engagements"],
        "observed": [400.0, 30.0, 50.0], "expected": [100.0, 10.0, 100.0], "robust_z": [9.0, 8.0, -4.0],
        "severity": ["critical", "critical", "warning"], "direction": ["up", "up", "down"],
    })
    table = rec.from_alerts(alerts)
    assert len(table) == 2
    # 400 / 100 = 4.0×, 30 / 10 = 3.0×
    assert table.loc[0, "finding"] == ("douyin (d) on 2026-10-14: impressions 400 vs 100 expected (4.0×, z +9.0); "
                                       "conversions 30 vs 10 expected (3.0×, z +8.0).")
    assert table["priority"].tolist() == [1, 2]
    assert table.loc[1, "action"].startswith("Diagnose the drop")


def test_unknown_ctr_and_unknown_expected_are_not_turned_into_findings() -> None:
    campaigns = pd.DataFrame({"campaign_id": ["a"], "spend": [10.0], "revenue": [50.0], "roas": [5.0],
                              "stop_loss": [False]})
    creatives = pd.DataFrame({"campaign_id": ["a"], "creative_id": ["a1"], "ctr": [np.nan], "keep": [False]})
    budget = pd.DataFrame({"campaign_id": ["a"], "change": [0.0]})
    assert rec.from_ads(campaigns, creatives, budget, 3.0, 0.05).empty  # unknown CTR: nothing to pause
    alerts = pd.DataFrame({"date": pd.to_datetime(["2026-10-02"]), "account_id": ["d"], "platform": ["douyin"],
                           "kpi": ["revenue"], "observed": [50.0], "expected": [np.nan], "robust_z": [5.0],
                           "severity": ["warning"], "direction": ["up"]})
    assert "nan" not in rec.from_alerts(alerts).loc[0, "finding"]
