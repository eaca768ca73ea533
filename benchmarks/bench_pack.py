"""Benchmark: N account-notebook runs serially, on 2 worker processes and on a 2-worker Dask LocalCluster.

The same N runs (default 20) go through `helpers.fanout.run_tasks` three times, each mode into its
own temporary outputs root, in one session so all three see the same machine: serial, `workers=2`
(a spawn process pool) and a `LocalCluster(n_workers=2, threads_per_worker=1)`. The mix is what
an agency's month looks like on the sample: a review and an audience profile per own account
(account=<id>), a competitor analysis for the Douyin and Xiaohongshu accounts (own_account=<id>),
the content plan and one evaluation per experiment running in the month; then the month before,
and so on until there are N runs. Each account writes into its own outputs root (<root>/<account>),
as an agency keeps one per client: a review's folder is named by its period alone today.

Reported: wall seconds per mode and the ratio to serial (aim ≤ 0.6× on 2 cores), peak memory (the
summed RSS of this process and all its descendants — pool workers, Dask nanny and workers,
kernels — sampled every 0.2 s with psutil; shared pages count once per process, so it is an upper
bound), the per-run floor (an empty notebook through the runner: kernel start, papermill, HTML
export, publishing; and a notebook that only imports the libraries), whether the three modes wrote
byte-identical tables (or the same values, to 12 digits: the audience profile's DuckDB sums change in
their last digits from one run to the next, in any mode), and a paper estimate for 500 accounts ×
5 notebooks on 10 workers from the measured seconds per run.

    .venv/bin/python benchmarks/bench_pack.py [--runs 20] [--workers 2] [--results DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
from record import Row, record

from helpers import config
from helpers.fanout import RunOutcome, RunTask, run_tasks
from helpers.runner import run_notebook
from helpers.sample import ensure_sample

OWN = ("own_douyin", "own_xhs", "own_wechat", "own_weibo")
WITH_COMPETITORS = ("own_douyin", "own_xhs")  # the platforms the sample's competitors are on
LAST_MONTH = pd.Period("2026-10", "M")
ESTIMATE = {"accounts": 500, "notebooks": 5, "workers": 10}
IMPORTS = """
import pandas as pd, numpy as np, scipy.stats, statsmodels.api, seaborn, matplotlib.pyplot as plt, ipywidgets
from helpers.report import RunOutputs
"""


def running_experiments(data: Path, month: pd.Period) -> list[str]:
    """Experiments whose start–end overlaps the month (as a pack picks them)."""
    table = pd.read_csv(data / "experiments.csv", parse_dates=["start", "end"])
    overlaps = (table["start"] <= month.end_time) & (table["end"] >= month.start_time)
    return table.loc[overlaps, "experiment_id"].tolist()


def month_runs(month: pd.Period, data: Path, root: Path, used: set[str]) -> list[RunTask]:
    """One month of an agency's runs over the sample's own accounts (experiments not run before)."""
    last = f"{month.end_time:%Y-%m-%d}"
    first = f"{(month - 5).start_time:%Y-%m-%d}"
    tasks = []
    for account in OWN:
        tasks.append(RunTask("period_review", {"account": account, "period_type": "month", "period": str(month)},
                             str(data), str(root / account), "zh-CN"))
        tasks.append(RunTask("audience_profiling", {"account": account, "as_of": last}, str(data),
                             str(root / account), "zh-CN"))
    for account in WITH_COMPETITORS:
        tasks.append(RunTask("competitor_analysis", {"own_account": account, "period": f"{first}..{last}"},
                             str(data), str(root / account), "zh-CN"))
    tasks.append(RunTask("content_planning", {"plan_month": str(month + 1)}, str(data), str(root / "brand"), "zh-CN"))
    for experiment in running_experiments(data, month):
        if experiment not in used:
            used.add(experiment)
            tasks.append(RunTask("experiment_evaluation", {"experiment_id": experiment}, str(data),
                                 str(root / "brand"), "zh-CN"))
    return tasks


def agency_runs(n: int, data: Path, root: Path) -> list[RunTask]:
    """The first n runs of the mix, month by month back from October 2026."""
    tasks: list[RunTask] = []
    used: set[str] = set()
    month = LAST_MONTH
    while len(tasks) < n:
        tasks += month_runs(month, data, root, used)
        month -= 1
    return tasks[:n]


class PeakMemory:
    """The peak summed RSS (MB) of this process and its descendants while the block runs (psutil), else
    the largest single process's peak RSS (resource.getrusage, Linux/macOS), with the method named."""

    def __init__(self, every: float = 0.2) -> None:
        self.every, self.peak_mb = every, 0.0
        self._stop = threading.Event()
        try:
            import psutil

            self._me: Any = psutil.Process()
            self.method = "psutil: sum of RSS over this process and its descendants, sampled every 0.2 s"
        except ImportError:
            self._me = None
            self.method = "resource.getrusage: largest single process's peak RSS (psutil not installed)"

    def _sample(self) -> float:
        import psutil

        total = 0
        for process in [self._me, *self._me.children(recursive=True)]:
            try:
                total += process.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return total / 1e6

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self._sample())
            self._stop.wait(self.every)

    def __enter__(self) -> PeakMemory:
        if self._me is not None:
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._me is not None:
            self._stop.set()
            self._thread.join()
        else:
            usage = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            self.peak_mb = usage / 1024 if platform.system() == "Linux" else usage / 1e6


