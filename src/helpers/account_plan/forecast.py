"""Monthly KPI forecasts with simulated paths, and a rolling-origin backtest against a seasonal-naive baseline.

What is forecast. The plan KPIs of each own account, month by month after the last complete month up to
the horizon end, with the period review's definitions (helpers.review.kpis, not imported: analysis
packages never import each other):

- flows (monthly Σ of daily values): impressions, engagements, conversions, revenue; the inputs
  followers_gained and followers_lost are flows too;
- net follower change = Σgained − Σlost (a flow that can be negative; its paths are gained paths −
  lost paths); when gained/lost are not reported, the daily change of the followers column;
- followers, a stock: the value on the month's last day; its paths are the last actual followers +
  the cumulative net-change paths;
- engagement rate = Σengagements ÷ Σimpressions of the month (a ratio of sums, never a mean of daily
  rates); its paths are engagements paths ÷ impressions paths of the same simulation.

Missing is not zero: a metric an account does not report (an empty column, e.g. a platform without
conversions) gets no forecast and is listed as skipped with the reason, and a month with a missing day
is not complete: it is neither fitted on nor scored.

Method "model". Per account × base flow, a log-linear regression on the DAILY values (statsmodels OLS
on log1p(y); on the raw scale for a flow with negative days, i.e. a net change from the followers
column): intercept, a linear trend (years), day of week, the marketing calendar as known effects and
yearly Fourier terms. The calendar (helpers.keydates.year_dates) gives for each of ``OCCASIONS``
(Spring Festival, Labor Day, 618, National Day, Double 11, Double 12: the platform-moving dates of the
anomaly detector) two dummies: its run-up (warm-up start to the day before) and its days (the first
day to the last day of the holiday + ``helpers.anomaly.FESTIVAL_AFTER_DAYS``). Occasions are grouped
by name, so a dummy recurs every year; one never seen in the training window is dropped (it would
be unidentified). Fourier terms K=2 with ≥ 24 training months, K=1 with ≥ 13, none below (a yearly
cycle cannot be told from trend and noise in less than a year). Coefficient covariance: Newey–West
(HAC, 14 lags), because daily residuals are autocorrelated and the plain OLS covariance would make the
intervals too narrow.

Paths (n_sims per KPI): the future design's mean with coefficients drawn from N(β, Σ_HAC), plus
residuals resampled by a moving-block bootstrap (blocks of 14 days keep a fortnight's autocorrelation),
back-transformed with expm1 and clipped at 0, summed per month. The flows of an account share the
resampled residual days, so the cross-correlation of, say, engagements and impressions survives into
the engagement rate. One design matrix per series, the simulation in numpy.

Pitfalls. A log-linear trend extrapolates growth exponentially: over a long horizon it can run away,
and a trend break (a campaign ending) is not foreseen. With a short history the trend and the seasons
are confounded (hence K by history length and the backtest). Festivals whose date moves (Spring
Festival, Labor Day's days off) are placed by the calendar each year, so they are not smeared over
two months as a monthly seasonal profile would; but a one-off event in the history (a viral day) is
learnt as noise. The back-transform adds no bias term: the resampled residuals carry their own mean.

Baseline "seasonal naive". A month is forecast as the same month one year earlier, per day (flows:
value of m−12 ÷ its days × days of m; beyond 12 months ahead the last observed same month); the
engagement rate is the ratio of the two flows' forecasts (= the rate of m−12); followers and net change
via the flows as above. Its paths: the point × exp(ε), ε ~ N(0, sd) with sd the standard deviation of
the training history's year-over-year log errors log(y_m ÷ ŷ_m) (per day; for a net change from the
followers column, additive errors y_m − ŷ_m); with fewer than 3 such errors there is no interval and
the forecast says so. It needs ≥ 12 complete months; with fewer, only the model forecasts.

Backtest. Rolling origin over the last ``origins`` complete months as forecast starts, horizons
1..``max_horizon``, each origin trained on the complete months before it (origins with < 13 training
months are skipped). Per account × KPI × method, over all origin × horizon pairs: MASE (absolute error ÷
that origin's in-sample seasonal-naive scale, mean |y_t − y_{t−12}| over its training months: the M4
convention) and sMAPE (M4: 200·|y − ŷ| ÷ (|y| + |ŷ|), mean), with the number of pairs; the point forecast
is the median path. ``choose_methods`` keeps the model only where its MASE is lower than the baseline's.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from threadpoolctl import threadpool_limits

from helpers.anomaly import FESTIVAL_AFTER_DAYS
from helpers.errors import DataError, ParameterError, require_columns
from helpers.i18n import N_

__all__ = [
    "BASE_FLOWS",
    "BLOCK_DAYS",
    "KPI_KIND",
    "METHODS",
    "OCCASIONS",
    "PLAN_KPIS",
    "REASONS",
    "DailyFit",
    "ForecastSet",
    "KpiForecast",
    "accuracy_table",
    "backtest",
    "backtest_pairs",
    "calibrate",
    "choose_methods",
    "derive_paths",
    "festival_windows",
    "fit_daily_model",
    "forecast_kpis",
    "forecast_table",
    "interval_coverage",
    "interval_scale",
    "mase",
    "monthly_actuals",
    "seasonal_naive",
    "seasonal_scale",
    "simulate_daily",
    "skipped_kpis",
    "smape",
    "widen",
]

PLAN_KPIS: tuple[str, ...] = ("followers", "net_follower_change", "impressions", "engagements",
                              "engagement_rate", "conversions", "revenue")
#: How a KPI aggregates over a month: a flow is summed, a stock is the last day's value, a ratio is Σa ÷ Σb.
KPI_KIND: dict[str, str] = {"followers": "stock", "net_follower_change": "flow", "impressions": "flow",
                            "engagements": "flow", "engagement_rate": "ratio", "conversions": "flow",
                            "revenue": "flow"}
#: The daily flows the model is fitted on (followers_gained/lost are inputs of the net change).
BASE_FLOWS: tuple[str, ...] = ("impressions", "engagements", "conversions", "revenue", "followers_gained",
                               "followers_lost")
METHODS: tuple[str, ...] = ("model", "seasonal naive")
#: Occasion groups of the calendar (English names in helpers.keydates that start with one of the prefixes).
OCCASIONS: Mapping[str, tuple[str, ...]] = {
    "Spring Festival": ("Chinese New Year's Eve", "Chinese New Year (Spring Festival)"),
    "Labor Day": ("Labor Day",), "618": ("618",), "National Day": ("National Day",),
    "Double 11": ("Double 11",), "Double 12": ("Double 12",),
}
#: Days per block of the residual bootstrap.
BLOCK_DAYS: int = 14
#: Minimum complete training months: the model, the baseline, a backtest origin.
MIN_MODEL_MONTHS: int = 3
MIN_BASELINE_MONTHS: int = 12
MIN_BACKTEST_MONTHS: int = 13
#: choose_methods' reasons (stable English identifiers; the notebook maps them to translated text).
REASONS: tuple[str, ...] = (N_("model beats the baseline"), N_("the model does not beat the baseline"),
                            N_("model not backtested"), N_("not backtested: history too short"))
_KPI_INPUTS: dict[str, tuple[str, ...]] = {
    "impressions": ("impressions",), "engagements": ("engagements",), "conversions": ("conversions",),
    "revenue": ("revenue",), "engagement_rate": ("engagements", "impressions"),
}
_NET = "net_follower_change"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# The fits run on one BLAS thread (threadpoolctl): the model's matrices are small (≈ 700 × 30) and a
# multi-threaded BLAS spends more time on its threads than on them (on a busy 2-core machine 15× longer).
_DOW = ("Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --------------------------------------------------------------------------------------------
# Preparing one account's days
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Account:
    """One account's daily series on a gap-free day grid (missing days NaN) and what it cannot forecast."""

    account_id: str
    days: pd.DatetimeIndex
    flows: dict[str, np.ndarray]  # the modelled daily flows; _NET here only when derived from followers
    followers: np.ndarray | None
    skipped: dict[str, str]


