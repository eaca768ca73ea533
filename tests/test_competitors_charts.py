"""helpers.competitors.charts: each figure builds with Chinese labels and handles missing values; table views."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from helpers import i18n
from helpers.competitors import benchmark as bench
from helpers.competitors import charts as plots

ACCOUNTS = ["青柠·抖音", "素颜记·抖音", "桃气研究所·抖音"]


@pytest.fixture(autouse=True)
def style() -> None:
    plots.setup_style()


def _draw(fig: plt.Figure) -> list[str]:
    """Render the figure; return its glyph-missing warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    plt.close(fig)
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def _check(fig: plt.Figure) -> None:
    assert isinstance(fig, plt.Figure)
    assert _draw(fig) == []  # a CJK font is always there: the system's or the bundled one


def _texts(fig: plt.Figure) -> str:
    parts = [t.get_text() for ax in fig.axes for t in (*ax.get_xticklabels(), *ax.get_yticklabels(), ax.title)]
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None:
            parts += [t.get_text() for t in legend.get_texts()]
    return " ".join(parts)


def test_indexed_growth_chart() -> None:
    dates = pd.date_range("2026-05-01", periods=30)
    index = pd.DataFrame({"date": np.tile(dates, 3), "account_id": np.repeat(ACCOUNTS, 30),
                          "index": np.concatenate([100 + np.arange(30) * k for k in (0.5, 0.3, 0.2)])})
    fig = plots.indexed_growth_chart(index, "粉丝增长指数", highlight=ACCOUNTS[0])
    assert "素颜记·抖音" in _texts(fig) and "粉丝增长指数" in _texts(fig)
    _check(fig)


def test_share_of_voice_chart_stacks_to_one() -> None:
    months = pd.date_range("2026-05-01", periods=4, freq="MS")
    sov = pd.DataFrame({"period_start": np.repeat(months, 3), "account_id": ACCOUNTS * 4,
                        "engagement_share": [0.5, 0.3, 0.2] * 4})
    fig = plots.share_of_voice_chart(sov, title="声量份额", highlight=ACCOUNTS[0])
    tops = fig.axes[0].collections[-1].get_paths()[0].vertices[:, 1]
    assert tops.max() == pytest.approx(1.0)
    _check(fig)


def test_radar_chart_leaves_gaps_for_missing_values() -> None:
    scores = pd.DataFrame({"account_id": ACCOUNTS, "粉丝": [1.0, 0.0, 0.5], "互动率": [0.2, 1.0, np.nan],
                           "增长": [0.0, 0.4, 1.0]})
    fig = plots.radar_chart(scores, {"粉丝": "粉丝数"}, "雷达图", highlight=ACCOUNTS[0])
    labels = _texts(fig)
    assert "粉丝数" in labels and "桃气研究所·抖音 (missing: 互动率)" in labels
    _check(fig)
    with pytest.raises(ValueError, match="three metrics"):
        plots.radar_chart(scores[["account_id", "粉丝", "增长"]])


def test_lift_chart() -> None:
    table = pd.DataFrame({"pillar": ["成分科普", "教程", "品牌活动"], "lift": [1.5, 0.8, np.nan],
                          "lift_ci_low": [1.3, 0.7, np.nan], "lift_ci_high": [1.8, 0.9, np.nan]})
    fig = plots.lift_chart(table, "pillar", "话题提升")
    labels = _texts(fig)
    assert "成分科普" in labels and "品牌活动" not in labels  # no lift → not drawn
    _check(fig)


def test_metric_bar_chart_marks_missing_and_the_field_median() -> None:
    bench = pd.DataFrame({"account_id": [*ACCOUNTS, "field median"], "er_mean_of_rates": [0.02, np.nan, 0.01, 0.01]})
    fig = plots.metric_bar_chart(bench, "er_mean_of_rates", "互动率", highlight=ACCOUNTS[0], percent=True)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "missing" in texts and "2.00%" in texts
    assert any(line.get_linestyle() == "--" for line in fig.axes[0].get_lines())
    _check(fig)


def test_stacked_share_chart_in_given_order() -> None:
    mix = pd.DataFrame({"account_id": np.repeat(ACCOUNTS, 2), "pillar": ["成分科普", "教程"] * 3,
                        "share": [0.25, 0.75, 0.5, 0.5, 1.0, 0.0]})
    fig = plots.stacked_share_chart(mix, "account_id", "pillar", "share", "内容结构", order=ACCOUNTS[::-1])
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ACCOUNTS[::-1]
    _check(fig)


def test_benchmark_explorer_draws_the_start_at_once_and_redraws_on_change() -> None:
    plt.close("all")
    calls: list[tuple[str, list[str]]] = []

    def compute(platform: str, ids: list[str]) -> pd.DataFrame:
        calls.append((platform, ids))
        return pd.DataFrame({"account_id": ["我们", *ids, "field median"], "role": ["own", *["field"] * len(ids),
                                                                                    "field median"],
                             "posts_per_week": np.arange(len(ids) + 2, dtype=float)})

    box = plots.benchmark_explorer(compute, {"douyin": ["甲", "乙"], "xiaohongshu": ["丙"]},
                                   {"posts_per_week": "每周发帖"}, platform="douyin")
    assert calls == [("douyin", ["甲", "乙"])]  # the starting choice, drawn as soon as it is shown
    assert box.image.value[:8] == b"\x89PNG\r\n\x1a\n" and box.answers == 1
    platform_box, competitors, _metric = box.controls
    platform_box.value = "xiaohongshu"  # three changes (platform, its competitor list, the choice): one answer
    box.settle()
    assert calls[1:] == [("xiaohongshu", ["丙"])] and competitors.value == ("丙",) and box.answers == 2
    competitors.value = ()
    box.settle()
    assert len(calls) == 2 and "Choose at least one competitor." in box.text.value  # a message, no computation
    assert box.image.layout.display == "none"
    assert plt.get_fignums() == []  # built outside pyplot


