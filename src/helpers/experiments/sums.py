"""An experiment evaluated from per-variant sums computed in DuckDB straight from a Parquet units file.

Every test of the evaluation is a function of a few sums per variant (metrics.VariantStats): n, Σx
and Σx² of a binary or mean metric, also Σy, Σy² and Σxy of a ratio, and for CUPED Σ of the metric,
the covariate, their squares and their product (θ, the adjusted sums and the variance reduction
follow algebraically). So a large Parquet file is never read into pandas: one DuckDB query checks the
whole file's keys (no blank id, experiment_id + unit_id unique), one sums the experiment's units per
variant and counts what would make the rows path refuse or differ (a missing or non-finite value, a
binary value other than 0/1, a negative denominator, a constant covariate or metric, an undeclared
variant). When anything is off, or the units file is CSV, or a column is not stored as numbers, the
evaluation runs on the rows (`design.load_experiment` + `evaluate.evaluate`), which raises the same
message (file, column, lines, what to do) as before; clean data never takes that detour.

Results equal the rows path's to float rounding (sums are added in another order: ~1e-15 relative).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from helpers import config
from helpers.data import find_table_file, load_tables
from helpers.experiments.design import KEY_COLUMNS, ExperimentDesign, find_design, load_experiment, typed_units
from helpers.experiments.evaluate import Evaluation, Settings, evaluate, evaluate_stats
from helpers.experiments.metrics import MetricSpec, VariantStats, as_segment
from helpers.experiments.sequential import RunningDifference, difference_from_daily, ratio_difference_from_daily
from helpers.timezones import duckdb_local_time

#: DuckDB column types read as numbers as they are (bool as 1/0, as the rows path reads a flag column).
INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT")
NUMERIC_TYPES = (*INTEGER_TYPES, "FLOAT", "DOUBLE", "BOOLEAN")


@dataclass(frozen=True)
class UnitSums:
    """Per-variant sums of an experiment's unit columns (index: variant label; "n" and sum/sq/xp columns)."""

    table: pd.DataFrame

    def total(self, column: str) -> float:
        """A sum over every variant."""
        return float(self.table[column].sum())

    def stats(self, metric: MetricSpec) -> dict[str, VariantStats]:
        """The metric's VariantStats per variant, as metrics.variant_stats computes them from rows."""
        out = {}
        for variant, row in self.table.iterrows():
            x = metric.column
            if metric.denominator is None:
                out[str(variant)] = VariantStats(str(variant), int(row["n"]), float(row[_sum(x)]),
                                                 float(row[_sq(x)]))
                continue
            y = metric.denominator
            out[str(variant)] = VariantStats(str(variant), int(row["n"]), float(row[_sum(x)]), float(row[_sq(x)]),
                                             float(row[_sum(y)]), float(row[_sq(y)]), float(row[_xp(x, y)]))
        return out

    def cuped(self, metric: MetricSpec, covariate: str) -> tuple[dict[str, VariantStats], float, float]:
        """CUPED-adjusted VariantStats per variant, θ and the variance reduction (as cuped.cuped_adjust does).

        With y the metric and x the covariate: θ = (Σxy − ΣxΣy/N) / (Σx² − (Σx)²/N) over all units; each
        unit's y − θ(x − x̄) sums, per variant, to Σy − θΣx + nθx̄, and its square to
        Σy² + θ²Σx² + n(θx̄)² − 2θΣxy + 2θx̄Σy − 2θ²x̄Σx. The reduction compares the within-variant pooled
        variances Σ_g(Σa² − (Σa)²/n_g) / (N − G) of the adjusted a and of y.
        """
        y, x, t = metric.column, covariate, self.table
        n = t["n"].astype(float)
        big_n = float(n.sum())
        sx, sy, sxx, sxy = (self.total(c) for c in (_sum(x), _sum(y), _sq(x), _xp(y, x)))
        theta = (sxy - sx * sy / big_n) / (sxx - sx * sx / big_n)
        c = theta * sx / big_n  # θ·x̄
        adj_sum = t[_sum(y)] - theta * t[_sum(x)] + n * c
        adj_sq = (t[_sq(y)] + theta ** 2 * t[_sq(x)] + n * c * c - 2 * theta * t[_xp(y, x)]
                  + 2 * c * t[_sum(y)] - 2 * theta * c * t[_sum(x)])
        dof = big_n - len(t)
        pooled_y = float((t[_sq(y)] - t[_sum(y)] ** 2 / n).sum()) / dof
        pooled_adj = float((adj_sq - adj_sum ** 2 / n).sum()) / dof
        stats = {str(v): VariantStats(str(v), int(t.at[v, "n"]), float(adj_sum[v]), float(adj_sq[v]))
                 for v in t.index}
        return stats, float(theta), 1.0 - pooled_adj / pooled_y


