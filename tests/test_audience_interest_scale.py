"""interest_shares on integer codes (issue 22): the same table as the per-row string version it replaced.

The reference is that version, kept here: split every row's text, explode, strip, drop blank tags,
distinct (user, tag) pairs as strings, users per tag sorted by count (ties by tag name).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.audience.demographics import MISSING, interest_shares


def _reference(audience: pd.DataFrame, column: str = "interests", sep: str = ";") -> pd.DataFrame:
    rows = audience[audience["user_id"].notna()]
    total = int(rows["user_id"].nunique())
    text = rows[column]
    tags = text[text.notna()].astype("str").str.split(sep).explode().str.strip()
    tags = tags[tags.notna() & (tags != "")]
    per_tag = pd.DataFrame({"user_id": rows.loc[tags.index, "user_id"].to_numpy(), "interest": tags.to_numpy()})
    per_tag = per_tag.drop_duplicates()
    counts = per_tag.groupby("interest").size().sort_index().sort_values(ascending=False, kind="stable")
    missing = total - int(per_tag["user_id"].nunique())
    out = pd.DataFrame({"interest": counts.index, "users": counts.to_numpy(), "share": counts.to_numpy() / total})
    out = pd.concat([out, pd.DataFrame([{"interest": MISSING, "users": missing, "share": missing / total}])],
                    ignore_index=True)
    out["users"] = out["users"].astype("int64")
    return out


def _random_audience(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    texts = np.array(["护肤;彩妆", "彩妆; 穿搭", "护肤;护肤", " ;香水", "", "健身", "家居;护肤;美食", None],
                     dtype=object)
    return pd.DataFrame({"user_id": rng.integers(0, n // 2, n).astype(str),  # users on several rows
                         "interests": texts[rng.integers(0, len(texts), n)]})


@pytest.mark.parametrize("audience", [
    _random_audience(2000, 1),
    _random_audience(37, 2),
    pd.DataFrame({"user_id": ["a", "b", None, "c"], "interests": ["x;y", None, "x", "  "]}),  # no-id row ignored
    pd.DataFrame({"user_id": ["a", "b"], "interests": [None, ""]}),  # nobody has a tag: only '(missing)'
    pd.DataFrame({"user_id": ["a", "a", "b"], "interests": ["y", "x", "y"]}),  # a user's tags over two rows
    pd.DataFrame({"user_id": [1, 2, 3], "interests": [5, "5", 7.0]}),  # non-text values as text
    # other columns (the audience's demographics) beside them, with and without a no-id row
    _random_audience(500, 3).assign(gender="女", account_id="A"),
    _random_audience(500, 4).assign(gender="男", user_id=lambda f: f["user_id"].astype("object").where(f.index != 7)),
])
def test_interest_shares_equal_the_per_row_string_version(audience: pd.DataFrame) -> None:
    out = interest_shares(audience)
    pd.testing.assert_frame_equal(out, _reference(audience), check_dtype=False)
    assert out.attrs["base_users"] == audience["user_id"].nunique()


def test_interest_shares_by_hand() -> None:
    audience = pd.DataFrame({"user_id": ["u1", "u1", "u2", "u3", "u4"],
                             "interests": ["护肤;彩妆", "护肤", " 彩妆 ;香水", None, ";"]})
    out = interest_shares(audience)
    # 4 users: 彩妆 u1, u2 (2); 护肤 u1 (1); 香水 u2 (1); no tag u3, u4 (2); ties by name: 护肤 < 香水
    assert out["interest"].tolist() == ["彩妆", "护肤", "香水", MISSING]
    assert out["users"].tolist() == [2, 1, 1, 2]
    assert out["share"].tolist() == [0.5, 0.25, 0.25, 0.5]