def floor_notebook(folder: Path, name: str, source: str) -> Path:
    """A notebook with a parameters cell (output_dir only) and, if given, one code cell."""
    parameters = nbformat.v4.new_code_cell('output_dir = ""')
    parameters.metadata["tags"] = ["parameters"]
    cells = [parameters] + ([nbformat.v4.new_code_cell(source.strip())] if source else [])
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": config.KERNEL_NAME, "display_name": "opsbook", "language": "python"}
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def time_floor(folder: Path, name: str, source: str, repeat: int) -> float | None:
    """Median seconds of `opsbook run` on a floor notebook (None when not measured)."""
    if repeat < 1:
        return None
    notebook = floor_notebook(folder, name, source)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run_notebook(str(notebook), out_root=folder / "out", progress=False)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 2)


def load() -> list[float]:
    """The 1, 5 and 15 minute load averages (the machine is shared)."""
    return [round(x, 2) for x in os.getloadavg()]


def run_mode(tasks: list[RunTask], slots: int, **how: Any) -> dict[str, Any]:
    """Wall seconds, peak memory and per-run seconds of one mode (`slots`: runs it takes at once)."""
    before = load()
    with PeakMemory() as memory:
        start = time.perf_counter()
        outcomes = run_tasks(tasks, **how)
        wall = time.perf_counter() - start
    seconds = [o.seconds for o in outcomes]
    return {"wall_s": round(wall, 1), "peak_memory_mb": round(memory.peak_mb),
            "failed": sum(not o.ok for o in outcomes),
            "errors": [o.error.splitlines()[0] for o in outcomes if not o.ok][:3],
            "run_s_median": round(statistics.median(seconds), 1), "run_s_mean": round(statistics.mean(seconds), 1),
            # what the slots spent outside runs (process start, dispatch, idle at the end), per run
            "outside_runs_s_per_run": round((wall * slots - sum(seconds)) / len(tasks), 2),
            "load_before": before, "load_after": load(), "outcomes": outcomes}


def same_values(a: Path, b: Path) -> bool:
    """Two CSV tables hold the same values, numbers equal to 12 significant digits."""
    left, right = pd.read_csv(a), pd.read_csv(b)
    try:
        pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=1e-12, atol=0)
    except AssertionError:
        return False
    return True


def differences(a_root: Path, a: list[RunOutcome], b_root: Path, b: list[RunOutcome]) -> dict[str, list[str]]:
    """Tables of two modes' runs (by path under their roots) that are not byte-identical: in their last
    digits only ("digits") or in their values ("values")."""
    differ: dict[str, list[str]] = {"digits": [], "values": []}
    for x, y in zip(a, b, strict=True):
        if x.output_dir is None or y.output_dir is None:
            differ["values"].append(f"failed run: {x.error or y.error}"[:200])
            continue
        for table in sorted(Path(x.output_dir, "tables").glob("*.csv")):
            twin, name = b_root / table.relative_to(a_root), str(table.relative_to(a_root))
            if not twin.exists():
                differ["values"].append(name)
            elif twin.read_bytes() != table.read_bytes():
                differ["digits" if same_values(table, twin) else "values"].append(name)
    return differ


