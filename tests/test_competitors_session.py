"""helpers.competitors.session: parameter checks, account and window choice, fair engagement, data notes."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.competitors.session import (
    comparable_components,
    prepare,
    rate_posts,
    resolve_window,
    select_competitors,
    select_own_account,
)
from helpers.data import DataWarning
from helpers.errors import DataError, ParameterError
from helpers.sample import PLANTED

TABLES = ("accounts", "account_daily", "posts")


@pytest.fixture
def accounts() -> pd.DataFrame:
    return pd.DataFrame({
        "account_id": ["own_dy", "own_xhs", "c1_dy", "c2_dy", "c3_dy", "c1_xhs"],
        "platform": ["douyin", "xiaohongshu", "douyin", "douyin", "douyin", "xiaohongshu"],
        "name": ["我们·抖音", "我们·小红书", "甲·抖音", "乙·抖音", "丙·抖音", "甲·小红书"],
        "owner": ["own", "own", "competitor", "competitor", "competitor", "competitor"],
        "category": ["美妆", "美妆", "美妆", "美妆", "食品", "美妆"],  # c3_dy is in another category
    })


# ------------------------------------------------------------------------------------------------
# own account and competitors
# ------------------------------------------------------------------------------------------------

def test_own_account_by_id_or_by_platform(accounts: pd.DataFrame) -> None:
    assert select_own_account(accounts, "own_dy", "auto") == ("own_dy", "douyin")
    assert select_own_account(accounts, "own_dy", "douyin") == ("own_dy", "douyin")
    assert select_own_account(accounts, "auto", "xiaohongshu") == ("own_xhs", "xiaohongshu")


@pytest.mark.parametrize(("own", "platform", "message"), [
    ("nope", "auto", "unknown account id 'nope'"),
    ("c1_dy", "auto", "is a competitor account, not an own account"),
    ("own_dy", "xiaohongshu", "own_account own_dy is on douyin"),
    ("auto", "auto", "both auto"),
    ("own_dy,own_xhs", "auto", "must be one account id"),
    ("own_dy", "tiktok", "platform='tiktok' is not a platform"),
    ("auto", "weibo", "platform='weibo' is not a platform"),
])
def test_own_account_errors_name_the_parameter(accounts: pd.DataFrame, own: str, platform: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        select_own_account(accounts, own, platform)


def test_auto_competitors_are_same_category_and_platform(accounts: pd.DataFrame) -> None:
    # c3_dy is on douyin but in 食品, c1_xhs in 美妆 but on xiaohongshu: both left out
    assert select_competitors(accounts, "auto", "own_dy", "douyin") == ("c1_dy", "c2_dy")
    assert select_competitors(accounts, "auto", "own_xhs", "xiaohongshu") == ("c1_xhs",)
    # without a category column every competitor on the platform counts
    assert select_competitors(accounts.drop(columns="category"), "auto", "own_dy", "douyin") == (
        "c1_dy", "c2_dy", "c3_dy")


def test_listed_competitors_kept_in_order_without_duplicates(accounts: pd.DataFrame) -> None:
    assert select_competitors(accounts, [" c3_dy", "c1_dy ", "c3_dy"], "own_dy", "douyin") == ("c3_dy", "c1_dy")
    assert select_competitors(accounts, ("c2_dy",), "own_dy", "douyin") == ("c2_dy",)
    assert select_competitors(accounts, "c2_dy", "own_dy", "douyin") == ("c2_dy",)  # one id is a list of one


@pytest.mark.parametrize(("listed", "message"), [
    (["c1_dy", "nonexistent"], "unknown account id\\(s\\) nonexistent"),
    (["c1_dy", "own_dy"], "own_dy not competitor account"),
    (["c1_xhs"], "c1_xhs not on douyin"),
    ([], "is empty or has an empty item"),
    ("", "is empty or has an empty item"),
    (3, "must be a list such as"),
])
def test_listed_competitor_errors(accounts: pd.DataFrame, listed: object, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        select_competitors(accounts, listed, "own_dy", "douyin")


@pytest.mark.parametrize("old", ["c1_dy,c2_dy", "c1_dy;c2_dy", " c1_dy , c2_dy "])
def test_old_text_form_is_refused_with_the_list_form_spelled_out(accounts: pd.DataFrame, old: str) -> None:
    with pytest.raises(ParameterError) as caught:
        select_competitors(accounts, old, "own_dy", "douyin")
    message = str(caught.value)
    assert f"competitors={old!r} is written in the old text form" in message
    assert 'competitors = ["comp_a_douyin", "comp_b_douyin"] in the notebook' in message
    assert "-p competitors '[comp_a_douyin, comp_b_douyin]' on the command line" in message
    assert "competitors: [comp_a_douyin, comp_b_douyin] in a params file" in message


def test_no_competitor_in_category_is_a_parameter_error(accounts: pd.DataFrame) -> None:
    lonely = accounts[accounts["account_id"] != "c1_xhs"]
    with pytest.raises(ParameterError, match="found no competitor account in category '美妆' on xiaohongshu"):
        select_competitors(lonely, "auto", "own_xhs", "xiaohongshu")


# ------------------------------------------------------------------------------------------------
# window
# ------------------------------------------------------------------------------------------------

DATES = pd.Series(pd.date_range("2025-01-01", "2026-11-15", freq="D"))


@pytest.mark.parametrize(("period", "months", "start", "end", "label"), [
    # data ends mid-November: October is the last complete month
    ("latest", 6, "2026-05-01", "2026-10-31", "2026-05..2026-10"),
    ("latest", 1, "2026-10-01", "2026-10-31", "2026-10"),
    ("", 3, "2026-08-01", "2026-10-31", "2026-08..2026-10"),
    ("2026-09", 6, "2026-09-01", "2026-09-30", "2026-09"),            # lookback_months only applies to latest
    ("2026-Q3", 6, "2026-07-01", "2026-09-30", "2026-Q3"),
    ("2026-W43", 6, "2026-10-19", "2026-10-25", "2026-W43"),
    ("2026-05-01..2026-10-31", 6, "2026-05-01", "2026-10-31", "2026-05-01..2026-10-31"),
    ("2026-11-01 .. 2026-12-31", 6, "2026-11-01", "2026-12-31", "2026-11-01..2026-12-31"),  # partly beyond the data
])
def test_window_labels(period: str, months: int, start: str, end: str, label: str) -> None:
    first, last, text, _ = resolve_window(period, months, DATES)
    assert (first, last, text) == (pd.Timestamp(start), pd.Timestamp(end), label)


@pytest.mark.parametrize(("period", "months", "message"), [
    ("last month", 6, "not valid"),
    ("2026-13", 6, "month 13 is not 1 to 12"),
    ("2026-10-31..2026-05-01", 6, "is after end"),
    ("2026-02-30..2026-03-01", 6, "not a date"),
    ("2023-01", 6, "has no data"),
    ("latest", 24, "before the data begins"),
])
def test_window_errors(period: str, months: int, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        resolve_window(period, months, DATES)


# ------------------------------------------------------------------------------------------------
# fair engagement
# ------------------------------------------------------------------------------------------------

@pytest.fixture
def posts() -> pd.DataFrame:
    rows = [  # post, account, published_at, likes, comments, shares, saves
        ("o1", "own_dy", "2026-10-02 20:00", 100, 10, 5, 40),
        ("o2", "own_dy", "2026-10-20 09:00", 50, 5, 5, 20),
        ("a1", "c1_dy", "2026-10-03 10:00", 30, 6, 4, np.nan),
        ("a2", "c1_dy", "2026-10-25 10:00", 60, np.nan, 0, np.nan),  # comments missing on one post
        ("b1", "c2_dy", "2026-09-10 10:00", 10, 1, 1, np.nan),       # before the window
    ]
    columns = ["post_id", "account_id", "published_at", "likes", "comments", "shares", "saves"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.assign(published_at=pd.to_datetime(frame["published_at"]), format="short_video")


@pytest.fixture
def daily() -> pd.DataFrame:
    rows = [("own_dy", "2026-10-01", 1000), ("own_dy", "2026-10-15", 1100),
            ("c1_dy", "2026-10-01", 2000), ("c1_dy", "2026-10-10", np.nan)]  # c1 history stops on 10-01
    frame = pd.DataFrame(rows, columns=["account_id", "date", "followers"])
    return frame.assign(date=pd.to_datetime(frame["date"]))


def test_components_every_posting_account_reports(posts: pd.DataFrame) -> None:
    shared, dropped = comparable_components(posts, ["own_dy", "c1_dy", "c2_dy"], "2026-10-01", "2026-10-31")
    # saves: own only; c2_dy has no post in the window and does not constrain the choice
    assert shared == ("likes", "comments", "shares")
    assert dropped == {"saves": ("own_dy",)}
    own_only, none_dropped = comparable_components(posts, ["own_dy"], "2026-10-01", "2026-10-31")
    assert own_only == ("likes", "comments", "shares", "saves") and none_dropped == {}


def test_no_shared_component_is_a_data_error(posts: pd.DataFrame) -> None:
    split = posts.assign(likes=np.where(posts["account_id"] == "own_dy", posts["likes"], np.nan),
                         comments=np.nan, shares=np.where(posts["account_id"] == "own_dy", np.nan, posts["shares"]),
                         saves=np.nan)
    with pytest.raises(DataError, match="No engagement component .* c1_dy reports shares; own_dy reports likes"):
        comparable_components(split, ["own_dy", "c1_dy"], "2026-10-01", "2026-10-31")


def test_rate_on_shared_components_and_fresh_followers_only(posts: pd.DataFrame, daily: pd.DataFrame) -> None:
    rated = rate_posts(posts, daily, "followers", ("likes", "comments", "shares")).set_index("post_id")
    # o1: (100+10+5) / 1000 (10-01, 1 day old) = 0.115; o2: (50+5+5) / 1100 (10-15, 5 days old)
    assert rated.loc["o1", "engagements"] == 115 and rated.loc["o1", "engagement_rate"] == pytest.approx(0.115)
    assert rated.loc["o2", "engagement_rate"] == pytest.approx(60 / 1100)
    # a1: 40 / 2000 (2 days old); a2: comments missing → engagements unknown, and 10-01 is 24 days old
    assert rated.loc["a1", "engagement_rate"] == pytest.approx(0.02)
    assert np.isnan(rated.loc["a2", "engagements"]) and np.isnan(rated.loc["a2", "er_base_value"])
    # b1 (09-10): no follower value at or before it at all → missing, never 0
    assert np.isnan(rated.loc["b1", "engagement_rate"])
    assert (rated["er_base"] == "followers").all()


def test_stale_follower_count_is_not_a_base(posts: pd.DataFrame, daily: pd.DataFrame) -> None:
    late = posts.assign(published_at=posts["published_at"].where(posts["post_id"] != "a1",
                                                                 pd.Timestamp("2026-10-09 10:00")))
    rated = rate_posts(late, daily, "followers", ("likes", "comments", "shares")).set_index("post_id")
    assert np.isnan(rated.loc["a1", "engagement_rate"])  # 8 days after the last count
    kept = rate_posts(late, daily, "followers", ("likes", "comments", "shares"), max_age_days=30).set_index("post_id")
    assert kept.loc["a1", "engagement_rate"] == pytest.approx(0.02)


# ------------------------------------------------------------------------------------------------
# prepare on the sample and on broken copies of it
# ------------------------------------------------------------------------------------------------

#: The notebook's defaults (its parameters cell), as prepare takes them: keyword-only, every one given.
DEFAULTS = dict(own_account="own_douyin", competitors="auto", platform="auto", period="latest", lookback_months=6,
                er_base="followers", top_n=5, hit_k=3.0, min_posts=10, lang="en")


def _quiet_prepare(data_dir: str, **changes: object):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return prepare(**{**DEFAULTS, **changes, "data_dir": data_dir})  # type: ignore[arg-type]


def test_defaults_on_the_sample(sample_dir: Path) -> None:
    run = _quiet_prepare(str(sample_dir))
    assert run.own_id == "own_douyin" and run.platform == "douyin"
    assert run.competitor_ids == tuple(f"{c}_douyin" for c in ("comp_a", "comp_b", "comp_c", "comp_d"))
    # the sample ends on 2026-11-15; PLANTED.review_period 2026-10 is the last complete month
    assert run.end == pd.Timestamp(PLANTED.review_period).to_period("M").end_time.normalize()
    assert run.start == pd.Timestamp("2026-05-01") and run.label == "own_douyin_2026-05..2026-10"
    assert run.components == ("likes", "comments", "shares")
    assert run.dropped_components == {"saves": ("own_douyin",)}
    assert run.notes == ("saves reported only by 青柠生活·抖音: left out of every account's engagements so all "
                         "accounts are compared on the same components",)
    inside = run.period_posts()
    assert inside["published_at"].between("2026-05-01", "2026-11-01").all()
    assert set(inside["account_id"]) == set(run.account_ids)
    assert run.sov_freq == "MS" and run.name("comp_b_douyin") == "桃气研究所·抖音"


def test_widget_benchmark_for_another_platform(sample_dir: Path) -> None:
    run = _quiet_prepare(str(sample_dir), period="2026-10")
    assert run.platform_competitors()["xiaohongshu"] == [f"{c}_xhs" for c in ("comp_a", "comp_b", "comp_c", "comp_d")]
    table = run.benchmark_for("xiaohongshu", ["comp_b_xhs", "comp_c_xhs"])
    assert table["account_id"].tolist() == ["own_xhs", "comp_b_xhs", "comp_c_xhs", "field median"]
    assert table.loc[0, "role"] == "own" and (table["er_base"] == "followers").all()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"er_base": "impressions"}, "impressions and reach are private"),
    ({"er_base": "likes"}, "er_base='likes' is not valid"),
    ({"top_n": 0}, "top_n=0 must be between 1 and 100"),
    ({"lookback_months": 0}, "lookback_months=0"),
    ({"hit_k": -1}, "hit_k=-1"),
    ({"min_posts": 1}, "min_posts=1"),
    ({"competitors": ["comp_a_douyin", "nonexistent"]}, "unknown account id\\(s\\) nonexistent"),
    ({"competitors": "comp_a_douyin,nonexistent"}, "old text form; write a YAML list"),
])
def test_bad_parameters(sample_dir: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        _quiet_prepare(str(sample_dir), **kwargs)


def test_old_competitors_form_fails_before_any_data_is_read(tmp_path: Path) -> None:
    # the folder does not exist: the parameter is checked first, so the message is about the parameter
    with pytest.raises(ParameterError, match="-p competitors '\\[comp_a_douyin, comp_b_douyin\\]'"):
        _quiet_prepare(str(tmp_path / "nowhere"), competitors="comp_a_douyin,comp_b_douyin")


def test_listed_competitors_on_the_sample(sample_dir: Path) -> None:
    run = _quiet_prepare(str(sample_dir), competitors=["comp_b_douyin", "comp_a_douyin"])
    assert run.competitor_ids == ("comp_b_douyin", "comp_a_douyin")
    assert run.account_ids == ("own_douyin", "comp_b_douyin", "comp_a_douyin")


def test_prepare_takes_keyword_arguments_only(sample_dir: Path) -> None:
    with pytest.raises(TypeError):
        prepare("own_douyin", "auto", "auto", "latest", 6, "followers", 5, 3.0, 10, str(sample_dir))  # type: ignore[misc]
    with pytest.raises(TypeError, match="data_dir"):
        prepare(**DEFAULTS)  # type: ignore[call-arg]  # no default of its own


def _copy(sample_dir: Path, target: Path, posts_keep=None, daily_keep=None) -> Path:
    """The three tables of the sample as text, with rows filtered by the given predicates."""
    target.mkdir()
    for table in TABLES:
        frame = pd.read_csv(sample_dir / f"{table}.csv", dtype=str, keep_default_na=False)
        if table == "posts" and posts_keep is not None:
            frame = frame[posts_keep(frame)]
        if table == "account_daily" and daily_keep is not None:
            frame = frame[daily_keep(frame)]
        frame.to_csv(target / f"{table}.csv", index=False)
    return target


def test_competitor_without_posts_and_without_follower_history(sample_dir: Path, tmp_path: Path) -> None:
    folder = _copy(
        sample_dir, tmp_path / "data",
        posts_keep=lambda p: ~((p["account_id"] == "comp_c_douyin") & (p["published_at"] >= "2026-05")),
        daily_keep=lambda d: ~((d["account_id"] == "comp_d_douyin") & (d["date"] >= "2026-04-01")))
    run = _quiet_prepare(str(folder))
    notes = "\n".join(run.notes)
    assert "木槿集·抖音: no posts between May 1, 2026 and Oct 31, 2026" in notes  # accounts by name
    assert "云朵肌·抖音: no follower count within 7 days before 100 of 100 posts" in notes
    assert "云朵肌·抖音: followers: " in notes and "no follower history in the period" in notes
    inside = run.period_posts()
    assert not (inside["account_id"] == "comp_c_douyin").any()
    comp_d = inside[inside["account_id"] == "comp_d_douyin"]
    assert comp_d["engagement_rate"].isna().all() and comp_d["engagements"].notna().all()


def test_partly_reported_metrics_are_noted(sample_dir: Path, tmp_path: Path) -> None:
    folder = _copy(sample_dir, tmp_path / "data")
    posts = pd.read_csv(folder / "posts.csv", dtype=str, keep_default_na=False)
    comp_a = posts["account_id"] == "comp_a_douyin"
    posts.loc[comp_a, "shares"] = ""                                  # comp_a publishes no shares at all
    gaps = posts.index[(posts["account_id"] == "comp_b_douyin") & (posts["published_at"] >= "2026-10")][:3]
    posts.loc[gaps, "views"] = ""                                     # three comp_b videos without views
    posts.to_csv(folder / "posts.csv", index=False)
    run = _quiet_prepare(str(folder))
    assert run.components == ("likes", "comments")
    assert run.dropped_components == {"shares": ("comp_b_douyin", "comp_c_douyin", "comp_d_douyin", "own_douyin"),
                                      "saves": ("own_douyin",)}
    assert any(n.startswith("桃气研究所·抖音: views missing on 3 of") for n in run.notes)


def test_no_competitor_posts_in_the_window_is_a_data_error(sample_dir: Path, tmp_path: Path) -> None:
    folder = _copy(sample_dir, tmp_path / "data",
                   posts_keep=lambda p: ~(p["account_id"].str.startswith("comp_") & (p["published_at"] >= "2026-10")))
    with pytest.raises(DataError, match="None of the competitors .* has a post between 2026-10-01 and 2026-10-31"):
        _quiet_prepare(str(folder), period="2026-10")
