"""The KOL tables: schema checks (kol_id references, shares, allowed values) and the sample's planted truths.

Every expectation is computed here again from the written tables (pandas by hand, statsmodels' Wilson
interval), never read back from helpers.sample_kols.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from helpers.data import DataWarning, load_tables, validate_folder
from helpers.errors import DataError
from helpers.sample import END, PLANTED, generate_sample
from helpers.sample_kols import build_kol_tables

KOL_TABLES = ("kols", "kol_posts", "kol_daily", "kol_audience", "kol_followers")
ENGAGEMENTS = ["likes", "comments", "shares", "saves"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample written once."""
    out = tmp_path_factory.mktemp("kolsample")
    generate_sample(out)
    return out


@pytest.fixture(scope="module")
def t(folder: Path) -> dict[str, pd.DataFrame]:
    """The KOL tables and the tables they are planted against, loaded (and validated) by helpers.data."""
    return load_tables([*KOL_TABLES, "audience", "touchpoints", "conversions", "ad_daily"], folder)


def _engagement(posts: pd.DataFrame) -> pd.Series:
    return posts[ENGAGEMENTS].sum(axis=1, min_count=1)


def _organic(t: dict[str, pd.DataFrame], kol: str) -> pd.DataFrame:
    p = t["kol_posts"]
    return p[(p["kol_id"] == kol) & ~p["is_sponsored"].astype(bool)]


def _empty_profiles(f: pd.DataFrame) -> pd.Series:
    """The brief's empty profile: no avatar, no posts, following > 1000 or ≤ 2 followers, created < 90 days ago."""
    recent = f["created_at"] > END - pd.Timedelta(days=90)
    return ~f["has_avatar"].astype(bool) & (f["posts"] == 0) & ((f["following"] > 1000) | (f["followers"] <= 2)) \
        & recent


# ------------------------------------------------------------------ schema and validation

def _write(folder: Path, name: str, text: str) -> None:
    (folder / f"{name}.csv").write_text(text, encoding="utf-8")


def _kol_folder(tmp_path: Path) -> Path:
    _write(tmp_path, "accounts", "account_id,platform,name,owner\nown_xhs,xiaohongshu,我们,own\n")
    _write(tmp_path, "kols", "kol_id,platform,name,followers,category,price,price_format\n"
                             "k1,xiaohongshu,小鹿,120000,护肤,9000,image\nk2,douyin,阿May,80000,美妆,,video\n")
    _write(tmp_path, "kol_posts", "post_id,kol_id,published_at,likes,comments,is_sponsored\n"
                                  "p1,k1,2026-10-01,100,5,false\np2,k1,2026-10-02,,3,true\n")
    _write(tmp_path, "kol_audience", "kol_id,dimension,bucket,share\nk1,gender,女,0.8\nk1,gender,男,0.2\n")
    return tmp_path


def test_kol_tables_load_and_missing_stays_missing(tmp_path: Path) -> None:
    with pytest.warns(DataWarning, match="optional metric column"):
        tables = load_tables(["kol_posts", "kol_audience"], _kol_folder(tmp_path))
    assert set(tables) == {"kols", "kol_posts", "kol_audience"}   # kols loaded to check the references
    assert np.isnan(tables["kols"].set_index("kol_id").loc["k2", "price"])
    assert np.isnan(tables["kol_posts"].set_index("post_id").loc["p2", "likes"])


def test_unknown_kol_id_names_file_column_and_rows(tmp_path: Path) -> None:
    folder = _kol_folder(tmp_path)
    _write(folder, "kol_daily", "kol_id,date,followers\nk1,2026-10-01,100\nk9,2026-10-01,5\nk9,2026-10-02,6\n")
    with pytest.raises(DataError, match=r"kol_daily\.csv, column 'kol_id': unknown KOL \(not in kols\); 2 row\(s\), "
                                        r"first at line\(s\) 3, 4; values: 'k9'"):
        load_tables(["kol_daily"], folder)
    problems = [str(p) for p in validate_folder(folder) if p.severity == "error"]
    assert any("kol_daily.csv, column 'kol_id': unknown KOL" in p for p in problems)


