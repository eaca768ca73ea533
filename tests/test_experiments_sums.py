"""The experiment evaluated from DuckDB sums of a Parquet file equals the evaluation from its rows.

The reference is the rows path kept in the package (`design.load_experiment` + `evaluate.evaluate`,
pandas on every unit), plus scipy on the raw rows for CUPED and the ratio's delta method written
out by hand, so the sums path is checked against two independent computations.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from helpers.errors import DataError, ParameterError
from helpers.experiments.design import load_experiment
from helpers.experiments.evaluate import Evaluation, Settings, evaluate
from helpers.experiments.metrics import parse_metrics
from helpers.experiments.session import ExperimentRun, prepare
from helpers.experiments.sums import evaluate_experiment, parquet_sums

METRICS = parse_metrics({"conversions": "binary:conversions", "clicks": "ratio:clicks/exposures",
                         "revenue": "mean:revenue"})
SETTINGS = Settings(primary=("conversions",), guardrails=("revenue",), covariate="pre_revenue",
                    mde={"conversions": 0.01})


def _units(n: int = 20_000, seed: int = 3) -> pd.DataFrame:
    """Three variants, a real lift in B, a covariate correlated with revenue, a ratio, a segment with gaps."""
    rng = np.random.default_rng(seed)
    variant = rng.choice(np.array(["A", "B", "C"]), n, p=[0.34, 0.33, 0.33])
    conversions = (rng.random(n) < np.where(variant == "B", 0.06, 0.05)).astype(np.int8)
    exposures = (1 + rng.poisson(2.0, n)).astype(np.int16)
    clicks = rng.binomial(exposures, np.where(variant == "C", 0.13, 0.12)).astype(np.int16)
    pre = np.round(rng.gamma(0.5, 40.0, n), 2)
    revenue = np.round(conversions * rng.gamma(3.0, 25.0, n) + 0.4 * pre + rng.normal(0, 5, n), 2)
    device = rng.choice(np.array(["ios", "android"], dtype=object), n)
    device[rng.choice(n, 25, replace=False)] = None  # a segment with missing values: not a metric, so allowed
    return pd.DataFrame({"experiment_id": "EXP-S", "unit_id": [f"u{i:06d}" for i in range(n)], "variant": variant,
                         "exposures": exposures, "clicks": clicks, "conversions": conversions, "revenue": revenue,
                         "pre_revenue": pre, "device": device})


def _folder(tmp_path: Path, units: pd.DataFrame, variants: str = "A;B;C", csv: bool = False) -> Path:
    folder = tmp_path / "data"
    folder.mkdir(parents=True, exist_ok=True)
    if csv:
        units.to_csv(folder / "experiment_units.csv", index=False)
    else:
        units.to_parquet(folder / "experiment_units.parquet", index=False)
    pd.DataFrame([{"experiment_id": "EXP-S", "name": "sums", "unit": "user", "primary_metric": "conversions",
                   "control": "A", "variants": variants, "start": "2026-10-01", "end": "2026-10-28",
                   "expected_split": ";".join("1" for _ in variants.split(";")), "guardrails": "revenue",
                   "mde": 0.01}]).to_csv(folder / "experiments.csv", index=False)
    return folder


def _rows_path(folder: Path, settings: Settings = SETTINGS) -> Evaluation:
    design, units = load_experiment("EXP-S", folder)
    return evaluate(design, units, METRICS, settings)


def _assert_same(new: Evaluation, old: Evaluation) -> None:
    """Every figure equal to 1e-9 (relative), every label and verdict equal."""
    assert list(new.results.columns) == list(old.results.columns) and len(new.results) == len(old.results)
    for column in new.results.columns:
        a, b = new.results[column], old.results[column]
        if pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(b):
            np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-9, atol=1e-13, err_msg=column)
        else:
            assert a.tolist() == b.tolist(), column
    assert new.srm.passed == old.srm.passed and new.srm.p_value == pytest.approx(old.srm.p_value, rel=1e-9)
    assert new.decisions[["metric", "variant", "verdict", "reason"]].equals(
        old.decisions[["metric", "variant", "verdict", "reason"]])
    np.testing.assert_allclose(new.decisions["units_needed"].to_numpy(float),
                               old.decisions["units_needed"].to_numpy(float), rtol=1e-9)
    assert new.cuped[["metric", "covariate"]].equals(old.cuped[["metric", "covariate"]])
    np.testing.assert_allclose(new.cuped[["theta", "variance_reduction"]].to_numpy(float),
                               old.cuped[["theta", "variance_reduction"]].to_numpy(float), rtol=1e-9)


def test_sums_path_equals_the_rows_path_and_scipy(tmp_path: Path) -> None:
    units = _units()
    folder = _folder(tmp_path, units)
    design = load_experiment("EXP-S", folder)[0]
    assert parquet_sums(folder / "experiment_units.parquet", design, METRICS, "pre_revenue") is not None
    _design, new = evaluate_experiment("EXP-S", METRICS, SETTINGS, folder)
    _assert_same(new, _rows_path(folder))
    # CUPED by hand on the raw rows: θ = OLS slope of revenue on pre_revenue, Welch's t on y − θ(x − x̄)
    y, x = units["revenue"].to_numpy(float), units["pre_revenue"].to_numpy(float)
    theta = sps.linregress(x, y).slope
    adjusted = y - theta * (x - x.mean())
    assert new.cuped.loc[0, "theta"] == pytest.approx(theta, rel=1e-9)
    row = new.results.set_index(["metric", "variant"]).loc[("revenue", "B")]
    welch = sps.ttest_ind(adjusted[units["variant"] == "B"], adjusted[units["variant"] == "A"], equal_var=False)
    assert row["p_value"] == pytest.approx(welch.pvalue, rel=1e-9)
    assert row["abs_diff"] == pytest.approx(adjusted[units["variant"] == "B"].mean()
                                            - adjusted[units["variant"] == "A"].mean(), rel=1e-9)
    # the ratio's delta method by hand: Var(R) = (Var(x) − 2R·Cov(x, y) + R²·Var(y)) / (n·ȳ²)
    def ratio_and_var(v: str) -> tuple[float, float]:
        part = units[units["variant"] == v]
        cx, ey = part["clicks"].to_numpy(float), part["exposures"].to_numpy(float)
        r = cx.sum() / ey.sum()
        cov = np.cov(cx, ey, ddof=1)
        return r, (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / (len(part) * ey.mean() ** 2)
    (rc, vc), (rv, vv) = ratio_and_var("A"), ratio_and_var("C")
    clicks = new.results.set_index(["metric", "variant"]).loc[("clicks", "C")]
    assert clicks["abs_diff"] == pytest.approx(rv - rc, rel=1e-9)
    assert clicks["p_value"] == pytest.approx(2 * sps.norm.sf(abs(rv - rc) / np.sqrt(vc + vv)), rel=1e-6)


def test_integer_ids_bool_metric_and_other_experiments(tmp_path: Path) -> None:
    """Integer unit ids, a bool metric column and another experiment's rows in the file: the same figures."""
    units = _units(3_000, seed=5).assign(unit_id=np.arange(3_000, dtype=np.int64))
    units["conversions"] = units["conversions"].astype(bool)
    other = _units(500, seed=6).assign(experiment_id="EXP-OTHER", unit_id=np.arange(500, dtype=np.int64),
                                       revenue=np.nan)  # its gaps are not this experiment's problem
    folder = _folder(tmp_path, pd.concat([units, other], ignore_index=True))
    design = load_experiment("EXP-S", folder)[0]
    assert parquet_sums(folder / "experiment_units.parquet", design, METRICS, "pre_revenue") is not None
    _assert_same(evaluate_experiment("EXP-S", METRICS, SETTINGS, folder)[1], _rows_path(folder))


