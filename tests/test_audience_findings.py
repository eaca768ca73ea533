"""helpers.audience.findings: every line, the persona table and summary.json, worked out by hand."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import StandardScaler

from helpers import i18n
from helpers.audience import findings
from helpers.audience.behaviour import peak_windows
from helpers.audience.bots import bot_summary
from helpers.audience.clusters import ClusterResult
from helpers.audience.personas import ACTION_NURTURE, ACTION_OFFERS, Persona, SegmentMetrics
from helpers.audience.retention import PeakChurnAge, peak_churn_age
from helpers.report import RunOutputs, read_summary

T = pd.Timestamp


def test_window_line_names_the_accounts_and_both_ends_of_the_window() -> None:
    assert findings.window_line(("青柠生活·抖音", "青柠生活·小红书"), T("2026-05-20"), T("2026-11-15")) == (
        "Accounts: 青柠生活·抖音, 青柠生活·小红书; window May 20, 2026 – Nov 15, 2026")
    assert findings.window_line(["青柠生活·微博"], T("2026-11-09"), T("2026-11-15")) == (
        "Accounts: 青柠生活·微博; window Nov 9, 2026 – Nov 15, 2026")
    with i18n.use_language("zh-CN"):
        assert findings.window_line(("青柠生活·抖音", "青柠生活·小红书"), T("2026-05-20"), T("2026-11-15")) == (
            "账号：青柠生活·抖音、青柠生活·小红书；分析窗口：2026年5月20日至2026年11月15日")


def test_bot_line_counts_users_bots_and_kept_with_thousands_separators() -> None:
    # u1..u4 have activity, u3 is flagged (u1 twice: one user) → 4 users, 1 bot, 3 kept
    flags = pd.DataFrame({"user_id": ["u1", "u1", "u2", "u3", "u4"], "is_bot": [False, False, False, True, False]})
    assert findings.bot_line(bot_summary(flags)) == "Users with activity: 4; flagged as bots: 1; kept: 3"
    # the sample's counts: 12,278 − 30 = 12,248
    counts = {"users_before": 12278, "bots": 30, "users_after": 12248, "bot_share": 30 / 12278}
    assert findings.bot_line(counts) == "Users with activity: 12,278; flagged as bots: 30; kept: 12,248"
    with i18n.use_language("zh-CN"):  # under 10万: plain separators in zh-CN too
        assert findings.bot_line(counts) == "有行为的用户：12,278；判为机器人：30；保留：12,248"


def _heat(events_by_hour: dict[int, int]) -> pd.DataFrame:
    """A weekday × hour table with all events on Monday at the given hours."""
    rows = [{"weekday": d, "hour": h, "events": events_by_hour.get(h, 0) if d == 0 else 0}
            for d in range(7) for h in range(24)]
    return pd.DataFrame(rows)


def test_busiest_window_line_reads_the_first_peak_window_and_its_width() -> None:
    # 20h 5 + 21h 4 = 9 of 10 events beats 19h 1 + 20h 5 = 6 and 21h 4 + 22h 0 = 4 → 20:00–22:00, 90.0%
    assert findings.busiest_window_line(peak_windows(_heat({19: 1, 20: 5, 21: 4}))) == (
        "Busiest 2-hour window: 20:00–22:00 (90.0% of events)")
    # around midnight: 23h 3 + 0h 3 = 6 of 8 is the busiest pair → 23:00–01:00, still 2 hours wide, 75.0%
    assert findings.busiest_window_line(peak_windows(_heat({23: 3, 0: 3, 12: 2}))) == (
        "Busiest 2-hour window: 23:00–01:00 (75.0% of events)")
    # three hours: 8h 2 + 9h 2 + 10h 2 = 6 of 6 → 08:00–11:00, 100.0%
    assert findings.busiest_window_line(peak_windows(_heat({8: 2, 9: 2, 10: 2}), width_hours=3)) == (
        "Busiest 3-hour window: 08:00–11:00 (100.0% of events)")
    with i18n.use_language("zh-CN"):
        assert findings.busiest_window_line(peak_windows(_heat({19: 1, 20: 5, 21: 4}))) == (
            "最忙的 2 小时时段：20:00–22:00（占事件 90.0%）")


def _clustering(k: int, silhouette: float) -> ClusterResult:
    labels = pd.Series([0, 1], index=["u1", "u2"], name="cluster")
    return ClusterResult(labels=labels, k=k, silhouette=silhouette, centers=pd.DataFrame(), scaler=StandardScaler(),
                         columns=(), log_columns=(), silhouette_by_k=None)


def test_cluster_line_rounds_the_silhouette_to_two_decimals() -> None:
    # 0.23 < 0.3: the line says the groups are soft; 0.50 does not
    assert findings.cluster_line(_clustering(8, 0.2349790952)) == (
        "k = 8, silhouette 0.23 (below 0.3: soft groups along a continuum, useful for planning, not natural types)")
    assert findings.cluster_line(_clustering(3, 0.5)) == "k = 3, silhouette 0.50"
    with i18n.use_language("zh-CN"):
        assert findings.cluster_line(_clustering(3, 0.5)) == "k = 3，轮廓系数 0.50"


def test_churn_line_states_the_peak_age_as_days_and_its_share() -> None:
    # week 5 (0-based) = days 35–41; 89 of 2,071 = 4.3%: below 20%, so the line says unfollows are spread thinly
    sample = PeakChurnAge(age=5, unit="week", unfollows=89, total_unfollows=2071, share=89 / 2071)
    assert findings.churn_line(sample) == (
        "The most common follow age at unfollow: 35–41 days after following (89 of 2,071 unfollows, 4.3%); "
        "unfollows are spread thinly over follow ages.")
    with i18n.use_language("zh-CN"):
        assert findings.churn_line(sample) == (
            "取关最集中的关注时长：关注后 35–41 天（2,071 次取关中的 89 次，占 4.3%）；"
            "取关分散在各个关注时长，没有明显的集中期。")
    # follow ages 8, 10 and 20 days → weeks 1, 1, 2: week 1 (days 7–13) holds 2 of 3 = 66.7%
    audience = pd.DataFrame({"user_id": ["a", "b", "c"],
                             "first_seen": pd.to_datetime(["2026-03-01"] * 3),
                             "unfollowed_at": pd.to_datetime(["2026-03-09", "2026-03-11", "2026-03-21"])})
    assert findings.churn_line(peak_churn_age(audience, unit="week")) == (
        "Most unfollows happen 7–13 days after following (2 of 3 unfollows, 66.7%).")
    assert findings.churn_line(peak_churn_age(audience, unit="day")) == (  # ages 8, 10, 20: a tie, the youngest
        "Most unfollows happen 8 days after following (1 of 3 unfollows, 33.3%).")


def _persona(name: str, users: int, share: float, value: float, peak_hour: int | None, action: str) -> Persona:
    metrics = SegmentMetrics(mean_events=1.0, mean_recency_days=2.0, value=value, intent=0.0, sharing=0.0)
    return Persona(name=name, users=users, share=share, demographics=(), peak_hour=peak_hour, preferred_content=None,
                   value=value, metrics=metrics, overall=metrics, action=action)


def test_persona_table_has_one_row_per_card_in_card_order() -> None:
    cards = [_persona("champions", 708, 0.084, 116.07, 21, ACTION_OFFERS),
             _persona("new", 12, 0.001, 0.0, None, ACTION_NURTURE)]
    table = findings.persona_table(cards)
    assert list(table.columns) == ["persona", "users", "share", "value", "peak_hour", "action"]
    assert table["persona"].tolist() == ["champions", "new"]
    assert table["users"].tolist() == [708, 12] and table["share"].tolist() == [0.084, 0.001]
    assert table["value"].tolist() == [116.07, 0.0] and table["action"].tolist() == [ACTION_OFFERS, ACTION_NURTURE]
    assert table.loc[0, "peak_hour"] == 21 and pd.isna(table.loc[1, "peak_hour"])  # no peak hour stays missing
    assert findings.persona_table([]).columns.tolist() == table.columns.tolist()


def _searched(silhouettes: list[float], smallest: list[int], chosen: int, min_size: int) -> ClusterResult:
    ks = list(range(2, 2 + len(silhouettes)))
    table = pd.DataFrame({"k": ks, "silhouette": silhouettes, "inertia": np.nan, "smallest_segment": smallest,
                          "chosen": [k == chosen for k in ks]})
    return replace(_clustering(chosen, silhouettes[chosen - 2]), silhouette_by_k=table, min_size=min_size)


def test_k_choice_line_states_the_rule_and_what_the_curve_says() -> None:
    # peak at k = 3 inside 2..5, every smallest cluster ≥ 50: the rule only
    plain = _searched([0.2, 0.3, 0.25, 0.22], [400, 120, 80, 60], 3, 50)
    assert findings.k_choice_line(plain) == (
        "k = 3: the highest mean silhouette among k = 2–5 whose smallest cluster has at least 50 users.")
    # k = 5 scores 0.40 but keeps a 10-user cluster: k = 3 chosen, both facts said, and 5 is the top of the range
    capped = _searched([0.2, 0.3, 0.25, 0.4], [400, 120, 80, 10], 3, 50)
    assert findings.k_choice_line(capped) == (
        "k = 3: the highest mean silhouette among k = 2–5 whose smallest cluster has at least 50 users. "
        "k = 5 scores higher (0.40) but its smallest cluster has only 10 users. "
        "The silhouette is highest at the top of the searched range (k = 5): more clusters might score higher "
        "still, so read the clusters as a planning split, not as the audience's natural number of groups.")
    # no k keeps every cluster ≥ 500: the highest silhouette of all (k = 3)
    none = _searched([0.2, 0.3, 0.25], [400, 120, 80], 3, 500)
    assert findings.k_choice_line(none).endswith(
        "Every k leaves a cluster under 500 users, so the highest silhouette of all is used and the small clusters "
        "are flagged.")
    given = findings.k_choice_line(_clustering(4, 0.5))
    assert given == "k = 4 as given by the n_clusters parameter (silhouette 0.50)."
    with i18n.use_language("zh-CN"):
        assert findings.k_choice_line(plain) == (
            "k = 3：在 k = 2–5 中、最小的群不少于 50 个用户的 k 里，平均轮廓系数最高。")


def test_rfm_tie_line_counts_the_users_on_a_boundary_tie() -> None:
    assert findings.rfm_tie_line({"r": 2, "f": 1250, "m": 0, "users": 1251}) == (
        "1,251 users sit on a tie at a score boundary (R 2, F 1,250, M 0); small changes of the data can move "
        "them as a block.")
    assert findings.rfm_tie_line({"r": 0, "f": 1, "m": 0, "users": 1}).startswith("1 user sits on a tie")
    with i18n.use_language("zh-CN"):
        assert findings.rfm_tie_line({"r": 2, "f": 3, "m": 0, "users": 3}) == (
            "3 个用户处在分数分界的并列上（R 2、F 3、M 0）：数据稍有变化，他们就可能整组换到相邻的分数。")


def test_written_line() -> None:
    assert findings.written_line(14, 4) == "Wrote summary.json, 14 tables and 4 figures."
    with i18n.use_language("zh-CN"):
        assert findings.written_line(14, 4) == "已写出 summary.json、14 张表和 4 张图。"


def test_summary_holds_each_headline_in_reading_order_and_writes_as_json(tmp_path: Path) -> None:
    counts = {"users_before": 4, "bots": 1, "users_after": 3, "bot_share": 0.25}
    demo = pd.DataFrame({"attribute": ["gender"], "platform": ["douyin"], "value": ["女"], "users": [3],
                         "share": [0.75]})
    peaks = pd.DataFrame({"rank": [1], "start_hour": [20], "end_hour": [22], "label": ["20:00–22:00"]})
    rfm = pd.DataFrame({"name": ["champions"], "group": ["high-value"], "users": [2], "share": [0.5]})
    distinctive = pd.DataFrame({"segment": ["dormant"], "interests": ["none stands out"]})
    profile = pd.DataFrame({"cluster": [0, 1], "name": ["heavy users", "browsers"], "size": [3, 1]})
    wide = pd.DataFrame({"day 1": [0.5, np.nan]},
                        index=pd.Index([T("2026-09-01"), T("2026-10-01")], name="cohort"))
    churn = PeakChurnAge(age=1, unit="week", unfollows=2, total_unfollows=3, share=2 / 3)
    personas = findings.persona_table([_persona("champions", 2, 0.5, 10.0, 21, ACTION_OFFERS)])
    result = findings.summary(label="2026-10-31", title="Audience profile · A · Oct 1, 2026 – Oct 31, 2026",
                              bot_counts=counts, demographics=demo, peak_windows=peaks,
                              rfm_segments=rfm, interests_by_group=distinctive, clusters=_clustering(2, 0.41),
                              cluster_profile=profile, retention=wide, churn_peak=churn, personas=personas,
                              rfm_boundary_ties={"r": 2, "f": 3, "m": 0, "users": 3})
    assert list(result) == ["label", "title", "users", "demographics", "peak_windows", "rfm_segments",
                            "rfm_boundary_ties", "interests_by_group", "clusters", "retention", "churn_peak",
                            "personas"]
    assert result["clusters"]["k"] == 2 and result["clusters"]["silhouette"] == 0.41
    assert result["retention"].columns.tolist() == ["cohort", "day 1"]  # the cohort becomes a column

    out = RunOutputs("audience_profiling", tmp_path)
    out.summary.update(result)
    out.write()
    written = read_summary(tmp_path)
    assert written["title"] == "Audience profile · A · Oct 1, 2026 – Oct 31, 2026"
    assert written["label"] == "2026-10-31" and written["users"]["bots"] == 1
    assert written["peak_windows"][0]["start_hour"] == 20
    assert written["clusters"]["profile"][1] == {"cluster": 1, "name": "browsers", "size": 1}
    assert written["rfm_boundary_ties"] == {"r": 2, "f": 3, "m": 0, "users": 3}
    # k given (no search): the k search is the given k alone, its smallest cluster 1 user (u1 and u2 apart)
    assert written["clusters"]["k_search"] == [{"k": 2, "silhouette": 0.41, "smallest_segment": 1, "chosen": True}]
    assert written["clusters"]["min_segment_size"] == 1
    assert written["retention"][1]["day 1"] is None  # nobody eligible: missing, not 0
    assert written["churn_peak"]["age"] == 1 and written["churn_peak"]["total_unfollows"] == 3
    assert written["personas"][0]["action"] == ACTION_OFFERS
    assert "params" not in written  # the runner records the parameters itself
    json.dumps(written)  # plain JSON all the way down


@pytest.mark.parametrize("missing", ["start_hour", "label"])
def test_busiest_window_line_needs_a_peak_windows_table(missing: str) -> None:
    from helpers.errors import DataError

    peaks = pd.DataFrame({"start_hour": [20], "end_hour": [22], "label": ["20:00–22:00"]}).drop(columns=[missing])
    with pytest.raises(DataError, match=missing):
        findings.busiest_window_line(peaks)
