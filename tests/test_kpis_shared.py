"""The KPIs of a review are worked out once per period and shared (issue 22): scorecard, growth and the
trends ask for the same periods 11 times. Every answer must equal the one worked out from scratch (an empty
memo: the code path before the sharing), whatever was asked before, and no caller may change another's."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.data import load_tables
from helpers.periods import parse_period
from helpers.review import kpis
from helpers.review.kpis import _compute, compute_kpis, kpi_trend, scorecard


def _forget() -> None:
    kpis._PREPARED.clear()
    kpis._ACCOUNT_ROWS.clear()


def _same_parts(got: dict[str, dict[str, float]], expected: dict[str, dict[str, float]]) -> None:
    """Equal parts, NaN equal to NaN (a missing part stays missing)."""
    assert list(got) == list(expected)
    pd.testing.assert_frame_equal(pd.DataFrame(got), pd.DataFrame(expected))


def _fresh(*args: object) -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    """_compute with nothing remembered."""
    _forget()
    return _compute(*args)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def tables(sample_dir: Path) -> dict[str, pd.DataFrame]:
    found = load_tables(["accounts", "account_daily", "posts", "ad_daily", "targets"], sample_dir, notes=False)
    found["accounts"] = found["accounts"][found["accounts"]["owner"] == "own"].reset_index(drop=True)
    return found


WINDOWS = [("2026-10-01", "2026-10-31"), ("2026-09-01", "2026-09-30"), ("2025-10-01", "2025-10-31"),
           ("2026-10-05", "2026-10-11"), ("2030-01-01", "2030-01-31")]  # the last: no data at all


def test_every_window_and_threshold_equals_a_fresh_computation(tables: dict[str, pd.DataFrame]) -> None:
    t = tables
    asked = [(start, end, base, cov) for start, end in WINDOWS for base in ("impressions", "followers")
             for cov in (0.0, 0.8, 1.0)]
    expected = {a: _fresh(t["account_daily"], t["posts"], t["ad_daily"], t["accounts"], a[0], a[1], a[2], a[3])
                for a in asked}
    _forget()
    for a in [*asked, *reversed(asked)]:  # every answer after others were remembered
        got, parts = _compute(t["account_daily"], t["posts"], t["ad_daily"], t["accounts"], *a)
        pd.testing.assert_frame_equal(got, expected[a][0])
        _same_parts(parts, expected[a][1])
    assert len(kpis._PREPARED) == 1  # one preparation served every window


def test_the_scorecard_and_trend_equal_fresh_ones_after_each_other(tables: dict[str, pd.DataFrame]) -> None:
    t = tables
    period = parse_period("month", "2026-10")
    trend = [parse_period("month", f"2026-{m:02d}") for m in range(5, 11)]
    args = (t["account_daily"], t["posts"], t["ad_daily"], t["accounts"], t["targets"])
    _forget()
    board_alone = scorecard(*args, period, min_coverage=0.8)
    _forget()
    trend_alone = kpi_trend(*args, trend)
    _forget()
    trend_after = kpi_trend(*args, trend)  # fills the memo with this October and September
    board_after = scorecard(*args, period, min_coverage=0.8)
    pd.testing.assert_frame_equal(board_after, board_alone)
    pd.testing.assert_frame_equal(trend_after, trend_alone)


def test_changed_data_is_worked_out_again(tables: dict[str, pd.DataFrame]) -> None:
    t = tables
    daily = t["account_daily"].copy()
    first = compute_kpis(daily, t["posts"], t["ad_daily"], t["accounts"], "2026-10-01", "2026-10-31")
    october = daily["date"].between(pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-31"))
    one = daily.index[october & (daily["account_id"] == t["accounts"]["account_id"].iloc[0])][0]
    daily.loc[one, "impressions"] = daily.loc[one, "impressions"] + 1000  # the same frame, changed in place
    second = compute_kpis(daily, t["posts"], t["ad_daily"], t["accounts"], "2026-10-01", "2026-10-31")
    expected, _ = _fresh(daily, t["posts"], t["ad_daily"], t["accounts"], "2026-10-01", "2026-10-31",
                         "impressions", 0.0)
    pd.testing.assert_frame_equal(second, expected)
    key = (second["account_id"] == t["accounts"]["account_id"].iloc[0]) & (second["kpi"] == "impressions")
    assert second.loc[key, "value"].item() == first.loc[key, "value"].item() + 1000
    without_ads = compute_kpis(daily, t["posts"], None, t["accounts"], "2026-10-01", "2026-10-31")
    pd.testing.assert_frame_equal(without_ads, _fresh(daily, t["posts"], None, t["accounts"], "2026-10-01",
                                                      "2026-10-31", "impressions", 0.0)[0])
    one_account = t["accounts"].iloc[[1]]
    pd.testing.assert_frame_equal(compute_kpis(daily, None, None, one_account, "2026-10-01", "2026-10-31"),
                                  _fresh(daily, None, None, one_account, "2026-10-01", "2026-10-31",
                                         "impressions", 0.0)[0])


def test_a_caller_changing_its_answer_does_not_change_the_next(tables: dict[str, pd.DataFrame]) -> None:
    t = tables
    args = (t["account_daily"], t["posts"], t["ad_daily"], t["accounts"], "2026-10-01", "2026-10-31",
            "impressions", 0.8)
    expected, expected_parts = _fresh(*args)
    got, parts = _compute(*args)
    got.loc[:, "value"] = -1.0
    for p in parts.values():
        p.clear()
    again, again_parts = _compute(*args)
    pd.testing.assert_frame_equal(again, expected)
    _same_parts(again_parts, expected_parts)


def test_bad_tables_fail_on_every_call(tables: dict[str, pd.DataFrame]) -> None:
    t = tables
    broken = t["account_daily"].drop(columns=["followers"])
    for _ in range(2):
        with pytest.raises(kpis.DataError, match="followers"):
            compute_kpis(broken, t["posts"], t["ad_daily"], t["accounts"], "2026-10-01", "2026-10-31")
