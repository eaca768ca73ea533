"""helpers.audience.charts: each figure is drawn from the rows it should show, with its title and labels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers.audience import charts
from helpers.audience.behaviour import active_hours


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_the_chart_base_is_re_exported() -> None:
    from helpers import charts as base

    assert (charts.setup_style, charts.bar_chart, charts.heatmap, charts.close) == (
        base.setup_style, base.bar_chart, base.heatmap, base.close)


def test_age_band_chart_draws_only_the_age_band_rows() -> None:
    demo = pd.DataFrame({"attribute": ["gender", "age_band", "age_band", "age_band"],
                         "platform": ["douyin", "douyin", "douyin", "weibo"],
                         "value": ["女", "18-24", "25-30", "18-24"], "share": [0.7, 0.4, 0.6, 1.0]})
    ax = charts.age_band_chart(demo).axes[0]
    assert ax.get_title() == "Age band by platform"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["18-24", "25-30"]  # no gender value
    heights = sorted(round(p.get_height(), 2) for p in ax.patches if p.get_height() > 0)
    assert heights == [0.4, 0.6, 1.0]  # douyin 18-24 and 25-30, weibo 18-24


def test_active_hours_chart_is_weekday_by_hour_with_named_weekdays() -> None:
    # one event Monday 20:00 (2026-03-02 is a Monday), three on Sunday 08:00 → shares 0.25 and 0.75
    events = pd.DataFrame({"user_id": ["a", "b", "b", "b"], "account_id": "X", "event": "view",
                           "occurred_at": pd.to_datetime(["2026-03-02 20:10", "2026-03-08 08:00", "2026-03-08 08:05",
                                                          "2026-03-08 08:59"])})
    heat = active_hours(events, pd.DataFrame({"account_id": ["X"], "timezone": ["Asia/Shanghai"]}))
    fig = charts.active_hours_chart(heat)
    ax = fig.axes[0]
    assert ax.get_title() == "Share of events by weekday and hour"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    values = ax.collections[0].get_array().reshape(7, 24)
    assert values[0, 20] == pytest.approx(0.25) and values[6, 8] == pytest.approx(0.75)
    assert values.sum() == pytest.approx(1.0)


def test_rfm_chart_is_a_horizontal_share_bar_per_segment() -> None:
    summary = pd.DataFrame({"name": ["champions", "new", "at risk"], "group": ["high-value", "potential", "dormant"],
                            "share": [0.5, 0.3, 0.2]})
    ax = charts.rfm_chart(summary).axes[0]
    assert ax.get_title() == "RFM segments (share of users)"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["champions", "new", "at risk"]
    assert sorted(round(p.get_width(), 2) for p in ax.patches if p.get_width() > 0) == [0.2, 0.3, 0.5]


def test_retention_chart_shows_the_last_twelve_cohorts() -> None:
    cohorts = pd.date_range("2025-01-01", periods=15, freq="MS")  # 15 monthly cohorts: the first 3 are left out
    wide = pd.DataFrame({"day 1": [i / 100 for i in range(15)], "day 7": 0.01, "day 30": 0.0},
                        index=pd.Index(cohorts, name="cohort"))
    ax = charts.retention_chart(wide).axes[0]
    assert ax.get_title() == "Day-N retention by cohort"
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert len(rows) == 12 and rows[0] == "Apr 2025"  # Jan, Feb, Mar 2025 are older than the last 12
    values = ax.collections[0].get_array().reshape(12, 3)
    assert values[0, 0] == pytest.approx(0.03) and values[-1, 0] == pytest.approx(0.14)
    assert len(charts.retention_chart(wide, cohorts=3).axes[0].get_yticklabels()) == 3


def test_silhouette_chart_rings_the_chosen_k_and_hollows_small_clusters() -> None:
    table = pd.DataFrame({"k": [2, 3, 4, 5], "silhouette": [0.2, 0.3, 0.25, 0.4],
                          "smallest_segment": [400, 120, 80, 10], "chosen": [False, True, False, False]})
    ax = charts.silhouette_chart(table, min_size=50).axes[0]
    line = ax.get_lines()[0]
    assert list(line.get_xdata()) == [2, 3, 4, 5] and list(line.get_ydata()) == [0.2, 0.3, 0.25, 0.4]
    full, small, chosen = ax.collections
    assert full.get_offsets().tolist() == [[2, 0.2], [3, 0.3], [4, 0.25]]
    assert small.get_offsets().tolist() == [[5, 0.4]]  # k = 5 leaves a 10-user cluster: hollow
    assert chosen.get_offsets().tolist() == [[3, 0.3]]
    assert ax.get_xlabel() == "Number of clusters k"
