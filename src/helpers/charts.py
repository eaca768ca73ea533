"""The chart base every analysis draws on: the suite's style, a CJK font on any machine, shared charts.

Post titles and topics are often Chinese. `setup_style()` picks a CJK-capable system font when the
machine has one and otherwise registers the Noto Sans CJK SC font that ships with the `mplfonts`
dependency, by file path (`font_manager.addfont`), so a stale matplotlib font cache or a machine
without root never shows Chinese as boxes. It prints nothing: checked notebook outputs never depend
on the machine; what it chose is in `chart_font()` and, when even the bundled font is missing, in a
logged warning.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import matplotlib.lines
import matplotlib.patches
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.figure import Figure

from helpers import i18n

log = logging.getLogger(__name__)

#: CJK-capable system font families, most preferred first (Linux, macOS, Windows names).
CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
    "PingFang SC", "Hiragino Sans GB", "Heiti SC", "Microsoft YaHei", "SimHei", "Arial Unicode MS",
)
#: The font file shipped by the `mplfonts` wheel (SIL Open Font License), used when the system has none.
BUNDLED_FONT_PACKAGE = "mplfonts"
BUNDLED_FONT_FILE = "fonts/NotoSansCJKsc-Regular.otf"

STATUS_COLOURS = {"healthy": "#2e7d32", "watch": "#f9a825", "at risk": "#c62828", "info": "#607d8b",
                  "missing": "#9e9e9e"}


@dataclass(frozen=True)
class ChartFont:
    """The CJK font charts use: its family name and where it came from ('system', 'bundled' or 'none')."""

    family: str | None
    source: str


_chosen: ChartFont | None = None


def system_cjk_font() -> str | None:
    """The first CJK-capable font family matplotlib knows from the system, or None.

    A font matplotlib's cache lists but whose file is gone (uninstalled since) does not count.
    """
    bundled = bundled_font_path()
    installed = {f.name for f in font_manager.fontManager.ttflist
                 if (bundled is None or Path(f.fname) != bundled) and Path(f.fname).is_file()}
    return next((name for name in CJK_FONTS if name in installed), None)


def bundled_font_path() -> Path | None:
    """The path of the CJK font shipped with the Python dependencies, or None if the package is missing."""
    try:
        path = Path(str(resources.files(BUNDLED_FONT_PACKAGE).joinpath(BUNDLED_FONT_FILE)))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


def register_bundled_font() -> str | None:
    """Register the bundled CJK font with matplotlib by file path; its family name, or None without it."""
    path = bundled_font_path()
    if path is None:
        return None
    if all(Path(f.fname) != path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def find_cjk_font() -> ChartFont:
    """The CJK font charts should use: a system font when present, else the bundled one."""
    family = system_cjk_font()
    if family:
        return ChartFont(family, "system")
    family = register_bundled_font()
    return ChartFont(family, "bundled") if family else ChartFont(None, "none")


def chart_font() -> ChartFont:
    """The font `setup_style()` chose (choosing it now if the style was not set up yet)."""
    global _chosen
    if _chosen is None:
        _chosen = find_cjk_font()
    return _chosen


def chart_font_path() -> Path | None:
    """The file of the CJK font charts use (for drawing outside matplotlib: word clouds), or None without one."""
    font = chart_font()
    if font.source == "bundled":
        return bundled_font_path()
    files = [Path(f.fname) for f in font_manager.fontManager.ttflist
             if f.name == font.family and Path(f.fname).is_file()]
    return min(files, key=lambda f: (f.suffix.lower() == ".ttc", len(f.name))) if files else None


def setup_style() -> ChartFont:
    """Apply the suite's chart style with a CJK-capable font first in the sans-serif list."""
    sns.set_theme(style="whitegrid", context="notebook")
    font = chart_font()
    if font.family:
        plt.rcParams["font.sans-serif"] = [font.family, "DejaVu Sans"]
        plt.rcParams["font.family"] = "sans-serif"
    else:
        log.warning("No CJK font found (system or bundled %s): Chinese text in charts shows as boxes. "
                    "Reinstall the project's dependencies (`make setup`).", BUNDLED_FONT_PACKAGE)
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["figure.figsize"] = (10, 4.5)
    return font


