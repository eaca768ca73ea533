"""helpers.review.findings: the rules fire only on their finding; So-what lines and summary dicts, by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import i18n
from helpers.periods import parse_period
from helpers.review import findings as rec
from helpers.review import views
from helpers.review.ads import AdsReview
from helpers.review.anomalies import BotCheck
from helpers.review.attribution import AttributionReview
from helpers.review.posts import PostReview
from helpers.review.risks import RiskReview
from helpers.review.session import ReviewRun
from helpers.review.words import channel_name

nan = np.nan
OCTOBER = parse_period("month", "2026-10")
ACCOUNTS = pd.DataFrame({"account_id": ["own_xhs", "own_dy"], "platform": ["xiaohongshu", "douyin"],
                         "name": ["青柠生活·小红书", "青柠生活·抖音"]})


def test_scorecard_rule_cites_attainment_and_gap() -> None:
    board = pd.DataFrame({
        "account_id": ["own_xhs", "own_douyin", "total"], "platform": ["xiaohongshu", "douyin", "all"],
        "kpi": ["net_follower_change", "revenue", "impressions"],
        "label": ["Net follower change", "Revenue", "Impressions"],
        "actual": [600.0, 9500.0, 1e6], "target": [1000.0, 10000.0, np.nan],
        "attainment": [0.6, 0.95, np.nan], "change_pct": [0.1, 0.0, -0.3],
        "status": ["at risk", "watch", "at risk"],
    })
    names = {"own_xhs": "青柠生活·小红书"}
    table = rec.from_scorecard(board, names)
    assert table["priority"].tolist() == [1, 3, 1]
    assert table["section"].tolist() == ["kpi"] * 3
    # 600 / 1000 = 60 %, gap 600 − 1000 = −400 (a minus sign, not a hyphen); the account by its name
    assert table.loc[0, "finding"] == "青柠生活·小红书, Net follower change: 60% of target (600 vs 1,000, gap −400)."
    # 9,500 / 10,000 = 95 %: one decimal is not needed, 95% is on the same side of 90 % and 100 %
    assert "95% of target" in table.loc[1, "finding"] and "own_douyin" in table.loc[1, "finding"]
    # without a target the change against the previous period is cited
    assert table.loc[2, "finding"] == "all platforms, Impressions: 1,000,000, −30.0% vs the previous period."
    with i18n.use_language("zh-CN"):
        zh = rec.from_scorecard(board, names)
    # 净增粉丝 is the catalog's label; 600 − 1,000 = −400
    assert zh.loc[0, "finding"] == ("青柠生活·小红书的Net follower change：达成率 60%（实际 600，目标 1,000，"
                                    "差距 −400）。")
    assert zh.loc[0, "action"].startswith("复盘涨粉内容")


def test_a_kpi_just_under_90_percent_never_shows_90() -> None:
    # 8,950 / 10,000 = 89.5 %: rounded to 0 decimals it would read "90%" next to "at risk"
    board = pd.DataFrame({"account_id": ["a"], "platform": ["douyin"], "kpi": ["revenue"], "label": ["Revenue"],
                          "actual": [8950.0], "target": [10000.0], "attainment": [0.895], "change_pct": [0.0],
                          "status": ["at risk"]})
    assert "89.5% of target" in rec.from_scorecard(board).loc[0, "finding"]


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
    table = rec.from_content(separated)
    assert table.loc[0, "action"] == ("Give short video more of next month's Douyin slots; "
                                      "test why live stream lags.")
    # 0.06 → 6.00 %, 0.04 → 4.00 %
    assert table.loc[0, "finding"] == ("On Douyin, short video posts average 6.00% engagement rate vs live stream "
                                       "4.00% (95% intervals do not overlap; 20 and 10 posts).")
    with i18n.use_language("zh-CN"):
        assert rec.from_content(separated).loc[0, "action"] == "下月抖音排期给短视频更多位置；测试直播落后的原因。"


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
    table = rec.from_alerts(alerts, {"d": "青柠生活·抖音"})
    assert len(table) == 2
    # 400 / 100 = 4.0×, 30 / 10 = 3.0×
    assert table.loc[0, "finding"] == ("青柠生活·抖音 on Oct 14, 2026: impressions 400 vs 100 expected (4.0×, z +9.0); "
                                       "conversions 400 vs 100 expected (4.0×, z +9.0)."
                                       .replace("conversions 400 vs 100 expected (4.0×, z +9.0)",
                                                "conversions 30 vs 10 expected (3.0×, z +8.0)"))
    with i18n.use_language("zh-CN"):
        zh = rec.from_alerts(alerts, {"d": "青柠生活·抖音"})
    assert zh.loc[0, "finding"] == ("青柠生活·抖音 2026年10月14日：曝光量 400，预期 100（4.0 倍，z +9.0）；"
                                    "转化 30，预期 10（3.0 倍，z +8.0）。")
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


def test_scorecard_view_shows_each_kpi_in_its_unit_and_status_words() -> None:
    board = pd.DataFrame({
        "account_id": ["total", "total", "total", "own_x"],
        "kpi": ["followers", "engagement_rate", "roas", "followers"],
        "label": ["Followers", "Engagement rate (by impressions)", "ROAS", "Followers"],
        "actual": [123456.0, 0.046473, 3.2, 5.0],
        "target": [120000.0, 0.05, 3.0, nan],
        "attainment": [123456 / 120000, 0.8951, 3.2 / 3.0, nan],
        "previous": [110000.0, 0.04, 2.5, nan],
        "change_pct": [123456 / 110000 - 1, 0.046473 / 0.04 - 1, 3.2 / 2.5 - 1, nan],
        "change_abs": [123456 - 110000, 0.046473 - 0.04, 3.2 - 2.5, nan],
        "last_year": [nan, nan, nan, nan], "yoy_pct": [nan, nan, nan, nan], "yoy_abs": [nan, nan, nan, nan],
        "status": ["healthy", "at risk", "healthy", "info"], "status_reason": ["<ok>", "", "", ""],
    })
    html = views.scorecard_view(board, "total").to_html()
    assert "123,456" in html and "120,000" in html                  # counts with separators
    assert "4.65%" in html and "5.00%" in html                       # the rate in percent, not 0.04647
    assert "3.20" in html                                            # ROAS as a ratio
    # 123,456 ÷ 120,000 = 102.88 % → 103%; 3.2 ÷ 3 = 106.7 % → 107%; 89.51 % → 89.5%, never "90%"
    assert "103%" in html and "107%" in html and "89.5%" in html and ">90%<" not in html
    # counts and ratios change in %: 123,456 ÷ 110,000 − 1 = +12.2 %, 3.2 ÷ 2.5 − 1 = +28.0 %; the rate in
    # percentage points: 4.6473 % − 4.00 % = +0.65 pp (its relative +16.2 % stays in the CSV only)
    assert "+12.2%" in html and "+28.0%" in html and "+0.65 pp" in html and "+16.2%" not in html
    assert "▲ at risk" in html and "● healthy" in html and "own_x" not in html
    with i18n.use_language("zh-CN"):
        zh = views.scorecard_view(board, "total").to_html()
    assert "达成率" in zh and "环比" in zh and "同比" in zh and "▲ 风险" in zh and "Actual" not in zh


# --------------------------------------------------------------------------- small hand-made results

def _board() -> pd.DataFrame:
    """Two accounts and the total; statuses chosen so that exactly two rows are under 90 % of a target."""
    return pd.DataFrame({
        "account_id": ["own_xhs", "own_xhs", "own_dy", "own_dy", "total"],
        "platform": ["xiaohongshu", "xiaohongshu", "douyin", "douyin", "all"],
        "kpi": ["net_follower_change", "revenue", "revenue", "impressions", "net_follower_change"],
        "label": ["Net follower change", "Revenue", "Revenue", "Impressions", "Net follower change"],
        "actual": [600.0, 9500.0, 8000.0, 1e6, 2000.0],
        "target": [1000.0, 10000.0, 10000.0, nan, 3000.0],
        "attainment": [0.6, 0.95, 0.8, nan, 2000 / 3000],
        "previous": [700.0, 9000.0, 8500.0, 1.5e6, 2100.0],
        "change_pct": [600 / 700 - 1, 9500 / 9000 - 1, 8000 / 8500 - 1, -1 / 3, 2000 / 2100 - 1],
        "last_year": [nan, nan, nan, nan, nan], "yoy_pct": [nan, nan, nan, nan, nan],
        # impressions fell by a third without a target: at risk, but not "under 90 % of target"
        "status": ["at risk", "watch", "at risk", "at risk", "at risk"],
    })


def _ads(stop: list[bool], ctr: list[float], keep: list[bool]) -> AdsReview:
    campaigns = pd.DataFrame({"campaign_id": ["cmp_a", "cmp_b"], "spend": [1000.0, 1000.0],
                              "revenue": [1800.0, 5000.0], "roas": [1.8, 5.0], "stop_loss": stop})
    creatives = pd.DataFrame({"campaign_id": ["cmp_a", "cmp_a", "cmp_b"], "creative_id": ["a1", "a2", "b1"],
                              "ctr": ctr, "keep": keep})
    budget = pd.DataFrame({"campaign_id": ["cmp_a", "cmp_b", "flexible reserve"], "change": [-1000.0, 800.0, 200.0]})
    return AdsReview(campaigns=campaigns, creatives=creatives, budget=budget, roas_floor=3.0, ctr_keep=0.05)


def _attribution(markov_ratio: list[float], label: list[object], markov_value: str = "share") -> AttributionReview:
    # 390 of 2,345 journeys converted, 10 of them twice: 400 conversions
    journeys = pd.DataFrame({"journey_id": range(2345), "converted": [True] * 390 + [False] * 1955,
                             "conversions": [2] * 10 + [1] * 380 + [0] * 1955,
                             "path": [("search",)] * 2345, "value": [10.0] * 390 + [0.0] * 1955})
    assist = pd.DataFrame({"channel": ["xiaohongshu", "weibo", "search"][:len(label)],
                           "markov_ratio": markov_ratio, "label": label})
    comparison = pd.DataFrame({"model": ["last_touch", "last_touch", "markov", "markov"],
                               "channel": ["search", "xiaohongshu", "search", "xiaohongshu"],
                               "conversions": [300.0, 90.0, 210.0, 180.0], "value": [3000.0, 900.0, 2100.0, nan],
                               "share": [300 / 390, 90 / 390, 210 / 390, 180 / 390]})
    return AttributionReview(journeys=journeys, comparison=comparison, assist=assist, markov_value=markov_value)


def _posts(best: pd.DataFrame, published: int = 12) -> PostReview:
    by_format = pd.DataFrame({"platform": ["douyin"], "format": ["short_video"], "posts": [3]})
    return PostReview(base="impressions", top_n=5, published=published, rated=pd.DataFrame({"post_id": [1, 2, 3]}),
                      best=best, worst=best, by_format=by_format, by_pillar=by_format)


def _risks() -> RiskReview:
    top = pd.DataFrame({"risk_id": ["R1", "R2"], "category": ["platform", "content"], "probability": [0.6, 0.2],
                        "impact": [5, 2], "score": [3.0, 0.4], "level": ["high", "low"], "owner": ["Li", "Wang"],
                        "mitigation": ["backup account", "review"]})
    return RiskReview(register=top, matrix=pd.DataFrame(), top=top)


def _removed() -> pd.DataFrame:
    return pd.DataFrame({"date": pd.to_datetime(["2026-10-22", "2026-10-22", "2026-10-03"]),
                         "account_id": ["own_xhs", "own_xhs", "own_dy"], "column": ["impressions", "reach", "reach"],
                         "observed": [90000.0, 50000.0, 8000.0], "replaced_with": [10000.0, 6000.0, 5000.0],
                         "removed": [80000.0, 44000.0, 3000.0]})


# --------------------------------------------------------------------------- So-what lines

def test_setup_text_names_period_accounts_targets_completions_and_skipped_tables() -> None:
    accounts = pd.DataFrame({"account_id": ["own_tt", "own_x"], "owner": ["own", "own"], "platform": ["tiktok", "x"],
                             "name": ["Lime·TikTok", None]})
    run = ReviewRun(period=OCTOBER, account_ids=("own_tt", "own_x"), data_dir=Path("store"), er_base="impressions",
                    anomaly_method="stl", anomaly_threshold=3.5, bot_iqr_k=1.5, roas_stop_loss=3.0, ctr_keep=0.05,
                    trend=(OCTOBER,), top_n=5, tables={"accounts": accounts, "ad_daily": pd.DataFrame()},
                    targets=pd.DataFrame(), targets_note="No targets given: statuses come from the change.",
                    data_notes=("own_tt: engagements = likes + comments + shares",))
    assert rec.setup_text(run) == (
        "Period: Oct 2026 (Oct 1, 2026 – Oct 31, 2026)\n"
        "Accounts: Lime·TikTok, own_x\n"  # by name; an account without a name by its id
        "No targets given: statuses come from the change.\n"
        "Completed: own_tt: engagements = likes + comments + shares\n"
        # ad_daily is there; the other optional tables are not
        "Not in the data folder, so their sections are skipped: touchpoints, conversions, risks, comments")


def test_bot_days_text_lists_each_account_day_once_and_the_unchecked_accounts() -> None:
    # two removed columns on own_xhs 2026-10-22 make one day; sorted by account id, then day
    assert rec.bot_days_text(_removed()) == "Bot-like traffic removed on: own_dy Oct 3, 2026, own_xhs Oct 22, 2026"
    with i18n.use_language("zh-CN"):
        assert rec.bot_days_text(_removed(), accounts=ACCOUNTS) == (
            "已剔除疑似刷量的日子：青柠生活·抖音 2026年10月3日、青柠生活·小红书 2026年10月22日")
    assert rec.bot_days_text(_removed().iloc[0:0], ("own_tt (no impressions)",)) == (
        "Bot-like traffic removed on: no day in this period\n"
        "Bot check not possible (its two signals are missing) for: own_tt (no impressions)")


def test_kpis_under_target_are_account_rows_at_risk_with_a_target() -> None:
    # own_xhs net followers 60 % and own_dy revenue 80 %: both under 90 % of target; own_xhs revenue (95 %) is on
    # watch, own_dy impressions has no target, and the total is not an account
    assert rec.kpis_under_target_text(_board(), ACCOUNTS) == (
        "KPIs under 90% of target: Net follower change on 青柠生活·小红书 (60%), Revenue on 青柠生活·抖音 (80%)")
    assert rec.kpis_under_target_text(_board().assign(status="healthy")) == "KPIs under 90% of target: none"
    with i18n.use_language("zh-CN"):
        assert rec.kpis_under_target_text(_board().assign(status="healthy")) == "达成率低于 90% 的 KPI：无"


def test_alerts_text_counts_alerts_and_critical_ones() -> None:
    alerts = pd.DataFrame({"severity": ["critical", "warning", "critical"]})
    assert rec.alerts_text(alerts) == "3 alerts, 2 critical."
    assert rec.alerts_text(alerts.iloc[:1]) == "1 alert, 1 critical."
    assert rec.alerts_text(alerts.iloc[0:0]) == "0 alerts, 0 critical."
    with i18n.use_language("zh-CN"):
        assert rec.alerts_text(alerts) == "共 3 条预警，其中 2 条严重。"


def test_top_posts_heading_says_why_nothing_is_ranked() -> None:
    ranked = pd.DataFrame({"post_id": [1], "engagement_rate": [0.05]})
    score = ("Score: engagement rate = the post's engagements (likes, comments, shares and saves, as the platform "
             "reports them) ÷ its impressions.")
    assert rec.top_posts_heading(_posts(ranked)) == "Top 5 posts by engagement rate (by impressions):\n" + score
    assert rec.top_posts_heading(_posts(ranked.iloc[0:0], published=1)) == (
        "Top 5 posts by engagement rate (by impressions):\n" + score + "\n"
        "  none ranked: the period has 1 post(s), none with both engagements and impressions "
        "(an export without that base: try er_base = followers).")
    assert rec.bottom_posts_heading(_posts(ranked)) == "Bottom 5 posts:"


def test_attribution_text_counts_journeys_and_names_assisting_channels() -> None:
    credited = _attribution([2.0, 1.6, 0.5], ["assist", "assist", "closer"])
    # 390 of 2,345 journeys converted, 10 of them twice: 400 conversions (set in _attribution)
    assert rec.attribution_text(credited) == (
        "390 converting journeys of 2,345, with 400 conversions: a journey that converts more than once "
        "counts each conversion.\n"
        "Every conversion has a recorded touch: each model credits all 400 conversions (value 3,900.00) to "
        "channels.\n"
        "Channels that mostly assist (Markov ÷ last touch ≥ 1.5): Xiaohongshu, Weibo\n"
        "Markov value credit: each channel's share of the conversions × the total value.")
    none_assist = _attribution([1.2, 0.5], ["balanced", "closer"], markov_value="removal")
    assert rec.attribution_text(none_assist).endswith(
        "≥ 1.5): none\n"
        "Markov value credit: value removal effects (the conversion value lost without the channel, "
        "as ChannelAttribution computes it).")
    assert rec.attribution_text(None) == ("No touchpoints and conversions in the data folder: attribution is skipped "
                                          "(import them as canonical tables to see it).")


def test_strongest_assist_is_the_top_ratio_only_when_labelled_assist() -> None:
    prefix = "Strongest assist channel (highest Markov ÷ last-touch credit): "
    # the assist table is sorted by ratio, unknown ratios last; an unknown ratio never counts
    assert rec.strongest_assist_text(_attribution([nan, 2.0, 0.5], [nan, "assist", "closer"])) == prefix + "Weibo"
    assert rec.strongest_assist_text(_attribution([1.2, 0.5], ["balanced", "closer"])) == prefix + "none"
    assert rec.strongest_assist_text(_attribution([nan], [nan])) == prefix + "none"
    assert rec.strongest_assist_text(None) == prefix + "none"


def test_ads_text_names_stopped_campaigns_and_weak_creatives_with_known_ctr() -> None:
    # a2 has no impressions (CTR unknown): nothing to judge, so it is not listed
    ads = _ads(stop=[True, False], ctr=[0.02, nan, 0.08], keep=[False, False, True])
    assert rec.ads_text(ads) == ("Campaigns under the ROAS stop-loss (3): cmp_a\n"
                                 "Creatives under the CTR keep threshold (5%): a1")
    fine = _ads(stop=[False, False], ctr=[0.06, 0.07, 0.08], keep=[True, True, True])
    assert rec.ads_text(fine) == ("Campaigns under the ROAS stop-loss (3): none\n"
                                  "Creatives under the CTR keep threshold (5%): none")
    assert rec.ads_text(None) == "No campaigns or creatives to judge."


def test_skipped_sections_say_so_and_sections_with_data_print_nothing() -> None:
    assert rec.ads_skipped_text(None) == ("No ads this period (no ad data for the reviewed accounts in the period): "
                                          "the ads section is skipped.\n")
    assert rec.risks_skipped_text(None) == "No risk register (risks) in the data folder: the section is skipped.\n"
    assert rec.ads_skipped_text(_ads([False, False], [0.1, 0.1, 0.1], [True, True, True])) == ""
    assert rec.risks_skipped_text(_risks()) == ""
    assert rec.written_text(16, 10) == "Wrote summary.json, 16 tables and 10 figures."


def test_status_grid_is_status_and_attainment_per_kpi_and_account() -> None:
    html = views.status_grid(_board(), ACCOUNTS).to_html()
    # own_xhs net followers 600 / 1,000 = 60 %; own_xhs revenue 9,500 / 10,000 = 95 %; own_dy revenue 80 %
    assert "▲ at risk 60%" in html and "◆ watch 95%" in html and "▲ at risk 80%" in html
    assert "青柠生活·小红书" in html and "own_xhs" not in html and "all platforms" not in html


# --------------------------------------------------------------------------- recommendations

def test_recommendations_use_account_rows_critical_alerts_and_the_sections_with_data() -> None:
    alerts = pd.DataFrame({
        "date": pd.to_datetime(["2026-10-14", "2026-10-20"]), "account_id": ["own_dy", "own_dy"],
        "platform": ["douyin", "douyin"], "kpi": ["impressions", "engagements"], "observed": [400.0, 50.0],
        "expected": [100.0, 100.0], "robust_z": [9.0, -4.0], "severity": ["critical", "warning"],
        "direction": ["up", "down"]})
    by_format = pd.DataFrame(columns=["platform", "format", "posts", "posts_with_rate", "er_mean_of_rates",
                                      "er_ci_low", "er_ci_high"])
    bare = rec.recommendations(_board(), alerts, _removed().iloc[0:0], by_format, accounts=ACCOUNTS)
    # board: own_xhs net followers (at risk, 1), own_dy revenue (at risk, 1), own_dy impressions (at risk, 1),
    # own_xhs revenue (watch, 3); the total row is left out. Alerts: the critical one only (1).
    assert bare["area"].tolist() == ["KPIs", "KPIs", "KPIs", "Alerts", "KPIs"]
    assert bare["priority"].tolist() == [1, 1, 1, 1, 3]
    assert bare["rank"].tolist() == [1, 2, 3, 4, 5]
    assert not bare["finding"].str.contains("all platforms").any()
    assert bare.loc[3, "finding"].startswith("青柠生活·抖音 on Oct 14, 2026: impressions 400 vs 100 expected (4.0×")
    assert bare["section"].tolist() == ["kpi", "kpi", "kpi", "alerts", "kpi"]

    ads = _ads(stop=[True, False], ctr=[0.02, nan, 0.08], keep=[False, False, True])
    roas_row = pd.DataFrame({"account_id": ["own_dy"], "platform": ["douyin"], "kpi": ["roas"], "label": ["ROAS"],
                             "actual": [1.8], "target": [nan], "attainment": [nan], "previous": [2.0],
                             "change_pct": [-0.1], "last_year": [nan], "yoy_pct": [nan], "status": ["at risk"]})
    # with a stop-loss campaign, the ads rule names it: the account's ROAS row adds nothing and is left out
    full = rec.recommendations(pd.concat([_board(), roas_row], ignore_index=True), alerts, _removed(), by_format,
                               ads, _attribution([2.0], ["assist"]), _risks())
    areas = full["area"].tolist()
    # priority 1: 3 KPIs, 1 alert, the stop-loss campaign; 2: two bot days, creative a1, budget, the assist
    # channel, risk R1 (score 3.0 is high; R2 is low); 3: the watched KPI
    assert areas == ["KPIs", "KPIs", "KPIs", "Alerts", "Ads", "Data quality", "Data quality", "Ads", "Budget",
                     "Attribution", "Risks", "KPIs"]
    assert full.loc[4, "finding"].startswith("Campaign cmp_a: ROAS 1.80 under the 3 stop-loss")
    assert full.loc[10, "finding"] == "R1 (platform): score 3.0 = probability 60% × impact 5."
    assert full.loc[5, "finding"] == ("Bot-like traffic on own_dy on Oct 3, 2026: removed 3,000 reach.")


# --------------------------------------------------------------------------- summary.json

def test_period_summary_names_previous_and_last_year() -> None:
    assert rec.period_summary(OCTOBER) == {
        "kind": "month", "label": "2026-10", "start": pd.Timestamp("2026-10-01"), "end": pd.Timestamp("2026-10-31"),
        "previous": "2026-09", "last_year": "2025-10"}
    q1 = rec.period_summary(parse_period("quarter", "2026-Q1"))
    assert (q1["start"], q1["end"]) == (pd.Timestamp("2026-01-01"), pd.Timestamp("2026-03-31"))
    assert (q1["previous"], q1["last_year"]) == ("2025-Q4", "2025-Q1")


def test_kpi_summary_nests_account_kpi_and_fields() -> None:
    summary = rec.kpi_summary(_board())
    assert list(summary) == ["own_xhs", "own_dy", "total"]  # the board's order
    assert list(summary["own_xhs"]) == ["net_follower_change", "revenue"]
    assert summary["own_xhs"]["net_follower_change"] == {
        "label": "Net follower change", "actual": 600.0, "target": 1000.0, "attainment": 0.6, "previous": 700.0,
        "change_pct": pytest.approx(-1 / 7), "last_year": pytest.approx(nan, nan_ok=True),
        "yoy_pct": pytest.approx(nan, nan_ok=True), "status": "at risk"}
    assert summary["total"]["net_follower_change"]["attainment"] == pytest.approx(2 / 3)


def test_attribution_summary_is_credit_per_model_and_channel() -> None:
    credit = rec.attribution_summary(_attribution([2.0], ["assist"]))
    assert list(credit) == ["model_conventions", "reconciliation", "last_touch", "markov"]
    # 390 converting journeys, 10 of them twice: 400 conversions, each journey worth 10 → 3,900; all touched
    assert credit["reconciliation"] == {
        "converting_journeys": 390, "conversions": 400.0, "value": 3900.0, "credited_journeys": 390,
        "credited_conversions": 400.0, "credited_value": 3900.0, "no_touch_journeys": 0,
        "no_touch_conversions": 0.0, "no_touch_value": 0.0}
    assert credit["model_conventions"] == {"markov_value": "share", "repeat_conversions": "each counted"}
    removal = rec.attribution_summary(_attribution([2.0], ["assist"], markov_value="removal"))
    assert removal["model_conventions"] == {"markov_value": "removal", "repeat_conversions": "each counted"}
    assert credit["last_touch"] == {"search": {"conversions": 300.0, "value": 3000.0},
                                    "xiaohongshu": {"conversions": 90.0, "value": 900.0}}
    assert credit["markov"]["xiaohongshu"]["conversions"] == 180.0
    assert np.isnan(credit["markov"]["xiaohongshu"]["value"])  # unknown value stays unknown


def test_summary_has_one_key_per_section_with_data() -> None:
    best = pd.DataFrame({"post_id": [1]})
    bots = BotCheck(clean_daily=pd.DataFrame(), removed=_removed(), removed_in_period=_removed().iloc[:1],
                    unchecked=())
    common = dict(bots=bots, board=_board(), alerts=pd.DataFrame({"severity": []}), posts=_posts(best),
                  funnel=pd.DataFrame({"step": ["impressions"]}), actions=pd.DataFrame({"rank": [1]}))
    bare = rec.summary(OCTOBER, **common, attribution=None, ads=None, risks=None)
    assert list(bare) == ["title", "label", "period", "bot_traffic", "kpis", "coverage_gaps", "alerts", "content",
                          "funnel",
                          "recommendations"]
    assert bare["title"] == "Monthly review · own_xhs, own_dy · Oct 2026"  # no accounts table: named by id
    assert bare["label"] == "2026-10" and bare["period"]["previous"] == "2026-09"
    assert bare["bot_traffic"] is bots.removed_in_period
    # the content section: base, 3 rated posts (set in _posts), the top posts and the formats
    assert bare["content"]["er_base"] == "impressions" and bare["content"]["posts"] == 3
    assert bare["content"]["top_posts"] is best

    ads = _ads(stop=[True, False], ctr=[0.02, nan, 0.08], keep=[False, False, True])
    full = rec.summary(OCTOBER, **common, attribution=_attribution([2.0], ["assist"]), ads=ads, risks=_risks())
    assert list(full) == ["title", "label", "period", "bot_traffic", "kpis", "coverage_gaps", "alerts", "content",
                          "funnel",
                          "attribution", "stop_loss_campaigns", "low_ctr_creatives", "budget_shift", "top_risks",
                          "recommendations"]
    assert full["attribution"]["model_conventions"] == {"markov_value": "share", "repeat_conversions": "each counted"}
    assert full["stop_loss_campaigns"]["campaign_id"].tolist() == ["cmp_a"]
    assert full["low_ctr_creatives"]["creative_id"].tolist() == ["a1"]
    assert full["top_risks"]["risk_id"].tolist() == ["R1", "R2"]


def test_false_alarm_text_states_the_rate_and_the_count_to_expect() -> None:
    # 2·(1 − Φ(3.5)) = 0.000465 = 0.047 %, 1 / 0.000465 = 2,149; 744 account-KPI-days × 0.000465 = 0.35 → 0.3
    assert rec.false_alarm_text(3.5, 744) == ("At |z| ≥ 3.5 an ordinary day alerts with probability 0.047% (about "
                                              "1 in 2,149): over this period's 744 account-KPI-days, expect about "
                                              "0.3 false alarms.")
    with i18n.use_language("zh-CN"):
        assert rec.false_alarm_text(3.0, 720).startswith("阈值 |z| ≥ 3 时，普通的一天被误报的概率约为 0.270%")


def test_festival_text_names_the_windows_and_counts_the_moves() -> None:
    days = pd.DataFrame({"date": pd.date_range("2026-09-24", "2026-10-07"), "occasion": "National Day"})
    lifts = pd.DataFrame({"date": pd.to_datetime(["2026-10-01", "2026-10-02"])})
    assert rec.festival_text(lifts, days) == (
        "Festival windows in this period: National Day (Sep 24, 2026 – Oct 7, 2026). 2 account-KPI-days beyond the "
        "threshold there are listed below as expected festival moves, not as anomalies.")
    assert rec.festival_text(lifts.iloc[:0], days.iloc[:0]) == "No festival window falls in this period."
    assert rec.festival_text(lifts.iloc[:0], days) == ("Festival windows in this period: National Day (Sep 24, 2026 – "
                                                       "Oct 7, 2026). No account-KPI-day went beyond the threshold "
                                                       "there.")


def test_festival_views_show_each_move_with_its_festival_or_nothing() -> None:
    lifts = pd.DataFrame({"date": pd.to_datetime(["2026-10-01"]), "account_id": ["own_dy"], "platform": ["douyin"],
                          "kpi": ["impressions"], "observed": [300_000.0], "expected": [200_000.0],
                          "deviation_pct": [0.5], "robust_z": [4.2], "severity": ["warning"], "direction": ["up"],
                          "occasion": ["National Day"]})
    assert views.festival_views(lifts.iloc[:0]) == ()  # nothing shown, not an empty table
    [table] = views.festival_views(lifts)
    html = table.to_html()
    assert "Festival" in html and "National Day" in html and "+50.0%" in html and "+4.2" in html


def test_campaigns_without_roas_say_why_in_both_languages() -> None:
    """A campaign with no spend has no ROAS and nothing to shift; one with spend but no revenue waits for tracking."""
    ads = _ads(stop=[True, False], ctr=[0.02, nan, 0.08], keep=[False, False, True])
    campaigns = pd.concat([ads.campaigns, pd.DataFrame(
        {"campaign_id": ["cmp_idle", "cmp_blind"], "spend": [0.0, 500.0], "revenue": [nan, nan],
         "roas": [nan, nan], "stop_loss": [False, False]})], ignore_index=True)
    mixed = AdsReview(campaigns=campaigns, creatives=ads.creatives, budget=ads.budget, roas_floor=3.0, ctr_keep=0.05)
    assert rec.ads_text(mixed) == (
        "Campaigns under the ROAS stop-loss (3): cmp_a\n"
        "Creatives under the CTR keep threshold (5%): a1\n"
        "No spend in the period, so no ROAS and no budget to shift: cmp_idle\n"
        "ROAS unknown (spend without tracked revenue), budget unchanged until revenue is tracked: cmp_blind")
    with i18n.use_language("zh-CN"):
        assert rec.ads_text(mixed).splitlines()[2:] == [
            "本期无花费，因此没有 ROAS，也没有可调配的预算：cmp_idle",
            "ROAS 未知（有花费但未追踪收入），在追踪到收入之前预算不变：cmp_blind"]
        assert rec.ads_skipped_text(None) == "本期无广告投放（所复盘的账号在本期没有广告数据）：跳过广告投放一节。\n"
    idle_only = AdsReview(campaigns=campaigns[campaigns["campaign_id"] != "cmp_blind"], creatives=ads.creatives,
                          budget=ads.budget, roas_floor=3.0, ctr_keep=0.05)
    assert rec.ads_text(idle_only).splitlines()[2:] == [
        "No spend in the period, so no ROAS and no budget to shift: cmp_idle"]


def test_no_recorded_touch_line_reconciles_count_and_value_in_both_languages() -> None:
    """5 conversions worth 240: 3 credited (200) + 2 with no recorded touch (40), as in test_attribution."""
    totals = {"converting_journeys": 5, "conversions": 5.0, "value": 240.0, "credited_journeys": 3,
              "credited_conversions": 3.0, "credited_value": 200.0, "no_touch_journeys": 2,
              "no_touch_conversions": 2.0, "no_touch_value": 40.0}
    assert rec.no_touch_text(totals) == (
        "No recorded touch: 2 of the 5 conversions (40.0%, value 40.00, 2 journeys) have no touchpoint at or "
        "before them, so no model can credit a channel with them; every model lists them as “no recorded touch”. "
        "Credited 3 + no recorded touch 2 = 5 conversions; value 200.00 + 40.00 = 240.00.")
    with i18n.use_language("zh-CN"):
        assert rec.no_touch_text(totals) == (
            "无触点记录：5 次转化中有 2 次（40.0%，价值 40.00，2 条用户路径）在转化时及之前没有任何触点，"
            "任何模型都无法把它们归因到渠道；各模型都把它们单列为“无触点记录”。已归因 3 + 无触点记录 2 = 5 "
            "次转化；价值 200.00 + 40.00 = 240.00。")
        assert channel_name("no_touch") == "无触点记录"
    unknown = {**totals, "no_touch_value": nan, "value": nan}  # missing is not zero
    assert rec.no_touch_text(unknown).endswith(f"value 200.00 + {i18n.MISSING} = {i18n.MISSING}.")


def test_a_long_post_title_is_cut_in_the_review_table() -> None:
    import html
    import re

    title = "<b>" + "青柠礼盒开箱" * 20_000  # 120,003 characters
    posts = pd.DataFrame({"account_id": ["own_douyin"], "published_at": [pd.Timestamp("2026-10-03 20:00")],
                          "format": ["short_video"], "pillar": ["教程"], "title": [title], "engagements": [120.0],
                          "er_base_value": [4000.0], "engagement_rate": [0.03]})
    page = views.posts_view(posts).to_html()
    [cell] = [c for c in re.findall(r"<td [^>]*>(.*?)</td>", page, flags=re.S) if "青柠" in c]
    shown = html.unescape(re.sub(r"<[^>]+>", "", cell))
    assert shown == "<b>" + ("青柠礼盒开箱" * 13)[:76] + "…" and len(shown) == 80
    assert "<b>" not in page.replace(cell, "") and "&lt;b&gt;" in cell and len(page) < 20_000


def test_the_shares_table_lists_no_recorded_touch_after_the_channels() -> None:
    """Channels in name order, then the no-touch row (its id, 'no_touch', would sort among them)."""
    comparison = pd.DataFrame({"model": ["linear"] * 4, "channel": ["search", "no_touch", "kol", "wechat"],
                               "share": [0.4, 0.1, 0.3, 0.2]})
    html = views.shares_view(comparison).to_html()
    names = [channel_name(c) for c in ("kol", "search", "wechat", "no_touch")]
    positions = [html.index(f">{n}<") for n in names]
    assert positions == sorted(positions) and names[-1] == "no recorded touch"
    assert ">10.0%<" in html[positions[-1]:]  # the row keeps its own share
