"""Tests of helpers.kol.after (a booked campaign's credit, delivery, ROI and the rebook rule) against hand work."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.errors import ParameterError
from helpers.kol.after import REBOOK, campaign_results, kol_campaign_credit
from helpers.kol.cost import expected_engagements

# ---------------------------------------------------------------------------------------------
# kol_campaign_credit
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def journeys() -> tuple[pd.DataFrame, pd.DataFrame]:
    """J1: search → kol c1 → converts 100; J2: kol c1 → kol c2 → douyin → converts 60; J3: kol c2 → converts 30;
    J4: kol c3 (no conversion); J5: kol without a campaign → converts 10.
    """
    touch = pd.DataFrame([
        ("J1", "2026-01-01 09:00", "search", "s"), ("J1", "2026-01-02 09:00", "kol", "c1"),
        ("J2", "2026-01-01 09:00", "kol", "c1"), ("J2", "2026-01-02 09:00", "kol", "c2"),
        ("J2", "2026-01-03 09:00", "douyin", None),
        ("J3", "2026-01-05 09:00", "kol", "c2"),
        ("J4", "2026-01-05 09:00", "kol", "c3"),
        ("J5", "2026-01-06 09:00", "kol", None),
    ], columns=["journey_id", "occurred_at", "channel", "campaign"])
    conv = pd.DataFrame([("J1", "2026-01-03 09:00", 100.0), ("J2", "2026-01-04 09:00", 60.0),
                         ("J3", "2026-01-06 09:00", 30.0), ("J5", "2026-01-07 09:00", 10.0)],
                        columns=["journey_id", "occurred_at", "value"])
    return touch, conv


def _credit(frame: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """campaign → (conversions, value)."""
    return {c: (n, v) for c, n, v in frame[["campaign", "conversions", "value"]].itertuples(index=False)}


def test_linear_credit_by_hand(journeys: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """Linear: J1 halves (c1 .5, 50); J2 thirds (c1, c2 1/3, 20 each); J3 c2 1 (30); c3 touched, 0.

    c1 = .5 + 1/3 = 5/6 conversions, 70 value; c2 = 1/3 + 1 = 4/3, 50 value. The campaign-less
    KOL touch of J5 is no campaign: not listed.
    """
    out = _credit(kol_campaign_credit(*journeys))
    assert set(out) == {"c1", "c2", "c3"}
    assert out["c1"] == pytest.approx((5 / 6, 70.0))
    assert out["c2"] == pytest.approx((4 / 3, 50.0))
    assert out["c3"] == pytest.approx((0.0, 0.0))


def test_other_models(journeys: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """Last touch: J1 → c1, J3 → c2 (J2 ends on douyin); first touch: J2 → c1, J3 → c2 (J1 starts on search)."""
    last = _credit(kol_campaign_credit(*journeys, model="last_touch"))
    assert last["c1"] == pytest.approx((1.0, 100.0)) and last["c2"] == pytest.approx((1.0, 30.0))
    first = _credit(kol_campaign_credit(*journeys, model="first_touch"))
    assert first["c1"] == pytest.approx((1.0, 60.0)) and first["c2"] == pytest.approx((1.0, 30.0))
    assert set(kol_campaign_credit(*journeys, model="markov")["campaign"]) == {"c1", "c2", "c3"}
    shapley = _credit(kol_campaign_credit(*journeys, model="shapley"))
    assert shapley["c1"] == pytest.approx((5 / 6, 70.0))  # distinct channels per journey: as linear here
    with pytest.raises(ParameterError, match="model"):
        kol_campaign_credit(*journeys, model="u_shaped")


def test_credit_window(journeys: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """end = 2026-01-04 keeps journeys ending by then: J1 and J2 only (J3 converts on the 6th)."""
    out = _credit(kol_campaign_credit(*journeys, end="2026-01-04"))
    assert out["c2"] == pytest.approx((1 / 3, 20.0))


# ---------------------------------------------------------------------------------------------
# campaign_results
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def booked() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """kA: organic 100, 200, 300 then booked a_b (c1, cost 1000, 500 engagements: above); an organic
    9999 on the booking day must not enter the prediction. kB: organic 1000 ×3 (p10 = p90 = 1000), then
    booked c2 (1000: within, at the edge), c3 (999: below), c4 (1000), c5 (not credited); c2 has no
    cost: the quote 2000 is used.
    Credit: c1 value 3000 → ROI 3.0 (edge: rebook); c2 6000/2000 = 3 (rebook); c3 9000 → 4.5 but
    under-delivered; c4 5999 → 2.9995 (below the stop-loss).
    """
    rows = [
        ("a1", "kA", "2026-01-01", 100, None, None), ("a2", "kA", "2026-01-03", 200, None, None),
        ("a3", "kA", "2026-01-05", 300, None, None), ("a_b", "kA", "2026-01-10", 500, "c1", 1000.0),
        ("a4", "kA", "2026-01-10", 9999, None, None),
        ("b1", "kB", "2026-01-05", 1000, None, None), ("b2", "kB", "2026-01-06", 1000, None, None),
        ("b3", "kB", "2026-01-07", 1000, None, None),
        ("b_c2", "kB", "2026-02-01", 1000, "c2", None), ("b_c3", "kB", "2026-03-01", 999, "c3", 2000.0),
        ("b_c4", "kB", "2026-03-02", 1000, "c4", 2000.0), ("b_c5", "kB", "2026-03-03", 1000, "c5", 2000.0),
    ]
    posts = pd.DataFrame(rows, columns=["post_id", "kol_id", "published_at", "likes", "campaign", "cost"])
    posts["published_at"] = pd.to_datetime(posts["published_at"])
    kols = pd.DataFrame({"kol_id": ["kA", "kB"], "platform": ["douyin", "xiaohongshu"], "price": [800.0, 2000.0]})
    credit = pd.DataFrame({"campaign": ["c1", "c2", "c3", "c4"], "conversions": [10.0, 20.0, 30.0, 19.0],
                           "value": [3000.0, 6000.0, 9000.0, 5999.0]})
    return posts, kols, credit


def test_campaign_results_by_hand(booked: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    """Delivery, ROI and the rebook rule (ROI ≥ stop-loss and delivery not below) on both sides of each edge."""
    posts, kols, credit = booked
    out = campaign_results(posts, kols, credit).set_index("campaign")
    assert list(out.index) == ["c1", "c2", "c3", "c4", "c5"]
    c1 = out.loc["c1"]
    assert (c1["kol_id"], c1["cost"], c1["engagements"]) == ("kA", 1000.0, 500.0)
    assert c1["delivery"] == "above" and c1["p90"] <= 300  # a4 (9999, booking day) is not in the prediction
    assert (c1["conversions"], c1["revenue"], c1["cpa"]) == pytest.approx((10.0, 3000.0, 100.0))
    assert c1["roi"] == pytest.approx(3.0)
    assert (bool(c1["rebook"]), c1["reason"]) == (True, REBOOK)
    c2 = out.loc["c2"]
    assert (c2["cost"], c2["cost_source"]) == (2000.0, "quote")
    assert (c2["predicted"], c2["p10"], c2["p90"]) == pytest.approx((1000.0, 1000.0, 1000.0))
    assert c2["delivery"] == "within"  # exactly at p10 is not below
    assert bool(c2["rebook"]) and c2["roi"] == pytest.approx(3.0)
    c3 = out.loc["c3"]
    assert c3["delivery"] == "below" and c3["roi"] == pytest.approx(4.5)
    assert (bool(c3["rebook"]), c3["reason"]) == (False, "under_delivered")
    c4 = out.loc["c4"]
    assert c4["roi"] == pytest.approx(5999 / 2000)
    assert (bool(c4["rebook"]), c4["reason"]) == (False, "roi_below_stop_loss")
    c5 = out.loc["c5"]
    assert math.isnan(c5["conversions"]) and math.isnan(c5["roi"])  # not tracked: unknown, not 0
    assert (bool(c5["rebook"]), c5["reason"]) == (False, "roi_unknown")


def test_prediction_is_expected_engagements_the_day_before(
        booked: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    """kA's prediction equals expected_engagements with as_of = 2026-01-09 on kA alone."""
    posts, kols, credit = booked
    out = campaign_results(posts, kols, credit).set_index("campaign").loc["c1"]
    direct = expected_engagements(posts[posts["kol_id"] == "kA"], kols[kols["kol_id"] == "kA"],
                                  as_of="2026-01-09").iloc[0]
    assert (out["predicted"], out["p10"], out["p90"]) == pytest.approx((direct["p50"], direct["p10"], direct["p90"]))


