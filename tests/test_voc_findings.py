"""helpers.voc.findings: every line, the executive summary, summary.json and the CSV tables, on hand-made results.

Each expected sentence is written out by hand from the counts of the frames built here (shares and
net sentiment worked out in the comments); a few checks in zh-CN that the catalog is used and the
numbers read as zh writes them (万, no space between sentences).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import voc_frames as vf
from helpers import i18n
from helpers.nlp.sentiment import SentimentScorer
from helpers.voc import analysis, findings
from helpers.voc.alerts import EarlyWarning, ResponseSop
from helpers.voc.analysis import Keywords, Questions
from helpers.voc.themes import ThemeResult

T = pd.Timestamp
MINUS = "\u2212"


def _now_and_before() -> pd.DataFrame:
    """March: 5 positive, 2 neutral, 3 negative scored + 1 empty text (11 comments, 10 scored; net (5−3)/10 = +0.20;
    9 comments and 2 DMs, 2 texts masked); February: 2 positive, 1 neutral, 1 negative (net (2−1)/4 = +0.25)."""
    rows = ([("a1", "2026-03-05 10:00", "positive")] * 3 + [("a2", "2026-03-06 10:00", "positive")] * 2
            + [("a1", "2026-03-07 10:00", "neutral")] * 2 + [("a1", "2026-03-08 10:00", "negative")] * 3
            + [("a2", "2026-03-09 10:00", "neutral")]
            + [("a1", "2026-02-10 10:00", "positive")] * 2 + [("a1", "2026-02-11 10:00", "neutral"),
                                                              ("a1", "2026-02-12 10:00", "negative")])
    frame = vf.scored(rows)
    frame.loc[10, "sentiment_method"] = "empty"
    frame.loc[[0, 1], "text"] = ["call 13812345678", "mail jane@qq.com"]
    frame.loc[[0, 1], "text_masked"] = ["call 138****5678", "mail j***@qq.com"]
    frame.loc[[8, 9], "source"] = "dm"
    return frame


def _removed() -> pd.DataFrame:
    """March: 2 empty, 1 link spam, 3 duplicates; one February duplicate (not this period's)."""
    return pd.DataFrame({"created_at": pd.to_datetime(["2026-03-02 10:00"] * 6 + ["2026-02-02 10:00"]),
                         "reason": ["empty", "empty", "link_spam", "duplicate", "duplicate", "duplicate", "duplicate"]})


def _voice() -> analysis.Feedback:
    return vf.feedback(_now_and_before(), _removed(), brand_rows=5, brand_rows_now=3)


def _targets(a1: float, a2: float) -> pd.DataFrame:
    """net_sentiment targets of a1 and a2 for 2026-03, with rows that must be ignored."""
    return pd.DataFrame({"kpi": ["net_sentiment", "net_sentiment", "net_sentiment", "net_sentiment", "reply_rate"],
                         "account_id": ["a1", "a2", "a3", "a1", "a1"],
                         "period": ["2026-03", "2026-03", "2026-03", "2026-02", "2026-03"],
                         "target": [a1, a2, 0.9, 0.5, 0.95]})


# --------------------------------------------------------------------------- cleaning


def test_cleaning_line_counts_reasons_shares_masking_and_brand_replies() -> None:
    # 11 kept + 6 removed = 17 this period; 6 / 17 = 35.29 % removed.
    assert findings.cleaning_line(_voice(), vf.run()) == (
        "Mar 2026: 17 pieces of feedback; 6 removed (35.3%): empty text 2, links and contact spam 1, duplicates 3. "
        "Kept 11: 9 comments, 2 DMs. Personal data (phone numbers, e-mails, @handles) masked in 2 comments. "
        "The brand's own 3 replies are not counted as customer voice.")


def test_cleaning_line_in_chinese() -> None:
    with i18n.use_language("zh-CN"):
        line = findings.cleaning_line(_voice(), vf.run())
    assert line.startswith("2026年3月：共 17 条用户反馈，剔除 6 条（35.3%）：")
    assert "保留 11 条：" in line and "2 条评论中的个人信息" in line and "品牌自己的 3 条回复不计入用户声音。" in line
    assert "。 " not in line  # Chinese sentences are joined without a space


def test_cleaning_line_without_removals_masking_or_brand_rows() -> None:
    frame = vf.scored([("a1", "2026-03-05 10:00", "positive")])
    assert findings.cleaning_line(vf.feedback(frame), vf.run()) == (
        "Mar 2026: 1 pieces of feedback; 0 removed (0.0%): none. Kept 1: 1 comments. "
        "No personal data found to mask.")


# --------------------------------------------------------------------------- sentiment


def test_net_target_is_the_mean_of_the_analysed_accounts_targets_of_the_period() -> None:
    assert findings.net_target(vf.run(tables={"targets": _targets(0.0, 0.2)})) == pytest.approx(0.1)
    assert findings.net_target(vf.run()) is None
    assert findings.net_target(vf.run(tables={"targets": _targets(0.0, 0.2).iloc[2:]})) is None  # none for a1/a2


def test_sentiment_line_split_net_target_met_and_previous_period() -> None:
    line = findings.sentiment_line(_voice(), vf.run(tables={"targets": _targets(0.0, 0.2)}))
    assert line == ("10 of 11 comments scored: 5 positive (50.0%), 2 neutral (20.0%), 3 negative (30.0%). "
                    "Net sentiment +0.20 against a target of +0.10 (met); previous period +0.25.")


def test_sentiment_line_negative_net_target_missed_and_no_previous_period() -> None:
    # 9 positive, 1 neutral, 10 negative: net (9 − 10) / 20 = −0.05; target (0.1 + 0.3) / 2 = +0.20: missed.
    rows = ([("a1", "2026-03-05 10:00", "positive")] * 9 + [("a1", "2026-03-05 11:00", "neutral")]
            + [("a2", "2026-03-06 10:00", "negative")] * 10)
    line = findings.sentiment_line(vf.feedback(vf.scored(rows)), vf.run(tables={"targets": _targets(0.1, 0.3)}))
    assert line == ("20 of 20 comments scored: 9 positive (45.0%), 1 neutral (5.0%), 10 negative (50.0%). "
                    f"Net sentiment {MINUS}0.05 against a target of +0.20 (missed).")


def test_sentiment_line_without_target_in_chinese() -> None:
    with i18n.use_language("zh-CN"):
        line = findings.sentiment_line(_voice(), vf.run())
    assert line.startswith("11 条评论中 10 条可打分：")
    assert "净情感 +0.20" in line and "上期 +0.25" in line and "目标" not in line


# --------------------------------------------------------------------------- keywords, themes, questions


def _words(rising: bool = True) -> Keywords:
    tfidf = pd.DataFrame({"term": ["物流", "包装", "好看", "敏感肌", "补水", "味道"], "count": [12, 14, 2, 2, 2, 2],
                          "comments": [12, 14, 2, 2, 2, 2], "tfidf": [0.7, 0.6, 0.1, 0.1, 0.1, 0.05]})
    moves = pd.DataFrame({"term": ["物流", "发货", "包装"], "n_now": [12, 10, 14], "n_before": [0, 2, 12],
                          "share_now": [0.86, 0.71, 1.0], "share_before": [0.0, 0.15, 0.92],
                          "ratio": [np.inf, 4.6, 1.08], "p_value": [1e-5, 1e-3, 0.4], "q_value": [2e-5, 2e-3, 0.4],
                          "rising": [rising, rising, False]})
    textrank = pd.DataFrame({"term": ["包装", "物流"], "score": [0.6, 0.4], "count": [14, 12]})
    return Keywords(tfidf=tfidf, textrank=textrank, rising=moves, frequencies={"包装": 14, "物流": 12})


def test_keywords_line_with_and_without_rising_words() -> None:
    assert findings.keywords_line(_words()) == (
        "Most characteristic words: 物流, 包装, 好看, 敏感肌, 补水. Rising most against the previous period: "
        "物流 (0 → 12 comments), 发货 (2 → 10 comments).")
    assert findings.keywords_line(_words(rising=False)) == (
        "Most characteristic words: 物流, 包装, 好看, 敏感肌, 补水. No word rose significantly against the previous "
        "period.")
    empty = Keywords(tfidf=_words().tfidf.iloc[0:0], textrank=_words().textrank, rising=_words().rising,
                     frequencies={})
    assert findings.keywords_line(empty) == "No words this period."


def _themes(k_tried: int = 3) -> tuple[ThemeResult, pd.DataFrame]:
    """3 themes; negatives: theme 1 has 2, theme 2 has 6, other 4 → theme 2 holds 6 of 12 = 50.0 %."""
    table = pd.DataFrame({"theme": ["1", "2", "3", "other"],
                          "top_terms": [["包装", "好看"], ["物流", "快递", "慢", "等"], ["补水"], []],
                          "size": [10, 8, 4, 6], "share": [10 / 28, 8 / 28, 4 / 28, 6 / 28],
                          "examples": [["包装好看"], ["物流太慢了"], ["很补水"], ["嗯"]]})
    k_choice = pd.DataFrame({"k": range(3, 3 + k_tried), "coherence": 0.1, "coverage": 0.8, "score": 0.1,
                             "reconstruction_err": 1.0, "chosen": [True] + [False] * (k_tried - 1)})
    found = ThemeResult(assignments=pd.DataFrame({"theme": []}), themes=table, k_choice=k_choice, k=3)
    counts = {("1", "negative"): 2, ("1", "positive"): 8, ("2", "negative"): 6, ("2", "neutral"): 2,
              ("3", "positive"): 4, ("other", "negative"): 4, ("other", "neutral"): 2}
    rows = [(t, s, counts.get((t, s), 0)) for t in ["1", "2", "3", "other"]
            for s in ["negative", "neutral", "positive"]]
    by = pd.DataFrame(rows, columns=["theme", "sentiment", "comments"])
    by["share_of_sentiment"] = by["comments"] / by.groupby("sentiment")["comments"].transform("sum")
    by["share_of_theme"] = by["comments"] / by.groupby("theme")["comments"].transform("sum")
    return found, by


def test_themes_line_k_how_chosen_and_the_negative_theme() -> None:
    found, by = _themes()
    assert findings.themes_line(found, by) == (
        '3 themes (chosen by topic coherence). Negative comments concentrate in "物流 / 快递 / 慢": 50.0% of all '
        "negative comments (6).")
    found, by = _themes(k_tried=1)
    assert findings.themes_line(found, by).startswith("3 themes (as set by the parameter n_themes).")
    none = ThemeResult(assignments=found.assignments, themes=found.themes.iloc[0:0], k_choice=found.k_choice.iloc[0:0],
                       k=0)
    assert findings.themes_line(none, by) == "Too little text this period to find themes."


def _questions() -> Questions:
    ranked = pd.DataFrame({"group": [1, 2], "question": ["敏感肌能用吗", "什么时候发货？"], "questions": [3, 1],
                           "variants": [1, 1], "likes": [6.0, 4.0], "share": [0.75, 0.25],
                           "examples": [["敏感肌能用吗"], ["什么时候发货？"]]})
    rows = pd.DataFrame({"topic": ["敏感肌能用吗"], "pillar": ["教程"], "format": ["short_video"],
                         "source": ["comments"], "strategic_weight": [1.0], "notes": ["3 comments asked this"]})
    return Questions(asked=4, comments=6, ranked=ranked, topic_rows=rows)


def test_questions_line() -> None:
    # 4 questions of 6 comments = 66.7 %.
    assert findings.questions_line(_questions()) == (
        '4 questions (66.7% of the comments) in 2 groups. Asked most: "敏感肌能用吗" (3 comments in 1 wordings). '
        "The top 1 are written as topic-bank rows that content planning can schedule (the appendix names the file).")
    none = Questions(asked=0, comments=6, ranked=_questions().ranked.iloc[0:0], topic_rows=_questions().topic_rows)
    assert findings.questions_line(none) == "No questions among this period's comments."


# --------------------------------------------------------------------------- alerts, replies, calibration


def _warning(sop: ResponseSop = vf.SOP_DEFAULT, alerts: int = 0) -> EarlyWarning:
    calibration = pd.DataFrame({"kind": ["negative_volume", "negative_volume_hourly"], "scored": [600, 2000],
                                "alerts": [1, 2], "expected_rate": [0.00047, 0.00047],
                                "expected_false_alarms": [0.28, 0.93]})
    frame = pd.DataFrame({"account_id": ["a1"] * alerts, "top_comments": [("物流太慢",)] * alerts})
    return EarlyWarning(alerts=frame, hourly=pd.DataFrame(), daily=pd.DataFrame(), crisis=pd.DataFrame(),
                        calibration=calibration, sop=sop, data_end=T("2026-03-31 22:00"))


def _incidents(response: str = "in_time", first_reply_h: float = 10.5) -> pd.DataFrame:
    return pd.DataFrame({
        "account_id": ["a1", "a2"], "start": [T("2026-03-10 10:00"), T("2026-03-12")],
        "end": [T("2026-03-12"), T("2026-03-13")], "alerts": [2, 1], "severity": ["critical", "warning"],
        "kinds": [("negative_volume_hourly", "negative_volume"), ("negative_volume",)], "negative": [2, 1],
        "top_comments": [("物流太慢",), ("<b>x</b> & \"y\"",)], "owner": ["王经理", "王经理"], "risk_id": ["R7", "R7"],
        "deadline": [T("2026-03-10 14:00"), T("2026-03-12 04:00")],
        "escalate_at": [T("2026-03-10 22:00"), T("2026-03-12 12:00")],
        "first_reply_h": [first_reply_h, np.nan], "answered_24h": [0.5, 0.0], "response": [response, "none"]})


SOP_R7 = ResponseSop("王经理", 4.0, 12.0, "R7")


def test_alerts_line_without_incident_and_with_the_sop_defaults() -> None:
    assert findings.alerts_line(_incidents().iloc[0:0], _warning(), vf.run()) == (
        "No public-opinion alert this period. Response SOP (risk register –): no owner in the risk register responds "
        "within 24 h and escalates after 48 h. The register gives no hours, so the methodology's 24 h / 48 h apply.")


def test_alerts_line_with_incidents_names_the_worst_and_the_sop() -> None:
    assert findings.alerts_line(_incidents(), _warning(SOP_R7), vf.run()) == (
        "2 public-opinion incidents this period (3 alerts). Worst: 青柠·抖音, from Mar 10, 2026 10:00, critical, "
        "2 negative comments; the brand first answered 10.5 h after it began. Response SOP (risk register R7): "
        "王经理 responds within 4 h and escalates after 12 h.")
    with i18n.use_language("zh-CN"):
        line = findings.alerts_line(_incidents(), _warning(SOP_R7), vf.run())
    assert line.startswith("本期 2 起舆情事件（3 条预警）。") and "开始后 10.5 小时" in line
    assert "。应急流程（风险登记表 R7）：王经理在 4 小时内回应，12 小时未平息即升级。" in line


def test_critical_line_names_only_the_critical_incidents() -> None:
    # a1 is critical (from Mar 10 10:00); a2 only a warning, so it is not named.
    assert findings.critical_line(_incidents(), vf.run()) == "Critical incidents: 青柠·抖音 from Mar 10, 2026 10:00."
    assert findings.critical_line(_incidents().iloc[1:], vf.run()) == "No critical incident this period."
    assert findings.critical_line(_incidents().iloc[0:0], vf.run()) == "No critical incident this period."
    with i18n.use_language("zh-CN"):
        line = findings.critical_line(_incidents(), vf.run())
    assert line == "严重舆情事件：青柠·抖音（自 2026年3月10日 10:00 起）。"


def test_reply_line_without_reply_data_says_so_never_zero() -> None:
    line = findings.reply_line(vf.replies(None, reply_data=False))
    assert line == "The comments carry no reply times: how fast the brand answers cannot be measured."
    assert "0" not in line and "%" not in line


def test_reply_line_with_reply_data() -> None:
    # 3 of 4 judged complaints within 24 h = 75.0 %; 1 of 4 unanswered after 48 h = 25.0 %.
    assert findings.reply_line(vf.replies(0.75, within=3, judged=4, unanswered=1, median=5.3)) == (
        "Complaints answered within 24 h: 75.0% (3 of 4); still unanswered after 48 h: 1 (25.0%); median time to "
        "the brand's reply 5.3 h.")


def test_reply_line_in_chinese_counts_in_wan() -> None:
    with i18n.use_language("zh-CN"):
        line = findings.reply_line(vf.replies(0.75, within=150_000, judged=200_000, unanswered=20_000, median=5.3))
    assert line == ("投诉 24 小时内得到回复的比例 75.0%（20.0万 条中 15.0万 条）；"
                    "48 小时后仍未回复 20,000 条（10.0%）；品牌回复时长中位数 5.3 小时。")


def test_calibration_line() -> None:
    # 600 + 2,000 scored; 1 + 2 alerts; 0.28 + 0.93 = 1.21 expected by chance.
    assert findings.calibration_line(_warning()) == (
        "Calibration: over the history the rules scored 2,600 days and hours and raised 3 alerts; by chance alone "
        "they would raise about 1.2.")
    empty = EarlyWarning(alerts=pd.DataFrame(), hourly=pd.DataFrame(), daily=pd.DataFrame(), crisis=pd.DataFrame(),
                         calibration=_warning().calibration.iloc[0:0], sop=vf.SOP_DEFAULT, data_end=T("2026-03-31"))
    assert findings.calibration_line(empty) == "No history long enough to calibrate the alerts."


# --------------------------------------------------------------------------- executive summary


def _summary(incidents: pd.DataFrame, target: float | None, replies: pd.DataFrame) -> object:
    tables = {"targets": _targets(target, target)} if target is not None else {}
    found, by = _themes()
    return findings.executive_summary(vf.run(tables=tables), _voice(), _words(), found, by, _questions(), incidents,
                                      _warning(SOP_R7), replies)


def test_executive_summary_verdict_with_an_incident() -> None:
    page = _summary(_incidents(), 0.1, vf.replies(0.95, within=19, judged=20))
    assert page.verdict == ("Public-opinion incident: 青柠·抖音 from Mar 10, 2026 10:00, 2 negative comments "
                            "(critical); 王经理 owns the response.")
    assert page.verdict_status == "bad"
    assert page.title == "Voice of the customer · 青柠 · Mar 2026"
    assert any("escalate after 12 h" in a.text for a in page.actions)


def test_executive_summary_verdict_without_incident_is_the_sentiment_line() -> None:
    page = _summary(_incidents().iloc[0:0], 0.1, vf.replies(0.95, within=19, judged=20))
    assert page.verdict == ("10 of 11 comments scored: 5 positive (50.0%), 2 neutral (20.0%), 3 negative (30.0%). "
                            "Net sentiment +0.20 against a target of +0.10 (met); previous period +0.25.")
    assert page.verdict_status == "good"


@pytest.mark.parametrize(("target", "status"), [(0.1, "good"), (0.2, "good"), (0.25, "watch"), (0.35, "bad"),
                                                (None, "info")])
def test_net_sentiment_tile_status(target: float | None, status: str) -> None:
    # net +0.20: good at or above the target, watch within 0.1 below it, bad further below; no target → info.
    net = _summary(_incidents(), target, vf.replies(0.95, within=19, judged=20)).tiles[0]
    assert (net.label, net.value, net.status) == ("net sentiment", "+0.20", status)
    assert net.lines[-1] == "previous period +0.25"


def test_negative_share_tile() -> None:
    share = _summary(_incidents(), 0.1, vf.replies(0.95, within=19, judged=20)).tiles[1]
    assert (share.value, share.status) == ("30.0%", "info")
    assert share.lines == ("3 negative comments", "previous period 25.0%")  # February: 1 of 4


@pytest.mark.parametrize(("share", "within", "status"), [(0.95, 19, "good"), (0.9, 18, "good"), (0.75, 15, "watch"),
                                                         (0.7, 14, "watch"), (0.5, 10, "bad")])
def test_reply_tile_status(share: float, within: int, status: str) -> None:
    page = _summary(_incidents(), 0.1, vf.replies(share, within=within, judged=20))
    tile = page.tiles[2]
    assert (tile.status, tile.lines) == (status, (f"{within} of 20",))
    assert tile.value == f"{share * 100:.1f}%"
    # without an incident (whose action comes first), an action asks to answer faster below 90 %
    page = _summary(_incidents().iloc[0:0], 0.1, vf.replies(share, within=within, judged=20))
    assert any(a.text.startswith("Complaints answered within 24 h") for a in page.actions) == (share < 0.9)


def test_reply_tile_without_reply_data() -> None:
    tile = _summary(_incidents(), 0.1, vf.replies(None, reply_data=False)).tiles[2]
    assert (tile.value, tile.status, tile.lines) == ("–", "info", ("no reply data",))


def test_executive_summary_in_chinese_uses_the_catalog() -> None:
    with i18n.use_language("zh-CN"):
        page = _summary(_incidents(), 0.1, vf.replies(0.95, within=19, judged=20))
    assert page.verdict.startswith("舆情：青柠·抖音自 2026年3月10日 10:00 起出现 2 条负面评论")
    assert page.tiles[0].label == "净情感"


# --------------------------------------------------------------------------- summary.json and tables


def _scorer() -> SentimentScorer:
    evaluation = pd.DataFrame({"language": ["zh", "zh"], "method": ["model", "lexicon"],
                               "description": ["trained model", "lexicon baseline"], "held_out": ["t", "t"],
                               "n": [100, 100], "accuracy": [0.8, 0.7], "macro_f1": [0.78, 0.66],
                               "note": ["", ""], "chosen": [True, False]})
    return SentimentScorer(fitted=None, methods={"zh": "model", "en": "lexicon"}, bands={},  # type: ignore[arg-type]
                           evaluation=evaluation)


def test_summary_keys_and_values() -> None:
    found, by = _themes()
    replies = vf.replies(0.95, within=19, judged=20)
    out = findings.summary(vf.run(tables={"targets": _targets(0.0, 0.2)}), _voice(), _scorer(), _words(), found, by,
                           _questions(), _incidents(), _warning(SOP_R7, alerts=3), replies)
    assert set(out) == {"title", "label", "period", "accounts", "cleaning", "sentiment", "sentiment_by_platform",
                        "net_sentiment_target", "sentiment_methods", "sentiment_evaluation", "keywords",
                        "rising_keywords", "themes", "themes_k", "negative_theme", "questions", "alerts", "reply_times"}
    assert out["period"] == "2026-03" and out["accounts"] == ["a1", "a2"]
    assert out["cleaning"] == {"empty": 2, "link_spam": 1, "bot": 0, "duplicate": 3, "repeated_text": 0, "kept": 11}
    assert out["sentiment"]["comments"] == 11 and out["sentiment"]["scored"] == 10
    assert out["sentiment"]["net_sentiment"] == pytest.approx(0.2)
    # douyin (a1): 3 positive, 2 neutral, 3 negative → net 0; xiaohongshu (a2): 2 positive + 1 empty → net 1.
    assert out["sentiment_by_platform"]["douyin"]["net_sentiment"] == pytest.approx(0.0)
    assert out["sentiment_by_platform"]["xiaohongshu"]["scored"] == 2
    assert out["net_sentiment_target"] == pytest.approx(0.1)
    assert out["rising_keywords"] == ["物流", "发货"] and out["themes_k"] == 3
    assert out["negative_theme"] == {"theme": "2", "share_of_negative": pytest.approx(0.5)}
    assert out["questions"]["asked"] == 4 and out["questions"]["top"][0] == {"question": "敏感肌能用吗", "comments": 3}
    assert out["alerts"]["alerts"] == 3 and out["alerts"]["incidents"] == 2 and out["alerts"]["critical"] == 1
    assert out["alerts"]["sop"] == {"owner": "王经理", "risk_id": "R7", "respond_within_h": 4.0,
                                    "escalate_after_h": 12.0}
    assert "user_id" not in repr(out)


def test_tables_never_hold_user_ids_or_raw_text() -> None:
    """The whole chain on a small Feedback whose comments carry user ids and unmasked phone numbers."""
    rows = []
    for d in range(1, 29):
        rows += [("a1", f"2026-02-{d:02d} 10:00", "positive", f"u{d}", "包装好看 13812345678",
                  "包装好看 138****5678", ["包装", "好看"])]
    for d in range(1, 32):
        rows += [("a1", f"2026-03-{d:02d} 10:00", "negative", f"v{d}", "物流太慢了吗 13812345678",
                  "物流太慢了吗 138****5678", ["物流", "太慢"]),
                 ("a2", f"2026-03-{d:02d} 11:00", "positive", f"w{d}", "补水效果好", "补水效果好", ["补水", "效果"])]
    comments = vf.scored(rows, ("account_id", "created_at", "sentiment", "user_id", "text", "text_masked", "terms"))
    comments["replied_at"] = comments["created_at"] + pd.Timedelta(hours=3)
    voice = vf.feedback(comments)
    run = vf.run(comments)
    words = analysis.keywords(voice, 10)
    found, by = analysis.themes(voice, None)
    asked = analysis.questions(voice, run)
    warning = analysis.early_warning(voice, run)
    found_incidents = analysis.incidents(warning, voice)
    out = findings.tables(voice, words, found, by, asked, found_incidents, warning, analysis.reply_times(voice))
    assert set(out) == {"sentiment_split", "sentiment_trend", "keywords", "keywords_textrank", "rising_keywords",
                        "themes", "theme_sentiment", "themes_k_choice", "questions", "topic_bank_from_comments",
                        "alerts", "incidents", "alert_calibration", "reply_times"}
    for name, table in out.items():
        assert not {"user_id", "text", "index"} & set(map(str, table.columns)), name  # no stray row numbers
        cells = [str(c) for c in table.to_numpy().ravel()]
        assert not any("13812345678" in c for c in cells), name
        assert not any(c in {f"v{d}" for d in range(1, 32)} for c in cells), name
    assert asked.asked == 31 and "138****5678" in out["questions"]["question"].iloc[0]
    split = out["sentiment_split"]
    assert list(split.columns[:2]) == ["group", "comments"]
    assert split.loc[split["by"] == "platform", "group"].tolist() == ["douyin", "xiaohongshu"]
    assert split.loc[split["by"] == "account_id", "comments"].tolist() == [31, 31]
    assert out["sentiment_trend"]["period"].tolist() == ["2026-02", "2026-03"]
    assert out["sentiment_trend"]["net_sentiment"].tolist() == pytest.approx([1.0, 0.0])  # Feb all +; Mar 31 − 31


# --------------------------------------------------------------------------- styled views


NASTY = '<b>x</b> & "y"'


def test_styled_views_render_html_and_escape_text() -> None:
    comments = _now_and_before().assign(post_title=NASTY)
    voice = vf.feedback(comments, _removed())
    found, by = _themes()
    found = ThemeResult(found.assignments, found.themes.assign(examples=[[NASTY], ["b"], ["c"], ["d"]]),
                        found.k_choice, found.k)
    ranked = _questions().ranked.assign(question=[NASTY, "q"])
    asked = Questions(4, 6, ranked, _questions().topic_rows)
    views = [findings.split_view(voice, "post_title", vf.run()), findings.cleaning_view(voice),
             findings.themes_view(found, by), findings.questions_view(asked, 5),
             findings.incidents_view(_incidents(), vf.run()), findings.keywords_view(_words()),
             findings.rising_view(_words(), 5), findings.topic_rows_view(asked),
             findings.reply_view(vf.replies(0.75, within=3, judged=4), vf.run())]
    for view in views:
        html = view.to_html()
        assert NASTY not in html and "<b>x</b>" not in html
    for i in (0, 2, 3, 4):  # the post title, a theme's example, a question, an incident's top comment
        html = views[i].to_html()
        assert "&lt;b&gt;x&lt;/b&gt; &amp; &#34;y&#34;" in html or "&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;" in html, i
    headers = [str(c) for c in views[0].data.columns]
    assert headers[0] == "post_title" and "index" not in headers  # the split's first column is what it splits by
