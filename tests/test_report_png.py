"""RunOutputs.figure writes a chart with one draw (report.save_png, issue 22): the PNG must be the bytes
matplotlib's savefig writes (two draws: a layout pass, then the pixels), so the report's look is unchanged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from helpers import charts
from helpers.report import RunOutputs, save_png


def _dated_lines() -> Figure:
    fig, ax = charts.subplots(figsize=(7, 3.5))
    days = pd.date_range("2026-10-01", periods=31)
    for i, name in enumerate(["抖音 impressions", "微博", "小红书"]):
        ax.plot(days, np.sin(np.arange(31) / (3 + i)) * 1000 + 5000 * (i + 1), label=name)
    ax.set_title("曝光量 · Impressions, October 2026")
    ax.legend(loc="best")
    charts.slant_dates(ax)
    return fig


def _small_multiples() -> Figure:
    fig, axes = charts.subplots(2, 3, figsize=(9, 5), sharex=True)
    for k, ax in enumerate(axes.flat):
        ax.bar(["a", "b", "c"], [k + 1, 2 * k + 1, 3], color="C1")
        ax.set_ylabel(f"KPI {k} 达成率")
        ax.axhline(2.5, ls="--", color="grey")
    fig.suptitle("目标达成 Attainment")
    return fig


def _twin_axes_with_text() -> Figure:
    fig, ax = charts.subplots(figsize=(6, 4))
    ax.barh(["转化", "点击", "互动", "曝光"], [30, 300, 3_000, 30_000])
    ax.set_xscale("log")
    ax.twiny().plot([1, 2, 3], [0, 1, 2], color="C3")
    ax.annotate("ROAS 3.0", xy=(300, 1), xytext=(1000, 2), arrowprops={"arrowstyle": "->"})
    return fig


def _no_layout_engine() -> Figure:
    fig = Figure(figsize=(4, 3))
    fig.subplots().scatter([1, 2, 3], [3, 1, 2])
    return fig


BUILDERS = [_dated_lines, _small_multiples, _twin_axes_with_text, _no_layout_engine]


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
@pytest.mark.parametrize("dpi", [110, 72])
def test_one_draw_writes_savefigs_bytes(build: Callable[[], Figure], dpi: int, tmp_path: Path) -> None:
    charts.setup_style()
    build().savefig(tmp_path / "savefig.png", dpi=dpi)
    save_png(build(), tmp_path / "one_draw.png", dpi)
    assert (tmp_path / "one_draw.png").read_bytes() == (tmp_path / "savefig.png").read_bytes()


def test_run_outputs_figure_draws_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    charts.setup_style()
    draws: list[bool] = []
    original = Figure.draw

    def counting(self: Figure, renderer: object) -> None:
        draws.append(True)
        original(self, renderer)

    expected = tmp_path / "expected.png"
    _dated_lines().savefig(expected, dpi=110)
    monkeypatch.setattr(Figure, "draw", counting)
    out = RunOutputs("period_review", str(tmp_path / "run"))
    out.figure("lines", _dated_lines())
    assert len(draws) == 1
    assert (tmp_path / "run" / "figures" / "lines.png").read_bytes() == expected.read_bytes()


def test_a_tight_savefig_setting_is_still_honoured(tmp_path: Path) -> None:
    charts.setup_style()
    with mpl.rc_context({"savefig.bbox": "tight", "savefig.facecolor": "#fafafa"}):
        _dated_lines().savefig(tmp_path / "savefig.png", dpi=110)
        save_png(_dated_lines(), tmp_path / "one_draw.png", 110)
    assert (tmp_path / "one_draw.png").read_bytes() == (tmp_path / "savefig.png").read_bytes()


def _old_slant_dates(ax: plt.Axes) -> None:
    """slant_dates before issue 22: the labels of the ticks there when it is called, rotated one by one."""
    for label in ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")


def _slanted(slant: Callable[[plt.Axes], None], days: int, panels: int, later_data: bool) -> Figure:
    fig, axes = charts.subplots(1, panels, figsize=(4.0 * panels, 3.2), squeeze=False)
    when = pd.date_range("2026-09-01", periods=days)
    for k, ax in enumerate(axes[0]):
        ax.plot(when, np.cos(np.arange(days) / (2 + k)) * 1e5 + 2e5, marker="o", label="抖音")
        ax.set_title(f"互动量 {k}")
        ax.legend(loc="upper left")
        slant(ax)
        if later_data:  # data added after slanting: the axis gets more ticks than it had when slant ran
            ax.plot(when + pd.Timedelta(days=days * 3), np.linspace(1e5, 3e5, days))
    return fig


@pytest.mark.parametrize(("days", "panels", "later_data"), [(6, 1, False), (61, 1, False), (400, 3, False),
                                                             (31, 1, True)])
def test_slant_dates_draws_what_rotating_each_label_drew(days: int, panels: int, later_data: bool,
                                                           tmp_path: Path) -> None:
    """slant_dates sets the rotation as a tick parameter (no tick layout before the draw): the same pixels."""
    charts.setup_style()
    save_png(_slanted(_old_slant_dates, days, panels, later_data), tmp_path / "old.png", 110)
    save_png(_slanted(charts.slant_dates, days, panels, later_data), tmp_path / "new.png", 110)
    old, new = plt.imread(tmp_path / "old.png"), plt.imread(tmp_path / "new.png")
    assert old.shape == new.shape
    assert np.array_equal(old, new)
