"""suspect_date_rows skips its per-account loop when no account's dates have a gap of more than FAR_DAYS
(issue 22 round 7): the same rows as the former code, kept here, on random tables with and without such gaps,
rows after today, missing dates, missing accounts and a repeated index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import data
from helpers.data import FAR_DAYS, FAR_MIN_ROWS, FAR_TAIL_SHARE, TODAY_SLACK_DAYS, suspect_date_rows

ON = pd.Timestamp("2026-11-15")


def former(days: pd.Series, groups: pd.Series | None, on: pd.Timestamp) -> pd.Series:
    """suspect_date_rows before round 7: the loop over every group."""
    day = days.dt.normalize()
    suspect = day > on + pd.Timedelta(days=TODAY_SLACK_DAYS)
    keys = groups.fillna("") if groups is not None else pd.Series("", index=days.index)
    for _key, rows in day[~suspect & day.notna()].groupby(keys[~suspect & day.notna()]):
        unique = pd.Series(rows.unique()).sort_values().reset_index(drop=True)
        gaps = unique.diff().dt.days
        for position in gaps.index[gaps > FAR_DAYS][::-1]:
            tail = rows >= unique[position]
            if tail.sum() > max(FAR_TAIL_SHARE * len(rows), 1 if len(rows) >= FAR_MIN_ROWS else 0):
                break
            suspect.loc[tail[tail].index] = True
    return suspect.fillna(False).astype(bool)


def brute_far_gap(days: pd.Series, keys: pd.Series) -> bool:
    """Any group with consecutive distinct days more than FAR_DAYS apart, group by group."""
    for _key, rows in days.groupby(keys):
        unique = np.sort(rows.unique())
        if len(unique) > 1 and (np.diff(unique) > np.timedelta64(FAR_DAYS, "D")).any():
            return True
    return False


def table(seed: int, far: bool) -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    offsets = rng.integers(0, 200, n)
    if far:  # a few rows past a gap (a typo year, a paused account)
        offsets[rng.choice(n, size=min(n, int(rng.integers(1, 4))), replace=False)] += int(rng.integers(61, 500))
    days = pd.Series(pd.Timestamp("2026-03-01") + pd.to_timedelta(offsets, unit="D")
                     + pd.to_timedelta(rng.integers(0, 86_400, n), unit="s"))
    days[rng.random(n) < 0.05] = pd.NaT
    groups = pd.Series(rng.choice(["a", "b", "c", None], n), dtype="str")
    index = rng.integers(0, n // 2 + 1, n)  # repeats
    return days.set_axis(index), groups.set_axis(index)


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("far", [False, True])
def test_random_tables_give_the_former_rows(seed: int, far: bool) -> None:
    days, groups = table(seed, far)
    for g in (groups, None):
        pd.testing.assert_series_equal(suspect_date_rows(days, g, ON), former(days, g, ON))
    day = days.dt.normalize()
    ok = day.notna()
    assert data._has_far_gap(day[ok], groups.fillna("")[ok]) == brute_far_gap(day[ok], groups.fillna("")[ok])


def test_hand_worked_gaps() -> None:
    """61 days apart is a far gap, 60 is not; the gap counts within one account only."""
    day = pd.Series(pd.to_datetime(["2026-01-01", "2026-03-02", "2026-01-01", "2026-03-03"]))
    keys = pd.Series(["a", "a", "b", "b"])
    assert not data._has_far_gap(day[:2], keys[:2])       # Jan 1 -> Mar 2: 60 days
    assert data._has_far_gap(day[2:], keys[2:])           # Jan 1 -> Mar 3: 61 days
    assert not data._has_far_gap(day.iloc[[0, 3]], pd.Series(["a", "b"]))  # two accounts, one day each
    assert not data._has_far_gap(day.iloc[:0], keys.iloc[:0])


def test_a_typo_year_is_still_left_out() -> None:
    days = pd.Series(pd.to_datetime([f"2026-10-{d:02d}" for d in range(1, 31)] + ["2026-12-15"]))
    groups = pd.Series(["a"] * 31)
    # 2026-12-15 is 46 days after the rest: no far gap, so it stays
    assert not suspect_date_rows(days, groups, pd.Timestamp("2027-01-01")).any()
    days.iloc[-1] = pd.Timestamp("2027-10-15")  # a year typo past a 350-day gap: left out
    out = suspect_date_rows(days, groups, pd.Timestamp("2027-12-01"))
    assert out.tolist() == [False] * 30 + [True]