def test_a_declared_variant_without_units_and_no_covariate(tmp_path: Path) -> None:
    """One treatment only has units (D declared, none assigned): 'cannot test' and the SRM failure alike."""
    folder = _folder(tmp_path, _units(2_000, seed=8).query("variant != 'C'"), variants="A;B;D")
    folder_units = pd.read_parquet(folder / "experiment_units.parquet")
    assert set(folder_units["variant"]) == {"A", "B"}
    settings = Settings(primary=("conversions",), guardrails=("revenue",))
    new = evaluate_experiment("EXP-S", METRICS, settings, folder)[1]
    _assert_same(new, _rows_path(folder, settings))
    assert new.cuped.empty and not new.srm.passed
    assert (new.results.loc[new.results["variant"] == "D", "test"] == "cannot test: a variant has no units").all()


def test_csv_units_take_the_rows_path(tmp_path: Path) -> None:
    folder = _folder(tmp_path, _units(2_000), csv=True)
    _assert_same(evaluate_experiment("EXP-S", METRICS, SETTINGS, folder)[1], _rows_path(folder))


def _refusal(call: object) -> str:
    with pytest.raises((DataError, ParameterError)) as caught:
        call()  # type: ignore[operator]
    return str(caught.value)


@pytest.mark.parametrize("defect", ["missing_metric", "duplicate_id", "blank_id", "padded_id", "undeclared",
                                    "not_binary", "negative_denominator", "constant_covariate", "no_units",
                                    "text_metric", "missing_covariate_column"])
