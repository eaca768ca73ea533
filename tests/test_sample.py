"""Tests of helpers.sample: the files, their determinism, and every planted effect measured from the CSVs.

The sample is generated once per module. Each planted effect is re-measured here with plain pandas
arithmetic on the written files (an independent calculation, not the generator's own numbers).
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers import config, sample
from helpers.errors import ParameterError
from helpers.sample import PLANTED, build_tables, ensure_sample, generate_sample

# Required columns of DESIGN.md's schema, written out again here (not imported from the module).
REQUIRED = {
    "accounts": ["account_id", "platform", "name", "owner"],
    "posts": ["post_id", "account_id", "published_at", "format", "pillar", "title", "topics", "paid"],
    "account_daily": ["date", "account_id", "followers"],
    "audience": ["user_id", "account_id", "first_seen"],
    "interactions": ["user_id", "account_id", "occurred_at", "event"],
    "touchpoints": ["journey_id", "occurred_at", "channel"],
    "conversions": ["journey_id", "occurred_at"],
    "ad_daily": ["date", "account_id", "campaign_id", "channel", "spend", "impressions", "clicks", "conversions"],
    "experiments": ["experiment_id", "name", "unit", "primary_metric", "control", "variants", "start", "end"],
    "experiment_units": ["experiment_id", "unit_id", "variant"],
    "targets": ["account_id", "kpi", "period", "target"],
    "risks": ["risk_id", "category", "description", "probability", "impact", "owner", "mitigation", "status"],
    "topic_bank": ["topic", "pillar", "format"],
    "comments": ["comment_id", "account_id", "created_at", "text", "source"],
    "kols": ["kol_id", "platform", "name", "followers", "category"],
    "kol_posts": ["post_id", "kol_id", "published_at"],
    "kol_daily": ["kol_id", "date", "followers"],
    "kol_audience": ["kol_id", "dimension", "bucket", "share"],
    "kol_followers": ["kol_id", "follower_id"],
}
# Optional columns the brief asks the sample to carry.
OPTIONAL = {
    "accounts": ["category", "timezone"],
    "posts": ["tier", "impressions", "reach", "views", "likes", "comments", "shares", "saves", "clicks", "follows",
              "completion_rate", "avg_watch_s", "conversions", "revenue", "cost"],
    "account_daily": ["followers_gained", "followers_lost", "impressions", "reach", "profile_visits", "engagements",
                      "link_clicks", "conversions", "revenue"],
    "audience": ["unfollowed_at", "gender", "age_band", "region", "city_tier", "device", "interests"],
    "interactions": ["post_id", "value"],
    "touchpoints": ["campaign"],
    "conversions": ["value"],
    "ad_daily": ["creative_id", "revenue"],
    "experiments": ["hypothesis", "expected_split", "guardrails", "mde"],
    "experiment_units": ["exposures", "clicks", "conversions", "revenue", "pre_revenue", "platform", "device",
                         "is_new"],
    "targets": [],
    "risks": ["respond_within_h", "escalate_after_h"],
    "topic_bank": ["source", "strategic_weight", "notes"],
    "comments": ["post_id", "user_id", "parent_id", "likes", "replied_at", "replied_by_brand", "rating"],
    "kols": ["price", "price_format", "contact_owner", "handle", "region"],
    "kol_posts": ["format", "title", "views", "likes", "comments", "shares", "saves", "is_sponsored", "brand",
                  "campaign", "cost"],
    "kol_daily": [],
    "kol_audience": [],
    "kol_followers": ["has_avatar", "posts", "followers", "following", "created_at", "nickname", "gender",
                      "age_band", "region", "city_tier"],
}
OWN = ["own_douyin", "own_xhs", "own_wechat", "own_weibo"]
EVENTS = {"view", "like", "comment", "share", "save", "click", "follow", "unfollow", "message", "purchase"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample written once, with the default seed."""
    out = tmp_path_factory.mktemp("sample")
    generate_sample(out)
    return out


