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


# ---------------------------------------------------------------------------------------------
# Competitor analysis charts (issue 5)
# ---------------------------------------------------------------------------------------------

from collections.abc import Callable  # noqa: E402  (the competitor section is appended to this module)

OWN_COLOUR = "#c62828"


def _account_colours(accounts: Sequence[str], highlight: str | Sequence[str] | None = None) -> dict[str, object]:
    """One colour per account: the highlighted (own) account red, the others from a muted palette."""
    marked = {highlight} if isinstance(highlight, str) else set(highlight or ())
    others = [a for a in accounts if a not in marked]
    deep = sns.color_palette("deep", n_colors=10)
    palette = [c for i, c in enumerate(deep) if i != 3]  # the palette's red is kept for the own account
    palette = (palette * (len(others) // len(palette) + 1))[:max(len(others), 1)]
    colours: dict[str, object] = {a: OWN_COLOUR for a in accounts if a in marked}
    colours.update(dict(zip(others, palette)))
    return colours


def indexed_growth_chart(index: pd.DataFrame, title: str = "Followers indexed to 100 at the period start",
                         highlight: str | Sequence[str] | None = None) -> plt.Figure:
    """Follower trajectories of accounts of different sizes on one axis (columns: date, account_id, index)."""
    fig, ax = plt.subplots(layout="constrained")
    accounts = list(dict.fromkeys(index["account_id"]))
    colours = _account_colours(accounts, highlight)
    marked = {highlight} if isinstance(highlight, str) else set(highlight or ())
    for account in accounts:
        data = index[index["account_id"] == account].sort_values("date")
        ax.plot(data["date"], data["index"], color=colours[account], label=account,
                linewidth=2.6 if account in marked else 1.4)
    ax.axhline(100, color="#333", linewidth=0.8, linestyle=":")
    ax.set_title(title)
    ax.set_ylabel("index (period start = 100)")
    ax.legend(fontsize=8, loc="upper left")
    _slant_dates(ax)
    return fig


def share_of_voice_chart(sov: pd.DataFrame, value: str = "engagement_share", title: str = "Share of voice",
                         highlight: str | Sequence[str] | None = None) -> plt.Figure:
    """Stacked area of each account's share per period (columns: period_start, account_id, <value>)."""
    table = sov.pivot_table(index="period_start", columns="account_id", values=value, sort=False).fillna(0.0)
    accounts = list(dict.fromkeys(sov["account_id"]))
    table = table[[a for a in accounts if a in table.columns]]
    colours = _account_colours(list(table.columns), highlight)
    fig, ax = plt.subplots(layout="constrained")
    ax.stackplot(table.index, table.T.to_numpy(), labels=list(table.columns),
                 colors=[colours[a] for a in table.columns], alpha=0.85)
    ax.set_ylim(0, 1)
    ax.set_xlim(table.index.min(), table.index.max())
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _slant_dates(ax)
    return fig


def radar_chart(scores: pd.DataFrame, labels: dict[str, str] | None = None,
                title: str = "Accounts on normalised KPIs (outward = better)",
                highlight: str | Sequence[str] | None = None) -> plt.Figure:
    """Radar of accounts on 0–1 scaled KPIs (rows: accounts with account_id; columns: metrics)."""
    import numpy as np

    metrics = [c for c in scores.columns if c != "account_id"]
    if len(metrics) < 3:
        raise ValueError("a radar chart needs at least three metrics")
    labels = labels or {}
    angles = np.linspace(0, 2 * np.pi, len(metrics), endpoint=False).tolist()
    fig, ax = plt.subplots(figsize=(7.5, 6.5), subplot_kw={"polar": True}, layout="constrained")
    accounts = list(scores["account_id"])
    colours = _account_colours(accounts, highlight)
    marked = {highlight} if isinstance(highlight, str) else set(highlight or ())
    for _, row in scores.iterrows():
        values = row[metrics].astype(float).tolist()
        account = row["account_id"]
        missing = [labels.get(m, m) for m, v in zip(metrics, values) if pd.isna(v)]
        label = f"{account} (missing: {', '.join(missing)})" if missing else account
        width = 2.6 if account in marked else 1.3
        # a missing KPI breaks the outline (a gap, never a point at 0); the area is filled only when complete
        ax.plot(angles + angles[:1], values + values[:1], color=colours[account], linewidth=width, label=label,
                marker="o", markersize=3)
        if not missing:
            ax.fill(angles + angles[:1], values + values[:1], color=colours[account],
                    alpha=0.12 if account in marked else 0.04)
    ax.set_xticks(angles, [labels.get(m, m) for m in metrics], fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_yticks([0.25, 0.5, 0.75], ["", "", ""])
    ax.set_title(title, pad=18)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=3, frameon=False)
    return fig


def lift_chart(table: pd.DataFrame, key: str, title: str = "Engagement-rate lift with vs without (95 % CI)",
               max_rows: int = 15) -> plt.Figure:
    """Lift per tag with its interval on a log axis; the line at 1 marks 'no difference' (columns: key, lift, CIs)."""
    data = table.dropna(subset=["lift"]).head(max_rows).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9, 0.42 * max(len(data), 3) + 1.3), layout="constrained")
    y = list(range(len(data)))[::-1]
    for pos, r in zip(y, data.itertuples(), strict=True):
        low = r.lift_ci_low if pd.notna(r.lift_ci_low) else r.lift
        high = r.lift_ci_high if pd.notna(r.lift_ci_high) else r.lift
        colour = "#2e7d32" if low > 1 else "#c62828" if high < 1 else "#607d8b"
        ax.errorbar([r.lift], [pos], xerr=[[r.lift - low], [high - r.lift]], fmt="o", color=colour,
                    elinewidth=2, capsize=3)
    ax.axvline(1.0, color="#333", linewidth=1)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}×"))
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_yticks(y, [str(v) for v in data[key]])
    ax.set_xlabel("lift (ratio of geometric-mean ER, with ÷ without); green/red: interval excludes 1")
    ax.set_title(title)
    return fig


