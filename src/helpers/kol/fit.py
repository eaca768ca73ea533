"""Audience fit with the brand (受众匹配度): do a KOL's followers look like the brand's own followers?

Method
- The brand's profile (:func:`brand_distribution`) is taken from the ``audience`` table: the
  followers of the brand's own accounts (or of the accounts given) who have not unfollowed, each
  user counted once per platform. Per dimension (gender, age band, region, city tier) the shares are
  of the users whose value is known: missing values are excluded from the shares and counted
  (``n_missing``), never turned into a bucket of their own, because a KOL platform's shares never
  include "unknown" either. Interests are tags (a user has several): every tag of every user is
  counted and the shares are tag shares (they sum to 1), so they compare with the platforms'
  interest shares normalised the same way.
- The KOL's profile (:func:`kol_distribution`) comes from ``kol_audience`` (the shares 星图, 蒲公英,
  蝉妈妈 or 千瓜 show). Platforms round, so a dimension's shares may sum to a little more or less
  than 1: sums within :data:`SUM_TOLERANCE` (0.9–1.1) are rescaled to 1; beyond that the export is
  incomplete or wrong and a DataError says which KOL and dimension. Interest shares are always
  rescaled (they are often "share of users with the tag", which sums above 1, or a top-N list).
  Where a KOL has no shares for a dimension but a sample of its followers (``kol_followers``) has
  that profile column, the shares come from the sample (``source`` says which).
- Similarity per dimension (:func:`distribution_similarity`) is 1 − total variation distance,
  TVD = ½ Σ |p − q|, over the union of buckets (a bucket one side lacks has share 0 there). For
  two distributions that each sum to 1, 1 − TVD equals the overlap coefficient Σ min(p, q): the
  share of the KOL's audience that the brand's profile "covers". 1 = identical, 0 = disjoint.
- User overlap (:func:`user_overlap`) counts the sampled followers who already follow one of the
  brand's own accounts on the KOL's platform (``follower_id`` = ``audience.user_id``), with a
  Clopper–Pearson (exact binomial) interval. A high overlap means the KOL reaches people the brand
  already reaches: little new reach (``new_reach_share`` = 1 − share).
- The fit score (:func:`fit_score`) is the weighted mean of the dimension similarities a KOL has,
  the weights (:data:`DEFAULT_WEIGHTS`) renormalised over the dimensions present; the parts and
  the missing dimensions are returned with it. A KOL with no audience data has no fit (NaN), not 0.

Pitfalls
- Buckets must use the same labels on both sides ("18-24" vs "18-23", "女" vs "female"): a label
  only one side uses counts as no overlap. Map the platform's labels to the audience table's first.
- Shares from a small follower sample are noisy; the ``n`` column says how many followers they rest on.
- Similarity is about shape, not size: a KOL whose followers are 100 % 女 18-24 scores low against a
  brand with a broad audience even if every one of them is a target customer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from helpers.data import SHARE_SUM_RANGE, SHARE_TAG_DIMENSIONS, share_sum_off
from helpers.errors import DataError, ParameterError, require_columns

__all__ = [
    "DEFAULT_WEIGHTS",
    "DIMENSIONS",
    "SUM_TOLERANCE",
    "brand_distribution",
    "distribution_similarity",
    "fit_score",
    "kol_distribution",
    "user_overlap",
]

DIMENSIONS: tuple[str, ...] = ("gender", "age_band", "region", "city_tier", "interests")
"""Audience dimensions compared, in the order tables list them."""
DEFAULT_WEIGHTS: dict[str, float] = {"gender": 0.3, "age_band": 0.2, "interests": 0.4, "city_tier": 0.05,
                                     "region": 0.05}
"""Weights of the dimension similarities in the fit score (renormalised over the dimensions a KOL has)."""
SUM_TOLERANCE: tuple[float, float] = SHARE_SUM_RANGE
"""A dimension's platform shares summing inside this range are rescaled to 1; outside it is a DataError."""
TAG_DIMENSIONS: tuple[str, ...] = SHARE_TAG_DIMENSIONS
"""Dimensions whose values are ';'-separated tags (several per user)."""
_TAG_SEPARATORS = r"[;；,，]"
_EPS = 1e-9


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _text(values: pd.Series) -> pd.Series:
    """Values as stripped text; NaN and blanks become NaN (missing, not a bucket)."""
    text = values.astype("string").str.strip()
    return text.where(text.notna() & (text != "")).astype(object)


