"""Coverage in the period review (issue 21): days with data per account KPI, "insufficient data", totals over
the accounts covered in both periods, and the gaps in summary.json, on small tables worked out by hand.

The fixture: two accounts, A (weibo) and B (douyin), daily rows from 2026-09-01 to 2026-10-31 with constant
values: A 1,000 impressions and 10 followers gained a day (followers 5,000 on Aug 31 + 10 a day), B 200
impressions a day (followers 2,000 + 5 a day); each posts once a day at noon. Each test removes days of B.
Targets for October: A impressions 31,000, B impressions 6,200, B posts 31.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.errors import ParameterError
from helpers.periods import parse_period
from helpers.review import findings
from helpers.review.kpis import compute_kpis, covered, scorecard

OCT = parse_period("month", "2026-10")


@pytest.fixture
def accounts() -> pd.DataFrame:
    return pd.DataFrame({"account_id": ["A", "B"], "platform": ["weibo", "douyin"],
                         "name": ["Lime·Weibo", "Lime·Douyin"]})


def _daily(drop_b: list[str] | None = None) -> pd.DataFrame:
    days = pd.date_range("2026-09-01", "2026-10-31")
    n = (days - pd.Timestamp("2026-08-31")).days
    a = pd.DataFrame({"date": days, "account_id": "A", "followers": 5000.0 + 10 * n, "impressions": 1000.0})
    b = pd.DataFrame({"date": days, "account_id": "B", "followers": 2000.0 + 5 * n, "impressions": 200.0})
    b = b[~b["date"].isin(pd.to_datetime(drop_b or []))]
    return pd.concat([a, b], ignore_index=True)


def _posts(drop_b: list[str] | None = None) -> pd.DataFrame:
    days = pd.date_range("2026-09-01 12:00", "2026-10-31 12:00")
    frame = pd.concat([pd.DataFrame({"account_id": acc, "published_at": days}) for acc in ("A", "B")],
                      ignore_index=True)
    frame = frame[~((frame["account_id"] == "B") & frame["published_at"].dt.normalize().isin(
        pd.to_datetime(drop_b or [])))]
    return frame.assign(post_id=[f"p{i}" for i in range(len(frame))])


def _days(first: str, last: str) -> list[str]:
    return [f"{d:%Y-%m-%d}" for d in pd.date_range(first, last)]


TARGETS = pd.DataFrame({"account_id": ["A", "B", "B"], "kpi": ["impressions", "impressions", "posts_published"],
                        "period": "2026-10", "target": [31000.0, 6200.0, 31.0]})


def row(board: pd.DataFrame, account: str, kpi: str) -> pd.Series:
    [i] = board.index[(board["account_id"] == account) & (board["kpi"] == kpi)]
    return board.loc[i]


def test_threshold_is_at_least_the_share_of_days_rounded_up() -> None:
    # 0.8 of 30 days = 24 days (exactly at the threshold: covered); of 31 days 24.8 → 25 days
    assert covered(24, 30, 0.8) and not covered(23, 30, 0.8)
    assert covered(25, 31, 0.8) and not covered(24, 31, 0.8)
    assert not covered(0, 31, 0.0)  # no day is never covered, whatever the threshold
    assert covered(math.nan, math.nan, 0.8)  # a KPI without day coverage (a total)


def test_account_with_no_day_in_the_period_is_missing_not_zero(accounts) -> None:
    gone = _days("2026-10-01", "2026-10-31")
    board = scorecard(_daily(gone), _posts(gone), None, accounts, TARGETS, OCT)
    posts = row(board, "B", "posts_published")
    # no account_daily row and no post in October: the posts table speaks for none of B's days
    assert math.isnan(posts["actual"]) and posts["status"] == "missing" and posts["coverage"] == "0/31 days"
    assert math.isnan(posts["attainment"])
    imp = row(board, "B", "impressions")
    assert math.isnan(imp["actual"]) and imp["status"] == "missing" and bool(imp["gap"])
    # the total sums A only: 31 × 1,000; its target A's 31,000 (not + B's 6,200); its change compares A with A:
    # September A 30 × 1,000 per day 1,000 → October 1,000 a day: 0 %, not (31,000 vs 30,000 + 6,000) per day
    total = row(board, "total", "impressions")
    assert total["actual"] == 31000 and total["target"] == 31000 and total["coverage"] == "1/2 accounts"
    assert total["previous"] == 30000 and total["change_pct"] == pytest.approx(0.0)
    assert "left out: B (0/31 days in 2026-10)" in total["note"]
    # followers (a stock): A 5,000 + 10 × 61 = 5,610 on Oct 31 vs 5,000 + 10 × 30 = 5,300 on Sep 30
    followers = row(board, "total", "followers")
    assert followers["actual"] == 5610 and followers["previous"] == 5300
    assert followers["change_pct"] == pytest.approx(5610 / 5300 - 1)  # +5.8 %, not 5,610 / (5,300 + 2,150) − 1


def test_account_with_three_days_is_insufficient_data_not_a_miss(accounts) -> None:
    gone = _days("2026-10-04", "2026-10-31")  # B keeps Oct 1–3 in account_daily, all its posts
    board = scorecard(_daily(gone), _posts(), None, accounts, TARGETS, OCT)
    imp = row(board, "B", "impressions")
    # 3 × 200 = 600, shown, but not 600 / 6,200 = 9.7 % of target: no attainment, no change, no verdict
    assert imp["actual"] == 600 and imp["coverage"] == "3/31 days"
    assert imp["status"] == "insufficient data" and math.isnan(imp["attainment"]) and math.isnan(imp["change_pct"])
    assert "3/31 days" in imp["status_reason"] and "80%" in imp["status_reason"]
    # posts: covered days = B's account_daily days (Oct 1–3) ∪ its post days (all 31) = 31: 31 posts, on target
    posts = row(board, "B", "posts_published")
    assert posts["actual"] == 31 and posts["coverage"] == "31/31 days" and posts["status"] == "healthy"
    total = row(board, "total", "impressions")
    assert total["actual"] == 31000 and total["coverage"] == "1/2 accounts" and total["target"] == 31000
    assert "left out: B (3/31 days in 2026-10)" in total["note"]
    # the verdict counts A impressions (healthy) and B posts (healthy): 2 of 2; B impressions said apart
    text, status = findings.verdict(board)
    assert text == ("2 of 2 account KPIs with a target met it; 0 at risk (under 90%), 0 on watch. "
                    "1 more with a target has insufficient data and is not judged.")
    assert status == "healthy"


def test_posts_of_an_uncovered_account_read_missing_without_posts_and_without_daily_rows(accounts) -> None:
    # B's posts stop on Oct 20 while its account_daily is whole: a real posting gap, so 20 posts counted (31 days)
    board = scorecard(_daily(), _posts(_days("2026-10-21", "2026-10-31")), None, accounts, TARGETS, OCT)
    posts = row(board, "B", "posts_published")
    assert posts["actual"] == 20 and posts["coverage"] == "31/31 days" and posts["status"] == "at risk"
    assert posts["attainment"] == pytest.approx(20 / 31)
    # with neither daily rows nor posts after Oct 10: 10/31 days, insufficient, 10 posts shown
    gone = _days("2026-10-11", "2026-10-31")
    board = scorecard(_daily(gone), _posts(gone), None, accounts, TARGETS, OCT)
    posts = row(board, "B", "posts_published")
    assert posts["actual"] == 10 and posts["coverage"] == "10/31 days" and posts["status"] == "insufficient data"
    total = row(board, "total", "posts_published")
    assert total["actual"] == 31 and total["target"] != total["target"]  # A only; A has no posts target: NaN


def test_threshold_edge_and_parameter(accounts) -> None:
    # B keeps 25 of 31 October days (0.8 × 31 = 24.8 → 25): covered; 24 days: not
    at_edge = scorecard(_daily(_days("2026-10-26", "2026-10-31")), _posts(), None, accounts, TARGETS, OCT)
    assert row(at_edge, "B", "impressions")["coverage"] == "25/31 days"
    assert row(at_edge, "B", "impressions")["status"] == "at risk"  # 25 × 200 = 5,000 of 6,200 = 80.6 %
    assert row(at_edge, "total", "impressions")["actual"] == 31000 + 5000
    under = scorecard(_daily(_days("2026-10-25", "2026-10-31")), _posts(), None, accounts, TARGETS, OCT)
    assert row(under, "B", "impressions")["status"] == "insufficient data"
    lenient = scorecard(_daily(_days("2026-10-25", "2026-10-31")), _posts(), None, accounts, TARGETS, OCT,
                        min_coverage=0.5)
    assert row(lenient, "B", "impressions")["status"] == "at risk"  # 24 × 200 = 4,800 of 6,200
    with pytest.raises(ParameterError, match="min_coverage"):
        scorecard(_daily(), _posts(), None, accounts, TARGETS, OCT, min_coverage=1.5)


def test_total_change_compares_only_accounts_covered_in_both_periods(accounts) -> None:
    # B misses September 1–20 (10/30 days) but has all of October
    board = scorecard(_daily(_days("2026-09-01", "2026-09-20")), _posts(), None, accounts, TARGETS, OCT)
    total = row(board, "total", "impressions")
    # actual: both accounts, 31 × 1,000 + 31 × 200 = 37,200 (2/2 accounts)
    assert total["actual"] == 37200 and total["coverage"] == "2/2 accounts"
    # change over A alone, per day: October 31,000 / 31 = 1,000 vs September 30,000 / 30 = 1,000 → 0 %
    # (with B's 10 September days counted: (37,200 / 31) / ((30,000 + 2,000) / 30) − 1 = +12.5 %)
    assert total["previous"] == 30000 and total["change_pct"] == pytest.approx(0.0)
    assert "change vs 2026-09 over the accounts covered in both; left out: B (10/30 days in 2026-09)" in total["note"]
    b = row(board, "B", "impressions")  # B's own September is under the threshold: no comparison
    assert math.isnan(b["previous"]) and math.isnan(b["change_pct"]) and b["status"] == "healthy"


def test_coverage_gaps_in_summary_json_and_summary_line(accounts) -> None:
    gone = _days("2026-10-04", "2026-10-31")
    board = scorecard(_daily(gone), _posts(gone), None, accounts, TARGETS, OCT)
    gaps = findings.coverage_gaps(board)
    # account_daily: followers, net follower change, growth rate and impressions on Oct 1–3; posts the same 3 days
    assert gaps == [
        {"account_id": "B", "table": "account_daily",
         "kpis": ["followers", "net_follower_change", "follower_growth_rate", "impressions"],
         "days_covered": 3, "days_in_period": 31, "status": "insufficient data", "left_out_of_totals": True},
        {"account_id": "B", "table": "posts", "kpis": ["posts_published"], "days_covered": 3, "days_in_period": 31,
         "status": "insufficient data", "left_out_of_totals": True}]
    assert findings.coverage_gaps_text(board, accounts) == (
        "Coverage gaps: Lime·Douyin (daily metrics 3/31 days, post data 3/31 days). These KPIs are not judged "
        "(insufficient data, no attainment) and are left out of totals.")
    assert findings.coverage_gaps(scorecard(_daily(), _posts(), None, accounts, TARGETS, OCT)) == []


def test_coverage_line_in_chinese(accounts) -> None:
    from helpers import i18n

    gone = _days("2026-10-01", "2026-10-31")
    board = scorecard(_daily(gone), _posts(gone), None, accounts, TARGETS, OCT)
    with i18n.use_language("zh-CN"):
        text = findings.coverage_gaps_text(board, accounts)
    assert text == ("数据覆盖不足：Lime·Douyin（每日数据 0/31 天、发布数据 0/31 天）。这些指标数据不足，不计达成率、"
                    "不作判断，也不计入合计。")


def test_ads_of_an_account_without_ads_are_not_a_gap(accounts) -> None:
    # ad_daily with A only: B runs no ads (no value, no coverage, not listed as a gap)
    ads = pd.DataFrame({"date": pd.date_range("2026-09-01", "2026-10-31"), "account_id": "A", "spend": 10.0,
                        "revenue": 40.0})
    board = scorecard(_daily(), _posts(), ads, accounts, TARGETS, OCT)
    assert row(board, "B", "ad_spend")["coverage"] == "" and not bool(row(board, "B", "ad_spend")["gap"])
    assert row(board, "A", "ad_spend")["actual"] == 310 and row(board, "A", "ad_spend")["coverage"] == "31/31 days"
    assert findings.coverage_gaps(board) == []
    # compute_kpis keeps its old totals (min_coverage 0): every account with data
    k = compute_kpis(_daily(_days("2026-10-04", "2026-10-31")), _posts(), ads, accounts, "2026-10-01", "2026-10-31")
    assert k.loc[(k["account_id"] == "total") & (k["kpi"] == "impressions"), "value"].item() == 31000 + 600


def test_cli_run_without_xiaohongshu_in_october(tmp_path, sample_dir) -> None:
    """End to end: own_xhs's October rows dropped from account_daily and posts (the issue's case)."""
    import json
    import shutil

    from cli_run import opsbook

    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    for name, column in (("account_daily.csv", "date"), ("posts.csv", "published_at")):
        frame = pd.read_csv(data / name, dtype=str, keep_default_na=False)
        gone = (frame["account_id"] == "own_xhs") & frame[column].str.startswith("2026-10")
        frame[~gone].to_csv(data / name, index=False)
    result = opsbook("run", "period_review", "--data", data, "--period", "2026-10", "--out", tmp_path / "out",
                     "-p", "lang", "en", "--quiet")
    assert result.returncode == 0, result.stderr[-3000:]
    folder = tmp_path / "out" / "period_review" / "2026-10"
    board = pd.read_csv(folder / "tables" / "scorecard.csv")
    posts = row(board, "own_xhs", "posts_published")
    assert math.isnan(posts["actual"]) and posts["status"] == "missing" and posts["coverage"] == "0/31 days"
    daily = pd.read_csv(sample_dir / "account_daily.csv")
    others = daily[daily["account_id"].isin(["own_douyin", "own_wechat", "own_weibo"])]
    sep30 = others[others["date"] == "2026-09-30"]["followers"].sum()
    oct31 = others[others["date"] == "2026-10-31"]["followers"].sum()
    followers = row(board, "total", "followers")
    # the three accounts with October data, compared with the same three in September (a stock: last days)
    assert followers["actual"] == oct31 and followers["previous"] == sep30 and followers["coverage"] == "3/4 accounts"
    assert followers["change_pct"] == pytest.approx(oct31 / sep30 - 1)
    assert "left out: own_xhs (0/31 days in 2026-10)" in followers["note"]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert [(g["account_id"], g["table"], g["days_covered"], g["status"]) for g in summary["coverage_gaps"]] == [
        ("own_xhs", "account_daily", 0, "missing"), ("own_xhs", "posts", 0, "missing")]
    assert summary["kpis"]["own_xhs"]["posts_published"]["status"] == "missing"
    assert "insufficient data and are not judged" in summary["headline"]["verdict"]
    report = (folder / "report.html").read_text(encoding="utf-8")
    assert "Coverage gaps:" in report and "daily metrics 0/31 days" in report
