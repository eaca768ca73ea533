"""The review's anomaly alerts on daily KPIs and its bot-traffic filtering (METHODOLOGY 3 and 7).

The detector itself is the shared one (helpers.anomaly, re-exported here); two methods, both robust
to the outliers they look for:

* ``"stl"``: a robust STL decomposition (statsmodels) with weekly seasonality; the expected value
  is trend + seasonal and the residual is scored against a robust (MAD-based) noise sigma.
* ``"hampel"``: a centred rolling median; the point is scored against the rolling MAD.

Bot traffic is filtered with box-plot (IQR) fences: a day with unusually many impressions *and*
an unusually low engagement-per-impression rate. A genuine viral day has both high impressions
and high engagement, so it is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.anomaly import (  # noqa: F401  (the detector, re-exported for the notebook and the review's tests)
    FESTIVAL_AFTER_DAYS,
    FESTIVAL_BEFORE_DAYS,
    FESTIVAL_COUNTRY,
    FESTIVAL_OCCASIONS,
    METHODS,
    STL_TAIL_FACTOR,
    TRANSFORMS,
    check_detector_parameters,
    check_period,
    detect_anomalies,
    false_alarm_rate,
    festival_days,
    robust_zscores,
)
from helpers.errors import DataError, ParameterError, require_columns
from helpers.i18n import _
from helpers.memo import content_key, remember
from helpers.review.words import metric_name

#: KPIs ``daily_alerts`` checks by default.
DEFAULT_KPIS: tuple[str, ...] = (
    "impressions",
    "engagements",
    "followers_gained",
    "link_clicks",
    "conversions",
    "revenue",
)
_SEVERITY_ORDER: dict[str, int] = {"critical": 0, "warning": 1, "": 2}


# --------------------------------------------------------------------------- account alerts



def _platforms(accounts: pd.DataFrame) -> pd.Series:
    """Map account_id → platform from the accounts table."""
    require_columns(accounts, ["account_id", "platform"], "accounts")
    return accounts.drop_duplicates("account_id").set_index("account_id")["platform"]


def _deviation(observed: pd.Series, expected: pd.Series) -> pd.Series:
    """Relative deviation (observed − expected) / expected as a fraction; NaN when expected ≤ 0."""
    return ((observed - expected) / expected.where(expected > 0)).astype("float64")


def scored_days(account_daily: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                kpis: Sequence[str] = DEFAULT_KPIS) -> int:
    """How many account-KPI-days of [start, end] the alerts score (days with a value; missing days are not scored)."""
    start, end = check_period(start, end)
    rows = account_daily[account_daily["date"].between(start, end)]
    return int(sum(rows[k].notna().sum() for k in kpis if k in rows.columns))


#: The last few `_exceedances` answers by the content of their inputs: the review asks for the same fits twice
#: (daily_alerts, then festival_lifts), and a robust STL per account and KPI is the section's main cost.
_EXCEEDANCES: dict[tuple, tuple[pd.DataFrame, list[dict[str, str]]]] = {}
_EXCEEDANCES_KEPT = 4


def _exceedances(account_daily: pd.DataFrame, accounts: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                 kpis: Sequence[str], history_days: int, method: str, threshold: float, transform: str
                 ) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """Every account-KPI-day inside [start, end] at or beyond the threshold, and the series skipped (why).

    Worked out once per content of the inputs and parameters (`_EXCEEDANCES`); each caller gets its own copy.
    """
    require_columns(account_daily, ["date", "account_id"], "account_daily")
    start, end = check_period(start, end)
    if int(history_days) != history_days or history_days < 0:
        raise ParameterError(f"history_days must be a non-negative integer, got {history_days!r}.")
    check_detector_parameters(method, threshold, 7, 7, transform)
    platform = _platforms(accounts)
    fit_start = start - pd.Timedelta(days=int(history_days))
    window = account_daily[account_daily["date"].between(fit_start, end)]
    present = [k for k in kpis if k in window.columns]
    key = (content_key(window[["date", "account_id", *present]]), content_key(platform.to_frame()), start, end,
           tuple(present), method, float(threshold), transform)
    if key not in _EXCEEDANCES:
        remember(_EXCEEDANCES, _EXCEEDANCES_KEPT, key,
                 _fit_exceedances(window, platform, start, end, present, method, threshold, transform))
    found, skipped = _EXCEEDANCES[key]
    return found.copy(), [dict(s) for s in skipped]


def _fit_exceedances(window: pd.DataFrame, platform: pd.Series, start: pd.Timestamp, end: pd.Timestamp,
                     present: list[str], method: str, threshold: float, transform: str
                     ) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """`_exceedances` worked out: the detector on each account × KPI of the window."""
    parts: list[pd.DataFrame] = []
    skipped: list[dict[str, str]] = []
    for account_id, rows in window.groupby("account_id", sort=True):
        for kpi in present:
            series = rows.set_index("date")[kpi]
            if series.isna().all():
                continue
            try:
                found = detect_anomalies(series, method=method, threshold=threshold, transform=transform)
            except ParameterError as err:
                skipped.append({"account_id": str(account_id), "kpi": kpi, "reason": str(err)})
                continue
            found = found[found["is_anomaly"] & found["date"].between(start, end)]
            parts.append(found.assign(account_id=account_id, kpi=kpi))
    return _format_alerts(parts, platform), skipped


def daily_alerts(
    account_daily: pd.DataFrame,
    accounts: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    kpis: Sequence[str] = DEFAULT_KPIS,
    history_days: int = 120,
    method: str = "stl",
    threshold: float = 3.5,
    transform: str = "log",
    festivals: bool = True,
) -> pd.DataFrame:
    """List the anomalous account-KPI-days inside [start, end], most severe first.

    Each account × KPI is fitted on [start − history_days, end] so the expected value has
    history behind it; only anomalies dated inside the period are returned. With `festivals`
    (the default), days inside a key date's window (``festival_days``) are not anomalies: a lift
    or dip is expected there and ``festival_lifts`` lists them. KPIs absent from the table or
    all-NaN for an account are skipped silently; series too short for the method are skipped and
    listed in ``result.attrs["skipped"]`` (account_id, kpi, reason). ``deviation_pct`` is a
    fraction: 0.25 means 25 % above expected (NaN when expected ≤ 0); ``platform`` is missing for
    accounts absent from ``accounts``.
    """
    found, skipped = _exceedances(account_daily, accounts, start, end, kpis, history_days, method, threshold,
                                  transform)
    if festivals:
        found = found[~found["date"].isin(festival_days(start, end)["date"])].reset_index(drop=True)
    found.attrs["skipped"] = skipped
    return found


def festival_lifts(
    account_daily: pd.DataFrame,
    accounts: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    kpis: Sequence[str] = DEFAULT_KPIS,
    history_days: int = 120,
    method: str = "stl",
    threshold: float = 3.5,
    transform: str = "log",
) -> pd.DataFrame:
    """The days ``daily_alerts`` leaves out as expected: beyond the threshold inside a key date's window.

    The columns of ``daily_alerts`` and ``occasion`` (which key dates the day belongs to), most
    severe first: what a festival did, read against the calendar rather than as an anomaly.
    """
    found, _skipped = _exceedances(account_daily, accounts, start, end, kpis, history_days, method, threshold,
                                   transform)
    occasions = festival_days(start, end)
    return found.merge(occasions, on="date", how="inner").reset_index(drop=True)


def alert_windows(
    alerts: pd.DataFrame,
    account_daily: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    kpis: Sequence[str] = ("impressions",),
    history_days: int = 120,
    shown_days: int = 30,
    method: str = "stl",
    threshold: float = 3.5,
    transform: str = "log",
) -> dict[tuple[str, str], pd.DataFrame]:
    """Observed vs expected days around each alerting account × KPI, for the alert charts.

    For each (account_id, kpi) of ``alerts`` whose KPI is in ``kpis`` (in the alerts' order), the
    detector is fitted on [start − history_days, end] as in ``daily_alerts`` and the days from
    ``start − shown_days`` on are returned (columns of ``detect_anomalies``).
    """
    start, end = check_period(start, end)
    windows: dict[tuple[str, str], pd.DataFrame] = {}
    for (account_id, kpi), _rows in alerts.groupby(["account_id", "kpi"], sort=False):
        if kpi not in kpis:
            continue
        series = account_daily[account_daily["account_id"] == account_id].set_index("date")[kpi]
        fitted = detect_anomalies(series[start - pd.Timedelta(days=history_days):end], method=method,
                                  threshold=threshold, transform=transform)
        windows[(str(account_id), str(kpi))] = fitted[fitted["date"] >= start - pd.Timedelta(days=shown_days)]
    return windows


#: Columns and dtypes of the ``daily_alerts`` table (also used for an empty result).
_ALERT_DTYPES: dict[str, str] = {
    "date": "datetime64[ns]", "account_id": "str", "platform": "str", "kpi": "str", "observed": "float64",
    "expected": "float64", "deviation_pct": "float64", "robust_z": "float64", "severity": "str",
    "direction": "str",
}


def _format_alerts(parts: list[pd.DataFrame], platform: pd.Series) -> pd.DataFrame:
    """Stack per-series anomalies into the alert table, sorted by severity then |z|."""
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in _ALERT_DTYPES.items()})
    alerts = pd.concat(parts, ignore_index=True)
    alerts["platform"] = alerts["account_id"].map(platform)
    alerts["deviation_pct"] = _deviation(alerts["observed"], alerts["expected"])
    alerts = alerts.assign(_sev=alerts["severity"].map(_SEVERITY_ORDER), _absz=-alerts["robust_z"].abs())
    alerts = alerts.sort_values(["_sev", "_absz", "date", "account_id", "kpi"], kind="stable")
    return alerts[list(_ALERT_DTYPES)].reset_index(drop=True)


# --------------------------------------------------------------------------- bot traffic


def _iqr_fences(values: pd.Series, k: float) -> tuple[float, float]:
    """Box-plot fences (Q1 − k·IQR, Q3 + k·IQR) with linear-interpolated quantiles."""
    q1, q3 = values.quantile([0.25, 0.75], interpolation="linear").to_numpy()
    iqr = q3 - q1
    return float(q1 - k * iqr), float(q3 + k * iqr)


def accounts_without_bot_check(account_daily: pd.DataFrame) -> list[str]:
    """Accounts the bot-traffic check cannot judge: no impressions or no engagements on any day."""
    require_columns(account_daily, ["account_id"], "account_daily")
    out = []
    for account_id, rows in account_daily.groupby("account_id", sort=True):
        lacking = [c for c in ("impressions", "engagements") if c not in rows or rows[c].isna().all()]
        if lacking:
            names = [metric_name(c) for c in lacking]
            metrics = names[0] if len(names) == 1 else _("{first} or {second}").format(first=names[0], second=names[1])
            out.append(_("{account} (no {metrics})").format(account=account_id, metrics=metrics))
    return out


def flag_bot_days(
    account_daily: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    k: float = 1.5,
) -> pd.DataFrame:
    """Flag days with impressions above the upper IQR fence and engagement/impression below the lower one.

    Fences are computed per account over its days in [start, end] (linear quantiles, NaN days
    ignored). Both conditions are needed: a viral day brings engagement with its reach, bot
    traffic does not. Returns every day in the window with the boolean ``is_bot`` so the
    fences can be inspected; filter on ``is_bot`` for the flagged days. Days with missing or zero
    impressions, or missing engagements, are never flagged.
    """
    require_columns(account_daily, ["date", "account_id", "impressions", "engagements"], "account_daily")
    start, end = check_period(start, end)
    if not np.isfinite(k) or k < 0:
        raise ParameterError(f"k (the IQR multiplier) must be a non-negative number, got {k!r}.")
    rows = account_daily.loc[account_daily["date"].between(start, end),
                             ["date", "account_id", "impressions", "engagements"]].copy()
    rows["impressions"] = rows["impressions"].astype("float64")
    rows["engagements"] = rows["engagements"].astype("float64")
    rows["engagement_per_impression"] = rows["engagements"] / rows["impressions"].where(rows["impressions"] > 0)
    parts = [_flag_account(group, k) for _, group in rows.groupby("account_id", sort=True)]
    if not parts:
        return rows.assign(upper_fence_impressions=np.nan, lower_fence_rate=np.nan, is_bot=False)
    return pd.concat(parts).sort_values(["account_id", "date"]).reset_index(drop=True)


def _flag_account(rows: pd.DataFrame, k: float) -> pd.DataFrame:
    """Apply the two IQR fences to one account's days."""
    _, upper = _iqr_fences(rows["impressions"], k)
    lower, _ = _iqr_fences(rows["engagement_per_impression"], k)
    is_bot = (rows["impressions"] > upper) & (rows["engagement_per_impression"] < lower)
    return rows.assign(upper_fence_impressions=upper, lower_fence_rate=lower,
                       is_bot=is_bot.fillna(False).astype(bool))


def _local_medians(dates: pd.Series, accounts: pd.Series, values: pd.Series, usable: np.ndarray,
                   targets: np.ndarray, half_width: int) -> pd.Series:
    """For each target row, the median of the same account's usable values within ± half_width days."""
    out = pd.Series(np.nan, index=values.index)
    days = pd.to_datetime(dates)
    reach = pd.Timedelta(days=half_width)
    for i in values.index[targets]:
        near = usable & (accounts == accounts[i]).to_numpy() & ((days - days[i]).abs() <= reach).to_numpy()
        if near.any():
            out[i] = values[near].median()
    return out


def remove_bot_traffic(
    account_daily: pd.DataFrame,
    bot_flags: pd.DataFrame,
    columns: Sequence[str] = ("impressions", "reach", "profile_visits"),
    neighbourhood_days: int = 14,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace flagged days' volume metrics by the account's median of nearby unflagged days; report what changed.

    ``bot_flags`` is the output of ``flag_bot_days`` (all days of the window with ``is_bot``);
    the median is taken over the same account's unflagged days in that window within
    ± ``neighbourhood_days`` of the flagged day (local, so growth over a long window does not
    bias it), NaN ignored.
    Columns absent from ``account_daily`` are skipped; a flagged day whose value is missing
    stays missing. The listed columns become float64 (a median can be fractional). The input is
    not modified. Returns (cleaned copy, removed: date, account_id, column, observed,
    replaced_with, removed = observed − replaced_with).
    """
    require_columns(account_daily, ["date", "account_id"], "account_daily")
    require_columns(bot_flags, ["date", "account_id", "is_bot"], "bot_flags")
    if bot_flags.duplicated(["date", "account_id"]).any():
        raise DataError("bot_flags has more than one row per account and day; pass flag_bot_days' output.")
    cleaned = account_daily.copy()
    keys = cleaned[["date", "account_id"]].merge(
        bot_flags[["date", "account_id", "is_bot"]], on=["date", "account_id"], how="left", validate="many_to_one")
    in_window = keys["is_bot"].notna().to_numpy()
    flagged = keys["is_bot"].fillna(False).astype(bool).to_numpy()
    removed: list[pd.DataFrame] = []
    for column in [c for c in columns if c in cleaned.columns]:
        values = cleaned[column].astype("float64")
        replacement = _local_medians(cleaned["date"], cleaned["account_id"], values, in_window & ~flagged,
                                     flagged, neighbourhood_days)
        replace = flagged & values.notna().to_numpy() & replacement.notna().to_numpy()
        removed.append(pd.DataFrame({
            "date": cleaned["date"][replace], "account_id": cleaned["account_id"][replace], "column": column,
            "observed": values[replace], "replaced_with": replacement[replace],
        }))
        cleaned[column] = values.where(~replace, replacement)
    report = pd.concat(removed, ignore_index=True) if removed else pd.DataFrame(
        columns=["date", "account_id", "column", "observed", "replaced_with"])
    report["removed"] = report["observed"] - report["replaced_with"]
    return cleaned, report.sort_values(["account_id", "date", "column"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class BotCheck:
    """The data check of a review: bot-like days removed (over all days of the data) and what was removed."""

    clean_daily: pd.DataFrame  # account_daily with the flagged days' volume metrics replaced
    removed: pd.DataFrame  # every replaced value (remove_bot_traffic's report), all days of the data
    removed_in_period: pd.DataFrame  # the replaced values dated inside the reviewed period
    unchecked: tuple[str, ...]  # accounts the check cannot judge, with why ("own_tt (no impressions)")


def check_bot_traffic(account_daily: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                      k: float = 1.5) -> BotCheck:
    """Flag bot-like days per account over all days of the data, remove them, and keep the period's removals.

    The fences use every day of the data (not only the period), so one period's spike cannot
    hide itself by widening its own fences.
    """
    start, end = check_period(start, end)
    flags = flag_bot_days(account_daily, account_daily["date"].min(), account_daily["date"].max(), k=k)
    clean, removed = remove_bot_traffic(account_daily, flags)
    return BotCheck(clean_daily=clean, removed=removed,
                    removed_in_period=removed[removed["date"].between(start, end)],
                    unchecked=tuple(accounts_without_bot_check(account_daily)))
