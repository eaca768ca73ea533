"""Frequentist comparison of one variant against control: difference, intervals, p-value.

Conventions (tools differ here, so they are stated):

- **Binary** (successes ÷ units): two-proportion z-test. The p-value uses the *pooled* standard
  error (the null hypothesis says both rates are equal; same as statsmodels ``proportions_ztest``);
  the confidence interval of the difference uses the *unpooled* (Wald) standard error (same as
  statsmodels ``confint_proportions_2indep(method="wald")``). No continuity correction. When any
  cell of the 2×2 table (variant × success/failure) has an expected count below 5, the normal
  approximation is poor and the p-value comes from Fisher's exact test (two-sided,
  ``scipy.stats.fisher_exact``), reported as ``test="fisher exact"``; the interval stays Wald.
  ``se`` is the unpooled standard error of the difference.
- **Mean** (per-unit average): Welch's t-test (unequal variances; same as
  ``scipy.stats.ttest_ind(equal_var=False)``), interval with the Welch–Satterthwaite degrees of
  freedom. Computed from n, Σx and Σx² only.
- **Ratio** (Σ numerator ÷ Σ denominator, both per unit): delta method. Per variant
  R = Σx/Σy and Var(R) ≈ (s_x² − 2R·s_xy + R²·s_y²) / (n·ȳ²) with sample (n − 1) variances and
  covariance from the sums; z-test on R_v − R_c with SE = √(Var_v + Var_c).
- **Relative difference** R_v/R_c − 1 (any kind). Its interval is a *log-ratio* interval: the delta
  method on log(R_v/R_c), SE² ≈ Var_v/μv² + Var_c/μc², then exp(log(μv/μc) ± crit·SE) − 1 with the
  same critical value as the absolute interval (Welch t for means, z otherwise). It is asymmetric
  and can never fall below −100 % (a rate cannot drop by more than all of it); for a binary metric
  it is statsmodels' ``confint_proportions_2indep(compare="ratio", method="log")``. When a value
  is ≤ 0 the log is undefined and the symmetric delta-method interval rel ± crit·SE,
  SE² ≈ Var_v/μc² + μv²·Var_c/μc⁴, is used instead, its lower end clipped at −100 % for a binary
  metric. NaN when the control value is 0.
- **p-value of the relative difference** (``rel_p_value``): the p-value of the same test as the
  relative interval — log(R_v/R_c) ÷ SE_log on the log-ratio scale, else rel ÷ SE — against the same
  distribution (Welch t for means, normal otherwise), so it is below α exactly when the relative
  interval excludes 0 (GrowthBook-style engines report both). It can differ from ``p_value``, the
  test of the absolute difference (pooled z, Welch, delta), which stays the one that is adjusted
  and decides; the two disagree only near the threshold.

All p-values and intervals are two-sided.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

from scipy import stats as sps

from helpers.errors import DataError, ParameterError
from helpers.experiments.metrics import MetricSpec, VariantStats

NAN = float("nan")
#: Below this expected count in any 2×2 cell, binary metrics use Fisher's exact test.
MIN_EXPECTED_COUNT: float = 5.0


@dataclass(frozen=True, repr=False)
class Comparison:
    """One metric, one variant against control: values, differences with intervals, p-value."""

    metric: str
    kind: str
    control: str
    variant: str
    control_value: float
    variant_value: float
    abs_diff: float
    abs_ci: tuple[float, float]
    rel_diff: float
    rel_ci: tuple[float, float]
    p_value: float
    test: str
    alpha: float
    se: float
    rel_p_value: float = NAN  # the relative interval's own test (see relative_test); p_value decides

    def __repr__(self) -> str:
        """One readable line: values, differences with intervals, p-value and test."""
        level = f"{1 - self.alpha:.0%}"
        return (f"Comparison({self.metric} [{self.kind}] {self.variant} vs {self.control}: "
                f"{self.control_value:.4g} → {self.variant_value:.4g}, "
                f"abs {self.abs_diff:+.4g} ({level} CI {self.abs_ci[0]:+.4g} … {self.abs_ci[1]:+.4g}), "
                f"rel {self.rel_diff:+.2%} ({self.rel_ci[0]:+.2%} … {self.rel_ci[1]:+.2%}), "
                f"p={self.p_value:.4g} (relative {self.rel_p_value:.4g}), {self.test})")


@dataclass(frozen=True)
class Estimate:
    """A variant's metric value, the sampling variance of that value, and the per-unit variance."""

    value: float
    var: float
    unit_var: float


