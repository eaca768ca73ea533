"""KOL vetting set-up (helpers.kol.session): every bad parameter is refused by name with what it accepts, the
KOLs are filtered as asked, as_of resolves to the right day, and a folder with only the three required tables
still runs every step, the findings and the charts.

Expectations come from the CSV files themselves (read here with pandas, not through helpers.data) and from
the rules of the notebook's parameters cell.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from helpers import i18n
from helpers.errors import DataError, ParameterError
from helpers.kol import analysis, charts, findings, session
from helpers.report import to_jsonable
from kol_steps import all_steps, notebook_defaults

REQUIRED = ("accounts.csv", "kols.csv", "kol_posts.csv")


DEFAULTS = notebook_defaults()


def _check(**changes: Any) -> session.KolParameters:
    return session.check_parameters(**{**DEFAULTS, **changes})


def _prepare(**changes: Any) -> session.KolRun:
    return session.prepare(**{**DEFAULTS, **changes})


def _csv(folder: Path, name: str, **kwargs: Any) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", **kwargs)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(("changes", "needles"), [
    ({"platforms": ["redbook"]}, ("platforms", "redbook", "xiaohongshu", "douyin")),
    ({"platforms": "xiaohongshu,douyin"}, ("platforms", "YAML list")),
    ({"fit_weights": {"gender": 0.5, "colour": 0.5}}, ("fit_weights", "colour", "gender", "age_band", "interests")),
    ({"fit_weights": {"gender": 0, "interests": 0.0}}, ("fit_weights", "only zero weights", "> 0")),
    ({"fit_weights": {"gender": -0.3}}, ("fit_weights[gender]", "between 0.0 and 100.0")),
    ({"fit_weights": {}}, ("fit_weights", "empty map")),
    ({"score_weights": {"fit": 1, "price": 1}}, ("score_weights", "price", "fit", "interaction", "authenticity",
                                                "cost")),
    ({"score_weights": {"fit": 0, "cost": 0}}, ("score_weights", "only zero weights")),
    ({"score_weights": {"fit": "high"}}, ("score_weights[fit]", "number")),
    ({"attribution_model": "time_decay"}, ("attribution_model", "time_decay", "linear", "markov", "shapley")),
    ({"as_of": "15/11/2026"}, ("as_of", "2026-11-15", "latest")),
    ({"as_of": "last week"}, ("as_of", "latest")),
    ({"as_of": "2026-02-30"}, ("as_of", "not a date")),
    ({"recent_days": 13}, ("recent_days", "between 14 and 730")),
    ({"recent_days": 731}, ("recent_days", "between 14 and 730")),
    ({"recent_days": 30.5}, ("recent_days", "whole number")),
    ({"brand_accounts": ["comp_a_xhs"]}, ("brand_accounts", "comp_a_xhs", "not own accounts", "own_douyin", "own")),
    ({"brand_accounts": ["nobody"]}, ("brand_accounts", "nobody", "own_xhs")),
    ({"fake_threshold": 0.0}, ("fake_threshold", "between 0.01 and 0.99")),
    ({"fake_threshold": 1.0}, ("fake_threshold", "between 0.01 and 0.99")),
    ({"interaction_threshold": 1.5}, ("interaction_threshold", "between 0.0 and 1.0")),
    ({"min_fit": -0.1}, ("min_fit", "between 0.0 and 1.0")),
    ({"cpa_ratio_max": 0.05}, ("cpa_ratio_max", "between 0.1 and 10.0")),
    ({"rebook_roi": -1}, ("rebook_roi", "between 0.0 and 100.0")),
    ({"feed_channels": {"redbook": "redbook_feed"}}, ("feed_channels", "redbook", "douyin")),
    ({"feed_channels": {"douyin": " "}}, ("feed_channels[douyin]", "douyin_feed")),
])
def test_a_bad_parameter_is_refused_by_name_with_what_it_accepts(changes: dict[str, Any], needles: tuple[str, ...],
                                                                 sample_dir: Path) -> None:
    with pytest.raises(ParameterError) as caught:
        _check(**changes)
    message = str(caught.value)
    for needle in needles:
        assert needle in message, (needle, message)


@pytest.mark.parametrize("changes", [
    {"recent_days": 14}, {"recent_days": 730}, {"recent_days": 30.0}, {"fake_threshold": 0.01},
    {"fake_threshold": 0.99}, {"interaction_threshold": 0.0}, {"min_fit": 1.0}, {"cpa_ratio_max": 10},
    {"rebook_roi": 0}, {"feed_channels": {}}, {"fit_weights": {"gender": 0, "interests": 1}},
    {"score_weights": {"fit": 0, "interaction": 0, "authenticity": 0, "cost": 0.01}},
    {"attribution_model": "shapley"}, {"as_of": "2026-10-31"}, {"as_of": "LATEST"},
    {"brand_accounts": ["own_xhs"]}, {"platforms": ["weibo"], "categories": ["美妆"]},
])
def test_values_at_the_edges_pass(changes: dict[str, Any], sample_dir: Path) -> None:
    _check(**changes)


def test_defaults_read_as_the_parameters_cell_says(sample_dir: Path) -> None:
    checked = _check()
    assert checked.platforms == () and checked.categories == ()  # [] = every KOL in kols.csv
    own = _csv(sample_dir, "accounts").query("owner == 'own'")["account_id"]
    assert checked.brand_accounts == tuple(own)  # "own" = every own account
    assert checked.as_of is None  # latest, resolved by prepare
    assert checked.recent_days == 90 and checked.fake_threshold == 0.30 and checked.attribution_model == "linear"
    assert checked.brand_accounts == ("own_douyin", "own_xhs", "own_wechat", "own_weibo")


def test_own_without_an_own_account_is_refused(tmp_path: Path, sample_dir: Path) -> None:
    for name in REQUIRED:
        shutil.copy(sample_dir / name, tmp_path / name)
    accounts = _csv(tmp_path, "accounts")
    accounts[accounts["owner"] == "competitor"].to_csv(tmp_path / "accounts.csv", index=False)
    with pytest.raises(ParameterError, match="brand_accounts='own'.*no account with owner 'own'"):
        _check(data_dir=str(tmp_path))


@pytest.mark.parametrize("missing", ["kols.csv", "kol_posts.csv", "accounts.csv"])
def test_a_folder_without_a_required_table_names_the_file(missing: str, tmp_path: Path, sample_dir: Path) -> None:
    for name in REQUIRED:
        if name != missing:
            shutil.copy(sample_dir / name, tmp_path / name)
    with pytest.raises(DataError, match=missing.replace(".", r"\.")):
        _prepare(data_dir=str(tmp_path))


# --------------------------------------------------------------------------- which KOLs, which day


def test_platforms_and_categories_keep_exactly_the_matching_kols(sample_dir: Path) -> None:
    kols = _csv(sample_dir, "kols")
    douyin = tuple(kols.loc[kols["platform"] == "douyin", "kol_id"])
    skin = tuple(kols.loc[kols["category"] == "护肤", "kol_id"])
    both = tuple(kols.loc[kols["platform"].isin(["douyin", "weibo"]) & kols["category"].isin(["护肤", "美妆"]),
                          "kol_id"])
    assert _prepare(platforms=["douyin"]).kol_ids == douyin
    assert _prepare(categories=["护肤"]).kol_ids == skin
    assert _prepare(platforms=["douyin", "weibo"], categories=["护肤", "美妆"]).kol_ids == both
    assert len(_prepare().kol_ids) == len(kols) == 40  # [] = all


def test_the_kol_tables_are_cut_to_the_screened_kols(sample_dir: Path) -> None:
    run = _prepare(platforms=["weibo"])
    weibo = set(_csv(sample_dir, "kols").query("platform == 'weibo'")["kol_id"])
    for name in ("kol_posts", "kol_daily", "kol_audience", "kol_followers"):
        table = run.kol_table(name)
        assert table is not None and set(table["kol_id"]) <= weibo and not table.empty
    assert set(run.posts["kol_id"]) == weibo
    assert set(run.names) == weibo


def test_no_kol_left_is_a_data_error_naming_the_filters(sample_dir: Path) -> None:
    kols = _csv(sample_dir, "kols")
    assert kols.query("platform == 'weibo' and category == '数码'").empty  # the combination below matches none
    with pytest.raises(DataError, match=r"kols\.csv.*no KOL.*weibo.*数码.*widen"):
        _prepare(platforms=["weibo"], categories=["数码"])


def test_latest_is_the_last_day_with_a_post_of_a_screened_kol(tmp_path: Path, sample_dir: Path) -> None:
    for name in REQUIRED:
        shutil.copy(sample_dir / name, tmp_path / name)
    posts = _csv(tmp_path, "kol_posts", dtype=str)
    kols = _csv(tmp_path, "kols")
    douyin = set(kols.loc[kols["platform"] == "douyin", "kol_id"])
    day = pd.to_datetime(posts["published_at"])
    # douyin KOLs' posts stop on 2026-10-20; the others go on to the sample's end
    posts = posts[~(posts["kol_id"].isin(douyin) & (day >= "2026-10-21"))]
    posts.to_csv(tmp_path / "kol_posts.csv", index=False)
    day = pd.to_datetime(posts["published_at"])
    last_all = day.max().normalize()
    last_douyin = day[posts["kol_id"].isin(douyin)].max().normalize()
    assert last_douyin <= pd.Timestamp("2026-10-20") < last_all
    assert _prepare(data_dir=str(tmp_path)).as_of == last_all == pd.Timestamp("2026-11-14")
    assert _prepare(data_dir=str(tmp_path), platforms=["douyin"]).as_of == last_douyin


def test_a_given_as_of_keeps_the_posts_of_that_whole_day_and_none_after(sample_dir: Path) -> None:
    run = _prepare(as_of="2026-09-30")
    assert run.as_of == pd.Timestamp("2026-09-30")
    posts = _csv(sample_dir, "kol_posts", parse_dates=["published_at"])
    by_day = posts[posts["published_at"] < pd.Timestamp("2026-10-01")]
    assert len(run.posts) == len(by_day)
    assert run.posts["published_at"].max() == by_day["published_at"].max()


def test_as_of_before_the_first_post_is_refused_with_that_day(sample_dir: Path) -> None:
    first = _csv(sample_dir, "kol_posts", parse_dates=["published_at"])["published_at"].min().normalize()
    day_before = (first - pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    with pytest.raises(ParameterError, match=rf"as_of={day_before} is before the first KOL post \({first:%Y-%m-%d}\)"):
        _prepare(as_of=day_before)
    assert _prepare(as_of=f"{first:%Y-%m-%d}").as_of == first  # the first post's day itself is fine


def test_brand_audience_is_the_followers_of_the_chosen_own_accounts(sample_dir: Path) -> None:
    audience = _csv(sample_dir, "audience", dtype={"user_id": str})
    run = _prepare(brand_accounts=["own_xhs"])
    assert run.brand_audience is not None
    assert set(run.brand_audience["account_id"]) == {"own_xhs"}
    assert len(run.brand_audience) == int((audience["account_id"] == "own_xhs").sum())


# --------------------------------------------------------------------------- the three required tables only


def _minimal(tmp_path: Path, sample_dir: Path, *extra: str) -> Path:
    """A folder with accounts, kols and kol_posts of the sample (and `extra` tables)."""
    for name in (*REQUIRED, *(f"{e}.csv" for e in extra)):
        shutil.copy(sample_dir / name, tmp_path / name)
    return tmp_path


def _whole_chain(run: session.KolRun) -> dict[str, Any]:
    """Every step of the notebook, in its order, then its findings, summary, tables and figures."""
    steps = all_steps(run)
    coverage, fake, rates, fit, spend, ranked, booked = (steps[k] for k in (
        "coverage", "fake", "rates", "fit", "spend", "ranked", "booked"))
    texts = [findings.coverage_line(coverage, run), findings.limit_line(fake, run),
             findings.borderline_line(fake, run), findings.rate_line(rates, run),
             findings.fit_line(fit, run), findings.cost_line(spend, run), findings.decision_line(ranked, run),
             findings.after_line(booked, run), findings.setup_text(run)]
    views = [findings.coverage_view(coverage, run), findings.fake_view(fake, run), findings.rate_view(rates, run),
             findings.fit_view(fit, run), findings.feed_view(spend, run), findings.cost_view(spend, run),
             findings.shortlist_view(ranked, run), findings.after_view(booked, ranked, run)]
    html = [v if isinstance(v, str) else v.to_html() for v in views]
    headline = findings.executive_summary(run, ranked, spend, booked)
    summary = json.dumps(to_jsonable(findings.summary(run, coverage, fake, rates, fit, spend, ranked, booked)))
    tables = findings.tables(run, coverage, fake, rates, fit, spend, ranked, booked)
    figures = [charts.fake_chart(fake, run), charts.rate_chart(rates, run), charts.fit_chart(fit, run),
               charts.cost_chart(spend, run), charts.shortlist_chart(ranked, run), charts.after_chart(booked, run)]
    return dict(coverage=coverage, fake=fake, rates=rates, fit=fit, spend=spend, ranked=ranked, booked=booked,
                texts=texts, html=html, headline=headline, summary=json.loads(summary), tables=tables,
                figures=figures)


def _check_minimal_chain(out: dict[str, Any], run: session.KolRun) -> None:
    """What a run without the optional KOL tables, audience and journeys must show."""
    coverage = out["coverage"]
    for column in ("history_days", "sampled_followers", "audience_dimensions"):
        assert coverage[column].isna().all(), column  # the table is absent: missing, not 0
    assert out["fake"].classified is None and out["fake"].sample is None and out["fake"].jumps is None
    assert out["fit"] is None  # no brand audience, no KOL audience
    assert out["spend"].credit is None and out["spend"].conversion_rate is None  # no touchpoints/conversions
    assert out["spend"].table["cpa"].isna().all()  # no CPA without a conversion rate
    reasons = out["ranked"].table["reasons"].str.split(";")
    assert reasons.map(lambda codes: "fit_unknown" in codes).all()
    assert not (out["ranked"].table["decision"] == "accept").any()  # a missing screen is never a pass
    booked = out["booked"]
    if booked is not None:  # the sample's kol_posts carry our campaigns, but no journey credits them
        assert (booked["reason"] == "roi_unknown").all() and booked["roi"].isna().all()
    assert len(out["summary"]["scores"]) == len(run.kols)
    assert all(isinstance(f, Figure) for f in out["figures"])
    assert all(out["texts"]) and all(out["html"])
    assert 1 <= len(out["headline"].tiles) <= 3


def test_the_three_required_tables_prepare(tmp_path: Path, sample_dir: Path) -> None:
    run = _prepare(data_dir=str(_minimal(tmp_path, sample_dir)))
    assert set(run.tables) == {"accounts", "kols", "kol_posts"}
    for name in ("kol_daily", "kol_audience", "kol_followers"):
        assert run.kol_table(name) is None
    assert run.brand_audience is None
    assert run.as_of == pd.Timestamp("2026-11-14")


def test_every_step_runs_with_the_required_tables_and_ad_daily(tmp_path: Path, sample_dir: Path) -> None:
    run = _prepare(data_dir=str(_minimal(tmp_path, sample_dir, "ad_daily")))
    out = _whole_chain(run)
    _check_minimal_chain(out, run)
    assert set(out["spend"].feed["platform"]) == {"douyin", "xiaohongshu", "all"}  # the feed CPA is there
    assert "No booking history" in out["texts"][5]


def test_every_step_runs_with_only_the_three_required_tables(tmp_path: Path, sample_dir: Path) -> None:
    run = _prepare(data_dir=str(_minimal(tmp_path, sample_dir)))
    out = _whole_chain(run)
    _check_minimal_chain(out, run)
    assert out["spend"].feed.empty  # no feed CPA
    assert out["spend"].table["feed_cpa"].isna().all()
    with i18n.use_language("en"):
        assert findings.feed_view(out["spend"], run).startswith("No feed-ad data (ad_daily)")


def test_no_feed_ads_in_the_window_leaves_the_feed_cpa_empty(tmp_path: Path, sample_dir: Path) -> None:
    folder = _minimal(tmp_path, sample_dir, "ad_daily")
    ads = _csv(folder, "ad_daily", dtype=str)
    ads[pd.to_datetime(ads["date"]) < pd.Timestamp("2026-01-01")].to_csv(folder / "ad_daily.csv", index=False)
    run = _prepare(data_dir=str(folder))  # the window is 2026-08-17 .. 2026-11-14: no ad in it
    spend = analysis.cost(run)
    assert spend.feed.empty and np.isnan(spend.table["feed_cpa"]).all()
