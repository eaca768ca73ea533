"""The benchmark scripts still run (on a tiny input; their timings are measured by hand, not here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import config

pytestmark = pytest.mark.slow  # each runs a benchmark script on a small input (seconds to half a minute)


def results_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a benchmark run whose results go to tmp_path/results.json, never into the checkout."""
    return {**os.environ, "OPSBOOK_BENCH_RESULTS": str(tmp_path / "results.json"), **extra}


def recorded(tmp_path: Path, script: str) -> dict[str, dict]:
    """The rows the script recorded in tmp_path/results.json, by measure; each has a positive value, its
    script's name, and its ratio = value ÷ floor when it has a floor."""
    rows = {measure: row for measure, row in json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
            .items() if row["script"] == script}
    for row in rows.values():
        assert row["value"] > 0 and row["unit"] in ("s", "MiB")
        assert row["ratio"] == (pytest.approx(row["value"] / row["floor"]) if row["floor"] else None)
    return rows


def test_experiment_scale_benchmark_runs_on_a_small_input(tmp_path: Path) -> None:
    script = config.ROOT / "benchmarks" / "bench_experiment_scale.py"
    env = {**os.environ, "OPSBOOK_BENCH_RESULTS": str(tmp_path / "results.json")}
    result = subprocess.run([sys.executable, str(script), "--rows", "30000", "--repeat", "1", "--rows-path",
                             "--notebook", "--results", str(tmp_path)], capture_output=True, text=True, timeout=400,
                            env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "experiment_scale.json").read_text(encoding="utf-8"))
    assert report["rows"] == 30000 and len(report["decisions"]) == 2  # A/B/C: two treatments
    assert len(report["rows_path_seconds"]) == 1
    rows = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    time_row = rows["experiment, 10 M unit rows × 3 variants: time"]
    memory_row = rows["experiment, 10 M unit rows × 3 variants: peak memory"]
    assert time_row["unit"] == "s" and memory_row["unit"] == "MiB"
    assert time_row["value"] == report["seconds"][0] and memory_row["value"] == report["peak_mib"][0]
    assert time_row["floor"] == report["floor_seconds"][0] and memory_row["floor"] == report["floor_peak_mib"][0]
    assert time_row["ratio"] == pytest.approx(time_row["value"] / time_row["floor"])
    assert time_row["floor_name"] == "DuckDB per-variant sums from Parquet" and "30,000 rows" in time_row["note"]
    # --notebook: the whole notebook in a child, its time and runner + kernel peak, against the same floor
    notebook_time = rows["experiment notebook, 10 M unit rows × 3 variants: time"]
    notebook_memory = rows["experiment notebook, 10 M unit rows × 3 variants: peak memory"]
    assert notebook_time["value"] == report["notebook_seconds"][0] and notebook_time["floor"] == time_row["floor"]
    assert notebook_memory["value"] == pytest.approx(report["notebook_runner_mib"][0]
                                                     + report["notebook_kernel_mib"][0], abs=0.11)
    assert notebook_memory["floor"] == memory_row["floor"] and "kernel" in notebook_memory["note"]
    assert report["notebook_kernel_mib"][0] > 0 and report["notebook_decisions"] == report["decisions"]


def test_audience_scale_benchmark_runs_on_a_small_input(tmp_path: Path) -> None:
    script = config.ROOT / "benchmarks" / "bench_audience_scale.py"
    env = {**os.environ, "OPSBOOK_BENCH_RESULTS": str(tmp_path / "results.json"), "TMPDIR": str(tmp_path)}
    result = subprocess.run([sys.executable, str(script), "--events", "5000", "10000", "--results", str(tmp_path)],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "audience_scale.json").read_text(encoding="utf-8"))
    assert [r["events"] for r in report["runs"]] == [5000, 10000]
    assert set(report["runs"][0]["stages_s"]) >= {"bot_filter", "rfm", "clusters", "retention_churn"}
    peaks = report["runs"][0]["peak_mib_after_stage"]  # peak RSS so far after each stage: it never falls
    assert list(peaks) == list(report["runs"][0]["stages_s"]) and list(peaks.values()) == sorted(peaks.values())
    rows = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    row = rows["audience profile, 5,000 events: time"]
    assert row["unit"] == "s" and row["floor"] > 0 and row["floor_name"].startswith("DuckDB")
    assert rows["audience profile, 10,000 events: peak memory"]["unit"] == "MiB"
    assert not list(tmp_path.glob("opsbook-audience-*"))  # the generated data is deleted