def estimate(modes: dict[str, dict[str, Any]], runs: int, workers: int) -> dict[str, Any]:
    """Hours for 500 accounts × 5 notebooks on 10 workers, from the seconds per run measured here."""
    total = ESTIMATE["accounts"] * ESTIMATE["notebooks"]
    rounds = math.ceil(total / ESTIMATE["workers"])
    per_run = {"serial (one run has the machine)": modes["serial"]["wall_s"] / runs}
    for mode in ("workers", "cluster"):
        if mode in modes:  # a worker's seconds per run with every core busy: wall × workers / runs
            per_run[f"{mode} (one core per run)"] = modes[mode]["wall_s"] * workers / runs
    return {"runs": total, "workers": ESTIMATE["workers"],
            "formula": f"T = ceil(R / W) × s = ceil({total} / {ESTIMATE['workers']}) × s = {rounds} × s, "
                       "s = seconds of one worker per run (wall × workers / runs measured here)",
            "s_per_run": {k: round(v, 2) for k, v in per_run.items()},
            "hours": {k: round(rounds * v / 3600, 2) for k, v in per_run.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="account-notebook runs per mode")
    parser.add_argument("--workers", type=int, default=2, help="pool processes and LocalCluster workers")
    parser.add_argument("--floor-repeat", type=int, default=2, help="runs of each floor notebook (0: skip)")
    parser.add_argument("--results", type=Path, default=config.ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    data = ensure_sample()
    report: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                                         f"Python {platform.python_version()}", "runs": args.runs,
                              "workers": args.workers, "load_start": load()}
    with tempfile.TemporaryDirectory(prefix="opsbook-bench-pack-") as tmp:
        folder = Path(tmp)
        with PeakMemory() as idle:
            time.sleep(0.5)
        report["memory_method"], report["idle_memory_mb"] = idle.method, round(idle.peak_mb)
        report["floor_empty_s"] = time_floor(folder, "empty", "", args.floor_repeat)
        report["floor_imports_s"] = time_floor(folder, "imports", IMPORTS, args.floor_repeat)
        modes: dict[str, dict[str, Any]] = {}
        roots = {mode: folder / mode for mode in ("serial", "workers", "cluster")}
        tasks = {mode: agency_runs(args.runs, data, root) for mode, root in roots.items()}
        report["mix"] = {k: int(v) for k, v in pd.Series([t.notebook for t in tasks["serial"]]).value_counts().items()}
        print(f"{args.runs} runs: {report['mix']}; floors {report['floor_empty_s']} s (empty), "
              f"{report['floor_imports_s']} s (imports); load {report['load_start']}", flush=True)
        modes["serial"] = run_mode(tasks["serial"], 1)
        print(f"serial: {modes['serial']['wall_s']} s", flush=True)
        modes["workers"] = run_mode(tasks["workers"], args.workers, workers=args.workers)
        print(f"workers={args.workers}: {modes['workers']['wall_s']} s", flush=True)
        from distributed import LocalCluster

        start = time.perf_counter()
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster:
            report["cluster_start_s"] = round(time.perf_counter() - start, 1)  # not in the wall: a cluster is up
            modes["cluster"] = run_mode(tasks["cluster"], args.workers, cluster=cluster.scheduler_address)
        print(f"LocalCluster {args.workers}×1: {modes['cluster']['wall_s']} s", flush=True)
        report["differences"] = {mode: differences(roots["serial"], modes["serial"]["outcomes"], roots[mode],
                                                   modes[mode]["outcomes"]) for mode in ("workers", "cluster")}
    report["byte_identical"] = not any(d["digits"] or d["values"] for d in report["differences"].values())
    report["same_values"] = not any(d["values"] for d in report["differences"].values())
    for figures in modes.values():
        figures.pop("outcomes")
        figures["ratio_to_serial"] = round(figures["wall_s"] / modes["serial"]["wall_s"], 2)
    report["modes"] = modes
    serial = modes["serial"]
    report["memory_per_run_mb"] = {"serial": serial["peak_memory_mb"] - report["idle_memory_mb"],
                                   "workers": round((modes["workers"]["peak_memory_mb"] - report["idle_memory_mb"])
                                                    / args.workers)}
    report["estimate_500x5_on_10"] = estimate(modes, args.runs, args.workers)
    report["load_end"] = load()
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "pack_scale.json").write_text(json.dumps(report, indent=2, ensure_ascii=False, default=int),
                                                  encoding="utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False, default=int))
    record("bench_pack.py", *(Row(f"pack of {args.runs} runs, {label} ÷ serial", modes[mode]["wall_s"], "s",
                                  serial["wall_s"], "the same runs one after another")
                              for mode, label in (("workers", f"{args.workers} worker processes"),
                                                  ("cluster", f"Dask LocalCluster {args.workers}×1"))))
    walls = " | ".join(f"{m}: {f['wall_s']} s ({f['ratio_to_serial']}×), peak {f['peak_memory_mb']} MB"
                       for m, f in modes.items())
    print(f"{walls} | tables byte-identical: {report['byte_identical']}, same values: {report['same_values']} "
          "(aim ≤ 0.6× serial)")


if __name__ == "__main__":
    main()
