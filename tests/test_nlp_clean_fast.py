"""helpers.nlp.clean, issue 22: scripts counted from code points instead of four regex passes (detect_language),
and text columns that pandas keeps in several arrow chunks. Results are compared with the old code, kept here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from helpers import data
from helpers.nlp import clean

_HAN = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_KANA = "[\u3040-\u309f\u30a0-\u30ff]"
_HANGUL = "[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]"
_LATIN = "[A-Za-z\u00c0-\u024f]"


def _old_detect_language(text: pd.Series) -> pd.Series:
    """detect_language before issue 22's change: each script's characters counted by a regex pass."""
    arr = clean._arrow_text(text)

    def count(pattern: str) -> np.ndarray:
        return pc.fill_null(pc.count_substring_regex(arr, pattern), 0).to_numpy(zero_copy_only=False)

    han, kana, hangul, latin = count(_HAN), count(_KANA), count(_HANGUL), count(_LATIN)
    cjk = han + kana + hangul
    lang = np.select([cjk + latin == 0, latin > 3 * cjk, hangul >= han + kana, kana >= 0.2 * (han + kana)],
                     ["und", "en", "ko", "ja"], "zh")
    return pd.Series(lang, index=text.index, name="language", dtype="str")


#: Each range's first and last code point and its neighbours outside, every script mixed with the others.
EDGES = [chr(c) for first, last, _ in clean._SCRIPT_RANGES for c in (first - 1, first, last, last + 1)]
ODD = ["", None, np.nan, pd.NA, "   ", "😀😀", "ｆｕｌｌ ｗｉｄｔｈ", "１２３", "Ａ好", "ß Ünïcödé", "ᄀ가각",
       "カナかな漢", "한국어 text text text text", "abc漢", "a\u0301", "\U00020000𠀀", "\x00x",
       "mixed 中文 and English words", 12.5,
       "ｶﾀｶﾅ", "ㄱㅎ", "\uf900\ufaff", "A" * 40 + "中", *EDGES, "".join(EDGES)]


def test_scripts_counted_from_code_points_decide_as_the_regex_passes_did(sample_dir: Path) -> None:
    comments = data.load_tables(["comments"], sample_dir, notes=False)["comments"]
    texts = pd.concat([comments["text"].astype(object), pd.Series(ODD, dtype=object)], ignore_index=True)
    new, old = clean.detect_language(texts), _old_detect_language(texts)
    assert new.tolist() == old.tolist()
    assert set(new) >= {"zh", "en", "und"}  # the sample and the odd texts reach several answers


@pytest.mark.parametrize("texts", [[], [None], [""], ["a"], [np.nan, "中"]], ids=repr)
def test_edge_inputs(texts: list[object]) -> None:
    series = pd.Series(texts, dtype=object)
    assert clean.detect_language(series).tolist() == _old_detect_language(series).tolist()


def test_script_counts_by_hand() -> None:
    # "Ab中かカ한\u00c0" : Latin A, b, À = 3; Han 中 = 1; kana か, カ = 2; Hangul 한 = 1; missing text: all 0
    counts = clean._script_counts(pa.array(["Ab中かカ한\u00c0", None, "", "1 2 3"], type=pa.string()))
    assert counts.tolist() == [[1, 2, 1, 3], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]


def test_a_text_column_in_several_chunks_is_cleaned_as_one(sample_dir: Path) -> None:
    """pandas' "str" columns are arrow arrays kept in the chunks they were read in (the sample's comments: 6);
    cleaning one used to fail (dictionary_encode of a chunked array has no indices)."""
    comments = data.load_tables(["comments"], sample_dir, notes=False)["comments"]
    assert comments["text"].array._pa_array.num_chunks > 1
    whole = comments.assign(text=comments["text"].astype(object))  # the same texts, not chunked
    chunked, single = clean.clean_comments(comments), clean.clean_comments(whole)
    pd.testing.assert_frame_equal(chunked.counts, single.counts)
    assert chunked.comments["comment_id"].tolist() == single.comments["comment_id"].tolist()
    assert chunked.removed[["comment_id", "reason"]].equals(single.removed[["comment_id", "reason"]])
    assert chunked.comments["language"].tolist() == single.comments["language"].tolist()
    assert chunked.comments["text_masked"].tolist() == single.comments["text_masked"].tolist()
