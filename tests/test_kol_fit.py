"""Tests of helpers.kol.fit (audience fit with the brand) against hand-worked shares, overlaps and intervals."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from helpers.errors import DataError, ParameterError
from helpers.kol.fit import (
    DEFAULT_WEIGHTS,
    brand_distribution,
    distribution_similarity,
    fit_score,
    kol_distribution,
    user_overlap,
)

# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def accounts() -> pd.DataFrame:
    """Two own accounts (douyin, xiaohongshu) and a competitor whose followers must never count."""
    return pd.DataFrame(
        {
            "account_id": ["own_dy", "own_xhs", "comp_dy"],
            "platform": ["douyin", "xiaohongshu", "douyin"],
            "name": ["A", "B", "C"],
            "owner": ["own", "own", "competitor"],
        }
    )


@pytest.fixture
def audience() -> pd.DataFrame:
    """Six own followers (one unfollowed), one competitor follower; gaps in gender and age."""
    rows = [
        # user, account, unfollowed_at, gender, age_band, city_tier, interests
        ("u1", "own_dy", None, "女", "18-24", "一线", "护肤;彩妆"),
        ("u2", "own_dy", None, "女", "25-30", "新一线", "护肤"),
        ("u3", "own_dy", None, "男", None, "一线", ""),
        ("u4", "own_xhs", None, None, "18-24", "二线", "穿搭;护肤;美食"),
        ("u5", "own_xhs", "2026-01-01", "男", "41+", "一线", "数码"),  # unfollowed: out
        ("u6", "own_xhs", None, "女", "25-30", None, None),
        ("c1", "comp_dy", None, "男", "41+", "三线", "数码"),  # competitor: out
    ]
    return pd.DataFrame(
        rows, columns=["user_id", "account_id", "unfollowed_at", "gender", "age_band", "city_tier", "interests"]
    )


def _shares(frame: pd.DataFrame, dimension: str, kol: str | None = None) -> dict[str, float]:
    """Bucket → share of one dimension (of one KOL)."""
    sub = frame[frame["dimension"] == dimension]
    if kol is not None:
        sub = sub[sub["kol_id"] == kol]
    return dict(zip(sub["bucket"], sub["share"], strict=True))


# ---------------------------------------------------------------------------------------------
# brand_distribution
# ---------------------------------------------------------------------------------------------


def test_brand_distribution_by_hand(audience: pd.DataFrame, accounts: pd.DataFrame) -> None:
    """Followers u1, u2, u3, u4, u6 (u5 unfollowed, c1 a competitor's); missing values excluded and counted."""
    dist = brand_distribution(audience, accounts)
    # gender known for u1 女, u2 女, u3 男, u6 女 (u4 missing): 3/4 女, 1/4 男
    assert _shares(dist, "gender") == pytest.approx({"女": 0.75, "男": 0.25})
    gender = dist[dist["dimension"] == "gender"].iloc[0]
    assert (gender["n_known"], gender["n_missing"]) == (4, 1)
    # age known for u1, u2, u4, u6: 18-24 ×2, 25-30 ×2
    assert _shares(dist, "age_band") == pytest.approx({"18-24": 0.5, "25-30": 0.5})
    # city tier known for u1..u4: 一线 ×2, 新一线, 二线
    assert _shares(dist, "city_tier") == pytest.approx({"一线": 0.5, "新一线": 0.25, "二线": 0.25})
    # interests: tags of u1 (护肤, 彩妆), u2 (护肤), u4 (穿搭, 护肤, 美食) = 6 tags; u3 blank and u6 missing
    assert _shares(dist, "interests") == pytest.approx({"护肤": 3 / 6, "彩妆": 1 / 6, "穿搭": 1 / 6, "美食": 1 / 6})
    interests = dist[dist["dimension"] == "interests"].iloc[0]
    assert (interests["n_known"], interests["n_missing"]) == (3, 2)
    assert "region" in dist.attrs["absent"]  # no region column: no rows, and said so


def test_brand_distribution_given_accounts(audience: pd.DataFrame, accounts: pd.DataFrame) -> None:
    """account_ids restricts to those accounts: own_xhs has u4 (gender missing) and u6 女."""
    dist = brand_distribution(audience, accounts, account_ids=["own_xhs"], dimensions=("gender",))
    assert _shares(dist, "gender") == pytest.approx({"女": 1.0})
    assert set(dist["dimension"]) == {"gender"}
    with pytest.raises(ParameterError, match="nope"):
        brand_distribution(audience, accounts, account_ids=["nope"])


def test_brand_distribution_counts_a_user_once_per_platform(accounts: pd.DataFrame) -> None:
    """A user following two own accounts of one platform counts once."""
    acc = pd.concat([accounts, pd.DataFrame([{"account_id": "own_dy2", "platform": "douyin", "name": "D",
                                             "owner": "own"}])], ignore_index=True)
    aud = pd.DataFrame({"user_id": ["u1", "u1", "u2"], "account_id": ["own_dy", "own_dy2", "own_dy"],
                        "gender": ["女", "女", "男"]})
    assert _shares(brand_distribution(aud, acc), "gender") == pytest.approx({"女": 0.5, "男": 0.5})


def test_brand_distribution_without_own_followers(accounts: pd.DataFrame) -> None:
    """No own follower at all is a data problem, not an empty fit."""
    aud = pd.DataFrame({"user_id": ["c1"], "account_id": ["comp_dy"], "gender": ["男"]})
    with pytest.raises(DataError, match="audience"):
        brand_distribution(aud, accounts)


# ---------------------------------------------------------------------------------------------
# kol_distribution
# ---------------------------------------------------------------------------------------------


def test_kol_distribution_renormalises_within_tolerance() -> None:
    """Platform shares 0.62 + 0.36 = 0.98 are rescaled to 0.62/0.98 and 0.36/0.98."""
    aud = pd.DataFrame({"kol_id": ["k1", "k1"], "dimension": ["gender", "gender"], "bucket": ["女", "男"],
                        "share": [0.62, 0.36]})
    dist = kol_distribution(aud)
    assert _shares(dist, "gender", "k1") == pytest.approx({"女": 0.62 / 0.98, "男": 0.36 / 0.98})
    assert set(dist["source"]) == {"platform shares"}


@pytest.mark.parametrize(("total", "ok"), [(0.9, True), (1.1, True), (0.89, False), (1.11, False)])
def test_kol_distribution_tolerance_edges(total: float, ok: bool) -> None:
    """Sums from 0.9 to 1.1 are rounding; beyond is a DataError naming the KOL and dimension."""
    aud = pd.DataFrame({"kol_id": ["k9", "k9"], "dimension": ["age_band", "age_band"], "bucket": ["18-24", "25-30"],
                        "share": [0.5, total - 0.5]})
    if ok:
        assert sum(_shares(kol_distribution(aud), "age_band", "k9").values()) == pytest.approx(1.0)
    else:
        with pytest.raises(DataError, match=r"k9.*age_band"):
            kol_distribution(aud)


def test_kol_distribution_interest_tag_shares_always_normalised() -> None:
    """Interest shares of users (a user has several tags) may sum above 1: they become tag shares."""
    aud = pd.DataFrame({"kol_id": ["k1"] * 2, "dimension": ["interests"] * 2, "bucket": ["护肤", "彩妆"],
                        "share": [0.6, 0.9]})
    assert _shares(kol_distribution(aud), "interests", "k1") == pytest.approx({"护肤": 0.4, "彩妆": 0.6})


def test_kol_distribution_follower_sample_fills_missing_dimensions() -> None:
    """k1 has platform gender shares; its age comes from the sample; k2 has only a sample."""
    aud = pd.DataFrame({"kol_id": ["k1", "k1"], "dimension": ["gender", "gender"], "bucket": ["女", "男"],
                        "share": [0.7, 0.3]})
    followers = pd.DataFrame({
        "kol_id": ["k1", "k1", "k1", "k1", "k2", "k2", "k2"],
        "follower_id": ["a", "b", "c", "d", "e", "f", "g"],
        "gender": ["男", "男", "男", None, "女", "女", "男"],      # k1's sample gender is ignored
        "age_band": ["18-24", "18-24", "25-30", None, None, None, None],
    })
    dist = kol_distribution(aud, followers)
    assert _shares(dist, "gender", "k1") == pytest.approx({"女": 0.7, "男": 0.3})
    assert _shares(dist, "age_band", "k1") == pytest.approx({"18-24": 2 / 3, "25-30": 1 / 3})
    assert _shares(dist, "gender", "k2") == pytest.approx({"女": 2 / 3, "男": 1 / 3})
    assert "age_band" not in set(dist.loc[dist["kol_id"] == "k2", "dimension"])  # nothing known
    src = dist.groupby(["kol_id", "dimension"])["source"].first().to_dict()
    assert src == {("k1", "gender"): "platform shares", ("k1", "age_band"): "follower sample",
                   ("k2", "gender"): "follower sample"}


def test_kol_distribution_bad_input() -> None:
    """Negative shares and unknown dimensions are refused with the row named."""
    bad = pd.DataFrame({"kol_id": ["k1"], "dimension": ["gender"], "bucket": ["女"], "share": [-0.1]})
    with pytest.raises(DataError, match="share"):
        kol_distribution(bad)
    odd = pd.DataFrame({"kol_id": ["k1"], "dimension": ["zodiac"], "bucket": ["leo"], "share": [1.0]})
    with pytest.raises(DataError, match="zodiac"):
        kol_distribution(odd)


# ---------------------------------------------------------------------------------------------
# distribution_similarity
# ---------------------------------------------------------------------------------------------


def test_similarity_by_hand() -> None:
    """KOL age 18-24 .5, 25-30 .3, 31-35 .2; brand 18-24 .2, 25-30 .4, 41+ .4.

    Σ min = min(.5,.2) + min(.3,.4) + min(.2,0) + min(0,.4) = .2 + .3 = .5;
    TVD = ½(|.5−.2| + |.3−.4| + |.2−0| + |0−.4|) = ½(.3 + .1 + .2 + .4) = .5; buckets 4.
    Gender: KOL 女 .9 男 .1 vs brand 女 .6 男 .4: Σ min = .6 + .1 = .7.
    """
    kol = pd.DataFrame({
        "kol_id": ["k1"] * 5, "dimension": ["age_band"] * 3 + ["gender"] * 2,
        "bucket": ["18-24", "25-30", "31-35", "女", "男"], "share": [0.5, 0.3, 0.2, 0.9, 0.1],
    })
    brand = pd.DataFrame({
        "dimension": ["age_band"] * 3 + ["gender"] * 2 + ["region"],
        "bucket": ["18-24", "25-30", "41+", "女", "男", "广东"], "share": [0.2, 0.4, 0.4, 0.6, 0.4, 1.0],
    })
    sim = distribution_similarity(kol, brand).set_index(["kol_id", "dimension"])
    age = sim.loc[("k1", "age_band")]
    assert age["similarity"] == pytest.approx(0.5)
    assert age["tvd"] == pytest.approx(0.5)
    assert age["n_buckets"] == 4
    assert (age["top_bucket_kol"], age["top_bucket_brand"]) == ("18-24", "25-30")
    assert sim.loc[("k1", "gender"), "similarity"] == pytest.approx(0.7)
    assert sim.loc[("k1", "gender"), "tvd"] == pytest.approx(0.3)
    assert ("k1", "region") not in sim.index  # the KOL has no region data


def test_similarity_identical_and_disjoint() -> None:
    """Identical distributions overlap fully (1); disjoint ones not at all (0)."""
    brand = pd.DataFrame({"dimension": ["gender"] * 2, "bucket": ["女", "男"], "share": [0.3, 0.7]})
    kol = pd.DataFrame({"kol_id": ["same", "same", "other"], "dimension": ["gender"] * 3,
                        "bucket": ["女", "男", "未知"], "share": [0.3, 0.7, 1.0]})
    sim = distribution_similarity(kol, brand).set_index("kol_id")
    assert sim.loc["same", "similarity"] == pytest.approx(1.0)
    assert sim.loc["other", "similarity"] == pytest.approx(0.0)
    assert sim.loc["other", "tvd"] == pytest.approx(1.0)


# ---------------------------------------------------------------------------------------------
# user_overlap
# ---------------------------------------------------------------------------------------------


def test_user_overlap_by_hand(audience: pd.DataFrame, accounts: pd.DataFrame) -> None:
    """k_dy (douyin) sample: u1, u2 are own douyin followers; u4 follows own_xhs only; u5 unfollowed; c1 competitor.

    n_sampled 5, n_brand 2: share .4, Clopper–Pearson from the beta quantiles written out here.
    k_wx is on wechat, where the brand has no account: share unknown, not 0.
    """
    kols = pd.DataFrame({"kol_id": ["k_dy", "k_wx"], "platform": ["douyin", "wechat"]})
    followers = pd.DataFrame({
        "kol_id": ["k_dy"] * 5 + ["k_wx"] * 2,
        "follower_id": ["u1", "u2", "u4", "u5", "c1", "u1", "u2"],
    })
    out = user_overlap(followers, audience, accounts, kols).set_index("kol_id")
    row = out.loc["k_dy"]
    assert (row["n_sampled"], row["n_brand"]) == (5, 2)
    assert row["share"] == pytest.approx(0.4)
    assert row["low"] == pytest.approx(stats.beta.ppf(0.025, 2, 4))   # Beta(x, n − x + 1)
    assert row["high"] == pytest.approx(stats.beta.ppf(0.975, 3, 3))  # Beta(x + 1, n − x)
    assert row["new_reach_share"] == pytest.approx(0.6)
    assert bool(out.loc["k_wx", "brand_on_platform"]) is False
    assert math.isnan(out.loc["k_wx", "share"])


def test_user_overlap_edges_zero_and_all(accounts: pd.DataFrame) -> None:
    """0 of n: low 0 and high 1 − (α/2)^(1/n); n of n: high 1 and low (α/2)^(1/n)."""
    aud = pd.DataFrame({"user_id": ["a", "b"], "account_id": ["own_dy", "own_dy"]})
    kols = pd.DataFrame({"kol_id": ["none", "all"], "platform": ["douyin", "douyin"]})
    followers = pd.DataFrame({"kol_id": ["none"] * 4 + ["all"] * 2, "follower_id": ["x", "y", "z", "w", "a", "b"]})
    out = user_overlap(followers, aud, accounts, kols).set_index("kol_id")
    assert out.loc["none", "low"] == 0.0
    assert out.loc["none", "high"] == pytest.approx(1 - 0.025 ** (1 / 4))
    assert out.loc["all", "high"] == 1.0
    assert out.loc["all", "low"] == pytest.approx(0.025 ** (1 / 2))


def test_user_overlap_matches_numeric_ids_to_text(accounts: pd.DataFrame) -> None:
    """Ids read as numbers in one table and text in the other still match."""
    aud = pd.DataFrame({"user_id": ["101", "102"], "account_id": ["own_dy", "own_dy"]})
    kols = pd.DataFrame({"kol_id": ["k"], "platform": ["douyin"]})
    followers = pd.DataFrame({"kol_id": ["k", "k"], "follower_id": [101, 999]})
    assert user_overlap(followers, aud, accounts, kols)["n_brand"].tolist() == [1]


def test_user_overlap_bad_confidence(audience: pd.DataFrame, accounts: pd.DataFrame) -> None:
    """confidence must lie strictly between 0 and 1."""
    kols = pd.DataFrame({"kol_id": ["k"], "platform": ["douyin"]})
    with pytest.raises(ParameterError, match="confidence"):
        user_overlap(pd.DataFrame({"kol_id": ["k"], "follower_id": ["u1"]}), audience, accounts, kols, confidence=1.0)


# ---------------------------------------------------------------------------------------------
# fit_score
# ---------------------------------------------------------------------------------------------


def test_fit_score_by_hand() -> None:
    """k1 has gender .8 and interests .5: (.3·.8 + .4·.5)/(.3 + .4) = .44/.7; k2 all five; k3 no data."""
    sim = pd.DataFrame({
        "kol_id": ["k1", "k1"] + ["k2"] * 5,
        "dimension": ["gender", "interests", "gender", "age_band", "interests", "city_tier", "region"],
        "similarity": [0.8, 0.5, 1.0, 0.6, 0.4, 0.9, 0.2],
    })
    out = fit_score(sim, kol_ids=["k1", "k2", "k3"]).set_index("kol_id")
    assert out.loc["k1", "fit"] == pytest.approx(0.44 / 0.7)
    assert out.loc["k1", "n_dimensions"] == 2
    assert out.loc["k1", "missing_dimensions"] == "age_band,region,city_tier"
    assert out.loc["k1", "gender"] == pytest.approx(0.8)
    assert math.isnan(out.loc["k1", "age_band"])
    k2 = 0.3 * 1.0 + 0.2 * 0.6 + 0.4 * 0.4 + 0.05 * 0.9 + 0.05 * 0.2
    assert out.loc["k2", "fit"] == pytest.approx(k2)
    assert out.loc["k2", "missing_dimensions"] == ""
    assert math.isnan(out.loc["k3", "fit"])  # no audience data: missing, never 0
    assert out.loc["k3", "n_dimensions"] == 0
    assert sum(DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)


def test_fit_score_custom_weights() -> None:
    """Weights {gender: 1, interests: 3} over k1's gender .8, interests .4, age .1: (.8 + 1.2)/4 = .5."""
    sim = pd.DataFrame({"kol_id": ["k1"] * 3, "dimension": ["gender", "interests", "age_band"],
                        "similarity": [0.8, 0.4, 0.1]})
    out = fit_score(sim, weights={"gender": 1, "interests": 3})
    assert out["fit"].iloc[0] == pytest.approx(0.5)
    with pytest.raises(ParameterError, match="zodiac"):
        fit_score(sim, weights={"zodiac": 1.0})
    with pytest.raises(ParameterError, match="negative"):
        fit_score(sim, weights={"gender": -1.0})


# ---------------------------------------------------------------------------------------------
# Speed: 500 KOLs
# ---------------------------------------------------------------------------------------------