def metric_bar_chart(benchmark: pd.DataFrame, metric: str, title: str = "",
                     highlight: str | Sequence[str] | None = None, percent: bool = False,
                     reference: str = "field median") -> plt.Figure:
    """One benchmark metric per account as bars, the reference row (field median) as a dashed line."""
    rows = benchmark[benchmark["account_id"] != reference]
    fig, ax = plt.subplots(figsize=(9, 3.8), layout="constrained")
    colours = _account_colours(list(rows["account_id"]), highlight)
    values = rows[metric].astype(float)
    ax.bar(rows["account_id"], values.fillna(0.0), color=[colours[a] for a in rows["account_id"]])
    for pos, value in enumerate(values):
        text = "missing" if pd.isna(value) else (f"{value:.2%}" if percent else format_number(value))
        ax.text(pos, 0 if pd.isna(value) else value, text, ha="center", va="bottom", fontsize=8)
    ref = benchmark.loc[benchmark["account_id"] == reference, metric]
    if len(ref) and pd.notna(ref.iloc[0]):
        ax.axhline(float(ref.iloc[0]), color="#333", linestyle="--", linewidth=1, label=reference)
        ax.legend(fontsize=8, loc="upper right")
    if percent:
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    else:
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: format_number(v)))
    ax.set_title(title or metric)
    ax.tick_params(axis="x", labelsize=8)
    return fig


