"""Themes of comments: TF-IDF + NMF, k chosen by NPMI coherence, fitted on a sample and applied to all.

Method:
- **Representation.** The segmenter's tokens (user words whole, stop words out), TF-IDF with sublinear
  term frequency, terms in at least ``min_df`` comments and at most half of them, 20,000 terms at most.
- **NMF, not k-means.** Comments are short (3–15 tokens), so a comment is a sparse mix of few words:
  NMF gives each theme a non-negative word profile (its top terms name it) and each comment a weight per
  theme (its representative comments are the highest weights; a comment with no weight on any theme
  is "other" instead of being forced into the nearest centroid as k-means would). Init NNDSVDa, seeded.
- **Choice of k.** For each k in ``k_range`` an NMF is fitted on the sample and scored by
  score = coherence × coverage. Coherence is the mean NPMI (normalised pointwise mutual information,
  −1 never together … 1 always together) over the pairs of each theme's top terms (those with weight
  ≥ 1 % of the theme's largest, at most ``n_top``), counted on the sample's comments, averaged over
  themes. Coverage is the share of the sample's comments (with any term) holding a top term of some
  theme: coherence alone cannot see a theme left out (with k too small NMF may drop a whole theme and
  keep two perfectly coherent ones). The chosen k is the smallest whose score is within
  ``COHERENCE_TOLERANCE`` (0.02) of the best: splitting a real theme in two keeps the score about the
  same, merging or dropping one lowers it, so the smallest near-best k neither merges nor splits.
- **Speed.** k is searched on a seeded sub-sample of at most ``search_size`` (10,000) comments; the
  chosen k is then fitted on a seeded sample of at most ``sample_size`` (50,000) and applied to every
  distinct token list once (NMF.transform). Themes are numbered "1", "2", … by size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from helpers.errors import ParameterError, require_columns

__all__ = ["COHERENCE_TOLERANCE", "OTHER", "SENTIMENTS", "ThemeResult", "find_themes", "npmi_coherence",
           "theme_sentiment"]

#: The theme of a comment with no weight on any theme.
OTHER = "other"
#: The chosen k is the smallest whose coherence is this close to the best.
COHERENCE_TOLERANCE = 0.02
#: A theme's top terms have at least this share of its largest term weight.
TOP_TERM_FLOOR = 0.01
#: Sentiment classes, in display order (helpers.nlp.sentiment's labels).
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")

Tokens = Sequence[Sequence[str]]


@dataclass(frozen=True)
class ThemeResult:
    """Per comment theme and weight (input order), the theme table, the k-choice table, and k."""

    assignments: pd.DataFrame
    themes: pd.DataFrame
    k_choice: pd.DataFrame
    k: int


def _identity(doc: Sequence[str]) -> Sequence[str]:
    """The analyzer for pre-tokenised comments."""
    return doc


def _binary(docs: Tokens, vocabulary: dict[str, int]) -> sparse.csc_matrix:
    """Comment × term presence matrix over a vocabulary."""
    rows, cols = [], []
    for i, doc in enumerate(docs):
        for j in {vocabulary[t] for t in doc if t in vocabulary}:
            rows.append(i)
            cols.append(j)
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csc_matrix((data, (rows, cols)), shape=(len(docs), len(vocabulary)))


def _npmi_from_matrix(present: sparse.csc_matrix, topics: Sequence[Sequence[int]]) -> list[float]:
    """Mean NPMI over the term pairs of each topic (columns of a presence matrix); NaN for < 2 terms."""
    n = present.shape[0]
    out = []
    for terms in topics:
        if len(terms) < 2:
            out.append(np.nan)
            continue
        sub = present[:, list(terms)]
        df = np.asarray(sub.sum(axis=0)).ravel() / n
        co = (sub.T @ sub).toarray() / n
        scores = []
        for a, b in combinations(range(len(terms)), 2):
            p_ab = co[a, b]
            if p_ab == 0:
                scores.append(-1.0)
            elif p_ab == 1:
                scores.append(1.0)
            else:
                scores.append(float(np.log(p_ab / (df[a] * df[b])) / -np.log(p_ab)))
        out.append(float(np.mean(scores)))
    return out


def npmi_coherence(docs: Tokens, topics: Sequence[Sequence[str]]) -> list[float]:
    """Mean NPMI of each topic's term pairs, counted as presence in the given comments."""
    vocabulary = {t: i for i, t in enumerate(sorted({t for topic in topics for t in topic}))}
    present = _binary(docs, vocabulary)
    return _npmi_from_matrix(present, [[vocabulary[t] for t in topic] for topic in topics])