def test_stop_loss_parameter_and_as_of(booked: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    """stop_loss 2.9995 rebooks c4 (its ROI exactly); as_of keeps posts published by then."""
    posts, kols, credit = booked
    out = campaign_results(posts, kols, credit, stop_loss=5999 / 2000).set_index("campaign")
    assert bool(out.loc["c4", "rebook"])
    early = campaign_results(posts, kols, credit, as_of="2026-02-01")
    assert list(early["campaign"]) == ["c1", "c2"]
    with pytest.raises(ParameterError, match="stop_loss"):
        campaign_results(posts, kols, credit, stop_loss=-1)


def test_campaign_split_over_posts() -> None:
    """One campaign on two posts (cost 1000 and 3000): its credit (8 conversions, 8000) split by cost, ROI 2 each."""
    posts = pd.DataFrame({
        "post_id": ["x1", "x2", "xa", "xb"], "kol_id": ["kA", "kB", "kA", "kB"],
        "published_at": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-01-05", "2026-01-05"]),
        "likes": [10, 10, 10, 10], "campaign": [None, None, "c", "c"], "cost": [None, None, 1000.0, 3000.0],
    })
    kols = pd.DataFrame({"kol_id": ["kA", "kB"], "platform": "douyin"})
    credit = pd.DataFrame({"campaign": ["c"], "conversions": [8.0], "value": [8000.0]})
    out = campaign_results(posts, kols, credit).set_index("post_id")
    assert (out.loc["xa", "conversions"], out.loc["xa", "revenue"]) == pytest.approx((2.0, 2000.0))
    assert (out.loc["xb", "conversions"], out.loc["xb", "revenue"]) == pytest.approx((6.0, 6000.0))
    assert out["roi"].tolist() == pytest.approx([2.0, 2.0])


def test_conversions_with_no_recorded_touch_credit_no_campaign(journeys: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """J7 converts without any touchpoint and J8 only has a KOL touch after its conversion: neither has a
    recorded touch, so no campaign gets their conversions; the credit of every model stays as without them."""
    touch, conv = journeys
    touch = pd.concat([touch, pd.DataFrame([("J8", "2026-01-09 09:00", "kol", "c1")], columns=touch.columns)],
                      ignore_index=True)
    conv = pd.concat([conv, pd.DataFrame([("J7", "2026-01-05 09:00", 500.0), ("J8", "2026-01-08 09:00", 900.0)],
                                         columns=conv.columns)], ignore_index=True)
    for model in ("linear", "last_touch", "first_touch", "shapley", "markov"):
        pd.testing.assert_frame_equal(kol_campaign_credit(touch, conv, model=model),
                                      kol_campaign_credit(*journeys, model=model), check_like=True)
    assert _credit(kol_campaign_credit(touch, conv))["c1"] == pytest.approx((5 / 6, 70.0))  # as by hand above