@pytest.mark.parametrize(("table", "text", "column", "what"), [
    ("kol_audience", "kol_id,dimension,bucket,share\nk1,gender,女,1.2\n", "share", "rate outside 0–1"),
    ("kol_audience", "kol_id,dimension,bucket,share\nk1,income,高,0.5\n", "dimension", "value not one of"),
    ("kols", "kol_id,platform,name,followers,category,price_format\nk1,douyin,x,10,护肤,story\n", "price_format",
     "value not one of image, video, live, article"),
    ("kol_followers", "kol_id,follower_id,following\nk1,f1,-3\n", "following", "negative value"),
    ("kol_posts", "post_id,kol_id,published_at,format\np1,k1,2026-10-01,reel\n", "format", "value not one of"),
])
def test_value_checks(tmp_path: Path, table: str, text: str, column: str, what: str) -> None:
    folder = _kol_folder(tmp_path)
    _write(folder, table, text)
    errors = [p for p in validate_folder(folder) if p.severity == "error" and p.table == table]
    assert [(p.column, p.rows) for p in errors] == [(column, (2,))]
    assert what in errors[0].problem


def test_share_edges_pass(tmp_path: Path) -> None:
    folder = _kol_folder(tmp_path)
    _write(folder, "kol_audience", "kol_id,dimension,bucket,share\nk1,gender,女,1\nk1,gender,男,0\n")
    assert not [p for p in validate_folder(folder) if p.severity == "error"]


def test_a_folder_without_kol_tables_only_warns(tmp_path: Path) -> None:
    _write(tmp_path, "accounts", "account_id,platform,name,owner\nown_xhs,xiaohongshu,我们,own\n")
    kol = [p for p in validate_folder(tmp_path) if p.table in KOL_TABLES]
    assert len(kol) == 5 and all(p.severity == "warning" and "kol_evaluation" in p.hint for p in kol)


# ------------------------------------------------------------------ the sample: structure

def test_sample_validates(folder: Path) -> None:
    assert not [p for p in validate_folder(folder) if p.severity == "error"]


def test_roster(t: dict[str, pd.DataFrame]) -> None:
    kols = t["kols"]
    assert kols["kol_id"].tolist() == [f"kol_{i:02d}" for i in range(1, 41)]
    assert kols["platform"].value_counts().to_dict() == {"xiaohongshu": 20, "douyin": 14, "bilibili": 3, "weibo": 3}
    assert kols["followers"].between(8_000, 3_000_000).all()  # the booked KOCs have 8k–15k
    assert kols["category"].isin(["护肤", "美妆"]).mean() > 0.6
    assert 0 < kols["price"].isna().sum() < 10 and kols["contact_owner"].notna().any()
    per_follower = (kols["price"] / kols["followers"]).groupby(kols["platform"]).median()
    assert 0.02 <= per_follower["xiaohongshu"] <= 0.1 and 0.04 <= per_follower["douyin"] <= 0.2


def test_posts_history(t: dict[str, pd.DataFrame]) -> None:
    p = t["kol_posts"]
    history = p[p["published_at"] >= END - pd.Timedelta(days=120)]
    assert history.groupby("kol_id").size().between(24, 55).all()  # ~30–50 a KOL
    organic_sponsored = p[p["campaign"].isna()]
    assert 0.15 <= organic_sponsored["is_sponsored"].astype(bool).mean() <= 0.25
    ratio = (organic_sponsored.assign(e=_engagement(organic_sponsored))
             .groupby(["kol_id", "is_sponsored"])["e"].mean().unstack())
    assert 0.55 <= (ratio[True] / ratio[False]).median() <= 0.8
    real = p[~p["kol_id"].isin([PLANTED.kol_fake_id])]
    comment_like = real.groupby("kol_id")["comments"].sum() / real.groupby("kol_id")["likes"].sum()
    assert comment_like.between(0.015, 0.07).all()
    video = p["format"].isin(["short_video", "video"])
    assert p.loc[video, "views"].notna().all() and p.loc[~video, "views"].isna().all()