def stacked_share_chart(table: pd.DataFrame, index: str, column: str, value: str, title: str = "",
                        order: Sequence[str] | None = None) -> plt.Figure:
    """Horizontal 100 % stacked bars: each ``index`` row split by ``column`` (e.g. accounts by pillar), rows in ``order``."""
    wide = table.pivot_table(index=index, columns=column, values=value, aggfunc="sum", sort=False).fillna(0.0)
    if order is not None:
        wide = wide.reindex([o for o in order if o in wide.index])
    fig, ax = plt.subplots(figsize=(10, 0.5 * max(len(wide), 3) + 1.4), layout="constrained")
    left = pd.Series(0.0, index=wide.index)
    palette = sns.color_palette("Set2", n_colors=max(len(wide.columns), 1))
    for colour, name in zip(palette, wide.columns):
        ax.barh(wide.index.astype(str), wide[name], left=left, color=colour, label=str(name))
        for pos, (start, width) in enumerate(zip(left, wide[name])):
            if width >= 0.06:
                ax.text(start + width / 2, pos, f"{width:.0%}", ha="center", va="center", fontsize=7)
        left = left + wide[name]
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlim(0, 1)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title=column)
    return fig


def benchmark_explorer(compute: Callable[[str, list[str]], pd.DataFrame], competitors: dict[str, list[str]],
                       metric_labels: dict[str, str], platform: str | None = None,
                       percent_metrics: Sequence[str] = ("growth_pct", "er_mean_of_rates", "er_rate_of_sums")
                       ) -> "widgets.VBox":
    """Platform, competitors and metric controls that redraw a benchmark bar chart, for a person in JupyterLab.

    ``compute(platform, competitor_ids)`` returns a benchmark table (with a field-median row);
    ``competitors`` maps each platform to its competitor ids. Nothing is drawn until a choice
    changes, so a headless run never waits on a widget.
    """
    import ipywidgets as widgets
    from IPython.display import display

    platforms = list(competitors)
    start = platform if platform in competitors else (platforms[0] if platforms else None)
    platform_box = widgets.Dropdown(options=platforms, value=start, description="Platform")
    chosen = widgets.SelectMultiple(options=competitors.get(start, []), value=tuple(competitors.get(start, [])),
                                    description="Competitors", rows=min(max(len(competitors.get(start, [])), 2), 8))
    metric = widgets.Dropdown(options=[(label, key) for key, label in metric_labels.items()], description="Metric")
    output = widgets.Output()
    busy = {"switching": False}

    def redraw(_: object = None) -> None:
        if busy["switching"]:
            return
        output.clear_output(wait=True)
        with output:
            if not chosen.value:
                print("Choose at least one competitor.")
                return
            table = compute(platform_box.value, list(chosen.value))
            own = table.loc[table["role"] == "own", "account_id"].tolist()
            fig = metric_bar_chart(table, metric.value, title=f"{metric_labels[metric.value]} · {platform_box.value}",
                                   highlight=own, percent=metric.value in percent_metrics)
            display(fig)
            close(fig)

    def switch_platform(_: object = None) -> None:
        busy["switching"] = True
        options = competitors.get(platform_box.value, [])
        chosen.options = options
        chosen.value = tuple(options)
        busy["switching"] = False
        redraw()

    platform_box.observe(switch_platform, names="value")
    chosen.observe(redraw, names="value")
    metric.observe(redraw, names="value")
    return widgets.VBox([widgets.HBox([platform_box, metric]), chosen, output])


# ---------------------------------------------------------------------------------------------
# Content planning charts (issue 6)
# ---------------------------------------------------------------------------------------------

TIER_COLOURS = {"flagship": "#c62828", "series": "#1565c0", "daily": "#455a64", "reserve": "#9e9e9e"}
_TIER_OF_MARK = {"★": "flagship", "◆": "series", "·": "daily", "○": "reserve"}
PLATFORM_SHORT = {"douyin": "抖音", "xiaohongshu": "小红书", "wechat": "公众号", "weibo": "微博", "bilibili": "B站",
                  "zhihu": "知乎", "wechat_channels": "视频号"}


