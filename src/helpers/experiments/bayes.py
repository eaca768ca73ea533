"""Bayesian view of a comparison: probability to beat control, expected loss, credible interval.

Two posteriors, both computed exactly (numerical integration or closed form, no sampling):

* ``beta_binomial`` for a binary metric. Prior Beta(a, b) on each arm's rate (default Beta(1, 1),
  uniform), posterior Beta(a + successes, b + failures). With p_c, p_v the two rates:

  - P(p_v > p_c) = ∫ f_c(p)·(1 − F_v(p)) dp;
  - expected loss of choosing the variant, E[max(p_c − p_v, 0)] = ∫ f_c(p)·g_v(p) dp, where
    g_v(p) = E[(p − p_v)⁺] = p·F_v(p) − m_v·F⁺_v(p), m_v = α_v/(α_v+β_v) and F⁺_v the CDF of
    Beta(α_v+1, β_v) (because q·f_v(q) = m_v·f⁺_v(q)); likewise for choosing control;
  - the credible interval of D = p_v − p_c from its CDF P(D ≤ d) = ∫ f_c(p)·F_v(p + d) dp,
    inverted by root finding.

  Each integral (scipy.integrate.quad) runs over the central 1 − 2·10⁻¹⁴ mass of the posterior
  whose density it integrates against.

* ``normal_posterior`` for mean and ratio metrics: flat prior on each mean, so the difference is
  D ~ N(μ_v − μ_c, se_v² + se_c²) and, with μ = E[D], σ = sd(D):

  - P(D > 0) = Φ(μ/σ);
  - expected loss of choosing the variant E[max(−D, 0)] = σ·φ(μ/σ) − μ·Φ(−μ/σ);
  - expected loss of keeping control E[max(D, 0)] = σ·φ(μ/σ) + μ·Φ(μ/σ).

Expected losses are in the metric's own absolute units (for a rate, 0.004 = 0.4 percentage points).
They are *unconditional* expectations over the whole posterior, E[max(control − variant, 0)]: the
shortfall counts as 0 where the choice is right, so the loss equals P(wrong) × the average shortfall
*when* wrong, and is smaller than that conditional average (not the amount lost "if it turns out
worse"). "Higher is better" is assumed.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

from scipy import integrate, optimize, special, stats

from helpers.errors import DataError, ParameterError

#: Posterior mass left out of each integral at either tail (the integration range is the control
#: posterior's [ε, 1 − ε] quantiles); the error this introduces is at most 2ε.
TAIL_MASS: float = 1e-14
_QUAD = {"epsabs": 1e-13, "epsrel": 1e-10, "limit": 200}


@dataclass(frozen=True)
class BayesResult:
    """Posterior summary of variant − control: P(variant better), expected losses, credible interval."""

    prob_beat_control: float
    expected_loss: float  # of choosing the variant: E[max(control − variant, 0)]
    expected_loss_control: float  # of keeping control: E[max(variant − control, 0)]
    diff_mean: float  # posterior mean of variant − control
    ci_low: float
    ci_high: float
    level: float
    prior: str


# --------------------------------------------------------------------------- input checks


def _check_level(level: float) -> None:
    """Raise ParameterError unless the credible level is strictly between 0 and 1."""
    if not 0.0 < level < 1.0:
        raise ParameterError(f"level must be between 0 and 1 (e.g. 0.95), got {level!r}.")


def _check_counts(successes: float, n: float, arm: str) -> None:
    """Raise DataError unless 0 ≤ successes ≤ n are whole counts and n > 0."""
    for name, value in (("successes", successes), ("units", n)):
        real = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not (real and math.isfinite(value) and float(value).is_integer()):
            raise DataError(f"{arm}: {name} must be a whole number, got {value!r}.")
    if n < 0 or successes < 0:
        raise DataError(f"{arm}: counts cannot be negative (successes {successes}, units {n}).")
    if n == 0:
        raise DataError(f"{arm} has 0 units: there is nothing to compare; check the variant labels.")
    if successes > n:
        raise DataError(f"{arm}: {successes} successes out of {n} units; successes cannot exceed units.")


def _check_prior(prior: tuple[float, float]) -> None:
    """Raise ParameterError unless the prior is a pair of positive finite Beta parameters."""
    if len(prior) != 2 or not all(math.isfinite(p) and p > 0 for p in prior):
        raise ParameterError(f"prior must be (a, b) with a > 0 and b > 0 for Beta(a, b), got {prior!r}.")


def _check_normal(mean: float, se: float, arm: str) -> None:
    """Raise DataError unless the mean is finite and the standard error finite and ≥ 0."""
    if not math.isfinite(mean):
        raise DataError(f"{arm}: the mean is {mean!r}; a finite value is needed.")
    if not (math.isfinite(se) and se >= 0):
        raise DataError(f"{arm}: the standard error must be finite and non-negative, got {se!r}.")


# --------------------------------------------------------------------------- beta-binomial


def prior_label(prior: tuple[float, float]) -> str:
    """Plain statement of the Beta prior for the notebook and summary.json."""
    a, b = (f"{p:g}" for p in prior)
    kind = {(1.0, 1.0): " (uniform)", (0.5, 0.5): " (Jeffreys)"}.get((float(prior[0]), float(prior[1])), "")
    return (f"Beta({a}, {b}){kind} prior on each variant's rate; posterior Beta({a} + successes, "
            f"{b} + failures), independent between variants")


@dataclass(frozen=True)
class BetaPosterior:
    """Beta(a, b) through scipy.special directly (the integrands are called thousands of times)."""

    a: float
    b: float

    def pdf(self, p: float) -> float:
        """Density at p."""
        if not 0.0 < p < 1.0:
            return 0.0
        return math.exp((self.a - 1.0) * math.log(p) + (self.b - 1.0) * math.log1p(-p) - special.betaln(self.a, self.b))

    def cdf(self, p: float) -> float:
        """P(rate ≤ p)."""
        return float(special.betainc(self.a, self.b, min(max(p, 0.0), 1.0)))

    def sf(self, p: float) -> float:
        """P(rate > p)."""
        return float(special.betaincc(self.a, self.b, min(max(p, 0.0), 1.0)))

    def ppf(self, q: float) -> float:
        """The q-quantile."""
        return float(special.betaincinv(self.a, self.b, q))

    def isf(self, q: float) -> float:
        """The (1 − q)-quantile, accurate for tiny q."""
        return float(special.betainccinv(self.a, self.b, q))

    @property
    def mean(self) -> float:
        """a / (a + b)."""
        return self.a / (self.a + self.b)

    @property
    def var(self) -> float:
        """ab / ((a + b)²(a + b + 1))."""
        total = self.a + self.b
        return self.a * self.b / (total * total * (total + 1.0))


def _integrate_over(dist: BetaPosterior, integrand: Callable[[float], float], points: list[float]) -> float:
    """∫ f_dist(p)·integrand(p) dp over the dist's central 1 − 2ε mass (ε = TAIL_MASS)."""
    lo, hi = dist.ppf(TAIL_MASS), dist.isf(TAIL_MASS)
    inside = [p for p in points if lo < p < hi]
    value, _ = integrate.quad(lambda p: dist.pdf(p) * integrand(p), lo, hi, points=inside or None, **_QUAD)
    return float(value)