def test_daily_and_audience_and_followers_shape(t: dict[str, pd.DataFrame]) -> None:
    d = t["kol_daily"]
    assert d.groupby("kol_id").size().eq(180).all() and d["date"].max() == END
    last = d[d["date"] == END].set_index("kol_id")["followers"]
    assert (last - t["kols"].set_index("kol_id")["followers"]).abs().max() <= 1
    a = t["kol_audience"]
    assert 32 <= a["kol_id"].nunique() <= 36
    assert a.groupby("kol_id")["dimension"].nunique().eq(5).all()
    assert a.groupby(["kol_id", "dimension"])["share"].sum().between(0.995, 1.005).all()
    aud = t["audience"]
    for dim in ("gender", "age_band", "region", "city_tier"):
        assert set(a.loc[a["dimension"] == dim, "bucket"]) <= set(aud[dim].dropna())
    tags = set(aud["interests"].dropna().str.split(";").explode())
    assert set(a.loc[a["dimension"] == "interests", "bucket"]) - tags == {"游戏"}  # the mismatch's own tag
    f = t["kol_followers"]
    sizes = f.groupby("kol_id").size()
    assert len(sizes) == 24 and sizes.drop(PLANTED.kol_borderline_id).between(200, 400).all()
    empty = _empty_profiles(f).groupby(f["kol_id"]).mean()
    others = empty.drop([PLANTED.kol_fake_id, PLANTED.kol_borderline_id])
    assert others.between(0.03, 0.16).all()


# ------------------------------------------------------------------ the sample: planted cases

def test_bought_follower_account(t: dict[str, pd.DataFrame]) -> None:
    kol = PLANTED.kol_fake_id
    row = t["kols"].set_index("kol_id").loc[kol]
    assert (row["platform"], row["category"]) == ("xiaohongshu", "美妆") and 350_000 <= row["followers"] <= 450_000
    d = t["kol_daily"][t["kol_daily"]["kol_id"] == kol].set_index("date")["followers"].diff()
    jumps = d[d > 30_000]
    assert [x.strftime("%Y-%m-%d") for x in jumps.index] == list(PLANTED.kol_fake_jump_days)
    assert jumps.between(40_000, 80_000 + 2_000).all() and d.drop(jumps.index).abs().max() < 5_000
    posts = _organic(t, kol).assign(e=lambda x: _engagement(x))
    for day in jumps.index:  # no engagement rise on the posts after a jump
        after = posts[(posts["published_at"] > day) & (posts["published_at"] <= day + pd.Timedelta(days=7))]
        assert after.empty or after["e"].mean() < 1.5 * posts["e"].median()
    f = t["kol_followers"][t["kol_followers"]["kol_id"] == kol]
    assert len(f) == 300 and _empty_profiles(f).sum() == round(0.55 * 300)
    assert posts["comments"].sum() / posts["likes"].sum() == pytest.approx(0.005, abs=0.002)
    per_follower = posts["e"].mean() / row["followers"]
    xhs = t["kols"][(t["kols"]["platform"] == "xiaohongshu") & (t["kols"]["kol_id"] != kol)]
    peers = [(_engagement(_organic(t, k)).mean() / n) for k, n in zip(xhs["kol_id"], xhs["followers"], strict=True)]
    assert per_follower < 0.3 * float(np.median(peers))


