"""How the experiment report names and writes things: metric labels, roles, tests, values in their units.

Metric names are the run's own (the keys of the `metrics` parameter); the usual ones have a label
in both languages (conversions → 转化率 / conversion rate), any other is shown as given. A metric
whose values are shares (binary, or a ratio with both values within 0–1, such as clicks ÷
exposures) is written as a percentage and its differences in percentage points; a mean in its
own units (3 significant digits).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from helpers import i18n
from helpers.i18n import N_, _

#: Labels of the usual metric names (the sample's and the common platform exports').
METRIC_LABELS: dict[str, str] = {
    "conversions": N_("conversion rate"), "conversion": N_("conversion rate"), "converted": N_("conversion rate"),
    "clicks": N_("click-through rate"), "ctr": N_("click-through rate"), "revenue": N_("revenue per user"),
    "orders": N_("orders per user"), "refunds": N_("refund rate"), "refund_rate": N_("refund rate"),
    "unsubscribes": N_("unsubscribe rate"), "retention": N_("retention"), "completion": N_("completion rate"),
}
ROLE_LABELS: dict[str, str] = {"primary": N_("primary"), "guardrail": N_("guardrail"), "secondary": N_("secondary")}
TEST_LABELS: dict[str, str] = {
    "two-proportion z-test": N_("two-proportion z-test"), "fisher exact": N_("Fisher's exact test"),
    "welch t-test": N_("Welch's t-test"), "delta-method z-test": N_("delta-method z-test"),
    "welch t-test (CUPED-adjusted values)": N_("Welch's t-test (CUPED-adjusted values)"),
}
SEGMENT_LABELS: dict[str, str] = {"platform": N_("Platform"), "device": N_("Device"), "is_new": N_("New user"),
                                  "city_tier": N_("City tier"), "gender": N_("Gender"), "age_band": N_("Age band")}


def metric_label(name: str) -> str:
    """A metric as a reader names it: 转化率 / conversion rate for `conversions`; unknown names as given."""
    label = METRIC_LABELS.get(str(name))
    return i18n.gettext(label) if label else str(name)


def role_label(role: str) -> str:
    """primary / guardrail / secondary in the run's language."""
    label = ROLE_LABELS.get(str(role))
    return i18n.gettext(label) if label else str(role)


def method_label(test: object) -> str:
    """The test's name in the run's language; a "cannot test: …" row keeps its operator message."""
    text = "" if test is None or (isinstance(test, float) and math.isnan(test)) else str(test)
    if text.startswith("cannot test"):
        return _("cannot test (see tables/results.csv)")
    label = TEST_LABELS.get(text)
    return i18n.gettext(label) if label else text


def segment_label(column: str) -> str:
    """A segment column as a reader names it (platform → 平台)."""
    label = SEGMENT_LABELS.get(str(column))
    return i18n.gettext(label) if label else str(column)


def segment_value(column: str, value: object) -> str:
    """A segment value as a reader names it: platform codes by name, flags 是/否."""
    text = str(value)
    if column == "platform":
        return i18n.platform_name(text)
    if text in ("True", "False"):
        return i18n.yes_no(text == "True")
    return text


def is_share(kind: str, *values: float) -> bool:
    """True when the metric's values are shares (binary, or a ratio with every value within 0–1)."""
    if kind == "binary":
        return True
    present = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return kind == "ratio" and bool(present) and all(0.0 <= v <= 1.0 for v in present)


def value_format(share: bool) -> Callable[[float | None], str]:
    """How a metric's value is written: 4.86% for a share, 5.79 for a mean."""
    return (lambda v: i18n.fmt_percent(v, 2)) if share else i18n.fmt_number


def difference_format(share: bool) -> Callable[[float | None], str]:
    """How a difference of the metric is written: +0.85 个百分点 / pp for a share, +1.20 for a mean."""
    if share:
        return i18n.fmt_pp
    return signed_number


def signed_number(value: float | None) -> str:
    """A difference in the metric's own units with its sign: +1.20, −0.35."""
    text = i18n.fmt_number(value)
    if value is not None and not math.isnan(float(value)) and float(value) > 0:
        return "+" + text
    return text
