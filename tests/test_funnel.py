"""Tests of helpers.review.funnel: per-platform and total funnel rates worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.errors import DataError, ParameterError
from helpers.review.funnel import funnel

NAN = math.nan
START, END = pd.Timestamp("2026-08-01"), pd.Timestamp("2026-08-02")


def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Own weibo (W) and douyin (D) accounts, a competitor (X), and a day outside the period.

    W: 08-01 impressions 1000, link_clicks 30, conversions 3; 08-02 1000, 20, 2
       → 2000, 50, 5
    D: 08-01 impressions 3000, link_clicks NaN, conversions 6; 08-02 1000, NaN, 4
       → 4000, NaN (clicks not reported), 10
    X (competitor): 08-01 1e6, 1e4, 1e3 — excluded by default
    W 07-31: 5000, 500, 50 — outside the period
    """
    daily = pd.DataFrame({
        "date": pd.to_datetime(["2026-08-01", "2026-08-02", "2026-08-01", "2026-08-02", "2026-08-01",
                                "2026-07-31"]),
        "account_id": ["W", "W", "D", "D", "X", "W"],
        "followers": 1,
        "impressions": [1000.0, 1000.0, 3000.0, 1000.0, 1e6, 5000.0],
        "link_clicks": [30.0, 20.0, NAN, NAN, 1e4, 500.0],
        "conversions": [3.0, 2.0, 6.0, 4.0, 1e3, 50.0],
    })
    accounts = pd.DataFrame({"account_id": ["W", "D", "X"], "platform": ["weibo", "douyin", "weibo"],
                             "name": ["w", "d", "x"], "owner": ["own", "own", "competitor"]})
    return daily, accounts


def row(result: pd.DataFrame, platform: str, step: str) -> pd.Series:
    """The one row of a platform × step."""
    return result.set_index(["platform", "step"]).loc[(platform, step)]


def test_platform_rates_by_hand() -> None:
    result = funnel(*tables(), START, END)
    assert list(result.columns) == ["platform", "step", "label", "value", "rate_from_previous", "drop_off",
                                    "rate_from_top", "complete"]
    assert result["platform"].tolist() == ["douyin"] * 3 + ["weibo"] * 3 + ["total"] * 3
    w_imp, w_clk, w_conv = (row(result, "weibo", s) for s in ("impressions", "link_clicks", "conversions"))
    assert (w_imp["value"], w_clk["value"], w_conv["value"]) == (2000, 50, 5)
    assert math.isnan(w_imp["rate_from_previous"]) and w_imp["rate_from_top"] == 1.0
    assert w_clk["rate_from_previous"] == pytest.approx(0.025)    # 50 / 2000
    assert w_clk["drop_off"] == pytest.approx(0.975)              # 1 − 0.025
    assert w_conv["rate_from_previous"] == pytest.approx(0.1)     # 5 / 50
    assert w_conv["drop_off"] == pytest.approx(0.9)
    assert w_conv["rate_from_top"] == pytest.approx(0.0025)       # 5 / 2000
    assert w_clk["label"] == "Clicks" and bool(w_clk["complete"])


def test_missing_step_is_nan_not_zero() -> None:
    result = funnel(*tables(), START, END)
    d_clk, d_conv = row(result, "douyin", "link_clicks"), row(result, "douyin", "conversions")
    assert math.isnan(d_clk["value"]) and not d_clk["complete"]
    assert math.isnan(d_clk["rate_from_previous"]) and math.isnan(d_clk["drop_off"])
    assert math.isnan(d_conv["rate_from_previous"])               # previous step unknown
    assert d_conv["rate_from_top"] == pytest.approx(0.0025)       # 10 / 4000


def test_total_sums_reported_values_and_compares_like_for_like() -> None:
    result = funnel(*tables(), START, END)
    t_imp, t_clk, t_conv = (row(result, "total", s) for s in ("impressions", "link_clicks", "conversions"))
    assert (t_imp["value"], t_clk["value"], t_conv["value"]) == (6000, 50, 15)  # 2000+4000, 50, 5+10
    assert bool(t_imp["complete"]) and not t_clk["complete"] and bool(t_conv["complete"])
    # clicks ÷ impressions over platforms reporting both (weibo only): 50 / 2000, not 50 / 6000
    assert t_clk["rate_from_previous"] == pytest.approx(0.025)
    assert t_clk["rate_from_top"] == pytest.approx(0.025)
    # conversions ÷ clicks: weibo only, 5 / 50; conversions ÷ impressions: both, 15 / 6000
    assert t_conv["rate_from_previous"] == pytest.approx(0.1)
    assert t_conv["rate_from_top"] == pytest.approx(0.0025)


def test_owner_none_includes_competitors() -> None:
    result = funnel(*tables(), START, END, owner=None)
    assert row(result, "weibo", "impressions")["value"] == 2000 + 1e6


def test_absent_column_and_custom_steps() -> None:
    steps = (("impressions", "Seen"), ("profile_visits", "Visited"), ("conversions", "Bought"))
    result = funnel(*tables(), START, END, steps=steps)
    visits = result[result["step"] == "profile_visits"]
    assert visits["value"].isna().all() and not visits["complete"].any()
    assert row(result, "total", "conversions")["rate_from_top"] == pytest.approx(15 / 6000)
    assert math.isnan(row(result, "total", "conversions")["rate_from_previous"])


def test_zero_previous_step_gives_nan_rate() -> None:
    daily, accounts = tables()
    daily.loc[daily["account_id"] == "W", "link_clicks"] = 0.0
    result = funnel(daily, accounts, START, END)
    assert row(result, "weibo", "link_clicks")["rate_from_previous"] == 0.0
    assert math.isnan(row(result, "weibo", "conversions")["rate_from_previous"])  # 5 / 0


def test_errors() -> None:
    daily, accounts = tables()
    with pytest.raises(ParameterError, match="after end"):
        funnel(daily, accounts, END, START)
    with pytest.raises(ParameterError, match="steps"):
        funnel(daily, accounts, START, END, steps=())
    with pytest.raises(DataError, match="platform"):
        funnel(daily, accounts.drop(columns="platform"), START, END)
    with pytest.raises(DataError, match="owner"):
        funnel(daily, accounts.drop(columns="owner"), START, END)
