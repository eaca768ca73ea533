"""helpers.audience.engine and the DuckDB aggregations, checked against plain pandas on the sample data.

The pandas versions below are independent second implementations (group-bys and sorts, no SQL);
the DuckDB results must match them user by user.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.audience import behaviour, bots, clusters, rfm
from helpers.audience.engine import as_events, events_from_parquet, from_frame


@pytest.fixture(scope="module")
def sample_events(sample_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(sample_dir / "interactions.csv", parse_dates=["occurred_at"])
    window = (frame["occurred_at"] >= "2026-08-01") & (frame["occurred_at"] < "2026-11-01")
    return frame[window & frame["account_id"].isin(["own_weibo", "own_xhs"])].reset_index(drop=True)


def test_tz_aware_times_become_shanghai_wall_clock_and_input_order_is_kept() -> None:
    frame = pd.DataFrame({"user_id": ["b", "a", "c"], "event": ["like", "view", "view"],
                          "occurred_at": pd.to_datetime(["2026-10-01T12:00:00Z", "2026-10-01T16:30:00Z",
                                                         "2026-10-01T00:00:00Z"])})
    back = from_frame(frame).to_pandas()
    # UTC+8: 12:00Z → 20:00, 16:30Z → 00:30 next day, 00:00Z → 08:00; rows in input order
    assert back["user_id"].tolist() == ["b", "a", "c"]
    assert back["occurred_at"].tolist() == [pd.Timestamp("2026-10-01 20:00"), pd.Timestamp("2026-10-02 00:30"),
                                            pd.Timestamp("2026-10-01 08:00")]
    assert back["account_id"].isna().all() and back["value"].isna().all()


def test_without_users_and_where(sample_events: pd.DataFrame) -> None:
    ev = as_events(sample_events)
    drop = sample_events["user_id"].drop_duplicates().head(25).tolist()
    assert ev.without_users(drop).rows() == int((~sample_events["user_id"].isin(drop)).sum())
    assert ev.where("event = 'purchase'").rows() == int((sample_events["event"] == "purchase").sum())


def test_parquet_timestamptz_is_read_as_shanghai_time(tmp_path: Path) -> None:
    frame = pd.DataFrame({"user_id": ["u1", "u2"], "account_id": ["own_douyin"] * 2, "event": ["view", "like"],
                          "occurred_at": pd.to_datetime(["2026-10-01T12:00:00Z", "2026-10-01T20:00:00Z"])})
    frame.to_parquet(tmp_path / "interactions.parquet", index=False)
    back = events_from_parquet(tmp_path / "interactions.parquet", ["own_douyin"]).to_pandas()
    assert back["occurred_at"].tolist() == [pd.Timestamp("2026-10-01 20:00"), pd.Timestamp("2026-10-02 04:00")]


def test_parquet_timestamptz_follows_each_accounts_zone(tmp_path: Path) -> None:
    # 12:00 UTC is 20:00 in Shanghai (UTC+8) and 13:00 in London (BST, UTC+1, on 1 October)
    frame = pd.DataFrame({"user_id": ["u1", "u2"], "account_id": ["own_douyin", "own_ig"], "event": ["view", "like"],
                          "occurred_at": pd.to_datetime(["2026-10-01T12:00:00Z", "2026-10-01T12:00:00Z"])})
    frame.to_parquet(tmp_path / "interactions.parquet", index=False)
    zones = {"own_douyin": "Asia/Shanghai", "own_ig": "Europe/London"}
    back = events_from_parquet(tmp_path / "interactions.parquet", None, zones).to_pandas()
    assert back["occurred_at"].tolist() == [pd.Timestamp("2026-10-01 20:00"), pd.Timestamp("2026-10-01 13:00")]


def _pandas_activity(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-user activity with pandas group-bys (the definitions of bots.user_activity)."""
    ordered = frame.sort_values(["user_id", "occurred_at"], kind="stable")
    gap = ordered.groupby("user_id")["occurred_at"].diff()
    close = (gap <= pd.Timedelta(seconds=60)).astype(float).where(gap.notna())
    out = pd.DataFrame({
        "events": frame.groupby("user_id").size(),
        "active_days": frame.assign(d=frame["occurred_at"].dt.normalize()).groupby("user_id")["d"].nunique(),
        "max_events_per_hour": frame.groupby(["user_id", frame["occurred_at"].dt.floor("h")]).size()
        .groupby(level=0).max(),
        "burstiness": close.groupby(ordered["user_id"]).mean(),
    })
    out["events_per_active_day"] = out["events"] / out["active_days"]
    return out


