"""Shared by the end-to-end tests: `opsbook ARGS` run in the test process, output captured.

`helpers.cli.main` is the whole command (the console script only calls it), so running it here
tests the same code a scheduler runs, without paying a Python start-up per call. The notebook
itself still runs in its own kernel process. tests/test_runner_e2e.py keeps real subprocesses.
"""

from __future__ import annotations

import contextlib
import io
import subprocess

from helpers import cli


def opsbook(*args: str) -> subprocess.CompletedProcess[str]:
    """Exit code, stdout and stderr of `opsbook ARGS`, as subprocess.run(..., capture_output=True) gives them."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in args])
    return subprocess.CompletedProcess(["opsbook", *args], code, out.getvalue(), err.getvalue())
