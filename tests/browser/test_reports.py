"""The published pack in a real browser (issue 16): one report of each notebook, and the pack's index.

`opsbook run-all --period latest --workers 2` (the venv's console script, outputs in tmp) publishes
the pack; each page is opened in headless Chromium (report_checks.check_page_in_browser) and must
log no console error or uncaught exception and have nothing wider than its main column.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lab_driver import REPO

import report_checks
from helpers import config

pytestmark = pytest.mark.slow

PAGES = [*config.NOTEBOOK_NAMES, "index"]


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    """The pack folder of `opsbook run-all --period latest --workers 2 --quiet`, run on the sample data into tmp."""
    report_checks.chromium()  # no browser, no point in the runs
    outputs = tmp_path_factory.mktemp("outputs")
    env = dict(os.environ)
    env.update(PYTHONPATH=os.pathsep.join(p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH", "")) if p),
               OPSBOOK_OUTPUTS=str(outputs), OPSBOOK_LANG="zh-CN")
    command = [str(Path(sys.executable).parent / "opsbook"), "run-all", "--period", "latest", "--workers", "2",
               "--quiet"]
    done = subprocess.run(command, env=env, cwd=outputs, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"{' '.join(command)} exited with {done.returncode}:\n{done.stderr[-5000:]}"
    folders = sorted(p.parent for p in (outputs / "packs").glob("*/pack.json"))
    assert len(folders) == 1, f"expected one pack folder under {outputs / 'packs'}, found {folders}"
    return folders[0]


def page_of(pack: Path, page: str) -> Path:
    """The pack's index.html, or the first published report of `page` (a notebook) the pack lists."""
    if page == "index":
        return pack / "index.html"
    record = json.loads((pack / "pack.json").read_text(encoding="utf-8"))
    reports = [r["report"] for r in record["runs"] if r["notebook"] == page and r["status"] == "ok" and r["report"]]
    assert reports, f"pack.json lists no published report of {page}: {record['runs']}"
    return (pack / reports[0]).resolve()


@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_console_error_and_nothing_wider_than_the_column(pack: Path, page: str, tmp_path: Path) -> None:
    """The page loads without console errors or uncaught exceptions, and fits its main column."""
    path = page_of(pack, page)
    assert path.is_file(), f"{page}: {path} is missing"
    seen = report_checks.check_page_in_browser(path, tmp_path / f"browser-pack-{page}.png")
    assert not seen.console_errors, f"{path}: console errors:\n" + "\n".join(seen.console_errors)
    assert not seen.overflowing, f"{path}: wider than the main column:\n" + "\n".join(seen.overflowing)


def test_console_errors_and_uncaught_exceptions_are_collected(tmp_path: Path) -> None:
    """check_page_in_browser reports a page's console.error and its uncaught exception (so the check above can fail)."""
    page = tmp_path / "broken.html"
    page.write_text("<!doctype html><html lang='en'><title>t</title><main><p>text</p></main>"
                    "<script>console.error('logged on purpose'); throw new Error('thrown on purpose');</script>",
                    encoding="utf-8")
    seen = report_checks.check_page_in_browser(page, tmp_path / "browser-broken.png")
    assert any("logged on purpose" in e for e in seen.console_errors), seen.console_errors
    assert any("thrown on purpose" in e for e in seen.console_errors), seen.console_errors