def _top_terms(components: np.ndarray, n_top: int) -> list[list[int]]:
    """Per topic, the indices of its top terms (weight ≥ TOP_TERM_FLOOR × its largest), largest first."""
    out = []
    for row in components:
        order = np.argsort(-row, kind="stable")[:n_top]
        out.append([int(j) for j in order if row[j] > 0 and row[j] >= TOP_TERM_FLOOR * row[order[0]]])
    return out


def _coverage(present: sparse.csc_matrix, topics: Sequence[Sequence[int]]) -> float:
    """Share of the comments with any term that hold at least one top term of some topic."""
    any_term = np.asarray(present.sum(axis=1)).ravel() > 0
    columns = sorted({j for topic in topics for j in topic})
    if not any_term.any() or not columns:
        return 0.0
    covered = np.asarray(present[:, columns].sum(axis=1)).ravel() > 0
    return float(covered[any_term].mean())


def _fit(matrix: sparse.csr_matrix, k: int, seed: int) -> NMF:
    """An NMF with k themes fitted on the sample (NNDSVDa init, seeded)."""
    return NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=400).fit(matrix)


def _choose_k(matrix: sparse.csr_matrix, present: sparse.csc_matrix, k_values: Sequence[int], n_top: int,
              seed: int) -> tuple[pd.DataFrame, dict[int, NMF]]:
    """Fit every k, score coherence × coverage; the table marks the chosen k (smallest near the best)."""
    models, rows = {}, []
    for k in k_values:
        model = models[k] = _fit(matrix, k, seed)
        tops = _top_terms(model.components_, n_top)
        coherence = float(np.nanmean(_npmi_from_matrix(present, tops) or [np.nan]))
        coverage = _coverage(present, tops)
        rows.append({"k": k, "coherence": coherence, "coverage": coverage, "score": coherence * coverage,
                     "reconstruction_err": float(model.reconstruction_err_)})
    table = pd.DataFrame(rows)
    best = table["score"].max()
    eligible = table[table["score"] >= best - COHERENCE_TOLERANCE]
    table["chosen"] = table["k"] == (eligible["k"].min() if len(eligible) else table["k"].min())
    return table, models


def _check(k_range: Sequence[int], sample_size: int, search_size: int, n_top: int) -> list[int]:
    """The k values to try; ParameterError for k < 2, an empty range, a tiny sample or n_top < 2."""
    values = sorted({int(k) for k in k_range})
    if not values or values[0] < 2:
        raise ParameterError(f"k_range must hold numbers of themes ≥ 2, got {list(k_range)!r}.")
    if sample_size < 100 or search_size < 100 or n_top < 2:
        raise ParameterError(f"sample_size and search_size must be ≥ 100 and n_top ≥ 2, got {sample_size}, "
                             f"{search_size} and {n_top}.")
    return values


def _unique(tokens: Tokens) -> tuple[list[tuple[str, ...]], np.ndarray]:
    """Distinct token lists and, per comment, the index of its list."""
    index: dict[tuple[str, ...], int] = {}
    inverse = np.fromiter((index.setdefault(tuple(doc), len(index)) for doc in tokens), dtype=np.int64,
                          count=len(tokens))
    return list(index), inverse


def find_themes(tokens: Tokens, texts: pd.Series, *, k_range: Sequence[int] = range(3, 11),
                sample_size: int = 50_000, search_size: int = 10_000, n_top: int = 10, min_df: int = 2,
                seed: int = 0) -> ThemeResult:
    """Themes of the comments (tokens and text_masked in the same order); see the module docstring.

    assignments: theme ("1", "2", … or "other"), theme_weight, in the input order (index of ``texts``).
    themes: theme, top_terms (list), size, share (of all comments), examples (3 distinct texts, highest weight).
    k_choice: k, coherence, coverage, score, reconstruction_err, chosen.
    """
    if len(tokens) != len(texts):
        raise ParameterError(f"find_themes needs one text per token list: {len(tokens)} and {len(texts)}.")
    k_values = _check(k_range, sample_size, search_size, n_top)
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(tokens), sample_size, replace=False)) if len(tokens) > sample_size \
        else np.arange(len(tokens))
    sample = [tokens[i] for i in pick]
    vectorizer = TfidfVectorizer(analyzer=_identity, lowercase=False, sublinear_tf=True, min_df=min_df,
                                 max_df=0.5, max_features=20_000)
    try:
        matrix = vectorizer.fit_transform(sample)
    except ValueError:  # no term in min_df comments
        return _no_themes(texts)
    k_values = [k for k in k_values if k < min(matrix.shape)]
    if not k_values:
        return _no_themes(texts)
    search = np.arange(len(sample))
    if len(sample) > search_size:
        search = np.sort(rng.choice(len(sample), search_size, replace=False))
    present = _binary([sample[i] for i in search], vectorizer.vocabulary_)
    k_choice, models = _choose_k(matrix[search], present, k_values, n_top, seed)
    k = int(k_choice.loc[k_choice["chosen"], "k"].iloc[0])
    model = models[k] if len(search) == len(sample) else _fit(matrix, k, seed)
    distinct, inverse = _unique(tokens)
    weights = model.transform(vectorizer.transform(distinct))[inverse]
    assignments = _assign(weights, texts.index)
    terms = vectorizer.get_feature_names_out()
    top = [[str(terms[j]) for j in topic] for topic in _top_terms(model.components_, n_top)]
    table = _theme_table(assignments, texts, top)
    return ThemeResult(assignments.drop(columns="_topic"), table, k_choice, k)


