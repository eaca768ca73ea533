"""Budget by return: response curves per campaign or channel, and the next period's allocation.

Method
- Daily totals per unit (campaign or channel) of spend and the outcome (revenue or conversions); a day
  whose outcome is missing in any row is left out (missing is not zero), as are days without spend.
- Two models, each with a festival factor m (outcome × m on days inside a festival window of
  ``helpers.anomaly.festival_days``: 7 days before Spring Festival, Labor Day, 618, National Day,
  Double 11, Double 12 to 2 after): the saturating curve  outcome = a·(1 − exp(−spend/b))·m^F  and the
  constant-returns line  outcome = r·spend·m^F. Both are fitted by weighted least squares
  (``scipy.optimize.curve_fit``, variance ∝ spend, so without festival days r = Σ outcome ÷ Σ spend, the
  average ROAS), the curve from the best b of a log grid (a is linear given b), bounded a, b > 0.
- The curve is used only when the data identify it: ≥ ``MIN_DAYS`` days with spend, a coefficient of
  variation of daily spend ≥ ``MIN_SPEND_CV``, an AIC at least ``AIC_MARGIN`` below the line's, and b's
  95 % interval (± 1.96 standard errors) inside (0, ``B_MAX_MULTIPLE`` × the largest daily spend].
  Otherwise the line is used; its warning names why when the data could not tell (too few days, too
  little spend variation, b not identified). A line that simply fits better carries no warning.
- Uncertainty: parameter draws from a multivariate normal with the fit's covariance (a, b kept > 0).
  The intervals are those of the EXPECTED return (the curve's uncertainty), not of a single period's
  realised return, which also has day-to-day noise.
- Allocation: per day, evenly over the period. The flexible reserve and the test slice are set aside
  first. A unit on the fallback line is *held* at last period's pace (the only spend its average ROAS is
  known at; a line extrapolated further would be a guess), within its minimum and stop-loss cap. The test
  slice goes in equal parts to the units named in ``test_units`` (new channels, or units to scale up);
  when none is named it funds budget tests of the held units (spend above their pace, so the next plan
  can identify their curve); with neither it joins the unplaced money. The rest goes to the units with
  an identified curve by equal-marginal water-filling (bisection on the marginal ROAS λ; exact for
  concave curves) between each unit's minimum and its maximum, where the maximum is also capped at the
  spend at which the unit's MARGINAL ROAS reaches the stop-loss: the methodology stops spending where ROI
  falls under 3:1, and for a diminishing curve the yuan that falls under it is the next one, while the
  average still looks healthy (the planted seeding campaign: average 4.4, next yuan 2.6).

Choices and pitfalls
- Festival days are modelled as a lift, so the curves describe ordinary days; the plan allocates
  ordinary days. Without the factor, more spend on festival days (when conversion rates are high anyway)
  would make a curve look steeper than it is. Festival pushes are what the reserve is for.
- A curve is only known over the spend observed: the default maximum (2 × last period's spend) keeps the
  plan near it. The line's constant returns are an upper bound beyond the observed range.
- Units are fitted independently; cannibalisation between channels is not modelled.
- The optimum maximises the expected outcome (revenue), not profit: money is spent until the budget is
  placed or every unit is at its maximum or stop-loss cap; what is left over is "unplaced", reported
  with its reason and held with the reserve.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import curve_fit

from helpers import i18n
from helpers.anomaly import festival_days
from helpers.errors import DataError, ParameterError, require_columns
from helpers.i18n import _

#: Units ``daily_spend_and_return`` groups by, and outcomes it sums.
BY: tuple[str, ...] = ("campaign_id", "channel")
OUTCOMES: tuple[str, ...] = ("revenue", "conversions")
#: Curve shapes.
SHAPES: tuple[str, ...] = ("saturating", "constant")
#: Defaults of the identification checks.
MIN_SPEND_CV: float = 0.2
MIN_DAYS: int = 60
#: The saturating curve must beat the line's AIC by at least this much (Burnham & Anderson: < 2 is no evidence).
AIC_MARGIN: float = 2.0
#: b's 95 % interval must end below this multiple of the largest daily spend (beyond it the curve is a line).
B_MAX_MULTIPLE: float = 5.0
#: Festival days (and ordinary days) needed to fit the festival factor; with fewer, m = 1.
MIN_FESTIVAL_DAYS: int = 10
#: The methodology's range of the flexible reserve.
RESERVE_RANGE: tuple[float, float] = (0.10, 0.20)
#: Unit roles in a plan: allocated by return, held at last period's pace (no identified curve), test units.
ROLES: tuple[str, ...] = ("optimised", "hold", "test")


@dataclass(frozen=True)
class ResponseCurve:
    """One unit's response of the daily outcome to daily spend (ordinary days; × m on festival days).

    ``params``: (a, b, m) for "saturating", (r, m) for "constant"; ``cov`` their covariance.
    """

    unit: str
    channel: str
    shape: str
    params: tuple[float, ...]
    cov: np.ndarray = field(repr=False)
    n_days: int
    spend_cv: float
    warning: str

    def expected(self, daily_spend: np.ndarray | float) -> np.ndarray:
        """Expected outcome of an ordinary day at this daily spend."""
        return _outcome(self.shape, np.asarray(self.params, dtype=float)[None, :], np.asarray(daily_spend, float))[0]

    def marginal(self, daily_spend: np.ndarray | float) -> np.ndarray:
        """d outcome / d spend at this daily spend (the marginal ROAS when the outcome is revenue)."""
        s = np.asarray(daily_spend, dtype=float)
        if self.shape == "constant":
            return np.full(s.shape, self.params[0])
        a, b = self.params[0], self.params[1]
        return np.asarray(a / b * np.exp(-s / b))

    def average(self, daily_spend: np.ndarray | float) -> np.ndarray:
        """Expected outcome ÷ spend at this daily spend (its limit a/b at zero spend)."""
        s = np.asarray(daily_spend, dtype=float)
        safe = np.where(s > 0, s, 1.0)
        return np.where(s > 0, self.expected(safe) / safe, self.marginal(np.zeros_like(s)))

    def draws(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n parameter draws (rows) from the fit's normal approximation, a and b kept positive."""
        mean = np.asarray(self.params, dtype=float)
        out = rng.multivariate_normal(mean, np.asarray(self.cov, float), size=n, method="svd")
        out[:, 0] = np.maximum(out[:, 0], 1e-12)
        if self.shape == "saturating":
            out[:, 1] = np.maximum(out[:, 1], 1e-9)
        return out


