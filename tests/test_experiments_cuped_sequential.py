"""Tests of helpers.experiments.cuped (vs OLS and simulation) and .sequential (vs hand formulas and simulation)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import integrate, optimize, stats
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from helpers.errors import DataError, ParameterError
from helpers.experiments.cuped import CupedResult, cuped_adjust
from helpers.experiments.sequential import COLUMNS, cs_half_width, cumulative_difference, optimal_rho


def correlated(n: int, rho: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(y, x) standard-normal pairs with correlation rho."""
    x = rng.normal(size=n)
    return rho * x + math.sqrt(1 - rho ** 2) * rng.normal(size=n), x


# --------------------------------------------------------------------------- CUPED


def test_cuped_hand_case() -> None:
    # y = [1, 2, 3, 5], x = [1, 2, 3, 4]: x̄ = 2.5, ȳ = 2.75.
    # Σ(x−x̄)(y−ȳ) = 2.625 + 0.375 + 0.125 + 3.375 = 6.5, Σ(x−x̄)² = 5 → θ = 1.3.
    # y_adj = y − 1.3(x − 2.5) = [2.95, 2.65, 2.35, 3.05].
    # Σ(y−ȳ)² = 8.75, Σ(y_adj−ȳ)² = 0.04 + 0.01 + 0.16 + 0.09 = 0.30
    # → reduction = 1 − 0.30/8.75 = 0.965714
    # (= ρ² = 6.5² / (5 · 8.75) = 42.25 / 43.75).
    y = pd.Series([1.0, 2.0, 3.0, 5.0], name="revenue")
    result = cuped_adjust(y, pd.Series([1.0, 2.0, 3.0, 4.0]))
    assert isinstance(result, CupedResult)
    assert result.theta == pytest.approx(1.3, rel=1e-12)
    assert result.adjusted.tolist() == pytest.approx([2.95, 2.65, 2.35, 3.05], rel=1e-12)
    assert result.variance_reduction == pytest.approx(1 - 0.30 / 8.75, rel=1e-12)
    assert result.adjusted.name == "revenue" and result.adjusted.index.equals(y.index)


def test_cuped_theta_is_the_ols_slope() -> None:
    rng = np.random.default_rng(11)
    y, x = correlated(5_000, 0.6, rng)
    y, x = 3.0 + 2.0 * y, 10.0 + 5.0 * x
    result = cuped_adjust(pd.Series(y), pd.Series(x))
    ols = sm.OLS(y, sm.add_constant(x)).fit()
    assert result.theta == pytest.approx(ols.params[1], rel=1e-10)
    assert result.theta == pytest.approx(np.polyfit(x, y, 1)[0], rel=1e-10)
    # Without groups the reduction is exactly the sample ρ², and close to the population ρ² = 0.36.
    assert result.variance_reduction == pytest.approx(np.corrcoef(y, x)[0, 1] ** 2, rel=1e-10)
    assert result.variance_reduction == pytest.approx(0.36, abs=0.03)
    assert result.adjusted.mean() == pytest.approx(y.mean(), rel=1e-12)


def test_cuped_with_groups_measures_reduction_within_variants() -> None:
    # A large treatment effect inflates the total variance of y but not the within-variant one;
    # within variants the reduction is still ≈ ρ² = 0.49.
    rng = np.random.default_rng(12)
    y, x = correlated(20_000, 0.7, rng)
    treated = rng.random(20_000) < 0.5
    y = y + 2.0 * treated
    groups = pd.Series(np.where(treated, "B", "A"))
    within = cuped_adjust(pd.Series(y), pd.Series(x), groups)
    assert within.variance_reduction == pytest.approx(0.49, abs=0.02)
    # Independent: residual variance of OLS y ~ variant + x against that of y ~ variant (statsmodels).
    design = sm.add_constant(treated.astype(float))
    base = sm.OLS(y, design).fit().mse_resid
    full = sm.OLS(y, np.column_stack([design, x])).fit().mse_resid
    assert within.variance_reduction == pytest.approx(1 - full / base, abs=0.002)