def test_import_benchmark_records_its_three_rows(tmp_path: Path) -> None:
    script = config.ROOT / "benchmarks" / "bench_import.py"
    results = tmp_path / "results.json"
    result = subprocess.run([sys.executable, str(script), "--posts", "400", "--store-posts", "600", "--small", "30",
                             "--repeats", "2"], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "OPSBOOK_BENCH_RESULTS": str(results)})
    assert result.returncode == 0, result.stderr[-3000:]
    run = json.loads(result.stdout.strip().splitlines()[-1])
    # the big export (posts 0..399) and 200 more make a store of 600 posts; the small export is posts
    # 565..594 of it, so each small import updates 30 known posts and adds none
    assert run["stored_posts"] == run["stored_posts_after"] == 600
    assert run["small_counts"].startswith("0 added, 30 updated")
    rows = json.loads(results.read_text(encoding="utf-8"))
    for measure, unit in (("import of a 50 MB export (340 k rows): time", "s"),
                          ("import of a 50 MB export (340 k rows): peak memory", "MiB"),
                          ("import of a small export into a 350 k-post store", "s")):
        row = rows[measure]
        assert row["unit"] == unit and row["value"] > 0 and row["floor"] > 0 and row["script"] == "bench_import.py"
        assert row["ratio"] == pytest.approx(row["value"] / row["floor"])


