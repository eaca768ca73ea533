"""Tests of helpers.experiments.bayes (vs Monte Carlo, closed forms, quadrature) and .decision (every branch)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import integrate, special, stats

from helpers.errors import DataError, ParameterError
from helpers.experiments.bayes import BayesResult, beta_binomial, normal_posterior
from helpers.experiments.decision import Decision, decide, decide_comparison

DRAWS = 2_000_000


# --------------------------------------------------------------------------- independent methods


def monte_carlo_beta(sc: int, nc: int, sv: int, nv: int, prior: tuple[float, float],
                     seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded draws of (p_c, p_v) from the two Beta posteriors."""
    rng = np.random.default_rng(seed)
    a, b = prior
    return rng.beta(a + sc, b + nc - sc, DRAWS), rng.beta(a + sv, b + nv - sv, DRAWS)


def evan_miller_prob(a_c: int, b_c: int, a_v: int, b_v: int) -> float:
    """Closed form of P(p_v > p_c) for integer a_v (Evan Miller, "Formulas for Bayesian A/B testing").

    P = Σ_{i=0}^{a_v−1} B(a_c + i, b_c + b_v) / ((b_v + i)·B(1 + i, b_v)·B(a_c, b_c)), summed in logs.
    """
    i = np.arange(a_v)
    logs = (special.betaln(a_c + i, b_c + b_v) - np.log(b_v + i) - special.betaln(1 + i, b_v)
            - special.betaln(a_c, b_c))
    return float(np.exp(logs).sum())


def assert_close_to_mc(result: BayesResult, pc: np.ndarray, pv: np.ndarray) -> None:
    """Each statistic within 5 Monte Carlo standard errors of the simulation (quantiles: 5 SE too)."""
    d = pv - pc
    win = (d > 0).astype(float)
    assert result.prob_beat_control == pytest.approx(win.mean(), abs=5 * win.std() / math.sqrt(DRAWS) + 1e-9)
    for value, sample in ((result.expected_loss, np.maximum(-d, 0)), (result.expected_loss_control, np.maximum(d, 0))):
        assert value == pytest.approx(sample.mean(), abs=5 * sample.std() / math.sqrt(DRAWS) + 1e-12)
    assert result.diff_mean == pytest.approx(d.mean(), abs=5 * d.std() / math.sqrt(DRAWS))
    # SE of a sample q-quantile ≈ sqrt(q(1 − q)/N) / density; the density of d at the quantile from
    # a kernel-free estimate: the fraction of draws within ±h of it divided by 2h.
    for q, value in ((0.025, result.ci_low), (0.975, result.ci_high)):
        h = d.std() / 20
        density = np.mean(np.abs(d - value) < h) / (2 * h)
        se = math.sqrt(q * (1 - q) / DRAWS) / density
        assert value == pytest.approx(np.quantile(d, q), abs=5 * se)


# --------------------------------------------------------------------------- beta-binomial


@pytest.mark.parametrize(("sc", "nc", "sv", "nv", "prior", "seed"), [
    (400, 20_000, 480, 20_000, (1.0, 1.0), 1),   # 2.0% vs 2.4%: a clear winner
    (3, 10, 5, 12, (0.5, 0.5), 2),                # tiny samples, Jeffreys prior
    (150, 5_000, 141, 4_900, (2.0, 40.0), 3),     # near-null with an informative prior
    (0, 1_000, 1, 1_000, (0.5, 0.5), 4),          # no successes: the Jeffreys density is infinite at 0
])
def test_beta_binomial_matches_monte_carlo(sc: int, nc: int, sv: int, nv: int, prior: tuple[float, float],
                                           seed: int) -> None:
    result = beta_binomial(sc, nc, sv, nv, prior=prior)
    assert_close_to_mc(result, *monte_carlo_beta(sc, nc, sv, nv, prior, seed))
    assert result.level == 0.95 and f"Beta({prior[0]:g}, {prior[1]:g})" in result.prior


@pytest.mark.parametrize(("sc", "nc", "sv", "nv"), [(400, 20_000, 480, 20_000), (12, 50, 9, 61), (0, 30, 2, 25)])
def test_beta_probability_equals_closed_form(sc: int, nc: int, sv: int, nv: int) -> None:
    result = beta_binomial(sc, nc, sv, nv)
    assert result.prob_beat_control == pytest.approx(evan_miller_prob(1 + sc, 1 + nc - sc, 1 + sv, 1 + nv - sv),
                                                     abs=1e-9)


def test_beta_hand_case_no_successes() -> None:
    # 0/10 vs 0/12 with a uniform prior: p_c ~ Beta(1, 11), p_v ~ Beta(1, 13).
    # P(p_v > p_c) = ∫ 11(1−p)^10 · (1−p)^13 dp = 11/24.
    # E[p_c] = 1/12, E[p_v] = 1/14, so E[p_v − p_c] = 1/14 − 1/12 = −1/84, and
    # E[max(p_c − p_v, 0)] − E[max(p_v − p_c, 0)] = E[p_c − p_v] = 1/84.
    result = beta_binomial(0, 10, 0, 12)
    assert result.prob_beat_control == pytest.approx(11 / 24, abs=1e-10)
    assert result.diff_mean == pytest.approx(-1 / 84, rel=1e-12)
    assert result.expected_loss - result.expected_loss_control == pytest.approx(1 / 84, abs=1e-10)