@pytest.fixture(scope="module")
def t(folder: Path) -> dict[str, pd.DataFrame]:
    """Every table read back from its CSV, timestamps parsed."""
    tables = {name: pd.read_csv(folder / f"{name}.csv", encoding="utf-8") for name in REQUIRED}
    for name, cols in {"posts": ["published_at"], "account_daily": ["date"], "audience": ["first_seen"],
                       "interactions": ["occurred_at"], "touchpoints": ["occurred_at"],
                       "conversions": ["occurred_at"], "ad_daily": ["date"]}.items():
        for col in cols:
            tables[name][col] = pd.to_datetime(tables[name][col], format="ISO8601")
    return tables


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def _october(frame: pd.DataFrame, account: str) -> pd.DataFrame:
    rows = frame[(frame["account_id"] == account) & (frame["date"].dt.strftime("%Y-%m") == "2026-10")]
    return rows.set_index("date")


# ------------------------------------------------------------------ files, determinism, structure

def test_every_table_written_with_schema_columns(folder: Path, t: dict[str, pd.DataFrame]) -> None:
    assert sorted(p.name for p in folder.glob("*.csv")) == sorted(f"{n}.csv" for n in REQUIRED)
    for name, frame in t.items():
        missing = set(REQUIRED[name] + OPTIONAL[name]) - set(frame.columns)
        assert not missing, f"{name} lacks {missing}"
        assert len(frame) > 0, name


def test_same_seed_gives_identical_files(folder: Path, tmp_path: Path) -> None:
    generate_sample(tmp_path, seed=config.SAMPLE_SEED)
    assert _digests(tmp_path) == _digests(folder)


def test_other_seed_gives_other_numbers(t: dict[str, pd.DataFrame]) -> None:
    other = build_tables(seed=config.SAMPLE_SEED + 1)
    for name in ("posts", "account_daily", "interactions", "touchpoints", "ad_daily", "experiment_units"):
        assert len(other[name]) != len(t[name]) or not np.array_equal(
            other[name].select_dtypes("number").to_numpy(float), t[name].select_dtypes("number").to_numpy(float),
            equal_nan=True), name
    # planted constants do not depend on the seed
    assert other["posts"]["post_id"].eq(PLANTED.escaped_title_post).sum() == 1


def test_ids_and_keys_unique(t: dict[str, pd.DataFrame]) -> None:
    keys = {"accounts": ["account_id"], "posts": ["post_id"], "account_daily": ["account_id", "date"],
            "audience": ["user_id"], "conversions": ["journey_id"], "ad_daily": ["date", "campaign_id", "creative_id"],
            "experiments": ["experiment_id"], "experiment_units": ["experiment_id", "unit_id"],
            "targets": ["account_id", "kpi", "period"], "risks": ["risk_id"], "topic_bank": ["topic"]}
    for name, key in keys.items():
        assert not t[name].duplicated(key).any(), name


def test_references_resolve(t: dict[str, pd.DataFrame]) -> None:
    accounts = t["accounts"]["account_id"]
    for name in ("posts", "account_daily", "audience", "interactions", "ad_daily", "targets"):
        assert t[name]["account_id"].isin(accounts).all(), name
    assert t["interactions"]["post_id"].dropna().isin(t["posts"]["post_id"]).all()
    assert t["interactions"]["user_id"].isin(t["audience"]["user_id"]).all()
    assert t["conversions"]["journey_id"].isin(t["touchpoints"]["journey_id"]).all()
    assert set(t["experiment_units"]["experiment_id"]) == set(t["experiments"]["experiment_id"])


def test_accounts(t: dict[str, pd.DataFrame]) -> None:
    acc = t["accounts"].set_index("account_id")
    assert acc.loc[OWN, "platform"].tolist() == ["douyin", "xiaohongshu", "wechat", "weibo"]
    assert (acc.loc[OWN, "owner"] == "own").all() and acc.loc[OWN, "name"].str.startswith("青柠生活").all()
    comps = [f"comp_{c}_{p}" for c in "abcd" for p in ("douyin", "xhs")]
    assert sorted(acc.index[acc["owner"] == "competitor"]) == comps
    assert (acc["category"] == "美妆个护").all() and (acc["timezone"] == "Asia/Shanghai").all()


