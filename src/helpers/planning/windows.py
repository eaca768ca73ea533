"""Best posting windows per platform from the own posts: mean ER per weekday × hour (or hour), partially pooled.

A weekday × hour cell holds few posts (two years of one post a day spread over 168 cells), so its
raw mean ER is noisy. Each cell is shrunk towards its prior, the platform-wide pattern at that
hour over all weekdays (empirical Bayes / partial pooling):

    shrunk = (n · cell_mean + m · prior_mean) ÷ (n + m)

with n the cell's posts with a rate and m = ``prior_strength`` (the prior counts as m posts). The
hour pattern is itself shrunk towards the platform's overall mean with the same m, so an hour with
few posts borrows from the platform. In hour-only mode a cell is an hour and its prior is the
platform's overall mean. Uncertainty: with the within-platform SD σ of per-post rates, the normal
model that gives this formula has posterior SD σ ÷ √(n + m); the interval is shrunk ± z·SE (it
ignores the uncertainty of the prior itself). ER is the mean of per-post rates on the stated base;
``index`` = shrunk ÷ the platform's mean ER (1.0 = a typical post). Hours are local (naive times
are the account's local time; aware ones are converted to the account's timezone). Only hours in
which the platform has posted at least once are listed: an hour never tried has no evidence.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from helpers.errors import DataError, ParameterError, require_columns
from helpers.planning.performance import rated_own_posts
from helpers.timezones import local_times

__all__ = ["DEFAULT_PRIOR_STRENGTH", "WEEKDAYS", "best_windows", "best_windows_by_platform", "posting_windows",
           "shrink"]

#: Default m: the platform-wide hour pattern counts as this many posts in each cell.
DEFAULT_PRIOR_STRENGTH = 10.0
WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MODES = ("weekday_hour", "hour")


def shrink(cell_mean: float | np.ndarray, n: float | np.ndarray, prior_mean: float | np.ndarray,
           prior_strength: float) -> float | np.ndarray:
    """Partial pooling (n · cell_mean + m · prior_mean) ÷ (n + m); an empty cell (n = 0) is the prior."""
    if prior_strength < 0:
        raise ParameterError(f"prior_strength must be ≥ 0 (posts the prior counts as); got {prior_strength}.")
    n_arr = np.asarray(n, dtype=float)
    cell = np.where(n_arr > 0, np.asarray(cell_mean, dtype=float), 0.0)
    denominator = n_arr + prior_strength
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(denominator > 0, (n_arr * cell + prior_strength * np.asarray(prior_mean, dtype=float))
                       / np.where(denominator > 0, denominator, 1.0), np.nan)
    return float(out) if np.ndim(out) == 0 else out


def _local_posts(posts: pd.DataFrame, accounts: pd.DataFrame) -> pd.Series:
    """published_at as each account's naive local time."""
    return local_times(posts, accounts, column="published_at")


def _hour_label(weekday: float | None, hour: int) -> str:
    """'Wed 20:00–21:00' (or '20:00–21:00' without a weekday)."""
    span = f"{hour:02d}:00–{(hour + 1) % 24:02d}:00"
    return span if weekday is None or pd.isna(weekday) else f"{WEEKDAYS[int(weekday)]} {span}"


def _platform_cells(rated: pd.DataFrame, mode: str, m: float, z: float) -> pd.DataFrame:
    """One platform's cells: n, raw mean, prior, shrunk, SE and interval, index vs the platform mean."""
    platform_mean = rated["engagement_rate"].mean()
    sigma = rated["engagement_rate"].std(ddof=1) if len(rated) > 1 else np.nan
    hours = rated.groupby("hour")["engagement_rate"].agg(["count", "mean"])
    hour_prior = pd.Series(shrink(hours["mean"].to_numpy(), hours["count"].to_numpy(), platform_mean, m),
                           index=hours.index)
    if mode == "hour":
        cells = hours.rename(columns={"count": "posts", "mean": "er_cell_mean"}).reset_index()
        cells["er_prior"] = platform_mean
    else:
        grid = pd.MultiIndex.from_product([range(7), hours.index], names=["weekday", "hour"])
        stats_ = rated.groupby(["weekday", "hour"])["engagement_rate"].agg(["count", "mean"]).reindex(grid)
        cells = stats_.rename(columns={"count": "posts", "mean": "er_cell_mean"}).reset_index()
        cells["posts"] = cells["posts"].fillna(0)
        cells["er_prior"] = cells["hour"].map(hour_prior)
    cells["posts"] = cells["posts"].astype("int64")
    cells["er_shrunk"] = shrink(cells["er_cell_mean"].to_numpy(), cells["posts"].to_numpy(),
                                cells["er_prior"].to_numpy(), m)
    weight = (cells["posts"] + m).where(lambda w: w > 0)
    cells["se"] = sigma / np.sqrt(weight)
    cells["ci_low"] = cells["er_shrunk"] - z * cells["se"]
    cells["ci_high"] = cells["er_shrunk"] + z * cells["se"]
    cells["platform_er_mean"] = platform_mean
    cells["index"] = cells["er_shrunk"] / platform_mean
    cells["index_ci_low"] = cells["ci_low"] / platform_mean
    cells["index_ci_high"] = cells["ci_high"] / platform_mean
    return cells


