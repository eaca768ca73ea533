"""One results file for every benchmark, and the table `make bench` prints from it.

Each benchmark script measures its figure next to its floor or peer in the same run and records a row
(measure, value, floor or peer, ratio, aim) in benchmarks/results.json. `make bench` gives every script of
one run the same run id (``OPSBOOK_BENCH_RUN``) and then prints the table with
``python benchmarks/record.py``: the aims of issue 22 first (a missing one reads "not run"), then the
other scripts' rows. ``OPSBOOK_BENCH_RESULTS`` points the file elsewhere (the tests do).

    .venv/bin/python benchmarks/record.py [--run RUN_ID]
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


@dataclass(frozen=True)
class Aim:
    """An aim of issue 22: a measure and the most it may be, on the ratio or on the value itself."""

    measure: str
    limit: float
    on: str = "value"  # "value" (same unit as the value) or "ratio" (value ÷ floor)


#: The issue's table, in its order; `make bench` prints these rows first, each met or not.
AIMS: tuple[Aim, ...] = (
    Aim("period review ÷ papermill floor", 1.5, "ratio"),
    Aim("Markov + Shapley, 1 M journeys ÷ ChannelAttribution Markov", 0.5, "ratio"),
    Aim("journeys from 1 M-path touchpoints: memory", 250),
    Aim("experiment, 10 M unit rows × 3 variants: time", 4),
    Aim("experiment, 10 M unit rows × 3 variants: peak memory", 1536),
    Aim("audience profile, 10 M events / 1 M users: time", 30),
    Aim("audience profile, 10 M events / 1 M users: peak memory", 2048),
    Aim("audience profile, 100 M events (out of core): time", 360),
    Aim("audience profile, 100 M events (out of core): peak memory", 8192),
    Aim("import of a small export into a 350 k-post store", 1),
    Aim("import of a 50 MB export (340 k rows): time", 15),
    Aim("import of a 50 MB export (340 k rows): peak memory", 1024),
)


@dataclass(frozen=True)
class Row:
    """One measured figure with its floor or peer from the same run (unit "s" or "MiB")."""

    measure: str
    value: float
    unit: str
    floor: float | None = None
    floor_name: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """The value ÷ its floor or peer (None without one)."""
        return None if not self.floor else self.value / self.floor


def results_path() -> Path:
    """benchmarks/results.json, or ``$OPSBOOK_BENCH_RESULTS``."""
    return Path(os.environ.get("OPSBOOK_BENCH_RESULTS") or ROOT / "benchmarks" / "results.json")


def run_id() -> str:
    """This run's id: ``$OPSBOOK_BENCH_RUN`` (set once by `make bench`) or the minute it started."""
    return os.environ.get("OPSBOOK_BENCH_RUN") or dt.datetime.now().strftime("%Y-%m-%dT%H:%M")


def machine() -> str:
    """The machine the figures come from, as the notes report it."""
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def record(script: str, *rows: Row) -> None:
    """Merge ``rows`` into the results file (by measure), stamped with the run, machine and script."""
    path = results_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        for row in rows:
            stored[row.measure] = {**asdict(row), "ratio": row.ratio, "script": script, "run": run_id(),
                                   "machine": machine(), "measured_at": dt.datetime.now().isoformat(timespec="seconds")}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB: Linux's VmHWM, which starts afresh at exec.

    ``getrusage``'s ru_maxrss does not: Linux carries the forking parent's peak into an exec'd child, so a
    script started by a 2 GB process would report at least 2 GB.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


#: Runs argv as its child and writes [exit code, the child's ru_maxrss in KiB] to a file. Started with -S (no
#: site packages), it is a few MiB, so the child's ru_maxrss, which Linux starts from its forking parent's
#: size, is the command's own peak and not the benchmark's.
_LAUNCHER = ("import json, os, subprocess, sys; child = subprocess.Popen(sys.argv[2:]); "
             "_pid, status, usage = os.wait4(child.pid, 0); "
             "open(sys.argv[1], 'w').write(json.dumps([os.waitstatus_to_exitcode(status), usage.ru_maxrss]))")


def measure_command(argv: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one command (its own, not the parent's), failing loudly."""
    with tempfile.TemporaryDirectory() as tmp:
        answer = Path(tmp) / "usage.json"
        start = time.perf_counter()
        launcher = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, str(answer), *argv], env=env)
        seconds = time.perf_counter() - start
        if launcher.returncode or not answer.exists():
            raise SystemExit(f"{' '.join(argv)} could not be measured (launcher exit {launcher.returncode})")
        code, max_rss_kib = json.loads(answer.read_text())
    if code:
        raise SystemExit(f"{' '.join(argv)} failed with exit {code}")
    return seconds, max_rss_kib / 1024


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f} {unit}" if unit == "MiB" else f"{value:,.2f} {unit}"


def _aim_text(aim: Aim) -> str:
    if aim.on == "ratio":
        return f"≤ {aim.limit:g}×"
    return f"≤ {aim.limit:g} {'MiB' if 'memory' in aim.measure else 's'}"


def met(aim: Aim, row: dict) -> bool:
    """Whether a recorded row meets its aim."""
    figure = row["ratio"] if aim.on == "ratio" else row["value"]
    return figure is not None and figure <= aim.limit


def table(stored: dict[str, dict], run: str | None = None) -> str:
    """The results as one Markdown table: the issue's aims first, then every other recorded row."""
    lines = ["| measure | now | floor or peer | ratio | aim | met |", "|---|---|---|---|---|---|"]

    def line(measure: str, row: dict | None, aim: Aim | None) -> str:
        if row is None:
            return f"| {measure} | not run | | | {_aim_text(aim) if aim else ''} | |"
        stale = "" if run is None or row["run"] == run else f" (from run {row['run']})"
        floor = f"{_figure(row['floor'], row['unit'])} ({row['floor_name']})" if row["floor"] else "–"
        ratio = "–" if row["ratio"] is None else f"{row['ratio']:.2f}×"
        verdict = ("yes" if met(aim, row) else "**no**") if aim else ""
        return (f"| {measure}{stale} | {_figure(row['value'], row['unit'])} | {floor} | {ratio} | "
                f"{_aim_text(aim) if aim else ''} | {verdict} |")

    named = {aim.measure for aim in AIMS}
    lines += [line(aim.measure, stored.get(aim.measure), aim) for aim in AIMS]
    lines += [line(measure, row, None) for measure, row in stored.items() if measure not in named]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print benchmarks/results.json as one table.")
    parser.add_argument("--run", default=os.environ.get("OPSBOOK_BENCH_RUN"),
                        help="mark rows from another run as such (default: $OPSBOOK_BENCH_RUN)")
    args = parser.parse_args(argv)
    path = results_path()
    stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    machines = sorted({row["machine"] for row in stored.values()})
    print(f"Benchmarks ({path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}; {'; '.join(machines)})")
    print(table(stored, args.run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
