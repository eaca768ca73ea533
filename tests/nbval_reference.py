"""Shared by the notebook tests: run a notebook under nbval against its hand-written reference outputs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat

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


def set_data_dir(nb: nbformat.NotebookNode, data_dir: Path) -> None:
    """Point the notebook's `parameters` cell at another data folder (what papermill's -p would do)."""
    [cell] = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    source, count = re.subn(r'(?m)^data_dir = "".*$', f"data_dir = {str(data_dir)!r}", cell.source)
    assert count == 1, "the parameters cell has one data_dir = \"\" line"
    cell.source = source


def run_nbval(name: str, tmp_path: Path, data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run notebooks/<name>.ipynb under `pytest --nbval-lax` with its reference outputs (and data folder)."""
    expected = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
    nb = with_reference_outputs(config.NOTEBOOKS / f"{name}.ipynb", expected)
    if data_dir is not None:
        set_data_dir(nb, data_dir)
    target = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, target)
    # the reference outputs are written in one language (their "lang", default en), chosen the way a
    # scheduler would: the notebook's lang parameter is empty and OPSBOOK_LANG decides
    env = {**os.environ, "OPSBOOK_OUTPUTS": str(tmp_path / "outputs"), "OPSBOOK_LANG": expected.get("lang", "en")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider",
         "-q", str(target), "--rootdir", str(tmp_path)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=900,
    )
