"""The explorer base: first display, debounce and last-wins, problems in the view, PNG charts without pyplot."""

from __future__ import annotations

import html
import io
import re
import threading
import time

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

ipywidgets = pytest.importorskip("ipywidgets")

from helpers import i18n  # noqa: E402
from helpers.charts import subplots  # noqa: E402
from helpers.errors import ParameterError  # noqa: E402
from helpers.explorer import HEADLESS_ENV, Explorer, View, fit_descriptions, text_width_em  # noqa: E402


def answer_number(box: Explorer) -> int:
    """The data-answer the browser reads on the text line."""
    found = re.search(r'data-answer="(\d+)"', box.text.value)
    return int(found.group(1)) if found else 0


def line_text(box: Explorer) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", box.text.value))


def test_draws_the_current_choice_on_first_display_unless_headless(monkeypatch: pytest.MonkeyPatch) -> None:
    pick = ipywidgets.Dropdown(options=["a", "b"], value="b")
    monkeypatch.delenv(HEADLESS_ENV, raising=False)
    shown = Explorer("t", (pick,), lambda: View(text=f"chose {pick.value}"))
    assert line_text(shown) == "chose b" and answer_number(shown) == 1
    monkeypatch.setenv(HEADLESS_ENV, "1")
    drawn: list[str] = []
    waiting = Explorer("t", (pick,), lambda: View(text=drawn.append(pick.value) or pick.value), delay=0)
    assert drawn == [] and waiting.text.value == "" and waiting.answers == 0  # a scheduled run never draws
    pick.value = "a"
    assert drawn == ["a"] and answer_number(waiting) == 1


def test_a_burst_of_changes_draws_once_and_shows_the_last_choice() -> None:
    pick = ipywidgets.IntSlider(value=0, min=0, max=10)
    drawn: list[int] = []

    def draw() -> View:
        drawn.append(pick.value)
        return View(text=str(pick.value))

    box = Explorer("t", (pick,), draw, delay=0.2, draw_now=False)
    for value in (1, 2, 3, 4, 5):  # five changes well within the 0.2 s wait
        pick.value = value
    box.settle()
    assert drawn == [5] and line_text(box) == "5" and answer_number(box) == 1
    assert "opsbook-busy" not in box._dom_classes


def test_a_slow_answer_overtaken_by_a_newer_choice_is_not_shown_and_draws_never_overlap() -> None:
    pick = ipywidgets.IntSlider(value=0, min=0, max=10)
    running, most = [0], [0]
    gate = threading.Event()
    drawn: list[int] = []

    def draw() -> View:
        value = pick.value
        running[0] += 1
        most[0] = max(most[0], running[0])
        if value == 1:
            gate.wait(5)  # the first answer is slow: the second choice arrives while it is computed
        drawn.append(value)
        running[0] -= 1
        return View(text=f"value {value}")

    box = Explorer("t", (pick,), draw, delay=0, draw_now=False)
    first = threading.Thread(target=lambda: setattr(pick, "value", 1))
    first.start()
    while not drawn and running[0] == 0:
        time.sleep(0.01)
    second = threading.Thread(target=lambda: setattr(pick, "value", 2))
    second.start()
    time.sleep(0.1)
    gate.set()
    first.join(5)
    second.join(5)
    box.settle()
    # the slow answer for 1 finished computing but a newer choice existed: only 2 is shown
    assert line_text(box) == "value 2" and answer_number(box) == 1 and most[0] == 1
    assert drawn[-1] == 2


