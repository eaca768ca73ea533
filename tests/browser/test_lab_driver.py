"""The suite's JupyterLab steps, checked on small notebooks of plain ipywidgets (so a broken step fails here).

Run All Cells waits for every cell and names the cell that failed; each control helper changes the
value the kernel sees, as a person's click or key press would; a burst of dropdown changes ends on
its last choice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import nbformat
import pytest
from lab_driver import (
    KERNEL,
    VIEWPORT,
    JupyterLab,
    burst_dropdown,
    change,
    controls,
    notebook_state,
    open_notebook,
    run_all,
    slider_values,
)
from playwright.sync_api import Page

pytestmark = pytest.mark.slow

#: Controls of each kind; every change writes the control's value into an HTML widget the test reads.
WIDGETS_SOURCE = """
import ipywidgets as widgets
seen = widgets.HTML("", layout=widgets.Layout(width="600px"))
seen.add_class("seen")
kpi = widgets.Dropdown(options=["reach", "views", "likes", "shares"], description="KPI")
platforms = widgets.SelectMultiple(options=["douyin", "weibo", "wechat"], value=("douyin",), description="Platforms")
weeks = widgets.IntSlider(value=3, min=1, max=6, description="Weeks")
share = widgets.FloatSlider(value=0.3, min=0.2, max=0.3, step=0.05, description="Share")
reserve = widgets.FloatSlider(value=0.25, min=0.2, max=0.3, step=0.01, description="Reserve")
months = widgets.SelectionRangeSlider(options=["May", "Jun", "Jul", "Aug"], index=(0, 3), description="Months")
box = widgets.VBox([widgets.HBox([kpi, platforms, weeks, share, reserve, months]), seen])
box.add_class("opsbook-explorer-controls")
def echo(change):
    seen.value = change["owner"].description + "=" + repr(change["new"])
for control in (kpi, platforms, weeks, share, reserve, months):
    control.observe(echo, names="value")
box
"""


def write_notebook(lab: JupyterLab, name: str, *sources: str) -> None:
    """A notebook of code cells in the server's folder, on the opsbook kernel."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    notebook.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python (opsbook)", "language": "python"}
    nbformat.write(notebook, lab.root / f"{name}.ipynb")


@pytest.fixture()
def page(lab: JupyterLab, chromium_browser: Any) -> Iterator[Page]:
    """A fresh browser tab on the server (its notebook's kernel shut down afterwards)."""
    context = chromium_browser.new_context(viewport=VIEWPORT)
    try:
        yield context.new_page()
    finally:
        context.close()
        for session in lab.api("/api/sessions") or []:
            lab.api(f"/api/sessions/{session['id']}", method="DELETE", timeout=30)


def test_run_all_waits_for_every_cell(lab: JupyterLab, page: Page) -> None:
    """Run All returns once the last cell has run, not when the kernel first goes idle between cells."""
    write_notebook(lab, "slow_cells", "import time; time.sleep(1.0)", "time.sleep(1.0)", "print('last cell ran')")
    open_notebook(page, lab, "slow_cells")
    seconds = run_all(page)
    state = notebook_state(page)
    assert state.prompts == ["[1]:", "[2]:", "[3]:"]
    assert seconds >= 2.0
    assert "last cell ran" in page.locator(".jp-OutputArea-output").last.inner_text()


def test_run_all_fails_with_the_error_of_the_cell(lab: JupyterLab, page: Page) -> None:
    """A cell that raises stops Run All, and the failure names the cell and shows its traceback."""
    write_notebook(lab, "failing", "x = 1", "x / 0", "print('never')")
    open_notebook(page, lab, "failing")
    with pytest.raises(AssertionError, match=r"(?s)cell 1:.*ZeroDivisionError"):
        run_all(page)


def seen(page: Page) -> str:
    """What the kernel last saw change (the echo widget's text)."""
    return page.locator(".seen").inner_text().strip()


def test_each_control_helper_changes_what_the_kernel_sees(lab: JupyterLab, page: Page) -> None:
    """Dropdown, multi-select, slider and range slider, each changed once, report a new value to the kernel;
    each change taken back reports the first value again."""
    write_notebook(lab, "controls", WIDGETS_SOURCE)
    open_notebook(page, lab, "controls")
    run_all(page)
    found = {c.label: c for c in controls(page.locator(".jp-OutputArea-output"))}
    assert [(c.kind, c.label) for c in found.values()] == [
        ("dropdown", "KPI"), ("multiselect", "Platforms"), ("slider", "Weeks"), ("slider", "Share"),
        ("slider", "Reserve"), ("slider", "Months")]
    expected = {
        "KPI": "KPI='views'",  # the option after the first
        "Platforms": "Platforms=('douyin', 'weibo')",  # the first unselected option added
        "Weeks": "Weeks=4",  # 3 + one step
        "Share": "Share=0.25",  # at its maximum 0.3: one step left
        "Reserve": "Reserve=0.26",  # one step right (aria-valuenow reads 0.3 = the maximum, rounded)
        "Months": "Months=('Jun', 'Aug')",  # the lower handle one option right
    }
    first = {"KPI": "KPI='reach'", "Platforms": "Platforms=('douyin',)", "Weeks": "Weeks=3", "Share": "Share=0.3",
             "Reserve": "Reserve=0.25", "Months": "Months=('May', 'Aug')"}
    shows = "want => document.querySelector('.seen').innerText.trim() === want"
    for label, control in found.items():
        made = change(control)
        page.wait_for_function(shows, arg=expected[label], timeout=10_000)
        if label == "Months":
            assert slider_values(control) == [1.0, 3.0]
        made.undo()  # taken back: the kernel sees the first value again
        page.wait_for_function(shows, arg=first[label], timeout=10_000)


def test_a_dropdown_burst_ends_on_its_last_choice(lab: JupyterLab, page: Page) -> None:
    """Four changes 25 ms apart: the dropdown shows, and the kernel holds, the last one (likes)."""
    write_notebook(lab, "burst", WIDGETS_SOURCE)
    open_notebook(page, lab, "burst")
    run_all(page)
    kpi = controls(page.locator(".jp-OutputArea-output"))[0]
    changes, last = burst_dropdown(kpi)
    assert (changes, last) == (4, 2)  # from reach (0): views, likes, views, likes
    page.wait_for_function("() => document.querySelector('.seen').innerText.trim() === \"KPI='likes'\"",
                           timeout=10_000)
