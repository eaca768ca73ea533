"""Demographic shares (age band, gender, region, city tier, device) with missing values kept visible."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from helpers.errors import DataError, ParameterError, require_columns

MISSING = "(missing)"
"""Label of the row counting users whose value is missing (NaN or blank): shown, never dropped."""


def _labels(values: pd.Series) -> pd.Series:
    """Values as text, with NaN and blank strings labelled MISSING."""
    text = values.astype("str").str.strip()
    return text.where(values.notna() & (text != ""), MISSING)


def _with_group(audience: pd.DataFrame, by: str | None, accounts: pd.DataFrame | None) -> pd.DataFrame:
    """The audience with a '_group' column: the `by` column of audience or of accounts (joined on account_id)."""
    if by is None:
        return audience.assign(_group="all")
    if by in audience.columns:
        return audience.assign(_group=_labels(audience[by]))
    if accounts is None or by not in accounts.columns:
        raise ParameterError(f"Cannot group by {by!r}: it is neither an audience column nor an accounts "
                             "column (pass accounts= to group by e.g. platform).")
    require_columns(accounts, ("account_id", by), "accounts")
    lookup = accounts.drop_duplicates("account_id").set_index("account_id")[by]
    unknown = sorted(set(audience["account_id"].dropna()) - set(lookup.index))
    if unknown:
        raise DataError(f"audience refers to account(s) {unknown[:5]} that are not in accounts.")
    return audience.assign(_group=_labels(audience["account_id"].astype("object").map(lookup)))


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
    Rows are sorted by group, then users (descending), with '(missing)' last.
    """
    require_columns(audience, ("user_id", "account_id", column), "audience")
    if audience.empty:
        raise DataError("The audience table has no rows; no demographic shares to compute.")
    frame = _with_group(audience, by, accounts)
    pairs = pd.DataFrame({"_group": frame["_group"], "user_id": frame["user_id"],
                          "value": _labels(frame[column])}).drop_duplicates()
    _check_conflicts(pairs, column)
    counts = pairs.groupby(["_group", "value"]).size().rename("users").reset_index()
    counts["share"] = counts["users"] / counts.groupby("_group")["users"].transform("sum")
    counts["_last"] = counts["value"] == MISSING
    counts = counts.sort_values(["_group", "_last", "users", "value"], ascending=[True, True, False, True],
                                ignore_index=True).drop(columns="_last")
    return counts.drop(columns="_group") if by is None else counts.rename(columns={"_group": by})[
        [by, "value", "users", "share"]]


def compare_platforms(audience: pd.DataFrame, accounts: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Tidy table (attribute, platform, value, users, share) of each column's shares per platform, for charts."""
    columns = list(columns)
    if not columns:
        raise ParameterError("compare_platforms needs at least one demographic column, e.g. ['gender', 'age_band'].")
    parts = [shares(audience, c, by="platform", accounts=accounts).assign(attribute=c) for c in columns]
    return pd.concat(parts, ignore_index=True)[["attribute", "platform", "value", "users", "share"]]


def interest_shares(audience: pd.DataFrame, column: str = "interests", sep: str = ";") -> pd.DataFrame:
    """Share of users holding each interest tag (a user may hold several, so shares do not add to 1)."""
    users = audience.drop_duplicates("user_id")
    total = len(users)
    tags = users[column].astype("str").str.split(sep).explode().str.strip()
    tags = tags[tags.notna() & (tags != "") & (tags != "nan")]
    per_tag = pd.DataFrame({"user_id": users.loc[tags.index, "user_id"], "interest": tags}).drop_duplicates()
    counts = per_tag.groupby("interest").size().sort_values(ascending=False, kind="stable")
    missing = int(users[column].isna().sum())
    out = pd.DataFrame({"interest": counts.index, "users": counts.to_numpy(), "share": counts.to_numpy() / total})
    return pd.concat([out, pd.DataFrame([{"interest": MISSING, "users": missing, "share": missing / total}])],
                     ignore_index=True)
