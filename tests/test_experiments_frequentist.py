"""Tests of helpers.experiments frequentist, srm and corrections against statsmodels, scipy and hand sums."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from helpers.errors import DataError, ParameterError
from helpers.experiments.corrections import adjust_pvalues
from helpers.experiments.frequentist import Comparison, compare, compare_all
from helpers.experiments.metrics import MetricSpec, VariantStats, variant_stats
from helpers.experiments.srm import SrmResult, srm_test

BINARY = MetricSpec("conversion", "binary", "converted")
MEAN = MetricSpec("revenue", "mean", "revenue")
RATIO = MetricSpec("ctr", "ratio", "clicks", "impressions")
Z975 = 1.959963984540054  # scipy.stats.norm.ppf(0.975)


def binary_stats(name: str, successes: int, n: int) -> VariantStats:
    """Pre-aggregated binary totals (Σx² = Σx for 0/1 values)."""
    return VariantStats(name, n, float(successes), float(successes))


def raw_stats(name: str, x: np.ndarray, y: np.ndarray | None = None) -> VariantStats:
    """Sufficient statistics from raw per-unit arrays."""
    if y is None:
        return VariantStats(name, len(x), float(x.sum()), float((x * x).sum()))
    return VariantStats(name, len(x), float(x.sum()), float((x * x).sum()), float(y.sum()), float((y * y).sum()),
                        float((x * y).sum()))


# ---------------------------------------------------------------- binary


def test_binary_hand_example() -> None:
    # A 100/1000 = 0.10, B 130/1000 = 0.13.
    # pooled p = 230/2000 = 0.115; SE0 = √(0.115·0.885·(1/1000 + 1/1000)) = √0.00020355 = 0.0142671
    # z = 0.03 / 0.0142671 = 2.102741; p = 2·(1 − Φ(2.102741)) = 0.035488
    # Wald SE = √(0.1·0.9/1000 + 0.13·0.87/1000) = √0.0002031 = 0.0142513
    # CI = 0.03 ± 1.959964·0.0142513 = 0.03 ± 0.0279320 → (0.0020680, 0.0579320)
    # rel = 0.13/0.10 − 1 = 0.3; log-ratio interval: SE(log) = √(Var_v/0.13² + Var_c/0.10²)
    #   = √(0.0001131/0.0169 + 0.00009/0.01) = √(0.0066923 + 0.009) = √0.0156923 = 0.125269
    # log 1.3 = 0.262364; ± 1.959964·0.125269 = ± 0.245523 → exp(0.016841) − 1, exp(0.507887) − 1
    #   = (0.016984, 0.661776)  (the old symmetric delta interval was (−0.019180, 0.619180))
    r = compare(binary_stats("A", 100, 1000), binary_stats("B", 130, 1000), BINARY)
    assert r.test == "two-proportion z-test"
    assert (r.control, r.variant, r.metric, r.kind) == ("A", "B", "conversion", "binary")
    assert r.control_value == pytest.approx(0.10) and r.variant_value == pytest.approx(0.13)
    assert r.abs_diff == pytest.approx(0.03)
    assert r.p_value == pytest.approx(0.035488, abs=1e-6)
    assert r.se == pytest.approx(0.0142513, abs=1e-7)
    assert r.abs_ci == pytest.approx((0.0020680, 0.0579320), abs=1e-7)
    assert r.rel_diff == pytest.approx(0.3)
    assert r.rel_ci == pytest.approx((0.016984, 0.661776), abs=1e-6)


@pytest.mark.parametrize("seed", range(6))
def test_binary_matches_statsmodels_on_random_counts(seed: int) -> None:
    rng = np.random.default_rng(seed)
    nc, nv = (int(v) for v in rng.integers(200, 50_000, 2))
    rate = rng.uniform(0.02, 0.5)
    xc, xv = int(rng.binomial(nc, rate)), int(rng.binomial(nv, rate * rng.uniform(0.9, 1.2)))
    alpha = float(rng.choice([0.01, 0.05, 0.1]))
    r = compare(binary_stats("c", xc, nc), binary_stats("v", xv, nv), BINARY, alpha=alpha)
    _, p = proportions_ztest([xv, xc], [nv, nc])  # pooled SE, no continuity correction
    lo, hi = confint_proportions_2indep(xv, nv, xc, nc, method="wald", compare="diff", alpha=alpha)
    assert r.test == "two-proportion z-test"
    assert r.p_value == pytest.approx(p, rel=1e-9)
    assert r.abs_ci == pytest.approx((lo, hi), rel=1e-9)
    # second implementation of the relative interval: statsmodels' log interval of the ratio p_v/p_c
    ratio_lo, ratio_hi = confint_proportions_2indep(xv, nv, xc, nc, method="log", compare="ratio", alpha=alpha)
    assert r.rel_ci == pytest.approx((ratio_lo - 1, ratio_hi - 1), rel=1e-9)


def test_relative_interval_never_falls_below_minus_100_percent() -> None:
    # 1/20 → 9/20: rel = 0.45/0.05 − 1 = 8; the symmetric delta SE = √(0.45·0.55/20/0.05² + 0.45²·0.05·0.95/20/0.05⁴)
    #   = √(4.95 + 76.95) = 9.05, so 8 − 1.96·9.05 = −9.7: a fall of 970 %. The log-ratio interval stays above −100 %.
    # 2/40 → 0/40: no log of 0, so the delta fallback: rel = −1, SE = √(0 + 0) = 0 → (−1, −1), clipped at −100 %.
    zero = compare(binary_stats("c", 2, 40), binary_stats("v", 0, 40), BINARY)
    assert zero.rel_diff == pytest.approx(-1.0) and zero.rel_ci[0] >= -1.0
    big = compare(binary_stats("c", 1, 20), binary_stats("v", 9, 20), BINARY)
    assert big.rel_ci[0] > -1.0 and big.rel_ci[0] < big.rel_diff < big.rel_ci[1]
    # the same counts by statsmodels' log-ratio interval
    lo, hi = confint_proportions_2indep(9, 20, 1, 20, method="log", compare="ratio")
    assert big.rel_ci == pytest.approx((lo - 1, hi - 1), rel=1e-9)


def test_binary_from_unit_rows_matches_statsmodels() -> None:
    rng = np.random.default_rng(7)
    units = pd.DataFrame({"variant": np.repeat(["A", "B"], [3000, 3100]),
                          "converted": np.r_[rng.binomial(1, 0.08, 3000), rng.binomial(1, 0.095, 3100)]})
    s = variant_stats(units, BINARY)
    r = compare(s["A"], s["B"], BINARY)
    xa, xb = int(units.converted[units.variant == "A"].sum()), int(units.converted[units.variant == "B"].sum())
    assert r.p_value == pytest.approx(proportions_ztest([xb, xa], [3100, 3000])[1], rel=1e-9)


@pytest.mark.parametrize("xc, nc, xv, nv", [(1, 20, 5, 20), (0, 40, 3, 45), (2, 400, 4, 400), (38, 40, 40, 40)])
def test_small_counts_use_fisher_exact(xc: int, nc: int, xv: int, nv: int) -> None:
    r = compare(binary_stats("A", xc, nc), binary_stats("B", xv, nv), BINARY)
    assert r.test == "fisher exact"
    assert r.p_value == pytest.approx(sps.fisher_exact([[xv, nv - xv], [xc, nc - xc]])[1], rel=1e-12)
    # The interval stays Wald.
    lo, hi = confint_proportions_2indep(xv, nv, xc, nc, method="wald")
    assert r.abs_ci == pytest.approx((lo, hi), rel=1e-9, abs=1e-12)


def test_fisher_threshold_is_an_expected_count_of_five() -> None:
    # 5 + 5 successes of 1000 + 1000: expected successes per row = 1000·10/2000 = 5 → not below 5 → z-test.
    assert compare(binary_stats("A", 5, 1000), binary_stats("B", 5, 1000), BINARY).test == "two-proportion z-test"
    # 4 + 5 of 1000 + 1000: expected = 4.5 < 5 → Fisher.
    assert compare(binary_stats("A", 4, 1000), binary_stats("B", 5, 1000), BINARY).test == "fisher exact"


def test_binary_all_zero_is_fisher_with_p_one_and_nan_relative() -> None:
    r = compare(binary_stats("A", 0, 500), binary_stats("B", 0, 500), BINARY)
    assert r.test == "fisher exact" and r.p_value == pytest.approx(1.0)
    assert r.abs_diff == 0 and r.abs_ci == (0.0, 0.0)
    assert math.isnan(r.rel_diff) and all(math.isnan(v) for v in r.rel_ci)


# ---------------------------------------------------------------- mean


@pytest.mark.parametrize("seed", range(5))
def test_mean_matches_scipy_welch_and_statsmodels_ci(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    nc, nv = (int(v) for v in rng.integers(5, 3000, 2))
    c = rng.lognormal(1.0, 1.0, nc)
    v = rng.lognormal(1.0 + rng.uniform(-0.2, 0.3), rng.uniform(0.5, 1.5), nv)
    alpha = float(rng.choice([0.01, 0.05, 0.2]))
    r = compare(raw_stats("c", c), raw_stats("v", v), MEAN, alpha=alpha)
    ref = sps.ttest_ind(v, c, equal_var=False)
    assert r.test == "welch t-test"
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-7)
    assert r.abs_ci == pytest.approx(tuple(ref.confidence_interval(1 - alpha)), rel=1e-7)
    sm_ci = CompareMeans(DescrStatsW(v), DescrStatsW(c)).tconfint_diff(alpha=alpha, usevar="unequal")
    assert r.abs_ci == pytest.approx(sm_ci, rel=1e-7)
    assert r.abs_diff == pytest.approx(v.mean() - c.mean(), rel=1e-10)
    assert r.se == pytest.approx(math.sqrt(c.var(ddof=1) / nc + v.var(ddof=1) / nv), rel=1e-8)


def test_mean_hand_example_with_relative_ci() -> None:
    # control 1, 2, 3, 4 → mean 2.5, s² = 1.6667, Var(mean) = 0.416667
    # variant 2, 4, 6, 8 → mean 5.0, s² = 6.6667, Var(mean) = 1.666667
    # SE = √2.083333 = 1.443376; t = 2.5/1.443376 = 1.732051
    # df = 2.083333² / (0.416667²/3 + 1.666667²/3) = 4.340278 / 0.983796 = 4.411765
    # rel = 5/2.5 − 1 = 1; Var(rel) = 1.666667/6.25 + 25·0.416667/39.0625 = 0.266667 + 0.266667 = 0.533333
    # log-ratio interval: SE(log) = √(1.666667/5² + 0.416667/2.5²) = √(0.066667 + 0.066667) = 0.365148;
    # crit = t_{0.975, 4.411765} = 2.677174 → 2·exp(∓2.677174·0.365148) − 1 = (−0.247548, 4.315955)
    r = compare(raw_stats("A", np.array([1.0, 2, 3, 4])), raw_stats("B", np.array([2.0, 4, 6, 8])), MEAN)
    crit = sps.t.ppf(0.975, 4.411765)
    assert r.se == pytest.approx(1.443376, rel=1e-6)
    assert r.p_value == pytest.approx(2 * sps.t.sf(1.732051, 4.411765), rel=1e-5)
    assert r.abs_ci == pytest.approx((2.5 - crit * 1.443376, 2.5 + crit * 1.443376), rel=1e-5)
    assert r.rel_diff == pytest.approx(1.0)
    assert r.rel_ci == pytest.approx((2 * math.exp(-crit * 0.365148) - 1, 2 * math.exp(crit * 0.365148) - 1),
                                     rel=1e-5)
    assert r.rel_ci == pytest.approx((-0.247548, 4.315955), abs=1e-5)


def test_relative_ci_log_ratio_covers_in_simulation() -> None:
    # Brute force: over simulated experiments (true lift 0.12/0.10 − 1 = +20 %) the 95 % log-ratio
    # interval covers the true lift about 95 % of the time, and its lower end never passes −100 %.
    rng = np.random.default_rng(11)
    covered, lows = [], []
    for xc, xv in zip(rng.binomial(2000, 0.10, 800), rng.binomial(2000, 0.12, 800), strict=True):
        r = compare(binary_stats("c", int(xc), 2000), binary_stats("v", int(xv), 2000), BINARY)
        covered.append(r.rel_ci[0] <= 0.2 <= r.rel_ci[1])
        lows.append(r.rel_ci[0])
    # binomial sd of the coverage over 800 runs: √(0.95·0.05/800) = 0.0077; allow ±3 sd
    assert np.mean(covered) == pytest.approx(0.95, abs=0.023)
    assert min(lows) > -1.0


def test_relative_is_nan_when_control_mean_is_zero() -> None:
    r = compare(raw_stats("A", np.array([-1.0, 1.0, -2.0, 2.0])), raw_stats("B", np.array([0.0, 1, 2, 3])), MEAN)
    assert r.control_value == 0
    assert math.isnan(r.rel_diff) and all(math.isnan(v) for v in r.rel_ci)
    assert not math.isnan(r.p_value)


# ---------------------------------------------------------------- ratio


def ratio_units(rng: np.random.Generator, n: int, ctr: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-unit impressions (over-dispersed) and clicks with a unit-level CTR around `ctr`."""
    impressions = rng.poisson(rng.gamma(2.0, 5.0, n)) + 1
    unit_ctr = rng.beta(ctr * 20, (1 - ctr) * 20, n)
    return rng.binomial(impressions, unit_ctr).astype(float), impressions.astype(float)


