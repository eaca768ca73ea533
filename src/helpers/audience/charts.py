"""Charts of audience profiling (figures from ready tables) and the slice explorer widget.

The chart base is re-exported so the notebook imports one charts module. Every figure function
takes a table the compute modules built and returns a matplotlib Figure; the explorer wraps
`helpers.audience.explore.profile_table` in dropdowns and a month-range slider.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from helpers.audience.engine import Events, as_events
from helpers.audience.explore import event_months, explorer_choices, month_range, profile_table
from helpers.charts import bar_chart, close, heatmap, setup_style, show_in  # noqa: F401  (re-exported for the notebook)
from helpers.errors import OpsbookError

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
RETENTION_COHORTS = 12
"""The retention heatmap shows the most recent cohorts only (older ones are in tables/retention.csv)."""


def age_band_chart(demographics: pd.DataFrame) -> plt.Figure:
    """Share of users per age band, one bar per platform (the age_band rows of compare_platforms)."""
    age = demographics[demographics["attribute"] == "age_band"]
    return bar_chart(age, "value", "share", hue="platform", title="Age band by platform", percent=True)


def active_hours_chart(heat: pd.DataFrame) -> plt.Figure:
    """Share of events by weekday (rows, Mon–Sun) and local hour (columns), from behaviour.active_hours."""
    grid = heat.pivot(index="weekday", columns="hour", values="share")
    grid.index = list(WEEKDAYS)
    return heatmap(grid, "Share of events by weekday and hour", fmt=".1%", cmap="Blues", annot=False)


def rfm_chart(summary: pd.DataFrame) -> plt.Figure:
    """Share of users per RFM segment, coloured by value group (rfm.segment_summary)."""
    return bar_chart(summary, "name", "share", hue="group", title="RFM segments (share of users)", percent=True,
                     horizontal=True)


def retention_chart(wide: pd.DataFrame, cohorts: int = RETENTION_COHORTS) -> plt.Figure:
    """Day-N retention of the most recent cohorts (retention.cohort_heatmap_table)."""
    return heatmap(wide.tail(cohorts), "Day-N retention by cohort", fmt=".1%", cmap="Greens")


def audience_explorer(audience: pd.DataFrame, events: pd.DataFrame | Events, segments: pd.DataFrame | None,
                      accounts: pd.DataFrame) -> Any:
    """Platform and segment dropdowns and a month-range slider that redraw the slice's profile on change.

    Nothing is drawn until a choice changes, so a headless run never waits on it. The returned
    VBox has ``redraw`` (draw the current choice now) and ``controls`` (platform, segment, period).
    """
    import ipywidgets as widgets

    from helpers.report import styled

    platforms, segment_names = explorer_choices(audience, segments, accounts)
    platform = widgets.Dropdown(options=platforms, description="Platform")
    segment = widgets.Dropdown(options=segment_names, description="Segment")
    if isinstance(events, pd.DataFrame) and not events.empty:
        events = as_events(events, accounts)  # once, not on every redraw
    months = event_months(events, accounts)
    if months:
        period = widgets.SelectionRangeSlider(options=[(str(m), m) for m in months], index=(0, len(months) - 1),
                                              description="Period", continuous_update=False)
    else:
        period = widgets.SelectionRangeSlider(options=["no events"], index=(0, 0), description="Period",
                                              disabled=True)
    output = widgets.Output()

    def redraw(_: object = None) -> None:
        start, end = month_range(*period.value) if months else (None, None)
        try:
            table = profile_table(audience, events, segments, platform.value, segment.value, start, end,
                                  accounts=accounts)
        except OpsbookError as exc:  # a data problem is shown in the widget, not raised into the event loop
            output.outputs = ({"output_type": "stream", "name": "stdout", "text": f"{exc}\n"},)
            return
        show_in(output, styled(table))

    for control in (platform, segment, period):
        control.observe(redraw, names="value")
    box = widgets.VBox([widgets.HBox([platform, segment, period]), output])
    box.redraw = redraw
    box.controls = (platform, segment, period)
    return box