def test_benchmark_explorer_waits_in_a_headless_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSBOOK_HEADLESS", "1")
    calls: list[str] = []

    def compute(platform: str, ids: list[str]) -> pd.DataFrame:
        calls.append(platform)
        return pd.DataFrame({"account_id": ["o", *ids, "m"], "role": ["own", "field", "field median"],
                             "posts_per_week": [3.0, 2.0, 2.0]})

    box = plots.benchmark_explorer(compute, {"douyin": ["a"]}, {"posts_per_week": "x"})
    assert calls == [] and box.answers == 0


def test_benchmark_explorer_speaks_the_run_language_and_names_accounts() -> None:
    def compute(platform: str, ids: list[str]) -> pd.DataFrame:
        return pd.DataFrame({"account_id": ["o", *ids, "field median"], "role": ["own", "field", "field median"],
                             "posts_per_week": [3.0, 2.0, 2.0]})

    with i18n.use_language("zh-CN"):
        box = plots.benchmark_explorer(compute, {"douyin": ["a"], "xiaohongshu": ["b"]},
                                       bench.metric_labels("followers", ["posts_per_week"]), platform="douyin",
                                       names={"a": "甲"})
    platform_box, competitors, metric = box.controls
    assert (platform_box.description, competitors.description, metric.description) == ("平台", "竞品", "指标")
    assert platform_box.options == (("抖音", "douyin"), ("小红书", "xiaohongshu"))
    assert competitors.options == (("甲", "a"),) and metric.options == (("周均发布数", "posts_per_week"),)


def _bench() -> pd.DataFrame:
    return pd.DataFrame({"account_id": [*ACCOUNTS, "field median"], "role": ["own", "field", "field", "field median"],
                         "engagements_mean": [50.0, 40.0, np.nan, 45.0], "er_mean_of_rates": [0.02, 0.01, 0.03, 0.02]})


def test_benchmark_charts_are_titled_from_the_run() -> None:
    fig = plots.engagements_chart(_bench(), ["likes", "comments", "shares"], highlight=ACCOUNTS[0])
    assert fig.axes[0].get_title() == "Engagements per post (likes + comments + shares); dashed: field median"
    _check(fig)
    fig = plots.engagement_rate_chart(_bench(), "views", highlight=ACCOUNTS[0])
    assert fig.axes[0].get_title() == ("Engagement rate by views (video posts only) (mean of per-post rates); "
                                       "dashed: field median")
    assert "3.00%" in [t.get_text() for t in fig.axes[0].texts]  # rates as percentages
    _check(fig)


def test_growth_and_share_of_voice_titles() -> None:
    dates = pd.date_range("2026-05-01", periods=10)
    index = pd.DataFrame({"date": np.tile(dates, 2), "account_id": np.repeat(ACCOUNTS[:2], 10),
                          "index": np.linspace(100, 110, 20)})
    fig = plots.growth_chart(index, pd.Timestamp("2026-05-01"), highlight=ACCOUNTS[0])
    assert fig.axes[0].get_title() == "Followers indexed to 100 on May 1, 2026 (own account in red)"
    _check(fig)
    weeks = pd.date_range("2026-05-04", periods=3, freq="7D")
    sov = pd.DataFrame({"period_start": np.repeat(weeks, 2), "account_id": ACCOUNTS[:2] * 3,
                        "engagement_share": [0.6, 0.4] * 3})
    assert plots.sov_chart(sov, "W").axes[0].get_title() == "Share of engagements per week"
    fig = plots.sov_chart(sov, "MS", highlight=ACCOUNTS[0])
    assert fig.axes[0].get_title() == "Share of engagements per month"
    _check(fig)


def test_format_and_posting_time_charts() -> None:
    mix = pd.DataFrame({"account_id": ACCOUNTS[:2] * 2, "format": ["short_video"] * 2 + ["live"] * 2,
                        "er_mean_of_rates": [0.02, 0.01, 0.015, 0.005]})
    fig = plots.er_by_format_chart(mix, "followers")
    assert fig.axes[0].get_title() == "ER by followers at posting time per format (mean of per-post rates)"
    _check(fig)
    grid = pd.DataFrame(np.full((7, 24), 1 / 168), index=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    assert plots.time_grid_chart(grid).axes[0].get_title() == "Competitors: share of posts by weekday and hour"
    fig = plots.time_grid_chart(grid, ACCOUNTS[0], cmap="Blues")
    assert fig.axes[0].get_title() == "青柠·抖音: share of posts by weekday and hour"
    _check(fig)


def test_table_view_hides_columns_and_sets_cell_styles() -> None:
    frame = pd.DataFrame({"account_id": ["a"], "er_base": ["followers"], "share": [0.25], "strengths": ["long text"]})
    html = plots.table_view(frame, hide=["er_base"], nowrap=["account_id"], wide=["strengths"]).to_html()
    assert "er_base" not in html and "25.00%" in html  # a share reads as a percentage, as in styled()
    assert "white-space: nowrap" in html and "min-width: 20em" in html
    every = plots.table_view(frame, nowrap=True).to_html()
    assert every.count("white-space: nowrap") >= 1 and "followers" in every
    assert "nowrap" not in plots.table_view(frame).to_html()


def test_table_views_skip_empty_tables() -> None:
    full, empty = pd.DataFrame({"a": [1]}), pd.DataFrame({"a": []})
    assert len(plots.table_views(full, empty, full)) == 2
    assert plots.table_views(empty) == []