def delta_var_from_raw(x: np.ndarray, y: np.ndarray) -> float:
    """Var(Σx/Σy) by linearisation from raw arrays: var(x − R·y, ddof=1)/(n·ȳ²)."""
    r = x.sum() / y.sum()
    return float(np.var(x - r * y, ddof=1) / (len(x) * y.mean() ** 2))


def test_ratio_delta_method_matches_numpy_formula() -> None:
    rng = np.random.default_rng(3)
    xc, yc = ratio_units(rng, 2000, 0.05)
    xv, yv = ratio_units(rng, 2300, 0.056)
    r = compare(raw_stats("c", xc, yc), raw_stats("v", xv, yv), RATIO)
    # The same formula, written with the covariance matrix: (s_x² − 2R·s_xy + R²·s_y²)/(n·ȳ²).
    for x, y in ((xc, yc), (xv, yv)):
        cov = np.cov(x, y, ddof=1)
        rr = x.sum() / y.sum()
        assert delta_var_from_raw(x, y) == pytest.approx(
            (cov[0, 0] - 2 * rr * cov[0, 1] + rr ** 2 * cov[1, 1]) / (len(x) * y.mean() ** 2), rel=1e-9)
    se = math.sqrt(delta_var_from_raw(xc, yc) + delta_var_from_raw(xv, yv))
    diff = xv.sum() / yv.sum() - xc.sum() / yc.sum()
    assert r.test == "delta-method z-test"
    assert r.abs_diff == pytest.approx(diff, rel=1e-12)
    assert r.se == pytest.approx(se, rel=1e-8)
    assert r.p_value == pytest.approx(2 * sps.norm.sf(abs(diff / se)), rel=1e-7)
    assert r.abs_ci == pytest.approx((diff - Z975 * se, diff + Z975 * se), rel=1e-8)


