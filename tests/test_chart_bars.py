"""helpers.charts.bars: seaborn's barplot (errorbar=None) drawn with plain matplotlib, the same to a reader.

Two independent checks: seaborn itself as the reference (every bar, tick, limit, grid line, label and legend
entry, and the pixels of the drawn figure), and a hand calculation of the bars of a small grouped frame.
"""

from __future__ import annotations

from typing import Any

import matplotlib.colors
import numpy as np
import pandas as pd
import pytest
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg

from helpers import charts
from helpers.review import charts as review_charts

charts.setup_style()


def seaborn_bars(frame: pd.DataFrame, x: str, y: str, hue: str | None, horizontal: bool) -> Any:
    """The reference: the call helpers.charts made before issue 22's round 6."""
    fig, ax = charts.subplots()
    if horizontal:
        sns.barplot(data=frame, y=x, x=y, hue=hue, ax=ax, orient="h", errorbar=None)
    else:
        sns.barplot(data=frame, x=x, y=y, hue=hue, ax=ax, errorbar=None)
    return fig


def our_bars(frame: pd.DataFrame, x: str, y: str, hue: str | None, horizontal: bool) -> Any:
    fig, ax = charts.subplots()
    charts.bars(ax, frame, x, y, hue=hue, horizontal=horizontal)
    return fig


def described(fig: Any) -> dict[str, Any]:
    """Everything a reader sees of a one-axes bar chart, as plain values."""
    FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    box = ax.get_legend()
    return {
        "bars": [(p.get_x(), p.get_y(), p.get_width(), p.get_height(), tuple(p.get_facecolor()),
                  tuple(p.get_edgecolor()), p.get_linewidth()) for p in ax.patches],
        "xticks": (list(ax.get_xticks()), [t.get_text() for t in ax.get_xticklabels()]),
        "yticks": (list(ax.get_yticks()), [t.get_text() for t in ax.get_yticklabels()]),
        "limits": (ax.get_xlim(), ax.get_ylim()),
        "grid": ([g.get_visible() for g in ax.get_xgridlines()], [g.get_visible() for g in ax.get_ygridlines()]),
        "labels": (ax.get_xlabel(), ax.get_ylabel()),
        "legend": None if box is None else (box.get_title().get_text(), [t.get_text() for t in box.get_texts()],
                                            [tuple(h.get_facecolor()) for h in box.legend_handles]),
    }


def pixels(fig: Any) -> np.ndarray:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


FRAMES = {
    "grouped": (pd.DataFrame({"format": ["视频", "图文", "直播", "视频", "图文", "直播", "视频"],
                              "rate": [0.031, 0.052, 0.0, 0.044, np.nan, 0.012, 0.020],
                              "platform": ["抖音", "抖音", "抖音", "小红书", "小红书", "小红书", "微博"]}),
                "format", "rate", "platform"),
    "one group": (pd.DataFrame({"campaign_id": ["c1", "c2", "c3"], "roas": [2.5, 4.0, 3.1]}),
                  "campaign_id", "roas", None),
    "repeats are averaged": (pd.DataFrame({"k": ["a", "b", "a", "b", "c"], "v": [1.0, 2.0, 3.0, 5.0, np.nan],
                                           "h": ["x", "x", "x", "y", "y"]}), "k", "v", "h"),
    "no dodge (one hue per category)": (pd.DataFrame({"k": ["a", "b", "c"], "v": [3, 1, 2],
                                                      "h": ["p", "q", "p"]}), "k", "v", "h"),
    "numbers sorted, missing category": (pd.DataFrame({"k": [3, 1, 2, None], "v": [1.0, 2.0, -1.0, 4.0]}),
                                         "k", "v", None),
    "more hues than colours": (pd.DataFrame({"k": ["a"] * 12, "v": np.arange(12.0),
                                             "h": [f"h{i}" for i in range(12)]}), "k", "v", "h"),
    "missing hue": (pd.DataFrame({"k": ["a", "a", "b"], "v": [1.0, 2.0, 3.0], "h": ["x", None, "y"]}),
                    "k", "v", "h"),
}


@pytest.mark.parametrize("horizontal", [False, True], ids=["vertical", "horizontal"])
@pytest.mark.parametrize("case", list(FRAMES))
def test_bars_draw_what_seaborn_drew(case: str, horizontal: bool) -> None:
    frame, x, y, hue = FRAMES[case]
    expected, got = seaborn_bars(frame, x, y, hue, horizontal), our_bars(frame, x, y, hue, horizontal)
    assert described(got) == described(expected)
    assert np.array_equal(pixels(got), pixels(expected))


def test_bars_by_hand() -> None:
    """Three formats × three platforms (微博 only has 视频; 小红书's 图文 is missing): bars of 0.8 / 3 wide."""
    frame, x, y, hue = FRAMES["grouped"]
    ax = our_bars(frame, x, y, hue, False).axes[0]
    width = 0.8 / 3
    deep = [matplotlib.colors.to_rgb(c) for c in sns.color_palette("deep", 3)]
    colours = [tuple(sns.desaturate(c, 0.75)) for c in deep]
    # (left edge, height, colour): platform by platform, as in the frame's order, categories 视频=0 图文=1 直播=2
    expected = [(0 - 0.4, 0.031, 0), (1 - 0.4, 0.052, 0), (2 - 0.4, 0.0, 0),
                (0 - 0.4 + width, 0.044, 1), (2 - 0.4 + width, 0.012, 1),
                (0 - 0.4 + 2 * width, 0.020, 2)]
    drawn = [patch for container in ax.containers for patch in container]
    assert len(drawn) == len(expected)
    for patch, (left, height, colour) in zip(drawn, expected, strict=True):
        assert patch.get_x() == pytest.approx(left)
        assert patch.get_width() == pytest.approx(width)
        assert patch.get_height() == pytest.approx(height)
        assert matplotlib.colors.to_rgb(patch.get_facecolor()) == pytest.approx(colours[colour])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["视频", "图文", "直播"]
    assert ax.get_xlim() == (-0.5, 2.5)
    box = ax.get_legend()
    assert box.get_title().get_text() == "platform"
    assert [t.get_text() for t in box.get_texts()] == ["抖音", "小红书", "微博"]