def posting_windows(posts: pd.DataFrame, accounts: pd.DataFrame, by: str = "weekday_hour",
                    base: str = "impressions", prior_strength: float = DEFAULT_PRIOR_STRENGTH,
                    owner: str | None = "own", platforms: Sequence[str] | None = None,
                    confidence: float = 0.95) -> pd.DataFrame:
    """Per platform × weekday × hour (or × hour): posts, raw and shrunk mean ER, its interval and index.

    Columns: platform, [weekday (0 = Monday)], hour, label, posts (with a rate), er_cell_mean (raw,
    NaN for an empty cell), er_prior, er_shrunk, se, ci_low, ci_high, platform_er_mean, index (shrunk ÷
    platform mean) and its interval, er_base, prior_strength. See the module docstring for the model.
    """
    if by not in _MODES:
        raise ParameterError(f"by must be one of {', '.join(_MODES)}; got {by!r}.")
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence must be between 0 and 1; got {confidence}.")
    if not np.isfinite(prior_strength) or prior_strength < 0:
        raise ParameterError(f"prior_strength must be a number ≥ 0 (posts the prior counts as); got {prior_strength}.")
    require_columns(posts, ("account_id", "published_at"), "posts")
    rated = rated_own_posts(posts, accounts, base, owner)
    if platforms is not None:
        wanted = [platforms] if isinstance(platforms, str) else list(platforms)
        missing = sorted(set(wanted) - set(rated["platform"]))
        if missing:
            raise DataError(f"No own posts on platform(s) {missing}; platforms with posts: "
                            f"{sorted(rated['platform'].dropna().unique())}.")
        rated = rated[rated["platform"].isin(wanted)]
    local = _local_posts(rated, accounts)
    rated = rated.assign(weekday=local.dt.day_of_week, hour=local.dt.hour).dropna(subset=["engagement_rate", "hour"])
    if rated.empty:
        raise DataError(f"No own posts with an engagement rate by {base} and a publication time; "
                        "posting windows need both.")
    rated = rated.astype({"weekday": "int64", "hour": "int64"})
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    frames = []
    for platform, group in rated.groupby("platform", sort=True):
        cells = _platform_cells(group, by, float(prior_strength), z)
        cells.insert(0, "platform", platform)
        frames.append(cells)
    table = pd.concat(frames, ignore_index=True)
    weekday = table["weekday"] if "weekday" in table.columns else pd.Series(None, index=table.index)
    table.insert(table.columns.get_loc("hour") + 1, "label",
                 [_hour_label(w, int(h)) for w, h in zip(weekday, table["hour"], strict=True)])
    table["er_base"] = base
    table["prior_strength"] = float(prior_strength)
    table.attrs.update(by=by, er_base=base, prior_strength=float(prior_strength), confidence=confidence)
    return table


def _clock_hours(table: pd.DataFrame) -> tuple[np.ndarray, int]:
    """Each cell's position on the week clock (weekday·24 + hour, period 168) or day clock (hour, 24)."""
    if "weekday" in table.columns:
        return (table["weekday"].to_numpy(dtype=int) * 24 + table["hour"].to_numpy(dtype=int)), 168
    return table["hour"].to_numpy(dtype=int), 24


def best_windows(table: pd.DataFrame, platform: str, top: int = 3, min_gap_hours: int = 2) -> pd.DataFrame:
    """The ``top`` cells of a platform by shrunk ER, each at least ``min_gap_hours`` from those already chosen.

    Picked greedily by er_shrunk (ties: more posts, then earlier); distance is measured on the
    circular clock (24 h, or the 168-hour week for a weekday × hour table), so 20:00 and 21:00 are
    not both chosen with min_gap_hours=2 but Monday 20:00 and Tuesday 20:00 are.
    """
    require_columns(table, ("platform", "hour", "er_shrunk", "posts"), "windows table",
                    "Build it with posting_windows(posts, accounts).")
    if int(top) < 1 or int(min_gap_hours) < 0:
        raise ParameterError(f"best_windows needs top ≥ 1 and min_gap_hours ≥ 0; got {top}, {min_gap_hours}.")
    cells = table[table["platform"] == platform]
    if cells.empty:
        raise DataError(f"No posting windows for platform {platform!r}: none of its own posts has an engagement "
                        "rate on the chosen base (an export without impressions needs er_base views or reach); "
                        f"the windows table has {sorted(table['platform'].unique())}.")
    cells = cells.dropna(subset=["er_shrunk"])
    clock, period = _clock_hours(cells)
    cells = cells.assign(_clock=clock).sort_values(["er_shrunk", "posts", "_clock"], ascending=[False, False, True],
                                                   kind="stable")
    chosen: list[int] = []
    rows = []
    for _, row in cells.iterrows():
        pos = int(row["_clock"])
        distances = [min(abs(pos - c), period - abs(pos - c)) for c in chosen]
        if any(d < int(min_gap_hours) for d in distances):
            continue
        chosen.append(pos)
        rows.append(row.drop(labels="_clock"))
        if len(rows) >= int(top):
            break
    out = pd.DataFrame(rows).reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out


def best_windows_by_platform(table: pd.DataFrame, platforms: Sequence[str], top: int = 3,
                             min_gap_hours: int = 2) -> pd.DataFrame:
    """best_windows of each platform in turn, one table (platforms in the given order)."""
    return pd.concat([best_windows(table, p, top=top, min_gap_hours=min_gap_hours) for p in platforms],
                     ignore_index=True)