def test_cuped_keeps_the_effect_and_shrinks_its_standard_error() -> None:
    # 300 simulated A/B tests, 500 units per arm, true effect 0.2, corr(y, x) = 0.7.
    rng = np.random.default_rng(13)
    raw, adjusted, raw_se, adj_se = [], [], [], []
    arm = np.repeat([0, 1], 500)
    for _ in range(300):
        y, x = correlated(1_000, 0.7, rng)
        y = y + 0.2 * arm
        adj = cuped_adjust(pd.Series(y), pd.Series(x)).adjusted.to_numpy()
        for values, diffs, ses in ((y, raw, raw_se), (adj, adjusted, adj_se)):
            b, a = values[arm == 1], values[arm == 0]
            diffs.append(b.mean() - a.mean())
            ses.append(math.sqrt(b.var(ddof=1) / 500 + a.var(ddof=1) / 500))
    raw, adjusted = np.array(raw), np.array(adjusted)
    # Unbiased: the mean estimate is within 3 Monte Carlo SEs of 0.2 (SE = sd / sqrt(300)).
    assert adjusted.mean() == pytest.approx(0.2, abs=3 * adjusted.std() / math.sqrt(300))
    assert raw.mean() == pytest.approx(0.2, abs=3 * raw.std() / math.sqrt(300))
    # Its spread shrinks by sqrt(1 − 0.49) = 0.714, and so does the reported standard error.
    assert adjusted.std() / raw.std() == pytest.approx(math.sqrt(0.51), abs=0.06)
    assert np.mean(adj_se) / np.mean(raw_se) == pytest.approx(math.sqrt(0.51), abs=0.02)
    assert all(a < r for a, r in zip(adj_se, raw_se, strict=True))


def test_cuped_agrees_with_ancova() -> None:
    # The CUPED difference equals the ANCOVA (OLS y ~ variant + x) effect up to the small difference
    # between the pooled and the within-variant slope.
    rng = np.random.default_rng(14)
    y, x = correlated(4_000, 0.5, rng)
    arm = (rng.random(4_000) < 0.5).astype(float)
    y = y + 0.1 * arm
    adj = cuped_adjust(pd.Series(y), pd.Series(x)).adjusted.to_numpy()
    ancova = sm.OLS(y, sm.add_constant(np.column_stack([arm, x]))).fit()
    cuped_diff = adj[arm == 1].mean() - adj[arm == 0].mean()
    assert cuped_diff == pytest.approx(ancova.params[1], abs=0.1 * ancova.bse[1])


@pytest.mark.parametrize(("y", "x", "groups", "match"), [
    ([1.0, 2.0, 3.0], [1.0, None, 2.0], None, "covariate x has 1 missing"),
    ([1.0, 2.0, 3.0], [1.0, "a", 2.0], None, "non-numeric"),
    ([1.0, math.nan, 3.0], [1.0, 2.0, 3.0], None, "metric y has 1 missing"),
    ([1.0, 2.0, 3.0], [1.0, 2.0], None, "same index"),
    ([1.0, 2.0, 3.0], [4.0, 4.0, 4.0], None, "constant"),
    ([5.0, 5.0, 5.0], [1.0, 2.0, 3.0], None, "zero variance"),
    ([1.0, 2.0], [1.0, 2.0], None, "at least 3"),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], ["A", None, "B"], "groups"),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], ["A", "B", "C"], "single unit"),
])
def test_cuped_bad_input(y: list, x: list, groups: list | None, match: str) -> None:
    with pytest.raises(DataError, match=match):
        cuped_adjust(pd.Series(y), pd.Series(x, dtype=object), None if groups is None else pd.Series(groups))


# --------------------------------------------------------------------------- confidence sequence formula


def test_half_width_by_hand() -> None:
    # V̂ = 0.01 (σ = 1, t = 100), ρ² = 0.01 → tρ² = 1:
    # sqrt(0.01 · 2/1 · log(2 / 0.05²)) = sqrt(0.02 · log 800) = sqrt(0.02 · 6.6846117) = sqrt(0.1336922)
    # = 0.3656395.
    assert cs_half_width(np.array([0.01]), np.array([100.0]), 0.05, 0.1)[0] == pytest.approx(0.3656395, abs=1e-7)


@pytest.mark.parametrize(("var_diff", "t", "alpha", "rho"), [(0.01, 100, 0.05, 0.1), (4e-6, 40_000, 0.01, 0.004),
                                                            (2.5, 30, 0.2, 0.5)])