def beta_prob_greater(post_c: BetaPosterior, post_v: BetaPosterior) -> float:
    """P(p_v > p_c) = ∫ f_c(p)·S_v(p) dp for independent Beta posteriors."""
    return _integrate_over(post_c, post_v.sf, [post_v.mean])


def beta_expected_shortfall(chosen: BetaPosterior, other: BetaPosterior) -> float:
    """E[max(p_other − p_chosen, 0)]: the rate given up by picking `chosen` when `other` is better.

    Inner expectation in closed form: E[(p − p_chosen)⁺] = p·F(p) − m·F⁺(p), F⁺ = Beta(α+1, β) CDF.
    """
    shifted = BetaPosterior(chosen.a + 1.0, chosen.b)
    m = chosen.mean
    value = _integrate_over(other, lambda p: p * chosen.cdf(p) - m * shifted.cdf(p), [chosen.mean])
    return max(value, 0.0)


def beta_difference_cdf(post_c: BetaPosterior, post_v: BetaPosterior, d: float) -> float:
    """P(p_v − p_c ≤ d) = ∫ f_c(p)·F_v(p + d) dp."""
    return _integrate_over(post_c, lambda p: post_v.cdf(p + d), [post_v.mean - d])


def beta_difference_quantile(post_c: BetaPosterior, post_v: BetaPosterior, q: float) -> float:
    """The q-quantile of p_v − p_c, by root finding on its CDF (bracket from the normal approximation)."""
    mean, sd = post_v.mean - post_c.mean, math.sqrt(post_v.var + post_c.var)
    guess = mean + sd * float(stats.norm.ppf(q))
    lo, hi = max(-1.0, guess - 2.0 * sd), min(1.0, guess + 2.0 * sd)
    while lo > -1.0 and beta_difference_cdf(post_c, post_v, lo) > q:
        lo = max(-1.0, lo - 8.0 * sd)
    while hi < 1.0 and beta_difference_cdf(post_c, post_v, hi) < q:
        hi = min(1.0, hi + 8.0 * sd)
    return float(optimize.brentq(lambda d: beta_difference_cdf(post_c, post_v, d) - q, lo, hi, xtol=1e-13))


