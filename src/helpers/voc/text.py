"""Keywords of comments: TF-IDF against other periods, TextRank, rising keywords, word-cloud frequencies.

All functions take comments already cut into tokens (helpers.nlp.segment.Segmenter: user words whole,
stop words, punctuation and numbers out), one token list per comment, so every table counts the same words.

- **TF-IDF** (``keywords_tfidf``): each period's comments together are one document; scikit-learn's
  TfidfVectorizer on the token lists (raw term counts × smoothed idf ln((1 + n) / (1 + df)) + 1, rows
  L2-normalised, its defaults), so a word scores high when the chosen period says it often and the
  account's other periods do not. With a single period every idf is 1 and the ranking is by count.
- **TextRank** (``textrank_keywords``): our own, not jieba.analyse.textrank (networkx is not installed):
  an undirected graph of tokens that occur less than ``window`` tokens apart within one comment (edge
  weight = times together; comments never link to each other), ranked by weighted PageRank (damping
  0.85, power iteration on a sparse matrix to 1e-12). Chosen over jieba's because it reads the same
  tokens as every other table (our user words and stop words; jieba keeps a separate global dictionary
  and would re-segment in pure Python at ~170 k characters/s) and it is vectorised (numpy/scipy).
  Above ``max_comments`` a seeded random sample is ranked.
- **Rising keywords** (``rising_keywords``): per token, comments containing it now vs in the previous
  period; two-proportion z-test (pooled, two-sided, as statsmodels' proportions_ztest, computed for all
  terms at once), Benjamini–Hochberg q-values over the terms tested (those with ``n_now ≥ min_count``);
  rising = q < alpha and a higher share now. ratio = share_now / share_before (inf when new).
- **Word cloud** (``word_frequencies``): the top-N tokens by occurrences; emoji out by default (CJK fonts
  have no emoji glyphs).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain

import numpy as np
import pandas as pd
from scipy import sparse, stats
from sklearn.feature_extraction.text import TfidfVectorizer
from statsmodels.stats.multitest import multipletests

from helpers.errors import ParameterError
from helpers.nlp.segment import is_emoji

__all__ = ["keywords_tfidf", "rising_keywords", "textrank_keywords", "word_frequencies"]

Tokens = Sequence[Sequence[str]]


def _identity(doc: list[str]) -> list[str]:
    """The analyzer for pre-tokenised documents."""
    return doc


def _comment_counts(tokens: Iterable[Sequence[str]]) -> Counter[str]:
    """How many comments contain each token."""
    return Counter(chain.from_iterable(map(set, tokens)))


def keywords_tfidf(tokens: Tokens, periods: Sequence[object] | pd.Series, period: object, *, top_n: int = 30,
                   min_count: int = 2) -> pd.DataFrame:
    """Keywords of one period against the others: term, count, comments (containing it), tfidf; best first."""
    labels = pd.Series(list(periods) if not isinstance(periods, pd.Series) else periods.to_numpy())
    if len(labels) != len(tokens):
        raise ParameterError(f"keywords_tfidf needs one period per comment: {len(tokens)} comments, "
                             f"{len(labels)} periods.")
    if not (labels == period).any():
        raise ParameterError(f"The period {period!r} has no comments; periods present: "
                             f"{', '.join(map(str, pd.unique(labels)[:10]))}.")
    order = list(pd.unique(labels))
    positions = labels.groupby(labels, sort=False).indices
    docs = [list(chain.from_iterable(tokens[i] for i in positions[p])) for p in order]
    vectorizer = TfidfVectorizer(analyzer=_identity, lowercase=False)
    matrix = vectorizer.fit_transform(docs)
    row = matrix.getrow(order.index(period)).toarray().ravel()
    vocabulary = vectorizer.get_feature_names_out()
    counts = Counter(docs[order.index(period)])
    in_comments = _comment_counts(tokens[i] for i in positions[period])
    out = pd.DataFrame({"term": vocabulary, "tfidf": row})
    out = out[out["tfidf"] > 0]
    out = out.assign(count=out["term"].map(counts).astype("int64"),
                     comments=out["term"].map(in_comments).astype("int64"))
    out = out[out["count"] >= min_count].sort_values(["tfidf", "term"], ascending=[False, True])
    return out[["term", "count", "comments", "tfidf"]].head(top_n).reset_index(drop=True)


def _flatten(tokens: Tokens) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Token codes, the comment each token comes from, and the vocabulary (pd.factorize)."""
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    flat = np.fromiter(chain.from_iterable(tokens), dtype=object, count=int(lengths.sum()))
    codes, vocabulary = pd.factorize(flat)
    owner = np.repeat(np.arange(len(tokens)), lengths)
    return codes.astype(np.int64), owner, np.asarray(vocabulary, dtype=object)


def _cooccurrence(codes: np.ndarray, owner: np.ndarray, n_terms: int, window: int) -> sparse.csr_matrix:
    """Symmetric weights: times two different tokens are less than `window` apart in one comment."""
    rows, cols = [], []
    for offset in range(1, window):
        a, b = codes[:-offset], codes[offset:]
        keep = (owner[:-offset] == owner[offset:]) & (a != b)
        rows += [a[keep], b[keep]]
        cols += [b[keep], a[keep]]
    r = np.concatenate(rows) if rows else np.empty(0, np.int64)
    c = np.concatenate(cols) if cols else np.empty(0, np.int64)
    return sparse.coo_matrix((np.ones(len(r)), (r, c)), shape=(n_terms, n_terms)).tocsr()


