"""Charts of the period review: attainment, KPI trends, anomaly alerts, content, funnel, attribution, ads, risks.

Each function takes ready DataFrames and returns a matplotlib Figure (or, for a section with
several charts, a dict of figures by artefact name); the trend explorer is the JupyterLab widget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib.dates
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D

from helpers import i18n
from helpers.charts import (
    STATUS_COLOURS,
    CountTicks,
    bar_chart,
    bars,
    close,
    dots,
    heatmap,
    label_axes,
    setup_style,
    slant_dates,
    subplots,
)
from helpers.i18n import N_, _
from helpers.review.kpis import KPIS
from helpers.review.words import MODEL_NAMES, account_name, account_names, channel_name, format_name, metric_name, word

if TYPE_CHECKING:
    import ipywidgets as widgets

__all__ = [
    "TREND_CHART_KPIS",
    "anomaly_chart",
    "anomaly_charts",
    "attribution_chart",
    "bar_chart",
    "close",
    "content_by_format_chart",
    "funnel_chart",
    "growth_chart",
    "heatmap",
    "monthly_charts",
    "platform_funnel_chart",
    "risk_matrix_chart",
    "roas_chart",
    "scorecard_chart",
    "setup_style",
    "shares_chart",
    "trend_chart",
    "trend_charts",
    "trend_explorer",
]

#: The KPIs drawn as static trend charts (the explorer offers every KPI of the trend table).
TREND_CHART_KPIS: tuple[str, ...] = ("net_follower_change", "engagements", "revenue")
#: Colour of a threshold line (the ROAS stop-loss).
THRESHOLD_COLOUR = "#c62828"
#: Legend titles of the hues a chart groups by.
HUE_TITLES: dict[str, str] = {"platform": N_("Platform"), "account_id": N_("Account"), "model": N_("Model")}
#: A period kind in a chart title ("Engagements per month").
PERIOD_WORDS: dict[str, str] = {"week": N_("week"), "month": N_("month"), "quarter": N_("quarter"),
                                "year": N_("year")}
#: The engagement-rate base in a chart title.
BASE_WORDS: dict[str, str] = {"impressions": N_("impressions"), "reach": N_("reach"), "followers": N_("followers")}


def trend_chart(history: pd.DataFrame, x: str, y: str, hue: str | None = None, target: str | None = None,
                title: str = "", highlight: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> plt.Figure:
    """Line chart of a KPI over time (one line per hue), with a dashed target line where one exists."""
    fig, ax = subplots()
    groups = history.groupby(hue, sort=False) if hue else [("", history)]
    palette = sns.color_palette(n_colors=max(len(groups), 1))
    has_target = False
    for colour, (name, group) in zip(palette, groups, strict=False):
        group = group.sort_values(x)
        shown = i18n.platform_name(str(name)) if hue == "platform" else str(name)
        ax.plot(group[x], group[y], marker="o", color=colour, label=shown if hue else None)
        if target and target in group and group[target].notna().any():
            has_target = True
            ax.plot(group[x], group[target], linestyle="--", color=colour, alpha=0.7)
    handles, labels = ax.get_legend_handles_labels()
    if has_target:  # the key of the dashed lines, after the platforms
        handles.append(Line2D([], [], linestyle="--", color="#555"))
        labels.append(_("dashed: target"))
    if handles:  # outside, right of the lines: a legend inside covered the data
        ax.legend(handles, labels, title=_(HUE_TITLES.get(hue, hue)) if hue else None, fontsize=9,
                  loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    if highlight is not None:
        ax.axvspan(highlight[0], highlight[1], color="#ffe082", alpha=0.3, zorder=0)
    ax.set_title(title)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.yaxis.set_major_formatter(CountTicks())
    slant_dates(ax)
    return fig


def anomaly_chart(series: pd.DataFrame, title: str) -> plt.Figure:
    """Observed vs expected daily values with anomalies marked (columns: date, observed, expected, is_anomaly)."""
    fig, ax = subplots(figsize=(10, 3.5))
    ax.plot(series["date"], series["observed"], label=_("observed"), color="#1565c0")
    ax.plot(series["date"], series["expected"], label=_("expected"), color="#90a4ae", linestyle="--")
    flagged = series[series["is_anomaly"]]
    ax.scatter(flagged["date"], flagged["observed"], color="#c62828", zorder=3, label=_("alert"), s=50)
    ax.set_title(title)
    ax.yaxis.set_major_formatter(CountTicks())
    ax.legend(loc="upper left")
    slant_dates(ax)
    return fig


def trend_charts(history: pd.DataFrame, kpi_labels: Mapping[str, str], kind: str,
                 kpis: Sequence[str] = TREND_CHART_KPIS) -> dict[str, plt.Figure]:
    """One trend chart per KPI (a line per platform, dashed targets), named trend_<kpi>, titled "<label> per <kind>"."""
    figures = {}
    for kpi in kpis:
        data = history[history["kpi"] == kpi]
        figures[f"trend_{kpi}"] = trend_chart(data, "period_start", "value", hue="platform", target="target",
                                              title=_("{kpi} per {period}").format(
                                                  kpi=kpi_labels.get(kpi, kpi), period=_(PERIOD_WORDS.get(kind, kind))))
    return figures


def anomaly_charts(windows: Mapping[tuple[str, str], pd.DataFrame],
                   accounts: pd.DataFrame | None = None) -> dict[str, plt.Figure]:
    """One observed-vs-expected chart per alerting account × KPI (anomalies.alert_windows).

    Named anomaly_<account>_<kpi>, in the order of ``windows``; titled with the account's name
    (from the `accounts` table).
    """
    names = account_names(accounts)
    return {f"anomaly_{account}_{kpi}": anomaly_chart(window, _("{account}: {metric}, observed vs expected").format(
                account=account_name(names, account), metric=metric_name(kpi)))
            for (account, kpi), window in windows.items()}


def content_by_format_chart(by_format: pd.DataFrame, er_base: str) -> plt.Figure:
    """Mean engagement rate (mean of post rates) by format, one bar per platform."""
    data = by_format.assign(format=[format_name(f) for f in by_format["format"]],
                            platform=[i18n.platform_name(p) for p in by_format["platform"]])
    fig = bar_chart(data, "format", "er_mean_of_rates", hue="platform",
                    title=_("Mean engagement rate by format (by {base})").format(
                        base=_(BASE_WORDS.get(er_base, er_base))), percent=True)
    label_axes(fig, "", _("Mean engagement rate"), _("Platform"))
    return fig


def funnel_chart(funnel: pd.DataFrame, title: str = "") -> plt.Figure:
    """Step values per platform on a log scale, with step conversion rates annotated."""
    fig, ax = subplots()
    title = title or _("Funnel")
    values = pd.to_numeric(funnel["value"], errors="coerce") if "value" in funnel.columns else pd.Series(dtype=float)
    if not (values > 0).any():  # nothing to draw on a log scale: say so instead of failing
        ax.text(0.5, 0.5, _("No funnel data in this period (no platform reports impressions, clicks or "
                            "conversions)"),
                ha="center", va="center", transform=ax.transAxes, wrap=True)
        ax.set_axis_off()
        ax.set_title(title)
        return fig
    steps = {"impressions": N_("Impressions"), "link_clicks": N_("Clicks"), "conversions": N_("Conversions")}
    data = funnel.assign(label=[word(steps, s) if "step" in funnel.columns else lab
                                for s, lab in zip(funnel.get("step", funnel["label"]), funnel["label"], strict=True)],
                         platform=[i18n.platform_name(p) for p in funnel["platform"]])
    bars(ax, data, "label", "value", hue="platform")
    ax.set_yscale("log")
    ax.set_xlabel("")
    ax.set_ylabel("")
    box = ax.get_legend()
    if box is not None:
        box.set_title(_("Platform"))
    ax.set_title(title)
    return fig


def platform_funnel_chart(steps: pd.DataFrame) -> plt.Figure:
    """The funnel of each platform (the total row left out), log scale."""
    return funnel_chart(steps[steps["platform"] != "total"], _("Funnel per platform (log scale)"))


def attribution_chart(comparison: pd.DataFrame) -> plt.Figure:
    """Share of conversions each model credits to each channel (attribution.compare_models)."""
    data = comparison.assign(channel=[channel_name(c) for c in comparison["channel"]],
                             model=[word(MODEL_NAMES, m) for m in comparison["model"]])
    fig = bar_chart(data, "channel", "share", hue="model", title=_("Share of conversions credited, by model"),
                    percent=True)
    label_axes(fig, "", _("Share of conversions"), _("Model"))
    return fig


def roas_chart(campaigns: pd.DataFrame, stop_loss: float) -> plt.Figure:
    """ROAS per campaign with the stop-loss as a dashed red line."""
    fig = bar_chart(campaigns, "campaign_id", "roas", title=_("ROAS by campaign (dashed line: stop-loss)"))
    fig.axes[0].axhline(stop_loss, color=THRESHOLD_COLOUR, linestyle="--")
    label_axes(fig, "", "ROAS")
    return fig


def risk_matrix_chart(matrix: pd.DataFrame) -> plt.Figure:
    """Open risks counted by impact (rows) × probability band (columns) (risks.risk_matrix)."""
    bands = {"rare": N_("rare"), "unlikely": N_("unlikely"), "possible": N_("possible"), "likely": N_("likely"),
             "almost certain": N_("almost certain")}
    shown = matrix.rename(columns=lambda c: word(bands, c))
    shown.index.name, shown.columns.name = _("Impact"), _("Probability")
    return heatmap(shown, _("Open risks: impact × probability"))


def scorecard_chart(scorecard: pd.DataFrame, kpis: Sequence[str]) -> plt.Figure:
    """Attainment per KPI (rows) and platform (colours) over status zones: red < 90 %, amber < 100 %."""
    data = scorecard[scorecard["kpi"].isin(kpis) & scorecard["attainment"].notna()]
    fig, ax = subplots(figsize=(10, 0.6 * max(data["label"].nunique(), 4) + 1))
    low = min(0.8, float(data["attainment"].min()) - 0.05) if len(data) else 0.8
    high = max(1.2, float(data["attainment"].max()) + 0.05) if len(data) else 1.2
    ax.axvspan(low, 0.9, color=STATUS_COLOURS["at risk"], alpha=0.08)
    ax.axvspan(0.9, 1.0, color=STATUS_COLOURS["watch"], alpha=0.12)
    ax.axvspan(1.0, high, color=STATUS_COLOURS["healthy"], alpha=0.08)
    data = data.assign(platform=[_("all platforms") if p in ("all", "total") else i18n.platform_name(p)
                                 for p in data["platform"]])
    dots(ax, data, "attainment", "label", "platform", size=9, linewidth=0.5, edgecolor="white")
    ax.axvline(1.0, color="#333", linewidth=1)
    ax.set_xlim(low, high)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel(_("attainment (actual ÷ target); zones: at risk < 90% ≤ watch < 100% ≤ healthy"))
    ax.set_ylabel("")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(title=_("Platform"), loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                  fontsize=8)  # outside: inside the axes it hid the dots under it
    else:
        ax.text(0.5, 0.5, _("no KPI has a target"), transform=ax.transAxes, ha="center", color="#666")
    ax.set_title(_("Target attainment by KPI and platform"))
    return fig


def trend_explorer(history: pd.DataFrame, kpi_labels: dict[str, str]) -> widgets.VBox:
    """Dropdowns (KPI, platform) that draw the KPI's trend, for a person in JupyterLab.

    See helpers.explorer for when it draws; ``controls`` are (KPI, platform).
    """
    import ipywidgets as widgets

    from helpers.explorer import Explorer, View, fit_descriptions

    kpi = widgets.Dropdown(options=[(kpi_labels.get(k, k), k) for k in history["kpi"].unique()],
                           description=_("KPI"))
    every = "all platforms"  # the choice's value; its label is in the run's language
    platforms = [(_(every), every), *[(i18n.platform_name(p), p) for p in sorted(history["platform"].unique())]]
    platform = widgets.Dropdown(options=platforms, description=_("Platform"))
    fit_descriptions((kpi, platform))

    def draw() -> View:
        data = history[history["kpi"] == kpi.value]
        if platform.value != every:
            data = data[data["platform"] == platform.value]
        return View(figure=trend_chart(data, "period_start", "value", hue="platform", target="target",
                                       title=kpi_labels.get(kpi.value, kpi.value)))

    return Explorer("trend", (kpi, platform), draw)


# --------------------------------------------------------------------------------------------
# The year-end review: growth comparison and monthly small multiples
# --------------------------------------------------------------------------------------------

def _platform_colours(platforms: Sequence[str]) -> dict[str, tuple[float, float, float]]:
    """One colour per platform, the same in every panel of a figure."""
    names = sorted(set(map(str, platforms)))  # sorted: the same colour for a platform in every chart
    return dict(zip(names, sns.color_palette(n_colors=max(len(names), 1)), strict=False))


def growth_chart(indexed: pd.DataFrame, kpi_labels: Mapping[str, str]) -> plt.Figure:
    """Indexed growth (period start = 100), one panel per KPI and one line per platform."""
    kpis = list(dict.fromkeys(indexed["kpi"]))
    fig, axes = subplots(1, max(len(kpis), 1), figsize=(4.2 * max(len(kpis), 1), 3.6), squeeze=False)
    colours = _platform_colours(list(indexed["platform"]))
    steps = pd.Series(pd.to_datetime(indexed["step"].unique())).sort_values()
    shown = steps.iloc[::max(1, -(-len(steps) // 6))]  # at most 6 labelled steps
    monthly = len(steps) > 1 and steps.diff().min() >= pd.Timedelta(days=28)
    for ax, kpi in zip(axes[0], kpis, strict=False):
        for platform, rows in indexed[indexed["kpi"] == kpi].groupby("platform", sort=False):
            ax.plot(rows["step"], rows["index"], marker="o", markersize=3, color=colours[str(platform)],
                    label=i18n.platform_name(str(platform)))
        ax.axhline(100, color="#333", linewidth=0.8, linestyle=":")
        ax.set_title(_("{kpi} (start = 100)").format(kpi=kpi_labels.get(kpi, kpi)))
        # every k-th step from the period's first: calendar ticks (1st, 5th, ... 29th, 1st) put two labels together
        ax.set_xticks(list(shown))
        ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y-%m" if monthly else "%Y-%m-%d"))
        slant_dates(ax)
    if kpis:
        axes[0][0].legend(title=_("Platform"), fontsize=8)
    return fig


def shares_chart(shares: pd.DataFrame, kpi_labels: Mapping[str, str]) -> plt.Figure:
    """Each platform's share of the period's gains, one panel per KPI (horizontal bars; 100 % = all accounts)."""
    kpis = list(dict.fromkeys(shares["kpi"]))
    fig, axes = subplots(1, max(len(kpis), 1), figsize=(4.2 * max(len(kpis), 1), 0.5 * shares["account_id"].nunique()
                                                         + 1.6), squeeze=False, sharey=True)
    colours = _platform_colours(list(shares["platform"]))
    for ax, kpi in zip(axes[0], kpis, strict=False):
        rows = shares[shares["kpi"] == kpi]
        labels = [i18n.platform_name(str(p)) for p in rows["platform"]]
        ax.barh(labels, rows["share"].fillna(0.0), color=[colours[str(p)] for p in rows["platform"]])
        for y, value in enumerate(rows["share"]):
            ax.text(0 if np.isnan(value) else value, y, " " + i18n.fmt_percent(value), va="center", fontsize=8)
        ax.axvline(0, color="#333", linewidth=0.8)
        ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        ax.set_title(_("Share of {kpi}").format(kpi=kpi_labels.get(kpi, kpi)))
        ax.invert_yaxis()
    return fig


def monthly_charts(monthly: pd.DataFrame, kpi_labels: Mapping[str, str]) -> dict[str, plt.Figure]:
    """Small multiples of the period's months: one panel per KPI, a line per platform, targets as markers.

    Panels in the order of ``kpi_labels``. Named {"monthly_trends": figure}; empty (nothing to draw)
    when ``monthly`` is empty (a week or a month).
    """
    if monthly.empty:
        return {}
    present = list(dict.fromkeys(monthly["kpi"]))
    kpis = [k for k in kpi_labels if k in present] + [k for k in present if k not in kpi_labels]  # labels' order
    cols = 4
    nrows = -(-len(kpis) // cols)
    fig, axes = subplots(nrows, cols, figsize=(4.0 * cols, 3.0 * nrows), squeeze=False, sharex=True)
    colours = _platform_colours(list(monthly["platform"]))
    has_target = False
    for ax, kpi in zip(axes.flat, kpis, strict=False):
        rows = monthly[monthly["kpi"] == kpi]
        for platform, line in rows.groupby("platform", sort=False):
            colour = colours[str(platform)]
            ax.plot(line["period_start"], line["value"], color=colour, marker="o", markersize=2.5,
                    label=i18n.platform_name(str(platform)))
            targets = line.dropna(subset=["target"])
            if len(targets):
                has_target = True
                ax.scatter(targets["period_start"], targets["target"], marker="_", s=90, color=colour, linewidths=2)
        ax.set_title(kpi_labels.get(kpi, kpi), fontsize=10)
        if kpi in KPIS and KPIS[kpi].unit == "rate":
            ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=1))
        else:
            ax.yaxis.set_major_formatter(CountTicks())
        ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%m"))
    for ax in list(axes.flat)[len(kpis):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    note = _("line: actual per month; dash: the month's target") if has_target else _("line: actual per month")
    fig.legend(handles, labels, title=_("Platform"), loc="outside right upper", fontsize=8)
    fig.suptitle(note, fontsize=9, color="#555")
    return {"monthly_trends": fig}