def _outcome(shape: str, params: np.ndarray, spend: np.ndarray) -> np.ndarray:
    """Ordinary-day outcome for each parameter row (axis 0) at each spend (broadcast over trailing axes)."""
    extra = (slice(None),) + (None,) * spend.ndim
    if shape == "constant":
        return params[:, 0][extra] * spend[None, ...]
    a, b = params[:, 0][extra], params[:, 1][extra]
    return a * -np.expm1(-spend[None, ...] / b)


# ---------------------------------------------------------------------------------------- data

def daily_spend_and_return(ad_daily: pd.DataFrame, by: str = "campaign_id", outcome: str = "revenue") -> pd.DataFrame:
    """Daily totals per unit. Columns: unit, channel (listed), date, spend, outcome (NaN when any row lacks it)."""
    if by not in BY:
        raise ParameterError(f"by must be one of {', '.join(BY)}, got {by!r}.")
    if outcome not in OUTCOMES:
        raise ParameterError(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}.")
    require_columns(ad_daily, ["date", "campaign_id", "channel", "spend", outcome], "ad_daily",
                    hint=f"Response curves need daily spend and {outcome}; add the column or choose the other "
                         f"outcome ({', '.join(o for o in OUTCOMES if o != outcome)}).")
    frame = ad_daily[list(dict.fromkeys(["date", by, "channel", "spend", outcome]))].copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.normalize()
    bad = frame.index[frame["spend"].isna() | (frame["spend"] < 0)]
    if len(bad):
        raise DataError(f"ad_daily: spend is missing or negative in row(s) {list(bad[:5])}; fix spend "
                        "(0 for a day without spend) before fitting response curves.")
    grouped = frame.groupby([by, "date"], sort=True)
    daily = grouped.agg(spend=("spend", "sum"), outcome=(outcome, lambda v: v.sum(min_count=len(v))))
    channels = frame.groupby(by)["channel"].agg(lambda c: ", ".join(sorted(set(map(str, c)))))
    daily = daily.reset_index().rename(columns={by: "unit"})
    daily.insert(1, "channel", daily["unit"].map(channels))
    return daily.astype({"unit": "str", "channel": "str"})