class CountTicks(matplotlib.ticker.Formatter):
    """Tick labels of a count axis, in one unit along the axis.

    In zh-CN, once the largest tick reaches 10万 every tick is written in 万 (亿 from 1亿) with the
    fewest decimals that keep each tick exact (0, 5万, 10万, 15万), where tick by tick formatting
    would mix "50,000" with "10.0万". Otherwise counts read as people write them (120,000) and
    values under 1,000 keep three significant digits.
    """

    def __init__(self) -> None:
        self.ticks: list[float] = []

    def set_locs(self, locs: Any) -> None:
        """Keep the axis' tick values: the unit and decimals depend on all of them."""
        super().set_locs(locs)
        self.ticks = [float(v) for v in locs]

    def __call__(self, x: float, pos: int | None = None) -> str:
        ticks = self.ticks or [float(x)]
        top = max(abs(v) for v in ticks)
        if i18n.current_language() == "zh-CN" and top >= 1e5:
            unit, word = (1e8, "亿") if top >= 1e8 else (1e4, "万")
            digits = next((d for d in range(3) if all(abs(round(v / unit, d) - v / unit) < 1e-9 for v in ticks)), 2)
            return "0" if x == 0 else f"{x / unit:,.{digits}f}{word}"
        return i18n.fmt_count(x) if abs(x) >= 1000 else i18n.fmt_number(x)


def subplots(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] | None = None,
             **kwargs: Any) -> tuple[Figure, Any]:
    """A new figure and its axes as ``pyplot.subplots`` gives them, but outside pyplot's global state.

    pyplot never sees the figure, so the inline backend does not show it a second time, an
    explorer may draw it in its own thread, and it is freed once unreferenced (constrained layout).
    """
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(nrows, ncols, **kwargs)


def slant_dates(ax: plt.Axes) -> None:
    """Slant date tick labels so they do not overlap (works with the constrained layout).

    Set as a tick parameter, so it holds for every tick the axis draws: 30°, the label's end at its tick (the
    "xtick" rotation mode aligns a 30° label right). Asking for the labels instead (``get_xticklabels``) would
    lay out every tick of the axis once more before the chart is drawn (~15 ms a chart, issue 22).
    """
    ax.tick_params(axis="x", labelrotation=30, labelrotation_mode="xtick")


