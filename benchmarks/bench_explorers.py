"""Benchmark: how long each notebook's explorer takes to answer a change, in the kernel, on the sample data.

Each notebook runs in a kernel as in JupyterLab (not headless, so the explorer draws its first view
when shown); an appended cell then finds the explorer and, with the debounce wait set to 0, changes
each control to other values in turn and times the answer (compute, PNG, widget update). The
browser suite (tests/browser) measures the same answers end to end, through JupyterLab and the
browser; this script gives the kernel's share, without a browser.

    .venv/bin/python benchmarks/bench_explorers.py [--notebooks period_review,experiment_evaluation]

Floor: an explorer whose draw returns a ready view (the base's own cost: widget updates only).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import sys
import time
from typing import Any

import nbformat
from nbclient import NotebookClient
from record import Row, record

from helpers import config
from helpers.sample import ensure_sample


def time_changes(repeats: int = 3) -> str:
    """(Runs in the kernel.) Time every control of the notebook's explorer; JSON of seconds per control."""
    import gc
    import statistics

    import ipywidgets as widgets

    from helpers.explorer import Explorer, View

    def others(control: Any) -> list[Any]:
        if isinstance(control, widgets.SelectMultiple):
            return [control.value[:-1], control.value] if len(control.value) > 1 else []
        if isinstance(control, widgets.SelectionRangeSlider):
            n = len(control.options)
            return [(control.options[0][1], control.options[max(n - 2, 0)][1]), control.value] if n > 1 else []
        if isinstance(control, widgets.Dropdown):
            values = [o[1] if isinstance(o, tuple) else o for o in control.options]
            return [*[v for v in values if v != control.value][:3], control.value]
        step = control.step
        down = control.value - step if control.value - step >= control.min else control.value + step
        return [down, control.value]

    [box] = [o for o in gc.get_objects() if isinstance(o, Explorer)][-1:]
    box.delay = 0
    first = box.seconds
    timings: dict[str, list[float]] = {}
    for control in box.controls:
        seen = []
        for _ in range(repeats):
            for value in others(control):
                before = box.answers
                control.value = value
                if box.answers > before:  # a value equal to the current one draws nothing
                    seen.append(box.seconds)
        timings[control.description] = seen
    fixed = View(text="ready")
    floor = Explorer("floor", (widgets.IntSlider(),), lambda: fixed, delay=0)
    floor_seconds = []
    for value in range(1, 21):
        floor.controls[0].value = value
        floor_seconds.append(floor.seconds)
    return json.dumps({"name": box.name, "first": first,
                       "controls": {k: {"median": statistics.median(v), "max": max(v), "n": len(v)}
                                    for k, v in timings.items() if v},
                       "floor_median": statistics.median(floor_seconds)})


def measure(name: str, repeats: int) -> dict[str, Any]:
    """Run notebooks/<name>.ipynb in a kernel (not headless) and time its explorer's answers."""
    nb = nbformat.read(config.NOTEBOOKS / f"{name}.ipynb", as_version=4)
    source = inspect.getsource(time_changes)
    nb.cells.append(nbformat.v4.new_code_cell(
        f"import json\nfrom typing import Any\n{source}\nprint(time_changes({repeats}))"))
    env_before = os.environ.pop(config.HEADLESS_ENV, None)
    os.environ["OPSBOOK_OUTPUTS"] = os.environ.get("OPSBOOK_OUTPUTS", str(config.ROOT / "outputs" / "bench"))
    start = time.perf_counter()
    try:
        NotebookClient(nb, kernel_name=config.KERNEL_NAME, timeout=900,
                       resources={"metadata": {"path": str(config.NOTEBOOKS)}}).execute()
    finally:
        if env_before is not None:
            os.environ[config.HEADLESS_ENV] = env_before
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    result = json.loads(printed.strip().splitlines()[-1])
    result["notebook_seconds"] = time.perf_counter() - start
    return dict(result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", default=",".join(config.NOTEBOOK_NAMES), help="comma-separated notebooks")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of changes per control")
    args = parser.parse_args()
    ensure_sample()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    rows = []
    for name in args.notebooks.split(","):
        result = measure(name, args.repeats)
        rows.append(result)
        print(f"{name}: explorer {result['name']}, first view {result['first'] * 1000:.0f} ms "
              f"(notebook {result['notebook_seconds']:.0f} s); floor {result['floor_median'] * 1000:.1f} ms")
        for control, t in result["controls"].items():
            print(f"  {control:<24} median {t['median'] * 1000:6.0f} ms   max {t['max'] * 1000:6.0f} ms   (n={t['n']})")
        slowest = max(result["controls"].values(), key=lambda t: t["median"])
        record("bench_explorers.py", Row(f"{name} explorer: slowest control's answer (median)", slowest["median"],
                                         "s", result["floor_median"], "an explorer whose draw returns a ready view"))
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
