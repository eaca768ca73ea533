"""Explorers: controls above a view of the current choice, for a person in JupyterLab.

An explorer draws its current choice as soon as it is shown and again after every change. Its
view is made of widgets the kernel updates through their state: an ``Image`` fed PNG bytes for the
chart and ``HTML`` for the text line and the tables. Nothing goes through display messages, so what
is shown does not depend on which message a change arrived under (JupyterLab may handle widget
messages on kernel subshells, next to a running cell), and a figure is built without pyplot's
global state. Changes are debounced and the last one wins: a burst of clicks draws once, the last
choice. A headless run (the runner's kernels set ``OPSBOOK_HEADLESS=1``) draws nothing until a
control changes, so a scheduled report never waits on a widget.

The browser suite (tests/browser) reads the view by its CSS classes: ``opsbook-explorer`` (and
``opsbook-explorer-<name>``), ``opsbook-explorer-controls``, ``opsbook-explorer-view``,
``opsbook-explorer-text`` (its line carries ``data-answer``, the answers so far, and
``data-seconds``), ``opsbook-explorer-chart``, ``opsbook-explorer-tables``; ``opsbook-busy`` while
an answer is computed.
"""

from __future__ import annotations

import html
import io
import logging
import os
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from helpers.config import HEADLESS_ENV
from helpers.errors import OpsbookError
from helpers.i18n import _

log = logging.getLogger(__name__)

#: Seconds an explorer waits after a change for the next one before it draws (a burst draws once).
DEBOUNCE_SECONDS = 0.12
#: Resolution of an explorer's chart (the figure's size in inches sets its size on screen).
CHART_DPI = 100
#: The style the view needs: an answer in progress dims the old one; text keeps its line breaks.
VIEW_CSS = """<style>
.opsbook-explorer.opsbook-busy .opsbook-explorer-view { opacity: 0.55; transition: opacity 0.2s; }
.opsbook-explorer-line { white-space: pre-wrap; line-height: 1.5; margin: 4px 0; }
.opsbook-explorer-line.opsbook-problem { color: #b71c1c; }
.opsbook-explorer-tables { overflow-x: auto; max-width: 100%; }
</style>"""


def headless() -> bool:
    """Whether this kernel runs without a person (set by the runner): explorers then wait to be used."""
    return os.environ.get(HEADLESS_ENV, "") not in ("", "0")


@dataclass(frozen=True)
class View:
    """What an explorer shows for one choice: a line of text, a chart, and tables (HTML)."""

    text: str = ""
    figure: Figure | None = None
    tables: tuple[Any, ...] = ()  # DataFrames, Stylers or objects with _repr_html_
    problem: bool = False  # the text says why there is nothing to show


def figure_png(fig: Figure, dpi: int = CHART_DPI) -> bytes:
    """A figure as PNG bytes (for an Image widget or a file)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def table_html(table: Any) -> str:
    """A table (DataFrame, Styler, or anything with ``_repr_html_``) as HTML for the view."""
    if hasattr(table, "_repr_html_"):
        return str(table._repr_html_())
    if hasattr(table, "to_html"):
        return str(table.to_html())
    return f"<pre>{html.escape(str(table))}</pre>"


def text_width_em(text: str) -> float:
    """About how wide `text` is in em: wide (CJK) characters 1 em, others 0.6 em."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)


def option_labels(control: widgets.Widget) -> list[str]:
    """The labels a selection control shows (options are values or (label, value) pairs)."""
    return [str(o[0]) if isinstance(o, tuple) else str(o) for o in getattr(control, "options", ())]


def fit_descriptions(controls: Iterable[widgets.Widget], extra_em: float = 0.8) -> str:
    """Give every control the width of the longest description, so no label is cut and a column aligns.

    A dropdown or list also gets the width of its longest option (plus room for the arrow), so its
    choices read whole; sliders keep the width their explorer gives them.
    """
    controls = list(controls)
    width = max((text_width_em(c.description) for c in controls if getattr(c, "description", "")), default=0.0)
    shown = f"{width + extra_em:.1f}em"
    for control in controls:
        control.style.description_width = shown
        if isinstance(control, widgets.Dropdown | widgets.Select | widgets.SelectMultiple):
            longest = max((text_width_em(label) for label in option_labels(control)), default=0.0)
            control.layout.width = f"{max(width + extra_em + longest + 3.0, 16.0):.1f}em"
    return shown