def test_calendar_and_timestamps(folder: Path, t: dict[str, pd.DataFrame]) -> None:
    daily = t["account_daily"]
    days = (pd.Timestamp("2026-11-15") - pd.Timestamp("2024-11-01")).days + 1  # 365 + 365 + 15 = 745
    assert days == 745
    assert (daily.groupby("account_id")["date"].agg(["min", "max", "nunique"]).to_numpy().tolist()
            == [[pd.Timestamp("2024-11-01"), pd.Timestamp("2026-11-15"), 745]] * 12)
    first_line = (folder / "interactions.csv").read_text(encoding="utf-8").splitlines()[1]
    assert pd.Series([first_line.split(",")[2]]).str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d").all()
    hours = t["posts"]["published_at"].dt.hour
    assert hours.between(8, 22).all()
    for name, col in (("interactions", "occurred_at"), ("touchpoints", "occurred_at"), ("posts", "published_at")):
        assert t[name][col].max() < pd.Timestamp("2026-11-16"), name


def test_followers_identity(t: dict[str, pd.DataFrame]) -> None:
    own = t["account_daily"][t["account_daily"]["account_id"].isin(OWN)].sort_values(["account_id", "date"])
    change = own.groupby("account_id")["followers"].diff()
    net = own["followers_gained"] - own["followers_lost"]
    assert (change.dropna() == net[change.notna()]).all()


def test_counts_non_negative_and_rates_in_unit_interval(t: dict[str, pd.DataFrame]) -> None:
    counts = {"posts": ["impressions", "reach", "views", "likes", "comments", "shares", "saves", "clicks", "follows",
                        "conversions", "revenue", "cost", "avg_watch_s"],
              "account_daily": OPTIONAL["account_daily"] + ["followers"],
              "ad_daily": ["spend", "impressions", "clicks", "conversions", "revenue"],
              "experiment_units": ["exposures", "clicks", "conversions", "revenue", "pre_revenue"]}
    for name, cols in counts.items():
        assert (t[name][cols].fillna(0) >= 0).all().all(), name
    assert t["posts"]["completion_rate"].dropna().between(0, 1).all()
    assert t["risks"]["probability"].between(0, 1).all()
    assert t["experiment_units"]["conversions"].isin([0, 1]).all()
    assert (t["ad_daily"]["clicks"] <= t["ad_daily"]["impressions"]).all()
    assert (t["ad_daily"]["conversions"] <= t["ad_daily"]["clicks"]).all()
    own = t["account_daily"].dropna(subset=["impressions"])
    assert (own["reach"].dropna() <= own.loc[own["reach"].notna(), "impressions"]).all()


def test_missing_metrics_are_missing_not_zero(t: dict[str, pd.DataFrame]) -> None:
    daily, posts = t["account_daily"], t["posts"]
    assert daily.loc[daily["account_id"] == "own_wechat", "reach"].isna().all()
    assert daily.loc[daily["account_id"].isin(["own_douyin", "own_xhs", "own_weibo"]), "reach"].notna().all()
    assert daily.loc[daily["account_id"].isin(OWN), OPTIONAL["account_daily"]].drop(columns="reach").notna().all().all()
    comp_daily = daily[~daily["account_id"].isin(OWN)]
    assert comp_daily[OPTIONAL["account_daily"]].isna().all().all() and comp_daily["followers"].notna().all()
    comp = posts[~posts["account_id"].isin(OWN)]
    gone = ["impressions", "reach", "saves", "clicks", "follows", "completion_rate", "avg_watch_s", "conversions",
            "revenue", "cost", "tier"]
    assert comp[gone].isna().all().all()
    assert comp[["likes", "comments", "shares"]].notna().all().all()
    own = posts[posts["account_id"].isin(OWN)]
    assert own.loc[own["account_id"] == "own_weibo", "saves"].isna().all()
    assert own.loc[own["account_id"] != "own_weibo", "saves"].notna().all()
    video = posts["format"].isin(["short_video", "video", "live"])
    assert posts.loc[~video, "views"].isna().all() and posts.loc[video, "views"].notna().all()
    assert own.loc[own["paid"], "cost"].notna().all() and own.loc[~own["paid"], "cost"].isna().all()
    assert own["tier"].isin(["daily", "series", "flagship"]).all()


