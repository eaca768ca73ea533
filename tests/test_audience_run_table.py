"""AudienceRun.table keeps the profiled accounts' rows, without a copy when it keeps every row (issue 22).

At 10 M users the audience table is ~1.3 GB, and the profile held it twice (the loaded table and
the profiled accounts' rows, all of them in the benchmark). The expectations are written out: the
rows of the profiled accounts in file order with a fresh 0..n-1 index, and a change to the returned
frame never reaching the loaded table (pandas copy-on-write).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.audience.engine import from_frame
from helpers.audience.session import AudienceRun


def _run(audience: pd.DataFrame, accounts: tuple[str, ...]) -> AudienceRun:
    events = from_frame(pd.DataFrame({"user_id": ["u1"], "occurred_at": [pd.Timestamp("2026-10-01")]}))
    day = pd.Timestamp("2026-10-31")
    return AudienceRun(accounts, day, day - pd.Timedelta(days=29), data_dir=Path("."),
                       tables={"audience": audience, "accounts": pd.DataFrame({"account_id": list(accounts)})},
                       events=events, lookback_days=30, bot_rule="sigma", bot_k=3.0, n_clusters="auto",
                       min_segment_size=50, monetary="purchase", cohort="month")


def _audience() -> pd.DataFrame:
    return pd.DataFrame({"user_id": ["u1", "u2", "u3", "u4"], "account_id": ["own_a", "own_b", "own_a", "own_b"],
                         "gender": ["女", None, "男", "女"]}, index=[10, 11, 12, 13])


def test_some_rows_are_kept_in_file_order_with_a_fresh_index() -> None:
    got = _run(_audience(), ("own_b",)).table("audience")
    assert got["user_id"].tolist() == ["u2", "u4"] and got.index.tolist() == [0, 1]


def test_every_row_kept_is_the_same_table_and_changes_do_not_reach_it() -> None:
    audience = _audience()
    run = _run(audience, ("own_a", "own_b"))
    got = run.table("audience")
    expected = audience.reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)
    got.loc[0, "gender"] = "男"  # copy-on-write: the loaded table keeps its value
    assert run.tables["audience"].loc[10, "gender"] == "女"
