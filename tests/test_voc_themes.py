"""helpers.voc.themes: planted themes found, k chosen by the stated rule, NPMI by hand, sentiment per theme."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from helpers.errors import DataError
from helpers.voc.themes import find_themes, npmi_coherence, theme_sentiment

PLANTED = {
    "logistics": ["物流", "发货", "快递", "慢", "包装", "破损", "几天", "催单"],
    "skin": ["敏感肌", "过敏", "泛红", "刺激", "温和", "成分", "刺痛", "修护"],
    "praise": ["好用", "回购", "推荐", "喜欢", "保湿", "清爽", "惊喜", "值得"],
}


def _corpus(per_theme: int = 80, seed: int = 3) -> tuple[list[list[str]], pd.Series, list[str]]:
    rng = np.random.default_rng(seed)
    tokens, texts, labels = [], [], []
    for label, words in PLANTED.items():
        for i in range(per_theme):
            picked = list(rng.choice(words, size=3, replace=False))
            tokens.append(picked)
            texts.append("".join(picked) + f"#{i % 20}")   # 20 distinct texts per theme
            labels.append(label)
    return tokens, pd.Series(texts), labels


def test_planted_themes_are_found_and_k_is_three() -> None:
    tokens, texts, labels = _corpus()
    result = find_themes(tokens, texts, k_range=range(2, 7), seed=0)
    assert result.k == 3
    assert adjusted_rand_score(labels, result.assignments["theme"]) == pytest.approx(1.0)
    for _, row in result.themes.iterrows():
        planted = next(name for name, words in PLANTED.items() if row["top_terms"][0] in words)
        assert set(row["top_terms"][:5]) <= set(PLANTED[planted])
        assert len(row["examples"]) == 3 and len(set(row["examples"])) == 3
        assert row["size"] == 80 and row["share"] == pytest.approx(1 / 3)
    choice = result.k_choice.set_index("k")
    # k = 2 keeps two coherent themes and drops the third: coverage 2/3 of the comments, score falls
    assert choice.loc[2, "coverage"] == pytest.approx(2 / 3)
    assert choice.loc[3, "coverage"] == pytest.approx(1.0)
    assert choice.loc[2, "score"] < choice.loc[3, "score"]
    assert choice["chosen"].sum() == 1 and choice.loc[3, "chosen"]


def test_comments_without_theme_words_are_other() -> None:
    tokens, texts, _ = _corpus()
    tokens = [*tokens, [], ["完全无关的词"]]
    texts = pd.concat([texts, pd.Series(["", "完全无关的词"])], ignore_index=True)
    result = find_themes(tokens, texts, k_range=range(3, 4), seed=0)
    assert result.assignments["theme"].iloc[-2:].tolist() == ["other", "other"]
    assert result.assignments["theme_weight"].iloc[-2:].tolist() == [0.0, 0.0]


def test_fitting_on_a_sample_gives_the_same_themes() -> None:
    tokens, texts, labels = _corpus(per_theme=200)
    result = find_themes(tokens, texts, k_range=range(3, 4), sample_size=150, seed=1)
    assert adjusted_rand_score(labels, result.assignments["theme"]) == pytest.approx(1.0)
    searched = find_themes(tokens, texts, k_range=range(2, 6), sample_size=500, search_size=300, seed=1)
    assert searched.k == 3
    assert adjusted_rand_score(labels, searched.assignments["theme"]) == pytest.approx(1.0)


def test_npmi_by_hand() -> None:
    docs = [["a", "b"], ["a", "b"], ["a", "c"], ["c"]]
    # P(a)=3/4, P(b)=2/4, P(a,b)=2/4 → log(0.5 / 0.375) / −log 0.5 ; (a,c): P=1/4, P(c)=2/4 → log(0.25/0.375)/−log 0.25
    # (b,c) never together → −1
    ab = math.log(0.5 / (0.75 * 0.5)) / -math.log(0.5)
    ac = math.log(0.25 / (0.75 * 0.5)) / -math.log(0.25)
    assert npmi_coherence(docs, [["a", "b", "c"]]) == pytest.approx([(ab + ac - 1) / 3])


def test_theme_sentiment_counts_and_share_of_all_negative() -> None:
    frame = pd.DataFrame({"theme": ["1"] * 5 + ["2"] * 3 + ["other"] * 2,
                          "sentiment": ["negative"] * 4 + ["positive"] + ["negative"] + ["positive"] * 2
                          + ["neutral", "negative"]})
    out = theme_sentiment(frame).set_index(["theme", "sentiment"])
    # negatives: theme 1 → 4, theme 2 → 1, other → 1: 6 in all
    assert out.loc[("1", "negative"), "comments"] == 4
    assert out.loc[("1", "negative"), "share_of_theme"] == pytest.approx(4 / 5)
    assert out.loc[("1", "negative"), "share_of_sentiment"] == pytest.approx(4 / 6)
    assert out.loc[("2", "neutral"), "comments"] == 0                      # every combination is listed
    assert len(out) == 9
    with pytest.raises(DataError, match="sentiment"):
        theme_sentiment(frame.drop(columns="sentiment"))


def test_too_little_text_gives_every_comment_other() -> None:
    result = find_themes([["a"], ["b"], []], pd.Series(["a", "b", ""]), k_range=range(2, 4))
    assert result.k == 0 and result.assignments["theme"].tolist() == ["other"] * 3
    assert result.themes["size"].tolist() == [3] and result.k_choice.empty
