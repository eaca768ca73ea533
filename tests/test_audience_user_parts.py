"""Per-user queries in parts of users (issue 22, 100 M events): the same tables as in one part.

At 100 M events the bot activity window and the RFM counts ran out of DuckDB's memory cap; user_activity, user_counts,
behaviour_features and top_paths now run on parts of about engine.PART_EVENTS events, users split
by a hash of their id. Here PART_EVENTS is set small so the sample splits into several parts, and
each result must equal the one-part result (the former code path) row for row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.audience import behaviour, bots, clusters, engine
from helpers.audience.engine import as_events


@pytest.fixture(scope="module")
def sample_events(sample_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(sample_dir / "interactions.csv", parse_dates=["occurred_at"])
    return frame[frame["account_id"].isin(["own_weibo", "own_xhs"])].reset_index(drop=True)


def _in_parts(monkeypatch: pytest.MonkeyPatch, events: int) -> None:
    monkeypatch.setattr(engine, "PART_EVENTS", events)


def test_parts_hold_every_event_once_and_each_user_whole(sample_events: pd.DataFrame,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ev = as_events(sample_events)
    assert ev.user_parts() == [ev]  # a small table is one part: itself
    _in_parts(monkeypatch, 20_000)
    parts = ev.user_parts()
    assert len(parts) == -(-len(sample_events) // 20_000) > 2
    users = [set(p.query("SELECT DISTINCT user_id FROM {ev}")["user_id"]) for p in parts]
    assert sum(p.rows() for p in parts) == len(sample_events)
    assert sum(len(u) for u in users) == sample_events["user_id"].nunique() == len(set().union(*users))


def test_user_activity_in_parts_equals_one_part(sample_events: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = bots.user_activity(sample_events, "2026-08-01", "2026-10-31")
    _in_parts(monkeypatch, 15_000)
    pd.testing.assert_frame_equal(bots.user_activity(sample_events, "2026-08-01", "2026-10-31"), whole,
                                  check_exact=True)


def test_behaviour_features_in_parts_equal_one_part(sample_events: pd.DataFrame,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    whole = clusters.behaviour_features(sample_events, "2026-10-31", window_days=92)
    _in_parts(monkeypatch, 15_000)
    parted = clusters.behaviour_features(sample_events, "2026-10-31", window_days=92)
    # purchase_value sums in DuckDB's parallel order (the last bit may differ between two runs of one query)
    pd.testing.assert_frame_equal(parted, whole, check_exact=False, rtol=1e-12, atol=0)
    assert parted.drop(columns="purchase_value").equals(whole.drop(columns="purchase_value"))


@pytest.mark.parametrize(("n", "max_len"), [(10, 4), (50, 2), (5, 1)])
def test_top_paths_in_parts_equal_one_part(sample_events: pd.DataFrame, monkeypatch: pytest.MonkeyPatch,
                                           n: int, max_len: int) -> None:
    whole = behaviour.top_paths(sample_events, n=n, max_len=max_len, events=behaviour.PATH_EVENTS)
    _in_parts(monkeypatch, 15_000)
    parted = behaviour.top_paths(sample_events, n=n, max_len=max_len, events=behaviour.PATH_EVENTS)
    pd.testing.assert_frame_equal(parted, whole, check_exact=True)
    assert np.isclose(whole["share"].iloc[0], whole["users"].iloc[0] / sample_events.loc[
        sample_events["event"].isin(behaviour.PATH_EVENTS), "user_id"].nunique())


def test_rfm_counts_in_parts_equal_one_part(sample_events: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers.audience import rfm

    as_of = pd.Timestamp("2026-11-01")
    whole = rfm.user_counts(sample_events, as_of, 92)
    _in_parts(monkeypatch, 15_000)
    parted = rfm.user_counts(sample_events, as_of, 92)
    pd.testing.assert_frame_equal(parted, whole, check_exact=False, rtol=1e-12, atol=0)  # value sums: float order
    assert parted.drop(columns="purchase_value").equals(whole.drop(columns="purchase_value"))
    assert len(whole) > 1000 and whole["purchases"].sum() > 0
