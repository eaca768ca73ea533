"""Benchmark: wall time of `opsbook run period_review` against the papermill floor, in the same run.

The floor is papermill executing a notebook that only imports what the review imports (its notebook's
import statements, read from it: `review_imports`), with the same kernel: kernel start-up, imports and
papermill's own overhead, which no review can avoid. The aim (issue 22) is a review at most 1.5× the floor
on the sample data on a 2-core machine.

    .venv/bin/python benchmarks/bench_period_review.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
import papermill
from record import Row, record, results_path

from helpers import config
from helpers.runner import run_notebook
from helpers.sample import ensure_sample


def review_imports(notebook: Path | None = None) -> str:
    """The import statements of the review notebook's code cells, in order: the floor imports exactly what the
    review imports (helpers.review's modules bring their own libraries: pandas, matplotlib, seaborn, scikit-learn,
    ...), so the floor cannot drift from the notebook when an import is added, moved or dropped."""
    source = nbformat.read(notebook or config.NOTEBOOKS / "period_review.ipynb", as_version=4)
    lines: list[str] = []
    for cell in source.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        lines += [ast.get_source_segment(cell.source, node) or "" for node in tree.body
                  if isinstance(node, (ast.Import, ast.ImportFrom))]
    return "\n".join(dict.fromkeys(lines))


def floor_notebook(folder: Path) -> Path:
    """A notebook that only imports what the review imports (the floor)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(review_imports())])
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
    out = results_path().parent / "results"  # benchmarks/results/, or beside $OPSBOOK_BENCH_RESULTS
    out.mkdir(parents=True, exist_ok=True)
    (out / "period_review.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    record("bench_period_review.py", Row("period review ÷ papermill floor", review, "s", floor,
                                         "papermill running the review's imports only"))
    print(f"floor (papermill, imports only): {floor:.1f} s | period review: {review:.1f} s | "
          f"ratio {review / floor:.2f}× (aim ≤ 1.5×)")


if __name__ == "__main__":
    main()
