"""Competitor content: format/pillar mix, topic lift, posting times, hit posts and what hits have in common.

Every function takes posts that already carry `engagements`, `engagement_rate`, `er_base_value`
and `er_base` (from ``helpers.content.with_engagement_rate``). Competitors publish public metrics
only, so followers at posting is the one base own and competitor posts share: use
``with_engagement_rate(posts, account_daily, base="followers")``. Tables name the base they use
and say whether an ER is a mean of per-post rates or a rate of sums.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

from helpers.competitors.labels import weekday_name
from helpers.content import performance_by, post_engagements
from helpers.data import DataWarning
from helpers.errors import DataError, ParameterError, require_columns
from helpers.i18n import _
from helpers.timezones import as_timestamps

MISSING = "(missing)"
RATE_COLUMNS: tuple[str, ...] = ("engagements", "engagement_rate", "er_base_value", "er_base")
RATE_HINT = ("Add engagements and engagement_rate with helpers.content.with_engagement_rate(posts, "
             "account_daily, base='followers') (followers is the base own and competitor posts share).")
MIX_BY: tuple[str, ...] = ("format", "pillar")
TAG_COLUMNS: tuple[str, ...] = ("topics", "pillar", "format")
WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
BAND_HOURS = 4
SLOTS: tuple[str, ...] = ("weekday_hour", "hour", "hour_band")
TOO_FEW = "too few posts"


# ---------------------------------------------------------------------------------------------
# shared checks and labels
# ---------------------------------------------------------------------------------------------

def require_posts(posts: pd.DataFrame, columns: Iterable[str], hint: str = "") -> None:
    """DataError naming the missing columns of posts, or saying there are no posts in the period."""
    require_columns(posts, tuple(columns), "posts", hint)
    if len(posts) == 0:
        raise DataError("There are no posts in the period: widen the period or check the posts table "
                        "and the account filter.")


def rated_posts(posts: pd.DataFrame, columns: Iterable[str] = ()) -> pd.DataFrame:
    """Posts (fresh 0..n-1 index) with engagement-rate columns checked and one ER base across all rows."""
    require_columns(posts, tuple(columns), "posts")
    require_posts(posts, RATE_COLUMNS, RATE_HINT)
    bases = sorted(posts["er_base"].dropna().astype("str").unique())
    if len(bases) != 1:
        raise DataError(f"posts.er_base must hold one engagement-rate base for all posts, found {bases or 'none'}; "
                        "rates on different bases cannot be compared. " + RATE_HINT)
    return posts.reset_index(drop=True)


def er_base_of(posts: pd.DataFrame) -> str:
    """The one engagement-rate base of rated posts (e.g. 'followers')."""
    return str(posts["er_base"].dropna().iloc[0])


def check_choice(value: str, choices: Sequence[str], name: str, function: str) -> None:
    """ParameterError when value is not one of choices."""
    if value not in choices:
        raise ParameterError(f"{function}: {name} must be one of {', '.join(map(repr, choices))}; got {value!r}.")


def check_confidence(confidence: float) -> None:
    """ParameterError unless 0 < confidence < 1."""
    if not 0 < float(confidence) < 1:
        raise ParameterError(f"confidence must be between 0 and 1 (e.g. 0.95); got {confidence!r}.")


def labels(values: pd.Series) -> pd.Series:
    """Values as text, missing or blank ones labelled '(missing)' so no post is dropped from a group."""
    text = values.astype("str").str.strip()
    return text.where(values.notna() & (text != ""), MISSING)


def tag_table(posts: pd.DataFrame, column: str) -> pd.DataFrame:
    """Long table (post index → tag): ';'-split, stripped, de-duplicated tags for topics; the label otherwise.

    A post with empty or missing topics has no tag (it is a "without" post for every tag); a missing
    pillar or format becomes its own '(missing)' category.
    """
    if column != "topics":
        return pd.DataFrame({"post": posts.index, "tag": labels(posts[column]).to_numpy()})
    split = posts[column].where(posts[column].notna(), "").astype("str").str.split(";")
    long = split.explode().str.strip().rename("tag").rename_axis("post").reset_index()
    long = long[long["tag"].notna() & (long["tag"] != "")]
    return long.drop_duplicates().reset_index(drop=True)


def hour_band(hours: pd.Series, width: int = BAND_HOURS) -> pd.Series:
    """4-hour band label of an hour, e.g. 21 → '20–24', 3 → '00–04'."""
    low = (hours // width) * width
    return pd.Series([f"{int(lo):02d}–{int(lo) + width:02d}" for lo in low], index=hours.index, dtype="object")


def _datetimes(posts: pd.DataFrame) -> pd.Series:
    """posts.published_at as datetime64 (DataError when it holds non-timestamps)."""
    return as_timestamps(posts["published_at"], "posts.published_at")


# ---------------------------------------------------------------------------------------------
# 1. content mix
# ---------------------------------------------------------------------------------------------

def content_mix(posts: pd.DataFrame, by: str = "format", confidence: float = 0.95) -> pd.DataFrame:
    """Per account × format (or pillar): posts, share of the account's posts, engagements, ER two ways.

    er_mean_of_rates (each post counts once, with a Student-t CI) and er_rate_of_sums (Σ engagements ÷
    Σ base, dominated by big posts) come from ``helpers.content.performance_by``; er_base names the base.
    Shares within an account sum to 1; a missing format/pillar is its own '(missing)' row.
    """
    check_choice(by, MIX_BY, "by", "content_mix")
    check_confidence(confidence)
    rated = rated_posts(posts, ("account_id", by))
    rated[by] = labels(rated[by])
    table = performance_by(rated, ["account_id", by], confidence)
    per_account = rated.groupby("account_id").size()
    table["share_of_account_posts"] = table["posts"] / table["account_id"].map(per_account)
    table["er_base"] = er_base_of(rated)
    columns = ["account_id", by, "posts", "share_of_account_posts", "engagements_mean", "engagements_median",
               "posts_with_rate", "er_mean_of_rates", "er_ci_low", "er_ci_high", "er_rate_of_sums", "er_base"]
    return table[columns].sort_values(["account_id", "posts", by], ascending=[True, False, True],
                                      ignore_index=True)


# ---------------------------------------------------------------------------------------------
# 2. topic lift
# ---------------------------------------------------------------------------------------------

def _welch_log(with_log: np.ndarray, without_log: np.ndarray, confidence: float) -> tuple[float, float, float, float]:
    """Difference of mean log ER (with − without), its Welch CI and p-value (scipy.stats.ttest_ind)."""
    result = stats.ttest_ind(with_log, without_log, equal_var=False)
    ci = result.confidence_interval(confidence)
    diff = float(with_log.mean() - without_log.mean())
    return diff, float(ci.low), float(ci.high), float(result.pvalue)


def _account_fe_log(log_er: np.ndarray, has: np.ndarray, account: np.ndarray, confidence: float
                    ) -> tuple[float, float, float, float, int]:
    """has_topic coefficient of OLS log ER ~ has_topic + account dummies (HC3 SE, t with residual df).

    Only accounts with posts on both sides enter: in the others the account dummy fits the topic
    indicator exactly, so they add nothing to the coefficient (and a single-post account would have
    leverage 1, which HC3 cannot divide by).
    """
    frame = pd.DataFrame({"y": log_er, "has": has, "account": account})
    both = frame.groupby("account")["has"].transform(lambda h: h.any() and not h.all())
    frame = frame[both]
    accounts = int(frame["account"].nunique())
    if accounts == 0:
        return (np.nan, np.nan, np.nan, np.nan, 0)
    dummies = pd.get_dummies(frame["account"]).to_numpy(dtype=float)
    design = np.column_stack([frame["has"].to_numpy(dtype=float), dummies])
    if len(frame) <= design.shape[1]:
        return (np.nan, np.nan, np.nan, np.nan, accounts)
    with np.errstate(divide="ignore", invalid="ignore"):
        fit = sm.OLS(frame["y"].to_numpy(), design).fit(cov_type="HC3", use_t=True)
        low, high = fit.conf_int(alpha=1 - confidence)[0]
    return float(fit.params[0]), float(low), float(high), float(fit.pvalues[0]), accounts


def topic_lift(posts: pd.DataFrame, column: str = "topics", min_posts: int = 10, adjust_for_account: bool = True,
               confidence: float = 0.95) -> pd.DataFrame:
    """For each topic tag (or pillar/format value): ER of posts with vs without it, and a lift with a CI.

    lift is a ratio of geometric means, estimated on log engagement rate: per-post ER is strongly
    right-skewed (a few viral posts), so a difference of arithmetic means is driven by outliers and
    its t-interval is unreliable; on the log scale the spread is roughly symmetric and a difference
    of means back-transforms to a multiplicative lift.

    With adjust_for_account (default) the lift is exp(b) from OLS log ER = b·has_topic + account
    fixed effects, with HC3 robust standard errors (statsmodels): posts of the same account are
    compared with each other, so a big or high-ER account that happens to use a tag a lot cannot
    make the tag look good (nor a low-ER account make it look bad). Accounts with posts on only
    one side carry no within-account information and are left out of the fit (n_accounts counts
    those used). Without adjustment it is a Welch t on log ER (scipy.stats.ttest_ind, equal_var=False).

    er_with / er_without are plain means of per-post rates (descriptive). Posts whose ER is missing
    or ≤ 0 (log undefined) are excluded and counted: n_excluded (all such posts) and n_excluded_with
    (those carrying the tag). Tags with fewer than min_posts usable posts on either side are kept with
    lift NaN and note "too few posts". reliable = the CI excludes 1. Tags come from ';'-separated
    topics (the key column is then "topic"); for column="pillar" or "format" the value is the tag.
    """
    check_choice(column, TAG_COLUMNS, "column", "topic_lift")
    check_confidence(confidence)
    if int(min_posts) < 2:
        raise ParameterError(f"topic_lift needs min_posts ≥ 2 (a variance needs two posts per side); got {min_posts}.")
    rated = rated_posts(posts, ("account_id", column))
    rate = rated["engagement_rate"].astype("float64")
    usable = (rate > 0).to_numpy()
    log_er = np.log(rate.where(rate > 0)).to_numpy()
    account = rated["account_id"].astype("str").to_numpy()
    tags = tag_table(rated, column)
    key = "topic" if column == "topics" else column
    method = ("OLS log ER ~ tag + account fixed effects (HC3)" if adjust_for_account
              else "Welch t on log ER")
    rows = []
    for tag, members in tags.groupby("tag", sort=True)["post"]:
        has = np.zeros(len(rated), dtype=bool)
        has[members.to_numpy()] = True
        n_with, n_without = int((has & usable).sum()), int((~has & usable).sum())
        row = {key: tag, "n_with": n_with, "n_without": n_without, "n_excluded": int((~usable).sum()),
               "n_excluded_with": int((has & ~usable).sum()),
               "er_with": float(rate[has & usable].mean()) if n_with else np.nan,
               "er_without": float(rate[~has & usable].mean()) if n_without else np.nan,
               "lift": np.nan, "lift_ci_low": np.nan, "lift_ci_high": np.nan, "p_value": np.nan,
               "n_accounts": np.nan, "note": ""}
        if min(n_with, n_without) < int(min_posts):
            row["note"] = _("too few posts (need ≥ {n} with a usable ER on each side)").format(n=int(min_posts))
        elif adjust_for_account:
            diff, low, high, p, accounts = _account_fe_log(log_er[usable], has[usable], account[usable], confidence)
            row["n_accounts"] = accounts
            if accounts == 0:
                row["note"] = _("no account posts both with and without it: lift within accounts not identified")
            elif not np.isfinite(low):
                row["note"] = _("too little variation within accounts for a robust CI")
            row.update(lift=math.exp(diff) if np.isfinite(diff) else np.nan,
                       lift_ci_low=math.exp(low) if np.isfinite(low) else np.nan,
                       lift_ci_high=math.exp(high) if np.isfinite(high) else np.nan, p_value=p)
        else:
            diff, low, high, p = _welch_log(log_er[has & usable], log_er[~has & usable], confidence)
            row.update(lift=math.exp(diff), lift_ci_low=math.exp(low) if np.isfinite(low) else np.nan,
                       lift_ci_high=math.exp(high) if np.isfinite(high) else np.nan, p_value=p,
                       n_accounts=len(set(account[usable])))
        rows.append(row)
    table = pd.DataFrame(rows, columns=[key, "n_with", "n_without", "n_excluded", "n_excluded_with", "er_with",
                                        "er_without", "lift", "lift_ci_low", "lift_ci_high", "p_value",
                                        "n_accounts", "note"])
    table["reliable"] = (table["lift_ci_low"] > 1) | (table["lift_ci_high"] < 1)
    table["method"] = method
    table["er_base"] = er_base_of(rated)
    return table.sort_values(["lift", "n_with"], ascending=[False, False], na_position="last", ignore_index=True)


# ---------------------------------------------------------------------------------------------
# 3. posting times
# ---------------------------------------------------------------------------------------------

def posting_times(posts: pd.DataFrame) -> pd.DataFrame:
    """Posts per account × weekday (0 = Monday) × local hour, all 168 cells, share within the account.

    published_at is naive account-local time. A cell with no posts is a real 0 (the posts table
    lists every post). Posts without a timestamp are left out with a DataWarning saying how many.
    """
    require_posts(posts, ("account_id", "published_at"))
    when = _datetimes(posts)
    timed = when.notna()
    if not timed.all():
        warnings.warn(f"{int((~timed).sum())} post(s) have no published_at and are left out of posting times.",
                      DataWarning, stacklevel=2)
    frame = pd.DataFrame({"account_id": posts["account_id"][timed].to_numpy(),
                          "weekday": when[timed].dt.day_of_week.to_numpy(), "hour": when[timed].dt.hour.to_numpy()})
    if frame.empty:
        raise DataError("No post has a published_at timestamp; posting times cannot be computed.")
    accounts = sorted(frame["account_id"].unique())
    grid = pd.MultiIndex.from_product([accounts, range(7), range(24)], names=["account_id", "weekday", "hour"])
    counts = frame.value_counts().reindex(grid, fill_value=0).rename("posts").reset_index()
    counts["posts"] = counts["posts"].astype("int64")
    counts["share"] = counts["posts"] / counts.groupby("account_id")["posts"].transform("sum")
    return counts


def _slot_keys(times: pd.DataFrame, slot: str) -> pd.DataFrame:
    """The slot columns of posting_times rows: weekday+hour, hour, or 4-hour band."""
    if slot == "weekday_hour":
        return times[["weekday", "hour"]]
    if slot == "hour":
        return times[["hour"]]
    return pd.DataFrame({"hour_band": hour_band(times["hour"])}, index=times.index)


def _slot_label(row: pd.Series, slot: str) -> str:
    """'Tue 20:00–21:00', '20:00–21:00' or '20–24'."""
    if slot == "hour_band":
        return str(row["hour_band"])
    hours = f"{int(row['hour']):02d}:00–{int(row['hour']) + 1:02d}:00"
    return f"{weekday_name(WEEKDAYS[int(row['weekday'])])} {hours}" if slot == "weekday_hour" else hours


def posting_hotspots(posting_times: pd.DataFrame, own_ids: Iterable[str], top: int | None = 5,
                     slot: str = "weekday_hour") -> pd.DataFrame:
    """The slots where competitors' posts cluster, with the own accounts' share of posts in the same slot.

    field_share = competitor posts in the slot ÷ all competitor posts (pooled, so a frequent poster
    weighs more); own_share likewise over own posts; difference = own − field (negative: the field is
    busier there than you; a slot with a low field share and a high own share is one you hold alone).
    field_accounts counts competitor accounts posting in the slot. slot: 'weekday_hour' (168 cells),
    'hour' (24) or 'hour_band' (4-hour bands). Ranked by field_share; top=None keeps every slot.
    """
    require_columns(posting_times, ("account_id", "weekday", "hour", "posts"), "posting_times",
                    "Build it with posting_times(posts).")
    check_choice(slot, SLOTS, "slot", "posting_hotspots")
    own = set(map(str, own_ids))
    if not own:
        raise ParameterError("posting_hotspots needs the own account ids (own_ids) to compare with the field.")
    if top is not None and int(top) < 1:
        raise ParameterError(f"posting_hotspots needs top ≥ 1 (or None for every slot); got {top}.")
    is_own = posting_times["account_id"].astype("str").isin(own)
    keys = _slot_keys(posting_times, slot)
    names = list(keys.columns)
    frame = pd.concat([keys, posting_times[["account_id", "posts"]]], axis=1)
    field, mine = frame[~is_own], frame[is_own]
    field_total, own_total = int(field["posts"].sum()), int(mine["posts"].sum())
    if field_total == 0:
        raise DataError("posting_times has no competitor posts (every account with posts is in own_ids).")
    table = field.groupby(names)["posts"].sum().rename("field_posts").to_frame()
    table["field_accounts"] = field[field["posts"] > 0].groupby(names)["account_id"].nunique()
    table = table.join(mine.groupby(names)["posts"].sum().rename("own_posts"), how="left")
    table = table.fillna({"field_accounts": 0, "own_posts": 0}).reset_index()
    table[["field_accounts", "own_posts"]] = table[["field_accounts", "own_posts"]].astype("int64")
    table["field_share"] = table["field_posts"] / field_total
    table["own_share"] = table["own_posts"] / own_total if own_total else 0.0
    table["difference"] = table["own_share"] - table["field_share"]
    table["label"] = [_slot_label(r, slot) for _i, r in table.iterrows()]
    table["note"] = "" if own_total else _("own accounts posted nothing in the period: own share is a real 0")
    table = table.sort_values(["field_share", *names], ascending=[False] + [True] * len(names), ignore_index=True)
    if top is not None:
        table = table.head(int(top))
    table.insert(0, "rank", range(1, len(table) + 1))
    return table[["rank", *names, "label", "field_posts", "field_accounts", "field_share", "own_posts", "own_share",
                  "difference", "note"]]


# ---------------------------------------------------------------------------------------------
# 4. hit posts
# ---------------------------------------------------------------------------------------------

HIT_COLUMNS: tuple[str, ...] = ("account_id", "post_id", "published_at", "format", "pillar", "topics", "title")


def _metric(posts: pd.DataFrame, metric: str) -> pd.Series:
    """The metric per post as float; 'engagements' is computed (post_engagements) when not a column yet."""
    if metric not in posts.columns and metric == "engagements":
        return post_engagements(posts)
    require_columns(posts, (metric,), "posts")
    try:
        return posts[metric].astype("float64")
    except (ValueError, TypeError) as exc:
        raise DataError(f"posts.{metric} must be numeric to find hit posts: {exc}") from exc


def _check_k(k: float) -> None:
    """ParameterError unless k is a finite number ≥ 0."""
    if not np.isfinite(float(k)) or float(k) < 0:
        raise ParameterError(f"k (MADs above the median) must be a finite number ≥ 0; got {k!r}.")


def hit_thresholds(posts: pd.DataFrame, metric: str = "engagements", k: float = 3.0) -> pd.DataFrame:
    """Per account: median, MAD, threshold = median + k × MAD, posts and hits (metric strictly above it).

    MAD is scipy.stats.median_abs_deviation(scale="normal"), i.e. 1.4826 × the raw median absolute
    deviation, so it estimates the standard deviation for normal data and k reads like a z-score,
    without letting the hits themselves inflate the spread. When MAD is 0 (over half the posts
    share one value) the threshold is the median and only posts strictly above it are hits; the note
    says so. Posts with the metric missing count in posts_missing, never as 0, and are never hits.
    For metric="engagement_rate" the er_base column names the rate's base.
    """
    _check_k(k)
    require_posts(posts, ("account_id",))
    values = _metric(posts, metric)
    rows = []
    for account, group in values.groupby(posts["account_id"].astype("str")):
        known = group.dropna().to_numpy()
        row = {"account_id": account, "metric": metric, "posts": len(group), "posts_missing": int(group.isna().sum()),
               "median": np.nan, "mad": np.nan, "threshold": np.nan, "hits": 0, "note": ""}
        if known.size == 0:
            row["note"] = _("no post has {metric}").format(metric=metric)
        else:
            median = float(np.median(known))
            mad = float(stats.median_abs_deviation(known, scale="normal"))
            threshold = median + float(k) * mad
            row.update(median=median, mad=mad, threshold=threshold, hits=int((known > threshold).sum()))
            if mad == 0:
                row["note"] = _("MAD is 0: the threshold is the median and only posts strictly above it are hits")
        rows.append(row)
    table = pd.DataFrame(rows)
    table["hit_share"] = table["hits"] / (table["posts"] - table["posts_missing"]).where(
        table["posts"] > table["posts_missing"])
    columns = ["account_id", "metric", "posts", "posts_missing", "median", "mad", "threshold", "hits",
               "hit_share", "note"]
    if metric == "engagement_rate" and "er_base" in posts.columns:
        table["er_base"] = ", ".join(sorted(posts["er_base"].dropna().astype("str").unique()))
        columns.append("er_base")
    return table[columns]


def hit_posts(posts: pd.DataFrame, metric: str = "engagements", k: float = 3.0) -> pd.DataFrame:
    """The posts whose metric is strictly above their own account's median + k × MAD (see hit_thresholds).

    Each account is judged against itself, so a small account's breakout counts as a hit even if a
    big account's ordinary post has more engagements. times_median = value ÷ the account's median.
    """
    require_posts(posts, HIT_COLUMNS)
    thresholds = hit_thresholds(posts, metric, k).set_index("account_id")
    account = posts["account_id"].astype("str")
    value = _metric(posts, metric)
    threshold = account.map(thresholds["threshold"])
    median = account.map(thresholds["median"])
    hit = (value > threshold).to_numpy()
    out = posts.loc[hit, list(HIT_COLUMNS)].copy()
    out["metric"] = metric
    out["value"] = value.to_numpy()[hit]
    out["median"] = median.to_numpy()[hit]
    out["threshold"] = threshold.to_numpy()[hit]
    out["times_median"] = out["value"] / out["median"].where(out["median"] > 0)
    if "er_base" in thresholds.columns:
        out["er_base"] = thresholds["er_base"].iloc[0]
    return out.sort_values(["account_id", "value"], ascending=[True, False], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# 5. hit traits
# ---------------------------------------------------------------------------------------------

TRAITS_DERIVED: tuple[str, ...] = ("weekday", "hour_band")


def _trait_table(posts: pd.DataFrame, column: str) -> pd.DataFrame:
    """Long table (post index → value) of one trait: weekday name, 4-hour band, topic tags, or the label."""
    if column == "weekday":
        names = _datetimes(posts).dt.day_of_week.map(lambda d: WEEKDAYS[int(d)] if pd.notna(d) else MISSING)
        return pd.DataFrame({"post": posts.index, "tag": names.to_numpy()})
    if column == "hour_band":
        when = _datetimes(posts)
        bands = hour_band(when.dt.hour.fillna(0)).where(when.notna(), MISSING)
        return pd.DataFrame({"post": posts.index, "tag": bands.to_numpy()})
    return tag_table(posts, column)


def hit_traits(posts: pd.DataFrame, hits: pd.DataFrame,
               columns: Sequence[str] = ("format", "pillar", "weekday", "hour_band")) -> pd.DataFrame:
    """For each value of each trait: its share among hits vs among all posts, lift, and a Fisher exact test.

    Pass the posts given to hit_posts (the base is all of them, hits included). For each value the
    2×2 table is hit/not × has-the-value/not; p_value is scipy.stats.fisher_exact (two-sided),
    odds_ratio its sample odds ratio, q_value the Benjamini–Hochberg adjustment across every row
    (many values are tested at once). lift = hit_share ÷ post_share. weekday is a name (Mon…Sun),
    hour_band a 4-hour band like '20–24'; 'topics' is split into tags (a post may have several).
    """
    columns = list(columns)
    if not columns:
        raise ParameterError("hit_traits needs at least one trait column.")
    needed = ["post_id"] + [c for c in columns if c not in TRAITS_DERIVED]
    if any(c in TRAITS_DERIVED for c in columns):
        needed.append("published_at")
    require_posts(posts, needed)
    require_columns(hits, ("post_id",), "hits", "Build it with hit_posts(posts).")
    frame = posts.reset_index(drop=True)
    unknown = sorted(set(hits["post_id"].astype("str")) - set(frame["post_id"].astype("str")))
    if unknown:
        raise DataError(f"{len(unknown)} hit post(s) are not in posts (e.g. {unknown[:3]}); pass the posts "
                        "given to hit_posts.")
    is_hit = frame["post_id"].astype("str").isin(set(hits["post_id"].astype("str"))).to_numpy()
    n_posts, n_hits = len(frame), int(is_hit.sum())
    rows = []
    for column in columns:
        long = _trait_table(frame, column)
        for value, members in long.groupby("tag", sort=True)["post"]:
            has = np.zeros(n_posts, dtype=bool)
            has[members.to_numpy()] = True
            a, b = int((is_hit & has).sum()), int((is_hit & ~has).sum())
            c, d = int((~is_hit & has).sum()), int((~is_hit & ~has).sum())
            odds, p = stats.fisher_exact([[a, b], [c, d]])
            hit_share = a / n_hits if n_hits else np.nan
            post_share = (a + c) / n_posts
            rows.append({"trait": column, "value": value, "hits": a, "hit_share": hit_share, "posts": a + c,
                         "post_share": post_share, "lift": hit_share / post_share, "odds_ratio": float(odds),
                         "p_value": float(p)})
    table = pd.DataFrame(rows)
    table["q_value"] = multipletests(table["p_value"], method="fdr_bh")[1]
    order = {c: i for i, c in enumerate(columns)}
    table = table.assign(_order=table["trait"].map(order))
    return table.sort_values(["_order", "lift", "posts"], ascending=[True, False, False],
                             na_position="last").drop(columns="_order").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# 6. the notebook's tables: top topics, posting grids, the hits and traits to show
# ---------------------------------------------------------------------------------------------

def top_topics(posts: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """Per account, its n most used topic tags: posts, share of the account's posts, mean ER of those posts.

    Tags come from ';'-separated ``topics`` (a post can carry several, so shares need not sum to 1);
    er_mean_of_rates is the mean of the per-post rates on the posts' er_base.
    """
    if int(n) < 1:
        raise ParameterError(f"top_topics needs n ≥ 1; got {n}.")
    require_columns(posts, ("account_id", "topics", "engagement_rate", "er_base"), "posts")
    frame = posts.reset_index(drop=True)
    tags = tag_table(frame, "topics")
    long = tags.assign(account_id=frame.loc[tags["post"], "account_id"].to_numpy(),
                       engagement_rate=frame.loc[tags["post"], "engagement_rate"].to_numpy())
    per_account = frame.groupby("account_id").size()
    table = (long.groupby(["account_id", "tag"]).agg(posts=("post", "size"),
                                                      er_mean_of_rates=("engagement_rate", "mean"))
             .reset_index().rename(columns={"tag": "topic"}))
    table["share_of_account_posts"] = table["posts"] / table["account_id"].map(per_account)
    table["er_base"] = str(frame["er_base"].dropna().iloc[0]) if frame["er_base"].notna().any() else ""
    table = table.sort_values(["account_id", "posts", "topic"], ascending=[True, False, True])
    table = table.groupby("account_id", sort=False).head(int(n)).reset_index(drop=True)
    return table[["account_id", "topic", "posts", "share_of_account_posts", "er_mean_of_rates", "er_base"]]


def posting_accounts(posting_times: pd.DataFrame, account_ids: Sequence[str]) -> list[str]:
    """The given accounts that have rows in ``posting_times`` (posted in the window), in the given order."""
    require_columns(posting_times, ("account_id",), "posting_times")
    present = set(posting_times["account_id"])
    return [a for a in account_ids if a in present]


def account_hour_grid(times: pd.DataFrame, order: Sequence[str] | None = None) -> pd.DataFrame:
    """Accounts (rows) × local hour 0–23 (columns): share of each account's posts published in that hour.

    With ``order`` the rows follow it (accounts without posting times left out).
    """
    require_columns(times, ("account_id", "hour", "posts"), "posting_times")
    grid = times.pivot_table(index="account_id", columns="hour", values="posts", aggfunc="sum", sort=False)
    grid = grid.reindex(columns=range(24), fill_value=0).fillna(0)
    totals = grid.sum(axis=1)
    shares = grid.div(totals.where(totals > 0), axis=0)
    return shares if order is None else shares.reindex(posting_accounts(times, order))


def time_grid(times: pd.DataFrame, account_ids: Sequence[str]) -> pd.DataFrame:
    """Weekday (Mon…Sun rows) × hour (0–23 columns) share of the given accounts' posts, pooled."""
    require_columns(times, ("account_id", "weekday", "hour", "posts"), "posting_times")
    chosen = times[times["account_id"].isin(list(account_ids))]
    grid = chosen.pivot_table(index="weekday", columns="hour", values="posts", aggfunc="sum")
    grid = grid.reindex(index=range(7), columns=range(24), fill_value=0).fillna(0)
    total = grid.to_numpy().sum()
    grid = grid / total if total else grid.astype(float)
    grid.index = [weekday_name(d) for d in WEEKDAYS]
    return grid


def top_hits(hits: pd.DataFrame, n: int) -> pd.DataFrame:
    """The first n hits of each account in ``hit_posts`` order (largest value first within the account)."""
    require_columns(hits, ("account_id",), "hits", "Build it with hit_posts(posts).")
    return hits.groupby("account_id", sort=False).head(int(n))


def trait_view(traits: pd.DataFrame, rows: int = 20) -> pd.DataFrame:
    """The traits that at least one hit has, in ``hit_traits`` order, at most ``rows`` of them."""
    require_columns(traits, ("hits",), "hit_traits", "Build it with hit_traits(posts, hits).")
    return traits[traits["hits"] > 0].head(rows)