class Explorer(widgets.VBox):
    """Controls (laid out by `header`) above a view that ``draw()`` fills for the current choice.

    ``draw`` reads the controls and returns a :class:`View`; a data or parameter problem it raises
    (``OpsbookError``) is shown in the view instead of reaching the event loop. ``redraw()`` draws
    now (first display, tests); a change calls ``request()``, which draws after ``delay`` seconds
    unless another change comes first. ``settle()`` waits for the pending answer (tests).
    """

    def __init__(self, name: str, controls: Sequence[widgets.Widget], draw: Callable[[], View],
                 header: widgets.Widget | None = None, delay: float = DEBOUNCE_SECONDS,
                 draw_now: bool | None = None) -> None:
        self.name = name
        self.controls = tuple(controls)
        self.draw = draw
        self.delay = delay
        self.answers = 0
        self.seconds = float("nan")
        self.text = widgets.HTML()
        self.image = widgets.Image(format="png", layout=widgets.Layout(display="none", max_width="100%",
                                                                       height="auto"))
        self.tables = widgets.HTML()
        self.text.add_class("opsbook-explorer-text")
        self.image.add_class("opsbook-explorer-chart")
        self.tables.add_class("opsbook-explorer-tables")
        view = widgets.VBox([widgets.HTML(VIEW_CSS), self.text, self.image, self.tables])
        view.add_class("opsbook-explorer-view")
        header = header if header is not None else widgets.HBox(list(self.controls),
                                                                layout=widgets.Layout(flex_flow="row wrap"))
        header.add_class("opsbook-explorer-controls")
        super().__init__([header, view])
        self.add_class("opsbook-explorer")
        self.add_class(f"opsbook-explorer-{name}")
        self._lock = threading.Lock()  # guards the request counter
        self._drawing = threading.Lock()  # one answer is computed at a time
        self._latest = 0
        self._timer: threading.Timer | None = None
        for control in self.controls:
            control.observe(self.request, names="value")
        if draw_now if draw_now is not None else not headless():
            self.redraw()

    def __repr__(self) -> str:
        return f"Explorer({self.name!r}, controls={len(self.controls)}, answers={self.answers})"

    def _next_request(self) -> int:
        with self._lock:
            self._latest += 1
            return self._latest

    def redraw(self, _change: object = None) -> None:
        """Draw the current choice now (and forget any change still waiting)."""
        self._cancel_timer()
        self._answer(self._next_request(), time.perf_counter())

    def request(self, _change: object = None) -> None:
        """A control changed: draw after `delay` seconds unless another change comes first (last wins)."""
        number, asked = self._next_request(), time.perf_counter()
        if self.delay <= 0:
            self._answer(number, asked)
            return
        self._cancel_timer()
        timer = threading.Timer(self.delay, self._answer, args=(number, asked))
        timer.daemon = True
        self._timer = timer
        timer.start()

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until the last change has been answered (for tests and scripts)."""
        timer = self._timer
        if timer is not None:
            timer.join(timeout)
        with self._drawing:
            pass

    def _cancel_timer(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()

    def _answer(self, number: int, asked: float) -> None:
        """Compute and show request `number`, unless a newer request came meanwhile."""
        with self._drawing:
            if number != self._latest:  # a newer choice came while this one waited: it is shown instead
                return
            self.add_class("opsbook-busy")
            try:
                view = self._compute()
                if number == self._latest:
                    self._show(view, asked)
            finally:
                if number == self._latest:
                    self.remove_class("opsbook-busy")

    def _compute(self) -> View:
        """The view of the current choice; a problem becomes a message in the view."""
        try:
            return self.draw()
        except OpsbookError as exc:
            return View(text=str(exc), problem=True)
        except Exception as exc:  # shown, not lost in a widget thread; logged with its traceback
            log.exception("explorer %s could not draw", self.name)
            return View(text=_("Could not draw this choice: {error}").format(error=f"{type(exc).__name__}: {exc}"),
                        problem=True)

    def _show(self, view: View, asked: float) -> None:
        """Put `view` on screen: chart (or none), tables, then the text line that numbers the answer."""
        png = figure_png(view.figure) if view.figure is not None else b""
        tables = "".join(table_html(t) for t in view.tables)
        self.answers += 1
        self.seconds = time.perf_counter() - asked
        if png:
            self.image.value = png
        self.image.layout.display = "" if png else "none"
        self.tables.value = tables
        kind = "opsbook-explorer-line opsbook-problem" if view.problem else "opsbook-explorer-line"
        self.text.value = (f'<div class="{kind}" data-answer="{self.answers}" data-seconds="{self.seconds:.3f}">'
                           f"{html.escape(view.text)}</div>")
