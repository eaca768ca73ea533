"""KOL vetting steps (helpers.kol.analysis): what each KOL's data covers, counted by hand on a small folder
written here; the recent-posts window at its edges; the sample's planted cases found end to end; and
summary.json holding every KOL's decision and scores.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from helpers.kol import analysis, findings, session
from helpers.report import to_jsonable
from helpers.sample import PLANTED
from kol_steps import all_steps, notebook_defaults

DEFAULTS = notebook_defaults()
AS_OF = "2026-03-31"

# --------------------------------------------------------------------------- a small folder, counted by hand

ACCOUNTS = """account_id,platform,name,owner
own_xhs,xiaohongshu,青柠·小红书,own
own_douyin,douyin,青柠·抖音,own
"""
KOLS = """kol_id,platform,name,followers,category,price
k1,xiaohongshu,小A,100000,护肤,5000
k2,douyin,小B,200000,美妆,8000
k3,xiaohongshu,小C,50000,美妆,
"""
# as_of 2026-03-31, recent_days 14: posts published 2026-03-18 00:00 .. 2026-03-31 23:59 count.
POSTS = """post_id,kol_id,published_at,likes,comments,shares,saves,is_sponsored,campaign,cost
p1,k1,2026-03-31T23:30:00,500,20,10,40,False,,
p2,k1,2026-03-18T00:05:00,300,10,5,20,True,,
p3,k1,2026-03-17T23:59:00,400,15,8,30,False,,
p4,k1,2026-04-01T00:00:00,450,18,9,35,False,,
p5,k1,2026-03-25T12:00:00,520,22,11,41,,,
q1,k2,2026-03-20T10:00:00,900,40,20,80,False,c1,6000
q2,k2,2026-02-01T10:00:00,800,30,15,60,True,c0,5000
q3,k2,2026-03-30T09:00:00,1000,45,25,90,False,,
r1,k3,2026-01-10T08:00:00,100,5,2,8,False,,
r2,k3,2026-04-02T08:00:00,120,6,3,9,True,c9,900
"""
# k1: p1 (age 0), p2 (age 13, sponsored), p5 (age 6) → 3 recent, 1 sponsored; p3 is 14 days old, p4 after as_of.
# k2: q1 (booked: sponsored), q3 → 2 recent, 1 sponsored; booked q1 and q2 (old) → 2; k3: none recent, r2 after as_of.
DAILY = """kol_id,date,followers
k1,2026-03-27,99000
k1,2026-03-28,99200
k1,2026-03-29,99500
k1,2026-03-30,99800
k1,2026-03-31,100000
k2,2026-03-29,199000
k2,2026-03-30,199500
k2,2026-03-31,200000
"""
FOLLOWERS = """kol_id,follower_id,has_avatar,posts,followers,following,created_at
k1,u1,True,12,30,80,2024-01-05
k1,u2,False,0,0,1500,2026-03-20
k1,u3,True,3,10,200,2023-06-01
k1,u4,False,0,1,900,2026-02-28
"""
AUDIENCE = """kol_id,dimension,bucket,share
k1,gender,女,0.8
k1,gender,男,0.2
k1,age_band,18-24,0.5
k1,age_band,25-30,0.5
k3,interests,护肤,0.6
k3,interests,彩妆,0.4
"""


def _write(folder: Path, **tables: str) -> Path:
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def _run(folder: Path, **changes: Any) -> session.KolRun:
    return session.prepare(**{**DEFAULTS, "data_dir": str(folder), "as_of": AS_OF, "recent_days": 14, **changes})


@pytest.fixture
def with_history(tmp_path: Path) -> Path:
    """Required tables, follower history and a follower sample (for k1 only); no audience shares."""
    return _write(tmp_path, accounts=ACCOUNTS, kols=KOLS, kol_posts=POSTS, kol_daily=DAILY, kol_followers=FOLLOWERS)


@pytest.fixture
def with_audience(tmp_path: Path) -> Path:
    """Required tables and audience shares (k1: 2 dimensions, k3: 1); no history, no follower sample."""
    return _write(tmp_path, accounts=ACCOUNTS, kols=KOLS, kol_posts=POSTS, kol_audience=AUDIENCE)


def test_recent_posts_take_as_of_and_the_days_before_it_not_more(with_history: Path) -> None:
    run = _run(with_history)
    assert sorted(analysis.recent_posts(run)["post_id"]) == ["p1", "p2", "p5", "q1", "q3"]
    # one day wider: p3 (published 14 days before as_of, a minute before midnight) comes in
    assert "p3" in set(analysis.recent_posts(_run(with_history, recent_days=15))["post_id"])
    # p4 (00:00 the day after as_of) is never read
    assert "p4" not in set(_run(with_history).posts["post_id"])


def test_coverage_counts_with_history_and_a_follower_sample(with_history: Path) -> None:
    table = analysis.coverage(_run(with_history)).set_index("kol_id")
    expected = pd.DataFrame({
        "kol_id": ["k1", "k2", "k3"], "platform": ["xiaohongshu", "douyin", "xiaohongshu"],
        "category": ["护肤", "美妆", "美妆"], "followers": [100000.0, 200000.0, 50000.0],
        "price": [5000.0, 8000.0, np.nan], "recent_posts": [3, 2, 0], "sponsored_posts": [1, 1, 0],
        "history_days": [5.0, 3.0, 0.0], "sampled_followers": [4.0, 0.0, 0.0],
        "audience_dimensions": [np.nan] * 3, "booked_posts": [0, 2, 0]}).set_index("kol_id")
    pd.testing.assert_frame_equal(table[expected.columns], expected, check_dtype=False)


def test_coverage_tells_an_absent_table_from_a_kol_without_rows(with_audience: Path) -> None:
    table = analysis.coverage(_run(with_audience)).set_index("kol_id")
    assert table["history_days"].isna().all()  # no kol_daily.csv: missing
    assert table["sampled_followers"].isna().all()  # no kol_followers.csv: missing
    assert table["audience_dimensions"].tolist() == [2.0, 0.0, 1.0]  # present; k2 has no rows: 0


def test_coverage_line_names_the_gaps_counted_by_hand(with_audience: Path) -> None:
    run = _run(with_audience)
    line = findings.coverage_line(analysis.coverage(run), run)
    # no follower sample: all 3 (table absent); no audience shares: k2; no price: k3
    assert line == ("3 KOLs screened as of Mar 31, 2026 (2 on Xiaohongshu, 1 on Douyin); posts of the 14 days before "
                    "count. Gaps: 3 with no follower sample, 1 with no audience shares, 1 with no price.")


def test_follower_history_after_as_of_is_not_read(tmp_path: Path) -> None:
    later = DAILY + "k1,2026-04-01,100300\nk1,2026-04-02,100600\n"
    folder = _write(tmp_path, accounts=ACCOUNTS, kols=KOLS, kol_posts=POSTS, kol_daily=later)
    table = analysis.coverage(_run(folder)).set_index("kol_id")
    assert table.loc["k1", "history_days"] == 5  # 2026-03-27 .. 2026-03-31


# --------------------------------------------------------------------------- the sample's planted cases


@pytest.fixture(scope="module")
def steps(sample_dir: Path) -> dict[str, Any]:
    """Every step on the sample with the notebook's defaults, once."""
    return all_steps(session.prepare(**DEFAULTS))