def test_magnitudes_look_real(t: dict[str, pd.DataFrame]) -> None:
    own = t["account_daily"][t["account_daily"]["account_id"].isin(OWN)]
    ratios = pd.DataFrame({"er": own["engagements"] / own["impressions"],
                           "ctr": own["link_clicks"] / own["impressions"],
                           "cvr": own["conversions"] / own["link_clicks"],
                           "aov": own["revenue"] / own["conversions"], "account_id": own["account_id"]})
    med = ratios.groupby("account_id").median()
    assert med["er"].between(0.03, 0.06).all() and med["ctr"].between(0.005, 0.015).all()
    assert med["cvr"].between(0.05, 0.10).all() and med["aov"].between(100, 140).all()
    start = own.groupby("account_id")["followers"].first()
    assert start["own_douyin"] == pytest.approx(200_000, rel=0.01)
    # two years at +35%/yr: 1.35² = 1.82
    growth = own.groupby("account_id")["followers"].last() / start
    assert 1.6 < growth["own_douyin"] < 2.0
    assert start["own_xhs"] == pytest.approx(80_000, rel=0.01)
    assert start["own_weibo"] == pytest.approx(120_000, rel=0.01)
    assert start["own_wechat"] == pytest.approx(50_000, rel=0.01)
    per_day = t["posts"].groupby("account_id").size() / 745
    assert per_day[OWN].between(0.9, 1.1).all()
    assert per_day.drop(OWN).between(0.45, 1.0).all()


def test_seasonality(t: dict[str, pd.DataFrame]) -> None:
    daily = t["account_daily"].set_index("date")
    douyin = daily.loc[daily["account_id"] == "own_douyin", "impressions"]
    wechat = daily.loc[daily["account_id"] == "own_wechat", "impressions"]
    weekend = douyin.index.day_of_week >= 5
    assert douyin[weekend].mean() > 1.05 * douyin[~weekend].mean()
    assert wechat[wechat.index.day_of_week >= 5].mean() < 0.92 * wechat[wechat.index.day_of_week < 5].mean()
    # Spring Festival 2026 (Feb 17): the holiday week dips below the two weeks before it
    assert douyin["2026-02-17":"2026-02-21"].mean() < 0.85 * douyin["2026-02-01":"2026-02-14"].mean()
    # 618 and Double 11 peaks against the month before
    assert douyin["2025-06-14":"2025-06-18"].mean() > 1.3 * douyin["2025-05-01":"2025-05-15"].mean()
    assert douyin["2025-11-08":"2025-11-12"].mean() > 1.3 * douyin["2025-10-08":"2025-10-28"].mean()


# ------------------------------------------------------------------ planted effects

def test_planted_is_frozen_and_complete() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        PLANTED.anomaly_day = ("x", "y")  # type: ignore[misc]
    names = {f.name for f in dataclasses.fields(PLANTED)}
    assert {"anomaly_day", "bot_spike_day", "bot_users", "stop_loss_campaign", "low_ctr_creative", "assist_channel",
            "missed_kpi", "evening_window", "winning_format", "competitor_video_winner", "neglected_topic",
            "experiment_with_lift", "experiment_without_lift", "lapsing_segment", "escaped_title_post"} <= names
    assert len(PLANTED.bot_users) == 30 and len(set(PLANTED.lapsing_segment)) == 1500
    assert not set(PLANTED.bot_users) & set(PLANTED.lapsing_segment)


def test_anomaly_day(t: dict[str, pd.DataFrame]) -> None:
    account, day = PLANTED.anomaly_day
    oct_ = _october(t["account_daily"], account)
    ratio = oct_.loc[day] / oct_.median(numeric_only=True)
    assert ratio["impressions"] > 3.0 and ratio["engagements"] > 3.5
    assert ratio["followers_gained"] > 3.5 and ratio["link_clicks"] > 2.2 and ratio["conversions"] > 2.0
    # the day's first short video went viral
    posts = t["posts"][t["posts"]["account_id"] == account]
    viral = posts[posts["published_at"].dt.strftime("%Y-%m-%d") == day].iloc[0]
    assert viral["impressions"] > 5 * posts["impressions"].median()


def test_bot_spike_day(t: dict[str, pd.DataFrame]) -> None:
    account, day = PLANTED.bot_spike_day
    oct_ = _october(t["account_daily"], account)
    er = oct_["engagements"] / oct_["impressions"]
    q1, q3 = er.quantile([0.25, 0.75])
    assert er[day] < q1 - 1.5 * (q3 - q1)
    others = oct_.drop(pd.Timestamp(day))
    assert oct_.loc[day, "impressions"] > 4 * others["impressions"].median()
    assert oct_.loc[day, "profile_visits"] > 5 * others["profile_visits"].median()
    assert oct_.loc[day, "link_clicks"] <= others["link_clicks"].max()
    assert oct_.loc[day, "conversions"] <= others["conversions"].max()


