"""Charts of audience profiling (figures from ready tables) and the slice explorer widget.

The chart base is re-exported so the notebook imports one charts module. Every figure function
takes a table the compute modules built and returns a matplotlib Figure; the explorer wraps
`helpers.audience.explore.profile_table` in dropdowns and a month-range slider.
"""

from __future__ import annotations

import math
from typing import Any

import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd
import seaborn as sns

from helpers import i18n
from helpers.audience import explore, words
from helpers.audience.engine import Events, as_events
from helpers.audience.explore import event_months, explorer_choices, month_range, profile_table
from helpers.charts import bar_chart, close, heatmap, setup_style, subplots  # noqa: F401  (re-exported for the notebook)
from helpers.i18n import N_, _

WEEKDAYS: tuple[str, ...] = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
RETENTION_COHORTS = 12
"""The retention heatmap shows the most recent cohorts only (older ones are in tables/retention.csv)."""


def _platform_frame(demographics: pd.DataFrame) -> pd.DataFrame:
    """Rows with the value and the platform as a reader names them (order of the rows kept)."""
    return demographics.assign(value=demographics["value"].map(words.value),
                               platform=demographics["platform"].map(i18n.platform_name))


def age_band_chart(demographics: pd.DataFrame) -> plt.Figure:
    """Share of users per age band, one bar per platform (the age_band rows of compare_platforms)."""
    age = _platform_frame(demographics[demographics["attribute"] == "age_band"])
    fig = bar_chart(age, "value", "share", hue="platform", title=_("Age band by platform"), percent=True)
    fig.axes[0].set(xlabel=_("Age band"), ylabel=_("Share of users"))
    return fig


def demographics_chart(demographics: pd.DataFrame) -> plt.Figure:
    """One panel per attribute of compare_platforms (gender, age band, city tier, device ...): share per platform.

    Values keep the table's order (age bands and city tiers in their natural order), bars are the
    platforms, y is the share of the platform's users (missing values included in the base).
    """
    attributes = list(dict.fromkeys(demographics["attribute"]))
    cols = 2 if len(attributes) > 1 else 1
    rows = math.ceil(len(attributes) / cols)
    fig, axes = subplots(rows, cols, figsize=(10, 3.4 * rows), squeeze=False)
    platforms = [i18n.platform_name(p) for p in dict.fromkeys(demographics["platform"])]
    for ax, attribute in zip(axes.flat, attributes, strict=False):
        part = _platform_frame(demographics[demographics["attribute"] == attribute])
        sns.barplot(data=part, x="value", y="share", hue="platform", hue_order=platforms, ax=ax, errorbar=None,
                    order=list(dict.fromkeys(part["value"])))
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
        ax.set(title=words.attribute(attribute), xlabel="", ylabel=_("Share of users"))
        legend = ax.get_legend()
        if legend is not None and ax is not axes.flat[0]:
            legend.remove()
        elif legend is not None:
            legend.set_title(_("Platform"))
    for ax in list(axes.flat)[len(attributes):]:
        ax.set_visible(False)
    fig.suptitle(_("Followers by platform: share of each platform's users (bots removed)"))
    return fig


def active_hours_chart(heat: pd.DataFrame) -> plt.Figure:
    """Share of events by weekday (rows, Mon–Sun) and local hour (columns), from behaviour.active_hours."""
    grid = heat.pivot(index="weekday", columns="hour", values="share")
    grid.index = [_(d) for d in WEEKDAYS]
    fig = heatmap(grid, _("Share of events by weekday and hour"), fmt=".1%", cmap="Blues", annot=False)
    fig.axes[0].set(xlabel=_("Hour (local time)"), ylabel="")
    fig.axes[0].tick_params(axis="y", labelrotation=0)
    return fig


def rfm_chart(summary: pd.DataFrame) -> plt.Figure:
    """Share of users per RFM segment, coloured by value group (rfm.segment_summary)."""
    shown = summary.assign(name=summary["name"].map(words.segment), group=summary["group"].map(words.group))
    fig = bar_chart(shown, "name", "share", hue="group", title=_("RFM segments (share of users)"), percent=True,
                    horizontal=True)
    fig.axes[0].set(xlabel=_("Share of RFM-scored users"), ylabel="")
    legend = fig.axes[0].get_legend()
    if legend is not None:
        legend.set_title(_("Value group"))
    return fig