def _id_text(values: pd.Series) -> pd.Series:
    """Ids as text so that 101, 101.0 and '101' match; NaN stays NaN."""
    if pd.api.types.is_float_dtype(values):
        whole = values.dropna()
        if (whole == whole.round()).all():
            values = values.astype("Int64")
    return _text(values)


def _rows(index: Iterable[object], limit: int = 5) -> str:
    """Row labels for an error message: the first few, then '...'."""
    items = list(index)
    return ", ".join(map(str, items[:limit])) + (", ..." if len(items) > limit else "")


def _tags(values: pd.Series) -> pd.Series:
    """One row per (user row, distinct tag), index kept; blanks dropped."""
    tags = _text(values).dropna().str.split(_TAG_SEPARATORS, regex=True).explode().str.strip()
    tags = tags[tags.notna() & (tags != "")]
    frame = tags.rename("bucket").reset_index()
    return frame.drop_duplicates().set_index(frame.columns[0])["bucket"]


def _own_followers(audience: pd.DataFrame, accounts: pd.DataFrame, account_ids: Sequence[str] | None) -> pd.DataFrame:
    """Audience rows of the chosen accounts (default: own) still following, with the account's platform."""
    require_columns(accounts, ("account_id", "platform", "owner"), "accounts")
    require_columns(audience, ("user_id", "account_id"), "audience", "audience needs user_id and account_id.")
    known = accounts["account_id"].astype(str)
    if account_ids is None:
        chosen = set(known[accounts["owner"].astype(str).str.strip() == "own"])
    else:
        unknown = [a for a in account_ids if str(a) not in set(known)]
        if unknown:
            raise ParameterError(f"account_ids {unknown} are not in accounts; use ids from accounts.account_id.")
        chosen = {str(a) for a in account_ids}
    rows = audience[audience["account_id"].astype(str).isin(chosen)]
    if "unfollowed_at" in rows.columns:
        rows = rows[_text(rows["unfollowed_at"]).isna()]
    platform = accounts.assign(account_id=known).set_index("account_id")["platform"]
    return rows.assign(platform=rows["account_id"].astype(str).map(platform).astype(str),
                       user_key=_id_text(rows["user_id"]))


# ---------------------------------------------------------------------------------------------
# Distributions
# ---------------------------------------------------------------------------------------------


def _single_shares(values: pd.Series, n_users: int) -> pd.DataFrame:
    """Shares of the known values of a one-value-per-user column (values indexed by user)."""
    known = values.dropna()
    counts = known.value_counts()
    return pd.DataFrame({"bucket": counts.index.astype(str), "share": counts.to_numpy() / max(len(known), 1),
                         "users": counts.to_numpy(), "n_known": len(known), "n_missing": n_users - len(known)})


def _tag_shares(tags: pd.Series, n_users: int) -> pd.DataFrame:
    """Tag shares (each user's distinct tags counted, normalised to 1) of a tags column."""
    counts = tags.value_counts()
    n_known = tags.index.nunique()
    return pd.DataFrame({"bucket": counts.index.astype(str), "share": counts.to_numpy() / max(int(counts.sum()), 1),
                         "users": counts.to_numpy(), "n_known": n_known, "n_missing": n_users - n_known})


