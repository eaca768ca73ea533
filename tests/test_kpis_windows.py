"""The per-window KPI work (round 5 of issue 22: the columns' arrays instead of pandas indexing, each table
grouped by account once per window) gives exactly the answers of the code before it, kept in
tests/kpis_reference.py: on random tables with missing days, missing values, zero denominators, accounts
absent from a table, several platforms and an empty window, and on the sample's month and year."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kpis_reference as reference
from helpers.data import load_tables
from helpers.review import kpis

METRICS = ["followers", "followers_gained", "followers_lost", "impressions", "reach", "profile_visits",
           "engagements", "link_clicks", "conversions", "revenue"]


def _forget() -> None:
    for module in (kpis, reference):
        module._PREPARED.clear()
        module._ACCOUNT_ROWS.clear()


def _both(*args: object) -> None:
    """compute_kpis and its parts equal the reference's, NaN for NaN, float for float (exactly)."""
    _forget()
    got, got_parts = kpis._compute(*args)  # type: ignore[arg-type]
    want, want_parts = reference._compute(*args)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert list(got_parts) == list(want_parts)
    for account, parts in want_parts.items():
        assert list(got_parts[account]) == list(parts)
        for name, value in parts.items():
            mine = got_parts[account][name]
            assert (np.isnan(mine) and np.isnan(value)) or mine == value, (account, name, mine, value)