def beta_binomial(control_successes: int, control_n: int, variant_successes: int, variant_n: int,
                  prior: tuple[float, float] = (1.0, 1.0), level: float = 0.95) -> BayesResult:
    """Beta-binomial posterior comparison of two conversion rates, computed by exact integration."""
    _check_counts(control_successes, control_n, "control")
    _check_counts(variant_successes, variant_n, "variant")
    _check_prior(prior)
    _check_level(level)
    a, b = float(prior[0]), float(prior[1])
    post_c = BetaPosterior(a + control_successes, b + control_n - control_successes)
    post_v = BetaPosterior(a + variant_successes, b + variant_n - variant_successes)
    tail = (1.0 - level) / 2.0
    return BayesResult(
        prob_beat_control=min(max(beta_prob_greater(post_c, post_v), 0.0), 1.0),
        expected_loss=beta_expected_shortfall(post_v, post_c),
        expected_loss_control=beta_expected_shortfall(post_c, post_v),
        diff_mean=post_v.mean - post_c.mean,
        ci_low=beta_difference_quantile(post_c, post_v, tail),
        ci_high=beta_difference_quantile(post_c, post_v, 1.0 - tail),
        level=level,
        prior=prior_label(prior),
    )


# --------------------------------------------------------------------------- normal


#: How the flat-prior normal posterior is stated in the notebook and summary.json.
NORMAL_PRIOR: str = ("flat (uniform, improper) prior on each variant's mean; the posterior of the "
                     "difference is Normal(observed difference, se_control² + se_variant²)")


def normal_loss(mu: float, sigma: float) -> float:
    """E[max(−D, 0)] for D ~ N(μ, σ²): σ·φ(μ/σ) − μ·Φ(−μ/σ) (the loss of betting that D > 0)."""
    if sigma == 0.0:
        return max(-mu, 0.0)
    z = mu / sigma
    return max(sigma * float(stats.norm.pdf(z)) - mu * float(stats.norm.cdf(-z)), 0.0)


def normal_posterior(control_mean: float, control_se: float, variant_mean: float, variant_se: float,
                     level: float = 0.95) -> BayesResult:
    """Flat-prior normal posterior of variant − control for mean and ratio metrics (closed form)."""
    _check_normal(control_mean, control_se, "control")
    _check_normal(variant_mean, variant_se, "variant")
    _check_level(level)
    mu = variant_mean - control_mean
    sigma = math.hypot(control_se, variant_se)
    if sigma == 0.0:
        raise DataError("Both standard errors are 0 (no variation in either variant), so the posterior is "
                        "degenerate; for a binary metric use beta_binomial.")
    z = float(stats.norm.ppf(0.5 + level / 2.0))
    return BayesResult(
        prob_beat_control=float(stats.norm.cdf(mu / sigma)),
        expected_loss=normal_loss(mu, sigma),
        expected_loss_control=normal_loss(-mu, sigma),
        diff_mean=mu,
        ci_low=mu - z * sigma,
        ci_high=mu + z * sigma,
        level=level,
        prior=NORMAL_PRIOR,
    )