def test_ratio_se_matches_bootstrap() -> None:
    rng = np.random.default_rng(5)
    xc, yc = ratio_units(rng, 1500, 0.05)
    xv, yv = ratio_units(rng, 1500, 0.05)
    r = compare(raw_stats("c", xc, yc), raw_stats("v", xv, yv), RATIO)
    boots = 2000
    ic, iv = rng.integers(0, 1500, (boots, 1500)), rng.integers(0, 1500, (boots, 1500))
    diffs = xv[iv].sum(1) / yv[iv].sum(1) - xc[ic].sum(1) / yc[ic].sum(1)
    assert np.std(diffs, ddof=1) == pytest.approx(r.se, rel=0.08)


def test_ratio_null_false_positive_rate_is_alpha() -> None:
    # Simulation: with no true difference, about 5 % of experiments are significant at alpha 0.05.
    rng = np.random.default_rng(9)
    hits = 0
    runs = 400
    for _ in range(runs):
        xc, yc = ratio_units(rng, 400, 0.05)
        xv, yv = ratio_units(rng, 400, 0.05)
        hits += compare(raw_stats("c", xc, yc), raw_stats("v", xv, yv), RATIO).p_value < 0.05
    # Binomial(400, 0.05): mean 20, sd 4.4; allow ±3 sd.
    assert 7 <= hits <= 33