#: One segment value's statistics: (segment column, value, VariantStats per variant).
SegmentPart = tuple[str, object, dict[str, VariantStats]]
#: Segment columns DuckDB groups on as they are stored (their values then typed as the rows path types them).
SEGMENT_TYPES = (*NUMERIC_TYPES, "VARCHAR")
#: Timestamp columns read as naive local time as they are; a TIMESTAMPTZ is converted to the default zone.
NAIVE_TIME_TYPES = ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S")
ZONED_TIME_TYPES = ("TIMESTAMP WITH TIME ZONE",)


@dataclass(frozen=True)
class ParquetUnits:
    """An experiment's units in a Parquet file whose keys and metric values passed the checks.

    The notebook's sections query it in DuckDB instead of holding the rows: the per-variant sums
    (the evaluation), sums per variant × segment value, per variant × day (the running difference)
    and the assignment window. A method returns None where the rows path must decide (a segment
    or time column of another type, a missing time): the caller then reads the rows.
    """

    path: Path
    design: ExperimentDesign
    types: dict[str, str]  # column → DuckDB type, in the file's order
    sums: UnitSums  # per variant, of the run's metrics (and covariate)

    @property
    def columns(self) -> list[str]:
        """The file's columns, in order (as the rows path's frame has them)."""
        return list(self.types)

    def _query(self, sql: str, params: Sequence[object]) -> pd.DataFrame:
        """A query over the experiment's units (``units``: this experiment's rows of the file)."""
        con = duckdb.connect()
        try:
            units = (f"(SELECT * FROM read_parquet({_literal(str(self.path))}) "
                     f"WHERE experiment_id = {_literal(self.design.experiment_id)}) AS units")
            return con.sql(sql.replace("{units}", units), params=list(params)).to_arrow_table().to_pandas()
        finally:
            con.close()

    def segment_parts(self, metric: MetricSpec, column: str) -> list[SegmentPart] | None:
        """Per value of a segment column (as evaluate.segment_breakdown groups them): the metric's VariantStats.

        DuckDB sums per variant × stored value; the few stored values are then typed and grouped
        exactly as the rows path types and groups the column (design.typed_units, metrics.as_segment),
        on a frame of one row per variant × stored value.
        """
        if column in KEY_COLUMNS or column.endswith("_at") or self.types.get(column) not in SEGMENT_TYPES:
            return None
        x, y = metric.column, metric.denominator
        value = {c: f"CAST({_quote(c)} AS DOUBLE)" for c in (x, y) if c is not None}
        select = [f"fsum({value[x]}) AS sx", f"fsum({value[x]} * {value[x]}) AS sxx"]
        if y is not None:
            select += [f"fsum({value[y]}) AS sy", f"fsum({value[y]} * {value[y]}) AS syy",
                       f"fsum({value[x]} * {value[y]}) AS sxy"]
        frame = self._query(f"SELECT variant, {_quote(column)} AS value, count(*) AS n, {', '.join(select)} "
                            "FROM {units} GROUP BY ALL", [])
        raw = frame[["variant", "value"]].rename(columns={"value": column})
        keys = as_segment(typed_units(raw)[column])
        parts: list[SegmentPart] = []
        for key, part in frame.groupby(keys, dropna=False, sort=True):
            totals = part.drop(columns=["value"]).groupby("variant", sort=True).sum()
            parts.append((column, key, {
                str(v): VariantStats(str(v), int(r["n"]), float(r["sx"]), float(r["sxx"]),
                                     float(r.get("sy", np.nan)), float(r.get("syy", np.nan)),
                                     float(r.get("sxy", np.nan)))
                for v, r in totals.iterrows() if r["n"] > 0}))
        return parts

    def _local_time(self, column: str) -> str | None:
        """The DuckDB expression of a time column as naive local time (as typed_units reads a *_at column)."""
        kind = self.types.get(column)
        if not column.endswith("_at") or kind not in (*NAIVE_TIME_TYPES, *ZONED_TIME_TYPES):
            return None
        return _quote(column) if kind in NAIVE_TIME_TYPES else duckdb_local_time(_quote(column), {})

    def assignment_window(self, time_column: str) -> dict[str, object] | None:
        """design.assignment_window from DuckDB: first and last assignment, days, outside the plan, missing."""
        at = self._local_time(time_column)
        if at is None:
            return None
        start, end = self.design.start.normalize(), self.design.end.normalize() + pd.Timedelta(days=1)
        row = self._query(f"SELECT epoch_ns(min({at})) AS first, epoch_ns(max({at})) AS last, "
                          f"count(*) FILTER (WHERE {at} < ? OR {at} >= ?) AS outside, "
                          f"count(*) FILTER (WHERE {at} IS NULL) AS missing FROM {{units}}",
                          [start.to_pydatetime(), end.to_pydatetime()]).iloc[0]
        first = pd.NaT if pd.isna(row["first"]) else pd.Timestamp(int(row["first"]))
        last = pd.NaT if pd.isna(row["last"]) else pd.Timestamp(int(row["last"]))
        days = int((last.normalize() - first.normalize()).days) + 1 if pd.notna(first) else 0
        return {"first": first, "last": last, "days": days, "outside_planned_dates": int(row["outside"]),
                "missing_time": int(row["missing"])}

    def running_differences(self, metric: MetricSpec, time_column: str,
                            alpha: float = 0.05) -> list[RunningDifference] | None:
        """sequential.running_differences from sums per variant × day (centred on the experiment's mean)."""
        at = self._local_time(time_column)
        if at is None:
            return None
        x, y = metric.column, metric.denominator
        value = {c: f"CAST({_quote(c)} AS DOUBLE)" for c in (x, y) if c is not None}
        centre = self.sums.total(_sum(x)) / self.sums.total("n")
        if y is None:
            select = [f"fsum({value[x]} - ?) AS s1", f"fsum(({value[x]} - ?) * ({value[x]} - ?)) AS s2"]
            params: list[object] = [centre] * 3
        else:
            select = [f"fsum({value[x]}) AS sx", f"fsum({value[x]} * {value[x]}) AS sxx", f"fsum({value[y]}) AS sy",
                      f"fsum({value[y]} * {value[y]}) AS syy", f"fsum({value[x]} * {value[y]}) AS sxy"]
            params = []
        frame = self._query(f"SELECT variant, datediff('day', DATE '1970-01-01', CAST({at} AS DATE)) AS day, "
                            f"count(*) AS n, {', '.join(select)}, count(*) FILTER (WHERE {at} IS NULL) AS missing "
                            "FROM {units} GROUP BY ALL", params)
        if frame.empty or frame["missing"].sum() > 0:  # the rows path names the missing times
            return None
        control, out = self.design.control, []
        for variant in self.design.treatments:
            pair = frame[frame["variant"].isin([control, variant])]
            first = int(pair["day"].min())
            days = pd.date_range(pd.Timestamp(first, unit="D"), pd.Timestamp(int(pair["day"].max()), unit="D"),
                                 freq="D").as_unit("ns")  # as the rows path's datetime64[ns] days
            if y is None:
                n = pair.groupby("variant")["n"].sum()
                # centred on the pair's own mean m = c + shift, as the rows path centres:
                # Σ(x − m) = Σ(x − c) − n·shift, Σ(x − m)² = Σ(x − c)² − 2·shift·Σ(x − c) + n·shift²
                shift = float(pair["s1"].sum()) / float(n.sum())
                arms = {arm: _daily(pair[pair["variant"] == arm], first, len(days), ["n", "s1", "s2"])
                        for arm in (control, variant)}
                for daily in arms.values():
                    n_day, s1 = daily[0].copy(), daily[1].copy()
                    daily[1] = s1 - n_day * shift
                    daily[2] = daily[2] - 2 * shift * s1 + n_day * shift * shift
                table = difference_from_daily(days, arms[control], arms[variant], centre + shift, alpha)
            else:
                arms = {arm: _daily(pair[pair["variant"] == arm], first, len(days),
                                    ["n", "sx", "sxx", "sy", "syy", "sxy"]) for arm in (control, variant)}
                table = ratio_difference_from_daily(days, arms[control], arms[variant], control, variant, alpha)
            out.append(RunningDifference(metric.name, control, variant, table))
        return out


