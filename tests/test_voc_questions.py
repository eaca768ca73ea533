"""helpers.voc.questions: a hand-labelled list for precision/recall, near-duplicate groups, topic-bank rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import precision_score, recall_score

from helpers.errors import ParameterError
from helpers.i18n import use_language
from helpers.schema import POST_FORMATS
from helpers.voc.questions import group_questions, is_question, rank_questions, topic_bank_rows

# Hand-labelled: 1 = the commenter asks something, 0 = not (exclamations, statements, rhetorical praise).
LABELLED: list[tuple[str, int]] = [
    ("敏感肌能用吗", 1), ("敏感肌能用吗？", 1), ("孕妇可以用吗", 1), ("这个多少钱", 1), ("哪里可以买到", 1),
    ("怎么用效果最好", 1), ("什么时候发货？", 1), ("能不能寄到新疆", 1), ("可不可以和精华一起用", 1),
    ("是否适合油皮", 1), ("有没有小样", 1), ("为什么我用了会搓泥", 1), ("干皮用什么色号", 1), ("那油皮呢", 1),
    ("多久能到货", 1), ("Does it work on oily skin", 1), ("How do I use this?", 1), ("Where can I buy it", 1),
    ("Is it cruelty free?", 1), ("what's the price", 1), ("会不会闷痘", 1), ("学生党用哪款好", 1),
    ("怎么这么好用！", 0), ("怎么这么香啊", 0), ("为什么这么好用😭", 0), ("什么都好就是物流慢", 0),
    ("没什么效果", 0), ("多少有点失望", 0), ("发货太慢了", 0), ("已经回购三次了", 0), ("好用好用👍", 0),
    ("What a great cream!", 0), ("Love it", 0), ("How good is this!", 0), ("不知道说什么好，太爱了", 0),
    ("物流很快，包装完好", 0), ("😂😂😂", 0), ("", 0), ("用了一周皮肤变好了", 0), ("真的绝了", 0),
]


def test_question_detection_precision_and_recall_on_the_hand_labelled_list() -> None:
    texts = pd.Series([t for t, _ in LABELLED])
    truth = np.array([y for _, y in LABELLED])
    found = is_question(texts).to_numpy().astype(int)
    precision, recall = precision_score(truth, found), recall_score(truth, found)
    misses = [t for (t, y), f in zip(LABELLED, found, strict=True) if y != f]
    print(f"question detection on {len(LABELLED)} labelled comments: precision {precision:.2f}, "
          f"recall {recall:.2f}; wrong: {misses}")
    assert len(LABELLED) == 40
    assert precision >= 0.95 and recall >= 0.9, misses


def test_missing_text_is_not_a_question() -> None:
    assert is_question(pd.Series(["吗？", None, np.nan], dtype=object)).tolist() == [True, False, False]


def test_near_duplicates_group_and_rank_by_frequency_then_likes() -> None:
    texts = pd.Series(["敏感肌能用吗"] * 5 + ["敏感肌能用吗？？"] * 2 + ["敏感肌可以用吗"] + ["请问敏感肌能用吗"]
                      + ["孕妇能用吗"] * 3 + ["多少钱"] * 3 + ["什么时候发货"])
    likes = pd.Series([1] * 9 + [10] * 3 + [0] * 3 + [2])
    groups = group_questions(texts, likes, threshold=0.5)
    assert len(groups.labels) == len(texts)
    labels = groups.labels.to_numpy()
    assert len(set(labels[:9])) == 1                       # four spellings of the sensitive-skin question
    assert len({labels[0], labels[9], labels[12], labels[15]}) == 4
    ranked = rank_questions(groups)
    assert ranked["question"].tolist()[:3] == ["敏感肌能用吗", "孕妇能用吗", "多少钱"]  # 3 and 3: likes 30 > 0
    first = ranked.iloc[0]
    assert (first["questions"], first["likes"], first["variants"]) == (9, 9, 4)
    assert ranked["share"].sum() == pytest.approx(1.0)


def test_grouping_scales_with_a_cap_on_distinct_texts() -> None:
    rng = np.random.default_rng(0)
    heads = ["敏感肌能用吗", "孕妇能用吗", "多少钱一瓶", "什么时候发货", "油皮适合吗"]
    texts = pd.Series([heads[i] + "?" * int(rng.integers(0, 3)) + f"{j}" for j in range(400) for i in range(5)])
    groups = group_questions(texts, None, threshold=0.5, max_unique=50)
    ranked = rank_questions(groups)
    assert ranked["questions"].sum() == len(texts)
    assert ranked["likes"].isna().all()                        # no likes column: missing, not zero


def test_topic_bank_rows_have_the_schema_planning_reads() -> None:
    texts = pd.Series(["敏感肌能用吗"] * 6 + ["多少钱"] * 2)
    ranked = rank_questions(group_questions(texts, pd.Series([2] * 8)))
    with use_language("en"):
        rows = topic_bank_rows(ranked, pillar="产品种草", format="short_video", min_questions=3)
    assert list(rows.columns) == ["topic", "pillar", "format", "source", "strategic_weight", "notes"]
    assert rows["topic"].tolist() == ["敏感肌能用吗"]
    assert rows.iloc[0][["pillar", "format", "source", "strategic_weight"]].tolist() == [
        "产品种草", "short_video", "comments", 1.0]
    assert "6" in rows.iloc[0]["notes"] and "12" in rows.iloc[0]["notes"]
    assert rows["format"].isin(POST_FORMATS).all()
    with pytest.raises(ParameterError, match="format"):
        topic_bank_rows(ranked, pillar="产品种草", format="podcast")


def test_topic_bank_notes_in_chinese() -> None:
    ranked = rank_questions(group_questions(pd.Series(["敏感肌能用吗"] * 4), None))
    with use_language("zh-CN"):
        rows = topic_bank_rows(ranked, pillar="产品种草", format="carousel")
    assert rows.iloc[0]["notes"] == "4 条评论问到（1 种问法）"


def test_groups_are_stars_not_chains() -> None:
    # A–B and B–C are close, A–C are not: single linkage would make one group; stars keep C apart.
    texts = pd.Series(["敏感肌能用吗"] * 5 + ["敏感肌孕妇能用吗"] * 3 + ["孕妇能用吗"] * 2)
    labels = group_questions(texts, None, threshold=0.5).labels.to_numpy()
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity
    norm = ["敏感肌能用", "敏感肌孕妇能用", "孕妇能用"]      # particles out, as the module normalises
    sim = cosine_similarity(TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True).fit_transform(norm))
    assert sim[0, 1] >= 0.5 and sim[1, 2] >= 0.5 and sim[0, 2] < 0.5   # the premise of the test
    assert labels[0] == labels[5] and labels[8] != labels[0]