# ---------------------------------------------------------------------------------------- fits

def _wls(model: object, x: np.ndarray, y: np.ndarray, sigma: np.ndarray, p0: list[float],
         bounds: tuple[list[float], list[float]]) -> tuple[np.ndarray, np.ndarray, float]:
    """curve_fit with relative sigma: parameters, covariance, weighted residual sum of squares."""
    params, cov = curve_fit(model, x, y, p0=p0, sigma=sigma, bounds=bounds, maxfev=20_000)
    rss = float((((y - model(x, *params)) / sigma) ** 2).sum())  # type: ignore[operator]
    return np.asarray(params), np.asarray(cov), rss


def _aic(rss: float, n: int, k: int) -> float:
    """Gaussian AIC from a weighted residual sum of squares."""
    return n * np.log(max(rss, 1e-300) / n) + 2 * k


def _fit_line(s: np.ndarray, y: np.ndarray, f: np.ndarray, with_m: bool) -> tuple[np.ndarray, np.ndarray, float]:
    """outcome = r·spend·m^F: (r, m), covariance, weighted RSS."""
    sigma = np.sqrt(s)
    r0 = y.sum() / s.sum()
    if not with_m:
        params, cov, rss = _wls(lambda x, r: r * x[0], np.vstack([s, f]), y, sigma, [r0], ([0.0], [np.inf]))
        return np.r_[params, 1.0], np.pad(cov, ((0, 1), (0, 1))), rss
    return _wls(lambda x, r, m: r * x[0] * m ** x[1], np.vstack([s, f]), y, sigma, [r0, 1.0],
                ([0.0, 0.05], [np.inf, 20.0]))


def _fit_saturating(s: np.ndarray, y: np.ndarray, f: np.ndarray, with_m: bool) -> tuple[np.ndarray, np.ndarray, float]:
    """outcome = a·(1 − exp(−spend/b))·m^F: (a, b, m), covariance, weighted RSS."""
    sigma = np.sqrt(s)
    w = 1 / s
    grid = np.median(s) * np.logspace(-1.5, 2, 60)
    basis = -np.expm1(-s[:, None] / grid[None, :])  # a is linear given b: closed-form WLS on the grid
    a_hat = (w[:, None] * basis * y[:, None]).sum(0) / (w[:, None] * basis**2).sum(0)
    rss = (w[:, None] * (y[:, None] - a_hat * basis) ** 2).sum(0)
    best = int(np.argmin(rss))
    p0, upper = [float(a_hat[best]), float(grid[best])], [np.inf, float(grid[-1]) * 10]
    x = np.vstack([s, f])
    if not with_m:
        params, cov, rss_ = _wls(lambda x, a, b: a * -np.expm1(-x[0] / b), x, y, sigma, p0, ([0.0, 1e-9], upper))
        return np.r_[params, 1.0], np.pad(cov, ((0, 1), (0, 1))), rss_
    return _wls(lambda x, a, b, m: a * -np.expm1(-x[0] / b) * m ** x[1], x, y, sigma, [*p0, 1.0],
                ([0.0, 1e-9, 0.05], [*upper, 20.0]))


def _festive(dates: pd.Series) -> np.ndarray:
    """1.0 on days inside a festival window, else 0.0."""
    days = festival_days(dates.min(), dates.max())["date"]
    return dates.isin(days).to_numpy(dtype=float)