def _daily(part: pd.DataFrame, first: int, n_days: int, columns: list[str]) -> np.ndarray:
    """One arm's per-day sums as a len(columns) × n_days array (zeros on days without units)."""
    out = np.zeros((len(columns), n_days))
    index = part["day"].to_numpy(dtype="int64") - first
    for row, column in enumerate(columns):
        np.add.at(out[row], index, part[column].to_numpy(dtype="float64"))
    return out


def _sum(column: str) -> str:
    return f"sum|{column}"


def _sq(column: str) -> str:
    return f"sq|{column}"


def _xp(a: str, b: str) -> str:
    return f"xp|{a}|{b}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def evaluate_experiment(experiment_id: str, metrics: Sequence[MetricSpec], settings: Settings,
                        data_dir: str | Path | None = None) -> tuple[ExperimentDesign, Evaluation]:
    """Load and evaluate one experiment: from per-variant sums when its units are a clean Parquet file, else rows.

    The result is the one `evaluate(*load_experiment(...))` gives (to float rounding), with its messages
    when the data or the parameters are refused.
    """
    folder = config.data_dir(data_dir)
    design = find_design(load_tables(["experiments"], folder)["experiments"], experiment_id)
    path = find_table_file("experiment_units", folder)
    units = open_units(path, design, metrics, settings.covariate) if path is not None else None
    if units is None:  # CSV, or something the rows path must name (or type) first
        design, rows = load_experiment(experiment_id, folder)
        return design, evaluate(design, rows, metrics, settings)
    return design, evaluate_sums(design, units.sums, metrics, settings)


