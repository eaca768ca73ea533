"""helpers.voc.analysis: the steps the notebook calls, on hand-made frames with hand-worked expectations.

Calendar facts come from the shipped marketing calendar (helpers.keydates.year_dates: 618 on 06-18
with a 10-day warm-up from 06-08); ISO weeks, incidents and response codes are worked out by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import voc_frames as vf
from helpers import i18n
from helpers.keydates import year_dates
from helpers.voc import analysis
from helpers.voc.alerts import EarlyWarning, ResponseSop

T = pd.Timestamp


# --------------------------------------------------------------------------- brand rows


def test_rows_by_an_account_id_or_a_brand_user_id_are_the_brands() -> None:
    comments = pd.DataFrame({"comment_id": ["c1", "c2", "c3", "c4"],
                             "user_id": ["u1", "a1", "brand_xhs", "u2"], "text": ["好", "谢谢亲", "已私信", "差"]})
    customers, brand = analysis.split_brand_rows(comments, ["a1", "a2"], ["brand_xhs"])
    assert customers["comment_id"].tolist() == ["c1", "c4"]
    assert brand["comment_id"].tolist() == ["c2", "c3"]
    assert list(customers.index) == [0, 1] and list(brand.index) == [0, 1]


def test_without_a_user_id_column_every_row_is_a_customers() -> None:
    comments = pd.DataFrame({"comment_id": ["c1", "c2"], "text": ["好", "差"]})
    customers, brand = analysis.split_brand_rows(comments, ["a1"], ["c1"])
    assert customers["comment_id"].tolist() == ["c1", "c2"]
    assert brand.empty and list(brand.columns) == ["comment_id", "text"]


# --------------------------------------------------------------------------- periods


def test_period_labels_month_quarter_and_iso_week() -> None:
    times = pd.Series(pd.to_datetime(["2025-12-29 10:00", "2026-10-19 00:00", "2027-01-01 23:00", "2026-03-31 12:00"]))
    assert analysis.period_labels(times, "month").tolist() == ["2025-12", "2026-10", "2027-01", "2026-03"]
    assert analysis.period_labels(times, "quarter").tolist() == ["2025-Q4", "2026-Q4", "2027-Q1", "2026-Q1"]
    # 2026-01-01 is a Thursday, so ISO week 1 of 2026 starts Monday 2025-12-29; 2026-10-19 is 42 weeks
    # later (294 days) → W43; 2027-01-01 (a Friday) falls in the week of Monday 2026-12-28, 52 weeks
    # after 2025-12-29 → 2026-W53.
    assert analysis.period_labels(times, "week").tolist() == ["2026-W01", "2026-W43", "2026-W53", "2026-W14"]


def test_a_missing_time_gets_no_label_and_the_others_keep_theirs() -> None:
    times = pd.Series(pd.to_datetime(["2026-11-02 08:00", None]))
    for kind, label in (("month", "2026-11"), ("quarter", "2026-Q4"), ("week", "2026-W45")):
        labels = analysis.period_labels(times, kind)
        assert labels.iloc[0] == label, kind
        assert pd.isna(labels.iloc[1]), kind


# --------------------------------------------------------------------------- campaigns


def test_618_window_from_its_warm_up_to_the_day_itself() -> None:
    row = year_dates([2026], "CN").query("kind == 'marketing' and name == '618'").iloc[0]
    assert row["date"] == T("2026-06-18") and row["warmup_start"] == T("2026-06-08")  # the calendar's fact
    times = pd.Series(pd.to_datetime(["2026-06-07 23:59", "2026-06-08 00:00", "2026-06-12 15:00",
                                      "2026-06-18 23:30", "2026-07-02 10:00"]))
    with i18n.use_language("en"):
        assert analysis.campaign_of(times).tolist() == ["", "618", "618", "618", ""]
    with i18n.use_language("zh-CN"):
        assert analysis.campaign_of(times).tolist() == ["", "618 年中大促", "618 年中大促", "618 年中大促", ""]


def test_campaign_names_follow_the_language_and_missing_times_have_none() -> None:
    times = pd.Series(pd.to_datetime(["2026-11-05 09:00", None, "2026-03-05 10:00"]))
    with i18n.use_language("en"):
        assert analysis.campaign_of(times).tolist() == ["Double 11", "", "Women's Day (Goddess Day)"]
    with i18n.use_language("zh-CN"):
        assert analysis.campaign_of(times).tolist() == ["双十一", "", "女神节"]
    assert analysis.campaign_of(pd.Series(pd.to_datetime([None, None]))).tolist() == ["", ""]


# --------------------------------------------------------------------------- content words


def test_content_terms_drop_single_han_characters_only() -> None:
    tokens = [["好", "物流", "们", "维", "👍", "a", "ok", "iPhone"], ["爱", "姐妹"], []]
    kept = analysis.content_terms(tokens, user_terms=["维"])
    assert kept == [["物流", "维", "👍", "a", "ok", "iPhone"], ["姐妹"], []]
    assert analysis.content_terms(tokens) == [["物流", "👍", "a", "ok", "iPhone"], ["姐妹"], []]


# --------------------------------------------------------------------------- incidents


def _alerts(rows: list[tuple]) -> pd.DataFrame:
    """(account_id, kind, grain, start, severity, z, top_comments) rows as an alerts table."""
    frame = pd.DataFrame(rows, columns=["account_id", "kind", "grain", "start", "severity", "z", "top_comments"])
    frame["start"] = pd.to_datetime(frame["start"])
    return frame


def _warning(alerts: pd.DataFrame, sop: ResponseSop = vf.SOP_DEFAULT) -> EarlyWarning:
    return EarlyWarning(alerts=alerts, hourly=pd.DataFrame(), daily=pd.DataFrame(), crisis=pd.DataFrame(),
                        calibration=pd.DataFrame(), sop=sop, data_end=T("2026-03-20"))


ALERTS = _alerts([
    ("a1", "negative_volume_hourly", "hour", "2026-03-10 10:00", "warning", 4.0, ("a1 hour",)),
    ("a1", "negative_volume", "day", "2026-03-11 00:00", "critical", 5.0, ("a1 day",)),  # 14 h after: same incident
    ("a1", "negative_volume_hourly", "hour", "2026-03-13 12:00", "warning", 3.8, ("a1 later",)),  # 60 h on: new
    ("a2", "negative_volume_hourly", "hour", "2026-03-10 11:00", "warning", 4.5, ("a2 hour",)),  # another account
])


def _incident_comments(with_replies: bool = True) -> pd.DataFrame:
    rows = [
        ("a1", "2026-03-10 09:00", "negative", pd.NaT),               # before the incident: not counted
        ("a1", "2026-03-10 10:30", "negative", "2026-03-10 20:30"),   # first reply, 10.5 h after the start
        ("a1", "2026-03-10 11:00", "positive", "2026-03-10 11:30"),   # not a complaint
        ("a1", "2026-03-11 09:00", "negative", "2026-03-12 15:00"),   # answered 30 h after posting
        ("a1", "2026-03-12 00:00", "negative", pd.NaT),               # the incident's end (day alert + 24 h): out
        ("a1", "2026-03-13 12:20", "negative", pd.NaT),               # the later incident: never answered
        ("a2", "2026-03-10 11:15", "negative", "2026-03-11 14:00"),   # a2: first reply 27 h after 11:00
        ("a2", "2026-03-10 11:40", "negative", pd.NaT),
        ("a2", "2026-03-10 12:05", "negative", pd.NaT),               # after a2's hour: out
    ]
    frame = vf.scored(rows, ("account_id", "created_at", "sentiment", "replied_at"))
    frame["replied_at"] = pd.to_datetime(frame["replied_at"])
    return frame if with_replies else frame.drop(columns="replied_at")


def test_incidents_merge_one_accounts_alerts_within_24_h_and_judge_the_response() -> None:
    found = analysis.incidents(_warning(ALERTS), vf.feedback(_incident_comments()))
    assert found["account_id"].tolist() == ["a1", "a2", "a1"]  # critical first, then by negatives (2 before 1)
    first, second, third = (found.iloc[i] for i in range(3))
    assert first["start"] == T("2026-03-10 10:00") and first["end"] == T("2026-03-12 00:00")
    assert first["alerts"] == 2 and first["severity"] == "critical"
    assert first["kinds"] == ("negative_volume_hourly", "negative_volume")
    assert first["top_comments"] == ("a1 day",)  # of the worst alert
    assert first["negative"] == 2
    assert first["first_reply_h"] == pytest.approx(10.5) and first["answered_24h"] == pytest.approx(0.5)
    assert first["response"] == "in_time"
    assert first["deadline"] == T("2026-03-11 10:00") and first["escalate_at"] == T("2026-03-12 10:00")
    assert second["start"] == T("2026-03-10 11:00") and second["end"] == T("2026-03-10 12:00")
    assert second["negative"] == 2 and second["severity"] == "warning"
    assert second["first_reply_h"] == pytest.approx(27.0) and second["answered_24h"] == 0.0
    assert second["response"] == "late"
    assert third["start"] == T("2026-03-13 12:00") and third["alerts"] == 1 and third["negative"] == 1
    assert math.isnan(third["first_reply_h"]) and third["answered_24h"] == 0.0 and third["response"] == "none"


def test_incident_owner_and_deadlines_come_from_the_sop() -> None:
    sop = ResponseSop("王经理", 4.0, 12.0, "R7")
    found = analysis.incidents(_warning(ALERTS.iloc[[3]]), vf.feedback(_incident_comments()), )
    assert found.iloc[0]["owner"] is None
    found = analysis.incidents(_warning(ALERTS.iloc[[3]], sop), vf.feedback(_incident_comments()))
    row = found.iloc[0]
    assert (row["owner"], row["risk_id"]) == ("王经理", "R7")
    assert row["deadline"] == T("2026-03-10 15:00") and row["escalate_at"] == T("2026-03-10 23:00")
    assert row["response"] == "late"  # 27 h > 4 h


def test_incidents_without_reply_columns_say_no_reply_data() -> None:
    found = analysis.incidents(_warning(ALERTS), vf.feedback(_incident_comments(with_replies=False)))
    assert set(found["response"]) == {"no_reply_data"}
    assert found["first_reply_h"].isna().all() and found["answered_24h"].isna().all()
    assert found["negative"].tolist() == [2, 2, 1]


def test_incidents_with_only_replied_by_brand_have_no_reply_times() -> None:
    comments = _incident_comments(with_replies=False).assign(replied_by_brand=True)
    found = analysis.incidents(_warning(ALERTS), vf.feedback(comments))
    assert set(found["response"]) == {"no_reply_data"}  # who answered is known, when is not
    assert found["first_reply_h"].isna().all()


def test_no_alert_no_incident() -> None:
    found = analysis.incidents(_warning(ALERTS.iloc[0:0]), vf.feedback(_incident_comments()))
    assert found.empty and "response" in found.columns and "first_reply_h" in found.columns


# --------------------------------------------------------------------------- keywords and questions


def test_keywords_on_a_tiny_feedback() -> None:
    before = ([("a1", "2026-02-10 10:00", "positive", ["包装", "好看"])] * 12
              + [("a1", "2026-02-11 10:00", "neutral", ["好看"])])
    now = ([("a1", "2026-03-10 10:00", "negative", ["物流", "包装"])] * 12
           + [("a1", "2026-03-11 10:00", "neutral", ["包装", "好看"])] * 2)
    comments = vf.scored(before + now, ("account_id", "created_at", "sentiment", "terms"))
    words = analysis.keywords(vf.feedback(comments), top_n=5)
    # TF-IDF, March as one document against February (sklearn's smoothed idf ln((1 + n) / (1 + df)) + 1 with
    # n = 2 periods: df(物流) = 1 → ln(3/2) + 1 = 1.405; df(包装) = df(好看) = 2 → 1).
    # March counts: 物流 12, 包装 14, 好看 2 → weights 16.9, 14, 2 → 物流 first, then 包装, 好看.
    assert words.tfidf["term"].tolist() == ["物流", "包装", "好看"]
    assert words.tfidf["count"].tolist() == [12, 14, 2] and words.tfidf["comments"].tolist() == [12, 14, 2]
    idf = np.array([math.log(3 / 2) + 1, 1.0, 1.0])
    raw = np.array([12, 14, 2]) * idf
    assert words.tfidf["tfidf"].to_numpy() == pytest.approx(raw / np.linalg.norm(raw))
    assert words.frequencies == {"包装": 14, "物流": 12, "好看": 2}
    # 物流 in 12 of 14 comments now and in none of 13 before: the one rising word (≥ 10 comments needed;
    # 包装: 14 of 14 against 12 of 13 is no significant rise).
    rising = words.rising[words.rising["rising"]]
    assert rising["term"].tolist() == ["物流"]
    assert rising.iloc[0]["n_now"] == 12 and rising.iloc[0]["n_before"] == 0
    assert set(words.textrank["term"]) == {"物流", "包装", "好看"}


def test_a_word_in_every_comment_of_both_periods_does_not_hide_the_rising_ones() -> None:
    # 包装 is in 14 of 14 comments now and 12 of 12 before: no difference (z = 0/0), p must be 1, and the
    # Benjamini–Hochberg q of 物流 (12 of 14 against 0 of 12) must stay computable.
    before = [("a1", "2026-02-10 10:00", "positive", ["包装", "好看"])] * 12
    now = ([("a1", "2026-03-10 10:00", "negative", ["物流", "包装"])] * 12
           + [("a1", "2026-03-11 10:00", "neutral", ["包装", "好看"])] * 2)
    comments = vf.scored(before + now, ("account_id", "created_at", "sentiment", "terms"))
    rising = analysis.keywords(vf.feedback(comments), top_n=5).rising.set_index("term")
    assert rising.loc["包装", "p_value"] == 1.0 and not rising.loc["包装", "rising"]
    assert bool(rising.loc["物流", "rising"])
    # By hand: pooled share 12/26, se = sqrt(p(1-p)(1/14 + 1/12)), z = (12/14 − 0)/se; BH over 2 tests.
    pooled = 12 / 26
    z = (12 / 14) / math.sqrt(pooled * (1 - pooled) * (1 / 14 + 1 / 12))
    p = math.erfc(z / math.sqrt(2))
    assert rising.loc["物流", "p_value"] == pytest.approx(p)
    assert rising.loc["物流", "q_value"] == pytest.approx(min(1.0, p * 2))


def test_questions_of_the_period_grouped_ranked_and_proposed() -> None:
    texts = (["敏感肌能用吗"] * 3 + ["什么时候发货？", "很好用", "喜欢这个味道"])
    rows = [("a1", f"2026-03-{10 + i} 10:00", "neutral", t, i + 1) for i, t in enumerate(texts)]
    rows.append(("a1", "2026-02-20 10:00", "neutral", "敏感肌能用吗", 50))  # previous period: not counted
    comments = vf.scored(rows, ("account_id", "created_at", "sentiment", "text_masked", "likes"))
    asked = analysis.questions(vf.feedback(comments), vf.run(top_n=5))
    assert (asked.asked, asked.comments) == (4, 6)
    top = asked.ranked.iloc[0]
    assert top["question"] == "敏感肌能用吗" and top["questions"] == 3 and top["variants"] == 1
    assert top["likes"] == 1 + 2 + 3 and top["share"] == pytest.approx(3 / 4)
    assert asked.ranked["questions"].tolist() == [3, 1]
    # Only a group asked by ≥ 3 comments becomes a topic-bank row, with the run's pillar and format.
    assert asked.topic_rows["topic"].tolist() == ["敏感肌能用吗"]
    assert asked.topic_rows.iloc[0][["pillar", "format", "source"]].tolist() == ["教程", "short_video", "comments"]


def test_a_complaint_asked_as_a_question_is_listed_but_not_proposed_as_a_topic() -> None:
    # 4 × "物流呢？还没发货" scored negative (a complaint), 3 × "敏感肌能用吗" neutral: both are questions and
    # both are ranked, but only the neutral group becomes a topic-bank row.
    rows = [("a1", f"2026-03-{10 + i} 10:00", "negative", "下单五天了物流呢？还没发货", 0) for i in range(4)]
    rows += [("a1", f"2026-03-{20 + i} 10:00", "neutral", "敏感肌能用吗", 0) for i in range(3)]
    comments = vf.scored(rows, ("account_id", "created_at", "sentiment", "text_masked", "likes"))
    asked = analysis.questions(vf.feedback(comments), vf.run(top_n=5))
    assert asked.ranked["question"].tolist() == ["下单五天了物流呢？还没发货", "敏感肌能用吗"]
    assert asked.topic_rows["topic"].tolist() == ["敏感肌能用吗"]


def test_no_question_this_period() -> None:
    comments = vf.scored([("a1", "2026-03-10 10:00", "positive", "很好用")],
                         ("account_id", "created_at", "sentiment", "text_masked"))
    asked = analysis.questions(vf.feedback(comments), vf.run())
    assert (asked.asked, asked.comments) == (0, 1)
    assert asked.ranked.empty and asked.topic_rows.empty


# --------------------------------------------------------------------------- reply times


def test_reply_times_add_a_totals_row_over_the_accounts() -> None:
    rows = [("a1", "2026-03-01 10:00", "negative", "2026-03-01 12:00"),   # 2 h
            ("a1", "2026-03-02 10:00", "positive", pd.NaT),
            ("a2", "2026-03-03 10:00", "negative", "2026-03-04 16:00"),   # 30 h
            ("a2", "2026-03-04 10:00", "negative", pd.NaT),
            ("a2", "2026-02-20 10:00", "negative", pd.NaT)]               # previous period: out
    comments = vf.scored(rows, ("account_id", "created_at", "sentiment", "replied_at"))
    comments["replied_at"] = pd.to_datetime(comments["replied_at"])
    table = analysis.reply_times(vf.feedback(comments))
    assert table["account_id"].tolist() == ["a1", "a1", "a2", "a2", "all", "all"]
    total = table[(table["account_id"] == "all")].set_index("subset")
    assert total.loc["all", "comments"] == 4 and total.loc["complaints", "comments"] == 3
    # Every comment is ≥ 48 h old at the period's end (Apr 1 00:00): complaints within 24 h = 1 of 3.
    assert total.loc["complaints", "within_24h"] == 1 and total.loc["complaints", "judged_24h"] == 3
    assert total.loc["complaints", "share_within_24h"] == pytest.approx(1 / 3)
    assert total.loc["complaints", "unanswered_48h"] == 1
    assert total.loc["complaints", "median_hours_to_reply"] == pytest.approx((2 + 30) / 2)
