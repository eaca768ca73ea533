"""Benchmark: wall time of `opsbook run period_review` against the papermill floor, in the same run.

The floor is papermill executing a notebook that only imports the libraries the review imports,
with the same kernel: kernel start-up, imports and papermill's own overhead, which no review can
avoid. The aim (issue 2) is a review at most 2× the floor on the sample data on a 2-core machine.

    .venv/bin/python benchmarks/bench_period_review.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
import papermill
from record import Row, record

from helpers import config
from helpers.runner import run_notebook
from helpers.sample import ensure_sample

FLOOR_SOURCE = """
import warnings
import pandas as pd
import numpy as np
import scipy.stats
import statsmodels.api
import seaborn
import matplotlib.pyplot as plt
import ipywidgets
from IPython.display import display
from helpers.data import DataWarning
from helpers.report import RunOutputs, format_number, styled
from helpers.review import ads, anomalies, attribution, charts, findings, funnel, kpis, outputs, posts, risks, session
"""


def floor_notebook(folder: Path) -> Path:
    """A notebook that only imports the review's libraries (the floor)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE.strip())])
    nb.metadata["kernelspec"] = {"name": config.KERNEL_NAME, "display_name": "opsbook", "language": "python"}
    path = folder / "floor.ipynb"
    nbformat.write(nb, path)
    return path


def time_floor(folder: Path) -> float:
    """Seconds for papermill to run the imports-only notebook."""
    source = floor_notebook(folder)
    start = time.perf_counter()
    papermill.execute_notebook(str(source), str(folder / "floor.out.ipynb"), kernel_name=config.KERNEL_NAME,
                               progress_bar=False)
    return time.perf_counter() - start


def time_review(folder: Path, period: str) -> float:
    """Seconds for a full `opsbook run period_review` (execution, HTML export, publishing)."""
    start = time.perf_counter()
    run_notebook("period_review", period=period, out_root=folder / "outputs", progress=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--period", default="2026-10")
    args = parser.parse_args()
    ensure_sample()
    floors, reviews = [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i in range(args.repeat):  # alternate so both see the same machine state
            floors.append(time_floor(folder))
            reviews.append(time_review(folder, args.period))
            print(f"run {i + 1}: floor {floors[-1]:.1f} s, review {reviews[-1]:.1f} s", flush=True)
    floor, review = statistics.median(floors), statistics.median(reviews)
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "repeat": args.repeat, "floor_s": floors, "review_s": reviews,
        "floor_median_s": round(floor, 2), "review_median_s": round(review, 2), "ratio": round(review / floor, 2),
    }
    out = config.ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "period_review.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    record("bench_period_review.py", Row("period review ÷ papermill floor", review, "s", floor,
                                         "papermill running the review's imports only"))
    print(f"floor (papermill, imports only): {floor:.1f} s | period review: {review:.1f} s | "
          f"ratio {review / floor:.2f}× (aim ≤ 1.5×)")


if __name__ == "__main__":
    main()
