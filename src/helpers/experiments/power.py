"""Planning and sensitivity: sample size, days needed, achieved power and MDE at the current size.

Conventions:

- **Proportions** (planning): Cohen's effect size h = 2·asin√p₂ − 2·asin√p₁ with statsmodels
  ``NormalIndPower`` (equal allocation). The arcsine transform stabilises the variance, so h needs
  no choice between pooled and unpooled variance; it agrees with the unpooled normal formula
  n = (z₁₋α/₂ + z_power)²·(p₁q₁ + p₂q₂)/Δ² to within a few per cent at usual rates.
- **Means** (planning): Cohen's d = mde/std with statsmodels ``TTestIndPower`` (t distribution,
  equal variances and allocation), matching the Welch test the analysis uses when variances agree.
- **A/B/n**: with k variants, each of the k − 1 comparisons with control is planned at α/(k − 1)
  (Bonferroni), a conservative stand-in for the Holm correction applied at analysis time.
- **Sample sizes** are per variant and rounded up; ``days_needed`` divides the total over all
  variants by the daily traffic entering the experiment and rounds up.
- **At the current sample size** (``achieved_power``, ``mde_at``, ``additional_units_needed``):
  normal approximation with the observed per-variant standard errors (unpooled for binary, delta
  method for ratios), two-sided: MDE = (z₁₋α/₂ + z_power)·SE. Power is the chance of a significant
  result if the true absolute difference were ``effect``; it is *not* computed at the observed
  difference ("observed power" is a restatement of the p-value and says nothing new).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

from scipy import stats as sps
from statsmodels.stats.power import NormalIndPower, TTestIndPower

from helpers.errors import ParameterError
from helpers.experiments.frequentist import Estimate, check_alpha, estimate
from helpers.experiments.metrics import MetricSpec, VariantStats

ALTERNATIVES: tuple[str, ...] = ("two-sided", "larger", "smaller")


@dataclass(frozen=True)
class PlanInputs:
    """The next test to plan: a rate (std 0) or a mean (std > 0, baseline its mean), the MDE and the traffic."""

    baseline: float
    std: float
    mde: float
    relative: bool
    variants: int
    daily_units: float


def _number(value: float, name: str) -> float:
    """value as a finite float, else ParameterError naming the parameter."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
        raise ParameterError(f"{name} must be a finite number, got {value!r}.")
    return float(value)


def _variants(variants: int) -> int:
    """Number of variants including control: an int ≥ 2."""
    if not isinstance(variants, numbers.Integral) or isinstance(variants, bool) or variants < 2:
        raise ParameterError(f"variants counts control too and must be a whole number ≥ 2, got {variants!r}.")
    return int(variants)


def comparison_alpha(alpha: float, variants: int) -> float:
    """Per-comparison alpha: Bonferroni split of alpha over the (variants − 1) comparisons with control."""
    return check_alpha(alpha) / (_variants(variants) - 1)


def _effect_and_alternative(effect: float, alternative: str) -> tuple[float, str]:
    """|effect| and the statsmodels alternative; a one-sided test must point the way of the effect."""
    if alternative not in ALTERNATIVES:
        raise ParameterError(f"alternative must be one of {', '.join(ALTERNATIVES)}, got {alternative!r}.")
    if effect == 0:
        raise ParameterError("The minimum detectable effect must not be 0 (no sample size detects no change).")
    if (alternative == "larger" and effect < 0) or (alternative == "smaller" and effect > 0):
        raise ParameterError(f"alternative={alternative!r} cannot detect an effect of sign {effect:+g}; "
                             "use the other one-sided alternative or 'two-sided'.")
    return abs(effect), ("two-sided" if alternative == "two-sided" else "larger")


def _round_up(n: float) -> int:
    """Ceil, forgiving float noise such as 100.00000000001."""
    return math.ceil(round(n, 6))


def sample_size_proportion(baseline: float, mde: float, relative: bool = False, alpha: float = 0.05,
                           power: float = 0.8, variants: int = 2, alternative: str = "two-sided") -> int:
    """Units per variant to detect a rate change of mde (absolute, or relative to baseline), Cohen's h."""
    p1 = _number(baseline, "baseline")
    if not 0 < p1 < 1:
        raise ParameterError(f"baseline rate must lie strictly between 0 and 1, got {baseline!r}.")
    delta = _number(mde, "mde") * (p1 if relative else 1.0)
    p2 = p1 + delta
    if not 0 < p2 < 1:
        raise ParameterError(f"baseline {p1:g} with an mde of {mde:g}{' (relative)' if relative else ''} gives a rate "
                             f"of {p2:g}, outside 0–1.")
    h, alt = _effect_and_alternative(2 * math.asin(math.sqrt(p2)) - 2 * math.asin(math.sqrt(p1)), alternative)
    n = NormalIndPower().solve_power(effect_size=h, alpha=comparison_alpha(alpha, variants),
                                     power=check_alpha(power, "power"), ratio=1.0, alternative=alt)
    return _round_up(float(n))