def _fit_unit(unit: str, daily: pd.DataFrame, min_spend_cv: float, min_days: int) -> ResponseCurve:
    """Fit one unit's curve and line; keep the curve only when the data identify it."""
    used = daily[(daily["spend"] > 0) & daily["outcome"].notna()]
    s, y = used["spend"].to_numpy(float), used["outcome"].to_numpy(float)
    channel = str(daily["channel"].iloc[0])
    n = len(s)
    cv = float(s.std(ddof=1) / s.mean()) if n > 1 else float("nan")
    if n == 0:
        return ResponseCurve(unit, channel, "constant", (float("nan"), 1.0), np.zeros((2, 2)), 0, cv,
                             _("no day with both spend and a known outcome: no response curve"))
    f = _festive(used["date"])
    with_m = MIN_FESTIVAL_DAYS <= f.sum() <= n - MIN_FESTIVAL_DAYS
    line, line_cov, line_rss = _fit_line(s, y, f, with_m)
    if n < min_days:
        warning = _("only {n} days with spend (a curve needs {min}): average ROAS used").format(n=n, min=min_days)
    elif not cv >= min_spend_cv:
        warning = _("spend hardly varied: CV {cv} < {min}, average ROAS used").format(
            cv=f"{cv:.2f}", min=f"{min_spend_cv:.2f}")
    else:
        curve, curve_cov, curve_rss = _fit_saturating(s, y, f, with_m)
        k = 1 + int(with_m)
        aic_curve, aic_line = _aic(curve_rss, n, k + 1), _aic(line_rss, n, k)
        se_b = float(np.sqrt(curve_cov[1, 1])) if np.isfinite(curve_cov[1, 1]) else float("inf")
        low, high = curve[1] - 1.96 * se_b, curve[1] + 1.96 * se_b
        identified = np.isfinite(se_b) and low > 0 and high <= B_MAX_MULTIPLE * s.max()
        if aic_curve <= aic_line - AIC_MARGIN and identified:
            return ResponseCurve(unit, channel, "saturating", tuple(map(float, curve)), curve_cov, n, cv, "")
        warning = "" if aic_curve > aic_line - AIC_MARGIN else _(
            "diminishing returns not identified: the saturation spend's 95 % interval ({low} to {high}) is not "
            "within the spend seen; average ROAS used").format(low=f"{low:,.0f}", high=f"{high:,.0f}")
    return ResponseCurve(unit, channel, "constant", tuple(map(float, line)), line_cov, n, cv, warning)


def fit_response_curves(ad_daily: pd.DataFrame, *, by: str = "campaign_id", outcome: str = "revenue",
                        min_spend_cv: float = MIN_SPEND_CV, min_days: int = MIN_DAYS) -> dict[str, ResponseCurve]:
    """One response curve per unit (campaign or channel), saturating where the data identify it."""
    if not (np.isfinite(min_spend_cv) and min_spend_cv >= 0):
        raise ParameterError(f"min_spend_cv is a non-negative coefficient of variation, got {min_spend_cv!r}.")
    if int(min_days) < 3:
        raise ParameterError(f"min_days must be at least 3, got {min_days!r}.")
    daily = daily_spend_and_return(ad_daily, by=by, outcome=outcome)
    return {str(u): _fit_unit(str(u), g, min_spend_cv, int(min_days)) for u, g in daily.groupby("unit", sort=True)}


def curves_table(curves: Mapping[str, ResponseCurve]) -> pd.DataFrame:
    """One row per unit: unit, channel, shape, a, b, roas, festival_lift, n_days, spend_cv, warning."""
    rows = []
    for c in curves.values():
        sat = c.shape == "saturating"
        rows.append({"unit": c.unit, "channel": c.channel, "shape": c.shape,
                     "a": c.params[0] if sat else np.nan, "b": c.params[1] if sat else np.nan,
                     "roas": np.nan if sat else c.params[0], "festival_lift": c.params[-1],
                     "n_days": c.n_days, "spend_cv": c.spend_cv, "warning": c.warning})
    return pd.DataFrame(rows, columns=["unit", "channel", "shape", "a", "b", "roas", "festival_lift", "n_days",
                                       "spend_cv", "warning"])


# ---------------------------------------------------------------------------------------- allocation

