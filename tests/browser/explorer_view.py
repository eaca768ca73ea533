"""What an explorer shows in the browser, read through its DOM contract (see src/helpers/explorer.py).

- `view_state(explorer)`: the answer number and the kernel's seconds of the text line, the busy
  class, and what the view shows: the chart's size, share of non-white pixels, luminance spread and
  a pixel hash (drawn to a canvas in the page), the text line and the tables' visible text.
- `wait_for_answer(page, explorer, after)`: wait until the explorer shows an answer newer than
  `after` and is no longer busy; the milliseconds it took in the page.
- `fit_problems(explorer)`: labels and readouts whose text does not fit, and elements wider than
  the notebook's cell.
- `foreign_labels(labels, lang)`: control descriptions not written in the run's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Locator, Page

from helpers import i18n

#: The views each explorer draws (the issue's contract): chart, text (the line) and tables.
VIEWS: dict[str, frozenset[str]] = {
    "trend": frozenset({"chart"}),
    "audience": frozenset({"tables"}),
    "benchmark": frozenset({"chart"}),
    "calendar": frozenset({"text", "tables"}),
    "experiment": frozenset({"text", "chart"}),
    "voc": frozenset({"text", "tables"}),
    "budget": frozenset({"text", "chart", "tables"}),
    "kol": frozenset({"text", "chart", "tables"}),
}
#: The explorer of each notebook.
EXPLORERS: dict[str, str] = {
    "period_review": "trend",
    "audience_profiling": "audience",
    "competitor_analysis": "benchmark",
    "content_planning": "calendar",
    "experiment_evaluation": "experiment",
    "voice_of_customer": "voc",
    "account_plan": "budget",
    "kol_evaluation": "kol",
}
#: A chart is drawn when it is larger than this (px each way), at least this share of its pixels is
#: not white, and their luminance (0-255) spreads more than this standard deviation.
CHART_MIN_PX = 100
CHART_MIN_INK = 0.01
CHART_MIN_SPREAD = 8.0
#: Fewest visible characters of a drawn text line or table area.
TEXT_MIN_CHARS = 20

#: The explorer's state; the chart is measured on a canvas (a blob: URL is same-origin, so readable).
VIEW_STATE_JS = """
async (root) => {
  const line = root.querySelector('.opsbook-explorer-text .opsbook-explorer-line');
  const img = root.querySelector('img.opsbook-explorer-chart');
  const tables = root.querySelector('.opsbook-explorer-tables');
  const state = {
    answer: line ? Number(line.dataset.answer) : null,
    seconds: line ? Number(line.dataset.seconds) : null,
    busy: root.classList.contains('opsbook-busy'),
    problem: !!(line && line.classList.contains('opsbook-problem')),
    text: line ? line.innerText.trim() : '',
    tables: tables ? tables.innerText.trim() : '',
    tablesShown: !!(tables && tables.getClientRects().length && tables.getBoundingClientRect().height > 0),
    chart: null,
  };
  if (img && img.getAttribute('src') && getComputedStyle(img).display !== 'none') {
    try { await img.decode(); } catch (e) { /* a broken image: measured as 0 x 0 below */ }
    const w = img.naturalWidth, h = img.naturalHeight;
    const chart = {width: w, height: h, shownWidth: img.getBoundingClientRect().width, ink: 0, spread: 0, hash: ''};
    if (w && h) {
      const canvas = document.createElement('canvas');
      canvas.width = w; canvas.height = h;
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, w, h);  // transparent pixels count as white paper
      ctx.drawImage(img, 0, 0);
      const px = ctx.getImageData(0, 0, w, h).data;
      let ink = 0, sum = 0, sum2 = 0, hash = 0x811c9dc5;
      for (let i = 0; i < px.length; i += 4) {
        const r = px[i], g = px[i + 1], b = px[i + 2];
        if (r < 245 || g < 245 || b < 245) ink++;
        const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        sum += y; sum2 += y * y;
        hash = Math.imul(hash ^ r, 0x01000193); hash = Math.imul(hash ^ g, 0x01000193);
        hash = Math.imul(hash ^ b, 0x01000193);
      }
      const n = w * h, mean = sum / n;
      chart.ink = ink / n;
      chart.spread = Math.sqrt(Math.max(0, sum2 / n - mean * mean));
      chart.hash = (hash >>> 0).toString(16) + ':' + w + 'x' + h;
    }
    state.chart = chart;
  }
  return state;
}
"""


@dataclass(frozen=True)
class Chart:
    """The chart image: natural size, shown width, share of non-white pixels, luminance spread, pixel hash."""

    width: int
    height: int
    shown_width: float
    ink: float
    spread: float
    hash: str

    def blank_reason(self) -> str:
        """Why the chart looks blank to a person ("" when it is drawn)."""
        if min(self.width, self.height) <= CHART_MIN_PX:
            return f"the chart is {self.width}x{self.height} px"
        if self.ink < CHART_MIN_INK:
            return f"the chart is {self.ink:.2%} non-white"
        if self.spread <= CHART_MIN_SPREAD:
            return f"the chart's luminance spreads only {self.spread:.1f}"
        return ""


@dataclass(frozen=True)
class ViewState:
    """What the explorer shows now (see the module docstring)."""

    answer: int | None
    seconds: float | None
    busy: bool
    problem: bool
    text: str
    tables: str
    tables_shown: bool
    chart: Chart | None

    @property
    def signature(self) -> tuple[str, str, str]:
        """What a person compares: the chart's pixels, the text line, the tables' text."""
        return (self.chart.hash if self.chart else "", self.text, self.tables)

    def blank_reasons(self, views: frozenset[str]) -> list[str]:
        """Why the views this explorer should draw look blank (empty when all are drawn)."""
        reasons = []
        if self.answer is None:
            reasons.append("no answer line (.opsbook-explorer-line with data-answer)")
        if self.problem:
            reasons.append(f"the view shows a problem instead: {self.text!r}")
        if "chart" in views:
            reason = "no chart shown" if self.chart is None else self.chart.blank_reason()
            if reason:
                reasons.append(reason)
        if "text" in views and len(self.text) < TEXT_MIN_CHARS:
            reasons.append(f"the text line is {self.text!r}")
        if "tables" in views and (not self.tables_shown or len(self.tables) < TEXT_MIN_CHARS):
            reasons.append(f"the tables area shows {self.tables[:80]!r}")
        return reasons


def view_state(explorer: Locator) -> ViewState:
    """Read what the explorer shows now (waiting for its chart image to decode)."""
    raw: dict[str, Any] = explorer.evaluate(VIEW_STATE_JS)
    chart = raw["chart"]
    return ViewState(
        answer=None if raw["answer"] is None else int(raw["answer"]),
        seconds=None if raw["seconds"] is None else float(raw["seconds"]),
        busy=bool(raw["busy"]), problem=bool(raw["problem"]), text=str(raw["text"]), tables=str(raw["tables"]),
        tables_shown=bool(raw["tablesShown"]),
        chart=None if chart is None else Chart(int(chart["width"]), int(chart["height"]), float(chart["shownWidth"]),
                                               float(chart["ink"]), float(chart["spread"]), str(chart["hash"])),
    )


#: performance.now() once the explorer shows an answer numbered above `after` and is not busy, else false.
ANSWERED_JS = """
([root, after]) => {
  const line = root.querySelector('.opsbook-explorer-text .opsbook-explorer-line');
  const answer = line ? Number(line.dataset.answer) : 0;
  return answer > after && !root.classList.contains('opsbook-busy') ? performance.now() : false;
}
"""


def page_clock(page: Page) -> float:
    """The page's clock (performance.now(), ms)."""
    return float(page.evaluate("performance.now()"))