def _month(text: str, name: str) -> pd.Period:
    """A 'YYYY-MM' parameter as a monthly Period; ParameterError otherwise."""
    if not isinstance(text, str) or not _MONTH.match(text):
        raise ParameterError(f"{name} must be a month written YYYY-MM (e.g. 2026-10); got {text!r}.")
    return pd.Period(text, freq="M")


def _column(rows: pd.DataFrame, column: str) -> np.ndarray | None:
    """A metric as float (NaN missing), or None when the column is absent or empty for the account."""
    if column not in rows.columns:
        return None
    try:
        values = rows[column].astype("float64").to_numpy()
    except (TypeError, ValueError) as exc:
        raise DataError(f"account_daily.{column} must be numeric ({exc}); fix the file and run again.") from exc
    return None if np.isnan(values).all() else values


def _prepare(daily: pd.DataFrame, account_id: str) -> _Account:
    """One account's rows on a complete day grid, with the reason for every KPI it cannot forecast."""
    rows = daily[daily["account_id"].astype(str) == account_id]
    if rows.empty:
        raise DataError(f"account_daily has no rows for account {account_id!r}; check the account list "
                        "or add its daily metrics.")
    dates = pd.to_datetime(rows["date"]).dt.normalize()
    twice = dates[dates.duplicated()]
    if not twice.empty:
        lines = ", ".join(str(i + 2) for i in twice.index[:5])
        raise DataError(f"account_daily has more than one row for account {account_id!r} on "
                        f"{twice.iloc[0].date()} (line(s) {lines}); keep one row per account and day.")
    rows = rows.set_index(dates).sort_index()
    grid = pd.date_range(rows.index[0], rows.index[-1], freq="D")
    rows = rows.reindex(grid)
    flows: dict[str, np.ndarray] = {}
    skipped: dict[str, str] = {}
    for name in BASE_FLOWS:
        values = _column(rows, name)
        if values is not None:
            flows[name] = values
    followers = _column(rows, "followers")
    for kpi, inputs in _KPI_INPUTS.items():
        absent = [c for c in inputs if c not in flows]
        if absent:
            skipped[kpi] = f"not reported: {' and '.join(absent)} empty for this account"
    if not {"followers_gained", "followers_lost"} <= set(flows):
        flows.pop("followers_gained", None)
        flows.pop("followers_lost", None)
        if followers is not None:
            flows[_NET] = np.diff(followers, prepend=np.nan)
        else:
            skipped[_NET] = "not reported: followers_gained/followers_lost and followers empty for this account"
    if followers is None:
        skipped["followers"] = "not reported: followers empty for this account"
    return _Account(account_id, grid, flows, followers, skipped)


def _check_daily(daily: pd.DataFrame, account_ids: Sequence[str]) -> list[str]:
    """The account ids as text after checking the table has date and account_id; ParameterError if none."""
    require_columns(daily, ["date", "account_id"], "account_daily")
    ids = [str(a) for a in account_ids]
    if not ids:
        raise ParameterError("no accounts to forecast: pass at least one own account id.")
    return ids


# --------------------------------------------------------------------------------------------
# Monthly actuals
# --------------------------------------------------------------------------------------------


def _monthly_flow(days: pd.DatetimeIndex, values: np.ndarray) -> pd.DataFrame:
    """Monthly sum over reported days, the days reported and whether every day of the month is reported."""
    frame = pd.DataFrame({"value": values, "ok": ~np.isnan(values)}, index=days)
    g = frame.groupby(days.to_period("M"))
    out = pd.DataFrame({"value": g["value"].sum(min_count=1), "days": g["ok"].sum().astype(int)})
    out["complete"] = out["days"].to_numpy() == out.index.days_in_month.to_numpy()
    return out