def test_bot_users_burst(t: dict[str, pd.DataFrame]) -> None:
    it = t["interactions"]
    per_day = it.groupby([it["user_id"], it["occurred_at"].dt.date]).size()
    busiest = per_day.groupby(level=0).max()
    bots = busiest.index.isin(PLANTED.bot_users)
    assert bots.sum() == 30 and (busiest[bots] >= 100).all()
    assert busiest[~bots].max() <= 20
    bot_events = it[it["user_id"].isin(PLANTED.bot_users)]
    assert bot_events.loc[bot_events["event"] != "follow", "event"].isin(["view", "like"]).all()
    # bursts within minutes: some 15-minute window holds >= 100 events of one bot
    windows = bot_events.groupby([bot_events["user_id"], bot_events["occurred_at"].dt.floor("15min")]).size()
    per_bot = windows.groupby(level=0).max()
    assert (per_bot >= 100).mean() > 0.9
    on_spike = bot_events[bot_events["occurred_at"].dt.strftime("%Y-%m-%d") == PLANTED.bot_spike_day[1]]
    assert on_spike["user_id"].nunique() == 30 and (on_spike["account_id"] == PLANTED.bot_spike_day[0]).all()


def test_stop_loss_campaign(t: dict[str, pd.DataFrame]) -> None:
    ads = t["ad_daily"]
    oct_ = ads[ads["date"].dt.strftime("%Y-%m") == "2026-10"].groupby("campaign_id")[["revenue", "spend"]].sum()
    roas = oct_["revenue"] / oct_["spend"]
    assert roas[PLANTED.stop_loss_campaign] < 3.0
    assert roas.drop(PLANTED.stop_loss_campaign).gt(3.5).all()
    assert roas.round(2).to_dict() == {"cmp_broad_reach": 1.8, "cmp_retarget": 3.6, "cmp_search_brand": 6.0,
                                       "cmp_seeding_xhs": 4.5}
    monthly = ads.groupby([ads["date"].dt.strftime("%Y-%m"), "campaign_id"])[["revenue", "spend"]].sum()
    by_month = (monthly["revenue"] / monthly["spend"]).unstack()
    assert by_month["cmp_broad_reach"].between(1.4, 2.4).all()  # similar level every month, with noise
    assert set(ads.loc[ads["campaign_id"] == "cmp_broad_reach", "channel"]) == {"douyin_feed"}


def test_low_ctr_creative(t: dict[str, pd.DataFrame]) -> None:
    totals = t["ad_daily"].groupby("creative_id")[["clicks", "impressions"]].sum()
    ctr = totals["clicks"] / totals["impressions"]
    assert len(ctr) == 12 and ctr[PLANTED.low_ctr_creative] == pytest.approx(0.025, abs=0.003)
    assert ctr.drop(PLANTED.low_ctr_creative).between(0.055, 0.09).all()


def test_assist_channel(t: dict[str, pd.DataFrame]) -> None:
    tp = t["touchpoints"].sort_values(["journey_id", "occurred_at"])
    converted = set(t["conversions"]["journey_id"])
    n_journeys = tp["journey_id"].nunique()
    assert 40_000 <= n_journeys <= 60_000 and len(converted) < 0.5 * n_journeys  # non-converting journeys exist
    last = tp.groupby("journey_id")["channel"].last()
    conv_last = last[last.index.isin(converted)]
    x = PLANTED.assist_channel
    last_share = (conv_last == x).mean()
    assert last_share < 0.10
    has_x = set(tp.loc[tp["channel"] == x, "journey_id"])
    assert 0.4 < len(has_x & converted) / len(converted) < 0.7
    rate_with = len(has_x & converted) / len(has_x)
    rate_without = len(converted - has_x) / (n_journeys - len(has_x))
    assert rate_with > 2 * rate_without
    # linear credit: each touch of a converting journey gets 1 / (number of touches)
    conv_tp = tp[tp["journey_id"].isin(converted)]
    weight = 1 / conv_tp.groupby("journey_id")["channel"].transform("size")
    linear_share = weight[conv_tp["channel"] == x].sum() / len(converted)
    assert linear_share >= 2 * last_share
    assert set(tp["channel"]) == {"douyin", "xiaohongshu", "wechat", "weibo", "search", "kol"}