def silhouette_chart(k_search: pd.DataFrame, min_size: int = 1) -> plt.Figure:
    """Mean silhouette by k (clusters.k_search_table): a line, the chosen k ringed, hollow if a cluster < min_size."""
    fig, ax = subplots(figsize=(7, 3.4))
    ax.plot(k_search["k"], k_search["silhouette"], color="#4C72B0", zorder=1)
    small = k_search["smallest_segment"] < min_size
    ax.scatter(k_search.loc[~small, "k"], k_search.loc[~small, "silhouette"], color="#4C72B0", zorder=2,
               label=_("every cluster ≥ {n} users").format(n=i18n.fmt_count(min_size)))
    if small.any():
        ax.scatter(k_search.loc[small, "k"], k_search.loc[small, "silhouette"], facecolors="white",
                   edgecolors="#4C72B0", zorder=2, label=_("a cluster < {n} users").format(n=i18n.fmt_count(min_size)))
    chosen = k_search[k_search["chosen"]]
    ax.scatter(chosen["k"], chosen["silhouette"], s=220, facecolors="none", edgecolors="#C44E52", linewidths=2,
               zorder=3, label=_("chosen k"))
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set(title=_("Mean silhouette by number of clusters k"), xlabel=_("Number of clusters k"),
           ylabel=_("Mean silhouette"))
    ax.legend(loc="best", fontsize="small")
    return fig


def retention_day_label(column: object) -> str:
    """'day 1' as a reader names it: 次日留存 / day 1, 7日留存 / day 7."""
    text = str(column)
    number = text.removeprefix("day ").strip()
    if not number.isdigit():
        return text
    if int(number) == 1:
        return _("day 1")
    return _("day {n}").format(n=number)


def retention_chart(wide: pd.DataFrame, cohorts: int = RETENTION_COHORTS) -> plt.Figure:
    """Day-N retention of the most recent cohorts (retention.cohort_heatmap_table)."""
    shown = wide.tail(cohorts)
    shown = shown.set_axis([i18n.fmt_month(c) for c in shown.index], axis="index")
    shown = shown.set_axis([retention_day_label(c) for c in shown.columns], axis="columns")
    fig = heatmap(shown, _("Day-N retention by cohort"), fmt=".1%", cmap="Greens")
    fig.axes[0].set(xlabel="", ylabel=_("Cohort (month of first follow)"))
    fig.axes[0].tick_params(axis="y", labelrotation=0)
    return fig


def audience_explorer(audience: pd.DataFrame, events: pd.DataFrame | Events, segments: pd.DataFrame | None,
                      accounts: pd.DataFrame) -> Any:
    """Platform and segment dropdowns and a month-range slider that show the slice's profile.

    See helpers.explorer for when it draws; ``controls`` are (platform, segment, period).
    """
    import ipywidgets as widgets

    from helpers.explorer import Explorer, View, fit_descriptions
    from helpers.report import styled

    platforms, segment_names = explorer_choices(audience, segments, accounts)
    platform = widgets.Dropdown(options=[(explore.choice_label(p, i18n.platform_name), p) for p in platforms],
                                description=_("Platform"))
    segment = widgets.Dropdown(options=[(explore.choice_label(s, words.segment), s) for s in segment_names],
                               description=_("Segment"))
    if isinstance(events, pd.DataFrame) and not events.empty:
        events = as_events(events, accounts)  # once, not on every redraw
    months = event_months(events, accounts)
    wide = widgets.Layout(width="42em")  # room for the readout "Dec 2024 – Mar 2025"
    if months:
        choices = [(i18n.fmt_month(m.start_time), m) for m in months]
        period = widgets.SelectionRangeSlider(options=choices, index=(0, len(months) - 1), description=_("Period"),
                                              continuous_update=False, layout=wide)
    else:
        period = widgets.SelectionRangeSlider(options=[_("no events")], index=(0, 0), description=_("Period"),
                                              disabled=True, layout=wide)
    fit_descriptions((platform, segment, period))

    def draw() -> View:
        start, end = month_range(*period.value) if months else (None, None)
        table = profile_table(audience, events, segments, platform.value, segment.value, start, end,
                              accounts=accounts)
        return View(tables=(styled(table, labels=explore.LABELS),))

    return Explorer("audience", (platform, segment, period), draw)