def test_user_activity_matches_pandas_on_the_sample(sample_events: pd.DataFrame) -> None:
    got = bots.user_activity(sample_events, "2026-08-01", "2026-10-31").set_index("user_id")
    expected = _pandas_activity(sample_events).reindex(got.index)
    assert len(got) == sample_events["user_id"].nunique()
    for column in ("events", "active_days", "max_events_per_hour", "events_per_active_day", "burstiness"):
        np.testing.assert_allclose(got[column].to_numpy(float), expected[column].to_numpy(float), equal_nan=True,
                                   err_msg=column)


def test_behaviour_features_match_pandas_on_the_sample(sample_events: pd.DataFrame) -> None:
    got = clusters.behaviour_features(sample_events, "2026-10-31", window_days=92).set_index("user_id")
    ev = sample_events[sample_events["event"].isin(clusters.FEATURE_EVENTS)]
    by = ev.groupby("user_id")
    hour = ev["occurred_at"].dt.hour
    per_hour = pd.DataFrame({"user_id": ev["user_id"], "hour": hour}).value_counts().reset_index(name="n")
    peak = per_hour.sort_values(["user_id", "n", "hour"], ascending=[True, False, True]).drop_duplicates("user_id")
    expected = pd.DataFrame({
        "events": by.size(),
        "recency_days": (pd.Timestamp("2026-10-31") - by["occurred_at"].max().dt.normalize()).dt.days,
        "share_like": (ev["event"] == "like").groupby(ev["user_id"]).mean(),
        "evening_share": hour.between(18, 23).groupby(ev["user_id"]).mean(),
        "purchase_value": ev["value"].where(ev["event"] == "purchase").groupby(ev["user_id"]).sum(),
        "peak_hour": peak.set_index("user_id")["hour"],
    }).reindex(got.index)
    for column in expected.columns:
        np.testing.assert_allclose(got[column].to_numpy(float), expected[column].to_numpy(float), err_msg=column)


def test_rfm_counts_match_pandas_on_the_sample(sample_events: pd.DataFrame) -> None:
    as_of = pd.Timestamp("2026-11-01")
    got = rfm.rfm_table(sample_events, as_of, window_days=92).set_index("user_id")
    ev = sample_events[sample_events["event"].isin(rfm.ACTIVITY_EVENTS)]
    ev = ev[(ev["occurred_at"] > as_of - pd.Timedelta(days=92)) & (ev["occurred_at"] <= as_of)]
    by = ev.groupby("user_id")
    assert got["events"].to_dict() == by.size().to_dict()
    np.testing.assert_allclose(got["recency_days"], ((as_of - by["occurred_at"].max()) / pd.Timedelta(days=1))
                               .reindex(got.index))
    paid = ev[ev["event"] == "purchase"].groupby("user_id")["value"].sum(min_count=1)
    expected_m = paid.reindex(got.index).where(got["purchases"] > 0, 0.0)
    np.testing.assert_allclose(got["monetary"], expected_m, equal_nan=True)


def test_top_paths_match_pandas_on_the_sample(sample_events: pd.DataFrame) -> None:
    got = behaviour.top_paths(sample_events, n=8, max_len=3)
    ordered = sample_events.sort_values(["user_id", "occurred_at"], kind="stable").drop_duplicates(["user_id", "event"])
    ordered = ordered[ordered.groupby("user_id").cumcount() < 3]
    paths = ordered.groupby("user_id")["event"].agg(" → ".join).value_counts()
    expected = paths.rename_axis("path").reset_index(name="users").sort_values(["users", "path"],
                                                                              ascending=[False, True]).head(8)
    assert got["path"].tolist() == expected["path"].tolist()
    assert got["users"].tolist() == expected["users"].tolist()
