"""The review's charts (constrained layout): with long labels, big numbers and long Chinese names, in zh-CN and
en, nothing is cut off, no two labels of an axis overlap, and the legends sit where they cover no data."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text

from helpers import charts, i18n
from helpers.report import save_png
from helpers.review import charts as plots

ACCOUNTS = pd.DataFrame({"account_id": ["own_xhs", "own_dy"], "platform": ["xiaohongshu", "douyin"],
                         "name": ["青柠生活官方旗舰店·小红书", "青柠生活·抖音"]})


def _history(scale: float) -> pd.DataFrame:
    months = pd.date_range("2026-05-01", periods=6, freq="MS")
    rows = []
    for k, platform in enumerate(["douyin", "xiaohongshu", "wechat_channels", "weibo", "bilibili"]):
        for i, month in enumerate(months):
            for kpi in ("revenue", "engagements", "net_follower_change"):
                value = scale * (k + 1) * (1 + 0.1 * np.sin(i + k))
                rows.append({"period_start": month, "platform": platform, "kpi": kpi, "value": value,
                             "target": value * 1.05 if k < 2 else np.nan})
    return pd.DataFrame(rows)


def _charts() -> dict[str, Figure]:
    """Every chart of a month's review, fed labels and numbers longer than the sample's."""
    labels = {"revenue": i18n._("Revenue"), "engagements": i18n._("Engagements"),
              "net_follower_change": i18n._("Net follower change")}
    figures = dict(plots.trend_charts(_history(2_300_000.0), labels, "month"))
    days = pd.date_range("2026-09-01", periods=61)
    window = pd.DataFrame({"date": days, "observed": np.linspace(1e6, 3e7, 61), "expected": np.full(61, 2e6),
                           "is_anomaly": [i == 40 for i in range(61)]})
    figures |= plots.anomaly_charts({("own_xhs", "impressions"): window}, ACCOUNTS)
    board = pd.DataFrame({"kpi": ["engagement_rate", "net_follower_change", "revenue"] * 2,
                          "label": ["Engagement rate (by impressions, mean of post rates)", "Net follower change",
                                    "Revenue"] * 2,
                          "platform": ["douyin"] * 3 + ["all"] * 3, "attainment": [0.4, 0.95, 1.3, 1.0, 0.9, 1.1]})
    figures["attainment"] = plots.scorecard_chart(board, ["engagement_rate", "net_follower_change", "revenue"])
    step = pd.date_range("2026-10-01", periods=31)
    indexed = pd.DataFrame([{"account_id": a, "platform": p, "kpi": kpi, "step": d, "index": 100 + i * 40.0 * (j + 1)}
                            for j, (a, p) in enumerate([("own_xhs", "xiaohongshu"), ("own_dy", "douyin")])
                            for kpi in ("followers", "impressions", "revenue") for i, d in enumerate(step)])
    shares = pd.DataFrame([{"account_id": a, "platform": p, "kpi": kpi, "share": s}
                           for a, p, s in [("own_xhs", "xiaohongshu", 0.987), ("own_dy", "wechat_channels", -0.012)]
                           for kpi in ("net_follower_change", "engagements", "revenue")])
    figures["growth_indexed"] = plots.growth_chart(indexed, {"followers": "Followers", "impressions": "Impressions",
                                                             "revenue": "Revenue"})
    figures["growth_shares"] = plots.shares_chart(shares, labels)
    by_format = pd.DataFrame({"platform": ["douyin", "xiaohongshu", "wechat_channels"] * 2,
                              "format": ["short_video", "carousel", "live", "article", "image", "text"],
                              "er_mean_of_rates": [0.051, 0.12, 0.033, 0.02, 0.071, 0.01]})
    figures["content_by_format"] = plots.content_by_format_chart(by_format, "impressions")
    funnel = pd.DataFrame({"platform": ["douyin"] * 3 + ["xiaohongshu"] * 3, "step": ["impressions", "link_clicks",
                           "conversions"] * 2, "label": ["", "", ""] * 2,
                           "value": [9e7, 8e5, 6e3, 3e6, 4e4, 2e2]})
    figures["funnel"] = plots.platform_funnel_chart(funnel)
    comparison = pd.DataFrame({"model": ["markov", "last_touch", "shapley"] * 2,
                               "channel": ["xiaohongshu"] * 3 + ["kol_seeding"] * 3,
                               "share": [0.6, 0.4, 0.5, 0.4, 0.6, 0.5]})
    figures["attribution"] = plots.attribution_chart(comparison)
    campaigns = pd.DataFrame({"campaign_id": ["cmp_double11_presale_retarget_2026", "cmp_a", "cmp_brand_search"],
                              "roas": [1.8, 12.5, 4.0]})
    figures["roas"] = plots.roas_chart(campaigns, 3.0)
    matrix = pd.DataFrame(np.arange(25).reshape(5, 5), index=[5, 4, 3, 2, 1],
                          columns=["rare", "unlikely", "possible", "likely", "almost certain"])
    figures["risk_matrix"] = plots.risk_matrix_chart(matrix)
    return figures


def _in_view(axis: Any) -> list[Text]:
    """The tick labels the axis draws: those of ticks inside its view (the locator gives one more each side)."""
    low, high = sorted(axis.get_view_interval())
    tol = (high - low) * 1e-9
    labels = axis.get_ticklabels()  # lays the ticks out
    along = 0 if axis.axis_name == "x" else 1
    return [t for t in labels if low - tol <= axis.convert_units(t.get_position()[along]) <= high + tol]


def _texts_inside_and_apart(name: str, fig: Figure, path: Path) -> None:
    """Draw the figure as the report does; every shown text inside it, the tick labels of an axis apart."""
    save_png(fig, path, 110)
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    ticks = {id(t) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis) for tick in axis.majorTicks
             for t in (tick.label1, tick.label2)}
    drawn = [t for t in fig.findobj(Text) if id(t) not in ticks]  # titles, axis labels, legends, texts
    drawn += [t for ax in fig.axes for axis in (ax.xaxis, ax.yaxis) for t in _in_view(axis)]
    for text in drawn:
        if not (text.get_visible() and text.get_text().strip()):
            continue
        box = text.get_window_extent(renderer)
        assert box.x0 >= -1 and box.y0 >= -1 and box.x1 <= width + 1 and box.y1 <= height + 1, \
            (name, text.get_text(), box.bounds, (width, height))
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = [t for t in _in_view(axis) if t.get_visible() and t.get_text()]
            for a, b in itertools.pairwise(labels):
                if axis is ax.yaxis or a.get_rotation() % 90 == 0:
                    assert not a.get_window_extent(renderer).overlaps(b.get_window_extent(renderer)), \
                        (name, a.get_text(), b.get_text())
                else:  # parallel slanted labels: apart when the gap across them exceeds a line of text
                    gap = abs(b.get_position()[0] - a.get_position()[0])
                    across = abs(ax.transData.transform((gap, 0))[0] - ax.transData.transform((0, 0))[0])
                    across *= np.sin(np.deg2rad(a.get_rotation()))
                    assert across >= a.get_fontsize() * fig.dpi / 72, (name, a.get_text(), b.get_text())


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_nothing_is_cut_off_and_no_labels_overlap(lang: str, tmp_path: Path) -> None:
    charts.setup_style()
    with i18n.use_language(lang):
        figures = _charts()
    for name, fig in figures.items():
        assert isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine), name
        _texts_inside_and_apart(name, fig, tmp_path / f"{name}.png")
        plt.close(fig)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_trend_and_attainment_legends_sit_outside_the_data(lang: str, tmp_path: Path) -> None:
    charts.setup_style()
    with i18n.use_language(lang):
        figures = _charts()
    for name in ("trend_revenue", "trend_engagements", "attainment"):
        fig = figures[name]
        save_png(fig, tmp_path / "chart.png", 110)
        ax = fig.axes[0]
        legend = ax.get_legend().get_window_extent(fig.canvas.get_renderer())
        assert legend.x0 >= ax.bbox.x1, name  # right of the axes: covers no line or dot
        assert legend.x1 <= fig.bbox.x1 and legend.y1 <= fig.bbox.y1, name
        plt.close(fig)
