"""Reports as PDF: each report page and the pack index, printed by a real browser engine.

Headless Chromium prints a local HTML file the way its print dialog would (``--print-to-pdf``), so
the PDF is the page itself: the report's print style (``@media print`` in templates/report.css) makes
it A4, starts every numbered section on a new page, keeps the status colours and prints the Method
notes open; the Chinese text is embedded with the system's CJK font; the PDF's bookmarks are the
report's headings. The page header and footer (date, file path) are left out.

One browser process prints one page, through Chromium's own command line: the runtime needs no
browser driver (Playwright stays a test dependency). Measured on the 2-core machine, shared, with the
1.1 MB period review (benchmarks/bench_pdf.py): 3.7 s a page with a browser each, 2.7 s a page two
at a time (print_reports' default), 2.1 s a page in one reused browser plus 1.3 s to start it. A
reused browser needs a DevTools client (Playwright, or a hand-written one) at run time; the second
it saves is small next to the notebook run (20 s and more) that made the page.

The browser is ``$OPSBOOK_CHROMIUM`` if set, else the first of chromium, chromium-browser,
google-chrome and google-chrome-stable on PATH.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from helpers.errors import OpsbookError, ParameterError

BROWSER_ENV = "OPSBOOK_CHROMIUM"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = "--pdf needs Chromium: `apt-get install chromium` or set OPSBOOK_CHROMIUM=/path/to/chrome"

#: Flags for a quiet, self-contained headless print: no first-run screens, extensions, sync or
#: background downloads; no page header/footer; headings become the PDF's bookmarks.
PRINT_FLAGS = (
    "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
    "--mute-audio", "--no-pdf-header-footer", "--generate-pdf-document-outline",
    # print once pending loads (the bundled CJK font of a machine without one) are done, not at the load event
    "--virtual-time-budget=10000",
)
#: Lines of browser output that say nothing about the page (no system bus or settings store in a container).
_NOISE = re.compile(r"dbus|dconf|bytes written to file|^\s*$")
_STDERR_LINES = 8


class PrintError(OpsbookError):
    """The browser could not print a page; the message names the page and quotes the browser's last output."""


