"""Robust anomaly detection on daily KPIs and bot-traffic filtering (METHODOLOGY 3 and 7).

Two detectors, both robust to the outliers they look for:

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
from scipy import stats
from statsmodels.tsa.seasonal import STL

from helpers import i18n
from helpers.errors import DataError, ParameterError, require_columns
from helpers.i18n import _
from helpers.keydates import year_dates
from helpers.review.words import metric_name

#: 1.4826 = 1 / Φ⁻¹(0.75): scales the MAD to the standard deviation of a normal distribution.
MAD_TO_SIGMA: float = 1.4826
#: sqrt(pi / 2) = 1.2533: scales the mean absolute deviation to the standard deviation of a normal.
MEAN_AD_TO_SIGMA: float = float(np.sqrt(np.pi / 2))
#: Minimum number of whole seasonal periods the STL detector needs (4 × 7 = 28 days for weekly):
#: with 3 weeks each weekday has 3 points and STL cannot tell a spike from the weekly pattern.
STL_MIN_PERIODS: int = 4
#: Degree of STL's seasonal LOESS. 0 (local constant) instead of statsmodels' 1: a local-linear
#: weekday effect is extrapolated at the end of the series, where the review period sits, and one
#: anomaly there bends the next week's expected value (a false alarm 7 days after a real one).
STL_SEASONAL_DEG: int = 0
#: Detector names ``detect_anomalies`` accepts.
METHODS: tuple[str, ...] = ("stl", "hampel")
#: The robust STL fit leaves heavier tails than its noise: ordinary days reach |z| ≥ 3.5 six to thirteen
#: times as often as normal noise would. Measured on simulated multiplicative series (tests/test_anomalies,
#: the null simulation), dividing the STL z by 1.3 brings the rate at 3–3.5 to about the normal one.
STL_TAIL_FACTOR: float = 1.3
#: The key dates (helpers.keydates, English names; "(observed)" days count too) that move a whole
#: platform's traffic in China: around them a lift or dip is expected, not anomalous.
FESTIVAL_OCCASIONS: tuple[str, ...] = ("Chinese New Year's Eve", "Chinese New Year (Spring Festival)", "Labor Day",
                                       "618", "National Day", "Double 11", "Double 12")
#: A festival window: this many days before such a date (the run-up, presales) to FESTIVAL_AFTER_DAYS after it.
FESTIVAL_BEFORE_DAYS: int = 7
FESTIVAL_AFTER_DAYS: int = 2
#: Whose holidays and marketing dates make the festival windows (accounts carry no country).
FESTIVAL_COUNTRY: str = "CN"
#: Scales the detector fits on: "log" (log1p: multiplicative noise, as counts and revenue have) or "none".
TRANSFORMS: tuple[str, ...] = ("log", "none")
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


# --------------------------------------------------------------------------- robust z-scores


def _robust_scale(values: np.ndarray) -> tuple[float, float]:
    """Return (median, sigma estimate) of the non-NaN values: 1.4826·MAD, else 1.2533·mean AD."""
    x = values[~np.isnan(values)]
    if x.size == 0:
        return np.nan, np.nan
    center = float(np.median(x))
    mad = float(stats.median_abs_deviation(x, scale=1.0))
    if mad > 0:
        return center, MAD_TO_SIGMA * mad
    # More than half the values equal the median (common for small counts): the MAD is 0, so
    # fall back to the mean absolute deviation around the median, scaled to a normal sigma.
    return center, MEAN_AD_TO_SIGMA * float(np.mean(np.abs(x - center)))


def _z_from_scale(deviation: np.ndarray, scale: float | np.ndarray) -> np.ndarray:
    """Divide deviations by a scale; a zero scale means no variation at all, so z is 0; NaN stays NaN."""
    scale = np.broadcast_to(np.asarray(scale, dtype="float64"), np.shape(deviation))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(scale > 0, deviation / scale, np.where(scale == 0, 0.0, np.nan))
    return np.where(np.isnan(deviation), np.nan, z)


def robust_zscores(values: pd.Series) -> pd.Series:
    """Score each value as (x − median) / (1.4826·MAD), a z-score the outliers cannot inflate.

    When the MAD is 0 (more than half the values are identical, e.g. a KPI that is mostly 0) the
    scale falls back to 1.2533 × the mean absolute deviation around the median. When that is 0
    too, every value equals the median and all scores are 0. NaN values stay NaN and are ignored
    when estimating the centre and scale.
    """
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    center, scale = _robust_scale(x)
    return pd.Series(_z_from_scale(x - center, scale), index=values.index, name="robust_z")


# --------------------------------------------------------------------------- single series


def _check_detector_parameters(method: str, threshold: float, period: int, window: int,
                               transform: str = "log") -> None:
    """Fail early with a clear message on an unknown method or a nonsensical parameter."""
    if method not in METHODS:
        raise ParameterError(f"Unknown anomaly method {method!r}; use one of {list(METHODS)}.")
    if transform not in TRANSFORMS:
        raise ParameterError(f"Unknown anomaly transform {transform!r}; use one of {list(TRANSFORMS)}.")
    if not np.isfinite(threshold) or threshold <= 0:
        raise ParameterError(f"threshold must be a positive number of robust z units, got {threshold!r}.")
    if int(period) != period or period < 2:
        raise ParameterError(f"period must be an integer ≥ 2 (7 for weekly seasonality), got {period!r}.")
    if int(window) != window or window < 3 or window % 2 == 0:
        raise ParameterError(f"window must be an odd integer ≥ 3 (a centred window), got {window!r}.")


def _daily_series(series: pd.Series) -> pd.Series:
    """Reindex a date-indexed series to one row per calendar day; missing days become NaN."""
    if not isinstance(series.index, pd.DatetimeIndex):
        raise DataError("detect_anomalies needs a series indexed by date (a DatetimeIndex).")
    if series.index.has_duplicates:
        dupes = series.index[series.index.duplicated()].unique()
        raise DataError(f"Dates appear more than once: {[d.date().isoformat() for d in dupes[:5]]}; "
                        "aggregate to one value per day first.")
    values = pd.to_numeric(series, errors="coerce").astype("float64").sort_index()
    if values.empty:
        return values
    days = pd.date_range(values.index.min().normalize(), values.index.max().normalize(), freq="D")
    return values.set_axis(values.index.normalize()).reindex(days)


def _stl_expected(observed: pd.Series, period: int) -> pd.Series:
    """Expected value trend + seasonal from a robust STL fit (missing days interpolated for the fit only)."""
    needed = STL_MIN_PERIODS * period
    n_observed = int(observed.notna().sum())
    if len(observed) < needed or n_observed < needed:
        raise ParameterError(
            f"STL with period {period} needs at least {needed} days ({STL_MIN_PERIODS} periods) "
            f"with data; the series has {n_observed} observed days over {len(observed)} days. "
            "Use a longer history or method='hampel'."
        )
    filled = observed.interpolate(method="linear", limit_direction="both")
    fit = STL(filled, period=period, seasonal_deg=STL_SEASONAL_DEG, robust=True).fit()
    return fit.trend + fit.seasonal


def _seasonal_noise_scale(observed: pd.Series, period: int) -> float:
    """Noise sigma from season-over-season differences: robust scale of x[t] − x[t − period] over √2.

    The differences cancel the seasonal pattern without using the STL fit, so the scale is not
    shrunk by the fit the way STL residuals are (see ``detect_anomalies``). A drifting trend
    adds to the differences, which makes the scale, and so the detector, a little conservative.
    """
    values = observed.to_numpy(dtype="float64")
    differences = values[period:] - values[:-period]
    return _robust_scale(differences)[1] / np.sqrt(2)


def _rolling_median_and_scale(observed: pd.Series, window: int) -> tuple[pd.Series, pd.Series]:
    """Centred rolling median and robust sigma (1.4826·MAD, fallback 1.2533·mean AD) per window."""
    min_periods = window // 2 + 1
    rolling = observed.rolling(window, center=True, min_periods=min_periods)
    median = rolling.median()
    scale = rolling.apply(lambda w: _robust_scale(w)[1], raw=True)
    return median, scale


def false_alarm_rate(threshold: float) -> float:
    """Share of ordinary days a threshold flags when the scaled residuals are standard normal: 2·(1 − Φ(t)).

    At 3.5 that is 0.047 % of series-days, about 1 in 2,150: four accounts × six KPIs × 31 days
    (744 series-days) then raise about 0.35 false alarms a month.
    """
    return float(2 * stats.norm.sf(threshold))


def fits_logs(observed: pd.Series, transform: str) -> bool:
    """Whether the detector fits log1p of the values: with "log", unless a value is negative."""
    return transform == "log" and not bool((observed < 0).any())


def detect_anomalies(
    series: pd.Series,
    method: str = "stl",
    threshold: float = 3.5,
    period: int = 7,
    window: int = 7,
    transform: str = "log",
) -> pd.DataFrame:
    """Flag days whose value departs from the expected value by at least ``threshold`` robust z.

    ``series`` is indexed by date; it is reindexed to every calendar day and missing days stay
    NaN: they are never flagged and never treated as 0.

    ``transform="log"`` (the default) fits log1p(x): a KPI's day-to-day noise is multiplicative
    (a 10 % wobble is 10 % at any level), so on the log scale one noise scale fits a growing
    account, a weekend peak and a quiet weekday alike, and a festival's doubling reads as one
    surprise, not as many σ of the quiet weeks. A series with a negative value is fitted as it is
    (``"none"`` always does). ``expected`` is returned on the data's scale (expm1 of the fit),
    ``residual`` = observed − expected; ``robust_z`` is computed on the fitted scale.

    ``"stl"`` fits a robust STL (statsmodels, period ``period``, seasonal_deg STL_SEASONAL_DEG,
    needs ``4 × period`` observed days; missing days are linearly interpolated for the fit
    only). Expected = trend + seasonal; z = residual ÷ (STL_TAIL_FACTOR × the noise sigma), the
    sigma estimated robustly from season-over-season differences (1.4826·MAD of x[t] − x[t−period],
    over √2). Why not the MAD of the residuals themselves: the fit absorbs part of the ordinary
    noise but none of the down-weighted extremes, so that MAD is too small and pure Gaussian noise
    raises ~8 alarms per 120 days at 3.5. Why the factor: for the same reason the residuals' tails
    are heavier than the noise's, and 1.3 makes the alert rate on ordinary days about the one
    ``false_alarm_rate`` states (measured by simulation in the tests).

    ``"hampel"`` compares each day with the median of the centred ``window``-day window (edges
    use the truncated window, at least ``window // 2 + 1`` values). It ignores weekly
    seasonality, and a 7-value MAD is noisy: on pure Gaussian noise it raises ~4 alarms per
    120 days at 3.5 (window 15: ~1.2; 21: ~0.8), so prefer a wider window or "stl".

    Severity is "critical" at |z| ≥ 2 × threshold and "warning" at |z| ≥ threshold. On noise
    that is normal on the fitted scale a threshold flags ``false_alarm_rate(threshold)`` of the days.
    """
    _check_detector_parameters(method, threshold, period, window, transform)
    observed = _daily_series(series)
    logged = fits_logs(observed, transform)
    fitted = np.log1p(observed) if logged else observed
    if method == "stl":
        expected_fit = _stl_expected(fitted, int(period))
        scale = STL_TAIL_FACTOR * _seasonal_noise_scale(fitted, int(period))
        z = _z_from_scale((fitted - expected_fit).to_numpy(), scale)
    else:
        if observed.notna().sum() < window:
            raise ParameterError(f"method='hampel' with window {window} needs at least {window} "
                                 f"observed days; the series has {int(observed.notna().sum())}.")
        expected_fit, scale = _rolling_median_and_scale(fitted, int(window))
        z = _z_from_scale((fitted - expected_fit).to_numpy(), scale.to_numpy())
    expected = np.expm1(expected_fit) if logged else expected_fit
    return _label_anomalies(observed, expected, observed - expected, z, threshold)


def _label_anomalies(
    observed: pd.Series, expected: pd.Series, residual: pd.Series, z: np.ndarray, threshold: float
) -> pd.DataFrame:
    """Assemble the tidy result: one row per day with z, flag, severity and direction."""
    abs_z = np.abs(z)
    is_anomaly = np.nan_to_num(abs_z, nan=0.0) >= threshold
    severity = np.select([abs_z >= 2 * threshold, abs_z >= threshold], ["critical", "warning"], default="")
    direction = np.select([residual.to_numpy() > 0, residual.to_numpy() < 0], ["up", "down"], default="")
    return pd.DataFrame({
        "date": observed.index,
        "observed": observed.to_numpy(),
        "expected": expected.to_numpy(dtype="float64"),
        "residual": residual.to_numpy(dtype="float64"),
        "robust_z": z,
        "is_anomaly": is_anomaly,
        "severity": severity,
        "direction": direction,
    })


# --------------------------------------------------------------------------- account alerts



def _check_period(start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Normalise inclusive period bounds to days and check start ≤ end."""
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if start > end:
        raise ParameterError(f"Period start {start.date()} is after end {end.date()}.")
    return start, end


def _platforms(accounts: pd.DataFrame) -> pd.Series:
    """Map account_id → platform from the accounts table."""
    require_columns(accounts, ["account_id", "platform"], "accounts")
    return accounts.drop_duplicates("account_id").set_index("account_id")["platform"]


def _deviation(observed: pd.Series, expected: pd.Series) -> pd.Series:
    """Relative deviation (observed − expected) / expected as a fraction; NaN when expected ≤ 0."""
    return ((observed - expected) / expected.where(expected > 0)).astype("float64")


def festival_days(start: pd.Timestamp, end: pd.Timestamp, country: str = FESTIVAL_COUNTRY) -> pd.DataFrame:
    """The days of [start, end] inside a festival window (FESTIVAL_BEFORE_DAYS before one of the
    FESTIVAL_OCCASIONS to FESTIVAL_AFTER_DAYS after it).

    Columns: date, occasion (the occasions' names in the run's language, listed). The dates come from
    the holidays of `country` and the shipped marketing dates (helpers.keydates), as the content plan's.
    """
    start, end = _check_period(start, end)
    chinese = i18n.current_language() == "zh-CN"
    dates = year_dates(range(start.year - 1, end.year + 2), country)
    festive = dates[dates["name"].map(lambda n: any(str(n).startswith(o) for o in FESTIVAL_OCCASIONS))]
    rows = []
    for r in festive.itertuples():
        name = r.name_zh if chinese and isinstance(r.name_zh, str) and r.name_zh else r.name
        name = str(name).split("（")[0].split(" (observed)")[0]  # 国庆节（补假） is 国庆节
        first = max(r.date - pd.Timedelta(days=FESTIVAL_BEFORE_DAYS), start)
        last = min(r.date + pd.Timedelta(days=FESTIVAL_AFTER_DAYS), end)
        rows += [(day, str(name)) for day in pd.date_range(first, last, freq="D")]
    frame = pd.DataFrame(rows, columns=["date", "occasion"]).astype({"date": "datetime64[ns]", "occasion": "str"})
    occasions = frame.groupby("date", sort=True)["occasion"].agg(lambda names: i18n.listed(list(dict.fromkeys(names))))
    return occasions.reset_index().astype({"date": "datetime64[ns]", "occasion": "str"})


def scored_days(account_daily: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                kpis: Sequence[str] = DEFAULT_KPIS) -> int:
    """How many account-KPI-days of [start, end] the alerts score (days with a value; missing days are not scored)."""
    start, end = _check_period(start, end)
    rows = account_daily[account_daily["date"].between(start, end)]
    return int(sum(rows[k].notna().sum() for k in kpis if k in rows.columns))


def _exceedances(account_daily: pd.DataFrame, accounts: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                 kpis: Sequence[str], history_days: int, method: str, threshold: float, transform: str
                 ) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """Every account-KPI-day inside [start, end] at or beyond the threshold, and the series skipped (why)."""
    require_columns(account_daily, ["date", "account_id"], "account_daily")
    start, end = _check_period(start, end)
    if int(history_days) != history_days or history_days < 0:
        raise ParameterError(f"history_days must be a non-negative integer, got {history_days!r}.")
    _check_detector_parameters(method, threshold, 7, 7, transform)
    platform = _platforms(accounts)
    fit_start = start - pd.Timedelta(days=int(history_days))
    window = account_daily[account_daily["date"].between(fit_start, end)]
    present = [k for k in kpis if k in window.columns]
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
    start, end = _check_period(start, end)
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
    start, end = _check_period(start, end)
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
    start, end = _check_period(start, end)
    flags = flag_bot_days(account_daily, account_daily["date"].min(), account_daily["date"].max(), k=k)
    clean, removed = remove_bot_traffic(account_daily, flags)
    return BotCheck(clean_daily=clean, removed=removed,
                    removed_in_period=removed[removed["date"].between(start, end)],
                    unchecked=tuple(accounts_without_bot_check(account_daily)))
