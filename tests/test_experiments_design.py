"""helpers.experiments.design: the experiments table parsed and checked against the units."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.errors import DataError, ParameterError
from helpers.experiments.design import check_units, design_from_row, load_experiment, unit_counts

ROW = {"experiment_id": "E1", "name": "标题", "unit": "user", "primary_metric": "conversions", "control": "A",
       "variants": "A;B;C", "start": "2026-09-01", "end": "2026-09-28", "expected_split": "2;1;1",
       "guardrails": "clicks; revenue", "mde": 0.01, "hypothesis": "B wins"}


def test_design_parses_split_guardrails_and_length() -> None:
    design = design_from_row(pd.Series(ROW))
    assert design.variants == ("A", "B", "C") and design.treatments == ("B", "C")
    assert design.expected_split == {"A": 0.5, "B": 0.25, "C": 0.25}  # 2:1:1 normalised
    assert design.guardrails == ("clicks", "revenue")
    assert design.days == 28 and design.mde == 0.01


@pytest.mark.parametrize(("change", "message"), [
    ({"variants": "A"}, "at least two variants"),
    ({"control": "Z"}, "control 'Z' is not one of the variants"),
    ({"expected_split": "1;1"}, "2 weights for 3 variants"),
    ({"expected_split": "1;0;1"}, "must be positive"),
])
def test_bad_designs_are_explained(change: dict, message: str) -> None:
    with pytest.raises(DataError, match=message):
        design_from_row(pd.Series({**ROW, **change}))


def test_units_must_match_the_design() -> None:
    design = design_from_row(pd.Series(ROW))
    with pytest.raises(DataError, match=r"variant\(s\) \['D'\] are not declared"):
        check_units(design, pd.DataFrame({"variant": ["A", "D"]}))
    with pytest.raises(DataError, match="the control 'A' has no units"):
        check_units(design, pd.DataFrame({"variant": ["B", "C"]}))
    assert unit_counts(design, pd.DataFrame({"variant": ["A", "A", "B"]})) == {"A": 2, "B": 1, "C": 0}
    # rows 5 and 9 of the loaded file (index i = line i + 2): the refusal names the file and line 11
    with pytest.raises(DataError, match=r"^/d/experiment_units\.csv, column 'variant': .*line\(s\) 11;"):
        check_units(design, pd.DataFrame({"variant": ["A", "D"]}, index=[5, 9]), "/d/experiment_units.csv")


def test_load_sample_experiment(sample_dir: Path) -> None:
    design, units = load_experiment("EXP-TITLE-01", sample_dir)
    assert design.control == "A" and set(units["variant"]) == {"A", "B"}
    with pytest.raises(ParameterError, match="not in the experiments table"):
        load_experiment("NOPE", sample_dir)


def test_assignment_window_counts_units_outside_the_plan() -> None:
    from helpers.experiments.design import assignment_window

    design = design_from_row(pd.Series(ROW))  # planned 2026-09-01 .. 2026-09-28
    units = pd.DataFrame({"assigned_at": ["2026-08-31 23:00", "2026-09-01 00:00", "2026-09-28 23:59",
                                          "2026-09-29 00:00", None]})
    window = assignment_window(design, units, "assigned_at")
    # one the evening before the start, one just after the end; the run spans Aug 31 .. Sep 29 = 30 days
    assert window["outside_planned_dates"] == 2 and window["missing_time"] == 1 and window["days"] == 30