def test_real_mid_tier(t: dict[str, pd.DataFrame]) -> None:
    kol = PLANTED.kol_real_mid_id
    row = t["kols"].set_index("kol_id").loc[kol]
    assert (row["platform"], row["category"], row["followers"]) == ("xiaohongshu", "护肤", 180_000)
    f = t["kol_followers"][t["kol_followers"]["kol_id"] == kol]
    empty = _empty_profiles(f).mean()
    e = _engagement(_organic(t, kol))
    real_rate = e.mean() / (row["followers"] * (1 - empty))
    assert 0.08 <= real_rate <= 0.09
    assert e.std() / e.mean() < 0.5   # consistent over posts (lognormal σ 0.35)
    assert empty <= 0.08
    a = t["kol_audience"][t["kol_audience"]["kol_id"] == kol].set_index(["dimension", "bucket"])["share"]
    assert a[("gender", "女")] == pytest.approx(0.85, abs=0.04)
    assert a[("age_band", "18-24")] + a[("age_band", "25-30")] >= 0.78
    interests = a["interests"].sort_values(ascending=False)
    assert interests.index[0] == "护肤" and "彩妆" in interests.index[:3]
    ids = set(t["audience"].loc[t["audience"]["account_id"] == "own_xhs", "user_id"])
    assert f["follower_id"].isin(ids).mean() == pytest.approx(0.20, abs=0.01)


def _feed_cpa(ad: pd.DataFrame, channel: str) -> float:
    rows = ad[ad["channel"] == channel]
    return float(rows["spend"].sum() / rows["conversions"].sum())


def _expected_cpa(t: dict[str, pd.DataFrame], kol: str) -> float:
    """price ÷ (0.7 × mean organic engagements × conversions per engagement)."""
    price = t["kols"].set_index("kol_id").loc[kol, "price"]
    return float(price / (0.7 * _engagement(_organic(t, kol)).mean() * PLANTED.kol_conversions_per_engagement))


def test_feed_cpas_and_planted_cost_cases(t: dict[str, pd.DataFrame]) -> None:
    xhs, douyin = _feed_cpa(t["ad_daily"], "xiaohongshu_feed"), _feed_cpa(t["ad_daily"], "douyin_feed")
    assert xhs == pytest.approx(33, abs=2) and douyin == pytest.approx(83, abs=4)
    assert 0.6 <= _expected_cpa(t, PLANTED.kol_real_mid_id) / xhs <= 0.8
    assert _expected_cpa(t, PLANTED.kol_expensive_id) / douyin == pytest.approx(2.5, abs=0.25)
    row = t["kols"].set_index("kol_id").loc[PLANTED.kol_expensive_id]
    assert (row["platform"], row["category"], row["followers"]) == ("douyin", "护肤", 1_200_000)


def _one_minus_tv(kol_shares: pd.Series, brand: pd.Series) -> float:
    both = pd.concat([kol_shares, brand], axis=1).fillna(0.0)
    return 1 - 0.5 * float((both.iloc[:, 0] - both.iloc[:, 1]).abs().sum())


def test_mismatched_audience(t: dict[str, pd.DataFrame]) -> None:
    kol = PLANTED.kol_mismatch_id
    row = t["kols"].set_index("kol_id").loc[kol]
    assert (row["platform"], row["category"], row["followers"]) == ("douyin", "数码", 600_000)
    a = t["kol_audience"][t["kol_audience"]["kol_id"] == kol]
    gender = a[a["dimension"] == "gender"].set_index("bucket")["share"]
    brand = t["audience"]["gender"].dropna().value_counts(normalize=True)
    assert _one_minus_tv(gender, brand) == pytest.approx(0.35, abs=0.05)
    mid = t["kol_audience"][(t["kol_audience"]["kol_id"] == PLANTED.kol_real_mid_id)
                            & (t["kol_audience"]["dimension"] == "gender")].set_index("bucket")["share"]
    assert _one_minus_tv(mid, brand) > 0.85
    top = a[a["dimension"] == "interests"].sort_values("share", ascending=False)["bucket"].head(2).tolist()
    assert top == ["数码", "游戏"]
    real_rate = _engagement(_organic(t, kol)).mean() / row["followers"]
    assert real_rate > 0.03  # real and engaged