def brand_distribution(
    audience: pd.DataFrame,
    accounts: pd.DataFrame,
    *,
    account_ids: Sequence[str] | None = None,
    dimensions: Sequence[str] = DIMENSIONS,
) -> pd.DataFrame:
    """The brand's followers per dimension: (dimension, bucket, share, users, n_known, n_missing), known values only.

    Followers are audience rows of own accounts (or ``account_ids``) without ``unfollowed_at``, one
    per platform and user. ``users`` counts users (tags for interests); ``n_missing`` counts users
    whose value is missing, excluded from the shares. ``attrs['absent']`` lists dimensions the
    audience table has no column for; ``attrs['n_users']`` the followers counted.
    """
    _check_dimensions(dimensions)
    rows = _own_followers(audience, accounts, account_ids)
    if rows.empty:
        raise DataError("audience has no current follower of the brand's own accounts"
                        f"{'' if account_ids is None else ' ' + str(list(account_ids))}; "
                        "the fit needs the brand's own followers (accounts.owner == 'own').")
    users = rows.assign(user=rows["platform"] + "\x1f" + rows["user_key"].astype(str))
    n_users = int(users["user"].nunique())
    parts, absent = [], []
    for dim in dimensions:
        if dim not in users.columns:
            absent.append(dim)
            continue
        if dim in TAG_DIMENSIONS:
            tags = _tags(users.set_index("user")[dim])
            table = _tag_shares(tags, n_users)
        else:
            per_user = _text(users[dim]).groupby(users["user"], sort=False).first()
            table = _single_shares(per_user, n_users)
        parts.append(table.assign(dimension=dim))
    columns = ["dimension", "bucket", "share", "users", "n_known", "n_missing"]
    out = pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
    out.attrs.update(absent=absent, n_users=n_users)
    return out


def _check_dimensions(dimensions: Iterable[str]) -> None:
    """ParameterError for a dimension the fit does not know."""
    unknown = [d for d in dimensions if d not in DIMENSIONS]
    if unknown:
        raise ParameterError(f"unknown audience dimension(s) {unknown}; use some of: {', '.join(DIMENSIONS)}.")


def _platform_shares(kol_audience: pd.DataFrame) -> pd.DataFrame:
    """Checked and renormalised platform shares (kol_id, dimension, bucket, share)."""
    require_columns(kol_audience, ("kol_id", "dimension", "bucket", "share"), "kol_audience",
                    "kol_audience needs kol_id, dimension, bucket, share (one row per bucket).")
    frame = pd.DataFrame({
        "kol_id": _id_text(kol_audience["kol_id"]),
        "dimension": _text(kol_audience["dimension"]).str.lower(),
        "bucket": _text(kol_audience["bucket"]),
        "share": pd.to_numeric(kol_audience["share"], errors="coerce"),
    }, index=kol_audience.index)
    odd = frame.index[~frame["dimension"].isin(DIMENSIONS)]
    if len(odd):
        names = sorted(set(frame.loc[odd, "dimension"].astype(str)))
        raise DataError(f"kol_audience.dimension has unknown value(s) {names} (rows {_rows(odd)}); "
                        f"use one of: {', '.join(DIMENSIONS)}.")
    bad = frame.index[(frame["share"] < 0) | (frame["share"] > 1 + _EPS)]
    if len(bad):
        raise DataError(f"kol_audience.share must be a rate from 0 to 1 (rows {_rows(bad)}); "
                        "write 35% as 0.35.")
    frame = frame.dropna(subset=["kol_id", "bucket", "share"])  # a bucket the platform shows as '-' is unknown
    dup = frame.index[frame.duplicated(["kol_id", "dimension", "bucket"], keep=False)]
    if len(dup):
        raise DataError(f"kol_audience has the same kol_id, dimension and bucket twice (rows {_rows(dup)}); "
                        "keep one row per bucket.")
    total = frame.groupby(["kol_id", "dimension"])["share"].transform("sum")
    lo, hi = SUM_TOLERANCE
    off = share_sum_off(total, frame["dimension"])  # the check `opsbook validate` runs too
    if off.any():
        pairs = frame.loc[off, ["kol_id", "dimension"]].drop_duplicates()
        sums = total[off].groupby([frame.loc[off, "kol_id"], frame.loc[off, "dimension"]]).first()
        listed = "; ".join(f"{k} {d} sums to {sums[(k, d)]:.3f}" for k, d in pairs.head(5).itertuples(index=False))
        raise DataError(f"kol_audience.share of a dimension must sum to about 1 ({lo}–{hi}): {listed}; "
                        "re-export the KOL's audience shares (a bucket may be missing).")
    return frame.assign(share=frame["share"] / total, source="platform shares", n=np.nan)


