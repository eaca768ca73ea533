"""Checks on a rendered report page, shared by every notebook's end-to-end tests.

- `untranslated_text(page, lang, data_text)`: visible text that is not in the report's language:
  in zh-CN, a run of three or more English words; in both languages, snake_case names (machine
  keys shown to a person) and, in en, Chinese characters other than the data's own text (account
  names, post titles, topics). Code (`<code>`, `<pre>` of code cells) is left out: file names and
  commands are not prose.
- `check_page_in_browser(report, screenshot)`: opens the page in headless Chromium (Playwright,
  Debian's /usr/bin/chromium), saves a screenshot of the first screen and returns what overflows
  the main column, the page's `<html lang>` and `<title>`, whether the summary is on the first
  screen, and the console errors and uncaught exceptions of the page.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?:[ \-'][A-Za-z]{2,}){2,}")
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
CJK = re.compile(r"[\u3400-\u9fff]")
SKIPPED = {"style", "script", "code", "title", "head"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.nodes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth and data.strip():
            self.nodes.append(data.strip())


def visible_text(page: str) -> list[str]:
    """The text nodes a reader sees (no style, script, code or head)."""
    parser = _Text()
    parser.feed(page)
    return parser.nodes


def data_text(data_dir: Path) -> set[str]:
    """Text that comes from the data (names, titles, topics, pillars): allowed in either language."""
    texts: set[str] = set()
    for path in sorted(data_dir.glob("*.csv")):
        frame = pd.read_csv(path, nrows=200_000, dtype=str, encoding="utf-8-sig")
        for column in frame.columns:
            values = frame[column].dropna()
            if values.str.contains(CJK).any():
                texts.update(values.unique().tolist())
                # topic tags: a ";"-joined list whose tags a report names one by one
                texts.update(t.strip() for v in values.unique() for t in str(v).split(";") if t.strip())
                # the brand, the shared part of account names (青柠生活 of 青柠生活·抖音)
                texts.update(v.split("·")[0] for v in values.unique() if isinstance(v, str) and "·" in v)
    ads = data_dir / "ad_daily.csv"
    if ads.exists():  # campaign, creative and channel ids are the data's only names for them
        ids = pd.read_csv(ads, usecols=["campaign_id", "creative_id", "channel"], dtype=str, encoding="utf-8-sig")
        for column in ("campaign_id", "creative_id", "channel"):
            texts.update(ids[column].dropna())
    return {t for t in texts if t}


def _without_cut_data(node: str, ordered: list[str]) -> str:
    """A table cell cut with '…' (report.cell_text) ends in the start of a data value: drop that start."""
    if not node.endswith("…"):
        return node
    text = node[:-1]
    for value in ordered:
        start = text.rfind(value[:4])
        if start >= 0 and len(text) - start >= 4 and value.startswith(text[start:]):
            return text[:start]
    return node


def untranslated_text(page: str, lang: str, allowed: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """Visible text that is not written in `lang` (see the module docstring)."""
    found = []
    ordered = sorted(allowed, key=len, reverse=True)
    for node in visible_text(page):
        text = _without_cut_data(node, ordered)
        for value in ordered:
            if value in text:
                text = text.replace(value, " ")
        foreign = ENGLISH_RUN if lang == "zh-CN" else CJK
        if SNAKE_CASE.search(text) or foreign.search(text):
            found.append(node)
    return found


@dataclass(frozen=True)
class PageCheck:
    """What the browser saw: elements overflowing the main column, lang, title, summary position, console errors."""

    overflowing: list[str]
    lang: str
    title: str
    summary_top: float
    screenshot: Path
    console_errors: list[str] = field(default_factory=list)


def chromium() -> str:
    """Debian's Chromium for Playwright, or skip (apt-get install chromium)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("no chromium on this machine (apt-get install chromium): the browser check is skipped")
    return path


#: Chromium's command line for the suite: headless in a container, nothing fetched in the background.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def collect_console_errors(tab: Any) -> list[str]:
    """A list that fills with the page's console errors and uncaught exceptions (a Playwright Page) from now on."""
    errors: list[str] = []
    tab.on("console", lambda message: errors.append(f"console: {message.text}") if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    return errors


OVERFLOW_JS = """
() => {
  const main = document.querySelector('main');
  const right = main.getBoundingClientRect().right;
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== main; p = p.parentElement) {
      const style = getComputedStyle(p);
      if ((style.overflowX === 'auto' || style.overflowX === 'scroll') && p.getBoundingClientRect().right <= right + 1)
        return true;
    }
    return false;
  };
  const out = [];
  for (const el of main.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > right + 1 && !scrolls(el))
      out.push(el.tagName + '.' + el.className + ': ' + (el.textContent || '').slice(0, 60));
  }
  return out.slice(0, 20);
}
"""


#: Where every screenshot is also kept, for a person to look at ($OPSBOOK_SCREENS, default outputs/screens).
SCREENS = Path(os.environ.get("OPSBOOK_SCREENS") or Path(__file__).resolve().parents[1] / "outputs" / "screens")


def check_page_in_browser(report: Path, screenshot: Path, width: int = 1280, height: int = 900) -> PageCheck:
    """Open `report` in headless Chromium, screenshot the first screen (a copy in SCREENS), and measure overflow."""
    from playwright.sync_api import sync_playwright

    executable = chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": width, "height": height})
            errors = collect_console_errors(tab)
            tab.goto(report.resolve().as_uri())
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(screenshot))
            SCREENS.mkdir(parents=True, exist_ok=True)
            shutil.copy(screenshot, SCREENS / screenshot.name)
            overflowing = tab.evaluate(OVERFLOW_JS)
            lang = tab.evaluate("document.documentElement.lang")
            title = tab.title()
            top = tab.evaluate("(() => { const s = document.querySelector('.ops-summary');"
                               " return s ? s.getBoundingClientRect().top : 1e9; })()")
        finally:
            browser.close()
    return PageCheck(list(overflowing), str(lang), str(title), float(top), screenshot, list(errors))


def notebook_cell(kind: str, source: str, *tags: str, html: str = "") -> Any:
    """A markdown ("md") or code cell with tags and, for code, one HTML output: notebooks built by hand for export."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

    cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
    cell.metadata["tags"] = list(tags)
    if html:
        cell.outputs = [new_output("display_data", data={"text/html": html, "text/plain": "x"})]
    return cell