def test_a_problem_is_said_in_the_view_and_text_is_escaped() -> None:
    pick = ipywidgets.Dropdown(options=["ok", "bad", "broken"], value="ok")

    def draw() -> View:
        if pick.value == "bad":
            raise ParameterError("posts.csv, column title, row 3: empty <title>")
        if pick.value == "broken":
            raise ZeroDivisionError("division by zero")
        fig, ax = subplots(figsize=(4, 3))
        ax.plot([0, 1], [0, 1])
        return View(text="a < b & c", figure=fig)

    box = Explorer("t", (pick,), draw, delay=0)
    assert "a &lt; b &amp; c" in box.text.value and box.image.layout.display == ""
    pick.value = "bad"
    assert "empty &lt;title&gt;" in box.text.value and "opsbook-problem" in box.text.value
    assert box.image.layout.display == "none"  # no stale chart under a problem
    with i18n.use_language("zh-CN"):
        pick.value = "broken"
    assert line_text(box) == "无法绘制当前选择：ZeroDivisionError: division by zero"


def test_the_chart_is_the_figure_as_png_and_pyplot_never_sees_it() -> None:
    plt.close("all")
    pick = ipywidgets.Dropdown(options=[3, 5], value=3)

    def draw() -> View:
        fig, ax = subplots(figsize=(pick.value, 2))
        ax.bar(["x", "y"], [1, 2])
        return View(figure=fig)

    box = Explorer("t", (pick,), draw, delay=0)
    with Image.open(io.BytesIO(box.image.value)) as png:
        assert png.format == "PNG" and png.size == (300, 200)  # 3 × 2 inches at 100 dpi
    pick.value = 5
    with Image.open(io.BytesIO(box.image.value)) as png:
        assert png.size == (500, 200)
        assert len(np.unique(np.asarray(png.convert("L")))) > 2  # drawn, not a blank page
    assert plt.get_fignums() == [] and isinstance(draw().figure, Figure)


def test_tables_are_shown_as_html() -> None:
    import pandas as pd

    pick = ipywidgets.Dropdown(options=["a"], value="a")
    frame = pd.DataFrame({"平台": ["抖音"], "n": [3]})
    box = Explorer("t", (pick,), lambda: View(tables=(frame, frame.style.hide(axis="index"))), delay=0)
    assert box.tables.value.count("<table") == 2 and "抖音" in box.tables.value
    assert box.image.layout.display == "none"


def test_descriptions_get_the_width_of_the_longest_label() -> None:
    # CJK characters are 1 em wide, others about 0.6 em: 小红书每周发布数 = 8 em; "Douyin posts/week" 17 × 0.6 = 10.2 em
    assert text_width_em("小红书每周发布数") == pytest.approx(8.0)
    assert text_width_em("Douyin posts/week") == pytest.approx(10.2)
    controls = [ipywidgets.IntSlider(description="Douyin posts/week"), ipywidgets.IntSlider(description="KPI")]
    assert fit_descriptions(controls) == "11.0em"
    assert [c.style.description_width for c in controls] == ["11.0em", "11.0em"]
    # a dropdown is as wide as its label column + its longest option + 3 em for the arrow, at least 16 em:
    # 平台 2 em + 0.8 = 2.8 em; 全部平台 4 em → 9.8 em → 16 em; "Xiaohongshu and Douyin" 22 × 0.6 = 13.2 → 19.0 em
    short = ipywidgets.Dropdown(options=[("全部平台", "all"), ("抖音", "douyin")], description="平台")
    fit_descriptions([short])
    assert short.layout.width == "16.0em"
    long = ipywidgets.Dropdown(options=["Xiaohongshu and Douyin"], description="平台")
    fit_descriptions([long])
    assert long.layout.width == "19.0em"


def test_the_root_carries_the_classes_the_browser_suite_reads() -> None:
    pick = ipywidgets.Dropdown(options=["a"], value="a")
    box = Explorer("trend", (pick,), lambda: View(text="x"), delay=0)
    assert {"opsbook-explorer", "opsbook-explorer-trend"} <= set(box._dom_classes)
    controls, view = box.children
    assert "opsbook-explorer-controls" in controls._dom_classes and "opsbook-explorer-view" in view._dom_classes
    assert box.controls == (pick,) and repr(box) == "Explorer('trend', controls=1, answers=1)"
