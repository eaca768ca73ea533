"""The explorers in JupyterLab (one per notebook of config.NOTEBOOK_NAMES), as a new user meets them (issue 16).

Each notebook is opened in a real JupyterLab (Chromium through Playwright), run with Run → Run All
Cells, and its explorer is checked through its DOM contract (src/helpers/explorer.py): drawn on
first display; every control answers with a different, drawn view; a burst of changes ends on the
last choice with fewer answers than changes; no label is cut and nothing is wider than the cell;
the labels are in the run's language. Screenshots (before and after a change) and the time to
answer of every control go to report_checks.SCREENS (explorer-timings.json). Runs in zh-CN, the
default report language, and one notebook also in English.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import pytest
from explorer_view import (
    EXPLORERS,
    VIEWS,
    ViewState,
    answer_now,
    answers_settle,
    fit_problems,
    foreign_labels,
    label_texts,
    page_clock,
    view_state,
    wait_for_answer,
)
from lab_driver import (
    VIEWPORT,
    Control,
    JupyterLab,
    burst_dropdown,
    burst_slider,
    change,
    controls,
    nudge_slider,
    open_notebook,
    press,
    run_all,
    select_index,
    slider_values,
)
from playwright.sync_api import Locator, Page

import report_checks
from helpers import config

pytestmark = pytest.mark.slow
T = TypeVar("T")

#: Notebooks also run in English (their copy <name>_en.ipynb has lang = "en").
ENGLISH = ("experiment_evaluation",)
RUNS = [*((name, "zh-CN") for name in config.NOTEBOOK_NAMES), *((name, "en") for name in ENGLISH)]
#: A generous bound on one answer's time in the browser (the machine is shared); the goal (< 1 s) is reported.
ANSWER_BOUND_MS = 5000.0
#: JupyterLab's menus, tabs, toolbar and status bar take about this height (px) off the window; a tall explorer
#: is photographed in a window this much taller than itself, at most MAX_SCREEN_PX.
SHELL_PX = 160
MAX_SCREEN_PX = 6000
#: Seconds to wait for the explorer to appear once every cell has run.
EXPLORER_WAIT_SECONDS = 15.0


@dataclass
class ExplorerRun:
    """One notebook run in JupyterLab: its page, its explorer, what the explorer showed first, the page's errors."""

    notebook: str
    lang: str
    page: Page = field(repr=False)
    explorer: Locator = field(repr=False)
    run_seconds: float
    first: ViewState | None
    console_errors: list[str] = field(default_factory=list, repr=False)

    @property
    def name(self) -> str:
        """The explorer's name (trend, audience, benchmark, calendar, experiment)."""
        return EXPLORERS[self.notebook]

    @property
    def label(self) -> str:
        """The explorer's name and, outside the default language, the language: for screenshots and tables."""
        return self.name if self.lang == "zh-CN" else f"{self.name}-{self.lang}"

    def screenshot(self, moment: str) -> None:
        """Save the explorer as shown now as SCREENS/explorer-<label>-<moment>.png (the window made tall enough
        for all of it, as on a tall screen, then set back)."""
        report_checks.SCREENS.mkdir(parents=True, exist_ok=True)
        box = self.explorer.bounding_box()
        tall = box is not None and box["height"] > VIEWPORT["height"] - SHELL_PX
        if tall and box is not None:
            self.page.set_viewport_size({"width": VIEWPORT["width"],
                                         "height": min(int(box["height"]) + SHELL_PX + 40, MAX_SCREEN_PX)})
        try:
            self.explorer.scroll_into_view_if_needed()
            self.explorer.screenshot(path=str(report_checks.SCREENS / f"explorer-{self.label}-{moment}.png"))
        finally:
            if tall:
                self.page.set_viewport_size(VIEWPORT)

    def require_explorer(self) -> None:
        """Fail with what is missing when the notebook shows no explorer of the contract."""
        if self.first is None:
            pytest.fail(f"{self.notebook}: no .opsbook-explorer-{self.name} after Run All Cells "
                        f"(within {EXPLORER_WAIT_SECONDS:.0f} s)")


#: Every answer measured in this module: explorer, language, control, change, browser ms, kernel seconds.
TIMINGS: list[dict[str, Any]] = []
RUN_SECONDS: dict[str, float] = {}