def levels(values: pd.Series) -> list[Any]:
    """The categories of a chart's axis or hue in seaborn's order: a categorical's categories, else the values in
    order of appearance (numbers sorted), without missing values."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        order = list(values.cat.categories)
    else:
        order = list(values.unique())
        if pd.api.types.is_numeric_dtype(values):
            order = sorted(order)
    return [v for v in order if pd.notna(v)]


def hue_colours(n: int, saturation: float = 1.0) -> list[tuple[float, float, float]]:
    """seaborn's colours for n hue levels: the style's colour cycle (husl beyond its length), desaturated."""
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    palette = sns.color_palette(None if n <= len(cycle) else "husl", n)
    return [sns.desaturate(c, saturation) if saturation < 1 else tuple(c) for c in palette]


def bars(ax: plt.Axes, frame: pd.DataFrame, x: str, y: str, hue: str | None = None,
         horizontal: bool = False) -> plt.Axes:
    """Bars of the mean of ``y`` per category of ``x`` (side by side per ``hue``), drawn with matplotlib.

    The same chart as seaborn's ``barplot(errorbar=None)`` (positions, widths, colours at 0.75 saturation, the
    category axis without grid lines, axis names, the legend of hues titled ``hue``) without its statistics
    machinery (30–60 ms less a chart to build, issue 22); tests/test_chart_bars.py compares the two artist by
    artist and pixel by pixel.
    Rows missing ``x``, ``y`` or ``hue`` draw no bar; a category whose values are all missing keeps its place.
    """
    columns = [x, y] + ([hue] if hue else [])
    cats = levels(frame[x])
    hues = levels(frame[hue]) if hue else [None]
    colours = hue_colours(len(hues), 0.75)
    dodge = bool(hue) and frame[[x]].value_counts().size != frame[[x, hue]].value_counts().size
    shown = frame[columns].dropna()
    position = {c: i for i, c in enumerate(cats)}
    for index, (level, colour) in enumerate(zip(hues, colours, strict=True)):
        rows = shown if level is None else shown[shown[hue] == level]
        means = rows.groupby(rows[x].map(position))[y].mean()  # by position: seaborn's order within a hue
        at = means.index.to_numpy(dtype=float)
        width = 0.8
        if dodge:  # seaborn's arithmetic, to the last bit: the same pixels
            width = 0.8 / len(hues)
            at = at + (width * index + width / 2 - width * len(hues) / 2)
        edge = at - width / 2
        size = (at + width / 2) - edge
        if horizontal:
            ax.barh(y=edge, width=means.to_numpy(), height=size, align="edge", color=colour, facecolor=colour)
        else:
            ax.bar(x=edge, height=means.to_numpy(), width=size, align="edge", color=colour, facecolor=colour)
    if hue and len(cats):
        for level, colour in zip(hues, colours, strict=True):  # empty patches as seaborn's legend keys
            ax.add_artist(matplotlib.patches.Rectangle((0, 0), 0, 0, facecolor=colour, label=level))
        ax.legend(title=hue)
    axis = ax.yaxis if horizontal else ax.xaxis
    if len(cats):
        axis.set_ticks(range(len(cats)), labels=[str(c) for c in cats])
        axis.grid(False)
        if horizontal:
            ax.set_ylim(len(cats) - 0.5, -0.5, auto=None)
        else:
            ax.set_xlim(-0.5, len(cats) - 0.5, auto=None)
    ax.set_xlabel(y if horizontal else x)
    ax.set_ylabel(x if horizontal else y)
    return ax


def dots(ax: plt.Axes, frame: pd.DataFrame, x: str, y: str, hue: str, size: float = 5.0, linewidth: float = 0.0,
         edgecolor: str = "white") -> list[matplotlib.lines.Line2D]:
    """A dot per row at its value of ``x`` on the row of its category of ``y``, side by side per ``hue``.

    The same chart as seaborn's ``stripplot(orient y, jitter=False, dodge=True)`` (the hues' colours, the
    dodge offsets, empty groups, the category axis without grid lines, axis names) drawn with matplotlib,
    ~30–45 ms less to build (issue 22); tests/test_chart_bars.py compares the two artist by artist and pixel by
    pixel. Returns the legend keys (one marker per hue, added to the axes as seaborn did); the caller draws
    the legend. Rows missing ``x``, ``y`` or ``hue`` draw no dot; a category without a dot keeps its row.
    """
    if frame.empty:  # as seaborn: nothing drawn, no axis set up
        return []
    cats = levels(frame[y])
    hues = levels(frame[hue])
    colours = hue_colours(len(hues))
    shown = frame[[x, y, hue]].dropna()
    position = shown[y].map({c: i for i, c in enumerate(cats)})
    each = 0.8 / max(len(hues), 1)
    offsets = np.linspace(0, 0.8 - each, len(hues))
    offsets -= offsets.mean()
    for at in np.sort(position.unique()):  # seaborn's order: categories with a dot, then every hue
        for index, (level, colour) in enumerate(zip(hues, colours, strict=True)):
            rows = (position == at) & (shown[hue] == level)
            count = int(rows.sum())
            points = ax.scatter(shown.loc[rows, x].to_numpy(dtype=float), np.full(count, at + offsets[index]),
                                s=size ** 2, edgecolor=edgecolor, linewidth=linewidth, zorder=3)
            points.set_facecolor([colour] * count)  # after drawing, as seaborn: the cycle's colour is passed over
    keys = []
    for level, colour in zip(hues, colours, strict=True):
        key = matplotlib.lines.Line2D([], [], linestyle="", marker="o", markersize=size, color=colour,
                                      markerfacecolor=colour, markeredgecolor=edgecolor, markeredgewidth=linewidth,
                                      zorder=3, label=level)
        ax.add_artist(key)
        keys.append(key)
    if len(cats):
        ax.yaxis.set_ticks(range(len(cats)), labels=[str(c) for c in cats])
        ax.yaxis.grid(False)
        ax.set_ylim(len(cats) - 0.5, -0.5, auto=None)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    return keys


def bar_chart(frame: pd.DataFrame, x: str, y: str, hue: str | None = None, title: str = "",
              percent: bool = False, horizontal: bool = False) -> plt.Figure:
    """A labelled bar chart (optionally grouped by hue, optionally as percentages)."""
    fig, ax = subplots()
    bars(ax, frame, x, y, hue=hue, horizontal=horizontal)
    if percent:
        fmt = matplotlib.ticker.PercentFormatter(1.0)
        (ax.xaxis if horizontal else ax.yaxis).set_major_formatter(fmt)
    ax.set_title(title)
    return fig


def heatmap(matrix: pd.DataFrame, title: str, fmt: str = "d", cmap: str = "Reds",
            annot: bool = True) -> plt.Figure:
    """An annotated heatmap (e.g. the risk matrix: impact × probability band)."""
    fig, ax = subplots(figsize=(8, 4))
    sns.heatmap(matrix, annot=annot, fmt=fmt, cmap=cmap, cbar=False, linewidths=0.5, ax=ax)
    ax.set_title(title)
    return fig


def label_axes(fig: plt.Figure, x: str = "", y: str = "", legend: str | None = None) -> plt.Figure:
    """Name the axes (and the legend) of a one-axes figure in the reader's words instead of column names."""
    ax = fig.axes[0]
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    box = ax.get_legend()
    if legend is not None and box is not None:
        box.set_title(legend)
    return fig


def close(fig: plt.Figure) -> None:
    """Release a figure's memory after it has been shown and saved."""
    plt.close(fig)
