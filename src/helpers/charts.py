"""The chart base every analysis draws on: the suite's style, a CJK font on any machine, shared charts.

Post titles and topics are often Chinese. `setup_style()` picks a CJK-capable system font when the
machine has one and otherwise registers the Noto Sans CJK SC font that ships with the `mplfonts`
dependency, by file path (`font_manager.addfont`), so a stale matplotlib font cache or a machine
without root never shows Chinese as boxes. It prints nothing: checked notebook outputs never depend
on the machine; what it chose is in `chart_font()` and, when even the bundled font is missing, in a
logged warning.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import cbook, font_manager
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import ConstrainedLayoutEngine, LayoutEngine

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


class LabelMarginLayout(LayoutEngine):
    """Margins sized from the figure's own labels, measured once as the figure is drawn (issue 22).

    The constrained layout lays out every axis (its ticks and their labels) twice before the draw lays it out
    a third time; on the review's charts those passes were a third of the drawing. This engine measures what
    sits around each axes without laying out the axes: the tick labels the axis will draw (its locator and
    formatter give the texts; the font gives their size, slant included), the axis labels, the title and a
    legend placed outside the axes, and sets the margins (``subplots_adjust``) to fit them. It knows one row
    of axes (a chart, or panels side by side); anything else (several rows, a figure legend or title, a
    colorbar, an inset) is laid out by the constrained layout, as before.
    """

    _adjust_compatible = True
    _colorbar_gridspec = True

    def __init__(self, pad: float = 4 / 72, **kwargs: Any) -> None:
        """``pad``: the blank kept at the figure's edges and between panels, in inches (as constrained's pads)."""
        super().__init__(**kwargs)
        self.pad = pad

    def execute(self, fig: Any) -> None:
        """Set the figure's margins from its labels (or hand a layout it does not know to the constrained one)."""
        axes = [ax for ax in fig.axes if ax.get_visible()]
        grids = {ax.get_gridspec() for ax in axes}
        if (not axes or len(grids) != 1 or None in grids or next(iter(grids)).nrows != 1 or fig._suptitle
                or fig._supxlabel or fig._supylabel or fig.legends or fig.subfigs or len(axes) != len(fig.axes)
                or any(ax.child_axes or ax.get_subplotspec().colspan.stop - ax.get_subplotspec().colspan.start != 1
                       for ax in axes)):
            ConstrainedLayoutEngine().execute(fig)
            return
        renderer = fig._get_renderer()
        width, height = fig.get_size_inches()
        axes.sort(key=lambda ax: ax.get_subplotspec().colspan.start)
        for _ in range(2):  # the second pass sees the axes at their size (the ticks a locator picks depend on it)
            needs = [_margins_needed(ax, renderer) for ax in axes]
            left = needs[0][0] + self.pad
            right = needs[-1][1] + self.pad
            top = max(n[2] for n in needs) + self.pad
            bottom = max(n[3] for n in needs) + self.pad
            gap = max((a[1] + b[0] + 2 * self.pad for a, b in itertools.pairwise(needs)), default=0.0)
            panel = (width - left - right - gap * (len(axes) - 1)) / len(axes)
            if panel <= 0.5 or height - top - bottom <= 0.5:  # labels too big for the figure: let constrained try
                ConstrainedLayoutEngine().execute(fig)
                return
            fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height,
                                bottom=bottom / height, wspace=gap / panel if len(axes) > 1 else None)