@pytest.fixture(scope="module", autouse=True)
def timings_table() -> Iterator[None]:
    """After the module: print the time to answer per explorer and control, and write explorer-timings.json."""
    yield
    if not TIMINGS and not RUN_SECONDS:
        return
    print("\nRun All Cells:", ", ".join(f"{k} {v:.1f} s" for k, v in RUN_SECONDS.items()))
    print(f"{'explorer':<16}{'control':<28}{'change':<28}{'browser ms':>11}{'kernel s':>10}")
    for row in TIMINGS:
        browser = "-" if row["browser_ms"] is None else f"{row['browser_ms']:.0f}"
        kernel = "-" if row["kernel_seconds"] is None else f"{row['kernel_seconds']:.3f}"
        print(f"{row['explorer']:<16}{row['control'][:27]:<28}{row['change'][:27]:<28}{browser:>11}{kernel:>10}")
    report_checks.SCREENS.mkdir(parents=True, exist_ok=True)
    (report_checks.SCREENS / "explorer-timings.json").write_text(
        json.dumps({"run_all_seconds": RUN_SECONDS, "answers": TIMINGS}, ensure_ascii=False, indent=1),
        encoding="utf-8")


def first_view(page: Page, explorer: Locator) -> ViewState | None:
    """What the explorer shows once it is on screen and idle, or None when the notebook has no such explorer."""
    try:
        explorer.wait_for(state="attached", timeout=EXPLORER_WAIT_SECONDS * 1000)
    except Exception:  # playwright's TimeoutError: the test that needs the explorer says it is missing
        return None
    explorer.scroll_into_view_if_needed()
    answers_settle(page, explorer)
    return view_state(explorer)


@pytest.fixture(scope="module", params=RUNS, ids=[f"{name}-{lang}" for name, lang in RUNS])
def run(request: pytest.FixtureRequest, lab: JupyterLab, chromium_browser: Any) -> Iterator[ExplorerRun]:
    """A notebook opened in JupyterLab and run with Run All Cells, its explorer scrolled into view."""
    notebook, lang = request.param
    stem = notebook if lang == "zh-CN" else f"{notebook}_{lang}"
    context = chromium_browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        errors = report_checks.collect_console_errors(page)
        open_notebook(page, lab, stem)
        seconds = run_all(page)
        RUN_SECONDS[stem] = round(seconds, 2)
        print(f"\n{stem}: Run All Cells took {seconds:.1f} s")
        explorer = page.locator(f".opsbook-explorer.opsbook-explorer-{EXPLORERS[notebook]}")
        result = ExplorerRun(notebook, lang, page, explorer, seconds, first_view(page, explorer), errors)
        if result.first is not None:
            result.screenshot("before")
            TIMINGS.append({"explorer": result.label, "control": "first display", "change": "",
                            "browser_ms": None, "kernel_seconds": result.first.seconds})
        yield result
        if errors:
            print(f"{stem}: the page logged {len(errors)} console error(s):\n  " + "\n  ".join(errors[:10]))
    finally:
        context.close()
        lab.shutdown_session(f"{stem}.ipynb")


def test_first_display_is_drawn(run: ExplorerRun) -> None:
    """Right after Run All Cells, before any click, the explorer shows its views drawn."""
    run.require_explorer()
    assert run.first is not None
    assert run.first.answer is not None and run.first.answer >= 1, f"{run.label}: data-answer {run.first.answer}"
    assert not run.first.blank_reasons(VIEWS[run.name]), f"{run.label} on first display: {run.first}"


def measure(run: ExplorerRun, act: Callable[[], T]) -> tuple[T, float, ViewState]:
    """Do `act` (a change), wait for the explorer's next answer; (act's result, browser ms to the answer, the view)."""
    number, _busy = answer_now(run.explorer)
    since = page_clock(run.page)
    result = act()
    elapsed = wait_for_answer(run.page, run.explorer, number, since)
    return result, elapsed, view_state(run.explorer)


def test_every_control_answers_with_a_new_drawn_view(run: ExplorerRun) -> None:
    """Each control, changed once from the notebook's own choice, brings a new answer: a different view,
    drawn, its text line in the run's language, within the generous bound; taking the change back brings
    back the view it had. A slider step that asks for what cannot be met (the content plan's mix) must say
    why in the run's language with nothing stale under it, and the other direction must draw."""
    run.require_explorer()
    found = controls(run.explorer)
    assert found, f"{run.label}: no control in .opsbook-explorer-controls"
    problems = []
    for index, control in enumerate(found):
        if control.root.locator("select:disabled, .noUi-target[disabled]").count():
            problems.append(f"{control}: disabled")
            continue
        control.root.scroll_into_view_if_needed()
        before = view_state(run.explorer)
        made, elapsed, after = measure(run, partial(change, control))
        TIMINGS.append({"explorer": run.label, "control": f"{control.kind} {control.label}", "change": made.what,
                        "browser_ms": round(elapsed, 1), "kernel_seconds": after.seconds})
        if index == 0:
            run.screenshot("after")
        where = f"{control} ({made.what})"
        if after.problem and control.kind == "slider":
            # a setting that cannot be met (the content plan's mix one step off): the reason is said in the
            # run's language, nothing stale stays under it, and the slider's other direction must draw
            problems += stated_problem(run, where, after)
            measure(run, made.undo)
            made, elapsed, after = measure(run, partial(nudge_slider, control, True))
            where = f"{control} ({made.what})"
        if after.signature == before.signature:
            problems.append(f"{where}: the view did not change")
        problems += [f"{where}: {reason}" for reason in after.blank_reasons(VIEWS[run.name])]
        if run.lang == "zh-CN" and report_checks.ENGLISH_RUN.search(after.text):
            problems.append(f"{where}: the text line is not in zh-CN: {after.text!r}")
        if elapsed > ANSWER_BOUND_MS:
            problems.append(f"{where}: answered in {elapsed:.0f} ms (bound {ANSWER_BOUND_MS:.0f} ms)")
        _undone, _ms, back = measure(run, made.undo)
        if back.signature != before.signature:
            problems.append(f"{where}, taken back: the view differs from before the change:\n"
                            f"  before: {before}\n  back:   {back}")
    assert not problems, f"{run.label}:\n" + "\n".join(problems)