def check_alpha(alpha: float, name: str = "alpha") -> float:
    """Return alpha as a float if it lies strictly between 0 and 1, else raise ParameterError."""
    try:
        value = float(alpha)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number between 0 and 1, got {alpha!r}.") from None
    if not 0.0 < value < 1.0:
        raise ParameterError(f"{name} must lie strictly between 0 and 1, got {alpha!r}.")
    return value


def _check_units(stats: VariantStats, metric: MetricSpec) -> None:
    """Refuse a variant without units (nothing to test) or with a negative or fractional count."""
    n = stats.n
    if isinstance(n, bool) or not isinstance(n, numbers.Real) or not math.isfinite(n) or n < 0 or n != int(n):
        raise DataError(f"Metric {metric.name!r}, variant {stats.variant!r}: units must be a whole number ≥ 0, "
                        f"got {stats.n!r}.")
    if stats.n == 0:
        raise ParameterError(f"Metric {metric.name!r}: cannot test: variant {stats.variant!r} has no units.")


def _binary_estimate(stats: VariantStats, metric: MetricSpec) -> Estimate:
    """Rate p = successes ÷ units, Var(p) = p(1 − p)/n; refuses impossible success counts."""
    s = stats.sum_x
    if not math.isfinite(s) or s < 0 or s > stats.n:
        raise DataError(f"Metric {metric.name!r}, variant {stats.variant!r}: successes {s!r} must lie between 0 and "
                        f"the {stats.n} units (a rate within 0–1).")
    if abs(s - round(s)) > 1e-9:
        raise DataError(f"Metric {metric.name!r}, variant {stats.variant!r}: successes must be a whole number for a "
                        f"binary metric, got {s!r}. Use kind='mean' for fractional values.")
    p = s / stats.n
    return Estimate(p, p * (1 - p) / stats.n, p * (1 - p))


def _mean_estimate(stats: VariantStats, metric: MetricSpec) -> Estimate:
    """Mean x̄ and Var(x̄) = s²/n from the sums (needs 2 units for a sample variance)."""
    if stats.n < 2:
        raise ParameterError(f"Metric {metric.name!r}: cannot test: variant {stats.variant!r} has {stats.n} unit; "
                             "a variance needs at least 2.")
    if not (math.isfinite(stats.sum_x) and math.isfinite(stats.sum_x2)):
        raise DataError(f"Metric {metric.name!r}, variant {stats.variant!r}: Σx and Σx² must be finite numbers.")
    var = max(stats.var_x, 0.0)  # rounding can give −1e-17 for a constant column
    return Estimate(stats.mean_x, var / stats.n, var)


def _ratio_estimate(stats: VariantStats, metric: MetricSpec) -> Estimate:
    """R = Σx/Σy and its delta-method variance (s_x² − 2R·s_xy + R²·s_y²)/(n·ȳ²)."""
    sums = (stats.sum_x, stats.sum_x2, stats.sum_y, stats.sum_y2, stats.sum_xy)
    if not all(math.isfinite(v) for v in sums):
        raise DataError(f"Ratio metric {metric.name!r}, variant {stats.variant!r}: needs finite Σx, Σx², Σy, Σy² "
                        "and Σxy (numerator and denominator per unit).")
    if stats.n < 2:
        raise ParameterError(f"Metric {metric.name!r}: cannot test: variant {stats.variant!r} has {stats.n} unit; "
                             "the delta method needs at least 2.")
    if stats.sum_y <= 0:
        raise ParameterError(f"Metric {metric.name!r}: cannot test: variant {stats.variant!r} has a denominator "
                             f"total of {stats.sum_y:g} ({metric.denominator!r}); the ratio is undefined.")
    n = stats.n
    x_bar, y_bar = stats.sum_x / n, stats.sum_y / n
    s_xx = (stats.sum_x2 - n * x_bar * x_bar) / (n - 1)
    s_yy = (stats.sum_y2 - n * y_bar * y_bar) / (n - 1)
    s_xy = (stats.sum_xy - n * x_bar * y_bar) / (n - 1)
    r = stats.sum_x / stats.sum_y
    unit_var = max((s_xx - 2 * r * s_xy + r * r * s_yy) / (y_bar * y_bar), 0.0)
    return Estimate(r, unit_var / n, unit_var)


