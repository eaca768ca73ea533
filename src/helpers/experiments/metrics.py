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


#: Spellings of a true/false flag (compared trimmed and lower-case): platform exports write all of these.
FLAG_SPELLINGS: dict[str, bool] = {
    "true": True, "false": False, "yes": True, "no": False, "1": True, "0": False, "1.0": True, "0.0": False,
    "是": True, "否": False,
}
FLAG_HINT = "true/false, yes/no, 是/否 or 1/0"


def as_flags(values: pd.Series) -> pd.Series | None:
    """A column of true/false flags as pandas' nullable boolean (missing stays missing); None if it is not one.

    A column is a flag column when it has a value and every value present is a flag spelling
    (FLAG_SPELLINGS, any case) or a Python/NumPy bool.
    """
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean")
    present = values.dropna()
    if present.empty or pd.api.types.is_numeric_dtype(values.dtype):
        return None
    words = present.astype(str).str.strip().str.lower()
    if not words.isin(list(FLAG_SPELLINGS)).all():
        return None
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[present.index] = words.map(FLAG_SPELLINGS).astype("boolean")
    return out


def as_segment(values: pd.Series) -> pd.Series:
    """A segment column to group on: flags (booleans, or numbers that are only 0 and 1) as booleans, else as given."""
    flags = as_flags(values)
    if flags is not None:
        return flags
    if pd.api.types.is_numeric_dtype(values.dtype) and values.notna().any() and values.dropna().isin([0, 1]).all():
        return (values == 1).astype("boolean").mask(values.isna(), pd.NA)
    return values


def metric_values(units: pd.DataFrame, column: str, table: str = "experiment_units") -> pd.Series:
    """A metric column as float64: numbers as they are, true/false flags as 1/0; missing or other text is refused.

    The message names the column, the first lines (line 1 is the header) and what to do: missing is not zero.
    """
    raw = units[column]
    flags = as_flags(raw)
    values = flags if flags is not None else raw
    x = pd.to_numeric(values, errors="coerce").astype("float64")
    if not x.isna().any():
        return x
    missing = raw.isna() | (raw.astype(str).str.strip() == "")
    not_number = x.isna() & ~missing
    other = not_number & ~raw.astype(str).str.strip().str.lower().isin(list(FLAG_SPELLINGS))
    other = other if other.any() else not_number  # else: flags mixed with other numbers
    if other.any():
        examples = [str(v) for v in dict.fromkeys(raw[other].astype(str))][:3]
        rows = list(x.index[other][:5] + 2)
        raise DataError(f"{table}, column {column!r}: {int(other.sum())} value(s) that are neither numbers nor "
                        f"{FLAG_HINT} flags, e.g. {', '.join(map(repr, examples))}, first at line(s) {rows}. "
                        "A metric column holds numbers or flags; correct those cells or drop the units.")
    rows = list(x.index[x.isna()][:5] + 2)
    raise DataError(f"{table}, column {column!r}: {int(x.isna().sum())} missing value(s), first at line(s) {rows}. "
                    "Fill them (0 only if it truly is zero) or drop the units.")


def variant_stats(units: pd.DataFrame, metric: MetricSpec, variant_column: str = "variant") -> dict[str, VariantStats]:
    """Per-variant sufficient statistics of a metric from one row per unit (missing values are errors).

    A ratio's numerator may be negative (refunds in an AOV); its denominator must be ≥ 0 per unit.
    """
    columns = [variant_column, metric.column] + ([metric.denominator] if metric.denominator else [])
    require_columns(units, columns, "experiment_units", f"Metric {metric.name!r} needs these columns.")
    x = metric_values(units, metric.column)
    if metric.kind == "binary" and not x.isin([0.0, 1.0]).all():
        bad = x[~x.isin([0.0, 1.0])]
        raise DataError(f"experiment_units, column {metric.column!r}: a binary metric takes 0 or 1 per unit; "
                        f"found {', '.join(f'{v:g}' for v in sorted(bad.unique())[:5])} "
                        f"(first at line {int(bad.index[0]) + 2}). "
                        "Use kind='mean' for counts.")
    variant = units[variant_column]
    if not isinstance(variant.dtype, pd.CategoricalDtype):  # grouping on codes is much faster on big tables
        variant = variant.astype(str).astype("category")
    frame = pd.DataFrame({"v": variant, "x": x, "x2": x * x})
    if metric.denominator:
        y = metric_values(units, metric.denominator)
        if (y < 0).any():
            rows = list(y.index[y < 0][:5] + 2)
            raise DataError(f"experiment_units, column {metric.denominator!r}: {int((y < 0).sum())} negative "
                            f"value(s), first at line(s) {rows}. The denominator of ratio metric {metric.name!r} "
                            "must be positive (≥ 0 per unit, > 0 in total): the delta method divides by it. "
                            "A negative numerator (a refund) is fine; correct or drop those units.")
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