def _monthly_table(acc: _Account) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(value, days, complete) per month × series: the base flows and every plan KPI the account reports."""
    parts: dict[str, pd.DataFrame] = {name: _monthly_flow(acc.days, v) for name, v in acc.flows.items()}
    if _NET not in parts and "followers_gained" in parts:
        gained, lost = parts["followers_gained"], parts["followers_lost"]
        both = ~np.isnan(acc.flows["followers_gained"]) & ~np.isnan(acc.flows["followers_lost"])
        net = _monthly_flow(acc.days, np.where(both, acc.flows["followers_gained"] - acc.flows["followers_lost"],
                                               np.nan))
        net["complete"] = gained["complete"] & lost["complete"]
        parts[_NET] = net
    if acc.followers is not None:
        stock = _monthly_flow(acc.days, acc.followers)
        last = pd.Series(acc.followers, index=acc.days).groupby(acc.days.to_period("M")).last()
        stock["value"] = last.to_numpy()
        stock.loc[~stock["complete"], "value"] = last[~stock["complete"].to_numpy()].to_numpy()
        parts["followers"] = stock
    if "engagements" in acc.flows and "impressions" in acc.flows:
        e, i = acc.flows["engagements"], acc.flows["impressions"]
        both = ~np.isnan(e) & ~np.isnan(i)
        num = _monthly_flow(acc.days, np.where(both, e, np.nan))
        den = _monthly_flow(acc.days, np.where(both, i, np.nan))
        rate = num.copy()
        rate["value"] = (num["value"] / den["value"].where(den["value"] > 0)).astype(float)
        rate["complete"] = parts["engagements"]["complete"] & parts["impressions"]["complete"]
        parts["engagement_rate"] = rate
    value = pd.DataFrame({k: p["value"] for k, p in parts.items()})
    days = pd.DataFrame({k: p["days"] for k, p in parts.items()})
    complete = pd.DataFrame({k: p["complete"] for k, p in parts.items()})
    return value, days, complete


def _kpis_of(acc: _Account) -> list[str]:
    """The plan KPIs the account can be forecast on (not skipped), in PLAN_KPIS order."""
    return [k for k in PLAN_KPIS if k not in acc.skipped]


def monthly_actuals(daily: pd.DataFrame, account_ids: Sequence[str]) -> pd.DataFrame:
    """Monthly value of each plan KPI per account: account_id, kpi, month ('YYYY-MM'), value, days, complete.

    KPIs an account does not report have no rows; they are in ``attrs["skipped"]`` (account_id, kpi,
    reason). ``days`` is the number of days reporting the KPI (both parts for a ratio); a month is
    complete when every one of its days does.
    """
    frames = []
    for account_id in _check_daily(daily, account_ids):
        acc = _prepare(daily, account_id)
        value, days, complete = _monthly_table(acc)
        for kpi in _kpis_of(acc):
            frames.append(pd.DataFrame({
                "account_id": account_id, "kpi": kpi, "month": value.index.strftime("%Y-%m"),
                "value": value[kpi].to_numpy(), "days": days[kpi].to_numpy(),
                "complete": complete[kpi].to_numpy()}))
    columns = ["account_id", "kpi", "month", "value", "days", "complete"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    out = out.astype({"value": "float64", "days": "int64", "complete": "bool"})[columns]
    out.attrs["skipped"] = skipped_kpis(daily, account_ids)
    return out


def skipped_kpis(daily: pd.DataFrame, account_ids: Sequence[str]) -> pd.DataFrame:
    """The plan KPIs that cannot be forecast because the data do not report them: account_id, kpi, reason."""
    rows = []
    for account_id in _check_daily(daily, account_ids):
        acc = _prepare(daily, account_id)
        rows += [(account_id, kpi, acc.skipped[kpi]) for kpi in PLAN_KPIS if kpi in acc.skipped]
    return pd.DataFrame(rows, columns=["account_id", "kpi", "reason"])


# --------------------------------------------------------------------------------------------
# The calendar as known effects
# --------------------------------------------------------------------------------------------


def festival_windows(key_dates: pd.DataFrame) -> pd.DataFrame:
    """The occasions' windows per year: occasion, part ('run-up' or 'days'), start, end (inclusive days).

    ``key_dates`` is helpers.keydates.year_dates(...). The run-up runs from the earliest warm-up start
    of the occasion's rows that year to the day before its first day; the days from its first day to
    its last day + FESTIVAL_AFTER_DAYS.
    """
    require_columns(key_dates, ["date", "name", "warmup_start"], "key_dates")
    frame = key_dates.assign(date=pd.to_datetime(key_dates["date"]),
                             warmup_start=pd.to_datetime(key_dates["warmup_start"]))
    rows = []
    for occasion, prefixes in OCCASIONS.items():
        hit = frame[frame["name"].astype(str).map(lambda n, p=prefixes: n.startswith(p))]
        for _year, group in hit.groupby(hit["date"].dt.year):
            first, last = group["date"].min(), group["date"].max()
            warm = group["warmup_start"].min()
            if warm < first:
                rows.append((occasion, "run-up", warm, first - pd.Timedelta(days=1)))
            rows.append((occasion, "days", first, last + pd.Timedelta(days=FESTIVAL_AFTER_DAYS)))
    out = pd.DataFrame(rows, columns=["occasion", "part", "start", "end"])
    return out.astype({"start": "datetime64[ns]", "end": "datetime64[ns]"})


def _window_name(occasion: str, part: str) -> str:
    """The design column of an occasion's part: '618 run-up' or '618'."""
    return f"{occasion} run-up" if part == "run-up" else occasion


def _design(dates: pd.DatetimeIndex, origin: pd.Timestamp, windows: pd.DataFrame, fourier_k: int) -> pd.DataFrame:
    """Every candidate regressor on the days: const, trend (years since origin), weekdays, Fourier, occasions."""
    n = len(dates)
    cols: dict[str, np.ndarray] = {"const": np.ones(n),
                                   "trend": ((dates - origin).days.to_numpy() / 365.25).astype(float)}
    dow = dates.day_of_week.to_numpy()
    for i, name in enumerate(_DOW, start=1):
        cols[name] = (dow == i).astype(float)
    t = (dates - pd.Timestamp("1970-01-01")).days.to_numpy() / 365.25
    for k in range(1, fourier_k + 1):
        cols[f"sin{k}"] = np.sin(2 * np.pi * k * t)
        cols[f"cos{k}"] = np.cos(2 * np.pi * k * t)
    day = dates.to_numpy()
    for w in windows.itertuples():
        name = _window_name(str(w.occasion), str(w.part))
        inside = (day >= np.datetime64(w.start)) & (day <= np.datetime64(w.end))
        cols[name] = np.maximum(cols.get(name, np.zeros(n)), inside.astype(float))
    return pd.DataFrame(cols, index=dates)


def _fourier_k(history_months: int) -> int:
    """Yearly Fourier order by training history: 2 with ≥ 24 months, 1 with ≥ 13, else 0."""
    return 2 if history_months >= 24 else 1 if history_months >= 13 else 0