@dataclass(frozen=True)
class BudgetPlan:
    """The next period's allocation; ``table`` has one row per unit (see ``allocate_budget``)."""

    budget: float
    days: int
    reserve: float
    test_slice: float
    unplaced: float
    unplaced_test: float
    unplaced_reason: str
    total_expected: float
    total_low: float
    total_high: float
    table: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        lines = [f"BudgetPlan(budget={self.budget:,.0f} over {self.days} days, reserve={self.reserve:,.0f}, "
                 f"test slice={self.test_slice:,.0f}, unplaced={self.unplaced:,.0f}, expected return="
                 f"{self.total_expected:,.0f} [{self.total_low:,.0f}, {self.total_high:,.0f}])"]
        for r in self.table.itertuples():
            lines.append(f"  {r.unit}: {r.last_spend:,.0f} → {r.proposed_spend:,.0f} ({r.role}, {r.shape}), "
                         f"average ROAS {r.average_roas:.2f}, marginal {r.marginal_roas:.2f}"
                         + (f" — {r.warning}" if r.warning else ""))
        return "\n".join(lines)


def _joined(notes: Iterable[str]) -> str:
    """Notes joined by the language's semicolon."""
    return i18n.punctuation("semicolon").join(notes)


def _check_share(name: str, value: float, low: float, high: float, why: str) -> None:
    """ParameterError unless low ≤ value ≤ high."""
    if not (np.isfinite(value) and low <= value <= high):
        raise ParameterError(f"{name} must be between {low:.0%} and {high:.0%} ({why}); got {value!r}.")


def _check_units(name: str, units: Iterable[str], known: Sequence[str]) -> None:
    """ParameterError naming units that are neither fitted nor test units."""
    unknown = sorted(set(units) - set(known))
    if unknown:
        raise ParameterError(f"{name} names unknown unit(s) {', '.join(unknown)}; known: {', '.join(known)} "
                             "(a new unit without history goes in test_units).")


def _stop_cap(curve: ResponseCurve, stop_loss: float, upper: float) -> float:
    """Largest daily spend ≤ upper at which the NEXT yuan still returns at least the stop-loss (0 when never).

    The stop-loss applies at the margin: a yuan spent where it returns under 3 loses against the 3:1 line
    however good the unit's average still looks. For the curve a·(1 − e^(−s/b)) the marginal return
    (a/b)·e^(−s/b) reaches the stop-loss at s = b·ln(a / (b·stop)); a line's marginal is its average.
    """
    if curve.marginal(0.0) < stop_loss:
        return 0.0
    if curve.shape == "constant" or stop_loss <= 0:
        return upper
    a, b = curve.params[0], curve.params[1]
    return float(min(upper, b * np.log(a / (b * stop_loss))))


def _water_fill(curves: Sequence[ResponseCurve], lo: np.ndarray, hi: np.ndarray, amount: float) -> np.ndarray:
    """Daily spends within [lo, hi] summing to min(amount, Σhi) with equal marginal outcome (bisection on λ)."""
    if amount >= hi.sum():
        return hi.copy()

    def at(lam: float) -> np.ndarray:
        out = np.empty(len(curves))
        for i, c in enumerate(curves):
            if c.shape == "constant":
                out[i] = hi[i] if c.params[0] > lam else lo[i]
            else:
                a, b = c.params[0], c.params[1]
                out[i] = b * np.log(a / (b * lam)) if lam < a / b else 0.0
        return np.clip(out, lo, hi)

    low, high = 0.0, max(float(c.marginal(0.0)) for c in curves) + 1.0
    for _i in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if at(mid).sum() > amount else (low, mid)
    under, over = at(high), at(low)
    gap = over - under
    rest = amount - under.sum()
    return under + (gap / gap.sum() * rest if gap.sum() > 0 else 0.0)


def _equal_split(amount: float, lo: Mapping[str, float], hi: Mapping[str, float]) -> dict[str, float]:
    """Equal daily parts of ``amount`` within [lo, hi]: what a capped unit cannot take goes to the others."""
    out = {u: float(lo[u]) for u in lo}
    open_ = [u for u in lo if hi[u] > out[u]]
    left = amount - sum(out.values())
    while open_ and left > 1e-9:
        part = left / len(open_)
        for u in open_:
            take = min(part, hi[u] - out[u])
            out[u] += take
            left -= take
        open_ = [u for u in open_ if hi[u] - out[u] > 1e-9]
    return out


