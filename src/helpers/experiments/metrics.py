"""Metric definitions and the per-variant sufficient statistics every test works from.

Tests need only sums: units n, Σx and Σx² for a mean or binary metric, and for a ratio metric
(Σ numerator ÷ Σ denominator, both per unit) also Σy, Σy² and Σxy for the delta method. Platform
A/B tools often export only these totals, so results can be computed from them directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from helpers.errors import DataError, ParameterError, require_columns

MetricKind = Literal["binary", "mean", "ratio"]


@dataclass(frozen=True)
class MetricSpec:
    """A metric: binary (successes ÷ units), mean (per-unit average) or ratio (Σ numerator ÷ Σ denominator)."""

    name: str
    kind: MetricKind
    column: str  # binary/mean: the per-unit column; ratio: the numerator column
    denominator: str | None = None  # ratio only

    def __post_init__(self) -> None:
        if self.kind not in ("binary", "mean", "ratio"):
            raise ParameterError(f"Metric {self.name!r}: kind must be binary, mean or ratio, got {self.kind!r}.")
        if (self.kind == "ratio") != (self.denominator is not None):
            raise ParameterError(f"Metric {self.name!r}: a ratio metric needs a denominator column, "
                                 "and only a ratio metric takes one.")


@dataclass(frozen=True)
class VariantStats:
    """Sufficient statistics of one variant for one metric (x = value or numerator, y = denominator)."""

    variant: str
    n: int
    sum_x: float
    sum_x2: float
    sum_y: float = float("nan")
    sum_y2: float = float("nan")
    sum_xy: float = float("nan")

    @property
    def mean_x(self) -> float:
        """Per-unit mean of x (the conversion rate for a binary metric)."""
        return self.sum_x / self.n if self.n else float("nan")

    @property
    def var_x(self) -> float:
        """Sample variance of x (n − 1 denominator)."""
        if self.n < 2:
            return float("nan")
        return (self.sum_x2 - self.sum_x ** 2 / self.n) / (self.n - 1)

    @property
    def ratio(self) -> float:
        """Σx ÷ Σy for a ratio metric."""
        return self.sum_x / self.sum_y if self.sum_y else float("nan")


def variant_stats(units: pd.DataFrame, metric: MetricSpec, variant_column: str = "variant") -> dict[str, VariantStats]:
    """Per-variant sufficient statistics of a metric from one row per unit (missing values are errors)."""
    columns = [variant_column, metric.column] + ([metric.denominator] if metric.denominator else [])
    require_columns(units, columns, "experiment_units", f"Metric {metric.name!r} needs these columns.")
    x = pd.to_numeric(units[metric.column], errors="coerce").astype("float64")
    if x.isna().any():
        rows = list(x.index[x.isna()][:5] + 2)
        raise DataError(f"experiment_units, column {metric.column!r}: {int(x.isna().sum())} missing or non-numeric "
                        f"value(s), first at line(s) {rows}. Fill them (0 only if it truly is zero) or drop the units.")
    if metric.kind == "binary" and not x.isin([0.0, 1.0]).all():
        bad = x[~x.isin([0.0, 1.0])]
        raise DataError(f"experiment_units, column {metric.column!r}: a binary metric takes 0 or 1 per unit; "
                        f"found {sorted(bad.unique())[:5]} (first at line {int(bad.index[0]) + 2}). "
                        "Use kind='mean' for counts.")
    variant = units[variant_column]
    if not isinstance(variant.dtype, pd.CategoricalDtype):  # grouping on codes is much faster on big tables
        variant = variant.astype(str).astype("category")
    if metric.kind == "ratio" and (x < 0).any():
        first = int(x.index[x < 0][0])
        raise DataError(f"experiment_units, column {metric.column!r}: negative numerator(s) for ratio metric "
                        f"{metric.name!r} (first at row {first + 1} of the experiment); counts cannot be below 0.")
    frame = pd.DataFrame({"v": variant, "x": x, "x2": x * x})
    if metric.denominator:
        y = pd.to_numeric(units[metric.denominator], errors="coerce").astype("float64")
        if y.isna().any() or (y < 0).any():
            raise DataError(f"experiment_units, column {metric.denominator!r}: missing or negative denominators.")
        frame = frame.assign(y=y, y2=y * y, xy=x * y)
    grouped = frame.groupby("v", sort=True, observed=True)
    sums, counts = grouped.sum(), grouped.size()
    out = {}
    for v, row in sums.iterrows():
        out[str(v)] = VariantStats(str(v), int(counts[v]), float(row["x"]), float(row["x2"]),
                                   float(row.get("y", np.nan)), float(row.get("y2", np.nan)),
                                   float(row.get("xy", np.nan)))
    return out


def parse_metric(name: str, definition: str) -> MetricSpec:
    """A metric from a parameter text: 'binary:conversions', 'mean:revenue' or 'ratio:clicks/exposures'."""
    kind, _, columns = str(definition).partition(":")
    kind, columns = kind.strip(), columns.strip()
    if not columns:
        raise ParameterError(f"Metric {name!r}: write '<kind>:<column>', e.g. 'binary:conversions', "
                             f"'mean:revenue' or 'ratio:clicks/exposures'; got {definition!r}.")
    if kind == "ratio":
        numerator, _, denominator = columns.partition("/")
        if not denominator:
            raise ParameterError(f"Metric {name!r}: a ratio is 'ratio:<numerator>/<denominator>'; got {definition!r}.")
        return MetricSpec(name, "ratio", numerator.strip(), denominator.strip())
    return MetricSpec(name, kind, columns)  # type: ignore[arg-type]


def parse_metrics(definitions: dict[str, str]) -> list[MetricSpec]:
    """Every metric of a {name: definition} parameter, in order."""
    if not definitions:
        raise ParameterError("Parameter metrics is empty: define at least the primary metric, "
                             "e.g. {'conversion': 'binary:conversions'}.")
    return [parse_metric(name, text) for name, text in definitions.items()]


def _aggregate_columns(metric: MetricSpec) -> dict[str, str]:
    """Columns a pre-aggregated export needs for a metric, keyed by the VariantStats field they fill."""
    m = metric.name
    if metric.kind == "binary":
        return {"sum_x": f"{m}_sum"}
    if metric.kind == "mean":
        return {"sum_x": f"{m}_sum", "sum_x2": f"{m}_sum_sq"}
    return {"sum_x": f"{m}_num_sum", "sum_x2": f"{m}_num_sum_sq", "sum_y": f"{m}_den_sum",
            "sum_y2": f"{m}_den_sum_sq", "sum_xy": f"{m}_cross_sum"}


def stats_from_aggregates(aggregates: pd.DataFrame, metric: MetricSpec,
                          variant_column: str = "variant") -> dict[str, VariantStats]:
    """Per-variant statistics from a totals export: variant, units and, per metric, its sums.

    Columns per metric m: binary m_sum (successes); mean m_sum and m_sum_sq; ratio m_num_sum,
    m_num_sum_sq, m_den_sum, m_den_sum_sq and m_cross_sum (Σ numerator × denominator per unit).
    """
    fields = _aggregate_columns(metric)
    require_columns(aggregates, [variant_column, "units", *fields.values()], "aggregates",
                    f"Metric {metric.name!r} ({metric.kind}) needs these totals per variant.")
    out = {}
    for row in aggregates.to_dict(orient="records"):
        values = {f: float(row[c]) for f, c in fields.items()}
        n = int(row["units"])
        if n < 0 or any(v < 0 for v in values.values()):
            raise DataError(f"aggregates, variant {row[variant_column]!r}: negative totals for metric {metric.name!r}.")
        if metric.kind == "binary":
            if values["sum_x"] > n:
                raise DataError(f"aggregates, variant {row[variant_column]!r}: {metric.name}_sum "
                                f"({values['sum_x']:g}) exceeds units ({n}); a rate cannot exceed 1.")
            values["sum_x2"] = values["sum_x"]  # x ∈ {0, 1}: x² = x
        out[str(row[variant_column])] = VariantStats(str(row[variant_column]), n, **values)
    return out
