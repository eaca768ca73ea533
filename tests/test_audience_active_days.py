"""Active days counted from each user's time order (issue 22, 100 M events): the first day plus each change of day.

bots.user_activity and clusters.behaviour_features used count(DISTINCT day), which took most of their
DuckDB time at 30 M events; they now count the day changes in a window over each user's events
sorted by time. The references are the definition (distinct calendar dates, pandas nunique) and
counts written out by hand on events built for the edge cases: ties in time, midnight exactly,
23:59:59, a user with one event, days apart, input out of order, events outside the window.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.audience import bots, clusters


def _edge_events() -> pd.DataFrame:
    rows = [
        # a: two events at the same instant, one at 23:59:59 and one at midnight exactly → days 10-01, 10-02 = 2
        ("a", "2026-10-01 23:59:59", "view"), ("a", "2026-10-01 12:00:00", "like"),
        ("a", "2026-10-01 12:00:00", "view"), ("a", "2026-10-02 00:00:00", "click"),
        # b: one event → 1 day, burstiness missing
        ("b", "2026-10-05 08:00:00", "view"),
        # c: out of input order, back to an earlier day after a later one in the input → 10-03, 10-07, 10-09 = 3
        ("c", "2026-10-09 10:00:00", "view"), ("c", "2026-10-03 10:00:00", "purchase"),
        ("c", "2026-10-07 10:00:30", "view"), ("c", "2026-10-07 10:00:00", "like"),
        ("c", "2026-10-03 10:00:20", "view"),
        # d: only outside the window (September) and one inside → 1 day in the window
        ("d", "2026-09-15 10:00:00", "view"), ("d", "2026-10-31 23:00:00", "view"),
    ]
    frame = pd.DataFrame(rows, columns=["user_id", "occurred_at", "event"])
    return frame.assign(occurred_at=pd.to_datetime(frame["occurred_at"]), value=np.where(
        frame["event"] == "purchase", 25.0, np.nan), account_id="own_xhs")


HAND_DAYS = {"a": 2, "b": 1, "c": 3, "d": 1}
"""Active days in the window 2026-10-01 .. 2026-10-31, counted by hand above."""


def test_user_activity_active_days_and_burstiness_by_hand() -> None:
    got = bots.user_activity(_edge_events(), "2026-10-01", "2026-10-31").set_index("user_id")
    assert got["active_days"].to_dict() == HAND_DAYS
    assert got["events"].to_dict() == {"a": 4, "b": 1, "c": 5, "d": 1}
    # a: gaps 0 s (tie), 11 h 59 min 59 s, 1 s → 2 of 3 within 60 s; c: 20 s, 4 days, 30 s, 2 days → 2 of 4
    assert got.loc["a", "burstiness"] == pytest.approx(2 / 3)
    assert got.loc["c", "burstiness"] == pytest.approx(2 / 4)
    assert np.isnan(got.loc["b", "burstiness"]) and np.isnan(got.loc["d", "burstiness"])
    assert got.loc["c", "events_per_active_day"] == pytest.approx(5 / 3)


def test_behaviour_features_active_days_by_hand() -> None:
    got = clusters.behaviour_features(_edge_events(), "2026-10-31", window_days=31).set_index("user_id")
    assert got["active_days"].to_dict() == HAND_DAYS
    assert got["events"].to_dict() == {"a": 4, "b": 1, "c": 5, "d": 1}


@pytest.fixture(scope="module")
def sample_events(sample_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(sample_dir / "interactions.csv", parse_dates=["occurred_at"])
    return frame[frame["account_id"].isin(["own_weibo", "own_xhs"])].reset_index(drop=True)


def test_active_days_equal_distinct_dates_on_the_sample(sample_events: pd.DataFrame) -> None:
    start, end = pd.Timestamp("2026-08-01"), pd.Timestamp("2026-11-01")
    inside = sample_events[(sample_events["occurred_at"] >= start) & (sample_events["occurred_at"] < end)]
    expected = inside.assign(d=inside["occurred_at"].dt.normalize()).groupby("user_id")["d"].nunique()
    activity = bots.user_activity(sample_events, "2026-08-01", "2026-10-31").set_index("user_id")["active_days"]
    assert activity.to_dict() == expected.to_dict()
    behaviour = inside[inside["event"].isin(clusters.FEATURE_EVENTS)]
    expected_f = behaviour.assign(d=behaviour["occurred_at"].dt.normalize()).groupby("user_id")["d"].nunique()
    features = clusters.behaviour_features(sample_events, "2026-10-31", window_days=92).set_index("user_id")
    assert features["active_days"].to_dict() == expected_f.to_dict()
    assert expected_f.max() > 1 and len(expected_f) > 1000  # the sample has many users active on several days