@dataclass(frozen=True)
class PrintResult:
    """One printed page: the HTML, the PDF written beside it (None when it failed) and why it failed."""

    html: Path
    pdf: Path | None
    error: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the PDF was written."""
        return self.pdf is not None

    def __str__(self) -> str:
        if self.pdf is not None:
            return f"{self.pdf} ({self.seconds:.1f} s)"
        return f"{self.html}: FAILED\n{self.error}"


def find_browser() -> Path | None:
    """The browser to print with: $OPSBOOK_CHROMIUM when set (None if it is not an executable), else one on PATH."""
    configured = os.environ.get(BROWSER_ENV, "").strip()
    if configured:
        found = shutil.which(os.path.expanduser(configured))
        return Path(found) if found else None
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def require_browser() -> Path:
    """The browser, or a ParameterError saying how to get one."""
    browser = find_browser()
    if browser is not None:
        return browser
    configured = os.environ.get(BROWSER_ENV, "").strip()
    if configured:
        raise ParameterError(f"{BROWSER_ENV}={configured} is not an executable browser. {INSTALL_HINT}.")
    raise ParameterError(f"No Chromium or Chrome found on PATH ({', '.join(BROWSER_NAMES)}). {INSTALL_HINT}.")


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def browser_command(browser: Path, html: Path, pdf: Path, profile: Path) -> list[str]:
    """The command line printing `html` to `pdf` with a throwaway profile (--no-sandbox only as root)."""
    sandbox = ["--no-sandbox"] if _running_as_root() else []  # Chromium refuses to run sandboxed as root
    return [str(browser), *PRINT_FLAGS, *sandbox, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
            html.resolve().as_uri()]


def _last_lines(log: Path) -> str:
    """The browser's last meaningful lines of output."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    lines = [line.strip() for line in text.splitlines() if not _NOISE.search(line)]
    return "\n".join(lines[-_STDERR_LINES:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill a browser that overran its time, with the helper processes it started."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)  # its own session: the group is this browser and its children
        else:
            process.kill()
    except ProcessLookupError:
        pass
    process.wait()


def _run_browser(command: list[str], log: Path, timeout: float) -> int | None:
    """Run the browser with its output going to `log`; its exit code, or None when it overran `timeout` seconds."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=out,
                                   start_new_session=True)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(process)
            return None


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False


def print_pdf(html: Path, pdf: Path, *, browser: Path | None = None, timeout: float = 120) -> Path:
    """Print a local HTML page to `pdf` (A4, backgrounds, no header/footer), replacing it only when printing worked."""
    html, pdf = Path(html), Path(pdf)
    if not html.is_file():
        raise PrintError(f"Cannot print {html}: no such file.")
    if not pdf.parent.is_dir():
        raise PrintError(f"Cannot write {pdf}: the folder {pdf.parent} does not exist.")
    browser = browser or require_browser()
    partial = pdf.with_name(f".{pdf.name}.{uuid.uuid4().hex[:12]}.part")
    page = _with_cjk_font(html, partial.with_suffix(".html"))
    with tempfile.TemporaryDirectory(prefix="opsbook-chromium-", ignore_cleanup_errors=True) as scratch:
        profile, log = Path(scratch) / "profile", Path(scratch) / "browser.log"
        try:
            try:
                code = _run_browser(browser_command(browser, page, partial, profile), log, timeout)
            except OSError as exc:
                raise PrintError(f"{browser} could not be started to print {html}: {exc}") from exc
            if code is None:
                problem = f"did not finish within {timeout:g} s"
            elif code != 0:
                problem = f"failed (exit code {code})"
            elif not _is_pdf(partial):
                problem = "exited without writing a PDF"
            else:
                os.replace(partial, pdf)
                return pdf
            detail = _last_lines(log)
        finally:
            partial.unlink(missing_ok=True)
            if page != html:
                page.unlink(missing_ok=True)
    raise PrintError(f"{browser} {problem} printing {html} to PDF" + (f":\n{detail}" if detail else "."))


#: The characters the bundled CJK font draws when the system has none; Latin text keeps the system's own font.
CJK_RANGES = "U+2E80-2FFF, U+3000-303F, U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF, U+FF00-FFEF"


def system_has_cjk_font() -> bool:
    """Whether fontconfig (what Chromium draws with) knows a font for Chinese; True when it cannot be asked."""
    if shutil.which("fc-list") is None:
        return True
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=60)
    return listed.returncode != 0 or bool(listed.stdout.strip())


def _with_cjk_font(html: Path, copy: Path) -> Path:
    """The page to print: `html` itself, or where the system has no CJK font a copy beside it (same relative
    links) that declares the CJK font shipped with the Python dependencies, so the PDF embeds real glyphs."""
    from helpers.charts import bundled_font_path

    font = bundled_font_path()
    if font is None or system_has_cjk_font():
        return html
    face = (f'<style>@font-face {{ font-family: "Noto Sans CJK SC"; src: url("{font.as_uri()}"); '
            f'unicode-range: {CJK_RANGES}; }}</style>')
    text = html.read_text(encoding="utf-8")
    head = text.find("<head>")
    at = head + len("<head>") if head >= 0 else 0
    copy.write_text(text[:at] + face + text[at:], encoding="utf-8")
    return copy


def _print_one(html: Path, browser: Path, timeout: float) -> PrintResult:
    start = time.perf_counter()
    pdf = Path(html).with_suffix(".pdf")
    try:
        print_pdf(html, pdf, browser=browser, timeout=timeout)
    except (OpsbookError, OSError) as exc:
        return PrintResult(Path(html), None, str(exc), time.perf_counter() - start)
    return PrintResult(Path(html), pdf, "", time.perf_counter() - start)


def print_reports(pages: Sequence[Path], *, browser: Path | None = None, timeout: float = 120,
                  workers: int = 2) -> list[PrintResult]:
    """Print each page to a PDF beside it (report.html → report.pdf), in order; a page that fails is recorded.

    `workers` pages print at once, each in its own browser (two: about a quarter less time a page on 2 cores).
    """
    chosen = browser or require_browser()
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda page: _print_one(page, chosen, timeout), pages))
