"""helpers.voc.clean: removed rows with a reason, masking, language, odd input that must not break anything."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.errors import DataError, ParameterError
from helpers.voc.clean import REASONS, clean_comments, detect_language, mask_personal_data


def _frame(texts: list[object], users: list[str] | None = None, posts: list[str] | None = None,
           times: list[str] | None = None) -> pd.DataFrame:
    n = len(texts)
    frame = pd.DataFrame({
        "comment_id": [f"c{i}" for i in range(n)], "account_id": "acc",
        "created_at": pd.to_datetime(times or ["2026-05-01 10:00"] * n),
        "text": pd.Series(texts, dtype=object), "source": "comment"})
    if users is not None:
        frame["user_id"] = users
    if posts is not None:
        frame["post_id"] = posts
    return frame


def test_masking_phones_emails_handles() -> None:
    texts = pd.Series(["电话13812345678", "打 138 1234 5678 或 +86-139-8765-4321", "邮箱 john.doe@qq.com 谢谢",
                       "@小美 你看这个", "hi @Tom_99, see you", "订单号 20260501123456789 不是手机号", "价格 99 元"])
    assert mask_personal_data(texts).tolist() == [
        "电话138****5678", "打 138****5678 或 +86-139****4321", "邮箱 j***@qq.com 谢谢",
        "@*** 你看这个", "hi @***, see you", "订单号 20260501123456789 不是手机号", "价格 99 元"]


def test_language_by_script_with_the_stated_rule() -> None:
    texts = pd.Series(["这个面霜好用", "iPhone真好用", "Love it so much 好", "Great cream!", "これは最高です",
                       "정말 좋아요", "😂😂😂", "12345", "", "我の最爱面霜"])
    # zh: Han present and 3 × CJK ≥ Latin letters ("iPhone真好用": 3×3 ≥ 6); en: Latin outweighs
    # ("Love it so much 好": 3×1 < 12); ja: kana ≥ 20 % of Han+kana; ko: Hangul ≥ Han+kana; und: no letters;
    # "我の最爱面霜": kana 1 of 6 < 20 % → zh
    assert detect_language(texts).tolist() == ["zh", "zh", "en", "en", "ja", "ko", "und", "und", "und", "zh"]


def test_every_removed_row_has_a_reason_and_nothing_is_lost() -> None:
    texts = ["物流太慢了", "物流太慢了",                    # same user, same post: the second is a duplicate
             "", None, "   \u200b ",                       # empty three ways
             "加微信 wx12345678 领优惠", "看这里 https://spam.example.cn/x",  # link / contact spam
             "😂😂😂",                                      # only emoji: kept, language und
             *["全场五折包邮快来抢购吧限时优惠不要错过"] * 5,   # one long text from 5 users: repeated across users
             "敏感肌能用吗", "敏感肌能用吗", "敏感肌能用吗", "敏感肌能用吗", "敏感肌能用吗"]  # short: kept
    users = ["u1", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "r1", "r2", "r3", "r4", "r5",
             "q1", "q2", "q3", "q4", "q5"]
    posts = ["p1"] * len(texts)
    result = clean_comments(_frame(texts, users, posts))
    reasons = result.removed.set_index("comment_id")["reason"].to_dict()
    assert reasons == {"c1": "duplicate", "c2": "empty", "c3": "empty", "c4": "empty", "c5": "link_spam",
                       "c6": "link_spam", "c8": "repeated_text", "c9": "repeated_text", "c10": "repeated_text",
                       "c11": "repeated_text", "c12": "repeated_text"}
    assert set(result.comments["comment_id"]) == {"c0", "c7", "c13", "c14", "c15", "c16", "c17"}
    assert len(result.comments) + len(result.removed) == len(texts)
    assert result.comments.set_index("comment_id").loc["c7", "language"] == "und"
    counts = result.counts.set_index("reason")["rows"].to_dict()
    assert counts == {"empty": 3, "link_spam": 2, "bot": 0, "duplicate": 1, "repeated_text": 5, "kept": 7}
    assert tuple(result.counts["reason"]) == (*REASONS, "kept")


def test_repeated_text_threshold_is_a_parameter() -> None:
    texts = ["全场五折包邮快来抢购吧限时优惠不要错过"] * 3
    frame = _frame(texts, ["a", "b", "c"], ["p1", "p2", "p3"])
    assert clean_comments(frame).removed.empty                       # default needs 5 distinct users
    assert len(clean_comments(frame, repeat_min_users=3).removed) == 3
    with pytest.raises(ParameterError, match="repeat_min_users"):
        clean_comments(frame, repeat_min_users=1)


def test_bot_users_by_the_shared_fence_rule() -> None:
    # 40 ordinary users with 1–2 comments on one day; one user with 60 comments in one hour on one day.
    rng = np.random.default_rng(1)
    users, times, texts = [], [], []
    for i in range(40):
        for j in range(int(rng.integers(1, 3))):
            users.append(f"u{i}")
            times.append(f"2026-05-0{1 + j} 1{j}:00")
            texts.append(f"第{i}条评论{j}很好")
    for j in range(60):
        users.append("bot")
        times.append(f"2026-05-01 20:{j:02d}")
        texts.append(f"评论{j}")
    result = clean_comments(_frame(texts, users, [f"p{k}" for k in range(len(texts))], times))
    removed = result.removed
    assert set(removed.loc[removed["reason"] == "bot", "comment_id"]) == {
        f"c{k}" for k, u in enumerate(users) if u == "bot"}
    assert result.bots["is_bot"].sum() == 1
    assert "user_id" in result.comments.columns  # kept for joins; never shown by the report


def test_without_user_ids_duplicates_and_bots_are_skipped_not_guessed() -> None:
    result = clean_comments(_frame(["好用", "好用", "好用"]))
    assert result.removed.empty and len(result.comments) == 3
    assert result.bots.empty


def test_odd_input_does_not_break_anything() -> None:
    long_text = "好用" * 5_000                                             # 10,000 characters
    texts = [long_text, "ＡＢＣ１２３，全角", "a\u200bb\u200dc\x00d\x07e", "bad\ud800surrogate", 12345,
             "\ufeffBOM开头", "\u202e反向"]
    result = clean_comments(_frame(texts, [f"u{i}" for i in range(len(texts))]))
    out = result.comments.set_index("comment_id")
    assert len(out) == len(texts)
    assert len(out.loc["c0", "text"]) == 10_000
    assert out.loc["c1", "text"] == "ABC123,全角"                              # NFKC
    assert out.loc["c2", "text"] == "abc d e"                                 # zero-width out, controls → space
    assert out.loc["c3", "text"] == "badsurrogate"                            # lone surrogate out
    assert out.loc["c4", "text"] == "12345" and out.loc["c4", "language"] == "und"
    assert out.loc["c5", "text"] == "BOM开头"


def test_missing_text_column_is_a_data_error() -> None:
    with pytest.raises(DataError, match="text"):
        clean_comments(pd.DataFrame({"comment_id": ["c1"], "account_id": ["a"]}))
