"""The year-end review (issue 19): a 4-digit period is a year, the year's targets, indexed growth and shares of the
year's gains, the monthly small multiples, incidents instead of alerts, the period's brand replies, the plan link.

Hand calculations are written next to each test on small frames.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers import config
from helpers.errors import ParameterError
from helpers.periods import parse_period
from helpers.review import session

DEFAULTS = dict(account="own", period_type="month", period="latest", data_dir="", er_base="impressions",
                anomaly_method="stl", anomaly_threshold=3.5, bot_iqr_k=1.5, roas_stop_loss=3.0, ctr_keep=0.05,
                targets_source="data", trend_periods=6, top_n=0, markov_value="share", min_coverage=0.8,
                lang="en")


# --------------------------------------------------------------------------- parameters


def test_a_four_digit_period_is_a_year_and_top_n_0_means_10_for_a_year(sample_dir: Path) -> None:
    checked = session.check_parameters(**{**DEFAULTS, "data_dir": str(sample_dir), "period": "2025"})
    assert checked.period_type == "year" and checked.top_n == 10
    month = session.check_parameters(**{**DEFAULTS, "data_dir": str(sample_dir)})
    assert month.period_type == "month" and month.top_n == 5
    given = session.check_parameters(**{**DEFAULTS, "data_dir": str(sample_dir), "period": "2025", "top_n": 3})
    assert given.top_n == 3


def test_latest_year_is_the_last_complete_calendar_year(sample_dir: Path) -> None:
    # the sample covers 2024-11-01 .. 2026-11-15: 2026 is not complete, 2025 is
    run = session.prepare(**{**DEFAULTS, "data_dir": str(sample_dir), "period_type": "year"})
    assert run.period.label == "2025" and run.period.kind == "year" and run.top_n == 10


def test_a_missing_targets_file_says_what_to_do(sample_dir: Path) -> None:
    with pytest.raises(ParameterError, match="targets_source.*not found.*opsbook run account_plan"):
        session.check_parameters(**{**DEFAULTS, "data_dir": str(sample_dir),
                                    "targets_source": "outputs/account_plan/2999/targets.csv"})


def test_a_targets_path_relative_to_the_project_root_is_found_and_named(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "project"
    (root / "outputs" / "account_plan" / "2027").mkdir(parents=True)
    csv = root / "outputs" / "account_plan" / "2027" / "targets.csv"
    csv.write_text("account_id,kpi,period,target\nown_a,revenue,2027-01,100\n", encoding="utf-8")
    monkeypatch.setattr(config, "ROOT", root)
    monkeypatch.chdir(tmp_path)  # not the root: found through config.ROOT
    targets, note = session.load_targets("outputs/account_plan/2027/targets.csv", tmp_path, {"own_a"})
    assert targets.loc[0, "target"] == 100.0
    assert note == "Targets: outputs/account_plan/2027/targets.csv."


# --------------------------------------------------------------------------- KPI attainment for a year


def test_a_year_without_annual_targets_sums_its_monthly_ones_and_says_so() -> None:
    from helpers.review.kpis import attach_targets

    months = [f"2025-{m:02d}" for m in range(1, 13)]
    targets = pd.DataFrame({"account_id": "A", "kpi": "revenue", "period": months, "target": range(1, 13)})
    targets = pd.concat([targets, pd.DataFrame({"account_id": "A", "kpi": "followers", "period": months,
                                                "target": [100.0 * m for m in range(1, 13)]}),
                         pd.DataFrame({"account_id": "A", "kpi": "impressions", "period": ["2025"],
                                       "target": [5000.0]})], ignore_index=True)
    kpis = pd.DataFrame({"scope": "account", "account_id": "A", "kpi": ["revenue", "followers", "impressions"],
                         "value": [39.0, 1300.0, 4000.0]})
    out = attach_targets(kpis, targets, "2025", "year").set_index("kpi")
    # revenue: 1 + 2 + ... + 12 = 78, attained 39 / 78 = 0.5; followers (a stock): December's 1,200
    assert out.loc["revenue", "target"] == 78 and out.loc["revenue", "attainment"] == pytest.approx(0.5)
    assert out.loc["revenue", "target_source"] == "sum of monthly targets 2025-01 to 2025-12"
    assert out.loc["followers", "target"] == 1200 and "last month" in out.loc["followers", "target_source"]
    # an annual target wins: 4,000 / 5,000
    assert out.loc["impressions", "target_source"] == "2025" and out.loc["impressions", "attainment"] == 0.8


def test_year_period_fixture_is_a_calendar_year() -> None:
    year = parse_period("year", "2025")
    assert (year.start, year.end) == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31"))


# --------------------------------------------------------------------------- growth comparison


def _daily() -> pd.DataFrame:
    """Two accounts, 2024-01-01 .. 2025-03-31; per day in 2025: A gains 10 followers, B gains 5 and loses 10.

    A: 1,000 followers on 2024-12-31; impressions 100/day in Jan 2025, 200 in Feb, 300 in Mar; revenue 10/day
    in 2025 and 5/day in 2024; engagements 1/day. B: 5,000 followers on 2024-12-31; impressions 50/day;
    revenue 30/day in both years; engagements 3/day.
    """
    days = pd.date_range("2024-01-01", "2025-03-31", freq="D")
    in_2025 = days >= "2025-01-01"
    frames = []
    for account, level, gained, lost in (("A", 1000, 10, 0), ("B", 5000, 5, 10)):
        g = pd.Series(gained * in_2025, index=days)
        lo = pd.Series(lost * in_2025, index=days)
        followers = level + (g - lo).cumsum()  # 2024: flat at the level on 2024-12-31
        if account == "A":
            impressions = pd.Series(100 * days.month, index=days).where(in_2025, 100)
            revenue, engagements = pd.Series(10.0 * in_2025 + 5.0 * ~in_2025, index=days), 1
        else:
            impressions, revenue, engagements = pd.Series(50, index=days), pd.Series(30.0, index=days), 3
        frames.append(pd.DataFrame({"date": days, "account_id": account, "followers": followers.to_numpy(),
                                    "followers_gained": g.to_numpy(), "followers_lost": lo.to_numpy(),
                                    "impressions": impressions.to_numpy(), "engagements": engagements,
                                    "revenue": revenue.to_numpy()}))
    return pd.concat(frames, ignore_index=True)


ACCOUNTS = pd.DataFrame({"account_id": ["A", "B"], "platform": ["weibo", "douyin"]})


def test_indexed_growth_by_hand() -> None:
    from helpers.review.growth import indexed_growth

    g = indexed_growth(_daily(), ACCOUNTS, parse_period("quarter", "2025-Q1")).set_index(["kpi", "account_id", "step"])
    jan, feb, mar = pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01"), pd.Timestamp("2025-03-01")
    # followers (a stock) ÷ the level on 2024-12-31: A 1,310 / 1,590 / 1,900 of 1,000; B 4,845 of 5,000 in January
    assert g.loc[("followers", "A", jan), "index"] == pytest.approx(131.0)
    assert g.loc[("followers", "A", feb), "index"] == pytest.approx(159.0)
    assert g.loc[("followers", "A", mar), "index"] == pytest.approx(190.0)
    assert g.loc[("followers", "B", jan), "index"] == pytest.approx(100 * 4845 / 5000)
    # impressions (a flow) ÷ the first month: A 3,100 → 5,600 → 9,300
    assert g.loc[("impressions", "A", jan), "index"] == pytest.approx(100.0)
    assert g.loc[("impressions", "A", feb), "index"] == pytest.approx(100 * 5600 / 3100)
    assert g.loc[("impressions", "A", mar), "index"] == pytest.approx(300.0)
    assert g.loc[("impressions", "B", feb), "value"] == 50 * 28
    assert len(g) == 3 * 2 * 3  # 3 KPIs × 2 accounts × 3 months


def test_a_month_is_indexed_by_day() -> None:
    from helpers.review.growth import indexed_growth

    g = indexed_growth(_daily(), ACCOUNTS, parse_period("month", "2025-02"), kpis=("followers",))
    a = g[g["account_id"] == "A"].reset_index(drop=True)
    # 2025-01-31: 1,310 followers = 100; 2025-02-01: 1,320; 2025-02-28: 1,590
    assert len(a) == 28 and a.loc[0, "index"] == pytest.approx(100 * 1320 / 1310)
    assert a.loc[27, "index"] == pytest.approx(100 * 1590 / 1310)


def test_shares_of_the_gains_by_hand() -> None:
    from helpers.review.growth import gain_shares

    s = gain_shares(_daily(), None, None, ACCOUNTS, parse_period("quarter", "2025-Q1")).set_index(["kpi", "account_id"])
    # net follower change over 90 days: A +900, B −450; total +450 → A 200 %, B −100 %
    assert s.loc[("net_follower_change", "A"), "value"] == 900
    assert s.loc[("net_follower_change", "A"), "share"] == pytest.approx(2.0)
    assert s.loc[("net_follower_change", "B"), "share"] == pytest.approx(-1.0)
    # revenue: A 900, B 2,700 → 25 % / 75 %; last year (2024-Q1, 91 days): A 455, B 2,730
    assert s.loc[("revenue", "A"), "share"] == pytest.approx(0.25)
    assert s.loc[("revenue", "A"), "last_year"] == 455
    assert s.loc[("revenue", "A"), "change_vs_last_year"] == pytest.approx((900 - 455) / 455)
    assert s.loc[("revenue", "B"), "change_vs_last_year"] == pytest.approx((2700 - 2730) / 2730)
    assert s.loc[("engagements", "B"), "share"] == pytest.approx(0.75)
    # last year's net change was 0 on both: no relative change (never ±inf)
    assert s.loc[("net_follower_change", "A"), "last_year"] == 0
    assert pd.isna(s.loc[("net_follower_change", "A"), "change_vs_last_year"])


def test_last_year_not_covered_by_the_data_is_missing_not_a_fall() -> None:
    from helpers.review.growth import gain_shares

    late = _daily()
    late = late[late["date"] >= "2024-02-01"]  # 2024-Q1 only partly covered
    s = gain_shares(late, None, None, ACCOUNTS, parse_period("quarter", "2025-Q1"))
    assert s["last_year"].isna().all() and s["change_vs_last_year"].isna().all()


def test_growth_sentence_names_the_platform_that_grew_most_and_its_share() -> None:
    from helpers import i18n
    from helpers.review import findings
    from helpers.review.growth import review_growth

    i18n.set_language("en")
    growth = review_growth(_daily(), None, None, ACCOUNTS, parse_period("quarter", "2025-Q1"))
    text = findings.growth_text(growth, ACCOUNTS)
    assert text.startswith("Grew most: Weibo (A), +900 followers, 200.0% of the net follower change")
    assert "followers index 190" in text
    # the fixture has no last year: no comparison is written, rather than a dash
    assert "same period last year" not in text and "–" not in text
    i18n.set_language("zh-CN")
    assert "微博" in findings.growth_text(growth, ACCOUNTS)
    i18n.set_language("en")


# --------------------------------------------------------------------------- monthly small multiples


def test_monthly_trend_is_each_month_of_a_quarter_with_its_target_and_nothing_for_a_month() -> None:
    from helpers.review.kpis import monthly_trend

    targets = pd.DataFrame({"account_id": ["A", "A"], "kpi": ["impressions", "impressions"],
                            "period": ["2025-02", "2025-Q1"], "target": [6000.0, 1.0]})
    m = monthly_trend(_daily(), None, None, ACCOUNTS, targets, parse_period("quarter", "2025-Q1"),
                      kpi_names=("impressions", "followers"))
    a = m[(m["account_id"] == "A") & (m["kpi"] == "impressions")].set_index("period")
    assert list(a.index) == ["2025-01", "2025-02", "2025-03"]
    assert list(a["value"]) == [3100, 5600, 9300]          # 100 × 31, 200 × 28, 300 × 31
    assert a["target"].isna().tolist() == [True, False, True] and a.loc["2025-02", "target"] == 6000
    f = m[(m["account_id"] == "B") & (m["kpi"] == "followers")]
    assert list(f["value"]) == [4845, 4705, 4550]          # 5,000 − 5 × 31, − 5 × 59, − 5 × 90
    assert monthly_trend(_daily(), None, None, ACCOUNTS, targets, parse_period("month", "2025-02")).empty


def test_monthly_charts_draw_one_panel_per_kpi_with_target_markers() -> None:
    from helpers.review import charts
    from helpers.review.kpis import monthly_trend

    targets = pd.DataFrame({"account_id": "A", "kpi": "revenue", "period": ["2025-01", "2025-02", "2025-03"],
                            "target": [300.0, 280.0, 310.0]})
    m = monthly_trend(_daily(), None, None, ACCOUNTS, targets, parse_period("quarter", "2025-Q1"),
                      kpi_names=("impressions", "engagements", "engagement_rate", "revenue", "followers"))
    figures = charts.monthly_charts(m, {})
    fig = figures["monthly_trends"]
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 5 and len(fig.axes) == 8
    revenue = next(ax for ax in visible if ax.get_title() == "revenue")
    assert len(revenue.collections) == 1 and len(revenue.collections[0].get_offsets()) == 3  # A's 3 targets
    assert charts.monthly_charts(m.iloc[0:0], {}) == {}


# --------------------------------------------------------------------------- reputation


def test_net_sentiment_is_a_signed_index_and_a_negative_share_a_percentage() -> None:
    from helpers.review.words import fmt_kpi_change, fmt_value

    assert fmt_value(0.1, "index") == "+0.10" and fmt_value(-0.054, "index") == "−0.05"
    assert fmt_kpi_change("index", 0.5, 0.03) == "+0.03"
    from helpers.review.kpis import KPIS

    assert KPIS["net_sentiment"].unit == "index" and KPIS["negative_share"].unit == "rate"


def test_incident_peaks_are_the_alert_with_the_highest_z_inside_each_incident() -> None:
    from helpers.review.reputation import incident_peaks

    found = pd.DataFrame({"account_id": ["A", "B"], "start": pd.to_datetime(["2025-06-01 10:00", "2025-06-01 00:00"]),
                          "end": pd.to_datetime(["2025-06-02 12:00", "2025-06-02 00:00"])})
    alerts = pd.DataFrame({"account_id": ["A", "A", "A", "B"],
                           "start": pd.to_datetime(["2025-06-01 10:00", "2025-06-02 11:00", "2025-06-03 09:00",
                                                    "2025-06-01 00:00"]),
                           "z": [4.0, 7.5, 9.9, 3.6]})  # A's 09:00 on 06-03 is after the incident's end
    peaks = incident_peaks(found, alerts)
    assert list(peaks["peak_at"]) == [pd.Timestamp("2025-06-02 11:00"), pd.Timestamp("2025-06-01")]
    assert list(peaks["peak_z"]) == [7.5, 3.6]


def test_plan_link_points_to_next_years_plan_or_gives_the_command(tmp_path: Path, monkeypatch) -> None:
    from helpers.review.findings import plan_link_text

    monkeypatch.setattr(config, "OUTPUTS", tmp_path / "elsewhere")
    review_dir = tmp_path / "out" / "period_review" / "2025"
    review_dir.mkdir(parents=True)
    year = parse_period("year", "2025")
    assert plan_link_text(year, review_dir) == ("Next year's plan: not made yet. Make it with "
                                                "`opsbook run account_plan -p plan_year 2026`.")
    plan = tmp_path / "out" / "account_plan" / "2026" / "report.html"
    plan.parent.mkdir(parents=True)
    plan.write_text("<html></html>", encoding="utf-8")
    assert plan_link_text(year, review_dir) == ("Next year's plan: [account plan 2026]"
                                                "(../../account_plan/2026/report.html).")
    assert plan_link_text(parse_period("month", "2025-10"), review_dir) == ""