def test_content_planning_benchmark_runs_once(tmp_path: Path) -> None:
    script = config.ROOT / "benchmarks" / "bench_content_planning.py"
    result = subprocess.run([sys.executable, str(script), "--repeats", "1"], capture_output=True, text=True,
                            timeout=300, env=results_env(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    run = json.loads(result.stdout.strip().splitlines()[-1])
    # one timing per slider position of the sweep (5); the default plan's slots: posts a week × 31/7 days
    # of December, rounded per platform: douyin 5 → 22, xiaohongshu 4 → 18, wechat 3 → 13, weibo 5 → 22
    assert run["steps"] == 5 and run["slots_default"] == 22 + 18 + 13 + 22
    [row] = recorded(tmp_path, "bench_content_planning.py").values()
    assert row["measure"] == "content-planning explorer: one slider step (median)"
    assert row["value"] == pytest.approx(run["widget_step_median_s"], abs=5e-5)  # the JSON rounds to 0.1 ms
    assert row["floor"] == pytest.approx(run["floor_month_grid_median_s"], abs=5e-5)


def test_pack_benchmark_runs_two_runs_in_each_mode(tmp_path: Path) -> None:
    script = config.ROOT / "benchmarks" / "bench_pack.py"
    result = subprocess.run([sys.executable, str(script), "--runs", "2", "--floor-repeat", "0", "--results",
                             str(tmp_path)], capture_output=True, text=True, timeout=900, env=results_env(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "pack_scale.json").read_text(encoding="utf-8"))
    assert report["mix"] == {"period_review": 1, "audience_profiling": 1}  # own_douyin's review and audience
    assert set(report["modes"]) == {"serial", "workers", "cluster"}
    assert all(mode["failed"] == 0 for mode in report["modes"].values())
    assert report["same_values"] is True  # (byte-identical but for the audience's DuckDB sums, see the script)
    # 500 accounts × 5 notebooks on 10 workers: 250 rounds of one run per worker; serial: s = wall / 2 runs
    serial_s = report["modes"]["serial"]["wall_s"] / 2
    hours = report["estimate_500x5_on_10"]["hours"]
    assert hours["serial (one run has the machine)"] == round(250 * serial_s / 3600, 2)
    rows = recorded(tmp_path, "bench_pack.py")
    assert set(rows) == {"pack of 2 runs, 2 worker processes ÷ serial",
                         "pack of 2 runs, Dask LocalCluster 2×1 ÷ serial"}
    for row, mode in zip(rows.values(), ("workers", "cluster"), strict=True):
        assert (row["value"], row["floor"]) == (report["modes"][mode]["wall_s"], report["modes"]["serial"]["wall_s"])


def test_precheck_benchmark_times_every_notebook_and_the_refusal(tmp_path: Path) -> None:
    script = config.ROOT / "benchmarks" / "bench_precheck.py"
    result = subprocess.run([sys.executable, str(script), "--repeats", "1"], capture_output=True, text=True,
                            timeout=300, env=results_env(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report["check_parameters_median_s"]) == set(config.NOTEBOOK_NAMES)
    assert report["bad_period_exit_code"] == 2  # refused before any kernel
    rows = recorded(tmp_path, "bench_precheck.py")
    assert rows["bad period refused before any kernel (new process, exit 2)"]["value"] == pytest.approx(
        report["bad_period_run_s"], abs=0.005)
    slowest = rows["slowest parameter check (module imported)"]
    assert slowest["value"] == max(report["check_parameters_median_s"].values())
    assert report["check_parameters_median_s"][slowest["note"]] == slowest["value"]


@pytest.mark.slow
def test_explorer_benchmark_times_every_control_of_the_calendar_explorer(tmp_path: Path) -> None:
    script = config.ROOT / "benchmarks" / "bench_explorers.py"
    result = subprocess.run([sys.executable, str(script), "--notebooks", "content_planning", "--repeats", "1"],
                            capture_output=True, text=True, timeout=600,
                            env=results_env(tmp_path, OPSBOOK_OUTPUTS=str(tmp_path), OPSBOOK_LANG="en"))
    assert result.returncode == 0, result.stderr[-3000:]
    [calendar] = json.loads(result.stdout.strip().splitlines()[-1])
    assert calendar["name"] == "calendar" and calendar["first"] > 0  # drawn when shown: the kernel is not headless
    # 3 shares + posts a week for the 4 platforms of the default plan; each moved one step and back: 2 answers
    assert list(calendar["controls"]) == ["daily share", "series share", "reserve share", "Douyin posts/week",
                                          "Xiaohongshu posts/week", "WeChat posts/week", "Weibo posts/week"]
    assert {t["n"] for t in calendar["controls"].values()} == {2}
    [row] = recorded(tmp_path, "bench_explorers.py").values()
    assert row["measure"] == "content_planning explorer: slowest control's answer (median)"
    assert row["value"] == max(t["median"] for t in calendar["controls"].values())
    assert row["floor"] == calendar["floor_median"]


def test_voc_benchmark_runs_on_a_small_input(tmp_path: Path) -> None:
    script = config.ROOT / "benchmarks" / "bench_voc.py"
    result = subprocess.run([sys.executable, str(script), "--comments", "60000", "--check", "--results",
                             str(tmp_path)], capture_output=True, text=True, timeout=600, env=results_env(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "voc_scale.json").read_text(encoding="utf-8"))
    assert report["comments"] == 60000  # the sample's 39,699 comments and 20,301 copies with new ids
    assert set(report["stages_s"]) == {
        "load", "scorer_load", "feedback_brand_and_cleaning", "feedback_scoring", "feedback_labels",
        "feedback_segmentation", "keywords", "themes", "questions", "early_warning", "reply_times"}
    assert set(report["floor_s"]) == {"segmenter", "rjieba"}
    assert report["total_s"] == round(sum(report["stages_s"].values()), 2)
    assert 0 < report["distinct_text_share"] < 1 and report["peak_rss_gb"] > 0
    assert report["feedback_same_as_analysis"] is True  # the timed steps give analysis.feedback's frame
    rows = recorded(tmp_path, "bench_voc.py")
    time_row = rows["voice of the customer, 60,000 comments: time"]
    assert (time_row["value"], time_row["floor"]) == (report["total_s"], report["floor_s"]["segmenter"])
    assert rows["voice of the customer, 60,000 comments: peak memory"]["value"] == report["peak_rss_gb"] * 1024


def test_account_plan_benchmark_runs_on_a_small_input(sample_dir: Path, tmp_path: Path) -> None:
    script = config.ROOT / "benchmarks" / "bench_account_plan.py"
    result = subprocess.run([sys.executable, str(script), "--accounts", "2"], capture_output=True, text=True,
                            timeout=300, env=results_env(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "2 accounts:" in result.stdout and "floor (bare daily least squares)" in result.stdout
    [row] = recorded(tmp_path, "bench_account_plan.py").values()
    assert row["measure"] == "account plan, 2 accounts: time" and f"2 accounts: {row['value']:.1f} s" in result.stdout


def test_kol_evaluation_benchmark_runs_on_a_small_input(sample_dir: Path, tmp_path: Path) -> None:
    script = config.ROOT / "benchmarks" / "bench_kol_evaluation.py"
    result = subprocess.run([sys.executable, str(script), "--kols", "40"], capture_output=True, text=True,
                            timeout=300, env=results_env(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "40 KOLs:" in result.stdout and "floor (read + one groupby)" in result.stdout
    [row] = recorded(tmp_path, "bench_kol_evaluation.py").values()
    assert row["measure"] == "KOL vetting, 40 KOLs: time" and f"{'total':<28} {row['value']:7.2f} s" in result.stdout
    assert f"{'floor (read + one groupby)':<28} {row['floor']:7.2f} s" in result.stdout


def test_attribution_benchmark_records_both_rows_on_a_small_input(tmp_path: Path) -> None:
    """2,000 journeys: the memory row (floor = the input frames) and the speed row (peer only when installed)."""
    script = config.ROOT / "benchmarks" / "bench_attribution.py"
    results = tmp_path / "results.json"
    result = subprocess.run([sys.executable, str(script), "--journeys", "2000", "--repeats", "1"],
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "OPSBOOK_BENCH_RESULTS": str(results)})
    assert result.returncode == 0, result.stderr[-3000:]
    stored = json.loads(results.read_text(encoding="utf-8"))
    memory = stored["journeys from 1 M-path touchpoints: memory"]
    try:
        import ChannelAttribution  # noqa: F401  (GPL: the benchmark's optional peer)
    except ImportError:  # no peer, no ratio: the aim reads "not run"
        assert "Markov + Shapley, 1 M journeys ÷ ChannelAttribution Markov" not in stored
        assert "ChannelAttribution is not installed" in result.stdout
    else:
        speed = stored["Markov + Shapley, 1 M journeys ÷ ChannelAttribution Markov"]
        assert speed["unit"] == "s" and speed["value"] > 0 and speed["note"].startswith("2,000 journeys")
        assert speed["floor"] > 0 and speed["floor_name"] == "ChannelAttribution markov_model"
        assert speed["ratio"] == speed["value"] / speed["floor"]
        assert "distinct paths" in speed["note"]
    assert memory["unit"] == "MiB" and memory["floor"] > 0 and memory["floor_name"] == "input frames' size"
    assert "2,000 journeys" in memory["note"] and "build_journeys on 2,000 journeys" in result.stdout


def test_period_review_benchmark_records_the_review_against_a_floor_of_its_own_imports(tmp_path: Path) -> None:
    sys.path.insert(0, str(config.ROOT / "benchmarks"))
    try:
        import bench_period_review
    finally:
        sys.path.remove(str(config.ROOT / "benchmarks"))
    floor = bench_period_review.review_imports()
    # the floor imports what the notebook imports, read from it: the import cell's modules, growth/reputation/views too
    assert floor.splitlines()[0] == "import pandas as pd"
    for module in ("session", "kpis", "charts", "growth", "reputation", "views"):
        assert f" {module}" in floor
    assert "setup_style" not in floor and "prepare" not in floor  # statements that do work are not imports
    results = tmp_path / "results.json"
    script = config.ROOT / "benchmarks" / "bench_period_review.py"
    run = subprocess.run([sys.executable, str(script), "--repeat", "1"], capture_output=True, text=True,
                         timeout=600, env={**os.environ, "OPSBOOK_BENCH_RESULTS": str(results)})
    assert run.returncode == 0, run.stderr[-3000:]
    row = json.loads(results.read_text(encoding="utf-8"))["period review ÷ papermill floor"]
    detail = json.loads((tmp_path / "results" / "period_review.json").read_text(encoding="utf-8"))
    assert row["unit"] == "s" and row["script"] == "bench_period_review.py"
    assert row["value"] == detail["review_s"][0] and row["floor"] == detail["floor_s"][0]
    assert row["ratio"] == pytest.approx(detail["review_s"][0] / detail["floor_s"][0])


def test_kol_steps_benchmark_records_the_sum_of_its_steps(tmp_path: Path) -> None:
    script = config.ROOT / "benchmarks" / "bench_kol_steps.py"
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                            env=results_env(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    steps = [line.split() for line in lines[2:]]  # title, header, then: step words…, seconds, floor_s, x_floor
    assert len(steps) == 8
    [row] = recorded(tmp_path, "bench_kol_steps.py").values()
    assert row["measure"] == "KOL steps on 500 KOLs × 60 posts: all steps"
    assert row["value"] == pytest.approx(sum(float(s[-3]) for s in steps))
    assert row["floor"] == pytest.approx(sum(float(s[-2]) for s in steps))


def test_audience_floor_in_two_group_bys_equals_the_distinct_day_count(tmp_path: Path) -> None:
    """The spillable floor ((user, day) groups, then users) gives the one-group-by floor's table.

    Small but odd events: a user on one day with several events, one over midnight, one with a
    missing time (no day counted, its event counted), purchases with a missing value and none at all.
    """
    import duckdb
    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(config.ROOT / "benchmarks"))
    try:
        import bench_audience_scale as bench
    finally:
        sys.path.remove(str(config.ROOT / "benchmarks"))
    t = pd.Timestamp
    frame = pd.DataFrame({
        "user_id": ["a", "a", "a", "b", "b", "c", "c", "d"],
        "occurred_at": [t("2026-10-01 09:00"), t("2026-10-01 22:00"), t("2026-10-03 08:00"), t("2026-10-01 23:59:59"),
                        t("2026-10-02 00:00:01"), None, t("2026-10-05 10:00"), t("2026-10-06 12:00")],
        "event": ["view", "purchase", "purchase", "like", "purchase", "view", "view", "purchase"],
        "value": [None, 10.5, 2.25, None, None, None, None, 7.0]})
    frame["occurred_at"] = frame["occurred_at"].astype("datetime64[us]")
    file = tmp_path / "events.parquet"
    frame.to_parquet(file, index=False)
    con = duckdb.connect()
    new = con.execute(bench.FLOOR_SQL, [str(file)]).df().sort_values("user_id", ignore_index=True)
    old = con.execute(bench.FLOOR_SQL_DISTINCT, [str(file)]).df().sort_values("user_id", ignore_index=True)
    # by hand: a 3 events on 2 days, bought 12.75; b 2 events over midnight = 2 days, one purchase without a value;
    # c 2 events, 1 known day, no purchase; d 1 event, 1 day, 7.0
    assert new["user_id"].tolist() == ["a", "b", "c", "d"]
    assert new["events"].tolist() == [3, 2, 2, 1] and new["days"].tolist() == [2, 2, 1, 1]
    assert new["purchase_value"].tolist()[0] == 12.75 and pd.isna(new["purchase_value"][1])
    assert pd.isna(new["purchase_value"][2]) and new["purchase_value"][3] == 7.0
    pd.testing.assert_frame_equal(new, old, check_dtype=False)
    # on random events, many users and days
    rng = np.random.default_rng(5)
    n = 20_000
    big = pd.DataFrame({"user_id": rng.integers(0, 700, n).astype(str),
                        "occurred_at": (t("2026-10-01") + pd.to_timedelta(rng.integers(0, 40 * 86400, n), unit="s")
                                        ).astype("datetime64[us]"),
                        "event": rng.choice(["view", "purchase"], n),
                        "value": rng.integers(0, 10_000, n) / 4})  # quarters: sums exact in any order
    big.to_parquet(file, index=False)
    new = con.execute(bench.FLOOR_SQL, [str(file)]).df().sort_values("user_id", ignore_index=True)
    old = con.execute(bench.FLOOR_SQL_DISTINCT, [str(file)]).df().sort_values("user_id", ignore_index=True)
    pd.testing.assert_frame_equal(new, old, check_dtype=False)


def test_audience_floor_retries_under_the_memory_aim_when_the_profiles_cap_is_too_small(tmp_path: Path) -> None:
    """At 100 M events the floor's group-by ran out of DuckDB's 1GB cap: it is measured again capped at 8GB, and its
    name says so; when the first try works, the floor is that one, under the profile's cap."""
    sys.path.insert(0, str(config.ROOT / "benchmarks"))
    try:
        import bench_audience_scale as bench
    finally:
        sys.path.remove(str(config.ROOT / "benchmarks"))
    calls: list[str | None] = []

    def out_of_memory_once(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
        calls.append(None if env is None else env["OPSBOOK_DUCKDB_MEMORY"])
        if env is None:
            raise SystemExit("floor failed with exit 1")
        return 12.5, 5000.0

    assert bench.measure_floor(tmp_path, out_of_memory_once) == (
        12.5, 5000.0, "DuckDB: one group-by per user over the Parquet (DuckDB capped at 8GB: it ran out of memory "
                      "under the profile's cap)")
    assert calls == [None, "8GB"]
    assert bench.measure_floor(tmp_path, lambda argv, env=None: (2.0, 800.0)) == (
        2.0, 800.0, "DuckDB: one group-by per user over the Parquet")