def test_half_width_matches_howard_and_mixture_martingale(var_diff: float, t: float, alpha: float, rho: float) -> None:
    half = cs_half_width(np.array([var_diff]), np.array([float(t)]), alpha, rho)[0]
    # Howard et al. (2021) sum form: |S_t| < sqrt((t + r)·log((t + r)/(r·α²))) for S_t a sum of t unit-variance
    # increments and mixture precision r = 1/ρ²; the mean-scale half-width is σ̂/t times that, σ̂² = t·V̂.
    r = 1 / rho ** 2
    howard = math.sqrt(t * var_diff) / t * math.sqrt((t + r) * math.log((t + r) / (r * alpha ** 2)))
    assert half == pytest.approx(howard, rel=1e-12)
    # At the boundary the mixture likelihood ratio ∫ exp(θ·d/V − θ²/(2V))·N(θ; 0, τ²) dθ
    # (mSPRT, Johari et al., τ² = σ̂²ρ² = t·V̂·ρ²) equals 1/α exactly, computed here by quadrature.
    tau = math.sqrt(t * var_diff) * rho
    lr, _ = integrate.quad(lambda th: math.exp(th * half / var_diff - th ** 2 / (2 * var_diff))
                           * stats.norm.pdf(th, 0, tau), -40 * tau, 40 * tau, points=[half], limit=200)
    assert lr == pytest.approx(1 / alpha, rel=1e-6)


@pytest.mark.parametrize(("horizon", "alpha"), [(2_000, 0.05), (40_000, 0.01), (500, 0.1)])
def test_optimal_rho_minimises_width_at_the_horizon(horizon: int, alpha: float) -> None:
    best = optimal_rho(horizon, alpha)
    found = optimize.minimize_scalar(lambda lr: cs_half_width(np.array([1.0]), np.array([float(horizon)]), alpha,
                                                              math.exp(lr))[0], bounds=(-12, 2), method="bounded",
                                     options={"xatol": 1e-10})
    assert best == pytest.approx(math.exp(found.x), rel=1e-4)


# --------------------------------------------------------------------------- cumulative_difference


def small_units() -> pd.DataFrame:
    """Two arms over 3 calendar days (none on 08-02): A = control, B = variant."""
    return pd.DataFrame({
        "ts": pd.to_datetime(["2026-08-01 09:00", "2026-08-01 17:00", "2026-08-01 10:00", "2026-08-01 11:00",
                              "2026-08-03 08:00", "2026-08-03 09:00", "2026-08-03 23:59", "2026-08-03 12:00"]),
        "variant": ["A", "A", "B", "B", "A", "B", "B", "C"],
        "value": [1.0, 3.0, 2.0, 6.0, 5.0, 4.0, 10.0, 99.0],
    })


def test_cumulative_difference_by_hand_and_statsmodels() -> None:
    result = cumulative_difference(small_units(), "ts", "variant", "value", "A", "B")
    assert list(result.columns) == list(COLUMNS)
    assert result["date"].dt.strftime("%m-%d").tolist() == ["08-01", "08-02", "08-03"]
    # 08-01: A = [1, 3] mean 2, s² 2; B = [2, 6] mean 4, s² 8; diff 2, se sqrt(2/2 + 8/2) = sqrt(5).
    # 08-02: nothing new, same totals. 08-03: A = [1, 3, 5] mean 3; B = [2, 6, 4, 10] mean 5.5; diff 2.5.
    assert result["n_c"].tolist() == [2, 2, 3] and result["n_v"].tolist() == [2, 2, 4]
    assert result["diff"].tolist() == pytest.approx([2.0, 2.0, 2.5])
    assert result["se"].iloc[0] == pytest.approx(math.sqrt(5.0))
    assert result.iloc[0, 1:].tolist() == result.iloc[1, 1:].tolist()
    last = result.iloc[-1]
    a, b = np.array([1.0, 3.0, 5.0]), np.array([2.0, 6.0, 4.0, 10.0])
    lo, hi = CompareMeans(DescrStatsW(b), DescrStatsW(a)).zconfint_diff(alpha=0.05, usevar="unequal")
    assert (last["fixed_low"], last["fixed_high"]) == pytest.approx((lo, hi), rel=1e-12)
    # CS with ρ optimised for the 7 units of A and B: the same formula as test_half_width_by_hand.
    var_diff = a.var(ddof=1) / 3 + b.var(ddof=1) / 4
    half = cs_half_width(np.array([var_diff]), np.array([7.0]), 0.05, optimal_rho(7, 0.05))[0]
    assert (last["cs_low"], last["cs_high"]) == pytest.approx((2.5 - half, 2.5 + half), rel=1e-12)
    assert (last["mean_c"], last["mean_v"]) == pytest.approx((3.0, 5.5))


def test_cumulative_difference_nan_until_two_units_per_arm() -> None:
    units = small_units().iloc[[0, 2, 3, 4, 5]]  # 08-01: A has one unit
    result = cumulative_difference(units, "ts", "variant", "value", "A", "B")
    assert result[["se", "fixed_low", "cs_high"]].iloc[0].isna().all()
    assert result[["se", "fixed_low", "cs_high"]].iloc[-1].notna().all()