def test_conversions_follow_last_touch(t: dict[str, pd.DataFrame]) -> None:
    last_touch = t["touchpoints"].groupby("journey_id")["occurred_at"].max()
    conv = t["conversions"].set_index("journey_id")
    assert (conv["occurred_at"] > last_touch.reindex(conv.index)).all()
    assert conv["value"].between(80, 400).all()


def _actuals(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Monthly KPI actuals per own account, straight from the definitions in the brief."""
    daily = t["account_daily"][t["account_daily"]["account_id"].isin(OWN)].sort_values("date")
    daily = daily.assign(period=daily["date"].dt.strftime("%Y-%m"))
    g = daily.groupby(["account_id", "period"])
    wide = pd.DataFrame({"followers": g["followers"].last(),
                         "net_follower_change": g["followers_gained"].sum() - g["followers_lost"].sum(),
                         "impressions": g["impressions"].sum(), "engagements": g["engagements"].sum(),
                         "conversions": g["conversions"].sum(), "revenue": g["revenue"].sum()})
    posts = t["posts"].assign(period=t["posts"]["published_at"].dt.strftime("%Y-%m"))
    wide["posts_published"] = posts.groupby(["account_id", "period"]).size()
    return wide.rename_axis(columns="kpi").stack().rename("actual").reset_index()


def test_targets_and_missed_kpi(t: dict[str, pd.DataFrame]) -> None:
    targets = t["targets"]
    # 25 months (2024-11 .. 2026-11) × 4 own accounts × 7 KPIs, plus net_sentiment for the 13 months with comments
    assert len(targets) == 25 * 4 * 7 + 13 * 4 and targets["target"].gt(0).all()
    targets = targets[targets["kpi"] != "net_sentiment"]
    merged = targets.merge(_actuals(t), on=["account_id", "kpi", "period"], validate="one_to_one")
    merged["attainment"] = merged["actual"] / merged["target"]
    account, kpi, period, planted = PLANTED.missed_kpi
    oct_ = merged[merged["period"] == period]
    is_missed = (oct_["account_id"] == account) & (oct_["kpi"] == kpi)
    assert is_missed.sum() == 1
    assert 0.5 < oct_.loc[is_missed, "attainment"].item() < 0.7
    assert oct_.loc[is_missed, "attainment"].item() == pytest.approx(planted, abs=0.01)
    assert oct_.loc[~is_missed, "attainment"].between(0.95, 1.15).all()
    complete = merged[merged["period"] < "2026-11"]
    assert complete["attainment"].between(0.95, 1.15).mean() > 0.7  # most months on plan


def test_evening_window(t: dict[str, pd.DataFrame]) -> None:
    own = t["posts"][t["posts"]["account_id"].isin(OWN)]
    er = own[["likes", "comments", "shares", "saves"]].sum(axis=1) / own["impressions"]
    lo, hi = PLANTED.evening_window
    evening = own["published_at"].dt.hour.between(lo, hi - 1)
    assert 0.15 < evening.mean() < 0.35
    assert 1.25 < er[evening].mean() / er[~evening].mean() < 1.6


def test_winning_format(t: dict[str, pd.DataFrame]) -> None:
    account, fmt = PLANTED.winning_format
    posts = t["posts"][t["posts"]["account_id"] == account]
    er = posts[["likes", "comments", "shares", "saves"]].sum(axis=1) / posts["impressions"]
    is_fmt = posts["format"] == fmt
    assert set(posts["format"]) == {"short_video", "live"}
    assert 1.15 < er[is_fmt].mean() / er[~is_fmt].mean() < 1.5


def test_competitor_video_winner_and_neglected_topic(t: dict[str, pd.DataFrame]) -> None:
    posts = t["posts"]
    comp = posts[~posts["account_id"].isin(OWN)]
    engagement = comp[["likes", "comments", "shares"]].sum(axis=1)
    video = comp["format"].isin(["short_video", "video", "live"])
    winner = comp["account_id"].str.startswith(PLANTED.competitor_video_winner + "_")
    assert 1.35 < engagement[video & winner].mean() / engagement[video & ~winner].mean() < 1.9
    topic = comp["pillar"] == PLANTED.neglected_topic
    assert 1.2 < engagement[topic].mean() / engagement[~topic].mean() < 1.65
    assert comp["topics"].str.split(";").apply(lambda tags: PLANTED.neglected_topic in tags)[topic].all()
    own = posts[posts["account_id"].isin(OWN)]
    assert (own["pillar"] == PLANTED.neglected_topic).mean() < 0.05
    assert topic.mean() > 0.15


def test_experiments(t: dict[str, pd.DataFrame]) -> None:
    exps = t["experiments"].set_index("experiment_id")
    assert exps.loc[PLANTED.experiment_with_lift, "variants"] == "A;B"
    assert exps.loc[PLANTED.experiment_without_lift, "variants"] == "A;B;C"
    units = t["experiment_units"]
    lift = units[units["experiment_id"] == PLANTED.experiment_with_lift].groupby("variant")["conversions"]
    n, conv = lift.size(), lift.sum()
    assert n.between(19_500, 20_500).all()
    assert stats.chisquare(n).pvalue > 0.05  # no sample-ratio mismatch
    rates = conv / n
    assert rates["A"] == pytest.approx(0.040, abs=0.002) and rates["B"] == pytest.approx(0.048, abs=0.002)
    two_by_two = np.column_stack([conv[["A", "B"]], n[["A", "B"]] - conv[["A", "B"]]])
    assert stats.chi2_contingency(two_by_two, correction=False).pvalue < 0.01  # = two-proportion z-test
    none = units[units["experiment_id"] == PLANTED.experiment_without_lift].groupby("variant")["conversions"]
    table = np.column_stack([none.sum(), none.size() - none.sum()])
    assert none.size().between(9_500, 10_500).all()
    assert stats.chi2_contingency(table).pvalue > 0.05
    rho = units.groupby("experiment_id")[["revenue", "pre_revenue"]].corr().xs("revenue", level=1)["pre_revenue"]
    assert rho.between(0.35, 0.65).all()
    # the pre-period covariate does not depend on the variant
    pre = units[units["experiment_id"] == PLANTED.experiment_with_lift].groupby("variant")["pre_revenue"]
    assert stats.ttest_ind(*[g for _, g in pre], equal_var=False).pvalue > 0.01
    assert (units["clicks"] >= units["conversions"]).all()


def test_lapsing_segment(t: dict[str, pd.DataFrame]) -> None:
    audience = t["audience"].set_index("user_id")
    lapsing = list(PLANTED.lapsing_segment)
    assert (audience.loc[lapsing, "first_seen"].dt.year == 2025).all()
    it = t["interactions"][t["interactions"]["user_id"].isin(lapsing)]
    stop = pd.Timestamp(PLANTED.lapsing_since)
    assert it["occurred_at"].max() < stop and it["user_id"].nunique() == 1500
    # every 7-day block from first_seen to the stop date holds an event (the last, partial block aside)
    first = it["user_id"].map(audience["first_seen"])
    block = (it["occurred_at"].dt.normalize() - first.dt.normalize()).dt.days.sub(1) // 7
    active_blocks = block.groupby(it["user_id"]).nunique()
    full_blocks = ((stop - audience.loc[active_blocks.index, "first_seen"].dt.normalize()).dt.days - 1) // 7
    assert (active_blocks >= full_blocks).all()
    assert audience.loc[lapsing, "unfollowed_at"].isna().all()


def test_audience_and_interactions(t: dict[str, pd.DataFrame]) -> None:
    audience, it = t["audience"], t["interactions"]
    assert 20_000 <= len(audience) <= 30_000 and 150_000 <= len(it) <= 300_000
    assert set(it["event"]) == EVENTS
    assert it.loc[it["event"] == "purchase", "value"].between(80, 400).all()
    assert it.loc[it["event"] != "purchase", "value"].isna().all()
    assert audience["user_id"].str.fullmatch(r"u\d{6}").all()
    assert set(audience["account_id"]) == set(OWN)
    first_event = it.groupby("user_id")["occurred_at"].min()
    assert (first_event >= audience.set_index("user_id")["first_seen"].reindex(first_event.index)).all()
    unf = audience.dropna(subset=["unfollowed_at"])
    assert 0 < len(unf) < 0.3 * len(audience)
    assert (pd.to_datetime(unf["unfollowed_at"]) > unf["first_seen"]).all()


def test_escaped_title_post(t: dict[str, pd.DataFrame]) -> None:
    post = t["posts"].set_index("post_id").loc[PLANTED.escaped_title_post]
    assert post["account_id"] == "own_xhs"
    assert post["published_at"].strftime("%Y-%m-%d") == "2026-10-18"
    assert post["title"] == '<限定>礼盒开箱 & 测评 "真香"'


def test_risks_and_topic_bank(t: dict[str, pd.DataFrame]) -> None:
    risks, topics = t["risks"], t["topic_bank"]
    assert 10 <= len(risks) <= 15
    assert set(risks["category"]) == {"content", "strategy", "platform-rule", "technical", "compliance"}
    assert risks["impact"].isin([1, 2, 3, 4, 5]).all()
    assert set(risks["status"]) <= {"open", "closed", "monitoring"}
    assert 35 <= len(topics) <= 45 and topics["strategic_weight"].between(0.5, 2.0).all()
    assert topics["format"].isin(["article", "image", "carousel", "video", "short_video", "live", "text"]).all()


# ------------------------------------------------------------------ API behaviour

def test_ensure_sample_generates_only_when_missing(folder: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []
    monkeypatch.setattr(sample, "generate_sample", lambda out, seed=0: calls.append(Path(out)))
    assert ensure_sample(folder) == folder and calls == []
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "accounts.csv").write_text((folder / "accounts.csv").read_text(encoding="utf-8"), encoding="utf-8")
    assert ensure_sample(partial) == partial and calls == [partial]
    # data written by another version of the generator is regenerated
    stale = tmp_path / "stale"
    stale.mkdir()
    for name in sample.TABLES:
        (stale / f"{name}.csv").write_text("x", encoding="utf-8")
    (stale / ".generator").write_text("older-version", encoding="utf-8")
    assert ensure_sample(stale) == stale and calls == [partial, stale]


def test_bad_arguments_raise_parameter_error(tmp_path: Path) -> None:
    for seed in (-1, 1.5, "7", True):
        with pytest.raises(ParameterError, match="seed"):
            generate_sample(tmp_path, seed=seed)  # type: ignore[arg-type]
    a_file = tmp_path / "file.csv"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(ParameterError, match="folder"):
        generate_sample(a_file)


def test_srm_experiment_has_a_sample_ratio_mismatch_and_the_others_do_not(t: dict[str, pd.DataFrame]) -> None:
    from scipy.stats import chisquare

    counts = t["experiment_units"].groupby(["experiment_id", "variant"]).size()
    # planned 50/50: 10,400 vs 9,600 → χ² = 2 · 400² / 10,000 = 32, p ≈ 1.5e-8
    assert chisquare(counts[PLANTED.experiment_with_srm].to_numpy()).pvalue < 1e-6
    for clean in (PLANTED.experiment_with_lift, PLANTED.experiment_without_lift):
        assert chisquare(counts[clean].to_numpy()).pvalue > 0.01


def test_assignment_times_fall_inside_each_experiment(t: dict[str, pd.DataFrame]) -> None:
    runs = t["experiments"].set_index("experiment_id")
    units = t["experiment_units"]
    at = pd.to_datetime(units["assigned_at"], format="ISO8601")
    start = pd.to_datetime(units["experiment_id"].map(runs["start"]))
    end = pd.to_datetime(units["experiment_id"].map(runs["end"])) + pd.Timedelta(days=1)
    assert (at >= start).all() and (at < end).all()


def test_ad_spend_variation_and_returns_planted(t: dict[str, pd.DataFrame]) -> None:
    daily = t["ad_daily"].groupby(["campaign_id", "date"])[["spend", "revenue"]].sum()
    spend = daily["spend"].unstack(0)
    cv = spend.std() / spend.mean()
    assert cv[PLANTED.flat_spend_campaign] < 0.1  # the curve cannot be identified
    assert cv[PLANTED.saturating_campaign] > 0.3 and cv[PLANTED.constant_campaign] > 0.3
    assert cv[PLANTED.stop_loss_campaign] > 0.3
    # diminishing returns: ROAS of the top spend quintile well under the bottom one's; constant: about equal
    for campaign, low_ratio in ((PLANTED.saturating_campaign, 0.75), (PLANTED.constant_campaign, 0.95)):
        days = daily.loc[campaign]
        quintile = pd.qcut(days["spend"], 5, labels=False)
        roas = days.groupby(quintile)["revenue"].sum() / days.groupby(quintile)["spend"].sum()
        assert (roas[4] / roas[0] < low_ratio) == (campaign == PLANTED.saturating_campaign)