def stated_problem(run: ExplorerRun, where: str, view: ViewState) -> list[str]:
    """What is wrong with a problem answer: it must speak the run's language and show no chart or tables."""
    found = []
    foreign = report_checks.ENGLISH_RUN if run.lang == "zh-CN" else report_checks.CJK
    if foreign.search(view.text):
        found.append(f"{where}: the problem is not said in {run.lang}: {view.text!r}")
    if view.chart is not None or (view.tables_shown and view.tables.strip()):
        found.append(f"{where}: a chart or table stays under the problem {view.text!r}")
    print(f"\n{run.label}: {where} cannot be met, the explorer says: {view.text}")
    return found


def burst_control(found: list[Control]) -> Control:
    """The control a burst is made on: the first dropdown, else the last slider."""
    dropdowns = [c for c in found if c.kind == "dropdown"]
    sliders = [c for c in found if c.kind == "slider"]
    if dropdowns or sliders:
        return dropdowns[0] if dropdowns else sliders[-1]
    pytest.fail(f"no dropdown or slider to make a burst of changes on: {[str(c) for c in found]}")


def test_a_burst_of_changes_ends_on_the_last_choice(run: ExplorerRun) -> None:
    """Four quick changes of one control: the view ends on the last choice, drawn in fewer answers than changes."""
    run.require_explorer()
    control = burst_control(controls(run.explorer))
    control.root.scroll_into_view_if_needed()
    start = answers_settle(run.page, run.explorer)
    if control.kind == "dropdown":
        changes, last = burst_dropdown(control)
        away = (last + 1) % control.root.locator("select option").count()
        chosen = int(control.root.locator("select").evaluate("s => s.selectedIndex"))
        assert chosen == last, f"{control}: the dropdown shows option {chosen} after the burst, not {last}"
    else:
        changes, handle, key, back = burst_slider(control)
        position = slider_values(control)
    answers = answers_settle(run.page, run.explorer) - start
    final = view_state(run.explorer)
    print(f"\n{run.label}: a burst of {changes} changes of {control} drew {answers} answer(s)")

    # the same choice again, reached by moving away and back, must look the same
    for step in range(2):
        if control.kind == "dropdown":
            measure(run, partial(select_index, control, away if step == 0 else last))
        else:
            measure(run, partial(press, handle, back if step == 0 else key))
    if control.kind == "slider":
        assert slider_values(control) == position, f"{control}: moving away and back did not return"
    reference = view_state(run.explorer)
    assert 1 <= answers <= changes, f"{run.label}: {changes} changes drew {answers} answers"
    assert final.signature == reference.signature, (
        f"{run.label}: after the burst the view is not the one its last choice draws:\n"
        f"after the burst: {final}\nthe last choice again: {reference}")
    assert not final.blank_reasons(VIEWS[run.name]), f"{run.label} after the burst: {final}"


def test_labels_fit_and_nothing_is_wider_than_the_cell(run: ExplorerRun) -> None:
    """Every label and readout shows its whole text, and no element reaches past the notebook's cell."""
    run.require_explorer()
    run.explorer.scroll_into_view_if_needed()
    cut, wide = fit_problems(run.explorer)
    assert not cut, f"{run.label}: labels cut off:\n" + "\n".join(cut)
    assert not wide, f"{run.label}: wider than the cell:\n" + "\n".join(wide)


def test_labels_speak_the_run_language(run: ExplorerRun) -> None:
    """The controls' descriptions are in the run's language: Chinese in zh-CN (or a term its catalog keeps
    in Latin letters, such as KPI), no Chinese in English."""
    run.require_explorer()
    labels = label_texts(run.explorer)
    assert labels, f"{run.label}: the controls have no visible descriptions"
    foreign = foreign_labels(labels, run.lang)
    assert not foreign, f"{run.label}: labels not in {run.lang}: {foreign} (all: {labels})"