def test_cumulative_difference_nan_without_variation() -> None:
    # 08-01: no conversion in either arm yet, so no variance: no interval rather than a zero-width one.
    units = pd.DataFrame({"ts": pd.to_datetime(["2026-08-01"] * 4 + ["2026-08-02"] * 2),
                          "variant": ["A", "A", "B", "B", "A", "B"], "value": [0.0, 0.0, 0.0, 0.0, 1.0, 0.0]})
    result = cumulative_difference(units, "ts", "variant", "value", "A", "B")
    assert result[["se", "fixed_low", "fixed_high", "cs_low", "cs_high"]].iloc[0].isna().all()
    assert result["diff"].iloc[0] == pytest.approx(0.0, abs=1e-15)
    # 08-02: A = [0, 0, 1] (s² = 1/3), B = [0, 0, 0]: se = sqrt(1/9) = 1/3, diff = −1/3.
    assert (result["se"].iloc[1], result["diff"].iloc[1]) == pytest.approx((1 / 3, -1 / 3))


def test_cumulative_difference_large_values_stay_accurate() -> None:
    # Values near 1e9 with unit spread: centring avoids losing the variance to cancellation.
    units = small_units().assign(value=lambda f: f["value"] + 1e9)
    result = cumulative_difference(units, "ts", "variant", "value", "A", "B")
    assert result["se"].iloc[0] == pytest.approx(math.sqrt(5.0), rel=1e-6)
    assert result["mean_c"].iloc[-1] == pytest.approx(1e9 + 3.0, rel=1e-15)