def _row(steps: dict[str, Any], kol_id: str) -> pd.Series:
    return steps["ranked"].table.set_index("kol_id").loc[kol_id]


def _codes(row: pd.Series) -> list[str]:
    return str(row["reasons"]).split(";")


def test_the_bought_follower_account_is_rejected_on_its_follower_sample(steps: dict[str, Any]) -> None:
    row = _row(steps, PLANTED.kol_fake_id)
    assert row["decision"] == "reject" and _codes(row)[0] == "fake_above"
    assert row["fake_basis"] == "follower sample"
    # 165 of 300 sampled profiles are empty: the estimate is near 55 % and its interval excludes 30 %
    assert row["fake_share"] == pytest.approx(PLANTED.kol_fake_share, abs=0.05)
    assert row["fake_low"] > DEFAULTS["fake_threshold"]
    sample = steps["fake"].sample.set_index("kol_id").loc[PLANTED.kol_fake_id]
    assert sample["n"] == 300


def test_the_bought_follower_jumps_are_found_in_its_history(steps: dict[str, Any]) -> None:
    jumps = steps["fake"].jumps
    found = set(jumps.loc[(jumps["kol_id"] == PLANTED.kol_fake_id) & jumps["unexplained"], "date"].dt.strftime(
        "%Y-%m-%d"))
    assert set(PLANTED.kol_fake_jump_days) <= found


def test_the_mismatched_audience_is_rejected_on_fit_only(steps: dict[str, Any]) -> None:
    row = _row(steps, PLANTED.kol_mismatch_id)
    assert row["decision"] == "reject" and _codes(row)[0] == "fit_below"
    assert "fake_above" not in _codes(row) and "rate_below" not in _codes(row)
    assert row["fit"] < DEFAULTS["min_fit"]
    gender = steps["fit"].similarity.query("kol_id == @PLANTED.kol_mismatch_id and dimension == 'gender'")
    assert gender["similarity"].iloc[0] == pytest.approx(PLANTED.kol_mismatch_gender_fit, abs=0.1)