#: Totals columns that may not be negative (sums of squares; denominators), by VariantStats field.
NON_NEGATIVE_FIELDS = ("sum_x2", "sum_y", "sum_y2")
#: Column endings of a totals export that carries per-row means or deviations instead of sums.
MEAN_ENDINGS = ("_mean", "_avg", "_average", "_rate", "_std", "_sd", "_stddev", "_variance")


def _refuse_means(aggregates: pd.DataFrame, metric: MetricSpec, needed: list[str]) -> None:
    """A DataError saying how to turn per-row means/deviations into sums, when the export has those instead."""
    absent = [c for c in needed if c not in aggregates.columns]
    m = metric.name
    means = [str(c) for c in aggregates.columns if str(c).startswith(f"{m}_") and str(c).endswith(MEAN_ENDINGS)]
    if not absent or not means:
        return
    raise DataError(f"aggregates, metric {m!r}: the export carries means or deviations ({', '.join(means)}) "
                    f"instead of the sums {absent}. Means of several rows do not add; per row write "
                    f"{m}_sum = {m}_mean × units and {m}_sum_sq = (units − 1) × {m}_std² + units × {m}_mean² "
                    f"(for a rate, {m}_sum = rate × units), then the rows of a variant are summed.")


def _numeric_totals(aggregates: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The totals columns as numbers; a missing or non-numeric cell is a DataError naming its column and line."""
    out = {}
    for column in columns:
        values = pd.to_numeric(aggregates[column], errors="coerce").astype("float64")
        bad = ~np.isfinite(values.to_numpy())
        if bad.any():
            lines = list(values.index[bad][:5] + 2)
            raise DataError(f"aggregates, column {column!r}: {int(bad.sum())} missing or non-numeric total(s), "
                            f"first at line(s) {lines}. Give every row its totals from the platform's export "
                            "(0 only if it truly is zero) or drop the row.")
        out[column] = values
    return pd.DataFrame(out, index=aggregates.index)


def totals_by_variant(aggregates: pd.DataFrame, columns: list[str], variant_column: str = "variant") -> pd.DataFrame:
    """Counts and sums summed per variant (an export may have one row per platform or day), variants in file order.

    Sums and sums of squares add across rows; units too. Index: the variant labels as text.
    """
    numbers = _numeric_totals(aggregates, ["units", *columns])
    labels = aggregates[variant_column].astype(str).str.strip()
    return numbers.groupby(labels.to_numpy(), sort=False).sum()


def stats_from_aggregates(aggregates: pd.DataFrame, metric: MetricSpec,
                          variant_column: str = "variant") -> dict[str, VariantStats]:
    """Per-variant statistics from a totals export: variant, units and, per metric, its sums.

    Columns per metric m: binary m_sum (successes); mean m_sum and m_sum_sq; ratio m_num_sum,
    m_num_sum_sq, m_den_sum, m_den_sum_sq and m_cross_sum (Σ numerator × denominator per unit).
    Several rows of one variant (per platform, per day) are summed first. Sums may be negative
    (refunds); sums of squares and denominators may not.
    """
    fields = _aggregate_columns(metric)
    _refuse_means(aggregates, metric, list(fields.values()))
    require_columns(aggregates, [variant_column, "units", *fields.values()], "aggregates",
                    f"Metric {metric.name!r} ({metric.kind}) needs these totals per variant.")
    rows = _numeric_totals(aggregates, ["units", *fields.values()])
    for name in NON_NEGATIVE_FIELDS:
        column = fields.get(name)
        if column is not None and (rows[column] < 0).any():
            lines = list(rows.index[rows[column] < 0][:5] + 2)
            reason = ("a denominator must be positive: the delta method divides by it (a negative numerator "
                      "is fine)" if name == "sum_y" else "a sum of squares cannot be negative")
            raise DataError(f"aggregates, column {column!r}: negative total(s) at line(s) {lines}; {reason}.")
    totals = totals_by_variant(aggregates, list(fields.values()), variant_column)
    out = {}
    for variant, row in totals.iterrows():
        values = {f: float(row[c]) for f, c in fields.items()}
        n = float(row["units"])
        if n < 0 or n != int(n):
            raise DataError(f"aggregates, variant {variant!r}: units must be a whole number ≥ 0, got {n:g}.")
        if metric.kind == "binary":
            if values["sum_x"] > n:
                raise DataError(f"aggregates, variant {variant!r}: {metric.name}_sum ({values['sum_x']:g}) "
                                f"exceeds units ({n:g}); a rate cannot exceed 1.")
            if values["sum_x"] < 0:
                raise DataError(f"aggregates, variant {variant!r}: {metric.name}_sum ({values['sum_x']:g}) is "
                                "negative; successes are counted from 0.")
            values["sum_x2"] = values["sum_x"]  # x ∈ {0, 1}: x² = x
        out[str(variant)] = VariantStats(str(variant), int(n), **values)
    return out
