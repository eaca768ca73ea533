"""How interest tags differ between segments: shares, lift, two-proportion z-tests and BH q-values.

For each segment × tag, the share of the segment's users holding the tag is compared with the
share among the users of every other segment ("elsewhere"). lift = share_in_segment ÷
share_elsewhere reads as an index (1.8 = 1.8× as common as elsewhere). Each comparison is a
two-proportion z-test with the pooled proportion (statsmodels ``proportions_ztest``); because a
table of segments × tags makes many tests, p-values are adjusted together by Benjamini–Hochberg
(false discovery rate) and a tag is *distinctive* for a segment when q < 0.05 and lift > 1.

Conventions: the users compared are those in ``segments`` (audience users without a segment are
left out of both sides); a user holds every tag of any of their audience rows; users with no tag
at all (interests missing or blank) count in every denominator and are reported as the tag
"(missing)", which is shown but not tested (it is not an interest). Segments smaller than
``min_users`` stay in the table, untested, with note "segment too small".
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from helpers.audience.demographics import MISSING
from helpers.errors import DataError, ParameterError, require_columns

ALPHA = 0.05
"""False discovery rate below which a tag with lift > 1 is called distinctive."""
TOO_SMALL = "segment too small"
OTHERS_TOO_SMALL = "other segments too small"
NO_OTHERS = "no other segment to compare"
NOT_TESTED = "users without interests: shown, not tested"
NONE_STANDS_OUT = "none stands out"

COLUMNS = ["segment", "interest", "segment_users", "users", "share_in_segment", "elsewhere_users",
           "elsewhere_with_tag", "share_elsewhere", "lift", "p_value", "q_value", "distinctive", "note"]


def segment_lookup(segments: pd.DataFrame) -> pd.Series:
    """user_id → segment label (text; missing shown as '(missing)'); DataError when a user has two segments."""
    require_columns(segments, ("user_id", "segment"), "segments",
                    "Pass a table with one row per user, e.g. rfm_segments(...)[['user_id', 'segment']].")
    labels = segments["segment"].astype("str").str.strip()
    labels = labels.where(segments["segment"].notna() & (labels != ""), MISSING)
    pairs = pd.DataFrame({"user_id": segments["user_id"].to_numpy(), "segment": labels.to_numpy()})
    pairs = pairs[pairs["user_id"].notna()].drop_duplicates()
    doubled = pairs["user_id"][pairs["user_id"].duplicated()]
    if len(doubled):
        raise DataError(f"{doubled.nunique()} user(s) are in more than one segment (e.g. {doubled.iloc[0]!r}); "
                        "each user needs exactly one segment.")
    return pairs.set_index("user_id")["segment"]


def segment_order(segments: pd.DataFrame) -> list[str]:
    """Segment labels in the table's category order when it has one, else sorted ('(missing)' last)."""
    present = set(segment_lookup(segments))
    column = segments["segment"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        ordered = [str(c) for c in column.cat.categories if str(c) in present]
    else:
        ordered = sorted(present - {MISSING})
    return ordered + sorted(present - set(ordered) - {MISSING}) + ([MISSING] if MISSING in present else [])


def user_tags(audience: pd.DataFrame, column: str = "interests", sep: str = ";") -> pd.DataFrame:
    """One row per (user_id, interest) held; users with no tag in any row get the single tag '(missing)'."""
    require_columns(audience, ("user_id", column), "audience")
    if not sep:
        raise ParameterError("sep must be a non-empty separator, e.g. ';'.")
    rows = audience[audience["user_id"].notna()].reset_index(drop=True)
    text = rows[column]
    tags = text[text.notna()].astype("str").str.split(sep).explode().str.strip()
    tags = tags[tags.notna() & (tags != "")]
    held = pd.DataFrame({"user_id": rows.loc[tags.index, "user_id"].to_numpy(), "interest": tags.to_numpy()})
    held = held.drop_duplicates(ignore_index=True)
    untagged = pd.Index(rows["user_id"].unique()).difference(pd.Index(held["user_id"].unique()))
    missing = pd.DataFrame({"user_id": untagged, "interest": MISSING})
    return pd.concat([held, missing], ignore_index=True)


def _check_params(min_users: object, top: object) -> None:
    """ParameterError for a min_users or top that is not a whole number ≥ 1 (top may be None)."""
    for name, value in (("min_users", min_users), ("top", top)):
        if name == "top" and value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ParameterError(f"{name} must be a whole number ≥ 1; got {value!r}.")


def _check_known(lookup: pd.Series, audience: pd.DataFrame) -> None:
    """DataError when segments name users that the audience table does not have."""
    unknown = lookup.index.difference(pd.Index(audience["user_id"].dropna().unique()))
    if len(unknown):
        raise DataError(f"{len(unknown)} user(s) in segments are not in the audience table (e.g. {unknown[0]!r}); "
                        "build segments from the same users, or filter them to the audience first.")


def _ztest(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test; 1.0 when every or no user holds the tag."""
    if x1 + x2 in (0, n1 + n2):
        return 1.0  # both shares are 0 or both are 1: no difference to detect (and the pooled SE is 0)
    return float(proportions_ztest([x1, x2], [n1, n2])[1])


def _note(segment_users: int, elsewhere_users: int, interest: str, min_users: int) -> str:
    """Why a row is not tested ('' when it is)."""
    if segment_users < min_users:
        return TOO_SMALL
    if interest == MISSING:
        return NOT_TESTED
    if elsewhere_users == 0:
        return NO_OTHERS
    if elsewhere_users < min_users:
        return OTHERS_TOO_SMALL
    return ""


def interest_by_segment(audience: pd.DataFrame, segments: pd.DataFrame, column: str = "interests",
                        sep: str = ";", min_users: int = 30, top: int | None = None) -> pd.DataFrame:
    """Per segment × tag: users, share in segment vs elsewhere, lift, z-test p, BH q and a distinctive flag.

    `top` keeps only the `top` most held tags among segmented users (ties by name), plus
    '(missing)'; the BH family is the tests in the returned table. Rows: segments in order, then
    tags by share in the segment (descending), '(missing)' last.
    """
    _check_params(min_users, top)
    lookup = segment_lookup(segments)
    if lookup.empty:
        raise DataError("segments has no users: nothing to compare.")
    require_columns(audience, ("user_id", column), "audience")
    _check_known(lookup, audience)
    held = user_tags(audience[audience["user_id"].isin(lookup.index)], column, sep)
    held["segment"] = held["user_id"].map(lookup)

    order = segment_order(segments)
    sizes = lookup.value_counts().reindex(order)
    total_users = int(sizes.sum())
    counts = held.groupby(["segment", "interest"]).size().unstack(fill_value=0).reindex(order, fill_value=0)
    tags = [t for t in counts.columns if t != MISSING]
    popularity = counts[tags].sum().sort_index().sort_values(ascending=False, kind="stable")
    tags = list(popularity.index[:top] if top is not None else popularity.index)
    counts = counts.reindex(columns=[*tags, MISSING], fill_value=0)

    grid = counts.stack().rename("users").reset_index()
    grid["segment_users"] = grid["segment"].map(sizes).astype("int64")
    grid["elsewhere_users"] = total_users - grid["segment_users"]
    grid["elsewhere_with_tag"] = grid["interest"].map(counts.sum()).astype("int64") - grid["users"]
    grid["share_in_segment"] = grid["users"] / grid["segment_users"]
    grid["share_elsewhere"] = (grid["elsewhere_with_tag"] / grid["elsewhere_users"].where(grid["elsewhere_users"] > 0))
    grid["lift"] = grid["share_in_segment"] / grid["share_elsewhere"].where(grid["share_elsewhere"] > 0)
    grid["note"] = [_note(s, e, i, min_users) for s, e, i in
                    zip(grid["segment_users"], grid["elsewhere_users"], grid["interest"], strict=True)]
    tested = grid["note"] == ""
    grid["p_value"] = [_ztest(x1, n1, x2, n2) if ok else math.nan for x1, n1, x2, n2, ok in
                       zip(grid["users"], grid["segment_users"], grid["elsewhere_with_tag"],
                           grid["elsewhere_users"], tested, strict=True)]
    grid["q_value"] = math.nan
    if tested.any():
        grid.loc[tested, "q_value"] = multipletests(grid.loc[tested, "p_value"], method="fdr_bh")[1]
    grid["distinctive"] = (grid["q_value"] < ALPHA) & (grid["lift"] > 1)

    grid["_segment"] = grid["segment"].map({s: i for i, s in enumerate(order)})
    grid["_missing"] = grid["interest"] == MISSING
    grid = grid.sort_values(["_segment", "_missing", "share_in_segment", "interest"],
                            ascending=[True, True, False, True], ignore_index=True)
    return grid[COLUMNS]


def distinctive_interests(table: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """Per segment a readable line of its distinctive tags by lift, e.g. '美食 (1.8×), 健身 (1.4×)'.

    Segments with no distinctive tag read 'none stands out'; segments too small to test say so.
    """
    _check_params(1, top)
    require_columns(table, ("segment", "interest", "lift", "distinctive", "note"), "interest table",
                    "Build it with interest_by_segment(audience, segments).")
    rows = []
    for segment, part in table.groupby("segment", sort=False):
        hits = part[part["distinctive"].astype(bool)].sort_values(["lift", "interest"], ascending=[False, True])
        if len(hits):
            pairs = zip(hits["interest"][:top], hits["lift"][:top], strict=True)
            text = ", ".join(f"{tag} ({lift:.1f}×)" for tag, lift in pairs)
        elif (part["note"] == TOO_SMALL).any():
            text = f"{TOO_SMALL} to test"
        else:
            text = NONE_STANDS_OUT
        rows.append({"segment": segment, "interests": text})
    return pd.DataFrame(rows, columns=["segment", "interests"])