def allocate_budget(curves: Mapping[str, ResponseCurve], *, budget: float, days: int,
                    last_spend: Mapping[str, float], stop_loss: float = 3.0, reserve_share: float = 0.15,
                    test_share: float = 0.10, test_units: Sequence[str] = (),
                    min_spend: Mapping[str, float] | None = None, max_spend: Mapping[str, float] | None = None,
                    n_draws: int = 1000, seed: int = 0) -> BudgetPlan:
    """Allocate ``budget`` over ``days`` to maximise the expected outcome (see the module docstring).

    ``last_spend``, ``min_spend``, ``max_spend`` are period totals per unit (default min 0, max 2 × last).
    Table columns: unit, channel, role, shape, last_spend, proposed_spend, change, expected_return,
    return_low, return_high (80 % interval), average_roas, marginal_roas, warning.
    """
    budget, days = float(budget), int(days)
    if not (np.isfinite(budget) and budget >= 0):
        raise ParameterError(f"budget must be a non-negative amount, got {budget!r}.")
    if days < 1:
        raise ParameterError(f"days (the length of the planned period) must be at least 1, got {days!r}.")
    _check_share("reserve_share", reserve_share, *RESERVE_RANGE, why="the methodology keeps 10–20 % flexible")
    _check_share("test_share", test_share, 0.0, 0.5, why="about 10 % tests new channels before scaling")
    if not (np.isfinite(stop_loss) and stop_loss >= 0):
        raise ParameterError(f"stop_loss must be a non-negative ROAS (e.g. 3 for 3:1), got {stop_loss!r}.")
    if n_draws < 10:
        raise ParameterError(f"n_draws must be at least 10, got {n_draws!r}.")
    mins, maxs = dict(min_spend or {}), dict(max_spend or {})
    new_units = [u for u in dict.fromkeys(test_units) if u not in curves]
    known = [*curves, *new_units]
    _check_units("min_spend", mins, known)
    _check_units("max_spend", maxs, known)
    _check_units("last_spend", last_spend, known)
    if sum(mins.values()) > budget * (1 - reserve_share):
        raise ParameterError(f"The min_spend amounts ({sum(mins.values()):,.0f}) exceed the budget after the "
                             f"reserve ({budget * (1 - reserve_share):,.0f}); lower them or raise the budget.")
    reserve, test_slice = reserve_share * budget, test_share * budget
    testing = [u for u in known if u in new_units or u in test_units]
    held = [u for u in curves if curves[u].warning and u not in testing]
    optimised = [u for u in curves if u not in testing and u not in held]

    lo = {u: mins.get(u, 0.0) / days for u in known}
    hi = {u: maxs.get(u, 2 * last_spend[u] if u in last_spend else np.inf) / days for u in known}
    hi = {u: max(hi[u], lo[u]) for u in known}
    warnings = {u: curves[u].warning if u in curves else _("new: no history, no response curve") for u in known}
    cap = {}
    for u in known:
        cap[u] = hi[u] if u not in curves else max(_stop_cap(curves[u], stop_loss, hi[u]), 0.0)
        if cap[u] <= lo[u] and u in curves and curves[u].marginal(max(lo[u], 0.0)) < stop_loss:
            cap[u] = lo[u]
            note = _("under the {roas}:1 stop-loss even at its minimum: cut to the minimum").format(
                roas=f"{stop_loss:g}")
            warnings[u] = _joined(w for w in (warnings[u], note) if w)

    # a unit without an identified curve keeps last period's pace: the only spend its average ROAS is known at
    daily: dict[str, float] = {u: float(np.clip(last_spend.get(u, 0.0) / days, lo[u], cap[u])) for u in held}
    held_daily = dict(daily)
    recipients = testing or held  # named test units take the slice; else it funds budget tests of the held ones
    unplaced_test, reasons = 0.0, []
    if recipients and test_slice > 0:
        base = {u: daily.get(u, lo[u]) for u in recipients}
        daily.update(_equal_split(test_slice / days + sum(base.values()), base, {u: cap[u] for u in recipients}))
        unplaced_test = max(test_slice - sum(daily[u] - base[u] for u in recipients) * days, 0.0)
        if unplaced_test > 0.005:
            reasons.append(_("part of the test slice would break a test unit's maximum or the stop-loss"))
    elif test_slice > 0:
        unplaced_test = test_slice
        reasons.append(_("no new or uncertain unit to test"))
    for u in held:
        if daily[u] > held_daily[u] + 1e-9:
            warnings[u] = _joined(w for w in (warnings[u], _("held at last period's pace, plus a budget test from "
                                                               "the test slice to learn its curve")) if w)
        else:
            warnings[u] = _joined(w for w in (warnings[u], _("held at last period's pace")) if w)
    available = budget - reserve - sum(daily.values()) * days - unplaced_test
    if optimised:
        fitted = [curves[u] for u in optimised]
        spends = _water_fill(fitted, np.array([lo[u] for u in optimised]), np.array([cap[u] for u in optimised]),
                             max(available, 0.0) / days)
        daily.update(zip(optimised, map(float, spends), strict=True))
    placed_main = sum(daily[u] for u in optimised) * days
    if available - placed_main > 0.005:
        reasons.append(_("every unit is at its maximum or at its stop-loss limit"))
    unplaced = budget - reserve - sum(daily.values()) * days
    roles = {u: "test" if u in testing else "hold" if u in held else "optimised" for u in known}
    table = _plan_table(curves, known, roles, daily, last_spend, days, warnings, n_draws, seed)
    totals = _total_interval(curves, daily, days, n_draws, seed)
    return BudgetPlan(budget=budget, days=days, reserve=reserve, test_slice=test_slice, unplaced=max(unplaced, 0.0),
                      unplaced_test=unplaced_test, unplaced_reason=_joined(reasons), total_expected=totals[1],
                      total_low=totals[0], total_high=totals[2], table=table)


