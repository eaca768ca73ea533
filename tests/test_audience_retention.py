"""Cohort retention (24-hour windows, eligibility at as_of) and churn, against hand-worked fixtures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.audience.retention import (
    PeakChurnAge,
    churn_age_histogram,
    churn_over_time,
    cohort_heatmap_table,
    cohort_retention,
    first_seen_by_user,
    peak_churn_age,
    returning_events,
)
from helpers.errors import DataError, ParameterError

T = pd.Timestamp
AS_OF = T("2026-03-20 00:00")

# 2026-03-02 and 2026-03-09 and 2026-03-16 are Mondays (weekly cohorts start on Monday).
FIRST = pd.Series({
    "A": T("2026-03-02 10:00"),  # week 03-02
    "B": T("2026-03-02 23:30"),  # week 03-02, first event late in the day
    "C": T("2026-03-04 12:00"),  # week 03-02
    "D": T("2026-03-08 20:00"),  # Sunday → still week 03-02; never returns
    "E": T("2026-03-13 08:00"),  # week 03-09
    "G": T("2026-03-10 09:00"),  # week 03-09
    "F": T("2026-03-18 23:30"),  # week 03-16
    "H": pd.NaT,                 # unknown first event: in no cohort
})
EVENTS = pd.DataFrame([
    ("A", "2026-03-03 09:00"),  # +23 h → day 0, not day 1
    ("A", "2026-03-03 11:00"),  # +25 h → day 1 ✓
    ("A", "2026-03-09 10:00"),  # +7 d exactly → day 7 ✓ (window start is included)
    ("B", "2026-03-03 08:00"),  # next calendar day but +8.5 h → day 0: NOT retained on day 1
    ("B", "2026-03-10 00:00"),  # +7 d 0.5 h → day 7 ✓
    ("C", "2026-03-06 11:59"),  # +47 h 59 min → day 1 ✓ (window [24 h, 48 h))
    ("C", "2026-03-12 12:00"),  # +8 d → day 8: not day 7
    ("E", "2026-03-14 08:00"),  # +24 h exactly → day 1 ✓
    ("G", "2026-03-11 08:59"),  # +23 h 59 min → day 0
    ("G", "2026-03-17 09:00"),  # +7 d → day 7 ✓ (window ends 03-18 09:00 ≤ as_of)
    ("F", "2026-03-19 23:45"),  # +24 h 15 min → day 1, but that window ends after as_of
    ("Z", "2026-03-05 12:00"),  # user without a first event: ignored
], columns=["user_id", "occurred_at"]).assign(occurred_at=lambda d: pd.to_datetime(d["occurred_at"]))


def _row(table: pd.DataFrame, cohort: str, day: int) -> pd.Series:
    hit = table[(table["cohort"] == T(cohort)) & (table["day"] == day)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_weekly_retention_by_hand() -> None:
    table = cohort_retention(FIRST, EVENTS, days=(1, 7, 30), cohort="week", as_of=AS_OF)
    assert table.attrs["users_without_first_event"] == 1
    assert table.attrs["users_first_seen_after_as_of"] == 0
    # Week 03-02: A, B, C, D. Day 1: all eligible (windows end by 03-06 12:00); retained A, C → 2/4.
    # Day 7: all eligible (D's window ends 03-16 20:00); retained A, B → 2/4. Day 30: none eligible.
    expected = {
        ("2026-03-02", 1): (4, 4, 2, 0.5), ("2026-03-02", 7): (4, 4, 2, 0.5), ("2026-03-02", 30): (4, 0, 0, None),
        # Week 03-09: E, G. Day 1: both eligible, E retained (exactly +24 h), G not (+23 h 59) → 1/2.
        # Day 7: E's window ends 03-21 08:00 > as_of → not eligible; G retained → 1/1.
        ("2026-03-09", 1): (2, 2, 1, 0.5), ("2026-03-09", 7): (2, 1, 1, 1.0), ("2026-03-09", 30): (2, 0, 0, None),
        # Week 03-16: F only; its day-1 window ends 03-20 23:30 > as_of → nobody eligible.
        ("2026-03-16", 1): (1, 0, 0, None), ("2026-03-16", 7): (1, 0, 0, None), ("2026-03-16", 30): (1, 0, 0, None),
    }
    assert len(table) == len(expected)
    for (cohort, day), (users, eligible, retained, rate) in expected.items():
        row = _row(table, cohort, day)
        assert (row["users"], row["eligible"], row["retained"]) == (users, eligible, retained), (cohort, day)
        if rate is None:
            assert pd.isna(row["retention"]), (cohort, day)  # missing, not 0
        else:
            assert row["retention"] == pytest.approx(rate), (cohort, day)


def test_monthly_retention_by_hand() -> None:
    table = cohort_retention(FIRST, EVENTS, days=(1, 7), cohort="month", as_of=AS_OF)
    # All 7 known users in March. Day 1: F not eligible → 6; retained A, C, E → 3/6.
    # Day 7: E and F not eligible → 5 (A, B, C, D, G); retained A, B, G → 3/5.
    assert _row(table, "2026-03-01", 1)[["users", "eligible", "retained"]].tolist() == [7, 6, 3]
    assert _row(table, "2026-03-01", 1)["retention"] == pytest.approx(0.5)
    assert _row(table, "2026-03-01", 7)[["users", "eligible", "retained"]].tolist() == [7, 5, 3]
    assert _row(table, "2026-03-01", 7)["retention"] == pytest.approx(0.6)


def test_late_as_of_makes_more_users_eligible() -> None:
    # One day later F's day-1 window (ends 03-20 23:30) has closed and its 23:45 event counts.
    table = cohort_retention(FIRST, EVENTS, days=(1,), cohort="week", as_of=T("2026-03-21"))
    assert _row(table, "2026-03-16", 1)[["eligible", "retained", "retention"]].tolist() == [1, 1, 1.0]
    early = cohort_retention(FIRST, EVENTS, days=(1,), cohort="week", as_of=T("2026-03-10"))
    assert early.attrs["users_first_seen_after_as_of"] == 3  # E, G, F


def test_brute_force_agrees_on_random_data() -> None:
    rng = np.random.default_rng(7)
    users = [f"u{i}" for i in range(60)]
    first = pd.Series(T("2026-01-01") + pd.to_timedelta(rng.uniform(0, 40 * 24, 60), unit="h"), index=users)
    ev_users = rng.choice(users, 600)
    offsets = pd.to_timedelta(rng.uniform(0, 20 * 24, 600), unit="h")
    events = pd.DataFrame({"user_id": ev_users, "occurred_at": first[ev_users].to_numpy() + offsets})
    as_of = T("2026-02-05")
    table = cohort_retention(first, events, days=(1, 3, 7), cohort="week", as_of=as_of)
    for day in (1, 3, 7):
        eligible = retained = 0
        for user, t0 in first.items():  # one user at a time, straight from the definition
            if t0 + pd.Timedelta(hours=24 * (day + 1)) > as_of:
                continue
            eligible += 1
            times = events.loc[events["user_id"] == user, "occurred_at"]
            lo, hi = t0 + pd.Timedelta(hours=24 * day), t0 + pd.Timedelta(hours=24 * (day + 1))
            retained += bool(((times >= lo) & (times < hi)).any())
        got = table[table["day"] == day]
        assert (got["eligible"].sum(), got["retained"].sum()) == (eligible, retained)


def test_heatmap_table() -> None:
    wide = cohort_heatmap_table(cohort_retention(FIRST, EVENTS, days=(1, 7), cohort="week", as_of=AS_OF))
    assert list(wide.columns) == ["day 1", "day 7"]
    assert list(wide.index) == [T("2026-03-02"), T("2026-03-09"), T("2026-03-16")]
    assert wide.loc[T("2026-03-09"), "day 7"] == 1.0
    assert pd.isna(wide.loc[T("2026-03-16"), "day 1"])


def test_retention_bad_input() -> None:
    with pytest.raises(ParameterError, match="cohort"):
        cohort_retention(FIRST, EVENTS, cohort="quarter", as_of=AS_OF)
    with pytest.raises(ParameterError, match="days"):
        cohort_retention(FIRST, EVENTS, days=(0, 7), as_of=AS_OF)
    with pytest.raises(ParameterError, match="as_of"):
        cohort_retention(FIRST, EVENTS)
    with pytest.raises(DataError, match="first event on or before"):
        cohort_retention(FIRST, EVENTS, as_of=T("2020-01-01"))
    with pytest.raises(DataError, match="occurred_at"):
        cohort_retention(FIRST, EVENTS.rename(columns={"occurred_at": "time"}), as_of=AS_OF)


# Audience for churn. Ages: floor((unfollowed_at - first_seen) / 24 h).
AUDIENCE = pd.DataFrame([
    ("a", "2026-03-01 10:00", "2026-03-08 09:00"),  # 6 d 23 h → day 6, week 0; unfollow week 03-02
    ("b", "2026-03-01 10:00", "2026-03-08 11:00"),  # 7 d 1 h → day 7, week 1; week 03-02 (Sunday)
    ("c", "2026-03-02 00:00", "2026-03-09 12:00"),  # 7.5 d → day 7, week 1; week 03-09
    ("d", "2026-02-01 00:00", "2026-03-23 00:00"),  # 50 d → day 50, week 7; week 03-23
    ("e", "2026-03-05 00:00", None),                # still following
    ("f", "2026-01-01 00:00", "2026-03-09 00:00"),  # 67 d → day 67, week 9; week 03-09
    ("g", "2026-03-01 10:00", "2026-03-04 10:00"),  # 3 d → day 3, week 0; week 03-02
], columns=["user_id", "first_seen", "unfollowed_at"]).assign(
    first_seen=lambda d: pd.to_datetime(d["first_seen"]), unfollowed_at=lambda d: pd.to_datetime(d["unfollowed_at"]))


def test_churn_over_time_weekly() -> None:
    churn = churn_over_time(AUDIENCE, freq="W")
    # Week 03-02: a, b, g; week 03-09: c, f; week 03-16: none (a real 0); week 03-23: d.
    assert churn["period"].tolist() == [T("2026-03-02"), T("2026-03-09"), T("2026-03-16"), T("2026-03-23")]
    assert churn["unfollows"].tolist() == [3, 2, 0, 1]
    monthly = churn_over_time(AUDIENCE, freq="M")
    assert monthly["unfollows"].tolist() == [6]


def test_peak_churn_age_by_day_and_week() -> None:
    # Days: 6, 7, 7, 50, 67, 3 → day 7 has 2 of 6 unfollows.
    assert peak_churn_age(AUDIENCE) == PeakChurnAge(age=7, unit="day", unfollows=2, total_unfollows=6, share=2 / 6)
    # Weeks: 0, 1, 1, 7, 9, 0 → weeks 0 and 1 tie at 2; the younger (week 0) is reported.
    assert peak_churn_age(AUDIENCE, unit="week").age == 0
    hist = churn_age_histogram(AUDIENCE, unit="week")
    assert hist["age"].tolist() == list(range(10))
    assert hist["unfollows"].tolist() == [2, 2, 0, 0, 0, 0, 0, 1, 0, 1]


def test_churn_bad_input() -> None:
    with pytest.raises(ParameterError, match="unit"):
        peak_churn_age(AUDIENCE, unit="month")
    with pytest.raises(ParameterError, match="freq"):
        churn_over_time(AUDIENCE, freq="fortnight")
    with pytest.raises(DataError, match="No unfollows"):
        churn_over_time(AUDIENCE.assign(unfollowed_at=pd.NaT))
    backwards = AUDIENCE.assign(first_seen=T("2026-04-01"))
    with pytest.raises(DataError, match="before first_seen"):
        peak_churn_age(backwards)
    with pytest.raises(DataError, match="unfollowed_at"):
        churn_over_time(AUDIENCE.drop(columns="unfollowed_at"))


def test_first_seen_by_user_keeps_the_first_row_and_leaves_out_excluded_users() -> None:
    audience = pd.DataFrame({"user_id": ["u1", "u1", "u2", "u3"], "account_id": ["A", "B", "A", "A"],
                             "first_seen": pd.to_datetime(["2026-03-05", "2026-03-01", "2026-03-02", "2026-03-03"])})
    first = first_seen_by_user(audience, exclude={"u3"})
    # u1's first row (account A) says 03-05; u3 is excluded (a bot)
    assert first.to_dict() == {"u1": T("2026-03-05"), "u2": T("2026-03-02")}
    assert first_seen_by_user(audience).index.tolist() == ["u1", "u2", "u3"]



@pytest.mark.parametrize("seed", [0, 1])
def test_first_seen_by_user_equals_drop_duplicates_on_the_whole_audience(seed: int) -> None:
    """The two columns taken first give the former drop_duplicates of the whole audience: repeated users
    (their first row), missing user ids and first_seen, excluded users, no repeats at all, an empty audience."""
    rng = np.random.default_rng(seed)
    n = 2_000
    ids = rng.choice(np.array([f"u{i}" for i in range(1_500)], dtype=object), n)
    ids[[3, 700, 1_999]] = None  # missing ids: drop_duplicates keeps the first of them
    ids = pd.array(ids, dtype="str")
    seen = pd.Series(pd.to_datetime("2026-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"))
    seen[rng.random(n) < 0.05] = pd.NaT
    audience = pd.DataFrame({"user_id": ids, "account_id": rng.choice(["A", "B"], n), "first_seen": seen,
                             "gender": rng.choice(["女", "男"], n)})
    exclude = set(rng.choice(np.array([f"u{i}" for i in range(1_500)]), 200))

    def old(frame: pd.DataFrame, excluded: set[str]) -> pd.Series:
        first = frame.drop_duplicates("user_id").set_index("user_id")["first_seen"]
        return first[~first.index.isin(excluded)]

    unique = audience.drop_duplicates("user_id", ignore_index=True)
    for frame in (audience, unique, audience.iloc[:0]):
        for excluded in (exclude, set()):
            pd.testing.assert_series_equal(first_seen_by_user(frame, exclude=excluded), old(frame, excluded))
    assert audience["user_id"].duplicated().any() and audience["user_id"].isna().any()


def test_returning_events_leave_out_follows_and_unfollows() -> None:
    from helpers.audience.engine import from_frame

    events = pd.DataFrame({"user_id": ["a", "a", "a", "b"], "account_id": "X",
                           "occurred_at": pd.to_datetime(["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"]),
                           "event": ["follow", "view", "unfollow", "purchase"]})
    kept = returning_events(from_frame(events)).to_pandas()
    assert kept[["user_id", "event"]].values.tolist() == [["a", "view"], ["b", "purchase"]]


def _former_retained(first: pd.Series, events: pd.DataFrame, day: int, as_of: pd.Timestamp) -> pd.Series:
    """Retained users before issue 22 round 7: the distinct (text id, day) pairs mapped back to the ids, then isin."""
    from helpers.audience.engine import as_events

    known = first.dropna()
    known = known[known <= as_of]
    frame = known.rename("first").rename_axis("user_id").reset_index()
    ev = as_events(events)
    firsts = frame.assign(user_id=frame["user_id"].astype("str"), first=frame["first"].astype("datetime64[us]"))
    ev.con.register("old_first", firsts)
    pairs = ev.query("SELECT DISTINCT f.user_id, CAST(floor(epoch_us(e.occurred_at - f.first) / 86400e6) AS BIGINT) "
                     "AS day FROM {ev} e JOIN old_first f ON CAST(e.user_id AS VARCHAR) = f.user_id "
                     f"WHERE e.occurred_at >= f.first + INTERVAL 1 DAY AND day IN ({day})")
    ids = pd.Series(frame["user_id"].to_numpy(), index=frame["user_id"].astype("str").to_numpy())
    active = pairs["user_id"].map(ids)
    eligible = frame["first"] + (day + 1) * pd.Timedelta(days=1) <= as_of
    retained = eligible & frame["user_id"].isin(active)
    return pd.DataFrame({"cohort": frame["first"].dt.to_period("W").dt.start_time, "eligible": eligible,
                         "retained": retained}).groupby("cohort")[["eligible", "retained"]].sum()


@pytest.mark.parametrize(("seed", "users"), [(0, 400), (1, 30), (2, 1)])
def test_retention_by_row_positions_equals_the_former_id_mapping(seed: int, users: int) -> None:
    """Users matched by their row in first (issue 22 round 7) retain the same users as the former mapping of ids;
    with events of users without a first event, events without a user, a first event missing, one user."""
    rng = np.random.default_rng(seed)
    ids = [f"u{i}" for i in range(users)]
    first = pd.Series(T("2026-01-01") + pd.to_timedelta(rng.uniform(0, 40 * 24, users), unit="h"), index=ids)
    if users > 1:
        first.iloc[0] = pd.NaT
    pool = np.array([*ids, "stranger", None], dtype=object)
    who = rng.choice(pool, 30 * users + 20)
    base = first.reindex(who).fillna(T("2026-01-10")).to_numpy()
    events = pd.DataFrame({"user_id": who, "occurred_at": base + pd.to_timedelta(rng.uniform(0, 20 * 24, len(who)),
                                                                                  unit="h")})
    as_of = T("2026-02-05")
    table = cohort_retention(first, events, days=(1, 3, 7), cohort="week", as_of=as_of)
    for day in (1, 3, 7):
        former = _former_retained(first, events, day, as_of)
        got = table[table["day"] == day].set_index("cohort")[["eligible", "retained"]]
        pd.testing.assert_frame_equal(got, former.astype("int64"), check_names=False)
    assert table["retained"].sum() > 0 or users == 1