# --------------------------------------------------------------------------------------------
# The daily model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DailyFit:
    """A fitted daily log-linear model: coefficients, their HAC covariance and the residuals."""

    params: pd.Series
    cov: np.ndarray = field(repr=False)
    residuals: np.ndarray = field(repr=False)  # on the training day grid; missing days filled (see fit)
    log: bool
    fourier_k: int
    origin: pd.Timestamp
    windows: pd.DataFrame = field(repr=False)

    def design(self, dates: pd.DatetimeIndex, full: pd.DataFrame | None = None) -> np.ndarray:
        """The model's design matrix on the days (its columns, in order; from ``full`` when given)."""
        full = _design(dates, self.origin, self.windows, self.fourier_k) if full is None else full
        return full[list(self.params.index)].to_numpy()


def fit_daily_model(dates: pd.DatetimeIndex, y: np.ndarray, *, windows: pd.DataFrame, history_months: int,
                    log: bool = True, fit_mask: np.ndarray | None = None, rng: np.random.Generator | None = None,
                    origin: pd.Timestamp | None = None, design: pd.DataFrame | None = None) -> DailyFit:
    """OLS of log1p(y) (or y) on the design over the days (a gap-free grid) where fit_mask holds and y is known.

    Regressors never seen in the fitted days (zero throughout) are dropped. Residuals of days not fitted are
    filled with residuals of fitted days drawn at random, so the block bootstrap can run on the whole grid.
    ``origin`` (the trend's zero, default the first fitted day) and ``design`` (``_design`` of the days with
    that origin and Fourier order 2, computed once for several series) only save time.
    """
    dates = pd.DatetimeIndex(dates)
    y = np.asarray(y, dtype=float)
    use = ~np.isnan(y) if fit_mask is None else (np.asarray(fit_mask, bool) & ~np.isnan(y))
    if use.sum() < 28:
        raise ParameterError("the daily model needs at least 28 reported days to fit.")
    k = _fourier_k(history_months)
    origin = dates[use][0] if origin is None else origin
    full = _design(dates, origin, windows, 2) if design is None else design
    full = full.drop(columns=[f"{f}{j}" for j in range(k + 1, 3) for f in ("sin", "cos")])
    seen = full[use].abs().sum(axis=0) > 0
    design = full.loc[:, seen]
    z = np.log1p(np.clip(y, 0, None)) if log else y
    fit = sm.OLS(z[use], design.to_numpy()[use]).fit(cov_type="HAC", cov_kwds={"maxlags": BLOCK_DAYS})
    params = pd.Series(np.asarray(fit.params), index=design.columns)
    resid = np.full(len(dates), np.nan)
    resid[use] = np.asarray(fit.resid)
    holes = np.isnan(resid)
    if holes.any():
        pool = resid[~holes]
        gen = rng if rng is not None else np.random.default_rng(0)
        resid[holes] = pool[gen.integers(0, len(pool), size=int(holes.sum()))]
    return DailyFit(params=params, cov=np.asarray(fit.cov_params()), residuals=resid, log=log, fourier_k=k,
                    origin=origin, windows=windows)


