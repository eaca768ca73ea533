"""Demographic shares (age band, gender, region, city tier, device) with missing values kept visible.

Ordinal attributes keep their natural order in every table and chart: age bands by their lower
bound (18-24 before 25-30 ... before 41+), city tiers from 一线 down (一线, 新一线, 二线, 三线, 四线,
五线, 四线及以下 ...); other attributes (gender, device, region) by users, most first. '(missing)'
is always last.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.errors import DataError, ParameterError, require_columns

MISSING = "(missing)"
"""Label of the row counting users whose value is missing (NaN or blank): shown, never dropped."""


CITY_TIERS: tuple[str, ...] = ("一线", "新一线", "二线", "三线", "四线", "四线及以下", "五线", "五线及以下", "其他")
"""City tiers from the largest cities down (the order Chinese platforms report them in)."""
ORDINAL: tuple[str, ...] = ("age_band", "city_tier")
"""Attributes whose values have a natural order (sorted by it, not by users)."""
_FIRST_NUMBER = re.compile(r"\d+")


def natural_rank(attribute: str, value: object) -> tuple[int, float, str]:
    """Sort key of one value of an attribute: natural order for age bands and city tiers, '(missing)' last.

    Age bands sort by their first number ("18-24" < "25-30" < "41+", "<18" first); city tiers by
    CITY_TIERS (unknown tiers after the known ones, by name). Other attributes get a key that keeps
    their given order (rank 0) except '(missing)'.
    """
    text = str(value)
    if text == MISSING:
        return (2, 0.0, "")
    if attribute == "age_band":
        number = _FIRST_NUMBER.search(text)
        if number is None:
            return (1, 0.0, text)
        return (0, float(number.group()) - (0.5 if text.lstrip().startswith("<") else 0.0), text)
    if attribute == "city_tier":
        return (0, float(CITY_TIERS.index(text)), text) if text in CITY_TIERS else (1, 0.0, text)
    return (0, 0.0, "")


def _natural_order(table: pd.DataFrame, attribute: str, group: str | None) -> pd.DataFrame:
    """Rows of one attribute's share table sorted within each group by natural_rank (stable otherwise)."""
    keys = table["value"].map(lambda v: natural_rank(attribute, v))
    order = sorted(range(len(table)), key=lambda i: ((str(table[group].iloc[i]) if group else ""), keys.iloc[i]))
    return table.iloc[order].reset_index(drop=True)


def _labels(values: pd.Series) -> pd.Series:
    """Values as text, with NaN and blank strings labelled MISSING."""
    text = values.astype("str").str.strip()
    return text.where(values.notna() & (text != ""), MISSING)