def what_works_chart(table: pd.DataFrame, title: str = "", max_rows: int = 40) -> plt.Figure:
    """ER (mean of per-post rates) per platform × pillar × format with its CI and post count; thin groups grey.

    Columns: platform, pillar, format, posts_with_rate, er_mean_of_rates, er_ci_low, er_ci_high, reliable,
    platform_er_mean (optional: one dashed mean line per platform block).
    """
    data = (table.dropna(subset=["er_mean_of_rates"]).sort_values(["platform", "er_mean_of_rates"],
                                                                    ascending=[True, False])
            .head(max_rows).reset_index(drop=True))
    fig, ax = plt.subplots(figsize=(10, 0.27 * max(len(data), 4) + 1.4), layout="constrained")
    y = list(range(len(data)))[::-1]
    for pos, r in zip(y, data.itertuples(), strict=True):
        colour = "#1565c0" if r.reliable else "#9e9e9e"
        low = r.er_ci_low if pd.notna(r.er_ci_low) else r.er_mean_of_rates
        high = r.er_ci_high if pd.notna(r.er_ci_high) else r.er_mean_of_rates
        ax.errorbar([r.er_mean_of_rates], [pos], xerr=[[r.er_mean_of_rates - low], [high - r.er_mean_of_rates]],
                    fmt="o", color=colour, elinewidth=2, capsize=3, markersize=4)
        ax.annotate(f"n={int(r.posts_with_rate)}", (high, pos), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=7, color=colour)
    if "platform_er_mean" in data.columns:
        for platform, group in data.groupby("platform", sort=False):
            rows = [y[i] for i in group.index]
            ax.vlines(group["platform_er_mean"].iloc[0], min(rows) - 0.4, max(rows) + 0.4, colors="#c62828",
                      linestyles="--", linewidth=1)
    ax.set_yticks(y, [f"{r.platform} · {r.pillar} · {r.format}" for r in data.itertuples()], fontsize=8)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel("engagement rate, mean of per-post rates (95 % CI); grey: thin group; red dashes: platform mean")
    ax.set_title(title)
    return fig


def windows_heatmaps(windows: pd.DataFrame, platforms: Sequence[str], value: str = "index",
                     title: str = "") -> plt.Figure:
    """One weekday × hour heatmap per platform of a posting_windows column (default: shrunk ER ÷ platform mean)."""
    n = len(platforms)
    cols = 2 if n > 1 else 1
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(6.2 * cols, 2.9 * rows), layout="constrained", squeeze=False)
    for ax, platform in zip(axes.flat, platforms):
        part = windows[windows["platform"] == platform]
        grid = part.pivot(index="weekday", columns="hour", values=value).reindex(range(7))
        grid.index = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        sns.heatmap(grid, ax=ax, cmap="RdBu_r", center=1.0, vmin=0.6, vmax=1.4, cbar=True, linewidths=0.3,
                    cbar_kws={"shrink": 0.8})
        ax.set_title(platform, fontsize=10)
        ax.tick_params(axis="y", rotation=0)
        ax.set_xlabel("hour (local)")
        ax.set_ylabel("")
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    if title:
        fig.suptitle(title)
    return fig


