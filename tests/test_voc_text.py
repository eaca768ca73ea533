"""helpers.voc.text: TF-IDF by hand, TextRank against a brute-force PageRank, rising keywords against statsmodels."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from helpers.errors import ParameterError
from helpers.voc.text import keywords_tfidf, rising_keywords, textrank_keywords, word_frequencies


def test_tfidf_of_a_period_against_the_other_periods_by_hand() -> None:
    tokens = [["物流", "慢"], ["物流", "差评"], ["好用"],   # period A
              ["好用", "面霜"], ["好用"],                    # period B
              ["面霜", "物流"]]                              # period C
    periods = ["A", "A", "A", "B", "B", "C"]
    out = keywords_tfidf(tokens, periods, "A", top_n=10, min_count=1)
    # Document A = 物流×2, 慢, 差评, 好用; 3 documents. Smoothed idf = ln((1 + 3) / (1 + df)) + 1:
    idf2, idf1 = math.log(4 / 3) + 1, math.log(4 / 2) + 1          # df 2 (物流, 好用), df 1 (慢, 差评)
    raw = {"物流": 2 * idf2, "慢": idf1, "差评": idf1, "好用": idf2}
    norm = math.sqrt(sum(v * v for v in raw.values()))
    expected = {t: v / norm for t, v in raw.items()}                # 物流 0.6877, 慢 0.4521, 差评 0.4521, 好用 0.3439
    assert out["term"].tolist() == ["物流", "差评", "慢", "好用"]     # ties by term
    assert out.set_index("term")["tfidf"].to_dict() == pytest.approx(expected)
    assert out.set_index("term")["count"].to_dict() == {"物流": 2, "慢": 1, "差评": 1, "好用": 1}
    assert out.set_index("term")["comments"].to_dict() == {"物流": 2, "慢": 1, "差评": 1, "好用": 1}
    assert keywords_tfidf(tokens, periods, "A", min_count=2)["term"].tolist() == ["物流"]


def test_tfidf_counts_comments_not_occurrences() -> None:
    out = keywords_tfidf([["好", "好", "好"], ["好"], ["差"]], ["A", "A", "B"], "A", min_count=1)
    row = out.set_index("term").loc["好"]
    assert (row["count"], row["comments"]) == (4, 2)


def test_tfidf_refuses_an_unknown_period() -> None:
    with pytest.raises(ParameterError, match="period"):
        keywords_tfidf([["a"]], ["A"], "Z")


def _brute_force_pagerank(docs: list[list[str]], window: int, d: float) -> dict[str, float]:
    """Weighted undirected co-occurrence graph (pairs less than `window` apart), PageRank by a linear solve."""
    terms = sorted({t for doc in docs for t in doc})
    w = {(a, b): 0.0 for a in terms for b in terms}
    for doc in docs:
        for i, j in combinations(range(len(doc)), 2):
            if j - i < window and doc[i] != doc[j]:
                w[doc[i], doc[j]] += 1
                w[doc[j], doc[i]] += 1
    nodes = [t for t in terms if sum(w[t, b] for b in terms) > 0]
    n = len(nodes)
    m = np.array([[w[b, a] / sum(w[b, c] for c in nodes) for b in nodes] for a in nodes])  # column-stochastic
    pr = np.linalg.solve(np.eye(n) - d * m, np.full(n, (1 - d) / n))
    return dict(zip(nodes, pr, strict=True))


def test_textrank_equals_a_brute_force_pagerank() -> None:
    docs = [["物流", "太慢", "发货", "物流"], ["面霜", "好用", "保湿"], ["物流", "发货", "面霜"],
            ["保湿", "面霜", "好用", "推荐", "回购", "面霜"], ["单独"]]
    out = textrank_keywords(docs, top_n=20, window=3, damping=0.85)
    expected = _brute_force_pagerank(docs, window=3, d=0.85)
    assert out.set_index("term")["score"].to_dict() == pytest.approx(expected, abs=1e-9)
    assert "单独" not in set(out["term"])  # a token that co-occurs with nothing is not in the graph
    assert out["score"].is_monotonic_decreasing
    assert out.set_index("term").loc["面霜", "count"] == 4


def test_rising_keywords_against_statsmodels_and_bh() -> None:
    now = [["物流", "慢"]] * 30 + [["好用"]] * 20 + [["其他"]] * 50
    before = [["物流"]] * 5 + [["好用"]] * 22 + [["其他"]] * 73
    out = rising_keywords(now, before, min_count=5).set_index("term")
    terms = ["物流", "慢", "好用", "其他"]
    counts = {"物流": (30, 5), "慢": (30, 0), "好用": (20, 22), "其他": (50, 73)}
    p = [proportions_ztest([counts[t][0], counts[t][1]], [100, 100])[1] for t in terms]
    q = multipletests(p, method="fdr_bh")[1]
    assert out.loc[terms, "p_value"].tolist() == pytest.approx(p)
    assert out.loc[terms, "q_value"].tolist() == pytest.approx(q)
    assert out.loc["物流", ["n_now", "n_before"]].tolist() == [30, 5]
    assert out.loc["物流", "share_now"] == pytest.approx(0.30)
    assert out.loc["物流", "ratio"] == pytest.approx(6.0)
    assert out.loc["慢", "ratio"] == math.inf
    assert out["rising"].to_dict() == {"物流": True, "慢": True, "好用": False, "其他": False}
    assert out.index[0] in {"物流", "慢"}


def test_rising_keywords_minimum_count_and_no_previous_period() -> None:
    now = [["新词"]] * 3 + [["x"]] * 10
    assert "新词" not in set(rising_keywords(now, [["x"]] * 10, min_count=5)["term"])
    out = rising_keywords(now, [], min_count=1)
    assert out["p_value"].isna().all() and not out["rising"].any()


def test_word_frequencies_top_n_and_emoji() -> None:
    docs = [["物流", "😂", "物流"], ["好用", "😂"], ["好用", "物流", "面霜"]]
    assert word_frequencies(docs, top_n=2) == {"物流": 3, "好用": 2}
    assert word_frequencies(docs, top_n=3, include_emoji=True) == {"物流": 3, "好用": 2, "😂": 2}
    assert word_frequencies(docs, top_n=5, stop_words={"物流"}) == {"好用": 2, "面霜": 1}