def test_funnel_chart_draws_what_seaborn_drew() -> None:
    steps = pd.DataFrame({"platform": ["douyin"] * 3 + ["weibo"] * 3,
                          "step": ["impressions", "link_clicks", "conversions"] * 2,
                          "label": ["impressions", "link_clicks", "conversions"] * 2,
                          "value": [1_200_000, 30_500, 812, 450_000, 9_100, 0]})
    got = review_charts.funnel_chart(steps)
    expected = charts.subplots()[0]
    ax = expected.axes[0]
    data = steps.assign(label=[t.get_text() for t in got.axes[0].get_xticklabels()] * 2,
                        platform=[t.get_text() for t in got.axes[0].get_legend().get_texts() for _ in range(3)])
    sns.barplot(data=data, x="label", y="value", hue="platform", ax=ax, errorbar=None)
    ax.set_yscale("log")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.get_legend().set_title(got.axes[0].get_legend().get_title().get_text())
    ax.set_title(got.axes[0].get_title())
    assert described(got) == described(expected)
    assert np.array_equal(pixels(got), pixels(expected))


STRIPS = {
    "scorecard": (pd.DataFrame({"label": ["粉丝数", "粉丝数", "互动量", "收入", "收入", "净增粉丝"],
                                "attainment": [1.02, 0.93, 1.1, np.nan, 0.81, 0.97],
                                "platform": ["抖音", "小红书", "抖音", "小红书", "抖音", "全部平台"]})),
    "one platform": pd.DataFrame({"label": ["a", "b", "a"], "attainment": [1.0, 0.5, 1.5], "platform": ["p"] * 3}),
    "empty": pd.DataFrame({"label": pd.Series([], dtype=object), "attainment": pd.Series([], dtype=float),
                           "platform": pd.Series([], dtype=object)}),
    "many platforms": pd.DataFrame({"label": ["k"] * 12, "attainment": np.linspace(0.7, 1.3, 12),
                                    "platform": [f"p{i}" for i in range(12)]}),
}


def dots_described(fig: Any) -> dict[str, Any]:
    FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    return {
        "dots": [(c.get_offsets().tolist(), c.get_facecolors().tolist(), c.get_edgecolors().tolist(),
                  list(c.get_linewidths()), list(c.get_sizes()), c.get_zorder()) for c in ax.collections],
        "keys": [(k.get_label(), k.get_marker(), k.get_markersize(), k.get_markerfacecolor(), k.get_markeredgecolor(),
                  k.get_markeredgewidth(), k.get_color(), k.get_zorder(), k.get_linestyle()) for k in ax.lines],
        "yticks": (list(ax.get_yticks()), [t.get_text() for t in ax.get_yticklabels()]),
        "limits": (ax.get_xlim(), ax.get_ylim()),
        "grid": ([g.get_visible() for g in ax.get_xgridlines()], [g.get_visible() for g in ax.get_ygridlines()]),
        "labels": (ax.get_xlabel(), ax.get_ylabel()),
    }


@pytest.mark.parametrize("case", list(STRIPS))
def test_dots_draw_what_seaborn_drew(case: str) -> None:
    """The scorecard's dots: seaborn's stripplot as the reference, then the chart's own legend on both."""
    frame = STRIPS[case]
    expected, got = charts.subplots()[0], charts.subplots()[0]
    sns.stripplot(data=frame, y="label", x="attainment", hue="platform", size=9, ax=expected.axes[0], jitter=False,
                  dodge=True, linewidth=0.5, edgecolor="white")
    charts.dots(got.axes[0], frame, "attainment", "label", "platform", size=9, linewidth=0.5, edgecolor="white")
    assert dots_described(got) == dots_described(expected)
    for fig in (expected, got):
        if fig.axes[0].get_legend_handles_labels()[0]:
            fig.axes[0].legend(title="平台", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    assert np.array_equal(pixels(got), pixels(expected))


def test_dots_by_hand() -> None:
    """Two platforms: dots 0.4 apart around their row (−0.2, +0.2); a missing attainment draws no dot."""
    frame = STRIPS["scorecard"]
    ax = charts.subplots()[0].axes[0]
    charts.dots(ax, frame, "attainment", "label", "platform", size=9, linewidth=0.5)
    offsets = np.linspace(0, 0.8 - 0.8 / 3, 3) - (0.8 - 0.8 / 3) / 2  # 3 platforms: −0.267, 0, +0.267
    drawn = sorted((round(float(px), 6), round(float(py), 6)) for c in ax.collections for px, py in c.get_offsets())
    expected = sorted([(1.02, offsets[0]), (0.93, offsets[1]), (1.1, 1 + offsets[0]), (0.81, 2 + offsets[0]),
                       (0.97, 3 + offsets[2])])
    assert drawn == [(round(a, 6), round(float(b), 6)) for a, b in expected]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["粉丝数", "互动量", "收入", "净增粉丝"]
    assert [k.get_label() for k in ax.get_legend_handles_labels()[0]] == ["抖音", "小红书", "全部平台"]
