"""The runner's parameter check runs before the kernel starts: it must not import scipy (0.5–2 s per CLI run,
issue 22); the modules that need scipy import it where they use it."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from helpers.content import mean_interval


def test_the_period_review_check_does_not_import_scipy() -> None:
    code = ("import sys\nfrom helpers import config, runner\n"
            "runner.precheck(config.NOTEBOOKS / 'period_review.ipynb', {'period': '2026-10'})\n"
            "print(sorted(m for m in ('scipy', 'sklearn', 'statsmodels', 'matplotlib') if m in sys.modules))")
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_mean_interval_still_gives_the_t_interval() -> None:
    # 2, 4, 6, 8: mean 5, sample sd √(20/3) = 2.5820, sem = 1.2910; t(0.975, 3) = 3.182446
    low, high = mean_interval(pd.Series([2.0, 4.0, 6.0, float("nan"), 8.0]))
    half = 3.182446305284263 * math.sqrt(20 / 3) / 2
    assert math.isclose(low, 5 - half, rel_tol=1e-9) and math.isclose(high, 5 + half, rel_tol=1e-9)
    assert all(math.isnan(x) for x in mean_interval(pd.Series([1.0])))