def test_bad_units_get_the_rows_paths_message(tmp_path: Path, defect: str) -> None:
    """Whatever the sums path finds off, the run refuses with the rows path's message (file, column, lines)."""
    units = _units(1_000, seed=11)
    settings = SETTINGS
    if defect == "missing_metric":
        units.loc[[7, 400], "revenue"] = np.nan
    elif defect == "duplicate_id":
        units.loc[9, "unit_id"] = units.loc[3, "unit_id"]
    elif defect == "blank_id":
        units.loc[5, "unit_id"] = " "
    elif defect == "padded_id":  # " u000003" is u000003 once trimmed: a repeated key
        units.loc[9, "unit_id"] = " " + units.loc[3, "unit_id"]
    elif defect == "undeclared":
        units.loc[[2, 30], "variant"] = "Z"
    elif defect == "not_binary":
        units["conversions"] = units["conversions"].astype(float)
        units.loc[12, "conversions"] = 2.0
    elif defect == "negative_denominator":
        units.loc[4, "exposures"] = -1
    elif defect == "constant_covariate":
        units["pre_revenue"] = 5.0
    elif defect == "no_units":
        units = units.assign(experiment_id="EXP-ELSE")
    elif defect == "text_metric":
        units["revenue"] = units["revenue"].astype(str)
        units.loc[6, "revenue"] = "n/a"
    elif defect == "missing_covariate_column":
        settings = Settings(primary=("conversions",), covariate="pre_spend")
    folder = _folder(tmp_path, units)
    expected = _refusal(lambda: _rows_path(folder, settings))
    assert _refusal(lambda: evaluate_experiment("EXP-S", METRICS, settings, folder)) == expected


@pytest.mark.parametrize("method", ["holm", "bh", "bonferroni", "none"])
def test_adjusted_pvalues_equal_statsmodels(method: str) -> None:
    """The numpy adjustment gives statsmodels' figures: ties, a p of 1, NaN left out, families of 1–40."""
    from statsmodels.stats.multitest import multipletests

    from helpers.experiments.corrections import METHODS, adjust_pvalues

    rng = np.random.default_rng(1)
    families = [np.array([0.2]), np.array([0.01, 0.01, 0.04, 1.0]), np.array([0.03, np.nan, 0.002, 0.5]),
                *(rng.random(m) ** 3 for m in (2, 7, 40))]
    for p in families:
        got = adjust_pvalues(p, method)
        ok = ~np.isnan(p)
        expected = p.copy()
        if METHODS[method] is not None and ok.sum() > 1:
            expected[ok] = multipletests(p[ok], method=METHODS[method])[1]
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
        assert np.isnan(got[~ok]).all()


# --- the notebook's sections through session.prepare: a Parquet file's sums vs the same data as CSV (rows) ---

NOTEBOOK_METRICS = {"conversions": "binary:conversions", "clicks": "ratio:clicks/exposures", "revenue": "mean:revenue"}


def _sectioned_units(n: int = 20_000, seed: int = 21) -> pd.DataFrame:
    """_units plus the notebook's columns: segments with gaps (text, a 0/1 flag, a number) and assigned_at."""
    rng = np.random.default_rng(seed)
    units = _units(n, seed)
    platform = rng.choice(np.array(["douyin", "xhs", "weibo"], dtype=object), n)
    platform[rng.choice(n, 40, replace=False)] = None
    is_new = rng.integers(0, 2, n).astype(float)
    is_new[rng.choice(n, 30, replace=False)] = np.nan  # a 0/1 column with gaps: yes / no / missing segments
    tier = rng.integers(1, 4, n)  # a numeric segment: 1, 2, 3
    seconds = rng.integers(0, 27 * 86_400, n)  # 27 days from 2026-10-01, a few units on days no arm has
    assigned = pd.Timestamp("2026-10-01") + pd.to_timedelta(seconds, unit="s")
    late = rng.choice(n, 12, replace=False)  # assigned after the planned end
    assigned = pd.Series(assigned).where(~np.isin(np.arange(n), late), pd.Timestamp("2026-11-03 10:00"))
    return units.assign(platform=platform, is_new=is_new, tier=tier, assigned_at=assigned.to_numpy())