def _text_size(renderer: Any, texts: list[str], size: float, rotation: float = 0.0) -> tuple[float, float]:
    """Width and height in inches of the bounding box of the widest and tallest of ``texts`` at ``size`` points."""
    prop = FontProperties(size=size)
    dpi = renderer.points_to_pixels(72.0)
    boxes = [(0.0, 0.0)]
    for text in texts:
        if not text:
            continue
        lines = str(text).split("\n")
        # matplotlib's own cache of text sizes: the draw that follows finds these labels measured
        sizes = [mpl.text._get_text_metrics_with_cache(  # type: ignore[attr-defined]
                     renderer, line or "lp", prop, cbook.is_math_text(line),
                                                       dpi)[:2] for line in lines]
        w = max(s[0] for s in sizes)
        h = sum(max(s[1], prop.get_size_in_points() * renderer.points_to_pixels(1.0)) for s in sizes)
        angle = np.deg2rad(rotation)
        boxes.append((abs(w * np.cos(angle)) + abs(h * np.sin(angle)), abs(w * np.sin(angle)) + abs(h * np.cos(angle))))
    return max(b[0] for b in boxes) / dpi, max(b[1] for b in boxes) / dpi


def _tick_texts(axis: Any) -> tuple[list[float], list[str]]:
    """The major tick positions and labels the axis will draw (locator and formatter, as its draw calls them)."""
    if not axis._major_tick_kw.get("label1On", True) or isinstance(axis.get_major_locator(),
                                                                    matplotlib.ticker.NullLocator):
        return [], []
    locs = list(axis.get_majorticklocs())
    labels = axis.major.formatter.format_ticks(locs)
    low, high = sorted(axis.get_view_interval())
    tol = (high - low) * 1e-9
    shown = [(loc, text) for loc, text in zip(locs, labels, strict=True) if low - tol <= loc <= high + tol]
    return [loc for loc, _ in shown], [text for _, text in shown]


def _tick_rotation(axis: Any) -> float:
    """The slant of the axis' tick labels in degrees: its first tick's (new ticks copy the first one's)."""
    return float(axis.majorTicks[0].label1.get_rotation())


def _margins_needed(ax: Any, renderer: Any) -> tuple[float, float, float, float]:
    """Inches needed left, right, above and below the axes for its labels, title and outside legend."""
    rc = mpl.rcParams
    fig = ax.get_figure()
    box = ax.get_position()
    axes_width = box.width * fig.get_size_inches()[0]
    axes_box = box.transformed(fig.transFigure).transformed(fig.dpi_scale_trans.inverted())  # inches
    left = right = top = bottom = 0.0
    # y: tick labels, then the axis label
    _, ylabels = _tick_texts(ax.yaxis)
    if ylabels:
        w, h = _text_size(renderer, ylabels, ax.yaxis._get_tick_label_size("y"), _tick_rotation(ax.yaxis))
        left += w + (rc["ytick.major.size"] + rc["ytick.major.pad"]) / 72
        top = bottom = h / 2  # the top and bottom labels are centred on the axes' edges
    if ax.yaxis.label.get_visible() and ax.get_ylabel():
        _, h = _text_size(renderer, [ax.get_ylabel()], ax.yaxis.label.get_fontsize())
        left += h + ax.yaxis.labelpad / 72
    # x: tick labels (slanted or not), then the axis label
    xlocs, xlabels = _tick_texts(ax.xaxis)
    if xlabels:
        rotation = _tick_rotation(ax.xaxis)
        size = ax.xaxis._get_tick_label_size("x")
        w, h = _text_size(renderer, xlabels, size, rotation)
        bottom = max(bottom, 0.0) + h + (rc["xtick.major.size"] + rc["xtick.major.pad"]) / 72
        # how far the first and last labels reach past the axes' sides
        to_axes = ax.transData + ax.transAxes.inverted()
        for loc, text in ((xlocs[0], xlabels[0]), (xlocs[-1], xlabels[-1])):
            x = to_axes.transform((loc, 0.0))[0] * axes_width
            tw, _ = _text_size(renderer, [text], size, rotation)
            reach_left, reach_right = (tw, 0.0) if rotation % 180 else (tw / 2, tw / 2)
            left = max(left, reach_left - x)
            right = max(right, x + reach_right - axes_width)
    if ax.xaxis.label.get_visible() and ax.get_xlabel():
        _, h = _text_size(renderer, [ax.get_xlabel()], ax.xaxis.label.get_fontsize())
        bottom += h + ax.xaxis.labelpad / 72
    # title, and a legend above the axes
    title = ax.title.get_text() if ax.title.get_visible() else ""
    above = 0.0
    if title:
        _, h = _text_size(renderer, [title], ax.title.get_fontsize())
        above = h + rc["axes.titlepad"] / 72
    legend = ax.get_legend()
    if legend is not None and legend.get_visible():
        bbox = legend.get_window_extent(renderer).transformed(fig.dpi_scale_trans.inverted())
        above = max(above, bbox.y1 - axes_box.y1 + (h + rc["axes.titlepad"] / 72 if title else 0.0))
        right = max(right, bbox.x1 - axes_box.x1)
        left = max(left, axes_box.x0 - bbox.x0)
        bottom = max(bottom, axes_box.y0 - bbox.y0)
    # texts the chart placed itself (a value at a bar's end may reach past the axes)
    for text in ax.texts:
        if text.get_visible() and text.get_in_layout() and text.get_text():
            bbox = text.get_window_extent(renderer).transformed(fig.dpi_scale_trans.inverted())
            left, right = max(left, axes_box.x0 - bbox.x0), max(right, bbox.x1 - axes_box.x1)
            above, bottom = max(above, bbox.y1 - axes_box.y1), max(bottom, axes_box.y0 - bbox.y0)
    return left, right, max(top, above), bottom


