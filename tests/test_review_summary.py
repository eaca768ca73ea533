"""helpers.review.findings.executive_summary: the first screen, computed from hand-made results, in en and zh-CN."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers import i18n, page
from helpers.periods import parse_period
from helpers.review import findings as rec
from helpers.review.ads import AdsReview
from helpers.review.anomalies import BotCheck
from helpers.review.attribution import AttributionReview
from helpers.review.session import ReviewRun

nan = np.nan
OCTOBER = parse_period("month", "2026-10")
ACCOUNTS = pd.DataFrame({"account_id": ["own_dy", "own_xhs"], "platform": ["douyin", "xiaohongshu"],
                         "name": ["青柠生活·抖音", "青柠生活·小红书"], "owner": ["own", "own"]})


#: Both accounts' daily rows cover October: no coverage note.
DAILY = pd.DataFrame({"account_id": ["own_dy", "own_xhs"] * 31,
                      "date": [d for d in pd.date_range("2026-10-01", "2026-10-31") for _ in range(2)]})


def _run() -> ReviewRun:
    return ReviewRun(period=OCTOBER, account_ids=("own_dy", "own_xhs"), data_dir=Path("store"),
                     er_base="impressions", anomaly_method="stl", anomaly_threshold=3.5, bot_iqr_k=1.5,
                     roas_stop_loss=3.0, ctr_keep=0.05, trend=(OCTOBER,), top_n=5,
                     tables={"accounts": ACCOUNTS, "account_daily": DAILY}, targets=pd.DataFrame())


def _board() -> pd.DataFrame:
    """Two accounts and the total. Total net followers 8,950 of 10,000 = 89.5 %: at risk, just under 90 %."""
    rows = [
        # account_id, kpi, label, actual, target, previous-based change, yoy, status, basis
        ("own_dy", "revenue", "Revenue", 9_000.0, 8_000.0, 0.1, 0.2, "healthy", "per day"),
        ("own_dy", "net_follower_change", "Net follower change", 6_000.0, 5_000.0, 0.1, 0.2, "healthy", "per day"),
        ("own_xhs", "net_follower_change", "Net follower change", 2_950.0, 5_000.0, -0.2, 0.0, "at risk", "per day"),
        ("own_xhs", "revenue", "Revenue", 9_500.0, 10_000.0, 0.0, 0.0, "watch", "per day"),
        ("total", "net_follower_change", "Net follower change", 8_950.0, 10_000.0, 0.05, -0.032, "at risk",
         "per day"),
        ("total", "impressions", "Impressions", 15_865_812.0, nan, 0.0514, 0.3678, "healthy", "per day"),
        ("total", "roas", "ROAS", 3.37, nan, -0.038, 0.044, "healthy", "level"),
        ("total", "reach", "Average daily reach", nan, nan, nan, nan, "info", "level"),  # no total reach
    ]
    board = pd.DataFrame(rows, columns=["account_id", "kpi", "label", "actual", "target", "change_pct", "yoy_pct",
                                        "status", "change_basis"])
    board["attainment"] = board["actual"] / board["target"]
    board["platform"] = board["account_id"].map({"own_dy": "douyin", "own_xhs": "xiaohongshu", "total": "all"})
    return board


def _alerts() -> pd.DataFrame:
    return pd.DataFrame({"date": pd.to_datetime(["2026-10-14", "2026-10-19"]), "account_id": ["own_dy", "own_dy"],
                         "platform": ["douyin", "douyin"], "kpi": ["impressions", "followers_gained"],
                         "observed": [1_000_000.0, 692.0], "expected": [250_000.0, 433.0], "robust_z": [22.0, 3.6],
                         "severity": ["critical", "warning"], "direction": ["up", "up"]})


def _bots() -> BotCheck:
    removed = pd.DataFrame({"date": pd.to_datetime(["2026-10-22", "2026-10-22"]), "account_id": ["own_xhs"] * 2,
                            "column": ["impressions", "profile_visits"], "observed": [450_184.0, 7_203.0],
                            "replaced_with": [82_911.5, 922.5], "removed": [367_272.5, 6_280.5]})
    return BotCheck(clean_daily=pd.DataFrame(), removed=removed, removed_in_period=removed, unchecked=())


def _ads() -> AdsReview:
    campaigns = pd.DataFrame({"campaign_id": ["cmp_a", "cmp_b"], "spend": [274_281.93, 1000.0],
                              "revenue": [493_707.0, 5000.0], "roas": [1.8, 5.0], "stop_loss": [True, False]})
    return AdsReview(campaigns=campaigns, creatives=pd.DataFrame({"ctr": [], "keep": []}),
                     budget=pd.DataFrame({"campaign_id": [], "change": []}), roas_floor=3.0, ctr_keep=0.05)


def _attribution() -> AttributionReview:
    assist = pd.DataFrame({"channel": ["xiaohongshu", "search"], "markov_ratio": [3.59, 0.55],
                           "label": ["assist", "closer"]})
    return AttributionReview(journeys=pd.DataFrame(), comparison=pd.DataFrame(), assist=assist)


def _actions() -> pd.DataFrame:
    return pd.DataFrame({"rank": [1, 2, 3, 4], "priority": [1, 1, 2, 3], "area": ["KPIs", "Alerts", "Ads", "KPIs"],
                         "section": ["kpi", "alerts", "ads", "kpi"],
                         "finding": ["a. ", "b: x 1; y 2.", "c.", "d."], "action": ["Do A.", "Do B.", "Do C.", "D."]})


def _summary() -> page.Summary:
    return rec.executive_summary(_run(), board=_board(), alerts=_alerts(), bots=_bots(), ads=_ads(),
                                 attribution=_attribution(), actions=_actions())


def test_summary_in_english() -> None:
    summary = _summary()
    assert summary.title == "Monthly review · 青柠生活 · Oct 2026"  # both names share the brand before "·"
    assert summary.subtitle == "青柠生活 · Douyin, Xiaohongshu · Oct 1, 2026 – Oct 31, 2026"
    # accounts' KPIs with a target: 2 healthy (own_dy), 1 at risk, 1 watch (own_xhs) → 2 of 4 met
    assert summary.verdict == "2 of 4 account KPIs with a target met it; 1 at risk (under 90%), 1 on watch."
    assert summary.verdict_status == "at risk" and summary.verdict_href == "#kpi"
    # tiles follow TILE_KPIS; the total has no engagements or revenue row, and no reach is shown
    assert [t.label for t in summary.tiles] == ["Net follower change", "Impressions", "ROAS"]
    followers, impressions, roas = summary.tiles
    # 8,950 ÷ 10,000 = 89.5 %: one decimal, so it never reads "90%" next to "at risk"
    assert followers.value == "8,950" and followers.status == "at risk"
    assert followers.lines == ("Attainment 89.5% of 10,000", "vs previous (per day): +5.0%",
                               "vs last year (per day): −3.2%")
    assert impressions.value == "15,865,812" and impressions.lines == ("vs previous (per day): +5.1%",
                                                                       "vs last year (per day): +36.8%")
    assert roas.value == "3.37" and roas.lines == ("vs previous: −3.8%", "vs last year: +4.4%")  # a level
    assert all(t.href == "#kpi" for t in summary.tiles)


def test_summary_findings_cite_numbers_and_link_their_sections() -> None:
    findings = _summary().findings
    assert [f.href for f in findings] == ["#kpi", "#ads", "#alerts", "#data", "#attribution"]
    # own_xhs: 2,950 ÷ 5,000 = 59 %
    assert findings[0].text == "青柠生活·小红书: Net follower change 59% of target (2,950 vs 5,000)."
    assert findings[1].text == "Under the ROAS stop-loss of 3: cmp_a (ROAS 1.80, spend 274,282)."
    # the largest |z| is 22 on 10-14: 1,000,000 ÷ 250,000 = 4.0×
    assert findings[2].text == ("2 anomaly alerts (1 critical); the largest: 青柠生活·抖音 on Oct 14, 2026, "
                                "impressions 1,000,000 vs 250,000 expected (4.0×, z +22.0).")
    # removed counts are whole: 367,272.5 → 367,272 (half to even), 6,280.5 → 6,280
    assert findings[3].text == ("Bot-like traffic removed before any total: 青柠生活·小红书 on Oct 22, 2026 "
                                "(367,272 impressions, 6,280 profile visits).")
    assert findings[4].text.startswith("Xiaohongshu is the strongest assist channel: the Markov model credits it 3.6×")
    assert [f.status for f in findings] == ["at risk", "at risk", "watch", "watch", "info"]


def test_summary_actions_are_the_top_three_recommendations() -> None:
    actions = _summary().actions
    # the alert's finding lists several metrics: the summary keeps the first and marks the cut
    assert [(a.text, a.href) for a in actions] == [("Do A (a)", "#kpi"), ("Do B (b: x 1…)", "#alerts"),
                                                   ("Do C (c)", "#ads")]


def test_summary_in_chinese() -> None:
    with i18n.use_language("zh-CN"):
        summary = _summary()
        html = summary._repr_html_()
    assert summary.title == "月度复盘 · 青柠生活 · 2026年10月"
    assert summary.subtitle == "青柠生活 · 抖音、小红书 · 2026年10月1日至2026年10月31日"
    assert summary.verdict == "各账号有目标的 4 项 KPI 中 2 项达标；1 项风险（达成率低于 90%），1 项需关注。"
    followers = summary.tiles[0]
    assert followers.lines == ("达成率 89.5%，目标 10,000", "环比（日均）：+5.0%", "同比（日均）：−3.2%")
    assert summary.tiles[1].value == "1,586.6万"  # 15,865,812 = 1,586.58万
    assert summary.findings[3].text == ("计算合计之前已剔除疑似刷量：青柠生活·小红书 2026年10月22日"
                                        "（曝光量 36.7万、主页访问 6,280）。")
    assert summary.actions[0].text == "Do A（a）"
    assert "▲ 风险" in html and "关键发现" in html and "行动建议" in html and 'href="#ads"' in html


def test_summary_without_misses_or_sections_says_so_briefly() -> None:
    board = _board()
    board["status"] = "healthy"
    summary = rec.executive_summary(_run(), board=board, alerts=_alerts().iloc[0:0], bots=BotCheck(
        clean_daily=pd.DataFrame(), removed=_bots().removed.iloc[0:0], removed_in_period=_bots().removed.iloc[0:0],
        unchecked=()), ads=None, attribution=None, actions=_actions().iloc[0:0])
    assert summary.verdict_status == "healthy"
    assert summary.verdict == "4 of 4 account KPIs with a target met it; 0 at risk (under 90%), 0 on watch."
    assert summary.findings == () and summary.actions == ()


def test_summary_json_carries_the_title() -> None:
    assert rec.title(OCTOBER, ACCOUNTS) == "Monthly review · 青柠生活 · Oct 2026"
    one = ACCOUNTS.iloc[:1]
    assert rec.title(parse_period("quarter", "2026-Q4"), one) == "Quarterly review · 青柠生活·抖音 · Q4 2026"
    with i18n.use_language("zh-CN"):
        assert rec.title(parse_period("quarter", "2026-Q4"), one) == "季度复盘 · 青柠生活·抖音 · 2026年第4季度"
