"""Charts of the account plan: history, backtest accuracy, forecast fans, the target cascade and response curves.

Every figure function takes a tidy table the analysis built and returns a matplotlib Figure made with
helpers.charts.subplots (outside pyplot); labels are in the run's language, count axes use
CountTicks, rates are percentages. Small multiples share one layout: one panel per KPI, three per
row. An empty input gives a figure that says there is nothing to show, never an error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import matplotlib.dates
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers import i18n
from helpers.account_plan.analysis import NO_BUDGET, Accuracy, Spend
from helpers.account_plan.budget import BudgetPlan
from helpers.account_plan.session import KPI_LABELS, PlanRun
from helpers.charts import CountTicks, close, setup_style, slant_dates, subplots
from helpers.i18n import _

__all__ = ["allocation_chart", "backtest_chart", "budget_explorer", "cascade_chart", "close", "forecast_chart",
           "history_chart", "response_chart", "setup_style"]

_RATES = ("engagement_rate",)
_MODEL_COLOUR, _BASELINE_COLOUR, _ACTUAL_COLOUR = "#0072B2", "#E69F00", "#333333"


def _nothing(message: str) -> Figure:
    """A small figure that says there is nothing to show."""
    fig, ax = subplots(figsize=(6, 1.2))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center")
    return fig


def _panels(kpis: Sequence[str], height: float = 2.4) -> tuple[Figure, list[Axes]]:
    """One panel per KPI, three to a row; spare panels hidden."""
    ncols = min(3, max(1, len(kpis)))
    nrows = math.ceil(len(kpis) / ncols)
    fig, axes = subplots(nrows, ncols, figsize=(4.0 * ncols, height * nrows + 0.4), squeeze=False)
    flat = list(axes.ravel())
    for ax in flat[len(kpis):]:
        ax.axis("off")
    return fig, flat[:len(kpis)]


def _legend_below(fig: Figure, ax: Axes, ncols: int) -> None:
    """One legend for all panels, under them (taken from the first panel)."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(ncols, max(1, len(labels))), frameon=False)


def _value_axis(ax: Axes, kpi: str) -> None:
    """Percent ticks for a rate, counts otherwise."""
    if kpi in _RATES:
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=1))
    else:
        ax.yaxis.set_major_formatter(CountTicks())


def _months(values: pd.Series) -> pd.DatetimeIndex:
    """Month labels as timestamps on the first day."""
    return pd.DatetimeIndex(pd.PeriodIndex(values.astype(str), freq="M").to_timestamp())


def _kpi_title(kpi: str) -> str:
    """A panel's title: the KPI's name in the run's language."""
    return i18n.gettext(KPI_LABELS.get(kpi, kpi))


def _tidy_dates(ax: Axes) -> None:
    """Month ticks that do not overlap: at most about six, on whole months."""
    low, high = (matplotlib.dates.num2date(x) for x in ax.get_xlim())
    months = max(1, (high.year - low.year) * 12 + high.month - low.month)
    every = next((k for k in (1, 2, 3, 6, 12) if months / k <= 7), 12)
    ax.xaxis.set_major_locator(matplotlib.dates.MonthLocator(bymonth=range(1, 13, every)))
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y-%m"))
    slant_dates(ax)


def history_chart(actuals: pd.DataFrame, run: PlanRun) -> Figure:
    """Monthly actuals, one panel per KPI, one line per account."""
    kpis = [k for k in run.settings.kpis if k in set(actuals["kpi"])]
    if not kpis:
        return _nothing(_("No complete month to show."))
    fig, axes = _panels(kpis)
    for ax, kpi in zip(axes, kpis, strict=True):
        rows = actuals[actuals["kpi"] == kpi]
        for account_id, group in rows.groupby("account_id", sort=False):
            ax.plot(_months(group["month"]), group["value"].to_numpy(), marker=".", linewidth=1.2,
                    label=run.names.get(str(account_id), str(account_id)))
        ax.set_title(_kpi_title(kpi))
        _value_axis(ax, kpi)
        _tidy_dates(ax)
    _legend_below(fig, axes[0], 4)
    return fig