def test_beta_swapping_arms_mirrors_everything() -> None:
    ab, ba = beta_binomial(30, 400, 42, 410), beta_binomial(42, 410, 30, 400)
    assert ab.prob_beat_control + ba.prob_beat_control == pytest.approx(1.0, abs=1e-10)
    assert ab.expected_loss == pytest.approx(ba.expected_loss_control, rel=1e-8)
    assert (ab.ci_low, ab.ci_high) == pytest.approx((-ba.ci_high, -ba.ci_low), rel=1e-7)


def test_beta_identical_arms_are_a_coin_flip() -> None:
    result = beta_binomial(40_000, 1_000_000, 40_000, 1_000_000)
    assert result.prob_beat_control == pytest.approx(0.5, abs=1e-9)
    assert result.expected_loss == pytest.approx(result.expected_loss_control, rel=1e-8)
    assert result.ci_low == pytest.approx(-result.ci_high, rel=1e-7)


def test_beta_level_changes_interval() -> None:
    wide, narrow = beta_binomial(30, 400, 42, 410, level=0.99), beta_binomial(30, 400, 42, 410, level=0.8)
    assert wide.ci_low < narrow.ci_low < narrow.ci_high < wide.ci_high and wide.level == 0.99


@pytest.mark.parametrize(("args", "kwargs", "error", "match"), [
    ((-1, 10, 2, 10), {}, DataError, "negative"),
    ((1, -10, 2, 10), {}, DataError, "negative"),
    ((11, 10, 2, 10), {}, DataError, "cannot exceed"),
    ((0, 0, 2, 10), {}, DataError, "0 units"),
    ((1.5, 10, 2, 10), {}, DataError, "whole number"),
    ((1, 10, 2, math.nan), {}, DataError, "whole number"),
    ((1, 10, 2, 10), {"prior": (0.0, 1.0)}, ParameterError, "prior"),
    ((1, 10, 2, 10), {"level": 1.0}, ParameterError, "level"),
])
def test_beta_bad_input(args: tuple, kwargs: dict, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        beta_binomial(*args, **kwargs)


def test_beta_accepts_numpy_integers() -> None:
    assert beta_binomial(np.int64(3), np.int64(10), 5, 12) == beta_binomial(3, 10, 5, 12)


# --------------------------------------------------------------------------- normal


@pytest.mark.parametrize(("mc", "sc", "mv", "sv"), [(1.0, 0.1, 1.2, 0.1), (50.0, 2.0, 49.0, 3.0), (0.0, 0.5, 0.0, 0.5)])
def test_normal_posterior_matches_monte_carlo(mc: float, sc: float, mv: float, sv: float) -> None:
    result = normal_posterior(mc, sc, mv, sv)
    rng = np.random.default_rng(7)
    d = rng.normal(mv, sv, DRAWS) - rng.normal(mc, sc, DRAWS)
    assert_close_to_mc(result, d * 0.0, d)
    assert "flat" in result.prior


def test_normal_posterior_by_hand_and_quadrature() -> None:
    # μ = 1.2 − 1.0 = 0.2, σ = sqrt(0.1² + 0.1²) = 0.141421; μ/σ = 1.414214.
    # P = Φ(1.414214) = 0.921350; CI = 0.2 ± 1.959964·0.141421 = [−0.077181, 0.477181].
    result = normal_posterior(1.0, 0.1, 1.2, 0.1)
    assert result.prob_beat_control == pytest.approx(0.9213504, abs=1e-7)
    assert (result.ci_low, result.ci_high) == pytest.approx((-0.0771808, 0.4771808), abs=1e-7)
    # Expected loss by direct quadrature of ∫ max(−d, 0)·φ((d − μ)/σ)/σ dd, independent of the closed form.
    mu, sigma = 0.2, math.sqrt(0.02)
    loss, _ = integrate.quad(lambda d: -d * stats.norm.pdf(d, mu, sigma), -np.inf, 0.0)
    gain, _ = integrate.quad(lambda d: d * stats.norm.pdf(d, mu, sigma), 0.0, np.inf)
    assert result.expected_loss == pytest.approx(loss, rel=1e-9)
    assert result.expected_loss_control == pytest.approx(gain, rel=1e-9)


def test_normal_posterior_one_exact_arm() -> None:
    # Control known exactly (se 0): D ~ N(0.3, 0.2²), P = Φ(1.5) = 0.933193.
    assert normal_posterior(1.0, 0.0, 1.3, 0.2).prob_beat_control == pytest.approx(0.9331928, abs=1e-7)


@pytest.mark.parametrize(("args", "match"), [
    ((math.nan, 0.1, 1.0, 0.1), "mean"),
    ((1.0, -0.1, 1.0, 0.1), "standard error"),
    ((1.0, 0.1, 1.0, math.inf), "standard error"),
    ((1.0, 0.0, 1.0, 0.0), "degenerate"),
])
def test_normal_bad_input(args: tuple, match: str) -> None:
    with pytest.raises(DataError, match=match):
        normal_posterior(*args)


# --------------------------------------------------------------------------- decision

BASE = {"srm_passed": True, "guardrail_breaches": [], "additional_units_needed": 5_000, "mde": 0.004}

# (label, p, diff, ci_low, ci_high, alpha, overrides, verdict, words in the reason)
CASES = [
    ("srm failed", 0.001, 0.01, 0.005, 0.015, 0.05, {"srm_passed": False}, "invalid", ["sample ratio mismatch"]),
    ("guardrail breached", 0.001, 0.01, 0.005, 0.015, 0.05, {"guardrail_breaches": ["revenue", "clicks"]},
     "invalid", ["revenue, clicks"]),
    ("both", 0.5, 0.0, -0.01, 0.01, 0.05, {"srm_passed": False, "guardrail_breaches": ["revenue"]}, "invalid",
     ["sample ratio mismatch", "revenue"]),
    ("significant gain", 0.01, 0.006, 0.002, 0.010, 0.05, {}, "ship", ["improves", "p = 0.01"]),
    ("significant drop", 0.01, -0.006, -0.010, -0.002, 0.05, {}, "don't ship", ["worsens"]),
    ("lower is better, drop", 0.01, -0.006, -0.010, -0.002, 0.05, {"higher_is_better": False}, "ship", ["improves"]),
    ("lower is better, rise", 0.01, 0.006, 0.002, 0.010, 0.05, {"higher_is_better": False}, "don't ship",
     ["worsens"]),
    ("p equal to alpha is not significant", 0.05, 0.003, -0.001, 0.007, 0.05, {}, "keep running", ["5,000"]),
    ("inconclusive, MDE still possible", 0.3, 0.001, -0.002, 0.005, 0.05, {}, "keep running",
     ["5,000 more units per variant"]),
    ("CI rules out the MDE", 0.3, 0.001, -0.002, 0.0035, 0.05, {}, "don't ship", ["MDE of 0.004"]),
    ("lower is better, CI rules out the MDE", 0.3, -0.001, -0.0035, 0.002, 0.05, {"higher_is_better": False},
     "don't ship", ["MDE"]),
    ("lower is better, MDE possible", 0.3, -0.001, -0.0045, 0.002, 0.05, {"higher_is_better": False},
     "keep running", ["5,000"]),
    ("no MDE given", 0.3, 0.001, -0.002, 0.0035, 0.05, {"mde": None}, "keep running", ["5,000"]),
    ("planned sample reached", 0.3, 0.001, -0.002, 0.005, 0.05, {"additional_units_needed": 0}, "don't ship",
     ["planned sample size"]),
    ("stricter alpha", 0.03, 0.006, -0.001, 0.012, 0.01, {}, "keep running", ["α = 0.01"]),
]


@pytest.mark.parametrize(("label", "p", "diff", "lo", "hi", "alpha", "overrides", "verdict", "words"), CASES,
                         ids=[c[0] for c in CASES])
def test_decision_table(label: str, p: float, diff: float, lo: float, hi: float, alpha: float, overrides: dict,
                        verdict: str, words: list[str]) -> None:
    decision = decide(p, diff, lo, hi, alpha, **{**BASE, **overrides})
    assert isinstance(decision, Decision) and decision.verdict == verdict
    for word in words:
        assert word in decision.reason


def test_decide_comparison_prefers_adjusted_p() -> None:
    raw = SimpleNamespace(p_value=0.01, abs_diff=0.006, abs_ci=(0.002, 0.010), alpha=0.05)
    adjusted = SimpleNamespace(**vars(raw), p_value_adjusted=0.08)
    assert decide_comparison(raw, **BASE).verdict == "ship"
    assert decide_comparison(adjusted, **BASE).verdict == "keep running"
    assert decide_comparison(SimpleNamespace(**vars(raw), p_value_adjusted=math.nan), **BASE).verdict == "ship"


@pytest.mark.parametrize(("args", "overrides", "error", "match"), [
    ((math.nan, 0.0, -1.0, 1.0, 0.05), {}, DataError, "could not be computed"),
    ((1.2, 0.0, -1.0, 1.0, 0.05), {}, ParameterError, "p_value"),
    ((0.2, 0.0, -1.0, 1.0, 0.0), {}, ParameterError, "alpha"),
    ((0.2, 0.0, 1.0, -1.0, 0.05), {}, ParameterError, "contain the difference"),
    ((0.2, 0.0, -1.0, 1.0, 0.05), {"additional_units_needed": -3}, ParameterError, "whole number"),
    ((0.2, 0.0, -1.0, 1.0, 0.05), {"mde": -0.01}, ParameterError, "mde"),
])
def test_decision_bad_input(args: tuple, overrides: dict, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        decide(*args, **{**BASE, **overrides})