def test_borderline_interval_straddles_the_threshold(t: dict[str, pd.DataFrame]) -> None:
    f = t["kol_followers"][t["kol_followers"]["kol_id"] == PLANTED.kol_borderline_id]
    k = int(_empty_profiles(f).sum())
    assert (len(f), k) == (60, 18)
    lo, hi = proportion_confint(k, len(f), alpha=0.05, method="wilson")
    assert lo < 0.30 < hi and lo == pytest.approx(0.199, abs=0.002) and hi == pytest.approx(0.425, abs=0.002)


# ------------------------------------------------------------------ bookings and touchpoints

def _linear_credit(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per campaign: Σ 1/len over touches of converting journeys, and Σ value/len (credited revenue)."""
    tp, cv = t["touchpoints"], t["conversions"].set_index("journey_id")["value"]
    length = tp.groupby("journey_id")["journey_id"].transform("size")
    conv = tp[tp["journey_id"].isin(cv.index)].assign(w=1 / length)
    conv = conv.assign(rev=conv["w"] * conv["journey_id"].map(cv))
    return conv.groupby("campaign")[["w", "rev"]].sum()


def test_bookings(t: dict[str, pd.DataFrame]) -> None:
    p = t["kol_posts"]
    booked = p[p["campaign"].notna()].set_index("campaign")
    assert sorted(booked.index) == sorted(PLANTED.kol_bookings)
    assert (booked["brand"] == PLANTED.kol_brand).all() and booked["is_sponsored"].astype(bool).all()
    assert booked["cost"].gt(0).all()
    months = booked["published_at"].dt.strftime("%Y%m")
    assert [f"kol_{m}_{k}" for m, k in zip(months, booked["kol_id"], strict=True)] == list(booked.index)
    credit = _linear_credit(t)
    engagements = _engagement(booked)
    target = PLANTED.kol_conversions_per_engagement * engagements
    assert ((credit.loc[booked.index, "w"] / target) - 1).abs().max() <= 0.25
    roi = credit.loc[booked.index, "rev"] / booked["cost"]
    predicted = pd.Series({c: 0.7 * _engagement(_organic(t, k)[_organic(t, k)["published_at"] < day]).mean()
                           for c, k, day in zip(booked.index, booked["kol_id"], booked["published_at"], strict=True)})
    over, under = PLANTED.kol_overdelivered, PLANTED.kol_underdelivered
    assert engagements[over] > 1.5 * predicted[over] and roi[over] >= 3
    assert engagements[under] < 0.5 * predicted[under] and roi[under] < 1
    assert roi.drop([over, under]).between(2, 5).all()  # priced for ROI 3.4: around the 3:1 stop-loss


def test_touchpoints_only_campaigns_change(t: dict[str, pd.DataFrame]) -> None:
    tp = t["touchpoints"]
    booked = tp["campaign"].isin(PLANTED.kol_bookings)
    assert (tp.loc[booked, "channel"] == "kol").all()
    assert set(tp.loc[tp["channel"] == "kol", "campaign"].dropna()) == {"kol_seeding", *PLANTED.kol_bookings}
    assert tp.loc[tp["channel"] == "kol", "campaign"].notna().all()
    posted = t["kol_posts"].dropna(subset=["campaign"]).set_index("campaign")["published_at"]
    lag = tp.loc[booked, "occurred_at"] - tp.loc[booked, "campaign"].map(posted)
    assert lag.min() >= pd.Timedelta(0) and lag.max() <= pd.Timedelta(days=21)


def test_build_is_deterministic(t: dict[str, pd.DataFrame]) -> None:
    from helpers.sample import _rng, feed_cpa  # the sample's seeded streams

    def build() -> dict[str, pd.DataFrame]:
        return build_kol_tables(lambda part: _rng(7, part), END, t["audience"], t["touchpoints"], t["conversions"],
                                feed_cpa(t["ad_daily"]), PLANTED.kol_brand, PLANTED)

    first = build()
    second = build()
    for name in KOL_TABLES:
        pd.testing.assert_frame_equal(first[name], second[name])
