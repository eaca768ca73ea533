"""Tests of helpers.audience.bots: activity measures and log1p fences worked out by hand, and the planted bots."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.audience.bots import (
    bot_fences,
    bot_ids,
    bot_summary,
    flag_bots,
    summary_table,
    user_activity,
    without_bots,
)
from helpers.data import load_tables
from helpers.errors import DataError, ParameterError
from helpers.sample import PLANTED

LN2 = math.log(2)


def events() -> pd.DataFrame:
    """a: 6 events over 2 days; b: one event; c: one event in, three outside the window 10-01..10-02.

    a: 10-01 10:00:00, 10:00:30 (gap 30 s), 10:00:50 (20 s), 10:59:59 (3549 s), 11:00:00 (1 s),
       10-02 09:00:00 (~22 h) → events 6, active_days 2, per day 3, max per clock hour 4 (10:xx),
       burstiness = gaps ≤ 60 s / gaps = 3 / 5 = 0.6
    b: 10-01 12:00 → 1 event, 1 day, burstiness missing (no gap)
    c: 09-30 23:59:59 and 10-03 00:00:00 outside; 10-02 23:59:59 inside; 10-02 23:59:59 + 60 s is 10-03 → out
       → events 1, burstiness missing
    d: 10-01 08:00:00 and 08:01:00 (gap exactly 60 s counts as a burst) → burstiness 1/1 = 1.0
    """
    rows = [("a", "2026-10-01 10:00:00"), ("a", "2026-10-01 10:00:30"), ("a", "2026-10-01 10:00:50"),
            ("a", "2026-10-01 10:59:59"), ("a", "2026-10-01 11:00:00"), ("a", "2026-10-02 09:00:00"),
            ("b", "2026-10-01 12:00:00"),
            ("c", "2026-09-30 23:59:59"), ("c", "2026-10-02 23:59:59"), ("c", "2026-10-03 00:00:00"),
            ("c", "2026-10-03 00:00:59"),
            ("d", "2026-10-01 08:01:00"), ("d", "2026-10-01 08:00:00")]
    frame = pd.DataFrame(rows, columns=["user_id", "occurred_at"])
    return frame.assign(occurred_at=pd.to_datetime(frame["occurred_at"]), account_id="A", event="view")


def test_user_activity_by_hand() -> None:
    act = user_activity(events(), "2026-10-01", "2026-10-02").set_index("user_id")
    assert list(act.index) == ["a", "b", "c", "d"]
    assert act.loc["a", ["events", "active_days", "max_events_per_hour"]].tolist() == [6, 2, 4]
    assert act.loc["a", "events_per_active_day"] == 3.0
    assert act.loc["a", "burstiness"] == pytest.approx(0.6)
    assert act.loc["b", ["events", "active_days", "max_events_per_hour"]].tolist() == [1, 1, 1]
    assert math.isnan(act.loc["b", "burstiness"])  # missing, not zero
    assert act.loc["c", "events"] == 1 and math.isnan(act.loc["c", "burstiness"])
    assert act.loc["d", "burstiness"] == 1.0 and act.loc["d", "max_events_per_hour"] == 2


def test_tz_aware_events_use_shanghai_days() -> None:
    """2026-10-01 16:30 UTC is 10-02 00:30 in Shanghai: in a 10-02-only window, out of a 10-01-only one."""
    frame = pd.DataFrame({"user_id": ["a", "a"], "occurred_at": pd.to_datetime(
        ["2026-10-01 16:30:00", "2026-10-01 15:30:00"]).tz_localize("UTC")})
    act = user_activity(frame, "2026-10-02", "2026-10-02")
    assert act["events"].tolist() == [1]
    act = user_activity(frame, "2026-10-01", "2026-10-01")  # 15:30 UTC = 23:30 local on 10-01
    assert act["events"].tolist() == [1]


def activity() -> pd.DataFrame:
    """Eight users whose log1p values are whole multiples of ln 2 (value = 2^j − 1).

    events_per_active_day j: 0 1 2 3 4 5 6 11
      linear quantiles, n = 8: Q1 at position 7·0.25 = 1.75 → 1 + 0.75·(2 − 1) = 1.75;
      Q3 at position 7·0.75 = 5.25 → 5 + 0.25·(6 − 5) = 5.25; IQR = 3.5
      fence (k = 1.5) = 5.25 + 1.5·3.5 = 10.5 (·ln 2) → only u8 (j = 11) above; on the original scale 2^10.5 − 1
    max_events_per_hour j: 20 0 1 2 3 4 5 20
      sorted 0 1 2 3 4 5 20 20: Q1 = 1 + 0.75·1 = 1.75; Q3 = 5 + 0.25·(20 − 5) = 8.75; IQR = 7
      fence = 8.75 + 1.5·7 = 19.25 → u1 and u8 above
    AND rule: u8 is a bot; u1 (high per hour only) is not.
    """
    j1 = np.array([0, 1, 2, 3, 4, 5, 6, 11])
    j2 = np.array([20, 0, 1, 2, 3, 4, 5, 20])
    return pd.DataFrame({"user_id": [f"u{i}" for i in range(1, 9)],
                         "events_per_active_day": 2.0 ** j1 - 1, "max_events_per_hour": 2.0 ** j2 - 1})


def test_iqr_fences_by_hand() -> None:
    fences = bot_fences(activity()).set_index("column")
    assert fences.loc["events_per_active_day", "fence_log1p"] == pytest.approx(10.5 * LN2)
    assert fences.loc["events_per_active_day", "fence"] == pytest.approx(2 ** 10.5 - 1)
    assert fences.loc["max_events_per_hour", "fence_log1p"] == pytest.approx(19.25 * LN2)
    flags = flag_bots(activity())
    assert flags.loc[flags["is_bot"], "user_id"].tolist() == ["u8"]
    assert flags.loc[7, "reason"].startswith("events_per_active_day 2047 > 1447")
    assert flags.loc[0, "reason"] == ""


def test_sigma_fences_by_hand() -> None:
    """σ rule, k = 2, on the j values (× ln 2).

    per day: mean 32/8 = 4; squared deviations 16 9 4 1 0 1 4 49 = 84; s² = 84/7 = 12
      fence = 4 + 2·√12 = 10.928 → u8 (11) above
    per hour: mean 55/8 = 6.875; squared deviations sum 476.875; s² = 68.125
      fence = 6.875 + 2·√68.125 = 23.38 → nobody above → no bots under the AND rule
    """
    fences = bot_fences(activity(), "sigma", 2).set_index("column")
    assert fences.loc["events_per_active_day", "fence_log1p"] == pytest.approx((4 + 2 * math.sqrt(12)) * LN2)
    assert fences.loc["max_events_per_hour", "fence_log1p"] == pytest.approx(
        (6.875 + 2 * math.sqrt(68.125)) * LN2)
    assert not flag_bots(activity(), "sigma", 2)["is_bot"].any()
    # one column only: u8 alone
    flags = flag_bots(activity(), "sigma", 2, columns=["events_per_active_day"])
    assert flags.loc[flags["is_bot"], "user_id"].tolist() == ["u8"]


def test_missing_value_is_never_above_a_fence() -> None:
    frame = activity().assign(max_events_per_hour=lambda f: f["max_events_per_hour"].where(f["user_id"] != "u8"))
    assert not flag_bots(frame)["is_bot"].any()


def test_bot_summary() -> None:
    assert bot_summary(flag_bots(activity())) == {"users_before": 8, "bots": 1, "users_after": 7,
                                                  "bot_share": 1 / 8}


def test_bot_ids_drop_the_flagged_users_from_any_per_user_table() -> None:
    flags = pd.DataFrame({"user_id": ["u1", "u2", "u3"], "is_bot": [False, True, True]})
    assert bot_ids(flags) == {"u2", "u3"}
    # u1 follows two accounts (two rows, both kept); u2 is a bot; u4 never acted (kept: not flagged)
    audience = pd.DataFrame({"user_id": ["u1", "u1", "u2", "u4"], "account_id": ["A", "B", "A", "A"]})
    assert without_bots(audience, bot_ids(flags))[["user_id", "account_id"]].values.tolist() == [
        ["u1", "A"], ["u1", "B"], ["u4", "A"]]
    counts = {"users_before": 3, "bots": 2, "users_after": 1, "bot_share": 2 / 3}
    assert summary_table(counts).to_dict("records") == [counts]


def test_bad_input() -> None:
    with pytest.raises(ParameterError, match="rule"):
        flag_bots(activity(), rule="mad")
    with pytest.raises(ParameterError, match="k must"):
        flag_bots(activity(), k=0)
    with pytest.raises(ParameterError, match="before it starts"):
        user_activity(events(), "2026-10-02", "2026-10-01")
    with pytest.raises(DataError, match="No interactions"):
        user_activity(events(), "2025-01-01", "2025-01-31")
    with pytest.raises(DataError, match="occurred_at"):
        user_activity(events().drop(columns="occurred_at"), "2026-10-01", "2026-10-02")
    with pytest.raises(DataError, match="at least two users"):
        flag_bots(activity().head(1))
    with pytest.raises(DataError, match="burstiness"):
        flag_bots(activity(), columns=["burstiness"])


@pytest.fixture(scope="module")
def interactions(sample_dir: Path) -> pd.DataFrame:
    """The sample interactions."""
    return load_tables(["interactions"], sample_dir)["interactions"]


@pytest.mark.parametrize(("start", "end"), [("2026-10-01", "2026-10-31"), ("2024-11-01", "2026-11-15")])
def test_sample_planted_bots_are_flagged(interactions: pd.DataFrame, start: str, end: str) -> None:
    flags = flag_bots(user_activity(interactions, start, end))
    flagged = set(flags.loc[flags["is_bot"], "user_id"])
    planted = set(PLANTED.bot_users)
    assert planted <= flagged
    others = flags["user_id"].nunique() - len(planted)
    assert len(flagged - planted) < 0.01 * others
    sigma = flag_bots(user_activity(interactions, start, end), "sigma")
    assert set(sigma.loc[sigma["is_bot"], "user_id"]) == planted