def test_ratio_from_unit_rows_via_variant_stats() -> None:
    rng = np.random.default_rng(21)
    xc, yc = ratio_units(rng, 500, 0.04)
    xv, yv = ratio_units(rng, 520, 0.05)
    units = pd.DataFrame({"variant": ["A"] * 500 + ["B"] * 520, "clicks": np.r_[xc, xv],
                          "impressions": np.r_[yc, yv]})
    s = variant_stats(units, RATIO)
    r = compare(s["A"], s["B"], RATIO)
    assert r.se == pytest.approx(math.sqrt(delta_var_from_raw(xc, yc) + delta_var_from_raw(xv, yv)), rel=1e-8)
    rel = (xv.sum() / yv.sum()) / (xc.sum() / yc.sum()) - 1
    assert r.rel_diff == pytest.approx(rel, rel=1e-10)


# ---------------------------------------------------------------- A/B/n, repr and bad input


def test_compare_all_each_variant_against_control() -> None:
    stats = {"A": binary_stats("A", 100, 1000), "B": binary_stats("B", 130, 1000),
             "C": binary_stats("C", 90, 1000)}
    out = compare_all(stats, BINARY, control="A")
    assert [(r.control, r.variant) for r in out] == [("A", "B"), ("A", "C")]
    assert out[1].p_value == pytest.approx(proportions_ztest([90, 100], [1000, 1000])[1], rel=1e-9)
    out_b = compare_all(stats, BINARY, control="B")
    assert [r.variant for r in out_b] == ["A", "C"]


