"""helpers.competitors.gaps: opportunities (kind, score, reason) and strategy sentences, by hand and on sample data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.competitors.gaps import opportunities, strategy_summary
from helpers.content import with_engagement_rate
from helpers.data import load_tables
from helpers.errors import DataError, ParameterError
from helpers.sample import PLANTED


def rated(rows: list[tuple[str, str, float]], column: str = "pillar") -> pd.DataFrame:
    """Posts (account_id, <column>, engagement_rate) on a stated followers base."""
    frame = pd.DataFrame(rows, columns=["account_id", column, "engagement_rate"])
    frame.insert(0, "post_id", [f"p{i}" for i in range(len(frame))])
    frame["engagements"] = frame["engagement_rate"] * 1000
    frame["er_base_value"] = 1000.0
    frame["er_base"] = "followers"
    return frame


@pytest.fixture
def field_and_own() -> pd.DataFrame:
    # Competitors c1/c2, 12 posts:           own o1, 5 posts:
    #   成分科普 .04 .06            (2)        成分科普 –          (0)
    #   品牌活动 .01 .03 .02 .02 .02 (5)        品牌活动 .02 .02     (2)
    #   教程    .03 .03 .03         (3)        教程    .05 .07 .06 (3)
    #   用户故事 .03 .035           (2)        用户故事 –          (0)
    rows = [("c1", "成分科普", 0.04), ("c2", "成分科普", 0.06),
            ("c1", "品牌活动", 0.01), ("c1", "品牌活动", 0.03), ("c2", "品牌活动", 0.02), ("c2", "品牌活动", 0.02),
            ("c2", "品牌活动", 0.02),
            ("c1", "教程", 0.03), ("c2", "教程", 0.03), ("c2", "教程", 0.03),
            ("c1", "用户故事", 0.03), ("c2", "用户故事", 0.035),
            ("o1", "品牌活动", 0.02), ("o1", "品牌活动", 0.02),
            ("o1", "教程", 0.05), ("o1", "教程", 0.07), ("o1", "教程", 0.06)]
    return rated(rows)


def test_opportunities_by_hand(field_and_own: pd.DataFrame) -> None:
    table = opportunities(field_and_own, ["o1"], by="pillar", min_posts=2)
    # field overall mean of rates = (.10 + .10 + .09 + .065)/12 = .355/12; own overall = .22/5 = .044
    # field_index: 成分科普 .05·12/.355 = 1.6901, 用户故事 .0325·12/.355 = 1.0986,
    #              品牌活动 .02·12/.355 = 0.6761, 教程 .03·12/.355 = 1.0141
    # shares (field / own): 成分科普 2/12 / 0, 用户故事 2/12 / 0, 品牌活动 5/12 / 2/5, 教程 3/12 / 3/5; even split 1/4
    # kinds: 成分科普, 用户故事 under-served (index > 1, own share below field's);
    #        品牌活动 crowded (5/12 > 1/4, index ≤ 1); 教程 own strength (own .06/.044 = 1.3636 on 3 posts)
    # scores: 成分科普 (1.6901 − 1)(2/12 − 0) = .11502; 用户故事 (1.0986 − 1)(2/12) = .016432;
    #         品牌活动 (1 − .6761)(5/12) = .13498; 教程 (1.3636 − 1)(3/5) = .21818
    assert table["category"].tolist() == ["成分科普", "用户故事", "品牌活动", "教程"]
    assert table["kind"].tolist() == ["under-served", "under-served", "crowded", "own strength"]
    assert table["rank"].tolist() == [1, 2, 1, 1]
    row = table.set_index("category")
    assert row["field_index"].to_dict() == pytest.approx({"成分科普": 0.6 / 0.355, "用户故事": 0.39 / 0.355,
                                                         "品牌活动": 0.24 / 0.355, "教程": 0.36 / 0.355})
    assert row["score"].to_dict() == pytest.approx({"成分科普": (0.6 / 0.355 - 1) / 6,
                                                   "用户故事": (0.39 / 0.355 - 1) / 6,
                                                   "品牌活动": (1 - 0.24 / 0.355) * 5 / 12,
                                                   "教程": (0.06 / 0.044 - 1) * 0.6})
    assert row["field_share"].to_dict() == pytest.approx({"成分科普": 2 / 12, "用户故事": 2 / 12, "品牌活动": 5 / 12,
                                                         "教程": 3 / 12})
    assert row["own_share"].to_dict() == pytest.approx({"成分科普": 0, "用户故事": 0, "品牌活动": 0.4, "教程": 0.6})
    assert row.loc["教程", "own_index"] == pytest.approx(0.06 / 0.044)
    assert np.isnan(row.loc["成分科普", "own_er"]) and row.loc["成分科普", "own_er_n"] == 0
    # field ER CI of 成分科普: (.04, .06) → .05 ± t(.975, 1) · .01 = .05 ± .127062
    assert row.loc["成分科普", "field_er_ci_low"] == pytest.approx(0.05 - 0.127062, abs=1e-5)
    assert (table["er_base"] == "followers").all()


def test_reasons_are_computed_from_the_numbers(field_and_own: pd.DataFrame) -> None:
    row = opportunities(field_and_own, ["o1"], min_posts=2).set_index("category")
    # 1.6901 → "1.69×", 2/12 → "17%", 5/12 → "42%", own 2/5 → "40%"
    assert row.loc["成分科普", "reason"] == ("the field earns 1.69× its average ER (by followers) on 成分科普, "
                                          "competitors give it 17% of posts, you 0%")
    assert "42% of posts (an even split would be 25%)" in row.loc["品牌活动", "reason"]
    assert "0.68× their average ER (by followers)" in row.loc["品牌活动", "reason"]
    assert "you give it 40%" in row.loc["品牌活动", "reason"]
    assert "1.36× your average ER (by followers) on 教程 (3 posts)" in row.loc["教程", "reason"]
    # the 成分科普 field CI (−.077, .177)/.0296 straddles 1: flagged as weak evidence
    assert "includes 1: weak evidence" in row.loc["成分科普", "note"]


def test_min_posts_leaves_small_categories_unjudged(field_and_own: pd.DataFrame) -> None:
    row = opportunities(field_and_own, ["o1"], min_posts=3).set_index("category")
    # 成分科普 and 用户故事 have 2 competitor posts (< 3): neutral, score 0, a note; own 教程 still 3 posts
    assert row.loc[["成分科普", "用户故事"], "kind"].tolist() == ["neutral", "neutral"]
    assert row.loc["成分科普", "score"] == 0 and "too few competitor posts" in row.loc["成分科普", "note"]
    assert "only 2 competitor posts" in row.loc["成分科普", "reason"]
    assert row.loc["教程", "kind"] == "own strength"


def test_own_account_without_posts_is_a_real_zero(field_and_own: pd.DataFrame) -> None:
    field = field_and_own[field_and_own["account_id"] != "o1"]
    table = opportunities(field, ["o1"], min_posts=2).set_index("category")
    assert (table["own_share"] == 0).all() and (table["own_posts"] == 0).all()
    assert table["note"].str.contains("o1 posted nothing in the period").all()
    # 教程's field index 1.014 > 1 and own share 0 < 3/12: now under-served, score .0141·.25
    assert table.loc["教程", "kind"] == "under-served"
    assert table.loc["教程", "score"] == pytest.approx((0.36 / 0.355 - 1) * 0.25)
    # one silent account next to one that posts: shares come from the posting one, the note names the silent one
    both = opportunities(field_and_own, ["o1", "o_ghost"], min_posts=2).set_index("category")
    assert both.loc["教程", "own_share"] == pytest.approx(0.6)
    assert both["note"].str.contains("o_ghost").all()


def test_topics_are_exploded_and_shares_are_per_post() -> None:
    posts = rated([("c", "成分科普;成分党", 0.04), ("c", "成分科普;成分科普", 0.06), ("c", "种草", 0.02),
                   ("c", np.nan, 0.02), ("o", "种草", 0.03), ("o", "种草; 成分党", 0.01)], column="topics")
    row = opportunities(posts, ["o"], by="topics", min_posts=2).set_index("category")
    # competitor posts: 4; 成分科普 on 2 (once each despite the repeat) → .5, 成分党 1 → .25, 种草 1 → .25
    assert row["field_posts"].to_dict() == {"成分科普": 2, "成分党": 1, "种草": 1}
    assert row.loc["成分科普", "field_share"] == pytest.approx(0.5)
    # own: 2 posts, 种草 on both → 1.0, 成分党 on one → .5 (' 成分党' stripped); shares need not sum to 1
    assert row.loc["种草", "own_share"] == pytest.approx(1.0) and row.loc["成分党", "own_share"] == pytest.approx(0.5)
    # field overall (.04+.06+.02+.02)/4 = .035; 成分科普 .05/.035 = 1.4286 > 1 and own share 0 → under-served
    assert row.loc["成分科普", "field_index"] == pytest.approx(0.05 / 0.035)
    assert row.loc["成分科普", "kind"] == "under-served"
    assert (row["dimension"] == "topic").all()


def test_by_format_works() -> None:
    posts = rated([("c", "short_video", 0.03), ("c", "short_video", 0.05), ("c", "image", 0.01),
                   ("c", "image", 0.01), ("o", "image", 0.02), ("o", "image", 0.02)], column="format")
    row = opportunities(posts, ["o"], by="format", min_posts=2).set_index("category")
    # field overall .025: short_video .04/.025 = 1.6 (share .5, own 0) under-served; image .01/.025 = .4 with
    # field share .5 but own share 1.0 and own index 1 (not above its average) → over-invested,
    # score (1 − .4)(1.0 − .5) = .3 (a share of .5 = the even split is not crowding)
    assert row.loc["short_video", "kind"] == "under-served"
    assert row.loc["short_video", "score"] == pytest.approx(0.6 * 0.5)
    assert row.loc["image", "kind"] == "over-invested"
    assert row.loc["image", "score"] == pytest.approx(0.6 * 0.5)


def test_crowded_needs_clearly_more_than_an_even_split() -> None:
    # 4 pillars → even split .25; crowded from 1.25 × .25 = .3125. a: 3/10 = .30 (not crowded), b: 4/10 = .40
    # both earn below the field average; own posts only c and d, so neither a nor b is over-invested
    rows = ([("c", "a", 0.01)] * 3 + [("c", "b", 0.01)] * 4 + [("c", "c", 0.05)] * 2 + [("c", "d", 0.05)]
            + [("o", "c", 0.03)] * 2 + [("o", "d", 0.03)] * 2)
    row = opportunities(rated(rows), ["o"], min_posts=2).set_index("category")
    assert row.loc["a", "kind"] == "neutral"
    assert row.loc["b", "kind"] == "crowded"


def test_strategy_summary_sentences(field_and_own: pd.DataFrame) -> None:
    table = opportunities(field_and_own, ["o1"], min_posts=2)
    sentences = strategy_summary(table, top=3)
    assert len(sentences) == 4
    # two competitor posts only: the field index interval includes 1, so the advice is tentative
    assert "weak evidence" in table.set_index("category").loc["成分科普", "note"]
    assert sentences[0].startswith("成分科普 (pillar) is a possible opening, not yet supported by the data: "
                                   "the field earns 1.69×")
    assert sentences[1].startswith("用户故事 (pillar)")
    assert sentences[2] == "No over-invested pillar stands out in this period."
    assert sentences[3].startswith("品牌活动 (pillar) is crowded") and "42% of posts" in sentences[3]
    assert [s.split(" ")[0] for s in strategy_summary(table, top=1)] == ["成分科普", "No", "品牌活动"]
    without_crowded = table[table["kind"] != "crowded"]
    assert strategy_summary(without_crowded)[-1] == "No crowded pillar stands out in this period."
    with pytest.raises(DataError, match="opportunities is missing"):
        strategy_summary(table.drop(columns="reason"))


def test_opportunities_bad_input(field_and_own: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match="by must be one of"):
        opportunities(field_and_own, ["o1"], by="title")
    with pytest.raises(ParameterError, match="own_ids"):
        opportunities(field_and_own, [])
    with pytest.raises(DataError, match="posts is missing required column.*'engagement_rate'"):
        opportunities(field_and_own.drop(columns="engagement_rate"), ["o1"])
    with pytest.raises(DataError, match="posts is missing required column.*'format'"):
        opportunities(field_and_own, ["o1"], by="format")
    with pytest.raises(DataError, match="no posts in the period"):
        opportunities(field_and_own.iloc[:0], ["o1"])
    with pytest.raises(DataError, match="no competitor posts"):
        opportunities(field_and_own, ["o1", "c1", "c2"])


# ---------------------------------------------------------------------------------------------
# sample data
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_rated(sample_dir: Path) -> tuple[pd.DataFrame, list[str]]:
    tables = load_tables(["accounts", "account_daily", "posts"], sample_dir)
    posts = tables["posts"]
    period = posts[(posts["published_at"] >= "2026-05-01") & (posts["published_at"] < "2026-11-01")]
    accounts = tables["accounts"]
    period = period[period["account_id"].isin(accounts.query("owner in ['own', 'competitor']")["account_id"])]
    own = accounts.query("owner == 'own'")["account_id"].tolist()
    return with_engagement_rate(period, tables["account_daily"], base="followers"), own


def test_sample_neglected_pillar_is_the_top_under_served(sample_rated: tuple[pd.DataFrame, list[str]]) -> None:
    posts, own = sample_rated
    table = opportunities(posts, own, by="pillar")
    under = table[table["kind"] == "under-served"]
    assert under.iloc[0]["category"] == PLANTED.neglected_topic
    top = under.iloc[0]
    # independent check of the shares from the raw posts: own ≈ 3% (planted), competitors ≈ 22%
    mine = posts["account_id"].isin(own)
    topic = posts["pillar"] == PLANTED.neglected_topic
    assert top["own_share"] == pytest.approx(topic[mine].mean())
    assert top["field_share"] == pytest.approx(topic[~mine].mean())
    assert top["own_share"] < 0.05 < 0.15 < top["field_share"]
    # the field rewards it: its field-index CI lies above 1 (sample ≈ 1.37, CI 1.23–1.50)
    assert top["field_index_ci_low"] > 1
    assert strategy_summary(table)[0].startswith(PLANTED.neglected_topic)
