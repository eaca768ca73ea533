"""Benchmark: evaluate an experiment with 10 million unit rows and 3 variants read from Parquet.

Measures wall time and peak memory (resident set) of the whole analysis in a child process: loading
and checking the Parquet file, SRM, every metric × variant (binary, mean with CUPED, ratio),
corrections, Bayes and decisions (`experiments.sums.evaluate_experiment`). Its floor, measured the
same way in the same run, is a child process that only has DuckDB compute the per-variant sufficient
statistics (count, sums, sums of squares, the ratio's and CUPED's cross-products) straight from the
Parquet file: the least any evaluation must read and add. Medians of --repeat runs are recorded
(benchmarks/record.py) as the issue's two rows, time and peak memory, each with its floor.

With --notebook the data also has the notebook's segment columns (platform, device, is_new) and a
TIMESTAMP assigned_at, and a third child runs the whole experiment_evaluation notebook on it through
`helpers.runner.run_notebook` (papermill, its kernel, the report): two extra rows, time and peak
memory, with the same floor. The kernel is the child's child: the child reads its own peak
(VmHWM) and, once the kernel has exited and been waited for, the kernel's (RUSAGE_CHILDREN: the
largest descendant's peak, which Linux starts from the runner's size when it forks the kernel); the
row records their sum, an upper bound of what runner and kernel held at once, and the note gives both.

    .venv/bin/python benchmarks/bench_experiment_scale.py [--rows 10000000] [--repeat 3] [--rows-path] [--notebook]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from record import Row, machine, measure_command, peak_rss_mib, record

from helpers import config

METRICS = {"conversions": "binary:conversions", "clicks": "ratio:clicks/exposures", "revenue": "mean:revenue"}


def write_data(folder: Path, rows: int, seed: int = 7, notebook: bool = False) -> None:
    """A synthetic experiment (A/B/C, 0.040 / 0.041 / 0.040 conversion) as Parquet, plus its design.

    ``notebook`` adds the notebook's default segment columns and assignment time (28 days).
    """
    rng = np.random.default_rng(seed)
    variant = rng.choice(np.array(["A", "B", "C"]), rows)
    rate = np.where(variant == "B", 0.041, 0.040)
    conversions = (rng.random(rows) < rate).astype(np.int8)
    exposures = (1 + rng.poisson(1.5, rows)).astype(np.int16)
    clicks = np.minimum(rng.binomial(exposures, 0.12), exposures).astype(np.int16)
    pre = np.round(rng.gamma(0.3, 100.0, rows), 2)
    revenue = np.round(conversions * rng.gamma(4.0, 30.0, rows) + 0.1 * pre * conversions, 2)
    units = pd.DataFrame({"experiment_id": "EXP-SCALE", "unit_id": np.arange(rows).astype(str), "variant": variant,
                          "exposures": exposures, "clicks": clicks, "conversions": conversions,
                          "revenue": revenue, "pre_revenue": pre})
    if notebook:
        units["platform"] = np.array(["douyin", "xhs", "weibo"])[rng.integers(0, 3, rows)]
        units["device"] = np.array(["ios", "android"])[rng.integers(0, 2, rows)]
        units["is_new"] = rng.integers(0, 2, rows).astype(np.int8)
        units["assigned_at"] = (np.datetime64("2026-10-01T00:00:00", "us")
                                + rng.integers(0, 28 * 86_400, rows).astype("timedelta64[s]"))
    units.to_parquet(folder / "experiment_units.parquet", index=False)
    pd.DataFrame([{"experiment_id": "EXP-SCALE", "name": "scale test", "unit": "user",
                   "primary_metric": "conversions", "control": "A", "variants": "A;B;C",
                   "start": "2026-10-01", "end": "2026-10-28", "expected_split": "1;1;1",
                   "guardrails": "revenue", "mde": 0.002}]).to_csv(folder / "experiments.csv", index=False)


FLOOR_SQL = """SELECT variant, count(*), sum(conversions), sum(clicks), sum(clicks * clicks), sum(exposures),
       sum(exposures * exposures), sum(clicks * exposures), sum(revenue), sum(revenue * revenue), sum(pre_revenue),
       sum(pre_revenue * pre_revenue), sum(revenue * pre_revenue)