def test_comparison_is_frozen_and_reads_well() -> None:
    r = compare(binary_stats("A", 100, 1000), binary_stats("B", 130, 1000), BINARY)
    assert isinstance(r, Comparison)
    with pytest.raises(AttributeError):
        r.p_value = 0.5  # type: ignore[misc]
    text = repr(r)
    assert "conversion" in text and "B vs A" in text and "+30.00%" in text and "z-test" in text
    assert "95% CI" in text


def test_zero_units_cannot_be_tested() -> None:
    with pytest.raises(ParameterError, match="cannot test: variant 'B' has no units"):
        compare(binary_stats("A", 10, 100), binary_stats("B", 0, 0), BINARY)
    with pytest.raises(ParameterError, match="cannot test: variant 'A' has no units"):
        compare(VariantStats("A", 0, 0.0, 0.0), raw_stats("B", np.array([1.0, 2.0])), MEAN)


def test_missing_control_names_the_variants_present() -> None:
    stats = {"A": binary_stats("A", 10, 100), "B": binary_stats("B", 12, 100)}
    with pytest.raises(ParameterError, match=r"'control'.*variants present: \['A', 'B'\]"):
        compare_all(stats, BINARY, control="control")


def test_single_variant_is_refused() -> None:
    with pytest.raises(ParameterError, match="at least 2 variants"):
        compare_all({"A": binary_stats("A", 10, 100)}, BINARY, control="A")
    with pytest.raises(ParameterError, match="at least 2 variants"):
        compare_all({}, BINARY, control="A")


