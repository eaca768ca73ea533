"""Charts of content planning: what works, posting windows, topic scores, the month grid, capacity, the explorer.

Also the styled tables the notebook displays (long text columns kept readable): they take the
frames `findings` shapes and return a pandas Styler.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd
import seaborn as sns

from helpers import i18n
from helpers.charts import bar_chart, close, heatmap, setup_style, subplots  # noqa: F401  (re-exported for the notebook)
from helpers.errors import OpsbookError
from helpers.i18n import _
from helpers.planning.findings import CAPACITY_STATUS, LABELS, calendar_line
from helpers.planning.grid import month_grid_view
from helpers.planning.schedule import Calendar, CalendarError, PlanSettings, format_name, tier_name, weekday_name
from helpers.report import styled

if TYPE_CHECKING:
    import ipywidgets as widgets


TIER_COLOURS = {"flagship": "#c62828", "series": "#1565c0", "daily": "#455a64", "reserve": "#9e9e9e"}


def what_works_chart(table: pd.DataFrame, title: str = "", max_rows: int = 40) -> plt.Figure:
    """ER (mean of per-post rates) per platform × pillar × format with its CI and post count; thin groups grey.

    Columns: platform, pillar, format, posts_with_rate, er_mean_of_rates, er_ci_low, er_ci_high, reliable,
    platform_er_mean (optional: one dashed mean line per platform block).
    """
    data = (table.dropna(subset=["er_mean_of_rates"]).sort_values(["platform", "er_mean_of_rates"],
                                                                    ascending=[True, False])
            .head(max_rows).reset_index(drop=True))
    fig, ax = subplots(figsize=(10, 0.27 * max(len(data), 4) + 1.4))
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
        for _platform, group in data.groupby("platform", sort=False):
            rows = [y[i] for i in group.index]
            ax.vlines(group["platform_er_mean"].iloc[0], min(rows) - 0.4, max(rows) + 0.4, colors="#c62828",
                      linestyles="--", linewidth=1)
    ax.set_yticks(y, [f"{i18n.platform_name(r.platform)} · {r.pillar} · {format_name(r.format)}"
                      for r in data.itertuples()], fontsize=8)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel(_("engagement rate, mean of per-post rates (95% CI); grey: thin group; red dashes: platform mean"))
    ax.set_title(title)
    return fig


def windows_heatmaps(windows: pd.DataFrame, platforms: Sequence[str], value: str = "index",
                     title: str = "") -> plt.Figure:
    """One weekday × hour heatmap per platform of a posting_windows column (default: shrunk ER ÷ platform mean)."""
    n = len(platforms)
    cols = 2 if n > 1 else 1
    rows = (n + cols - 1) // cols
    fig, axes = subplots(rows, cols, figsize=(6.2 * cols, 2.9 * rows), squeeze=False)
    for ax, platform in zip(axes.flat, platforms, strict=False):  # more axes than platforms
        part = windows[windows["platform"] == platform]
        grid = part.pivot(index="weekday", columns="hour", values=value).reindex(range(7))
        grid.index = [weekday_name(d) for d in range(7)]
        sns.heatmap(grid, ax=ax, cmap="RdBu_r", center=1.0, vmin=0.6, vmax=1.4, cbar=True, linewidths=0.3,
                    cbar_kws={"shrink": 0.8})
        ax.set_title(i18n.platform_name(platform), fontsize=10)
        ax.tick_params(axis="y", rotation=0)
        ax.set_xlabel(_("hour (local time)"))
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
    fig, ax = subplots(figsize=(10, 0.38 * max(len(data), 4) + 1.3))
    y = list(range(len(data)))[::-1]
    for pos, r in zip(y, data.itertuples(), strict=True):
        ax.errorbar([r.index], [pos], xerr=[[r.index - r.index_ci_low], [r.index_ci_high - r.index]], fmt="o",
                    color="#1565c0", elinewidth=2, capsize=3)
        if pd.notna(r.er_cell_mean):
            ax.plot([r.er_cell_mean / r.platform_er_mean], [pos], marker="x", color="#ef6c00", linestyle="none")
        ax.annotate(f"n={int(r.posts)}", (r.index_ci_high, pos), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.axvline(1.0, color="#333", linewidth=1)
    ax.set_yticks(y, [f"{i18n.platform_name(r.platform)} · {weekday_name(r.weekday)} {r.hour:02d}:00"
                      for r in data.itertuples()], fontsize=9)
    ax.set_xlabel(_("ER ÷ platform mean: dot = shrunk estimate with 95% interval, x = raw cell mean (before "
                    "shrinking)"))
    ax.set_title(title)
    return fig


def topic_score_chart(scores: pd.DataFrame, title: str = "", top: int = 15) -> plt.Figure:
    """Each topic's best score over platforms (expected ER index × strategic weight), coloured by pillar."""
    best = (scores.dropna(subset=["score"]).sort_values("score", ascending=False)
            .drop_duplicates("topic").head(top).reset_index(drop=True))
    pillars = list(dict.fromkeys(best["pillar"]))
    palette = dict(zip(pillars, sns.color_palette("tab10", n_colors=max(len(pillars), 1)), strict=False))
    fig, ax = subplots(figsize=(10, 0.34 * max(len(best), 4) + 1.3))
    y = list(range(len(best)))[::-1]
    ax.barh(y, best["score"], color=[palette[p] for p in best["pillar"]])
    for pos, r in zip(y, best.itertuples(), strict=True):
        ax.annotate(f"{i18n.platform_name(r.platform)} · {format_name(r.format)}", (r.score, pos), xytext=(4, 0),
                    textcoords="offset points",
                    va="center", fontsize=8)
    ax.set_yticks(y, list(best["topic"]), fontsize=9)
    ax.axvline(1.0, color="#333", linewidth=1, linestyle=":")
    handles = [matplotlib.patches.Patch(color=palette[p], label=p) for p in pillars]
    ax.legend(handles=handles, fontsize=8, loc="lower right", title=_("Content pillar"))
    ax.set_xlabel(_("score = expected ER ÷ platform mean × strategic weight (best platform shown)"))
    ax.set_title(title)
    return fig