def best_windows_chart(best: pd.DataFrame, title: str = "") -> plt.Figure:
    """The top windows per platform: shrunk ER index with its interval, raw cell mean and posts per cell.

    Columns: platform, label, posts, index, index_ci_low, index_ci_high, er_cell_mean, platform_er_mean.
    """
    data = best.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(10, 0.38 * max(len(data), 4) + 1.3), layout="constrained")
    y = list(range(len(data)))[::-1]
    for pos, r in zip(y, data.itertuples(), strict=True):
        ax.errorbar([r.index], [pos], xerr=[[r.index - r.index_ci_low], [r.index_ci_high - r.index]], fmt="o",
                    color="#1565c0", elinewidth=2, capsize=3)
        if pd.notna(r.er_cell_mean):
            ax.plot([r.er_cell_mean / r.platform_er_mean], [pos], marker="x", color="#ef6c00", linestyle="none")
        ax.annotate(f"n={int(r.posts)}", (r.index_ci_high, pos), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.axvline(1.0, color="#333", linewidth=1)
    ax.set_yticks(y, [f"{r.platform} · {r.label}" for r in data.itertuples()], fontsize=9)
    ax.set_xlabel("ER ÷ platform mean: dot = shrunk estimate with 95 % interval, x = raw cell mean (before shrinking)")
    ax.set_title(title)
    return fig


def topic_score_chart(scores: pd.DataFrame, title: str = "", top: int = 15) -> plt.Figure:
    """Each topic's best score over platforms (expected ER index × strategic weight), coloured by pillar."""
    best = (scores.dropna(subset=["score"]).sort_values("score", ascending=False)
            .drop_duplicates("topic").head(top).reset_index(drop=True))
    pillars = list(dict.fromkeys(best["pillar"]))
    palette = dict(zip(pillars, sns.color_palette("tab10", n_colors=max(len(pillars), 1))))
    fig, ax = plt.subplots(figsize=(10, 0.34 * max(len(best), 4) + 1.3), layout="constrained")
    y = list(range(len(best)))[::-1]
    ax.barh(y, best["score"], color=[palette[p] for p in best["pillar"]])
    for pos, r in zip(y, best.itertuples(), strict=True):
        ax.annotate(f"{r.platform} · {r.format}", (r.score, pos), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.set_yticks(y, list(best["topic"]), fontsize=9)
    ax.axvline(1.0, color="#333", linewidth=1, linestyle=":")
    handles = [matplotlib.patches.Patch(color=palette[p], label=p) for p in pillars]
    ax.legend(handles=handles, fontsize=8, loc="lower right", title="pillar")
    ax.set_xlabel("score = expected ER ÷ platform mean × strategic weight (best platform shown)")
    ax.set_title(title)
    return fig


def month_grid_chart(grid: pd.DataFrame, title: str = "", short: dict[str, str] | None = None,
                     fontsize: float = 7.0) -> plt.Figure:
    """schedule.month_grid as a calendar picture: one box per day, one line per slot coloured by tier."""
    import matplotlib.patches  # noqa: F401  (Rectangle)

    short = PLATFORM_SHORT if short is None else short
    weeks = len(grid)
    lines_per_week = [max((len(str(c).split("\n")) for c in row), default=1) for row in grid.to_numpy()]
    heights = [max(n, 3) * 0.19 + 0.25 for n in lines_per_week]
    fig, ax = plt.subplots(figsize=(16, sum(heights) + 0.9), layout="constrained")
    ax.set_xlim(0, 7)
    ax.set_ylim(0, sum(heights))
    ax.axis("off")
    for d, name in enumerate(grid.columns):
        ax.text(d + 0.5, sum(heights) + 0.05, name, ha="center", va="bottom", fontsize=10)
    top = sum(heights)
    for w in range(weeks):
        h = heights[w]
        for d in range(7):
            text = str(grid.iat[w, d])
            box = matplotlib.patches.Rectangle((d, top - h), 1, h, fill=bool(text), facecolor="#fafafa",
                                               edgecolor="#bdbdbd", linewidth=0.8)
            ax.add_patch(box)
            if not text:
                continue
            head, *rows = text.split("\n")
            keyday = " " in head
            ax.text(d + 0.03, top - 0.05, head, ha="left", va="top", fontsize=fontsize + 1.5,
                    color="#c62828" if keyday else "#212121")
            for i, line in enumerate(rows):
                parts = line.split(" ", 3)
                tier = _TIER_OF_MARK.get(parts[2], "daily") if len(parts) > 2 else "daily"
                if len(parts) > 1:
                    parts[1] = short.get(parts[1], parts[1])
                ax.text(d + 0.03, top - 0.3 - 0.19 * i, " ".join(parts), ha="left", va="top", fontsize=fontsize,
                        color=TIER_COLOURS[tier], clip_on=True)
        top -= h
    legend = [matplotlib.patches.Patch(color=TIER_COLOURS[t], label=f"{m} {t}") for m, t in _TIER_OF_MARK.items()]
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=4, frameon=False, fontsize=9)
    ax.set_title(title, fontsize=12, pad=22)
    return fig


def capacity_chart(capacity: pd.DataFrame, title: str = "") -> plt.Figure:
    """Planned pieces (and reserve slots on top) per format against production capacity (black tick)."""
    data = capacity.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9, 3.6), layout="constrained")
    x = range(len(data))
    colours = {"ok": "#2e7d32", "tight": "#f9a825", "over capacity": "#c62828", "no capacity given": "#607d8b"}
    ax.bar(x, data["planned"], color=[colours.get(s, "#607d8b") for s in data["status"]], label="planned")
    ax.bar(x, data["reserve"], bottom=data["planned"], color="#bdbdbd", label="reserve (possible pieces)")
    for i, r in data.iterrows():
        if pd.notna(r["capacity"]):
            ax.hlines(r["capacity"], i - 0.4, i + 0.4, colors="#212121", linewidth=2.5)
        ax.annotate(r["status"], (i, r["planned"] + r["reserve"]), xytext=(0, 3), textcoords="offset points",
                    ha="center", fontsize=8)
    ax.set_xticks(list(x), list(data["format"]))
    ax.set_ylabel("pieces in the month")
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(title)
    return fig


