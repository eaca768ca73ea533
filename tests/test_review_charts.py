"""Review charts: drawn without warnings, saying so when there is nothing to draw, named and titled as saved."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers import charts as base
from helpers import i18n
from helpers.charts import CountTicks
from helpers.review import charts as plots


def _board(attainment: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"kpi": ["impressions", "engagements"][:len(attainment)],
                         "label": ["Impressions", "Engagements"][:len(attainment)],
                         "platform": ["x", "x"][:len(attainment)], "attainment": attainment})


def test_scorecard_chart_without_targets_says_so_instead_of_an_empty_legend() -> None:
    board = _board([float("nan"), float("nan")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "No artists with labels" warning would fail here
        fig = plots.scorecard_chart(board, ["impressions", "engagements"])
    ax = fig.axes[0]
    assert ax.get_legend() is None
    assert [t.get_text() for t in ax.texts] == ["no KPI has a target"]


def test_scorecard_chart_with_targets_has_a_platform_legend() -> None:
    fig = plots.scorecard_chart(_board([0.95, 1.1]), ["impressions", "engagements"])
    ax = fig.axes[0]
    assert ax.get_legend() is not None and ax.get_legend().get_title().get_text() == "Platform"
    assert len(ax.texts) == 0


def _texts(fig: plt.Figure) -> tuple[str, list[str]]:
    """The title and the legend labels of a one-axes figure."""
    ax = fig.axes[0]
    legend = ax.get_legend()
    return ax.get_title(), [t.get_text() for t in legend.get_texts()] if legend else []


def test_the_chart_base_is_re_exported_for_the_notebook() -> None:
    assert plots.setup_style is base.setup_style and plots.bar_chart is base.bar_chart
    assert plots.heatmap is base.heatmap and plots.close is base.close


def test_roas_chart_draws_the_stop_loss_as_a_dashed_red_line() -> None:
    campaigns = pd.DataFrame({"campaign_id": ["cmp_a", "cmp_b"], "roas": [1.8, 5.0]})
    fig = plots.roas_chart(campaigns, 3.0)
    ax = fig.axes[0]
    [line] = [ln for ln in ax.get_lines() if list(ln.get_ydata()) == [3.0, 3.0]]
    assert line.get_linestyle() == "--" and line.get_color() == "#c62828"
    assert ax.get_title() == "ROAS by campaign (dashed line: stop-loss)"
    assert [round(b.get_height(), 2) for b in ax.patches] == [1.8, 5.0]
    plt.close(fig)


def test_trend_charts_one_per_kpi_titled_with_label_and_period_kind() -> None:
    history = pd.DataFrame({
        "period_start": pd.to_datetime(["2026-09-01", "2026-10-01"] * 3),
        "platform": ["douyin", "douyin", "weibo", "weibo", "douyin", "douyin"],
        "kpi": ["revenue"] * 4 + ["engagements"] * 2,
        "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "target": [1.5, 2.5, np.nan, np.nan, np.nan, np.nan]})
    figures = plots.trend_charts(history, {"revenue": "Revenue", "engagements": "Engagements"}, "month",
                                 kpis=("revenue", "engagements"))
    assert list(figures) == ["trend_revenue", "trend_engagements"]
    title, legend = _texts(figures["trend_revenue"])
    # platforms by name, then the key of the dashed target lines (the legend sits outside the axes, right)
    assert title == "Revenue per month" and legend == ["Douyin", "Weibo", "dashed: target"]
    # douyin has targets: its value line plus a dashed target line; weibo only its value line
    assert len(figures["trend_revenue"].axes[0].get_lines()) == 3
    assert _texts(figures["trend_engagements"]) == ("Engagements per month", ["Douyin"])
    for fig in figures.values():
        plt.close(fig)


def test_anomaly_charts_are_named_by_account_and_kpi() -> None:
    window = pd.DataFrame({"date": pd.date_range("2026-10-01", periods=3), "observed": [1.0, 9.0, 1.0],
                           "expected": [1.0, 1.0, 1.0], "is_anomaly": [False, True, False]})
    figures = plots.anomaly_charts({("own_dy", "impressions"): window})
    assert list(figures) == ["anomaly_own_dy_impressions"]
    title, legend = _texts(figures["anomaly_own_dy_impressions"])
    assert title == "own_dy: impressions, observed vs expected" and legend == ["observed", "expected", "alert"]
    plt.close(figures["anomaly_own_dy_impressions"])


def test_platform_funnel_leaves_the_total_out() -> None:
    steps = pd.DataFrame({"platform": ["douyin", "douyin", "total", "total"],
                          "label": ["Impressions", "Clicks"] * 2, "value": [1000.0, 50.0, 1000.0, 50.0]})
    fig = plots.platform_funnel_chart(steps)
    assert _texts(fig) == ("Funnel per platform (log scale)", ["Douyin"])
    plt.close(fig)


def test_section_charts_name_what_they_show() -> None:
    by_format = pd.DataFrame({"platform": ["douyin", "weibo"], "format": ["video", "text"],
                              "er_mean_of_rates": [0.05, 0.02]})
    fig = plots.content_by_format_chart(by_format, "reach")
    assert _texts(fig) == ("Mean engagement rate by format (by reach)", ["Douyin", "Weibo"])
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["long video", "text post"]
    comparison = pd.DataFrame({"model": ["markov", "last_touch"], "channel": ["weibo", "weibo"], "share": [0.6, 0.4]})
    fig2 = plots.attribution_chart(comparison)
    assert _texts(fig2) == ("Share of conversions credited, by model", ["Markov chain", "last touch"])
    matrix = pd.DataFrame([[1, 0], [0, 2]], index=[5, 4], columns=["likely", "rare"])
    fig3 = plots.risk_matrix_chart(matrix)
    assert fig3.axes[0].get_title() == "Open risks: impact × probability"
    with i18n.use_language("zh-CN"):
        fig4 = plots.content_by_format_chart(by_format, "reach")
        fig5 = plots.attribution_chart(comparison)
    assert _texts(fig4) == ("各内容形式的平均互动率（按触达人数）", ["抖音", "微博"])
    assert _texts(fig5) == ("各模型归给各渠道的转化占比", ["马尔可夫链", "末次触点"])
    for f in (fig, fig2, fig3, fig4, fig5):
        plt.close(f)


def ticks(locs: list[float]) -> list[str]:
    """The labels CountTicks gives an axis with ticks at `locs`."""
    formatter = CountTicks()
    formatter.set_locs(locs)
    return [formatter(v, i) for i, v in enumerate(locs)]


def test_count_axes_keep_one_unit_in_the_runs_language() -> None:
    assert ticks([0, 500_000, 1_000_000]) == ["0", "500,000", "1,000,000"]
    assert ticks([0, 0.25, 0.5]) == ["0", "0.250", "0.500"]
    with i18n.use_language("zh-CN"):
        # largest tick 15万 ≥ 10万: every tick in 万, whole numbers need no decimals (not "50,000" beside "10.0万")
        assert ticks([0, 50_000, 100_000, 150_000]) == ["0", "5万", "10万", "15万"]
        # 32.5万 needs one decimal, so every tick gets one
        assert ticks([300_000, 312_500 + 12_500, 350_000]) == ["30.0万", "32.5万", "35.0万"]
        assert ticks([0, 1e8, 2.5e8]) == ["0", "1.0亿", "2.5亿"]
        assert ticks([0, 20_000, 40_000]) == ["0", "20,000", "40,000"]  # under 10万: as people write counts
