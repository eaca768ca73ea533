"""The period review imports nothing it does not use (issue 22): pandera's built-in checks are loaded without
hypothesis (a test dependency that pandera's data-synthesis strategies import, ~0.25 s), and they still check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest

from helpers.schema import load_pandera_checks


def _run(code: str) -> list[str]:
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return done.stdout.strip().splitlines()


def test_preparing_the_review_does_not_import_hypothesis(sample_dir: Path) -> None:
    code = ("import sys\nfrom helpers.review import session\n"
            f"run = session.prepare(account='own', period_type='month', period='2026-10', data_dir={str(sample_dir)!r},"
            " er_base='impressions', anomaly_method='stl', anomaly_threshold=3.5, bot_iqr_k=1.5, roas_stop_loss=3.0,"
            " ctr_keep=0.05, targets_source='data', trend_periods=6, top_n=0, markov_value='share', min_coverage=0.8,"
            " lang='en')\n"
            "print(len(run.posts) > 0, 'hypothesis' in sys.modules)\n"
            "import hypothesis.strategies\n"  # still importable afterwards (hidden only while pandera loads)
            "print('hypothesis' in sys.modules)")
    assert _run(code)[-2:] == ["True False", "True"]


def test_the_checks_loaded_without_hypothesis_still_find_bad_rows() -> None:
    # rows 1 and 3 are out of 0–1, row 2 is not an allowed value: pandera's in_range and isin report them
    code = ("import sys, pandas as pd, pandera.pandas as pa\nimport helpers.schema\n"
            "schema = pa.DataFrameSchema({'p': pa.Column(float, pa.Check.in_range(0, 1)),"
            " 'k': pa.Column(str, pa.Check.isin(['a', 'b']))})\n"
            "frame = pd.DataFrame({'p': [0.5, 1.5, 0.0, -0.1], 'k': ['a', 'b', 'c', 'a']})\n"
            "try:\n    schema.validate(frame, lazy=True)\nexcept pa.errors.SchemaErrors as err:\n"
            "    print(sorted(int(i) for i in err.failure_cases['index']))\n"
            "print('hypothesis' in sys.modules)")
    assert _run(code) == ["[1, 2, 3]", "False"]


def test_the_checks_load_as_they_are_once_hypothesis_is_imported() -> None:
    import hypothesis  # noqa: F401  # a test process: imported already, nothing is hidden

    load_pandera_checks()
    schema = pa.DataFrameSchema({"p": pa.Column(float, pa.Check.in_range(0, 1))})
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        schema.validate(pd.DataFrame({"p": [2.0, 0.5]}), lazy=True)
    assert list(caught.value.failure_cases["index"]) == [0]
    assert "hypothesis" in sys.modules