def subplots(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] | None = None,
             layout: str | LayoutEngine = "constrained", **kwargs: Any) -> tuple[Figure, Any]:
    """A new figure and its axes as ``pyplot.subplots`` gives them, but outside pyplot's global state.

    pyplot never sees the figure, so the inline backend does not show it a second time, an
    explorer may draw it in its own thread, and it is freed once unreferenced. ``layout``: the constrained
    layout, or ``"labels"`` for `LabelMarginLayout` (margins measured from the labels once: cheaper).
    """
    engine: Any = LabelMarginLayout() if layout == "labels" else layout
    fig = Figure(figsize=figsize, layout=engine)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def slant_dates(ax: plt.Axes) -> None:
    """Slant date tick labels so they do not overlap (works with the constrained layout).

    Set as a tick parameter, so it holds for every tick the axis draws: 30°, the label's end at its tick (the
    "xtick" rotation mode aligns a 30° label right). Asking for the labels instead (``get_xticklabels``) would
    lay out every tick of the axis once more before the chart is drawn (~15 ms a chart, issue 22).
    """
    ax.tick_params(axis="x", labelrotation=30, labelrotation_mode="xtick")


def bar_chart(frame: pd.DataFrame, x: str, y: str, hue: str | None = None, title: str = "",
              percent: bool = False, horizontal: bool = False, layout: str = "constrained") -> plt.Figure:
    """A labelled bar chart (optionally grouped by hue, optionally as percentages); ``layout`` as `subplots`."""
    fig, ax = subplots(layout=layout)
    if horizontal:
        sns.barplot(data=frame, y=x, x=y, hue=hue, ax=ax, orient="h", errorbar=None)
    else:
        sns.barplot(data=frame, x=x, y=y, hue=hue, ax=ax, errorbar=None)
    if percent:
        fmt = matplotlib.ticker.PercentFormatter(1.0)
        (ax.xaxis if horizontal else ax.yaxis).set_major_formatter(fmt)
    ax.set_title(title)
    return fig


def heatmap(matrix: pd.DataFrame, title: str, fmt: str = "d", cmap: str = "Reds",
            annot: bool = True, layout: str = "constrained") -> plt.Figure:
    """An annotated heatmap (e.g. the risk matrix: impact × probability band); ``layout`` as `subplots`."""
    fig, ax = subplots(figsize=(8, 4), layout=layout)
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
