"""Word segmentation for Chinese and English text: rjieba, a user dictionary, stop words, emoji kept.

Method, in order, per text:
1. Normalise: characters that cannot be shown are removed (zero-width spaces and joiners, the BOM,
   variation selectors, emoji skin-tone modifiers) and control characters become spaces; then
   Unicode NFKC (full-width Ａ１！ become A1!; only when the text is not NFKC already, which is
   cheap to check) and lower case (Latin words are lower-cased, Chinese is unchanged).
2. User words (brand, product and platform terms, given as a list) are cut out first with one regex
   (longest first), so a term comes out as one token even when it holds a space, a hyphen or mixed
   case ("iPhone 15 Pro", "SK-II"); they are also added to this segmenter's rjieba dictionary.
   A user word is always kept, even if it is a number ("618") or a stop word. Tokens are lower case.
3. The rest is cut by rjieba (jieba-rs, jieba's dictionary and HMM; identical output to jieba,
   about 15× faster).
4. Kept: tokens with a letter of any script (Han, Latin, kana, Hangul …) that are not stop words
   and are not a single Latin letter; and emoji (pictographs are signal, one token each).
   Dropped: punctuation, whitespace, symbols, pure numbers ("666", "3.5", "138-1234-5678").
   Stop words: the shipped lists ``stopwords/zh.txt`` (written for opsbook) and ``stopwords/en.txt``
   (scikit-learn's ENGLISH_STOP_WORDS plus contraction pieces), or any list given.

Scope of the dictionary: each Segmenter owns its own ``rjieba.Jieba()`` instance, and rjieba's
``add_word`` on an instance changes that instance only (not the module-level default, not another
Segmenter; tested), so two Segmenters with different user words do not leak into each other.
Python jieba (used by nothing here) has one global dictionary: user words loaded there are global.
Building a Segmenter loads jieba's dictionary (about 0.25 s); build one per run and reuse it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources

import rjieba

from helpers.errors import ParameterError

__all__ = ["STOP_WORD_LANGUAGES", "Segmenter", "default_stop_words", "is_emoji", "load_stop_words", "normalise"]

#: Languages with a shipped stop-word list (files helpers/nlp/stopwords/<lang>.txt).
STOP_WORD_LANGUAGES: tuple[str, ...] = ("zh", "en")

# Invisible characters removed before anything else: zero-width space/non-joiner/joiner, word joiner,
# BOM, variation selectors, emoji skin-tone modifiers, tag characters (subdivision flags).
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0000-\U000e007f]")
# Control characters (C0, DEL, C1) and line/paragraph separators become spaces.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Lone surrogates (a broken UTF-16 decode) are dropped; a str holding one cannot even be encoded.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Blocks whose "other symbol" (So) characters are emoji pictographs.
_EMOJI_BLOCKS: tuple[tuple[int, int], ...] = ((0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0x2300, 0x23FF),
                                             (0x2B00, 0x2BFF), (0x3030, 0x3030), (0x303D, 0x303D),
                                             (0x3297, 0x3299))
_LATIN_LETTER = re.compile("[a-z]")


def is_emoji(char: str) -> bool:
    """Whether one character is an emoji pictograph (an 'other symbol' in an emoji block)."""
    code = ord(char)
    return unicodedata.category(char) == "So" and any(lo <= code <= hi for lo, hi in _EMOJI_BLOCKS)


def normalise(text: str) -> str:
    """Invisible characters out, controls to spaces, lone surrogates out, NFKC, lower case."""
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("", text)
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


@cache
def load_stop_words(language: str) -> frozenset[str]:
    """The shipped stop-word list of a language ('zh' or 'en'), normalised; ParameterError for others."""
    if language not in STOP_WORD_LANGUAGES:
        raise ParameterError(f"No shipped stop-word list for {language!r}; use one of {', '.join(STOP_WORD_LANGUAGES)} "
                             "or pass your own words as stop_words.")
    raw = resources.files("helpers.nlp").joinpath("stopwords", f"{language}.txt").read_text(encoding="utf-8")
    return frozenset(normalise(line.strip()) for line in raw.splitlines() if line.strip() and not line.startswith("#"))


def default_stop_words() -> frozenset[str]:
    """The shipped Chinese and English stop words together."""
    return load_stop_words("zh") | load_stop_words("en")


def _check_user_words(words: Iterable[str]) -> tuple[str, ...]:
    """Normalised user words, duplicates out, longest first; ParameterError on a blank or non-text one."""
    out: dict[str, None] = {}
    for word in words:
        if not isinstance(word, str) or not word.strip():
            raise ParameterError(f"A user word (brand, product or platform term) must be non-empty text, got {word!r}; "
                                 "remove it from the list.")
        out[normalise(word.strip())] = None
    return tuple(sorted(out, key=lambda w: (-len(w), w)))


class Segmenter:
    """Cut text into kept tokens (see the module docstring); one rjieba dictionary per instance."""

    def __init__(self, user_words: Sequence[str] = (), stop_words: Iterable[str] | None = None) -> None:
        self.user_words: tuple[str, ...] = _check_user_words(user_words)
        stops = default_stop_words() if stop_words is None else frozenset(normalise(w) for w in stop_words)
        self.stop_words: frozenset[str] = stops - set(self.user_words)
        self._jieba = rjieba.Jieba()
        for word in self.user_words:
            self._jieba.add_word(word, None, None)
        self._protect = (re.compile("(" + "|".join(map(re.escape, self.user_words)) + ")")
                         if self.user_words else None)
        self._kept: dict[str, bool] = {}

    def _keep(self, token: str) -> bool:
        """Whether a rjieba token is kept: a letter and not a stop word / single Latin letter, or an emoji."""
        known = self._kept.get(token)
        if known is None:
            if token in self.stop_words:
                known = False
            elif any(unicodedata.category(c).startswith("L") for c in token):
                known = not (len(token) == 1 and _LATIN_LETTER.match(token) is not None)
            else:
                known = all(is_emoji(c) for c in token)
            self._kept[token] = known
        return known

    def _cut_piece(self, piece: str) -> list[str]:
        """Kept tokens of a piece of normalised text that holds no user word."""
        return [t for t in self._jieba.cut(piece, True) if self._keep(t)] if piece else []

    def cut(self, text: str) -> list[str]:
        """The kept tokens of one text, in order (user words whole, lower case)."""
        text = normalise(text)
        if self._protect is None:
            return self._cut_piece(text)
        pieces = self._protect.split(text)
        out: list[str] = []
        for i, piece in enumerate(pieces):
            if i % 2:
                out.append(piece)
            else:
                out.extend(self._cut_piece(piece))
        return out

    def cut_many(self, texts: Iterable[object]) -> list[list[str]]:
        """Tokens of each text (missing, NaN or non-text → []); each distinct text is cut once.

        Repeated texts share one token list: treat the lists as read-only.
        """
        memo: dict[str, list[str]] = {}
        empty: list[str] = []
        out: list[list[str]] = []
        for text in texts:
            if not isinstance(text, str):
                out.append(empty if text is None or (isinstance(text, float) and math.isnan(text))
                           else self._memo(memo, str(text)))
                continue
            out.append(self._memo(memo, text))
        return out

    def _memo(self, memo: dict[str, list[str]], text: str) -> list[str]:
        """cut(text), computed once per distinct text within one cut_many call."""
        tokens = memo.get(text)
        if tokens is None:
            tokens = memo[text] = self.cut(text)
        return tokens