@pytest.mark.parametrize("successes, n", [(120, 100), (-1, 100), (10.5, 100)])
def test_impossible_binary_counts_are_data_errors(successes: float, n: int) -> None:
    with pytest.raises(DataError, match="variant 'B'"):
        compare(binary_stats("A", 10, 100), VariantStats("B", n, successes, successes), BINARY)


def test_negative_units_are_data_errors() -> None:
    with pytest.raises(DataError, match="whole number"):
        compare(binary_stats("A", 10, 100), VariantStats("B", -5, 0.0, 0.0), BINARY)


def test_mean_needs_two_units_and_some_variance() -> None:
    with pytest.raises(ParameterError, match="at least 2"):
        compare(raw_stats("A", np.array([1.0, 2.0])), raw_stats("B", np.array([3.0])), MEAN)
    with pytest.raises(ParameterError, match="zero variance"):
        compare(raw_stats("A", np.zeros(10)), raw_stats("B", np.ones(10)), MEAN)


def test_ratio_needs_denominator_sums() -> None:
    x = np.array([1.0, 2.0, 0.0])
    with pytest.raises(DataError, match="Σy"):
        compare(raw_stats("A", x), raw_stats("B", x), RATIO)
    zero = raw_stats("B", np.zeros(3), np.zeros(3))
    with pytest.raises(ParameterError, match="denominator total of 0"):
        compare(raw_stats("A", x, np.ones(3)), zero, RATIO)


@pytest.mark.parametrize("alpha", [0, 1, -0.1, 1.5, "x"])
def test_bad_alpha(alpha: object) -> None:
    with pytest.raises(ParameterError, match="alpha"):
        compare(binary_stats("A", 100, 1000), binary_stats("B", 130, 1000), BINARY, alpha=alpha)  # type: ignore[arg-type]


# ---------------------------------------------------------------- SRM


def test_srm_hand_example_equal_split() -> None:
    # 5000 vs 5200, equal split: expected 5100 each; χ² = (100² + 100²)/5100 = 3.921569; df 1
    # p = P(χ²₁ > 3.921569) = 0.047670 → passes at 0.001.
    r = srm_test({"A": 5000, "B": 5200})
    assert isinstance(r, SrmResult)
    assert r.chi2 == pytest.approx(3.921569, rel=1e-6)
    assert r.p_value == pytest.approx(0.047670, abs=1e-6)
    assert (r.df, r.passed, r.threshold) == (1, True, 0.001)
    assert r.observed == {"A": 5000, "B": 5200} and r.expected == {"A": 5100.0, "B": 5100.0}


def test_srm_fails_on_a_real_mismatch() -> None:
    # 10000 vs 10500: expected 10250; χ² = 2·250²/10250 = 12.195122; p = 0.000479 < 0.001 → fails.
    r = srm_test({"A": 10_000, "B": 10_500})
    assert r.chi2 == pytest.approx(12.195122, rel=1e-6)
    assert r.p_value == pytest.approx(sps.chi2.sf(12.195122, 1), rel=1e-5)
    assert not r.passed


def test_srm_weights_are_normalised_and_match_scipy() -> None:
    counts = {"A": 2010, "B": 3950, "C": 4040}
    r1 = srm_test(counts, {"A": 1, "B": 2, "C": 2})
    r2 = srm_test(counts, {"C": 0.4, "A": 0.2, "B": 0.4})
    ref = sps.chisquare([2010, 3950, 4040], [2000, 4000, 4000])
    for r in (r1, r2):
        assert r.chi2 == pytest.approx(ref.statistic, rel=1e-12)
        assert r.p_value == pytest.approx(ref.pvalue, rel=1e-12)
        assert r.df == 2 and r.expected == pytest.approx({"A": 2000.0, "B": 4000.0, "C": 4000.0})