def backtest_chart(accuracy: Accuracy, run: PlanRun) -> Figure:
    """MASE of the model and of the seasonal-naive baseline per account × KPI (below 1 beats 'same month last year')."""
    rows = accuracy.choice.dropna(subset=["model_mase", "baseline_mase"], how="all")
    if rows.empty:
        return _nothing(_("Too little history to backtest."))
    labels = [f"{run.names.get(str(a), str(a))} · {_kpi_title(str(k))}" for a, k in
              zip(rows["account_id"], rows["kpi"], strict=True)]
    y = np.arange(len(rows))
    fig, ax = subplots(figsize=(8, 0.28 * len(rows) + 1.2))
    ax.barh(y - 0.2, rows["model_mase"].to_numpy(dtype=float), height=0.4, color=_MODEL_COLOUR, label=_("model"))
    ax.barh(y + 0.2, rows["baseline_mase"].to_numpy(dtype=float), height=0.4, color=_BASELINE_COLOUR,
            label=_("seasonal-naive baseline"))
    ax.axvline(1.0, color="#666666", linewidth=0.8, linestyle="--")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(_("MASE (lower is better; 1 = as good as last year's same month)"))
    _legend_below(fig, ax, 2)
    return fig


def forecast_chart(actual: pd.DataFrame, forecast: pd.DataFrame, run: PlanRun) -> Figure:
    """The brand's monthly actuals, the median forecast and its 80 % band, one panel per KPI.

    ``actual``: kpi, month, value; ``forecast``: kpi, month, p10, p50, p90 (the brand's totals).
    """
    kpis = [k for k in run.settings.kpis if k in set(forecast["kpi"])]
    if not kpis:
        return _nothing(_("No forecast to show."))
    fig, axes = _panels(kpis)
    for ax, kpi in zip(axes, kpis, strict=True):
        past = actual[actual["kpi"] == kpi]
        ahead = forecast[forecast["kpi"] == kpi]
        x = _months(ahead["month"])
        ax.fill_between(x, ahead["p10"].to_numpy(dtype=float), ahead["p90"].to_numpy(dtype=float),
                        color=_MODEL_COLOUR, alpha=0.2, linewidth=0, label=_("80% prediction interval"))
        ax.plot(x, ahead["p50"].to_numpy(dtype=float), color=_MODEL_COLOUR, linestyle="--", label=_("median forecast"))
        ax.plot(_months(past["month"]), past["value"].to_numpy(dtype=float), color=_ACTUAL_COLOUR, label=_("actual"))
        ax.set_title(_kpi_title(kpi))
        _value_axis(ax, kpi)
        _tidy_dates(ax)
    _legend_below(fig, axes[0], 3)
    return fig


def cascade_chart(monthly: pd.DataFrame, run: PlanRun) -> Figure:
    """The brand's monthly targets (bars) against the median forecast (dots), one panel per KPI.

    ``monthly``: kpi, period ('YYYY-MM'), target, forecast_p50, actual (the brand's totals per month).
    """
    kpis = [k for k in run.settings.kpis if k in set(monthly["kpi"])]
    if not kpis:
        return _nothing(_("No target to show."))
    fig, axes = _panels(kpis)
    for ax, kpi in zip(axes, kpis, strict=True):
        rows = monthly[monthly["kpi"] == kpi]
        x = np.arange(len(rows))
        closed = rows["actual"].notna().to_numpy()
        ax.bar(x[~closed], rows["target"].to_numpy(dtype=float)[~closed], color=_MODEL_COLOUR, alpha=0.7,
               label=_("monthly target"))
        if closed.any():
            ax.bar(x[closed], rows["actual"].to_numpy(dtype=float)[closed], color="#999999", label=_("actual"))
        ax.plot(x, rows["forecast_p50"].to_numpy(dtype=float), "o", color=_ACTUAL_COLOUR, markersize=3,
                label=_("median forecast"))
        ax.set_xticks(x, [str(p)[5:] for p in rows["period"]], fontsize=7)
        ax.set_title(_kpi_title(kpi))
        _value_axis(ax, kpi)
    _legend_below(fig, axes[0], 3)
    return fig