def _random_tables(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Five accounts on three platforms over two months: days dropped, values missing, zero clicks and spend;
    one account without account_daily rows, one without posts, one without ads."""
    rng = np.random.default_rng(seed)
    accounts = pd.DataFrame({"account_id": ["a", "b", "c", "d", "e"],
                             "platform": ["douyin", "xhs", "weibo", "douyin", "xhs"]})
    days = pd.date_range("2026-01-01", "2026-02-28")
    rows = []
    for account in ["a", "b", "c", "d"]:  # e: no account_daily rows
        for day in days:
            if rng.random() < 0.15:  # a missing day
                continue
            row = {"date": day, "account_id": account}
            for metric in METRICS:
                value = float(rng.integers(0, 3) if metric in ("link_clicks", "conversions")
                              else rng.integers(0, 5000) + rng.random())
                row[metric] = np.nan if rng.random() < 0.2 else value
            rows.append(row)
    daily = pd.DataFrame(rows)
    if seed % 2:  # a table without flows: the net change from the follower counts
        daily = daily.drop(columns=["followers_gained", "followers_lost"])
    post_rows = [{"post_id": f"p{i}", "account_id": str(rng.choice(["a", "b", "c", "e"])),  # d: no posts
                  "published_at": days[int(rng.integers(5, len(days)))] + pd.Timedelta(hours=int(rng.integers(0, 24)))}
                 for i in range(120)]
    post_rows.append(dict(post_rows[0]))  # a post listed twice counts once
    ad_rows = [{"date": day, "account_id": account, "spend": 0.0 if rng.random() < 0.1 else float(rng.integers(0, 900)),
                "revenue": np.nan if rng.random() < 0.2 else float(rng.integers(0, 3000))}
               for account in ["a", "b", "e"] for day in days[10:50] if rng.random() < 0.7]  # c, d: no ads
    return daily, pd.DataFrame(post_rows), pd.DataFrame(ad_rows), accounts


WINDOWS = [("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-28"), ("2026-01-10", "2026-01-16"),
           ("2026-02-27", "2026-03-31"), ("2025-12-01", "2025-12-31"), ("2026-01-01", "2026-12-31"),
           ("2026-01-20", "2026-01-20")]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_tables_equal_the_reference(seed: int) -> None:
    daily, posts, ads, accounts = _random_tables(seed)
    for start, end in WINDOWS:
        for er_base in ("impressions", "reach", "followers"):
            for cov in (0.0, 0.8):
                _both(daily, posts, ads, accounts, start, end, er_base, cov)


def test_without_event_tables_or_with_empty_ones() -> None:
    daily, posts, ads, accounts = _random_tables(5)
    for p, a in ((None, None), (posts.iloc[:0], ads.iloc[:0]), (posts[posts["account_id"] == "a"], None)):
        for start, end in WINDOWS[:3]:
            _both(daily, p, a, accounts, start, end, "followers", 0.5)


def test_one_account_and_every_value_missing() -> None:
    daily, posts, ads, accounts = _random_tables(6)
    one = accounts.iloc[:1]
    _both(daily, posts, ads, one, "2026-01-01", "2026-01-31", "impressions", 0.0)
    empty = daily.assign(**{m: np.nan for m in METRICS if m in daily.columns})
    _both(empty, posts, ads.assign(spend=np.nan), accounts, "2026-01-01", "2026-01-31", "reach", 0.8)


@pytest.fixture(scope="module")
def tables(sample_dir: Path) -> dict[str, pd.DataFrame]:
    found = load_tables(["accounts", "account_daily", "posts", "ad_daily"], sample_dir, notes=False)
    found["accounts"] = found["accounts"][found["accounts"]["owner"] == "own"].reset_index(drop=True)
    return found


@pytest.mark.parametrize("window", [("2026-10-01", "2026-10-31"), ("2026-01-01", "2026-12-31"),
                                    ("2025-01-01", "2025-12-31"), ("2026-07-01", "2026-09-30")])
def test_the_sample_equals_the_reference(tables: dict[str, pd.DataFrame], window: tuple[str, str]) -> None:
    t = tables
    for er_base in ("impressions", "followers"):
        _both(t["account_daily"], t["posts"], t["ad_daily"], t["accounts"], *window, er_base, 0.8)


def _random_comments(seed: int) -> pd.DataFrame:
    """Comments of accounts a, b and x (x is not reviewed; c, d, e have none), some without a score."""
    rng = np.random.default_rng(seed)
    n = 400
    sentiment = rng.choice(["positive", "neutral", "negative"], n)
    score = np.where(rng.random(n) < 0.1, np.nan, rng.random(n))
    return pd.DataFrame({"account_id": pd.array(rng.choice(["a", "b", "x"], n), dtype="string[pyarrow]"),
                         "created_at": pd.Timestamp("2026-01-03") + pd.to_timedelta(rng.integers(0, 50 * 24, n), "h"),
                         "sentiment": sentiment, "sentiment_score": score})


@pytest.mark.parametrize("seed", [1, 2])
def test_comment_kpis_equal_the_reference(seed: int) -> None:
    comments = _random_comments(seed)
    accounts = _random_tables(seed)[3]
    for start, end in WINDOWS:
        for table in (comments, comments.iloc[:0], comments[comments["account_id"] == "b"]):
            pd.testing.assert_frame_equal(kpis.comment_kpis(table, accounts, start, end),
                                          reference.comment_kpis(table, accounts, start, end), check_exact=True)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_left_out_notes_equal_the_reference(seed: int) -> None:
    """The totals' notes naming the accounts under the coverage threshold, gathered in one pass, read as the
    per-row search of the code before; with several accounts left out of one KPI, in the board's order."""
    daily, posts, ads, accounts = _random_tables(seed)
    comments = _random_comments(seed)
    for (start, end), label in ((WINDOWS[0], "2026-01"), (WINDOWS[1], "2026-02")):
        for cov in (0.0, 0.9, 1.0):
            current, _ = kpis._period_kpis(daily, posts, ads, accounts, start, end, "impressions", comments, cov)
            board = kpis.attach_targets(current, None, label, "month").rename(columns={"value": "actual"})
            expected = [reference._with_left_out(r, label, board) for r in board.itertuples(index=False)]
            assert kpis._notes_with_left_out(board, label) == expected
            if cov == 1.0:  # 15 % of the days are missing: every account with daily rows is left out somewhere
                assert sum("left out: " in note and ", " in note.split("left out: ")[1] for note in expected) > 0