def simulated_stream(rng: np.random.Generator, kind: str, effect: float, n: int = 2_000,
                     per_look: int = 50) -> pd.DataFrame:
    """n units assigned 50/50 at random, per_look units per 'day' (one look per day)."""
    arm = np.where(rng.random(n) < 0.5, "A", "B")
    x = rng.normal(size=n) if kind == "normal" else (rng.random(n) < 0.1).astype(float)
    day = pd.Timestamp("2026-01-01") + pd.to_timedelta(np.arange(n) // per_look, unit="D")
    return pd.DataFrame({"day": day, "arm": arm, "x": x + effect * (arm == "B")})


@pytest.mark.parametrize(("kind", "seed"), [("normal", 21), ("binary", 22)])
def test_peeking_under_the_null(kind: str, seed: int) -> None:
    # 300 A/A streams of 2,000 units, looked at every 50 units (40 looks). Stopping at the first look
    # whose interval excludes 0 gives a false winner; α = 0.05.
    rng = np.random.default_rng(seed)
    naive = cs = 0
    for _ in range(300):
        result = cumulative_difference(simulated_stream(rng, kind, 0.0), "day", "arm", "x", "A", "B")
        naive += bool(((result["fixed_low"] > 0) | (result["fixed_high"] < 0)).any())
        cs += bool(((result["cs_low"] > 0) | (result["cs_high"] < 0)).any())
        defined = result.dropna()
        assert (defined["cs_high"] - defined["cs_low"] > defined["fixed_high"] - defined["fixed_low"]).all()
    # The naive interval's error rate is far above α (about 0.3 for 40 looks); the confidence sequence
    # stays at most α up to sampling slack: 3 binomial SEs, 3·sqrt(0.05·0.95/300) = 0.038.
    assert naive / 300 > 0.15
    assert cs / 300 <= 0.05 + 0.038


@pytest.mark.parametrize(("alpha", "rho"), [(0.01, 0.001), (0.05, None), (0.2, 1.0), (0.5, 0.05)])
def test_cs_always_wider_than_fixed(alpha: float, rho: float | None) -> None:
    units = simulated_stream(np.random.default_rng(23), "normal", 0.0, n=600, per_look=20)
    result = cumulative_difference(units, "day", "arm", "x", "A", "B", alpha=alpha, rho=rho).dropna()
    assert len(result) == 30
    assert (result["cs_low"] < result["fixed_low"]).all() and (result["cs_high"] > result["fixed_high"]).all()


@pytest.mark.parametrize(("kind", "effect"), [("normal", 0.3), ("binary", 0.05)])
def test_cs_finds_a_real_effect(kind: str, effect: float) -> None:
    result = cumulative_difference(simulated_stream(np.random.default_rng(24), kind, effect, n=4_000),
                                   "day", "arm", "x", "A", "B")
    assert result["cs_low"].iloc[-1] > 0
    first_cs = int(np.argmax(result["cs_low"].to_numpy() > 0))
    first_fixed = int(np.argmax(result["fixed_low"].to_numpy() > 0))
    assert first_fixed <= first_cs  # the price of peeking safely: a later, not a missed, detection


@pytest.mark.parametrize(("change", "kwargs", "error", "match"), [
    (lambda f: f.drop(columns="value"), {}, DataError, "missing required column"),
    (lambda f: f, {"control": "Z"}, DataError, "no unit has variant = 'Z'"),
    (lambda f: f, {"control": "B"}, ParameterError, "must differ"),
    (lambda f: f, {"alpha": 1.5}, ParameterError, "alpha"),
    (lambda f: f, {"rho": -1.0}, ParameterError, "rho"),
    (lambda f: f.assign(value=[1.0, None, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]), {}, DataError, "'value': 1 missing"),
    (lambda f: f.assign(ts=["2026-08-01", "soon", "2026-08-01", "2026-08-02", "2026-08-03", "2026-08-03",
                            "2026-08-03", "2026-08-03"]), {}, DataError, "'ts': 1 missing"),
])
def test_cumulative_difference_bad_input(change, kwargs: dict, error: type[Exception], match: str) -> None:
    args = {"time_column": "ts", "variant_column": "variant", "metric_column": "value", "control": "A",
            "variant": "B", **kwargs}
    with pytest.raises(error, match=match):
        cumulative_difference(change(small_units()), **args)


def test_optimal_rho_bad_input() -> None:
    with pytest.raises(ParameterError, match="horizon_units"):
        optimal_rho(0)


def test_ratio_running_difference_ends_at_the_delta_method_comparison() -> None:
    from helpers.experiments.frequentist import compare
    from helpers.experiments.metrics import MetricSpec, variant_stats
    from helpers.experiments.sequential import cumulative_ratio_difference

    rng = np.random.default_rng(11)
    n = 4000
    units = pd.DataFrame({"variant": rng.choice(["A", "B"], n),
                          "at": pd.Timestamp("2026-10-01") + pd.to_timedelta(rng.integers(0, 14 * 86400, n), "s"),
                          "exposures": rng.poisson(5, n) + 1})
    units["clicks"] = rng.binomial(units["exposures"], np.where(units["variant"] == "B", 0.13, 0.12))
    running = cumulative_ratio_difference(units, "at", "variant", "clicks", "exposures", "A", "B")
    spec = MetricSpec("ctr", "ratio", "clicks", "exposures")
    stats = variant_stats(units, spec)
    final = compare(stats["A"], stats["B"], spec)  # independent: the one-shot delta-method comparison
    last = running.iloc[-1]
    assert last["diff"] == pytest.approx(final.abs_diff)
    assert last["fixed_low"] == pytest.approx(final.abs_ci[0]) and last["fixed_high"] == pytest.approx(final.abs_ci[1])
    assert (running["cs_high"] - running["cs_low"] >= running["fixed_high"] - running["fixed_low"] - 1e-12).all()


def test_running_differences_one_per_treatment_with_the_metric_kind() -> None:
    from helpers.experiments.metrics import MetricSpec
    from helpers.experiments.sequential import running_differences

    units = small_units().assign(den=[1.0, 2.0, 1.0, 2.0, 1.0, 1.0, 2.0, 1.0])
    mean = running_differences(units, "ts", MetricSpec("v", "mean", "value"), "A", ["B"])
    assert [(d.metric, d.control, d.variant, d.name) for d in mean] == [("v", "A", "B", "cumulative_B")]
    # the mean metric's last day is the hand case above: A [1, 3, 5] mean 3, B [2, 6, 4, 10] mean 5.5
    assert mean[0].table["diff"].iloc[-1] == pytest.approx(2.5)
    ratio = running_differences(units, "ts", MetricSpec("r", "ratio", "value", "den"), "A", ["B", "C"])
    assert [d.name for d in ratio[:1]] == ["cumulative_B"]
    # ratio on the last day: A (1 + 3 + 5)/(1 + 2 + 1) = 2.25, B (2 + 6 + 4 + 10)/(1 + 2 + 1 + 2) = 22/6
    assert ratio[0].table["diff"].iloc[-1] == pytest.approx(22 / 6 - 2.25)
    assert ratio[1].variant == "C" and ratio[1].table["n_v"].iloc[-1] == 1


def test_running_charts_one_titled_figure_per_treatment() -> None:
    from helpers.experiments.charts import running_charts
    from helpers.experiments.metrics import MetricSpec
    from helpers.experiments.sequential import running_differences

    running = running_differences(small_units(), "ts", MetricSpec("v", "mean", "value"), "A", ["B", "C"])
    figures = running_charts(running)
    assert list(figures) == ["cumulative_B", "cumulative_C"]
    assert figures["cumulative_C"].axes[0].get_title() == "v: C − A over time"