FROM read_parquet(?) GROUP BY variant"""
TIME, MEMORY = "experiment, 10 M unit rows × 3 variants: time", "experiment, 10 M unit rows × 3 variants: peak memory"
NB_TIME = "experiment notebook, 10 M unit rows × 3 variants: time"
NB_MEMORY = "experiment notebook, 10 M unit rows × 3 variants: peak memory"


def floor(folder: Path) -> None:
    """The floor: DuckDB's per-variant sufficient statistics straight from the Parquet file, nothing else."""
    import duckdb

    duckdb.connect().execute(FLOOR_SQL, [str(folder / "experiment_units.parquet")]).fetchall()


def evaluate_folder(folder: Path, out: Path, rows_path: bool = False) -> None:
    """The measured analysis: the experiment loaded, checked and evaluated (from sums, or from rows)."""
    from helpers.experiments.evaluate import Settings, evaluate
    from helpers.experiments.metrics import parse_metrics
    from helpers.experiments.sums import evaluate_experiment

    settings = Settings(primary=("conversions",), guardrails=("revenue",), covariate="pre_revenue",
                        mde={"conversions": 0.002})
    metrics = parse_metrics(METRICS)
    if rows_path:
        from helpers.experiments.design import load_experiment

        design, units = load_experiment("EXP-SCALE", folder)
        evaluation = evaluate(design, units, metrics, settings)
    else:
        _design, evaluation = evaluate_experiment("EXP-SCALE", metrics, settings, folder)
    out.write_text(json.dumps({"decisions": evaluation.decisions["verdict"].tolist()}), encoding="utf-8")


