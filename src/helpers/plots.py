"""Charts shared by the notebooks, with CJK text rendered when a CJK font is installed.

Call `setup_style()` once at the top of a notebook: it picks a CJK-capable font if the machine has
one (post titles and topics are often Chinese) and says once, clearly, when it has none.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd
import seaborn as sns
from matplotlib import font_manager

from helpers.report import format_number

#: CJK-capable font families, most preferred first (Linux, macOS, Windows names).
CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
    "PingFang SC", "Hiragino Sans GB", "Heiti SC", "Microsoft YaHei", "SimHei", "Arial Unicode MS",
)
_FONT_NOTICE_SHOWN = False
STATUS_COLOURS = {"healthy": "#2e7d32", "watch": "#f9a825", "at risk": "#c62828", "info": "#607d8b",
                  "missing": "#9e9e9e"}


def _slant_dates(ax: plt.Axes) -> None:
    """Slant date tick labels so they do not overlap (works with the constrained layout)."""
    for label in ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")


def find_cjk_font() -> str | None:
    """The first installed CJK-capable font family, or None when the machine has none."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def setup_style() -> str | None:
    """Apply the suite's chart style and a CJK font; warn once if no CJK font is installed."""
    global _FONT_NOTICE_SHOWN
    sns.set_theme(style="whitegrid", context="notebook")
    font = find_cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
        plt.rcParams["font.family"] = "sans-serif"
    elif not _FONT_NOTICE_SHOWN:
        _FONT_NOTICE_SHOWN = True
        print("Note: no CJK font is installed, so Chinese text in charts shows as boxes. "
              "Install one (e.g. `apt-get install fonts-wqy-microhei` or `fonts-noto-cjk`) and re-run. "
              "Tables and CSV files are not affected.")
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["figure.figsize"] = (10, 4.5)
    warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
    return font


def trend_chart(history: pd.DataFrame, x: str, y: str, hue: str | None = None, target: str | None = None,
                title: str = "", highlight: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> plt.Figure:
    """Line chart of a KPI over time (one line per hue), with a dashed target line where one exists."""
    fig, ax = plt.subplots(layout="constrained")
    groups = history.groupby(hue, sort=False) if hue else [("", history)]
    palette = sns.color_palette(n_colors=max(len(groups), 1))
    has_target = False
    for colour, (name, group) in zip(palette, groups):
        group = group.sort_values(x)
        ax.plot(group[x], group[y], marker="o", color=colour, label=str(name) if hue else None)
        if target and target in group and group[target].notna().any():
            has_target = True
            ax.plot(group[x], group[target], linestyle="--", color=colour, alpha=0.7)
    if hue:
        ax.legend(title=hue, fontsize=9)
    if has_target:
        ax.text(0.01, 0.97, "dashed: target", transform=ax.transAxes, va="top", fontsize=9, color="#555")
    if highlight is not None:
        ax.axvspan(highlight[0], highlight[1], color="#ffe082", alpha=0.3, zorder=0)
    ax.set_title(title)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: format_number(v)))
    _slant_dates(ax)
    return fig


def anomaly_chart(series: pd.DataFrame, title: str) -> plt.Figure:
    """Observed vs expected daily values with anomalies marked (columns: date, observed, expected, is_anomaly)."""
    fig, ax = plt.subplots(figsize=(10, 3.5), layout="constrained")
    ax.plot(series["date"], series["observed"], label="observed", color="#1565c0")
    ax.plot(series["date"], series["expected"], label="expected", color="#90a4ae", linestyle="--")
    flagged = series[series["is_anomaly"]]
    ax.scatter(flagged["date"], flagged["observed"], color="#c62828", zorder=3, label="alert", s=50)
    ax.set_title(title)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: format_number(v)))
    ax.legend(loc="upper left")
    _slant_dates(ax)
    return fig


def bar_chart(frame: pd.DataFrame, x: str, y: str, hue: str | None = None, title: str = "",
              percent: bool = False, horizontal: bool = False) -> plt.Figure:
    """A labelled bar chart (optionally grouped by hue, optionally as percentages)."""
    fig, ax = plt.subplots(layout="constrained")
    if horizontal:
        sns.barplot(data=frame, y=x, x=y, hue=hue, ax=ax, orient="h", errorbar=None)
    else:
        sns.barplot(data=frame, x=x, y=y, hue=hue, ax=ax, errorbar=None)
    if percent:
        fmt = matplotlib.ticker.PercentFormatter(1.0)
        (ax.xaxis if horizontal else ax.yaxis).set_major_formatter(fmt)
    ax.set_title(title)
    return fig


def funnel_chart(funnel: pd.DataFrame, title: str = "Funnel") -> plt.Figure:
    """Step values per platform on a log scale, with step conversion rates annotated."""
    fig, ax = plt.subplots(layout="constrained")
    sns.barplot(data=funnel, x="label", y="value", hue="platform", ax=ax, errorbar=None)
    ax.set_yscale("log")
    ax.set_xlabel("")
    ax.set_title(title)
    return fig


def heatmap(matrix: pd.DataFrame, title: str, fmt: str = "d", cmap: str = "Reds",
            annot: bool = True) -> plt.Figure:
    """An annotated heatmap (e.g. the risk matrix: impact × probability band)."""
    fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    sns.heatmap(matrix, annot=annot, fmt=fmt, cmap=cmap, cbar=False, linewidths=0.5, ax=ax)
    ax.set_title(title)
    return fig


