"""Every notebook runs top to bottom with its defaults (nbval --nbval-lax).

Notebooks are committed without outputs, so the reference outputs of the cells marked
`# NBVAL_CHECK_OUTPUT` live in tests/notebook_expected/<notebook>.json. They are written by hand
from the sample data's planted effects (helpers.sample.PLANTED), not copied from a run. For the
period review: the last complete month is 2026-10, the bot spike is own_weibo on 2026-10-22,
own_xhs misses its net-follower target, cmp_broad_reach is under the stop-loss, cr_broad_2 under
the CTR threshold, and xiaohongshu is the assist channel. For the experiment evaluation: the
title test has a real lift and a split that holds, so SRM passes and the verdict is ship.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers import config

EXPECTED = Path(__file__).parent / "notebook_expected"
MARK = "# NBVAL_CHECK_OUTPUT"


def with_reference_outputs(notebook: Path, expected: dict[str, str]) -> nbformat.NotebookNode:
    """The notebook with each marked cell given its expected stream output, in order."""
    nb = nbformat.read(notebook, as_version=4)
    marked = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(MARK)]
    assert len(marked) == len(expected["outputs"]), "one expected output per marked cell"
    for number, (cell, text) in enumerate(zip(marked, expected["outputs"], strict=True), start=1):
        cell.execution_count = number  # nbval only compares cells that look run
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return nb


NOTEBOOKS = sorted(p.stem for p in config.NOTEBOOKS.glob("*.ipynb"))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_check_marked_cell_has_an_expected_output(name: str) -> None:
    expected = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
    with_reference_outputs(config.NOTEBOOKS / f"{name}.ipynb", expected)


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_nbval(name: str, sample_dir: Path, tmp_path: Path) -> None:
    expected = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
    nb = with_reference_outputs(config.NOTEBOOKS / f"{name}.ipynb", expected)
    target = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, target)
    env = {**os.environ, "OPSBOOK_OUTPUTS": str(tmp_path / "outputs")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider",
         "-q", str(target), "--rootdir", str(tmp_path)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
