"""session.freeze_imports: a runner's kernel freezes the objects alive after the imports; nobody else does."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from helpers import config
from helpers.review import session

PROBE = """
import gc, json
from helpers.review import session
before = gc.get_freeze_count()
did = session.freeze_imports()
print(json.dumps({"did": did, "before": before, "after": gc.get_freeze_count()}))
"""


@pytest.mark.parametrize(("value", "frozen"), [("1", True), ("", False), ("0", False), (None, False)])
def test_only_a_headless_kernel_freezes(value: str | None, frozen: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != config.HEADLESS_ENV}
    if value is not None:
        env[config.HEADLESS_ENV] = value
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["did"] is frozen and report["before"] == 0
    assert (report["after"] > 10_000) is frozen  # pandas, matplotlib, ... : far more than ten thousand objects
    assert (report["after"] == 0) is not frozen


def test_this_process_is_not_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.HEADLESS_ENV, raising=False)
    assert session.freeze_imports() is False
