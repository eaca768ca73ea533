"""A plain-language decision per primary metric: ship, don't ship, keep running, or invalid.

The rules, checked in this order:

1. **invalid** — the sample ratio mismatch (SRM) check failed, or a guardrail metric breached:
   the result cannot be trusted or the variant does harm elsewhere, whatever the primary says.
2. **ship** — the (multiplicity-adjusted) p-value is below α and the difference points the good
   way.
3. **don't ship** — significant in the bad direction; or not significant but the confidence
   interval rules out the planned minimum detectable effect (MDE) in the good direction (any
   improvement is smaller than one worth detecting); or not significant at the planned sample
   size (no more units needed, so waiting longer only invites peeking).
4. **keep running** — otherwise: not significant yet, an MDE-sized improvement is still possible,
   and more units are needed for the planned power (their number is stated).

Inputs are plain floats, so the rule does not depend on how the comparison was computed;
``decide_comparison`` reads them from any object with p_value(_adjusted), abs_diff, abs_ci, alpha.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from helpers import i18n
from helpers.errors import DataError, ParameterError
from helpers.i18n import _

Verdict = Literal["ship", "don't ship", "keep running", "invalid"]
VERDICTS: tuple[str, ...] = ("ship", "don't ship", "keep running", "invalid")


@dataclass(frozen=True)
class Decision:
    """The verdict and the reason for it, written for a strategist."""

    verdict: Verdict
    reason: str


class ComparisonLike(Protocol):
    """What ``decide_comparison`` reads from a comparison result (p_value_adjusted is optional)."""

    p_value: float
    abs_diff: float
    abs_ci: Sequence[float]
    alpha: float


def _fmt(value: float) -> str:
    """A number with 4 significant digits, for reasons."""
    return f"{value:.4g}"


def _check_inputs(p_value: float, abs_diff: float, ci_low: float, ci_high: float, alpha: float,
                  additional_units_needed: int | None, mde: float | None) -> None:
    """Raise DataError for a missing test result and ParameterError for impossible values."""
    for name, value in (("p_value", p_value), ("abs_diff", abs_diff), ("ci_low", ci_low), ("ci_high", ci_high)):
        if not math.isfinite(value):
            raise DataError(f"Cannot decide: {name} is {value!r}, so the test could not be computed "
                            "(too few units or no variation); see the results table.")
    if not 0.0 <= p_value <= 1.0:
        raise ParameterError(f"p_value must be between 0 and 1, got {p_value!r}.")
    if not 0.0 < alpha < 1.0:
        raise ParameterError(f"alpha must be between 0 and 1 (e.g. 0.05), got {alpha!r}.")
    tol = 1e-12 * max(1.0, abs(abs_diff))
    if not ci_low - tol <= abs_diff <= ci_high + tol:
        raise ParameterError(f"The interval [{ci_low!r}, {ci_high!r}] must contain the difference {abs_diff!r} "
                             "(are the arguments swapped?).")
    if additional_units_needed is not None and (int(additional_units_needed) != additional_units_needed
                                                or additional_units_needed < 0):
        raise ParameterError(f"additional_units_needed must be a whole number ≥ 0, got {additional_units_needed!r}.")
    if mde is not None and not (math.isfinite(mde) and mde > 0):
        raise ParameterError(f"mde must be a positive effect size in the metric's units (or None), got {mde!r}.")


def _invalid_reason(srm_passed: bool, guardrail_breaches: Sequence[str], srm_p: float | None = None) -> str | None:
    """Why the experiment is invalid (SRM failure, guardrail breaches), or None when it is not."""
    parts = []
    if not srm_passed:
        p_text = _(" ({p})").format(p=i18n.fmt_p_value(srm_p)) if srm_p is not None else ""
        parts.append(_("the sample ratio mismatch check failed{p}: units were not split as planned, so "
                       "assignment or logging is broken and no metric can be trusted").format(p=p_text))
    if guardrail_breaches:
        parts.append(_("guardrail metric(s) breached: {names}").format(names=_(", ").join(guardrail_breaches)))
    if not parts:
        return None
    return _("Invalid: {reasons}. Fix the cause before reading the primary metric.").format(
        reasons=_("; ").join(parts))


def decide(p_value: float, abs_diff: float, ci_low: float, ci_high: float, alpha: float, *,
           srm_passed: bool, guardrail_breaches: Sequence[str], additional_units_needed: int | None,
           mde: float | None = None, higher_is_better: bool = True,
           metric: str = "the primary metric", p_label: str = "p",
           value_format: Callable[[float], str] | None = None, srm_p: float | None = None) -> Decision:
    """Turn a primary-metric comparison plus the validity checks into ship / don't ship / keep running / invalid.

    ``additional_units_needed`` is None when no MDE was planned: then a non-significant result
    cannot be judged against a sample size and the verdict is "keep running" with that reason.
    The reason is written in the run's language; ``value_format`` writes the difference, its
    interval and the MDE (e.g. ``i18n.fmt_pp`` for a rate; default 4 significant digits);
    ``p_label`` "adjusted p" says the p-value is multiplicity-adjusted; ``srm_p`` is named in an
    SRM failure.
    """
    _check_inputs(p_value, abs_diff, ci_low, ci_high, alpha, additional_units_needed, mde)
    invalid = _invalid_reason(srm_passed, list(guardrail_breaches), srm_p)
    if invalid is not None:
        return Decision("invalid", invalid)
    show = value_format or _fmt
    sign = 1.0 if higher_is_better else -1.0
    p_text = i18n.fmt_p_value(p_value)
    if p_label == "adjusted p":
        p_text = _("adjusted {p}").format(p=p_text)
    evidence = _("{metric}: difference {diff}, {level}% CI {low} to {high}, {p} (α = {alpha})").format(
        metric=metric, diff=show(abs_diff), level=f"{100 * (1 - alpha):g}", low=show(ci_low), high=show(ci_high),
        p=p_text, alpha=f"{alpha:g}")
    if p_value < alpha:
        if sign * abs_diff > 0:
            return Decision("ship", _("Ship: the variant significantly improves {evidence}.").format(evidence=evidence))
        return Decision("don't ship", _("Don't ship: the variant significantly worsens {evidence}.").format(
            evidence=evidence))
    best_case = ci_high if higher_is_better else -ci_low
    if mde is not None and best_case < mde:
        return Decision("don't ship", _("Don't ship: no significant effect on {evidence}, and the interval rules "
                                        "out an improvement as large as the planned MDE of {mde}; any effect is "
                                        "smaller than worth detecting.").format(evidence=evidence, mde=show(mde)))
    if additional_units_needed is None:
        return Decision("keep running", _("Keep running: no significant effect yet on {evidence}. No MDE was "
                                          "planned, so whether the sample is large enough cannot be judged; set "
                                          "the smallest effect worth acting on (parameter mde) to get a stopping "
                                          "point.").format(evidence=evidence))
    if additional_units_needed == 0:
        return Decision("don't ship", _("Don't ship: no significant effect on {evidence}, and the planned sample "
                                        "size has been reached; running longer to chase significance is "
                                        "peeking.").format(evidence=evidence))
    return Decision("keep running", _("Keep running: no significant effect yet on {evidence}; an improvement of the "
                                      "planned size is still possible. Collect about {units} more units per "
                                      "variant, then decide.").format(evidence=evidence,
                                                                      units=i18n.fmt_count(additional_units_needed)))


def decide_comparison(primary: ComparisonLike, *, srm_passed: bool, guardrail_breaches: Sequence[str],
                      additional_units_needed: int, mde: float | None = None,
                      higher_is_better: bool = True, metric: str = "the primary metric") -> Decision:
    """``decide`` on a comparison object, using its adjusted p-value when it has one."""
    adjusted = getattr(primary, "p_value_adjusted", None)
    p = primary.p_value if adjusted is None or not math.isfinite(adjusted) else adjusted
    low, high = primary.abs_ci
    return decide(float(p), float(primary.abs_diff), float(low), float(high), float(primary.alpha),
                  srm_passed=srm_passed, guardrail_breaches=guardrail_breaches,
                  additional_units_needed=additional_units_needed, mde=mde,
                  higher_is_better=higher_is_better, metric=metric)