def _unit_draws(curve: ResponseCurve, daily_spend: float, days: int, n_draws: int, seed: int) -> np.ndarray:
    """Draws of the unit's expected period outcome at this daily spend."""
    rng = np.random.default_rng([seed, sum(map(ord, curve.unit))])
    params = curve.draws(n_draws, rng)
    return days * _outcome(curve.shape, params, np.asarray(daily_spend, float))


def _total_interval(curves: Mapping[str, ResponseCurve], daily: Mapping[str, float], days: int, n_draws: int,
                    seed: int) -> tuple[float, float, float]:
    """10th, 50th, 90th percentiles of the summed expected outcome over units with a curve."""
    draws = [_unit_draws(curves[u], s, days, n_draws, seed) for u, s in daily.items()
             if u in curves and np.isfinite(curves[u].params[0])]
    if not draws:
        return (float("nan"),) * 3
    low, mid, high = np.percentile(np.sum(draws, axis=0), [10, 50, 90])
    return float(low), float(mid), float(high)


def _plan_table(curves: Mapping[str, ResponseCurve], units: Sequence[str], roles: Mapping[str, str],
                daily: Mapping[str, float], last_spend: Mapping[str, float], days: int,
                warnings: Mapping[str, str], n_draws: int, seed: int) -> pd.DataFrame:
    """One row per unit with spend, change, expected return and its interval, ROAS and marginal ROAS."""
    rows = []
    for u in units:
        c, s = curves.get(u), daily[u]
        if c is not None and np.isfinite(c.params[0]):
            low, mid, high = np.percentile(_unit_draws(c, s, days, n_draws, seed), [10, 50, 90])
            avg, marg = float(c.average(s)), float(c.marginal(s))
        else:
            low = mid = high = avg = marg = float("nan")
        last = float(last_spend.get(u, np.nan))
        rows.append({"unit": u, "channel": c.channel if c else "", "role": roles[u],
                     "shape": c.shape if c else "", "last_spend": last, "proposed_spend": s * days,
                     "change": s * days - last, "expected_return": mid, "return_low": low, "return_high": high,
                     "average_roas": avg, "marginal_roas": marg, "warning": warnings[u]})
    return pd.DataFrame(rows)
