"""The review's reputation KPIs (issue 18 item 7): comments, negative share and net sentiment per account and in
total, their targets and statuses in the KPI board, and the crisis cases; on small hand-made frames.

Hand calculation of the September 2026 frame below (scored = has a sentiment score; an empty text has none):
- A: 10 comments, 9 scored: 6 positive, 2 neutral, 1 negative → net (6 − 1) / 9 = 5/9, negative share 1/9.
- B: 4 comments, all scored: 1 positive, 1 neutral, 2 negative → net (1 − 2) / 4 = −1/4, negative share 2/4.
- Total (rate of sums): 14 comments, 13 scored, 7 positive, 3 negative → net 4/13, negative share 3/13.
August: A has 2 positive comments (net 1); B none although the table covers August → 0 comments, net missing.
September 2025 (last year) is before the table's first comment: every value missing, never 0.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from helpers.periods import parse_period
from helpers.review.kpis import comment_kpis, scorecard

NAN = math.nan


def _rows(account: str, day: str, sentiments: list[str], scored: bool = True) -> pd.DataFrame:
    score = {"positive": 0.8, "neutral": 0.0, "negative": -0.8}
    hours = pd.to_timedelta(range(len(sentiments)), "h")
    return pd.DataFrame({"account_id": account, "created_at": pd.Timestamp(day) + hours, "sentiment": sentiments,
                         "sentiment_score": [score[s] if scored else NAN for s in sentiments]})


@pytest.fixture
def accounts() -> pd.DataFrame:
    return pd.DataFrame({"account_id": ["A", "B"], "platform": ["weibo", "douyin"]})


@pytest.fixture
def comments() -> pd.DataFrame:
    return pd.concat([
        _rows("A", "2026-09-03", ["positive"] * 6 + ["neutral"] * 2 + ["negative"]),
        _rows("A", "2026-09-20", ["neutral"], scored=False),              # empty text: neutral, no score
        _rows("B", "2026-09-30 18:00", ["positive", "neutral", "negative", "negative"]),
        _rows("A", "2026-08-10", ["positive", "positive"]),
    ], ignore_index=True)


def value(frame: pd.DataFrame, account: str, kpi: str, column: str = "value") -> object:
    row = frame[(frame["account_id"] == account) & (frame["kpi"] == kpi)]
    assert len(row) == 1, (account, kpi)
    return row[column].iloc[0]


def test_split_and_net_sentiment_by_hand(comments: pd.DataFrame, accounts: pd.DataFrame) -> None:
    k = comment_kpis(comments, accounts, "2026-09-01", "2026-09-30")
    assert value(k, "A", "comments") == 10 and value(k, "B", "comments") == 4 and value(k, "total", "comments") == 14
    assert value(k, "A", "net_sentiment") == pytest.approx(5 / 9)
    assert value(k, "A", "negative_share") == pytest.approx(1 / 9)
    assert value(k, "B", "net_sentiment") == pytest.approx(-1 / 4)
    assert value(k, "B", "negative_share") == pytest.approx(2 / 4)
    assert value(k, "total", "net_sentiment") == pytest.approx(4 / 13)
    assert value(k, "total", "negative_share") == pytest.approx(3 / 13)
    assert value(k, "A", "net_sentiment", "coverage") == "9/10 comments scored"
    assert value(k, "total", "comments", "coverage") == "2/2 accounts"


def test_no_comment_is_zero_comments_but_no_net_sentiment(comments: pd.DataFrame, accounts: pd.DataFrame) -> None:
    k = comment_kpis(comments, accounts, "2026-08-01", "2026-08-31")
    assert value(k, "A", "net_sentiment") == pytest.approx(1.0)
    assert value(k, "B", "comments") == 0
    assert math.isnan(value(k, "B", "net_sentiment")) and "no scored comment" in value(k, "B", "net_sentiment", "note")
    before = comment_kpis(comments, accounts, "2025-09-01", "2025-09-30")
    assert before["value"].isna().all()                           # missing is not zero
    assert "does not cover" in value(before, "A", "comments", "note")


def test_board_gives_net_sentiment_attainment_and_status(comments: pd.DataFrame, accounts: pd.DataFrame) -> None:
    days = pd.date_range("2025-08-01", "2026-09-30")
    daily = pd.DataFrame({"date": list(days) * 2, "account_id": ["A"] * len(days) + ["B"] * len(days),
                          "followers": 100.0, "impressions": 10.0})
    targets = pd.DataFrame({"account_id": ["A", "B"], "kpi": "net_sentiment", "period": "2026-09",
                            "target": [0.5, 0.45]})
    board = scorecard(daily, None, None, accounts, targets, parse_period("month", "2026-09"), comments=comments)
    # A: (5/9) / 0.5 = 111 % → healthy; B: (−1/4) / 0.45 < 0 → at risk
    assert value(board, "A", "net_sentiment", "attainment") == pytest.approx((5 / 9) / 0.5)
    assert value(board, "A", "net_sentiment", "status") == "healthy"
    assert value(board, "B", "net_sentiment", "attainment") == pytest.approx(-0.25 / 0.45)
    assert value(board, "B", "net_sentiment", "status") == "at risk"
    # compared like the other KPIs: A's August net sentiment was 1.0; a rate is compared as a level
    assert value(board, "A", "net_sentiment", "previous") == pytest.approx(1.0)
    assert value(board, "A", "net_sentiment", "change_abs") == pytest.approx(5 / 9 - 1)
    assert math.isnan(value(board, "A", "net_sentiment", "last_year"))
    # the negative share is lower-is-better: A went from 0 to 1/9 → judged by its change (no target)
    assert value(board, "A", "comments", "change_basis") == "per day"
    assert value(board, "total", "comments", "status") == "info"
    without = scorecard(daily, None, None, accounts, targets, parse_period("month", "2026-09"))
    assert not without["kpi"].isin(["comments", "negative_share", "net_sentiment"]).any()


# --------------------------------------------------------------------------- English comments without the en set


class _NoScores:
    """A scorer that scores nothing (the note is about which scorer English comments get, not their scores)."""

    def score(self, frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"sentiment_score": float("nan"), "sentiment": None, "sentiment_method": None},
                            index=frame.index)


@pytest.mark.parametrize("available", [True, False])
def test_english_comments_scored_by_the_lexicon_are_said(sample_dir: Path, available: bool,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the English labelled set, English comments fall back to VADER: the review says how many, and how to
    get the set; with it, nothing is added."""
    from helpers.nlp import corpora
    from helpers.review import findings, reputation, session

    monkeypatch.setattr(corpora, "en_set_status", lambda *_: corpora.SetStatus(available, "message"))
    run = session.prepare(account="own", period_type="month", period="2026-10", data_dir=str(sample_dir),
                          er_base="impressions", anomaly_method="stl", anomaly_threshold=3.5, bot_iqr_k=1.5,
                          roas_stop_loss=3.0, ctr_keep=0.05, targets_source="data", trend_periods=6, top_n=0,
                          markov_value="share", min_coverage=0.8, lang="en")
    voice = reputation.customer_comments(run, scorer=_NoScores())  # type: ignore[arg-type]
    day = voice.comments["created_at"].dt.normalize()
    in_period = voice.comments[(day >= pd.Timestamp("2026-10-01")) & (day <= pd.Timestamp("2026-10-31"))]
    english = in_period["language"].isin(["en"]).sum()  # the sample's languages are zh, en, und, other
    assert english > 0
    assert voice.english_by_lexicon == (0 if available else english)
    text = findings.reputation_text(voice, reputation.sentiment_table(voice, run))
    note = f"{english:,} English comments this period are scored with the VADER lexicon"
    assert (note in text) is (not available) and ("make setup" in text) is (not available)


def test_the_lexicon_note_speaks_chinese() -> None:
    from helpers import i18n
    from helpers.review import findings
    from helpers.review.reputation import Voice

    voice = Voice(pd.DataFrame({"language": ["en"] * 3, "created_at": pd.Timestamp("2026-10-02")}),
                  english_by_lexicon=3)
    with i18n.use_language("zh-CN"):
        assert "本期 3 条英文评论用 VADER 词典打分" in findings._english_lexicon_note(voice)
    assert findings._english_lexicon_note(Voice(pd.DataFrame(), english_by_lexicon=0)) == ""