def _prepared_run(folder: Path, primary: str, covariate: str = "pre_revenue") -> ExperimentRun:
    return prepare(experiment_id="EXP-S", data_dir=str(folder), aggregates_file="", metrics=NOTEBOOK_METRICS,
                   primary=[primary], guardrails=["revenue"] if primary != "revenue" else [], mde="",
                   lower_is_better=[], alpha=0.05, power=0.8, correction="holm", covariate=covariate,
                   segments=["platform", "device", "is_new", "tier"], time_column="assigned_at", plan_std=0.0,
                   plan_baseline=0.04, plan_mde=0.15, plan_relative=True, plan_variants=3, plan_daily_units=3000,
                   lang="en")


def _assert_frames_close(new: pd.DataFrame, old: pd.DataFrame) -> None:
    """Same columns, labels and order; every number equal to 1e-9 (relative)."""
    assert list(new.columns) == list(old.columns) and len(new) == len(old)
    for column in old.columns:
        a, b = new[column], old[column]
        if pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(b):
            np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-9, atol=1e-12, err_msg=column)
        else:
            assert a.tolist() == b.tolist(), column


@pytest.mark.parametrize("primary", ["conversions", "clicks", "revenue"])
def test_notebook_sections_from_parquet_sums_equal_the_csv_rows(tmp_path: Path, primary: str) -> None:
    """prepare() on a Parquet file reads no rows yet gives the CSV run's evaluation, segments, running chart, window."""
    units = _sectioned_units()
    parquet = _prepared_run(_folder(tmp_path / "p", units), primary)
    csv = _prepared_run(_folder(tmp_path / "c", units, csv=True), primary)
    assert parquet.unit_file is not None and parquet.units is None  # the sums path
    assert csv.unit_file is None and csv.units is not None  # the rows path
    _assert_same(parquet.evaluate(), csv.evaluate())
    new_segments, old_segments = parquet.segment_breakdown(), csv.segment_breakdown()
    assert set(old_segments["value"]) >= {"nan", "<NA>", "True", "False", "1.0", "2.0", "3.0", "douyin", "ios"}
    _assert_frames_close(new_segments, old_segments)
    new_running, old_running = parquet.running_differences(), csv.running_differences()
    assert [r.variant for r in new_running] == [r.variant for r in old_running] == ["B", "C"]
    for new, old in zip(new_running, old_running, strict=True):
        assert (new.metric, new.control, new.name) == (old.metric, old.control, old.name)
        _assert_frames_close(new.table, old.table)
        assert new.table["date"].dtype == old.table["date"].dtype
    assert parquet.assignment_window() == csv.assignment_window()
    assert csv.assignment_window()["outside_planned_dates"] == 12  # type: ignore[index]
    assert "rows" not in parquet.__dict__  # no section needed the rows


def test_running_difference_from_sums_by_hand(tmp_path: Path) -> None:
    """The last day's cumulative difference of the binary primary is the plain difference of conversion rates."""
    units = _sectioned_units(4_000, seed=4)
    run = _prepared_run(_folder(tmp_path, units), "conversions")
    last = run.running_differences()[0].table.iloc[-1]
    a, b = (units.loc[units["variant"] == v, "conversions"].to_numpy(float) for v in ("A", "B"))
    assert (last["n_c"], last["n_v"]) == (len(a), len(b))
    assert last["diff"] == pytest.approx(b.mean() - a.mean(), rel=1e-12)
    assert last["se"] == pytest.approx(np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)), rel=1e-9)
    assert last["date"] == pd.Timestamp("2026-11-03")


def test_sections_the_sums_cannot_serve_read_the_rows(tmp_path: Path) -> None:
    """Times stored as text and a segment of timestamps: those sections read the rows, with the same figures."""
    units = _sectioned_units(3_000, seed=9)
    units["assigned_at"] = pd.Series(units["assigned_at"]).dt.strftime("%Y-%m-%dT%H:%M:%S+08:00")
    parquet = _prepared_run(_folder(tmp_path / "p", units), "conversions")
    csv = _prepared_run(_folder(tmp_path / "c", units, csv=True), "conversions")
    assert parquet.unit_file is not None
    for new, old in zip(parquet.running_differences(), csv.running_differences(), strict=True):
        _assert_frames_close(new.table, old.table)
    assert parquet.assignment_window() == csv.assignment_window()
    assert "rows" in parquet.__dict__
    _assert_frames_close(parquet.segment_breakdown(), csv.segment_breakdown())


