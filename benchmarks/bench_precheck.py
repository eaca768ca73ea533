"""Benchmark: how fast a bad parameter is refused before any kernel starts (issue 15: exit 2 in a second).

Times each notebook's `session.check_parameters` on the sample data with the notebook's defaults
(median of --repeats calls, the module already imported: what the check itself costs), and the
wall time of `opsbook run period_review --period 2026-13` from process start to its exit 2 (a new
Python process, imports included, as a scheduler starts it). Aim: each check under 0.3 s.

    .venv/bin/python benchmarks/bench_precheck.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time

from record import Row, record

from helpers import config, runner
from helpers.sample import ensure_sample


def check_seconds(notebook: str, repeats: int) -> list[float]:
    """Seconds of each call of the notebook's check_parameters on its defaults (sample data)."""
    session = importlib.import_module(f"helpers.{config.NOTEBOOK_PACKAGES[notebook]}.session")
    values = {k: v for k, v in runner.default_values(config.NOTEBOOKS / f"{notebook}.ipynb").items()
              if k not in runner.RUNNER_PARAMETERS}
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        session.check_parameters(**values)
        times.append(time.perf_counter() - start)
    return times


def refusal_seconds() -> tuple[float, int]:
    """Wall time and exit code of `opsbook run period_review --period 2026-13` in a new process."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "helpers.cli", "run", "period_review", "--period", "2026-13",
                               "--out", out, "--quiet"], capture_output=True, text=True, timeout=300)
        return time.perf_counter() - start, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed calls of each check")
    args = parser.parse_args()
    ensure_sample()
    checks = {nb: round(statistics.median(check_seconds(nb, args.repeats)), 4) for nb in config.NOTEBOOK_NAMES}
    seconds, code = refusal_seconds()
    result = {"check_parameters_median_s": checks, "bad_period_run_s": round(seconds, 2),
              "bad_period_exit_code": code, "repeats": args.repeats, "python": platform.python_version(),
              "machine": platform.machine()}
    slowest = max(checks, key=checks.__getitem__)
    record("bench_precheck.py",
           Row("bad period refused before any kernel (new process, exit 2)", seconds, "s"),
           Row("slowest parameter check (module imported)", checks[slowest], "s", note=slowest))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
