"""Benchmark: evaluate an experiment with 10 million unit rows and 3 variants read from Parquet.

Reports wall time and peak memory (resident set) of the whole analysis: loading and validating the
Parquet file, SRM, every metric × variant (binary, mean with CUPED, ratio), corrections, Bayes and
decisions. Aim (issue 3): under 10 s and under 4 GB on a 2-core machine.

    .venv/bin/python benchmarks/bench_experiment_scale.py [--rows 10000000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import config
from helpers.experiments.design import load_experiment
from helpers.experiments.evaluate import Settings, evaluate
from helpers.experiments.metrics import parse_metrics

METRICS = {"conversions": "binary:conversions", "clicks": "ratio:clicks/exposures", "revenue": "mean:revenue"}


def write_data(folder: Path, rows: int, seed: int = 7) -> None:
    """A synthetic experiment (A/B/C, 0.040 / 0.041 / 0.040 conversion) as Parquet, plus its design."""
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
    units.to_parquet(folder / "experiment_units.parquet", index=False)
    pd.DataFrame([{"experiment_id": "EXP-SCALE", "name": "scale test", "unit": "user",
                   "primary_metric": "conversions", "control": "A", "variants": "A;B;C",
                   "start": "2026-10-01", "end": "2026-10-28", "expected_split": "1;1;1",
                   "guardrails": "revenue", "mde": 0.002}]).to_csv(folder / "experiments.csv", index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--write-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, default=config.ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    if args.write_only:
        write_data(args.write_only, args.rows)
        return
    folder = Path(tempfile.mkdtemp(prefix="opsbook-scale-"))
    try:
        # the data is made in a child process, so the peak memory below is the analysis's alone
        subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--write-only", str(folder)], check=True)
        size_mb = (folder / "experiment_units.parquet").stat().st_size / 1e6
        start = time.perf_counter()
        design, units = load_experiment("EXP-SCALE", folder)
        loaded = time.perf_counter()
        settings = Settings(primary=("conversions",), guardrails=("revenue",), covariate="pre_revenue",
                            mde={"conversions": 0.002})
        evaluation = evaluate(design, units, parse_metrics(METRICS), settings)
        done = time.perf_counter()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # Linux: KiB
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "rows": args.rows, "parquet_mb": round(size_mb, 1), "load_s": round(loaded - start, 2),
              "analysis_s": round(done - loaded, 2), "total_s": round(done - start, 2),
              "peak_rss_gb": round(peak_gb, 2), "decisions": evaluation.decisions["verdict"].tolist()}
    out = args.results
    out.mkdir(parents=True, exist_ok=True)
    (out / "experiment_scale.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))
    print(f"{args.rows:,} rows: {result['total_s']} s (load {result['load_s']} s + analysis "
          f"{result['analysis_s']} s), peak {result['peak_rss_gb']} GB (aim < 10 s, < 4 GB)")


if __name__ == "__main__":
    main()