def test_a_missing_time_gets_the_rows_paths_message(tmp_path: Path) -> None:
    units = _sectioned_units(2_000, seed=13)
    units.loc[[5, 700], "assigned_at"] = pd.NaT
    parquet = _prepared_run(_folder(tmp_path / "p", units), "conversions")
    csv = _prepared_run(_folder(tmp_path / "c", units, csv=True), "conversions")
    assert parquet.assignment_window() == csv.assignment_window()
    assert _refusal(parquet.running_differences) == _refusal(csv.running_differences)
    assert "line(s) [7, 702]" in _refusal(csv.running_differences)


def test_messages_give_the_files_lines_when_other_experiments_come_first(tmp_path: Path) -> None:
    """Rows of another experiment first: a metric's and CUPED's messages count the file's lines (header = 1)."""
    other = _units(50, seed=2).assign(experiment_id="EXP-OTHER", unit_id=[f"o{i}" for i in range(50)])
    mine = _units(200, seed=3)
    mine.loc[[4, 9], "pre_revenue"] = np.nan  # file rows 54 and 59: lines 56 and 61
    folder = _folder(tmp_path, pd.concat([other, mine], ignore_index=True), csv=True)
    cuped = _refusal(lambda: _rows_path(folder))
    assert "CUPED: the pre-period covariate x has 2 missing or non-numeric value(s) (first at line(s) [56, 61])" \
        in cuped
    mine.loc[7, "conversions"] = 2  # file row 57: line 59
    folder = _folder(tmp_path, pd.concat([other, mine], ignore_index=True), csv=True)
    binary = _refusal(lambda: _rows_path(folder, Settings(primary=("conversions",))))
    assert "column 'conversions': a binary metric takes 0 or 1 per unit; found 2 (first at line 59)" in binary
    mine.loc[7, "conversions"] = 0
    mine["revenue"] = mine["revenue"].astype(object)
    mine.loc[3, "revenue"] = "n/a"  # file row 53: line 55
    folder = _folder(tmp_path, pd.concat([other, mine], ignore_index=True), csv=True)
    text = _refusal(lambda: _rows_path(folder, Settings(primary=("revenue",))))
    assert "column 'revenue'" in text and "first at line(s) [55]" in text


@pytest.mark.parametrize("segment", ["platform", "is_new", "(none)"])
def test_explorer_from_parquet_sums_equals_its_rows(tmp_path: Path, segment: str) -> None:
    """The explorer's view of a Parquet file (sums) is the one it drew from the rows: evaluation and segments."""
    from helpers.experiments.design import find_design
    from helpers.experiments.explore import explore_loaded, explore_sums
    from helpers.experiments.sums import open_units

    folder = _folder(tmp_path, _sectioned_units(5_000, seed=17))
    design, units = load_experiment("EXP-S", folder)
    metrics = parse_metrics(NOTEBOOK_METRICS)
    unit_file = open_units(folder / "experiment_units.parquet", find_design(
        pd.read_csv(folder / "experiments.csv"), "EXP-S"), metrics, None)
    assert unit_file is not None
    for metric in metrics:
        new = explore_sums(unit_file, metric, segment, 0.05, "bh")
        old = explore_loaded(design, units, metric, segment, 0.05, "bh")
        assert new is not None
        _assert_same(new.evaluation, old.evaluation)
        assert new.segments.empty == (segment == "(none)")
        if segment != "(none)":
            _assert_frames_close(new.segments, old.segments)


def test_a_zoned_assignment_time_is_read_in_the_default_zone(tmp_path: Path) -> None:
    """assigned_at with a UTC offset (TIMESTAMPTZ): days and window in Asia/Shanghai, as the rows path reads it."""
    units = _sectioned_units(4_000, seed=23)
    units["assigned_at"] = pd.DatetimeIndex(units["assigned_at"]).tz_localize("UTC")  # CSV: "...+00:00"
    parquet = _prepared_run(_folder(tmp_path / "p", units), "revenue")
    csv = _prepared_run(_folder(tmp_path / "c", units, csv=True), "revenue")
    assert parquet.unit_file is not None and parquet.unit_file.types["assigned_at"] == "TIMESTAMP WITH TIME ZONE"
    window = parquet.assignment_window()
    assert window == csv.assignment_window()
    first_utc = pd.DatetimeIndex(units["assigned_at"]).min()
    assert window["first"] == first_utc.tz_convert("Asia/Shanghai").tz_localize(None)  # type: ignore[index]
    for new, old in zip(parquet.running_differences(), csv.running_differences(), strict=True):
        _assert_frames_close(new.table, old.table)
    assert "rows" not in parquet.__dict__