def _sample_shares(kol_followers: pd.DataFrame, have: pd.MultiIndex) -> pd.DataFrame:
    """Shares from a follower sample for the (kol, dimension) pairs not in ``have``."""
    require_columns(kol_followers, ("kol_id", "follower_id"), "kol_followers")
    sample = kol_followers.assign(kol_id=_id_text(kol_followers["kol_id"]),
                                  follower_id=_id_text(kol_followers["follower_id"]))
    sample = sample.drop_duplicates(["kol_id", "follower_id"])
    parts = []
    for dim in DIMENSIONS:
        if dim not in sample.columns:
            continue
        if dim in TAG_DIMENSIONS:
            tags = _tags(sample[dim])
            long = pd.DataFrame({"kol_id": sample.loc[tags.index, "kol_id"].to_numpy(), "bucket": tags.to_numpy(),
                                 "row": tags.index})
            n = long.groupby("kol_id")["row"].nunique()
        else:
            long = pd.DataFrame({"kol_id": sample["kol_id"], "bucket": _text(sample[dim])}).dropna()
            n = long.groupby("kol_id").size()
        counts = long.groupby(["kol_id", "bucket"]).size().rename("count").reset_index()
        counts = counts.assign(dimension=dim)
        keep = ~pd.MultiIndex.from_frame(counts[["kol_id", "dimension"]]).isin(have)
        counts = counts[keep]
        total = counts.groupby("kol_id")["count"].transform("sum")
        parts.append(counts.assign(share=counts["count"] / total, n=counts["kol_id"].map(n).astype(float),
                                   source="follower sample").drop(columns="count"))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def kol_distribution(kol_audience: pd.DataFrame, kol_followers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each KOL's audience shares (kol_id, dimension, bucket, share, source, n), each dimension summing to 1.

    ``source`` is "platform shares" (kol_audience, renormalised) or "follower sample" (shares of
    the sampled followers with a known value, used only where the platform gives none for that
    dimension); ``n`` is the number of sampled followers behind sample shares (NaN for platform shares).
    """
    platform = _platform_shares(kol_audience)
    parts = [platform]
    if kol_followers is not None and len(kol_followers):
        have = pd.MultiIndex.from_frame(platform[["kol_id", "dimension"]].drop_duplicates())
        parts.append(_sample_shares(kol_followers, have))
    columns = ["kol_id", "dimension", "bucket", "share", "source", "n"]
    out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else None
    if out is None:
        return pd.DataFrame(columns=columns)
    order = out["dimension"].map({d: i for i, d in enumerate(DIMENSIONS)})
    out = out.assign(_order=order).sort_values(["kol_id", "_order", "share"], ascending=[True, True, False],
                                               kind="stable")
    return out[columns].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Similarity and overlap
# ---------------------------------------------------------------------------------------------


def _top_bucket(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """The bucket with the largest share per group (first listed on ties)."""
    idx = frame.groupby(keys, sort=False)["share"].idxmax()
    return pd.Series(frame.loc[idx.to_numpy(), "bucket"].to_numpy(), index=idx.index)


def distribution_similarity(kol_dist: pd.DataFrame, brand_dist: pd.DataFrame) -> pd.DataFrame:
    """Per KOL and dimension both sides have: similarity = Σ min(p, q) = 1 − TVD, tvd, top buckets, n_buckets.

    For two distributions summing to 1 the overlap coefficient Σ min(p, q) and 1 − ½ Σ |p − q|
    are the same number; buckets one side lacks count as share 0 there. Columns: kol_id,
    dimension, similarity, tvd, top_bucket_kol, top_bucket_brand, n_buckets.
    """
    require_columns(kol_dist, ("kol_id", "dimension", "bucket", "share"), "kol distribution",
                    "Pass the output of kol_distribution.")
    require_columns(brand_dist, ("dimension", "bucket", "share"), "brand distribution",
                    "Pass the output of brand_distribution.")
    kol = kol_dist[["kol_id", "dimension", "bucket", "share"]].assign(bucket=lambda f: f["bucket"].astype(str))
    brand = brand_dist[["dimension", "bucket", "share"]].assign(bucket=lambda f: f["bucket"].astype(str))
    kol = kol[kol["dimension"].isin(set(brand["dimension"]))]
    keys = ["kol_id", "dimension"]
    both = kol.merge(brand, on=["dimension", "bucket"], suffixes=("_k", "_b"))
    both = both.assign(low=np.minimum(both["share_k"], both["share_b"]), diff=(both["share_k"] - both["share_b"]).abs())
    inter = both.groupby(keys).agg(sim=("low", "sum"), diff=("diff", "sum"), pk=("share_k", "sum"),
                                   pb=("share_b", "sum"), n_inter=("bucket", "size"))
    side = kol.groupby(keys).agg(sum_k=("share", "sum"), n_k=("bucket", "size"))
    side = side.join(inter, how="left").fillna({"sim": 0.0, "diff": 0.0, "pk": 0.0, "pb": 0.0, "n_inter": 0})
    brand_tot = brand.groupby("dimension").agg(sum_b=("share", "sum"), n_b=("bucket", "size"))
    side = side.join(brand_tot, on="dimension")
    tvd = 0.5 * (side["diff"] + (side["sum_k"] - side["pk"]) + (side["sum_b"] - side["pb"]))
    out = pd.DataFrame({
        "similarity": side["sim"],
        "tvd": tvd,
        "top_bucket_kol": _top_bucket(kol.reset_index(drop=True), keys).reindex(side.index),
        "top_bucket_brand": side.index.get_level_values("dimension").map(_top_bucket(brand.reset_index(drop=True),
                                                                                     ["dimension"])),
        "n_buckets": (side["n_k"] + side["n_b"] - side["n_inter"]).astype("int64"),
    }, index=side.index)
    return out.reset_index()


def _check_confidence(confidence: float) -> None:
    """ParameterError unless 0 < confidence < 1."""
    if not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise ParameterError(f"confidence={confidence!r} must be between 0 and 1, e.g. 0.95.")


def user_overlap(
    kol_followers: pd.DataFrame,
    audience: pd.DataFrame,
    accounts: pd.DataFrame,
    kols: pd.DataFrame,
    *,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Per KOL: sampled followers who already follow the brand on the KOL's platform, with a Clopper–Pearson interval.

    Columns: kol_id, platform, n_sampled, n_brand, share, low, high, new_reach_share (= 1 − share),
    brand_on_platform. Where the brand has no own account on the KOL's platform the overlap is
    unknown (share NaN), not 0.
    """
    _check_confidence(confidence)
    require_columns(kol_followers, ("kol_id", "follower_id"), "kol_followers")
    require_columns(kols, ("kol_id", "platform"), "kols")
    platform_of = pd.Series(kols["platform"].astype(str).to_numpy(), index=_id_text(kols["kol_id"]).to_numpy())
    sample = pd.DataFrame({"kol_id": _id_text(kol_followers["kol_id"]),
                           "follower_id": _id_text(kol_followers["follower_id"])}, index=kol_followers.index)
    stray = sample.index[~sample["kol_id"].isin(platform_of.index)]
    if len(stray):
        raise DataError(f"kol_followers.kol_id not in kols (rows {_rows(stray)}); "
                        "add the KOL to kols or drop the rows.")
    sample = sample.dropna().drop_duplicates()
    sample["platform"] = sample["kol_id"].map(platform_of)
    fans = _own_followers(audience, accounts, None)
    brand_keys = set(fans["platform"] + "\x1f" + fans["user_key"].astype(str))
    sample["is_brand"] = (sample["platform"] + "\x1f" + sample["follower_id"]).isin(brand_keys)
    out = sample.groupby("kol_id", sort=True).agg(platform=("platform", "first"), n_sampled=("follower_id", "size"),
                                                  n_brand=("is_brand", "sum")).reset_index()
    on_platform = out["platform"].isin(set(fans["platform"]))
    n, x = out["n_sampled"].to_numpy(), out["n_brand"].to_numpy()
    low, high = proportion_confint(x, n, alpha=1 - confidence, method="beta")
    share = np.where(on_platform, x / n, np.nan)
    out["share"] = share
    out["low"] = np.where(on_platform, low, np.nan)
    out["high"] = np.where(on_platform, high, np.nan)
    out["new_reach_share"] = 1 - share
    out["brand_on_platform"] = on_platform.to_numpy()
    return out


# ---------------------------------------------------------------------------------------------
# Fit score
# ---------------------------------------------------------------------------------------------


def _checked_weights(weights: Mapping[str, float] | None) -> pd.Series:
    """Weights per dimension (0 for dimensions not given); ParameterError for unknown, negative or all-zero weights."""
    given = dict(DEFAULT_WEIGHTS if weights is None else weights)
    _check_dimensions(given)
    w = pd.Series({d: float(given.get(d, 0.0)) for d in DIMENSIONS})
    if not np.isfinite(w).all() or (w < 0).any():
        raise ParameterError(f"fit weights must be finite and not negative; got {given}.")
    if w.sum() <= 0:
        raise ParameterError(f"fit weights are all 0 ({given}); give at least one dimension a weight.")
    return w


def fit_score(
    similarity: pd.DataFrame,
    *,
    weights: Mapping[str, float] | None = None,
    kol_ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per KOL: fit = weighted mean of its dimension similarities (weights renormalised over those present), and parts.

    Columns: kol_id, fit, one column per dimension, n_dimensions (weighted dimensions with data),
    missing_dimensions (weighted dimensions without data, comma-separated). KOLs in ``kol_ids``
    without any similarity get fit NaN (no audience data is not a fit of 0).
    """
    w = _checked_weights(weights)
    require_columns(similarity, ("kol_id", "dimension", "similarity"), "similarity",
                    "Pass the output of distribution_similarity.")
    table = similarity.pivot_table(index="kol_id", columns="dimension", values="similarity", aggfunc="first")
    table = table.reindex(columns=list(DIMENSIONS))
    if kol_ids is not None:
        extra = [k for k in table.index if k not in set(kol_ids)]
        table = table.reindex(list(kol_ids) + extra)
    used = w[w > 0].index
    present = table[used].notna()
    weight = present * w[used]
    total = weight.sum(axis=1)
    fit = (table[used].fillna(0.0) * weight).sum(axis=1) / total.where(total > 0)
    names = np.array(used)
    missing = [",".join(names[~row]) for row in present.to_numpy()]
    out = table.copy()
    out.insert(0, "fit", fit)
    out["n_dimensions"] = present.sum(axis=1).astype("int64")
    out["missing_dimensions"] = missing
    out.columns.name = None
    out.attrs["weights"] = w.to_dict()
    return out.rename_axis("kol_id").reset_index()