def evaluate_sums(design: ExperimentDesign, sums: UnitSums, metrics: Sequence[MetricSpec],
                  settings: Settings) -> Evaluation:
    """The evaluation from per-variant sums (CUPED-adjusted for the mean metrics when a covariate is given)."""
    stats, gains = {}, []
    for metric in metrics:
        if settings.covariate and metric.kind == "mean":
            stats[metric.name], theta, reduction = sums.cuped(metric, settings.covariate)
            gains.append({"metric": metric.name, "covariate": settings.covariate, "theta": theta,
                          "variance_reduction": reduction})
        else:
            stats[metric.name] = sums.stats(metric)
    counts = {v: int(sums.table["n"].get(v, 0)) for v in design.variants}
    cuped = pd.DataFrame(gains, columns=["metric", "covariate", "theta", "variance_reduction"])
    return evaluate_stats(design, counts, stats, metrics, settings, cuped)


def open_units(path: Path, design: ExperimentDesign, metrics: Sequence[MetricSpec],
               covariate: str | None) -> ParquetUnits | None:
    """The experiment's checked Parquet units file with its per-variant sums; None for CSV or when rows must decide."""
    if not path.name.endswith(".parquet"):
        return None
    con = duckdb.connect()
    try:
        source = f"read_parquet({_literal(str(path))})"
        types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {source})").fetchall())
        if covariate and covariate not in types:  # evaluate names the columns it has
            return None
        sums = _checked_sums(con, source, types, design, metrics, covariate)
    finally:
        con.close()
    return None if sums is None else ParquetUnits(path, design, types, sums)


def parquet_sums(path: Path, design: ExperimentDesign, metrics: Sequence[MetricSpec],
                 covariate: str | None) -> UnitSums | None:
    """The experiment's per-variant sums from a Parquet units file, or None when the rows path must decide.

    None when a required column or a metric column is absent or not stored as numbers, an id is
    blank, a key repeats, a variant is undeclared or the control has no units, a metric value is
    missing or not finite, a binary value is not 0/1, a denominator is negative, or CUPED could not
    adjust (under 3 units, a constant covariate, a metric constant within every variant).
    """
    units = open_units(path, design, metrics, covariate)
    return None if units is None else units.sums


def _checked_sums(con: duckdb.DuckDBPyConnection, source: str, types: dict[str, str], design: ExperimentDesign,
                  metrics: Sequence[MetricSpec], covariate: str | None) -> UnitSums | None:
    """parquet_sums on an open connection, the file's column types known."""
    columns = _columns(metrics, covariate)
    if any(name != name.strip() for name in types) or not set(KEY_COLUMNS) <= set(types):
        return None
    if any(c in KEY_COLUMNS or types.get(c) not in NUMERIC_TYPES for c in columns):
        return None
    if not _keys_clean(con, source, types):
        return None
    return _variant_sums(con, source, design, metrics, covariate, columns)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _columns(metrics: Sequence[MetricSpec], covariate: str | None) -> list[str]:
    """Every unit column the metrics (and the CUPED covariate of the mean metrics) read, once each."""
    names = [c for m in metrics for c in (m.column, m.denominator) if c is not None]
    if covariate and any(m.kind == "mean" for m in metrics):
        names.append(covariate)
    return list(dict.fromkeys(names))


#: A value starting or ending with whitespace (Python's str.strip would change it), for RE2.
_EDGE_SPACE = r"[\s\x0b\x1c-\x1f\x85\p{Z}]"
EDGE_SPACE = f"^{_EDGE_SPACE}|{_EDGE_SPACE}$"


