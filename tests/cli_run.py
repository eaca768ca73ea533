"""Shared by the end-to-end tests: `opsbook ARGS` run in the test process, output captured.

`helpers.cli.main` is the whole command (the console script only calls it), so running it here
tests the same code a scheduler runs, without paying a Python start-up per call. The notebook
itself still runs in its own kernel process. tests/test_runner_e2e.py keeps real subprocesses.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
from pathlib import Path

from helpers import cli


def opsbook(*args: str) -> subprocess.CompletedProcess[str]:
    """Exit code, stdout and stderr of `opsbook ARGS`, as subprocess.run(..., capture_output=True) gives them."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in args])
    return subprocess.CompletedProcess(["opsbook", *args], code, out.getvalue(), err.getvalue())


def run_notebook(out: Path, notebook: str, *pairs: tuple[str, str], period: str = "") -> Path:
    """Run a notebook through the CLI with `-p name value` pairs (and --period) and return its run folder."""
    options = [part for name, value in pairs for part in ("-p", name, value)]
    extra = ["--period", period] if period else []
    result = opsbook("run", notebook, *extra, *options, "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr[-4000:]
    [folder] = [p.parent for p in (out / notebook).rglob("summary.json")]
    return folder