def wait_for_answer(page: Page, explorer: Locator, after: int, since: float, timeout: float = 60.0) -> float:
    """Wait for an answer numbered above `after`, not busy; milliseconds from `since` (page clock) to it."""
    handle = explorer.element_handle()
    done = page.wait_for_function(ANSWERED_JS, arg=[handle, after], polling="raf", timeout=timeout * 1000)
    return float(done.json_value()) - since


def answer_now(explorer: Locator) -> tuple[int, bool]:
    """The explorer's answer number now (0 before the first) and whether it is busy."""
    number, busy = explorer.evaluate(
        "root => { const l = root.querySelector('.opsbook-explorer-text .opsbook-explorer-line');"
        " return [l ? Number(l.dataset.answer) : 0, root.classList.contains('opsbook-busy')]; }")
    return int(number), bool(busy)


def answers_settle(page: Page, explorer: Locator, quiet: float = 1.5, timeout: float = 60.0) -> int:
    """Wait until the explorer has been idle (no new answer, not busy) for `quiet` seconds; its answer number."""
    started = page_clock(page)
    last, still_since = -1, started
    while page_clock(page) - started < timeout * 1000:
        number, busy = answer_now(explorer)
        if number != last or busy:
            last, still_since = number, page_clock(page)
        elif page_clock(page) - still_since >= quiet * 1000:
            return last
        page.wait_for_timeout(100)
    raise AssertionError(f"the explorer kept answering or stayed busy for {timeout:.0f} s")


