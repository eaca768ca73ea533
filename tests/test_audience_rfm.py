"""RFM table, scores, segments and summary against hand-worked expectations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.audience.rfm import (
    SEGMENT_GROUPS,
    SEGMENTS,
    boundary_tie_counts,
    on_boundary_tie,
    quantile_scores,
    rfm_scores,
    rfm_segments,
    rfm_table,
    segment_summary,
    value_groups,
)
from helpers.errors import DataError, ParameterError

AS_OF = pd.Timestamp("2026-10-31")

# user: (days since last activity event, activity events in window, purchase values)
# Purchases are the most recent events; the rest are views on earlier days.
SPEC: dict[str, tuple[int, int, list[float]]] = {
    "u01": (1, 12, [100.0, 50.0]),
    "u02": (3, 9, [200.0]),
    "u03": (3, 9, []),
    "u04": (10, 6, [80.0]),
    "u05": (20, 6, []),
    "u06": (40, 4, [500.0, 120.0]),
    "u07": (60, 3, []),
    "u08": (100, 9, [40.0]),
    "u09": (200, 2, []),
    "u10": (300, 1, []),
}


def _events(spec: dict[str, tuple[int, int, list[float]]]) -> pd.DataFrame:
    """Interactions for SPEC, plus rows that must be ignored (outside window, future, follow)."""
    rows = []
    for user, (last, n, purchases) in spec.items():
        for k in range(n):
            event, value = ("purchase", purchases[k]) if k < len(purchases) else ("view", np.nan)
            rows.append((user, AS_OF - pd.Timedelta(days=last + k), event, value))
    rows += [("u01", AS_OF - pd.Timedelta(days=400), "purchase", 999.0),   # before the window
             ("u10", AS_OF + pd.Timedelta(days=1), "purchase", 999.0),     # after as_of
             ("u10", AS_OF - pd.Timedelta(hours=12), "follow", np.nan),    # not an activity event
             ("u11", AS_OF - pd.Timedelta(days=5), "unfollow", np.nan)]    # user with no activity
    frame = pd.DataFrame(rows, columns=["user_id", "occurred_at", "event", "value"])
    return frame.sample(frac=1.0, random_state=3).reset_index(drop=True)  # order must not matter


@pytest.fixture()
def scored() -> pd.DataFrame:
    return rfm_scores(rfm_table(_events(SPEC), AS_OF))


def test_rfm_table_by_hand() -> None:
    table = rfm_table(_events(SPEC), AS_OF).set_index("user_id")
    assert list(table.index) == [f"u{i:02d}" for i in range(1, 11)]  # u11 has only an unfollow
    assert table["recency_days"].tolist() == [1, 3, 3, 10, 20, 40, 60, 100, 200, 300]
    assert table["frequency"].tolist() == [12, 9, 9, 6, 6, 4, 3, 9, 2, 1]
    # u01 = 100 + 50 (the 999 is 400 days old), u10's 999 is after as_of.
    assert table["monetary"].tolist() == [150, 200, 0, 80, 0, 620, 0, 40, 0, 0]
    assert table["purchases"].tolist() == [2, 1, 0, 1, 0, 2, 0, 1, 0, 0]
    assert table.attrs["basis"] == "purchase" and set(table["basis"]) == {"purchase"}
    assert table.attrs["purchases_missing_value"] == 0


def test_recency_is_fractional_days() -> None:
    events = pd.DataFrame({"user_id": ["a"], "occurred_at": [AS_OF - pd.Timedelta(hours=36)],
                           "event": ["like"], "value": [np.nan]})
    assert rfm_table(events, AS_OF, monetary="engagement")["recency_days"].iloc[0] == 1.5


def test_frequency_purchases_option() -> None:
    table = rfm_table(_events(SPEC), AS_OF, frequency="purchases")
    assert table["frequency"].tolist() == [2, 1, 0, 1, 0, 2, 0, 1, 0, 0]


def test_scores_by_hand_with_ties(scored: pd.DataFrame) -> None:
    # 10 users → qcut's edges on positions 1..10 are 2.8, 4.6, 6.4, 8.2: positions {1,2}→1, {3,4}→2,
    # {5,6}→3, {7,8}→4, {9,10}→5. A tie group takes the score of its middle position (mean of its
    # positions); the group of the lowest value scores 1 and that of the highest value scores 5.
    # R (recency descending = position 1): u10 1, u09 2, u08 3, u07 4, u06 5, u05 6, u04 7,
    #   u02/u03 (3 days) 8,9 → middle 8.5 > 8.2 → both 5 (the old lowest-score rule gave 4), u01 10 → 5.
    # F ascending: u10 1, u09 2, u07 3, u06 4 → 1,1,2,2; u04/u05 (6 events) 5,6 → middle 5.5 → 3;
    #   u02/u03/u08 (9 events) 7,8,9 → middle 8 ≤ 8.2 → 4; u01 10 → 5.
    # M ascending: zeros u03,u05,u07,u09,u10 at 1-5 (middle 3 → 2) are the lowest value → 1;
    #   u08 40 → 3, u04 80 → 4, u01 150 → 4, u02 200 → 5, u06 620 → 5.
    expected = {"u01": "554", "u02": "545", "u03": "541", "u04": "434", "u05": "331",
                "u06": "325", "u07": "221", "u08": "243", "u09": "111", "u10": "111"}
    assert dict(zip(scored["user_id"], scored["rfm_code"], strict=True)) == expected
    assert dict(zip(scored["user_id"], scored["r_score"], strict=True)) == {u: int(c[0]) for u, c in expected.items()}


def test_tie_group_takes_the_score_of_its_middle_position() -> None:
    # values 1,2,3,4,5,6,6,6,6,9: the four 6s hold positions 6..9 (scores 3,4,4,5 one by one),
    # middle 7.5 → 4 (6.4 < 7.5 ≤ 8.2); the lowest-score rule would give them 3.
    values = pd.Series([1, 2, 3, 4, 5, 6, 6, 6, 6, 9], index=[f"u{i}" for i in range(10)])
    assert quantile_scores(values, 5).tolist() == [1, 1, 2, 2, 3, 4, 4, 4, 4, 5]
    # reversed (lower is better): 9 → 1; 6s hold positions 2..5 (middle 3.5 → 2); 5 → 3, 4 → 4, 3 → 4, 2,1 → 5
    assert quantile_scores(values, 5, higher_is_better=False).tolist() == [5, 5, 4, 4, 3, 2, 2, 2, 2, 1]
    # the straddling 6s are the boundary-tie users; a group of the lowest or highest value is pinned, not counted
    assert on_boundary_tie(values, 5).tolist() == [False] * 5 + [True] * 4 + [False]
    zeros = pd.Series([0, 0, 0, 0, 0, 0, 1, 2, 3, 4])  # six zeros at positions 1..6, middle 3.5 → 2, pinned to 1
    assert quantile_scores(zeros, 5).tolist() == [1] * 6 + [4, 4, 5, 5]
    assert not on_boundary_tie(zeros, 5).any()
    # a middle exactly on an edge goes to the lower score: n = 6, edges 2, 3, 4, 5; positions 2,3,4 → middle 3 → 2
    assert quantile_scores(pd.Series([1, 5, 5, 5, 8, 9]), 5).tolist() == [1, 2, 2, 2, 4, 5]


def test_boundary_tie_counts_by_hand(scored: pd.DataFrame) -> None:
    # From the hand calculation above: R ties u02/u03 sit on positions 8,9 across the edge 8.2;
    # F ties u02/u03/u08 sit on 7,8,9 across 8.2; u04/u05 (5,6) stay inside one score; the zero-M group
    # is the lowest value (pinned to 1), so no M user counts. Users on any boundary tie: u02, u03, u08.
    assert boundary_tie_counts(scored) == {"r": 2, "f": 3, "m": 0, "users": 3}


def test_scores_without_ties_are_equal_quintiles() -> None:
    # Brute force: with distinct values and n = 20, each score holds exactly 4 users, in value order.
    table = pd.DataFrame({"user_id": [f"u{i:02d}" for i in range(20)],
                          "recency_days": np.arange(20.0)[::-1], "frequency": np.arange(20),
                          "monetary": np.arange(20) * 1.5})
    scored = rfm_scores(table)
    expected = [1 + i // 4 for i in range(20)]
    assert scored["f_score"].tolist() == expected
    assert scored["m_score"].tolist() == expected
    assert scored["r_score"].tolist() == expected  # recency 19 … 0: the most recent scores 5


def test_segments_on_fixture(scored: pd.DataFrame) -> None:
    segmented = rfm_segments(scored)
    # (R, F) from the hand calculation above, read off the grid in the module docstring.
    expected = {"u01": "champions", "u02": "champions", "u03": "champions", "u04": "potential loyalists",
                "u05": "need attention", "u06": "about to sleep", "u07": "hibernating",
                "u08": "at risk", "u09": "hibernating", "u10": "hibernating"}
    assert dict(zip(segmented["user_id"], segmented["segment"], strict=True)) == expected
    assert segmented.set_index("user_id").loc["u08", "group"] == "dormant"
    assert segmented.set_index("user_id").loc["u04", "group"] == "potential"


# The standard RFM segment grid written out cell by cell: rows R = 5..1, columns F = 1..5.
GRID = {
    5: ["new", "potential loyalists", "potential loyalists", "champions", "champions"],
    4: ["promising", "potential loyalists", "potential loyalists", "loyal", "loyal"],
    3: ["about to sleep", "about to sleep", "need attention", "loyal", "loyal"],
    2: ["hibernating", "hibernating", "at risk", "at risk", "can't lose"],
    1: ["hibernating", "hibernating", "at risk", "at risk", "can't lose"],
}


def test_segment_grid_all_25_cells() -> None:
    cells = pd.DataFrame([(r, f) for r in range(1, 6) for f in range(1, 6)], columns=["r_score", "f_score"])
    segmented = rfm_segments(cells)
    for r, f, segment in zip(cells["r_score"], cells["f_score"], segmented["segment"], strict=True):
        assert segment == GRID[r][f - 1], (r, f)
    assert set(segmented["segment"]) == set(SEGMENTS)
    groups = {"champions": "high-value", "loyal": "high-value", "can't lose": "high-value",
              "potential loyalists": "potential", "new": "potential", "promising": "potential",
              "need attention": "potential", "about to sleep": "dormant", "at risk": "dormant",
              "hibernating": "dormant"}
    assert dict(SEGMENT_GROUPS) == groups


def test_segment_summary_by_hand(scored: pd.DataFrame) -> None:
    summary = segment_summary(rfm_segments(scored)).set_index("name")
    assert list(summary.index) == list(SEGMENTS)
    assert summary["users"].sum() == 10
    hib = summary.loc["hibernating"]  # u07, u09, u10
    assert (hib["group"], hib["users"], hib["share"]) == ("dormant", 3, 0.3)
    assert hib["mean_recency"] == pytest.approx((60 + 200 + 300) / 3)
    assert hib["mean_frequency"] == pytest.approx((3 + 2 + 1) / 3)
    assert hib["mean_monetary"] == 0
    champions = summary.loc["champions"]  # u01 (1 day, 12 events, 150), u02 (3, 9, 200), u03 (3, 9, 0)
    assert (champions["users"], champions["mean_frequency"]) == (3, 10)
    assert champions["mean_recency"] == pytest.approx(7 / 3) and champions["mean_monetary"] == pytest.approx(350 / 3)
    for name in ("loyal", "can't lose"):
        empty = summary.loc[name]
        assert empty["users"] == 0 and empty["share"] == 0 and pd.isna(empty["mean_recency"])


def test_engagement_fallback_when_no_purchases() -> None:
    t = AS_OF - pd.Timedelta(days=2)
    events = pd.DataFrame({
        "user_id": ["a"] * 4 + ["b"] * 4 + ["c"],
        "occurred_at": [t] * 9,
        "event": ["view", "like", "comment", "share", "save", "click", "view", "message", "view"],
    })
    table = rfm_table(events, AS_OF).set_index("user_id")  # no value column needed
    # a: 0 + 1 + 2 + 3 = 6; b: 2 + 1 + 0 + 0 (message has no default weight) = 3; c: 0.
    assert table["monetary"].to_dict() == {"a": 6.0, "b": 3.0, "c": 0.0}
    assert table.attrs["basis"] == "engagement" and set(table["basis"]) == {"engagement"}
    custom = rfm_table(events, AS_OF, engagement_weights={"view": 1, "message": 5}).set_index("user_id")
    assert custom["monetary"].to_dict() == {"a": 1.0, "b": 6.0, "c": 1.0}
    forced = rfm_table(_events(SPEC), AS_OF, monetary="engagement")
    assert forced.attrs["basis"] == "engagement"
    assert forced["monetary"].sum() == 0  # SPEC has only views and purchases, both weight 0


def test_missing_purchase_values_are_not_zero() -> None:
    events = _events(SPEC)
    u06 = (events["user_id"] == "u06") & (events["event"] == "purchase") & (events["value"] == 120.0)
    u02 = (events["user_id"] == "u02") & (events["event"] == "purchase")
    events.loc[u06 | u02, "value"] = np.nan
    table = rfm_table(events, AS_OF)
    assert table.attrs["purchases_missing_value"] == 2
    monetary = table.set_index("user_id")["monetary"]
    assert monetary["u06"] == 500.0          # the known purchase only
    assert pd.isna(monetary["u02"])          # its only purchase has no value: unknown, not 0
    assert monetary["u03"] == 0.0            # no purchase at all: spent nothing
    scored = rfm_scores(table).set_index("user_id")
    assert pd.isna(scored.loc["u02", "m_score"]) and pd.isna(scored.loc["u02", "rfm_code"])
    assert rfm_segments(scored.reset_index()).set_index("user_id").loc["u02", "segment"] == "champions"  # R5 F4


def test_all_purchase_values_missing_raises() -> None:
    events = _events(SPEC)
    events["value"] = np.nan
    with pytest.raises(DataError, match="All .* purchase value"):
        rfm_table(events, AS_OF)
    with pytest.raises(DataError, match="no 'value' column"):
        rfm_table(events.drop(columns="value"), AS_OF)


def test_bad_input() -> None:
    events = _events(SPEC)
    with pytest.raises(DataError, match="No activity events"):
        rfm_table(events, pd.Timestamp("2020-01-01"))
    with pytest.raises(DataError, match="occurred_at"):
        rfm_table(events.drop(columns="occurred_at"), AS_OF)
    with pytest.raises(ParameterError, match="monetary"):
        rfm_table(events, AS_OF, monetary="revenue")
    with pytest.raises(ParameterError, match="window_days"):
        rfm_table(events, AS_OF, window_days=0)
    with pytest.raises(ParameterError, match="as_of"):
        rfm_table(events, "2026-10-31")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="unknown event"):
        rfm_table(events, AS_OF, engagement_weights={"retweet": 1.0})
    one_user = rfm_table(events[events["user_id"] == "u01"], AS_OF)
    with pytest.raises(DataError, match="at least 5 users"):
        rfm_scores(one_user)
    with pytest.raises(ParameterError, match="5 score bins"):
        rfm_segments(rfm_scores(rfm_table(events, AS_OF), bins=4))


def test_sample_lapsing_segment_is_dormant(sample_dir: Path) -> None:
    from helpers.sample import PLANTED

    interactions = pd.read_csv(sample_dir / "interactions.csv", usecols=["user_id", "occurred_at", "event", "value"],
                               parse_dates=["occurred_at"])
    # Window: the last 180 days. With the default 365 days, R quintiles are relative to an audience
    # in which ~40% of the year's active users were silent for more than 112 days, so the lapsing
    # users (silent ~92 days) land in R = 3 and read as "loyal": quintile recency is relative.
    segmented = rfm_segments(rfm_scores(rfm_table(interactions, AS_OF, window_days=180)))
    lapsing = segmented[segmented["user_id"].isin(PLANTED.lapsing_segment)]
    assert len(lapsing) == len(PLANTED.lapsing_segment)  # all active within the window
    # They stopped on 2026-08-01, so as of 2026-10-31 they have been quiet for more than 91 days.
    assert (lapsing["recency_days"] > 91).all()
    lapsed_segments = {"about to sleep", "at risk", "hibernating", "can't lose"}
    assert lapsing["segment"].isin(lapsed_segments).mean() > 0.9
    # Frequent before they lapsed: the can't-lose / at-risk cells, not hibernating.
    assert lapsing["segment"].isin({"at risk", "can't lose"}).mean() > 0.9


def test_value_groups_is_the_group_per_user_as_a_segmentation() -> None:
    segmented = pd.DataFrame({"user_id": ["u1", "u2"], "segment": ["champions", "hibernating"],
                              "group": ["high-value", "dormant"]})
    assert value_groups(segmented).to_dict("list") == {"user_id": ["u1", "u2"], "segment": ["high-value", "dormant"]}
    with pytest.raises(DataError, match="group"):
        value_groups(segmented.drop(columns=["group"]))
