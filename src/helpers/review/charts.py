"""Charts of the period review: KPI trends, anomaly alerts, the funnel, the attainment board, the trend explorer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd
import seaborn as sns

from helpers.charts import STATUS_COLOURS, close, slant_dates
from helpers.charts import bar_chart, close, heatmap, setup_style  # noqa: F401  (re-exported for the notebook)
from helpers.report import format_number

if TYPE_CHECKING:
    import ipywidgets as widgets


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
    slant_dates(ax)
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
    slant_dates(ax)
    return fig


def funnel_chart(funnel: pd.DataFrame, title: str = "Funnel") -> plt.Figure:
    """Step values per platform on a log scale, with step conversion rates annotated."""
    fig, ax = plt.subplots(layout="constrained")
    values = pd.to_numeric(funnel["value"], errors="coerce") if "value" in funnel.columns else pd.Series(dtype=float)
    if not (values > 0).any():  # nothing to draw on a log scale: say so instead of failing
        ax.text(0.5, 0.5, "No funnel data in this period (no platform reports impressions, clicks or conversions)",
                ha="center", va="center", transform=ax.transAxes, wrap=True)
        ax.set_axis_off()
        ax.set_title(title)
        return fig
    sns.barplot(data=funnel, x="label", y="value", hue="platform", ax=ax, errorbar=None)
    ax.set_yscale("log")
    ax.set_xlabel("")
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
    if ax.get_legend_handles_labels()[0]:
        ax.legend(title="platform", loc="lower right", fontsize=8)
    else:
        ax.text(0.5, 0.5, "no KPI has a target", transform=ax.transAxes, ha="center", color="#666")
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