#: Labels and readouts whose text is wider than their box (cut off), and elements that reach past the
#: notebook cell's right edge or are wider than it (unless they sit in a scrolling box inside the explorer).
FIT_JS = """
(root) => {
  const name = (el) => el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' "' +
    (el.textContent || '').trim().slice(0, 50) + '"';
  const cut = [];
  for (const el of root.querySelectorAll('.widget-label, .widget-readout')) {
    if (!el.getClientRects().length) continue;  // hidden (an empty description)
    if (el.scrollWidth > el.clientWidth + 1)
      cut.push(name(el) + ' needs ' + el.scrollWidth + ' px, has ' + el.clientWidth);
  }
  const cell = root.closest('.jp-Cell') || root.parentElement;
  const area = cell.getBoundingClientRect();
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== root.parentElement; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if ((x === 'auto' || x === 'scroll') && root.contains(p) && p.getBoundingClientRect().right <= area.right + 1)
        return true;
    }
    return false;
  };
  const wide = [];
  for (const el of [root, ...root.querySelectorAll('*')]) {
    const box = el.getBoundingClientRect();
    if (!box.width) continue;
    if ((box.right > area.right + 1 || box.width > area.width + 1) && !scrolls(el))
      wide.push(name(el) + ' is ' + Math.round(box.width) + ' px wide, right edge ' + Math.round(box.right) +
                ' (cell: ' + Math.round(area.width) + ' px, right edge ' + Math.round(area.right) + ')');
  }
  return {cut: cut, wide: wide.slice(0, 20)};
}
"""


def fit_problems(explorer: Locator) -> tuple[list[str], list[str]]:
    """Labels or readouts cut off, and elements wider than the notebook's cell."""
    found: dict[str, list[str]] = explorer.evaluate(FIT_JS)
    return list(found["cut"]), list(found["wide"])


def label_texts(explorer: Locator) -> list[str]:
    """The visible descriptions (widget labels) of the explorer's controls."""
    texts: list[str] = explorer.locator(".opsbook-explorer-controls .widget-label").evaluate_all(
        "els => els.filter(e => e.getClientRects().length).map(e => e.textContent.trim()).filter(t => t)")
    return texts


CJK = re.compile(r"[\u3400-\u9fff]")


def latin_terms_zh() -> set[str]:
    """Terms the zh-CN catalogs keep in Latin letters on purpose (msgstr equal to msgid, no Chinese: KPI, ROAS)."""
    from babel.messages.pofile import read_po

    kept = set()
    for path in i18n.catalog_files():
        with path.open("rb") as handle:
            for message in read_po(handle, locale="zh_CN"):
                if isinstance(message.id, str) and message.string == message.id and not CJK.search(message.id):
                    kept.add(message.id)
    return kept


def foreign_labels(labels: list[str], lang: str) -> list[str]:
    """Labels not in `lang`: in zh-CN, without Chinese unless the catalog keeps the term; in English, with Chinese."""
    if lang == "zh-CN":
        kept = latin_terms_zh()
        return [t for t in labels if not CJK.search(t) and t not in kept]
    return [t for t in labels if CJK.search(t)]
