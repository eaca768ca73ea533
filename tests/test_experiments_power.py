"""Tests of helpers.experiments.power: sample sizes, days, achieved power and MDE against statsmodels and by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.power import NormalIndPower, TTestIndPower
from statsmodels.stats.proportion import proportion_effectsize

from helpers.errors import ParameterError
from helpers.experiments.frequentist import compare
from helpers.experiments.metrics import MetricSpec, VariantStats
from helpers.experiments.power import (
    PlanInputs,
    achieved_power,
    additional_units_needed,
    comparison_alpha,
    days_needed,
    mde_at,
    plan_next_test,
    sample_size_mean,
    sample_size_proportion,
)

BINARY = MetricSpec("conversion", "binary", "converted")
MEAN = MetricSpec("revenue", "mean", "revenue")
RATIO = MetricSpec("ctr", "ratio", "clicks", "impressions")
Z975, Z80 = 1.959963984540054, 0.8416212335729143  # norm.ppf(0.975), norm.ppf(0.8)


def mean_stats(name: str, n: int, mean: float, var: float) -> VariantStats:
    """Sums that give exactly this n, mean and sample variance: Σx = n·mean, Σx² = (n − 1)·var + n·mean²."""
    return VariantStats(name, n, n * mean, (n - 1) * var + n * mean * mean)


def binary_stats(name: str, successes: int, n: int) -> VariantStats:
    """Pre-aggregated binary totals."""
    return VariantStats(name, n, float(successes), float(successes))


# ---------------------------------------------------------------- planning: proportions


def test_sample_size_proportion_hand_example() -> None:
    # 10 % → 12 %: h = 2·asin√0.12 − 2·asin√0.10 = 2·(0.353742 − 0.321751) = 0.063982
    # n = 2·((1.959964 + 0.841621)/0.063982)² = 2·1917.4 = 3834.9 → 3835 per variant.
    # The unpooled formula (2.801585)²·(0.1·0.9 + 0.12·0.88)/0.02² = 3838 agrees within 0.1 %.
    n = sample_size_proportion(0.10, 0.02)
    assert n == 3835
    unpooled = (Z975 + Z80) ** 2 * (0.1 * 0.9 + 0.12 * 0.88) / 0.02 ** 2
    assert n == pytest.approx(unpooled, rel=0.01)


@pytest.mark.parametrize("baseline, mde, relative, alpha, power, variants", [
    (0.10, 0.02, False, 0.05, 0.8, 2),
    (0.03, 0.10, True, 0.05, 0.9, 2),
    (0.50, -0.05, False, 0.01, 0.8, 2),
    (0.20, 0.05, True, 0.05, 0.8, 4),
    (0.005, 0.001, False, 0.10, 0.8, 3),
])
def test_sample_size_proportion_matches_statsmodels(baseline: float, mde: float, relative: bool, alpha: float,
                                                    power: float, variants: int) -> None:
    p2 = baseline * (1 + mde) if relative else baseline + mde
    h = proportion_effectsize(p2, baseline)  # statsmodels' Cohen's h
    a = alpha / (variants - 1)  # Bonferroni over the comparisons with control
    ref = NormalIndPower().solve_power(effect_size=abs(h), alpha=a, power=power, ratio=1.0)
    n = sample_size_proportion(baseline, mde, relative=relative, alpha=alpha, power=power, variants=variants)
    assert n == math.ceil(ref)
    # Independent closed form (ignores the far tail of the two-sided test): 2·((z₁₋ₐ/₂ + z_power)/h)².
    hand = 2 * ((sps.norm.ppf(1 - a / 2) + sps.norm.ppf(power)) / h) ** 2
    assert n == pytest.approx(hand, rel=0.01)


def test_bonferroni_for_more_variants() -> None:
    assert comparison_alpha(0.05, 2) == 0.05
    assert comparison_alpha(0.05, 3) == pytest.approx(0.025)
    assert comparison_alpha(0.05, 5) == pytest.approx(0.0125)
    assert sample_size_proportion(0.1, 0.02, variants=3) > sample_size_proportion(0.1, 0.02)
    assert sample_size_proportion(0.1, 0.02, variants=3) == sample_size_proportion(0.1, 0.02, alpha=0.025)


def test_one_sided_sample_size() -> None:
    # One-sided: n = 2·((z₀.₉₅ + z₀.₈)/h)² = 2·((1.644854 + 0.841621)/0.063982)² = 3020.5 → 3021
    h = 2 * math.asin(math.sqrt(0.12)) - 2 * math.asin(math.sqrt(0.10))
    hand = 2 * ((1.6448536269514722 + Z80) / h) ** 2
    n = sample_size_proportion(0.10, 0.02, alternative="larger")
    assert n == math.ceil(hand) == 3021
    h_down = 2 * math.asin(math.sqrt(0.08)) - 2 * math.asin(math.sqrt(0.10))
    assert sample_size_proportion(0.10, -0.02, alternative="smaller") == math.ceil(
        2 * ((1.6448536269514722 + Z80) / h_down) ** 2)
    with pytest.raises(ParameterError, match="cannot detect an effect of sign"):
        sample_size_proportion(0.10, -0.02, alternative="larger")


@pytest.mark.parametrize("kwargs, match", [
    ({"baseline": 0.0, "mde": 0.01}, "strictly between 0 and 1"),
    ({"baseline": 1.2, "mde": 0.01}, "strictly between 0 and 1"),
    ({"baseline": 0.99, "mde": 0.02}, "outside 0–1"),
    ({"baseline": 0.5, "mde": 1.0, "relative": True}, "outside 0–1"),
    ({"baseline": 0.1, "mde": 0.0}, "must not be 0"),
    ({"baseline": 0.1, "mde": 0.01, "variants": 1}, "≥ 2"),
    ({"baseline": 0.1, "mde": 0.01, "alpha": 0.0}, "alpha"),
    ({"baseline": 0.1, "mde": 0.01, "power": 1.0}, "power"),
    ({"baseline": 0.1, "mde": 0.01, "alternative": "greater"}, "alternative"),
    ({"baseline": float("nan"), "mde": 0.01}, "finite"),
])
def test_sample_size_proportion_bad_input(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        sample_size_proportion(**kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- planning: means and days


@pytest.mark.parametrize("std, mde, alpha, power, variants", [
    (10.0, 1.0, 0.05, 0.8, 2), (3.0, 0.5, 0.01, 0.9, 3), (50.0, 2.0, 0.05, 0.8, 2), (1.0, 0.8, 0.05, 0.8, 2),
])
def test_sample_size_mean_matches_statsmodels(std: float, mde: float, alpha: float, power: float,
                                              variants: int) -> None:
    a = alpha / (variants - 1)
    ref = TTestIndPower().solve_power(effect_size=mde / std, alpha=a, power=power, ratio=1.0)
    n = sample_size_mean(std, mde, alpha=alpha, power=power, variants=variants)
    assert n == math.ceil(ref)
    # Independent normal formula n = 2·(z₁₋ₐ/₂ + z_power)²·σ²/Δ²: within 1 % once n is large.
    hand = 2 * (sps.norm.ppf(1 - a / 2) + sps.norm.ppf(power)) ** 2 * std ** 2 / mde ** 2
    if hand > 200:
        assert n == pytest.approx(hand, rel=0.01)


def test_sample_size_mean_hand_and_relative() -> None:
    # σ 10, Δ 1: normal formula 2·2.801585²·100/1 = 1569.8; the t distribution adds ~1 unit → 1571.
    assert sample_size_mean(10.0, 1.0) == 1571
    # Relative 5 % of a baseline mean of 20 is Δ = 1.
    assert sample_size_mean(10.0, 0.05, relative=True, baseline=20.0) == 1571
    assert sample_size_mean(10.0, -1.0) == 1571
    with pytest.raises(ParameterError, match="baseline mean"):
        sample_size_mean(10.0, 0.05, relative=True)
    with pytest.raises(ParameterError, match="std must be positive"):
        sample_size_mean(0.0, 1.0)


def test_days_needed() -> None:
    assert days_needed(3835, 2, 1000) == 8  # 7670 / 1000 = 7.67 → 8
    assert days_needed(1000, 2, 200) == 10  # exactly 10
    assert days_needed(7, 2, 1.4) == 10  # 14 / 1.4 = 10.000000000000002 in floating point → still 10
    assert days_needed(0, 3, 500) == 0
    with pytest.raises(ParameterError, match="daily_units"):
        days_needed(100, 2, 0)
    with pytest.raises(ParameterError, match="n_per_variant"):
        days_needed(-1, 2, 100)
    with pytest.raises(ParameterError, match="≥ 2"):
        days_needed(100, 1, 100)


# ---------------------------------------------------------------- at the current sample size


@pytest.mark.parametrize("nc, nv, sd, effect", [(2000, 2000, 10.0, 1.0), (1500, 3000, 4.0, 0.3), (100, 120, 1.0, 0.5)])
def test_achieved_power_matches_normal_ind_power(nc: int, nv: int, sd: float, effect: float) -> None:
    control, variant = mean_stats("A", nc, 20.0, sd * sd), mean_stats("B", nv, 20.4, sd * sd)
    # Equal variances: SE = σ·√(1/nc + 1/nv), which is statsmodels' NormalIndPower with ratio nv/nc.
    ref = NormalIndPower().power(effect_size=effect / sd, nobs1=nc, alpha=0.05, ratio=nv / nc)
    assert achieved_power(control, variant, MEAN, effect) == pytest.approx(ref, rel=1e-9)


def test_achieved_power_binary_hand() -> None:
    # p = 460/3835 = 0.119948 in both arms: SE = √(2·p(1 − p)/3835) = 0.0074196; Δ = 0.02 → Δ/SE = 2.695549
    # power = Φ(2.695549 − 1.959964) + Φ(−2.695549 − 1.959964) = Φ(0.735585) + ≈0 = 0.769010
    c, v = binary_stats("A", 460, 3835), binary_stats("B", 460, 3835)
    p = 460 / 3835
    se = math.sqrt(2 * p * (1 - p) / 3835)
    hand = sps.norm.cdf(0.02 / se - Z975) + sps.norm.cdf(-0.02 / se - Z975)
    assert achieved_power(c, v, BINARY, 0.02) == pytest.approx(hand, rel=1e-9)
    assert hand == pytest.approx(0.769010, abs=1e-6)
    assert achieved_power(c, v, BINARY, 0.02) == pytest.approx(
        NormalIndPower().power(effect_size=0.02 / math.sqrt(p * (1 - p)), nobs1=3835, alpha=0.05), rel=1e-9)
    # Relative: 0.02 is a 16.67 % lift on 0.11995.
    assert achieved_power(c, v, BINARY, 0.02 / p, relative=True) == pytest.approx(hand, rel=1e-9)


def test_power_is_nan_without_a_planned_effect_or_any_variance() -> None:
    c, v = binary_stats("A", 100, 1000), binary_stats("B", 120, 1000)
    assert math.isnan(achieved_power(c, v, BINARY, None))
    with pytest.raises(ParameterError, match="cannot test: variant 'B' has no units"):
        achieved_power(c, binary_stats("B", 0, 0), BINARY, 0.01)
    zero_c, zero_v = binary_stats("A", 0, 1000), binary_stats("B", 0, 1000)  # no variance yet: z cannot say
    assert math.isnan(achieved_power(zero_c, zero_v, BINARY, 0.01))
    assert math.isnan(mde_at(zero_c, zero_v, BINARY))
    with pytest.raises(ParameterError, match="cannot plan"):
        additional_units_needed(zero_c, zero_v, BINARY, 0.01)
    with pytest.raises(ParameterError, match="non-zero control value"):
        achieved_power(binary_stats("A", 0, 1000), v, BINARY, 0.1, relative=True)


def test_mde_at_hand_and_statsmodels() -> None:
    # σ² = 100 in both arms of 2000: SE = √(100/2000·2) = 0.316228; MDE = 2.801585·0.316228 = 0.885939
    c, v = mean_stats("A", 2000, 20.0, 100.0), mean_stats("B", 2000, 20.5, 100.0)
    assert mde_at(c, v, MEAN) == pytest.approx(0.885939, rel=1e-6)
    ref = NormalIndPower().solve_power(effect_size=None, nobs1=2000, alpha=0.05, power=0.8, ratio=1.0) * 10.0
    assert mde_at(c, v, MEAN) == pytest.approx(ref, rel=0.01)
    # Power at the MDE is the requested power (up to the negligible far tail).
    assert achieved_power(c, v, MEAN, mde_at(c, v, MEAN)) == pytest.approx(0.8, abs=1e-4)
    assert achieved_power(c, v, MEAN, mde_at(c, v, MEAN, alpha=0.01, power=0.9), alpha=0.01) == pytest.approx(
        0.9, abs=1e-4)


def test_mde_at_uses_the_test_standard_error() -> None:
    rng = np.random.default_rng(2)
    x, y = rng.poisson(3, 800).astype(float), rng.poisson(60, 800).astype(float) + 1
    s = VariantStats("A", 800, x.sum(), (x * x).sum(), y.sum(), (y * y).sum(), (x * y).sum())
    x2 = rng.poisson(3.2, 900).astype(float)
    y2 = rng.poisson(60, 900).astype(float) + 1
    t = VariantStats("B", 900, x2.sum(), (x2 * x2).sum(), y2.sum(), (y2 * y2).sum(), (x2 * y2).sum())
    assert mde_at(s, t, RATIO) == pytest.approx((Z975 + Z80) * compare(s, t, RATIO).se, rel=1e-9)


def test_additional_units_needed() -> None:
    # σ² = 100 per arm, Δ = 1: n* = 2.801585²·(100 + 100)/1² = 1569.76 per variant.
    c, v = mean_stats("A", 1000, 20.0, 100.0), mean_stats("B", 1000, 20.3, 100.0)
    n_star = (Z975 + Z80) ** 2 * 200 / 1.0
    assert additional_units_needed(c, v, MEAN, 1.0) == math.ceil(n_star - 1000) == 570
    # Agrees with statsmodels' normal sample size within 1 %.
    ref = NormalIndPower().solve_power(effect_size=0.1, alpha=0.05, power=0.8, ratio=1.0)
    assert 1000 + additional_units_needed(c, v, MEAN, 1.0) == pytest.approx(ref, rel=0.01)
    # Relative: 5 % of 20 = 1.
    assert additional_units_needed(c, v, MEAN, 0.05, relative=True) == 570
    # Already large enough → 0; consistent with mde_at.
    big_c, big_v = mean_stats("A", 5000, 20.0, 100.0), mean_stats("B", 5000, 20.3, 100.0)
    assert mde_at(big_c, big_v, MEAN) < 1.0
    assert additional_units_needed(big_c, big_v, MEAN, 1.0) == 0
    # Unequal arms: the smaller one must reach n*.
    assert additional_units_needed(mean_stats("A", 900, 20.0, 100.0), v, MEAN, 1.0) == math.ceil(n_star - 900)
    with pytest.raises(ParameterError, match="mde must not be 0"):
        additional_units_needed(c, v, MEAN, 0.0)


def test_additional_units_reach_the_planned_power() -> None:
    # After adding the units (per-unit variances unchanged) power at the planned MDE reaches 80 %;
    # one unit fewer does not.
    c, v = mean_stats("A", 1000, 20.0, 100.0), mean_stats("B", 1000, 20.3, 130.0)
    n = 1000 + additional_units_needed(c, v, MEAN, 1.0)
    assert achieved_power(mean_stats("A", n, 20.0, 100.0), mean_stats("B", n, 20.3, 130.0), MEAN, 1.0) >= 0.8
    assert achieved_power(mean_stats("A", n - 1, 20.0, 100.0), mean_stats("B", n - 1, 20.3, 130.0), MEAN,
                          1.0) < 0.8


def test_plan_of_a_rate_by_hand() -> None:
    # 4 % baseline, +15 % relative → 4.6 %; h = 2·asin√0.046 − 2·asin√0.04 = 0.029595;
    # n = 2·(z.975 + z.8)²/h² = 2 · 2.80159² / 0.029595² = 17,922.6 → 17,923 per variant;
    # days = ceil(2 × 17,923 / 3,000) = ceil(11.95) = 12
    plan = plan_next_test(PlanInputs(baseline=0.04, std=0.0, mde=0.15, relative=True, variants=2, daily_units=3000))
    h = 2 * math.asin(math.sqrt(0.046)) - 2 * math.asin(math.sqrt(0.04))
    assert 2 * (Z975 + Z80) ** 2 / h ** 2 == pytest.approx(17922.6, abs=0.1)
    assert plan == {"baseline": 0.04, "std": None, "mde": 0.15, "relative": True, "variants": 2, "alpha": 0.05,
                    "power": 0.8, "n_per_variant": 17923, "daily_units": 3000, "days_needed": 12}


def test_plan_of_a_mean_splits_alpha_over_the_comparisons() -> None:
    # mean 120, sd 40, +15 % relative = 18 → d = 18/40 = 0.45; three variants → α = 0.05/2 per comparison;
    # days = ceil(n × 3 / 2,500.5)
    plan = plan_next_test(PlanInputs(baseline=120, std=40.0, mde=0.15, relative=True, variants=3,
                                     daily_units=2500.5), alpha=0.05, power=0.8)
    n = math.ceil(TTestIndPower().solve_power(effect_size=0.45, alpha=0.025, power=0.8))
    assert (plan["std"], plan["n_per_variant"], plan["days_needed"]) == (40.0, n, math.ceil(n * 3 / 2500.5))
