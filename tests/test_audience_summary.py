"""The audience report in words: executive summary, display tables and names, in en and zh-CN, worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler

from helpers import i18n
from helpers.audience import demographics, findings, words
from helpers.audience.clusters import ClusterResult
from helpers.audience.personas import ACTION_NURTURE, ACTION_ONBOARDING, ACTION_WIN_BACK
from helpers.page import Summary, summary_text

T = pd.Timestamp

# 20 followers: 女 12, 男 4, missing 4; age 18-24 8, 25-30 12 (shares of the 20)
OVERALL = pd.DataFrame({
    "attribute": ["gender", "gender", "gender", "age_band", "age_band"],
    "value": ["女", "男", "(missing)", "18-24", "25-30"],
    "users": [12, 4, 4, 8, 12], "share": [0.6, 0.2, 0.2, 0.4, 0.6]})
# 10 RFM-scored users: high-value = champions 2 + can't lose 1 = 3 (30.0%); lapsed = at risk 3 + can't lose 1 = 4
RFM = pd.DataFrame({
    "name": ["champions", "can't lose", "new", "at risk"],
    "group": ["high-value", "high-value", "potential", "dormant"],
    "users": [2, 1, 4, 3], "share": [0.2, 0.1, 0.4, 0.3], "mean_recency": [5.0, 120.0, 2.0, 100.0],
    "mean_frequency": [10.0, 9.0, 1.0, 8.0], "mean_monetary": [100.0, 80.0, 0.0, 50.0]})
PEAKS = pd.DataFrame({"rank": [1, 2], "start_hour": [20, 18], "end_hour": [22, 20],
                      "label": ["20:00–22:00", "18:00–20:00"], "events": [50, 25], "share": [0.5, 0.25]})
RETAINED = pd.DataFrame({"cohort": [T("2026-09-01"), T("2026-10-01")] * 2, "day": [1, 1, 7, 7],
                         "users": [10, 3, 10, 3], "eligible": [10, 0, 10, 0], "retained": [2, 0, 1, 0]})
PROFILE = pd.DataFrame({"cluster": [0, 1], "name": ["heavy buyers", "lurkers"], "size": [6, 4], "share": [0.6, 0.4],
                        "events": [9.0, 1.5], "purchase_value": [200.0, 0.0], "share_view": [0.3, 0.9]})
PERSONAS = pd.DataFrame({"persona": ["new", "at risk", "champions", "can't lose"], "users": [4, 3, 2, 1],
                         "share": [0.4, 0.3, 0.2, 0.1], "value": [0.0, 50.0, 100.0, 80.0],
                         "peak_hour": [21, 12, 21, 12],
                         "action": [ACTION_ONBOARDING, ACTION_WIN_BACK, ACTION_NURTURE, ACTION_WIN_BACK]})


def _result(silhouette: float = 0.41) -> ClusterResult:
    return ClusterResult(labels=pd.Series([0, 1], index=["u1", "u2"]), k=2, silhouette=silhouette,
                         centers=pd.DataFrame(), scaler=StandardScaler(), columns=(), log_columns=(),
                         silhouette_by_k=None)


def _summary() -> Summary:
    return findings.executive_summary(
        account_names=["青柠生活·抖音"], start=T("2026-05-20"), as_of=T("2026-11-15"),
        bot_counts={"users_before": 31, "bots": 1, "users_after": 30, "bot_share": 1 / 31}, base_users=20,
        overall=OVERALL, peak_windows=PEAKS, rfm_segments=RFM, clusters=_result(), cluster_profile=PROFILE,
        retained=RETAINED, personas=PERSONAS)


def test_executive_summary_in_english_is_computed_from_the_results() -> None:
    s = _summary()
    assert s.title == "Audience profile · 青柠生活·抖音 · May 20, 2026 – Nov 15, 2026"
    # tiles: 20 followers (1 bot removed); 10 active = 50.0% of 20; high-value 3 of 10 = 30.0%; 20:00–22:00 50.0%
    assert [(t.label, t.value, t.lines, t.href) for t in s.tiles] == [
        ("Followers (bots removed)", "20", ("1 bot removed",), "#demographics"),
        ("RFM-scored active users", "10", ("50.0% of followers",), "#rfm"),
        ("High-value users", "30.0%", ("3 users",), "#rfm"),
        ("Busiest 2 hours", "20:00–22:00", ("50.0% of events",), "#behaviour")]
    texts = [f.text for f in s.findings]
    # the dominant value of each attribute, missing left out of the choice but kept in the base
    assert texts[0] == "Who follows us (20 followers, bots removed): Gender female 60.0%; Age band 25-30 60.0%."
    # lapsed = 3 + 1 = 4 of 10 (40.0%); days (3·100 + 1·120) / 4 = 105; value (3·50 + 1·80) / 4 = 57.5;
    # all users (2·100 + 1·80 + 4·0 + 3·50) / 10 = 43
    assert texts[1] == ("High-value users are 30.0% of the 10 active users; 4 (40.0%, at risk and can't lose) have "
                        "been silent for 105 days on average but spent 57.5 per user (all active users: 43).")
    assert texts[2] == "2 behaviour clusters (silhouette 0.41); largest: heavy buyers 60.0%; lurkers 40.0%."
    # pooled over cohorts: day 1 = 2 / 10 (the October cohort has nobody eligible), day 7 = 1 / 10
    assert texts[3] == ("Retention over all cohorts (share of eligible new followers active again): "
                        "day 1 20.0%; day 7 10.0%.")
    assert texts[4] == "Active hours (share of events, local time): 20:00–22:00 50.0%; 18:00–20:00 25.0%."
    assert [f.href for f in s.findings] == ["#demographics", "#rfm", "#clusters", "#retention", "#behaviour"]
    # actions: win-back first (at risk 3 + can't lose 1 = 4, 40.0%), then onboarding (new 4, 40.0%); nurture is not one
    assert [a.text for a in s.actions] == [
        "Win back: at risk, can't lose (4 users, 40.0% of RFM-scored users): personal reminder, comeback offer.",
        "Onboard with tutorials: new (4 users, 40.0% of RFM-scored users): how-to posts, beginner guides, "
        "a series to follow.",
        "Schedule the key posts in 20:00–22:00, the busiest window (50.0% of events)."]
    assert [a.href for a in s.actions] == ["#personas", "#personas", "#behaviour"]


def test_executive_summary_in_chinese() -> None:
    with i18n.use_language("zh-CN"):
        s = _summary()
        text = summary_text(s)
    assert s.title == "用户画像 · 青柠生活·抖音 · 2026年5月20日至2026年11月15日"
    assert [t.label for t in s.tiles] == [
        "粉丝数（已剔除机器人）", "窗口内活跃用户（RFM）", "高价值用户", "最忙的 2 小时"]
    assert s.tiles[0].lines == ("剔除机器人 1 个",) and s.tiles[2].lines == ("3 人",)
    assert s.findings[0].text == "粉丝是谁（20 位粉丝，已剔除机器人）：性别：女 60.0%；年龄段：25-30 60.0%。"
    assert s.findings[3].text == (
        "全部同期群合计的留存率（满足条件的新粉丝中再次活跃的比例）：次日留存 20.0%；7日留存 10.0%。")
    assert s.actions[0].text == "召回：流失风险用户、重要挽留用户（4 人，占 RFM 用户 40.0%）：一对一提醒、回归福利。"
    assert "关键发现" in text and "行动建议" in text and "heavy" not in text


def test_a_low_silhouette_is_called_soft_in_the_summary() -> None:
    assert findings.cluster_summary_line(_result(0.23), PROFILE) == (
        "2 behaviour clusters (silhouette 0.23, soft groups); largest: heavy buyers 60.0%; lurkers 40.0%.")


def test_segment_cluster_event_and_format_names_in_both_languages() -> None:
    assert (words.segment("at risk"), words.segment("can't lose"), words.group("dormant")) == (
        "at risk", "can't lose", "dormant")
    assert words.cluster("lapsing light sharers #3") == "lapsing light sharers #3"
    assert words.path("view → like") == "view → like" and words.post_format("short_video") == "short video"
    assert words.hour(21) == "21:00" and words.hour(None) == "–"
    with i18n.use_language("zh-CN"):
        assert (words.segment("at risk"), words.segment("can't lose"), words.group("dormant")) == (
            "流失风险用户", "重要挽留用户", "沉默")
        assert words.cluster("lapsing light sharers #3") == "沉寂中的轻度分享用户 #3"
        assert words.cluster("heavy users") == "重度用户" and words.cluster("something else") == "something else"
        assert words.path("view → like → purchase") == "浏览 → 点赞 → 购买"
        assert words.post_format("short_video") == "短视频" and words.value("(missing)") == "（缺失）"


def test_age_bands_and_city_tiers_sort_in_their_natural_order() -> None:
    audience = pd.DataFrame({
        "user_id": [f"u{i}" for i in range(8)], "account_id": "A",
        # by users alone 25-30 (3) would come before 18-24 (2) and 二线 (3) before 一线 (1)
        "age_band": ["25-30", "25-30", "25-30", "18-24", "18-24", "41+", None, "31-35"],
        "city_tier": ["二线", "二线", "二线", "一线", "新一线", "四线及以下", "三线", None],
        "gender": ["男", "女", "女", "女", None, "女", "男", "女"]})
    age = demographics.shares(audience, "age_band")
    assert age["value"].tolist() == ["18-24", "25-30", "31-35", "41+", "(missing)"]
    assert age["users"].tolist() == [2, 3, 1, 1, 1]
    tiers = demographics.shares(audience, "city_tier")
    assert tiers["value"].tolist() == ["一线", "新一线", "二线", "三线", "四线及以下", "(missing)"]
    # gender is not ordinal: by users, 女 5 before 男 2, missing last
    assert demographics.shares(audience, "gender")["value"].tolist() == ["女", "男", "(missing)"]
    overall = demographics.overall_shares(audience, ["gender", "age_band", "region"])  # region absent: left out
    assert overall["attribute"].unique().tolist() == ["gender", "age_band"]
    assert overall.groupby("attribute")["share"].sum().round(12).tolist() == [1.0, 1.0]


def test_interest_shares_take_a_users_rows_together_and_state_their_base() -> None:
    # u1 has two rows (护肤 on one, 彩妆 on the other): both count; u3 has none → missing; base = 3 users
    audience = pd.DataFrame({"user_id": ["u1", "u1", "u2", "u3"], "interests": ["护肤", "彩妆;护肤", "护肤", None]})
    table = demographics.interest_shares(audience)
    assert table.to_dict("list") == {"interest": ["护肤", "彩妆", "(missing)"], "users": [2, 1, 1],
                                     "share": [2 / 3, 1 / 3, 1 / 3]}
    assert table.attrs["base_users"] == 3
    html = findings.interests_table(table).to_html()
    assert "Share of the 3 followers" in html and "(missing)" in html
    with i18n.use_language("zh-CN"):
        html = findings.interests_table(table).to_html()
    assert "占 3 位粉丝比例" in html and "（缺失）" in html and "兴趣" in html


def test_cluster_table_is_transposed_features_by_cluster_with_all_users_last() -> None:
    features = pd.DataFrame({"user_id": [f"u{i}" for i in range(10)], "events": [9.0] * 6 + [1.5] * 4,
                             "purchase_value": [200.0] * 6 + [0.0] * 4, "share_view": [0.3] * 6 + [0.9] * 4})
    frame = findings.cluster_table(PROFILE, features).data
    assert list(frame.columns) == ["Feature", "heavy buyers", "lurkers", "All active users"]
    rows = frame.set_index("Feature")
    assert rows.loc["Users"].tolist() == ["6", "4", "10"]
    assert rows.loc["Share of active users"].tolist() == ["60.0%", "40.0%", "100.0%"]
    # all users: events (6·9 + 4·1.5) / 10 = 6; purchase (6·200) / 10 = 120; views (6·0.3 + 4·0.9) / 10 = 54.0%
    assert rows.loc["Events per user"].tolist() == ["9", "1.50", "6"]
    assert rows.loc["Purchase value per user"].tolist() == ["200", "0", "120"]
    assert rows.loc["Views, share of events"].tolist() == ["30.0%", "90.0%", "54.0%"]
    with i18n.use_language("zh-CN"):
        zh = findings.cluster_table(PROFILE, features).data
    assert list(zh.columns) == ["特征", "重度购买用户", "潜水用户", "全体活跃用户"]


def test_display_tables_carry_labels_and_readable_values() -> None:
    with i18n.use_language("zh-CN"):
        rfm = findings.rfm_table(RFM).to_html()
        personas = findings.persona_display(PERSONAS).to_html()
        funnel = findings.funnel_table(pd.DataFrame({
            "step": [1, 2], "event": ["view", "like"], "users": [10, 4],
            "conversion_from_previous": [np.nan, 0.4], "conversion_from_first": [1.0, 0.4]})).to_html()
    assert "RFM 人群" in rfm and "重要挽留用户" in rfm and "沉默" in rfm and "mean_recency" not in rfm
    assert "21:00" in personas and "召回：唤醒沉默的高价值用户" in personas and "peak_hour" not in personas
    assert "浏览" in funnel and "较上一步转化率" in funnel and "40.00%" in funnel


def test_base_line_counts_followers_without_bots() -> None:
    audience = pd.DataFrame({"user_id": ["u1", "u2", "b1", "b2", "u1"]})
    people = audience[~audience["user_id"].isin({"b1", "b2"})]
    # 4 distinct followers − 2 bots = 2
    assert findings.base_line(audience, people) == (
        "Base of the demographics and interests: 2 followers of the profiled accounts (audience table), 2 bots "
        "removed; every share below is of these users.")


def test_an_engagement_basis_is_named_as_such() -> None:
    scored = pd.DataFrame({"user_id": ["u1"], "basis": ["engagement"]})
    assert findings.rfm_basis(scored) == "engagement"
    assert findings.rfm_basis(pd.DataFrame({"user_id": ["u1"]})) == "purchase"  # no column, no attrs: purchase
    assert "Engagement value (mean)" in findings.rfm_table(RFM, "engagement").to_html()
    assert "Purchase value (mean)" in findings.rfm_table(RFM).to_html()
    # the same numbers as the purchase line: 105 days, 57.5 per user, all users 43
    assert findings.rfm_line(RFM, "engagement") == (
        "High-value users are 30.0% of the 10 active users; 4 (40.0%, at risk and can't lose) have been silent for "
        "105 days on average but had an engagement value of 57.5 per user (all active users: 43).")
    with i18n.use_language("zh-CN"):
        assert "互动价值（均值）" in findings.rfm_table(RFM, "engagement").to_html()
        assert "人均互动价值 57.5" in findings.rfm_line(RFM, "engagement")
