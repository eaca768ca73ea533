"""Tests of helpers.audience.interests: hand-worked shares, lifts, z-tests and BH q-values, and the sample."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import norm

from helpers.audience.demographics import MISSING
from helpers.audience.interests import (
    NO_OTHERS,
    NONE_STANDS_OUT,
    NOT_TESTED,
    OTHERS_TOO_SMALL,
    TOO_SMALL,
    distinctive_interests,
    interest_by_segment,
    user_tags,
)
from helpers.data import load_tables
from helpers.errors import DataError, ParameterError


def audience() -> pd.DataFrame:
    """Ten users; u1 has a second row (other account) with no interests, which does not make u1 missing.

    segment A = u1..u5, segment B = u6..u10 (5 users each; missing users count in the denominators)
      A: 美食 u1 u2 u3 → 3/5 = 0.6   健身 u1 u2 → 2/5 = 0.4   旅行 u4 → 1/5 = 0.2   missing u5 (NaN) → 0.2
      B: 旅行 u6 u7 → 2/5 = 0.4      美食 u7 → 1/5 = 0.2      健身 u8 u10 → 2/5 = 0.4  missing u9 ('') → 0.2
         (u10 '健身; 健身' holds the tag once; u8 ' 健身 ;' is stripped and its empty piece ignored)
    lift (share in ÷ share in the other segment):
      A: 美食 0.6/0.2 = 3.0   健身 0.4/0.4 = 1.0   旅行 0.2/0.4 = 0.5
      B: 旅行 0.4/0.2 = 2.0   美食 0.2/0.6 = 1/3   健身 1.0
    """
    return pd.DataFrame({
        "user_id": ["u1", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9", "u10"],
        "account_id": ["D", "X", "D", "D", "D", "D", "X", "X", "X", "X", "X"],
        "interests": ["美食;健身", None, "健身;美食", "美食", "旅行", None, "旅行", "旅行;美食", " 健身 ;", "",
                      "健身; 健身"],
    })


def segments() -> pd.DataFrame:
    return pd.DataFrame({"user_id": [f"u{i}" for i in range(1, 11)], "segment": ["A"] * 5 + ["B"] * 5})


def hand_p(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p of the pooled two-proportion z-test, by hand."""
    p1, p2, pooled = x1 / n1, x2 / n2, (x1 + x2) / (n1 + n2)
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return 2 * norm.sf(abs(z))