def response_chart(spend: Spend | None, run: PlanRun) -> Figure:
    """Daily spend against the outcome per unit, with the fitted curve and last month's and the proposed daily spend."""
    if spend is None:
        return _nothing(_(NO_BUDGET))
    days, curves = spend.days, spend.chart_table()
    outcome_label = _kpi_title(spend.outcome)
    units = list(dict.fromkeys(curves["unit"])) if len(curves) else []
    if not units:
        return _nothing(_("No ad spend to show."))
    ncols = min(2, len(units))
    nrows = math.ceil(len(units) / ncols)
    fig, axes = subplots(nrows, ncols, figsize=(5.0 * ncols, 3.0 * nrows + 0.4), squeeze=False)
    flat = list(axes.ravel())
    for ax in flat[len(units):]:
        ax.axis("off")
    for ax, (_i, curve) in zip(flat, curves.iterrows(), strict=False):
        points = days[days["unit"] == curve["unit"]]
        ax.scatter(points["spend"], points["outcome"], s=6, alpha=0.35, color="#888888", label=_("a day"))
        ax.plot(curve["grid"], curve["fitted"], color=_MODEL_COLOUR, linewidth=1.8, label=_("fitted response"))
        ax.axvline(curve["last_daily_spend"], color=_ACTUAL_COLOUR, linestyle=":", label=_("last month's daily spend"))
        if pd.notna(curve["proposed_daily_spend"]):
            ax.axvline(curve["proposed_daily_spend"], color=_BASELINE_COLOUR, linestyle="--",
                       label=_("proposed daily spend"))
        ax.set_title(str(curve["unit"]))
        ax.set_xlabel(_("daily spend"))
        ax.set_ylabel(outcome_label)
        ax.xaxis.set_major_formatter(CountTicks())
        ax.yaxis.set_major_formatter(CountTicks())
    _legend_below(fig, flat[0], 4)
    return fig


def allocation_chart(plan: BudgetPlan) -> Figure:
    """Last month's pace against the proposed spend per campaign or channel (bars), money kept back as a note."""
    table = plan.table
    if table.empty:
        return _nothing(_("No ad spend to show."))
    y = np.arange(len(table))
    fig, ax = subplots(figsize=(7.5, 0.55 * len(table) + 1.3))
    ax.barh(y - 0.2, table["last_spend"].to_numpy(dtype=float), height=0.4, color="#999999",
            label=_("last month's pace"))
    ax.barh(y + 0.2, table["proposed_spend"].to_numpy(dtype=float), height=0.4, color=_MODEL_COLOUR,
            label=_("proposed"))
    ax.set_yticks(y, table["unit"].astype(str).tolist())
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(CountTicks())
    ax.set_xlabel(_("spend in the month"))
    _legend_below(fig, ax, 2)
    return fig


def budget_explorer(spend: Spend | None, run: PlanRun) -> Any:
    """Sliders for next month's budget (× last month's pace), the reserve, the test slice and the stop-loss.

    Each change re-allocates with the fitted curves (no refit: ~10 ms) and shows the budget line, the
    allocation against last month and the plan table. Without ad_daily there is nothing to explore and
    the explorer says so. See helpers.explorer for when it draws.
    """
    import ipywidgets as widgets

    from helpers.account_plan.budget import allocate_budget
    from helpers.account_plan.findings import budget_line, budget_view
    from helpers.explorer import Explorer, View, fit_descriptions

    if spend is None:
        return widgets.HTML(_(NO_BUDGET))
    table = spend.plan.table
    pace = float(table["last_spend"].sum())
    last = {str(u): float(v) for u, v in zip(table["unit"], table["last_spend"], strict=True) if pd.notna(v)}
    layout = widgets.Layout(width="30em")
    percent = {"readout_format": ".0%", "layout": layout, "continuous_update": False}
    scale = widgets.FloatSlider(value=round(spend.plan.budget / pace, 2) if pace else 1.0, min=0.5, max=2.0,
                                step=0.05, description=_("budget vs last month's pace"), **percent)
    reserve = widgets.FloatSlider(value=run.settings.reserve_share, min=0.10, max=0.20, step=0.01,
                                  description=_("flexible reserve"), **percent)
    test = widgets.FloatSlider(value=run.settings.test_share, min=0.0, max=0.30, step=0.01,
                               description=_("test slice"), **percent)
    stop = widgets.FloatSlider(value=run.settings.roas_stop_loss, min=1.0, max=6.0, step=0.5,
                               description=_("ROAS stop-loss"), readout_format=".1f", layout=layout,
                               continuous_update=False)
    sliders = (scale, reserve, test, stop)
    fit_descriptions(sliders)

    def draw() -> View:
        plan = allocate_budget(spend.curves, budget=pace * scale.value, days=spend.plan.days, last_spend=last,
                               stop_loss=stop.value if spend.outcome == "revenue" else 0.0,
                               reserve_share=reserve.value, test_share=test.value,
                               test_units=run.settings.test_units, n_draws=200)
        chosen = Spend(days=spend.days, curves=spend.curves, plan=plan, outcome=spend.outcome, month=spend.month,
                       budget_given=True)
        return View(budget_line(chosen, run), figure=allocation_chart(plan), tables=(budget_view(chosen, run),))

    return Explorer("budget", sliders, draw)