def _pagerank(weights: sparse.csr_matrix, damping: float, tol: float = 1e-12, max_iter: int = 1000) -> np.ndarray:
    """Weighted PageRank of a graph without dangling nodes: pr = (1 − d)/n + d · Wᵀ D⁻¹ pr."""
    n = weights.shape[0]
    out_weight = np.asarray(weights.sum(axis=1)).ravel()
    transition = sparse.diags(1.0 / out_weight) @ weights
    pr = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        nxt = (1 - damping) / n + damping * (transition.T @ pr)
        if np.abs(nxt - pr).sum() < tol:
            return nxt
        pr = nxt
    return pr


def textrank_keywords(tokens: Tokens, *, top_n: int = 30, window: int = 5, damping: float = 0.85,
                      include_emoji: bool = False, max_comments: int = 100_000, seed: int = 0) -> pd.DataFrame:
    """TextRank keywords: term, score (PageRank, sums to 1 over the graph), count (occurrences); best first."""
    if window < 2 or not 0 < damping < 1:
        raise ParameterError(f"TextRank needs window ≥ 2 and 0 < damping < 1, got window={window}, damping={damping}.")
    docs: Tokens = tokens
    if len(docs) > max_comments:
        pick = np.sort(np.random.default_rng(seed).choice(len(docs), max_comments, replace=False))
        docs = [docs[i] for i in pick]
    if not include_emoji:
        docs = [[t for t in doc if not all(map(is_emoji, t))] for doc in docs]
    codes, owner, vocabulary = _flatten(docs)
    empty = pd.DataFrame({"term": pd.Series(dtype="str"), "score": pd.Series(dtype="float64"),
                          "count": pd.Series(dtype="int64")})
    if not len(codes):
        return empty
    weights = _cooccurrence(codes, owner, len(vocabulary), window)
    linked = np.flatnonzero(np.asarray(weights.sum(axis=1)).ravel() > 0)
    if not len(linked):
        return empty
    scores = _pagerank(weights[linked][:, linked], damping)
    counts = np.bincount(codes, minlength=len(vocabulary))[linked]
    out = pd.DataFrame({"term": vocabulary[linked].astype(str), "score": scores, "count": counts.astype("int64")})
    return out.sort_values(["score", "term"], ascending=[False, True]).head(top_n).reset_index(drop=True)


def _two_proportion_p(x1: np.ndarray, n1: int, x2: np.ndarray, n2: int) -> np.ndarray:
    """Two-sided p of the pooled two-proportion z-test (statsmodels' proportions_ztest), vectorised."""
    pooled = (x1 + x2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (x1 / n1 - x2 / n2) / se
    # se = 0 only when the word is in every comment of both periods: no difference, p = 1 (not NaN, which
    # would make every Benjamini–Hochberg q-value NaN).
    return np.where(se > 0, 2 * stats.norm.sf(np.abs(z)), 1.0)


def rising_keywords(tokens_now: Tokens, tokens_before: Tokens, *, min_count: int = 5,
                    alpha: float = 0.05) -> pd.DataFrame:
    """Per term: n_now, n_before, share_now, share_before, ratio, p_value, q_value, rising; rising first."""
    if min_count < 1 or not 0 < alpha < 1:
        raise ParameterError(f"rising_keywords needs min_count ≥ 1 and 0 < alpha < 1, got {min_count}, {alpha}.")
    now, before = _comment_counts(tokens_now), _comment_counts(tokens_before)
    total_now, total_before = len(tokens_now), len(tokens_before)
    terms = sorted(t for t, n in now.items() if n >= min_count)
    n_now = np.array([now[t] for t in terms], dtype="int64")
    n_before = np.array([before.get(t, 0) for t in terms], dtype="int64")
    share_now = n_now / total_now if total_now else np.full(len(terms), np.nan)
    share_before = n_before / total_before if total_before else np.full(len(terms), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(share_before > 0, share_now / share_before, np.inf)
    if total_before and len(terms):
        p = _two_proportion_p(n_now, total_now, n_before, total_before)
        q = multipletests(p, method="fdr_bh")[1]
        ratio = np.where(np.isnan(share_before), np.nan, ratio)
    else:
        p = q = np.full(len(terms), np.nan)
        ratio = np.full(len(terms), np.nan)
    out = pd.DataFrame({"term": pd.Series(terms, dtype="str"), "n_now": n_now, "n_before": n_before,
                        "share_now": share_now, "share_before": share_before, "ratio": ratio,
                        "p_value": p, "q_value": q})
    out["rising"] = (out["q_value"] < alpha) & (out["share_now"] > out["share_before"])
    return out.sort_values(["rising", "q_value", "n_now", "term"], ascending=[False, True, False, True],
                           na_position="last").reset_index(drop=True)


def word_frequencies(tokens: Tokens, *, top_n: int = 200, include_emoji: bool = False,
                     stop_words: Iterable[str] = ()) -> dict[str, int]:
    """The top_n tokens by occurrences (ties by token), for WordCloud.generate_from_frequencies."""
    counts = Counter(chain.from_iterable(tokens))
    for word in set(stop_words):
        counts.pop(word, None)
    ranked = sorted(((t, n) for t, n in counts.items() if include_emoji or not all(map(is_emoji, t))),
                    key=lambda item: (-item[1], item[0]))
    return dict(ranked[:top_n])