def run_notebook_in_child(folder: Path, out: Path) -> None:
    """The whole experiment_evaluation notebook on the folder (runner + papermill + kernel + report).

    Writes the run's verdicts, this process's peak and its reaped kernel's peak (MiB) to ``out``.
    """
    import resource

    from helpers.runner import run_notebook

    result = run_notebook("experiment_evaluation", data_dir=folder, out_root=folder / "outputs", progress=False,
                          lang="en", parameters={"experiment_id": "EXP-SCALE"})
    verdicts = [d["verdict"] for d in result.summary.get("decision", [])]
    out.write_text(json.dumps({
        "decisions": verdicts, "runner_mib": peak_rss_mib(),
        "kernel_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each child; medians are recorded")
    parser.add_argument("--rows-path", action="store_true", help="also time the rows path (pandas), for a note")
    parser.add_argument("--notebook", action="store_true",
                        help="also run the whole experiment notebook on the file (two extra rows)")
    parser.add_argument("--write-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--notebook-only", type=Path, nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--floor-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--evaluate-only", type=Path, nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--old", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, default=config.ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    if args.write_only:
        write_data(args.write_only, args.rows, notebook=args.notebook)
        return
    if args.notebook_only:
        run_notebook_in_child(*args.notebook_only)
        return
    if args.floor_only:
        floor(args.floor_only)
        return
    if args.evaluate_only:
        evaluate_folder(*args.evaluate_only, rows_path=args.old)
        return
    folder = Path(tempfile.mkdtemp(prefix="opsbook-scale-"))
    try:
        # the data is made in a child process; each measured figure is a child's own (wall s, peak MiB)
        subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--write-only", str(folder),
                        *(["--notebook"] if args.notebook else [])], check=True)
        size_mb = (folder / "experiment_units.parquet").stat().st_size / 1e6
        out = folder / "evaluation.json"
        runs, floors, old, notebook, kernels = [], [], [], [], []
        notebook_out = folder / "notebook.json"
        for _ in range(args.repeat):  # interleaved, so both see the same load on a busy machine
            floors.append(measure_command([sys.executable, __file__, "--floor-only", str(folder)]))
            runs.append(measure_command([sys.executable, __file__, "--evaluate-only", str(folder), str(out)]))
            if args.rows_path:
                old.append(measure_command([sys.executable, __file__, "--evaluate-only", str(folder), str(out),
                                            "--old"]))
            if args.notebook:
                seconds_nb, _own = measure_command([sys.executable, __file__, "--notebook-only", str(folder),
                                                    str(notebook_out)])
                child = json.loads(notebook_out.read_text(encoding="utf-8"))
                notebook.append((seconds_nb, child["runner_mib"] + child["kernel_mib"]))
                kernels.append((child["runner_mib"], child["kernel_mib"], child["decisions"]))
        decisions = json.loads(out.read_text(encoding="utf-8"))["decisions"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    seconds, peak = (statistics.median(r[i] for r in runs) for i in (0, 1))
    floor_s, floor_mib = (statistics.median(r[i] for r in floors) for i in (0, 1))
    note = f"{args.rows:,} rows ({size_mb:.0f} MB Parquet), median of {args.repeat}"
    if old:
        note += (f"; rows path (pandas) {statistics.median(r[0] for r in old):.2f} s, "
                 f"{statistics.median(r[1] for r in old):,.0f} MiB")
    floor_name = "DuckDB per-variant sums from Parquet"
    rows = [Row(TIME, round(seconds, 3), "s", round(floor_s, 3), floor_name, note),
            Row(MEMORY, round(peak, 1), "MiB", round(floor_mib, 1), floor_name, note)]
    if notebook:
        nb_s, nb_mib = (statistics.median(r[i] for r in notebook) for i in (0, 1))
        nb_note = (f"{note}; whole notebook via runner.run_notebook (papermill, kernel, report); memory = runner "
                   f"{statistics.median(k[0] for k in kernels):,.0f} MiB + kernel "
                   f"{statistics.median(k[1] for k in kernels):,.0f} MiB (peaks summed)")
        rows += [Row(NB_TIME, round(nb_s, 3), "s", round(floor_s, 3), floor_name, nb_note),
                 Row(NB_MEMORY, round(nb_mib, 1), "MiB", round(floor_mib, 1), floor_name, nb_note)]
    record("bench_experiment_scale.py", *rows)
    result = {"machine": machine(), "rows": args.rows, "parquet_mb": round(size_mb, 1), "repeat": args.repeat,
              "seconds": [round(r[0], 3) for r in runs], "peak_mib": [round(r[1], 1) for r in runs],
              "floor_seconds": [round(r[0], 3) for r in floors], "floor_peak_mib": [round(r[1], 1) for r in floors],
              "rows_path_seconds": [round(r[0], 3) for r in old], "rows_path_peak_mib": [round(r[1], 1) for r in old],
              "decisions": decisions, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
              "notebook_seconds": [round(r[0], 3) for r in notebook],
              "notebook_peak_mib": [round(r[1], 1) for r in notebook],
              "notebook_runner_mib": [round(k[0], 1) for k in kernels],
              "notebook_kernel_mib": [round(k[1], 1) for k in kernels],
              "notebook_decisions": kernels[0][2] if kernels else []}
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "experiment_scale.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))
    print(f"{args.rows:,} rows: {seconds:.2f} s (floor {floor_s:.2f} s, {seconds / floor_s:.1f}×), peak "
          f"{peak:,.0f} MiB (floor {floor_mib:,.0f} MiB); aims ≤ 4 s, ≤ 1,536 MiB")
    if notebook:
        print(f"notebook: {result['notebook_seconds']} s, peak {result['notebook_peak_mib']} MiB "
              f"(runner {result['notebook_runner_mib']} + kernel {result['notebook_kernel_mib']})")


if __name__ == "__main__":
    main()