def _no_themes(texts: pd.Series) -> ThemeResult:
    """Every comment "other" when there is too little text to fit themes."""
    assignments = pd.DataFrame({"theme": OTHER, "theme_weight": 0.0, "_topic": -1}, index=texts.index)
    k_choice = pd.DataFrame({"k": pd.Series(dtype="int64"), "coherence": pd.Series(dtype="float64"),
                             "coverage": pd.Series(dtype="float64"), "score": pd.Series(dtype="float64"),
                             "reconstruction_err": pd.Series(dtype="float64"), "chosen": pd.Series(dtype=bool)})
    table = _theme_table(assignments, texts, [])
    return ThemeResult(assignments.drop(columns="_topic"), table, k_choice, 0)


def _assign(weights: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """Theme of the largest weight per comment, themes renumbered by size ("1" largest); no weight → other."""
    best = weights.argmax(axis=1)
    weight = weights.max(axis=1)
    has = weight > 0
    sizes = np.bincount(best[has], minlength=weights.shape[1])
    order = np.argsort(-sizes, kind="stable")
    label = np.empty(weights.shape[1], dtype=object)
    label[order] = [str(i + 1) for i in range(weights.shape[1])]
    theme = np.where(has, label[best], OTHER)
    return pd.DataFrame({"theme": pd.Series(theme, index=index, dtype="str"),
                         "theme_weight": np.where(has, weight, 0.0)}, index=index).assign(_topic=best)


def _theme_table(assignments: pd.DataFrame, texts: pd.Series, top: list[list[str]]) -> pd.DataFrame:
    """theme, top_terms, size, share, examples (3 distinct non-empty texts of highest weight)."""
    frame = assignments.assign(text=texts.to_numpy())
    total = len(frame)
    ranked = (frame[frame["text"].notna() & frame["text"].astype("str").str.strip().ne("")]
              .sort_values(["theme", "theme_weight"], ascending=[True, False], kind="stable")
              .drop_duplicates(["theme", "text"]))
    examples = ranked.groupby("theme")["text"].apply(lambda s: [str(t) for t in s.head(3)])
    rows = []
    for theme, group in frame.groupby("theme", sort=False):
        topic = int(group["_topic"].iloc[0])
        rows.append({"theme": theme, "top_terms": [] if theme == OTHER or not top else top[topic],
                     "size": len(group), "share": len(group) / total,
                     "examples": examples.get(theme, []) if theme != OTHER else examples.get(OTHER, [])})
    table = pd.DataFrame(rows, columns=["theme", "top_terms", "size", "share", "examples"])
    key = table["theme"].map(lambda t: (1, 0) if t == OTHER else (0, int(t)))
    table = table.iloc[np.argsort(key.to_numpy(), kind="stable")].reset_index(drop=True)
    return table


def theme_sentiment(frame: pd.DataFrame) -> pd.DataFrame:
    """Comments per theme × sentiment (every combination), share of the theme and share of the sentiment.

    share_of_sentiment answers "negative comments are 62 % logistics": the theme's share of all comments
    with that sentiment.
    """
    require_columns(frame, ("theme", "sentiment"), "comments with themes and sentiment",
                    "Assign themes (find_themes) and score sentiment first.")
    sentiments = list(SENTIMENTS) + sorted(set(frame["sentiment"].dropna()) - set(SENTIMENTS))
    themes = sorted(frame["theme"].dropna().unique(), key=lambda t: (t == OTHER, len(str(t)), str(t)))
    counts = (frame.groupby(["theme", "sentiment"]).size()
              .reindex(pd.MultiIndex.from_product([themes, sentiments], names=["theme", "sentiment"]), fill_value=0)
              .rename("comments").reset_index())
    per_theme = counts.groupby("theme")["comments"].transform("sum")
    per_sentiment = counts.groupby("sentiment")["comments"].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        counts["share_of_theme"] = np.where(per_theme > 0, counts["comments"] / per_theme, np.nan)
        counts["share_of_sentiment"] = np.where(per_sentiment > 0, counts["comments"] / per_sentiment, np.nan)
    counts["comments"] = counts["comments"].astype("int64")
    return counts
