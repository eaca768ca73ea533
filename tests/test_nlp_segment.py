"""helpers.nlp.segment: hand-segmented sentences, user words as one token, stop words, emoji, numbers, scope."""

from __future__ import annotations

import pytest
import rjieba

from helpers.errors import ParameterError
from helpers.nlp.segment import Segmenter, load_stop_words


def test_hand_segmented_chinese_sentences_drop_punctuation_and_stop_words() -> None:
    seg = Segmenter()
    # 发货 / 太慢 / 了 / ， / 物流 / 慢 / ， / 差评  →  了 is a stop word, commas are punctuation
    assert seg.cut("发货太慢了，物流慢，差评") == ["发货", "太慢", "物流", "慢", "差评"]
    # 这个 / 面霜 / 真的 / 好用  →  这个 and 真的 are stop words
    assert seg.cut("这个面霜真的好用") == ["面霜", "好用"]


def test_latin_words_are_lower_cased_and_english_stop_words_dropped() -> None:
    seg = Segmenter()
    # I / love / this / cream / , / it / ' / s / great / ! / !  →  i, this, it, s are stop words
    assert seg.cut("I love this Cream, it's GREAT!!") == ["love", "cream", "great"]


def test_numbers_whitespace_and_symbols_go_emoji_stay() -> None:
    seg = Segmenter()
    # 666 and 3.5 are pure numbers; the thumbs-up keeps no skin tone; ❤️ loses its variation selector
    assert seg.cut("666 面霜 3.5 元 👍🏻👍 ❤️ ＋＝") == ["面霜", "元", "👍", "👍", "❤"]
    assert seg.cut("😂😂😂") == ["😂", "😂", "😂"]


def test_full_width_latin_is_normalised() -> None:
    assert Segmenter().cut("ＶＣ精华") == Segmenter().cut("vc精华")


def test_user_words_come_out_as_one_token_even_with_spaces_hyphens_and_case() -> None:
    seg = Segmenter(user_words=["青柠生活", "小绿瓶精华", "iPhone 15 Pro", "SK-II", "618"])
    assert seg.cut("我喜欢青柠生活的小绿瓶精华") == ["喜欢", "青柠生活", "小绿瓶精华"]
    assert seg.cut("我的IPHONE 15 pro和sk-ii神仙水，618买的") == ["iphone 15 pro", "sk-ii", "神仙", "水", "618"]
    # without the user words the same text splits (so the test above is not trivially true)
    assert "青柠生活" not in Segmenter().cut("我喜欢青柠生活的小绿瓶精华")


def test_user_words_do_not_leak_between_segmenters() -> None:
    with_words = Segmenter(user_words=["青柠生活"])
    without = Segmenter()
    assert "青柠生活" in with_words.cut("青柠生活真好")
    # 青柠 / 生活 / 真 / 好 by hand; 真 is a stop word
    assert without.cut("青柠生活真好") == ["青柠", "生活", "好"]
    assert with_words.cut("青柠生活真好") == ["青柠生活", "好"]
    assert "青柠生活" not in rjieba.cut("青柠生活真好")  # rjieba's module-level dictionary is untouched too


def test_stop_words_can_be_replaced_or_turned_off() -> None:
    assert Segmenter(stop_words=()).cut("这个面霜真的好用") == ["这个", "面霜", "真的", "好用"]
    assert Segmenter(stop_words=["面霜"]).cut("这个面霜真的好用") == ["这个", "真的", "好用"]


def test_cut_many_matches_cut_and_survives_bad_values() -> None:
    seg = Segmenter()
    texts = ["发货太慢了", None, "", "发货太慢了", float("nan"), "x" * 10_000, "a\u200bb\x00c"]
    out = seg.cut_many(texts)
    assert out[0] == out[3] == seg.cut("发货太慢了")
    assert out[1] == out[2] == out[4] == []
    assert out[5] == ["x" * 10_000]
    assert len(out) == len(texts)


def test_shipped_stop_word_lists_load() -> None:
    zh, en = load_stop_words("zh"), load_stop_words("en")
    assert {"的", "了", "吗"} <= zh and {"the", "and", "it"} <= en
    assert not any(w.startswith("#") for w in zh | en)
    with pytest.raises(ParameterError, match="stop-word list"):
        load_stop_words("xx")


def test_blank_user_words_are_refused() -> None:
    with pytest.raises(ParameterError, match="user word"):
        Segmenter(user_words=["品牌", "  "])
