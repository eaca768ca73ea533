"""helpers.planning.windows: partial pooling by hand, the weekday × hour table, best windows, the planted evening."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.errors import DataError, ParameterError
from helpers.planning.windows import best_windows, best_windows_by_platform, posting_windows, shrink
from helpers.sample import PLANTED

# ----------------------------------------------------------------------------------------------
# The shrinkage formula
# ----------------------------------------------------------------------------------------------


def test_shrink_by_hand() -> None:
    assert shrink(0.10, 0, 0.05, 10) == pytest.approx(0.05)        # no posts: the prior
    assert shrink(0.10, 1e12, 0.05, 10) == pytest.approx(0.10)     # n → ∞: the cell mean
    assert shrink(0.08, 10, 0.04, 10) == pytest.approx(0.06)       # n = m: half way
    assert shrink(0.10, 30, 0.02, 10) == pytest.approx(0.08)       # (30·0.10 + 10·0.02) ÷ 40
    assert shrink(0.10, 3, 0.02, 0) == pytest.approx(0.10)         # m = 0: no pooling
    # an empty cell has no mean (NaN); it is still the prior
    assert shrink(np.nan, 0, 0.05, 10) == pytest.approx(0.05)
    with pytest.raises(ParameterError, match="prior_strength"):
        shrink(0.1, 1, 0.05, -1)


@settings(max_examples=200, deadline=None)
@given(cell=st.floats(0, 1), prior=st.floats(0, 1), n=st.integers(0, 10_000), m=st.floats(0.01, 1_000))
def test_shrunk_lies_between_prior_and_cell_mean(cell: float, prior: float, n: int, m: float) -> None:
    value = shrink(cell, n, prior, m)
    assert min(cell, prior) - 1e-12 <= value <= max(cell, prior) + 1e-12
    # one more post moves the estimate towards the cell mean, never away
    assert abs(shrink(cell, n + 1, prior, m) - cell) <= abs(value - cell) + 1e-12


# ----------------------------------------------------------------------------------------------
# A hand-computed table
# ----------------------------------------------------------------------------------------------


@pytest.fixture
def accounts() -> pd.DataFrame:
    return pd.DataFrame({"account_id": ["dy", "rival"], "platform": ["douyin", "douyin"],
                         "owner": ["own", "competitor"], "timezone": ["Asia/Shanghai", "Asia/Shanghai"]})


@pytest.fixture
def posts() -> pd.DataFrame:
    # 2026-10-05 is a Monday. Only likes are reported: ER = likes ÷ impressions.
    rows = [("dy", "2026-10-05 20:10", 100), ("dy", "2026-10-12 20:40", 200),  # Mon 20h: 0.10, 0.20
            ("dy", "2026-10-06 20:05", 300),                                   # Tue 20h: 0.30
            ("dy", "2026-10-05 09:30", 40),                                    # Mon 09h: 0.04
            ("rival", "2026-10-07 09:00", 990)]                                # not own
    frame = pd.DataFrame(rows, columns=["account_id", "published_at", "likes"])
    frame.insert(0, "post_id", [f"p{i}" for i in range(len(frame))])
    frame["published_at"] = pd.to_datetime(frame["published_at"])
    frame["impressions"] = 1000.0
    return frame


def _cell(table: pd.DataFrame, hour: int, weekday: int | None = None) -> pd.Series:
    hit = table[table["hour"] == hour]
    if weekday is not None:
        hit = hit[hit["weekday"] == weekday]
    assert len(hit) == 1
    return hit.iloc[0]


def test_weekday_hour_cells_are_shrunk_towards_the_hour_pattern(posts: pd.DataFrame, accounts: pd.DataFrame) -> None:
    table = posting_windows(posts, accounts, prior_strength=2)
    # platform mean = (0.10 + 0.20 + 0.30 + 0.04) ÷ 4 = 0.16
    # hour 20 over all weekdays: 3 posts, mean 0.20 → prior (3·0.20 + 2·0.16) ÷ 5 = 0.184
    # hour 9: 1 post, 0.04 → (0.04 + 2·0.16) ÷ 3 = 0.12
    mon20 = _cell(table, 20, 0)
    assert (mon20["posts"], mon20["er_cell_mean"], mon20["er_prior"]) == (2, pytest.approx(0.15), pytest.approx(0.184))
    assert mon20["er_shrunk"] == pytest.approx((2 * 0.15 + 2 * 0.184) / 4)
    assert _cell(table, 20, 1)["er_shrunk"] == pytest.approx((0.30 + 2 * 0.184) / 3)
    empty = _cell(table, 20, 2)   # Wednesday 20h: no post, the hour prior
    assert empty["posts"] == 0 and np.isnan(empty["er_cell_mean"]) and empty["er_shrunk"] == pytest.approx(0.184)
    assert _cell(table, 9, 0)["er_shrunk"] == pytest.approx((0.04 + 2 * 0.12) / 3)
    assert mon20["index"] == pytest.approx(mon20["er_shrunk"] / 0.16)
    assert mon20["label"] == "Mon 20:00–21:00"
    # only hours the platform ever posted in, × 7 weekdays
    assert sorted(table["hour"].unique()) == [9, 20] and len(table) == 14


def test_uncertainty_is_the_platform_sd_over_root_n_plus_m(posts: pd.DataFrame, accounts: pd.DataFrame) -> None:
    table = posting_windows(posts, accounts, prior_strength=2)
    sigma = np.std([0.10, 0.20, 0.30, 0.04], ddof=1)
    mon20, wed20 = _cell(table, 20, 0), _cell(table, 20, 2)
    assert mon20["se"] == pytest.approx(sigma / np.sqrt(4))
    assert wed20["se"] == pytest.approx(sigma / np.sqrt(2))   # an empty cell is the least certain
    assert mon20["ci_high"] - mon20["er_shrunk"] == pytest.approx(1.959963984540054 * sigma / 2)


def test_hour_mode_shrinks_towards_the_platform_mean(posts: pd.DataFrame, accounts: pd.DataFrame) -> None:
    table = posting_windows(posts, accounts, by="hour", prior_strength=2)
    assert "weekday" not in table.columns
    h20 = _cell(table, 20)
    assert (h20["posts"], h20["er_prior"], h20["er_shrunk"]) == (3, pytest.approx(0.16), pytest.approx(0.184))
    assert h20["label"] == "20:00–21:00" and h20["er_base"] == "impressions"


def test_aware_timestamps_are_read_in_the_account_timezone(posts: pd.DataFrame, accounts: pd.DataFrame) -> None:
    # 12:10 UTC is 20:10 in Shanghai
    aware = posts.assign(published_at=(posts["published_at"] - pd.Timedelta(hours=8)).dt.tz_localize("UTC"))
    table = posting_windows(aware, accounts, by="hour", prior_strength=2)
    assert _cell(table, 20)["posts"] == 3


def test_bad_input(posts: pd.DataFrame, accounts: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match="by must be"):
        posting_windows(posts, accounts, by="minute")
    with pytest.raises(ParameterError, match="prior_strength"):
        posting_windows(posts, accounts, prior_strength=-1)
    with pytest.raises(DataError, match="weibo"):
        posting_windows(posts, accounts, platforms=["weibo"])
    table = posting_windows(posts, accounts)
    with pytest.raises(DataError, match="weibo"):
        best_windows(table, "weibo")
    with pytest.raises(ParameterError, match="top"):
        best_windows(table, "douyin", top=0)


# ----------------------------------------------------------------------------------------------
# best_windows: greedy, distinct
# ----------------------------------------------------------------------------------------------


def _hours(values: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame({"platform": "x", "hour": list(values), "er_shrunk": list(values.values()), "posts": 5})


def test_best_windows_keeps_a_minimum_gap() -> None:
    table = _hours({20: 0.9, 21: 0.8, 22: 0.7, 23: 0.6, 9: 0.5, 10: 0.4})
    assert best_windows(table, "x", top=3, min_gap_hours=2)["hour"].tolist() == [20, 22, 9]
    assert best_windows(table, "x", top=3, min_gap_hours=3)["hour"].tolist() == [20, 23, 9]
    assert best_windows(table, "x", top=3, min_gap_hours=1)["hour"].tolist() == [20, 21, 22]
    assert best_windows(table, "x", top=3)["rank"].tolist() == [1, 2, 3]


def test_best_windows_gap_wraps_midnight_and_the_week() -> None:
    assert best_windows(_hours({23: 0.9, 0: 0.8, 12: 0.1}), "x", top=2, min_gap_hours=2)["hour"].tolist() == [23, 12]
    week = pd.DataFrame({"platform": "x", "weekday": [0, 1, 0, 6], "hour": [20, 20, 21, 23],
                         "er_shrunk": [0.9, 0.8, 0.7, 0.6], "posts": 5})
    picked = best_windows(week, "x", top=3, min_gap_hours=2)
    # Mon 20 and Tue 20 are a day apart; Mon 21 is an hour from Mon 20; Sun 23 is 21 h before Mon 20
    assert list(zip(picked["weekday"], picked["hour"], strict=True)) == [(0, 20), (1, 20), (6, 23)]


def test_best_windows_returns_fewer_when_the_gap_allows_fewer() -> None:
    assert len(best_windows(_hours({20: 0.9, 21: 0.8}), "x", top=3, min_gap_hours=2)) == 1


def test_best_windows_by_platform_in_the_given_order() -> None:
    table = pd.concat([_hours({20: 0.9, 21: 0.8, 9: 0.5}), _hours({8: 0.7, 18: 0.6}).assign(platform="y")])
    both = best_windows_by_platform(table, ["y", "x"], top=2)
    # y: 8 then 18; x: 20 then 9 (21 is an hour from 20)
    assert list(zip(both["platform"], both["hour"], both["rank"], strict=True)) == [
        ("y", 8, 1), ("y", 18, 2), ("x", 20, 1), ("x", 9, 2)]


# ----------------------------------------------------------------------------------------------
# Sample data: the planted evening window
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(sample_dir: Path) -> dict[str, pd.DataFrame]:
    from helpers.data import load_tables

    return load_tables(["accounts", "posts"], sample_dir)


@pytest.mark.parametrize("platform", ["douyin", "xiaohongshu", "wechat", "weibo"])
def test_sample_top_hour_is_in_the_planted_evening_window(sample: dict[str, pd.DataFrame], platform: str) -> None:
    lo, hi = PLANTED.evening_window
    by_hour = posting_windows(sample["posts"], sample["accounts"], by="hour")
    top = best_windows(by_hour, platform, top=1).iloc[0]
    assert lo <= top["hour"] < hi
    assert top["index_ci_low"] > 1.0   # clearly above the platform's typical post
    by_cell = posting_windows(sample["posts"], sample["accounts"])
    assert lo <= best_windows(by_cell, platform, top=1).iloc[0]["hour"] < hi


def test_sample_shrinkage_narrows_the_spread(sample: dict[str, pd.DataFrame]) -> None:
    table = posting_windows(sample["posts"], sample["accounts"], platforms=["douyin"])
    filled = table.dropna(subset=["er_cell_mean"])
    assert filled["er_shrunk"].std() < filled["er_cell_mean"].std()