def test_the_real_mid_tier_kol_is_accepted(steps: dict[str, Any]) -> None:
    row = _row(steps, PLANTED.kol_real_mid_id)
    assert row["decision"] == "accept" and row["reasons"] == "all_pass"
    assert row["rate"] == pytest.approx(PLANTED.kol_real_mid_rate, rel=0.25)
    assert row["cpa_ratio"] == pytest.approx(PLANTED.kol_real_mid_cpa_ratio, rel=0.25)
    summary = steps["ranked"].table
    assert PLANTED.kol_real_mid_id in set(summary.loc[summary["decision"] == "accept", "kol_id"])


def test_the_expensive_kol_is_negotiated_down_to_a_break_even_price_below_its_quote(steps: dict[str, Any]) -> None:
    row = _row(steps, PLANTED.kol_expensive_id)
    assert row["decision"] == "negotiate" and row["reasons"] == "cpa_above"
    assert row["cpa_ratio"] > DEFAULTS["cpa_ratio_max"]
    assert row["cpa_ratio"] == pytest.approx(PLANTED.kol_expensive_cpa_ratio, rel=0.35)
    # at the break-even price the expected CPA is cpa_ratio_max × the feed CPA: price × (max / ratio)
    assert row["break_even_price"] < row["price"]
    assert row["break_even_price"] == pytest.approx(row["price"] * DEFAULTS["cpa_ratio_max"] / row["cpa_ratio"],
                                                    rel=1e-6)


def test_the_small_follower_sample_is_borderline(steps: dict[str, Any]) -> None:
    row = _row(steps, PLANTED.kol_borderline_id)
    assert "fake_borderline" in _codes(row) and row["decision"] == "negotiate"
    # 18 of 60: the point is at the limit, the interval reaches well above it
    assert row["fake_share"] <= DEFAULTS["fake_threshold"] < row["fake_high"]


def test_the_rebook_calls_of_the_planted_bookings(steps: dict[str, Any]) -> None:
    booked = steps["booked"].set_index("campaign")
    assert set(booked.index) == set(PLANTED.kol_bookings)
    over = booked.loc[PLANTED.kol_overdelivered]
    assert over["delivery"] == "above" and bool(over["rebook"]) and over["roi"] >= DEFAULTS["rebook_roi"]
    under = booked.loc[PLANTED.kol_underdelivered]
    assert under["delivery"] == "below" and not bool(under["rebook"]) and under["roi"] < 1


def test_the_screens_use_the_window_and_run_as_of(steps: dict[str, Any]) -> None:
    run, spend = steps["run"], steps["spend"]
    assert run.as_of == pd.Timestamp("2026-11-14")
    assert spend.feed_start == pd.Timestamp("2026-08-17")  # 90 days: 2026-08-17 .. 2026-11-14
    ads = pd.read_csv(run.settings.data_dir / "ad_daily.csv", parse_dates=["date"])
    window = ads[(ads["date"] >= "2026-08-17") & (ads["date"] <= "2026-11-14") & (ads["channel"] == "douyin_feed")]
    feed = spend.feed.set_index("platform").loc["douyin"]
    assert feed["cpa"] == pytest.approx(window["spend"].sum() / window["conversions"].sum())


def test_a_past_as_of_does_not_see_later_follower_jumps(sample_dir: Path) -> None:
    run = session.prepare(**{**DEFAULTS, "as_of": "2026-08-20"})
    jumps = analysis.authenticity(run).jumps
    assert jumps is not None
    days = set(jumps.loc[jumps["kol_id"] == PLANTED.kol_fake_id, "date"].dt.strftime("%Y-%m-%d"))
    assert days == {"2026-08-07"}  # the only planted jump on or before as_of


def test_summary_holds_every_kol_and_is_json(steps: dict[str, Any]) -> None:
    s = steps
    raw = findings.summary(s["run"], s["coverage"], s["fake"], s["rates"], s["fit"], s["spend"], s["ranked"],
                           s["booked"])
    data = json.loads(json.dumps(to_jsonable(raw), allow_nan=False))
    kols = set(s["run"].kol_ids)
    assert len(kols) == 40 and set(data["kols"]) == kols
    assert {r["kol_id"] for r in data["scores"]} == kols
    decided = [k for d in ("accept", "negotiate", "reject") for k in data["decisions"][d]]
    assert sorted(decided) == sorted(kols)  # each KOL in exactly one decision
    assert PLANTED.kol_fake_id in data["decisions"]["reject"]
    assert PLANTED.kol_mismatch_id in data["decisions"]["reject"]
    assert PLANTED.kol_real_mid_id in data["decisions"]["accept"]
    assert {r["kol_id"] for r in data["shortlist"]} == set(data["decisions"]["accept"])
    scores = {r["kol_id"]: r for r in data["scores"]}
    for part in ("part_fit", "part_interaction", "part_authenticity", "part_cost", "score", "rank", "reasons"):
        assert part in scores[PLANTED.kol_real_mid_id]
    assert data["as_of"] == "2026-11-14" and data["thresholds"]["fake_share"] == 0.30
    assert {r["campaign"] for r in data["after_campaign"]} == set(PLANTED.kol_bookings)
