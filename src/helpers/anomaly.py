"""The calibrated anomaly detector every analysis shares: robust STL or Hampel on a daily series.

Moved out of helpers.review.anomalies so that other analyses (the voice of the customer's 舆情
alerts) use the same calibrated machinery: the log scale for multiplicative noise, the robust
noise scale from season-over-season differences times the measured tail factor, the false-alarm
rate a threshold implies, and the festival windows (helpers.keydates) where a move is expected.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.tsa.seasonal import STL

from helpers import i18n
from helpers.errors import DataError, ParameterError
from helpers.keydates import year_dates

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


def check_detector_parameters(method: str, threshold: float, period: int, window: int,
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
    expected = fit.trend + fit.seasonal
    dragged = _dragged_outliers(filled, expected, np.asarray(fit.weights))
    if dragged.any():  # the fit went through points it had itself weighted 0: refit without them
        refill = filled.mask(dragged).interpolate(method="linear", limit_direction="both")
        refit = STL(refill, period=period, seasonal_deg=STL_SEASONAL_DEG, robust=True).fit()
        expected = expected.where(~dragged, refit.trend + refit.seasonal)
    return expected


def _dragged_outliers(values: pd.Series, expected: pd.Series, weights: np.ndarray) -> pd.Series:
    """Points STL's robustness weighting dropped (weight 0) yet its fit passes through (a degenerate fit).

    On a series that is almost all one value (a count that is mostly 0) the robust STL can end with
    its trend and seasonal on a spike it weighted 0, so the spike looks expected and never alerts.
    A point weighted 0 has a large residual unless the fit is degenerate, so the sign is a residual of
    about 0 (≤ 1e-6 of the value) on a point that differs from its neighbours' median.
    """
    level = values.rolling(7, center=True, min_periods=1).median()
    through = (values - expected).abs() <= 1e-6 * np.maximum(values.abs(), 1.0)
    return pd.Series((weights == 0) & through & (values != level), index=values.index)


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
    check_detector_parameters(method, threshold, period, window, transform)
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


def check_period(start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Normalise inclusive period bounds to days and check start ≤ end."""
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if start > end:
        raise ParameterError(f"Period start {start.date()} is after end {end.date()}.")
    return start, end



def festival_days(start: pd.Timestamp, end: pd.Timestamp, country: str = FESTIVAL_COUNTRY) -> pd.DataFrame:
    """The days of [start, end] inside a festival window (FESTIVAL_BEFORE_DAYS before one of the
    FESTIVAL_OCCASIONS to FESTIVAL_AFTER_DAYS after it).

    Columns: date, occasion (the occasions' names in the run's language, listed). The dates come from
    the holidays of `country` and the shipped marketing dates (helpers.keydates), as the content plan's.
    """
    start, end = check_period(start, end)
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