def capacity_chart(capacity: pd.DataFrame, title: str = "") -> plt.Figure:
    """Planned pieces (and reserve slots on top) per format against production capacity (black tick)."""
    data = capacity.reset_index(drop=True)
    fig, ax = subplots(figsize=(9, 3.6))
    x = range(len(data))
    colours = {"ok": "#2e7d32", "tight": "#f9a825", "over capacity": "#c62828", "no capacity given": "#607d8b"}
    ax.bar(x, data["planned"], color=[colours.get(s, "#607d8b") for s in data["status"]], label=_("planned"))
    ax.bar(x, data["reserve"], bottom=data["planned"], color="#bdbdbd", label=_("reserve slots (possible pieces)"))
    for i, r in data.iterrows():
        if pd.notna(r["capacity"]):
            ax.hlines(r["capacity"], i - 0.4, i + 0.4, colors="#212121", linewidth=2.5)
        ax.annotate(status_text(r["status"]), (i, r["planned"] + r["reserve"]), xytext=(0, 3),
                    textcoords="offset points",
                    ha="center", fontsize=8)
    ax.set_xticks(list(x), [format_name(f) for f in data["format"]])
    ax.set_ylabel(_("pieces in the month"))
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(title)
    return fig


def status_text(code: str) -> str:
    """A capacity status in the run's language (findings.CAPACITY_STATUS words, without the shape)."""
    label = CAPACITY_STATUS.get(code, ("", code, ""))[1]
    return _(label) if code in CAPACITY_STATUS else code


def styled_topics(shown: pd.DataFrame) -> Any:
    """findings.topic_table for display: expected ER as a percentage, names on one line, room for the reason."""
    return (styled(shown, percent=("expected_er",), labels=LABELS)
            .set_properties(subset=["platform", "format"], **{"white-space": "nowrap"})
            .set_properties(subset=["reason"], **{"min-width": "22em", "text-align": "left"}))


def styled_adaptation(versions: pd.DataFrame) -> Any:
    """findings.adaptation_table for display, with room for what each is cut from and what to make."""
    return styled(versions, labels=LABELS).set_properties(subset=["derived_from", "version"],
                                                          **{"min-width": "16em", "text-align": "left"})


def calendar_explorer(rebuild: Callable[..., Calendar], settings: PlanSettings,
                      reserve_range: tuple[float, float] = (0.20, 0.30)) -> widgets.VBox:
    """Sliders for the pyramid mix, reserve share and posts per week that rebuild the calendar.

    ``rebuild(mix=..., reserve_share=..., posts_per_week=...)`` returns a schedule.Calendar (about
    10 ms on the sample); its summary line and month grid are shown. The sliders start at
    `settings`; the flagship share is 1 − daily − series. A constraint that cannot be met is said
    instead of a calendar: a schedule.CalendarError as it is (it names the month, the numbers and the
    fix), settings refused earlier after "No calendar:". See helpers.explorer for when it draws.
    """
    import ipywidgets as widgets

    from helpers.explorer import Explorer, View, fit_descriptions

    mix, reserve_share, posts_per_week = dict(settings.mix), settings.reserve_share, dict(settings.posts_per_week)
    layout = widgets.Layout(width="30em")
    percent = {"readout_format": ".0%", "layout": layout, "continuous_update": False}
    daily = widgets.FloatSlider(value=mix["daily"], min=0, max=1, step=0.05,
                                description=_("{tier} share").format(tier=tier_name("daily")), **percent)
    series = widgets.FloatSlider(value=mix["series"], min=0, max=1, step=0.05,
                                 description=_("{tier} share").format(tier=tier_name("series")), **percent)
    reserve = widgets.FloatSlider(value=reserve_share, min=reserve_range[0], max=reserve_range[1], step=0.01,
                                  description=_("reserve share"), **percent)
    ppw = {p: widgets.IntSlider(value=n, min=1, max=21, layout=layout, continuous_update=False,
                                description=_("{platform} posts/week").format(platform=i18n.platform_name(p)))
           for p, n in posts_per_week.items()}
    sliders = (daily, series, reserve, *ppw.values())
    fit_descriptions(sliders)

    def draw() -> View:
        flagship = round(1 - daily.value - series.value, 6)
        if flagship < 0:
            return View(text=_("{daily} + {series} exceed 100%: lower one of them (flagship = the rest).").format(
                daily=f"{tier_name('daily')} {i18n.fmt_percent(daily.value, 0)}",
                series=f"{tier_name('series')} {i18n.fmt_percent(series.value, 0)}"), problem=True)
        try:
            cal = rebuild(mix={"daily": daily.value, "series": series.value, "flagship": flagship},
                          reserve_share=reserve.value, posts_per_week={p: slider.value for p, slider in ppw.items()})
        except CalendarError as exc:  # a constraint that cannot be met: the message says which, and the fix
            return View(text=str(exc), problem=True)
        except (OpsbookError, ValueError) as exc:  # settings refused before any calendar is built
            return View(text=_("No calendar: {error}").format(error=exc), problem=True)
        return View(calendar_line(cal.summary(), flagship), tables=(month_grid_view(cal.slots, cal.month),))

    header = widgets.HBox([widgets.VBox([daily, series, reserve]), widgets.VBox(list(ppw.values()))],
                          layout=widgets.Layout(flex_flow="row wrap"))
    return Explorer("calendar", sliders, draw, header=header)