def estimate(stats: VariantStats, metric: MetricSpec) -> Estimate:
    """A variant's metric value with its sampling and per-unit variance (the input to tests and power)."""
    _check_units(stats, metric)
    if metric.kind == "binary":
        return _binary_estimate(stats, metric)
    if metric.kind == "mean":
        return _mean_estimate(stats, metric)
    return _ratio_estimate(stats, metric)


def relative_difference(control: Estimate, variant: Estimate) -> tuple[float, float]:
    """Relative difference μv/μc − 1 and its delta-method SE; (NaN, NaN) when μc is 0."""
    if control.value == 0:
        return NAN, NAN
    mc, mv = control.value, variant.value
    var = variant.var / mc ** 2 + mv ** 2 * control.var / mc ** 4
    return mv / mc - 1.0, math.sqrt(var)


def relative_interval(control: Estimate, variant: Estimate, crit: float,
                      bounded_below: bool = False) -> tuple[float, float]:
    """Interval of μv/μc − 1: log-ratio when both values are > 0, else delta method (see the module docstring).

    `bounded_below` (binary metrics) clips the delta-method fallback at −100 %; NaN when μc is 0.
    """
    return relative_test(control, variant, crit, bounded_below=bounded_below)[0]


def relative_test(control: Estimate, variant: Estimate, crit: float, df: float | None = None,
                  bounded_below: bool = False) -> tuple[tuple[float, float], float]:
    """The relative interval and the p-value of the same test, so p < α exactly when the interval excludes 0.

    Log-ratio scale when both values are > 0 (statistic log(μv/μc) ÷ SE_log), else the delta
    method on μv/μc − 1 (statistic rel ÷ SE); two-sided, Welch t with `df` degrees of freedom when
    given (mean metrics), else normal. `crit` must be the same distribution's critical value.
    """
    mc, mv = control.value, variant.value
    if mc == 0:
        return (NAN, NAN), NAN
    if mc > 0 and mv > 0:
        se_log = math.sqrt(variant.var / mv ** 2 + control.var / mc ** 2)
        centre = math.log(mv / mc)
        interval = (math.exp(centre - crit * se_log) - 1.0, math.exp(centre + crit * se_log) - 1.0)
        return interval, _two_sided_p(centre, se_log, df)
    rel, rel_se = relative_difference(control, variant)
    low, high = _interval(rel, rel_se, crit)
    return ((max(low, -1.0) if bounded_below else low), high), _two_sided_p(rel, rel_se, df)


def _two_sided_p(centre: float, se: float, df: float | None) -> float:
    """Two-sided p-value of centre ÷ se under t(df), or the normal when df is None (1 or 0 when se is 0)."""
    if se == 0:
        return 1.0 if centre == 0 else 0.0
    stat = abs(centre / se)
    return float(2 * (sps.t.sf(stat, df) if df is not None else sps.norm.sf(stat)))


def _interval(centre: float, se: float, crit: float) -> tuple[float, float]:
    """centre ± crit·se (NaN stays NaN)."""
    return centre - crit * se, centre + crit * se