def calendar_explorer(rebuild: Callable[..., object], platforms: Sequence[str], mix: dict[str, float],
                      reserve_share: float, posts_per_week: dict[str, int],
                      reserve_range: tuple[float, float] = (0.20, 0.30)) -> "widgets.VBox":
    """Sliders for the pyramid mix, reserve share and posts per week that rebuild the calendar on change.

    ``rebuild(mix=..., reserve_share=..., posts_per_week=...)`` returns a schedule.Calendar (about
    10 ms on the sample); its summary and month grid are shown. The flagship share is 1 − daily −
    series. Nothing is drawn until a value changes, so a headless run never waits on a widget; a
    constraint that cannot be met is printed instead of a calendar.
    """
    import ipywidgets as widgets
    from IPython.display import display

    from helpers.planning.schedule import month_grid

    style = {"description_width": "9em"}
    layout = widgets.Layout(width="26em")
    daily = widgets.FloatSlider(value=mix["daily"], min=0, max=1, step=0.05, description="daily share",
                                style=style, layout=layout, continuous_update=False)
    series = widgets.FloatSlider(value=mix["series"], min=0, max=1, step=0.05, description="series share",
                                 style=style, layout=layout, continuous_update=False)
    reserve = widgets.FloatSlider(value=reserve_share, min=reserve_range[0], max=reserve_range[1], step=0.01,
                                  description="reserve share", style=style, layout=layout, continuous_update=False)
    ppw = {p: widgets.IntSlider(value=posts_per_week[p], min=1, max=21, description=f"{p} posts/wk",
                                style=style, layout=layout, continuous_update=False) for p in platforms}
    output = widgets.Output()

    def redraw(_: object = None) -> None:
        output.clear_output(wait=True)
        with output:
            flagship = round(1 - daily.value - series.value, 6)
            if flagship < 0:
                print(f"daily {daily.value:.0%} + series {series.value:.0%} exceed 100 %: lower one of them "
                      "(flagship = the rest).")
                return
            try:
                cal = rebuild(mix={"daily": daily.value, "series": series.value, "flagship": flagship},
                              reserve_share=reserve.value, posts_per_week={p: s.value for p, s in ppw.items()})
            except Exception as exc:  # a constraint that cannot be met: say which
                print(f"No calendar: {exc}")
                return
            s = cal.summary()
            print(f"{s['slots']} slots, {s['reserve']} reserve ({s['reserve_share']:.0%}); mix achieved "
                  + " / ".join(f"{t} {v:.0%}" for t, v in s["mix_achieved"].items())
                  + f" (flagship target {flagship:.0%}); {s['distinct_topics']} distinct topics, "
                  f"{s['shared_topics']} posts share a topic across platforms.")
            fig = month_grid_chart(month_grid(cal.slots, cal.month), title=f"Calendar {cal.month}")
            display(fig)
            close(fig)

    for w in (daily, series, reserve, *ppw.values()):
        w.observe(redraw, names="value")
    return widgets.VBox([widgets.HBox([widgets.VBox([daily, series, reserve]), widgets.VBox(list(ppw.values()))]),
                         output])
