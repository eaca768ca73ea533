"""helpers.charts: Chinese renders on any machine (bundled font by file path), a system CJK font is preferred."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib import font_manager

from helpers import charts

#: Run in a fresh interpreter with an empty MPLCONFIGDIR (no font cache) and every system font hidden.
NO_SYSTEM_FONTS = r"""
import json, warnings
import matplotlib
matplotlib.use("Agg")
from matplotlib import font_manager
font_manager.findSystemFonts = lambda *args, **kwargs: []   # as on a machine without any system font
font_manager.fontManager = font_manager.FontManager()        # rebuilt: matplotlib's own DejaVu fonts only
from matplotlib.figure import Figure
from helpers import charts
assert charts.system_cjk_font() is None
font = charts.setup_style()
fig = Figure()
ax = fig.subplots()
ax.set_title("抖音 · 小红书 复盘：互动率 −3% ★◆○")
ax.set_xticks([0, 1], ["周三vlog", "宠粉日"])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    fig.canvas.draw()
print(json.dumps({"family": font.family, "source": font.source,
                  "missing": [str(w.message) for w in caught if "missing from font" in str(w.message)]}))
"""


def test_chinese_renders_without_system_fonts_and_a_fresh_cache(tmp_path: Path) -> None:
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mplconfig")}
    result = subprocess.run([sys.executable, "-c", NO_SYSTEM_FONTS], capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"family": "Noto Sans CJK SC", "source": "bundled", "missing": []}


def test_a_system_cjk_font_is_preferred(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    installed = tmp_path / "wqy-microhei.ttc"
    installed.write_bytes(b"")  # only its existence matters here
    system = font_manager.FontEntry(fname=str(installed), name="WenQuanYi Micro Hei")
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [*font_manager.fontManager.ttflist, system])
    monkeypatch.setattr(charts, "_chosen", None)
    assert charts.find_cjk_font() == charts.ChartFont("WenQuanYi Micro Hei", "system")


def test_a_cached_system_font_whose_file_is_gone_does_not_count(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    gone = font_manager.FontEntry(fname=str(tmp_path / "uninstalled.ttc"), name="WenQuanYi Micro Hei")
    others = [f for f in font_manager.fontManager.ttflist if f.name not in charts.CJK_FONTS]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [*others, gone])
    assert charts.find_cjk_font() == charts.ChartFont("Noto Sans CJK SC", "bundled")


def test_the_bundled_font_does_not_count_as_a_system_font(monkeypatch: pytest.MonkeyPatch) -> None:
    path = charts.bundled_font_path()
    assert path is not None and path.is_file()
    bundled = font_manager.FontEntry(fname=str(path), name="Noto Sans CJK SC")
    others = [f for f in font_manager.fontManager.ttflist if f.name not in charts.CJK_FONTS]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [*others, bundled])
    assert charts.system_cjk_font() is None
    assert charts.find_cjk_font() == charts.ChartFont("Noto Sans CJK SC", "bundled")


def test_setup_style_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    charts.setup_style()  # checked notebook outputs never depend on the machine's fonts
    assert capsys.readouterr().out == ""


def test_label_axes_names_axes_and_legend_in_the_readers_words() -> None:
    import matplotlib.pyplot as plt
    import pandas as pd

    from helpers.charts import bar_chart, label_axes

    fig = bar_chart(pd.DataFrame({"fmt": ["a", "b"], "er": [0.1, 0.2], "platform": ["x", "y"]}), "fmt", "er",
                    hue="platform")
    assert label_axes(fig, "", "互动率", "平台") is fig
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_legend().get_title().get_text()) == ("", "互动率", "平台")
    plt.close(fig)


def test_chart_font_path_is_the_file_of_the_chosen_cjk_font() -> None:
    from fontTools.ttLib import TTFont

    path = charts.chart_font_path()
    assert path is not None and path.is_file()
    assert font_manager.FontProperties(fname=str(path)).get_name() == charts.chart_font().family
    cmap = TTFont(str(path), fontNumber=0).getBestCmap()
    assert all(ord(c) in cmap for c in "抖音小红书敏感肌")  # a font that draws Chinese, not a fallback