def _keys_clean(con: duckdb.DuckDBPyConnection, source: str, types: dict[str, str]) -> bool:
    """The whole file has rows, no blank id or variant, ids as they read once trimmed, and unique experiment + unit.

    experiment_id and variant take few values, checked in Python on their distinct pairs. Each unit_id is
    hashed with its experiment_id (NULL for a blank or untrimmed unit_id); the hashes, sorted, must all
    differ. Equal hashes mean a repeated key or, rarely (64 bits), two keys sharing a hash: both go to the
    rows path, which checks the text itself.
    """
    if types["experiment_id"] != "VARCHAR" or types["variant"] != "VARCHAR":
        return False
    pairs = con.execute(f"SELECT DISTINCT experiment_id, variant FROM {source}").fetchall()
    if not pairs or any(v is None or not v.strip() or v != v.strip() for pair in pairs for v in pair):
        return False
    unit = _quote("unit_id")
    if types["unit_id"] in INTEGER_TYPES:  # an integer id is its own text: nothing to trim
        hashed = f"CASE WHEN {unit} IS NULL THEN NULL ELSE hash(experiment_id, {unit}) END"
    elif types["unit_id"] == "VARCHAR":
        hashed = (f"CASE WHEN {unit} IS NULL OR {unit} = '' OR regexp_matches({unit}, {_literal(EDGE_SPACE)}) "
                  f"THEN NULL ELSE hash(experiment_id, {unit}) END")
    else:
        return False
    keys = con.execute(f"SELECT {hashed} AS h FROM {source}").fetchnumpy()["h"]
    if np.ma.is_masked(keys) or len(keys) == 0:
        return False
    keys = np.asarray(keys)
    keys.sort()
    return not bool((keys[1:] == keys[:-1]).any())


def _variant_sums(con: duckdb.DuckDBPyConnection, source: str, design: ExperimentDesign,
                  metrics: Sequence[MetricSpec], covariate: str | None, columns: list[str]) -> UnitSums | None:
    """One pass over the experiment's units: n and the sums per variant, and counts of what the rows path refuses."""
    value = {c: f"CAST({_quote(c)} AS DOUBLE)" for c in columns}
    select = ["count(*) AS n"]
    for c in columns:
        select += [f"fsum({value[c]}) AS {_quote(_sum(c))}", f"fsum({value[c]} * {value[c]}) AS {_quote(_sq(c))}",
                   f"count(*) FILTER (WHERE NOT isfinite({value[c]}) OR {value[c]} IS NULL) AS {_quote('bad|' + c)}",
                   f"min({value[c]}) AS {_quote('min|' + c)}", f"max({value[c]}) AS {_quote('max|' + c)}"]
    pairs = [(m.column, m.denominator) for m in metrics if m.denominator is not None]
    if covariate and covariate in columns:
        pairs += [(m.column, covariate) for m in metrics if m.kind == "mean"]
    for a, b in dict.fromkeys(pairs):
        select.append(f"fsum({value[a]} * {value[b]}) AS {_quote(_xp(a, b))}")
    for m in metrics:
        if m.kind == "binary":
            select.append(f"count(*) FILTER (WHERE {value[m.column]} NOT IN (0, 1)) AS {_quote('bad|bin|' + m.name)}")
        if m.denominator is not None:
            select.append(f"count(*) FILTER (WHERE {value[m.denominator]} < 0) AS {_quote('bad|neg|' + m.name)}")
    table = con.execute(f"SELECT variant, {', '.join(select)} FROM {source} WHERE experiment_id = ? "
                        "GROUP BY 1 ORDER BY 1",
                        [design.experiment_id]).df().set_index("variant")
    if table.empty or not set(table.index) <= set(design.variants) or design.control not in table.index:
        return None
    if (table[[c for c in table.columns if c.startswith("bad|")]].to_numpy() > 0).any():
        return None
    if covariate and any(m.kind == "mean" for m in metrics) and not _cuped_possible(table, metrics, covariate):
        return None
    return UnitSums(table)


def _cuped_possible(table: pd.DataFrame, metrics: Sequence[MetricSpec], covariate: str) -> bool:
    """cuped_adjust's preconditions: 3+ units, a covariate that varies, each mean metric varying within a variant."""
    n = int(table["n"].sum())
    if n < 3 or n - len(table) <= 0 or table[f"min|{covariate}"].min() == table[f"max|{covariate}"].max():
        return False
    return all((table[f"min|{m.column}"] < table[f"max|{m.column}"]).any() for m in metrics if m.kind == "mean")