def _binary_p_value(control: VariantStats, variant: VariantStats) -> tuple[float, str]:
    """Pooled two-proportion z-test p-value, or Fisher's exact when an expected 2×2 count is below 5."""
    xc, xv = round(control.sum_x), round(variant.sum_x)
    nc, nv = control.n, variant.n
    pooled = (xc + xv) / (nc + nv)
    expected = [n * q for n in (nc, nv) for q in (pooled, 1 - pooled)]
    if min(expected) < MIN_EXPECTED_COUNT:
        _, p = sps.fisher_exact([[xv, nv - xv], [xc, nc - xc]], alternative="two-sided")
        return float(p), "fisher exact"
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / nc + 1 / nv))
    z = (xv / nv - xc / nc) / se_pooled
    return float(2 * sps.norm.sf(abs(z))), "two-proportion z-test"


def _welch_df(control: Estimate, variant: Estimate, nc: int, nv: int) -> float:
    """Welch–Satterthwaite degrees of freedom from the two squared standard errors."""
    se2 = control.var + variant.var
    return se2 ** 2 / (control.var ** 2 / (nc - 1) + variant.var ** 2 / (nv - 1))


def _test(control: VariantStats, variant: VariantStats, metric: MetricSpec,
          ce: Estimate, ve: Estimate, se: float, alpha: float) -> tuple[float, str, float, float | None]:
    """p-value, test name, two-sided critical value and degrees of freedom (None: normal) for the metric's kind."""
    diff = ve.value - ce.value
    if metric.kind == "binary":
        p, name = _binary_p_value(control, variant)
        return p, name, float(sps.norm.ppf(1 - alpha / 2)), None
    if se == 0:
        raise ParameterError(f"Metric {metric.name!r}: cannot test {variant.variant!r} vs {control.variant!r}: "
                             "every unit has the same value in both variants (zero variance).")
    if metric.kind == "mean":
        df = _welch_df(ce, ve, control.n, variant.n)
        return (float(2 * sps.t.sf(abs(diff / se), df)), "welch t-test", float(sps.t.ppf(1 - alpha / 2, df)), df)
    return (float(2 * sps.norm.sf(abs(diff / se))), "delta-method z-test", float(sps.norm.ppf(1 - alpha / 2)),
            None)


def compare(control: VariantStats, variant: VariantStats, metric: MetricSpec, alpha: float = 0.05) -> Comparison:
    """Compare a variant with control on one metric (see the module docstring for the conventions)."""
    alpha = check_alpha(alpha)
    ce, ve = estimate(control, metric), estimate(variant, metric)
    se = math.sqrt(ce.var + ve.var)
    p, name, crit, df = _test(control, variant, metric, ce, ve, se, alpha)
    diff = ve.value - ce.value
    rel, _ = relative_difference(ce, ve)
    rel_ci, rel_p = relative_test(ce, ve, crit, df, bounded_below=metric.kind == "binary")
    return Comparison(metric=metric.name, kind=metric.kind, control=control.variant, variant=variant.variant,
                      control_value=ce.value, variant_value=ve.value, abs_diff=diff,
                      abs_ci=_interval(diff, se, crit), rel_diff=rel, rel_ci=rel_ci,
                      p_value=p, test=name, alpha=alpha, se=se, rel_p_value=rel_p)


def check_variants(stats: Mapping[str, VariantStats], control: str) -> None:
    """Refuse fewer than 2 variants or a control that is not among them (naming those present)."""
    names = list(stats)
    if len(names) < 2:
        raise ParameterError(f"An A/B test needs at least 2 variants (a control and a variant); got "
                             f"{len(names)}: {names}. Check the experiment id and the variant column.")
    if control not in stats:
        raise ParameterError(f"Control variant {control!r} is not in the data; variants present: {names}. "
                             "Set the control parameter to one of them.")


def compare_all(stats: Mapping[str, VariantStats], metric: MetricSpec, control: str,
                alpha: float = 0.05) -> list[Comparison]:
    """Each non-control variant against control on one metric, in the order of `stats`."""
    check_variants(stats, control)
    return [compare(stats[control], s, metric, alpha) for name, s in stats.items() if name != control]