def scorecard_chart(scorecard: pd.DataFrame, kpis: Sequence[str]) -> plt.Figure:
    """Attainment per KPI (rows) and platform (colours) over status zones: red < 90 %, amber < 100 %."""
    data = scorecard[scorecard["kpi"].isin(kpis) & scorecard["attainment"].notna()]
    fig, ax = plt.subplots(figsize=(10, 0.6 * max(data["label"].nunique(), 4) + 1), layout="constrained")
    low = min(0.8, float(data["attainment"].min()) - 0.05) if len(data) else 0.8
    high = max(1.2, float(data["attainment"].max()) + 0.05) if len(data) else 1.2
    ax.axvspan(low, 0.9, color=STATUS_COLOURS["at risk"], alpha=0.08)
    ax.axvspan(0.9, 1.0, color=STATUS_COLOURS["watch"], alpha=0.12)
    ax.axvspan(1.0, high, color=STATUS_COLOURS["healthy"], alpha=0.08)
    sns.stripplot(data=data, y="label", x="attainment", hue="platform", size=9, ax=ax, jitter=False,
                  dodge=True, linewidth=0.5, edgecolor="white")
    ax.axvline(1.0, color="#333", linewidth=1)
    ax.set_xlim(low, high)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("attainment (actual ÷ target); zones: at risk < 90 % ≤ watch < 100 % ≤ healthy")
    ax.set_ylabel("")
    ax.legend(title="platform", loc="lower right", fontsize=8)
    ax.set_title("Target attainment by KPI and platform")
    return fig


def trend_explorer(history: pd.DataFrame, kpi_labels: dict[str, str]) -> "widgets.VBox":
    """Dropdowns (KPI, platform) that redraw a trend chart on change, for a person in JupyterLab.

    Nothing is drawn until a choice changes, so a headless run shows only the static charts and
    never waits on a widget.
    """
    import ipywidgets as widgets
    from IPython.display import display

    kpi = widgets.Dropdown(options=[(kpi_labels.get(k, k), k) for k in history["kpi"].unique()], description="KPI")
    platforms = ["all platforms", *sorted(history["platform"].unique())]
    platform = widgets.Dropdown(options=platforms, description="Platform")
    output = widgets.Output()

    def redraw(_: object = None) -> None:
        data = history[history["kpi"] == kpi.value]
        if platform.value != "all platforms":
            data = data[data["platform"] == platform.value]
        output.clear_output(wait=True)
        with output:
            fig = trend_chart(data, "period_start", "value", hue="platform", target="target",
                              title=kpi_labels.get(kpi.value, kpi.value))
            display(fig)
            close(fig)

    kpi.observe(redraw, names="value")
    platform.observe(redraw, names="value")
    return widgets.VBox([widgets.HBox([kpi, platform]), output])


def close(fig: plt.Figure) -> None:
    """Release a figure's memory after it has been shown and saved."""
    plt.close(fig)



def forest_chart(results: pd.DataFrame, title: str = "Difference vs control with confidence intervals") -> plt.Figure:
    """Relative difference per metric and variant with its interval; the zero line marks 'no effect'."""
    data = results.dropna(subset=["rel_diff"]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9, 0.55 * max(len(data), 3) + 1.2), layout="constrained")
    labels = [f"{r.metric} · {r.variant}" for r in data.itertuples()]
    colours = ["#2e7d32" if s and d > 0 else "#c62828" if s else "#607d8b"
               for s, d in zip(data["significant"].fillna(False), data["rel_diff"], strict=True)]
    y = list(range(len(data)))[::-1]
    for pos, colour, r in zip(y, colours, data.itertuples(), strict=True):
        ax.errorbar([r.rel_diff], [pos], xerr=[[r.rel_diff - r.rel_ci_low], [r.rel_ci_high - r.rel_diff]],
                    fmt="o", color=colour, elinewidth=2, capsize=4)
    ax.axvline(0, color="#333", linewidth=1)
    ax.set_yticks(y, labels)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("relative difference vs control (green/red: significant after correction)")
    ax.set_title(title)
    return fig


def cumulative_chart(cumulative: pd.DataFrame, title: str) -> plt.Figure:
    """Running difference with the naive (peeking-unsafe) interval and the always-valid one."""
    fig, ax = plt.subplots(figsize=(10, 3.8), layout="constrained")
    ax.fill_between(cumulative["date"], cumulative["cs_low"], cumulative["cs_high"], color="#90caf9", alpha=0.5,
                    label="always-valid interval (safe to peek)")
    ax.plot(cumulative["date"], cumulative["fixed_low"], color="#ef6c00", linestyle="--", linewidth=1,
            label="fixed-horizon interval (valid only at the planned end)")
    ax.plot(cumulative["date"], cumulative["fixed_high"], color="#ef6c00", linestyle="--", linewidth=1)
    ax.plot(cumulative["date"], cumulative["diff"], color="#1565c0", marker="o", label="difference so far")
    ax.axhline(0, color="#333", linewidth=1)
    ax.legend(loc="best", fontsize=8)
    ax.set_title(title)
    _slant_dates(ax)
    return fig
