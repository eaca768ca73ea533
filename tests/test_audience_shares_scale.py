"""shares / compare_platforms on integer codes (issue 22): the same tables as the string-frame version they replaced.

The former implementation (a string `_group` column per row, drop_duplicates of (group, user,
value) strings, groupby size) is kept here as the reference; the tables must be equal exactly,
dtypes included, and bad input must fail with the same message.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.audience.demographics import (
    MISSING,
    ORDINAL,
    _check_conflicts,
    _labels,
    _natural_order,
    compare_platforms,
    overall_shares,
    shares,
)
from helpers.errors import DataError, ParameterError


def _old_with_group(audience: pd.DataFrame, by: str | None, accounts: pd.DataFrame | None) -> pd.DataFrame:
    if by is None:
        return audience.assign(_group="all")
    if by in audience.columns:
        return audience.assign(_group=_labels(audience[by]))
    assert accounts is not None
    lookup = accounts.drop_duplicates("account_id").set_index("account_id")[by]
    unknown = sorted(set(audience["account_id"].dropna()) - set(lookup.index))
    if unknown:
        raise DataError(f"audience refers to account(s) {unknown[:5]} that are not in accounts.")
    return audience.assign(_group=_labels(audience["account_id"].astype("object").map(lookup)))


def _old_shares(audience: pd.DataFrame, column: str, by: str | None = None,
                accounts: pd.DataFrame | None = None) -> pd.DataFrame:
    """shares before issue 22 round 3."""
    frame = _old_with_group(audience, by, accounts)
    pairs = pd.DataFrame({"_group": frame["_group"], "user_id": frame["user_id"],
                          "value": _labels(frame[column])}).drop_duplicates()
    _check_conflicts(pairs, column)
    counts = pairs.groupby(["_group", "value"]).size().rename("users").reset_index()
    counts["share"] = counts["users"] / counts.groupby("_group")["users"].transform("sum")
    counts["_last"] = counts["value"] == MISSING
    counts = counts.sort_values(["_group", "_last", "users", "value"], ascending=[True, True, False, True],
                                ignore_index=True).drop(columns="_last")
    if column in ORDINAL:
        counts = _natural_order(counts, column, "_group")
    return counts.drop(columns="_group") if by is None else counts.rename(columns={"_group": by})[
        [by, "value", "users", "share"]]


ACCOUNTS = pd.DataFrame({"account_id": ["a1", "a2", "a3"], "platform": ["douyin", "xiaohongshu", "douyin"]})


def _audience(seed: int, rows: int, string_dtype: str | None) -> pd.DataFrame:
    """Users following one or two accounts (same values on both rows), with NaN, blank and padded values."""
    rng = np.random.default_rng(seed)
    users = rng.integers(0, max(rows // 2, 1), rows)
    first_account = rng.choice(["a1", "a2", "a3"], rows)
    gender = np.array(["女", "男", None, "", " 女 "], dtype=object)[users % 5]
    age = np.array(["25-30", "18-24", "41+", None, "31-35", "<18"], dtype=object)[users % 6]
    tier = np.array(["二线", "一线", "新一线", None, "三线及以下", "其他"], dtype=object)[users % 6]
    frame = pd.DataFrame({"user_id": np.char.add("u", users.astype(str)), "account_id": first_account,
                          "gender": gender, "age_band": age, "city_tier": tier,
                          "device": np.where(users % 7 == 0, None, np.where(users % 2 == 0, "iOS", "Android"))})
    if string_dtype is not None:
        frame = frame.astype(dict.fromkeys(frame.columns, string_dtype))
    return frame


@pytest.mark.parametrize("string_dtype", [None, "str", "object"])
@pytest.mark.parametrize(("seed", "rows"), [(0, 5_000), (1, 9), (2, 1)])
def test_shares_equal_the_string_frame_version(seed: int, rows: int, string_dtype: str | None) -> None:
    audience = _audience(seed, rows, string_dtype)
    for column in ("gender", "age_band", "city_tier", "device"):
        for by, accounts in ((None, None), ("platform", ACCOUNTS), ("account_id", None), ("gender", None)):
            pd.testing.assert_frame_equal(shares(audience, column, by=by, accounts=accounts),
                                          _old_shares(audience, column, by=by, accounts=accounts), check_exact=True)


def test_compare_platforms_and_overall_by_hand() -> None:
    # u1 follows both douyin accounts (counted once there) and the xiaohongshu one; u3's gender is blank
    audience = pd.DataFrame({"user_id": ["u1", "u1", "u1", "u2", "u3", "u4"],
                             "account_id": ["a1", "a3", "a2", "a1", "a2", "a3"],
                             "gender": ["女", "女", "女", "男", " ", np.nan]})
    out = compare_platforms(audience, ACCOUNTS, ["gender"])
    douyin = out[out["platform"] == "douyin"]
    # douyin: u1 女, u2 男, u4 missing → 1/3 each, ties by value, missing last
    assert douyin[["value", "users"]].values.tolist() == [["女", 1], ["男", 1], [MISSING, 1]]
    xhs = out[out["platform"] == "xiaohongshu"]
    assert xhs[["value", "users", "share"]].values.tolist() == [["女", 1, 0.5], [MISSING, 1, 0.5]]
    overall = overall_shares(audience, ["gender"])
    assert overall[["value", "users"]].values.tolist() == [["女", 1], ["男", 1], [MISSING, 2]]


def test_missing_user_ids_count_as_one_user_like_before() -> None:
    audience = pd.DataFrame({"user_id": ["u1", None, None, "u2"], "account_id": ["a1", "a1", "a2", "a2"],
                             "gender": ["女", "男", "男", "女"]})
    for by, accounts in ((None, None), ("platform", ACCOUNTS)):
        pd.testing.assert_frame_equal(shares(audience, "gender", by=by, accounts=accounts),
                                      _old_shares(audience, "gender", by=by, accounts=accounts))


def test_bad_input_gives_the_same_messages() -> None:
    conflict = pd.DataFrame({"user_id": ["u1", "u1", "u2", "u2"], "account_id": ["a1", "a3", "a1", "a2"],
                             "gender": ["女", "男", "女", "男"]})
    with pytest.raises(DataError) as new:
        shares(conflict, "gender", by="platform", accounts=ACCOUNTS)
    with pytest.raises(DataError) as old:
        _old_shares(conflict, "gender", by="platform", accounts=ACCOUNTS)
    assert str(new.value) == str(old.value) and "1 user(s)" in str(new.value) and "u1" in str(new.value)
    # u2's two values are on two platforms: no conflict
    unknown = conflict.assign(account_id=["a1", "zz", "a1", "yy"])
    with pytest.raises(DataError, match=r"\['yy', 'zz'\]"):
        shares(unknown, "gender", by="platform", accounts=ACCOUNTS)
    with pytest.raises(ParameterError, match="neither an audience column"):
        shares(conflict, "gender", by="tier", accounts=ACCOUNTS)