def row(table: pd.DataFrame, segment: str, interest: str) -> pd.Series:
    hit = table[(table["segment"] == segment) & (table["interest"] == interest)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_user_tags_union_over_rows_and_missing_only_without_any_tag() -> None:
    held = user_tags(audience())
    assert set(held.loc[held["user_id"] == "u1", "interest"]) == {"美食", "健身"}
    assert set(held.loc[held["interest"] == MISSING, "user_id"]) == {"u5", "u9"}
    assert held.loc[held["user_id"] == "u10", "interest"].tolist() == ["健身"]


def test_shares_lifts_and_counts_worked_by_hand() -> None:
    table = interest_by_segment(audience(), segments(), min_users=5)
    expected = {  # (segment, tag): (users, share in, elsewhere with tag, share elsewhere, lift)
        ("A", "美食"): (3, 0.6, 1, 0.2, 3.0), ("A", "健身"): (2, 0.4, 2, 0.4, 1.0),
        ("A", "旅行"): (1, 0.2, 2, 0.4, 0.5), ("B", "旅行"): (2, 0.4, 1, 0.2, 2.0),
        ("B", "美食"): (1, 0.2, 3, 0.6, 1 / 3), ("B", "健身"): (2, 0.4, 2, 0.4, 1.0),
    }
    for (segment, tag), (users, share_in, other, share_else, lift) in expected.items():
        r = row(table, segment, tag)
        assert (r["segment_users"], r["users"], r["elsewhere_users"], r["elsewhere_with_tag"]) == (5, users, 5, other)
        assert r["share_in_segment"] == pytest.approx(share_in)
        assert r["share_elsewhere"] == pytest.approx(share_else)
        assert r["lift"] == pytest.approx(lift)
        assert r["note"] == ""
    # segments in order, tags by share in the segment (ties by name), '(missing)' last
    assert table["segment"].tolist() == ["A"] * 4 + ["B"] * 4
    assert table["interest"].tolist() == ["美食", "健身", "旅行", MISSING, "健身", "旅行", "美食", MISSING]


def test_p_values_match_a_hand_pooled_z_and_q_values_a_hand_bh() -> None:
    table = interest_by_segment(audience(), segments(), min_users=5)
    # 美食 3/5 vs 1/5: pooled 0.4, z = 0.4 / sqrt(0.4·0.6·0.4) = 1.291 → p ≈ 0.197 (旅行 of A, 1/5 vs 2/5 → 0.49)
    p_food, p_travel = hand_p(3, 5, 1, 5), hand_p(1, 5, 2, 5)
    assert p_food == pytest.approx(0.1967, abs=1e-4) and p_travel == pytest.approx(0.4902, abs=1e-4)
    for segment, tag, p in [("A", "美食", p_food), ("B", "美食", p_food), ("A", "旅行", p_travel),
                            ("B", "旅行", p_travel), ("A", "健身", 1.0), ("B", "健身", 1.0)]:
        assert row(table, segment, tag)["p_value"] == pytest.approx(p)
    # hand BH over the 6 tests, sorted p: food, food, travel, travel, 1, 1 (m = 6), q_i = min over j ≥ i of p_j·m/j
    #   rank 6: 1·6/6 = 1; rank 5: 1·6/5 → 1; rank 4: travel·6/4 = 0.735; rank 3: travel·6/3 → 0.735;
    #   rank 2: food·6/2 = 0.590; rank 1: food·6 → 0.590
    q = {"美食": p_food * 6 / 2, "旅行": p_travel * 6 / 4, "健身": 1.0}
    for tag, expected in q.items():
        assert table.loc[table["interest"] == tag, "q_value"].tolist() == pytest.approx([expected] * 2)
    assert not table["distinctive"].any()
    # top=2 keeps the two most held tags (美食 4 users, 健身 4; 旅行 3 is dropped) → a family of 4 tests:
    #   sorted p: food, food, 1, 1 → q = food·4/2, food·4/2, 1, 1
    top = interest_by_segment(audience(), segments(), min_users=5, top=2)
    assert set(top["interest"]) == {"美食", "健身", MISSING}
    assert top.loc[top["interest"] == "美食", "q_value"].tolist() == pytest.approx([p_food * 2] * 2)
    assert top.loc[top["interest"] == "健身", "q_value"].tolist() == pytest.approx([1.0] * 2)


def test_missing_interests_are_a_row_in_the_denominators_not_a_test() -> None:
    table = interest_by_segment(audience(), segments(), min_users=5)
    for segment in ("A", "B"):
        r = row(table, segment, MISSING)
        # A: u5 (NaN); B: u9 (''); both 1 of 5, and the 5 includes them
        assert (r["users"], r["segment_users"], r["share_in_segment"]) == (1, 5, 0.2)
        assert math.isnan(r["p_value"]) and math.isnan(r["q_value"]) and not r["distinctive"]
        assert r["note"] == NOT_TESTED


def test_distinctive_needs_q_below_005_and_lift_above_1() -> None:
    # the same users 20 times over: identical shares and lifts, n = 100 per segment
    big_aud = pd.concat([audience().assign(user_id=lambda f, k=k: f["user_id"] + f"_{k}") for k in range(20)])
    big_seg = pd.concat([segments().assign(user_id=lambda f, k=k: f["user_id"] + f"_{k}") for k in range(20)])
    table = interest_by_segment(big_aud, big_seg)
    # A 美食 60/100 vs 20/100 (lift 3) and B 旅行 40 vs 20 (lift 2, z ≈ 3.09) are significant and above 1;
    # A 旅行 and B 美食 are just as significant but below 1; 健身 is equal (p = 1)
    assert set(zip(table.loc[table["distinctive"], "segment"], table.loc[table["distinctive"], "interest"],
                   strict=True)) == {
        ("A", "美食"), ("B", "旅行")}
    assert row(table, "A", "旅行")["q_value"] < 0.05 and not row(table, "A", "旅行")["distinctive"]
    text = distinctive_interests(table).set_index("segment")["interests"]
    assert text.to_dict() == {"A": "美食 (3.0×)", "B": "旅行 (2.0×)"}
    small = distinctive_interests(interest_by_segment(audience(), segments(), min_users=5))
    assert small["interests"].tolist() == [NONE_STANDS_OUT, NONE_STANDS_OUT]


def test_small_segment_is_kept_untested() -> None:
    aud = pd.concat([audience(), pd.DataFrame({"user_id": ["u11", "u12"], "account_id": "D",
                                               "interests": ["美食", "数码"]})])
    seg = pd.concat([segments(), pd.DataFrame({"user_id": ["u11", "u12"], "segment": "C"})])
    table = interest_by_segment(aud, seg, min_users=3)
    small = table[table["segment"] == "C"]
    # C: 2 users < 3; 美食 u11 → 1/2 vs elsewhere 4/10; 数码 (only in C) 1/2 vs 0/10 → lift NaN
    assert (small["segment_users"] == 2).all() and (small["note"] == TOO_SMALL).all()
    assert small["p_value"].isna().all() and small["q_value"].isna().all()
    assert row(table, "C", "美食")["share_elsewhere"] == pytest.approx(0.4)
    assert math.isnan(row(table, "C", "数码")["lift"])
    # A is compared with B + C (7 users): 美食 3/5 vs 2/7 (u7, u11); A's 数码 0/5 vs 1/7 → lift 0
    assert row(table, "A", "美食")["elsewhere_users"] == 7
    assert row(table, "A", "美食")["p_value"] == pytest.approx(hand_p(3, 5, 2, 7))
    assert row(table, "A", "数码")["lift"] == 0
    assert distinctive_interests(table).set_index("segment").loc["C", "interests"] == f"{TOO_SMALL} to test"


def test_comparisons_with_too_few_or_no_other_users_are_not_tested() -> None:
    one = interest_by_segment(audience(), segments().assign(segment="all"), min_users=5)
    assert (one.loc[one["interest"] != MISSING, "note"] == NO_OTHERS).all() and one["p_value"].isna().all()
    assert one["share_elsewhere"].isna().all() and one["lift"].isna().all()
    lopsided = segments().assign(segment=["A"] * 8 + ["B"] * 2)
    table = interest_by_segment(audience(), lopsided, min_users=3)
    assert set(table.loc[(table["segment"] == "A") & (table["interest"] != MISSING), "note"]) == {OTHERS_TOO_SMALL}


def test_unknown_users_and_bad_inputs_raise_clear_errors() -> None:
    seg = pd.concat([segments(), pd.DataFrame({"user_id": ["u99", "u98"], "segment": "B"})])
    with pytest.raises(DataError, match=r"2 user\(s\) in segments are not in the audience.*'u98'"):
        interest_by_segment(audience(), seg)
    with pytest.raises(DataError, match="more than one segment"):
        interest_by_segment(audience(), pd.concat([segments(), pd.DataFrame({"user_id": ["u1"], "segment": ["B"]})]))
    with pytest.raises(DataError, match="segment"):
        interest_by_segment(audience(), segments().rename(columns={"segment": "cluster"}))
    with pytest.raises(ParameterError, match="min_users"):
        interest_by_segment(audience(), segments(), min_users=0)


def test_sample_platform_accounts_agree_with_a_brute_force_count(sample_dir: Path) -> None:
    aud = load_tables(["audience"], sample_dir)["audience"]
    own = aud[aud["account_id"].isin(["own_douyin", "own_xhs"])]
    seg = own[["user_id", "account_id"]].drop_duplicates().rename(columns={"account_id": "segment"})
    table = interest_by_segment(aud, seg)
    assert set(table["segment"]) == {"own_douyin", "own_xhs"}
    assert table["share_in_segment"].between(0, 1).all() and table["share_elsewhere"].between(0, 1).all()
    tested = table[table["share_elsewhere"] > 0]
    assert (tested["lift"] - tested["share_in_segment"] / tested["share_elsewhere"]).abs().max() < 1e-12
    members = {s: set(seg.loc[seg["segment"] == s, "user_id"]) for s in ("own_douyin", "own_xhs")}
    holders: dict[str, set[str]] = {}
    for user, text in zip(aud["user_id"], aud["interests"], strict=True):
        for tag in (text.split(";") if isinstance(text, str) else []):
            if tag.strip():
                holders.setdefault(tag.strip(), set()).add(user)
    for r in table[table["interest"] != MISSING].itertuples():
        assert r.users == len(members[r.segment] & holders[r.interest])
        assert r.segment_users == len(members[r.segment])
    assert set(table["interest"]) - {MISSING} == set(holders)
