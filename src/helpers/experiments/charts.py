"""Charts of the experiment evaluation: the forest of differences and the running difference over time."""

from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd

from helpers.charts import slant_dates
from helpers.charts import bar_chart, close, heatmap, setup_style  # noqa: F401  (re-exported for the notebook)


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
    slant_dates(ax)
    return fig
