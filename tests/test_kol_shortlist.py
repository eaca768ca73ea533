"""Tests of helpers.kol.shortlist: decisions at the thresholds' edges, the score by hand, ranks by brute force."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.kol.shortlist import Thresholds, decide, rank_sensitivity, score, screen_table, shortlist

BARS = Thresholds(fake=0.30, interaction=0.05, min_fit=0.6, cpa_ratio_max=1.0)  # explicit bars, not the defaults
WEIGHTS = {"fit": 0.3, "interaction": 0.3, "authenticity": 0.2, "cost": 0.2}
NAN = math.nan


def _screens(**columns: list[float]) -> pd.DataFrame:
    """A screen table of len(columns[...]) KOLs with good defaults for every screen not given."""
    n = len(next(iter(columns.values())))
    base = {"kol_id": [f"k{i}" for i in range(n)], "platform": ["xiaohongshu"] * n, "name": ["n"] * n,
            "category": ["护肤"] * n, "followers": [100_000] * n, "fake_share": [0.1] * n, "fake_low": [0.05] * n,
            "fake_high": [0.15] * n, "rate": [0.08] * n, "rate_low": [0.07] * n, "rate_high": [0.09] * n,
            "fit": [0.8] * n, "price": [5000.0] * n, "cpa": [20.0] * n, "feed_cpa": [33.0] * n,
            "cpa_ratio": [20 / 33] * n, "break_even_price": [8250.0] * n}
    base.update(columns)
    return pd.DataFrame(base)


@pytest.mark.parametrize(("fake", "expected"), [(0.30, "accept"), (0.3001, "reject"), (0.0, "accept")])
def test_fake_share_rejects_strictly_above_the_threshold(fake: float, expected: str) -> None:
    screens = _screens(fake_share=[fake], fake_high=[fake])  # interval ends at the estimate: not borderline
    assert decide(screens, BARS)["decision"].iloc[0] == expected


@pytest.mark.parametrize(("rate", "expected"), [(0.05, "reject"), (0.0501, "accept"), (0.02, "reject")])
def test_interaction_rate_must_be_strictly_above(rate: float, expected: str) -> None:
    assert decide(_screens(rate=[rate]), BARS)["decision"].iloc[0] == expected


@pytest.mark.parametrize(("fit", "expected"), [(0.6, "accept"), (0.5999, "reject")])
def test_fit_passes_at_the_minimum(fit: float, expected: str) -> None:
    assert decide(_screens(fit=[fit]), BARS)["decision"].iloc[0] == expected


@pytest.mark.parametrize(("ratio", "expected"), [(1.0, "accept"), (1.01, "negotiate"), (2.5, "negotiate")])
def test_cost_above_the_feed_cpa_is_negotiated_not_rejected(ratio: float, expected: str) -> None:
    out = decide(_screens(cpa_ratio=[ratio]), BARS)
    assert out["decision"].iloc[0] == expected
    assert ("cpa_above" in out["reasons"].iloc[0]) == (expected == "negotiate")


def test_a_reject_reason_outranks_a_negotiate_reason_and_reasons_are_listed_worst_first() -> None:
    out = decide(_screens(fake_share=[0.55], fake_high=[0.6], cpa_ratio=[3.0]), BARS)
    assert out["decision"].iloc[0] == "reject"
    assert out["reasons"].iloc[0] == "fake_above;cpa_above"


def test_missing_screens_are_never_a_pass() -> None:
    out = decide(_screens(fake_share=[NAN, 0.1, 0.1, 0.1], fit=[0.8, NAN, 0.8, 0.8],
                          price=[5000.0, 5000.0, NAN, 5000.0], cpa_ratio=[0.6, 0.6, NAN, NAN]), BARS)
    assert out["decision"].tolist() == ["negotiate"] * 4
    assert out["reasons"].tolist() == ["fake_unknown", "fit_unknown", "no_price", "no_cost_basis"]


def test_borderline_fake_share_asks_for_more() -> None:
    out = decide(_screens(fake_share=[0.29], fake_low=[0.18], fake_high=[0.42]), BARS)
    assert (out["decision"].iloc[0], out["reasons"].iloc[0]) == ("negotiate", "fake_borderline")


def test_all_pass_reason() -> None:
    assert decide(_screens(rate=[0.08]), BARS)["reasons"].iloc[0] == "all_pass"


def test_score_by_hand() -> None:
    screens = _screens(fit=[0.9], rate=[0.06], fake_share=[0.2], cpa_ratio=[0.5])
    out = score(screens, WEIGHTS, BARS)
    # parts: fit 0.9; interaction 0.06 / 0.10 = 0.6; authenticity 0.8; cost 1 / 0.5 / 2 = 1.0
    expected = (0.3 * 0.9 + 0.3 * 0.6 + 0.2 * 0.8 + 0.2 * 1.0) / 1.0
    assert out["score"].iloc[0] == pytest.approx(expected)
    assert out[["part_fit", "part_interaction", "part_authenticity", "part_cost"]].iloc[0].tolist() == \
        pytest.approx([0.9, 0.6, 0.8, 1.0])


def test_score_caps_and_renormalises_over_present_parts() -> None:
    screens = _screens(fit=[NAN], rate=[0.5], fake_share=[0.0], cpa_ratio=[NAN])
    out = score(screens, WEIGHTS, BARS)
    # interaction capped at 1, authenticity 1; fit and cost missing: weights 0.3 and 0.2 over 0.5
    assert out["score"].iloc[0] == pytest.approx((0.3 * 1 + 0.2 * 1) / 0.5)
    assert math.isnan(out["part_fit"].iloc[0]) and math.isnan(out["part_cost"].iloc[0])


def test_ranking_puts_decisions_first_then_score() -> None:
    screens = _screens(fake_share=[0.5, 0.1, 0.1, 0.1], fake_high=[0.6, 0.15, 0.15, 0.15],
                       fit=[1.0, 0.7, 0.95, 0.9], cpa_ratio=[0.1, 0.5, 2.0, 0.5])
    ranked = shortlist(screens, WEIGHTS, BARS)
    # k0 rejected (fake) despite the best parts; k2 negotiate (cost); k1, k3 accepted, k3 has the better fit
    assert ranked["kol_id"].tolist() == ["k3", "k1", "k2", "k0"]
    assert ranked["rank"].tolist() == [1, 2, 3, 4]


def _brute_rank(table: pd.DataFrame, w: np.ndarray) -> list[int]:
    """Ranks by sorting (decision order, -score, position) one KOL at a time."""
    order = {"accept": 0, "negotiate": 1, "reject": 2}
    names = ["fit", "interaction", "authenticity", "cost"]
    keys = []
    for i, row in table.reset_index(drop=True).iterrows():
        parts = [(row[f"part_{p}"], w[k]) for k, p in enumerate(names) if not math.isnan(row[f"part_{p}"])]
        den = sum(wk for _v, wk in parts)
        s = sum(v * wk for v, wk in parts) / den if den > 0 else -math.inf
        keys.append((order[row["decision"]], -s, i))
    ranked = sorted(range(len(keys)), key=lambda i: keys[i])
    out = [0] * len(keys)
    for r, i in enumerate(ranked, start=1):
        out[i] = r
    return out


def test_rank_sensitivity_matches_a_brute_force_loop_over_the_same_draws() -> None:
    rng = np.random.default_rng(3)
    n = 12
    screens = _screens(fit=list(rng.uniform(0.55, 1, n)), rate=list(rng.uniform(0.03, 0.12, n)),
                       fake_share=list(rng.uniform(0, 0.4, n)), fake_high=list(rng.uniform(0, 0.4, n)),
                       cpa_ratio=list(rng.uniform(0.3, 2, n)))
    ranked = shortlist(screens, WEIGHTS, BARS)
    out = rank_sensitivity(ranked, WEIGHTS, BARS, n_draws=200, concentration=10, seed=7)
    w = np.array([0.3, 0.3, 0.2, 0.2])
    draws = np.random.default_rng(7).dirichlet(10 * w / w.sum(), size=200)
    brute = np.array([_brute_rank(ranked, d) for d in draws]).T
    assert out["rank"].tolist() == _brute_rank(ranked, w)
    assert out["rank_low"].tolist() == [int(np.sort(r)[int(np.floor(0.05 * 199))]) for r in brute]
    assert out["rank_high"].tolist() == [int(np.sort(r)[int(np.ceil(0.95 * 199))]) for r in brute]
    assert out["p_same_rank"].tolist() == pytest.approx((brute == ranked["rank"].to_numpy()[:, None]).mean(axis=1))


def test_screen_table_joins_and_keeps_missing_screens_missing() -> None:
    kols = pd.DataFrame({"kol_id": ["a", "b"], "platform": ["douyin", "xiaohongshu"], "name": ["A", "B"],
                         "followers": [10, 20], "category": ["护肤", "数码"], "price": [100.0, NAN]})
    fake = pd.DataFrame({"kol_id": ["a"], "share": [0.2], "low": [0.1], "high": [0.3], "basis": ["follower sample"]})
    out = screen_table(kols, fake, None, None, None)
    assert out["fake_share"].tolist()[0] == 0.2 and math.isnan(out["fake_share"].tolist()[1])
    assert out["price"].iloc[0] == 100.0 and math.isnan(out["price"].iloc[1])
    assert out["rate"].isna().all() and out["fit"].isna().all()