def sample_size_mean(std: float, mde: float, relative: bool = False, baseline: float | None = None,
                     alpha: float = 0.05, power: float = 0.8, variants: int = 2,
                     alternative: str = "two-sided") -> int:
    """Units per variant to detect a change of mde in a mean (Cohen's d = mde/std, t-test power)."""
    sd = _number(std, "std")
    if sd <= 0:
        raise ParameterError(f"std must be positive, got {std!r}.")
    delta = _number(mde, "mde")
    if relative:
        if baseline is None or _number(baseline, "baseline") == 0:
            raise ParameterError("A relative mde needs the baseline mean (non-zero) to turn it into an absolute one.")
        delta *= abs(float(baseline))
    d, alt = _effect_and_alternative(delta / sd, alternative)
    n = TTestIndPower().solve_power(effect_size=d, alpha=comparison_alpha(alpha, variants),
                                    power=check_alpha(power, "power"), ratio=1.0, alternative=alt)
    return _round_up(float(n))


def days_needed(n_per_variant: int, variants: int, daily_units: float) -> int:
    """Days of traffic to reach n_per_variant in every variant: ceil(n × variants ÷ daily units)."""
    if not isinstance(n_per_variant, numbers.Integral) or isinstance(n_per_variant, bool) or n_per_variant < 0:
        raise ParameterError(f"n_per_variant must be a whole number ≥ 0, got {n_per_variant!r}.")
    daily = _number(daily_units, "daily_units")
    if daily <= 0:
        raise ParameterError(f"daily_units (units entering the experiment per day) must be positive, "
                             f"got {daily_units!r}.")
    return _round_up(int(n_per_variant) * _variants(variants) / daily)


def plan_next_test(plan: PlanInputs, alpha: float = 0.05, power: float = 0.8) -> dict[str, Any]:
    """Units per variant and days of traffic for the planned test (a mean when plan.std > 0, else a rate)."""
    if plan.std > 0:  # a mean metric: effect size d = MDE / standard deviation
        n = sample_size_mean(plan.std, plan.mde, relative=plan.relative, baseline=plan.baseline, alpha=alpha,
                             power=power, variants=plan.variants)
    else:
        n = sample_size_proportion(plan.baseline, plan.mde, relative=plan.relative, alpha=alpha, power=power,
                                   variants=plan.variants)
    return {"baseline": plan.baseline, "std": plan.std or None, "mde": plan.mde, "relative": plan.relative,
            "variants": plan.variants, "alpha": alpha, "power": power, "n_per_variant": n,
            "daily_units": plan.daily_units, "days_needed": days_needed(n, plan.variants, plan.daily_units)}


def _estimates(control: VariantStats, variant: VariantStats, metric: MetricSpec) -> tuple[Estimate, Estimate]:
    """Control and variant estimates (validated as for the test)."""
    return estimate(control, metric), estimate(variant, metric)


def _absolute(effect: float, relative: bool, control: Estimate, name: str) -> float:
    """An effect as an absolute difference (relative effects scale by the control value)."""
    value = _number(effect, name)
    if relative:
        if control.value == 0:
            raise ParameterError(f"A relative {name} needs a non-zero control value; give an absolute one.")
        value *= abs(control.value)
    if value == 0:
        raise ParameterError(f"{name} must not be 0.")
    return abs(value)


def _z_sum(alpha: float, power: float) -> float:
    """z₁₋α/₂ + z_power, the number of standard errors a two-sided test needs."""
    return float(sps.norm.ppf(1 - check_alpha(alpha) / 2) + sps.norm.ppf(check_alpha(power, "power")))


def _standard_error(ce: Estimate, ve: Estimate) -> float:
    """SE of the difference; NaN when both variances are 0 (e.g. no conversions yet), where z says nothing."""
    se = math.sqrt(ce.var + ve.var)
    return se if se > 0 else float("nan")


def achieved_power(control: VariantStats, variant: VariantStats, metric: MetricSpec, effect: float | None,
                   alpha: float = 0.05, relative: bool = False) -> float:
    """Power of the two-sided test at the current sample size to detect `effect` (the planned MDE); NaN if None."""
    alpha = check_alpha(alpha)
    ce, ve = _estimates(control, variant, metric)
    if effect is None:
        return float("nan")
    delta = _absolute(effect, relative, ce, "effect")
    se = _standard_error(ce, ve)
    z = float(sps.norm.ppf(1 - alpha / 2))
    return float(sps.norm.cdf(delta / se - z) + sps.norm.cdf(-delta / se - z))


def mde_at(control: VariantStats, variant: VariantStats, metric: MetricSpec, alpha: float = 0.05,
           power: float = 0.8) -> float:
    """Smallest absolute difference detectable at the current sample size: (z₁₋α/₂ + z_power)·SE."""
    ce, ve = _estimates(control, variant, metric)
    return _z_sum(alpha, power) * _standard_error(ce, ve)


def additional_units_needed(control: VariantStats, variant: VariantStats, metric: MetricSpec, mde: float,
                            alpha: float = 0.05, power: float = 0.8, relative: bool = False) -> int:
    """More units per variant until both reach n* = (z₁₋α/₂ + z_power)²·(σc² + σv²)/mde² (0 if there already)."""
    ce, ve = _estimates(control, variant, metric)
    delta = _absolute(mde, relative, ce, "mde")
    unit_var = ce.unit_var + ve.unit_var
    if unit_var == 0:
        raise ParameterError(f"Metric {metric.name!r}: cannot plan: every unit has the same value in both variants "
                             "so far (zero variance); keep running or plan from a baseline with sample_size_*.")
    n_star = _z_sum(alpha, power) ** 2 * unit_var / delta ** 2
    return max(0, _round_up(n_star - min(control.n, variant.n)))
