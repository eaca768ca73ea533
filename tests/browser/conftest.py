"""Fixtures of the browser suite: Debian's Chromium through Playwright, and JupyterLab on copies of the notebooks.

Every test here is slow (a JupyterLab server, kernels, a browser); they skip with a reason where
there is no Chromium or no opsbook kernel (``make setup`` registers it).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:  # the shared checks (report_checks) live in tests/, beside this folder
    sys.path.insert(0, str(TESTS))

from lab_driver import JupyterLab, copy_notebook, kernel_spec, start_lab  # noqa: E402

import report_checks  # noqa: E402
from helpers import config  # noqa: E402


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[object]:
    """Headless Chromium, one per module (one sync Playwright at a time in a thread; report_checks starts its own)."""
    executable = report_checks.chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=report_checks.CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Iterator[JupyterLab]:
    """JupyterLab on copies of the five notebooks (plus an English copy of each as <name>_en), outputs in tmp."""
    report_checks.chromium()  # no browser, no point in a server
    if not kernel_spec().is_file():
        pytest.skip(f"make setup registers the kernel: no {kernel_spec()}")
    home = tmp_path_factory.mktemp("jupyterlab")
    root = home / "root"
    root.mkdir()
    for name in config.NOTEBOOK_NAMES:
        copy_notebook(name, root)
        copy_notebook(name, root, lang="en", stem=f"{name}_en")
    server = start_lab(home, sorted(root.glob("*.ipynb")), lang="zh-CN")
    try:
        yield server
    finally:
        server.stop()
