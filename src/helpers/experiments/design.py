"""An experiment's design (from the `experiments` table) and its units, checked against each other.

The design says which variants exist, which one is the control, the planned split, the guardrails
and the MDE; the units must match it. Mismatches are the first thing to rule out, because every
later number assumes them away.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers import config
from helpers.data import experiment_design_problem, experiment_unit_problems, load_tables
from helpers.errors import DataError, ParameterError
from helpers.experiments.metrics import as_flags
from helpers.timezones import DEFAULT_TIMEZONE, parse_local_times


def _split_list(text: object) -> tuple[str, ...]:
    """A ';'-separated cell as a tuple of trimmed, non-empty items."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ()
    return tuple(item.strip() for item in str(text).split(";") if item.strip())


@dataclass(frozen=True)
class ExperimentDesign:
    """One row of the experiments table, parsed: variants, control, planned split, guardrails, MDE."""

    experiment_id: str
    name: str
    unit: str
    primary_metric: str
    control: str
    variants: tuple[str, ...]
    start: pd.Timestamp
    end: pd.Timestamp
    expected_split: dict[str, float] = field(default_factory=dict)
    guardrails: tuple[str, ...] = ()
    mde: float | None = None
    hypothesis: str = ""

    @property
    def treatments(self) -> tuple[str, ...]:
        """The variants other than the control."""
        return tuple(v for v in self.variants if v != self.control)

    @property
    def days(self) -> int:
        """Planned run length in days (start and end inclusive)."""
        return int((self.end.normalize() - self.start.normalize()).days) + 1


def design_from_row(row: pd.Series) -> ExperimentDesign:
    """Parse and check one experiments-table row (control among the variants, split matching them).

    The check is `data.experiment_design_problem`, the one `opsbook validate` runs too.
    """
    experiment = str(row["experiment_id"])
    wrong = experiment_design_problem(row)
    if wrong is not None:
        raise DataError(f"experiments, {experiment}: {wrong[1]}")
    variants = _split_list(row["variants"])
    control = str(row["control"]).strip()
    weights = [float(w) for w in _split_list(row.get("expected_split"))]
    split = {v: w / sum(weights) for v, w in zip(variants, weights, strict=True)} if weights else {}
    mde = row.get("mde")
    return ExperimentDesign(
        experiment_id=experiment, name=str(row["name"]), unit=str(row["unit"]),
        primary_metric=str(row["primary_metric"]).strip(), control=control, variants=variants,
        start=pd.Timestamp(row["start"]), end=pd.Timestamp(row["end"]), expected_split=split,
        guardrails=_split_list(row.get("guardrails")),
        mde=None if mde is None or pd.isna(mde) else float(mde),
        hypothesis="" if pd.isna(row.get("hypothesis")) else str(row.get("hypothesis")),
    )


def find_design(experiments: pd.DataFrame, experiment_id: str) -> ExperimentDesign:
    """The design of one experiment of the experiments table; a ParameterError listing the ids it has otherwise."""
    match = experiments[experiments["experiment_id"] == experiment_id]
    if match.empty:
        raise ParameterError(f"Parameter experiment_id={experiment_id!r} is not in the experiments table; "
                             f"it has: {', '.join(experiments['experiment_id'])}.")
    return design_from_row(match.iloc[0])


def load_experiment(experiment_id: str, data_dir: str | Path | None = None) -> tuple[ExperimentDesign, pd.DataFrame]:
    """The design of one experiment and its unit rows, checked against each other."""
    return experiment_from_tables(load_experiment_tables(data_dir), experiment_id)


def load_experiment_tables(data_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """The experiments and experiment_units tables (read once by the explorer, for every experiment)."""
    return load_tables(["experiments", "experiment_units"], config.data_dir(data_dir))


def experiment_from_tables(frames: Mapping[str, pd.DataFrame], experiment_id: str,
                           ) -> tuple[ExperimentDesign, pd.DataFrame]:
    """The design of one experiment and its typed unit rows, from tables already loaded, checked together."""
    design, units = find_design(frames["experiments"], experiment_id), frames["experiment_units"]
    mine = units[units["experiment_id"] == experiment_id]
    check_units(design, mine, str(units.attrs.get("file", "experiment_units")))  # file lines from the index
    return design, typed_units(mine)  # the file's row index kept: messages give its lines (row i is line i + 2)


KEY_COLUMNS = ("experiment_id", "unit_id", "variant")


def typed_units(units: pd.DataFrame) -> pd.DataFrame:
    """Metric and covariate columns as numbers, flags as booleans, timestamps as datetimes; other columns stay text.

    The schema fixes only the key columns; a column whose every value reads as a number is a metric
    (a 0/1 column stays numbers: metrics read it as is, segments as yes/no, metrics.as_segment), a
    column whose every value is a true/false spelling (metrics.FLAG_SPELLINGS: True/False,
    true/false, yes/no, 是/否, with 1/0 among them) a nullable boolean (1/0 to a metric, yes/no as a
    segment), and a column named *_at is a timestamp.
    """
    out = units.copy()
    out["variant"] = out["variant"].astype(str).astype("category")  # a few labels on many rows
    for column in out.columns:
        if column in KEY_COLUMNS:
            continue
        if column == "variant":
            continue
        if str(column).endswith("_at"):
            # units have no account: offsets (a column may mix +08:00 and Z) go to the default zone
            out[column] = parse_local_times(out[column], pd.Series(DEFAULT_TIMEZONE, index=out.index))
            continue
        if pd.api.types.is_bool_dtype(out[column].dtype):  # a Parquet bool column
            out[column] = out[column].astype("boolean")
            continue
        try:  # raises at the first value that is not a number: text columns are left at once
            numbers = pd.to_numeric(out[column])
        except (ValueError, TypeError):
            flags = as_flags(out[column])
            if flags is not None:  # true/false, yes/no, 是/否 (1/0 among them): 1/0 to a metric, yes/no segment
                out[column] = flags
            continue
        if out[column].notna().any():
            out[column] = numbers.astype("float64")
    return out


def check_units(design: ExperimentDesign, units: pd.DataFrame, file: str = "experiment_units") -> None:
    """Units must exist, belong to declared variants, and the control must have some.

    The check is `data.experiment_unit_problems`, the one `opsbook validate` runs too; the first problem
    refuses the run with the same text validate prints (the file, column and lines when `units` keeps
    the loaded frame's index, row i being line i + 2).
    """
    problems = experiment_unit_problems(design.experiment_id, design.variants, design.control, units, file)
    if problems:
        raise DataError(str(problems[0]))


def unit_counts(design: ExperimentDesign, units: pd.DataFrame) -> dict[str, int]:
    """Units per declared variant (0 for a declared variant without units)."""
    counts = {str(k): int(v) for k, v in units["variant"].value_counts().items()}
    return {v: counts.get(v, 0) for v in design.variants}


def assignment_window(design: ExperimentDesign, units: pd.DataFrame, time_column: str) -> dict[str, object]:
    """First and last assignment, actual run length, and units assigned outside the planned dates."""
    at = pd.to_datetime(units[time_column], errors="coerce")
    end = design.end.normalize() + pd.Timedelta(days=1)
    outside = int(((at < design.start.normalize()) | (at >= end)).sum())
    first, last = at.min(), at.max()
    days = int((last.normalize() - first.normalize()).days) + 1 if pd.notna(first) else 0
    return {"first": first, "last": last, "days": days, "outside_planned_dates": outside,
            "missing_time": int(at.isna().sum())}
