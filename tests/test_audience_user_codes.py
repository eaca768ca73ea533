"""Integer user codes (issue 22, round 6): the coded window gives the same tables as the text ids.

`engine.code_users` stores each user id once as an integer code and the window's events with the
code, in code order; per-user queries group the codes and `per_user` puts the ids back. The
reference is the former path: the same functions on the uncoded Events (text ids, hash parts),
which is the code as it was before the codes; `FORMER_WITHOUT_USERS` keeps the former bot filter.
Random events have ties in time, missing user ids and one-event users; parts are forced by setting
engine.PART_EVENTS small.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.audience import behaviour, bots, clusters, engine, explore, retention, rfm, session
from helpers.audience.engine import Events, code_users, from_frame

EVENTS = ("view", "like", "comment", "share", "save", "click", "purchase", "follow", "message")


def random_events(seed: int, n: int = 6000, users: int = 400, missing: float = 0.03) -> pd.DataFrame:
    """Random interactions over 20 days with times on whole minutes (many ties), some without a user."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"u{i:04d}" for i in rng.permutation(users)], dtype=object)
    who = ids[rng.zipf(1.6, n) % users]
    who[rng.random(n) < missing] = None
    start = pd.Timestamp("2026-10-12")
    minutes = rng.integers(0, 20 * 24 * 60 // 7, n) * 7  # multiples of 7 minutes: ties within users
    event = rng.choice(np.array(EVENTS), n)
    value = np.where(event == "purchase", np.round(rng.gamma(2.0, 50.0, n), 2), np.nan)
    value[(event == "purchase") & (rng.random(n) < 0.2)] = np.nan
    return pd.DataFrame({"user_id": who, "account_id": "own_xhs",
                         "occurred_at": start + pd.to_timedelta(minutes, unit="min"), "event": event,
                         "post_id": np.array([f"p{i}" for i in rng.integers(0, 30, n)], dtype=object),
                         "value": value})


FORMER_WITHOUT_USERS = ("SELECT * FROM {ev} WHERE CAST(user_id AS VARCHAR) NOT IN "
                        "(SELECT CAST(user_id AS VARCHAR) FROM excluded_ref)")
"""The former Events.without_users (text ids compared as VARCHAR), kept as reference."""


def former_without(frame: pd.DataFrame, user_ids: list[object]) -> pd.DataFrame:
    ev = from_frame(frame)
    ev.con.register("excluded_ref", pd.DataFrame({"user_id": pd.Series(user_ids, dtype="object")}))
    return ev.query(FORMER_WITHOUT_USERS + " ORDER BY row").drop(columns="row")


def both(frame: pd.DataFrame) -> tuple[Events, Events]:
    plain = from_frame(frame)
    return plain, code_users(from_frame(frame))


def test_codes_hand_worked() -> None:
    frame = pd.DataFrame({"user_id": ["b", "a", None, "c", "a", "b"],
                          "occurred_at": pd.to_datetime(["2026-10-01 10:00"] * 6),
                          "event": ["view"] * 6})
    ev = code_users(from_frame(frame))
    assert ev.coded and ev.rows() == 6
    assert list(ev.ids) == ["a", "b", "c"]  # codes in the order of the ids: a = 0, b = 1, c = 2
    codes = ev.query("SELECT user_id FROM {ev} ORDER BY row")["user_id"]
    assert codes.iloc[[0, 1, 3, 4, 5]].tolist() == [1, 0, 2, 0, 1] and pd.isna(codes.iloc[2])
    assert ev.to_pandas()["user_id"].tolist() == ["b", "a", np.nan, "c", "a", "b"]  # NULL as DuckDB gives it
    assert ev.decoded().query("SELECT user_id FROM {ev} ORDER BY row")["user_id"].tolist() == [
        "b", "a", np.nan, "c", "a", "b"]
    counts = ev.per_user("SELECT user_id, count(*) AS n FROM {ev} WHERE user_id IS NOT NULL "
                         "GROUP BY user_id ORDER BY user_id")
    assert counts.to_dict("list") == {"user_id": ["a", "b", "c"], "n": [2, 2, 1]}


def test_code_users_keeps_a_table_without_text_ids() -> None:
    frame = pd.DataFrame({"user_id": [3, 1, 2], "occurred_at": pd.to_datetime(["2026-10-01"] * 3),
                          "event": ["view"] * 3})
    ev = from_frame(frame)
    assert code_users(ev) is ev and not ev.coded
    coded = code_users(from_frame(frame.astype({"user_id": str})))
    assert code_users(coded) is coded


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("part_events", [None, 900])
def test_per_user_tables_equal_text_ids(seed: int, part_events: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = random_events(seed)
    if part_events is not None:  # several parts: hash parts of text ids against code ranges (rows in code order)
        monkeypatch.setattr(engine, "PART_EVENTS", part_events)
    plain, coded = both(frame)
    if part_events is not None:
        # stored part after part (events without a user first): the part of each stored row never goes down
        codes = coded.query("SELECT user_id FROM {ev}")["user_id"]
        n_parts, users = -(-len(frame) // part_events), len(coded.ids)
        edges = [users * part // n_parts for part in range(n_parts + 1)]
        part = np.searchsorted(edges, codes.fillna(-1).to_numpy(), side="right") - 1
        assert (np.diff(part) >= 0).all() and part[0] == -1 and len(set(part)) == n_parts + 1
        assert len(coded.user_parts()) == len(plain.user_parts()) == -(-len(frame) // part_events)
    parts = coded.user_parts()
    users = [set(p.query("SELECT DISTINCT user_id FROM {ev} WHERE user_id IS NOT NULL")["user_id"]) for p in parts]
    assert sum(len(u) for u in users) == len(set().union(*users)) == frame["user_id"].nunique()
    # parts hold every event with a user once (events without a user, which no per-user query counts, go to no
    # part when there are several)
    assert sum(p.rows() for p in parts) == (frame["user_id"].notna().sum() if part_events else len(frame))

    pd.testing.assert_frame_equal(bots.user_activity(coded, "2026-10-14", "2026-10-29"),
                                  bots.user_activity(plain, "2026-10-14", "2026-10-29"), check_exact=True)
    as_of = pd.Timestamp("2026-10-30")
    new, old = rfm.user_counts(coded, as_of, 10), rfm.user_counts(plain, as_of, 10)
    pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=1e-12, atol=0)  # value sums: float order
    assert new.drop(columns="purchase_value").equals(old.drop(columns="purchase_value"))
    new, old = (clusters.behaviour_features(ev, "2026-10-29", window_days=15) for ev in (coded, plain))
    pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=1e-12, atol=0)
    assert new.drop(columns="purchase_value").equals(old.drop(columns="purchase_value"))
    for n, max_len in ((10, 4), (30, 2)):
        pd.testing.assert_frame_equal(behaviour.top_paths(coded, n=n, max_len=max_len),
                                      behaviour.top_paths(plain, n=n, max_len=max_len), check_exact=True)
    pd.testing.assert_frame_equal(behaviour.event_funnel(coded), behaviour.event_funnel(plain), check_exact=True)


def test_one_user_and_an_empty_window() -> None:
    frame = random_events(5, n=50, users=1, missing=0.0)
    plain, coded = both(frame)
    assert len(coded.ids) == 1
    pd.testing.assert_frame_equal(bots.user_activity(coded, "2026-10-12", "2026-10-31"),
                                  bots.user_activity(plain, "2026-10-12", "2026-10-31"), check_exact=True)
    empty = code_users(from_frame(frame).where("FALSE"))
    assert empty.rows() == 0 and len(empty.ids) == 0
    with pytest.raises(Exception, match="No interactions"):
        bots.user_activity(empty, "2026-10-12", "2026-10-31")


@pytest.mark.parametrize("excluded", [[], ["u0001", "u0003"], ["nobody"], ["u0002", None], ["u0000", "nobody"]])
def test_without_users_as_the_former_filter(excluded: list[object]) -> None:
    frame = random_events(7, n=800, users=20, missing=0.1)
    expected = former_without(frame, excluded)
    kept = code_users(from_frame(frame)).without_users(excluded).to_pandas()
    pd.testing.assert_frame_equal(kept, expected, check_exact=True)
    # the hand-worked meaning: SQL's NOT IN leaves out events without a user as soon as an id is given
    missing = frame["user_id"].isna().sum()
    if not excluded:
        assert len(kept) == len(frame)
    elif None in excluded:
        assert kept.empty
    else:
        assert len(kept) == len(frame) - missing - frame["user_id"].isin(excluded).sum()


def test_retention_days_and_explorer_join_on_text_ids() -> None:
    frame = random_events(9)
    plain, coded = both(frame)
    first = frame.dropna(subset=["user_id"]).groupby("user_id")["occurred_at"].min().rename("first") \
        .rename_axis("user_id").reset_index()
    new, old = (retention._active_days(first, ev, (1, 2, 7)) for ev in (coded, plain))
    key = ["user_id", "day"]
    pd.testing.assert_frame_equal(new.sort_values(key, ignore_index=True), old.sort_values(key, ignore_index=True))
    assert len(old) > 100
    accounts = pd.DataFrame({"account_id": ["own_xhs"], "platform": ["xiaohongshu"]})
    users = pd.Index(frame["user_id"].dropna().unique()[:50])
    args = (accounts, users, {"own_xhs"}, pd.Timestamp("2026-10-15"), pd.Timestamp("2026-10-20"))
    pd.testing.assert_frame_equal(explore._period_activity(coded, *args), explore._period_activity(plain, *args))


def test_window_events_coded_once_with_the_window_rows(sample_dir: Path) -> None:
    run = session.prepare(account="own", as_of="latest", lookback_days=90, data_dir=str(sample_dir),
                          bot_rule="sigma", bot_k=3.0, n_clusters="auto", min_segment_size=50, monetary="purchase",
                          cohort="month", lang="en")
    window = run.window_events()
    assert window is run.window_events() and window.coded
    plain = run.events.where(f"occurred_at >= {engine.literal(run.start)} AND occurred_at < "
                             f"{engine.literal(run.end)}")
    pd.testing.assert_frame_equal(window.to_pandas(), plain.to_pandas(), check_exact=True)
    assert window.rows() == plain.rows() == len(plain.to_pandas())


def test_rows_counted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = random_events(11, n=500)
    view = from_frame(frame).where("event = 'view'")
    assert view.rows() == int((frame["event"] == "view").sum())  # counted by DuckDB, checked against pandas

    def no_second_count(*args: object, **kwargs: object) -> tuple[object, ...]:
        raise AssertionError("counted again")

    monkeypatch.setattr(engine, "one_row", no_second_count)
    assert view.rows() == int((frame["event"] == "view").sum())  # the relation does not change: the count is kept
    coded = Events(view.con, view.name, known_rows=7)
    assert coded.rows() == 7


@pytest.mark.parametrize("part_events", [1_000_000, 2_000])  # one part; five parts (the ids gathered by hash)
def test_codes_number_the_ids_in_code_point_order(part_events: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Codes are the ids' ranks in Python's sorted order (code points: UTF-8 byte order), Chinese and case mixed."""
    monkeypatch.setattr(engine, "PART_EVENTS", part_events)
    rng = np.random.default_rng(7)
    alphabet = [*"aAbBzZ09_-", "用", "户", "小", "红", "书", "é"]
    ids = sorted({"".join(rng.choice(alphabet, rng.integers(1, 6))) for _ in range(3000)})
    who = np.array(ids, dtype=object)[rng.integers(0, len(ids), 9000)]
    frame = pd.DataFrame({"user_id": who, "occurred_at": pd.Timestamp("2026-10-01"), "event": "view"})
    coded = code_users(from_frame(frame))
    expected = {user: code for code, user in enumerate(sorted(set(who)))}
    pairs = coded.con.execute(f"SELECT user_id, code FROM {coded.users}").df()
    assert dict(zip(pairs["user_id"], pairs["code"].astype(int), strict=True)) == expected
    assert list(coded.ids) == sorted(set(who))  # the ids by code
    decoded = coded.to_pandas()
    assert sorted(decoded["user_id"]) == sorted(who)  # every event keeps its own id