def _block_index(grid_days: int, horizon_days: int, n_sims: int, rng: np.random.Generator) -> np.ndarray:
    """Moving-block bootstrap positions (n_sims, horizon_days) into a residual grid of grid_days days."""
    block = min(BLOCK_DAYS, grid_days)
    n_blocks = -(-horizon_days // block)
    starts = rng.integers(0, grid_days - block + 1, size=(n_sims, n_blocks))
    index = starts[:, :, None] + np.arange(block)[None, None, :]
    return index.reshape(n_sims, n_blocks * block)[:, :horizon_days]


def simulate_daily(fit: DailyFit, dates: pd.DatetimeIndex, *, n_sims: int, rng: np.random.Generator,
                   block_index: np.ndarray | None = None, design: pd.DataFrame | None = None) -> np.ndarray:
    """Daily paths (n_sims, days): mean with coefficient draws + block-bootstrapped residuals, back-transformed.

    ``design``: the days' candidate regressors with the fit's origin (saves recomputing them per series).
    """
    x = fit.design(pd.DatetimeIndex(dates), design)
    beta = rng.multivariate_normal(fit.params.to_numpy(), fit.cov, size=n_sims, method="eigh")
    index = block_index if block_index is not None else _block_index(len(fit.residuals), len(dates), n_sims, rng)
    z = beta @ x.T + fit.residuals[index]
    return np.clip(np.expm1(z), 0, None) if fit.log else z


def _month_sums(paths: np.ndarray, dates: pd.DatetimeIndex) -> np.ndarray:
    """Daily paths (n_sims, days) summed per calendar month (the days are consecutive)."""
    periods = dates.to_period("M")
    starts = np.flatnonzero(np.r_[True, periods[1:] != periods[:-1]])
    return np.add.reduceat(paths, starts, axis=1)


def derive_paths(flow_paths: Mapping[str, np.ndarray], *, last_followers: float) -> dict[str, np.ndarray]:
    """KPI paths (n_sims, months) from monthly flow paths of the same simulations.

    Flows pass through; net follower change = gained − lost (or the given net-change paths); followers =
    last_followers + cumulative net change; engagement rate = engagements ÷ impressions (NaN where 0).
    """
    out = {k: np.asarray(flow_paths[k], float) for k in ("impressions", "engagements", "conversions", "revenue")
           if k in flow_paths}
    if "followers_gained" in flow_paths and "followers_lost" in flow_paths:
        out[_NET] = np.asarray(flow_paths["followers_gained"], float) - np.asarray(flow_paths["followers_lost"], float)
    elif _NET in flow_paths:
        out[_NET] = np.asarray(flow_paths[_NET], float)
    if _NET in out and np.isfinite(last_followers):
        out["followers"] = last_followers + np.cumsum(out[_NET], axis=1)
    if "engagements" in out and "impressions" in out:
        imp = out["impressions"]
        out["engagement_rate"] = np.divide(out["engagements"], imp, out=np.full(imp.shape, np.nan), where=imp > 0)
    return out


def _rng(seed: int, *parts: str | int) -> np.random.Generator:
    """A generator per account (and origin), so one account's numbers never shift another's."""
    return np.random.default_rng([seed, *(zlib.crc32(str(p).encode()) for p in parts)])


def _model_paths(acc: _Account, complete: pd.DataFrame, train_end: pd.Period, months: list[pd.Period],
                 windows: pd.DataFrame, n_sims: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Monthly flow paths of the model for the months, fitted on each flow's complete months ≤ train_end."""
    future = pd.date_range(months[0].start_time, months[-1].end_time.normalize(), freq="D")
    day_months = acc.days.to_period("M")
    grid = day_months <= train_end
    dates = acc.days[grid]
    if len(dates) < BLOCK_DAYS:
        return {}
    index = _block_index(len(dates), len(future), n_sims, rng)
    origin = acc.days[0]
    past, ahead = _design(dates, origin, windows, 2), _design(future, origin, windows, 2)
    out: dict[str, np.ndarray] = {}
    for name, values in acc.flows.items():
        good = complete.index[complete[name].to_numpy() & (complete.index <= train_end)]
        if len(good) < MIN_MODEL_MONTHS:
            continue
        y = values[grid]
        log = bool(np.nanmin(y) >= 0)
        fit = fit_daily_model(dates, y, windows=windows, history_months=len(good), log=log,
                              fit_mask=day_months[grid].isin(good), rng=rng, origin=origin, design=past)
        paths = simulate_daily(fit, future, n_sims=n_sims, rng=rng, block_index=index, design=ahead)
        out[name] = _month_sums(paths, future)
    return out


# --------------------------------------------------------------------------------------------
# The seasonal-naive baseline
# --------------------------------------------------------------------------------------------


def _as_period_series(history: pd.Series) -> pd.Series:
    """A monthly series indexed by Period[M] (from 'YYYY-MM' strings or periods), sorted."""
    index = pd.PeriodIndex([pd.Period(str(m), freq="M") for m in history.index], freq="M")
    return pd.Series(history.to_numpy(dtype=float), index=index).sort_index()


def seasonal_naive(history: pd.Series, months: Sequence[str], *, per_day: bool = True) -> pd.Series:
    """Same month one year earlier (the last observed same month beyond 12 months ahead) for each month.

    ``history``: monthly values by 'YYYY-MM' (NaN = missing). With ``per_day`` (flows) the value is
    scaled by days of m ÷ days of the base month; without (rates, levels) it is taken as it is. NaN where
    the base month is missing.
    """
    hist = _as_period_series(history)
    last = hist.index.max()
    out = []
    for text in months:
        m = pd.Period(str(text), freq="M")
        base = m - 12
        while base > last:
            base -= 12
        value = hist.get(base, np.nan)
        out.append(value * m.days_in_month / base.days_in_month if per_day else value)
    return pd.Series(out, index=[str(m) for m in months], dtype=float)


def _yoy_errors(hist: pd.Series, *, per_day: bool, additive: bool) -> np.ndarray:
    """In-sample seasonal-naive errors of the history: log(y_m ÷ ŷ_m) (or y_m − ŷ_m when additive)."""
    prior = hist.reindex(hist.index - 12).to_numpy()
    scale = (hist.index.days_in_month / (hist.index - 12).days_in_month).to_numpy() if per_day else 1.0
    y, yhat = hist.to_numpy(), prior * scale
    ok = ~np.isnan(y) & ~np.isnan(yhat)
    if additive:
        return (y - yhat)[ok]
    ok &= (y > 0) & (yhat > 0)
    return np.log(y[ok] / yhat[ok])


def _noise_paths(point: np.ndarray, errors: np.ndarray, n_sims: int, rng: np.random.Generator,
                 additive: bool) -> tuple[np.ndarray, str]:
    """Baseline paths: point × exp(N(0, sd)) (or + N(0, sd)); no spread with fewer than 3 errors (say so)."""
    if len(errors) < 3:
        note = f"no interval: {len(errors)} year-over-year comparison(s) in the history, 3 needed"
        return np.repeat(point[None, :], n_sims, axis=0), note
    noise = rng.normal(0.0, float(np.std(errors, ddof=1)), size=(n_sims, len(point)))
    return (point + noise if additive else point * np.exp(noise)), ""


def _baseline_paths(acc: _Account, value: pd.DataFrame, complete: pd.DataFrame, train_end: pd.Period,
                    months: list[pd.Period], n_sims: int, rng: np.random.Generator
                    ) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Seasonal-naive KPI paths for the months from the complete months ≤ train_end, and notes per KPI."""
    known = value.where(complete).loc[value.index <= train_end]
    labels = [str(m) for m in months]
    flows: dict[str, np.ndarray] = {}
    notes: dict[str, str] = {}
    for name in acc.flows:
        hist = known[name].dropna()
        if len(hist) < MIN_BASELINE_MONTHS:
            continue
        additive = name == _NET
        point = seasonal_naive(known[name], labels).to_numpy()
        flows[name], notes[name] = _noise_paths(point, _yoy_errors(known[name], per_day=True, additive=additive),
                                                n_sims, rng, additive)
    last = known["followers"].get(train_end, np.nan) if "followers" in known else np.nan
    paths = derive_paths(flows, last_followers=float(last))
    kpi_notes = {k: notes.get(k, "") for k in paths}
    if _NET in paths:
        parts = [notes.get(n, "") for n in ("followers_gained", "followers_lost", _NET)]
        kpi_notes[_NET] = kpi_notes["followers"] = next((p for p in parts if p), "")
    if "engagement_rate" in paths:
        hist = known["engagement_rate"]
        point = seasonal_naive(hist, labels, per_day=False).to_numpy()
        paths["engagement_rate"], kpi_notes["engagement_rate"] = _noise_paths(
            point, _yoy_errors(hist, per_day=False, additive=False), n_sims, rng, False)
    return paths, kpi_notes


# --------------------------------------------------------------------------------------------
# Accuracy
# --------------------------------------------------------------------------------------------


def smape(actual: np.ndarray | Sequence[float], forecast: np.ndarray | Sequence[float]) -> float:
    """M4 sMAPE: mean of 200·|y − ŷ| ÷ (|y| + |ŷ|) in percent (a pair with y = ŷ = 0 counts 0)."""
    y, f = np.asarray(actual, float), np.asarray(forecast, float)
    den = np.abs(y) + np.abs(f)
    terms = np.divide(200.0 * np.abs(y - f), den, out=np.zeros_like(den), where=den > 0)
    return float(np.mean(terms))


def seasonal_scale(history: pd.Series) -> float:
    """The M4 MASE scale: mean |y_t − y_{t−12}| over the months of the history that have both (NaN if none)."""
    hist = _as_period_series(history)
    diff = (hist - hist.reindex(hist.index - 12).to_numpy()).dropna()
    return float(np.abs(diff).mean()) if len(diff) else np.nan


def mase(actual: np.ndarray | Sequence[float], forecast: np.ndarray | Sequence[float],
         scale: np.ndarray | Sequence[float] | float) -> float:
    """Mean of |y − ŷ| ÷ scale (a scale per pair, e.g. per origin); NaN where a scale is 0 or missing."""
    y, f = np.asarray(actual, float), np.asarray(forecast, float)
    s = np.broadcast_to(np.asarray(scale, float), y.shape)
    if not len(y) or (~np.isfinite(s) | (s <= 0)).any():
        return np.nan
    return float(np.mean(np.abs(y - f) / s))


def interval_coverage(actual: pd.Series, low: pd.Series, high: pd.Series) -> float:
    """Share of actuals inside their prediction interval (NaN when no pair has an interval)."""
    ok = low.notna() & high.notna() & actual.notna()
    if not ok.any():
        return float("nan")
    return float(((actual[ok] >= low[ok]) & (actual[ok] <= high[ok])).mean())


def accuracy_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """MASE, sMAPE and the 80 % interval's coverage per account × KPI × method from backtest pairs.

    Columns: account_id, kpi, method, mase, smape, coverage_80 (NaN without p10/p90), n_pairs.
    """
    rows = []
    for (account_id, kpi, method), g in pairs.groupby(["account_id", "kpi", "method"], sort=False):
        coverage = (interval_coverage(g["actual"], g["p10"], g["p90"]) if {"p10", "p90"} <= set(g.columns)
                    else float("nan"))
        rows.append((account_id, kpi, method, mase(g["actual"], g["forecast"], g["scale"]),
                     smape(g["actual"], g["forecast"]), coverage, len(g)))
    return pd.DataFrame(rows, columns=["account_id", "kpi", "method", "mase", "smape", "coverage_80", "n_pairs"])


# --------------------------------------------------------------------------------------------
# Backtest
# --------------------------------------------------------------------------------------------


def _account_months(complete: pd.DataFrame, kpis: Sequence[str], last: pd.Period | None) -> pd.PeriodIndex:
    """Months complete for every KPI the account forecasts (and ≤ last when given)."""
    ok = complete[list(kpis)].all(axis=1)
    months = complete.index[ok.to_numpy()]
    return months[months <= last] if last is not None else months


def _check_key_dates(key_dates: pd.DataFrame, first: pd.Period, last: pd.Period) -> pd.DataFrame:
    """The festival windows, after checking the calendar covers every year from first to last."""
    require_columns(key_dates, ["date", "name", "warmup_start"], "key_dates")
    have = set(pd.to_datetime(key_dates["date"]).dt.year)
    need = set(range(first.year, last.year + 1))
    if not need <= have:
        raise ParameterError(f"key_dates lacks the year(s) {sorted(need - have)}; pass "
                             f"helpers.keydates.year_dates(range({first.year}, {last.year + 1})).")
    return festival_windows(key_dates)


def backtest_pairs(daily: pd.DataFrame, account_ids: Sequence[str], *, key_dates: pd.DataFrame, origins: int = 6,
                   max_horizon: int = 3, n_sims: int = 200, seed: int = 0, last_month: str | None = None
                   ) -> pd.DataFrame:
    """Rolling-origin forecasts of both methods: account_id, kpi, method, origin, horizon, month, actual,
    forecast (median path), scale (the origin's M4 scale), p10 and p90 (the 80 % prediction interval)."""
    if origins < 1 or max_horizon < 1:
        raise ParameterError(f"origins and max_horizon must be ≥ 1; got {origins} and {max_horizon}.")
    last = _month(last_month, "last_month") if last_month is not None else None
    rows: list[tuple] = []
    with threadpool_limits(limits=1, user_api="blas"):  # small fits: see the note above _DOW
        for account_id in _check_daily(daily, account_ids):
            rows += _account_pairs(daily, account_id, key_dates, last, origins, max_horizon, n_sims, seed)
    columns = ["account_id", "kpi", "method", "origin", "horizon", "month", "actual", "forecast", "scale", "p10",
               "p90"]
    return pd.DataFrame(rows, columns=columns)


def _account_pairs(daily: pd.DataFrame, account_id: str, key_dates: pd.DataFrame, last: pd.Period | None,
                   origins: int, max_horizon: int, n_sims: int, seed: int) -> list[tuple]:
    """The backtest pairs of one account over its last complete months as origins."""
    rows: list[tuple] = []
    acc = _prepare(daily, account_id)
    value, _days, complete = _monthly_table(acc)
    kpis = _kpis_of(acc)
    months = _account_months(complete, kpis, last)
    if len(months) <= MIN_BACKTEST_MONTHS:
        return rows
    windows = _check_key_dates(key_dates, acc.days[0].to_period("M"), months[-1])
    for origin in months[-origins:]:
        if (months < origin).sum() < MIN_BACKTEST_MONTHS:
            continue
        rows += _origin_rows(acc, value, complete, kpis, origin, months, windows, max_horizon, n_sims,
                             _rng(seed, account_id, str(origin)))
    return rows


def _origin_rows(acc: _Account, value: pd.DataFrame, complete: pd.DataFrame, kpis: Sequence[str],
                 origin: pd.Period, months: pd.PeriodIndex, windows: pd.DataFrame, max_horizon: int,
                 n_sims: int, rng: np.random.Generator) -> list[tuple]:
    """The backtest pairs of one account at one origin (both methods, every KPI, horizons up to the data)."""
    targets = [origin + h for h in range(max_horizon) if origin + h <= months[-1]]
    train_end = origin - 1
    flows = _model_paths(acc, complete, train_end, targets, windows, n_sims, rng)
    known = value.where(complete)
    last = float(known["followers"].get(train_end, np.nan)) if "followers" in known else np.nan
    by_method = {"model": derive_paths(flows, last_followers=last),
                 "seasonal naive": _baseline_paths(acc, value, complete, train_end, targets, n_sims, rng)[0]}
    rows = []
    for kpi in kpis:
        scale = seasonal_scale(known.loc[known.index <= train_end, kpi])
        for method, paths in by_method.items():
            if kpi not in paths:
                continue
            low, point, high = np.quantile(paths[kpi], [0.1, 0.5, 0.9], axis=0)
            for h, month in enumerate(targets):
                if complete[kpi].get(month, False):
                    rows.append((acc.account_id, kpi, method, str(origin), h + 1, str(month),
                                 float(value.at[month, kpi]), float(point[h]), scale, float(low[h]),
                                 float(high[h])))
    return rows


def backtest(daily: pd.DataFrame, account_ids: Sequence[str], *, key_dates: pd.DataFrame, origins: int = 6,
             max_horizon: int = 3, n_sims: int = 200, seed: int = 0, last_month: str | None = None
             ) -> pd.DataFrame:
    """Backtest accuracy: account_id, kpi, method, mase, smape, coverage_80, n_pairs, note — a row per forecastable
    account × KPI × method (n_pairs 0 and a note where it could not be backtested); the pairs in
    ``attrs["pairs"]`` (see backtest_pairs)."""
    pairs = backtest_pairs(daily, account_ids, key_dates=key_dates, origins=origins, max_horizon=max_horizon,
                           n_sims=n_sims, seed=seed, last_month=last_month)
    scored = accuracy_table(pairs)
    rows = []
    for account_id in _check_daily(daily, account_ids):
        for kpi in _kpis_of(_prepare(daily, account_id)):
            for method in METHODS:
                hit = scored[(scored["account_id"] == account_id) & (scored["kpi"] == kpi)
                             & (scored["method"] == method)]
                if len(hit):
                    r = hit.iloc[0]
                    note = "" if np.isfinite(r["mase"]) else "no MASE: the history's seasonal scale is 0 or missing"
                    rows.append((account_id, kpi, method, r["mase"], r["smape"], r["coverage_80"],
                                 int(r["n_pairs"]), note))
                else:
                    rows.append((account_id, kpi, method, np.nan, np.nan, np.nan, 0,
                                 f"not backtested: fewer than {MIN_BACKTEST_MONTHS} complete months before "
                                 "any origin"))
    out = pd.DataFrame(rows, columns=["account_id", "kpi", "method", "mase", "smape", "coverage_80", "n_pairs",
                                      "note"])
    out.attrs["pairs"] = pairs
    return out


def choose_methods(accuracy: pd.DataFrame) -> pd.DataFrame:
    """The method per account × KPI: the model only where its MASE is lower than the baseline's.

    Columns: account_id, kpi, method, model_mase, baseline_mase, reason (one of REASONS). Where neither was
    backtested the model is kept (the baseline may not even exist) and the reason says so.
    """
    require_columns(accuracy, ["account_id", "kpi", "method", "mase"], "backtest accuracy")
    wide = accuracy.pivot_table(index=["account_id", "kpi"], columns="method", values="mase", sort=False,
                                dropna=False, aggfunc="first")
    rows = []
    for (account_id, kpi), r in wide.iterrows():
        model, base = float(r.get("model", np.nan)), float(r.get("seasonal naive", np.nan))
        if np.isfinite(model) and np.isfinite(base):
            better = model < base
            method, reason = ("model", REASONS[0]) if better else ("seasonal naive", REASONS[1])
        elif np.isfinite(base):
            method, reason = "seasonal naive", REASONS[2]
        else:
            method, reason = "model", REASONS[3]
        rows.append((account_id, kpi, method, model, base, reason))
    return pd.DataFrame(rows, columns=["account_id", "kpi", "method", "model_mase", "baseline_mase", "reason"])


# --------------------------------------------------------------------------------------------
# The plan's forecast
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class KpiForecast:
    """One account × KPI forecast: the method, the months ('YYYY-MM') and the simulated monthly values."""

    account_id: str
    kpi: str
    method: str
    months: tuple[str, ...]
    paths: np.ndarray  # (n_sims, len(months))
    note: str = ""

    def __repr__(self) -> str:
        span = f"{self.months[0]}..{self.months[-1]}" if self.months else "no months"
        p50 = np.round(self.quantile(0.5), 4).tolist() if self.months else []
        extra = f", note={self.note!r}" if self.note else ""
        return (f"KpiForecast({self.account_id}, {self.kpi}, {self.method}, {span}, {self.paths.shape[0]} paths, "
                f"p50={p50[:3]}{'…' if len(p50) > 3 else ''}{extra})")

    def quantile(self, q: float) -> np.ndarray:
        """The q-quantile of each month's simulated values."""
        return np.quantile(self.paths, q, axis=0)

    def prob_at_least(self, threshold: float | np.ndarray) -> np.ndarray:
        """Per month, the share of paths reaching the threshold (a value or one per month)."""
        return np.mean(self.paths >= np.asarray(threshold, float), axis=0)


class ForecastSet(dict[tuple[str, str], KpiForecast]):
    """Forecasts by (account_id, kpi); ``skipped`` lists the account × KPIs without one (account_id, kpi, reason)."""

    skipped: pd.DataFrame

    def __init__(self, items: Mapping[tuple[str, str], KpiForecast], skipped: pd.DataFrame) -> None:
        super().__init__(items)
        self.skipped = skipped


def _wanted_method(methods: pd.DataFrame | str | None, account_id: str, kpi: str) -> str:
    """The method asked for an account × KPI (default: the model)."""
    if methods is None:
        return "model"
    if isinstance(methods, str):
        return methods
    hit = methods[(methods["account_id"] == account_id) & (methods["kpi"] == kpi)]
    return str(hit["method"].iloc[0]) if len(hit) else "model"


def _check_methods(methods: pd.DataFrame | str | None) -> None:
    """ParameterError for a method name that is not one of METHODS."""
    if methods is None:
        return
    names = {methods} if isinstance(methods, str) else set(methods["method"].astype(str))
    unknown = sorted(names - set(METHODS))
    if unknown:
        raise ParameterError(f"unknown forecast method(s) {unknown}; use one of {list(METHODS)}.")


def forecast_kpis(daily: pd.DataFrame, account_ids: Sequence[str], *, last_month: str, horizon_end: str,
                  key_dates: pd.DataFrame, methods: pd.DataFrame | str | None = None, n_sims: int = 1000,
                  seed: int = 0) -> ForecastSet:
    """Monthly forecasts of the plan KPIs from last_month + 1 to horizon_end, fitted on complete months ≤ last_month.

    ``methods``: choose_methods' table, or one method for all (default: the model). Where the baseline
    is asked for but the history is under 12 months, the model is used and the note says so.
    """
    last, end = _month(last_month, "last_month"), _month(horizon_end, "horizon_end")
    if end <= last:
        raise ParameterError(f"horizon_end {horizon_end} must be after last_month {last_month}.")
    _check_methods(methods)
    months = list(pd.period_range(last + 1, end, freq="M"))
    labels = tuple(str(m) for m in months)
    items: dict[tuple[str, str], KpiForecast] = {}
    skipped = [tuple(r) for r in skipped_kpis(daily, account_ids).itertuples(index=False)]
    for account_id in _check_daily(daily, account_ids):
        acc = _prepare(daily, account_id)
        value, _days, complete = _monthly_table(acc)
        windows = _check_key_dates(key_dates, acc.days[0].to_period("M"), end)
        with threadpool_limits(limits=1, user_api="blas"):  # small fits: see the note above _DOW
            model_flows = _model_paths(acc, complete, last, months, windows, n_sims, _rng(seed, account_id))
        known = value.where(complete)
        last_followers = float(known["followers"].get(last, np.nan)) if "followers" in known else np.nan
        model = derive_paths(model_flows, last_followers=last_followers)
        base, notes = _baseline_paths(acc, value, complete, last, months, n_sims, _rng(seed, account_id, "baseline"))
        for kpi in _kpis_of(acc):
            wanted = _wanted_method(methods, account_id, kpi)
            if wanted == "seasonal naive" and kpi in base:
                items[(account_id, kpi)] = KpiForecast(account_id, kpi, wanted, labels, base[kpi], notes[kpi])
            elif kpi in model:
                note = "" if wanted == "model" else "seasonal naive not available: fewer than 12 complete months"
                items[(account_id, kpi)] = KpiForecast(account_id, kpi, "model", labels, model[kpi], note)
            else:
                skipped.append((account_id, kpi, _why_not(kpi, complete, last)))
    return ForecastSet(items, pd.DataFrame(skipped, columns=["account_id", "kpi", "reason"]))


def _why_not(kpi: str, complete: pd.DataFrame, last: pd.Period) -> str:
    """Why a reported KPI has no forecast: too little complete history, or last_month incomplete."""
    if kpi == "followers" and not complete["followers"].get(last, False):
        return f"{last} is not complete: no last followers count to start from"
    return f"fewer than {MIN_MODEL_MONTHS} complete months up to {last}"


def forecast_table(forecasts: Mapping[tuple[str, str], KpiForecast]) -> pd.DataFrame:
    """One row per account × KPI × month: account_id, kpi, month, method, p10, p50, p90."""
    frames = []
    for f in forecasts.values():
        q = np.quantile(f.paths, [0.1, 0.5, 0.9], axis=0)
        frames.append(pd.DataFrame({"account_id": f.account_id, "kpi": f.kpi, "month": list(f.months),
                                    "method": f.method, "p10": q[0], "p50": q[1], "p90": q[2]}))
    columns = ["account_id", "kpi", "month", "method", "p10", "p50", "p90"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


# --------------------------------------------------------------------------------------------
# Calibration of the intervals by the backtest
# --------------------------------------------------------------------------------------------

#: Fewest backtested months a KPI × method needs before its interval is recalibrated.
MIN_CALIBRATION_PAIRS: int = 10
#: The interval is never narrowed or widened beyond these factors (a backtest is a handful of months).
CALIBRATION_LIMITS: tuple[float, float] = (0.5, 5.0)


def interval_scale(pairs: pd.DataFrame, coverage: float = 0.8) -> pd.DataFrame:
    """Per KPI × method, the factor that stretches the 80 % intervals so ``coverage`` of backtested months fit.

    Each backtested month's error is measured in half-widths of its own interval on the error's side
    (|actual − median| ÷ (p90 − median) above the median, ÷ (median − p10) below); the factor is the
    ``coverage`` quantile of these ratios, kept within CALIBRATION_LIMITS, and 1 (no change) with fewer than
    MIN_CALIBRATION_PAIRS months. Pooled over accounts: one account has too few months. Columns: kpi,
    method, factor, coverage_before, n_pairs.
    """
    rows = []
    for (kpi, method), g in pairs.groupby(["kpi", "method"], sort=False):
        err = g["actual"] - g["forecast"]
        half = np.where(err >= 0, g["p90"] - g["forecast"], g["forecast"] - g["p10"])
        ok = np.isfinite(half) & (half > 0) & err.notna().to_numpy()
        ratios = np.abs(err.to_numpy()[ok]) / half[ok]
        factor = (float(np.clip(np.quantile(ratios, coverage), *CALIBRATION_LIMITS))
                  if len(ratios) >= MIN_CALIBRATION_PAIRS else 1.0)
        rows.append((kpi, method, factor, interval_coverage(g["actual"], g["p10"], g["p90"]), int(ok.sum())))
    return pd.DataFrame(rows, columns=["kpi", "method", "factor", "coverage_before", "n_pairs"])


def widen(forecast: KpiForecast, factor: float) -> KpiForecast:
    """The forecast with every path's distance from the monthly median multiplied by ``factor``.

    The median stays; a flow that cannot be negative is clipped at 0 (a net follower change can be).
    """
    median = np.median(forecast.paths, axis=0)
    paths = median + factor * (forecast.paths - median)
    if forecast.kpi != _NET and KPI_KIND.get(forecast.kpi) != "ratio":
        paths = np.maximum(paths, 0.0)
    return KpiForecast(forecast.account_id, forecast.kpi, forecast.method, forecast.months, paths, forecast.note)


def calibrate(forecasts: ForecastSet, scale: pd.DataFrame) -> ForecastSet:
    """Each forecast widened (or narrowed) by its KPI × method's backtest factor; unknown pairs unchanged."""
    factors = {(str(k), str(m)): float(f) for k, m, f in zip(scale["kpi"], scale["method"], scale["factor"],
                                                              strict=True)}
    out = {key: widen(fc, factors.get((fc.kpi, fc.method), 1.0)) for key, fc in forecasts.items()}
    return ForecastSet(out, forecasts.skipped)