@pytest.mark.parametrize("split, match", [
    ({"A": 1, "X": 1}, "missing \\['B'\\], unknown \\['X'\\]"),
    ({"A": 1}, "missing \\['B'\\]"),
    ({"A": 1, "B": 0}, "positive"),
    ({"A": 1, "B": -1}, "positive"),
    ({"A": 1, "B": float("nan")}, "positive"),
])
def test_srm_bad_split(split: dict[str, float], match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        srm_test({"A": 100, "B": 100}, split)


def test_srm_bad_counts_and_threshold() -> None:
    with pytest.raises(ParameterError, match="at least 2 variants"):
        srm_test({"A": 100})
    with pytest.raises(DataError, match="whole number"):
        srm_test({"A": 100, "B": -3})
    with pytest.raises(DataError, match="No units"):
        srm_test({"A": 0, "B": 0})
    with pytest.raises(ParameterError, match="threshold"):
        srm_test({"A": 100, "B": 100}, threshold=0)


# ---------------------------------------------------------------- corrections


def test_holm_and_bh_by_hand() -> None:
    # Holm, sorted 0.01, 0.03, 0.04: 3·0.01 = 0.03, 2·0.03 = 0.06, 1·0.04 → max so far 0.06.
    assert adjust_pvalues([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    # BH: 0.01·3/1 = 0.03, 0.03·3/2 = 0.045, 0.04·3/3 = 0.04 → running min from the top: 0.03, 0.04, 0.04.
    assert adjust_pvalues([0.01, 0.04, 0.03], "bh") == pytest.approx([0.03, 0.04, 0.04])
    assert adjust_pvalues([0.01, 0.04, 0.03], "bonferroni") == pytest.approx([0.03, 0.12, 0.09])
    assert adjust_pvalues([0.01, 0.04, 0.03], "none") == pytest.approx([0.01, 0.04, 0.03])


@pytest.mark.parametrize("method, sm", [("holm", "holm"), ("bh", "fdr_bh"), ("bonferroni", "bonferroni")])
def test_corrections_match_statsmodels_and_skip_nan(method: str, sm: str) -> None:
    p = np.random.default_rng(4).uniform(0, 0.2, 12)
    assert adjust_pvalues(p, method) == pytest.approx(multipletests(p, method=sm)[1], rel=1e-12)
    with_nan = np.r_[p[:5], np.nan, p[5:]]
    out = adjust_pvalues(list(with_nan), method)
    assert math.isnan(out[5])
    assert np.delete(out, 5) == pytest.approx(multipletests(p, method=sm)[1], rel=1e-12)


@pytest.mark.parametrize("method, sm", [("holm", "holm"), ("bh", "fdr_bh"), ("bonferroni", "bonferroni")])
def test_a_family_of_one_is_left_as_it_is_as_statsmodels_leaves_it(method: str, sm: str) -> None:
    # one comparison: Holm 1·p, BH p·1/1, Bonferroni 1·p — the p-value itself, with or without a NaN beside it
    for p in (0.0, 0.003, 0.5, 1.0):
        assert adjust_pvalues([p], method) == pytest.approx(multipletests([p], method=sm)[1])
        assert adjust_pvalues([p], method) == pytest.approx([p])
    out = adjust_pvalues([np.nan, 0.02], method)
    assert math.isnan(out[0]) and out[1] == pytest.approx(0.02)


def test_corrections_bad_input() -> None:
    assert adjust_pvalues([]).shape == (0,)
    assert np.isnan(adjust_pvalues([np.nan, np.nan])).all()
    with pytest.raises(ParameterError, match="holm, bh, bonferroni, none"):
        adjust_pvalues([0.1], "sidak-ish")
    with pytest.raises(ParameterError, match="0–1"):
        adjust_pvalues([0.1, 1.2])
