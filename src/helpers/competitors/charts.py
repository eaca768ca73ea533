"""Charts of the competitor analysis: growth, share of voice, radar, lifts, benchmark bars and the explorer.

Figures take ready tables (from ``benchmark``, ``content`` and ``gaps``) and return a matplotlib
Figure; ``table_view`` turns a table into the styled view the notebook displays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd
import seaborn as sns

from helpers.charts import bar_chart, close, heatmap, setup_style, slant_dates
from helpers.competitors.benchmark import er_base_text, sov_period
from helpers.report import format_number, styled

__all__ = ["bar_chart", "benchmark_explorer", "close", "engagement_rate_chart", "engagements_chart",
           "er_by_format_chart", "growth_chart", "heatmap", "indexed_growth_chart", "lift_chart", "metric_bar_chart",
           "radar_chart", "setup_style", "share_of_voice_chart", "sov_chart", "stacked_share_chart", "table_view",
           "table_views", "time_grid_chart"]

if TYPE_CHECKING:
    import ipywidgets as widgets


OWN_COLOUR = "#c62828"


def _account_colours(accounts: Sequence[str], highlight: str | Sequence[str] | None = None) -> dict[str, Any]:
    """One colour per account: the highlighted (own) account red, the others from a muted palette."""
    marked = {highlight} if isinstance(highlight, str) else set(highlight or ())
    others = [a for a in accounts if a not in marked]
    deep = sns.color_palette("deep", n_colors=10)
    palette = [c for i, c in enumerate(deep) if i != 3]  # the palette's red is kept for the own account
    palette = (palette * (len(others) // len(palette) + 1))[:max(len(others), 1)]
    colours: dict[str, Any] = {a: OWN_COLOUR for a in accounts if a in marked}
    colours.update(dict(zip(others, palette, strict=False)))
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
    slant_dates(ax)
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
    slant_dates(ax)
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
        missing = [labels.get(m, m) for m, v in zip(metrics, values, strict=True) if pd.isna(v)]
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
    """Horizontal 100 % stacked bars: each ``index`` row split by ``column`` (e.g. accounts by pillar).

    Rows follow ``order`` when given.
    """
    wide = table.pivot_table(index=index, columns=column, values=value, aggfunc="sum", sort=False).fillna(0.0)
    if order is not None:
        wide = wide.reindex([o for o in order if o in wide.index])
    fig, ax = plt.subplots(figsize=(10, 0.5 * max(len(wide), 3) + 1.4), layout="constrained")
    left = pd.Series(0.0, index=wide.index)
    palette = sns.color_palette("Set2", n_colors=max(len(wide.columns), 1))
    for colour, name in zip(palette, wide.columns, strict=False):  # one colour at least
        ax.barh(wide.index.astype(str), wide[name], left=left, color=colour, label=str(name))
        for pos, (start, width) in enumerate(zip(left, wide[name], strict=True)):
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
                       ) -> widgets.VBox:
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
    first = competitors.get(start, []) if start is not None else []
    chosen = widgets.SelectMultiple(options=first, value=tuple(first), description="Competitors",
                                    rows=min(max(len(first), 2), 8))
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


# --------------------------------------------------------------------------------------------
# The notebook's figures, titled from the run's values
# --------------------------------------------------------------------------------------------


def engagements_chart(benchmark: pd.DataFrame, components: Sequence[str],
                      highlight: str | Sequence[str] | None = None) -> plt.Figure:
    """Engagements per post per account (the components summed named), the field median dashed."""
    return metric_bar_chart(benchmark, "engagements_mean",
                            f"Engagements per post ({' + '.join(components)}); dashed: field median",
                            highlight=highlight)


def engagement_rate_chart(benchmark: pd.DataFrame, er_base: str,
                          highlight: str | Sequence[str] | None = None) -> plt.Figure:
    """Mean of per-post engagement rates per account on the stated base, the field median dashed."""
    title = f"Engagement rate by {er_base_text(er_base)} (mean of per-post rates); dashed: field median"
    return metric_bar_chart(benchmark, "er_mean_of_rates", title, highlight=highlight, percent=True)


def growth_chart(index: pd.DataFrame, start: pd.Timestamp, highlight: str | None = None) -> plt.Figure:
    """``indexed_growth_chart`` titled with the window's first day."""
    return indexed_growth_chart(index, f"Followers indexed to 100 on {start:%Y-%m-%d} (own account in red)",
                                highlight=highlight)


def sov_chart(trend: pd.DataFrame, freq: str, highlight: str | Sequence[str] | None = None) -> plt.Figure:
    """Share of engagements per week or month (``freq`` 'W' or 'MS') as a stacked area."""
    return share_of_voice_chart(trend, "engagement_share", f"Share of engagements per {sov_period(freq)}",
                                highlight=highlight)


def er_by_format_chart(mix_format: pd.DataFrame, er_base: str) -> plt.Figure:
    """Mean of per-post ERs per account, one bar per format (``content.content_mix`` by format)."""
    return bar_chart(mix_format, "account_id", "er_mean_of_rates", hue="format", percent=True,
                     title=f"ER by {er_base_text(er_base)} per format (mean of per-post rates)")


def time_grid_chart(grid: pd.DataFrame, account: str | None = None, cmap: str = "Reds") -> plt.Figure:
    """Weekday × hour shares (``content.time_grid``) of the competitors (account None) or of one account."""
    who = "Competitors" if account is None else account
    return heatmap(grid, f"{who}: share of posts by weekday and hour", fmt=".1%", cmap=cmap, annot=False)


_NOWRAP = {"white-space": "nowrap"}
_WIDE = {"min-width": "20em", "text-align": "left"}


def table_view(frame: pd.DataFrame, *, hide: Sequence[str] = (), nowrap: bool | Sequence[str] = False,
               wide: Sequence[str] = (), percent: tuple[str, ...] | None = None) -> Any:
    """``helpers.report.styled`` with columns left out (``hide``), cells kept on one line (``nowrap``: every
    column, or the named ones) and long text columns given room (``wide``)."""
    style = styled(frame.drop(columns=list(hide)), percent=percent)
    if nowrap is True:
        style = style.set_properties(**_NOWRAP)
    elif nowrap:
        style = style.set_properties(subset=list(nowrap), **_NOWRAP)
    if wide:
        style = style.set_properties(subset=list(wide), **_WIDE)
    return style


def table_views(*frames: pd.DataFrame) -> list[Any]:
    """One ``table_view`` per non-empty table: display(*table_views(a, b)) shows nothing for an empty one."""
    return [table_view(f) for f in frames if len(f)]