def _coded_labels(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Each row's code into the distinct labels (as `_labels` gives them): labelling each distinct value once."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)  # missing values get a code of their own
    relabelled, names = pd.factorize(_labels(pd.Series(distinct, dtype=values.dtype)))
    return relabelled[codes], pd.Series(names)


def _group_codes(audience: pd.DataFrame, by: str | None, accounts: pd.DataFrame | None
                 ) -> tuple[np.ndarray, pd.Series]:
    """Each row's code into the `by` group labels: the audience's column or the accounts' (joined on account_id)."""
    if by is None:
        return np.zeros(len(audience), dtype="int64"), pd.Series(["all"], dtype="str")
    if by in audience.columns:
        return _coded_labels(audience[by])
    if accounts is None or by not in accounts.columns:
        raise ParameterError(f"Cannot group by {by!r}: it is neither an audience column nor an accounts "
                             "column (pass accounts= to group by e.g. platform).")
    require_columns(accounts, ("account_id", by), "accounts")
    lookup = accounts.drop_duplicates("account_id").set_index("account_id")[by]
    codes, distinct = pd.factorize(audience["account_id"], use_na_sentinel=False)
    known = pd.Series(distinct, dtype="object")
    unknown = sorted(set(known.dropna()) - set(lookup.index))
    if unknown:
        raise DataError(f"audience refers to account(s) {unknown[:5]} that are not in accounts.")
    relabelled, names = pd.factorize(_labels(known.map(lookup)))
    return relabelled[codes], pd.Series(names)


def _check_conflicts(pairs: pd.DataFrame, column: str) -> None:
    """DataError when one user has two different values of column within one group (shares would double count)."""
    counts = pairs.groupby(["_group", "user_id"])["value"].nunique()
    bad = counts[counts > 1]
    if len(bad):
        users = [u for _, u in bad.index[:5]]
        raise DataError(f"{len(bad)} user(s) have conflicting {column!r} values across rows (e.g. {users}); "
                        "fix the audience table so each user has one value.")


def shares(audience: pd.DataFrame, column: str, by: str | None = None,
           accounts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Distinct users and share per value of column (within each `by` group), missing shown as '(missing)'.

    A user following several accounts counts once per group. Shares sum to 1 within each group.
    Rows are sorted by group, then users (descending) — age bands and city tiers in their natural
    order instead (see natural_rank) — with '(missing)' last. The distinct (group, user, value)
    triples are counted as integer codes (issue 22: the string frames took 1.5 s per column on a
    million users).
    """
    require_columns(audience, ("user_id", "account_id", column), "audience")
    if audience.empty:
        raise DataError("The audience table has no rows; no demographic shares to compute.")
    group, group_names = _group_codes(audience, by, accounts)
    value, value_names = _coded_labels(audience[column])
    user, user_names = pd.factorize(audience["user_id"], use_na_sentinel=False)
    n_users, n_values = max(len(user_names), 1), max(len(value_names), 1)
    triples = pd.unique((group * n_users + user) * n_values + value)
    pair, value = np.divmod(triples, n_values)
    missing_user = pd.isna(user_names)
    named = ~missing_user[pair % n_users] if missing_user.any() else slice(None)
    if len(pd.unique(pair[named])) < len(pair[named]):  # a user with two values in a group: name them as before
        frame = pd.DataFrame({"_group": group_names.to_numpy()[group], "user_id": audience["user_id"].to_numpy(),
                              "value": value_names.to_numpy()[_coded_labels(audience[column])[0]]})
        _check_conflicts(frame.drop_duplicates(), column)
    cell = pair // n_users * n_values + value
    users = np.bincount(cell, minlength=len(group_names) * n_values)
    seen = np.flatnonzero(users)
    counts = pd.DataFrame({"_group": group_names.take(seen // n_values).reset_index(drop=True),
                           "value": value_names.take(seen % n_values).reset_index(drop=True),
                           "users": users[seen].astype("int64")})
    counts["share"] = counts["users"] / counts.groupby("_group")["users"].transform("sum")
    counts["_last"] = counts["value"] == MISSING
    counts = counts.sort_values(["_group", "_last", "users", "value"], ascending=[True, True, False, True],
                                ignore_index=True).drop(columns="_last")
    if column in ORDINAL:
        counts = _natural_order(counts, column, "_group")
    return counts.drop(columns="_group") if by is None else counts.rename(columns={"_group": by})[
        [by, "value", "users", "share"]]


def compare_platforms(audience: pd.DataFrame, accounts: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Tidy table (attribute, platform, value, users, share) of each column's shares per platform, for charts."""
    columns = list(columns)
    if not columns:
        raise ParameterError("compare_platforms needs at least one demographic column, e.g. ['gender', 'age_band'].")
    parts = [shares(audience, c, by="platform", accounts=accounts).assign(attribute=c) for c in columns]
    return pd.concat(parts, ignore_index=True)[["attribute", "platform", "value", "users", "share"]]


def overall_shares(audience: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Tidy table (attribute, value, users, share) of each column's shares over all users (a user counts once)."""
    columns = [c for c in columns if c in audience.columns]
    if not columns:
        raise ParameterError("overall_shares needs at least one demographic column the audience has.")
    parts = [shares(audience, c).assign(attribute=c) for c in columns]
    return pd.concat(parts, ignore_index=True)[["attribute", "value", "users", "share"]]


def _user_tags(user_id: pd.Series, text: pd.Series, sep: str) -> tuple[np.ndarray, pd.Index]:
    """The distinct (user, tag) pairs as codes user × tags + tag, and the tag names (stripped, blanks dropped).

    Each distinct text is split once (an audience repeats a few interest strings over a million
    rows), then the pairs are integers: no per-row lists or strings.
    """
    users = pd.factorize(user_id)[0]
    texts, distinct = pd.factorize(text)  # missing text → -1
    split = pd.Series(pd.Index(distinct).astype("str"), dtype="object").str.split(sep).explode().str.strip()
    split = split[split.notna() & (split != "")]
    tag, names = pd.factorize(split)
    which = split.index.to_numpy(dtype="int64")  # the distinct text each tag comes from (in order)
    per_text = np.bincount(which, minlength=len(distinct))
    first = np.concatenate([[0], np.cumsum(per_text)[:-1]]) if len(distinct) else np.zeros(0, dtype="int64")
    keep = texts >= 0
    n = per_text[texts[keep]]
    offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    held = tag[np.repeat(first[texts[keep]], n) + offset]
    pairs = np.repeat(users[keep].astype("int64"), n) * max(len(names), 1) + held
    return pd.unique(pairs), pd.Index(names)  # (np.unique hashes int64 slowly in numpy 2.3: 12 s for 2 M)


def interest_shares(audience: pd.DataFrame, column: str = "interests", sep: str = ";") -> pd.DataFrame:
    """Share of users holding each interest tag (a user may hold several, so shares do not add to 1).

    The base is every distinct user of `audience` (pass the same users as the demographics, e.g.
    bots removed); a user holds every tag of any of their rows; users without any tag are the
    '(missing)' row, last. The table's attrs["base_users"] is that base.
    """
    require_columns(audience, ("user_id", column), "audience")
    rows = audience[["user_id", column]]  # the two columns only (issue 22: the row filter copied every column)
    known = rows["user_id"].notna()
    if not known.all():
        rows = rows[known]
    total = int(rows["user_id"].nunique())
    if total == 0:
        raise DataError("The audience table has no users; no interest shares to compute.")
    held, names = _user_tags(rows["user_id"], rows[column], sep)
    per_tag = pd.Series(np.bincount(held % max(len(names), 1), minlength=len(names)), index=names, dtype="int64")
    counts = per_tag.sort_index().sort_values(ascending=False, kind="stable")
    missing = total - len(pd.unique(held // max(len(names), 1)))
    out = pd.DataFrame({"interest": counts.index, "users": counts.to_numpy(), "share": counts.to_numpy() / total})
    out = pd.concat([out, pd.DataFrame([{"interest": MISSING, "users": missing, "share": missing / total}])],
                    ignore_index=True)
    out["users"] = out["users"].astype("int64")
    out.attrs["base_users"] = total
    return out
